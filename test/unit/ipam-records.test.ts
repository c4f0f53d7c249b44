/**
 * IPAM replicated state: the block-record merge of `mergeStates` (the one production runs, in
 * ClaimsReplica.onState) is a CRDT - commutative, associative, idempotent: property tests over
 * random snapshots of one cluster from a seeded RNG - slot application follows its rules
 * exactly, and hostile input gives a typed IpamDecodeError.
 */
import t from 'tap'
import { applySlot, blockOwner, findBlockConflicts, genesisState, mergeStates } from '../../control/ipam/cluster-state'
import type { BlockRecord, ClusterState, Op } from '../../control/ipam/types'
import {
  decodeClaimMsg, encodeClaimMsg, decodeIpamEnvelope, encodeIpamEnvelope, opFromWire, opToWire, opsFromWire,
  stateToWire,
  validateClusterState,
} from '../../control/ipam/codec'
import { IpamConflictError, IpamDecodeError } from '../../control/ipam/errors'
import type { ClaimBody, ClaimMsg } from '../../control/ipam/messages'
import { seededRandom as makeRng } from '../sim/sim-network'

const SEED = Number(process.env.LOOM_TEST_SEED ?? 12345)
const rng = makeRng(SEED)
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!

/**
 * One cluster's history, fixed per seed: the record that slot `epoch` wrote for `block`. Every
 * snapshot draws its records from it, as replicas of one log do (same block and epoch = same
 * record), so merging them must never report a conflict.
 */
const BLOCKS = 8
const history = new Map<string, BlockRecord>()
function recordAt (block: number, epoch: number): BlockRecord {
  const k = `${block}@${epoch}`
  let r = history.get(k)
  if (r === undefined) {
    const owned = rng() < 0.6
    r = { block, owner: owned ? pick(['a', 'b', 'c']) : '', epoch, state: owned ? 'owned' : 'free' }
    history.set(k, r)
  }
  return r
}

/** A snapshot of the cluster at a random slot: each block holds one record of epoch <= slot, or none. */
function randomState (): ClusterState {
  const g = genesisState('a', BLOCKS)
  const slot = Math.floor(rng() * 12)
  const blocks = g.blocks.map((_, i) => (rng() < 0.3 ? undefined : recordAt(i, Math.floor(rng() * (slot + 1)))))
  return { ...g, slot, blocks }
}

const canon = (s: ClusterState): string => JSON.stringify(s.blocks)

t.test('mergeStates block merge is commutative, associative and idempotent (500 random triples)', async t => {
  let bad = 0
  for (let i = 0; i < 500; i++) {
    const a = randomState(); const b = randomState(); const c = randomState()
    if (canon(mergeStates(a, b)) !== canon(mergeStates(b, a))) bad++
    if (canon(mergeStates(mergeStates(a, b), c)) !== canon(mergeStates(a, mergeStates(b, c)))) bad++
    if (canon(mergeStates(a, a)) !== canon(a)) bad++
    const ab = mergeStates(a, b)
    if (canon(mergeStates(ab, b)) !== canon(ab)) bad++
    if (mergeStates(a, b).slot !== Math.max(a.slot, b.slot)) bad++
  }
  t.equal(bad, 0, `seed ${SEED}`)
})

t.test('mergeStates picks the greater record by (epoch, owned > free, owner) and reports conflicts', async t => {
  const g = genesisState('a', 4)
  const withBlock1 = (slot: number,
    r: BlockRecord): ClusterState => ({ ...g, slot, blocks: [undefined, r, undefined, undefined] })
  const a = withBlock1(3, { block: 1, owner: 'x', epoch: 3, state: 'owned' })
  const b = withBlock1(4, { block: 1, owner: '', epoch: 4, state: 'free' })
  t.same(mergeStates(a, b).blocks[1], { block: 1, owner: '', epoch: 4, state: 'free' })
  t.same(mergeStates(b, a).blocks[1], { block: 1, owner: '', epoch: 4, state: 'free' })
  const c = withBlock1(3, { block: 1, owner: 'y', epoch: 3, state: 'owned' })
  t.throws(() => mergeStates(a, c), IpamConflictError,
    'same epoch, different owner is a conflict, never silently picked')
  const blockMap = (s: ClusterState): Map<number, BlockRecord> => new Map([[1, s.blocks[1]!]])
  t.same(findBlockConflicts(blockMap(a), blockMap(c)), [1], 'same epoch, different owner is reported as a conflict')
  t.same(findBlockConflicts(blockMap(a), blockMap(b)), [])
})

