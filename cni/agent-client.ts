/**
 * A client for the agent's lower-level CNI allocation endpoints (HTTP/JSON over the unix
 * socket `apiSocket`), for scripts and the tests' checks of what the agent holds. The plugin
 * itself (the loom-cni shim) uses POST /v1/cni instead (agent/api-server.ts).
 *
 * Contract (agent/api-server.ts implements it):
 *   GET  /v1/ready                       200 {ready:true} | 503 {ready:false, checks}
 *   POST /v1/cni/add  {containerID, ifname, netns, podName?, podNamespace?}
 *                                        200 {address, gateway, mtu, podCIDR, hostVeth}
 *   POST /v1/cni/del  {containerID, ifname}        200 {released}
 *   GET  /v1/cni/attachment?containerID=&ifname=   200 {address, ..., hostVeth} | 404
 *   POST /v1/cni/gc   {valid: [{containerID, ifname}]}  200 {released: [...]}
 *   errors: {error: {code, message}}; 503 → CNI 11, 400 → CNI 7.
 *
 * Never hang: every request has a deadline (default 5 s in total across retries). A socket
 * that is missing or refuses (agent restarting) and a 503 are retried with a short backoff
 * until the deadline, then become TryAgainError (11) so the runtime retries later.
 */
import { request } from 'node:http'
import { AgentError, CniError, InvalidConfigError, TryAgainError } from './errors'
import type { Attachment } from './types'

export interface AgentClientInit {
  socketPath: string
  /** Total time budget per call, across retries (ms). Default 4500. */
  deadlineMs?: number
  /** Per-attempt timeout (connect + answer) (ms). Default 2000. */
  attemptTimeoutMs?: number
  /** Pause between attempts (ms). Default 200. */
  retryDelayMs?: number
}

export interface AddRequest {
  containerID: string, ifname: string, netns: string, podName?: string, podNamespace?: string
}
export interface AttachmentInfo { address: string, gateway: string, mtu: number, podCIDR: string, hostVeth: string }
export interface GcReleased { containerID: string, ifname: string, address: string, hostVeth: string }
export interface ReadyAnswer { ready: boolean, checks?: Record<string, unknown>, reachable: boolean, detail?: string }

interface RawAnswer { status: number, body: unknown }

/** Connection-level failures that mean "agent not there (yet)". */
const RETRY_ERRNOS = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EAGAIN', 'EPIPE', 'ETIMEDOUT'])

export class AgentClient {
  private readonly deadlineMs: number
  private readonly attemptTimeoutMs: number
  private readonly retryDelayMs: number

  constructor (private readonly init: AgentClientInit) {
    this.deadlineMs = init.deadlineMs ?? 4500
    this.attemptTimeoutMs = init.attemptTimeoutMs ?? 2000
    this.retryDelayMs = init.retryDelayMs ?? 200
  }

  /** Readiness for STATUS; never throws: unreachable → {reachable:false}. One attempt only. */
  async ready (): Promise<ReadyAnswer> {
    try {
      const a = await this.attempt('GET', '/v1/ready', undefined)
      const body = isObj(a.body) ? a.body : {}
      return {
        reachable: true,
        ready: a.status === 200 && body.ready === true,
        checks: isObj(body.checks) ? body.checks : undefined
      }
    } catch (err) {
      return { reachable: false, ready: false, detail: (err as Error).message }
    }
  }

  async add (req: AddRequest): Promise<AttachmentInfo> {
    const a = await this.call('POST', '/v1/cni/add', req)
    return toAttachment(a, 'POST /v1/cni/add')
  }

  /** Releases the allocation; true when one was held. */
  async del (att: Attachment): Promise<boolean> {
    const a = await this.call('POST', '/v1/cni/del', { containerID: att.containerID, ifname: att.ifname })
    if (!isObj(a.body) || typeof a.body.released !== 'boolean') throw badAnswer('POST /v1/cni/del', a)
    return a.body.released
  }

  /** The agent's record of the attachment, or null when it holds none (404). */
  async attachment (att: Attachment): Promise<AttachmentInfo | null> {
    const q = `containerID=${encodeURIComponent(att.containerID)}&ifname=${encodeURIComponent(att.ifname)}`
    const a = await this.call('GET', `/v1/cni/attachment?${q}`, undefined, [404])
    if (a.status === 404) return null
    return toAttachment(a, 'GET /v1/cni/attachment')
  }

