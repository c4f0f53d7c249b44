/**
 * Failures of the agent room. Callers branch on `code`, never on the message text.
 *
 * Config failures are start-up failures (CONTRIBUTING.md §5): loomd prints `err.message` as one line on
 * stderr and exits non-zero, so the message alone must tell the operator what to fix: the field,
 * where the value came from (file, flag or environment variable), the bad value and what was
 * expected.
 */

/** How long a value may get inside a message before it is cut (a whole pasted file helps no one). */
const MAX_VALUE_CHARS = 80

/**
 * A config value that is missing, of the wrong type, out of range, or inconsistent with another.
 *
 * Message forms:
 * - "invalid config: underlay.port = 70000: expected an integer port 1-65535" (from the file)
 * - "invalid config: --underlay-port (underlay.port) = abc: expected ..." (from a flag)
 * - "invalid config: LOOM_UNDERLAY_PORT (underlay.port) = abc: expected ..." (from the environment)
 * - "invalid config: clusterCIDR is missing: expected ..." (required and absent)
 *
 * Command-line mistakes that concern no key (an unknown flag, a stray argument) pass their own
 * `message` in the same spirit: "invalid config: unknown flag --undrlay-port: did you mean ...".
 *
 * Values read from the file are printed as JSON (so "6784" and 6784 look different); values
 * from flags and the environment are printed as typed.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly code = 'ERR_CONFIG'
  /** Dotted path of the offending key: `underlay.port`, `peers[2].podCIDR`, `` for the root. */
  readonly field: string
  /** The offending value as given (undefined when the key is missing). */
  readonly value: unknown
  /** What would have been accepted, as a phrase: "an integer port 1-65535". */
  readonly expected: string
  /** The flag or environment variable the value came from; undefined for the file. */
  readonly origin: string | undefined

  constructor (field: string, value: unknown, expected: string,
    opts: { origin?: string, cause?: unknown, message?: string } = {}) {
    super(opts.message ?? formatConfigMessage(field, value, expected, opts.origin), { cause: opts.cause })
    this.field = field
    this.value = value
    this.expected = expected
    this.origin = opts.origin
  }
}

/** Builds ConfigError's message; exported for the tests and for `loom` to format alike. */
export function formatConfigMessage (field: string, value: unknown, expected: string,
  origin?: string): string {
  const name = field === '' ? '(config root)' : field
  const where = origin === undefined ? name : `${origin} (${name})`
  if (value === undefined) return `invalid config: ${where} is missing: expected ${expected}`
  return `invalid config: ${where} = ${formatValue(value, origin !== undefined)}: expected ${expected}`
}

function formatValue (value: unknown, raw: boolean): string {
  let s: string
  if (raw && typeof value === 'string') s = value
  else {
    try {
      s = JSON.stringify(value) ?? String(value)
    } catch {
      s = String(value)
    }
  }
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS)}...` : s
}

/** Why a config file could not be used. */
export type ConfigFileProblem = 'missing' | 'unreadable' | 'syntax'

/**
 * The config file is missing (when named explicitly), unreadable, or not valid JSON.
 * Messages name the path first, and for syntax errors the 1-based line and column:
 * "config file /etc/loom/loomd.conf: line 3, column 14: expected ',' or '}' after a value".
 */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError'
  readonly code = 'ERR_CONFIG_FILE'
  readonly path: string
  readonly problem: ConfigFileProblem
  /** 1-based position of a syntax error; undefined for the other problems. */
  readonly line: number | undefined
  readonly column: number | undefined

  constructor (path: string, problem: ConfigFileProblem, detail: string,
    opts: { line?: number, column?: number, cause?: unknown } = {}) {
    const at = opts.line === undefined ? '' : `line ${opts.line}, column ${opts.column ?? 1}: `
    super(`config file ${path}: ${at}${detail}`, { cause: opts.cause })
    this.path = path
    this.problem = problem
    this.line = opts.line
    this.column = opts.column
  }
}

/**
 * Thrown by `loadConfig` when the command line asks for `--help` (or `-h`): not a failure, but it
 * must stop start-up. Its message is the usage text; loomd prints it on stdout and exits 0.
 */
export class HelpRequestedError extends Error {
  override readonly name = 'HelpRequestedError'
  readonly code = 'ERR_HELP_REQUESTED'
}

/**
 * A component could not start (device, socket, listener) or the config asks for something this
 * build cannot do yet. loomd logs it once and exits non-zero so systemd restarts it.
 * `subject` names the config key or the component concerned ("peers", "tun", "encryption.enabled").
 */
export class AgentStartError extends Error {
  override readonly name = 'AgentStartError'
  readonly code = 'ERR_AGENT_START'
  readonly subject: string

  constructor (subject: string, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause })
    this.subject = subject
  }
}

/**
 * A file a config key names is missing or unusable (the cluster secret: absent, unreadable,
 * readable by others, no key in it). A config error that only the node's files reveal: loomd
 * exits 2 naming the key (`subject`), which systemd does not restart; a restart would not help.
 */
export class ConfigFileUnusableError extends AgentStartError {}
