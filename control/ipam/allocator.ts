/**
 * Local address allocation inside the blocks this node owns: no network, no clock. Keyed by the
 * CNI attachment (container ID, ifname); allocating an existing key returns the same address
 * (idempotent ADD retry), releasing an unknown key succeeds (DEL of something already gone).
 *
 * Next-fit per block (a rotating cursor) rather than lowest-free, so an address released a
 * moment ago is not handed straight to the next pod while peers may still hold stale routes or
 * conntrack entries for it. On top of that a released address sits in quarantine for
 * `quarantineMs` (wall clock: it must survive a restart, which a monotonic clock does not): it is
 * not handed out again before then even if it is the only free one (the caller claims another
 * block or answers "try again"/"exhausted"). Cursors and quarantine are part of the durable
 * state (`reuseDurable`), so a restarted loomd never gives a pod the address of one deleted
 * seconds before the restart (the issue behind this: a lost cursor restarted at the lowest free
 * address, which was the one just released).
 *
 * The allocator does not decide which blocks are usable: the caller passes the blocks this node
 * owns *and* may use now (lease valid, not releasing). It only remembers which offsets are taken.
 */
import { formatIPv4Address } from '../../lib'
import { blockAddress, isUsableOffset } from './blocks'
import type { AttachmentKey, BlockLayout } from './types'
import { IpamDecodeError, IpamInvariantError } from './errors'

export interface Allocation {
  readonly key: string
  readonly block: number
  readonly offset: number
  /** Dotted IPv4 address. */
  readonly address: string
}

export function attachmentKey (k: AttachmentKey): string {
  return `${k.containerId}/${k.ifname}`
}

/** Persisted form: [key, block, offset] triples. */
export type AllocatorDurable = ReadonlyArray<readonly [string, number, number]>

/** Persisted reuse state: next-fit cursors [block, offset] and quarantine [block, offset, releasedAtMs]. */
export interface AllocatorReuseDurable {
  readonly cursors: ReadonlyArray<readonly [number, number]>
  readonly quarantine: ReadonlyArray<readonly [number, number, number]>
}

export interface AllocatorReuseInit {
  /** How long a released address is not handed out again, ms (0 = no quarantine). */
  readonly quarantineMs: number
  /** Wall-clock ms (Date.now); injected so tests and simulations control it. */
  readonly clock: () => number
}

/** Default quarantine of a released address: longer than a conntrack/route refresh after a DEL. */
export const DEFAULT_QUARANTINE_MS = 30_000

export class IpamAllocator {
  private readonly layout: BlockLayout
  private readonly byKey = new Map<string, Allocation>()
  private readonly used = new Map<number, Uint8Array>()
  private readonly usedCount = new Map<number, number>()
  private readonly cursor = new Map<number, number>()
  /** block * blockSize + offset -> released at (wall ms); insertion order = release order. */
  private readonly quarantine = new Map<number, number>()
  private readonly reuse: AllocatorReuseInit

  constructor (layout: BlockLayout, durable: AllocatorDurable | null = null,
    reuseDurable: AllocatorReuseDurable | null = null,
    reuse: AllocatorReuseInit = { quarantineMs: 0, clock: Date.now }) {
    this.layout = layout
    this.reuse = reuse
    if (durable !== null) {
      for (const t of durable) {
        if (!Array.isArray(t) || t.length !== 3 || typeof t[0] !== 'string' || !Number.isInteger(t[1]) ||
          !Number.isInteger(t[2]) ||
          t[1] < 0 || t[1] >= layout.blockCount || t[2] < 0 || t[2] >= layout.blockSize) {
          throw new IpamDecodeError(`allocation entry ${JSON.stringify(t)} is not [key, block, offset] inside the cluster CIDR`)
        }
        if (this.byKey.has(t[0]) ||
          this.isTaken(t[1],
            t[2])) throw new IpamDecodeError(`allocation entry ${JSON.stringify(t)} duplicates a key or an address`)
        this.take(t[0], t[1], t[2])
      }
    }
    if (reuseDurable !== null) this.loadReuse(reuseDurable)
  }

  private loadReuse (r: AllocatorReuseDurable): void {
    const inRange = (b: unknown, o: unknown): boolean => Number.isInteger(b) && Number.isInteger(o) &&
      (b as number) >= 0 && (b as number) < this.layout.blockCount && (o as number) >= 0 &&
      (o as number) < this.layout.blockSize
    if (typeof r !== 'object' || r === null || !Array.isArray(r.cursors) || !Array.isArray(r.quarantine)) {
      throw new IpamDecodeError('reuse state must be {cursors: [...], quarantine: [...]}')
    }
    for (const c of r.cursors) {
      if (!Array.isArray(c) || c.length !== 2 ||
        !inRange(c[0],
          c[1])) throw new IpamDecodeError(`cursor ${JSON.stringify(c)} is not [block, offset] inside the cluster CIDR`)
      this.cursor.set(c[0], c[1])
    }
    for (const q of r.quarantine) {
      if (!Array.isArray(q) || q.length !== 3 || !inRange(q[0], q[1]) || typeof q[2] !== 'number' ||
        !Number.isFinite(q[2])) {
        throw new IpamDecodeError(`quarantine entry ${JSON.stringify(q)} is not [block, offset, releasedAtMs] inside the cluster CIDR`)
      }
      this.quarantine.set(q[0] * this.layout.blockSize + q[1], q[2])
    }
  }

