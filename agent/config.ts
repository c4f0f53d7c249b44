/**
 * loomd's configuration: `parseConfig` (the single gate from untyped input to a frozen, fully
 * defaulted `AgentConfig`, the one type, which is in types.ts) and `loadConfig` (file, then LOOM_*
 * variables, then flags, then parseConfig). Components receive slices of the result as their
 * `XInit`; nothing deeper reads process.env or files (CONTRIBUTING.md §6).
 *
 * Validation is strict and stops at the first problem, with a ConfigError naming the key, where
 * the value came from, the value and what was expected. Unknown keys are errors at every level,
 * so a typo never silently falls back to a default. Keys beyond README's configuration table: none.
 */

import { readFileSync } from 'node:fs'
import {
  DEFAULT_API_SOCKET, DEFAULT_BLOCK_SIZE, DEFAULT_CONFIG_PATH, DEFAULT_ENCAPSULATION,
  DEFAULT_ENCRYPTION_ENABLED, DEFAULT_LOG_LEVEL, DEFAULT_METRICS_ADDRESS, DEFAULT_SECRET_FILE,
  DEFAULT_STATE_DIR, DEFAULT_TUN_NAME, DEFAULT_UNDERLAY_PORT, DEFAULT_VXLAN_PORT,
  DEFAULT_VXLAN_VNI, MAX_BLOCK_PREFIX, MAX_IFNAME_LEN, MAX_MTU, MAX_UNIX_SOCKET_PATH,
  DEFAULT_GOSSIP_PORT, DEFAULT_GOSSIP_MAX_MEMBERS, DEFAULT_GOSSIP_REAP_DEAD_AFTER_SECONDS, MAX_GOSSIP_MEMBERS,
  DEFAULT_GOSSIP_MAX_CLOCK_SKEW_SECONDS, DEFAULT_PERSISTENT_KEEPALIVE_SECONDS,
  DEFAULT_RECLAIM_AFTER_SECONDS, DEFAULT_CNI_GC_GRACE_SECONDS, DEFAULT_POLICY_SOURCE,
  MAX_VXLAN_VNI, MIN_MTU,
} from './defaults'
import { formatCIDR, tryParseCIDR, tryParseIPv4Address } from '../lib'
import { ConfigError, ConfigFileError, HelpRequestedError } from './errors'
import {
  LOG_LEVELS, POLICY_SOURCES, type AgentConfig, type LogLevel, type PolicySourceKind, type StaticPeer,
} from './types'
import { encapsulationKind, ENCAPSULATION_KINDS, isEncapsulationKind, type EncapsulationKind } from '../dataplane/encap'
import {
  configUsage, JsonSyntaxError, lineAndColumn, parseArgs, parseEnv, parseJsonText, suggest,
  type Override,
} from './config-flags'

export { configUsage, isHelpRequested, isResetIpamRequested } from './config-flags'

export interface ParseConfigOptions {
  /** Default for nodeName (loomd passes os.hostname()); lower-cased as kubelet does. */
  readonly hostname?: string
  /** Where values came from, by dotted field ("underlay.port" -> "--underlay-port"); absent = the file. */
  readonly origins?: ReadonlyMap<string, string>
}

type Obj = Record<string, unknown>

const TOP_KEYS = ['nodeName', 'underlay', 'clusterCIDR', 'blockSize', 'encapsulation', 'vxlan',
  'encryption', 'seeds', 'gossip', 'ipam', 'cni', 'multicast', 'policy', 'peers', 'stateDir', 'apiSocket', 'metrics',
  'mtu', 'tunName', 'logLevel',
  'offloads']
const PEER_KEYS = ['nodeName', 'address', 'port', 'podCIDR', 'vtepMAC', 'publicKey']

/** Shortest clusterCIDR prefix accepted. */
const MIN_CLUSTER_PREFIX = 8
const LINK_LOCAL: Cidr = { text: '169.254.0.0/16', base: 0xa9fe0000, prefix: 16 }

