/**
 * Authenticated encryption of gossip frames with keys derived from the cluster secret: only a
 * holder of the secret can send a frame any node accepts (join, announce, vote, claim, suspect,
 * mark dead), and the underlay sees no member list, address or IPAM state.
 *
 * Sealed frame (one UDP datagram, or one frame of a stream), memberlist's keyring idea with an
 * explicit key id so a receiver never tries keys one by one:
 *
 *   0      2                6     7          11          19            27            39          n-16     n
 *   +------+----------------+-----+----------+-----------+-------------+-------------+-----------+--------+
 *   | 'LS' | length (u32 BE) | ver | key id   | sender id | stamp (u64  | nonce (12)  | ChaCha20- | tag 16 |
 *   |      | of what follows | = 2 | (u32 BE) | (8)       | BE, µs)     | random      | Poly1305  |        |
 *   +------+----------------+-----+----------+-----------+-------------+-------------+-----------+--------+
 *
 * The additional authenticated data is bytes 0..39 (everything before the ciphertext), so no
 * header bit can be changed either. The plain frame inside is the usual 'LG'/'LI' frame.
 * Sender id and stamp are what the receiver's replay check reads (gossip-replay.ts): 8 random
 * bytes per keyring (per process life) and the wall clock in microseconds, strictly increasing
 * per keyring. Version 1 (the same without sender id and stamp) is refused as `bad_version`:
 * accepting it would let anyone replay frames captured from a version-1 node.
 *
 * Keys: each 32-byte key of the secret file gives gossipKey = HKDF-SHA256(secret key, salt
 * "loom-gossip", info "loom gossip v1") — a different key from the WireGuard PSK use of the same
 * file — and keyId = the first 4 bytes of SHA-256("loom gossip key id v1" || gossipKey). The
 * first key of the file seals; every key of the file opens, which is what makes a rotation
 * without downtime (add a key everywhere, move it first everywhere, remove the old one).
 *
 * Nonces are random (96 bits): gossip sends tens of frames a second, far from the 2^32 frames
 * per key at which random 96-bit nonces start to risk a repeat (the stamp is not used as the
 * nonce: a clock stepped back across a restart would repeat it).
 *
 * Pure apart from the injected clock (no I/O); `open` never throws and returns a typed reason
 * for the metrics.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, randomFillSync } from 'node:crypto'
import { GOSSIP_FRAME_HEADER_LEN as FRAME_HEADER_LEN } from './gossip-codec'
import type { GossipReplayGuard, ReplayVerdict } from './gossip-replay'

export const SEALED_FRAME_MAGIC = 0x4c53 // 'LS'
export const SEAL_VERSION = 2
const VERSION_AT = FRAME_HEADER_LEN
const KEY_ID_AT = 7
export const SENDER_ID_AT = 11
export const SENDER_ID_LEN = 8
export const STAMP_AT = 19
const NONCE_AT = 27
const NONCE_LEN = 12
/** Bytes before the ciphertext; all of them are authenticated. */
export const SEAL_HEADER_LEN = NONCE_AT + NONCE_LEN
export const SEAL_TAG_LEN = 16
/** What sealing adds to a plain frame. */
export const SEAL_OVERHEAD = SEAL_HEADER_LEN + SEAL_TAG_LEN
const CIPHER = 'chacha20-poly1305'

export type OpenFailure = 'truncated' | 'bad_version' | 'unknown_key' | 'auth' | ReplayVerdict

export interface GossipKeyringOptions {
  /** Wall clock for the stamps, ms since the Unix epoch; default Date.now. */
  now?: () => number
  /** This keyring's sender id (8 bytes); default random. */
  senderId?: Uint8Array
}

interface GossipKey { readonly id: number, readonly key: Buffer }

/** The gossip keys of one secret file: keys[0] seals, all of them open. */
export class GossipKeyring {
  private keys: readonly GossipKey[]
  private readonly now: () => number
  /** Sender id written into every frame sealed here. */
  readonly senderId: Buffer
  private lastStamp = 0

  /** `secretKeys`: the file's keys in order (agent/cluster-secret.ts), at least one. */
  constructor (secretKeys: readonly Uint8Array[], options: GossipKeyringOptions = {}) {
    this.now = options.now ?? Date.now
    this.senderId = options.senderId === undefined ? randomBytes(SENDER_ID_LEN) : Buffer.from(options.senderId)
    if (this.senderId.length !== SENDER_ID_LEN) throw new Error(`a gossip sender id has ${SENDER_ID_LEN} bytes`)
    this.keys = deriveKeys(secretKeys)
  }

  /**
   * A rotation step without a restart (the secret file changed): the new keys seal and open from
   * the next frame on. Sender id and stamps carry on, so receivers' replay state stays valid.
   * Throws, keeping the old keys, when the list is empty or two keys derive the same id.
   */
  replaceKeys (secretKeys: readonly Uint8Array[]): void {
    this.keys = deriveKeys(secretKeys)
  }

