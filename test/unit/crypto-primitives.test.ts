/**
 * The crypto building blocks of the encrypted `udp` encapsulation against published vectors:
 * BLAKE2s (RFC 7693 Appendix B, the BLAKE2 reference KAT for keyed hashing), HChaCha20
 * (draft-irtf-cfrg-xchacha §2.2.1), TAI64N, the replay window (RFC 6479 behaviour), mac1/mac2,
 * and both transport AEADs (native and node:crypto) against each other and RFC 8439 §2.8.2.
 */
import t from 'tap'
import { createHash } from 'node:crypto'
import { blake2s } from '../../dataplane/crypto/blake2s'
import { hchacha20, xchachaOpen, xchachaSeal } from '../../dataplane/crypto/xchacha20poly1305'
import { tai64n, tai64nAfter } from '../../dataplane/crypto/tai64n'
import { REJECT_AFTER_MESSAGES, ReplayWindow, WINDOW_SIZE } from '../../dataplane/crypto/replay-window'
import {
  checkMac1, consumeCookieReply, CookieChecker, cookieKey, mac1Key, writeMacs
} from '../../dataplane/crypto/cookie'
import { nativeAead, nodeCryptoAead } from '../../dataplane/crypto/transport-aead'
import { generateKeyPair, keyPairFromPrivate, dh } from '../../dataplane/crypto/primitives'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const range = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => i & 0xff))

t.test('BLAKE2s: RFC 7693 "abc", keyed KAT, and agreement with node:crypto over block boundaries', async t => {
  t.equal(hex(blake2s(32, Buffer.alloc(0), Buffer.from('abc'))),
    '508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982')
  // BLAKE2 reference blake2s-kat.txt, key = 00..1f, in = empty.
  t.equal(hex(blake2s(32, range(32))), '48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49')
  // 16-byte keyed outputs as WireGuard uses them (values from Python's hashlib.blake2s).
  t.equal(hex(blake2s(16, range(32), range(64))), 'f1efa90d2547036841ecd3627fafbc36')
  t.equal(hex(blake2s(16, Buffer.alloc(16, 'k'), range(65))), 'ae1868f5760ac147e45514777b8a459c')
  for (const n of [0, 1, 55, 63, 64, 65, 127, 128, 129, 1000]) {
    const data = range(n)
    t.equal(hex(blake2s(32, Buffer.alloc(0), data.subarray(0, 7), data.subarray(7))),
      createHash('blake2s256').update(data).digest('hex'), `unkeyed, ${n} bytes, split input`)
  }
  t.throws(() => blake2s(33, Buffer.alloc(0)))
  t.throws(() => blake2s(16, Buffer.alloc(33)))
})

t.test('HChaCha20 and XChaCha20-Poly1305', async t => {
  const key = range(32)
  const nonce = Buffer.from('000000090000004a0000000031415927', 'hex')
  t.equal(hex(hchacha20(key, nonce)), '82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc')
  const n24 = range(24)
  const sealed = xchachaSeal(key, n24, Buffer.from('cookie'), Buffer.from('aad'))
  t.equal(sealed.length, 6 + 16)
  t.same(xchachaOpen(key, n24, sealed, Buffer.from('aad')), Buffer.from('cookie'))
  t.equal(xchachaOpen(key, n24, sealed, Buffer.from('aaD')), null, 'wrong AAD')
  const flipped = Buffer.from(sealed); flipped[0] ^= 1
  t.equal(xchachaOpen(key, n24, flipped, Buffer.from('aad')), null, 'flipped bit')
  t.equal(xchachaOpen(key, n24, sealed.subarray(0, 10), Buffer.from('aad')), null, 'truncated')
})

t.test('TAI64N: big-endian, later is greater, whitened below 2^24 ns', async t => {
  const a = tai64n(1_700_000_000_000)
  t.equal(a.length, 12)
  t.equal(a.readBigUInt64BE(0), 0x400000000000000an + 1_700_000_000n)
  t.equal(a.readUInt32BE(8), 0)
  const b = tai64n(1_700_000_000_500)
  t.equal(b.readUInt32BE(8) % 0x1000000, 0, 'nanoseconds rounded down to 2^24')
  t.ok(tai64nAfter(b, a))
  t.notOk(tai64nAfter(a, b))
  t.notOk(tai64nAfter(a, a), 'equal is not after')
  t.notOk(tai64nAfter(tai64n(1_700_000_000_001), a), 'within one 16.8 ms slot: equal, refused')
  t.ok(tai64nAfter(tai64n(1_700_000_001_000), b), 'next second beats any nanoseconds')
})

