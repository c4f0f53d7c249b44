/**
 * The forwarder with TUN offloads, UDP GRO and per-flow source ports, over memory devices whose
 * packets carry virtio-net headers (the native byte loops are the real ones): a TCP super-packet
 * read on node A leaves as MTU-sized datagrams, arrives at B glued by "GRO" and is written into
 * B's TUN as one super-packet again, byte for byte.
 */
import t, { type Test } from 'tap'
import { Forwarder } from '../../dataplane/forwarder'
import { parseIPv4Address } from '../../lib'
import { deriveVtepMAC } from '../../dataplane/mac'
import { deriveNodeIndex } from '../../dataplane/node-index'
import { createPeerRoute, RouteTable } from '../../dataplane/route-table'
import {
  createDataplaneStats, DatagramTransport, DataplaneStats, Device, Drop, Encapsulation
} from '../../dataplane/types'
import { UdpEncapsulation } from '../../dataplane/encap/udp/udp-encapsulation'
import {
  createVirtioNetHeader, decodeVirtioNetHeader, encodeVirtioNetHeader, VNET_F_NEEDS_CSUM, VNET_GSO_NONE,
  VNET_GSO_TCPV4, VNET_HDR_LEN,
} from '../../dataplane/virtio-net'
import { VxlanEncapsulation } from '../../dataplane/encap/vxlan/vxlan-encapsulation'
import { SecureEncapsulation } from '../../dataplane/crypto/secure-encapsulation'
import { defaultAead, TransportAead } from '../../dataplane/crypto/transport-aead'
import { generateKeyPair } from '../../dataplane/crypto/primitives'

class VnetDevice implements Device {
  readonly name = 'vnet0'
  readonly vnetHeaderLen = VNET_HDR_LEN
  readonly inbox: Buffer[] = []
  readonly written: Buffer[] = []
  readBatch (bufs: Buffer[], sizes: Int32Array, headroom: number): number {
    let n = 0
    while (n < bufs.length && this.inbox.length > 0) {
      const p = this.inbox.shift() as Buffer
      p.copy(bufs[n], headroom)
      sizes[n++] = p.length
    }
    return n
  }

  writeBatch (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, count: number): number {
    for (let i = 0; i < count; i++) {
      this.written.push(Buffer.from(bufs[i].subarray(offsets[i],
        offsets[i] + lengths[i])))
    }
    return count
  }

  onReadable (): void {}
  close (): void {}
}

interface Sent { data: Buffer, addr: number, source: number }

/** Datagrams per destination; with `gro`, a receive glues a run of equal-size datagrams from one source. */
class GroTransport implements DatagramTransport {
  readonly inbox: Sent[] = []
  readonly sent: Sent[] = []
  constructor (readonly wire: Map<number, GroTransport>, readonly address: number, readonly port: number,
    readonly gro: boolean, readonly sourcePorts = 1) {
    wire.set(address, this)
  }

  recvBatch (bufs: Buffer[], sizes: Int32Array, addrs: Uint32Array, ports: Uint16Array,
    segmentSizes?: Int32Array): number {
    let n = 0
    while (n < bufs.length && this.inbox.length > 0) {
      const first = this.inbox.shift() as Sent
      let glued = first.data
      let count = 1
      while (this.gro && this.inbox.length > 0 && this.inbox[0].addr === first.addr &&
        this.inbox[0].source === first.source &&
        this.inbox[0].data.length <= first.data.length && glued.length + this.inbox[0].data.length <= 65535 &&
        glued.length === count * first.data.length) {
        glued = Buffer.concat([glued, (this.inbox.shift() as Sent).data])
        count++
      }
      glued.copy(bufs[n], 0)
      sizes[n] = glued.length
      addrs[n] = first.addr
      ports[n] = this.port
      if (segmentSizes !== undefined) segmentSizes[n] = count > 1 ? first.data.length : 0
      n++
    }
    return n
  }

  sendBatch (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, addrs: Uint32Array, _ports: Uint16Array,
    count: number, sources?: Uint8Array): number {
    for (let i = 0; i < count; i++) {
      this.deliver(Buffer.from(bufs[i].subarray(offsets[i], offsets[i] + lengths[i])),
        addrs[i], sources?.[i] ?? 0)
    }
    return count
  }

