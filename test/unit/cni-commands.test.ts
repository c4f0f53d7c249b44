/**
 * The plugin's commands against a fake agent on a temp unix socket, with the namespace work
 * stubbed: the agent protocol, rollback on a failed ADD, DEL order, GC, STATUS codes, and the
 * "never hang" rule (unreachable agent → 11 within the deadline).
 */
import t from 'tap'
import { createServer, Server } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AgentClient } from '../../cni/agent-client'
import { runCommand, CommandDeps } from '../../cni/commands'
import { WiringError } from '../../cni/errors'
import { hostVethName } from '../../cni/veth-name'

type Handler = (method: string, path: string, body: any) => [number, unknown]

async function fakeAgent (t: any, handler: Handler): Promise<{ socket: string, calls: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'loom-cni-unit-'))
  const socket = join(dir, 'agent.sock')
  const calls: string[] = []
  const server: Server = createServer((req, res) => {
    let text = ''
    req.on('data', (c) => { text += String(c) })
    req.on('end', () => {
      calls.push(`${req.method} ${req.url}`)
      const [status, body] = handler(req.method ?? '', req.url ?? '', text === '' ? null : JSON.parse(text))
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    })
  })
  await new Promise<void>((resolve) => server.listen(socket, resolve))
  t.teardown(() => { server.close(); rmSync(dir, { recursive: true, force: true }) })
  return { socket, calls }
}

function deps (log: string[], over: Partial<CommandDeps['wiring']> = {}): CommandDeps {
  return {
    wiring: {
      openNetnsFd: () => 42,
      wirePod: async (s) => { log.push(`wire ${s.hostVeth} ${s.address} mtu ${s.mtu}`); return { hostMAC: '02:00:00:00:00:01', podMAC: '02:00:00:00:00:02' } },
      deleteHostVeth: async (n) => { log.push(`delveth ${n}`) },
      checkPod: async () => { log.push('check') },
      listHostVeths: async () => ['lxc00000000000', hostVethName('keep', 'eth0')],
      ...over,
    },
    agent: (socketPath) => new AgentClient({ socketPath, deadlineMs: 600, retryDelayMs: 100 }),
    log: () => {},
    closeFd: () => {},
  }
}

const env = (command: string, extra: Record<string, string> = {}) => ({ CNI_COMMAND: command, CNI_CONTAINERID: 'c1', CNI_IFNAME: 'eth0', CNI_NETNS: '/var/run/netns/p', CNI_PATH: '/opt/cni/bin', ...extra })
const conf = (socket: string, extra: Record<string, unknown> = {}) => JSON.stringify({ cniVersion: '1.1.0', name: 'loom', type: 'loom-cni', apiSocket: socket, ...extra })
const veth = hostVethName('c1', 'eth0')
const attachment = { address: '10.244.1.5', gateway: '169.254.1.1', mtu: 1460, podCIDR: '10.244.1.0/24', hostVeth: veth }

t.test('ADD: asks the agent, wires, prints the result', async (t) => {
  const agent = await fakeAgent(t, (_m, _p, b) => {
    t.same(b, { containerID: 'c1', ifname: 'eth0', netns: '/var/run/netns/p', podName: 'web', podNamespace: 'ns' })
    return [200, attachment]
  })
  const log: string[] = []
  const out = await runCommand(env('ADD', { CNI_ARGS: 'K8S_POD_NAME=web;K8S_POD_NAMESPACE=ns' }), conf(agent.socket, { mtu: 1400 }), deps(log))
  t.equal(out.exitCode, 0)
  t.same(log, [`delveth ${veth}`, `wire ${veth} 10.244.1.5 mtu 1400`])
  t.same(JSON.parse(out.stdout).ips, [{ address: '10.244.1.5/32', gateway: '169.254.1.1', interface: 1 }])
  t.same(agent.calls, ['POST /v1/cni/add'])
})

t.test('ADD failure after allocation rolls back: veth deleted and address released', async (t) => {
  const agent = await fakeAgent(t, (_m, p) => p === '/v1/cni/add' ? [200, attachment] : [200, { released: true }])
  const log: string[] = []
  const out = await runCommand(env('ADD'), conf(agent.socket), deps(log, { wirePod: async () => { throw new WiringError('failed to create veth pair: EEXIST') } }))
  t.equal(out.exitCode, 1)
  t.same(JSON.parse(out.stdout), { cniVersion: '1.1.0', code: 100, msg: 'failed to create veth pair: EEXIST' })
  t.same(log, [`delveth ${veth}`, `delveth ${veth}`])
  t.same(agent.calls, ['POST /v1/cni/add', 'POST /v1/cni/del'])
})

