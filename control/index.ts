/**
 * control/: who is in the cluster, which node owns which addresses, and therefore where packets
 * go. Read `control-plane.ts` first (it drives the rest), then `membership/membership.ts` (SWIM)
 * and the header of `ipam/replica.ts` (the IPAM log and its safety argument).
 *
 * Rooms, each with an index.ts that says what it does and what to read first; code outside a
 * room imports its index:
 * - transport/   the gossip port: frames, sealing with the cluster secret, the membership codec;
 * - membership/  SWIM + Lifeguard, signed member records;
 * - ipam/        block IPAM replicated through a Paxos log with leases, and its driver;
 * - node/        this node's identity, state directory, crash-safe state files, and small
 *                per-node values (topics such as multicast groups) published over gossip;
 * - static/      static mode: routes and pod addresses from the config file's `peers`;
 * - multicast/   IGMP snooping state and the group set each node publishes.
 * Names more than one room uses are in types.ts; the protobuf schemas in proto/.
 *
 * What it deliberately does not do: touch packets or devices. It hands the data plane whole
 * RouteTables (a command, never a shared mutable structure) and imports dataplane/ only for
 * those types. The state machines (Membership, Ipam, ClaimsReplica) are pure: they take `now`
 * and return messages; only control-plane.ts and transport/gossip-transport.ts do I/O and timers.
 */
export { ControlPlane, IPAM_FRAME_MAGIC, GOSSIP_TYPES, monotonicMs } from './control-plane'
export {
  createGossipMode, GossipMode, IDENTITY_FILE, identityFileFor, IPAM_FILE, leaseFor, normaliseSeed, clusterIdOf,
  PENDING_IDENTITY_FILE, recoverFirstStart
} from './gossip-mode'
export type { GossipModeComponents, GossipModeInit } from './gossip-mode'
export type { ControlStats, IpamCounters } from './stats'
export type { ControlPlaneComponents, ControlPlaneCounters, ControlPlaneInit } from './control-plane'
export type { AttachmentId, AttachmentMeta, AttachmentRecord, IpamDriver, PodAddressManager } from './types'
export { GossipTransport, GossipKeyring, SEALED_FRAME_MAGIC } from './transport'
export { Membership, DEFAULT_MEMBERSHIP_CONFIG, RecordSigner, RecordVerifier } from './membership'
export type { MemberView, MembershipConfig } from './membership'
export {
  Ipam, ipamDurableToJSON, validateIpamDurable, makeBlockLayout, IpamError, IpamNode, NODE_KEY_PREFIX
} from './ipam'
export type { IpamDurable, IpamStatus, BlockLayout } from './ipam'
export {
  NodeStateChannel, loadOrCreateIdentity, saveIncarnation, validateIdentity, FileStateStore, GroupCommitStore,
  StateDirectory, LOCK_FILE,
  StateDirError, StateDirLockedError, StateDirUnsafeError, StateInconsistentError,
} from './node'
export type {
  FileSection, NodeStateListener, NodeStateView, TopicSpec, NodeStateCounters, NodeIdentity,
} from './node'
export { StaticPodAddresses, validateStaticPodAddresses, buildStaticTopology, vtepMACOf } from './static'
export type { StaticTopology } from './static'
export { MulticastGroups, MAX_GOSSIP_GROUPS, decodeGroupSet, encodeGroupSet } from './multicast'
