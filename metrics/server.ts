/**
 * The metrics and health listener: plain node:http on the TCP address from config
 * (`metrics.address`, e.g. "127.0.0.1:9784").
 *
 *   GET /metrics  the registry's exposition (Prometheus text format 0.0.4)
 *   GET /healthz  liveness: 200 "ok" while the event loop keeps up (lag below the limit, 1 s by
 *                 default), else 503 with the measured lag. Kubernetes/systemd restart on this,
 *                 so it checks only what a restart can fix: a wedged or starved process.
 *   GET /readyz   readiness: 200 when HealthSource.ready() says so, else 503 with the failing
 *                 checks as JSON (e.g. not yet joined, data plane not up).
 *   anything else 404; a method other than GET 405.
 *
 * Lag is the registry's sampler (./event-loop-lag.ts: perf_hooks.monitorEventLoopDelay every 50 ms
 * in libuv, no JS per sample, the period subtracted), started and stopped with the listener; /healthz
 * checks the worst of the current and the previous second, so a stall shows up at the next
 * /healthz and clears about two seconds after the loop recovers. (The monitor drops its first
 * sample, so a stall in the first ~50 ms after start() goes unseen.) The sampling timer wakes an
 * idle agent, so it is kept coarse: 20 wake-ups a second, not the default 100.
 *
 * The listener never crashes the agent on bad input: malformed requests get a 400 from the
 * clientError hook, request bodies are discarded, and a failing collect becomes a 500 plus one
 * log line. Nor can a client exhaust it: at most MAX_CONNECTIONS open connections (more are
 * closed at once), headers within 5 s and the request within 10 s, and a body over
 * MAX_BODY_BYTES (no endpoint takes one) answered 413 and the connection closed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { isIP, type Socket } from 'node:net'
/** Open connections at most (Prometheus keeps one; curl and probes come and go). */
export const MAX_CONNECTIONS = 32
/** Largest request body read (and discarded) before answering 413. */
export const MAX_BODY_BYTES = 64 * 1024
import type { Logger } from 'pino'
import { MetricsAddressError, MetricsListenError } from './errors'
import type { LoomMetrics } from './registry'

/** What /readyz asks the agent. */
export interface HealthSource {
  /**
   * Whether the agent should receive work now, and the individual checks behind the answer
   * (e.g. { dataplane: true, joined: false, ipam: true }). Called per /readyz request on the
   * main thread; must be cheap and must not block. A throw counts as not ready.
   */
  ready(): { ready: boolean, checks: Record<string, boolean> }
}

export interface MetricsServerComponents {
  registry: LoomMetrics
  health: HealthSource
  logger: Logger
}

export interface MetricsServerInit {
  /** "host:port"; host an IP literal (IPv6 in brackets) or a host name; port 0 picks a free one. */
  address: string
  /** /healthz fails when the event loop lagged this long (seconds) recently. Default 1. */
  maxEventLoopLagSeconds?: number
}

/** Splits and checks "host:port"; throws MetricsAddressError naming the address. */
export function parseMetricsAddress (address: string): { host: string, port: number } {
  if (typeof address !== 'string' || address.length === 0) {
    throw new MetricsAddressError(String(address), 'empty')
  }
  const colon = address.lastIndexOf(':')
  if (colon < 0) throw new MetricsAddressError(address, 'missing ":port"')
  let host = address.slice(0, colon)
  const portText = address.slice(colon + 1)
  if (host.startsWith('[') && host.endsWith(']')) {
    host = host.slice(1, -1)
    if (isIP(host) !== 6) throw new MetricsAddressError(address, `"${host}" is not an IPv6 address`)
  } else if (host.length === 0) {
    throw new MetricsAddressError(address, 'missing host (use 0.0.0.0 to listen on all interfaces)')
  } else if (host.includes(':')) {
    throw new MetricsAddressError(address, 'IPv6 addresses must be written in brackets, e.g. "[::1]:9784"')
  } else if (isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(host)) {
    throw new MetricsAddressError(address, `"${host}" is neither an IP address nor a host name`)
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new MetricsAddressError(address, `port "${portText}" is not an integer in 0..65535`)
  }
  return { host, port: Number(portText) }
}

export class MetricsServer {
  private readonly components: MetricsServerComponents
  private readonly logger: Logger
  private readonly address: string
  private readonly host: string
  private readonly requestedPort: number
  private readonly maxLagSeconds: number
  private server: Server | undefined

