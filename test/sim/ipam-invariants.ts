/**
 * The IPAM safety check of the IPAM sims (ipam-stack.ts), run after every 100 ms step:
 * - no block is usable by two nodes (usable = owned in the node's applied state + valid lease);
 * - no address is held by two attachments in usable blocks;
 * - a block a node uses is still its own in the newest decided state any live node holds
 *   (catches a node that keeps using a block after it was released or reclaimed, even before
 *   anyone reuses it).
 */
import type { Ipam } from '../../control/ipam'
import { blockOwner } from '../../control/ipam/cluster-state'
import type { ClusterState } from '../../control/ipam/types'

/** A live node as the check sees it: its IPAM id, its Ipam and its local clock now. */
export interface IpamUnderTest {
  id: string
  ipam: Ipam
  now: number
}

/** Calls `fail` once per violation among `live` (the nodes that are up). */
export function checkIpamInvariants (live: readonly IpamUnderTest[], fail: (s: string) => void): void {
  // The most advanced decided state any live node holds: a block a node uses must still be
  // its own there (S3/S4: it stops before a RELEASE or REMOVE can be decided).
  let newest: ClusterState | null = null
  for (const n of live) {
    const st = n.ipam.replica.state
    if (st !== null && (newest === null || st.slot > newest.slot)) newest = st
  }
  const blockUser = new Map<number, string>()
  // Address -> index in `live` of its holder; the text is built only for a failure (this runs
  // over every attachment at every step).
  const addrUser = new Map<string, number>()
  for (let i = 0; i < live.length; i++) {
    const n = live[i]
    const usable = new Set(n.ipam.usableBlocks(n.now))
    for (const b of usable) {
      if (newest !== null && blockOwner(newest, b) !== n.id) {
        fail(`${n.id} uses block ${b}, which slot ${newest.slot} gives to ${blockOwner(newest, b) ?? 'nobody'}`)
      }
      const o = blockUser.get(b)
      if (o !== undefined) fail(`block ${b} usable by ${o} and ${n.id}`)
      blockUser.set(b, n.id)
    }
    for (const a of n.ipam.allocator.entries()) {
      if (!usable.has(a.block)) continue
      const o = addrUser.get(a.address)
      if (o !== undefined) {
        // An earlier holder of the address on that node (not `a` itself).
        const first = live[o]
        const held = [...first.ipam.allocator.entries()].find(x => x.address === a.address && x !== a)
        fail(`address ${a.address} held by ${first.id}:${held?.key ?? '?'} and ${n.id}:${a.key}`)
      }
      addrUser.set(a.address, i)
    }
  }
}
