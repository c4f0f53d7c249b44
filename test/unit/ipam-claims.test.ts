/**
 * The claim protocol (control/ipam/replica.ts) with a hand-driven network and a fake clock: bootstrap
 * without a vote, one winner per slot, promises that survive restarts, the reclaim wait, lease
 * fencing of a partitioned owner, and a minority that cannot claim.
 */
import t from 'tap'
import { ClaimsReplica } from '../../control/ipam/replica'
import type { ClaimMsg } from '../../control/ipam/messages'
import { blockOwner } from '../../control/ipam/cluster-state'
import { seededRandom as makeRng } from '../sim/sim-network'

const BLOCKS = 16
const LEASE = 1000
const FORCED = 2000
const GRACE = 5000

class Net {
  readonly nodes = new Map<string, ClaimsReplica>()
  readonly down = new Set<string>()
  /** Pairs that cannot talk (both directions). */
  cut = (_a: string, _b: string): boolean => false
  now = 0
  delivered = 0

  add (id: string, bootstrap: boolean, seeds: string[] = []): ClaimsReplica {
    const r = new ClaimsReplica({
      id,
      blockCount: BLOCKS,
      bootstrap,
      seeds,
      leaseMs: LEASE,
      forcedGraceMs: FORCED,
      graceMs: GRACE,
      roundTimeoutMs: 200,
      random: makeRng(id.charCodeAt(0))
    }, null, this.now)
    this.nodes.set(id, r)
    return r
  }

  /** Deliver until quiet. */
  flush (): void {
    for (let round = 0; round < 1000; round++) {
      const batch: Array<{ to: string, msg: ClaimMsg }> = []
      for (const [id, r] of this.nodes) {
        for (const o of r.outbox) if (!this.down.has(id) && !this.down.has(o.to) && !this.cut(id, o.to)) batch.push(o)
        r.outbox.length = 0
        r.dirty = false
      }
      if (batch.length === 0) return
      for (const o of batch) { this.nodes.get(o.to)?.receive(o.msg, this.now); this.delivered++ }
    }
  }

  /** Advance time in 50 ms steps, ticking every live node. */
  advance (ms: number): void {
    const end = this.now + ms
    while (this.now < end) {
      this.now += 50
      for (const [id, r] of this.nodes) if (!this.down.has(id)) r.tick(this.now)
      this.flush()
    }
  }
}

t.test('a single fresh node claims a block with no one else around', async t => {
  const net = new Net()
  const a = net.add('a', true)
  a.wantBlocks = 1
  net.advance(50)
  t.ok(a.leaseValid(net.now), 'its own majority renews its lease')
  const owned = a.state!.blocks.filter(r => r?.owner === 'a')
  t.equal(owned.length, 1, 'one block after one tick')
  t.equal(a.state!.slot, 1)
  t.equal(net.delivered, 6, 'renew, renewAck, prepare, promise, accept, accepted: all loopback, no wait')
})

t.test('a joiner whose seed list repeats one ID still joins (JOIN fan-out is bounded)', async t => {
  // Six entries, one distinct ID: fewer than JOIN_FANOUT distinct seeds. Drawing until 4 distinct
  // ones came up never ended here.
  const net = new Net()
  const a = net.add('a', true)
  const b = net.add('b', false, ['a', 'a', 'a', 'a', 'a', 'a'])
  net.advance(2000)
  t.ok(b.isMember, 'b joined through its one distinct seed')
  t.same([...a.state!.members.keys()].sort(), ['a', 'b'])
})

t.test('a joiner that learns of its JOIN only by a DECIDED gets the state it cannot build', async t => {
  // How a cluster that starts at once joins: the seeds are live gossip members, most of them not
  // IPAM members yet, so a joiner's next JOIN may not reach a member for a long time. The DECIDED
  // of its JOIN reaches it, and it has no state to apply it to: its fetch asked for the slots
  // from 1, the member sent that DECIDED again, and so on. 200 nodes of
  // test/sim/ipam-stack-sim.test.ts took 33-82 virtual s to all be members.
  const net = new Net()
  const a = net.add('a', true)
  const seeds = ['a']
  const b = net.add('b', false, seeds)
  net.advance(100)
  t.ok(a.state!.members.has('b'), 'b\'s one JOIN reached a and is decided')
  seeds.splice(0, 1, 'x', 'y') // from now on its JOINs go to nodes that are not members
  net.advance(2000)
  t.ok(b.isMember, 'b has the state')
  t.equal(b.state?.slot, a.state!.slot)
  t.ok(b.leaseValid(net.now), 'and uses it: its lease is renewed')
})

