/**
 * The IPAM scenario's parts apart from how the nodes are built (ipam-stack.ts builds them on the
 * real stack): the schedule's constants, the workload (ADDs and DELs), the safety check
 * (ipam-invariants.ts), the convergence measures and the report with its assertions. They draw
 * from the sim's RNG in a fixed order at every step, so a seed replays its schedule.
 */
import type { Test } from 'tap'
import type { Ipam } from '../../control/ipam'
import { IpamTryAgainError } from '../../control/ipam/errors'
import { checkIpamInvariants } from './ipam-invariants'

/** One node as the shared steps see it at this step (a sim builds these from its own nodes). */
export interface ScenarioNode {
  id: string
  up: boolean
  ipam: Ipam | undefined
  /** Virtual time of its last boot. */
  bootAt: number
  /** key → address this node reported (the "pods" on it); the sim's own map. */
  held: Map<string, string>
  /** Its local clock now. */
  now: number
}

export const STEP = 100
export const END_CHAOS = 170e3
/** Everything heals; the convergence after it is measured. */
export const HEAL = 190e3
export const END = 260e3
/** The partition heals whose convergence is measured. */
export const HEALS = [75e3, 130e3, HEAL]
export const TARGET_ALLOCS = Number(process.env.LOOM_SIM_ALLOCS ?? 10000)

/** IPAM timing of the sims. */
export const SIM_IPAM_TIMING = {
  leaseMs: 10000,
  forcedGraceMs: 20000,
  graceMs: 30000,
  suspectAfterMs: 3000,
  releaseIdleMs: 20000,
  roundTimeoutMs: 600
}

export class IpamScenario {
  okAllocs = 0
  tryAgain = 0
  releases = 0
  crashes = 0
  replaced = 0
  falseSuspicions = 0
  rmpeers = 0
  readonly failures: string[] = []
  private keySeq = 0
  private convergedAt = -1
  private reclaimedAt = -1
  /** After each heal: time until every member up since then has caught up, refuted suspicions and holds a lease. */
  private readonly heals: Array<{ at: number, slot: number, convergedS: number | null }> = []
  private readonly started = process.hrtime.bigint()

  /** `clock`: virtual now (ms); `rng`: the sim's seeded RNG, drawn from in the sim's order. */
  constructor (readonly seed: number, private readonly rng: () => number, private readonly clock: () => number) {}

  fail (s: string): void {
    if (this.failures.length < 20) this.failures.push(`t=${(this.clock() / 1000).toFixed(1)}s ${s}`)
  }

  /** At a heal (HEALS): remember the newest slot, which every node up since must reach. */
  markHeal (now: number, all: readonly ScenarioNode[]): void {
    if (!HEALS.includes(now)) return
    const ref = Math.max(...all.map(n => (n.up && n.ipam?.replica.state?.slot) || 0))
    this.heals.push({ at: now, slot: ref, convergedS: null })
  }

  trackHeals (now: number, all: readonly ScenarioNode[]): void {
    for (const h of this.heals) {
      if (h.convergedS !== null) continue
      // Nodes up (and members) since the heal; later restarts and joins are not part of it.
      const live = all.filter(n => n.up && n.bootAt < h.at && n.ipam?.replica.isMember === true)
      const caughtUp = live.every(n => n.ipam!.replica.state!.slot >= h.slot &&
        n.ipam!.replica.state!.members.get(n.id)!.suspectSlot === 0 && n.ipam!.replica.leaseValid(n.now))
      if (caughtUp) h.convergedS = (now - h.at) / 1000
    }
  }

  /**
   * Workload: ADDs (through Ipam's synchronous allocate) until TARGET_ALLOCS succeeded, DELs of
   * random held attachments.
   */
  workload (now: number, all: readonly ScenarioNode[]): void {
    if (now < 10e3 || now >= END - 20e3 || this.okAllocs >= TARGET_ALLOCS) return
    const rng = this.rng
    for (let i = 0; i < 12; i++) {
      const n = all[Math.floor(rng() * all.length)]!
      if (!n.up || n.ipam === undefined) continue
      const key = { containerId: `c${this.keySeq++}`, ifname: 'eth0' }
      try {
        const a = n.ipam.allocate(key, n.now)
        this.okAllocs++
        n.held.set(`${key.containerId}/eth0`, a.address)
        const again = n.ipam.allocate(key, n.now)
        if (again.address !== a.address) this.fail(`ADD retry of ${key.containerId} on ${n.id} gave ${again.address}, first ${a.address}`)
        for (const m of all) {
          if (m === n || !m.up || m.ipam === undefined) continue
          if (m.ipam.usableBlocks(m.now).includes(a.block)) this.fail(`${n.id} allocated ${a.address} in block ${a.block}, usable by ${m.id}`)
        }
      } catch (err) {
        if (err instanceof IpamTryAgainError) this.tryAgain++
        else if ((err as { code?: string }).code !== 'ERR_IPAM_NOT_MEMBER') throw err
      }
    }
    for (let i = 0; i < 6; i++) {
      const n = all[Math.floor(rng() * all.length)]!
      if (!n.up || n.ipam === undefined || n.held.size === 0) continue
      const k = [...n.held.keys()][Math.floor(rng() * n.held.size)]!
      const [containerId, ifname] = k.split('/') as [string, string]
      n.ipam.release({ containerId, ifname }, n.now)
      n.held.delete(k)
      this.releases++
    }
  }

