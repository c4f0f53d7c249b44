/**
 * The native binding (dataplane/native/) and its wrappers TunDevice and UdpTransport, against the
 * real kernel. Root only. The tap process never changes namespace: every check runs in a child
 * (fixtures/native-child.ts) started with `ip netns exec`, which prints what it saw as JSON.
 *
 *   namespace loom-native-<rand>  (no link to the outside)
 *   +--------------------------------------------------------------+
 *   |  lo 127.0.0.1        UdpTransport A <-----> UdpTransport B    |
 *   |  loomi0 (TUN) 10.77.0.1/24                                    |
 *   |     socket 10.77.0.1 --> 10.77.0.2:9999  ==> TUN readBatch    |
 *   |     TUN writeBatch 10.77.0.2:5555 -> 10.77.0.1  ==> socket    |
 *   |  loomva0 (veth, 10.78.0.1/24)  <- found by a child that setns |
 *   +--------------------------------------------------------------+
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { nativeBindingPath } from '../../dataplane/native-binding'

const CHILD = join(__dirname, 'fixtures', 'native-child.js')

interface ChildResult {
  status: number | null
  signal: NodeJS.Signals | null
  out: any
  stderr: string
}

/** Runs the fixture in namespace `ns` (or, with ns null, in ours) and parses its JSON line. */
function runChild (ns: string | null, args: string[], timeoutMs = 20_000): ChildResult {
  const cmd = ns === null ? process.execPath : 'ip'
  const argv = ns === null ? [CHILD, ...args] : ['netns', 'exec', ns, process.execPath, CHILD, ...args]
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' })
  const lines = (r.stdout ?? '').trim().split('\n')
  let out: any
  try {
    out = JSON.parse(lines[lines.length - 1])
  } catch {
    out = undefined
  }
  return { status: r.status, signal: r.signal, out, stderr: r.stderr ?? '' }
}

function ip (...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'inherit'] })
}

