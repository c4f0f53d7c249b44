/**
 * The state directory against a careless operator and a local attacker (issue 10): a second
 * daemon on one directory is refused naming the holder's PID (a real second process), a
 * directory writable by group/other or owned by someone else is refused, a symlink planted as
 * the temp file is never written through (its target stays intact), a symlink or FIFO planted
 * as a state file is refused instead of followed or waited on, and --reset-ipam's moveAside
 * keeps the old file. Each of these passed silently before (world-writable stateDir accepted,
 * temp files opened following symlinks, no lock at all).
 */
import t from 'tap'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { spawn, execFileSync } from 'node:child_process'
import { StateDirectory, LOCK_FILE } from '../../control/node/state-dir'
import { StateDirLockedError, StateDirUnsafeError } from '../../control/node/state-errors'
import { StateCorruptError } from '../../control/ipam/errors'

const validateN = (raw: unknown): { n: number } => {
  if (typeof (raw as { n?: unknown }).n !== 'number') throw new Error('n must be a number')
  return raw as { n: number }
}

function tempParent (t: { teardown: (f: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-statedir-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Child mode: hold the lock until stdin closes. */
if (process.env.LOOM_HOLD_STATE_DIR !== undefined) {
  StateDirectory.open({ path: process.env.LOOM_HOLD_STATE_DIR })
  process.stdout.write('LOCKED\n')
  process.stdin.resume()
  process.stdin.on('end', () => process.exit(0))
} else {
  t.test('a second daemon on the same directory is refused, naming the holder PID; the lock dies with it', async t => {
    const dir = path.join(tempParent(t), 'state')
    const child = spawn(process.execPath, [__filename],
      { env: { ...process.env, LOOM_HOLD_STATE_DIR: dir }, stdio: ['pipe', 'pipe', 'inherit'] })
    t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('LOCKED')) resolve() })
      child.once('exit', () => reject(new Error('holder exited early')))
    })
    const err = (() => { try { StateDirectory.open({ path: dir }); return undefined } catch (e) { return e } })()
    t.type(err, StateDirLockedError)
    t.equal((err as StateDirLockedError).holderPid, child.pid)
    t.match((err as Error).message, new RegExp(`in use by another loomd \\(PID ${child.pid}\\)`))
    // Killed -9: the kernel drops the flock, nothing stale is left behind.
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    const d = StateDirectory.open({ path: dir })
    t.equal(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'), `${process.pid}\n`, 'the new holder writes its own PID')
    // Two opens in one process are two holders too (flock is per open file description).
    t.throws(() => StateDirectory.open({ path: dir }), StateDirLockedError)
    d.close()
    StateDirectory.open({ path: dir }).close()
  })

  t.test('a directory writable by group or other, or owned by another user, is refused', async t => {
    const dir = path.join(tempParent(t), 'state')
    fs.mkdirSync(dir, { mode: 0o700 })
    fs.chmodSync(dir, 0o777)
    t.throws(() => StateDirectory.open({ path: dir }),
      { name: 'StateDirUnsafeError', message: /writable by everyone \(mode 777\).*chmod 700/ })
    fs.chmodSync(dir, 0o770)
    t.throws(() => StateDirectory.open({ path: dir }),
      { name: 'StateDirUnsafeError', message: /writable by its group/ })
    fs.chmodSync(dir, 0o700)
    const uid = process.geteuid?.() ?? 0
    t.throws(() => StateDirectory.open({ path: dir, ownerUid: uid + 1 }), StateDirUnsafeError, 'owned by someone else')
    StateDirectory.open({ path: dir }).close()
    t.notOk(fs.existsSync(path.join(dir, 'x.json')))
  })

  t.test('a symlink planted as the temp file is removed, never written through', async t => {
    const parent = tempParent(t)
    const dir = path.join(parent, 'state')
    const d = StateDirectory.open({ path: dir })
    t.teardown(() => d.close())
    const victim = path.join(parent, 'shadow')
    fs.writeFileSync(victim, 'root:secret\n', { mode: 0o600 })
    fs.symlinkSync(victim, path.join(dir, 'doc.json.tmp'))
    const store = d.store('doc.json', validateN)
    store.save({ n: 7 })
    t.equal(fs.readFileSync(victim, 'utf8'), 'root:secret\n', 'the symlink target is untouched')
    t.same(store.load(), { n: 7 })
    t.notOk(fs.existsSync(path.join(dir, 'doc.json.tmp')), 'no temp file left')
    t.equal(fs.statSync(path.join(dir, 'doc.json')).mode & 0o777, 0o600)
    // A dangling symlink to a file that does not exist yet must not be created through either.
    fs.symlinkSync(path.join(parent, 'created-by-loomd'), path.join(dir, 'doc.json.tmp'))
    store.save({ n: 8 })
    t.notOk(fs.existsSync(path.join(parent, 'created-by-loomd')))
  })

  t.test('a symlink, FIFO or directory in place of a state file is refused, not followed or waited on', async t => {
    const parent = tempParent(t)
    const dir = path.join(parent, 'state')
    const d = StateDirectory.open({ path: dir })
    t.teardown(() => d.close())
    fs.writeFileSync(path.join(parent, 'elsewhere.json'), '{"n": 1}')
    fs.symlinkSync(path.join(parent, 'elsewhere.json'), path.join(dir, 'link.json'))
    t.throws(() => d.store('link.json', validateN).load(), { name: 'StateCorruptError', message: /symbolic link/ })
    execFileSync('mkfifo', [path.join(dir, 'fifo.json')])
    const started = Date.now()
    t.throws(() => d.store('fifo.json', validateN).load(), { name: 'StateCorruptError', message: /not a regular file/ })
    t.ok(Date.now() - started < 1000, 'returns at once')
    fs.mkdirSync(path.join(dir, 'dir.json'))
    t.throws(() => d.store('dir.json', validateN).load(), StateCorruptError)
    t.equal(d.store('absent.json', validateN).load(), null)
  })

  t.test('moveAside keeps the old file under a reset name', async t => {
    const d = StateDirectory.open({ path: path.join(tempParent(t), 'state') })
    t.teardown(() => d.close())
    d.store('ipam.json', validateN).save({ n: 3 })
    const aside = d.moveAside('ipam.json', new Date('2026-12-02T01:02:03.456Z'))
    t.equal(aside, 'ipam.json.reset-2026-12-02T01-02-03-456Z')
    t.notOk(d.has('ipam.json'))
    t.same(JSON.parse(fs.readFileSync(path.join(d.path, aside!), 'utf8')), { n: 3 })
    t.equal(d.moveAside('ipam.json'), null, 'absent: nothing to move')
  })
}
