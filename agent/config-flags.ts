/**
 * The three textual sources of loomd's config, before validation: the command line, `LOOM_*`
 * environment variables and the JSON file. This file only turns text into raw values and says
 * where each came from; `parseConfig` (config.ts) decides whether they are valid.
 *
 * Design notes:
 * - One table (SETTINGS) names every overridable key once; flag and variable names are derived
 *   from it (`--underlay-port` <-> `LOOM_UNDERLAY_PORT` <-> `underlay.port`), so they never drift.
 * - Numbers and booleans that do not parse are passed on as the original string: parseConfig then
 *   rejects them with the same "expected ..." phrase as a bad value in the file, and the error
 *   names the flag or variable it came from.
 * - The file is JSON only. YAML would need the `yaml` package as a dependency (today it is only
 *   in node_modules through tap). Our own small JSON reader reports line and column for every
 *   syntax error (V8's messages omit the position for some) and refuses duplicate keys, which
 *   JSON.parse silently resolves to the last one.
 */

import {
  DEFAULT_API_SOCKET, DEFAULT_BLOCK_SIZE, DEFAULT_CONFIG_PATH, DEFAULT_ENCAPSULATION,
  DEFAULT_LOG_LEVEL, DEFAULT_METRICS_ADDRESS, DEFAULT_SECRET_FILE, DEFAULT_STATE_DIR,
  DEFAULT_TUN_NAME, DEFAULT_UNDERLAY_PORT, DEFAULT_VXLAN_PORT, DEFAULT_VXLAN_VNI, DEFAULT_GOSSIP_PORT,
  DEFAULT_RECLAIM_AFTER_SECONDS, DEFAULT_CNI_GC_GRACE_SECONDS,
} from './defaults'
import { ConfigError } from './errors'
import { ENCAPSULATION_KINDS } from '../dataplane/encap'

type ValueType = 'string' | 'int' | 'bool' | 'list'

interface Setting {
  /** Dotted key in the config file. */
  readonly field: string
  /** Long flag without the leading dashes; the variable is LOOM_ + upper snake of it. */
  readonly flag: string
  readonly type: ValueType
  readonly help: string
}

