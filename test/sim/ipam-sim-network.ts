/**
 * Message passing for the bare IPAM simulation (ipam-sim.test.ts: state machines passing decoded
 * messages; the real control plane runs on sim-network.ts's transports). Its clock, event queue
 * and seeded RNG are sim-network.ts's `SimNetwork`; this adds per-message loss and uniform random
 * delay (so reordering happens), and partitions expressed as a "side" number per node: a message
 * crosses only between nodes on the same side. A seed reproduces a schedule exactly.
 */

import type { SimNetwork } from './sim-network'

export interface NetConditions {
  /** Probability a message is dropped. */
  loss: number
  minDelayMs: number
  maxDelayMs: number
}

export class MessageNetwork<M> {
  readonly q: SimNetwork
  readonly cond: NetConditions
  sent = 0
  dropped = 0
  private readonly side = new Map<string, number>()
  private readonly rng: () => number
  private readonly deliver: (to: string, msg: M) => void
  private readonly isUp: (id: string) => boolean

  constructor (q: SimNetwork, rng: () => number, cond: NetConditions, deliver: (to: string, msg: M) => void,
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
