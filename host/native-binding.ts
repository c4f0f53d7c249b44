/**
 * The typed face of the host addon (host/native/loom_host.c, state_dir.c, netlink_batch.c): the
 * host's syscalls Node cannot make. Decisions stay in TypeScript (host/netns.ts,
 * host/sd-notify.ts, control/state-dir.ts, host/netlink-batch.ts).
 *
 * Conventions: fds are plain numbers owned by the caller, who must close them exactly once; a
 * failed syscall throws a SyscallError (`code` = errno name, `errno`, `syscall`, a message naming
 * the namespace, socket or file first); bad arguments throw TypeError/RangeError.
 */
import { loadAddon } from './native-addon'

/** The shape of an error thrown by a Loom addon (host/native/napi_util.h). */
export interface SyscallError extends Error {
  /** The errno name, e.g. 'EPERM'. */
  code: string
  errno: number
  syscall?: string
}

export interface HostBinding {
  /**
   * Moves the calling thread (the JS main thread) into the network namespace at `path`, e.g.
   * /var/run/netns/<name> or /proc/<pid>/ns/net. Sockets opened afterwards live there.
   */
  setns(path: string, nstype: 'net'): void
  /**
   * Sends `message` (e.g. 'READY=1', at most 4095 bytes) as one datagram to the systemd notify
   * socket named by $NOTIFY_SOCKET (a path, or '@name' for an abstract socket). Returns false
   * without doing anything when NOTIFY_SOCKET is unset or empty; true once sent. A failed
   * socket()/sendto() throws a SyscallError. Reads the variable on every call (no caching).
   */
  notify(message: string): boolean
  /**
   * state_dir.c. flock(LOCK_EX|LOCK_NB) on fd: true when this process now holds the lock,
   * false when another open file description holds it. Released when fd is closed (or the
   * process dies).
   */
  flockExclusive(fd: number): boolean
  /**
   * openat(dirfd, name) with O_NOFOLLOW|O_CLOEXEC; `name` is one path component. 'read':
   * O_RDONLY|O_NONBLOCK (fstat the result: it may be a FIFO or a device); 'exclusive':
   * O_WRONLY|O_CREAT|O_EXCL, mode 0600 (fails with EEXIST on any existing name, a dangling
   * symlink included); 'lock': O_RDWR|O_CREAT, mode 0600. Returns the fd.
   */
  openAt(dirfd: number, name: string, mode: 'read' | 'exclusive' | 'lock'): number
  /** renameat(dirfd, from, dirfd, to): atomically replaces `to`. */
  renameAt(dirfd: number, from: string, to: string): void
  /** unlinkat(dirfd, name, 0): removes the name (a symlink itself, never its target); false if absent. */
  unlinkAt(dirfd: number, name: string): boolean
  /**
   * netlink_batch.c. Opens a NETLINK_ROUTE socket on the calling thread (in its network
   * namespace), then on a libuv pool thread sends `request` (whole netlink messages, each asking
   * for an ack) in one send() and reads until `acks` NLMSG_ERROR/NLMSG_DONE messages arrived;
   * resolves with the bytes read, in order. ETIMEDOUT when `timeoutMs` passes without a reply.
   * The socket is closed either way. See host/netlink-batch.ts.
   */
  netlinkBatch(request: Buffer, acks: number, timeoutMs: number): Promise<Buffer>
}

const HOST_ADDON = 'host/native/build/Release/loom_host.node'

/** Loads the host addon once; throws NativeBindingLoadError (ERR_NATIVE_BINDING_LOAD) if absent. */
export function loadHostBinding (): HostBinding {
  return loadAddon<HostBinding>(HOST_ADDON)
}
