/**
 * The multicast wiring (agent/multicast.ts) over a memory frame port, a real Forwarder with memory
 * device and transport, and a real node-state channel: snooped reports are published at once,
 * remote sets steer copies, CNI DEL ends memberships at once, queries go to new veths, and a pod
 * that floods reports costs a bounded number of publishes.
 */
import t from 'tap'
import pino from 'pino'
import { MulticastNode, MULTICAST_TOPIC, notifyOnDetach } from '../../agent/multicast'
import { NodeStateChannel } from '../../control/node/node-state'
import { encodeNodeStateDelta } from '../../control/node/node-state-codec'
import { decodeGroupSet, encodeGroupSet } from '../../control/multicast/groups'
import type { AttachmentId, AttachmentRecord, PodAddressManager } from '../../control/types'
import { Forwarder } from '../../dataplane/forwarder'
import { internetChecksum } from '../../dataplane/ipv4'
import { parseIPv4Address as ip } from '../../lib'
import { deriveVtepMAC } from '../../dataplane/mac'
import { deriveNodeIndex } from '../../dataplane/node-index'
import { createPeerRoute, RouteTable } from '../../dataplane/route-table'
import { createDataplaneStats, type DatagramTransport, type Device } from '../../dataplane/types'
import { UdpEncapsulation } from '../../dataplane/encap/udp/udp-encapsulation'
import type { FramePort } from '../../dataplane/multicast-forwarder'

class MemoryPort implements FramePort {
  inbox: Array<{ frame: Buffer, ifindex: number }> = []
  sent: Array<{ frame: Buffer, ifindex: number }> = []
  handler: () => void = () => {}
  recvBatch (bufs: Buffer[], sizes: Int32Array, ifindexes: Int32Array, flags: Uint8Array): number {
    let n = 0
    while (n < bufs.length && this.inbox.length > 0) {
      const f = this.inbox.shift()!
      f.frame.copy(bufs[n]); sizes[n] = f.frame.length; ifindexes[n] = f.ifindex; flags[n] = 0; n++
    }
    return n
  }

  sendBatch (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, ifindexes: Int32Array, count: number): number {
    for (let i = 0; i < count; i++) {
      this.sent.push({
        frame: Buffer.from(bufs[i].subarray(offsets[i], offsets[i] + lengths[i])), ifindex: ifindexes[i]
      })
    }
    return count
  }

  onReadable (h: () => void): void { this.handler = h }
  close (): void {}
  deliver (frame: Buffer, ifindex: number): void { this.inbox.push({ frame, ifindex }); this.handler() }
}

class FakePods implements PodAddressManager {
  records = new Map<string, AttachmentRecord>()
  add (containerID: string, address: string, hostVeth: string): void {
    this.records.set(containerID,
      { containerID, ifname: 'eth0', address, hostVeth, podNamespace: 'default', podName: containerID })
  }

  ready (): boolean { return true }
  allocate (): AttachmentRecord { throw new Error('not used') }
  release (id: AttachmentId): AttachmentRecord | null {
    const r = this.records.get(id.containerID) ?? null; this.records.delete(id.containerID); return r
  }

  get (id: AttachmentId): AttachmentRecord | undefined { return this.records.get(id.containerID) }
  list (): AttachmentRecord[] { return [...this.records.values()] }
  async durable (): Promise<void> {}
}

class NullDevice implements Device {
  readonly name = 'mem0'
  readBatch (): number { return 0 }
  writeBatch (_b: Buffer[], _o: Int32Array, _l: Int32Array, count: number): number { return count }
  onReadable (): void {}
  close (): void {}
}
class ListTransport implements DatagramTransport {
  readonly port = 6784
  sent: Array<{ data: Buffer, addr: number }> = []
  recvBatch (): number { return 0 }
  sendBatch (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, addrs: Uint32Array, _p: Uint16Array,
    count: number): number {
    for (let i = 0; i < count; i++) {
      this.sent.push({
        data: Buffer.from(bufs[i].subarray(offsets[i], offsets[i] + lengths[i])), addr: addrs[i]
      })
    }
    return count
  }

