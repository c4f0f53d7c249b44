/**
 * SWIM + Lifeguard membership as a pure state machine.
 *
 * Design notes
 * - Pure: no timers, sockets or clocks. The I/O runner calls `tick(now)` often (every ≤ 50 ms is
 *   plenty; `nextWakeAt()` says when something is due) and `receive(from, packet, now)` for every
 *   decoded packet; both return the packets to send. Randomness comes from the injected
 *   `components.random`, so a seeded simulator replays a schedule exactly.
 * - Failure detection (SWIM): every probe interval, ping the next member of a shuffled
 *   round-robin list; no ack within the probe timeout → PingReq through `indirectChecks` random
 *   members; no ack by the end of the interval → suspect. Helpers answer Nack when their own ping
 *   times out (Lifeguard), so a requester that gets neither ack nor nack blames itself.
 * - Suspicion (Lifeguard): timeout from `suspicionBounds` (Min = mult·max(1,log10 n)·interval,
 *   Max = maxMult·Min) shrinking with independent confirmations (suspicion.ts); local health
 *   (awareness.ts) multiplies our probe interval and timeout. Probing a suspect carries the
 *   suspicion in the ping itself (buddy system) so the accused can refute at once.
 * - Incarnations: only a member bumps its own. Hearing suspect/dead about ourselves → broadcast
 *   alive(inc+1) (refute). A restarted node starts at `init.lastIncarnation + 1`; the runner
 *   persists `incarnation` whenever `onIncarnationChange` fires.
 * - Precedence (SWIM, Das et al. 2002, §4.2, with memberlist's left state): alive(i) beats alive/suspect(j) iff i > j
 * and
 * dead/left(j) iff
 *   i > j; suspect(i) beats alive(j) iff i ≥ j; suspect(i) on a suspect is a confirmation;
 *   dead/left(i) beats alive/suspect(j) iff i ≥ j; nothing but a newer alive beats dead/left.
 * - Dissemination: every update is queued (broadcast-queue.ts) and piggybacked on all UDP
 *   packets up to `udpBufferSize`; dedicated gossip packets go every `gossipIntervalMs` to
 *   `gossipNodes` random members (also to members dead for < `gossipToTheDeadTimeMs`, so they
 *   can refute).
 * - Anti-entropy: push-pull (full member list + app full state, on the stream channel) with one
 *   random member every `pushPullIntervalMs`, scaled up beyond 32 nodes as memberlist does. The
 *   candidate set includes members dead for < `reconnectTimeoutMs` (serf's reconnect), which is
 *   what heals a partition after both sides have declared each other dead. A remote `dead` in
 *   push-pull is merged as `suspect` (the node gets a chance to refute), as in memberlist.
 * - Join = push-pull (join=true) with every seed address; while we know no live member we retry
 *   every `joinRetryIntervalMs`.
 * - Trust (with `components.signer`/`verifier`, member-signing.ts): an alive or left record is
 *   accepted only with its member's own signature, under the signing key pinned when the member
 *   was first accepted, so nobody else can change a node's address, ports, MAC, key or
 *   incarnation; a suspect/dead rumour may raise a known incarnation only with the member's
 *   signature at that incarnation, so a refutation is never forced towards the limit.
 *   Incarnations above MAX_INCARNATION are refused and a refutation never exceeds it (no wrap).
 *   PingReq is served only for a live member, to that member's own address, without piggyback.
 * - Bounds: at most `maxMembers` members; dead/left members are forgotten after `reapAfterMs`;
 *   each source address may add `newMembersBurst` members at once and `newMembersPerSecond`
 *   after that (a joining node, which knows nobody alive yet, takes its seed's whole answer).
 *   Refused input is counted by reason in `rejected`.
 * - Addresses are opaque strings to this module except member addresses, which it formats as
 *   `${address}:${gossipPort}`. For stream replies it answers to the `from` it was given, so a
 *   runner can pass a connection token there.
 */
import { Awareness } from './awareness'
import { BroadcastQueue, retransmitLimit } from './broadcast-queue'
import {
  GOSSIP_PROTOCOL_VERSION, MAX_INCARNATION, encodeGossipPacket, encodedAppDeltaSize,
  type GossipBody, type GossipPacket, type MemberRecord, type MemberState, type MemberUpdate,
} from '../transport'
import type { RecordSigner, RecordVerifier, SignedForm } from './member-signing'
import { Suspicion, suspicionBounds } from './suspicion'
import type { GossipAppState } from './types'

export interface MembershipConfig {
  /** SWIM protocol period (ms). memberlist LAN: 1000. */
  probeIntervalMs: number
  /** Wait for a direct ack before indirect probing (ms). LAN: 500. */
  probeTimeoutMs: number
  /** k helpers for PingReq. LAN: 3. */
  indirectChecks: number
  /** Scales the suspicion timeout. LAN: 4. */
  suspicionMult: number
  /** Max suspicion = this × Min. LAN: 6. */
  suspicionMaxTimeoutMult: number
  /** Retransmits per update = this × ceil(log10(n+1)). LAN: 4. */
  retransmitMult: number
  /** Dedicated gossip tick (ms). LAN: 200. */
  gossipIntervalMs: number
  /** Fan-out per gossip tick. LAN: 3. */
  gossipNodes: number
  /** Push-pull anti-entropy period (ms), before size scaling. LAN: 30000. */
  pushPullIntervalMs: number
  /** Keep gossiping to dead members this long (ms). LAN: 30000. */
  gossipToTheDeadTimeMs: number
  /** Dead (not left) members stay push-pull candidates this long (ms). Default 24 h (serf: 72 h). */
  reconnectTimeoutMs: number
  /** Retry joining the seeds this often while we know no live member (ms). Default 5000. */
  joinRetryIntervalMs: number
  /** Lifeguard local-health ceiling. LAN: 8. */
  awarenessMaxMultiplier: number
  /** Largest UDP packet we build, frame header included (bytes). LAN: 1400. */
  udpBufferSize: number
  /** Most members (any state, self included) in the table. Default 5000. */
  maxMembers: number
  /** Dead and left members are forgotten this long after they died (ms). Default 24 h. */
  reapAfterMs: number
  /** New members one source may introduce at once (token bucket size). Default 64. */
  newMembersBurst: number
  /** ... and per second after that. Default 4. */
  newMembersPerSecond: number
}

