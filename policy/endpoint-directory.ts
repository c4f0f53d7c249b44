/**
 * EndpointDirectory: how, in `files` mode, a node learns the addresses of pods on other nodes
 * and tells them about its own (namespace, name, IP). In `kubernetes` mode the API server's Pod
 * status carries them and no directory is used.
 *
 * - `GossipEndpointDirectory` (gossip mode): each node publishes its local attachments in the
 *   gossip per-node state (control/node/node-state.ts; wire form in endpoint-codec.ts), and every
 *   node takes the other nodes' published attachments as the addresses of remote pods. The
 *   transport is reached through `NodeStateTopics`, so policy/ does not import control/.
 * - `StaticEndpointDirectory` (static mode, no gossip; tests): publishes nowhere, hears nothing;
 *   other nodes' pods get their addresses from Pod manifests' `status.podIPs` (files-source.ts).
 */
import type { Logger } from 'pino'
import { tryParseIPv4Address } from '../lib'
import {
  decodeShard, DELTA_FRIENDLY_BYTES, encodeShard, MAX_SHARD_BYTES, PublishedEndpoint, shardOf, shardOfTopic, SHARDS,
  shardTopic,
} from './endpoint-codec'
import type { RemoteEndpoint } from './model'

export interface EndpointDirectory {
  /** Replaces this node's published endpoints (called after every local ADD/DEL). */
  publish(local: readonly RemoteEndpoint[]): void
  /** Endpoints other nodes published, as last heard; never this node's own. */
  remote(): readonly RemoteEndpoint[]
  /** Fires when another node's endpoints changed. */
  onChange(listener: () => void): void
  /** Timers, if any (the engine calls them with its own start and stop). */
  start?(): void
  stop?(): void
  /** For `loom status policy --json`: who published what, and what was refused. */
  status?(): EndpointDirectoryStatus
}

export interface EndpointDirectoryStatus {
  nodes: Array<{ nodeName: string; endpoints: number; refused: number }>
  counters: GossipEndpointCounters
}

/** No transport: publishes nowhere, hears nothing. */
export class StaticEndpointDirectory implements EndpointDirectory {
  publish (): void {}
  remote (): readonly RemoteEndpoint[] { return [] }
  onChange (): void {}
}

/** What the directory needs of the gossip per-node state channel (NodeStateChannel has it). */
export interface NodeStateTopics {
  defineTopic(topic: string, spec: { maxBytes: number; validate?: (value: Uint8Array) => boolean }): void
  publishLocal(topic: string, value: Uint8Array): void
  onChange(listener: (nodeId: string, nodeName: string, topic: string, value: Uint8Array | undefined) => void):
  () => void
  snapshot(topic: string): ReadonlyArray<{ nodeId: string; nodeName: string; value: Uint8Array }>
}

export interface GossipEndpointDirectoryComponents {
  logger: Logger
  nodeState: NodeStateTopics
  /**
   * Does node `nodeId`, named `nodeName` in its signed entry, own the pod address `ipU32` now?
   * (In loomd: its member record has that name and the route table sends the address to it.)
   * The node-state signature proves who published an entry, not that the addresses in it are
   * the publisher's: without this check a member could put another node's pod address under
   * any pod name it likes and so into other nodes' peer sets.
   */
  owns: (nodeId: string, nodeName: string, ipU32: number) => boolean
  /** Changes whenever `owns` may answer differently (loomd: the route table object). */
  ownersVersion: () => unknown
}

export interface GossipEndpointDirectoryInit {
  selfId: string
  /** How often a change of `ownersVersion` is looked for, ms; default 500. */
  recheckMs?: number
}

export interface GossipEndpointCounters {
  /** Values of our topics that did not decode (the channel's topic check refuses them first). */
  valuesRejected: number
  /** Published addresses not owned by their publisher, held now (not in any peer set). */
  addressesRefused: number
  /** Local attachments the last publish left out (names Kubernetes would not allow, over the bounds). */
  publishDropped: number
  /** Shards of the last publish larger than a gossip packet carries (they travel by push-pull only). */
  shardsOverDeltaBudget: number
  /** Publishes the channel refused (it throws on its own bounds). */
  publishFailures: number
}

/**
 * Remote pods' addresses from gossip: each node's `policy-pods-<shard>` values, decoded, and only
 * the addresses the publisher owns. A pod name published by two nodes (a pod moved and the old
 * node has not deleted its attachment yet) keeps every owned address of both, deterministically
 * ordered: each address is one the publisher's IPAM holds for an attachment it says is that pod,
 * and no other pod can have it meanwhile. A node that dies or leaves loses its values in the
 * channel (noteMemberState), and so here.
 */
export class GossipEndpointDirectory implements EndpointDirectory {
  readonly counters: GossipEndpointCounters = {
    valuesRejected: 0, addressesRefused: 0, publishDropped: 0, shardsOverDeltaBudget: 0, publishFailures: 0,
  }

  /** nodeId -> shard -> decoded value, with the node name of the entry. */
  private readonly byNode = new Map<string, { nodeName: string; shards: Map<number, PublishedEndpoint[]> }>()
  private readonly listeners: Array<() => void> = []
  private readonly published: Array<string | undefined> = new Array<string | undefined>(SHARDS).fill(undefined)
  private cache?: { version: unknown; list: readonly RemoteEndpoint[]; key: string }
  private timer?: NodeJS.Timeout
  private unsubscribe?: () => void
  private warnedOversize = false

