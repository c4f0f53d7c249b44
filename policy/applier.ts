/**
 * PolicyApplier: keeps table `inet loom` equal to the engine's DesiredState.
 *
 * - Coalescing: any number of `request()`s within the window become one apply, and applies are
 *   at least `minIntervalMs` (200 ms) apart; the state is compiled when the apply starts, so it
 *   is always the newest. `request()` resolves once an apply that began after the call is in
 *   the kernel (CNI ADD awaits this: the pod's chains exist before ADD returns).
 * - Incremental: after the first full apply, only the difference is sent (nft-render.ts); if
 *   nft refuses it, one full replace is tried at once.
 * - Conntrack: after a successful apply, the flows the change disallowed are deleted
 *   (conntrack-plan.ts).
 * - Drift: every `driftCheckMs` the kernel's table is read back and compared by shape with what
 *   was applied; a difference (an operator's `nft flush`, a deleted table, an element added or
 *   deleted by hand) triggers a full apply. The read is proportionate: the table without set
 *   elements (nft-commands.ts `listTable({ terse })`: chains, rule counts, the sets' presence,
 *   the chain counters), which costs in proportion to the rules, plus the element counts of a
 *   slice of the sets (`list set` for each, in one `nft -j -i`): the three dispatch sets every time,
 *   then peer and port sets in name order from where the last check stopped, until
 *   `driftElementBudget` elements or `driftSetBudget` sets are read. Listing every element
 *   (3-8 s for 367 000 at 5 000 pods x 500 policies, bench/policy-apply.ts) every 10 s would
 *   keep a core busy. Bound: a set is
 *   read again within ceil(elements / driftElementBudget) + ceil(sets / driftSetBudget) + 1
 *   checks; table, chain, rule-count and set-presence drift within one.
 * - Failure: waiters are rejected, the next apply is a full one, retried after `retryMs`.
 */
import type { Logger } from 'pino'
import { planConntrackDeletions, podsOf } from './conntrack-plan'
import type { DesiredState } from './desired-state'
import { ruleCount } from './desired-state'
import type { NftCommands } from './types'
import { chainCounters, ChainCounters, diffShapes, shapeOfJson, shapeOfState } from './nft-json'
import { FORWARD_RULES, renderFull, renderIncremental } from './nft-render'

export interface ApplierComponents {
  commands: NftCommands
  logger: Logger
  /** Compiles the current DesiredState; called when an apply starts. */
  compile: () => DesiredState
}

export interface ApplierInit {
  /** Minimum time between two applies, ms; default 200. */
  minIntervalMs?: number
  /** Period of the drift check and counter read-back, ms; default 10 000; 0 = off. */
  driftCheckMs?: number
  /** Delay before retrying a failed apply, ms; default 1000. */
  retryMs?: number
  /** Set elements one drift check reads at most (a set is never split); default 20 000. */
  driftElementBudget?: number
  /** Sets (beyond the three dispatch sets) one drift check reads at most; default 100. */
  driftSetBudget?: number
}

/** Plain numbers for metrics and status (read at scrape time). */
export interface ApplierStats {
  appliesFull: number
  appliesIncremental: number
  appliesFailed: number
  driftRepairs: number
  conntrackDeletions: number
  /** Seconds each successful apply took (nft run included), drained by the metrics room. */
  readonly latencies: number[]
  lastApplyAt: number
  lastError: string
  rules: number
}

interface Waiter { resolve: () => void; reject: (err: Error) => void }

export class PolicyApplier {
  readonly stats: ApplierStats = {
    appliesFull: 0,
    appliesIncremental: 0,
    appliesFailed: 0,
    driftRepairs: 0,
    conntrackDeletions: 0,
    latencies: [],
    lastApplyAt: 0,
    lastError: '',
    rules: 0,
  }

  private applied?: DesiredState
  private waiters: Waiter[] = []
  private timer?: NodeJS.Timeout
  private driftTimer?: NodeJS.Timeout
  private running = false
  private stopped = false
  private lastStart = 0
  private counters = new Map<string, ChainCounters>()
  private readonly minIntervalMs: number
  private readonly driftCheckMs: number
  private readonly retryMs: number
  private readonly driftElementBudget: number
  private readonly driftSetBudget: number
  /** The last peer/port set the previous drift check read; the next one starts after it. */
  private driftCursor = ''

