/**
 * Pod start/stop latency of the CNI plugin: loom-cni (the shim + loomd) against Debian's
 * reference `ptp` + `host-local`, on one node namespace, through `ip netns exec` as a runtime
 * in the node's namespace would exec it, over the same pod namespaces, one plugin after the
 * other. Reports ADD and DEL wall time (median, p99), 100 concurrent ADDs and then DELs (time
 * until all are done), the plugin's CPU-seconds and peak RSS per call (GNU time around the
 * plugin; includes host-local for ptp), and for Loom also loomd's CPU per call (its /proc stat
 * delta) and where loomd spent each phase's time: loom_cni_stage_seconds (cni/stages.ts)
 * scraped from its /metrics before and after each phase, as the mean per call and the sum.
 *
 * Root only. Run: node dist/bench/cni-latency.js [pods=100, at least 100] [--out file.json]
 * Wall times include `ip netns exec` and GNU time themselves; their cost (`true` through the
 * same path) is printed as the baseline, once one at a time and once 100 at a time (the floor
 * of the concurrent figures). Wrap in `flock /tmp/loom-bench.lock` on a shared machine.
 *
 *   pods p0..pN ── veths ── node ns "n1" (loomd, static mode) ── sw
 */
import { execFile } from 'node:child_process'
import { execExitCode } from '../test/lib/exit-code'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { NetnsLab } from '../test/netns/lib/netns-lab'
import { LabNode, OverlayLab, REPO_ROOT } from '../test/netns/lib/overlay-lab'

const LOOM_CNI = join(REPO_ROOT, 'dist', 'cni', 'loom-cni')
const REFERENCE = '/usr/lib/cni'
const CONCURRENT = 100

interface Call { ms: number, code: number, cpu: number, rssKiB: number, out: string }

function callPlugin (ns: string, bin: string, env: Record<string, string>, conf: string): Promise<Call> {
  const started = process.hrtime.bigint()
  return new Promise((resolve) => {
    const child = execFile('ip', ['netns', 'exec', ns, '/usr/bin/time', '-f', 'LOOMTIME %U %S %M', bin],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 60_000, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6
        const m = /LOOMTIME (\S+) (\S+) (\d+)/.exec(stderr)
        const code = execExitCode(err, -1)
        resolve({
          ms,
          code,
          cpu: m === null ? NaN : Number(m[1]) + Number(m[2]),
          rssKiB: m === null ? NaN : Number(m[3]),
          out: stdout + stderr
        })
      })
    child.stdin?.on('error', () => { /* a program that exits without reading stdin (the baseline's true) */ })
    child.stdin?.end(conf)
  })
}

/** Value at index floor(p·n) of the sorted values: p99 of 100 calls is the slowest of them. */
function pct (xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN
}

/** The n largest values with their index, "270.2 @ 41, ...". */
function slowest (xs: number[], n: number): string {
  return xs.map((ms, i) => ({ ms, i })).sort((a, b) => b.ms - a.ms).slice(0, n)
    .map(({ ms, i }) => `${ms.toFixed(1)} @ ${i}`).join(', ')
}

function mean (xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length
}

/** utime + stime of a process, seconds. */
function cpuOf (pid: number | undefined): number {
  if (pid === undefined) return NaN
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(f[11]) + Number(f[12])) / 100
  } catch {
    return NaN
  }
}

/** The loomd process (node) under `ip netns exec`'s pid. */
function loomdPid (node: LabNode): number | undefined {
  const ip = node.daemon?.pid
  if (ip === undefined) return undefined
  try {
    const kids = readFileSync(`/proc/${ip}/task/${ip}/children`,
      'utf8').trim().split(/\s+/).map(Number).filter((n) => n > 0)
    return kids[0] ?? ip
  } catch {
    return ip
  }
}

/**
 * Sum and count of every histogram series named `metric`, keyed by its labels, and how many of
 * its observations were at most SLOW_S (its `le` bucket): a phase's p99 is its slowest call, so
 * the stage that holds a slow call is what tells a loomd stall from one outside it.
 */
