/**
 * Clear mode (no encryption) against a stranger on the underlay, with real loomd processes, for
 * each clear encapsulation (Loom's `udp` framing and VXLAN). node1 and node2 run loomd in static
 * mode with one pod each; node3's namespace runs no loomd and plays the stranger. It takes one
 * genuine frame node1 sent to node2 (a ping from pod1 to pod2, captured on node2's link),
 * rewrites the inner destination (and the IP checksum) and sends the copies to node2 with
 * node1's address as outer source (a raw socket: spoofing, which clear mode cannot detect):
 *   - inner destinations node2's own host address, 127.0.0.1, 192.0.2.1 (beyond the node),
 *     10.245.0.1 (outside clusterCIDR) and 255.255.255.255 are dropped and counted as
 *     `loom_dataplane_drops_total{direction="in",reason="not_local"}`, and nothing reaches
 *     node2's host (its ICMP InEchos stay put) or the pod;
 *   - the unmodified copy, spoofed the same way, is delivered (pod2 counts one more echo
 *     request): the control that the crafted frames reach the check at all;
 *   - the unmodified copy from the stranger's own address is refused (`auth`).
 * README "Clear mode" documents that clear mode trusts the underlay; this is what bounds it.
 *
 *   n1 (loomd, pod1) ─┬─ br0 in ns "sw" ─┬─ n2 (loomd, pod2: target)
 *                     └─ n3 (stranger: no loomd, raw socket)
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { OverlayLab } from './lib/overlay-lab'
import { pcapPayloads } from './lib/pcap'
import { scrapeMetric } from './lib/scrape'

/** Sends each stdin line (hex) as one UDP datagram with a forged IPv4 header (IP_HDRINCL). */
const RAW_SEND = `
import socket, struct, sys
src, dst, sport, dport = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for line in sys.stdin:
    p = bytes.fromhex(line.strip())
    udp = struct.pack('!HHHH', sport, dport, 8 + len(p), 0) + p
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    s.sendto(ip + udp, (dst, 0))
`

const NOT_LOCAL = ['198.18.0.2', '127.0.0.1', '192.0.2.1', '10.245.0.1', '255.255.255.255']

function ipU32 (s: string): number {
  return s.split('.').reduce((a, o) => a * 256 + Number(o), 0)
}

function ipChecksum (b: Buffer, at: number): number {
  let sum = 0
  for (let i = 0; i < 20; i += 2) sum += b.readUInt16BE(at + i)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}

for (const encapsulation of ['udp', 'vxlan'] as const) {
  t.test(`clear ${encapsulation}: a spoofed stranger's frames for the host or beyond are dropped as not_local`,
    { skip: isRoot() ? false : SKIP_NOT_ROOT }, async (t) => {
      const lab = new NetnsLab(`crypto-clr${encapsulation === 'udp' ? 'u' : 'v'}`)
      t.teardown(() => lab.cleanup())
      const overlay = new OverlayLab(lab, { nodes: 3, podsPerNode: 1, encapsulation, withoutLoomd: [3] })
      await overlay.build()
      const [n1, n2, stranger] = overlay.nodes
      await overlay.startAll()
      const pod1 = n1.pods[0]
      const pod2 = n2.pods[0]
      const metric = async (reason: string): Promise<number> =>
        await scrapeMetric(lab, n2.ns, `loom_dataplane_drops_total{direction="in",reason="${reason}"}`)
      const inEchos = async (ns: string): Promise<number> => {
        const snmp = await lab.execOk(ns, ['cat', '/proc/net/snmp'])
        const lines = snmp.split('\n').filter((l) => l.startsWith('Icmp:'))
        const names = lines[0].split(/\s+/)
        return Number(lines[1].split(/\s+/)[names.indexOf('InEchos')])
      }
      await waitFor('pod1 to reach pod2 over the overlay',
        async () => (await overlay.ping(pod1, pod2.address, 1)).ok, 20_000, 250)

      // One genuine frame node1 -> node2 carrying a ping from pod1 to pod2.
      const pcap = lab.file('wire.pcap')
      const dump = lab.spawn(n2.ns, ['tcpdump', '-i', 'eth0', '-U', '-n', '-w', pcap, 'udp', 'and', 'src', 'host',
        n1.underlay], 'tcpdump.log')
      await waitFor('tcpdump to listen', async () => {
        try { return readFileSync(lab.file('tcpdump.log'), 'utf8').includes('listening on') } catch { return false }
      }, 10_000)
      const findFrame = (): { seg: ReturnType<typeof pcapPayloads>[number], at: number } | undefined => {
        for (const seg of pcapPayloads(pcap)) {
          const p = seg.payload
          for (let at = 0; at + 28 <= p.length; at++) {
            if (p[at] === 0x45 && p[at + 9] === 1 && p[at + 20] === 8 &&
              p.readUInt32BE(at + 12) === ipU32(pod1.address) && p.readUInt32BE(at + 16) === ipU32(pod2.address)) {
              return { seg, at }
            }
          }
        }
        return undefined
      }
      await waitFor('a captured ping frame', async () => {
        await overlay.ping(pod1, pod2.address, 1)
        return findFrame() !== undefined
      }, 15_000, 200)
      await lab.stop(dump, 'SIGINT')
      const { seg, at } = findFrame()!
      const aimedAt = (dst: string): Buffer => {
        const p = Buffer.from(seg.payload)
        p.writeUInt32BE(ipU32(dst), at + 16)
        p.writeUInt16BE(0, at + 10)
        p.writeUInt16BE(ipChecksum(p, at), at + 10)
        return p
      }
      const send = async (src: string, frames: Buffer[]): Promise<void> => {
        await lab.execOk(stranger.ns, ['python3', '-c', RAW_SEND, src, n2.underlay, String(seg.sport), String(seg.dport)],
          { input: frames.map((f) => f.toString('hex')).join('\n') + '\n', timeoutMs: 10_000 })
      }

      const notLocal0 = await metric('not_local')
      const auth0 = await metric('auth')
      const host0 = await inEchos(n2.ns)
      const pod0 = await inEchos(pod2.ns)
      await send(n1.underlay, NOT_LOCAL.map(aimedAt))
      await waitFor('the crafted frames to be counted', async () => await metric('not_local') >= notLocal0 + NOT_LOCAL.length,
        5000, 100).catch(() => undefined)
      t.equal(await metric('not_local'), notLocal0 + NOT_LOCAL.length,
        `all ${NOT_LOCAL.length} frames (${NOT_LOCAL.join(', ')}) dropped as not_local`)
      await send(stranger.underlay, [Buffer.from(seg.payload)])
      await waitFor('the stranger\'s own frame to be counted', async () => await metric('auth') >= auth0 + 1, 5000, 100)
        .catch(() => undefined)
      t.equal(await metric('auth'), auth0 + 1, 'the genuine frame from the stranger\'s own address: refused as auth')
      await send(n1.underlay, [Buffer.from(seg.payload)])
      await waitFor('the control to reach pod2', async () => await inEchos(pod2.ns) >= pod0 + 1, 5000, 100)
        .catch(() => undefined)
      t.equal(await inEchos(pod2.ns), pod0 + 1, 'control: the unmodified spoofed frame reaches pod2 (clear mode trusts the underlay)')
      t.equal(await inEchos(n2.ns), host0, 'node2\'s host received no echo request')
    })
}
