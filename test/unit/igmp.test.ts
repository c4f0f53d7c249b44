/**
 * IGMP codec (RFC 2236, RFC 3376): v1/v2 reports and leaves, v3 reports reduced to (*,G)
 * join/leave per record type, the general query loomd sends, and hostile input (short, bad
 * checksum, truncated records, non-multicast groups, record bombs, unknown types).
 */
import t from 'tap'
import {
  decodeIgmp, GENERAL_QUERY_FRAME_LEN, IGMP_QUERY, writeGeneralQuery, writeGroupMAC,
} from '../../dataplane/igmp'
import { internetChecksum, ipv4HeaderChecksum } from '../../dataplane/ipv4'
import { parseIPv4Address } from '../../lib'

const ip = parseIPv4Address

function withChecksum (b: Buffer): Buffer {
  b.writeUInt16BE(0, 2)
  b.writeUInt16BE(internetChecksum(b, 0, b.length), 2)
  return b
}
function v2 (type: number, group: string): Buffer {
  const b = Buffer.alloc(8)
  b[0] = type
  b[1] = 100
  b.writeUInt32BE(ip(group), 4)
  return withChecksum(b)
}
interface Rec { type: number, group: string, sources?: string[], aux?: number }
function v3 (records: Rec[], declared = records.length): Buffer {
  const parts = records.map((r) => {
    const src = r.sources ?? []
    const b = Buffer.alloc(8 + src.length * 4 + (r.aux ?? 0) * 4)
    b[0] = r.type
    b[1] = r.aux ?? 0
    b.writeUInt16BE(src.length, 2)
    b.writeUInt32BE(ip(r.group), 4)
    src.forEach((s, i) => b.writeUInt32BE(ip(s), 8 + i * 4))
    return b
  })
  const head = Buffer.alloc(8)
  head[0] = 0x22
  head.writeUInt16BE(declared, 6)
  return withChecksum(Buffer.concat([head, ...parts]))
}
const dec = (b: Buffer): ReturnType<typeof decodeIgmp> => decodeIgmp(b, 0, b.length)
const groups = (r: ReturnType<typeof decodeIgmp>): unknown => r.type === 'report'
  ? {
      joins: r.joins.map(fmt), leaves: r.leaves.map(fmt)
    }
  : r.type
const fmt = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')

t.test('IGMPv1/v2 reports and v2 leave', async (t) => {
  t.same(groups(dec(v2(0x16, '239.1.2.3'))), { joins: ['239.1.2.3'], leaves: [] })
  t.same(groups(dec(v2(0x12, '224.0.0.251'))), { joins: ['224.0.0.251'], leaves: [] })
  t.same(groups(dec(v2(0x17, '239.1.2.3'))), { joins: [], leaves: ['239.1.2.3'] })
  t.equal(dec(v2(IGMP_QUERY, '0.0.0.0')).type, 'query')
})

t.test('a real Linux IGMPv3 join and leave (tcpdump -xx on a pod veth, kernel 6.18)', async (t) => {
  // IP_ADD_MEMBERSHIP 239.1.2.3 from 10.244.1.11: one record CHANGE_TO_EXCLUDE {}.
  const join = Buffer.from('2200e8f9000000010400000' + '0ef010203', 'hex')
  t.same(groups(dec(join)), { joins: ['239.1.2.3'], leaves: [] })
  // The socket closed: CHANGE_TO_INCLUDE {}.
  const leave = Buffer.from('2200e9f9000000010300000' + '0ef010203', 'hex')
  t.same(groups(dec(leave)), { joins: [], leaves: ['239.1.2.3'] })
})

t.test('IGMPv3 records reduce to (*,G)', async (t) => {
  const r = dec(v3([
    { type: 1, group: '239.0.0.1' }, // IS_IN {}: not a member
    { type: 1, group: '239.0.0.2', sources: ['10.0.0.1'] }, // IS_IN {S}: served as a join
    { type: 2, group: '239.0.0.3' }, // IS_EX {}
    { type: 3, group: '239.0.0.4' }, // TO_IN {}: leave
    { type: 4, group: '239.0.0.5', sources: ['10.0.0.1'], aux: 1 }, // TO_EX {S} with aux data
    { type: 5, group: '239.0.0.6', sources: ['10.0.0.2'] }, // ALLOW {S}
    { type: 5, group: '239.0.0.7' }, // ALLOW {}: nothing
    { type: 6, group: '239.0.0.8', sources: ['10.0.0.2'] }, // BLOCK: nothing
  ]))
  t.same(groups(r), { joins: ['239.0.0.2', '239.0.0.3', '239.0.0.5', '239.0.0.6'], leaves: ['239.0.0.1', '239.0.0.4'] })
})

