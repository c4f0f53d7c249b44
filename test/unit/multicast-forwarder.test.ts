/**
 * The multicast hot path over a memory frame port, and its seam with the unicast Forwarder:
 * local copies (MACs rewritten, ingress excluded), remote copies through the Forwarder's
 * encapsulation, checksum completion for CHECKSUM_PARTIAL frames, `auth` for a pod speaking for
 * another, IGMP to snooping, flood mode, MTU, inbound delivery without the TUN and without relay,
 * and a forged inner source from another node.
 */
import t from 'tap'
import { Forwarder, HEADROOM } from '../../dataplane/forwarder'
import { internetChecksum, ipv4HeaderChecksum } from '../../dataplane/ipv4'
import { parseIPv4Address } from '../../lib'
import {
  createMulticastStats, completeChecksum, Mres, MulticastForwarder, type FramePort
} from '../../dataplane/multicast-forwarder'
import { MulticastTable, type PodPort } from '../../dataplane/multicast-table'
import { FRAME_CSUM_NOT_READY } from '../../dataplane/packet-socket'
import { deriveNodeIndex } from '../../dataplane/node-index'
import { deriveVtepMAC } from '../../dataplane/mac'
import { createPeerRoute, RouteTable } from '../../dataplane/route-table'
import { createDataplaneStats, type DatagramTransport, type Device, type PeerRoute } from '../../dataplane/types'
import { UdpEncapsulation } from '../../dataplane/encap/udp/udp-encapsulation'

class MemoryPort implements FramePort {
  inbox: Array<{ frame: Buffer, ifindex: number, flags: number }> = []
  sent: Array<{ frame: Buffer, ifindex: number }> = []
  failAfter = Infinity
  recvBatch (bufs: Buffer[], sizes: Int32Array, ifindexes: Int32Array, flags: Uint8Array): number {
    let n = 0
    while (n < bufs.length && this.inbox.length > 0) {
      const f = this.inbox.shift()!
      f.frame.copy(bufs[n])
      sizes[n] = f.frame.length
      ifindexes[n] = f.ifindex
      flags[n] = f.flags
      n++
    }
    return n
  }

  sendBatch (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, ifindexes: Int32Array, count: number): number {
    let ok = 0
    for (let i = 0; i < count; i++) {
      if (this.sent.length >= this.failAfter) continue
      this.sent.push({
        frame: Buffer.from(bufs[i].subarray(offsets[i], offsets[i] + lengths[i])), ifindex: ifindexes[i]
      })
      ok++
    }
    return ok
  }

  onReadable (): void {}
}

const ip = parseIPv4Address
function port (ifindex: number, address: string): PodPort {
  return {
    ifindex,
    name: `lxc${ifindex}`,
    mac: Buffer.from([2, 0, 0, 0, 0, ifindex]),
    addressU32: ip(address),
    pod: `default/p${ifindex}`
  }
}
const S = port(11, '10.244.1.11')
const R1 = port(12, '10.244.1.12')
const O = port(13, '10.244.1.13')

/** An Ethernet + IPv4 + UDP frame from `src` to `group`, TTL `ttl`; `partial` leaves the checksum as veth does. */
function frame (src: string, group: string, payload: string, ttl = 1, partial = false): Buffer {
  const body = Buffer.from(payload)
  const f = Buffer.alloc(14 + 28 + body.length)
  f.set([1, 0, 0x5e, 1, 1, 1, 2, 0, 0, 0, 0, 11])
  f.writeUInt16BE(0x0800, 12)
  const p = 14
  f[p] = 0x45
  f.writeUInt16BE(28 + body.length, p + 2)
  f.writeUInt16BE(0x4000, p + 6)
  f[p + 8] = ttl
  f[p + 9] = 17
  f.writeUInt32BE(ip(src), p + 12)
  f.writeUInt32BE(ip(group), p + 16)
  f.writeUInt16BE(ipv4HeaderChecksum(f, p, 20), p + 10)
  f.writeUInt16BE(40000, p + 20)
  f.writeUInt16BE(5000, p + 22)
  f.writeUInt16BE(8 + body.length, p + 24)
  body.copy(f, p + 28)
  const pseudo = (ip(src) >>> 16) + (ip(src) & 0xffff) + (ip(group) >>> 16) + (ip(group) & 0xffff) + 17 + 8 +
    body.length
  if (partial) {
    // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum, not the final checksum.
    let s = pseudo
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16)
    f.writeUInt16BE(s, p + 26)
  } else {
    f.writeUInt16BE(internetChecksum(f, p + 20, 8 + body.length, pseudo) || 0xffff, p + 26)
  }
  return f
}
function udpChecksumOk (ipPacket: Buffer): boolean {
  const src = ipPacket.readUInt32BE(12)
  const dst = ipPacket.readUInt32BE(16)
  const len = ipPacket.length - 20
  const pseudo = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 17 + len
  return internetChecksum(ipPacket, 20, len, pseudo) === 0
}

