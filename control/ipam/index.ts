/**
 * control/ipam/: which node owns which pod addresses in gossip mode. The cluster CIDR is cut into
 * blocks (blocks.ts); a replicated log decides who owns each block, one Paxos instance per slot,
 * with member leases that fence a node cut off from the majority (replica.ts, its messages in
 * messages.ts); applying the log gives the cluster state (cluster-state.ts), whose wire and disk
 * forms are in codec.ts. Inside its own blocks a node hands out addresses alone (allocator.ts).
 * ipam.ts combines them for one node (pure, clock-free); driver.ts binds that to the control
 * plane's clock and frames and to the CNI endpoints.
 *
 * Read the header of replica.ts first: the design of the log and its safety argument (no block
 * is ever used by two nodes). Then ipam.ts. Errors, one class per kind, are in errors.ts; names
 * several files share (the state, its ops, the block layout), in types.ts.
 */
export { Ipam, clusterOfLayout, ipamDurableToJSON, validateIpamDurable } from './ipam'
export type {
  IpamComponents, IpamDurable, IpamInit, IpamNodeStatus, IpamRoute, IpamStatus, MemberLiveness,
} from './ipam'
export { IpamNode, NODE_KEY_PREFIX } from './driver'
export { PodMetaSection, POD_META_SECTION, validatePodMeta } from './pod-meta'
export type { IpamNodeCounters } from './driver'
export { ClaimsReplica, IPAM_REJECT_REASONS } from './replica'
export type { ClaimsDurable, ClaimsInit, IpamRejectReason } from './replica'
export { makeBlockLayout, formatBlockCIDR } from './blocks'
export type { AttachmentKey, BlockLayout } from './types'
export { IpamAllocator, attachmentKey, DEFAULT_QUARANTINE_MS } from './allocator'
export type { AllocatorDurable, AllocatorReuseDurable } from './allocator'
export {
  IpamError, IpamConfigError, IpamConflictError, IpamDecodeError, IpamExhaustedError, IpamInvariantError,
  IpamNotMemberError, IpamTryAgainError, StateCorruptError,
} from './errors'
