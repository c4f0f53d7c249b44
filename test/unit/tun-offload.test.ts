/**
 * TUN offloads: the virtio-net header codec (dataplane/virtio-net.ts) and the native byte loops
 * (dataplane/native/loom_offload.c: segmentTun, completeChecksums, coalesceTun) against packets
 * built by hand here. Every checksum is checked by `sum16` below, a plain RFC 1071 loop that
 * shares no code with the product.
 */
import t from 'tap'
import { loadNativeBinding } from '../../dataplane/native-binding'
import {
  createVirtioNetHeader, decodeVirtioNetHeader, encodeVirtioNetHeader, gsoHeaderLength, TUN_F_USO4, TUN_F_USO6,
  VNET_F_NEEDS_CSUM, VNET_GSO_NONE, VNET_GSO_TCPV4, VNET_GSO_TCPV6, VNET_GSO_UDP_L4, VNET_HDR_LEN,
} from '../../dataplane/virtio-net'

const native = loadNativeBinding()

// ---------------------------------------------------------------------------------------------
// An independent checksum and packet builders
// ---------------------------------------------------------------------------------------------

/** Ones'-complement sum of 16-bit big-endian words, folded (not complemented). */
function sum16 (parts: Buffer[]): number {
  let s = 0
  for (const b of parts) {
    for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) + (i + 1 < b.length ? b[i + 1] : 0)
  }
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000)
  return s
}

function pseudoHeader (ip: Buffer, proto: number, l4len: number): Buffer {
  const v6 = ip[0] >> 4 === 6
  const addrs = v6 ? ip.subarray(8, 40) : ip.subarray(12, 20)
  const tail = Buffer.alloc(v6 ? 8 : 4)
  if (v6) { tail.writeUInt32BE(l4len, 0); tail[7] = proto } else { tail[1] = proto; tail.writeUInt16BE(l4len, 2) }
  return Buffer.concat([addrs, tail])
}

/** True when the IP packet's L4 (TCP or UDP) checksum verifies. */
function l4ChecksumOk (ip: Buffer): boolean {
  const v6 = ip[0] >> 4 === 6
  const iph = v6 ? 40 : (ip[0] & 15) * 4
  const proto = v6 ? ip[6] : ip[9]
  return sum16([pseudoHeader(ip, proto, ip.length - iph), ip.subarray(iph)]) === 0xffff
}

function ipv4HeaderOk (ip: Buffer): boolean {
  return sum16([ip.subarray(0, (ip[0] & 15) * 4)]) === 0xffff
}

interface TcpOpts {
  v6?: boolean
  ipOptions?: Buffer
  tcpOptions?: Buffer
  flags?: number
  seq?: number
  ack?: number
  id?: number
  src?: number
  sport?: number
  ttl?: number
  payload: Buffer
  /** Leave the checksum as the pseudo-header sum (what the kernel hands a NIC). */
  partial?: boolean
  badChecksum?: boolean
}

const ACK = 0x10
const PSH = 0x08
const FIN = 0x01
const SYN = 0x02

function tcpPacket (o: TcpOpts): Buffer {
  const tcpOpt = o.tcpOptions ?? Buffer.alloc(0)
  const tcp = Buffer.alloc(20 + tcpOpt.length)
  tcp.writeUInt16BE(o.sport ?? 40000, 0)
  tcp.writeUInt16BE(5201, 2)
  tcp.writeUInt32BE(o.seq ?? 1000, 4)
  tcp.writeUInt32BE(o.ack ?? 777, 8)
  tcp[12] = (tcp.length / 4) << 4
  tcp[13] = o.flags ?? ACK
  tcp.writeUInt16BE(64240, 14)
  tcpOpt.copy(tcp, 20)
  return withIp({ ...o, proto: 6, l4: Buffer.concat([tcp, o.payload]), csumAt: 16 })
}

interface UdpOpts {
  v6?: boolean
  payload: Buffer
  sport?: number
  dport?: number
  id?: number
  ttl?: number
  df?: boolean
  partial?: boolean
}

function udpPacket (o: UdpOpts): Buffer {
  const udp = Buffer.alloc(8)
  udp.writeUInt16BE(o.sport ?? 5353, 0)
  udp.writeUInt16BE(o.dport ?? 5201, 2)
  udp.writeUInt16BE(8 + o.payload.length, 4)
  return withIp({ ...o, proto: 17, l4: Buffer.concat([udp, o.payload]), csumAt: 6 })
}

function withIp (o: {
  v6?: boolean,
  ipOptions?: Buffer,
  proto: number,
  l4: Buffer,
  csumAt: number,
  id?: number,
  src?: number,
  ttl?: number,
  df?: boolean,
  partial?: boolean,
  badChecksum?: boolean
}): Buffer {
  let ip: Buffer
  if (o.v6 === true) {
    ip = Buffer.alloc(40)
    ip[0] = 0x60
    ip.writeUInt16BE(o.l4.length, 4)
    ip[6] = o.proto
    ip[7] = o.ttl ?? 64
    ip[8] = 0xfd; ip[23] = o.src ?? 1
    ip[24] = 0xfd; ip[39] = 2
  } else {
    const opt = o.ipOptions ?? Buffer.alloc(0)
    ip = Buffer.alloc(20 + opt.length)
    ip[0] = 0x40 | (ip.length / 4)
    ip.writeUInt16BE(ip.length + o.l4.length, 2)
    ip.writeUInt16BE(o.id ?? 0x1234, 4)
    ip[6] = o.df === false ? 0 : 0x40 // DF
    ip[8] = o.ttl ?? 64
    ip[9] = o.proto
    ip.writeUInt32BE(0x0af40100 + (o.src ?? 11), 12)
    ip.writeUInt32BE(0x0af40216, 16)
    opt.copy(ip, 20)
    ip.writeUInt16BE(0xffff - sum16([ip]), 10)
  }
  const pkt = Buffer.concat([ip, o.l4])
  const l4 = pkt.subarray(ip.length)
  const pseudo = sum16([pseudoHeader(pkt, o.proto, l4.length)])
  if (o.partial === true) {
    l4.writeUInt16BE(pseudo, o.csumAt)
  } else {
    l4.writeUInt16BE(0xffff - sum16([pseudoHeader(pkt, o.proto, l4.length), l4]), o.csumAt)
    if (o.badChecksum === true) l4[o.csumAt] ^= 0x40
  }
  return pkt
}

