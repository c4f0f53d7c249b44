/**
 * The data path with TUN offloads, UDP GRO and per-flow source ports, between two real loomd
 * nodes, in both encapsulations:
 * - loom0 comes up with TSO (the kernel hands loomd 64 KB super-packets);
 * - the data port cannot be bound a second time while loomd runs (no SO_REUSEADDR), even by a
 *   socket that asks for address reuse;
 * - 256 MiB of TCP cross byte-identical (SHA-256 at both ends);
 * - 20 000 UDP datagrams in bursts cross byte-identical, and where loom0 took USO the receiving
 *   loomd merged them into UDP super-packets (GSO_UDP_L4) for its TUN writes;
 * - a mixed-MTU path: with loom0 and the pod raised to 1500 (an operator's mistake), DF packets
 *   above the peer's MTU still get ICMP "fragmentation needed" from loomd, TCP adapts.
 * The kernel VXLAN peer's 256 MiB transfer is in vxlan-interop.test.ts.
 */
import t from 'tap'
import { join } from 'node:path'
import { isRoot, NetnsLab, SKIP_NOT_ROOT } from './lib/netns-lab'
import { OverlayLab, REPO_ROOT } from './lib/overlay-lab'
import { shaTransfer, udpShaTransfer } from './lib/sha-transfer'

const TCP_ECHO = join(REPO_ROOT, 'dist', 'test', 'netns', 'fixtures', 'tcp-echo.js')
const BYTES = 256 << 20
const DATAGRAMS = 20_000

interface OffloadsSeen { offloads: { tunFlags: string[], coalescedIn: number, udpGroTrains: number } }

const SECOND_BIND = `
const s = require('node:dgram').createSocket({ type: 'udp4', reuseAddr: true })
s.on('error', (e) => { console.log(e.code); process.exit(0) })
s.bind(Number(process.argv[2]), process.argv[1], () => { console.log('bound'); process.exit(0) })
`

for (const encapsulation of ['udp', 'vxlan'] as const) {
  t.test(`offloads, ${encapsulation}: TSO on loom0, exclusive data port, 256 MiB byte-identical, frag-needed on a mixed-MTU path`,
    { skip: isRoot() ? false : SKIP_NOT_ROOT }, async (t) => {
      const lab = new NetnsLab(encapsulation === 'udp' ? 'ofu' : 'ofx')
      t.teardown(() => lab.cleanup())
      const overlay = new OverlayLab(lab, { nodes: 2, podsPerNode: 1, encapsulation })
      await overlay.build()
      await overlay.startAll()
      const [n1, n2] = overlay.nodes
      const mtu = encapsulation === 'udp' ? 1460 : 1450
      for (const n of overlay.nodes) await overlay.setPodMTU(n, mtu)

      const features = await lab.execOk(n1.ns, ['ethtool', '-k', 'loom0'])
      t.match(features, /tcp-segmentation-offload: on/, 'loom0 offers TSO')

      const port = encapsulation === 'udp' ? 6784 : 4789
      const second = await lab.execOk(n1.ns, [process.execPath, '-e', SECOND_BIND, n1.underlay, String(port)])
      t.equal(second.trim(), 'EADDRINUSE', 'a second socket (even with SO_REUSEADDR) cannot bind the data port')

      const r = await shaTransfer(lab, n1.pods[0].ns, n2.pods[0].ns, n2.pods[0].address, 7100, BYTES)
      t.equal(r.sent.bytes, BYTES, 'sender sent 256 MiB', r.sent)
      t.equal(r.received.bytes, BYTES, 'receiver got 256 MiB', r.received)
      t.match(r.sent.sha256, /^[0-9a-f]{64}$/)
      t.equal(r.received.sha256, r.sent.sha256, 'byte-identical (SHA-256)')
      const status = JSON.parse((await overlay.loom(n2, ['status', '--json'])).stdout) as {
        drops: { inbound: Record<string, number> }
      }
      t.equal(status.drops.inbound.malformed, 0, 'no inbound packet malformed on the receiver')

      // UDP: bursts of datagrams of one flow (the sender's loomd sends them as GSO runs, the
      // receiver's gets GRO trains); with USO on loom0 the receiver writes them as UDP super-packets.
      const offloadsOf = async (): Promise<OffloadsSeen['offloads']> =>
        (JSON.parse((await overlay.loom(n2, ['status', '--json'])).stdout) as OffloadsSeen).offloads
      const udpBefore = await offloadsOf()
      const u = await udpShaTransfer(lab, n1.pods[0].ns, n2.pods[0].ns, n2.pods[0].address, 7200, DATAGRAMS)
      t.equal(u.sent.datagrams, DATAGRAMS, 'sender sent every datagram', u.sent)
      t.equal(u.received.datagrams, DATAGRAMS, 'receiver got every datagram', u.received)
      t.equal(u.received.corrupt, 0, 'none altered')
      t.equal(u.received.duplicates, 0, 'none twice')
      t.equal(u.received.sha256, u.sent.sha256, 'UDP byte-identical (SHA-256)')
      const udpAfter = await offloadsOf()
      if (udpAfter.tunFlags.includes('uso4')) {
        t.ok(udpAfter.coalescedIn - udpBefore.coalescedIn > DATAGRAMS / 4,
          `the receiver merged UDP datagrams (${udpAfter.coalescedIn - udpBefore.coalescedIn} merged)`)
      } else {
        t.comment(`loom0 without USO (${udpAfter.tunFlags.join(',')}): UDP is not coalesced here`)
      }

      // Mixed MTU: loom0 and the pod on node1 raised to 1500; the peer still takes `mtu`.
      await lab.execOk(n1.ns, ['ip', 'link', 'set', 'loom0', 'mtu', '1500'])
      await overlay.setPodMTU(n1, 1500)
      const big = await lab.exec(n1.pods[0].ns,
        ['ping', '-n', '-c', '2', '-i', '0.2', '-W', '2', '-M', 'do', '-s', '1472', n2.pods[0].address],
        { timeoutMs: 20_000 })
      t.not(big.code, 0, 'a 1500-byte DF ping does not pass')
      t.match(big.stdout + big.stderr, new RegExp(`Frag needed and DF set \\(mtu = ${mtu}\\)`),
        `ICMP fragmentation needed from loomd announces ${mtu}`)
      lab.spawn(n2.pods[0].ns, [process.execPath, TCP_ECHO, 'server', '7007'], 'echo.log')
      await lab.waitTcpListening(n2.pods[0].ns, 7007)
      const tcp = await lab.exec(n1.pods[0].ns,
        [process.execPath, TCP_ECHO, 'client', n2.pods[0].address, '7007', String(4 << 20)], { timeoutMs: 30_000 })
      t.match(tcp.stdout, /"ok":true/, 'TCP learns the path MTU and completes', { output: tcp.stdout + tcp.stderr })
      const after = JSON.parse((await overlay.loom(n1, ['status', '--json'])).stdout) as {
        drops: { outbound: Record<string, number> }
      }
      t.ok(after.drops.outbound.mtu > 0, 'oversized packets counted as mtu drops')
    })
}
