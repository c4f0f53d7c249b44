/**
 * The coordinated part of IPAM: a replicated log of IPAM ops (claim, release, join, suspect,
 * unsuspect, remove), one single-decree Paxos instance per slot, plus member leases that fence
 * a node which may have been (wrongly) reclaimed. Pure: no I/O, no timers, no Math.random; the
 * caller passes `now` (a local monotonic clock in ms), drains `outbox`, and MUST persist
 * `durable()` whenever `dirty` is set before sending anything from the outbox or reporting an
 * allocation (ipam.ts does this).
 *
 * Why a log and not per-block acknowledgements (a claim usable once a majority acked it)?
 *   Per-block "majority of known members" is only safe if every claimer and acker agree on the
 *   member set; joins and reclaims change it, and two nodes with different views can form two
 *   disjoint "majorities" (A sees {A,B,C} and uses {A,B}; D sees {A..E} and uses {C,D,E}).
 *   Making that safe needs reconfiguration, and reconfiguration is exactly a log: here the
 *   acceptors of slot s are the members of the state after slot s-1, so a JOIN or REMOVE is
 *   just an op and the member set is never ambiguous. Claims are rare (one per block of 64
 *   addresses, batched up to 16 ops per slot), so two round trips to a majority per slot is
 *   cheap; allocation inside an owned block never touches the log.
 *
 * Bootstrap: a node started with `bootstrap: true` (and no state) founds the cluster with itself
 * as the only member: it is its own majority, so it claims and allocates at once (no vote on the
 * first allocation). Every other node joins through a seed: a member proposes JOIN(node); once
 * decided, the joiner fetches the state. Two separately founded clusters have different cluster
 * ids and never merge (their messages are ignored and counted) - the only way to keep "two
 * partitions bootstrapped independently" from ever sharing a block.
 *
 * 2-node trade-off: with 2 members the majority is 2, so while one is down the other cannot get
 * *new* blocks (it keeps allocating in the blocks it has, with its spare block); run 3+ nodes or
 * accept that. Removing the dead one (`rmpeer`) also needs a majority, i.e. the dead node.
 *
 * ---------------------------------------------------------------------------------------------
 * SAFETY SKETCH. Claim: at any real time, at most one node *uses* a block b, where "N uses b at
 * t" means N's applied state says N owns b and N's lease is valid at t (ipam.ts allocates only
 * then and `loom status`/CNI CHECK treat attachments in unusable blocks as fenced).
 *
 * S1 (one value per slot). Slot s is decided by classic Paxos among config(s-1) = members of the
 *    state after slot s-1. Acceptors persist promise/accept before replying (the `dirty` rule),
 *    so a restart with state cannot break a promise; a restart without state is a new node id,
 *    and the old id stays in the denominator until it is removed - so a node losing its disk
 *    can never double-vote. Two majorities of the same config intersect, hence at most one op
 *    list per slot; every replica applies the same lists in slot order (an acceptor joins slot
 *    s only after applying s-1), so all replicas see the same sequence of states.
 * S2 (ownership is single-valued). In every state, a block record has one owner or none; CLAIM
 *    applies only to a free block. So two nodes can only both believe they own b if one of them
 *    has a stale state in which b is still its own - i.e. b left it later via RELEASE or REMOVE.
 * S3 (RELEASE). Only the owner proposes RELEASE(b, e), and it stops using b (persisted) before
 *    proposing; it never takes it back except through a later CLAIM. e is the slot of the claim
 *    being returned, and RELEASE applies only while b is still owned under e: ops are re-proposed
 *    (forwarded copies are kept 2 s), so a copy decided after b was released and claimed again
 *    would otherwise free the new ownership while the owner uses it.
 * S4 (REMOVE = reclaim, also with false suspicion, partitions, skewed clocks). Let N renew its
 *    lease by sending RENEW(cfg) at its local time t0, where cfg = configSlot of its applied
 *    state at slot k, and get acks from a majority R of config(k). An acker X acks only if
 *    (a) X's applied configSlot == cfg, (b) X's open-slot accepted value holds no JOIN/REMOVE and
 *    no SUSPECT(N), (c) N is a member and not suspected in X's state. N uses its blocks only until
 *    t0 + L (local) and only if its own state at send time did not show a pending SUSPECT(N).
 *    REMOVE(N) needs a pending SUSPECT(N) decided at slot s1, and an acceptor accepts a value
 *    holding REMOVE(N) only after >= G of *its own* local time has passed since it applied s1.
 *    - If s1 <= k, N's state showed the suspicion: N was not using a lease from this renewal.
 *    - If s1 > k: let j be the first slot > k that is either s1 or a membership change. Slot
 *      j's deciders are a majority of config(j-1) = config(k) (no change in between), so they
 *      meet R in some X. By (a)/(b), X accepted slot j's value after acking at τ ≥ t0, hence j,
 *      and so s1 >= j, was decided after t0 in real time; every acceptor of REMOVE applied s1
 *      after that, and waited G locally. REMOVE is decided after t0 + G/(1+ρ) in real time,
 *      while N stops by t0 + L(1+ρ) (ρ = max clock *rate* error). With G > L(1+ρ)^2, N's lease
 *      has lapsed before anyone can be given its blocks. Only durations on each node's own
 *      monotonic clock are compared, so clock *offset* (skew) between nodes is irrelevant;
 *      message delay only makes the inequality stronger. Defaults: L = 15 s, forced (rmpeer)
 *      wait = 2L, grace = 10 min.
 * Liveness is not part of the claim: dueling proposers back off randomly; a minority partition
 * cannot claim, release, join or reclaim, but keeps allocating in leased blocks while its lease
 * holds - and loses the lease (fenced) if it cannot reach a majority for L.
 * ---------------------------------------------------------------------------------------------
 */
