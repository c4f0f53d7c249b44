/**
 * AgentConfig: parseConfig's validation and defaults, and loadConfig's sources (file, LOOM_*
 * variables, flags) with their precedence. Every error path checks the exact message, since the
 * message is what an operator reads when loomd refuses to start.
 */
import t from 'tap'
import { configUsage, isHelpRequested, loadConfig, offloadsEnabled, parseConfig } from '../../agent/config'
import type { AgentConfig } from '../../agent/types'
import { parseJsonText } from '../../agent/config-flags'
import { ConfigError, ConfigFileError, HelpRequestedError } from '../../agent/errors'

const BASE = { underlay: { address: '10.0.0.1' }, clusterCIDR: '10.244.0.0/16' }
const OPTS = { hostname: 'node-a' }

/** BASE with top-level keys replaced. */
function withKeys (extra: Record<string, unknown>): Record<string, unknown> {
  return { ...BASE, ...extra }
}

function errorOf (fn: () => unknown): Error & { code?: string, field?: string, value?: unknown, expected?: string } {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a throw')
}

const PEERS = [
  { nodeName: 'node-a', address: '10.0.0.1', podCIDR: '10.244.0.0/24' },
  { nodeName: 'node-b', address: '10.0.0.2', podCIDR: '10.244.1.0/24', port: 7000, vtepMAC: '0A:58:0A:F4:01:01' },
]

t.test('defaults are applied', async t => {
  const c = parseConfig(BASE, { hostname: 'Node-A.Example' })
  t.same(c, {
    nodeName: 'node-a.example',
    underlay: { address: '10.0.0.1', port: 6784 },
    clusterCIDR: '10.244.0.0/16',
    blockSize: 26,
    encapsulation: 'udp',
    vxlan: { port: 4789, vni: 1 },
    encryption: { enabled: false, secretFile: '/etc/loom/secret', persistentKeepaliveSeconds: 0 },
    seeds: [],
    gossip: { port: 6783, insecure: false, maxMembers: 5000, reapDeadAfterSeconds: 86400, maxClockSkewSeconds: 60 },
    ipam: { reclaimAfterSeconds: 600 },
    cni: { confDir: '', gcGraceSeconds: 60 },
    multicast: { enabled: true, mode: 'members' },
    peers: [],
    stateDir: '/var/lib/loom',
    apiSocket: '/run/loom/loom.sock',
    metrics: { address: '127.0.0.1:9784' },
    mtu: undefined,
    tunName: 'loom0',
    logLevel: 'info',
  })
  t.equal(parseConfig(withKeys({ nodeName: 'explicit' }), OPTS).nodeName, 'explicit', 'nodeName beats the hostname')
})

t.test('every key takes a valid value', async t => {
  const c = parseConfig({
    nodeName: 'node-a',
    underlay: { address: '10.0.0.1', port: 1 },
    clusterCIDR: '10.0.0.0/8',
    blockSize: 30,
    encapsulation: 'vxlan',
    vxlan: { port: 8472, vni: 16777215 },
    encryption: { enabled: false, secretFile: '/run/secret', persistentKeepaliveSeconds: 25 },
    seeds: ['10.0.0.2', '10.0.0.3:6783', 'node-c.example:6783'],
    peers: PEERS,
    stateDir: '/tmp/loom',
    apiSocket: '/tmp/loom.sock',
    metrics: { address: '0.0.0.0:0' },
    mtu: 9000,
    tunName: 'ovl_1.a-b',
    logLevel: 'silent',
  }, OPTS)
  t.equal(c.blockSize, 30)
  t.equal(c.mtu, 9000)
  t.same(c.seeds, ['10.0.0.2', '10.0.0.3:6783', 'node-c.example:6783'])
  t.same(c.peers, [
    { nodeName: 'node-a', address: '10.0.0.1', port: 8472, podCIDR: '10.244.0.0/24', vtepMAC: undefined },
    { nodeName: 'node-b', address: '10.0.0.2', port: 7000, podCIDR: '10.244.1.0/24', vtepMAC: '0a:58:0a:f4:01:01' },
  ], 'peer port defaults to the encapsulation port; vtepMAC lower-cased')
  const udp = parseConfig(withKeys({ peers: PEERS }), OPTS)
  t.equal(udp.peers[0].port, 6784, 'udp: peer port defaults to underlay.port')
  t.equal(parseConfig(withKeys({ encryption: { enabled: true } }), OPTS).encryption.enabled, true)
})

t.test('the result is deep-frozen and shares nothing with the input', async t => {
  const raw = withKeys({ peers: structuredClone(PEERS), seeds: ['10.0.0.9'] })
  const c = parseConfig(raw, OPTS)
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.underlay) && Object.isFrozen(c.peers) &&
    Object.isFrozen(c.peers[1]) && Object.isFrozen(c.seeds) && Object.isFrozen(c.metrics))
  // Test files compile to strict-mode CommonJS, so writes to frozen objects throw.
  t.throws(() => { (c as { logLevel: string }).logLevel = 'debug' }, TypeError)
  t.throws(() => { (c.underlay as { port: number }).port = 1 }, TypeError)
  t.throws(() => { (c.seeds as string[]).push('10.0.0.8') }, TypeError)
  t.throws(() => { (c.peers[0] as { podCIDR: string }).podCIDR = '10.244.9.0/24' }, TypeError)
  ;(raw.seeds as string[]).push('10.0.0.7')
  ;(raw.peers as Array<{ nodeName: string }>)[0].nodeName = 'changed'
  t.same(c.seeds, ['10.0.0.9'], 'later changes to the input do not leak in')
  t.equal(c.peers[0].nodeName, 'node-a')
})

