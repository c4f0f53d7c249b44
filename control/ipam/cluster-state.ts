/**
 * The replicated IPAM state and the rules that change and merge it. Pure: no I/O, no clock.
 *
 * The state is what you get by applying slots 1..`slot` of the IPAM log (see ipam-claims.ts for
 * how a slot is decided) to the genesis state {members: [founder]}. Two views of it exist:
 *
 * - `ClusterState`: members (the Paxos acceptors), block records, tombstones of removed ids.
 * - `BlockRecord`s on their own, as a state-based CRDT. A record's `epoch` is the slot that
 *   wrote it, so records of one block are totally ordered by (epoch, state, owner) and the merge
 *   "keep the greater record per block" (in `mergeStates`) is commutative, associative and
 *   idempotent. Because the
 *   log is agreed, two records with the same (block, epoch) are equal in a correct cluster; if
 *   they are not, that is reported (IpamConflictError), never silently picked.
 *   `mergeStates` = max slot for members + per-block record merge, so a snapshot and any
 *   out-of-order set of decided deltas converge to the same blocks.
 *
 * Ops are validated when applied, not when proposed: an op that lost a race (a claim of a block
 * that another slot gave away first, a release by a node that no longer owns the block) is a
 * no-op, so proposers never need a read-modify-write against a possibly stale view.
 *
 * Decoding (`decodeClaimMsg`, `decodeIpamEnvelope`, `validateClusterState`) is the only door for remote input and
 * enforces limits on bytes, counts and ranges before any field is trusted.
 */
import { loom } from '../proto/messages'
import { IpamConflictError, IpamDecodeError } from './errors'
import type { Ballot, ClaimBody, ClaimMsg } from './replica'

export type NodeId = string

export interface MemberRecord {
  readonly id: NodeId
  readonly joinedSlot: number
  /** Slot of the pending SUSPECT, 0 if none. */
  readonly suspectSlot: number
  /** The pending suspicion came from `rmpeer` (shorter wait, see ipam-claims.ts). */
  readonly forced: boolean
}

export interface BlockRecord {
  readonly block: number
  /** Empty string when free. */
  readonly owner: NodeId
  readonly epoch: number
  readonly state: 'free' | 'owned'
}

export type Op =
  | { readonly kind: 'join', readonly node: NodeId }
  | { readonly kind: 'claim', readonly node: NodeId, readonly block: number }
  | { readonly kind: 'release', readonly node: NodeId, readonly block: number }
  | { readonly kind: 'suspect', readonly node: NodeId, readonly forced: boolean }
  | { readonly kind: 'unsuspect', readonly node: NodeId }
  | { readonly kind: 'remove', readonly node: NodeId }

/** Immutable: every change builds a new object (the simulator and stores share references). */
export interface ClusterState {
  readonly clusterId: string
  readonly blockCount: number
  readonly slot: number
  /** Slot of the last JOIN or REMOVE that took effect (the config version). */
  readonly configSlot: number
  readonly members: ReadonlyMap<NodeId, MemberRecord>
  /** Index = block; undefined = never touched (free at epoch 0). */
  readonly blocks: ReadonlyArray<BlockRecord | undefined>
  readonly removed: ReadonlySet<NodeId>
}

/** Limits for remote input. */
export const IPAM_LIMITS = Object.freeze({
  maxMessageBytes: 1024 * 1024,
  maxIdLength: 64,
  maxMembers: 10000,
  maxRemoved: 100000,
  maxOpsPerSlot: 16,
  maxSlot: 0xfffffffe,
})

export function genesisState (founder: NodeId, blockCount: number): ClusterState {
  return {
    clusterId: founder,
    blockCount,
    slot: 0,
    configSlot: 0,
    members: new Map([[founder, { id: founder, joinedSlot: 0, suspectSlot: 0, forced: false }]]),
    blocks: new Array(blockCount).fill(undefined),
    removed: new Set(),
  }
}

export function blockOwner (s: ClusterState, block: number): NodeId | null {
  const r = s.blocks[block]
  return r !== undefined && r.state === 'owned' ? r.owner : null
}

export function majorityOf (n: number): number {
  return Math.floor(n / 2) + 1
}

