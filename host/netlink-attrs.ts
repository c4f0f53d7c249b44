/**
 * A tiny rtattr (netlink attribute) builder, plus the IFLA_LINKINFO payload Loom needs (veth;
 * the tests' vxlan payload is test/lib/vxlan-link-info.ts, built on `encodeAttr`, with the
 * u8/u16/bytes encoders that only it uses).
 *
 * Why this exists: the `netlink` package types most rtnetlink attributes, but takes
 * IFLA_LINKINFO as opaque bytes, so creating a veth (or vxlan) link needs the nested
 * IFLA_INFO_KIND / IFLA_INFO_DATA attributes built here. Everything in this file is pure:
 * no I/O, no sockets; the unit test pins exact bytes against what iproute2 sends.
 *
 * Wire format (include/uapi/linux/netlink.h, `struct nlattr` / `struct rtattr`):
 *
 *   u16 len   (header + payload, *excluding* trailing padding)
 *   u16 type  (bit 15 NLA_F_NESTED, bit 14 NLA_F_NET_BYTEORDER)
 *   payload, zero-padded to a multiple of 4 (NLA_ALIGNTO)
 *
 * A nested attribute's len covers its children *including* their padding (that is what the
 * kernel's nla_nest_end and iproute2's addattr_nest_end produce). Integers are in host byte
 * order, except where the kernel says otherwise (IFLA_VXLAN_PORT is big-endian).
 *
 * Deviation from the kernel's preferred style, on purpose: nests are emitted *without*
 * NLA_F_NESTED by default, exactly like iproute2's addattr_nest, because IFLA_LINKINFO is
 * parsed with the "deprecated" (lenient) nest parser and matching iproute2 byte-for-byte
 * makes the output easy to compare with `strace ip link add ...`.
 */

import { endianness } from 'node:os'

/** NLA_HDRLEN: size of the attribute header. */
export const NLA_HDRLEN = 4
/** NLA_ALIGNTO: attributes are padded to this boundary. */
export const NLA_ALIGNTO = 4
/** Type bit marking a nested attribute (optional for IFLA_LINKINFO, see header). */
export const NLA_F_NESTED = 0x8000
/** An attribute's len is a u16, so no attribute (header included) may exceed this. */
export const NLA_MAX_LEN = 0xffff

// include/uapi/linux/if_link.h
export const IFLA_IFNAME = 3
export const IFLA_MTU = 4
export const IFLA_NET_NS_FD = 28
export const IFLA_LINKINFO = 18
export const IFLA_INFO_KIND = 1
export const IFLA_INFO_DATA = 2
// include/uapi/linux/veth.h
export const VETH_INFO_PEER = 1
/** sizeof(struct ifinfomsg): family, pad, type, index, flags, change. */
export const IFINFOMSG_LEN = 16
// include/uapi/linux/if_link.h (IFLA_AF_SPEC / AF_INET) and ip.h (enum IPV4_DEVCONF_*)
export const IFLA_INET_CONF = 1
export const IPV4_DEVCONF_PROXY_ARP = 3

const HOST_LE = endianness() === 'LE'

/** Bytes of padding needed after `len` bytes to reach the next 4-byte boundary. */
export function nlaPadding (len: number): number {
  return (NLA_ALIGNTO - (len % NLA_ALIGNTO)) % NLA_ALIGNTO
}

/** One attribute: header, payload and trailing zero padding, ready to concatenate. */
export function encodeAttr (type: number, payload: Uint8Array, nested = false): Buffer {
  const len = NLA_HDRLEN + payload.length
  if (len > NLA_MAX_LEN) throw new RangeError(`netlink attribute ${type} is ${len} bytes, over ${NLA_MAX_LEN}`)
  if (!Number.isInteger(type) || type < 0 ||
    type > 0x3fff) throw new RangeError(`netlink attribute type ${type} is out of range`)
  const out = Buffer.alloc(len + nlaPadding(len))
  writeU16(out, 0, len)
  writeU16(out, 2, type | (nested ? NLA_F_NESTED : 0))
  out.set(payload, NLA_HDRLEN)
  return out
}

/** A nested attribute whose payload is the given (already padded) child attributes. */
export function attrNested (type: number, children: readonly Uint8Array[], opts: { flag?: boolean } = {}): Buffer {
  return encodeAttr(type, Buffer.concat(children), opts.flag === true)
}

/** u32 in host byte order. */
export function attrU32 (type: number, value: number): Buffer {
  checkUint(value, 0xffffffff, type)
  const b = Buffer.alloc(4)
  if (HOST_LE) b.writeUInt32LE(value, 0); else b.writeUInt32BE(value, 0)
  return encodeAttr(type, b)
}

/**
 * A string. `nul: true` (the default) appends the terminating NUL, as NLA_NUL_STRING
 * attributes such as IFLA_IFNAME expect; IFLA_INFO_KIND is sent without it by iproute2.
 */
export function attrString (type: number, value: string, opts: { nul?: boolean } = {}): Buffer {
  const body = Buffer.from(value, 'utf8')
  return encodeAttr(type, opts.nul === false ? body : Buffer.concat([body, Buffer.alloc(1)]))
}

/**
 * The payload of IFLA_LINKINFO for a veth pair. VETH_INFO_PEER carries a whole
 * `struct ifinfomsg` (all zero: let the kernel choose) followed by the peer's attributes:
 * its name and, optionally, its MTU and the namespace (an fd) to create it in — a peer made
 * directly in a pod's namespace needs no move (dev_change_net_namespace waits for RCU grace
 * periods) and no rename there. (The peer cannot be created up: the kernel opens it before
 * the two ends are linked, and veth_open refuses with ENOTCONN.)
 */
export function encodeVethLinkInfo (peerName: string, peer: { mtu?: number, netnsFd?: number } = {}): Buffer {
  const attrs = [attrString(IFLA_IFNAME, peerName)]
  if (peer.mtu !== undefined) attrs.push(attrU32(IFLA_MTU, peer.mtu))
  if (peer.netnsFd !== undefined) attrs.push(attrU32(IFLA_NET_NS_FD, peer.netnsFd))
  const peerAttr = encodeAttr(VETH_INFO_PEER, Buffer.concat([Buffer.alloc(IFINFOMSG_LEN), ...attrs]))
  return Buffer.concat([
    attrString(IFLA_INFO_KIND, 'veth', { nul: false }),
    attrNested(IFLA_INFO_DATA, [peerAttr]),
  ])
}

/**
 * The AF_INET member of IFLA_AF_SPEC that sets the link's proxy_arp (what a write to
 * /proc/sys/net/ipv4/conf/<link>/proxy_arp does), so it can ride in a RTM_SETLINK with other
 * changes instead of a file write through libuv's thread pool.
 */
export function encodeInetProxyArp (on: boolean): Buffer {
  return attrNested(IFLA_INET_CONF, [attrU32(IPV4_DEVCONF_PROXY_ARP, on ? 1 : 0)])
}

function writeU16 (b: Buffer, off: number, v: number): void {
  if (HOST_LE) b.writeUInt16LE(v, off); else b.writeUInt16BE(v, off)
}

function checkUint (value: number, max: number, type: number): void {
  if (!Number.isInteger(value) || value < 0 ||
    value > max) throw new RangeError(`value ${value} of netlink attribute ${type} is outside 0..${max}`)
}
