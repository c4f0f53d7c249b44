/**
 * Adversarial simulation of the control plane's trust checks (defence in depth behind the
 * gossip seal): 12 nodes, each the real ControlPlane with signed membership on the in-memory
 * transport (sim-cluster.ts, sim-network.ts), plus an attacker's port. The attacker is
 * either a stranger (a node ID nobody knows) or a member with its own valid signing key. Its
 * forged alive/left/suspect/dead rumours, incarnations at the limit, relayed pings and member
 * floods must leave every view of membership untouched; its forged per-node state (another
 * node's multicast groups and pods, under its own signature, replayed or unsigned) is refused
 * by every node's channel. The second half does the same for the
 * IPAM log (forged state/decided/claims from strangers and from members): on ClaimsReplica
 * directly, where the forgeries name senders that the control plane's address check would stop
 * first, and then on the real stack (sim-cluster.ts with IPAM), where each forgery meets the
 * check that stops it first (control plane, driver or replica).
 *
 * Reproduce: LOOM_SIM_SEED=<seed> npx tap dist/test/sim/gossip-trust-sim.test.js
 */
import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import {
  decodeGossipPacket, encodeGossipPacket, GOSSIP_PROTOCOL_VERSION, isDecodeFailure, MAX_INCARNATION,
  STREAM_LIMITS, type GossipBody, type MemberRecord, type MemberUpdate,
} from '../../control/transport/gossip-codec'
import { RecordSigner, RecordVerifier } from '../../control/membership/member-signing'
import { Membership } from '../../control/membership/membership'
import { ClaimsReplica } from '../../control/ipam/replica'
import type { ClaimMsg } from '../../control/ipam/messages'
import { blockOwner } from '../../control/ipam/cluster-state'
import { makeBlockLayout } from '../../control/ipam/blocks'
import { encodeClaimMsg } from '../../control/ipam/codec'
import { IPAM_FRAME_MAGIC } from '../../control/control-plane'
import { frame } from '../../control/transport'
import { SIM_IPAM_TIMING } from './ipam-scenario'
import { NodeStateChannel } from '../../control/node/node-state'
import {
  decodeNodeState, encodeNodeStateDelta, encodeNodeStateFull, nodeStatePayload, type NodeStateEntry,
} from '../../control/node/node-state-codec'
import { encodeGroupSet } from '../../control/multicast'
import { SimCluster, simRecord, type SimNode } from './sim-cluster'
import { simSeed, type SimTransport } from './sim-network'

const SEED = simSeed()
t.comment(`LOOM_SIM_SEED=${SEED}`)
/** Every frame the nodes received decoded, and none made a handler throw. */
function clean (t: Test, c: Cluster): void {
  t.equal(c.sim.decodeFailures, 0, 'every frame decoded')
  t.equal(c.sim.handlerErrors, 0, 'no handler threw')
}
const N = 12
const CLUSTER = 'sim'

function recordFor (i: number): MemberRecord {
  return simRecord(i, `10.0.0.${i + 1}`)
}

/** N signed nodes (real control planes) preloaded with each other, plus the attacker's port. */
class Cluster {
  readonly sim = new SimCluster({
    n: N,
    seed: SEED,
    minDelayMs: 1,
    maxDelayMs: 15,
    preloaded: true,
    signed: true,
    clusterId: CLUSTER,
    addressOf: (i) => `10.0.0.${i + 1}`,
  })

  readonly net = this.sim.net
  readonly nodes: SimNode[] = this.sim.nodes
  /** Frames delivered to the attacker's address (it answers nothing). */
  readonly attackerInbox: Buffer[] = []
  private readonly attacker: SimTransport

  constructor (readonly attackerAddr = '10.0.0.200:7946') {
    this.attacker = this.net.attach(attackerAddr)
    this.attacker.onFrame((_magic, buf) => { this.attackerInbox.push(buf) })
  }

