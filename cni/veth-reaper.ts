/**
 * Deleting host veths in batches, off the event loop. The kernel deletes a link inside the
 * sendmsg that asks for it, including an RCU grace period and the wait for the device's last
 * references (15-30 ms here). The kernel can delete a whole interface group in one request
 * (unregister_netdevice_many: those waits once for the batch), so:
 *
 *   1. a deletion queues its link's name; nothing is sent yet;
 *   2. one batch runs at a time: it takes every name queued so far and sends, in one round trip
 *      made from a libuv pool thread (host/netlink-batch.ts), one RTM_SETLINK per name putting
 *      that link into REAP_GROUP, then the RTM_DELLINK of the group. The kernel runs them in
 *      order, so the deletion comes after every mark of its batch; names queued while a batch
 *      runs wait for the next;
 *   3. per name: a link already gone (its mark answered ENODEV) is done; a failed mark fails
 *      that caller only; a failed group deletion fails the callers whose links it held (they
 *      stay in the group and go with the next batch, or the retried DEL's).
 *
 * Why off the event loop: loomd made these calls on its one thread (marks in each DEL, the group
 * deletion in a setImmediate), and libuv accepts one connection per loop turn; with a deletion
 * in every turn, 100 concurrent DELs reached loomd one per deletion, so every batch held one
 * link and the DELs ran one after another (bench/cni-latency.ts, stage veth_delete). Now the
 * loop only encodes and queues, the DELs that arrive during a deletion form the next batch, and
 * the JS thread's time in the kernel (syncSeconds, the netlink_sync stage) is the socket's opening.
 *
 * REAP_GROUP holds only links loomd is deleting: a link is put there just before its deletion
 * and never leaves it. Group numbers are per network namespace, and the state directory lock
 * keeps a second loomd (hence a second reaper) out of this one's namespace.
 */
import { constants } from 'node:os'
import {
  deleteLinkGroupRequest, NetlinkError, sendNetlinkBatch, setLinkGroupRequest, type BatchOutcome, type BatchRequest,
} from '../host'

/** The interface group of host veths being deleted ("LOOM" in ASCII). */
export const REAP_GROUP = 0x4c4f4f4d

const ENODEV = constants.errno.ENODEV

/**
 * Sends the batch's requests together, in order, and answers each one's errno (0 for success);
 * throws when the round trip fails as a whole. host/netlink-batch.ts in loomd; tests pass a fake.
 */
export type ReapKernel = (requests: BatchRequest[]) => Promise<BatchOutcome>

interface Waiter { name: string, resolve: (syncSeconds: number) => void, reject: (err: Error) => void }

export class VethReaper {
  private waiting: Waiter[] = []
  private inFlight = false
  private scheduled = false
  /** Group deletions made, the most callers one of them answered, and the event-loop seconds they took. */
  readonly stats = { batches: 0, largestBatch: 0, syncSeconds: 0 }

  constructor (private readonly kernel: ReapKernel = (r) => sendNetlinkBatch(r),
    private readonly defer: (fn: () => void) => void = (fn) => { setImmediate(fn) }) {}

  /**
   * Deletes the host veth `name` (its peer goes with it); resolves once it is gone, with the
   * seconds the event loop spent on its batch's round trip (shared with the batch). Missing is
   * fine. A malformed name throws before anything is queued.
   */
  delete (name: string): Promise<number> {
    setLinkGroupRequest(name, REAP_GROUP) // validates the name now, not in someone else's batch
    return new Promise<number>((resolve, reject) => {
      this.waiting.push({ name, resolve, reject })
      this.schedule()
    })
  }

  private schedule (): void {
    if (this.scheduled || this.inFlight || this.waiting.length === 0) return
    this.scheduled = true
    this.defer(() => {
      this.scheduled = false
      this.run()
    })
  }

  private run (): void {
    if (this.inFlight || this.waiting.length === 0) return
    const batch = this.waiting
    this.waiting = []
    this.inFlight = true
    this.stats.batches++
    if (batch.length > this.stats.largestBatch) this.stats.largestBatch = batch.length
    const deletion = deleteLinkGroupRequest(REAP_GROUP)
    const requests = [...batch.map((w) => setLinkGroupRequest(w.name, REAP_GROUP)), deletion]
    let sent: Promise<BatchOutcome>
    try {
      sent = this.kernel(requests)
    } catch (err) {
      sent = Promise.reject(err)
    }
    sent.then(({ errnos, syncSeconds }) => {
      this.stats.syncSeconds += syncSeconds
      const deleted = errnos[batch.length] ?? 0
      batch.forEach((w, i) => {
        const marked = errnos[i] ?? 0
        if (marked === ENODEV) w.resolve(syncSeconds)
        else if (marked !== 0) w.reject(new NetlinkError(requests[i]!.what, marked))
        else if (deleted === 0 || deleted === ENODEV) w.resolve(syncSeconds)
        else w.reject(new NetlinkError(deletion.what, deleted))
      })
    }, (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err))
      for (const w of batch) w.reject(e)
    }).finally(() => {
      this.inFlight = false
      this.schedule()
    })
  }
}
