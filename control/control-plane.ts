/**
 * The gossip control plane of one node: drives the pure state machines (Membership, Ipam) with
 * real time and the real network (GossipTransport), and turns their state into route commands
 * for the data plane.
 *
 * Roles (mesh's sender / receiver / state): the transport sends and receives frames; Membership
 * and Ipam are the state, each behind its own frame magic ('LG', 'LI'); this class only moves
 * frames and timestamps between them, persists the incarnation, and recomputes routes when
 * membership or block ownership changes. It never blocks and never throws on remote input.
 *
 * Routes: every block owned by a live (alive or suspect) member other than us becomes a route
 * prefix -> that member's PeerRoute. A member that is declared dead loses its routes at once; its
 * blocks move only when IPAM reclaims them (after the grace period), and then route to the new
 * owner.
 */
import type { Logger } from 'pino'
import {
  createPeerRoute, deriveNodeIndex, PeerRoute, RouteTable,
} from '../dataplane'
import {
  decodeGossipPacket, encodeGossipPacket, GOSSIP_FRAME_MAGIC, isDecodeFailure, STREAM_LIMITS,
  UDP_LIMITS, type DecodeLimits, type MemberRecord,
  frame, type FrameTransport, type StreamReply,
} from './transport'
import { Membership, MemberView, Outgoing as MembershipOutgoing } from './membership'
import type { IpamDriver } from './types'

/** Frame magic of IPAM messages ('LI'). */
export const IPAM_FRAME_MAGIC = 0x4c49

export interface ControlPlaneComponents {
  logger: Logger
  membership: Membership
  transport: FrameTransport
  /** Receives each new route table (the data plane swaps it in). */
  setRoutes: (table: RouteTable) => void
  /** Persists our incarnation before it is advertised further. */
  saveIncarnation: (incarnation: number) => void
  ipam?: IpamDriver
  /**
   * Told when a member's message made a state machine throw (a bug that remote input reached):
   * the message is dropped and counted; the agent logs it rate-limited per node ID.
   */
  reportRemoteError?: (nodeId: string, err: unknown) => void
  /** Monotonic ms, the clock of every state machine it drives; default monotonicMs. */
  clock?: () => number
  /** Schedules the next step; default the global timers (test/sim passes its simulated ones). */
  timers?: Timers
}

/** The two timer functions the control plane uses, injectable so a simulation owns time. */
export interface Timers {
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
}

const GLOBAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => { clearTimeout(handle as NodeJS.Timeout) },
}

/** Monotonic ms since the process started: immune to wall-clock jumps. */
export function monotonicMs (): number {
  return Math.round(performance.now())
}

export interface ControlPlaneInit {
  selfIndex: number
  selfVtepMAC: Buffer
  /** Inner MTU towards peers. */
  mtu: number
  /** Longest sleep between ticks (ms): bounds timer drift and IPAM's tick period. */
  maxTickIntervalMs?: number
  /**
   * Most members a push-pull may list (default: STREAM_LIMITS'). The member table cap: a bigger
   * list is refused by the decoder's pre-scan, before any record is built.
   */
  maxMembers?: number
}

export interface ControlPlaneCounters {
  decodeErrors: number
  routeRebuilds: number
  /** Messages that made a state machine throw (dropped; see reportRemoteError). */
  handlerErrors: number
}

/** Traffic per gossip message type (the `type` label of the gossip metrics; a fixed set). */
export interface GossipTypeCounters { messagesIn: number; messagesOut: number; bytesIn: number; bytesOut: number }
export const GOSSIP_TYPES = ['ping', 'ack', 'ping_req', 'push_pull', 'gossip', 'ipam'] as const
type GossipType = (typeof GOSSIP_TYPES)[number]

function newGossipCounters (): Record<GossipType, GossipTypeCounters> {
  const out = {} as Record<GossipType, GossipTypeCounters>
  for (const t of GOSSIP_TYPES) out[t] = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 }
  return out
}

/** Membership body types -> metric label. */
const TYPE_OF_BODY: Record<string,
GossipType> = { ping: 'ping', ack: 'ack', 'ping-req': 'ping_req', 'push-pull': 'push_pull', gossip: 'gossip' }

export class ControlPlane {
  readonly counters: ControlPlaneCounters = { decodeErrors: 0, routeRebuilds: 0, handlerErrors: 0 }
  readonly gossipCounters = newGossipCounters()
  private timer: unknown
  private running = false
  private routesDirty = true
  private lastIpamRoutesVersion = -1
  /** Current peers by node ID, reused across rebuilds so their counters survive. */
  private readonly peerRoutes = new Map<string, PeerRoute>()
  /**
   * The member record each of peerRoutes was last checked against. Records are immutable
   * (Membership replaces them), so the same record means the same PeerRoute without comparing
   * fields: peerFor runs for every route of every rebuild, and the comparison was 5 % of a
   * 200-node test/sim/ipam-stack.ts run.
   */
  private readonly peerRecords = new Map<string, Readonly<MemberRecord>>()
  private readonly startedAt = Date.now()