export const DEFAULT_MEMBERSHIP_CONFIG: Readonly<MembershipConfig> = Object.freeze({
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  retransmitMult: 4,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  pushPullIntervalMs: 30_000,
  gossipToTheDeadTimeMs: 30_000,
  reconnectTimeoutMs: 24 * 3600_000,
  joinRetryIntervalMs: 5000,
  awarenessMaxMultiplier: 8,
  udpBufferSize: 1400,
  maxMembers: 5000,
  reapAfterMs: 24 * 3600_000,
  newMembersBurst: 64,
  newMembersPerSecond: 4,
})

/** Why a membership message or rumour was refused (a fixed label set for the metrics). */
export const MEMBER_REJECT_REASONS = [
  'signature', 'key_changed', 'incarnation_limit', 'implausible_incarnation', 'table_full',
  'rate_limited', 'ping_req_refused',
] as const
export type MemberRejectReason = (typeof MEMBER_REJECT_REASONS)[number]

/** Outstanding indirect probes we relay for others, at most. */
const MAX_RELAYS = 256
/** Sources whose new-member budget we track, at most. */
const MAX_RATE_SOURCES = 1024

/** This node's advertised identity (state and incarnation are managed here). */
export type SelfRecord = Omit<MemberRecord, 'state' | 'incarnation'>

export interface MembershipInit {
  self: SelfRecord
  clusterId: string
  /** Last incarnation this node ever used (persisted); we start above it. Default: none (start at 0). */
  lastIncarnation?: number
  /** Gossip addresses ("ip:port") to join through. */
  seeds?: string[]
  /** Members known without a join (restored state, or preloaded by simulators). */
  initialMembers?: MemberRecord[]
  config?: Partial<MembershipConfig>
}

export interface MembershipComponents {
  /** Uniform in [0, 1). Seeded in tests and simulators. */
  random: () => number
  /**
   * Signs our own records (member-signing.ts). With `verifier`, records of others must carry
   * their member's signature. Both absent: unsigned, unchecked records (protocol-only tests).
   */
  signer?: RecordSigner
  verifier?: RecordVerifier
}

export type Channel = 'udp' | 'stream'

export interface Outgoing {
  /** Opaque address: a member's `ip:gossipPort`, a seed, or a `from` we are replying to. */
  to: string
  /** 'stream' for push-pull (may exceed the UDP budget), 'udp' otherwise. */
  channel: Channel
  packet: GossipPacket
}

/** What `members()` and change events expose (`loom status peers`). */
export interface MemberView extends Readonly<MemberRecord> {
  /** ms of the last packet received from it (undefined: never heard directly). */
  readonly lastSeenMs: number | undefined
  /** Smoothed round-trip time of direct probes (ms), undefined until the first ack. */
  readonly rttMs: number | undefined
  /** ms of the last state change. */
  readonly stateChangedAtMs: number
  /** True for this node's own entry. */
  readonly isSelf: boolean
}

export type MemberChangeListener = (member: MemberView, previousState: MemberState | undefined) => void

/** Counters for metrics (loom_gossip_*), monotonic. */
export interface MembershipCounters {
  probesSent: number
  probesFailed: number
  indirectProbesSent: number
  nacksSent: number
  suspicionsStarted: number
  suspicionsRefuted: number
  deathsDeclared: number
  refutations: number
  pushPullsSent: number
  packetsIgnored: number
}

interface Member {
  record: MemberRecord
  lastSeenMs: number | undefined
  /** When we last pushed our state to this member because it spoke to us while we held it dead. */
  revivalPushAt?: number
  rttMs: number | undefined
  stateChangedAtMs: number
  /** Order of insertion into `members`: membersAt lists in this order, as a scan of `members` did. */
  seq: number
}

interface ProbeInFlight {
  seqNo: number
  targetId: string
  sentAt: number
  timeoutAt: number
  endAt: number
  acked: boolean
  indirectSent: boolean
  expectedNacks: number
  nacks: number
}

interface Relay {
  requester: string
  requesterSeq: number
  expiresAt: number
}

const RTT_WEIGHT = 0.25

export class Membership {
  readonly config: Readonly<MembershipConfig>
  readonly counters: MembershipCounters = {
    probesSent: 0,
    probesFailed: 0,
    indirectProbesSent: 0,
    nacksSent: 0,
    suspicionsStarted: 0,
    suspicionsRefuted: 0,
    deathsDeclared: 0,
    refutations: 0,
    pushPullsSent: 0,
    packetsIgnored: 0,
  }