type HistogramTotals = Map<string, { sum: number, count: number, fast: number }>

/** A bucket bound of both histograms (metrics/registry.ts): calls above it count as slow. */
const SLOW_S = '0.1'

/** loom_cni_stage_seconds and loom_api_request_duration_seconds as loomd exposes them now. */
async function scrape (node: LabNode): Promise<HistogramTotals> {
  const text = await new Promise<string>((resolve) => {
    execFile('ip', ['netns', 'exec', node.ns, 'curl', '-sf', '--max-time', '10', 'http://127.0.0.1:9784/metrics'],
      { maxBuffer: 16 << 20 }, (err, stdout) => resolve(err === null ? stdout : ''))
  })
  const out: HistogramTotals = new Map()
  const re = /^(loom_cni_stage_seconds|loom_api_request_duration_seconds)_(sum|count|bucket)\{([^}]*)\} (\S+)$/gm
  for (const m of text.matchAll(re)) {
    let labels = m[3]!
    if (m[2] === 'bucket') {
      // prom-client writes le first, others may not: compare the labels without it.
      const parts = labels.split(',')
      if (!parts.includes(`le="${SLOW_S}"`)) continue
      labels = parts.filter((l) => !l.startsWith('le=')).join(',')
    }
    const key = `${m[1]!}{${labels}}`
    const e = out.get(key) ?? { sum: 0, count: 0, fast: 0 }
    e[m[2] === 'bucket' ? 'fast' : m[2] as 'sum' | 'count'] = Number(m[4])
    out.set(key, e)
  }
  return out
}

/** What one phase added to a series: seconds in all, calls, the mean per call (ms), calls over SLOW_S. */
interface StageDelta { series: string, totalS: number, calls: number, meanMs: number, slowCalls: number }

function delta (before: HistogramTotals, after: HistogramTotals): StageDelta[] {
  const out: StageDelta[] = []
  for (const [series, a] of after) {
    const b = before.get(series) ?? { sum: 0, count: 0, fast: 0 }
    const calls = a.count - b.count
    if (calls <= 0) continue
    const totalS = a.sum - b.sum
    const name = series.replace('loom_cni_stage_seconds', 'stage').replace('loom_api_request_duration_seconds', 'api')
    out.push({ series: name, totalS, calls, meanMs: totalS / calls * 1000, slowCalls: calls - (a.fast - b.fast) })
  }
  return out.sort((x, y) => y.totalS - x.totalS)
}

interface PluginResult {
  plugin: string
  add: { median: number, p99: number }
  del: { median: number, p99: number }
  /** Every sequential call's wall time, in call order (p99 of 100 is the slowest: see pct). */
  addsMs: number[]
  delsMs: number[]
  concurrentAddsMs: number
  concurrentDelsMs: number
  cpuPerCall: number
  peakRssMiB: number
  agentCpuPerCall?: number
  failures: number
  /** Loom only: loomd's stage times per phase. */
  stages?: Record<string, StageDelta[]>
}