/** Applies the decided ops of `slot` (must be s.slot + 1). Deterministic on every replica. */
export function applySlot (s: ClusterState, slot: number, ops: readonly Op[]): ClusterState {
  if (slot !== s.slot + 1) throw new IpamConflictError(`slot ${slot} applied on state at slot ${s.slot}`)
  let members: Map<NodeId, MemberRecord> | null = null
  let blocks: Array<BlockRecord | undefined> | null = null
  let removed: Set<NodeId> | null = null
  let configSlot = s.configSlot
  const m = (): Map<NodeId, MemberRecord> => (members ??= new Map(s.members))
  const b = (): Array<BlockRecord | undefined> => (blocks ??= s.blocks.slice())
  const cur = (): { members: ReadonlyMap<NodeId, MemberRecord>, blocks: ReadonlyArray<BlockRecord | undefined> } =>
    ({ members: members ?? s.members, blocks: blocks ?? s.blocks })
  for (const op of ops) {
    const c = cur()
    const mem = c.members.get(op.node)
    switch (op.kind) {
      case 'join':
        if (mem === undefined && !(removed ?? s.removed).has(op.node)) {
          m().set(op.node, { id: op.node, joinedSlot: slot, suspectSlot: 0, forced: false })
          configSlot = slot
        }
        break
      case 'claim': {
        const r = c.blocks[op.block]
        if (mem !== undefined && mem.suspectSlot === 0 && op.block >= 0 && op.block < s.blockCount && (r === undefined || r.state === 'free')) {
          b()[op.block] = { block: op.block, owner: op.node, epoch: slot, state: 'owned' }
        }
        break
      }
      case 'release': {
        const r = c.blocks[op.block]
        if (r !== undefined && r.state === 'owned' && r.owner === op.node) {
          b()[op.block] = { block: op.block, owner: '', epoch: slot, state: 'free' }
        }
        break
      }
      case 'suspect':
        if (mem !== undefined && mem.suspectSlot === 0) m().set(op.node, { ...mem, suspectSlot: slot, forced: op.forced })
        else if (mem !== undefined && op.forced && !mem.forced) m().set(op.node, { ...mem, forced: true })
        break
      case 'unsuspect':
        if (mem !== undefined && mem.suspectSlot !== 0) m().set(op.node, { ...mem, suspectSlot: 0, forced: false })
        break
      case 'remove':
        if (mem !== undefined && mem.suspectSlot !== 0) {
          m().delete(op.node)
          removed ??= new Set(s.removed)
          removed.add(op.node)
          configSlot = slot
          const bl = b()
          for (let i = 0; i < bl.length; i++) {
            const r = bl[i]
            if (r !== undefined && r.state === 'owned' && r.owner === op.node) bl[i] = { block: i, owner: '', epoch: slot, state: 'free' }
          }
        }
        break
    }
  }
  return {
    clusterId: s.clusterId,
    blockCount: s.blockCount,
    slot,
    configSlot,
    members: members ?? s.members,
    blocks: blocks ?? s.blocks,
    removed: removed ?? s.removed,
  }
}

/** Total order of records of one block: (epoch, state owned > free, owner). */
export function compareBlockRecords (a: BlockRecord, b: BlockRecord): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch
  if (a.state !== b.state) return a.state === 'owned' ? 1 : -1
  return a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0
}

/** Conflicting (same block and epoch, different content) records in two sets; empty in a correct cluster. */
export function findBlockConflicts (a: ReadonlyMap<number, BlockRecord>, b: ReadonlyMap<number, BlockRecord>): number[] {
  const out: number[] = []
  for (const [k, r] of b) {
    const o = a.get(k)
    if (o !== undefined && o.epoch === r.epoch && compareBlockRecords(o, r) !== 0) out.push(k)
  }
  return out
}

/** Merge two snapshots of the same cluster: the later slot's members, per-block CRDT merge. */
export function mergeStates (a: ClusterState, b: ClusterState): ClusterState {
  if (a.clusterId !== b.clusterId) throw new IpamConflictError(`cluster ${a.clusterId} cannot merge state of cluster ${b.clusterId}`)
  if (a.blockCount !== b.blockCount) throw new IpamConflictError(`cluster ${a.clusterId}: block count ${a.blockCount} vs ${b.blockCount}`)
  const hi = a.slot >= b.slot ? a : b
  const lo = hi === a ? b : a
  const blocks = hi.blocks.slice()
  for (let i = 0; i < blocks.length; i++) {
    const x = blocks[i]
    const y = lo.blocks[i]
    if (y === undefined) continue
    if (x !== undefined && x.epoch === y.epoch && compareBlockRecords(x, y) !== 0) {
      throw new IpamConflictError(`block ${i} epoch ${x.epoch}: ${x.owner || 'free'} vs ${y.owner || 'free'}`)
    }
    if (x === undefined || compareBlockRecords(y, x) > 0) blocks[i] = y
  }
  return { ...hi, blocks }
}

