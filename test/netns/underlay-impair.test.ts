/**
 * The lab's userspace underlay impairment (lib/underlay-impair.ts), the fault suite's `tc netem`
 * where the kernel has no sch_netem, measured end to end across a real bridge:
 *
 *   ns a eth0 198.18.0.1 ── n1 ┐ sw: br0 ┌ n2 ── eth0 198.18.0.2 ns b
 *
 * - 50 ms ± 20 ms (normal) and 10 % loss on every frame between the ports: ping RTT (two
 *   crossings) averages about 100 ms with a deviation about 28 ms, about 19 % of round trips are
 *   lost, and replies come back out of order (jitter reorders, as netem's does);
 * - with the fault suite's whole spec (25 % reorder with 50 % correlation, 1 % duplicates) a
 *   quarter of the frames go at once and some are duplicated; a TCP transfer still arrives intact
 *   (partial checksums completed, no oversize frames);
 * - lifted: RTT back under 10 ms, nothing lost, the nftables rule gone, offloads restored;
 * - the impairment process killed -9 while on: the bridge forwards unimpaired again by itself.
 * The statistics bands are wide enough for a loaded 2-core machine (late timers add delay).
 */
import t from 'tap'
import { isRoot, NetnsLab, SKIP_NOT_ROOT } from './lib/netns-lab'
import { parseNetemArgs, startUnderlayImpairment } from './lib/underlay-impair'
import { shaTransfer } from './lib/sha-transfer'

interface PingRun { sent: number, replies: number[], seqs: number[], dups: number }

/** ping -i interval -c count; the RTT of each reply in arrival order, and their sequence numbers. */
async function ping (lab: NetnsLab, ns: string, to: string, count: number, interval: string): Promise<PingRun> {
  const r = await lab.exec(ns, ['ping', '-n', '-i', interval, '-c', String(count), '-W', '2', to],
    { timeoutMs: 120_000 })
  const replies: number[] = []
  const seqs: number[] = []
  let dups = 0
  for (const m of r.stdout.matchAll(/icmp_seq=(\d+) ttl=\d+ time=([\d.]+) ms( \(DUP!\))?/g)) {
    if (m[3] !== undefined) { dups++; continue }
    seqs.push(Number(m[1]))
    replies.push(Number(m[2]))
  }
  return { sent: count, replies, seqs, dups }
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
const std = (xs: number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)))
/** Replies that arrived after one with a higher sequence number. */
const outOfOrder = (seqs: number[]): number => {
  let max = -1
  let n = 0
  for (const s of seqs) { if (s < max) n++; else max = s }
  return n
}

