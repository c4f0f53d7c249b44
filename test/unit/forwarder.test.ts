/**
 * In-memory integration of the hot path (wireguard-go's device_test with tuntest/bindtest):
 * two Forwarders joined by memory Devices and a memory "wire". A packet written into node A's
 * TUN must come out of node B's TUN byte for byte, in both encapsulations; every kind of bad
 * packet must be dropped and counted under its reason, never thrown.
 */
import t from 'tap'
import { Forwarder, HEADROOM } from '../../dataplane/forwarder'
import { POLL_PREFETCH_MAX, type ReadPrefetch, type RecvPrefetch } from '../../dataplane/native-binding'
import { internetChecksum, ipv4HeaderChecksum } from '../../dataplane/ipv4'
import { parseCIDR, parseIPv4Address } from '../../lib'
import { deriveVtepMAC } from '../../dataplane/mac'
import { deriveNodeIndex } from '../../dataplane/node-index'
import { createPeerRoute, RouteTable } from '../../dataplane/route-table'
import {
  createDataplaneStats, DatagramTransport, DataplaneStats, Device, Drop, DROP_REASONS, Encapsulation,
} from '../../dataplane/types'
import { UdpEncapsulation } from '../../dataplane/encap/udp/udp-encapsulation'
import { VxlanEncapsulation } from '../../dataplane/encap/vxlan/vxlan-encapsulation'

class MemoryDevice implements Device {
  readonly name = 'mem0'
  readonly inbox: Buffer[] = []
  readonly written: Buffer[] = []
  full = false
  /** The kernel's answer to a packet written, queued inside the write (as an echo reply is). */
  answer: ((p: Buffer) => Buffer | undefined) | undefined
  /** The batch sizes (bufs.length) readBatch was offered, one per call. */
  readonly reads: number[] = []
  /** What the forwarder registered with onReadable (the prefetch the native poll would read into). */
  handler: ((ready?: number) => void) | undefined
  prefetch: ReadPrefetch | undefined
  readBatch (bufs: Buffer[], sizes: Int32Array, headroom: number): number {
    this.reads.push(bufs.length)
    let n = 0
    while (n < bufs.length && this.inbox.length > 0) {
      const p = this.inbox.shift() as Buffer
      p.copy(bufs[n], headroom)
      sizes[n] = p.length
      n++
    }
    return n
  }

  writeBatch (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, count: number): number {
    if (this.full) return 0
    for (let i = 0; i < count; i++) {
      this.written.push(Buffer.from(bufs[i].subarray(offsets[i],
        offsets[i] + lengths[i])))
      const reply = this.answer?.(this.written[this.written.length - 1])
      if (reply !== undefined) this.inbox.push(reply)
    }
    return count
  }

  onReadable (handler: (ready?: number) => void, prefetch?: ReadPrefetch): void {
    this.handler = handler
    this.prefetch = prefetch
  }

  /** A wake-up of the native poll with its prefetch: reads into the registered buffers first. */
  wake (): void {
    const f = this.prefetch as ReadPrefetch
    let n = 0
    while (n < f.bufs.length && this.inbox.length > 0) {
      const p = this.inbox.shift() as Buffer
      p.copy(f.bufs[n], f.headroom)
      f.sizes[n++] = p.length
    }
    if (n > 0) this.handler?.(n)
  }

  close (): void {}
}

/** A wire between transports keyed by address: sendBatch queues at the destination. */
class MemoryWire {
  readonly transports = new Map<number, MemoryTransport>()
}

class MemoryTransport implements DatagramTransport {
  readonly inbox: Array<{ data: Buffer; addr: number; port: number }> = []
  failSends = false
  /** Segmented sends seen (their sizes); undefined = this transport has no GSO at all. */
  segmentedSends: number[] = []
  /** When set, sendSegmented answers -1 (kernel cannot segment). */
  refuseSegmentation = false
  /** As MemoryDevice's. */
  readonly receives: number[] = []
  handler: ((ready?: number) => void) | undefined
  prefetch: RecvPrefetch | undefined
  constructor (readonly wire: MemoryWire, readonly address: number, readonly port: number) {
    wire.transports.set(address, this)
  }

