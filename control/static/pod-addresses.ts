/**
 * Pod addresses for CNI attachments, in static mode: the node's pod CIDR comes from the config
 * file (`peers`), so every address handed out here is purely local.
 *
 * `PodAddressManager` is the interface the agent's CNI endpoints use; the gossip IPAM (blocks
 * claimed across the cluster) implements the same interface when it is wired in.
 *
 * Rules (the same as the gossip IPAM's): an attachment is the pair (containerID, ifname);
 * allocating for an attachment that already has an address returns it (a retried ADD);
 * releasing an unknown attachment succeeds (a repeated DEL). Every change is persisted with
 * FileStateStore (temp + fsync + rename + dir fsync) *before* it is reported, so after kill -9
 * nothing reported is lost and nothing is handed out twice. In loomd the store is a
 * GroupCommitStore (../node/group-commit.ts): concurrent allocations and releases share one
 * write; `allocate`'s promise, and `durable()` after a release, resolve only once that write is
 * on disk.
 */
import { hostVethName } from '../../lib'
import {
  attachmentKey, AllocatorDurable, AllocatorReuseDurable, DEFAULT_QUARANTINE_MS, IpamAllocator, IpamExhaustedError,
  makeBlockLayout,
} from '../ipam'
import { StateStore } from '../node'
import type { AttachmentId, AttachmentMeta, AttachmentRecord, PodAddressManager } from '../types'
import { isGroupCommit, notDurable } from '../node'

/** What the state file holds. */
export interface StaticPodAddressesDurable {
  readonly version: 1
  readonly podCIDR: string
  readonly allocations: AllocatorDurable
  readonly meta: Readonly<Record<string, AttachmentMeta & AttachmentId>>
  /** Next-fit cursor and quarantined addresses (absent in files of older versions). */
  readonly reuse?: AllocatorReuseDurable
}

export interface StaticPodAddressesInit {
  /** A released address is not handed out again for this long, ms; default 30000. */
  readonly quarantineMs?: number
  /** Wall-clock ms; default Date.now. */
  readonly clock?: () => number
}

export class StaticPodAddresses implements PodAddressManager {
  private readonly allocator: IpamAllocator
  private readonly meta = new Map<string, AttachmentMeta & AttachmentId>()

  constructor (private readonly store: StateStore<StaticPodAddressesDurable>, private readonly podCIDR: string,
    init: StaticPodAddressesInit = {}) {
    const prefix = Number(podCIDR.split('/')[1])
    // One block = the whole pod CIDR. Its offset 0 is the node's overlay address (loom0) and is
    // never handed out, nor is the last (IpamAllocator treats them as network and broadcast).
    const layout = makeBlockLayout(podCIDR, prefix)
    const saved = store.load()
    if (saved !== null && saved.podCIDR !== podCIDR) {
      throw new Error(`state was written for pod CIDR ${saved.podCIDR} but the config now gives this node ${podCIDR}; ` +
        'move the state file away only if no pod still uses an address from the old range')
    }
    this.allocator = new IpamAllocator(layout, saved?.allocations ?? null, saved?.reuse ?? null,
      { quarantineMs: init.quarantineMs ?? DEFAULT_QUARANTINE_MS, clock: init.clock ?? Date.now })
    for (const [key, m] of Object.entries(saved?.meta ?? {})) this.meta.set(key, m)
  }

  ready (): boolean {
    return true
  }

  allocate (id: AttachmentId, meta: AttachmentMeta): AttachmentRecord | Promise<AttachmentRecord> {
    const key = attachmentKey({ containerId: id.containerID, ifname: id.ifname })
    const existing = this.allocator.get(key)
    if (existing !== undefined) {
      const rec = this.record(key, existing.address)
      return isGroupCommit(this.store)
        ? this.store.flushed().then(() => rec,
          (err: unknown) => { throw notDurable(err) })
        : rec
    }
    const a = this.allocator.allocate(key, [0])
    if (a === null) {
      const q = this.allocator.quarantinedIn(0)
      throw new IpamExhaustedError(`no free address left in this node's pod CIDR ${this.podCIDR}` +
        (q > 0 ? ` (${q} released a moment ago are in quarantine and free again within ${DEFAULT_QUARANTINE_MS / 1000} s)` : ''))
    }
    this.meta.set(key, { containerID: id.containerID, ifname: id.ifname, ...meta })
    const rec = this.record(key, a.address)
    if (!isGroupCommit(this.store)) {
      this.persist()
      return rec
    }
    // Reported only once a write holding it is on disk; if that write fails, undone in memory.
    return this.store.commit(() => this.document()).then(() => rec, (err: unknown) => {
      if (this.allocator.get(key)?.address === a.address) {
        this.allocator.release(key)
        this.meta.delete(key)
      }
      throw notDurable(err)
    })
  }

