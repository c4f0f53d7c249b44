/**
 * The CNI attachment ledger (cni/attachment-ledger.ts) across a restart of the agent, on a real
 * state directory (StateDirectory, FileStateStore with group commit) and the real static address
 * manager; only the namespace work is left out (test/lib/recording-wiring.ts).
 * - GC's grace period after a restart counts from the ADD, not from the start: before the
 *   ledger, an attachment ADDed 70 s before a restart was taken as created at the start, and
 *   spared for another grace period (and one ADDed 50 s before looked as old as it);
 * - DEL after a restart releases the address and forgets the entry; a retried ADD that fails
 *   after a restart keeps the address and the entry of the ADD that made it;
 * - a ledger write that fails fails the ADD (11) and releases what it allocated;
 * - a creating ADD's ledger write starts beside its address write (not once that is on disk: an
 *   ADD's slowest were two disk waits in a row), and an ADD whose allocation fails leaves no entry;
 * - hostile files: corrupt, planted symlink, forged entries stop the start naming the file.
 */
import t from 'tap'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { agentAddresses } from '../../cni/agent-addresses'
import { ATTACHMENTS_FILE, validateLedger, type LedgerDocument } from '../../cni/attachment-ledger'
import { CniCommands, type CniAddresses, type HeldAttachment, type PodWiring } from '../../cni/commands'
import { TryAgainError } from '../../cni/errors'
import { StaticPodAddresses, validateStaticPodAddresses } from '../../control'
import { GroupCommitStore, MemoryStore, StateDirectory } from '../../control/node'
import { hostVethName } from '../../lib'
import { recordingWiring } from '../lib/recording-wiring'

const T0 = 1_700_000_000_000
const GRACE_MS = 60_000
const ready = (): { ready: boolean, checks: Record<string, boolean> } => ({ ready: true, checks: {} })
const env = (command: string, containerID: string): Record<string, string> => ({
  CNI_COMMAND: command, CNI_CONTAINERID: containerID, CNI_IFNAME: 'eth0', CNI_NETNS: '/var/run/netns/p', CNI_PATH: '/opt/cni/bin',
})
const conf = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ cniVersion: '1.1.0', name: 'loom', type: 'loom-cni', ...extra })
const gc = conf({ 'cni.dev/valid-attachments': [] })

/** One life of the agent on `dir`: its stores, address manager and CNI commands. */
class Life {
  readonly dir: StateDirectory
  readonly pods: StaticPodAddresses
  readonly cni: CniCommands
  readonly wiring: PodWiring & { deleted: string[] }
  private readonly stores: Array<{ idle: () => Promise<void> }>

  constructor (dirPath: string, readonly clock: { now: number }, wiring: Partial<PodWiring> = {}) {
    this.dir = StateDirectory.open({ path: dirPath })
    const podStore = new GroupCommitStore(this.dir.store('pod-addresses.json', validateStaticPodAddresses))
    const ledger = new GroupCommitStore(this.dir.store(ATTACHMENTS_FILE, validateLedger))
    this.stores = [podStore, ledger]
    this.pods = new StaticPodAddresses(podStore, '10.244.1.0/24', { clock: () => clock.now })
    this.wiring = { ...recordingWiring(), ...wiring }
    try {
      this.cni = new CniCommands({
        addresses: agentAddresses({ pods: () => this.pods, ready, mtu: () => 1400 }),
        wiring: this.wiring,
        ledger,
        log: () => {},
        clock: () => clock.now,
      }, { gcGraceMs: GRACE_MS })
    } catch (err) {
      this.dir.close()
      throw err
    }
  }

  held (): string[] {
    return this.pods.list().map((r) => r.containerID).sort()
  }

  /** The end of this life: writes in flight finish, the lock goes (a kill -9 loses nothing reported). */
  async end (): Promise<void> {
    for (const s of this.stores) await s.idle()
    this.dir.close()
  }
}