  recvBatch (bufs: Buffer[], sizes: Int32Array, addrs: Uint32Array, ports: Uint16Array): number {
    this.receives.push(bufs.length)
    let n = 0
    while (n < bufs.length && this.inbox.length > 0) {
      const d = this.inbox.shift() as { data: Buffer; addr: number; port: number }
      d.data.copy(bufs[n], 0)
      sizes[n] = d.data.length
      addrs[n] = d.addr
      ports[n] = d.port
      n++
    }
    return n
  }

  sendBatch (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, addrs: Uint32Array, ports: Uint16Array,
    count: number): number {
    if (this.failSends) return 0
    for (let i = 0; i < count; i++) {
      const dst = this.wire.transports.get(addrs[i])
      dst?.inbox.push({
        data: Buffer.from(bufs[i].subarray(offsets[i], offsets[i] + lengths[i])), addr: this.address, port: this.port
      })
      t.equal(ports[i], 6784, 'sent to the peer data port')
    }
    return count
  }

  /** UDP GSO as the kernel does it: the back-to-back datagrams cut at segmentSize. */
  sendSegmented (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, start: number, count: number,
    segmentSize: number, addr: number, port: number): number {
    if (this.refuseSegmentation) return -1
    const whole = Buffer.concat(bufs.slice(start,
      start + count).map((b, k) => b.subarray(offsets[start + k], offsets[start + k] + lengths[start + k])))
    this.segmentedSends.push(count)
    const dst = this.wire.transports.get(addr)
    for (let off = 0; off < whole.length; off += segmentSize) {
      dst?.inbox.push({
        data: Buffer.from(whole.subarray(off, Math.min(whole.length, off + segmentSize))), addr: this.address, port
      })
    }
    return count
  }

  onReadable (handler: (ready?: number) => void, prefetch?: RecvPrefetch): void {
    this.handler = handler
    this.prefetch = prefetch
  }

  wake (): void {
    const f = this.prefetch as RecvPrefetch
    let n = 0
    while (n < f.bufs.length && this.inbox.length > 0) {
      const d = this.inbox.shift() as { data: Buffer; addr: number; port: number }
      d.data.copy(f.bufs[n], 0)
      f.sizes[n] = d.data.length
      f.addrs[n] = d.addr
      f.ports[n++] = d.port
    }
    if (n > 0) this.handler?.(n)
  }

  close (): void {}
}

interface TestNode {
  name: string
  device: MemoryDevice
  transport: MemoryTransport
  stats: DataplaneStats
  forwarder: Forwarder
}

const NODES = [
  { name: 'a', address: '198.18.0.1', podCIDR: '10.244.1.0/24' },
  { name: 'b', address: '198.18.0.2', podCIDR: '10.244.2.0/24' },
]

function buildPair (kind: 'udp' | 'vxlan', mtu = 1460, init: { udpSegmentation?: boolean, clusterCIDR?: { network: number, prefixLength: number } } = {}): TestNode[] {
  const wire = new MemoryWire()
  return NODES.map((self) => {
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
        mtu
      }),
    }))
    const encapsulation: Encapsulation = kind === 'udp'
      ? new UdpEncapsulation({ selfIndex })
      : new VxlanEncapsulation({ vni: 1, selfVtepMAC })
    const device = new MemoryDevice()
    const transport = new MemoryTransport(wire, parseIPv4Address(self.address), 6784)
    const stats = createDataplaneStats()
    const forwarder = new Forwarder({ device, transport, encapsulation, stats }, {
      overlayAddressU32: parseIPv4Address(self.podCIDR.split('/')[0]),
      routes: RouteTable.build({ selfIndex, selfVtepMAC, routes }),
      ...init,
    })
    forwarder.start()
    return { name: self.name, device, transport, stats, forwarder }
  })
}

/** A UDP/IPv4 packet with valid checksums and `payloadLen` bytes of payload. */
function ipv4Packet (src: string, dst: string, payloadLen: number, opts: { df?: boolean } = {}): Buffer {
  const total = 20 + 8 + payloadLen
  const p = Buffer.alloc(total)
  p[0] = 0x45
  p.writeUInt16BE(total, 2)
  p.writeUInt16BE(0x1234, 4)
  p.writeUInt16BE(opts.df === true ? 0x4000 : 0, 6)
  p[8] = 64
  p[9] = 17
  p.writeUInt32BE(parseIPv4Address(src), 12)
  p.writeUInt32BE(parseIPv4Address(dst), 16)
  p.writeUInt16BE(ipv4HeaderChecksum(p, 0, 20), 10)
  p.writeUInt16BE(40000, 20)
  p.writeUInt16BE(7007, 22)
  p.writeUInt16BE(8 + payloadLen, 24)
  for (let i = 0; i < payloadLen; i++) p[28 + i] = (i * 7 + 3) & 0xff
  return p
}

