/**
 * Logging: the JSON line shape (level names, bindings from children) captured through a
 * destination stream, and RateLimitedLogger's exact counts driven by a fake clock.
 */
import t from 'tap'
import { componentLogger, createLogger, OVERFLOW_KEY, RateLimitedLogger, type Logger } from '../../agent/logger'

/** A logger whose lines are parsed into `lines`. pino writes synchronously to a plain destination. */
function capture (level = 'info'): { logger: Logger, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const logger = createLogger({ level, destination: { write: (s: string) => { lines.push(JSON.parse(s)) } } })
  return { logger, lines }
}

/** A clock the test moves by hand. */
function fakeClock (start = 1_000_000): { now: () => number, advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: (ms) => { t += ms } }
}

t.test('lines are JSON with level names, ISO time, pid and child bindings', async t => {
  const { logger, lines } = capture()
  const node = logger.child({ nodeName: 'node-a' })
  const dp = componentLogger(node, 'dataplane')
  dp.info({ peer: 'node-b' }, 'peer up')
  dp.debug('not at info level')
  t.equal(lines.length, 1)
  const line = lines[0]
  t.equal(line.level, 'info')
  t.equal(line.msg, 'peer up')
  t.equal(line.nodeName, 'node-a')
  t.equal(line.component, 'dataplane')
  t.equal(line.peer, 'node-b')
  t.equal(line.pid, process.pid)
  t.notOk('hostname' in line, 'no hostname: nodeName identifies the node')
  t.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
})

t.test('an untrusted value in a message cannot forge fields', async t => {
  const { logger, lines } = capture()
  componentLogger(logger, 'control').warn({ peer: 'x","level":"fatal' }, 'bad "peer"\nname')
  t.equal(lines.length, 1)
  t.equal(lines[0].level, 'warn')
  t.equal(lines[0].peer, 'x","level":"fatal')
  t.equal(lines[0].msg, 'bad "peer"\nname')
})

t.test('createLogger rejects an unknown level', async t => {
  t.throws(() => createLogger({ level: 'verbose', destination: { write: () => undefined } }))
})

t.test('rate limiter: limit per key per interval, then one summary', async t => {
  const { logger, lines } = capture()
  const clock = fakeClock()
  const rl = new RateLimitedLogger(logger, { limit: 3, intervalMs: 1000, now: clock.now })

  const results: boolean[] = []
  for (let i = 0; i < 10; i++) results.push(rl.warn('node-b', { attempt: i }, 'handshake failed'))
  t.same(results, [true, true, true, false, false, false, false, false, false, false])
  t.equal(lines.length, 3)
  t.same(lines.map((l) => l.attempt), [0, 1, 2])
  t.same(lines.map((l) => l.key), ['node-b', 'node-b', 'node-b'], 'the key is a field of every line')

  t.equal(rl.error('node-c', {}, 'garbage from peer'), true, 'keys are independent')
  t.equal(lines.length, 4)

  clock.advance(999)
  t.equal(rl.warn('node-b', {}, 'handshake failed'), false, 'still inside the interval at 999 ms')
  rl.flush()
  t.equal(lines.length, 4, 'flush before the interval ends logs nothing')

  clock.advance(1)
  rl.flush()
  t.equal(lines.length, 5, 'the interval is over: one summary for node-b, none for node-c (nothing suppressed)')
  t.same(lines[4],
    {
      ...lines[4],
      level: 'warn',
      key: 'node-b',
      suppressed: 8,
      lastMsg: 'handshake failed',
      msg: 'suppressed 8 similar messages'
    })
  t.equal(rl.trackedKeys, 0, 'ended windows are forgotten')
  rl.flush()
  t.equal(lines.length, 5, 'a summary is logged once')

  for (let i = 0; i < 3; i++) t.equal(rl.warn('node-b', {}, 'again'), true, `new interval: message ${i} passes`)
  t.equal(rl.warn('node-b', {}, 'again'), false)
  t.equal(lines.length, 8)
})

t.test('rate limiter: the next message after the interval logs the pending summary first', async t => {
  const { logger, lines } = capture()
  const clock = fakeClock()
  const rl = new RateLimitedLogger(logger, { limit: 1, intervalMs: 500, now: clock.now })
  rl.error('p', {}, 'first')
  rl.error('p', {}, 'second')
  rl.warn('p', {}, 'third')
  clock.advance(600)
  t.equal(rl.error('p', { n: 4 }, 'fourth'), true)
  t.same(lines.map((l) => [l.level, l.msg, l.suppressed]), [
    ['error', 'first', undefined],
    ['warn', 'suppressed 2 similar messages', 2],
    ['error', 'fourth', undefined],
  ], 'summary carries the level of the last suppressed message, and precedes the new one')
})

t.test('rate limiter: disabled levels are neither logged nor counted', async t => {
  const { logger, lines } = capture('warn')
  const clock = fakeClock()
  const rl = new RateLimitedLogger(logger, { limit: 1, intervalMs: 100, now: clock.now })
  for (let i = 0; i < 5; i++) t.equal(rl.debug('p', {}, 'noise'), false)
  t.equal(rl.trackedKeys, 0)
  t.equal(rl.warn('p', {}, 'real'), true, 'a disabled level does not use up the limit')
  t.equal(lines.length, 1)
})

t.test('rate limiter: keys beyond maxKeys share the overflow key', async t => {
  const { logger, lines } = capture()
  const clock = fakeClock()
  const rl = new RateLimitedLogger(logger, { limit: 1, intervalMs: 100, maxKeys: 2, now: clock.now })
  t.equal(rl.warn('a', {}, 'm'), true)
  t.equal(rl.warn('b', {}, 'm'), true)
  t.equal(rl.warn('c', {}, 'm'), true, 'first message under the overflow key passes')
  t.equal(rl.warn('d', {}, 'm'), false, 'overflow key is limited too')
  t.equal(rl.trackedKeys, 3)
  t.same(lines.map((l) => l.key), ['a', 'b', OVERFLOW_KEY])
  clock.advance(100)
  t.equal(rl.warn('e', {}, 'm'), true, 'ended windows are flushed to make room')
  t.same(lines.slice(3).map((l) => [l.key, l.msg]), [[OVERFLOW_KEY, 'suppressed 1 similar messages'], ['e', 'm']])
})

t.test('rate limiter: stop() logs pending summaries even mid-interval', async t => {
  const { logger, lines } = capture()
  const clock = fakeClock()
  const rl = new RateLimitedLogger(logger, { limit: 2, intervalMs: 60_000, now: clock.now })
  rl.start()
  for (let i = 0; i < 7; i++) rl.info('k', {}, 'x')
  rl.stop()
  t.same(lines.map((l) => l.msg), ['x', 'x', 'suppressed 5 similar messages'])
  t.equal(rl.trackedKeys, 0)
})
