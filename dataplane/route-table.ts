/**
 * The data plane's route table: overlay prefix -> the peer node that owns it, plus the peer
 * lookups the encapsulations use to identify senders (it is the PeerDirectory).
 *
 * Design notes:
 * - Immutable. The control plane never mutates it: it builds a new table (RouteTable.build) and
 *   the data plane swaps one reference, so the hot path needs no locks and never sees a
 *   half-applied change (flannel's udp backend and wireguard-go's allowedips swap the same way).
 * - Longest-prefix match with one Map<network, peer> per distinct prefix length, probed from the
 *   longest length down. The cost per lookup is bounded by the number of distinct prefix lengths
 *   (at most 33, in practice 1–3: a cluster's block size plus a few static routes), and does
 *   not grow with the number of routes. A binary trie (allowedips) would cost up to 32 steps per
 *   lookup; a hash probe per length is cheaper for Loom's few lengths.
 * - Peers are identified by object: several routes may point to the same PeerRoute (a node owning
 *   several blocks). Two distinct peers may not share an index (Loom's udp framing names the
 *   sender by index) nor the self index. Two distinct peers may share an underlay address (several
 *   agents on one host, each on its own port, as in the simulation tests): such an address is
 *   left out of peerByAddress, because VXLAN cannot tell those senders apart.
 * - Every Map is keyed by the int32 form of its u32 key (`x | 0`): V8 hashes small integers
 *   directly, while u32 values >= 2^31 (192.168.x.x, half of all node indices) would be heap
 *   numbers, hashed several times slower. Callers still pass and get host-order u32 values.
 * - Validation happens in build (config/control time) and throws typed errors; lookups never throw.
 */
import type { PeerDirectory, PeerRoute } from './types'
import { formatCIDR, formatIPv4Address, parseCIDR, parseIPv4Address, prefixMask } from '../lib'
import { MAC_LEN } from './mac'

/** Two different peers claim the same prefix. */
export class RouteConflictError extends Error {
  readonly code = 'ERR_ROUTE_CONFLICT'
  override readonly name = 'RouteConflictError'
  constructor (readonly prefix: string, readonly existing: string, readonly claimant: string) {
    super(`route ${prefix} is claimed by both peer ${existing} and peer ${claimant}`)
  }
}

/** Two different peers (or a peer and this node) have the same node index. */
export class PeerIndexConflictError extends Error {
  readonly code = 'ERR_PEER_INDEX_CONFLICT'
  override readonly name = 'PeerIndexConflictError'
  constructor (readonly index: number, readonly first: string, readonly second: string) {
    super(`node index ${index} (0x${index.toString(16).padStart(8,
      '0')}) is used by both ${first} and ${second}; rename one of them`)
  }
}

