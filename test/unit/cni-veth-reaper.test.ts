/**
 * Host veths taken out of service at once and deleted later in batches (cni/veth-reaper.ts),
 * over a fake kernel that runs each round trip's requests (RTM_SETLINK by name: down and into
 * the group; RTM_DELLINK of the group) when the test says so:
 * - detaches queued together share one round trip, each answered once its link is down and in
 *   the group, before any deletion; the group's deletion follows in a round trip of its own;
 * - a detach answered while a deletion is in flight gets another deletion after it; `delete`
 *   resolves only once a deletion sent after its detach is done (the link is gone);
 * - a link already gone is fine; a failed detach fails its caller only; a failed deletion is
 *   tried again with backoff, the links waiting in the group, down;
 * - `reap` deletes links a previous run left in the group; `settle` waits for the reaper to be
 *   idle, bounded.
 */
import t from 'tap'
import { constants } from 'node:os'
import { REAP_GROUP, VethReaper, type ReaperTimers } from '../../cni/veth-reaper'
import type { BatchOutcome, BatchRequest } from '../../host'

const { ENODEV, EBUSY, EPERM } = constants.errno
const RTM_DELLINK = 17
const RTM_SETLINK = 19
const IFF_UP = 1

interface Link { up: boolean, group: number }

interface Trip {
  /** 'detach' (RTM_SETLINKs) or 'reap' (the group's RTM_DELLINK). */
  kind: 'detach' | 'reap'
  /** The link names a detach trip names, in order. */
  names: string[]
  /** Runs the trip in the fake kernel and answers; `errno` forces a request's answer by name (or 'group'). */
  answer: (errno?: Record<string, number>) => void
  fail: (e: Error) => void
}

/** IFLA_IFNAME (3) and IFLA_GROUP (27) of an RTM_*LINK body, and ifinfomsg's flags and change. */
function parse (body: Buffer): { name?: string, group?: number, flags: number, change: number } {
  const out: { name?: string, group?: number, flags: number, change: number } = {
    flags: body.readUInt32LE(8), change: body.readUInt32LE(12)
  }
  for (let off = 16; off + 4 <= body.length;) {
    const len = body.readUInt16LE(off)
    const type = body.readUInt16LE(off + 2)
    if (type === 3) out.name = body.subarray(off + 4, off + len).toString().replace(/\0+$/, '')
    if (type === 27) out.group = body.readUInt32LE(off + 4)
    off += (len + 3) & ~3
  }
  return out
}

function fakeKernel (names: string[]): {
  kernel: (r: BatchRequest[]) => Promise<BatchOutcome>, trips: Trip[], links: Map<string, Link>
} {
  const links = new Map(names.map((n): [string, Link] => [n, { up: true, group: 0 }]))
  const trips: Trip[] = []
  const kernel = (requests: BatchRequest[]): Promise<BatchOutcome> => new Promise((resolve, reject) => {
    const parsed = requests.map((r) => ({ type: r.type, ...parse(r.body) }))
    const reap = parsed.length === 1 && parsed[0]!.type === RTM_DELLINK
    if (reap && parsed[0]!.group !== REAP_GROUP) throw new Error('a deletion must name the reap group')
    if (!reap) {
      for (const p of parsed) {
        if (p.type !== RTM_SETLINK || p.group !== REAP_GROUP || p.name === undefined || p.change !== IFF_UP ||
          p.flags !== 0) throw new Error('a detach must take its link down into the reap group, by name')
      }
    }
    trips.push({
      kind: reap ? 'reap' : 'detach',
      names: reap ? [] : parsed.map((p) => p.name!),
      answer: (forced = {}) => {
        const errnos = parsed.map((p) => {
          if (reap) {
            if (forced.group !== undefined) return forced.group
            const members = [...links].filter(([, l]) => l.group === REAP_GROUP)
            for (const [n] of members) links.delete(n)
            return members.length === 0 ? ENODEV : 0
          }
          const f = forced[p.name!]
          if (f !== undefined) return f
          const l = links.get(p.name!)
          if (l === undefined) return ENODEV
          l.up = false
          l.group = REAP_GROUP
          return 0
        })
        resolve({ errnos, syncSeconds: 0.001 })
      },
      fail: reject,
    })
  })
  return { kernel, trips, links }
}

/** Deferred calls and timers the test runs by hand. */
function manualTimers (): ReaperTimers & { turn: () => Promise<void>, fire: () => number[] } {
  let queue: Array<() => void> = []
  let timers: Array<{ ms: number, fn: () => void, live: boolean }> = []
  const settle = async (): Promise<void> => { for (let i = 0; i < 10; i++) await Promise.resolve() }
  return {
    defer: (fn) => { queue.push(fn) },
    after: (ms, fn) => {
      const e = { ms, fn, live: true }
      timers.push(e)
      return () => { e.live = false }
    },
    turn: async () => {
      await settle()
      const q = queue
      queue = []
      for (const fn of q) fn()
      await settle()
    },
    /** Fires every live timer; returns their delays. */
    fire: () => {
      const live = timers.filter((e) => e.live)
      timers = []
      for (const e of live) e.fn()
      return live.map((e) => e.ms)
    },
  }
}

