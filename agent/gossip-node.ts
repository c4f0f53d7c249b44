/**
 * Gossip mode wiring (no `peers` in the config): node identity, SWIM membership over the gossip
 * port, block IPAM, and the control plane that turns both into the data plane's routes.
 *
 * Founding a cluster: the node whose `seeds` list is empty, or whose own gossip address is the
 * first seed, founds a new cluster (its IPAM is its own majority, so it allocates at once); every
 * other node joins through a seed. Give every node the same seed list and start the first seed
 * first. Two nodes that both found clusters never merge their IPAM (different cluster IDs):
 * Loom refuses to guess, and `loom status ipam` shows it.
 *
 * The node's own overlay address (loom0's, the source of host-to-pod traffic and of ICMP
 * errors) is an IPAM allocation like a pod's, under a reserved attachment key, as Calico does
 * for its tunnel address.
 */
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import {
  ControlPlane, GossipKeyring, GossipTransport, GroupCommitStore, Ipam, ipamDurableToJSON, IpamNode,
  loadOrCreateIdentity, makeBlockLayout, Membership, NODE_KEY_PREFIX, NodeStateChannel, RecordSigner, RecordVerifier, saveIncarnation,
  StateInconsistentError, validateIdentity, validateIpamDurable,
} from '../control'
import type { BlockLayout, IpamDurable, IpamStatus, MemberView, NodeIdentity, StateDirectory } from '../control'
import { deriveNodeIndex, deriveVtepMAC, RouteTable } from '../dataplane'
import type { ControlMetricsSource, IpamMetricsSource } from '../metrics'
import type { AgentConfig } from './config'
import { ClusterSecretError, loadClusterSecret } from './cluster-secret'
import { AgentStartError } from './errors'
import { RateLimitedLogger } from './logger'

export interface GossipNodeComponents {
  logger: Logger
  /** Swaps a new route table into the forwarder. */
  setRoutes: (table: RouteTable) => void
}

export interface GossipNodeInit {
  config: AgentConfig
  /** Inner MTU towards peers. */
  mtu: number
  /** The opened and locked state directory. */
  stateDir: StateDirectory
  /**
   * `loomd --reset-ipam`: the old identity and IPAM state were moved aside; start as a new node
   * ID that joins through its seeds and never founds a cluster.
   */
  rejoin?: boolean
  /** The data plane's X25519 public key to advertise, when it is not the identity's (encryption.privateKeyFile). */
  publicKey?: Buffer
  /**
   * Which of identity.json and ipam.json the state directory held when loomd started, before any
   * component wrote to it (encryption creates the identity when it needs the static key first);
   * default: what the directory holds now.
   */
  foundState?: { identity: boolean, ipam: boolean }
}

export const IDENTITY_FILE = 'identity.json'
export const IPAM_FILE = 'ipam.json'

/** How to get out of an inconsistent state directory; part of every such error message. */
const RESET_HINT = 'if this node\'s pods are gone or will be recreated, start loomd once with --reset-ipam: it moves the ' +
  'old files aside, takes a new node ID and rejoins through its seeds (the cluster reclaims the old ID\'s blocks after ' +
  'ipam.reclaimAfterSeconds); see README "State directory"'

/**
 * Lease length of IPAM blocks (ms): a node cut off from the majority stops using its blocks after
 * this. The reclaim grace must exceed the forced (rmpeer) wait of 2 leases, which must exceed 1.1
 * leases (the safety argument in control/ipam/replica.ts), so a short grace shortens the lease.
 */
const IPAM_LEASE_MS = 15_000
function leaseFor (graceMs: number): number {
  return Math.min(IPAM_LEASE_MS, Math.floor(graceMs / 2.2))
}

/** How gossip frames are protected on this node (`loom status`, metrics). */
export interface GossipSecurity {
  /** 'authenticated': sealed with the cluster secret; 'insecure': plain (`gossip.insecure`). */
  readonly mode: 'authenticated' | 'insecure'
  /** Keys in the secret file (the first seals, all open); 0 when insecure. */
  readonly keys: number
}

/**
 * The gossip keyring from the cluster secret, or undefined in insecure mode. Without the secret
 * and without `gossip.insecure: true` the node refuses to start: the secret is the only thing
 * that keeps a stranger on the underlay out of membership and IPAM.
 */