function peer (name: string, address: string, mtu = 1460): PeerRoute {
  return createPeerRoute({
    nodeName: name, index: deriveNodeIndex(name), address, port: 6784, vtepMAC: deriveVtepMAC(name), mtu
  })
}

function setup (): {
  mf: MulticastForwarder,
  mem: MemoryPort,
  remote: Array<{ packet: Buffer, peer: string }>,
  igmp: number[],
  stats: ReturnType<typeof createMulticastStats>
} {
  const mem = new MemoryPort()
  const remote: Array<{ packet: Buffer, peer: string }> = []
  const igmp: number[] = []
  const stats = createMulticastStats()
  const mf = new MulticastForwarder({
    port: mem,
    stats,
    sendRemote: (bufs, lens, peers, count) => {
      for (let i = 0; i < count; i++) {
        remote.push({
          packet: Buffer.from(bufs[i].subarray(HEADROOM, HEADROOM + lens[i])), peer: peers[i].nodeName
        })
      }
      return count
    },
    onIgmp: (p, _buf, _off, len) => { igmp.push(p.ifindex, len) },
  })
  mf.setPorts(new Map([S, R1, O].map((p) => [p.ifindex, p])))
  mf.start()
  return { mf, mem, remote, igmp, stats }
}

t.test('local and remote copies, TTL untouched, checksum completed', async (t) => {
  const { mf, mem, remote, stats } = setup()
  const node2 = peer('node2', '198.18.0.2')
  mf.setTable(MulticastTable.build([
    { group: ip('239.1.1.1'), local: [S, R1], remote: [node2] },
    { group: ip('239.2.2.2'), local: [O], remote: [] },
  ]))
  mem.inbox.push({
    frame: frame('10.244.1.11', '239.1.1.1', 'hello', 1, true), ifindex: S.ifindex, flags: FRAME_CSUM_NOT_READY
  })
  mf.runCapture()
  t.equal(mem.sent.length, 1, 'one local copy: R1 (not back to the sender S)')
  const copy = mem.sent[0]
  t.equal(copy.ifindex, R1.ifindex)
  t.equal(copy.frame.subarray(0, 6).toString('hex'), '01005e010101', 'dst MAC = the group mapping')
  t.same(copy.frame.subarray(6, 12), R1.mac, 'src MAC = the member veth')
  t.equal(copy.frame[14 + 8], 1, 'TTL 1 kept')
  t.ok(udpChecksumOk(copy.frame.subarray(14)), 'the partial UDP checksum was completed')
  t.equal(remote.length, 1)
  t.equal(remote[0].peer, 'node2')
  t.same(remote[0].packet, copy.frame.subarray(14), 'the same IP packet goes to node2')
  t.equal(stats.outbound[Mres.Delivered], 1)
  t.equal(stats.outbound[Mres.Sent], 1)
})

t.test('drops: spoofed source, unknown veth, malformed, no member, mtu; IGMP to snooping', async (t) => {
  const { mf, mem, remote, igmp, stats } = setup()
  const small = peer('node3', '198.18.0.3', 68)
  mf.setTable(MulticastTable.build([{ group: ip('239.1.1.1'), local: [R1], remote: [small] }]))
  // S claims R1's address
  mem.inbox.push({ frame: frame('10.244.1.12', '239.1.1.1', 'spoof'), ifindex: S.ifindex, flags: 0 })
  mem.inbox.push({ frame: frame('10.244.1.11', '239.1.1.1', 'x'), ifindex: 99, flags: 0 }) // not a pod veth
  mem.inbox.push({ frame: frame('10.244.1.11', '239.1.1.1', 'x').subarray(0, 30), ifindex: S.ifindex, flags: 0 })
  const badLen = frame('10.244.1.11', '239.1.1.1', 'x'); badLen.writeUInt16BE(4000, 16)
  mem.inbox.push({ frame: badLen, ifindex: S.ifindex, flags: 0 })
  mem.inbox.push({ frame: frame('10.244.1.11', '239.7.7.7', 'nobody'), ifindex: S.ifindex, flags: 0 })
  mem.inbox.push({
    frame: frame('10.244.1.11', '239.1.1.1', 'a payload longer than forty bytes in total, surely'),
    ifindex: S.ifindex,
    flags: 0
  })
  const report = frame('10.244.1.11', '224.0.0.22', 'igmp!!!!'); report[14 + 9] = 2
  mem.inbox.push({ frame: report, ifindex: S.ifindex, flags: 0 })
  mf.runCapture()
  t.equal(stats.outbound[Mres.Auth], 1, 'a pod cannot speak for another pod')
  t.equal(stats.foreign, 1)
  t.equal(stats.outbound[Mres.Malformed], 2)
  t.equal(stats.outbound[Mres.NoMember], 1)
  t.equal(stats.outbound[Mres.Mtu], 1, 'too big for node3 (MTU 68): dropped, counted')
  t.same(igmp, [S.ifindex, 16], 'IGMP (its IP payload) handed to snooping, not forwarded')
  t.equal(stats.outbound[Mres.Igmp], 1)
  t.equal(remote.length, 0)
  t.same(mem.sent.map((s) => s.ifindex), [R1.ifindex], 'only the good packet reached R1')
})

