import t from 'tap'
import { isFragmentationNeededCandidate, writeFragmentationNeeded } from '../../dataplane/icmp'
import { internetChecksum, ipv4HeaderChecksum } from '../../dataplane/ipv4'

/** An IPv4 packet 10.244.1.5 -> 10.244.2.9 with DF, `len` bytes, payload bytes = index & 0xff. */
function packet (len: number,
  opts: {
    proto?: number, df?: boolean, options?: number, src?: number, frag?: number, icmpType?: number
  } = {}): Buffer {
  const ihl = 20 + (opts.options ?? 0)
  const p = Buffer.alloc(len)
  for (let i = 0; i < len; i++) p[i] = i & 0xff
  p[0] = 0x40 | (ihl >> 2); p[1] = 0; p.writeUInt16BE(len, 2); p.writeUInt16BE(0xbeef, 4)
  p.writeUInt16BE(((opts.df ?? true) ? 0x4000 : 0) | (opts.frag ?? 0), 6)
  p[8] = 63; p[9] = opts.proto ?? 17
  p.writeUInt32BE(opts.src ?? 0x0af40105, 12); p.writeUInt32BE(0x0af40209, 16)
  if (opts.options) p.fill(1, 20, ihl) // NOP options
  if (opts.icmpType !== undefined) p[ihl] = opts.icmpType
  p.writeUInt16BE(0, 10)
  p.writeUInt16BE(ipv4HeaderChecksum(p, 0, ihl), 10)
  return p
}

const NODE = 0x0af40101 // 10.244.1.1: this node's overlay address

t.test('exact fields of a fragmentation-needed packet', async t => {
  const orig = packet(1400)
  const out = Buffer.alloc(200, 0xee)
  const n = writeFragmentationNeeded(orig, 0, orig.length, out, 10, 1350, NODE)
  t.equal(n, 20 + 8 + 20 + 8)
  const ip = out.subarray(10, 10 + n)
  t.equal(ip[0], 0x45, 'version 4, IHL 5')
  t.equal(ip[1], 0xc0, 'TOS: precedence internetwork control')
  t.equal(ip.readUInt16BE(2), 56, 'total length')
  t.equal(ip.readUInt16BE(4), 0, 'id')
  t.equal(ip.readUInt16BE(6), 0, 'flags/fragment')
  t.equal(ip[8], 64, 'TTL 64')
  t.equal(ip[9], 1, 'protocol ICMP')
  t.equal(ip.readUInt32BE(12), NODE, 'source: our overlay address')
  t.equal(ip.readUInt32BE(16), 0x0af40105, 'destination: the original source')
  t.equal(internetChecksum(ip, 0, 20), 0, 'IP header checksum verifies')
  t.equal(ip.readUInt16BE(10), ipv4HeaderChecksum(ip, 0, 20))
  const icmp = ip.subarray(20)
  t.equal(icmp[0], 3, 'type 3 destination unreachable')
  t.equal(icmp[1], 4, 'code 4 fragmentation needed')
  t.equal(icmp.readUInt16BE(4), 0, 'unused')
  t.equal(icmp.readUInt16BE(6), 1350, 'next-hop MTU (RFC 1191)')
  t.equal(internetChecksum(icmp, 0, icmp.length), 0, 'ICMP checksum verifies')
  t.ok(icmp.subarray(8).equals(orig.subarray(0, 28)), 'quotes the original header + 8 payload bytes')
  t.ok(out.subarray(0, 10).every(b => b === 0xee) && out.subarray(10 + n).every(b => b === 0xee),
    'writes nothing outside its range')
})

