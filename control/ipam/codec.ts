/**
 * IPAM's wire and disk forms: ClusterState, ops and claim-protocol messages <-> protobuf
 * (`loom.ipam.Envelope`, ../proto/ipam.proto) and the JSON of the state file.
 *
 * Decoding (`decodeClaimMsg`, `decodeIpamEnvelope`, `validateClusterState`) is the only door for
 * remote input and enforces limits on bytes, counts and ranges (IPAM_LIMITS) before any field is
 * trusted; it throws IpamDecodeError, never a protobufjs error.
 */
import { loom } from '../proto/messages'
import { IpamDecodeError } from './errors'
import { IPAM_LIMITS } from './cluster-state'
import type { BlockRecord, ClusterState, IpamMember, NodeId, Op } from './types'
import type { Ballot, ClaimBody, ClaimMsg } from './messages'

// ---- wire and disk form -------------------------------------------------------------------

const OpKind = loom.ipam.Op.Kind
const KIND_NAMES = ['join', 'claim', 'release', 'suspect', 'unsuspect', 'remove'] as const

export function opToWire (op: Op): loom.ipam.IOp {
  return {
    kind: KIND_NAMES.indexOf(op.type),
    node: op.node,
    block: 'block' in op && op.block >= 0 ? op.block : 0,
    anyBlock: op.type === 'claim' && op.block < 0,
    forced: op.type === 'suspect' ? op.forced : false,
    epoch: op.type === 'release' ? op.epoch : 0,
  }
}

function checkId (v: unknown, what: string, allowEmpty = false): string {
  if (typeof v !== 'string' || (!allowEmpty && v.length === 0) || v.length > IPAM_LIMITS.maxIdLength) {
    throw new IpamDecodeError(`${what} must be a string of 1..${IPAM_LIMITS.maxIdLength} chars`)
  }
  return v
}

function checkU32 (v: unknown, what: string, max: number = IPAM_LIMITS.maxSlot): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 ||
    v > max) throw new IpamDecodeError(`${what} must be an integer 0..${max}, got ${String(v)}`)
  return v
}

export function opFromWire (w: unknown, blockCount: number): Op {
  if (typeof w !== 'object' || w === null) throw new IpamDecodeError('op must be an object')
  const o = w as Record<string, unknown>
  const node = checkId(o.node, 'op.node')
  const kind = o.kind ?? OpKind.JOIN
  switch (kind) {
    case OpKind.JOIN: return { type: 'join', node }
    case OpKind.CLAIM: return {
      type: 'claim', node, block: o.anyBlock === true ? -1 : checkU32(o.block ?? 0, 'op.block', blockCount - 1)
    }
    case OpKind.RELEASE: return {
      type: 'release', node, block: checkU32(o.block ?? 0, 'op.block', blockCount - 1), epoch: checkU32(o.epoch ?? 0, 'op.epoch')
    }
    case OpKind.SUSPECT: return { type: 'suspect', node, forced: o.forced === true }
    case OpKind.UNSUSPECT: return { type: 'unsuspect', node }
    case OpKind.REMOVE: return { type: 'remove', node }
    default: throw new IpamDecodeError(`op.kind ${String(kind)} is unknown`)
  }
}

export function opsFromWire (w: unknown, blockCount: number): Op[] {
  if (w === undefined || w === null) return []
  if (!Array.isArray(w) ||
    w.length > IPAM_LIMITS.maxOpsPerSlot) throw new IpamDecodeError(`ops must be a list of at most ${IPAM_LIMITS.maxOpsPerSlot}`)
  return w.map(o => opFromWire(o, blockCount))
}

/**
 * An op of the state file's acceptor record (ipam.json `claims.acceptor.accepted.ops`), which is
 * kept as the Op value itself, not in its wire form. The tag is `type`; a loomd older than that
 * name wrote it as `kind`, and such a file is read the same way (its next write uses `type`), so
 * an upgrade keeps the value this acceptor accepted: Paxos' safety rests on it (replica.ts).
 * Checked like a wire op (a claim of "any block" is block -1 here); a bad op is an IpamDecodeError.
 */
export function opFromDisk (d: unknown, blockCount: number): Op {
  if (typeof d !== 'object' || d === null) throw new IpamDecodeError('op must be an object')
  const o = d as Record<string, unknown>
  const name = o.type ?? o.kind
  if (o.type !== undefined && o.kind !== undefined && o.type !== o.kind) {
    throw new IpamDecodeError(`op has type ${String(o.type)} and kind ${String(o.kind)}`)
  }
  const node = checkId(o.node, 'op.node')
  const block = (): number => checkU32(o.block, 'op.block', blockCount - 1)
  switch (name) {
    case 'join': return { type: 'join', node }
    case 'claim': return { type: 'claim', node, block: o.block === -1 ? -1 : block() }
    case 'release': return { type: 'release', node, block: block(), epoch: checkU32(o.epoch, 'op.epoch') }
    case 'suspect': return { type: 'suspect', node, forced: o.forced === true }
    case 'unsuspect': return { type: 'unsuspect', node }
    case 'remove': return { type: 'remove', node }
    default: throw new IpamDecodeError(`op type ${JSON.stringify(name)} is unknown`)
  }
}