function pattern (n: number, seed = 0): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) & 255
  return b
}

/** Runs segmentTun on `pkt` and returns the segments as separate Buffers (or the error code). */
function segment (pkt: Buffer, gsoType: number, gsoSize: number, csumStart: number,
  opts: { stride?: number, max?: number } = {}): Buffer[] | number {
  const src = Buffer.alloc(pkt.length + 100)
  pkt.copy(src, 50)
  const stride = opts.stride ?? 2048
  const max = opts.max ?? 128
  const dst = Buffer.alloc(stride * max + 16)
  const lengths = new Int32Array(max + 1)
  const n = native.segmentTun(src, 50, pkt.length, gsoType, gsoSize, csumStart, dst, 16, stride, 64, max, lengths, 1)
  if (n < 0) return n
  const out: Buffer[] = []
  for (let k = 0; k < n; k++) {
    out.push(Buffer.from(dst.subarray(16 + k * stride + 64,
      16 + k * stride + 64 + lengths[1 + k])))
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// virtio-net header
// ---------------------------------------------------------------------------------------------

t.test('virtio header: encode/decode round trip, little-endian layout', async (t) => {
  const h = {
    flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_TCPV4, hdrLen: 66, gsoSize: 1448, csumStart: 20, csumOffset: 16
  }
  const buf = Buffer.alloc(VNET_HDR_LEN + 100)
  encodeVirtioNetHeader(h, buf, 0)
  t.same([...buf.subarray(0, 10)], [1, 1, 66, 0, 0xa8, 0x05, 20, 0, 16, 0], 'struct virtio_net_hdr, LE u16 fields')
  const d = createVirtioNetHeader()
  t.ok(decodeVirtioNetHeader(buf, 0, 100, d))
  t.same(d, h)
})

t.test('virtio header: malformed headers are refused', async (t) => {
  const d = createVirtioNetHeader()
  const cases: Array<[string, Partial<ReturnType<typeof createVirtioNetHeader>>, number?]> = [
    ['unknown flag bit', { flags: 0x04 }],
    ['unknown GSO type', { flags: 1, gsoType: 2, gsoSize: 100, csumStart: 20, csumOffset: 16 }],
    ['ECN (never enabled)', { flags: 1, gsoType: 0x81, gsoSize: 100, csumStart: 20, csumOffset: 16 }],
    ['GSO without NEEDS_CSUM', { flags: 0, gsoType: VNET_GSO_TCPV4, gsoSize: 100, csumStart: 20, csumOffset: 16 }],
    ['GSO with segment size 0', { flags: 1, gsoType: VNET_GSO_TCPV4, gsoSize: 0, csumStart: 20, csumOffset: 16 }],
    ['checksum beyond the packet', { flags: 1, gsoType: 0, csumStart: 90, csumOffset: 16 }],
    ['checksum start inside the IP header', { flags: 1, csumStart: 10, csumOffset: 6 }],
    ['checksum offset of neither TCP nor UDP', { flags: 1, csumStart: 20, csumOffset: 4 }],
    ['TCP GSO with the UDP checksum offset',
      { flags: 1, gsoType: VNET_GSO_TCPV4, gsoSize: 50, csumStart: 20, csumOffset: 6 }],
    ['UDP GSO with the TCP checksum offset',
      { flags: 1, gsoType: VNET_GSO_UDP_L4, gsoSize: 50, csumStart: 20, csumOffset: 16 }],
    ['packet shorter than an IP header', {}, 12],
  ]
  for (const [name, fields, len] of cases) {
    const buf = Buffer.alloc(200)
    encodeVirtioNetHeader({ ...createVirtioNetHeader(), ...fields }, buf, 0)
    t.notOk(decodeVirtioNetHeader(buf, 0, len ?? 100, d), name)
  }
  const buf = Buffer.alloc(50)
  t.notOk(decodeVirtioNetHeader(buf, 0, 100, d), 'packet longer than the buffer')
  t.ok(decodeVirtioNetHeader(buf, 0, 40, d), 'all-zero header: a plain packet')
  t.equal(d.gsoType, VNET_GSO_NONE)
})

t.test('gsoHeaderLength reads the TCP data offset, not the kernel hint', async (t) => {
  const pkt = tcpPacket({ payload: pattern(100), tcpOptions: Buffer.alloc(12, 1) })
  const h = { ...createVirtioNetHeader(), gsoType: VNET_GSO_TCPV4, csumStart: 20, hdrLen: 999 }
  t.equal(gsoHeaderLength(pkt, 0, pkt.length, h), 52)
  t.equal(gsoHeaderLength(pkt, 0, 40, h), -1, 'a header longer than the packet')
  t.equal(gsoHeaderLength(pkt, 0, pkt.length, { ...h, gsoType: VNET_GSO_UDP_L4 }), 28)
})

// ---------------------------------------------------------------------------------------------
// Segmentation
// ---------------------------------------------------------------------------------------------

t.test('TCP/IPv4 super-packet with IP and TCP options: headers, IDs, flags, checksums', async (t) => {
  const ipOptions = Buffer.from([0x94, 0x04, 0x00, 0x00]) // Router Alert, 4 bytes: IHL 6
  const tcpOptions = Buffer.from([1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 9]) // NOP NOP timestamps
  const payload = pattern(3500)
  const sp = tcpPacket({
    ipOptions, tcpOptions, payload, flags: ACK | PSH | FIN, seq: 0xfffffc00, id: 0xfffe, partial: true
  })
  const segs = segment(sp, VNET_GSO_TCPV4, 1000, 24)
  if (typeof segs === 'number') { t.fail(`error ${segs}`); return }
  t.equal(segs.length, 4)
  t.same(segs.map((s) => s.length), [1056, 1056, 1056, 556], '24 IP + 32 TCP + 1000/1000/1000/500')
  let joined = Buffer.alloc(0)
  segs.forEach((s, k) => {
    t.equal(s[0], 0x46, `seg ${k}: IHL 6 kept`)
    t.same(s.subarray(20, 24), ipOptions, `seg ${k}: IP options copied`)
    t.equal(s.readUInt16BE(2), s.length, `seg ${k}: total length`)
    t.equal(s.readUInt16BE(4), (0xfffe + k) & 0xffff, `seg ${k}: IP ID incremented (wraps)`)
    t.ok(ipv4HeaderOk(s), `seg ${k}: IPv4 header checksum`)
    t.equal(s.readUInt32BE(24 + 4), (0xfffffc00 + k * 1000) >>> 0, `seg ${k}: sequence number (wraps)`)
    t.same(s.subarray(44, 56), tcpOptions, `seg ${k}: TCP options copied`)
    t.equal(s[24 + 13], k === 3 ? ACK | PSH | FIN : ACK, `seg ${k}: PSH/FIN only on the last`)
    t.ok(l4ChecksumOk(s), `seg ${k}: TCP checksum verifies`)
    joined = Buffer.concat([joined, s.subarray(56)])
  })
  t.same(joined, payload, 'payload cut in order, nothing lost')
})

t.test('TCP/IPv6 super-packet: payload length, seq, checksums', async (t) => {
  const payload = pattern(2900, 3)
  const sp = tcpPacket({ v6: true, payload, flags: ACK | PSH, seq: 5, partial: true })
  const segs = segment(sp, VNET_GSO_TCPV6, 1440, 40)
  if (typeof segs === 'number') { t.fail(`error ${segs}`); return }
  t.same(segs.map((s) => s.length), [1500, 1500, 80])
  segs.forEach((s, k) => {
    t.equal(s.readUInt16BE(4), s.length - 40, `seg ${k}: IPv6 payload length`)
    t.equal(s.readUInt32BE(44), 5 + k * 1440, `seg ${k}: seq`)
    t.equal(s[53], k === 2 ? ACK | PSH : ACK, `seg ${k}: PSH only on the last`)
    t.ok(l4ChecksumOk(s), `seg ${k}: TCP checksum`)
  })
  t.same(Buffer.concat(segs.map((s) => s.subarray(60))), payload)
})

t.test('UDP super-packets (USO), IPv4 and IPv6: lengths and checksums per datagram', async (t) => {
  for (const v6 of [false, true]) {
    const payload = pattern(2500, 9)
    const sp = udpPacket({ v6, payload })
    const iph = v6 ? 40 : 20
    const segs = segment(sp, VNET_GSO_UDP_L4, 1200, iph)
    if (typeof segs === 'number') { t.fail(`error ${segs}`); continue }
    t.same(segs.map((s) => s.length - iph - 8), [1200, 1200, 100], `${v6 ? 'v6' : 'v4'}: segment payloads`)
    segs.forEach((s, k) => {
      t.equal(s.readUInt16BE(iph + 4), s.length - iph, `seg ${k}: UDP length`)
      t.ok(l4ChecksumOk(s), `seg ${k}: UDP checksum`)
      if (!v6) { t.ok(ipv4HeaderOk(s)); t.equal(s.readUInt16BE(4), 0x1234 + k) }
    })
    t.same(Buffer.concat(segs.map((s) => s.subarray(iph + 8))), payload)
  }
})

t.test('segmentation refuses inconsistent input instead of guessing', async (t) => {
  const v4 = tcpPacket({ payload: pattern(3000) })
  t.equal(segment(v4, VNET_GSO_TCPV6, 1000, 20), -1, 'TCPV6 on an IPv4 packet')
  t.equal(segment(v4, VNET_GSO_TCPV4, 1000, 24), -1, 'csumStart not the IPv4 header length')
  t.equal(segment(v4, VNET_GSO_UDP_L4, 1000, 20), -1, 'UDP GSO on a TCP packet')
  t.equal(segment(v4, 2, 1000, 20), -1, 'unknown GSO type')
  t.equal(segment(v4, VNET_GSO_TCPV4, 0, 20), -1, 'segment size 0')
  const frag = Buffer.from(v4)
  frag[6] |= 0x20
  t.equal(segment(frag, VNET_GSO_TCPV4, 1000, 20), -1, 'an IPv4 fragment')
  t.equal(segment(v4.subarray(0, 40), VNET_GSO_TCPV4, 1000, 20), -1, 'headers only, no payload')
  t.equal(segment(v4, VNET_GSO_TCPV4, 100, 20, { max: 10 }), -2, 'more segments than allowed')
  t.equal(segment(v4, VNET_GSO_TCPV4, 1000, 20, { stride: 1000 }), -3, 'a segment larger than a slot')
  const v6 = tcpPacket({ v6: true, payload: pattern(100) })
  t.equal(segment(v6, VNET_GSO_TCPV6, 50, 48), -1, 'IPv6 extension headers are not walked')
  t.throws(() => native.segmentTun(v4, 0, v4.length + 1, VNET_GSO_TCPV4, 1000, 20, Buffer.alloc(10), 0, 8, 0, 1,
    new Int32Array(1), 0),
  /srcLen/, 'a length beyond the buffer is a RangeError, never a read past it')
  t.throws(() => native.segmentTun(v4, 0, v4.length, VNET_GSO_TCPV4, 1000, 20, Buffer.alloc(100), 0, 64, 0, 4,
    new Int32Array(4), 0),
  /exceed dst/, 'maxSegments * stride beyond dst')
})

t.test('completeChecksums finishes NEEDS_CSUM packets as a NIC would', async (t) => {
  const tcp = tcpPacket({ payload: pattern(333), partial: true })
  const udp = udpPacket({ payload: pattern(64) })
  const udpPartial = Buffer.from(udp)
  udpPartial.writeUInt16BE(sum16([pseudoHeader(udp, 17, udp.length - 20)]), 26)
  t.notOk(l4ChecksumOk(tcp), 'partial before')
  const bufs = [Buffer.concat([Buffer.alloc(7), tcp]), Buffer.concat([Buffer.alloc(3), udpPartial])]
  const done = native.completeChecksums(bufs, Int32Array.from([7, 3]), Int32Array.from([tcp.length, udp.length]),
    Int32Array.from([20, 20]), Int32Array.from([16, 6]), 2)
  t.equal(done, 2)
  t.ok(l4ChecksumOk(bufs[0].subarray(7)), 'TCP complete')
  t.ok(l4ChecksumOk(bufs[1].subarray(3)), 'UDP complete')
  t.same(bufs[1].subarray(3), udp, 'same bytes as a checksum computed from scratch')
  t.equal(native.completeChecksums([Buffer.alloc(30)], Int32Array.from([0]), Int32Array.from([30]),
    Int32Array.from([20]), Int32Array.from([16]), 1), 0, 'a checksum field outside the packet is skipped')
})

t.test('completeChecksums: the word-at-a-time sum agrees with sum16 at every length and alignment', async (t) => {
  // The native sum reads 8 bytes at a time with carries kept apart and byte-swaps at the end:
  // lengths 0..300 (odd tails, every remainder of 32 and 8) at offsets 0..7, with payloads of
  // random bytes, all 0xff (carries on every word) and all zero.
  let bad = 0
  let checked = 0
  let seed = 12345
  const rand = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 24 }
  for (const fill of ['random', 'ones', 'zeros']) {
    for (let n = 0; n <= 300; n++) {
      for (let off = 0; off < 8; off++) {
        const payload = Buffer.alloc(n, fill === 'ones' ? 0xff : 0)
        if (fill === 'random') for (let i = 0; i < n; i++) payload[i] = rand()
        const udp = udpPacket({ payload })
        udp.writeUInt16BE(sum16([pseudoHeader(udp, 17, udp.length - 20)]), 26)
        const buf = Buffer.concat([Buffer.alloc(off), udp])
        native.completeChecksums([buf], Int32Array.from([off]), Int32Array.from([udp.length]), Int32Array.from([20]),
          Int32Array.from([6]), 1)
        checked++
        if (!l4ChecksumOk(buf.subarray(off))) bad++
      }
    }
  }
  t.equal(bad, 0, `${checked} packets, every UDP checksum verifies with sum16`)
})

// ---------------------------------------------------------------------------------------------
// Coalescing (GRO)
// ---------------------------------------------------------------------------------------------

interface CoalesceOutput { header: Buffer, packet: Buffer, source: number }

function coalesce (packets: Buffer[], opts: { slots?: number, maxPacket?: number, uso?: number } = {}): {
  outputs: CoalesceOutput[], badChecksums: number, merged: number
} {
  const bufs = packets.map((p) => { const b = Buffer.alloc(p.length + 30); p.copy(b, 16); return b })
  const offsets = new Int32Array(packets.length).fill(16)
  const lengths = Int32Array.from(packets.map((p) => p.length))
  const slot = VNET_HDR_LEN + 65535 + 7
  const arena = Buffer.alloc(slot * (opts.slots ?? 4))
  const out = new Int32Array(packets.length * 3)
  const counters = new Int32Array(2)
  const n = native.coalesceTun(bufs, offsets, lengths, packets.length, arena, slot, out, counters, opts.maxPacket ??
    65535, opts.uso)
  const outputs: CoalesceOutput[] = []
  for (let k = 0; k < n; k++) {
    const src = out[3 * k]
    const b = src >= 0 ? bufs[src] : arena
    const whole = b.subarray(out[3 * k + 1], out[3 * k + 1] + out[3 * k + 2])
    outputs.push({ header: Buffer.from(whole.subarray(0, 10)), packet: Buffer.from(whole.subarray(10)), source: src })
  }
  return { outputs, badChecksums: counters[0], merged: counters[1] }
}

/** What the kernel does with a NEEDS_CSUM packet: sum from csumStart (field included), store ~. */
function finishLikeKernel (o: CoalesceOutput): Buffer {
  const d = createVirtioNetHeader()
  const hb = Buffer.concat([o.header, o.packet])
  t.ok(decodeVirtioNetHeader(hb, 0, o.packet.length, d), 'output header decodes')
  const p = Buffer.from(o.packet)
  if ((d.flags & VNET_F_NEEDS_CSUM) !== 0) {
    const at = d.csumStart + d.csumOffset
    p.writeUInt16BE(0xffff - sum16([p.subarray(d.csumStart)]), at)
  }
  return p
}

function flow (n: number, o: Partial<TcpOpts> & { size?: number, start?: number } = {}): Buffer[] {
  const size = o.size ?? 1000
  const start = o.start ?? 1
  return Array.from({ length: n },
    (_, k) => tcpPacket({ ...o, seq: start + k * size, payload: pattern(size, k), flags: o.flags ?? ACK }))
}

t.test('coalescing: in-order segments of one flow become one super-packet', async (t) => {
  const tsOpt = Buffer.from([1, 1, 8, 10, 0, 0, 1, 0, 0, 0, 2, 0])
  const segs = flow(5, { tcpOptions: tsOpt })
  segs[4] = tcpPacket({ tcpOptions: tsOpt, seq: 4001, payload: pattern(300, 4), flags: ACK | PSH })
  const r = coalesce(segs)
  t.equal(r.outputs.length, 1)
  t.equal(r.merged, 4)
  const o = r.outputs[0]
  t.ok(o.source < 0, 'built in the arena')
  const d = createVirtioNetHeader()
  decodeVirtioNetHeader(Buffer.concat([o.header, o.packet]), 0, o.packet.length, d)
  t.same(d,
    { flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_TCPV4, hdrLen: 52, gsoSize: 1000, csumStart: 20, csumOffset: 16 })
  t.equal(o.packet.length, 52 + 4300)
  t.equal(o.packet.readUInt16BE(2), o.packet.length, 'IPv4 total length')
  t.ok(ipv4HeaderOk(o.packet), 'IPv4 header checksum')
  t.equal(o.packet[33], ACK | PSH, 'PSH of the last segment carried')
  t.equal(o.packet.readUInt16BE(36), sum16([pseudoHeader(o.packet, 6, o.packet.length - 20)]),
    'checksum field = pseudo-header sum')
  t.ok(l4ChecksumOk(finishLikeKernel(o)), 'completes to a valid checksum')
  t.same(o.packet.subarray(52), Buffer.concat(segs.map((s) => s.subarray(52))), 'payloads in order')
})

t.test('coalescing: interleaved flows merge separately, in order of first packet', async (t) => {
  const a = flow(3, { sport: 1111 })
  const b = flow(3, { sport: 2222, start: 50000 })
  const r = coalesce([a[0], b[0], a[1], b[1], a[2], b[2]])
  t.equal(r.outputs.length, 2)
  t.equal(r.outputs[0].packet.readUInt16BE(20), 1111)
  t.equal(r.outputs[1].packet.readUInt16BE(20), 2222)
  t.equal(r.outputs[0].packet.length, 40 + 3000)
  t.same(r.outputs[1].packet.subarray(40), Buffer.concat(b.map((s) => s.subarray(40))))
})

t.test('coalescing: out-of-order, retransmissions and gaps are never merged across', async (t) => {
  const s = flow(4)
  // Each arrival out of sequence closes the flow's item: nothing merges, order is kept.
  const r = coalesce([s[0], s[2], s[1], s[3]])
  t.same(r.outputs.map((o) => o.packet.readUInt32BE(24)), [1, 2001, 1001, 3001])
  t.equal(r.merged, 0)
  const again = coalesce([s[0], s[1], s[0], s[1]])
  t.same(again.outputs.map((o) => o.packet.length - 40), [2000, 2000], 'a retransmitted pair starts a new item')
})

t.test('coalescing: flags, ACK numbers, options and header fields must match', async (t) => {
  const base = flow(2)
  const mk = (o: Partial<TcpOpts>): Buffer => tcpPacket({ seq: 1001, payload: pattern(1000, 1), ...o })
  const cases: Array<[string, Buffer[]]> = [
    ['SYN', [tcpPacket({ seq: 1, payload: pattern(1000), flags: SYN | ACK }), base[1]]],
    ['FIN on the first', [tcpPacket({ seq: 1, payload: pattern(1000), flags: FIN | ACK }), base[1]]],
    ['FIN on the second', [base[0], mk({ flags: FIN | ACK })]],
    ['PSH on the first (must be last)', [tcpPacket({ seq: 1, payload: pattern(1000), flags: PSH | ACK }), base[1]]],
    ['different ACK number', [base[0], mk({ ack: 778 })]],
    ['different TTL', [base[0], mk({ ttl: 63 })]],
    ['different TCP options',
      [tcpPacket({ seq: 1, payload: pattern(1000), tcpOptions: Buffer.from([1, 1, 1, 1]) }),
        mk({ tcpOptions: Buffer.from([1, 1, 1, 0]) })]],
    ['IPv4 options',
      [tcpPacket({ seq: 1, payload: pattern(1000), ipOptions: Buffer.from([1, 1, 1, 1]) }),
        mk({ ipOptions: Buffer.from([1, 1, 1, 1]) })]],
    ['a larger segment after a smaller one',
      [tcpPacket({ seq: 1, payload: pattern(500) }), tcpPacket({ seq: 501, payload: pattern(1000) })]],
    ['a segment after a short one',
      [tcpPacket({ seq: 1, payload: pattern(1000) }), tcpPacket({ seq: 1001, payload: pattern(500) }),
        tcpPacket({ seq: 1501, payload: pattern(500) })]],
    ['a pure ACK', [tcpPacket({ seq: 1, payload: Buffer.alloc(0) }), tcpPacket({ seq: 1, payload: Buffer.alloc(0) })]],
  ]
  for (const [name, pkts] of cases) {
    const r = coalesce(pkts)
    const expected = name === 'a segment after a short one' ? 2 : pkts.length
    t.equal(r.outputs.length, expected, name)
    t.equal(r.badChecksums, 0)
  }
})

t.test('coalescing: the 65535-byte IP limit and an exhausted arena', async (t) => {
  const many = flow(70, { size: 1000 })
  const r = coalesce(many)
  t.same(r.outputs.map((o) => o.packet.length), [40 + 65000, 40 + 5000], '65 segments fit below 65535, then a new one')
  const few = coalesce([...flow(3, { sport: 1 }), ...flow(3, { sport: 2 }), ...flow(3, { sport: 3 })], { slots: 1 })
  t.same(few.outputs.map((o) => o.packet.length), [3040, 1040, 1040, 1040, 1040, 1040, 1040],
    'one slot: the other flows go out unmerged')
  for (const o of few.outputs) t.ok(l4ChecksumOk(finishLikeKernel(o)))
})

t.test('coalescing: checksums verified; bad dropped, pseudo-header-only passed as NEEDS_CSUM', async (t) => {
  const bad = tcpPacket({ seq: 1, payload: pattern(1000), badChecksum: true })
  const r = coalesce([bad, tcpPacket({ seq: 1001, payload: pattern(1000) })])
  t.equal(r.badChecksums, 1, 'a wrong TCP checksum is dropped and counted')
  t.equal(r.outputs.length, 1)
  t.same([...r.outputs[0].header], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 'a verified lone packet: plain header')
  const badUdp = udpPacket({ payload: pattern(50) })
  badUdp[27] ^= 1
  t.equal(coalesce([badUdp]).badChecksums, 1, 'a wrong UDP checksum too')
  const noUdpSum = udpPacket({ payload: pattern(50) })
  noUdpSum.writeUInt16BE(0, 26)
  t.equal(coalesce([noUdpSum]).outputs.length, 1, 'IPv4 UDP without checksum (0) passes')

  const partial = flow(3, { partial: true })
  const p = coalesce(partial)
  t.equal(p.outputs.length, 1, 'segments with pseudo-header-only checksums (a same-host kernel sender) merge')
  t.ok(l4ChecksumOk(finishLikeKernel(p.outputs[0])))
  const lone = coalesce([tcpPacket({ seq: 1, payload: pattern(10), partial: true, flags: ACK | PSH | FIN })])
  t.equal(lone.outputs[0].header[0], VNET_F_NEEDS_CSUM, 'a lone partial packet: NEEDS_CSUM for the kernel to finish')
  t.equal(lone.outputs[0].header.readUInt16LE(6), 20)
  t.equal(lone.outputs[0].header.readUInt16LE(8), 16)
  t.ok(l4ChecksumOk(finishLikeKernel(lone.outputs[0])))
})

t.test('coalescing: IPv6 flows, and non-TCP traffic passes through', async (t) => {
  const v6 = Array.from({ length: 3 }, (_, k) => tcpPacket({ v6: true, seq: 1 + k * 1200, payload: pattern(1200, k) }))
  const icmp = withIp({ proto: 1, l4: Buffer.from([8, 0, 0, 0, 0, 1, 0, 1]), csumAt: 2 })
  const r = coalesce([icmp, ...v6, udpPacket({ payload: pattern(20) })])
  t.equal(r.outputs.length, 3)
  t.same(r.outputs[0].packet, icmp, 'ICMP untouched')
  const d = createVirtioNetHeader()
  decodeVirtioNetHeader(Buffer.concat([r.outputs[1].header, r.outputs[1].packet]), 0, r.outputs[1].packet.length, d)
  t.equal(d.gsoType, VNET_GSO_TCPV6)
  t.equal(d.csumStart, 40)
  t.equal(r.outputs[1].packet.readUInt16BE(4), 60 + 3600 - 40, 'IPv6 payload length')
  t.ok(l4ChecksumOk(finishLikeKernel(r.outputs[1])))
})

t.test('coalescing: a packet above the TUN MTU (a whole GSO skb from a same-host kernel peer) goes out as GSO',
  async (t) => {
    const whole = tcpPacket({ seq: 1, payload: pattern(4000), partial: true, flags: ACK | PSH })
    const r = coalesce([whole, tcpPacket({ seq: 4001, payload: pattern(1000) })], { maxPacket: 1450 })
    t.equal(r.outputs.length, 2, 'not merged with what follows')
    const d = createVirtioNetHeader()
    t.ok(decodeVirtioNetHeader(Buffer.concat([r.outputs[0].header, r.outputs[0].packet]), 0, r.outputs[0].packet.length,
      d))
    t.same(d,
      { flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_TCPV4, hdrLen: 40, gsoSize: 1410, csumStart: 20, csumOffset: 16 },
      'segments of 40 + 1410 = 1450')
    t.ok(l4ChecksumOk(finishLikeKernel(r.outputs[0])))
    const bad = tcpPacket({ seq: 1, payload: pattern(4000), badChecksum: true })
    t.equal(coalesce([bad], { maxPacket: 1450 }).badChecksums, 1, 'verified like any other')
  })

t.test('coalesceTun refuses packets without room for their header', async (t) => {
  const p = tcpPacket({ payload: pattern(10) })
  t.throws(() => native.coalesceTun([p], Int32Array.from([0]), Int32Array.from([p.length]), 1, Buffer.alloc(70000),
    65552,
    new Int32Array(3), new Int32Array(2), 1500), /no room for its header/)
  t.throws(() => native.coalesceTun([p], Int32Array.from([10]), Int32Array.from([p.length]), 1, Buffer.alloc(70000),
    65552,
    new Int32Array(3), new Int32Array(2), 1500), /outside its buffer/)
})

// ---------------------------------------------------------------------------------------------
// UDP coalescing (where the TUN took USO)
// ---------------------------------------------------------------------------------------------

const USO = TUN_F_USO4 | TUN_F_USO6

/**
 * What the kernel's UDP segmentation makes of a GSO_UDP_L4 output, written here without the
 * product's code: the headers copied per datagram, payload cut at gsoSize, IPv4 total length, ID
 * (+k) and header checksum, UDP length, and the UDP checksum computed whole by sum16.
 */
function splitLikeKernel (o: CoalesceOutput): Buffer[] {
  const d = createVirtioNetHeader()
  t.ok(decodeVirtioNetHeader(Buffer.concat([o.header, o.packet]), 0, o.packet.length, d), 'output header decodes')
  if (d.gsoType !== VNET_GSO_UDP_L4) return [finishLikeKernel(o)]
  const p = o.packet
  const v6 = p[0] >> 4 === 6
  const iph = d.csumStart
  const out: Buffer[] = []
  for (let at = iph + 8, k = 0; at < p.length; at += d.gsoSize, k++) {
    const payload = p.subarray(at, Math.min(p.length, at + d.gsoSize))
    const seg = Buffer.concat([p.subarray(0, iph + 8), payload])
    if (v6) {
      seg.writeUInt16BE(seg.length - 40, 4)
    } else {
      seg.writeUInt16BE(seg.length, 2)
      seg.writeUInt16BE((p.readUInt16BE(4) + k) & 0xffff, 4)
      seg.writeUInt16BE(0, 10)
      seg.writeUInt16BE(0xffff - sum16([seg.subarray(0, iph)]), 10)
    }
    seg.writeUInt16BE(seg.length - iph, iph + 4)
    seg.writeUInt16BE(0, iph + 6)
    seg.writeUInt16BE(0xffff - sum16([pseudoHeader(seg, 17, seg.length - iph), seg.subarray(iph)]), iph + 6)
    out.push(seg)
  }
  return out
}

function datagrams (sizes: number[], o: Partial<UdpOpts> = {}): Buffer[] {
  return sizes.map((size, k) => udpPacket({ ...o, id: (o.id ?? 0x1234) + k, payload: pattern(size, k) }))
}

t.test('UDP coalescing: datagrams of one flow become one GSO_UDP_L4 super-packet (IPv4, IPv6)', async (t) => {
  for (const v6 of [false, true]) {
    const name = v6 ? 'IPv6' : 'IPv4'
    const iph = v6 ? 40 : 20
    const dgrams = datagrams([1200, 1200, 1200, 700], { v6 })
    const r = coalesce(dgrams, { uso: USO })
    t.equal(r.outputs.length, 1, `${name}: one super-packet`)
    t.equal(r.merged, 3)
    const o = r.outputs[0]
    t.ok(o.source < 0, 'built in the arena')
    const d = createVirtioNetHeader()
    decodeVirtioNetHeader(Buffer.concat([o.header, o.packet]), 0, o.packet.length, d)
    const want = { flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_UDP_L4, hdrLen: iph + 8, gsoSize: 1200 }
    t.same(d, { ...want, csumStart: iph, csumOffset: 6 }, `${name}: virtio header`)
    t.equal(o.packet.length, iph + 8 + 4300)
    if (v6) t.equal(o.packet.readUInt16BE(4), 8 + 4300, 'IPv6 payload length')
    else { t.equal(o.packet.readUInt16BE(2), o.packet.length, 'IPv4 total length'); t.ok(ipv4HeaderOk(o.packet)) }
    t.equal(o.packet.readUInt16BE(iph + 4), 8 + 4300, 'UDP length of the whole')
    t.equal(o.packet.readUInt16BE(iph + 6), sum16([pseudoHeader(o.packet, 17, 8 + 4300)]), 'checksum field = pseudo-header sum')
    t.ok(l4ChecksumOk(finishLikeKernel(o)), 'completes to a valid checksum')
    t.same(splitLikeKernel(o), dgrams, `${name}: segmented again, byte-identical to the datagrams received`)
  }
})

t.test('UDP coalescing: only where the TUN took USO for that family (fallback: each datagram alone)', async (t) => {
  const v4 = datagrams([1000, 1000, 1000])
  const v6 = datagrams([1000, 1000, 1000], { v6: true })
  t.equal(coalesce(v4).outputs.length, 3, 'no usoFlags: IPv4 not merged')
  t.equal(coalesce(v4, { uso: TUN_F_USO6 }).outputs.length, 3, 'USO6 only: IPv4 not merged')
  t.equal(coalesce(v6, { uso: TUN_F_USO4 }).outputs.length, 3, 'USO4 only: IPv6 not merged')
  t.equal(coalesce(v4, { uso: TUN_F_USO4 }).outputs.length, 1, 'USO4: IPv4 merged')
  for (const o of coalesce(v4).outputs) t.same([...o.header], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 'a lone datagram: plain header')
})

t.test('UDP coalescing: the last datagram may be shorter, never longer', async (t) => {
  const sizes = (pkts: Buffer[]): number[][] => coalesce(pkts, { uso: USO }).outputs.map((o) =>
    splitLikeKernel(o).map((s) => s.length - 28))
  t.same(sizes(datagrams([1000, 1000, 600])), [[1000, 1000, 600]], 'shorter last: merged')
  t.same(sizes(datagrams([1000, 600, 1000])), [[1000, 600], [1000]], 'after a shorter one the item is closed')
  t.same(sizes(datagrams([600, 1000, 1000])), [[600], [1000, 1000]], 'a larger one never joins a smaller head')
  t.same(sizes(datagrams([1000, 1000, 1000, 1000])), [[1000, 1000, 1000, 1000]], 'equal sizes')
  const all = datagrams([1000, 600, 1000])
  t.same(coalesce(all, { uso: USO }).outputs.flatMap(splitLikeKernel), all, 'every datagram comes back unchanged')
})

t.test('UDP coalescing: flow changes and header fields', async (t) => {
  const a = datagrams([900, 900, 900], { sport: 1111 })
  const b = datagrams([900, 900, 900], { sport: 2222, id: 0x4000 })
  const r = coalesce([a[0], b[0], a[1], b[1], a[2], b[2]], { uso: USO })
  t.equal(r.outputs.length, 2, 'interleaved flows merge separately')
  t.equal(r.outputs[0].packet.readUInt16BE(20), 1111, 'in order of first datagram')
  t.same(splitLikeKernel(r.outputs[0]), a)
  t.same(splitLikeKernel(r.outputs[1]), b)
  const base = udpPacket({ id: 0x1234, payload: pattern(900) })
  const cases: Array<[string, Buffer]> = [
    ['another destination port', udpPacket({ id: 0x1235, dport: 5202, payload: pattern(900, 1) })],
    ['another TTL', udpPacket({ id: 0x1235, ttl: 63, payload: pattern(900, 1) })],
    ['DF only on the first', udpPacket({ id: 0x1235, df: false, payload: pattern(900, 1) })],
    ['a TCP segment', tcpPacket({ id: 0x1235, payload: pattern(900, 1) })],
  ]
  for (const [name, second] of cases) t.equal(coalesce([base, second], { uso: USO }).outputs.length, 2, name)
  const noDf = (id: number): Buffer => udpPacket({ id, df: false, payload: pattern(900, id) })
  t.equal(coalesce([noDf(7), noDf(8), noDf(9)], { uso: USO }).outputs.length, 1, 'without DF, consecutive IP IDs merge')
  t.equal(coalesce([noDf(7), noDf(9)], { uso: USO }).outputs.length, 2, 'without DF, a gap in the IP ID does not')
  t.same(splitLikeKernel(coalesce([noDf(7), noDf(8)], { uso: USO }).outputs[0]), [noDf(7), noDf(8)], 'IDs kept')
})

t.test('UDP coalescing: size limits (65535 bytes of IP, 64 datagrams, the TUN MTU)', async (t) => {
  const big = coalesce(datagrams(Array<number>(70).fill(1000)), { uso: USO })
  t.same(big.outputs.map((o) => o.packet.length), [28 + 64000, 28 + 6000], '64 datagrams at most, then a new one')
  const huge = coalesce(datagrams(Array<number>(50).fill(1400)), { uso: USO })
  t.same(huge.outputs.map((o) => o.packet.length), [28 + 1400 * 46, 28 + 1400 * 4], '46 x 1400 fit below 65535')
  const many = coalesce(datagrams(Array<number>(100).fill(100)), { uso: USO })
  t.same(many.outputs.map((o) => o.packet.length), [28 + 6400, 28 + 3600], 'small datagrams: 64, then 36')
  const mtu = coalesce(datagrams([1600, 1600]), { uso: USO, maxPacket: 1500 })
  t.equal(mtu.outputs.length, 2, 'datagrams above the TUN MTU are not merged')
  const slots = coalesce([...datagrams([500, 500], { sport: 1 }), ...datagrams([500, 500], { sport: 2 })],
    { uso: USO, slots: 1 })
  t.same(slots.outputs.map((o) => o.packet.length), [1028, 528, 528], 'one arena slot: the second flow goes out unmerged')
})

t.test('UDP coalescing: checksums verified; bad dropped, none (IPv4 0) or partial handled', async (t) => {
  const dgrams = datagrams([800, 800, 800])
  const bad = Buffer.from(dgrams[1])
  bad[40] ^= 1
  const r = coalesce([dgrams[0], bad, dgrams[2]], { uso: USO })
  t.equal(r.badChecksums, 1, 'a wrong UDP checksum is dropped and counted')
  t.equal(r.outputs.length, 1, 'the others merge (UDP has no sequence to show the gap)')
  t.same(splitLikeKernel(r.outputs[0]).map((d) => d.subarray(28)), [dgrams[0], dgrams[2]].map((d) => d.subarray(28)))
  const none = datagrams([800, 800]).map((p) => { const c = Buffer.from(p); c.writeUInt16BE(0, 26); return c })
  const n = coalesce(none, { uso: USO })
  t.equal(n.outputs.length, 2, 'IPv4 UDP without a checksum is not merged')
  t.same(n.outputs.map((o) => o.packet), none, 'and passes untouched')
  const partial = datagrams([800, 800, 300], { partial: true })
  const p = coalesce(partial, { uso: USO })
  t.equal(p.outputs.length, 1, 'pseudo-header-only checksums (a same-host sender) merge')
  const whole = datagrams([800, 800, 300])
  t.same(splitLikeKernel(p.outputs[0]), whole, 'and come out with complete checksums')
  // 4 bytes after the UDP datagram inside the IP packet, the checksum made to verify over them.
  const trailing = Buffer.concat([udpPacket({ payload: pattern(800) }), Buffer.from([1, 2, 3, 4])])
  trailing.writeUInt16BE(trailing.length, 2)
  trailing.writeUInt16BE(0, 10)
  trailing.writeUInt16BE(0xffff - sum16([trailing.subarray(0, 20)]), 10)
  trailing.writeUInt16BE(0, 26)
  trailing.writeUInt16BE(0xffff - sum16([pseudoHeader(trailing, 17, trailing.length - 20), trailing.subarray(20)]), 26)
  const tr = coalesce([trailing, udpPacket({ id: 0x1235, payload: pattern(800) })], { uso: USO })
  t.equal(tr.badChecksums, 0)
  t.equal(tr.outputs.length, 2, 'a datagram whose UDP length is short of the IP length is not merged')
})
