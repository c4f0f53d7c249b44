/**
 * Names shared by the files of agent/: the validated configuration (config.ts parses it; agent.ts,
 * gossip-node.ts, encryption.ts, policy-wiring.ts and seed-probe.ts read it), with the two value
 * lists its log level and policy source are derived from, and the status document (status.ts
 * builds it, api-server.ts serves it, cli.ts and cli-format.ts print it) with the sources it is
 * built from.
 */
import type { IpamStatus, MemberView } from '../control'
import type { crypto, DataplaneStats, EncapsulationKind, OffloadStatus, PeerRoute, RouteTable } from '../dataplane'
import type { MulticastStatus } from './multicast'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
export const POLICY_SOURCES = ['none', 'kubernetes', 'files'] as const
export type PolicySourceKind = (typeof POLICY_SOURCES)[number]

/** One node of a static cluster (`peers`); the list includes this node. */
export interface StaticPeer {
  /** The node's name, unique in the list. */
  readonly nodeName: string
  /** Underlay IPv4 address, dotted; unique in the list. */
  readonly address: string
  /** UDP port it receives the selected encapsulation on; default underlay.port (udp) or vxlan.port (vxlan). */
  readonly port: number
  /** IPv4 CIDR of its pods: inside clusterCIDR, overlapping no other peer's. */
  readonly podCIDR: string
  /** Fixed VTEP MAC ("aa:bb:cc:dd:ee:ff", lower-case, unicast); default undefined = derived by loomd. */
  readonly vtepMAC: string | undefined
  /** Its X25519 public key, base64 (`wg pubkey`); required for every other node with encryption. */
  readonly publicKey?: string
}

