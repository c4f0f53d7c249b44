/**
 * IPAM for one node: the facade the agent, the CNI handler and `loom status ipam` use.
 *
 * It combines the replicated log (replica.ts: which node owns which block, who is a member,
 * leases), the local allocator (allocator.ts: which attachment has which address) and the
 * state store. It is synchronous and clock-free: the caller passes `now` (local monotonic ms),
 * delivers incoming messages with `receive`, calls `tick` every ~100 ms and sends what
 * `takeOutbox` returns. Persistence rule: every entry point ends in `flush()`, which saves the
 * whole durable document (replica + allocations + releasing blocks) *before* anything from the
 * outbox may be sent and before `allocate` returns - so a Paxos promise, a decided claim or a
 * reported address is never forgotten by a kill -9.
 *
 * Usable blocks = blocks the applied state says we own, while our lease is valid and we have
 * not started releasing them. Allocation only happens there (see the safety sketch in
 * replica.ts). We keep one spare block claimed ahead, so an ADD rarely waits for a claim;
 * when it must, `allocate` throws IpamTryAgainError at once and `allocateWait` retries with a
 * bounded deadline (CNI maps the error to code 11).
 *
 * Wire: `takeOutbox()` yields `{to, msg: ClaimMsg}`; driver.ts encodes with `encodeClaimMsg` and
 * decodes with `decodeClaimMsg` (codec.ts, protobuf `loom.ipam.Envelope`, limits enforced). The
 * control plane sends each as an IPAM frame of its own ('LI'), never piggybacked on membership
 * packets: a `decided` delta with up to 16 ops is < 1 KiB and goes in a datagram; `state` (full
 * snapshot, anti-entropy/join) is bigger than 1200 bytes in big clusters and goes over a stream.
 *
 * Design choices: reclaim is triggered by membership (`onMemberChange(node, 'dead')` for longer
 * than `suspectAfterMs`) and completed by the log after the grace period; `rmpeer` does the same
 * with the shorter forced wait. Both are idempotent (repeated ops are no-ops when applied) and
 * have exactly one winner (the log). Empty blocks beyond the spare are released after
 * `releaseIdleMs`.
 */
import { formatBlockCIDR } from './blocks'
import type { AttachmentKey, BlockLayout, ClusterState, NodeId } from './types'
import { ClaimsReplica, type ClaimsDurable } from './replica'
import type { ClaimMsg, OutgoingClaim } from './messages'
import {
  DEFAULT_QUARANTINE_MS, IpamAllocator, attachmentKey,
  type AllocatorDurable, type AllocatorReuseDurable, type Allocation,
} from './allocator'
import { IpamDecodeError, IpamExhaustedError, IpamNotMemberError, IpamTryAgainError } from './errors'
import { opFromDisk, stateToWire, validateClusterState } from './codec'
import type { StateStore } from '../node'
import { isGroupCommit } from '../node'

export interface IpamDurable {
  readonly version: 1
  readonly claims: ClaimsDurable
  readonly allocations: AllocatorDurable
  readonly releasing: readonly number[]
  /** Next-fit cursors and quarantined addresses (absent in files of older versions). */
  readonly reuse?: AllocatorReuseDurable
  /** "<clusterCIDR>/<blockSize>" the state was written for (absent in files of older versions). */
  readonly cluster?: string
}

export interface IpamComponents {
  readonly store: StateStore<IpamDurable>
}

export interface IpamInit {
  readonly id: NodeId
  readonly layout: BlockLayout
  /** Found a new cluster when there is no state (one node per cluster, once). */
  readonly bootstrap: boolean
  readonly seeds: readonly NodeId[]
  /** Random source (tests inject a seeded one). */
  readonly random: () => number
  /** Lease length, ms (default 15000). */
  readonly leaseMs?: number
  /** Grace period after a dead node is suspected before its blocks are reclaimed, ms (default 600000). */
  readonly graceMs?: number
  /** Wait for rmpeer, ms (default 2 x lease). */
  readonly forcedGraceMs?: number
  /** Membership must say `dead` this long before we propose a reclaim, ms (default 30000). */
  readonly suspectAfterMs?: number
  /** An empty block beyond the spare is returned to the pool after this long, ms (default 300000). */
  readonly releaseIdleMs?: number
  /** Claim a new block when free addresses in usable blocks fall below this (default: block size / 2). */
  readonly spareAddresses?: number
  readonly roundTimeoutMs?: number
  /** A released address is not handed out again for this long, ms (default 30000). */
  readonly quarantineMs?: number
  /** Wall-clock ms for the quarantine, which must survive restarts (default Date.now). */
  readonly wallClock?: () => number
}

