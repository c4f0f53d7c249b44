/**
 * 200 real control planes (ControlPlane + Membership on the in-memory transport of sim-network.ts:
 * virtual clock, seeded RNG, 1–20 ms delay so packets reorder). Scenarios: partition + heal, crash
 * detection, 5 % loss (Lifeguard: no permanent false deaths), crash + restart. Bounds are
 * computed from the config and printed with the measured values.
 *
 * Reproduce a failing schedule: LOOM_SIM_SEED=<seed> npx tap dist/test/sim/membership-sim.test.js
 */
import t from 'tap'
import { SimCluster } from './sim-cluster'
import { simSeed } from './sim-network'
import { DEFAULT_MEMBERSHIP_CONFIG as C } from '../../control/membership/membership'
import { suspicionBounds } from '../../control/membership/suspicion'

const SEED = simSeed()
const N = 200
t.comment(`LOOM_SIM_SEED=${SEED}`)
t.afterEach(async (t) => {
  if (t.counts.fail > 0) console.error(`# failing schedule: LOOM_SIM_SEED=${SEED} npx tap dist/test/sim/membership-sim.test.js`)
})

const {
  minMs: SUSP_MIN, maxMs: SUSP_MAX
} = suspicionBounds(C.suspicionMult, C.suspicionMaxTimeoutMult, N, C.probeIntervalMs)
/** Lone-accuser worst case: first probe of the victim within ~3 periods (expected 1.6), the full
 *  period, Max suspicion, then dissemination of `dead` (a few seconds). */
const DETECTION_BOUND = 3 * C.probeIntervalMs + C.probeIntervalMs + SUSP_MAX + 5000

function cluster (seed: number, lossRate = 0): SimCluster {
  const c = new SimCluster({ n: N, seed, lossRate, minDelayMs: 1, maxDelayMs: 20, preloaded: true })
  c.net.runFor(20_000)
  return c
}

t.test('crash: declared dead by all live nodes within the computed bound', async (t) => {
  const c = cluster(SEED)
  t.ok(c.converged(), 'converged before the crash')
  const victim = 17
  c.crash(victim)
  const ms = c.net.runUntilTrue(() => c.countSeeing(victim, 'dead') === N - 1, DETECTION_BOUND, 50)
  t.comment(`crash of 1/${N}: dead at all ${N - 1} live nodes after ${ms} ms (Min ${SUSP_MIN}, Max ${SUSP_MAX}, bound ${DETECTION_BOUND})`)
  t.ok(ms !== undefined && ms <= DETECTION_BOUND, `detected in ${ms} ms ≤ ${DETECTION_BOUND} ms`)
  t.ok(ms !== undefined && ms >= SUSP_MIN, 'never before the suspicion Min')
  t.equal(c.sumCounter('deathsDeclared') > 0, true)
  c.net.runFor(5000)
  t.ok(c.converged(), 'everyone else still alive everywhere')
  t.equal(c.decodeFailures, 0)
  t.equal(c.handlerErrors, 0, 'no frame made a handler throw')
})

t.test('partition + heal: all live nodes converge to the same live set', async (t) => {
  const c = cluster(SEED + 1)
  const a = c.nodes.filter((n) => n.index % 2 === 0).map((n) => n.addr)
  const b = c.nodes.filter((n) => n.index % 2 === 1).map((n) => n.addr)
  c.net.partition([a, b])
  const splitMs = c.net.runUntilTrue(() => c.countSeeing(1, 'dead') >= N / 2 - 1 &&
    c.countSeeing(0, 'dead') >= N / 2 - 1, 120_000, 500)
  t.ok(splitMs !== undefined, `both halves declared the other dead (${splitMs} ms)`)
  c.net.runFor(30_000) // beyond GossipToTheDeadTime: only push-pull with "dead" members can heal it
  c.net.heal()
  const HEAL_BOUND = 180_000
  const healMs = c.net.runUntilTrue(() => c.converged(), HEAL_BOUND, 500)
  t.comment(`partition of ${N} into halves for ${(splitMs ??
    0) + 30_000} ms; converged ${healMs} ms after healing (bound ${HEAL_BOUND})`)
  t.ok(healMs !== undefined, `converged after heal in ${healMs} ms`)
  c.net.runFor(10_000)
  t.ok(c.converged(), 'stays converged')
})

t.test('5 % loss: no live node is declared dead permanently', async (t) => {
  const c = cluster(SEED + 2, 0.05)
  const DURATION = 60_000
  let maxDeadViews = 0
  for (let el = 0; el < DURATION; el += 1000) {
    c.net.runFor(1000)
    let dead = 0
    for (const v of c.nodes) for (const m of v.membership.allMembers()) if (m.state === 'dead') dead++
    maxDeadViews = Math.max(maxDeadViews, dead)
  }
  const deaths = c.sumCounter('deathsDeclared')
  t.comment(`5 % loss, ${DURATION / 1000} s: suspicions ${c.sumCounter('suspicionsStarted')}, refuted ${c.sumCounter('suspicionsRefuted')}, refutations ${c.sumCounter('refutations')}, false deaths declared ${deaths}, max dead views at once ${maxDeadViews}, lost ${c.net.stats.lost}`)
  c.net.lossRate = 0
  const ms = c.net.runUntilTrue(() => c.converged(), 120_000, 500)
  t.ok(ms !== undefined, `every node alive in every view ${ms} ms after loss stopped (false deaths refuted)`)
  t.ok(deaths <= N / 10, `few false deaths (${deaths})`)
})

t.test('crash then restart with the persisted incarnation: alive again everywhere', async (t) => {
  const c = cluster(SEED + 3)
  const victim = 42
  const before = c.nodes[victim].persistedIncarnation
  c.crash(victim)
  t.ok(c.net.runUntilTrue(() => c.countSeeing(victim, 'dead') === N - 1, DETECTION_BOUND, 100) !== undefined,
    'dead everywhere')
  c.restart(victim, [5, 6])
  t.ok(c.nodes[victim].membership.incarnation > before, 'restart bumps the incarnation')
  const ms = c.net.runUntilTrue(() => c.countSeeing(victim, 'alive') === N - 1 && c.converged(), 60_000, 100)
  t.comment(`restarted node alive at all ${N - 1} after ${ms} ms`)
  t.ok(ms !== undefined && ms < 10_000, `rejoined within 10 s (${ms} ms)`)
  t.equal(c.nodes[victim].membership.liveCount(), N, 'the restarted node learned everyone from its seeds')
})