const PORT = 'an integer port 1-65535'
const KEY_B64 = 'a base64 32-byte X25519 public key as `wg pubkey` prints (44 characters)'
const UNICAST = 'a unicast IPv4 address such as 192.168.1.10'
const CIDR = 'an IPv4 CIDR such as 10.244.0.0/16'
const PATH = 'an absolute path'
const NODE_NAME = 'a DNS-1123 name: lower-case letters, digits, \'-\' and \'.\', at most 253 characters'
const HOST_PORT = '"host:port" with an IPv4 address or host name and a port'

/**
 * Validates and defaults untyped config input (parsed JSON with overrides applied) and returns a
 * deep-frozen AgentConfig that shares nothing with `raw`. Pure. Throws ConfigError.
 */
export function parseConfig (raw: unknown, options: ParseConfigOptions = {}): AgentConfig {
  const origins = new Map(options.origins ?? [])
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new ConfigError(field, value, expected, { origin: originOf(origins, field) })
  }
  const top = objectAt(raw, '', TOP_KEYS, fail)

  let nodeName = top.nodeName
  if (nodeName === undefined && options.hostname !== undefined) {
    nodeName = options.hostname.toLowerCase()
    origins.set('nodeName', 'hostname')
  }
  if (!isNodeName(nodeName)) fail('nodeName', nodeName, `${NODE_NAME} (set nodeName or --node-name)`)

  const underlay = objectAt(top.underlay, 'underlay.', ['address', 'port'], fail)
  const address = unicastAt(underlay.address, 'underlay.address', fail)
  const port = intAt(underlay.port, 'underlay.port', 1, 65535, DEFAULT_UNDERLAY_PORT, PORT, fail)

  const cluster = cidrAt(top.clusterCIDR, 'clusterCIDR', fail)
  // loomd routes the whole range into loom0: a huge one would swallow the node's other routes.
  if (cluster.prefix < MIN_CLUSTER_PREFIX) {
    fail('clusterCIDR', top.clusterCIDR,
      `a prefix of /${MIN_CLUSTER_PREFIX} or longer (a shorter one would route a large part of the internet, or the default route, into the overlay)`)
  }
  if (overlaps(cluster, LINK_LOCAL)) {
    fail('clusterCIDR', top.clusterCIDR,
      'a range outside 169.254.0.0/16 (link-local: the pods\' gateway 169.254.1.1 lives there)')
  }
  const blockSize = intAt(top.blockSize, 'blockSize', cluster.prefix + 1, MAX_BLOCK_PREFIX, DEFAULT_BLOCK_SIZE,
    `an integer prefix length greater than the clusterCIDR prefix (${cluster.prefix}) and at most ${MAX_BLOCK_PREFIX}`,
    fail)

  const encapsulation = top.encapsulation ?? DEFAULT_ENCAPSULATION
  if (!isEncapsulationKind(encapsulation)) fail('encapsulation', encapsulation, oneOf(ENCAPSULATION_KINDS))
  const kind = encapsulationKind(encapsulation as EncapsulationKind)
  const vx = objectAt(top.vxlan, 'vxlan.', ['port', 'vni'], fail)
  const vxlan = {
    port: intAt(vx.port, 'vxlan.port', 1, 65535, DEFAULT_VXLAN_PORT, PORT, fail),
    vni: intAt(vx.vni, 'vxlan.vni', 1, MAX_VXLAN_VNI, DEFAULT_VXLAN_VNI, `an integer VNI 1-${MAX_VXLAN_VNI}`, fail),
  }
  const enc = objectAt(top.encryption, 'encryption.', ['enabled', 'secretFile', 'privateKeyFile',
    'persistentKeepaliveSeconds'], fail)
  const enabled = enc.enabled ?? DEFAULT_ENCRYPTION_ENABLED
  if (typeof enabled !== 'boolean') fail('encryption.enabled', enabled, 'true or false')
  if (enabled === true && kind.encryptionRefused !== undefined) {
    fail('encryption.enabled', enabled, `false when encapsulation is "${kind.kind}" (${kind.encryptionRefused})`)
  }
  const encryption = {
    enabled: enabled as boolean,
    secretFile: pathAt(enc.secretFile, 'encryption.secretFile', DEFAULT_SECRET_FILE, PATH, fail),
    persistentKeepaliveSeconds: intAt(enc.persistentKeepaliveSeconds, 'encryption.persistentKeepaliveSeconds', 0,
      65535, DEFAULT_PERSISTENT_KEEPALIVE_SECONDS, 'an integer number of seconds 0-65535 (0 = off)', fail),
    ...(enc.privateKeyFile === undefined
      ? {}
      : {
          privateKeyFile: pathAt(enc.privateKeyFile, 'encryption.privateKeyFile', '', PATH, fail)
        }),
  }

  const seedList = top.seeds ?? []
  if (!Array.isArray(seedList)) fail('seeds', seedList, `an array of ${HOST_PORT} or IPv4 strings`)
  const seeds = (seedList as unknown[]).map((s, i) => {
    if (!isHostPort(s, false, true)) fail(`seeds[${i}]`, s, `${HOST_PORT} 1-65535, or an IPv4 address`)
    return s as string
  })

  const gos = objectAt(top.gossip, 'gossip.', ['port', 'insecure', 'maxMembers', 'reapDeadAfterSeconds',
    'maxClockSkewSeconds'], fail)
  const insecure = gos.insecure ?? false
  if (typeof insecure !== 'boolean') fail('gossip.insecure', insecure, 'true or false')
  const gossip = {
    port: intAt(gos.port, 'gossip.port', 1, 65535, DEFAULT_GOSSIP_PORT, PORT, fail),
    insecure: insecure as boolean,
    maxMembers: intAt(gos.maxMembers, 'gossip.maxMembers', 3, MAX_GOSSIP_MEMBERS, DEFAULT_GOSSIP_MAX_MEMBERS,
      `an integer 3-${MAX_GOSSIP_MEMBERS}`, fail),
    reapDeadAfterSeconds: intAt(gos.reapDeadAfterSeconds, 'gossip.reapDeadAfterSeconds', 60, 30 * 86400,
      DEFAULT_GOSSIP_REAP_DEAD_AFTER_SECONDS, 'an integer number of seconds 60-2592000', fail),
    maxClockSkewSeconds: intAt(gos.maxClockSkewSeconds, 'gossip.maxClockSkewSeconds', 1, 3600,
      DEFAULT_GOSSIP_MAX_CLOCK_SKEW_SECONDS, 'an integer number of seconds 1-3600', fail),
  }
  const ip = objectAt(top.ipam, 'ipam.', ['reclaimAfterSeconds'], fail)
  const ipam = {
    reclaimAfterSeconds: intAt(ip.reclaimAfterSeconds, 'ipam.reclaimAfterSeconds', 10, 30 * 86400,
      DEFAULT_RECLAIM_AFTER_SECONDS, 'an integer number of seconds 10-2592000', fail),
  }

  const cn = objectAt(top.cni, 'cni.', ['confDir', 'gcGraceSeconds'], fail)
  const cni = {
    confDir: cn.confDir === undefined || cn.confDir === '' ? '' : pathAt(cn.confDir, 'cni.confDir', '', PATH, fail),
    gcGraceSeconds: intAt(cn.gcGraceSeconds, 'cni.gcGraceSeconds', 0, 86400, DEFAULT_CNI_GC_GRACE_SECONDS,
      'an integer number of seconds 0-86400', fail),
  }

  const pol = objectAt(top.policy, 'policy.', ['source', 'dir', 'kubeconfig'], fail)
  const policySource = pol.source ?? DEFAULT_POLICY_SOURCE
  if (!(POLICY_SOURCES as readonly unknown[]).includes(policySource)) {
    fail('policy.source', policySource,
      '"none", "kubernetes" or "files"')
  }
  const policyDir = pol.dir === undefined || pol.dir === '' ? '' : pathAt(pol.dir, 'policy.dir', '', PATH, fail)
  const kubeconfig = pol.kubeconfig === undefined ||
  pol.kubeconfig === ''
    ? ''
    : pathAt(pol.kubeconfig, 'policy.kubeconfig', '', PATH, fail)
  if (policySource === 'files' && policyDir === '') {
    fail('policy.dir', pol.dir,
      'the manifest directory (an absolute path) when policy.source is "files"')
  }
  if (policySource !== 'files' && policyDir !== '') {
    fail('policy.dir', pol.dir,
      'nothing unless policy.source is "files"')
  }
  if (policySource !== 'kubernetes' && kubeconfig !== '') {
    fail('policy.kubeconfig', pol.kubeconfig,
      'nothing unless policy.source is "kubernetes"')
  }
  const policy = { source: policySource as PolicySourceKind, dir: policyDir, kubeconfig }

  const ownPort = kind.dataPort({ underlay: { port }, vxlan })
  const peers = parsePeers(top.peers, { nodeName: nodeName as string, address, ownPort, cluster }, fail)
  if (encryption.enabled) {
    // Static mode with encryption: every other node's WireGuard public key must be known.
    peers.forEach((p, i) => {
      if (p.nodeName !== nodeName && p.publicKey === undefined) {
        fail(`peers[${i}].publicKey`, undefined,
          `${KEY_B64} (required for every other node when encryption.enabled is true)`)
      }
    })
  }

  const mc = objectAt(top.multicast, 'multicast.', ['enabled', 'mode'], fail)
  const mcEnabled = mc.enabled ?? true
  if (typeof mcEnabled !== 'boolean') fail('multicast.enabled', mcEnabled, 'true or false')
  const mcMode = mc.mode ?? (peers.length > 0 ? 'flood' : 'members')
  if (mcMode !== 'members' && mcMode !== 'flood') fail('multicast.mode', mcMode, '"members" or "flood"')
  if (mcMode === 'members' && peers.length > 0) {
    fail('multicast.mode', mcMode,
      '"flood" in static mode (`peers` set): membership travels by gossip, which static mode does not run')
  }
  const multicast = { enabled: mcEnabled as boolean, mode: mcMode as 'members' | 'flood' }

  const off = objectAt(top.offloads, 'offloads.', ['enabled'], fail)
  const offEnabled = off.enabled === undefined ? true : off.enabled
  if (typeof offEnabled !== 'boolean') fail('offloads.enabled', offEnabled, 'true or false')

  const stateDir = pathAt(top.stateDir, 'stateDir', DEFAULT_STATE_DIR, PATH, fail)
  const apiSocket = pathAt(top.apiSocket, 'apiSocket', DEFAULT_API_SOCKET,
    `an absolute path of at most ${MAX_UNIX_SOCKET_PATH} bytes`, fail)
  if (Buffer.byteLength(apiSocket) > MAX_UNIX_SOCKET_PATH) {
    fail('apiSocket', apiSocket,
    `an absolute path of at most ${MAX_UNIX_SOCKET_PATH} bytes`)
  }
  const met = objectAt(top.metrics, 'metrics.', ['address'], fail)
  const metricsAddress = met.address ?? DEFAULT_METRICS_ADDRESS
  if (!isHostPort(metricsAddress, true, false)) fail('metrics.address', metricsAddress, `${HOST_PORT} 0-65535`)
  const mtu = top.mtu === undefined
    ? undefined
    : intAt(top.mtu, 'mtu', MIN_MTU, MAX_MTU, 0,
    `an integer MTU ${MIN_MTU}-${MAX_MTU}`, fail)
  const tunName = top.tunName ?? DEFAULT_TUN_NAME
  if (typeof tunName !== 'string' || !/^[A-Za-z0-9_.-]{1,15}$/.test(tunName) || tunName === '.' || tunName === '..') {
    fail('tunName', tunName, `an interface name of 1-${MAX_IFNAME_LEN} characters from A-Z a-z 0-9 _ . -`)
  }
  const logLevel = top.logLevel ?? DEFAULT_LOG_LEVEL
  if (!(LOG_LEVELS as readonly unknown[]).includes(logLevel)) {
    fail('logLevel', logLevel,
    `one of ${LOG_LEVELS.join(', ')}`)
  }

  const config: AgentConfig = {
    nodeName: nodeName as string,
    underlay: { address, port },
    clusterCIDR: cluster.text,
    blockSize,
    encapsulation: encapsulation as EncapsulationKind,
    vxlan,
    encryption,
    seeds,
    gossip,
    ipam,
    cni,
    multicast,
    ...(offEnabled === false ? { offloads: { enabled: false } as const } : {}),
    ...(policy.source !== 'none' ? { policy } : {}),
    peers,
    stateDir,
    apiSocket,
    metrics: { address: metricsAddress as string },
    mtu,
    tunName: tunName as string,
    logLevel: logLevel as LogLevel,
  }
  return deepFreeze(config)
}

