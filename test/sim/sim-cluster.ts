/**
 * N real control planes on one SimNetwork: each node is the `Membership`, `ControlPlane` and,
 * with `ipam`, the `Ipam` + `IpamNode` driver that control/gossip-mode.ts assembles, wired to an
 * in-memory transport, the network's virtual timers and a per-node clock. Only the state
 * directory is replaced (IPAM state in a MemoryStore, the incarnation in a field), as is the
 * data plane (the route table each node would install is kept in `routes`).
 *
 * Used by the sims in this folder and by bench/gossip-sim.ts.
 */
import { createHash } from 'node:crypto'
import pino from 'pino'
import { ControlPlane } from '../../control/control-plane'
import { Ipam, IpamNode, type BlockLayout, type IpamDurable, type IpamInit } from '../../control/ipam'
import {
  Membership, RecordSigner, RecordVerifier, type MembershipConfig,
} from '../../control/membership'
import { MemoryStore } from '../../control/node'
import type { GossipKeyring, MemberRecord, MemberState } from '../../control/transport'
import { deriveNodeIndex, deriveVtepMAC, type RouteTable } from '../../dataplane'
import { SimNetwork, type SimTransport } from './sim-network'

/** IPAM's timing and layout; `ids` of the founder: node 0. */
export interface SimIpamOptions {
  layout: BlockLayout
  timing: Pick<IpamInit, 'leaseMs' | 'forcedGraceMs' | 'graceMs' | 'suspectAfterMs' | 'releaseIdleMs' |
  'roundTimeoutMs'>
}

export interface ClusterOptions {
  n: number
  seed: number
  lossRate?: number
  minDelayMs?: number
  maxDelayMs?: number
  config?: Partial<MembershipConfig>
  /** true: every node starts knowing every other (alive, inc 0); false: node i joins via seeds. */
  preloaded?: boolean
  /** Sign records (a key per node) and check signatures, as gossip mode does. Default false. */
  signed?: boolean
  /** Seal every frame with this keyring, as gossip mode does unless insecure. */
  keyring?: GossipKeyring
  clusterId?: string
  /** Run IPAM on every node; node 0 founds. */
  ipam?: SimIpamOptions
  /** Per-node clock: ms on this node's monotonic clock at virtual time `now`. Default `now`. */
  localClock?: (index: number, now: number) => number
  /** Address of node i; default 10.(i>>16).(i>>8).i. */
  addressOf?: (index: number) => string
  /** false: create the nodes but boot none (the caller calls `boot`). Default true. */
  boot?: boolean
}

export interface SimNode {
  index: number
  addr: string
  record: MemberRecord
  signer: RecordSigner | undefined
  membership: Membership
  control: ControlPlane
  transport: SimTransport
  ipam: Ipam | undefined
  ipamNode: IpamNode | undefined
  /** The node's IPAM state directory: survives a restart with state. */
  store: MemoryStore<IpamDurable>
  /** The last route table the control plane installed. */
  routes: RouteTable | undefined
  up: boolean
  /** What the node would have persisted. */
  persistedIncarnation: number
  /** Virtual time of the last boot. */
  bootAt: number
}

const silent = pino({ level: 'silent' })

