/**
 * Reading what tcpdump wrote (`-w`, Ethernet link type): the IPv4 UDP and TCP payloads in capture
 * order, for tests that replay or rewrite captured traffic (gossip-replay, clear-mode-stranger).
 */
import { readFileSync } from 'node:fs'

export interface Segment { proto: 'udp' | 'tcp', src: string, dst: string, sport: number, dport: number, payload: Buffer }

/** UDP and TCP payloads of an Ethernet pcap file, in capture order; other frames are skipped. */
export function pcapPayloads (file: string): Segment[] {
  const b = readFileSync(file)
  const out: Segment[] = []
  let off = 24
  while (off + 16 <= b.length) {
    const incl = b.readUInt32LE(off + 8)
    const f = b.subarray(off + 16, off + 16 + incl)
    off += 16 + incl
    if (f.length < 34 || f.readUInt16BE(12) !== 0x0800) continue
    const l4 = 14 + (f[14] & 0x0f) * 4
    const ipEnd = Math.min(f.length, 14 + f.readUInt16BE(16))
    if (l4 + 8 > ipEnd) continue
    const base = {
      src: f.subarray(26, 30).join('.'), dst: f.subarray(30, 34).join('.'), sport: f.readUInt16BE(l4), dport: f.readUInt16BE(l4 + 2)
    }
    if (f[23] === 17) out.push({ proto: 'udp', ...base, payload: Buffer.from(f.subarray(l4 + 8, ipEnd)) })
    if (f[23] === 6) {
      const dataAt = l4 + (f[l4 + 12] >> 4) * 4
      if (ipEnd > dataAt) out.push({ proto: 'tcp', ...base, payload: Buffer.from(f.subarray(dataAt, ipEnd)) })
    }
  }
  return out
}