export interface AgentConfig {
  /** This node's name (DNS-1123 subdomain); default the hostname, lower-cased. */
  readonly nodeName: string
  readonly underlay: {
    /** This node's underlay IPv4 address, dotted; required. */
    readonly address: string
    /** UDP port of the `udp` encapsulation; default 6784. */
    readonly port: number
  }
  /** IPv4 CIDR holding every pod address, e.g. "10.244.0.0/16"; required. */
  readonly clusterCIDR: string
  /** IPAM block size as a prefix length, > clusterCIDR's prefix and <= 30; default 26. */
  readonly blockSize: number
  /** How packets are framed on the underlay; default 'udp'. */
  readonly encapsulation: EncapsulationKind
  readonly vxlan: {
    /** UDP port of the `vxlan` encapsulation; default 4789. */
    readonly port: number
    /** VXLAN network identifier, 1-16777215; default 1. */
    readonly vni: number
  }
  readonly encryption: {
    /** Encrypt the `udp` encapsulation (not allowed with vxlan); default false. */
    readonly enabled: boolean
    /** Absolute path of the cluster secret file; default /etc/loom/secret. */
    readonly secretFile: string
    /**
     * Absolute path of this node's X25519 private key (base64, as `wg genkey` prints); default
     * undefined = the node identity's key in stateDir.
     */
    readonly privateKeyFile?: string
    /**
     * Seconds without an authenticated packet to or from a peer after which a keepalive goes
     * to it (WireGuard's PersistentKeepalive, for NATs and stateful firewalls on the underlay);
     * default 0 = off.
     */
    readonly persistentKeepaliveSeconds: number
  }
  /** Gossip seeds, each "host:port" or a bare IPv4 address (default port chosen by gossip); default []. */
  readonly seeds: readonly string[]
  readonly gossip: {
    /** UDP (probes, deltas) and TCP (push-pull) port of the gossip control plane; default 6783. */
    readonly port: number
    /**
     * Run gossip mode without the cluster secret (plain, unauthenticated frames: anyone who can
     * reach the gossip port can join and change the cluster); default false = refuse to start
     * without `encryption.secretFile`.
     */
    readonly insecure: boolean
    /** Most members (any state) the member table holds; default 5000. */
    readonly maxMembers: number
    /** Seconds after which a dead or left member is forgotten; default 86400. */
    readonly reapDeadAfterSeconds: number
    /**
     * Largest clock difference between members (seconds) whose sealed gossip frames are still
     * accepted; frames stamped further from this node's clock are refused as stale or from the
     * future (the replay check, control/transport/gossip-replay.ts); default 60.
     */
    readonly maxClockSkewSeconds: number
  }
  readonly ipam: {
    /** Seconds a node must have been dead before its blocks are reclaimed; default 600. */
    readonly reclaimAfterSeconds: number
  }
  readonly cni: {
    /** Directory the agent writes 10-loom.conflist into once it can serve ADD; '' = do not write (default). */
    readonly confDir: string
    /** Seconds an attachment is safe from CNI GC after its ADD (an ADD newer than the runtime's list); default 60. */
    readonly gcGraceSeconds: number
  }
  readonly multicast: {
    /** Capture and replicate IPv4 multicast between pods (IGMP snooping); default true. */
    readonly enabled: boolean
    /**
     * 'members': copies go only to nodes with a member (membership learned by gossip; gossip mode
     * only). 'flood': to every peer (static mode has no gossip). Default: members in gossip mode,
     * flood in static mode.
     */
    readonly mode: 'members' | 'flood'
  }
  /**
   * Segmentation offloads (TUN virtio header with TSO/USO and GRO, UDP GSO on send, UDP GRO on
   * receive); absent = on (the default). `enabled: false`: a plain TUN, one datagram per send and
   * receive slot (see offloadsEnabled).
   */
  readonly offloads?: { readonly enabled: false }
  /** NetworkPolicy enforcement; absent when policy.source is 'none' (the default). */
  readonly policy?: {
    /** Where NetworkPolicies come from: 'kubernetes' or 'files' ('none' leaves this key out). */
    readonly source: PolicySourceKind
    /** files: absolute path of the manifest directory (required with files); '' otherwise. */
    readonly dir: string
    /** kubernetes: absolute path of a kubeconfig; '' = the in-cluster service account (default). */
    readonly kubeconfig: string
  }
  /** Static mode: every node, this one included; default [] = dynamic (gossip) mode. */
  readonly peers: readonly StaticPeer[]
  /** Absolute path of the state directory; default /var/lib/loom. */
  readonly stateDir: string
  /** Absolute path of the local API unix socket (<= 107 bytes); default /run/loom/loom.sock. */
  readonly apiSocket: string
  readonly metrics: {
    /** TCP "host:port" for /metrics and health (port 0 = any free port); default 127.0.0.1:9784. */
    readonly address: string
  }
  /** Overlay (TUN and pod) MTU in bytes, 576-9000; default undefined = underlay MTU - overhead. */
  readonly mtu: number | undefined
  /** TUN device name, 1-15 characters; default loom0. */
  readonly tunName: string
  /** pino log level; default info. */
  readonly logLevel: LogLevel
}

export interface GossipStatusSource {
  readonly nodeId: string
  members(): MemberView[]
  peerRoute(nodeId: string): PeerRoute | undefined
  ipamStatus(): IpamStatus
  /** How gossip frames are protected, and how many were refused. */
  security(): GossipSecurityStatus
}

/** `loom status`: whether gossip is authenticated with the cluster secret. */
export interface GossipSecurityStatus {
  /** 'authenticated' (sealed with the cluster secret) or 'insecure' (`gossip.insecure`). */
  mode: 'authenticated' | 'insecure'
  /** Keys in the secret file (the first seals, all open); 0 when insecure. */
  keys: number
  /** Gossip frames refused since start, all reasons (metrics break them down). */
  rejectedFrames: number
}

