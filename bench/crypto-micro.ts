/**
 * Micro-benchmark of the transport AEAD (ChaCha20-Poly1305 in place, what every encrypted packet
 * costs): node:crypto per packet (createCipheriv/update/final/getAuthTag) against the native
 * addon (dataplane/native/loom_crypto.c, the OpenSSL inside the node binary) on both of its
 * paths ("direct": OpenSSL's ChaCha20/Poly1305 assembly called directly; "evp": its EVP
 * interface, one reused context), per packet and batched (128 packets per JS→C call). Seal and
 * open, 1420-byte and 64-byte payloads, at offset 64 (the forwarder's headroom). Single-threaded, no I/O.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/crypto-micro.js [packets]
 *
 * Prints the best and median ns/packet of 5 rounds and the implied Gbit/s of payload on one
 * core. The machine is shared: compare rows of one run, not runs.
 */
import { nativeAead, nodeCryptoAead, TransportAead, useNativeEvp } from '../dataplane/crypto/transport-aead'

const N = Number(process.argv[2] ?? 200_000)
const BATCH = 128
const ROUNDS = 5
let sink = 0

function time (label: string, ops: number, bytes: number, fn: (n: number) => void): void {
  fn(Math.min(ops, 20_000))
  const perOp: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint()
    fn(ops)
    perOp.push(Number(process.hrtime.bigint() - t0) / ops)
  }
  perOp.sort((a, b) => a - b)
  const gbps = (bytes * 8) / perOp[0]
  console.log(`${label.padEnd(40)} best ${perOp[0].toFixed(0).padStart(6)} ns/pkt, median ${perOp[ROUNDS >> 1].toFixed(0).padStart(6)} ns/pkt, ${gbps.toFixed(2).padStart(6)} Gbit/s`)
}

const key = Buffer.alloc(32, 0x42)
const impls: Array<{ aead: TransportAead, path?: string }> = [{ aead: nodeCryptoAead() }]
const native = nativeAead()
if (native !== undefined) {
  const direct = native.path === 'direct'
  if (direct) impls.push({ aead: native, path: 'direct' })
  impls.push({ aead: native, path: 'evp' })
} else {
  console.log('native AEAD not built (npm run build:native); node:crypto only')
}

for (const len of [1420, 64]) {
  const bufs = Array.from({ length: BATCH }, () => Buffer.alloc(64 + len + 16, 0x61))
  const offsets = new Int32Array(BATCH).fill(64)
  const lengths = new Int32Array(BATCH).fill(len)
  const openLengths = new Int32Array(BATCH).fill(len + 16)
  const counters = new Float64Array(BATCH)
  const ok = new Uint8Array(BATCH)
  const keys = [key]
  const refs = Uint8Array.from({ length: 2 * BATCH }, (_, j) => (j & 1) === 0 ? 0 : j >> 1) // one key, 128 buffers
  for (const { aead: a, path } of impls) {
    if (path !== undefined) useNativeEvp(path === 'evp')
    const name = path === undefined ? a.name : `${a.name} ${path}`
    let c = 0
    time(`seal ${name} per packet, ${len} B`, N, len, (n) => {
      for (let i = 0; i < n; i++) a.seal(key, bufs[i & (BATCH - 1)], 64, len, c++)
      sink += bufs[0][20]
    })
    time(`seal ${name} batch of ${BATCH}, ${len} B`, N, len, (n) => {
      for (let i = 0; i < n; i += BATCH) {
        for (let k = 0; k < BATCH; k++) counters[k] = c++
        a.sealBatch(keys, bufs, refs, offsets, lengths, counters, Math.min(BATCH, n - i))
      }
      sink += bufs[0][20]
    })
    // Open: seal a set of packets once, then open copies (the open is in place).
    const sealed = bufs.map((b, k) => { const x = Buffer.from(b); a.seal(key, x, 64, len, 1_000_000 + k); return x })
    const work = sealed.map((b) => Buffer.from(b))
    for (let k = 0; k < BATCH; k++) counters[k] = 1_000_000 + k
    time(`open ${name} per packet, ${len} B`, N, len, (n) => {
      for (let i = 0; i < n; i++) {
        const k = i & (BATCH - 1)
        sealed[k].copy(work[k])
        if (a.open(key, work[k], 64, len + 16, 1_000_000 + k)) sink++
      }
    })
    time(`open ${name} batch of ${BATCH}, ${len} B`, N, len, (n) => {
      for (let i = 0; i < n; i += BATCH) {
        for (let k = 0; k < BATCH; k++) sealed[k].copy(work[k])
        sink += a.openBatch(keys, work, refs, offsets, openLengths, counters, Math.min(BATCH, n - i), ok)
      }
    })
  }
}
console.log(`(sink ${sink})`)