// [raw config, field, exact message]
const BAD: Array<[Record<string, unknown>, string, string]> = [
  [{ underlay: { address: '10.0.0.1', port: 70000 } }, 'underlay.port',
    'invalid config: underlay.port = 70000: expected an integer port 1-65535'],
  [{ underlay: { address: '10.0.0.1', port: '6784' } }, 'underlay.port',
    'invalid config: underlay.port = "6784": expected an integer port 1-65535'],
  [{ underlay: { address: '10.0.0.1', port: 6784.5 } }, 'underlay.port',
    'invalid config: underlay.port = 6784.5: expected an integer port 1-65535'],
  [{ underlay: { address: '10.0.0.256' } }, 'underlay.address',
    'invalid config: underlay.address = "10.0.0.256": expected a unicast IPv4 address such as 192.168.1.10'],
  [{ underlay: { address: '224.0.0.1' } }, 'underlay.address',
    'invalid config: underlay.address = "224.0.0.1": expected a unicast IPv4 address such as 192.168.1.10'],
  [{ underlay: { address: '010.0.0.1' } }, 'underlay.address',
    'invalid config: underlay.address = "010.0.0.1": expected a unicast IPv4 address such as 192.168.1.10'],
  [{ underlay: {} }, 'underlay.address',
    'invalid config: underlay.address is missing: expected a unicast IPv4 address such as 192.168.1.10'],
  [{ underlay: 'x' }, 'underlay', 'invalid config: underlay = "x": expected an object'],
  [{ clusterCIDR: undefined }, 'clusterCIDR',
    'invalid config: clusterCIDR is missing: expected an IPv4 CIDR such as 10.244.0.0/16'],
  [{ clusterCIDR: '10.244.0.0/33' }, 'clusterCIDR',
    'invalid config: clusterCIDR = "10.244.0.0/33": expected an IPv4 CIDR such as 10.244.0.0/16'],
  [{ clusterCIDR: '10.244.0.0' }, 'clusterCIDR',
    'invalid config: clusterCIDR = "10.244.0.0": expected an IPv4 CIDR such as 10.244.0.0/16'],
  [{ clusterCIDR: '10.244.1.0/16' }, 'clusterCIDR',
    'invalid config: clusterCIDR = "10.244.1.0/16": expected a network address with no host bits set (did you mean 10.244.0.0/16?)'],
  [{ blockSize: 16 }, 'blockSize',
    'invalid config: blockSize = 16: expected an integer prefix length greater than the clusterCIDR prefix (16) and at most 30'],
  [{ blockSize: 31 }, 'blockSize',
    'invalid config: blockSize = 31: expected an integer prefix length greater than the clusterCIDR prefix (16) and at most 30'],
  [{ encapsulation: 'gre' }, 'encapsulation', 'invalid config: encapsulation = "gre": expected "udp" or "vxlan"'],
  [{ vxlan: { vni: 0 } }, 'vxlan.vni', 'invalid config: vxlan.vni = 0: expected an integer VNI 1-16777215'],
  [{ vxlan: { vni: 16777216 } }, 'vxlan.vni',
    'invalid config: vxlan.vni = 16777216: expected an integer VNI 1-16777215'],
  [{ vxlan: { port: 0 } }, 'vxlan.port', 'invalid config: vxlan.port = 0: expected an integer port 1-65535'],
  [{ encryption: { enabled: 'yes' } }, 'encryption.enabled',
    'invalid config: encryption.enabled = "yes": expected true or false'],
  [{ encryption: { enabled: true }, encapsulation: 'vxlan' }, 'encryption.enabled',
    'invalid config: encryption.enabled = true: expected false when encapsulation is "vxlan" (VXLAN is unencrypted by definition)'],
  [{ encryption: { secretFile: 'secret' } }, 'encryption.secretFile',
    'invalid config: encryption.secretFile = "secret": expected an absolute path'],
  [{ encryption: { persistentKeepaliveSeconds: 65536 } }, 'encryption.persistentKeepaliveSeconds',
    'invalid config: encryption.persistentKeepaliveSeconds = 65536: expected an integer number of seconds 0-65535 (0 = off)'],
  [{ encryption: { persistentKeepaliveSeconds: -1 } }, 'encryption.persistentKeepaliveSeconds',
    'invalid config: encryption.persistentKeepaliveSeconds = -1: expected an integer number of seconds 0-65535 (0 = off)'],
  [{ encryption: { persistentKeepaliveSeconds: '25' } }, 'encryption.persistentKeepaliveSeconds',
    'invalid config: encryption.persistentKeepaliveSeconds = "25": expected an integer number of seconds 0-65535 (0 = off)'],
  [{ seeds: '10.0.0.2' }, 'seeds',
    'invalid config: seeds = "10.0.0.2": expected an array of "host:port" with an IPv4 address or host name and a port or IPv4 strings'],
  [{ seeds: ['10.0.0.2', 'host:99999'] }, 'seeds[1]',
    'invalid config: seeds[1] = "host:99999": expected "host:port" with an IPv4 address or host name and a port 1-65535, or an IPv4 address'],
  [{ seeds: ['node-b'] }, 'seeds[0]',
    'invalid config: seeds[0] = "node-b": expected "host:port" with an IPv4 address or host name and a port 1-65535, or an IPv4 address'],
  [{ stateDir: 'var/lib/loom' }, 'stateDir', 'invalid config: stateDir = "var/lib/loom": expected an absolute path'],
  [{ apiSocket: '/' + 'x'.repeat(107) }, 'apiSocket',
    `invalid config: apiSocket = "/${'x'.repeat(78)}...: expected an absolute path of at most 107 bytes`],
  [{ metrics: { address: '127.0.0.1' } }, 'metrics.address',
    'invalid config: metrics.address = "127.0.0.1": expected "host:port" with an IPv4 address or host name and a port 0-65535'],
  [{ metrics: { address: '300.0.0.1:9784' } }, 'metrics.address',
    'invalid config: metrics.address = "300.0.0.1:9784": expected "host:port" with an IPv4 address or host name and a port 0-65535'],
  [{ mtu: 575 }, 'mtu', 'invalid config: mtu = 575: expected an integer MTU 576-9000'],
  [{ mtu: 9001 }, 'mtu', 'invalid config: mtu = 9001: expected an integer MTU 576-9000'],
  [{ cni: { gcGraceSeconds: -1 } }, 'cni.gcGraceSeconds',
    'invalid config: cni.gcGraceSeconds = -1: expected an integer number of seconds 0-86400'],
  [{ cni: { gcGraceSeconds: 1e9 } }, 'cni.gcGraceSeconds',
    'invalid config: cni.gcGraceSeconds = 1000000000: expected an integer number of seconds 0-86400'],
  [{ tunName: 'loom0-with-a-long-name' }, 'tunName',
    'invalid config: tunName = "loom0-with-a-long-name": expected an interface name of 1-15 characters from A-Z a-z 0-9 _ . -'],
  [{ tunName: 'lo/0' }, 'tunName',
    'invalid config: tunName = "lo/0": expected an interface name of 1-15 characters from A-Z a-z 0-9 _ . -'],
  [{ tunName: '' }, 'tunName',
    'invalid config: tunName = "": expected an interface name of 1-15 characters from A-Z a-z 0-9 _ . -'],
  [{ logLevel: 'verbose' }, 'logLevel',
    'invalid config: logLevel = "verbose": expected one of fatal, error, warn, info, debug, trace, silent'],
  [{ nodeName: 'Node_A' }, 'nodeName',
    'invalid config: nodeName = "Node_A": expected a DNS-1123 name: lower-case letters, digits, \'-\' and \'.\', at most 253 characters (set nodeName or --node-name)'],
  [{ peers: {} }, 'peers',
    'invalid config: peers = {}: expected an array of {nodeName, address, port?, podCIDR, vtepMAC?} objects'],
  [{ peers: ['node-a'] }, 'peers[0]', 'invalid config: peers[0] = "node-a": expected an object'],
]

