/**
 * Gossip codec: round trips of every message type, and hostile input (truncation at every
 * length, oversize, too many entries, bad lengths) giving typed failures, never exceptions.
 */
import t, { type Test } from 'tap'
import * as protobuf from 'protobufjs/minimal'
import {
  GOSSIP_FRAME_HEADER_LEN, STREAM_LIMITS, UDP_LIMITS, decodeGossipPacket, encodeGossipPacket, isDecodeFailure,
  type DecodeFailureReason, type GossipBody, type GossipPacket, type MemberRecord,
} from '../../control/transport/gossip-codec'
import { loom } from '../../control/proto/messages'

const ID_A = '00112233445566778899aabbccddeeff'
const ID_B = 'ffeeddccbbaa99887766554433221100'

function record (i: number, over: Partial<MemberRecord> = {}): MemberRecord {
  const id = Buffer.alloc(16); id.writeUInt32BE(i, 12)
  return {
    nodeName: `node-${i}`,
    nodeId: id.toString('hex'),
    address: `10.0.${(i >> 8) & 255}.${i & 255}`,
    dataPort: 6784,
    gossipPort: 7946,
    encapsulation: i % 2 === 0 ? 'udp' : 'vxlan',
    vtepMac: Buffer.from([2, 0, 0, 0, (i >> 8) & 255, i & 255]),
    publicKey: Buffer.alloc(32, i & 255),
    incarnation: i * 3,
    state: (['alive', 'suspect', 'dead', 'left'] as const)[i % 4],
    ...over,
  }
}

function packet (body: GossipBody, over: Partial<GossipPacket> = {}): GossipPacket {
  return {
    version: 1,
    clusterId: 'prod',
    senderId: ID_A,
    body,
    updates: [{ member: record(1), fromId: ID_B }, { member: record(2), fromId: ID_A }],
    appDeltas: [Buffer.from('ipam-delta-1'), Buffer.from([0, 1, 2])],
    ...over,
  }
}

function norm (p: GossipPacket): unknown {
  // Uint8Array vs Buffer: compare contents
  return JSON.parse(JSON.stringify(p,
    (_k,
      v) => (v instanceof Uint8Array ? `bytes:${Buffer.from(v).toString('hex')}` : v?.type === 'Buffer' ? `bytes:${Buffer.from(v.data).toString('hex')}` : v)))
}

function expectFailure (t: Test, buf: Uint8Array, reason: DecodeFailureReason, limits = UDP_LIMITS): void {
  const r = decodeGossipPacket(buf, limits)
  t.ok(isDecodeFailure(r), `decode fails with ${reason}`)
  if (isDecodeFailure(r)) t.equal(r.reason, reason, r.detail)
}

/** Encode a raw (unvalidated) protobuf GossipPacket into a frame. */
function rawFrame (p: loom.gossip.IGossipPacket): Buffer {
  const body = loom.gossip.GossipPacket.encode(p).finish()
  const out = Buffer.alloc(GOSSIP_FRAME_HEADER_LEN + body.length)
  out.writeUInt16BE(0x4c47, 0); out.writeUInt32BE(body.length, 2); out.set(body, 6)
  return out
}

const bodies: Array<[string, GossipBody]> = [
  ['ping', { type: 'ping', seqNo: 7, targetId: ID_B }],
  ['ack', { type: 'ack', seqNo: 4294967295, nack: false }],
  ['nack', { type: 'ack', seqNo: 9, nack: true }],
  ['ping-req', { type: 'ping-req', seqNo: 11, targetId: ID_B, targetAddress: '192.168.1.20', targetPort: 7946 }],
  ['push-pull',
    {
      type: 'push-pull',
      join: true,
      reply: false,
      members: [record(0), record(1), record(2), record(3)],
      appState: Buffer.from('full ipam state')
    }],
  ['gossip', { type: 'gossip' }],
]

t.test('round trip of every message type', async (t) => {
  for (const [name, body] of bodies) {
    const p = packet(body)
    const buf = encodeGossipPacket(p)
    t.ok(buf.length <= UDP_LIMITS.maxBytes, `${name} fits the UDP budget (${buf.length} B)`)
    const d = decodeGossipPacket(buf)
    t.notOk(isDecodeFailure(d), `${name} decodes`)
    t.same(norm(d as GossipPacket), norm(p), `${name} round trips`)
  }
  const empty = packet({ type: 'gossip' }, { updates: [], appDeltas: [] })
  t.same(norm(decodeGossipPacket(encodeGossipPacket(empty)) as GossipPacket), norm(empty), 'no updates / deltas')
  const nokey = packet({ type: 'gossip' },
    { updates: [{ member: record(5, { publicKey: new Uint8Array(0) }), fromId: ID_B }] })
  t.same(norm(decodeGossipPacket(encodeGossipPacket(nokey)) as GossipPacket), norm(nokey),
    'empty public key (encryption off) accepted')
})

