/**
 * The data plane's failure kinds, one class each. Callers branch on `code` (stable), never on the
 * message. Messages put the device or address first and read as a sentence; the syscall error
 * from the native binding is kept as `cause`, and its errno as `errno`.
 *
 * These are for start-up and local failures (open, bind, a device that went away, use after
 * close). Bad packets are never errors: the hot path drops and counts them (see types.ts `Drop`).
 */

export type { SyscallError } from '../host/native-binding'
export { NativeBindingLoadError } from '../host/native-addon'

function errnoOf (cause: unknown): number | undefined {
  const errno = (cause as { errno?: unknown } | null)?.errno
  return typeof errno === 'number' ? errno : undefined
}

function errnoName (cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : 'unknown error'
}

/** Opening or attaching the TUN device failed (no CAP_NET_ADMIN, bad name, busy, ...). */
export class TunOpenError extends Error {
  static readonly code = 'ERR_TUN_OPEN'
  readonly code = TunOpenError.code
  override readonly name = 'TunOpenError'
  readonly errno: number | undefined

  constructor (readonly device: string, cause: unknown) {
    super(`failed to open TUN device ${device}: ${errnoName(cause)}`, { cause })
    this.errno = errnoOf(cause)
  }
}

/** A read or write on an open TUN device failed for a reason other than a full/empty queue. */
export class TunIOError extends Error {
  static readonly code = 'ERR_TUN_IO'
  readonly code = TunIOError.code
  override readonly name = 'TunIOError'
  readonly errno: number | undefined

  constructor (readonly device: string, readonly operation: 'read' | 'write', cause: unknown) {
    super(`failed to ${operation} TUN device ${device}: ${errnoName(cause)}`, { cause })
    this.errno = errnoOf(cause)
  }
}

/**
 * Opening, binding or using the data-path UDP socket failed (address in use or not local, bad
 * fd). Transient send/receive conditions are not errors: sendBatch returns a short count.
 */
export class SocketError extends Error {
  static readonly code = 'ERR_SOCKET'
  readonly code = SocketError.code
  override readonly name = 'SocketError'
  readonly errno: number | undefined

  constructor (readonly address: string, readonly port: number,
    readonly operation: 'open' | 'send' | 'receive', cause: unknown) {
    super(`failed to ${operation} UDP socket ${address}:${port}: ${errnoName(cause)}`, { cause })
    this.errno = errnoOf(cause)
  }
}

/** A method other than close() was called on a TunDevice after close(). */
export class DeviceClosedError extends Error {
  static readonly code = 'ERR_DEVICE_CLOSED'
  readonly code = DeviceClosedError.code
  override readonly name = 'DeviceClosedError'

  constructor (readonly device: string) {
    super(`TUN device ${device} is closed`)
  }
}

/** A method other than close() was called on a UdpTransport after close(). */
export class TransportClosedError extends Error {
  static readonly code = 'ERR_TRANSPORT_CLOSED'
  readonly code = TransportClosedError.code
  override readonly name = 'TransportClosedError'

  constructor (readonly address: string, readonly port: number) {
    super(`UDP socket ${address}:${port} is closed`)
  }
}
