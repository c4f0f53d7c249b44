/**
 * The local API: HTTP/JSON on a unix socket (default /run/loom/loom.sock, mode 0600), for the
 * `loom` CLI and the `loom-cni` shim. Only root on this node can reach it; nothing here is
 * exposed on the network.
 *
 * Endpoints: ROUTES below, the one list (requests, answers, metric labels); `dispatch` must
 * handle every entry (the compiler checks). An unknown path is 404, a known path with another
 * method 405.
 * Errors are JSON `{ error: { code, message } }`: 400 ERR_BAD_REQUEST (the CNI plugin maps it to
 * code 7), 503 ERR_NOT_READY / ERR_NO_ADDRESS (-> 11, try again), 404, 405, 500.
 *
 * Every IPAM change is persisted synchronously before the answer; CNI invocations on one
 * attachment are serialised by cni/commands.ts.
 *
 * Limits (a local process must not be able to exhaust the agent): at most MAX_CONNECTIONS open
 * connections (more are closed at once), the headers within 5 s and the whole request within
 * 10 s of connecting (a slow sender gets 408), an idle keep-alive connection closed after 5 s,
 * and a body over MAX_BODY_BYTES answered 413 and the connection closed, without reading it.
 *
 * The socket path: only a stale socket is replaced (lstat says socket and connecting is
 * refused); a live one means another loomd, anything else (a regular file, a directory, a
 * symlink) is refused and never deleted. Stop removes the socket only if it is still ours.
 */
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs'
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http'
import { connect } from 'node:net'
import { dirname } from 'node:path'
import type { Logger } from 'pino'
import { IpamError } from '../control'
import type { AttachmentId, AttachmentRecord, PodAddressManager } from '../control'
import { POD_GATEWAY } from '../cni/agent-addresses'
import type { CniCommands } from '../cni/commands'
import { CNI_CODE, CniError } from '../cni/errors'
import { parseNetnsHandle } from '../cni/netns-file'
import { AgentStartError, ConfigError } from './errors'
import { buildStatus } from './status'
import type { StatusSources } from './types'

/** The pods' gateway (defined with the CNI flow; re-exported for the agent's other users). */
export { POD_GATEWAY }

/** Largest request body accepted (a GC list of thousands of attachments fits). */
export const MAX_BODY_BYTES = 1 << 20
/** Largest CNI invocation: a 1 MiB netconf, JSON-escaped by the shim (at worst 6 bytes a byte), plus env. */
const MAX_CNI_BODY_BYTES = 7 << 20
/**
 * Open connections at most; the CLI and CNI plugin use one per request. Above a runtime's burst
 * of pod starts (100 concurrent ADDs are a target of the CNI benchmark; at 64 the surplus was
 * reset and got code 11), still far below loomd's fd limit.
 */
export const MAX_CONNECTIONS = 256
const HEADERS_TIMEOUT_MS = 5_000
const REQUEST_TIMEOUT_MS = 10_000
const KEEP_ALIVE_TIMEOUT_MS = 5_000
/** CNI_CONTAINERID's grammar (spec: starts alphanumeric, then alnum, '_', '.', '-'). */
const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/
const IFNAME = /^[^\s/:]{1,15}$/

export interface ApiServerComponents {
  logger: Logger
  status: StatusSources
  /** Pod addresses for CNI; absent until the agent can serve ADD. */
  pods?: PodAddressManager
  /** Overlay MTU and this node's pod CIDR, for the CNI answer. */
  podNetwork?: () => { mtu: number; podCIDR: string }
  ready: () => { ready: boolean; checks: Record<string, boolean> }
  /** Gossip mode: forced reclaim of a node's blocks by name; false when no such member. */
  rmpeer?: (nodeName: string) => boolean
  /**
   * The CNI commands (cni/commands.ts): one plugin invocation (`run`), and the rules the raw
   * add, del and GC share with it (`allocateRaw`, `releaseRaw`, `gcAttachments`: the
   * attachment's lock and ledger, GC's grace period). Absent = POST /v1/cni and POST
   * /v1/cni/gc answer 405, the raw add allocates unrecorded and the raw del releases bare.
   */
  cni?: Pick<CniCommands, 'run' | 'allocateRaw' | 'releaseRaw' | 'gcAttachments'>
  /** Called once per API request with the command, result status and duration (metrics). */
  observe?: (command: string, status: number, seconds: number) => void
  /** NetworkPolicy hooks, present when a policy source is configured. */
  policy?: PolicyHooks
}