import { applySlot, genesisState, majorityOf, mergeStates, releaseApplies } from './cluster-state'
import type { ClusterState, NodeId, Op } from './types'
import { hashNodeId } from './blocks'
import { IpamConfigError } from './errors'
import type { Ballot, ClaimBody, ClaimMsg, OutgoingClaim } from './messages'

export interface ClaimsInit {
  readonly id: NodeId
  readonly blockCount: number
  /** Found a new cluster if there is no state (exactly one node of a new cluster). */
  readonly bootstrap: boolean
  /** Node ids to send JOIN to while not a member. */
  readonly seeds: readonly NodeId[]
  /** Lease length L, ms (default 15000). */
  readonly leaseMs?: number
  /** Wait after SUSPECT before REMOVE may be accepted (grace period), ms (default 600000). */
  readonly graceMs?: number
  /** Same for operator-forced (rmpeer) suspicions, ms (default 2L). Must be > L(1+ρ)^2. */
  readonly forcedGraceMs?: number
  /** Give up a Paxos round after this long, ms (default 1000). */
  readonly roundTimeoutMs?: number
  /** Uniform random in [0,1): injected so simulations are reproducible. */
  readonly random: () => number
}

export interface ClaimsDurable {
  readonly id: NodeId
  readonly state: ClusterState | null
  readonly acceptor: { slot: number, promised: Ballot | null, accepted: { ballot: Ballot, ops: readonly Op[] } | null }
  readonly maxRound: number
}

/**
 * Trust checks on incoming messages (defence in depth behind the gossip seal, which keeps
 * strangers out): a message of another cluster is dropped; DECIDED, REQUEST (forwarded ops),
 * STATE, RENEW and the replies to our own requests must come from a current member (JOIN, FETCH
 * and DIGEST may come from a joining or removed node, which is how it learns its fate; PREPARE
 * and ACCEPT from any proposer, as Paxos' safety does not depend on who proposes); a full STATE is taken only as the
 * answer to our own FETCH/JOIN,
 * within STATE_ANSWER_MS, from the node we asked, and never when it would remove us while our
 * lease holds or move the log more than MAX_STATE_JUMP slots at once; a forwarded claim or release must be the
 * sender's.
 */
export const IPAM_REJECT_REASONS = ['foreign_cluster', 'not_member', 'unasked_state', 'state_removes_self',
  'state_jump', 'foreign_op'] as const
export type IpamRejectReason = (typeof IPAM_REJECT_REASONS)[number]
const STATE_ANSWER_MS = 5000
/**
 * JOIN goes to this many seeds a second. In gossip mode the seeds are every live gossip member,
 * and when a cluster starts at once most of them are not IPAM members yet and ignore a JOIN. With
 * a joiner's fetch answered by the state (`receive`, 'fetch'), 200 nodes starting together in
 * test/sim/ipam-stack.ts's schedule are all members after 6.4 virtual s with 4, 9.1 s with 1.
 * A JOIN is a few bytes, and a second member proposing it makes a no-op.
 */
const JOIN_FANOUT = 4
/** Slots a state may advance us at once: far beyond years of claims, far below a forgery's 2^31. */
export const MAX_STATE_JUMP = 1_000_000
const FROM_ANYONE: ReadonlySet<ClaimBody['type']> = new Set(['join', 'fetch', 'digest', 'prepare', 'accept'])

const LOG_WINDOW = 256
const MAX_OPS = 16
const MAX_DECIDED_PUSH = 64

function cmpBallot (a: Ballot | null, b: Ballot | null): number {
  if (a === null) return b === null ? 0 : -1
  if (b === null) return 1
  if (a.round !== b.round) return a.round - b.round
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0
}