type Fail = (field: string, value: unknown, expected: string) => never

interface Cidr { readonly text: string, readonly base: number, readonly prefix: number }

function parsePeers (value: unknown, self: { nodeName: string, address: string, ownPort: number, cluster: Cidr },
  fail: Fail): StaticPeer[] {
  const list = value ?? []
  if (!Array.isArray(list)) fail('peers', list, 'an array of {nodeName, address, port?, podCIDR, vtepMAC?} objects')
  const peers: StaticPeer[] = []
  const cidrs: Cidr[] = []
  for (const [i, item] of (list as unknown[]).entries()) {
    const at = `peers[${i}]`
    const p = objectAt(item, `${at}.`, PEER_KEYS, fail, at)
    if (!isNodeName(p.nodeName)) fail(`${at}.nodeName`, p.nodeName, NODE_NAME)
    const address = unicastAt(p.address, `${at}.address`, fail)
    const port = intAt(p.port, `${at}.port`, 1, 65535, self.ownPort, PORT, fail)
    const cidr = cidrAt(p.podCIDR, `${at}.podCIDR`, fail)
    if (cidr.prefix < self.cluster.prefix || !overlaps(cidr, self.cluster)) {
      fail(`${at}.podCIDR`, p.podCIDR, `a CIDR inside clusterCIDR ${self.cluster.text}`)
    }
    let vtepMAC: string | undefined
    if (p.vtepMAC !== undefined) {
      const ok = typeof p.vtepMAC === 'string' && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(p.vtepMAC) &&
        (parseInt(p.vtepMAC.slice(0, 2), 16) & 1) === 0 && !/^(00:){5}00$/.test(p.vtepMAC)
      if (!ok) fail(`${at}.vtepMAC`, p.vtepMAC, 'a unicast MAC address such as 0a:58:0a:f4:01:01 (aa:bb:cc:dd:ee:ff)')
      vtepMAC = (p.vtepMAC as string).toLowerCase()
    }
    for (const [j, other] of peers.entries()) {
      if (other.nodeName === p.nodeName) fail(`${at}.nodeName`, p.nodeName, `a name not already used by peers[${j}]`)
      if (other.address === address) fail(`${at}.address`, address, `an address not already used by peers[${j}]`)
      if (vtepMAC !== undefined && other.vtepMAC === vtepMAC) {
        fail(`${at}.vtepMAC`, p.vtepMAC,
        `a MAC not already used by peers[${j}]`)
      }
      if (overlaps(cidr, cidrs[j])) {
        fail(`${at}.podCIDR`, p.podCIDR,
        `a CIDR not overlapping peers[${j}].podCIDR ${cidrs[j].text}`)
      }
    }
    if (p.nodeName === self.nodeName) {
      if (address !== self.address) fail(`${at}.address`, address, `this node's underlay.address ${self.address}`)
      if (port !== self.ownPort) fail(`${at}.port`, port, `this node's own port for the encapsulation, ${self.ownPort}`)
    }
    let publicKey: string | undefined
    if (p.publicKey !== undefined) {
      if (typeof p.publicKey !== 'string' || Buffer.from(p.publicKey, 'base64').length !== 32 ||
        Buffer.from(p.publicKey, 'base64').toString('base64') !== p.publicKey) {
        fail(`${at}.publicKey`, p.publicKey,
          KEY_B64)
      }
      for (const [j, other] of peers.entries()) {
        if (other.publicKey === p.publicKey) {
          fail(`${at}.publicKey`, p.publicKey,
          `a key not already used by peers[${j}]`)
        }
      }
      publicKey = p.publicKey as string
    }
    peers.push({
      nodeName: p.nodeName as string,
      address,
      port,
      podCIDR: cidr.text,
      vtepMAC,
      ...(publicKey !== undefined ? { publicKey } : {})
    })
    cidrs.push(cidr)
  }
  if (peers.length > 0 && !peers.some((p) => p.nodeName === self.nodeName)) {
    fail('peers', peers.map((p) => p.nodeName),
      `an entry for this node (nodeName "${self.nodeName}"): static peers list every node`)
  }
  return peers
}

