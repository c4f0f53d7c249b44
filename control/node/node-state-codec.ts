/**
 * Wire codec of the per-node state channel (control/proto/node-state.proto).
 *
 * A delta (one piggybacked app delta) and a full state (push-pull app_state) each start with a
 * 2-byte tag, so the bytes in GossipAppState's opaque slot say what they are:
 *
 *   'N' 0x01  Entry   (delta)
 *   'N' 0x02  Full    (full state)
 *
 * Pure and bounded (CONTRIBUTING.md §4): the byte size is checked before parsing, the entry count is
 * checked before entries are materialised, every field is validated (node ID 16 bytes, name and
 * topic lengths and alphabet, value size, signature 0 or 64 bytes). Decoding never throws: it
 * returns a typed failure.
 *
 * Signed entries (node-state.ts, "Trust"): `nodeStatePayload` is the byte string a node signs with
 * its member signing key: "loom node state v1" || node ID (16) || generation u32 || seq u32 ||
 * node name length u16 + UTF-8 || topic length u8 + ASCII || value length u32 + value. A fixed
 * layout, independent of protobuf's encoding choices, and a domain string of its own (the member
 * record's is "loom member record v1"), so neither signature can pass for the other.
 */
import { loom } from '../proto/messages'
import { SIGNATURE_LEN } from '../transport/gossip-codec'

import pb = loom.nodestate

export const NODE_STATE_TAG = 0x4e // 'N'
export const NODE_STATE_DELTA = 0x01
export const NODE_STATE_FULL = 0x02
const NODE_ID_LEN = 16
const MAX_NAME_LEN = 253
export const MAX_TOPIC_LEN = 64
const TOPIC_RE = /^[a-z0-9][a-z0-9-]*$/

/** One node's value under one topic, at a version. */
export interface NodeStateEntry {
  /** 32 lowercase hex characters (as membership's node IDs). */
  nodeId: string
  nodeName: string
  topic: string
  generation: number
  seq: number
  value: Uint8Array
  /** The publisher's Ed25519 signature over nodeStatePayload (64 bytes); absent where signing is off. */
  signature?: Uint8Array
}

export interface NodeStateLimits {
  /** Bytes of one entry's value. */
  maxValueBytes: number
  /** Entries in one full state. */
  maxEntries: number
  /** Bytes of one encoded full state (what fullState() fills up to). */
  maxFullBytes: number
}

export const DEFAULT_NODE_STATE_LIMITS: Readonly<NodeStateLimits> = Object.freeze({
  maxValueBytes: 32 * 1024,
  maxEntries: 20_000,
  maxFullBytes: 1024 * 1024,
})

export type NodeStateDecodeFailure = {
  type: 'failure', reason: 'too-large' | 'malformed' | 'bad-tag' | 'too-many-entries' | 'bad-entry', detail: string
}

export function isValidTopic (topic: string): boolean {
  return topic.length <= MAX_TOPIC_LEN && TOPIC_RE.test(topic)
}

const SIGNED_DOMAIN = Buffer.from('loom node state v1')

/** The bytes an entry's signature covers (see the header); the signature itself is not part of it. */
export function nodeStatePayload (e: NodeStateEntry): Buffer {
  const name = Buffer.from(e.nodeName, 'utf8')
  const topic = Buffer.from(e.topic, 'latin1')
  const out = Buffer.allocUnsafe(SIGNED_DOMAIN.length + NODE_ID_LEN + 4 + 4 + 2 + name.length + 1 + topic.length +
    4 + e.value.length)
  let at = SIGNED_DOMAIN.copy(out, 0)
  at += Buffer.from(e.nodeId, 'hex').copy(out, at)
  at = out.writeUInt32BE(e.generation >>> 0, at)
  at = out.writeUInt32BE(e.seq >>> 0, at)
  at = out.writeUInt16BE(name.length, at)
  at += name.copy(out, at)
  at = out.writeUInt8(topic.length, at)
  at += topic.copy(out, at)
  at = out.writeUInt32BE(e.value.length, at)
  out.set(e.value, at)
  return out
}

function entryToPb (e: NodeStateEntry): pb.IEntry {
  return {
    nodeId: Buffer.from(e.nodeId, 'hex'),
    nodeName: e.nodeName,
    topic: e.topic,
    generation: e.generation,
    seq: e.seq,
    value: e.value,
    ...(e.signature !== undefined ? { signature: e.signature } : {}),
  }
}

function withTag (kind: number, body: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(body.length + 2)
  out[0] = NODE_STATE_TAG
  out[1] = kind
  out.set(body, 2)
  return out
}

export function encodeNodeStateDelta (e: NodeStateEntry): Uint8Array {
  return withTag(NODE_STATE_DELTA, pb.Entry.encode(entryToPb(e)).finish())
}

/** Encoded size of one entry inside a Full message (field tag + length varint + body). */
export function encodedEntrySize (e: NodeStateEntry): number {
  const n = pb.Entry.encode(entryToPb(e)).finish().length
  return 1 + varintLen(n) + n
}

export function encodeNodeStateFull (entries: NodeStateEntry[]): Uint8Array {
  return withTag(NODE_STATE_FULL, pb.Full.encode({ entries: entries.map(entryToPb) }).finish())
}