  constructor (private readonly c: GossipEndpointDirectoryComponents,
    private readonly init: GossipEndpointDirectoryInit) {
    for (let s = 0; s < SHARDS; s++) {
      c.nodeState.defineTopic(shardTopic(s),
        { maxBytes: MAX_SHARD_BYTES, validate: (v) => decodeShard(v) !== undefined })
    }
    this.unsubscribe = c.nodeState.onChange((nodeId, nodeName, topic, value) => {
      const shard = shardOfTopic(topic)
      if (shard === undefined || nodeId === init.selfId) return
      this.note(nodeId, nodeName, shard, value)
      this.changed()
    })
    for (let s = 0; s < SHARDS; s++) {
      for (const v of c.nodeState.snapshot(shardTopic(s))) {
        if (v.nodeId !== init.selfId) this.note(v.nodeId, v.nodeName, s, v.value)
      }
    }
  }

  start (): void {
    this.timer = setInterval(() => { this.recheck() }, this.init.recheckMs ?? 500)
    this.timer.unref()
  }

  stop (): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.unsubscribe?.()
  }

  publish (local: readonly RemoteEndpoint[]): void {
    const byShard: PublishedEndpoint[][] = Array.from({ length: SHARDS }, () => [])
    for (const e of local) byShard[shardOf(e.namespace, e.name)].push(e)
    let dropped = 0
    let over = 0
    for (let s = 0; s < SHARDS; s++) {
      const { value, dropped: d } = encodeShard(byShard[s])
      dropped += d
      if (value.length > DELTA_FRIENDLY_BYTES) over++
      const text = Buffer.from(value).toString('latin1')
      if (this.published[s] === text) continue // unchanged: no new version, no gossip
      try {
        this.c.nodeState.publishLocal(shardTopic(s), value)
        this.published[s] = text
      } catch (err) {
        this.counters.publishFailures++
        this.c.logger.error({ err: (err as Error).message, shard: s }, 'cannot publish local pods over gossip')
      }
    }
    if (dropped > 0 && dropped !== this.counters.publishDropped) {
      this.c.logger.warn({ dropped }, 'local pods left out of the gossip publication (names or bounds); ' +
        'other nodes do not see them in NetworkPolicy peer sets')
    }
    this.counters.publishDropped = dropped
    this.counters.shardsOverDeltaBudget = over
    if (over > 0 && !this.warnedOversize) {
      this.warnedOversize = true
      this.c.logger.warn({ shards: over }, 'local pods exceed a gossip packet per shard: changes reach other ' +
        'nodes by push-pull only (seconds to tens of seconds)')
    }
  }

  remote (): readonly RemoteEndpoint[] {
    return this.current().list
  }

  onChange (listener: () => void): void { this.listeners.push(listener) }

  status (): EndpointDirectoryStatus {
    this.current() // refreshes addressesRefused
    return { nodes: this.nodes(), counters: { ...this.counters } }
  }

  /** Who published what: per node, its owned and refused addresses. */
  nodes (): Array<{ nodeName: string; endpoints: number; refused: number }> {
    const out: Array<{ nodeName: string; endpoints: number; refused: number }> = []
    for (const [id, n] of [...this.byNode].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
      let endpoints = 0
      let refused = 0
      for (const list of n.shards.values()) {
        for (const e of list) {
          if (this.c.owns(id, n.nodeName, tryParseIPv4Address(e.ip) as number)) endpoints++
          else refused++
        }
      }
      out.push({ nodeName: n.nodeName, endpoints, refused })
    }
    return out
  }

  private note (nodeId: string, nodeName: string, shard: number, value: Uint8Array | undefined): void {
    let n = this.byNode.get(nodeId)
    if (value === undefined) {
      n?.shards.delete(shard)
      if (n !== undefined && n.shards.size === 0) this.byNode.delete(nodeId)
      return
    }
    const decoded = decodeShard(value)
    if (decoded === undefined) {
      // The channel's topic check refuses such a value before it is stored; a value that
      // reaches us anyway is dropped with the shard's previous one (fail closed).
      this.counters.valuesRejected++
      n?.shards.delete(shard)
      return
    }
    if (n === undefined || n.nodeName !== nodeName) {
      // A node's name is part of its signed entries; under a new name its values start clean.
      n = { nodeName, shards: new Map() }
      this.byNode.set(nodeId, n)
    }
    n.shards.set(shard, decoded)
  }

  private current (): { version: unknown; list: readonly RemoteEndpoint[]; key: string } {
    const version = this.c.ownersVersion()
    if (this.cache !== undefined && this.cache.version === version) return this.cache
    const list: RemoteEndpoint[] = []
    let refused = 0
    for (const [id, n] of [...this.byNode].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
      for (const s of [...n.shards.keys()].sort((a, b) => a - b)) {
        for (const e of n.shards.get(s) as PublishedEndpoint[]) {
          if (!this.c.owns(id, n.nodeName, tryParseIPv4Address(e.ip) as number)) { refused++; continue }
          list.push({ namespace: e.namespace, name: e.name, ip: e.ip, nodeName: n.nodeName })
        }
      }
    }
    this.counters.addressesRefused = refused
    const key = list.map((e) => `${e.nodeName} ${e.namespace}/${e.name} ${e.ip}`).join('\n')
    this.cache = { version, list, key }
    return this.cache
  }

  private changed (): void {
    this.cache = undefined
    for (const l of [...this.listeners]) l()
  }

  /** The owners may have changed (a block claimed, a node gone): tell the engine if that matters. */
  private recheck (): void {
    const before = this.cache
    if (before === undefined || before.version === this.c.ownersVersion()) return
    if (this.current().key !== before.key) for (const l of [...this.listeners]) l()
  }
}
