/**
 * The CNI-facing allocate of the IPAM driver (IpamNode.allocate: waits while a block is being
 * claimed, then answers or gives up with "try again") on the real stack of sim-cluster.ts: its
 * waits run on the network's virtual timers, so a wait of seconds costs nothing and replays by
 * seed. Without the injected timers the wait sleeps on real timers, and the answer comes
 * seconds of virtual time late (both tests below then fail).
 *
 * Reproduce a failure: LOOM_SIM_SEED=<seed printed> npx tap dist/test/sim/ipam-driver-sim.test.js
 */
import t from 'tap'
import { makeBlockLayout } from '../../control/ipam/blocks'
import { IpamTryAgainError } from '../../control/ipam/errors'
import type { AttachmentRecord } from '../../control/types'
import { SIM_IPAM_TIMING } from './ipam-scenario'
import { SimCluster } from './sim-cluster'
import { simSeed } from './sim-network'

const SEED = simSeed()
const layout = makeBlockLayout('10.244.0.0/16', 26)

/** Runs the network in 100 ms steps, letting promise continuations run between them, until `done()` or `maxMs`. */
async function runUntil (c: SimCluster, done: () => boolean, maxMs: number): Promise<void> {
  const end = c.net.now + maxMs
  while (!done() && c.net.now < end) {
    c.net.runFor(100)
    await new Promise(setImmediate)
  }
}

/** The outcome of a promise and the virtual time it settled at, readable while the simulation runs. */
function track<T> (p: Promise<T>, clock: () => number): { value?: T, error?: unknown, settledAt?: number } {
  const r: { value?: T, error?: unknown, settledAt?: number } = {}
  p.then((v) => { r.value = v; r.settledAt = clock() }, (e: unknown) => { r.error = e; r.settledAt = clock() })
  return r
}

t.test(`an ADD on a node still joining waits on virtual time, then gets an address in its own block (seed ${SEED})`, async t => {
  const c = new SimCluster({ n: 5, seed: SEED, lossRate: 0.01, ipam: { layout, timing: SIM_IPAM_TIMING } })
  const n = c.nodes[3]
  t.equal(n.ipam!.replica.isMember, false, 'node 3 is not an IPAM member yet')
  const add = track<AttachmentRecord>(n.ipamNode!.allocate({ containerID: 'c1', ifname: 'eth0' }, { podName: 'p' }),
    () => c.net.now)
  /** Virtual time node 3 first had a block it may allocate in. */
  let usableAt: number | undefined
  await runUntil(c, () => {
    if (usableAt === undefined && n.ipam!.usableBlocks(c.net.now).length > 0) usableAt = c.net.now
    return add.settledAt !== undefined
  }, 30_000)
  t.equal(add.error, undefined, `no error (seed ${SEED})`)
  t.ok(add.settledAt !== undefined && add.settledAt > 0, `answered after waiting ${add.settledAt ?? '-'} virtual ms`)
  // Its 50 ms polls run in virtual time: it answers within a step of the block becoming usable
  // (on real timers it answers when 50 real ms have passed, seconds of virtual time later).
  t.ok(usableAt !== undefined && add.settledAt !== undefined && add.settledAt - usableAt <= 200,
    `answered ${add.settledAt ?? '-'} ms, within 200 ms of a usable block (${usableAt ?? '-'} ms)`)
  const a = n.ipam!.allocator.get('c1/eth0')
  t.equal(add.value?.address, a?.address, 'the address the driver reported is the one IPAM holds')
  t.ok(a !== undefined && n.ipam!.usableBlocks(c.net.now).includes(a.block), 'in a block node 3 may use')
  for (const m of c.nodes) {
    if (m !== n && a !== undefined) t.notOk(m.ipam!.usableBlocks(c.net.now).includes(a.block), `not usable by node ${m.index}`)
  }
  const again = await n.ipamNode!.allocate({ containerID: 'c1', ifname: 'eth0' }, { podName: 'p' })
  t.equal(again.address, add.value?.address, 'a retried ADD gets the same address at once')
})

t.test(`an ADD on a node cut off from the cluster gives up with try-again after 10 virtual s (seed ${SEED})`, async t => {
  const c = new SimCluster({ n: 5, seed: SEED, ipam: { layout, timing: SIM_IPAM_TIMING } })
  const n = c.nodes[4]
  c.net.setSide(n.addr, 1)
  const add = track<AttachmentRecord>(n.ipamNode!.allocate({ containerID: 'c2', ifname: 'eth0' }, {}), () => c.net.now)
  await runUntil(c, () => add.settledAt !== undefined, 30_000)
  t.ok(add.error instanceof IpamTryAgainError, `rejected with IpamTryAgainError: ${String(add.error)}`)
  t.ok(add.settledAt !== undefined && add.settledAt >= 10_000 && add.settledAt <= 10_100,
    `after the 10 s deadline, in virtual time (${add.settledAt ?? '-'} ms)`)
  t.equal(n.ipam!.allocator.get('c2/eth0'), undefined, 'nothing was allocated')
})
