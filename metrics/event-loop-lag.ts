/**
 * EventLoopLag: the agent's event-loop lag, for /healthz (metrics/server.ts) and the standard
 * `nodejs_eventloop_lag_*` gauges (metrics/registry.ts).
 *
 * Design notes:
 * - perf_hooks.monitorEventLoopDelay records, per run of its libuv timer, the time since the
 *   previous run: the resolution plus the lag. prom-client exports those values as they are, so
 *   with the 1 000 ms period chosen to keep an idle agent asleep every node read about 1 s of
 *   lag. Here the resolution is subtracted from every statistic but the standard deviation
 *   (clamped at 0; libuv's millisecond clock can run a sample a fraction of a millisecond short).
 * - One period for both readers, RESOLUTION_MS (50 ms): a stall shorter than the period can go
 *   unseen, a longer one reads at least its length minus the period. A 1 s period would miss a
 *   200 ms stall that does not cover the timer's due time, and idle wake-ups need no coarser one.
 * - Two histograms, because the readers forget at different times: /healthz the worst lag of the
 *   current and the previous second (`windowMs`), the gauges everything since the previous scrape
 *   (prom-client's meaning). Node cannot merge an interval histogram into another, so each reader
 *   has its own; both timers are started in one tick with one period, so libuv runs them in the
 *   same pass (one wake-up, not two; checked with the process's context switches: 21/s either way).
 * - Nothing runs per sample in JS: the window turns once per `windowMs`, the gauges read at scrape.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'

/** Sampling period of both histograms (ms). */
export const RESOLUTION_MS = 50
/** /healthz looks at the current and the previous window of this length (ms). */
const WINDOW_MS = 1000

/** The lag statistics since the previous `takeSinceLastRead` (seconds; 0 when nothing was sampled). */
export interface LagSummary {
  min: number
  max: number
  mean: number
  stddev: number
  p50: number
  p90: number
  p99: number
}

export class EventLoopLag {
  private readonly resolutionNs = RESOLUTION_MS * 1e6
  private window: IntervalHistogram | undefined
  private sinceRead: IntervalHistogram | undefined
  private windowTimer: NodeJS.Timeout | undefined
  private previousWindowMaxNs = 0

  /** Starts sampling. Idempotent. */
  start (): void {
    if (this.window !== undefined) return
    // Created and enabled in one tick, so their timers stay due together (see the file header).
    this.window = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
    this.sinceRead = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
    this.window.enable()
    this.sinceRead.enable()
    this.previousWindowMaxNs = 0
    this.windowTimer = setInterval(() => { this.onWindowExpired() }, WINDOW_MS)
    this.windowTimer.unref()
  }

  /** Stops sampling; the readings are 0 until the next start(). Safe before start() and twice. */
  stop (): void {
    if (this.windowTimer !== undefined) clearInterval(this.windowTimer)
    this.windowTimer = undefined
    this.window?.disable()
    this.sinceRead?.disable()
    this.window = undefined
    this.sinceRead = undefined
    this.previousWindowMaxNs = 0
  }

  /** The worst lag of the current and the previous window (seconds): what /healthz checks. */
  recentMaxSeconds (): number {
    const current = this.lagNs(this.window, this.window?.max ?? 0)
    return Math.max(current, this.previousWindowMaxNs) / 1e9
  }

  /** The lag statistics since the previous call (seconds), then forgets them: one scrape's view. */
  takeSinceLastRead (): LagSummary {
    const h = this.sinceRead
    const at = (ns: number): number => this.lagNs(h, ns) / 1e9
    const summary = h === undefined || h.count === 0
      ? { min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0 }
      : {
          min: at(h.min),
          max: at(h.max),
          mean: at(h.mean),
          stddev: h.stddev / 1e9,
          p50: at(h.percentile(50)),
          p90: at(h.percentile(90)),
          p99: at(h.percentile(99)),
        }
    h?.reset()
    return summary
  }

  private onWindowExpired (): void {
    if (this.window === undefined) return
    this.previousWindowMaxNs = this.lagNs(this.window, this.window.max)
    this.window.reset()
  }

  /** A recorded timer interval (ns) as lag: minus the period, at least 0; 0 for an empty histogram. */
  private lagNs (h: IntervalHistogram | undefined, intervalNs: number): number {
    if (h === undefined || h.count === 0) return 0
    return Math.max(0, intervalNs - this.resolutionNs)
  }
}
