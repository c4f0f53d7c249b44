/**
 * The status document the local API serves and `loom status` prints: one JSON shape, built from
 * live sources on each request (never cached, never per packet).
 *
 * Two modes fill it: static (peers and pod CIDRs from the config file) and gossip (members from
 * SWIM, blocks from IPAM). Peer rows carry both the control-plane view (member state,
 * incarnation, last heard, RTT) and the data-plane view (packets, bytes, last packet in). The
 * document's shape and its sources' are in types.ts.
 */
import { DROP_REASONS, Drop, formatMAC } from '../dataplane'
import type { crypto, PeerRoute } from '../dataplane'
import type { IpamBlockRow, NodeStatus, PeerStatus, StatusDocument, StatusSources } from './types'

/** A peer's data path counts as active when it sent us something within this window. */
const ACTIVE_WINDOW_MS = 60_000

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
