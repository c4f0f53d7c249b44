/**
 * The phases of the fault suite, shared by the `npm test` version (test/netns/faults.test.ts,
 * small figures) and `npm run soak` (test/netns/soak.ts, the issue's figures). Each phase
 * returns what it measured and the invariant violations it found (fault-lab.ts); the caller
 * asserts or reports. Every loop is bounded in count and in time.
 */
import { deriveNodeIndex } from '../../../dataplane/node-index'
import { NODE_KEY_PREFIX, type AttachmentRecord } from '../../../control'
import { NetnsLab, run } from './netns-lab'
import { apiRequest, LabNode, OverlayLab, REPO_ROOT } from './overlay-lab'
import {
  checkInvariants, checkReachability, ipamOf, metricSum, netem, partition, PodChurn, processUsage, type NetemRun,
  udpKernelDrops, waitIpamSettled,
} from './fault-lab'
import { between, pick, seededRandom, type Random } from './seeded-random'
import type { FuzzJob, FuzzKind, FuzzResult } from './fuzz-sender'
import { join } from 'node:path'

export interface FaultContext {
  lab: NetnsLab
  overlay: OverlayLab
  churn: PodChurn
  random: Random
  seed: number
  log: (line: string) => void
}

/** Builds a gossip cluster of `nodes` real loomd nodes and `slotsPerNode` pod namespaces each. */
export async function buildFaultCluster (tag: string, seed: number, nodes: number, slotsPerNode: number,
  log: (line: string) => void): Promise<FaultContext> {
  const lab = new NetnsLab(tag)
  const overlay = new OverlayLab(lab, {
    nodes,
    podsPerNode: 0,
    encapsulation: 'udp',
    logLevel: 'warn',
    gossip: {},
    extraConfig: () => ({ seeds: ['198.18.0.1', '198.18.0.2', '198.18.0.3'] }),
  })
  const random = seededRandom(seed)
  const churn = new PodChurn(lab, overlay, random)
  const ctx = { lab, overlay, churn, random, seed, log }
  try {
    await overlay.build()
    await overlay.startAll()
    await churn.addSlots(overlay.nodes, slotsPerNode)
    await waitIpamSettled(overlay.nodes, 60_000)
  } catch (err) {
    await lab.cleanup()
    throw err
  }
  return ctx
}

async function liveNodes (ctx: FaultContext): Promise<LabNode[]> {
  return ctx.overlay.nodes.filter((n) => n.daemon !== undefined)
}

/** Settles, cleans the runtime's failed pods, and checks every invariant (and reachability). */
export async function settleAndCheck (ctx: FaultContext, reach: boolean): Promise<string[]> {
  const nodes = await liveNodes(ctx)
  await ctx.churn.cleanDirty()
  await waitIpamSettled(nodes, 60_000)
  const problems = await checkInvariants(ctx.lab, ctx.churn, nodes)
  if (reach) problems.push(...await checkReachability(ctx.overlay, ctx.churn, ctx.random))
  return problems
}

export interface NetemResult {
  /** What impaired the underlay: `netem` (tc) or `userspace` (lib/underlay-impair.ts, no sch_netem). */
  how: 'netem' | 'userspace';
  /** The userspace impairment's own figures (frames dropped, delayed, reordered). */
  impairment?: NetemRun['stats']
  seconds: number;
  ops: number;
  deaths: number;
  pingLossPercent: number;
  /** ms from the end of the churn until IPAM settled, still under the fault (undefined: not within 30 s). */
  settledUnderFaultMs: number | undefined
  /** CNI calls during the fault. */
  during: { adds: number, addOk: number, dels: number, delOk: number }
  /** Pod ping round trips under the fault, ms: mean and standard deviation. */
  pingRttMs: { mean: number, mdev: number } | undefined
  partitionSeconds: number
  problems: string[]
}

/** What the netem phase applies, tc's words (also parsed by the userspace emulation). */
export const NETEM_SPEC = ['delay', '50ms', '20ms', 'distribution', 'normal', 'loss', '10%', 'reorder', '25%', '50%',
  'duplicate', '1%']

