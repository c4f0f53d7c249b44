/**
 * Group commit (control/node/group-commit.ts): the batching state machine over a fake disk whose
 * every step the test completes or fails by hand, with a manual `defer` (no timers); then the
 * static and gossip pod-address managers over it (an ADD reports only what a finished write
 * holds; a failed write reports nothing and frees the addresses); then the real
 * FileStateStore's split write in a temp directory.
 */
import t from 'tap'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { GroupCommitStore } from '../../control/node/group-commit'
import type { GroupCommitBackend, PreparedWrite } from '../../control/node/types'
import { FileStateStore } from '../../control/node/state-store'
import {
  StaticPodAddresses, validateStaticPodAddresses, type StaticPodAddressesDurable
} from '../../control/static/pod-addresses'
import { Ipam, ipamDurableToJSON, validateIpamDurable, type IpamDurable } from '../../control/ipam/ipam'
import { makeBlockLayout } from '../../control/ipam/blocks'
import { IpamNode } from '../../control/ipam/driver'

interface Step { resolve: () => void, reject: (err: Error) => void }

/**
 * A disk where each background write waits for the test: `prepares[i]` (temp written+fsynced), then `settles[i]` (dir
 * fsync).
 */
class FakeDisk<T> implements GroupCommitBackend<T> {
  onDisk: T | null = null
  syncSaves = 0
  saveError: Error | null = null
  publishError: Error | null = null
  readonly prepares: Array<Step & { doc: T }> = []
  readonly settles: Step[] = []
  readonly log: string[] = []

  load (): T | null { return this.onDisk }
  save (doc: T): void {
    if (this.saveError !== null) throw this.saveError
    this.onDisk = doc
    this.syncSaves++
    this.log.push('save')
  }

  prepare (doc: T): Promise<PreparedWrite> {
    this.log.push('prepare')
    return new Promise<PreparedWrite>((resolve, reject) => {
      this.prepares.push({
        doc,
        reject,
        resolve: () => resolve({
          publish: () => {
            if (this.publishError !== null) throw this.publishError
            this.log.push('publish')
            this.onDisk = doc
          },
          settle: () => new Promise<void>((resolve, reject) => { this.settles.push({ resolve, reject }) }),
          discard: () => { this.log.push('discard') },
        }),
      })
    })
  }
}

/** A manual event loop turn: `defer`red functions run when the test calls `turn()`. */
function manualDefer (): { defer: (fn: () => void) => void, turn: () => Promise<void> } {
  let queue: Array<() => void> = []
  return {
    defer: (fn) => { queue.push(fn) },
    turn: async () => {
      // Let promise reactions run first (as an event-loop turn would), then the deferred work.
      for (let i = 0; i < 5; i++) await Promise.resolve()
      const q = queue
      queue = []
      for (const fn of q) fn()
      for (let i = 0; i < 5; i++) await Promise.resolve()
    },
  }
}

function track (p: Promise<void>): { state: 'pending' | 'resolved' | 'rejected', error?: Error } {
  const s: { state: 'pending' | 'resolved' | 'rejected', error?: Error } = { state: 'pending' }
  p.then(() => { s.state = 'resolved' }, (err: Error) => { s.state = 'rejected'; s.error = err })
  return s
}

t.test('commits issued in one turn share one write, built once from the newest state', async t => {
  const disk = new FakeDisk<number>()
  const loop = manualDefer()
  const store = new GroupCommitStore(disk, { defer: loop.defer })
  let state = 0
  let builds = 0
  const build = (): number => { builds++; return state }
  const waits = [1, 2, 3, 4, 5].map(() => { state++; return track(store.commit(build)) })
  await loop.turn()
  t.equal(disk.prepares.length, 1, 'one write for five commits')
  t.equal(builds, 1, 'the document is built once per write')
  t.equal(disk.prepares[0]!.doc, 5, 'with the newest state')
  t.ok(waits.every(w => w.state === 'pending'), 'nobody is told before the temp file is fsynced')
  disk.prepares[0]!.resolve()
  await loop.turn()
  t.equal(disk.onDisk, 5, 'renamed into place')
  t.ok(waits.every(w => w.state === 'pending'), 'nor before the directory is fsynced')
  disk.settles[0]!.resolve()
  await loop.turn()
  t.ok(waits.every(w => w.state === 'resolved'), 'all five answered by the one write')
  t.same(store.stats, { writes: 1, commits: 5, failures: 0, superseded: 0, largestBatch: 5 })
})

