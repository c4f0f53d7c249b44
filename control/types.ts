/**
 * Names shared by more than one room of control/: what a pod attachment is, the interface both
 * modes' address managers implement (static/pod-addresses.ts, ipam/driver.ts), and the slice of
 * the gossip IPAM the control plane drives. Types only: importing this file loads nothing.
 */

/**
 * The slice of the gossip IPAM the control plane drives (ipam/driver.ts implements it); optional so membership can run
 * alone.
 */
export interface IpamDriver {
  tick(now: number): void
  receiveFrame(body: Uint8Array, fromNodeId: string, now: number): void
  takeOutbox(): Array<{ to: string; body: Uint8Array }>
  onMemberChange(nodeId: string, state: 'alive' | 'suspect' | 'dead', now: number): void
  /** Owned blocks of every member: prefix -> owner node ID. */
  routes(): Array<{ prefix: string; nodeId: string }>
  /** Bumped whenever routes() may have changed. */
  readonly routesVersion: number
}

export interface AttachmentId {
  readonly containerID: string
  readonly ifname: string
}

export interface AttachmentMeta {
  readonly netns?: string
  readonly podName?: string
  readonly podNamespace?: string
}

export interface AttachmentRecord extends AttachmentId, AttachmentMeta {
  /** The pod's address (dotted IPv4; the pod gets it as a /32). */
  readonly address: string
  /** Name of the host side of the pod's veth pair, chosen here so that DEL and GC can find it. */
  readonly hostVeth: string
}

export interface PodAddressManager {
  /** True when allocate can succeed now. */
  ready(): boolean
  /**
   * Returns the attachment's address, allocating one if needed. May wait (bounded) for a block to
   * be claimed; fails with IpamError subclasses (IpamTryAgainError -> CNI code 11).
   */
  allocate(id: AttachmentId, meta: AttachmentMeta): AttachmentRecord | Promise<AttachmentRecord>
  /**
   * Releases the attachment's address in memory; null when it had none. Durable once `durable()`
   * settles (at once with a plain store; with a group-commit store, once the shared write is done).
   */
  release(id: AttachmentId): AttachmentRecord | null
  /** Settles once every change made so far is on disk; rejects if the write holding one failed. */
  durable(): Promise<void>
  get(id: AttachmentId): AttachmentRecord | undefined
  list(): AttachmentRecord[]
}
