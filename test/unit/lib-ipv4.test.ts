/** lib/ipv4.ts: the one IPv4 text parser, against hostile and ambiguous input. */
import t from 'tap'
import {
  cidrContains, formatCIDR, formatIPv4Address, parseCIDR, parseIPv4Address, prefixMask, tryParseCIDR,
  tryParseIPv4Address,
} from '../../lib'

// Each of these means something to inet_aton(3), to a sloppy regex or to Number(): never to us.
const NOT_ADDRESSES: unknown[] = [
  '010.1.1.1', '10.01.1.1', '1.1.1.00', '00.0.0.0', // leading zeros (inet_aton: octal)
  '10.1', '10.0.1', '10', '167772161', '', '.', '...', '1.2.3.4.', '.1.2.3.4', '1..2.3', '1.2.3.4.5', // shorthand
  '0x0a.0.0.1', '0xa000001', '1e1.0.0.1', '1.2.3.+4', '1.2.3.-4', '-0.0.0.0', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.4\n',
  '1.2.3.4\0', '1. 2.3.4', '1.2.3.256', '256.0.0.0', '999.1.1.1', '1.2.3.1000', '٣.1.1.1', '１.1.1.1',
  '1.2.3.4/32', '::1', '::ffff:1.2.3.4', 'localhost', '1,2,3,4', 'a.b.c.d', '1.2.3.4:80',
  undefined, null, 42, 0x0a000001, {}, [], ['1.2.3.4'], true, Symbol('x'),
]

t.test('round trip of canonical addresses', async t => {
  for (const [s, n] of [['0.0.0.0', 0], ['10.244.1.7', 0x0af40107], ['255.255.255.255', 0xffffffff],
    ['1.0.0.0', 0x01000000], ['100.64.0.1', 0x64400001], ['192.168.100.200', 0xc0a864c8]] as const) {
    t.equal(parseIPv4Address(s), n, s)
    t.equal(tryParseIPv4Address(s), n, s)
    t.equal(formatIPv4Address(n), s, s)
  }
  t.equal(formatIPv4Address(-1), '255.255.255.255', 'signed input is taken modulo 2^32')
  t.equal(formatIPv4Address(2 ** 32), '0.0.0.0', 'so is 2^32')
})

t.test('every non-canonical or foreign input is refused by both forms, naming the value', async t => {
  for (const bad of NOT_ADDRESSES) {
    const label = typeof bad === 'symbol' ? 'symbol' : JSON.stringify(bad) ?? String(bad)
    t.equal(tryParseIPv4Address(bad), undefined, label)
    t.throws(() => parseIPv4Address(bad as string),
      { code: 'ERR_INVALID_IPV4_ADDRESS', name: 'InvalidIPv4AddressError' }, label)
  }
  t.throws(() => parseIPv4Address('010.1.1.1'), { message: /"010\.1\.1\.1".*"010".*leading zeros/ })
  t.throws(() => parseIPv4Address('1.2.3.256'), { message: /octet 256 is larger than 255/ })
})

t.test('a huge input is refused without quadratic work', async t => {
  const huge = '1.'.repeat(1_000_000) + '1'
  const start = process.hrtime.bigint()
  t.equal(tryParseIPv4Address(huge), undefined)
  t.equal(tryParseCIDR(`${huge}/8`), undefined)
  t.ok(Number(process.hrtime.bigint() - start) / 1e9 < 5, 'answered (bounded by a generous 5 s)')
})

t.test('CIDR: strict prefix length, host bits exposed', async t => {
  t.same(parseCIDR('10.244.1.5/24'), { address: 0x0af40105, network: 0x0af40100, prefixLength: 24, hostBitsSet: true })
  t.same(tryParseCIDR('0.0.0.0/0'), { address: 0, network: 0, prefixLength: 0, hostBitsSet: false })
  t.same(tryParseCIDR('255.255.255.255/32'),
    { address: 0xffffffff, network: 0xffffffff, prefixLength: 32, hostBitsSet: false })
  for (const bad of ['10.0.0.0/08', '10.0.0.0/008', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/', '10.0.0.0',
    '10.0.0.0/8/8', '10.0.0.0/ 8', '10.0.0.0/8 ', '10.0.0.0/0x8', '10.0.0.0/8.0', '10.0.0.0/1e1', '/8',
    '010.0.0.0/8', '10.0/8', '10.0.0.0//8', '10.0.0.0/255.0.0.0', '::/0', undefined, 8, {}]) {
    t.equal(tryParseCIDR(bad), undefined, String(bad))
    t.throws(() => parseCIDR(bad as string), { code: 'ERR_INVALID_CIDR' }, String(bad))
  }
  try { parseCIDR('010.0.0.0/8') } catch (err) {
    t.match((err as Error).message, /invalid CIDR "010\.0\.0\.0\/8": invalid IPv4 address "010\.0\.0\.0"/)
    t.match((err as Error & { cause: unknown }).cause, { code: 'ERR_INVALID_IPV4_ADDRESS' },
      'the address error is the cause')
  }
})

t.test('masks, containment, formatting', async t => {
  t.equal(prefixMask(0), 0)
  t.equal(prefixMask(32), 0xffffffff)
  t.equal(prefixMask(26), 0xffffffc0)
  t.equal(formatCIDR(0x0af40000, 16), '10.244.0.0/16')
  t.equal(cidrContains(0x0af40000, 16, 0x0af4ffff), true)
  t.equal(cidrContains(0x0af40000, 16, 0x0af50000), false)
  t.equal(cidrContains(0, 0, 0xffffffff), true, '/0 holds everything')
  t.equal(cidrContains(0xffffffff, 32, 0xffffffff), true)
  t.equal(cidrContains(0xffffffff, 32, 0xfffffffe), false)
})

t.test('format then parse is the identity over a sweep of the address space', async t => {
  let bad = 0
  for (let n = 0; n < 2 ** 32; n += 65_537 * 7) {
    if (parseIPv4Address(formatIPv4Address(n)) !== n) bad++
  }
  t.equal(bad, 0)
})
