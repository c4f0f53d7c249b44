/**
 * The Noise_IKpsk2 handshake messages of WireGuard (type 1 initiation, type 2 response), pure:
 * inputs are keys, indices and the time; outputs are message bytes and derived state. No I/O,
 * no timers, no peer table — session-table.ts and peer.ts decide when to call what.
 *
 * Layouts (integers little-endian, as wireguard-go writes them):
 *   initiation (148): type=1 | 0 0 0 | sender u32 | ephemeral 32 | static 32+16 | timestamp 12+16 | mac1 16 | mac2 16
 *   response    (92): type=2 | 0 0 0 | sender u32 | receiver u32 | ephemeral 32 | empty 0+16 | mac1 16 | mac2 16
 * The macs are written by cookie.ts; this file leaves them zero.
 *
 * Preshared keys: the responder mixes its primary key; an initiator may hold several (a cluster
 * secret under rotation) and tries them in order on the response — each try costs one KDF and an
 * empty AEAD open — so two nodes whose primaries differ but who share a key still agree.
 */
import {
  CONSTRUCTION, IDENTIFIER, INITIATION_LEN, MSG_INITIATION, MSG_RESPONSE, RESPONSE_LEN,
} from './constants'
import {
  aeadOpen, aeadSeal, dh, generateKeyPair, hash, kdf1, kdf2, kdf3, KEY_LEN, StaticKeyPair,
} from './primitives'
import { TAI64N_LEN, tai64n } from './tai64n'

const INITIAL_CHAIN_KEY = hash(Buffer.from(CONSTRUCTION))
const INITIAL_HASH = hash(INITIAL_CHAIN_KEY, Buffer.from(IDENTIFIER))
const EMPTY = Buffer.alloc(0)

/** Transport keys of a finished handshake, from this side's point of view. */
export interface SessionKeys {
  readonly sendKey: Buffer
  readonly recvKey: Buffer
}

/** What an initiator keeps between sending an initiation and receiving the response. */
export interface InitiatorState {
  readonly localIndex: number
  readonly ephemeral: StaticKeyPair
  readonly hash: Buffer
  readonly chainKey: Buffer
  readonly remoteStatic: Buffer
}

/** A decrypted, authenticated initiation (not yet checked for replay or rate). */
export interface ConsumedInitiation {
  readonly remoteStatic: Buffer
  readonly remoteIndex: number
  readonly remoteEphemeral: Buffer
  readonly timestamp: Buffer
  readonly hash: Buffer
  readonly chainKey: Buffer
}

/** Builds an initiation to `remoteStatic` (macs zero). Null if the DH fails (low-order key). */
export function createInitiation (local: StaticKeyPair, remoteStatic: Buffer, localIndex: number,
  nowMs: number, ephemeral: StaticKeyPair = generateKeyPair()): { message: Buffer, state: InitiatorState } | null {
  const msg = Buffer.alloc(INITIATION_LEN)
  msg[0] = MSG_INITIATION
  msg.writeUInt32LE(localIndex >>> 0, 4)
  let h = hash(INITIAL_HASH, remoteStatic)
  let ck: Buffer = INITIAL_CHAIN_KEY
  ephemeral.publicKey.copy(msg, 8)
  h = hash(h, ephemeral.publicKey)
  ck = kdf1(ck, ephemeral.publicKey)
  const es = dh(ephemeral, remoteStatic)
  if (es === null) return null
  let key: Buffer
  ;[ck, key] = kdf2(ck, es)
  const encStatic = aeadSeal(key, 0, local.publicKey, h)
  encStatic.copy(msg, 40)
  h = hash(h, encStatic)
  const ss = dh(local, remoteStatic)
  if (ss === null) return null
  ;[ck, key] = kdf2(ck, ss)
  const encTime = aeadSeal(key, 0, tai64n(nowMs), h)
  encTime.copy(msg, 88)
  h = hash(h, encTime)
  return { message: msg, state: { localIndex: localIndex >>> 0, ephemeral, hash: h, chainKey: ck, remoteStatic } }
}

