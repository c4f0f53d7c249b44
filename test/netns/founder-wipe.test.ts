/**
 * A first seed whose whole state directory was wiped (a reinstalled machine) must not found a
 * second cluster: its other seeds remember it, so it joins as a new node ID, and the pods it
 * addresses next never get an address the cluster has given out. Before agent/seed-probe.ts it
 * founded a new cluster (another cluster ID, blocks of its own choosing) beside the old one.
 *
 * Also checks the other side of the rule: three fresh nodes whose seed list is node1, node2
 * still form one cluster (node1 founds, even if node2 answers it first).
 *
 *   node ns n1 (first seed), n2 (second seed), n3 ── sw   (gossip mode, real loomd)
 */
import t from 'tap'
import { rmSync, readFileSync } from 'node:fs'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { apiRequest, LabNode, OverlayLab } from './lib/overlay-lab'

interface IpamDetail {
  self: string; clusterId: string | null; member: boolean; nodes: Array<{ node: string; blocks: string[] }>
}

async function ipamOf (node: LabNode): Promise<IpamDetail> {
  const r = await apiRequest(node.apiSocket, 'GET', '/v1/status')
  return (r.body as { ipam: { detail: IpamDetail } }).ipam.detail
}

async function add (node: LabNode, containerID: string): Promise<string> {
  const r = await apiRequest(node.apiSocket, 'POST', '/v1/cni/add', { containerID, ifname: 'eth0' })
  if (r.status !== 200) throw new Error(`ADD ${containerID} on ${node.name}: ${JSON.stringify(r.body)}`)
  return (r.body as { address: string }).address
}

const inBlock = (address: string, cidr: string): boolean => {
  const [net, len] = cidr.split('/')
  const n = (s: string): number => s.split('.').reduce((a, o) => a * 256 + Number(o), 0)
  const size = 2 ** (32 - Number(len))
  return Math.floor(n(address) / size) === Math.floor(n(net!) / size)
}

if (!isRoot()) {
  t.plan(0, SKIP_NOT_ROOT)
} else {
  t.test('a wiped first seed rejoins its cluster instead of founding another', async (t) => {
    const lab = new NetnsLab('fwipe')
    t.teardown(() => lab.cleanup())
    const overlay = new OverlayLab(lab, {
      nodes: 3,
      podsPerNode: 0,
      encapsulation: 'udp',
      logLevel: 'info',
      gossip: {},
      extraConfig: () => ({ seeds: ['198.18.0.1', '198.18.0.2'] }),
    })
    await overlay.build()
    // node2 and node3 first, so node1 finds node2 already answering (and knowing node3).
    const [n1, n2, n3] = overlay.nodes as [LabNode, LabNode, LabNode]
    overlay.startDaemon(n2)
    overlay.startDaemon(n3)
    await overlay.waitReady(n2)
    await overlay.waitReady(n3)
    overlay.startDaemon(n1)
    await overlay.waitReady(n1)
    let cluster = ''
    await waitFor('one cluster of 3 IPAM members', async () => {
      const views = await Promise.all([n1, n2, n3].map(ipamOf))
      cluster = views[0]!.clusterId ?? ''
      return cluster !== '' && views.every((v) => v.member && v.clusterId === cluster && v.nodes.length === 3)
    }, 40_000, 250)
    t.pass(`fresh nodes seeded by node1, node2 formed one cluster (${cluster})`)

    const held = new Map<string, string>()
    for (const node of [n1, n2, n3]) {
      for (let k = 0; k < 3; k++) held.set(`${node.name}-a${k}`, await add(node, `${node.name}-a${k}`))
    }
    const oldId = (await ipamOf(n1)).self

    await overlay.stopDaemon(n1, 'SIGKILL')
    rmSync(lab.file(`state-${n1.name}`), { recursive: true, force: true })
    overlay.startDaemon(n1)
    await overlay.waitReady(n1, 20_000)
    t.match(readFileSync(lab.file(`loomd-${n1.name}.log`), 'utf8'), /knows this node from an earlier life/,
      'loomd says why it joins')
    await waitFor('wiped node1 to become an IPAM member of the old cluster', async () => {
      const v = await ipamOf(n1)
      return v.member
    }, 40_000, 250)
    const after = await ipamOf(n1)
    t.equal(after.clusterId, cluster, 'same cluster ID as before: no second cluster founded')
    t.not(after.self, oldId, 'a new node ID (the old one keeps its Paxos promises)')
    const view2 = await ipamOf(n2)
    t.ok(view2.nodes.some((m) => m.node === after.self), 'node2 lists the new node ID as a member')
    t.ok(view2.nodes.some((m) => m.node === oldId), 'and still the old one, until it is reclaimed')

    // Addresses the rejoined node gives out lie in blocks nobody else holds and are not in use.
    const oldBlocks = view2.nodes.filter((m) => m.node !== after.self).flatMap((m) => m.blocks)
    for (let k = 0; k < 4; k++) {
      const a = await add(n1, `${n1.name}-b${k}`)
      t.notOk([...held.values()].includes(a), `${a} is not held by another attachment`)
      t.notOk(oldBlocks.some((b) => inBlock(a, b)),
        `${a} lies in none of the blocks of other node IDs (${oldBlocks.join(', ')})`)
      held.set(`${n1.name}-b${k}`, a)
    }
  })
}
