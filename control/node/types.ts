/**
 * Names shared by the files of control/node/: what a state store offers (state-store.ts
 * implements it, group-commit.ts wraps it, identity.ts and other rooms use it) and the split
 * write by which group-commit.ts drives the file store. Here, so neither of those two files
 * imports the other. Types only.
 */

/** What IPAM needs from a store; tests and the simulator use MemoryStore. */
export interface StateStore<T> {
  /** The last saved document, or null if none was ever saved. Throws StateCorruptError. */
  load (): T | null
  /** Durably replaces the document; returns only after it is on stable storage. */
  save (doc: T): void
}

/** A background write split at the point where it must be checked against a newer sync save. */
export interface PreparedWrite {
  /** Renames the fsynced temp file over the document (synchronous, on the event loop). */
  publish (): void
  /** Fsyncs the directory, so the rename survives a crash. */
  settle (): Promise<void>
  /** Removes the temp file of a write that was superseded or failed. Never throws. */
  discard (): void
}

/** The disk side: FileStateStore in loomd, a fake in the unit tests. */
export interface GroupCommitBackend<T> extends StateStore<T> {
  /** Writes `doc` into a temp file and fsyncs it (the slow steps off the event loop). */
  prepare (doc: T): Promise<PreparedWrite>
}
