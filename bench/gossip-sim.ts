/**
 * Gossip membership at scale, in simulation: N `Membership` state machines over `SimNetwork`
 * with every packet really encoded and decoded (so byte counts are wire sizes).
 *
 * Exports `MembershipCluster` (also used by test/sim/membership-sim.test.ts); run directly for
 * the figures: `node dist/bench/gossip-sim.js [n ...]` (default 100 500 1000), seed from
 * LOOM_SIM_SEED. Reports per n:
 * - convergence of a single update (a node's refutation alive(inc+1)) to all nodes (ms),
 * - detection of a crash: crash → first suspect anywhere, → first dead, → dead at all (ms),
 * - gossip bytes per node per second in steady state and while disseminating.
 */
import {
  STREAM_LIMITS, UDP_LIMITS, decodeGossipPacket, encodeGossipPacket, isDecodeFailure, type MemberRecord,
  type MemberState
} from '../control/transport'
import { Membership, type MembershipConfig, type Outgoing } from '../control/membership'
import { SimNetwork } from '../test/sim/sim-network'

export interface ClusterOptions {
  n: number
  seed: number
  lossRate?: number
  minDelayMs?: number
  maxDelayMs?: number
  /** Node tick period (ms). Default 50. */
  tickMs?: number
  config?: Partial<MembershipConfig>
  /** true: every node starts knowing every other (alive, inc 0); false: node i joins via seeds. */
  preloaded?: boolean
}

export interface SimNode {
  index: number
  addr: string
  record: MemberRecord
  membership: Membership
  up: boolean
  /** What the node would have persisted. */
  persistedIncarnation: number
}

export class MembershipCluster {
  readonly net: SimNetwork<Buffer>
  readonly nodes: SimNode[] = []
  readonly byAddr = new Map<string, SimNode>()
  decodeFailures = 0
  udpBytes = 0
  streamBytes = 0
  private readonly tickMs: number

  constructor (private readonly opts: ClusterOptions) {
    this.net = new SimNetwork<Buffer>({
      seed: opts.seed, lossRate: opts.lossRate ?? 0, minDelayMs: opts.minDelayMs ?? 1, maxDelayMs: opts.maxDelayMs ?? 10
    })
    this.tickMs = opts.tickMs ?? 50
    const records = Array.from({ length: opts.n }, (_, i) => MembershipCluster.recordFor(i))
    for (let i = 0; i < opts.n; i++) {
      const addr = `${records[i].address}:${records[i].gossipPort}`
      const node: SimNode = {
        index: i,
        addr,
        record: records[i],
        membership: undefined as unknown as Membership,
        up: true,
        persistedIncarnation: 0
      }
      this.nodes.push(node)
      this.byAddr.set(addr, node)
    }
    for (const node of this.nodes) {
      const seeds = opts.preloaded === true ? [] : [this.nodes[0].addr, this.nodes[1 % opts.n].addr]
      this.boot(node, undefined, seeds,
        opts.preloaded === true ? records.map((r) => ({ ...r, incarnation: 0, state: 'alive' as const })) : [])
    }
  }

  static recordFor (i: number): MemberRecord {
    const id = Buffer.alloc(16, 0xab); id.writeUInt32BE(i, 12)
    return {
      nodeName: `node-${i}`,
      nodeId: id.toString('hex'),
      address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      dataPort: 6784,
      gossipPort: 7946,
      encapsulation: 'udp',
      vtepMac: Buffer.from([2, 0, 0, (i >> 16) & 255, (i >> 8) & 255, i & 255]),
      publicKey: Buffer.alloc(32, i & 255),
      incarnation: 0,
      state: 'alive',
    }
  }

  private boot (node: SimNode, lastIncarnation: number | undefined, seeds: string[],
    initialMembers: MemberRecord[]): void {
    const { state: _s, incarnation: _i, ...self } = node.record
    const m = new Membership({ random: this.net.random },
      { self, clusterId: 'sim', lastIncarnation, seeds, initialMembers, config: this.opts.config })
    m.onIncarnationChange((inc) => { node.persistedIncarnation = inc })
    node.persistedIncarnation = m.incarnation
    node.membership = m
    node.up = true
    this.net.addNode(node.addr, (from, buf, now) => {
      const pkt = decodeGossipPacket(buf, buf.length > UDP_LIMITS.maxBytes ? STREAM_LIMITS : UDP_LIMITS)
      if (isDecodeFailure(pkt)) { this.decodeFailures++; return }
      this.dispatch(node, m.receive(from, pkt, now))
    })
    this.net.every(this.tickMs, (now) => this.dispatch(node, m.tick(now)), Math.floor(this.net.random() * this.tickMs),
      node.addr)
  }

  private dispatch (node: SimNode, out: Outgoing[]): void {
    for (const o of out) {
      const buf = encodeGossipPacket(o.packet)
      if (o.channel === 'udp') {
        if (buf.length > UDP_LIMITS.maxBytes) throw new Error(`node ${node.index} built a ${buf.length} B UDP packet`)
        this.udpBytes += buf.length
      } else {
        this.streamBytes += buf.length
      }
      this.net.send(node.addr, o.to, buf, buf.length, o.channel === 'stream')
    }
  }

  crash (i: number): void {
    this.nodes[i].up = false
    this.net.crash(this.nodes[i].addr)
  }

