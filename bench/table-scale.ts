/**
 * Micro-benchmark: do the data plane's tables stay flat as the cluster grows? Route lookup
 * (RouteTable.lookup, longest prefix match: one hash probe per distinct prefix length) from 10
 * to 100 000 routes, and the per-packet peer lookups of the inbound path (peerByIndex for `udp`,
 * peerByAddress for `vxlan`) from 3 to 5 000 peers. Single-threaded, no I/O; ns per lookup.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/table-scale.js
 *
 * Routes are /26 blocks (gossip IPAM's default) plus a /24 and a /32 per peer, so every lookup
 * walks three prefix lengths; 90 % of the looked-up addresses hit a route, 10 % miss. Each case
 * is warmed up, then timed 5 times over 1 000 000 lookups; the best and median are printed (the
 * machine is shared: the median is the honest figure, the best the least disturbed one).
 */
import { createPeerRoute, RouteTable } from '../dataplane/route-table'
import { deriveVtepMAC } from '../dataplane/mac'
import { formatIPv4Address } from '../lib'
import type { PeerRoute } from '../dataplane/types'

const OPS = 1_000_000
const ROUNDS = 5
let sink = 0

function time (fn: (n: number) => number): { best: number, median: number } {
  sink += fn(100_000)
  const perOp: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint()
    sink += fn(OPS)
    perOp.push(Number(process.hrtime.bigint() - t0) / OPS)
  }
  perOp.sort((a, b) => a - b)
  return { best: perOp[0], median: perOp[ROUNDS >> 1] }
}

function peers (count: number): PeerRoute[] {
  return Array.from({ length: count }, (_, i) => createPeerRoute({
    nodeName: `node-${i}`,
    index: i + 2,
    address: formatIPv4Address((0xc6120000 + i + 1) >>> 0),
    port: 6784,
    vtepMAC: deriveVtepMAC(`node-${i}`),
    mtu: 1450,
  }))
}

/** `routes` /26 blocks in 10.0.0.0/8 spread over the peers, plus a /24 and a /32 per peer in 11/8. */
function table (routes: number, ps: PeerRoute[]): { table: RouteTable, probes: Uint32Array } {
  const entries: Array<{ prefix: string, peer: PeerRoute }> = []
  for (let i = 0; i < routes; i++) {
    entries.push({
      prefix: `${formatIPv4Address((0x0a000000 + i * 64) >>> 0)}/26`, peer: ps[i % ps.length]
    })
  }
  ps.forEach((p, i) => {
    entries.push({ prefix: `${formatIPv4Address((0x0b000000 + i * 256) >>> 0)}/24`, peer: p })
    entries.push({ prefix: `${formatIPv4Address((0x0c000000 + i) >>> 0)}/32`, peer: p })
  })
  const t = RouteTable.build({ selfIndex: 1, selfVtepMAC: deriveVtepMAC('self'), routes: entries })
  const probes = new Uint32Array(1 << 16)
  let seed = 12345
  for (let i = 0; i < probes.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    const hit = (seed % 10) !== 0
    probes[i] = hit ? (0x0a000000 + (seed % routes) * 64 + (seed >>> 26)) >>> 0 : (0x0d000000 + seed % 65536) >>> 0
  }
  return { table: t, probes }
}

function lookupCase (routes: number, peerCount: number): string {
  const ps = peers(peerCount)
  const { table: t, probes } = table(routes, ps)
  const r = time((n) => {
    let hits = 0
    for (let i = 0; i < n; i++) if (t.lookup(probes[i & 0xffff]) !== undefined) hits++
    return hits
  })
  return `| ${routes} | ${peerCount} | ${r.median.toFixed(1)} | ${r.best.toFixed(1)} |`
}

function peerCase (peerCount: number): string {
  const ps = peers(peerCount)
  const { table: t } = table(peerCount * 4, ps)
  const indexes = Int32Array.from({ length: 1 << 12 }, (_, i) => ps[(i * 7919) % peerCount].index)
  const addresses = Uint32Array.from({ length: 1 << 12 }, (_, i) => ps[(i * 7919) % peerCount].addressU32)
  const byIndex = time((n) => {
    let s = 0
    for (let i = 0; i < n; i++) s += (t.peerByIndex(indexes[i & 0xfff]) as PeerRoute).mtu
    return s
  })
  const byAddress = time((n) => {
    let s = 0
    for (let i = 0; i < n; i++) s += (t.peerByAddress(addresses[i & 0xfff]) as PeerRoute).mtu
    return s
  })
  return `| ${peerCount} | ${byIndex.median.toFixed(1)} | ${byIndex.best.toFixed(1)} | ${byAddress.median.toFixed(1)} | ${byAddress.best.toFixed(1)} |`
}

console.log('Route lookup (longest prefix match), ns per lookup:\n')
console.log('| routes (/26) | peers | median ns | best ns |\n|---|---|---|---|')
for (const routes of [10, 100, 1000, 10_000, 100_000]) console.log(lookupCase(routes, Math.min(routes, 100)))
console.log(lookupCase(100_000, 5000))
console.log('\nPeer lookups of the inbound path, ns per lookup:\n')
console.log('| peers | peerByIndex median | best | peerByAddress median | best |\n|---|---|---|---|---|')
for (const p of [3, 50, 500, 5000]) console.log(peerCase(p))
console.log(`\n(sink ${sink})`)
