/**
 * RFC 7348 VXLAN against hand-built byte vectors, including frames as a Linux kernel VXLAN
 * device (Flannel-style) sends them and the proxy-ARP reply.
 */
import t from 'tap'
import { VxlanEncapsulation } from '../../dataplane/encap/vxlan/vxlan-encapsulation'
import { createPeerRoute, RouteTable } from '../../dataplane/route-table'
import { parseMAC } from '../../dataplane/mac'
import type { Decapsulated } from '../../dataplane/types'

const OUR_MAC = parseMAC('02:4c:00:00:00:01') // Loom's VTEP
const KERNEL_MAC = parseMAC('16:2f:a9:37:51:0e') // the kernel peer's vxlan device
const KERNEL_ADDR = 0xc0a80002 // 192.168.0.2
const kernel = createPeerRoute({
  nodeName: 'flannel-node', index: 7, address: '192.168.0.2', port: 4789, vtepMAC: KERNEL_MAC, mtu: 1450,
})
const table = RouteTable.build({
  selfIndex: 1, selfVtepMAC: OUR_MAC, routes: [{ prefix: '10.244.2.0/24', peer: kernel }],
})
const newOut = (): Decapsulated => ({ innerStart: -1, innerLen: -1, peer: undefined, replyStart: -1, replyLen: -1 })

// ICMP echo request 10.244.2.5 -> 10.244.1.9 (28 bytes).
const INNER = '4500001c1234400040010000' + '0af40205' + '0af40109' + '0800f7ff00000000'
const VXLAN_VNI1 = '08000000' + '00000100'
const ETH_TO_US = '024c00000001' + '162fa937510e' // dst = our VTEP MAC, src = kernel's

function hex (s: string): Buffer { return Buffer.from(s.replace(/\s+/g, ''), 'hex') }

t.test('constants', async t => {
  const e = new VxlanEncapsulation({ vni: 1, selfVtepMAC: OUR_MAC })
  t.equal(e.kind, 'vxlan')
  t.equal(e.headerLen, 22, 'VXLAN 8 + Ethernet 14')
  t.equal(e.overhead, 50, 'IPv4 20 + UDP 8 + 22')
})

t.test('encapsulate: exact RFC 7348 header and inner Ethernet', async t => {
  for (const [vni, vniHex] of [[1, '000001'], [0xabcdef, 'abcdef'], [0, '000000'],
    [0xffffff, 'ffffff']] as Array<[number, string]>) {
    const e = new VxlanEncapsulation({ vni, selfVtepMAC: OUR_MAC })
    const inner = hex(INNER)
    const buf = Buffer.alloc(32 + inner.length, 0xee)
    inner.copy(buf, 32)
    const start = e.encapsulate(buf, 32, inner.length, kernel)
    t.equal(start, 10)
    t.equal(buf.subarray(10, 18).toString('hex'), `08000000${vniHex}00`,
      `VNI ${vni}: flags 0x08, 3 reserved zero bytes, VNI, 1 reserved zero byte`)
    t.equal(buf.subarray(18, 24).toString('hex'), '162fa937510e', 'Ethernet dst = the peer VTEP MAC')
    t.equal(buf.subarray(24, 30).toString('hex'), '024c00000001', 'Ethernet src = our VTEP MAC')
    t.equal(buf.subarray(30, 32).toString('hex'), '0800', 'EtherType IPv4')
    t.same(buf.subarray(32), inner, 'inner untouched')
    t.ok(buf.subarray(0, 10).every(b => b === 0xee), 'bytes before the header untouched')
  }
})

t.test('encapsulate overwrites stale headroom completely', async t => {
  const e = new VxlanEncapsulation({ vni: 1, selfVtepMAC: OUR_MAC })
  const buf = Buffer.alloc(22 + 28, 0xff)
  hex(INNER).copy(buf, 22)
  e.encapsulate(buf, 22, 28, kernel)
  t.equal(buf.subarray(0, 22).toString('hex'), VXLAN_VNI1 + '162fa937510e' + '024c00000001' + '0800')
})

