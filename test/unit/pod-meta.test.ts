/**
 * Gossip mode's pod identities (control/ipam/pod-meta.ts): what an ADD said about its pod is in
 * ipam.json with the address, in the same write, and back after a restart; a bad or planted
 * section stops the load naming the file; an ADD that fails leaves no identity behind.
 */
import t from 'tap'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { GroupCommitStore } from '../../control/node/group-commit'
import { FileStateStore } from '../../control/node/state-store'
import { Ipam, ipamDurableToJSON, validateIpamDurable, type IpamDurable } from '../../control/ipam/ipam'
import { makeBlockLayout } from '../../control/ipam/blocks'
import { IpamNode } from '../../control/ipam/driver'
import { PodMetaSection, POD_META_SECTION } from '../../control/ipam/pod-meta'

const layout = makeBlockLayout('10.244.0.0/16', 24)

function ipamStore (file: string, section: PodMetaSection): GroupCommitStore<IpamDurable> {
  return new GroupCommitStore(new FileStateStore<IpamDurable>(file,
    section.validate((raw) => validateIpamDurable(raw, layout)), section.toJSON(ipamDurableToJSON)))
}

/** loomd's start in gossip mode, reduced: ipam.json loaded with its podMeta section, an IpamNode over it. */
function start (file: string, founder: boolean, waiting?: { clock: () => number }): IpamNode {
  const section = new PodMetaSection()
  const store = ipamStore(file, section)
  let now = 0
  const ipam = new Ipam({ store }, { id: 'node-a', layout, bootstrap: founder, seeds: [], random: () => 0.5 }, now)
  for (let i = 0; i < 200; i++) { // Paxos with itself: the founder claims its first block
    now += 20
    ipam.tick(now)
    for (const o of ipam.takeOutbox()) if (o.to === 'node-a') ipam.receive(o.msg, now)
  }
  if (waiting !== undefined) return new IpamNode(ipam, layout, waiting.clock, [], async () => {}, section)
  return new IpamNode(ipam, layout, () => now, [], undefined, section)
}

function tempFile (t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-podmeta-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  return path.join(dir, 'ipam.json')
}

t.test('identities are written with the address and are back after a restart', async (t) => {
  const file = tempFile(t)
  const node = start(file, true)
  const a = await node.allocate({ containerID: 'c1', ifname: 'eth0' },
    { netns: '/var/run/netns/p1', podNamespace: 'x', podName: 'a' })
  // The write that reported the address holds the identity: read the file as the ADD returned.
  const onDisk = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
  t.same(onDisk[POD_META_SECTION], { 'c1/eth0': { netns: '/var/run/netns/p1', podNamespace: 'x', podName: 'a' } },
    'the identity is in ipam.json when the ADD is answered')
  await node.allocate({ containerID: 'c2', ifname: 'eth0' }, { podNamespace: 'y', podName: 'b' })
  await node.allocate({ containerID: 'c3', ifname: 'eth0' }, {})
  node.release({ containerID: 'c2', ifname: 'eth0' })
  await node.durable()

  const again = start(file, false)
  const c1 = again.get({ containerID: 'c1', ifname: 'eth0' })
  t.equal(c1?.address, a.address, 'the address is back')
  t.equal(c1?.podNamespace, 'x', 'and its pod namespace')
  t.equal(c1?.podName, 'a', 'and its pod name')
  t.equal(c1?.netns, '/var/run/netns/p1')
  t.equal(again.get({ containerID: 'c2', ifname: 'eth0' }), undefined, 'a released attachment is gone')
  t.same(again.list().map((r) => [r.containerID, r.podName ?? null]).sort(), [['c1', 'a'], ['c3', null]],
    'an attachment whose ADD named no pod has no identity')
})

t.test('an identity the allocator does not hold is dropped; a failed ADD leaves none', async (t) => {
  const file = tempFile(t)
  const node = start(file, true)
  await node.allocate({ containerID: 'c1', ifname: 'eth0' }, { podNamespace: 'x', podName: 'a' })
  // Planted: an identity for an attachment nobody holds.
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>
  doc[POD_META_SECTION]!['ghost/eth0'] = { podNamespace: 'x', podName: 'ghost' }
  fs.writeFileSync(file, JSON.stringify(doc))
  const again = start(file, false)
  t.same(again.list().map((r) => r.podName), ['a'], 'only held attachments get an identity')
  await again.allocate({ containerID: 'c4', ifname: 'eth0' }, {})
  const written = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>
  t.notOk('ghost/eth0' in written[POD_META_SECTION]!, 'and the next write forgets it')

  // An ADD on a node that cannot allocate (not a member: no block) fails; its identity goes too.
  let clock = 0
  const lone = start(tempFile(t), false, { clock: () => (clock += 1000) }) // gives up after 10 s
  const failed = lone.allocate({ containerID: 'c9', ifname: 'eth0' }, { podNamespace: 'x', podName: 'z' })
  await t.rejects(failed)
  t.equal(lone.get({ containerID: 'c9', ifname: 'eth0' }), undefined)
  t.same(lone.list(), [], 'nothing held, no identity')
})

t.test('a bad or planted podMeta section stops the load, naming it', async (t) => {
  const file = tempFile(t)
  const node = start(file, true)
  await node.allocate({ containerID: 'c1', ifname: 'eth0' }, { podNamespace: 'x', podName: 'a' })
  const good = fs.readFileSync(file, 'utf8')
  const bad: Array<[string, unknown]> = [
    ['not an object', [1, 2]],
    ['an entry that is not an object', { 'c1/eth0': 'x' }],
    ['an unknown field', { 'c1/eth0': { podName: 'a', owner: 'root' } }],
    ['a key without an ifname', { c1: { podName: 'a' } }],
    ['an empty name', { 'c1/eth0': { podName: '' } }],
    ['a name longer than 253', { 'c1/eth0': { podName: 'a'.repeat(254) } }],
    ['a number for a namespace', { 'c1/eth0': { podNamespace: 7 } }],
  ]
  for (const [what, section] of bad) {
    const doc = JSON.parse(good) as Record<string, unknown>
    doc[POD_META_SECTION] = section
    fs.writeFileSync(file, JSON.stringify(doc))
    t.throws(() => start(file, false), /ipam\.json.*podMeta|podMeta.*ipam\.json/s, `${what}: refused, naming ipam.json and the section`)
  }
  const huge: Record<string, unknown> = {}
  for (let i = 0; i <= 1 << 16; i++) huge[`c${i}/eth0`] = {}
  const doc = JSON.parse(good) as Record<string, unknown>
  doc[POD_META_SECTION] = huge
  fs.writeFileSync(file, JSON.stringify(doc))
  t.throws(() => start(file, false), /more than 65536 entries/, 'a section of 65 537 entries is refused')

  // An ipam.json from a loomd before the section: loads, its pods have no identity.
  const old = JSON.parse(good) as Record<string, unknown>
  delete old[POD_META_SECTION]
  fs.writeFileSync(file, JSON.stringify(old))
  const upgraded = start(file, false)
  t.equal(upgraded.get({ containerID: 'c1', ifname: 'eth0' })?.podName, undefined, 'an old file loads, without identities')
  t.ok(upgraded.get({ containerID: 'c1', ifname: 'eth0' }) !== undefined, 'and keeps its address')
})