  /** Validates the address now (throws MetricsAddressError); binds nothing until start(). */
  constructor (components: MetricsServerComponents, init: MetricsServerInit) {
    this.components = components
    this.logger = components.logger.child({ component: 'metrics' })
    this.address = init.address
    const { host, port } = parseMetricsAddress(init.address)
    this.host = host
    this.requestedPort = port
    const maxLag = init.maxEventLoopLagSeconds ?? 1
    if (!(maxLag > 0)) throw new RangeError(`maxEventLoopLagSeconds must be > 0, got ${maxLag}`)
    this.maxLagSeconds = maxLag
  }

  /** The bound TCP port (the chosen one when the address said port 0); 0 before start(). */
  get port (): number {
    const a = this.server?.address()
    return a !== null && typeof a === 'object' ? a.port : 0
  }

  /** Binds and serves; rejects with MetricsListenError if the address cannot be bound. */
  async start (): Promise<void> {
    if (this.server !== undefined) return
    const server = createServer({
      requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000
    },
    (req, res) => { this.handle(req, res) })
    server.maxConnections = MAX_CONNECTIONS
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request'
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`)
      else socket.destroy()
    })
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => { reject(new MetricsListenError(this.address, err)) }
      server.once('error', onError)
      server.listen(this.requestedPort, this.host, () => {
        server.off('error', onError)
        resolve()
      })
    })
    server.on('error', (err) => { this.logger.error({ err }, 'metrics listener error') })
    this.server = server

    this.components.registry.eventLoopLag.start()
    this.logger.info({ address: `${this.host}:${this.port}` }, 'serving /metrics, /healthz, /readyz')
  }

  /** Stops listening and drops open connections. Safe to call twice, or before start(). */
  async stop (): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    this.components.registry.eventLoopLag.stop()
    await new Promise<void>((resolve) => {
      server.close(() => { resolve() })
      server.closeAllConnections()
    })
  }

  private handle (req: IncomingMessage, res: ServerResponse): void {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) { this.refuseBody(req, res); return }
    let bodyBytes = 0
    req.on('data', (c: Buffer) => {
      bodyBytes += c.length
      if (bodyBytes > MAX_BODY_BYTES) this.refuseBody(req, res)
    })
    req.resume() // a body, if any, is ignored
    const path = (req.url ?? '').split('?', 1)[0]
    if (path !== '/metrics' && path !== '/healthz' && path !== '/readyz') {
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n')
      return
    }
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET')
      send(res, 405, 'text/plain; charset=utf-8', `method ${req.method ?? ''} not allowed\n`)
      return
    }
    if (path === '/metrics') this.serveMetrics(res)
    else if (path === '/healthz') this.serveHealthz(res)
    else this.serveReadyz(res)
  }

  /** 413, then close: the rest of an oversized body is never read. */
  private refuseBody (req: IncomingMessage, res: ServerResponse): void {
    req.pause()
    req.removeAllListeners('data')
    if (res.headersSent || res.destroyed) { req.socket.destroy(); return }
    res.shouldKeepAlive = false
    res.setHeader('Connection', 'close')
    res.once('finish', () => { req.socket.destroy() })
    send(res, 413, 'text/plain; charset=utf-8', `request body larger than ${MAX_BODY_BYTES} bytes\n`)
  }

  private serveMetrics (res: ServerResponse): void {
    const { registry } = this.components
    registry.metrics().then(
      (text) => { send(res, 200, registry.contentType, text) },
      (err: unknown) => {
        this.logger.warn({ err }, 'failed to collect metrics')
        send(res, 500, 'text/plain; charset=utf-8', 'failed to collect metrics\n')
      })
  }

  private serveHealthz (res: ServerResponse): void {
    const lag = this.components.registry.eventLoopLag.recentMaxSeconds()
    if (lag >= this.maxLagSeconds) {
      const reason = `event loop lag ${lag.toFixed(3)} s exceeds ${this.maxLagSeconds} s`
      send(res, 503, 'text/plain; charset=utf-8', `${reason}\n`)
      return
    }
    send(res, 200, 'text/plain; charset=utf-8', 'ok\n')
  }

  private serveReadyz (res: ServerResponse): void {
    let body: { ready: boolean, checks: Record<string, boolean>, failing?: string[], error?: string }
    try {
      const r = this.components.health.ready()
      body = { ready: r.ready === true, checks: { ...r.checks } }
      if (!body.ready) body.failing = Object.keys(r.checks).filter((k) => r.checks[k] !== true)
    } catch (err) {
      body = { ready: false, checks: {}, failing: [], error: err instanceof Error ? err.message : String(err) }
    }
    send(res, body.ready ? 200 : 503, 'application/json', `${JSON.stringify(body)}\n`)
  }
}

function send (res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent || res.destroyed) return
  res.statusCode = status
  res.setHeader('Content-Type', contentType)
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.setHeader('Cache-Control', 'no-store')
  res.end(body)
}