t.test('each bad value is rejected naming field, value and expectation', async t => {
  for (const [extra, field, message] of BAD) {
    const err = errorOf(() => parseConfig(withKeys(extra), OPTS))
    t.type(err, ConfigError, field)
    t.equal(err.code, 'ERR_CONFIG', field)
    t.equal(err.field, field, `field of: ${message}`)
    t.equal(err.message, message)
  }
  const err = errorOf(() => parseConfig(withKeys({ mtu: 70000 }), OPTS))
  t.equal(err.value, 70000, 'value property')
  t.equal(err.expected, 'an integer MTU 576-9000', 'expected property')
})

t.test('the input must be an object', async t => {
  t.equal(errorOf(() => parseConfig([], OPTS)).message, 'invalid config: (config root) = []: expected an object')
  t.equal(errorOf(() => parseConfig(null, OPTS)).message, 'invalid config: (config root) = null: expected an object')
})

t.test('nodeName is required when no hostname is given, and a bad hostname is named as such', async t => {
  const missing = errorOf(() => parseConfig(BASE))
  t.equal(missing.field, 'nodeName')
  t.match(missing.message, /^invalid config: nodeName is missing: expected a DNS-1123 name/)
  t.match(errorOf(() => parseConfig(BASE, { hostname: 'my_host' })).message,
    /^invalid config: hostname \(nodeName\) = my_host: expected a DNS-1123 name/)
})

t.test('unknown keys are errors that name the key and list the known ones', async t => {
  const top = errorOf(() => parseConfig(withKeys({ clusterCidr: '10.0.0.0/8' }), OPTS))
  t.equal(top.field, 'clusterCidr')
  t.equal(top.message,
    'invalid config: unknown key clusterCidr: did you mean clusterCIDR? expected one of the known keys ' +
    'nodeName, underlay, clusterCIDR, blockSize, encapsulation, vxlan, encryption, seeds, gossip, ipam, cni, multicast, policy, peers, stateDir, apiSocket, ' +
    'metrics, mtu, tunName, logLevel, offloads')
  t.equal(errorOf(() => parseConfig(withKeys({ wholly: 1 }), OPTS)).message.startsWith(
    'invalid config: unknown key wholly: expected one of the known keys nodeName,'), true,
  'no hint when nothing is close')
  t.equal(errorOf(() => parseConfig(withKeys({ underlay: { address: '10.0.0.1', prot: 1 } }), OPTS)).message,
    'invalid config: unknown key underlay.prot: did you mean underlay.port? expected one of the known keys address, port')
  t.equal(errorOf(() => parseConfig(withKeys({ peers: [{ ...PEERS[0], podCidr: 'x' }] }), OPTS)).message,
    'invalid config: unknown key peers[0].podCidr: did you mean peers[0].podCIDR? expected one of the known keys ' +
    'nodeName, address, port, podCIDR, vtepMAC, publicKey')
})

