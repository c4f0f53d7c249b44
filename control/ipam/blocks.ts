/**
 * Block math for IPAM: the cluster CIDR is cut into 2^(blockSize - prefix) fixed blocks; a block
 * is named by its index, an address inside it by its offset. Pure, IPv4 only (an IPv6 pool needs
 * bigint arithmetic here and nowhere else).
 *
 * The network and broadcast addresses of the *cluster* CIDR are never handed out (offset 0 of
 * block 0, last offset of the last block); every other address is usable because pods get /32s.
 */
import { IpamConfigError } from './errors'

export interface BlockLayout {
  readonly cidr: string
  /** Cluster network address as an unsigned 32-bit integer. */
  readonly base: number
  readonly prefix: number
  readonly blockPrefix: number
  readonly blockCount: number
  /** Addresses per block. */
  readonly blockSize: number
}

export function parseIPv4 (s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s)
  if (m === null) return null
  let v = 0
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i])
    if (o > 255) return null
    v = v * 256 + o
  }
  return v
}

export function formatIPv4 (v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`
}

/** Validates `cidr` (e.g. 10.244.0.0/16) and `blockPrefix` (e.g. 26) and returns the layout. */
export function makeBlockLayout (cidr: string, blockPrefix: number): BlockLayout {
  const [addr, len, extra] = cidr.split('/')
  const base = parseIPv4(addr ?? '')
  const prefix = Number(len)
  if (base === null || extra !== undefined || len === undefined || !Number.isInteger(prefix) || prefix < 1 || prefix > 30) {
    throw new IpamConfigError(`clusterCIDR ${JSON.stringify(cidr)} is not an IPv4 CIDR with prefix 1..30`)
  }
  if (!Number.isInteger(blockPrefix) || blockPrefix < prefix || blockPrefix > 30) {
    throw new IpamConfigError(`blockSize ${blockPrefix} must be an integer between the cluster prefix ${prefix} and 30`)
  }
  const hostBits = 32 - prefix
  if (base % 2 ** hostBits !== 0) {
    throw new IpamConfigError(`clusterCIDR ${cidr} has host bits set (expected ${formatIPv4(base - (base % 2 ** hostBits))}/${prefix})`)
  }
  const blockCount = 2 ** (blockPrefix - prefix)
  if (blockCount > 65536) throw new IpamConfigError(`clusterCIDR ${cidr} with blockSize ${blockPrefix} gives ${blockCount} blocks (max 65536)`)
  return Object.freeze({ cidr, base, prefix, blockPrefix, blockCount, blockSize: 2 ** (32 - blockPrefix) })
}

export function blockAddress (l: BlockLayout, block: number, offset: number): number {
  return l.base + block * l.blockSize + offset
}

export function formatBlockCIDR (l: BlockLayout, block: number): string {
  return `${formatIPv4(blockAddress(l, block, 0))}/${l.blockPrefix}`
}

/** Address → {block, offset}, or null when outside the cluster CIDR. */
export function locateAddress (l: BlockLayout, addr: number): { block: number, offset: number } | null {
  const rel = addr - l.base
  if (rel < 0 || rel >= l.blockCount * l.blockSize) return null
  return { block: Math.floor(rel / l.blockSize), offset: rel % l.blockSize }
}

/** Whether an offset may be handed out (not the cluster network or broadcast address). */
export function isUsableOffset (l: BlockLayout, block: number, offset: number): boolean {
  if (block === 0 && offset === 0) return false
  if (block === l.blockCount - 1 && offset === l.blockSize - 1) return false
  return true
}

/** FNV-1a of the node id: where this node starts probing for a free block. */
export function hashNodeId (nodeId: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < nodeId.length; i++) {
    h ^= nodeId.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}