/** A route or peer definition that is invalid on its own (bad prefix, port, MAC, ...). */
export class InvalidRouteError extends Error {
  readonly code = 'ERR_INVALID_ROUTE'
  override readonly name = 'InvalidRouteError'
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor -- makes `message` required
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

export interface PeerRouteInit {
  nodeName: string
  /** Non-zero u32 (deriveNodeIndex of nodeName). */
  index: number
  /** Underlay IPv4 address, dotted. */
  address: string
  /** UDP port, 1..65535. */
  port: number
  /** 6 bytes; copied. */
  vtepMAC: Buffer
  /** Largest inner packet to this peer, bytes (>= 68, the IPv4 minimum MTU). */
  mtu: number
  /** The peer's static X25519 public key (32 bytes; copied), when known. */
  publicKey?: Uint8Array
}

/** Builds a validated PeerRoute with zeroed counters. Throws InvalidRouteError. */
export function createPeerRoute (init: PeerRouteInit): PeerRoute {
  const who = `peer ${JSON.stringify(init.nodeName)}`
  if (typeof init.nodeName !== 'string' || init.nodeName.length === 0) {
    throw new InvalidRouteError(`${who}: nodeName must be a non-empty string`)
  }
  if (!Number.isInteger(init.index) || init.index <= 0 || init.index > 0xffffffff) {
    throw new InvalidRouteError(`${who}: index ${String(init.index)} is not a non-zero unsigned 32-bit integer`)
  }
  let addressU32: number
  try {
    addressU32 = parseIPv4Address(init.address)
  } catch (err) {
    throw new InvalidRouteError(`${who}: ${(err as Error).message}`, { cause: err })
  }
  if (!Number.isInteger(init.port) || init.port < 1 || init.port > 65535) {
    throw new InvalidRouteError(`${who}: port ${String(init.port)} is not an integer 1..65535`)
  }
  if (!Buffer.isBuffer(init.vtepMAC) || init.vtepMAC.length !== MAC_LEN) {
    throw new InvalidRouteError(`${who}: vtepMAC must be a ${MAC_LEN}-byte Buffer`)
  }
  if (!Number.isInteger(init.mtu) || init.mtu < 68 || init.mtu > 65535) {
    throw new InvalidRouteError(`${who}: mtu ${String(init.mtu)} is not an integer 68..65535`)
  }
  if (init.publicKey !== undefined && init.publicKey.length !== 0 && init.publicKey.length !== 32) {
    throw new InvalidRouteError(`${who}: publicKey must be 32 bytes (or empty)`)
  }
  return {
    nodeName: init.nodeName,
    index: init.index >>> 0,
    address: formatIPv4Address(addressU32),
    addressU32,
    port: init.port,
    vtepMAC: Buffer.from(init.vtepMAC),
    mtu: init.mtu,
    ...(init.publicKey !== undefined && init.publicKey.length > 0 ? { publicKey: Buffer.from(init.publicKey) } : {}),
    counters: { packetsOut: 0, bytesOut: 0, packetsIn: 0, bytesIn: 0, lastInMs: 0 },
  }
}

export interface RouteTableInit {
  /** This node's index and VTEP MAC (the PeerDirectory's self fields). */
  selfIndex: number
  selfVtepMAC: Buffer
  /** Overlay prefixes (CIDR, host bits clear) and the peer owning each. Order does not matter. */
  routes: ReadonlyArray<{ prefix: string, peer: PeerRoute }>
}

/** One overlay prefix and the peer owning it (a kernel route is host/netlink.ts's RouteEntry). */
export interface OverlayRoute {
  /** Normalised CIDR ("10.244.1.0/26"). */
  readonly prefix: string
  readonly peer: PeerRoute
}

/** A valid overlay prefix (host bits clear) as build reads it, and its normalised text. */
interface ParsedPrefix {
  readonly network: number
  readonly prefixLength: number
  readonly normalised: string
}

/**
 * Valid prefixes seen by build, by their text. The control plane rebuilds the whole table on
 * every change of who owns a block, from the same few hundred block CIDRs each time; parsing and
 * formatting each of them again was a third of build's time in a 40-node test/sim/ipam-stack.ts run.
 * A prefix that fails validation is never stored, so it throws on every build as before. Bounded:
 * emptied when full (a cluster has at most a few thousand blocks).
 */
const parsedPrefixes = new Map<string, ParsedPrefix>()
const PARSED_PREFIXES_MAX = 1 << 16

/** `prefix` parsed and checked as build needs it; throws InvalidRouteError naming `peer`. */
function parsePrefix (prefix: string, peer: PeerRoute): ParsedPrefix {
  const known = parsedPrefixes.get(prefix)
  if (known !== undefined) return known
  let cidr
  try {
    cidr = parseCIDR(prefix)
  } catch (err) {
    throw new InvalidRouteError(`route for peer ${describePeer(peer)}: ${(err as Error).message}`, { cause: err })
  }
  if (cidr.hostBitsSet) {
    throw new InvalidRouteError(`route ${prefix} for peer ${describePeer(peer)} has host bits set (did you mean ${formatCIDR(cidr.network, cidr.prefixLength)}?)`)
  }
  const parsed = Object.freeze({
    network: cidr.network, prefixLength: cidr.prefixLength, normalised: formatCIDR(cidr.network, cidr.prefixLength),
  })
  if (parsedPrefixes.size >= PARSED_PREFIXES_MAX) parsedPrefixes.clear()
  parsedPrefixes.set(prefix, parsed)
  return parsed
}

/** Slot of (network, prefix length) in RouteTable's open-addressing table (before masking). */
function slotHash (network: number, length: number): number {
  let h = Math.imul(network ^ Math.imul(length, 0x9e3779b1), 0x85ebca6b)
  h ^= h >>> 15
  return Math.imul(h, 0xc2b2ae35) >>> 0
}

function describePeer (p: PeerRoute): string {
  return `${p.nodeName} (${p.address}:${p.port})`
}

export class RouteTable implements PeerDirectory {
  readonly selfIndex: number
  readonly selfVtepMAC: Buffer
  /** Distinct prefix lengths, longest first, and the matching masks. */
  private readonly masks: Int32Array
  private readonly lengths: Int32Array
  /**
   * Every (prefix length, network) -> peer in one open-addressing table of Int32 pairs:
   * [network, (peer number + 1) << 6 | length], 0 = empty slot. One cache line per probe instead
   * of a JS Map's bucket, entry and key chain: lookups stay flat up to 100 000 routes
   * (bench/table-scale.ts).
   */
  private readonly slots: Int32Array
  private readonly slotMask: number
  private readonly slotPeers: PeerRoute[]
  private readonly byIndex: Map<number, PeerRoute>
  private readonly byAddress: Map<number, PeerRoute>
  private readonly peerList: readonly PeerRoute[]
  private readonly entries: readonly OverlayRoute[]

