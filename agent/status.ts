/**
 * The status document the local API serves and `loom status` prints: one JSON shape, built from
 * live sources on each request (never cached, never per packet).
 *
 * Two modes fill it: static (peers and pod CIDRs from the config file) and gossip (members from
 * SWIM, blocks from IPAM). Peer rows carry both the control-plane view (member state,
 * incarnation, last heard, RTT) and the data-plane view (packets, bytes, last packet in).
 */
import type { IpamStatus, MemberView } from '../control'
import { DROP_REASONS, Drop, formatMAC } from '../dataplane'
import type { crypto, DataplaneStats, EncapsulationKind, OffloadStatus, PeerRoute, RouteTable } from '../dataplane'
import type { MulticastStatus } from './multicast'

export interface GossipStatusSource {
  readonly nodeId: string
  members(): MemberView[]
  peerRoute(nodeId: string): PeerRoute | undefined
  ipamStatus(): IpamStatus
  /** How gossip frames are protected, and how many were refused. */
  security(): GossipSecurityStatus
}

/** `loom status`: whether gossip is authenticated with the cluster secret. */
export interface GossipSecurityStatus {
  /** 'authenticated' (sealed with the cluster secret) or 'insecure' (`gossip.insecure`). */
  mode: 'authenticated' | 'insecure'
  /** Keys in the secret file (the first seals, all open); 0 when insecure. */
  keys: number
  /** Gossip frames refused since start, all reasons (metrics break them down). */
  rejectedFrames: number
}

export interface StatusSources {
  readonly nodeName: string
  readonly version: string
  readonly startedAt: number
  readonly encapsulation: EncapsulationKind
  readonly encryption: boolean
  readonly underlay: string
  readonly clusterCIDR: string
  mtu(): number
  /** Static mode: this node's entry. */
  self(): { index: number; vtepMAC: Buffer; podCIDR: string; overlayAddress: string } | undefined
  overlayAddress(): string | undefined
  vtepMAC: Buffer
  routes(): RouteTable | undefined
  readonly stats: DataplaneStats
  /** The segmentation offloads now; undefined before the data plane is up. */
  offloads?(): OffloadStatus | undefined
  /** Present in gossip mode. */
  readonly gossip?: GossipStatusSource
  /** Present when multicast is enabled. */
  multicast?(): MulticastStatus
  /** This node's X25519 public key (base64), when it has one. */
  readonly publicKey?: string
  /** Present when encryption is on: per-peer session state. */
  readonly crypto?: { readonly aead: string, peers(): crypto.PeerCryptoStatus[] }
}

export interface PeerStatus {
  nodeName: string
  /** How this node knows the peer: `static` (config file) or `gossip` (membership). */
  source: 'static' | 'gossip'
  /** Gossip: SWIM state (alive, suspect, dead, left). Static: always `configured`. */
  state: string
  incarnation: number | null
  /** Gossip: seconds since we last heard from it directly; null if never. */
  lastSeenSecondsAgo: number | null
  /** Gossip: smoothed probe round-trip time, ms. */
  rttMs: number | null
  address: string
  port: number
  encapsulation: EncapsulationKind
  encryption: boolean
  mtu: number
  vtepMAC: string
  podCIDRs: string[]
  packetsOut: number
  bytesOut: number
  packetsIn: number
  bytesIn: number
  /** Seconds since the last data packet from this peer; null if none yet. */
  lastInSecondsAgo: number | null
  /** `active` when a data packet arrived within the last minute, else `idle`. */
  dataPath: 'active' | 'idle'
  /** Encryption: the peer's public key, WireGuard handshake state, ages in seconds, rekeys (null when off). */
  publicKey?: string | null
  handshake?: 'none' | 'initiated' | 'established' | null
  lastHandshakeSecondsAgo?: number | null
  keyAgeSeconds?: number | null
  rekeys?: number | null
}

/** A peer's data path counts as active when it sent us something within this window. */
const ACTIVE_WINDOW_MS = 60_000

export interface RouteStatus { prefix: string; nodeName: string; via: string }

