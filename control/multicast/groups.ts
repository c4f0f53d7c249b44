/**
 * IGMP snooping state: which local pod veth is a member of which group, (*,G) only.
 *
 * - A report (v1/v2 report, v3 record reduced to join by dataplane/igmp.ts) (re)starts the
 *   membership timer: group membership interval = robustness × query interval + max response
 *   time (RFC 3376 §8.4: 2 × 60 s + 10 s = 130 s with the defaults).
 * - A leave (v2 leave, v3 TO_IN{} / IS_IN{}) removes the membership at once: one veth is one pod,
 *   so there is no other host behind the port to ask (fast leave, as bridge snooping does on
 *   ports with a single host). loomd's general queries keep active memberships fresh.
 * - Removing a port (CNI DEL, veth gone) drops all its memberships at once.
 * - Bounds: at most `maxGroupsPerPort` (256) groups per veth and `maxGroups` (4096, the gossip
 *   bound of one node) distinct groups on the node; joins beyond are refused and counted.
 *
 * Pure: time is passed in (ms); `version` increments on every change of the set of
 * (port, group) pairs so the caller republishes only on change.
 */

export interface MulticastGroupsInit {
  membershipIntervalMs: number
  maxGroupsPerPort?: number
  maxGroups?: number
}

export class MulticastGroups {
  /** Changes of the (port, group) set; the caller compares to republish. */
  version = 0
  refusedJoins = 0
  private readonly byPort = new Map<number, Map<number, number>>()
  private readonly maxGroupsPerPort: number
  private readonly maxGroups: number

  constructor (private readonly init: MulticastGroupsInit) {
    this.maxGroupsPerPort = init.maxGroupsPerPort ?? 256
    this.maxGroups = init.maxGroups ?? 4096
  }

  join (port: number, group: number, now: number): void {
    group = group >>> 0
    let groups = this.byPort.get(port)
    if (groups === undefined) { groups = new Map(); this.byPort.set(port, groups) }
    const fresh = !groups.has(group)
    if (fresh &&
      (groups.size >= this.maxGroupsPerPort || (!this.hasGroup(group) && this.groupCount() >= this.maxGroups))) {
      this.refusedJoins++
      if (groups.size === 0) this.byPort.delete(port)
      return
    }
    groups.set(group, now + this.init.membershipIntervalMs)
    if (fresh) this.version++
  }

  leave (port: number, group: number): void {
    const groups = this.byPort.get(port)
    if (groups?.delete(group >>> 0) === true) {
      this.version++
      if (groups.size === 0) this.byPort.delete(port)
    }
  }

  removePort (port: number): void {
    if (this.byPort.delete(port)) this.version++
  }

  /** Drops memberships whose timer ran out. */
  expire (now: number): void {
    for (const [port, groups] of this.byPort) {
      for (const [g, until] of groups) if (until <= now) { groups.delete(g); this.version++ }
      if (groups.size === 0) this.byPort.delete(port)
    }
  }

  /** Ports that are members of `group`. */
  membersOf (group: number): number[] {
    const out: number[] = []
    for (const [port, groups] of this.byPort) if (groups.has(group >>> 0)) out.push(port)
    return out
  }

  /** Every group with at least one local member, ascending. */
  groups (): number[] {
    const s = new Set<number>()
    for (const groups of this.byPort.values()) for (const g of groups.keys()) s.add(g)
    return [...s].sort((a, b) => a - b)
  }

  ports (): number[] {
    return [...this.byPort.keys()]
  }

  /** Total (port, group) memberships. */
  memberships (): number {
    let n = 0
    for (const groups of this.byPort.values()) n += groups.size
    return n
  }

  private hasGroup (group: number): boolean {
    for (const groups of this.byPort.values()) if (groups.has(group)) return true
    return false
  }

  private groupCount (): number {
    return this.groups().length
  }
}

/** The gossip value of topic `multicast`: groups as big-endian u32s, ascending, ≤ 4096. */
export const MAX_GOSSIP_GROUPS = 4096

export function encodeGroupSet (groups: readonly number[]): Uint8Array {
  const out = Buffer.alloc(groups.length * 4)
  groups.forEach((g, i) => out.writeUInt32BE(g >>> 0, i * 4))
  return out
}

/** Decodes and validates a node's group set; undefined if malformed (length, count, not multicast). */
export function decodeGroupSet (value: Uint8Array): number[] | undefined {
  if (value.length % 4 !== 0 || value.length / 4 > MAX_GOSSIP_GROUPS) return undefined
  const b = Buffer.from(value.buffer, value.byteOffset, value.length)
  const out: number[] = []
  for (let i = 0; i < value.length; i += 4) {
    const g = b.readUInt32BE(i)
    if ((g >>> 28) !== 0xe) return undefined
    out.push(g)
  }
  return out
}
