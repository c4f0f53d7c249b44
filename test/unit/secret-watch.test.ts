/**
 * The secret file watcher (agent/secret-watch.ts) that carries a rotation step into a running
 * node: a changed file is applied once, an unchanged one not again, a broken or half-written one
 * (and keys the user refuses) keep the previous keys and are retried when the file changes.
 */
import t from 'tap'
import { chmodSync, mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { SecretFileWatcher } from '../../agent/secret-watch'

const dir = mkdtempSync(join(tmpdir(), 'loom-secret-watch-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const file = join(dir, 'secret')
let version = 0
/** Writes the file atomically with a new inode, so the watcher sees a change even within one mtime tick. */
function write (text: string): void {
  const tmp = `${file}.${version++}`
  writeFileSync(tmp, text, { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, file)
}
const key = (): string => randomBytes(32).toString('base64')

t.test('applies each new version once; keeps the old keys on a broken file or a refusal', async t => {
  const k1 = key()
  write(`${k1}\n`)
  const applied: string[][] = []
  let refuse = false
  const w = new SecretFileWatcher(file, 'test', pino({ level: 'silent' }), (keys) => {
    if (refuse) throw new Error('refused')
    applied.push(keys.map((k) => k.toString('base64')))
  })
  w.check()
  t.same(applied, [], 'the version read at start is not applied again')
  const k2 = key()
  write(`${k1}\n${k2}\n`)
  w.check(); w.check()
  t.same(applied, [[k1, k2]], 'a changed file: applied once')
  write('not base64 at all\n')
  w.check()
  t.same(applied.length, 1, 'a broken file keeps the previous keys')
  write(`${k2}\n`)
  refuse = true
  w.check()
  t.same(applied.length, 1, 'keys the user refuses are not marked applied')
  refuse = false
  w.check()
  t.same(applied, [[k1, k2], [k2]], '... and are applied at the next check')
  rmSync(file)
  w.check()
  t.same(applied.length, 2, 'a missing file keeps the keys')
})
