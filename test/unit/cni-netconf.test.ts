import t from 'tap'
import { CniError } from '../../cni/errors'
import { parseCniArgs, parseEnv, parseNetConf } from '../../cni/netconf'

function codeOf (fn: () => unknown): { code: number, msg: string } {
  try { fn() } catch (err) { if (err instanceof CniError) return { code: err.cniCode, msg: err.message }; throw err }
  return { code: 0, msg: '' }
}
const base = { cniVersion: '1.1.0', name: 'loom', type: 'loom-cni' }
const conf = (extra: Record<string, unknown> = {},
  cmd: 'ADD' | 'GC' | 'STATUS' | 'DEL' = 'ADD') => parseNetConf(JSON.stringify({ ...base, ...extra }), cmd)

t.test('env: valid ADD with Kubernetes CNI_ARGS', async (t) => {
  const e = parseEnv({
    CNI_COMMAND: 'ADD',
    CNI_CONTAINERID: 'abc-1.2_3',
    CNI_NETNS: '/var/run/netns/x',
    CNI_IFNAME: 'eth0',
    CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=web;FOO=bar',
    CNI_PATH: '/opt/cni/bin::/usr/lib/cni'
  })
  t.same({ ...e }, {
    command: 'ADD',
    containerID: 'abc-1.2_3',
    netns: '/var/run/netns/x',
    ifname: 'eth0',
    args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'ns', K8S_POD_NAME: 'web', FOO: 'bar' },
    path: ['/opt/cni/bin', '/usr/lib/cni'],
    podName: 'web',
    podNamespace: 'ns'
  })
  t.ok(Object.isFrozen(e))
  t.equal(parseEnv({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'a', CNI_IFNAME: 'eth0' }).netns, '', 'DEL without netns')
  t.equal(parseEnv({ CNI_COMMAND: 'VERSION' }).command, 'VERSION')
})

t.test('env errors: code 4 naming the variables, 2 for CNI_ARGS', async (t) => {
  t.same(codeOf(() => parseEnv({})),
    { code: 4, msg: 'CNI_COMMAND "" is not one of ADD, DEL, CHECK, STATUS, GC, VERSION' })
  t.same(codeOf(() => parseEnv({ CNI_COMMAND: 'ADD' })),
    { code: 4, msg: 'required environment variables missing: CNI_CONTAINERID, CNI_IFNAME, CNI_NETNS' })
  t.same(codeOf(() => parseEnv({ CNI_COMMAND: 'CHECK', CNI_CONTAINERID: 'a', CNI_IFNAME: 'e' })).msg,
    'required environment variables missing: CNI_NETNS')
  t.same(codeOf(() => parseEnv({ CNI_COMMAND: 'GC' })),
    { code: 4, msg: 'required environment variables missing: CNI_PATH' })
  t.match(codeOf(() => parseEnv({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: '-bad', CNI_IFNAME: 'eth0', CNI_NETNS: '/n' })),
    { code: 4, msg: /^CNI_CONTAINERID "-bad" is invalid/ })
  t.match(codeOf(() => parseEnv({
    CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'a', CNI_IFNAME: 'way-too-long-name0', CNI_NETNS: '/n'
  })), { code: 4, msg: /^CNI_IFNAME "way-too-long-name0"/ })
  t.match(codeOf(() => parseEnv({
    CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'a', CNI_IFNAME: 'eth0', CNI_NETNS: 'rel/path'
  })), { code: 4, msg: /^CNI_NETNS "rel\/path" is not an absolute path/ })
  t.same(codeOf(() => parseCniArgs('FOO=bar')),
    { code: 2, msg: 'CNI_ARGS key FOO=bar is not supported (set IgnoreUnknown=1 to ignore it)' })
  t.same(codeOf(() => parseCniArgs('IP=10.0.0.1')),
    { code: 2, msg: 'CNI_ARGS IP=10.0.0.1 is not supported: loom assigns pod addresses itself' })
  t.same(codeOf(() => parseCniArgs('novalue')), { code: 4, msg: 'CNI_ARGS entry "novalue" is not KEY=VALUE' })
})