t.test('decapsulate frames a Linux kernel VXLAN device sends', async t => {
  const e = new VxlanEncapsulation({ vni: 1, selfVtepMAC: OUR_MAC })
  const frame = hex(VXLAN_VNI1 + ETH_TO_US + '0800' + INNER)
  const out = newOut()
  t.equal(e.decapsulate(frame, frame.length, KERNEL_ADDR, table, out), 0)
  t.same(out, { innerStart: 22, innerLen: 28, peer: kernel, replyStart: 0, replyLen: 0 })

  // Linux with `gbp`: G flag 0x80 and a policy ID in bytes 2..3, ignored per RFC 7348 §5.
  const gbp = hex('88000123' + '00000100' + ETH_TO_US + '0800' + INNER)
  t.equal(e.decapsulate(gbp, gbp.length, KERNEL_ADDR, table, newOut()), 0, 'other flag bits and reserved bytes ignored')
  const bcast = hex(VXLAN_VNI1 + 'ffffffffffff' + '162fa937510e' + '0800' + INNER)
  t.equal(e.decapsulate(bcast, bcast.length, KERNEL_ADDR, table, newOut()), 0, 'broadcast destination accepted')
  const padded = hex(VXLAN_VNI1 + ETH_TO_US + '0800' + INNER + '00'.repeat(18))
  const o2 = newOut()
  t.equal(e.decapsulate(padded, padded.length, KERNEL_ADDR, table, o2), 0)
  t.equal(o2.innerLen, 28, 'Ethernet padding is not part of the inner packet')

  const big = new VxlanEncapsulation({ vni: 0xabcdef, selfVtepMAC: OUR_MAC })
  const f2 = hex('08000000' + 'abcdef00' + ETH_TO_US + '0800' + INNER)
  t.equal(big.decapsulate(f2, f2.length, KERNEL_ADDR, table, newOut()), 0, 'VNI 0xABCDEF')
  t.equal(e.decapsulate(f2, f2.length, KERNEL_ADDR, table, newOut()), 7, 'VNI 0xABCDEF on a VNI 1 node: UnknownSession')
})

t.test('decapsulate drop reasons', async t => {
  const e = new VxlanEncapsulation({ vni: 1, selfVtepMAC: OUR_MAC })
  const cases: Array<[string, string, number, number]> = [
    ['I flag clear', '00000000' + '00000100' + ETH_TO_US + '0800' + INNER, KERNEL_ADDR, 1],
    ['only non-I flags', 'f7000000' + '00000100' + ETH_TO_US + '0800' + INNER, KERNEL_ADDR, 1],
    ['other VNI', '08000000' + '00000200' + ETH_TO_US + '0800' + INNER, KERNEL_ADDR, 7],
    ['unknown underlay source', VXLAN_VNI1 + ETH_TO_US + '0800' + INNER, 0xc0a80009, 5],
    ['destination MAC of someone else', VXLAN_VNI1 + '024c00000002' + '162fa937510e' + '0800' + INNER, KERNEL_ADDR, 2],
    ['multicast destination MAC', VXLAN_VNI1 + '01005e000001' + '162fa937510e' + '0800' + INNER, KERNEL_ADDR, 2],
    ['IPv6 EtherType', VXLAN_VNI1 + ETH_TO_US + '86dd' + '6' + INNER.slice(1), KERNEL_ADDR, 10],
    ['802.1Q tag', VXLAN_VNI1 + ETH_TO_US + '8100' + '0064' + '0800' + INNER, KERNEL_ADDR, 10],
    ['unknown EtherType', VXLAN_VNI1 + ETH_TO_US + '88cc' + INNER, KERNEL_ADDR, 10],
    ['IPv4 EtherType, IPv6 packet', VXLAN_VNI1 + ETH_TO_US + '0800' + '6' + INNER.slice(1), KERNEL_ADDR, 10],
    ['inner truncated', VXLAN_VNI1 + ETH_TO_US + '0800' + INNER.slice(0, -2), KERNEL_ADDR, 1],
    ['no inner packet', VXLAN_VNI1 + ETH_TO_US + '0800', KERNEL_ADDR, 1],
    ['21 bytes', (VXLAN_VNI1 + ETH_TO_US + '08').slice(0, 42), KERNEL_ADDR, 1],
  ]
  for (const [name, h, src, want] of cases) {
    const frame = hex(h)
    const out = newOut()
    t.equal(e.decapsulate(frame, frame.length, src, table, out), want, name)
    t.equal(out.innerLen, -1, `${name}: out untouched`)
  }
})

