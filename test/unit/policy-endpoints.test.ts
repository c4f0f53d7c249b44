/**
 * Files mode over gossip: each node's local pods (namespace, name, IP) published in the per-node
 * state channel (policy/endpoint-codec.ts, policy/endpoint-directory.ts) and taken by the other
 * nodes as the remote pods' addresses. Real NodeStateChannels (control/node/node-state.ts)
 * exchange deltas and full states here as membership would carry them.
 *
 * Hostile cases: garbage and non-canonical values, a value over the bound, a node publishing
 * 100 000 attachments, a node publishing addresses it does not own (another node's pod), a pod
 * name published by two nodes, a node that dies. The engine's part: with addresses from
 * attachments, Pod manifests' status.podIPs are ignored and compile == incremental.
 */
import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { NodeStateChannel } from '../../control/node/node-state'
import { encodeNodeStateDelta } from '../../control/node/node-state-codec'
import { encodeGossipPacket, GOSSIP_PROTOCOL_VERSION } from '../../control/transport/gossip-codec'
import {
  decodeShard, DELTA_FRIENDLY_BYTES, encodeShard, MAX_ENTRIES_PER_SHARD, MAX_SHARD_BYTES, shardOf, SHARDS, shardTopic,
} from '../../policy/endpoint-codec'
import { GossipEndpointDirectory } from '../../policy/endpoint-directory'
import { PolicyEngine } from '../../policy/engine'
import { FilesSource } from '../../policy/files-source'
import { compile } from '../../policy/compiler'
import { IncrementalCompiler } from '../../policy/incremental'
import { SystemNftCommands } from '../../policy/nft-commands'
import type { RemoteEndpoint } from '../../policy/model'

const logger = pino({ level: 'silent' })
const id = (i: number): string => i.toString(16).padStart(32, '0')

/** Node i owns 10.244.i.0/24 unless `owners` says otherwise (a block that moved). */
class Owners {
  version = 0
  moved = new Map<string, number>()
  owner (ipU32: number): number {
    const b = (ipU32 >>> 8) & 0xff
    return this.moved.get(`${b}`) ?? b
  }

  move (block: number, to: number): void { this.moved.set(`${block}`, to); this.version++ }
}

interface Node { ch: NodeStateChannel; dir: GossipEndpointDirectory; changes: number }

function node (i: number, owners: Owners): Node {
  const ch = new NodeStateChannel({ clusterSize: () => 3 }, { selfId: id(i), selfName: `node${i}`, generation: 1 })
  const dir = new GossipEndpointDirectory({
    logger,
    nodeState: ch,
    owns: (nodeId, nodeName, ip) => nodeId === id(owners.owner(ip)) && nodeName === `node${owners.owner(ip)}`,
    ownersVersion: () => owners.version,
  }, { selfId: id(i), recheckMs: 20 })
  const n = { ch, dir, changes: 0 }
  dir.onChange(() => { n.changes++ })
  return n
}

/** Every delta `from` has queued, delivered to each of `to` (as piggybacks would). */
function gossip (from: Node, ...to: Node[]): void {
  for (let round = 0; round < 20; round++) {
    const deltas = from.ch.deltasToPiggyback(1200)
    if (deltas.length === 0) return
    for (const n of to) n.ch.receive({ type: 'deltas', deltas, fromNodeId: from.ch === n.ch ? id(0) : id(9) })
  }
}

const ep = (namespace: string, name: string, ip: string, nodeName = 'node1'): RemoteEndpoint =>
  ({ namespace, name, ip, nodeName })
const view = (d: GossipEndpointDirectory): string[] =>
  d.remote().map((e) => `${e.nodeName} ${e.namespace}/${e.name} ${e.ip}`)

t.test('codec: round trip, canonical order, duplicates once, names Kubernetes allows', async (t) => {
  const { value, dropped } = encodeShard([
    { namespace: 'y', name: 'b', ip: '10.244.1.3' },
    { namespace: 'x', name: 'a', ip: '10.244.1.2' },
    { namespace: 'x', name: 'a', ip: '10.244.1.2' },
    { namespace: 'x', name: 'web-0.v2', ip: '10.244.1.9' },
    { namespace: 'X', name: 'upper', ip: '10.244.1.4' },
    { namespace: 'x', name: 'bad/slash', ip: '10.244.1.5' },
    { namespace: 'x', name: 'noip', ip: 'fe80::1' },
  ])
  t.equal(dropped, 3, 'an upper-case namespace, a slash in a name and an IPv6 address are not published')
  t.same(decodeShard(value), [
    { namespace: 'x', name: 'a', ip: '10.244.1.2' },
    { namespace: 'x', name: 'web-0.v2', ip: '10.244.1.9' },
    { namespace: 'y', name: 'b', ip: '10.244.1.3' },
  ])
  t.same(decodeShard(encodeShard([]).value), [], 'an empty shard is one byte')
  t.ok(shardOf('x', 'a') >= 0 && shardOf('x', 'a') < SHARDS)
})