/** One line saying what impaired the underlay and, for the userspace emulation, what it did. */
export function describeNetem (how: NetemResult['how'], s: NetemResult['impairment']): string {
  if (how === 'netem') return 'tc netem (10 % loss, 50±20 ms delay, 25 % reorder, 1 % duplicates)'
  if (s === undefined) return 'userspace netem (no sch_netem in this kernel), no figures'
  return 'userspace netem on the switch (no sch_netem in this kernel; lib/underlay-impair.ts): ' +
    `${s.received} frames, ${s.lost} dropped, ${s.duplicated} duplicated, ${s.immediate} sent at once, ` +
    `delay ${s.delayMeanMs.toFixed(1)}±${s.delayStdMs.toFixed(1)} ms (max ${s.delayMaxMs.toFixed(0)}), ` +
    `${s.reordered} overtaken, ${s.overLimit} over the limit, ${s.oversize} oversize`
}

/**
 * netem (10 % loss, 50 ms ± 20 ms delay, 25 % reordering, 1 % duplicates; `tc netem`, or its
 * userspace emulation where the kernel has no sch_netem) on every switch port for `seconds`,
 * while each node churns pods through loom-cni and two pods ping each other; no member may be
 * declared dead, and IPAM must settle before the fault is lifted. Then one node is partitioned
 * for `partitionSeconds`; after both are lifted IPAM must settle, traffic resume and every
 * invariant hold.
 */
export async function runNetem (ctx: FaultContext, seconds: number, partitionSeconds: number): Promise<NetemResult> {
  const { lab, overlay, churn } = ctx
  const nodes = overlay.nodes
  // Two long-lived pods for traffic under the faults.
  const a = churn.slots.find((s) => s.node === nodes[0])!
  const b = churn.slots.find((s) => s.node === nodes[1])!
  for (const s of [a, b]) if (s.state === 'free') await churn.act(s)
  const deathsBefore = (await Promise.all(nodes.map((n) => metricSum(lab, n, 'loom_control_deaths_total')))).reduce((x,
    y) => x + y, 0)
  const { how } = await netem(lab, overlay, NETEM_SPEC, { maxSeconds: seconds + 120, seed: ctx.seed })
  if (how === 'off') throw new Error('netem did not start')
  const until = Date.now() + seconds * 1000
  let ops = 0
  const ping = lab.exec(a.ns, ['ping', '-n', '-q', '-i', '0.2', '-w', String(seconds), b.address!],
    { timeoutMs: (seconds + 10) * 1000 })
  let impairment: NetemResult['impairment']
  const statsBefore = { ...churn.stats }
  const problems: string[] = []
  let settledMs: number | undefined
  try {
    await Promise.all(nodes.map(async (node) => {
      while (Date.now() < until) {
        const mine = churn.slots.filter((s) => s.node === node && s !== a && s !== b)
        await churn.act(pick(ctx.random, mine))
        ops++
      }
    }))
    // IPAM's claims must still settle with the fault on, not only once it is lifted.
    const t0 = Date.now()
    try {
      await waitIpamSettled(nodes, 30_000)
      settledMs = Date.now() - t0
    } catch (err) {
      problems.push(`under netem: ${(err as Error).message}`)
    }
  } finally {
    impairment = (await netem(lab, overlay, null)).stats
  }
  const during = {
    adds: churn.stats.adds - statsBefore.adds,
    addOk: churn.stats.addOk - statsBefore.addOk,
    dels: churn.stats.dels - statsBefore.dels,
    delOk: churn.stats.delOk - statsBefore.delOk,
  }
  const pingOut = (await ping).stdout
  const loss = Number(/(\d+(?:\.\d+)?)% packet loss/.exec(pingOut)?.[1] ?? 100)
  const rtt = /= [\d.]+\/([\d.]+)\/[\d.]+\/([\d.]+) ms/.exec(pingOut)
  const pingRttMs = rtt !== null ? { mean: Number(rtt[1]), mdev: Number(rtt[2]) } : undefined
  const deaths = (await Promise.all(nodes.map((n) => metricSum(lab, n, 'loom_control_deaths_total')))).reduce((x,
    y) => x + y, 0) - deathsBefore
  ctx.log(`${describeNetem(how, impairment)}: ${seconds} s, ${ops} CNI ops (ADD ${during.addOk}/${during.adds} ok, ` +
    `DEL ${during.delOk}/${during.dels} ok), ${deaths} deaths declared, pod ping loss ${loss} %, ` +
    `RTT ${pingRttMs?.mean ?? '?'} ms (mdev ${pingRttMs?.mdev ?? '?'}), IPAM settled under the fault ` +
    `${settledMs !== undefined ? `${settledMs} ms after the churn stopped` : 'NOT within 30 s'}`)
  problems.push(...await settleAndCheck(ctx, true))

  // A partition: one node cut off for a while, then healed.
  const victim = nodes[nodes.length - 1]!
  await partition(lab, overlay, victim, true)
  const cutUntil = Date.now() + partitionSeconds * 1000
  while (Date.now() < cutUntil) {
    await churn.act(pick(ctx.random, churn.slots.filter((s) => s.node === victim)))
    ops++
  }
  await partition(lab, overlay, victim, false)
  ctx.log(`partition: ${victim.name} cut off for ${partitionSeconds} s`)
  problems.push(...await settleAndCheck(ctx, true))
  return {
    how,
    impairment,
    seconds,
    ops,
    deaths,
    pingLossPercent: loss,
    pingRttMs,
    settledUnderFaultMs: settledMs,
    during,
    partitionSeconds,
    problems,
  }
}

