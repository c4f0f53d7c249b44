/**
 * metrics/ — Prometheus metrics and the health endpoints of the agent.
 *
 * What it does: builds the agent's one prom-client Registry (`createMetricsRegistry`), reads the
 * data plane's, control plane's and IPAM's plain counters at scrape time through small source
 * interfaces, records control-path events through typed handles (`observeApiRequest`,
 * `observeCniRequest`, `observeAllocation`), and serves /metrics, /healthz and /readyz over
 * node:http (`MetricsServer`).
 *
 * What it deliberately does not do: nothing here runs per packet, and no other room imports
 * prom-client or anything from metrics/ except agent/ (which wires sources in) and the callers
 * of the handles. dataplane/ and control/ expose plain numbers; they never import this room.
 * It does not decide readiness either: the agent's HealthSource does.
 *
 * Read first: `DataplaneMetricsSource` (dataplane-metrics.ts) for the read-at-scrape pattern,
 * then `LoomMetrics` (registry.ts).
 */
export { createMetricsRegistry, LoomMetrics, MEMBER_STATES, API_COMMANDS } from './registry'
export type {
  MetricsInit, ControlMetricsSource, ControlCounters, GossipTypeCounters, IpamMetricsSource,
  IpamSnapshot, MemberState, ApiCommand, CniCommand,
} from './registry'
export type { DataplaneMetricsSource } from './dataplane-metrics'
export type { MulticastMetricsSource } from './multicast-metrics'
export type { PolicyMetricsSource } from './policy-metrics'
export type { CryptoMetricsSource } from './crypto-metrics'
export type { OffloadMetricsSource } from './offload-metrics'
export { MetricsServer, parseMetricsAddress } from './server'
export type { HealthSource, MetricsServerComponents, MetricsServerInit } from './server'
export { MetricsAddressError, MetricsListenError, MetricsSourceError } from './errors'
