/**
 * A careless operator and a local process against loomd's config and local servers (issue 10):
 * - clusterCIDR: shorter than /8 or over 169.254.0.0/16 refused by parseConfig; over an existing
 *   non-Loom route, a connected subnet or the underlay address refused before any route is added
 *   (`0.0.0.0/0` used to replace the default route);
 * - apiSocket naming a regular file, a directory or a live socket is refused and left alone (a
 *   regular file used to be deleted); a stale socket is replaced;
 * - the API and metrics servers: a body over the limit gets 413 and the connection is closed
 *   (the API answered 400 after reading, metrics read any body), connections beyond the cap are
 *   closed while the server keeps answering, and a slow-loris client is cut off;
 * - the raw API's GC (POST /v1/cni/gc) released an attachment made a moment ago: it had no grace
 *   period, unlike GC through loom-cni; now it runs the same rule (cni/commands.ts);
 * - the raw API's DEL (POST /v1/cni/del) took no attachment lock and left the attachment's
 *   ledger entry: it released an address under an ADD in flight; now it is a DEL (releaseRaw).
 * Runs as any user: unix sockets in a temp directory and 127.0.0.1 port 0.
 */
import t from 'tap'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { request } from 'node:http'
import { connect, createServer, type Socket } from 'node:net'
import pino from 'pino'
import { parseConfig } from '../../agent/config'
import { findClusterRouteConflicts } from '../../agent/cluster-route'
import { ApiServer, MAX_BODY_BYTES, MAX_CONNECTIONS } from '../../agent/api-server'
import { createMetricsRegistry, MetricsServer } from '../../metrics'
import { createDataplaneStats } from '../../dataplane/types'
import type { StatusSources } from '../../agent/types'
import { agentAddresses } from '../../cni/agent-addresses'
import { CniCommands } from '../../cni/commands'
import type { LedgerDocument } from '../../cni/attachment-ledger'
import { hostVethName } from '../../lib'
import { StaticPodAddresses } from '../../control'
import { MemoryStore } from '../../control/node'
import { recordingWiring } from '../lib/recording-wiring'

const logger = pino({ level: 'silent' })
const BASE = { nodeName: 'node-a', underlay: { address: '192.168.10.5' } }

t.test('clusterCIDR: too short or link-local is a config error naming the field', async t => {
  for (const [cidr, why] of [['0.0.0.0/0', /prefix of \/8 or longer/], ['10.0.0.0/7', /prefix of \/8 or longer/],
    ['169.254.0.0/16', /outside 169.254.0.0\/16/], ['169.254.128.0/20', /outside 169.254/],
    ['169.0.0.0/8', /outside 169.254/]] as const) {
    t.throws(() => parseConfig({ ...BASE, clusterCIDR: cidr }),
      { name: 'ConfigError', field: 'clusterCIDR', message: why }, cidr)
  }
  t.equal(parseConfig({ ...BASE, clusterCIDR: '10.0.0.0/8' }).clusterCIDR, '10.0.0.0/8')
})

