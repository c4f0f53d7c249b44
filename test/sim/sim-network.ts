/**
 * One simulated network for the real control plane: a virtual clock, a seeded RNG, an event
 * queue, and in-memory transports (`SimTransport`) that implement the FrameTransport interface
 * of control/transport/gossip-transport.ts, so `ControlPlane` runs on them unchanged.
 *
 *   const net = new SimNetwork({ seed: 1234, lossRate: 0.05, minDelayMs: 1, maxDelayMs: 20 })
 *   const transport = net.attach('10.0.0.1:7946')         // a node's gossip port
 *   new ControlPlane({ transport, timers: net.timers('10.0.0.1:7946'), clock: () => net.now, ... })
 *   net.runFor(10_000)                                     // advance virtual time, in order
 *
 * Semantics:
 * - A datagram is one frame. It is dropped when its sender or receiver is down, when a partition
 *   separates them at send or at delivery time (so a partition also cuts what is in flight), or
 *   with probability `lossRate`. Delay is uniform in [minDelayMs, maxDelayMs], so datagrams
 *   reorder. `from` is the sender's gossip address, as with the real UDP socket.
 * - A stream is a connection: never lost at random (TCP), but cut by partitions and crashes, which
 *   the sender counts as a send error. The receiver may answer with `reply` while it handles the
 *   request (GossipTransport answers synchronously, then closes); replies travel back with their
 *   own delay. `from` at the receiver is the sender's address with an ephemeral port, as with TCP.
 * - Frames are checked and (with a keyring) sealed and opened by the same functions as the real
 *   transport (`isWholeFrame`, `openFrame`); refusals are counted by reason in `rejected`.
 * - `crash(address)` takes the endpoint down and cancels the timers registered with that owner;
 *   `attach` at the same address brings a node back (its state is the caller's business).
 *
 * Everything is deterministic for a given seed and call sequence. It replaces the two earlier
 * simulators, which passed decoded messages between state machines and skipped the control plane.
 */
import { MinHeap } from '../lib/min-heap'
import type { Timers } from '../../control/control-plane'
import {
  isWholeFrame, newTransportCounters, openFrame, type FrameHandler, type FrameRejectReason, type FrameTransport,
  type GossipKeyring, type StreamReply, type TransportCounters,
} from '../../control/transport'

export interface SimNetworkOptions {
  /** Seed of the RNG (mulberry32). */
  seed: number
  /** Probability in [0,1) that a datagram is lost. Default 0. */
  lossRate?: number
  /** Default 1 ms. */
  minDelayMs?: number
  /** Default 10 ms. */
  maxDelayMs?: number
  /** Larger datagrams fail to send, as with EMSGSIZE. Default 65 507 (UDP over IPv4). */
  maxDatagramBytes?: number
}

export interface SimStats {
  sent: number
  delivered: number
  lost: number
  partitioned: number
  toDownNode: number
  bytes: number
}

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

/**
 * The seed of a sim file: LOOM_SIM_SEED, else (or with LOOM_SIM_SEED=random) a random one,
 * printed by the test to reproduce. A value that is not a whole number is refused: Number()
 * made 'random' NaN, which mulberry32 turns into seed 0, so "random" runs all replayed seed 0.
 */
export function simSeed (): number {
  const env = process.env.LOOM_SIM_SEED
  if (env === undefined || env === 'random') return Math.floor(Math.random() * 2 ** 31)
  const seed = Number(env)
  if (!Number.isSafeInteger(seed)) throw new Error(`LOOM_SIM_SEED=${env}: want a whole number or 'random'`)
  return seed
}