  /** The attacker sends one packet claiming to be `senderId`, to every node (or the first `only`). */
  forge (senderId: string, body: GossipBody, updates: MemberUpdate[] = [], channel: 'udp' | 'stream' = 'udp',
    only = N, appDeltas: Uint8Array[] = []): void {
    for (const n of this.nodes.slice(0, only)) {
      const buf = encodeGossipPacket({
        version: GOSSIP_PROTOCOL_VERSION, clusterId: CLUSTER, senderId, body, updates, appDeltas
      })
      if (channel === 'stream') this.attacker.sendStream(n.addr, buf)
      else this.attacker.sendDatagram(n.addr, buf)
    }
  }

  /** Every node but `except` sees `victim` alive at its own address, incarnation <= `maxInc`. */
  intact (victim: number, maxInc: number, except = -1): string | undefined {
    const want = recordFor(victim)
    for (const n of this.nodes) {
      if (n.index === victim || n.index === except) continue
      const v = n.membership.member(want.nodeId)
      if (v === undefined) return `node ${n.index} forgot ${victim}`
      if (v.state !== 'alive') return `node ${n.index} sees ${victim} ${v.state}`
      if (v.address !== want.address) return `node ${n.index} sees ${victim} at ${v.address}`
      if (v.incarnation > maxInc) return `node ${n.index} sees ${victim} at incarnation ${v.incarnation}`
    }
    const self = this.nodes[victim].membership
    if (self.incarnation > maxInc) return `victim at incarnation ${self.incarnation}`
    return undefined
  }

  rejected (reason: string): number {
    return this.nodes.reduce((n, x) => n + (x.membership.rejected as Record<string, number>)[reason], 0)
  }
}

const VICTIM = 5
const INSIDER = 7
const STRANGER_ID = 'ee'.repeat(16)
const strangerSigner = new RecordSigner(randomBytes(32))

t.test('forged alive for another node: other address, higher incarnation — refused, from a stranger and from a member',
  async t => {
    const c = new Cluster()
    c.net.runFor(5000)
    const victim = recordFor(VICTIM)
    // A member re-signs the victim's record with its own key, pointing it at the attacker.
    const insider = c.nodes[INSIDER].signer!
    const hijack = insider.sign({ ...victim, address: '10.0.0.200', incarnation: 50 }, 'alive')
    // A stranger with a key of its own, and one with no signature at all, and a bit-flipped copy.
    const stranger = strangerSigner.sign({ ...victim, address: '10.0.0.200', incarnation: 60 }, 'alive')
    const unsigned: MemberRecord = { ...victim, address: '10.0.0.200', incarnation: 70 }
    const genuine = c.nodes[VICTIM].membership.member(victim.nodeId)!
    const flipped = { ...genuine, address: '10.0.0.200', incarnation: genuine.incarnation + 1 }
    for (const [from, rec] of [[recordFor(INSIDER).nodeId, hijack], [STRANGER_ID, stranger], [STRANGER_ID, unsigned],
      [recordFor(INSIDER).nodeId, flipped]] as const) {
      c.forge(from, { type: 'gossip' }, [{ member: rec, fromId: from }])
      c.forge(from, { type: 'push-pull', join: false, reply: true, members: [rec], appState: new Uint8Array(0) }, [],
        'stream')
    }
    c.net.runFor(10_000)
    t.equal(c.intact(VICTIM, 1), undefined, 'every node still routes the victim to its own address')
    t.ok(c.rejected('key_changed') >= N - 1, `key_changed ${c.rejected('key_changed')}`)
    t.ok(c.rejected('signature') >= N - 1, `signature ${c.rejected('signature')}`)
    clean(t, c)
  })

