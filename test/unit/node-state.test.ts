/**
 * Per-node state channel: publish → piggybacked delta / push-pull full state → listeners and
 * snapshots on other nodes; versions (stale, newer generation), death, bounds and hostile input;
 * signed entries (a member forging another node's value, replays, keys not pinned yet).
 */
import t from 'tap'
import { createHash } from 'node:crypto'
import { NodeStateChannel } from '../../control/node/node-state'
import {
  decodeNodeState, encodeNodeStateDelta, encodeNodeStateFull, NODE_STATE_TAG, NODE_STATE_FULL, nodeStatePayload,
  type NodeStateEntry
} from '../../control/node/node-state-codec'
import { Membership, type Outgoing } from '../../control/membership/membership'
import { RecordSigner, RecordVerifier } from '../../control/membership/member-signing'
import type { MemberRecord } from '../../control/transport/gossip-codec'
import { encodeGossipPacket } from '../../control/transport/gossip-codec'

const id = (i: number): string => i.toString(16).padStart(32, '0')
function channel (i: number, generation = 1, size = 3): NodeStateChannel {
  return new NodeStateChannel({ clusterSize: () => size }, { selfId: id(i), selfName: `node${i}`, generation })
}
function entry (over: Partial<NodeStateEntry> = {}): NodeStateEntry {
  return {
    nodeId: id(2),
    nodeName: 'node2',
    topic: 'multicast',
    generation: 1,
    seq: 1,
    value: Buffer.from([239, 1, 2, 3]),
    ...over
  }
}
type Ev = [string, string, string, string | undefined]
function record (c: NodeStateChannel): Ev[] {
  const evs: Ev[] = []
  c.onChange((nodeId, nodeName, topic,
    value) => evs.push([nodeId, nodeName, topic, value === undefined ? undefined : Buffer.from(value).toString('hex')]))
  return evs
}

t.test('a published value reaches another node by delta and by full state', async (t) => {
  const a = channel(1)
  const b = channel(2)
  const c = channel(3)
  const evs = record(b)
  a.publishLocal('multicast', Buffer.from([239, 1, 1, 1]))
  const deltas = a.deltasToPiggyback(1200)
  t.equal(deltas.length, 1)
  b.receive({ type: 'deltas', deltas, fromNodeId: id(1) })
  t.same(evs, [[id(1), 'node1', 'multicast', 'ef010101']])
  t.same(b.snapshot('multicast').map((v) => v.nodeName), ['node1'])
  // b relays what it learned by delta (epidemic), c learns by push-pull from b as well
  t.equal(b.deltasToPiggyback(1200).length, 1, 'a newly learned entry is re-gossiped')
  c.receive({ type: 'full', state: b.fullState(), fromNodeId: id(2) })
  t.same(c.snapshot('multicast').map((v) => [v.nodeId, Buffer.from(v.value).toString('hex')]), [[id(1), 'ef010101']])
  t.same(a.snapshot('multicast').map((v) => v.nodeName), ['node1'], 'self is in its own snapshot')
  t.same(b.snapshot('pods'), [], 'topics are separate')
})

t.test('versions: stale and equal ignored, newer replaces, a newer generation drops the old life', async (t) => {
  const b = channel(1)
  const evs = record(b)
  const d = (e: NodeStateEntry): void => b.receive({
    type: 'deltas', deltas: [encodeNodeStateDelta(e)], fromNodeId: id(9)
  })
  d(entry({ seq: 5 }))
  d(entry({ topic: 'pods', seq: 6, value: Buffer.from('p') }))
  d(entry({ seq: 5, value: Buffer.from('x') }))
  d(entry({ seq: 4, value: Buffer.from('y') }))
  t.equal(b.counters.entriesStale, 2)
  d(entry({ seq: 7, value: Buffer.from('z') }))
  t.equal(Buffer.from(b.snapshot('multicast')[0].value).toString(), 'z')
  // restart: generation 2, seq starts again at 1 and wins; the old life's `pods` is gone
  d(entry({ generation: 2, seq: 1, value: Buffer.from('new') }))
  t.same(b.snapshot('pods'), [])
  t.same(evs.slice(-2),
    [[id(2), 'node2', 'pods', undefined], [id(2), 'node2', 'multicast', Buffer.from('new').toString('hex')]])
  d(entry({ topic: 'pods', generation: 1, seq: 99 }))
  t.same(b.snapshot('pods'), [], 'an echo of the previous life is refused')
})