  /** The safety check; true when the run must stop (a violation was found). */
  check (all: readonly ScenarioNode[]): boolean {
    checkIpamInvariants(all.filter(n => n.up && n.ipam !== undefined) as Array<ScenarioNode & { ipam: Ipam }>,
      s => { this.fail(s) })
    return this.failures.length > 0
  }

  /** After HEAL: when all live nodes agree and every permanently dead id is reclaimed. */
  trackConvergence (now: number, all: readonly ScenarioNode[], deadForever: ReadonlySet<string>): void {
    if (now > HEAL && this.convergedAt < 0) {
      const live = all.filter(n => n.up && n.ipam !== undefined)
      const slots = new Set(live.map(n => n.ipam!.replica.state?.slot ?? -1))
      const settled = live.every(n => n.ipam!.replica.isMember && !n.ipam!.replica.proposing)
      if (slots.size === 1 && settled) this.convergedAt = now
    }
    if (now > HEAL && this.reclaimedAt < 0) {
      const st = all.find(n => n.up && n.ipam?.replica.isMember === true)?.ipam?.replica.state
      if (st !== undefined && st !== null && [...deadForever].every(id => !st.members.has(id))) this.reclaimedAt = now
    }
  }

  /**
   * Prints the summary (`network`: the sim's own figures, put after the counts), with
   * LOOM_SIM_DEBUG every live node's status, and asserts the run's outcome.
   */
  report (t: Test, n: number, all: readonly ScenarioNode[], network: Record<string, unknown>,
    timing: Record<string, unknown>): void {
    const wallS = Number(process.hrtime.bigint() - this.started) / 1e9
    const summary = {
      seed: this.seed,
      nodes: n,
      allNodeIds: all.length,
      okAllocs: this.okAllocs,
      tryAgain: this.tryAgain,
      releases: this.releases,
      crashes: this.crashes,
      replaced: this.replaced,
      falseSuspicions: this.falseSuspicions,
      rmpeers: this.rmpeers,
      ...network,
      slot: all.find(n => n.up && n.ipam?.replica.isMember === true)?.ipam?.replica.state?.slot,
      convergenceAfterHealS: this.convergedAt < 0 ? null : (this.convergedAt - HEAL) / 1000,
      healConvergenceS: this.heals.map(h => h.convergedS),
      reclaimAfterHealS: this.reclaimedAt < 0 ? null : (this.reclaimedAt - HEAL) / 1000,
      wallS: wallS.toFixed(1),
      ...timing,
    }
    t.comment(JSON.stringify(summary))
    if (process.env.LOOM_SIM_DEBUG !== undefined) {
      for (const n of all) {
        if (!n.up || n.ipam === undefined) continue
        const st = n.ipam.status(n.now)
        t.comment(JSON.stringify({
          now: n.now,
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
    const seed = this.seed
    if (this.failures.length > 0) t.comment(`reproduce with LOOM_SIM_SEED=${seed}`)
    t.same(this.failures, [], `no safety violation (seed ${seed})`)
    t.ok(this.okAllocs >= Math.min(TARGET_ALLOCS, 10000), `${this.okAllocs} successful allocations (seed ${seed})`)
    t.ok(this.convergedAt >= 0, `all live nodes converge after the heal (seed ${seed})`)
    t.ok(this.heals.every(h => h.convergedS !== null), `every partition heal converges (seed ${seed})`)
    t.ok(this.reclaimedAt >= 0, `every permanently dead id is reclaimed (seed ${seed})`)
    // Every live node's state is identical after convergence.
    const live = all.filter(n => n.up && n.ipam?.replica.state != null)
    const owners = (n: ScenarioNode): string => n.ipam!.replica.state!.blocks.map(r => r?.state === 'owned' ? r.owner : '').join(',')
    const ref = owners(live[0]!)
    t.equal(live.filter(n => owners(n) !== ref).length, 0, 'all live nodes agree on every block owner')
  }
}
