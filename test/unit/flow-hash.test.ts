/**
 * Per-flow VXLAN source ports (RFC 7348 §5): the inner flow hash is stable per flow, ignores
 * what varies within a flow, and spreads flows over the source-port slots.
 */
import t from 'tap'
import { ipv4FlowHash } from '../../dataplane/flow-hash'

function packet (src: number, dst: number, proto: number, sport: number, dport: number,
  opts: { frag?: boolean, id?: number, len?: number } = {}): Buffer {
  const b = Buffer.alloc(opts.len ?? 60)
  b[0] = 0x45
  b.writeUInt16BE(opts.id ?? 1, 4)
  if (opts.frag === true) b.writeUInt16BE(0x0010, 6) // fragment offset 16
  b[9] = proto
  b.writeUInt32BE(src, 12)
  b.writeUInt32BE(dst, 16)
  b.writeUInt16BE(sport, 20)
  b.writeUInt16BE(dport, 22)
  b.writeUInt32BE(opts.id ?? 0, 24) // TCP seq: varies within a flow
  return b
}

t.test('stable within a flow, different across flows', async (t) => {
  const a = packet(0x0af4010b, 0x0af40216, 6, 40000, 5201)
  const same = packet(0x0af4010b, 0x0af40216, 6, 40000, 5201, { id: 999 })
  t.equal(ipv4FlowHash(a, 0, 60), ipv4FlowHash(same, 0, 60), 'IP ID and sequence number do not matter')
  t.not(ipv4FlowHash(a, 0, 60), ipv4FlowHash(packet(0x0af4010b, 0x0af40216, 6, 40001, 5201), 0, 60), 'source port')
  t.not(ipv4FlowHash(a, 0, 60), ipv4FlowHash(packet(0x0af4010b, 0x0af40216, 17, 40000, 5201), 0, 60), 'protocol')
  t.not(ipv4FlowHash(a, 0, 60), ipv4FlowHash(packet(0x0af40110, 0x0af40216, 6, 40000, 5201), 0, 60), 'source address')
  const withOffset = Buffer.concat([Buffer.alloc(64), a])
  t.equal(ipv4FlowHash(withOffset, 64, 60), ipv4FlowHash(a, 0, 60), 'reads where the packet is')
})

t.test('fragments and portless protocols hash on addresses only', async (t) => {
  const frag = packet(1, 2, 17, 1000, 2000, { frag: true })
  const frag2 = packet(1, 2, 17, 3333, 4444, { frag: true })
  t.equal(ipv4FlowHash(frag, 0, 60), ipv4FlowHash(frag2, 0, 60), 'later fragments carry no ports')
  t.equal(ipv4FlowHash(packet(1, 2, 1, 1, 2), 0, 60), ipv4FlowHash(packet(1, 2, 1, 7, 9), 0, 60), 'ICMP: no ports')
  t.equal(ipv4FlowHash(packet(1, 2, 6, 1, 2), 0, 22), ipv4FlowHash(packet(1, 2, 6, 5, 6), 0, 22),
    'truncated: no ports read past the end')
})

t.test('spreads 10 000 flows evenly over 16 source ports', async (t) => {
  const slots = new Array<number>(16).fill(0)
  for (let i = 0; i < 10_000; i++) {
    slots[ipv4FlowHash(packet(0x0af40100 + (i % 7), 0x0af40200, 6, 30000 + i, 5201), 0,
      60) % 16]++
  }
  for (const n of slots) t.ok(n > 500 && n < 750, `slot has ${n} flows (ideal 625)`)
})