for (const kind of ['udp', 'vxlan'] as const) {
  t.test(`${kind}: packets cross A -> B and B -> A byte for byte`, async (t) => {
    const [a, b] = buildPair(kind)
    const sizes = [28, 100, 1000, kind === 'udp' ? 1460 : 1450]
    for (const size of sizes) a.device.inbox.push(ipv4Packet('10.244.1.11', '10.244.2.11', size - 28))
    a.forwarder.runOutbound()
    t.equal(b.transport.inbox.length, sizes.length, 'one datagram per packet')
    b.forwarder.runInbound()
    t.equal(b.device.written.length, sizes.length)
    for (let i = 0; i < sizes.length; i++) {
      t.same(b.device.written[i], ipv4Packet('10.244.1.11', '10.244.2.11', sizes[i] - 28),
        `packet of ${sizes[i]} bytes unchanged`)
    }
    const peerAtA = a.forwarder.routes().peers()[0]
    t.equal(peerAtA.counters.packetsOut, sizes.length)
    t.equal(peerAtA.counters.bytesOut, sizes.reduce((x, y) => x + y, 0), 'bytes out count inner bytes')
    const peerAtB = b.forwarder.routes().peers()[0]
    t.equal(peerAtB.counters.packetsIn, sizes.length)
    t.equal(peerAtB.counters.bytesIn, peerAtA.counters.bytesOut, 'bytes in at B = bytes out at A')
    t.equal(a.stats.tunReadBatches[sizes.length], 1, 'one TUN read batch of all packets')
    t.equal(b.stats.tunWriteBatches[sizes.length], 1, 'one TUN write batch')

    b.device.inbox.push(ipv4Packet('10.244.2.11', '10.244.1.11', 64))
    b.forwarder.runOutbound()
    a.forwarder.runInbound()
    t.same(a.device.written[0], ipv4Packet('10.244.2.11', '10.244.1.11', 64), 'reverse direction')
  })

  t.test(`${kind}: bad packets are dropped and counted by reason`, async (t) => {
    const [a, b] = buildPair(kind)
    a.device.inbox.push(Buffer.alloc(10))                                          // malformed
    a.device.inbox.push(Buffer.from([0x60, ...Buffer.alloc(39)]))                  // IPv6
    a.device.inbox.push(ipv4Packet('10.244.1.11', '10.250.0.1', 10))               // no route
    a.device.inbox.push(ipv4Packet('10.244.1.11', '10.244.2.11', 1500, { df: true })) // too big, DF
    a.device.inbox.push(ipv4Packet('10.244.1.11', '10.244.2.11', 1500))            // too big, no DF
    a.forwarder.runOutbound()
    const out = a.stats.dropsOutbound
    t.equal(out[Drop.Malformed], 1, 'malformed')
    t.equal(out[Drop.Unsupported], 1, 'IPv6 unsupported')
    t.equal(out[Drop.NoRoute], 1, 'no route')
    t.equal(out[Drop.Mtu], 2, 'two oversized')
    t.equal(b.transport.inbox.length, 0, 'nothing sent')
    t.equal(a.stats.icmpFragNeededSent, 1, 'one ICMP frag-needed for the DF packet only')
    const icmp = a.device.written[0]
    t.equal(icmp[9], 1, 'ICMP')
    t.equal(icmp.readUInt32BE(16), parseIPv4Address('10.244.1.11'), 'back to the sender')
    t.equal(icmp.readUInt32BE(12), parseIPv4Address('10.244.1.0'), 'from the node overlay address')
    t.equal(icmp[20], 3, 'type 3')
    t.equal(icmp[21], 4, 'code 4')
    t.equal(icmp.readUInt16BE(26), kind === 'udp' ? 1460 : 1460, 'next-hop MTU = peer MTU')
    t.equal(internetChecksum(icmp, 20, icmp.length - 20), 0, 'ICMP checksum verifies')

    // Inbound: garbage, a spoofed inner source, a packet for another node's prefix, a stranger.
    const wireFromA = b.transport
    wireFromA.inbox.push({ data: Buffer.from('garbage'), addr: parseIPv4Address('198.18.0.1'), port: 6784 })
    a.device.inbox.push(ipv4Packet('10.244.3.5', '10.244.2.11', 10))   // A sends with a source it does not own
    a.forwarder.runOutbound()
    const good = ipv4Packet('10.244.1.11', '10.244.2.11', 10)
    a.device.inbox.push(good)
    a.forwarder.runOutbound()
    const sent = wireFromA.inbox[wireFromA.inbox.length - 1]
    // unknown sender address
    wireFromA.inbox.push({ data: sent.data, addr: parseIPv4Address('198.18.0.9'), port: 6784 })
    b.forwarder.runInbound()
    const inb = b.stats.dropsInbound
    t.equal(inb[Drop.Malformed], 1, 'garbage is malformed')
    t.equal(inb[Drop.Auth], 2, 'spoofed inner source and unknown sender address')
    t.equal(b.device.written.length, 1, 'only the good packet is delivered')
    t.same(b.device.written[0], good)
  })

  t.test(`${kind}: a full TUN queue and a failing socket are counted, not thrown`, async (t) => {
    const [a, b] = buildPair(kind)
    a.transport.failSends = true
    a.device.inbox.push(ipv4Packet('10.244.1.11', '10.244.2.11', 10))
    a.forwarder.runOutbound()
    t.equal(a.stats.dropsOutbound[Drop.SocketError], 1)
    t.equal(a.forwarder.routes().peers()[0].counters.packetsOut, 0, 'unsent packets are not counted as sent')
    a.transport.failSends = false
    b.device.full = true
    a.device.inbox.push(ipv4Packet('10.244.1.11', '10.244.2.11', 10))
    a.forwarder.runOutbound()
    b.forwarder.runInbound()
    t.equal(b.stats.dropsInbound[Drop.TunFull], 1)
  })
}