t.test('a late copy of a RELEASE never frees the block its owner claimed again (ABA)', async t => {
  // What seed 1159991801 of test/sim/ipam-stack-sim.test.ts hit: b releases a block and claims the
  // same one again (its hash probe starts there); a coordinator still holding the forwarded
  // RELEASE (kept 2 s) proposes it once more. Without the epoch it freed b's new ownership while
  // b was allocating in it.
  const net = new Net()
  const a = net.add('a', true)
  const b = net.add('b', false, ['a'])
  const c = net.add('c', false, ['a'])
  net.advance(2000)
  b.wantBlocks = 1
  net.advance(300)
  b.wantBlocks = 0
  net.advance(300)
  const blk = a.state!.blocks.findIndex(r => r?.state === 'owned' && r.owner === 'b')
  t.ok(blk >= 0, 'b owns a block')
  const firstEpoch = a.state!.blocks[blk]!.epoch
  const oldRelease = { type: 'release' as const, node: 'b', block: blk, epoch: firstEpoch }
  b.propose(oldRelease)
  net.advance(300)
  t.equal(blockOwner(a.state!, blk), null, 'the release is decided')
  b.wantBlocks = 1
  net.advance(300)
  b.wantBlocks = 0
  net.advance(300)
  t.equal(blockOwner(a.state!, blk), 'b', 'b claimed the same block again')
  const secondEpoch = a.state!.blocks[blk]!.epoch
  t.ok(secondEpoch > firstEpoch)
  // The late copy, forwarded by b to coordinator c as it would have been before.
  c.receive({ from: 'b', clusterId: 'a', applied: c.state!.slot, body: { type: 'request', ops: [oldRelease] } }, net.now)
  c.propose({ type: 'release', node: 'c', block: 0, epoch: 0 }) // something of its own, so c proposes
  net.advance(1000)
  for (const r of [a, b, c]) {
    t.equal(blockOwner(r.state!, blk), 'b', 'the block stays b\'s')
    t.equal(r.state!.blocks[blk]!.epoch, secondEpoch, 'under its second claim')
  }
})

t.test('joins, then claims by three nodes land on distinct blocks; every replica agrees', async t => {
  const net = new Net()
  const a = net.add('a', true)
  const b = net.add('b', false, ['a'])
  const c = net.add('c', false, ['a'])
  net.advance(2000)
  t.same([...a.state!.members.keys()].sort(), ['a', 'b', 'c'])
  for (const r of [a, b, c]) r.wantBlocks = 1
  net.advance(300)
  for (const r of [a, b, c]) r.wantBlocks = 0
  net.advance(300)
  const owners = a.state!.blocks.filter(r => r?.state === 'owned').map(r => r!.owner)
  t.same([...new Set(owners)].sort(), ['a', 'b', 'c'], 'each got blocks of its own (a block record has one owner)')
  t.same(b.state!.blocks, a.state!.blocks)
  t.same(c.state!.blocks, a.state!.blocks)
})

t.test('competing proposals for one slot: at most one value is chosen', async t => {
  for (let seed = 0; seed < 30; seed++) {
    const net = new Net()
    const a = net.add('a', true)
    const b = net.add('b', false, ['a'])
    const c = net.add('c', false, ['a'])
    net.advance(1500)
    const rng = makeRng(seed)
    // Drop a random 30 % of messages while both b and c propose a claim of block 5.
    net.cut = () => rng() < 0.3
    b.propose({ type: 'release', node: 'b', block: 0, epoch: 0 }) // harmless op so b proposes on its own
    c.propose({ type: 'release', node: 'c', block: 0, epoch: 0 })
    // Force the race: hand both the same slot with their own values.
    const slot = a.state!.slot + 1
    b.receive({
      from: 'a', clusterId: 'a', applied: slot - 1, body: { type: 'prepare', slot, ballot: { round: 50, node: 'b' } }
    }, net.now)
    net.advance(3000)
    net.cut = () => false
    net.advance(1000)
    t.same(b.state!.blocks, a.state!.blocks, `seed ${seed}`)
    t.same(c.state!.blocks, a.state!.blocks, `seed ${seed}`)
    t.equal(a.state!.slot, c.state!.slot)
  }
})

t.test('a promise survives a restart with state', async t => {
  const a = new ClaimsReplica({ id: 'a', blockCount: BLOCKS, bootstrap: true, seeds: [], random: Math.random }, null, 0)
  a.receive({ from: 'x', clusterId: 'a', applied: 0, body: { type: 'prepare', slot: 1, ballot: { round: 7, node: 'x' } } },
    0)
  t.ok(a.dirty, 'the promise must be persisted before the reply leaves')
  t.same(a.outbox[0]!.msg.body,
    { type: 'promise', slot: 1, ballot: { round: 7, node: 'x' }, ok: true, accepted: undefined })
  const saved = a.durable()
  const a2 = new ClaimsReplica({ id: 'a', blockCount: BLOCKS, bootstrap: true, seeds: [], random: Math.random }, saved,
    10)
  a2.receive({
    from: 'y',
    clusterId: 'a',
    applied: 0,
    body: { type: 'accept', slot: 1, ballot: { round: 6, node: 'y' }, ops: [{ type: 'claim', node: 'y', block: 1 }] }
  }, 10)
  t.match(a2.outbox[0]!.msg.body, { type: 'accepted', ok: false, promised: { round: 7, node: 'x' } },
    'a lower ballot is refused after restart')
})

