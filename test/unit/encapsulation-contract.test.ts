/**
 * The Encapsulation contract (dataplane/types.ts), one suite run against every implementation
 * (libp2p's interface-compliance-tests pattern). Two nodes, A (sender) and B (receiver), each
 * with its own route table; A encapsulates, the datagram is copied to offset 0 of a receive
 * buffer as recvBatch would leave it, and B decapsulates.
 */
import t from 'tap'
import { UdpEncapsulation } from '../../dataplane/encap/udp/udp-encapsulation'
import { VxlanEncapsulation } from '../../dataplane/encap/vxlan/vxlan-encapsulation'
import { createPeerRoute, RouteTable } from '../../dataplane/route-table'
import { deriveVtepMAC } from '../../dataplane/mac'
import { deriveNodeIndex } from '../../dataplane/node-index'
import { ipv4HeaderChecksum } from '../../dataplane/ipv4'
import { DROP_REASONS, Drop } from '../../dataplane/types'
import type { Decapsulated, Encapsulation, PeerRoute } from '../../dataplane/types'

const A = {
  name: 'node-a',
  index: deriveNodeIndex('node-a'),
  mac: deriveVtepMAC('node-a'),
  address: '192.168.0.1',
  u32: 0xc0a80001
}
const B = {
  name: 'node-b',
  index: deriveNodeIndex('node-b'),
  mac: deriveVtepMAC('node-b'),
  address: '192.168.0.2',
  u32: 0xc0a80002
}
const C = {
  name: 'node-c',
  index: deriveNodeIndex('node-c'),
  mac: deriveVtepMAC('node-c'),
  address: '192.168.0.3',
  u32: 0xc0a80003
}

function peerOf (n: typeof A): PeerRoute {
  return createPeerRoute({
    nodeName: n.name, index: n.index, address: n.address, port: 6784, vtepMAC: n.mac, mtu: 1400
  })
}
const peerA = peerOf(A)
const peerB = peerOf(B)
/** B's view: it knows A. */
const tableB = RouteTable.build({
  selfIndex: B.index, selfVtepMAC: B.mac, routes: [{ prefix: '10.244.1.0/24', peer: peerA }]
})
/** A directory on B that does not know A (only C). */
const tableBWithoutA = RouteTable.build({
  selfIndex: B.index, selfVtepMAC: B.mac, routes: [{ prefix: '10.244.3.0/24', peer: peerOf(C) }]
})