  /** Restart node i from its persisted incarnation, joining through `seeds` (other node indexes). */
  restart (i: number, seeds: number[]): void {
    const node = this.nodes[i]
    this.boot(node, node.persistedIncarnation, seeds.map((s) => this.nodes[s].addr), [])
  }

  live (): SimNode[] {
    return this.nodes.filter((n) => n.up)
  }

  stateAt (viewer: number, subject: number): MemberState | undefined {
    return this.nodes[viewer].membership.member(this.nodes[subject].record.nodeId)?.state
  }

  /** Every live node sees exactly the live nodes as alive and every other known node as not alive. */
  converged (): boolean {
    const live = this.live()
    const liveIds = new Set(live.map((n) => n.record.nodeId))
    for (const v of live) {
      let alive = 0
      for (const m of v.membership.allMembers()) {
        if (m.state === 'alive') {
          if (!liveIds.has(m.nodeId)) return false
          alive++
        }
      }
      if (alive !== liveIds.size) return false
    }
    return true
  }

  /** Number of live viewers that see `subject` in `state`. */
  countSeeing (subject: number, state: MemberState | ((s: MemberState | undefined) => boolean)): number {
    let c = 0
    for (const v of this.live()) {
      if (v.index === subject) continue
      const s = this.stateAt(v.index, subject)
      if (typeof state === 'function' ? state(s) : s === state) c++
    }
    return c
  }

  sumCounter (k: keyof Membership['counters']): number {
    let s = 0
    for (const n of this.nodes) s += n.membership.counters[k]
    return s
  }
}

export interface BenchResult {
  n: number
  updateConvergenceMs: number | undefined
  firstSuspectMs: number | undefined
  firstDeadMs: number | undefined
  allDeadMs: number | undefined
  steadyBytesPerNodePerS: number
  busyBytesPerNodePerS: number
}

export function runBench (n: number, seed: number): BenchResult {
  const c = new MembershipCluster({ n, seed, preloaded: true })
  c.net.runFor(40_000) // settle: initial alive broadcasts drain
  // steady state bytes (UDP + stream) over one scaled push-pull interval (30 s · pushPullScale)
  const windowS = 30 * (n <= 32 ? 1 : Math.ceil(Math.log2(n) - 5) + 1)
  let b0 = c.udpBytes + c.streamBytes
  c.net.runFor(windowS * 1000)
  const steadyBytesPerNodePerS = (c.udpBytes + c.streamBytes - b0) / n / windowS

  // single update: node 1 hears it is suspected and refutes with alive(inc+1); time until all know
  const subject = c.nodes[1]
  const target = subject.membership.incarnation + 1
  b0 = c.udpBytes + c.streamBytes
  const t0 = c.net.now
  subject.membership.receive('10.255.255.255:7946', {
    version: 1,
    clusterId: 'sim',
    senderId: c.nodes[2].record.nodeId,
    body: { type: 'gossip' },
    updates: [{
      member: { ...subject.record, incarnation: subject.membership.incarnation, state: 'suspect' },
      fromId: c.nodes[2].record.nodeId
    }],
    appDeltas: [],
  }, c.net.now).forEach(() => {})
  const updateConvergenceMs = c.net.runUntilTrue(() => {
    for (const v of c.nodes) {
      if (v.index !== 1 &&
      (v.membership.member(subject.record.nodeId)?.incarnation ?? -1) < target) return false
    }
    return true
  }, 60_000, 50)
  const busyMs = c.net.now - t0
  const busyBytesPerNodePerS = busyMs > 0 ? (c.udpBytes + c.streamBytes - b0) / n / (busyMs / 1000) : 0
  c.net.runFor(20_000)

  // crash detection
  const victim = 3
  c.crash(victim)
  const tc = c.net.now
  let firstSuspectMs: number | undefined
  let firstDeadMs: number | undefined
  const allDeadMs = c.net.runUntilTrue(() => {
    const el = c.net.now - tc
    if (firstSuspectMs === undefined &&
      c.countSeeing(victim, 'suspect') + c.countSeeing(victim, 'dead') > 0) firstSuspectMs = el
    if (firstDeadMs === undefined && c.countSeeing(victim, 'dead') > 0) firstDeadMs = el
    return c.countSeeing(victim, 'dead') === n - 1
  }, 180_000, 50)
  return {
    n, updateConvergenceMs, firstSuspectMs, firstDeadMs, allDeadMs, steadyBytesPerNodePerS, busyBytesPerNodePerS
  }
}

function main (): void {
  const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0)
  const seed = process.env.LOOM_SIM_SEED !== undefined ? Number(process.env.LOOM_SIM_SEED) : 1
  console.log(`gossip-sim seed=${seed} (memberlist LAN defaults, 1-10 ms delay, no loss, 50 ms ticks)`)
  console.log('n\tupdate→all ms\tcrash→suspect ms\tcrash→first dead ms\tcrash→dead@all ms\tsteady B/node/s\tbusy B/node/s\twall s')
  for (const n of sizes.length > 0 ? sizes : [100, 500, 1000]) {
    const w0 = Date.now()
    const r = runBench(n, seed)
    console.log([r.n, r.updateConvergenceMs, r.firstSuspectMs, r.firstDeadMs, r.allDeadMs,
      r.steadyBytesPerNodePerS.toFixed(0), r.busyBytesPerNodePerS.toFixed(0),
      ((Date.now() - w0) / 1000).toFixed(1)].join('\t'))
  }
}

if (require.main === module) main()
