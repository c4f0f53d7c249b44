/**
 * Authenticated encryption of gossip frames with keys derived from the cluster secret: only a
 * holder of the secret can send a frame any node accepts (join, announce, vote, claim, suspect,
 * mark dead), and the underlay sees no member list, address or IPAM state.
 *
 * Sealed frame (one UDP datagram, or one frame of a stream), memberlist's keyring idea with an
 * explicit key id so a receiver never tries keys one by one:
 *
 *   0      2                6     7          11              23                      n-16     n
 *   +------+----------------+-----+----------+---------------+-----------------------+--------+
 *   | 'LS' | length (u32 BE) | ver | key id   | nonce (12)    | ChaCha20-Poly1305 of   | tag 16 |
 *   |      | of what follows | = 1 | (u32 BE) | random        | the plain frame        |        |
 *   +------+----------------+-----+----------+---------------+-----------------------+--------+
 *
 * The additional authenticated data is bytes 0..23 (magic, length, version, key id, nonce), so
 * no header bit can be changed either. The plain frame inside is the usual 'LG'/'LI' frame.
 *
 * Keys: each 32-byte key of the secret file gives gossipKey = HKDF-SHA256(secret key, salt
 * "loom-gossip", info "loom gossip v1") — a different key from the WireGuard PSK use of the same
 * file — and keyId = the first 4 bytes of SHA-256("loom gossip key id v1" || gossipKey). The
 * first key of the file seals; every key of the file opens, which is what makes a rotation
 * without downtime (add a key everywhere, move it first everywhere, remove the old one).
 *
 * Nonces are random (96 bits): gossip sends tens of frames a second, far from the 2^32 frames
 * per key at which random 96-bit nonces start to risk a repeat. Replays are not detected here:
 * every gossip message is idempotent or ordered by incarnation / Paxos slot, so a replayed frame
 * repeats old news that the receivers ignore (README, "Gossip security").
 *
 * Pure (no I/O); `openFrame` never throws and returns a typed reason for the metrics.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomFillSync } from 'node:crypto'
import { GOSSIP_FRAME_HEADER_LEN as FRAME_HEADER_LEN } from './gossip-codec'

export const SEALED_FRAME_MAGIC = 0x4c53 // 'LS'
export const SEAL_VERSION = 1
const VERSION_AT = FRAME_HEADER_LEN
const KEY_ID_AT = 7
const NONCE_AT = 11
const NONCE_LEN = 12
/** Bytes before the ciphertext; all of them are authenticated. */
export const SEAL_HEADER_LEN = NONCE_AT + NONCE_LEN
export const SEAL_TAG_LEN = 16
/** What sealing adds to a plain frame. */
export const SEAL_OVERHEAD = SEAL_HEADER_LEN + SEAL_TAG_LEN
const CIPHER = 'chacha20-poly1305'

export type OpenFailure = 'truncated' | 'bad_version' | 'unknown_key' | 'auth'

interface GossipKey { readonly id: number, readonly key: Buffer }

/** The gossip keys of one secret file: keys[0] seals, all of them open. */
export class GossipKeyring {
  private readonly keys: readonly GossipKey[]

  /** `secretKeys`: the file's keys in order (agent/cluster-secret.ts), at least one. */
  constructor (secretKeys: readonly Uint8Array[]) {
    if (secretKeys.length === 0) throw new Error('a gossip keyring needs at least one key')
    const keys: GossipKey[] = []
    for (const s of secretKeys) {
      const key = Buffer.from(hkdfSync('sha256', s, 'loom-gossip', 'loom gossip v1', 32))
      const id = createHash('sha256').update('loom gossip key id v1').update(key).digest().readUInt32BE(0)
      if (keys.some((k) => k.id === id)) throw new Error('two secret keys derive the same gossip key id')
      keys.push({ id, key })
    }
    this.keys = keys
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
   * frame.length - 6). Returns the plain frame, or why it was refused; never throws.
   */
  open (sealed: Uint8Array): Buffer | OpenFailure {
    if (sealed.length < SEAL_OVERHEAD) return 'truncated'
    if (sealed[VERSION_AT] !== SEAL_VERSION) return 'bad_version'
    const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length)
    const id = buf.readUInt32BE(KEY_ID_AT)
    const k = this.keys.find((x) => x.id === id)
    if (k === undefined) return 'unknown_key'
    const tagAt = buf.length - SEAL_TAG_LEN
    try {
      const d = createDecipheriv(CIPHER, k.key, buf.subarray(NONCE_AT, SEAL_HEADER_LEN),
        { authTagLength: SEAL_TAG_LEN })
      d.setAAD(buf.subarray(0, SEAL_HEADER_LEN), { plaintextLength: tagAt - SEAL_HEADER_LEN })
      d.setAuthTag(buf.subarray(tagAt))
      const plain = d.update(buf.subarray(SEAL_HEADER_LEN, tagAt))
      d.final() // throws when the tag does not verify
      return plain
    } catch {
      return 'auth'
    }
  }
}
