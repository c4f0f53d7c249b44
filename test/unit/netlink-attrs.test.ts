/**
 * Exact bytes of the rtattr builder (host/netlink-attrs.ts) and the tests' vxlan payload
 * (test/lib/vxlan-link-info.ts).
 *
 * The IFLA_LINKINFO vectors are what iproute2 6.1 sends (captured once with
 * `strace -e sendmsg -xx ip link add ...`), re-built here by hand from the kernel's
 * if_link.h / veth.h numbers, so a wrong constant, a missing pad or a wrong nest length fails.
 * Netlink integers are host-endian: the vectors are written for a little-endian host.
 */

import t from 'tap'
import { endianness } from 'node:os'
import {
  attrNested, attrString, attrU32, encodeAttr, encodeVethLinkInfo, nlaPadding, NLA_F_NESTED,
} from '../../host/netlink-attrs'
import { attrBytes, attrU16, attrU16be, attrU8, encodeVxlanLinkInfo } from '../lib/vxlan-link-info'

// Kernel numbers, written out independently of the module under test.
const IFLA_IFNAME = 3
const IFLA_LINKINFO = 18
const IFLA_INFO_KIND = 1
const IFLA_INFO_DATA = 2
const IFLA_VXLAN_ID = 1
const IFLA_VXLAN_LINK = 3
const IFLA_VXLAN_LOCAL = 4
const IFLA_VXLAN_LEARNING = 7
const IFLA_VXLAN_PORT = 15
const VETH_INFO_PEER = 1

/** rtattr header, little-endian: len, type. */
function hdr (len: number, type: number): number[] {
  return [len & 0xff, len >> 8, type & 0xff, type >> 8]
}
const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')]
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const bytes = (a: number[]): string => Buffer.from(a).toString('hex')

t.test('host byte order assumed by the vectors', async t => {
  t.equal(endianness(), 'LE', 'these vectors are little-endian; rewrite hdr() for a BE host')
})

t.test('padding and scalar attributes', async t => {
  t.same([0, 1, 2, 3, 4, 5, 8].map(nlaPadding), [0, 3, 2, 1, 0, 3, 0])
  t.equal(hex(attrU8(7, 0)), bytes([...hdr(5, 7), 0, 0, 0, 0]), 'u8: len 5, three pad bytes')
  t.equal(hex(attrU8(7, 0xab)), bytes([...hdr(5, 7), 0xab, 0, 0, 0]))
  t.equal(hex(attrU16(9, 0x1234)), bytes([...hdr(6, 9), 0x34, 0x12, 0, 0]), 'u16 host order')
  t.equal(hex(attrU16be(15, 4789)), bytes([...hdr(6, 15), 0x12, 0xb5, 0, 0]), 'u16 network order')
  t.equal(hex(attrU32(1, 0x01020304)), bytes([...hdr(8, 1), 4, 3, 2, 1]), 'u32: no padding')
  t.equal(hex(attrString(3, 'vb')), bytes([...hdr(7, 3), 0x76, 0x62, 0, 0]), 'string with NUL')
  t.equal(hex(attrString(1, 'veth', { nul: false })), bytes([...hdr(8, 1), ...ascii('veth')]), 'string without NUL')
  t.equal(hex(attrBytes(4, Buffer.from([10, 250, 0, 1]))), bytes([...hdr(8, 4), 10, 250, 0, 1]))
  t.equal(hex(encodeAttr(6, Buffer.alloc(0))), bytes(hdr(4, 6)), 'flag attribute: header only')
})

t.test('nested attributes count their children with padding', async t => {
  const child = attrU8(7, 1) // 8 bytes on the wire, len field 5
  t.equal(hex(attrNested(2, [child, child])), bytes([...hdr(20, 2), ...child, ...child]))
  t.equal(hex(attrNested(2, [child], { flag: true })), bytes([...hdr(12, 2 | NLA_F_NESTED), ...child]),
    'NLA_F_NESTED when asked')
  t.equal(hex(attrNested(2, [])), bytes(hdr(4, 2)), 'empty nest')
})

t.test('range checks throw before anything is built', async t => {
  t.throws(() => attrU8(1, 256), RangeError)
  t.throws(() => attrU16(1, -1), RangeError)
  t.throws(() => attrU32(1, 2 ** 32), RangeError)
  t.throws(() => attrU32(1, 1.5), RangeError)
  t.throws(() => encodeAttr(0x4000, Buffer.alloc(0)), RangeError, 'type needs bits 14/15 free')
  t.throws(() => encodeAttr(1, Buffer.alloc(0xffff)), RangeError, 'over the u16 length')
  t.throws(() => encodeVxlanLinkInfo({ vni: 0x1000000, port: 4789, learning: false }), /VNI 16777216/)
  t.throws(() => encodeVxlanLinkInfo({ vni: 1, port: 4789, learning: false, local: Buffer.alloc(16) }), /4 bytes/)
})

