/**
 * Multicast wiring: the capture socket and MulticastForwarder (dataplane/multicast-forwarder.ts),
 * IGMP snooping (control/multicast/groups.ts) with loomd as querier, the pod veths, and group
 * membership by gossip (topic `multicast` of the node-state channel). Timers and I/O live here;
 * the decisions live in those files.
 *
 * - Pod veths: every second, and at once after a CNI DEL, the CNI attachments are matched to their
 *   host veths (/sys/class/net/<lxc…>/ifindex and address). A new veth gets a general query at
 *   once, so a pod that joined before loomd knew its veth is learned within a second.
 * - Querier: IGMPv3 general queries from 169.254.1.1 (the pods' gateway) on every pod veth at
 *   start, again after QUERY_STARTUP_GAP_MS (RFC 3376 §8.6 startup queries) and every 60 s.
 *   A restarted loomd relearns every member within the query response time (10 s).
 * - Gossip: the set of groups with local members is published at once on any change; other
 *   nodes' sets arrive through the channel and are dropped when a node dies.
 * - The forwarding table is rebuilt on every change of local members, remote sets or routes.
 */
import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import {
  decodeGroupSet, encodeGroupSet, MAX_GOSSIP_GROUPS, MulticastGroups,
} from '../control'
import type { NodeStateChannel, NodeStateCounters, PodAddressManager } from '../control'
import {
  decodeIgmp, GENERAL_QUERY_FRAME_LEN, IGMP_QUERY_INTERVAL_S, IGMP_QUERY_RESPONSE_S, IGMP_ROBUSTNESS, writeGeneralQuery,
} from '../dataplane/igmp'
import { formatIPv4Address, parseIPv4Address } from '../lib'
import {
  createMulticastStats, MCAST_RESULTS, MulticastForwarder, type FramePort, type MulticastStats
} from '../dataplane/multicast-forwarder'
import { MulticastTable, type GroupRoute, type PodPort } from '../dataplane/multicast-table'
import { PacketSocket } from '../dataplane/packet-socket'
import type { Forwarder, PeerRoute } from '../dataplane'
import type { MulticastMetricsSource } from '../metrics'
import { POD_GATEWAY } from './api-server'
import { AgentStartError } from './errors'

export const MULTICAST_TOPIC = 'multicast'
const REFRESH_MS = 1000
const QUERY_STARTUP_GAP_MS = 5000
/** Shortest gap between two publishes/rebuilds (the first change is never delayed). */
const MIN_UPDATE_GAP_MS = 50

export interface MulticastStatus {
  enabled: boolean
  mode: 'members' | 'flood'
  groups: Array<{ group: string, localPods: string[], remoteNodes: string[] }>
  /** Groups other nodes have members of, by node (gossip mode). */
  remoteNodeGroups: Record<string, string[]>
  localMemberships: number
  podVeths: number
  packets: { outbound: Record<string, number>, inbound: Record<string, number> }
  ignoredFrames: number
  igmp: { reports: number, malformed: number, refusedJoins: number, queriesSent: number }
  /** Gossip mode: remote sets refused here, and the node-state channel's own counters. */
  gossip?: { remoteSetsRejected: number, channel: NodeStateCounters }
}

export interface MulticastComponents {
  logger: Logger
  forwarder: Forwarder
  pods: PodAddressManager
  /** Gossip mode: membership sets travel here. Absent in static mode (flood). */
  nodeState?: NodeStateChannel
  /** Tests: a frame port instead of the AF_PACKET socket. */
  port?: FramePort & { close(): void }
  /** Tests: how a host veth's ifindex and MAC are found (default: /sys/class/net). */
  readLink?: (name: string) => { ifindex: number, mac: Buffer } | undefined
}

export interface MulticastInit {
  mode: 'members' | 'flood'
  /** This node's name (its own gossip entry is not a remote member). */
  nodeName: string
}

export class MulticastNode {
  readonly stats: MulticastStats = createMulticastStats()
  readonly igmpCounters = { reports: 0, malformed: 0, queriesSent: 0 }
  private remoteSetsRejected = 0
  private readonly groups = new MulticastGroups({
    membershipIntervalMs: (IGMP_ROBUSTNESS * IGMP_QUERY_INTERVAL_S + IGMP_QUERY_RESPONSE_S) * 1000
  })