t.test('death drops a node\'s entries, ignores relayed copies, alive lets it back', async (t) => {
  const b = channel(1)
  const evs = record(b)
  b.receive({ type: 'deltas', deltas: [encodeNodeStateDelta(entry())], fromNodeId: id(2) })
  const full = channel(3)
  full.receive({ type: 'deltas', deltas: [encodeNodeStateDelta(entry())], fromNodeId: id(2) })
  b.noteMemberState(id(2), 'dead')
  t.same(evs.at(-1), [id(2), 'node2', 'multicast', undefined])
  t.same(b.snapshot('multicast'), [])
  t.same(b.deltasToPiggyback(1200), [], 'no longer gossiped')
  b.receive({ type: 'full', state: full.fullState(), fromNodeId: id(3) })
  t.same(b.snapshot('multicast'), [], 'a stale relayed copy does not resurrect it')
  t.equal(b.counters.entriesOfDeadNodes, 1)
  b.noteMemberState(id(2), 'alive')
  b.receive({ type: 'full', state: full.fullState(), fromNodeId: id(3) })
  t.equal(b.snapshot('multicast').length, 1)
  b.noteMemberState(id(2), 'left')
  t.same(b.snapshot('multicast'), [])
  b.noteMemberState(id(1), 'dead')
})

t.test('a forged or echoed entry about ourselves is out-published', async (t) => {
  const a = channel(1, 3)
  a.publishLocal('multicast', Buffer.from('mine'))
  a.deltasToPiggyback(1200)
  a.receive({
    type: 'deltas',
    deltas: [encodeNodeStateDelta(entry({
      nodeId: id(1), nodeName: 'node1', generation: 3, seq: 50, value: Buffer.from('forged')
    }))],
    fromNodeId: id(2)
  })
  const b = channel(2)
  b.receive({
    type: 'deltas',
    deltas: [encodeNodeStateDelta(entry({
      nodeId: id(1), nodeName: 'node1', generation: 3, seq: 50, value: Buffer.from('forged')
    }))],
    fromNodeId: id(9)
  })
  b.receive({ type: 'deltas', deltas: a.deltasToPiggyback(1200), fromNodeId: id(1) })
  t.equal(Buffer.from(b.snapshot('multicast')[0].value).toString(), 'mine')
  t.equal(Buffer.from(a.snapshot('multicast')[0].value).toString(), 'mine', 'own value unchanged')
})

t.test('retransmit limit and UDP budget', async (t) => {
  const a = channel(1, 1, 2) // limit = 4·ceil(log10 3) = 4
  a.publishLocal('multicast', Buffer.alloc(100))
  a.publishLocal('pods', Buffer.alloc(2000))
  let sent = 0
  for (let i = 0; i < 10; i++) sent += a.deltasToPiggyback(1200).length
  t.equal(sent, 4, 'the small one 4 times; the 2000-byte one never fits a datagram')
  t.equal(a.deltasToPiggyback(5000).length, 1, 'the big one is still queued for a larger budget')
  const s = decodeNodeState(a.fullState())
  t.equal(s.type === 'full' ? s.entries.length : -1, 2, 'push-pull carries both')
})

t.test('bounds: topic names, value sizes, topics per node, validators', async (t) => {
  const a = channel(1)
  t.throws(() => a.publishLocal('Bad Topic', Buffer.alloc(1)))
  t.throws(() => a.publishLocal('x'.repeat(65), Buffer.alloc(1)))
  t.throws(() => a.publishLocal('big', Buffer.alloc(32 * 1024 + 1)))
  a.defineTopic('multicast', { maxBytes: 8, validate: (v) => v.length % 4 === 0 })
  t.throws(() => a.publishLocal('multicast', Buffer.alloc(12)))
  const d = (e: NodeStateEntry): void => a.receive({
    type: 'deltas', deltas: [encodeNodeStateDelta(e)], fromNodeId: id(2)
  })
  d(entry({ value: Buffer.alloc(3) }))
  d(entry({ value: Buffer.alloc(12) }))
  t.equal(a.counters.entriesRejected, 2)
  t.same(a.snapshot('multicast'), [])
  for (let i = 0; i < 17; i++) d(entry({ topic: `t${i}`, seq: i + 1 }))
  t.equal(a.snapshot('t15').length, 1)
  t.equal(a.snapshot('t16').length, 0, 'the 17th topic of one node is refused')
  for (let i = 0; i < 16; i++) a.publishLocal(`own${i}`, Buffer.alloc(1))
  t.throws(() => a.publishLocal('own16', Buffer.alloc(1)))
  a.publishLocal('own3', Buffer.alloc(2)) // replacing an existing topic is fine
})

