/**
 * Micro-benchmark of the pure packet codecs: encapsulate and decapsulate of 1400-byte packets for
 * each encapsulation, and RouteTable.lookup over 1000 routes. Single-threaded, no I/O: it bounds
 * what the codecs cost per packet, not what the data plane achieves (syscalls dominate that).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/codec-micro.js [packets]
 *
 * Prints the best and median ns/op of 5 rounds per case (the machine is shared and noisy). Each case is warmed up
 * first;
 * the loop results feed a sink that is
 * printed, so V8 cannot drop the work. Each group (udp, vxlan, lookup) runs in its own child
 * process: in one process the second encapsulation would find call sites already trained on the
 * first (polymorphic), which the agent never sees since it picks one encapsulation at start-up.
 */
import { fork } from 'node:child_process'
import { UdpEncapsulation } from '../dataplane/encap/udp/udp-encapsulation'
import { VxlanEncapsulation } from '../dataplane/encap/vxlan/vxlan-encapsulation'
import { createPeerRoute, RouteTable } from '../dataplane/route-table'
import { deriveVtepMAC } from '../dataplane/mac'
import { deriveNodeIndex } from '../dataplane/node-index'
import { ipv4HeaderChecksum } from '../dataplane/ipv4'
import { formatIPv4Address } from '../lib'
import type { Decapsulated, Encapsulation, PeerRoute } from '../dataplane/types'

const N = Number(process.argv[2] ?? 1_000_000)
const GROUP = process.argv[3]
const INNER_LEN = 1400
const HEADROOM = 64
let sink = 0

/** Runs `fn(ops)` ROUNDS times after a warm-up; prints the best and the median ns/op. */
const ROUNDS = 5
function time (label: string, ops: number, fn: (n: number) => void): void {
  fn(Math.min(ops, 100_000)) // warm-up: let V8 optimise
  const perOp: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint()
    fn(ops)
    perOp.push(Number(process.hrtime.bigint() - t0) / ops)
  }
  perOp.sort((a, b) => a - b)
  console.log(`${label.padEnd(44)} best ${perOp[0].toFixed(1).padStart(6)} ns/op, median ${perOp[ROUNDS >> 1].toFixed(1).padStart(6)} ns/op`)
}

const self = { name: 'node-a', index: deriveNodeIndex('node-a'), mac: deriveVtepMAC('node-a') }
const peerB = createPeerRoute({
  nodeName: 'node-b',
  index: deriveNodeIndex('node-b'),
  address: '192.168.0.2',
  port: 6784,
  vtepMAC: deriveVtepMAC('node-b'),
  mtu: 1400
})
/** Receiver side: B's table knows A. */
const peerA = createPeerRoute({
  nodeName: 'node-a', index: self.index, address: '192.168.0.1', port: 6784, vtepMAC: self.mac, mtu: 1400
})
const tableB = RouteTable.build({
  selfIndex: peerB.index, selfVtepMAC: peerB.vtepMAC, routes: [{ prefix: '10.244.1.0/24', peer: peerA }]
})

const inner = Buffer.alloc(INNER_LEN)
inner[0] = 0x45; inner.writeUInt16BE(INNER_LEN, 2); inner.writeUInt16BE(0x4000, 6); inner[8] = 64; inner[9] = 17
inner.writeUInt32BE(0x0af40105, 12); inner.writeUInt32BE(0x0af40207, 16)
inner.writeUInt16BE(ipv4HeaderChecksum(inner, 0, 20), 10)