if (!isRoot()) {
  t.plan(0, SKIP_NOT_ROOT)
} else {
  t.test('userspace netem across the lab bridge: delay, jitter, loss, reordering, duplicates, lifted cleanly', async (t) => {
    const lab = new NetnsLab('impair')
    t.teardown(() => lab.cleanup())
    const sw = await lab.addNamespace('sw')
    await lab.must('ip', ['-n', sw, 'link', 'add', 'br0', 'type', 'bridge'])
    await lab.must('ip', ['-n', sw, 'link', 'set', 'br0', 'up'])
    const a = await lab.addNamespace('a')
    const b = await lab.addNamespace('b')
    await lab.addVeth(a, 'eth0', '198.18.0.1/24', sw, 'n1', '')
    await lab.addVeth(b, 'eth0', '198.18.0.2/24', sw, 'n2', '')
    for (const p of ['n1', 'n2']) await lab.must('ip', ['-n', sw, 'link', 'set', p, 'master', 'br0'])
    const links = [{ ns: a, dev: 'eth0' }, { ns: b, dev: 'eth0' }]
    const offloads = async (): Promise<string> => (await lab.execOk(a, ['ethtool', '-k', 'eth0']))
      .split('\n').filter((l) => /^(tcp|generic)-segmentation-offload:/.test(l)).join('; ')
    const before = await offloads()

    const base = await ping(lab, a, '198.18.0.2', 20, '0.05')
    t.equal(base.replies.length, 20, 'unimpaired: every ping answered')

    // 1. Delay, jitter and loss.
    const spec1 = parseNetemArgs(['delay', '50ms', '20ms', 'distribution', 'normal', 'loss', '10%'])
    const h1 = await startUnderlayImpairment(lab, sw, ['n1', 'n2'], links, spec1, { maxSeconds: 60, seed: 1 })
    t.not(await offloads(), before, `segmentation offloads off while impaired (${await offloads()})`)
    const p1 = await ping(lab, a, '198.18.0.2', 400, '0.01')
    const s1 = await h1.lift()
    const rtt1 = mean(p1.replies)
    const loss1 = 100 * (1 - p1.replies.length / p1.sent)
    t.comment(`delay/jitter/loss: ping RTT mean ${rtt1.toFixed(1)} ms, deviation ${std(p1.replies).toFixed(1)} ms, ` +
      `min ${Math.min(...p1.replies).toFixed(1)}, max ${Math.max(...p1.replies).toFixed(1)}, loss ${loss1.toFixed(1)} %, ` +
      `${outOfOrder(p1.seqs)} replies out of order; impairment: ${JSON.stringify(s1)}`)
    t.ok(rtt1 > 85 && rtt1 < 150, `RTT mean ${rtt1.toFixed(1)} ms: two crossings of 50 ms each`)
    t.ok(std(p1.replies) > 15 && std(p1.replies) < 50,
      `RTT deviation ${std(p1.replies).toFixed(1)} ms (two draws of 20 ms: about 28)`)
    t.ok(loss1 > 8 && loss1 < 32, `${loss1.toFixed(1)} % of round trips lost (two crossings at 10 %: 19 %)`)
    t.ok(outOfOrder(p1.seqs) > 0, `${outOfOrder(p1.seqs)} replies arrived out of order (jitter reorders)`)
    t.ok(s1.delayMeanMs > 45 && s1.delayMeanMs < 70, `per-frame delay ${s1.delayMeanMs.toFixed(1)} ms`)
    t.ok(s1.delayStdMs > 15 && s1.delayStdMs < 30, `per-frame jitter ${s1.delayStdMs.toFixed(1)} ms`)
    t.ok(s1.lost / s1.received > 0.06 && s1.lost / s1.received < 0.14, `${s1.lost} of ${s1.received} frames dropped`)
    t.ok(s1.reordered > 0, `${s1.reordered} frames sent after a later one`)
    t.equal(s1.oversize, 0, 'no frame too long to forward')

    // 2. The fault suite's whole spec, and a TCP transfer through it.
    const spec2 = parseNetemArgs(['delay', '50ms', '20ms', 'distribution', 'normal', 'loss', '10%', 'reorder', '25%', '50%',
      'duplicate', '1%'])
    const h2 = await startUnderlayImpairment(lab, sw, ['n1', 'n2'], links, spec2, { maxSeconds: 120, seed: 2 })
    const p2 = await ping(lab, a, '198.18.0.2', 400, '0.01')
    const tcp = await shaTransfer(lab, a, b, '198.18.0.2', 5201, 256 * 1024)
    const s2 = await h2.lift()
    t.comment(`whole spec: ping RTT mean ${mean(p2.replies).toFixed(1)} ms, min ${Math.min(...p2.replies).toFixed(1)}, ` +
      `${p2.dups} DUP replies, ${outOfOrder(p2.seqs)} out of order; TCP ${JSON.stringify(tcp)}; impairment: ${JSON.stringify(s2)}`)
    // netem's correlated draw (get_crandom) narrows around 0.5, so `reorder 25% 50%` sends about
    // 7 % at once, not 25 % (test/unit/underlay-impair.test.ts); the emulation does the same.
    const immediate = s2.immediate / (s2.received * 0.9)
    t.ok(immediate > 0.03 && immediate < 0.15, `${(100 * immediate).toFixed(1)} % of frames sent at once (reorder 25 % 50 %)`)
    t.ok(Math.min(...p2.replies) < 25, `some round trips skipped both delays (fastest ${Math.min(...p2.replies)} ms)`)
    t.ok(s2.duplicated > 0 && s2.duplicated / s2.received < 0.03, `${s2.duplicated} of ${s2.received} frames duplicated`)
    t.ok(s2.reordered > 0, `${s2.reordered} frames reordered`)
    t.equal(tcp.received.sha256, tcp.sent.sha256, `TCP: ${tcp.received.bytes} bytes arrived intact`)
    t.equal(tcp.received.bytes, 256 * 1024)
    t.equal(s2.oversize, 0, 'no frame too long to forward')

    // 3. Lifted.
    const after = await ping(lab, a, '198.18.0.2', 20, '0.05')
    t.equal(after.replies.length, 20, 'lifted: every ping answered')
    t.ok(mean(after.replies) < 10, `lifted: RTT ${mean(after.replies).toFixed(2)} ms`)
    t.equal((await lab.exec(sw, ['nft', 'list', 'table', 'bridge', 'loomimpair'])).code, 1, 'the nftables rule is gone')
    t.equal(await offloads(), before, 'offloads restored')

    // 4. The impairment process dies while on: the bridge takes over unimpaired.
    const h3 = await startUnderlayImpairment(lab, sw, ['n1', 'n2'], links, spec1, { maxSeconds: 60, seed: 3 })
    t.ok(h3.pid > 0, `impairment process ${h3.pid}`)
    process.kill(h3.pid, 'SIGKILL')
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.match(h3.failed(), /exited \(SIGKILL\)/, 'its death is reported')
    const rescued = await ping(lab, a, '198.18.0.2', 20, '0.05')
    t.equal(rescued.replies.length, 20, 'every ping answered once it died')
    t.ok(mean(rescued.replies) < 10, `unimpaired (${mean(rescued.replies).toFixed(2)} ms)`)
    await t.rejects(h3.lift(), /exited \(SIGKILL\)/, 'lift reports the failure')
    t.equal(await offloads(), before, 'offloads restored after the failure too')
  })
}
