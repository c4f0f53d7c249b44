/**
 * Gossip security settings as an operator meets them: the gossip.* keys and their bounds, and a
 * gossip-mode node without the cluster secret (missing, unreadable, a symlink) refusing to start
 * unless `gossip.insecure` is set, which warns.
 */
import t from 'tap'
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pino from 'pino'
import { parseConfig } from '../../agent/config'
import { ConfigError, AgentStartError } from '../../agent/errors'
import { loadGossipKeyring } from '../../agent/gossip-node'

const BASE = { underlay: { address: '10.0.0.1' }, clusterCIDR: '10.244.0.0/16' }

function fieldOf (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return err instanceof ConfigError
      ? (err as ConfigError & {
          field: string
        }).field
      : `not a ConfigError: ${String(err)}`
  }
  return undefined
}

t.test('gossip keys: defaults, values, absurd values named by field', async t => {
  const c = parseConfig(BASE, { hostname: 'a' })
  t.same(c.gossip,
    { port: 6783, insecure: false, maxMembers: 5000, reapDeadAfterSeconds: 86400, maxClockSkewSeconds: 60 })
  const d = parseConfig({
    ...BASE, gossip: { insecure: true, maxMembers: 100, reapDeadAfterSeconds: 60, maxClockSkewSeconds: 5 }
  }, { hostname: 'a' })
  t.same(d.gossip, { port: 6783, insecure: true, maxMembers: 100, reapDeadAfterSeconds: 60, maxClockSkewSeconds: 5 })
  for (const bad of [0, -1, 3601, 1.5, '60', null, 1e12]) {
    t.equal(fieldOf(() => parseConfig({ ...BASE, gossip: { maxClockSkewSeconds: bad } }, { hostname: 'a' })),
      'gossip.maxClockSkewSeconds', `maxClockSkewSeconds ${String(bad)} refused`)
  }
  t.equal(fieldOf(() => parseConfig({ ...BASE, gossip: { insecure: 'yes' } }, { hostname: 'a' })), 'gossip.insecure')
  t.equal(fieldOf(() => parseConfig({ ...BASE, gossip: { maxMembers: 2 } }, { hostname: 'a' })), 'gossip.maxMembers')
  t.equal(fieldOf(() => parseConfig({ ...BASE, gossip: { maxMembers: 1e9 } }, { hostname: 'a' })), 'gossip.maxMembers')
  t.equal(fieldOf(() => parseConfig({ ...BASE, gossip: { reapDeadAfterSeconds: 5 } }, { hostname: 'a' })),
    'gossip.reapDeadAfterSeconds')
  t.equal(fieldOf(() => parseConfig({ ...BASE, gossip: { insecur: true } }, { hostname: 'a' })), 'gossip.insecur')
})

t.test('no secret: refuses to start naming encryption.secretFile; insecure: warns and runs plain', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-gossip-secret-'))
  const lines: string[] = []
  const logger = pino({ level: 'info' }, { write: (s: string) => { lines.push(s) } })
  const missing = parseConfig({ ...BASE, encryption: { secretFile: join(dir, 'nope') } }, { hostname: 'a' })
  const err = (() => { try { loadGossipKeyring(missing, logger) } catch (e) { return e } return undefined })()
  t.ok(err instanceof AgentStartError)
  t.equal((err as AgentStartError).subject, 'encryption.secretFile')
  t.match((err as Error).message, /does not exist.*gossip\.insecure/)

  const good = join(dir, 'secret')
  writeFileSync(good, `${randomBytes(32).toString('base64')}\n${randomBytes(32).toString('base64')}\n`, { mode: 0o600 })
  const link = join(dir, 'link')
  symlinkSync(good, link)
  t.throws(() => loadGossipKeyring(parseConfig({ ...BASE, encryption: { secretFile: link } }, { hostname: 'a' }),
    logger), /symbolic link/)
  const open = join(dir, 'world-readable')
  writeFileSync(open, `${randomBytes(32).toString('base64')}\n`, { mode: 0o644 })
  t.throws(() => loadGossipKeyring(parseConfig({ ...BASE, encryption: { secretFile: open } }, { hostname: 'a' }),
    logger), /chmod 600/)

  const ring = loadGossipKeyring(parseConfig({ ...BASE, encryption: { secretFile: good } }, { hostname: 'a' }), logger)
  t.equal(ring?.size, 2)
  t.equal(lines.length, 0, 'no warning with a secret')

  const none = loadGossipKeyring(parseConfig({
    ...BASE, gossip: { insecure: true }, encryption: { secretFile: join(dir, 'nope') }
  }, { hostname: 'a' }), logger)
  t.equal(none, undefined)
  t.match(lines.join(''), /gossip\.insecure is set/)
})