interface Impl { name: string, sender: () => Encapsulation, receiver: () => Encapsulation }
const IMPLS: Impl[] = [
  {
    name: 'udp',
    sender: () => new UdpEncapsulation({ selfIndex: A.index }),
    receiver: () => new UdpEncapsulation({ selfIndex: B.index })
  },
  {
    name: 'vxlan',
    sender: () => new VxlanEncapsulation({ vni: 1, selfVtepMAC: A.mac }),
    receiver: () => new VxlanEncapsulation({ vni: 1, selfVtepMAC: B.mac })
  },
]

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function prng (seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

/** A valid IPv4 UDP packet 10.244.1.5 -> 10.244.2.7 of `len` bytes with random payload. */
function innerPacket (len: number, rand: () => number): Buffer {
  const p = Buffer.alloc(len)
  for (let i = 20; i < len; i++) p[i] = Math.floor(rand() * 256)
  p[0] = 0x45; p.writeUInt16BE(len, 2); p.writeUInt16BE(0x4000, 6); p[8] = 64; p[9] = 17
  p.writeUInt32BE(0x0af40105, 12); p.writeUInt32BE(0x0af40207, 16)
  p.writeUInt16BE(ipv4HeaderChecksum(p, 0, 20), 10)
  return p
}

const newOut = (): Decapsulated => ({ innerStart: -1, innerLen: -1, peer: undefined, replyStart: -1, replyLen: -1 })
const HEADROOM = 64

/** Encapsulates `inner` from A to B and returns the UDP payload as B receives it. */
function send (enc: Encapsulation, inner: Buffer): Buffer {
  const buf = Buffer.alloc(HEADROOM + inner.length)
  inner.copy(buf, HEADROOM)
  const start = enc.encapsulate(buf, HEADROOM, inner.length, peerB)
  return Buffer.from(buf.subarray(start))
}

for (const impl of IMPLS) {
  t.test(`${impl.name}: Encapsulation contract`, async t => {
    const tx = impl.sender()
    const rx = impl.receiver()

    t.test('overhead = outer IPv4 + UDP + headerLen; encapsulate returns innerStart - headerLen', async t => {
      t.equal(tx.kind, impl.name)
      t.equal(tx.overhead, 28 + tx.headerLen)
      const inner = innerPacket(100, prng(1))
      const buf = Buffer.alloc(HEADROOM + 100, 0xa5)
      inner.copy(buf, HEADROOM)
      t.equal(tx.encapsulate(buf, HEADROOM, 100, peerB), HEADROOM - tx.headerLen)
      t.same(buf.subarray(HEADROOM), inner, 'payload not touched')
      t.ok(buf.subarray(0, HEADROOM - tx.headerLen).every(b => b === 0xa5), 'nothing written before the header')
    })

    t.test('round trip preserves the inner packet byte for byte', async t => {
      const rand = prng(42)
      for (const len of [20, 21, 28, 64, 576, 1399, 1400, 1450, 8000, 65535 - 64]) {
        const inner = innerPacket(len, rand)
        const d = send(tx, inner)
        t.equal(d.length, tx.headerLen + len, `${len}: datagram length`)
        const recv = Buffer.alloc(65536)
        d.copy(recv)
        const out = newOut()
        t.equal(rx.decapsulate(recv, d.length, A.u32, tableB, out), Drop.None, `${len}: accepted`)
        t.equal(out.innerStart, tx.headerLen)
        t.equal(out.innerLen, len)
        t.equal(out.peer, peerA, 'sender identified')
        t.equal(out.replyLen, 0, 'no reply')
        t.ok(recv.subarray(out.innerStart, out.innerStart + out.innerLen).equals(inner), `${len}: bytes equal`)
      }
    })

    t.test('every truncation from 0 to headerLen + 20 bytes is Malformed and never throws', async t => {
      const inner = innerPacket(100, prng(7))
      const d = send(tx, inner)
      for (let len = 0; len <= tx.headerLen + 20; len++) {
        // Once with the whole buffer and `len`, once with a buffer of exactly `len` bytes.
        t.equal(rx.decapsulate(Buffer.from(d), len, A.u32, tableB, newOut()), Drop.Malformed, `len ${len}`)
        t.equal(rx.decapsulate(Buffer.from(d.subarray(0, len)), len, A.u32, tableB, newOut()), Drop.Malformed,
          `exact buffer, len ${len}`)
      }
      t.equal(rx.decapsulate(Buffer.from(d), d.length - 1, A.u32, tableB, newOut()), Drop.Malformed,
        'one byte short of the inner total length')
    })

    t.test('unknown sender is refused (Auth or UnknownSession)', async t => {
      const d = send(tx, innerPacket(60, prng(3)))
      const r1 = rx.decapsulate(Buffer.from(d), d.length, A.u32, tableBWithoutA, newOut())
      t.ok(r1 === Drop.Auth || r1 === Drop.UnknownSession, `directory without A: ${DROP_REASONS[r1]}`)
      t.equal(rx.decapsulate(Buffer.from(d), d.length, C.u32, tableB, newOut()), Drop.Auth,
        'valid datagram from the wrong address: auth')
      t.equal(rx.decapsulate(Buffer.from(d), d.length, 0, tableB, newOut()), Drop.Auth, 'from 0.0.0.0: auth')
    })

    t.test('fuzz: 10 000 random and mutated buffers never throw and return a valid Drop', async t => {
      const rand = prng(0xc0ffee)
      const valid = send(tx, innerPacket(80, rand))
      const counts = new Array<number>(DROP_REASONS.length).fill(0)
      const problems: string[] = []
      const out = newOut()
      for (let i = 0; i < 10000; i++) {
        let buf: Buffer
        if (i % 2 === 0) {
          buf = Buffer.alloc(Math.floor(rand() * 200))
          for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(rand() * 256)
        } else {
          // A valid datagram with 1–4 random bytes changed and a random length: reaches deep paths.
          buf = Buffer.from(valid)
          const flips = 1 + Math.floor(rand() * 4)
          for (let f = 0; f < flips; f++) buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256)
          buf = buf.subarray(0, Math.floor(rand() * (buf.length + 1)))
        }
        const src = rand() < 0.9 ? A.u32 : Math.floor(rand() * 2 ** 32)
        out.innerStart = -1; out.innerLen = -1; out.replyStart = -1; out.replyLen = -1
        let r: number
        try {
          r = rx.decapsulate(buf, buf.length, src, tableB, out)
        } catch (err) {
          problems.push(`threw on ${buf.toString('hex')}: ${String(err)}`)
          continue
        }
        if (!Number.isInteger(r) || r < 0 || r >= DROP_REASONS.length) { problems.push(`bad code ${r}`); continue }
        counts[r]++
        if (r === Drop.None) {
          const innerOk = out.innerLen >= 20 && out.innerStart + out.innerLen <= buf.length
          const replyOk = out.innerLen === 0 && out.replyLen > 0 && out.replyStart + out.replyLen <= buf.length
          if (!innerOk &&
            !replyOk) problems.push(`None with bad ranges ${JSON.stringify(out)} on ${buf.toString('hex')}`)
          if (out.peer !== peerA) problems.push('None with a peer other than A')
        }
      }
      t.same(problems.slice(0, 5), [], 'no throws, no invalid codes, no out-of-range results')
      t.ok(counts[Drop.Malformed] > 0 && counts[Drop.None] > 0,
        `reached several outcomes: ${counts.map((c,
          i) => `${DROP_REASONS[i]}=${c}`).filter(s => !s.endsWith('=0')).join(' ')}`)
    })
  })
}
