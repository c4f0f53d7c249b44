/**
 * IPAM errors: one class per failure kind, each with a stable `code` that callers branch on.
 *
 * Three kinds, handled three ways (CONTRIBUTING.md §5):
 * - bad config (`IpamConfigError`): thrown at start-up, the agent exits with one line;
 * - bad remote input (`IpamDecodeError`, `IpamConflictError`): the message is rejected and
 *   counted, the node carries on;
 * - caller-visible outcomes (`IpamTryAgainError` → CNI code 11, `IpamExhaustedError`,
 *   `IpamNotMemberError`) and corrupt local state (`StateCorruptError`, names the file).
 */

export class IpamError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** Invalid cluster CIDR, block size or timing parameters. */
export class IpamConfigError extends IpamError {
  constructor (message: string) { super('ERR_IPAM_CONFIG', message) }
}

/** No usable block right now (claim pending, lease lapsed, catching up): retry later (CNI 11). */
export class IpamTryAgainError extends IpamError {
  constructor (message: string) { super('ERR_IPAM_TRY_AGAIN', message) }
}

/** Every block of the cluster CIDR is owned and none of ours has a free address. */
export class IpamExhaustedError extends IpamError {
  constructor (message: string) { super('ERR_IPAM_EXHAUSTED', message) }
}

/** This node is not (or no longer) a member of the IPAM cluster: removed, or not yet joined. */
export class IpamNotMemberError extends IpamError {
  constructor (message: string) { super('ERR_IPAM_NOT_MEMBER', message) }
}

/** A remote message or record failed validation (size, count, range, type). */
export class IpamDecodeError extends IpamError {
  constructor (message: string, options?: { cause?: unknown }) { super('ERR_IPAM_DECODE', message, options) }
}

/** Two replicas disagree where the protocol says they cannot (same slot, different content). */
export class IpamConflictError extends IpamError {
  constructor (message: string) { super('ERR_IPAM_CONFLICT', message) }
}

/** A persisted state file exists but cannot be parsed or validated. */
export class StateCorruptError extends IpamError {
  readonly file: string
  constructor (file: string, message: string, options?: { cause?: unknown }) {
    super('ERR_STATE_CORRUPT', `state file ${file} is corrupt: ${message}`, options)
    this.file = file
  }
}

/** A broken local invariant (a bug): asserted loudly, never swallowed. */
export class IpamInvariantError extends IpamError {
  constructor (message: string) { super('ERR_IPAM_INVARIANT', message) }
}
