/**
 * Picks up a changed cluster secret file without a restart: every SECRET_CHECK_MS the file's
 * mtime, size and inode are compared with the last version applied; a new version is read and
 * handed to `apply` (the data plane's preshared keys, the gossip keyring). A file that does not
 * read (caught half-written, or broken) keeps the previous keys, is logged once per version and
 * retried at the next check. The rotation procedure in the README relies on this.
 */
import { statSync } from 'node:fs'
import type { Logger } from 'pino'
import { ClusterSecretError, loadClusterSecret } from './cluster-secret'

/** How often the secret file's mtime is checked for a rotation step. */
export const SECRET_CHECK_MS = 2000

export class SecretFileWatcher {
  private applied: string
  private failed = ''
  private timer?: NodeJS.Timeout

  /** `what` names the user in the log ("data plane", "gossip"); `apply` may throw to refuse the keys. */
  constructor (private readonly file: string, private readonly what: string, private readonly log: Logger,
    private readonly apply: (keys: readonly Buffer[]) => void) {
    this.applied = this.stamp()
  }

  start (): void {
    this.timer = setInterval(() => this.check(), SECRET_CHECK_MS)
    this.timer.unref()
  }

  stop (): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }

  /** Applies the file if it changed since the last applied version (the timer calls it; tests may too). */
  check (): void {
    const stamp = this.stamp()
    if (stamp === this.applied) return
    try {
      const { keys } = loadClusterSecret(this.file)
      this.apply(keys)
      this.applied = stamp
      this.log.info({ file: this.file, keys: keys.length, for: this.what }, 'cluster secret reloaded')
    } catch (err) {
      if (this.failed !== stamp) {
        const msg = err instanceof ClusterSecretError ? err.message : String(err)
        this.log.error({ file: this.file, err: msg, for: this.what }, 'cluster secret unreadable; keeping the previous keys')
        this.failed = stamp
      }
    }
  }

  private stamp (): string {
    try {
      const st = statSync(this.file)
      return `${st.mtimeMs}:${st.size}:${st.ino}`
    } catch {
      return ''
    }
  }
}
