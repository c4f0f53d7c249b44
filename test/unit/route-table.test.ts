import t from 'tap'
import {
  createPeerRoute, InvalidRouteError, PeerIndexConflictError, RouteConflictError, RouteTable,
} from '../../dataplane/route-table'
import { parseIPv4Address } from '../../lib'
import { parseMAC } from '../../dataplane/mac'
import type { PeerRoute } from '../../dataplane/types'

const SELF_MAC = parseMAC('02:00:00:00:00:01')
function peer (n: number, address = `192.168.0.${n}`, port = 6784): PeerRoute {
  return createPeerRoute({
    nodeName: `node-${n}`,
    index: 1000 + n,
    address,
    port,
    vtepMAC: parseMAC(`02:00:00:00:00:${n.toString(16).padStart(2, '0')}`),
    mtu: 1400
  })
}
const ip = parseIPv4Address

t.test('createPeerRoute', async t => {
  const mac = parseMAC('02:00:00:00:00:09')
  const p = createPeerRoute({
    nodeName: 'n9', index: 0xfffffffe, address: '10.0.0.9', port: 4789, vtepMAC: mac, mtu: 1450
  })
  t.same(p,
    {
      nodeName: 'n9',
      index: 0xfffffffe,
      address: '10.0.0.9',
      addressU32: 0x0a000009,
      port: 4789,
      vtepMAC: mac,
      mtu: 1450,
      counters: { packetsOut: 0, bytesOut: 0, packetsIn: 0, bytesIn: 0, lastInMs: 0 }
    })
  mac[5] = 0xff
  t.equal(p.vtepMAC[5], 9, 'the MAC is copied')
  const base = { nodeName: 'n9', index: 9, address: '10.0.0.9', port: 4789, vtepMAC: mac, mtu: 1450 }
  const bad: Array<[string, object, string]> = [
    ['index 0', { index: 0 }, 'index 0'],
    ['index 2^32', { index: 2 ** 32 }, 'index 4294967296'],
    ['bad address', { address: '10.0.0.999' }, '10.0.0.999'],
    ['port 0', { port: 0 }, 'port 0'],
    ['short MAC', { vtepMAC: Buffer.alloc(4) }, 'vtepMAC'],
    ['mtu 10', { mtu: 10 }, 'mtu 10'],
    ['empty name', { nodeName: '' }, 'nodeName'],
  ]
  for (const [name, patch, inMessage] of bad) {
    try {
      createPeerRoute({ ...base, ...patch } as Parameters<typeof createPeerRoute>[0])
      t.fail(`${name}: did not throw`)
    } catch (err) {
      t.ok(err instanceof InvalidRouteError, name)
      t.equal((err as InvalidRouteError).code, 'ERR_INVALID_ROUTE')
      t.match((err as Error).message, inMessage, `${name}: ${(err as Error).message}`)
    }
  }
})

t.test('longest-prefix match over overlapping /8 /16 /24 /26 /32', async t => {
  const [p8, p16, p24, p26, p32] = [peer(8), peer(16), peer(24), peer(26), peer(32)]
  const table = RouteTable.build({
    selfIndex: 1,
    selfVtepMAC: SELF_MAC,
    routes: [ // deliberately not sorted
      { prefix: '10.1.2.64/26', peer: p26 }, { prefix: '10.0.0.0/8', peer: p8 },
      { prefix: '10.1.2.70/32', peer: p32 }, { prefix: '10.1.0.0/16', peer: p16 },
      { prefix: '10.1.2.0/24', peer: p24 },
    ],
  })
  const cases: Array<[string, PeerRoute | undefined]> = [
    ['10.1.2.70', p32], ['10.1.2.71', p26], ['10.1.2.64', p26], ['10.1.2.127', p26],
    ['10.1.2.63', p24], ['10.1.2.128', p24], ['10.1.2.0', p24], ['10.1.2.255', p24],
    ['10.1.3.1', p16], ['10.1.255.255', p16], ['10.0.0.0', p8], ['10.2.0.1', p8], ['10.255.255.255', p8],
    ['11.0.0.1', undefined], ['9.255.255.255', undefined], ['0.0.0.0', undefined], ['255.255.255.255', undefined],
  ]
  for (const [addr, want] of cases) t.equal(table.lookup(ip(addr)), want, `${addr} -> ${want?.nodeName ?? 'no route'}`)
  t.equal(table.lookup(ip('10.1.2.70') | 0), p32, 'a signed (int32) address works too')
})