  private constructor (selfIndex: number, selfVtepMAC: Buffer, lengths: number[],
    maps: Array<Map<number, PeerRoute>>, byIndex: Map<number, PeerRoute>,
    byAddress: Map<number, PeerRoute>, peerList: PeerRoute[], entries: OverlayRoute[]) {
    this.selfIndex = selfIndex
    this.selfVtepMAC = selfVtepMAC
    this.masks = Int32Array.from(lengths, l => prefixMask(l) | 0)
    this.lengths = Int32Array.from(lengths)
    let total = 0
    for (const m of maps) total += m.size
    let capacity = 16
    while (capacity < total * 2) capacity *= 2
    this.slots = new Int32Array(capacity * 2)
    this.slotMask = capacity - 1
    this.slotPeers = []
    const numbers = new Map<PeerRoute, number>()
    maps.forEach((m, i) => {
      const length = lengths[i]
      for (const [network, peer] of m) {
        let n = numbers.get(peer)
        if (n === undefined) {
          n = this.slotPeers.length
          numbers.set(peer, n)
          this.slotPeers.push(peer)
        }
        let h = slotHash(network | 0, length) & this.slotMask
        while (this.slots[2 * h + 1] !== 0) h = (h + 1) & this.slotMask
        this.slots[2 * h] = network | 0
        this.slots[2 * h + 1] = ((n + 1) << 6) | length
      }
    })
    this.byIndex = byIndex
    this.byAddress = byAddress
    this.peerList = Object.freeze(peerList)
    this.entries = Object.freeze(entries)
  }

