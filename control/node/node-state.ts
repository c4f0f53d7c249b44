/**
 * Per-node application state over gossip: each node publishes small values under topics (the
 * multicast groups with local members; the local pod attachments of the files policy source),
 * and every node learns every live node's values.
 *
 * - `publishLocal(topic, bytes)`: replace this node's value; the change rides on the next gossip
 *   packets at once (piggybacked deltas, each sent retransmitMult·ceil(log10(n+1)) times like a
 *   membership rumour) and in every push-pull (full state), so a lost delta is repaired within a
 *   push-pull interval. A value larger than the UDP budget travels only by push-pull.
 * - Versions: (generation, seq) per node and topic. generation = the node's membership
 *   incarnation at start (persisted and raised on every restart), seq counts publishes in that
 *   life. Newer wins; an entry from a newer generation of a node also drops that node's entries
 *   of older generations (a restarted node starts clean: publish every topic at start).
 * - Death: `noteMemberState(id, 'dead' | 'left')` drops the node's entries (listeners get
 *   `undefined`) and ignores entries about it until it is alive again; then its values come back
 *   through push-pull or its own re-announcement (`reannounce()` after a refutation).
 * - Bounds: topic names [a-z0-9-]{1,64}, values ≤ maxValueBytes (32 KiB) or a topic's own limit
 *   and validator (`defineTopic`), ≤ maxTopicsPerNode (16) topics per node, full state ≤ 1 MiB
 *   (own entries first). Bad input is counted, never thrown.
 *
 * - Trust (with `components.signing`): entries are relayed, so the sender of a frame says nothing
 *   about who wrote an entry. Each node signs its own entries (node ID, name, topic, generation,
 *   seq, value: node-state-codec.ts nodeStatePayload) with its member signing key
 *   (../membership/member-signing.ts, the key its member records are signed with); relays forward
 *   the signature unchanged, and a receiver checks it against the key membership pinned for that
 *   node ID. So a member holding the cluster secret cannot change another node's values (attract
 *   its multicast traffic, plant pods in its name for the files policy source), nor replay one
 *   of its older values under a higher seq. Only an entry that would be taken (newer than the one
 *   held, of a live node, within bounds) is verified, so push-pulls of known entries cost no
 *   signature check. Refused: no signature (`entriesUnsigned`), a wrong one (`entriesBadSignature`),
 *   a node with no pinned key yet (`entriesKeyUnknown`: its record has not reached us; the entry
 *   comes again with a later push-pull, after the record). Our own entries echoed back are
 *   checked too, so a forged one cannot push our seq or generation up.
 *   Without `signing` (protocol tests; loomd's gossip mode always signs, and static mode has no
 *   gossip) entries are neither signed nor checked and any member could forge another's value.
 *
 * Pure: no timers or I/O; membership calls deltasToPiggyback/fullState/receive (GossipAppState),
 * the agent feeds member states.
 */
import { retransmitLimit, type AppStateMessage, type GossipAppState } from '../membership'
import type { MemberState } from '../transport'
import {
  DEFAULT_NODE_STATE_LIMITS, decodeNodeState, encodedEntrySize, encodeNodeStateDelta, encodeNodeStateFull, isValidTopic,
  nodeStatePayload, type NodeStateEntry, type NodeStateLimits,
} from './node-state-codec'

export type NodeStateListener = (nodeId: string, nodeName: string, topic: string, value: Uint8Array | undefined) => void

export interface NodeStateComponents {
  /** Live members including self (for the retransmit count). */
  clusterSize: () => number
  /** Sign our entries and check others' (see the header, "Trust"); absent: neither. */
  signing?: NodeStateSigning
}

/**
 * What the channel needs of the node's member signing key and of membership's pinned keys,
 * without importing membership (gossip-mode.ts wires RecordSigner, RecordVerifier and
 * Membership.signingKeyOf).
 */