export type MemberLiveness = 'alive' | 'suspect' | 'dead'

export interface IpamNodeStatus {
  readonly node: NodeId
  readonly blocks: string[]
  readonly liveness: MemberLiveness
  readonly suspected: boolean
}

export interface IpamStatus {
  readonly self: NodeId
  readonly clusterId: string | null
  readonly member: boolean
  readonly removed: boolean
  readonly slot: number
  readonly leaseValidForMs: number
  readonly ownedBlocks: Array<{ cidr: string, used: number, free: number, usable: boolean, releasing: boolean }>
  readonly allocations: number
  readonly nodes: IpamNodeStatus[]
  readonly unreachableOwners: NodeId[]
  readonly pendingClaims: number
  readonly pendingOps: string[]
  readonly fencedAllocations: number
}

export interface IpamRoute { readonly prefix: string, readonly block: number, readonly nodeId: NodeId }

export class Ipam {
  readonly replica: ClaimsReplica
  readonly allocator: IpamAllocator
  private readonly store: StateStore<IpamDurable>
  private readonly init: IpamInit
  private readonly releasing = new Set<number>()
  private readonly emptySince = new Map<number, number>()
  private readonly liveness = new Map<NodeId, { state: MemberLiveness, since: number }>()
  private outbox: OutgoingClaim[] = []
  private allocDirty = false
  private needBlock = false
  private lastReconcile = -Infinity
  private ownedCache: { st: ClusterState | null, blocks: readonly number[] } = { st: null, blocks: [] }
  /** Bumped whenever routes() changed (noteRoutes); a plain counter, read as often as wanted. */
  routesVersion = 0
  private routesState: ClusterState | null | undefined = undefined
  /** The blocks of routesState (states share the array until a block changes). */
  private routesBlocks: ClusterState['blocks'] | undefined = undefined
  /** The owner routes() gives each block, as of the last noteRoutes. */
  private readonly routedOwner: Array<NodeId | undefined> = []
  /** Each block's CIDR string, formatted once: routes() runs on every route rebuild. */
  private readonly blockCIDRs: string[] = []

  /** Loads the durable document from the store (or starts fresh) and persists it once. */
  constructor (components: IpamComponents, init: IpamInit, now: number) {
    this.store = components.store
    this.init = init
    const doc = this.store.load()
    this.replica = new ClaimsReplica({
      id: init.id,
      blockCount: init.layout.blockCount,
      bootstrap: init.bootstrap,
      seeds: init.seeds,
      leaseMs: init.leaseMs,
      graceMs: init.graceMs,
      forcedGraceMs: init.forcedGraceMs,
      roundTimeoutMs: init.roundTimeoutMs,
      random: init.random,
    }, doc?.claims ?? null, now)
    this.allocator = new IpamAllocator(init.layout, doc?.allocations ?? null, doc?.reuse ?? null,
      { quarantineMs: init.quarantineMs ?? DEFAULT_QUARANTINE_MS, clock: init.wallClock ?? Date.now })
    for (const b of doc?.releasing ?? []) {
      this.releasing.add(b)
      this.proposeRelease(b)
    }
    this.allocDirty = true
    this.flush(now)
  }

  get id (): NodeId { return this.init.id }

  /** Blocks we may allocate in right now. */
  usableBlocks (now: number): number[] {
    const st = this.replica.state
    if (st === null || !this.replica.leaseValid(now)) return []
    return this.ownedBlocks(st).filter(b => !this.releasing.has(b))
  }

