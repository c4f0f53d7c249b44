/**
 * Errors of the state directory: each stops loomd at start with a message that says what is
 * wrong and how to recover (CONTRIBUTING.md §5: a failed start is one clear line, exit 1). Never thrown
 * once the daemon runs.
 */

export class StateDirError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** The directory (or a file in it) could be changed by someone other than root. */
export class StateDirUnsafeError extends StateDirError {
  constructor (message: string, options?: { cause?: unknown }) { super('ERR_STATE_DIR_UNSAFE', message, options) }
}

/** Another loomd holds the directory's lock. */
export class StateDirLockedError extends StateDirError {
  readonly holderPid: number | undefined
  constructor (message: string, holderPid: number | undefined) {
    super('ERR_STATE_DIR_LOCKED', message)
    this.holderPid = holderPid
  }
}

/** The files do not belong together (identity without IPAM state, state of another cluster). */
export class StateInconsistentError extends StateDirError {
  constructor (message: string, options?: { cause?: unknown }) { super('ERR_STATE_INCONSISTENT', message, options) }
}
