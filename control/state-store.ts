/**
 * Crash-safe persistence of one JSON document per file: write `<file>.tmp`, fsync it, rename it
 * over `<file>`, fsync the directory. After a crash (kill -9, power loss) the file holds either
 * the old or the new document, never a torn mix; a stale `.tmp` is ignored and overwritten.
 *
 * `save` is synchronous on purpose: IPAM reports an allocation (or sends a Paxos promise) only
 * after `save` returns, and a synchronous call makes that ordering impossible to get wrong.
 * The documents are small (tens of KiB); see bench/ipam-alloc.ts for the cost.
 *
 * `load` validates with a caller-supplied function and throws StateCorruptError naming the
 * file; it never silently starts from scratch over a corrupt file (that is how Weave reused
 * addresses, weave#2719).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { StateCorruptError } from './ipam-errors'

/** What IPAM needs from a store; tests and the simulator use MemoryStore. */
export interface StateStore<T> {
  /** The last saved document, or null if none was ever saved. Throws StateCorruptError. */
  load (): T | null
  /** Durably replaces the document; returns only after it is on stable storage. */
  save (doc: T): void
}

export class FileStateStore<T> implements StateStore<T> {
  readonly file: string
  private readonly validate: (raw: unknown) => T
  private readonly toJSON: (doc: T) => unknown

  /**
   * `validate` turns parsed JSON into T or throws (its message is wrapped with the file name);
   * `toJSON` turns T into a JSON-able value (default: identity).
   */
  constructor (file: string, validate: (raw: unknown) => T, toJSON: (doc: T) => unknown = d => d) {
    this.file = file
    this.validate = validate
    this.toJSON = toJSON
  }

  load (): T | null {
    let text: string
    try {
      text = fs.readFileSync(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (err) {
      throw new StateCorruptError(this.file, `invalid JSON (${(err as Error).message})`, { cause: err })
    }
    try {
      return this.validate(raw)
    } catch (err) {
      throw new StateCorruptError(this.file, (err as Error).message, { cause: err })
    }
  }

  save (doc: T): void {
    const tmp = `${this.file}.tmp`
    const data = JSON.stringify(this.toJSON(doc))
    const fd = fs.openSync(tmp, 'w', 0o600)
    try {
      fs.fchmodSync(fd, 0o600) // a stale temp file keeps its old mode otherwise
      fs.writeSync(fd, data)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, this.file)
    const dfd = fs.openSync(path.dirname(this.file), 'r')
    try {
      fs.fsyncSync(dfd)
    } finally {
      fs.closeSync(dfd)
    }
  }
}

/**
 * In-memory store for tests and the simulator. It keeps the saved object by reference, so the
 * caller must treat saved documents as immutable (IPAM does: it builds a new document per save).
 */
export class MemoryStore<T> implements StateStore<T> {
  private doc: T | null = null
  saves = 0
  load (): T | null { return this.doc }
  save (doc: T): void { this.doc = doc; this.saves++ }
}
