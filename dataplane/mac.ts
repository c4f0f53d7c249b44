/**
 * Ethernet MAC addresses: parsing and formatting (config and status time) and the derivation of
 * a node's VXLAN VTEP MAC from its name. Pure; node:crypto is used for hashing only.
 *
 * Why derive the VTEP MAC instead of picking a random one: a peer configured the Flannel way
 * holds our MAC in a static neighbour and FDB entry. A MAC that is a function of the node name
 * survives agent restarts and state-directory loss without reprogramming every peer. The
 * `vtepMAC` config key overrides it when an operator needs a specific value.
 */
import { createHash } from 'node:crypto'

/** A string that is not a colon-separated 6-byte MAC address, or a buffer that is not 6 bytes. */
export class InvalidMACError extends Error {
  readonly code = 'ERR_INVALID_MAC'
  override readonly name = 'InvalidMACError'
  constructor (readonly value: string, reason: string) {
    super(`invalid MAC address ${JSON.stringify(value)}: ${reason}`)
  }
}

export const MAC_LEN = 6

const MAC_PATTERN = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/

/**
 * Parses "aa:bb:cc:dd:ee:ff" (either case) into a fresh 6-byte Buffer. Only the colon form is
 * accepted: it is what `ip link` prints and what the config documents. Throws InvalidMACError.
 */
export function parseMAC (s: string): Buffer {
  if (typeof s !== 'string') throw new InvalidMACError(String(s), 'not a string')
  if (!MAC_PATTERN.test(s)) {
    throw new InvalidMACError(s, 'expected six two-digit hex bytes separated by colons, e.g. 02:42:ac:11:00:02')
  }
  return Buffer.from(s.replace(/:/g, ''), 'hex')
}

/** Formats the 6 bytes at b[off, off + 6) as lowercase "aa:bb:cc:dd:ee:ff". */
export function formatMAC (b: Uint8Array, off = 0): string {
  if (off < 0 || off + MAC_LEN > b.length) {
    throw new InvalidMACError(`<${b.length}-byte buffer at offset ${off}>`, 'fewer than 6 bytes')
  }
  let s = ''
  for (let i = 0; i < MAC_LEN; i++) {
    if (i > 0) s += ':'
    s += b[off + i].toString(16).padStart(2, '0')
  }
  return s
}

/** Whether buf[off, off + 6) equals mac[0, 6). No allocation. */
export function macEquals (buf: Uint8Array, off: number, mac: Uint8Array): boolean {
  return buf[off] === mac[0] && buf[off + 1] === mac[1] && buf[off + 2] === mac[2] &&
    buf[off + 3] === mac[3] && buf[off + 4] === mac[4] && buf[off + 5] === mac[5]
}

/** Whether buf[off, off + 6) is ff:ff:ff:ff:ff:ff. No allocation. */
export function isBroadcastMAC (buf: Uint8Array, off: number): boolean {
  return (buf[off] & buf[off + 1] & buf[off + 2] & buf[off + 3] & buf[off + 4] & buf[off + 5]) === 0xff
}

/**
 * The VTEP MAC of a node: the first 6 bytes of SHA-256("loom-vtep-mac\0" + name), with the
 * locally-administered bit (0x02) set and the multicast bit (0x01) cleared in byte 0, so it is a
 * unicast address that can never collide with a vendor-assigned one. Deterministic across
 * processes, versions and machines. With 46 hashed bits, two nodes of a 1000-node cluster clash
 * with probability ~7e-9; Loom itself identifies VXLAN senders by underlay address, so a clash
 * would only confuse a kernel peer's FDB, and `vtepMAC` in config pins a different value.
 */
export function deriveVtepMAC (nodeName: string): Buffer {
  if (typeof nodeName !== 'string' || nodeName.length === 0) {
    throw new TypeError(`cannot derive a VTEP MAC from node name ${JSON.stringify(nodeName)}: expected a non-empty string`)
  }
  const digest = createHash('sha256').update('loom-vtep-mac\0').update(nodeName, 'utf8').digest()
  const mac = Buffer.alloc(MAC_LEN)
  digest.copy(mac, 0, 0, MAC_LEN)
  mac[0] = (mac[0] | 0x02) & 0xfe
  return mac
}
