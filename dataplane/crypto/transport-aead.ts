/**
 * The transport AEAD (ChaCha20-Poly1305, nonce = 4 zero bytes ‖ counter LE, no AAD), in place:
 * seal turns buf[off, off+len) into ciphertext and writes the 16-byte tag after it; open checks
 * and decrypts buf[off, off+len) (ciphertext ‖ tag) into buf[off, off+len-16).
 *
 * Two implementations behind one interface:
 * - `nativeAead()`: loom_crypto.node (dataplane/native/loom_crypto.c), OpenSSL's EVP through
 *   the node binary, one reused context per direction, no allocation per packet;
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
  /** Seals `count` regions in one call (keys[i], bufs[i], offsets[i], lengths[i], counters[i]); returns how many. */
  sealBatch(keys: Buffer[], bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, counters: Float64Array,
    count: number): number
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
    sealBatch (keys, bufs, offsets, lengths, counters, count) {
      for (let i = 0; i < count; i++) aead.seal(keys[i], bufs[i], offsets[i], lengths[i], counters[i])
      return count
    },
  }
  return aead
}

interface CryptoBinding {
  seal(key: Buffer, buf: Buffer, off: number, len: number, counter: number): boolean
  open(key: Buffer, buf: Buffer, off: number, len: number, counter: number): boolean
  sealBatch(keys: Buffer[], bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, counters: Float64Array,
    count: number): number
}

/** The native AEAD, or undefined if loom_crypto.node is not built. */
export function nativeAead (): TransportAead | undefined {
  let b: CryptoBinding
  try {
    b = loadAddon<CryptoBinding>('dataplane/native/build/Release/loom_crypto.node')
  } catch {
    return undefined
  }
  return { name: 'native', seal: b.seal, open: b.open, sealBatch: b.sealBatch }
}

/** The faster one available (see the header). */
export function defaultAead (): TransportAead {
  return nativeAead() ?? nodeCryptoAead()
}
