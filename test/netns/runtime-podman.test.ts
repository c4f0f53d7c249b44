/**
 * loom-cni under a real runtime: podman 4 with its CNI network backend, one private podman per
 * Loom node (fixtures/runtime-podman.ts), the locally built busybox image loaded with
 * `podman load`, two containers on network "loom" (our 10-loom.conflist) on two nodes.
 *
 *   container c1 (busybox) eth0 10.244.1.x          container c2 eth0 10.244.2.x
 *       | lxc… (loom-cni, exec'd by podman)             | lxc…
 *   node ns n1: loomd, podman runs here              node ns n2: loomd, podman
 *       eth0 198.18.0.1 ──────── switch ns br0 ──────── eth0 198.18.0.2
 *
 * Then `podman stop` + `podman rm` (podman's CNI DEL) and the checks that nothing is left:
 * host veths, /32 routes, agent allocations, the container's /run/netns/cni-… file.
 */
import t from 'tap'
import { existsSync } from 'node:fs'
import { hostVethName } from '../../lib'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { LabNode, OverlayLab } from './lib/overlay-lab'
import { buildBusyboxImage, BUSYBOX_STATIC } from './lib/busybox-image'
import { REFERENCE_PLUGIN_DIR } from './fixtures/cni-exec'
import {
  COPIED_PLUGINS, firstMissing, hostRoutes, listAttachments, nodeNetState, parseIPv4, prepareCniDirs
} from './fixtures/runtime-cni'
import { noteMachinePaths, PODMAN_BINARIES, PrivatePodman, removeMachinePaths } from './fixtures/runtime-podman'

function skipReason (): string | undefined {
  if (!isRoot()) return SKIP_NOT_ROOT
  const missing = firstMissing([...PODMAN_BINARIES, BUSYBOX_STATIC,
    ...COPIED_PLUGINS.map((p) => `${REFERENCE_PLUGIN_DIR}/${p}`)])
  if (missing !== undefined) return `${missing} not found (Debian packages podman, conmon, runc, busybox-static, containernetworking-plugins)`
  return undefined
}

