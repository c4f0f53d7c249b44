/**
 * The lab's underlay impairment where the kernel has no `tc netem` (CONFIG_NET_SCH_NETEM off):
 * a userspace switch path that delays, jitters, reorders, duplicates and drops the frames
 * between the ports of the lab's bridge, with netem's semantics for the netem arguments the
 * fault suite uses (test/netns/lib/fault-phases.ts). fault-lab.ts's `netem()` tries `tc netem`
 * first and falls back to this.
 *
 *   node ns eth0 ── nX ┐ sw ns: bridge br0 still forwards, except between the impaired ports:
 *   node ns eth0 ── nY ┘   an nftables bridge rule drops those frames in its forward hook.
 *        AF_PACKET (ETH_P_ALL) socket of this process in sw ns reads every frame a port receives
 *        (taps see ingress before the bridge) → loss / duplicate / delay queue → sent out of the
 *        port the destination MAC was learnt on (or flooded), by the same socket.
 *
 * Per frame, as netem decides it (net/sched/sch_netem.c): duplicate with `duplicate` % (the copy
 * decided on its own), drop with `loss` %, then with `reorder` % (correlated like netem's
 * get_crandom) send at once, else delay by a normal draw of mean `delay`, deviation `jitter`
 * (clamped at 0). Frames leave in order of their send time, so jitter reorders, as netem's tfifo
 * does. `limit` frames at most are queued (netem's default 1000); more are dropped and counted.
 *
 * Frames the node's veth hands over with a partial transport checksum (TP_STATUS_CSUMNOTREADY)
 * are completed here (a bridge forwards the skb, a packet socket only bytes). Segmentation
 * offloads on the impaired links are turned off while the impairment runs (a GSO frame would
 * arrive as one 64 KiB "frame" no port can send) and restored after; a frame that is still too
 * long is counted `oversize` and dropped.
 *
 * Bounded: the child exits after `maxSeconds`, when its stdin closes (the test process died) or
 * on SIGTERM; if it exits while the impairment is on, the parent deletes the nftables rule at
 * once, so the bridge forwards unimpaired again. Everything stays inside the switch namespace.
 *
 * Run as a script (`node underlay-impair.js --ports n1,n2 --spec '{...}' --max-seconds 70
 * --seed 1`) in the switch namespace; `startUnderlayImpairment` does that.
 */
import { readFileSync } from 'node:fs'
import type { ChildProcess } from 'node:child_process'
import { ETH_P_ALL, FRAME_CSUM_NOT_READY, FRAME_OUTGOING, PacketSocket } from '../../../dataplane/packet-socket'
import { completeChecksum } from '../../../dataplane/multicast-forwarder'
import { encodeBpfProgram } from '../../../dataplane/multicast-filter'
import type { NetnsLab } from './netns-lab'
import { seededRandom, type Random } from './seeded-random'
import { MinHeap } from '../../lib/min-heap'

export interface ImpairSpec {
  delayMs: number
  jitterMs: number
  lossPercent: number
  reorderPercent: number
  reorderCorrelationPercent: number
  duplicatePercent: number
  /** Frames queued at most (netem's `limit`, default 1000). */
  limit: number
}

const percent = (word: string | undefined, what: string): number => {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(word ?? '')
  if (m === null || Number(m[1]) > 100) throw new Error(`netem ${what}: expected a percentage, got ${String(word)}`)
  return Number(m[1])
}
const millis = (word: string | undefined, what: string): number => {
  const m = /^(\d+(?:\.\d+)?)(ms|us|s)$/.exec(word ?? '')
  if (m === null) throw new Error(`netem ${what}: expected a time like 50ms, got ${String(word)}`)
  return Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'us' ? 0.001 : 1)
}

/**
 * The `tc qdisc ... netem` arguments this emulation knows: delay TIME [JITTER] [distribution
 * normal], loss P%, reorder P% [CORR%], duplicate P%, limit N. Anything else is refused by name
 * (an emulation that silently skipped an argument would report a fault that never ran).
 */