  async gc (valid: Attachment[]): Promise<GcReleased[]> {
    const a = await this.call('POST', '/v1/cni/gc', { valid })
    if (!isObj(a.body) || !Array.isArray(a.body.released)) throw badAnswer('POST /v1/cni/gc', a)
    return a.body.released.filter(isObj).map((r) => ({
      containerID: String(r.containerID ?? ''),
      ifname: String(r.ifname ?? ''),
      address: String(r.address ?? ''),
      hostVeth: String(r.hostVeth ?? ''),
    }))
  }

  /** One call with retries until the deadline; maps the agent's error answers to CNI errors. */
  private async call (method: string, path: string, body: unknown, okStatuses: number[] = []): Promise<RawAnswer> {
    const deadline = Date.now() + this.deadlineMs
    const what = `${method} ${path.split('?')[0]} on ${this.init.socketPath}`
    for (let attempt = 1; ; attempt++) {
      let retryReason: string
      try {
        const a = await this.attempt(method, path, body,
          Math.max(100, Math.min(this.attemptTimeoutMs, deadline - Date.now())))
        if (a.status === 200 || okStatuses.includes(a.status)) return a
        const { code, message } = errorOf(a.body)
        if (a.status === 400) throw new InvalidConfigError(`the agent refused ${what}: ${message}`, { details: code })
        if (a.status !== 503) throw badAnswer(what, a)
        retryReason = `agent not ready (${code}): ${message}`
      } catch (err) {
        if (err instanceof CniError) throw err
        const code = (err as { code?: unknown }).code
        if (typeof code !== 'string' || (!RETRY_ERRNOS.has(code) && code !== 'ERR_AGENT_TIMEOUT')) {
          throw new TryAgainError(`failed to reach the loom agent (${what}): ${(err as Error).message}`, { cause: err })
        }
        retryReason = `cannot reach the loom agent: ${(err as Error).message}`
      }
      if (Date.now() + this.retryDelayMs >= deadline) {
        throw new TryAgainError(`${retryReason}; gave up after ${attempt} attempts in ${this.deadlineMs} ms (${what})`,
          { details: 'retry later; is loomd running?' })
      }
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs))
    }
  }

  private attempt (method: string, path: string, body: unknown, timeoutMs = this.attemptTimeoutMs): Promise<RawAnswer> {
    const text = body === undefined ? undefined : JSON.stringify(body)
    return new Promise((resolve, reject) => {
      const req = request({
        socketPath: this.init.socketPath,
        path,
        method,
        headers: text === undefined
          ? {}
          : {
              'content-type': 'application/json', 'content-length': Buffer.byteLength(text)
            },
      }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          clearTimeout(timer)
          const raw = Buffer.concat(chunks).toString('utf8')
          let parsed: unknown
          try { parsed = raw === '' ? undefined : JSON.parse(raw) } catch { parsed = raw }
          resolve({ status: res.statusCode ?? 0, body: parsed })
        })
        res.on('error', (err) => { clearTimeout(timer); reject(err) })
      })
      const timer = setTimeout(() => {
        const err = Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ERR_AGENT_TIMEOUT' })
        req.destroy(err)
      }, timeoutMs)
      req.on('error', (err) => { clearTimeout(timer); reject(err) })
      req.end(text)
    })
  }
}

function toAttachment (a: RawAnswer, what: string): AttachmentInfo {
  const b = a.body
  if (!isObj(b) || typeof b.address !== 'string' || typeof b.hostVeth !== 'string' ||
    typeof b.mtu !== 'number') throw badAnswer(what, a)
  return {
    address: b.address,
    gateway: typeof b.gateway === 'string' ? b.gateway : '169.254.1.1',
    mtu: b.mtu,
    podCIDR: typeof b.podCIDR === 'string' ? b.podCIDR : '',
    hostVeth: b.hostVeth,
  }
}

function errorOf (body: unknown): { code: string, message: string } {
  const e = isObj(body) && isObj(body.error) ? body.error : {}
  return {
    code: typeof e.code === 'string' ? e.code : 'unknown',
    message: typeof e.message === 'string' ? e.message : JSON.stringify(body)
  }
}

function badAnswer (what: string, a: RawAnswer): CniError {
  const { code, message } = errorOf(a.body)
  return new AgentError(`unexpected answer from the loom agent to ${what}: HTTP ${a.status} ${code}: ${message}`)
}

function isObj (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
