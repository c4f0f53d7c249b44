/**
 * TAI64N timestamps (12 bytes: 8-byte big-endian seconds since 1970 + 2^62 + 10 (TAI-UTC as
 * WireGuard writes it), then 4-byte big-endian nanoseconds), carried encrypted in every handshake
 * initiation. A responder accepts an initiation only if its timestamp is strictly greater than the
 * last one it accepted from that peer, so a recorded initiation cannot be replayed.
 *
 * Like wireguard-go, the nanoseconds are rounded down to a multiple of 2^24 ns (~16.8 ms): an
 * observer of initiations learns nothing finer about the sender's clock, and two initiations in
 * one such slot compare equal, so the second is refused (initiations are rate-limited anyway).
 */
export const TAI64N_LEN = 12
const TAI64_BASE = 0x4000000000000000n + 10n
const WHITENER_MASK = 0x1000000 - 1

/** The TAI64N encoding of wall-clock time `nowMs` (ms since 1970). */
export function tai64n (nowMs: number): Buffer {
  const out = Buffer.alloc(TAI64N_LEN)
  const secs = Math.floor(nowMs / 1000)
  const nanos = Math.floor((nowMs - secs * 1000) * 1e6)
  out.writeBigUInt64BE(TAI64_BASE + BigInt(secs), 0)
  out.writeUInt32BE((nanos & ~WHITENER_MASK) >>> 0, 8)
  return out
}

/** True when timestamp a is strictly later than b (both 12-byte TAI64N). */
export function tai64nAfter (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, TAI64N_LEN),
    Buffer.from(b.buffer, b.byteOffset, TAI64N_LEN)) > 0
}
