/**
 * The transport AEAD (ChaCha20-Poly1305, nonce = 4 zero bytes ‖ counter LE, no AAD), in place:
 * seal turns buf[off, off+len) into ciphertext and writes the 16-byte tag after it; open checks
 * and decrypts buf[off, off+len) (ciphertext ‖ tag) into buf[off, off+len-16).
 *
 * Two implementations behind one interface:
 * - `nativeAead()`: loom_crypto.node (dataplane/native/loom_crypto.c), the OpenSSL inside the
 *   node binary: its ChaCha20 and Poly1305 assembly called directly ("direct", when it passes
 *   the addon's self-test at load) or its EVP interface ("evp"), no allocation per packet, and
 *   seal and open over a batch of up to 128 regions in one JS->C call;
 * - `nodeCryptoAead()`: node:crypto createCipheriv per packet (allocates a cipher object and
 *   output buffers per packet), kept as the fallback and the yardstick.
 * Measured in bench/crypto-micro.ts (figures in bench/README.md): the native one is used when
 * it loads.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto'
import { loadAddon } from '../../host/native-addon'
import { AEAD_TAG_LEN } from './constants'

export interface TransportAead {
  readonly name: string
  seal(key: Buffer, buf: Buffer, off: number, len: number, counter: number): boolean
  open(key: Buffer, buf: Buffer, off: number, len: number, counter: number): boolean
  /**
   * Seals `count` (<= 128) regions in one call: region i is bufs[refs[2i+1]][offsets[i], +lengths[i])
   * under keys[refs[2i]] with counters[i] (keys and bufs name each distinct one once: the native
   * addon reads each array element once, see loom_crypto.c). Returns how many were sealed.
   */
  sealBatch(keys: Buffer[], bufs: Buffer[], refs: Uint8Array, offsets: Int32Array, lengths: Int32Array,
    counters: Float64Array, count: number): number
  /**
   * Opens `count` regions in one call (as sealBatch, lengths[i] counting the tag): ok[i] = 1 if
   * region i authenticated and now holds the plaintext, 0 if not (the region is left as it was).
   * Returns how many authenticated. A region shorter than the tag throws (a caller bug).
   */
  openBatch(keys: Buffer[], bufs: Buffer[], refs: Uint8Array, offsets: Int32Array, lengths: Int32Array,
    counters: Float64Array, count: number, ok: Uint8Array): number
  /** The native addon's path ("direct" or "evp"), for status and the benchmarks. */
  readonly path?: string
}

/** Regions per batch call (loom_crypto.c's limit). */
export const AEAD_BATCH = 128

/**
 * The arguments of one sealBatch/openBatch call, built region by region; allocated once. A key or
 * buffer equal to the one before it is named once (a batch is mostly one key and a few buffers).
 */
export class AeadBatch {
  readonly keys: Buffer[] = []
  readonly bufs: Buffer[] = []
  readonly refs = new Uint8Array(2 * AEAD_BATCH)
  readonly offsets = new Int32Array(AEAD_BATCH)
  readonly lengths = new Int32Array(AEAD_BATCH)
  readonly counters = new Float64Array(AEAD_BATCH)
  readonly ok = new Uint8Array(AEAD_BATCH)
  count = 0
  private keyCount = 0
  private bufCount = 0

  /** Adds a region (the caller flushes before the 129th); returns its index in the batch. */
  add (key: Buffer, buf: Buffer, off: number, len: number, counter: number): number {
    const i = this.count++
    if (this.keyCount === 0 || this.keys[this.keyCount - 1] !== key) this.keys[this.keyCount++] = key
    if (this.bufCount === 0 || this.bufs[this.bufCount - 1] !== buf) this.bufs[this.bufCount++] = buf
    this.refs[2 * i] = this.keyCount - 1
    this.refs[2 * i + 1] = this.bufCount - 1
    this.offsets[i] = off
    this.lengths[i] = len
    this.counters[i] = counter
    return i
  }

  seal (aead: TransportAead): number {
    return this.count === 0
      ? 0
      : aead.sealBatch(this.keys, this.bufs, this.refs, this.offsets, this.lengths, this.counters, this.count)
  }

  open (aead: TransportAead): number {
    return this.count === 0
      ? 0
      : aead.openBatch(this.keys, this.bufs, this.refs, this.offsets, this.lengths, this.counters, this.count, this.ok)
  }

