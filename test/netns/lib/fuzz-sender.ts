/**
 * The fuzz load of test/netns/faults.test.ts and soak.ts, run as its own process inside a
 * namespace (`ip netns exec <ns> node fuzz-sender.js '<json>'`): random and mutated frames at
 * one of loomd's inputs, bounded by a count and a time, from a seeded PRNG. Prints one JSON line
 * `{sent, connections, elapsedMs}` at the end.
 *
 * kinds:
 * - `data`: UDP datagrams at the data port: Loom `udp` headers (type 0x10, real node indexes)
 *   around IPv4 packets, WireGuard message types, VXLAN headers, and plain noise, then mutated
 *   (bit flips, truncation, extension);
 * - `gossip-udp`: datagrams at the gossip port: 'LG'/'LI'/'LS' frames with noise bodies and
 *   wrong lengths and, with `secretFile`, frames sealed under the real cluster key (an insider:
 *   the noise reaches the decoders behind the seal);
 * - `gossip-tcp`: the same frames over TCP, one frame per connection, 3 connections at a time;
 * - `api`: one mutated HTTP request (or noise) per connection on the local API socket (no GC or
 *   rmpeer: those remove state by design).
 */
import { createSocket } from 'node:dgram'
import { connect, createConnection } from 'node:net'
import { loadClusterSecret } from '../../../agent/cluster-secret'
import { GossipKeyring } from '../../../control'
import { between, pick, seededRandom, type Random } from './seeded-random'

export type FuzzKind = 'data' | 'gossip-udp' | 'gossip-tcp' | 'api'

export interface FuzzJob {
  kind: FuzzKind
  /** "ip:port" or, for `api`, the socket path. */
  target: string
  count: number
  seconds: number
  seed: number
  /** `data`: node indexes to put in Loom headers. */
  nodeIndexes?: number[]
  /** gossip kinds: seal some frames with this cluster secret. */
  secretFile?: string
}

export interface FuzzResult { sent: number; connections: number; elapsedMs: number }

function noise (r: Random, len: number): Buffer {
  const b = Buffer.allocUnsafe(len)
  for (let i = 0; i < len; i++) b[i] = Math.floor(r() * 256)
  return b
}

/** Bit flips, truncation or extension of a template. */
function mutate (r: Random, b: Buffer): Buffer {
  const what = r()
  if (what < 0.15) return b.subarray(0, 1 + Math.floor(r() * Math.max(0, b.length - 1)))
  if (what < 0.25) return Buffer.concat([b, noise(r, between(r, 1, 64))])
  const out = Buffer.from(b)
  const flips = between(r, 1, 4)
  for (let i = 0; i < flips && out.length > 0; i++) {
    const at = Math.floor(r() * out.length)
    out[at] = r() < 0.5 ? out[at]! ^ (1 << Math.floor(r() * 8)) : Math.floor(r() * 256)
  }
  return out
}

function ipv4 (r: Random, payload: number): Buffer {
  const b = noise(r, 20 + payload)
  b[0] = 0x45
  b.writeUInt16BE(b.length, 2)
  b[8] = 64
  b[9] = pick(r, [1, 6, 17, 2])
  b.set([10, 244, between(r, 0, 255), between(r, 1, 254)], 12)
  b.set([10, 244, between(r, 0, 255), between(r, 1, 254)], 16)
  return b
}

function dataFrame (r: Random, indexes: readonly number[]): Buffer {
  const what = r()
  if (what < 0.1) return noise(r, between(r, 0, 1500))
  let frame: Buffer
  if (what < 0.7) {
    const h = Buffer.alloc(12)
    h[0] = 0x10
    h[1] = 1
    h.writeUInt32BE(indexes.length > 0 ? pick(r, indexes) : Math.floor(r() * 2 ** 32), 4)
    h.writeUInt32BE(indexes.length > 0 ? pick(r, indexes) : Math.floor(r() * 2 ** 32), 8)
    frame = Buffer.concat([h, ipv4(r, between(r, 0, 200))])
  } else if (what < 0.85) {
    const type = between(r, 1, 4)
    const size = [0, 148, 92, 64, 32 + between(r, 0, 200)][type]!
    frame = noise(r, size)
    frame.writeUInt32LE(type, 0)
  } else {
    frame = Buffer.concat([Buffer.from([0x08, 0, 0, 0, 0, 0, 1, 0]), noise(r, 14), ipv4(r, between(r, 0, 200))])
  }
  return r() < 0.6 ? mutate(r, frame) : frame
}

