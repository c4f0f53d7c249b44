/**
 * The IFLA_LINKINFO payload of a kernel VXLAN link, for the tests that build a Flannel-style
 * kernel peer (test/lib/netlink-test-client.ts createVxlan). Not shipped: loomd never creates a
 * VXLAN link. Pinned byte for byte against iproute2 in test/unit/netlink-attrs.test.ts.
 */
import { VXLAN_VNI_MAX } from '../../dataplane/constants'
import {
  attrBytes, attrNested, attrString, attrU16be, attrU32, attrU8, IFLA_INFO_DATA, IFLA_INFO_KIND,
} from '../../host/netlink-attrs'

// include/uapi/linux/if_link.h
export const IFLA_VXLAN_ID = 1
export const IFLA_VXLAN_LINK = 3
export const IFLA_VXLAN_LOCAL = 4
export const IFLA_VXLAN_LEARNING = 7
export const IFLA_VXLAN_PORT = 15

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
