/**
 * Deleting host veths in batches. The kernel deletes a link inside the sendmsg that asks for
 * it, including an RCU grace period and the wait for the device's last references, and loomd
 * makes that call on its one event-loop thread: 100 concurrent DELs were 100 such waits in a
 * row, with every other request of the agent stopped behind each (bench/cni-latency.ts,
 * stage veth_delete; ~90 ms per DEL under load). The kernel can delete a whole interface group
 * in one request (unregister_netdevice_many: one grace period for the batch), so:
 *
 *   1. a deletion puts its link into REAP_GROUP (an RTM_SETLINK by name: no grace period);
 *      a link already gone is done at once;
 *   2. it then waits for the next group deletion. One runs at a time; the links marked while it
 *      runs wait for the next one, so every caller is answered only by a deletion issued after
 *      its mark (requests run inside sendmsg, in the order loomd makes them);
 *   3. a failed group deletion fails every caller of that batch (their links stay in the group
 *      and go with the next batch, or the retried DEL's).
 *
 * REAP_GROUP holds only links loomd is deleting: a link is put there just before its deletion
 * and never leaves it. Group numbers are per network namespace, and the state directory lock
 * keeps a second loomd (hence a second reaper) out of this one's namespace.
 */
import { NetlinkClient } from '../host'

/** The interface group of host veths being deleted ("LOOM" in ASCII). */
export const REAP_GROUP = 0x4c4f4f4d

interface Waiter { resolve: (syncSeconds: number) => void, reject: (err: Error) => void }

export class VethReaper {
  private waiting: Waiter[] = []
  private inFlight = false
  private scheduled = false
  /** Group deletions made, the most callers one of them answered, and the event-loop seconds they took. */
  readonly stats = { batches: 0, largestBatch: 0, syncSeconds: 0 }

  constructor (private readonly open: () => NetlinkClient = () => NetlinkClient.open(),
    private readonly defer: (fn: () => void) => void = (fn) => { setImmediate(fn) }) {}

  /**
   * Deletes the host veth `name` (its peer goes with it); resolves once it is gone, with the
   * seconds the event loop spent inside the kernel for it (its mark and its batch's deletion,
   * shared with the batch). Missing is fine.
   */
  async delete (name: string): Promise<number> {
    const c = this.open()
    let marked: boolean
    try {
      marked = await c.setLinkGroup(name, REAP_GROUP)
    } finally {
      c.close()
    }
    if (!marked) return c.syncSeconds
    return c.syncSeconds + await new Promise<number>((resolve, reject) => {
      this.waiting.push({ resolve, reject })
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
    let c: NetlinkClient | undefined
    const done = (async () => {
      c = this.open()
      await c.deleteLinkGroup(REAP_GROUP)
    })()
    done.then(() => {
      const sync = c?.syncSeconds ?? 0
      this.stats.syncSeconds += sync
      for (const w of batch) w.resolve(sync)
    },
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err))
      for (const w of batch) w.reject(e)
    }).finally(() => {
      c?.close()
      this.inFlight = false
      this.schedule()
    })
  }
}
