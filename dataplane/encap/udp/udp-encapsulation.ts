/**
 * Loom's own `udp` encapsulation in clear mode: a 12-byte header in front of the inner IPv4
 * packet, inside a UDP datagram (default port 6784).
 *
 * Wire format (UDP payload), all integers big-endian:
 *
 *    0               1               2               3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------+---------------+-------------------------------+
 *   | type = 0x10   | version = 1   |   reserved (sent 0, ignored)  |  0..3
 *   +---------------+---------------+-------------------------------+
 *   |            receiver index (the destination node's index)      |  4..7
 *   +---------------------------------------------------------------+
 *   |            sender index (the sending node's index)            |  8..11
 *   +---------------------------------------------------------------+
 *   |            inner IPv4 packet (its total length says where     |  12..
 *   |            it ends; trailing bytes are ignored)               |
 *   +---------------------------------------------------------------+
 *
 * Design notes:
 * - The layout is shaped like WireGuard's transport message (type 4 | 3 reserved | receiver
 *   index u32 | counter u64 LE | sealed payload): byte 0 is the message type and bytes 4..7 the
 *   receiver index, so encryption slots in later as one more Encapsulation and a receiver can
 *   demultiplex both on byte 0. WireGuard uses types 1..4, hence the distinct 0x10 here.
 * - Why indices and not just the source address: the receiver index lets a node that has
 *   several identities (or a NAT'd peer) reject traffic meant for someone else, and the sender
 *   index names the peer independently of its address. We still require that the datagram come
 *   from the named peer's underlay address (Drop.Auth otherwise): clear mode has no cryptographic
 *   authentication, so the address check is the only thing stopping a third host from injecting
 *   packets by guessing an index. It is not a defence against an on-path or spoofing attacker;
 *   that is what encryption is for.
 * - Overhead: outer IPv4 20 + UDP 8 + 12 = 40 bytes (VXLAN costs 50, WireGuard 60).
 */
import type { Decapsulated, Encapsulation, PeerDirectory, PeerRoute } from '../../types'
import { acceptInner, Drop } from '../../types'
import {
  IPV4_HEADER_MIN_LEN, IPV4_UDP_OVERHEAD, LOOM_UDP_HEADER_LEN, LOOM_UDP_TYPE_CLEAR_DATA,
  LOOM_UDP_VERSION,
} from '../../constants'
import { inspectIPv4Packet, readU32BE, writeU32BE } from '../../ipv4'

export interface UdpEncapsulationInit {
  /** This node's index (deriveNodeIndex of its name): written as the sender index. */
  selfIndex: number
}

export class UdpEncapsulation implements Encapsulation {
  readonly kind = 'udp' as const
  readonly headerLen = LOOM_UDP_HEADER_LEN
  readonly overhead = IPV4_UDP_OVERHEAD + LOOM_UDP_HEADER_LEN
  private readonly selfIndex: number

  constructor (init: UdpEncapsulationInit) {
    const i = init.selfIndex
    if (!Number.isInteger(i) || i <= 0 || i > 0xffffffff) {
      throw new RangeError(`udp encapsulation: selfIndex ${String(i)} is not a non-zero unsigned 32-bit integer`)
    }
    this.selfIndex = i >>> 0
  }

  encapsulate (buf: Buffer, innerStart: number, _innerLen: number, peer: PeerRoute): number {
    const s = innerStart - LOOM_UDP_HEADER_LEN
    buf[s] = LOOM_UDP_TYPE_CLEAR_DATA
    buf[s + 1] = LOOM_UDP_VERSION
    buf[s + 2] = 0
    buf[s + 3] = 0
    writeU32BE(buf, s + 4, peer.index)
    writeU32BE(buf, s + 8, this.selfIndex)
    return s
  }

  decapsulate (buf: Buffer, len: number, srcAddressU32: number, peers: PeerDirectory,
    out: Decapsulated, start = 0): Drop {
    const s = start
    if (len < LOOM_UDP_HEADER_LEN + IPV4_HEADER_MIN_LEN || s < 0 || s + len > buf.length) return Drop.Malformed
    if (buf[s] !== LOOM_UDP_TYPE_CLEAR_DATA || buf[s + 1] !== LOOM_UDP_VERSION) return Drop.Malformed
    if (readU32BE(buf, s + 4) !== peers.selfIndex) return Drop.UnknownSession
    const peer = peers.peerByIndex(readU32BE(buf, s + 8))
    if (peer === undefined) return Drop.UnknownSession
    if (peer.addressU32 !== (srcAddressU32 >>> 0)) return Drop.Auth
    const total = inspectIPv4Packet(buf, s + LOOM_UDP_HEADER_LEN, len - LOOM_UDP_HEADER_LEN)
    if (total < 0) return -total as Drop
    return acceptInner(out, s + LOOM_UDP_HEADER_LEN, total, peer)
  }
}
