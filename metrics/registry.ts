/**
 * LoomMetrics: the agent's one prom-client Registry and the handles other rooms use to feed it.
 *
 * Design notes:
 * - One private Registry per agent (never prom-client's global one), so tests can build many
 *   and nothing registers by import side effect. Default process metrics (`process_*`,
 *   `nodejs_*`) are on, minus three that break promtool's lint (see DEFAULT_METRICS_DROPPED).
 * - Two ways in, chosen by how often a thing happens:
 *   - *Sources* (data plane, control plane, IPAM) keep plain numbers that they own and bump;
 *     this file reads them in `collect()` callbacks at scrape time. Their metrics are registered
 *     only when the source is attached (at creation or later with `attach*`), so a node without
 *     gossip (static peers) exposes no membership series instead of misleading zeros. Each
 *     source can be attached once.
 *   - *Handles* (`observeApiRequest`, `observeCniRequest`, `observeAllocation`, `observeCniStage`) are called on
 *     control paths, once per request or allocation, never per packet. Their metrics exist from
 *     the start, because their callers may start before or after the registry.
 * - Bounded labels: peers come from the live route table and are rebuilt every scrape; drop
 *   reasons, member states, probe kinds and API commands are fixed vocabularies; gossip message
 *   types are fixed by the control plane at start-up; anything outside a vocabulary is folded
 *   into "other".
 *
 * Naming (CONTRIBUTING.md §7): loom_<room>_<what>_<unit>, counters end in _total, base units (seconds,
 * bytes); every metric has HELP text.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { registerDataplaneMetrics, type DataplaneMetricsSource } from './dataplane-metrics'
import { registerCryptoMetrics, type CryptoMetricsSource } from './crypto-metrics'
import { registerOffloadMetrics, type OffloadMetricsSource } from './offload-metrics'
import { MetricsSourceError } from './errors'
import { EventLoopLag, type LagSummary } from './event-loop-lag'
import { registerMulticastMetrics, type MulticastMetricsSource } from './multicast-metrics'
import { registerPolicyMetrics, type PolicyMetricsSource } from './policy-metrics'

/** SWIM member states, the `state` label of loom_control_members. */
export const MEMBER_STATES = ['alive', 'suspect', 'dead', 'left'] as const
export type MemberState = (typeof MEMBER_STATES)[number]

/** Plain counters the control plane increments; read at scrape time. */
export interface ControlCounters {
  /** Direct pings sent, and indirect ping requests sent (ping-req). */
  probesDirect: number
  probesIndirect: number
  /** Members this node marked suspect. */
  suspicions: number
  /** Times this node refuted a suspicion about itself (raised its incarnation). */
  refutations: number
  /** Members this node declared dead (suspicion timed out, or a dead message accepted). */
  deaths: number
  /** Gossip messages rejected by decode limits or as malformed (bad remote input, counted). */
  decodeErrors: number
}

/** Traffic of one gossip message type; bytes are the encoded message (UDP/TCP payload). */
export interface GossipTypeCounters {
  messagesIn: number
  messagesOut: number
  bytesIn: number
  bytesOut: number
}

/** What the metrics room reads from the membership layer (control/). */
export interface ControlMetricsSource {
  /**
   * Member counts by state as this node sees them (itself included, as alive). Called at
   * scrape time; must be cheap (counts kept up to date, or one pass over the member list).
   * A missing state reads as 0.
   */
  membersByState(): Readonly<Partial<Record<MemberState, number>>>
  readonly counters: Readonly<ControlCounters>
  /**
   * Per message type (e.g. "ping", "ack", "ping_req", "push_pull"), lower_snake_case. The key
   * set is fixed at start-up: it becomes the `type` label, so it must not grow with input.
   */
  readonly gossip: Readonly<Record<string, Readonly<GossipTypeCounters>>>
  /**
   * Gossip frames refused, by reason (lower_snake_case; a fixed key set, it becomes the `reason`
   * label): sealing (`unsealed`, `unknown_key`, `auth`, ...), stream limits, `decode`.
   */
  framesRejected?: () => Readonly<Record<string, number>>
  /** Membership updates and IPAM messages refused by the trust checks, by reason (fixed key set). */
  messagesRejected?: () => Readonly<Record<string, number>>
  /** True when gossip runs without the cluster secret (`gossip.insecure`). */
  insecure?: boolean
  /**
   * Every counter of the control plane by room (control/'s ControlStats), read whole once per
   * scrape: loom_control_events_total{room, event}, camelCase names as snake_case. The rooms and
   * counter names are fixed by the code, so the label sets do not grow with input.
   */
  stats?: () => Readonly<Record<string, Readonly<Record<string, number>>>>
}

