/**
 * The native transport AEAD (dataplane/native/loom_crypto.c) on both of its paths, "direct"
 * (OpenSSL's ChaCha20 and Poly1305 assembly composed as RFC 8439 §2.8 says) and "evp": the same
 * bytes as node:crypto's chacha20-poly1305 (an independent caller of OpenSSL) for every length
 * class, with and without the 64 bytes before the region that the direct seal borrows; openBatch
 * (one bad tag in a batch affects and reports only its own region, which is left as it was);
 * argument errors refused before any region is touched. The published vectors (cacophony's
 * transport messages, RFC 8439 §2.8.2) are in crypto-vectors.test.ts.
 */
import t from 'tap'
import { AeadBatch, nativeAead, nodeCryptoAead, useNativeEvp } from '../../dataplane/crypto/transport-aead'

const native = nativeAead()
const reference = nodeCryptoAead()
const PATHS = ['direct', 'evp'] as const

function bytes (len: number, seed: number): Buffer {
  const b = Buffer.alloc(len)
  for (let i = 0; i < len; i++) b[i] = (i * 131 + seed * 17 + (i >> 8)) & 0xff
  return b
}

function key (seed: number): Buffer {
  return bytes(32, seed + 1000)
}

t.test('the native addon is built and, with this Node\'s OpenSSL 3, runs the direct path', async (t) => {
  t.ok(native !== undefined, 'loom_crypto.node loads')
  t.equal(native!.path, 'direct', `Node ${process.version} with OpenSSL ${process.versions.openssl}`)
})

t.test('direct and evp: node:crypto\'s bytes for every length, in place at any offset', async (t) => {
  const n = native!
  const lens = [0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 511, 512, 513, 1023, 1024, 1025, 1420, 1440, 9000, 65475]
  const counters = [0, 1, 0xffffffff, 0x1_0000_0000, 2 ** 53 - 2 ** 13 - 1]
  for (const path of PATHS) {
    t.equal(useNativeEvp(path === 'evp'), path)
    let k = 0
    for (const len of lens) {
      for (const off of [0, 16, 63, 64, 100]) {
        const counter = counters[k % counters.length]
        const kk = key(k++)
        const plain = bytes(len, k)
        const before = bytes(off, 99)
        const mine = Buffer.concat([before, plain, Buffer.alloc(16), bytes(7, 5)])
        const theirs = Buffer.from(mine)
        t.ok(n.seal(kk, mine, off, len, counter))
        reference.seal(kk, theirs, off, len, counter)
        if (!mine.equals(theirs)) {
          t.fail(`${path} seal len ${len} off ${off}: differs from node:crypto`)
          continue
        }
        t.ok(n.open(kk, mine, off, len + 16, counter), `${path} opens len ${len} off ${off}`)
        t.ok(mine.subarray(off, off + len).equals(plain) && mine.subarray(0, off).equals(before),
          `${path} len ${len} off ${off}: plaintext back, bytes before untouched`)
        t.ok(reference.open(kk, theirs, off, len + 16, counter))
      }
    }
  }
  useNativeEvp(false)
})

/**
 * count sealed regions with their plaintexts: the first and last quarter each in a buffer of its
 * own, the middle half in one shared buffer; two keys, each for one half. Also as an AeadBatch
 * (which names each run of one key or buffer once) and as identity refs (region i: key i, buffer i).
 */
function sealedBatch (count: number, len: (i: number) => number) {
  const shared = Buffer.alloc(count * 2000)
  const twoKeys = [key(1), key(2)]
  const keys: Buffer[] = []
  const bufs: Buffer[] = []
  const offsets = new Int32Array(count)
  const lengths = new Int32Array(count)
  const counters = new Float64Array(count)
  const plains: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const l = len(i)
    keys.push(twoKeys[i < count / 2 ? 0 : 1])
    const own = i < count / 4 || i >= (3 * count) / 4
    const buf = own ? Buffer.alloc(l + 16 + 16) : shared
    const off = own ? 16 : i * 2000
    plains.push(bytes(l, i))
    plains[i].copy(buf, off)
    reference.seal(keys[i], buf, off, l, 1000 + i)
    bufs.push(buf)
    offsets[i] = off
    lengths[i] = l + 16
    counters[i] = 1000 + i
  }
  const batch = new AeadBatch()
  for (let i = 0; i < count; i++) batch.add(keys[i], bufs[i], offsets[i], lengths[i], counters[i])
  const refs = Uint8Array.from({ length: 2 * count }, (_, j) => j >> 1)
  return { keys, bufs, refs, offsets, lengths, counters, plains, batch }
}