// An ARP request as the kernel sends it when it lacks a neighbour entry for its gateway
// 10.244.1.0 (our overlay address): from 10.244.2.0 (its vxlan device address), broadcast.
const ARP_REQUEST =
  VXLAN_VNI1 +
  'ffffffffffff' + '162fa937510e' + '0806' + // Ethernet: broadcast, from the kernel's MAC
  '0001' + '0800' + '06' + '04' + '0001' + // Ethernet/IPv4, request
  '162fa937510e' + '0af40200' + // sender: kernel MAC, 10.244.2.0
  '000000000000' + '0af40100' // target: unknown MAC, 10.244.1.0
const ARP_REPLY =
  VXLAN_VNI1 +
  '162fa937510e' + '024c00000001' + '0806' + // Ethernet: to the kernel, from our VTEP MAC
  '0001' + '0800' + '06' + '04' + '0002' + // Ethernet/IPv4, reply
  '024c00000001' + '0af40100' + // sender: our VTEP MAC, the asked address
  '162fa937510e' + '0af40200' // target: the requester

t.test('ARP request -> exact proxy reply bytes, in place', async t => {
  const e = new VxlanEncapsulation({ vni: 1, selfVtepMAC: OUR_MAC })
  const frame = hex(ARP_REQUEST)
  t.equal(frame.length, 50)
  const out = newOut()
  t.equal(e.decapsulate(frame, frame.length, KERNEL_ADDR, table, out), 0)
  t.same(out, { innerStart: 0, innerLen: 0, peer: kernel, replyStart: 0, replyLen: 50 })
  t.equal(frame.toString('hex'), ARP_REPLY)

  // Any asked address is answered (proxy for the whole overlay); unicast-addressed requests too
  // (the kernel re-validates a stale entry with a unicast request); trailing padding is ignored.
  const other = hex(ARP_REQUEST.replace(/0af40100$/, '0af40141').replace('ffffffffffff',
    '024c00000001') + '00'.repeat(18))
  const o2 = newOut()
  t.equal(e.decapsulate(other, other.length, KERNEL_ADDR, table, o2), 0)
  t.equal(o2.replyLen, 50)
  t.equal(other.subarray(0, 50).toString('hex'),
    ARP_REPLY.replace('024c00000001' + '0af40100', '024c00000001' + '0af40141'))

  // A dirty VXLAN header (G flag, policy ID) is answered with a clean one.
  const dirty = hex('88000123' + ARP_REQUEST.slice(8))
  t.equal(e.decapsulate(dirty, dirty.length, KERNEL_ADDR, table, newOut()), 0)
  t.equal(dirty.toString('hex'), ARP_REPLY)
})

t.test('other ARP is not answered', async t => {
  const e = new VxlanEncapsulation({ vni: 1, selfVtepMAC: OUR_MAC })
  const arp = (s: string): Buffer => hex(s)
  const body = ARP_REQUEST.slice(16 + 28) // after VXLAN (8 bytes) + Ethernet (14 bytes), in hex chars
  const head = ARP_REQUEST.slice(0, 16 + 28)
  const cases: Array<[string, Buffer, number]> = [
    ['ARP reply', arp(head + body.replace(/^(.{12})0001/, '$10002')), 10],
    ['ARP probe (sender 0.0.0.0)', arp(head + body.replace('0af40200', '00000000')), 10],
    ['gratuitous ARP', arp(head + body.replace(/0af40100$/, '0af40200')), 10],
    ['not Ethernet hardware', arp(head + '0006' + body.slice(4)), 10],
    ['not IPv4 protocol', arp(head + body.replace(/^0001 ?0800/, '000186dd')), 10],
    ['truncated ARP', arp(ARP_REQUEST.slice(0, -2)), 1],
  ]
  for (const [name, frame, want] of cases) {
    const before = Buffer.from(frame)
    const out = newOut()
    t.equal(e.decapsulate(frame, frame.length, KERNEL_ADDR, table, out), want, name)
    t.same(frame, before, `${name}: frame not modified`)
    t.equal(out.replyLen, -1, `${name}: no reply`)
  }
})

t.test('constructor validation', async t => {
  for (const vni of [-1, 0x1000000, 1.5, NaN]) {
    t.throws(() => new VxlanEncapsulation({ vni, selfVtepMAC: OUR_MAC }), RangeError, String(vni))
  }
  t.throws(() => new VxlanEncapsulation({ vni: 1, selfVtepMAC: Buffer.alloc(5) }), RangeError)
})
