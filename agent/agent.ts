/**
 * The agent: builds the components from an AgentConfig, starts them in order and stops them in
 * reverse (libp2p's Startable). Wiring only: no packet logic, no protocol logic.
 *
 * Start order:
 *   0. the state directory: checked (owner, permissions) and locked for the daemon's life, so a
 *      second loomd on it stops here, before it touches anything (control/node/state-dir.ts);
 *   1. mode: static (`peers` in the config: routes and pod CIDR from the file) or gossip
 *      (identity, membership, IPAM; routes arrive later from the control plane);
 *   2. the TUN device `loom0`: created by the native binding, then MTU, queue length, up and the
 *      cluster-CIDR route through netlink, added only after checking it collides with no route
 * Loom did not make (agent/cluster-route.ts) and removed again at stop (an earlier loom0 of a crashed run is gone
 * with its
 *      fd, so a restart always starts clean); its /32 overlay address comes from the pod CIDR
 *      (static) or from IPAM once this node holds a block (gossip);
 *   3. the data socket and the forwarder;
 *   4. the local API (unix socket) and the metrics/health listener;
 *   5. gossip mode: the control plane (it may only now hand routes to a running forwarder);
 *   6. the CNI conflist, if configured, once ADD can be served.
 */
import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import {
  buildStaticTopology, GroupCommitStore, StateDirectory, StaticPodAddresses, validateStaticPodAddresses, vtepMACOf,
} from '../control'
import type { PodAddressManager, StaticTopology } from '../control'
import {
  createDataplaneStats, DataplaneStats, deriveNodeIndex, deriveVtepMAC, Encapsulation, encapsulationKind,
  Forwarder, offloadStatus, parseCIDR, parseIPv4Address, RouteTable, TunDevice, UdpTransport,
} from '../dataplane'
import type { OffloadState } from '../dataplane'
import { NetlinkClient, setSysctl } from '../host'
import { agentAddresses } from '../cni/agent-addresses'
import {
  ATTACHMENTS_FILE, finishLedgerMigration, LedgerSection, openSectionLedger,
} from '../cni/attachment-ledger'
import { CniCommands } from '../cni/commands'
import type { CniHooks } from '../cni/commands'
import { TryAgainError } from '../cni/errors'
import { writeConflistAtomic } from '../cni/conflist'
import { CNI_STAGES } from '../cni/stages'
import { podWiring, reapDetachedHostVeths, settleHostVethReaps } from '../cni/wiring'
import { createMetricsRegistry, MetricsServer } from '../metrics'
import type { PolicyMetricsSource } from '../metrics'
import type { PolicyEngine } from '../policy'
import { ApiServer, ApiServerComponents } from './api-server'
import { startPolicyEngine } from './policy-wiring'
import { findClusterRouteConflicts } from './cluster-route'
import { GossipNode, IDENTITY_FILE, IPAM_FILE, PENDING_IDENTITY_FILE, recoverFirstStart } from './gossip-node'
import { lostStateMustRejoin } from './seed-probe'
import { MulticastNode, notifyOnDetach } from './multicast'
import { offloadsEnabled } from './config'
import type { AgentConfig, StatusSources } from './types'
import { ConfigError } from './errors'
import { Encryption } from './encryption'
import { VERSION } from './version'

/**
 * Packets the kernel queues on loom0 for us to read. The TUN default (500) overflows between two
 * wake-ups of the event loop at ~1 Gbit/s (the benchmark saw ~0.6 % drops and TCP retransmits).
 */
const TUN_TX_QUEUE_LEN = 4096

/** UDP socket buffers of the data path: several MiB, so bursts from a batch are not dropped. */
const SOCKET_BUFFER_BYTES = 8 << 20

export interface AgentComponents {
  logger: Logger
  /** Extension points of the CNI ADD/DEL paths (cni/commands.ts CniHooks). */
  cniHooks?: CniHooks
}

/** How this run starts (command-line actions, not config). */
export interface AgentOptions {
  /**
   * `loomd --reset-ipam`: move the IPAM state (and, in gossip mode, the node identity) aside
   * and start over: a new node ID that rejoins through its seeds, never founding a cluster.
   */
  readonly resetIpam?: boolean
}

/** The static mode's state file. */
const POD_ADDRESSES_FILE = 'pod-addresses.json'

