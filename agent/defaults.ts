/**
 * Every default of loomd's configuration, in one place (CONTRIBUTING.md §6). `parseConfig` applies them;
 * the README and `loomd --help` quote them. Nothing else in the code base should hard-code one
 * of these values: take it from the `AgentConfig` slice you were given.
 *
 * Port choices:
 * - 6784/udp for Loom's own `udp` framing. Weave uses 6783 (control) and 6784 (fast data path);
 *   Loom reuses the data port number so firewall rules written for Weave keep working.
 * - 4789/udp for `vxlan`: the IANA port (RFC 7348 §5). Linux defaults to 8472 when `dstport` is
 *   unset, so a kernel VXLAN peer must be created with `dstport 4789` (or set vxlan.port: 8472).
 * - 127.0.0.1:9784/tcp for /metrics and health: unassigned by IANA, next to the data port, and on
 *   loopback so that nothing is exposed until the operator chooses to (e.g. "0.0.0.0:9784").
 */

/** Where loomd looks for its config file when `--config` is not given. A missing file there is fine. */
export const DEFAULT_CONFIG_PATH = '/etc/loom/loomd.conf'

// The encapsulations' ports and VXLAN's VNI are the data plane's defaults, defined once in
// dataplane/constants.ts: `udp` on underlay.port 6784, `vxlan` on 4789 (IANA, RFC 7348 §5) with
// VNI 1; a VNI is 24 bits.
export {
  DEFAULT_UDP_PORT as DEFAULT_UNDERLAY_PORT, DEFAULT_VXLAN_PORT, DEFAULT_VXLAN_VNI, VXLAN_VNI_MAX as MAX_VXLAN_VNI,
} from '../dataplane/constants'

/** IPAM block size as a prefix length: /26 = 64 addresses per block. */
export const DEFAULT_BLOCK_SIZE = 26
/** Smallest block allowed: a /30 still leaves usable addresses; a /31 or /32 block is pointless. */
export const MAX_BLOCK_PREFIX = 30

/** Encapsulation used when none is configured. */
export const DEFAULT_ENCAPSULATION = 'udp'

/** Encryption is off unless asked for (it needs a shared secret distributed to every node). */
export const DEFAULT_ENCRYPTION_ENABLED = false
/** File holding the cluster secret (the WireGuard PSK) when encryption is enabled. */
export const DEFAULT_SECRET_FILE = '/etc/loom/secret'

/**
 * CNI GC never collects an attachment younger than this: a runtime computes its list of valid
 * attachments before it calls GC, so an ADD that ran in between is missing from the list.
 */
export const DEFAULT_CNI_GC_GRACE_SECONDS = 60

/** Node identity, keys, owned blocks and allocations live here. */
export const DEFAULT_STATE_DIR = '/var/lib/loom'
/** The local HTTP/JSON API (used by `loom` and `loom-cni`), a unix socket with mode 0600. */
export const DEFAULT_API_SOCKET = '/run/loom/loom.sock'
/** TCP "host:port" serving /metrics, /healthz and /readyz. */
export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9784'

/** Name of the node's TUN device. */
export const DEFAULT_TUN_NAME = 'loom0'
/** Linux IFNAMSIZ is 16 including the terminating NUL. */
export const MAX_IFNAME_LEN = 15

/** pino level. */
export const DEFAULT_LOG_LEVEL = 'info'

/**
 * Underlay MTU assumed when the underlay interface's MTU cannot be read; the overlay MTU is this
 * minus the encapsulation's overhead unless `mtu` overrides it.
 */
export const DEFAULT_UNDERLAY_MTU = 1500
/** Bounds of the `mtu` override: IPv4's minimum reassembly size, and common jumbo frames. */
export const MIN_MTU = 576
export const MAX_MTU = 9000

/** unix(7): sun_path is 108 bytes including the terminating NUL. */
export const MAX_UNIX_SOCKET_PATH = 107

/** RateLimitedLogger: at most this many messages per key per interval... */
export const DEFAULT_LOG_RATE_LIMIT = 5
/** ...over this interval, in milliseconds. */
export const DEFAULT_LOG_RATE_INTERVAL_MS = 10_000
/** RateLimitedLogger: keys tracked at once; more share one overflow key, so memory stays bounded. */
export const DEFAULT_LOG_RATE_MAX_KEYS = 1024

/** UDP and TCP port of the gossip control plane (Weave's control port number). */
export const DEFAULT_GOSSIP_PORT = 6783
/** Member table cap (any state); a push-pull cannot grow the table past it. */
export const DEFAULT_GOSSIP_MAX_MEMBERS = 5000
/** Upper bound of `gossip.maxMembers`: the push-pull decode limit (control/transport/gossip-codec.ts). */
export const MAX_GOSSIP_MEMBERS = 10_000
/** Dead or left members are forgotten after this long (seconds); serf's reconnect window is 24-72 h. */
export const DEFAULT_GOSSIP_REAP_DEAD_AFTER_SECONDS = 86_400
/** WireGuard's PersistentKeepalive is off unless set (wg's default); 25 s suits most NATs. */
export const DEFAULT_PERSISTENT_KEEPALIVE_SECONDS = 0
/** Members whose clocks differ by more refuse each other's gossip (the replay window); NTP keeps well within. */
export const DEFAULT_GOSSIP_MAX_CLOCK_SKEW_SECONDS = 60

/** A node dead this long (seconds) has its IPAM blocks reclaimed by the cluster. */
export const DEFAULT_RECLAIM_AFTER_SECONDS = 600

/** NetworkPolicy source: none = no enforcement, table inet loom untouched. */
export const DEFAULT_POLICY_SOURCE = 'none'
