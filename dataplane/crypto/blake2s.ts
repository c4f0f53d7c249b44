/**
 * BLAKE2s (RFC 7693) with a key and any output length 1..32 — what WireGuard's mac1/mac2 and
 * cookies need (keyed, 16-byte output). Node's `blake2s256` hash has neither a key nor a short
 * output (the output length is part of the parameter block, so truncating is not the same), hence
 * this small implementation. Handshake path only: it allocates, and is not meant for packets.
 */

const IV = new Uint32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])

const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
]

const BLOCK = 64

function rotr (x: number, n: number): number {
  return (x >>> n) | (x << (32 - n))
}

/** One compression of the 64-byte block at block[off..]; t = bytes hashed so far, last = final block. */
function compress (h: Uint32Array, block: Uint8Array, off: number, t: number, last: boolean): void {
  const v = new Uint32Array(16)
  const m = new Uint32Array(16)
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4
    m[i] = block[j] | (block[j + 1] << 8) | (block[j + 2] << 16) | (block[j + 3] << 24)
  }
  for (let i = 0; i < 8; i++) { v[i] = h[i]; v[i + 8] = IV[i] }
  v[12] ^= t >>> 0
  v[13] ^= Math.floor(t / 0x100000000)
  if (last) v[14] = ~v[14]
  const g = (a: number, b: number, c: number, d: number, x: number, y: number): void => {
    v[a] = v[a] + v[b] + x
    v[d] = rotr(v[d] ^ v[a], 16)
    v[c] = v[c] + v[d]
    v[b] = rotr(v[b] ^ v[c], 12)
    v[a] = v[a] + v[b] + y
    v[d] = rotr(v[d] ^ v[a], 8)
    v[c] = v[c] + v[d]
    v[b] = rotr(v[b] ^ v[c], 7)
  }
  for (let r = 0; r < 10; r++) {
    const s = SIGMA[r]
    g(0, 4, 8, 12, m[s[0]], m[s[1]])
    g(1, 5, 9, 13, m[s[2]], m[s[3]])
    g(2, 6, 10, 14, m[s[4]], m[s[5]])
    g(3, 7, 11, 15, m[s[6]], m[s[7]])
    g(0, 5, 10, 15, m[s[8]], m[s[9]])
    g(1, 6, 11, 12, m[s[10]], m[s[11]])
    g(2, 7, 8, 13, m[s[12]], m[s[13]])
    g(3, 4, 9, 14, m[s[14]], m[s[15]])
  }
  for (let i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8]
}

/**
 * BLAKE2s of the concatenation of `parts`, keyed with `key` (0..32 bytes; empty = unkeyed),
 * `outLen` bytes (1..32).
 */
export function blake2s (outLen: number, key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  if (!Number.isInteger(outLen) || outLen < 1 ||
    outLen > 32) throw new RangeError(`blake2s: output length ${outLen} not in 1..32`)
  if (key.length > 32) throw new RangeError(`blake2s: key of ${key.length} bytes, at most 32`)
  const h = new Uint32Array(IV)
  h[0] ^= 0x01010000 ^ (key.length << 8) ^ outLen
  let total = 0
  for (const p of parts) total += p.length
  // The key, padded to a block, is hashed as the first block.
  const data = new Uint8Array((key.length > 0 ? BLOCK : 0) + total)
  data.set(key, 0)
  let o = key.length > 0 ? BLOCK : 0
  for (const p of parts) { data.set(p, o); o += p.length }
  const n = data.length
  let off = 0
  // Every full block but the last goes through compress with last = false.
  while (n - off > BLOCK) {
    compress(h, data, off, off + BLOCK, false)
    off += BLOCK
  }
  const tail = new Uint8Array(BLOCK)
  tail.set(data.subarray(off))
  compress(h, tail, 0, n, true)
  const out = Buffer.alloc(32)
  for (let i = 0; i < 8; i++) out.writeUInt32LE(h[i], i * 4)
  return out.subarray(0, outLen)
}
