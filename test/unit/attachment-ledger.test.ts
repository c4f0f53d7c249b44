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
import {
  ATTACHMENTS_FILE, finishLedgerMigration, LEDGER_SECTION, LedgerSection, openSectionLedger, type LedgerDocument,
} from '../../cni/attachment-ledger'
import { CniCommands, type CniAddresses, type HeldAttachment, type PodWiring } from '../../cni/commands'
import { TryAgainError } from '../../cni/errors'
import { StaticPodAddresses, validateStaticPodAddresses } from '../../control'
import type { StaticPodAddressesDurable } from '../../control/static/pod-addresses'
import { GroupCommitStore, MemoryStore, StateDirectory } from '../../control/node'
import { hostVethName } from '../../lib'
import { recordingWiring } from '../lib/recording-wiring'

const T0 = 1_700_000_000_000
const POD_FILE = 'pod-addresses.json'
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
  readonly podStore: GroupCommitStore<StaticPodAddressesDurable>
  /** Entries of an attachments.json found at the start (null: none). */
  readonly legacy: number | null
  private readonly stores: Array<{ idle: () => Promise<void> }>

  constructor (dirPath: string, readonly clock: { now: number }, wiring: Partial<PodWiring> = {}) {
    this.dir = StateDirectory.open({ path: dirPath })
    try {
      // As loomd builds them (agent/agent.ts): the ledger is a section of the address file.
      const section = new LedgerSection()
      const podStore = this.podStore = new GroupCommitStore(this.dir.store(POD_FILE,
        section.validate(validateStaticPodAddresses), section.toJSON()))
      this.stores = [podStore]
      this.pods = new StaticPodAddresses(podStore, '10.244.1.0/24', { clock: () => clock.now })
      this.wiring = { ...recordingWiring(), ...wiring }
      const { store, legacy } = openSectionLedger(section, podStore, this.dir)
      this.legacy = legacy
      this.cni = new CniCommands({
        addresses: agentAddresses({ pods: () => this.pods, ready, mtu: () => 1400 }),
        wiring: this.wiring,
        ledger: store,
        log: () => {},
        clock: () => clock.now,
      }, { gcGraceMs: GRACE_MS })
    } catch (err) {
      this.dir.close()
      throw err
    }
  }

  /** loomd's start after the CNI commands exist: an old attachments.json is written over and moved aside. */
  async migrate (): Promise<string | null> {
    return this.legacy === null ? null : await finishLedgerMigration(this.dir, () => this.cni.persistLedger())
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

/** The ledger as the address file holds it on disk. */
function ledgerOnDisk (dir: string): LedgerDocument {
  const doc = JSON.parse(fs.readFileSync(path.join(dir, POD_FILE), 'utf8')) as Record<string, unknown>
  return doc[LEDGER_SECTION] as LedgerDocument
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
  // An upgrade from a loomd without the ledger: an address file without the section.
  const file = path.join(dir, POD_FILE)
  const { [LEDGER_SECTION]: dropped, ...rest } = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
  t.ok(dropped !== undefined, 'the first life wrote the section')
  fs.writeFileSync(file, JSON.stringify(rest))

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

t.test('a creating ADD\'s address and ledger entry go to disk in one write of the address file', async (t) => {
  const dir = stateDir(t)
  const life = new Life(dir, { now: T0 })
  for (const id of ['a', 'b']) {
    const writes = life.podStore.stats.writes
    t.equal((await life.cni.run(env('ADD', id), conf())).exitCode, 0)
    t.equal(life.podStore.stats.writes - writes, 1, `ADD ${id}: one write`)
    const doc = JSON.parse(fs.readFileSync(path.join(dir, POD_FILE), 'utf8')) as StaticPodAddressesDurable
    t.ok(doc.allocations.some(([key]) => key === `${id}/eth0`), `ADD ${id}: its address is in the file`)
    t.ok(ledgerOnDisk(dir).attachments.some((a) => a.containerID === id && a.createdAt === T0),
      `ADD ${id}: and its ledger entry, in the same file`)
  }
  t.notOk(fs.existsSync(path.join(dir, ATTACHMENTS_FILE)), 'no second file')
  await life.end()
})

/** Turns `dir` into what a loomd before the section left: the ledger in attachments.json, none in the address file. */
function toOldLayout (dir: string): LedgerDocument {
  const file = path.join(dir, POD_FILE)
  const { [LEDGER_SECTION]: ledger, ...rest } = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
  fs.writeFileSync(file, JSON.stringify(rest))
  fs.writeFileSync(path.join(dir, ATTACHMENTS_FILE), JSON.stringify(ledger))
  return ledger as LedgerDocument
}

t.test('upgrade: attachments.json is loaded, written into the address file, then moved aside (never dropped)',
  async (t) => {
    const dir = stateDir(t)
    const clock = { now: T0 }
    const first = new Life(dir, clock)
    await first.cni.run(env('ADD', 'old'), conf())
    clock.now = T0 + 50_000
    await first.cni.run(env('ADD', 'young'), conf())
    await first.end()
    const old = toOldLayout(dir)
    const oldText = fs.readFileSync(path.join(dir, ATTACHMENTS_FILE), 'utf8')

    clock.now = T0 + 70_000
    const second = new Life(dir, clock)
    t.equal(second.legacy, 2, 'the old file\'s two entries are loaded')
    const movedTo = await second.migrate()
    t.match(movedTo, /^attachments\.json\.migrated-/, 'moved aside')
    t.notOk(fs.existsSync(path.join(dir, ATTACHMENTS_FILE)), 'attachments.json is gone from its place')
    t.equal(fs.readFileSync(path.join(dir, movedTo!), 'utf8'), oldText, 'its content is kept, unchanged')
    t.same(ledgerOnDisk(dir), old, 'the address file holds the same entries, on disk before the move')
    t.equal((await second.cni.run(env('GC', ''), gc)).exitCode, 0)
    t.same(second.held(), ['young'], 'the migrated times decide GC: 70 s old collected, 20 s old spared')
    await second.end()

    const third = new Life(dir, clock)
    t.equal(third.legacy, null, 'the next start finds no old file')
    t.same(ledgerOnDisk(dir).attachments.map((a) => [a.containerID, a.createdAt]), [['young', T0 + 50_000]])
    t.equal((await third.cni.run(env('GC', ''), gc)).exitCode, 0)
    t.same(third.held(), ['young'], 'still spared after the restart: its age came through the migration')
    await third.end()
  })

t.test('upgrade interrupted between the write and the move: the merge is repeated, the section\'s entry wins',
  async (t) => {
    const dir = stateDir(t)
    const clock = { now: T0 }
    const first = new Life(dir, clock)
    await first.cni.run(env('ADD', 'a'), conf())
    await first.cni.run(env('ADD', 'b'), conf())
    await first.end()
    toOldLayout(dir)

    clock.now = T0 + 10_000
    const second = new Life(dir, clock)
    await second.cni.persistLedger() // the write of the migration, then a crash before the move
    await second.cni.run(env('DEL', 'b'), conf())
    clock.now = T0 + 20_000
    await second.cni.run(env('ADD', 'b'), conf()) // b re-created: a newer entry than the old file's
    await second.end()
    t.ok(fs.existsSync(path.join(dir, ATTACHMENTS_FILE)), 'the old file is still there')

    const third = new Life(dir, clock)
    t.equal(third.legacy, 2)
    await third.migrate()
    t.same(ledgerOnDisk(dir).attachments.map((a) => [a.containerID, a.createdAt]).sort(),
      [['a', T0], ['b', T0 + 20_000]], 'b keeps the time of the ADD after the migration, not the old file\'s')
    await third.end()
  })

t.test('a hostile ledger section in the address file stops the start, naming the file', async (t) => {
  const entry = { containerID: 'a', ifname: 'eth0', createdAt: T0, token: '0b6f1f39-4f5c-4c36-8a3e-1c9d7e9d2f10' }
  const cases: Array<[string, unknown, RegExp]> = [
    ['not a ledger', 'yes', /cniAttachments.*expected \{"version": 1/],
    ['a forged token', { version: 1, attachments: [{ ...entry, token: '../../etc' }] }, /cniAttachments.*attachments\[0\]/],
    ['a duplicate', { version: 1, attachments: [entry, entry] }, /cniAttachments.*appears twice/],
    ['a flood', { version: 1, attachments: new Array(70_000).fill(entry) }, /cniAttachments.*at most 65536/],
  ]
  for (const [what, section, why] of cases) {
    const dir = stateDir(t)
    const first = new Life(dir, { now: T0 })
    await first.cni.run(env('ADD', 'a'), conf())
    await first.end()
    const file = path.join(dir, POD_FILE)
    const text = JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')) as object, [LEDGER_SECTION]: section })
    fs.writeFileSync(file, text)
    t.throws(() => new Life(dir, { now: T0 }), { name: 'StateCorruptError', message: new RegExp(`${POD_FILE}.*`) },
      `${what}: refused`)
    t.throws(() => new Life(dir, { now: T0 }), { message: why }, `${what}: the message says why`)
    t.equal(fs.readFileSync(file, 'utf8'), text, 'the file is left for the operator')
  }
})
