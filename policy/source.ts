/**
 * PolicySource: where namespaces, pods and NetworkPolicies come from. One engine, two feeds:
 * `files` (a watched directory of manifests; files-source.ts) and `kubernetes` (list + watch of
 * the API server; kube-source.ts).
 *
 * Contract: `snapshot()` is cheap and returns an immutable view (a new object after every
 * change); `onChange` fires after the snapshot changed (possibly many times in a burst: the
 * engine coalesces); `state()` says whether the snapshot is complete. Until the first sync the
 * engine keeps the kernel's table as it is (a restarted loomd keeps enforcing the old rules).
 * `stop()` ends every timer, watch and connection; no callback fires after it.
 */
import type { PolicySnapshot } from './model'

export type SourceSyncState = 'syncing' | 'synced' | 'error'

export interface SourceStatus {
  readonly kind: 'files' | 'kubernetes'
  readonly state: SourceSyncState
  /** The last problem (a bad manifest, an API error), '' when none. */
  readonly lastError: string
  /** When the snapshot last changed (ms since the epoch), 0 = never. */
  readonly lastChangeAt: number
  /** Object counts of the snapshot. */
  readonly namespaces: number
  readonly pods: number
  readonly policies: number
  /** Kubernetes: watch restarts and relists after 410 Gone. Files: reloads and rejected reloads. */
  readonly restarts: number
  readonly relists: number
}

export interface PolicySource {
  start(): Promise<void>
  stop(): void
  snapshot(): PolicySnapshot
  status(): SourceStatus
  onChange(listener: () => void): void
}

export const EMPTY_SNAPSHOT: PolicySnapshot = Object.freeze({
  namespaces: new Map(),
  pods: new Map(),
  policies: new Map(),
})