  /** Blocks the applied state gives this node (cached per state object: states are immutable). */
  private ownedBlocks (st: ClusterState): readonly number[] {
    if (this.ownedCache.st === st) return this.ownedCache.blocks
    const out: number[] = []
    for (let i = 0; i < st.blocks.length; i++) {
      const r = st.blocks[i]
      if (r !== undefined && r.state === 'owned' && r.owner === this.init.id) out.push(i)
    }
    this.ownedCache = { st, blocks: out }
    return out
  }

  /**
   * Address for `key`: the existing one (idempotent) or a new one in a usable block. Persisted
   * before it returns. Throws IpamTryAgainError (no usable block yet: joining, claiming, lease
   * lapsed), IpamExhaustedError (no free block left in the cluster) or IpamNotMemberError.
   */
  allocate (key: AttachmentKey, now: number): Allocation {
    const k = attachmentKey(key)
    if (this.replica.isRemoved) throw new IpamNotMemberError(`node ${this.init.id} was removed from the IPAM cluster; restart it with a new state directory`)
    const usable = this.usableBlocks(now)
    const existing = this.allocator.get(k)
    if (existing !== undefined) {
      if (usable.includes(existing.block)) return existing
      throw new IpamTryAgainError(`attachment ${k} holds ${existing.address}, but block ${formatBlockCIDR(this.init.layout, existing.block)} is not usable now (lease lapsed or block lost)`)
    }
    if (!this.replica.isMember) throw new IpamTryAgainError(`node ${this.init.id} is still joining the IPAM cluster`)
    if (usable.length === 0 &&
      !this.replica.leaseValid(now)) throw new IpamTryAgainError(`node ${this.init.id} has no valid IPAM lease (no majority reachable)`)
    const a = this.allocator.allocate(k, usable)
    if (a === null) {
      this.needBlock = true
      this.replica.wantBlocks = 1
      const st = this.replica.state!
      const anyFree = st.blocks.some(r => r === undefined || r.state === 'free')
      this.flush(now)
      if (!anyFree) throw new IpamExhaustedError(`all ${st.blockCount} blocks of ${this.init.layout.cidr} are owned and this node's are full`)
      throw new IpamTryAgainError(`node ${this.init.id} is claiming a new block for ${k}`)
    }
    this.emptySince.delete(a.block)
    if (isGroupCommit(this.store) && !this.replica.dirty) {
      // Only the allocation changed: it joins the next group write; callers await durable().
      void this.store.commit(() => this.document()).catch(() => { /* durable() reports it */ })
      return a
    }
    this.allocDirty = true
    this.flush(now)
    return a
  }

  /**
   * Settles once every allocation made so far is on disk (group commit, ../node/group-commit.ts); rejects if its write
   * failed.
   */
  durable (): Promise<void> {
    return isGroupCommit(this.store) ? this.store.flushed() : Promise.resolve()
  }

  /**
   * Bounded wait for real-time callers (the agent): retries `allocate` every `pollMs` until
   * `timeoutMs`, then rethrows the last IpamTryAgainError. `clock` returns local ms; `sleep`
   * waits (default a real timer; test/sim passes its virtual one).
   */
  async allocateWait (key: AttachmentKey, clock: () => number, timeoutMs = 10000, pollMs = 50,
    sleep: (ms: number) => Promise<void> = realSleep): Promise<Allocation> {
    const deadline = clock() + timeoutMs
    for (;;) {
      try {
        return this.allocate(key, clock())
      } catch (err) {
        if (!(err instanceof IpamTryAgainError) || clock() >= deadline) throw err
      }
      await sleep(pollMs)
    }
  }

  /**
   * Releases `key`; unknown keys succeed. With a plain store, persisted before it returns; with a
   * group-commit store, a release that changes nothing but the allocations joins the next shared
   * write like an allocation does, and callers await durable() before reporting it.
   */
  release (key: AttachmentKey, now: number): Allocation | null {
    const a = this.allocator.release(attachmentKey(key))
    if (a === null) return null
    if (isGroupCommit(this.store) && !this.replica.dirty) {
      void this.store.commit(() => this.document()).catch(() => { /* durable() reports it */ })
      return a
    }
    this.allocDirty = true
    this.flush(now)
    return a
  }

