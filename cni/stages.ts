/**
 * Where one CNI invocation spends its time inside the agent, stage by stage, so an operator
 * (`loom_cni_stage_seconds{command,stage}`, metrics/registry.ts) and bench/cni-latency.ts can
 * see which step a slow pod start waits on, alone and when 100 pods start at once.
 *
 * The stages, in the order an ADD passes them (DEL, CHECK and GC use the subset that applies):
 *   request        the API server reading and parsing the shim's HTTP request
 *   parse          CNI_* environment and netconf validation
 *   lock_wait      waiting behind an earlier invocation of the same attachment
 *   netns_open     opening and checking CNI_NETNS (cni/netns-file.ts)
 *   ready_wait     waiting for the agent to become ready (only right after a start)
 *   ipam_allocate  choosing the address in memory
 *   state_commit   waiting for the state write that holds the change to be on disk (group
 *                  commit, control/node/group-commit.ts); in gossip mode also a block claim
 *   veth_create    the RTM_NEWLINK that creates the pair (and the delete of a stale one)
 *   netns_enter    opening the netlink socket inside the pod's namespace (host/netns.ts)
 *   pod_config     the pod side: address, routes, neighbour (runs beside host_config)
 *   host_config    the host side: proxy ARP, /32 route (runs beside pod_config)
 *   netlink_sync   of veth_create, pod_config and host_config (ADD) or veth_detach (DEL): the
 *                  part of loomd's event loop spent in the netlink calls. For ADD that is
 *                  inside sendmsg, where the kernel does the work (and waits for its rtnl
 *                  lock), stopping every other request meanwhile; a DEL's detach runs on a
 *                  pool thread (./veth-reaper.ts), so its share is only the socket's opening,
 *                  counted for each DEL of the batch
 *   hook           the podAdded/podRemoved hooks (NetworkPolicy)
 *   veth_detach    DEL and GC: taking the host veth out of service (down, into the reap
 *                  group); its deletion follows off the answer's path (./veth-reaper.ts)
 *   release        DEL and GC: releasing the address in memory
 *   check          CHECK: reading back what ADD made
 *   result         building the answer
 *
 * Stages that run side by side (pod_config, host_config) overlap, and netlink_sync is part of
 * the three wiring stages, so a call's stages need not add up to its wall time; every other
 * stage is sequential.
 */

export const CNI_STAGES = [
  'request', 'parse', 'lock_wait', 'netns_open', 'ready_wait', 'ipam_allocate', 'state_commit', 'veth_create',
  'netns_enter', 'pod_config', 'host_config', 'netlink_sync', 'hook', 'veth_detach', 'release', 'check', 'result',
] as const
export type CniStage = (typeof CNI_STAGES)[number]

/** Per-invocation stage durations, seconds; a stage passed twice adds up. */
export class StageTimes {
  private readonly spent = new Map<CniStage, number>()

  /** Adds `seconds` to `stage` (negative or non-finite values are dropped). */
  add (stage: CniStage, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return
    this.spent.set(stage, (this.spent.get(stage) ?? 0) + seconds)
  }

  /** Runs `fn` and adds its time (resolved or rejected) to `stage`. */
  async time<T> (stage: CniStage, fn: () => Promise<T>): Promise<T> {
    const t0 = process.hrtime.bigint()
    try {
      return await fn()
    } finally {
      this.add(stage, secondsSince(t0))
    }
  }

  /** Synchronous form of `time`. */
  timeSync<T> (stage: CniStage, fn: () => T): T {
    const t0 = process.hrtime.bigint()
    try {
      return fn()
    } finally {
      this.add(stage, secondsSince(t0))
    }
  }

  entries (): Array<[CniStage, number]> {
    return [...this.spent]
  }
}

/** Seconds since a `process.hrtime.bigint()` reading. */
export function secondsSince (t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9
}