t.test('agent answers map to CNI codes: 503 → 11, 400 → 7, garbage → 101', async (t) => {
  const a503 = await fakeAgent(t, () => [503, { error: { code: 'ERR_NO_ADDRESS', message: 'pool exhausted' } }])
  const r = await runCommand(env('ADD'), conf(a503.socket), deps([]))
  t.equal(JSON.parse(r.stdout).code, 11)
  t.match(JSON.parse(r.stdout).msg, /agent not ready \(ERR_NO_ADDRESS\): pool exhausted/)
  t.ok(a503.calls.length >= 2, 'retried before giving up')
  const a400 = await fakeAgent(t, () => [400, { error: { code: 'ERR_BAD_REQUEST', message: 'bad id' } }])
  t.equal(JSON.parse((await runCommand(env('ADD'), conf(a400.socket), deps([]))).stdout).code, 7)
  const bad = await fakeAgent(t, () => [200, { nope: 1 }])
  t.equal(JSON.parse((await runCommand(env('ADD'), conf(bad.socket), deps([]))).stdout).code, 101)
})

t.test('unreachable agent: code 11 within the deadline, no hang', async (t) => {
  const started = Date.now()
  const out = await runCommand(env('DEL'), conf('/nonexistent/loom.sock'), deps([]))
  t.equal(JSON.parse(out.stdout).code, 11)
  t.ok(Date.now() - started < 3000)
})

t.test('DEL: veth first, then release; success when nothing is held', async (t) => {
  const agent = await fakeAgent(t, () => [200, { released: false }])
  const log: string[] = []
  const out = await runCommand(env('DEL', { CNI_NETNS: '' }), conf(agent.socket), deps(log))
  t.same(out, { stdout: '', exitCode: 0 })
  t.same(log, [`delveth ${veth}`])
  t.same(agent.calls, ['POST /v1/cni/del'])
})

t.test('CHECK compares prevResult with the agent record', async (t) => {
  const agent = await fakeAgent(t, () => [200, attachment])
  const prev = { cniVersion: '1.1.0', interfaces: [{ name: veth }, { name: 'eth0', sandbox: '/var/run/netns/p' }], ips: [{ address: '10.244.1.5/32', interface: 1 }] }
  t.same(await runCommand(env('CHECK'), conf(agent.socket, { prevResult: prev }), deps([])), { stdout: '', exitCode: 0 })
  prev.ips[0]!.address = '10.244.1.9/32'
  const bad = JSON.parse((await runCommand(env('CHECK'), conf(agent.socket, { prevResult: prev }), deps([]))).stdout)
  t.same(bad, { cniVersion: '1.1.0', code: 102, msg: 'the agent holds 10.244.1.5 for c1/eth0, prevResult says 10.244.1.9' })
  t.equal(JSON.parse((await runCommand(env('CHECK'), conf(agent.socket), deps([]))).stdout).code, 7, 'CHECK without prevResult')
})

t.test('GC: released veths and stray lxc veths are removed, valid ones kept', async (t) => {
  const agent = await fakeAgent(t, (_m, _p, b) => {
    t.same(b, { valid: [{ containerID: 'keep', ifname: 'eth0' }] })
    return [200, { released: [{ containerID: 'old', ifname: 'eth0', address: '10.244.1.7', hostVeth: hostVethName('old', 'eth0') }] }]
  })
  const log: string[] = []
  const out = await runCommand({ CNI_COMMAND: 'GC', CNI_PATH: '/x' }, conf(agent.socket, { 'cni.dev/valid-attachments': [{ containerID: 'keep', ifname: 'eth0' }] }), deps(log))
  t.same(out, { stdout: '', exitCode: 0 })
  t.same(log.sort(), [`delveth ${hostVethName('old', 'eth0')}`, 'delveth lxc00000000000'].sort())
})

t.test('STATUS: 0 ready, 50 unreachable or not ready, 51 data plane down', async (t) => {
  const ready = await fakeAgent(t, () => [200, { ready: true }])
  t.same(await runCommand({ CNI_COMMAND: 'STATUS' }, conf(ready.socket), deps([])), { stdout: '', exitCode: 0 })
  const down = await fakeAgent(t, () => [503, { ready: false, checks: { dataplane: false } }])
  t.equal(JSON.parse((await runCommand({ CNI_COMMAND: 'STATUS' }, conf(down.socket), deps([]))).stdout).code, 51)
  const ipam = await fakeAgent(t, () => [503, { ready: false, checks: { ipam: false } }])
  t.equal(JSON.parse((await runCommand({ CNI_COMMAND: 'STATUS' }, conf(ipam.socket), deps([]))).stdout).code, 50)
  t.equal(JSON.parse((await runCommand({ CNI_COMMAND: 'STATUS' }, conf('/nonexistent.sock'), deps([]))).stdout).code, 50)
})

t.test('VERSION never touches the agent; errors in the requested version', async (t) => {
  t.same(JSON.parse((await runCommand({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"0.4.0"}', deps([]))).stdout), { cniVersion: '0.4.0', supportedVersions: ['0.4.0', '1.0.0', '1.1.0'] })
  t.equal(JSON.parse((await runCommand({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"2.0.0"}', deps([]))).stdout).code, 1)
  t.same(JSON.parse((await runCommand({ CNI_COMMAND: 'ADD' }, conf('/x', { cniVersion: '1.0.0' }), deps([]))).stdout).cniVersion, '1.0.0')
  t.equal(JSON.parse((await runCommand(env('ADD'), new Error('EAGAIN'), deps([]))).stdout).code, 5)
})
