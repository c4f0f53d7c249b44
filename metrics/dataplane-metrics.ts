/**
 * The data plane's metrics, read from its plain counters at scrape time.
 *
 * Design notes: the hot path never calls prom-client. It increments plain numbers
 * (`DataplaneStats`, `PeerRoute.counters`); each metric below has a `collect()` callback that
 * copies those numbers into prom-client when Prometheus scrapes. A scrape therefore costs
 * O(peers + reasons + batch sizes), and a packet costs nothing extra. The alternative, calling
 * `counter.inc()` per packet (or per batch), would hash label sets on the hot path.
 *
 * Per-peer series are rebuilt on every scrape from the live route table (`peers()`): a peer that
 * leaves the table leaves the exposition at the next scrape, so label cardinality is bounded by
 * the current cluster size, not by every node ever seen. If the data plane replaces a peer's
 * PeerRoute with zeroed counters, the series goes down; Prometheus' rate() treats that as a
 * counter reset, which is what it is.
 *
 * The batch-size histograms are built from the `*Batches` arrays (element n = calls that moved n
 * packets). prom-client's Histogram can only `observe()`, not be set from totals, so a small
 * collector emits the standard histogram exposition (_bucket{le}, _sum, _count) itself.
 */
import { Counter, Gauge, type Metric, type Registry } from 'prom-client'
import type { EncapsulationKind } from '../dataplane/encap'
import { DROP_REASONS, MAX_BATCH, type DataplaneStats, type PeerRoute } from '../dataplane/types'

/**
 * What the metrics room reads from a running data plane. Everything is read at scrape time, on
 * the main thread, between packet batches; nothing here is called per packet.
 */
export interface DataplaneMetricsSource {
  /** The data plane's own counters (drops, batch sizes, ICMP); owned and written by it. */
  readonly stats: DataplaneStats
  /**
   * Current peers (from the live route table); called at scrape time. The returned array and
   * its PeerRoutes are only read, never kept past the call.
   */
  peers(): readonly PeerRoute[]
  /** Fixed at start-up; a label on the traffic counters and on loom_build_info. */
  readonly encapsulation: EncapsulationKind
  readonly encryption: boolean
  /**
   * Packets the kernel dropped on the TUN device because we did not read them in time (its
   * tx_dropped counter); undefined when unknown. Where a slow reader shows up first.
   */
  tunQueueDrops?(): number | undefined
}

/** Upper bounds of the batch-size buckets: powers of two up to MAX_BATCH (128). */
export const BATCH_BUCKETS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128]

/** Label values of `queue` on loom_dataplane_batch_packets, and the stats array each one reads. */
const BATCH_QUEUES = [
  ['tun_read', 'tunReadBatches'],
  ['tun_write', 'tunWriteBatches'],
  ['udp_recv', 'udpRecvBatches'],
  ['udp_send', 'udpSendBatches'],
] as const

/**
 * Registers every data-plane metric on `register`. `source` is read only inside collect
 * callbacks, i.e. at scrape time. Called once per registry (see LoomMetrics.attachDataplane).
 */