function gossipFrame (r: Random, keyring: GossipKeyring | undefined): Buffer {
  const body = noise(r, between(r, 0, r() < 0.9 ? 300 : 1300))
  const magic = pick(r, [0x4c47, 0x4c49, 0x4c53, Math.floor(r() * 65536)])
  const plain = Buffer.alloc(6 + body.length)
  plain.writeUInt16BE(magic, 0)
  plain.writeUInt32BE(r() < 0.8 ? body.length : Math.floor(r() * 2 ** 32), 2)
  plain.set(body, 6)
  if (keyring !== undefined && r() < 0.5) {
    const inner = Buffer.from(plain)
    inner.writeUInt16BE(pick(r, [0x4c47, 0x4c49]), 0)
    inner.writeUInt32BE(body.length, 2)
    const sealed = keyring.seal(inner)
    return r() < 0.2 ? mutate(r, sealed) : sealed
  }
  return r() < 0.5 ? mutate(r, plain) : plain
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'GE T', '']
// The socket is root's (0600): the fuzzer is a careless root client, not a stranger. GC and
// rmpeer are left out: a well-formed call of either removes state by design.
const PATHS = ['/v1/status', '/v1/cni', '/v1/cni/add', '/v1/cni/del', '/v1/cni/attachment', '/v1/policy', '/v1/ready',
  '/%00', '/x'.repeat(200), '*']

function apiRequestBytes (r: Random): Buffer {
  if (r() < 0.15) return noise(r, between(r, 1, 2000))
  const body = r() < 0.5
    ? Buffer.from(JSON.stringify({
      containerID: r() < 0.5 ? 'fuzz' : noise(r, 8).toString('latin1'),
      ifname: 'eth0',
      valid: r() < 0.5 ? [] : 'x',
      nodeName: 'x'
    }))
    : noise(r, between(r, 0, 600))
  const head = `${pick(r, METHODS)} ${pick(r, PATHS)} HTTP/1.${between(r, 0, 1)}\r\nHost: loom\r\n` +
    `Content-Length: ${r() < 0.8 ? body.length : between(r, 0, 1 << 30)}\r\nConnection: close\r\n` +
    (r() < 0.2 ? 'Transfer-Encoding: chunked\r\n' : '') + '\r\n'
  const req = Buffer.concat([Buffer.from(head, 'latin1'), body])
  return r() < 0.4 ? mutate(r, req) : req
}

function hostPort (target: string): { host: string; port: number } {
  const i = target.lastIndexOf(':')
  return { host: target.slice(0, i), port: Number(target.slice(i + 1)) }
}

async function sendDatagrams (job: FuzzJob, make: () => Buffer, deadline: number): Promise<number> {
  const { host, port } = hostPort(job.target)
  const sock = createSocket('udp4')
  let sent = 0
  // Batches of 64 sends awaited together: a bounded number in flight, never an unbounded queue.
  while (sent < job.count && Date.now() < deadline) {
    const n = Math.min(64, job.count - sent)
    await Promise.all(Array.from({ length: n }, () => new Promise<void>((resolve) => {
      sock.send(make(), port, host, () => resolve())
    })))
    sent += n
  }
  sock.close()
  return sent
}

/** One frame per connection, `parallel` connections at a time; each connection ends after writing. */
async function sendStreams (job: FuzzJob, make: () => Buffer, deadline: number, parallel: number,
  open: () => ReturnType<typeof connect>): Promise<{ sent: number; connections: number }> {
  let sent = 0
  let connections = 0
  const one = (): Promise<void> => new Promise((resolve) => {
    const sock = open()
    const done = (): void => { clearTimeout(timer); sock.destroy(); resolve() }
    const timer = setTimeout(done, 2000)
    sock.on('error', done)
    sock.on('close', done)
    sock.on('data', () => {})
    sock.on('connect', () => {
      connections++
      sock.end(make())
    })
    sent++
  })
  const worker = async (): Promise<void> => {
    while (sent < job.count && Date.now() < deadline) await one()
  }
  await Promise.all(Array.from({ length: parallel }, worker))
  return { sent, connections }
}

export async function runFuzz (job: FuzzJob): Promise<FuzzResult> {
  const r = seededRandom(job.seed)
  const started = Date.now()
  const deadline = started + job.seconds * 1000
  const keyring = job.secretFile !== undefined ? new GossipKeyring(loadClusterSecret(job.secretFile).keys) : undefined
  let sent = 0
  let connections = 0
  if (job.kind === 'data') {
    sent = await sendDatagrams(job, () => dataFrame(r, job.nodeIndexes ?? []), deadline)
  } else if (job.kind === 'gossip-udp') {
    sent = await sendDatagrams(job, () => gossipFrame(r, keyring), deadline)
  } else if (job.kind === 'gossip-tcp') {
    const { host, port } = hostPort(job.target);
    ({
      sent, connections
    } = await sendStreams(job, () => gossipFrame(r, keyring), deadline, 3, () => createConnection({ host, port })))
  } else {
    ({
      sent, connections
    } = await sendStreams(job, () => apiRequestBytes(r), deadline, 8, () => createConnection({ path: job.target })))
  }
  return { sent, connections, elapsedMs: Date.now() - started }
}

if (require.main === module) {
  const job = JSON.parse(process.argv[2] ?? '{}') as FuzzJob
  runFuzz(job).then((res) => { process.stdout.write(`${JSON.stringify(res)}\n`) }, (err) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`)
    process.exit(1)
  })
}