t.test('flood mode: every peer, members or not; failed sends counted', async (t) => {
  const { mf, mem, remote, stats } = setup()
  const peers = [peer('node2', '198.18.0.2'), peer('node3', '198.18.0.3')]
  mf.setTable(MulticastTable.build([{ group: ip('239.1.1.1'), local: [R1, O], remote: [] }], peers))
  mem.failAfter = 1
  mem.inbox.push({ frame: frame('10.244.1.11', '239.9.9.9', 'x'), ifindex: S.ifindex, flags: 0 })
  mem.inbox.push({ frame: frame('10.244.1.11', '239.1.1.1', 'y'), ifindex: S.ifindex, flags: 0 })
  mf.runCapture()
  t.same(remote.map((r) => r.peer), ['node2', 'node3', 'node2', 'node3'])
  t.equal(stats.outbound[Mres.Delivered], 1)
  t.equal(stats.outbound[Mres.SendError], 1, 'a vanished veth is counted')
})

t.test('completeChecksum: UDP and TCP, fragments refused', async (t) => {
  const f = frame('10.244.1.11', '239.1.1.1', 'odd-length!', 1, true)
  t.ok(completeChecksum(f, 14, 20, f.length - 14))
  t.ok(udpChecksumOk(f.subarray(14)))
  const frag = frame('10.244.1.11', '239.1.1.1', 'x', 1, true)
  frag.writeUInt16BE(0x2000, 14 + 6)
  t.notOk(completeChecksum(frag, 14, 20, frag.length - 14), 'a fragment has no transport header to fix')
  const tcp = Buffer.alloc(40)
  tcp[0] = 0x45; tcp.writeUInt16BE(40, 2); tcp[9] = 6
  tcp.writeUInt32BE(ip('10.0.0.1'), 12); tcp.writeUInt32BE(ip('239.0.0.1'), 16)
  t.ok(completeChecksum(tcp, 0, 20, 40))
  const pseudo = 0x0a00 + 0x0001 + 0xef00 + 0x0001 + 6 + 20
  t.equal(internetChecksum(tcp, 20, 20, pseudo), 0, 'TCP checksum valid')
  const short = Buffer.alloc(24); short[9] = 17
  t.notOk(completeChecksum(short, 0, 20, 24), 'UDP header cut short')
})

// ---- through the unicast Forwarder ------------------------------------------------------------

class NullDevice implements Device {
  readonly name = 'mem0'
  written: Buffer[] = []
  readBatch (): number { return 0 }
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
class ListTransport implements DatagramTransport {
  readonly port = 6784
  inbox: Array<{ data: Buffer, addr: number }> = []
  sent: Array<{ data: Buffer, addr: number }> = []
  recvBatch (bufs: Buffer[], sizes: Int32Array, addrs: Uint32Array, ports: Uint16Array): number {
    let n = 0
    while (n < bufs.length && this.inbox.length > 0) {
      const d = this.inbox.shift()!
      d.data.copy(bufs[n]); sizes[n] = d.data.length; addrs[n] = d.addr; ports[n] = 6784; n++
    }
    return n
  }

  sendBatch (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, addrs: Uint32Array, _ports: Uint16Array,
    count: number): number {
    for (let i = 0; i < count; i++) {
      this.sent.push({
        data: Buffer.from(bufs[i].subarray(offsets[i], offsets[i] + lengths[i])), addr: addrs[i]
      })
    }
    return count
  }