  sendSegmented (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, start: number, count: number,
    _segmentSize: number, addr: number, _port: number, source = 0): number {
    for (let i = start; i < start + count; i++) {
      this.deliver(Buffer.from(bufs[i].subarray(offsets[i],
        offsets[i] + lengths[i])), addr, source)
    }
    return count
  }

  private deliver (data: Buffer, addr: number, source: number): void {
    this.sent.push({ data, addr, source })
    this.wire.get(addr)?.inbox.push({ data, addr: this.address, source })
  }

  onReadable (): void {}
  close (): void {}
}

const NODES = [
  { name: 'a', address: '198.18.0.1', podCIDR: '10.244.1.0/24' },
  { name: 'b', address: '198.18.0.2', podCIDR: '10.244.2.0/24' },
]

interface Node {
  device: VnetDevice
  transport: GroTransport
  stats: DataplaneStats
  forwarder: Forwarder
  encapsulation: Encapsulation
}

function pair (kind: 'udp' | 'vxlan' | 'encrypted',
  opts: { mtu?: number, gro?: boolean, sourcePorts?: number, aead?: TransportAead } = {}): Node[] {
  const wire = new Map<number, GroTransport>()
  const keys = NODES.map(() => generateKeyPair())
  return NODES.map((self, i) => {
    const selfIndex = deriveNodeIndex(self.name)
    const selfVtepMAC = deriveVtepMAC(self.name)
    const routes = NODES.filter((n) => n !== self).map((n) => ({
      prefix: n.podCIDR,
      peer: createPeerRoute({
        nodeName: n.name,
        index: deriveNodeIndex(n.name),
        address: n.address,
        port: 6784,
        vtepMAC: deriveVtepMAC(n.name),
        mtu: opts.mtu ?? 1460,
        ...(kind === 'encrypted' ? { publicKey: keys[NODES.indexOf(n)].publicKey } : {}),
      }),
    }))
    const encapsulation: Encapsulation = kind === 'udp'
      ? new UdpEncapsulation({
        selfIndex
      })
      : kind === 'vxlan'
        ? new VxlanEncapsulation({ vni: 1, selfVtepMAC })
        : new SecureEncapsulation({
          staticKey: keys[i], presharedKeys: [Buffer.alloc(32, 7)], ...(opts.aead ? { aead: opts.aead } : {}),
        })
    const device = new VnetDevice()
    const transport = new GroTransport(wire, parseIPv4Address(self.address), 6784, opts.gro ?? true, opts.sourcePorts ??
      1)
    const stats = createDataplaneStats()
    const table = RouteTable.build({ selfIndex, selfVtepMAC, routes })
    if (encapsulation instanceof SecureEncapsulation) encapsulation.syncPeers(table.peers())
    const forwarder = new Forwarder({ device, transport, encapsulation, stats }, {
      overlayAddressU32: parseIPv4Address(self.podCIDR.split('/')[0]),
      routes: table,
      mtu: opts.mtu ?? 1460,
    })
    forwarder.start()
    return { device, transport, stats, forwarder, encapsulation }
  })
}

function sum16 (b: Buffer): number {
  let s = 0
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) + (i + 1 < b.length ? b[i + 1] : 0)
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000)
  return s
}

function pseudo (ip: Buffer, proto: number): Buffer {
  const p = Buffer.alloc(12)
  ip.copy(p, 0, 12, 20)
  p[9] = proto
  p.writeUInt16BE(ip.length - 20, 10)
  return p
}

/** A TCP/IPv4 packet 10.244.1.11:sport -> 10.244.2.22:5201, its checksum partial (pseudo-header sum). */
function tcp (payload: Buffer, opts: { seq?: number, flags?: number, sport?: number } = {}): Buffer {
  const p = Buffer.alloc(40 + payload.length)
  p[0] = 0x45
  p.writeUInt16BE(p.length, 2)
  p.writeUInt16BE(7, 4)
  p[6] = 0x40
  p[8] = 64
  p[9] = 6
  p.writeUInt32BE(0x0af4010b, 12)
  p.writeUInt32BE(0x0af40216, 16)
  p.writeUInt16BE(0xffff - sum16(p.subarray(0, 20)), 10)
  p.writeUInt16BE(opts.sport ?? 40000, 20)
  p.writeUInt16BE(5201, 22)
  p.writeUInt32BE(opts.seq ?? 1, 24)
  p.writeUInt32BE(9, 28)
  p[32] = 0x50
  p[33] = opts.flags ?? 0x18
  p.writeUInt16BE(500, 34)
  payload.copy(p, 40)
  p.writeUInt16BE(sum16(pseudo(p, 6)), 36)
  return p
}

