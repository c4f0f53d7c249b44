/**
 * Parsing the plugin's two inputs, strictly: the CNI_* environment (the "parameters") and the
 * request configuration on stdin. Pure: takes strings and an env object, returns frozen typed
 * values or throws the CniError whose code the spec assigns (4 env, 6 decode, 1 version,
 * 2 unsupported key, 7 invalid value). Nothing else in cni/ reads process.env or stdin.
 *
 * Design notes:
 * - Unknown top-level keys are refused with code 2 naming key and value, except the keys the
 *   runtime itself inserts or passes through by convention (`runtimeConfig`, `args`,
 *   `prevResult`, `cni.dev/*`, `capabilities`, `ipam` of type "loom", `ipMasq: false`). A typo
 *   like `"mtU"` then fails at the first ADD instead of being silently ignored.
 * - CNI_ARGS: the Kubernetes keys are read; `IgnoreUnknown=1` lets other keys through, as the
 *   CONVENTIONS document says; without it an unknown key is code 2. `IP=` (a requested address)
 *   is not supported: the agent owns IPAM.
 * - GC's valid list is read from `cni.dev/valid-attachments` or the older `cni.dev/attachments`
 *   (libcni sends both; the spec-v1.1.0 text named only the latter). GC without either is
 *   refused (7): "no list" must never be read as "nothing is valid", which would unwire every pod.
 * - Input is bounded before it is parsed: at most MAX_NETCONF_BYTES, and nesting at most
 *   MAX_JSON_DEPTH deep (JSON.parse itself copes with any depth, but everything that walks the
 *   value afterwards — JSON.stringify of a prevResult, for one — recurses and would overflow
 *   the stack, an error that used to surface as a bare code 100).
 */
import {
  DecodeError, IncompatibleVersionError, InvalidConfigError, InvalidEnvError, UnsupportedFieldError,
} from './errors'
import type { Attachment } from './types'

export const SUPPORTED_VERSIONS = ['0.4.0', '1.0.0', '1.1.0'] as const
export type CniVersion = typeof SUPPORTED_VERSIONS[number]
export const COMMANDS = ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC', 'VERSION'] as const
export type CniCommand = typeof COMMANDS[number]

export const DEFAULT_API_SOCKET = '/run/loom/loom.sock'
/** The commands that only exist since 1.1.0. */
const V11_COMMANDS: ReadonlySet<CniCommand> = new Set(['STATUS', 'GC'])

const CONTAINER_ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/
const VERSION_RE = /^\d+\.\d+\.\d+$/
const IFNAME_MAX = 15
/** Largest network configuration accepted (the shim stops reading stdin at the same size). */
export const MAX_NETCONF_BYTES = 1 << 20
/** Deepest nesting of objects/arrays accepted; real prevResults are 3-4 levels deep. */
export const MAX_JSON_DEPTH = 64

export interface CniEnv {
  command: CniCommand
  /** CNI_CONTAINERID ('' for STATUS/GC/VERSION). */
  containerID: string
  /** CNI_NETNS; '' when not given (allowed for DEL). */
  netns: string
  /** CNI_IFNAME ('' for STATUS/GC/VERSION). */
  ifname: string
  /** CNI_ARGS as pairs (keys as given). */
  args: Readonly<Record<string, string>>
  podName?: string
  podNamespace?: string
  /** CNI_PATH split on ':' (empty entries dropped). */
  path: readonly string[]
}

export interface DnsConf { nameservers?: string[], domain?: string, search?: string[], options?: string[] }

export interface NetConf {
  cniVersion: CniVersion
  name: string
  type: string
  /** The agent's API socket (default /run/loom/loom.sock). */
  apiSocket: string
  /** Pod MTU override (576..9000); default: the MTU the agent reports. */
  mtu?: number
  /** DNS settings to return in the result (the plugin does not configure resolv.conf). */
  dns?: DnsConf
  runtimeConfig: Readonly<Record<string, unknown>>
  /** The previous plugin's result (chained ADD, DEL, CHECK), as received. */
  prevResult?: Record<string, unknown>
  /** GC: the attachments that are still valid. */
  validAttachments?: Attachment[]
}