  /** Key id of the sealing (primary) key, for logs and status. */
  get primaryKeyId (): number { return this.keys[0].id }
  get size (): number { return this.keys.length }

  /** Seals a plain frame (magic + length + body) into a new sealed frame. */
  seal (plain: Uint8Array): Buffer {
    const k = this.keys[0]
    const out = Buffer.allocUnsafe(SEAL_OVERHEAD + plain.length)
    out.writeUInt16BE(SEALED_FRAME_MAGIC, 0)
    out.writeUInt32BE(out.length - FRAME_HEADER_LEN, 2)
    out[VERSION_AT] = SEAL_VERSION
    out.writeUInt32BE(k.id, KEY_ID_AT)
    this.senderId.copy(out, SENDER_ID_AT)
    writeStamp(out, this.nextStamp())
    randomFillSync(out, NONCE_AT, NONCE_LEN)
    const c = createCipheriv(CIPHER, k.key, out.subarray(NONCE_AT, SEAL_HEADER_LEN), { authTagLength: SEAL_TAG_LEN })
    c.setAAD(out.subarray(0, SEAL_HEADER_LEN), { plaintextLength: plain.length })
    const n = c.update(plain).copy(out, SEAL_HEADER_LEN)
    c.final()
    c.getAuthTag().copy(out, SEAL_HEADER_LEN + n)
    return out
  }

  /**
   * Opens a sealed frame whose outer header the caller has checked (magic 'LS', length =
   * frame.length - 6). Returns the plain frame, or why it was refused; never throws. With a
   * replay guard, its check runs before the AEAD and the frame is recorded only once it has
   * authenticated.
   */
  open (sealed: Uint8Array, replay?: GossipReplayGuard): Buffer | OpenFailure {
    if (sealed.length < SEAL_OVERHEAD) return 'truncated'
    if (sealed[VERSION_AT] !== SEAL_VERSION) return 'bad_version'
    const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length)
    const id = buf.readUInt32BE(KEY_ID_AT)
    const k = this.keys.find((x) => x.id === id)
    if (k === undefined) return 'unknown_key'
    const sender = buf.subarray(SENDER_ID_AT, SENDER_ID_AT + SENDER_ID_LEN)
    const stamp = readStamp(buf)
    const verdict = replay?.check(sender, stamp)
    if (verdict !== undefined) return verdict
    const tagAt = buf.length - SEAL_TAG_LEN
    try {
      const d = createDecipheriv(CIPHER, k.key, buf.subarray(NONCE_AT, SEAL_HEADER_LEN),
        { authTagLength: SEAL_TAG_LEN })
      d.setAAD(buf.subarray(0, SEAL_HEADER_LEN), { plaintextLength: tagAt - SEAL_HEADER_LEN })
      d.setAuthTag(buf.subarray(tagAt))
      const plain = d.update(buf.subarray(SEAL_HEADER_LEN, tagAt))
      d.final() // throws when the tag does not verify
      replay?.accept(sender, stamp)
      return plain
    } catch {
      return 'auth'
    }
  }

  /**
   * The wall clock in µs, strictly above the previous stamp. After the clock stepped back by
   * more than a second it follows the clock again (the receivers' window is around their own
   * clocks, so running ahead would get every frame refused as `clock_skew`); a stamp repeated
   * across such a step can only cost that one frame.
   */
  private nextStamp (): number {
    const now = Math.floor(this.now() * 1000)
    this.lastStamp = now > this.lastStamp || now < this.lastStamp - 1_000_000 ? now : this.lastStamp + 1
    return this.lastStamp
  }
}

function deriveKeys (secretKeys: readonly Uint8Array[]): GossipKey[] {
  if (secretKeys.length === 0) throw new Error('a gossip keyring needs at least one key')
  const keys: GossipKey[] = []
  for (const s of secretKeys) {
    const key = Buffer.from(hkdfSync('sha256', s, 'loom-gossip', 'loom gossip v1', 32))
    const id = createHash('sha256').update('loom gossip key id v1').update(key).digest().readUInt32BE(0)
    if (keys.some((k) => k.id === id)) throw new Error('two secret keys derive the same gossip key id')
    keys.push({ id, key })
  }
  return keys
}

function writeStamp (out: Buffer, stamp: number): void {
  out.writeUInt32BE(Math.floor(stamp / 2 ** 32), STAMP_AT)
  out.writeUInt32BE(stamp >>> 0, STAMP_AT + 4)
}

/** The stamp of a sealed frame (µs); beyond 2^53 it is rounded, which only makes it refused as future. */
export function readStamp (sealed: Buffer): number {
  return sealed.readUInt32BE(STAMP_AT) * 2 ** 32 + sealed.readUInt32BE(STAMP_AT + 4)
}