function randomLog (n: number): Op[][] {
  const nodes = ['a', 'b', 'c', 'd']
  const log: Op[][] = []
  for (let s = 0; s < n; s++) {
    const ops: Op[] = []
    for (let k = 0; k < 1 + Math.floor(rng() * 3); k++) {
      const node = pick(nodes)
      const r = rng()
      if (r < 0.15) ops.push({ type: 'join', node })
      else if (r < 0.55) ops.push({ type: 'claim', node, block: Math.floor(rng() * 16) })
      else if (r < 0.75) ops.push({ type: 'release', node, block: Math.floor(rng() * 16), epoch: 1 + Math.floor(rng() * (s + 1)) })
      else if (r < 0.85) ops.push({ type: 'suspect', node, forced: rng() < 0.5 })
      else if (r < 0.92) ops.push({ type: 'unsuspect', node })
      else ops.push({ type: 'remove', node })
    }
    log.push(ops)
  }
  return log
}

t.test('snapshots of one log merge to the later snapshot, in any order', async t => {
  for (let i = 0; i < 50; i++) {
    const log = randomLog(40)
    const states: ClusterState[] = [genesisState('a', 16)]
    log.forEach((ops, s) => states.push(applySlot(states[s]!, s + 1, ops)))
    const x = pick(states); const y = pick(states); const z = pick(states)
    const later = x.slot >= y.slot ? x : y
    t.same(mergeStates(x, y).blocks, later.blocks)
    t.same(mergeStates(x, y).blocks, mergeStates(y, x).blocks)
    t.same(mergeStates(mergeStates(x, y), z).blocks, mergeStates(x, mergeStates(y, z)).blocks)
    // Ownership is single-valued and only members own blocks at every slot.
    for (const s of states) {
      for (const r of s.blocks) {
        if (r?.state === 'owned' &&
        !s.members.has(r.owner)) t.fail(`slot ${s.slot}: removed ${r.owner} still owns ${r.block}`)
      }
    }
  }
})