async function runPlugin (name: string, lab: NetnsLab, node: LabNode, pods: string[], bin: string, conf: string,
  agentPid?: number): Promise<PluginResult> {
  const env = (cmd: string, i: number): Record<string, string> => ({
    CNI_COMMAND: cmd,
    CNI_CONTAINERID: `bench-${name}-${i}`,
    CNI_NETNS: `/var/run/netns/${pods[i]!}`,
    CNI_IFNAME: 'eth0',
    CNI_PATH: REFERENCE,
  })
  const calls: Call[] = []
  let failures = 0
  const note = (c: Call, what: string): Call => {
    calls.push(c)
    if (c.code !== 0) {
      failures++; if (failures <= 3) {
        process.stderr.write(`${name} ${what} failed (${c.code}): ${c.out.slice(0,
        300)}\n`)
      }
    }
    return c
  }
  const cpu0 = cpuOf(agentPid)
  const stages: Record<string, StageDelta[]> = {}
  const phase = async (label: string, fn: () => Promise<void>): Promise<void> => {
    const before = agentPid !== undefined ? await scrape(node) : undefined
    await fn()
    if (before !== undefined) stages[label] = delta(before, await scrape(node))
  }
  const adds: number[] = []
  const dels: number[] = []
  const sequential = pods.length
  await phase('sequential ADD', async () => {
    for (let i = 0; i < sequential; i++) adds.push(note(await callPlugin(node.ns, bin, env('ADD', i), conf), 'ADD').ms)
  })
  await phase('sequential DEL', async () => {
    for (let i = 0; i < sequential; i++) dels.push(note(await callPlugin(node.ns, bin, env('DEL', i), conf), 'DEL').ms)
  })
  const n = Math.min(CONCURRENT, pods.length)
  const concurrently = async (cmd: string): Promise<number> => {
    const started = Date.now()
    await Promise.all(Array.from({ length: n },
      async (_, i) => note(await callPlugin(node.ns, bin, env(cmd, i), conf), `concurrent ${cmd}`)))
    return Date.now() - started
  }
  let concurrentAddsMs = NaN
  let concurrentDelsMs = NaN
  await phase(`${n} concurrent ADD`, async () => { concurrentAddsMs = await concurrently('ADD') })
  await phase(`${n} concurrent DEL`, async () => { concurrentDelsMs = await concurrently('DEL') })
  const agentCpu = cpuOf(agentPid) - cpu0
  void lab
  return {
    plugin: name,
    add: { median: pct(adds, 0.5), p99: pct(adds, 0.99) },
    del: { median: pct(dels, 0.5), p99: pct(dels, 0.99) },
    addsMs: adds.map((ms) => Math.round(ms * 1000) / 1000),
    delsMs: dels.map((ms) => Math.round(ms * 1000) / 1000),
    concurrentAddsMs,
    concurrentDelsMs,
    cpuPerCall: mean(calls.map((c) => c.cpu).filter(Number.isFinite)),
    peakRssMiB: Math.max(...calls.map((c) => c.rssKiB).filter(Number.isFinite)) / 1024,
    ...(agentPid !== undefined ? { agentCpuPerCall: agentCpu / calls.length, stages } : {}),
    failures,
  }
}

