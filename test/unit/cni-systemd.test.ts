/**
 * The unit file passes `systemd-analyze verify`, and notify() delivers sd_notify datagrams to a
 * socket (path and @abstract) received by `socat UNIX-RECV` — node cannot bind AF_UNIX datagram
 * sockets itself. Also the conflist builder and its atomic write.
 */
import t from 'tap'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { SdNotify } from '../../host/sd-notify'
import { buildConflist, writeConflistAtomic } from '../../cni/conflist'
import { loadHostBinding } from '../../host/native-binding'

const REPO = resolve(__dirname, '..', '..', '..')
const which = (cmd: string): boolean => {
  try { execFileSync('sh', ['-c', `command -v ${cmd}`]); return true } catch { return false }
}

t.test('systemd-analyze verify systemd/loomd.service',
  { skip: which('systemd-analyze') ? false : 'systemd-analyze not installed (Debian package systemd)' }, async (t) => {
    const out = execFileSync('sh',
      ['-c', `systemd-analyze verify ${join(REPO, 'systemd', 'loomd.service')} 2>&1; echo rc=$?`]).toString()
    t.equal(out.trim(), 'rc=0', out)
  })

/**
 * Waits until a socket named `name` (a path, or `@abstract`) is bound: /proc/net/unix lists both.
 * A fixed sleep raced socat's start on a loaded machine (notify then threw ENOENT).
 */
async function bound (name: string): Promise<boolean> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (readFileSync('/proc/net/unix', 'utf8').split('\n').some((line) => line.endsWith(` ${name}`))) return true
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return false
}

async function receiveVia (t: any, address: string, name: string, send: () => void): Promise<string> {
  const child = spawn('socat', ['-u', `${address}`, 'STDOUT'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let got = ''
  child.stdout.on('data', (c) => { got += String(c) })
  t.ok(await bound(name), `socat bound ${name}`)
  send()
  const deadline = Date.now() + 3000
  // eslint-disable-next-line no-unmodified-loop-condition -- `got` changes in the data handler
  while (got === '' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  child.kill('SIGTERM')
  return got
}

t.test('native notify() to a path socket and an abstract socket',
  { skip: which('socat') ? false : 'socat not installed' }, async (t) => {
    const native = loadHostBinding()
    const dir = mkdtempSync(join(tmpdir(), 'loom-notify-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const path = join(dir, 'notify.sock')
    const saved = process.env.NOTIFY_SOCKET
    t.teardown(() => {
      if (saved === undefined) delete process.env.NOTIFY_SOCKET; else process.env.NOTIFY_SOCKET = saved
    })
    delete process.env.NOTIFY_SOCKET
    t.equal(native.notify('READY=1'), false, 'no NOTIFY_SOCKET: nothing sent')
    process.env.NOTIFY_SOCKET = path
    const got = await receiveVia(t, `UNIX-RECV:${path}`, path, () => { t.equal(native.notify('READY=1\nSTATUS=up'), true) })
    t.equal(got, 'READY=1\nSTATUS=up')
    const abstract = `loom-notify-${process.pid}`
    process.env.NOTIFY_SOCKET = `@${abstract}`
    const got2 = await receiveVia(t, `ABSTRACT-RECV:${abstract}`, `@${abstract}`, () => { t.equal(native.notify('WATCHDOG=1'), true) })
    t.equal(got2, 'WATCHDOG=1')
    process.env.NOTIFY_SOCKET = join(dir, 'nobody-listens.sock')
    t.throws(() => native.notify('READY=1'), { code: 'ENOENT' })
  })

t.test('SdNotify: messages, watchdog interval, errors contained', async (t) => {
  const sent: string[] = []
  const n = new SdNotify({
    send: (m) => { sent.push(m); return true },
    env: { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid) }
  })
  t.equal(n.watchdogIntervalMs(), 15000)
  t.equal(n.ready('serving 3 peers\nok'), true)
  t.equal(n.status('degraded'), true)
  n.stopping()
  t.same(sent, ['READY=1\nSTATUS=serving 3 peers ok', 'WATCHDOG=1', 'STATUS=degraded', 'STOPPING=1'])
  t.equal(new SdNotify({
    send: () => true, env: { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '1000', WATCHDOG_PID: '1' }
  }).watchdogIntervalMs(), undefined, 'watchdog for another pid')
  t.equal(new SdNotify({ send: () => { throw new Error('x') }, env: {} }).ready(), false, 'not under systemd')
  const errs: unknown[] = []
  t.equal(new SdNotify({
    send: () => { throw new Error('ECONNREFUSED') }, env: { NOTIFY_SOCKET: '/x' }, onError: (e) => errs.push(e)
  }).notify('READY=1'), false)
  t.equal(errs.length, 1)
})

t.test('conflist: loom-cni first, then portmap and bandwidth; atomic write', async (t) => {
  t.same(buildConflist({ apiSocket: '/run/loom/loom.sock', mtu: 1400 }), {
    cniVersion: '1.0.0',
    cniVersions: ['1.0.0', '1.1.0'],
    name: 'loom',
    plugins: [
      { type: 'loom-cni', apiSocket: '/run/loom/loom.sock', mtu: 1400 },
      { type: 'portmap', capabilities: { portMappings: true } },
      { type: 'bandwidth', capabilities: { bandwidth: true } },
    ],
  })
  t.throws(() => buildConflist({ mtu: 10 }), RangeError)
  const dir = mkdtempSync(join(tmpdir(), 'loom-conf-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = writeConflistAtomic({ portmap: false, bandwidth: false }, join(dir, 'net.d'))
  t.equal(path, join(dir, 'net.d', '10-loom.conflist'))
  t.same(JSON.parse(readFileSync(path, 'utf8')).plugins, [{ type: 'loom-cni', apiSocket: '/run/loom/loom.sock' }])
  t.same(readdirSync(join(dir, 'net.d')), ['10-loom.conflist'], 'no temp file left')
  t.ok(existsSync(path))
})
