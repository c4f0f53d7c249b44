/**
 * Gossip mode assembled (no `peers` in the config): node identity, SWIM membership over the
 * gossip port, block IPAM, the per-node state channel, and the control plane that turns them into
 * the data plane's routes. agent/gossip-node.ts only maps loomd's config onto `GossipModeInit`.
 *
 * The policy of gossip mode lives here:
 * - Seeds: "ip" means "ip:<gossip port>"; this node's own address is dropped from the list.
 * - Founding a cluster: the node whose `seeds` list is empty, or whose own gossip address is the
 *   first seed, founds a new cluster (its IPAM is its own majority, so it allocates at once);
 *   every other node joins through a seed. A node with IPAM state never founds again (its state
 *   already says which cluster it is in), nor does one told to rejoin (`--reset-ipam`). Two
 *   nodes that both found clusters never merge their IPAM (different cluster IDs): Loom refuses
 *   to guess, and `loom status ipam` shows it.
 * - Leases: derived from the reclaim grace (`leaseFor`), so the safety argument's inequality
 *   holds for every accepted `ipam.reclaimAfterSeconds`.
 * - State: identity and IPAM state are written together on first start; one without the other,
 *   or a corrupt or foreign file, stops the node with a StateInconsistentError that says how to
 *   recover, never a silent restart from scratch.
 * - One clock: the control plane's monotonic ms drives membership, IPAM and the IPAM driver.
 *
 * The node's own overlay address (loom0's, the source of host-to-pod traffic and of ICMP
 * errors) is an IPAM allocation like a pod's, under a reserved attachment key, as Calico does
 * for its tunnel address.
 */
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import { deriveNodeIndex, deriveVtepMAC, RouteTable } from '../dataplane'
import { ControlPlane, monotonicMs } from './control-plane'
import {
  Ipam, ipamDurableToJSON, IpamNode, makeBlockLayout, NODE_KEY_PREFIX, PodMetaSection, validateIpamDurable,
  type BlockLayout, type IpamDurable, type IpamStatus,
} from './ipam'
import { Membership, RecordSigner, RecordVerifier, type MemberView } from './membership'
import {
  GroupCommitStore, loadOrCreateIdentity, NodeStateChannel, saveIncarnation, StateInconsistentError, validateIdentity,
  type FileSection, type NodeIdentity, type StateDirectory,
} from './node'
import type { ControlStats } from './stats'
import type { EncapsulationKind } from '../dataplane/encap'
import { GossipTransport, type GossipKeyring } from './transport'

export const IDENTITY_FILE = 'identity.json'
export const IPAM_FILE = 'ipam.json'
/**
 * A first start writes the new identity under this name and renames it to IDENTITY_FILE only
 * once IPAM_FILE is on disk, so a crash between the two writes cannot leave an identity without
 * IPAM state (which stops the node and asks the operator for --reset-ipam).
 */
export const PENDING_IDENTITY_FILE = 'identity.json.first-start'

/**
 * The file the node's identity is read from or created in: PENDING_IDENTITY_FILE during a first
 * start (no identity and no IPAM state yet; the encryption set-up may already have created the
 * key pair there), IDENTITY_FILE otherwise. Call recoverFirstStart first.
 */
export function identityFileFor (dir: StateDirectory): string {
  return dir.has(IDENTITY_FILE) || dir.has(IPAM_FILE) ? IDENTITY_FILE : PENDING_IDENTITY_FILE
}

/**
 * Finishes or undoes a first start that a crash interrupted, before anything reads the state:
 * - a pending identity with IPAM state: the crash came after ipam.json was written, and that
 *   state names the pending identity's node ID, so the rename is completed;
 * - a pending identity alone: nothing was allocated, promised or reported (every allocation is
 *   in ipam.json before it is reported), so the identity is moved aside and the start is fresh.
 * An identity.json next to a pending one is never overwritten: the pending one is moved aside.
 */
export function recoverFirstStart (dir: StateDirectory, log: Logger): 'none' | 'completed' | 'discarded' {
  if (!dir.has(PENDING_IDENTITY_FILE)) return 'none'
  if (!dir.has(IDENTITY_FILE) && dir.has(IPAM_FILE)) {
    dir.rename(PENDING_IDENTITY_FILE, IDENTITY_FILE)
    log.warn({ file: IDENTITY_FILE }, 'completed a first start that stopped after writing the IPAM state')
    return 'completed'
  }
  const aside = dir.moveAside(PENDING_IDENTITY_FILE)
  log.warn({ file: PENDING_IDENTITY_FILE, movedTo: aside },
    'a first start stopped before writing any IPAM state: its identity was moved aside, starting fresh')
  return 'discarded'
}

export interface GossipModeComponents {
  /** Root logger: the transport logs as component "gossip", the control plane as "control". */
  logger: Logger
  /** Swaps a new route table into the forwarder. */
  setRoutes: (table: RouteTable) => void
  /** A probe or stream to a peer failed (the agent logs it rate-limited per peer). */
  reportPeerError: (peer: string, what: string, err: unknown) => void
  /** A frame from an address made the handler fail (rate-limited per source, no stack). */
  reportRemoteError: (from: string, err: unknown) => void
  /** A member's message made a state machine throw (rate-limited per node ID). */
  reportMemberError: (nodeId: string, err: unknown) => void
}