/**
 * What CNI ADD/DEL tell the policy engine. ADD awaits `attachmentAdded`: the pod's chains are in
 * the kernel before the answer (until then its veth's traffic is dropped); a failure answers
 * "try again" (503 -> CNI code 11). DEL never fails because of policy.
 */
export interface PolicyHooks {
  attachmentAdded(): Promise<void>
  attachmentRemoved(): Promise<void>
  status(): Promise<unknown>
}

/**
 * Every endpoint, "METHOD path" -> its metric label (bounded: an unknown path is `other`).
 */
const ROUTES = {
  // {env: {CNI_*}, stdin: "<netconf>", netns?: {pid, fd} | {error}}: one CNI plugin invocation
  // (netns: the shim's open CNI_NETNS, cni/netns-file.ts), run by cni/commands.ts; answers 200
  // with header X-Loom-Cni-Exit (the plugin's exit status) and the plugin's stdout as the body
  // (cni/shim/loom-cni.c). Handled by handleCni, labelled there by the CNI command it ran.
  'POST /v1/cni': 'other',
  // The whole StatusDocument (see status.ts).
  'GET /v1/status': 'status',
  // 200 {ready: true} | 503 {ready: false, checks}.
  'GET /v1/ready': 'cni_status',
  // Lower-level allocation endpoints (no wiring; scripts and tests):
  // {containerID, ifname, netns?, podName?, podNamespace?} -> {address, gateway, mtu, podCIDR,
  // hostVeth}; the same answer on a retry.
  'POST /v1/cni/add': 'cni_add',
  // {containerID, ifname} -> {released: bool}; an unknown attachment is a success.
  'POST /v1/cni/del': 'cni_del',
  // ?containerID=&ifname= -> the record, or 404.
  'GET /v1/cni/attachment': 'cni_check',
  // -> every record.
  'GET /v1/cni/attachments': 'cni_check',
  // {valid: [{containerID, ifname}]} -> {released: [records]}.
  'POST /v1/cni/gc': 'cni_gc',
  // {nodeName} -> reclaim a dead node's blocks (gossip mode; 409 in static mode).
  'POST /v1/rmpeer': 'rmpeer',
  // NetworkPolicy status (`loom status policy`); 404 when policy.source is none.
  'GET /v1/policy': 'status',
} as const satisfies Record<string, string>
type Route = keyof typeof ROUTES

/** Metric label by path, whatever the method (a 405 counts under the endpoint's label). */
const COMMAND_OF_PATH = new Map<string, string>(Object.entries(ROUTES).map(([route, command]) =>
  [route.slice(route.indexOf(' ') + 1), command]))

function isRoute (route: string): route is Route {
  return Object.hasOwn(ROUTES, route)
}

class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string) { super(message) }
}

export interface ApiServerInit {
  socketPath: string
}

export class ApiServer {
  private server?: Server
  /** Inode of the socket we bound, so stop() never removes someone else's file. */
  private socketIno?: number

  constructor (private readonly components: ApiServerComponents, private readonly init: ApiServerInit) {}

