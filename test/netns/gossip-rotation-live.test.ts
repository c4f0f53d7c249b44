/**
 * Rotating the gossip key of a running cluster without restarting anything: three gossip-mode
 * loomd nodes read one secret file; it is rewritten (atomically) in the three steps of the README
 * — add the new key second, move it first, remove the old one — and after each step every node
 * reports the file's key count, the cluster stays whole (each node sees the other two alive), and
 * no frame was refused for its key (`unknown_key`, `auth`). Finally a node that only knows the
 * old key (a stranger now) cannot make any member hear it. Before the watcher, loomd read the
 * secret only at start: step 3 left every node sealing and opening with the removed key.
 *
 *   n1 (seed) ─ n2 ─ n3 ─┬─ br0 in ns "sw" ─┬─ n4 (only the old key)
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { apiRequest, LabNode, OverlayLab, writeSecretFile } from './lib/overlay-lab'
import { scrapeMetric } from './lib/scrape'
import type { StatusDocument } from '../../agent/types'

async function status (node: LabNode): Promise<StatusDocument> {
  const r = await apiRequest(node.apiSocket, 'GET', '/v1/status')
  if (r.status !== 200) throw new Error(`status of ${node.name}: ${r.status}`)
  return r.body as StatusDocument
}

t.test('gossip key rotation on a running cluster, no restart', { skip: isRoot() ? false : SKIP_NOT_ROOT }, async (t) => {
  const lab = new NetnsLab('crypto-rot')
  t.teardown(() => lab.cleanup())
  const overlay = new OverlayLab(lab, { nodes: 4, podsPerNode: 0, encapsulation: 'udp', gossip: {}, withoutLoomd: [4] })
  await overlay.build()
  const [n1, n2, n3, n4] = overlay.nodes
  const members = [n1, n2, n3]
  await overlay.startAll()
  const rejected = async (n: LabNode, reason: string): Promise<number> =>
    await scrapeMetric(lab, n.ns, `loom_control_gossip_frames_rejected_total{reason="${reason}"}`)
  const whole = async (what: string, keys: number): Promise<void> => {
    await waitFor(what, async () => {
      for (const n of members) {
        const s = await status(n)
        if (s.node.gossip?.keys !== keys) return false
        if (s.peers.filter((p) => p.state === 'alive' && p.nodeName !== n4.name).length !== 2) return false
      }
      return true
    }, 30_000, 250)
  }
  await whole('the 3 members to see each other', 1)

  const secretFile = overlay.secretFile
  const oldKey = Buffer.from(readFileSync(secretFile, 'utf8').trim(), 'base64')
  const newKey = randomBytes(32)
  const writeAtomically = (keys: Buffer[]): void => {
    writeSecretFile(secretFile + '.tmp', keys)
    renameSync(secretFile + '.tmp', secretFile)
  }
  const steps: Array<[string, Buffer[]]> = [
    ['add the new key second', [oldKey, newKey]], ['move it first', [newKey, oldKey]], ['remove the old key', [newKey]]]
  for (const [what, keys] of steps) {
    writeAtomically(keys)
    await whole(`every node to apply "${what}" and stay whole`, keys.length)
    // A few probe rounds under the new keys (every node probes once a second).
    await new Promise((resolve) => setTimeout(resolve, 3000))
    await whole(`still whole after "${what}"`, keys.length)
    t.pass(`rotation step: ${what}`)
  }
  for (const n of members) {
    t.equal(await rejected(n, 'unknown_key') + await rejected(n, 'auth'), 0,
      `${n.name}: no frame refused for its key during the rotation`)
  }

  // node4 joins with only the old key: nobody hears it any more.
  const oldOnly = lab.file('old-secret')
  writeSecretFile(oldOnly, [oldKey])
  const c = JSON.parse(readFileSync(n4.configPath, 'utf8')) as Record<string, any>
  c.encryption.secretFile = oldOnly
  writeFileSync(n4.configPath, JSON.stringify(c, null, 2))
  overlay.startDaemon(n4)
  await waitFor('the members to refuse node4\'s frames', async () => {
    let refused = 0
    for (const n of members) refused += await rejected(n, 'unknown_key')
    return refused > 0
  }, 30_000, 500)
  for (const n of members) {
    const s = await status(n)
    t.notOk(s.peers.some((p) => p.nodeName === n4.name), `${n.name} knows nothing of the node with the removed key`)
  }
})