export interface GossipModeInit {
  nodeName: string
  /** Underlay IPv4 address: gossip and data plane. */
  address: string
  gossipPort: number
  /** UDP port of the selected encapsulation, advertised to peers. */
  dataPort: number
  encapsulation: EncapsulationKind
  clusterCIDR: string
  blockSize: number
  /** As configured: "ip" or "ip:port"; the first one decides who founds (see the header). */
  seeds: readonly string[]
  maxMembers: number
  reapDeadAfterMs: number
  /** Largest clock difference between members whose sealed frames are accepted (ms). */
  maxClockSkewMs: number
  reclaimAfterMs: number
  /** Inner MTU towards peers. */
  mtu: number
  /** The opened and locked state directory. */
  stateDir: StateDirectory
  /** Seals every frame; undefined = insecure mode (plain frames). */
  keyring: GossipKeyring | undefined
  /**
   * `loomd --reset-ipam`: the old identity and IPAM state were moved aside; start as a new node
   * ID that joins through its seeds and never founds a cluster.
   */
  rejoin?: boolean
  /** The data plane's X25519 public key to advertise, when it is not the identity's. */
  publicKey?: Buffer
  /**
   * Another room's data written inside the IPAM state file (the CNI attachment ledger,
   * cni/attachment-ledger.ts), so one durable write holds an allocation and its ledger entry.
   */
  ipamFileSection?: FileSection
  /**
   * Which of identity.json and ipam.json the state directory held when loomd started, before any
   * component wrote to it; default: what the directory holds now.
   */
  foundState?: { identity: boolean, ipam: boolean }
}

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
export function leaseFor (graceMs: number): number {
  return Math.min(IPAM_LEASE_MS, Math.floor(graceMs / 2.2))
}

/** "ip" -> "ip:port"; "ip:port" unchanged. */
export function normaliseSeed (seed: string, port: number): string {
  return seed.includes(':') ? seed : `${seed}:${port}`
}

/** Nodes gossip only with nodes of the same cluster CIDR and block size. */
export function clusterIdOf (clusterCIDR: string, blockSize: number): string {
  return createHash('sha256').update(`loom/${clusterCIDR}/${blockSize}`).digest('hex').slice(0, 16)
}

/** One node's gossip mode, assembled; `start` opens the port, `stop` leaves and closes it. */
export class GossipMode {
  /** The attachment key of this node's own overlay address. */
  static readonly NODE_ATTACHMENT = { containerID: NODE_KEY_PREFIX.slice(0, -1), ifname: 'overlay' }

  readonly identity: NodeIdentity
  readonly membership: Membership
  /** Per-node application state (multicast groups, pod attachments) over gossip. */
  readonly nodeState: NodeStateChannel
  readonly ipamNode: IpamNode
  readonly control: ControlPlane
  readonly transport: GossipTransport
  readonly layout: BlockLayout
  /** This node founded (or will found) the cluster. */
  readonly founder: boolean
  /** Normalised seeds without this node. */
  readonly seeds: readonly string[]
  private ipamStore?: GroupCommitStore<IpamDurable>

  /** The IPAM state file's store (ipam.json), for what `ipamFileSection` writes into it. */
  get ipamStateStore (): GroupCommitStore<IpamDurable> | undefined {
    return this.ipamStore
  }

