/**
 * A real Prometheus scrapes the agent's /metrics, and promtool lints the exposition.
 *
 *   test process                                prometheus (child, PID-tracked)
 *   MetricsServer 127.0.0.1:<port0>  <--GET /metrics every 1 s--  127.0.0.1:<free port> (API)
 *   (fake data-plane/control/IPAM sources)       private config + TSDB in a temp dir
 *
 * Loopback only, so no namespace is needed. Root-only like the rest of test/netns/, and skipped
 * with a reason when the `prometheus` or `promtool` binaries are missing (Debian package
 * `prometheus`). Teardown kills prometheus by PID and removes the temp dir, also on failure.
 */
import t from 'tap'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { createDataplaneStats, type PeerRoute } from '../../dataplane/types'
import { createMetricsRegistry, MetricsServer } from '../../metrics'

function skipReason (): string | false {
  if (process.getuid?.() !== 0) return 'needs root (test/netns/ runs as root)'
  for (const bin of ['prometheus', 'promtool']) {
    const r = spawnSync(bin, ['--version'], { stdio: 'ignore' })
    if (r.error !== undefined) return `${bin} binary not found (apt-get install prometheus)`
  }
  return false
}

async function httpGet (port: number, path: string): Promise<{ status: number, body: string }> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
    })
    req.on('timeout', () => { req.destroy(new Error(`GET ${path} timed out`)) })
    req.on('error', reject)
    req.end()
  })
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      const port = a !== null && typeof a === 'object' ? a.port : 0
      s.close(() => { resolve(port) })
    })
  })
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** Polls `check` every 250 ms until it returns a value, or fails after `ms`. */
async function waitFor<T> (what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await check().catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(250)
  }
}