  async start (): Promise<void> {
    const path = this.init.socketPath
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 })
    await clearStaleSocket(path)
    const server = createServer({
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      // Node checks the two timeouts above only this often (default 30 s).
      connectionsCheckingInterval: 1_000,
    }, (req, res) => { this.handle(req, res) })
    server.maxConnections = MAX_CONNECTIONS
    // Requests refused before they reach a handler are counted too (command "other").
    server.on('drop', () => { this.components.observe?.('other', 503, 0) })
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      this.components.observe?.('other', timedOut ? 408 : 400, 0)
      const status = timedOut ? '408 Request Timeout' : '400 Bad Request'
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`)
      else socket.destroy()
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => { server.off('error', reject); resolve() })
    })
    chmodSync(path, 0o600)
    this.socketIno = lstatSync(path).ino
    this.server = server
  }

  async stop (): Promise<void> {
    const server = this.server
    this.server = undefined
    if (server === undefined) return
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
    // Node unlinks the socket on close; remove it ourselves only if it is still the one we made.
    try {
      const st = lstatSync(this.init.socketPath)
      if (st.isSocket() && st.ino === this.socketIno) unlinkSync(this.init.socketPath)
    } catch { /* already gone */ }
  }

  private handle (req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint()
    const url = new URL(req.url ?? '/', 'http://loom')
    const route = `${req.method ?? 'GET'} ${url.pathname}`
    const finish = (status: number, body: unknown): void => {
      if (status === 413) closeAfterAnswer(req, res)
      sendJSON(res, status, body)
      this.components.observe?.(COMMAND_OF_PATH.get(url.pathname) ?? 'other', status,
        Number(process.hrtime.bigint() - started) / 1e9)
    }
    if (route === 'POST /v1/cni' && this.components.cni !== undefined) {
      this.handleCni(req, res, started)
      return
    }
    readBody(req, MAX_BODY_BYTES).then(async (body) => {
      const [status, answer] = await this.dispatch(route, url, body)
      finish(status, answer)
    }).catch((err: unknown) => {
      if (err instanceof ApiError) return finish(err.status, { error: { code: err.code, message: err.message } })
      if (err instanceof IpamError) {
        const status = err.code === 'ERR_IPAM_CONFIG' || err.code === 'ERR_IPAM_INVARIANT' ||
        err.code === 'ERR_STATE_CORRUPT'
          ? 500
          : 503
        return finish(status, { error: { code: status === 503 ? 'ERR_NO_ADDRESS' : err.code, message: err.message } })
      }
      // The raw add and GC run cni/commands.ts's rules: a state write that failed is "try again".
      if (err instanceof CniError && err.cniCode === CNI_CODE.TRY_AGAIN_LATER) {
        return finish(503, { error: { code: 'ERR_NOT_READY', message: err.message } })
      }
      this.components.logger.error({ err, route }, 'API request failed')
      finish(500, { error: { code: 'ERR_INTERNAL', message: (err as Error).message } })
    })
  }

  /** POST /v1/cni: the plugin's exit status in a header, its stdout as the body. */
  private handleCni (req: IncomingMessage, res: ServerResponse, started: bigint): void {
    const cni = this.components.cni!
    readBody(req, MAX_CNI_BODY_BYTES).then(async (body) => {
      const b = body as { env?: unknown, stdin?: unknown, netns?: unknown } | null
      const env = b?.env
      if (typeof env !== 'object' || env === null || Array.isArray(env) || typeof b?.stdin !== 'string' ||
        !Object.values(env).every((v) => typeof v === 'string')) {
        throw new ApiError(400, 'ERR_BAD_REQUEST', 'a CNI invocation is {"env": {"CNI_...": "..."}, "stdin": "..."}')
      }
      const out = await cni.run(env as Record<string, string>, b.stdin, parseNetnsHandle(b.netns),
        Number(process.hrtime.bigint() - started) / 1e9)
      res.writeHead(200,
        {
          'content-type': 'application/json',
          'x-loom-cni-exit': String(out.exitCode),
          'content-length': Buffer.byteLength(out.stdout)
        })
      res.end(out.stdout)
      this.components.observe?.(`cni_${out.command.toLowerCase()}`, out.cniCode,
        Number(process.hrtime.bigint() - started) / 1e9)
    }).catch((err: unknown) => {
      const e = err instanceof ApiError ? err : new ApiError(500, 'ERR_INTERNAL', (err as Error).message)
      if (!(err instanceof ApiError)) this.components.logger.error({ err }, 'CNI invocation failed')
      if (e.status === 413) closeAfterAnswer(req, res)
      sendJSON(res, e.status, { error: { code: e.code, message: e.message } })
      this.components.observe?.('other', e.status, Number(process.hrtime.bigint() - started) / 1e9)
    })
  }

  private async dispatch (requested: string, url: URL, body: unknown): Promise<[number, unknown]> {
    const c = this.components
    if (!isRoute(requested)) {
      if (COMMAND_OF_PATH.has(url.pathname)) {
        throw new ApiError(405, 'ERR_METHOD', `${requested} is not allowed`)
      }
      throw new ApiError(404, 'ERR_NOT_FOUND', `no such endpoint: ${url.pathname}`)
    }
    const route: Route = requested
    switch (route) {
      case 'POST /v1/cni': // only here when this agent runs no CNI commands (components.cni unset)
        throw new ApiError(405, 'ERR_METHOD', `${route} is not allowed`)
      case 'GET /v1/status':
        return [200, buildStatus(c.status)]
      case 'GET /v1/ready': {
        const r = c.ready()
        return [r.ready ? 200 : 503, r]
      }
      case 'POST /v1/cni/add': {
        const pods = this.podsReady()
        const id = attachmentOf(body)
        const b = body as Record<string, unknown>
        const allocate = async (): Promise<AttachmentRecord> => await pods.allocate(id, {
          netns: optionalString(b, 'netns'),
          podName: optionalString(b, 'podName'),
          podNamespace: optionalString(b, 'podNamespace'),
        })
        const rec = c.cni !== undefined ? await c.cni.allocateRaw(id, allocate) : await allocate()
        await this.policyAdded()
        const net = c.podNetwork?.()
        return [200, { ...rec, gateway: POD_GATEWAY, mtu: net?.mtu, podCIDR: net?.podCIDR }]
      }
      case 'POST /v1/cni/del': {
        const pods = this.podsReady()
        const id = attachmentOf(body)
        // With CNI commands: DEL's own path (the attachment's lock, hooks, veth, ledger entry).
        const released = c.cni !== undefined
          ? await c.cni.releaseRaw(id, () => pods.release(id))
          : pods.release(id)
        await pods.durable() // the release shares a group write; answered once it is on disk
        if (released !== null) await this.policyRemoved()
        return [200, { released: released !== null, record: released }]
      }
      case 'GET /v1/cni/attachment': {
        const id = attachmentOf({
          containerID: url.searchParams.get('containerID'), ifname: url.searchParams.get('ifname')
        })
        const rec = this.podsReady().get(id)
        if (rec === undefined) {
          throw new ApiError(404, 'ERR_NOT_FOUND',
          `no allocation for ${id.containerID}/${id.ifname}`)
        }
        const net = c.podNetwork?.()
        return [200, { ...rec, gateway: POD_GATEWAY, mtu: net?.mtu, podCIDR: net?.podCIDR }]
      }
      case 'POST /v1/rmpeer': {
        const name = (body as { nodeName?: unknown } | null)?.nodeName
        if (typeof name !== 'string' || name === '') {
          throw new ApiError(400, 'ERR_BAD_REQUEST',
            'rmpeer needs {"nodeName": "..."}')
        }
        if (c.rmpeer === undefined) {
          throw new ApiError(409, 'ERR_STATIC_MODE',
            'this node runs in static mode: the node list is the config file\'s `peers`; remove the node there')
        }
        if (!c.rmpeer(name)) throw new ApiError(404, 'ERR_NOT_FOUND', `no member named ${name} (see loom status peers)`)
        return [200, { nodeName: name, reclaiming: true }]
      }
      case 'GET /v1/cni/attachments':
        return [200, this.podsReady().list()]
      case 'POST /v1/cni/gc': {
        const valid = (body as { valid?: unknown } | null)?.valid
        if (!Array.isArray(valid)) {
          throw new ApiError(400, 'ERR_BAD_REQUEST',
            'gc needs {"valid": [{"containerID", "ifname"}, ...]}')
        }
        this.podsReady()
        // The CNI GC's rule (young and busy attachments spared), not the address manager's bare gc.
        if (c.cni === undefined) throw new ApiError(405, 'ERR_METHOD', `${route} is not allowed: this agent runs no CNI commands`)
        return [200, { released: await c.cni.gcAttachments(valid.map(attachmentOf)) }]
      }
      case 'GET /v1/policy':
        if (c.policy === undefined) {
          throw new ApiError(404, 'ERR_NOT_FOUND',
            'NetworkPolicy enforcement is off (policy.source is none)')
        }
        return [200, await c.policy.status()]
      default: {
        const unhandled: never = route
        throw new ApiError(500, 'ERR_INTERNAL', `no handler for ${String(unhandled)}`)
      }
    }
  }

  private async policyAdded (): Promise<void> {
    try {
      await this.components.policy?.attachmentAdded()
    } catch (err) {
      throw new ApiError(503, 'ERR_NOT_READY',
        `the pod's network policy is not in place yet: ${(err as Error).message}`)
    }
  }

  private async policyRemoved (): Promise<void> {
    await this.components.policy?.attachmentRemoved().catch((err: Error) => {
      this.components.logger.warn({ err: err.message },
        'policy update after a released attachment failed; the applier retries')
    })
  }

  private podsReady (): PodAddressManager {
    const pods = this.components.pods
    if (pods === undefined || !pods.ready() || !this.components.ready().ready) {
      throw new ApiError(503, 'ERR_NOT_READY', 'the agent is not ready to serve pod addresses yet')
    }
    return pods
  }
}