t.test('forged suspect/dead/left: no death, no wrap, no refutation forced beyond what is real', async t => {
  const c = new Cluster()
  c.net.runFor(5000)
  const victim = c.nodes[VICTIM].membership.member(recordFor(VICTIM).nodeId)!
  const { lastSeenMs: _a, rttMs: _b, stateChangedAtMs: _c, isSelf: _d, ...rec } = victim
  const forged: MemberRecord[] = [
    { ...rec, state: 'dead', incarnation: 0xffff_ffff }, // over the limit: used to wrap the refutation to 0
    { ...rec, state: 'suspect', incarnation: MAX_INCARNATION }, // at the limit, without the victim's signature
    { ...rec, state: 'dead', incarnation: rec.incarnation + 1000 },
    { ...rec, state: 'left', incarnation: rec.incarnation }, // left needs the victim's own signature
    { ...rec, state: 'left', incarnation: rec.incarnation + 1, signature: undefined },
  ]
  for (const f of forged) {
    c.forge(STRANGER_ID, { type: 'gossip' }, [{ member: f, fromId: STRANGER_ID }])
    c.forge(recordFor(INSIDER).nodeId, { type: 'gossip' }, [{ member: f, fromId: recordFor(INSIDER).nodeId }])
  }
  c.net.runFor(15_000)
  t.equal(c.intact(VICTIM, rec.incarnation), undefined, 'victim alive everywhere at its own incarnation')
  t.equal(c.nodes[VICTIM].membership.counters.refutations, 0, 'the victim never had to refute')
  t.ok(c.rejected('incarnation_limit') >= N, `incarnation_limit ${c.rejected('incarnation_limit')}`)
  t.ok(c.rejected('implausible_incarnation') > 0, `implausible_incarnation ${c.rejected('implausible_incarnation')}`)
  // A suspicion at the victim's real incarnation is what SWIM allows any member: it is refuted.
  c.forge(recordFor(INSIDER).nodeId, { type: 'gossip' },
    [{ member: { ...rec, state: 'suspect' }, fromId: recordFor(INSIDER).nodeId }])
  c.net.runFor(15_000)
  t.equal(c.intact(VICTIM, rec.incarnation + 1), undefined, 'refuted once (incarnation + 1), alive everywhere')
  clean(t, c)
})

t.test('incarnation at the limit: a refutation stops at the cap, never wraps', async t => {
  const signer = new RecordSigner(randomBytes(32))
  const { state: _s, incarnation: _i, ...self } = recordFor(1)
  const m = new Membership({ random: () => 0.5, signer, verifier: new RecordVerifier() },
    { self, clusterId: CLUSTER, lastIncarnation: MAX_INCARNATION - 1 })
  t.equal(m.incarnation, MAX_INCARNATION, 'a restart above MAX-1 starts at the cap')
  const m2 = new Membership({ random: () => 0.5, signer, verifier: new RecordVerifier() },
    { self, clusterId: CLUSTER, lastIncarnation: 0xffff_ffff })
  t.equal(m2.incarnation, MAX_INCARNATION, 'even from a corrupt persisted value')
  m.tick(0)
  const own = m.member(self.nodeId)!
  const accuser = recordFor(2).nodeId
  const pkt = (member: MemberRecord): Parameters<Membership['receive']>[1] => ({
    version: GOSSIP_PROTOCOL_VERSION,
    clusterId: CLUSTER,
    senderId: accuser,
    body: { type: 'gossip' },
    updates: [{ member, fromId: accuser }],
    appDeltas: []
  })
  m.receive('10.0.0.3:7946', pkt({ ...own, state: 'suspect' }), 10)
  t.equal(m.incarnation, MAX_INCARNATION, 'cannot refute past the cap')
  t.equal(m.rejected.incarnation_limit, 1)
})

t.test('ping-req: only from live members, for members at their own address, relayed without rumours', async t => {
  const c = new Cluster()
  c.net.runFor(3000)
  const target = recordFor(3)
  const before = c.nodes.map((n) => n.membership.rejected.ping_req_refused)
  // a stranger asks; a member asks for an outside address; a member asks from another address
  c.forge(STRANGER_ID,
    { type: 'ping-req', seqNo: 1, targetId: target.nodeId, targetAddress: target.address, targetPort: 7946 })
  c.forge(recordFor(INSIDER).nodeId,
    { type: 'ping-req', seqNo: 2, targetId: target.nodeId, targetAddress: '192.0.2.1', targetPort: 7946 })
  c.forge(recordFor(INSIDER).nodeId,
    { type: 'ping-req', seqNo: 3, targetId: target.nodeId, targetAddress: target.address, targetPort: 7946 })
  c.net.runFor(2000)
  const refused = c.nodes.reduce((n, x, i) => n + x.membership.rejected.ping_req_refused - before[i], 0)
  t.ok(refused >= 3 * (N - 1), `refused ${refused} (the insider sends from the attacker's address, not its own)`)
  t.equal(c.attackerInbox.filter((b) => {
    const p = decodeGossipPacket(b, STREAM_LIMITS); return !isDecodeFailure(p) && p.body.type === 'ack' &&
    p.body.seqNo <= 3
  }).length, 0, 'no ack relayed to the attacker')
  clean(t, c)
})

