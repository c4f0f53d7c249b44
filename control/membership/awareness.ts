/**
 * Lifeguard "local health multiplier" (LHM): a score 0 … max-1 that rises when this node shows
 * signs of being the sick one (failed probes, nacks it did not get, having to refute) and falls on
 * every successful probe. Probe interval and probe timeout are multiplied by (score + 1), so a
 * slow node slows down its own accusations instead of wrongly suspecting healthy peers.
 *
 * Same rules as hashicorp/memberlist awareness.go (AwarenessMaxMultiplier = 8). Pure.
 */
export class Awareness {
  private score = 0

  /** @param max the multiplier ceiling (memberlist default 8); the score stays in 0 … max-1. */
  constructor (private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`awareness max ${max} must be an integer >= 1`)
  }

  /** Add `delta` (may be negative) and clamp. Returns the new score. */
  applyDelta (delta: number): number {
    this.score = Math.min(this.max - 1, Math.max(0, this.score + delta))
    return this.score
  }

  getScore (): number {
    return this.score
  }

  /** `ms` × (score + 1). */
  scaleTimeout (ms: number): number {
    return ms * (this.score + 1)
  }
}