export function loadGossipKeyring (cfg: AgentConfig, logger: Logger): GossipKeyring | undefined {
  if (cfg.gossip.insecure) {
    logger.warn({ secretFile: cfg.encryption.secretFile },
      'gossip.insecure is set: gossip frames are neither authenticated nor encrypted; anyone who can reach the gossip port can join the cluster, claim addresses and mark nodes dead')
    return undefined
  }
  try {
    return new GossipKeyring(loadClusterSecret(cfg.encryption.secretFile).keys)
  } catch (err) {
    if (!(err instanceof ClusterSecretError)) throw err
    throw new AgentStartError('encryption.secretFile',
      `gossip mode needs the cluster secret to authenticate gossip: ${err.message}; or set gossip.insecure to true on a trusted network`, { cause: err })
  }
}

export class GossipNode {
  readonly ipamNode: IpamNode
  readonly control: ControlPlane
  readonly membership: Membership
  /** Per-node application state (multicast groups, pod attachments) over gossip. */
  readonly nodeState: NodeStateChannel
  readonly identity: NodeIdentity
  readonly security: GossipSecurity
  private readonly transport: GossipTransport
  private ipamStore?: GroupCommitStore<IpamDurable>
  private readonly layout: BlockLayout
  private readonly peerErrors: RateLimitedLogger
  private readonly remoteErrors: RateLimitedLogger
  private readonly clock = (): number => Math.round(performance.now())