  private readonly remote = new Map<string, number[]>()
  private ports = new Map<number, PodPort>()
  private readonly portByName = new Map<string, PodPort>()
  private socket?: FramePort & { close(): void }
  private mf?: MulticastForwarder
  private timers: NodeJS.Timeout[] = []
  private publishedVersion = -1
  private remoteDirty = false
  private lastUpdateAt = 0
  private pendingUpdate?: NodeJS.Timeout
  private stopped = false
  private lastRoutes: unknown
  private unsubscribe?: () => void
  private readonly gateway = parseIPv4Address(POD_GATEWAY)

  private readonly readLink: (name: string) => { ifindex: number, mac: Buffer } | undefined

  constructor (private readonly c: MulticastComponents, private readonly init: MulticastInit) {
    this.readLink = c.readLink ?? readLinkFromSys
  }

  start (): void {
    const log = this.c.logger
    try {
      this.socket = this.c.port ?? PacketSocket.open()
    } catch (err) {
      throw new AgentStartError('multicast.enabled',
        `cannot open the multicast capture socket: ${(err as Error).message}; ` +
        'loomd needs CAP_NET_RAW for it, or set multicast.enabled to false', { cause: err })
    }
    const fwd = this.c.forwarder
    this.mf = new MulticastForwarder({
      port: this.socket,
      stats: this.stats,
      sendRemote: (bufs, lens, peers, count) => fwd.sendCopies(bufs, lens, peers, count),
      onIgmp: (port, buf, off, len) => { this.noteIgmp(port, buf, off, len) },
    })
    fwd.setMulticastSink(this.mf)
    const ns = this.c.nodeState
    if (ns !== undefined) {
      ns.defineTopic(MULTICAST_TOPIC,
        { maxBytes: MAX_GOSSIP_GROUPS * 4, validate: (v) => decodeGroupSet(v) !== undefined })
      this.unsubscribe = ns.onChange((_nodeId, nodeName, topic, value) => {
        if (topic !== MULTICAST_TOPIC || nodeName === this.init.nodeName) return
        this.noteRemote(nodeName, value)
      })
      for (const v of ns.snapshot(MULTICAST_TOPIC)) {
        if (v.nodeName !== this.init.nodeName) {
          this.noteRemote(v.nodeName,
            v.value)
        }
      }
    }
    this.refreshPorts()
    this.publish()
    this.rebuild()
    this.mf.start()
    // refreshPorts() above queried every veth it found (all are new at start).
    this.timers.push(setTimeout(() => this.queryAll(), QUERY_STARTUP_GAP_MS))
    this.timers.push(setInterval(() => this.queryAll(), IGMP_QUERY_INTERVAL_S * 1000))
    this.timers.push(setInterval(() => this.tick(), REFRESH_MS))
    for (const t of this.timers) t.unref()
    log.info({ mode: this.init.mode }, 'multicast up')
  }

  stop (): void {
    this.stopped = true
    if (this.pendingUpdate !== undefined) clearTimeout(this.pendingUpdate)
    for (const t of this.timers) { clearTimeout(t); clearInterval(t) }
    this.timers = []
    this.unsubscribe?.()
    this.mf?.stop()
    this.c.forwarder.setMulticastSink(undefined)
    this.socket?.close()
  }

  /** CNI DEL (or GC) of an attachment: its veth's memberships end now. */
  noteDetached (hostVeth: string): void {
    const port = this.portByName.get(hostVeth)
    if (port === undefined) return
    this.groups.removePort(port.ifindex)
    this.setPorts([...this.ports.values()].filter((p) => p.name !== hostVeth))
    this.afterChange(true)
  }

