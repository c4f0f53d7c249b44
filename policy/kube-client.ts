/**
 * A minimal Kubernetes API client: paginated LIST and streaming WATCH of one resource path, over
 * node:https (plain http for loopback tests). @kubernetes/client-node is ESM-only and needs a
 * newer Node than Loom's 20; list + watch of three
 * kinds is all we need.
 *
 * Bounds: a response body or one watch line larger than MAX_BODY_BYTES is an error (the stream
 * is destroyed); every request has a connect/idle timeout.
 */
import { request as httpRequest, IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { KubeApiError } from './errors'
import type { KubeAccess } from './types'

const MAX_BODY_BYTES = 256 << 20
const REQUEST_TIMEOUT_MS = 30_000

export interface KubeList { items: unknown[]; resourceVersion: string }

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: Record<string, unknown>
}

export interface WatchHandle { close(): void }

export class KubeClient {
  constructor (private readonly access: KubeAccess) {}

  /** Lists every object of `path` (following `continue`). */
  async list (path: string): Promise<KubeList> {
    const items: unknown[] = []
    let cont = ''
    for (let page = 0; page < 10_000; page++) {
      const q = new URLSearchParams({ limit: '500' })
      if (cont !== '') q.set('continue', cont)
      const body = await this.getJSON(`${path}?${q.toString()}`) as {
        items?: unknown[]; metadata?: { resourceVersion?: string; continue?: string }
      }
      if (!Array.isArray(body.items)) throw new KubeApiError(0, `LIST ${path}: the answer has no items`)
      items.push(...body.items)
      cont = body.metadata?.continue ?? ''
      if (cont === '') return { items, resourceVersion: body.metadata?.resourceVersion ?? '' }
    }
    throw new KubeApiError(0, `LIST ${path}: too many pages`)
  }

  /**
   * Watches `path` from `resourceVersion` with bookmarks. `onEvent` gets each event in order;
   * `onEnd` once, with an error or undefined when the server closed the watch normally;
   * `onOpen` when the server accepted the watch (HTTP 200).
   */
  watch (path: string, resourceVersion: string, timeoutSeconds: number,
    onEvent: (e: WatchEvent) => void, onEnd: (err?: Error) => void, onOpen?: () => void): WatchHandle {
    const q = new URLSearchParams({
      watch: '1', resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(timeoutSeconds)
    })
    let ended = false
    const end = (err?: Error): void => { if (!ended) { ended = true; onEnd(err) } }
    const req = this.request(`${path}?${q.toString()}`, (timeoutSeconds + 30) * 1000, (res) => {
      if ((res.statusCode ?? 0) !== 200) {
        readAll(res).then((text) => end(new KubeApiError(res.statusCode ?? 0,
          `WATCH ${path}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`)), end)
        return
      }
      onOpen?.()
      let buf = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buf += chunk
        if (buf.length > MAX_BODY_BYTES) {
          res.destroy(); end(new KubeApiError(0, `WATCH ${path}: event larger than ${MAX_BODY_BYTES} bytes`)); return
        }
        let nl
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim()
          buf = buf.slice(nl + 1)
          if (line === '' || ended) continue
          let e: WatchEvent
          try {
            e = JSON.parse(line) as WatchEvent
          } catch {
            res.destroy()
            end(new KubeApiError(0, `WATCH ${path}: a line is not JSON`))
            return
          }
          if (typeof e?.type !== 'string' || typeof e.object !== 'object' || e.object === null) continue
          onEvent(e)
        }
      })
      res.on('end', () => end())
      res.on('error', (err) => end(err))
      res.on('close', () => end())
    })
    req.on('error', (err) => end(err))
    req.end()
    return { close: () => { ended = true; req.destroy() } }
  }

  private getJSON (path: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = this.request(path, REQUEST_TIMEOUT_MS, (res) => {
        readAll(res).then((text) => {
          if ((res.statusCode ?? 0) !== 200) {
            return reject(new KubeApiError(res.statusCode ?? 0,
            `GET ${path}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`))
          }
          try {
            resolve(JSON.parse(text))
          } catch (err) {
            reject(new KubeApiError(0, `GET ${path}: the answer is not JSON`, { cause: err }))
          }
        }, reject)
      })
      req.on('error', reject)
      req.end()
    })
  }

  private request (path: string, timeoutMs: number,
    onResponse: (res: IncomingMessage) => void): ReturnType<typeof httpRequest> {
    const a = this.access
    const url = new URL(a.server + path)
    const token = a.token()
    const options = {
      method: 'GET',
      headers: { accept: 'application/json', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
      timeout: timeoutMs,
    }
    const req = url.protocol === 'http:'
      ? httpRequest(url, options, onResponse)
      : httpsRequest(url, {
        ...options,
        ...(a.ca !== undefined ? { ca: a.ca } : {}),
        ...(a.cert !== undefined ? { cert: a.cert } : {}),
        ...(a.key !== undefined ? { key: a.key } : {}),
        rejectUnauthorized: !a.insecureSkipTLSVerify,
      }, onResponse)
    req.on('timeout', () => req.destroy(new KubeApiError(0, `${path}: no answer within ${timeoutMs} ms`)))
    return req
  }
}

function readAll (res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    res.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY_BYTES) {
        res.destroy(new KubeApiError(0, `answer larger than ${MAX_BODY_BYTES} bytes`)); return
      }
      chunks.push(c)
    })
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    res.on('error', reject)
  })
}