/** IPAM state as of now, computed when Prometheus scrapes. */
export interface IpamSnapshot {
  /** Blocks this node owns (settled claims only). */
  blocksOwned: number
  /** Addresses handed out, and still free, inside this node's blocks. */
  addressesUsed: number
  addressesFree: number
  /** Size of the cluster CIDR in addresses (e.g. 65536 for a /16). */
  clusterAddresses: number
  /** Share (0..1) of the cluster's addresses in blocks whose owner is currently unreachable. */
  unreachableRatio: number
  /** Block claims started but not yet settled. */
  claimsPending: number
}

/** What the metrics room reads from IPAM (control/). */
export interface IpamMetricsSource {
  /** Called once per scrape (every IPAM gauge reads the same snapshot); keep it O(blocks) or better. */
  snapshot(): IpamSnapshot
  readonly counters: Readonly<{
    /** Blocks of dead nodes this node took over (after the grace period or `loom rmpeer`). */
    reclaims: number
  }>
}

/**
 * Commands of the local API, the `command` label of loom_api_*. CNI commands arrive through the
 * API as cni_<command>; anything else is recorded as "other".
 */
export const API_COMMANDS = [
  'cni_add', 'cni_del', 'cni_check', 'cni_status', 'cni_gc', 'cni_version',
  'status', 'status_peers', 'status_ipam', 'status_routes', 'rmpeer', 'other',
] as const
export type ApiCommand = (typeof API_COMMANDS)[number]
export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC' | 'VERSION'

/** Buckets for API request latency (seconds): a CNI ADD that claims a block may take seconds. */
const API_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** Buckets for one stage of a CNI invocation (s): from a netlink round trip idle to a lock wait or fsync under load. */
const CNI_STAGE_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]
/** The `command` label of loom_cni_stage_seconds: CNI_COMMAND in lower case. */
const CNI_STAGE_COMMANDS = ['add', 'del', 'check', 'gc', 'status', 'version'] as const

/** Buckets for address allocation latency (seconds): local hand-out is sub-ms, a claim is not. */
const ALLOCATION_DURATION_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30]

/**
 * Sampling period (ms) handed to prom-client's own event-loop sampler, which is not used (see the
 * constructor): the longest a libuv timer takes (2^31 - 1 ms, 24 days), so it never wakes the agent.
 */
export const PROM_CLIENT_LAG_SAMPLER_PARKED_MS = 2 ** 31 - 1

/** prom-client's event-loop lag gauges, replaced by ours under the same names (see the constructor). */
const EVENT_LOOP_LAG_GAUGES = {
  nodejs_eventloop_lag_min_seconds: ['The minimum event-loop lag since the previous scrape.', 'min'],
  nodejs_eventloop_lag_max_seconds: ['The maximum event-loop lag since the previous scrape.', 'max'],
  nodejs_eventloop_lag_mean_seconds: ['The mean event-loop lag since the previous scrape.', 'mean'],
  nodejs_eventloop_lag_stddev_seconds: ['The standard deviation of the event-loop lag since the previous scrape.', 'stddev'],
  nodejs_eventloop_lag_p50_seconds: ['The 50th percentile of the event-loop lag since the previous scrape.', 'p50'],
  nodejs_eventloop_lag_p90_seconds: ['The 90th percentile of the event-loop lag since the previous scrape.', 'p90'],
  nodejs_eventloop_lag_p99_seconds: ['The 99th percentile of the event-loop lag since the previous scrape.', 'p99'],
} as const satisfies Record<string, readonly [string, keyof LagSummary]>

