/**
 * The messages of IPAM's claim protocol (replica.ts: Paxos per slot of the log, leases, joins
 * and state transfer), as values. Their protobuf form is in codec.ts. Types only.
 */
import type { ClusterState, NodeId, Op } from './cluster-state'

export interface Ballot { readonly round: number, readonly node: NodeId }

export type ClaimBody =
  | { t: 'prepare', slot: number, ballot: Ballot }
  | {
    t: 'promise',
    slot: number,
    ballot: Ballot,
    ok: boolean,
    promised?: Ballot,
    accepted?: { ballot: Ballot, ops: readonly Op[] }
  }
  | { t: 'accept', slot: number, ballot: Ballot, ops: readonly Op[] }
  | { t: 'accepted', slot: number, ballot: Ballot, ok: boolean, promised?: Ballot }
  | { t: 'decided', slot: number, ops: readonly Op[] }
  | { t: 'renew', seq: number, configSlot: number }
  | { t: 'renewAck', seq: number, ok: boolean }
  | { t: 'join' }
  | { t: 'fetch', fromSlot: number }
  | { t: 'state', state: ClusterState }
  | { t: 'digest' }
  | { t: 'request', ops: readonly Op[] }

export interface ClaimMsg {
  readonly from: NodeId
  readonly clusterId: string
  readonly applied: number
  readonly body: ClaimBody
}

export interface Outgoing { readonly to: NodeId, readonly msg: ClaimMsg }