t.test('slot rules', async t => {
  let s = genesisState('a', 8)
  s = applySlot(s, 1,
    [{ type: 'claim', node: 'a', block: 3 }, { type: 'claim', node: 'b', block: 4 }, { type: 'join', node: 'b' }])
  t.equal(blockOwner(s, 3), 'a')
  t.equal(blockOwner(s, 4), null, 'a non-member cannot claim')
  t.equal(s.configSlot, 1)
  s = applySlot(s, 2, [{ type: 'claim', node: 'b', block: 3 }, { type: 'release', node: 'b', block: 3, epoch: 1 }])
  t.equal(blockOwner(s, 3), 'a', 'claim of an owned block and release by a non-owner are no-ops')
  t.equal(s.blocks[3]!.epoch, 1)
  {
    // A release names the claim it returns: after release (epoch 1) and a new claim (epoch 11),
    // the old release is a no-op and the new one frees the block.
    let r = applySlot({ ...s, slot: 9 }, 10, [{ type: 'release', node: 'a', block: 3, epoch: 1 }])
    t.equal(blockOwner(r, 3), null, 'the release of the current claim frees the block')
    r = applySlot(r, 11, [{ type: 'claim', node: 'a', block: 3 }])
    r = applySlot(r, 12, [{ type: 'release', node: 'a', block: 3, epoch: 1 }])
    t.equal(blockOwner(r, 3), 'a', 'a late release of the earlier claim frees nothing')
    t.equal(r.blocks[3]!.epoch, 11)
    r = applySlot(r, 13, [{ type: 'release', node: 'a', block: 3, epoch: 11 }])
    t.equal(blockOwner(r, 3), null)
  }
  s = applySlot(s, 3, [{ type: 'remove', node: 'a' }])
  t.ok(s.members.has('a'), 'remove without a pending suspect is a no-op')
  s = applySlot(s, 4, [{ type: 'suspect', node: 'a', forced: true }, { type: 'suspect', node: 'a', forced: false }])
  t.same(s.members.get('a'), { id: 'a', joinedSlot: 0, suspectSlot: 4, forced: true })
  s = applySlot(s, 5,
    [{ type: 'claim', node: 'a', block: 5 }, { type: 'remove', node: 'a' }, { type: 'remove', node: 'a' }])
  t.equal(blockOwner(s, 5), null, 'a suspected member cannot claim')
  t.notOk(s.members.has('a'))
  t.same(s.blocks[3], { block: 3, owner: '', epoch: 5, state: 'free' }, 'remove frees the blocks at the new epoch')
  t.equal(s.configSlot, 5)
  s = applySlot(s, 6, [{ type: 'join', node: 'a' }])
  t.notOk(s.members.has('a'), 'a removed id never rejoins')
  t.throws(() => applySlot(s, 8, []), IpamConflictError)
})

t.test('wire round trip through protobuf', async t => {
  let s = genesisState('a', 64)
  s = applySlot(s, 1,
    [{ type: 'join', node: 'b' }, { type: 'claim', node: 'b', block: 63 },
      { type: 'suspect', node: 'a', forced: false }])
  const buf = encodeIpamEnvelope({ from: 'b', clusterId: 'a', applied: 1, state: stateToWire(s) })
  const env = decodeIpamEnvelope(buf)
  const back = validateClusterState(env.state, 64)
  t.same(back.blocks[63], s.blocks[63])
  t.same([...back.members.values()], [...s.members.values()])
  t.equal(back.slot, 1)
  const ops: Op[] = [{ type: 'claim', node: 'x', block: 2 }, { type: 'claim', node: 'x', block: -1 },
    { type: 'suspect', node: 'y', forced: true }, { type: 'remove', node: 'y' }]
  t.same(ops.map(o => opFromWire(opToWire(o), 64)), ops)
  const decided = encodeIpamEnvelope({
    from: 'x', clusterId: 'a', applied: 1, decided: { slot: 2, ops: ops.map(opToWire) }
  })
  t.ok(decided.length < 1024, `a decided delta with 3 ops is ${decided.length} bytes (fits a gossip packet)`)
  const full: Op[] = Array.from({ length: 16 },
    (_, i) => ({ type: 'claim', node: `node-${'x'.repeat(30)}-${i}`, block: 1000 + i }))
  const big = encodeIpamEnvelope({
    from: 'x'.repeat(36), clusterId: 'y'.repeat(36), applied: 1, decided: { slot: 2, ops: full.map(opToWire) }
  })
  t.ok(big.length <= 1024, `a full 16-op slot with 36-char ids is ${big.length} bytes`)
})

