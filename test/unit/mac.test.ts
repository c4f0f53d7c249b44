import t from 'tap'
import { deriveVtepMAC, formatMAC, isBroadcastMAC, macEquals, parseMAC } from '../../dataplane/mac'
import { deriveNodeIndex } from '../../dataplane/node-index'
import { fnv1a32 } from '../../lib'

t.test('parseMAC / formatMAC round trip', async t => {
  const m = parseMAC('02:42:AC:11:00:0f')
  t.same([...m], [0x02, 0x42, 0xac, 0x11, 0x00, 0x0f])
  t.equal(formatMAC(m), '02:42:ac:11:00:0f')
  t.equal(formatMAC(Buffer.from([9, 9, 0xde, 0xad, 0xbe, 0xef, 0, 1]), 2), 'de:ad:be:ef:00:01', 'at an offset')
  for (const s of ['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', '0a:1b:2c:3d:4e:5f']) t.equal(formatMAC(parseMAC(s)), s)
})

t.test('parseMAC errors name the bad value', async t => {
  for (const bad of ['', '02:42:ac:11:00', '02:42:ac:11:00:0f:01', '02-42-ac-11-00-0f', '0242.ac11.000f',
    '02:42:ac:11:00:0g', '2:42:ac:11:00:0f', ' 02:42:ac:11:00:0f']) {
    t.throws(() => parseMAC(bad), { code: 'ERR_INVALID_MAC', name: 'InvalidMACError' }, bad)
    try { parseMAC(bad) } catch (err) {
      t.ok((err as Error).message.includes(JSON.stringify(bad)), (err as Error).message)
    }
  }
  t.throws(() => formatMAC(Buffer.alloc(5)), { code: 'ERR_INVALID_MAC' })
})

t.test('macEquals / isBroadcastMAC', async t => {
  const b = Buffer.from('00ffffffffffff02420a000001', 'hex')
  t.equal(isBroadcastMAC(b, 1), true)
  t.equal(isBroadcastMAC(b, 0), false)
  t.equal(macEquals(b, 7, parseMAC('02:42:0a:00:00:01')), true)
  t.equal(macEquals(b, 7, parseMAC('02:42:0a:00:00:02')), false)
})

t.test('deriveVtepMAC: deterministic, locally administered unicast, distinct', async t => {
  const a = deriveVtepMAC('node-a')
  t.equal(a.length, 6)
  t.same(deriveVtepMAC('node-a'), a, 'same name, same MAC')
  t.notSame(deriveVtepMAC('node-b'), a)
  // Pinned so an accidental change of the derivation (which would break kernel peers' static
  // FDB entries across an upgrade) fails this test.
  t.equal(formatMAC(a), '16:e4:c3:01:ff:b4', 'sha256("loom-vtep-mac\\0node-a")[0..6]')
  const seen = new Set<string>()
  const bad: string[] = []
  for (let i = 0; i < 2000; i++) {
    const m = deriveVtepMAC(`worker-${i}.example.internal`)
    if ((m[0] & 0x02) !== 0x02 || (m[0] & 0x01) !== 0) bad.push(formatMAC(m))
    seen.add(formatMAC(m))
  }
  t.same(bad, [], 'every MAC has 0x02 set and 0x01 clear in byte 0')
  t.equal(seen.size, 2000, 'no collisions among 2000 names')
  t.throws(() => deriveVtepMAC(''), TypeError)
})

t.test('deriveNodeIndex: FNV-1a 32, stable, non-zero', async t => {
  // Reference vectors of FNV-1a 32 (http://www.isthe.com/chongo/src/fnv/test_fnv.c).
  t.equal(fnv1a32(Buffer.from('')), 0x811c9dc5)
  t.equal(fnv1a32(Buffer.from('a')), 0xe40c292c)
  t.equal(fnv1a32(Buffer.from('foobar')), 0xbf9cf968)
  t.equal(deriveNodeIndex('foobar'), 0xbf9cf968)
  t.equal(deriveNodeIndex('node-1'), deriveNodeIndex('node-1'))
  t.not(deriveNodeIndex('node-1'), deriveNodeIndex('node-2'))
  t.equal(deriveNodeIndex('é'), fnv1a32(Buffer.from([0xc3, 0xa9])), 'hashes UTF-8 bytes')
  for (let i = 0; i < 1000; i++) {
    const n = deriveNodeIndex(`n${i}`)
    if (!(Number.isInteger(n) && n > 0 && n <= 0xffffffff)) t.fail(`bad index ${n}`)
  }
  t.throws(() => deriveNodeIndex(''), TypeError)
})
