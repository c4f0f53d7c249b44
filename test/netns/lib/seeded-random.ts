/**
 * A seeded PRNG for the fault, chaos and fuzz tests, so a failing run can be replayed:
 * `LOOM_FAULT_SEED=<n>` fixes the seed, otherwise one is drawn and the test prints it.
 * mulberry32: 32-bit state, uniform enough for choosing operations and mutating bytes.
 */
import { randomBytes } from 'node:crypto'

export type Random = () => number

export function seededRandom (seed: number): Random {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let x = s
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

/** The seed of this run: LOOM_FAULT_SEED if set, else a fresh one. */
export function faultSeed (): number {
  const given = process.env.LOOM_FAULT_SEED
  if (given !== undefined && given !== '') {
    const n = Number(given)
    if (!Number.isInteger(n) || n < 0 ||
      n > 0xffffffff) throw new Error(`LOOM_FAULT_SEED must be an integer 0..4294967295, got ${given}`)
    return n
  }
  return randomBytes(4).readUInt32BE(0)
}

/** An integer in [lo, hi]. */
export function between (random: Random, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1))
}

export function pick<T> (random: Random, items: readonly T[]): T {
  const x = items[Math.floor(random() * items.length)]
  if (x === undefined) throw new Error('pick from an empty list')
  return x
}
