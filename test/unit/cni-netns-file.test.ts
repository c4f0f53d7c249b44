/**
 * CNI_NETNS is opened without blocking and kept only if it is a network namespace: a FIFO used
 * to hang the plugin for ever in open(2) (issue 10); a regular file, a directory, another kind
 * file or a missing path are code 3 at once (another kind of namespace is refused where it is
 * entered: test/netns/cni-hostile.test.ts).
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CniError } from '../../cni/errors'
import { openNetnsFile } from '../../cni/netns-file'

function codeOf (path: string): { code: number, msg: string } | 'ok' {
  try {
    closeSync(openNetnsFile(path))
    return 'ok'
  } catch (err) {
    if (err instanceof CniError) return { code: err.cniCode, msg: err.message }
    throw err
  }
}

t.test('only a network namespace file is accepted, without ever blocking', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-netns-file-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const fifo = join(dir, 'fifo')
  execFileSync('mkfifo', [fifo])
  const started = Date.now()
  t.match(codeOf(fifo), { code: 3, msg: `${fifo} is not a network namespace (not a namespace file)` })
  t.ok(Date.now() - started < 1000, 'a FIFO with no writer does not hang the open')
  writeFileSync(join(dir, 'plain'), 'x')
  t.match(codeOf(join(dir, 'plain')), { code: 3, msg: /is not a network namespace/ })
  t.match(codeOf(dir), { code: 3 })
  t.match(codeOf(join(dir, 'missing')), { code: 3, msg: /does not exist: ENOENT/ })
  t.equal(codeOf('/proc/self/ns/net'), 'ok')
  t.match(codeOf('/dev/null'), { code: 3 })
})