t.test('member flood: 10 000 signed members pushed by a member — the table stays bounded', async t => {
  const c = new Cluster()
  c.net.runFor(3000)
  const insiderId = recordFor(INSIDER).nodeId
  const flooder = new RecordSigner(randomBytes(32))
  const members: MemberRecord[] = []
  for (let k = 0; k < 10_000; k++) {
    const id = Buffer.alloc(16, 0x77); id.writeUInt32BE(k, 12)
    members.push(flooder.sign({
      ...recordFor(0), nodeId: id.toString('hex'), nodeName: `fake-${k}`, address: `10.9.${k >> 8}.${k & 255}`
    }, 'alive'))
  }
  const started = Date.now()
  c.forge(insiderId, { type: 'push-pull', join: false, reply: true, members, appState: new Uint8Array(0) }, [],
    'stream', 3)
  c.net.runFor(3000)
  const sizes = c.nodes.map((n) => n.membership.allMembers().length)
  t.comment(`member tables after the flood of nodes 0-2: ${sizes.join(' ')}; ${Date.now() - started} ms of wall time`)
  // each node takes at most the burst (64) from the flooder, plus what gossip relays under each relayer's own budget
  t.ok(Math.max(...sizes) <= N + 64 * N, `tables bounded: max ${Math.max(...sizes)}`)
  t.ok(c.rejected('rate_limited') >= (10_000 - 64) * 3, `rate_limited ${c.rejected('rate_limited')}`)
  clean(t, c)
})

