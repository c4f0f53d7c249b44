/**
 * tcp-rr: round-trip latency of a TCP request/response loop (netperf's TCP_RR, in Node), for
 * bench/anchors.sh. Unlike ping, every round trip crosses both nodes' TCP stacks and wakes an
 * application on each side, as an RPC does.
 *
 *   node dist/bench/tcp-rr.js server PORT            echo every byte back (TCP_NODELAY), until killed
 *   node dist/bench/tcp-rr.js client HOST PORT COUNT [BYTES=64] [INTERVAL_MS=0]
 *       COUNT requests of BYTES, one at a time: the next leaves when the whole answer is in
 *       (after INTERVAL_MS, 0 = at once); prints one JSON line
 *       { count, bytes, avg_ms, p50_ms, p99_ms, max_ms } (nearest-rank percentiles, as ping_stats).
 * Bounded: the client gives up after 30 s without an answer, or 120 s in all.
 */
import { createConnection, createServer } from 'node:net'

function server (port: number): void {
  createServer((sock) => {
    sock.setNoDelay(true)
    sock.on('data', (d) => sock.write(d))
    sock.on('error', () => sock.destroy())
  }).listen(port)
}

function rank (sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]
}

function client (host: string, port: number, count: number, bytes: number, intervalMs: number): void {
  const request = Buffer.alloc(bytes, 0x5a)
  const rtts: number[] = []
  let got = 0
  let sentAt = 0n
  const sock = createConnection({ host, port })
  const overall = setTimeout(() => { console.error('tcp-rr: 120 s limit reached'); process.exit(1) }, 120_000)
  sock.setNoDelay(true)
  sock.setTimeout(30_000, () => { console.error('tcp-rr: no answer for 30 s'); process.exit(1) })
  const send = (): void => { sentAt = process.hrtime.bigint(); sock.write(request) }
  sock.on('connect', send)
  sock.on('error', (err) => { console.error(`tcp-rr: ${err.message}`); process.exit(1) })
  sock.on('data', (d) => {
    got += d.length
    if (got < bytes) return
    got -= bytes
    rtts.push(Number(process.hrtime.bigint() - sentAt) / 1e6)
    if (rtts.length < count) {
      if (intervalMs > 0) setTimeout(send, intervalMs)
      else send()
      return
    }
    clearTimeout(overall)
    sock.destroy()
    const sorted = [...rtts].sort((a, b) => a - b)
    const avg = rtts.reduce((s, x) => s + x, 0) / rtts.length
    console.log(JSON.stringify({
      count: rtts.length,
      bytes,
      avg_ms: avg,
      p50_ms: rank(sorted, 0.5),
      p99_ms: rank(sorted, 0.99),
      max_ms: sorted[sorted.length - 1],
    }))
  })
}

function main (argv: string[]): void {
  const [mode, ...rest] = argv
  const int = (s: string | undefined, name: string, min: number, max: number): number => {
    const n = Number(s)
    if (!Number.isInteger(n) || n < min || n > max) {
      console.error(`tcp-rr: ${name} must be an integer ${min}..${max}, got ${String(s)}`)
      process.exit(2)
    }
    return n
  }
  if (mode === 'server') {
    server(int(rest[0], 'PORT', 1, 65535))
  } else if (mode === 'client' && rest[0] !== undefined) {
    client(rest[0], int(rest[1], 'PORT', 1, 65535), int(rest[2], 'COUNT', 1, 1_000_000),
      int(rest[3] ?? '64', 'BYTES', 1, 65536), int(rest[4] ?? '0', 'INTERVAL_MS', 0, 10_000))
  } else {
    console.error('usage: tcp-rr server PORT | tcp-rr client HOST PORT COUNT [BYTES] [INTERVAL_MS]')
    process.exit(2)
  }
}

main(process.argv.slice(2))