  receive (msg: ClaimMsg, now: number): void {
    this.replica.receive(msg, now)
    this.flush(now)
  }

  tick (now: number): void {
    const st = this.replica.state
    if (st !== null && this.replica.isMember && (now - this.lastReconcile >= 250 || this.needBlock)) {
      this.lastReconcile = now
      this.reconcileBlocks(now)
      // Reclaim members that membership has reported dead for long enough.
      for (const [node, l] of this.liveness) {
        if (!st.members.has(node)) { this.liveness.delete(node); this.noteRoutes(true); continue }
        if (l.state !== 'dead') continue
        if (now - l.since >= (this.init.suspectAfterMs ?? 30000) && st.members.get(node)?.suspectSlot === 0) {
          this.replica.suspect(node, false)
        }
      }
    }
    this.replica.tick(now)
    this.flush(now)
  }

  /** Liveness from membership (SWIM). May be wrong: safety never depends on it. */
  onMemberChange (node: NodeId, state: MemberLiveness, now: number): void {
    const cur = this.liveness.get(node)
    if (state === 'alive') {
      if (this.liveness.delete(node)) this.noteRoutes(true)
      return
    }
    if (cur === undefined || cur.state !== state) {
      this.liveness.set(node, { state, since: now })
      this.noteRoutes(true)
    }
  }

  /**
   * Bumps `routesVersion` when what routes() returns changed: checked when the applied state is
   * a new object (states are immutable) or a member's liveness changed, by comparing the routed
   * owner of each block with the last one seen; no strings are built. Without a liveness change,
   * only blocks whose record is a new object are looked at (records are immutable too, and a new
   * state shares the blocks array when no block changed), not every block per decided slot.
   */
  private noteRoutes (livenessChanged: boolean): void {
    const st = this.replica.state
    if (st === this.routesState && !livenessChanged) return
    this.routesState = st
    const prev = livenessChanged ? undefined : this.routesBlocks
    this.routesBlocks = st?.blocks
    if (prev !== undefined && prev === st?.blocks) return
    let changed = false
    for (let i = 0; i < this.init.layout.blockCount; i++) {
      const r = st?.blocks[i]
      if (prev !== undefined && r === prev[i]) continue
      const owner = r !== undefined && r.state === 'owned' && this.liveness.get(r.owner)?.state !== 'dead' ? r.owner : undefined
      if (this.routedOwner[i] !== owner) {
        this.routedOwner[i] = owner
        changed = true
      }
    }
    if (changed) this.routesVersion++
  }

  /** Operator `loom rmpeer <node>`: reclaim after the forced wait. Idempotent. */
  rmpeer (node: NodeId, now: number): void {
    this.replica.suspect(node, true)
    this.flush(now)
  }

  /** Messages to send; only ever contains messages whose effects are already persisted. */
  takeOutbox (): OutgoingClaim[] {
    const out = this.outbox
    this.outbox = []
    return out
  }

  /** Owned blocks of every member that is not known dead → data-plane routes. */
  routes (): IpamRoute[] {
    const st = this.replica.state
    if (st === null) return []
    const out: IpamRoute[] = []
    st.blocks.forEach((r, i) => {
      if (r === undefined || r.state !== 'owned') return
      if (this.liveness.get(r.owner)?.state === 'dead') return
      out.push({ prefix: (this.blockCIDRs[i] ??= formatBlockCIDR(this.init.layout, i)), block: i, nodeId: r.owner })
    })
    return out
  }