export function blockRecordMap (s: ClusterState): Map<number, BlockRecord> {
  const out = new Map<number, BlockRecord>()
  s.blocks.forEach((r, i) => { if (r !== undefined) out.set(i, r) })
  return out
}

// ---- wire and disk form -------------------------------------------------------------------

const OpKind = loom.ipam.Op.Kind
const KIND_NAMES = ['join', 'claim', 'release', 'suspect', 'unsuspect', 'remove'] as const

export function opToWire (op: Op): loom.ipam.IOp {
  return {
    kind: KIND_NAMES.indexOf(op.kind),
    node: op.node,
    block: 'block' in op && op.block >= 0 ? op.block : 0,
    anyBlock: op.kind === 'claim' && op.block < 0,
    forced: op.kind === 'suspect' ? op.forced : false,
  }
}

function checkId (v: unknown, what: string, allowEmpty = false): string {
  if (typeof v !== 'string' || (!allowEmpty && v.length === 0) || v.length > IPAM_LIMITS.maxIdLength) {
    throw new IpamDecodeError(`${what} must be a string of 1..${IPAM_LIMITS.maxIdLength} chars`)
  }
  return v
}

function checkU32 (v: unknown, what: string, max: number = IPAM_LIMITS.maxSlot): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new IpamDecodeError(`${what} must be an integer 0..${max}, got ${String(v)}`)
  return v
}

export function opFromWire (w: unknown, blockCount: number): Op {
  if (typeof w !== 'object' || w === null) throw new IpamDecodeError('op must be an object')
  const o = w as Record<string, unknown>
  const node = checkId(o.node, 'op.node')
  const kind = o.kind ?? OpKind.JOIN
  switch (kind) {
    case OpKind.JOIN: return { kind: 'join', node }
    case OpKind.CLAIM: return { kind: 'claim', node, block: o.anyBlock === true ? -1 : checkU32(o.block ?? 0, 'op.block', blockCount - 1) }
    case OpKind.RELEASE: return { kind: 'release', node, block: checkU32(o.block ?? 0, 'op.block', blockCount - 1) }
    case OpKind.SUSPECT: return { kind: 'suspect', node, forced: o.forced === true }
    case OpKind.UNSUSPECT: return { kind: 'unsuspect', node }
    case OpKind.REMOVE: return { kind: 'remove', node }
    default: throw new IpamDecodeError(`op.kind ${String(kind)} is unknown`)
  }
}

export function opsFromWire (w: unknown, blockCount: number): Op[] {
  if (w === undefined || w === null) return []
  if (!Array.isArray(w) || w.length > IPAM_LIMITS.maxOpsPerSlot) throw new IpamDecodeError(`ops must be a list of at most ${IPAM_LIMITS.maxOpsPerSlot}`)
  return w.map(o => opFromWire(o, blockCount))
}

export function stateToWire (s: ClusterState): loom.ipam.IClusterState {
  return {
    clusterId: s.clusterId,
    slot: s.slot,
    configSlot: s.configSlot,
    members: [...s.members.values()].map(m => ({ id: m.id, joinedSlot: m.joinedSlot, suspectSlot: m.suspectSlot, forced: m.forced })),
    blocks: s.blocks.filter((r): r is BlockRecord => r !== undefined).map(r => ({
      block: r.block, owner: r.owner, epoch: r.epoch, state: r.state === 'owned' ? 1 : 0,
    })),
    removed: [...s.removed],
  }
}

/**
 * Validates a decoded (protobuf object or parsed JSON) ClusterState against `blockCount`.
 * Throws IpamDecodeError naming the first bad field.
 */
