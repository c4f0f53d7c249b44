/**
 * Authenticated gossip with real loomd processes. A 3-node cluster shares a secret; beside it,
 * on the same underlay, node4 runs loomd with a different secret and node5 with none
 * (`gossip.insecure`): neither can join or change anything — no peer, no route, no block, nobody
 * marked dead — and both are counted as rejected frames. A sixth config, gossip mode without a
 * secret file and without `gossip.insecure`, refuses to start. Then the secret is rotated on the
 * running cluster (add the new key second, move it first, remove the old one; one node restarted
 * at a time) and the cluster stays whole: 3 alive members everywhere and pods on every pair of
 * nodes reach each other after each step.
 *
 *   n1 (seed) ─ n2 ─ n3 ─┬─ br0 in ns "sw" ─┬─ n4 (other secret) ─ n5 (no secret, insecure)
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { isRoot, NetnsLab, run, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { apiRequest, LabNode, LOOMD, OverlayLab, writeSecretFile } from './lib/overlay-lab'
import type { StatusDocument } from '../../agent/types'

async function status (node: LabNode): Promise<StatusDocument> {
  const r = await apiRequest(node.apiSocket, 'GET', '/v1/status')
  if (r.status !== 200) throw new Error(`status of ${node.name}: ${r.status}`)
  return r.body as StatusDocument
}

function rewriteConfig (node: LabNode, change: (c: Record<string, any>) => void): void {
  const c = JSON.parse(readFileSync(node.configPath, 'utf8')) as Record<string, any>
  change(c)
  writeFileSync(node.configPath, JSON.stringify(c, null, 2))
}

t.test('gossip trust: strangers cannot join; rotation keeps the cluster whole',
  { skip: isRoot() ? false : SKIP_NOT_ROOT }, async (t) => {
    const lab = new NetnsLab('gtr')
    t.teardown(() => lab.cleanup())
    const overlay = new OverlayLab(lab,
      { nodes: 5, podsPerNode: 0, encapsulation: 'udp', gossip: {}, withoutLoomd: [4, 5] })
    await overlay.build()
    const [n1, n2, n3, n4, n5] = overlay.nodes
    const members = [n1, n2, n3]
    // Every member lists every member as a seed (README: give every node the same list), so any
    // of them, the founder included, finds the others again after a restart.
    for (const n of members) rewriteConfig(n, (c) => { c.seeds = members.map((m) => m.underlay) })
    await overlay.startAll()

    const converged = async (what: string): Promise<void> => {
      await waitFor(what, async () => {
        for (const n of members) {
          const s = await status(n)
          const alive = s.peers.filter((p) => p.state === 'alive').map((p) => p.nodeName).sort()
          if (alive.join() !== members.filter((m) => m !== n).map((m) => m.name).sort().join()) return false
          if (s.peers.length !== 2 || new Set(s.routes.map((r) => r.nodeName)).size !== 2) return false
        }
        return true
      }, 40_000, 250)
    }
    await converged('the 3 members to see each other')
    await waitFor('every member ready to serve ADD', async () => {
      for (const n of members) if ((await apiRequest(n.apiSocket, 'GET', '/v1/ready')).status !== 200) return false
      return true
    }, 30_000, 250)
    for (const n of members) await overlay.addPodFromAgent(n, 1, 1400)
    const pingAll = async (when: string): Promise<void> => {
      for (const a of members) {
        for (const b of members) {
          if (a === b) continue
          const r = await overlay.ping(a.pods[0], b.pods[0].address, 3)
          t.ok(r.ok, `${when}: ${a.name} -> ${b.name}${r.ok ? '' : `\n${r.output}`}`)
        }
      }
    }
    await pingAll('before the intruders')
    const s1 = await status(n1)
    t.equal(s1.node.gossip?.mode, 'authenticated')

    // The intruders: a different secret, and no secret at all (insecure).
    const otherSecret = lab.file('other-secret')
    writeSecretFile(otherSecret, [randomBytes(32)])
    rewriteConfig(n4, (c) => { c.encryption.secretFile = otherSecret })
    rewriteConfig(n5, (c) => { c.encryption.secretFile = lab.file('missing-secret'); c.gossip = { insecure: true } })
    const blocksBefore = JSON.stringify((await status(n1)).ipam.blocks)
    overlay.startDaemon(n4)
    overlay.startDaemon(n5)
    await overlay.waitReady(n4)
    await overlay.waitReady(n5)
    t.equal((await status(n5)).node.gossip?.mode, 'insecure', 'status shows insecure mode')
    const cli = await overlay.loom(n5, ['status'])
    t.match(cli.stdout, /Gossip:\s+INSECURE/, '`loom status` says INSECURE')
    // Long enough for several join attempts, probes and a push-pull.
    await new Promise((resolve) => setTimeout(resolve, 15_000))
    for (const n of members) {
      const s = await status(n)
      t.same(s.peers.map((p) => p.nodeName).sort(), members.filter((m) => m !== n).map((m) => m.name).sort(),
      `${n.name}: no intruder among the peers`)
      t.ok(s.peers.every((p) => p.state === 'alive'), `${n.name}: nobody marked suspect or dead`)
      t.ok(s.routes.every((r) => r.nodeName !== n4.name && r.nodeName !== n5.name), `${n.name}: no route to an intruder`)
      t.ok(s.ipam.blocks.every((b) => b.nodeName !== n4.name && b.nodeName !== n5.name),
      `${n.name}: no block owned by an intruder`)
      t.ok((s.ipam.detail?.nodes ?? []).length === 3, `${n.name}: IPAM has 3 members`)
    }
    t.equal(JSON.stringify((await status(n1)).ipam.blocks), blocksBefore, 'the block table is unchanged')
    for (const x of [n4, n5]) {
      const s = await status(x)
      t.equal(s.peers.filter((p) => p.state === 'alive').length, 0, `${x.name} has no live peer`)
      t.equal(s.ipam.detail?.member, false, `${x.name} is not an IPAM member`)
    }
    const metrics = await run('ip', ['netns', 'exec', n1.ns, 'curl', '-s', 'http://127.0.0.1:9784/metrics'])
    const rejected = (reason: string): number => Number(new RegExp(`loom_control_gossip_frames_rejected_total\\{reason="${reason}"\\} (\\d+)`).exec(metrics.stdout)?.[1] ?? 0)
    t.ok(rejected('unknown_key') > 0, `node1 counted frames sealed with another key (${rejected('unknown_key')})`)
    t.ok(rejected('unsealed') > 0, `node1 counted plain frames (${rejected('unsealed')})`)
    t.ok((s1.node.gossip?.rejectedFrames ?? -1) >= 0)
    await overlay.stopDaemon(n4)
    await overlay.stopDaemon(n5)

    // Gossip mode without a secret and without gossip.insecure: refuses to start.
    rewriteConfig(n5, (c) => { c.gossip = {} })
    const refused = await run('ip', ['netns', 'exec', n5.ns, process.execPath, LOOMD, '--config', n5.configPath],
      { timeoutMs: 20_000 })
    t.not(refused.code, 0, 'loomd without a secret exits')
    t.match(refused.stderr, /encryption\.secretFile|cluster secret/,
    `it names the secret: ${refused.stderr.trim().split('\n').pop() ?? ''}`)

    // Rotation: add the new key second, move it first, remove the old one; one node at a time.
    const oldKey = readFileSync(overlay.secretFile, 'utf8').trim()
    const newKey = randomBytes(32).toString('base64')
    const steps: Array<[string, string[]]> = [['add', [oldKey, newKey]], ['move', [newKey, oldKey]], ['remove', [newKey]]]
    for (const [step, keys] of steps) {
      for (const n of members) {
        const file = lab.file(`secret-${n.name}`)
        writeSecretFile(file, keys.map((k) => Buffer.from(k, 'base64')))
        rewriteConfig(n, (c) => { c.encryption.secretFile = file })
        await overlay.stopDaemon(n)
        overlay.startDaemon(n)
        await overlay.waitReady(n)
        await converged(`the cluster to be whole after ${step} on ${n.name}`)
      }
      const s = await status(n2)
      t.equal(s.node.gossip?.keys, keys.length, `${step}: ${keys.length} key(s) in use`)
      await pingAll(`after rotation step "${step}"`)
    }
  })