/** Decrypts an initiation addressed to `local`. Null if it does not authenticate. */
export function consumeInitiation (local: StaticKeyPair, msg: Uint8Array): ConsumedInitiation | null {
  if (msg.length !== INITIATION_LEN || msg[0] !== MSG_INITIATION) return null
  const m = Buffer.from(msg.buffer, msg.byteOffset, msg.length)
  const ephemeral = Buffer.from(m.subarray(8, 40))
  let h = hash(INITIAL_HASH, local.publicKey)
  h = hash(h, ephemeral)
  let ck = kdf1(INITIAL_CHAIN_KEY, ephemeral)
  const es = dh(local, ephemeral)
  if (es === null) return null
  let key: Buffer
  ;[ck, key] = kdf2(ck, es)
  const encStatic = m.subarray(40, 88)
  const remoteStatic = aeadOpen(key, 0, encStatic, h)
  if (remoteStatic === null || remoteStatic.length !== KEY_LEN) return null
  h = hash(h, encStatic)
  const ss = dh(local, remoteStatic)
  if (ss === null) return null
  ;[ck, key] = kdf2(ck, ss)
  const encTime = m.subarray(88, 116)
  const timestamp = aeadOpen(key, 0, encTime, h)
  if (timestamp === null || timestamp.length !== TAI64N_LEN) return null
  h = hash(h, encTime)
  return { remoteStatic, remoteIndex: m.readUInt32LE(4), remoteEphemeral: ephemeral, timestamp, hash: h, chainKey: ck }
}

/** Builds the response to a consumed initiation, mixing `psk`; returns the responder's keys. */
export function createResponse (init: ConsumedInitiation, localIndex: number, psk: Buffer,
  ephemeral: StaticKeyPair = generateKeyPair()): { message: Buffer, keys: SessionKeys } | null {
  const msg = Buffer.alloc(RESPONSE_LEN)
  msg[0] = MSG_RESPONSE
  msg.writeUInt32LE(localIndex >>> 0, 4)
  msg.writeUInt32LE(init.remoteIndex >>> 0, 8)
  ephemeral.publicKey.copy(msg, 12)
  let h = hash(init.hash, ephemeral.publicKey)
  let ck = kdf1(init.chainKey, ephemeral.publicKey)
  const ee = dh(ephemeral, init.remoteEphemeral)
  const se = dh(ephemeral, init.remoteStatic)
  if (ee === null || se === null) return null
  ck = kdf1(ck, ee)
  ck = kdf1(ck, se)
  const [ck2, tau, key] = kdf3(ck, psk)
  h = hash(h, tau)
  const empty = aeadSeal(key, 0, EMPTY, h)
  empty.copy(msg, 44)
  const [initiatorSend, responderSend] = kdf2(ck2, EMPTY)
  return { message: msg, keys: { sendKey: responderSend, recvKey: initiatorSend } }
}

/**
 * Completes an initiator's handshake with a response (already matched by receiver index).
 * Tries each psk in order; null if none authenticates. Returns the keys and the psk's position.
 */
export function consumeResponse (local: StaticKeyPair, state: InitiatorState, msg: Uint8Array,
  psks: readonly Buffer[]): { keys: SessionKeys, remoteIndex: number, pskIndex: number } | null {
  if (msg.length !== RESPONSE_LEN || msg[0] !== MSG_RESPONSE) return null
  const m = Buffer.from(msg.buffer, msg.byteOffset, msg.length)
  if (m.readUInt32LE(8) !== state.localIndex) return null
  const ephemeral = m.subarray(12, 44)
  const h = hash(state.hash, ephemeral)
  let ck = kdf1(state.chainKey, ephemeral)
  const ee = dh(state.ephemeral, ephemeral)
  const se = dh(local, ephemeral)
  if (ee === null || se === null) return null
  ck = kdf1(ck, ee)
  ck = kdf1(ck, se)
  const empty = m.subarray(44, 60)
  for (let i = 0; i < psks.length; i++) {
    const [ck2, tau, key] = kdf3(ck, psks[i])
    const h2 = hash(h, tau)
    if (aeadOpen(key, 0, empty, h2) === null) continue
    const [initiatorSend, responderSend] = kdf2(ck2, EMPTY)
    return { keys: { sendKey: initiatorSend, recvKey: responderSend }, remoteIndex: m.readUInt32LE(4), pskIndex: i }
  }
  return null
}
