/**
 * The replicated IPAM state and the rules that change and merge it. Pure: no I/O, no clock.
 *
 * The state is what you get by applying slots 1..`slot` of the IPAM log (see replica.ts for
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
 * The wire and disk forms, and the validation of remote input, are in codec.ts.
 */
import { IpamConflictError } from './errors'
import type { BlockRecord, ClusterState, IpamMember, NodeId, Op } from './types'

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

/** A RELEASE frees the block only while `op.node` still holds it under the claim it names. */
export function releaseApplies (blocks: ReadonlyArray<BlockRecord | undefined>,
  op: Extract<Op, { type: 'release' }>): boolean {
  const r = blocks[op.block]
  return r !== undefined && r.state === 'owned' && r.owner === op.node && r.epoch === op.epoch
}

export function majorityOf (n: number): number {
  return Math.floor(n / 2) + 1
}

/** Applies the decided ops of `slot` (must be s.slot + 1). Deterministic on every replica. */
export function applySlot (s: ClusterState, slot: number, ops: readonly Op[]): ClusterState {
  if (slot !== s.slot + 1) throw new IpamConflictError(`slot ${slot} applied on state at slot ${s.slot}`)
  let members: Map<NodeId, IpamMember> | null = null
  let blocks: Array<BlockRecord | undefined> | null = null
  let removed: Set<NodeId> | null = null
  let configSlot = s.configSlot
  const m = (): Map<NodeId, IpamMember> => (members ??= new Map(s.members))
  const b = (): Array<BlockRecord | undefined> => (blocks ??= s.blocks.slice())
  const cur = (): { members: ReadonlyMap<NodeId, IpamMember>, blocks: ReadonlyArray<BlockRecord | undefined> } =>
    ({ members: members ?? s.members, blocks: blocks ?? s.blocks })
  for (const op of ops) {
    const c = cur()
    const mem = c.members.get(op.node)
    switch (op.type) {
      case 'join':
        if (mem === undefined && !(removed ?? s.removed).has(op.node)) {
          m().set(op.node, { id: op.node, joinedSlot: slot, suspectSlot: 0, forced: false })
          configSlot = slot
        }
        break
      case 'claim': {
        const r = c.blocks[op.block]
        if (mem !== undefined && mem.suspectSlot === 0 && op.block >= 0 && op.block < s.blockCount &&
          (r === undefined || r.state === 'free')) {
          b()[op.block] = { block: op.block, owner: op.node, epoch: slot, state: 'owned' }
        }
        break
      }
      case 'release': {
        if (releaseApplies(c.blocks, op)) {
          b()[op.block] = { block: op.block, owner: '', epoch: slot, state: 'free' }
        }
        break
      }
      case 'suspect':
        if (mem !== undefined && mem.suspectSlot === 0) {
          m().set(op.node,
            { ...mem, suspectSlot: slot, forced: op.forced })
        } else if (mem !== undefined && op.forced && !mem.forced) m().set(op.node, { ...mem, forced: true })
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
            if (r !== undefined && r.state === 'owned' && r.owner === op.node) {
              bl[i] = {
                block: i, owner: '', epoch: slot, state: 'free'
              }
            }
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
export function findBlockConflicts (a: ReadonlyMap<number, BlockRecord>, b: ReadonlyMap<number,
  BlockRecord>): number[] {
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