function withVnet (pkt: Buffer, h: Partial<ReturnType<typeof createVirtioNetHeader>>): Buffer {
  const b = Buffer.alloc(VNET_HDR_LEN + pkt.length)
  encodeVirtioNetHeader({ ...createVirtioNetHeader(), ...h }, b, 0)
  pkt.copy(b, VNET_HDR_LEN)
  return b
}

function payload (n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 255
  return b
}

for (const kind of ['udp', 'vxlan'] as const) {
  t.test(`${kind}: a TCP super-packet crosses as MTU-sized datagrams and is rebuilt at B`, async (t) => {
    const [a, b] = pair(kind)
    const data = payload(5000)
    a.device.inbox.push(withVnet(tcp(data),
      { flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_TCPV4, hdrLen: 40, gsoSize: 1400, csumStart: 20, csumOffset: 16 }))
    a.forwarder.runOutbound()
    t.equal(a.stats.superPacketsOut, 1)
    t.equal(a.stats.segmentsOut, 4)
    t.same(a.transport.sent.map((d) => d.data.length - a.transport.sent[0].data.length + 1440), [1440, 1440, 1440, 840],
      'four datagrams: 3 x (40 + 1400) and the rest')
    t.ok(a.transport.sent.every((d) => d.data.length <= 1460 + (kind === 'udp' ? 12 : 22)), 'none above MTU + framing')
    b.forwarder.runInbound()
    t.equal(b.stats.udpGroTrains, 1, 'the train arrived glued and was cut apart')
    t.equal(b.stats.coalescedIn, 3, 'and merged back into one super-packet')
    t.equal(b.device.written.length, 1)
    const w = b.device.written[0]
    const h = createVirtioNetHeader()
    t.ok(decodeVirtioNetHeader(w, 0, w.length - 10, h))
    t.same(h,
      { flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_TCPV4, hdrLen: 40, gsoSize: 1400, csumStart: 20, csumOffset: 16 })
    const ip = w.subarray(10)
    t.same(ip.subarray(40), data, 'payload byte for byte')
    t.equal(ip[33], 0x18, 'PSH back on the super-packet')
    const finished = Buffer.from(ip)
    finished.writeUInt16BE(0xffff - sum16(finished.subarray(20)), 36)
    t.equal(sum16(Buffer.concat([pseudo(finished, 6), finished.subarray(20)])), 0xffff, 'checksum completes')
    t.equal(b.stats.dropsInbound.reduce((x, y) => x + y, 0), 0)
  })
}

t.test('a single NEEDS_CSUM packet leaves with a complete checksum; B writes it with a plain header', async (t) => {
  const [a, b] = pair('udp')
  a.device.inbox.push(withVnet(tcp(payload(100), { flags: 0x10 }),
    { flags: VNET_F_NEEDS_CSUM, csumStart: 20, csumOffset: 16 }))
  a.forwarder.runOutbound()
  const inner = a.transport.sent[0].data.subarray(12)
  t.equal(sum16(Buffer.concat([pseudo(inner, 6), inner.subarray(20)])), 0xffff, 'checksum completed before sending')
  b.forwarder.runInbound()
  t.same([...b.device.written[0].subarray(0, 10)], new Array(10).fill(0), 'verified at B: plain virtio header')
  t.same(b.device.written[0].subarray(10), inner)
})

t.test('completed partial checksums are counted: single packets and segments', async (t) => {
  const [a] = pair('udp')
  for (let k = 0; k < 3; k++) {
    a.device.inbox.push(withVnet(tcp(payload(100, k), { flags: 0x10 }),
      { flags: VNET_F_NEEDS_CSUM, csumStart: 20, csumOffset: 16 }))
  }
  a.device.inbox.push(withVnet(tcp(payload(100)), {}))
  a.forwarder.runOutbound()
  t.equal(a.stats.checksumsCompleted, 3, 'three NEEDS_CSUM packets, one already complete')
  t.equal(a.transport.sent.length, 4)
})

