/**
 * loom_policy_*: NetworkPolicy enforcement, read at scrape time from the policy engine's plain
 * numbers (applier counters, the last counter read-back of table inet loom, the source's state).
 * Labels: `pod` = namespace/name of a local pod (bounded by the pods on this node; a deleted
 * pod's series disappears), `direction` ingress|egress, `kind` full|incremental|failed,
 * `source` files|kubernetes, `state` syncing|synced|error; remote addresses (files mode over
 * gossip) `state` taken|refused.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

export interface PolicyMetricsSource {
  readonly source: 'files' | 'kubernetes'
  stats(): {
    appliesFull: number
    appliesIncremental: number
    appliesFailed: number
    driftRepairs: number
    conntrackDeletions: number
    rules: number
    /** Apply durations (seconds) since the last call; the caller empties the list. */
    latencies: number[]
  }
  sourceState(): 'syncing' | 'synced' | 'error'
  sourceObjects(): { namespaces: number; pods: number; policies: number }
  drops(): Array<{ pod: string; direction: 'ingress' | 'egress'; packets: number }>
  /** Files mode over gossip: other nodes' published pod addresses; undefined otherwise. */
  remote?(): { taken: number; refused: number; publishDropped: number } | undefined
}

const APPLY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const SOURCE_STATES = ['syncing', 'synced', 'error'] as const

export function registerPolicyMetrics (register: Registry, source: PolicyMetricsSource): void {
  const registers = [register]
  new Counter({
    name: 'loom_policy_applies_total',
    help: 'nft transactions for table inet loom: full replaces, incremental updates, and failed attempts.',
    labelNames: ['kind'] as const,
    registers,
    collect () {
      const s = source.stats()
      this.reset()
      this.inc({ kind: 'full' }, s.appliesFull)
      this.inc({ kind: 'incremental' }, s.appliesIncremental)
      this.inc({ kind: 'failed' }, s.appliesFailed)
    },
  })
  new Histogram({
    name: 'loom_policy_apply_duration_seconds',
    help: 'Time from the start of a policy apply (compile, render, nft) to its commit in the kernel.',
    buckets: APPLY_BUCKETS,
    registers,
    collect () {
      const l = source.stats().latencies
      for (const v of l.splice(0)) if (Number.isFinite(v) && v >= 0) this.observe(v)
    },
  })
  new Gauge({
    name: 'loom_policy_rules',
    help: 'nft rules in table inet loom as last applied.',
    registers,
    collect () { this.set(source.stats().rules) },
  })
  new Counter({
    name: 'loom_policy_drift_repairs_total',
    help: 'Times the read-back found table inet loom differing from what was applied and replaced it.',
    registers,
    collect () { this.reset(); this.inc(source.stats().driftRepairs) },
  })
  new Counter({
    name: 'loom_policy_conntrack_deletions_total',
    help: 'conntrack deletions run for flows that a policy change or a pod deletion disallowed.',
    registers,
    collect () { this.reset(); this.inc(source.stats().conntrackDeletions) },
  })
  new Counter({
    name: 'loom_policy_drops_total',
    help: 'Packets dropped by NetworkPolicy, by local pod (namespace/name) and direction, as of the last counter read-back.',
    labelNames: ['pod', 'direction'] as const,
    registers,
    collect () {
      this.reset()
      for (const d of source.drops()) this.inc({ pod: d.pod, direction: d.direction }, d.packets)
    },
  })
  new Gauge({
    name: 'loom_policy_source_state',
    help: 'State of the policy source: 1 for the current state, 0 for the others.',
    labelNames: ['source', 'state'] as const,
    registers,
    collect () {
      const now = source.sourceState()
      for (const state of SOURCE_STATES) this.set({ source: source.source, state }, state === now ? 1 : 0)
    },
  })
  new Gauge({
    name: 'loom_policy_source_objects',
    help: 'Objects the policy source holds, by kind.',
    labelNames: ['kind'] as const,
    registers,
    collect () {
      const o = source.sourceObjects()
      this.set({ kind: 'namespace' }, o.namespaces)
      this.set({ kind: 'pod' }, o.pods)
      this.set({ kind: 'networkpolicy' }, o.policies)
    },
  })
  const remote = source.remote
  if (remote === undefined) return
  new Gauge({
    name: 'loom_policy_remote_addresses',
    help: 'Pod addresses other nodes published (files mode over gossip): taken into peer sets, or refused ' +
      'because the route table does not send them to the publishing node.',
    labelNames: ['state'] as const,
    registers,
    collect () {
      const r = remote()
      this.set({ state: 'taken' }, r?.taken ?? 0)
      this.set({ state: 'refused' }, r?.refused ?? 0)
    },
  })
  new Gauge({
    name: 'loom_policy_publish_dropped',
    help: 'Local pods left out of this node\'s gossip publication (names Kubernetes would not allow, or over ' +
      'the bounds): other nodes do not see them in peer sets.',
    registers,
    collect () { this.set(remote()?.publishDropped ?? 0) },
  })
}