/** Default metrics removed right after collectDefaultMetrics (see the constructor). */
const DEFAULT_METRICS_DROPPED = [
  'nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total',
  'nodejs_eventloop_lag_seconds', ...Object.keys(EVENT_LOOP_LAG_GAUGES),
]

export interface MetricsInit {
  /** The agent's version (package.json), a label on loom_build_info. */
  version: string
  /** This node's name; a label on loom_build_info. */
  nodeName: string
  dataplane?: DataplaneMetricsSource
  /** The encrypted encapsulation, when encryption is on. */
  crypto?: CryptoMetricsSource
  /** The segmentation offloads (negotiated level, counters, fallbacks). */
  offloads?: OffloadMetricsSource
  control?: ControlMetricsSource
  ipam?: IpamMetricsSource
  multicast?: MulticastMetricsSource
  policy?: PolicyMetricsSource
  /** The stage names of a CNI invocation (cni/stages.ts), the `stage` label of loom_cni_stage_seconds. */
  cniStages?: readonly string[]
}

export class LoomMetrics {
  /** The registry /metrics serializes. Only metrics/ touches it. */
  readonly registry: Registry
  /** The event-loop lag sampler behind nodejs_eventloop_lag_* and /healthz; MetricsServer starts and stops it. */
  readonly eventLoopLag: EventLoopLag
  private dataplane: DataplaneMetricsSource | undefined
  private controlAttached = false
  private ipamAttached = false
  /** Run at the start of every scrape: sources read once per scrape forget their last reading. */
  private readonly beforeScrape: Array<() => void> = []
  private readonly apiRequests: Counter<'command' | 'code'>
  private readonly apiDuration: Histogram<'command'>
  private readonly allocationDuration: Histogram<string>
  private readonly cniStageDuration: Histogram<'command' | 'stage'>
  private readonly cniStages: ReadonlySet<string>

