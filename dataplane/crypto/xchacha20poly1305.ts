/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha), for WireGuard's cookie reply only: HChaCha20
 * derives a subkey from the key and the first 16 nonce bytes, then ChaCha20-Poly1305 (node:crypto)
 * runs with that subkey and nonce = 4 zero bytes ‖ the last 8 nonce bytes. Node has no XChaCha,
 * and the hot path never uses it, so a small TypeScript HChaCha20 is enough.
 */
import { chachaOpen, chachaSeal } from './primitives'

function rotl (x: number, n: number): number {
  return (x << n) | (x >>> (32 - n))
}

/** HChaCha20(key 32 bytes, nonce 16 bytes) -> 32-byte subkey. */
export function hchacha20 (key: Uint8Array, nonce16: Uint8Array): Buffer {
  const s = new Uint32Array(16)
  s[0] = 0x61707865; s[1] = 0x3320646e; s[2] = 0x79622d32; s[3] = 0x6b206574
  const kv = Buffer.from(key.buffer, key.byteOffset, 32)
  const nv = Buffer.from(nonce16.buffer, nonce16.byteOffset, 16)
  for (let i = 0; i < 8; i++) s[4 + i] = kv.readUInt32LE(i * 4)
  for (let i = 0; i < 4; i++) s[12 + i] = nv.readUInt32LE(i * 4)
  const qr = (a: number, b: number, c: number, d: number): void => {
    s[a] += s[b]; s[d] = rotl(s[d] ^ s[a], 16)
    s[c] += s[d]; s[b] = rotl(s[b] ^ s[c], 12)
    s[a] += s[b]; s[d] = rotl(s[d] ^ s[a], 8)
    s[c] += s[d]; s[b] = rotl(s[b] ^ s[c], 7)
  }
  for (let r = 0; r < 10; r++) {
    qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
    qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)
  }
  const out = Buffer.alloc(32)
  for (let i = 0; i < 4; i++) out.writeUInt32LE(s[i], i * 4)
  for (let i = 0; i < 4; i++) out.writeUInt32LE(s[12 + i], 16 + i * 4)
  return out
}

function subNonce (nonce24: Uint8Array): Buffer {
  const n = Buffer.alloc(12)
  n.set(nonce24.subarray(16, 24), 4)
  return n
}

/** Seals `plain` -> ciphertext ‖ 16-byte tag. */
export function xchachaSeal (key: Uint8Array, nonce24: Uint8Array, plain: Uint8Array, aad: Uint8Array): Buffer {
  return chachaSeal(hchacha20(key, nonce24.subarray(0, 16)), subNonce(nonce24), plain, aad)
}

/** Opens ciphertext ‖ tag; null when it does not authenticate. */
export function xchachaOpen (key: Uint8Array, nonce24: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer | null {
  return chachaOpen(hchacha20(key, nonce24.subarray(0, 16)), subNonce(nonce24), sealed, aad)
}