/** How long a stop waits for detached host veths to be deleted (one deletion takes 15-30 ms). */
const STOP_REAP_WAIT_MS = 2000

export class Agent {
  private readonly logger: Logger
  private readonly stats: DataplaneStats = createDataplaneStats()
  private readonly startedAt = Date.now()
  private topology?: StaticTopology
  private device?: TunDevice
  private transport?: UdpTransport
  private forwarder?: Forwarder
  private netlink?: NetlinkClient
  private api?: ApiServer
  private metricsServer?: MetricsServer
  private pods?: PodAddressManager
  private podStore?: { idle (): Promise<void> }
  private cni?: CniCommands
  private gossip?: GossipNode
  private multicast?: MulticastNode
  private policy?: PolicyEngine
  private encryption?: Encryption
  private overlayAddress?: string
  private retryTimer?: NodeJS.Timeout
  private stateDir?: StateDirectory
  private clusterRouteAdded = false
  private mtu = 0
  private dataplaneUp = false
  /** The offloads negotiated at start (undefined until the data plane is up). */
  private offloads?: OffloadState

  constructor (private readonly components: AgentComponents, private readonly config: AgentConfig,
    private readonly options: AgentOptions = {}) {
    this.logger = components.logger
  }

  async start (): Promise<void> {
    const cfg = this.config
    const log = this.logger.child({ component: 'agent' })
    const staticMode = cfg.peers.length > 0
    const stateDir = this.stateDir = StateDirectory.open({ path: cfg.stateDir })
    if (this.options.resetIpam === true) {
      for (const name of staticMode ? [POD_ADDRESSES_FILE] : [IPAM_FILE, IDENTITY_FILE, PENDING_IDENTITY_FILE]) {
        const aside = stateDir.moveAside(name)
        if (aside !== null) log.warn({ file: name, movedTo: aside }, '--reset-ipam: moved the old state aside')
      }
    }
    // A first start that crashed between its identity and its IPAM state is finished or undone.
    if (!staticMode) recoverFirstStart(stateDir, log)
    const foundState = { identity: stateDir.has(IDENTITY_FILE), ipam: stateDir.has(IPAM_FILE) }
    const encapsulation = this.createEncapsulation(stateDir)
    this.netlink = NetlinkClient.open()
    const underlayMTU = await this.netlink.underlayMTUFor(cfg.underlay.address)
    this.mtu = cfg.mtu ?? underlayMTU - encapsulation.overhead
    const conflicts = findClusterRouteConflicts(cfg.clusterCIDR, await this.netlink.listRoutes(),
      { tunName: cfg.tunName, underlayAddress: cfg.underlay.address })
    if (conflicts.length > 0) {
      throw new ConfigError('clusterCIDR', cfg.clusterCIDR, 'a range that collides with nothing on this node',
        {
          message: `invalid config: clusterCIDR = ${cfg.clusterCIDR} collides with this node's network: ${conflicts.join('; ')}`
        })
    }
    let routes: RouteTable
    let overlayAddress: string | undefined
    // The CNI attachment ledger lives inside the address file (cni/attachment-ledger.ts).
    const ledgerSection = new LedgerSection()
    let addressStore: GroupCommitStore<unknown> | undefined
    if (staticMode) {
      this.topology = buildStaticTopology({
        nodeName: cfg.nodeName, peers: cfg.peers, defaultPort: this.dataPort(), mtu: this.mtu
      })
      routes = this.topology.routes
      this.encryption?.setRoutes(routes)
      overlayAddress = this.topology.self.overlayAddress
      // Concurrent ADDs share one durable write (control/node/group-commit.ts).
      const store = this.podStore = new GroupCommitStore(stateDir.store(POD_ADDRESSES_FILE,
        ledgerSection.validate(validateStaticPodAddresses), ledgerSection.toJSON()))
      this.pods = new StaticPodAddresses(store, this.topology.self.podCIDR)
      addressStore = store
    } else {
      routes = RouteTable.build({
        selfIndex: deriveNodeIndex(cfg.nodeName), selfVtepMAC: deriveVtepMAC(cfg.nodeName), routes: []
      })
      // A first seed whose state directory was wiped joins the cluster that remembers it.
      const rejoin = this.options.resetIpam === true ||
        (!foundState.identity && !foundState.ipam && await lostStateMustRejoin(cfg, this.logger))
      this.gossip = new GossipNode({
        logger: this.logger,
        setRoutes: (t) => { this.encryption?.setRoutes(t); this.forwarder?.setRoutes(t) },
      },
      {
        config: cfg,
        mtu: this.mtu,
        stateDir,
        foundState,
        rejoin,
        ...(this.encryption !== undefined ? { publicKey: this.encryption.publicKey } : {}),
        ipamFileSection: ledgerSection,
      })
      this.pods = this.gossip.ipamNode
      addressStore = this.gossip.ipamStateStore
    }
    log.info({ mode: staticMode ? 'static' : 'gossip', underlayMTU, mtu: this.mtu, encapsulation: encapsulation.kind },
      'starting')

    enableForwarding(log)
    this.device = TunDevice.open(cfg.tunName, { offloads: offloadsEnabled(cfg) })
    disableIPv6(cfg.tunName, log)
    acceptLocalSource(cfg.tunName, log)
    await this.netlink.setLinkMtu(cfg.tunName, this.mtu)
    await this.netlink.setLinkTxQueueLen(cfg.tunName, TUN_TX_QUEUE_LEN)
    await this.netlink.setLinkUp(cfg.tunName)
    await this.netlink.addRoute({ dst: cfg.clusterCIDR, dev: cfg.tunName })
    this.clusterRouteAdded = true

    this.transport = UdpTransport.open({
      address: cfg.underlay.address,
      port: this.dataPort(),
      recvBufferBytes: SOCKET_BUFFER_BYTES,
      sendBufferBytes: SOCKET_BUFFER_BYTES,
      gro: offloadsEnabled(cfg),
      extraSourcePorts: encapsulationKind(cfg.encapsulation).extraSourcePorts,
    })
    this.forwarder = new Forwarder(
      { device: this.device, transport: this.transport, encapsulation, stats: this.stats },
      {
        overlayAddressU32: 0,
        routes,
        mtu: this.mtu,
        udpSegmentation: offloadsEnabled(cfg),
        clusterCIDR: parseCIDR(cfg.clusterCIDR),
      })
    this.forwarder.start()
    this.encryption?.start()
    this.dataplaneUp = true
    const offloads = this.offloads = {
      enabled: offloadsEnabled(cfg), tunFlags: this.device.offloads, udpGro: this.transport.gro
    }
    log.info({ tun: this.device.name, port: this.transport.port, offloads: offloadStatus(this.offloads, this.stats) },
      'data plane up')
    if (overlayAddress !== undefined) await this.setOverlayAddress(overlayAddress)
    if (cfg.multicast.enabled) {
      const multicast = this.multicast = new MulticastNode({
        logger: this.logger.child({ component: 'multicast' }),
        forwarder: this.forwarder,
        pods: this.pods,
        nodeState: this.gossip?.nodeState,
      }, { mode: cfg.multicast.mode, nodeName: cfg.nodeName })
      multicast.start()
      this.pods = notifyOnDetach(this.pods, (veth) => multicast.noteDetached(veth))
    }

    // NetworkPolicy before the API: CNI ADD must find the engine (policy/ engine.ts).
    const pods = this.pods
    const gossip = this.gossip
    this.policy = await startPolicyEngine({
      logger: this.logger,
      attachments: () => pods.list(),
      ...(gossip !== undefined
        ? {
            gossip: {
              nodeState: gossip.nodeState,
              membership: gossip.membership,
              selfId: gossip.identity.nodeId,
              routes: () => this.forwarder?.routes(),
            }
          }
        : {}),
    }, cfg)

    const registry = createMetricsRegistry({
      version: VERSION,
      nodeName: cfg.nodeName,
      cniStages: CNI_STAGES,
      dataplane: {
        stats: this.stats,
        peers: () => this.forwarder?.routes().peers() ?? [],
        encapsulation: encapsulation.kind,
        encryption: cfg.encryption.enabled,
        tunQueueDrops: () => readTunQueueDrops(cfg.tunName),
      },
      ...(this.encryption !== undefined ? { crypto: this.encryption.encapsulation } : {}),
      offloads: { status: () => offloadStatus(offloads, this.stats) },
      ...(this.gossip !== undefined ? { control: this.gossip.controlMetrics(), ipam: this.gossip.ipamMetrics() } : {}),
      ...(this.multicast !== undefined ? { multicast: this.multicast.metricsSource() } : {}),
      ...(this.policy !== undefined
        ? {
            policy: policyMetrics(this.policy, cfg.policy?.source === 'kubernetes' ? 'kubernetes' : 'files')
          }
        : {}),
    })
    // The CNI plugin's work, one place: cni/commands.ts (the shim only carries env and stdin here).
    const cniLog = this.logger.child({ component: 'cni' })
    // attachments.json of a loomd before the ledger moved into the address file: loaded (a
    // corrupt or planted one stops the start, naming it), merged, written, then moved aside.
    if (addressStore === undefined) throw new Error('internal: the address state store was not built')
    const { store: ledger, legacy } = openSectionLedger(ledgerSection, addressStore, stateDir)
    // Host veths an earlier loomd detached (down: no address is live on them) and was stopped or
    // killed before deleting: deleted now (cni/veth-reaper.ts). A failure is retried by the reaper.
    await reapDetachedHostVeths().catch((err: Error) => {
      log.warn({ err: err.message }, 'could not delete the host veths left detached; the reaper tries again')
    })
    this.cni = new CniCommands({
      addresses: agentAddresses({ pods: () => this.pods, ready: () => this.readiness(), mtu: () => this.mtu }),
      ledger,
      wiring: podWiring,
      ...(this.policy !== undefined || this.components.cniHooks !== undefined
        ? { hooks: withPolicyHooks(this.components.cniHooks, this.policy) }
        : {}),
      log: ({ level, msg, ...fields }) => {
        if (level === 'error') cniLog.error(fields, String(msg ?? 'CNI command failed'))
        else cniLog.info(fields, String(msg ?? `CNI ${String(fields.command)}`))
      },
      observeStages: (command, stages) => { registry.observeCniStage(command, stages) },
    }, { gcGraceMs: cfg.cni.gcGraceSeconds * 1000 })
    if (legacy !== null) {
      const cni = this.cni
      const movedTo = await finishLedgerMigration(stateDir, () => cni.persistLedger())
      log.info({ file: ATTACHMENTS_FILE, entries: legacy, movedTo }, 'moved the CNI attachment ledger into the address state file')
    }
    this.api = new ApiServer({
      logger: this.logger.child({ component: 'api' }),
      status: this.statusSources(encapsulation),
      pods: this.pods,
      podNetwork: () => ({ mtu: this.mtu, podCIDR: this.topology?.self.podCIDR ?? cfg.clusterCIDR }),
      ready: () => this.readiness(),
      cni: this.cni,
      observe: (command, status, seconds) => {
        registry.observeApiRequest(command, status, seconds)
        // The latency a pod sees for its address: ADD as the agent answers it (a block claim included).
        if (command === 'cni_add' && status === 200) registry.observeAllocation(seconds)
      },
      rmpeer: this.gossip === undefined ? undefined : (name) => this.gossip?.rmpeer(name) ?? false,
      ...(this.policy !== undefined ? { policy: policyHooks(this.policy) } : {}),
    }, { socketPath: cfg.apiSocket })
    await this.api.start()

    this.metricsServer = new MetricsServer(
      { registry, health: { ready: () => this.readiness() }, logger: this.logger.child({ component: 'metrics' }) },
      { address: cfg.metrics.address })
    await this.metricsServer.start()
    if (this.gossip !== undefined) {
      await this.gossip.start()
      // The conflist is written once IPAM can serve ADD (the node address is the first allocation).
      this.acquireNodeAddress(log, () => this.writeConflist(log))
    } else {
      this.writeConflist(log)
    }
    log.info({ apiSocket: cfg.apiSocket, metrics: cfg.metrics.address }, 'ready')
  }

