/**
 * The status document the local API serves and `loom status` prints: one JSON shape, built from
 * live sources on each request (never cached, never per packet).
 */
import { RouteTable } from '../dataplane/route-table'
import { formatMAC } from '../dataplane/mac'
import { DataplaneStats, Drop, DROP_REASONS } from '../dataplane/types'

export interface StatusSources {
  readonly nodeName: string
  readonly version: string
  readonly startedAt: number
  readonly encapsulation: 'udp' | 'vxlan'
  readonly encryption: boolean
  readonly underlay: string
  readonly clusterCIDR: string
  mtu(): number
  self(): { index: number; vtepMAC: Buffer; podCIDR: string; overlayAddress: string } | undefined
  routes(): RouteTable | undefined
  readonly stats: DataplaneStats
}

export interface PeerStatus {
  nodeName: string
  /** How this node knows the peer: `static` (config file) until gossip lands. */
  source: 'static'
  address: string
  port: number
  encapsulation: 'udp' | 'vxlan'
  encryption: boolean
  mtu: number
  vtepMAC: string
  podCIDRs: string[]
  packetsOut: number
  bytesOut: number
  packetsIn: number
  bytesIn: number
  /** Seconds since the last packet from this peer; null if none yet. */
  lastInSecondsAgo: number | null
  /** `active` when a packet arrived within the last minute, else `idle` (no data-path probes yet). */
  dataPath: 'active' | 'idle'
}

/** A peer counts as active when it sent us something within this window. */
const ACTIVE_WINDOW_MS = 60_000

export interface RouteStatus { prefix: string; nodeName: string; via: string }

export interface NodeStatus {
  nodeName: string
  version: string
  uptimeSeconds: number
  mode: 'static'
  encapsulation: 'udp' | 'vxlan'
  encryption: boolean
  underlay: string
  clusterCIDR: string
  podCIDR: string | null
  overlayAddress: string | null
  vtepMAC: string | null
  mtu: number
  peerCount: number
  routeCount: number
  drops: { outbound: Record<string, number>; inbound: Record<string, number> }
}

export interface StatusDocument {
  node: NodeStatus
  peers: PeerStatus[]
  routes: RouteStatus[]
  ipam: {
    mode: 'static'
    /** In static mode each node's pod CIDR is fixed by the config file; no blocks are claimed. */
    blocks: Array<{ prefix: string; nodeName: string }>
  }
}

function dropRecord (counts: Float64Array): Record<string, number> {
  const out: Record<string, number> = {}
  for (let i = Drop.Malformed; i < DROP_REASONS.length; i++) out[DROP_REASONS[i]] = counts[i]
  return out
}

export function buildStatus (src: StatusSources, now = Date.now()): StatusDocument {
  const table = src.routes()
  const self = src.self()
  const routes = table?.routes() ?? []
  const peers: PeerStatus[] = (table?.peers() ?? []).map((p) => ({
    nodeName: p.nodeName,
    source: 'static',
    address: p.address,
    port: p.port,
    encapsulation: src.encapsulation,
    encryption: src.encryption,
    mtu: p.mtu,
    vtepMAC: formatMAC(p.vtepMAC),
    podCIDRs: routes.filter((r) => r.peer === p).map((r) => r.prefix),
    packetsOut: p.counters.packetsOut,
    bytesOut: p.counters.bytesOut,
    packetsIn: p.counters.packetsIn,
    bytesIn: p.counters.bytesIn,
    lastInSecondsAgo: p.counters.lastInMs === 0 ? null : Math.max(0, Math.round((now - p.counters.lastInMs) / 1000)),
    dataPath: p.counters.lastInMs !== 0 && now - p.counters.lastInMs < ACTIVE_WINDOW_MS ? 'active' : 'idle',
  }))
  const blocks = routes.map((r) => ({ prefix: r.prefix, nodeName: r.peer.nodeName }))
  if (self !== undefined) blocks.unshift({ prefix: self.podCIDR, nodeName: src.nodeName })
  return {
    node: {
      nodeName: src.nodeName,
      version: src.version,
      uptimeSeconds: Math.round((now - src.startedAt) / 1000),
      mode: 'static',
      encapsulation: src.encapsulation,
      encryption: src.encryption,
      underlay: src.underlay,
      clusterCIDR: src.clusterCIDR,
      podCIDR: self?.podCIDR ?? null,
      overlayAddress: self?.overlayAddress ?? null,
      vtepMAC: self !== undefined ? formatMAC(self.vtepMAC) : null,
      mtu: src.mtu(),
      peerCount: peers.length,
      routeCount: routes.length,
      drops: { outbound: dropRecord(src.stats.dropsOutbound), inbound: dropRecord(src.stats.dropsInbound) },
    },
    peers,
    routes: routes.map((r) => ({ prefix: r.prefix, nodeName: r.peer.nodeName, via: `${r.peer.address}:${r.peer.port}` })),
    ipam: { mode: 'static', blocks },
  }
}