  /** Cursors and quarantine, for the state file. */
  reuseDurable (): AllocatorReuseDurable {
    this.pruneQuarantine()
    const size = this.layout.blockSize
    return {
      cursors: [...this.cursor.entries()].map(([b, o]) => [b, o] as const),
      quarantine: [...this.quarantine.entries()].map(([i, at]) => [Math.floor(i / size), i % size, at] as const),
    }
  }

  /** Released addresses still in quarantine in `block`. */
  quarantinedIn (block: number): number {
    this.pruneQuarantine()
    let n = 0
    const size = this.layout.blockSize
    for (const i of this.quarantine.keys()) if (Math.floor(i / size) === block) n++
    return n
  }

  /** Drops expired entries; also entries from a wall clock that has since jumped back a lot. */
  private pruneQuarantine (): void {
    const now = this.reuse.clock()
    const q = this.reuse.quarantineMs
    for (const [i, at] of this.quarantine) {
      if (now - at >= q || at - now > q) this.quarantine.delete(i)
    }
  }

  get size (): number { return this.byKey.size }

  get (key: string): Allocation | undefined { return this.byKey.get(key) }

  /** Addresses in use in `block` (0 when none). */
  usedIn (block: number): number { return this.usedCount.get(block) ?? 0 }

  /** Usable addresses still free in `block`. */
  freeIn (block: number): number {
    let usable = this.layout.blockSize
    if (block === 0) usable--
    if (block === this.layout.blockCount - 1) usable--
    return usable - this.usedIn(block)
  }

  /** Blocks that hold at least one allocation. */
  blocksInUse (): number[] { return [...this.usedCount.entries()].filter(([, n]) => n > 0).map(([b]) => b) }

  /**
   * Allocates for `key` in the first of `blocks` with a free address out of quarantine; returns
   * the existing allocation if `key` already has one (whatever block it is in), or null when
   * every offered block is full or holds only quarantined addresses.
   */
  allocate (key: string, blocks: readonly number[]): Allocation | null {
    const existing = this.byKey.get(key)
    if (existing !== undefined) return existing
    if (this.quarantine.size > 0) this.pruneQuarantine()
    for (const b of blocks) {
      if (this.freeIn(b) <= 0) continue
      const size = this.layout.blockSize
      const start = this.cursor.get(b) ?? 0
      let quarantined = 0
      for (let i = 0; i < size; i++) {
        const off = (start + i) % size
        if (!isUsableOffset(this.layout, b, off) || this.isTaken(b, off)) continue
        if (this.quarantine.has(b * size + off)) { quarantined++; continue }
        this.cursor.set(b, (off + 1) % size)
        return this.take(key, b, off)
      }
      if (quarantined === 0) throw new IpamInvariantError(`block ${b} reports ${this.freeIn(b)} free addresses but none was found`)
    }
    return null
  }

  /** Releases `key`; returns what was released, or null for an unknown key (not an error). */
  release (key: string): Allocation | null {
    const a = this.byKey.get(key)
    if (a === undefined) return null
    this.byKey.delete(key)
    this.used.get(a.block)![a.offset] = 0
    this.usedCount.set(a.block, this.usedIn(a.block) - 1)
    if (this.reuse.quarantineMs > 0) {
      const i = a.block * this.layout.blockSize + a.offset
      this.quarantine.delete(i) // re-inserted last: the map stays in release order
      this.quarantine.set(i, this.reuse.clock())
    }
    return a
  }

  /** Drops every allocation in `block` (the block was lost); returns the keys dropped. */
  dropBlock (block: number): string[] {
    const keys = [...this.byKey.values()].filter(a => a.block === block).map(a => a.key)
    for (const k of keys) this.release(k)
    return keys
  }

  entries (): IterableIterator<Allocation> { return this.byKey.values() }

  durable (): AllocatorDurable {
    return [...this.byKey.values()].map(a => [a.key, a.block, a.offset] as const)
  }

  private isTaken (block: number, offset: number): boolean {
    const bm = this.used.get(block)
    return bm !== undefined && bm[offset] === 1
  }

  private take (key: string, block: number, offset: number): Allocation {
    let bm = this.used.get(block)
    if (bm === undefined) { bm = new Uint8Array(this.layout.blockSize); this.used.set(block, bm) }
    bm[offset] = 1
    this.usedCount.set(block, this.usedIn(block) + 1)
    const a: Allocation = { key, block, offset, address: formatIPv4Address(blockAddress(this.layout, block, offset)) }
    this.byKey.set(key, a)
    return a
  }
}
