/**
 * Group commit of a crash-safe state document: many changes, one durable write.
 *
 * Before this, every pod allocation saved the whole IPAM document synchronously (temp, fsync,
 * rename, dir fsync) on loomd's event loop, so 100 concurrent ADDs queued behind 100 pairs of
 * fsyncs. Now a change calls `commit(build)` and awaits it: changes that arrive while a write
 * is in flight wait together for the next one, which snapshots the document once (`build` of
 * the newest commit, called when that write starts) and writes it with the slow steps (write,
 * fsync, dir fsync) in libuv's thread pool. Each commit's promise settles only after a write
 * that started after it is on disk, so "a reported allocation is on disk first" still holds.
 *
 * The state machine (generations):
 * - every commit and every synchronous `save` takes the next generation number; `durable` is
 *   the highest generation known to be on disk. A commit's waiter resolves when durable >= its
 *   generation (a later document holds everything an earlier one held: callers always build it
 *   from the whole current state).
 * - one background write at a time. A synchronous `save` (Paxos promises, releases: callers
 *   that must not return before the disk has it) may run while a background write is between
 *   its steps; it writes through the store's own temp name and raises `durable` past the
 *   background write's generation, which then sees itself superseded before its rename and
 *   discards its temp file instead of renaming an older document over a newer one. The
 *   supersede check and the rename are one synchronous step on the event loop, so nothing can
 *   slip between them.
 * - a failing background write rejects every waiter it carried (nothing of theirs may be
 *   reported); later commits get a fresh write. The caller undoes its in-memory change (see
 *   pod-addresses.ts and ipam-node.ts), so the next document no longer holds it; if the failure
 *   came after the rename (dir fsync) the disk may hold an address never reported: a leak the
 *   operator's GC returns, never a reuse.
 */
import { IpamTryAgainError } from '../ipam/errors'
import type { GroupCommitBackend, PreparedWrite, StateStore } from './types'

export interface GroupCommitInit {
  /**
   * Runs `fn` soon, after the current event-loop turn (default setImmediate): commits issued in one turn share a write.
   */
  readonly defer?: (fn: () => void) => void
}

export interface GroupCommitStats {
  /** Background writes done (each held one or more commits). */
  writes: number
  /** Commits made durable by them or by a synchronous save. */
  commits: number
  /** Background writes that failed (their waiters were rejected). */
  failures: number
  /** Background writes found superseded by a synchronous save before their rename. */
  superseded: number
  /** The most commits one write carried. */
  largestBatch: number
}

interface Waiter { gen: number, resolve: () => void, reject: (err: Error) => void }

export class GroupCommitStore<T> implements StateStore<T> {
  readonly stats: GroupCommitStats = { writes: 0, commits: 0, failures: 0, superseded: 0, largestBatch: 0 }
  private issued = 0
  private durable = 0
  /** The newest commit not yet being written: its generation and how to build the document. */
  private pending: { gen: number, build: () => T } | null = null
  /** The newest commit's `build`, kept so `flushed` can write again after a failed write. */
  private lastBuild: (() => T) | null = null
  /** The newest document loaded or saved synchronously, for `rewrite` before any commit. */
  private lastDoc: T | null = null
  private inFlight: Promise<void> | null = null
  private scheduled = false
  private waiters: Waiter[] = []
  private readonly defer: (fn: () => void) => void

  constructor (private readonly backend: GroupCommitBackend<T>, init: GroupCommitInit = {}) {
    this.defer = init.defer ?? ((fn) => { setImmediate(fn) })
  }

  load (): T | null {
    const doc = this.backend.load()
    if (doc !== null) this.lastDoc = doc
    return doc
  }

  /** Synchronous durable save (StateStore): on disk when it returns; settles every earlier commit. */
  save (doc: T): void {
    const gen = ++this.issued
    this.backend.save(doc)
    this.lastDoc = doc
    this.markDurable(gen)
  }

  /**
   * Writes the document again, for what the backend adds when it serialises it (another room's
   * section of the same file, the CNI ledger in the address file: cni/attachment-ledger.ts):
   * a commit built by the newest commit's `build` (the whole current state), or before any
   * commit the newest document loaded or saved. Resolves, like `commit`, once a write that
   * started after this call is on disk. Null when the store has no document at all (nothing
   * was ever loaded, saved or committed): then there is nothing to carry the section.
   */
  rewrite (): Promise<void> | null {
    const build = this.currentBuild()
    return build === null ? null : this.enqueue(build)
  }