  private readonly streamLimits: DecodeLimits

  constructor (private readonly c: ControlPlaneComponents, private readonly init: ControlPlaneInit) {
    this.streamLimits = {
      ...STREAM_LIMITS, maxMembers: Math.min(STREAM_LIMITS.maxMembers, init.maxMembers ?? Infinity)
    }
  }

  /** The clock of the state machines (components.clock, default monotonicMs). */
  now (): number {
    return (this.c.clock ?? monotonicMs)()
  }

  start (): void {
    const { membership, transport } = this.c
    membership.onIncarnationChange((inc) => this.c.saveIncarnation(inc))
    membership.onMemberChange((m) => {
      this.routesDirty = true
      if (!m.isSelf && m.state !== 'left') this.c.ipam?.onMemberChange(m.nodeId, m.state, this.now())
      if (!m.isSelf && m.state === 'left') this.c.ipam?.onMemberChange(m.nodeId, 'dead', this.now())
    })
    transport.onFrame((magic, f, from, reply, channel) => { this.receive(magic, f, from, reply, channel) })
    this.running = true
    this.run()
  }

  stop (): void {
    this.running = false
    if (this.timer !== undefined) (this.c.timers ?? GLOBAL_TIMERS).clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Gracefully leaves the cluster (a `left` broadcast), so peers drop our routes at once. */
  leave (): void {
    this.send(this.c.membership.leave(this.now()), undefined)
  }

  /** Members as `loom status peers` shows them. */
  members (): MemberView[] {
    return this.c.membership.allMembers()
  }

  peerRoute (nodeId: string): PeerRoute | undefined {
    return this.peerRoutes.get(nodeId)
  }

  uptimeMs (): number {
    return Date.now() - this.startedAt
  }

  /** One step: tick the state machines, send what they produced, rebuild routes if needed. */
  private run (): void {
    if (!this.running) return
    const now = this.now()
    this.send(this.c.membership.tick(now), undefined)
    const ipam = this.c.ipam
    if (ipam !== undefined) {
      ipam.tick(now)
      this.flushIpam()
    }
    this.rebuildRoutesIfNeeded()
    const max = this.init.maxTickIntervalMs ?? 100
    const wake = Math.min(this.c.membership.nextWakeAt(), now + max)
    this.timer = (this.c.timers ?? GLOBAL_TIMERS).setTimeout(() => this.run(), Math.max(5, wake - this.now()))
  }

  private receive (magic: number, f: Buffer, from: string, reply: StreamReply | undefined,
    channel: 'udp' | 'stream'): void {
    const now = this.now()
    if (magic === GOSSIP_FRAME_MAGIC) {
      // A push-pull answer comes back on the stream we opened (no `reply`): stream limits too.
      const packet = decodeGossipPacket(f, channel === 'udp' ? UDP_LIMITS : this.streamLimits)
      if (isDecodeFailure(packet)) { this.counters.decodeErrors++; return }
      const c = this.gossipCounters[TYPE_OF_BODY[packet.body.type] ?? 'gossip']
      c.messagesIn++
      c.bytesIn += f.length
      let out: MembershipOutgoing[]
      try {
        out = this.c.membership.receive(from, packet, now)
      } catch (err) {
        this.noteHandlerError(packet.senderId, err)
        return
      }
      this.send(out, reply === undefined ? undefined : { from, reply })
    } else if (magic === IPAM_FRAME_MAGIC && this.c.ipam !== undefined) {
      const sender = this.senderOf(from)
      if (sender === undefined) { this.counters.decodeErrors++; return }
      this.gossipCounters.ipam.messagesIn++
      this.gossipCounters.ipam.bytesIn += f.length
      try {
        this.c.ipam.receiveFrame(f.subarray(6), sender, now)
      } catch (err) {
        this.noteHandlerError(sender, err)
      }
      this.flushIpam()
    } else {
      this.counters.decodeErrors++
    }
    this.rebuildRoutesIfNeeded()
  }

  private noteHandlerError (nodeId: string, err: unknown): void {
    this.counters.handlerErrors++
    this.c.reportRemoteError?.(nodeId, err)
  }

  /**
   * The member whose gossip address sent a frame (IPAM trusts membership's address book). A
   * node that restarted as a new node ID (wiped state, --reset-ipam) shares its address with
   * its old ID, which stays in the table as suspect/dead: the live one, else the one heard last.
   */
  private senderOf (from: string): string | undefined {
    const host = from.slice(0, from.lastIndexOf(':'))
    let best: MemberView | undefined
    for (const m of this.c.membership.membersAt(host)) {
      if (m.isSelf) continue
      if (best === undefined || senderRank(m) > senderRank(best)) best = m
    }
    return best?.nodeId
  }

  private send (out: MembershipOutgoing[], inbound: { from: string; reply: StreamReply } | undefined): void {
    for (const o of out) {
      const bytes = encodeGossipPacket(o.packet)
      const c = this.gossipCounters[TYPE_OF_BODY[o.packet.body.type] ?? 'gossip']
      c.messagesOut++
      c.bytesOut += bytes.length
      if (o.channel === 'udp') this.c.transport.sendDatagram(o.to, bytes)
      else if (inbound !== undefined && o.to === inbound.from) inbound.reply(bytes)
      else this.c.transport.sendStream(o.to, bytes)
    }
  }

  private flushIpam (): void {
    const ipam = this.c.ipam
    if (ipam === undefined) return
    const selfId = this.c.membership.nodeId
    // Messages to ourselves (we are our own acceptor) are delivered in place; their answers may
    // produce more, so loop, bounded.
    for (let round = 0; round < 16; round++) {
      const out = ipam.takeOutbox()
      if (out.length === 0) return
      for (const { to, body } of out) {
        if (to === selfId) {
          ipam.receiveFrame(body, selfId, this.now())
          continue
        }
        const m = this.c.membership.record(to)
        if (m === undefined) continue
        const f = frame(IPAM_FRAME_MAGIC, body)
        this.gossipCounters.ipam.messagesOut++
        this.gossipCounters.ipam.bytesOut += f.length
        const addr = `${m.address}:${m.gossipPort}`
        // Big IPAM messages (state transfer) go over a stream; the rest fit a datagram.
        if (f.length > 1200) this.c.transport.sendStream(addr, f)
        else this.c.transport.sendDatagram(addr, f)
      }
    }
  }

  private rebuildRoutesIfNeeded (): void {
    const ipam = this.c.ipam
    if (ipam !== undefined && ipam.routesVersion !== this.lastIpamRoutesVersion) this.routesDirty = true
    if (!this.routesDirty) return
    this.routesDirty = false
    this.lastIpamRoutesVersion = ipam?.routesVersion ?? -1
    this.counters.routeRebuilds++
    // Only the members that own routes or have a PeerRoute are looked up (once each): listing
    // every member here made each membership change cost O(members) at every node.
    const live = new Map<string, Readonly<MemberRecord> | undefined>()
    const selfId = this.c.membership.nodeId
    const liveMember = (id: string): Readonly<MemberRecord> | undefined => {
      if (live.has(id)) return live.get(id)
      const m = this.c.membership.record(id)
      const l = m !== undefined && id !== selfId && (m.state === 'alive' || m.state === 'suspect') ? m : undefined
      live.set(id, l)
      return l
    }
    const routes: Array<{ prefix: string; peer: PeerRoute }> = []
    for (const r of ipam?.routes() ?? []) {
      const m = liveMember(r.nodeId)
      if (m === undefined) continue
      routes.push({ prefix: r.prefix, peer: this.peerFor(m) })
    }
    for (const id of [...this.peerRoutes.keys()]) {
      if (liveMember(id) === undefined) { this.peerRoutes.delete(id); this.peerRecords.delete(id) }
    }
    try {
      this.c.setRoutes(RouteTable.build({ selfIndex: this.init.selfIndex, selfVtepMAC: this.init.selfVtepMAC, routes }))
    } catch (err) {
      // Two members claiming one prefix or one index: keep the previous table and say so.
      this.c.logger.error({ err }, 'route table rejected; keeping the previous one')
    }
  }

  /** The PeerRoute of a member, reused while its advertised fields stay the same. */
  private peerFor (m: Readonly<MemberRecord>): PeerRoute {
    const existing = this.peerRoutes.get(m.nodeId)
    if (existing !== undefined && this.peerRecords.get(m.nodeId) === m) return existing
    const hasKey = m.publicKey.length === 32
    // Compared in place; copied only for a new PeerRoute.
    if (existing !== undefined && existing.address === m.address && existing.port === m.dataPort &&
      existing.vtepMAC.equals(m.vtepMac) && existing.nodeName === m.nodeName &&
      (existing.publicKey === undefined
        ? !hasKey
        : hasKey &&
        existing.publicKey.equals(m.publicKey))) {
      this.peerRecords.set(m.nodeId, m)
      return existing
    }
    const mac = Buffer.from(m.vtepMac)
    const key = hasKey ? Buffer.from(m.publicKey) : undefined
    const peer = createPeerRoute({
      nodeName: m.nodeName,
      index: deriveNodeIndex(m.nodeName),
      address: m.address,
      port: m.dataPort,
      vtepMAC: mac,
      mtu: this.init.mtu,
      ...(key !== undefined ? { publicKey: key } : {}),
    })
    this.peerRoutes.set(m.nodeId, peer)
    this.peerRecords.set(m.nodeId, m)
    return peer
  }
}

/**
 * Which of several members at one address most likely sent a frame: alive, suspect, then the others; within a state,
 * the one heard last.
 */
function senderRank (m: MemberView): number {
  const state = m.state === 'alive' ? 2 : m.state === 'suspect' ? 1 : 0
  return state * 1e15 + (m.lastSeenMs ?? 0)
}