  /** Gives loom0 its overlay address (source of host-to-pod traffic and of our ICMP errors). */
  private async setOverlayAddress (address: string): Promise<void> {
    const cfg = this.config
    await this.netlink?.addAddress(cfg.tunName, `${address}/32`)
    await this.netlink?.replaceRoute({ dst: cfg.clusterCIDR, dev: cfg.tunName, src: address })
    this.forwarder?.setOverlayAddress(parseIPv4Address(address))
    this.overlayAddress = address
  }

  /**
   * Writes the CNI conflist if configured. Only once ADD can be served: kubelet reports the node
   * Ready as soon as the file exists.
   */
  private writeConflist (log: Logger): void {
    const cfg = this.config
    if (cfg.cni.confDir === '') return
    const path = writeConflistAtomic({ apiSocket: cfg.apiSocket, mtu: this.mtu }, cfg.cni.confDir)
    log.info({ path }, 'wrote the CNI conflist')
  }

  /** Gossip mode: the overlay address comes from IPAM once this node has a block; retried until then. */
  private acquireNodeAddress (log: Logger, onAssigned: () => void): void {
    const attempt = (): void => {
      if (!this.dataplaneUp || this.gossip === undefined) return
      this.gossip.nodeAddress().then(
        async (address) => {
          await this.setOverlayAddress(address)
          log.info({ address }, 'node overlay address assigned')
          onAssigned()
        },
        (err: Error) => {
          log.info({ reason: err.message }, 'no overlay address yet; retrying')
          this.retryTimer = setTimeout(attempt, 1000)
        })
    }
    attempt()
  }

