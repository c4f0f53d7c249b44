/**
 * Three real loomd nodes in network namespaces, pods on each, in both encapsulations:
 * ping and TCP (a byte-exact echo) pod -> pod across every ordered pair of nodes, `loom status`
 * on a node, and a loomd restart on one node after which traffic resumes.
 *
 * Topology (see lib/overlay-lab.ts): nodes n1..n3 on one bridge (198.18.0.0/24), node i owns
 * 10.244.i.0/24, pods 10.244.i.11 and 10.244.i.12.
 */
import t from 'tap'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { OverlayLab, REPO_ROOT } from './lib/overlay-lab'
import { join } from 'node:path'

const TCP_ECHO = join(REPO_ROOT, 'dist', 'test', 'netns', 'fixtures', 'tcp-echo.js')
const ECHO_PORT = 7007
const TCP_BYTES = 4 << 20

for (const encapsulation of ['udp', 'vxlan'] as const) {
  t.test(`3 nodes, ${encapsulation}: pod-to-pod ping and TCP across every pair, restart`,
    { skip: isRoot() ? false : SKIP_NOT_ROOT }, async (t) => {
      const lab = new NetnsLab(encapsulation === 'udp' ? 'ovu' : 'ovx')
      t.teardown(() => lab.cleanup())
      const overlay = new OverlayLab(lab, { nodes: 3, podsPerNode: 2, encapsulation })
      await overlay.build()
      await overlay.startAll()

      const status = await overlay.loom(overlay.nodes[0], ['status', '--json'])
      t.equal(status.code, 0, 'loom status answers')
      const node = JSON.parse(status.stdout) as { encapsulation: string; mtu: number; peerCount: number }
      t.equal(node.encapsulation, encapsulation)
      t.equal(node.peerCount, 2)
      t.equal(node.mtu, encapsulation === 'udp' ? 1460 : 1450, 'MTU = underlay 1500 - overhead')
      for (const n of overlay.nodes) await overlay.setPodMTU(n, node.mtu)

      // An echo server in the first pod of every node.
      for (const n of overlay.nodes) {
        lab.spawn(n.pods[0].ns, [process.execPath, TCP_ECHO, 'server', String(ECHO_PORT)], `echo-${n.name}.log`)
      }
      for (const n of overlay.nodes) await lab.waitTcpListening(n.pods[0].ns, ECHO_PORT)

      for (const a of overlay.nodes) {
        for (const b of overlay.nodes) {
          if (a === b) continue
          const from = a.pods[1]
          const to = b.pods[0]
          const ping = await overlay.ping(from, to.address)
          t.ok(ping.ok, `ping ${from.address} (${a.name}) -> ${to.address} (${b.name})`, { output: ping.output })
          const tcp = await lab.exec(from.ns,
            [process.execPath, TCP_ECHO, 'client', to.address, String(ECHO_PORT), String(TCP_BYTES)],
            { timeoutMs: 30_000 })
          t.match(tcp.stdout, /"ok":true/, `TCP echo of ${TCP_BYTES} bytes ${a.name} -> ${b.name}`,
            { output: tcp.stdout + tcp.stderr })
        }
      }

      const peers = await overlay.loom(overlay.nodes[0], ['status', 'peers'])
      t.equal(peers.code, 0)
      t.match(peers.stdout, /node2\s+198\.18\.0\.2:\d+\s+configured/, 'peers table lists node2')

      // Restart loomd on node 2: loom0 and its route are recreated and traffic resumes.
      const n2 = overlay.nodes[1]
      await overlay.stopDaemon(n2)
      const down = await overlay.ping(overlay.nodes[0].pods[0], n2.pods[0].address, 1)
      t.notOk(down.ok, 'no traffic to node2 while its loomd is down')
      overlay.startDaemon(n2)
      await overlay.waitReady(n2)
      await waitFor('traffic to node2 to resume',
        async () => (await overlay.ping(overlay.nodes[0].pods[0], n2.pods[0].address, 1)).ok, 10_000, 200)
      const after = await overlay.ping(overlay.nodes[2].pods[1], n2.pods[1].address, 3)
      t.ok(after.ok, 'ping node3 -> node2 after restart', { output: after.output })
      const tcp = await lab.exec(overlay.nodes[0].pods[1].ns,
        [process.execPath, TCP_ECHO, 'client', n2.pods[0].address, String(ECHO_PORT), String(TCP_BYTES)],
        { timeoutMs: 30_000 })
      t.match(tcp.stdout, /"ok":true/, 'TCP echo node1 -> node2 after restart')
    })
}
