import t from 'tap'
import {
  inspectIPv4Packet, internetChecksum, ipv4HeaderChecksum, isIPv4DontFragment, readIPv4Destination,
  readIPv4HeaderLen, readIPv4Protocol, readIPv4Source, readIPv4TotalLen, readIPVersion,
} from '../../dataplane/ipv4'
import { formatCIDR, formatIPv4Address, parseCIDR, parseIPv4Address, prefixMask } from '../../lib'

// The classic example header (Wikipedia "IPv4 header checksum"): checksum 0xb861.
const EXAMPLE_HEADER = Buffer.from('450000730000400040110000c0a80001c0a800c7', 'hex')

t.test('parseIPv4Address / formatIPv4Address round trip', async t => {
  const cases: Array<[string, number]> = [
    ['0.0.0.0', 0], ['255.255.255.255', 0xffffffff], ['10.244.1.7', 0x0af40107],
    ['192.168.0.1', 0xc0a80001], ['128.0.0.0', 0x80000000], ['1.2.3.4', 0x01020304],
  ]
  for (const [s, n] of cases) {
    t.equal(parseIPv4Address(s), n, s)
    t.equal(formatIPv4Address(n), s, s)
  }
  t.equal(formatIPv4Address(-1), '255.255.255.255', 'signed input is normalised')
})

t.test('parseIPv4Address rejects bad input with a message naming the value', async t => {
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '10.0.0.256', '01.2.3.4', ' 1.2.3.4', '1.2.3.4 ',
    'a.b.c.d', '1..2.3', '-1.2.3.4', '0x1.2.3.4', '1.2.3.4/24']) {
    t.throws(() => parseIPv4Address(bad), { code: 'ERR_INVALID_IPV4_ADDRESS', name: 'InvalidIPv4AddressError' }, bad)
    try {
      parseIPv4Address(bad)
    } catch (err) {
      t.ok((err as Error).message.includes(JSON.stringify(bad)),
        `message names ${JSON.stringify(bad)}: ${(err as Error).message}`)
    }
  }
  t.throws(() => parseIPv4Address(42 as unknown as string), { code: 'ERR_INVALID_IPV4_ADDRESS' })
})

t.test('parseCIDR', async t => {
  t.same(parseCIDR('10.244.0.0/16'), { address: 0x0af40000, network: 0x0af40000, prefixLength: 16, hostBitsSet: false })
  t.same(parseCIDR('10.244.1.5/24'), { address: 0x0af40105, network: 0x0af40100, prefixLength: 24, hostBitsSet: true })
  t.same(parseCIDR('0.0.0.0/0'), { address: 0, network: 0, prefixLength: 0, hostBitsSet: false })
  t.same(parseCIDR('1.2.3.4/0'), { address: 0x01020304, network: 0, prefixLength: 0, hostBitsSet: true })
  t.same(parseCIDR('255.255.255.255/32'),
    { address: 0xffffffff, network: 0xffffffff, prefixLength: 32, hostBitsSet: false })
  t.equal(formatCIDR(0x0af40140, 26), '10.244.1.64/26')
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/08', '10.0.0.0/', '10.0.0/8',
    '10.0.0.0/8/8']) {
    t.throws(() => parseCIDR(bad), { code: 'ERR_INVALID_CIDR' }, bad)
    try { parseCIDR(bad) } catch (err) {
      t.ok((err as Error).message.includes(JSON.stringify(bad)), `message names ${bad}: ${(err as Error).message}`)
    }
  }
  try { parseCIDR('10.0.0.300/8') } catch (err) {
    t.equal((err as { cause?: { code?: string } }).cause?.code, 'ERR_INVALID_IPV4_ADDRESS',
      'wraps the address error as cause')
  }
})

t.test('prefixMask', async t => {
  t.equal(prefixMask(0), 0)
  t.equal(prefixMask(1), 0x80000000)
  t.equal(prefixMask(8), 0xff000000)
  t.equal(prefixMask(26), 0xffffffc0)
  t.equal(prefixMask(32), 0xffffffff)
})