export interface NodeStatus {
  nodeName: string
  nodeId: string | null
  version: string
  uptimeSeconds: number
  mode: 'static' | 'gossip'
  encapsulation: EncapsulationKind
  encryption: boolean
  underlay: string
  clusterCIDR: string
  podCIDR: string | null
  overlayAddress: string | null
  vtepMAC: string
  /** This node's X25519 public key, base64 (what WireGuard peers configure); null if none. */
  publicKey?: string | null
  /** The transport AEAD in use when encryption is on (`native` or `node:crypto`). */
  aead?: string | null
  mtu: number
  peerCount: number
  routeCount: number
  ipam: { blocks: number; addressesUsed: number; addressesFree: number } | null
  /** Gossip mode: authenticated or insecure gossip; null in static mode. */
  gossip?: GossipSecurityStatus | null
  drops: { outbound: Record<string, number>; inbound: Record<string, number> }
  /** Segmentation offloads: negotiated level, counters, fallbacks; null before the data plane is up. */
  offloads?: OffloadStatus | null
}

export interface IpamBlockRow { prefix: string; nodeName: string; used?: number; free?: number }

export interface StatusDocument {
  node: NodeStatus
  peers: PeerStatus[]
  routes: RouteStatus[]
  ipam: {
    mode: 'static' | 'gossip'
    /** Static: each node's pod CIDR from the config. Gossip: every owned block. */
    blocks: IpamBlockRow[]
    /** Gossip only: the IPAM view of this node (member, lease, pending claims, unreachable owners...). */
    detail?: IpamStatus & { unreachableOwnerNames: string[] }
  }
  /** Absent when multicast is disabled (`multicast.enabled: false`). */
  multicast?: MulticastStatus
}

function dropRecord (counts: Float64Array): Record<string, number> {
  const out: Record<string, number> = {}
  for (let i = Drop.Malformed; i < DROP_REASONS.length; i++) out[DROP_REASONS[i]] = counts[i]
  return out
}

function secondsAgo (now: number, then: number | undefined): number | null {
  return then === undefined || then === 0 ? null : Math.max(0, Math.round((now - then) / 1000))
}

function dataPlaneColumns (p: PeerRoute | undefined, now: number): Pick<PeerStatus,
'packetsOut' | 'bytesOut' | 'packetsIn' | 'bytesIn' | 'lastInSecondsAgo' | 'dataPath'> {
  const c = p?.counters
  return {
    packetsOut: c?.packetsOut ?? 0,
    bytesOut: c?.bytesOut ?? 0,
    packetsIn: c?.packetsIn ?? 0,
    bytesIn: c?.bytesIn ?? 0,
    lastInSecondsAgo: secondsAgo(now, c?.lastInMs),
    dataPath: c !== undefined && c.lastInMs !== 0 && now - c.lastInMs < ACTIVE_WINDOW_MS ? 'active' : 'idle',
  }
}

function cryptoColumns (src: StatusSources, byName: Map<string, crypto.PeerCryptoStatus>, nodeName: string,
  key: string | null):
  Pick<PeerStatus, 'publicKey' | 'handshake' | 'lastHandshakeSecondsAgo' | 'keyAgeSeconds' | 'rekeys'> {
  const c = byName.get(nodeName)
  if (src.crypto === undefined || c === undefined) {
    return { publicKey: key, handshake: null, lastHandshakeSecondsAgo: null, keyAgeSeconds: null, rekeys: null }
  }
  return {
    publicKey: c.publicKey,
    handshake: c.handshake,
    lastHandshakeSecondsAgo: c.lastHandshakeAgeSeconds,
    keyAgeSeconds: c.currentKeyAgeSeconds,
    rekeys: c.rekeys,
  }
}

