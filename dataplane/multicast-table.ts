/**
 * The multicast forwarding table: group → local member veths and remote member nodes. Built
 * whole by the control side (agent/multicast.ts) on every membership or route change and swapped
 * into the MulticastForwarder, which only reads it (one Map lookup per packet, no allocation).
 */
import type { PeerRoute } from './types'

/** A pod's host-side veth as the multicast path sees it. */
export interface PodPort {
  readonly ifindex: number
  /** The host-side veth's name (lxc…) and MAC: the source MAC of frames we deliver on it. */
  readonly name: string
  readonly mac: Buffer
  /** The pod's address (host-order u32): the only source a frame from this veth may carry. */
  readonly addressU32: number
  /** For status: "namespace/name" when the runtime gave it, else the container ID. */
  readonly pod: string
}

export interface GroupRoute {
  readonly group: number
  readonly local: readonly PodPort[]
  readonly remote: readonly PeerRoute[]
}

export class MulticastTable {
  private constructor (private readonly byGroup: Map<number, GroupRoute>,
    readonly floodPeers: readonly PeerRoute[] | undefined) {}

  /**
   * `groups`: each group with its local members and member nodes. `floodPeers` (static mode's
   * `multicast.mode: flood`): every packet also goes to all of these, members or not.
   */
  static build (groups: Iterable<GroupRoute>, floodPeers?: readonly PeerRoute[]): MulticastTable {
    const m = new Map<number, GroupRoute>()
    for (const g of groups) {
      const remote = floodPeers ?? g.remote
      if (g.local.length > 0 || remote.length > 0) {
        m.set(g.group >>> 0,
          { group: g.group >>> 0, local: g.local, remote })
      }
    }
    return new MulticastTable(m, floodPeers)
  }

  static empty (): MulticastTable {
    return new MulticastTable(new Map(), undefined)
  }

  lookup (group: number): GroupRoute | undefined {
    return this.byGroup.get(group)
  }

  groups (): GroupRoute[] {
    return [...this.byGroup.values()]
  }
}