export interface NodeStateSigning {
  /** This node's signature over `payload` (64 bytes). */
  sign: (payload: Uint8Array) => Uint8Array
  /** The signing key pinned for `nodeId` (self included); undefined while its record is unknown. */
  pinnedKey: (nodeId: string) => Uint8Array | undefined
  /** True when `signature` is `signingKey`'s over `payload`. */
  verify: (signingKey: Uint8Array, payload: Uint8Array, signature: Uint8Array) => boolean
}

export interface NodeStateInit {
  selfId: string
  selfName: string
  /** This life's generation: the membership incarnation at start. */
  generation: number
  limits?: Partial<NodeStateLimits>
  maxTopicsPerNode?: number
  retransmitMult?: number
}

export interface TopicSpec {
  /** Bytes of a value under this topic (≤ the channel's maxValueBytes). */
  maxBytes: number
  /** Extra check of a received value; false = rejected and counted. */
  validate?: (value: Uint8Array) => boolean
}

export interface NodeStateCounters {
  entriesAccepted: number
  entriesStale: number
  entriesRejected: number
  entriesOfDeadNodes: number
  decodeFailures: number
  deltasSent: number
  /** With signing: entries refused with no signature, a wrong one, or no pinned key for their node yet. */
  entriesUnsigned: number
  entriesBadSignature: number
  entriesKeyUnknown: number
}

export interface NodeStateView {
  nodeId: string
  nodeName: string
  value: Uint8Array
  generation: number
  seq: number
}

interface Queued { entry: NodeStateEntry, bytes: Uint8Array, transmits: number, order: number }

const newer = (a: NodeStateEntry, b: NodeStateEntry): boolean => a.generation > b.generation ||
(a.generation === b.generation && a.seq > b.seq)
const key = (nodeId: string, topic: string): string => `${nodeId}/${topic}`

export class NodeStateChannel implements GossipAppState {
  readonly counters: NodeStateCounters = {
    entriesAccepted: 0,
    entriesStale: 0,
    entriesRejected: 0,
    entriesOfDeadNodes: 0,
    decodeFailures: 0,
    deltasSent: 0,
    entriesUnsigned: 0,
    entriesBadSignature: 0,
    entriesKeyUnknown: 0,
  }

  private readonly limits: NodeStateLimits
  private readonly maxTopicsPerNode: number
  private readonly retransmitMult: number
  /** nodeId → topic → entry. */
  private readonly nodes = new Map<string, Map<string, NodeStateEntry>>()
  private readonly dead = new Set<string>()
  private readonly topics = new Map<string, TopicSpec>()
  private readonly listeners: NodeStateListener[] = []
  private readonly queue = new Map<string, Queued>()
  private order = 0
  private seq = 0
  private generation: number
  /** Rotates which remote entries fill the capped full state first. */
  private fullRotation = 0

  constructor (private readonly c: NodeStateComponents, private readonly init: NodeStateInit) {
    this.limits = { ...DEFAULT_NODE_STATE_LIMITS, ...init.limits }
    this.maxTopicsPerNode = init.maxTopicsPerNode ?? 16
    this.retransmitMult = init.retransmitMult ?? 4
    this.generation = init.generation
  }

  /** Bound a topic's values and validate them on receipt (unknown topics use the channel's limit). */
  defineTopic (topic: string, spec: TopicSpec): void {
    if (!isValidTopic(topic)) throw new Error(`node-state topic ${JSON.stringify(topic)} is not [a-z0-9-]{1,64}`)
    this.topics.set(topic, spec)
  }

  /** Replace this node's value under `topic`; gossiped at once. */
  publishLocal (topic: string, value: Uint8Array): void {
    if (!isValidTopic(topic)) throw new Error(`node-state topic ${JSON.stringify(topic)} is not [a-z0-9-]{1,64}`)
    const max = Math.min(this.topics.get(topic)?.maxBytes ?? Infinity, this.limits.maxValueBytes)
    if (value.length > max) throw new Error(`node-state value for ${topic} is ${value.length} bytes, max ${max}`)
    const own = this.nodes.get(this.init.selfId)
    if ((own?.size ?? 0) >= this.maxTopicsPerNode &&
      own?.has(topic) !== true) throw new Error(`node-state: more than ${this.maxTopicsPerNode} topics`)
    const entry: NodeStateEntry = {
      nodeId: this.init.selfId,
      nodeName: this.init.selfName,
      topic,
      generation: this.generation,
      seq: ++this.seq,
      value: Uint8Array.prototype.slice.call(value),
    }
    if (this.c.signing !== undefined) entry.signature = this.c.signing.sign(nodeStatePayload(entry))
    this.store(entry)
    this.enqueue(entry)
  }

