/**
 * The kubernetes policy source's list/watch loop against a scripted HTTP server on loopback:
 * paginated LIST, watch events, bookmarks (the next watch resumes from them), 410 Gone as an
 * ERROR event (what a real kube-apiserver sends after a restart or compaction: the watch that
 * carried it must not be left dead) and as an HTTP status, other ERROR events, HTTP errors with
 * backoff, a line that is not JSON, the bearer token. test/netns/policy-kube.test.ts runs the
 * same source against a real kube-apiserver.
 */
import t, { type Test } from 'tap'
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import { KubernetesSource } from '../../policy/kube-source'

const logger = pino({ level: 'silent' })

interface Seen { path: string; query: URLSearchParams; at: number; auth: string | undefined }
type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void

const PATHS = {
  namespaces: '/api/v1/namespaces',
  pods: '/api/v1/pods',
  networkpolicies: '/apis/networking.k8s.io/v1/networkpolicies',
}

const ns = (name: string, rv: string, labels: Record<string, string> = {}): Record<string,
unknown> => ({ metadata: { name, resourceVersion: rv, labels } })
const pod = (name: string, rv: string, labels: Record<string, string> = {}): Record<string, unknown> => ({
  metadata: { name, namespace: 'x', resourceVersion: rv, labels },
  spec: { nodeName: 'node1', containers: [{ name: 'c', image: 'i' }] },
  status: { podIPs: [{ ip: '10.244.1.5' }] },
})
const np = (name: string, rv: string): Record<string,
unknown> => ({ metadata: { name, namespace: 'x', resourceVersion: rv }, spec: { podSelector: {} } })

class FakeApi {
  readonly server: Server
  readonly seen: Seen[] = []
  /** Handlers by path and verb ('list' | 'watch'), consumed in order; the last one repeats. */
  private readonly handlers = new Map<string, Handler[]>()
  private readonly open = new Set<ServerResponse>()

  constructor () {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      const seen = { path: url.pathname, query: url.searchParams, at: Date.now(), auth: req.headers.authorization }
      this.seen.push(seen)
      const key = `${url.pathname} ${url.searchParams.get('watch') === '1' ? 'watch' : 'list'}`
      const queue = this.handlers.get(key) ?? []
      const h = queue.length > 1 ? queue.shift()! : queue[0]
      if (h === undefined) { res.writeHead(404).end('{}'); return }
      this.open.add(res)
      res.on('close', () => this.open.delete(res))
      h(req, res, seen)
    })
  }

  on (path: string, verb: 'list' | 'watch', ...hs: Handler[]): void {
    this.handlers.set(`${path} ${verb}`, [...(this.handlers.get(`${path} ${verb}`) ?? []), ...hs])
  }

  /** Every kind answers LIST with nothing and WATCH by holding the stream open. */
  quiet (): void {
    for (const p of Object.values(PATHS)) {
      if (!this.handlers.has(`${p} list`)) this.on(p, 'list', list([], '1'))
      if (!this.handlers.has(`${p} watch`)) this.on(p, 'watch', hold())
    }
  }

  requests (path: string, verb: 'list' | 'watch'): Seen[] {
    return this.seen.filter((s) => s.path === path && (s.query.get('watch') === '1') === (verb === 'watch'))
  }

  async listen (): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async close (): Promise<void> {
    for (const r of this.open) r.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

function list (items: unknown[], rv: string, cont = ''): Handler {
  return (_req, res) => {
    res.writeHead(200,
      {
        'content-type': 'application/json'
      }).end(JSON.stringify({ items, metadata: { resourceVersion: rv, ...(cont !== '' ? { continue: cont } : {}) } }))
  }
}
/** A watch stream: writes the events (raw strings are written as they are), then holds or ends. */
function stream (events: Array<Record<string, unknown> | string>, end = false): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    for (const e of events) res.write(typeof e === 'string' ? e : `${JSON.stringify(e)}\n`)
    if (end) res.end()
  }
}
const hold = (): Handler => stream([])
function status (code: number): Handler {
  return (_req, res) => {
    res.writeHead(code,
      { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code, message: `status ${code}` }))
  }
}