export function registerDataplaneMetrics (register: Registry, source: DataplaneMetricsSource): void {
  const registers = [register]
  const encapsulation = source.encapsulation

  new Counter({
    name: 'loom_dataplane_packets_total',
    help: 'IP packets carried per peer; direction "out" is TUN to wire, "in" is wire to TUN.',
    labelNames: ['direction', 'peer', 'encapsulation'] as const,
    registers,
    collect () {
      this.reset()
      for (const p of source.peers()) {
        this.inc({ direction: 'out', peer: p.nodeName, encapsulation }, p.counters.packetsOut)
        this.inc({ direction: 'in', peer: p.nodeName, encapsulation }, p.counters.packetsIn)
      }
    },
  })

  new Counter({
    name: 'loom_dataplane_bytes_total',
    help: 'Inner IP bytes carried per peer (without encapsulation overhead); directions as for packets.',
    labelNames: ['direction', 'peer', 'encapsulation'] as const,
    registers,
    collect () {
      this.reset()
      for (const p of source.peers()) {
        this.inc({ direction: 'out', peer: p.nodeName, encapsulation }, p.counters.bytesOut)
        this.inc({ direction: 'in', peer: p.nodeName, encapsulation }, p.counters.bytesIn)
      }
    },
  })

  new Counter({
    name: 'loom_dataplane_drops_total',
    help: 'Packets dropped by the data plane, by direction and reason; every reason is always present.',
    labelNames: ['direction', 'reason'] as const,
    registers,
    collect () {
      const { dropsOutbound, dropsInbound } = source.stats
      this.reset()
      // Index 0 is Drop.None, not a drop.
      for (let r = 1; r < DROP_REASONS.length; r++) {
        this.inc({ direction: 'out', reason: DROP_REASONS[r] }, dropsOutbound[r] ?? 0)
        this.inc({ direction: 'in', reason: DROP_REASONS[r] }, dropsInbound[r] ?? 0)
      }
    },
  })

  new Gauge({
    name: 'loom_dataplane_peer_mtu_bytes',
    help: 'Largest inner IP packet sent to each peer (underlay MTU minus encapsulation overhead).',
    labelNames: ['peer'] as const,
    registers,
    collect () {
      this.reset()
      for (const p of source.peers()) this.set({ peer: p.nodeName }, p.mtu)
    },
  })

  new Counter({
    name: 'loom_dataplane_icmp_frag_needed_sent_total',
    help: 'ICMP "fragmentation needed" messages written back into the TUN for oversized DF packets.',
    registers,
    collect () {
      this.reset()
      this.inc(source.stats.icmpFragNeededSent)
    },
  })

  new Counter({
    name: 'loom_dataplane_answer_probes_total',
    help: 'TUN reads made right after writing a lone small inbound packet, for an answer the kernel made inside the write.',
    registers,
    collect () {
      this.reset()
      this.inc(source.stats.answerProbes)
    },
  })

  const tunQueueDrops = source.tunQueueDrops
  if (tunQueueDrops !== undefined) {
    new Counter({
      name: 'loom_dataplane_tun_queue_drops_total',
      help: 'Packets the kernel dropped on the TUN device because its queue was full (loomd read too slowly).',
      registers,
      collect () {
        this.reset()
        const n = tunQueueDrops()
        if (n !== undefined) this.inc(n)
      },
    })
  }

  register.registerMetric(new BatchHistogramCollector(source.stats) as unknown as Metric)
}

/**
 * A histogram family whose values come from per-size count arrays rather than observe() calls.
 * Shaped like a prom-client metric (name, help, type, get) so the Registry serializes it.
 */
class BatchHistogramCollector {
  readonly name = 'loom_dataplane_batch_packets'
  readonly help = 'Packets moved per batched TUN read/write or UDP receive/send call.'
  readonly type = 'histogram'
  readonly aggregator = 'sum'

  constructor (private readonly stats: DataplaneStats) {}

  async get (): Promise<{ name: string, help: string, type: string, aggregator: string, values: HistogramValue[] }> {
    const values: HistogramValue[] = []
    for (const [queue, key] of BATCH_QUEUES) appendBatchHistogram(values, this.name, queue, this.stats[key])
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values }
  }
}

interface HistogramValue {
  metricName: string
  labels: Record<string, string | number>
  value: number
}

/**
 * Appends the exposition of one histogram: counts[n] calls moved n packets (n = 0..MAX_BATCH,
 * so every size fits the last bound, 128). Buckets are cumulative, as the format requires.
 */
function appendBatchHistogram (out: HistogramValue[], name: string, queue: string,
  counts: ArrayLike<number>): void {
  const buckets = new Array<number>(BATCH_BUCKETS.length).fill(0)
  let count = 0
  let sum = 0
  const n = Math.min(counts.length, MAX_BATCH + 1)
  for (let size = 0; size < n; size++) {
    const c = counts[size]
    if (c === 0 || !Number.isFinite(c)) continue
    count += c
    sum += size * c
    for (let b = 0; b < BATCH_BUCKETS.length; b++) {
      if (size <= BATCH_BUCKETS[b]) { buckets[b] += c; break }
    }
  }
  let cumulative = 0
  for (let b = 0; b < BATCH_BUCKETS.length; b++) {
    cumulative += buckets[b]
    out.push({ metricName: `${name}_bucket`, labels: { queue, le: BATCH_BUCKETS[b] }, value: cumulative })
  }
  out.push({ metricName: `${name}_bucket`, labels: { queue, le: '+Inf' }, value: count })
  out.push({ metricName: `${name}_sum`, labels: { queue }, value: sum })
  out.push({ metricName: `${name}_count`, labels: { queue }, value: count })
}