t.test('node state: a member forging another node\'s multicast groups or pods gets no entry accepted', async t => {
  const c = new Cluster()
  const taken = new Set<string>()
  // Each node's per-node state channel, wired as control/gossip-mode.ts wires it.
  const channels = c.nodes.map((n) => {
    const signer = n.signer!
    const verifier = new RecordVerifier()
    const ch = new NodeStateChannel({
      clusterSize: () => n.membership.liveCount(),
      signing: {
        sign: (p) => signer.signPayload(p),
        pinnedKey: (nodeId) => n.membership.signingKeyOf(nodeId),
        verify: (k, p, sig) => verifier.verifyPayload(k, p, sig),
      },
    }, { selfId: n.record.nodeId, selfName: n.record.nodeName, generation: n.membership.incarnation })
    n.membership.attachAppState(ch)
    n.membership.onMemberChange((v) => ch.noteMemberState(v.nodeId, v.state))
    // Every value any node ever took for the victim (a forgery must never show, not even briefly).
    ch.onChange((nodeId, _name, topic, value) => {
      if (nodeId !== recordFor(VICTIM).nodeId || value === undefined) return
      taken.add(`${topic}=${Buffer.from(value).toString('hex')}`)
    })
    return ch
  })
  c.net.runFor(2000)
  const group = (a: number, b: number, x: number, y: number): number => ((a << 24) | (b << 16) | (x << 8) | y) >>> 0
  channels[VICTIM].publishLocal('multicast', encodeGroupSet([group(239, 1, 1, 1)]))
  channels[VICTIM].publishLocal('pods', Buffer.from('default/web 10.244.5.2'))
  channels[INSIDER].publishLocal('multicast', encodeGroupSet([group(239, 7, 7, 7)]))
  c.net.runFor(5000)
  const victimId = recordFor(VICTIM).nodeId
  const held = (topic: string, nodeId = victimId): string[] => channels.map((ch) =>
    Buffer.from(ch.snapshot(topic).find((v) => v.nodeId === nodeId)?.value ?? []).toString('hex'))
  const genuineGroups = held('multicast')
  const genuinePods = held('pods')
  t.same(new Set(genuineGroups), new Set([Buffer.from(encodeGroupSet([group(239, 1, 1, 1)])).toString('hex')]),
    'every node holds the victim\'s groups')
  t.same(new Set(held('multicast', recordFor(INSIDER).nodeId)).size, 1, 'and the insider\'s own')
  // The victim's genuine signed entries, as any node relays them.
  const full = decodeNodeState(channels[0].fullState())
  if (full.type !== 'full') throw new Error('no full state')
  const genuine = full.entries.filter((e) => e.nodeId === victimId)
  const mcast = genuine.find((e) => e.topic === 'multicast')!
  const pods = genuine.find((e) => e.topic === 'pods')!
  // The insider, a member with its own pinned key and the cluster secret, adds a group to the
  // victim's set (every sender of 239.9.9.9 would copy its traffic to the victim) and plants a
  // pod in the victim's name under another topic (what a pods topic of the files policy source
  // would carry).
  const insider = c.nodes[INSIDER].signer!
  const attract = encodeGroupSet([group(239, 1, 1, 1), group(239, 9, 9, 9)])
  const forgedGroups = { ...mcast, seq: mcast.seq + 10, value: attract }
  const forgedPods = { ...pods, seq: pods.seq + 10, value: Buffer.from('kube-system/admin 10.244.7.9') }
  const { signature: _s, ...unsigned } = { ...forgedGroups, seq: forgedGroups.seq + 1 }
  const forged: NodeStateEntry[] = [
    { ...forgedGroups, signature: insider.signPayload(nodeStatePayload(forgedGroups)) },
    { ...forgedPods, signature: insider.signPayload(nodeStatePayload(forgedPods)) },
    { ...mcast, seq: mcast.seq + 20 }, // the genuine value and signature, replayed above itself
    { ...forgedPods, seq: pods.seq + 30, signature: pods.signature }, // a genuine signature on other content
    unsigned,
  ]
  const insiderId = recordFor(INSIDER).nodeId
  c.forge(insiderId, { type: 'gossip' }, [], 'udp', N, forged.map(encodeNodeStateDelta))
  const appState = encodeNodeStateFull(forged)
  c.forge(insiderId, { type: 'push-pull', join: false, reply: true, members: [], appState }, [], 'stream')
  c.net.runFor(10_000)
  t.same([...taken].sort(), [`multicast=${genuineGroups[0]}`, `pods=${genuinePods[0]}`],
    'no node ever took a forged value for the victim')
  t.same(held('multicast'), genuineGroups, 'every node still holds the victim\'s own groups')
  t.same(held('pods'), genuinePods, 'and its own pods')
  // Every node but the insider's own (membership drops a frame naming itself as sender) refused
  // each forgery twice (delta and push-pull), the victim too (forgeries about itself).
  const refused = (ch: NodeStateChannel): number[] => [ch.counters.entriesBadSignature, ch.counters.entriesUnsigned]
  t.same(channels.map((ch, i) => i === INSIDER ? undefined : refused(ch)),
    channels.map((_ch, i) => i === INSIDER ? undefined : [8, 2]),
    'refused and counted: [bad signature, unsigned] per node')
  // The victim's next publish still reaches everyone (its seq was not pushed up by a forgery).
  channels[VICTIM].publishLocal('multicast', encodeGroupSet([group(239, 1, 1, 2)]))
  c.net.runFor(5000)
  t.same(new Set(held('multicast')), new Set([Buffer.from(encodeGroupSet([group(239, 1, 1, 2)])).toString('hex')]),
    'the victim\'s next value reaches every node')
  clean(t, c)
})

// ---- IPAM ------------------------------------------------------------------------------------

const BLOCKS = 64

class IpamNet {
  readonly nodes = new Map<string, ClaimsReplica>()
  now = 0
  add (id: string, bootstrap: boolean, seeds: string[] = []): ClaimsReplica {
    const r = new ClaimsReplica({
      id,
      blockCount: BLOCKS,
      bootstrap,
      seeds,
      leaseMs: 3000,
      forcedGraceMs: 6000,
      graceMs: 20_000,
      roundTimeoutMs: 200,
      random: Math.random
    }, null, this.now)
    this.nodes.set(id, r)
    return r
  }

  flush (): void {
    for (let round = 0; round < 1000; round++) {
      const batch: Array<{ to: string, msg: ClaimMsg }> = []
      for (const r of this.nodes.values()) { batch.push(...r.outbox); r.outbox.length = 0; r.dirty = false }
      if (batch.length === 0) return
      for (const o of batch) this.nodes.get(o.to)?.receive(o.msg, this.now)
    }
  }