/** Reads a JSON body (bounded: 413 past maxBytes, announced or streamed); GET requests resolve to null. */
function readBody (req: IncomingMessage, maxBytes: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): ApiError => new ApiError(413, 'ERR_TOO_LARGE', `request body larger than ${maxBytes} bytes`)
    const announced = Number(req.headers['content-length'] ?? 0)
    if (announced > maxBytes) { reject(tooLarge()); return }
    const chunks: Buffer[] = []
    let size = 0
    const onData = (c: Buffer): void => {
      size += c.length
      if (size > maxBytes) {
        req.off('data', onData)
        req.pause()
        chunks.length = 0
        reject(tooLarge())
      } else chunks.push(c)
    }
    req.on('data', onData)
    // A client that goes away mid-request is the client's doing, not a failure of the agent: an
    // ApiError (answered into the void and counted, never logged with a stack; the API fuzz
    // logged 771 "aborted" stacks in one run).
    req.on('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ECONNRESET'
        ? new ApiError(400, 'ERR_ABORTED', 'the client closed the connection before its request was read')
        : err)
    })
    req.on('end', () => {
      if (size === 0) return resolve(null)
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch {
        reject(new ApiError(400, 'ERR_BAD_REQUEST', 'request body is not valid JSON'))
      }
    })
  })
}