export function validateClusterState (w: unknown, blockCount: number): ClusterState {
  if (typeof w !== 'object' || w === null) throw new IpamDecodeError('state must be an object')
  const o = w as Record<string, unknown>
  const clusterId = checkId(o.clusterId, 'state.clusterId')
  const slot = checkU32(o.slot ?? 0, 'state.slot')
  const configSlot = checkU32(o.configSlot ?? 0, 'state.configSlot', slot)
  const ms = o.members ?? []
  if (!Array.isArray(ms) || ms.length === 0 || ms.length > IPAM_LIMITS.maxMembers) throw new IpamDecodeError(`state.members must list 1..${IPAM_LIMITS.maxMembers} members`)
  const members = new Map<NodeId, MemberRecord>()
  for (const mw of ms) {
    const m = (mw ?? {}) as Record<string, unknown>
    const id = checkId(m.id, 'member.id')
    if (members.has(id)) throw new IpamDecodeError(`member ${id} listed twice`)
    members.set(id, {
      id,
      joinedSlot: checkU32(m.joinedSlot ?? 0, 'member.joinedSlot', slot),
      suspectSlot: checkU32(m.suspectSlot ?? 0, 'member.suspectSlot', slot),
      forced: m.forced === true,
    })
  }
  const bs = o.blocks ?? []
  if (!Array.isArray(bs) || bs.length > blockCount) throw new IpamDecodeError(`state.blocks must list at most ${blockCount} records`)
  const blocks: Array<BlockRecord | undefined> = new Array(blockCount).fill(undefined)
  for (const bw of bs) {
    const r = (bw ?? {}) as Record<string, unknown>
    const block = checkU32(r.block ?? 0, 'block.block', blockCount - 1)
    if (blocks[block] !== undefined) throw new IpamDecodeError(`block ${block} listed twice`)
    const owned = (r.state ?? 0) === 1 || r.state === 'owned'
    const owner = checkId(r.owner ?? '', 'block.owner', !owned)
    blocks[block] = { block, owner: owned ? owner : '', epoch: checkU32(r.epoch ?? 0, 'block.epoch', slot), state: owned ? 'owned' : 'free' }
  }
  const rs = o.removed ?? []
  if (!Array.isArray(rs) || rs.length > IPAM_LIMITS.maxRemoved) throw new IpamDecodeError('state.removed must be a bounded list')
  const removed = new Set(rs.map(x => checkId(x, 'removed id')))
  return { clusterId, blockCount, slot, configSlot, members, blocks, removed }
}

/** Decodes an envelope with a byte limit; throws IpamDecodeError (never a protobufjs error). */
export function decodeIpamEnvelope (buf: Uint8Array): loom.ipam.Envelope {
  if (buf.length > IPAM_LIMITS.maxMessageBytes) throw new IpamDecodeError(`IPAM message of ${buf.length} bytes exceeds ${IPAM_LIMITS.maxMessageBytes}`)
  let env: loom.ipam.Envelope
  try {
    env = loom.ipam.Envelope.decode(buf)
  } catch (err) {
    throw new IpamDecodeError(`malformed IPAM message: ${(err as Error).message}`, { cause: err })
  }
  if (env.version !== 1) throw new IpamDecodeError(`IPAM schema version ${env.version} is not supported (want 1)`)
  checkId(env.from, 'envelope.from')
  checkId(env.clusterId, 'envelope.clusterId', true)
  return env
}

export function encodeIpamEnvelope (e: loom.ipam.IEnvelope): Uint8Array {
  return loom.ipam.Envelope.encode({ ...e, version: 1 }).finish()
}

// ---- claim protocol messages <-> protobuf Envelope -----------------------------------------

const ballotToWire = (b: Ballot | undefined): loom.ipam.IBallot | undefined => b === undefined ? undefined : { round: b.round, node: b.node }

function ballotFromWire (w: loom.ipam.IBallot | null | undefined, what: string): Ballot {
  if (w == null) throw new IpamDecodeError(`${what} is missing`)
  return { round: checkU32(w.round ?? 0, `${what}.round`), node: checkId(w.node, `${what}.node`) }
}