  /** Refused rumours and requests by reason (loom_control_gossip_messages_rejected_total). */
  readonly rejected: Record<MemberRejectReason,
  number> = Object.fromEntries(MEMBER_REJECT_REASONS.map((r) => [r, 0])) as Record<MemberRejectReason, number>

  /** Members forgotten after being dead or left for `reapAfterMs`. */
  reaped = 0

  private readonly selfId: string
  private readonly clusterId: string
  private readonly seeds: string[]
  private readonly random: () => number
  private readonly signer: RecordSigner | undefined
  private readonly verifier: RecordVerifier | undefined
  private readonly members = new Map<string, Member>()
  /** Every known member but self, for O(1) random picks. */
  private others: Member[] = []
  /**
   * Members by advertised address (membersAt): the control plane looks up the sender of every
   * IPAM frame, and a scan of every member per frame made a frame cost O(members).
   */
  private readonly byAddress = new Map<string, Member[]>()
  private memberSeq = 0
  /** New-member token buckets by source address. */
  private readonly newMemberBudget = new Map<string, { tokens: number, at: number }>()
  /** The packet being handled: its source address, and whether it may add members without limit. */
  private source: { id: string, unlimited: boolean } | undefined
  private nextReapAt = 0
  private live = 0
  private readonly suspicions = new Map<string, Suspicion>()
  private readonly queue = new BroadcastQueue()
  private readonly awareness: Awareness
  private readonly relays = new Map<number, Relay>()
  private readonly memberListeners: MemberChangeListener[] = []
  private readonly incarnationListeners: Array<(inc: number) => void> = []
  private appState: GossipAppState | undefined
  private out: Outgoing[] = []
  private probeOrder: string[] = []
  private probeIndex = 0
  private probe: ProbeInFlight | undefined
  private nextSeq = 1
  private started = false
  private left = false
  private nextProbeAt = 0
  private nextGossipAt = 0
  private nextPushPullAt = 0
  private nextJoinAt = 0

  constructor (components: MembershipComponents, init: MembershipInit) {
    this.config = Object.freeze({ ...DEFAULT_MEMBERSHIP_CONFIG, ...init.config })
    this.random = components.random
    this.signer = components.signer
    this.verifier = components.verifier
    this.clusterId = init.clusterId
    this.seeds = [...(init.seeds ?? [])]
    this.awareness = new Awareness(this.config.awarenessMaxMultiplier)
    this.selfId = init.self.nodeId
    const incarnation = init.lastIncarnation === undefined ? 0 : Math.min(init.lastIncarnation + 1, MAX_INCARNATION)
    this.addMember(this.signed({ ...init.self, incarnation, state: 'alive' }, 'alive'), 0)
    for (const m of init.initialMembers ?? []) {
      if (m.nodeId !== this.selfId && !this.members.has(m.nodeId)) this.addMember({ ...m }, 0)
    }
  }

  // ---- queries -------------------------------------------------------------------------------

  get nodeId (): string { return this.selfId }
  /** Our current incarnation (persist it on `onIncarnationChange`). */
  get incarnation (): number { return this.self.record.incarnation }
  /** Lifeguard local health score (0 = healthy). */
  get healthScore (): number { return this.awareness.getScore() }
  /** Rumours waiting in the piggyback queue. */
  get queuedBroadcasts (): number { return this.queue.length }
  get hasLeft (): boolean { return this.left }

  member (nodeId: string): MemberView | undefined {
    const m = this.members.get(nodeId)
    return m === undefined ? undefined : this.view(m)
  }

  /**
   * The signing key held for `nodeId` (self included), without copying the record: with a
   * verifier, the key pinned when the member was first accepted (see `trusted`). The node-state
   * channel checks entries against it.
   */
  signingKeyOf (nodeId: string): Uint8Array | undefined {
    return this.members.get(nodeId)?.record.signingKey
  }

  /**
   * A member's current record, itself, not a copy (records are immutable): for callers that
   * need only its advertised fields and state, per message (no MemberView built).
   */
  record (nodeId: string): Readonly<MemberRecord> | undefined {
    return this.members.get(nodeId)?.record
  }

  /** Known members advertising `address` (usually one; a restarted node's old ID shares it). */
  membersAt (address: string): MemberView[] {
    const at = this.byAddress.get(address)
    if (at === undefined) return []
    return at.map((m) => this.view(m))
  }

  /** All known members, this node included. */
  allMembers (): MemberView[] {
    return [...this.members.values()].map((m) => this.view(m))
  }

  /** Members (self included) in state alive or suspect: the estimate of n. */
  liveCount (): number {
    return this.live
  }

  /** The earliest time at which `tick` has work (ms); the runner may sleep until then. */
  nextWakeAt (): number {
    if (!this.started) return -Infinity
    let t = Math.min(this.nextProbeAt, this.nextGossipAt, this.nextPushPullAt)
    // An acked probe has nothing due before its end (tick only acts at timeoutAt for an unacked one):
    // waking at its passed timeoutAt would spin the runner at its 5 ms floor until endAt.
    if (this.probe !== undefined) {
      t = Math.min(t, this.probe.indirectSent || this.probe.acked ? this.probe.endAt : this.probe.timeoutAt)
    }
    for (const s of this.suspicions.values()) t = Math.min(t, s.deadline)
    for (const r of this.relays.values()) t = Math.min(t, r.expiresAt)
    if (this.seeds.length > 0 && this.liveCount() <= 1) t = Math.min(t, this.nextJoinAt)
    return t
  }