export interface ChaosResult {
  ops: number; kills: number; seconds: number; stats: PodChurn['stats']; problems: string[]
}

/**
 * `ops` ADD/DEL through loom-cni across every node while a killer sends `kill -9` to a random
 * loomd at random points (at most two down at once, so a majority stays) and restarts it.
 */
export async function runChaos (ctx: FaultContext, ops: number, maxSeconds: number): Promise<ChaosResult> {
  const { overlay, churn } = ctx
  const started = Date.now()
  const deadline = started + maxSeconds * 1000
  let done = 0
  let kills = 0
  let stop = false
  const restarting = new Set<LabNode>()
  const killer = (async () => {
    // eslint-disable-next-line no-unmodified-loop-condition -- `stop` is set by the phase's end
    while (!stop && Date.now() < deadline) {
      await sleep(between(ctx.random, 500, 3000))
      if (stop) break
      const up = overlay.nodes.filter((n) => n.daemon !== undefined && !restarting.has(n))
      if (overlay.nodes.length - up.length >= 2) continue
      const victim = pick(ctx.random, up)
      restarting.add(victim)
      kills++
      await overlay.stopDaemon(victim, 'SIGKILL')
      void (async () => {
        await sleep(between(ctx.random, 200, 3000))
        overlay.startDaemon(victim)
        try { await overlay.waitReady(victim, 60_000) } finally { restarting.delete(victim) }
      })()
    }
  })()
  // The ops go on until the killer has struck twice too: on a quiet machine 60 ops can finish
  // before its first sleep ends, and a chaos phase without a kill proves nothing.
  await Promise.all(overlay.nodes.map(async (node) => {
    // eslint-disable-next-line no-unmodified-loop-condition -- `kills` is counted by the killer task
    while ((done < ops || kills < 2) && Date.now() < deadline) {
      done++
      await churn.step(node)
    }
  }))
  stop = true
  await killer
  for (const n of overlay.nodes) {
    if (n.daemon === undefined && !restarting.has(n)) overlay.startDaemon(n)
  }
  for (const n of overlay.nodes) await overlay.waitReady(n, 60_000)
  const seconds = (Date.now() - started) / 1000
  ctx.log(`chaos: ${done} CNI ops in ${seconds.toFixed(0)} s, ${kills} kill -9, stats ${JSON.stringify(churn.stats)}`)
  const problems = await settleAndCheck(ctx, true)
  return { ops: done, kills, seconds, stats: { ...churn.stats, failures: { ...churn.stats.failures } }, problems }
}

export interface FuzzPhaseResult {
  kind: FuzzKind
  sent: number
  connections: number
  elapsedMs: number
  /** loomd's own count of refused frames/requests (and kernel receive-buffer drops for UDP). */
  counted: number
  kernelDropped: number
}

export interface FuzzSummary {
  results: FuzzPhaseResult[]; rssBeforeKiB: number; rssAfterKiB: number; problems: string[]
}

const FUZZ_SENDER = join(REPO_ROOT, 'dist', 'test', 'netns', 'lib', 'fuzz-sender.js')