t.test('hostile bytes are counted, never thrown', async (t) => {
  const a = channel(1)
  const bad: Uint8Array[] = [
    Buffer.alloc(0), Buffer.from([0x4c, 0x47]), Buffer.from([NODE_STATE_TAG, 9, 1]),
    Buffer.from([NODE_STATE_TAG, 1, 0xff, 0xff, 0xff]),
    encodeNodeStateDelta(entry()).subarray(0, 10),
    encodeNodeStateDelta(entry({ seq: 0 })),
    encodeNodeStateDelta(entry({ nodeName: '' })),
    encodeNodeStateDelta(entry({ nodeName: 'n'.repeat(254) })),
    encodeNodeStateDelta(entry({ value: Buffer.alloc(40_000) })),
    Buffer.from([NODE_STATE_TAG, NODE_STATE_FULL, 0x08, 0x01]),
  ]
  // wrong node-id length, built by hand: field 1 (bytes) of 3 bytes
  bad.push(Buffer.from([NODE_STATE_TAG, 1, 0x0a, 3, 1, 2, 3, 0x12, 1, 0x61, 0x1a, 1, 0x61, 0x28, 1]))
  for (const b of bad) a.receive({ type: 'deltas', deltas: [b], fromNodeId: id(2) })
  t.equal(a.counters.decodeFailures, bad.length)
  t.same(a.snapshot('multicast'), [])
  // a full state with too many entries is refused before it is materialised
  const many = Array.from({ length: 20_001 }, (_, i) => entry({ seq: i + 1, value: Buffer.alloc(0) }))
  a.receive({ type: 'full', state: encodeNodeStateFull(many), fromNodeId: id(2) })
  t.equal(a.counters.decodeFailures, bad.length + 1)
  // one bad entry in a full state does not hide the good ones
  a.receive({
    type: 'full',
    state: encodeNodeStateFull([entry({ nodeName: '' }), entry({ nodeId: id(4), nodeName: 'node4' })]),
    fromNodeId: id(2)
  })
  t.equal(a.counters.entriesRejected, 1)
  t.same(a.snapshot('multicast').map((v) => v.nodeName), ['node4'])
})

t.test('the full state is capped, own entries first', async (t) => {
  const a = new NodeStateChannel({ clusterSize: () => 3 },
    { selfId: id(1), selfName: 'node1', generation: 1, limits: { maxFullBytes: 3000 } })
  a.publishLocal('mine', Buffer.alloc(1000))
  for (let i = 2; i < 10; i++) {
    a.receive({
      type: 'deltas',
      deltas: [encodeNodeStateDelta(entry({ nodeId: id(i), value: Buffer.alloc(900) }))],
      fromNodeId: id(i)
    })
  }
  const s = decodeNodeState(a.fullState())
  if (s.type !== 'full') throw new Error('not full')
  t.equal(s.entries[0].nodeId, id(1))
  t.ok(s.entries.length >= 2 && s.entries.length <= 3)
  t.ok(a.fullState().length <= 3000 + 2)
})

// ---- riding on real Membership -----------------------------------------------------------------

function rec (i: number): MemberRecord {
  return {
    nodeName: `node${i}`,
    nodeId: id(i),
    address: `10.0.0.${i}`,
    dataPort: 6784,
    gossipPort: 7946,
    encapsulation: 'udp',
    vtepMac: Buffer.from([2, 0, 0, 0, 0, i]),
    publicKey: Buffer.alloc(32, i),
    incarnation: 0,
    state: 'alive',
  }
}