  // ---- hooks ---------------------------------------------------------------------------------

  /** Called on a member's state change or change of advertised fields. Returns an unsubscribe. */
  onMemberChange (listener: MemberChangeListener): () => void {
    this.memberListeners.push(listener)
    return () => { const i = this.memberListeners.indexOf(listener); if (i >= 0) this.memberListeners.splice(i, 1) }
  }

  /** Called whenever our own incarnation changes; persist it so a restart starts above it. */
  onIncarnationChange (listener: (incarnation: number) => void): void {
    this.incarnationListeners.push(listener)
  }

  /** Attach the one application state (IPAM) whose deltas ride on our packets. */
  attachAppState (app: GossipAppState): void {
    this.appState = app
  }

  // ---- driving -------------------------------------------------------------------------------

  /** Advance timers to `now` (ms, monotonic). Returns the packets to send. */
  tick (now: number): Outgoing[] {
    if (!this.started) this.start(now)
    if (this.probe !== undefined && !this.probe.acked && !this.probe.indirectSent &&
      now >= this.probe.timeoutAt) this.sendIndirectProbes()
    if (this.probe !== undefined && now >= this.probe.endAt) this.finishProbe(now)
    if (!this.left && now >= this.nextProbeAt) {
      this.startProbe(now)
      this.nextProbeAt = now + this.awareness.scaleTimeout(this.config.probeIntervalMs)
    }
    for (const [seq, r] of this.relays) {
      if (now < r.expiresAt) continue
      this.relays.delete(seq)
      this.counters.nacksSent++
      this.send(r.requester, 'udp', { type: 'ack', seqNo: r.requesterSeq, nack: true })
    }
    for (const [id, s] of this.suspicions) {
      if (now >= s.deadline) this.declareDead(id, now)
    }
    if (now >= this.nextGossipAt) {
      this.gossip(now)
      this.nextGossipAt = now + this.config.gossipIntervalMs
    }
    if (now >= this.nextPushPullAt) {
      this.pushPullRandom(now)
      this.nextPushPullAt = now + this.pushPullInterval()
    }
    if (this.seeds.length > 0 && this.liveCount() <= 1 && now >= this.nextJoinAt) {
      this.join()
      this.nextJoinAt = now + this.config.joinRetryIntervalMs
    }
    if (now >= this.nextReapAt) {
      this.reap(now)
      this.nextReapAt = now + 1000
    }
    return this.drain()
  }

  /** Handle one decoded packet from `from` (opaque address replies go to). Returns packets to send. */
  receive (from: string, packet: GossipPacket, now: number): Outgoing[] {
    if (packet.clusterId !== this.clusterId || packet.senderId === this.selfId ||
      packet.version !== GOSSIP_PROTOCOL_VERSION) {
      this.counters.packetsIgnored++
      return this.drain()
    }
    const sender = this.members.get(packet.senderId)
    if (sender !== undefined) {
      sender.lastSeenMs = now
      this.answerTheDead(sender, from, now)
    }
    // A joining node (seeds, nobody alive yet) takes the whole list a seed answers with. Budgets
    // are per source address: a sender can make up node IDs, not addresses that reach it.
    const joinAnswer = packet.body.type === 'push-pull' && packet.body.reply && this.seeds.length > 0 &&
    this.liveCount() <= 1
    this.source = { id: from.slice(0, from.lastIndexOf(':')), unlimited: joinAnswer }
    try {
      this.receiveBody(from, packet, sender, now)
    } finally {
      this.source = undefined
    }
    return this.drain()
  }

  private receiveBody (from: string, packet: GossipPacket, sender: Member | undefined, now: number): void {
    for (const u of packet.updates) this.applyUpdate(u.member, u.fromId, now)
    if (packet.appDeltas.length > 0) {
      this.appState?.receive({ type: 'deltas', deltas: packet.appDeltas, fromNodeId: packet.senderId })
    }
    const b = packet.body
    switch (b.type) {
      case 'ping':
        if (b.targetId !== this.selfId) { this.counters.packetsIgnored++; break }
        this.send(from, 'udp', { type: 'ack', seqNo: b.seqNo, nack: false })
        break
      case 'ack': this.handleAck(packet.senderId, b.seqNo, b.nack, now); break
      case 'ping-req': {
        // Only for a live member asking from its own address, about a member at that member's
        // own address: nobody can use us to send pings to arbitrary hosts.
        const target = this.members.get(b.targetId)
        if (sender === undefined || !isLive(sender.record.state) ||
          from.slice(0, from.lastIndexOf(':')) !== sender.record.address ||
          target === undefined || target.record.nodeId === this.selfId || target.record.address !== b.targetAddress ||
          target.record.gossipPort !== b.targetPort || this.relays.size >= MAX_RELAYS) {
          this.rejected.ping_req_refused++
          break
        }
        const seqNo = this.nextSeq++
        this.relays.set(seqNo, { requester: from, requesterSeq: b.seqNo, expiresAt: now + this.config.probeTimeoutMs })
        // A bare ping: the relay carries no rumours of ours.
        this.out.push({
          to: this.addressOf(target.record),
          channel: 'udp',
          packet: {
            version: GOSSIP_PROTOCOL_VERSION,
            clusterId: this.clusterId,
            senderId: this.selfId,
            body: { type: 'ping', seqNo, targetId: b.targetId },
            updates: [],
            appDeltas: []
          },
        })
        break
      }
      case 'push-pull':
        for (const m of b.members) {
          // memberlist mergeRemoteState: a remote "dead" is only a suspicion here
          const state: MemberState = m.state === 'dead' ? 'suspect' : m.state
          this.applyUpdate({ ...m, state }, packet.senderId, now)
        }
        if (b.appState.length > 0) {
          this.appState?.receive({ type: 'full', state: b.appState, fromNodeId: packet.senderId })
        }
        if (!b.reply) this.sendPushPull(from, false, true)
        break
      case 'gossip': break
    }
  }

