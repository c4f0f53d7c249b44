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
 * The Noise part (keys, hashes, payloads) is in write/readNoiseInitiation and
 * write/readNoiseResponse, free of WireGuard's framing, so it can be checked against the Noise
 * framework's published vectors; the four WireGuard functions at the end add type, indices and
 * the fixed payloads (a TAI64N timestamp in the initiation, nothing in the response).
 *
 * Preshared keys: the responder mixes its primary key; an initiator may hold several (a cluster
 * secret under rotation) and tries them in order on the response — each try costs one KDF and an
 * empty AEAD open — so two nodes whose primaries differ but who share a key still agree.
 */
import {
  CONSTRUCTION, IDENTIFIER, INITIATION_LEN, MSG_INITIATION, MSG_RESPONSE, RESPONSE_LEN,
} from './constants'
import {
  aeadOpen, aeadSeal, dh, generateKeyPair, hash, kdf1, kdf2, kdf3, KEY_LEN, StaticKeyPair, TAG_LEN,
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

/**
 * Noise IKpsk2 message 1, `-> e, es, s, ss, {payload}`, as bytes e (32) ‖ enc(s) (48) ‖
 * enc(payload) (len + 16); with `prologue` = IDENTIFIER this is WireGuard's, and with any other
 * prologue and payload it is the Noise framework's (test/unit/crypto-noise-vectors.test.ts).
 * Null if a DH fails (low-order key).
 */
export function writeNoiseInitiation (local: StaticKeyPair, remoteStatic: Buffer, ephemeral: StaticKeyPair,
  payload: Uint8Array, prologue?: Uint8Array): { bytes: Buffer, hash: Buffer, chainKey: Buffer } | null {
  let h = hash(initialHash(prologue), remoteStatic)
  let ck: Buffer = INITIAL_CHAIN_KEY
  h = hash(h, ephemeral.publicKey)
  ck = kdf1(ck, ephemeral.publicKey)
  const es = dh(ephemeral, remoteStatic)
  if (es === null) return null
  let key: Buffer
  ;[ck, key] = kdf2(ck, es)
  const encStatic = aeadSeal(key, 0, local.publicKey, h)
  h = hash(h, encStatic)
  const ss = dh(local, remoteStatic)
  if (ss === null) return null
  ;[ck, key] = kdf2(ck, ss)
  const encPayload = aeadSeal(key, 0, payload, h)
  h = hash(h, encPayload)
  return { bytes: Buffer.concat([ephemeral.publicKey, encStatic, encPayload]), hash: h, chainKey: ck }
}

/** Reads Noise IKpsk2 message 1 (the bytes writeNoiseInitiation makes). Null if it does not authenticate. */
export function readNoiseInitiation (local: StaticKeyPair, bytes: Buffer, prologue?: Uint8Array): {
  remoteStatic: Buffer, remoteEphemeral: Buffer, payload: Buffer, hash: Buffer, chainKey: Buffer
} | null {
  if (bytes.length < KEY_LEN + KEY_LEN + 2 * TAG_LEN) return null
  const ephemeral = Buffer.from(bytes.subarray(0, KEY_LEN))
  let h = hash(initialHash(prologue), local.publicKey)
  h = hash(h, ephemeral)
  let ck = kdf1(INITIAL_CHAIN_KEY, ephemeral)
  const es = dh(local, ephemeral)
  if (es === null) return null
  let key: Buffer
  ;[ck, key] = kdf2(ck, es)
  const encStatic = bytes.subarray(KEY_LEN, 2 * KEY_LEN + TAG_LEN)
  const remoteStatic = aeadOpen(key, 0, encStatic, h)
  if (remoteStatic === null || remoteStatic.length !== KEY_LEN) return null
  h = hash(h, encStatic)
  const ss = dh(local, remoteStatic)
  if (ss === null) return null
  ;[ck, key] = kdf2(ck, ss)
  const encPayload = bytes.subarray(2 * KEY_LEN + TAG_LEN)
  const payload = aeadOpen(key, 0, encPayload, h)
  if (payload === null) return null
  h = hash(h, encPayload)
  return { remoteStatic, remoteEphemeral: ephemeral, payload, hash: h, chainKey: ck }
}

/**
 * Noise IKpsk2 message 2, `<- e, ee, se, psk, {payload}`, as bytes e (32) ‖ enc(payload)
 * (len + 16), after message 1 left `hash` and `chainKey`. Returns the responder's transport
 * keys (Noise Split) and the handshake hash.
 */
export function writeNoiseResponse (init: Pick<ConsumedInitiation, 'hash' | 'chainKey' | 'remoteEphemeral' |
'remoteStatic'>, ephemeral: StaticKeyPair, psk: Uint8Array, payload: Uint8Array):
  { bytes: Buffer, keys: SessionKeys, hash: Buffer } | null {
  let h = hash(init.hash, ephemeral.publicKey)
  let ck = kdf1(init.chainKey, ephemeral.publicKey)
  const ee = dh(ephemeral, init.remoteEphemeral)
  const se = dh(ephemeral, init.remoteStatic)
  if (ee === null || se === null) return null
  ck = kdf1(ck, ee)
  ck = kdf1(ck, se)
  const [ck2, tau, key] = kdf3(ck, psk)
  h = hash(h, tau)
  const encPayload = aeadSeal(key, 0, payload, h)
  h = hash(h, encPayload)
  const [initiatorSend, responderSend] = kdf2(ck2, EMPTY)
  return {
    bytes: Buffer.concat([ephemeral.publicKey, encPayload]),
    keys: { sendKey: responderSend, recvKey: initiatorSend },
    hash: h,
  }
}

/**
 * Reads Noise IKpsk2 message 2 as the initiator, trying each psk in order (each try is one KDF
 * and one AEAD open). Null if none authenticates; else the initiator's keys, the payload, the
 * psk's position and the handshake hash.
 */
export function readNoiseResponse (local: StaticKeyPair, state: Pick<InitiatorState, 'hash' | 'chainKey' |
'ephemeral'>, bytes: Buffer, psks: readonly Uint8Array[]):
  { keys: SessionKeys, payload: Buffer, pskIndex: number, hash: Buffer } | null {
  if (bytes.length < KEY_LEN + TAG_LEN) return null
  const ephemeral = bytes.subarray(0, KEY_LEN)
  const h = hash(state.hash, ephemeral)
  let ck = kdf1(state.chainKey, ephemeral)
  const ee = dh(state.ephemeral, ephemeral)
  const se = dh(local, ephemeral)
  if (ee === null || se === null) return null
  ck = kdf1(ck, ee)
  ck = kdf1(ck, se)
  const encPayload = bytes.subarray(KEY_LEN)
  for (let i = 0; i < psks.length; i++) {
    const [ck2, tau, key] = kdf3(ck, psks[i])
    const h2 = hash(h, tau)
    const payload = aeadOpen(key, 0, encPayload, h2)
    if (payload === null) continue
    const [initiatorSend, responderSend] = kdf2(ck2, EMPTY)
    const keys = { sendKey: initiatorSend, recvKey: responderSend }
    return { keys, payload, pskIndex: i, hash: hash(h2, encPayload) }
  }
  return null
}

/** Builds an initiation to `remoteStatic` (macs zero). Null if the DH fails (low-order key). */
export function createInitiation (local: StaticKeyPair, remoteStatic: Buffer, localIndex: number,
  nowMs: number, ephemeral: StaticKeyPair = generateKeyPair()): { message: Buffer, state: InitiatorState } | null {
  const noise = writeNoiseInitiation(local, remoteStatic, ephemeral, tai64n(nowMs))
  if (noise === null) return null
  const msg = Buffer.alloc(INITIATION_LEN)
  msg[0] = MSG_INITIATION
  msg.writeUInt32LE(localIndex >>> 0, 4)
  noise.bytes.copy(msg, 8)
  return {
    message: msg,
    state: { localIndex: localIndex >>> 0, ephemeral, hash: noise.hash, chainKey: noise.chainKey, remoteStatic },
  }
}

/** Decrypts an initiation addressed to `local`. Null if it does not authenticate. */
export function consumeInitiation (local: StaticKeyPair, msg: Uint8Array): ConsumedInitiation | null {
  if (msg.length !== INITIATION_LEN || msg[0] !== MSG_INITIATION) return null
  const m = Buffer.from(msg.buffer, msg.byteOffset, msg.length)
  const noise = readNoiseInitiation(local, m.subarray(8, 116))
  if (noise === null || noise.payload.length !== TAI64N_LEN) return null
  return {
    remoteStatic: noise.remoteStatic,
    remoteIndex: m.readUInt32LE(4),
    remoteEphemeral: noise.remoteEphemeral,
    timestamp: noise.payload,
    hash: noise.hash,
    chainKey: noise.chainKey,
  }
}

/** Builds the response to a consumed initiation, mixing `psk`; returns the responder's keys. */
export function createResponse (init: ConsumedInitiation, localIndex: number, psk: Buffer,
  ephemeral: StaticKeyPair = generateKeyPair()): { message: Buffer, keys: SessionKeys } | null {
  const noise = writeNoiseResponse(init, ephemeral, psk, EMPTY)
  if (noise === null) return null
  const msg = Buffer.alloc(RESPONSE_LEN)
  msg[0] = MSG_RESPONSE
  msg.writeUInt32LE(localIndex >>> 0, 4)
  msg.writeUInt32LE(init.remoteIndex >>> 0, 8)
  noise.bytes.copy(msg, 12)
  return { message: msg, keys: noise.keys }
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
  const noise = readNoiseResponse(local, state, m.subarray(12, 60), psks)
  if (noise === null || noise.payload.length !== 0) return null
  return { keys: noise.keys, remoteIndex: m.readUInt32LE(4), pskIndex: noise.pskIndex }
}

/** Noise's h after the prologue: HASH(HASH(protocol name) ‖ prologue); WireGuard's prologue is IDENTIFIER. */
function initialHash (prologue: Uint8Array | undefined): Buffer {
  return prologue === undefined ? INITIAL_HASH : hash(INITIAL_CHAIN_KEY, prologue)
}
