/**
 * Names membership shares with other rooms: the slot through which application state rides on
 * gossip packets and push-pulls (../node/node-state.ts's NodeStateChannel fills it). Types only.
 */

/** What membership hands the application state: deltas from a packet, or a push-pull's full state. */
export type AppStateMessage =
  | { type: 'deltas', deltas: Uint8Array[], fromNodeId: string }
  | { type: 'full', state: Uint8Array, fromNodeId: string }

/**
 * Lets application state (the node-state channel: per-node topics such as multicast groups) ride
 * on gossip. IPAM does not use it: its messages are frames of their own ('LI'). Keep it small:
 * - `deltasToPiggyback(budgetBytes)`: deltas for the next outgoing UDP packet whose encoded sizes
 *   (each length + ~3 bytes of framing) fit `budgetBytes`; those that don't fit are dropped from
 *   this packet. The app keeps its own retransmit counting. Called once per outgoing UDP packet.
 * - `fullState()`: the app's whole state, sent with every push-pull (stream channel).
 * - `receive(msg)`: deltas piggybacked on a packet, or a peer's full state from push-pull, with the
 *   sender's node ID. Must not throw on bad input (validate, count, drop).
 */
export interface GossipAppState {
  deltasToPiggyback: (budgetBytes: number) => Uint8Array[]
  fullState: () => Uint8Array
  receive: (msg: AppStateMessage) => void
}