t.test('frame header layout', async (t) => {
  const buf = encodeGossipPacket(packet({ type: 'ping', seqNo: 1, targetId: ID_B }))
  t.equal(buf.toString('latin1', 0, 2), 'LG')
  t.equal(buf.readUInt32BE(2), buf.length - 6)
})

t.test('truncation at every length fails with a reason, never throws', async (t) => {
  for (const [name, body] of bodies) {
    const buf = encodeGossipPacket(packet(body))
    let failures = 0
    for (let len = 0; len < buf.length; len++) {
      const r = decodeGossipPacket(buf.subarray(0, len))
      if (isDecodeFailure(r) && r.reason === 'truncated') failures++
    }
    t.equal(failures, buf.length, `${name}: all ${buf.length} truncations → truncated`)
  }
  // Body cut inside a field, with a header that agrees with the cut length: malformed, no throw.
  const buf = encodeGossipPacket(packet(bodies[4][1]))
  let counted = 0
  for (let len = 1; len < buf.length - 6; len++) {
    const cut = Buffer.from(buf.subarray(0, 6 + len)); cut.writeUInt32BE(len, 2)
    const r = decodeGossipPacket(cut, STREAM_LIMITS) // must not throw
    if (isDecodeFailure(r)) counted++
  }
  t.ok(counted > (buf.length - 6) / 2, `most re-framed cuts fail validation (${counted})`)
})

t.test('bad frames', async (t) => {
  const good = encodeGossipPacket(packet({ type: 'gossip' }))
  const bad = Buffer.from(good); bad[0] = 0x58
  expectFailure(t, bad, 'bad-magic')
  expectFailure(t, Buffer.concat([good, Buffer.from([0])]), 'trailing-bytes')
  const garbage = Buffer.from(good); garbage.fill(0xff, 6)
  expectFailure(t, garbage, 'malformed')
  expectFailure(t, Buffer.alloc(1401), 'too-large')
  const big = packet({ type: 'gossip' }, { appDeltas: [Buffer.alloc(1500)] })
  expectFailure(t, encodeGossipPacket(big), 'too-large')
  t.notOk(isDecodeFailure(decodeGossipPacket(encodeGossipPacket(big), STREAM_LIMITS)),
    'same packet fine on the stream profile')
})

t.test('unknown fields are ignored', async (t) => {
  const p = packet({ type: 'ping', seqNo: 3, targetId: ID_B })
  const frame = encodeGossipPacket(p)
  const w = protobuf.Writer.create()
  w.uint32((25 << 3) | 2).string('from the future') // field 25 (IPAM range), length-delimited
  w.uint32((30 << 3) | 0).uint32(12345) // field 30 varint
  w.uint32((33 << 3) | 5).fixed32(7) // fixed32
  const extra = w.finish()
  const out = Buffer.concat([frame, extra]); out.writeUInt32BE(out.length - 6, 2)
  const d = decodeGossipPacket(out)
  t.notOk(isDecodeFailure(d), 'decodes')
  t.same(norm(d as GossipPacket), norm(p), 'same packet as without the unknown fields')
  // unknown field inside a member record
  const rec = loom.gossip.MemberRecord.encode({
    nodeName: 'x',
    nodeId: Buffer.from(ID_B, 'hex'),
    address: '1.2.3.4',
    dataPort: 1,
    gossipPort: 2,
    encapsulation: 1,
    vtepMac: Buffer.alloc(6),
    state: 1
  }).finish()
  const recPlus = Buffer.concat([rec, protobuf.Writer.create().uint32((99 << 3) | 0).uint32(1).finish()])
  const pkt = protobuf.Writer.create()
  pkt.uint32((1 << 3) | 0).uint32(1)
  pkt.uint32((3 << 3) | 2).bytes(Buffer.from(ID_A, 'hex'))
  const upd = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(recPlus).uint32((2 << 3) | 2).bytes(Buffer.from(ID_A,
    'hex')).finish()
  pkt.uint32((8 << 3) | 2).bytes(upd)
  const b2 = pkt.finish()
  const f2 = Buffer.alloc(6 + b2.length); f2.writeUInt16BE(0x4c47, 0); f2.writeUInt32BE(b2.length, 2); f2.set(b2, 6)
  const d2 = decodeGossipPacket(f2)
  t.notOk(isDecodeFailure(d2), 'nested unknown field ignored')
  if (!isDecodeFailure(d2)) t.equal(d2.updates[0].member.nodeName, 'x')
})