  constructor (components: GossipModeComponents, init: GossipModeInit) {
    const clock = monotonicMs
    const dir = init.stateDir
    const selfGossip = `${init.address}:${init.gossipPort}`
    const seeds = this.seeds = init.seeds.map((s) => normaliseSeed(s, init.gossipPort)).filter((s) => s !== selfGossip)
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
    const firstStart = !hasIdentity && !hasIpam
    let identityStore = dir.store<NodeIdentity>(identityFileFor(dir), validateIdentity)
    this.identity = withRecoveryHint(() => loadOrCreateIdentity(identityStore, init.nodeName))
    this.founder = init.rejoin !== true && !hasIpam &&
      (init.seeds.length === 0 || normaliseSeed(init.seeds[0], init.gossipPort) === selfGossip)

    // Records are signed with a key derived from the identity's static key (membership/member-signing.ts).
    const signer = new RecordSigner(Buffer.from(this.identity.privateKey, 'base64'))
    const verifier = new RecordVerifier()
    this.membership = new Membership({ random: Math.random, signer, verifier }, {
      self: {
        nodeName: init.nodeName,
        nodeId: this.identity.nodeId,
        address: init.address,
        dataPort: init.dataPort,
        gossipPort: init.gossipPort,
        encapsulation: init.encapsulation,
        vtepMac: deriveVtepMAC(init.nodeName),
        publicKey: init.publicKey ?? Buffer.from(this.identity.publicKey, 'base64'),
      },
      clusterId: clusterIdOf(init.clusterCIDR, init.blockSize),
      lastIncarnation: this.identity.lastIncarnation,
      seeds: [...seeds],
      config: { maxMembers: init.maxMembers, reapAfterMs: init.reapDeadAfterMs },
    })
    // The incarnation of this life is above every earlier life's: it versions this node's state.
    // Its entries are signed with the member signing key and checked against the pinned keys.
    const nodeState = this.nodeState = new NodeStateChannel({
      clusterSize: () => this.membership.liveCount(),
      signing: {
        sign: (payload) => signer.signPayload(payload),
        pinnedKey: (nodeId) => this.membership.signingKeyOf(nodeId),
        verify: (key, payload, signature) => verifier.verifyPayload(key, payload, signature),
      },
    }, {
      selfId: this.identity.nodeId, selfName: init.nodeName, generation: this.membership.incarnation,
    })
    this.membership.attachAppState(nodeState)
    this.membership.onMemberChange((m) => nodeState.noteMemberState(m.nodeId, m.state))
    this.membership.onIncarnationChange(() => nodeState.reannounce())
    let identity = this.identity
    const saveInc = (inc: number): void => { identity = saveIncarnation(identityStore, identity, inc) }
    // The first incarnation of this life is above anything advertised before: persist it now.
    saveInc(this.membership.incarnation)

    const layout = this.layout = makeBlockLayout(init.clusterCIDR, init.blockSize)
    // ipam.json also carries the pods' identities (ipam/pod-meta.ts) and another room's section.
    const podMeta = new PodMetaSection()
    const section = init.ipamFileSection
    const wrapValidate = <T>(v: (raw: unknown) => T): ((raw: unknown) => T) => {
      const inner = podMeta.validate(v)
      return section?.validate(inner) ?? inner
    }
    const wrapToJSON = <T>(j: (doc: T) => unknown): ((doc: T) => unknown) => {
      const inner = podMeta.toJSON(j)
      return section?.toJSON(inner) ?? inner
    }
    const liveSeeds: string[] = []
    // eslint-disable-next-line no-return-assign -- the store is kept for stop() as it is built
    const ipam = withRecoveryHint(() => new Ipam({
      // Concurrent ADDs share one durable write (node/group-commit.ts).
      store: this.ipamStore = new GroupCommitStore(dir.store<IpamDurable>(IPAM_FILE,
        wrapValidate((raw) => validateIpamDurable(raw, layout)), wrapToJSON(ipamDurableToJSON))),
    }, {
      id: this.identity.nodeId,
      layout,
      bootstrap: this.founder,
      seeds: liveSeeds,
      random: Math.random,
      leaseMs: leaseFor(init.reclaimAfterMs),
      forcedGraceMs: 2 * leaseFor(init.reclaimAfterMs),
      graceMs: init.reclaimAfterMs,
      suspectAfterMs: Math.min(30_000, init.reclaimAfterMs),
    }, clock()))
    this.ipamNode = new IpamNode(ipam, layout, clock, liveSeeds, undefined, podMeta)
    if (firstStart) {
      // ipam.json is on disk (the Ipam constructor saves synchronously): the identity may now be final.
      dir.rename(PENDING_IDENTITY_FILE, IDENTITY_FILE)
      identityStore = dir.store<NodeIdentity>(IDENTITY_FILE, validateIdentity)
    }

    this.transport = new GossipTransport({
      logger: components.logger.child({ component: 'gossip' }),
      reportPeerError: components.reportPeerError,
      reportRemoteError: components.reportRemoteError,
    }, { address: init.address, port: init.gossipPort, keyring: init.keyring, maxClockSkewMs: init.maxClockSkewMs })
    this.control = new ControlPlane({
      logger: components.logger.child({ component: 'control' }),
      membership: this.membership,
      transport: this.transport,
      setRoutes: components.setRoutes,
      saveIncarnation: saveInc,
      ipam: this.ipamNode,
      reportRemoteError: components.reportMemberError,
      clock,
    }, {
      selfIndex: deriveNodeIndex(init.nodeName),
      selfVtepMAC: deriveVtepMAC(init.nodeName),
      mtu: init.mtu,
      maxMembers: init.maxMembers,
    })
  }

  async start (): Promise<void> {
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
  }

  /** Gets (allocating if needed) the node's own overlay address; waits for a block, bounded. */
  async nodeAddress (): Promise<string> {
    return (await this.ipamNode.allocate(GossipMode.NODE_ATTACHMENT, {})).address
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

  /** Every counter of the control plane, by room (metrics/ exports it whole). */
  stats (): ControlStats {
    return {
      membership: this.membership.counters,
      controlPlane: this.control.counters,
      transport: this.transport.counters,
      ipam: this.ipamNode.stats(),
      nodeState: this.nodeState.counters,
    }
  }

  /** Gossip frames refused, by reason: transport and sealing, then decoding. */
  framesRejected (): Record<string, number> {
    return { ...this.transport.rejected, decode: this.control.counters.decodeErrors }
  }
}

/** The gossip mode of one node: see the header. Throws StateInconsistentError (with a way out). */
export function createGossipMode (components: GossipModeComponents, init: GossipModeInit): GossipMode {
  return new GossipMode(components, init)
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