  /**
   * How to build the whole current document: the newest commit's `build`; before any commit,
   * the newest document loaded or saved (a snapshot, so never kept as lastBuild: a later
   * synchronous save makes it old, and that save updates lastDoc).
   */
  private currentBuild (): (() => T) | null {
    if (this.lastBuild !== null) return this.lastBuild
    const doc = this.lastDoc
    return doc === null ? null : () => doc
  }

  /**
   * Resolves once a document built after this call (by `build`, or by a later commit or save)
   * is on disk; rejects if the write carrying it fails. `build` must return the whole current
   * state; only the newest commit's `build` is called, once per write.
   */
  commit (build: () => T): Promise<void> {
    this.lastBuild = build
    return this.enqueue(build)
  }

  private enqueue (build: () => T): Promise<void> {
    const gen = ++this.issued
    this.pending = { gen, build }
    const done = new Promise<void>((resolve, reject) => { this.waiters.push({ gen, resolve, reject }) })
    this.schedule()
    return done
  }

  /**
   * Settles when everything committed so far is on disk (rejects like those commits). After a
   * failed write nothing may be pending any more while the disk still lacks those changes (a
   * retried DEL or ADD finds its change made in memory): then the newest document is written
   * again, rather than waiting for a write that nobody scheduled.
   */
  flushed (): Promise<void> {
    if (this.durable >= this.issued) return Promise.resolve()
    const gen = this.issued
    const done = new Promise<void>((resolve, reject) => { this.waiters.push({ gen, resolve, reject }) })
    const build = this.currentBuild()
    if (this.pending === null && this.inFlight === null && build !== null) {
      this.pending = { gen, build }
      this.schedule()
    }
    return done
  }

  /** Settles (never rejects) when no background write is in flight or pending: before closing the directory. */
  async idle (): Promise<void> {
    while (this.inFlight !== null || this.pending !== null || this.scheduled) {
      await (this.inFlight ?? new Promise<void>((resolve) => { this.defer(resolve) }))
    }
  }

  private schedule (): void {
    if (this.scheduled || this.inFlight !== null || this.pending === null) return
    this.scheduled = true
    this.defer(() => {
      this.scheduled = false
      this.start()
    })
  }

  private start (): void {
    const p = this.pending
    if (p === null || this.inFlight !== null) return
    this.pending = null
    if (p.gen <= this.durable) return
    this.inFlight = this.write(p.gen, p.build).finally(() => {
      this.inFlight = null
      this.schedule()
    })
  }

  private async write (gen: number, build: () => T): Promise<void> {
    let prepared: PreparedWrite
    try {
      prepared = await this.backend.prepare(build())
    } catch (err) {
      this.fail(gen, err)
      return
    }
    if (this.durable >= gen) {
      // A synchronous save wrote a newer document meanwhile: renaming ours would roll it back.
      prepared.discard()
      this.stats.superseded++
      return
    }
    try {
      prepared.publish()
    } catch (err) {
      prepared.discard()
      this.fail(gen, err)
      return
    }
    try {
      await prepared.settle()
    } catch (err) {
      this.fail(gen, err)
      return
    }
    this.stats.writes++
    this.markDurable(gen)
  }

  private markDurable (gen: number): void {
    if (gen <= this.durable) return
    this.durable = gen
    if (this.pending !== null && this.pending.gen <= gen) this.pending = null
    this.settle(gen, (w) => w.resolve(), true)
  }

  private fail (gen: number, err: unknown): void {
    this.stats.failures++
    const e = err instanceof Error ? err : new Error(String(err))
    this.settle(gen, (w) => w.reject(e), false)
  }

  /** Settles every waiter up to `gen` (the waiters list is in generation order). */
  private settle (gen: number, how: (w: Waiter) => void, counted: boolean): void {
    let n = 0
    while (n < this.waiters.length && this.waiters[n]!.gen <= gen) n++
    if (n === 0) return
    const done = this.waiters.slice(0, n)
    this.waiters = this.waiters.slice(n)
    if (counted) {
      this.stats.commits += done.length
      if (done.length > this.stats.largestBatch) this.stats.largestBatch = done.length
    }
    for (const w of done) how(w)
  }
}

/** True when `store` batches commits (loomd's stores); plain stores (tests, simulator) save synchronously. */
export function isGroupCommit<T> (store: StateStore<T>): store is GroupCommitStore<T> {
  return store instanceof GroupCommitStore
}

/** The error a caller reports when the write holding its change failed: IPAM's "try again" (CNI code 11). */
export function notDurable (err: unknown): IpamTryAgainError {
  return new IpamTryAgainError(`the address could not be written to the state directory (${(err as Error)?.message ?? String(err)}); ` +
    'nothing was reported, try again')
}