/** What loomd counts for one kind of fuzz input. */
async function fuzzCount (ctx: FaultContext, node: LabNode, kind: FuzzKind): Promise<number> {
  const m = (name: string, labels?: RegExp): Promise<number> => metricSum(ctx.lab, node, name, labels)
  if (kind === 'data') return m('loom_dataplane_drops_total', /direction="in"/)
  if (kind === 'api') return m('loom_api_requests_total')
  return (await m('loom_control_gossip_frames_rejected_total')) + (await m('loom_control_decode_errors_total')) +
    (await m('loom_control_gossip_messages_rejected_total')) + (await m('loom_control_packets_ignored_total'))
}

/**
 * `frames` random and mutated frames split over the data port, gossip UDP, gossip TCP and the
 * local API of node 1, from a stranger namespace on the switch (the API from node 1's own
 * namespace), each kind bounded by `seconds`. loomd must keep running, count what it refused,
 * keep its memory bounded, and the cluster must be unchanged.
 */
export async function runFuzzing (ctx: FaultContext, frames: number, seconds: number): Promise<FuzzSummary> {
  const { lab, overlay } = ctx
  const target = overlay.nodes[0]!
  const problems: string[] = []
  const stranger = await lab.addNamespace('fz')
  await lab.addVeth(stranger, 'eth0', '198.18.0.99/24', overlay.switchNs, 'fz', '')
  await lab.must('ip', ['-n', overlay.switchNs, 'link', 'set', 'fz', 'master', 'br0'])
  const before = await Promise.all(overlay.nodes.map(ipamOf))
  const pid = target.daemon!.pid!
  const rssBefore = processUsage(pid).rssKiB
  // [kind, share of the frames, share of the time, target, sender's namespace]
  const share: Array<[FuzzKind, number, number, string, string]> = [
    ['data', 0.45, 0.2, `${target.underlay}:6784`, stranger],
    ['gossip-udp', 0.45, 0.3, `${target.underlay}:6783`, stranger],
    ['gossip-tcp', 0.05, 0.25, `${target.underlay}:6783`, stranger],
    ['api', 0.05, 0.25, target.apiSocket, target.ns],
  ]
  const results: FuzzPhaseResult[] = []
  for (const [kind, part, timePart, to, ns] of share) {
    const job: FuzzJob = {
      kind,
      target: to,
      count: Math.round(frames * part),
      seconds: seconds * timePart,
      seed: (ctx.seed + results.length) >>> 0,
      nodeIndexes: overlay.nodes.map((n) => deriveNodeIndex(n.name)),
      ...(kind === 'gossip-udp' || kind === 'gossip-tcp' ? { secretFile: overlay.secretFile } : {}),
    }
    const countedBefore = await fuzzCount(ctx, target, kind)
    const kernelBefore = kind === 'data' || kind === 'gossip-udp' ? await udpKernelDrops(lab, target.ns) : 0
    const r = await run('ip', ['netns', 'exec', ns, process.execPath, FUZZ_SENDER, JSON.stringify(job)],
      { timeoutMs: (seconds + 30) * 1000 })
    if (r.code !== 0) throw new Error(`fuzz sender (${kind}) failed: ${r.stderr}`)
    const res = JSON.parse(r.stdout) as FuzzResult
    await sleep(1500) // let loomd drain its socket
    if (target.daemon?.exitCode !== null) problems.push(`loomd on ${target.name} exited during the ${kind} fuzz (${String(target.daemon?.exitCode)})`)
    const counted = (await fuzzCount(ctx, target, kind)) - countedBefore
    const kernelDropped = kind === 'data' ||
    kind === 'gossip-udp'
      ? (await udpKernelDrops(lab, target.ns)) - kernelBefore
      : 0
    results.push({ kind, ...res, counted, kernelDropped })
    if (kind === 'api') {
      // Well-formed ADDs of the fuzzer hold addresses like any client's: released as a runtime
      // would, with a DEL of each pod it does not know (a GC would spare them for
      // cni.gcGraceSeconds, since they are seconds old).
      const valid = new Set(ctx.churn.slots.filter((x) => x.node === target && x.state !== 'free')
        .map((x) => x.containerID))
      const held = (await apiRequest(target.apiSocket, 'GET', '/v1/cni/attachments')).body as AttachmentRecord[]
      for (const r of held.filter((h) => !valid.has(h.containerID) && !h.containerID.startsWith(NODE_KEY_PREFIX.split('/')[0]!))) {
        await apiRequest(target.apiSocket, 'POST', '/v1/cni/del', { containerID: r.containerID, ifname: r.ifname })
      }
    }
    ctx.log(`fuzz ${kind}: ${res.sent} frames (${res.connections} connections) in ${res.elapsedMs} ms; loomd counted ${counted}, kernel dropped ${kernelDropped}`)
  }
  const rssAfter = processUsage(pid).rssKiB
  const after = await Promise.all(overlay.nodes.map(ipamOf))
  const shape = (v: typeof before): string => JSON.stringify(v.map((x) => ({
    c: x.clusterId,
    self: x.self,
    nodes: x.nodes.map((n) => n.node).sort(),
    blocks: x.ownedBlocks.map((b) => b.cidr).sort()
  })))
  if (shape(before) !== shape(after)) problems.push(`cluster changed under fuzzing: ${shape(before)} -> ${shape(after)}`)
  problems.push(...await settleAndCheck(ctx, true))
  return { results, rssBeforeKiB: rssBefore, rssAfterKiB: rssAfter, problems }
}

