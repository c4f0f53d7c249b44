/**
 * The anti-replay window of one receiving key (RFC 6479: a ring of bitmap blocks, no bit
 * shifting; wireguard-go's replay.Filter). 256 blocks of 32 bits with one block of slack: a
 * counter is accepted once, and only if it is at most WINDOW_SIZE (8160) behind the highest
 * counter seen. Counters are JS numbers; a counter at or above `REJECT_AFTER_MESSAGES` (2^53 −
 * 2^13, a stricter limit than WireGuard's 2^64 − 2^13 − 1 that no sender reaches in practice:
 * 28 years at 10 Mpps) is always refused, so every accepted counter is an exact double.
 *
 * Receive order (secure-transport.md §4.3): `check` (cheap, no state change) before the AEAD,
 * `mark` only after the packet authenticated, so a forged packet never moves the window.
 */
const BLOCK_BITS_LOG = 5
const BLOCK_BITS = 1 << BLOCK_BITS_LOG
const RING_BLOCKS = 256
const BLOCK_MASK = RING_BLOCKS - 1
const BIT_MASK = BLOCK_BITS - 1
/** How far behind the highest counter seen a packet may be and still be accepted. */
export const WINDOW_SIZE = (RING_BLOCKS - 1) * BLOCK_BITS
/** Counters at or beyond this are refused on receive and never used on send. */
export const REJECT_AFTER_MESSAGES = 2 ** 53 - 2 ** 13

export class ReplayWindow {
  private readonly ring = new Uint32Array(RING_BLOCKS)
  /** Highest counter marked so far (-1 = none yet). */
  private last = -1

  /** True if `counter` may be new: below the limit, within the window and not yet marked. */
  check (counter: number): boolean {
    if (!(counter >= 0 && counter < REJECT_AFTER_MESSAGES)) return false
    if (counter > this.last) return true
    if (this.last - counter > WINDOW_SIZE) return false
    const block = Math.floor(counter / BLOCK_BITS) & BLOCK_MASK
    return (this.ring[block] & (1 << (counter & BIT_MASK))) === 0
  }

  /**
   * Marks `counter` as received (call after `check` and after authentication). Returns false if
   * it was already marked or out of the window (a duplicate that raced through check).
   */
  mark (counter: number): boolean {
    if (!this.check(counter)) return false
    const indexBlock = Math.floor(counter / BLOCK_BITS)
    if (counter > this.last) {
      const current = this.last < 0 ? -1 : Math.floor(this.last / BLOCK_BITS)
      const diff = Math.min(indexBlock - current, RING_BLOCKS)
      for (let i = current + 1; i <= current + diff; i++) this.ring[i & BLOCK_MASK] = 0
      this.last = counter
    }
    this.ring[indexBlock & BLOCK_MASK] |= 1 << (counter & BIT_MASK)
    return true
  }

  /** Highest counter marked (-1 before the first). */
  highest (): number {
    return this.last
  }
}