const SETTINGS: readonly Setting[] = [
  {
    field: 'nodeName', flag: 'node-name', type: 'string', help: 'this node\'s name (default: the hostname, lower-cased)'
  },
  {
    field: 'underlay.address',
    flag: 'underlay-address',
    type: 'string',
    help: 'this node\'s underlay IPv4 address (required)'
  },
  {
    field: 'underlay.port',
    flag: 'underlay-port',
    type: 'int',
    help: `UDP port of the udp encapsulation (default ${DEFAULT_UNDERLAY_PORT})`
  },
  {
    field: 'clusterCIDR',
    flag: 'cluster-cidr',
    type: 'string',
    help: 'IPv4 CIDR of all pod addresses, e.g. 10.244.0.0/16 (required)'
  },
  {
    field: 'blockSize',
    flag: 'block-size',
    type: 'int',
    help: `IPAM block prefix length (default ${DEFAULT_BLOCK_SIZE})`
  },
  {
    field: 'encapsulation',
    flag: 'encapsulation',
    type: 'string',
    help: `${ENCAPSULATION_KINDS.join(' | ')} (default ${DEFAULT_ENCAPSULATION})`
  },
  {
    field: 'vxlan.port',
    flag: 'vxlan-port',
    type: 'int',
    help: `UDP port of the vxlan encapsulation (default ${DEFAULT_VXLAN_PORT})`
  },
  {
    field: 'vxlan.vni',
    flag: 'vxlan-vni',
    type: 'int',
    help: `VXLAN network identifier 1-16777215 (default ${DEFAULT_VXLAN_VNI})`
  },
  {
    field: 'encryption.enabled',
    flag: 'encryption',
    type: 'bool',
    help: 'encrypt the udp encapsulation (default off; --no-encryption turns it off)'
  },
  {
    field: 'encryption.secretFile',
    flag: 'secret-file',
    type: 'string',
    help: `file holding the cluster secret (default ${DEFAULT_SECRET_FILE})`
  },
  { field: 'seeds', flag: 'seeds', type: 'list', help: 'comma-separated gossip seeds, "host:port" or IPv4' },
  {
    field: 'gossip.port',
    flag: 'gossip-port',
    type: 'int',
    help: `UDP+TCP port of the gossip control plane (default ${DEFAULT_GOSSIP_PORT})`
  },
  {
    field: 'ipam.reclaimAfterSeconds',
    flag: 'reclaim-after',
    type: 'int',
    help: `seconds a node must be dead before its blocks are reclaimed (default ${DEFAULT_RECLAIM_AFTER_SECONDS})`
  },
  {
    field: 'cni.confDir',
    flag: 'cni-conf-dir',
    type: 'string',
    help: 'write 10-loom.conflist here once ready, e.g. /etc/cni/net.d (default: do not write)'
  },
  {
    field: 'multicast.enabled',
    flag: 'multicast',
    type: 'bool',
    help: 'replicate IPv4 multicast between pods (default on; --no-multicast turns it off)'
  },
  {
    field: 'multicast.mode',
    flag: 'multicast-mode',
    type: 'string',
    help: 'members (gossip mode default) | flood (static mode default)'
  },
  {
    field: 'offloads.enabled',
    flag: 'offloads',
    type: 'bool',
    help: 'TUN TSO/USO and GRO, UDP GSO and GRO (default on; --no-offloads turns them off)'
  },
  {
    field: 'cni.gcGraceSeconds',
    flag: 'cni-gc-grace',
    type: 'int',
    help: `seconds an attachment is safe from CNI GC after its ADD (default ${DEFAULT_CNI_GC_GRACE_SECONDS})`
  },
  {
    field: 'policy.source',
    flag: 'policy-source',
    type: 'string',
    help: 'NetworkPolicy source: none | kubernetes | files (default none)'
  },
  {
    field: 'policy.dir',
    flag: 'policy-dir',
    type: 'string',
    help: 'files source: directory of Namespace, Pod and NetworkPolicy manifests'
  },
  {
    field: 'policy.kubeconfig',
    flag: 'kubeconfig',
    type: 'string',
    help: 'kubernetes source: kubeconfig path (default: in-cluster service account)'
  },
  { field: 'stateDir', flag: 'state-dir', type: 'string', help: `state directory (default ${DEFAULT_STATE_DIR})` },
  {
    field: 'apiSocket',
    flag: 'api-socket',
    type: 'string',
    help: `local API unix socket (default ${DEFAULT_API_SOCKET})`
  },
  {
    field: 'metrics.address',
    flag: 'metrics-address',
    type: 'string',
    help: `"host:port" for /metrics and health (default ${DEFAULT_METRICS_ADDRESS})`
  },
  { field: 'mtu', flag: 'mtu', type: 'int', help: 'overlay MTU override, 576-9000 (default: underlay MTU - overhead)' },
  { field: 'tunName', flag: 'tun-name', type: 'string', help: `TUN device name (default ${DEFAULT_TUN_NAME})` },
  {
    field: 'logLevel',
    flag: 'log-level',
    type: 'string',
    help: `fatal|error|warn|info|debug|trace|silent (default ${DEFAULT_LOG_LEVEL})`
  },
]

/** Environment variable naming the config file, like --config. */
export const CONFIG_ENV = 'LOOM_CONFIG'

/** One value from a flag or variable, to be written at `field` over the file's value. */
export interface Override {
  readonly field: string
  readonly value: unknown
  /** The flag (`--underlay-port`) or variable (`LOOM_UNDERLAY_PORT`) it came from. */
  readonly origin: string
}

/** What the command line says. */
export interface ParsedArgs {
  readonly help: boolean
  /** From --config; undefined when not given. */
  readonly configPath: string | undefined
  readonly overrides: readonly Override[]
}

function envName (s: Setting): string {
  return 'LOOM_' + s.flag.toUpperCase().replace(/-/g, '_')
}

const BOOL_WORDS: Readonly<Record<string, boolean>> = {
  true: true, false: false, yes: true, no: false, on: true, off: false, 1: true, 0: false,
}

/** Converts a flag or variable's text by its type; text that does not convert is passed on as is. */
function convert (type: ValueType, text: string): unknown {
  switch (type) {
    case 'string': return text
    case 'int': return /^-?[0-9]+$/.test(text) ? Number(text) : text
    case 'bool': return BOOL_WORDS[text.toLowerCase()] ?? text
    case 'list': return text.split(',').map((s) => s.trim()).filter((s) => s !== '')
  }
}

/**
 * `--reset-ipam`: an action for this start, not a setting (it has no key or variable): move the
 * IPAM state aside and rejoin (see README "State directory").
 */
export const RESET_IPAM_FLAG = '--reset-ipam'

/** True when argv asks loomd to move its IPAM state aside and start over (`--reset-ipam`). */
export function isResetIpamRequested (argv: readonly string[]): boolean {
  return argv.includes(RESET_IPAM_FLAG)
}

/** True when argv asks for the usage text (`--help`, `-h`), whatever else it says. */
export function isHelpRequested (argv: readonly string[]): boolean {
  return argv.some((a) => a === '--help' || a === '-h')
}

