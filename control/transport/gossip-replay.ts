/**
 * Replay protection for sealed gossip frames: a frame that opened once is refused when it comes
 * again, however long after.
 *
 * Every sealed frame carries, in its authenticated header (gossip-seal.ts), a *sender id* (8
 * random bytes drawn by each keyring instance, i.e. per process life of a node) and a *stamp*:
 * the sender's wall clock in microseconds since the Unix epoch, raised by one when two frames
 * would share it. A receiver accepts a (sender id, stamp) pair once, and only while the stamp is
 * fresh by its own clock:
 *
 *   stamp > now + maxSkew                    -> 'clock_skew' (from the future)
 *   stamp < now - (maxSkew + maxTransit)     -> 'stale'      (too old to still be in flight)
 *   stamp <= floor                           -> 'stale'      (older than what this guard can vouch for)
 *   (sender id, stamp) seen                  -> 'replay'
 *
 * The seen set only needs the pairs whose stamp is still fresh: an older one is refused as
 * stale anyway, so entries are forgotten once they age out, and memory is bounded by the frame
 * rate times the window (a few thousand pairs in practice) and by `maxEntries` in any case.
 * When the budget forces out a pair that is still fresh, `floor` rises to its stamp, so a
 * forgotten pair can never be replayed (frames at or below the floor are refused: a loss of
 * liveness under a flood by a key holder, never a replay).
 *
 * Restarts. A receiver starts with `floor` just below its start time: a frame sealed before this
 * process started cannot have been seen by it, so it is refused, and a restart does not reopen the
 * window for frames captured earlier. A sender that restarts draws a new sender id; its stamps
 * carry on from the wall clock, so nothing has to be stored on disk on either side.
 *
 * Clock skew. The window is symmetric around the receiver's clock: members whose clocks differ
 * by more than `maxSkew` (gossip.maxClockSkewSeconds) refuse each other's frames and count
 * them as `clock_skew` or `stale` — run NTP. For `maxSkew` after a receiver's start, a sender
 * whose clock is ahead could have its frames of the last `skew` before that start replayed
 * once; one whose clock is behind has its first frames refused for as long as it is behind.
 *
 * Not covered: a frame captured on its way to member B and replayed to member C within the
 * window is new to C and accepted once. Gossip spreads the same rumours to every member anyway,
 * and the IPAM and ping-req checks bind answers to their asker (README "Gossip security").
 *
 * Pure apart from the injected clock; no I/O.
 */

/** Why a sealed frame was refused by the replay check (a fixed label set for the metrics). */
export type ReplayVerdict = 'replay' | 'stale' | 'clock_skew'

export interface GossipReplayGuardInit {
  /** Wall clock, ms since the Unix epoch (Date.now in production; tests inject one). */
  now: () => number
  /** Largest clock difference between two members that still lets them talk (ms). */
  maxSkewMs: number
  /** Longest a frame may be on its way, sealing to delivery (ms); the stream lifetime. */
  maxTransitMs: number
  /** Most (sender id, stamp) pairs remembered at once. */
  maxEntries: number
}

export class GossipReplayGuard {
  /** Stamps at or below this are refused (µs): the start time, then raised by eviction. */
  private floor: number
  /** "senderhex:stamp" -> stamp, in insertion (roughly stamp) order, for pruning from the front. */
  private readonly seen = new Map<string, number>()
  /** Pairs forgotten while still fresh because of maxEntries (tests and metrics watch it). */
  evicted = 0

  constructor (private readonly init: GossipReplayGuardInit) {
    // Stamps are whole ms × 1000 (+ a tie-breaker): a frame sealed in the millisecond the guard
    // was made stamps exactly start × 1000, and was sealed after this process began, so no
    // earlier life of it can have seen the frame. `- 1` admits it; every earlier ms stays refused.
    // (At `start × 1000` the floor refused it: a unit test sealing in that ms failed 2 runs in 3.)
    this.floor = init.now() * 1000 - 1
  }

  /** Pairs remembered right now. */
  get size (): number { return this.seen.size }

  /**
   * Whether a frame with this sender id and stamp may be opened; undefined = yes. Changes
   * nothing: call `accept` once the frame has authenticated, never before (a forged header
   * must not burn a genuine sender's stamp).
   */
  check (sender: Uint8Array, stamp: number): ReplayVerdict | undefined {
    const now = this.init.now() * 1000
    if (stamp > now + this.init.maxSkewMs * 1000) return 'clock_skew'
    if (stamp < now - (this.init.maxSkewMs + this.init.maxTransitMs) * 1000 || stamp <= this.floor) return 'stale'
    if (this.seen.has(keyOf(sender, stamp))) return 'replay'
    return undefined
  }

  /** Records an authenticated frame's pair, then forgets what aged out or exceeds the budget. */
  accept (sender: Uint8Array, stamp: number): void {
    this.seen.set(keyOf(sender, stamp), stamp)
    const oldest = this.init.now() * 1000 - (this.init.maxSkewMs + this.init.maxTransitMs) * 1000
    for (const [key, s] of this.seen) {
      if (this.seen.size > this.init.maxEntries) {
        // Still fresh: refuse everything at or below it from now on rather than forget it.
        if (s >= oldest) { this.floor = Math.max(this.floor, s); this.evicted++ }
      } else if (s >= oldest) {
        break
      }
      this.seen.delete(key)
    }
  }
}

function keyOf (sender: Uint8Array, stamp: number): string {
  return `${Buffer.from(sender.buffer, sender.byteOffset, sender.length).toString('hex')}:${stamp}`
}
