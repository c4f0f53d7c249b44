/**
 * One Lifeguard suspicion timer (hashicorp/memberlist suspicion.go), pure: instead of a timer it
 * exposes `deadline`, which the membership state machine compares with `now` on every tick.
 *
 * A suspicion starts at `max` and shrinks toward `min` as independent confirmations (suspect
 * rumours from other accusers) arrive, logarithmically in their count:
 *
 *   timeout(c) = max(min, max - log(c+1)/log(k+1) · (max - min))      (floored to whole ms)
 *
 * so a lone accuser (c = 0) waits the full `max` and k confirmations bring it down to `min`.
 * The original accuser does not count as a confirmation, and each accuser counts once.
 */
export class Suspicion {
  private readonly confirmers = new Set<string>()
  private deadlineMs: number

  /**
   * @param startedAt ms at which the suspicion started
   * @param accuser node ID of whoever raised it (never counted as a confirmation)
   * @param k confirmations wanted to reach `min` (memberlist: SuspicionMult - 2); k < 1 → min at once
   */
  constructor (
    readonly startedAt: number,
    accuser: string,
    private readonly k: number,
    private readonly minMs: number,
    private readonly maxMs: number
  ) {
    this.confirmers.add(accuser)
    this.deadlineMs = startedAt + (k < 1 ? minMs : maxMs)
  }

  /** Absolute ms at which the suspect is to be declared dead. */
  get deadline (): number {
    return this.deadlineMs
  }

  /** Independent confirmations so far (the original accuser excluded). */
  get confirmations (): number {
    return this.confirmers.size - 1
  }

  /**
   * Record a confirmation from `from`. Returns true if it was new (the caller then re-broadcasts
   * the suspicion so that others can confirm too), false for a repeat or once k is reached.
   */
  confirm (from: string): boolean {
    if (this.k < 1 || this.confirmations >= this.k || this.confirmers.has(from)) return false
    this.confirmers.add(from)
    this.deadlineMs = this.startedAt + suspicionTimeout(this.confirmations, this.k, this.minMs, this.maxMs)
    return true
  }
}

/** Total suspicion timeout (ms) after `c` confirmations; see the file header. */
export function suspicionTimeout (c: number, k: number, minMs: number, maxMs: number): number {
  if (k < 1) return minMs
  const frac = Math.log(c + 1) / Math.log(k + 1)
  const raw = Math.floor(maxMs - frac * (maxMs - minMs))
  return Math.max(minMs, raw)
}

/**
 * memberlist util.go suspicionTimeout: Min = mult · max(1, log10 n) · probeInterval, where n is
 * the estimated cluster size. Max = maxMult · Min.
 */
export function suspicionBounds (suspicionMult: number, maxMult: number, n: number, probeIntervalMs: number): {
  minMs: number, maxMs: number
} {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)))
  const minMs = Math.floor(suspicionMult * nodeScale * probeIntervalMs)
  return { minMs, maxMs: maxMult * minMs }
}