/**
 * Parses loomd's arguments (process.argv.slice(2)). Accepts `--flag value` and `--flag=value`;
 * a boolean flag alone means true, and takes a following value only if it is a boolean word
 * (`--encryption off`). A repeated flag: the last one wins. Throws ConfigError for an unknown
 * flag, a missing value or a positional argument, except that --help anywhere wins.
 */
export function parseArgs (argv: readonly string[]): ParsedArgs {
  const overrides: Override[] = []
  let configPath: string | undefined
  if (isHelpRequested(argv)) return { help: true, configPath: undefined, overrides }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--help' || arg === '-h' || arg === RESET_IPAM_FLAG) continue
    if (!arg.startsWith('--') || arg === '--') {
      throw new ConfigError('', arg, 'only flags', {
        origin: 'argument',
        message: `invalid config: unexpected argument ${JSON.stringify(arg)}: loomd takes only --flags (see --help)`,
      })
    }
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
    let inline = eq === -1 ? undefined : arg.slice(eq + 1)
    const takeValue = (): string => {
      if (inline !== undefined) return inline
      const next = argv[i + 1]
      if (next === undefined || next.startsWith('--')) {
        throw new ConfigError(flagField(name), undefined, `a value after --${name}`, { origin: `--${name}` })
      }
      i++
      return next
    }
    if (name === 'config') {
      configPath = takeValue()
      continue
    }
    const negated = name.startsWith('no-') ? findSetting(name.slice(3)) : undefined
    if (negated?.type === 'bool' && inline === undefined) {
      overrides.push({ field: negated.field, value: false, origin: arg })
      continue
    }
    const s = findSetting(name)
    if (s === undefined) {
      const expected = `one of ${knownFlags().join(' ')}`
      const hint = suggest(`--${name}`, knownFlags())
      throw new ConfigError('', `--${name}`, expected, {
        origin: 'flag',
        message: `invalid config: unknown flag --${name}: ${hint === undefined ? '' : `did you mean ${hint}? `}expected ${expected}`,
      })
    }
    if (s.type === 'bool' && inline === undefined) {
      const next = argv[i + 1]
      if (next !== undefined && BOOL_WORDS[next.toLowerCase()] !== undefined) inline = argv[++i]
      else inline = 'true'
    }
    overrides.push({ field: s.field, value: convert(s.type, takeValue()), origin: `--${name}` })
  }
  return { help: false, configPath, overrides }
}

function findSetting (flag: string): Setting | undefined {
  return SETTINGS.find((s) => s.flag === flag)
}

function flagField (flag: string): string {
  return flag === 'config' ? 'config file' : findSetting(flag)?.field ?? flag
}

function knownFlags (): string[] {
  return ['--config', ...SETTINGS.map((s) => `--${s.flag}`), RESET_IPAM_FLAG, '--help']
}

/**
 * The candidate closest to `name` when it is plausibly a typo (edit distance at most 2, or a
 * case-only difference); undefined otherwise.
 */
export function suggest (name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const c of candidates) {
    const d = c.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, c)
    if (d < bestDistance) { best = c; bestDistance = d }
  }
  return best
}

function editDistance (a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length]
}

/**
 * Reads the `LOOM_*` variables. An empty variable counts as unset (systemd EnvironmentFile
 * lines like `LOOM_MTU=` are common). Unknown `LOOM_*` names are reported through `onUnknown`,
 * not rejected: other tools (the `loom` CLI) may share the environment.
 */
export function parseEnv (env: NodeJS.ProcessEnv, onUnknown?: (name: string) => void): {
  configPath: string | undefined
  overrides: Override[]
} {
  const overrides: Override[] = []
  const known = new Set<string>([CONFIG_ENV])
  for (const s of SETTINGS) {
    const name = envName(s)
    known.add(name)
    const text = env[name]
    if (text === undefined || text === '') continue
    overrides.push({ field: s.field, value: convert(s.type, text), origin: name })
  }
  if (onUnknown !== undefined) {
    for (const name of Object.keys(env)) {
      if (name.startsWith('LOOM_') && !known.has(name)) onUnknown(name)
    }
  }
  const configPath = env[CONFIG_ENV] === '' ? undefined : env[CONFIG_ENV]
  return { configPath, overrides }
}

