/**
 * Inconsistent state stops loomd instead of starting over (issue 10): before, `ipam.json`
 * missing next to `identity.json` silently started a fresh IPAM and the founder re-created the
 * cluster, so the next pod got an address in use. Now identity without IPAM state, IPAM state
 * without identity, IPAM state of another cluster or another node, and unreadable files each
 * stop the GossipNode with a message naming the problem and `--reset-ipam`; --reset-ipam itself
 * takes a new node ID and never founds.
 */
import t from 'tap'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import pino from 'pino'
import { GossipNode } from '../../agent/gossip-node'
import { parseConfig } from '../../agent/config'
import { StateDirectory } from '../../control/node/state-dir'
import { StateInconsistentError } from '../../control/node/state-errors'
import { PENDING_IDENTITY_FILE, recoverFirstStart } from '../../control/gossip-mode'

const logger = pino({ level: 'silent' })

function setup (t: { teardown: (f: () => void) => void }): {
  dir: string, node: (extra?: Record<string, unknown>, rejoin?: boolean) => GossipNode
} {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'loom-consist-')), 'state')
  t.teardown(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }))
  const node = (extra: Record<string, unknown> = {}, rejoin = false): GossipNode => {
    const config = parseConfig({
      nodeName: 'node-a',
      underlay: { address: '192.0.2.1' },
      clusterCIDR: '10.244.0.0/16',
      stateDir: dir,
      seeds: ['192.0.2.1', '192.0.2.2'],
      gossip: { insecure: true },
      ...extra,
    })
    const stateDir = StateDirectory.open({ path: dir })
    try {
      return new GossipNode({ logger, setRoutes: () => undefined }, { config, mtu: 1400, stateDir, rejoin })
    } finally {
      stateDir.close() // the constructor read what it needs; nothing here starts sockets
    }
  }
  return { dir, node }
}

t.test('a fresh directory founds (first seed); a restart is the same node', async t => {
  const { node } = setup(t)
  const first = node()
  t.ok(first.ipamStatus().member, 'the first seed founds and is a member at once')
  t.equal(node().identity.nodeId, first.identity.nodeId)
})

t.test('identity without IPAM state stops with a recovery hint (it used to re-found the cluster)', async t => {
  const { dir, node } = setup(t)
  node()
  fs.unlinkSync(path.join(dir, 'ipam.json'))
  t.throws(() => node(),
    {
      name: 'StateInconsistentError',
      message: /holds this node's identity \(identity\.json\) but no IPAM state \(ipam\.json\).*--reset-ipam/
    })
  t.notOk(fs.existsSync(path.join(dir, 'ipam.json')), 'nothing was recreated')
})

t.test('IPAM state without identity, of another node, of another cluster, or unreadable: refused', async t => {
  const { dir, node } = setup(t)
  node()
  const ipam = path.join(dir, 'ipam.json')
  const identity = path.join(dir, 'identity.json')
  const savedIdentity = fs.readFileSync(identity)
  fs.unlinkSync(identity)
  t.throws(() => node(),
    { name: 'StateInconsistentError', message: /holds IPAM state \(ipam\.json\) but no node identity/ })
  // Another node's identity next to this IPAM state (a copied directory).
  const other = JSON.parse(savedIdentity.toString())
  fs.writeFileSync(identity, JSON.stringify({ ...other, nodeId: 'f'.repeat(32) }), { mode: 0o600 })
  t.throws(() => node(), { name: 'StateInconsistentError', message: /belongs to node .*--reset-ipam/ })
  fs.writeFileSync(identity, savedIdentity, { mode: 0o600 })
  t.throws(() => node({ clusterCIDR: '10.245.0.0/16' }),
    {
      name: 'StateInconsistentError',
      message: /written for cluster "10\.244\.0\.0\/16\/26".*10\.245\.0\.0\/16\/26: it is another cluster's state/
    })
  const good = fs.readFileSync(ipam)
  fs.writeFileSync(ipam, good.subarray(0, 40))
  t.throws(() => node(),
    { name: 'StateInconsistentError', message: /ipam\.json is corrupt: invalid JSON.*--reset-ipam/ })
  fs.writeFileSync(ipam, good)
  fs.writeFileSync(identity, '{"version":1}')
  t.throws(() => node(), StateInconsistentError)
  fs.writeFileSync(identity, savedIdentity, { mode: 0o600 })
  node()
})

t.test('--reset-ipam: a new node ID that rejoins and never founds; refused without other seeds', async t => {
  const { dir, node } = setup(t)
  const old = node()
  fs.unlinkSync(path.join(dir, 'ipam.json'))
  const d = StateDirectory.open({ path: dir })
  t.ok(d.moveAside('identity.json'))
  d.close()
  const fresh = node({}, true)
  t.not(fresh.identity.nodeId, old.identity.nodeId)
  t.notOk(fresh.ipamStatus().member, 'not a member until the cluster lets it join: it did not found a new cluster')
  t.throws(() => node({ seeds: ['192.0.2.1'] }, true),
    { name: 'StateInconsistentError', message: /no seed other than itself/ })
})

t.test('a first start crashed between identity and IPAM state is undone or finished, never a stop', async t => {
  const { dir, node } = setup(t)
  const recover = (): string => {
    const d = StateDirectory.open({ path: dir })
    try {
      return recoverFirstStart(d, logger)
    } finally {
      d.close()
    }
  }
  const identity = path.join(dir, 'identity.json')
  const pending = path.join(dir, PENDING_IDENTITY_FILE)
  const ipam = path.join(dir, 'ipam.json')
  const first = node()
  t.ok(fs.existsSync(identity), 'a completed first start leaves identity.json')
  t.notOk(fs.existsSync(pending), '... and no pending identity')
  t.equal(recover(), 'none', 'nothing to recover after a clean start')

  // Crash after ipam.json was written, before the rename: the state names the pending ID.
  fs.renameSync(identity, pending)
  t.equal(recover(), 'completed')
  t.notOk(fs.existsSync(pending))
  t.equal(node().identity.nodeId, first.identity.nodeId, 'the same node, its IPAM state kept')

  // Crash before ipam.json existed: nothing was allocated; the pending identity is moved aside.
  fs.renameSync(identity, pending)
  fs.unlinkSync(ipam)
  t.equal(recover(), 'discarded')
  t.notOk(fs.existsSync(pending))
  t.ok(fs.readdirSync(dir).some((f) => f.startsWith(`${PENDING_IDENTITY_FILE}.reset-`)), 'kept aside, not deleted')
  const fresh = node()
  t.not(fresh.identity.nodeId, first.identity.nodeId, 'a fresh start under a new node ID')
  t.ok(fresh.ipamStatus().member, 'the first seed founds again: no cluster ever held this node\'s state')

  // A pending identity planted next to a real one never replaces it.
  fs.writeFileSync(pending, fs.readFileSync(identity), { mode: 0o600 })
  const planted = JSON.parse(fs.readFileSync(pending, 'utf8')) as Record<string, unknown>
  fs.writeFileSync(pending, JSON.stringify({ ...planted, nodeId: 'e'.repeat(32) }), { mode: 0o600 })
  t.equal(recover(), 'discarded')
  t.equal(node().identity.nodeId, fresh.identity.nodeId, 'identity.json untouched')

  // Without recovery, the stop for identity-without-IPAM still stands for a real identity.json.
  fs.unlinkSync(ipam)
  t.throws(() => node(), { name: 'StateInconsistentError', message: /but no IPAM state/ })
})
