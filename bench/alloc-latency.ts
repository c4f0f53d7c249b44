/**
 * Allocation latency on real nodes: three loomd nodes in gossip mode (namespaces on this machine),
 * then N pod ADDs and DELs through the agent API of node 2, as loom-cni makes them. Includes the
 * crash-safe write before each answer and, when a node runs out of spare addresses, the block
 * claim through the IPAM log. Reported, not asserted.
 *
 *   node dist/bench/alloc-latency.js [N=500]     (root; removes everything it made)
 */
import { isRoot, NetnsLab } from '../test/netns/lib/netns-lab'
import { apiRequest, OverlayLab } from '../test/netns/lib/overlay-lab'

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

function summary (label: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b)
  return `${label}: n=${s.length} p50=${percentile(s, 50).toFixed(2)} ms p99=${percentile(s,
    99).toFixed(2)} ms max=${s[s.length - 1].toFixed(2)} ms`
}

async function main (): Promise<void> {
  if (!isRoot()) throw new Error('run as root (creates network namespaces)')
  const n = Math.min(Math.max(Number(process.argv[2] ?? 500), 10), 5000)
  const lab = new NetnsLab('balloc')
  try {
    const overlay = new OverlayLab(lab,
      { nodes: 3, podsPerNode: 0, encapsulation: 'udp', gossip: {}, logLevel: 'warn' })
    await overlay.build()
    await overlay.startAll()
    const node = overlay.nodes[1]
    const deadline = Date.now() + 30_000
    while ((await apiRequest(node.apiSocket, 'GET', '/v1/ready')).status !== 200) {
      if (Date.now() > deadline) throw new Error('node2 never became ready')
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    const add: number[] = []
    const del: number[] = []
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      const r = await apiRequest(node.apiSocket, 'POST', '/v1/cni/add', { containerID: `bench${i}`, ifname: 'eth0' })
      if (r.status !== 200) throw new Error(`ADD ${i} failed: ${JSON.stringify(r.body)}`)
      add.push(performance.now() - t0)
    }
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      await apiRequest(node.apiSocket, 'POST', '/v1/cni/del', { containerID: `bench${i}`, ifname: 'eth0' })
      del.push(performance.now() - t0)
    }
    process.stdout.write(`${summary('ADD (API round trip, fsync, block claims included)', add)}\n`)
    process.stdout.write(`${summary('DEL', del)}\n`)
  } finally {
    await lab.cleanup()
  }
}

main().catch((err: Error) => {
  process.stderr.write(`alloc-latency: ${err.message}\n`)
  process.exitCode = 1
})
