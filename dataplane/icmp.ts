/**
 * ICMP "fragmentation needed and DF set" (type 3 code 4, RFC 792 with RFC 1191's next-hop MTU),
 * the answer to an outbound IPv4 packet with DF set that is larger than the peer's MTU. Written
 * back into the TUN device, it makes the local sender's kernel lower its path MTU, as the
 * kernel's own tunnels do. Pure and allocation-free: the caller owns both buffers.
 *
 * The packet written (RFC 792 "Destination Unreachable Message", RFC 1191 §4):
 *
 *   IPv4 header (20)   ver/ihl 0x45, TOS 0xc0, total length, id 0, no flags, TTL 64, proto 1,
 *                      source = this node's overlay address, destination = the original source
 *   ICMP header (8)    type 3, code 4, checksum, unused (2, zero), next-hop MTU (2)
 *   quoted data        the original IP header (with options) + the first 8 bytes of its payload
 */
import {
  ICMP_CODE_FRAG_NEEDED, ICMP_ERROR_TOS, ICMP_ERROR_TTL, ICMP_HEADER_LEN, ICMP_OFF_NEXT_HOP_MTU,
  ICMP_QUOTED_PAYLOAD_LEN, ICMP_TYPE_DEST_UNREACHABLE, ICMP_TYPE_PARAMETER_PROBLEM,
  ICMP_TYPE_REDIRECT, ICMP_TYPE_SOURCE_QUENCH, ICMP_TYPE_TIME_EXCEEDED, IPPROTO_ICMP,
  IPV4_FLAG_DF, IPV4_FRAG_OFFSET_MASK, IPV4_HEADER_MIN_LEN, IPV4_OFF_CHECKSUM, IPV4_OFF_PROTOCOL,
  IPV4_OFF_SOURCE, IPV4_VERSION,
} from './constants'
import {
  internetChecksum, ipv4HeaderChecksum, readIPv4FlagsFragment, readIPv4HeaderLen,
  readIPv4Source, readIPv4TotalLen, writeU32BE,
} from './ipv4'

/** Whether an ICMP type is an error message (RFC 1122 §3.2.2: never answer one with another). */
function isICMPErrorType (type: number): boolean {
  return type === ICMP_TYPE_DEST_UNREACHABLE || type === ICMP_TYPE_SOURCE_QUENCH ||
    type === ICMP_TYPE_REDIRECT || type === ICMP_TYPE_TIME_EXCEEDED ||
    type === ICMP_TYPE_PARAMETER_PROBLEM
}

/**
 * Whether the IPv4 packet at buf[off, off + len) may be answered with a fragmentation-needed
 * error: a well-formed IPv4 header, DF set, a first (or only) fragment, a source that is a
 * unicast address (not 0.0.0.0, 255.255.255.255, 127/8, multicast or class E: RFC 1122 §3.2.2),
 * and not itself an ICMP error. Anything else oversized is just dropped (Drop.Mtu).
 */
export function isFragmentationNeededCandidate (buf: Buffer, off: number, len: number): boolean {
  if (len < IPV4_HEADER_MIN_LEN || off < 0 || off + len > buf.length) return false
  if ((buf[off] >>> 4) !== IPV4_VERSION) return false
  const ihl = readIPv4HeaderLen(buf, off)
  if (ihl < IPV4_HEADER_MIN_LEN || ihl > len) return false
  const ff = readIPv4FlagsFragment(buf, off)
  if ((ff & IPV4_FLAG_DF) === 0 || (ff & IPV4_FRAG_OFFSET_MASK) !== 0) return false
  const src = readIPv4Source(buf, off)
  const top = src >>> 24
  if (src === 0 || top === 127 || top >= 224) return false
  if (buf[off + IPV4_OFF_PROTOCOL] === IPPROTO_ICMP) {
    // An ICMP packet too short to show its type is treated as an error: stay silent.
    if (len < ihl + 1 || isICMPErrorType(buf[off + ihl])) return false
  }
  return true
}