t.test('vxlan linkinfo = `ip link add x type vxlan id 1 dstport 4789 nolearning`', async t => {
  const expected = [
    ...hdr(44, IFLA_LINKINFO),
    ...hdr(9, IFLA_INFO_KIND), ...ascii('vxlan'), 0, 0, 0,
    ...hdr(28, IFLA_INFO_DATA),
    ...hdr(8, IFLA_VXLAN_ID), 1, 0, 0, 0,
    ...hdr(5, IFLA_VXLAN_LEARNING), 0, 0, 0, 0,
    ...hdr(6, IFLA_VXLAN_PORT), 0x12, 0xb5, 0, 0,
  ]
  // The package adds the IFLA_LINKINFO header around our payload; add it the same way here.
  const payload = encodeVxlanLinkInfo({ vni: 1, port: 4789, learning: false })
  t.equal(hex(encodeAttr(IFLA_LINKINFO, payload)), bytes(expected))
  // The same as captured from iproute2 6.1 (strace), as one literal.
  t.equal(hex(encodeAttr(IFLA_LINKINFO, payload)),
    '2c001200' + '0900010076786c616e000000' + '1c000200' + '0800010001000000' + '0500070000000000' + '06000f0012b50000')
})

t.test('vxlan linkinfo with local, dev and learning', async t => {
  // `ip link add vx type vxlan id 42 local 10.250.0.1 dev <ifindex 3> dstport 4789 nolearning`
  const expected = [
    ...hdr(60, IFLA_LINKINFO),
    ...hdr(9, IFLA_INFO_KIND), ...ascii('vxlan'), 0, 0, 0,
    ...hdr(44, IFLA_INFO_DATA),
    ...hdr(8, IFLA_VXLAN_LINK), 3, 0, 0, 0,
    ...hdr(8, IFLA_VXLAN_ID), 42, 0, 0, 0,
    ...hdr(8, IFLA_VXLAN_LOCAL), 10, 250, 0, 1,
    ...hdr(5, IFLA_VXLAN_LEARNING), 0, 0, 0, 0,
    ...hdr(6, IFLA_VXLAN_PORT), 0x12, 0xb5, 0, 0,
  ]
  const payload = encodeVxlanLinkInfo({
    vni: 42, port: 4789, learning: false, local: Buffer.from([10, 250, 0, 1]), underlayIndex: 3
  })
  t.equal(hex(encodeAttr(IFLA_LINKINFO, payload)), bytes(expected))

  const learning = encodeVxlanLinkInfo({ vni: 0xffffff, port: 8472, learning: true })
  t.equal(hex(learning), bytes([
    ...hdr(9, IFLA_INFO_KIND), ...ascii('vxlan'), 0, 0, 0,
    ...hdr(28, IFLA_INFO_DATA),
    ...hdr(8, IFLA_VXLAN_ID), 0xff, 0xff, 0xff, 0,
    ...hdr(5, IFLA_VXLAN_LEARNING), 1, 0, 0, 0,
    ...hdr(6, IFLA_VXLAN_PORT), 0x21, 0x18, 0, 0,
  ]), 'largest VNI, learning on, port 8472 big-endian')
})

t.test('veth linkinfo = `ip link add va type veth peer name vb`', async t => {
  const expected = [
    ...hdr(44, IFLA_LINKINFO),
    ...hdr(8, IFLA_INFO_KIND), ...ascii('veth'),
    ...hdr(32, IFLA_INFO_DATA),
    ...hdr(28, VETH_INFO_PEER), ...new Array(16).fill(0), // struct ifinfomsg, all zero
    ...hdr(7, IFLA_IFNAME), ...ascii('vb'), 0, 0,
  ]
  t.equal(hex(encodeAttr(IFLA_LINKINFO, encodeVethLinkInfo('vb'))), bytes(expected))
})

t.test('veth linkinfo with the peer born in another namespace = `ip link add va mtu 1400 type veth peer name vb mtu 1400 netns <fd>`', async t => {
  const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]
  const expected = [
    ...hdr(60, IFLA_LINKINFO),
    ...hdr(8, IFLA_INFO_KIND), ...ascii('veth'),
    ...hdr(48, IFLA_INFO_DATA),
    ...hdr(44, VETH_INFO_PEER), ...new Array(16).fill(0),
    ...hdr(7, IFLA_IFNAME), ...ascii('vb'), 0, 0,
    ...hdr(8, 4), ...le32(1400), // IFLA_MTU
    ...hdr(8, 28), ...le32(17), // IFLA_NET_NS_FD
  ]
  t.equal(hex(encodeAttr(IFLA_LINKINFO, encodeVethLinkInfo('vb', { mtu: 1400, netnsFd: 17 }))), bytes(expected))
})