  status (): MulticastStatus {
    const table = this.mf?.currentTable() ?? MulticastTable.empty()
    const remoteNodeGroups: Record<string, string[]> = {}
    for (const [node, gs] of this.remote) if (gs.length > 0) remoteNodeGroups[node] = gs.map(formatIPv4Address)
    const byResult = (a: Float64Array): Record<string,
    number> => Object.fromEntries(MCAST_RESULTS.map((r, i) => [r, a[i]]))
    return {
      enabled: true,
      mode: this.init.mode,
      groups: table.groups().sort((a, b) => a.group - b.group).map((g) => ({
        group: formatIPv4Address(g.group),
        localPods: g.local.map((p) => p.pod),
        remoteNodes: this.init.mode === 'flood' ? [] : g.remote.map((p) => p.nodeName),
      })),
      remoteNodeGroups,
      localMemberships: this.groups.memberships(),
      podVeths: this.ports.size,
      packets: { outbound: byResult(this.stats.outbound), inbound: byResult(this.stats.inbound) },
      ignoredFrames: this.stats.foreign,
      igmp: { ...this.igmpCounters, refusedJoins: this.groups.refusedJoins },
      ...(this.c.nodeState !== undefined
        ? {
            gossip: { remoteSetsRejected: this.remoteSetsRejected, channel: { ...this.c.nodeState.counters } }
          }
        : {}),
    }
  }

  metricsSource (): MulticastMetricsSource {
    return {
      results: MCAST_RESULTS,
      outbound: this.stats.outbound,
      inbound: this.stats.inbound,
      gauges: () => {
        const table = this.mf?.currentTable()
        let remoteNodes = 0
        for (const gs of this.remote.values()) if (gs.length > 0) remoteNodes++
        return { groups: table?.groups().length ?? 0, localMembers: this.groups.memberships(), remoteNodes }
      },
    }
  }

  // ---- internals -------------------------------------------------------------------------------

  private tick (): void {
    this.groups.expire(Date.now())
    this.refreshPorts()
    this.afterChange()
  }

  private noteIgmp (port: PodPort, buf: Buffer, off: number, len: number): void {
    const m = decodeIgmp(buf, off, len)
    if (m.type === 'malformed') { this.igmpCounters.malformed++; return }
    if (m.type === 'query') return // another querier on a pod veth: ignored (we are the querier)
    this.igmpCounters.reports++
    const now = Date.now()
    for (const g of m.joins) this.groups.join(port.ifindex, g, now)
    for (const g of m.leaves) this.groups.leave(port.ifindex, g)
    this.afterChange()
  }

  private noteRemote (nodeName: string, value: Uint8Array | undefined): void {
    if (value === undefined) this.remote.delete(nodeName)
    else {
      const gs = decodeGroupSet(value)
      if (gs === undefined) { this.remoteSetsRejected++; return }
      this.remote.set(nodeName, gs)
    }
    this.remoteDirty = true
    this.afterChange()
  }

  /**
   * Publishes our group set if it changed and rebuilds the table if anything did. The first
   * change goes out at once; changes within MIN_UPDATE_GAP_MS of it are coalesced into one
   * update, so a pod (or a member) that floods reports costs one publish and one rebuild per gap.
   * `immediate` (CNI DEL) skips the gap: the caller's answer must reflect the removal.
   */
  private afterChange (immediate = false): void {
    if (this.stopped) return
    const now = Date.now()
    const wait = this.lastUpdateAt + MIN_UPDATE_GAP_MS - now
    if (wait > 0 && !immediate) {
      this.pendingUpdate ??= setTimeout(() => { this.pendingUpdate = undefined; this.afterChange() }, wait)
      return
    }
    const routes = this.c.forwarder.routes()
    const publish = this.groups.version !== this.publishedVersion
    if (!publish && !this.remoteDirty && routes === this.lastRoutes) return
    this.lastUpdateAt = now
    if (publish) this.publish()
    this.rebuild()
  }

  private publish (): void {
    this.publishedVersion = this.groups.version
    this.c.nodeState?.publishLocal(MULTICAST_TOPIC, encodeGroupSet(this.groups.groups()))
  }

  private rebuild (): void {
    this.remoteDirty = false
    if (this.mf === undefined) return
    const routes = this.c.forwarder.routes()
    this.lastRoutes = routes
    const peerByName = new Map<string, PeerRoute>()
    for (const p of routes.peers()) peerByName.set(p.nodeName, p)
    const byGroup = new Map<number, { local: PodPort[], remote: PeerRoute[] }>()
    const entry = (g: number): { local: PodPort[], remote: PeerRoute[] } => {
      let e = byGroup.get(g)
      if (e === undefined) { e = { local: [], remote: [] }; byGroup.set(g, e) }
      return e
    }
    for (const g of this.groups.groups()) {
      for (const ifindex of this.groups.membersOf(g)) {
        const port = this.ports.get(ifindex)
        if (port !== undefined) entry(g).local.push(port)
      }
    }
    if (this.init.mode === 'members') {
      for (const [node, gs] of this.remote) {
        const peer = peerByName.get(node)
        if (peer === undefined) continue
        for (const g of gs) entry(g).remote.push(peer)
      }
    }
    const list: GroupRoute[] = [...byGroup].map(([group, e]) => ({ group, local: e.local, remote: e.remote }))
    this.mf.setTable(MulticastTable.build(list, this.init.mode === 'flood' ? routes.peers() : undefined))
  }

