/** Local allocation inside owned blocks: idempotent ADD, DEL of unknown keys, exact addresses. */
import t from 'tap'
import { IpamAllocator } from '../../control/ipam/allocator'
import { formatBlockCIDR, locateAddress, makeBlockLayout } from '../../control/ipam/blocks'
import { parseIPv4Address } from '../../lib'
import { IpamConfigError, IpamDecodeError } from '../../control/ipam/errors'

const layout = makeBlockLayout('10.244.0.0/16', 26)

t.test('block math', async t => {
  t.equal(layout.blockCount, 1024)
  t.equal(layout.blockSize, 64)
  t.equal(formatBlockCIDR(layout, 0), '10.244.0.0/26')
  t.equal(formatBlockCIDR(layout, 5), '10.244.1.64/26')
  t.equal(formatBlockCIDR(layout, 1023), '10.244.255.192/26')
  t.same(locateAddress(layout, parseIPv4Address('10.244.1.70')), { block: 5, offset: 6 })
  t.equal(locateAddress(layout, parseIPv4Address('10.245.0.0')), null)
  t.throws(() => makeBlockLayout('10.244.0.1/16', 26), IpamConfigError)
  t.throws(() => makeBlockLayout('10.244.0.0/16', 15), IpamConfigError)
  t.throws(() => makeBlockLayout('10.244.0.0', 26), IpamConfigError)
  t.throws(() => makeBlockLayout('300.0.0.0/8', 26), IpamConfigError)
  t.equal(makeBlockLayout('10.0.0.0/8', 24).blockCount, 65536)
})

t.test('allocate is idempotent per key; skips the cluster network address', async t => {
  const a = new IpamAllocator(layout)
  const x = a.allocate('c1/eth0', [0])!
  t.equal(x.address, '10.244.0.1', 'offset 0 of block 0 is the cluster network address')
  t.same(a.allocate('c1/eth0', [7]), x, 'same key → same address, whatever blocks are offered')
  t.equal(a.allocate('c2/eth0', [0])!.address, '10.244.0.2')
  t.equal(a.allocate('c1/eth1', [0])!.address, '10.244.0.3', 'ifname is part of the key')
  t.equal(a.usedIn(0), 3)
  t.equal(a.freeIn(0), 60)
})

t.test('release by key, unknown key is success, next-fit does not reuse at once', async t => {
  const a = new IpamAllocator(layout)
  a.allocate('k1', [2]); a.allocate('k2', [2])
  t.equal(a.release('k1')!.address, '10.244.0.128')
  t.equal(a.release('k1'), null, 'second DEL is a no-op')
  t.equal(a.release('never'), null)
  t.equal(a.allocate('k3', [2])!.address, '10.244.0.130', 'the just-released address is not handed out next')
})

t.test('fills a block then moves on; null when all offered blocks are full', async t => {
  const a = new IpamAllocator(layout)
  const seen = new Set<string>()
  for (let i = 0; i < 63; i++) seen.add(a.allocate(`k${i}`, [1023, 4])!.address)
  t.equal(seen.size, 63)
  t.notOk(seen.has('10.244.255.255'), 'the cluster broadcast address is never handed out')
  t.equal(a.freeIn(1023), 0)
  t.equal(a.allocate('next', [1023, 4])!.address, '10.244.1.0')
  t.equal(a.allocate('none', [1023]), null)
  t.same(a.dropBlock(4), ['next'])
  t.equal(a.usedIn(4), 0)
})

t.test('durable round trip and validation', async t => {
  const a = new IpamAllocator(layout)
  a.allocate('k1', [9]); a.allocate('k2', [9]); a.release('k1')
  const b = new IpamAllocator(layout, a.durable())
  t.same([...b.entries()], [...a.entries()])
  t.equal(b.allocate('k4', [9])!.address === a.get('k2')!.address, false)
  t.throws(() => new IpamAllocator(layout, [['k', 9, 1], ['k', 9, 2]]), IpamDecodeError)
  t.throws(() => new IpamAllocator(layout, [['a', 9, 1], ['b', 9, 1]]), IpamDecodeError)
  t.throws(() => new IpamAllocator(layout, [['a', 1024, 1]]), IpamDecodeError)
  t.throws(() => new IpamAllocator(layout, [['a', 1, 64]]), IpamDecodeError)
})
