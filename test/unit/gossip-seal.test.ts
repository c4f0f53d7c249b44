/**
 * Gossip frame sealing (control/transport/gossip-seal.ts) from an attacker's side: a frame sealed with
 * another secret, cut short, with any single bit flipped, or with a key that rotation already
 * removed is refused with a reason; keys added for a rotation open frames at every step.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { GossipKeyring, SEAL_OVERHEAD, SEALED_FRAME_MAGIC } from '../../control/transport/gossip-seal'
import { frame } from '../../control/transport/gossip-transport'

const plain = frame(0x4c47, Buffer.from('a membership packet: alive n1 incarnation 7'))
const k1 = randomBytes(32)
const k2 = randomBytes(32)

t.test('seal then open gives the plain frame back; the header says LS, v2, the length, the sender id and a stamp', async t => {
  const ring = new GossipKeyring([k1])
  const sealed = ring.seal(plain)
  t.equal(sealed.length, plain.length + SEAL_OVERHEAD)
  t.equal(sealed.readUInt16BE(0), SEALED_FRAME_MAGIC)
  t.equal(sealed.readUInt32BE(2), sealed.length - 6)
  t.equal(sealed[6], 2)
  t.ok(sealed.subarray(11, 19).equals(ring.senderId), 'sender id')
  t.equal(sealed.readUInt32BE(7), ring.primaryKeyId)
  t.notOk(sealed.includes(Buffer.from('membership')), 'no plaintext on the wire')
  const opened = ring.open(sealed)
  t.ok(Buffer.isBuffer(opened) && opened.equals(plain))
  t.not(ring.seal(plain).subarray(27, 39).toString('hex'), sealed.subarray(27, 39).toString('hex'),
    'fresh nonce per frame')
})

t.test('a frame sealed with another secret is refused as unknown_key', async t => {
  t.equal(new GossipKeyring([k2]).open(new GossipKeyring([k1]).seal(plain)), 'unknown_key')
})

t.test('a forged key id (the right id, the wrong key) fails authentication', async t => {
  const mine = new GossipKeyring([k1])
  const forged = new GossipKeyring([k2]).seal(plain)
  forged.writeUInt32BE(mine.primaryKeyId, 7)
  t.equal(mine.open(forged), 'auth')
})

t.test('truncated at every length: refused, never thrown', async t => {
  const ring = new GossipKeyring([k1])
  const sealed = ring.seal(plain)
  for (let n = 0; n < sealed.length; n++) {
    const r = ring.open(sealed.subarray(0, n))
    t.ok(r === 'truncated' || r === 'auth' || r === 'bad_version' || r === 'unknown_key', `cut at ${n}: ${String(r)}`)
    if (typeof r !== 'string') t.fail(`cut at ${n} opened`)
  }
})

t.test('every single flipped bit is refused (header, nonce, ciphertext, tag)', async t => {
  const ring = new GossipKeyring([k1])
  const sealed = ring.seal(plain)
  let refused = 0
  for (let i = 0; i < sealed.length; i++) {
    for (let b = 0; b < 8; b++) {
      const c = Buffer.from(sealed)
      c[i] ^= 1 << b
      if (typeof ring.open(c) === 'string') refused++
    }
  }
  t.equal(refused, sealed.length * 8)
})

t.test('an unknown seal version, and version 1 (no stamp, so replayable), is refused', async t => {
  const ring = new GossipKeyring([k1])
  const sealed = ring.seal(plain)
  sealed[6] = 3
  t.equal(ring.open(sealed), 'bad_version')
  sealed[6] = 1
  t.equal(ring.open(sealed), 'bad_version')
})

t.test('rotation: add the new key second, move it first, remove the old one', async t => {
  const old = new GossipKeyring([k1])
  const added = new GossipKeyring([k1, k2]) // step 1: still seals with the old key
  const moved = new GossipKeyring([k2, k1]) // step 2: seals with the new key
  const done = new GossipKeyring([k2]) // step 3
  // Nodes one step apart understand each other in both directions.
  const pairs: Array<[string, GossipKeyring, GossipKeyring]> = [['old/added', old, added],
    ['added/moved', added, moved], ['moved/done', moved, done]]
  for (const [name, a, b] of pairs) {
    t.ok(Buffer.isBuffer(a.open(b.seal(plain))), `${name}: a opens b`)
    t.ok(Buffer.isBuffer(b.open(a.seal(plain))), `${name}: b opens a`)
  }
  t.equal(done.open(old.seal(plain)), 'unknown_key', 'after the rotation the old key is refused')
  t.equal(old.open(done.seal(plain)), 'unknown_key')
})

t.test('the keyring refuses no keys', async t => {
  t.throws(() => new GossipKeyring([]))
})

t.test('rotation without a restart: replaceKeys swaps the keys, keeps the sender id, refuses bad lists', async t => {
  const live = new GossipKeyring([k1])
  const peer = new GossipKeyring([k1])
  const id = live.senderId.toString('hex')
  live.replaceKeys([k1, k2]) // step 1
  t.equal(live.size, 2)
  t.ok(Buffer.isBuffer(peer.open(live.seal(plain))), 'still seals with the old key first')
  live.replaceKeys([k2, k1]) // step 2
  t.equal(live.primaryKeyId, new GossipKeyring([k2]).primaryKeyId, 'the new key seals')
  t.ok(Buffer.isBuffer(live.open(peer.seal(plain))), 'and the old one still opens')
  live.replaceKeys([k2]) // step 3
  t.equal(live.open(peer.seal(plain)), 'unknown_key', 'the removed key no longer opens')
  t.equal(live.senderId.toString('hex'), id, 'the same sender id throughout (receivers\' replay state stays valid)')
  t.throws(() => live.replaceKeys([]), 'an empty list is refused')
  t.throws(() => live.replaceKeys([k1, k1]), 'a key listed twice is refused')
  t.equal(live.size, 1, 'a refused list keeps the keys in force')
  t.ok(Buffer.isBuffer(new GossipKeyring([k2]).open(live.seal(plain))))
})
