/**
 * The CNI plugin's failure kinds, one class per CNI error code, and the error JSON the spec
 * asks for on stdout: `{cniVersion, code, msg, details}`.
 *
 * Every class carries the numeric CNI `cniCode` (what the runtime sees) and a stable string
 * `code` (what our own code branches on). Messages name the offending key/variable and value
 * first, as the spec requires for codes 2 and 4. Codes 0-99 are the spec's; 100+ are Loom's.
 */

export const CNI_CODE = {
  INCOMPATIBLE_VERSION: 1,
  UNSUPPORTED_FIELD: 2,
  UNKNOWN_CONTAINER: 3,
  INVALID_ENV: 4,
  IO_FAILURE: 5,
  DECODE_FAILURE: 6,
  INVALID_CONFIG: 7,
  TRY_AGAIN_LATER: 11,
  NOT_AVAILABLE: 50,
  NOT_AVAILABLE_DEGRADED: 51,
  /** Loom: a netlink or namespace operation failed while wiring or unwiring the pod. */
  WIRING_FAILED: 100,
  /** Loom: the agent answered something outside its contract. */
  AGENT_FAILED: 101,
  /** Loom: CHECK found the attachment different from prevResult or the agent's record. */
  CHECK_FAILED: 102,
  /** Loom: CNI_IFNAME already exists in the container's namespace. */
  INTERFACE_EXISTS: 103,
} as const

/** The error object printed on stdout (spec section "Error"). */
export interface CniErrorJSON {
  cniVersion: string
  code: number
  msg: string
  details?: string
}

export abstract class CniError extends Error {
  abstract readonly code: string
  abstract readonly cniCode: number
  /** Extra text for `details` (e.g. the underlying errno or the agent's answer). */
  readonly details: string | undefined

  constructor (message: string, options: { details?: string, cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.details = options.details
  }
}

function defineError (name: string, code: string, cniCode: number): new (message: string,
  options?: { details?: string, cause?: unknown }) => CniError {
  const C = class extends CniError {
    readonly code = code
    readonly cniCode = cniCode
    override readonly name = name
  }
  Object.defineProperty(C, 'name', { value: name })
  return C
}

/** 1: the request's cniVersion is not one we speak. */
export const IncompatibleVersionError = defineError('IncompatibleVersionError', 'ERR_CNI_INCOMPATIBLE_VERSION',
  CNI_CODE.INCOMPATIBLE_VERSION)
/** 2: a config key (or CNI_ARGS key) we do not support; the message names key and value. */
export const UnsupportedFieldError = defineError('UnsupportedFieldError', 'ERR_CNI_UNSUPPORTED_FIELD',
  CNI_CODE.UNSUPPORTED_FIELD)
/** 3: the container (its netns) does not exist. */
export const UnknownContainerError = defineError('UnknownContainerError', 'ERR_CNI_UNKNOWN_CONTAINER',
  CNI_CODE.UNKNOWN_CONTAINER)
/** 4: a required CNI_* variable is missing or malformed; the message names it. */
export const InvalidEnvError = defineError('InvalidEnvError', 'ERR_CNI_INVALID_ENV', CNI_CODE.INVALID_ENV)
/** 5: reading stdin failed. */
export const IOFailureError = defineError('IOFailureError', 'ERR_CNI_IO', CNI_CODE.IO_FAILURE)
/** 6: stdin is not JSON, or the version string is not a version. */
export const DecodeError = defineError('DecodeError', 'ERR_CNI_DECODE', CNI_CODE.DECODE_FAILURE)
/** 7: the config is well-formed JSON but invalid (wrong type, out of range). */
export const InvalidConfigError = defineError('InvalidConfigError', 'ERR_CNI_INVALID_CONFIG', CNI_CODE.INVALID_CONFIG)
/** 11: transient; the runtime should retry (agent unreachable, not ready, no address yet). */
export const TryAgainError = defineError('TryAgainError', 'ERR_CNI_TRY_AGAIN', CNI_CODE.TRY_AGAIN_LATER)
/** 50 (STATUS): cannot serve ADD. */
export const NotAvailableError = defineError('NotAvailableError', 'ERR_CNI_NOT_AVAILABLE', CNI_CODE.NOT_AVAILABLE)
/** 51 (STATUS): cannot serve ADD, and existing pods may be degraded (data plane down). */
export const DegradedError = defineError('DegradedError', 'ERR_CNI_DEGRADED', CNI_CODE.NOT_AVAILABLE_DEGRADED)
/** 100: netlink/namespace work failed. */
export const WiringError = defineError('WiringError', 'ERR_CNI_WIRING', CNI_CODE.WIRING_FAILED)
/** 101: the agent broke its contract (unexpected status or body). */
export const AgentError = defineError('AgentError', 'ERR_CNI_AGENT', CNI_CODE.AGENT_FAILED)
/** 102: CHECK found a difference. */
export const CheckFailedError = defineError('CheckFailedError', 'ERR_CNI_CHECK_FAILED', CNI_CODE.CHECK_FAILED)
/** 103: CNI_IFNAME already exists in the container's namespace. */
export const InterfaceExistsError = defineError('InterfaceExistsError', 'ERR_CNI_INTERFACE_EXISTS',
  CNI_CODE.INTERFACE_EXISTS)

/**
 * The stdout error object for any thrown value. Non-CniErrors are bugs or unexpected failures:
 * they become code 100 with their message, so the runtime still gets a well-formed answer.
 */
export function toErrorJSON (err: unknown, cniVersion: string): CniErrorJSON {
  if (err instanceof CniError) {
    const out: CniErrorJSON = { cniVersion, code: err.cniCode, msg: err.message }
    const details = err.details ?? causeText(err.cause)
    if (details !== undefined) out.details = details
    return out
  }
  const e = err instanceof Error ? err : new Error(String(err))
  const out: CniErrorJSON = { cniVersion, code: CNI_CODE.WIRING_FAILED, msg: e.message }
  const details = causeText(e.cause)
  if (details !== undefined) out.details = details
  return out
}

function causeText (cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined
  if (cause instanceof Error) return cause.message
  return String(cause)
}