t.test('count limits', async (t) => {
  const members = Array.from({ length: 17 }, (_, i) => record(i, { nodeName: 'n' }))
  const pp = packet({ type: 'push-pull', join: false, reply: false, members, appState: new Uint8Array(0) },
    { updates: [], appDeltas: [] })
  const buf = encodeGossipPacket(pp)
  expectFailure(t, buf, 'too-many-members', { ...STREAM_LIMITS, maxMembers: 16 })
  t.notOk(isDecodeFailure(decodeGossipPacket(buf, STREAM_LIMITS)), '17 members fine on the stream profile')
  // empty entries: counted before being materialised
  const many = rawFrame({
    version: 1, senderId: Buffer.from(ID_A, 'hex'), appDeltas: Array.from({ length: 65 }, () => new Uint8Array(0))
  })
  expectFailure(t, many, 'too-many-app-deltas')
  const ups = rawFrame({
    version: 1, senderId: Buffer.from(ID_A, 'hex'), updates: Array.from({ length: 65 }, () => ({}))
  })
  expectFailure(t, ups, 'too-many-updates', STREAM_LIMITS)
})

t.test('field validation', async (t) => {
  const withMember = (over: Partial<MemberRecord>): Buffer =>
    encodeGossipPacket(packet({ type: 'gossip' }, { updates: [{ member: record(1, over), fromId: ID_B }] }))
  expectFailure(t, withMember({ address: '10.0.0.256' }), 'bad-address')
  expectFailure(t, withMember({ address: '10.0.0' }), 'bad-address')
  expectFailure(t, withMember({ address: '01.2.3.4' }), 'bad-address')
  expectFailure(t, withMember({ address: '::1' }), 'bad-address')
  expectFailure(t, withMember({ vtepMac: Buffer.alloc(5) }), 'bad-mac')
  expectFailure(t, withMember({ vtepMac: Buffer.alloc(7) }), 'bad-mac')
  expectFailure(t, withMember({ publicKey: Buffer.alloc(31) }), 'bad-public-key')
  expectFailure(t, withMember({ publicKey: Buffer.alloc(33) }), 'bad-public-key')
  expectFailure(t, withMember({ nodeId: 'aabb' }), 'bad-node-id')
  expectFailure(t, withMember({ dataPort: 0 }), 'bad-port')
  expectFailure(t, withMember({ gossipPort: 70000 }), 'bad-port')
  expectFailure(t, withMember({ nodeName: 'x'.repeat(254) }), 'string-too-long')
  expectFailure(t, withMember({ nodeName: '' }), 'missing-field')
  expectFailure(t, encodeGossipPacket(packet({ type: 'gossip' }, { senderId: 'abcd' })), 'bad-node-id')
  expectFailure(t, encodeGossipPacket(packet({ type: 'gossip' }, { version: 2 })), 'unsupported-version')
  expectFailure(t, encodeGossipPacket(packet({ type: 'ping', seqNo: 1, targetId: '00' })), 'bad-node-id')
  expectFailure(t,
    encodeGossipPacket(packet({ type: 'ping-req', seqNo: 1, targetId: ID_B, targetAddress: 'host', targetPort: 1 })),
    'bad-address')
  const st = rawFrame({
    version: 1,
    senderId: Buffer.from(ID_A, 'hex'),
    updates: [{
      fromId: Buffer.from(ID_A, 'hex'),
      member: {
        nodeName: 'a',
        nodeId: Buffer.from(ID_B, 'hex'),
        address: '1.1.1.1',
        dataPort: 1,
        gossipPort: 1,
        encapsulation: 1,
        vtepMac: Buffer.alloc(6),
        state: 9 as loom.gossip.MemberState
      }
    }]
  })
  expectFailure(t, st, 'bad-state')
  const noMember = rawFrame({
    version: 1, senderId: Buffer.from(ID_A, 'hex'), updates: [{ fromId: Buffer.from(ID_A, 'hex') }]
  })
  expectFailure(t, noMember, 'missing-field')
})

t.test('random bytes never throw', async (t) => {
  let seed = 42
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32 }
  const base = encodeGossipPacket(packet(bodies[4][1]))
  let ok = 0
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.from(base)
    for (let k = 0; k < 3; k++) b[6 + Math.floor(rnd() * (b.length - 6))] = Math.floor(rnd() * 256)
    const r = decodeGossipPacket(b, STREAM_LIMITS)
    if (!isDecodeFailure(r)) ok++
  }
  t.pass(`3000 mutated frames decoded without throwing (${ok} still valid)`)
})