t.test('a commit made while a write is in flight waits for the next write, not the current one', async t => {
  const disk = new FakeDisk<string>()
  const loop = manualDefer()
  const store = new GroupCommitStore(disk, { defer: loop.defer })
  const a = track(store.commit(() => 'a'))
  await loop.turn()
  const b = track(store.commit(() => 'ab'))
  const c = track(store.commit(() => 'abc'))
  disk.prepares[0]!.resolve()
  await loop.turn()
  disk.settles[0]!.resolve()
  await loop.turn()
  t.equal(a.state, 'resolved')
  t.equal(b.state, 'pending', 'b was not in the document that was written')
  t.equal(c.state, 'pending')
  t.equal(disk.prepares.length, 2, 'the next write started when the first finished')
  t.equal(disk.prepares[1]!.doc, 'abc', 'one write for b and c, with the newest state')
  disk.prepares[1]!.resolve()
  await loop.turn()
  disk.settles[1]!.resolve()
  await loop.turn()
  t.equal(b.state, 'resolved')
  t.equal(c.state, 'resolved')
  t.equal(store.stats.writes, 2)
})

t.test('a failing write rejects every waiter of its batch, reports nothing, and the next commit gets a fresh write',
  async t => {
    for (const where of ['prepare', 'publish', 'settle'] as const) {
      const disk = new FakeDisk<string>()
      disk.onDisk = 'old'
      const loop = manualDefer()
      const store = new GroupCommitStore(disk, { defer: loop.defer })
      const batch = [track(store.commit(() => 'x')), track(store.commit(() => 'xy'))]
      const flushed = track(store.flushed())
      await loop.turn()
      const boom = new Error(`ENOSPC at ${where}`)
      if (where === 'prepare') disk.prepares[0]!.reject(boom)
      else {
        if (where === 'publish') disk.publishError = boom
        disk.prepares[0]!.resolve()
        await loop.turn()
        if (where === 'settle') disk.settles[0]!.reject(boom)
      }
      await loop.turn()
      t.ok(batch.every(w => w.state === 'rejected' && w.error === boom), `${where}: every waiter gets the error`)
      t.equal(flushed.state, 'rejected', `${where}: flushed() too`)
      if (where !== 'settle') t.equal(disk.onDisk, 'old', `${where}: the document on disk is untouched`)
      if (where === 'publish') t.ok(disk.log.includes('discard'), 'the temp file is removed')
      t.equal(store.stats.failures, 1)
      t.equal(store.stats.commits, 0, 'nothing counted as durable')
      disk.publishError = null
      const next = track(store.commit(() => 'z'))
      await loop.turn()
      disk.prepares[disk.prepares.length - 1]!.resolve()
      await loop.turn()
      disk.settles[disk.settles.length - 1]!.resolve()
      await loop.turn()
      t.equal(next.state, 'resolved', `${where}: the store recovers`)
      t.equal(disk.onDisk, 'z')
    }
  })

t.test('a document builder that throws fails its batch', async t => {
  const disk = new FakeDisk<string>()
  const loop = manualDefer()
  const store = new GroupCommitStore(disk, { defer: loop.defer })
  const w = track(store.commit(() => { throw new Error('cannot serialise') }))
  await loop.turn()
  t.equal(w.state, 'rejected')
  t.match(w.error?.message, /cannot serialise/)
  t.equal(disk.prepares.length, 0)
})

t.test('a synchronous save while a write is in flight: waiters are settled by it and the older write is never renamed over it', async t => {
  const disk = new FakeDisk<string>()
  const loop = manualDefer()
  const store = new GroupCommitStore(disk, { defer: loop.defer })
  const a = track(store.commit(() => 'v1'))
  await loop.turn()
  store.save('v2') // e.g. a Paxos promise, which must be on disk before its reply
  await loop.turn()
  t.equal(disk.onDisk, 'v2')
  t.equal(a.state, 'resolved', 'the newer document holds the commit')
  disk.prepares[0]!.resolve()
  await loop.turn()
  t.equal(disk.onDisk, 'v2', 'the in-flight v1 was not renamed over v2')
  t.ok(disk.log.includes('discard'), 'its temp file was removed')
  t.equal(store.stats.superseded, 1)
  t.equal(disk.settles.length, 0)
})

