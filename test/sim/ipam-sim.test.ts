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
 * Invariants, checked after every 100 ms step and on every ADD:
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
import { EventQueue, SimNetwork, makeRng } from './ipam-sim-network'
import { Ipam, type IpamDurable } from '../../control/ipam/ipam'
import { makeBlockLayout } from '../../control/ipam/blocks'
import { MemoryStore } from '../../control/node/state-store'
import { IpamTryAgainError } from '../../control/ipam/errors'
import type { ClaimMsg } from '../../control/ipam/messages'
import { blockOwner, type ClusterState } from '../../control/ipam/cluster-state'

const SEED = process.env.LOOM_SIM_SEED !== undefined
  ? Number(process.env.LOOM_SIM_SEED)
  : Math.floor(Math.random() * 2 ** 31)
const N = Number(process.env.LOOM_SIM_NODES ?? 200)
const TARGET_ALLOCS = Number(process.env.LOOM_SIM_ALLOCS ?? 10000)

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
  const started = process.hrtime.bigint()
  const rng = makeRng(SEED)
  const layout = makeBlockLayout('10.244.0.0/16', 26)
  const q = new EventQueue()
  const nodes = new Map<string, SimNode>()
  const all: SimNode[] = []
  const deadForever = new Set<string>()
  let nextId = 0
  const timing = {
    leaseMs: 10000,
    forcedGraceMs: 20000,
    graceMs: 30000,
    suspectAfterMs: 3000,
    releaseIdleMs: 20000,
    roundTimeoutMs: 600
  }
  const local = (n: SimNode): number => n.offset + q.now * (1 + n.drift)
  const net = new SimNetwork<ClaimMsg>(q, rng, { loss: 0.01, minDelayMs: 1, maxDelayMs: 25 },
    (to, msg) => { const n = nodes.get(to); if (n?.ipam != null) { n.ipam.receive(msg, local(n)); pump(n) } },
    id => nodes.get(id)?.up === true)
  const pump = (n: SimNode): void => { for (const o of n.ipam!.takeOutbox()) net.send(n.id, o.to, o.msg) }
  const failures: string[] = []
  const fail = (s: string): void => { if (failures.length < 20) failures.push(`t=${(q.now / 1000).toFixed(1)}s ${s}`) }
  const founder = 'n0000'

  const boot = (n: SimNode, bootstrap: boolean): void => {
    // Seeds as Kubernetes would give them: a few nodes that are up and members right now.
    const candidates = all.filter(m => m.up && m.ipam?.replica.isMember === true && m !== n)
    const seeds = [founder,
      ...Array.from({ length: 3 }, () => candidates[Math.floor(rng() * candidates.length)]?.id ??
        founder)].filter(s => s !== n.id)
    n.ipam = new Ipam({ store: n.store },
      { id: n.id, layout, bootstrap, seeds, random: rng, wallClock: () => local(n), ...timing }, local(n))
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

  let okAllocs = 0
  let tryAgain = 0
  let releases = 0
  let keySeq = 0
  let crashes = 0
  let replaced = 0
  let falseSuspicions = 0
  let rmpeers = 0
  let maxTick = 0
  const STEP = 100
  const END_CHAOS = 170e3
  const HEAL = 190e3
  const END = 260e3
  let convergedAt = -1
  /** After each heal: time until every member up since then has caught up, refuted suspicions and holds a lease. */
  const heals: Array<{ at: number, slot: number, convergedS: number | null }> = []
  let reclaimedAt = -1

  const checkInvariants = (): void => {
    // The most advanced decided state any live node holds: a block a node uses must still be
    // its own there (S3/S4: it stops before a RELEASE or REMOVE can be decided).
    let newest: ClusterState | null = null
    for (const n of all) {
      const st = n.up ? n.ipam?.replica.state : null
      if (st != null && (newest === null || st.slot > newest.slot)) newest = st
    }
    const blockUser = new Map<number, string>()
    const addrUser = new Map<string, string>()
    for (const n of all) {
      if (!n.up || n.ipam === null) continue
      const now = local(n)
      const usable = new Set(n.ipam.usableBlocks(now))
      for (const b of usable) {
        if (newest !== null &&
          blockOwner(newest,
            b) !== n.id) {
          fail(`${n.id} uses block ${b}, which slot ${newest.slot} gives to ${blockOwner(newest,
              b) ?? 'nobody'}`)
        }
        const o = blockUser.get(b)
        if (o !== undefined) fail(`block ${b} usable by ${o} and ${n.id}`)
        blockUser.set(b, n.id)
      }
      for (const a of n.ipam.allocator.entries()) {
        if (!usable.has(a.block)) continue
        const o = addrUser.get(a.address)
        if (o !== undefined) fail(`address ${a.address} held by ${o} and ${n.id}:${a.key}`)
        addrUser.set(a.address, `${n.id}:${a.key}`)
      }
    }
  }

  for (let now = 0; now <= END; now += STEP) {
    q.runUntil(now)
    const t0 = Date.now()
    for (const n of all) if (n.up && n.ipam !== null) { n.ipam.tick(local(n)); pump(n) }
    maxTick = Math.max(maxTick, Date.now() - t0)
    // Nodes that learn they were removed (only possible after a long false suspicion) rebuild.
    for (const n of [...all]) if (n.up && n.ipam?.replica.isRemoved === true) { replace(n); replaced++ }

    const chaos = now >= 20e3 && now < END_CHAOS
    if (chaos && now % 2000 === 0) {
      // Crash one random node; it restarts after 1-20 s, with state 70 % of the time.
      const n = all[Math.floor(rng() * all.length)]!
      if (n.up && !deadForever.has(n.id)) {
        crash(n)
        crashes++
        const withState = rng() < 0.7
        q.schedule(q.now + 1000 + rng() * 19000, () => {
          if (withState) {
            boot(n, false)
            announce(n.id, 'alive')
            for (const k of n.held.keys()) if (n.ipam!.allocator.get(k) === undefined) fail(`${n.id} lost attachment ${k} across a restart with state`)
          } else { replace(n); replaced++ }
        })
      }
    }
    if (chaos && now % 1000 === 0) {
      // False suspicion: one viewer believes a live node is dead for 5 s.
      const v = all[Math.floor(rng() * all.length)]!
      const x = all[Math.floor(rng() * all.length)]!
      if (v.up && v.ipam !== null && x.up && v !== x) {
        falseSuspicions++
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
    if (now === 75e3 || now === 130e3 || now === HEAL) {
      const ref = Math.max(...all.map(n => (n.up && n.ipam?.replica.state?.slot) || 0))
      heals.push({ at: now, slot: ref, convergedS: null })
    }
    for (const h of heals) {
      if (h.convergedS !== null) continue
      // Nodes up (and members) since the heal; later restarts and joins are not part of it.
      const live = all.filter(n => n.up && n.bootAt < h.at && n.ipam?.replica.isMember === true)
      const caughtUp = live.every(n => n.ipam!.replica.state!.slot >= h.slot &&
        n.ipam!.replica.state!.members.get(n.id)!.suspectSlot === 0 && n.ipam!.replica.leaseValid(local(n)))
      if (caughtUp) h.convergedS = (now - h.at) / 1000
    }
    if (now === 50e3) partition(0.3)
    if (now === 52e3) {
      // An operator runs `loom rmpeer` (forced: 2 x lease wait) on 3 live but cut-off nodes.
      const op = all.find(n => n.up && n.ipam?.replica.isMember === true && net.sideOf(n.id) === 0)
      const victims = all.filter(n => n.up && net.sideOf(n.id) === 1 && n.ipam?.replica.isMember === true).slice(0, 3)
      for (const v of victims) { op?.ipam?.rmpeer(v.id, local(op)); rmpeers++ }
    }
    if (now === 75e3) heal()
    if (now === 110e3) partition(0.48)
    if (now === 130e3) heal()
    if (now === 90e3) net.cond.loss = 0.15
    if (now === 100e3) net.cond.loss = 0.01
    if (now === HEAL) { heal(); net.cond.loss = 0 }

    // Workload: ADDs until TARGET_ALLOCS succeeded, DELs of random held attachments.
    if (now >= 10e3 && now < END - 20e3 && okAllocs < TARGET_ALLOCS) {
      for (let i = 0; i < 12; i++) {
        const n = all[Math.floor(rng() * all.length)]!
        if (!n.up || n.ipam === null) continue
        const key = { containerId: `c${keySeq++}`, ifname: 'eth0' }
        try {
          const a = n.ipam.allocate(key, local(n))
          okAllocs++
          n.held.set(`${key.containerId}/eth0`, a.address)
          const again = n.ipam.allocate(key, local(n))
          if (again.address !== a.address) fail(`ADD retry of ${key.containerId} on ${n.id} gave ${again.address}, first ${a.address}`)
          for (const m of all) {
            if (m === n || !m.up || m.ipam === null) continue
            if (m.ipam.usableBlocks(local(m)).includes(a.block)) fail(`${n.id} allocated ${a.address} in block ${a.block}, usable by ${m.id}`)
          }
        } catch (err) {
          if (err instanceof IpamTryAgainError) tryAgain++
          else if ((err as { code?: string }).code !== 'ERR_IPAM_NOT_MEMBER') throw err
        }
      }
      for (let i = 0; i < 6; i++) {
        const n = all[Math.floor(rng() * all.length)]!
        if (!n.up || n.ipam === null || n.held.size === 0) continue
        const k = [...n.held.keys()][Math.floor(rng() * n.held.size)]!
        const [containerId, ifname] = k.split('/') as [string, string]
        n.ipam.release({ containerId, ifname }, local(n))
        n.held.delete(k)
        releases++
      }
    }
    checkInvariants()
    if (failures.length > 0) break

    if (now > HEAL && convergedAt < 0) {
      const live = all.filter(n => n.up && n.ipam !== null)
      const slots = new Set(live.map(n => n.ipam!.replica.state?.slot ?? -1))
      if (slots.size === 1 && live.every(n => n.ipam!.replica.isMember && !n.ipam!.replica.proposing)) convergedAt = now
    }
    if (now > HEAL && reclaimedAt < 0) {
      const st = all.find(n => n.up && n.ipam?.replica.isMember === true)?.ipam?.replica.state
      if (st !== undefined && st !== null && [...deadForever].every(id => !st.members.has(id))) reclaimedAt = now
    }
  }

  const cpuS = Number(process.hrtime.bigint() - started) / 1e9
  const summary = {
    seed: SEED,
    nodes: N,
    allNodeIds: all.length,
    okAllocs,
    tryAgain,
    releases,
    crashes,
    replaced,
    falseSuspicions,
    rmpeers,
    messages: net.sent,
    dropped: net.dropped,
    slot: all.find(n => n.up && n.ipam?.replica.isMember === true)?.ipam?.replica.state?.slot,
    convergenceAfterHealS: convergedAt < 0 ? null : (convergedAt - HEAL) / 1000,
    healConvergenceS: heals.map(h => h.convergedS),
    reclaimAfterHealS: reclaimedAt < 0 ? null : (reclaimedAt - HEAL) / 1000,
    wallS: cpuS.toFixed(1),
    maxTickMs: maxTick,
  }
  t.comment(JSON.stringify(summary))
  if (process.env.LOOM_SIM_DEBUG !== undefined) {
    for (const n of all) {
      if (!n.up || n.ipam === null) continue
      const st = n.ipam.status(local(n))
      t.comment(JSON.stringify({
        now: local(n),
        until: n.ipam.replica.leaseUntil(),
        id: n.id,
        member: st.member,
        removed: st.removed,
        slot: st.slot,
        lease: st.leaseValidForMs,
        blocks: st.ownedBlocks.length,
        members: st.nodes.length,
        suspected: st.nodes.filter(x => x.suspected).map(x => x.node),
        pending: st.pendingOps.slice(0, 4),
        want: st.pendingClaims,
        won: n.ipam.replica.proposalsWon,
        lost: n.ipam.replica.proposalsLost
      }))
    }
  }
  if (failures.length > 0) t.comment(`reproduce with LOOM_SIM_SEED=${SEED}`)
  t.same(failures, [], `no safety violation (seed ${SEED})`)
  t.ok(okAllocs >= Math.min(TARGET_ALLOCS, 10000), `${okAllocs} successful allocations (seed ${SEED})`)
  t.ok(convergedAt >= 0, `all live nodes converge after the heal (seed ${SEED})`)
  t.ok(heals.every(h => h.convergedS !== null), `every partition heal converges (seed ${SEED})`)
  t.ok(reclaimedAt >= 0, `every permanently dead id is reclaimed (seed ${SEED})`)
  // Every live node's state is identical after convergence.
  const live = all.filter(n => n.up && n.ipam?.replica.state != null)
  const owners = (n: SimNode): string => n.ipam!.replica.state!.blocks.map(r => r?.state === 'owned' ? r.owner : '').join(',')
  const ref = owners(live[0]!)
  t.equal(live.filter(n => owners(n) !== ref).length, 0, 'all live nodes agree on every block owner')
})
