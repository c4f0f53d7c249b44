/**
 * `npm run demo`: a three-node Loom overlay in network namespaces on this machine.
 *
 * Builds nodes n1..n3 (each running a real loomd) on a private bridge, two pods per node, then
 * shows: pod-to-pod ping across every pair of nodes, an iperf3 TCP run between pods on two nodes,
 * `loom status` and `loom status peers` on node 1, and a few lines of node 1's /metrics. Every
 * namespace and process it made is removed at the end, also on failure or Ctrl-C.
 *
 * Options (environment): LOOM_DEMO_ENCAP=udp|vxlan (default udp), LOOM_DEMO_SECONDS (iperf3
 * duration, default 5), LOOM_KEEP_WORK=1 keeps the work directory with the daemons' logs.
 */
import { NetnsLab, isRoot, run } from '../netns/lib/netns-lab'
import { OverlayLab } from '../netns/lib/overlay-lab'

const encapsulation = process.env.LOOM_DEMO_ENCAP === 'vxlan' ? 'vxlan' : 'udp'
const seconds = Math.min(Math.max(Number(process.env.LOOM_DEMO_SECONDS ?? 5), 1), 30)

function section (title: string): void {
  process.stdout.write(`\n=== ${title} ===\n`)
}

async function main (): Promise<number> {
  if (!isRoot()) {
    process.stderr.write('demo: run as root (it creates network namespaces)\n')
    return 1
  }
  const lab = new NetnsLab('demo')
  const cleanup = (): void => { lab.cleanup().finally(() => process.exit(130)) }
  process.once('SIGINT', cleanup)
  process.once('SIGTERM', cleanup)
  let failures = 0
  try {
    section(`building 3 nodes x 2 pods, encapsulation ${encapsulation} (namespaces loom-demo-${lab.id}-*)`)
    const overlay = new OverlayLab(lab, { nodes: 3, podsPerNode: 2, encapsulation, logLevel: 'warn' })
    await overlay.build()
    await overlay.startAll()
    const first = overlay.nodes[0]
    const mtu = (JSON.parse((await overlay.loom(first, ['status', '--json'])).stdout) as { mtu: number }).mtu
    for (const n of overlay.nodes) await overlay.setPodMTU(n, mtu)
    for (const n of overlay.nodes) {
      process.stdout.write(`${n.name}: underlay ${n.underlay}, pods ${n.pods.map((p) => p.address).join(' ')} (${n.podCIDR})\n`)
    }

    section('pod-to-pod ping across every pair of nodes')
    for (const a of overlay.nodes) {
      for (const b of overlay.nodes) {
        if (a === b) continue
        const r = await overlay.ping(a.pods[0], b.pods[1].address, 3)
        const rtt = /rtt min\/avg\/max\/mdev = [0-9.]+\/([0-9.]+)/.exec(r.output)?.[1]
        process.stdout.write(`${a.pods[0].address} (${a.name}) -> ${b.pods[1].address} (${b.name}): ${r.ok ? `ok, avg ${rtt} ms` : 'FAILED'}\n`)
        if (!r.ok) failures++
      }
    }

    section(`iperf3 TCP, ${seconds} s, pod ${overlay.nodes[0].pods[0].address} -> pod ${overlay.nodes[1].pods[0].address}`)
    const server = lab.spawn(overlay.nodes[1].pods[0].ns, ['iperf3', '-s', '-1'], 'iperf3-server.log')
    await new Promise((resolve) => setTimeout(resolve, 500))
    const iperf = await lab.exec(overlay.nodes[0].pods[0].ns,
      ['iperf3', '-c', overlay.nodes[1].pods[0].address, '-t', String(seconds), '-f', 'm'],
      { timeoutMs: (seconds + 15) * 1000 })
    const lines = iperf.stdout.split('\n').filter((l) => /sender|receiver/.test(l))
    process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : `iperf3 failed: ${iperf.stderr}\n`)
    if (iperf.code !== 0) failures++
    await lab.stop(server)

    section(`loom status (on ${first.name})`)
    process.stdout.write((await overlay.loom(first, ['status'])).stdout)
    section(`loom status peers (on ${first.name})`)
    process.stdout.write((await overlay.loom(first, ['status', 'peers'])).stdout)

    section(`/metrics on ${first.name} (127.0.0.1:9784 inside its namespace), a few series`)
    const metrics = await run('ip', ['netns', 'exec', first.ns, 'node', '-e',
      "require('http').get('http://127.0.0.1:9784/metrics',r=>{let b='';r.on('data',c=>b+=c);r.on('end',()=>process.stdout.write(b))})"])
    const wanted = /^loom_(build_info|dataplane_packets_total|dataplane_bytes_total|dataplane_peer_mtu_bytes)/
    process.stdout.write(metrics.stdout.split('\n').filter((l) => wanted.test(l)).join('\n') + '\n')
    if (metrics.code !== 0) failures++
  } finally {
    section('cleaning up')
    await lab.cleanup()
    process.stdout.write('removed every namespace and process the demo made\n')
  }
  return failures === 0 ? 0 : 1
}

main().then((code) => { process.exitCode = code }, (err: Error) => {
  process.stderr.write(`demo failed: ${err.message}\n`)
  process.exitCode = 1
})
