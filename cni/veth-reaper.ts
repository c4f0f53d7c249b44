/**
 * Taking host veths out of service at once and deleting them later, in batches, off the event
 * loop and off the path of the CNI answer.
 *
 * Why two steps. Deleting a link takes 15-30 ms here, and almost all of it is one wait: after
 * unregistering the device the kernel calls rcu_barrier() (netdev_run_todo), 12-19 ms of the
 * deletion in `perf record -e sched:sched_switch` of `ip link del`, after it has released the
 * rtnl lock. Taking the host end down is one RTM_SETLINK, 0.3-0.6 ms, and is what makes the pod's
 * address dead on that veth: a veth hands a frame to its peer only while the peer is up
 * (is_skb_forwardable), so nothing the pod sends reaches the host; the pod end loses its
 * carrier; and the kernel removes every IPv4 route through a link that goes down, the host /32
 * route included, so nothing reaches the pod. A DEL therefore answers after the down, and the
 * deletion follows (README, "The CNI plugin"; bench/README.md has the figures):
 *
 *   1. detach: one RTM_SETLINK by name takes the link down and puts it into REAP_GROUP. Detaches
 *      queued in the same event-loop turn go in one round trip from a libuv pool thread
 *      (host/netlink-batch.ts); each caller gets its request's answer (ENODEV: already gone,
 *      fine);
 *   2. reap: once a detach succeeded, one RTM_DELLINK of the whole group (the kernel unregisters
 *      them together, unregister_netdevice_many: the waits once for the batch), from a pool
 *      thread. One reap at a time; a detach answered while a reap is in flight may or may not be
 *      in it, so another reap follows. A failed reap is tried again (backoff 0.1 s doubling to
 *      30 s); the links wait in the group, down.
 *
 * The group is the durable record of "being reaped": it is kernel state, so it outlives a loomd
 * crash between a DEL's answer and the deletion, and dies only with the namespace, which takes
 * the links with it. loomd reaps the group at start (`reap`), which finishes whatever a crashed
 * run left. REAP_GROUP holds only links loomd is deleting: a link is put there by a detach and
 * never leaves it; nothing in loomd brings a link of that group up. Group numbers are per network
 * namespace, and the state directory lock keeps a second loomd (hence a second reaper) out of
 * this one's namespace.
 *
 * The same attachment's next ADD finds its host veth's name still taken while the old link
 * waits for its reap: cni/wiring.ts createPair then `delete`s it (detach, then wait for a reap
 * that started after the detach) under the attachment's lock, and creates the pair again.
 */
import { constants } from 'node:os'
import {
  deleteLinkGroupRequest, NetlinkError, sendNetlinkBatch, setLinkGroupRequest, type BatchOutcome, type BatchRequest,
} from '../host'

/** The interface group of host veths being deleted ("LOOM" in ASCII). */
export const REAP_GROUP = 0x4c4f4f4d

const ENODEV = constants.errno.ENODEV
const RETRY_FIRST_MS = 100
const RETRY_MAX_MS = 30_000

/**
 * Sends the batch's requests together, in order, and answers each one's errno (0 for success);
 * throws when the round trip fails as a whole. host/netlink-batch.ts in loomd; tests pass a fake.
 */
export type ReapKernel = (requests: BatchRequest[]) => Promise<BatchOutcome>

/** Timers the reaper's retries use (tests pass manual ones). */
export interface ReaperTimers {
  /** Runs `fn` on a later event-loop turn (batches the detaches of one turn). */
  defer: (fn: () => void) => void
  /** Runs `fn` after `ms`, without keeping the process alive; returns a cancel. */
  after: (ms: number, fn: () => void) => () => void
}

const realTimers: ReaperTimers = {
  defer: (fn) => { setImmediate(fn) },
  after: (ms, fn) => {
    const t = setTimeout(fn, ms)
    t.unref()
    return () => { clearTimeout(t) }
  },
}

interface DetachWaiter { name: string, resolve: (syncSeconds: number) => void, reject: (err: Error) => void }
interface ReapWaiter { resolve: () => void, reject: (err: Error) => void }

export class VethReaper {
  private detachQueue: DetachWaiter[] = []
  private detachInFlight = false
  private detachScheduled = false
  /** A detach succeeded (or a sweep was asked for) since the last reap was sent. */
  private reapNeeded = false
  private reapInFlight = false
  /** Callers waiting for a reap sent after they joined. */
  private reapWaiters: ReapWaiter[] = []
  private retryMs = RETRY_FIRST_MS
  private cancelRetry: (() => void) | undefined
  private idleWaiters: Array<() => void> = []
  /** Round trips made, the most links one detach trip held, the event-loop seconds they took, failed reaps. */
  readonly stats = { detachTrips: 0, largestDetach: 0, reaps: 0, failedReaps: 0, syncSeconds: 0 }
  /** The last reap's failure, until a reap succeeds. */
  lastReapError: Error | undefined

  constructor (private readonly kernel: ReapKernel = (r) => sendNetlinkBatch(r),
    private readonly timers: ReaperTimers = realTimers) {}

