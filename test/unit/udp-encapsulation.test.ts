/**
 * The clear `udp` framing against hand-built byte vectors (layout in
 * dataplane/udp-encapsulation.ts). Behaviour shared with vxlan lives in
 * encapsulation-contract.test.ts.
 */
import t from 'tap'
import { UdpEncapsulation } from '../../dataplane/encap/udp/udp-encapsulation'
import { createPeerRoute, RouteTable } from '../../dataplane/route-table'
import { parseMAC } from '../../dataplane/mac'
import type { Decapsulated } from '../../dataplane/types'

const SELF_INDEX = 0x01020304
const PEER_INDEX = 0xa1b2c3d4
const PEER_ADDR = 0xc0a80002 // 192.168.0.2
const peer = createPeerRoute({
  nodeName: 'node-b',
  index: PEER_INDEX,
  address: '192.168.0.2',
  port: 6784,
  vtepMAC: parseMAC('02:00:00:00:00:02'),
  mtu: 1460,
})
const table = RouteTable.build({
  selfIndex: SELF_INDEX,
  selfVtepMAC: parseMAC('02:00:00:00:00:01'),
  routes: [{ prefix: '10.244.2.0/24', peer }],
})
const newOut = (): Decapsulated => ({ innerStart: -1, innerLen: -1, peer: undefined, replyStart: -1, replyLen: -1 })

// ICMP echo request 10.244.2.5 -> 10.244.1.9, 28 bytes (header checksum valid).
const INNER = Buffer.from('4500001c1234400040010000' + '0af40205' + '0af40109' + '0800f7ff00000000', 'hex')

/** A datagram as node-b (index PEER_INDEX) sends it to us (SELF_INDEX). */
function datagram (inner = INNER, header = '10010000' + '01020304' + 'a1b2c3d4'): Buffer {
  return Buffer.concat([Buffer.from(header, 'hex'), inner])
}

t.test('constants', async t => {
  const e = new UdpEncapsulation({ selfIndex: 1 })
  t.equal(e.kind, 'udp')
  t.equal(e.headerLen, 12)
  t.equal(e.overhead, 40, 'IPv4 20 + UDP 8 + 12')
})

t.test('encapsulate writes the exact 12-byte header in the headroom', async t => {
  const e = new UdpEncapsulation({ selfIndex: SELF_INDEX })
  const buf = Buffer.alloc(64 + INNER.length, 0xee)
  INNER.copy(buf, 64)
  const start = e.encapsulate(buf, 64, INNER.length, peer)
  t.equal(start, 52)
  t.equal(buf.subarray(52, 64).toString('hex'), '10010000' + 'a1b2c3d4' + '01020304',
    'type 0x10, version 1, reserved 0, receiver = peer index, sender = our index')
  t.same(buf.subarray(64), INNER, 'inner packet untouched')
  t.ok(buf.subarray(0, 52).every(b => b === 0xee), 'bytes before the header untouched')
})

t.test('decapsulate a hand-built datagram', async t => {
  const e = new UdpEncapsulation({ selfIndex: SELF_INDEX })
  const d = datagram()
  const out = newOut()
  t.equal(e.decapsulate(d, d.length, PEER_ADDR, table, out), 0)
  t.same(out, { innerStart: 12, innerLen: 28, peer, replyStart: 0, replyLen: 0 })
  t.equal(out.peer, peer, 'the very PeerRoute object')

  const reserved = datagram(INNER, '1001abcd' + '01020304' + 'a1b2c3d4')
  t.equal(e.decapsulate(reserved, reserved.length, PEER_ADDR, table, newOut()), 0, 'reserved bytes ignored')

  const padded = datagram(Buffer.concat([INNER, Buffer.alloc(18)]))
  const o2 = newOut()
  t.equal(e.decapsulate(padded, padded.length, PEER_ADDR, table, o2), 0)
  t.equal(o2.innerLen, 28, 'innerLen is the IPv4 total length; trailing padding ignored')

  const big = Buffer.alloc(4096)
  d.copy(big)
  t.equal(e.decapsulate(big, d.length, PEER_ADDR, table, newOut()), 0, 'len smaller than the buffer')
})

t.test('decapsulate drop reasons', async t => {
  const e = new UdpEncapsulation({ selfIndex: SELF_INDEX })
  const cases: Array<[string, Buffer, number, number]> = [
    ['WireGuard transport type 4', datagram(INNER, '04000000' + '01020304' + 'a1b2c3d4'), PEER_ADDR, 1],
    ['WireGuard handshake type 1', datagram(INNER, '01000000' + '01020304' + 'a1b2c3d4'), PEER_ADDR, 1],
    ['unknown version 2', datagram(INNER, '10020000' + '01020304' + 'a1b2c3d4'), PEER_ADDR, 1],
    ['receiver index is not ours', datagram(INNER, '10010000' + '01020305' + 'a1b2c3d4'), PEER_ADDR, 7],
    ['receiver index 0', datagram(INNER, '10010000' + '00000000' + 'a1b2c3d4'), PEER_ADDR, 7],
    ['unknown sender index', datagram(INNER, '10010000' + '01020304' + 'a1b2c3d5'), PEER_ADDR, 7],
    ['known sender from another address', datagram(), 0xc0a80003, 5],
    ['inner IPv6', datagram(Buffer.concat([Buffer.from([0x60]), INNER.subarray(1)])), PEER_ADDR, 10],
    ['inner total length beyond the datagram', datagram(INNER.subarray(0, 27)), PEER_ADDR, 1],
    ['inner IHL 4', datagram(Buffer.concat([Buffer.from([0x44]), INNER.subarray(1)])), PEER_ADDR, 1],
    ['header only', datagram(Buffer.alloc(0)), PEER_ADDR, 1],
  ]
  for (const [name, d, src, want] of cases) {
    const out = newOut()
    t.equal(e.decapsulate(d, d.length, src, table, out), want, name)
    t.equal(out.innerLen, -1, `${name}: out untouched`)
  }
  const d = datagram()
  t.equal(e.decapsulate(d, d.length + 1, PEER_ADDR, table, newOut()), 1, 'len beyond the buffer')
})

t.test('constructor validation', async t => {
  for (const bad of [0, -1, 2 ** 32, 1.5, NaN]) {
    t.throws(() => new UdpEncapsulation({ selfIndex: bad }), RangeError, String(bad))
  }
})
