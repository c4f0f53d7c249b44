/**
 * NetlinkClient against a real kernel, inside a throwaway network namespace (root only).
 *
 *   tap process (host namespace, never changes namespace)
 *     |  ip netns add loom-nl-<rand>;  ip -n <ns> link add d0 type veth peer name d0p
 *     |  ip netns exec <ns> node fixtures/netlink-child.js <scenario>   -> one JSON line
 *     |  ip -n <ns> -j ... / bridge -n <ns> -j ...                       -> kernel's view
 *     v
 *   namespace loom-nl-<rand> (no route out; deleted in t.teardown)
 *     d0 (veth, peer d0p)  10.250.0.1/24, MTU 1400      <- link scenario
 *     nl-va <-> nl-vb      created, flushed, deleted     <- link / vxlan scenarios
 *     vx42  vxlan id 42 local 10.250.0.1 dev d0 dstport 4789 nolearning, MTU 1350
 *           + Flannel's route/neighbour/FDB for remote node 10.250.0.7 owning 10.244.7.0/24
 *     vx43  the same made with iproute2, as the reference the vx42 entries must match
 *     rp-a <-> rp-ap, rp-b <-> rp-bp   deleted by one batched round trip (host/netlink-batch.ts)
 *
 * Each scenario is checked twice: through the JSON the child prints (the client's own view)
 * and through iproute2's JSON output. Scenarios build on each other and run in order.
 */

import t from 'tap'
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'

const CHILD = path.join(__dirname, 'fixtures', 'netlink-child.js')
const NS = `loom-nl-${randomBytes(4).toString('hex')}`

type Obj = Record<string, any>

function run (cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] })
}
const ip = (...args: string[]): string => run('ip', ['-n', NS, ...args])
const ipJson = (...args: string[]): Obj[] => JSON.parse(run('ip', ['-n', NS, '-j', ...args]) || '[]')
const bridgeJson = (...args: string[]): Obj[] => JSON.parse(run('bridge', ['-n', NS, '-j', ...args]) || '[]')

/** Runs one scenario of the child inside the namespace and returns its JSON. */
function child (scenario: string): Obj {
  const r = spawnSync('ip', ['netns', 'exec', NS, process.execPath, CHILD, scenario],
    { encoding: 'utf8', timeout: 30_000 })
  if (r.status !== 0) throw new Error(`child ${scenario} exited ${r.status} (${r.signal ?? 'no signal'}): ${r.stderr}`)
  return JSON.parse(r.stdout)
}

const byDst = (a: Obj, b: Obj): number => String(a.dst).localeCompare(String(b.dst))
const inet = (link: Obj): string[] => (link.addr_info as Obj[]).filter(a => a.family === 'inet').map(a => `${a.local}/${a.prefixlen}`)
const macHex = (mac: string): string => mac.replace(/:/g, '')