t.test('runs of equal-size packets to one peer leave as one segmented send, in order', async (t) => {
  for (const refuse of [false, true]) {
    const [a, b] = buildPair('udp')
    a.transport.refuseSegmentation = refuse
    const sent: Buffer[] = []
    for (let k = 0; k < 10; k++) sent.push(ipv4Packet('10.244.1.11', '10.244.2.11', 1000))  // a bulk run
    sent.push(ipv4Packet('10.244.1.11', '10.244.2.11', 300))                                  // its shorter tail
    sent.push(ipv4Packet('10.244.1.11', '10.244.2.12', 1000))                                 // next run starts
    sent.push(ipv4Packet('10.244.1.11', '10.244.2.12', 1200))                                 // longer: a single
    for (const p of sent) a.device.inbox.push(p)
    a.forwarder.runOutbound()
    b.forwarder.runInbound()
    t.equal(b.device.written.length, sent.length, `${refuse ? 'without' : 'with'} GSO: every packet arrives`)
    for (let k = 0; k < sent.length; k++) t.same(b.device.written[k], sent[k], `packet ${k} unchanged and in order`)
    t.same(a.transport.segmentedSends, refuse ? [] : [11],
      refuse ? 'falls back to sendmmsg' : 'one segmented send of 11')
    t.equal(a.forwarder.routes().peers()[0].counters.packetsOut, sent.length, 'every packet counted')
  }
})

t.test('UDP GSO: off by init (offloads.enabled false) never segments; a refusal is counted as a fallback once',
  async (t) => {
    const burst = (): Buffer[] => Array.from({ length: 6 }, () => ipv4Packet('10.244.1.11', '10.244.2.11', 1000))
    const [a, b] = buildPair('udp', 1460, { udpSegmentation: false })
    const sent = burst()
    for (const p of sent) a.device.inbox.push(p)
    a.forwarder.runOutbound()
    b.forwarder.runInbound()
    t.same(a.transport.segmentedSends, [], 'no segmented send when switched off')
    t.same(b.device.written, sent, 'every packet arrives, in order')
    t.equal(a.stats.udpGsoFallbacks, 0, 'switched off is not a fallback')

    const [c, d] = buildPair('udp')
    c.transport.refuseSegmentation = true
    for (const p of [...burst(), ...burst()]) c.device.inbox.push(p)
    c.forwarder.runOutbound()
    for (const p of burst()) c.device.inbox.push(p)
    c.forwarder.runOutbound()
    d.forwarder.runInbound()
    t.equal(d.device.written.length, 18)
    t.equal(c.stats.udpGsoFallbacks, 1, 'the kernel refused once; GSO stays off after that')
  })