t.test('static peers: every consistency rule', async t => {
  const cases: Array<[unknown[], string, string]> = [
    [[PEERS[1]], 'peers',
      'invalid config: peers = ["node-b"]: expected an entry for this node (nodeName "node-a"): static peers list every node'],
    [[PEERS[0], { ...PEERS[1], podCIDR: '10.244.0.128/25' }], 'peers[1].podCIDR',
      'invalid config: peers[1].podCIDR = "10.244.0.128/25": expected a CIDR not overlapping peers[0].podCIDR 10.244.0.0/24'],
    [[PEERS[0], { ...PEERS[1], podCIDR: '10.0.0.0/8' }], 'peers[1].podCIDR',
      'invalid config: peers[1].podCIDR = "10.0.0.0/8": expected a CIDR inside clusterCIDR 10.244.0.0/16'],
    [[PEERS[0], { ...PEERS[1], podCIDR: '10.245.0.0/24' }], 'peers[1].podCIDR',
      'invalid config: peers[1].podCIDR = "10.245.0.0/24": expected a CIDR inside clusterCIDR 10.244.0.0/16'],
    [[PEERS[0], { ...PEERS[1], podCIDR: '10.244.1.1/24' }], 'peers[1].podCIDR',
      'invalid config: peers[1].podCIDR = "10.244.1.1/24": expected a network address with no host bits set (did you mean 10.244.1.0/24?)'],
    [[PEERS[0], { ...PEERS[1], nodeName: 'node-a' }], 'peers[1].nodeName',
      'invalid config: peers[1].nodeName = "node-a": expected a name not already used by peers[0]'],
    [[PEERS[0], { ...PEERS[1], address: '10.0.0.1' }], 'peers[1].address',
      'invalid config: peers[1].address = "10.0.0.1": expected an address not already used by peers[0]'],
    [[PEERS[0], { ...PEERS[1], vtepMAC: 'aa:bb:cc:dd:ee' }], 'peers[1].vtepMAC',
      'invalid config: peers[1].vtepMAC = "aa:bb:cc:dd:ee": expected a unicast MAC address such as 0a:58:0a:f4:01:01 (aa:bb:cc:dd:ee:ff)'],
    [[PEERS[0], { ...PEERS[1], vtepMAC: 'aa-bb-cc-dd-ee-ff' }], 'peers[1].vtepMAC',
      'invalid config: peers[1].vtepMAC = "aa-bb-cc-dd-ee-ff": expected a unicast MAC address such as 0a:58:0a:f4:01:01 (aa:bb:cc:dd:ee:ff)'],
    [[PEERS[0], { ...PEERS[1], vtepMAC: '01:00:5e:00:00:01' }], 'peers[1].vtepMAC',
      'invalid config: peers[1].vtepMAC = "01:00:5e:00:00:01": expected a unicast MAC address such as 0a:58:0a:f4:01:01 (aa:bb:cc:dd:ee:ff)'],
    [[{ ...PEERS[0], vtepMAC: '0a:58:0a:f4:01:01' }, PEERS[1]], 'peers[1].vtepMAC',
      'invalid config: peers[1].vtepMAC = "0A:58:0A:F4:01:01": expected a MAC not already used by peers[0]'],
    [[{ ...PEERS[0], address: '10.0.0.9' }], 'peers[0].address',
      'invalid config: peers[0].address = "10.0.0.9": expected this node\'s underlay.address 10.0.0.1'],
    [[{ ...PEERS[0], port: 7000 }], 'peers[0].port',
      'invalid config: peers[0].port = 7000: expected this node\'s own port for the encapsulation, 6784'],
    [[PEERS[0], { ...PEERS[1], port: 0 }], 'peers[1].port',
      'invalid config: peers[1].port = 0: expected an integer port 1-65535'],
    [[PEERS[0], { ...PEERS[1], nodeName: undefined }], 'peers[1].nodeName',
      'invalid config: peers[1].nodeName is missing: expected a DNS-1123 name: lower-case letters, digits, \'-\' and \'.\', at most 253 characters'],
    [[PEERS[0], { ...PEERS[1], address: undefined }], 'peers[1].address',
      'invalid config: peers[1].address is missing: expected a unicast IPv4 address such as 192.168.1.10'],
  ]
  for (const [peers, field, message] of cases) {
    const err = errorOf(() => parseConfig(withKeys({ peers }), OPTS))
    t.equal(err.field, field, message)
    t.equal(err.message, message)
  }
})

// --- loadConfig ---