t.test('over three Membership instances: a join spreads within a gossip round, death removes it', async (t) => {
  const all = [1, 2, 3].map(rec)
  const nodes = new Map<string, { m: Membership, c: NodeStateChannel }>()
  for (const i of [1, 2, 3]) {
    const { state: _s, incarnation: _i, ...self } = rec(i)
    const m = new Membership({ random: () => 0.5 }, { self, clusterId: 'c', initialMembers: all })
    const c = new NodeStateChannel({ clusterSize: () => 3 },
      { selfId: id(i), selfName: `node${i}`, generation: m.incarnation })
    m.attachAppState(c)
    m.onMemberChange((v) => c.noteMemberState(v.nodeId, v.state))
    nodes.set(`10.0.0.${i}:7946`, { m, c })
  }
  const down = new Set<string>()
  let largestUdp = 0
  const deliver = (from: string, out: Outgoing[], now: number): void => {
    for (const o of out) {
      if (o.channel === 'udp') largestUdp = Math.max(largestUdp, encodeGossipPacket(o.packet).length)
      if (down.has(from) || down.has(o.to)) continue
      const n = nodes.get(o.to)
      if (n !== undefined) deliver(o.to, n.m.receive(from, o.packet, now), now)
    }
  }
  const run = (from: number, to: number): void => {
    for (let now = from; now <= to; now += 100) {
      for (const [a, n] of nodes) {
        if (!down.has(a)) {
          deliver(a, n.m.tick(now),
            now)
        }
      }
    }
  }
  run(0, 1000)
  nodes.get('10.0.0.2:7946')!.c.publishLocal('multicast', Buffer.from([239, 1, 2, 3]))
  run(1100, 1500)
  for (const i of [1, 3]) {
    t.same(nodes.get(`10.0.0.${i}:7946`)!.c.snapshot('multicast').map((v) => v.nodeName),
      ['node2'], `node${i} learned within 0.5 s`)
  }
  t.ok(largestUdp <= 1400, 'deltas stay within the UDP budget')
  down.add('10.0.0.2:7946')
  run(1600, 40_000)
  for (const i of [1, 3]) {
    t.same(nodes.get(`10.0.0.${i}:7946`)!.c.snapshot('multicast'), [],
    `node${i} dropped the dead node's groups`)
  }
})

// ---- signed entries ----------------------------------------------------------------------------

/** Member signing keys of nodes 1..5 (RecordSigner, as gossip-mode.ts builds them). */
const signers = new Map([1, 2, 3, 4, 5].map((i) =>
  [id(i), new RecordSigner(createHash('sha256').update(`k${i}`).digest())]))
/** The keys membership would have pinned (all five, unless a test takes one out). */
function pinnedAll (): Map<string, Uint8Array> {
  return new Map([...signers].map(([nodeId, s]) => [nodeId, s.signingKey]))
}
/** Node i's channel, signing as gossip-mode.ts wires it, with the pinned keys from `pinnedKey`. */
function signedChannelOf (i: number, verifier: RecordVerifier, pinnedKey: (nodeId: string) => Uint8Array | undefined,
  generation: number): NodeStateChannel {
  const signer = signers.get(id(i))!
  return new NodeStateChannel({
    clusterSize: () => 3,
    signing: {
      sign: (p) => signer.signPayload(p),
      pinnedKey,
      verify: (k, p, s) => verifier.verifyPayload(k, p, s),
    },
  }, { selfId: id(i), selfName: `node${i}`, generation })
}
interface Signed { c: NodeStateChannel, verifier: RecordVerifier, pinned: Map<string, Uint8Array> }
function signedChannel (i: number, pinned = pinnedAll(), generation = 1): Signed {
  const verifier = new RecordVerifier()
  return { c: signedChannelOf(i, verifier, (nodeId) => pinned.get(nodeId), generation), verifier, pinned }
}
const sig = (e: NodeStateEntry, by: number): Uint8Array => signers.get(id(by))!.signPayload(nodeStatePayload(e))
const deltaOf = (bufs: Uint8Array[]): NodeStateEntry => {
  const d = decodeNodeState(bufs[0])
  if (d.type !== 'delta') throw new Error('not a delta')
  return d.entry
}
const values = (c: NodeStateChannel, topic = 'multicast'): string[] =>
  c.snapshot(topic).map((v) => `${v.nodeName}=${Buffer.from(v.value).toString('hex')}@${v.generation}.${v.seq}`)