/** Keys we read or the runtime legitimately passes; anything else at the top level is code 2. */
const KNOWN_KEYS = new Set([
  'cniVersion', 'cniVersions', 'name', 'type', 'apiSocket', 'mtu', 'dns', 'runtimeConfig', 'args', 'prevResult',
  'capabilities', 'ipam', 'ipMasq',
])

/** Parses the CNI_* variables; throws InvalidEnvError (4) naming the variable, or code 2 for CNI_ARGS. */
export function parseEnv (env: NodeJS.ProcessEnv): CniEnv {
  const command = env.CNI_COMMAND ?? ''
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new InvalidEnvError(`CNI_COMMAND ${JSON.stringify(command)} is not one of ${COMMANDS.join(', ')}`)
  }
  const cmd = command as CniCommand
  const perContainer = cmd === 'ADD' || cmd === 'DEL' || cmd === 'CHECK'
  const missing: string[] = []
  const containerID = env.CNI_CONTAINERID ?? ''
  const ifname = env.CNI_IFNAME ?? ''
  const netns = env.CNI_NETNS ?? ''
  if (perContainer) {
    if (containerID === '') missing.push('CNI_CONTAINERID')
    if (ifname === '') missing.push('CNI_IFNAME')
    if (netns === '' && cmd !== 'DEL') missing.push('CNI_NETNS')
  }
  if (cmd === 'GC' && (env.CNI_PATH ?? '') === '') missing.push('CNI_PATH')
  if (missing.length > 0) throw new InvalidEnvError(`required environment variables missing: ${missing.join(', ')}`)
  if (perContainer) {
    if (!CONTAINER_ID_RE.test(containerID)) {
      throw new InvalidEnvError(`CNI_CONTAINERID ${JSON.stringify(containerID)} is invalid: it must start with a letter or digit, then letters, digits, '_', '.', '-'`)
    }
    if (Buffer.byteLength(ifname) > IFNAME_MAX || /[\s/:]/.test(ifname) || ifname === '.' || ifname === '..') {
      throw new InvalidEnvError(`CNI_IFNAME ${JSON.stringify(ifname)} is not a valid interface name (1..15 bytes, no whitespace, '/' or ':')`)
    }
    if (netns !== '' && !netns.startsWith('/')) {
      throw new InvalidEnvError(`CNI_NETNS ${JSON.stringify(netns)} is not an absolute path`)
    }
  }
  const args = parseCniArgs(env.CNI_ARGS ?? '')
  const out: CniEnv = {
    command: cmd,
    containerID: perContainer ? containerID : '',
    netns: perContainer ? netns : '',
    ifname: perContainer ? ifname : '',
    args,
    path: (env.CNI_PATH ?? '').split(':').filter((p) => p !== ''),
  }
  if (args.K8S_POD_NAME !== undefined) out.podName = args.K8S_POD_NAME
  if (args.K8S_POD_NAMESPACE !== undefined) out.podNamespace = args.K8S_POD_NAMESPACE
  return Object.freeze(out)
}

const KNOWN_ARGS = new Set(['IgnoreUnknown', 'K8S_POD_NAMESPACE', 'K8S_POD_NAME', 'K8S_POD_INFRA_CONTAINER_ID',
  'K8S_POD_UID'])

