/**
 * Errors of the netlink helpers (host/netlink.ts).
 *
 * Callers branch on `code`, never on the message. Messages read as a sentence with the
 * operation and the object first: "failed to add route 10.244.0.0/16 dev loom0: ENODEV".
 * All of them are `NetlinkError`s, so `instanceof NetlinkError` catches every failure of
 * the helpers; the subclasses only narrow `code`.
 */

import { constants } from 'node:os'

const ERRNO_NAMES: Map<number, string> = new Map(
  Object.entries(constants.errno).map(([name, n]) => [n, name] as [number, string])
)

/** Name of a (positive) errno, e.g. 19 -> 'ENODEV'; `errno <n>` for unknown numbers. */
export function errnoName (errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`
}

/** Number of an errno name, e.g. 'ENODEV' -> 19; 0 when the name is unknown. */
export function errnoNumber (name: string): number {
  return (constants.errno as Record<string, number | undefined>)[name] ?? 0
}

/** A netlink request failed: the kernel refused it, or it could not be sent or answered. */
export class NetlinkError extends Error {
  override readonly name: string = 'NetlinkError'
  readonly code: string = 'ERR_NETLINK'
  /** Positive Linux errno (19 for ENODEV); 0 when the failure carried none (e.g. a timeout). */
  readonly errno: number
  /** The errno's name, e.g. 'ENODEV'; '' when `errno` is 0. */
  readonly errnoName: string

  /**
   * @param operation what was being done and to what, e.g. "add route 10.244.0.0/16 dev loom0"
   * @param errno positive errno, or 0
   * @param detail text after the colon when there is no errno (defaults to the cause's message)
   */
  constructor (operation: string, errno: number, options: { cause?: unknown, detail?: string } = {}) {
    const name = errno !== 0 ? errnoName(errno) : ''
    const detail = name !== '' ? name : (options.detail ?? describe(options.cause))
    super(`failed to ${operation}: ${detail}`, { cause: options.cause })
    this.errno = errno
    this.errnoName = name
  }
}

/** A link named by the caller does not exist (in this network namespace). */
export class LinkNotFoundError extends NetlinkError {
  override readonly name: string = 'LinkNotFoundError'
  override readonly code: string = 'ERR_LINK_NOT_FOUND'
  /** The missing link's name. */
  readonly link: string

  constructor (operation: string, link: string, options: { cause?: unknown } = {}) {
    super(operation, errnoNumber('ENODEV'), { ...options })
    this.message = `failed to ${operation}: link ${link} not found (ENODEV)`
    this.link = link
  }
}

/** No interface in this namespace holds the given local address. */
export class AddressNotFoundError extends NetlinkError {
  override readonly name: string = 'AddressNotFoundError'
  override readonly code: string = 'ERR_ADDRESS_NOT_FOUND'
  readonly address: string

  constructor (operation: string, address: string) {
    super(operation, 0, { detail: `no interface holds address ${address}` })
    this.address = address
  }
}

/** A caller passed a malformed argument (CIDR, IPv4 address, MAC, VNI...). Nothing was sent. */
export class NetlinkArgumentError extends NetlinkError {
  override readonly name: string = 'NetlinkArgumentError'
  override readonly code: string = 'ERR_NETLINK_ARGUMENT'

  constructor (operation: string, detail: string) {
    super(operation, errnoNumber('EINVAL'), { detail })
    this.message = `failed to ${operation}: ${detail}`
  }
}

function describe (cause: unknown): string {
  if (cause instanceof Error) return cause.message
  return cause === undefined ? 'unknown error' : String(cause)
}
