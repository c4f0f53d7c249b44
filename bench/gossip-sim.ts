/**
 * Gossip membership at scale, in simulation: N real control planes (test/sim/sim-cluster.ts) over
 * the in-memory transport, every frame encoded and decoded (so byte counts are wire sizes).
 *
 * Run for the figures: `node dist/bench/gossip-sim.js [n ...]` (default 100 500 1000), seed from
 * LOOM_SIM_SEED. Reports per n:
 * - convergence of a single update (a node's refutation alive(inc+1)) to all nodes (ms),
 * - detection of a crash: crash → first suspect anywhere, → first dead, → dead at all (ms),
 * - gossip bytes per node per second in steady state and while disseminating.
 */
import { SimCluster } from '../test/sim/sim-cluster'

export interface BenchResult {
  n: number
  updateConvergenceMs: number | undefined
  firstSuspectMs: number | undefined
  firstDeadMs: number | undefined
  allDeadMs: number | undefined
  steadyBytesPerNodePerS: number
  busyBytesPerNodePerS: number
}

export function runBench (n: number, seed: number): BenchResult {
  const c = new SimCluster({ n, seed, preloaded: true })
  c.net.runFor(40_000) // settle: initial alive broadcasts drain
  // steady state bytes (UDP + stream) over one scaled push-pull interval (30 s · pushPullScale)
  const windowS = 30 * (n <= 32 ? 1 : Math.ceil(Math.log2(n) - 5) + 1)
  let b0 = c.udpBytes + c.streamBytes
  c.net.runFor(windowS * 1000)
  const steadyBytesPerNodePerS = (c.udpBytes + c.streamBytes - b0) / n / windowS

  // single update: node 1 hears it is suspected and refutes with alive(inc+1); time until all know
  const subject = c.nodes[1]
  const target = subject.membership.incarnation + 1
  b0 = c.udpBytes + c.streamBytes
  const t0 = c.net.now
  subject.membership.receive('10.255.255.255:7946', {
    version: 1,
    clusterId: 'sim',
    senderId: c.nodes[2].record.nodeId,
    body: { type: 'gossip' },
    updates: [{
      member: { ...subject.record, incarnation: subject.membership.incarnation, state: 'suspect' },
      fromId: c.nodes[2].record.nodeId
    }],
    appDeltas: [],
  }, c.net.now).forEach(() => {})
  const updateConvergenceMs = c.net.runUntilTrue(() => {
    for (const v of c.nodes) {
      if (v.index !== 1 &&
      (v.membership.member(subject.record.nodeId)?.incarnation ?? -1) < target) return false
    }
    return true
  }, 60_000, 50)
  const busyMs = c.net.now - t0
  const busyBytesPerNodePerS = busyMs > 0 ? (c.udpBytes + c.streamBytes - b0) / n / (busyMs / 1000) : 0
  c.net.runFor(20_000)

  // crash detection
  const victim = 3
  c.crash(victim)
  const tc = c.net.now
  let firstSuspectMs: number | undefined
  let firstDeadMs: number | undefined
  const allDeadMs = c.net.runUntilTrue(() => {
    const el = c.net.now - tc
    if (firstSuspectMs === undefined &&
      c.countSeeing(victim, 'suspect') + c.countSeeing(victim, 'dead') > 0) firstSuspectMs = el
    if (firstDeadMs === undefined && c.countSeeing(victim, 'dead') > 0) firstDeadMs = el
    return c.countSeeing(victim, 'dead') === n - 1
  }, 180_000, 50)
  return {
    n, updateConvergenceMs, firstSuspectMs, firstDeadMs, allDeadMs, steadyBytesPerNodePerS, busyBytesPerNodePerS
  }
}

function main (): void {
  const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0)
  const seed = process.env.LOOM_SIM_SEED !== undefined ? Number(process.env.LOOM_SIM_SEED) : 1
  console.log(`gossip-sim seed=${seed} (memberlist LAN defaults, 1-10 ms delay, no loss, 50 ms ticks)`)
  console.log('n\tupdate→all ms\tcrash→suspect ms\tcrash→first dead ms\tcrash→dead@all ms\tsteady B/node/s\tbusy B/node/s\twall s')
  for (const n of sizes.length > 0 ? sizes : [100, 500, 1000]) {
    const w0 = Date.now()
    const r = runBench(n, seed)
    console.log([r.n, r.updateConvergenceMs, r.firstSuspectMs, r.firstDeadMs, r.allDeadMs,
      r.steadyBytesPerNodePerS.toFixed(0), r.busyBytesPerNodePerS.toFixed(0),
      ((Date.now() - w0) / 1000).toFixed(1)].join('\t'))
  }
}

if (require.main === module) main()
