/**
 * IPAM under churn: N nodes (default 200) in one process, virtual time, seeded schedule: the
 * bare IPAM state machines over ipam-sim-network.ts, with a liveness oracle. The same scenario on
 * the real control plane (membership, ControlPlane, IpamNode driver) is ipam-stack-sim.test.ts.
 *
 * Timeline (virtual seconds): 0 node 0 founds the cluster, the others start over 0-5 s and join
 * through seeds; 10-190 workload (ADD/DEL over all nodes, 10 000 successful ADDs) with chaos
 * 20-170: crashes (restart with state, or without = a new node id; the old id never comes back
 * and must be reclaimed), a minority partition, a near-half split, a loss burst, false
 * suspicions from the liveness oracle, `rmpeer` of 3 live nodes cut off by the partition;
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
 * Reproduce a failure: LOOM_SIM_SEED=<seed printed> npx tap dist/test/sim/ipam-sim.test.js
 * LOOM_SIM_NODES overrides the node count.
 */
import t from 'tap'
import { MessageNetwork } from './ipam-sim-network'
import { SimNetwork, simSeed } from './sim-network'
import { Ipam, type IpamDurable } from '../../control/ipam/ipam'
import { makeBlockLayout } from '../../control/ipam/blocks'
import { MemoryStore } from '../../control/node/state-store'
import type { ClaimMsg } from '../../control/ipam/messages'
import {
  END, END_CHAOS, HEAL, IpamScenario, SIM_IPAM_TIMING, STEP, type ScenarioNode,
} from './ipam-scenario'

const SEED = simSeed()
const N = Number(process.env.LOOM_SIM_NODES ?? 200)

interface SimNode {
  id: string
  up: boolean
  ipam: Ipam | null
  store: MemoryStore<IpamDurable>
  offset: number
  drift: number
  /** key → address this node reported (the "pods" on it). */
  held: Map<string, string>
  gen: number
  /** Virtual time of the last boot. */
  bootAt: number
}

