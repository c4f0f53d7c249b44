/**
 * The Noise primitives of Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s over node:crypto (OpenSSL):
 * HASH = BLAKE2s-256, HMAC-BLAKE2s, the HKDF-style KDF of the Noise spec, X25519 and
 * ChaCha20-Poly1305 with a 64-bit counter nonce. Handshake path only (they allocate).
 */
import {
  createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey,
  diffieHellman, generateKeyPairSync, KeyObject,
} from 'node:crypto'

export const KEY_LEN = 32
export const TAG_LEN = 16

export function hash (...parts: Uint8Array[]): Buffer {
  const h = createHash('blake2s256')
  for (const p of parts) h.update(p)
  return h.digest()
}

export function hmac (key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('blake2s256', key)
  for (const p of parts) h.update(p)
  return h.digest()
}

const ONE = Buffer.from([1])
const TWO = Buffer.from([2])
const THREE = Buffer.from([3])

/** Noise's HKDF with 1, 2 or 3 outputs (wireguard-go KDF1/KDF2/KDF3). */
export function kdf1 (key: Uint8Array, input: Uint8Array): Buffer {
  return hmac(hmac(key, input), ONE)
}
export function kdf2 (key: Uint8Array, input: Uint8Array): [Buffer, Buffer] {
  const prk = hmac(key, input)
  const t1 = hmac(prk, ONE)
  return [t1, hmac(prk, t1, TWO)]
}
export function kdf3 (key: Uint8Array, input: Uint8Array): [Buffer, Buffer, Buffer] {
  const prk = hmac(key, input)
  const t1 = hmac(prk, ONE)
  const t2 = hmac(prk, t1, TWO)
  return [t1, t2, hmac(prk, t2, THREE)]
}

function nonce (counter: number): Buffer {
  const n = Buffer.alloc(12)
  n.writeUInt32LE(counter >>> 0, 4)
  n.writeUInt32LE(Math.floor(counter / 0x100000000), 8)
  return n
}

/** ChaCha20-Poly1305 seal under a 12-byte nonce: ciphertext ‖ tag. */
export function chachaSeal (key: Uint8Array, nonce12: Uint8Array, plain: Uint8Array, aad: Uint8Array): Buffer {
  const c = createCipheriv('chacha20-poly1305', key, nonce12, { authTagLength: TAG_LEN })
  c.setAAD(aad, { plaintextLength: plain.length })
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()])
}

/** ChaCha20-Poly1305 open under a 12-byte nonce; null when it does not authenticate. */
export function chachaOpen (key: Uint8Array, nonce12: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer | null {
  if (sealed.length < TAG_LEN) return null
  const d = createDecipheriv('chacha20-poly1305', key, nonce12, { authTagLength: TAG_LEN })
  d.setAAD(aad, { plaintextLength: sealed.length - TAG_LEN })
  d.setAuthTag(sealed.subarray(sealed.length - TAG_LEN))
  const plain = d.update(sealed.subarray(0, sealed.length - TAG_LEN))
  try {
    d.final()
  } catch {
    return null
  }
  return plain
}

/** ChaCha20-Poly1305 seal with WireGuard's counter nonce: ciphertext ‖ tag. */
export function aeadSeal (key: Uint8Array, counter: number, plain: Uint8Array, aad: Uint8Array): Buffer {
  return chachaSeal(key, nonce(counter), plain, aad)
}

/** ChaCha20-Poly1305 open with WireGuard's counter nonce; null when it does not authenticate. */
export function aeadOpen (key: Uint8Array, counter: number, sealed: Uint8Array, aad: Uint8Array): Buffer | null {
  return chachaOpen(key, nonce(counter), sealed, aad)
}

/** An X25519 key pair with raw 32-byte keys (the form WireGuard and `wg genkey` use). */
export interface StaticKeyPair {
  readonly privateKey: Buffer
  readonly publicKey: Buffer
  /** The private key as a KeyObject, for DH without re-importing each time. */
  readonly key: KeyObject
}

function b64url (b: Uint8Array): string {
  return Buffer.from(b).toString('base64url')
}

export function publicKeyObject (raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_LEN) throw new RangeError(`X25519 public key of ${raw.length} bytes`)
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64url(raw) }, format: 'jwk' })
}

/** Imports a raw private key (clamping happens inside X25519, as everywhere). */
export function keyPairFromPrivate (raw: Uint8Array): StaticKeyPair {
  if (raw.length !== KEY_LEN) throw new RangeError(`X25519 private key of ${raw.length} bytes`)
  // JWK import wants x as well; derive it through a temporary import without it (PKCS#8 DER).
  const der = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), raw])
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
  const x = createPublicKey(key).export({ format: 'jwk' }).x as string
  return { privateKey: Buffer.from(raw), publicKey: Buffer.from(x, 'base64url'), key }
}

export function generateKeyPair (): StaticKeyPair {
  const { privateKey } = generateKeyPairSync('x25519')
  const d = privateKey.export({ format: 'jwk' }).d as string
  return keyPairFromPrivate(Buffer.from(d, 'base64url'))
}

/** X25519(private, public). Null for a low-order public key (all-zero shared secret). */
export function dh (priv: StaticKeyPair, pub: Uint8Array | KeyObject): Buffer | null {
  let shared: Buffer
  try {
    shared = diffieHellman({ privateKey: priv.key, publicKey: pub instanceof KeyObject ? pub : publicKeyObject(pub) })
  } catch {
    return null
  }
  let acc = 0
  for (let i = 0; i < shared.length; i++) acc |= shared[i]
  return acc === 0 ? null : shared
}