  onReadable (): void {}
  close (): void {}
}

/** An IGMPv3 report frame from `src` with one record (type, group). */
function report (src: string, recType: number, group: string): Buffer {
  const f = Buffer.alloc(14 + 24 + 16)
  f.writeUInt16BE(0x0800, 12)
  f[14] = 0x46; f.writeUInt16BE(40, 16); f[14 + 8] = 1; f[14 + 9] = 2
  f.writeUInt32BE(ip(src), 14 + 12); f.writeUInt32BE(ip('224.0.0.22'), 14 + 16)
  const g = 38
  f[g] = 0x22; f.writeUInt16BE(1, g + 6); f[g + 8] = recType; f.writeUInt32BE(ip(group), g + 12)
  f.writeUInt16BE(internetChecksum(f, g, 16), g + 2)
  return f
}
function udp (src: string, group: string, payload: string): Buffer {
  const body = Buffer.from(payload)
  const f = Buffer.alloc(14 + 28 + body.length)
  f.writeUInt16BE(0x0800, 12)
  f[14] = 0x45; f.writeUInt16BE(28 + body.length, 16); f[14 + 8] = 1; f[14 + 9] = 17
  f.writeUInt32BE(ip(src), 14 + 12); f.writeUInt32BE(ip(group), 14 + 16)
  f.writeUInt16BE(8 + body.length, 14 + 24); body.copy(f, 42)
  return f
}

const id = (i: number): string => i.toString(16).padStart(32, '0')
const links: Record<string, { ifindex: number, mac: Buffer }> = {
  lxcS: { ifindex: 11, mac: Buffer.from('02000000000b', 'hex') },
  lxcR: { ifindex: 12, mac: Buffer.from('02000000000c', 'hex') },
}

function setup (): {
  node: MulticastNode, mem: MemoryPort, pods: FakePods, ns: NodeStateChannel, transport: ListTransport
} {
  const node2 = createPeerRoute({
    nodeName: 'node2',
    index: deriveNodeIndex('node2'),
    address: '198.18.0.2',
    port: 6784,
    vtepMAC: deriveVtepMAC('node2'),
    mtu: 1460
  })
  const routes = RouteTable.build({
    selfIndex: deriveNodeIndex('node1'),
    selfVtepMAC: deriveVtepMAC('node1'),
    routes: [{ prefix: '10.244.2.0/24', peer: node2 }]
  })
  const transport = new ListTransport()
  const fwd = new Forwarder({
    device: new NullDevice(),
    transport,
    encapsulation: new UdpEncapsulation({ selfIndex: deriveNodeIndex('node1') }),
    stats: createDataplaneStats()
  }, { overlayAddressU32: ip('10.244.1.1'), routes })
  fwd.start()
  const mem = new MemoryPort()
  const pods = new FakePods()
  pods.add('S', '10.244.1.11', 'lxcS')
  pods.add('R', '10.244.1.12', 'lxcR')
  const ns = new NodeStateChannel({ clusterSize: () => 2 }, { selfId: id(1), selfName: 'node1', generation: 1 })
  const node = new MulticastNode({
    logger: pino({ level: 'silent' }), forwarder: fwd, pods, nodeState: ns, port: mem, readLink: (n) => links[n]
  }, { mode: 'members', nodeName: 'node1' })
  node.start()
  return { node, mem, pods, ns, transport }
}
const published = (ns: NodeStateChannel): { seq: number, groups: number[] } => {
  const v = ns.snapshot(MULTICAST_TOPIC).find((x) => x.nodeName === 'node1')!
  return { seq: v.seq, groups: decodeGroupSet(v.value) ?? [] }
}

