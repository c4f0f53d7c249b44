/**
 * Minimal deterministic network + clock for the bare IPAM simulation (ipam-sim.test.ts: state
 * machines passing decoded messages; the real control plane runs on sim-network.ts). Virtual
 * time in ms, one binary-heap event queue, per-message loss and uniform random delay (so
 * reordering happens), and partitions expressed as a "side" number per node: a message crosses
 * only between nodes on the same side. Everything random comes from one seeded PRNG, so a seed
 * reproduces a schedule exactly.
 */

import { seededRandom } from './sim-network'

/** The seeded RNG of the simulations (mulberry32, in sim-network.ts). */
export const makeRng = seededRandom

interface Ev { at: number, seq: number, fn: () => void }

export class EventQueue {
  now = 0
  private heap: Ev[] = []
  private seq = 0

  get size (): number { return this.heap.length }

  schedule (at: number, fn: () => void): void {
    const e = { at: Math.max(at, this.now), seq: this.seq++, fn }
    const h = this.heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (this.less(h[p]!, h[i]!)) break
      ;[h[p], h[i]] = [h[i]!, h[p]!]
      i = p
    }
  }

  /** Runs every event with at <= t, then sets now = t. */
  runUntil (t: number): number {
    let n = 0
    const h = this.heap
    while (h.length > 0 && h[0]!.at <= t) {
      const e = h[0]!
      const last = h.pop()!
      if (h.length > 0) {
        h[0] = last
        let i = 0
        for (;;) {
          const l = 2 * i + 1
          const r = l + 1
          let m = i
          if (l < h.length && this.less(h[l]!, h[m]!)) m = l
          if (r < h.length && this.less(h[r]!, h[m]!)) m = r
          if (m === i) break
          ;[h[m], h[i]] = [h[i]!, h[m]!]
          i = m
        }
      }
      this.now = e.at
      e.fn()
      n++
    }
    this.now = t
    return n
  }

  private less (a: Ev, b: Ev): boolean { return a.at < b.at || (a.at === b.at && a.seq < b.seq) }
}

export interface NetConditions {
  /** Probability a message is dropped. */
  loss: number
  minDelayMs: number
  maxDelayMs: number
}

export class SimNetwork<M> {
  readonly q: EventQueue
  readonly cond: NetConditions
  sent = 0
  dropped = 0
  private readonly side = new Map<string, number>()
  private readonly rng: () => number
  private readonly deliver: (to: string, msg: M) => void
  private readonly isUp: (id: string) => boolean

  constructor (q: EventQueue, rng: () => number, cond: NetConditions, deliver: (to: string, msg: M) => void,
    isUp: (id: string) => boolean) {
    this.q = q
    this.rng = rng
    this.cond = cond
    this.deliver = deliver
    this.isUp = isUp
  }

  setSide (id: string, side: number): void { this.side.set(id, side) }
  sideOf (id: string): number { return this.side.get(id) ?? 0 }
  healAll (): void { this.side.clear() }
  canReach (a: string, b: string): boolean { return this.sideOf(a) === this.sideOf(b) }

  send (from: string, to: string, msg: M): void {
    this.sent++
    if (from === to) { // loopback: never lost, next in line
      this.q.schedule(this.q.now, () => { if (this.isUp(to)) this.deliver(to, msg) })
      return
    }
    if (!this.canReach(from, to) || this.rng() < this.cond.loss) { this.dropped++; return }
    const d = this.cond.minDelayMs + this.rng() * (this.cond.maxDelayMs - this.cond.minDelayMs)
    this.q.schedule(this.q.now + d, () => {
      // A partition that starts while a message is in flight also cuts it.
      if (this.isUp(to) && this.canReach(from, to)) this.deliver(to, msg)
      else this.dropped++
    })
  }
}