  /**
   * Graceful leave: broadcast `left` about ourselves and stop probing. Keep ticking for a few
   * gossip intervals (≈ 1–2 s) so the news spreads before stopping the runner.
   */
  leave (now: number): Outgoing[] {
    if (!this.left) {
      this.left = true
      this.probe = undefined
      const prev = this.self.record.state
      this.replaceRecord(this.self, this.signed({ ...this.self.record, state: 'left' }, 'left'))
      this.self.stateChangedAtMs = now
      this.emit(this.self, prev)
      this.queue.enqueue(this.updateOf(this.self.record, this.selfId))
      this.gossip(now)
    }
    return this.drain()
  }

  // ---- probing -------------------------------------------------------------------------------

  private start (now: number): void {
    this.started = true
    const r = this.random()
    this.nextProbeAt = now + Math.floor(r * this.config.probeIntervalMs)
    this.nextGossipAt = now + Math.floor(r * this.config.gossipIntervalMs)
    this.nextPushPullAt = now + Math.floor(this.random() * this.pushPullInterval())
    this.nextJoinAt = now + this.config.joinRetryIntervalMs
    this.queue.enqueue(this.updateOf(this.self.record, this.selfId))
    this.join()
  }

  private join (): void {
    for (const seed of this.seeds) {
      if (seed === this.addressOf(this.self.record)) continue
      this.sendPushPull(seed, true, false)
    }
  }

  private nextProbeTarget (): Member | undefined {
    for (let attempts = 0; attempts < 2; attempts++) {
      while (this.probeIndex < this.probeOrder.length) {
        const m = this.members.get(this.probeOrder[this.probeIndex++])
        if (m !== undefined && (m.record.state === 'alive' || m.record.state === 'suspect')) return m
      }
      // end of a pass: reshuffle (SWIM round-robin bound 2n-1 periods)
      this.probeOrder = [...this.members.keys()].filter((id) => id !== this.selfId)
      this.shuffle(this.probeOrder)
      this.probeIndex = 0
    }
    return undefined
  }

  private startProbe (now: number): void {
    const target = this.nextProbeTarget()
    if (target === undefined) return
    const seqNo = this.nextSeq++
    this.probe = {
      seqNo,
      targetId: target.record.nodeId,
      sentAt: now,
      timeoutAt: now + this.awareness.scaleTimeout(this.config.probeTimeoutMs),
      endAt: now + this.awareness.scaleTimeout(this.config.probeIntervalMs),
      acked: false,
      indirectSent: false,
      expectedNacks: 0,
      nacks: 0,
    }
    this.counters.probesSent++
    // Lifeguard buddy system: a suspect learns of the suspicion from the probe itself
    const buddy = target.record.state === 'suspect' ? this.updateOf(target.record, this.selfId) : undefined
    this.send(this.addressOf(target.record), 'udp', { type: 'ping', seqNo, targetId: target.record.nodeId }, buddy)
  }

  private sendIndirectProbes (): void {
    const p = this.probe!
    p.indirectSent = true
    const target = this.members.get(p.targetId)
    if (target === undefined) return
    const helpers = this.randomMembers(this.config.indirectChecks, (m) => m.record.state === 'alive' &&
      m.record.nodeId !== p.targetId)
    p.expectedNacks = helpers.length
    for (const h of helpers) {
      this.counters.indirectProbesSent++
      this.send(this.addressOf(h.record), 'udp', {
        type: 'ping-req',
        seqNo: p.seqNo,
        targetId: p.targetId,
        targetAddress: target.record.address,
        targetPort: target.record.gossipPort,
      })
    }
  }

  private handleAck (senderId: string, seqNo: number, nack: boolean, now: number): void {
    const relay = this.relays.get(seqNo)
    if (relay !== undefined) {
      if (nack) return
      this.relays.delete(seqNo)
      this.send(relay.requester, 'udp', { type: 'ack', seqNo: relay.requesterSeq, nack: false })
      return
    }
    const p = this.probe
    if (p === undefined || p.seqNo !== seqNo) return
    if (nack) { p.nacks++; return }
    if (p.acked) return
    p.acked = true
    const target = this.members.get(p.targetId)
    if (target !== undefined && senderId === p.targetId) {
      const sample = now - p.sentAt
      target.rttMs = target.rttMs === undefined ? sample : target.rttMs + RTT_WEIGHT * (sample - target.rttMs)
    }
  }

  private finishProbe (now: number): void {
    const p = this.probe!
    this.probe = undefined
    if (p.acked) { this.awareness.applyDelta(-1); return }
    this.counters.probesFailed++
    // Lifeguard: a failed probe, plus every nack we did not get, counts against our own health
    this.awareness.applyDelta(1 + Math.max(0, p.expectedNacks - p.nacks))
    const target = this.members.get(p.targetId)
    if (target !== undefined && (target.record.state === 'alive' || target.record.state === 'suspect')) {
      // on a member we already suspect this is our own independent confirmation
      this.applyUpdate({ ...target.record, state: 'suspect' }, this.selfId, now)
    }
  }

