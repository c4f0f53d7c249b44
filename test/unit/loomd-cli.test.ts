/**
 * loomd and loom as processes, without root: bad config stops loomd with one clear line naming
 * the field and a non-zero status; `--help` exits 0; `loom` without a daemon says where it looked.
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(__dirname, '..', '..', '..')
const LOOMD = join(ROOT, 'dist', 'agent', 'loomd.js')
const LOOM = join(ROOT, 'dist', 'agent', 'cli.js')

function runNode (script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { timeout: 20_000, env: { PATH: process.env.PATH } },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), stdout, stderr })
      })
  })
}

const dir = mkdtempSync(join(tmpdir(), 'loom-cli-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

t.test('loomd: invalid config -> one line naming the field, exit 2', async (t) => {
  const file = join(dir, 'bad.json')
  writeFileSync(file,
    JSON.stringify({ nodeName: 'a', underlay: { address: '198.18.0.1', port: 70000 }, clusterCIDR: '10.244.0.0/16' }))
  const r = await runNode(LOOMD, ['--config', file])
  t.equal(r.code, 2)
  const lines = r.stderr.trim().split('\n')
  t.equal(lines.length, 1, 'exactly one line')
  t.match(lines[0], /^loomd: invalid config: underlay\.port = 70000: expected an integer port 1-65535/)
})

t.test('loomd: a flag overrides the file and is named in the error', async (t) => {
  const r = await runNode(LOOMD,
    ['--underlay-address', '198.18.0.1', '--cluster-cidr', '10.244.0.0/16', '--encapsulation', 'gre'])
  t.equal(r.code, 2)
  t.match(r.stderr, /--encapsulation \(encapsulation\) = "?gre"?/)
})

t.test('loomd: a bad offloads switch stops it naming offloads.enabled, exit 2', async (t) => {
  const file = join(dir, 'offloads.json')
  writeFileSync(file,
    JSON.stringify({
      nodeName: 'a', underlay: { address: '198.18.0.1' }, clusterCIDR: '10.244.0.0/16', offloads: { enabled: 'off' }
    }))
  const r = await runNode(LOOMD, ['--config', file])
  t.equal(r.code, 2)
  t.match(r.stderr.trim(), /^loomd: invalid config: offloads\.enabled = "?off"?: expected true or false$/)
})

t.test('loomd: missing explicit config file', async (t) => {
  const r = await runNode(LOOMD, ['--config', join(dir, 'nope.json')])
  t.equal(r.code, 2)
  t.match(r.stderr, /nope\.json/)
})

t.test('loomd --help exits 0 with usage', async (t) => {
  const r = await runNode(LOOMD, ['--help'])
  t.equal(r.code, 0)
  t.match(r.stdout, /--underlay-address/)
})

t.test('loom: unreachable daemon and bad usage', async (t) => {
  const sock = join(dir, 'none.sock')
  const r = await runNode(LOOM, ['--socket', sock, 'status'])
  t.equal(r.code, 1)
  t.match(r.stderr,
    new RegExp(`cannot reach the daemon at ${sock.replace(/[.]/g, '\\.')}: ENOENT \\(is loomd running\\?\\)`))
  const u = await runNode(LOOM, ['status', 'bogus'])
  t.equal(u.code, 2)
  t.match(u.stderr, /unknown status view bogus/)
})

t.test('loomd: a missing or unreadable cluster secret file -> exit 2 naming encryption.secretFile', async (t) => {
  const base = {
    nodeName: 'a',
    underlay: { address: '127.0.0.1', port: 6784 },
    clusterCIDR: '10.244.0.0/16',
    stateDir: join(dir, 'state'),
    apiSocket: join(dir, 'loom.sock'),
    peers: [{ nodeName: 'a', address: '127.0.0.1', podCIDR: '10.244.1.0/24' }],
  }
  const open = join(dir, 'secret-open')
  writeFileSync(open, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n', { mode: 0o644 })
  for (const [what, secretFile] of [['missing', join(dir, 'no-such-secret')], ['readable by others', open], ['a directory', dir]]) {
    const file = join(dir, 'enc.json')
    writeFileSync(file, JSON.stringify({ ...base, encryption: { enabled: true, secretFile } }))
    const r = await runNode(LOOMD, ['--config', file])
    t.equal(r.code, 2, `${what}: exit 2`)
    t.match(r.stderr, /loomd: invalid config: encryption\.secretFile: /, `${what}: names the field: ${r.stderr.trim().split('\n').pop() ?? ''}`)
  }
})