  constructor (components: GossipNodeComponents, init: GossipNodeInit) {
    const cfg = init.config
    const gossipLog = components.logger.child({ component: 'gossip' })
    const keyring = loadGossipKeyring(cfg, gossipLog)
    this.security = keyring === undefined ? { mode: 'insecure', keys: 0 } : { mode: 'authenticated', keys: keyring.size }
    const dir = init.stateDir
    const selfGossip = `${cfg.underlay.address}:${cfg.gossip.port}`
    const seeds = cfg.seeds.map((s) => (s.includes(':') ? s : `${s}:${cfg.gossip.port}`)).filter((s) => s !== selfGossip)
    if (init.rejoin === true && seeds.length === 0) {
      throw new StateInconsistentError('--reset-ipam makes this node rejoin its cluster through its seeds, but it has no seed ' +
        'other than itself: a node without any is the whole cluster; to found a new one, move the state directory ' +
        `${dir.path} away instead (only if no pod still uses an address from it)`)
    }
    // Identity and IPAM state are written together on first start; one without the other means
    // lost or planted state, and starting over would hand out addresses pods still hold.
    const hasIdentity = init.foundState?.identity ?? dir.has(IDENTITY_FILE)
    const hasIpam = init.foundState?.ipam ?? dir.has(IPAM_FILE)
    if (hasIdentity && !hasIpam) {
      throw new StateInconsistentError(`state directory ${dir.path} holds this node's identity (${IDENTITY_FILE}) but no IPAM state ` +
        `(${IPAM_FILE}): its blocks, allocations and Paxos promises are lost, and starting over could give pods addresses that ` +
        `are in use; ${RESET_HINT}`)
    }
    if (hasIpam && !hasIdentity) {
      throw new StateInconsistentError(`state directory ${dir.path} holds IPAM state (${IPAM_FILE}) but no node identity ` +
        `(${IDENTITY_FILE}): the state cannot be tied to a node ID; ${RESET_HINT}`)
    }
    const identityStore = dir.store<NodeIdentity>(IDENTITY_FILE, validateIdentity)
    this.identity = withRecoveryHint(() => loadOrCreateIdentity(identityStore, cfg.nodeName))
    // A node with IPAM state never founds again: its state already says which cluster it is in.
    const founder = init.rejoin !== true && !hasIpam &&
      (cfg.seeds.length === 0 || normaliseSeed(cfg.seeds[0], cfg.gossip.port) === selfGossip)
    const dataPort = cfg.encapsulation === 'vxlan' ? cfg.vxlan.port : cfg.underlay.port

    // Records are signed with a key derived from the identity's static key (control/membership/member-signing.ts).
    const signer = new RecordSigner(Buffer.from(this.identity.privateKey, 'base64'))
    this.membership = new Membership({ random: Math.random, signer, verifier: new RecordVerifier() }, {
      self: {
        nodeName: cfg.nodeName,
        nodeId: this.identity.nodeId,
        address: cfg.underlay.address,
        dataPort,
        gossipPort: cfg.gossip.port,
        encapsulation: cfg.encapsulation,
        vtepMac: deriveVtepMAC(cfg.nodeName),
        publicKey: init.publicKey ?? Buffer.from(this.identity.publicKey, 'base64'),
      },
      clusterId: clusterIdOf(cfg.clusterCIDR, cfg.blockSize),
      lastIncarnation: this.identity.lastIncarnation,
      seeds,
      config: { maxMembers: cfg.gossip.maxMembers, reapAfterMs: cfg.gossip.reapDeadAfterSeconds * 1000 },
    })
    // The incarnation of this life is above every earlier life's: it versions this node's state.
    const nodeState = this.nodeState = new NodeStateChannel({ clusterSize: () => this.membership.liveCount() }, {
      selfId: this.identity.nodeId, selfName: cfg.nodeName, generation: this.membership.incarnation,
    })
    this.membership.attachAppState(nodeState)
    this.membership.onMemberChange((m) => nodeState.noteMemberState(m.nodeId, m.state))
    this.membership.onIncarnationChange(() => nodeState.reannounce())
    let identity = this.identity
    const saveInc = (inc: number): void => { identity = saveIncarnation(identityStore, identity, inc) }
    // The first incarnation of this life is above anything advertised before: persist it now.
    saveInc(this.membership.incarnation)

    const layout = this.layout = makeBlockLayout(cfg.clusterCIDR, cfg.blockSize)
    const liveSeeds: string[] = []
    const ipam = withRecoveryHint(() => new Ipam({
      // Concurrent ADDs share one durable write (control/node/group-commit.ts).
      store: this.ipamStore = new GroupCommitStore(dir.store<IpamDurable>(IPAM_FILE, (raw) => validateIpamDurable(raw, layout), ipamDurableToJSON)),
    }, {
      id: this.identity.nodeId,
      layout,
      bootstrap: founder,
      seeds: liveSeeds,
      random: Math.random,
      leaseMs: leaseFor(cfg.ipam.reclaimAfterSeconds * 1000),
      forcedGraceMs: 2 * leaseFor(cfg.ipam.reclaimAfterSeconds * 1000),
      graceMs: cfg.ipam.reclaimAfterSeconds * 1000,
      suspectAfterMs: Math.min(30_000, cfg.ipam.reclaimAfterSeconds * 1000),
    }, this.clock()))
    this.ipamNode = new IpamNode(ipam, layout, this.clock, liveSeeds)

    // A dead peer makes every probe fail: at most a few lines per peer per minute, then a summary.
    const peerErrors = this.peerErrors = new RateLimitedLogger(gossipLog, { limit: 3, intervalMs: 60_000 })
    // Errors a remote frame triggers: a few lines per source per minute, message only (no stack).
    const remoteErrors = this.remoteErrors = new RateLimitedLogger(gossipLog, { limit: 3, intervalMs: 60_000 })
    this.transport = new GossipTransport({
      logger: gossipLog,
      reportPeerError: (peer, what, err) => {
        peerErrors.warn(`${what}:${peer}`, { peer, err: (err as Error).message }, `gossip ${what} to peer failed`)
      },
      reportRemoteError: (from, err) => {
        remoteErrors.warn(`from:${from}`, { from, err: String((err as Error)?.message ?? err) }, 'gossip frame from peer made the handler fail')
      },
    }, { address: cfg.underlay.address, port: cfg.gossip.port, keyring })
    this.control = new ControlPlane({
      logger: components.logger.child({ component: 'control' }),
      membership: this.membership,
      transport: this.transport,
      setRoutes: components.setRoutes,
      saveIncarnation: saveInc,
      ipam: this.ipamNode,
      reportRemoteError: (nodeId, err) => {
        remoteErrors.warn(`node:${nodeId}`, { nodeId, err: String((err as Error)?.message ?? err) }, 'gossip message from member made the handler fail')
      },
    }, {
      selfIndex: deriveNodeIndex(cfg.nodeName),
      selfVtepMAC: deriveVtepMAC(cfg.nodeName),
      mtu: init.mtu,
      maxMembers: cfg.gossip.maxMembers,
    })
    components.logger.child({ component: 'control' }).info({
      nodeId: this.identity.nodeId, founder, seeds, incarnation: this.membership.incarnation,
      gossipSecurity: this.security.mode, gossipKeys: this.security.keys, gossipKeyId: keyring?.primaryKeyId.toString(16),
    }, 'gossip control plane configured')
  }

  async start (): Promise<void> {
    this.peerErrors.start()
    this.remoteErrors.start()
    await this.transport.start()
    this.control.start()
  }