  advance (ms: number): void {
    const end = this.now + ms
    while (this.now < end) {
      this.now += 50
      for (const r of this.nodes.values()) r.tick(this.now)
      this.flush()
    }
  }
}

function snapshot (r: ClaimsReplica): string {
  const st = r.state!
  return JSON.stringify({
    slot: st.slot,
    members: [...st.members.keys()].sort(),
    removed: [...st.removed].sort(),
    blocks: st.blocks.map((b) => b === undefined ? null : `${b.state}:${b.owner}:${b.epoch}`)
  })
}

t.test('IPAM: forged state/decided/claims from a stranger and from a member change nothing', async t => {
  const net = new IpamNet()
  const a = net.add('a', true)
  net.add('b', false, ['a'])
  net.add('c', false, ['a'])
  net.advance(2000)
  a.wantBlocks = 1
  net.advance(500)
  a.wantBlocks = 0
  net.advance(500)
  const views = (): string[] => [...net.nodes.values()].map(snapshot)
  const before = views()
  t.equal(new Set(before).size, 1, 'all three agree')
  const st = a.state!
  const clusterId = st.clusterId
  const huge = {
    ...st, slot: 2 ** 31, members: new Map([...st.members].filter(([id]) => id === 'b')), removed: new Set(['a', 'c'])
  }
  const everyBlockToX = Array.from({ length: 16 }, (_, i) => ({ type: 'claim' as const, node: 'x', block: i }))
  const forgeries: Array<Omit<ClaimMsg, 'clusterId'> & { clusterId?: string }> = [
    { from: 'x', applied: st.slot, body: { type: 'state', state: huge } }, // stranger, unasked
    { from: 'b', applied: st.slot, body: { type: 'state', state: huge } }, // member, unasked
    { from: 'x', applied: st.slot, body: { type: 'decided', slot: st.slot + 1, ops: everyBlockToX } },
    { from: 'x', applied: st.slot, body: { type: 'decided', slot: st.slot + 1, ops: [{ type: 'remove', node: 'c' }] } },
    { from: 'x', applied: st.slot, body: { type: 'request', ops: everyBlockToX } },
    {
      from: 'b',
      applied: st.slot,
      body: {
        type: 'request',
        ops: [{ type: 'claim', node: 'c', block: 40 }, { type: 'release', node: 'a', block: blockOwnedBy(a, 'a'), epoch: a.state!.blocks[blockOwnedBy(a, 'a')]!.epoch }]
      }
    },
    {
      from: 'b',
      applied: st.slot,
      clusterId: 'other',
      body: { type: 'decided', slot: st.slot + 1, ops: [{ type: 'remove', node: 'c' }] }
    },
    {
      from: 'b',
      applied: st.slot,
      clusterId: '',
      body: { type: 'decided', slot: st.slot + 1, ops: [{ type: 'remove', node: 'c' }] }
    },
  ]
  for (const f of forgeries) {
    for (const id of ['a', 'b', 'c']) net.nodes.get(id)!.receive({ clusterId, ...f } as ClaimMsg, net.now)
  }
  net.flush()
  net.advance(3000)
  t.same(views(), before, 'no node changed: slot, members, removed set and every block')
  const rejected = (k: string): number => [...net.nodes.values()].reduce((n, r) => n + (r.rejected as Record<string,
    number>)[k], 0)
  // The member's unasked state is refused by a and c. If one of them happened to have a fetch
  // out to b at that instant (Math.random picks fetch targets), the state counts as asked and is
  // refused one check later, for removing the receiver or jumping too far; either way it is refused.
  const stateRefusals = rejected('unasked_state') + rejected('state_jump') + rejected('state_removes_self')
  t.ok(stateRefusals >= 2 && rejected('not_member') >= 9 && rejected('foreign_cluster') >= 6 &&
    rejected('foreign_op') >= 3,
    `rejected: ${JSON.stringify(Object.fromEntries(['unasked_state', 'state_jump', 'state_removes_self', 'not_member',
      'foreign_cluster', 'foreign_op'].map((k) => [k, rejected(k)])))}`)
  t.equal(blockOwner(a.state!, 40), null)
})

