/**
 * Network namespace entry. A netlink (or any) socket stays bound to the namespace it was created
 * in, so to act inside another namespace we enter it only for the instant of opening a socket and
 * return at once; the socket then works from our own namespace (as the CNI project's pkg/ns
 * does, without its goroutine-per-namespace machinery: Node runs JS on one thread).
 *
 * The caller must not await inside `fn`: while the thread is in the other namespace, anything
 * else the event loop would run (an HTTP client, a write under /proc/sys) would act there too.
 */
import { closeSync, openSync } from 'node:fs'
import { loadHostBinding } from './native-binding'

/** Entering the namespace failed (it is gone, or not a network namespace); `errnoCode` is e.g. 'ENOENT'. */
export class NetnsEntryError extends Error {
  static readonly code = 'ERR_NETNS_ENTRY'
  readonly code = NetnsEntryError.code
  override readonly name = 'NetnsEntryError'
  readonly errnoCode: string

  constructor (readonly netns: string, cause: unknown) {
    const errnoCode = (cause as { code?: unknown } | null)?.code
    const text = typeof errnoCode === 'string' ? errnoCode : String(cause)
    super(`cannot enter network namespace ${netns}: ${text}`, { cause })
    this.errnoCode = text
  }
}

/**
 * Runs `fn` (synchronous) with the calling thread inside the network namespace open at
 * `netnsFd` (`netns` names it in errors), then returns to the thread's own namespace, also when
 * `fn` throws. A failure to enter throws NetnsEntryError; `fn`'s own errors pass through.
 */
export function runInNetns<T> (netnsFd: number, netns: string, fn: () => T): T {
  const host = loadHostBinding()
  const selfFd = openSync('/proc/thread-self/ns/net', 'r')
  try {
    try {
      host.setns(`/proc/self/fd/${netnsFd}`, 'net')
    } catch (err) {
      throw new NetnsEntryError(netns, err)
    }
    try {
      return fn()
    } finally {
      // Returning must not fail silently: staying in the other namespace would make the caller's
      // next host-side action act there. setns on our own namespace fd can only fail on a kernel bug.
      host.setns(`/proc/self/fd/${selfFd}`, 'net')
    }
  } finally {
    closeSync(selfFd)
  }
}