t.test('every claim-protocol message round-trips through protobuf', async t => {
  let st = genesisState('a', 64)
  st = applySlot(st, 1, [{ type: 'claim', node: 'a', block: 7 }])
  const ballot = { round: 3, node: 'b' }
  const ops: Op[] = [{ type: 'claim', node: 'a', block: 9 }, { type: 'release', node: 'a', block: 7, epoch: 1 }]
  const bodies: ClaimBody[] = [
    { type: 'prepare', slot: 2, ballot },
    {
      type: 'promise', slot: 2, ballot, ok: true, promised: undefined, accepted: { ballot: { round: 2, node: 'c' }, ops }
    },
    { type: 'promise', slot: 2, ballot, ok: false, promised: { round: 5, node: 'z' }, accepted: undefined },
    { type: 'accept', slot: 2, ballot, ops },
    { type: 'accepted', slot: 2, ballot, ok: true, promised: undefined },
    { type: 'decided', slot: 2, ops },
    { type: 'renew', seq: 4, configSlot: 1 },
    { type: 'renewAck', seq: 4, ok: true },
    { type: 'join' }, { type: 'fetch', fromSlot: 2 }, { type: 'digest' },
    { type: 'request', ops: [{ type: 'claim', node: 'b', block: -1 }] },
  ]
  for (const body of bodies) {
    const m: ClaimMsg = { from: 'b', clusterId: 'a', applied: 1, body }
    t.same(decodeClaimMsg(encodeClaimMsg(m), 64), m, body.type)
  }
  const sm = decodeClaimMsg(encodeClaimMsg({ from: 'b', clusterId: 'a', applied: 1, body: { type: 'state', state: st } }),
    64)
  t.same(sm.body.type === 'state' && sm.body.state.blocks[7], st.blocks[7])
  t.throws(() => decodeClaimMsg(encodeClaimMsg({
    from: 'b',
    clusterId: 'a',
    applied: 1,
    body: { type: 'decided', slot: 2, ops: [{ type: 'claim', node: 'b', block: -1 }] }
  }), 64), IpamDecodeError)
  t.throws(() => decodeClaimMsg(encodeIpamEnvelope({ from: 'b', clusterId: 'a' }), 64), IpamDecodeError, 'no body')
})

t.test('hostile input gives IpamDecodeError', async t => {
  const bad: unknown[] = [
    null, 7, {}, { clusterId: 'a', members: [] },
    { clusterId: 'a', members: [{ id: 'a' }, { id: 'a' }] },
    { clusterId: 'a', members: [{ id: 'a' }], blocks: [{ block: 64 }] },
    { clusterId: 'a', members: [{ id: 'a' }], blocks: [{ block: 1, state: 1, owner: '' }] },
    { clusterId: 'a', slot: 2, members: [{ id: 'a', joinedSlot: 3 }] },
    { clusterId: 'a', members: [{ id: 'a' }], blocks: [{ block: 1 }, { block: 1 }] },
    { clusterId: 'x'.repeat(65), members: [{ id: 'a' }] },
    { clusterId: 'a', slot: -1, members: [{ id: 'a' }] },
    { clusterId: 'a', slot: 1.5, members: [{ id: 'a' }] },
  ]
  for (const b of bad) t.throws(() => validateClusterState(b, 64), { code: 'ERR_IPAM_DECODE' }, JSON.stringify(b))
  t.throws(() => opFromWire({ kind: 99, node: 'a' }, 64), IpamDecodeError)
  t.throws(() => opFromWire({ kind: 1, node: 'a', block: 64 }, 64), IpamDecodeError)
  t.throws(() => opsFromWire(new Array(17).fill({ kind: 0, node: 'a' }), 64), IpamDecodeError)
  t.throws(() => decodeIpamEnvelope(Buffer.from([0xff, 0xff, 0xff, 0xff])), IpamDecodeError)
  t.throws(() => decodeIpamEnvelope(new Uint8Array(2 * 1024 * 1024)), IpamDecodeError)
  t.throws(() => decodeIpamEnvelope(Buffer.from([])), { code: 'ERR_IPAM_DECODE' }, 'version 0 is refused')
  // Random bytes never escape as anything but IpamDecodeError.
  let other = 0
  for (let i = 0; i < 2000; i++) {
    const buf = Buffer.alloc(1 + Math.floor(rng() * 64))
    for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(rng() * 256)
    try { decodeIpamEnvelope(buf) } catch (err) { if (!(err instanceof IpamDecodeError)) other++ }
  }
  t.equal(other, 0)
  t.throws(() => mergeStates(genesisState('a', 8), genesisState('b', 8)), IpamConflictError)
})
