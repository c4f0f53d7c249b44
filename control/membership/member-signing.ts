/**
 * Member records signed by the member itself, so that only a node can change its own address,
 * ports, VTEP MAC, public key or incarnation — even a holder of the cluster secret cannot
 * re-point another node's traffic to itself or keep it from refuting (issue: one forged `alive`
 * with a higher incarnation used to re-point a node's pods).
 *
 * Each node signs the advertised fields of its record with Ed25519. The signing key is derived
 * from the node's static X25519 private key (HKDF, its own label), so nothing new is stored in
 * identity.json. A record carries its signing key and signature; a receiver verifies the
 * signature, and pins the signing key of a node ID the first time it accepts a record for it
 * (membership.ts): a record for a known node ID under another signing key is refused for as long
 * as the member is in the table (trust on first use, like SSH host keys).
 *
 * What is signed: the record in its `alive` form, or its `left` form (a node leaves on its own),
 * never the suspect/dead state, which other members assert about it. A relayed suspect/dead
 * record carries the signature of the alive record at that incarnation, which is what lets a
 * receiver accept an incarnation it had not seen yet from an accuser.
 *
 * Payload (fixed layout, independent of protobuf): "loom member record v1" || node ID (16) ||
 * incarnation u32 || form u8 (1 alive, 2 left) || IPv4 (4) || data port u16 || gossip port u16 ||
 * encapsulation u8 || VTEP MAC (6) || public key length u8 + key || signing key (32) || node
 * name length u16 + UTF-8.
 *
 * The same key signs the node's entries of the per-node state channel (../node/node-state.ts),
 * so that receivers check them against the key pinned here; no second key. Those payloads start
 * with their own domain string (`signPayload` refuses one that starts with this file's), so a
 * signature of one kind can never be read as the other's.
 */
import { createPrivateKey, createPublicKey, hkdfSync, KeyObject, sign, verify } from 'node:crypto'
import type { EncapsulationKind } from '../../dataplane/encap'
import { SIGNATURE_LEN, SIGNING_KEY_LEN, type MemberRecord } from '../transport'

const DOMAIN = Buffer.from('loom member record v1')
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex')

export type SignedForm = 'alive' | 'left'

/** The encapsulation's byte in the signed payload (every kind needs one: the compiler checks). */
const SIGNED_ENCAPSULATION: Record<EncapsulationKind, number> = { udp: 1, vxlan: 2 }

/** The bytes a record's signature covers (see the header). */
export function recordPayload (r: MemberRecord, form: SignedForm): Buffer {
  const name = Buffer.from(r.nodeName, 'utf8')
  const key = r.publicKey
  const signingKey = r.signingKey ?? new Uint8Array(0)
  const out = Buffer.alloc(DOMAIN.length + 16 + 4 + 1 + 4 + 2 + 2 + 1 + 6 + 1 + key.length + signingKey.length +
    2 + name.length)
  let at = DOMAIN.copy(out, 0)
  at += Buffer.from(r.nodeId, 'hex').copy(out, at)
  at = out.writeUInt32BE(r.incarnation >>> 0, at)
  at = out.writeUInt8(form === 'alive' ? 1 : 2, at)
  for (const part of r.address.split('.')) at = out.writeUInt8(Number(part) & 0xff, at)
  at = out.writeUInt16BE(r.dataPort, at)
  at = out.writeUInt16BE(r.gossipPort, at)
  at = out.writeUInt8(SIGNED_ENCAPSULATION[r.encapsulation], at)
  at += Buffer.from(r.vtepMac).copy(out, at)
  at = out.writeUInt8(key.length, at)
  at += Buffer.from(key).copy(out, at)
  at += Buffer.from(signingKey).copy(out, at)
  at = out.writeUInt16BE(name.length, at)
  name.copy(out, at)
  return out
}

/** Signs this node's own records. */
export class RecordSigner {
  readonly signingKey: Uint8Array
  private readonly key: KeyObject

  /** `staticPrivateKey`: the node identity's raw 32-byte X25519 private key. */
  constructor (staticPrivateKey: Uint8Array) {
    const seed = Buffer.from(hkdfSync('sha256', staticPrivateKey, 'loom-record-signing',
      'loom member record signing key v1', 32))
    this.key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' })
    const spki = createPublicKey(this.key).export({ format: 'der', type: 'spki' })
    this.signingKey = new Uint8Array(spki.subarray(spki.length - SIGNING_KEY_LEN))
  }

  /** The record with our signing key and a signature over its `form`. */
  sign<R extends MemberRecord> (r: R, form: SignedForm): R {
    const withKey = { ...r, signingKey: this.signingKey }
    return { ...withKey, signature: new Uint8Array(sign(null, recordPayload(withKey, form), this.key)) }
  }

  /**
   * Signs a payload of another kind with the same key (the node-state channel's entries). The
   * caller's payload starts with its own domain string; one that starts with the member record's
   * is a bug (it would let that caller sign member records) and throws.
   */
  signPayload (payload: Uint8Array): Uint8Array {
    if (Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.length, DOMAIN.length)).equals(DOMAIN)) {
      throw new Error('signPayload: a payload in the member record domain')
    }
    return new Uint8Array(sign(null, payload, this.key))
  }
}

/** Verifies records; caches one public key object per signing key (bounded). */
export class RecordVerifier {
  private readonly keys = new Map<string, KeyObject>()
  verified = 0

  /** True when `r` carries a valid signature by its own signing key over its `form`. */
  verify (r: MemberRecord, form: SignedForm): boolean {
    const sk = r.signingKey
    const sig = r.signature
    if (sk === undefined || sig === undefined) return false
    return this.verifyPayload(sk, recordPayload(r, form), sig)
  }

  /** True when `signature` is `signingKey`'s over `payload` (RecordSigner.signPayload's counterpart). */
  verifyPayload (signingKey: Uint8Array, payload: Uint8Array, signature: Uint8Array): boolean {
    if (signingKey.length !== SIGNING_KEY_LEN || signature.length !== SIGNATURE_LEN) return false
    const hex = Buffer.from(signingKey).toString('hex')
    let key = this.keys.get(hex)
    if (key === undefined) {
      try {
        key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, signingKey]), format: 'der', type: 'spki' })
      } catch {
        return false
      }
      if (this.keys.size >= 16_384) this.keys.clear()
      this.keys.set(hex, key)
    }
    this.verified++
    try {
      return verify(null, payload, key, signature)
    } catch {
      return false
    }
  }
}