t.test('a synchronous save supersedes a commit still waiting for its write', async t => {
  const disk = new FakeDisk<string>()
  const loop = manualDefer()
  const store = new GroupCommitStore(disk, { defer: loop.defer })
  const a = track(store.commit(() => 'v1'))
  store.save('v2')
  await loop.turn()
  t.equal(a.state, 'resolved')
  t.equal(disk.prepares.length, 0, 'no background write at all')
})

t.test('a failing synchronous save throws to its caller and leaves waiting commits to their own write', async t => {
  const disk = new FakeDisk<string>()
  const loop = manualDefer()
  const store = new GroupCommitStore(disk, { defer: loop.defer })
  const a = track(store.commit(() => 'v1'))
  disk.saveError = new Error('EIO')
  t.throws(() => store.save('v2'), /EIO/)
  disk.saveError = null
  await loop.turn()
  t.equal(a.state, 'pending')
  disk.prepares[0]!.resolve()
  await loop.turn()
  disk.settles[0]!.resolve()
  await loop.turn()
  t.equal(a.state, 'resolved')
  t.equal(disk.onDisk, 'v1')
})

t.test('flushed() and idle()', async t => {
  const disk = new FakeDisk<string>()
  const loop = manualDefer()
  const store = new GroupCommitStore(disk, { defer: loop.defer })
  t.equal(track(store.flushed()).state, 'pending', 'tracked below')
  await loop.turn()
  const nothing = track(store.flushed())
  await loop.turn()
  t.equal(nothing.state, 'resolved', 'nothing committed: settled at once')
  void store.commit(() => 'a')
  const f = track(store.flushed())
  const idle = track(store.idle())
  await loop.turn()
  t.equal(f.state, 'pending')
  t.equal(idle.state, 'pending')
  disk.prepares[0]!.resolve()
  await loop.turn()
  disk.settles[0]!.resolve()
  await loop.turn()
  await loop.turn()
  t.equal(f.state, 'resolved')
  t.equal(idle.state, 'resolved')
})

t.test('100 concurrent commits while writes keep failing and succeeding: each is told once, and only after a write that holds it', async t => {
  const disk = new FakeDisk<number[]>()
  const loop = manualDefer()
  const store = new GroupCommitStore(disk, { defer: loop.defer })
  const held: number[] = []
  const outcomes: Array<{ i: number, s: ReturnType<typeof track> }> = []
  let rounds = 0
  for (let i = 0; i < 100; i++) {
    held.push(i)
    outcomes.push({ i, s: track(store.commit(() => [...held])) })
    if (i % 7 === 0) {
      await loop.turn()
      const p = disk.prepares[disk.prepares.length - 1]
      if (p !== undefined && rounds < disk.prepares.length) {
        rounds = disk.prepares.length
        if (rounds % 3 === 0) p.reject(new Error('EIO'))
        else { p.resolve(); await loop.turn(); disk.settles[disk.settles.length - 1]!.resolve() }
      }
    }
  }
  for (let k = 0; k < 50 && outcomes.some(o => o.s.state === 'pending'); k++) {
    await loop.turn()
    const p = disk.prepares[disk.prepares.length - 1]
    if (p !== undefined && rounds < disk.prepares.length) {
      rounds = disk.prepares.length
      p.resolve(); await loop.turn(); disk.settles[disk.settles.length - 1]!.resolve()
    }
  }
  t.notOk(outcomes.some(o => o.s.state === 'pending'), 'everyone answered')
  const onDisk = new Set(disk.onDisk ?? [])
  const lies = outcomes.filter(o => o.s.state === 'resolved' && !onDisk.has(o.i))
  t.same(lies, [], 'every commit told "durable" is in the document on disk')
  t.ok(outcomes.some(o => o.s.state === 'rejected'), 'some batches failed')
  t.ok(store.stats.writes < 100, `fewer writes (${store.stats.writes}) than commits`)
})