t.test('codec: the signature is 0 or 64 bytes, round-trips, and the payload has a fixed layout', async (t) => {
  const e = entry({ nodeId: id(2), generation: 3, seq: 0x0102, value: Buffer.from([9, 8]) })
  const want = Buffer.concat([Buffer.from('loom node state v1'), Buffer.from(id(2), 'hex'),
    Buffer.from([0, 0, 0, 3, 0, 0, 1, 2, 0, 5]), Buffer.from('node2'), Buffer.from([9]), Buffer.from('multicast'),
    Buffer.from([0, 0, 0, 2, 9, 8])])
  t.same(nodeStatePayload(e), want, 'payload vector')
  t.same(nodeStatePayload({ ...e, signature: Buffer.alloc(64, 1) }), want, 'the signature is not signed')
  const s = sig(e, 2)
  const d = decodeNodeState(encodeNodeStateDelta({ ...e, signature: s }))
  t.same(d.type === 'delta' ? Buffer.from(d.entry.signature!) : undefined, Buffer.from(s))
  const u = decodeNodeState(encodeNodeStateDelta(e))
  t.equal(u.type === 'delta' && u.entry.signature, undefined, 'absent stays absent')
  for (const n of [1, 63, 65, 200]) {
    const bad = decodeNodeState(encodeNodeStateDelta({ ...e, signature: Buffer.alloc(n) }))
    t.equal(bad.type === 'failure' ? bad.reason : bad.type, 'bad-entry', `${n}-byte signature refused`)
  }
  const full = decodeNodeState(encodeNodeStateFull([{ ...e, signature: Buffer.alloc(63) }, { ...e, signature: s }]))
  t.equal(full.type === 'full' ? `${full.entries.length}/${full.rejected}` : full.type, '1/1',
    'one bad entry in a full state')
  // the largest delta (longest name and topic, largest value, a signature) is within the decoder's bound
  const big = entry({
    nodeName: 'n'.repeat(253),
    topic: 't'.repeat(64),
    generation: 0xffffffff,
    seq: 0xffffffff,
    value: Buffer.alloc(32 * 1024),
    signature: Buffer.alloc(64),
  })
  t.equal(decodeNodeState(encodeNodeStateDelta(big)).type, 'delta')
  t.throws(() => signers.get(id(1))!.signPayload(Buffer.from('loom member record v1 and more')),
    'the node-state signer never signs in the member record domain')
})

t.test('signed: a publish propagates through a relay with its signature unchanged', async (t) => {
  const a = signedChannel(1)
  const b = signedChannel(2)
  const c = signedChannel(3)
  a.c.publishLocal('multicast', Buffer.from([239, 1, 1, 1]))
  const sent = a.c.deltasToPiggyback(1200)
  t.equal(deltaOf(sent).signature?.length, 64, 'own entries are signed')
  b.c.receive({ type: 'deltas', deltas: sent, fromNodeId: id(1) })
  const relayed = b.c.deltasToPiggyback(1200)
  t.same(Buffer.from(deltaOf(relayed).signature!), Buffer.from(deltaOf(sent).signature!), 'relayed as signed')
  c.c.receive({ type: 'deltas', deltas: relayed, fromNodeId: id(2) })
  t.same(values(c.c), ['node1=ef010101@1.1'])
  const d = signedChannel(4)
  d.c.receive({ type: 'full', state: b.c.fullState(), fromNodeId: id(2) })
  t.same(values(d.c), ['node1=ef010101@1.1'], 'and by push-pull')
  // known entries again: nothing to verify
  const before = c.verifier.verified
  for (let i = 0; i < 3; i++) c.c.receive({ type: 'full', state: b.c.fullState(), fromNodeId: id(2) })
  c.c.receive({ type: 'deltas', deltas: relayed, fromNodeId: id(2) })
  t.equal(c.verifier.verified, before, 'push-pulls of held entries cost no signature check')
  t.equal(c.c.counters.entriesStale, 4)
})

