/**
 * IPv4 headers: a pure codec, no I/O (addresses and prefixes as text: lib/ipv4.ts).
 *
 * Per packet (the read* functions, inspectIPv4Packet, the checksums): no allocation, no throw.
 * The read* functions assume the caller has checked that 20 bytes are available at `off`
 * (inspectIPv4Packet does that); out-of-range reads yield 0 rather than throwing, because they
 * index the Buffer directly instead of calling readUInt*.
 *
 * Addresses are host-order unsigned 32-bit numbers (10.0.0.1 = 0x0a000001), always normalised
 * with `>>> 0` so that `===` comparisons and Map keys work.
 */
import { Drop } from './types'
import {
  IPV4_FLAG_DF, IPV4_HEADER_MIN_LEN, IPV4_OFF_CHECKSUM, IPV4_OFF_DESTINATION, IPV4_OFF_FLAGS_FRAG,
  IPV4_OFF_PROTOCOL, IPV4_OFF_SOURCE, IPV4_OFF_TOTAL_LEN, IPV4_VERSION,
} from './constants'

// ---------------------------------------------------------------------------------------------
// Per-packet readers. Precondition: buf[off, off + 20) exists (see the header comment).
// ---------------------------------------------------------------------------------------------

/** The version nibble (4 for IPv4, 6 for IPv6). Needs only buf[off]. */
export function readIPVersion (buf: Buffer, off: number): number {
  return buf[off] >>> 4
}

/** Header length in bytes (IHL * 4). */
export function readIPv4HeaderLen (buf: Buffer, off: number): number {
  return (buf[off] & 0x0f) << 2
}

/** Total length field: header + payload, in bytes. */
export function readIPv4TotalLen (buf: Buffer, off: number): number {
  return (buf[off + IPV4_OFF_TOTAL_LEN] << 8) | buf[off + IPV4_OFF_TOTAL_LEN + 1]
}

/** The 16-bit flags/fragment-offset field. */
export function readIPv4FlagsFragment (buf: Buffer, off: number): number {
  return (buf[off + IPV4_OFF_FLAGS_FRAG] << 8) | buf[off + IPV4_OFF_FLAGS_FRAG + 1]
}

/** Whether the Don't Fragment flag is set. */
export function isIPv4DontFragment (buf: Buffer, off: number): boolean {
  return (readIPv4FlagsFragment(buf, off) & IPV4_FLAG_DF) !== 0
}

/** The protocol number (1 ICMP, 6 TCP, 17 UDP). */
export function readIPv4Protocol (buf: Buffer, off: number): number {
  return buf[off + IPV4_OFF_PROTOCOL]
}

/** A host-order u32 at buf[off, off + 4), big-endian on the wire. */
export function readU32BE (buf: Buffer, off: number): number {
  return ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0
}

/** Writes a host-order u32 big-endian at buf[off, off + 4). Out-of-range bytes are dropped. */
export function writeU32BE (buf: Buffer, off: number, v: number): void {
  buf[off] = v >>> 24
  buf[off + 1] = v >>> 16
  buf[off + 2] = v >>> 8
  buf[off + 3] = v
}

/** Source address as a host-order u32. */
export function readIPv4Source (buf: Buffer, off: number): number {
  return readU32BE(buf, off + IPV4_OFF_SOURCE)
}

/** Destination address as a host-order u32. */
export function readIPv4Destination (buf: Buffer, off: number): number {
  return readU32BE(buf, off + IPV4_OFF_DESTINATION)
}

/**
 * Validates the IPv4 packet at buf[off, off + avail) just enough to hand it to the kernel:
 * version 4 (anything else: Unsupported), IHL >= 5, header within the total length, total length
 * within `avail` (else Malformed). Returns the total length (>= 20) on success, or the NEGATED
 * Drop code (-Drop.Malformed, -Drop.Unsupported) — a number either way, so nothing allocates.
 * Trailing bytes beyond the total length (link padding) are the caller's to ignore.
 * The header checksum is not verified: the kernel verifies it when the packet is written to TUN.
 */
export function inspectIPv4Packet (buf: Buffer, off: number, avail: number): number {
  if (avail < 1 || off + avail > buf.length) return -Drop.Malformed
  if ((buf[off] >>> 4) !== IPV4_VERSION) return -Drop.Unsupported
  if (avail < IPV4_HEADER_MIN_LEN) return -Drop.Malformed
  const ihl = (buf[off] & 0x0f) << 2
  const total = (buf[off + IPV4_OFF_TOTAL_LEN] << 8) | buf[off + IPV4_OFF_TOTAL_LEN + 1]
  if (ihl < IPV4_HEADER_MIN_LEN || total < ihl || total > avail) return -Drop.Malformed
  return total
}

// ---------------------------------------------------------------------------------------------
// Checksums (RFC 1071)
// ---------------------------------------------------------------------------------------------

/**
 * The Internet checksum (RFC 1071) of buf[off, off + len): the ones' complement of the ones'
 * complement sum of the 16-bit big-endian words, an odd last byte padded with zero. `initial` is
 * an unfolded partial sum to include (e.g. a pseudo-header). Returns the 16-bit value to store
 * in a checksum field; run over a region that includes a correct checksum field, it returns 0.
 * Out-of-range bytes count as 0 (never throws).
 */
export function internetChecksum (buf: Buffer, off: number, len: number, initial = 0): number {
  let sum = initial
  const end = off + len
  const evenEnd = off + (len & ~1)
  let i = off
  for (; i < evenEnd; i += 2) {
    sum += (buf[i] << 8) | buf[i + 1]
    // Fold early enough that `sum` stays a small integer (well below 2^53) on any length.
    if (sum > 0x7fffffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  }
  if (i < end) sum += buf[i] << 8
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  return (~sum) & 0xffff
}

/**
 * The header checksum for the IPv4 header at buf[off, off + headerLen), computed as if the
 * checksum field were zero (whatever it holds now is skipped). Store it at off + 10.
 */
export function ipv4HeaderChecksum (buf: Buffer, off: number, headerLen: number): number {
  const c = IPV4_OFF_CHECKSUM
  // Sum the words before and after the checksum field; pass the first sum as `initial`.
  const before = (~internetChecksum(buf, off, c)) & 0xffff
  return internetChecksum(buf, off + c + 2, headerLen - c - 2, before)
}