t.test('netconf: defaults and fields', async (t) => {
  const c = conf({
    mtu: 1400,
    dns: { nameservers: ['10.96.0.10'], search: ['svc'] },
    runtimeConfig: { portMappings: [] },
    'cni.dev/valid-attachments': []
  })
  t.equal(c.apiSocket, '/run/loom/loom.sock')
  t.equal(c.mtu, 1400)
  t.same(c.dns, { nameservers: ['10.96.0.10'], search: ['svc'] })
  t.same(c.runtimeConfig, { portMappings: [] })
  t.equal(c.validAttachments, undefined, 'only GC reads the valid list')
  t.same(conf({ 'cni.dev/attachments': [{ containerID: 'a', ifname: 'eth0' }] }, 'GC').validAttachments,
    [{ containerID: 'a', ifname: 'eth0' }], 'old key')
  t.same(conf({ 'cni.dev/valid-attachments': [{ containerID: 'b', ifname: 'eth0' }], 'cni.dev/attachments': [] },
    'GC').validAttachments, [{ containerID: 'b', ifname: 'eth0' }], 'new key wins')
  t.equal(conf({
    ipam: { type: 'loom' }, ipMasq: false, prevResult: { interfaces: [], ips: [] }
  }).prevResult !== undefined, true)
})

t.test('netconf errors with their codes', async (t) => {
  const p = (text: string, cmd: 'ADD' | 'GC' | 'STATUS' = 'ADD') => codeOf(() => parseNetConf(text, cmd))
  t.same(p(''), { code: 6, msg: 'failed to decode the network configuration: stdin is empty' })
  t.equal(p('{not json').code, 6)
  t.same(p('[1]'), { code: 6, msg: 'failed to decode the network configuration: expected a JSON object, got an array' })
  t.same(p(JSON.stringify({ ...base, cniVersion: 'one' })),
    { code: 6, msg: 'cniVersion "one" is not a version string (expected e.g. "1.1.0")' })
  t.same(p(JSON.stringify({ ...base, cniVersion: '0.3.1' })),
    { code: 1, msg: 'cniVersion 0.3.1 is not supported; supported versions: 0.4.0, 1.0.0, 1.1.0' })
  t.same(p(JSON.stringify({ ...base, cniVersion: '1.0.0' }), 'GC'),
    { code: 1, msg: 'GC needs cniVersion 1.1.0, the request has 1.0.0' })
  t.same(p(JSON.stringify({ ...base, mtU: 1400 })),
    { code: 2, msg: 'network config key "mtU" (value 1400) is not supported by loom-cni' })
  t.same(p(JSON.stringify({ ...base, ipam: { type: 'host-local' } })).code, 2)
  t.same(p(JSON.stringify({ ...base, ipMasq: true })).code, 2)
  t.same(p(JSON.stringify({ ...base, dns: { bogus: 1 } })).code, 2)
  t.same(p(JSON.stringify({ ...base, mtu: 100 })),
    { code: 7, msg: 'network config "mtu" 100 is invalid: expected an integer 576..9000' })
  t.same(p(JSON.stringify({ ...base, mtu: '1400' })).code, 7)
  t.same(p(JSON.stringify({ ...base, name: '-x' })).code, 7)
  t.same(p(JSON.stringify({ ...base, type: 5 })).code, 7)
  t.same(p(JSON.stringify({ ...base, apiSocket: 'rel.sock' })),
    { code: 7, msg: 'network config "apiSocket" "rel.sock" is invalid: expected an absolute path' })
  t.same(p(JSON.stringify({ ...base, dns: { nameservers: 'x' } })).code, 7)
  t.same(p(JSON.stringify({ ...base, runtimeConfig: [] })).code, 7)
  t.same(p(JSON.stringify({ ...base, prevResult: { ips: {} } })).code, 7)
  t.same(p(JSON.stringify({ ...base, 'cni.dev/valid-attachments': [{ containerID: 'a' }] }), 'GC').code, 7)
})