t.test('route table swaps take effect on the next packet', async (t) => {
  const [a, b] = buildPair('udp')
  const empty = RouteTable.build({ selfIndex: deriveNodeIndex('a'), selfVtepMAC: deriveVtepMAC('a'), routes: [] })
  const before = a.forwarder.routes()
  a.forwarder.setRoutes(empty)
  a.device.inbox.push(ipv4Packet('10.244.1.11', '10.244.2.11', 10))
  a.forwarder.runOutbound()
  t.equal(a.stats.dropsOutbound[Drop.NoRoute], 1, 'route removed: dropped')
  a.forwarder.setRoutes(before)
  a.device.inbox.push(ipv4Packet('10.244.1.11', '10.244.2.11', 10))
  a.forwarder.runOutbound()
  t.equal(b.transport.inbox.length, 1, 'route back: sent')
})

t.test('headroom fits every encapsulation', async (t) => {
  t.ok(new UdpEncapsulation({ selfIndex: 1 }).headerLen <= HEADROOM)
  t.ok(new VxlanEncapsulation({ vni: 1, selfVtepMAC: deriveVtepMAC('x') }).headerLen <= HEADROOM)
})

for (const kind of ['udp', 'vxlan'] as const) {
  t.test(`${kind}: a decapsulated packet reaches the TUN only for a destination inside clusterCIDR, or multicast`, async (t) => {
    const [a, b] = buildPair(kind, 1460, { clusterCIDR: parseCIDR('10.244.0.0/16') })
    const good = ipv4Packet('10.244.1.11', '10.244.2.11', 10)
    a.device.inbox.push(good)
    a.forwarder.runOutbound()
    const frame = b.transport.inbox.pop()!
    const at = frame.data.indexOf(good)
    t.ok(at > 0, 'the inner packet is in the clear frame')
    // A stranger who can reach B's port rewrites the inner destination; the outer source stays A's.
    const aimedAt = (dst: string): { data: Buffer, addr: number, port: number } => {
      const data = Buffer.from(frame.data)
      data.writeUInt32BE(parseIPv4Address(dst), at + 16)
      data.writeUInt16BE(0, at + 10)
      data.writeUInt16BE(ipv4HeaderChecksum(data, at, 20), at + 10)
      return { data, addr: frame.addr, port: frame.port }
    }
    for (const dst of ['198.18.0.2', '192.168.1.1', '127.0.0.1', '10.245.0.1', '0.0.0.0', '255.255.255.255']) b.transport.inbox.push(aimedAt(dst))
    b.transport.inbox.push(aimedAt('224.0.0.251')) // multicast: not for this check (no multicast sink here: unsupported)
    b.transport.inbox.push(aimedAt('10.244.2.1')) // another of our own addresses: delivered
    b.transport.inbox.push(frame)
    b.forwarder.runInbound()
    const inb = b.stats.dropsInbound
    t.equal(inb[Drop.NotLocal], 6, 'host, outside and special destinations are dropped as not_local')
    t.equal(inb[Drop.Unsupported], 1, 'multicast passed this check')
    t.equal(b.device.written.length, 2, 'only destinations inside clusterCIDR reach the TUN')
    t.same(b.device.written[1], good)
    t.equal(b.device.written[0]!.readUInt32BE(16), parseIPv4Address('10.244.2.1'))
    t.equal(DROP_REASONS[Drop.NotLocal], 'not_local', 'the metric label')
  })
}