  /** Stops in reverse order. Safe to call after a failed start. */
  async stop (): Promise<void> {
    this.dataplaneUp = false
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer)
    await this.gossip?.stop().catch(() => undefined)
    await this.metricsServer?.stop().catch(() => undefined)
    await this.api?.stop().catch(() => undefined)
    // No DEL runs any more: let the detached host veths' deletion finish (bounded), so a clean
    // stop leaves none; what remains is deleted at the next start.
    await settleHostVethReaps(STOP_REAP_WAIT_MS)
    this.multicast?.stop()
    this.policy?.stop() // the table stays: enforcement outlives loomd (engine.ts)
    this.encryption?.stop()
    this.forwarder?.stop()
    this.transport?.close()
    if (this.clusterRouteAdded) {
      this.clusterRouteAdded = false
      await this.netlink?.deleteRoute({ dst: this.config.clusterCIDR, dev: this.config.tunName }).catch(() => undefined)
    }
    this.device?.close()
    this.netlink?.close()
    await this.podStore?.idle() // a group write in flight still uses the directory fd
    this.stateDir?.close()
  }

  private readiness (): { ready: boolean; checks: Record<string, boolean> } {
    const checks: Record<string, boolean> = { dataplane: this.dataplaneUp }
    if (this.gossip !== undefined) checks.ipam = this.gossip.ipamNode.ready()
    return { ready: Object.values(checks).every((v) => v), checks }
  }

  private dataPort (): number {
    return encapsulationKind(this.config.encapsulation).dataPort(this.config)
  }

  private createEncapsulation (stateDir: StateDirectory): Encapsulation {
    if (this.config.encryption.enabled) {
      // Only kinds without `encryptionRefused` get here (the config checks): WireGuard's framing
      // and handshake take the place of Loom's `udp` framing.
      this.encryption = new Encryption(this.logger.child({ component: 'crypto' }), this.config, stateDir)
      return this.encryption.encapsulation
    }
    // In static mode a node may have a fixed VTEP MAC; otherwise it is derived from the name.
    const self = this.config.peers.find((p) => p.nodeName === this.config.nodeName)
    const vtepMAC = self !== undefined ? vtepMACOf(self) : deriveVtepMAC(this.config.nodeName)
    return encapsulationKind(this.config.encapsulation).create({
      index: deriveNodeIndex(this.config.nodeName), vtepMAC
    }, this.config)
  }

  private statusSources (encapsulation: Encapsulation): StatusSources {
    const gossip = this.gossip
    const multicast = this.multicast
    return {
      overlayAddress: () => this.overlayAddress,
      vtepMAC: this.topology?.self.vtepMAC ?? deriveVtepMAC(this.config.nodeName),
      ...(gossip !== undefined
        ? {
            gossip: {
              nodeId: gossip.identity.nodeId,
              members: () => gossip.members(),
              peerRoute: (id: string) => gossip.control.peerRoute(id),
              ipamStatus: () => gossip.ipamStatus(),
              security: () => ({
                ...gossip.security, rejectedFrames: Object.values(gossip.framesRejected()).reduce((a, b) => a + b, 0)
              }),
            },
          }
        : {}),
      nodeName: this.config.nodeName,
      version: VERSION,
      startedAt: this.startedAt,
      encapsulation: encapsulation.kind,
      encryption: this.config.encryption.enabled,
      ...(this.encryption !== undefined
        ? {
            publicKey: this.encryption.publicKey.toString('base64'),
            crypto: {
              aead: this.encryption.encapsulation.aeadName,
              peers: () => this.encryption?.encapsulation.peerStatus() ??
              []
            },
          }
        : gossip !== undefined ? { publicKey: gossip.identity.publicKey } : {}),
      mtu: () => this.mtu,
      underlay: `${this.config.underlay.address}:${this.dataPort()}`,
      clusterCIDR: this.config.clusterCIDR,
      self: () => this.topology?.self,
      routes: () => this.forwarder?.routes(),
      stats: this.stats,
      offloads: () => this.offloads !== undefined ? offloadStatus(this.offloads, this.stats) : undefined,
      ...(multicast !== undefined ? { multicast: () => multicast.status() } : {}),
    }
  }
}