const layout = makeBlockLayout('10.244.0.0/16', 24)

/** The addresses a static state document holds, sorted. */
/** A founder's Ipam over `store` once it has claimed its first block (Paxos with itself), as an IpamNode. */
function foundedNode (store: GroupCommitStore<IpamDurable>): { node: IpamNode, now: number } {
  let now = 0
  const ipam = new Ipam({ store }, { id: 'node-a', layout, bootstrap: true, seeds: [], random: () => 0.5 }, now)
  for (let i = 0; i < 200; i++) {
    now += 20
    ipam.tick(now)
    for (const o of ipam.takeOutbox()) if (o.to === 'node-a') ipam.receive(o.msg, now)
  }
  return { node: new IpamNode(ipam, layout, () => now, []), now }
}

function addressesIn (doc: StaticPodAddressesDurable): string[] {
  return new StaticPodAddresses({ load: () => doc, save: () => undefined },
    doc.podCIDR).list().map(r => r.address).sort()
}

t.test('static pod addresses over group commit: concurrent ADDs share a write; a failed write reports nothing and frees the addresses', async t => {
  const disk = new FakeDisk<StaticPodAddressesDurable>()
  const loop = manualDefer()
  const store = new GroupCommitStore(disk, { defer: loop.defer })
  const pods = new StaticPodAddresses(store, '10.244.1.0/24')
  const ids = [1, 2, 3].map(i => ({ containerID: `c${i}`, ifname: 'eth0' }))
  const adds = ids.map(id => Promise.resolve(pods.allocate(id, {})))
  const results = adds.map(p => {
    const s: {
      rec?: { address: string }, err?: Error
    } = {}; p.then(r => { s.rec = r }, (e: Error) => { s.err = e }); return s
  })
  await loop.turn()
  t.equal(disk.prepares.length, 1, 'one write for three ADDs')
  t.same(addressesIn(disk.prepares[0]!.doc), ['10.244.1.1', '10.244.1.2', '10.244.1.3'])
  t.ok(results.every(r => r.rec === undefined && r.err === undefined), 'no ADD answered before the write')
  disk.prepares[0]!.reject(new Error('ENOSPC'))
  await loop.turn()
  for (const r of results) {
    t.match(r.err,
      { name: 'IpamTryAgainError', message: /could not be written.*ENOSPC.*nothing was reported/ })
  }
  t.same(pods.list(), [], 'the failed allocations are undone in memory')
  t.equal(disk.onDisk, null, 'and nothing is on disk')
  // A retried ADD gets a fresh write and is answered only after it.
  const retry = Promise.resolve(pods.allocate(ids[0]!, {}))
  let answered = false
  void retry.then(() => { answered = true })
  await loop.turn()
  t.notOk(answered)
  disk.prepares[1]!.resolve()
  await loop.turn()
  disk.settles[0]!.resolve()
  const rec = await retry
  t.ok(answered)
  t.same(addressesIn(disk.onDisk!), [rec.address], 'what was reported is what is on disk')
  // The same attachment again (a retried ADD) waits for nothing new but still for the disk.
  const again = await pods.allocate(ids[0]!, {})
  t.equal(again.address, rec.address)
})

