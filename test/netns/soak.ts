/**
 * `npm run soak` (root): issue 10's fault suite at its full figures, minutes long, not part of
 * `npm test` (test/netns/faults.test.ts is the short version that is). Phases, in one 5-node
 * gossip cluster of real loomd in namespaces, pods through the real loom-cni shim:
 *   1. tc netem on the underlay (10 % loss, 50±20 ms delay, reordering, duplicates) for 60 s
 *      under pod traffic and CNI churn, then a 10 s partition of one node; on a kernel without
 *      sch_netem the same spec runs in userspace on the switch (lib/underlay-impair.ts);
 *   2. the chaos loop: 300 ADD/DEL across the 5 nodes with kill -9 of random loomd and restarts;
 *   3. fuzzing: 1 000 000 random and mutated frames at the data port, gossip UDP and TCP and the
 *      local API (bounded to 240 s);
 *   4. the soak: 10 minutes of traffic, churn and one node restart a minute, RSS, fd count and
 *      event-loop lag of every loomd reported every 30 s.
 * After each phase the invariants of lib/fault-lab.ts are checked. Exit 0 when all hold, 1
 * otherwise; the seed is printed first (LOOM_FAULT_SEED=<n> replays it). LOOM_SOAK_MINUTES
 * changes the soak's length; LOOM_SOAK_PHASES (e.g. "netem,soak") runs a subset.
 */
import { isRoot, SKIP_NOT_ROOT } from './lib/netns-lab'
import { faultSeed } from './lib/seeded-random'
import { buildFaultCluster, describeNetem, runChaos, runFuzzing, runNetem, runSoak } from './lib/fault-phases'

const FIGURES = {
  nodes: 5,
  slotsPerNode: 4,
  netemSeconds: 60,
  partitionSeconds: 10,
  chaosOps: 300,
  chaosMaxSeconds: 900,
  fuzzFrames: 1_000_000,
  fuzzSeconds: 240,
  restartEverySeconds: 60,
  sampleEverySeconds: 30,
}

async function main (): Promise<number> {
  if (!isRoot()) { console.log(`soak skipped: ${SKIP_NOT_ROOT}`); return 0 }
  const seed = faultSeed()
  const minutes = Number(process.env.LOOM_SOAK_MINUTES ?? 10)
  const phases = new Set((process.env.LOOM_SOAK_PHASES ?? 'netem,chaos,fuzz,soak').split(','))
  const log = (line: string): void => { console.log(`[${new Date().toISOString()}] ${line}`) }
  log(`LOOM_FAULT_SEED=${seed}`)
  const failures: string[] = []
  const note = (what: string, problems: string[]): void => {
    for (const p of problems) failures.push(`${what}: ${p}`)
    log(`${what}: ${problems.length === 0 ? 'invariants hold' : `${problems.length} problems:\n  ${problems.join('\n  ')}`}`)
  }
  const ctx = await buildFaultCluster('soak', seed, FIGURES.nodes, FIGURES.slotsPerNode, log)
  try {
    if (phases.has('netem')) {
      const n = await runNetem(ctx, FIGURES.netemSeconds, FIGURES.partitionSeconds)
      if (n.deaths > 0) failures.push(`netem: ${n.deaths} members declared dead`)
      if (n.how === 'userspace' && !((n.impairment?.lost ?? 0) > 0 && (n.impairment?.delayMeanMs ?? 0) > 30)) {
        failures.push(`netem: the userspace emulation did not impair (${describeNetem(n.how, n.impairment)})`)
      }
      note('netem', n.problems)
    }
    if (phases.has('chaos')) {
      const c = await runChaos(ctx, FIGURES.chaosOps, FIGURES.chaosMaxSeconds)
      if (c.ops < FIGURES.chaosOps) failures.push(`chaos: only ${c.ops} of ${FIGURES.chaosOps} ops within ${FIGURES.chaosMaxSeconds} s`)
      note('chaos', c.problems)
    }
    if (phases.has('fuzz')) {
      const f = await runFuzzing(ctx, FIGURES.fuzzFrames, FIGURES.fuzzSeconds)
      const sent = f.results.reduce((a, r) => a + r.sent, 0)
      log(`fuzz: ${sent} frames in total; loomd RSS ${Math.round(f.rssBeforeKiB / 1024)} -> ${Math.round(f.rssAfterKiB / 1024)} MiB`)
      for (const r of f.results) if (r.counted + r.kernelDropped < r.sent) failures.push(`fuzz ${r.kind}: ${r.sent} sent, only ${r.counted} + ${r.kernelDropped} counted`)
      note('fuzz', f.problems)
    }
    if (phases.has('soak')) {
      const s = await runSoak(ctx, minutes * 60, FIGURES.restartEverySeconds, FIGURES.sampleEverySeconds)
      const n1 = s.samples.filter((x) => x.node === 'node1')
      const first = n1[1] ?? n1[0]
      const last = n1[n1.length - 1]
      if (first !== undefined && last !== undefined) {
        log(`soak: node1 RSS ${Math.round(first.rssKiB / 1024)} -> ${Math.round(last.rssKiB / 1024)} MiB, fds ${first.fds} -> ${last.fds}`)
        if (last.rssKiB - first.rssKiB > 64 * 1024) failures.push(`soak: node1 RSS grew by ${Math.round((last.rssKiB - first.rssKiB) / 1024)} MiB`)
        if (last.fds - first.fds > 16) failures.push(`soak: node1 fds grew from ${first.fds} to ${last.fds}`)
      }
      note('soak', s.problems)
    }
  } finally {
    await ctx.lab.cleanup()
  }
  log(failures.length === 0 ? `PASS (seed ${seed})` : `FAIL (seed ${seed}):\n  ${failures.join('\n  ')}`)
  return failures.length === 0 ? 0 : 1
}

main().then((code) => { process.exitCode = code }, (err) => {
  console.error((err as Error).stack ?? err)
  process.exitCode = 1
})