t.test('default route /0 and an empty table', async t => {
  const d = peer(1)
  const table = RouteTable.build({
    selfIndex: 1,
    selfVtepMAC: SELF_MAC,
    routes: [{ prefix: '0.0.0.0/0', peer: d }, { prefix: '10.0.0.0/8', peer: peer(2) }]
  })
  t.equal(table.lookup(ip('8.8.8.8')), d)
  t.equal(table.lookup(ip('10.9.9.9'))?.nodeName, 'node-2')
  const empty = RouteTable.build({ selfIndex: 1, selfVtepMAC: SELF_MAC, routes: [] })
  t.equal(empty.lookup(ip('10.0.0.1')), undefined)
  t.same(empty.peers(), [])
  t.same(empty.routes(), [])
})

t.test('random tables agree with a brute-force LPM', async t => {
  let seed = 12345
  const rand = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32 }
  const peers = Array.from({ length: 20 }, (_, i) => peer(i + 1))
  const routes: Array<{ prefix: string, peer: PeerRoute, net: number, len: number }> = []
  const seen = new Set<string>()
  while (routes.length < 1000) {
    const len = [8, 16, 20, 24, 26, 28, 32][Math.floor(rand() * 7)]
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0
    const net = ((0x0a000000 | Math.floor(rand() * 0x00ffffff)) & mask) >>> 0
    const key = `${net}/${len}`
    if (seen.has(key)) continue
    seen.add(key)
    routes.push({
      prefix: `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${len}`,
      peer: peers[Math.floor(rand() * peers.length)],
      net,
      len
    })
  }
  const table = RouteTable.build({ selfIndex: 1, selfVtepMAC: SELF_MAC, routes })
  t.equal(table.routes().length, 1000)
  let mismatches = 0
  for (let i = 0; i < 20000; i++) {
    const dst = i % 2 === 0
      ? (routes[i % 1000].net + Math.floor(rand() * 256)) >>> 0
      : (0x0a000000 +
      Math.floor(rand() * 0x01000000)) >>> 0
    let best: { peer: PeerRoute, len: number } | undefined
    for (const r of routes) {
      const mask = r.len === 0 ? 0 : (0xffffffff << (32 - r.len)) >>> 0
      if (((dst & mask) >>> 0) === r.net && (best === undefined || r.len > best.len)) best = r
    }
    if (table.lookup(dst) !== best?.peer) mismatches++
  }
  t.equal(mismatches, 0)
})

t.test('conflicts', async t => {
  const a = peer(1)
  const b = peer(2)
  try {
    RouteTable.build({
      selfIndex: 1,
      selfVtepMAC: SELF_MAC,
      routes: [{ prefix: '10.244.1.0/26', peer: a }, { prefix: '10.244.1.0/26', peer: b }]
    })
    t.fail('no error')
  } catch (err) {
    t.ok(err instanceof RouteConflictError)
    t.equal((err as RouteConflictError).code, 'ERR_ROUTE_CONFLICT')
    t.equal((err as Error).message,
      'route 10.244.1.0/26 is claimed by both peer node-1 (192.168.0.1:6784) and peer node-2 (192.168.0.2:6784)')
  }
  const same = RouteTable.build({
    selfIndex: 1,
    selfVtepMAC: SELF_MAC,
    routes: [{ prefix: '10.244.1.0/26', peer: a }, { prefix: '10.244.1.0/26', peer: a }]
  })
  t.equal(same.routes().length, 1, 'the same prefix twice for the same peer is kept once')
  t.doesNotThrow(() => RouteTable.build({
    selfIndex: 1,
    selfVtepMAC: SELF_MAC,
    routes: [{ prefix: '10.244.1.0/26', peer: a }, { prefix: '10.244.1.0/24', peer: b }]
  }), 'different lengths do not conflict')

  const twin = createPeerRoute({
    nodeName: 'other', index: a.index, address: '192.168.0.50', port: 6784, vtepMAC: a.vtepMAC, mtu: 1400
  })
  t.throws(() => RouteTable.build({
    selfIndex: 1,
    selfVtepMAC: SELF_MAC,
    routes: [{ prefix: '10.0.1.0/24', peer: a }, { prefix: '10.0.2.0/24', peer: twin }]
  }),
  { code: 'ERR_PEER_INDEX_CONFLICT', message: /node-1 \(192\.168\.0\.1:6784\) and other \(192\.168\.0\.50:6784\)/ })
  t.throws(() => RouteTable.build({
    selfIndex: a.index, selfVtepMAC: SELF_MAC, routes: [{ prefix: '10.0.1.0/24', peer: a }]
  }),
  PeerIndexConflictError, 'a peer with our own index')
  t.throws(() => RouteTable.build({
    selfIndex: 1, selfVtepMAC: SELF_MAC, routes: [{ prefix: '10.0.1.5/24', peer: a }]
  }),
  { code: 'ERR_INVALID_ROUTE', message: /10\.0\.1\.5\/24.*host bits.*10\.0\.1\.0\/24/ })
  t.throws(() => RouteTable.build({
    selfIndex: 1, selfVtepMAC: SELF_MAC, routes: [{ prefix: '10.0.1.0/33', peer: a }]
  }),
  { code: 'ERR_INVALID_ROUTE', message: /10\.0\.1\.0\/33/ })
  t.throws(() => RouteTable.build({ selfIndex: 0, selfVtepMAC: SELF_MAC, routes: [] }), InvalidRouteError)
  t.throws(() => RouteTable.build({ selfIndex: 1, selfVtepMAC: Buffer.alloc(3), routes: [] }), InvalidRouteError)
})