export function buildStatus (src: StatusSources, now = Date.now()): StatusDocument {
  const table = src.routes()
  const cryptoPeers = new Map((src.crypto?.peers() ?? []).map((c) => [c.nodeName, c]))
  const self = src.self()
  const routes = table?.routes() ?? []
  const prefixesOf = (p: PeerRoute | undefined): string[] => routes.filter((r) => r.peer === p).map((r) => r.prefix)
  const base = { encapsulation: src.encapsulation, encryption: src.encryption }
  let peers: PeerStatus[]
  let ipam: StatusDocument['ipam']
  let ipamSummary: NodeStatus['ipam'] = null
  const g = src.gossip
  if (g === undefined) {
    peers = (table?.peers() ?? []).map((p) => ({
      nodeName: p.nodeName,
      source: 'static',
      state: 'configured',
      incarnation: null,
      lastSeenSecondsAgo: null,
      rttMs: null,
      address: p.address,
      port: p.port,
      ...base,
      mtu: p.mtu,
      vtepMAC: formatMAC(p.vtepMAC),
      podCIDRs: prefixesOf(p),
      ...dataPlaneColumns(p, now),
      ...cryptoColumns(src, cryptoPeers, p.nodeName, p.publicKey?.toString('base64') ?? null),
    }))
    const blocks: IpamBlockRow[] = routes.map((r) => ({ prefix: r.prefix, nodeName: r.peer.nodeName }))
    if (self !== undefined) blocks.unshift({ prefix: self.podCIDR, nodeName: src.nodeName })
    ipam = { mode: 'static', blocks }
  } else {
    // Membership's clock is monotonic ms; convert its timestamps to "seconds ago" on that clock.
    const mono = Math.round(performance.now())
    const members = g.members()
    const nameOf = new Map(members.map((m) => [m.nodeId, m.nodeName]))
    peers = members.filter((m) => !m.isSelf).map((m) => {
      const p = g.peerRoute(m.nodeId)
      return {
        nodeName: m.nodeName,
        source: 'gossip',
        state: m.state,
        incarnation: m.incarnation,
        lastSeenSecondsAgo: secondsAgo(mono, m.lastSeenMs),
        rttMs: m.rttMs === undefined ? null : Math.round(m.rttMs * 100) / 100,
        address: m.address,
        port: m.dataPort,
        encapsulation: m.encapsulation,
        encryption: src.encryption,
        mtu: src.mtu(),
        vtepMAC: formatMAC(Buffer.from(m.vtepMac)),
        podCIDRs: prefixesOf(p),
        ...dataPlaneColumns(p, now),
        ...cryptoColumns(src, cryptoPeers, m.nodeName,
          m.publicKey.length === 32 ? Buffer.from(m.publicKey).toString('base64') : null),
      }
    })
    const st = g.ipamStatus()
    const blocks: IpamBlockRow[] = []
    for (const n of st.nodes) {
      for (const b of n.blocks) {
        const own = n.node === g.nodeId ? st.ownedBlocks.find((o) => o.cidr === b) : undefined
        blocks.push({
          prefix: b,
          nodeName: nameOf.get(n.node) ?? n.node,
          ...(own !== undefined ? { used: own.used, free: own.free } : {})
        })
      }
    }
    ipam = {
      mode: 'gossip',
      blocks,
      detail: { ...st, unreachableOwnerNames: st.unreachableOwners.map((id) => nameOf.get(id) ?? id) }
    }
    ipamSummary = {
      blocks: st.ownedBlocks.length,
      addressesUsed: st.ownedBlocks.reduce((n, b) => n + b.used, 0),
      addressesFree: st.ownedBlocks.reduce((n, b) => n + b.free, 0),
    }
  }
  return {
    node: {
      nodeName: src.nodeName,
      nodeId: g?.nodeId ?? null,
      version: src.version,
      uptimeSeconds: Math.round((now - src.startedAt) / 1000),
      mode: g === undefined ? 'static' : 'gossip',
      encapsulation: src.encapsulation,
      encryption: src.encryption,
      underlay: src.underlay,
      clusterCIDR: src.clusterCIDR,
      podCIDR: self?.podCIDR ?? null,
      overlayAddress: src.overlayAddress() ?? null,
      vtepMAC: formatMAC(src.vtepMAC),
      publicKey: src.publicKey ?? null,
      aead: src.crypto?.aead ?? null,
      mtu: src.mtu(),
      peerCount: peers.length,
      routeCount: routes.length,
      ipam: ipamSummary,
      gossip: g?.security() ?? null,
      drops: { outbound: dropRecord(src.stats.dropsOutbound), inbound: dropRecord(src.stats.dropsInbound) },
      offloads: src.offloads?.() ?? null,
    },
    peers,
    routes: routes.map((r) => ({
      prefix: r.prefix, nodeName: r.peer.nodeName, via: `${r.peer.address}:${r.peer.port}`
    })),
    ipam,
    ...(src.multicast !== undefined ? { multicast: src.multicast() } : {}),
  }
}