function benchEncapsulation (tx: Encapsulation, rx: Encapsulation): void {
  const buf = Buffer.alloc(HEADROOM + INNER_LEN)
  inner.copy(buf, HEADROOM)
  time(`${tx.kind}: encapsulate 1400 B`, N, n => {
    let s = 0
    for (let i = 0; i < n; i++) s += tx.encapsulate(buf, HEADROOM, INNER_LEN, peerB)
    sink += s
  })
  const start = tx.encapsulate(buf, HEADROOM, INNER_LEN, peerB)
  const recv = Buffer.from(buf.subarray(start))
  const out: Decapsulated = { innerStart: 0, innerLen: 0, peer: undefined, replyStart: 0, replyLen: 0 }
  time(`${tx.kind}: decapsulate 1400 B`, N, n => {
    let s = 0
    for (let i = 0; i < n; i++) s += rx.decapsulate(recv, recv.length, peerA.addressU32, tableB, out) + out.innerLen
    sink += s
  })
  if (rx.decapsulate(recv, recv.length, peerA.addressU32, tableB, out) !== 0 || out.innerLen !== INNER_LEN) {
    throw new Error(`${tx.kind}: the benchmark datagram does not decapsulate`)
  }
  time(`${tx.kind}: encapsulate + decapsulate 1400 B`, N, n => {
    let s = 0
    for (let i = 0; i < n; i++) {
      const st = tx.encapsulate(buf, HEADROOM, INNER_LEN, peerB)
      s += rx.decapsulate(recv, recv.length, peerA.addressU32, tableB, out) + st
    }
    sink += s
  })
}

function benchLookup (): void {
  // 1000 /26 blocks of 10.244.0.0/16 spread over 100 peers, plus a /16 catch-all and a few /32s:
  // three distinct prefix lengths, like a cluster with static host routes.
  const peers: PeerRoute[] = []
  for (let i = 0; i < 100; i++) {
    peers.push(createPeerRoute({
      nodeName: `node-${i}`,
      index: 1000 + i,
      address: formatIPv4Address(0xc0a80100 + i),
      port: 6784,
      vtepMAC: deriveVtepMAC(`node-${i}`),
      mtu: 1400
    }))
  }
  const routes: Array<{ prefix: string, peer: PeerRoute }> = []
  for (let i = 0; i < 995; i++) {
    routes.push({
      prefix: `${formatIPv4Address(0x0af40000 + i * 64)}/26`, peer: peers[i % 100]
    })
  }
  for (let i = 0; i < 4; i++) routes.push({ prefix: `${formatIPv4Address(0x0af4ff00 + i)}/32`, peer: peers[i] })
  routes.push({ prefix: '10.244.0.0/16', peer: peers[99] })
  const table = RouteTable.build({ selfIndex: 1, selfVtepMAC: self.mac, routes })
  const dsts = new Uint32Array(4096)
  for (let i = 0; i < dsts.length; i++) dsts[i] = (0x0af40000 + Math.floor(Math.random() * 0x10000)) >>> 0
  time(`RouteTable.lookup, ${table.routes().length} routes (3 lengths)`, N, n => {
    let s = 0
    for (let i = 0; i < n; i++) s += table.lookup(dsts[i & 4095])?.index ?? 0
    sink += s
  })
  const misses = dsts.map(d => (d & 0xffff) | 0x0b000000)
  time('RouteTable.lookup, miss (all lengths probed)', N, n => {
    let s = 0
    for (let i = 0; i < n; i++) s += table.lookup(misses[i & 4095]) === undefined ? 1 : 0
    sink += s
  })
}

async function main (): Promise<void> {
  if (GROUP === 'udp') {
    benchEncapsulation(new UdpEncapsulation({ selfIndex: self.index }),
      new UdpEncapsulation({ selfIndex: peerB.index }))
  } else if (GROUP === 'vxlan') {
    benchEncapsulation(new VxlanEncapsulation({ vni: 1, selfVtepMAC: self.mac }),
      new VxlanEncapsulation({ vni: 1, selfVtepMAC: peerB.vtepMAC }))
  } else if (GROUP === 'lookup') {
    benchLookup()
  } else {
    console.log(`node ${process.version}, ${N} ops per round, ${ROUNDS} rounds per case, inner packets ${INNER_LEN} B`)
    for (const group of ['udp', 'vxlan', 'lookup']) {
      const child = fork(__filename, [String(N), group], { stdio: 'inherit' })
      const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
      if (code !== 0) throw new Error(`benchmark group ${group} exited with ${String(code)}`)
    }
    return
  }
  if (sink === 42) console.log('') // keep `sink` observable
}

main().catch(err => { console.error(err); process.exitCode = 1 })