t.test('clusterCIDR against the node\'s routes', async t => {
  const routes = [
    { dst: '0.0.0.0/0', dev: 'eth0', via: '192.168.10.1' },
    { dst: '192.168.10.0/24', dev: 'eth0', src: '192.168.10.5' },
    { dst: '10.0.0.0/8', dev: 'eth1', via: '192.168.10.254' },
    { dst: '172.20.5.0/24', dev: 'docker0' },
    { dst: '10.244.3.7/32', dev: 'lxc0123456789a' },
    { dst: '10.244.0.0/16', dev: 'loom0' },
  ]
  const own = { tunName: 'loom0', underlayAddress: '192.168.10.5' }
  t.same(findClusterRouteConflicts('10.244.0.0/16', routes, own), [],
    'default route, a wider gatewayed route and Loom\'s own routes are fine')
  t.match(findClusterRouteConflicts('172.16.0.0/12', routes, own),
    [/route 172\.20\.5\.0\/24 dev docker0 lies inside it/])
  t.match(findClusterRouteConflicts('192.168.0.0/16', routes, own),
    [/underlay address 192\.168\.10\.5 lies inside it/, /route 192\.168\.10\.0\/24 dev eth0 lies inside it/])
  t.match(findClusterRouteConflicts('192.168.10.128/25', routes, own),
    [/connected subnet of the existing route 192\.168\.10\.0\/24 dev eth0/])
  t.match(findClusterRouteConflicts('10.244.0.0/16', [{ dst: '10.244.0.0/16', dev: 'flannel.1' }], own),
    [/10\.244\.0\.0\/16 dev flannel\.1/],
    'an equal route of someone else would have been replaced')
  t.match(findClusterRouteConflicts('10.244.0.0/16', [{ dst: '10.244.9.9/32', dev: 'eth9' }], own),
    [/10\.244\.9\.9\/32 dev eth9/],
    'a /32 that is not on a Loom pod veth is someone else\'s')
})

function statusSources (): StatusSources {
  return {
    nodeName: 'node-a',
    version: 't',
    startedAt: Date.now(),
    encapsulation: 'udp',
    encryption: false,
    underlay: '127.0.0.1:6784',
    clusterCIDR: '10.244.0.0/16',
    mtu: () => 1400,
    self: () => undefined,
    overlayAddress: () => undefined,
    vtepMAC: Buffer.alloc(6),
    routes: () => undefined,
    stats: createDataplaneStats(),
  }
}