function stateDir (t: { teardown: (f: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-ledger-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

function ledgerOnDisk (dir: string): LedgerDocument {
  return JSON.parse(fs.readFileSync(path.join(dir, ATTACHMENTS_FILE), 'utf8')) as LedgerDocument
}

t.test('after a restart, GC\'s grace period counts from the ADD, not from the start', async (t) => {
  const dir = stateDir(t)
  const clock = { now: T0 }
  const first = new Life(dir, clock)
  t.equal((await first.cni.run(env('ADD', 'old'), conf())).exitCode, 0)
  clock.now = T0 + 50_000
  t.equal((await first.cni.run(env('ADD', 'young'), conf())).exitCode, 0)
  t.same(ledgerOnDisk(dir).attachments.map((a) => [a.containerID, a.createdAt]), [['old', T0], ['young', T0 + 50_000]],
    'both ADDs are on disk with their times')
  await first.end()

  clock.now = T0 + 70_000 // restarted: old is 70 s old, young 20 s
  const second = new Life(dir, clock)
  t.same(second.held(), ['old', 'young'])
  t.equal((await second.cni.run(env('GC', ''), gc)).exitCode, 0)
  t.same(second.held(), ['young'], 'the 70 s old attachment is collected at once, the 20 s old one spared')
  t.same(second.wiring.deleted, [hostVethName('old', 'eth0')])
  t.same(ledgerOnDisk(dir).attachments.map((a) => a.containerID), ['young'], 'the collected entry is gone from disk')

  clock.now = T0 + 50_000 + GRACE_MS + 1
  t.equal((await second.cni.run(env('GC', ''), gc)).exitCode, 0)
  t.same(second.held(), [], 'young is collected once its own grace period is over, not the start\'s')
  await second.end()
})

t.test('an attachment the ledger does not know is young for a grace period after the start', async (t) => {
  const dir = stateDir(t)
  const clock = { now: T0 }
  const first = new Life(dir, clock)
  t.equal((await first.cni.run(env('ADD', 'a'), conf())).exitCode, 0)
  await first.end()
  fs.rmSync(path.join(dir, ATTACHMENTS_FILE)) // an upgrade from a loomd without the ledger

  clock.now = T0 + 10 * GRACE_MS
  const second = new Life(dir, clock)
  await second.cni.run(env('GC', ''), gc)
  t.same(second.held(), ['a'], 'spared: its age is unknown, so it counts from the start')
  clock.now += GRACE_MS
  await second.cni.run(env('GC', ''), gc)
  t.same(second.held(), [])
  await second.end()
})

t.test('DEL after a restart releases; a failed retried ADD after a restart keeps the first ADD\'s address and entry',
  async (t) => {
    const dir = stateDir(t)
    const clock = { now: T0 }
    const first = new Life(dir, clock)
    const added = JSON.parse((await first.cni.run(env('ADD', 'd'), conf())).stdout) as { ips: Array<{ address: string }> }
    await first.cni.run(env('ADD', 'r'), conf())
    const before = ledgerOnDisk(dir).attachments.find((a) => a.containerID === 'r')
    await first.end()

    clock.now = T0 + 1_000
    const second = new Life(dir, clock, { wirePod: async () => { throw new Error('veth create: EEXIST') } })
    t.equal((await second.cni.run(env('DEL', 'd'), conf())).exitCode, 0)
    t.same(second.held(), ['r'], 'DEL released the address held since before the restart')
    t.same(second.wiring.deleted, [hostVethName('d', 'eth0')])
    t.same(ledgerOnDisk(dir).attachments.map((a) => a.containerID), ['r'], 'and its entry is gone from disk')

    const retry = await second.cni.run(env('ADD', 'r'), conf())
    t.equal(retry.exitCode, 1, 'the retried ADD failed')
    t.same(second.held(), ['r'], 'it did not release the address an ADD before the restart reported')
    t.same(ledgerOnDisk(dir).attachments.find((a) => a.containerID === 'r'), before,
      'the entry (time and token) is the first ADD\'s')
    await second.end()

    const third = new Life(dir, clock)
    const again = JSON.parse((await third.cni.run(env('ADD', 'd'), conf())).stdout) as { ips: Array<{ address: string }> }
    t.not(again.ips[0]?.address, added.ips[0]?.address, 'the released address is quarantined, not handed out again at once')
    await third.end()
  })

t.test('a ledger write that fails fails the ADD (11) and releases what it allocated', async (t) => {
  const pods = new StaticPodAddresses(new MemoryStore(), '10.244.1.0/24')
  const wiring = recordingWiring()
  let failing = true
  const cni = new CniCommands({
    addresses: agentAddresses({ pods: () => pods, ready, mtu: () => 1400 }),
    wiring,
    ledger: { load: () => null, commit: async () => { if (failing) throw new Error('EIO') } },
    log: () => {},
  }, { gcGraceMs: GRACE_MS })
  const out = await cni.run(env('ADD', 'x'), conf())
  t.equal(out.exitCode, 1)
  t.match(JSON.parse(out.stdout), { code: 11, msg: /attachment ledger could not be written.*EIO/ })
  t.same(pods.list(), [], 'the address is released: nothing was reported')
  t.same(wiring.deleted, [hostVethName('x', 'eth0')])
  failing = false
  t.equal((await cni.run(env('ADD', 'x'), conf())).exitCode, 0, 'the runtime\'s retry succeeds')
})

t.test('a creating ADD\'s ledger write starts beside its address write; a failed allocation leaves no entry', async (t) => {
  const allocations: Array<{ resolve: (h: HeldAttachment) => void, reject: (e: Error) => void }> = []
  const addresses: CniAddresses = {
    readiness: () => ({ ready: true, checks: {} }),
    network: () => ({ gateway: '169.254.1.1', mtu: 1400 }),
    allocate: (id) => new Promise<HeldAttachment>((resolve, reject) => {
      allocations.push({ resolve, reject })
      void id
    }),
    get: () => undefined,
    release: () => null,
    list: () => [],
    durable: async () => {},
  }
  const documents: LedgerDocument[] = []
  const cni = new CniCommands({
    addresses,
    wiring: recordingWiring(),
    ledger: { load: () => null, commit: async (build) => { documents.push(build()) } },
    log: () => {},
  }, { gcGraceMs: GRACE_MS })
  const turns = async (): Promise<void> => { for (let i = 0; i < 10; i++) await Promise.resolve() }

  const first = cni.run(env('ADD', 'x'), conf())
  await turns()
  t.equal(allocations.length, 1, 'the address write is in flight')
  t.same(documents.map((d) => d.attachments.map((a) => a.containerID)), [['x']],
    'the ledger write started while the address write is still in flight')
  allocations[0]!.resolve({ containerID: 'x', ifname: 'eth0', address: '10.244.1.2', hostVeth: hostVethName('x', 'eth0') })
  t.equal((await first).exitCode, 0)

  const second = cni.run(env('ADD', 'y'), conf())
  await turns()
  t.same(documents[documents.length - 1]!.attachments.map((a) => a.containerID), ['x', 'y'])
  allocations[1]!.reject(new TryAgainError('no pod address available now'))
  const out = await second
  t.match(JSON.parse(out.stdout), { code: 11 })
  await turns()
  t.same(documents[documents.length - 1]!.attachments.map((a) => a.containerID), ['x'],
    'the failed ADD\'s entry is gone from the newest document')
})

t.test('hostile ledger files stop the start, naming the file; the file is never followed or rewritten', async (t) => {
  const entry = { containerID: 'a', ifname: 'eth0', createdAt: T0, token: '0b6f1f39-4f5c-4c36-8a3e-1c9d7e9d2f10' }
  const cases: Array<[string, string | null, RegExp]> = [
    ['not JSON', '{"version": 1, "attach', /invalid JSON/],
    ['another version', JSON.stringify({ version: 2, attachments: [] }), /expected \{"version": 1/],
    ['an entry without a time', JSON.stringify({ version: 1, attachments: [{ ...entry, createdAt: 'yesterday' }] }),
      /attachments\[0\] is not/],
    ['a forged token', JSON.stringify({ version: 1, attachments: [{ ...entry, token: '../../etc' }] }), /attachments\[0\]/],
    ['a duplicate', JSON.stringify({ version: 1, attachments: [entry, entry] }), /a\/eth0 appears twice/],
    ['a flood', JSON.stringify({ version: 1, attachments: new Array(70_000).fill(entry) }), /at most 65536/],
    ['a symlink', null, /symbolic link/],
  ]
  for (const [what, text, why] of cases) {
    const dir = stateDir(t)
    const file = path.join(dir, ATTACHMENTS_FILE)
    const target = path.join(dir, 'target')
    if (text === null) {
      fs.writeFileSync(target, JSON.stringify({ version: 1, attachments: [] }))
      fs.symlinkSync(target, file)
    } else {
      fs.writeFileSync(file, text)
    }
    t.throws(() => new Life(dir, { now: T0 }), { name: 'StateCorruptError', message: new RegExp(`${ATTACHMENTS_FILE}.*`) },
      `${what}: refused`)
    t.throws(() => new Life(dir, { now: T0 }), { message: why }, `${what}: the message says why`)
    if (text === null) t.ok(fs.lstatSync(file).isSymbolicLink(), 'the planted link is left as it is')
    else t.equal(fs.readFileSync(file, 'utf8'), text, 'the file is left for the operator')
  }
})
