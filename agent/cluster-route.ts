/**
 * The one route loomd adds in the node's namespace, `<clusterCIDR> dev loom0`, and the check
 * that it takes nothing from anyone (the issue behind it: `clusterCIDR: 0.0.0.0/0` replaced the
 * node's default route, and it stayed broken after loomd stopped).
 *
 * Pure: given the main table's routes, say which ones the cluster route would collide with.
 * A route collides when it is not Loom's and
 * - lies inside the cluster CIDR (equal or more specific: it would take pod traffic away from
 *   loom0, or be replaced by ours), or
 * - is a connected subnet (no gateway) holding the cluster CIDR (an underlay or local LAN whose
 *   hosts would become unreachable behind the pods' addresses), or
 * the underlay address itself lies inside the cluster CIDR.
 * A less specific route through a gateway (the default route, a corporate 10.0.0.0/8) is fine:
 * longest-prefix match sends only the pods' range to loom0.
 * Loom's own routes are those through the TUN device and the /32 routes of its pods' host
 * veths (`lxc` + hash, lib/veth-name.ts).
 */
import type { RouteEntry } from '../host'
import { HOST_VETH_RE, tryParseCIDR } from '../lib'

interface Range { readonly base: number, readonly prefix: number }

/** "a.b.c.d/len" (host bits cleared) or a bare address as a /32; undefined when neither. */
function parseRange (text: string): Range | undefined {
  const c = tryParseCIDR(text.includes('/') ? text : `${text}/32`)
  return c === undefined ? undefined : { base: c.network, prefix: c.prefixLength }
}

/** True when `inner` lies inside `outer` (outer's prefix no longer than inner's). */
function contains (outer: Range, inner: Range): boolean {
  if (outer.prefix > inner.prefix) return false
  return outer.prefix === 0 || ((outer.base ^ inner.base) >>> (32 - outer.prefix)) === 0
}

/** A pod route made by loom-cni: a /32 through an `lxc` + 11 hex digits host veth. */
function isLoomPodRoute (r: RouteEntry): boolean {
  return r.dst.endsWith('/32') && HOST_VETH_RE.test(r.dev) && r.via === undefined
}

/**
 * Routes (as "dst dev X [via Y]" text) and facts that forbid installing the cluster route;
 * empty when it is safe.
 */
export function findClusterRouteConflicts (clusterCIDR: string, routes: readonly RouteEntry[],
  own: { tunName: string, underlayAddress: string }): string[] {
  const cluster = parseRange(clusterCIDR)
  if (cluster === undefined) return [`clusterCIDR ${clusterCIDR} is not a CIDR`]
  const out: string[] = []
  const underlay = parseRange(`${own.underlayAddress}/32`)
  if (underlay !== undefined &&
    contains(cluster, underlay)) out.push(`the underlay address ${own.underlayAddress} lies inside it`)
  for (const r of routes) {
    if (r.dev === own.tunName || isLoomPodRoute(r)) continue
    const d = parseRange(r.dst)
    if (d === undefined) continue
    const text = `route ${r.dst} dev ${r.dev}${r.via !== undefined ? ` via ${r.via}` : ''}`
    if (contains(cluster, d)) out.push(`the existing ${text} lies inside it`)
    else if (r.via === undefined && d.prefix > 0 &&
      contains(d, cluster)) out.push(`it lies inside the connected subnet of the existing ${text}`)
  }
  return out
}
