/**
 * IPAM allocation latency: `Ipam.allocate` on a bootstrapped single node with the real
 * FileStateStore in a temp dir (write temp + fsync + rename + dir fsync on every allocation),
 * then `release`. Reports p50/p99/max in microseconds. Run: node dist/bench/ipam-alloc.js [n]
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Ipam, ipamDurableToJSON, makeBlockLayout, validateIpamDurable, type IpamDurable } from '../control/ipam'
import { FileStateStore } from '../control/node'

function pct (xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!
}

function main (): void {
  const n = Number(process.argv[2] ?? 2000)
  const dir = fs.mkdtempSync(path.join(process.env.LOOM_BENCH_DIR ?? os.tmpdir(), 'loom-ipam-bench-'))
  try {
    const layout = makeBlockLayout('10.244.0.0/16', 26)
    const store = new FileStateStore<IpamDurable>(path.join(dir, 'ipam.json'), raw => validateIpamDurable(raw, layout),
      ipamDurableToJSON)
    const t0 = performance.now()
    const clock = (): number => performance.now() - t0
    const ipam = new Ipam({ store },
      { id: 'bench-node', layout, bootstrap: true, seeds: [], random: Math.random, spareAddresses: 32 }, clock())
    const drain = (): void => {
      for (let i = 0; i < 10; i++) for (const o of ipam.takeOutbox()) ipam.receive(o.msg, clock())
    }
    const alloc: number[] = []
    const rel: number[] = []
    let waits = 0
    for (let i = 0; i < n; i++) {
      ipam.tick(clock()); drain()
      // Keep ~500 attachments alive so the document has realistic size.
      for (;;) {
        const s = process.hrtime.bigint()
        try {
          ipam.allocate({ containerId: `c${i}`, ifname: 'eth0' }, clock())
          alloc.push(Number(process.hrtime.bigint() - s) / 1000)
          break
        } catch (err) {
          if ((err as { code?: string }).code !== 'ERR_IPAM_TRY_AGAIN') throw err
          waits++
          ipam.tick(clock()); drain()
        }
      }
      if (i >= 500) {
        const s = process.hrtime.bigint()
        ipam.release({ containerId: `c${i - 500}`, ifname: 'eth0' }, clock())
        rel.push(Number(process.hrtime.bigint() - s) / 1000)
      }
    }
    const size = fs.statSync(path.join(dir, 'ipam.json')).size
    const fmt = (xs: number[]): string => `p50 ${pct(xs, 0.5).toFixed(0)} us, p99 ${pct(xs,
      0.99).toFixed(0)} us, max ${Math.max(...xs).toFixed(0)} us`
    console.log(`ipam allocate (fsync'd, ${n} ops, state file ${size} B, dir ${dir}): ${fmt(alloc)}; try-again waits ${waits}`)
    console.log(`ipam release  (fsync'd, ${rel.length} ops): ${fmt(rel)}`)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main()