  /**
   * Takes the host veth `name` out of service: down and into REAP_GROUP, so it carries nothing
   * (see the header); its deletion follows. Resolves once the kernel has done that, with the
   * seconds the event loop spent on the round trip (shared with its batch). A link already gone
   * is fine. A malformed name throws before anything is queued.
   */
  detach (name: string): Promise<number> {
    setLinkGroupRequest(name, REAP_GROUP, { down: true }) // validates the name now, not in someone else's batch
    return new Promise<number>((resolve, reject) => {
      this.detachQueue.push({ name, resolve, reject })
      this.scheduleDetach()
    })
  }

  /**
   * Detaches `name` and resolves once a reap sent after the detach has finished: the link is
   * gone. Rejects when the detach or that reap fails (the link, if detached, waits for the next).
   */
  async delete (name: string): Promise<number> {
    const sync = await this.detach(name)
    await this.reap()
    return sync
  }

  /**
   * Deletes every link in REAP_GROUP, also those a previous loomd detached and left (a crash
   * between a DEL's answer and the deletion); resolves once a reap sent after this call has
   * finished, rejects with its error.
   */
  reap (): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.reapWaiters.push({ resolve, reject })
      this.reapNeeded = true
      this.startReap()
    })
  }

  /**
   * Resolves once nothing is queued or in flight and no detached link awaits a reap (loomd's
   * stop waits for it, bounded, so a clean stop leaves no link behind), or after `timeoutMs`.
   */
  settle (timeoutMs: number): Promise<void> {
    if (this.idle()) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const cancel = this.timers.after(timeoutMs, done)
      this.idleWaiters.push(done)
      function done (): void { cancel(); resolve() }
    })
  }

  private idle (): boolean {
    return !this.detachInFlight && !this.detachScheduled && this.detachQueue.length === 0 &&
      !this.reapInFlight && !this.reapNeeded && this.cancelRetry === undefined
  }

  private noteIdle (): void {
    if (!this.idle()) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }

  private scheduleDetach (): void {
    if (this.detachScheduled || this.detachInFlight || this.detachQueue.length === 0) return
    this.detachScheduled = true
    this.timers.defer(() => {
      this.detachScheduled = false
      this.runDetach()
    })
  }

  private runDetach (): void {
    if (this.detachInFlight || this.detachQueue.length === 0) return
    const batch = this.detachQueue
    this.detachQueue = []
    this.detachInFlight = true
    this.stats.detachTrips++
    if (batch.length > this.stats.largestDetach) this.stats.largestDetach = batch.length
    const requests = batch.map((w) => setLinkGroupRequest(w.name, REAP_GROUP, { down: true }))
    this.send(requests).then(({ errnos, syncSeconds }) => {
      this.stats.syncSeconds += syncSeconds
      batch.forEach((w, i) => {
        const errno = errnos[i] ?? 0
        if (errno === 0) {
          this.reapNeeded = true
          w.resolve(syncSeconds)
        } else if (errno === ENODEV) {
          w.resolve(syncSeconds)
        } else {
          w.reject(new NetlinkError(requests[i]!.what, errno))
        }
      })
    }, (err: unknown) => {
      // Nothing is known of which requests ran: the failed callers' links may sit in the group,
      // down; a reap takes them either way.
      this.reapNeeded = true
      const e = asError(err)
      for (const w of batch) w.reject(e)
    }).finally(() => {
      this.detachInFlight = false
      this.scheduleDetach()
      this.startReap()
      this.noteIdle()
    })
  }

  private startReap (): void {
    if (this.reapInFlight || !this.reapNeeded) return
    this.cancelRetry?.()
    this.cancelRetry = undefined
    this.reapNeeded = false
    this.reapInFlight = true
    this.stats.reaps++
    const waiters = this.reapWaiters
    this.reapWaiters = []
    const deletion = deleteLinkGroupRequest(REAP_GROUP)
    this.send([deletion]).then(({ errnos, syncSeconds }) => {
      this.stats.syncSeconds += syncSeconds
      const errno = errnos[0] ?? 0
      if (errno !== 0 && errno !== ENODEV) throw new NetlinkError(deletion.what, errno)
      this.lastReapError = undefined
      this.retryMs = RETRY_FIRST_MS
      for (const w of waiters) w.resolve()
    }).catch((err: unknown) => {
      const e = asError(err)
      this.stats.failedReaps++
      this.lastReapError = e
      for (const w of waiters) w.reject(e)
      // The group still holds its links (down): try again later, backing off.
      const wait = this.retryMs
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS)
      this.cancelRetry = this.timers.after(wait, () => {
        this.cancelRetry = undefined
        this.reapNeeded = true
        this.startReap()
      })
    }).finally(() => {
      this.reapInFlight = false
      this.startReap()
      this.noteIdle()
    })
  }

  private send (requests: BatchRequest[]): Promise<BatchOutcome> {
    try {
      return this.kernel(requests)
    } catch (err) {
      return Promise.reject(err)
    }
  }
}

function asError (err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}
