/**
 * loom-cni run as a runtime runs it (env + stdin, in the node's namespace) against real loomd.
 *
 *   pod ns "c1" eth0 10.244.1.x/32            pod ns "c2" eth0 10.244.2.x/32
 *       | veth lxc... (made by loom-cni)          | veth lxc...
 *   node ns "n1" loom0 ── loomd               node ns "n2" loom0 ── loomd
 *       eth0 198.18.0.1 ─── switch ns "sw" br0 ─── eth0 198.18.0.2
 *
 * The CNI ptp script (CONTRIBUTING.md §9): ADD, check the result, ping across nodes, CHECK, DEL, confirm
 * the veth, the /32 route and the allocation are gone, DEL again (also with an empty and a
 * missing CNI_NETNS). Then a failed ADD (CNI_IFNAME already present) leaves nothing behind.
 */
import t from 'tap'
import { AgentClient } from '../../cni/agent-client'
import { hostVethName } from '../../lib'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { LabNode, OverlayLab } from './lib/overlay-lab'
import { execPlugin, PluginRun } from './fixtures/cni-exec'

if (!isRoot()) {
  t.plan(0, SKIP_NOT_ROOT)
} else {
  t.test('loom-cni ADD / ping / CHECK / DEL / DEL on two loomd nodes', async (t) => {
    const lab = new NetnsLab('cni')
    t.teardown(() => lab.cleanup())
    // GC below collects an attachment made a moment earlier: no grace period on these nodes.
    const overlay = new OverlayLab(lab, { nodes: 2, podsPerNode: 0, encapsulation: 'udp', cniGcGraceSeconds: 0 })
    await overlay.build()
    await overlay.startAll()
    const [n1, n2] = overlay.nodes as [LabNode, LabNode]

    const conf = (node: LabNode, extra: Record<string, unknown> = {}): Record<string, unknown> =>
      ({ cniVersion: '1.1.0', name: 'loom', type: 'loom-cni', apiSocket: node.apiSocket, ...extra })
    const nsPath = (ns: string): string => `/var/run/netns/${ns}`
    const agent = (node: LabNode): AgentClient => new AgentClient({ socketPath: node.apiSocket })

    const c1 = await lab.addNamespace('c1')
    const c2 = await lab.addNamespace('c2')
    const add1 = await execPlugin(n1.ns, 'loom-cni',
      {
        command: 'ADD',
        containerID: 'ctr-one',
        netns: nsPath(c1),
        ifname: 'eth0',
        args: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=one'
      }, conf(n1))
    t.equal(add1.code, 0, `ADD on node1 succeeds: ${add1.stdout}${add1.stderr}`)
    const add2 = await execPlugin(n2.ns, 'loom-cni',
      { command: 'ADD', containerID: 'ctr-two', netns: nsPath(c2), ifname: 'eth0' }, conf(n2))
    t.equal(add2.code, 0, `ADD on node2 succeeds: ${add2.stdout}${add2.stderr}`)
    const r1 = add1.json as {
      cniVersion: string,
      interfaces: Array<Record<string, unknown>>,
      ips: Array<Record<string, unknown>>,
      routes: unknown[]
    }
    const r2 = add2.json as typeof r1
    const veth1 = hostVethName('ctr-one', 'eth0')
    t.equal(r1.cniVersion, '1.1.0')
    t.equal(r1.interfaces.length, 2)
    t.same(r1.interfaces[0], { name: veth1, mac: r1.interfaces[0]?.mac, mtu: 1460 })
    t.match(r1.interfaces[1], { name: 'eth0', mtu: 1460, sandbox: nsPath(c1) })
    t.match(String(r1.ips[0]?.address), /^10\.244\.1\.\d+\/32$/)
    t.equal(r1.ips[0]?.gateway, '169.254.1.1')
    t.equal(r1.ips[0]?.interface, 1)
    t.same(r1.routes, [{ dst: '0.0.0.0/0', gw: '169.254.1.1' }])
    t.match(String(r2.ips[0]?.address), /^10\.244\.2\.\d+\/32$/)
    const a1 = String(r1.ips[0]?.address).split('/')[0]!
    const a2 = String(r2.ips[0]?.address).split('/')[0]!

    // The pod side as wired: MAC in the result matches the kernel, MTU, permanent neighbour.
    t.equal((await lab.execOk(c1, ['cat', '/sys/class/net/eth0/address'])).trim(), r1.interfaces[1]?.mac)
    t.equal((await lab.execOk(c1, ['cat', '/sys/class/net/eth0/mtu'])).trim(), '1460')
    t.match(await lab.execOk(c1, ['ip', 'neigh', 'show', '169.254.1.1']),
      new RegExp(`lladdr ${String(r1.interfaces[0]?.mac)} PERMANENT`))
    t.equal((await lab.execOk(n1.ns, ['cat', `/proc/sys/net/ipv4/conf/${veth1}/proxy_arp`])).trim(), '1')

    // Pod to pod across nodes, and each pod to its node's gateway path.
    const ping = await overlay.ping({ ns: c1, address: a1, hostVeth: veth1 }, a2, 3)
    t.ok(ping.ok, `c1 (${a1}) pings c2 (${a2}) across the overlay:\n${ping.output}`)

    const call1 = { containerID: 'ctr-one', netns: nsPath(c1), ifname: 'eth0' }
    const check = await execPlugin(n1.ns, 'loom-cni', { command: 'CHECK', ...call1 }, conf(n1, { prevResult: r1 }))
    t.equal(check.code, 0, `CHECK passes right after ADD: ${check.stdout}`)
    // A CHECK whose prevResult names another address fails with our code 102.
    const bad = JSON.parse(JSON.stringify(r1)) as typeof r1
    bad.ips[0]!.address = '10.244.1.250/32'
    const badCheck = await execPlugin(n1.ns, 'loom-cni', { command: 'CHECK', ...call1 }, conf(n1, { prevResult: bad }))
    t.equal(badCheck.code, 1)
    t.equal(badCheck.json?.code, 102, String(badCheck.json?.msg))

    // A retried ADD (same attachment) returns the same address.
    const again = await execPlugin(n1.ns, 'loom-cni', { command: 'ADD', ...call1 }, conf(n1))
    t.equal(again.code, 0, `retried ADD succeeds: ${again.stdout}`)
    t.equal((again.json as typeof r1).ips[0]?.address, `${a1}/32`)

    const del = await execPlugin(n1.ns, 'loom-cni', { command: 'DEL', ...call1 }, conf(n1, { prevResult: r1 }))
    t.equal(del.code, 0, `DEL succeeds: ${del.stdout}`)
    t.equal(del.stdout, '', 'DEL prints nothing')
    // DEL answers once the host veth is down (the /32 route goes with it); its deletion follows
    // off the answer's path (cni/veth-reaper.ts), so the links are waited for.
    const shown = await lab.exec(n1.ns, ['ip', '-o', 'link', 'show', veth1])
    t.ok(shown.code !== 0 || !/[<,]UP[,>]/.test(shown.stdout), `host veth is down or gone once DEL answers: ${shown.stdout}`)
    t.equal((await lab.execOk(n1.ns, ['ip', 'route', 'show', `${a1}/32`])).trim(), '', 'host /32 route is gone')
    await waitFor('the host veth to be deleted', async () => (await lab.exec(n1.ns, ['ip', 'link', 'show', veth1])).code !== 0, 3000, 20)
    t.pass('host veth is gone')
    t.equal((await lab.exec(c1, ['ip', 'link', 'show', 'eth0'])).code !== 0, true, 'pod eth0 is gone')
    t.equal(await agent(n1).attachment({ containerID: 'ctr-one', ifname: 'eth0' }), null, 'allocation released')

    const expectOk = (r: PluginRun, what: string): void => { t.equal(r.code, 0, `${what}: ${r.stdout}${r.stderr}`) }
    expectOk(await execPlugin(n1.ns, 'loom-cni', { command: 'DEL', ...call1 }, conf(n1)), 'DEL again succeeds')
    expectOk(await execPlugin(n1.ns, 'loom-cni', { command: 'DEL', ...call1, netns: '' }, conf(n1)),
      'DEL with empty CNI_NETNS succeeds')
    expectOk(await execPlugin(n1.ns, 'loom-cni', { command: 'DEL', ...call1, netns: '/var/run/netns/loom-cni-gone' },
      conf(n1)), 'DEL with a missing netns succeeds')
    const checkGone = await execPlugin(n1.ns, 'loom-cni', { command: 'CHECK', ...call1 }, conf(n1, { prevResult: r1 }))
    t.equal(checkGone.json?.code, 102, 'CHECK after DEL reports the missing allocation')

    // STATUS (1.1.0) on a ready agent: exit 0, no output. With no agent: 50.
    const status = await execPlugin(n1.ns, 'loom-cni', { command: 'STATUS' }, conf(n1))
    t.equal(status.code, 0, `STATUS: ${status.stdout}`)
    t.equal(status.stdout, '')
    const noAgent = await execPlugin(n1.ns, 'loom-cni', { command: 'STATUS' },
      conf(n1, { apiSocket: lab.file('missing.sock') }))
    t.equal(noAgent.json?.code, 50)

    // ADD into a namespace that does not exist: code 3, nothing allocated.
    const noNs = await execPlugin(n1.ns, 'loom-cni',
      { command: 'ADD', containerID: 'ctr-nons', netns: '/var/run/netns/loom-cni-none', ifname: 'eth0' }, conf(n1))
    t.equal(noNs.json?.code, 3, String(noNs.json?.msg))
    t.equal(await agent(n1).attachment({ containerID: 'ctr-nons', ifname: 'eth0' }), null)

    // GC keeps ctr-two, and removes a stale attachment (allocated + wired, then "forgotten").
    const c3 = await lab.addNamespace('c3')
    const stale = await execPlugin(n2.ns, 'loom-cni',
      { command: 'ADD', containerID: 'ctr-stale', netns: nsPath(c3), ifname: 'eth0' }, conf(n2))
    t.equal(stale.code, 0)
    const gc = await execPlugin(n2.ns, 'loom-cni', { command: 'GC' },
      conf(n2,
        {
          'cni.dev/valid-attachments': [{ containerID: 'ctr-two', ifname: 'eth0' }],
          'cni.dev/attachments': [{ containerID: 'ctr-two', ifname: 'eth0' }]
        }))
    t.equal(gc.code, 0, `GC: ${gc.stdout}${gc.stderr}`)
    t.equal(await agent(n2).attachment({ containerID: 'ctr-stale', ifname: 'eth0' }), null,
      'GC released the stale address')
    t.equal((await lab.exec(n2.ns, ['ip', 'link', 'show', hostVethName('ctr-stale', 'eth0')])).code !== 0, true,
      'GC removed the stale host veth')
    t.not(await agent(n2).attachment({ containerID: 'ctr-two', ifname: 'eth0' }), null, 'GC kept the valid one')
    t.equal((await lab.exec(n2.ns, ['ip', 'link', 'show', hostVethName('ctr-two', 'eth0')])).code, 0,
      'valid host veth kept')
  })

  t.test('a failed ADD leaves nothing behind', async (t) => {
    const lab = new NetnsLab('cnifail')
    t.teardown(() => lab.cleanup())
    const overlay = new OverlayLab(lab, { nodes: 1, podsPerNode: 0, encapsulation: 'udp' })
    await overlay.build()
    await overlay.startAll()
    const n1 = overlay.nodes[0]!
    const pod = await lab.addNamespace('busy')
    await lab.execOk(pod, ['ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0peer'])
    const linksBefore = (await lab.execOk(n1.ns, ['ip', '-o', 'link', 'show'])).split('\n').length
    const routesBefore = await lab.execOk(n1.ns, ['ip', 'route', 'show'])
    const call = { containerID: 'ctr-busy', netns: `/var/run/netns/${pod}`, ifname: 'eth0' }
    const conf = { cniVersion: '1.0.0', name: 'loom', type: 'loom-cni', apiSocket: n1.apiSocket }
    const add = await execPlugin(n1.ns, 'loom-cni', { command: 'ADD', ...call }, conf)
    t.equal(add.code, 1)
    t.same(Object.keys(add.json ?? {}).sort(), ['cniVersion', 'code', 'msg'])
    t.equal(add.json?.cniVersion, '1.0.0')
    t.equal(add.json?.code, 103)
    t.match(String(add.json?.msg), /interface eth0 already exists in network namespace/)
    t.equal((await lab.execOk(n1.ns, ['ip', '-o', 'link', 'show'])).split('\n').length, linksBefore,
      'no host link left')
    t.equal(await lab.execOk(n1.ns, ['ip', 'route', 'show']), routesBefore, 'no host route left')
    t.equal(await new AgentClient({ socketPath: n1.apiSocket }).attachment({ containerID: 'ctr-busy', ifname: 'eth0' }),
      null, 'address released')
    t.match(await lab.execOk(pod, ['ip', '-o', 'link', 'show']), /eth0@eth0peer/, 'the existing eth0 untouched')
    const del = await execPlugin(n1.ns, 'loom-cni', { command: 'DEL', ...call }, conf)
    t.equal(del.code, 0, 'DEL after a failed ADD succeeds')
    t.equal((await lab.exec(pod, ['ip', 'link', 'show', 'eth0'])).code, 0,
      'DEL does not touch an interface it did not make')
  })
}
