/**
 * The `vxlan` encapsulation: RFC 7348 VXLAN with a synthesized inner Ethernet header, so that a
 * Linux kernel VXLAN device configured the Flannel way (static FDB + neighbour entries, or just
 * FDB entries and ARP, answered here) is a valid peer.
 *
 * Wire format (UDP payload, default port 4789):
 *
 *    0               1               2               3
 *   +---------------+-----------------------------------------------+
 *   | flags 0x08 (I)|        reserved (sent 0, ignored)             |  0..3    VXLAN
 *   +---------------+-------------------------------+---------------+           (RFC 7348 §5)
 *   |        VNI (24 bits)                          |  reserved     |  4..7
 *   +-----------------------------------------------+---------------+
 *   |        destination MAC (the receiver's VTEP MAC) ...          |  8..13   inner Ethernet
 *   |        source MAC (the sender's VTEP MAC) ...                 |  14..19
 *   |        EtherType 0x0800 (IPv4)    |  inner IPv4 packet ...    |  20..21, 22..
 *   +-----------------------------------+---------------------------+
 *
 * Design notes:
 * - VXLAN carries no sender identity: the sender is the peer whose underlay address the datagram
 *   came from (peerByAddress); an unknown address is Drop.Auth. Like the kernel, we accept only
 *   frames whose destination MAC is our VTEP MAC or broadcast (anything else is Drop.NoRoute),
 *   and only our VNI (Drop.UnknownSession).
 * - Flag bits other than I and all reserved bits are ignored on receipt, as RFC 7348 §5 requires
 *   (so a Linux peer with `gbp` enabled still gets through; its policy ID is ignored).
 * - Proxy ARP: a kernel peer without a static neighbour entry for its gateway (our overlay
 *   address) sends an ARP request inside VXLAN. We answer any Ethernet/IPv4 ARP request with our
 *   VTEP MAC, whatever address it asks for: Loom routes the whole overlay behind one VTEP, so
 *   our MAC is the right next hop for every overlay address. The reply is built in place over the
 *   request and handed back through `out.replyStart/replyLen`. ARP probes (sender IP 0.0.0.0,
 *   RFC 5227 duplicate-address detection) and gratuitous ARP (sender IP == target IP) are not
 *   answered: a reply would tell the peer its own address is taken.
 * - Outbound EtherType follows the inner version nibble (6 -> 0x86DD, else 0x0800); the overlay
 *   is IPv4-only today, so in practice it is always 0x0800.
 * - Overhead: outer IPv4 20 + UDP 8 + VXLAN 8 + Ethernet 14 = 50 bytes (Flannel's MTU - 50).
 */
import type { Decapsulated, Encapsulation, PeerDirectory, PeerRoute } from '../../types'
import { acceptInner, Drop } from '../../types'
import {
  ARP_HTYPE_ETHERNET, ARP_IPV4_PACKET_LEN, ARP_OP_REPLY, ARP_OP_REQUEST, ETHERNET_HEADER_LEN,
  ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, IPV4_UDP_OVERHEAD, VXLAN_FLAG_I,
  VXLAN_HEADER_LEN, VXLAN_VNI_MAX,
} from '../../constants'
import { inspectIPv4Packet, readU32BE, writeU32BE } from '../../ipv4'
import { isBroadcastMAC, macEquals, MAC_LEN } from '../../mac'

/** VXLAN header + inner Ethernet header: where the inner IP packet starts. */
const VXLAN_ETH_LEN = VXLAN_HEADER_LEN + ETHERNET_HEADER_LEN // 22
const ETH_DST = VXLAN_HEADER_LEN // 8
const ETH_SRC = ETH_DST + MAC_LEN // 14
const ETH_TYPE = ETH_SRC + MAC_LEN // 20
/** Offsets inside an Ethernet/IPv4 ARP packet (RFC 826). */
const ARP_OFF_HTYPE = 0
const ARP_OFF_PTYPE = 2
const ARP_OFF_HLEN = 4
const ARP_OFF_PLEN = 5
const ARP_OFF_OPER = 6
const ARP_OFF_SHA = 8
const ARP_OFF_SPA = 14
const ARP_OFF_THA = 18
const ARP_OFF_TPA = 24

export interface VxlanEncapsulationInit {
  /** VXLAN network identifier, 0..0xFFFFFF; every node and kernel peer must use the same. */
  vni: number
  /** This node's VTEP MAC (6 bytes): the source MAC of every frame we send. */
  selfVtepMAC: Buffer
}

export class VxlanEncapsulation implements Encapsulation {
  readonly kind = 'vxlan' as const
  readonly headerLen = VXLAN_ETH_LEN
  readonly overhead = IPV4_UDP_OVERHEAD + VXLAN_ETH_LEN
  readonly vni: number
  private readonly selfVtepMAC: Buffer

  constructor (init: VxlanEncapsulationInit) {
    if (!Number.isInteger(init.vni) || init.vni < 0 || init.vni > VXLAN_VNI_MAX) {
      throw new RangeError(`vxlan encapsulation: VNI ${String(init.vni)} is not an integer 0..${VXLAN_VNI_MAX}`)
    }
    if (!Buffer.isBuffer(init.selfVtepMAC) || init.selfVtepMAC.length !== MAC_LEN) {
      throw new RangeError(`vxlan encapsulation: selfVtepMAC must be a ${MAC_LEN}-byte Buffer`)
    }
    this.vni = init.vni
    this.selfVtepMAC = Buffer.from(init.selfVtepMAC)
  }