  constructor (init: MetricsInit) {
    const register = new Registry()
    this.registry = register
    const registers = [register]
    // prom-client samples the loop delay (nodejs_eventloop_lag_*) with a libuv timer every 10 ms
    // by default, 100 wake-ups a second of an idle agent (bench/README.md "Idle wake-ups"), and
    // exports the timer's period plus the lag as the lag (1 s at a 1 s period). Its sampler cannot
    // be left out, so it is parked (never due) and its gauges dropped; ./event-loop-lag.ts, the
    // sampler /healthz uses, feeds the same names with the period subtracted.
    collectDefaultMetrics({ register, eventLoopMonitoringPrecision: PROM_CLIENT_LAG_SAMPLER_PARKED_MS })
    // prom-client exports these three sums as gauges named *_total, which `promtool check
    // metrics` rejects ("non-counter metrics should not have _total suffix"); the per-type
    // gauges without the suffix (nodejs_active_handles{type} etc.) carry the same data.
    for (const name of DEFAULT_METRICS_DROPPED) register.removeSingleMetric(name)
    const lag = this.eventLoopLag = new EventLoopLag()
    new Gauge({
      name: 'nodejs_eventloop_lag_seconds',
      help: 'Event-loop lag: the worst of the last one to two seconds (what /healthz checks).',
      registers,
      collect () { this.set(lag.recentMaxSeconds()) },
    })
    const lagGauges = Object.entries(EVENT_LOOP_LAG_GAUGES).map(([name, [help, stat]]) =>
      [new Gauge({ name, help, registers }), stat] as const)
    // One read of the since-last-scrape histogram per scrape, for all seven gauges.
    this.beforeScrape.push(() => {
      const summary = lag.takeSinceLastRead()
      for (const [gauge, stat] of lagGauges) gauge.set(summary[stat])
    })

    const currentDataplane = (): DataplaneMetricsSource | undefined => this.dataplane
    new Gauge({
      name: 'loom_build_info',
      help: 'Always 1; labels carry the agent version, node name and data-plane choices.',
      labelNames: ['version', 'node', 'encapsulation', 'encryption'] as const,
      registers,
      collect () {
        const dp = currentDataplane()
        this.reset()
        this.set({
          version: init.version,
          node: init.nodeName,
          encapsulation: dp?.encapsulation ?? 'none',
          encryption: dp?.encryption === true ? 'true' : 'false',
        }, 1)
      },
    })

    this.apiRequests = new Counter({
      name: 'loom_api_requests_total',
      help: 'Local API requests (CNI included) by command and result code: 0 = success, else the CNI error code (cni_*) or the HTTP status.',
      labelNames: ['command', 'code'] as const,
      registers,
    })
    this.apiDuration = new Histogram({
      name: 'loom_api_request_duration_seconds',
      help: 'Time to serve a local API request (CNI included), by command.',
      labelNames: ['command'] as const,
      buckets: API_DURATION_BUCKETS,
      registers,
    })
    this.allocationDuration = new Histogram({
      name: 'loom_ipam_allocation_duration_seconds',
      help: 'Time to allocate one pod address, including a block claim when one was needed.',
      buckets: ALLOCATION_DURATION_BUCKETS,
      registers,
    })

    this.cniStages = new Set(init.cniStages ?? [])
    this.cniStageDuration = new Histogram({
      name: 'loom_cni_stage_seconds',
      help: 'Time one CNI invocation spent in one stage inside the agent (request, lock_wait, state_commit, veth_create, pod_config, ...), by CNI command.',
      labelNames: ['command', 'stage'] as const,
      buckets: CNI_STAGE_BUCKETS,
      registers,
    })

    if (init.dataplane !== undefined) this.attachDataplane(init.dataplane)
    if (init.crypto !== undefined) registerCryptoMetrics(this.registry, init.crypto)
    if (init.offloads !== undefined) registerOffloadMetrics(this.registry, init.offloads)
    if (init.control !== undefined) this.attachControl(init.control)
    if (init.ipam !== undefined) this.attachIpam(init.ipam)
    if (init.multicast !== undefined) registerMulticastMetrics(this.registry, init.multicast)
    if (init.policy !== undefined) registerPolicyMetrics(register, init.policy)
  }

  /** Content type of `metrics()`, for the HTTP response. */
  get contentType (): string {
    return this.registry.contentType
  }

  /** The exposition text; reads every source (collect callbacks) now. */
  async metrics (): Promise<string> {
    for (const f of this.beforeScrape) f()
    return await this.registry.metrics()
  }

  /** Registers the data-plane metrics, read from `source` at scrape time. Once only. */
  attachDataplane (source: DataplaneMetricsSource): void {
    if (this.dataplane !== undefined) throw new MetricsSourceError('dataplane', 'already attached')
    this.dataplane = source
    registerDataplaneMetrics(this.registry, source)
  }

  /** Registers the membership and gossip metrics, read from `source` at scrape time. Once only. */
  attachControl (source: ControlMetricsSource): void {
    if (this.controlAttached) throw new MetricsSourceError('control', 'already attached')
    this.controlAttached = true
    registerControlMetrics(this.registry, source, this.beforeScrape)
  }

  /** Registers the IPAM gauges and counters, read from `source` at scrape time. Once only. */
  attachIpam (source: IpamMetricsSource): void {
    if (this.ipamAttached) throw new MetricsSourceError('ipam', 'already attached')
    this.ipamAttached = true
    registerIpamMetrics(this.registry, source, this.beforeScrape)
  }

