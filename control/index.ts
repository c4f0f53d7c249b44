/**
 * control/: who is in the cluster, which node owns which addresses, and therefore where packets
 * go. Read `control-plane.ts` first (it drives the rest), then `membership.ts` (SWIM) and the
 * header of `ipam-claims.ts` (the IPAM log and its safety argument).
 *
 * What it does: gossip membership (SWIM + Lifeguard) over `gossip-transport.ts`; block IPAM
 * (ipam-*.ts) replicated through a Paxos log with leases; the node's identity and crash-safe
 * state (`node-identity.ts`, `state-store.ts`); pod addresses for CNI attachments in both modes
 * (`pod-addresses.ts` static, `ipam-node.ts` gossip); static mode's routes (`static-routes.ts`);
 * small per-node application state (topics such as multicast groups) over gossip (`node-state.ts`).
 *
 * What it deliberately does not do: touch packets or devices. It hands the data plane whole
 * RouteTables (a command, never a shared mutable structure) and imports dataplane/ only for
 * those types. The state machines (Membership, Ipam, ClaimsReplica) are pure: they take `now`
 * and return messages; only control-plane.ts and gossip-transport.ts do I/O and timers.
 */
export { ControlPlane, IPAM_FRAME_MAGIC, GOSSIP_TYPES } from './control-plane'
export type { ControlPlaneComponents, ControlPlaneInit, IpamDriver } from './control-plane'
export { GossipTransport } from './transport/gossip-transport'
export { GossipKeyring, SEALED_FRAME_MAGIC } from './transport/gossip-seal'
export { RecordSigner, RecordVerifier } from './membership/member-signing'
export { Membership, DEFAULT_MEMBERSHIP_CONFIG } from './membership/membership'
export type { MemberView, MembershipConfig } from './membership/membership'
export { Ipam, ipamDurableToJSON, validateIpamDurable } from './ipam/ipam'
export type { IpamDurable, IpamStatus } from './ipam/ipam'
export { makeBlockLayout } from './ipam/blocks'
export type { BlockLayout } from './ipam/blocks'
export { IpamError } from './ipam/errors'
export { IpamNode, NODE_KEY_PREFIX } from './ipam/driver'
export { NodeStateChannel } from './node/node-state'
export type { NodeStateListener, NodeStateView, TopicSpec, NodeStateCounters } from './node/node-state'
export { loadOrCreateIdentity, saveIncarnation, validateIdentity } from './node/identity'
export type { NodeIdentity } from './node/identity'
export { FileStateStore } from './node/state-store'
export { StateDirectory, LOCK_FILE } from './node/state-dir'
export { StateDirError, StateDirLockedError, StateDirUnsafeError, StateInconsistentError } from './node/state-errors'
export { StaticPodAddresses, validateStaticPodAddresses, hostVethName } from './static/pod-addresses'
export type { PodAddressManager, AttachmentId, AttachmentRecord } from './static/pod-addresses'
export { buildStaticTopology, vtepMACOf } from './static/routes'
export type { StaticTopology } from './static/routes'