function opKey (op: Op): string {
  return `${op.type}:${op.node}:${'block' in op ? op.block : ''}${op.type === 'release' ? `@${op.epoch}` : ''}`
}

interface Proposal {
  slot: number
  ballot: Ballot
  phase: 1 | 2
  promises: Map<NodeId, { ballot: Ballot, ops: readonly Op[] } | null>
  accepts: Set<NodeId>
  ops: readonly Op[]
  deadline: number
}

export class ClaimsReplica {
  readonly id: NodeId
  readonly outbox: OutgoingClaim[] = []
  /** Durable state changed: persist durable() before sending the outbox. */
  dirty = false
  /** Messages ignored: other cluster, malformed, stale. */
  ignored = 0
  /** Slots decided by this node as proposer, and rounds it lost or timed out. */
  proposalsWon = 0
  proposalsLost = 0
  /** Messages refused by the trust checks above, by reason. */
  readonly rejected: Record<IpamRejectReason,
  number> = Object.fromEntries(IPAM_REJECT_REASONS.map((r) => [r, 0])) as Record<IpamRejectReason, number>

  /** Nodes we sent FETCH or JOIN to, and until when their STATE is welcome. */
  private readonly stateAskedFrom = new Map<NodeId, number>()
  /** Blocks of removed (dead) members freed by slots this node decided as proposer. */
  reclaimedBlocks = 0

  private st: ClusterState | null
  private acc: { slot: number, promised: Ballot | null, accepted: { ballot: Ballot, ops: readonly Op[] } | null }
  private maxRound: number
  private readonly log = new Map<number, readonly Op[]>()
  private readonly init: Required<Omit<ClaimsInit,
  'id' | 'random' | 'seeds'>> & { seeds: readonly NodeId[], random: () => number }

  private prop: Proposal | null = null
  private backoffUntil = -Infinity
  private attempts = 0
  private readonly pending = new Map<string, Op>()
  /** Ops forwarded to us by other members (we are their coordinator): op key → expiry. */
  private readonly forwarded = new Map<string, { op: Op, until: number }>()
  private pendingSince = -Infinity
  private lastForward = -Infinity
  private coordCache: { st: ClusterState | null, ids: NodeId[] } = { st: null, ids: [] }
  /** Extra blocks wanted (set by the allocator facade). */
  wantBlocks = 0
  private readonly suspectSeenAt = new Map<NodeId, number>()
  private readonly removeNotBefore = new Map<NodeId, number>()
  private lease = { until: -Infinity, seq: 0, sentAt: -Infinity, cfg: -1, acks: new Set<NodeId>() }
  private lastJoinSent = -Infinity
  private lastFetchAt = -Infinity
  private lastDigest = -Infinity
  private removedSelf = false

  constructor (init: ClaimsInit, durable: ClaimsDurable | null, now: number) {
    const leaseMs = init.leaseMs ?? 15000
    const graceMs = init.graceMs ?? 600000
    const forcedGraceMs = init.forcedGraceMs ?? 2 * leaseMs
    if (!(leaseMs > 0) || forcedGraceMs < leaseMs * 1.1 || graceMs < forcedGraceMs) {
      throw new IpamConfigError(`IPAM timing: need lease > 0, forcedGrace >= 1.1 x lease, grace >= forcedGrace (got ${leaseMs}, ${forcedGraceMs}, ${graceMs} ms)`)
    }
    this.id = init.id
    this.init = {
      blockCount: init.blockCount,
      bootstrap: init.bootstrap,
      seeds: init.seeds,
      leaseMs,
      graceMs,
      forcedGraceMs,
      roundTimeoutMs: init.roundTimeoutMs ?? 1000,
      random: init.random
    }
    if (durable !== null) {
      if (durable.id !== init.id) throw new IpamConfigError(`persisted IPAM state belongs to node ${durable.id}, not ${init.id}`)
      this.st = durable.state
      this.acc = durable.acceptor
      this.maxRound = durable.maxRound
    } else {
      this.st = init.bootstrap ? genesisState(init.id, init.blockCount) : null
      this.acc = { slot: 1, promised: null, accepted: null }
      this.maxRound = 0
      this.dirty = true
    }
    if (this.st !== null) {
      // Local clocks do not survive restarts: count every pending suspicion from now (later = safe).
      for (const m of this.st.members.values()) if (m.suspectSlot !== 0) this.suspectSeenAt.set(m.id, now)
      this.removedSelf = this.st.removed.has(this.id)
    }
  }

  // ---- queries ------------------------------------------------------------------------------

  get state (): ClusterState | null { return this.st }
  get isMember (): boolean { return this.st !== null && this.st.members.has(this.id) }
  get isRemoved (): boolean { return this.removedSelf }
  get pendingOps (): readonly Op[] { return [...this.pending.values()] }
  get proposing (): boolean { return this.prop !== null }

