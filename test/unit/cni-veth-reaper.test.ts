/**
 * Batched host veth deletion (cni/veth-reaper.ts) over a fake kernel that reads the batch's
 * requests (marks by name, then the group deletion) and answers them when the test says so:
 * deletions queued together share one round trip; one queued while a round trip is in flight
 * waits for the next; a link already gone is done even when its batch's deletion fails; a failed
 * mark fails its caller only; a failed group deletion fails the callers whose links it held,
 * which stay marked for the next batch; a failed round trip fails its batch only.
 */
import t from 'tap'
import { constants } from 'node:os'
import { REAP_GROUP, VethReaper } from '../../cni/veth-reaper'
import type { BatchOutcome, BatchRequest } from '../../host'

const { ENODEV, EBUSY, EPERM } = constants.errno
const RTM_DELLINK = 17
const RTM_SETLINK = 19

interface Trip {
  /** The link names marked, in order. */
  names: string[]
  /** Runs the batch in the fake kernel and answers; `deletion` forces the group deletion's errno. */
  answer: (opts?: { deletion?: number, markErrno?: Record<string, number> }) => void
  fail: (e: Error) => void
}

/** IFLA_IFNAME (3) and IFLA_GROUP (27) of an RTM_*LINK body (16-byte ifinfomsg, then attributes). */
function attrsOf (body: Buffer): { name?: string, group?: number } {
  const out: { name?: string, group?: number } = {}
  for (let off = 16; off + 4 <= body.length;) {
    const len = body.readUInt16LE(off)
    const type = body.readUInt16LE(off + 2)
    if (type === 3) out.name = body.subarray(off + 4, off + len).toString().replace(/\0+$/, '')
    if (type === 27) out.group = body.readUInt32LE(off + 4)
    off += (len + 3) & ~3
  }
  return out
}

function fakeKernel (links: string[]): {
  kernel: (r: BatchRequest[]) => Promise<BatchOutcome>, trips: Trip[], group: Set<string>, links: Set<string>
} {
  const present = new Set(links)
  const group = new Set<string>()
  const trips: Trip[] = []
  const kernel = (requests: BatchRequest[]): Promise<BatchOutcome> => new Promise((resolve, reject) => {
    const last = requests[requests.length - 1]!
    if (last.type !== RTM_DELLINK || attrsOf(last.body).group !== REAP_GROUP) throw new Error('the batch must end with the group deletion')
    const marks = requests.slice(0, -1).map((r) => {
      const a = attrsOf(r.body)
      if (r.type !== RTM_SETLINK || a.group !== REAP_GROUP || a.name === undefined) throw new Error('not a mark')
      return a.name
    })
    trips.push({
      names: marks,
      // The kernel runs the requests in order: every mark, then the deletion of the group.
      answer: (opts = {}) => {
        const errnos = marks.map((n) => {
          const forced = opts.markErrno?.[n]
          if (forced !== undefined) return forced
          if (!present.has(n)) return ENODEV
          group.add(n)
          return 0
        })
        let deletion = opts.deletion ?? (group.size === 0 ? ENODEV : 0)
        if (deletion === 0) for (const m of group) { group.delete(m); present.delete(m) }
        if (deletion === ENODEV && group.size > 0) deletion = 0
        resolve({ errnos: [...errnos, deletion], syncSeconds: 0.001 })
      },
      fail: reject,
    })
  })
  return { kernel, trips, group, links: present }
}

function manualDefer (): { defer: (fn: () => void) => void, turn: () => Promise<void> } {
  let queue: Array<() => void> = []
  return {
    defer: (fn) => { queue.push(fn) },
    turn: async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve()
      const q = queue
      queue = []
      for (const fn of q) fn()
      for (let i = 0; i < 5; i++) await Promise.resolve()
    },
  }
}

function track (p: Promise<unknown>): { state: string, error?: Error } {
  const s: { state: string, error?: Error } = { state: 'pending' }
  p.then(() => { s.state = 'resolved' }, (e: Error) => { s.state = 'rejected'; s.error = e })
  return s
}

