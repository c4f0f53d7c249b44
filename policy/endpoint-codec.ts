/**
 * Wire form of a node's local pod attachments for the files policy source, as it travels in the
 * gossip per-node state (control/node/node-state.ts, topics `policy-pods-0` .. `policy-pods-7`).
 *
 * A node's attachments are split over SHARDS topics by a hash of "namespace/name", so a pod ADD
 * or DEL changes one small value, which fits a gossip packet's piggyback budget and reaches every
 * node within a few gossip rounds; one value for all of them would grow past that budget at ~40
 * pods and then travel only by push-pull (every 30 s), far beyond issue 12's 2 s.
 *
 * One shard's value:
 *
 *   0x01 (version) then entries until the end, each:
 *     IPv4 u32 BE | namespace length u8 | namespace | name length u8 | name
 *
 * Strict and canonical, so garbage is refused and two encodings of one set never differ:
 * namespace a DNS label (1-63, [a-z0-9-], alphanumeric at both ends), name a DNS subdomain
 * (1-253, [a-z0-9.-], alphanumeric at both ends; Kubernetes names pods so), entries strictly
 * increasing by (namespace, name, address), at most MAX_ENTRIES_PER_SHARD, value at most
 * MAX_SHARD_BYTES. Decoding never throws.
 */
import { formatIPv4Address, tryParseIPv4Address } from '../lib'

export const ENDPOINT_CODEC_VERSION = 0x01
export const SHARDS = 8
export const SHARD_TOPIC_PREFIX = 'policy-pods-'
/** Bytes of one shard's value (the node-state channel also caps every value at 32 KiB). */
export const MAX_SHARD_BYTES = 8 * 1024
/** Entries of one shard: 8 x 512 = 4 096 attachments a node at most (Kubernetes' default is 110). */
export const MAX_ENTRIES_PER_SHARD = 512
/**
 * A value this large still fits a gossip packet's piggyback (udpBufferSize 1 400 minus the packet,
 * the entry's node ID, name, versions and 64-byte signature); a larger one travels by push-pull.
 */
export const DELTA_FRIENDLY_BYTES = 900

const NS_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/

/** One published attachment: what the compiler needs of a remote pod. */
export interface PublishedEndpoint {
  readonly namespace: string
  readonly name: string
  readonly ip: string
}

export function shardTopic (shard: number): string {
  return `${SHARD_TOPIC_PREFIX}${shard}`
}

/** The shard of a topic name, or undefined when it is not one of ours. */
export function shardOfTopic (topic: string): number | undefined {
  if (!topic.startsWith(SHARD_TOPIC_PREFIX)) return undefined
  const rest = topic.slice(SHARD_TOPIC_PREFIX.length)
  if (!/^[0-9]$/.test(rest)) return undefined
  const n = Number(rest)
  return n < SHARDS ? n : undefined
}

/** FNV-1a of "namespace/name": which shard a pod's attachments go to (stable across versions). */
export function shardOf (namespace: string, name: string): number {
  let h = 0x811c9dc5
  const key = `${namespace}/${name}`
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h % SHARDS
}

/** True when the names are what Kubernetes allows (and so what this codec carries). */
export function publishableName (namespace: string, name: string): boolean {
  return namespace.length <= 63 && NS_RE.test(namespace) && name.length <= 253 && NAME_RE.test(name)
}

function compare (a: { namespace: string; name: string; ipU32: number },
  b: { namespace: string; name: string; ipU32: number }): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1
  if (a.name !== b.name) return a.name < b.name ? -1 : 1
  return a.ipU32 - b.ipU32
}

/**
 * Encodes one shard's endpoints in canonical order, leaving out duplicates and entries that are
 * not publishable. Keeps at most MAX_ENTRIES_PER_SHARD entries and MAX_SHARD_BYTES bytes (the
 * first in canonical order); `dropped` counts what did not fit or was not publishable.
 */
export function encodeShard (endpoints: readonly PublishedEndpoint[]): { value: Uint8Array; dropped: number } {
  let dropped = 0
  const rows: Array<{ namespace: string; name: string; ipU32: number }> = []
  for (const e of endpoints) {
    const ipU32 = tryParseIPv4Address(e.ip)
    if (ipU32 === undefined || !publishableName(e.namespace, e.name)) { dropped++; continue }
    rows.push({ namespace: e.namespace, name: e.name, ipU32 })
  }
  rows.sort(compare)
  const parts: Buffer[] = [Buffer.from([ENDPOINT_CODEC_VERSION])]
  let size = 1
  let kept = 0
  let prev: typeof rows[number] | undefined
  for (const r of rows) {
    if (prev !== undefined && compare(prev, r) === 0) continue // the same attachment twice
    const ns = Buffer.from(r.namespace, 'latin1')
    const name = Buffer.from(r.name, 'latin1')
    const entry = Buffer.allocUnsafe(4 + 1 + ns.length + 1 + name.length)
    entry.writeUInt32BE(r.ipU32 >>> 0, 0)
    entry[4] = ns.length
    ns.copy(entry, 5)
    entry[5 + ns.length] = name.length
    name.copy(entry, 6 + ns.length)
    if (kept >= MAX_ENTRIES_PER_SHARD || size + entry.length > MAX_SHARD_BYTES) { dropped++; continue }
    parts.push(entry)
    size += entry.length
    kept++
    prev = r
  }
  return { value: new Uint8Array(Buffer.concat(parts, size)), dropped }
}

/** Decodes one shard's value; undefined for anything not canonical (see the header). */
export function decodeShard (value: Uint8Array): PublishedEndpoint[] | undefined {
  if (value.length < 1 || value.length > MAX_SHARD_BYTES || value[0] !== ENDPOINT_CODEC_VERSION) return undefined
  const buf = Buffer.from(value.buffer, value.byteOffset, value.length)
  const out: PublishedEndpoint[] = []
  let prev: { namespace: string; name: string; ipU32: number } | undefined
  let at = 1
  while (at < buf.length) {
    if (out.length >= MAX_ENTRIES_PER_SHARD || at + 5 > buf.length) return undefined
    const ipU32 = buf.readUInt32BE(at)
    const nsLen = buf[at + 4]
    if (nsLen === 0 || nsLen > 63 || at + 5 + nsLen + 1 > buf.length) return undefined
    const namespace = buf.toString('latin1', at + 5, at + 5 + nsLen)
    const nameLen = buf[at + 5 + nsLen]
    const nameAt = at + 6 + nsLen
    if (nameLen === 0 || nameAt + nameLen > buf.length) return undefined
    const name = buf.toString('latin1', nameAt, nameAt + nameLen)
    if (!publishableName(namespace, name)) return undefined
    const row = { namespace, name, ipU32 }
    if (prev !== undefined && compare(prev, row) >= 0) return undefined
    prev = row
    out.push({ namespace, name, ip: formatIPv4Address(ipU32) })
    at = nameAt + nameLen
  }
  return out
}
