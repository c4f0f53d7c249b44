/**
 * Five real loomd nodes in gossip mode (no `peers`): they join from one seed (node1, which founds
 * the cluster), claim IPAM blocks, and route pod traffic using routes learned from gossip.
 * Then:
 *   - kill -9 node5: every other node drops its routes within the failure-detection bound;
 *   - restart node5 with its state: same node ID, same blocks, same allocation, traffic again;
 *   - kill -9 node4 and leave it dead past the grace period: its blocks are reclaimed exactly
 *     once (one REMOVE in the replicated log), no live node routes to it, and no block is owned
 *     by two nodes in any node's view.
 *
 *   n1 (seed, founder) ─┐
 *   n2 ─ n3 ─ n4 ─ n5 ──┴── br0 in ns "sw"     every node: loomd --config {seeds: [198.18.0.1]}
 */
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { apiRequest, LabNode, OverlayLab } from './lib/overlay-lab'
import type { StatusDocument } from '../../agent/types'

const RECLAIM_AFTER_SECONDS = 20
/**
 * rmpeer waits 2 leases (lease = grace / 2.2 = ~9 s here) instead of "dead for the grace period,
 * then the grace period again" (>= 40 s): it must finish well inside the automatic path.
 */
const RMPEER_BOUND_MS = 30_000
/** memberlist-style detection at 5 nodes: ~1-2 s to suspect, 4-24 s suspicion, plus gossip. */
const FAILURE_DETECTION_BOUND_MS = 35_000

async function status (node: LabNode): Promise<StatusDocument> {
  const r = await apiRequest(node.apiSocket, 'GET', '/v1/status')
  if (r.status !== 200) throw new Error(`status of ${node.name}: ${r.status}`)
  return r.body as StatusDocument
}