const reason = skipReason()
if (reason !== undefined) {
  t.plan(0, reason)
} else {
  t.test('two podman containers on two Loom nodes reach each other; rm leaves nothing', { timeout: 110_000 },
    async (t) => {
      const lab = new NetnsLab('rtpod')
      const runtimes: PrivatePodman[] = []
      const createdPaths = noteMachinePaths()
      t.teardown(async () => {
        for (const r of runtimes) await r.cleanup().catch(() => {})
        await lab.cleanup()
        removeMachinePaths(createdPaths)
      })
      const overlay = new OverlayLab(lab, { nodes: 2, podsPerNode: 0, encapsulation: 'udp' })
      await overlay.build()
      await overlay.startAll()
      const nodes = overlay.nodes as [LabNode, LabNode]
      const image = await buildBusyboxImage(lab.file('image'))

      for (const node of nodes) {
        const dirs = await prepareCniDirs(lab.file(`cni-${node.name}`), node.apiSocket)
        const pm = new PrivatePodman(node.ns, lab.file(`podman-${node.name}`), dirs)
        runtimes.push(pm)
        const info = await pm.podman(['info', '--format',
          '{{.Host.NetworkBackend}} {{.Host.CgroupManager}} {{.Store.GraphDriverName}}'])
        t.equal(info.code, 0, `podman info on ${node.name}: ${info.stderr}`)
        if (info.code === 0 && info.stdout.trim().split(' ')[0] !== 'cni') {
        // A podman built without CNI (netavark only) cannot run a CNI plugin at all.
          t.skip(`podman on ${node.name} runs the ${info.stdout.trim().split(' ')[0] ?? '?'} network backend, not cni: loom-cni cannot be used`, () => {})
          return
        }
        t.equal(info.stdout.trim(), 'cni cgroupfs vfs', `podman on ${node.name}: CNI backend, cgroupfs, vfs`)
        const load = await pm.podman(['load', '--input', image.archive], 60_000)
        t.equal(load.code, 0, `podman load on ${node.name}: ${load.stderr}`)
        t.match(load.stdout, `Loaded image: ${image.ref}`)
        const nets = await pm.podman(['network', 'ls', '--format', '{{.Name}} {{.Driver}}'])
        t.match(nets.stdout, /^loom loom-cni$/m,
        `podman sees network "loom" from 10-loom.conflist on ${node.name}: ${nets.stdout}${nets.stderr}`)
      }
      const before = await Promise.all(nodes.map((n) => nodeNetState(lab, n.ns)))
      t.same(before.map((s) => s.hostVeths), [[], []], 'no host veths before')

      const names = ['c1', 'c2']
      const ids: string[] = []
      const addrs: string[] = []
      const sandboxes: string[] = []
      for (let i = 0; i < 2; i++) {
        const pm = runtimes[i]!
        const r = await pm.podman(['run', '-d', '--name', names[i]!, '--network', 'loom', image.ref, 'sleep', '300'],
          60_000)
        t.equal(r.code, 0, `podman run ${names[i]!} on ${nodes[i]!.name}: ${r.stderr}`)
        if (r.code !== 0) return
        ids.push(r.stdout.trim())
        let addr: string | undefined
        await waitFor(`${names[i]!} to have an eth0 address`, async () => {
          addr = parseIPv4((await pm.podman(['exec', names[i]!, 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'],
            15_000)).stdout)
          return addr !== undefined
        }, 20_000, 300)
        addrs.push(addr!)
        const inspect = await pm.podman(['inspect', '--format',
          '{{.NetworkSettings.SandboxKey}} {{(index .NetworkSettings.Networks "loom").IPAddress}}', names[i]!])
        const [sandbox, inspectIP] = inspect.stdout.trim().split(' ')
        t.equal(inspectIP, addr, `podman inspect reports the CNI result's address for ${names[i]!}`)
        sandboxes.push(sandbox ?? '')
      }
      t.match(addrs[0], /^10\.244\.1\.\d+$/, `c1 on node1 has a node1 pod address (${addrs[0]})`)
      t.match(addrs[1], /^10\.244\.2\.\d+$/, `c2 on node2 has a node2 pod address (${addrs[1]})`)

      for (let i = 0; i < 2; i++) {
        const held = await listAttachments(nodes[i]!.apiSocket)
        t.same(held.map((a) => [a.containerID, a.ifname, a.address]), [[ids[i], 'eth0', addrs[i]]],
        `agent on ${nodes[i]!.name} holds ${names[i]!}/eth0 = ${addrs[i]!}`)
        const st = await nodeNetState(lab, nodes[i]!.ns)
        t.same(st.hostVeths, [hostVethName(ids[i]!, 'eth0')], `host veth of ${names[i]!} on ${nodes[i]!.name}`)
        t.same(hostRoutes(st.routes), [`${addrs[i]!} dev ${hostVethName(ids[i]!, 'eth0')} scope link`],
        `one /32 route on ${nodes[i]!.name}`)
        t.ok(existsSync(sandboxes[i]!), `container netns ${sandboxes[i]!} exists`)
      }

      for (const [from, to] of [[0, 1], [1, 0]] as const) {
        const ping = await runtimes[from]!.podman(['exec', names[from]!, 'ping', '-c', '3', '-W', '2', addrs[to]!],
          20_000)
        t.equal(ping.code, 0, `${names[from]!} pings ${names[to]!} (${addrs[to]!}): ${ping.stdout}${ping.stderr}`)
        t.match(ping.stdout, /3 packets transmitted, 3 packets received, 0% packet loss/)
      }

      for (let i = 0; i < 2; i++) {
        const stop = await runtimes[i]!.podman(['stop', '--time', '1', names[i]!], 30_000)
        t.equal(stop.code, 0, `podman stop ${names[i]!}: ${stop.stderr}`)
        const rm = await runtimes[i]!.podman(['rm', names[i]!], 30_000)
        t.equal(rm.code, 0, `podman rm ${names[i]!}: ${rm.stderr}`)
        t.equal((await runtimes[i]!.podman(['ps', '-a', '-q'])).stdout.trim(), '',
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
        t.notOk(existsSync(sandboxes[i]!), `container netns ${sandboxes[i]!} removed`)
      }
    })
}