t.test('signed: a member forging another node\'s entry is refused and counted, the held value unchanged',
  async (t) => {
    const a = signedChannel(1)
    const c = signedChannel(3)
    const evs = record(c.c)
    a.c.publishLocal('multicast', Buffer.from([239, 1, 1, 1]))
    const v1 = deltaOf(a.c.deltasToPiggyback(1200))
    a.c.publishLocal('multicast', Buffer.from([239, 2, 2, 2]))
    const v2 = deltaOf(a.c.deltasToPiggyback(1200))
    c.c.receive({ type: 'deltas', deltas: [encodeNodeStateDelta(v2)], fromNodeId: id(1) })
    t.same(values(c.c), ['node1=ef020202@1.2'])
    t.equal(evs.length, 1)
    const attract = Buffer.from([239, 9, 9, 9])
    const mine = { ...v2, seq: 3, value: attract }
    const forged: Array<[string, NodeStateEntry]> = [
      // node 4 (a member: its key is pinned) puts its own group into node1's entry, signed by itself
      ['the forger\'s own signature', { ...mine, signature: sig(mine, 4) }],
      // node1's genuine signature, on other content
      ['a genuine signature on another value', { ...v2, seq: 3, value: attract }],
      // node1's older value replayed above the held one
      ['an older signed value with a higher seq', { ...v1, seq: 3 }],
      ['an older signed value in a newer generation', { ...v1, generation: 2 }],
      ['another node\'s name', { ...v2, seq: 3, nodeName: 'node4' }],
      ['a flipped signature bit', { ...v2, seq: 3, signature: Buffer.from(v2.signature!).fill(0, 0, 1) }],
    ]
    for (const [what, e] of forged) {
      c.c.receive({ type: 'deltas', deltas: [encodeNodeStateDelta(e)], fromNodeId: id(4) })
      t.same(values(c.c), ['node1=ef020202@1.2'], `${what}: refused by delta`)
      c.c.receive({ type: 'full', state: encodeNodeStateFull([e]), fromNodeId: id(4) })
      t.same(values(c.c), ['node1=ef020202@1.2'], `${what}: refused by push-pull`)
    }
    t.equal(c.c.counters.entriesBadSignature, forged.length * 2)
    const { signature: _s, ...unsigned } = v2
    c.c.receive({
      type: 'deltas', deltas: [encodeNodeStateDelta({ ...unsigned, seq: 9, value: attract })], fromNodeId: id(4)
    })
    t.equal(c.c.counters.entriesUnsigned, 1, 'an unsigned entry is refused')
    t.equal(evs.length, 1, 'no listener heard of any forgery')
    t.same(c.c.deltasToPiggyback(1200).map((b) => deltaOf([b]).seq), [2], 'only the genuine entry is relayed')
    // a forged entry about ourselves neither wins nor pushes our version up
    while (a.c.deltasToPiggyback(1200).length > 0);
    const high = { ...v2, generation: 0xfffffff0, seq: 7, value: attract }
    a.c.receive({
      type: 'deltas', deltas: [encodeNodeStateDelta({ ...high, signature: sig(high, 4) })], fromNodeId: id(4)
    })
    t.same(a.c.deltasToPiggyback(1200), [], 'no republish')
    t.equal(a.c.counters.entriesBadSignature, 1)
    a.c.publishLocal('multicast', Buffer.from([239, 3, 3, 3]))
    t.same(values(a.c), ['node1=ef030303@1.3'], 'our version moves on from our own, not the forger\'s')
  })

t.test('signed: a previous life\'s genuine echo is still out-published', async (t) => {
  const old = signedChannel(1, pinnedAll(), 5)
  old.c.publishLocal('multicast', Buffer.from('old'))
  for (let i = 0; i < 6; i++) old.c.publishLocal('multicast', Buffer.from('old'))
  const echo = deltaOf(old.c.deltasToPiggyback(1200)) // generation 5, seq 7
  const now = signedChannel(1, pinnedAll(), 4) // a lower generation cannot happen, but tests the rule
  now.c.publishLocal('multicast', Buffer.from('new'))
  now.c.deltasToPiggyback(1200)
  now.c.receive({ type: 'deltas', deltas: [encodeNodeStateDelta(echo)], fromNodeId: id(2) })
  const again = deltaOf(now.c.deltasToPiggyback(1200))
  t.same([again.generation, again.seq, Buffer.from(again.value).toString()], [5, 8, 'new'])
  t.equal(now.c.counters.entriesBadSignature, 0)
})

