/**
 * One non-blocking fd of the data path with its readiness poll: what TunDevice, UdpTransport and
 * PacketSocket share. It owns the fd (closes it exactly once), starts at most one libuv poll and
 * lets the owner swap the handler without restarting the poll (the poll calls one stable closure
 * that calls the current handler, so a wake-up allocates nothing).
 *
 * The owners keep their own "closed" errors (DeviceClosedError, TransportClosedError): they check
 * `fd < 0` before using it.
 */
import type { NativeBinding, PollHandle, PollPrefetch } from './native-binding'

function noop (): void {}

/** A syscall failure from the binding carries a numeric errno; argument errors do not. */
export function isSyscallError (err: unknown): boolean {
  return typeof (err as { errno?: unknown } | null)?.errno === 'number'
}

export class PolledFd {
  /** The file descriptor; -1 once closed. */
  fd: number
  private poll: PollHandle | undefined
  private handler: (ready?: number) => void = noop
  private readonly onPoll = (ready?: number): void => { this.handler(ready) }

  constructor (private readonly native: Pick<NativeBinding, 'pollStart' | 'pollStop' | 'close'>, fd: number) {
    this.fd = fd
  }

  /** A poll is running (onReadable was called and close was not). */
  get polling (): boolean {
    return this.poll !== undefined
  }

  /**
   * Calls `handler` from the event loop whenever the fd is readable (level-triggered); a second
   * call replaces the handler. While polling, the fd keeps the process alive. The owner checks
   * that the fd is open first. With `prefetch` (taken by the call that starts the poll; a later
   * call keeps the first one's) the poll reads into it before calling `handler(ready)`, as
   * NativeBinding.pollStart says.
   */
  onReadable (handler: (ready?: number) => void, prefetch?: PollPrefetch): void {
    this.handler = handler
    if (this.poll === undefined) this.poll = this.native.pollStart(this.fd, this.onPoll, prefetch)
  }

  /** Stops the poll and closes the fd. Returns false (and does nothing) when it was closed already. */
  close (): boolean {
    if (this.fd < 0) return false
    if (this.poll !== undefined) {
      this.native.pollStop(this.poll)
      this.poll = undefined
    }
    const fd = this.fd
    this.fd = -1
    this.handler = noop
    this.native.close(fd)
    return true
  }
}