function track (p: Promise<unknown>): { state: string, error?: Error } {
  const s: { state: string, error?: Error } = { state: 'pending' }
  p.then(() => { s.state = 'resolved' }, (e: Error) => { s.state = 'rejected'; s.error = e })
  return s
}

const L = (i: number): string => `lxc${i.toString(16).padStart(11, '0')}`

t.test('detaches of one turn share a round trip, answered with their links down in the group before any deletion; the deletion follows', async (t) => {
  const k = fakeKernel([L(1), L(2), L(3)])
  const tm = manualTimers()
  const reaper = new VethReaper(k.kernel, tm)
  const a = track(reaper.detach(L(1)))
  const b = track(reaper.detach(L(2)))
  t.equal(k.trips.length, 0, 'nothing is sent from the caller\'s turn')
  await tm.turn()
  t.equal(k.trips.length, 1, 'one round trip for two')
  t.match(k.trips[0]!, { kind: 'detach', names: [L(1), L(2)] })
  k.trips[0]!.answer()
  await tm.turn()
  t.equal(a.state, 'resolved')
  t.equal(b.state, 'resolved')
  t.same(k.links.get(L(1)), { up: false, group: REAP_GROUP }, 'down and in the group when its detach is answered')
  t.ok(k.links.has(L(2)), 'not deleted yet: the answer does not wait for the deletion')
  t.equal(k.trips.length, 2)
  t.equal(k.trips[1]!.kind, 'reap', 'the group deletion is its own round trip')
  t.same(k.links.get(L(3)), { up: true, group: 0 }, 'an unrelated link is untouched')
  k.trips[1]!.answer()
  await tm.turn()
  t.same([...k.links.keys()], [L(3)], 'the deletion took the detached links only')
  t.match(reaper.stats, { detachTrips: 1, largestDetach: 2, reaps: 1, failedReaps: 0 })
  t.ok(reaper.stats.syncSeconds > 0, 'the event loop\'s share is counted')
})

t.test('a detach answered while a deletion is in flight gets another deletion; delete waits for one sent after its detach', async (t) => {
  const k = fakeKernel([L(1), L(2)])
  const tm = manualTimers()
  const reaper = new VethReaper(k.kernel, tm)
  void reaper.detach(L(1))
  await tm.turn()
  k.trips[0]!.answer()
  await tm.turn()
  t.equal(k.trips[1]!.kind, 'reap', 'deletion 1 in flight')
  const gone = track(reaper.delete(L(2)))
  await tm.turn()
  t.equal(k.trips[2]!.kind, 'detach')
  k.trips[2]!.answer()
  await tm.turn()
  t.equal(k.trips.length, 3, 'no second deletion while one is in flight')
  k.trips[1]!.answer() // the kernel ran deletion 1 after the detach of L(2): it takes both
  await tm.turn()
  t.equal(gone.state, 'pending', 'not answered by a deletion sent before its detach was answered')
  t.equal(k.trips[3]!.kind, 'reap', 'another deletion follows')
  k.trips[3]!.answer()
  await tm.turn()
  t.equal(gone.state, 'resolved')
  t.equal(k.links.size, 0)
})

t.test('a link already gone is fine; a failed detach fails its caller only; a failed round trip fails its batch and a deletion follows', async (t) => {
  const k = fakeKernel([L(1), L(2), L(3)])
  const tm = manualTimers()
  const reaper = new VethReaper(k.kernel, tm)
  const gone = track(reaper.detach(L(15)))
  const refused = track(reaper.detach(L(1)))
  const ok = track(reaper.detach(L(2)))
  await tm.turn()
  k.trips[0]!.answer({ [L(1)]: EPERM })
  await tm.turn()
  t.equal(gone.state, 'resolved', 'missing is fine')
  t.equal(refused.state, 'rejected')
  t.match(refused.error, new RegExp(`take link ${L(1)} down into group .*EPERM`))
  t.equal(ok.state, 'resolved')
  t.same(k.links.get(L(1)), { up: true, group: 0 }, 'the refused link is untouched')
  k.trips[1]!.answer()
  await tm.turn()
  const lost = track(reaper.detach(L(3)))
  await tm.turn()
  k.trips[2]!.fail(new Error('ETIMEDOUT'))
  await tm.turn()
  t.equal(lost.state, 'rejected')
  t.match(lost.error, /ETIMEDOUT/)
  t.equal(k.trips[3]?.kind, 'reap', 'a deletion follows a failed round trip (its links may be in the group)')
})