t.test('a rebuild from the same prefixes: the same table, and a bad prefix throws every time', async t => {
  // build keeps the prefixes it parsed (the control plane rebuilds from the same block CIDRs on
  // every change); only valid ones, so an invalid one is refused again, and each peer is named.
  const a = peer(1)
  const b = peer(2)
  const routes = [{ prefix: '10.9.1.0/24', peer: a }, { prefix: '10.9.0.0/16', peer: b }]
  const first = RouteTable.build({ selfIndex: 99, selfVtepMAC: SELF_MAC, routes })
  const again = RouteTable.build({ selfIndex: 99, selfVtepMAC: SELF_MAC, routes: [...routes].reverse() })
  t.same(again.routes().map(r => [r.prefix, r.peer.nodeName]), first.routes().map(r => [r.prefix, r.peer.nodeName]))
  t.equal(again.lookup(ip('10.9.1.7')), a)
  t.equal(again.lookup(ip('10.9.2.7')), b)
  for (const p of [a, b]) {
    t.throws(() => RouteTable.build({ selfIndex: 99, selfVtepMAC: SELF_MAC, routes: [{ prefix: '10.9.1.5/24', peer: p }] }),
      { code: 'ERR_INVALID_ROUTE', message: new RegExp(`10\\.9\\.1\\.5/24 for peer ${p.nodeName} .*host bits`) })
    t.throws(() => RouteTable.build({ selfIndex: 99, selfVtepMAC: SELF_MAC, routes: [{ prefix: '010.9.1.0/24', peer: p }] }),
      { code: 'ERR_INVALID_ROUTE', message: new RegExp(`route for peer ${p.nodeName} `) })
  }
  t.throws(() => RouteTable.build({
    selfIndex: 99, selfVtepMAC: SELF_MAC, routes: [{ prefix: '10.9.1.0/24', peer: a }, { prefix: '10.9.1.0/24', peer: b }]
  }), { code: 'ERR_ROUTE_CONFLICT', message: /10\.9\.1\.0\/24/ }, 'a known prefix still conflicts')
})

t.test('peer lookups, peers() and routes()', async t => {
  const a = peer(1)
  const b = peer(2)
  const table = RouteTable.build({
    selfIndex: 77,
    selfVtepMAC: SELF_MAC,
    routes: [{ prefix: '10.244.2.0/26', peer: b }, { prefix: '10.244.1.0/26', peer: a },
      { prefix: '10.244.1.64/26', peer: a }],
  })
  t.equal(table.selfIndex, 77)
  t.same(table.selfVtepMAC, SELF_MAC)
  t.equal(table.peerByIndex(a.index), a)
  t.equal(table.peerByIndex(b.index), b)
  t.equal(table.peerByIndex(999), undefined)
  t.equal(table.peerByIndex(0), undefined)
  t.equal(table.peerByAddress(ip('192.168.0.1')), a)
  t.equal(table.peerByAddress(ip('192.168.0.2')), b)
  t.equal(table.peerByAddress(ip('192.168.0.3')), undefined)
  t.same(table.peers(), [b, a], 'distinct peers, first-seen order')
  t.same(table.routes().map(r => `${r.prefix}=${r.peer.nodeName}`),
    ['10.244.1.0/26=node-1', '10.244.1.64/26=node-1', '10.244.2.0/26=node-2'], 'sorted')
  t.ok(Object.isFrozen(table.routes()) && Object.isFrozen(table.peers()), 'status views are frozen')

  // Several agents on one host (distinct ports): index lookups work, address lookups refuse to guess.
  const x = peer(5, '127.0.0.1', 7001)
  const y = peer(6, '127.0.0.1', 7002)
  const z = peer(7, '127.0.0.1', 7003)
  const shared = RouteTable.build({
    selfIndex: 1,
    selfVtepMAC: SELF_MAC,
    routes: [{ prefix: '10.0.5.0/24', peer: x }, { prefix: '10.0.6.0/24', peer: y }, { prefix: '10.0.7.0/24', peer: z }]
  })
  t.equal(shared.peerByIndex(y.index), y)
  t.equal(shared.peerByAddress(ip('127.0.0.1')), undefined, 'ambiguous address: no peer')
})