  status (now: number): IpamStatus {
    const st = this.replica.state
    const usable = new Set(this.usableBlocks(now))
    const byNode = new Map<NodeId, string[]>()
    st?.blocks.forEach((r, i) => {
      if (r === undefined || r.state !== 'owned') return
      const l = byNode.get(r.owner) ?? []
      l.push(formatBlockCIDR(this.init.layout, i))
      byNode.set(r.owner, l)
    })
    const nodes: IpamNodeStatus[] = [...(st?.members.values() ?? [])].map(m => ({
      node: m.id,
      blocks: byNode.get(m.id) ?? [],
      liveness: this.liveness.get(m.id)?.state ?? 'alive',
      suspected: m.suspectSlot !== 0,
    }))
    const mine = st === null
      ? []
      : st.blocks.flatMap((r, i) => r?.state === 'owned' &&
      r.owner === this.init.id
        ? [i]
        : [])
    let fenced = 0
    for (const a of this.allocator.entries()) if (!usable.has(a.block)) fenced++
    return {
      self: this.init.id,
      clusterId: st?.clusterId ?? null,
      member: this.replica.isMember,
      removed: this.replica.isRemoved,
      slot: st?.slot ?? 0,
      leaseValidForMs: this.replica.leaseValid(now) ? this.replica.leaseUntil() - now : 0,
      ownedBlocks: mine.map(b => ({
        cidr: formatBlockCIDR(this.init.layout, b),
        used: this.allocator.usedIn(b),
        free: this.allocator.freeIn(b),
        usable: usable.has(b),
        releasing: this.releasing.has(b),
      })),
      allocations: this.allocator.size,
      nodes,
      unreachableOwners: nodes.filter(n => n.blocks.length > 0 &&
        (n.liveness === 'dead' || n.liveness === 'suspect')).map(n => n.node),
      pendingClaims: this.replica.wantBlocks,
      pendingOps: this.replica.pendingOps.map(o => `${o.type} ${o.node}${'block' in o ? ` ${formatBlockCIDR(this.init.layout, o.block)}` : ''}`),
      fencedAllocations: fenced,
    }
  }

  /** Spare-block policy, release of idle blocks, completion of releases. */
  private reconcileBlocks (now: number): void {
    const st = this.replica.state!
    for (const b of [...this.releasing]) {
      if (st.blocks[b]?.owner !== this.init.id || st.blocks[b]?.state !== 'owned') {
        this.releasing.delete(b); this.allocDirty = true
      }
    }
    const usable = this.usableBlocks(now)
    let free = 0
    for (const b of usable) free += this.allocator.freeIn(b)
    const spare = this.init.spareAddresses ?? this.init.layout.blockSize / 2
    this.replica.wantBlocks = (free < spare || this.needBlock) && this.replica.leaseValid(now) ? 1 : 0
    if (free >= spare) this.needBlock = false
    // A block's idle time counts from when it was last usable and empty: a block we released (or
    // lost) and claimed again starts afresh, instead of being returned the moment it is back.
    for (const b of this.emptySince.keys()) if (!usable.includes(b)) this.emptySince.delete(b)
    // Return empty blocks beyond what keeps us above the spare threshold.
    for (const b of usable) {
      if (this.allocator.usedIn(b) !== 0) { this.emptySince.delete(b); continue }
      const since = this.emptySince.get(b)
      if (since === undefined) { this.emptySince.set(b, now); continue }
      if (now - since >= (this.init.releaseIdleMs ?? 300000) && free - this.allocator.freeIn(b) >= spare) {
        this.releasing.add(b)
        free -= this.allocator.freeIn(b)
        this.allocDirty = true
        this.proposeRelease(b)
      }
    }
  }

  /**
   * Proposes RELEASE of `b` under the claim that gave it to us (its epoch in the applied state).
   * Called with `b` already in `releasing` and persisted, so we never use it again; if the state no
   * longer gives it to us there is nothing to return (reconcileBlocks forgets it).
   */
  private proposeRelease (b: number): void {
    const r = this.replica.state?.blocks[b]
    if (r === undefined || r.state !== 'owned' || r.owner !== this.init.id) return
    this.replica.propose({ type: 'release', node: this.init.id, block: b, epoch: r.epoch })
  }

  private document (): IpamDurable {
    return {
      version: 1,
      claims: this.replica.durable(),
      allocations: this.allocator.durable(),
      releasing: [...this.releasing],
      reuse: this.allocator.reuseDurable(),
      cluster: clusterOfLayout(this.init.layout),
    }
  }