t.test('malformed IGMP is refused, never thrown', async (t) => {
  const bad: Array<[string, Buffer]> = [
    ['too short', Buffer.from([0x16, 0, 0, 0])],
    ['bad checksum', (() => { const b = v2(0x16, '239.1.2.3'); b[3] ^= 1; return b })()],
    ['v2 report for a unicast group', v2(0x16, '10.1.2.3')],
    ['unknown type', v2(0x30, '239.1.2.3')],
    ['record count larger than the message', v3([{ type: 2, group: '239.0.0.3' }], 2)],
    ['record sources past the end',
      (() => {
        const b = v3([{ type: 2, group: '239.0.0.3', sources: ['1.1.1.1'] }]); return withChecksum(b.subarray(0,
          b.length - 2))
      })()],
    ['record bomb', v3([], 5000)],
    ['unicast group in a record', v3([{ type: 2, group: '192.168.0.1' }])],
    ['unknown record type', v3([{ type: 9, group: '239.0.0.1' }])],
  ]
  for (const [what, b] of bad) t.equal(dec(b).type, 'malformed', what)
  t.equal(decodeIgmp(Buffer.alloc(4), 2, 8).type, 'malformed', 'length past the buffer')
  // fuzz: random bytes never throw
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.alloc(1 + Math.floor(Math.random() * 64))
    for (let k = 0; k < b.length; k++) b[k] = Math.floor(Math.random() * 256)
    if (Math.random() < 0.5) b[0] = 0x22
    decodeIgmp(b, 0, b.length)
  }
})

t.test('the general query loomd sends', async (t) => {
  const f = Buffer.alloc(GENERAL_QUERY_FRAME_LEN)
  const mac = Buffer.from('02aabbccddee', 'hex')
  t.equal(writeGeneralQuery(f, 0, mac, ip('169.254.1.1')), GENERAL_QUERY_FRAME_LEN)
  t.equal(f.subarray(0, 6).toString('hex'), '01005e000001', 'to the all-hosts MAC')
  t.equal(f.subarray(6, 12).toString('hex'), '02aabbccddee')
  t.equal(f.readUInt16BE(12), 0x0800)
  t.equal(f[14], 0x46, 'IPv4 with a 24-byte header')
  t.equal(f[14 + 8], 1, 'TTL 1')
  t.equal(f[14 + 9], 2, 'IGMP')
  t.equal(f.subarray(14 + 12, 14 + 20).toString('hex'), 'a9fe0101e0000001', '169.254.1.1 -> 224.0.0.1')
  t.equal(f.subarray(14 + 20, 14 + 24).toString('hex'), '94040000', 'Router Alert')
  t.equal(ipv4HeaderChecksum(f, 14, 24), f.readUInt16BE(14 + 10), 'IP header checksum')
  t.equal(internetChecksum(f, 38, 12), 0, 'IGMP checksum')
  t.equal(f[38], 0x11)
  t.equal(f[39], 100, 'max response 10 s')
  t.equal(f[38 + 8], 2, 'QRV 2')
  t.equal(f[38 + 9], 60, 'QQIC 60 s')
  t.equal(decodeIgmp(f, 38, 12).type, 'query')
  const g = Buffer.alloc(GENERAL_QUERY_FRAME_LEN)
  writeGeneralQuery(g, 0, mac, ip('169.254.1.1'), 25.6, 9, 200)
  t.equal(g[39], 0x90, 'max resp 256 tenths in floating-point form: (0x10 | 0) << (1 + 3)')
  t.equal(g[38 + 8], 7, 'QRV capped at 7')
  t.equal(g[38 + 9], 0x89, 'QQIC 200 = (0x10 | 9) << (0 + 3)')
})

t.test('group MAC: 01:00:5e + low 23 bits', async (t) => {
  const b = Buffer.alloc(6)
  writeGroupMAC(b, 0, ip('239.129.2.3'))
  t.equal(b.toString('hex'), '01005e010203')
  writeGroupMAC(b, 0, ip('224.0.0.251'))
  t.equal(b.toString('hex'), '01005e0000fb')
})
