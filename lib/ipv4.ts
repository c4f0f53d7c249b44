/**
 * IPv4 addresses and prefixes as text: the one parser and formatter every room uses (config,
 * data plane, IPAM, CNI, policy, tests), so that an address one part accepts no other part
 * refuses.
 *
 * Strict on purpose: exactly four decimal octets 0..255 without leading zeros and a prefix
 * length 0..32 without leading zeros; no whitespace, no shorthand ("10.1" or "10.0.1"), no hex
 * or octal. inet_aton(3) reads "010.1.1.1" as 8.1.1.1 and "10.1" as 10.0.0.1; a config, a
 * manifest or a route that means something else to the kernel than to us is refused instead.
 *
 * Two forms of each parser: `parse*` throws a typed error whose message names the value (config
 * time), `tryParse*` returns undefined (input from peers, manifests, the kernel). Addresses are
 * host-order unsigned 32-bit numbers (10.0.0.1 = 0x0a000001), normalised with `>>> 0` so that
 * `===` and Map keys work.
 */

/** A string that is not a dotted-quad IPv4 address. */
export class InvalidIPv4AddressError extends Error {
  readonly code = 'ERR_INVALID_IPV4_ADDRESS'
  override readonly name = 'InvalidIPv4AddressError'
  constructor (readonly value: string, reason: string) {
    super(`invalid IPv4 address ${JSON.stringify(value)}: ${reason}`)
  }
}

/** A string that is not an IPv4 prefix in CIDR notation. */
export class InvalidCIDRError extends Error {
  readonly code = 'ERR_INVALID_CIDR'
  override readonly name = 'InvalidCIDRError'
  constructor (readonly value: string, reason: string, options?: { cause?: unknown }) {
    super(`invalid CIDR ${JSON.stringify(value)}: ${reason}`, options)
  }
}

const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/
const PREFIX_LENGTH = /^(0|[1-9][0-9]?)$/

/** Why `s` is not an address, or the address. One walk for both parser forms. */
function readAddress (s: unknown): number | string {
  if (typeof s !== 'string') return 'not a string'
  const parts = s.split('.')
  if (parts.length !== 4) return 'expected four dot-separated octets'
  let n = 0
  for (const part of parts) {
    if (!DECIMAL_OCTET.test(part)) return `octet ${JSON.stringify(part)} is not a decimal number without leading zeros`
    const v = Number(part)
    if (v > 255) return `octet ${part} is larger than 255`
    n = (n * 256) + v
  }
  return n >>> 0
}

/** Parses a dotted quad ("10.244.1.7"); throws InvalidIPv4AddressError naming the value. */
export function parseIPv4Address (s: string): number {
  const r = readAddress(s)
  if (typeof r === 'string') throw new InvalidIPv4AddressError(String(s), r)
  return r
}

/** Parses a dotted quad; undefined when `s` is anything else. */
export function tryParseIPv4Address (s: unknown): number | undefined {
  const r = readAddress(s)
  return typeof r === 'number' ? r : undefined
}

/** Formats a host-order u32 as a dotted quad (a signed or wider number is taken modulo 2^32). */
export function formatIPv4Address (n: number): string {
  n = n >>> 0
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`
}

/** The netmask of a prefix length 0..32 as a host-order u32 (`<< 32` is `<< 0` in JS). */
export function prefixMask (prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0
}

/** A parsed IPv4 prefix. */
export interface CIDR {
  /** The address as written, host bits included ("10.0.0.5/24" gives 10.0.0.5). */
  readonly address: number
  /** The address with host bits cleared ("10.0.0.5/24" gives 10.0.0.0). */
  readonly network: number
  readonly prefixLength: number
  /** True when `address` has bits set beyond the prefix (address !== network). */
  readonly hostBitsSet: boolean
}

function readCIDR (s: unknown): CIDR | { error: string, cause?: InvalidIPv4AddressError } {
  if (typeof s !== 'string') return { error: 'not a string' }
  const slash = s.indexOf('/')
  if (slash < 0) return { error: 'missing "/<prefix length>"' }
  const lenText = s.slice(slash + 1)
  if (!PREFIX_LENGTH.test(lenText) || Number(lenText) > 32) {
    return { error: `prefix length ${JSON.stringify(lenText)} is not an integer 0..32` }
  }
  const addressText = s.slice(0, slash)
  const address = readAddress(addressText)
  if (typeof address === 'string') {
    const cause = new InvalidIPv4AddressError(addressText, address)
    return { error: cause.message, cause }
  }
  const prefixLength = Number(lenText)
  const network = (address & prefixMask(prefixLength)) >>> 0
  return { address, network, prefixLength, hostBitsSet: network !== address }
}

/**
 * Parses "a.b.c.d/len". Host bits are accepted (an interface address like "10.0.0.5/24" is a
 * legitimate input) but exposed: `network` has them cleared, `address` keeps them and
 * `hostBitsSet` says whether they differed; callers that need an aligned prefix (the route
 * table, clusterCIDR) reject `hostBitsSet`. Throws InvalidCIDRError naming the value.
 */
export function parseCIDR (s: string): CIDR {
  const r = readCIDR(s)
  if ('error' in r) {
    throw new InvalidCIDRError(String(s), r.error,
      r.cause !== undefined ? { cause: r.cause } : undefined)
  }
  return r
}

/** Parses "a.b.c.d/len" as parseCIDR does; undefined when `s` is anything else. */
export function tryParseCIDR (s: unknown): CIDR | undefined {
  const r = readCIDR(s)
  return 'error' in r ? undefined : r
}

/** Formats a prefix as "a.b.c.d/len". */
export function formatCIDR (network: number, prefixLength: number): string {
  return `${formatIPv4Address(network)}/${prefixLength}`
}

/** True when `address` lies inside the prefix `network`/`prefixLength`. */
export function cidrContains (network: number, prefixLength: number, address: number): boolean {
  const mask = prefixMask(prefixLength)
  return ((address & mask) >>> 0) === ((network & mask) >>> 0)
}