async function main (): Promise<void> {
  const podCount = Math.max(Number(process.argv[2] ?? 100) || 100, CONCURRENT)
  const outIdx = process.argv.indexOf('--out')
  const lab = new NetnsLab('cnilat')
  try {
    const overlay = new OverlayLab(lab, { nodes: 1, podsPerNode: 0, encapsulation: 'udp', logLevel: 'warn' })
    await overlay.build()
    await overlay.startAll()
    const node = overlay.nodes[0]!
    const pods: string[] = []
    for (let i = 0; i < podCount; i++) pods.push(await lab.addNamespace(`p${i}`))
    const baseline: number[] = []
    for (let i = 0; i < 20; i++) baseline.push((await callPlugin(node.ns, '/bin/true', {}, '')).ms)
    const floorStarted = Date.now()
    await Promise.all(Array.from({ length: CONCURRENT }, () => callPlugin(node.ns, '/bin/true', {}, '')))
    const concurrentFloorMs = Date.now() - floorStarted

    const loomConf = JSON.stringify({ cniVersion: '1.0.0', name: 'loom', type: 'loom-cni', apiSocket: node.apiSocket })
    const ptpConf = JSON.stringify({
      cniVersion: '1.0.0',
      name: 'bench',
      type: 'ptp',
      ipMasq: false,
      ipam: { type: 'host-local', subnet: '10.99.0.0/16', dataDir: lab.file('host-local') },
    })
    // Warm both (page cache, loomd's first netlink sockets), then measure.
    for (const [bin, conf] of [[LOOM_CNI, loomConf], [join(REFERENCE, 'ptp'), ptpConf]] as const) {
      const env = {
        CNI_COMMAND: 'ADD',
        CNI_CONTAINERID: 'warm',
        CNI_NETNS: `/var/run/netns/${pods[0]!}`,
        CNI_IFNAME: 'eth0',
        CNI_PATH: REFERENCE
      }
      await callPlugin(node.ns, bin, env, conf)
      await callPlugin(node.ns, bin, { ...env, CNI_COMMAND: 'DEL' }, conf)
    }
    const ptp = await runPlugin('ptp', lab, node, pods, join(REFERENCE, 'ptp'), ptpConf)
    const loom = await runPlugin('loom-cni', lab, node, pods, LOOM_CNI, loomConf, loomdPid(node))

    const f = (x: number, d = 1): string => Number.isFinite(x) ? x.toFixed(d) : '-'
    const lines = [
      `CNI latency, ${podCount} pod namespaces, one node. ip netns exec + time baseline (included below): ` +
        `median ${f(pct(baseline, 0.5))} ms one at a time, ${concurrentFloorMs} ms for ${CONCURRENT} at once`,
      `| plugin | ADD median ms | ADD p99 ms | DEL median ms | DEL p99 ms | ${CONCURRENT} concurrent ADDs ms | ` +
        `${CONCURRENT} concurrent DELs ms | plugin CPU-s/call | peak RSS MiB | loomd CPU-s/call | failures |`,
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...[ptp, loom].map((r) => `| ${r.plugin} | ${f(r.add.median)} | ${f(r.add.p99)} | ${f(r.del.median)} | ` +
        `${f(r.del.p99)} | ${r.concurrentAddsMs} | ${r.concurrentDelsMs} | ${f(r.cpuPerCall, 3)} | ${f(r.peakRssMiB)} | ` +
        `${r.agentCpuPerCall !== undefined ? f(r.agentCpuPerCall, 4) : '-'} | ${r.failures} |`),
      `loom-cni / ptp: ADD median ${f(loom.add.median / ptp.add.median, 2)}x, p99 ${f(loom.add.p99 / ptp.add.p99,
        2)}x; ` +
        `DEL median ${f(loom.del.median / ptp.del.median, 2)}x, p99 ${f(loom.del.p99 / ptp.del.p99,
          2)}x; ${CONCURRENT} concurrent ADDs ${f(loom.concurrentAddsMs / ptp.concurrentAddsMs, 2)}x, ` +
        `DELs ${f(loom.concurrentDelsMs / ptp.concurrentDelsMs, 2)}x`,
      '',
      'loomd per phase: seconds in each stage (loom_cni_stage_seconds) and per request ' +
        '(loom_api_request_duration_seconds), summed over the phase and per call; pod_config and host_config overlap',
      ...Object.entries(loom.stages ?? {}).flatMap(([label, rows]) => [
        `${label}:`,
        ...rows.map((r) => `  ${r.series.padEnd(44)} total ${f(r.totalS, 3).padStart(8)} s  ` +
          `calls ${String(r.calls).padStart(4)}  mean ${f(r.meanMs, 2).padStart(8)} ms` +
          (r.slowCalls > 0 ? `  over ${Number(SLOW_S) * 1000} ms: ${r.slowCalls}` : '')),
      ]),
      ...[ptp, loom].flatMap((r) => [['ADD', r.addsMs], ['DEL', r.delsMs]].map(([what, ms]) =>
        `${r.plugin} ${String(what)}, slowest sequential calls (ms @ call): ${slowest(ms as number[], 3)}`)),
    ]
    process.stdout.write(lines.join('\n') + '\n')
    const out = outIdx > 0
      ? process.argv[outIdx + 1]!
      : join(REPO_ROOT, 'bench', 'results',
      `cni-latency-${new Date().toISOString().slice(0, 16).replace(/:/g, '')}.json`)
    mkdirSync(join(out, '..'), { recursive: true })
    writeFileSync(out,
      JSON.stringify({
        date: new Date().toISOString(),
        pods: podCount,
        baselineMedianMs: pct(baseline, 0.5),
        concurrentFloorMs,
        ptp,
        loom,
      }, null, 2) + '\n')
    process.stdout.write(`results: ${out}\n`)
  } finally {
    await lab.cleanup()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
})