t.test('per-packet readers', async t => {
  const h = EXAMPLE_HEADER
  t.equal(readIPVersion(h, 0), 4)
  t.equal(readIPv4HeaderLen(h, 0), 20)
  t.equal(readIPv4TotalLen(h, 0), 0x73)
  t.equal(isIPv4DontFragment(h, 0), true)
  t.equal(readIPv4Protocol(h, 0), 17)
  t.equal(readIPv4Source(h, 0), 0xc0a80001)
  t.equal(readIPv4Destination(h, 0), 0xc0a800c7)
  const shifted = Buffer.concat([Buffer.alloc(7, 0xee), h])
  t.equal(readIPv4Destination(shifted, 7), 0xc0a800c7, 'reads at an offset')
  const noDF = Buffer.from(h)
  noDF[6] = 0x20 // MF only
  t.equal(isIPv4DontFragment(noDF, 0), false)
  t.doesNotThrow(() => readIPv4Destination(Buffer.alloc(3), 0), 'out of range reads do not throw')
})

t.test('inspectIPv4Packet', async t => {
  const p = Buffer.alloc(40)
  EXAMPLE_HEADER.copy(p)
  p[2] = 0; p[3] = 40
  t.equal(inspectIPv4Packet(p, 0, 40), 40)
  t.equal(inspectIPv4Packet(p, 0, 39), -1, 'total length beyond the bytes: -Malformed')
  p[3] = 30
  t.equal(inspectIPv4Packet(p, 0, 40), 30, 'trailing padding is not part of the packet')
  p[3] = 19
  t.equal(inspectIPv4Packet(p, 0, 40), -1, 'total length below the header')
  p[3] = 40; p[0] = 0x44
  t.equal(inspectIPv4Packet(p, 0, 40), -1, 'IHL 4')
  p[0] = 0x4f
  t.equal(inspectIPv4Packet(p, 0, 40), -1, 'IHL 15 = 60 bytes > total 40')
  p[0] = 0x60
  t.equal(inspectIPv4Packet(p, 0, 40), -10, 'IPv6: -Unsupported')
  p[0] = 0x45
  t.equal(inspectIPv4Packet(p, 0, 19), -1, 'shorter than a header')
  t.equal(inspectIPv4Packet(p, 0, 0), -1, 'empty')
  t.equal(inspectIPv4Packet(p, 30, 20), -1, 'avail beyond the buffer')
})

t.test('checksums', async t => {
  t.equal(ipv4HeaderChecksum(EXAMPLE_HEADER, 0, 20), 0xb861, 'known vector')
  const withSum = Buffer.from(EXAMPLE_HEADER)
  withSum[10] = 0xb8; withSum[11] = 0x61
  t.equal(internetChecksum(withSum, 0, 20), 0, 'a header with its checksum sums to zero')
  t.equal(ipv4HeaderChecksum(withSum, 0, 20), 0xb861, 'the current checksum field is skipped')
  // RFC 1071 §3 example: words 0001 f203 f4f5 f6f7 sum to ddf2 (checksum 220d).
  t.equal(internetChecksum(Buffer.from('0001f203f4f5f6f7', 'hex'), 0, 8), 0x220d)
  // Odd length: the last byte is padded with zero.
  t.equal(internetChecksum(Buffer.from([0x01, 0x02, 0x03]), 0, 3), (~(0x0102 + 0x0300)) & 0xffff)
  t.equal(internetChecksum(Buffer.from([0x12, 0x34]), 0, 2, 0x1111), (~(0x1234 + 0x1111)) & 0xffff,
    'initial partial sum')
  // Against a naive implementation on a long all-0xff buffer (many carries).
  const big = Buffer.alloc(70001, 0xff)
  let sum = 0
  for (let i = 0; i < big.length; i += 2) sum += (big[i] << 8) | (i + 1 < big.length ? big[i + 1] : 0)
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  t.equal(internetChecksum(big, 0, big.length), (~sum) & 0xffff)
})