export function parseNetemArgs (args: readonly string[]): ImpairSpec {
  const spec: ImpairSpec = {
    delayMs: 0,
    jitterMs: 0,
    lossPercent: 0,
    reorderPercent: 0,
    reorderCorrelationPercent: 0,
    duplicatePercent: 0,
    limit: 1000,
  }
  const isValue = (w: string | undefined): boolean => w !== undefined && /^\d/.test(w)
  for (let i = 0; i < args.length; i++) {
    const word = args[i]
    switch (word) {
      case 'delay':
        spec.delayMs = millis(args[++i], 'delay')
        if (isValue(args[i + 1])) spec.jitterMs = millis(args[++i], 'jitter')
        if (isValue(args[i + 1])) throw new Error('netem delay correlation is not emulated')
        break
      case 'distribution':
        if (args[++i] !== 'normal') throw new Error(`netem distribution ${String(args[i])} is not emulated (normal is)`)
        break
      case 'loss':
        spec.lossPercent = percent(args[++i], 'loss')
        if (isValue(args[i + 1])) throw new Error('netem loss correlation is not emulated')
        break
      case 'reorder':
        spec.reorderPercent = percent(args[++i], 'reorder')
        if (isValue(args[i + 1])) spec.reorderCorrelationPercent = percent(args[++i], 'reorder correlation')
        break
      case 'duplicate':
        spec.duplicatePercent = percent(args[++i], 'duplicate')
        break
      case 'limit': {
        const n = Number(args[++i])
        if (!Number.isInteger(n) || n < 1) throw new Error(`netem limit: expected a count, got ${String(args[i])}`)
        spec.limit = n
        break
      }
      default:
        throw new Error(`netem argument ${String(word)} is not emulated`)
    }
  }
  // As tc: reordering needs a delay to reorder against.
  if (spec.reorderPercent > 0 && spec.delayMs === 0) throw new Error('netem reorder needs a delay')
  return spec
}

export interface ImpairStats {
  /** Frames read from the impaired ports. */
  received: number
  lost: number
  duplicated: number
  /** Sent at once by the reorder rule. */
  immediate: number
  overLimit: number
  oversize: number
  checksumsCompleted: number
  sent: number
  sendFailed: number
  /** Frames sent after a later arrival from the same port to the same port (reordering seen on the wire). */
  reordered: number
  /** Time from arrival to send of each sent frame, ms: mean, standard deviation, min, max. */
  delayMeanMs: number
  delayStdMs: number
  delayMinMs: number
  delayMaxMs: number
  /** Milliseconds the process ran the impairment. */
  ranMs: number
}

interface Queued {
  due: number
  seq: number
  arrived: number
  /** Arrival order per ingress port, for counting reordering. */
  order: number
  ingress: number
  frame: Buffer
}

/**
 * The decisions and the queue, apart from any socket: `offer` each frame as it arrives,
 * `take` what is due. Deterministic for a given `random`.
 */
export class ImpairQueue {
  readonly stats: ImpairStats = {
    received: 0,
    lost: 0,
    duplicated: 0,
    immediate: 0,
    overLimit: 0,
    oversize: 0,
    checksumsCompleted: 0,
    sent: 0,
    sendFailed: 0,
    reordered: 0,
    delayMeanMs: 0,
    delayStdMs: 0,
    delayMinMs: 0,
    delayMaxMs: 0,
    ranMs: 0,
  }

  /** Frames by send time, ties in arrival order. */
  private readonly heap = new MinHeap<Queued>((a, b) => a.due < b.due || (a.due === b.due && a.seq < b.seq))
  private seq = 0
  private readonly arrivals = new Map<number, number>()
  /** Highest arrival order sent so far per (ingress, egress). */
  private readonly lastSent = new Map<string, number>()
  private reorderLast = 0
  private delaySum = 0
  private delaySq = 0
  private delays = 0

  constructor (readonly spec: ImpairSpec, private readonly random: Random) {}

  get length (): number { return this.heap.length }