export interface StatusSources {
  readonly nodeName: string
  readonly version: string
  readonly startedAt: number
  readonly encapsulation: EncapsulationKind
  readonly encryption: boolean
  readonly underlay: string
  readonly clusterCIDR: string
  mtu(): number
  /** Static mode: this node's entry. */
  self(): { index: number; vtepMAC: Buffer; podCIDR: string; overlayAddress: string } | undefined
  overlayAddress(): string | undefined
  vtepMAC: Buffer
  routes(): RouteTable | undefined
  readonly stats: DataplaneStats
  /** The segmentation offloads now; undefined before the data plane is up. */
  offloads?(): OffloadStatus | undefined
  /** Present in gossip mode. */
  readonly gossip?: GossipStatusSource
  /** Present when multicast is enabled. */
  multicast?(): MulticastStatus
  /** This node's X25519 public key (base64), when it has one. */
  readonly publicKey?: string
  /** Present when encryption is on: per-peer session state. */
  readonly crypto?: { readonly aead: string, peers(): crypto.PeerCryptoStatus[] }
}

export interface PeerStatus {
  nodeName: string
  /** How this node knows the peer: `static` (config file) or `gossip` (membership). */
  source: 'static' | 'gossip'
  /** Gossip: SWIM state (alive, suspect, dead, left). Static: always `configured`. */
  state: string
  incarnation: number | null
  /** Gossip: seconds since we last heard from it directly; null if never. */
  lastSeenSecondsAgo: number | null
  /** Gossip: smoothed probe round-trip time, ms. */
  rttMs: number | null
  address: string
  port: number
  encapsulation: EncapsulationKind
  encryption: boolean
  mtu: number
  vtepMAC: string
  podCIDRs: string[]
  packetsOut: number
  bytesOut: number
  packetsIn: number
  bytesIn: number
  /** Seconds since the last data packet from this peer; null if none yet. */
  lastInSecondsAgo: number | null
  /** `active` when a data packet arrived within the last minute, else `idle`. */
  dataPath: 'active' | 'idle'
  /** Encryption: the peer's public key, WireGuard handshake state, ages in seconds, rekeys (null when off). */
  publicKey?: string | null
  handshake?: 'none' | 'initiated' | 'established' | null
  lastHandshakeSecondsAgo?: number | null
  keyAgeSeconds?: number | null
  rekeys?: number | null
}

export interface RouteStatus { prefix: string; nodeName: string; via: string }

export interface NodeStatus {
  nodeName: string
  nodeId: string | null
  version: string
  uptimeSeconds: number
  mode: 'static' | 'gossip'
  encapsulation: EncapsulationKind
  encryption: boolean
  underlay: string
  clusterCIDR: string
  podCIDR: string | null
  overlayAddress: string | null
  vtepMAC: string
  /** This node's X25519 public key, base64 (what WireGuard peers configure); null if none. */
  publicKey?: string | null
  /** The transport AEAD in use when encryption is on (`native` or `node:crypto`). */
  aead?: string | null
  mtu: number
  peerCount: number
  routeCount: number
  ipam: { blocks: number; addressesUsed: number; addressesFree: number } | null
  /** Gossip mode: authenticated or insecure gossip; null in static mode. */
  gossip?: GossipSecurityStatus | null
  drops: { outbound: Record<string, number>; inbound: Record<string, number> }
  /** Segmentation offloads: negotiated level, counters, fallbacks; null before the data plane is up. */
  offloads?: OffloadStatus | null
}

export interface IpamBlockRow { prefix: string; nodeName: string; used?: number; free?: number }

export interface StatusDocument {
  node: NodeStatus
  peers: PeerStatus[]
  routes: RouteStatus[]
  ipam: {
    mode: 'static' | 'gossip'
    /** Static: each node's pod CIDR from the config. Gossip: every owned block. */
    blocks: IpamBlockRow[]
    /** Gossip only: the IPAM view of this node (member, lease, pending claims, unreachable owners...). */
    detail?: IpamStatus & { unreachableOwnerNames: string[] }
  }
  /** Absent when multicast is disabled (`multicast.enabled: false`). */
  multicast?: MulticastStatus
}