function varintLen (n: number): number {
  let len = 1
  while (n >= 0x80) { n = Math.floor(n / 128); len++ }
  return len
}

function checkEntry (raw: pb.IEntry, limits: NodeStateLimits): NodeStateEntry | string {
  const id = raw.nodeId
  if (id === null || id === undefined || id.length !== NODE_ID_LEN) return 'node_id must be 16 bytes'
  const name = raw.nodeName ?? ''
  if (name.length === 0 ||
    name.length > MAX_NAME_LEN) return `node_name length ${name.length} not in 1..${MAX_NAME_LEN}`
  const topic = raw.topic ?? ''
  if (!isValidTopic(topic)) {
    return `topic ${JSON.stringify(topic.slice(0,
    MAX_TOPIC_LEN))} is not [a-z0-9-]{1,${MAX_TOPIC_LEN}}`
  }
  const value = raw.value ?? new Uint8Array(0)
  if (value.length > limits.maxValueBytes) return `value is ${value.length} bytes, max ${limits.maxValueBytes}`
  const generation = raw.generation ?? 0
  const seq = raw.seq ?? 0
  if (seq === 0) return 'seq must be > 0'
  const sig = raw.signature ?? new Uint8Array(0)
  if (sig.length !== 0 && sig.length !== SIGNATURE_LEN) {
    return `signature is ${sig.length} bytes, want ${SIGNATURE_LEN} or 0`
  }
  return {
    nodeId: Buffer.from(id).toString('hex'),
    nodeName: name,
    topic,
    generation,
    seq,
    value: Uint8Array.prototype.slice.call(value),
    ...(sig.length > 0 ? { signature: Uint8Array.prototype.slice.call(sig) } : {}),
  }
}

/** Count field-1 occurrences of a Full message without materialising it (bounded pre-scan). */
function countEntries (buf: Uint8Array): number | undefined {
  let pos = 0
  let n = 0
  while (pos < buf.length) {
    const [key, p1] = readVarint(buf, pos)
    if (p1 < 0) return undefined
    const wire = key & 7
    if (wire !== 2) return undefined
    const [len, p2] = readVarint(buf, p1)
    if (p2 < 0 || p2 + len > buf.length) return undefined
    if ((key >>> 3) === 1) n++
    pos = p2 + len
  }
  return n
}

function readVarint (buf: Uint8Array, pos: number): [number, number] {
  let v = 0
  let mul = 1
  for (let i = 0; i < 5; i++) {
    if (pos >= buf.length) return [0, -1]
    const b = buf[pos++]
    v += (b & 0x7f) * mul
    if ((b & 0x80) === 0) return [v, pos]
    mul *= 128
  }
  return [0, -1]
}

export type DecodedNodeState =
  | { type: 'delta', entry: NodeStateEntry }
  | { type: 'full', entries: NodeStateEntry[], rejected: number, firstError: string | undefined }

/**
 * Decode a delta or a full state. A malformed delta is one failure; in a full state a bad entry
 * is skipped and counted (`rejected`), so one hostile entry cannot hide the rest.
 */
export function decodeNodeState (buf: Uint8Array,
  limits: NodeStateLimits = DEFAULT_NODE_STATE_LIMITS): DecodedNodeState | NodeStateDecodeFailure {
  if (buf.length < 2 || buf[0] !== NODE_STATE_TAG) {
    return {
      type: 'failure', reason: 'bad-tag', detail: 'missing node-state tag'
    }
  }
  const body = buf.subarray(2)
  if (buf[1] === NODE_STATE_DELTA) {
    if (body.length > limits.maxValueBytes + 512) {
      return {
        type: 'failure', reason: 'too-large', detail: `delta is ${body.length} bytes`
      }
    }
    let raw: pb.Entry
    try {
      raw = pb.Entry.decode(body)
    } catch (err) { return { type: 'failure', reason: 'malformed', detail: (err as Error).message } }
    const e = checkEntry(raw, limits)
    if (typeof e === 'string') return { type: 'failure', reason: 'bad-entry', detail: e }
    return { type: 'delta', entry: e }
  }
  if (buf[1] === NODE_STATE_FULL) {
    if (body.length > limits.maxFullBytes) {
      return {
        type: 'failure', reason: 'too-large', detail: `full state is ${body.length} bytes, max ${limits.maxFullBytes}`
      }
    }
    const count = countEntries(body)
    if (count === undefined) {
      return {
        type: 'failure', reason: 'malformed', detail: 'full state is not a sequence of length-delimited fields'
      }
    }
    if (count > limits.maxEntries) {
      return {
        type: 'failure', reason: 'too-many-entries', detail: `${count} entries, max ${limits.maxEntries}`
      }
    }
    let raw: pb.Full
    try {
      raw = pb.Full.decode(body)
    } catch (err) { return { type: 'failure', reason: 'malformed', detail: (err as Error).message } }
    const entries: NodeStateEntry[] = []
    let rejected = 0
    let firstError: string | undefined
    for (const r of raw.entries) {
      const e = checkEntry(r, limits)
      if (typeof e === 'string') { rejected++; firstError ??= e; continue }
      entries.push(e)
    }
    return { type: 'full', entries, rejected, firstError }
  }
  return { type: 'failure', reason: 'bad-tag', detail: `unknown node-state kind ${buf[1]}` }
}
