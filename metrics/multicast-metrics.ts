/**
 * Multicast metrics, read at scrape time from the multicast path's own counters (no work per
 * packet here). Registered only when multicast is enabled.
 *
 *   loom_multicast_groups                    groups with a member anywhere this node knows of
 *   loom_multicast_members{scope}            local (pod veth, group) memberships; remote nodes with members
 *   loom_multicast_packets_total{direction,result}
 *       direction=outbound: frames captured from local pods (delivered = copies on local veths,
 *       sent = copies to member nodes, no_member, auth, malformed, mtu, send_error, igmp);
 *       direction=inbound: packets from other nodes (delivered, no_member, malformed, send_error)
 */
import { Counter, Gauge, type Registry } from 'prom-client'

export interface MulticastMetricsSource {
  /** Result names, indexing `outbound` and `inbound`. */
  readonly results: readonly string[]
  readonly outbound: Float64Array
  readonly inbound: Float64Array
  gauges(): { groups: number, localMembers: number, remoteNodes: number }
}

export function registerMulticastMetrics (register: Registry, source: MulticastMetricsSource): void {
  const registers = [register]
  new Gauge({
    name: 'loom_multicast_groups',
    help: 'Multicast groups with at least one member on this node or a node it knows of.',
    registers,
    collect () { this.set(source.gauges().groups) },
  })
  new Gauge({
    name: 'loom_multicast_members',
    help: 'Multicast members: scope=local counts (pod veth, group) memberships here, scope=remote_nodes the other nodes with at least one member.',
    labelNames: ['scope'] as const,
    registers,
    collect () {
      const g = source.gauges()
      this.set({ scope: 'local' }, g.localMembers)
      this.set({ scope: 'remote_nodes' }, g.remoteNodes)
    },
  })
  new Counter({
    name: 'loom_multicast_packets_total',
    help: 'Multicast packets by direction (outbound = captured from local pods, inbound = from other nodes) and result.',
    labelNames: ['direction', 'result'] as const,
    registers,
    collect () {
      this.reset()
      source.results.forEach((r, i) => {
        this.inc({ direction: 'outbound', result: r }, source.outbound[i])
        this.inc({ direction: 'inbound', result: r }, source.inbound[i])
      })
    },
  })
}