function attachmentOf (raw: unknown): AttachmentId {
  const r = raw as Record<string, unknown> | null
  const containerID = r?.containerID
  const ifname = r?.ifname
  if (typeof containerID !== 'string' || !CONTAINER_ID.test(containerID) || containerID.length > 1024) {
    throw new ApiError(400, 'ERR_BAD_REQUEST', `containerID ${JSON.stringify(containerID)} is not a valid container ID`)
  }
  if (typeof ifname !== 'string' || !IFNAME.test(ifname)) {
    throw new ApiError(400, 'ERR_BAD_REQUEST', `ifname ${JSON.stringify(ifname)} is not a valid interface name`)
  }
  return { containerID, ifname }
}

function optionalString (r: Record<string, unknown>, key: string): string | undefined {
  const v = r[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string' || v.length > 4096) throw new ApiError(400, 'ERR_BAD_REQUEST', `${key} must be a string`)
  return v
}

/**
 * Makes `path` free for our socket: absent is fine; a socket nobody answers on (left by a
 * killed daemon) is removed; a live socket or anything that is not a socket is refused.
 */
async function clearStaleSocket (path: string): Promise<void> {
  let st
  try {
    st = lstatSync(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  if (!st.isSocket()) {
    const what = st.isFile() ? 'a regular file' : st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symbolic link' : 'not a socket'
    throw new ConfigError('apiSocket', path, 'a path that is free or holds a stale loomd socket', {
      message: `invalid config: apiSocket = ${path} is ${what}; loomd only ever replaces a stale socket there and never deletes ` +
        'anything else: choose another apiSocket, or move that file away',
    })
  }
  // Only ECONNREFUSED proves nobody listens; a timeout or another error counts as "in use".
  const refused = await new Promise<boolean>((resolve) => {
    const c = connect(path)
    const timer = setTimeout(() => { c.destroy(); resolve(false) }, 1000)
    c.once('connect', () => { clearTimeout(timer); c.destroy(); resolve(false) })
    c.once('error', (err: NodeJS.ErrnoException) => { clearTimeout(timer); resolve(err.code === 'ECONNREFUSED') })
  })
  if (!refused) {
    throw new AgentStartError('apiSocket',
      `the API socket ${path} is served by another process (another loomd?): stop it, ` +
      'or give this loomd its own apiSocket')
  }
  unlinkSync(path)
}

/** The rest of the body is never read: answer, then close the connection. */
function closeAfterAnswer (req: IncomingMessage, res: ServerResponse): void {
  res.shouldKeepAlive = false
  res.setHeader('connection', 'close')
  res.once('finish', () => { req.socket.destroy() })
}

function sendJSON (res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
