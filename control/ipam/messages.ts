/**
 * The messages of IPAM's claim protocol (replica.ts: Paxos per slot of the log, leases, joins
 * and state transfer), as values. Their protobuf form is in codec.ts. Types only.
 */
import type { ClusterState, NodeId, Op } from './types'

export interface Ballot { readonly round: number, readonly node: NodeId }

export type ClaimBody =
  | { type: 'prepare', slot: number, ballot: Ballot }
  | {
    type: 'promise',
    slot: number,
    ballot: Ballot,
    ok: boolean,
    promised?: Ballot,
    accepted?: { ballot: Ballot, ops: readonly Op[] }
  }
  | { type: 'accept', slot: number, ballot: Ballot, ops: readonly Op[] }
  | { type: 'accepted', slot: number, ballot: Ballot, ok: boolean, promised?: Ballot }
  | { type: 'decided', slot: number, ops: readonly Op[] }
  | { type: 'renew', seq: number, configSlot: number }
  | { type: 'renewAck', seq: number, ok: boolean }
  | { type: 'join' }
  | { type: 'fetch', fromSlot: number }
  | { type: 'state', state: ClusterState }
  | { type: 'digest' }
  | { type: 'request', ops: readonly Op[] }

export interface ClaimMsg {
  readonly from: NodeId
  readonly clusterId: string
  readonly applied: number
  readonly body: ClaimBody
}

export interface OutgoingClaim { readonly to: NodeId, readonly msg: ClaimMsg }