  async stop (): Promise<void> {
    this.control.leave()
    this.control.stop()
    // Give the `left` broadcast a moment to leave the socket before it closes.
    await new Promise((resolve) => setTimeout(resolve, 50))
    await this.transport.stop()
    await this.ipamStore?.idle() // a group write in flight still uses the state directory's fd
    this.peerErrors.stop()
    this.remoteErrors.stop()
  }

  /** The attachment key of this node's own overlay address. */
  static readonly NODE_ATTACHMENT = { containerID: NODE_KEY_PREFIX.slice(0, -1), ifname: 'overlay' }

  /** Gets (allocating if needed) the node's own overlay address; waits for a block, bounded. */
  async nodeAddress (): Promise<string> {
    return (await this.ipamNode.allocate(GossipNode.NODE_ATTACHMENT, {})).address
  }

  members (): MemberView[] {
    return this.membership.allMembers()
  }

  ipamStatus (): IpamStatus {
    return this.ipamNode.status()
  }

  /** `loom rmpeer <name>`: forced reclaim of a node's blocks; false when no such member. */
  rmpeer (nodeName: string): boolean {
    const m = this.membership.allMembers().find((x) => x.nodeName === nodeName && !x.isSelf)
    if (m === undefined) return false
    this.ipamNode.rmpeer(m.nodeId)
    return true
  }

  controlMetrics (): ControlMetricsSource {
    const membership = this.membership
    const control = this.control
    return {
      membersByState: () => {
        const out: Record<string, number> = {}
        for (const m of membership.allMembers()) out[m.state] = (out[m.state] ?? 0) + 1
        return out
      },
      get counters () {
        const c = membership.counters
        return {
          probesDirect: c.probesSent,
          probesIndirect: c.indirectProbesSent,
          suspicions: c.suspicionsStarted,
          refutations: c.refutations,
          deaths: c.deathsDeclared,
          decodeErrors: control.counters.decodeErrors,
        }
      },
      gossip: control.gossipCounters,
      framesRejected: () => this.framesRejected(),
      messagesRejected: () => ({ ...membership.rejected, ...this.ipamNode.rejected() }),
      insecure: this.security.mode === 'insecure',
    }
  }

  /** Gossip frames refused, by reason: transport and sealing, then decoding. */
  framesRejected (): Record<string, number> {
    return { ...this.transport.rejected, decode: this.control.counters.decodeErrors }
  }

  ipamMetrics (): IpamMetricsSource {
    const node = this.ipamNode
    const layout = this.layout
    return {
      snapshot: () => {
        const s = node.status()
        const used = s.ownedBlocks.reduce((n, b) => n + b.used, 0)
        const free = s.ownedBlocks.reduce((n, b) => n + b.free, 0)
        const unreachable = new Set(s.unreachableOwners)
        const unreachableBlocks = s.nodes.filter((n) => unreachable.has(n.node)).reduce((k, n) => k + n.blocks.length, 0)
        return {
          blocksOwned: s.ownedBlocks.length,
          addressesUsed: used,
          addressesFree: free,
          clusterAddresses: layout.blockCount * layout.blockSize,
          unreachableRatio: layout.blockCount === 0 ? 0 : unreachableBlocks / layout.blockCount,
          claimsPending: s.pendingClaims,
        }
      },
      counters: node.counters,
    }
  }
}

/**
 * Runs a step that reads the state directory; a corrupt, unreadable, planted or foreign file
 * (StateCorruptError, IPAM's "belongs to node X") becomes a StateInconsistentError that says how
 * to recover.
 */
function withRecoveryHint<T> (f: () => T): T {
  try {
    return f()
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ERR_STATE_CORRUPT' || code === 'ERR_IPAM_CONFIG' || code === 'ERR_IPAM_DECODE') {
      throw new StateInconsistentError(`${(err as Error).message}; loomd does not start over on its own: fix or restore the ` +
        `file, or ${RESET_HINT}`, { cause: err })
    }
    throw err
  }
}

/** Nodes gossip only with nodes of the same cluster CIDR and block size. */
export function clusterIdOf (clusterCIDR: string, blockSize: number): string {
  return createHash('sha256').update(`loom/${clusterCIDR}/${blockSize}`).digest('hex').slice(0, 16)
}

function normaliseSeed (seed: string, port: number): string {
  return seed.includes(':') ? seed : `${seed}:${port}`
}