t.test('REMOVE is accepted only after the grace period on the acceptor\'s own clock', async t => {
  const net = new Net()
  const a = net.add('a', true)
  const b = net.add('b', false, ['a'])
  net.add('c', false, ['a'])
  net.advance(1500)
  net.down.add('c')
  a.suspect('c', false)
  net.advance(200)
  t.not(a.state!.members.get('c')!.suspectSlot, 0, 'c is suspected')
  // Someone proposes REMOVE too early: refused.
  const slot = a.state!.slot + 1
  a.receive({
    from: 'b',
    clusterId: 'a',
    applied: slot - 1,
    body: { type: 'accept', slot, ballot: { round: 99, node: 'b' }, ops: [{ type: 'remove', node: 'c' }] }
  }, net.now)
  t.match(a.outbox.at(-1)!.msg.body, { type: 'accepted', ok: false })
  a.outbox.length = 0
  net.advance(GRACE - 600)
  t.ok(a.state!.members.has('c'), 'not removed before the grace period')
  net.advance(3000)
  t.notOk(a.state!.members.has('c'), 'removed after it')
  t.notOk(b.state!.members.has('c'))
  t.equal(a.state!.members.size, 2)
})

t.test('a partitioned owner is fenced (lease lapsed) before anyone can get its block', async t => {
  const net = new Net()
  const a = net.add('a', true)
  net.add('b', false, ['a'])
  const c = net.add('c', false, ['a'])
  net.advance(1500)
  c.wantBlocks = 1
  net.advance(300)
  c.wantBlocks = 0
  const block = a.state!.blocks.findIndex(r => r?.owner === 'c')
  t.ok(block >= 0)
  t.ok(c.leaseValid(net.now))
  // Partition c away; the others falsely-or-not think it is dead and rmpeer it.
  net.cut = (x, y) => (x === 'c') !== (y === 'c')
  const cutAt = net.now
  a.suspect('c', true)
  let fencedAt = -1
  let removedAt = -1
  for (let i = 0; i < 200 && removedAt < 0; i++) {
    net.advance(50)
    if (fencedAt < 0 && !c.leaseValid(net.now)) fencedAt = net.now
    if (!a.state!.members.has('c')) removedAt = net.now
  }
  t.ok(fencedAt > 0 && fencedAt - cutAt <= LEASE, `c fenced itself ${fencedAt - cutAt} ms after the cut`)
  t.ok(removedAt > fencedAt, `c removed at +${removedAt - cutAt} ms, after it was fenced at +${fencedAt - cutAt} ms`)
  t.equal(blockOwner(a.state!, block), null, 'its block is free again')
  t.equal(blockOwner(c.state!, block), 'c', 'c still believes it owns the block ...')
  t.notOk(c.leaseValid(net.now), '... but may not use it')
  // Heal: c learns it was removed.
  net.cut = () => false
  net.advance(3000)
  t.ok(c.isRemoved)
})

t.test('a minority cannot claim; the majority can', async t => {
  const net = new Net()
  const a = net.add('a', true)
  const b = net.add('b', false, ['a'])
  const c = net.add('c', false, ['a'])
  net.advance(1500)
  net.cut = (x, y) => (x === 'c') !== (y === 'c')
  c.wantBlocks = 1
  b.wantBlocks = 1
  net.advance(2000)
  t.equal(c.state!.blocks.filter(r => r?.owner === 'c').length, 0, 'c (1 of 3) got nothing')
  t.ok(a.state!.blocks.filter(r => r?.owner === 'b').length >= 1, 'b (with a: 2 of 3) got a block')
  t.notOk(c.leaseValid(net.now), 'and c cannot renew its lease')
})

t.test('renewals are refused across a config change', async t => {
  const net = new Net()
  const a = net.add('a', true)
  net.add('b', false, ['a'])
  net.advance(1500)
  const cfg = a.state!.configSlot
  a.receive({ from: 'b', clusterId: 'a', applied: 0, body: { type: 'renew', seq: 1, configSlot: cfg - 1 } }, net.now)
  t.match(a.outbox.at(-1)!.msg.body, { type: 'renewAck', ok: false })
  a.receive({ from: 'b', clusterId: 'a', applied: 0, body: { type: 'renew', seq: 2, configSlot: cfg } }, net.now)
  t.match(a.outbox.at(-1)!.msg.body, { type: 'renewAck', ok: true })
  const slot = a.state!.slot + 1
  a.receive({
    from: 'b',
    clusterId: 'a',
    applied: 0,
    body: { type: 'accept', slot, ballot: { round: 90, node: 'b' }, ops: [{ type: 'join', node: 'z' }] }
  }, net.now)
  a.receive({ from: 'b', clusterId: 'a', applied: 0, body: { type: 'renew', seq: 3, configSlot: cfg } }, net.now)
  t.match(a.outbox.at(-1)!.msg.body, { type: 'renewAck', ok: false }, 'an accepted JOIN in the open slot blocks renewals')
  a.receive({ from: 'x', clusterId: 'other', applied: 0, body: { type: 'renew', seq: 3, configSlot: cfg } }, net.now)
  t.equal(a.ignored, 1, 'another cluster is ignored and counted')
})