export class SimNetwork {
  readonly random: () => number
  readonly stats: SimStats = { sent: 0, delivered: 0, lost: 0, partitioned: 0, toDownNode: 0, bytes: 0 }
  lossRate: number
  minDelayMs: number
  maxDelayMs: number
  readonly maxDatagramBytes: number
  private clock = 0
  private seq = 0
  private ephemeral = 0
  /** Pending events, earliest first (ties in scheduling order). */
  private readonly heap = new MinHeap<SimEvent>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq))
  private readonly endpoints = new Map<string, SimTransport>()
  private readonly side = new Map<string, number>()

  constructor (opts: SimNetworkOptions) {
    this.random = seededRandom(opts.seed)
    this.lossRate = opts.lossRate ?? 0
    this.minDelayMs = opts.minDelayMs ?? 1
    this.maxDelayMs = opts.maxDelayMs ?? 10
    this.maxDatagramBytes = opts.maxDatagramBytes ?? 65_507
  }

  /** Virtual time (ms). */
  get now (): number { return this.clock }

  /**
   * The transport of a node listening at "ip:port" (replacing a crashed one there). `keyring`:
   * seal and open every frame, as GossipTransport does; undefined = plain frames.
   */
  attach (address: string, keyring?: GossipKeyring): SimTransport {
    this.endpoints.get(address)?.close()
    const t = new SimTransport(this, address, keyring)
    this.endpoints.set(address, t)
    return t
  }

  isUp (address: string): boolean {
    return this.endpoints.get(address)?.isOpen === true
  }

  /** Stop delivering to and from `address` and cancel the timers it owns. */
  crash (address: string): void {
    this.endpoints.get(address)?.close()
    for (const e of this.heap.values()) if (e.owner === address) e.cancelled = true
  }

  /** Timers in virtual time, owned by `owner` (its crash cancels them). */
  timers (owner: string): Timers {
    return {
      setTimeout: (fn, ms) => this.schedule(this.clock + ms, fn, owner),
      clearTimeout: (handle) => { (handle as SimEvent).cancelled = true },
    }
  }

  /** Split into groups of addresses; unlisted addresses stay together on a side of their own. */
  partition (groups: string[][]): void {
    this.side.clear()
    groups.forEach((g, i) => { for (const a of g) this.side.set(a, i + 1) })
  }

  /** Put one address on a side (0 is everyone not placed). */
  setSide (address: string, side: number): void {
    this.side.set(address, side)
  }

  sideOf (address: string): number {
    return this.side.get(address) ?? 0
  }

  heal (): void {
    this.side.clear()
  }

  canReach (from: string, to: string): boolean {
    return this.sideOf(from) === this.sideOf(to)
  }

  /** Run `fn` at absolute virtual time `at` (ms). `owner`'s crash cancels it. */
  schedule (at: number, fn: () => void, owner?: string): SimEvent {
    const e: SimEvent = { at: Math.max(at, this.clock), seq: this.seq++, run: fn, owner }
    this.heap.push(e)
    return e
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
    while (this.heap.length > 0 && this.heap.peek()!.at <= until) {
      const e = this.heap.pop()!
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

  /** @internal A datagram from `from`; false when it cannot leave (sender down). */
  carryDatagram (from: string, to: string, wire: Buffer): boolean {
    this.stats.sent++
    this.stats.bytes += wire.length
    if (!this.isUp(from)) { this.stats.toDownNode++; return false }
    if (!this.canReach(from, to)) { this.stats.partitioned++; return true }
    if (this.lossRate > 0 && this.random() < this.lossRate) { this.stats.lost++; return true }
    this.schedule(this.clock + this.delay(), () => {
      const dst = this.endpoints.get(to)
      if (dst === undefined || !dst.isOpen) { this.stats.toDownNode++; return }
      if (!this.canReach(from, to)) { this.stats.partitioned++; return }
      this.stats.delivered++
      dst.receive(wire, from, undefined)
    })
    return true
  }

  /**
   * @internal A stream request from `from`; `onReply` gets each frame the remote answers with.
   * `onFail` is called (later, like a refused or timed-out connection) when it does not arrive.
   */
  carryStream (from: string, to: string, wire: Buffer, onReply: (wire: Buffer) => void, onFail: () => void): void {
    this.stats.sent++
    this.stats.bytes += wire.length
    const host = from.slice(0, from.lastIndexOf(':'))
    const remote = `${host}:${32768 + (this.ephemeral++ % 28232)}`
    const fail = (): void => { if (this.isUp(from)) onFail() }
    if (!this.isUp(from)) { this.stats.toDownNode++; return }
    if (!this.canReach(from, to)) { this.stats.partitioned++; this.schedule(this.clock + this.delay(), fail); return }
    this.schedule(this.clock + this.delay(), () => {
      const dst = this.endpoints.get(to)
      if (dst === undefined || !dst.isOpen) { this.stats.toDownNode++; fail(); return }
      if (!this.canReach(from, to)) { this.stats.partitioned++; fail(); return }
      this.stats.delivered++
      let open = true
      const reply: StreamReply = (frame) => {
        if (!open) return
        const back = dst.sealed(frame)
        dst.counters.streamFramesOut++
        dst.counters.streamBytesOut += back.length
        this.stats.sent++
        this.stats.bytes += back.length
        this.schedule(this.clock + this.delay(), () => {
          if (!this.isUp(from) || !this.canReach(to, from)) { this.stats.partitioned++; return }
          this.stats.delivered++
          onReply(back)
        })
      }
      dst.receive(wire, remote, reply)
      open = false // the receiver answers while it handles the request, then the connection closes
    })
  }

  private delay (): number {
    return this.minDelayMs + this.random() * (this.maxDelayMs - this.minDelayMs)
  }
}

/** One node's gossip port on a SimNetwork: the FrameTransport the control plane sends through. */
export class SimTransport implements FrameTransport {
  private readonly zeroed = newTransportCounters()
  readonly counters: TransportCounters = this.zeroed.counters
  readonly rejected: Record<FrameRejectReason, number> = this.zeroed.rejected
  private handler: FrameHandler = () => {}
  private open = true

  constructor (private readonly net: SimNetwork, readonly address: string, private readonly keyring?: GossipKeyring) {}

  get isOpen (): boolean { return this.open }

  onFrame (handler: FrameHandler): void {
    this.handler = handler
  }

  close (): void {
    this.open = false
  }

  sendDatagram (to: string, frame: Buffer): void {
    const wire = this.sealed(frame)
    if (wire.length > this.net.maxDatagramBytes) { this.counters.sendErrors++; return }
    if (!this.net.carryDatagram(this.address, to, wire)) { this.counters.sendErrors++; return }
    this.counters.udpFramesOut++
    this.counters.udpBytesOut += wire.length
  }

  sendStream (to: string, frame: Buffer): void {
    const wire = this.sealed(frame)
    this.counters.streamFramesOut++
    this.counters.streamBytesOut += wire.length
    this.net.carryStream(this.address, to, wire, (back) => { this.receive(back, to, undefined, true) },
      () => { this.counters.sendErrors++ })
  }

  /** @internal The frame as it leaves: sealed when there is a keyring. */
  sealed (frame: Buffer): Buffer {
    return this.keyring === undefined ? frame : this.keyring.seal(frame)
  }

  /**
   * @internal A frame arriving from the network: a datagram, a stream request (with `reply`) or a
   * reply on a stream we opened (`onStream`, no reply).
   */
  receive (wire: Buffer, from: string, reply: StreamReply | undefined, onStream = reply !== undefined): void {
    if (!this.open) return
    if (!onStream) {
      this.counters.udpFramesIn++
      this.counters.udpBytesIn += wire.length
    } else {
      this.counters.streamFramesIn++
      this.counters.streamBytesIn += wire.length
    }
    if (!isWholeFrame(wire)) { this.reject('malformed'); return }
    const frame = openFrame(wire, this.keyring)
    if (typeof frame === 'string') { this.reject(frame); return }
    try {
      this.handler(frame.readUInt16BE(0), frame, from, reply, onStream ? 'stream' : 'udp')
    } catch {
      // As GossipTransport: a handler bug must not take the port down; counted, and tests assert 0.
      this.reject('handler_error')
    }
  }

  private reject (reason: FrameRejectReason): void {
    this.counters.badFrames++
    this.rejected[reason]++
  }
}