/** `KEY=VALUE;KEY=VALUE`. Malformed pairs → 4; unknown keys without IgnoreUnknown, or IP=, → 2. */
export function parseCniArgs (text: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (text === '') return out
  for (const pair of text.split(';')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new InvalidEnvError(`CNI_ARGS entry ${JSON.stringify(pair)} is not KEY=VALUE`)
    out[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  const ignoreUnknown = /^(1|true)$/i.test(out.IgnoreUnknown ?? '')
  for (const [k, v] of Object.entries(out)) {
    if (KNOWN_ARGS.has(k) || ignoreUnknown) continue
    if (k === 'IP') throw new UnsupportedFieldError(`CNI_ARGS IP=${v} is not supported: loom assigns pod addresses itself`)
    throw new UnsupportedFieldError(`CNI_ARGS key ${k}=${v} is not supported (set IgnoreUnknown=1 to ignore it)`)
  }
  return out
}

/** Decodes stdin as a JSON object; 6 when it is not one. */
export function decodeJSONObject (text: string): Record<string, unknown> {
  if (text.trim() === '') throw new DecodeError('failed to decode the network configuration: stdin is empty')
  if (text.length > MAX_NETCONF_BYTES) {
    throw new InvalidConfigError(`the network configuration is larger than ${MAX_NETCONF_BYTES} bytes`)
  }
  const depth = jsonDepth(text)
  if (depth > MAX_JSON_DEPTH) {
    throw new InvalidConfigError(`the network configuration nests ${depth > 10 * MAX_JSON_DEPTH ? 'far ' : ''}deeper than ${MAX_JSON_DEPTH} levels`)
  }
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (err) {
    throw new DecodeError(`failed to decode the network configuration: ${(err as Error).message}`, { cause: err })
  }
  if (!isObject(v)) throw new DecodeError(`failed to decode the network configuration: expected a JSON object, got ${typeName(v)}`)
  return v
}

/**
 * Deepest bracket nesting of a JSON text, counting only brackets outside strings; stops
 * counting once past 10 × MAX_JSON_DEPTH. Malformed text gets some number; JSON.parse judges it.
 */
export function jsonDepth (text: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth
      if (max > 10 * MAX_JSON_DEPTH) return max
    } else if (c === 0x7d || c === 0x5d) {
      depth--
    }
  }
  return max
}

/** Reads and checks `cniVersion`: 6 when it is not a version string, 1 when we do not speak it. */
export function parseVersion (raw: Record<string, unknown>): CniVersion {
  const v = raw.cniVersion
  if (typeof v !== 'string' || !VERSION_RE.test(v)) {
    throw new DecodeError(`cniVersion ${JSON.stringify(v)} is not a version string (expected e.g. "1.1.0")`)
  }
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(v)) {
    throw new IncompatibleVersionError(`cniVersion ${v} is not supported; supported versions: ${SUPPORTED_VERSIONS.join(', ')}`)
  }
  return v as CniVersion
}