/**
 * The CNI hooks with NetworkPolicy's added: ADD returns only once the pod's chains are in the
 * kernel (a policy that cannot be put in place answers "try again", code 11); DEL/GC take the
 * pod out of every later compile and remove its chains before its address is released.
 */
function withPolicyHooks (base: CniHooks | undefined, engine: PolicyEngine | undefined): CniHooks {
  if (engine === undefined) return base ?? {}
  return {
    podAdded: async (pod) => {
      await base?.podAdded?.(pod)
      try {
        await engine.noteAttachmentAdded(pod.hostVeth)
      } catch (err) {
        throw new TryAgainError(`the pod's NetworkPolicy is not in place yet: ${(err as Error).message}`,
          { cause: err })
      }
    },
    podRemoved: async (pod) => {
      await base?.podRemoved?.(pod)
      await engine.noteAttachmentRemoved(pod.hostVeth).catch(() => undefined) // the applier logs and retries
    },
  }
}

function policyHooks (engine: PolicyEngine): NonNullable<ApiServerComponents['policy']> {
  return {
    attachmentAdded: () => engine.noteAttachmentAdded(),
    attachmentRemoved: () => engine.noteAttachmentRemoved(),
    status: () => engine.status(),
  }
}

function policyMetrics (engine: PolicyEngine, source: 'files' | 'kubernetes'): PolicyMetricsSource {
  return {
    source,
    stats: () => engine.applier.stats,
    sourceState: () => engine.sourceStatus().state,
    sourceObjects: () => engine.sourceStatus(),
    drops: () => engine.dropSamples(),
    // Files mode over gossip only (the directory has a status there).
    ...(engine.remotePods() !== undefined
      ? {
          remote: () => {
            const r = engine.remotePods()
            if (r === undefined) return undefined
            return {
              taken: r.nodes.reduce((n, x) => n + x.endpoints, 0),
              refused: r.counters.addressesRefused,
              publishDropped: r.counters.publishDropped,
            }
          },
        }
      : {}),
  }
}

