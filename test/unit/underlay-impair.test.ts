/**
 * The decisions of the lab's userspace netem (test/netns/lib/underlay-impair.ts), without a
 * socket: the netem arguments it accepts and refuses, and over many frames the shares of loss,
 * duplicates and immediate sends, the delay's mean and deviation, send order and the limit.
 * test/netns/underlay-impair.test.ts measures the same across a real bridge.
 */
import t from 'tap'
import { ImpairQueue, parseNetemArgs } from '../netns/lib/underlay-impair'
import { seededRandom } from '../netns/lib/seeded-random'

const FAULT_SPEC = ['delay', '50ms', '20ms', 'distribution', 'normal', 'loss', '10%', 'reorder', '25%', '50%', 'duplicate', '1%']

t.test('netem arguments: the fault suite\'s spec parses; what is not emulated is refused by name', async (t) => {
  t.same(parseNetemArgs(FAULT_SPEC), {
    delayMs: 50,
    jitterMs: 20,
    lossPercent: 10,
    reorderPercent: 25,
    reorderCorrelationPercent: 50,
    duplicatePercent: 1,
    limit: 1000,
  })
  t.throws(() => parseNetemArgs(['delay', '50ms', 'rate', '1mbit']), /rate is not emulated/)
  t.throws(() => parseNetemArgs(['delay', '50ms', '20ms', '25%']), /delay correlation is not emulated/)
  t.throws(() => parseNetemArgs(['delay', '50ms', 'distribution', 'pareto']), /pareto is not emulated/)
  t.throws(() => parseNetemArgs(['loss', 'lots']), /expected a percentage/)
  t.throws(() => parseNetemArgs(['reorder', '25%']), /reorder needs a delay/)
})

/** Offers `n` frames 1 ms apart on port 1 and takes them all; the sent frames' delays. */
function drive (args: string[], n: number, seed = 7): { q: ImpairQueue, delays: number[], order: number[] } {
  const q = new ImpairQueue(parseNetemArgs(args), seededRandom(seed))
  const delays: number[] = []
  const order: number[] = []
  for (let i = 0; i < n; i++) {
    const f = Buffer.alloc(4)
    f.writeUInt32BE(i)
    q.offer(f, 1, i)
    for (const x of q.take(i)) { delays.push(i - x.arrived); order.push(x.frame.readUInt32BE(0)); q.noteSent(x, 2, i) }
  }
  for (const x of q.take(Infinity)) { order.push(x.frame.readUInt32BE(0)); q.noteSent(x, 2, x.due) }
  return { q, delays, order }
}

t.test('delay 50ms 20ms normal: mean, deviation, frames leave in send-time order (jitter reorders)', async (t) => {
  const { q, order } = drive(['delay', '50ms', '20ms', 'distribution', 'normal'], 20_000)
  t.ok(Math.abs(q.stats.delayMeanMs - 50) < 1.5, `mean ${q.stats.delayMeanMs.toFixed(2)} ms`)
  t.ok(Math.abs(q.stats.delayStdMs - 20) < 1.5, `deviation ${q.stats.delayStdMs.toFixed(2)} ms`)
  t.equal(q.stats.delayMinMs >= 0, true, 'never negative')
  t.ok(q.stats.reordered > 1000, `${q.stats.reordered} of 20000 sent after a later arrival`)
  t.equal(order.length, 20_000, 'nothing lost')
})

t.test('loss, duplicates, reordering: netem\'s shares, with its correlated draw', async (t) => {
  const n = 50_000
  const loss = drive(['delay', '1ms', 'loss', '10%'], n).q.stats
  t.ok(Math.abs(loss.lost / n - 0.1) < 0.01, `loss ${(100 * loss.lost / n).toFixed(2)} %`)
  const dup = drive(['delay', '1ms', 'duplicate', '1%'], n).q.stats
  t.ok(Math.abs(dup.duplicated / n - 0.01) < 0.003, `duplicates ${(100 * dup.duplicated / n).toFixed(2)} %`)
  t.equal(dup.sent, n + dup.duplicated, 'each duplicate sent as a frame of its own')
  const plain = drive(['delay', '50ms', 'reorder', '25%'], n).q.stats
  t.ok(Math.abs(plain.immediate / n - 0.25) < 0.01, `reorder 25 %: ${(100 * plain.immediate / n).toFixed(2)} % at once`)
  // get_crandom (net/sched/sch_netem.c): answer = (1 - rho) * u + rho * last, so with rho 0.5
  // the draw clusters around 0.5 and falls under 0.25 far less often than a quarter of the time.
  const corr = drive(['delay', '50ms', 'reorder', '25%', '50%'], n).q.stats
  t.ok(corr.immediate / n > 0.04 && corr.immediate / n < 0.11,
    `reorder 25 % 50 %: ${(100 * corr.immediate / n).toFixed(2)} % at once, as netem's correlated draw gives`)
})

t.test('limit: frames over it are dropped and counted', async (t) => {
  const q = new ImpairQueue(parseNetemArgs(['delay', '1s', 'limit', '10']), seededRandom(1))
  for (let i = 0; i < 15; i++) q.offer(Buffer.alloc(1), 1, 0)
  t.equal(q.length, 10)
  t.equal(q.stats.overLimit, 5)
  t.same(q.take(999), [], 'nothing due before its time')
  t.equal(q.take(1000).length, 10)
})
