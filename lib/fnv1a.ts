/**
 * FNV-1a 32 (http://www.isthe.com/chongo/tech/comp/fnv/): the one non-cryptographic hash of
 * the code base. Stable across versions and machines, cheap, well spread on short similar
 * names ("node-1", "node-2"); used where every node must compute the same number from a name
 * without coordination (node indices, where a node starts probing for a free IPAM block).
 * Never where an attacker chooses the input and a collision costs anything: use sha256 there.
 */

const FNV32_OFFSET_BASIS = 0x811c9dc5
const FNV32_PRIME = 0x01000193

/** FNV-1a 32 of the bytes, as an unsigned number. */
export function fnv1a32 (bytes: Uint8Array): number {
  let h = FNV32_OFFSET_BASIS
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]
    h = Math.imul(h, FNV32_PRIME)
  }
  return h >>> 0
}

/** FNV-1a 32 of a string's UTF-8 bytes. */
export function fnv1a32String (text: string): number {
  return fnv1a32(Buffer.from(text, 'utf8'))
}
