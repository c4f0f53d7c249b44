/**
 * A generic in-process network simulator: a virtual clock, a seeded RNG and an event queue that
 * delivers opaque messages between node ids (strings) with configurable loss, delay (uniform in
 * [minDelayMs, maxDelayMs], so messages reorder), partitions, crashes and restarts.
 *
 * It knows nothing about gossip: the membership simulator and the IPAM simulator both drive it.
 *
 *   const net = new SimNetwork<Buffer>({ seed: 1234, lossRate: 0.05, minDelayMs: 1, maxDelayMs: 20 })
 *   net.addNode('a', (from, msg, now) => { ... net.send('a', from, reply) })
 *   net.every(50, (now) => { ... }, offsetMs)   // periodic timers (node ticks)
 *   net.runFor(10_000)                          // advance virtual time, delivering in order
 *
 * Semantics: a message is dropped when its sender is down, when a partition separates sender and
 * receiver at send time, with probability `lossRate` unless sent `reliable` (stream channel), or
 * when the receiver is down at delivery time. `crash(id)` also cancels the node's timers registered
 * with `owner = id`. Everything is deterministic for a given seed and call sequence.
 */

export interface SimNetworkOptions {
  /** Seed of the RNG (mulberry32). */
  seed: number
  /** Probability in [0,1) that an unreliable message is lost. Default 0. */
  lossRate?: number
  /** Default 1 ms. */
  minDelayMs?: number
  /** Default 10 ms. */
  maxDelayMs?: number
}

export interface SimStats {
  sent: number
  delivered: number
  lost: number
  partitioned: number
  toDownNode: number
  bytes: number
}

export type SimHandler<M> = (from: string, msg: M, now: number) => void

interface SimEvent {
  at: number
  seq: number
  run: () => void
  owner?: string
  cancelled?: boolean
}

/** mulberry32: tiny, fast, good enough for schedules. Returns a function in [0, 1). */
export function seededRandom (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

export class SimNetwork<M> {
  readonly random: () => number
  readonly stats: SimStats = { sent: 0, delivered: 0, lost: 0, partitioned: 0, toDownNode: 0, bytes: 0 }
  lossRate: number
  minDelayMs: number
  maxDelayMs: number
  private clock = 0
  private seq = 0
  private readonly heap: SimEvent[] = []
  private readonly handlers = new Map<string, SimHandler<M>>()
  private readonly down = new Set<string>()
  private group: Map<string, number> | undefined

  constructor (opts: SimNetworkOptions) {
    this.random = seededRandom(opts.seed)
    this.lossRate = opts.lossRate ?? 0
    this.minDelayMs = opts.minDelayMs ?? 1
    this.maxDelayMs = opts.maxDelayMs ?? 10
  }

  /** Virtual time (ms). */
  get now (): number { return this.clock }

  /** Register (or replace, after a restart) the receive handler of `id`; the node is up. */
  addNode (id: string, handler: SimHandler<M>): void {
    this.handlers.set(id, handler)
    this.down.delete(id)
  }

  isUp (id: string): boolean {
    return this.handlers.has(id) && !this.down.has(id)
  }

  /** Stop delivering to and from `id` and cancel its timers. */
  crash (id: string): void {
    this.down.add(id)
    for (const e of this.heap) if (e.owner === id) e.cancelled = true
  }

  /** Bring `id` back with a fresh handler (its old state is the caller's business). */
  restart (id: string, handler: SimHandler<M>): void {
    this.addNode(id, handler)
  }

  /** Split into groups; ids not listed can talk to nobody. `heal()` undoes it. */
  partition (groups: string[][]): void {
    this.group = new Map()
    groups.forEach((g, i) => { for (const id of g) this.group!.set(id, i) })
  }

  heal (): void {
    this.group = undefined
  }

  canReach (from: string, to: string): boolean {
    if (this.group === undefined) return true
    const a = this.group.get(from)
    return a !== undefined && a === this.group.get(to)
  }

  /**
   * Send `msg` from `from` to `to`. `sizeBytes` only feeds `stats.bytes`. `reliable` skips random
   * loss (a stream connection) but not partitions or crashes.
   */
  send (from: string, to: string, msg: M, sizeBytes = 0, reliable = false): void {
    this.stats.sent++
    this.stats.bytes += sizeBytes
    if (this.down.has(from)) { this.stats.toDownNode++; return }
    if (!this.canReach(from, to)) { this.stats.partitioned++; return }
    if (!reliable && this.lossRate > 0 && this.random() < this.lossRate) { this.stats.lost++; return }
    const delay = this.minDelayMs + this.random() * (this.maxDelayMs - this.minDelayMs)
    this.schedule(this.clock + delay, () => {
      const h = this.handlers.get(to)
      if (h === undefined || this.down.has(to)) { this.stats.toDownNode++; return }
      this.stats.delivered++
      h(from, msg, this.clock)
    })
  }

  /** Run `fn` at absolute virtual time `at` (ms). `owner`'s crash cancels it. */
  schedule (at: number, fn: () => void, owner?: string): void {
    this.push({ at: Math.max(at, this.clock), seq: this.seq++, run: fn, owner })
  }

  /** Run `fn(now)` every `intervalMs`, first at now + offsetMs, until `owner` crashes. */
  every (intervalMs: number, fn: (now: number) => void, offsetMs = 0, owner?: string): void {
    const step = (): void => {
      fn(this.clock)
      this.schedule(this.clock + intervalMs, step, owner)
    }
    this.schedule(this.clock + offsetMs, step, owner)
  }

  /** Process events up to and including virtual time `until`. */
  runUntil (until: number): void {
    while (this.heap.length > 0 && this.heap[0].at <= until) {
      const e = this.pop()
      if (e.cancelled === true) continue
      this.clock = e.at
      e.run()
    }
    this.clock = Math.max(this.clock, until)
  }

  runFor (ms: number): void {
    this.runUntil(this.clock + ms)
  }

  /**
   * Advance in `stepMs` steps until `cond()` holds or `maxMs` elapse. Returns the elapsed virtual
   * ms when it held, or undefined.
   */
  runUntilTrue (cond: () => boolean, maxMs: number, stepMs = 100): number | undefined {
    const start = this.clock
    while (this.clock - start <= maxMs) {
      if (cond()) return this.clock - start
      this.runFor(stepMs)
    }
    return undefined
  }

  // binary min-heap on (at, seq)
  private less (a: SimEvent, b: SimEvent): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  private push (e: SimEvent): void {
    const h = this.heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(h[i], h[p])) break
      const t = h[i]; h[i] = h[p]; h[p] = t
      i = p
    }
  }

  private pop (): SimEvent {
    const h = this.heap
    const top = h[0]
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && this.less(h[l], h[m])) m = l
        if (r < h.length && this.less(h[r], h[m])) m = r
        if (m === i) break
        const t = h[i]; h[i] = h[m]; h[m] = t
        i = m
      }
    }
    return top
  }
}
