/**
 * A restart never hands out an address released seconds before it (issue 10). Before, the
 * next-fit cursor lived only in memory: a restarted loomd started again at the lowest free
 * address, which was typically the one just released, while peers and conntrack may still have
 * pointed at the deleted pod. Now the cursor and a quarantine of released addresses are in the
 * state file, for both the gossip IPAM (ipam.json) and static mode (pod-addresses.json).
 */
import t from 'tap'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FileStateStore } from '../../control/node/state-store'
import { Ipam, ipamDurableToJSON, validateIpamDurable, type IpamDurable } from '../../control/ipam/ipam'
import { IpamAllocator } from '../../control/ipam/allocator'
import { makeBlockLayout } from '../../control/ipam/blocks'
import {
  StaticPodAddresses, validateStaticPodAddresses, type StaticPodAddressesDurable
} from '../../control/static/pod-addresses'
import { IpamDecodeError, IpamExhaustedError } from '../../control/ipam/errors'

const layout = makeBlockLayout('10.244.0.0/22', 28)

function tempFile (t: { teardown: (f: () => void) => void }, name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-reuse-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  return path.join(dir, name)
}

/** A founder Ipam on `file` that has its lease (single member: it is its own majority). */
function startIpam (file: string, wall: () => number): { ipam: Ipam, now: () => number, settle: () => void } {
  let now = 0
  const store = new FileStateStore<IpamDurable>(file, raw => validateIpamDurable(raw, layout), ipamDurableToJSON)
  const ipam = new Ipam({ store },
    { id: 'node-a', layout, bootstrap: true, seeds: [], random: () => 0.5, wallClock: wall }, now)
  const settle = (): void => {
    for (let i = 0; i < 200; i++) {
      now += 20
      ipam.tick(now)
      for (const o of ipam.takeOutbox()) if (o.to === 'node-a') ipam.receive(o.msg, now)
    }
  }
  settle()
  return { ipam, now: () => now, settle }
}

t.test('gossip IPAM: after a restart the address released just before it is not handed out', async t => {
  const file = tempFile(t, 'ipam.json')
  let wall = 1_000_000
  const first = startIpam(file, () => wall)
  const got = ['a', 'b', 'c',
    'd'].map(c => first.ipam.allocate({ containerId: c, ifname: 'eth0' }, first.now()).address)
  const released = first.ipam.release({ containerId: 'b', ifname: 'eth0' }, first.now())!.address
  t.equal(released, got[1])
  wall += 2000 // two seconds later: kill -9 and start again
  const second = startIpam(file, () => wall)
  const next = new Set<string>()
  for (let i = 0; i < 6; i++) {
    next.add(second.ipam.allocate({ containerId: `n${i}`, ifname: 'eth0' },
      second.now()).address)
  }
  t.notOk(next.has(released), `none of ${[...next].join(' ')} is ${released}`)
  for (const a of got.filter(a => a !== released)) t.notOk(next.has(a), `${a} is still held`)
})

t.test('gossip IPAM: the cursor survives the restart even after the quarantine ends', async t => {
  const file = tempFile(t, 'ipam.json')
  let wall = 5_000_000
  const first = startIpam(file, () => wall)
  const a = first.ipam.allocate({ containerId: 'a', ifname: 'eth0' }, first.now()).address
  const b = first.ipam.allocate({ containerId: 'b', ifname: 'eth0' }, first.now()).address
  first.ipam.release({ containerId: 'a', ifname: 'eth0' }, first.now())
  wall += 60_000
  const second = startIpam(file, () => wall)
  const c = second.ipam.allocate({ containerId: 'c', ifname: 'eth0' }, second.now()).address
  t.not(c, a, 'next-fit goes on after b, it does not restart at the lowest free address')
  t.not(c, b)
})

t.test('static mode: same across a restart, and a quarantined address is not free', async t => {
  const file = tempFile(t, 'pod-addresses.json')
  let wall = 10_000
  const open = (): StaticPodAddresses =>
    new StaticPodAddresses(new FileStateStore<StaticPodAddressesDurable>(file, validateStaticPodAddresses),
      '10.244.1.0/29', { clock: () => wall })
  const p1 = open()
  const held: string[] = []
  for (const i of [1, 2, 3, 4, 5]) held.push((await p1.allocate({ containerID: `c${i}`, ifname: 'eth0' }, {})).address)
  t.same(held, ['10.244.1.1', '10.244.1.2', '10.244.1.3', '10.244.1.4', '10.244.1.5'])
  p1.release({ containerID: 'c2', ifname: 'eth0' })
  wall += 1000
  const p2 = open()
  t.equal((await p2.allocate({ containerID: 'x', ifname: 'eth0' }, {})).address, '10.244.1.6',
    'the only never-used address, not .2')
  t.throws(() => p2.allocate({ containerID: 'y', ifname: 'eth0' }, {}),
    { name: 'IpamExhaustedError', message: /1 released a moment ago are in quarantine/ },
    'the released .2 is the only free one and still in quarantine')
  wall += 30_000
  const p3 = open()
  t.equal((await p3.allocate({ containerID: 'y', ifname: 'eth0' }, {})).address, '10.244.1.2',
    'free again after the quarantine')
  t.type(IpamExhaustedError, 'function')
})

t.test('allocator: quarantine bounds, clock jumps, validation of the persisted form', async t => {
  let wall = 100
  const a = new IpamAllocator(layout, null, null, { quarantineMs: 1000, clock: () => wall })
  a.allocate('k1', [3]); a.release('k1')
  t.equal(a.quarantinedIn(3), 1)
  wall -= 5000 // the wall clock jumped back far: the entry cannot be trusted to expire, drop it
  t.equal(a.quarantinedIn(3), 0)
  const r = a.reuseDurable()
  t.same(r.cursors, [[3, 1]])
  const b = new IpamAllocator(layout, a.durable(), r, { quarantineMs: 1000, clock: () => wall })
  t.equal(b.allocate('k2', [3])!.offset, 1, 'cursor restored')
  for (const bad of [
    { cursors: [[999, 1]], quarantine: [] },
    { cursors: [[1, 16]], quarantine: [] },
    { cursors: [], quarantine: [[1, 1, 'x']] },
    { cursors: [], quarantine: [[1, 1]] },
    { cursors: 'x', quarantine: [] },
  ]) {
    t.throws(() => new IpamAllocator(layout, null, bad as never), IpamDecodeError, JSON.stringify(bad))
  }
})