t.test('a lone small inbound packet: the TUN is read at once for the answer the kernel made in the write', async (t) => {
  const [a, b] = buildPair('udp')
  const realNow = Date.now
  let clock = 1_000_000
  Date.now = () => clock
  t.teardown(() => { Date.now = realNow })
  // B's kernel answers every packet at once, inside the TUN write (as it does an echo request).
  b.device.answer = (p) => ipv4Packet('10.244.2.11', '10.244.1.11', p.length - 28)
  a.device.inbox.push(ipv4Packet('10.244.1.11', '10.244.2.11', 36))
  a.forwarder.runOutbound()
  b.forwarder.runInbound()
  t.equal(b.device.written.length, 1)
  t.equal(b.stats.answerProbes, 1, 'one probe')
  t.equal(b.device.inbox.length, 0, 'the answer was read in the same turn')
  t.equal(a.transport.inbox.length, 1, 'and is on its way back without a TUN wake-up at B')
  a.forwarder.runInbound()
  t.same(a.device.written[0], ipv4Packet('10.244.2.11', '10.244.1.11', 36), 'the answer arrives')

  // Within the same millisecond no second probe: the answer waits for B's TUN poll.
  a.device.inbox.push(ipv4Packet('10.244.1.11', '10.244.2.11', 36))
  a.forwarder.runOutbound()
  b.forwarder.runInbound()
  t.equal(b.stats.answerProbes, 1, 'at most one probe per millisecond')
  t.equal(b.device.inbox.length, 1, 'the answer waits in the TUN')
  b.forwarder.runOutbound()

  // A packet over 256 bytes is bulk data, two packets are a batch: neither probes.
  clock += 1
  a.device.inbox.push(ipv4Packet('10.244.1.11', '10.244.2.11', 300))
  a.forwarder.runOutbound()
  b.forwarder.runInbound()
  clock += 1
  a.device.inbox.push(ipv4Packet('10.244.1.11', '10.244.2.11', 36), ipv4Packet('10.244.1.11', '10.244.2.11', 36))
  a.forwarder.runOutbound()
  b.forwarder.runInbound()
  t.equal(b.stats.answerProbes, 1, 'no probe after a large packet or a batch of two')
  t.equal(b.device.inbox.length, 3, 'their answers wait in the TUN')

  // The next millisecond, a lone small packet probes again.
  b.forwarder.runOutbound()
  clock += 1
  a.device.inbox.push(ipv4Packet('10.244.1.11', '10.244.2.11', 36))
  a.forwarder.runOutbound()
  b.forwarder.runInbound()
  t.equal(b.stats.answerProbes, 2)
  t.equal(b.device.inbox.length, 0)
})

t.test('the polls read first (prefetch): the forwarder handles what they read and reads the rest behind it',
  async (t) => {
    const [a, b] = buildPair('udp')
    const p = POLL_PREFETCH_MAX
    t.equal(a.device.prefetch?.bufs.length, p, 'the TUN poll gets the first buffers of the batch')
    t.equal(a.device.prefetch?.headroom, HEADROOM, 'at the headroom (no virtio header here)')
    t.equal(b.transport.prefetch?.bufs.length, p)
    t.equal(b.transport.prefetch?.segmentSizes, undefined, 'no segment sizes without GRO')
    const packets = (n: number, from: number): Buffer[] =>
      Array.from({ length: n }, (_, i) => ipv4Packet('10.244.1.11', '10.244.2.11', 10 + from + i))

    // Fewer than the poll's buffers: handled without another read.
    a.device.inbox.push(...packets(3, 0))
    a.device.wake()
    t.same(a.device.reads, [], 'no readBatch: the poll read all 3')
    t.equal(b.transport.inbox.length, 3)
    b.transport.wake()
    t.same(b.transport.receives, [], 'no recvBatch: the poll received all 3')
    t.same(b.device.written, packets(3, 0), 'in order, byte for byte')

    // The poll's buffers came full: the rest of the batch is read behind them, in order.
    a.device.inbox.push(...packets(20, 3))
    a.device.wake()
    t.same(a.device.reads, [128 - p], 'one readBatch for the rest of the batch, behind the prefetched')
    t.equal(b.transport.inbox.length, 20)
    b.transport.wake()
    t.same(b.transport.receives, [128 - p], 'one recvBatch for the rest')
    t.same(b.device.written.slice(3), packets(20, 3), 'all 20 in order')

    // A handler called without a count (a device that does not prefetch) or with -1 reads itself.
    a.device.inbox.push(...packets(2, 23))
    a.device.handler?.()
    a.device.inbox.push(...packets(2, 25))
    a.device.handler?.(-1)
    t.same(a.device.reads, [128 - p, 128, 128], 'full readBatch calls')
    b.transport.handler?.()
    t.same(b.device.written.slice(23), packets(4, 23))
  })
