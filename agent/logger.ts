/**
 * Structured logging: one pino root per process writing JSON lines to stdout (journald keeps
 * them), children per component, and a rate limiter for messages that can repeat per peer.
 *
 * - Bindings (child logger keys) are fixed words chosen in code: `component`, `nodeName`.
 *   pino writes binding keys without escaping, so a key must never come from the network or a
 *   config file; untrusted values go into a message's merge object, whose keys are also ours.
 * - Log verbosity is decided at start-up (CONTRIBUTING.md §3); the hot path never logs. Control-side
 *   errors that repeat per peer (a failing handshake every few seconds, a peer sending garbage)
 *   go through RateLimitedLogger so that one bad peer cannot flood the journal.
 */

import pino from 'pino'
import {
  DEFAULT_LOG_RATE_INTERVAL_MS, DEFAULT_LOG_RATE_LIMIT, DEFAULT_LOG_RATE_MAX_KEYS,
} from './defaults'

export type Logger = pino.Logger

export interface LoggerInit {
  /** pino level name (fatal error warn info debug trace silent). */
  readonly level: string
  /** Where JSON lines go; default stdout (pino's synchronous sonic-boom on fd 1). */
  readonly destination?: pino.DestinationStream
}

/**
 * The process's root logger. Lines carry `level` as its name ("info", easier to grep than 30),
 * an ISO `time`, and `pid`; the agent adds `nodeName` with `root.child({ nodeName })` once the
 * config is known. Throws if `level` is not a pino level.
 */
export function createLogger (init: LoggerInit): Logger {
  const options: pino.LoggerOptions = {
    level: init.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }
  return init.destination === undefined ? pino(options) : pino(options, init.destination)
}

/** Room names used as the `component` binding. */
export type Component = 'agent' | 'dataplane' | 'control' | 'ipam' | 'gossip' | 'metrics' | 'api' | 'cni'

/** A child logger for one room or component: every line carries `component`. */
export function componentLogger (root: Logger, component: Component): Logger {
  return root.child({ component })
}

export type RateLimitedLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'

export interface RateLimitInit {
  /** Messages let through per key per interval; default 5. */
  readonly limit?: number
  /** Interval length in milliseconds; default 10000. */
  readonly intervalMs?: number
  /** Keys tracked at once; beyond it, new keys share the key "(other)". Default 1024. */
  readonly maxKeys?: number
  /** Clock in milliseconds; default Date.now. Tests pass a fake. */
  readonly now?: () => number
}

/** Key under which messages are counted once `maxKeys` keys are being tracked. */
export const OVERFLOW_KEY = '(other)'

interface Window {
  start: number
  passed: number
  suppressed: number
  level: RateLimitedLevel
  lastMsg: string
}

/**
 * Lets through at most `limit` messages per key (e.g. a peer's node name) per fixed interval.
 * The rest are counted, and one summary "suppressed K similar messages" (fields: key,
 * suppressed, lastMsg, at the level of the suppressed messages) is logged when the interval is
 * over: either by the next message for that key, or by `flush()`, which `start()` runs on a
 * timer. No timer runs unless started, so tests drive it with a fake clock and flush().
 */
export class RateLimitedLogger {
  private readonly logger: Logger
  private readonly limit: number
  private readonly intervalMs: number
  private readonly maxKeys: number
  private readonly now: () => number
  private readonly windows = new Map<string, Window>()
  private timer: NodeJS.Timeout | undefined

  constructor (logger: Logger, init: RateLimitInit = {}) {
    this.logger = logger
    this.limit = init.limit ?? DEFAULT_LOG_RATE_LIMIT
    this.intervalMs = init.intervalMs ?? DEFAULT_LOG_RATE_INTERVAL_MS
    this.maxKeys = init.maxKeys ?? DEFAULT_LOG_RATE_MAX_KEYS
    this.now = init.now ?? Date.now
  }

  /** Logs `msg` with `fields` unless `key` is over its limit. Returns true if it was logged. */
  log (level: RateLimitedLevel, key: string, fields: Record<string, unknown>, msg: string): boolean {
    if (!this.logger.isLevelEnabled(level)) return false
    const t = this.now()
    if (!this.windows.has(key) && this.windows.size >= this.maxKeys) {
      this.flush()
      if (this.windows.size >= this.maxKeys) key = OVERFLOW_KEY
    }
    let w = this.windows.get(key)
    if (w !== undefined && t - w.start >= this.intervalMs) {
      this.summarize(key, w)
      w = undefined
    }
    if (w === undefined) {
      w = { start: t, passed: 0, suppressed: 0, level, lastMsg: '' }
      this.windows.set(key, w)
    }
    if (w.passed < this.limit) {
      w.passed++
      this.logger[level]({ ...fields, key }, msg)
      return true
    }
    w.suppressed++
    w.level = level
    w.lastMsg = msg
    return false
  }

  error (key: string, fields: Record<string, unknown>, msg: string): boolean {
    return this.log('error', key, fields, msg)
  }

  warn (key: string, fields: Record<string, unknown>, msg: string): boolean {
    return this.log('warn', key, fields, msg)
  }

  info (key: string, fields: Record<string, unknown>, msg: string): boolean {
    return this.log('info', key, fields, msg)
  }

  debug (key: string, fields: Record<string, unknown>, msg: string): boolean {
    return this.log('debug', key, fields, msg)
  }

  /** Ends every interval that is over: logs its summary (if anything was suppressed) and forgets the key. */
  flush (): void {
    const t = this.now()
    for (const [key, w] of this.windows) {
      if (t - w.start >= this.intervalMs) this.summarize(key, w)
    }
  }

  /** Number of keys currently tracked (for tests and status). */
  get trackedKeys (): number {
    return this.windows.size
  }

  /** Runs flush() every interval (the timer is unref'd: it never keeps the process alive). */
  start (): void {
    if (this.timer !== undefined) return
    this.timer = setInterval(() => this.flush(), this.intervalMs)
    this.timer.unref()
  }

  /** Stops the timer and logs the summaries still pending, whether or not their interval is over. */
  stop (): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    for (const [key, w] of this.windows) this.summarize(key, w)
  }

  private summarize (key: string, w: Window): void {
    this.windows.delete(key)
    if (w.suppressed === 0) return
    this.logger[w.level]({ key, suppressed: w.suppressed, lastMsg: w.lastMsg },
      `suppressed ${w.suppressed} similar messages`)
  }
}
