/**
 * Names shared by the files of control/ipam/: the replicated state and its ops (cluster-state.ts
 * applies them), the block layout (blocks.ts computes it) and the key of a CNI attachment
 * (allocator.ts, ipam.ts, driver.ts). The claim protocol's messages are in messages.ts. Types only.
 */

export type NodeId = string

export interface IpamMember {
  readonly id: NodeId
  readonly joinedSlot: number
  /** Slot of the pending SUSPECT, 0 if none. */
  readonly suspectSlot: number
  /** The pending suspicion came from `rmpeer` (shorter wait, see replica.ts). */
  readonly forced: boolean
}

export interface BlockRecord {
  readonly block: number
  /** Empty string when free. */
  readonly owner: NodeId
  readonly epoch: number
  readonly state: 'free' | 'owned'
}

export type Op =
  | { readonly type: 'join', readonly node: NodeId }
  | { readonly type: 'claim', readonly node: NodeId, readonly block: number }
  /**
   * `epoch` is the slot of the claim that gave `node` the block (its BlockRecord.epoch): a RELEASE
   * frees only that ownership. Without it a release decided late (a coordinator re-proposes ops it
   * was forwarded for 2 s) freed the block again after its owner had claimed it anew and was
   * using it (seed 1159991801 of test/sim/ipam-stack-sim.test.ts).
   */
  | { readonly type: 'release', readonly node: NodeId, readonly block: number, readonly epoch: number }
  | { readonly type: 'suspect', readonly node: NodeId, readonly forced: boolean }
  | { readonly type: 'unsuspect', readonly node: NodeId }
  | { readonly type: 'remove', readonly node: NodeId }

/** Immutable: every change builds a new object (the simulator and stores share references). */
export interface ClusterState {
  readonly clusterId: string
  readonly blockCount: number
  readonly slot: number
  /** Slot of the last JOIN or REMOVE that took effect (the config version). */
  readonly configSlot: number
  readonly members: ReadonlyMap<NodeId, IpamMember>
  /** Index = block; undefined = never touched (free at epoch 0). */
  readonly blocks: ReadonlyArray<BlockRecord | undefined>
  readonly removed: ReadonlySet<NodeId>
}

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

export interface AttachmentKey {
  readonly containerId: string
  readonly ifname: string
}