t.test('codec: garbage, truncation, non-canonical and oversized values are refused, never thrown', async (t) => {
  const good = encodeShard([{ namespace: 'x', name: 'a', ip: '10.0.0.1' }, { namespace: 'x', name: 'b', ip: '10.0.0.2' }])
    .value
  for (let cut = 0; cut < good.length; cut++) {
    if (cut === 1 || cut === 9) continue // the version byte alone (empty), and one whole 8-byte entry
    t.equal(decodeShard(good.subarray(0, cut)), undefined, `truncated at ${cut}`)
  }
  const swapped = Buffer.concat([Buffer.from([1]), Buffer.from(good.subarray(1 + 8)),
    Buffer.from(good.subarray(1, 1 + 8))])
  t.equal(decodeShard(swapped), undefined, 'entries out of order')
  const twice = Buffer.concat([Buffer.from(good), Buffer.from(good.subarray(good.length - 8))])
  t.equal(decodeShard(twice), undefined, 'an entry twice')
  t.equal(decodeShard(Buffer.from([2, ...good.subarray(1)])), undefined, 'another version')
  t.equal(decodeShard(Buffer.from('{"pods":[{"ns":"x","name":"a","ip":"10.0.0.1"}]}')), undefined, 'JSON')
  t.equal(decodeShard(new Uint8Array(MAX_SHARD_BYTES + 1).fill(1)), undefined, 'over the bound')
  let seed = 7
  const rnd = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 24 }
  let accepted = 0
  for (let i = 0; i < 5000; i++) {
    const b = new Uint8Array(1 + (rnd() % 64))
    for (let j = 0; j < b.length; j++) b[j] = rnd()
    b[0] = 1
    const d = decodeShard(b) // must not throw
    if (d === undefined) continue
    accepted++
    // What decodes is canonical: it encodes back to the same bytes.
    if (Buffer.compare(Buffer.from(encodeShard(d).value), Buffer.from(b)) !== 0) t.fail(`non-canonical accepted: ${Buffer.from(b).toString('hex')}`)
  }
  t.pass(`random bytes: ${accepted} of 5000 decode, each canonical (mostly the empty shard)`)
})

t.test('a shard the channel gossips fits a signed delta in a gossip packet', async (t) => {
  // The largest delta-friendly value, as its signed entry with a 253-character node name.
  const value = new Uint8Array(DELTA_FRIENDLY_BYTES)
  const delta = encodeNodeStateDelta({
    nodeId: id(1),
    nodeName: 'n'.repeat(253),
    topic: shardTopic(7),
    generation: 0xffffffff,
    seq: 0xffffffff,
    value,
    signature: new Uint8Array(64),
  })
  const ping = encodeGossipPacket({
    version: GOSSIP_PROTOCOL_VERSION,
    clusterId: 'f'.repeat(64),
    senderId: id(1),
    body: { type: 'ping', seqNo: 0xffffffff, targetId: id(2) },
    updates: [],
    appDeltas: [],
  })
  t.ok(ping.length + delta.length + 4 <= 1400,
    `ping ${ping.length} + delta ${delta.length} bytes within membership's udpBufferSize 1400`)
})