  /** A frame arrived on `ingress` at `now` (ms). The queue keeps `frame` (pass a copy). */
  offer (frame: Buffer, ingress: number, now: number): void {
    this.stats.received++
    const order = (this.arrivals.get(ingress) ?? 0) + 1
    this.arrivals.set(ingress, order)
    // netem: the duplicate is decided first and re-enqueued whole, so it meets loss on its own.
    const copies = this.chance(this.spec.duplicatePercent) ? 2 : 1
    if (copies === 2) this.stats.duplicated++
    for (let c = 0; c < copies; c++) {
      if (this.chance(this.spec.lossPercent)) { this.stats.lost++; continue }
      if (this.heap.length >= this.spec.limit) { this.stats.overLimit++; continue }
      let delay = 0
      if (this.spec.reorderPercent > 0 && this.correlated() < this.spec.reorderPercent / 100) {
        this.stats.immediate++
      } else {
        delay = Math.max(0, this.spec.delayMs + this.spec.jitterMs * this.normal())
      }
      this.heap.push({ due: now + delay, seq: this.seq++, arrived: now, order, ingress, frame })
    }
  }

  /** The earliest send time queued, or undefined. */
  nextDue (): number | undefined { return this.heap.peek()?.due }

  /** Removes and returns the frames due at `now`, in send order (ties in arrival order). */
  take (now: number): Queued[] {
    const out: Queued[] = []
    for (let q = this.heap.peek(); q !== undefined && q.due <= now; q = this.heap.peek()) out.push(this.heap.pop()!)
    return out
  }

  /** Counts one frame sent out of `egress` at `now` (delay and reordering figures). */
  noteSent (q: Queued, egress: number, now: number): void {
    this.stats.sent++
    const d = now - q.arrived
    this.delaySum += d
    this.delaySq += d * d
    this.stats.delayMinMs = this.delays === 0 ? d : Math.min(this.stats.delayMinMs, d)
    this.stats.delayMaxMs = Math.max(this.stats.delayMaxMs, d)
    this.delays++
    this.stats.delayMeanMs = this.delaySum / this.delays
    this.stats.delayStdMs = Math.sqrt(Math.max(0, this.delaySq / this.delays - this.stats.delayMeanMs ** 2))
    const key = `${q.ingress}>${egress}`
    const last = this.lastSent.get(key) ?? 0
    if (q.order < last) this.stats.reordered++
    else this.lastSent.set(key, q.order)
  }

  private chance (p: number): boolean { return p > 0 && this.random() * 100 < p }

  /** netem's correlated uniform draw (get_crandom): a share `rho` of the last value carries over. */
  private correlated (): number {
    const rho = this.spec.reorderCorrelationPercent / 100
    this.reorderLast = (1 - rho) * this.random() + rho * this.reorderLast
    return this.reorderLast
  }

  /** A standard normal draw (Box-Muller). */
  private normal (): number {
    const u = 1 - this.random()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random())
  }
}

const FRAME_BUFFER = 2048
const BATCH = 64
/** Classic BPF `ret #-1`: every frame, whole. */
const ACCEPT_ALL = encodeBpfProgram([{ code: 0x06, jt: 0, jf: 0, k: 0xffffffff }])

