/**
 * IPAM under churn on the real stack: n nodes in one process, virtual time, seeded schedule.
 * Each node is the real stack of gossip mode (sim-cluster.ts): Membership, ControlPlane, the Ipam
 * and its IpamNode driver, over the in-memory transport (sim-network.ts, 1-25 ms delay, 1 %
 * loss). Membership, not an oracle, tells IPAM who is dead; IPAM frames travel as real frames.
 * The test files ipam-stack-sim.test.ts (40 nodes) and ipam-stack-scale-sim.test.ts (80, or
 * 200 with LOOM_SIM_NODES=200) run it; the bare IPAM state machines with a liveness oracle that
 * ran the same scenario at 200 nodes are gone (docs/ARCHITECTURE.md, "Simulation").
 *
 * Timeline (virtual seconds): 0 node 0 founds the cluster, the others start over 0-5 s and join
 * through gossip seeds; 10-190 workload (ADD/DEL over all nodes, 10 000 successful ADDs, through
 * Ipam's synchronous allocate; the driver's waiting allocate is ipam-driver-sim.test.ts's) with
 * chaos 20-170:
 * crashes (one every 2 s at 200 nodes, as often per node in a smaller cluster; restart with
 * state, or without = a new node id; the old id never comes back and must be reclaimed), a
 * minority partition, a near-half split, a loss burst, false suspicions injected into the driver
 * (as if membership had said dead for 5 s), `rmpeer` of 3 live nodes cut off by the partition;
 * 190 everything heals; then we measure convergence (also after each partition heal).
 *
 * Invariants, checked after every 100 ms step and on every ADD (the first three: ipam-invariants.ts):
 * - no block is usable by two nodes (usable = owned in the node's applied state + valid lease);
 * - no address is held by two attachments in usable blocks;
 * - a block a node uses is still its own in the newest decided state any live node holds
 *   (catches a node that keeps using a block after it was released or reclaimed, even before
 *   anyone reuses it);
 * - a node restarted with its state still has every attachment it reported.
 *
 * Reproduce a failure: LOOM_SIM_SEED=<seed printed> LOOM_SIM_NODES=<nodes printed> npx tap
 * dist/test/sim/ipam-stack-sim.test.js. LOOM_SIM_WATCH=<block> prints the history of a block a
 * failure names (how the stale RELEASE of seed 1159991801 was found); LOOM_SIM_DEBUG=1 every
 * live node's IPAM status at the end.
 */
import t from 'tap'
import { makeBlockLayout } from '../../control/ipam/blocks'
import {
  END, END_CHAOS, HEAL, IpamScenario, SIM_IPAM_TIMING, STEP, type ScenarioNode,
} from './ipam-scenario'
import { SimCluster, type SimNode } from './sim-cluster'
import { simSeed } from './sim-network'

/** LOOM_SIM_WATCH=<block index>: print that block's history (a failure names the block). */
const WATCH_BLOCK = process.env.LOOM_SIM_WATCH === undefined ? undefined : Number(process.env.LOOM_SIM_WATCH)

/**
 * The seeds and node count of a test file: `seeds` (the file's own, such as a regression seed,
 * and random ones) unless LOOM_SIM_SEED=<n> picks one (`random`: one random seed);
 * LOOM_SIM_NODES=<n> replaces `nodes`. A failure prints its seed and count.
 */
export function simRuns (seeds: ReadonlyArray<number | 'random'>, nodes: number): Array<{ seed: number, n: number }> {
  const n = process.env.LOOM_SIM_NODES === undefined ? nodes : Number(process.env.LOOM_SIM_NODES)
  if (!Number.isSafeInteger(n) || n < 2) throw new Error(`LOOM_SIM_NODES=${process.env.LOOM_SIM_NODES}: want a whole number >= 2`)
  if (process.env.LOOM_SIM_SEED !== undefined) return [{ seed: simSeed(), n }]
  return seeds.map(seed => ({ seed: seed === 'random' ? simSeed() : seed, n }))
}