  /**
   * Records one served local API request. `code`: 0 for success, else the CNI error code
   * (cni_* commands) or HTTP status. Unknown commands and codes outside 0..999 become "other",
   * so callers cannot blow up the label set. Never throws.
   */
  observeApiRequest (command: ApiCommand | string, code: number, seconds: number): void {
    const cmd = (API_COMMANDS as readonly string[]).includes(command) ? command : 'other'
    const codeLabel = Number.isInteger(code) && code >= 0 && code <= 999 ? String(code) : 'other'
    this.apiRequests.inc({ command: cmd, code: codeLabel })
    if (Number.isFinite(seconds) && seconds >= 0) this.apiDuration.observe({ command: cmd }, seconds)
  }

  /** Same as observeApiRequest for a CNI command as the plugin names it (ADD, DEL, ...). */
  observeCniRequest (command: CniCommand, code: number, seconds: number): void {
    this.observeApiRequest(`cni_${String(command).toLowerCase()}`, code, seconds)
  }

  /**
   * Records the time one CNI invocation spent in each of its stages. Commands and stages outside
   * the vocabularies (CNI_STAGE_COMMANDS, `init.cniStages`) become "other". Never throws.
   */
  observeCniStage (command: string, stages: ReadonlyArray<readonly [string, number]>): void {
    const lower = command.toLowerCase()
    const cmd = (CNI_STAGE_COMMANDS as readonly string[]).includes(lower) ? lower : 'other'
    for (const [stage, seconds] of stages) {
      if (!Number.isFinite(seconds) || seconds < 0) continue
      this.cniStageDuration.observe({ command: cmd, stage: this.cniStages.has(stage) ? stage : 'other' }, seconds)
    }
  }

  /** Records how long one address allocation took (seconds). Never throws. */
  observeAllocation (seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.allocationDuration.observe(seconds)
  }
}

/** Builds the agent's metrics registry (see LoomMetrics). */
export function createMetricsRegistry (init: MetricsInit): LoomMetrics {
  return new LoomMetrics(init)
}

/** Label-safe message-type names: lower_snake_case, short. */
const GOSSIP_TYPE_RE = /^[a-z][a-z0-9_]{0,31}$/

/** `read` at most once per scrape: the first caller after `beforeScrape` runs it, the others share it. */
function oncePerScrape<T> (read: () => T, beforeScrape: Array<() => void>): () => T {
  let last: { value: T } | undefined
  beforeScrape.push(() => { last = undefined })
  return () => (last ??= { value: read() }).value
}