t.test('IPAM: a state answering our own fetch is still refused when it removes us or jumps implausibly', async t => {
  const net = new IpamNet()
  const a = net.add('a', true)
  const b = net.add('b', false, ['a'])
  net.add('c', false, ['a'])
  net.advance(2000)
  const before = snapshot(b)
  const st = a.state!
  // b asks a for catch-up (a message from a saying it is ahead triggers the fetch) ...
  b.receive({ from: 'a', clusterId: st.clusterId, applied: st.slot + 5, body: { type: 'digest' } }, net.now)
  t.match(b.outbox.at(-1)?.msg.body, { type: 'fetch' }, 'b fetched from a')
  b.outbox.length = 0
  // ... and the "answer" removes b
  const removesB = {
    ...st, slot: st.slot + 3, members: new Map([...st.members].filter(([id]) => id !== 'b')), removed: new Set(['b'])
  }
  b.receive({ from: 'a', clusterId: st.clusterId, applied: st.slot + 3, body: { type: 'state', state: removesB } },
    net.now)
  t.equal(snapshot(b), before, 'a state removing us is refused')
  t.equal(b.rejected.state_removes_self, 1)
  t.notOk(b.isRemoved)
  net.now += 300
  b.receive({ from: 'a', clusterId: st.clusterId, applied: st.slot + 5, body: { type: 'digest' } }, net.now)
  const jump = { ...st, slot: st.slot + 2_000_000 }
  b.receive({ from: 'a', clusterId: st.clusterId, applied: jump.slot, body: { type: 'state', state: jump } }, net.now)
  t.equal(snapshot(b), before, 'a jump of 2 000 000 slots is refused')
  t.equal(b.rejected.state_jump, 1)
  net.advance(2000)
  t.ok(b.leaseValid(net.now), 'b keeps working')
})

function blockOwnedBy (r: ClaimsReplica, id: string): number {
  return r.state!.blocks.findIndex((b) => b?.state === 'owned' && b.owner === id)
}

/**
 * The first IPAM test above on the real stack (sim-cluster.ts with IPAM: Membership, ControlPlane,
 * the driver, real frames): here each forgery meets the check that stops it first. Frames from
 * the attacker's port, naming a stranger or impersonating a member, have no member at their
 * address (the control plane drops them, a decode error); a member's own port naming another ID
 * fails the driver's sender check; a member sending as itself reaches the replica, which refuses
 * the content (unasked state, foreign ops, foreign cluster).
 */