t.test('deletions queued together share one round trip; later ones wait for the next; a failed deletion fails its batch', async (t) => {
  const k = fakeKernel(['lxc00000000001', 'lxc00000000002', 'lxc00000000003', 'lxc00000000004'])
  const d = manualDefer()
  const reaper = new VethReaper(k.kernel, d.defer)
  const a = track(reaper.delete('lxc00000000001'))
  const b = track(reaper.delete('lxc00000000002'))
  t.equal(k.trips.length, 0, 'nothing is sent from the caller\'s turn')
  await d.turn()
  t.equal(k.trips.length, 1, 'one round trip for two')
  t.same(k.trips[0]!.names, ['lxc00000000001', 'lxc00000000002'])
  const c = track(reaper.delete('lxc00000000003'))
  await d.turn()
  t.equal(k.trips.length, 1, 'a deletion queued while a round trip is in flight waits for the next one')
  k.trips[0]!.answer()
  await d.turn()
  t.equal(a.state, 'resolved')
  t.equal(b.state, 'resolved')
  t.notOk(k.links.has('lxc00000000001') || k.links.has('lxc00000000002'), 'both gone')
  t.equal(c.state, 'pending', 'not answered by the round trip sent before it was queued')
  await d.turn()
  t.equal(k.trips.length, 2)
  t.same(k.trips[1]!.names, ['lxc00000000003'])
  k.trips[1]!.answer({ deletion: EBUSY })
  await d.turn()
  t.equal(c.state, 'rejected', 'a failed group deletion fails the callers whose links it held')
  t.match(c.error, /delete the links of group .*EBUSY/)
  t.ok(k.group.has('lxc00000000003'), 'its link stays marked for the next batch')
  const e = track(reaper.delete('lxc00000000004'))
  await d.turn()
  await d.turn()
  t.same(k.trips[2]!.names, ['lxc00000000004'])
  k.trips[2]!.answer()
  await d.turn()
  t.equal(e.state, 'resolved')
  t.same([...k.links], [], 'the next group deletion took the link left marked too')
  t.match(reaper.stats, { batches: 3, largestBatch: 2 })
  t.ok(reaper.stats.syncSeconds > 0, 'the event loop\'s share is counted')
})

t.test('a link already gone is done, also when its batch\'s deletion fails; a failed mark fails its caller only', async (t) => {
  const k = fakeKernel(['lxc00000000001', 'lxc00000000002'])
  const d = manualDefer()
  const reaper = new VethReaper(k.kernel, d.defer)
  const gone = track(reaper.delete('lxc0000000000f'))
  const refused = track(reaper.delete('lxc00000000001'))
  const held = track(reaper.delete('lxc00000000002'))
  await d.turn()
  k.trips[0]!.answer({ markErrno: { lxc00000000001: EPERM }, deletion: EBUSY })
  await d.turn()
  t.equal(gone.state, 'resolved', 'missing is fine')
  t.equal(refused.state, 'rejected')
  t.match(refused.error, /put link lxc00000000001 into group .*EPERM/)
  t.equal(held.state, 'rejected')
  t.match(held.error, /EBUSY/)
})

t.test('a failed round trip fails its batch only; the next batch runs', async (t) => {
  const k = fakeKernel(['lxc00000000001', 'lxc00000000002'])
  const d = manualDefer()
  const reaper = new VethReaper(k.kernel, d.defer)
  const a = track(reaper.delete('lxc00000000001'))
  await d.turn()
  const b = track(reaper.delete('lxc00000000002'))
  k.trips[0]!.fail(new Error('ETIMEDOUT'))
  await d.turn()
  t.equal(a.state, 'rejected')
  t.match(a.error, /ETIMEDOUT/)
  await d.turn()
  k.trips[1]!.answer()
  await d.turn()
  t.equal(b.state, 'resolved')
})

t.test('a malformed name is refused at once and never sent', async (t) => {
  const k = fakeKernel([])
  const d = manualDefer()
  const reaper = new VethReaper(k.kernel, d.defer)
  t.throws(() => reaper.delete('lxc bad/name'), /invalid link name/)
  t.throws(() => reaper.delete(''), /invalid link name/)
  await d.turn()
  t.equal(k.trips.length, 0)
})

t.test('100 concurrent deletions, answered as they come: each answered once, after its link is gone', async (t) => {
  const names = Array.from({ length: 100 }, (_, i) => `lxc${i.toString(16).padStart(11, '0')}`)
  const k = fakeKernel(names)
  const d = manualDefer()
  const reaper = new VethReaper(k.kernel, d.defer)
  const answered: string[] = []
  const all = names.map(async (n, i) => {
    for (let j = 0; j < i % 7; j++) await Promise.resolve()
    await reaper.delete(n)
    if (k.links.has(n)) t.fail(`${n} answered while it still exists`)
    answered.push(n)
  })
  let next = 0
  for (let i = 0; i < 50 && answered.length < names.length; i++) {
    await d.turn()
    while (next < k.trips.length) k.trips[next++]!.answer()
  }
  await Promise.all(all)
  t.equal(answered.length, 100)
  t.equal(new Set(answered).size, 100)
  t.ok(reaper.stats.batches < 100, `fewer round trips than links (${reaper.stats.batches})`)
})
