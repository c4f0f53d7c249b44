/**
 * Gossip mode wiring (no `peers` in the config): loomd's config mapped onto control/'s gossip
 * mode (control/gossip-mode.ts: seeds, the founder rule, leases, state checks, one clock), the
 * cluster secret loaded as the gossip keyring, rate-limited error logs, and the metrics sources.
 */
import type { Logger } from 'pino'
import {
  createGossipMode, GossipKeyring, GossipMode, IDENTITY_FILE, identityFileFor, IPAM_FILE, PENDING_IDENTITY_FILE,
  recoverFirstStart,
} from '../control'
import type {
  BlockLayout, ControlPlane, FileSection, GroupCommitStore, IpamDurable, IpamNode, IpamStatus, Membership, MemberView,
  NodeIdentity, NodeStateChannel, StateDirectory,
} from '../control'
import { encapsulationKind, type RouteTable } from '../dataplane'
import type { ControlMetricsSource, IpamMetricsSource } from '../metrics'
import type { AgentConfig } from './types'
import { ClusterSecretError, loadClusterSecret } from './cluster-secret'
import { SecretFileWatcher } from './secret-watch'
import { ConfigFileUnusableError } from './errors'
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
  /** Written inside ipam.json (the CNI attachment ledger, cni/attachment-ledger.ts). */
  ipamFileSection?: FileSection
}

export { IDENTITY_FILE, IPAM_FILE, PENDING_IDENTITY_FILE, identityFileFor, recoverFirstStart }

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
    throw new ConfigFileUnusableError('encryption.secretFile',
      `gossip mode needs the cluster secret to authenticate gossip: ${err.message}; or set gossip.insecure to true on a trusted network`, { cause: err })
  }
}

export class GossipNode {
  /** The attachment key of this node's own overlay address. */
  static readonly NODE_ATTACHMENT = GossipMode.NODE_ATTACHMENT

  readonly ipamNode: IpamNode
  readonly control: ControlPlane
  readonly membership: Membership
  /** Per-node application state (multicast groups, pod attachments) over gossip. */
  readonly nodeState: NodeStateChannel
  readonly identity: NodeIdentity
  /** Replaced when a rotation step changes the number of keys. */
  security: GossipSecurity
  private readonly mode: GossipMode
  /** Re-reads the secret file into the keyring (rotation without a restart); undefined when insecure. */
  private readonly secretWatch: SecretFileWatcher | undefined
  private readonly layout: BlockLayout
  private readonly peerErrors: RateLimitedLogger
  private readonly remoteErrors: RateLimitedLogger

  /** ipam.json's store, for what `ipamFileSection` writes into it. */
  get ipamStateStore (): GroupCommitStore<IpamDurable> | undefined {
    return this.mode.ipamStateStore
  }

  constructor (components: GossipNodeComponents, init: GossipNodeInit) {
    const cfg = init.config
    const gossipLog = components.logger.child({ component: 'gossip' })
    const keyring = loadGossipKeyring(cfg, gossipLog)
    this.security = keyring === undefined
      ? {
          mode: 'insecure', keys: 0
        }
      : { mode: 'authenticated', keys: keyring.size }
    this.secretWatch = keyring === undefined
      ? undefined
      : new SecretFileWatcher(cfg.encryption.secretFile, 'gossip', gossipLog, (keys) => {
        keyring.replaceKeys(keys)
        this.security = { mode: 'authenticated', keys: keyring.size }
      })
    // A dead peer makes every probe fail: at most a few lines per peer per minute, then a summary.
    const peerErrors = this.peerErrors = new RateLimitedLogger(gossipLog, { limit: 3, intervalMs: 60_000 })
    // Errors a remote frame triggers: a few lines per source per minute, message only (no stack).
    const remoteErrors = this.remoteErrors = new RateLimitedLogger(gossipLog, { limit: 3, intervalMs: 60_000 })
    const mode = this.mode = createGossipMode({
      logger: components.logger,
      setRoutes: components.setRoutes,
      reportPeerError: (peer, what, err) => {
        peerErrors.warn(`${what}:${peer}`, { peer, err: (err as Error).message }, `gossip ${what} to peer failed`)
      },
      reportRemoteError: (from, err) => {
        remoteErrors.warn(`from:${from}`, { from, err: String((err as Error)?.message ?? err) },
          'gossip frame from peer made the handler fail')
      },
      reportMemberError: (nodeId, err) => {
        remoteErrors.warn(`node:${nodeId}`, { nodeId, err: String((err as Error)?.message ?? err) },
          'gossip message from member made the handler fail')
      },
    }, {
      nodeName: cfg.nodeName,
      address: cfg.underlay.address,
      gossipPort: cfg.gossip.port,
      dataPort: encapsulationKind(cfg.encapsulation).dataPort(cfg),
      encapsulation: cfg.encapsulation,
      clusterCIDR: cfg.clusterCIDR,
      blockSize: cfg.blockSize,
      seeds: cfg.seeds,
      maxMembers: cfg.gossip.maxMembers,
      reapDeadAfterMs: cfg.gossip.reapDeadAfterSeconds * 1000,
      maxClockSkewMs: cfg.gossip.maxClockSkewSeconds * 1000,
      reclaimAfterMs: cfg.ipam.reclaimAfterSeconds * 1000,
      mtu: init.mtu,
      stateDir: init.stateDir,
      keyring,
      rejoin: init.rejoin,
      publicKey: init.publicKey,
      foundState: init.foundState,
      ...(init.ipamFileSection !== undefined ? { ipamFileSection: init.ipamFileSection } : {}),
    })
    this.identity = mode.identity
    this.membership = mode.membership
    this.nodeState = mode.nodeState
    this.ipamNode = mode.ipamNode
    this.control = mode.control
    this.layout = mode.layout
    components.logger.child({ component: 'control' }).info({
      nodeId: this.identity.nodeId,
      founder: mode.founder,
      seeds: mode.seeds,
      incarnation: this.membership.incarnation,
      gossipSecurity: this.security.mode,
      gossipKeys: this.security.keys,
      gossipKeyId: keyring?.primaryKeyId.toString(16),
    }, 'gossip control plane configured')
  }

  async start (): Promise<void> {
    this.peerErrors.start()
    this.remoteErrors.start()
    await this.mode.start()
    this.secretWatch?.start()
  }

  async stop (): Promise<void> {
    this.secretWatch?.stop()
    await this.mode.stop()
    this.peerErrors.stop()
    this.remoteErrors.stop()
  }

  /** Gets (allocating if needed) the node's own overlay address; waits for a block, bounded. */
  async nodeAddress (): Promise<string> {
    return await this.mode.nodeAddress()
  }

  members (): MemberView[] {
    return this.mode.members()
  }

  ipamStatus (): IpamStatus {
    return this.mode.ipamStatus()
  }

  /** `loom rmpeer <name>`: forced reclaim of a node's blocks; false when no such member. */
  rmpeer (nodeName: string): boolean {
    return this.mode.rmpeer(nodeName)
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
      stats: () => this.mode.stats(),
    }
  }

  /** Gossip frames refused, by reason: transport and sealing, then decoding. */
  framesRejected (): Record<string, number> {
    return this.mode.framesRejected()
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
        const unreachableBlocks = s.nodes.filter((n) => unreachable.has(n.node)).reduce((k, n) => k + n.blocks.length,
          0)
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