/** "probesSent" -> "probes_sent". */
function snakeCase (name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

function registerControlMetrics (register: Registry, source: ControlMetricsSource,
  beforeScrape: Array<() => void>): void {
  const registers = [register]
  const c = source.counters
  const simple = (name: string, help: string, read: () => number): void => {
    new Counter({ name, help, registers, collect () { this.reset(); this.inc(read()) } })
  }

  new Gauge({
    name: 'loom_control_members',
    help: 'Cluster members by SWIM state, as this node sees them (itself included).',
    labelNames: ['state'] as const,
    registers,
    collect () {
      const byState = source.membersByState()
      for (const state of MEMBER_STATES) this.set({ state }, byState[state] ?? 0)
    },
  })
  new Counter({
    name: 'loom_control_probes_total',
    help: 'Failure-detector probes sent: direct pings and indirect ping requests.',
    labelNames: ['kind'] as const,
    registers,
    collect () {
      this.reset()
      this.inc({ kind: 'direct' }, c.probesDirect)
      this.inc({ kind: 'indirect' }, c.probesIndirect)
    },
  })
  simple('loom_control_suspicions_total', 'Members this node marked suspect.', () => c.suspicions)
  simple('loom_control_refutations_total', 'Suspicions about this node that it refuted by raising its incarnation.',
    () => c.refutations)
  simple('loom_control_deaths_total', 'Members this node declared dead.', () => c.deaths)
  simple('loom_control_decode_errors_total', 'Gossip messages rejected as malformed or over decode limits.',
    () => c.decodeErrors)

  const byReason = (name: string, help: string, read: (() => Readonly<Record<string, number>>) | undefined): void => {
    if (read === undefined) return
    new Counter({
      name,
      help,
      labelNames: ['reason'] as const,
      registers,
      collect () {
        this.reset()
        for (const [reason, n] of Object.entries(read())) {
          this.inc({
            reason: GOSSIP_TYPE_RE.test(reason) ? reason : 'other'
          }, n)
        }
      },
    })
  }
  byReason('loom_control_gossip_frames_rejected_total',
    'Gossip frames refused, by reason (unsealed, unknown_key, auth, oversized, deadline, connection_limit, decode, ...).', source.framesRejected)
  byReason('loom_control_gossip_messages_rejected_total',
    'Membership updates and IPAM messages refused by the trust checks, by reason.', source.messagesRejected)
  if (source.insecure !== undefined) {
    const insecure = source.insecure ? 1 : 0
    new Gauge({
      name: 'loom_control_gossip_insecure',
      help: '1 when gossip runs without the cluster secret (gossip.insecure: frames neither authenticated nor encrypted).',
      registers,
      collect () { this.set(insecure) },
    })
  }

  const gossipCounter = (name: string, help: string, inKey: keyof GossipTypeCounters,
    outKey: keyof GossipTypeCounters): void => {
    new Counter({
      name,
      help,
      labelNames: ['type', 'direction'] as const,
      registers,
      collect () {
        this.reset()
        for (const [type, g] of Object.entries(source.gossip)) {
          const label = GOSSIP_TYPE_RE.test(type) ? type : 'other'
          this.inc({ type: label, direction: 'in' }, g[inKey])
          this.inc({ type: label, direction: 'out' }, g[outKey])
        }
      },
    })
  }
  gossipCounter('loom_control_gossip_messages_total', 'Gossip messages by type; "in" received, "out" sent.',
    'messagesIn', 'messagesOut')
  gossipCounter('loom_control_gossip_bytes_total', 'Encoded gossip bytes by message type; "in" received, "out" sent.',
    'bytesIn', 'bytesOut')

  if (source.stats !== undefined) {
    const stats = oncePerScrape(source.stats, beforeScrape)
    new Counter({
      name: 'loom_control_events_total',
      help: 'Every counter of the control plane (control/stats.ts ControlStats), by room and event.',
      labelNames: ['room', 'event'] as const,
      registers,
      collect () {
        this.reset()
        for (const [room, counters] of Object.entries(stats())) {
          if (!GOSSIP_TYPE_RE.test(snakeCase(room))) continue
          for (const [name, n] of Object.entries(counters)) {
            const event = snakeCase(name)
            if (GOSSIP_TYPE_RE.test(event)) this.inc({ room: snakeCase(room), event }, n)
          }
        }
      },
    })
  }
}

function registerIpamMetrics (register: Registry, source: IpamMetricsSource, beforeScrape: Array<() => void>): void {
  const registers = [register]
  // One IPAM status per scrape, however many gauges read it.
  const snapshot = oncePerScrape(() => source.snapshot(), beforeScrape)
  const gauge = (name: string, help: string, key: keyof IpamSnapshot): void => {
    new Gauge({ name, help, registers, collect () { this.set(snapshot()[key]) } })
  }
  gauge('loom_ipam_blocks_owned', 'Address blocks this node owns (settled claims).', 'blocksOwned')
  gauge('loom_ipam_addresses_used', 'Addresses handed out in the blocks this node owns.', 'addressesUsed')
  gauge('loom_ipam_addresses_free', 'Addresses still free in the blocks this node owns.', 'addressesFree')
  gauge('loom_ipam_cluster_addresses', 'Size of the cluster CIDR in addresses.', 'clusterAddresses')
  gauge('loom_ipam_unreachable_ratio',
    'Share (0..1) of the cluster addresses held by owners that are currently unreachable.', 'unreachableRatio')
  gauge('loom_ipam_claims_pending', 'Block claims started by this node and not yet settled.', 'claimsPending')
  new Counter({
    name: 'loom_ipam_reclaims_total',
    help: 'Blocks of dead nodes this node reclaimed.',
    registers,
    collect () { this.reset(); this.inc(source.counters.reclaims) },
  })
}
