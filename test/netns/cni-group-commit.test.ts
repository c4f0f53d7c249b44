/**
 * Group commit of IPAM allocations (control/group-commit.ts) against a real loomd, through the
 * loom-cni shim, in static and in gossip mode: 100 concurrent ADDs, loomd killed with SIGKILL
 * while their batches are being written (as soon as the first few have answered), restarted;
 * then every address an ADD reported must still be held by its attachment, no address may be
 * held twice, every reported ADD's ledger entry must be in the address file (one write holds
 * both), and 10 new pods must get none of the reported ones. A reported allocation is on disk
 * first, so a crash in the middle of a batch loses nothing that was reported.
 *
 *   pod namespaces k<i> ── veths ── node ns "n1" (loomd) ── sw
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { isRoot, NetnsLab, SKIP_NOT_ROOT } from './lib/netns-lab'
import { apiRequest, LabNode, OverlayLab } from './lib/overlay-lab'
import { execPlugin, PluginRun } from './fixtures/cni-exec'

const CONCURRENT = 100
const AFTER = 10
const KILL_AFTER_ANSWERS = 3
const nsPath = (ns: string): string => `/var/run/netns/${ns}`

function addressOf (r: PluginRun): string | undefined {
  if (r.code !== 0) return undefined
  const ip = (r.json as { ips?: Array<{ address: string }> } | undefined)?.ips?.[0]?.address
  return ip?.split('/')[0]
}

if (!isRoot()) {
  t.plan(0, SKIP_NOT_ROOT)
} else {
  for (const mode of ['static', 'gossip'] as const) {
    t.test(`${mode} mode: kill -9 during a batch of concurrent ADDs loses and reuses no reported address`,
      async (t) => {
        const lab = new NetnsLab(`cnigc${mode[0]}`)
        t.teardown(() => lab.cleanup())
        const overlay = new OverlayLab(lab, {
          nodes: 1, podsPerNode: 0, encapsulation: 'udp', logLevel: 'warn', ...(mode === 'gossip' ? { gossip: {} } : {}),
        })
        await overlay.build()
        await overlay.startAll()
        const n1 = overlay.nodes[0] as LabNode
        const conf = { cniVersion: '1.1.0', name: 'loom', type: 'loom-cni', apiSocket: n1.apiSocket }
        const attachments = async (): Promise<Array<{ containerID: string, address: string }>> =>
          (await apiRequest(n1.apiSocket, 'GET', '/v1/cni/attachments')).body as Array<{
            containerID: string, address: string
          }>
        const pods: string[] = []
        for (let i = 0; i < CONCURRENT + AFTER; i++) pods.push(await lab.addNamespace(`k${i}`))

        let answered = 0
        let killed: Promise<void> | undefined
        const runs = await Promise.all(pods.slice(0, CONCURRENT).map(async (pod, i) => {
          const r = await execPlugin(n1.ns, 'loom-cni',
            { command: 'ADD', containerID: `gc-${i}`, netns: nsPath(pod), ifname: 'eth0' }, conf)
          if (r.code === 0 && ++answered === KILL_AFTER_ANSWERS) {
          // The others are between allocation and answer: in a batch being written, or queued for the next.
            killed = overlay.stopDaemon(n1, 'SIGKILL')
          }
          return r
        }))
        await killed
        t.ok(killed !== undefined, `loomd was killed after ${KILL_AFTER_ANSWERS} answers`)
        const reported = new Map<string, string>()
        runs.forEach((r, i) => { const a = addressOf(r); if (a !== undefined) reported.set(`gc-${i}`, a) })
        t.ok(reported.size >= KILL_AFTER_ANSWERS && reported.size < CONCURRENT,
        `some ADDs answered before the kill, some did not (${reported.size} of ${CONCURRENT})`)
        const codes = runs.filter((r) => r.code !== 0).map((r) => (r.json as { code?: unknown } | undefined)?.code)
        t.ok(codes.every((c) => c === 11 || c === 101),
        `the rest got "try again" or "bad answer" from the shim, as calls to a dying agent do: ${[...new Set(codes)].join(',')}`)

        overlay.startDaemon(n1)
        await overlay.waitReady(n1, 30_000)
        const held = await attachments()
        const holder = new Map<string, string>()
        for (const h of held) {
          const other = holder.get(h.address)
          if (other !== undefined) t.fail(`${h.address} is held by ${other} and ${h.containerID}`)
          holder.set(h.address, h.containerID)
        }
        for (const [cid, address] of reported) {
          t.equal(holder.get(address), cid, `${cid}: reported ${address}, still held by it after the restart`)
        }
        // The ledger entry (GC's age) rides in the same write as the address (cni/attachment-ledger.ts).
        const stateFile = lab.file(`state-${n1.name}/${mode === 'static' ? 'pod-addresses.json' : 'ipam.json'}`)
        const ledger = (JSON.parse(readFileSync(stateFile, 'utf8')) as {
          cniAttachments?: { attachments: Array<{ containerID: string }> }
        }).cniAttachments?.attachments ?? []
        const recorded = new Set(ledger.map((a) => a.containerID))
        t.ok([...reported.keys()].every((cid) => recorded.has(cid)),
          'every reported ADD\'s ledger entry is on disk after the kill, in the address file')

        const fresh = await Promise.all(pods.slice(CONCURRENT).map((pod, i) =>
          execPlugin(n1.ns, 'loom-cni', { command: 'ADD', containerID: `after-${i}`, netns: nsPath(pod), ifname: 'eth0' },
            conf)))
        const reportedSet = new Set(reported.values())
        for (const r of fresh) {
          const a = addressOf(r)
          t.ok(a !== undefined, `ADD after the restart succeeded${a === undefined ? `: ${r.stdout}` : ''}`)
          if (a !== undefined && reportedSet.has(a)) t.fail(`${a} was reported before the crash and handed out again`)
        }
        const again = await attachments()
        t.equal(new Set(again.map((h) => h.address)).size, again.length, 'no address held twice')
        await overlay.stopDaemon(n1)
      })
  }
}
