/**
 * Crash-safe persistence of one JSON document per file: write `<file>.tmp`, fsync it, rename it
 * over `<file>`, fsync the directory. After a crash (kill -9, power loss) the file holds either
 * the old or the new document, never a torn mix; a stale `.tmp` is removed and created afresh.
 *
 * Every name is opened relative to a directory fd (the StateDirectory's, held for the daemon's
 * life, or one opened per call) through host/native/state_dir.c: the temp file with
 * O_CREAT|O_EXCL|O_NOFOLLOW (a planted `<file>.tmp` symlink is unlinked, never written through),
 * the document with O_NOFOLLOW|O_NONBLOCK and then checked to be a regular file (a symlink or a
 * FIFO in its place is refused with StateCorruptError, not followed or waited on).
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
import { loadHostBinding } from '../../host/native-binding'
import { StateCorruptError } from '../ipam/errors'
import type { GroupCommitBackend, PreparedWrite, StateStore } from './types'

/**
 * Another room's data carried inside a state file under its own key, so that one crash-safe
 * write holds both (the CNI attachment ledger inside the address file: cni/attachment-ledger.ts).
 * `validate` wraps the file's validator: it takes its key out of the parsed document (checking
 * it; a bad section is a corrupt file) and passes the rest on; `toJSON` wraps the serialiser and
 * adds the section as it is when the document is written.
 */
export interface FileSection {
  validate<T> (inner: (raw: unknown) => T): (raw: unknown) => T
  toJSON<T> (inner?: (doc: T) => unknown): (doc: T) => unknown
}

/**
 * A FileSection's `validate` step: `key` taken out of a parsed document and checked by `check`
 * (its error becomes `"<key>" (<label>): <message>`, which the store turns into a corrupt-file
 * error naming the file). `section` is undefined when the document has no such key; `rest` is
 * the document without it, for the file's own validator.
 */
export function takeSection<S> (raw: unknown, key: string, label: string,
  check: (section: unknown) => S): { section?: S, rest: unknown } {
  if (typeof raw !== 'object' || raw === null || !(key in raw)) return { rest: raw }
  const { [key]: section, ...rest } = raw as Record<string, unknown>
  try {
    return { section: check(section), rest }
  } catch (err) {
    throw new Error(`"${key}" (${label}): ${(err as Error).message}`)
  }
}

export class FileStateStore<T> implements GroupCommitBackend<T> {
  readonly file: string
  private readonly name: string
  private readonly validate: (raw: unknown) => T
  private readonly toJSON: (doc: T) => unknown
  private readonly dirFd: number | undefined

  /**
   * `validate` turns parsed JSON into T or throws (its message is wrapped with the file name);
   * `toJSON` turns T into a JSON-able value (default: identity). `dirFd`: an open fd of the
   * file's directory to work relative to (not closed here); default: open it per call.
   */
  constructor (file: string, validate: (raw: unknown) => T, toJSON: (doc: T) => unknown = d => d, dirFd?: number) {
    this.file = file
    this.name = path.basename(file)
    this.validate = validate
    this.toJSON = toJSON
    this.dirFd = dirFd
  }

  load (): T | null {
    const text = this.inDirectory((dfd) => {
      const native = loadHostBinding()
      let fd: number
      try {
        fd = native.openAt(dfd, this.name, 'read')
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT') return null
        if (code === 'ELOOP') {
          throw new StateCorruptError(this.file,
            'it is a symbolic link, which loomd never follows in its state directory', { cause: err })
        }
        throw new StateCorruptError(this.file, `it cannot be opened (${(err as Error).message})`, { cause: err })
      }
      try {
        if (!fs.fstatSync(fd).isFile()) throw new StateCorruptError(this.file, 'it is not a regular file')
        return fs.readFileSync(fd, 'utf8')
      } catch (err) {
        if (err instanceof StateCorruptError) throw err
        throw new StateCorruptError(this.file, `it cannot be read (${(err as Error).message})`, { cause: err })
      } finally {
        fs.closeSync(fd)
      }
    })
    if (text === null) return null
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
    const data = JSON.stringify(this.toJSON(doc))
    this.inDirectory((dfd) => {
      const native = loadHostBinding()
      const tmp = `${this.name}.tmp`
      let fd: number
      try {
        fd = native.openAt(dfd, tmp, 'exclusive')
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
        // Left by a crash, or planted: remove the name itself (a symlink's target is untouched).
        native.unlinkAt(dfd, tmp)
        fd = native.openAt(dfd, tmp, 'exclusive')
      }
      try {
        fs.writeSync(fd, data)
        fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
      native.renameAt(dfd, tmp, this.name)
      fs.fsyncSync(dfd)
    })
  }

  /**
   * `save` split for group-commit.ts: the temp file (`<file>.tmp-group`, so a synchronous `save`
   * in between never touches it) is written and fsynced in libuv's thread pool; the caller then
   * renames it (`publish`, synchronous) and fsyncs the directory (`settle`), or `discard`s it.
   */
  async prepare (doc: T): Promise<PreparedWrite> {
    const data = JSON.stringify(this.toJSON(doc))
    const native = loadHostBinding()
    const own = this.dirFd === undefined
    const dfd = this.dirFd ?? fs.openSync(path.dirname(this.file), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY)
    const closeDir = (): void => { if (own) fs.closeSync(dfd) }
    const tmp = `${this.name}.tmp-group`
    const unlinkTmp = (): void => { try { native.unlinkAt(dfd, tmp) } catch { /* already gone */ } }
    let fd = -1
    try {
      try {
        fd = native.openAt(dfd, tmp, 'exclusive')
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
        unlinkTmp() // left by a crash, or planted: the name goes, a symlink's target is untouched
        fd = native.openAt(dfd, tmp, 'exclusive')
      }
      await fsCall<void>((cb) => { fs.writeFile(fd, data, cb) })
      await fsCall<void>((cb) => { fs.fsync(fd, cb) })
    } catch (err) {
      if (fd >= 0) { fs.closeSync(fd); unlinkTmp() }
      closeDir()
      throw err
    }
    fs.closeSync(fd)
    return {
      publish: () => { native.renameAt(dfd, tmp, this.name) },
      settle: () => fsCall<void>((cb) => { fs.fsync(dfd, cb) }).finally(closeDir),
      discard: () => { unlinkTmp(); closeDir() },
    }
  }

  private inDirectory<R> (f: (dirFd: number) => R): R {
    if (this.dirFd !== undefined) return f(this.dirFd)
    const dfd = fs.openSync(path.dirname(this.file), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY)
    try {
      return f(dfd)
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

function fsCall<R> (f: (cb: (err: NodeJS.ErrnoException | null, r?: R) => void) => void): Promise<R> {
  return new Promise<R>((resolve, reject) => { f((err, r) => { err === null ? resolve(r as R) : reject(err) }) })
}