t.test('5 gossip nodes: join, IPAM, routes, crash, restart, reclaim', { skip: isRoot() ? false : SKIP_NOT_ROOT },
  async (t) => {
    const lab = new NetnsLab('gsp')
    t.teardown(() => lab.cleanup())
    const overlay = new OverlayLab(lab,
      { nodes: 5, podsPerNode: 0, encapsulation: 'udp', gossip: { reclaimAfterSeconds: RECLAIM_AFTER_SECONDS } })
    await overlay.build()
    await overlay.startAll()
    const nodes = overlay.nodes

    await waitFor('every node to see 4 alive peers', async () => {
      for (const n of nodes) {
        const s = await status(n)
        if (s.peers.filter((p) => p.state === 'alive').length !== 4) return false
      }
      return true
    }, 30_000, 250)
    t.pass('membership converged: 5 alive everywhere')

    // A joining node serves ADD once the cluster has admitted it to IPAM (until then: 503 -> CNI 11).
    await waitFor('every agent ready to serve ADD', async () => {
      for (const n of nodes) if ((await apiRequest(n.apiSocket, 'GET', '/v1/ready')).status !== 200) return false
      return true
    }, 30_000, 250)

    // One pod per node, addressed by the agent's IPAM (as loom-cni would ask).
    for (const n of nodes) await overlay.addPodFromAgent(n, 1, 1460)
    const addresses = nodes.map((n) => n.pods[0].address)
    t.equal(new Set(addresses).size, 5, `5 distinct pod addresses: ${addresses.join(' ')}`)
    for (const a of addresses) t.match(a, /^10\.244\.\d+\.\d+$/, 'inside the cluster CIDR')

    const blocksBefore = new Map<string, string[]>()
    await waitFor('routes to every other node everywhere', async () => {
      for (const n of nodes) {
        const s = await status(n)
        const via = new Set(s.routes.map((r) => r.nodeName))
        if (via.size !== 4) return false
        blocksBefore.set(n.name, s.ipam.blocks.filter((b) => b.nodeName === n.name).map((b) => b.prefix).sort())
      }
      return true
    }, 30_000, 250)
    for (const a of nodes) {
      for (const b of nodes) {
        if (a === b) continue
        const p = await overlay.ping(a.pods[0], b.pods[0].address, 2)
        t.ok(p.ok, `ping ${a.name} -> ${b.name} over routes learned from gossip`, { output: p.output })
      }
    }

    // The control-plane and IPAM metrics are exported and lint clean.
    const metrics = await lab.execOk(nodes[0].ns, [process.execPath, '-e',
      "require('http').get('http://127.0.0.1:9784/metrics',r=>{let b='';r.on('data',c=>b+=c);r.on('end',()=>process.stdout.write(b))})"])
    t.match(metrics, /loom_control_members\{state="alive"\} 5/, 'members by state')
    t.match(metrics, /loom_ipam_blocks_owned [1-9]/, 'blocks owned')
    t.match(metrics, /loom_ipam_unreachable_ratio 0/, 'no unreachable owners')
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' })
    if (lint.error === undefined) {
      t.equal(`${lint.stdout}${lint.stderr}`.trim(), '',
        'promtool check metrics reports nothing')
    }

    // kill -9 node5: its routes disappear from every other node within the bound.
    const n5 = nodes[4]
    const s5 = await status(n5)
    const killedAt = Date.now()
    await overlay.stopDaemon(n5, 'SIGKILL')
    await waitFor('node5 routes to disappear everywhere', async () => {
      for (const n of nodes.slice(0, 4)) {
        const s = await status(n)
        if (s.routes.some((r) => r.nodeName === n5.name)) return false
      }
      return true
    }, FAILURE_DETECTION_BOUND_MS, 250)
    const detectedMs = Date.now() - killedAt
    t.ok(detectedMs < FAILURE_DETECTION_BOUND_MS, `node5's routes removed from all nodes after ${detectedMs} ms`)

    // Restart node5 with its state: same identity, blocks and allocation; traffic resumes.
    overlay.startDaemon(n5)
    await overlay.waitReady(n5)
    const s5b = await status(n5)
    t.equal(s5b.node.nodeId, s5.node.nodeId, 'same node ID after restart')
    const alloc = await apiRequest(n5.apiSocket, 'GET', `/v1/cni/attachment?containerID=${n5.name}-pod1&ifname=eth0`)
    t.equal((alloc.body as { address: string }).address, n5.pods[0].address,
      'same pod allocation after kill -9 and restart')
    await waitFor('traffic to node5 again', async () => (await overlay.ping(nodes[0].pods[0], n5.pods[0].address, 1)).ok,
      FAILURE_DETECTION_BOUND_MS, 500)
    const after = await status(n5)
    t.same(after.ipam.blocks.filter((b) => b.nodeName === n5.name).map((b) => b.prefix).sort().slice(0,
      blocksBefore.get(n5.name)?.length),
    blocksBefore.get(n5.name), 'node5 still owns the blocks it had')

    // node4 dies for good: after the grace period its blocks are reclaimed exactly once.
    const n4 = nodes[3]
    const n4Id = (await status(n4)).node.nodeId
    const n4Blocks = blocksBefore.get(n4.name) ?? []
    t.ok(n4Blocks.length > 0, `node4 owned ${n4Blocks.join(',')}`)
    await overlay.stopDaemon(n4, 'SIGKILL')
    const live = [nodes[0], nodes[1], nodes[2], nodes[4]]
    await waitFor('node4 to be removed from IPAM on every live node', async () => {
      for (const n of live) {
        const s = await status(n)
        if (s.ipam.blocks.some((b) => b.nodeName === n4.name || b.nodeName === n4Id)) return false
        if (s.ipam.detail?.nodes.some((x) => x.node === n4Id)) return false
      }
      return true
    }, (RECLAIM_AFTER_SECONDS * 3 + 30) * 1000, 1000)
    t.pass('node4 removed and its blocks released on every live node')

    // Exactly once: every live node holds the same owner for every block (one log, one REMOVE).
    const views = await Promise.all(live.map(async (n) => (await status(n)).ipam.blocks.map((b) => `${b.prefix}=${b.nodeName}`).sort().join(',')))
    t.equal(new Set(views).size, 1, 'all live nodes agree on every block owner')
    // Across nodes, not within one view (where each block appears once and a double cannot show):
    // every live node's own list of the blocks IT owns, and every node's view of every owner.
    const owners = new Map<string, string>()
    let doubles = 0
    for (const n of live) {
      const s = await status(n)
      for (const b of s.ipam.detail?.ownedBlocks ?? []) {
        if (owners.has(b.cidr) && owners.get(b.cidr) !== n.name) {
          doubles++; t.fail(`${b.cidr} is owned by ${owners.get(b.cidr)} and ${n.name}`)
        }
        owners.set(b.cidr, n.name)
      }
      for (const b of s.ipam.blocks) {
        const owner = b.nodeName
        if (owners.has(b.prefix) && owners.get(b.prefix) !== owner) {
          doubles++; t.fail(`${n.name} sees ${b.prefix} owned by ${owner}, not ${owners.get(b.prefix)}`)
        }
        owners.set(b.prefix, owner)
      }
    }
    t.ok(owners.size > 0, `${owners.size} blocks compared across ${live.length} nodes`)
    t.equal(doubles, 0, 'no block is owned by two nodes')

    // A new pod can still be placed and reached after the reclaim.
    const pod = await overlay.addPodFromAgent(nodes[1], 2, 1460)
    t.notOk(addresses.includes(pod.address), `new pod ${pod.address} reuses no live address`)
    await waitFor('ping to the new pod', async () => (await overlay.ping(nodes[2].pods[0], pod.address, 1)).ok, 15_000,
      500)
    t.pass('traffic to a pod placed after the reclaim')

    const cli = await overlay.loom(nodes[0], ['rmpeer', 'node-that-does-not-exist'])
    t.equal(cli.code, 1)
    t.match(cli.stderr, /no member named node-that-does-not-exist/)

    // `loom rmpeer` forces the reclaim of a dead node without waiting for the grace period; twice is fine.
    const n5Id = (await status(n5)).node.nodeId
    await overlay.stopDaemon(n5, 'SIGKILL')
    const rest = [nodes[0], nodes[1], nodes[2]]
    await waitFor('node5 to be seen dead', async () => {
      const s = await status(nodes[0])
      return s.peers.some((p) => p.nodeName === n5.name && p.state === 'dead')
    }, FAILURE_DETECTION_BOUND_MS, 250)
    const forcedAt = Date.now()
    for (let i = 0; i < 2; i++) {
      const r = await overlay.loom(nodes[0], ['rmpeer', n5.name])
      t.equal(r.code, 0, `rmpeer ${n5.name} (call ${i + 1})`)
      t.match(r.stdout, /reclaiming the blocks of node5/)
    }
    await waitFor('node5 removed from IPAM everywhere after rmpeer', async () => {
      for (const n of rest) {
        const s = await status(n)
        if (s.ipam.detail?.nodes.some((x) => x.node === n5Id)) return false
      }
      return true
    }, RMPEER_BOUND_MS, 500)
    t.ok(Date.now() - forcedAt < RMPEER_BOUND_MS,
    `rmpeer reclaimed node5 in ${Date.now() - forcedAt} ms (automatic reclaim: >= ${2 * RECLAIM_AFTER_SECONDS} s after death)`)
  })
