/**
 * The cluster secret file (`encryption.secretFile`, default /etc/loom/secret): one or more
 * base64-encoded 32-byte keys, one a line, exactly as `wg genpsk` prints them. The first key is
 * the primary: it is the WireGuard preshared key of every node pair and the key gossip frames are
 * sealed with. Further keys are accepted on receive, which is what makes a rotation without
 * downtime possible (add the new key everywhere, move it first, then remove the old one).
 *
 * Blank lines and lines starting with `#` are ignored. The file must be a regular file owned by
 * root and not readable by group or others (it is the only thing that keeps a stranger out of the
 * cluster); anything else is refused with a message that names the file and the problem.
 */

import { closeSync, fstatSync, openSync, readSync, constants as fsc } from 'node:fs'

/** Size of one key: a Curve25519/ChaCha20 key, as `wg genpsk` makes. */
export const CLUSTER_KEY_BYTES = 32
/** More keys than this is a mistake (a rotation needs two); it also bounds the file read. */
export const MAX_CLUSTER_KEYS = 8
const MAX_FILE_BYTES = 4096

export class ClusterSecretError extends Error {
  override readonly name = 'ClusterSecretError'
  readonly code = 'ERR_CLUSTER_SECRET'
  /** The secret file's path. */
  readonly path: string
  constructor (path: string, problem: string, cause?: unknown) {
    super(`cluster secret ${path}: ${problem}`, { cause })
    this.path = path
  }
}

export interface ClusterSecret {
  /** Every key of the file in order; keys[0] is the primary (sending) key. Never empty. */
  readonly keys: readonly Buffer[]
}

/**
 * Parses the text of a secret file. Pure; `path` only names the file in errors.
 * Each key must be canonical base64 of exactly 32 bytes (44 characters ending in one `=`).
 */
export function parseClusterSecret (text: string, path: string): ClusterSecret {
  const keys: Buffer[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (line === '' || line.startsWith('#')) continue
    if (keys.length === MAX_CLUSTER_KEYS) {
      throw new ClusterSecretError(path, `more than ${MAX_CLUSTER_KEYS} keys`)
    }
    const key = Buffer.from(line, 'base64')
    if (key.length !== CLUSTER_KEY_BYTES || key.toString('base64') !== line) {
      throw new ClusterSecretError(path,
        `line ${i + 1}: expected a base64 32-byte key as \`wg genpsk\` prints (44 characters)`)
    }
    if (keys.some(k => k.equals(key))) throw new ClusterSecretError(path, `line ${i + 1}: key repeated`)
    keys.push(key)
  }
  if (keys.length === 0) throw new ClusterSecretError(path, 'no key in the file (create one with `wg genpsk`)')
  return { keys }
}

/**
 * Reads and checks the secret file. Opened with O_NOFOLLOW so a planted symlink is refused, and
 * checked on the open descriptor (no window between the check and the read).
 */
export function loadClusterSecret (path: string): ClusterSecret {
  let fd: number
  try {
    fd = openSync(path, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT'
      ? 'does not exist (create it with `wg genpsk > FILE; chmod 600 FILE` and copy it to every node)'
      : code === 'ELOOP' ? 'is a symbolic link; name the file itself' : `cannot be opened (${code ?? String(err)})`
    throw new ClusterSecretError(path, why, err)
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw new ClusterSecretError(path, 'is not a regular file')
    if (st.uid !== 0 && st.uid !== process.getuid?.()) {
      throw new ClusterSecretError(path, `is owned by uid ${st.uid}; expected root`)
    }
    if ((st.mode & 0o077) !== 0) {
      throw new ClusterSecretError(path,
        `mode ${(st.mode & 0o777).toString(8)} lets group or others read it; run chmod 600 on it`)
    }
    if (st.size > MAX_FILE_BYTES) {
      throw new ClusterSecretError(path,
      `is ${st.size} bytes; a secret file is a few lines`)
    }
    const buf = Buffer.alloc(MAX_FILE_BYTES)
    let len = 0
    for (;;) {
      const n = readSync(fd, buf, len, MAX_FILE_BYTES - len, null)
      if (n === 0 || len + n >= MAX_FILE_BYTES) { len += n; break }
      len += n
    }
    return parseClusterSecret(buf.subarray(0, len).toString('utf8'), path)
  } finally {
    closeSync(fd)
  }
}