t.test('gossip IPAM over group commit: allocations wait for the write; a failure releases them; Paxos saves stay synchronous', async t => {
  const disk = new FakeDisk<IpamDurable>()
  const loop = manualDefer()
  const store = new GroupCommitStore(disk, { defer: loop.defer })
  let now = 0
  const ipam = new Ipam({ store }, { id: 'node-a', layout, bootstrap: true, seeds: [], random: () => 0.5 }, now)
  const syncBefore = disk.syncSaves
  t.ok(syncBefore >= 1, 'the constructor saves synchronously')
  for (let i = 0; i < 200; i++) {
    now += 20
    ipam.tick(now)
    for (const o of ipam.takeOutbox()) if (o.to === 'node-a') ipam.receive(o.msg, now)
  }
  t.ok(disk.syncSaves > syncBefore, 'claiming a block (Paxos) saved synchronously')
  t.equal(disk.prepares.length, 0)
  const node = new IpamNode(ipam, layout, () => now, [])
  const ids = [1, 2, 3].map(i => ({ containerID: `g${i}`, ifname: 'eth0' }))
  const out = ids.map(id => {
    const s: {
      address?: string, err?: Error
    } = {}; node.allocate(id, {}).then(r => { s.address = r.address }, (e: Error) => { s.err = e }); return s
  })
  await loop.turn()
  t.equal(disk.prepares.length, 1, 'three allocations, one write')
  t.equal(disk.prepares[0]!.doc.allocations.length, 3)
  t.ok(out.every(o => o.address === undefined && o.err === undefined), 'none answered yet')
  disk.prepares[0]!.reject(new Error('EIO'))
  await loop.turn()
  await loop.turn()
  for (const o of out) t.match(o.err, { name: 'IpamTryAgainError' })
  t.same(node.list(), [], 'released in memory')
  // Those releases are group-committed too: the retried ADD may wait for their write and its own.
  const p = node.allocate(ids[0]!, {})
  const done = track(p.then(() => {}))
  for (let i = 0, prepared = 1, settled = 0; i < 10 && done.state === 'pending'; i++) {
    await loop.turn()
    while (prepared < disk.prepares.length) disk.prepares[prepared++]!.resolve()
    await loop.turn()
    while (settled < disk.settles.length) disk.settles[settled++]!.resolve()
  }
  const rec = await p
  t.same(disk.onDisk?.allocations.map(a => a[0]), ['g1/eth0'], 'reported after it is on disk')
  t.equal(node.get(ids[0]!)?.address, rec.address)
})

t.test('FileStateStore under group commit: real files, a planted temp symlink, a sync save between', async t => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-group-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'pod-addresses.json')
  const victim = path.join(dir, 'victim')
  fs.writeFileSync(victim, 'untouched')
  fs.symlinkSync(victim, `${file}.tmp-group`)
  const store = new GroupCommitStore(new FileStateStore<StaticPodAddressesDurable>(file, validateStaticPodAddresses))
  const pods = new StaticPodAddresses(store, '10.244.1.0/24')
  const recs = await Promise.all(Array.from({ length: 20 },
    (_, i) => pods.allocate({ containerID: `f${i}`, ifname: 'eth0' }, {})))
  t.equal(fs.readFileSync(victim, 'utf8'), 'untouched', 'the planted symlink was replaced, not written through')
  t.notOk(fs.existsSync(`${file}.tmp-group`), 'no temp file left')
  const saved = validateStaticPodAddresses(JSON.parse(fs.readFileSync(file, 'utf8')))
  t.same(addressesIn(saved), recs.map(r => r.address).sort(), 'every reported address is in the file')
  t.ok(store.stats.writes < 20, `20 ADDs took ${store.stats.writes} writes`)
  // A release (synchronous) racing a group write: the file ends with the newest state.
  const pending = pods.allocate({ containerID: 'late', ifname: 'eth0' }, {})
  pods.release({ containerID: 'f0', ifname: 'eth0' })
  await pending
  await store.idle()
  const after = validateStaticPodAddresses(JSON.parse(fs.readFileSync(file, 'utf8')))
  t.notOk(after.allocations.some(a => a[0] === 'f0/eth0'), 'the release is on disk')
  t.ok(after.allocations.some(a => a[0] === 'late/eth0'), 'and the late allocation')
  const reopened = new StaticPodAddresses(new FileStateStore<StaticPodAddressesDurable>(file,
    validateStaticPodAddresses), '10.244.1.0/24')
  t.equal(reopened.list().length, 20)
})

t.test('gossip IPAM state file through FileStateStore and group commit', async t => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-group-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'ipam.json')
  const store = new GroupCommitStore(new FileStateStore<IpamDurable>(file, raw => validateIpamDurable(raw, layout),
    ipamDurableToJSON))
  const { node, now } = foundedNode(store)
  const recs = await Promise.all(Array.from({ length: 10 },
    (_, i) => node.allocate({ containerID: `q${i}`, ifname: 'eth0' }, {})))
  const back = validateIpamDurable(JSON.parse(fs.readFileSync(file, 'utf8')), layout)
  const reopened = new Ipam({ store: { load: () => back, save: () => undefined } },
    { id: 'node-a', layout, bootstrap: false, seeds: [], random: () => 0.5 }, now)
  t.same([...reopened.allocator.entries()].map(a => a.address).sort(), recs.map(r => r.address).sort(),
    'every reported address is in the file')
})