/** A fake filesystem: path -> contents; other paths throw ENOENT like fs.readFileSync. */
function files (map: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = map[path]
    if (text === undefined) {
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`),
        { code: 'ENOENT' })
    }
    return text
  }
}

const FILE = JSON.stringify({ ...BASE, underlay: { address: '10.0.0.1', port: 1111 }, logLevel: 'warn', mtu: 1400 })

t.test('precedence: flags over environment over file over defaults', async t => {
  const readFile = files({ '/etc/loom/loomd.conf': FILE })
  const load = (argv: string[], env: NodeJS.ProcessEnv): AgentConfig => loadConfig(argv, env,
    { hostname: 'node-a', readFile })
  const fileOnly = load([], {})
  t.equal(fileOnly.underlay.port, 1111)
  t.equal(fileOnly.logLevel, 'warn')
  t.equal(fileOnly.blockSize, 26)
  const envOver = load([], { LOOM_UNDERLAY_PORT: '2222', LOOM_BLOCK_SIZE: '24', LOOM_MTU: '' })
  t.equal(envOver.underlay.port, 2222, 'env beats file')
  t.equal(envOver.blockSize, 24, 'env beats default')
  t.equal(envOver.mtu, 1400, 'an empty variable counts as unset')
  const flagOver = load(['--underlay-port', '3333', '--log-level=debug'],
    { LOOM_UNDERLAY_PORT: '2222', LOOM_LOG_LEVEL: 'error' })
  t.equal(flagOver.underlay.port, 3333, 'flag beats env')
  t.equal(flagOver.logLevel, 'debug', '--flag=value form')
  t.equal(flagOver.underlay.address, '10.0.0.1', 'sibling keys from the file survive an override')
  t.equal(load(['--mtu', '1500', '--mtu', '1450'], {}).mtu, 1450, 'a repeated flag: the last wins')
})

t.test('every flag and variable reaches its key', async t => {
  const argv = ['--node-name', 'n1', '--underlay-address', '192.168.5.5', '--underlay-port', '7001',
    '--cluster-cidr', '10.32.0.0/12', '--block-size', '28', '--encapsulation', 'vxlan', '--vxlan-port', '8472',
    '--vxlan-vni', '42', '--secret-file', '/s', '--seeds', '10.0.0.2, 10.0.0.3:7946,', '--state-dir', '/st',
    '--api-socket', '/a.sock', '--metrics-address', 'localhost:9000', '--mtu', '1400', '--tun-name', 'ovl0',
    '--log-level', 'trace', '--gossip-port', '7946', '--reclaim-after', '120', '--cni-conf-dir', '/etc/cni/net.d',
    '--cni-gc-grace', '5']
  const c = loadConfig(argv, {}, { hostname: 'h', readFile: files({}) })
  t.same(c, {
    nodeName: 'n1',
    underlay: { address: '192.168.5.5', port: 7001 },
    clusterCIDR: '10.32.0.0/12',
    blockSize: 28,
    encapsulation: 'vxlan',
    vxlan: { port: 8472, vni: 42 },
    encryption: { enabled: false, secretFile: '/s', persistentKeepaliveSeconds: 0 },
    seeds: ['10.0.0.2', '10.0.0.3:7946'],
    gossip: { port: 7946, insecure: false, maxMembers: 5000, reapDeadAfterSeconds: 86400, maxClockSkewSeconds: 60 },
    ipam: { reclaimAfterSeconds: 120 },
    cni: { confDir: '/etc/cni/net.d', gcGraceSeconds: 5 },
    multicast: { enabled: true, mode: 'members' },
    peers: [],
    stateDir: '/st',
    apiSocket: '/a.sock',
    metrics: { address: 'localhost:9000' },
    mtu: 1400,
    tunName: 'ovl0',
    logLevel: 'trace',
  })
  const env = {
    LOOM_NODE_NAME: 'n2',
    LOOM_UNDERLAY_ADDRESS: '192.168.5.6',
    LOOM_UNDERLAY_PORT: '7002',
    LOOM_CLUSTER_CIDR: '10.32.0.0/12',
    LOOM_BLOCK_SIZE: '27',
    LOOM_ENCAPSULATION: 'udp',
    LOOM_VXLAN_PORT: '4790',
    LOOM_VXLAN_VNI: '7',
    LOOM_ENCRYPTION: 'on',
    LOOM_SECRET_FILE: '/s2',
    LOOM_SEEDS: '10.0.0.4',
    LOOM_STATE_DIR: '/st2',
    LOOM_API_SOCKET: '/b.sock',
    LOOM_METRICS_ADDRESS: '0.0.0.0:9100',
    LOOM_MTU: '1300',
    LOOM_TUN_NAME: 'ovl1',
    LOOM_LOG_LEVEL: 'fatal',
  }
  const e = loadConfig([], env, { hostname: 'h', readFile: files({}) })
  t.same([e.nodeName, e.underlay, e.blockSize, e.encapsulation, e.vxlan, e.encryption, e.seeds, e.stateDir,
    e.apiSocket, e.metrics.address, e.mtu, e.tunName, e.logLevel],
  ['n2', { address: '192.168.5.6', port: 7002 }, 27, 'udp', { port: 4790, vni: 7 },
    { enabled: true, secretFile: '/s2', persistentKeepaliveSeconds: 0 },
    ['10.0.0.4'], '/st2', '/b.sock', '0.0.0.0:9100', 1300, 'ovl1', 'fatal'])
})

t.test('boolean flag forms', async t => {
  const load = (argv: string[], env: NodeJS.ProcessEnv = {}): boolean =>
    loadConfig([...argv, '--log-level', 'info'], env,
      { hostname: 'a', readFile: files({ '/etc/loom/loomd.conf': JSON.stringify(BASE) }) })
      .encryption.enabled
  t.equal(load(['--encryption']), true, 'alone')
  t.equal(load(['--encryption', 'off']), false, 'followed by a boolean word')
  t.equal(load(['--encryption=false']), false)
  t.equal(load(['--encryption=YES']), true)
  t.equal(load(['--no-encryption'], { LOOM_ENCRYPTION: 'true' }), false, '--no-encryption beats env')
  t.equal(load([], { LOOM_ENCRYPTION: '1' }), true)
  t.equal(errorOf(() => load(['--encryption=maybe'])).message,
    'invalid config: --encryption (encryption.enabled) = maybe: expected true or false')
})

t.test('errors from flags and variables name their origin', async t => {
  const readFile = files({ '/etc/loom/loomd.conf': JSON.stringify(BASE) })
  const load = (argv: string[], env: NodeJS.ProcessEnv = {}): AgentConfig => loadConfig(argv, env,
    { hostname: 'a', readFile })
  t.equal(errorOf(() => load(['--underlay-port', 'abc'])).message,
    'invalid config: --underlay-port (underlay.port) = abc: expected an integer port 1-65535')
  t.equal(errorOf(() => load(['--underlay-port=70000'])).message,
    'invalid config: --underlay-port (underlay.port) = 70000: expected an integer port 1-65535')
  t.equal(errorOf(() => load([], { LOOM_UNDERLAY_PORT: '12abc' })).message,
    'invalid config: LOOM_UNDERLAY_PORT (underlay.port) = 12abc: expected an integer port 1-65535')
  t.equal(errorOf(() => load([], { LOOM_MTU: '1400.0' })).message,
    'invalid config: LOOM_MTU (mtu) = 1400.0: expected an integer MTU 576-9000')
  t.equal(errorOf(() => load(['--seeds', '10.0.0.2,bad:port'])).message,
    'invalid config: --seeds (seeds[1]) = bad:port: expected "host:port" with an IPv4 address or host name and a port 1-65535, or an IPv4 address')
  t.equal(errorOf(() => load(['--mtu'])).message,
    'invalid config: --mtu (mtu) is missing: expected a value after --mtu')
  t.equal(errorOf(() => load(['--mtu', '--tun-name', 'x'])).message,
    'invalid config: --mtu (mtu) is missing: expected a value after --mtu')
  const unknown = errorOf(() => load(['--underlay-prot', '1']))
  t.equal(unknown.code, 'ERR_CONFIG')
  t.match(unknown.message,
    /^invalid config: unknown flag --underlay-prot: did you mean --underlay-port\? expected one of --config --node-name /)
  t.equal(errorOf(() => load(['stray'])).message,
    'invalid config: unexpected argument "stray": loomd takes only --flags (see --help)')
  t.equal(errorOf(() => load(['-v'])).message,
    'invalid config: unexpected argument "-v": loomd takes only --flags (see --help)')
  t.equal(errorOf(() => load(['--node-name', 'Bad_Name'])).message,
    'invalid config: --node-name (nodeName) = Bad_Name: expected a DNS-1123 name: lower-case letters, digits, \'-\' and \'.\', at most 253 characters (set nodeName or --node-name)')
  const fileErr = errorOf(() => loadConfig(['--underlay-port', '1'], {},
    { hostname: 'a', readFile: files({ '/etc/loom/loomd.conf': '{"underlay": 5, "clusterCIDR": "10.0.0.0/8"}' }) }))
  t.equal(fileErr.message, 'invalid config: underlay = 5: expected an object', 'a flag cannot hide a bad file value')
})

t.test('config file: default vs explicit, and syntax errors with positions', async t => {
  const noFiles = files({})
  const c = loadConfig(['--underlay-address', '10.0.0.5', '--cluster-cidr', '10.244.0.0/16'], {},
    { hostname: 'a', readFile: noFiles })
  t.equal(c.underlay.address, '10.0.0.5', 'a missing default file is an empty config')

  const missing = errorOf(() => loadConfig(['--config', '/etc/loom/other.conf'], {},
    { hostname: 'a', readFile: noFiles }))
  t.type(missing, ConfigFileError)
  t.equal(missing.code, 'ERR_CONFIG_FILE')
  t.equal(missing.message, 'config file /etc/loom/other.conf: no such file')
  t.equal((missing as ConfigFileError).problem, 'missing')
  t.equal(errorOf(() => loadConfig([], { LOOM_CONFIG: '/x.conf' }, { hostname: 'a', readFile: noFiles })).message,
    'config file /x.conf: no such file', 'LOOM_CONFIG is explicit too')

  const fromFlag = loadConfig(['--config=/f.json'], { LOOM_CONFIG: '/e.json' },
    { hostname: 'a', readFile: files({ '/f.json': JSON.stringify(BASE) }) })
  t.equal(fromFlag.clusterCIDR, '10.244.0.0/16', '--config beats LOOM_CONFIG')

  const eacces = errorOf(() => loadConfig([], {}, {
    hostname: 'a',
    readFile: () => { throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }) },
  }))
  t.equal(eacces.message, 'config file /etc/loom/loomd.conf: cannot read: EACCES: permission denied',
    'an unreadable default file is an error')

  const syntax = (text: string): ConfigFileError =>
    errorOf(() => loadConfig([], {},
      { hostname: 'a', readFile: files({ '/etc/loom/loomd.conf': text }) })) as ConfigFileError
  const trailing = syntax('{\n  "clusterCIDR": "10.0.0.0/8",\n}')
  t.equal(trailing.message, 'config file /etc/loom/loomd.conf: line 3, column 1: expected a "quoted" key, found "}"')
  t.same([trailing.line, trailing.column, trailing.problem], [3, 1, 'syntax'])
  t.equal(syntax('{"mtu": 1400,\n "mtu": 1500}').message,
    'config file /etc/loom/loomd.conf: line 2, column 2: duplicate key "mtu"')
  t.equal(syntax('{"a": tru}').message,
    'config file /etc/loom/loomd.conf: line 1, column 7: expected a value, found "t"')
  t.equal(syntax('{"a": "x').message, 'config file /etc/loom/loomd.conf: line 1, column 7: unterminated string')
  t.equal(syntax('{"a": 1} 2').message,
    'config file /etc/loom/loomd.conf: line 1, column 10: unexpected "2" after the end of the document')
  t.equal(syntax('nodeName: a\n').message,
    'config file /etc/loom/loomd.conf: line 1, column 1: expected a value, found "n" (the file must be JSON; YAML is not supported)')
  t.equal(errorOf(() => loadConfig([], {},
    { hostname: 'a', readFile: files({ '/etc/loom/loomd.conf': '[1]' }) })).message,
  'invalid config: (config root) = [1]: expected a JSON object at the top of /etc/loom/loomd.conf')
  const blank = loadConfig(['--underlay-address', '10.0.0.5', '--cluster-cidr', '10.244.0.0/16'], {},
    { hostname: 'a', readFile: files({ '/etc/loom/loomd.conf': ' \n' }) })
  t.equal(blank.nodeName, 'a', 'a blank file is an empty config')
})

t.test('parseJsonText agrees with JSON.parse on valid input', async t => {
  const docs = ['{}', '[]', '{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n\\"q"],"b":{"c":{}}}', '\ufeff {"a" : 0 }',
    '"s"', '0']
  for (const d of docs) t.same(parseJsonText(d), JSON.parse(d.replace(/^\ufeff/, '')), d)
  const proto = parseJsonText('{"__proto__": {"polluted": 1}}') as Record<string, unknown>
  t.equal(Object.getPrototypeOf(proto), Object.prototype, '__proto__ does not replace the prototype')
  t.same(Object.keys(proto), ['__proto__'])
  t.throws(() => parseJsonText('['.repeat(40) + ']'.repeat(40)), /nesting deeper than 32/)
  t.throws(() => parseJsonText('{"a": 01}'), /expected ',' or '}' after a value/)
  t.throws(() => parseJsonText('"\\x"'), /bad escape/)
})

t.test('--help and unknown LOOM_* variables', async t => {
  t.equal(isHelpRequested(['--mtu', '1', '-h']), true)
  t.equal(isHelpRequested(['--mtu', '1']), false)
  const help = errorOf(() => loadConfig(['--bogus', '--help'], {}, { hostname: 'a', readFile: files({}) }))
  t.type(help, HelpRequestedError, '--help wins over other mistakes')
  t.equal(help.code, 'ERR_HELP_REQUESTED')
  t.equal(help.message, configUsage())
  for (const flag of ['--config <file>', '--node-name', '--underlay-address', '--underlay-port', '--cluster-cidr',
    '--block-size', '--encapsulation', '--vxlan-port', '--vxlan-vni', '--encryption[=bool]', '--secret-file', '--seeds',
    '--state-dir', '--api-socket', '--metrics-address', '--mtu', '--tun-name', '--log-level', 'LOOM_UNDERLAY_PORT',
    'default 6784', 'default 127.0.0.1:9784']) {
    t.ok(configUsage().includes(flag), `usage mentions ${flag}`)
  }
  const warnings: string[] = []
  loadConfig([],
    { LOOM_UNDERLAY_ADDRESS: '10.0.0.1', LOOM_CLUSTER_CIDR: '10.0.0.0/8', LOOM_UNDERLAY_PROT: '1', PATH: '/bin' },
    { hostname: 'a', readFile: files({}), onWarning: (m) => warnings.push(m) })
  t.same(warnings, ['ignoring unknown environment variable LOOM_UNDERLAY_PROT'])
})

t.test('multicast: defaults per mode, values, refusals', async t => {
  t.same(parseConfig(BASE, OPTS).multicast, { enabled: true, mode: 'members' },
    'gossip mode: copies only to member nodes')
  t.same(parseConfig(withKeys({ peers: PEERS }), OPTS).multicast, { enabled: true, mode: 'flood' },
    'static mode: flood')
  t.same(parseConfig(withKeys({ multicast: { enabled: false } }), OPTS).multicast, { enabled: false, mode: 'members' })
  t.same(parseConfig(withKeys({ multicast: { mode: 'flood' } }), OPTS).multicast, { enabled: true, mode: 'flood' })
  const cases: Array<[unknown, string, RegExp]> = [
    [{ enabled: 'yes' }, 'multicast.enabled', /true or false/],
    [{ mode: 'broadcast' }, 'multicast.mode', /"members" or "flood"/],
    [{ mode: 1 }, 'multicast.mode', /"members" or "flood"/],
    [{ groups: 3 }, 'multicast.groups', /unknown key/],
    ['on', 'multicast', /object/],
  ]
  for (const [value, field, msg] of cases) {
    const e = errorOf(() => parseConfig(withKeys({ multicast: value }), OPTS))
    t.equal(e.field, field)
    t.match(e.message, msg)
  }
  const st = errorOf(() => parseConfig(withKeys({ peers: PEERS, multicast: { mode: 'members' } }), OPTS))
  t.equal(st.field, 'multicast.mode')
  t.match(st.message, /static mode/)
})

t.test('offloads: on by default, a switch to turn them off, refusals name the field', async t => {
  t.equal(offloadsEnabled(parseConfig(BASE, OPTS)), true, 'on by default')
  t.equal(parseConfig(BASE, OPTS).offloads, undefined, 'the default leaves the key out')
  t.same(parseConfig(withKeys({ offloads: { enabled: false } }), OPTS).offloads, { enabled: false })
  t.equal(offloadsEnabled(parseConfig(withKeys({ offloads: { enabled: false } }), OPTS)), false)
  t.equal(offloadsEnabled(parseConfig(withKeys({ offloads: { enabled: true } }), OPTS)), true)
  t.equal(offloadsEnabled(parseConfig(withKeys({ offloads: {} }), OPTS)), true, 'an empty object keeps the default')
  const cases: Array<[unknown, string, RegExp]> = [
    [{ enabled: 'no' }, 'offloads.enabled', /offloads\.enabled = "?no"?: expected true or false/],
    [{ enabled: 0 }, 'offloads.enabled', /true or false/],
    [{ enabled: null }, 'offloads.enabled', /true or false/],
    [{ enable: false }, 'offloads.enable', /unknown key offloads\.enable: did you mean offloads\.enabled\?/],
    [{ tso: false }, 'offloads.tso', /unknown key/],
    [false, 'offloads', /object/],
    [['enabled'], 'offloads', /object/],
  ]
  for (const [value, field, msg] of cases) {
    const e = errorOf(() => parseConfig(withKeys({ offloads: value }), OPTS))
    t.equal(e.field, field)
    t.match(e.message, msg)
  }
  const env = { LOOM_UNDERLAY_ADDRESS: '10.0.0.1', LOOM_CLUSTER_CIDR: '10.0.0.0/8' }
  t.same(loadConfig(['--no-offloads'], env, { hostname: 'a', readFile: files({}) }).offloads, { enabled: false },
    '--no-offloads')
  t.same(loadConfig([], { ...env, LOOM_OFFLOADS: 'false' }, { hostname: 'a', readFile: files({}) }).offloads,
    { enabled: false }, 'LOOM_OFFLOADS=false')
  const bad = errorOf(() => loadConfig([], { ...env, LOOM_OFFLOADS: 'maybe' }, { hostname: 'a', readFile: files({}) }))
  t.equal(bad.field, 'offloads.enabled')
  t.match(bad.message, /LOOM_OFFLOADS/, 'the error names the variable it came from')
})

t.test('policy: source, dir, kubeconfig', async t => {
  t.equal(parseConfig(BASE, OPTS).policy, undefined, 'none by default: no policy key, nothing enforced')
  t.same(parseConfig(withKeys({ policy: { source: 'files', dir: '/etc/loom/policy' } }), OPTS).policy,
    { source: 'files', dir: '/etc/loom/policy', kubeconfig: '' })
  t.same(parseConfig(withKeys({ policy: { source: 'kubernetes' } }), OPTS).policy,
    { source: 'kubernetes', dir: '', kubeconfig: '' }, 'kubernetes without kubeconfig = in-cluster')
  t.same(parseConfig(withKeys({ policy: { source: 'kubernetes', kubeconfig: '/etc/loom/kubeconfig' } }),
    OPTS).policy?.kubeconfig, '/etc/loom/kubeconfig')
  const bad: Array<[unknown, string]> = [
    [{ source: 'calico' }, 'policy.source'],
    [{ source: 'files' }, 'policy.dir'],
    [{ source: 'files', dir: 'relative' }, 'policy.dir'],
    [{ source: 'kubernetes', dir: '/d' }, 'policy.dir'],
    [{ source: 'files', dir: '/d', kubeconfig: '/k' }, 'policy.kubeconfig'],
    [{ source: 'kubernetes', kubeconfig: 7 }, 'policy.kubeconfig'],
    [{ sourc: 'files' }, 'policy.sourc'],
    ['files', 'policy'],
  ]
  for (const [value, field] of bad) {
    const err = errorOf(() => parseConfig(withKeys({ policy: value }), OPTS))
    t.equal(err.field, field, err.message)
  }
  const flags = loadConfig(['--underlay-address', '10.0.0.1', '--cluster-cidr', '10.244.0.0/16', '--policy-source',
    'files', '--policy-dir', '/p'], {}, { hostname: 'h', readFile: files({}) })
  t.same(flags.policy, { source: 'files', dir: '/p', kubeconfig: '' })
  const env = loadConfig([],
    {
      LOOM_UNDERLAY_ADDRESS: '10.0.0.1',
      LOOM_CLUSTER_CIDR: '10.244.0.0/16',
      LOOM_POLICY_SOURCE: 'kubernetes',
      LOOM_KUBECONFIG: '/k'
    }, { hostname: 'h', readFile: files({}) })
  t.same(env.policy, { source: 'kubernetes', dir: '', kubeconfig: '/k' })
})