t.test('publish, learn, delete, die: remote pods follow the publishing node', async (t) => {
  const owners = new Owners()
  const [a, b, c] = [node(1, owners), node(2, owners), node(3, owners)]
  a.dir.publish([ep('x', 'a', '10.244.1.2'), ep('y', 'c', '10.244.1.3')])
  gossip(a, b, c)
  t.same(view(b.dir), ['node1 x/a 10.244.1.2', 'node1 y/c 10.244.1.3'])
  t.same(view(a.dir), [], 'a node never lists its own pods as remote')
  const before = b.changes
  a.dir.publish([ep('x', 'a', '10.244.1.2')])
  t.equal(a.ch.deltasToPiggyback(0).length, 0)
  const deltas = a.ch.deltasToPiggyback(1200)
  t.equal(deltas.length, 1, 'deleting one pod sends one shard, not every shard')
  b.ch.receive({ type: 'deltas', deltas, fromNodeId: id(1) })
  t.same(view(b.dir), ['node1 x/a 10.244.1.2'], 'a deleted pod leaves the other nodes')
  t.ok(b.changes > before, 'and the engine is told')
  const seqs = (): number[] => Array.from({ length: SHARDS }, (_, s) => a.ch.snapshot(shardTopic(s))[0]?.seq ?? 0)
  const seq0 = seqs()
  a.dir.publish([ep('x', 'a', '10.244.1.2')])
  t.same(seqs(), seq0, 'an unchanged publish makes no new version')
  // c learns by push-pull only (its deltas were lost)
  const c2 = node(3, owners)
  c2.ch.receive({ type: 'full', state: a.ch.fullState(), fromNodeId: id(1) })
  t.same(view(c2.dir), ['node1 x/a 10.244.1.2'], 'a full state carries the shards too')
  b.ch.noteMemberState(id(1), 'dead')
  t.same(view(b.dir), [], 'a dead node\'s pods are gone')
  c.ch.noteMemberState(id(1), 'left')
  t.same(view(c.dir), [], 'a node that left: gone too')
})

t.test('hostile values on the wire are refused by the channel and counted; held values stay', async (t) => {
  const owners = new Owners()
  const [a, b] = [node(1, owners), node(2, owners)]
  a.dir.publish([ep('x', 'a', '10.244.1.2')])
  gossip(a, b)
  const rejected0 = b.ch.counters.entriesRejected
  const forge = (value: Uint8Array, seq: number): Uint8Array => encodeNodeStateDelta({
    nodeId: id(1), nodeName: 'node1', topic: shardTopic(shardOf('x', 'a')), generation: 1, seq, value,
  })
  b.ch.receive({ type: 'deltas', deltas: [forge(Buffer.from('garbage, not a shard'), 100)], fromNodeId: id(1) })
  b.ch.receive({ type: 'deltas', deltas: [forge(new Uint8Array(MAX_SHARD_BYTES + 10).fill(1), 101)], fromNodeId: id(1) })
  b.ch.receive({ type: 'deltas', deltas: [forge(Buffer.from('{"x":1}'), 102)], fromNodeId: id(1) })
  t.equal(b.ch.counters.entriesRejected - rejected0, 3, 'three bad values refused and counted by the channel')
  t.same(view(b.dir), ['node1 x/a 10.244.1.2'], 'the held value is unchanged')
  t.equal(b.dir.counters.valuesRejected, 0, 'none reached the directory')
})

t.test('a node publishing 100 000 attachments: bounded, counted, no throw', async (t) => {
  const owners = new Owners()
  const [a, b] = [node(1, owners), node(2, owners)]
  const many: RemoteEndpoint[] = []
  for (let i = 0; i < 100_000; i++) many.push(ep('ns', `pod-${i}`, `10.244.1.${i % 250}`))
  const t0 = process.hrtime.bigint()
  a.dir.publish(many)
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  t.ok(a.dir.counters.publishDropped >= 100_000 - SHARDS * MAX_ENTRIES_PER_SHARD,
    `${a.dir.counters.publishDropped} attachments left out of the publication`)
  t.equal(a.dir.counters.publishFailures, 0)
  for (let s = 0; s < SHARDS; s++) {
    const v = a.ch.snapshot(shardTopic(s))[0].value
    t.ok(v.length <= MAX_SHARD_BYTES, `shard ${s}: ${v.length} bytes`)
  }
  t.ok(a.dir.counters.shardsOverDeltaBudget > 0, 'shards over a packet are counted (push-pull only)')
  b.ch.receive({ type: 'full', state: a.ch.fullState(), fromNodeId: id(1) })
  t.ok(b.dir.remote().length <= SHARDS * MAX_ENTRIES_PER_SHARD, `b holds ${b.dir.remote().length} of them at most`)
  t.comment(`publish of 100 000: ${ms.toFixed(0)} ms`)
})