t.test('static pod addresses: concurrent releases (DEL) share one write; durable() waits for it; after a failed write a retried DEL writes again', async t => {
  const disk = new FakeDisk<StaticPodAddressesDurable>()
  const loop = manualDefer()
  const store = new GroupCommitStore(disk, { defer: loop.defer })
  const pods = new StaticPodAddresses(store, '10.244.1.0/24')
  const ids = [1, 2, 3, 4].map(i => ({ containerID: `d${i}`, ifname: 'eth0' }))
  const adds = Promise.all(ids.map(id => Promise.resolve(pods.allocate(id, {}))))
  await loop.turn()
  disk.prepares[0]!.resolve()
  await loop.turn()
  disk.settles[0]!.resolve()
  await adds
  const syncSaves = disk.syncSaves
  for (const id of ids.slice(0, 3)) t.ok(pods.release(id) !== null, `${id.containerID} released in memory`)
  const del = track(pods.durable())
  await loop.turn()
  t.equal(disk.prepares.length, 2, 'three releases, one write')
  t.equal(disk.syncSaves, syncSaves, 'no synchronous save on the event loop')
  t.same(addressesIn(disk.prepares[1]!.doc), ['10.244.1.4'], 'the write holds the releases')
  t.equal(del.state, 'pending', 'not durable before the write is done')
  disk.prepares[1]!.reject(new Error('EIO'))
  await loop.turn()
  t.equal(del.state, 'rejected')
  t.match(del.error, { name: 'IpamTryAgainError', message: /EIO/ })
  t.equal(pods.get(ids[0]!), undefined, 'the release stays made in memory (its address quarantined, unused)')
  t.equal(addressesIn(disk.onDisk!).length, 4, 'the disk still holds all four')
  // A retried DEL finds nothing to release; durable() must not wait for a write nobody scheduled.
  t.equal(pods.release(ids[0]!), null)
  const retry = track(pods.durable())
  await loop.turn()
  t.equal(disk.prepares.length, 3, 'durable() after a failed write writes the newest state again')
  disk.prepares[2]!.resolve()
  await loop.turn()
  t.equal(retry.state, 'pending', 'still waiting for the directory fsync')
  disk.settles[1]!.resolve()
  await loop.turn()
  t.equal(retry.state, 'resolved')
  t.same(addressesIn(disk.onDisk!), ['10.244.1.4'], 'the releases are on disk once the retry is answered')
})

t.test('gossip IPAM: releases join the group write instead of a synchronous save; durable() waits for it', async t => {
  const disk = new FakeDisk<IpamDurable>()
  const loop = manualDefer()
  const store = new GroupCommitStore(disk, { defer: loop.defer })
  const { node } = foundedNode(store)
  const ids = [1, 2, 3].map(i => ({ containerID: `r${i}`, ifname: 'eth0' }))
  const adds = Promise.all(ids.map(id => node.allocate(id, {})))
  await loop.turn()
  disk.prepares[disk.prepares.length - 1]!.resolve()
  await loop.turn()
  disk.settles[disk.settles.length - 1]!.resolve()
  await adds
  const syncSaves = disk.syncSaves
  const writes = disk.prepares.length
  for (const id of ids) t.ok(node.release(id) !== null)
  const del = track(node.durable())
  await loop.turn()
  t.equal(disk.syncSaves, syncSaves, 'no synchronous save')
  t.equal(disk.prepares.length, writes + 1, 'three releases, one write')
  t.equal(disk.prepares[writes]!.doc.allocations.length, 0)
  t.equal(del.state, 'pending')
  disk.prepares[writes]!.resolve()
  await loop.turn()
  disk.settles[disk.settles.length - 1]!.resolve()
  await loop.turn()
  t.equal(del.state, 'resolved')
  t.equal(disk.onDisk?.allocations.length, 0, 'on disk when durable() settles')
})
