/**
 * Interop: a Loom node in `vxlan` mode and a node that runs no Loom at all, only a Linux kernel
 * VXLAN device set up the way Flannel's vxlan backend does it.
 *
 *   n1: loomd (vxlan, VNI 1, port 4789), loom0 10.244.1.0/32   pods 10.244.1.11
 *   n2: vxlan0 (kernel: id 1 dstport 4789 nolearning), 10.244.2.0/32   pods 10.244.2.11
 *       route 10.244.1.0/24 via 10.244.1.0 dev vxlan0 onlink
 *       neigh 10.244.1.0 lladdr <n1's VTEP MAC> nud permanent
 *       fdb   <n1's VTEP MAC> dst 198.18.0.1 self permanent
 *
 * n1's config lists n2 with vtepMAC = vxlan0's MAC, so Loom addresses its frames to the kernel
 * device; the kernel addresses its frames to the VTEP MAC Loom advertises (read from
 * `loom status`). Ping and TCP must work in both directions.
 */
import t from 'tap'
import { join } from 'node:path'
import { isRoot, NetnsLab, SKIP_NOT_ROOT } from './lib/netns-lab'
import { OverlayLab, REPO_ROOT } from './lib/overlay-lab'
import { shaTransfer } from './lib/sha-transfer'

const TCP_ECHO = join(REPO_ROOT, 'dist', 'test', 'netns', 'fixtures', 'tcp-echo.js')
const ECHO_PORT = 7007
const TCP_BYTES = 4 << 20

t.test('loomd (vxlan) <-> kernel VXLAN configured like Flannel', { skip: isRoot() ? false : SKIP_NOT_ROOT },
  async (t) => {
    const lab = new NetnsLab('vxi')
    t.teardown(() => lab.cleanup())
    const overlay = new OverlayLab(lab, { nodes: 2, podsPerNode: 1, encapsulation: 'vxlan', withoutLoomd: [2] })
    await overlay.build()
    const [n1, n2] = overlay.nodes

    // The kernel node: a Flannel-style VXLAN device.
    await lab.execOk(n2.ns, ['ip', 'link', 'add', 'vxlan0', 'type', 'vxlan', 'id', '1', 'dstport', '4789',
      'local', n2.underlay, 'dev', 'eth0', 'nolearning'])
    await lab.execOk(n2.ns, ['ip', 'link', 'set', 'vxlan0', 'mtu', '1450'])
    // The kernel node keeps its checksum offload on: over a veth "wire" its inner TCP checksums
    // arrive unfinished (only the pseudo-header sum, left for a NIC that does not exist here).
    // Loom recognises that form and hands such packets to its TUN as NEEDS_CSUM, and a whole GSO
    // skb the veth delivers unsegmented as a GSO packet (coalesceTun in dataplane/native/).
    const txOffload = await lab.execOk(n2.ns, ['ethtool', '-k', 'eth0'])
    t.match(txOffload, /tx-checksumming: on/, 'the kernel node sends with checksum offload on')
    await lab.execOk(n2.ns, ['ip', 'addr', 'add', '10.244.2.0/32', 'dev', 'vxlan0'])
    await lab.execOk(n2.ns, ['ip', 'link', 'set', 'vxlan0', 'up'])
    const kernelMAC = (await lab.execOk(n2.ns, ['cat', '/sys/class/net/vxlan0/address'])).trim()
    overlay.vtepMACs.set(n2.name, kernelMAC)
    overlay.writeConfig(n1)

    await overlay.startAll()
    const status = JSON.parse((await overlay.loom(n1, ['status', '--json'])).stdout) as { vtepMAC: string; mtu: number }
    t.equal(status.mtu, 1450, 'Loom picks the same MTU as the kernel device')
    const peers = JSON.parse((await overlay.loom(n1, ['status', 'peers', '--json'])).stdout) as Array<{ vtepMAC: string }>
    t.equal(peers[0].vtepMAC, kernelMAC, 'Loom uses the kernel device MAC for node2')

    await lab.execOk(n2.ns,
      ['ip', 'neigh', 'replace', '10.244.1.0', 'lladdr', status.vtepMAC, 'dev', 'vxlan0', 'nud', 'permanent'])
    await lab.execOk(n2.ns,
      ['bridge', 'fdb', 'append', status.vtepMAC, 'dev', 'vxlan0', 'dst', n1.underlay, 'self', 'permanent'])
    await lab.execOk(n2.ns, ['ip', 'route', 'add', '10.244.1.0/24', 'via', '10.244.1.0', 'dev', 'vxlan0', 'onlink'])
    for (const n of overlay.nodes) await overlay.setPodMTU(n, 1450)

    for (const n of overlay.nodes) {
      lab.spawn(n.pods[0].ns, [process.execPath, TCP_ECHO, 'server', String(ECHO_PORT)], `echo-${n.name}.log`)
    }
    for (const n of overlay.nodes) await lab.waitTcpListening(n.pods[0].ns, ECHO_PORT)

    for (const [a, b] of [[n1, n2], [n2, n1]]) {
      const ping = await overlay.ping(a.pods[0], b.pods[0].address, 3)
      t.ok(ping.ok, `ping ${a.name} (${a.index === 1 ? 'Loom' : 'kernel'}) -> ${b.name}`, { output: ping.output })
      const big = await overlay.ping(a.pods[0], b.pods[0].address, 2, 1422, ['-M', 'do'])
      t.ok(big.ok, `full-MTU DF ping ${a.name} -> ${b.name}`, { output: big.output })
      const tcp = await lab.exec(a.pods[0].ns,
        [process.execPath, TCP_ECHO, 'client', b.pods[0].address, String(ECHO_PORT), String(TCP_BYTES)],
        { timeoutMs: 30_000 })
      t.match(tcp.stdout, /"ok":true/, `TCP echo ${a.name} -> ${b.name}`, { output: tcp.stdout + tcp.stderr })
    }
    // 256 MiB each way, byte-identical, with the kernel node's offloads on.
    for (const [a, b, port] of [[n1, n2, 7101], [n2, n1, 7102]] as const) {
      const r = await shaTransfer(lab, a.pods[0].ns, b.pods[0].ns, b.pods[0].address, port, 256 << 20)
      t.equal(r.received.bytes, 256 << 20, `256 MiB ${a.name} -> ${b.name}`, r)
      t.match(r.sent.sha256, /^[0-9a-f]{64}$/)
      t.equal(r.received.sha256, r.sent.sha256, `byte-identical (SHA-256) ${a.name} -> ${b.name}`)
    }
    const after = JSON.parse((await overlay.loom(n1, ['status', 'peers', '--json'])).stdout) as Array<{
      packetsIn: number; packetsOut: number
    }>
    t.ok(after[0].packetsIn > 0 && after[0].packetsOut > 0, 'Loom counted traffic with the kernel peer')
  })