/** The origin of `field` or of the nearest enclosing field that has one (seeds[1] -> seeds). */
function originOf (origins: ReadonlyMap<string, string>, field: string): string | undefined {
  for (let f = field; f !== ''; f = f.replace(/(\[\d+\]|\.[^.[\]]*|^[^.[\]]+)$/, '')) {
    const o = origins.get(f)
    if (o !== undefined) return o
  }
  return undefined
}

/** '"a" or "b"', '"a", "b" or "c"': the accepted values, quoted, for an error's "expected". */
function oneOf (values: readonly string[]): string {
  const quoted = values.map((v) => JSON.stringify(v))
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`
}

function isPlainObject (v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** An object with only `known` keys; undefined reads as {}. `prefix` is the dotted path + '.'. */
function objectAt (v: unknown, prefix: string, known: readonly string[], fail: Fail, name = prefix.slice(0, -1)): Obj {
  if (v === undefined) return {}
  if (!isPlainObject(v)) return fail(name, v, 'an object')
  for (const key of Object.keys(v)) {
    if (known.includes(key)) continue
    const hint = suggest(key, known)
    const expected = `one of the known keys ${known.join(', ')}`
    throw new ConfigError(prefix + key, v[key], expected, {
      message: `invalid config: unknown key ${prefix}${key}: ${hint === undefined ? '' : `did you mean ${prefix}${hint}? `}expected ${expected}`,
    })
  }
  return v
}

function intAt (v: unknown, field: string, min: number, max: number, dflt: number, expected: string,
  fail: Fail): number {
  if (v === undefined) return dflt
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(field, v, expected)
  return v as number
}

function pathAt (v: unknown, field: string, dflt: string, expected: string, fail: Fail): string {
  if (v === undefined) return dflt
  if (typeof v !== 'string' || !v.startsWith('/') || v.includes('\0')) fail(field, v, expected)
  return v as string
}

function isNodeName (v: unknown): boolean {
  return typeof v === 'string' && v.length <= 253 &&
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(v)
}

function isUnicast (u32: number): boolean {
  const first = u32 >>> 24
  return first !== 0 && first < 224
}

function unicastAt (v: unknown, field: string, fail: Fail): string {
  const u = tryParseIPv4Address(v)
  if (u === undefined || !isUnicast(u)) fail(field, v, UNICAST)
  return v as string
}

function cidrAt (v: unknown, field: string, fail: Fail): Cidr {
  const c = tryParseCIDR(v)
  if (c === undefined) return fail(field, v, CIDR)
  if (c.hostBitsSet) {
    fail(field, v, `a network address with no host bits set (did you mean ${formatCIDR(c.network, c.prefixLength)}?)`)
  }
  return { text: v as string, base: c.network, prefix: c.prefixLength }
}

/** True when the ranges share an address (with network addresses, one then contains the other). */
function overlaps (a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix)
  return p === 0 || ((a.base ^ b.base) >>> (32 - p)) === 0
}

function isHostPort (v: unknown, allowAnyAddress: boolean, portOptional: boolean): boolean {
  if (typeof v !== 'string') return false
  const colon = v.lastIndexOf(':')
  const host = colon === -1 ? v : v.slice(0, colon)
  if (colon === -1) {
    return portOptional && tryParseIPv4Address(host) !== undefined &&
  isUnicast(tryParseIPv4Address(host) as number)
  }
  const portText = v.slice(colon + 1)
  const min = allowAnyAddress ? 0 : 1
  if (!/^(0|[1-9][0-9]{0,4})$/.test(portText) || Number(portText) < min || Number(portText) > 65535) return false
  if (/^[0-9.]+$/.test(host)) {
    const u = tryParseIPv4Address(host)
    return u !== undefined && (allowAnyAddress || isUnicast(u))
  }
  return host.length <= 253 &&
  /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(host)
}

function deepFreeze<T> (v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const child of Object.values(v)) deepFreeze(child)
    Object.freeze(v)
  }
  return v
}

export interface LoadConfigOptions {
  /** Default nodeName: loomd passes os.hostname(). */
  readonly hostname: string
  /** Reads a file as UTF-8; errors carry Node's `code` (ENOENT, EACCES). Default fs.readFileSync. */
  readonly readFile?: (path: string) => string
  /** Told about ignorable oddities (an unknown LOOM_* variable). Default: ignored. */
  readonly onWarning?: (message: string) => void
}

/**
 * Builds the AgentConfig from loomd's arguments (process.argv.slice(2)) and environment:
 * the JSON file (--config, else LOOM_CONFIG, else /etc/loom/loomd.conf, whose absence means {}),
 * then LOOM_* variables, then flags. Throws ConfigError, ConfigFileError, or HelpRequestedError
 * (message = usage) for --help.
 */
export function loadConfig (argv: readonly string[], env: NodeJS.ProcessEnv, opts: LoadConfigOptions): AgentConfig {
  const args = parseArgs(argv)
  if (args.help) throw new HelpRequestedError(configUsage())
  const fromEnv = parseEnv(env, (name) => opts.onWarning?.(`ignoring unknown environment variable ${name}`))
  const explicit = args.configPath ?? fromEnv.configPath
  const path = explicit ?? DEFAULT_CONFIG_PATH
  const raw = readConfigFile(path, explicit !== undefined, opts.readFile ?? ((p) => readFileSync(p, 'utf8')))
  const origins = new Map<string, string>()
  for (const o of [...fromEnv.overrides, ...args.overrides]) {
    setField(raw, o)
    origins.set(o.field, o.origin)
  }
  return parseConfig(raw, { hostname: opts.hostname, origins })
}

function readConfigFile (path: string, explicit: boolean, readFile: (path: string) => string): Obj {
  let text: string
  try {
    text = readFile(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !explicit) return {}
    if (code === 'ENOENT') throw new ConfigFileError(path, 'missing', 'no such file', { cause: err })
    throw new ConfigFileError(path, 'unreadable', `cannot read: ${(err as Error).message}`, { cause: err })
  }
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = parseJsonText(text)
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err
    const { line, column } = lineAndColumn(text, err.offset)
    const hint = /^\s*[{[]/.test(text) ? '' : ' (the file must be JSON; YAML is not supported)'
    throw new ConfigFileError(path, 'syntax', err.message + hint, { line, column, cause: err })
  }
  if (!isPlainObject(value)) throw new ConfigError('', value, `a JSON object at the top of ${path}`)
  return value
}

/** Writes an override at its dotted field, creating enclosing objects the file left out. */
function setField (raw: Obj, o: Override): void {
  const parts = o.field.split('.')
  let obj = raw
  for (const [i, part] of parts.slice(0, -1).entries()) {
    const next = obj[part] ?? {}
    if (!isPlainObject(next)) throw new ConfigError(parts.slice(0, i + 1).join('.'), next, 'an object')
    obj[part] = next
    obj = next
  }
  obj[parts[parts.length - 1]] = o.value
}

/** Whether the data plane uses the segmentation offloads (`offloads.enabled`, default true). */
export function offloadsEnabled (config: Pick<AgentConfig, 'offloads'>): boolean {
  return config.offloads?.enabled !== false
}