t.test('malformed virtio headers are dropped and counted; segments over the MTU get ICMP', async (t) => {
  const [a] = pair('udp', { mtu: 1400 })
  a.device.inbox.push(withVnet(tcp(payload(3000)),
    { flags: VNET_F_NEEDS_CSUM, gsoType: 9, gsoSize: 1400, csumStart: 20, csumOffset: 16 }))
  a.device.inbox.push(withVnet(tcp(payload(3000)),
    { flags: 0, gsoType: VNET_GSO_TCPV4, gsoSize: 1400, csumStart: 20, csumOffset: 16 }))
  a.device.inbox.push(withVnet(tcp(payload(3000)),
    { flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_TCPV4, gsoSize: 1400, csumStart: 30, csumOffset: 16 }))
  a.device.inbox.push(withVnet(tcp(payload(3000)),
    { flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_TCPV4, gsoSize: 1400, csumStart: 20, csumOffset: 16 }))
  a.forwarder.runOutbound()
  t.equal(a.stats.dropsOutbound[Drop.Malformed], 3,
    'unknown GSO type, GSO without NEEDS_CSUM, csumStart not the IP header')
  t.equal(a.stats.dropsOutbound[Drop.Mtu], 1, '40 + 1400 > MTU 1400')
  t.equal(a.transport.sent.length, 0)
  t.equal(a.stats.icmpFragNeededSent, 1)
  const icmp = a.device.written[0]
  t.same([...icmp.subarray(0, 10)], new Array(10).fill(0), 'ICMP written behind a plain virtio header')
  t.equal(icmp[10 + 20], 3, 'ICMP type 3')
  t.equal(icmp[10 + 21], 4, 'code 4: fragmentation needed')
  t.equal(icmp.readUInt16BE(10 + 26), 1400, 'next-hop MTU')
})

t.test('per-flow source ports: a flow keeps one, flows spread', async (t) => {
  const [a] = pair('vxlan', { sourcePorts: 16 })
  for (let f = 0; f < 32; f++) {
    for (let k = 0; k < 3; k++) {
      a.device.inbox.push(withVnet(tcp(payload(200, k),
        { sport: 30000 + f, seq: 1 + k * 200 }), {}))
    }
  }
  a.forwarder.runOutbound()
  const byFlow = new Map<number, Set<number>>()
  for (const d of a.transport.sent) {
    const sport = d.data.readUInt16BE(22 + 20)
    if (!byFlow.has(sport)) byFlow.set(sport, new Set())
    byFlow.get(sport)?.add(d.source)
  }
  t.equal(byFlow.size, 32)
  t.ok([...byFlow.values()].every((s) => s.size === 1), 'every packet of a flow from the same source port')
  const used = new Set([...byFlow.values()].map((s) => [...s][0]))
  t.ok(used.size >= 8, `32 flows use ${used.size} of 16 source ports`)
  const [c] = pair('vxlan', { sourcePorts: 1 })
  c.device.inbox.push(withVnet(tcp(payload(10)), {}))
  c.forwarder.runOutbound()
  t.equal(c.transport.sent[0].source, 0, 'one source port: slot 0')
})

t.test('without UDP GRO and with plain headers the inbound path still writes virtio headers', async (t) => {
  const [a, b] = pair('udp', { gro: false })
  for (let k = 0; k < 3; k++) {
    a.device.inbox.push(withVnet(tcp(payload(1000, k), { seq: 1 + k * 1000, flags: 0x10 }),
      { flags: VNET_F_NEEDS_CSUM, csumStart: 20, csumOffset: 16, gsoType: VNET_GSO_NONE }))
  }
  a.forwarder.runOutbound()
  b.forwarder.runInbound()
  t.equal(b.stats.udpGroTrains, 0)
  t.equal(b.device.written.length, 1, 'three in-order segments coalesced without UDP GRO too')
  t.equal(b.device.written[0].length, 10 + 40 + 3000)
})

/** An encrypted pair after its handshake: the first packet is staged, A initiates, B responds, A sends it. */
function handshaken (t: Test, aead: TransportAead): Node[] {
  const [a, b] = pair('encrypted', { aead })
  a.device.inbox.push(withVnet(tcp(payload(100), { flags: 0x10 }), {}))
  a.forwarder.runOutbound()
  b.forwarder.runInbound()
  a.forwarder.runInbound()
  b.forwarder.runInbound()
  t.equal(b.device.written.length, 1, 'the staged packet arrived after the handshake')
  b.device.written.length = 0
  return [a, b]
}