t.test('replay window: in order, reordered, duplicates, far past, far future, limit', async t => {
  const w = new ReplayWindow()
  t.ok(WINDOW_SIZE >= 2048)
  for (let i = 0; i < 100; i++) t.ok(w.check(i) && w.mark(i), `in order ${i}`)
  t.notOk(w.check(50), 'duplicate refused')
  t.notOk(w.mark(99), 'duplicate mark refused')
  t.ok(w.mark(150)); t.ok(w.mark(120)); t.ok(w.mark(149)); t.ok(w.mark(101))
  t.notOk(w.check(120), 'reordered then duplicated')
  t.ok(w.check(100), 'gap still open')
  // Far future jump: the window moves; what is now too old is refused.
  t.ok(w.mark(1_000_000))
  t.notOk(w.check(1_000_000 - WINDOW_SIZE - 1), 'behind the window')
  t.ok(w.check(1_000_000 - WINDOW_SIZE), 'at the window edge')
  t.ok(w.mark(1_000_000 - 5000), 'reordered within the window')
  t.notOk(w.check(150), 'far past')
  t.notOk(w.check(REJECT_AFTER_MESSAGES), 'limit')
  t.notOk(w.check(-1))
  t.notOk(w.check(NaN))
  // Check never changes state: a checked-but-unmarked counter (a forged packet) stays open.
  const w2 = new ReplayWindow()
  t.ok(w2.check(5000)); t.ok(w2.check(5000))
  t.equal(w2.highest(), -1)
  t.ok(w2.mark(0))
  // Bits of a recycled ring block are cleared when the window moves over it.
  const w3 = new ReplayWindow()
  t.ok(w3.mark(99)) // ring block 3, bit 3
  t.ok(w3.mark(99 + 1 + 256 * 32)) // block 259 lands on ring slot 3 again
  t.ok(w3.check(99 + 256 * 32), 'slot 3 was cleared: its old bit 3 does not refuse a new counter')
  t.notOk(w3.check(99), 'and the old counter is far behind')
})

t.test('mac1 and mac2 (cookie) round trip; tampering fails', async t => {
  const responder = generateKeyPair()
  const msg = Buffer.concat([range(116), Buffer.alloc(32)])
  writeMacs(msg, mac1Key(responder.publicKey), null)
  t.ok(checkMac1(msg, mac1Key(responder.publicKey)))
  t.notOk(checkMac1(msg, mac1Key(generateKeyPair().publicKey)), 'other responder')
  t.same(msg.subarray(132), Buffer.alloc(16), 'mac2 zero without a cookie')
  const bad = Buffer.from(msg); bad[3] ^= 0x80
  t.notOk(checkMac1(bad, mac1Key(responder.publicKey)), 'flipped bit')
  t.notOk(checkMac1(msg.subarray(0, 20), mac1Key(responder.publicKey)), 'truncated')

  const checker = new CookieChecker(responder.publicKey, 0)
  t.notOk(checker.checkMac2(msg, 0x0a000001, 51820, 10), 'no mac2 yet')
  const reply = checker.createReply(msg, 0x0a000001, 51820, 10)
  t.equal(reply.length, 64)
  t.equal(reply[0], 3)
  const cookie = consumeCookieReply(reply, cookieKey(responder.publicKey), msg.subarray(116, 132))
  t.ok(cookie)
  t.equal(consumeCookieReply(reply, cookieKey(generateKeyPair().publicKey), msg.subarray(116, 132)), null, 'wrong key')
  t.equal(consumeCookieReply(reply, cookieKey(responder.publicKey), Buffer.alloc(16)), null, 'wrong mac1 AAD')
  writeMacs(msg, mac1Key(responder.publicKey), cookie)
  t.ok(checker.checkMac2(msg, 0x0a000001, 51820, 20), 'valid mac2 from that address')
  t.notOk(checker.checkMac2(msg, 0x0a000002, 51820, 20), 'another address')
  t.notOk(checker.checkMac2(msg, 0x0a000001, 51821, 20), 'another port')
  t.notOk(checker.checkMac2(msg, 0x0a000001, 51820, 120_000), 'secret expired')
})

t.test('X25519: raw key import matches, low-order point refused', async t => {
  const a = generateKeyPair()
  const b = keyPairFromPrivate(a.privateKey)
  t.same(b.publicKey, a.publicKey)
  const c = generateKeyPair()
  t.same(dh(a, c.publicKey), dh(c, a.publicKey))
  t.equal(dh(a, Buffer.alloc(32)), null, 'all-zero public key')
  // RFC 7748 §6.1 Alice.
  const alice = keyPairFromPrivate(Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
    'hex'))
  t.equal(hex(alice.publicKey), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')
})

t.test('transport AEAD: RFC 8439 §2.8.2 body, native and node:crypto agree, forgery refused', async t => {
  const impls = [nodeCryptoAead(), nativeAead()].filter((a) => a !== undefined)
  t.ok(impls.length === 2, 'the native AEAD is built')
  const key = Buffer.from('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f', 'hex')
  for (const a of impls) {
    for (const len of [0, 1, 15, 16, 17, 1420, 9000]) {
      const buf = Buffer.alloc(len + 40)
      const plain = range(len)
      plain.copy(buf, 8)
      t.ok(a!.seal(key, buf, 8, len, 0x1_0000_0007))
      const other = impls.find((x) => x !== a)!
      const copy = Buffer.from(buf)
      t.ok(other.open(key, copy, 8, len + 16, 0x1_0000_0007), `${a!.name} -> ${other.name} ${len}`)
      t.same(copy.subarray(8, 8 + len), plain)
      const forged = Buffer.from(buf); forged[8 + len] ^= 1
      t.notOk(a!.open(key, forged, 8, len + 16, 0x1_0000_0007), 'flipped tag')
      t.notOk(a!.open(key, Buffer.from(buf), 8, len + 16, 0x1_0000_0008), 'wrong counter')
      t.notOk(a!.open(key, Buffer.from(buf), 8, 15, 0), 'shorter than a tag')
    }
  }
  const n = impls.find((a) => a!.name === 'native')!
  t.throws(() => n.seal(key, Buffer.alloc(10), 0, 10, 0), 'no room for the tag')
  t.throws(() => n.seal(Buffer.alloc(16), Buffer.alloc(64), 0, 10, 0), 'short key')
})