t.test('addresses the publisher does not own are refused, and taken once it owns them', async (t) => {
  const owners = new Owners()
  const [a, b, c] = [node(1, owners), node(2, owners), node(3, owners)]
  c.dir.publish([ep('z', 'real', '10.244.3.7', 'node3')])
  // node1 (a member with a valid signature) claims node3's pod address for a pod of its choice
  a.dir.publish([ep('x', 'a', '10.244.1.2'), ep('kube-system', 'admin', '10.244.3.7')])
  gossip(a, b)
  gossip(c, b)
  t.same(view(b.dir), ['node1 x/a 10.244.1.2', 'node3 z/real 10.244.3.7'],
    'node1\'s claim on node3\'s address is not in any peer set')
  t.equal(b.dir.counters.addressesRefused, 1)
  t.same(b.dir.status().nodes, [
    { nodeName: 'node1', endpoints: 1, refused: 1 }, { nodeName: 'node3', endpoints: 1, refused: 0 },
  ])
  // Block 3 moves to node1 (node3's claim released): the recheck sees it without a new publish.
  const changes = b.changes
  b.dir.start()
  owners.move(3, 1)
  await new Promise((resolve) => setTimeout(resolve, 100))
  b.dir.stop()
  t.ok(b.changes > changes, 'an ownership change alone tells the engine')
  t.same(view(b.dir), ['node1 kube-system/admin 10.244.3.7', 'node1 x/a 10.244.1.2'])
})

t.test('a pod name published by two nodes: both owned addresses, the same order whatever arrives first', async (t) => {
  const results: string[][] = []
  for (const order of [[1, 3], [3, 1]]) {
    const owners = new Owners()
    const nodes = [node(1, owners), node(2, owners), node(3, owners)]
    nodes[0].dir.publish([ep('x', 'moved', '10.244.1.9')])
    nodes[2].dir.publish([ep('x', 'moved', '10.244.3.9', 'node3')])
    for (const i of order) gossip(nodes[i - 1], nodes[1])
    results.push(view(nodes[1].dir))
    nodes[1].ch.noteMemberState(id(1), 'dead')
    t.same(view(nodes[1].dir), ['node3 x/moved 10.244.3.9'], 'the old node gone, its stale address goes')
  }
  t.same(results[0], results[1])
  t.same(results[0], ['node1 x/moved 10.244.1.9', 'node3 x/moved 10.244.3.9'])
})

t.test('engine in files mode over gossip: status.podIPs ignored, gossip addresses used, compile == incremental',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-policy-endpoints-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'all.json'), JSON.stringify({
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } },
        // A stale address in the manifest (the pod has moved): never a peer.
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'x', labels: { pod: 'b' } }, status: { podIPs: [{ ip: '10.244.9.9' }] } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'x', labels: { pod: 'a' } } },
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'a-from-b', namespace: 'x' },
          spec: { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] },
        },
      ],
    }))
    const owners = new Owners()
    const [n1, n2] = [node(1, owners), node(2, owners)]
    n2.dir.publish([ep('x', 'b', '10.244.2.5', 'node2')])
    gossip(n2, n1)
    const source = new FilesSource({ logger }, { dir, rescanMs: 60_000 })
    const mk = (podAddresses: 'source' | 'attachments'): PolicyEngine => new PolicyEngine({
      logger,
      source,
      commands: new SystemNftCommands(), // never called: nothing is applied here
      attachments: () => [{ namespace: 'x', name: 'a', ip: '10.244.1.2', hostVeth: 'lxc0000000001' }],
      directory: n1.dir,
    }, { nodeName: 'node1', podAddresses })
    await source.start()
    t.teardown(() => source.stop())
    const elements = (e: PolicyEngine): string[] => [...e.compileNow().sets]
      .filter(([name]) => name.startsWith('in-')).flatMap(([, s]) => s.elements)
    t.same(elements(mk('attachments')), ['10.244.2.5'], 'only the gossip address of x/b is a peer')
    t.same(elements(mk('source')).sort(), ['10.244.2.5', '10.244.9.9'], 'with source addresses (static mode) both')
    // The incremental path over the engine's input equals the full compile, also after a change.
    const engine = mk('attachments')
    const input = (engine as unknown as { compileInput: () => Parameters<typeof compile>[0] }).compileInput()
    const inc = new IncrementalCompiler()
    t.same(inc.update(input), compile(input))
    n2.dir.publish([ep('x', 'b', '10.244.2.6', 'node2')])
    gossip(n2, n1)
    const input2 = (engine as unknown as { compileInput: () => Parameters<typeof compile>[0] }).compileInput()
    t.same(inc.update(input2), compile(input2))
    t.same(elements(engine), ['10.244.2.6'])
  })