/** What the test keeps per node beside the real one: its clock and the "pods" it reported. */
interface NodeExtra {
  offset: number
  drift: number
  /** key → address this node reported (the "pods" on it). */
  held: Map<string, string>
}

/** Registers one run (a tap subtest) of the scenario on `N` real nodes with seed `SEED`. */
export function simulateIpamStack (SEED: number, N: number): void {
  /** One crash every 2 s at 200 nodes; as often per node in a smaller cluster (every 10 s at 40). */
  const CRASH_EVERY_MS = 2000 * Math.max(1, Math.round(200 / N))
  t.test(`IPAM simulation: ${N} nodes, seed ${SEED}`, async t => {
    const extra: NodeExtra[] = []
    // Node 0 founds; membership as gossip mode runs it, over the network's 1 % loss and 1-25 ms delay.
    const c = new SimCluster({
      n: 0,
      seed: SEED,
      lossRate: 0.01,
      minDelayMs: 1,
      maxDelayMs: 25,
      boot: false,
      ipam: { layout: makeBlockLayout('10.244.0.0/16', 26), timing: SIM_IPAM_TIMING },
      localClock: (i, now) => extra[i].offset + now * (1 + extra[i].drift),
    })
    const net = c.net
    const rng = net.random
    const all = c.nodes
    const idOf = (n: SimNode): string => n.record.nodeId
    const deadForever = new Set<string>()
    const local = (n: SimNode): number => extra[n.index].offset + net.now * (1 + extra[n.index].drift)
    const sc = new IpamScenario(SEED, rng, () => net.now)
    const isMember = (n: SimNode): boolean => n.ipam?.replica.isMember === true
    /** The nodes as the shared steps see them now. */
    const views = (): ScenarioNode[] => all.map(n => ({
      id: idOf(n), up: n.up, ipam: n.ipam, bootAt: n.bootAt, held: extra[n.index].held, now: local(n),
    }))

    const boot = (n: SimNode): void => {
      // Seeds as Kubernetes would give them: the founder and a few nodes that are up and members right now.
      const candidates = all.filter(m => m.up && isMember(m) && m !== n)
      const seeds = [all[0],
        ...Array.from({ length: 3 }, () => candidates[Math.floor(rng() * candidates.length)] ?? all[0])]
        .filter(s => s !== n).map(s => s.addr)
      c.boot(n, n.membership === undefined ? undefined : n.persistedIncarnation, seeds)
    }
    const newNode = (): SimNode => {
      extra.push({
        offset: Math.floor(rng() * 7200e3) - 3600e3,
        drift: (rng() * 2 - 1) * 0.01,
        held: new Map(),
      })
      return c.addNode()
    }
    const crash = (n: SimNode): void => { c.crash(n.index) }
    /** Restart without state: the machine is rebuilt, its pods are gone, it has a new id. */
    const replace = (n: SimNode): SimNode => {
      if (n.up) crash(n)
      deadForever.add(idOf(n))
      extra[n.index].held.clear()
      const m = newNode()
      boot(m)
      return m
    }

    const f = newNode()
    boot(f)
    for (let i = 1; i < N; i++) { const n = newNode(); net.schedule(rng() * 5000, () => boot(n)) }

    let maxStep = 0
    const watchSeen = new Set<string>()
    /** Virtual time when a decided state first had N members (how fast a new cluster forms). */
    let allJoinedAt = -1

    for (let now = 0; now <= END; now += STEP) {
      // The control planes tick themselves (at most every 100 ms) on the network's timers.
      const t0 = Date.now()
      net.runUntil(now)
      maxStep = Math.max(maxStep, Date.now() - t0)
      // Nodes that learn they were removed (only possible after a long false suspicion) rebuild.
      for (const n of [...all]) if (n.up && n.ipam?.replica.isRemoved === true) { replace(n); sc.replaced++ }

      const chaos = now >= 20e3 && now < END_CHAOS
      if (chaos && now % CRASH_EVERY_MS === 0) {
        // Crash one random node; it restarts after 1-20 s, with state 70 % of the time.
        const n = all[Math.floor(rng() * all.length)]!
        if (n.up && !deadForever.has(idOf(n))) {
          crash(n)
          sc.crashes++
          const withState = rng() < 0.7
          net.schedule(net.now + 1000 + rng() * 19000, () => {
            if (withState) {
              boot(n)
              for (const k of extra[n.index].held.keys()) if (n.ipam!.allocator.get(k) === undefined) sc.fail(`${idOf(n)} lost attachment ${k} across a restart with state`)
            } else { replace(n); sc.replaced++ }
          })
        }
      }
      if (chaos && now % 1000 === 0) {
        // False suspicion: one viewer believes a live node is dead for 5 s.
        const v = all[Math.floor(rng() * all.length)]!
        const x = all[Math.floor(rng() * all.length)]!
        // Injected into the real driver, as if membership had said so.
        if (v.up && v.ipamNode !== undefined && x.up && v !== x) {
          sc.falseSuspicions++
          v.ipamNode.onMemberChange(idOf(x), 'dead', local(v))
          net.schedule(net.now + 5000, () => { if (v.up && v.ipamNode !== undefined) v.ipamNode.onMemberChange(idOf(x), 'alive', local(v)) })
        }
      }
      // Membership notices partitions and heals on its own (no liveness oracle any more).
      const partition = (frac: number): void => {
        for (const n of all) if (rng() < frac) net.setSide(n.addr, 1)
      }
      const heal = (): void => { net.heal() }
      const step = views()
      sc.markHeal(now, step)
      sc.trackHeals(now, step)
      if (now === 50e3) partition(0.3)
      if (now === 52e3) {
        // An operator runs `loom rmpeer` (forced: 2 x lease wait) on 3 live but cut-off nodes.
        const op = all.find(n => n.up && n.ipam?.replica.isMember === true && net.sideOf(n.addr) === 0)
        const victims = all
          .filter(n => n.up && net.sideOf(n.addr) === 1 && n.ipam?.replica.isMember === true).slice(0, 3)
        for (const v of victims) { op?.ipamNode?.rmpeer(idOf(v)); sc.rmpeers++ }
      }
      if (now === 75e3) heal()
      if (now === 110e3) partition(0.48)
      if (now === 130e3) heal()
      if (now === 90e3) net.lossRate = 0.15
      if (now === 100e3) net.lossRate = 0.01
      if (now === HEAL) { heal(); net.lossRate = 0 }

      // Ipam's synchronous allocate (ipam-driver-sim.test.ts runs the driver's).
      sc.workload(now, step)
      if (WATCH_BLOCK !== undefined) {
        // The block's history as the nodes apply it: each (state, owner, epoch) once.
        for (const n of all) {
          const st = n.up ? n.ipam?.replica.state : null
          const r = st?.blocks[WATCH_BLOCK]
          const key = `${r?.state ?? 'never claimed'} ${r?.owner ?? ''} epoch ${r?.epoch ?? '-'}`
          if (st != null && !watchSeen.has(key)) {
            watchSeen.add(key)
            t.comment(`t=${net.now} ${idOf(n)} at slot ${st.slot}: block ${WATCH_BLOCK} ${key}`)
          }
        }
      }
      if (allJoinedAt < 0 && all.some(n => n.up && (n.ipam?.replica.state?.members.size ?? 0) >= N)) allJoinedAt = now
      if (sc.check(step)) break
      sc.trackConvergence(now, step, deadForever)
    }

    sc.report(t, N, views(), {
      messages: net.stats.sent,
      dropped: net.stats.lost + net.stats.partitioned + net.stats.toDownNode,
      allJoinedS: allJoinedAt < 0 ? null : allJoinedAt / 1000,
    }, { maxStepMs: maxStep })
  })
}
