/**
 * Regression tests for issue 10's CNI cases, through the loom-cni shim against a real loomd, as
 * a buggy runtime or a careless operator would call it. Each failed on the Node.js plugin:
 * - three parallel ADDs of one attachment: one reported success while another's rollback had
 *   released its address and deleted its veth (and after a restart the address went to the next
 *   pod). Now every reported success has a record, and no address is ever on two live pods,
 *   also after `kill -9` and a restart of loomd;
 * - GC without `cni.dev/valid-attachments` released every attachment and deleted every veth;
 *   now it is code 7 and nothing is removed. GC with a list spares attachments younger than
 *   `cni.gcGraceSeconds`;
 * - a FIFO as CNI_NETNS hung the plugin in open(2); now it is code 3 at once and loomd keeps
 *   serving. A mount namespace as CNI_NETNS is code 3 too;
 * - a deeply nested prevResult gave code 100 (stack overflow); now 7.
 *
 *   pod namespaces r<i>, f, ... ── veths ── node ns "n1" (loomd, static mode) ── sw
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { AgentClient } from '../../cni/agent-client'
import { hostVethName } from '../../lib'
import { isRoot, NetnsLab, SKIP_NOT_ROOT } from './lib/netns-lab'
import { LabNode, OverlayLab } from './lib/overlay-lab'
import { execPlugin } from './fixtures/cni-exec'

const ROUNDS = 12
const nsPath = (ns: string): string => `/var/run/netns/${ns}`

if (!isRoot()) {
  t.plan(0, SKIP_NOT_ROOT)
} else {
  t.test('hostile CNI callers against one loomd', async (t) => {
    const lab = new NetnsLab('cnihost')
    t.teardown(() => lab.cleanup())
    const overlay = new OverlayLab(lab, { nodes: 1, podsPerNode: 0, encapsulation: 'udp', logLevel: 'warn' })
    await overlay.build()
    await overlay.startAll()
    const n1 = overlay.nodes[0] as LabNode
    const conf = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
      ({ cniVersion: '1.1.0', name: 'loom', type: 'loom-cni', apiSocket: n1.apiSocket, ...extra })
    const agent = new AgentClient({ socketPath: n1.apiSocket })

    t.test('three concurrent ADDs of one attachment, many rounds, and a kill -9', async (t) => {
      const reported = new Map<string, string>() // containerID -> address reported to the "runtime"
      const pods = new Map<string, string>()
      for (let round = 0; round < ROUNDS; round++) {
        const pod = await lab.addNamespace(`r${round}`)
        const call = { containerID: `same-${round}`, netns: nsPath(pod), ifname: 'eth0' }
        pods.set(call.containerID, pod)
        const runs = await Promise.all([0, 1,
          2].map(() => execPlugin(n1.ns, 'loom-cni', { command: 'ADD', ...call }, conf())))
        for (const r of runs) {
          if (r.code !== 0) continue
          const address = String((r.json as { ips: Array<{ address: string }> }).ips[0]?.address).split('/')[0]!
          const held = await agent.attachment({ containerID: call.containerID, ifname: 'eth0' })
          if (held?.address !== address) t.fail(`round ${round}: ADD reported ${address} but the agent holds ${held?.address ?? 'nothing'}`)
          const prev = reported.get(call.containerID)
          if (prev !== undefined &&
            prev !== address) t.fail(`round ${round}: two successes with two addresses (${prev}, ${address})`)
          reported.set(call.containerID, address)
        }
        if (!reported.has(call.containerID)) t.fail(`round ${round}: no ADD succeeded: ${runs.map((r) => r.stdout).join(' | ')}`)
      }
      t.equal(reported.size, ROUNDS, 'every round reported a success')

      const live = async (): Promise<string[]> => {
        const out: string[] = []
        for (const pod of pods.values()) {
          const text = (await lab.exec(pod, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout
          const m = /inet (\S+)\/32/.exec(text)
          if (m !== null) out.push(m[1]!)
        }
        return out
      }
      const before = await live()
      t.same(before.sort(), [...reported.values()].sort(), 'each pod is live with exactly the address reported for it')

      await overlay.stopDaemon(n1, 'SIGKILL')
      overlay.startDaemon(n1)
      await overlay.waitReady(n1)
      for (const [cid, address] of reported) {
        const held = await agent.attachment({ containerID: cid, ifname: 'eth0' })
        if (held?.address !== address) t.fail(`${cid}: reported ${address}, held after restart: ${held?.address ?? 'nothing'}`)
      }
      // New pods after the restart never get an address that is live on another pod.
      const fresh: string[] = []
      for (let i = 0; i < 6; i++) {
        const pod = await lab.addNamespace(`after${i}`)
        const r = await execPlugin(n1.ns, 'loom-cni',
          { command: 'ADD', containerID: `after-${i}`, netns: nsPath(pod), ifname: 'eth0' }, conf())
        t.equal(r.code, 0, `ADD after the restart: ${r.stdout}`)
        fresh.push(String((r.json as { ips: Array<{ address: string }> } | undefined)?.ips[0]?.address).split('/')[0]!)
      }
      const all = [...await live(), ...fresh]
      t.equal(new Set(all).size, all.length, `no address on two pods (${all.join(', ')})`)
    })

    t.test('GC without the valid list: code 7, nothing removed; with a list: young attachments spared', async (t) => {
      const pod = await lab.addNamespace('gc')
      const add = await execPlugin(n1.ns, 'loom-cni',
        { command: 'ADD', containerID: 'gc-young', netns: nsPath(pod), ifname: 'eth0' }, conf())
      t.equal(add.code, 0)
      const before = await agent.attachment({ containerID: 'gc-young', ifname: 'eth0' })
      const gc = await execPlugin(n1.ns, 'loom-cni', { command: 'GC' }, conf())
      t.equal(gc.code, 1)
      t.equal(gc.json?.code, 7, String(gc.json?.msg))
      t.same(await agent.attachment({ containerID: 'gc-young', ifname: 'eth0' }), before,
        'the attachment is still held')
      t.equal((await lab.exec(n1.ns, ['ip', 'link', 'show', hostVethName('gc-young', 'eth0')])).code, 0,
        'its veth is still there')
      t.equal((await lab.exec(n1.ns, ['ip', 'link', 'show', hostVethName('same-0', 'eth0')])).code, 0,
        'and every other pod\'s')

      const listed = await execPlugin(n1.ns, 'loom-cni', { command: 'GC' }, conf({ 'cni.dev/valid-attachments': [] }))
      t.equal(listed.code, 0, `GC with an empty list: ${listed.stdout}`)
      t.same(await agent.attachment({ containerID: 'gc-young', ifname: 'eth0' }), before,
        'an attachment younger than the 60 s grace period survives')
      t.equal((await lab.exec(n1.ns, ['ip', 'link', 'show', hostVethName('gc-young', 'eth0')])).code, 0)
    })

    t.test('a FIFO or a mount namespace as CNI_NETNS: code 3 at once, nothing allocated, loomd keeps serving',
      async (t) => {
        const fifo = lab.file('netns-fifo')
        execFileSync('mkfifo', [fifo])
        for (const command of ['ADD', 'CHECK'] as const) {
          const started = Date.now()
          const r = await execPlugin(n1.ns, 'loom-cni', { command, containerID: 'fifo', netns: fifo, ifname: 'eth0' },
            conf(command === 'CHECK'
              ? {
                  prevResult: {
                    interfaces: [{ name: 'eth0', sandbox: fifo }], ips: [{ address: '10.244.1.9/32', interface: 0 }]
                  }
                }
              : {}), 10_000)
          t.equal(r.json?.code, command === 'ADD' ? 3 : 102, `${command}: ${r.stdout}`)
          t.ok(Date.now() - started < 5000, `${command} answered in ${Date.now() - started} ms`)
        }
        t.equal(await agent.attachment({ containerID: 'fifo', ifname: 'eth0' }), null, 'nothing allocated')
        const mnt = await execPlugin(n1.ns, 'loom-cni',
          { command: 'ADD', containerID: 'mntns', netns: '/proc/self/ns/mnt', ifname: 'eth0' }, conf())
        t.equal(mnt.json?.code, 3, String(mnt.json?.msg))
        t.equal(await agent.attachment({ containerID: 'mntns', ifname: 'eth0' }), null, 'nothing left allocated')
        const pod = await lab.addNamespace('afterfifo')
        const ok = await execPlugin(n1.ns, 'loom-cni',
          { command: 'ADD', containerID: 'after-fifo', netns: nsPath(pod), ifname: 'eth0' }, conf())
        t.equal(ok.code, 0, 'the agent still serves ADD')
      })

    t.test('a deeply nested prevResult: code 7, not 100', async (t) => {
      const deep = JSON.stringify(conf({ prevResult: { interfaces: [] } })).replace('"interfaces":[]',
        `"interfaces":[${'['.repeat(200_000)}${']'.repeat(200_000)}]`)
      for (const command of ['ADD', 'CHECK', 'DEL'] as const) {
        const r = await execPlugin(n1.ns, 'loom-cni',
          { command, containerID: 'deep', netns: nsPath(overlay.lab.ns('gc')), ifname: 'eth0' }, deep)
        t.equal(r.json?.code, 7, `${command}: ${String(r.json?.msg)}`)
      }
      t.equal(await agent.attachment({ containerID: 'deep', ifname: 'eth0' }), null)
    })
  })
}
