/**
 * loom-cni under a real runtime: containerd 1.6 + `ctr run --cni`, one private containerd per
 * Loom node, a locally built busybox image, two containers on two nodes pinging each other.
 *
 *   container "c1" (busybox) eth0 10.244.1.x        container "c2" eth0 10.244.2.x
 *       | lxc… (loom-cni, exec'd by ctr)                | lxc…
 *   node ns n1: loomd + containerd (private)         node ns n2: loomd + containerd
 *       eth0 198.18.0.1 ──────── switch ns br0 ──────── eth0 198.18.0.2
 *
 * ctr runs in the foreground (`ctr run --rm --cni`): it calls CNI ADD before starting the task
 * and, once the task is killed, CNI DEL and the container delete — the runtime's own teardown
 * path, which is what we check left nothing behind (host veths, /32 routes, agent allocations).
 */
import t from 'tap'
import { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { hostVethName } from '../../lib'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { LabNode, OverlayLab } from './lib/overlay-lab'
import { buildBusyboxImage, BUSYBOX_STATIC } from './lib/busybox-image'
import { REFERENCE_PLUGIN_DIR } from './fixtures/cni-exec'
import {
  COPIED_PLUGINS, CniDirs, firstMissing, hostRoutes, listAttachments, nodeNetState, parseIPv4, prepareCniDirs, waitExit
} from './fixtures/runtime-cni'
import { CONTAINERD_BINARIES, PrivateContainerd } from './fixtures/runtime-containerd'

function skipReason (): string | undefined {
  if (!isRoot()) return SKIP_NOT_ROOT
  const missing = firstMissing([...CONTAINERD_BINARIES, BUSYBOX_STATIC,
    ...COPIED_PLUGINS.map((p) => `${REFERENCE_PLUGIN_DIR}/${p}`)])
  if (missing !== undefined) return `${missing} not found (Debian packages containerd, runc, busybox-static, containernetworking-plugins)`
  for (const p of ['/etc/cni/net.d', REFERENCE_PLUGIN_DIR,
    '/var/lib']) if (!existsSync(p)) return `${p} missing: ctr's CNI paths are bind-mounted over it`
  return undefined
}

const reason = skipReason()
if (reason !== undefined) {
  t.plan(0, reason)
} else {
  t.test('two containerd containers on two Loom nodes reach each other; teardown leaves nothing', { timeout: 110_000 },
    async (t) => {
      const lab = new NetnsLab('rtctd')
      const runtimes: PrivateContainerd[] = []
      t.teardown(async () => {
        for (const r of runtimes) await r.cleanup().catch(() => {})
        await lab.cleanup()
      })
      const overlay = new OverlayLab(lab, { nodes: 2, podsPerNode: 0, encapsulation: 'udp' })
      await overlay.build()
      await overlay.startAll()
      const nodes = overlay.nodes as [LabNode, LabNode]
      const image = await buildBusyboxImage(lab.file('image'))
      const ctrNamespace = `loom-rtctd-${lab.id}`

      const dirs: CniDirs[] = []
      for (const node of nodes) {
        const rt = new PrivateContainerd(node.ns, lab.file(`containerd-${node.name}`), ctrNamespace)
        runtimes.push(rt)
        await rt.start()
        const imp = await rt.ctr(['images', 'import', '--snapshotter', 'native', image.archive], 60_000)
        t.equal(imp.code, 0, `ctr images import on ${node.name}: ${imp.stderr}`)
        const ls = await rt.ctr(['images', 'ls', '-q'])
        t.same(ls.stdout.trim().split('\n'), [image.ref], `image ${image.ref} listed on ${node.name}`)
        dirs.push(await prepareCniDirs(lab.file(`cni-${node.name}`), node.apiSocket))
      }
      const before = await Promise.all(nodes.map((n) => nodeNetState(lab, n.ns)))
      t.same(before.map((s) => s.hostVeths), [[], []], 'no host veths before')

      // One container per node, each `ctr run --rm --cni` in the foreground.
      const ids = ['c1', 'c2']
      const fg: ChildProcess[] = []
      for (let i = 0; i < 2; i++) {
        fg.push(runtimes[i]!.runForeground(dirs[i]!, ['--snapshotter', 'native', image.ref, ids[i]!, 'sleep', '300'],
        `ctr-run-${ids[i]!}.log`))
      }
      const addrs: string[] = []
      for (let i = 0; i < 2; i++) {
        const rt = runtimes[i]!
        let addr: string | undefined
        await waitFor(`${ids[i]!} to run with an eth0 address`, async () => {
          if (fg[i]!.exitCode !== null) throw new Error(`ctr run ${ids[i]!} exited with ${fg[i]!.exitCode}; see ${rt.dir}/ctr-run-${ids[i]!}.log`)
          if ((await rt.tasks()).get(ids[i]!) !== 'RUNNING') return false
          const r = await rt.ctr(['tasks', 'exec', '--exec-id', `addr${Date.now()}`, ids[i]!, 'ip', '-4', '-o', 'addr',
            'show', 'dev', 'eth0'], 10_000)
          addr = parseIPv4(r.stdout)
          return addr !== undefined
        }, 30_000, 300)
        addrs.push(addr!)
      }
      t.match(addrs[0], /^10\.244\.1\.\d+$/, `c1 on node1 has a node1 pod address (${addrs[0]})`)
      t.match(addrs[1], /^10\.244\.2\.\d+$/, `c2 on node2 has a node2 pod address (${addrs[1]})`)

      // The agents hold exactly these allocations, keyed by ctr's CNI container ID (<ns>-<id>).
      for (let i = 0; i < 2; i++) {
        const held = await listAttachments(nodes[i]!.apiSocket)
        const cid = `${ctrNamespace}-${ids[i]!}`
        t.same(held.map((a) => [a.containerID, a.ifname, a.address]), [[cid, 'eth0', addrs[i]]],
        `agent on ${nodes[i]!.name} holds ${cid}/eth0 = ${addrs[i]!}`)
        const st = await nodeNetState(lab, nodes[i]!.ns)
        t.same(st.hostVeths, [hostVethName(cid, 'eth0')], `host veth of ${cid} on ${nodes[i]!.name}`)
        t.same(hostRoutes(st.routes), [`${addrs[i]!} dev ${hostVethName(cid, 'eth0')} scope link`],
        `one /32 route on ${nodes[i]!.name}`)
      }

      // busybox ping from inside c1 to c2 and back, across the overlay.
      for (const [from, to] of [[0, 1], [1, 0]] as const) {
        const ping = await runtimes[from]!.ctr(['tasks', 'exec', '--exec-id', `ping${from}`, ids[from]!, 'ping', '-c',
          '3', '-W', '2', addrs[to]!], 20_000)
        t.equal(ping.code, 0, `${ids[from]!} pings ${ids[to]!} (${addrs[to]!}): ${ping.stdout}${ping.stderr}`)
        t.match(ping.stdout, /3 packets transmitted, 3 packets received, 0% packet loss/)
      }

      // Teardown through the runtime: kill the tasks; each foreground ctr runs CNI DEL and removes the container.
      for (let i = 0; i < 2; i++) {
        const kill = await runtimes[i]!.ctr(['tasks', 'kill', '-s', 'SIGKILL', ids[i]!], 10_000)
        t.equal(kill.code, 0, `ctr tasks kill ${ids[i]!}: ${kill.stderr}`)
      }
      for (let i = 0; i < 2; i++) {
        const code = await waitExit(fg[i]!, 30_000, `ctr run ${ids[i]!}`)
        t.equal(code, 137, `ctr run ${ids[i]!} returned the task's SIGKILL status after the kill`)
        t.same([...(await runtimes[i]!.tasks()).keys()], [], `no task left on ${nodes[i]!.name}`)
        t.equal((await runtimes[i]!.ctr(['containers', 'ls', '-q'])).stdout.trim(), '',
        `no container left on ${nodes[i]!.name}`)
      }
      for (let i = 0; i < 2; i++) {
        // Detached host veths are deleted after the DEL's answer (cni/veth-reaper.ts): waited
        // for, then asserted as before.
        await waitFor(`the host veths on ${nodes[i]!.name} to be deleted`, async () =>
          (await nodeNetState(lab, nodes[i]!.ns)).hostVeths.length === 0, 5000, 50).catch(() => {})
        const st = await nodeNetState(lab, nodes[i]!.ns)
        t.same(st.hostVeths, [], `no lxc* host veth left on ${nodes[i]!.name}`)
        t.same(st.routes, before[i]!.routes, `routes on ${nodes[i]!.name} back to what they were (no /32 left)`)
        t.same(await listAttachments(nodes[i]!.apiSocket), [], `no allocation left in the agent on ${nodes[i]!.name}`)
      }
    })
}
