/**
 * WireGuard's DoS defence (whitepaper §5.4; wireguard-go device/cookie.go), pure:
 * - mac1 = BLAKE2s-128(key = HASH("mac1----" ‖ receiver's public key), message up to mac1): any
 *   sender who knows the receiver's public key can make it; the receiver checks it before any
 *   DH, so junk costs one keyed hash.
 * - Under load the responder answers an initiation or response with a cookie reply (type 3)
 *   instead of doing the DH: cookie = BLAKE2s-128(key = a random secret rotated every 2 minutes,
 *   the sender's IP ‖ port), sealed with XChaCha20-Poly1305 under HASH("cookie--" ‖ responder's
 *   public key) and the message's mac1 as AAD. The sender then puts
 *   mac2 = BLAKE2s-128(key = cookie, message up to mac2) on its next message; a valid mac2 proves
 *   it can receive at its address, so it is served even under load.
 */
import { randomBytes } from 'node:crypto'
import { blake2s } from './blake2s'
import {
  COOKIE_LEN, COOKIE_NONCE_LEN, COOKIE_REFRESH_TIME, COOKIE_REPLY_LEN, LABEL_COOKIE, LABEL_MAC1,
  MAC_LEN, MSG_COOKIE_REPLY,
} from './constants'
import { hash } from './primitives'
import { xchachaOpen, xchachaSeal } from './xchacha20poly1305'

export function mac1Key (publicKey: Uint8Array): Buffer {
  return hash(Buffer.from(LABEL_MAC1), publicKey)
}

export function cookieKey (publicKey: Uint8Array): Buffer {
  return hash(Buffer.from(LABEL_COOKIE), publicKey)
}

/** Writes mac1 (keyed by the receiver's mac1Key) and mac2 (keyed by `cookie`, zero if null) in place. */
export function writeMacs (msg: Buffer, receiverMac1Key: Buffer, cookie: Buffer | null): void {
  const m2 = msg.length - MAC_LEN
  const m1 = m2 - MAC_LEN
  blake2s(MAC_LEN, receiverMac1Key, msg.subarray(0, m1)).copy(msg, m1)
  if (cookie !== null) blake2s(MAC_LEN, cookie, msg.subarray(0, m2)).copy(msg, m2)
  else msg.fill(0, m2)
}

/** Constant-time enough for 16 bytes: no early exit. */
function equal16 (a: Uint8Array, b: Uint8Array): boolean {
  let d = 0
  for (let i = 0; i < MAC_LEN; i++) d |= a[i] ^ b[i]
  return d === 0
}

/** True if the message's mac1 is right for a receiver whose mac1Key is given. */
export function checkMac1 (msg: Uint8Array, ownMac1Key: Buffer): boolean {
  const m1 = msg.length - 2 * MAC_LEN
  if (m1 < 0) return false
  return equal16(blake2s(MAC_LEN, ownMac1Key, msg.subarray(0, m1)), msg.subarray(m1, m1 + MAC_LEN))
}

/**
 * The address form the cookie binds: IPv4 (4 bytes, network order) ‖ port (2 bytes, little-endian, as wireguard-go).
 */
function source (addressU32: number, port: number): Buffer {
  const b = Buffer.alloc(6)
  b.writeUInt32BE(addressU32 >>> 0, 0)
  b.writeUInt16LE(port, 4)
  return b
}

/** The responder side: its rotating secret, mac2 checks and cookie replies. */
export class CookieChecker {
  private secret = randomBytes(32)
  private secretSetAt: number
  private readonly cookieKey: Buffer

  constructor (ownPublicKey: Buffer, nowMs: number) {
    this.cookieKey = cookieKey(ownPublicKey)
    this.secretSetAt = nowMs
  }

  private cookieFor (addressU32: number, port: number, nowMs: number): Buffer {
    if (nowMs - this.secretSetAt >= COOKIE_REFRESH_TIME) {
      this.secret = randomBytes(32)
      this.secretSetAt = nowMs
    }
    return blake2s(COOKIE_LEN, this.secret, source(addressU32, port))
  }

  /** True if the message carries a mac2 made with the cookie of this source (and the secret is fresh). */
  checkMac2 (msg: Uint8Array, addressU32: number, port: number, nowMs: number): boolean {
    if (nowMs - this.secretSetAt >= COOKIE_REFRESH_TIME) return false
    const m2 = msg.length - MAC_LEN
    if (m2 < MAC_LEN) return false
    const cookie = blake2s(COOKIE_LEN, this.secret, source(addressU32, port))
    return equal16(blake2s(MAC_LEN, cookie, msg.subarray(0, m2)), msg.subarray(m2))
  }

  /** The cookie reply (type 3) to `msg` (an initiation or response whose mac1 was valid). */
  createReply (msg: Uint8Array, addressU32: number, port: number, nowMs: number): Buffer {
    const out = Buffer.alloc(COOKIE_REPLY_LEN)
    out[0] = MSG_COOKIE_REPLY
    // The receiver of the reply is the sender of the message (its index is at offset 4 in both types).
    out.set(msg.subarray(4, 8), 4)
    const nonce = randomBytes(COOKIE_NONCE_LEN)
    nonce.copy(out, 8)
    const m1 = msg.length - 2 * MAC_LEN
    const sealed = xchachaSeal(this.cookieKey, nonce, this.cookieFor(addressU32, port, nowMs),
      msg.subarray(m1, m1 + MAC_LEN))
    sealed.copy(out, 8 + COOKIE_NONCE_LEN)
    return out
  }
}

/**
 * The initiator side: opens a cookie reply from a peer (whose cookieKey is given) to our last
 * message with mac1 `lastMac1`. Returns the cookie, or null if it does not authenticate.
 */
export function consumeCookieReply (msg: Uint8Array, peerCookieKey: Buffer, lastMac1: Uint8Array): Buffer | null {
  if (msg.length !== COOKIE_REPLY_LEN || msg[0] !== MSG_COOKIE_REPLY) return null
  const nonce = msg.subarray(8, 8 + COOKIE_NONCE_LEN)
  const cookie = xchachaOpen(peerCookieKey, nonce, msg.subarray(8 + COOKIE_NONCE_LEN), lastMac1)
  return cookie !== null && cookie.length === COOKIE_LEN ? cookie : null
}