  release (id: AttachmentId): AttachmentRecord | null {
    const key = attachmentKey({ containerId: id.containerID, ifname: id.ifname })
    const a = this.allocator.get(key)
    if (a === undefined) return null
    const rec = this.record(key, a.address)
    this.allocator.release(key)
    this.meta.delete(key)
    this.persistOrCommit()
    return rec
  }

  /**
   * Settles once every change so far (allocations and releases) is on disk; rejects if the write
   * holding one failed. DEL and GC await it before they report success.
   */
  durable (): Promise<void> {
    if (!isGroupCommit(this.store)) return Promise.resolve()
    return this.store.flushed().catch((err: unknown) => { throw notDurable(err) })
  }

  get (id: AttachmentId): AttachmentRecord | undefined {
    const key = attachmentKey({ containerId: id.containerID, ifname: id.ifname })
    const a = this.allocator.get(key)
    return a === undefined ? undefined : this.record(key, a.address)
  }

  list (): AttachmentRecord[] {
    return [...this.allocator.entries()].map((a) => this.record(a.key, a.address))
  }

  /** Addresses in use and still free, for status and metrics. */
  usage (): { used: number; free: number } {
    return { used: this.allocator.usedIn(0), free: this.allocator.freeIn(0) }
  }

  private record (key: string, address: string): AttachmentRecord {
    const m = this.meta.get(key)
    const slash = key.lastIndexOf('/')
    const id = m ?? { containerID: key.slice(0, slash), ifname: key.slice(slash + 1) }
    return {
      ...m, containerID: id.containerID, ifname: id.ifname, address, hostVeth: hostVethName(id.containerID, id.ifname)
    }
  }

  private persist (): void {
    this.store.save(this.document())
  }

  /**
   * A release joins the next group write (concurrent DELs share one fsync, like ADDs); callers
   * await durable() before reporting it. A failed write leaves the release made in memory: the
   * address stays quarantined and unused, the next write carries it, and a retried DEL's
   * durable() writes again (../node/group-commit.ts `flushed`).
   */
  private persistOrCommit (): void {
    if (!isGroupCommit(this.store)) {
      this.persist()
      return
    }
    this.store.commit(() => this.document()).catch(() => { /* durable() reports it */ })
  }

  private document (): StaticPodAddressesDurable {
    const meta: Record<string, AttachmentMeta & AttachmentId> = {}
    for (const [k, v] of this.meta) meta[k] = v
    return {
      version: 1,
      podCIDR: this.podCIDR,
      allocations: this.allocator.durable(),
      meta,
      reuse: this.allocator.reuseDurable()
    }
  }
}

/** Validates a parsed state file (FileStateStore's `validate`). */
export function validateStaticPodAddresses (raw: unknown): StaticPodAddressesDurable {
  const r = raw as Partial<StaticPodAddressesDurable> | null
  if (r === null || typeof r !== 'object' || r.version !== 1) throw new Error('expected {"version":1,...}')
  if (typeof r.podCIDR !== 'string') throw new Error('podCIDR missing')
  if (!Array.isArray(r.allocations)) throw new Error('allocations is not a list')
  if (r.meta === null || typeof r.meta !== 'object') throw new Error('meta is not an object')
  if (r.reuse !== undefined &&
    (r.reuse === null || typeof r.reuse !== 'object')) throw new Error('reuse is not an object')
  return r as StaticPodAddressesDurable
}
