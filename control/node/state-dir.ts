/**
 * The state directory (`stateDir`, default /var/lib/loom): opened once, checked, and locked for
 * the life of the daemon.
 *
 * - Lock: `flock(LOCK_EX|LOCK_NB)` on `<stateDir>/loomd.lock`, held until the process exits (the
 *   kernel drops it on kill -9 too, so a stale lock cannot exist). The holder writes its PID
 *   into the file, so a second loomd on the same directory refuses to start naming it: two
 *   daemons on one state would each hand out the same addresses.
 * - Trust: the directory must be owned by the user loomd runs as (root) and writable by nobody
 *   else (no group/other write bit). Checked on the opened fd, so a symlink swapped in between
 *   check and use changes nothing; files inside are then only opened relative to that fd,
 *   never following a symlink (FileStateStore, host/native/state_dir.c).
 * - `moveAside` is what `loomd --reset-ipam` does with the old files: renamed to
 *   `<name>.reset-<time>`, never deleted, so an operator can still look at them (and what an
 *   upgrade does with a file whose content moved elsewhere: `<name>.migrated-<time>`).
 */
import * as fs from 'node:fs'
import { join } from 'node:path'
import { loadHostBinding } from '../../host/native-binding'
import { FileStateStore } from './state-store'
import { StateDirLockedError, StateDirUnsafeError } from './state-errors'

export const LOCK_FILE = 'loomd.lock'

export interface StateDirectoryInit {
  /** Absolute path; created (mode 0700, parents too) when missing. */
  readonly path: string
  /** The uid that must own it; default process.geteuid() (root for loomd). */
  readonly ownerUid?: number
}

export class StateDirectory {
  readonly path: string
  /** O_DIRECTORY fd every file of the directory is opened relative to. */
  readonly fd: number
  private lockFd: number

  private constructor (path: string, fd: number, lockFd: number) {
    this.path = path
    this.fd = fd
    this.lockFd = lockFd
  }

  /**
   * Creates (if missing), checks and locks the directory. Throws StateDirUnsafeError or
   * StateDirLockedError with the fix in the message.
   */
  static open (init: StateDirectoryInit): StateDirectory {
    const native = loadHostBinding()
    const path = init.path
    const owner = init.ownerUid ?? process.geteuid?.() ?? 0
    const ownerText = owner === 0 ? 'root' : `uid ${owner}`
    fs.mkdirSync(path, { recursive: true, mode: 0o700 })
    const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY)
    let lockFd = -1
    try {
      const st = fs.fstatSync(fd)
      if (st.uid !== owner) {
        throw new StateDirUnsafeError(`state directory ${path} is owned by uid ${st.uid}, not ${ownerText}: whoever owns it can ` +
          `plant files loomd trusts; fix it with "chown ${owner === 0 ? 'root:root' : owner} ${path} && chmod 700 ${path}"`)
      }
      if ((st.mode & 0o022) !== 0) {
        throw new StateDirUnsafeError(`state directory ${path} is writable by ${(st.mode & 0o002) !== 0 ? 'everyone' : 'its group'} ` +
          `(mode ${(st.mode & 0o7777).toString(8)}): any such user could replace loomd's state; fix it with "chmod 700 ${path}"`)
      }
      lockFd = native.openAt(fd, LOCK_FILE, 'lock')
      const ls = fs.fstatSync(lockFd)
      if (!ls.isFile()) throw new StateDirUnsafeError(`${join(path, LOCK_FILE)} is not a regular file; remove it`)
      if (!native.flockExclusive(lockFd)) {
        const pid = readHolderPid(lockFd)
        throw new StateDirLockedError(`state directory ${path} is in use by another loomd (PID ${pid ?? 'unknown'}): ` +
          'stop that one first, or give each loomd its own stateDir', pid)
      }
      fs.ftruncateSync(lockFd, 0)
      fs.writeSync(lockFd, `${process.pid}\n`, 0)
    } catch (err) {
      if (lockFd >= 0) fs.closeSync(lockFd)
      fs.closeSync(fd)
      throw err
    }
    return new StateDirectory(path, fd, lockFd)
  }

  /** A crash-safe store of `<stateDir>/<name>` (see FileStateStore). */
  store<T> (name: string, validate: (raw: unknown) => T, toJSON?: (doc: T) => unknown): FileStateStore<T> {
    return new FileStateStore<T>(join(this.path, name), validate, toJSON, this.fd)
  }

  /** True when `name` exists in the directory (whatever it is: the store decides if it is valid). */
  has (name: string): boolean {
    try {
      fs.lstatSync(join(this.path, name))
      return true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
      throw err
    }
  }

  /** Renames `name` to `<name>.<why>-<UTC time>` (never deletes); returns the new name, or null if absent. */
  moveAside (name: string, now = new Date(), why: 'reset' | 'migrated' = 'reset'): string | null {
    if (!this.has(name)) return null
    const aside = `${name}.${why}-${now.toISOString().replace(/[:.]/g, '-')}`
    loadHostBinding().renameAt(this.fd, name, aside)
    fs.fsyncSync(this.fd)
    return aside
  }

  /** Renames `from` to `to` inside the directory (replacing `to`) and makes it durable (directory fsync). */
  rename (from: string, to: string): void {
    loadHostBinding().renameAt(this.fd, from, to)
    fs.fsyncSync(this.fd)
  }

  /** Releases the lock and the directory fd. Idempotent. */
  close (): void {
    if (this.lockFd < 0) return
    fs.closeSync(this.lockFd)
    fs.closeSync(this.fd)
    this.lockFd = -1
  }
}

function readHolderPid (fd: number): number | undefined {
  const buf = Buffer.alloc(32)
  const n = fs.readSync(fd, buf, 0, buf.length, 0)
  const text = buf.subarray(0, n).toString('utf8').trim()
  return /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : undefined
}
