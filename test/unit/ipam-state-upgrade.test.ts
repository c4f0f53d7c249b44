/**
 * An ipam.json written by a loomd from before the IPAM op tag was renamed from `kind` to `type`
 * (issue 8: "the discriminant is `type` everywhere"). The acceptor record of the state file keeps
 * the ops this node accepted as Op values, so that file names their tag `kind`. It must load with
 * nothing lost (the accepted value is what Paxos' safety rests on: a promise hands it to the next
 * proposer), and the next write, which comes at start, uses `type`. The document below is written
 * by hand in the exact shape the older loomd wrote (JSON.stringify of ipamDurableToJSON).
 */
import t from 'tap'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FileStateStore } from '../../control/node/state-store'
import { Ipam, ipamDurableToJSON, validateIpamDurable, type IpamDurable } from '../../control/ipam/ipam'
import { makeBlockLayout } from '../../control/ipam/blocks'
import { decodeClaimMsg, encodeClaimMsg } from '../../control/ipam/codec'
import { IpamDecodeError } from '../../control/ipam/errors'
import type { Op } from '../../control/ipam/types'

const layout = makeBlockLayout('10.244.0.0/22', 28)

/** The ops of the acceptor record as the older loomd wrote them: every op type, tagged `kind`. */
const OLD_OPS = [
  { kind: 'join', node: 'node-d' },
  { kind: 'claim', node: 'node-b', block: -1 },
  { kind: 'claim', node: 'node-c', block: 7 },
  { kind: 'release', node: 'node-a', block: 19, epoch: 1 },
  { kind: 'suspect', node: 'node-c', forced: true },
  { kind: 'unsuspect', node: 'node-b' },
  { kind: 'remove', node: 'node-c' },
]

const NEW_OPS: Op[] = [
  { type: 'join', node: 'node-d' },
  { type: 'claim', node: 'node-b', block: -1 },
  { type: 'claim', node: 'node-c', block: 7 },
  { type: 'release', node: 'node-a', block: 19, epoch: 1 },
  { type: 'suspect', node: 'node-c', forced: true },
  { type: 'unsuspect', node: 'node-b' },
  { type: 'remove', node: 'node-c' },
]

function oldDocument (ops: unknown[] = OLD_OPS): Record<string, unknown> {
  return {
    version: 1,
    cluster: '10.244.0.0/22/28',
    claims: {
      id: 'node-a',
      state: {
        clusterId: 'node-a',
        slot: 5,
        configSlot: 4,
        members: [
          { id: 'node-a', joinedSlot: 0, suspectSlot: 0, forced: false },
          { id: 'node-b', joinedSlot: 2, suspectSlot: 0, forced: false },
          { id: 'node-c', joinedSlot: 4, suspectSlot: 5, forced: false },
        ],
        blocks: [
          { block: 7, owner: 'node-b', epoch: 3, state: 1 },
          { block: 19, owner: 'node-a', epoch: 1, state: 1 },
          { block: 20, owner: '', epoch: 5, state: 0 },
        ],
        removed: ['node-x'],
        blockCount: 64,
      },
      acceptor: {
        slot: 6,
        promised: { round: 4, node: 'node-b' },
        accepted: { ballot: { round: 4, node: 'node-b' }, ops },
      },
      maxRound: 4,
    },
    allocations: [['a/eth0', 19, 0], ['c/eth0', 19, 2]],
    releasing: [],
    reuse: { cursors: [[19, 3]], quarantine: [[19, 1, 1000000]] },
  }
}

/** The old document as the new loomd writes it: the same, with each accepted op tagged `type`. */
function renamed (doc: Record<string, unknown>): Record<string, unknown> {
  const out = JSON.parse(JSON.stringify(doc)) as { claims: { acceptor: { accepted: { ops: unknown[] } } } }
  out.claims.acceptor.accepted.ops = NEW_OPS
  return out as unknown as Record<string, unknown>
}