export interface SoakSample { at: number; node: string; rssKiB: number; fds: number; lagP99ms: number }
export interface SoakResult {
  seconds: number; ops: number; restarts: number; samples: SoakSample[]; problems: string[]
}

/**
 * Traffic, churn and one node restart every `restartEverySeconds` for `seconds`, sampling RSS,
 * fd count and event-loop lag of every loomd each `sampleEverySeconds`. Growth is judged on a
 * node that is never restarted (node 1): RSS and fds of the last sample against the first one
 * after warm-up.
 */
export async function runSoak (ctx: FaultContext, seconds: number, restartEverySeconds: number,
  sampleEverySeconds: number): Promise<SoakResult> {
  const { lab, overlay, churn } = ctx
  const samples: SoakSample[] = []
  const started = Date.now()
  const until = started + seconds * 1000
  let ops = 0
  let restarts = 0
  const sample = async (): Promise<void> => {
    const at = Math.round((Date.now() - started) / 1000)
    for (const n of overlay.nodes) {
      if (n.daemon?.pid === undefined) continue
      const u = processUsage(n.daemon.pid)
      const lag = await metricSum(lab, n, 'nodejs_eventloop_lag_p99_seconds').catch(() => NaN)
      samples.push({ at, node: n.name, rssKiB: u.rssKiB, fds: u.fds, lagP99ms: Math.round(lag * 1000) })
    }
    const line = samples.filter((s) => s.at === samples[samples.length - 1]!.at)
      .map((s) => `${s.node} rss ${(s.rssKiB / 1024).toFixed(0)} MiB fds ${s.fds} lag p99 ${s.lagP99ms} ms`).join('; ')
    ctx.log(`soak t=${samples[samples.length - 1]?.at ?? 0}s: ${line}`)
  }
  await sample()
  let nextSample = Date.now() + sampleEverySeconds * 1000
  let nextRestart = Date.now() + restartEverySeconds * 1000
  const pinger = (async () => {
    while (Date.now() < until) {
      const live = churn.live()
      const from = live[0]
      const to = live.find((s) => s.node !== from?.node)
      if (from !== undefined && to !== undefined) {
        await lab.exec(from.ns,
          ['ping', '-n', '-q', '-c', '20', '-i', '0.05', to.address!], { timeoutMs: 10_000 })
      } else await sleep(500)
    }
  })()
  await Promise.all(overlay.nodes.map(async (node) => {
    while (Date.now() < until) {
      if (node.daemon === undefined) { await sleep(200); continue }
      await churn.step(node)
      ops++
      if (node === overlay.nodes[0] && Date.now() >= nextSample) {
        nextSample += sampleEverySeconds * 1000; await sample()
      }
      if (node === overlay.nodes[1] && Date.now() >= nextRestart) {
        nextRestart += restartEverySeconds * 1000
        const victim = pick(ctx.random, overlay.nodes.slice(1))
        await overlay.stopDaemon(victim, 'SIGTERM')
        overlay.startDaemon(victim)
        await overlay.waitReady(victim, 60_000)
        restarts++
      }
    }
  }))
  await pinger
  await sample()
  const problems = await settleAndCheck(ctx, true)
  ctx.log(`soak: ${seconds} s, ${ops} CNI ops, ${restarts} restarts`)
  return { seconds, ops, restarts, samples, problems }
}

function sleep (ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