if (process.getuid?.() !== 0) {
  t.plan(0, 'skip: the netlink netns test needs root (it creates a network namespace)')
} else {
  run('ip', ['netns', 'add', NS])
  t.teardown(() => { try { run('ip', ['netns', 'del', NS]) } catch {} })
  ip('link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd0p')

  t.test('links: MTU, up, idempotent address, veth create, flush', async t => {
    const got = child('link')
    const [d0] = ipJson('addr', 'show', 'dev', 'd0')
    t.equal(got.mtu, 1400)
    t.equal(d0.mtu, 1400, 'kernel MTU of d0')
    t.ok((d0.flags as string[]).includes('UP'), 'd0 is administratively up')
    t.equal(got.index, d0.ifindex)
    t.equal(got.mac, macHex(d0.address))
    t.equal(got.exists, true)
    t.equal(got.existsMissing, false)
    t.same(got.addresses, ['10.250.0.1/24'], 'one address despite two adds')
    t.same(inet(d0), ['10.250.0.1/24'])
    t.same([...got.vbBefore].sort(), ['10.251.0.1/24', '10.251.0.2/24', '10.252.0.2/32'])
    t.same(got.vbAfter, [])
    t.equal(got.underlayMtu, 1400, 'underlayMTUFor finds d0 by its address')

    const [va] = ipJson('addr', 'show', 'dev', 'nl-va')
    const [vb] = ipJson('addr', 'show', 'dev', 'nl-vb')
    t.equal(va.link, 'nl-vb', 'veth peer')
    t.ok((vb.flags as string[]).includes('UP'))
    t.same(inet(vb), [], 'flushed in the kernel too')
  })

  t.test('routes: replace twice is idempotent, replace changes the gateway, delete', async t => {
    const got = child('routes-add')
    const expected = [
      { dst: '10.244.0.0/16', dev: 'd0', src: '10.250.0.1' },
      { dst: '10.244.5.0/24', dev: 'd0', via: '10.244.5.0' },
      { dst: '10.250.0.0/24', dev: 'd0', src: '10.250.0.1' }, // the kernel's connected route
      { dst: '10.253.0.0/24', dev: 'd0', via: '10.250.0.7' },
    ]
    t.same([...got.routes].sort(byDst), expected)
    t.same([...got.all].sort(byDst), expected, 'the namespace has no other main-table route')

    const k = ipJson('route', 'show', 'dev', 'd0').sort(byDst)
    t.same(k.map(r => r.dst), ['10.244.0.0/16', '10.244.5.0/24', '10.250.0.0/24', '10.253.0.0/24'], 'no duplicates')
    t.equal(k[0].prefsrc, '10.250.0.1')
    t.equal(k[0].scope, 'link', 'a route without gateway is link-scoped')
    t.equal(k[1].gateway, '10.244.5.0')
    t.ok((k[1].flags as string[]).includes('onlink'), 'onlink flag set')
    t.equal(k[3].gateway, '10.250.0.7', 'second replace won')
    t.notOk((k[3].flags as string[]).includes('onlink'))

    const del = child('routes-del')
    t.same([...del.routes].sort(byDst), [expected[2], expected[3]])
    t.same(ipJson('route', 'show', 'dev', 'd0').map(r => r.dst).sort(), ['10.250.0.0/24', '10.253.0.0/24'])
  })

  t.test('vxlan device and Flannel-style neighbour + FDB, compared with iproute2', async t => {
    const got = child('vxlan')
    const [vx] = ipJson('-d', 'link', 'show', 'vx42')
    t.equal(vx.linkinfo.info_kind, 'vxlan')
    const data = vx.linkinfo.info_data
    t.equal(data.id, 42)
    t.equal(data.port, 4789)
    t.equal(data.learning, false)
    t.equal(data.local, '10.250.0.1')
    t.equal(data.link, 'd0')
    t.equal(vx.mtu, 1350)
    t.equal(got.mtu, 1350, 'underlay MTU 1400 - 50')
    t.equal(got.mac, macHex(vx.address))
    t.ok((vx.flags as string[]).includes('UP'))
    t.same(got.routes, [{ dst: '10.244.7.0/24', dev: 'vx42', via: '10.244.7.0' }])
    t.equal(got.vaExists, false, 'veth deleted')
    t.equal(got.vbExists, false, 'veth peer went with it')
    t.notOk(ipJson('link', 'show').some(l => l.ifname === 'nl-va' || l.ifname === 'nl-vb'))

    t.same(ipJson('neigh', 'show', 'dev', 'vx42'),
      [{ dst: '10.244.7.0', lladdr: '02:42:0a:f4:07:00', state: ['PERMANENT'] }])
    t.same(bridgeJson('fdb', 'show', 'dev', 'vx42'),
      [{ mac: '02:42:0a:f4:07:00', dst: '10.250.0.7', flags: ['self'], state: 'permanent' }])
    t.same(ipJson('route', 'show', 'dev', 'vx42'), [{ dst: '10.244.7.0/24', gateway: '10.244.7.0', flags: ['onlink'] }])

    // Reference: the same entries made by iproute2 (what Flannel's netlink calls amount to).
    ip('link', 'add', 'vx43', 'type', 'vxlan', 'id', '43', 'local', '10.250.0.1', 'dev', 'd0', 'dstport', '4789',
      'nolearning')
    ip('link', 'set', 'vx43', 'up')
    ip('neigh', 'replace', '10.244.8.0', 'lladdr', '02:42:0a:f4:08:00', 'dev', 'vx43', 'nud', 'permanent')
    run('bridge',
      ['-n', NS, 'fdb', 'replace', '02:42:0a:f4:08:00', 'dev', 'vx43', 'dst', '10.250.0.8', 'self', 'permanent'])
    ip('route', 'replace', '10.244.8.0/24', 'via', '10.244.8.0', 'dev', 'vx43', 'onlink')
    const [ref] = ipJson('-d', 'link', 'show', 'vx43')
    t.same({ ...data, id: 0 }, { ...ref.linkinfo.info_data, id: 0 },
      'vxlan parameters equal iproute2\'s but for the VNI')
    const shape = (entries: Obj[]): string => JSON.stringify(entries).replace(/vx4[23]|10\.244\.[78]|:0[78]:|10\.250\.0\.[78]/g, 'X')
    t.equal(shape(ipJson('neigh', 'show', 'dev', 'vx42')), shape(ipJson('neigh', 'show', 'dev', 'vx43')),
      'neighbour entry like iproute2\'s')
    t.equal(shape(bridgeJson('fdb', 'show', 'dev', 'vx42')), shape(bridgeJson('fdb', 'show', 'dev', 'vx43')),
      'FDB entry like iproute2\'s')
    t.equal(shape(ipJson('route', 'show', 'dev', 'vx42')), shape(ipJson('route', 'show', 'dev', 'vx43')),
      'route like iproute2\'s')
  })

  t.test('errors name the operation and the object', async t => {
    const e = child('errors')
    t.same(e.linkIndex, {
      isNetlinkError: true,
      name: 'LinkNotFoundError',
      code: 'ERR_LINK_NOT_FOUND',
      errno: 19,
      errnoName: 'ENODEV',
      message: 'failed to find link nope0: link nope0 not found (ENODEV)',
    })
    t.equal(e.setLinkMtu.message, 'failed to set MTU 1400 on link nope0: link nope0 not found (ENODEV)')
    t.equal(e.replaceRoute.code, 'ERR_LINK_NOT_FOUND')
    t.equal(e.replaceRoute.message, 'failed to replace route 10.244.0.0/16 dev nope0: link nope0 not found (ENODEV)')
    t.same(e.unreachableGateway, {
      isNetlinkError: true,
      name: 'NetlinkError',
      code: 'ERR_NETLINK',
      errno: 101,
      errnoName: 'ENETUNREACH',
      message: 'failed to replace route 10.9.0.0/16 via 10.77.0.1 dev d0: ENETUNREACH',
    }, 'a kernel refusal carries its errno')
    t.equal(e.hostBits.code, 'ERR_NETLINK_ARGUMENT')
    t.equal(e.hostBits.message, 'failed to replace route 10.9.0.1/16 dev d0: 10.9.0.1/16 has host bits set')
    t.equal(e.badMac.code, 'ERR_NETLINK_ARGUMENT')
    t.match(e.badMac.message, /^failed to replace neighbour 10\.250\.0\.5 lladdr zz dev d0: "zz" is not a MAC address$/)
    t.equal(e.underlayMissing.code, 'ERR_ADDRESS_NOT_FOUND')
    t.equal(e.underlayMissing.message,
      'failed to find the underlay MTU for 10.77.7.7: no interface holds address 10.77.7.7')
    t.same([e.duplicateVxlan.code, e.duplicateVxlan.errnoName], ['ERR_NETLINK', 'EEXIST'])
    t.equal(e.duplicateVxlan.message, 'failed to create vxlan link vx42 (vni 42, port 4789): EEXIST')
    t.same(e.afterClose, { code: 'ERR_NETLINK', message: 'failed to find link d0: netlink client is closed' })
  })

  t.test('batched round trip: marks and the group deletion in order, one errno per request', async t => {
    ip('link', 'add', 'rp-a', 'type', 'veth', 'peer', 'name', 'rp-ap')
    ip('link', 'add', 'rp-b', 'type', 'veth', 'peer', 'name', 'rp-bp')
    ip('link', 'add', 'rp-c', 'type', 'veth', 'peer', 'name', 'rp-cp') // not in the batch: must survive
    const got = child('batch')
    const [marked, refused, missing, markedB, deleted] = got.first as number[]
    t.same([marked, missing, markedB, deleted], [0, 19, 0, 0], 'marks, ENODEV for the missing link, deletion')
    t.not(refused, 0, 'the kernel refused the unknown message type, and the requests after it still ran')
    t.same(got.empty, [19], 'an empty group answers ENODEV')
    const names = ipJson('link', 'show').map(l => l.ifname as string)
    t.same(names.filter(n => n.startsWith('rp-')).sort(), ['rp-c', 'rp-cp'], 'both pairs deleted, peers too, rp-c kept')
  })
}
