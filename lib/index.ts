/**
 * lib/: the shared vocabulary every room may import (and which imports no room of Loom's):
 * - ipv4.ts       IPv4 addresses and CIDR prefixes as text, strict parse and format;
 * - fnv1a.ts      the one non-cryptographic hash (FNV-1a 32);
 * - veth-name.ts  the host-side veth name of a pod attachment (agent, plugin and GC agree).
 * Read ipv4.ts first. Everything here is pure and unit-tested with hostile input
 * (test/unit/lib-*.test.ts).
 */
export {
  InvalidIPv4AddressError, InvalidCIDRError, type CIDR, parseIPv4Address, tryParseIPv4Address,
  formatIPv4Address, prefixMask, parseCIDR, tryParseCIDR, formatCIDR, cidrContains,
} from './ipv4'
export { fnv1a32, fnv1a32String } from './fnv1a'
export { HOST_VETH_PREFIX, HOST_VETH_RE, HOST_VETH_GLOB, hostVethName } from './veth-name'
