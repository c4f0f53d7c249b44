/**
 * What a creating CNI ADD waits for on disk, in isolation: its address and its attachment-ledger
 * entry written (a) as two files side by side (pod-addresses.json and attachments.json, each a
 * GroupCommitStore write: temp file, fsync, rename, directory fsync; loomd before the ledger
 * moved into the address file) or (b) as one file carrying both (the ledger as a section of the
 * address file, cni/attachment-ledger.ts LedgerSection). The two set-ups take turns write by
 * write, in one state directory on the same file system as loomd's, so load changes on a shared
 * machine hit both alike. Prints the median, p90 and p99 of each, in ms.
 *
 * Run: node dist/bench/state-write-pair.js [rounds=300] [dir=os.tmpdir()]
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  ATTACHMENTS_FILE, AttachmentLedger, LedgerSection, openSectionLedger, validateLedger,
} from '../cni/attachment-ledger'
import { StaticPodAddresses, validateStaticPodAddresses } from '../control'
import { GroupCommitStore, StateDirectory } from '../control/node'

function pct (xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN
}

async function main (): Promise<void> {
  const rounds = Number(process.argv[2] ?? 300) || 300
  const base = fs.mkdtempSync(path.join(process.argv[3] ?? os.tmpdir(), 'loom-state-write-'))
  try {
    const twoDir = StateDirectory.open({ path: path.join(base, 'two') })
    const twoPods = new GroupCommitStore(twoDir.store('pod-addresses.json', validateStaticPodAddresses))
    const twoLedgerStore = new GroupCommitStore(twoDir.store(ATTACHMENTS_FILE, validateLedger))
    const two = { pods: new StaticPodAddresses(twoPods, '10.244.0.0/16'), ledger: new AttachmentLedger(twoLedgerStore) }

    const oneDir = StateDirectory.open({ path: path.join(base, 'one') })
    const section = new LedgerSection()
    const onePods = new GroupCommitStore(oneDir.store('pod-addresses.json', section.validate(validateStaticPodAddresses),
      section.toJSON()))
    const onePodsManager = new StaticPodAddresses(onePods, '10.244.0.0/16')
    const oneLedger = new AttachmentLedger(openSectionLedger(section, onePods, oneDir).store)
    const one = { pods: onePodsManager, ledger: oneLedger }

    const times: Record<'two files' | 'one file', number[]> = { 'two files': [], 'one file': [] }
    for (let i = 0; i < rounds; i++) {
      for (const [name, s] of (i % 2 === 0 ? [['two files', two], ['one file', one]] : [['one file', one], ['two files', two]]) as
        Array<['two files' | 'one file', typeof one]>) {
        const id = { containerID: `c${i}`, ifname: 'eth0' }
        const t0 = process.hrtime.bigint()
        // As a creating ADD does it (cni/commands.ts): the allocation, its ledger entry, both awaited.
        const allocated = s.pods.allocate(id, {})
        const recorded = s.ledger.record(`c${i}/eth0`, { createdAt: Date.now(), token: '00000000-0000-4000-8000-000000000000' })
        await Promise.all([allocated, recorded])
        times[name].push(Number(process.hrtime.bigint() - t0) / 1e6)
      }
    }
    process.stdout.write(`${rounds} creating ADDs each, taking turns, in ${base} (load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})\n`)
    for (const [name, xs] of Object.entries(times)) {
      process.stdout.write(`${name.padEnd(10)} median ${pct(xs, 0.5).toFixed(2)} ms  p90 ${pct(xs, 0.9).toFixed(2)} ms  ` +
        `p99 ${pct(xs, 0.99).toFixed(2)} ms\n`)
    }
    await Promise.all([twoPods.idle(), twoLedgerStore.idle(), onePods.idle()])
    twoDir.close()
    oneDir.close()
  } finally {
    fs.rmSync(base, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
})
