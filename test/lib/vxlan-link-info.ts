/**
 * The IFLA_LINKINFO payload of a kernel VXLAN link, for the tests that build a Flannel-style
 * kernel peer (test/lib/netlink-test-client.ts createVxlan). Not shipped: loomd never creates a
 * VXLAN link. Pinned byte for byte against iproute2 in test/unit/netlink-attrs.test.ts.
 */
import { VXLAN_VNI_MAX } from '../../dataplane/constants'
import { endianness } from 'node:os'
import {
  attrNested, attrString, attrU32, encodeAttr, IFLA_INFO_DATA, IFLA_INFO_KIND,
} from '../../host/netlink-attrs'

// include/uapi/linux/if_link.h
export const IFLA_VXLAN_ID = 1
export const IFLA_VXLAN_LINK = 3
export const IFLA_VXLAN_LOCAL = 4
export const IFLA_VXLAN_LEARNING = 7
export const IFLA_VXLAN_PORT = 15

/*
 * Attribute encoders loomd itself never needs (its veth payload takes strings and u32s only):
 * here, not in host/netlink-attrs.ts, so they are not shipped. Pinned with the rest of the
 * builder in test/unit/netlink-attrs.test.ts.
 */

function checkUint (value: number, max: number, type: number): void {
  if (!Number.isInteger(value) || value < 0 ||
    value > max) throw new RangeError(`value ${value} of netlink attribute ${type} is outside 0..${max}`)
}

export function attrU8 (type: number, value: number): Buffer {
  checkUint(value, 0xff, type)
  return encodeAttr(type, Uint8Array.of(value))
}

/** u16 in host byte order. */
export function attrU16 (type: number, value: number): Buffer {
  checkUint(value, 0xffff, type)
  const b = Buffer.alloc(2)
  if (endianness() === 'LE') b.writeUInt16LE(value, 0); else b.writeUInt16BE(value, 0)
  return encodeAttr(type, b)
}

/** u16 in network byte order (ports: IFLA_VXLAN_PORT). */
export function attrU16be (type: number, value: number): Buffer {
  checkUint(value, 0xffff, type)
  const b = Buffer.alloc(2)
  b.writeUInt16BE(value, 0)
  return encodeAttr(type, b)
}

export function attrBytes (type: number, value: Uint8Array): Buffer {
  return encodeAttr(type, value)
}

/** Options of a VXLAN link, in the terms of IFLA_VXLAN_*. */
export interface VxlanLinkInfo {
  /** VXLAN network identifier, 0..2^24-1. */
  vni: number
  /** UDP destination port (the kernel's default is 8472; IANA's is 4789). */
  port: number
  /** Source address of the outer IPv4 header, 4 bytes (IFLA_VXLAN_LOCAL). */
  local?: Uint8Array
  /** Index of the underlay link the tunnel is bound to (IFLA_VXLAN_LINK). */
  underlayIndex?: number
  /** Learn remote MACs from received frames; Flannel turns this off. */
  learning: boolean
}

/**
 * The payload of IFLA_LINKINFO for a vxlan link (pass it as the `netlink` package's
 * `linkinfo`, which adds the IFLA_LINKINFO header). Attribute order is iproute2 6.1's
 * (seen with strace): LINK, ID, LOCAL, LEARNING, PORT.
 */
export function encodeVxlanLinkInfo (v: VxlanLinkInfo): Buffer {
  if (!Number.isInteger(v.vni) || v.vni < 0 ||
    v.vni > VXLAN_VNI_MAX) throw new RangeError(`VXLAN VNI ${v.vni} is outside 0..${VXLAN_VNI_MAX}`)
  const data: Buffer[] = []
  if (v.underlayIndex !== undefined) data.push(attrU32(IFLA_VXLAN_LINK, v.underlayIndex))
  data.push(attrU32(IFLA_VXLAN_ID, v.vni))
  if (v.local !== undefined) {
    if (v.local.length !== 4) throw new RangeError(`IFLA_VXLAN_LOCAL needs 4 bytes, got ${v.local.length}`)
    data.push(attrBytes(IFLA_VXLAN_LOCAL, v.local))
  }
  data.push(attrU8(IFLA_VXLAN_LEARNING, v.learning ? 1 : 0))
  data.push(attrU16be(IFLA_VXLAN_PORT, v.port))
  return Buffer.concat([
    attrString(IFLA_INFO_KIND, 'vxlan', { nul: false }),
    attrNested(IFLA_INFO_DATA, data),
  ])
}