  /** True when this node may use the blocks its state says it owns (S4 in the header). */
  leaseValid (now: number): boolean {
    return this.isMember && this.st!.members.get(this.id)!.suspectSlot === 0 && now < this.lease.until
  }

  leaseUntil (): number { return this.lease.until }

  durable (): ClaimsDurable {
    return { id: this.id, state: this.st, acceptor: this.acc, maxRound: this.maxRound }
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** Queue an op (deduplicated); it is retried until applied or no longer meaningful. */
  propose (op: Op): void {
    this.pending.set(opKey(op), op)
  }

  /** Up to `n` distinct seeds, at random. */
  private pickSeeds (n: number): NodeId[] {
    // A partial shuffle of a copy: bounded even when the list repeats an ID (drawing until n
    // distinct ones came up would never end with fewer than n distinct seeds).
    const seeds = [...new Set(this.init.seeds)]
    for (let i = 0; i < Math.min(n, seeds.length); i++) {
      const j = i + Math.floor(this.init.random() * (seeds.length - i))
      const tmp = seeds[i]!; seeds[i] = seeds[j]!; seeds[j] = tmp
    }
    return seeds.slice(0, n)
  }

  /** Operator rmpeer / liveness-driven reclaim. Idempotent. */
  suspect (node: NodeId, forced: boolean): void {
    if (node === this.id) return
    this.propose({ type: 'suspect', node, forced })
  }

  tick (now: number): void {
    if (this.st === null || !this.isMember) {
      if (!this.removedSelf && now - this.lastJoinSent >= 1000 && this.init.seeds.length > 0) {
        this.lastJoinSent = now
        for (const seed of this.pickSeeds(JOIN_FANOUT)) {
          this.stateAskedFrom.set(seed, now + STATE_ANSWER_MS)
          this.send(seed, { type: 'join' })
        }
      }
      return
    }
    const st = this.st
    // Lease renewal: every L/3, or every 500 ms while invalid.
    const me = st.members.get(this.id)!
    if (me.suspectSlot === 0) {
      const every = this.leaseValid(now) ? this.init.leaseMs / 3 : 500
      if (now - this.lease.sentAt >= every) {
        this.lease.seq++
        this.lease.sentAt = now
        this.lease.cfg = st.configSlot
        this.lease.acks = new Set()
        // While the lease holds, ask a random ~60 % (a majority plus margin) to halve the traffic;
        // once it has lapsed, ask everyone.
        const ids = [...st.members.keys()]
        const want = this.leaseValid(now)
          ? Math.min(ids.length,
            majorityOf(ids.length) + Math.ceil(ids.length / 10))
          : ids.length
        for (let i = 0; i < want; i++) {
          const j = i + Math.floor(this.init.random() * (ids.length - i))
          const tmp = ids[i]!; ids[i] = ids[j]!; ids[j] = tmp
          this.send(ids[i]!, { type: 'renew', seq: this.lease.seq, configSlot: st.configSlot })
        }
      }
    }
    // Reclaim: queue REMOVE once our own wait has passed (plus jitter so 200 nodes do not all propose).
    for (const m of st.members.values()) {
      if (m.suspectSlot === 0 || m.id === this.id) continue
      const seen = this.suspectSeenAt.get(m.id) ?? now
      if (!this.suspectSeenAt.has(m.id)) this.suspectSeenAt.set(m.id, now)
      let nb = this.removeNotBefore.get(m.id)
      if (nb === undefined) {
        nb = seen + (m.forced ? this.init.forcedGraceMs : this.init.graceMs) + this.init.random() * 2000
        this.removeNotBefore.set(m.id, nb)
      }
      if (now >= nb) this.propose({ type: 'remove', node: m.id })
    }
    // Proposer. To avoid dueling proposers, members forward their ops to a coordinator (the
    // first unsuspected member by id) and only propose themselves if it has not acted within
    // 3 s. Who proposes never matters for safety.
    if (this.prop !== null && now >= this.prop.deadline) this.abandon(now, true)
    for (const [k, f] of this.forwarded) if (now >= f.until) this.forwarded.delete(k)
    const mine = this.usefulOps(now)
    if (mine.length === 0) this.pendingSince = -Infinity
    else if (this.pendingSince === -Infinity) this.pendingSince = now
    const coord = this.coordinator(now)
    if (coord !== this.id && coord !== null && mine.length > 0) {
      if (now - this.lastForward >= 300) {
        this.lastForward = now
        this.send(coord, { type: 'request', ops: mine })
      }
    } else if (this.prop === null && now >= this.backoffUntil) {
      this.startProposal(now)
    }
    // Anti-entropy: a digest to one random other member every 2 s (drawing ourselves skipped a
    // round in n: a third of them in a 3-node cluster, where a removed node then learned late).
    if (now - this.lastDigest >= 2000) {
      this.lastDigest = now
      const ids = [...st.members.keys()].filter(id => id !== this.id)
      const peer = ids[Math.floor(this.init.random() * ids.length)]
      if (peer !== undefined) {
        // A digest asks the peer to push what we miss: slots, or its state.
        this.stateAskedFrom.set(peer, now + STATE_ANSWER_MS)
        this.send(peer, { type: 'digest' })
      }
    }
  }

  receive (msg: ClaimMsg, now: number): void {
    const b = msg.body
    if (this.st !== null) {
      const anyone = FROM_ANYONE.has(b.type)
      const noState = b.type === 'join' || b.type === 'fetch' // a joiner has no cluster id yet
      if (msg.clusterId !== this.st.clusterId && !(noState && msg.clusterId === '')) {
        this.reject('foreign_cluster'); return
      }
      if (!anyone && !this.st.members.has(msg.from)) { this.reject('not_member'); return }
    }
    if (this.st !== null && msg.applied > this.st.slot + 1 && b.type !== 'state' &&
      b.type !== 'decided') this.requestCatchUp(msg.from, now)
    switch (b.type) {
      case 'prepare': return this.onPrepare(msg.from, b, now)
      case 'promise': return this.onPromise(msg.from, b, now)
      case 'accept': return this.onAccept(msg.from, b, now)
      case 'accepted': return this.onAccepted(msg.from, b, now)
      case 'decided': return this.onDecided(msg.from, b.slot, b.ops, now)
      case 'renew': return this.onRenew(msg.from, b)
      case 'renewAck': return this.onRenewAck(msg.from, b, now)
      case 'join': return this.onJoin(msg.from)
      // A fetch without a cluster id comes from a joiner that has no state (it learnt of its JOIN
      // from a DECIDED it cannot apply): only the whole state helps it; the slots from its
      // `fromSlot` 1 would send it another DECIDED, and it would fetch again, forever.
      case 'fetch': return this.pushCatchUp(msg.from, msg.clusterId === '' ? 0 : b.fromSlot)
      case 'state': return this.onState(msg.from, b.state, now)
      case 'request': return this.onRequest(msg.from, b.ops, now)
      case 'digest':
        if (this.st !== null && msg.applied < this.st.slot) this.pushCatchUp(msg.from, msg.applied + 1)
    }
  }

  // ---- acceptor -----------------------------------------------------------------------------

  private onPrepare (from: NodeId, b: { slot: number, ballot: Ballot }, now: number): void {
    const st = this.st
    if (st === null || !st.members.has(this.id)) return
    if (b.slot <= st.slot) { this.pushCatchUp(from, b.slot); return }
    if (b.slot > st.slot + 1) { this.requestCatchUp(from, now); return }
    this.noteRound(b.ballot.round)
    if (cmpBallot(b.ballot, this.acc.promised) > 0) {
      this.acc = { ...this.acc, promised: b.ballot }
      this.dirty = true
      this.send(from,
        { type: 'promise', slot: b.slot, ballot: b.ballot, ok: true, accepted: this.acc.accepted ?? undefined })
    } else {
      this.send(from,
        { type: 'promise', slot: b.slot, ballot: b.ballot, ok: false, promised: this.acc.promised ?? undefined })
    }
  }

  private onAccept (from: NodeId, b: { slot: number, ballot: Ballot, ops: readonly Op[] }, now: number): void {
    const st = this.st
    if (st === null || !st.members.has(this.id)) return
    if (b.slot <= st.slot) { this.pushCatchUp(from, b.slot); return }
    if (b.slot > st.slot + 1) { this.requestCatchUp(from, now); return }
    this.noteRound(b.ballot.round)
    const allowed = cmpBallot(b.ballot, this.acc.promised) >= 0 && b.ops.length <= MAX_OPS &&
    this.removesAllowed(b.ops, now)
    if (allowed) {
      this.acc = { slot: b.slot, promised: b.ballot, accepted: { ballot: b.ballot, ops: b.ops } }
      this.dirty = true
    }
    this.send(from,
      {
        type: 'accepted',
        slot: b.slot,
        ballot: b.ballot,
        ok: allowed,
        promised: allowed
          ? undefined
          : this.acc.promised ??
        undefined
      })
  }

  /** S4: REMOVE(N) only with a pending SUSPECT(N) that this acceptor has known for >= G. */
  private removesAllowed (ops: readonly Op[], now: number): boolean {
    for (const op of ops) {
      if (op.type !== 'remove') continue
      const m = this.st!.members.get(op.node)
      if (m === undefined) continue // no-op when applied
      if (m.suspectSlot === 0) return false
      const seen = this.suspectSeenAt.get(op.node)
      if (seen === undefined || now - seen < (m.forced ? this.init.forcedGraceMs : this.init.graceMs)) return false
    }
    return true
  }

  private onRenew (from: NodeId, b: { seq: number, configSlot: number }): void {
    const st = this.st
    if (st === null || !st.members.has(this.id)) return
    const m = st.members.get(from)
    let ok = m !== undefined && m.suspectSlot === 0 && st.configSlot === b.configSlot
    if (ok && this.acc.accepted !== null && this.acc.slot === st.slot + 1) {
      for (const op of this.acc.accepted.ops) {
        if (op.type === 'join' || op.type === 'remove' || (op.type === 'suspect' && op.node === from)) ok = false
      }
    }
    this.send(from, { type: 'renewAck', seq: b.seq, ok })
  }

  // ---- proposer -----------------------------------------------------------------------------

  /**
   * The member that batches everyone's ops: the first unsuspected member by id; if our ops have
   * waited 3 s, the next one, and so on - so most members agree on one proposer at a time even
   * when the first is unreachable (dueling proposers are what kills Paxos liveness).
   */
  private coordinator (now: number): NodeId | null {
    const st = this.st!
    if (this.coordCache.st !== st) {
      this.coordCache = { st, ids: [...st.members.values()].filter(m => m.suspectSlot === 0).map(m => m.id).sort() }
    }
    const ids = this.coordCache.ids
    if (ids.length === 0) return null
    const k = this.pendingSince === -Infinity ? 0 : Math.floor((now - this.pendingSince) / 3000)
    return ids[k % ids.length]!
  }

  /** Own pending ops that still mean something (claims as 'any block': block = -1). */
  private usefulOps (_now: number): Op[] {
    const st = this.st!
    const out: Op[] = []
    const me = st.members.get(this.id)
    for (const [k, op] of this.pending) {
      if (!this.stillUseful(op)) { this.pending.delete(k); continue }
      if (out.length < MAX_OPS) out.push(op)
    }
    if (this.wantBlocks > 0 && me !== undefined &&
      me.suspectSlot === 0) out.push({ type: 'claim', node: this.id, block: -1 })
    return out
  }

  private stillUseful (op: Op): boolean {
    const st = this.st!
    const m = st.members.get(op.node)
    switch (op.type) {
      case 'join': return m === undefined && !st.removed.has(op.node)
      case 'claim': return m !== undefined && m.suspectSlot === 0
      case 'release': return releaseApplies(st.blocks, op)
      case 'suspect': return m !== undefined && (m.suspectSlot === 0 || (op.forced && !m.forced))
      case 'unsuspect': return m !== undefined && m.suspectSlot !== 0
      case 'remove': return m !== undefined && m.suspectSlot !== 0
    }
  }

  /** Own ops plus forwarded ones, claims resolved to distinct free blocks (hash probe per node). */
  private batch (now: number): Op[] {
    const st = this.st!
    const all = new Map<string, Op>()
    for (const op of this.usefulOps(now)) all.set(opKey(op), op)
    for (const [k, f] of this.forwarded) {
      if (this.stillUseful(f.op)) all.set(k, f.op)
      else this.forwarded.delete(k)
    }
    const out: Op[] = []
    const taken = new Set<number>()
    for (const op of all.values()) {
      if (out.length >= MAX_OPS) break
      if (op.type !== 'claim') { out.push(op); continue }
      if (op.block >= 0) continue
      const n = st.blockCount
      const start = hashNodeId(op.node) % n
      for (let i = 0; i < n; i++) {
        const blk = (start + i) % n
        const r = st.blocks[blk]
        if ((r === undefined || r.state === 'free') && !taken.has(blk)) {
          taken.add(blk)
          out.push({ type: 'claim', node: op.node, block: blk })
          break
        }
      }
    }
    return out
  }

  private onRequest (from: NodeId, ops: readonly Op[], now: number): void {
    const st = this.st
    if (st === null || !st.members.has(this.id) || !st.members.has(from)) return
    for (const op of ops.slice(0, MAX_OPS)) {
      // A member claims, releases and clears suspicion only for itself.
      if ((op.type === 'claim' || op.type === 'release' || op.type === 'unsuspect') && op.node !== from) {
        this.reject('foreign_op'); continue
      }
      this.forwarded.set(opKey(op), { op, until: now + 2000 })
    }
  }

  private reject (reason: IpamRejectReason): void {
    this.ignored++
    this.rejected[reason]++
  }

  private startProposal (now: number): void {
    if (this.st === null || !this.isMember) return
    const ops = this.batch(now)
    if (ops.length === 0) return
    this.maxRound++
    this.dirty = true
    const ballot = { round: this.maxRound, node: this.id }
    this.prop = {
      slot: this.st.slot + 1,
      ballot,
      phase: 1,
      promises: new Map(),
      accepts: new Set(),
      ops,
      deadline: now + this.init.roundTimeoutMs
    }
    for (const m of this.st.members.keys()) this.send(m, { type: 'prepare', slot: this.prop.slot, ballot })
  }

  private abandon (now: number, lost: boolean): void {
    this.prop = null
    if (lost) {
      this.proposalsLost++
      this.attempts = Math.min(this.attempts + 1, 6)
      this.backoffUntil = now + this.init.random() * 50 * 2 ** this.attempts
    }
  }

  private onPromise (from: NodeId, b: Extract<ClaimBody, { type: 'promise' }>, now: number): void {
    const p = this.prop
    if (p === null || p.phase !== 1 || b.slot !== p.slot || cmpBallot(b.ballot, p.ballot) !== 0 ||
      !this.st!.members.has(from)) return
    if (!b.ok) {
      if (b.promised !== undefined) this.noteRound(b.promised.round)
      this.abandon(now, true)
      return
    }
    p.promises.set(from, b.accepted ?? null)
    if (p.promises.size < majorityOf(this.st!.members.size)) return
    let best: { ballot: Ballot, ops: readonly Op[] } | null = null
    for (const a of p.promises.values()) {
      if (a !== null &&
      (best === null || cmpBallot(a.ballot, best.ballot) > 0)) best = a
    }
    if (best !== null) p.ops = best.ops
    p.phase = 2
    for (const m of this.st!.members.keys()) this.send(m, { type: 'accept', slot: p.slot, ballot: p.ballot, ops: p.ops })
  }

  private onAccepted (from: NodeId, b: Extract<ClaimBody, { type: 'accepted' }>, now: number): void {
    const p = this.prop
    if (p === null || p.phase !== 2 || b.slot !== p.slot || cmpBallot(b.ballot, p.ballot) !== 0 ||
      !this.st!.members.has(from)) return
    if (!b.ok) {
      if (b.promised !== undefined) this.noteRound(b.promised.round)
      if (b.promised === undefined || cmpBallot(b.promised, p.ballot) > 0) this.abandon(now, true)
      return
    }
    p.accepts.add(from)
    if (p.accepts.size < majorityOf(this.st!.members.size)) return
    const old = this.st!
    this.prop = null
    this.attempts = 0
    this.proposalsWon++
    this.applyDecided(p.slot, p.ops, now)
    this.countReclaimed(old, p.ops)
    const targets = new Set([...old.members.keys(), ...this.st!.members.keys()])
    for (const m of targets) if (m !== this.id) this.send(m, { type: 'decided', slot: p.slot, ops: p.ops })
  }

  private countReclaimed (before: ClusterState, ops: readonly Op[]): void {
    const removed = new Set(ops.filter(o => o.type === 'remove').map(o => o.node))
    if (removed.size === 0) return
    const after = this.st!
    before.blocks.forEach((r, i) => {
      if (r !== undefined && r.state === 'owned' && removed.has(r.owner) &&
        after.blocks[i]?.state === 'free') this.reclaimedBlocks++
    })
  }

  // ---- learning -----------------------------------------------------------------------------

  private onDecided (from: NodeId, slot: number, ops: readonly Op[], now: number): void {
    if (this.st === null) { this.requestCatchUp(from, now); return }
    if (slot <= this.st.slot) return
    if (slot > this.st.slot + 1) { this.requestCatchUp(from, now); return }
    this.applyDecided(slot, ops, now)
  }

  private applyDecided (slot: number, ops: readonly Op[], now: number): void {
    const before = this.st!
    const after = applySlot(before, slot, ops)
    // A claim request is satisfied by the first block it gets; do not claim again for it.
    for (const op of ops) {
      if (op.type !== 'claim' || after.blocks[op.block] === before.blocks[op.block]) continue
      this.forwarded.delete(opKey({ type: 'claim', node: op.node, block: -1 }))
      if (op.node === this.id && this.wantBlocks > 0) this.wantBlocks--
    }
    this.adopt(after, now)
    this.log.set(slot, ops)
    this.log.delete(slot - LOG_WINDOW)
  }

  private adopt (next: ClusterState, now: number): void {
    const prev = this.st
    this.st = next
    this.dirty = true
    this.acc = { slot: next.slot + 1, promised: null, accepted: null }
    if (this.prop !== null && this.prop.slot <= next.slot) this.abandon(now, false)
    for (const m of (prev !== null && prev.members === next.members ? [] : next.members.values())) {
      const old = prev?.members.get(m.id)
      if (m.suspectSlot !== 0 && (old === undefined || old.suspectSlot !== m.suspectSlot)) {
        this.suspectSeenAt.set(m.id, now)
        this.removeNotBefore.delete(m.id)
      }
      if (m.suspectSlot === 0) { this.suspectSeenAt.delete(m.id); this.removeNotBefore.delete(m.id) }
    }
    const me = next.members.get(this.id)
    if (me !== undefined && me.suspectSlot !== 0) {
      this.lease.until = -Infinity
      this.propose({ type: 'unsuspect', node: this.id })
    }
    if (prev !== null && prev.members.has(this.id) && me === undefined) this.lease.until = -Infinity
    if (next.removed.has(this.id)) { this.removedSelf = true; this.lease.until = -Infinity }
    // A lease round in flight was counted against the old config: keep it only if unchanged.
    if (prev !== null && prev.configSlot !== next.configSlot) this.lease.acks = new Set()
  }

  private onState (from: NodeId, s: ClusterState, now: number): void {
    const asked = this.stateAskedFrom.get(from)
    if (asked === undefined || now > asked) { this.reject('unasked_state'); return }
    this.stateAskedFrom.delete(from)
    if (this.st === null) {
      if (s.blockCount !== this.init.blockCount) { this.ignored++; return }
      if (s.slot > MAX_STATE_JUMP * 1000) { this.reject('state_jump'); return }
      this.adopt(s, now)
      return
    }
    if (s.clusterId !== this.st.clusterId || s.blockCount !== this.st.blockCount) {
      this.reject('foreign_cluster'); return
    }
    if (s.slot <= this.st.slot) return
    if (s.slot - this.st.slot > MAX_STATE_JUMP) { this.reject('state_jump'); return }
    let merged: ClusterState
    try {
      merged = mergeStates(this.st, s)
    } catch {
      this.ignored++
      return
    }
    // A snapshot that removes us while our lease holds is a forgery: a real REMOVE needs our
    // lease to have lapsed first (S4 in the header). Once it has, a node cut off for long learns
    // its removal this way when the slots are beyond the log window.
    if (this.st.members.has(this.id) && (!merged.members.has(this.id) || merged.removed.has(this.id)) &&
      this.leaseValid(now)) {
      this.reject('state_removes_self')
      return
    }
    this.adopt(merged, now)
  }

  /** One fetch per 250 ms in total: a slot decided a moment ago usually arrives by itself. */
  private requestCatchUp (from: NodeId, now: number): void {
    if (now - this.lastFetchAt < 250) return
    this.lastFetchAt = now
    this.stateAskedFrom.set(from, now + STATE_ANSWER_MS)
    if (this.stateAskedFrom.size > 64) {
      for (const [k,
        until] of this.stateAskedFrom) if (until < now) this.stateAskedFrom.delete(k)
    }
    this.send(from, { type: 'fetch', fromSlot: (this.st?.slot ?? 0) + 1 })
  }

  private pushCatchUp (to: NodeId, fromSlot: number): void {
    const st = this.st
    if (st === null || fromSlot > st.slot) return
    let complete = fromSlot >= 1 && st.slot - fromSlot < MAX_DECIDED_PUSH
    for (let s = fromSlot; complete && s <= st.slot; s++) complete = this.log.has(s)
    if (!complete) {
      this.send(to, { type: 'state', state: st })
      return
    }
    for (let s = fromSlot; s <= st.slot; s++) this.send(to, { type: 'decided', slot: s, ops: this.log.get(s)! })
  }

  private onJoin (from: NodeId): void {
    const st = this.st
    if (st === null || !st.members.has(this.id)) return
    if (st.members.has(from) || st.removed.has(from)) { this.send(from, { type: 'state', state: st }); return }
    this.propose({ type: 'join', node: from })
  }

  private onRenewAck (from: NodeId, b: { seq: number, ok: boolean }, now: number): void {
    const st = this.st
    if (st === null || !b.ok || b.seq !== this.lease.seq || st.configSlot !== this.lease.cfg ||
      !st.members.has(from)) return
    const me = st.members.get(this.id)
    if (me === undefined || me.suspectSlot !== 0) return
    this.lease.acks.add(from)
    if (this.lease.acks.size >= majorityOf(st.members.size)) {
      this.lease.until = Math.max(this.lease.until, this.lease.sentAt + this.init.leaseMs)
      void now
    }
  }

  private noteRound (r: number): void {
    if (r > this.maxRound) { this.maxRound = r; this.dirty = true }
  }

  private send (to: NodeId, body: ClaimBody): void {
    this.outbox.push({
      to, msg: { from: this.id, clusterId: this.st?.clusterId ?? '', applied: this.st?.slot ?? 0, body }
    })
  }
}
