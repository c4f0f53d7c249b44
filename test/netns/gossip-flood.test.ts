/**
 * A flooding neighbour on the underlay against a real loomd (regression: a 10 000-member
 * push-pull from anyone grew RSS from 72 to 356 MiB and timed the API out; 20 slow TCP streams
 * added 270 MiB). From node2's namespace an attacker sends, to node1's gossip port:
 *   1. 10 000-member push-pulls as a stranger (plain frames);
 *   2. the same sealed with the cluster secret (a member gone rogue): with the default
 *      gossip.maxMembers (5000) the decoder's pre-scan refuses the list before building any
 *      record;
 *   3. 20 slow streams announcing 4 MiB frames and trickling a byte every 100 ms.
 * Throughout, the local API must answer within 1 s and RSS must stay bounded; the slow streams
 * must be cut by the connection caps and the absolute frame deadline.
 *
 *   n1 (loomd, founder) ── br0 in ns "sw" ── n2 (attacker, no loomd)
 */
import t from 'tap'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { apiRequest, CLUSTER_CIDR, LabNode, OverlayLab, REPO_ROOT } from './lib/overlay-lab'
import type { StatusDocument } from '../../agent/types'

const ATTACKER = join(REPO_ROOT, 'dist', 'test', 'netns', 'fixtures', 'gossip-attacker.js')
const RSS_GROWTH_BOUND_MIB = 100
const API_BOUND_MS = 1000

function rssMiB (pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m === null ? NaN : Number(m[1]) / 1024
}

/** Polls the API every 100 ms while `work` runs; returns the slowest answer (ms) and peak RSS. */
async function watch (node: LabNode, work: Promise<unknown>): Promise<{ slowestMs: number, peakMiB: number }> {
  let done = false
  void work.finally(() => { done = true })
  let slowestMs = 0
  let peakMiB = 0
  // eslint-disable-next-line no-unmodified-loop-condition -- `done` is set by work.finally
  while (!done) {
    const t0 = Date.now()
    const r = await apiRequest(node.apiSocket, 'GET', '/v1/status')
    if (r.status !== 200) throw new Error(`status answered ${r.status}`)
    slowestMs = Math.max(slowestMs, Date.now() - t0)
    peakMiB = Math.max(peakMiB, rssMiB(node.daemon!.pid!))
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await work
  return { slowestMs, peakMiB }
}

t.test('member flood and slow streams: bounded memory, API within 1 s', { skip: isRoot() ? false : SKIP_NOT_ROOT },
  async (t) => {
    const lab = new NetnsLab('gfl')
    t.teardown(() => lab.cleanup())
    const overlay = new OverlayLab(lab, { nodes: 2, podsPerNode: 0, encapsulation: 'udp', gossip: {}, withoutLoomd: [2] })
    await overlay.build()
    const [n1, n2] = overlay.nodes
    await overlay.startAll()
    await waitFor('node1 ready', async () => (await apiRequest(n1.apiSocket, 'GET', '/v1/ready')).status === 200, 30_000,
      250)
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const base = rssMiB(n1.daemon!.pid!)
    const clusterId = createHash('sha256').update(`loom/${CLUSTER_CIDR}/26`).digest('hex').slice(0, 16)
    const attack = (args: string[]): Promise<string> => lab.execOk(n2.ns, [process.execPath, ATTACKER, ...args],
      { timeoutMs: 90_000 })
    const env = `LOOM_CLUSTER_ID=${clusterId}`

    const stranger = await watch(n1, attack(['flood', '198.18.0.1:6783', '-', '10']))
    t.comment(`stranger flood: slowest API ${stranger.slowestMs} ms, peak RSS ${stranger.peakMiB.toFixed(0)} MiB (base ${base.toFixed(0)})`)
    const member = await watch(n1,
      lab.execOk(n2.ns, ['env', env, process.execPath, ATTACKER, 'flood', '198.18.0.1:6783', overlay.secretFile, '10'],
        { timeoutMs: 90_000 }))
    t.comment(`member flood: slowest API ${member.slowestMs} ms, peak RSS ${member.peakMiB.toFixed(0)} MiB`)
    const s = (await apiRequest(n1.apiSocket, 'GET', '/v1/status')).body as StatusDocument
    t.equal(s.peers.length, 0, 'no flooded member in the table')
    let slowOut = ''
    const slow = await watch(n1, attack(['slow', '198.18.0.1:6783', '20']).then((o) => { slowOut = o }))
    t.comment(`slow streams: slowest API ${slow.slowestMs} ms, peak RSS ${slow.peakMiB.toFixed(0)} MiB; attacker: ${slowOut.trim()}`)
    const slowReport = JSON.parse(slowOut.trim().split('\n').pop() ?? '{}') as { closedByServer?: number }
    t.equal(slowReport.closedByServer, 20, 'every slow stream was cut by the server (caps, then the frame deadline)')

    for (const [what, r] of [['stranger flood', stranger], ['member flood', member], ['slow streams', slow]] as const) {
      t.ok(r.slowestMs < API_BOUND_MS, `${what}: API answered within ${API_BOUND_MS} ms (slowest ${r.slowestMs} ms)`)
      t.ok(r.peakMiB < base + RSS_GROWTH_BOUND_MIB,
      `${what}: RSS ${r.peakMiB.toFixed(0)} MiB < ${base.toFixed(0)} + ${RSS_GROWTH_BOUND_MIB} MiB`)
    }
    const metrics = await lab.execOk(n1.ns, ['curl', '-s', 'http://127.0.0.1:9784/metrics'])
    t.match(metrics, /loom_control_gossip_frames_rejected_total\{reason="unsealed"\} [1-9]/,
      'stranger frames counted as unsealed')
    t.match(metrics, /loom_control_gossip_frames_rejected_total\{reason="decode"\} [1-9]/,
      'member flood counted as a decode rejection (too many members)')
    t.match(metrics, /loom_control_gossip_frames_rejected_total\{reason="connection_limit"\} [1-9]/,
      'extra slow streams counted')
  })