function tempFile (t: { teardown: (f: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-ipam-upgrade-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  return path.join(dir, 'ipam.json')
}

t.test('an old ipam.json (ops tagged `kind`) loads whole and is written back tagged `type`', async t => {
  const loaded = validateIpamDurable(oldDocument(), layout)
  t.same(loaded.claims.acceptor.accepted?.ops, NEW_OPS, 'every accepted op, every field, under `type`')
  t.same(JSON.parse(JSON.stringify(ipamDurableToJSON(loaded))), renamed(oldDocument()),
    'written back: the whole document unchanged but for the tag')
  const again = validateIpamDurable(JSON.parse(JSON.stringify(ipamDurableToJSON(loaded))), layout)
  t.same(again, loaded, 'the new form loads to the same value')
})

t.test('loomd starting on an old ipam.json keeps the accepted value and rewrites the file', async t => {
  const file = tempFile(t)
  fs.writeFileSync(file, JSON.stringify(oldDocument()))
  const store = new FileStateStore<IpamDurable>(file, raw => validateIpamDurable(raw, layout), ipamDurableToJSON)
  const ipam = new Ipam({ store },
    { id: 'node-a', layout, bootstrap: false, seeds: ['node-b'], random: () => 0.5, wallClock: () => 1000000 }, 0)
  const onDisk = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
  t.same(onDisk, renamed(oldDocument()), 'the start rewrote the file in the new form, nothing lost')
  t.notMatch(fs.readFileSync(file, 'utf8'), /"kind"/, 'no op is tagged `kind` any more')
  // The acceptor hands its accepted value to the next proposer: the old ops, and over the wire too.
  ipam.takeOutbox()
  ipam.receive({
    from: 'node-b', clusterId: 'node-a', applied: 5, body: { type: 'prepare', slot: 6, ballot: { round: 5, node: 'node-b' } }
  }, 10)
  const promise = ipam.takeOutbox().find(o => o.to === 'node-b' && o.msg.body.type === 'promise')
  t.ok(promise, 'a promise to node-b')
  const body = promise!.msg.body
  t.same(body.type === 'promise' ? body.accepted : undefined,
    { ballot: { round: 4, node: 'node-b' }, ops: NEW_OPS }, 'the promise carries the accepted value')
  const wire = decodeClaimMsg(encodeClaimMsg(promise!.msg), layout.blockCount).body
  t.same(wire.type === 'promise' ? wire.accepted?.ops : undefined, NEW_OPS, 'and so does its wire form')
})

t.test('a bad accepted op in ipam.json is a clear error, not a silent reset', async t => {
  const bad = (ops: unknown[]): unknown => validateIpamDurable(oldDocument(ops), layout)
  t.throws(() => bad([{ node: 'node-d' }]), new IpamDecodeError('op type undefined is unknown'))
  t.throws(() => bad([{ kind: 'steal', node: 'node-d' }]), new IpamDecodeError('op type "steal" is unknown'))
  t.throws(() => bad([{ type: 'join', kind: 'remove', node: 'node-d' }]), IpamDecodeError)
  t.throws(() => bad([{ type: 'claim', node: 'node-b', block: 64 }]), IpamDecodeError)
  t.throws(() => bad([{ type: 'release', node: 'node-b', block: 3 }]), IpamDecodeError)
  t.throws(() => bad([{ type: 'join', node: '' }]), IpamDecodeError)
  const file = tempFile(t)
  const text = JSON.stringify(oldDocument([{ kind: 'steal', node: 'node-d' }]))
  fs.writeFileSync(file, text)
  const store = new FileStateStore<IpamDurable>(file, raw => validateIpamDurable(raw, layout), ipamDurableToJSON)
  t.throws(() => new Ipam({ store },
    { id: 'node-a', layout, bootstrap: false, seeds: [], random: () => 0.5 }, 0), /ipam\.json/, 'the error names the file')
  t.equal(fs.readFileSync(file, 'utf8'), text, 'the file is left as it was')
})
