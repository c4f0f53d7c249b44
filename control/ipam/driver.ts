/**
 * Binds the node's Ipam (ipam.ts: pure, clock-free) to the agent: the control plane drives it
 * through IpamDriver (ticks, frames, member changes, routes), and the CNI endpoints use it as a
 * PodAddressManager (attachments -> addresses). Time is the control plane's monotonic clock.
 *
 * Seeds: Ipam sends JOIN to any of `seeds` while it is not a member. Those are node IDs, which
 * only membership knows, so this class keeps the list it handed to Ipam filled with the IDs of
 * live gossip members (the array is shared by reference; Ipam reads it when it (re)sends JOIN).
 */
import { hostVethName } from '../../lib'
import { attachmentKey } from './allocator'
import type { AttachmentKey, BlockLayout } from './types'
import type { Ipam, IpamStatus } from './ipam'
import { decodeClaimMsg, encodeClaimMsg } from './codec'
import type { AttachmentId, AttachmentMeta, AttachmentRecord, IpamDriver, PodAddressManager } from '../types'
import type { IpamCounters } from '../stats'
import { notDurable } from '../node'
import type { PodMetaSection } from './pod-meta'

/** How long an ADD may wait for a block to be claimed before the CNI gets "try again" (11). */
const ALLOCATE_TIMEOUT_MS = 10_000
/** How often a waiting ADD tries again (allocateWait's default). */
const ALLOCATE_POLL_MS = 50

export interface IpamNodeCounters {
  decodeErrors: number
  /** Blocks of dead nodes this node reclaimed (the REMOVE slots it decided). */
  readonly reclaims: number
}

export class IpamNode implements IpamDriver, PodAddressManager {
  readonly counters: IpamNodeCounters
  private readonly meta = new Map<string, AttachmentMeta>()

  constructor (
    private readonly ipam: Ipam,
    private readonly layout: BlockLayout,
    private readonly clock: () => number,
    private readonly liveSeeds: string[],
    /**
     * How `allocate` waits between tries while a block is being claimed: default a real timer;
     * test/sim passes the control plane's virtual timers, so the CNI-facing path runs there too.
     */
    private readonly sleep?: (ms: number) => Promise<void>,
    /**
     * ipam.json's `podMeta` section (./pod-meta.ts), already loaded with the file: the pods'
     * identities survive a restart. Without it (unit tests, the sims) they live in memory.
     */
    podMeta?: PodMetaSection
  ) {
    const replica = ipam.replica
    this.counters = { decodeErrors: 0, get reclaims () { return replica.reclaimedBlocks } }
    for (const [key, m] of podMeta?.attach(this.meta) ?? []) {
      if (ipam.allocator.get(key) !== undefined) this.meta.set(key, m)
    }
  }

  /** Ipam's plain counter, bumped when its routes change. */
  get routesVersion (): number {
    return this.ipam.routesVersion
  }

  tick (now: number): void {
    this.ipam.tick(now)
  }

  receiveFrame (body: Uint8Array, fromNodeId: string, now: number): void {
    let msg
    try {
      msg = decodeClaimMsg(body, this.layout.blockCount)
    } catch {
      this.counters.decodeErrors++
      return
    }
    // The envelope names its sender; it must be the member whose address sent it.
    if (msg.from !== fromNodeId) { this.counters.decodeErrors++; return }
    this.ipam.receive(msg, now)
  }

  /** IPAM's counters for ControlStats: this driver's decode errors and the replica's outcomes. */
  stats (): IpamCounters {
    const r = this.ipam.replica
    return {
      decodeErrors: this.counters.decodeErrors,
      ignored: r.ignored,
      proposalsWon: r.proposalsWon,
      proposalsLost: r.proposalsLost,
      reclaims: r.reclaimedBlocks,
    }
  }