  // ---- state merging -------------------------------------------------------------------------

  /** Apply one rumour with SWIM precedence (see the header). `fromId` originated it. */
  private applyUpdate (rec: MemberRecord, fromId: string, now: number): void {
    if (rec.incarnation > MAX_INCARNATION) { this.rejected.incarnation_limit++; return }
    if (rec.nodeId === this.selfId) { this.applyAboutSelf(rec); return }
    const m = this.members.get(rec.nodeId)
    const cur = m?.record
    // A rumour that raises a known member's incarnation must carry that member's signature.
    if (cur !== undefined && rec.incarnation > cur.incarnation &&
      !this.trusted(rec, cur, rec.state === 'left' ? 'left' : 'alive')) return
    switch (rec.state) {
      case 'alive': {
        if (m === undefined) {
          if (!this.admit(rec, now)) return
          const fresh = this.addMember({ ...rec }, now)
          this.probeOrder.splice(Math.floor(this.random() * (this.probeOrder.length + 1)), 0, rec.nodeId)
          this.queue.enqueue(this.updateOf(fresh.record, fromId))
          this.emit(fresh, undefined)
          return
        }
        if (rec.incarnation <= cur!.incarnation) return
        const prev = cur!.state
        const fieldsChanged = advertisedFieldsDiffer(cur!, rec)
        if (this.suspicions.delete(rec.nodeId)) this.counters.suspicionsRefuted++
        this.replaceRecord(m, { ...rec })
        if (prev !== 'alive') m.stateChangedAtMs = now
        this.queue.enqueue(this.updateOf(m.record, fromId))
        if (prev !== 'alive' || fieldsChanged) this.emit(m, prev)
        return
      }
      case 'suspect': {
        if (m === undefined || rec.incarnation < cur!.incarnation) return
        if (cur!.state === 'dead' || cur!.state === 'left') return
        // A higher incarnation was proven above: take the member's own record at it.
        if (rec.incarnation > cur!.incarnation) this.replaceRecord(m, { ...rec, state: cur!.state })
        if (cur!.state === 'suspect') {
          const s = this.suspicions.get(rec.nodeId)
          if (s !== undefined && s.confirm(fromId)) this.queue.enqueue(this.updateOf(cur!, fromId))
          return
        }
        this.counters.suspicionsStarted++
        const n = this.liveCount()
        const {
          minMs, maxMs
        } = suspicionBounds(this.config.suspicionMult, this.config.suspicionMaxTimeoutMult, n,
          this.config.probeIntervalMs)
        this.suspicions.set(rec.nodeId, new Suspicion(now, fromId, this.config.suspicionMult - 2, minMs, maxMs))
        this.setState(m, 'suspect', rec.incarnation, now)
        this.queue.enqueue(this.updateOf(m.record, fromId))
        return
      }
      case 'dead':
      case 'left': {
        if (m === undefined || rec.incarnation < cur!.incarnation) return
        if (cur!.state === 'dead' || cur!.state === 'left') return
        // `left` is the member's own word: only its signature makes it so.
        if (rec.state === 'left' && rec.incarnation === cur!.incarnation && !this.trusted(rec, cur!, 'left')) return
        if (rec.incarnation > cur!.incarnation || rec.state === 'left') {
          this.replaceRecord(m,
            { ...rec, state: cur!.state })
        }
        this.suspicions.delete(rec.nodeId)
        this.setState(m, rec.state, rec.incarnation, now)
        this.queue.enqueue(this.updateOf(m.record, fromId))
      }
    }
  }

  private applyAboutSelf (rec: MemberRecord): void {
    const self = this.self.record
    if (this.left) return
    if (rec.state === 'alive' && rec.incarnation <= self.incarnation) return
    if (rec.state !== 'alive' && rec.incarnation < self.incarnation) return
    // An incarnation above ours is only believable with our own signature (a life of ours
    // before a restore from backup); otherwise it is a forgery pushing us towards the limit.
    if (rec.incarnation > self.incarnation && !this.trusted(rec, self, rec.state === 'left' ? 'left' : 'alive')) return
    // Only we leave: a `left` about us that we did not sign is a forgery, not news to refute.
    if (rec.state === 'left' && rec.incarnation === self.incarnation && !this.trusted(rec, self, 'left')) return
    if (rec.incarnation >= MAX_INCARNATION) { this.rejected.incarnation_limit++; return }
    // Someone suspects us, declares us dead, or repeats an old life of ours: refute.
    this.counters.refutations++
    if (rec.state !== 'alive') this.awareness.applyDelta(1)
    const incarnation = rec.incarnation + 1
    this.replaceRecord(this.self, this.signed({ ...self, incarnation }, 'alive'))
    for (const l of this.incarnationListeners) l(incarnation)
    this.queue.enqueue(this.updateOf(this.self.record, this.selfId))
  }

  /**
   * True when `rec` carries a valid signature of its member over `form`, under the signing key
   * pinned for it (`cur`'s, when `cur` has one). Without a verifier everything is trusted.
   */
  private trusted (rec: MemberRecord, cur: MemberRecord | undefined, form: SignedForm): boolean {
    if (this.verifier === undefined) return true
    const pinned = cur?.signingKey
    if (pinned !== undefined && (rec.signingKey === undefined || !Buffer.from(pinned).equals(rec.signingKey))) {
      this.rejected.key_changed++
      return false
    }
    if (!this.verifier.verify(rec, form)) {
      if (rec.incarnation > (cur?.incarnation ?? -1) && rec.state !== 'alive' &&
        rec.state !== 'left') this.rejected.implausible_incarnation++
      else this.rejected.signature++
      return false
    }
    return true
  }