/** The child: runs the impairment in the current (switch) namespace until told to stop. */
function runChild (ports: string[], spec: ImpairSpec, maxSeconds: number, seed: number): void {
  const ifindexes = new Map<number, string>()
  for (const p of ports) ifindexes.set(Number(readFileSync(`/sys/class/net/${p}/ifindex`, 'utf8').trim()), p)
  const queue = new ImpairQueue(spec, seededRandom(seed))
  const started = Date.now()
  const socket = PacketSocket.openWith(ACCEPT_ALL, ETH_P_ALL, 8 << 20)
  /** Learnt MAC (12 hex digits) -> ifindex of the port it was seen on. */
  const macs = new Map<string, number>()
  const bufs = Array.from({ length: BATCH }, () => Buffer.alloc(FRAME_BUFFER))
  const sizes = new Int32Array(BATCH)
  const ifs = new Int32Array(BATCH)
  const flags = new Uint8Array(BATCH)
  let timer: NodeJS.Timeout | undefined
  /** The send time `timer` is set for. */
  let armedFor = Infinity
  let done = false

  const sendDue = (): void => {
    timer = undefined
    armedFor = Infinity
    const now = performance.now()
    const due = queue.take(now)
    const out: Buffer[] = []
    const outIf: number[] = []
    const from: typeof due = []
    for (const q of due) {
      const dst = q.frame.toString('hex', 0, 6)
      const known = (q.frame[0]! & 1) === 0 ? macs.get(dst) : undefined
      const egress = known !== undefined ? [known] : [...ifindexes.keys()]
      for (const e of egress) {
        if (e === q.ingress) continue
        out.push(q.frame); outIf.push(e); from.push(q)
      }
    }
    for (let i = 0; i < out.length; i += 128) {
      const n = Math.min(128, out.length - i)
      const slice = out.slice(i, i + n)
      const sent = socket.sendBatch(slice, new Int32Array(n), Int32Array.from(slice.map((b) => b.length)),
        Int32Array.from(outIf.slice(i, i + n)), n)
      queue.stats.sendFailed += n - sent
      for (let k = 0; k < n; k++) queue.noteSent(from[i + k]!, outIf[i + k]!, now)
    }
    arm()
  }
  /** Sets the timer for the earliest frame queued, unless it is already set for that time or earlier. */
  const arm = (): void => {
    const next = queue.nextDue()
    if (done || next === undefined || next >= armedFor) return
    if (timer !== undefined) clearTimeout(timer)
    armedFor = next
    timer = setTimeout(sendDue, Math.max(0, next - performance.now()))
  }

  socket.onReadable(() => {
    for (let rounds = 0; rounds < 16; rounds++) {
      const n = socket.recvBatch(bufs, sizes, ifs, flags)
      const now = performance.now()
      for (let i = 0; i < n; i++) {
        if ((flags[i]! & FRAME_OUTGOING) !== 0 || !ifindexes.has(ifs[i]!)) continue
        if (sizes[i]! < 0) { queue.stats.received++; queue.stats.oversize++; continue }
        const frame = Buffer.from(bufs[i]!.subarray(0, sizes[i]!))
        if (frame.length < 14) continue
        if ((frame[6]! & 1) === 0 && macs.size < 4096) macs.set(frame.toString('hex', 6, 12), ifs[i]!)
        if ((flags[i]! & FRAME_CSUM_NOT_READY) !== 0 && frame.readUInt16BE(12) === 0x0800 && frame.length >= 34) {
          const ihl = (frame[14]! & 0x0f) * 4
          const total = frame.readUInt16BE(16)
          if (14 + total <= frame.length && completeChecksum(frame, 14, ihl, total)) queue.stats.checksumsCompleted++
        }
        queue.offer(frame, ifs[i]!, now)
      }
      if (n < BATCH) break
    }
    arm()
  })

  const stop = (why: string): void => {
    if (done) return
    done = true
    if (timer !== undefined) clearTimeout(timer)
    socket.close()
    queue.stats.ranMs = Date.now() - started
    process.stdout.write(`stats ${JSON.stringify({ ...queue.stats, stoppedBy: why, queuedDropped: queue.length })}\n`,
      () => process.exit(0))
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  process.stdin.on('end', () => stop('stdin closed'))
  process.stdin.resume()
  setTimeout(() => stop(`max ${maxSeconds} s`), maxSeconds * 1000).unref()
  process.stdout.write(`ready ${JSON.stringify({ ports: [...ifindexes.entries()], spec })}\n`)
}

/** Offload features that make a veth hand over segments no port can send (ethtool -k names -> -K names). */
const OFFLOADS: Array<[string, string]> = [
  ['tcp-segmentation-offload', 'tso'], ['generic-segmentation-offload', 'gso'],
  ['tx-udp-segmentation', 'tx-udp-segmentation'], ['generic-receive-offload', 'gro'],
]

/** Turns off the offloads of OFFLOADS that are on; returns what restores them. */
async function offloadsOff (lab: NetnsLab, ns: string, dev: string): Promise<() => Promise<void>> {
  const text = await lab.execOk(ns, ['ethtool', '-k', dev])
  const on = OFFLOADS.filter(([name]) => new RegExp(`^${name}: on(?! \\[fixed\\])`, 'm').test(text)).map(([, k]) => k)
  if (on.length > 0) await lab.execOk(ns, ['ethtool', '-K', dev, ...on.flatMap((k) => [k, 'off'])])
  return async () => { if (on.length > 0) await lab.exec(ns, ['ethtool', '-K', dev, ...on.flatMap((k) => [k, 'on'])]) }
}

export interface ImpairHandle {
  readonly spec: ImpairSpec
  /** The impairment process (`ip netns exec` execs into it). */
  readonly pid: number
  /** Set if the impairment process exited before `lift` (its last stderr lines). */
  readonly failed: () => string | undefined
  /** Stops it: the process exits (dropping what it holds, as a deleted qdisc does), the bridge forwards again. */
  lift: () => Promise<ImpairStats & { stoppedBy: string, queuedDropped: number }>
}

const NFT_TABLE = 'loomimpair'

/**
 * Starts the impairment between `ports` of the bridge in `switchNs`. `links` are the far ends
 * (namespace, device) of those ports, whose segmentation offloads go off meanwhile.
 */
export async function startUnderlayImpairment (lab: NetnsLab, switchNs: string, ports: string[],
  links: Array<{ ns: string, dev: string }>, spec: ImpairSpec,
  opts: { maxSeconds: number, seed: number }): Promise<ImpairHandle> {
  const restores: Array<() => Promise<void>> = []
  const restore = async (): Promise<void> => { for (const r of restores.splice(0)) await r() }
  let child: ChildProcess | undefined
  let ruleOn = false
  let dropping: Promise<unknown> | undefined
  /** Deletes the rule once, whoever asks first (the child's exit or `lift`); all wait for it. */
  const dropRule = async (): Promise<void> => {
    if (ruleOn && dropping === undefined) dropping = lab.exec(switchNs, ['nft', 'delete', 'table', 'bridge', NFT_TABLE])
    await dropping
  }
  let failure: string | undefined
  let stderr = ''
  let stdout = ''
  try {
    for (const l of links) restores.push(await offloadsOff(lab, l.ns, l.dev))
    for (const p of ports) restores.push(await offloadsOff(lab, switchNs, p))
    const c = lab.spawn(switchNs, [process.execPath, __filename, '--ports', ports.join(','), '--spec', JSON.stringify(spec),
      '--max-seconds', String(opts.maxSeconds), '--seed', String(opts.seed)], 'underlay-impair.log', process.env, 'pipe')
    child = c
    c.stdout?.on('data', (d: Buffer) => { stdout += d.toString() })
    c.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000) })
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()))
    c.once('exit', (code, signal) => {
      if (!stdout.includes('stats ')) failure = `underlay impairment exited (${String(code ?? signal)}): ${stderr.trim()}`
      void dropRule() // the bridge forwards unimpaired again
    })
    const deadline = Date.now() + 15_000
    const waiting = (): boolean => !stdout.includes('ready ') && failure === undefined && Date.now() < deadline
    while (waiting()) {
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 50))])
    }
    if (!stdout.includes('ready ')) throw new Error(failure ?? 'underlay impairment did not start within 15 s')
    const set = `{ ${ports.map((p) => `"${p}"`).join(', ')} }`
    ruleOn = true
    await lab.execOk(switchNs, ['nft', '-f', '-'], {
      input: `table bridge ${NFT_TABLE} {\n chain forward {\n  type filter hook forward priority -200; policy accept;\n` +
        `  iifname ${set} oifname ${set} drop\n }\n}\n`,
    })
  } catch (err) {
    await dropRule()
    if (child !== undefined) await lab.stop(child, 'SIGTERM', 2000)
    await restore()
    throw err
  }
  const running = child
  return {
    spec,
    pid: running.pid ?? -1,
    failed: () => failure,
    lift: async () => {
      try {
        await lab.stop(running, 'SIGTERM', 3000)
      } finally {
        await dropRule()
        await restore()
      }
      const line = /^stats (.*)$/m.exec(stdout)?.[1]
      if (line === undefined) throw new Error(failure ?? `underlay impairment left no statistics: ${stderr.trim()}`)
      return JSON.parse(line) as ImpairStats & { stoppedBy: string, queuedDropped: number }
    },
  }
}

if (require.main === module) {
  const arg = (name: string): string => {
    const i = process.argv.indexOf(`--${name}`)
    const v = process.argv[i + 1]
    if (i < 0 || v === undefined) throw new Error(`--${name} is required`)
    return v
  }
  runChild(arg('ports').split(','), JSON.parse(arg('spec')) as ImpairSpec, Number(arg('max-seconds')), Number(arg('seed')))
}