t.test(`IPAM simulation: ${N} nodes, seed ${SEED}`, async t => {
  // The clock, event queue and RNG; the messages travel on MessageNetwork.
  const q = new SimNetwork({ seed: SEED })
  const rng = q.random
  const layout = makeBlockLayout('10.244.0.0/16', 26)
  const nodes = new Map<string, SimNode>()
  const all: SimNode[] = []
  const deadForever = new Set<string>()
  let nextId = 0
  const local = (n: SimNode): number => n.offset + q.now * (1 + n.drift)
  const net = new MessageNetwork<ClaimMsg>(q, rng, { loss: 0.01, minDelayMs: 1, maxDelayMs: 25 },
    (to, msg) => { const n = nodes.get(to); if (n?.ipam != null) { n.ipam.receive(msg, local(n)); pump(n) } },
    id => nodes.get(id)?.up === true)
  const pump = (n: SimNode): void => { for (const o of n.ipam!.takeOutbox()) net.send(n.id, o.to, o.msg) }
  const sc = new IpamScenario(SEED, rng, () => q.now)
  /** The nodes as the shared steps see them now. */
  const views = (): ScenarioNode[] => all.map(n => ({
    id: n.id, up: n.up, ipam: n.ipam ?? undefined, bootAt: n.bootAt, held: n.held, now: local(n),
  }))
  const founder = 'n0000'

  const boot = (n: SimNode, bootstrap: boolean): void => {
    // Seeds as Kubernetes would give them: a few nodes that are up and members right now.
    const candidates = all.filter(m => m.up && m.ipam?.replica.isMember === true && m !== n)
    const seeds = [founder,
      ...Array.from({ length: 3 }, () => candidates[Math.floor(rng() * candidates.length)]?.id ??
        founder)].filter(s => s !== n.id)
    n.ipam = new Ipam({ store: n.store },
      { id: n.id, layout, bootstrap, seeds, random: rng, wallClock: () => local(n), ...SIM_IPAM_TIMING }, local(n))
    n.up = true
    n.bootAt = q.now
    pump(n)
  }
  const newNode = (): SimNode => {
    const n: SimNode = {
      id: `n${String(nextId++).padStart(4, '0')}`,
      up: false,
      ipam: null,
      store: new MemoryStore(),
      offset: Math.floor(rng() * 7200e3) - 3600e3,
      drift: (rng() * 2 - 1) * 0.01,
      held: new Map(),
      gen: 0,
      bootAt: 0,
    }
    nodes.set(n.id, n)
    all.push(n)
    return n
  }
  const announce = (id: string, state: 'alive' | 'dead', viewers?: (n: SimNode) => boolean): void => {
    q.schedule(q.now + 1000 + rng() * 3000, () => {
      for (const v of all) {
        if (v.up && v.ipam !== null && v.id !== id &&
        (viewers === undefined || viewers(v))) v.ipam.onMemberChange(id, state, local(v))
      }
    })
  }
  const crash = (n: SimNode): void => { n.up = false; n.ipam = null; announce(n.id, 'dead') }
  /** Restart without state: the machine is rebuilt, its pods are gone, it has a new id. */
  const replace = (n: SimNode): SimNode => {
    if (n.up) crash(n)
    deadForever.add(n.id)
    n.held.clear()
    const m = newNode()
    boot(m, false)
    return m
  }

  const f = newNode()
  boot(f, true)
  for (let i = 1; i < N; i++) { const n = newNode(); q.schedule(rng() * 5000, () => boot(n, false)) }

  let maxTick = 0

  for (let now = 0; now <= END; now += STEP) {
    q.runUntil(now)
    const t0 = Date.now()
    for (const n of all) if (n.up && n.ipam !== null) { n.ipam.tick(local(n)); pump(n) }
    maxTick = Math.max(maxTick, Date.now() - t0)
    // Nodes that learn they were removed (only possible after a long false suspicion) rebuild.
    for (const n of [...all]) if (n.up && n.ipam?.replica.isRemoved === true) { replace(n); sc.replaced++ }

    const chaos = now >= 20e3 && now < END_CHAOS
    if (chaos && now % 2000 === 0) {
      // Crash one random node; it restarts after 1-20 s, with state 70 % of the time.
      const n = all[Math.floor(rng() * all.length)]!
      if (n.up && !deadForever.has(n.id)) {
        crash(n)
        sc.crashes++
        const withState = rng() < 0.7
        q.schedule(q.now + 1000 + rng() * 19000, () => {
          if (withState) {
            boot(n, false)
            announce(n.id, 'alive')
            for (const k of n.held.keys()) if (n.ipam!.allocator.get(k) === undefined) sc.fail(`${n.id} lost attachment ${k} across a restart with state`)
          } else { replace(n); sc.replaced++ }
        })
      }
    }
    if (chaos && now % 1000 === 0) {
      // False suspicion: one viewer believes a live node is dead for 5 s.
      const v = all[Math.floor(rng() * all.length)]!
      const x = all[Math.floor(rng() * all.length)]!
      if (v.up && v.ipam !== null && x.up && v !== x) {
        sc.falseSuspicions++
        v.ipam.onMemberChange(x.id, 'dead', local(v))
        q.schedule(q.now + 5000, () => { if (v.up && v.ipam !== null) v.ipam.onMemberChange(x.id, 'alive', local(v)) })
      }
    }
    const partition = (frac: number): void => {
      for (const n of all) if (rng() < frac) net.setSide(n.id, 1)
      for (const n of all) announce(n.id, 'dead', v => !net.canReach(v.id, n.id))
    }
    const heal = (): void => {
      net.healAll()
      for (const n of all) if (n.up) announce(n.id, 'alive')
    }
    const step = views()
    sc.markHeal(now, step)
    sc.trackHeals(now, step)
    if (now === 50e3) partition(0.3)
    if (now === 52e3) {
      // An operator runs `loom rmpeer` (forced: 2 x lease wait) on 3 live but cut-off nodes.
      const op = all.find(n => n.up && n.ipam?.replica.isMember === true && net.sideOf(n.id) === 0)
      const victims = all.filter(n => n.up && net.sideOf(n.id) === 1 && n.ipam?.replica.isMember === true).slice(0, 3)
      for (const v of victims) { op?.ipam?.rmpeer(v.id, local(op)); sc.rmpeers++ }
    }
    if (now === 75e3) heal()
    if (now === 110e3) partition(0.48)
    if (now === 130e3) heal()
    if (now === 90e3) net.cond.loss = 0.15
    if (now === 100e3) net.cond.loss = 0.01
    if (now === HEAL) { heal(); net.cond.loss = 0 }

    sc.workload(now, step)
    if (sc.check(step)) break
    sc.trackConvergence(now, step, deadForever)
  }

  sc.report(t, N, views(), { messages: net.sent, dropped: net.dropped }, { maxTickMs: maxTick })
})