t.test('encrypted: super-packets leave sealed in batches (one native call per 128) and arrive whole', async (t) => {
  const native = defaultAead()
  const calls = { seal: 0, sealBatch: 0, batched: 0 }
  const aead: TransportAead = {
    name: 'counting',
    seal: (...args) => { calls.seal++; return native.seal(...args) },
    open: native.open,
    openBatch: native.openBatch,
    sealBatch: (keys, bufs, refs, offsets, lengths, counters, count) => {
      calls.sealBatch++
      calls.batched += count
      return native.sealBatch(keys, bufs, refs, offsets, lengths, counters, count)
    },
  }
  const [a, b] = handshaken(t, aead)
  a.transport.sent.length = 0
  const sealsBefore = calls.seal

  // 3 super-packets of 45 segments: 135 seals, more than one batch of 128.
  const data = payload(3 * 63000, 5)
  for (let k = 0; k < 3; k++) {
    a.device.inbox.push(withVnet(tcp(data.subarray(k * 63000, (k + 1) * 63000), { seq: 1 + k * 63000 }),
      { flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_TCPV4, hdrLen: 40, gsoSize: 1400, csumStart: 20, csumOffset: 16 }))
  }
  a.forwarder.runOutbound()
  t.equal(a.stats.segmentsOut, 135)
  t.equal(a.transport.sent.length, 135, 'every segment left')
  t.equal(calls.seal, sealsBefore, 'no data packet sealed one call at a time')
  t.equal(calls.batched, 135, 'all 135 sealed through sealBatch')
  t.ok(calls.sealBatch >= 2 && calls.sealBatch <= 3, `${calls.sealBatch} sealBatch calls`)
  const probe = data.subarray(70000, 70032)
  t.notOk(a.transport.sent.some((d) => d.data.includes(probe)), 'no plaintext on the wire')
  b.forwarder.runInbound()
  t.equal(b.stats.dropsInbound.reduce((x, y) => x + y, 0), 0, 'every datagram opened')
  const got = Buffer.concat(b.device.written.map((w) => w.subarray(10 + 40)))
  t.equal(got.length, data.length)
  t.ok(got.equals(data), 'byte-identical after seal, open and coalescing')
})

t.test('encrypted inbound: a receive batch is opened in openBatch calls; a forged and a replayed datagram in it are ' +
  'counted and the rest delivered', async (t) => {
  const native = defaultAead()
  const calls = { open: 0, openBatch: 0, batched: 0 }
  const aead: TransportAead = {
    name: 'counting',
    seal: native.seal,
    sealBatch: native.sealBatch,
    open: (...args) => { calls.open++; return native.open(...args) },
    openBatch: (keys, bufs, refs, offsets, lengths, counters, count, ok) => {
      calls.openBatch++
      calls.batched += count
      return native.openBatch(keys, bufs, refs, offsets, lengths, counters, count, ok)
    },
  }
  const [a, b] = handshaken(t, aead)
  const before = { ...calls }

  const data = payload(3 * 63000, 9)
  for (let k = 0; k < 3; k++) {
    a.device.inbox.push(withVnet(tcp(data.subarray(k * 63000, (k + 1) * 63000), { seq: 1 + k * 63000 }),
      { flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_TCPV4, hdrLen: 40, gsoSize: 1400, csumStart: 20, csumOffset: 16 }))
  }
  a.forwarder.runOutbound()
  const inbox = b.transport.inbox
  t.equal(inbox.length, 135)
  inbox[60].data[16 + 50] ^= 1 // forged: one ciphertext bit
  inbox.splice(71, 0, { ...inbox[70], data: Buffer.from(inbox[70].data) }) // replayed right behind the original
  b.forwarder.runInbound()
  t.equal(b.stats.dropsInbound[Drop.Auth], 1, 'the forged datagram: auth')
  t.equal(b.stats.dropsInbound[Drop.Replay], 1, 'the copy: replay (opened ahead too, refused by the window)')
  t.equal(calls.open, before.open, 'no datagram opened one call at a time')
  t.equal(calls.batched - before.batched, 136, 'all 136 opened through openBatch')
  t.ok(calls.openBatch - before.openBatch <= 3, `${calls.openBatch - before.openBatch} openBatch calls`)
  const got = Buffer.concat(b.device.written.map((w) => w.subarray(10 + 40)))
  t.equal(got.length, data.length - 1400, 'every segment but the forged one delivered')
  t.ok(got.equals(Buffer.concat([data.subarray(0, 60 * 1400), data.subarray(61 * 1400)])), 'byte-identical, in order')
})
