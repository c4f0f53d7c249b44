/**
 * Failures of the metrics room. One class per kind, each with a stable `code` that callers
 * branch on (never the message text), and the underlying error as `cause`.
 *
 * All of them are start-up failures (bad config, a port already taken, wiring done twice):
 * the agent logs one clear line and exits non-zero. Nothing here is thrown at scrape time; a
 * failing scrape becomes an HTTP 500 and a log line, never a crash.
 */

/** The `metrics.address` setting is not "host:port" with a port in 0..65535. */
export class MetricsAddressError extends Error {
  static readonly code = 'ERR_METRICS_ADDRESS'
  readonly code = MetricsAddressError.code
  override readonly name = 'MetricsAddressError'

  constructor (readonly address: string, reason: string) {
    super(`invalid metrics address ${JSON.stringify(address)}: ${reason} (expected "host:port", e.g. "127.0.0.1:9784")`)
  }
}

/** The metrics listener could not bind (EADDRINUSE, EACCES, an address not on this host). */
export class MetricsListenError extends Error {
  static readonly code = 'ERR_METRICS_LISTEN'
  readonly code = MetricsListenError.code
  override readonly name = 'MetricsListenError'

  constructor (readonly address: string, cause: unknown) {
    const detail = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause)
    super(`failed to listen for metrics on ${address}: ${detail}`, { cause })
  }
}

/**
 * A source (data plane, control plane, IPAM) was attached twice, which would register its
 * metrics twice; a wiring bug in agent/, so it is thrown loudly at start-up.
 */
export class MetricsSourceError extends Error {
  static readonly code = 'ERR_METRICS_SOURCE'
  readonly code = MetricsSourceError.code
  override readonly name = 'MetricsSourceError'

  constructor (readonly source: string, reason: string) {
    super(`cannot attach ${source} metrics source: ${reason}`)
  }
}