async function until (what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function setup (t: Test, script: (api: FakeApi) => void): Promise<{ api: FakeApi; source: KubernetesSource }> {
  const api = new FakeApi()
  script(api)
  api.quiet()
  const server = await api.listen()
  const source = new KubernetesSource({ logger }, { server, insecureSkipTLSVerify: false, token: () => 'sekrit' },
    { watchTimeoutSeconds: 30 })
  t.teardown(async () => { source.stop(); await api.close() })
  await source.start()
  return { api, source }
}

t.test('pages through LIST, applies events, sends the token, resumes from a bookmark', async (t) => {
  const { api, source } = await setup(t, (api) => {
    api.on(PATHS.pods, 'list', list([pod('a', '3')], '4', 'page2'), list([pod('b', '5')], '10'))
    api.on(PATHS.pods, 'watch',
      stream([
        { type: 'ADDED', object: pod('c', '11') },
        { type: 'MODIFIED', object: pod('a', '12', { role: 'client' }) },
        { type: 'DELETED', object: pod('b', '13') },
        { type: 'BOOKMARK', object: { metadata: { resourceVersion: '40' } } },
      ], true),
      hold())
  })
  await until('the resumed watch', () => api.requests(PATHS.pods, 'watch').length >= 2)
  const lists = api.requests(PATHS.pods, 'list')
  t.equal(lists.length, 2, 'two LIST pages')
  t.equal(lists[1].query.get('continue'), 'page2', 'the second page continues the first')
  const watches = api.requests(PATHS.pods, 'watch')
  t.equal(watches[0].query.get('resourceVersion'), '10', 'the watch starts at the list resourceVersion')
  t.equal(watches[0].query.get('allowWatchBookmarks'), 'true', 'bookmarks asked for')
  t.equal(watches[1].query.get('resourceVersion'), '40', 'after a normal close, the watch resumes from the bookmark')
  t.ok(api.seen.every((s) => s.auth === 'Bearer sekrit'), 'every request carries the bearer token')
  const pods = source.snapshot().pods
  t.same([...pods.keys()].sort(), ['x/a', 'x/c'], 'ADDED and DELETED applied')
  t.same(pods.get('x/a')?.labels, { role: 'client' }, 'MODIFIED applied')
  t.match(source.status(), { state: 'synced', pods: 2, restarts: 1, relists: 0 })
})

t.test('410 Gone as an ERROR event: lists again and keeps watching (the watch is not left dead)', async (t) => {
  const { api, source } = await setup(t, (api) => {
    api.on(PATHS.networkpolicies, 'list', list([np('p', '5')], '5'), list([np('q', '30')], '30'))
    api.on(PATHS.networkpolicies, 'watch',
      stream([{
        type: 'ERROR',
        object: {
          kind: 'Status', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version: 5 (20)'
        }
      }]),
      stream([{ type: 'ADDED', object: np('r', '31') }]))
  })
  await until('the policy added after the relist', () => source.snapshot().policies.has('x/r'))
  t.equal(api.requests(PATHS.networkpolicies, 'list').length, 2, 'listed again')
  t.equal(api.requests(PATHS.networkpolicies, 'watch')[1].query.get('resourceVersion'), '30',
    'watching from the new list')
  t.same([...source.snapshot().policies.keys()].sort(), ['x/q', 'x/r'], 'the relist replaced the store (p is gone)')
  t.match(source.status(), { state: 'synced', relists: 1 })
})

t.test('410 as the watch HTTP status: lists again', async (t) => {
  const { source } = await setup(t, (api) => {
    api.on(PATHS.namespaces, 'list', list([ns('x', '2')], '2'), list([ns('y', '9')], '9'))
    api.on(PATHS.namespaces, 'watch', status(410), hold())
  })
  await until('the relist', () => source.snapshot().namespaces.has('y'))
  t.notOk(source.snapshot().namespaces.has('x'), 'the relist replaced the store')
  t.equal(source.status().relists, 1)
})

t.test('HTTP errors back off (0.5 s, then 1 s) and the source reports them until it lists', async (t) => {
  const { api, source } = await setup(t, (api) => {
    api.on(PATHS.pods, 'list', status(500), status(503), list([pod('a', '3')], '3'))
  })
  await until('the third LIST', () => api.requests(PATHS.pods, 'list').length >= 2)
  t.match(source.status(), { state: 'error', lastError: /HTTP 50[03]/ }, 'the error is visible before the first sync')
  await until('the list to succeed', () => source.snapshot().pods.has('x/a'))
  const at = api.requests(PATHS.pods, 'list').map((s) => s.at)
  t.ok(at[1] - at[0] >= 450, `first retry after ${at[1] - at[0]} ms (backoff 500)`)
  t.ok(at[2] - at[1] >= 950, `second retry after ${at[2] - at[1]} ms (backoff 1000)`)
  t.equal(source.status().state, 'synced')
})

t.test('a non-410 ERROR event ends the watch with backoff, not a hot loop', async (t) => {
  const { api, source } = await setup(t, (api) => {
    api.on(PATHS.pods, 'list', list([], '7'))
    api.on(PATHS.pods, 'watch',
      stream([{ type: 'ERROR', object: { kind: 'Status', code: 500, message: 'etcd trouble' } }], true), hold())
  })
  await until('the second watch', () => api.requests(PATHS.pods, 'watch').length >= 2)
  const w = api.requests(PATHS.pods, 'watch')
  t.ok(w[1].at - w[0].at >= 450, `resumed after ${w[1].at - w[0].at} ms`)
  t.equal(w[1].query.get('resourceVersion'), '7', 'from the same resourceVersion')
  t.match(source.status().lastError, /etcd trouble/)
  t.equal(source.status().relists, 0)
})

t.test('a watch line that is not JSON is an error: the store stays, the watch resumes after backoff', async (t) => {
  const { api, source } = await setup(t, (api) => {
    api.on(PATHS.pods, 'list', list([pod('a', '3')], '3'))
    api.on(PATHS.pods, 'watch', stream([{ type: 'ADDED', object: pod('b', '4') }, '{"type": "ADDED", "obj\n']), hold())
  })
  await until('the second watch', () => api.requests(PATHS.pods, 'watch').length >= 2)
  t.same([...source.snapshot().pods.keys()].sort(), ['x/a', 'x/b'], 'objects before the bad line are kept')
  t.equal(api.requests(PATHS.pods, 'watch')[1].query.get('resourceVersion'), '4', 'resumes after the last good event')
  t.match(source.status().lastError, /not JSON/)
})

t.test('an object the model cannot read is skipped and named; the others still apply', async (t) => {
  const { source } = await setup(t, (api) => {
    api.on(PATHS.networkpolicies, 'list',
      list([np('good', '3'),
        {
          metadata: { name: 'bad', namespace: 'x', resourceVersion: '3' },
          spec: { podSelector: { matchExpressions: [{ key: 'k', operator: 'Sometimes' }] } }
        }], '3'))
  })
  await until('the list', () => source.status().state === 'synced')
  t.same([...source.snapshot().policies.keys()], ['x/good'])
  t.match(source.status().lastError, /Sometimes|operator/)
})