  /** Persist if anything durable changed, then release the replica's messages. */
  private flush (_now: number): void {
    if (this.replica.dirty || this.allocDirty) {
      this.store.save(this.document())
      this.replica.dirty = false
      this.allocDirty = false
    }
    if (this.replica.outbox.length > 0) {
      for (const o of this.replica.outbox) this.outbox.push(o)
      this.replica.outbox.length = 0
    }
    this.noteRoutes(false)
  }
}

function realSleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** What a state file records as its cluster: "<clusterCIDR>/<blockSize>". */
export function clusterOfLayout (layout: BlockLayout): string {
  return `${layout.cidr}/${layout.blockPrefix}`
}

/** JSON form of IpamDurable for FileStateStore. */
export function ipamDurableToJSON (d: IpamDurable): unknown {
  return {
    version: 1,
    cluster: d.cluster,
    claims: {
      ...d.claims,
      state: d.claims.state === null ? null : { ...stateToWire(d.claims.state), blockCount: d.claims.state.blockCount }
    },
    allocations: d.allocations,
    releasing: d.releasing,
    reuse: d.reuse,
  }
}

/** Validates the JSON form read by FileStateStore (throws; the store names the file). */
export function validateIpamDurable (raw: unknown, layout: BlockLayout): IpamDurable {
  if (typeof raw !== 'object' || raw === null) throw new IpamDecodeError('document is not an object')
  const o = raw as Record<string, unknown>
  if (o.version !== 1) throw new IpamDecodeError(`version ${String(o.version)} is not supported (want 1)`)
  if (o.cluster !== undefined && o.cluster !== clusterOfLayout(layout)) {
    throw new IpamDecodeError(`it was written for cluster ${JSON.stringify(o.cluster)} (clusterCIDR/blockSize), but this node is configured for ` +
      `${clusterOfLayout(layout)}: it is another cluster's state`)
  }
  const c = o.claims as Record<string, unknown> | undefined
  if (typeof c !== 'object' || c === null || typeof c.id !== 'string' ||
    typeof c.maxRound !== 'number') throw new IpamDecodeError('claims section is missing or malformed')
  const sw = c.state as Record<string, unknown> | null
  if (sw !== null && sw !== undefined && sw.blockCount !== layout.blockCount) {
    throw new IpamDecodeError(`state has ${String(sw.blockCount)} blocks but ${layout.cidr}/${layout.blockPrefix} has ${layout.blockCount} (clusterCIDR or blockSize changed?)`)
  }
  const state = sw === null || sw === undefined ? null : validateClusterState(sw, layout.blockCount)
  const acc = c.acceptor as ClaimsDurable['acceptor'] | undefined
  if (typeof acc !== 'object' || acc === null ||
    typeof acc.slot !== 'number') throw new IpamDecodeError('acceptor section is missing or malformed')
  const acceptedOps = acc.accepted?.ops as unknown
  if (acc.accepted != null && !Array.isArray(acceptedOps)) throw new IpamDecodeError('acceptor.accepted.ops must be a list')
  // Rebuilt op by op: an older loomd tagged them `kind` (codec.ts opFromDisk).
  const acceptor = acc.accepted == null
    ? acc
    : {
        ...acc,
        accepted: { ...acc.accepted, ops: (acceptedOps as unknown[]).map(op => opFromDisk(op, layout.blockCount)) },
      }
  const allocations = o.allocations
  if (!Array.isArray(allocations)) throw new IpamDecodeError('allocations must be a list')
  const reuse = o.reuse === undefined ? undefined : o.reuse as AllocatorReuseDurable
  // eslint-disable-next-line no-new -- the constructor validates the allocations
  new IpamAllocator(layout, allocations as AllocatorDurable, reuse ?? null)
  const releasing = o.releasing
  if (!Array.isArray(releasing) ||
    !releasing.every(b => Number.isInteger(b) && b >= 0 &&
      b < layout.blockCount)) throw new IpamDecodeError('releasing must be a list of block indexes')
  return {
    version: 1,
    claims: { id: c.id, state, acceptor, maxRound: c.maxRound },
    allocations: allocations as AllocatorDurable,
    releasing,
    ...(reuse !== undefined ? { reuse } : {}),
    ...(typeof o.cluster === 'string' ? { cluster: o.cluster } : {}),
  }
}
