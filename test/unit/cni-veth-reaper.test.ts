/**
 * Batched host veth deletion (cni/veth-reaper.ts) over a fake netlink client whose group
 * deletions the test completes or fails by hand: deletions marked together share one group
 * deletion; one marked while a group deletion is in flight waits for the next; a link already
 * gone is done without waiting; a failed group deletion fails its batch only.
 */
import t from 'tap'
import { REAP_GROUP, VethReaper } from '../../cni/veth-reaper'
import type { NetlinkClient } from '../../host'

interface Pending { resolve: () => void, reject: (e: Error) => void, members: string[] }

interface FakeKernel {
  open: () => NetlinkClient
  defer: (fn: () => void) => void
  deletions: Pending[]
  group: Set<string>
  links: Set<string>
  turn: () => Promise<void>
}

function fakeKernel (links: string[]): FakeKernel {
  const group = new Set<string>()
  const present = new Set(links)
  const deletions: Pending[] = []
  let queue: Array<() => void> = []
  const open = (): NetlinkClient => ({
    setLinkGroup: async (name: string, g: number) => {
      if (g !== REAP_GROUP) throw new Error('wrong group')
      if (!present.has(name)) return false
      group.add(name)
      return true
    },
    // The kernel deletes the group's members inside sendmsg: at call time, not at the ack.
    deleteLinkGroup: (g: number) => {
      if (g !== REAP_GROUP) throw new Error('wrong group')
      const members = [...group]
      return new Promise<void>((resolve, reject) => {
        deletions.push({
          members,
          resolve: () => { for (const m of members) { group.delete(m); present.delete(m) } resolve() },
          reject,
        })
      })
    },
    close: () => {},
    syncSeconds: 0,
  }) as unknown as NetlinkClient
  return {
    open,
    deletions,
    group,
    links: present,
    turn: async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve()
      const q = queue
      queue = []
      for (const fn of q) fn()
      for (let i = 0; i < 5; i++) await Promise.resolve()
    },
    defer: (fn) => { queue.push(fn) },
  }
}

function track (p: Promise<unknown>): { state: string, error?: Error } {
  const s: { state: string, error?: Error } = { state: 'pending' }
  p.then(() => { s.state = 'resolved' }, (e: Error) => { s.state = 'rejected'; s.error = e })
  return s
}

t.test('deletions marked together share one group deletion; later ones wait for the next', async (t) => {
  const k = fakeKernel(['lxc00000000001', 'lxc00000000002', 'lxc00000000003', 'lxc00000000004'])
  const reaper = new VethReaper(k.open, k.defer)
  const a = track(reaper.delete('lxc00000000001'))
  const b = track(reaper.delete('lxc00000000002'))
  await k.turn()
  t.equal(k.deletions.length, 1, 'one group deletion for two')
  t.same(k.deletions[0]!.members.sort(), ['lxc00000000001', 'lxc00000000002'])
  const c = track(reaper.delete('lxc00000000003'))
  await k.turn()
  t.equal(k.deletions.length, 1, 'a mark made while a deletion is in flight waits for the next one')
  t.equal(c.state, 'pending')
  k.deletions[0]!.resolve()
  await k.turn()
  t.equal(a.state, 'resolved')
  t.equal(b.state, 'resolved')
  t.equal(c.state, 'pending', 'not answered by the deletion issued before its link was in the group')
  await k.turn()
  t.equal(k.deletions.length, 2)
  t.same(k.deletions[1]!.members, ['lxc00000000003'])
  k.deletions[1]!.reject(new Error('EBUSY'))
  await k.turn()
  t.equal(c.state, 'rejected', 'a failed group deletion fails its batch')
  t.match(c.error, /EBUSY/)
  t.ok(k.group.has('lxc00000000003'), 'its link stays marked for the next batch')
  const d = track(reaper.delete('lxc00000000004'))
  await k.turn()
  await k.turn()
  t.same(k.deletions[2]!.members.sort(), ['lxc00000000003', 'lxc00000000004'], 'the next batch takes both')
  k.deletions[2]!.resolve()
  await k.turn()
  t.equal(d.state, 'resolved')
  t.same([...k.links], [], 'every link is gone')
  t.match(reaper.stats, { batches: 3, largestBatch: 2 })
})

t.test('a link that is already gone is done without a group deletion', async (t) => {
  const k = fakeKernel([])
  const reaper = new VethReaper(k.open, k.defer)
  await reaper.delete('lxc0000000000f')
  await k.turn()
  t.equal(k.deletions.length, 0)
})

t.test('100 concurrent deletions, deletions completing as they come: each answered once, after its link is gone', async (t) => {
  const names = Array.from({ length: 100 }, (_, i) => `lxc${i.toString(16).padStart(11, '0')}`)
  const k = fakeKernel(names)
  const reaper = new VethReaper(k.open, k.defer)
  const answered: string[] = []
  const all = names.map(async (n, i) => {
    for (let j = 0; j < i % 7; j++) await Promise.resolve()
    await reaper.delete(n)
    if (k.links.has(n)) t.fail(`${n} answered while it still exists`)
    answered.push(n)
  })
  for (let i = 0; i < 50 && answered.length < names.length; i++) {
    await k.turn()
    for (const d of k.deletions) d.resolve()
  }
  await Promise.all(all)
  t.equal(answered.length, 100)
  t.equal(new Set(answered).size, 100)
  t.ok(reaper.stats.batches < 100, `fewer group deletions than links (${reaper.stats.batches})`)
})
