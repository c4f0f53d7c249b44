/**
 * The local API: HTTP/JSON on a unix socket (default /run/loom/loom.sock, mode 0600), for the
 * `loom` CLI and, later, the CNI plugin. Only root on this node can reach it; nothing here is
 * exposed on the network.
 *
 * Endpoints:
 *   GET /v1/status   the whole StatusDocument (see status.ts)
 * Errors are JSON `{ error: { code, message } }` with a 4xx/5xx status.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs'
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http'
import { dirname } from 'node:path'
import type { Logger } from 'pino'
import { buildStatus, StatusSources } from './status'

export interface ApiServerComponents {
  logger: Logger
  status: StatusSources
}

export interface ApiServerInit {
  socketPath: string
}

export class ApiServer {
  private server?: Server

  constructor (private readonly components: ApiServerComponents, private readonly init: ApiServerInit) {}

  async start (): Promise<void> {
    const path = this.init.socketPath
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 })
    // A socket file left by a killed daemon would make listen fail with EADDRINUSE.
    rmSync(path, { force: true })
    const server = createServer((req, res) => { this.handle(req, res) })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => { server.off('error', reject); resolve() })
    })
    chmodSync(path, 0o600)
    this.server = server
  }

  async stop (): Promise<void> {
    const server = this.server
    this.server = undefined
    if (server === undefined) return
    await new Promise<void>((resolve) => server.close(() => resolve()))
    rmSync(this.init.socketPath, { force: true })
  }

  private handle (req: IncomingMessage, res: ServerResponse): void {
    const url = (req.url ?? '/').split('?')[0]
    try {
      if (url === '/v1/status') {
        if (req.method !== 'GET') return sendError(res, 405, 'ERR_METHOD', `${req.method} not allowed on ${url}`)
        return sendJSON(res, 200, buildStatus(this.components.status))
      }
      sendError(res, 404, 'ERR_NOT_FOUND', `no such endpoint: ${url}`)
    } catch (err) {
      this.components.logger.error({ err, url }, 'API request failed')
      sendError(res, 500, 'ERR_INTERNAL', (err as Error).message)
    }
  }
}

function sendJSON (res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function sendError (res: ServerResponse, status: number, code: string, message: string): void {
  sendJSON(res, status, { error: { code, message } })
}
