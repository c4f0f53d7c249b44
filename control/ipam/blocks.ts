/**
 * Block math for IPAM: the cluster CIDR is cut into 2^(blockSize - prefix) fixed blocks; a block
 * is named by its index, an address inside it by its offset. Pure, IPv4 only (an IPv6 pool needs
 * bigint arithmetic here and nowhere else).
 *
 * The network and broadcast addresses of the *cluster* CIDR are never handed out (offset 0 of
 * block 0, last offset of the last block); every other address is usable because pods get /32s.
 */
import { fnv1a32String, formatCIDR, tryParseCIDR } from '../../lib'
import { IpamConfigError } from './errors'
import type { BlockLayout } from './types'

/** Validates `cidr` (e.g. 10.244.0.0/16) and `blockPrefix` (e.g. 26) and returns the layout. */
export function makeBlockLayout (cidr: string, blockPrefix: number): BlockLayout {
  const c = tryParseCIDR(cidr)
  const prefix = c?.prefixLength ?? 0
  if (c === undefined || prefix < 1 || prefix > 30) {
    throw new IpamConfigError(`clusterCIDR ${JSON.stringify(cidr)} is not an IPv4 CIDR with prefix 1..30`)
  }
  if (!Number.isInteger(blockPrefix) || blockPrefix < prefix || blockPrefix > 30) {
    throw new IpamConfigError(`blockSize ${blockPrefix} must be an integer between the cluster prefix ${prefix} and 30`)
  }
  if (c.hostBitsSet) {
    throw new IpamConfigError(`clusterCIDR ${cidr} has host bits set (expected ${formatCIDR(c.network, prefix)})`)
  }
  const base = c.network
  const blockCount = 2 ** (blockPrefix - prefix)
  if (blockCount > 65536) throw new IpamConfigError(`clusterCIDR ${cidr} with blockSize ${blockPrefix} gives ${blockCount} blocks (max 65536)`)
  return Object.freeze({ cidr, base, prefix, blockPrefix, blockCount, blockSize: 2 ** (32 - blockPrefix) })
}

export function blockAddress (l: BlockLayout, block: number, offset: number): number {
  return l.base + block * l.blockSize + offset
}

export function formatBlockCIDR (l: BlockLayout, block: number): string {
  return formatCIDR(blockAddress(l, block, 0), l.blockPrefix)
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

/**
 * FNV-1a of the node id: where the proposer starts probing for a free block for it. A hint only
 * (the chosen block travels in the op), so replicas need not agree on it.
 */
export function hashNodeId (nodeId: string): number {
  return fnv1a32String(nodeId)
}