if (process.getuid?.() !== 0) {
  t.plan(0, 'skipped: needs root (creates network namespaces and TUN devices)')
} else {
  t.ok(existsSync(nativeBindingPath()), `native binding built at ${nativeBindingPath()}`)

  const ns = `loom-native-${randomBytes(4).toString('hex')}`
  ip('netns', 'add', ns)
  t.teardown(() => { ip('netns', 'del', ns) })
  ip('-n', ns, 'link', 'set', 'lo', 'up')

  t.test('openTun: requested name, kernel-chosen name, errors, close removes it', async (t) => {
    const r = runChild(ns, ['tun-basic', 'loomb0'])
    t.equal(r.status, 0, r.stderr)
    const o = r.out
    t.equal(o.name, 'loomb0')
    t.equal(o.fdValid, true)
    t.equal(o.listedWhileOpen, true, 'device exists in the namespace while open')
    t.match(o.autoName, /^tun\d+$/, 'empty name lets the kernel choose')
    t.equal(o.plainVnet, 0, 'no virtio header unless offloads are asked for')
    t.equal(o.offload.vnet, 10, 'offloads: 10-byte virtio header')
    t.equal(o.offload.flags & 0x07, 0x07, 'TUN_F_CSUM | TSO4 | TSO6 accepted')
    t.same(o.offload.features, ['tx-checksumming: on', 'tcp-segmentation-offload: on'],
      'the kernel shows the device with TSO')
    t.match(o.longName, {
      name: 'TunOpenError',
      code: 'ERR_TUN_OPEN',
      errno: 22,
      causeCode: 'EINVAL',
      causeErrno: 22,
      message: 'failed to open TUN device loom-name-too-long-x: EINVAL',
    })
    t.match(o.longName.causeMessage, /^failed to open TUN device loom-name-too-long-x .*EINVAL \(Invalid argument\)$/)
    t.match(o.badName, { code: 'ERR_TUN_OPEN', errno: 22, message: 'failed to open TUN device bad/name: EINVAL' })
    t.equal(o.listedAfterClose, false, 'closing the fd removes the device')
    t.match(o.readAfterClose,
      { name: 'DeviceClosedError', code: 'ERR_DEVICE_CLOSED', message: 'TUN device loomb0 is closed' })
  })

  t.test('TUN both directions, batched, and readiness', async (t) => {
    const r = runChild(ns, ['tun-io', 'loomi0'])
    t.equal(r.status, 0, r.stderr)
    const o = r.out
    t.equal(o.initialPending, 0, 'nothing queued before we send (IPv6 off)')
    t.equal(o.sent, 10)
    t.equal(o.readCount, 10, 'one readBatch returns all 10 queued packets')
    o.packets.forEach((p: any, i: number) => {
      const payload = `outbound-${i}-${'x'.repeat(i * 10)}`
      t.same(p, {
        size: 28 + payload.length,
        headroomUntouched: true,
        version: 4,
        protocol: 17,
        src: '10.77.0.1',
        dst: '10.77.0.2',
        srcPort: o.sockPort,
        dstPort: 9999,
        payload,
      }, `outbound packet ${i}`)
    })
    t.equal(o.readWhenEmpty, 0, 'readBatch on an empty queue returns 0')
    t.equal(o.written, 3)
    t.same(o.received, [0, 1, 2].map((i) => ({ size: 9, from: '10.77.0.2', port: 5555, payload: `inbound-${i}` })),
      'hand-built packets written to the TUN reach the socket')
    t.equal(o.pollHandlerCalls.first, 0, 'the replaced handler is never called')
    t.ok(o.pollHandlerCalls.second >= 1)
    t.equal(o.pollHandlerCalls.drained, 2)
  })

  t.test('UdpTransport: batches, sizes, sources, soft failures, errors', async (t) => {
    const r = runChild(ns, ['udp'])
    t.equal(r.status, 0, r.stderr)
    const o = r.out
    t.equal(o.sent, 64)
    t.match(o.secondBind, { code: 'ERR_SOCKET', causeCode: 'EADDRINUSE' }, 'a second bind of the same port fails')
    t.same(o.recvCalls, [64], 'all 64 in one recvBatch')
    t.same(o.received, o.expectedSizes.map((size: number) => ({ size, addr: 0x7f000001, port: o.aPort, intact: true })))
    t.equal(o.expectedSizes[0], 1)
    t.equal(o.expectedSizes[63], 1450)
    t.equal(o.recvWhenEmpty, 0)
    t.equal(o.gsoSent, 6, 'sendSegmented: one UDP GSO send of 6 datagrams')
    t.same(o.gsoReceived, [1000, 1000, 1000, 1000, 1000, 400].map((size) => ({ size, intact: true })),
      'received as 6 datagrams, bytes intact')
    t.equal(o.groOn, true, 'UDP_GRO accepted')
    t.same(o.groReceived, { count: 1, size: 5400, segment: 1000, intact: true },
      'a GSO train arrives as one GRO buffer with its segment size')
    t.equal(new Set(o.sourcePortNumbers).size, 4, 'four distinct source ports')
    const sp = o.sourcePortNumbers as number[]
    t.same(o.sourcePortsSeen, [sp[3], sp[3], sp[0], sp[2], sp[1], sp[1]],
      'each datagram left from the port its source slot names')
    t.match(o.gsoBadSizes, /datagram 1 is 900 bytes; all but the last must be the segment size 1000/)
    t.same(o.truncated, { count: 1, size: -1 }, 'a truncated datagram has size -1')
    t.equal(o.toDeadPort, 4, 'sending to a port nobody listens on does not throw')
    t.equal(o.toDeadPortAgain, 4)
    t.equal(o.recvAfterDeadPort, 0)
    t.equal(o.mixedSent, 1, 'stops at the first failing datagram (EMSGSIZE)')
    t.equal(o.mixedReceived, 1)
    t.equal(o.recvAfterShortSend, 0, 'the parked error of a short send does not throw')
    t.match(o.bindError, {
      name: 'SocketError',
      code: 'ERR_SOCKET',
      errno: 99,
      causeCode: 'EADDRNOTAVAIL',
      message: 'failed to open UDP socket 10.99.99.99:4000: EADDRNOTAVAIL',
    })
    t.match(o.sendAfterClose, { code: 'ERR_TRANSPORT_CLOSED', message: `UDP socket 127.0.0.1:${o.aPort} is closed` })
  })

  t.test('pollStart wakes the handler; pollStop lets the process exit', async (t) => {
    const r = runChild(ns, ['poll'], 15_000)
    t.equal(r.status, 0, `exit code (3 = the poll kept the process alive) ${r.stderr}`)
    t.equal(r.out.received, 10)
    t.equal(r.out.replacedCalls, 0)
    t.ok(r.out.wakeups >= 3,
      `level-triggered: 10 datagrams drained 4 at a time need >= 3 wake-ups (got ${r.out.wakeups})`)
  })

  t.test('pollStart with a prefetch reads before calling in: UDP and TUN, hostile specs refused', async (t) => {
    const r = runChild(ns, ['poll-prefetch', 'loomi1'], 15_000)
    t.equal(r.status, 0, `exit code (3 = the poll kept the process alive) ${r.stderr}`)
    const o = r.out
    t.same(o.udp.map((c: any) => c.ready), [2, 2, 1], 'level-triggered: 5 datagrams, 2 buffers: 2 + 2 + 1')
    t.same(o.udp.flatMap((c: any) => c.got), [0, 1, 2, 3, 4].map((i) => ({
      size: 10 + i, first: 0x30 + i, from: '127.0.0.1', portOk: true,
    })), 'each datagram whole, in order, with its sender')
    t.same(o.tun.flatMap((c: any) => c.got), [0, 1, 2].map((i) => ({
      size: 28 + `prefetch-${i}`.length, headroomUntouched: true, dst: '10.79.0.2', payload: `prefetch-${i}`,
    })), 'TUN packets read at the headroom, in order')
    t.ok(o.tun.every((c: any) => c.ready >= 1 && c.ready <= 2), 'the TUN handler is called only with packets read')
    t.same(o.refused.map((x: any) => [x.what, x.error]), [
      ['not an object', 'TypeError'],
      ['no buffers', 'RangeError'],
      ['9 buffers', 'RangeError'],
      ['not a Buffer', 'TypeError'],
      ['sizes too short', 'RangeError'],
      ['ports of the wrong type', 'TypeError'],
      ['headroom fills the buffer', 'RangeError'],
    ], 'bad prefetch specs throw and start no poll')
  })

  t.test('setns moves the calling thread into the namespace', async (t) => {
    ip('-n', ns, 'link', 'add', 'loomva0', 'type', 'veth', 'peer', 'name', 'loomvb0')
    ip('-n', ns, 'addr', 'add', '10.78.0.1/24', 'dev', 'loomva0')
    ip('-n', ns, 'link', 'set', 'loomva0', 'up')
    const r = runChild(null, ['setns', `/var/run/netns/${ns}`])
    t.equal(r.status, 0, r.stderr)
    const o = r.out
    t.notOk(o.before.includes('loomva0'), 'the child starts in our namespace')
    t.equal(o.bindBefore, 'EADDRNOTAVAIL')
    t.match(o.missing,
      { code: 'ENOENT', errno: 2, message: /^failed to enter network namespace \/nonexistent\/netns: ENOENT/ })
    t.same([...o.after].sort(), ['lo', 'loomva0', 'loomvb0'])
    t.equal(o.bindAfter, 'ok', 'a socket opened after setns binds an address of the namespace')
  })
}