  onReadable (): void {}
  close (): void {}
}

t.test('through the Forwarder: copies are encapsulated; inbound multicast goes to members, never the TUN',
  async (t) => {
    const node1 = peer('node1', '198.18.0.1')
    const node3 = peer('node3', '198.18.0.3')
    // node2's view: node1 owns 10.244.1.0/24, node3 owns 10.244.3.0/24
    const routes = RouteTable.build({
      selfIndex: deriveNodeIndex('node2'),
      selfVtepMAC: deriveVtepMAC('node2'),
      routes: [{ prefix: '10.244.1.0/24', peer: node1 }, { prefix: '10.244.3.0/24', peer: node3 }]
    })
    const device = new NullDevice()
    const transport = new ListTransport()
    const stats = createDataplaneStats()
    const fwd = new Forwarder({
      device, transport, encapsulation: new UdpEncapsulation({ selfIndex: deriveNodeIndex('node2') }), stats
    }, { overlayAddressU32: ip('10.244.2.1'), routes })
    const mem = new MemoryPort()
    const mstats = createMulticastStats()
    const R2 = port(21, '10.244.2.11')
    const mf = new MulticastForwarder({
      port: mem, stats: mstats, sendRemote: (b, l, p, c) => fwd.sendCopies(b, l, p, c), onIgmp: () => {}
    })
    mf.setPorts(new Map([[R2.ifindex, R2]]))
    mf.setTable(MulticastTable.build([{ group: ip('239.1.1.1'), local: [R2], remote: [node1] }]))
    fwd.setMulticastSink(mf)
    fwd.start(); mf.start()

    // Outbound: R2 sends; node1 gets one encapsulated copy.
    mem.inbox.push({ frame: frame('10.244.2.11', '239.1.1.1', 'from-r2'), ifindex: R2.ifindex, flags: 0 })
    mf.runCapture()
    t.equal(transport.sent.length, 1)
    t.equal(transport.sent[0].addr, ip('198.18.0.1'))
    t.equal(transport.sent[0].data[0], 0x10, 'udp framing')
    t.equal(transport.sent[0].data.readUInt32BE(4), deriveNodeIndex('node1'), 'receiver index node1')
    t.equal(transport.sent[0].data.subarray(12).subarray(28).toString(), 'from-r2')
    t.equal(node1.counters.packetsOut, 1)

    // Inbound: node1 sends a multicast packet from its pod; R2 gets it, the TUN does not, nobody is relayed to.
    const enc = (sender: string, inner: Buffer): Buffer => {
      const h = Buffer.alloc(12); h[0] = 0x10; h[1] = 1
      h.writeUInt32BE(deriveNodeIndex('node2'), 4); h.writeUInt32BE(deriveNodeIndex(sender), 8)
      return Buffer.concat([h, inner])
    }
    const sentBefore = transport.sent.length
    transport.inbox.push({
      data: enc('node1', frame('10.244.1.11', '239.1.1.1', 'from-node1').subarray(14)), addr: ip('198.18.0.1')
    })
    transport.inbox.push({
      data: enc('node1', frame('10.244.1.11', '239.5.5.5', 'no-member').subarray(14)), addr: ip('198.18.0.1')
    })
    // Forged: node1 claims node3's pod as the source.
    transport.inbox.push({
      data: enc('node1', frame('10.244.3.11', '239.1.1.1', 'forged').subarray(14)), addr: ip('198.18.0.1')
    })
    fwd.runInbound()
    t.same(mem.sent.map((s) => s.frame.subarray(14 + 28).toString()), ['from-node1'], 'delivered to R2 only')
    t.same(mem.sent[0].frame.subarray(6, 12), R2.mac)
    t.equal(device.written.length, 0, 'nothing written to the TUN')
    t.equal(transport.sent.length, sentBefore, 'never relayed to another node')
    t.equal(mstats.inbound[Mres.Delivered], 1)
    t.equal(mstats.inbound[Mres.NoMember], 1)
    t.equal(stats.dropsInbound[5 /* Drop.Auth */], 1, 'the forged source is dropped as auth')

    // Without a sink (multicast disabled) inbound multicast is dropped, never written to the TUN.
    fwd.setMulticastSink(undefined)
    transport.inbox.push({
      data: enc('node1', frame('10.244.1.11', '239.1.1.1', 'x').subarray(14)), addr: ip('198.18.0.1')
    })
    fwd.runInbound()
    t.equal(device.written.length, 0)
    t.equal(stats.dropsInbound[10 /* Drop.Unsupported */], 1)
  })
