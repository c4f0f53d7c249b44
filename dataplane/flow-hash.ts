/**
 * A hash of an inner IPv4 packet's flow (addresses, protocol and, for TCP/UDP/SCTP, ports), used
 * to pick the outer UDP source port per flow: RFC 7348 §5 asks VXLAN senders to derive it from
 * the inner packet so that ECMP routers and receivers' RSS spread flows instead of piling every
 * packet between two nodes onto one path and one queue. Pure; no allocation.
 *
 * Fragments hash without ports (only the first fragment carries them), so every piece of one
 * datagram takes the same path. The mixing is the 32-bit finaliser of MurmurHash3, enough to
 * spread sequential ports and addresses; it is not a defence against chosen collisions (none is
 * needed: a collision only shares a queue).
 */

const PROTO_TCP = 6
const PROTO_UDP = 17
const PROTO_SCTP = 132

function mix (h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** The flow hash of the IPv4 packet at buf[ip, ip + len) (len >= 20 checked by the caller). */
export function ipv4FlowHash (buf: Buffer, ip: number, len: number): number {
  const src = ((buf[ip + 12] << 24) | (buf[ip + 13] << 16) | (buf[ip + 14] << 8) | buf[ip + 15]) >>> 0
  const dst = ((buf[ip + 16] << 24) | (buf[ip + 17] << 16) | (buf[ip + 18] << 8) | buf[ip + 19]) >>> 0
  const proto = buf[ip + 9]
  let h = mix(src ^ mix(dst ^ proto))
  const ihl = (buf[ip] & 0x0f) << 2
  const fragment = (buf[ip + 6] & 0x3f) !== 0 || buf[ip + 7] !== 0
  if (!fragment && (proto === PROTO_TCP || proto === PROTO_UDP || proto === PROTO_SCTP) && ihl + 4 <= len) {
    const ports = ((buf[ip + ihl] << 24) | (buf[ip + ihl + 1] << 16) | (buf[ip + ihl + 2] << 8) | buf[ip + ihl +
      3]) >>> 0
    h = mix(h ^ ports)
  }
  return h
}