  /**
   * Empties the batch. The arrays keep their length (no reallocation per batch; the native side
   * only reads the entries refs names), so they hold on to the last keys and buffers until reused.
   */
  clear (): void {
    this.keyCount = 0
    this.bufCount = 0
    this.count = 0
  }
}

const nonce = Buffer.alloc(12)
function setNonce (counter: number): Buffer {
  nonce.writeUInt32LE(counter >>> 0, 4)
  nonce.writeUInt32LE(Math.floor(counter / 0x100000000), 8)
  return nonce
}

export function nodeCryptoAead (): TransportAead {
  const aead: TransportAead = {
    name: 'node:crypto',
    seal (key, buf, off, len, counter) {
      const c = createCipheriv('chacha20-poly1305', key, setNonce(counter), { authTagLength: AEAD_TAG_LEN })
      const region = buf.subarray(off, off + len)
      const out = c.update(region)
      out.copy(buf, off)
      c.final()
      c.getAuthTag().copy(buf, off + len)
      return true
    },
    open (key, buf, off, len, counter) {
      if (len < AEAD_TAG_LEN) return false
      const d = createDecipheriv('chacha20-poly1305', key, setNonce(counter), { authTagLength: AEAD_TAG_LEN })
      d.setAuthTag(buf.subarray(off + len - AEAD_TAG_LEN, off + len))
      const plain = d.update(buf.subarray(off, off + len - AEAD_TAG_LEN))
      try {
        d.final()
      } catch {
        return false
      }
      plain.copy(buf, off)
      return true
    },
    sealBatch (keys, bufs, refs, offsets, lengths, counters, count) {
      for (let i = 0; i < count; i++) {
        aead.seal(keys[refs[2 * i]], bufs[refs[2 * i + 1]], offsets[i], lengths[i], counters[i])
      }
      return count
    },
    openBatch (keys, bufs, refs, offsets, lengths, counters, count, ok) {
      let opened = 0
      for (let i = 0; i < count; i++) {
        if (lengths[i] < AEAD_TAG_LEN) throw new TypeError(`openBatch: region ${i} is shorter than the tag`)
      }
      for (let i = 0; i < count; i++) {
        ok[i] = aead.open(keys[refs[2 * i]], bufs[refs[2 * i + 1]], offsets[i], lengths[i], counters[i]) ? 1 : 0
        opened += ok[i]
      }
      return opened
    },
  }
  return aead
}

interface CryptoBinding {
  seal(key: Buffer, buf: Buffer, off: number, len: number, counter: number): boolean
  open(key: Buffer, buf: Buffer, off: number, len: number, counter: number): boolean
  sealBatch(keys: Buffer[], bufs: Buffer[], refs: Uint8Array, offsets: Int32Array, lengths: Int32Array,
    counters: Float64Array, count: number): number
  openBatch(keys: Buffer[], bufs: Buffer[], refs: Uint8Array, offsets: Int32Array, lengths: Int32Array,
    counters: Float64Array, count: number, ok: Uint8Array): number
  readonly path: string
  /** Forces the EVP path (true) or goes back to direct if it passed its self-test; returns the path in use. */
  useEvp(evp: boolean): string
}

/** The native AEAD, or undefined if loom_crypto.node is not built. */
export function nativeAead (): TransportAead | undefined {
  let b: CryptoBinding
  try {
    b = loadAddon<CryptoBinding>('dataplane/native/build/Release/loom_crypto.node')
  } catch {
    return undefined
  }
  return {
    name: 'native',
    get path () { return b.path },
    seal: b.seal,
    open: b.open,
    sealBatch: b.sealBatch,
    openBatch: b.openBatch,
  }
}

/**
 * Forces the native addon onto its EVP path (true) or back to the direct one (false) for the
 * whole process; returns the path in use, or undefined without the addon. Tests and bench only.
 */
export function useNativeEvp (evp: boolean): string | undefined {
  try {
    return loadAddon<CryptoBinding>('dataplane/native/build/Release/loom_crypto.node').useEvp(evp)
  } catch {
    return undefined
  }
}

/** The faster one available (see the header). */
export function defaultAead (): TransportAead {
  return nativeAead() ?? nodeCryptoAead()
}
