/**
 * IPv4 interval arithmetic for peers: an ipBlock is its CIDR minus its excepts, a rule's peer set
 * is the union of its pods' addresses and its ipBlocks. Computed here (not with two nft sets and
 * `!=`) so that every rule needs one set, and the set's elements are disjoint, sorted and minimal:
 * nft refuses overlapping interval elements without auto-merge.
 *
 * Addresses are unsigned 32-bit numbers; an interval is inclusive [first, last].
 */
import { formatIPv4Address, tryParseCIDR } from '../lib'
import type { Interval } from './types'

/**
 * "a.b.c.d/len" to its interval (lib/ipv4.ts parses it); undefined when not an IPv4 CIDR. Host
 * bits are dropped: the API server accepts "10.0.0.1/24" in ipBlock.cidr and means the network.
 */
export function parseIPv4CIDR (text: string): Interval | undefined {
  const c = tryParseCIDR(text)
  if (c === undefined) return undefined
  return { first: c.network, last: c.network + 2 ** (32 - c.prefixLength) - 1 }
}

/** Sorted, disjoint, with adjacent intervals merged. */
export function normalize (intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.first - b.first)
  const out: Interval[] = []
  for (const iv of sorted) {
    const prev = out[out.length - 1]
    if (prev !== undefined && iv.first <= prev.last + 1) {
      if (iv.last > prev.last) out[out.length - 1] = { first: prev.first, last: iv.last }
    } else out.push(iv)
  }
  return out
}

/** `from` minus every interval of `remove`. */
export function subtract (from: readonly Interval[], remove: readonly Interval[]): Interval[] {
  const cuts = normalize(remove)
  const out: Interval[] = []
  for (const iv of normalize(from)) {
    let start = iv.first
    for (const c of cuts) {
      if (c.last < start || c.first > iv.last) continue
      if (c.first > start) out.push({ first: start, last: c.first - 1 })
      start = c.last + 1
      if (start > iv.last) break
    }
    if (start <= iv.last) out.push({ first: start, last: iv.last })
  }
  return out
}

/** Index of the interval holding `address` in sorted, disjoint intervals, or -1 (binary search). */
export function findInterval (intervals: readonly Interval[], address: number): number {
  let lo = 0
  let hi = intervals.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const iv = intervals[mid]
    if (address < iv.first) hi = mid - 1
    else if (address > iv.last) lo = mid + 1
    else return mid
  }
  return -1
}

/** `intervals` sorted and disjoint (normalize's output). */
export function containsAddress (intervals: readonly Interval[], address: number): boolean {
  return findInterval(intervals, address) >= 0
}

/**
 * nft set elements for normalised intervals: a prefix where the interval is one aligned CIDR
 * ("10.0.0.0/8", a bare address for /32), else a range ("10.0.0.1-10.0.0.6").
 */
export function intervalsToNftElements (intervals: readonly Interval[]): string[] {
  return intervals.map((iv) => {
    const size = iv.last - iv.first + 1
    const len = 32 - Math.log2(size)
    if (Number.isInteger(len) &&
      iv.first % size === 0) return len === 32 ? formatIPv4Address(iv.first) : `${formatIPv4Address(iv.first)}/${len}`
    return `${formatIPv4Address(iv.first)}-${formatIPv4Address(iv.last)}`
  })
}