  /**
   * Validates and builds a table. Throws InvalidRouteError (bad prefix or self fields),
   * RouteConflictError (one prefix, two peers) or PeerIndexConflictError. The same prefix listed
   * twice for the same peer is accepted once.
   */
  static build (init: RouteTableInit): RouteTable {
    const selfIndex = init.selfIndex
    if (!Number.isInteger(selfIndex) || selfIndex <= 0 || selfIndex > 0xffffffff) {
      throw new InvalidRouteError(`route table: selfIndex ${String(selfIndex)} is not a non-zero unsigned 32-bit integer`)
    }
    if (!Buffer.isBuffer(init.selfVtepMAC) || init.selfVtepMAC.length !== MAC_LEN) {
      throw new InvalidRouteError(`route table: selfVtepMAC must be a ${MAC_LEN}-byte Buffer`)
    }
    const byLength = new Map<number, Map<number, PeerRoute>>()
    const byIndex = new Map<number, PeerRoute>()
    const byAddress = new Map<number, PeerRoute>()
    const ambiguousAddresses = new Set<number>()
    const peerList: PeerRoute[] = []
    const entries: Array<OverlayRoute & { network: number, prefixLength: number }> = []

    for (const { prefix, peer } of init.routes) {
      const cidr = parsePrefix(prefix, peer)
      if (byIndex.get(peer.index | 0) !== peer) {
        const other = byIndex.get(peer.index | 0)
        if (other !== undefined) throw new PeerIndexConflictError(peer.index, describePeer(other), describePeer(peer))
        if (peer.index === selfIndex) throw new PeerIndexConflictError(peer.index, 'this node', describePeer(peer))
        byIndex.set(peer.index | 0, peer)
        peerList.push(peer)
        const sameAddress = byAddress.get(peer.addressU32 | 0)
        if (sameAddress !== undefined || ambiguousAddresses.has(peer.addressU32)) {
          ambiguousAddresses.add(peer.addressU32)
          byAddress.delete(peer.addressU32 | 0)
        } else {
          byAddress.set(peer.addressU32 | 0, peer)
        }
      }
      let map = byLength.get(cidr.prefixLength)
      if (map === undefined) {
        map = new Map()
        byLength.set(cidr.prefixLength, map)
      }
      const existing = map.get(cidr.network | 0)
      const normalised = cidr.normalised
      if (existing === peer) continue
      if (existing !== undefined) throw new RouteConflictError(normalised, describePeer(existing), describePeer(peer))
      map.set(cidr.network | 0, peer)
      entries.push({ prefix: normalised, peer, network: cidr.network, prefixLength: cidr.prefixLength })
    }

    const lengths = [...byLength.keys()].sort((a, b) => b - a)
    const maps = lengths.map(l => byLength.get(l) as Map<number, PeerRoute>)
    entries.sort((a, b) => (a.network - b.network) || (a.prefixLength - b.prefixLength))
    return new RouteTable(selfIndex >>> 0, Buffer.from(init.selfVtepMAC), lengths, maps, byIndex,
      byAddress, peerList, entries.map(e => Object.freeze({ prefix: e.prefix, peer: e.peer })))
  }

  /** The peer owning the longest prefix that contains dstU32 (host-order), or undefined. */
  lookup (dstU32: number): PeerRoute | undefined {
    const masks = this.masks
    const lengths = this.lengths
    const slots = this.slots
    const slotMask = this.slotMask
    for (let i = 0; i < masks.length; i++) {
      const key = dstU32 & masks[i]
      const length = lengths[i]
      let h = slotHash(key, length) & slotMask
      for (;;) {
        const tag = slots[2 * h + 1]
        if (tag === 0) break
        if ((tag & 63) === length && slots[2 * h] === key) return this.slotPeers[(tag >>> 6) - 1]
        h = (h + 1) & slotMask
      }
    }
    return undefined
  }

  peerByIndex (index: number): PeerRoute | undefined {
    return this.byIndex.get(index | 0)
  }

  /** The peer at that underlay address; undefined if none, or if several peers share it. */
  peerByAddress (addressU32: number): PeerRoute | undefined {
    return this.byAddress.get(addressU32 | 0)
  }

  /** Every distinct peer, in the order first seen in `routes`. */
  peers (): readonly PeerRoute[] {
    return this.peerList
  }

  /** Every route, sorted by network then prefix length (for status output). */
  routes (): readonly OverlayRoute[] {
    return this.entries
  }
}
