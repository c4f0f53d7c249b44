/**
 * Opening CNI_NETNS safely in a long-running agent. The path comes from the runtime (or from
 * anyone who can reach the API socket), so it may name anything: a FIFO (a blocking open would
 * hang the caller for ever), a device, a socket, a regular file, a dangling link.
 *
 * The shim opens CNI_NETNS itself and names its fd as /proc/<pid>/fd/<fd> (NetnsHandle): the
 * path may resolve only in the runtime's mount namespace, which need not be the agent's. The
 * agent opens that (or, without a handle or when it is not reachable, e.g. another PID
 * namespace, the path itself) O_RDONLY|O_NONBLOCK|O_NOCTTY — a FIFO or a device then opens at
 * once without waiting for a peer or becoming a controlling terminal — and keeps it only if it
 * lives on nsfs (statfs of /proc/self/fd/<fd>: NSFS_MAGIC). That it is a *network* namespace
 * and not another kind is checked where it is entered (setns with CLONE_NEWNET refuses other
 * kinds, also code 3). Everything after this uses the fd, never the path, so the path cannot be
 * swapped in between.
 */
import { closeSync, constants, openSync, statfsSync } from 'node:fs'
import { UnknownContainerError } from './errors'

/** How the shim passed CNI_NETNS: its own open fd, or the errno its open failed with. */
export type NetnsHandle = { pid: number, fd: number } | { error: string }

/** statfs f_type of nsfs (linux/magic.h NSFS_MAGIC). */
const NSFS_MAGIC = 0x6e736673
const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY

/**
 * Opens the network namespace CNI_NETNS names; UnknownContainerError (3) when it does not
 * exist or is not a network namespace. The caller owns the fd (close it).
 */
export function openNetnsFile (path: string, handle?: NetnsHandle): number {
  if (handle !== undefined && 'error' in handle) {
    throw new UnknownContainerError(`network namespace ${path} ${handle.error === 'ENOENT' ? 'does not exist' : 'cannot be opened'}: ${handle.error}`)
  }
  let fd: number | undefined
  if (handle !== undefined) {
    try {
      fd = openSync(`/proc/${handle.pid}/fd/${handle.fd}`, FLAGS)
    } catch { /* not reachable from here: the path below */ }
  }
  if (fd === undefined) {
    try {
      fd = openSync(path, FLAGS)
    } catch (err) {
      throw new UnknownContainerError(`network namespace ${path} does not exist: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err })
    }
  }
  let fsType = 0
  try {
    fsType = statfsSync(`/proc/self/fd/${fd}`).type
  } catch { /* reported below */ }
  if (fsType !== NSFS_MAGIC) {
    closeSync(fd)
    throw new UnknownContainerError(`${path} is not a network namespace (not a namespace file)`)
  }
  return fd
}

/** The `netns` member of a CNI invocation request; undefined when absent or malformed. */
export function parseNetnsHandle (raw: unknown): NetnsHandle | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined
  const r = raw as Record<string, unknown>
  if (typeof r.error === 'string' && /^E[A-Z0-9]{1,20}$/.test(r.error)) return { error: r.error }
  const { pid, fd } = r
  if (Number.isInteger(pid) && Number.isInteger(fd) && (pid as number) > 0 && (pid as number) < 1 << 22 &&
    (fd as number) >= 0 && (fd as number) < 1 << 20) {
    return { pid: pid as number, fd: fd as number }
  }
  return undefined
}