  /** A new member: room in the table, budget of its source, and its own signature. */
  private admit (rec: MemberRecord, now: number): boolean {
    if (this.members.size >= this.config.maxMembers) { this.rejected.table_full++; return false }
    const src = this.source
    if (src !== undefined && !src.unlimited) {
      let b = this.newMemberBudget.get(src.id)
      if (b === undefined) {
        if (this.newMemberBudget.size >= MAX_RATE_SOURCES) this.newMemberBudget.clear()
        b = { tokens: this.config.newMembersBurst, at: now }
        this.newMemberBudget.set(src.id, b)
      }
      b.tokens = Math.min(this.config.newMembersBurst, b.tokens + (now - b.at) * this.config.newMembersPerSecond / 1000)
      b.at = now
      if (b.tokens < 1) { this.rejected.rate_limited++; return false }
      b.tokens--
    }
    return this.trusted(rec, undefined, 'alive')
  }

  /** Forgets members dead or left for longer than `reapAfterMs` (memberlist's reaping). */
  private reap (now: number): void {
    let removed = false
    for (const m of this.others) {
      const s = m.record.state
      if ((s === 'dead' || s === 'left') && now - m.stateChangedAtMs >= this.config.reapAfterMs) {
        this.members.delete(m.record.nodeId)
        this.unindexAddress(m, m.record.address)
        this.suspicions.delete(m.record.nodeId)
        removed = true
        this.reaped++
      }
    }
    if (removed) this.others = this.others.filter((m) => this.members.get(m.record.nodeId) === m)
  }

  /** Our own record, signed in its alive or left form (unchanged without a signer). */
  private signed (rec: MemberRecord, form: SignedForm): MemberRecord {
    return this.signer === undefined ? rec : this.signer.sign(rec, form)
  }

  private declareDead (nodeId: string, now: number): void {
    this.suspicions.delete(nodeId)
    const m = this.members.get(nodeId)
    if (m === undefined || m.record.state !== 'suspect') return
    this.counters.deathsDeclared++
    this.setState(m, 'dead', m.record.incarnation, now)
    this.queue.enqueue(this.updateOf(m.record, this.selfId))
  }

  private setState (m: Member, state: MemberState, incarnation: number, now: number): void {
    const prev = m.record.state
    this.replaceRecord(m, { ...m.record, state, incarnation })
    if (prev !== state) {
      m.stateChangedAtMs = now
      this.emit(m, prev)
    }
  }

  // ---- dissemination -------------------------------------------------------------------------

  private gossip (now: number): void {
    const targets = this.randomMembers(this.config.gossipNodes, (m) =>
      m.record.state === 'alive' || m.record.state === 'suspect' ||
      (m.record.state === 'dead' && now - m.stateChangedAtMs < this.config.gossipToTheDeadTimeMs))
    for (const t of targets) {
      const packet = this.buildPacket({ type: 'gossip' })
      if (packet.updates.length === 0 && packet.appDeltas.length === 0) return
      this.out.push({ to: this.addressOf(t.record), channel: 'udp', packet })
    }
  }

  /**
   * A member we hold dead is talking to us from its own address: it does not know. SWIM leaves
   * this to anti-entropy (a push-pull every 30 s), and until then we route nothing to it while
   * it routes to us: seen as a node cut off for > 15 s after a partition or a restart healed
   * (issue 10's fault suite). Our state, pushed to it, carries "dead" about it, which it takes
   * as a suspicion and refutes with a higher incarnation; the refutation revives it here. Only
   * to the address in its record, at most once per probe interval per member, so a forged
   * sender ID can only make us talk to a real member, rarely.
   */
  private answerTheDead (sender: Member, from: string, now: number): void {
    if (sender.record.state !== 'dead' || from.slice(0, from.lastIndexOf(':')) !== sender.record.address) return
    if (sender.revivalPushAt !== undefined && now - sender.revivalPushAt < this.config.probeIntervalMs) return
    sender.revivalPushAt = now
    this.sendPushPull(this.addressOf(sender.record), false, false)
  }

  private pushPullRandom (now: number): void {
    const [peer] = this.randomMembers(1, (m) =>
      m.record.state === 'alive' || m.record.state === 'suspect' ||
      (m.record.state === 'dead' && now - m.stateChangedAtMs < this.config.reconnectTimeoutMs))
    if (peer !== undefined) this.sendPushPull(this.addressOf(peer.record), false, false)
  }

  private sendPushPull (to: string, join: boolean, reply: boolean): void {
    this.counters.pushPullsSent++
    const members = [...this.members.values()].map((m) => m.record)
    const appState = this.appState?.fullState() ?? new Uint8Array(0)
    this.out.push({
      to,
      channel: 'stream',
      packet: {
        version: GOSSIP_PROTOCOL_VERSION,
        clusterId: this.clusterId,
        senderId: this.selfId,
        body: { type: 'push-pull', join, reply, members, appState },
        updates: [],
        appDeltas: []
      },
    })
  }

  /** memberlist pushPullScale: beyond 32 nodes, × (ceil(log2 n − log2 32) + 1). */
  private pushPullInterval (): number {
    const n = this.liveCount()
    if (n <= 32) return this.config.pushPullIntervalMs
    return this.config.pushPullIntervalMs * (Math.ceil(Math.log2(n) - Math.log2(32)) + 1)
  }