/** Encodes a claim-protocol message; never throws for messages built by ClaimsReplica. */
export function encodeClaimMsg (m: ClaimMsg): Uint8Array {
  const b = m.body
  const e: loom.ipam.IEnvelope = { from: m.from, clusterId: m.clusterId, applied: m.applied }
  switch (b.t) {
    case 'prepare': e.prepare = { slot: b.slot, ballot: ballotToWire(b.ballot) }; break
    case 'promise': e.promise = { slot: b.slot, ballot: ballotToWire(b.ballot), ok: b.ok, promised: ballotToWire(b.promised), hasAccepted: b.accepted !== undefined, acceptedBallot: ballotToWire(b.accepted?.ballot), acceptedOps: b.accepted?.ops.map(opToWire) }; break
    case 'accept': e.accept = { slot: b.slot, ballot: ballotToWire(b.ballot), ops: b.ops.map(opToWire) }; break
    case 'accepted': e.accepted = { slot: b.slot, ballot: ballotToWire(b.ballot), ok: b.ok, promised: ballotToWire(b.promised) }; break
    case 'decided': e.decided = { slot: b.slot, ops: b.ops.map(opToWire) }; break
    case 'renew': e.renew = { seq: b.seq, configSlot: b.configSlot }; break
    case 'renewAck': e.renewAck = { seq: b.seq, ok: b.ok }; break
    case 'join': e.joinRequest = {}; break
    case 'fetch': e.fetch = { fromSlot: b.fromSlot }; break
    case 'state': e.state = stateToWire(b.state); break
    case 'digest': e.digest = {}; break
    case 'request': e.request = { ops: b.ops.map(opToWire) }; break
  }
  return encodeIpamEnvelope(e)
}

/** Decodes and validates a claim-protocol message (limits, ranges); throws IpamDecodeError. */
export function decodeClaimMsg (buf: Uint8Array, blockCount: number): ClaimMsg {
  const e = decodeIpamEnvelope(buf)
  const slot = (x: { slot?: number | null }): number => checkU32(x.slot ?? 0, 'slot')
  let body: ClaimBody
  if (e.prepare != null) body = { t: 'prepare', slot: slot(e.prepare), ballot: ballotFromWire(e.prepare.ballot, 'ballot') }
  else if (e.promise != null) {
    const p = e.promise
    body = {
      t: 'promise', slot: slot(p), ballot: ballotFromWire(p.ballot, 'ballot'), ok: p.ok === true,
      promised: p.promised != null ? ballotFromWire(p.promised, 'promised') : undefined,
      accepted: p.hasAccepted === true ? { ballot: ballotFromWire(p.acceptedBallot, 'acceptedBallot'), ops: opsFromWire(p.acceptedOps, blockCount) } : undefined,
    }
  } else if (e.accept != null) body = { t: 'accept', slot: slot(e.accept), ballot: ballotFromWire(e.accept.ballot, 'ballot'), ops: opsFromWire(e.accept.ops, blockCount) }
  else if (e.accepted != null) body = { t: 'accepted', slot: slot(e.accepted), ballot: ballotFromWire(e.accepted.ballot, 'ballot'), ok: e.accepted.ok === true, promised: e.accepted.promised != null ? ballotFromWire(e.accepted.promised, 'promised') : undefined }
  else if (e.decided != null) body = { t: 'decided', slot: slot(e.decided), ops: opsFromWire(e.decided.ops, blockCount) }
  else if (e.renew != null) body = { t: 'renew', seq: checkU32(e.renew.seq ?? 0, 'seq'), configSlot: checkU32(e.renew.configSlot ?? 0, 'configSlot') }
  else if (e.renewAck != null) body = { t: 'renewAck', seq: checkU32(e.renewAck.seq ?? 0, 'seq'), ok: e.renewAck.ok === true }
  else if (e.joinRequest != null) body = { t: 'join' }
  else if (e.fetch != null) body = { t: 'fetch', fromSlot: checkU32(e.fetch.fromSlot ?? 0, 'fromSlot') }
  else if (e.state != null) body = { t: 'state', state: validateClusterState(e.state, blockCount) }
  else if (e.digest != null) body = { t: 'digest' }
  else if (e.request != null) body = { t: 'request', ops: opsFromWire(e.request.ops, blockCount) }
  else throw new IpamDecodeError('IPAM message has no body')
  // Only a coordinator request may carry an unresolved claim (block -1).
  if (body.t !== 'request' && 'ops' in body && body.ops.some(o => o.kind === 'claim' && o.block < 0)) throw new IpamDecodeError('unresolved claim outside a request')
  return { from: e.from, clusterId: e.clusterId, applied: checkU32(e.applied ?? 0, 'applied'), body }
}