/** loomd's usage text, printed by `loomd --help`. */
export function configUsage (): string {
  const rows = SETTINGS.map((s) => {
    const arg = s.type === 'bool' ? `--${s.flag}[=bool]` : `--${s.flag} <${s.type === 'list' ? 'list' : 'value'}>`
    return `  ${arg.padEnd(30)} ${envName(s).padEnd(24)} ${s.help}`
  })
  return [
    'Usage: loomd [--config <file>] [flags]',
    '',
    'Settings come from the config file (JSON), then LOOM_* environment variables, then flags;',
    'a later source overrides an earlier one. Flags take "--flag value" or "--flag=value".',
    '',
    `  ${'--config <file>'.padEnd(30)} ${CONFIG_ENV.padEnd(24)} config file (default ${DEFAULT_CONFIG_PATH}; may be absent)`,
    ...rows,
    `  ${RESET_IPAM_FLAG.padEnd(30)} ${''.padEnd(24)} move the IPAM state (and gossip identity) aside, rejoin as a new node`,
    `  ${'--help, -h'.padEnd(30)} ${''.padEnd(24)} print this text and exit`,
    '',
    'The file also takes the static peer list: "peers": [{"nodeName", "address", "port"?,',
    '"podCIDR", "vtepMAC"?}, ...], listing every node including this one.',
    '',
  ].join('\n')
}

/** A JSON syntax error at a character offset. */
export class JsonSyntaxError extends Error {
  constructor (readonly offset: number, detail: string) {
    super(detail)
  }
}

/** Maximum nesting of arrays/objects in the config file. */
const MAX_JSON_DEPTH = 32

/**
 * Parses JSON text (RFC 8259) like JSON.parse, but throws JsonSyntaxError with the offset of the
 * first problem, and rejects duplicate object keys. A leading byte-order mark is skipped.
 * Objects are created with ordinary prototypes; a "__proto__" key becomes an own property.
 */
export function parseJsonText (text: string): unknown {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const fail = (detail: string, at = pos): never => { throw new JsonSyntaxError(at, detail) }
  const skipSpace = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos])) pos++
  }
  const describe = (): string => (pos >= text.length ? 'the end of the file' : JSON.stringify(text[pos]))
  const parseString = (): string => {
    const start = pos++
    while (pos < text.length && text[pos] !== '"') {
      const c = text.charCodeAt(pos)
      if (c < 0x20) fail('control character in a string (escape it)')
      pos += text[pos] === '\\' ? 2 : 1
    }
    if (pos >= text.length) fail('unterminated string', start)
    pos++
    try {
      return JSON.parse(text.slice(start, pos)) as string
    } catch {
      return fail('bad escape sequence in a string', start)
    }
  }
  const parseValue = (depth: number): unknown => {
    skipSpace()
    if (depth > MAX_JSON_DEPTH) fail(`nesting deeper than ${MAX_JSON_DEPTH}`)
    const c = text[pos]
    if (c === '"') return parseString()
    if (c === '{') {
      pos++
      const out: Record<string, unknown> = {}
      skipSpace()
      if (text[pos] === '}') { pos++; return out }
      for (;;) {
        skipSpace()
        if (text[pos] !== '"') fail(`expected a "quoted" key, found ${describe()}`)
        const keyAt = pos
        const key = parseString()
        if (Object.prototype.hasOwnProperty.call(out, key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt)
        skipSpace()
        if (text[pos] !== ':') fail(`expected ':' after a key, found ${describe()}`)
        pos++
        Object.defineProperty(out, key,
          { value: parseValue(depth + 1), enumerable: true, writable: true, configurable: true })
        skipSpace()
        if (text[pos] === ',') { pos++; continue }
        if (text[pos] === '}') { pos++; return out }
        fail(`expected ',' or '}' after a value, found ${describe()}`)
      }
    }
    if (c === '[') {
      pos++
      const out: unknown[] = []
      skipSpace()
      if (text[pos] === ']') { pos++; return out }
      for (;;) {
        out.push(parseValue(depth + 1))
        skipSpace()
        if (text[pos] === ',') { pos++; continue }
        if (text[pos] === ']') { pos++; return out }
        fail(`expected ',' or ']' after an element, found ${describe()}`)
      }
    }
    const number = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
    number.lastIndex = pos
    const m = number.exec(text)
    if (m !== null) { pos += m[0].length; return Number(m[0]) }
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, pos)) { pos += word.length; return value }
    }
    return fail(`expected a value, found ${describe()}`)
  }
  const value = parseValue(0)
  skipSpace()
  if (pos < text.length) fail(`unexpected ${describe()} after the end of the document`)
  return value
}

/** 1-based line and column of a character offset. */
export function lineAndColumn (text: string, offset: number): { line: number, column: number } {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') { line++; lineStart = i + 1 }
  }
  return { line, column: offset - lineStart + 1 }
}