  /** Listen to every change of any node's value (self included); `undefined` = gone. Returns an unsubscribe. */
  onChange (listener: NodeStateListener): () => void {
    this.listeners.push(listener)
    return () => { const i = this.listeners.indexOf(listener); if (i >= 0) this.listeners.splice(i, 1) }
  }

  /** Every known node's value under `topic` (self included). */
  snapshot (topic: string): NodeStateView[] {
    const out: NodeStateView[] = []
    for (const topics of this.nodes.values()) {
      const e = topics.get(topic)
      if (e !== undefined) {
        out.push({
          nodeId: e.nodeId, nodeName: e.nodeName, value: e.value, generation: e.generation, seq: e.seq
        })
      }
    }
    return out
  }

  /** Feed membership changes: dead/left drops the node's entries; alive lets them back in. */
  noteMemberState (nodeId: string, state: MemberState): void {
    if (nodeId === this.init.selfId) return
    if (state === 'dead' || state === 'left') {
      this.dead.add(nodeId)
      const topics = this.nodes.get(nodeId)
      this.nodes.delete(nodeId)
      for (const [k, q] of this.queue) if (q.entry.nodeId === nodeId) this.queue.delete(k)
      if (topics !== undefined) for (const e of topics.values()) this.emit(e.nodeId, e.nodeName, e.topic, undefined)
    } else if (state === 'alive') {
      this.dead.delete(nodeId)
    }
  }

  /** Gossip our own entries again (after a refutation: others may have dropped them as dead). */
  reannounce (): void {
    for (const e of this.nodes.get(this.init.selfId)?.values() ?? []) this.enqueue(e)
  }

  // ---- GossipAppState --------------------------------------------------------------------------

  deltasToPiggyback (budgetBytes: number): Uint8Array[] {
    if (this.queue.size === 0 || budgetBytes <= 0) return []
    const limit = retransmitLimit(this.retransmitMult, this.c.clusterSize())
    const sorted = [...this.queue.values()].sort((a, b) => a.transmits - b.transmits || b.order - a.order)
    const out: Uint8Array[] = []
    let used = 0
    for (const q of sorted) {
      // ~3 bytes of field tag and length around each delta in the envelope
      if (used + q.bytes.length + 3 > budgetBytes) continue
      used += q.bytes.length + 3
      out.push(q.bytes)
      this.counters.deltasSent++
      if (++q.transmits >= limit) this.queue.delete(key(q.entry.nodeId, q.entry.topic))
    }
    return out
  }

  fullState (): Uint8Array {
    const own = [...(this.nodes.get(this.init.selfId)?.values() ?? [])]
    const others: NodeStateEntry[] = []
    for (const [id, topics] of this.nodes) if (id !== this.init.selfId) for (const e of topics.values()) others.push(e)
    if (own.length === 0 && others.length === 0) return new Uint8Array(0)
    const start = others.length > 0 ? this.fullRotation++ % others.length : 0
    const picked: NodeStateEntry[] = []
    let size = 0
    const budget = this.limits.maxFullBytes
    for (let i = 0; i < own.length + others.length && picked.length < this.limits.maxEntries; i++) {
      const e = i < own.length ? own[i] : others[(start + i - own.length) % others.length]
      const s = encodedEntrySize(e)
      if (size + s > budget) continue
      size += s
      picked.push(e)
    }
    return encodeNodeStateFull(picked)
  }