/** The kernel's tx_dropped counter of the TUN device (packets we did not read in time). */
function readTunQueueDrops (tunName: string): number | undefined {
  try {
    return Number(readFileSync(`/sys/class/net/${tunName}/statistics/tx_dropped`, 'utf8'))
  } catch {
    return undefined
  }
}

/**
 * The overlay is IPv4-only: without this the kernel sends IPv6 router solicitations into loom0,
 * which would only be counted as `unsupported` drops.
 */
function disableIPv6 (tunName: string, log: Logger): void {
  try {
    setSysctl(['net', 'ipv6', 'conf', tunName, 'disable_ipv6'], '1')
  } catch (err) {
    log.debug({ err }, 'could not disable IPv6 on the TUN device')
  }
}

/**
 * The ICMP "fragmentation needed" loomd writes into the TUN comes from the node's overlay
 * address, which is loom0's own: without accept_local the kernel drops it as a martian (a
 * received packet with a local source), and the pod never learns the path MTU.
 */
function acceptLocalSource (tunName: string, log: Logger): void {
  try {
    setSysctl(['net', 'ipv4', 'conf', tunName, 'accept_local'], '1')
  } catch (err) {
    log.warn({ err },
      'could not set accept_local on the TUN device: ICMP fragmentation-needed from loomd will be dropped')
  }
}

/**
 * Pods reach remote pods through this namespace's forwarding; like every CNI (Flannel, Calico),
 * the agent turns it on rather than failing later in a way that is hard to see.
 */
function enableForwarding (log: Logger): void {
  try {
    setSysctl(['net', 'ipv4', 'ip_forward'], '1')
  } catch (err) {
    log.warn({ err }, 'could not enable net.ipv4.ip_forward; pod traffic will not be forwarded')
  }
}
