/**
 * A binary min-heap, ordered by `before` (ties are the caller's: the users order by time, then
 * by a sequence number, so equal times leave first in, first out). The event queue of the
 * simulated network (test/sim/sim-network.ts) and the frame queue of the lab's userspace netem
 * (test/netns/lib/underlay-impair.ts).
 */
export class MinHeap<T> {
  private readonly items: T[] = []

  constructor (private readonly before: (a: T, b: T) => boolean) {}

  get length (): number { return this.items.length }

  /** The least item, left in place. */
  peek (): T | undefined { return this.items[0] }

  /** Every item, in no particular order (e.g. to mark some cancelled). */
  values (): readonly T[] { return this.items }

  push (x: T): void {
    const h = this.items
    h.push(x)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.before(h[i]!, h[p]!)) break
      const t = h[i]!; h[i] = h[p]!; h[p] = t
      i = p
    }
  }

  /** Removes and returns the least item (undefined when empty). */
  pop (): T | undefined {
    const h = this.items
    const top = h[0]
    const last = h.pop()
    if (h.length > 0 && last !== undefined) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && this.before(h[l]!, h[m]!)) m = l
        if (r < h.length && this.before(h[r]!, h[m]!)) m = r
        if (m === i) break
        const t = h[i]!; h[i] = h[m]!; h[m] = t
        i = m
      }
    }
    return top
  }
}
