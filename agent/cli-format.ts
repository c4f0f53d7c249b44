/**
 * Human renderings of the status document, aligned like `weave status`: a key/value block for the
 * node, tables for peers, routes and IPAM. Pure functions of the document, unit-tested.
 */
import type { StatusDocument } from './types'

/** Right-aligns keys and joins `key: value` lines. */
export function formatKeyValues (rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${k.padStart(width + 2)}: ${v}\n`).join('')
}

/** Left-aligned columns separated by two spaces; numbers right-aligned (an address is not a number). */
export function formatTable (header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[0-9]+(\.[0-9]+)?( ?[KMGT]?i?B)?$/.test(r[i])))
  const line = (cells: string[]): string =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd() + '\n'
  return line(header) + rows.map(line).join('')
}

/** 1536 -> "1.5KiB". */
export function formatBytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++ }
  return u === 0 ? `${n}B` : `${v.toFixed(1)}${units[u]}`
}

export function formatDuration (seconds: number): string {
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`
  return `${Math.floor(seconds / 86400)}d${Math.floor((seconds % 86400) / 3600)}h`
}

function formatDrops (drops: Record<string, number>): string {
  const parts = Object.entries(drops).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`)
  return parts.length === 0 ? 'none' : parts.join(' ')
}

export function formatNodeStatus (doc: StatusDocument): string {
  const n = doc.node
  return formatKeyValues([
    ['Version', `${n.version} (up ${formatDuration(n.uptimeSeconds)})`],
    ['Node', n.nodeId === null ? n.nodeName : `${n.nodeName} (${n.nodeId})`],
    ['Mode',
      n.mode === 'static' ? 'static (peers from the config file)' : 'gossip (members and IPAM blocks from the cluster)'],
    ['Encapsulation', n.encapsulation],
    ['Encryption', n.encryption ? `enabled (WireGuard protocol, ${n.aead ?? '-'} AEAD)` : 'disabled'],
    ['Public key', n.publicKey ?? '-'],
    ...(n.gossip === null || n.gossip === undefined
      ? []
      : [['Gossip', n.gossip.mode === 'insecure'
          ? 'INSECURE (gossip.insecure: frames neither authenticated nor encrypted)'
          : `authenticated (${n.gossip.keys} key${n.gossip.keys === 1 ? '' : 's'}; ${n.gossip.rejectedFrames} frames rejected)`] as [string, string]]),
    ['Underlay', n.underlay],
    ['Cluster CIDR', n.clusterCIDR],
    n.podCIDR !== null
      ? ['Pod CIDR', `${n.podCIDR} (overlay address ${n.overlayAddress ?? '-'})`]
      : ['IPAM',
          n.ipam === null ? '-' : `${n.ipam.blocks} blocks, ${n.ipam.addressesUsed} addresses used, ${n.ipam.addressesFree} free (overlay address ${n.overlayAddress ?? 'pending'})`],
    ['VTEP MAC', n.vtepMAC],
    ['MTU', String(n.mtu)],
    ['Peers', String(n.peerCount)],
    ['Routes', String(n.routeCount)],
    ['Drops out', formatDrops(n.drops.outbound)],
    ['Drops in', formatDrops(n.drops.inbound)],
    ...(n.offloads === null ||
      n.offloads === undefined
      ? []
      : [['Offloads', formatOffloads(n.offloads)] as [string, string]]),
  ])
}

/** One line: what is on, what fell back, what the offloads did. */
export function formatOffloads (o: NonNullable<StatusDocument['node']['offloads']>): string {
  if (!o.enabled) return 'disabled (offloads.enabled: false)'
  const fallbacks = Object.entries(o.fallbacks).filter(([, n]) => n > 0).map(([k]) => k)
  return `${o.level} (tun ${o.tunFlags.length > 0 ? o.tunFlags.join(',') : 'none'}; udp gso ${o.udpGso ? 'on' : 'off'}, gro ${o.udpGro ? 'on' : 'off'}); ` +
    `fallbacks ${fallbacks.length > 0 ? fallbacks.join(',') : 'none'}; ${o.superPacketsOut} super-packets -> ${o.segmentsOut} segments, ` +
    `${o.coalescedIn} coalesced, ${o.checksumsCompleted} checksums completed, ${o.udpGroTrains} GRO trains`
}

export function formatPeers (doc: StatusDocument): string {
  if (doc.peers.length === 0) return 'no peers\n'
  return formatTable(
    ['NODE', 'ADDRESS', 'STATE', 'INC', 'LAST SEEN', 'RTT', 'DATA PATH', 'LAST IN', 'ENCAP', 'CRYPTO', 'MTU',
      'POD CIDRS', 'PKTS OUT', 'BYTES OUT', 'PKTS IN', 'BYTES IN'],
    doc.peers.map((p) => [
      p.nodeName, `${p.address}:${p.port}`, p.state, p.incarnation === null ? '-' : String(p.incarnation),
      p.lastSeenSecondsAgo === null ? '-' : `${formatDuration(p.lastSeenSecondsAgo)} ago`,
      p.rttMs === null ? '-' : `${p.rttMs}ms`, p.dataPath,
      p.lastInSecondsAgo === null ? 'never' : `${formatDuration(p.lastInSecondsAgo)} ago`,
      p.encapsulation, formatCrypto(p),
      String(p.mtu), p.podCIDRs.join(','), String(p.packetsOut), formatBytes(p.bytesOut),
      String(p.packetsIn), formatBytes(p.bytesIn),
    ]))
}

/** `off`, or the handshake state with the last handshake's and the key's age and the rekeys. */
function formatCrypto (p: StatusDocument['peers'][number]): string {
  if (!p.encryption) return 'off'
  if (p.handshake === undefined || p.handshake === null) return 'no key'
  const hs = p.lastHandshakeSecondsAgo === null ||
  p.lastHandshakeSecondsAgo === undefined
    ? 'never'
    : `${formatDuration(Math.round(p.lastHandshakeSecondsAgo))} ago`
  const key = p.keyAgeSeconds === null ||
  p.keyAgeSeconds === undefined
    ? ''
    : ` key ${formatDuration(Math.round(p.keyAgeSeconds))}`
  return `${p.handshake} (handshake ${hs}${key}, ${p.rekeys ?? 0} rekeys)`
}

export function formatRoutes (doc: StatusDocument): string {
  if (doc.routes.length === 0) return 'no routes\n'
  return formatTable(['PREFIX', 'NODE', 'VIA'], doc.routes.map((r) => [r.prefix, r.nodeName, r.via]))
}

export function formatIpam (doc: StatusDocument): string {
  const d = doc.ipam.detail
  if (doc.ipam.mode === 'static' || d === undefined) {
    const head = formatKeyValues([['Mode', `${doc.ipam.mode} (each node's pod CIDR comes from the config file)`]])
    return head + '\n' + formatTable(['PREFIX', 'NODE'], doc.ipam.blocks.map((b) => [b.prefix, b.nodeName]))
  }
  const perNode = new Map<string, number>()
  for (const b of doc.ipam.blocks) perNode.set(b.nodeName, (perNode.get(b.nodeName) ?? 0) + 1)
  const head = formatKeyValues([
    ['Mode', 'gossip (blocks claimed through the replicated IPAM log)'],
    ['Cluster', d.clusterId ?? 'not joined yet'],
    ['Member', d.removed ? 'removed (rejoin with a fresh state directory)' : d.member ? 'yes' : 'not yet'],
    ['Lease',
      d.leaseValidForMs > 0 ? `valid for ${Math.round(d.leaseValidForMs / 1000)}s` : 'expired (cannot allocate)'],
    ['Owned blocks',
      d.ownedBlocks.map((b) => `${b.cidr} (${b.used} used, ${b.free} free${b.usable ? '' : ', fenced'})`).join(', ') ||
      'none'],
    ['Allocations', String(d.allocations)],
    ['Pending claims', String(d.pendingClaims)],
    ['Pending ops', d.pendingOps.length === 0 ? 'none' : d.pendingOps.join(', ')],
    ['Unreachable owners', d.unreachableOwnerNames.length === 0 ? 'none' : d.unreachableOwnerNames.join(', ')],
    ['Blocks per node', [...perNode].map(([n, k]) => `${n}=${k}`).join(' ') || 'none'],
  ])
  return head + '\n' + formatTable(['PREFIX', 'NODE', 'USED', 'FREE'],
    doc.ipam.blocks.map((b) => [b.prefix, b.nodeName, b.used === undefined ? '-' : String(b.used),
      b.free === undefined ? '-' : String(b.free)]))
}

export function formatMulticast (doc: StatusDocument): string {
  const m = doc.multicast
  if (m === undefined) return 'multicast: disabled (multicast.enabled: false)\n'
  const results = (r: Record<string,
    number>): string => Object.entries(r).filter(([, v]) => v > 0).map(([k, v]) => `${k}=${v}`).join(' ') || 'none'
  const head = formatKeyValues([
    ['Mode',
      m.mode === 'flood' ? 'flood (every packet to every peer)' : 'members (copies only to nodes with a member, learned by gossip)'],
    ['Pod veths', String(m.podVeths)],
    ['Local memberships', String(m.localMemberships)],
    ['Packets out', results(m.packets.outbound)],
    ['Packets in', results(m.packets.inbound)],
    ['IGMP',
      `${m.igmp.reports} reports, ${m.igmp.malformed} malformed, ${m.igmp.refusedJoins} refused joins, ${m.igmp.queriesSent} queries sent`],
  ])
  if (m.groups.length === 0) return head + '\nno groups\n'
  return head + '\n' + formatTable(['GROUP', 'LOCAL PODS', 'REMOTE NODES'],
    m.groups.map((g) => [g.group, g.localPods.join(',') || '-', g.remoteNodes.join(',') || '-']))
}
