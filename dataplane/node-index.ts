/**
 * A node's 32-bit index: the receiver/sender index of the clear `udp` framing, derived from the
 * node name so that every node computes the same index for every other node without any
 * coordination (static mode has no control plane to hand indices out).
 *
 * FNV-1a 32 over the UTF-8 bytes of the name (lib/fnv1a.ts):
 * stable, cheap, well spread on short similar names ("node-1", "node-2"). Index 0 is reserved
 * ("unknown", NODE_INDEX_UNKNOWN); the one name in 2^32 that hashes to 0 gets 1 instead.
 * Collisions between two nodes (birthday: ~1e-4 in a 1000-node cluster) are not resolved here:
 * RouteTable.build rejects two peers with the same index, naming both, and renaming a node fixes it.
 */
import { fnv1a32String } from '../lib'

/** The stable, non-zero 32-bit index of a node. Throws TypeError on an empty name. */
export function deriveNodeIndex (nodeName: string): number {
  if (typeof nodeName !== 'string' || nodeName.length === 0) {
    throw new TypeError(`cannot derive a node index from node name ${JSON.stringify(nodeName)}: expected a non-empty string`)
  }
  const h = fnv1a32String(nodeName)
  return h === 0 ? 1 : h
}