  constructor (private readonly components: ApplierComponents, init: ApplierInit = {}) {
    this.minIntervalMs = init.minIntervalMs ?? 200
    this.driftCheckMs = init.driftCheckMs ?? 10_000
    this.retryMs = init.retryMs ?? 1000
    this.driftElementBudget = init.driftElementBudget ?? 20_000
    this.driftSetBudget = init.driftSetBudget ?? 100
  }

  /** Starts the drift check; the first apply happens on the first request. */
  start (): void {
    if (this.driftCheckMs > 0) this.scheduleDriftCheck()
  }

  stop (): void {
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    if (this.driftTimer !== undefined) clearTimeout(this.driftTimer)
    for (const w of this.waiters.splice(0)) w.reject(new Error('policy applier stopped'))
  }

  /** Asks for an apply; resolves when the current state (or newer) is in the kernel. */
  request (): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('policy applier stopped'))
    const p = new Promise<void>((resolve, reject) => { this.waiters.push({ resolve, reject }) })
    this.schedule(0)
    return p
  }

  /** True when no apply is running, scheduled or owed. */
  idle (): boolean {
    return !this.running && this.timer === undefined && this.waiters.length === 0
  }

  /** The last state put into the kernel (undefined before the first or after a failure). */
  current (): DesiredState | undefined {
    return this.applied
  }

  /** Counters per pod chain as of the last read-back. */
  chainCounters (): ReadonlyMap<string, ChainCounters> {
    return this.counters
  }

  /** Reads the kernel's counters now (for `loom status policy`). */
  async refreshCounters (): Promise<ReadonlyMap<string, ChainCounters>> {
    const json = await this.components.commands.listTable({ terse: true })
    if (json !== null) this.counters = chainCounters(json)
    return this.counters
  }

  private schedule (extraDelayMs: number): void {
    if (this.timer !== undefined || this.running || this.stopped) return
    const wait = Math.max(extraDelayMs, this.lastStart + this.minIntervalMs - Date.now(), 0)
    this.timer = setTimeout(() => { this.timer = undefined; void this.run() }, wait)
  }

  private async run (): Promise<void> {
    if (this.waiters.length === 0) return
    this.running = true
    this.lastStart = Date.now()
    const waiters = this.waiters.splice(0)
    const log = this.components.logger
    const started = process.hrtime.bigint()
    let failed: Error | undefined
    try {
      const next = this.components.compile()
      const before = this.applied
      let full = before === undefined
      let script = full ? renderFull(next) : renderIncremental(before as DesiredState, next)
      if (script !== '') {
        try {
          await this.components.commands.apply(script)
        } catch (err) {
          if (full) throw err
          log.warn({ err: (err as Error).message }, 'incremental nft update refused; replacing the table')
          full = true
          script = renderFull(next)
          await this.components.commands.apply(script)
        }
        this.applied = next
        if (full) this.stats.appliesFull++
        else this.stats.appliesIncremental++
        this.stats.latencies.push(Number(process.hrtime.bigint() - started) / 1e9)
        if (this.stats.latencies.length > 10_000) this.stats.latencies.splice(0, 5_000)
        this.stats.lastApplyAt = Date.now()
        this.stats.rules = ruleCount(next, FORWARD_RULES.length)
        this.stats.lastError = ''
        log.debug({ full, bytes: script.length }, 'policy applied')
      } else {
        this.applied = next
      }
      if (before !== undefined) await this.cutDisallowedFlows(before, next)
    } catch (err) {
      failed = err as Error
      this.applied = undefined
      this.stats.appliesFailed++
      this.stats.lastError = failed.message
      log.error({ err: failed.message }, 'policy apply failed; retrying with a full apply')
    } finally {
      this.running = false
    }
    for (const w of waiters) failed === undefined ? w.resolve() : w.reject(failed)
    if (failed !== undefined && !this.stopped) {
      // Someone must come back for the retry even without a new request.
      this.waiters.push({ resolve: () => undefined, reject: () => undefined })
      this.schedule(this.retryMs)
    } else if (this.waiters.length > 0) this.schedule(0)
  }

  private async cutDisallowedFlows (before: DesiredState, next: DesiredState): Promise<void> {
    const filters = planConntrackDeletions(before, next)
    if (filters.length === 0) return
    this.components.logger.info({ pods: podsOf(filters, [...before.pods, ...next.pods]), filters: filters.length },
      'deleting conntrack entries of flows no longer allowed')
    for (const f of filters) {
      try {
        await this.components.commands.deleteConntrack(f)
        this.stats.conntrackDeletions++
      } catch (err) {
        this.components.logger.warn({ err: (err as Error).message }, 'conntrack deletion failed')
      }
    }
  }

  private scheduleDriftCheck (): void {
    this.driftTimer = setTimeout(() => {
      this.checkDrift().finally(() => { if (!this.stopped) this.scheduleDriftCheck() })
    }, this.driftCheckMs)
    this.driftTimer.unref()
  }

  /**
   * Compares the kernel's table with what was applied (the whole shape without set elements,
   * and the element counts of this check's slice of sets); repairs by a full apply. Public for
   * tests.
   */
  async checkDrift (): Promise<string[]> {
    const applied = this.applied
    if (applied === undefined || this.running) return []
    const commands = this.components.commands
    const want = shapeOfState(applied)
    const slice = this.driftSlice(applied)
    let diffs: string[]
    try {
      const json = await commands.listTable({ terse: true })
      if (this.applied !== applied) return [] // an apply ran meanwhile
      if (json === null) diffs = ['table inet loom missing']
      else {
        this.counters = chainCounters(json)
        const have = shapeOfJson(json)
        const sets = new Map(have.sets)
        const counted = new Set<string>()
        const present = slice.filter((name) => sets.has(name)) // the others are reported missing
        const docs = await commands.listSets(present.map((name) => ({ name, kind: DISPATCH_MAPS.has(name) ? 'map' : 'set' })))
        if (this.applied !== applied) return []
        for (const doc of docs) {
          for (const [name, n] of shapeOfJson(doc).sets) {
            sets.set(name, n)
            counted.add(name)
          }
        }
        for (const name of present) if (!counted.has(name)) sets.delete(name) // gone since the listing
        diffs = diffShapes(want, { sets, chains: have.chains }, counted)
      }
    } catch (err) {
      this.components.logger.warn({ err: (err as Error).message }, 'nft read-back failed')
      return []
    }
    const last = slice[slice.length - 1]
    this.driftCursor = last !== undefined && !FIXED_SETS.includes(last) ? last : ''
    if (diffs.length > 0) {
      this.components.logger.warn({ diffs: diffs.slice(0, 10) },
        'table inet loom drifted from the applied state; replacing it')
      this.stats.driftRepairs++
      this.applied = undefined
      this.request().catch(() => undefined)
    }
    return diffs
  }

  /**
   * The sets whose elements this check counts: the dispatch sets, then the peer and port sets
   * after the cursor (wrapping once), within the budgets; at least one when there are any.
   */
  private driftSlice (state: DesiredState): string[] {
    const out = [...FIXED_SETS]
    const names = [...state.sets.keys()] // sorted by name (compiler.ts)
    let start = names.findIndex((n) => n > this.driftCursor)
    if (start < 0) start = 0
    let elements = 0
    for (let k = 0; k < names.length && k < this.driftSetBudget; k++) {
      const name = names[(start + k) % names.length]
      const size = state.sets.get(name)?.elements.length ?? 0
      if (k > 0 && elements + size > this.driftElementBudget) break
      elements += size
      out.push(name)
    }
    return out
  }
}

const DISPATCH_MAPS: ReadonlySet<string> = new Set(['egress-dispatch', 'ingress-dispatch'])
const FIXED_SETS: readonly string[] = ['local-pods', 'egress-dispatch', 'ingress-dispatch']