  private refreshPorts (): void {
    const next: PodPort[] = []
    for (const rec of this.c.pods.list()) {
      const known = this.portByName.get(rec.hostVeth)
      const link = this.readLink(rec.hostVeth)
      if (link === undefined) continue
      const { ifindex, mac } = link
      if (known !== undefined && known.ifindex === ifindex) { next.push(known); continue }
      next.push({
        ifindex,
        name: rec.hostVeth,
        mac,
        addressU32: parseIPv4Address(rec.address),
        pod: rec.podName !== undefined ? `${rec.podNamespace ?? ''}/${rec.podName}` : rec.containerID.slice(0, 12),
      })
    }
    const before = new Set(this.ports.keys())
    this.setPorts(next)
    for (const ifindex of before) if (!this.ports.has(ifindex)) this.groups.removePort(ifindex)
    const fresh = next.filter((p) => !before.has(p.ifindex))
    if (fresh.length > 0) this.query(fresh)
    for (const ifindex of this.groups.ports()) if (!this.ports.has(ifindex)) this.groups.removePort(ifindex)
  }

  private setPorts (ports: PodPort[]): void {
    this.ports = new Map(ports.map((p) => [p.ifindex, p]))
    this.portByName.clear()
    for (const p of ports) this.portByName.set(p.name, p)
    this.mf?.setPorts(this.ports)
  }

  private queryAll (): void {
    this.query([...this.ports.values()])
  }

  /** One general query per veth, from the gateway address and the veth's MAC. */
  private query (ports: PodPort[]): void {
    const socket = this.socket
    if (socket === undefined || ports.length === 0) return
    const bufs: Buffer[] = []
    const offsets = new Int32Array(ports.length)
    const lengths = new Int32Array(ports.length)
    const ifindexes = new Int32Array(ports.length)
    ports.forEach((p, i) => {
      const b = Buffer.alloc(GENERAL_QUERY_FRAME_LEN)
      lengths[i] = writeGeneralQuery(b, 0, p.mac, this.gateway)
      bufs.push(b)
      ifindexes[i] = p.ifindex
    })
    for (let i = 0; i < ports.length; i += 128) {
      const n = Math.min(128, ports.length - i)
      this.igmpCounters.queriesSent += socket.sendBatch(bufs.slice(i, i + n), offsets.subarray(i, i + n),
        lengths.subarray(i, i + n), ifindexes.subarray(i, i + n), n)
    }
  }
}

/**
 * The PodAddressManager the CNI endpoints use, telling multicast when an attachment goes (DEL,
 * GC, which releases one by one) so its memberships end at once rather than at the next veth scan.
 */
export function notifyOnDetach (pods: PodAddressManager, onDetached: (hostVeth: string) => void): PodAddressManager {
  return {
    ready: () => pods.ready(),
    allocate: (id, meta) => pods.allocate(id, meta),
    release: (id) => {
      const rec = pods.get(id)
      const out = pods.release(id)
      if (rec !== undefined) onDetached(rec.hostVeth)
      return out
    },
    durable: () => pods.durable(),
    get: (id) => pods.get(id),
    list: () => pods.list(),
  }
}

/** A host veth's ifindex and MAC from sysfs; undefined while it does not exist (yet). */
function readLinkFromSys (name: string): { ifindex: number, mac: Buffer } | undefined {
  try {
    const ifindex = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim())
    const mac = Buffer.from(readFileSync(`/sys/class/net/${name}/address`, 'utf8').trim().replace(/:/g, ''), 'hex')
    return Number.isInteger(ifindex) && ifindex > 0 && mac.length === 6 ? { ifindex, mac } : undefined
  } catch {
    return undefined
  }
}
