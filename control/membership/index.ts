/**
 * control/membership/: who is in the cluster. SWIM with Lifeguard as a pure state machine
 * (membership.ts), its suspicion timers (suspicion.ts), local health (awareness.ts), the queue
 * of rumours piggybacked on every packet (broadcast-queue.ts) and the signatures that let only a
 * node change its own record (member-signing.ts; the same key signs its per-node state entries,
 * checked against the key pinned here: Membership.signingKeyOf).
 *
 * Read membership.ts first: its header is the design (probing, suspicion, precedence of
 * rumours, anti-entropy, bounds). It takes `now` and returns packets; control-plane.ts runs it
 * over ../transport.
 */
export {
  Membership, DEFAULT_MEMBERSHIP_CONFIG, MEMBER_REJECT_REASONS,
} from './membership'
export type {
  Channel, MemberChangeListener, MemberRejectReason, MembershipComponents, MembershipConfig,
  MembershipCounters, MembershipInit, MemberView, Outgoing, SelfRecord,
} from './membership'
export type { AppStateMessage, GossipAppState } from './types'
export { retransmitLimit } from './broadcast-queue'
export { RecordSigner, RecordVerifier } from './member-signing'