t.test('signed: an entry whose node has no pinned key yet is dropped, counted, and comes again by push-pull',
  async (t) => {
    const a = signedChannel(1)
    const b = signedChannel(2)
    const pinned = pinnedAll()
    pinned.delete(id(1))
    const c = signedChannel(3, pinned)
    a.c.publishLocal('multicast', Buffer.from([239, 1, 1, 1]))
    b.c.receive({ type: 'deltas', deltas: a.c.deltasToPiggyback(1200), fromNodeId: id(1) })
    c.c.receive({ type: 'deltas', deltas: b.c.deltasToPiggyback(1200), fromNodeId: id(2) })
    c.c.receive({ type: 'full', state: b.c.fullState(), fromNodeId: id(2) })
    t.same(values(c.c), [])
    t.equal(c.c.counters.entriesKeyUnknown, 2)
    // membership accepts node1's record (it pins the key), the next push-pull brings the entry
    pinned.set(id(1), signers.get(id(1))!.signingKey)
    c.c.receive({ type: 'full', state: b.c.fullState(), fromNodeId: id(2) })
    t.same(values(c.c), ['node1=ef010101@1.1'])
    // a key pinned for node1 that is not node1's: its genuine entry does not pass either
    const wrong = signedChannel(4, new Map([...pinnedAll(), [id(1), signers.get(id(4))!.signingKey]]))
    wrong.c.receive({ type: 'full', state: b.c.fullState(), fromNodeId: id(2) })
    t.same(values(wrong.c), [])
    t.equal(wrong.c.counters.entriesBadSignature, 1)
  })

t.test('signing off: entries are neither signed nor checked (protocol tests; loomd always signs)', async (t) => {
  const a = channel(1)
  a.publishLocal('multicast', Buffer.from([239, 1, 1, 1]))
  t.equal(deltaOf(a.deltasToPiggyback(1200)).signature, undefined)
  const b = channel(2)
  b.receive({
    type: 'deltas', deltas: [encodeNodeStateDelta(entry({ nodeId: id(1), nodeName: 'node1' }))], fromNodeId: id(3)
  })
  t.equal(b.snapshot('multicast').length, 1)
})

t.test('signed, over three real Memberships: a node whose record arrives late converges by push-pull', async (t) => {
  // node3 starts knowing only node1; node2's entry reaches it (relayed by node1) before node2's
  // record can: refused as key_unknown, then taken from a push-pull after the record.
  const signed = [1, 2, 3].map((i) => signers.get(id(i))!.sign(rec(i), 'alive'))
  const nodes = new Map<string, { m: Membership, c: NodeStateChannel }>()
  for (const i of [1, 2, 3]) {
    const { state: _s, incarnation: _i, signingKey: _k, signature: _g, ...self } = signed[i - 1]
    const signer = signers.get(id(i))!
    const verifier = new RecordVerifier()
    const m = new Membership({ random: () => 0.5, signer, verifier },
      { self, clusterId: 'c', initialMembers: i === 3 ? [signed[0], signed[2]] : signed })
    const c = signedChannelOf(i, verifier, (nodeId) => m.signingKeyOf(nodeId), m.incarnation)
    m.attachAppState(c)
    m.onMemberChange((v) => c.noteMemberState(v.nodeId, v.state))
    nodes.set(`10.0.0.${i}:7946`, { m, c })
  }
  const deliver = (from: string, out: Outgoing[], now: number): void => {
    for (const o of out) {
      // node2 and node3 do not talk directly: node3 hears of node2 only through node1
      if ((from.startsWith('10.0.0.2') && o.to.startsWith('10.0.0.3')) ||
        (from.startsWith('10.0.0.3') && o.to.startsWith('10.0.0.2'))) continue
      const n = nodes.get(o.to)
      if (n !== undefined) deliver(o.to, n.m.receive(from, o.packet, now), now)
    }
  }
  const n3 = nodes.get('10.0.0.3:7946')!
  let now = 0
  const runUntil = (done: () => boolean, limit: number): void => {
    for (; now <= limit && !done(); now += 100) for (const [a, n] of nodes) deliver(a, n.m.tick(now), now)
  }
  nodes.get('10.0.0.2:7946')!.c.publishLocal('multicast', Buffer.from([239, 1, 2, 3]))
  runUntil(() => n3.c.counters.entriesKeyUnknown > 0, 5_000)
  t.ok(n3.c.counters.entriesKeyUnknown > 0, 'node2\'s entry came before its record and was refused')
  t.same(values(n3.c), [])
  runUntil(() => values(n3.c).length > 0, 120_000)
  t.ok(n3.m.signingKeyOf(id(2)) !== undefined, 'node3 learned node2\'s record')
  t.same(values(n3.c), ['node2=ef010203@0.1'], `node3 holds node2's value after ${now} ms`)
  t.equal(n3.c.counters.entriesBadSignature, 0)
})