/** The unsigned record of sim node i at incarnation 0; address default 10.(i>>16).(i>>8).i. */
export function simRecord (i: number, address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`): MemberRecord {
  const id = Buffer.alloc(16, 0xab); id.writeUInt32BE(i, 12)
  return {
    nodeName: `node-${i}`,
    nodeId: id.toString('hex'),
    address,
    dataPort: 6784,
    gossipPort: 7946,
    encapsulation: 'udp',
    vtepMac: Buffer.from([2, 0, 0, (i >> 16) & 255, (i >> 8) & 255, i & 255]),
    publicKey: Buffer.alloc(32, i & 255),
    incarnation: 0,
    state: 'alive',
  }
}

export class SimCluster {
  readonly net: SimNetwork
  readonly nodes: SimNode[] = []
  readonly byAddr = new Map<string, SimNode>()
  readonly clusterId: string

  constructor (private readonly opts: ClusterOptions) {
    this.net = new SimNetwork({
      seed: opts.seed, lossRate: opts.lossRate ?? 0, minDelayMs: opts.minDelayMs ?? 1, maxDelayMs: opts.maxDelayMs ?? 10
    })
    this.clusterId = opts.clusterId ?? 'sim'
    for (let i = 0; i < opts.n; i++) this.addNode()
    if (opts.boot === false) return
    const preloaded = opts.preloaded === true ? this.nodes.map((n) => n.record) : []
    for (const node of this.nodes) {
      const seeds = opts.preloaded === true ? [] : [this.nodes[0].addr, this.nodes[1 % opts.n].addr]
      this.boot(node, undefined, seeds.filter((s) => s !== node.addr), preloaded.filter((r) => r !== node.record))
    }
  }

  /** The record of node i as it advertises itself at incarnation 0 (unsigned). */
  recordFor (i: number): MemberRecord {
    return simRecord(i, this.opts.addressOf?.(i))
  }

  /** Creates node `nodes.length` (a new machine: new ID, new address), not yet booted. */
  addNode (): SimNode {
    const i = this.nodes.length
    let record = this.recordFor(i)
    let signer: RecordSigner | undefined
    if (this.opts.signed === true) {
      // Keys from the seed, so a seed reproduces a run.
      signer = new RecordSigner(createHash('sha256').update(`sim-key/${this.opts.seed}/${i}`).digest())
      record = signer.sign(record, 'alive')
    }
    const node: SimNode = {
      index: i,
      addr: `${record.address}:${record.gossipPort}`,
      record,
      signer,
      membership: undefined as unknown as Membership,
      control: undefined as unknown as ControlPlane,
      transport: undefined as unknown as SimTransport,
      ipam: undefined,
      ipamNode: undefined,
      store: new MemoryStore(),
      routes: undefined,
      up: false,
      persistedIncarnation: 0,
      bootAt: 0,
    }
    this.nodes.push(node)
    this.byAddr.set(node.addr, node)
    return node
  }

  /**
   * Starts a node's control plane (again, after a crash): membership from its persisted
   * incarnation, IPAM from its store, joining through `seeds` (gossip addresses).
   */
  boot (node: SimNode, lastIncarnation: number | undefined, seeds: string[],
    initialMembers: MemberRecord[] = []): void {
    const { state: _s, incarnation: _i, signingKey: _k, signature: _g, ...self } = node.record
    const clock = (): number => this.opts.localClock?.(node.index, this.net.now) ?? this.net.now
    const m = new Membership({
      random: this.net.random,
      ...(node.signer !== undefined ? { signer: node.signer, verifier: new RecordVerifier() } : {}),
    }, { self, clusterId: this.clusterId, lastIncarnation, seeds, initialMembers, config: this.opts.config })
    node.persistedIncarnation = m.incarnation
    node.membership = m
    node.transport = this.net.attach(node.addr, this.opts.keyring)
    node.ipam = undefined
    node.ipamNode = undefined
    const ipamOpts = this.opts.ipam
    if (ipamOpts !== undefined) {
      // As gossip-mode.ts: IPAM's seeds are the live members' IDs, which the driver keeps filled.
      const liveSeeds: string[] = []
      node.ipam = new Ipam({ store: node.store }, {
        id: self.nodeId,
        layout: ipamOpts.layout,
        bootstrap: node.index === 0 && node.store.load() === null,
        seeds: liveSeeds,
        random: this.net.random,
        wallClock: clock,
        ...ipamOpts.timing,
      }, clock())
      // The driver's waiting allocate sleeps on the network's timers, owned by the node: after a
      // crash a waiting ADD never settles, as its process would be gone.
      const timers = this.net.timers(node.addr)
      node.ipamNode = new IpamNode(node.ipam, ipamOpts.layout, clock, liveSeeds,
        async (ms) => await new Promise<void>((resolve) => { timers.setTimeout(resolve, ms) }))
    }
    node.control = new ControlPlane({
      logger: silent,
      membership: m,
      transport: node.transport,
      setRoutes: (table) => { node.routes = table },
      saveIncarnation: (inc) => { node.persistedIncarnation = inc },
      ipam: node.ipamNode,
      clock,
      timers: this.net.timers(node.addr),
    }, { selfIndex: deriveNodeIndex(self.nodeName), selfVtepMAC: deriveVtepMAC(self.nodeName), mtu: 1400 })
    node.up = true
    node.bootAt = this.net.now
    // Nodes do not start in lockstep: the first step within a probe tick.
    const control = node.control
    this.net.schedule(this.net.now + Math.floor(this.net.random() * 50), () => { control.start() }, node.addr)
  }

  crash (i: number): void {
    const node = this.nodes[i]
    node.up = false
    node.control.stop()
    this.net.crash(node.addr)
  }

  /** Restart node i from its persisted incarnation and IPAM state, joining through `seeds` (node indexes). */
  restart (i: number, seeds: number[]): void {
    const node = this.nodes[i]
    this.boot(node, node.persistedIncarnation, seeds.map((s) => this.nodes[s].addr))
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

  /** Frames the control planes could not decode, over every node's current life. */
  get decodeFailures (): number {
    return this.nodes.reduce((s, n) => s + (n.up ? n.control.counters.decodeErrors : 0), 0)
  }

  /** Frames that made a handler throw (transport) or a state machine throw (control plane). */
  get handlerErrors (): number {
    return this.nodes.reduce((s, n) =>
      s + (n.up ? n.transport.rejected.handler_error + n.control.counters.handlerErrors : 0), 0)
  }

  /** Gossip bytes sent as datagrams / on streams, by every node's current transport. */
  get udpBytes (): number {
    return this.nodes.reduce((s, n) => s + n.transport.counters.udpBytesOut, 0)
  }

  get streamBytes (): number {
    return this.nodes.reduce((s, n) => s + n.transport.counters.streamBytesOut, 0)
  }
}