function tempDir (t: { teardown: (f: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-api-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

function apiAt (socketPath: string): ApiServer {
  return new ApiServer({ logger, status: statusSources(), ready: () => ({ ready: true, checks: {} }) }, { socketPath })
}

/** One raw HTTP exchange; resolves with what came back before the server closed (or 10 s). */
function raw (target: { path: string } | { port: number }, text: string, extra?: (s: Socket) => void): Promise<string> {
  return new Promise((resolve) => {
    const s = 'path' in target ? connect(target.path) : connect(target.port, '127.0.0.1')
    let got = ''
    const timer = setTimeout(() => { s.destroy(); resolve(got) }, 10000)
    s.on('data', (d: Buffer) => { got += d.toString() })
    s.on('close', () => { clearTimeout(timer); resolve(got) })
    s.on('error', () => undefined)
    s.on('connect', () => { s.write(text); extra?.(s) })
  })
}

t.test('apiSocket: a regular file, a directory or a live socket is refused and left alone; a stale socket is replaced',
  async t => {
    const dir = tempDir(t)
    const file = path.join(dir, 'api.sock')
    fs.writeFileSync(file, 'precious')
    await t.rejects(apiAt(file).start(),
      { name: 'ConfigError', message: /is a regular file; loomd only ever replaces a stale socket/ })
    t.equal(fs.readFileSync(file, 'utf8'), 'precious', 'the file is untouched')
    const sub = path.join(dir, 'sub.sock')
    fs.mkdirSync(sub)
    await t.rejects(apiAt(sub).start(), { message: /is a directory/ })
    const link = path.join(dir, 'link.sock')
    fs.symlinkSync(file, link)
    await t.rejects(apiAt(link).start(), { message: /is a symbolic link/ })
    t.equal(fs.readFileSync(file, 'utf8'), 'precious')

    const live = path.join(dir, 'live.sock')
    const other = createServer(() => undefined)
    await new Promise<void>((resolve) => other.listen(live, resolve))
    t.teardown(() => { other.close() })
    await t.rejects(apiAt(live).start(), { name: 'AgentStartError', message: /served by another process/ })
    t.ok(fs.lstatSync(live).isSocket(), 'the live socket is still there')

    const stale = path.join(dir, 'stale.sock')
    const gone = createServer(() => undefined)
    await new Promise<void>((resolve) => gone.listen(stale, resolve))
    // Simulate kill -9: the socket file stays, nobody listens on it any more.
    fs.renameSync(stale, `${stale}.keep`)
    await new Promise<void>((resolve) => gone.close(() => resolve()))
    fs.renameSync(`${stale}.keep`, stale)
    const api = apiAt(stale)
    await api.start()
    t.equal(await raw({ path: stale },
      'GET /v1/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n').then(r => r.split('\r\n')[0]),
    'HTTP/1.1 200 OK')
    await api.stop()
    t.notOk(fs.existsSync(stale), 'its own socket is removed at stop')
  })

t.test('API server: 413 before closing an oversized body, connection cap, slow clients cut off', async t => {
  const sock = path.join(tempDir(t), 'api.sock')
  const api = apiAt(sock)
  await api.start()
  t.teardown(() => api.stop())
  const announced = await raw({ path: sock },
    `POST /v1/cni/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n{`)
  t.match(announced, /^HTTP\/1\.1 413 /, 'announced too large: 413 at once')
  t.match(announced, /ERR_TOO_LARGE/)
  const streamed = await raw({ path: sock },
    'POST /v1/cni/add HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', (s) => {
      const chunk = Buffer.alloc(256 * 1024, 0x20)
      for (let i = 0; i < 6 && !s.destroyed; i++) s.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`)
    })
  t.match(streamed, /^HTTP\/1\.1 413 /, 'streamed past the limit: 413, then closed (raw() resolved on close)')

  const idle: Socket[] = []
  for (let i = 0; i < MAX_CONNECTIONS + 20; i++) {
    const s = connect(sock)
    s.on('error', () => undefined)
    idle.push(s)
  }
  t.teardown(() => { for (const s of idle) s.destroy() })
  const closedCount = (): number => idle.filter((s) => s.destroyed || s.readyState !== 'open').length
  for (let i = 0; i < 50 && closedCount() < 20; i++) await new Promise((resolve) => setTimeout(resolve, 100))
  const closed = closedCount()
  t.ok(closed >= 20, `${closed} connections over the cap of ${MAX_CONNECTIONS} were closed`)
  for (const s of idle) s.destroy()
  await new Promise((resolve) => setTimeout(resolve, 100))
  // Slow loris: one header byte a second never completes the headers; cut off after ~5 s.
  const t1 = Date.now()
  const loris = await raw({ path: sock }, 'GET /v1/status HTTP/1.1\r\n', (s) => {
    const drip = setInterval(() => { if (s.destroyed) clearInterval(drip); else s.write('X') }, 500)
    s.on('close', () => clearInterval(drip))
  })
  t.match(loris, /^HTTP\/1\.1 408 /, 'a client that never finishes its headers gets 408')
  t.ok(Date.now() - t1 < 15000, `cut off after ${Date.now() - t1} ms (headers timeout 5 s, checked every 1 s)`)
  const t0 = Date.now()
  t.match(await raw({ path: sock }, 'GET /v1/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    /^HTTP\/1\.1 200/, 'still answers')
  t.ok(Date.now() - t0 < 3000, 'promptly (1 s on a quiet machine; 3 s allowed on a loaded one)')
})

t.test('metrics server: 413 for an oversized body, connection cap', async t => {
  const registry = createMetricsRegistry({
    version: 't',
    nodeName: 'a',
    dataplane: { stats: createDataplaneStats(), peers: () => [], encapsulation: 'udp', encryption: false }
  })
  const m = new MetricsServer({ registry, health: { ready: () => ({ ready: true, checks: {} }) }, logger },
    { address: '127.0.0.1:0' })
  await m.start()
  t.teardown(() => m.stop())
  t.match(await raw({ port: m.port }, 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\nxx'),
    /^HTTP\/1\.1 413 /)
  const ok = await new Promise<number>((resolve) => {
    request({ host: '127.0.0.1', port: m.port, path: '/healthz' },
      (res) => { res.resume(); resolve(res.statusCode ?? 0) }).end()
  })
  t.equal(ok, 200)
})

t.test('API server: requests refused before any handler (malformed HTTP) are counted (found by fuzzing)', async t => {
  const dir = tempDir(t)
  const socketPath = path.join(dir, 'api.sock')
  const seen: Array<[string, number]> = []
  const api = new ApiServer({
    logger,
    status: statusSources(),
    ready: () => ({ ready: true, checks: {} }),
    observe: (command, status) => { seen.push([command, status]) }
  }, { socketPath })
  await api.start()
  t.teardown(() => api.stop())
  const answer = await raw({ path: socketPath }, 'GE T /v1/status HTTP/1.1\r\nHost: x\r\n\r\n')
  t.match(answer, /^HTTP\/1\.1 400/)
  await raw({ path: socketPath }, '\x00\x01\x02 garbage\r\n\r\n')
  t.same(seen, [['other', 400], ['other', 400]], 'each malformed request observed once, as command "other"')
})

/** One JSON request to the API socket: status and parsed body. */
async function apiJSON (socketPath: string, method: string, urlPath: string, body?: unknown):
Promise<{ status: number, body: any }> {
  return await new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path: urlPath, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { text += c })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: text === '' ? null : JSON.parse(text) }) })
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

t.test('raw API: POST /v1/cni/gc spares an attachment younger than the grace period, as CNI GC does', async t => {
  const sock = path.join(tempDir(t), 'api.sock')
  let now = 1_700_000_000_000
  const pods = new StaticPodAddresses(new MemoryStore(), '10.244.1.0/24', { clock: () => now })
  const ready = (): { ready: boolean, checks: Record<string, boolean> } => ({ ready: true, checks: {} })
  const wiring = recordingWiring()
  const cni = new CniCommands({
    addresses: agentAddresses({ pods: () => pods, ready, mtu: () => 1400 }), wiring, log: () => {}, clock: () => now,
  }, { gcGraceMs: 60_000 })
  const api = new ApiServer({ logger, status: statusSources(), pods, ready, cni }, { socketPath: sock })
  await api.start()
  t.teardown(() => api.stop())

  now += 120_000 // the agent has run past one grace period: nothing is young for being unknown
  const add = await apiJSON(sock, 'POST', '/v1/cni/add', { containerID: 'fresh', ifname: 'eth0' })
  t.equal(add.status, 200)
  now += 5_000
  const early = await apiJSON(sock, 'POST', '/v1/cni/gc', { valid: [] })
  t.same([early.status, early.body], [200, { released: [] }], 'a 5 s old attachment is spared')
  t.equal((await apiJSON(sock, 'GET', '/v1/cni/attachment?containerID=fresh&ifname=eth0')).body.address,
    add.body.address, 'and keeps its address')

  now += 60_000
  const late = await apiJSON(sock, 'POST', '/v1/cni/gc', { valid: [] })
  t.equal(late.status, 200)
  t.match(late.body.released, [{ containerID: 'fresh', ifname: 'eth0', address: add.body.address }],
    'past the grace period it is collected')
  t.same(wiring.deleted, [add.body.hostVeth], 'with its host veth, as CNI GC does')
  t.equal((await apiJSON(sock, 'GET', '/v1/cni/attachment?containerID=fresh&ifname=eth0')).status, 404)
  t.equal((await apiJSON(sock, 'POST', '/v1/cni/gc', {})).status, 400, 'no list: nothing removed, 400')
})

t.test('raw API: POST /v1/cni/del waits for an ADD of the attachment in flight and runs DEL\'s path', async t => {
  const sock = path.join(tempDir(t), 'api.sock')
  const pods = new StaticPodAddresses(new MemoryStore(), '10.244.1.0/24')
  const ready = (): { ready: boolean, checks: Record<string, boolean> } => ({ ready: true, checks: {} })
  let openGate = (): void => {}
  const gate = new Promise<void>((resolve) => { openGate = resolve })
  const wiring = recordingWiring()
  const wirePod = wiring.wirePod
  wiring.wirePod = async (spec) => { await gate; return await wirePod(spec) } // the ADD stays in flight
  const ledger: LedgerDocument[] = []
  const removed: string[] = []
  const cni = new CniCommands({
    addresses: agentAddresses({ pods: () => pods, ready, mtu: () => 1400 }),
    wiring,
    hooks: { podRemoved: async (pod) => { removed.push(pod.containerID) } },
    ledger: { load: () => null, commit: async (build) => { ledger.push(build()) } },
    log: () => {},
  }, { gcGraceMs: 60_000 })
  const api = new ApiServer({ logger, status: statusSources(), pods, ready, cni }, { socketPath: sock })
  await api.start()
  t.teardown(() => api.stop())

  const env = {
    CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'x', CNI_IFNAME: 'eth0', CNI_NETNS: '/var/run/netns/p', CNI_PATH: '/opt/cni/bin',
  }
  const add = cni.run(env, JSON.stringify({ cniVersion: '1.1.0', name: 'loom', type: 'loom-cni' }))
  for (let i = 0; i < 50 && pods.list().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(pods.list().length, 1, 'the ADD has allocated and is wiring the pod')
  let answered = false
  const del = apiJSON(sock, 'POST', '/v1/cni/del', { containerID: 'x', ifname: 'eth0' })
    .then((r) => { answered = true; return r })
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.notOk(answered, 'the raw DEL waits for the ADD in flight (the attachment\'s lock)')
  t.equal(pods.list().length, 1, 'and has not released the address under it')
  openGate()
  const out = await add
  t.equal(out.exitCode, 0, 'the ADD reports success')
  const address = (JSON.parse(out.stdout) as { ips: Array<{ address: string }> }).ips[0]!.address.split('/')[0]
  const r = await del
  t.equal(r.status, 200)
  t.match(r.body, { released: true, record: { containerID: 'x', address } }, 'then the DEL releases what the ADD reported')
  t.same(pods.list(), [], 'nothing held')
  t.same(wiring.deleted, [hostVethName('x', 'eth0')], 'its host veth deleted, as DEL does')
  t.same(removed, ['x'], 'the podRemoved hook ran, as DEL does')
  t.same(ledger[ledger.length - 1]?.attachments.map((a) => a.containerID), [],
    'its ledger entry is gone from the ledger written (the ADD had recorded it)')
  t.ok(ledger.some((d) => d.attachments.some((a) => a.containerID === 'x')), 'the ADD had recorded it')
  const again = await apiJSON(sock, 'POST', '/v1/cni/del', { containerID: 'x', ifname: 'eth0' })
  t.same([again.status, again.body.released], [200, false], 'a repeated raw DEL finds nothing, as DEL does')
})

t.test('API server: a client that hangs up mid-body is answered 400 and counted, not logged as a failure', async t => {
  const sock = path.join(tempDir(t), 'api.sock')
  const lines: string[] = []
  const seen: Array<[string, number]> = []
  const api = new ApiServer({
    logger: pino({ level: 'info' }, { write: (l: string) => { lines.push(l) } }),
    status: statusSources(),
    ready: () => ({ ready: true, checks: {} }),
    observe: (command, status) => { seen.push([command, status]) },
  }, { socketPath: sock })
  await api.start()
  t.teardown(() => api.stop())
  for (let i = 0; i < 3; i++) {
    await new Promise<void>((resolve) => {
      const s = connect(sock, () => {
        s.write('POST /v1/cni/del HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"containerID":')
        setTimeout(() => { s.destroy(); resolve() }, 50)
      })
    })
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(seen.filter(([command]) => command === 'cni_del'), [['cni_del', 400], ['cni_del', 400], ['cni_del', 400]],
    'each one counted as a 400, not a 500')
  t.notOk(seen.some(([, status]) => status >= 500), 'nothing counted as a server failure')
  t.same(lines.filter((l) => l.includes('"level":50')), [], 'no error line (it logged "aborted" with a stack)')
})