  private send (to: string, channel: Channel, body: GossipBody, first?: MemberUpdate): void {
    this.out.push({ to, channel, packet: this.buildPacket(body, first) })
  }

  /** Envelope + piggybacked updates and app deltas up to the UDP budget. */
  private buildPacket (body: GossipBody, first?: MemberUpdate): GossipPacket {
    const packet: GossipPacket = {
      version: GOSSIP_PROTOCOL_VERSION,
      clusterId: this.clusterId,
      senderId: this.selfId,
      body,
      updates: first !== undefined ? [first] : [],
      appDeltas: [],
    }
    let budget = this.config.udpBufferSize - encodeGossipPacket(packet).length
    if (this.queue.length > 0) {
      const taken = this.queue.take(budget, retransmitLimit(this.config.retransmitMult, this.liveCount()),
        first?.member.nodeId)
      for (const u of taken) packet.updates.push(u)
      if (taken.length > 0) budget = this.config.udpBufferSize - encodeGossipPacket(packet).length
    }
    if (this.appState !== undefined && budget > 0) {
      for (const d of this.appState.deltasToPiggyback(budget)) {
        const size = encodedAppDeltaSize(d)
        if (size > budget) continue
        budget -= size
        packet.appDeltas.push(d)
      }
    }
    return packet
  }

  // ---- helpers -------------------------------------------------------------------------------

  private addMember (record: MemberRecord, now: number): Member {
    const m: Member = { record, lastSeenMs: undefined, rttMs: undefined, stateChangedAtMs: now, seq: this.memberSeq++ }
    this.members.set(record.nodeId, m)
    this.indexAddress(m)
    if (record.nodeId !== this.selfId) this.others.push(m)
    if (isLive(record.state)) this.live++
    return m
  }

  /** Records are immutable once built (packets may still reference the old one). */
  private replaceRecord (m: Member, record: MemberRecord): void {
    this.live += (isLive(record.state) ? 1 : 0) - (isLive(m.record.state) ? 1 : 0)
    const oldAddress = m.record.address
    m.record = record
    if (record.address !== oldAddress) {
      this.unindexAddress(m, oldAddress)
      this.indexAddress(m)
    }
  }

  /** Adds m to byAddress under its record's address, in `seq` order. */
  private indexAddress (m: Member): void {
    const at = this.byAddress.get(m.record.address)
    if (at === undefined) { this.byAddress.set(m.record.address, [m]); return }
    let i = at.length
    while (i > 0 && at[i - 1].seq > m.seq) i--
    at.splice(i, 0, m)
  }

  private unindexAddress (m: Member, address: string): void {
    const at = this.byAddress.get(address)
    if (at === undefined) return
    const i = at.indexOf(m)
    if (i >= 0) at.splice(i, 1)
    if (at.length === 0) this.byAddress.delete(address)
  }

  private get self (): Member {
    return this.members.get(this.selfId)!
  }

  private updateOf (rec: MemberRecord, fromId: string): MemberUpdate {
    return { member: { ...rec }, fromId }
  }

  private addressOf (rec: MemberRecord): string {
    return `${rec.address}:${rec.gossipPort}`
  }

  private drain (): Outgoing[] {
    const out = this.out
    this.out = []
    return out
  }

  private emit (m: Member, prev: MemberState | undefined): void {
    if (this.memberListeners.length === 0) return
    const v = this.view(m)
    for (const l of this.memberListeners) l(v, prev)
  }

  private view (m: Member): MemberView {
    return {
      ...m.record,
      lastSeenMs: m.lastSeenMs,
      rttMs: m.rttMs,
      stateChangedAtMs: m.stateChangedAtMs,
      isSelf: m.record.nodeId === this.selfId
    }
  }

  /**
   * Up to k distinct random members (never self) satisfying `pred`: rejection sampling over
   * `others` (O(k) when most members qualify), falling back to a full scan.
   */
  private randomMembers (k: number, pred: (m: Member) => boolean): Member[] {
    const picked: Member[] = []
    const n = this.others.length
    if (k <= 0 || n === 0) return picked
    for (let attempts = 0; attempts < 4 * k && picked.length < k; attempts++) {
      const m = this.others[Math.floor(this.random() * n)]
      if (pred(m) && !picked.includes(m)) picked.push(m)
    }
    if (picked.length === k) return picked
    const pool = this.others.filter((m) => pred(m) && !picked.includes(m))
    while (picked.length < k && pool.length > 0) {
      const j = Math.floor(this.random() * pool.length)
      picked.push(pool[j])
      pool[j] = pool[pool.length - 1]
      pool.pop()
    }
    return picked
  }

  private shuffle<T> (a: T[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1))
      const tmp = a[i]; a[i] = a[j]; a[j] = tmp
    }
  }
}

function isLive (s: MemberState): boolean {
  return s === 'alive' || s === 'suspect'
}

function advertisedFieldsDiffer (a: MemberRecord, b: MemberRecord): boolean {
  return a.nodeName !== b.nodeName || a.address !== b.address || a.dataPort !== b.dataPort ||
    a.gossipPort !== b.gossipPort || a.encapsulation !== b.encapsulation ||
    !Buffer.from(a.vtepMac).equals(b.vtepMac) || !Buffer.from(a.publicKey).equals(b.publicKey)
}