export function stateToWire (s: ClusterState): loom.ipam.IClusterState {
  return {
    clusterId: s.clusterId,
    slot: s.slot,
    configSlot: s.configSlot,
    members: [...s.members.values()].map(m => ({
      id: m.id, joinedSlot: m.joinedSlot, suspectSlot: m.suspectSlot, forced: m.forced
    })),
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
  if (!Array.isArray(ms) || ms.length === 0 ||
    ms.length > IPAM_LIMITS.maxMembers) throw new IpamDecodeError(`state.members must list 1..${IPAM_LIMITS.maxMembers} members`)
  const members = new Map<NodeId, IpamMember>()
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
  if (!Array.isArray(bs) ||
    bs.length > blockCount) throw new IpamDecodeError(`state.blocks must list at most ${blockCount} records`)
  const blocks: Array<BlockRecord | undefined> = new Array(blockCount).fill(undefined)
  for (const bw of bs) {
    const r = (bw ?? {}) as Record<string, unknown>
    const block = checkU32(r.block ?? 0, 'block.block', blockCount - 1)
    if (blocks[block] !== undefined) throw new IpamDecodeError(`block ${block} listed twice`)
    const owned = (r.state ?? 0) === 1 || r.state === 'owned'
    const owner = checkId(r.owner ?? '', 'block.owner', !owned)
    blocks[block] = {
      block,
      owner: owned ? owner : '',
      epoch: checkU32(r.epoch ?? 0, 'block.epoch', slot),
      state: owned ? 'owned' : 'free'
    }
  }
  const rs = o.removed ?? []
  if (!Array.isArray(rs) ||
    rs.length > IPAM_LIMITS.maxRemoved) throw new IpamDecodeError('state.removed must be a bounded list')
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

const ballotToWire = (b: Ballot | undefined): loom.ipam.IBallot | undefined => b === undefined
  ? undefined
  : {
      round: b.round, node: b.node
    }

function ballotFromWire (w: loom.ipam.IBallot | null | undefined, what: string): Ballot {
  if (w == null) throw new IpamDecodeError(`${what} is missing`)
  return { round: checkU32(w.round ?? 0, `${what}.round`), node: checkId(w.node, `${what}.node`) }
}

/** Encodes a claim-protocol message; never throws for messages built by ClaimsReplica. */
export function encodeClaimMsg (m: ClaimMsg): Uint8Array {
  const b = m.body
  const e: loom.ipam.IEnvelope = { from: m.from, clusterId: m.clusterId, applied: m.applied }
  switch (b.type) {
    case 'prepare': e.prepare = { slot: b.slot, ballot: ballotToWire(b.ballot) }; break
    case 'promise': e.promise = {
      slot: b.slot,
      ballot: ballotToWire(b.ballot),
      ok: b.ok,
      promised: ballotToWire(b.promised),
      hasAccepted: b.accepted !== undefined,
      acceptedBallot: ballotToWire(b.accepted?.ballot),
      acceptedOps: b.accepted?.ops.map(opToWire)
    }; break
    case 'accept': e.accept = { slot: b.slot, ballot: ballotToWire(b.ballot), ops: b.ops.map(opToWire) }; break
    case 'accepted': e.accepted = {
      slot: b.slot, ballot: ballotToWire(b.ballot), ok: b.ok, promised: ballotToWire(b.promised)
    }; break
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
  if (e.prepare != null) {
    body = {
      type: 'prepare', slot: slot(e.prepare), ballot: ballotFromWire(e.prepare.ballot, 'ballot')
    }
  } else if (e.promise != null) {
    const p = e.promise
    body = {
      type: 'promise',
      slot: slot(p),
      ballot: ballotFromWire(p.ballot, 'ballot'),
      ok: p.ok === true,
      promised: p.promised != null ? ballotFromWire(p.promised, 'promised') : undefined,
      accepted: p.hasAccepted === true
        ? {
            ballot: ballotFromWire(p.acceptedBallot, 'acceptedBallot'), ops: opsFromWire(p.acceptedOps, blockCount)
          }
        : undefined,
    }
  } else if (e.accept != null) {
    body = {
      type: 'accept',
      slot: slot(e.accept),
      ballot: ballotFromWire(e.accept.ballot, 'ballot'),
      ops: opsFromWire(e.accept.ops, blockCount)
    }
  } else if (e.accepted != null) {
    body = {
      type: 'accepted',
      slot: slot(e.accepted),
      ballot: ballotFromWire(e.accepted.ballot, 'ballot'),
      ok: e.accepted.ok === true,
      promised: e.accepted.promised != null ? ballotFromWire(e.accepted.promised, 'promised') : undefined
    }
  } else if (e.decided != null) {
    body = {
      type: 'decided', slot: slot(e.decided), ops: opsFromWire(e.decided.ops, blockCount)
    }
  } else if (e.renew != null) {
    body = {
      type: 'renew', seq: checkU32(e.renew.seq ?? 0, 'seq'), configSlot: checkU32(e.renew.configSlot ?? 0, 'configSlot')
    }
  } else if (e.renewAck != null) {
    body = {
      type: 'renewAck', seq: checkU32(e.renewAck.seq ?? 0, 'seq'), ok: e.renewAck.ok === true
    }
  } else if (e.joinRequest != null) body = { type: 'join' }
  else if (e.fetch != null) body = { type: 'fetch', fromSlot: checkU32(e.fetch.fromSlot ?? 0, 'fromSlot') }
  else if (e.state != null) body = { type: 'state', state: validateClusterState(e.state, blockCount) }
  else if (e.digest != null) body = { type: 'digest' }
  else if (e.request != null) body = { type: 'request', ops: opsFromWire(e.request.ops, blockCount) }
  else throw new IpamDecodeError('IPAM message has no body')
  // Only a coordinator request may carry an unresolved claim (block -1).
  if (body.type !== 'request' && 'ops' in body &&
    body.ops.some(o => o.type === 'claim' &&
      o.block < 0)) throw new IpamDecodeError('unresolved claim outside a request')
  return { from: e.from, clusterId: e.clusterId, applied: checkU32(e.applied ?? 0, 'applied'), body }
}
