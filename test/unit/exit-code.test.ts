import t from 'tap'
import { execFile } from 'node:child_process'
import { execExitCode } from '../lib/exit-code'

function codeOf (cmd: string, args: string[], otherwise?: number, timeout = 10_000): Promise<number> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout }, (err) => { resolve(execExitCode(err, otherwise)) })
  })
}

t.test('execExitCode: 0, the exit status, or the fallback for a signal or a missing binary', async t => {
  t.equal(await codeOf('sh', ['-c', 'exit 0']), 0)
  t.equal(await codeOf('sh', ['-c', 'exit 3']), 3)
  t.equal(await codeOf('/nonexistent/loom-test-binary', []), 1, 'ENOENT is not an exit status')
  t.equal(await codeOf('/nonexistent/loom-test-binary', [], -1), -1, 'the fallback is the caller\'s')
  t.equal(await codeOf('sh', ['-c', 'kill -TERM $$']), 1, 'killed by a signal')
})