  receive (msg: AppStateMessage): void {
    const bufs = msg.type === 'deltas' ? msg.deltas : [msg.state]
    for (const buf of bufs) {
      const d = decodeNodeState(buf, this.limits)
      if (d.type === 'failure') { this.counters.decodeFailures++; continue }
      if (d.type === 'delta') this.accept(d.entry, true)
      else {
        this.counters.entriesRejected += d.rejected
        for (const e of d.entries) this.accept(e, false)
      }
    }
  }

  // ---- internals -------------------------------------------------------------------------------

  private accept (e: NodeStateEntry, regossip: boolean): void {
    if (e.nodeId === this.init.selfId) {
      // Our own value as others hold it. Newer than ours can only be a previous life's echo (a
      // restart within one incarnation cannot happen: it is persisted) or, without signing, a
      // forgery: publish ours again above it so it wins back everywhere. With signing a forgery
      // fails the check and changes nothing here (nor anywhere else).
      const mine = this.nodes.get(e.nodeId)?.get(e.topic)
      if (mine !== undefined && newer(e, mine) && this.signedByItsNode(e)) {
        this.counters.entriesStale++
        this.generation = Math.max(this.generation, e.generation)
        this.seq = Math.max(this.seq, e.generation === this.generation ? e.seq : 0)
        this.publishLocal(mine.topic, mine.value)
      }
      return
    }
    if (this.dead.has(e.nodeId)) { this.counters.entriesOfDeadNodes++; return }
    const spec = this.topics.get(e.topic)
    if (spec !== undefined &&
      (e.value.length > spec.maxBytes || (spec.validate !== undefined && !spec.validate(e.value)))) {
      this.counters.entriesRejected++
      return
    }
    const topics = this.nodes.get(e.nodeId)
    const cur = topics?.get(e.topic)
    if (cur !== undefined && !newer(e, cur)) {
      this.counters.entriesStale++
      return
    }
    if (topics !== undefined) {
      let maxGen = 0
      for (const t of topics.values()) maxGen = Math.max(maxGen, t.generation)
      if (e.generation < maxGen) { this.counters.entriesStale++; return }
      if (cur === undefined && topics.size >= this.maxTopicsPerNode && e.generation === maxGen) {
        this.counters.entriesRejected++; return
      }
    }
    // Last, so that only an entry we would take costs a signature check.
    if (!this.signedByItsNode(e)) return
    this.counters.entriesAccepted++
    this.store(e)
    if (regossip) this.enqueue(e)
  }

  /** True without signing, or when `e` carries its node's signature under the pinned key; else counted. */
  private signedByItsNode (e: NodeStateEntry): boolean {
    const signing = this.c.signing
    if (signing === undefined) return true
    if (e.signature === undefined) { this.counters.entriesUnsigned++; return false }
    const key = signing.pinnedKey(e.nodeId)
    if (key === undefined) { this.counters.entriesKeyUnknown++; return false }
    if (!signing.verify(key, nodeStatePayload(e), e.signature)) { this.counters.entriesBadSignature++; return false }
    return true
  }

  private store (e: NodeStateEntry): void {
    let topics = this.nodes.get(e.nodeId)
    if (topics === undefined) { topics = new Map(); this.nodes.set(e.nodeId, topics) }
    // A newer life of the node: its previous life's other topics are gone.
    const old: NodeStateEntry[] = []
    for (const t of topics.values()) if (t.generation < e.generation && t.topic !== e.topic) old.push(t)
    for (const t of old) { topics.delete(t.topic); this.queue.delete(key(t.nodeId, t.topic)) }
    topics.set(e.topic, e)
    for (const t of old) this.emit(t.nodeId, t.nodeName, t.topic, undefined)
    this.emit(e.nodeId, e.nodeName, e.topic, e.value)
  }

  private enqueue (e: NodeStateEntry): void {
    this.queue.set(key(e.nodeId, e.topic),
      { entry: e, bytes: encodeNodeStateDelta(e), transmits: 0, order: this.order++ })
  }

  private emit (nodeId: string, nodeName: string, topic: string, value: Uint8Array | undefined): void {
    for (const l of [...this.listeners]) l(nodeId, nodeName, topic, value)
  }
}