t.test('IPAM on the real stack: forged state/decided/claims from an attacker\'s port and from a member change nothing',
  async t => {
    const c = new SimCluster({
      n: 3,
      seed: SEED,
      maxDelayMs: 15,
      // Joined through seeds, as gossip mode does: the driver learns IPAM's seeds from membership's events.
      signed: true,
      clusterId: CLUSTER,
      addressOf: (i) => `10.0.0.${i + 1}`,
      ipam: { layout: makeBlockLayout('10.244.0.0/20', 26), timing: SIM_IPAM_TIMING },
    })
    const a = c.nodes[0].ipam!.replica
    const idA = c.nodes[0].record.nodeId
    const idB = c.nodes[1].record.nodeId
    const idC = c.nodes[2].record.nodeId
    const STRANGER = 'ee'.repeat(16)
    const views = (): string[] => c.nodes.map((n) => snapshot(n.ipam!.replica))
    const settled = c.net.runUntilTrue(() => c.nodes.every((n) => n.ipam!.replica.isMember &&
      n.ipam!.usableBlocks(c.net.now).length > 0) && new Set(views()).size === 1, 30_000)
    t.ok(settled !== undefined, `the three nodes are IPAM members with a block each and agree (seed ${SEED})`)
    c.net.runFor(3000)
    const before = views()
    t.equal(new Set(before).size, 1, 'all three agree')
    c.net.runFor(3000)
    t.same(views(), before, 'left alone, nothing changes in 3 s')

    const st = a.state!
    const clusterId = st.clusterId
    const huge = {
      ...st, slot: 2 ** 31, members: new Map([...st.members].filter(([id]) => id === idB)), removed: new Set([idA, idC])
    }
    const everyBlockToX = Array.from({ length: 16 }, (_, i) => ({ type: 'claim' as const, node: STRANGER, block: i }))
    const mineA = blockOwnedBy(a, idA)
    /** What the stranger would say (sender X). */
    const asStranger: ClaimMsg[] = [
      { from: STRANGER, clusterId, applied: st.slot, body: { type: 'state', state: huge } },
      { from: STRANGER, clusterId, applied: st.slot, body: { type: 'decided', slot: st.slot + 1, ops: everyBlockToX } },
      { from: STRANGER, clusterId, applied: st.slot, body: { type: 'decided', slot: st.slot + 1, ops: [{ type: 'remove', node: idC }] } },
      { from: STRANGER, clusterId, applied: st.slot, body: { type: 'request', ops: everyBlockToX } },
    ]
    /** What the member b says as itself. */
    const asMember: ClaimMsg[] = [
      { from: idB, clusterId, applied: st.slot, body: { type: 'state', state: huge } },
      {
        from: idB,
        clusterId,
        applied: st.slot,
        body: {
          type: 'request',
          ops: [{ type: 'claim', node: idC, block: 40 }, { type: 'release', node: idA, block: mineA, epoch: st.blocks[mineA]!.epoch }]
        }
      },
      { from: idB, clusterId: 'other', applied: st.slot, body: { type: 'decided', slot: st.slot + 1, ops: [{ type: 'remove', node: idC }] } },
      { from: idB, clusterId: '', applied: st.slot, body: { type: 'decided', slot: st.slot + 1, ops: [{ type: 'remove', node: idC }] } },
    ]
    const attacker = c.net.attach('10.0.0.200:7946')
    const send = (from: SimTransport, to: SimNode, m: ClaimMsg): void => {
      const f = frame(IPAM_FRAME_MAGIC, encodeClaimMsg(m))
      if (f.length > 1200) from.sendStream(to.addr, f)
      else from.sendDatagram(to.addr, f)
    }
    const controlDrops = (): number => c.nodes.reduce((s, n) => s + n.control.counters.decodeErrors, 0)
    const driverDrops = (): number => c.nodes.reduce((s, n) => s + n.ipamNode!.counters.decodeErrors, 0)
    const rejected = (k: string): number => c.nodes.reduce((s, n) =>
      s + (n.ipam!.replica.rejected as Record<string, number>)[k], 0)
    const count = (): Record<string, number> => Object.fromEntries(['unasked_state', 'state_jump', 'state_removes_self',
      'not_member', 'foreign_cluster', 'foreign_op'].map((k) => [k, rejected(k)]))
    const controlBefore = controlDrops()
    const driverBefore = driverDrops()
    const rejectedBefore = count()
    // The attacker's port: as the stranger and impersonating b, to every node.
    for (const m of [...asStranger, ...asMember]) for (const n of c.nodes) send(attacker, n, m)
    // b's own port: the stranger's messages (another sender ID) and its own, to a and c.
    for (const m of [...asStranger, ...asMember]) {
      for (const n of [c.nodes[0], c.nodes[2]]) send(c.nodes[1].transport, n, m)
    }
    c.net.runFor(3000)
    t.same(views(), before, 'no node changed: slot, members, removed set and every block')
    t.equal(controlDrops() - controlBefore, 8 * 3,
      'the attacker\'s 24 frames: no member at its address, dropped by the control plane')
    t.equal(driverDrops() - driverBefore, 4 * 2, 'b naming another sender: 8 frames dropped by the driver')
    const after = count()
    const d = (k: string): number => after[k] - rejectedBefore[k]
    t.ok(d('unasked_state') + d('state_jump') + d('state_removes_self') >= 2 && d('foreign_cluster') >= 4 &&
      d('foreign_op') >= 2, `b's own messages refused by the replicas of a and c: ${JSON.stringify(after)}`)
    t.equal(blockOwner(a.state!, 40), null, 'block 40 is nobody\'s')
    t.equal(c.handlerErrors, 0, 'no handler threw')
  })