/** Parses the request configuration for `command` (not VERSION). */
export function parseNetConf (text: string, command: CniCommand): NetConf {
  const raw = decodeJSONObject(text)
  const cniVersion = parseVersion(raw)
  if (V11_COMMANDS.has(command) && cniVersion !== '1.1.0') {
    throw new IncompatibleVersionError(`${command} needs cniVersion 1.1.0, the request has ${cniVersion}`)
  }
  for (const key of Object.keys(raw)) {
    if (KNOWN_KEYS.has(key) || key.startsWith('cni.dev/')) continue
    throw new UnsupportedFieldError(`network config key ${JSON.stringify(key)} (value ${short(raw[key])}) is not supported by loom-cni`)
  }
  const name = raw.name
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new InvalidConfigError(`network config "name" ${short(name)} is invalid: expected a string starting with a letter or digit, then letters, digits, '_', '.', '-'`)
  }
  const type = raw.type
  if (typeof type !== 'string' ||
    type === '') throw new InvalidConfigError(`network config "type" ${short(type)} is invalid: expected a non-empty string`)

  const apiSocket = raw.apiSocket ?? DEFAULT_API_SOCKET
  if (typeof apiSocket !== 'string' || !apiSocket.startsWith('/')) {
    throw new InvalidConfigError(`network config "apiSocket" ${short(apiSocket)} is invalid: expected an absolute path`)
  }
  const conf: NetConf = { cniVersion, name, type, apiSocket, runtimeConfig: {} }

  if (raw.mtu !== undefined) {
    const mtu = raw.mtu
    if (typeof mtu !== 'number' || !Number.isInteger(mtu) || mtu < 576 || mtu > 9000) {
      throw new InvalidConfigError(`network config "mtu" ${short(mtu)} is invalid: expected an integer 576..9000`)
    }
    conf.mtu = mtu
  }
  if (raw.dns !== undefined) conf.dns = parseDns(raw.dns, 'dns')
  if (raw.runtimeConfig !== undefined) {
    if (!isObject(raw.runtimeConfig)) throw new InvalidConfigError(`network config "runtimeConfig" ${short(raw.runtimeConfig)} is invalid: expected an object`)
    conf.runtimeConfig = raw.runtimeConfig
  }
  if (raw.args !== undefined &&
    !isObject(raw.args)) throw new InvalidConfigError(`network config "args" ${short(raw.args)} is invalid: expected an object`)
  if (raw.ipam !== undefined) {
    const ipamType = isObject(raw.ipam) ? raw.ipam.type : undefined
    if (ipamType !== 'loom') throw new UnsupportedFieldError(`network config "ipam.type" ${short(ipamType)} is not supported: loom-cni allocates through the agent (use "loom" or omit ipam)`)
  }
  if (raw.ipMasq !== undefined && raw.ipMasq !== false) {
    throw new UnsupportedFieldError(`network config "ipMasq" ${short(raw.ipMasq)} is not supported: loom does not masquerade pod traffic`)
  }
  if (raw.prevResult !== undefined && raw.prevResult !== null) {
    if (!isObject(raw.prevResult)) throw new InvalidConfigError(`network config "prevResult" ${short(raw.prevResult)} is invalid: expected an object`)
    for (const k of ['interfaces', 'ips', 'routes'] as const) {
      const v = raw.prevResult[k]
      if (v !== undefined && v !== null &&
        !Array.isArray(v)) throw new InvalidConfigError(`network config "prevResult.${k}" ${short(v)} is invalid: expected an array`)
    }
    conf.prevResult = raw.prevResult
  }
  if (command === 'GC') conf.validAttachments = parseAttachments(raw)
  return Object.freeze(conf)
}

function parseAttachments (raw: Record<string, unknown>): Attachment[] {
  const key = raw['cni.dev/valid-attachments'] !== undefined ? 'cni.dev/valid-attachments' : 'cni.dev/attachments'
  const list = raw[key]
  if (list === undefined) {
    throw new InvalidConfigError('GC needs "cni.dev/valid-attachments" (or "cni.dev/attachments"): without the list of valid attachments nothing can be collected safely')
  }
  if (!Array.isArray(list)) throw new InvalidConfigError(`network config "${key}" ${short(list)} is invalid: expected an array`)
  return list.map((a, i) => {
    if (!isObject(a) || typeof a.containerID !== 'string' || typeof a.ifname !== 'string' || a.containerID === '' ||
      a.ifname === '') {
      throw new InvalidConfigError(`network config "${key}[${i}]" ${short(a)} is invalid: expected {"containerID": string, "ifname": string}`)
    }
    return { containerID: a.containerID, ifname: a.ifname }
  })
}

function parseDns (v: unknown, key: string): DnsConf {
  if (!isObject(v)) throw new InvalidConfigError(`network config "${key}" ${short(v)} is invalid: expected an object`)
  const out: DnsConf = {}
  for (const [k, val] of Object.entries(v)) {
    if (k === 'domain') {
      if (typeof val !== 'string') throw new InvalidConfigError(`network config "${key}.domain" ${short(val)} is invalid: expected a string`)
      out.domain = val
    } else if (k === 'nameservers' || k === 'search' || k === 'options') {
      if (!Array.isArray(val) || !val.every((s) => typeof s === 'string')) {
        throw new InvalidConfigError(`network config "${key}.${k}" ${short(val)} is invalid: expected an array of strings`)
      }
      out[k] = [...val as string[]]
    } else {
      throw new UnsupportedFieldError(`network config key "${key}.${k}" (value ${short(val)}) is not supported`)
    }
  }
  return out
}

export function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function typeName (v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v
}

/** A value for a message, bounded so a huge prevResult never floods the error. */
function short (v: unknown): string {
  const s = v === undefined ? 'undefined' : JSON.stringify(v)
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}