t.test('quotes IP options, bounded by the original length', async t => {
  const withOptions = packet(1000, { options: 8 })
  const out = Buffer.alloc(200)
  const n = writeFragmentationNeeded(withOptions, 0, withOptions.length, out, 0, 1400, NODE)
  t.equal(n, 20 + 8 + 28 + 8)
  t.ok(out.subarray(28, n).equals(withOptions.subarray(0, 36)))
  t.equal(internetChecksum(out, 20, n - 20), 0)

  const tiny = packet(24)
  const m = writeFragmentationNeeded(tiny, 0, tiny.length, out, 0, 1400, NODE)
  t.equal(m, 20 + 8 + 24, 'a 24-byte original is quoted whole')
  t.equal(internetChecksum(out, 20, m - 20), 0, 'short quote: checksum verifies')

  const odd = packet(25)
  const k = writeFragmentationNeeded(odd, 0, odd.length, out, 0, 1400, NODE)
  t.equal(k, 20 + 8 + 25)
  t.equal(internetChecksum(out, 20, k - 20), 0, 'odd-length ICMP message: checksum verifies')

  const shifted = Buffer.concat([Buffer.alloc(5), packet(300)])
  t.equal(writeFragmentationNeeded(shifted, 5, 300, out, 0, 1400, NODE), 56, 'original at an offset')
  t.equal(out.readUInt32BE(16), 0x0af40105)
})

t.test('refuses bad input without throwing', async t => {
  const orig = packet(100)
  t.equal(writeFragmentationNeeded(orig, 0, orig.length, Buffer.alloc(55), 0, 1400, NODE), 0, 'out too small')
  t.equal(writeFragmentationNeeded(orig, 0, 19, Buffer.alloc(200), 0, 1400, NODE), 0, 'original too short')
  t.equal(writeFragmentationNeeded(orig, 90, 20, Buffer.alloc(200), 0, 1400, NODE), 0, 'original beyond its buffer')
  const badIhl = packet(100); badIhl[0] = 0x43
  t.equal(writeFragmentationNeeded(badIhl, 0, 100, Buffer.alloc(200), 0, 1400, NODE), 0, 'IHL < 5')
})

t.test('isFragmentationNeededCandidate', async t => {
  t.equal(isFragmentationNeededCandidate(packet(1400), 0, 1400), true, 'UDP with DF')
  t.equal(isFragmentationNeededCandidate(packet(1400, { proto: 6 }), 0, 1400), true, 'TCP with DF')
  t.equal(isFragmentationNeededCandidate(packet(1400, { proto: 1, icmpType: 8 }), 0, 1400), true,
    'ICMP echo request with DF')
  t.equal(isFragmentationNeededCandidate(packet(1400, { proto: 1, icmpType: 0 }), 0, 1400), true, 'ICMP echo reply')
  for (const type of [3, 4, 5, 11, 12]) {
    t.equal(isFragmentationNeededCandidate(packet(1400, { proto: 1, icmpType: type }), 0, 1400), false,
      `ICMP error type ${type}: never answered`)
  }
  t.equal(isFragmentationNeededCandidate(packet(1400, { df: false }), 0, 1400), false, 'no DF')
  t.equal(isFragmentationNeededCandidate(packet(1400, { frag: 100 }), 0, 1400), false, 'non-first fragment')
  t.equal(isFragmentationNeededCandidate(packet(1400, { src: 0 }), 0, 1400), false, 'source 0.0.0.0')
  t.equal(isFragmentationNeededCandidate(packet(1400, { src: 0xe0000001 }), 0, 1400), false, 'multicast source')
  t.equal(isFragmentationNeededCandidate(packet(1400, { src: 0xffffffff }), 0, 1400), false, 'broadcast source')
  t.equal(isFragmentationNeededCandidate(packet(1400, { src: 0x7f000001 }), 0, 1400), false, 'loopback source')
  const v6 = packet(1400); v6[0] = 0x60
  t.equal(isFragmentationNeededCandidate(v6, 0, 1400), false, 'IPv6')
  t.equal(isFragmentationNeededCandidate(packet(1400), 0, 19), false, 'too short')
  t.equal(isFragmentationNeededCandidate(packet(20, { proto: 1 }), 0, 20), false, 'ICMP without a type byte')
})