t.test('openBatch: a bad tag in the middle affects only its own region, and is reported', async (t) => {
  const n = native!
  for (const path of PATHS) {
    useNativeEvp(path === 'evp')
    const b = sealedBatch(128, (i) => [0, 1, 1400, 64, 1440][i % 5])
    b.bufs[61][b.offsets[61] + b.lengths[61] - 1] ^= 0x20 // tag
    b.bufs[70][b.offsets[70]] ^= 1 // ciphertext
    const a = b.batch
    a.counters[90] += 1 // wrong nonce
    t.same([a.keys.length, a.bufs.length], [2, 65], 'the batch names 2 keys and 65 buffers')
    const forged = [61, 70, 90].map((i) =>
      Buffer.from(b.bufs[i].subarray(b.offsets[i], b.offsets[i] + b.lengths[i])))
    const ok = a.ok.fill(7)
    t.equal(n.openBatch(a.keys, a.bufs, a.refs, a.offsets, a.lengths, a.counters, 128, ok), 125,
      `${path}: 125 of 128`)
    let good = 0
    for (let i = 0; i < 128; i++) {
      const bad = [61, 70, 90].indexOf(i)
      if (bad >= 0) {
        t.equal(ok[i], 0, `${path}: region ${i} reported`)
        t.ok(b.bufs[i].subarray(b.offsets[i], b.offsets[i] + b.lengths[i]).equals(forged[bad]),
          `${path}: region ${i} left as it was`)
      } else {
        const opened = b.bufs[i].subarray(b.offsets[i], b.offsets[i] + b.lengths[i] - 16)
        if (ok[i] === 1 && opened.equals(b.plains[i])) good++
      }
    }
    t.equal(good, 125, `${path}: every other region opened to its plaintext`)
    // The same batch through node:crypto's fallback gives the same verdicts.
    const c = sealedBatch(10, () => 300)
    c.bufs[4][c.offsets[4] + 5] ^= 1
    const ok2 = new Uint8Array(10)
    t.equal(reference.openBatch(c.keys, c.bufs, c.refs, c.offsets, c.lengths, c.counters, 10, ok2), 9)
    t.same([...ok2], [1, 1, 1, 1, 0, 1, 1, 1, 1, 1])
  }
  useNativeEvp(false)
})

t.test('batches refuse wrong arguments before touching any region', async (t) => {
  const n = native!
  for (const path of PATHS) {
    useNativeEvp(path === 'evp')
    const b = sealedBatch(8, () => 100)
    const snapshot = b.bufs.map((x) => Buffer.from(x))
    const ok = new Uint8Array(8)
    const call = (over: Partial<typeof b> & { count?: number, ok?: Uint8Array }): number =>
      n.openBatch(over.keys ?? b.keys, over.bufs ?? b.bufs, over.refs ?? b.refs, over.offsets ?? b.offsets,
        over.lengths ?? b.lengths, over.counters ?? b.counters, over.count ?? 8, over.ok ?? ok)
    const short = Int32Array.from(b.lengths); short[5] = 15
    t.throws(() => call({ lengths: short }), /shorter than the tag/, `${path}: a region shorter than the tag`)
    const outside = Int32Array.from(b.lengths); outside[6] = 1 << 20
    t.throws(() => call({ lengths: outside }), TypeError, `${path}: a region outside its buffer`)
    const negative = Int32Array.from(b.offsets); negative[7] = -1
    t.throws(() => call({ offsets: negative }), TypeError, `${path}: a negative offset`)
    const shortKey = [...b.keys]; shortKey[4] = Buffer.alloc(16)
    t.throws(() => call({ keys: shortKey }), /32-byte/, `${path}: a 16-byte key`)
    const stray = Uint8Array.from(b.refs); stray[2 * 3] = 8
    t.throws(() => call({ refs: stray }), /names no key or buffer/, `${path}: a ref past the keys`)
    const strayBuf = Uint8Array.from(b.refs); strayBuf[2 * 7 + 1] = 200
    t.throws(() => call({ refs: strayBuf }), /names no key or buffer/, `${path}: a ref past the buffers`)
    t.throws(() => call({ refs: new Uint8Array(15) }), TypeError, `${path}: refs too short`)
    t.throws(() => call({ count: 129 }), TypeError, `${path}: more than 128`)
    t.throws(() => call({ count: 9 }), TypeError, `${path}: more than the arrays hold`)
    t.throws(() => call({ ok: new Uint8Array(4) }), TypeError, `${path}: a results array too short`)
    for (let i = 0; i < 8; i++) t.ok(b.bufs[i].equals(snapshot[i]), `${path}: region ${i} untouched`)
    t.equal(call({}), 8, `${path}: the same batch, well formed, opens`)

    // sealBatch: a bad region after three good ones leaves all four plaintext.
    const plain = [0, 1, 2, 3].map((i) => bytes(200, i))
    const sbufs = plain.map((p) => Buffer.concat([Buffer.alloc(16), p, Buffer.alloc(16)]))
    const soffs = new Int32Array([16, 16, 16, 16])
    const slens = new Int32Array([200, 200, 200, 201]) // the last has no room for its tag
    const srefs = new Uint8Array([0, 0, 0, 1, 0, 2, 0, 3]) // one key, four buffers
    t.throws(() => n.sealBatch([key(1)], sbufs, srefs, soffs, slens, new Float64Array(4), 4),
      /outside the buffer/, `${path}: sealBatch refuses`)
    for (let i = 0; i < 4; i++) t.ok(sbufs[i].subarray(16, 216).equals(plain[i]), `${path}: region ${i} not sealed`)
    slens[3] = 200
    t.equal(n.sealBatch([key(1)], sbufs, srefs, soffs, slens, new Float64Array([5, 6, 7, 8]), 4), 4)
    for (let i = 0; i < 4; i++) {
      const mine = Buffer.concat([Buffer.alloc(16), plain[i], Buffer.alloc(16)])
      reference.seal(key(1), mine, 16, 200, 5 + i)
      t.ok(sbufs[i].equals(mine), `${path}: region ${i} sealed as node:crypto does`)
    }
  }
  useNativeEvp(false)
})
