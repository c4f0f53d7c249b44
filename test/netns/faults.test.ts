/**
 * Issue 10's fault injection, chaos, fuzzing and soak, the short version that runs in `npm test`
 * (about a minute of faults; `npm run soak` runs the issue's full figures, see soak.ts). One
 * gossip cluster of real loomd nodes in namespaces, pods added and deleted through the real
 * loom-cni shim; after each phase the invariants of lib/fault-lab.ts must hold (no address on
 * two pods, every reported success recorded and on disk, nothing leaked, IPAM settled, pods
 * reach each other). The seed is printed; `LOOM_FAULT_SEED=<n>` replays a run's choices.
 *
 *   node ns n1..n5 (loomd) ── sw (bridge; tc netem on its ports, or lib/underlay-impair.ts where the
 *                              kernel has no sch_netem) ── fz (a fuzzing stranger)
 */
import t from 'tap'
import { isRoot, SKIP_NOT_ROOT } from './lib/netns-lab'
import { faultSeed } from './lib/seeded-random'
import { buildFaultCluster, runChaos, runFuzzing, runNetem, runSoak } from './lib/fault-phases'

const FIGURES = {
  nodes: 5,
  slotsPerNode: 3,
  netemSeconds: 12,
  partitionSeconds: 4,
  chaosOps: 60,
  chaosMaxSeconds: 90,
  fuzzFrames: 100_000,
  fuzzSeconds: 16,
  soakSeconds: 60,
  restartEverySeconds: 15,
  sampleEverySeconds: 10
}

if (!isRoot()) {
  t.plan(0, SKIP_NOT_ROOT)
} else {
  t.test('faults, chaos, fuzzing and a short soak on a 5-node cluster', async (t) => {
    const seed = faultSeed()
    t.comment(`LOOM_FAULT_SEED=${seed}`)
    const ctx = await buildFaultCluster('faults', seed, FIGURES.nodes, FIGURES.slotsPerNode, (line) => t.comment(line))
    t.teardown(() => ctx.lab.cleanup())

    const n = await runNetem(ctx, FIGURES.netemSeconds, FIGURES.partitionSeconds)
    if (n.how === 'userspace') {
      // The emulation really ran: frames were dropped, delayed about 50 ms and reordered.
      const s = n.impairment!
      t.ok(s.lost > 0 && s.reordered > 0 && s.delayMeanMs > 30 && s.delayMeanMs < 90,
        `userspace netem (no sch_netem here): ${s.lost} of ${s.received} frames dropped, delay ` +
        `${s.delayMeanMs.toFixed(1)}±${s.delayStdMs.toFixed(1)} ms, ${s.reordered} reordered`)
    }
    t.equal(n.deaths, 0,
      `no member declared dead under 10 % loss, 50±20 ms delay, reordering (${n.how === 'netem' ? 'tc netem' : 'userspace netem'}; seed ${seed})`)
    t.ok(n.pingLossPercent < 60, `pod traffic flowed under netem (${n.pingLossPercent} % loss)`)
    t.ok(n.settledUnderFaultMs !== undefined, `IPAM settled under the fault (${n.settledUnderFaultMs} ms after the churn)`)
    t.ok(n.during.addOk > 0 && n.during.delOk > 0,
      `CNI calls succeeded under the fault (ADD ${n.during.addOk}/${n.during.adds}, DEL ${n.during.delOk}/${n.during.dels})`)
    const unreachable = n.problems.filter((p) => p.includes(' cannot reach '))
    t.same(n.problems.filter((p) => !p.includes(' cannot reach ')), [],
      `after netem and a ${n.partitionSeconds} s partition: invariants hold (seed ${seed})`)
    // Found by this test: in 3 of 4 quiet CI runs, every pod of the partitioned node stayed
    // unreachable for over 15 s after IPAM settled. loomd's view (printed with a failure) showed
    // why: a peer held the node dead while the node, never told, held the peer alive, so the
    // peer's forwarder had no route to it. Membership now pushes its state to a member it holds
    // dead as soon as that member speaks to it (answerTheDead, test/unit/membership.test.ts).
    for (const u of unreachable) t.comment(u)
    t.same(unreachable, [], `after the partition heals, traffic resumes within 15 s (seed ${seed})`)

    const c = await runChaos(ctx, FIGURES.chaosOps, FIGURES.chaosMaxSeconds)
    t.ok(c.ops >= FIGURES.chaosOps, `${c.ops} ADD/DEL ran`)
    t.ok(c.kills >= 2, `${c.kills} loomd killed with -9 and restarted`)
    t.same(c.problems, [], `after the chaos loop: invariants hold, every pod reaches the others (seed ${seed})`)

    const f = await runFuzzing(ctx, FIGURES.fuzzFrames, FIGURES.fuzzSeconds)
    for (const r of f.results) {
      t.ok(r.sent > 0, `${r.kind}: ${r.sent} frames sent`)
      t.ok(r.counted + r.kernelDropped >= r.sent,
        `${r.kind}: every frame refused and counted (${r.counted} by loomd + ${r.kernelDropped} by the kernel for ${r.sent} sent)`)
    }
    // A bound, not a growth figure: V8 keeps the heap it grew to during a fast burst (a quiet run
    // went 83 -> 151 MiB and stayed there, a loaded one rose 45 MiB and fell back), so a leak is
    // caught by the soak below, which follows this phase and checks RSS does not keep growing.
    t.ok(f.rssAfterKiB < 256 * 1024,
      `loomd RSS ${Math.round(f.rssBeforeKiB / 1024)} -> ${Math.round(f.rssAfterKiB / 1024)} MiB, under 256 MiB`)
    t.same(f.problems, [], `loomd survived fuzzing, cluster unchanged (seed ${seed})`)

    const s = await runSoak(ctx, FIGURES.soakSeconds, FIGURES.restartEverySeconds, FIGURES.sampleEverySeconds)
    const n1 = s.samples.filter((x) => x.node === 'node1')
    const first = n1[1] ?? n1[0]!
    const last = n1[n1.length - 1]!
    t.ok(last.rssKiB - first.rssKiB < 48 * 1024,
      `node1 RSS ${Math.round(first.rssKiB / 1024)} -> ${Math.round(last.rssKiB / 1024)} MiB over the soak`)
    t.ok(last.fds - first.fds <= 16, `node1 fds ${first.fds} -> ${last.fds}`)
    t.same(s.problems, [], `after the soak (${s.ops} ops, ${s.restarts} restarts): invariants hold (seed ${seed})`)
  })
}