/**
 * Writes the complete IPv4 ICMP fragmentation-needed packet for the original packet at
 * orig[origStart, origStart + origLen) into out[outStart, ...), announcing `nextHopMTU`, from
 * `sourceU32` (this node's overlay address, host order). Returns the length written, or 0 (and
 * writes nothing) if the original has no valid IPv4 header or `out` lacks room: at most
 * 20 + 8 + 60 + 8 = 96 bytes are needed. `orig` and `out` may be the same buffer only if the
 * ranges do not overlap. Call isFragmentationNeededCandidate first; this function does not
 * re-check DF or the ICMP-error rule.
 */
export function writeFragmentationNeeded (orig: Buffer, origStart: number, origLen: number,
  out: Buffer, outStart: number, nextHopMTU: number, sourceU32: number): number {
  if (origLen < IPV4_HEADER_MIN_LEN || origStart < 0 || origStart + origLen > orig.length) return 0
  const ihl = readIPv4HeaderLen(orig, origStart)
  if (ihl < IPV4_HEADER_MIN_LEN || ihl > origLen) return 0
  // Quote the header + 8 payload bytes, bounded by what we have and by the packet's own length.
  let quoted = ihl + ICMP_QUOTED_PAYLOAD_LEN
  const total = readIPv4TotalLen(orig, origStart)
  if (total >= ihl && total < quoted) quoted = total
  if (origLen < quoted) quoted = origLen
  const icmpLen = ICMP_HEADER_LEN + quoted
  const length = IPV4_HEADER_MIN_LEN + icmpLen
  if (outStart < 0 || outStart + length > out.length) return 0

  const ip = outStart
  out[ip] = 0x45
  out[ip + 1] = ICMP_ERROR_TOS
  out[ip + 2] = length >>> 8
  out[ip + 3] = length & 0xff
  out[ip + 4] = 0 // identification: 0, the packet is never fragmented (it is tiny)
  out[ip + 5] = 0
  out[ip + 6] = 0 // flags/fragment offset
  out[ip + 7] = 0
  out[ip + 8] = ICMP_ERROR_TTL
  out[ip + 9] = IPPROTO_ICMP
  out[ip + IPV4_OFF_CHECKSUM] = 0
  out[ip + IPV4_OFF_CHECKSUM + 1] = 0
  writeU32BE(out, ip + 12, sourceU32)
  // Destination: the original source, copied byte for byte.
  for (let i = 0; i < 4; i++) out[ip + 16 + i] = orig[origStart + IPV4_OFF_SOURCE + i]
  const ipSum = ipv4HeaderChecksum(out, ip, IPV4_HEADER_MIN_LEN)
  out[ip + IPV4_OFF_CHECKSUM] = ipSum >>> 8
  out[ip + IPV4_OFF_CHECKSUM + 1] = ipSum & 0xff

  const icmp = ip + IPV4_HEADER_MIN_LEN
  out[icmp] = ICMP_TYPE_DEST_UNREACHABLE
  out[icmp + 1] = ICMP_CODE_FRAG_NEEDED
  out[icmp + 2] = 0 // checksum, filled below
  out[icmp + 3] = 0
  out[icmp + 4] = 0 // unused
  out[icmp + 5] = 0
  out[icmp + ICMP_OFF_NEXT_HOP_MTU] = (nextHopMTU >>> 8) & 0xff
  out[icmp + ICMP_OFF_NEXT_HOP_MTU + 1] = nextHopMTU & 0xff
  orig.copy(out, icmp + ICMP_HEADER_LEN, origStart, origStart + quoted)
  const icmpSum = internetChecksum(out, icmp, icmpLen)
  out[icmp + 2] = icmpSum >>> 8
  out[icmp + 3] = icmpSum & 0xff
  return length
}
