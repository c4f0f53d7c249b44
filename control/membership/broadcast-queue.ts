/**
 * The piggyback queue of membership rumours (memberlist TransmitLimitedQueue, simplified).
 *
 * - At most one queued update per member: a newer rumour about a node replaces the older one
 *   (it carries the higher-precedence state, so the old one is useless).
 * - Each update is sent at most `retransmitLimit(n)` times = RetransmitMult · ceil(log10(n+1)),
 *   the λ·log n of SWIM, then dropped. Anti-entropy (push-pull) repairs what this misses.
 * - Least-transmitted first, newest first among equals, so fresh news spreads fastest.
 * - Packing is by encoded size against a byte budget (the UDP datagram budget).
 *
 * Pure; sizes come from the codec. Queue length is bounded by the member count.
 */
import { encodedUpdateSize, type MemberUpdate } from '../transport'

interface Entry {
  update: MemberUpdate
  size: number
  transmits: number
  seq: number
}

export function retransmitLimit (retransmitMult: number, n: number): number {
  return retransmitMult * Math.ceil(Math.log10(n + 1))
}

export class BroadcastQueue {
  private readonly byNode = new Map<string, Entry>()
  private seq = 0

  /** Queue `update` (replacing any queued rumour about the same node). */
  enqueue (update: MemberUpdate): void {
    this.byNode.set(update.member.nodeId, { update, size: encodedUpdateSize(update), transmits: 0, seq: this.seq++ })
  }

  /** Drop any queued rumour about `nodeId`. */
  remove (nodeId: string): void {
    this.byNode.delete(nodeId)
  }

  get length (): number {
    return this.byNode.size
  }

  /** The queued rumour about `nodeId`, if any (tests, buddy system). */
  peek (nodeId: string): MemberUpdate | undefined {
    return this.byNode.get(nodeId)?.update
  }

  /**
   * Take updates whose encoded sizes sum to at most `budgetBytes`, counting one transmission for
   * each and dropping those that reach `limit`. `exclude` skips one node's rumour (already placed
   * in the packet by the caller). Returns updates in send order.
   */
  take (budgetBytes: number, limit: number, exclude?: string): MemberUpdate[] {
    if (this.byNode.size === 0 || budgetBytes <= 0) return []
    const entries = [...this.byNode.values()].sort((a, b) => a.transmits - b.transmits || b.seq - a.seq)
    const out: MemberUpdate[] = []
    let used = 0
    for (const e of entries) {
      if (e.update.member.nodeId === exclude) continue
      if (used + e.size > budgetBytes) continue
      used += e.size
      out.push(e.update)
      e.transmits++
      if (e.transmits >= limit) this.byNode.delete(e.update.member.nodeId)
    }
    return out
  }
}