t.test('a real Prometheus scrapes /metrics and promtool finds nothing to lint', { skip: skipReason() }, async (t) => {
  // Fake sources; peers() is called once per scrape, which counts the scrapes.
  let scrapes = 0
  const stats = createDataplaneStats()
  stats.dropsInbound[5] = 2 // auth
  stats.udpRecvBatches[4] = 3
  const peer: PeerRoute = {
    nodeName: 'node-b',
    index: 2,
    address: '192.0.2.2',
    addressU32: 0xc0000202,
    port: 6784,
    vtepMAC: Buffer.alloc(6),
    mtu: 1420,
    counters: { packetsOut: 42, bytesOut: 4200, packetsIn: 7, bytesIn: 700, lastInMs: 0 },
  }
  const registry = createMetricsRegistry({
    version: '0.1.0-test',
    nodeName: 'node-a',
    dataplane: { stats, peers: () => { scrapes++; return [peer] }, encapsulation: 'udp', encryption: true },
    control: {
      membersByState: () => ({ alive: 2 }),
      counters: { probesDirect: 3, probesIndirect: 0, suspicions: 0, refutations: 0, deaths: 0, decodeErrors: 0 },
      gossip: { ping: { messagesIn: 3, messagesOut: 3, bytesIn: 90, bytesOut: 90 } },
    },
    ipam: {
      snapshot: () => ({
        blocksOwned: 1,
        addressesUsed: 2,
        addressesFree: 62,
        clusterAddresses: 65536,
        unreachableRatio: 0,
        claimsPending: 0
      }),
      counters: { reclaims: 0 },
    },
  })
  registry.observeCniRequest('ADD', 0, 0.012)
  registry.observeAllocation(0.0003)
  const server = new MetricsServer(
    {
      registry,
      health: { ready: () => ({ ready: true, checks: { dataplane: true } }) },
      logger: pino({ level: 'silent' })
    },
    { address: '127.0.0.1:0' })
  await server.start()
  t.teardown(() => server.stop())

  const dir = mkdtempSync(join(tmpdir(), 'loom-prom-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const config = join(dir, 'prometheus.yml')
  writeFileSync(config, [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    'scrape_configs:',
    '  - job_name: loom',
    '    static_configs:',
    `      - targets: ['127.0.0.1:${server.port}']`,
    '',
  ].join('\n'))
  const webPort = await freePort()
  let log = ''
  const prom: ChildProcess = spawn('prometheus', [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${webPort}`,
    '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  prom.stdout?.on('data', (c: Buffer) => { log += c.toString() })
  prom.stderr?.on('data', (c: Buffer) => { log += c.toString() })
  const exited = new Promise<void>((resolve) => { prom.once('exit', () => { resolve() }) })
  t.teardown(async () => {
    if (prom.exitCode !== null || prom.signalCode !== null) return
    process.kill(prom.pid as number, 'SIGTERM')
    const timer = setTimeout(() => { if (prom.exitCode === null) process.kill(prom.pid as number, 'SIGKILL') }, 5000)
    await exited
    clearTimeout(timer)
  })
  t.ok(prom.pid !== undefined, `prometheus started (pid ${prom.pid})`)

  try {
    const target = await waitFor('two scrapes and a healthy target', 30_000, async () => {
      if (prom.exitCode !== null) throw new Error('prometheus exited')
      if (scrapes < 2) return undefined
      const r = await httpGet(webPort, '/api/v1/targets')
      const body = JSON.parse(r.body) as {
        data: { activeTargets: Array<{ health: string, scrapeUrl: string, lastError: string }> }
      }
      const active = body.data.activeTargets
      return active.length === 1 && active[0].health === 'up' ? active[0] : undefined
    })
    t.equal(target.scrapeUrl, `http://127.0.0.1:${server.port}/metrics`)
    t.equal(target.lastError, '')
    t.ok(scrapes >= 2, `scraped ${scrapes} times`)

    type QueryResult = Array<{ metric: Record<string, string>, value: [number, string] }>
    const query = async (q: string): Promise<QueryResult | undefined> => {
      const r = await httpGet(webPort, `/api/v1/query?query=${encodeURIComponent(q)}`)
      const body = JSON.parse(r.body) as { status: string, data: { result: QueryResult } }
      return body.status === 'success' && body.data.result.length > 0 ? body.data.result : undefined
    }
    const info = await waitFor('loom_build_info in the TSDB', 10_000, async () => await query('loom_build_info'))
    t.equal(info.length, 1)
    t.match(info[0].metric,
      {
        __name__: 'loom_build_info',
        job: 'loom',
        version: '0.1.0-test',
        node: 'node-a',
        encapsulation: 'udp',
        encryption: 'true'
      })
    t.equal(info[0].value[1], '1')

    const packets = await waitFor('packets', 10_000,
      async () => await query('loom_dataplane_packets_total{direction="out",peer="node-b"}'))
    t.equal(packets[0].value[1], '42')
    const drops = await waitFor('drops', 10_000,
      async () => await query('loom_dataplane_drops_total{direction="in",reason="auth"}'))
    t.equal(drops[0].value[1], '2')
    const p50 = await waitFor('batch histogram', 10_000, async () =>
      await query('histogram_quantile(0.5, loom_dataplane_batch_packets_bucket{queue="udp_recv"})'))
    t.equal(Number(p50[0].value[1]) > 2 && Number(p50[0].value[1]) <= 4, true,
      `median udp_recv batch in (2,4]: ${p50[0].value[1]}`)
  } catch (err) {
    t.comment(`prometheus log:\n${log}`)
    throw err
  }

  const exposition = await httpGet(server.port, '/metrics')
  t.equal(exposition.status, 200)
  const lint = spawnSync('promtool', ['check', 'metrics'],
    { input: exposition.body, encoding: 'utf8', timeout: 20_000 })
  t.equal(lint.status, 0, 'promtool check metrics exits 0')
  t.equal(`${lint.stdout}${lint.stderr}`, '', 'promtool reports nothing')
})
