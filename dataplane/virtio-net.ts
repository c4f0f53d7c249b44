/**
 * The virtio-net header that a TUN opened with IFF_VNET_HDR puts in front of every packet (and
 * expects in front of every packet written): a pure codec, no I/O.
 *
 * Layout (struct virtio_net_hdr, include/uapi/linux/virtio_net.h; 10 bytes, little-endian because
 * the device is switched to little-endian headers with TUNSETVNETLE):
 *
 *   0 flags        NEEDS_CSUM (1): the L4 checksum is partial, the field at csumStart +
 *                  csumOffset holds the pseudo-header sum;  DATA_VALID (2)
 *   1 gsoType      NONE 0 | TCPV4 1 | TCPV6 4 | UDP_L4 5, optionally | ECN 0x80
 *   2 hdrLen       u16: bytes of headers (the kernel's value is only a hint; we recompute)
 *   4 gsoSize      u16: payload bytes per segment
 *   6 csumStart    u16: where the L4 header starts (the IP header length)
 *   8 csumOffset   u16: the checksum field inside it (16 for TCP, 6 for UDP)
 *
 * decodeVirtioNetHeader validates everything the segmenter relies on and reports a malformed
 * header as false (the caller drops and counts the packet): the kernel is the only writer, but a
 * bug or a future kernel must not make us read out of bounds or loop.
 */

export const VNET_HDR_LEN = 10
export const VNET_F_NEEDS_CSUM = 1
export const VNET_F_DATA_VALID = 2
export const VNET_GSO_NONE = 0
export const VNET_GSO_TCPV4 = 1
export const VNET_GSO_UDP = 3
export const VNET_GSO_TCPV6 = 4
export const VNET_GSO_UDP_L4 = 5
export const VNET_GSO_ECN = 0x80

/** TUNSETOFFLOAD flags (include/uapi/linux/if_tun.h), as reported by TunDevice.offloads. */
export const TUN_F_CSUM = 0x01
export const TUN_F_TSO4 = 0x02
export const TUN_F_TSO6 = 0x04
export const TUN_F_USO4 = 0x20
export const TUN_F_USO6 = 0x40

const TCP_CSUM_OFFSET = 16
const UDP_CSUM_OFFSET = 6

/** A decoded header; one object, reused for every packet. */
export interface VirtioNetHeader {
  flags: number
  gsoType: number
  hdrLen: number
  gsoSize: number
  csumStart: number
  csumOffset: number
}

export function createVirtioNetHeader (): VirtioNetHeader {
  return { flags: 0, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 0, csumOffset: 0 }
}

export function encodeVirtioNetHeader (h: VirtioNetHeader, buf: Buffer, off: number): void {
  buf[off] = h.flags
  buf[off + 1] = h.gsoType
  buf.writeUInt16LE(h.hdrLen, off + 2)
  buf.writeUInt16LE(h.gsoSize, off + 4)
  buf.writeUInt16LE(h.csumStart, off + 6)
  buf.writeUInt16LE(h.csumOffset, off + 8)
}

/** Writes an all-zero header (no offload, checksum complete) at buf[off, off + 10). */
export function writePlainVirtioNetHeader (buf: Buffer, off: number): void {
  buf.fill(0, off, off + VNET_HDR_LEN)
}

/**
 * Decodes the header at buf[off, off + 10) for the packet that follows it (packetLen bytes of IP
 * at off + 10) into `out`. Returns false for a header that does not describe that packet:
 * unknown flags or GSO type, ECN (never enabled), a GSO packet without NEEDS_CSUM or with a zero
 * segment size, a checksum position outside the packet or not where TCP/UDP keep theirs.
 */
export function decodeVirtioNetHeader (buf: Buffer, off: number, packetLen: number, out: VirtioNetHeader): boolean {
  if (packetLen < 20 || off < 0 || off + VNET_HDR_LEN + packetLen > buf.length) return false
  const flags = buf[off]
  const gsoType = buf[off + 1]
  out.flags = flags
  out.gsoType = gsoType
  out.hdrLen = buf[off + 2] | (buf[off + 3] << 8)
  out.gsoSize = buf[off + 4] | (buf[off + 5] << 8)
  out.csumStart = buf[off + 6] | (buf[off + 7] << 8)
  out.csumOffset = buf[off + 8] | (buf[off + 9] << 8)
  if ((flags & ~(VNET_F_NEEDS_CSUM | VNET_F_DATA_VALID)) !== 0) return false
  const needsCsum = (flags & VNET_F_NEEDS_CSUM) !== 0
  if (needsCsum && (out.csumStart < 20 || out.csumStart + out.csumOffset + 2 > packetLen)) return false
  if (needsCsum && out.csumOffset !== TCP_CSUM_OFFSET && out.csumOffset !== UDP_CSUM_OFFSET) return false
  if (gsoType === VNET_GSO_NONE) return true
  if (gsoType !== VNET_GSO_TCPV4 && gsoType !== VNET_GSO_TCPV6 && gsoType !== VNET_GSO_UDP_L4) return false
  if (!needsCsum || out.gsoSize === 0) return false
  return out.csumOffset === (gsoType === VNET_GSO_UDP_L4 ? UDP_CSUM_OFFSET : TCP_CSUM_OFFSET)
}

/**
 * The real header length of a GSO packet (IP header + TCP header with options, or + 8 for UDP),
 * read from the packet at buf[ip...]; -1 if it does not fit in packetLen.
 */
export function gsoHeaderLength (buf: Buffer, ip: number, packetLen: number, h: VirtioNetHeader): number {
  const l4 = h.csumStart
  if (h.gsoType === VNET_GSO_UDP_L4) return l4 + 8 <= packetLen ? l4 + 8 : -1
  if (l4 + 20 > packetLen) return -1
  const len = l4 + (buf[ip + l4 + 12] >> 4) * 4
  return len >= l4 + 20 && len <= packetLen ? len : -1
}