  encapsulate (buf: Buffer, innerStart: number, _innerLen: number, peer: PeerRoute): number {
    const s = innerStart - VXLAN_ETH_LEN
    // VXLAN header: flags, 3 reserved, VNI (24 bits), 1 reserved. Written as two u32 words.
    writeU32BE(buf, s, VXLAN_FLAG_I << 24)
    writeU32BE(buf, s + 4, this.vni << 8)
    // Unrolled: about twice as fast as the 6-step loop or Buffer.copy (bench/codec-micro.ts).
    const dst = peer.vtepMAC
    const e = s + ETH_DST
    buf[e] = dst[0]; buf[e + 1] = dst[1]; buf[e + 2] = dst[2]
    buf[e + 3] = dst[3]; buf[e + 4] = dst[4]; buf[e + 5] = dst[5]
    const src = this.selfVtepMAC
    buf[e + 6] = src[0]; buf[e + 7] = src[1]; buf[e + 8] = src[2]
    buf[e + 9] = src[3]; buf[e + 10] = src[4]; buf[e + 11] = src[5]
    const etherType = (buf[innerStart] >>> 4) === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4
    buf[s + ETH_TYPE] = etherType >>> 8
    buf[s + ETH_TYPE + 1] = etherType & 0xff
    return s
  }

  decapsulate (buf: Buffer, len: number, srcAddressU32: number, peers: PeerDirectory,
    out: Decapsulated, start = 0): Drop {
    const s = start
    if (len < VXLAN_ETH_LEN || s < 0 || s + len > buf.length) return Drop.Malformed
    if ((buf[s] & VXLAN_FLAG_I) === 0) return Drop.Malformed
    if ((readU32BE(buf, s + 4) >>> 8) !== this.vni) return Drop.UnknownSession
    const peer = peers.peerByAddress(srcAddressU32 >>> 0)
    if (peer === undefined) return Drop.Auth
    if (!macEquals(buf, s + ETH_DST, peers.selfVtepMAC) && !isBroadcastMAC(buf, s + ETH_DST)) return Drop.NoRoute
    const etherType = (buf[s + ETH_TYPE] << 8) | buf[s + ETH_TYPE + 1]
    if (etherType === ETHERTYPE_IPV4) {
      const total = inspectIPv4Packet(buf, s + VXLAN_ETH_LEN, len - VXLAN_ETH_LEN)
      if (total < 0) return -total as Drop
      return acceptInner(out, s + VXLAN_ETH_LEN, total, peer)
    }
    if (etherType === ETHERTYPE_ARP) return this.answerArp(buf, s, len, peers, peer, out)
    // IPv6 (0x86DD), 802.1Q/802.1ad tags and every other EtherType: not carried.
    return Drop.Unsupported
  }

  /** Turns an Ethernet/IPv4 ARP request at buf[s + 22..] into our reply, in place. */
  private answerArp (buf: Buffer, s: number, len: number, peers: PeerDirectory, peer: PeerRoute,
    out: Decapsulated): Drop {
    if (len < VXLAN_ETH_LEN + ARP_IPV4_PACKET_LEN) return Drop.Malformed
    const a = s + VXLAN_ETH_LEN
    if (((buf[a + ARP_OFF_HTYPE] << 8) | buf[a + ARP_OFF_HTYPE + 1]) !== ARP_HTYPE_ETHERNET ||
      ((buf[a + ARP_OFF_PTYPE] << 8) | buf[a + ARP_OFF_PTYPE + 1]) !== ETHERTYPE_IPV4 ||
      buf[a + ARP_OFF_HLEN] !== MAC_LEN || buf[a + ARP_OFF_PLEN] !== 4 ||
      ((buf[a + ARP_OFF_OPER] << 8) | buf[a + ARP_OFF_OPER + 1]) !== ARP_OP_REQUEST) {
      return Drop.Unsupported
    }
    const senderIP = readU32BE(buf, a + ARP_OFF_SPA)
    const targetIP = readU32BE(buf, a + ARP_OFF_TPA)
    if (senderIP === 0 || senderIP === targetIP) return Drop.Unsupported
    const self = peers.selfVtepMAC
    // ARP: oper = reply; target = the requester (its MAC and IP); sender = us, for the asked IP.
    buf[a + ARP_OFF_OPER] = 0
    buf[a + ARP_OFF_OPER + 1] = ARP_OP_REPLY
    for (let i = 0; i < MAC_LEN; i++) {
      buf[a + ARP_OFF_THA + i] = buf[a + ARP_OFF_SHA + i]
      buf[a + ARP_OFF_SHA + i] = self[i]
    }
    writeU32BE(buf, a + ARP_OFF_TPA, senderIP)
    writeU32BE(buf, a + ARP_OFF_SPA, targetIP)
    // Ethernet: back to the requester's MAC, from ours.
    for (let i = 0; i < MAC_LEN; i++) {
      buf[s + ETH_DST + i] = buf[s + ETH_SRC + i]
      buf[s + ETH_SRC + i] = self[i]
    }
    // VXLAN: a clean header (reserved bits and foreign flags cleared), our VNI.
    writeU32BE(buf, s, VXLAN_FLAG_I << 24)
    writeU32BE(buf, s + 4, this.vni << 8)
    out.innerStart = 0
    out.innerLen = 0
    out.peer = peer
    out.replyStart = s
    out.replyLen = VXLAN_ETH_LEN + ARP_IPV4_PACKET_LEN
    return Drop.None
  }
}
