/**
 * Every counter of the gossip control plane in one object, by room: metrics/ exports it whole
 * (loom_control_events_total{room,event}); the named loom_control_* metrics show a few of the
 * same numbers under their own names. Counters only: monotonic numbers their owners bump, read
 * at scrape time (GossipMode.stats builds this from the live objects, no copying of history).
 */
import type { ControlPlaneCounters } from './control-plane'
import type { MembershipCounters } from './membership'
import type { TransportCounters } from './transport'
import type { NodeStateCounters } from './node'

/** IPAM's counters: the driver's decode errors and the replica's Paxos outcomes. */
export interface IpamCounters {
  /** Frames that failed to decode, or named another sender than the member that sent them. */
  readonly decodeErrors: number
  /** Messages the replica ignored: other cluster, malformed, stale. */
  readonly ignored: number
  /** Paxos rounds this node proposed that decided its value, and that lost to another ballot. */
  readonly proposalsWon: number
  readonly proposalsLost: number
  /** Blocks of dead nodes this node reclaimed. */
  readonly reclaims: number
}

/** A type (not an interface) so that it reads as a record of records of numbers in metrics/. */
export type ControlStats = {
  readonly membership: Readonly<MembershipCounters>
  readonly controlPlane: Readonly<ControlPlaneCounters>
  readonly transport: Readonly<TransportCounters>
  readonly ipam: Readonly<IpamCounters>
  /** The per-node state channel (node/node-state.ts): entries taken, stale, refused by reason. */
  readonly nodeState: Readonly<NodeStateCounters>
}