t.test('snooping publishes at once; remote sets steer copies; DEL ends memberships at once', async (t) => {
  const { node, mem, pods, ns, transport } = setup()
  t.teardown(() => node.stop())
  t.same(mem.sent.map((s) => s.ifindex).sort(), [11, 12], 'a general query on every pod veth at start')
  t.equal(mem.sent[0].frame[14 + 24], 0x11)
  t.same(published(ns).groups, [], 'an empty set is published at start')

  mem.deliver(report('10.244.1.12', 4, '239.1.1.1'), 12) // R joins (TO_EX {})
  t.same(published(ns).groups, [ip('239.1.1.1')], 'the join is published at once')
  t.same(node.status().groups, [{ group: '239.1.1.1', localPods: ['default/R'], remoteNodes: [] }])

  // node2 says it has a member: copies of S's packets go to node2 and to R.
  ns.receive({
    type: 'deltas',
    deltas: [encodeNodeStateDelta({
      nodeId: id(2),
      nodeName: 'node2',
      topic: MULTICAST_TOPIC,
      generation: 1,
      seq: 1,
      value: encodeGroupSet([ip('239.1.1.1')])
    })],
    fromNodeId: id(2)
  })
  await new Promise((resolve) => setTimeout(resolve, 80))
  t.same(node.status().groups[0].remoteNodes, ['node2'])
  mem.sent = []
  mem.deliver(udp('10.244.1.11', '239.1.1.1', 'hi'), 11)
  t.same(mem.sent.map((s) => s.ifindex), [12], 'one local copy, to R')
  t.equal(transport.sent.length, 1, 'one copy to node2')
  t.equal(transport.sent[0].addr, ip('198.18.0.2'))
  // a hostile remote set is refused and counted
  ns.receive({
    type: 'deltas',
    deltas: [encodeNodeStateDelta({
      nodeId: id(3),
      nodeName: 'node3',
      topic: MULTICAST_TOPIC,
      generation: 1,
      seq: 1,
      value: encodeGroupSet([ip('10.0.0.1')])
    })],
    fromNodeId: id(3)
  })
  t.equal(ns.snapshot(MULTICAST_TOPIC).some((v) => v.nodeName === 'node3'), false,
    'a unicast "group" is rejected by the topic validator')

  // CNI DEL of R through the wrapped PodAddressManager: the membership ends before DEL answers.
  const wrapped = notifyOnDetach(pods, (veth) => node.noteDetached(veth))
  mem.deliver(report('10.244.1.11', 4, '239.3.3.3'), 11) // within the coalescing gap of the next change
  wrapped.release({ containerID: 'R', ifname: 'eth0' })
  t.same(node.status().groups.map((g) => g.group), ['239.1.1.1', '239.3.3.3'])
  t.same(node.status().groups[0].localPods, [], 'R is gone from 239.1.1.1 at once')
  t.same(published(ns).groups, [ip('239.3.3.3')], 'and the node no longer advertises 239.1.1.1')
})

t.test('a pod flooding reports costs a bounded number of publishes; the final state wins', async (t) => {
  const { node, mem, ns } = setup()
  t.teardown(() => node.stop())
  const before = published(ns).seq
  const started = Date.now()
  for (let i = 0; i < 2000; i++) mem.deliver(report('10.244.1.12', i % 2 === 0 ? 4 : 3, '239.1.1.1'), 12)
  mem.deliver(report('10.244.1.12', 4, '239.1.1.1'), 12)
  const bound = Math.ceil((Date.now() - started) / 50) + 1
  t.ok(published(ns).seq - before <= bound,
    `2001 reports in ${Date.now() - started} ms, ${published(ns).seq - before} publishes (at most one per 50 ms)`)
  await new Promise((resolve) => setTimeout(resolve, 120))
  t.same(published(ns).groups, [ip('239.1.1.1')], 'the last report is what is published')
  // spoofed reports (source not the veth's pod) are not snooped
  mem.deliver(report('10.244.1.99', 4, '239.9.9.9'), 12)
  await new Promise((resolve) => setTimeout(resolve, 80))
  t.same(published(ns).groups, [ip('239.1.1.1')])
  t.equal(node.status().packets.outbound.auth, 1, JSON.stringify(node.status().packets))
})