t.test('a failed deletion is tried again with backoff; its delete callers fail, the links wait down in the group', async (t) => {
  const k = fakeKernel([L(1), L(2)])
  const tm = manualTimers()
  const reaper = new VethReaper(k.kernel, tm)
  const d = track(reaper.delete(L(1)))
  await tm.turn()
  k.trips[0]!.answer()
  await tm.turn()
  k.trips[1]!.answer({ group: EBUSY })
  await tm.turn()
  t.equal(d.state, 'rejected')
  t.match(d.error, /delete the links of group .*EBUSY/)
  t.match(reaper.lastReapError, /EBUSY/)
  t.same(k.links.get(L(1)), { up: false, group: REAP_GROUP }, 'still down in the group')
  t.same(tm.fire(), [100], 'retried after 100 ms')
  await tm.turn()
  k.trips[2]!.answer({ group: EBUSY })
  await tm.turn()
  t.same(tm.fire(), [200], 'then 200 ms')
  await tm.turn()
  k.trips[3]!.answer()
  await tm.turn()
  t.equal(k.links.has(L(1)), false, 'gone once a deletion succeeds')
  t.equal(reaper.lastReapError, undefined)
  t.equal(reaper.stats.failedReaps, 2)
  t.same(tm.fire(), [], 'no retry left')
  const again = track(reaper.delete(L(2)))
  await tm.turn()
  k.trips[4]!.answer()
  await tm.turn()
  k.trips[5]!.answer()
  await tm.turn()
  t.equal(again.state, 'resolved')
})

t.test('reap deletes links a previous run left detached; an empty group is fine', async (t) => {
  const k = fakeKernel([L(1), L(2)])
  k.links.set(L(1), { up: false, group: REAP_GROUP }) // a loomd killed between a DEL's answer and the deletion
  const tm = manualTimers()
  const reaper = new VethReaper(k.kernel, tm)
  const swept = track(reaper.reap())
  await tm.turn()
  t.equal(k.trips[0]!.kind, 'reap')
  k.trips[0]!.answer()
  await tm.turn()
  t.equal(swept.state, 'resolved')
  t.same([...k.links.keys()], [L(2)])
  const empty = track(reaper.reap())
  await tm.turn()
  k.trips[1]!.answer()
  await tm.turn()
  t.equal(empty.state, 'resolved', 'ENODEV (empty group) is success')
})

t.test('settle resolves once nothing is queued, in flight or awaiting a deletion, or at its bound', async (t) => {
  const k = fakeKernel([L(1)])
  const tm = manualTimers()
  const reaper = new VethReaper(k.kernel, tm)
  t.equal(track(reaper.settle(2000)).state, 'pending', 'a promise either way')
  await tm.turn()
  void reaper.detach(L(1))
  const s = track(reaper.settle(2000))
  await tm.turn()
  k.trips[0]!.answer()
  await tm.turn()
  t.equal(s.state, 'pending', 'the deletion is still to come')
  k.trips[1]!.answer()
  await tm.turn()
  t.equal(s.state, 'resolved')
  const k2 = fakeKernel([L(2)])
  const tm2 = manualTimers()
  const stuck = new VethReaper(k2.kernel, tm2)
  void stuck.detach(L(2))
  const bounded = track(stuck.settle(2000))
  await tm2.turn()
  t.same(tm2.fire(), [2000])
  await tm2.turn()
  t.equal(bounded.state, 'resolved', 'bounded when the kernel never answers')
})

t.test('a malformed name is refused at once and never sent', async (t) => {
  const k = fakeKernel([])
  const tm = manualTimers()
  const reaper = new VethReaper(k.kernel, tm)
  t.throws(() => reaper.detach('lxc bad/name'), /invalid link name/)
  t.throws(() => reaper.detach(''), /invalid link name/)
  await t.rejects(reaper.delete('x'.repeat(16)), /invalid link name/)
  await tm.turn()
  t.equal(k.trips.length, 0)
})

t.test('100 concurrent detaches, answered as they come: each answered once with its link down, all gone after', async (t) => {
  const names = Array.from({ length: 100 }, (_, i) => L(i))
  const k = fakeKernel(names)
  const tm = manualTimers()
  const reaper = new VethReaper(k.kernel, tm)
  const answered: string[] = []
  const all = names.map(async (n, i) => {
    for (let j = 0; j < i % 7; j++) await Promise.resolve()
    await reaper.detach(n)
    const l = k.links.get(n)
    if (l !== undefined && (l.up || l.group !== REAP_GROUP)) t.fail(`${n} answered while it can still carry traffic`)
    answered.push(n)
  })
  let next = 0
  for (let i = 0; i < 50 && (answered.length < names.length || k.links.size > 0); i++) {
    await tm.turn()
    while (next < k.trips.length) k.trips[next++]!.answer()
  }
  await Promise.all(all)
  t.equal(answered.length, 100)
  t.equal(new Set(answered).size, 100)
  t.equal(k.links.size, 0, 'every link deleted')
  t.ok(reaper.stats.detachTrips < 100 && reaper.stats.reaps < 100,
    `fewer round trips than links (${reaper.stats.detachTrips} detach, ${reaper.stats.reaps} deletions)`)
})