  /** IPAM messages refused by the trust checks (replica.ts), by reason, prefixed `ipam_`. */
  rejected (): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [k, v] of Object.entries(this.ipam.replica.rejected)) out[`ipam_${k}`] = v
    return out
  }

  takeOutbox (): Array<{ to: string; body: Uint8Array }> {
    return this.ipam.takeOutbox().map((o) => ({ to: o.to, body: encodeClaimMsg(o.msg) }))
  }

  onMemberChange (nodeId: string, state: 'alive' | 'suspect' | 'dead', now: number): void {
    const i = this.liveSeeds.indexOf(nodeId)
    if (state === 'dead' && i >= 0) this.liveSeeds.splice(i, 1)
    if (state !== 'dead' && i < 0) this.liveSeeds.push(nodeId)
    this.ipam.onMemberChange(nodeId, state, now)
  }

  routes (): Array<{ prefix: string; nodeId: string }> {
    return this.ipam.routes().map((r) => ({ prefix: r.prefix, nodeId: r.nodeId }))
  }

  /** `loom rmpeer`: start the forced reclaim of a node's blocks. Idempotent. */
  rmpeer (nodeId: string): void {
    this.ipam.rmpeer(nodeId, this.clock())
  }

  status (): IpamStatus {
    return this.ipam.status(this.clock())
  }

  ready (): boolean {
    const s = this.ipam.status(this.clock())
    return s.member && !s.removed
  }

  async allocate (id: AttachmentId, meta: AttachmentMeta): Promise<AttachmentRecord> {
    const key = toKey(id)
    const mkey = attachmentKey(key)
    const existed = this.ipam.allocator.get(mkey) !== undefined
    // Set before the allocation so the write that holds the address holds the identity too
    // (podMeta, written with every ipam.json); an ADD that fails forgets it again.
    const before = this.meta.get(mkey)
    this.meta.set(mkey, meta)
    const forget = (): void => {
      if (before !== undefined) this.meta.set(mkey, before)
      else this.meta.delete(mkey)
    }
    let a
    try {
      a = await this.ipam.allocateWait(key, this.clock, ALLOCATE_TIMEOUT_MS, ALLOCATE_POLL_MS, this.sleep)
    } catch (err) {
      forget()
      throw err
    }
    try {
      await this.ipam.durable() // reported only once on disk (group commit)
    } catch (err) {
      if (!existed && this.ipam.allocator.get(a.key)?.address === a.address) {
        try {
          this.ipam.release(key, this.clock())
        } catch { /* the disk is failing: the next write drops it, or a restart finds a leak, never a reuse */ }
      }
      forget()
      throw notDurable(err)
    }
    return this.record(id, a.address)
  }

  release (id: AttachmentId): AttachmentRecord | null {
    const a = this.ipam.release(toKey(id), this.clock())
    if (a === null) return null
    const rec = this.record(id, a.address)
    this.meta.delete(a.key)
    return rec
  }

  durable (): Promise<void> {
    return this.ipam.durable().catch((err: unknown) => { throw notDurable(err) })
  }

  get (id: AttachmentId): AttachmentRecord | undefined {
    const a = this.ipam.allocator.get(attachmentKey(toKey(id)))
    return a === undefined ? undefined : this.record(id, a.address)
  }

  list (): AttachmentRecord[] {
    return [...this.ipam.allocator.entries()].map((a) => this.record(idOf(a.key), a.address))
  }

  private record (id: AttachmentId, address: string): AttachmentRecord {
    return {
      ...this.meta.get(attachmentKey(toKey(id))),
      containerID: id.containerID,
      ifname: id.ifname,
      address,
      hostVeth: hostVethName(id.containerID, id.ifname)
    }
  }
}

/** Container IDs the agent uses for its own addresses (loom0's), never released by CNI GC. */
export const NODE_KEY_PREFIX = '_loom-node/'

function toKey (id: AttachmentId): AttachmentKey {
  return { containerId: id.containerID, ifname: id.ifname }
}

function idOf (key: string): AttachmentId {
  const slash = key.lastIndexOf('/')
  return { containerID: key.slice(0, slash), ifname: key.slice(slash + 1) }
}
