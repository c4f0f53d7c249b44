/**
 * One queue per CNI attachment (containerID, ifname): ADD, DEL, CHECK and GC's removal of one
 * attachment run one after another, in arrival order, while different attachments run in
 * parallel. Without it, three parallel ADDs of one attachment each deleted and re-created the
 * same host veth, and the one that lost the race rolled back the address the others had
 * already reported to the runtime.
 *
 * A queue exists only while something holds or waits for it, so the map stays as small as the
 * number of attachments in flight.
 */
export class AttachmentLocks {
  private readonly tails = new Map<string, Promise<void>>()

  /** Runs `fn` once every earlier holder of `key` has finished (successfully or not). */
  async run<T> (key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((resolve) => { release = resolve })
    const tail = previous.then(() => mine)
    this.tails.set(key, tail)
    await previous
    try {
      return await fn()
    } finally {
      release()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }

  /** True while an invocation for `key` runs or waits. */
  busy (key: string): boolean {
    return this.tails.has(key)
  }

  /** Keys with an invocation running or waiting. */
  busyKeys (): string[] {
    return [...this.tails.keys()]
  }
}
