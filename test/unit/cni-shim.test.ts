/**
 * The loom-cni shim (cni/shim/loom-cni.c, built to dist/cni/loom-cni) against fake agents on
 * temp unix sockets that answer raw bytes: it forwards env and stdin in one request, prints the
 * agent's body with the agent's exit status, and never hangs or crashes — agent absent (11, or
 * 50 for STATUS), agent stalled (11 at its timeout), huge stdin (7, nothing sent), malformed
 * or truncated answers (101). VERSION is the shim's own, and must say what the agent says.
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, Server, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CniCommands, CniAddresses, PodWiring } from '../../cni/commands'

const SHIM = join(__dirname, '..', '..', 'cni', 'loom-cni')

interface Run { code: number, stdout: string, stderr: string, ms: number }

function runShim (env: Record<string, string>, stdin: string | Buffer, timeoutMs = 30_000): Promise<Run> {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = execFile(SHIM, [],
      { env: { PATH: '/usr/bin:/bin', ...env }, timeout: timeoutMs, maxBuffer: 16 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err === null
          ? 0
          : typeof (err as {
            code?: unknown
          }).code === 'number'
            ? (err as { code: number }).code
            : -1
        resolve({ code, stdout, stderr, ms: Date.now() - started })
      })
    child.stdin?.on('error', () => {}) // the shim may stop reading a huge stdin
    child.stdin?.end(stdin)
  })
}

interface FakeAgent { socket: string, requests: string[] }

/** A fake agent: `answer` gets the raw request and writes whatever bytes it likes (or nothing). */
async function fakeAgent (t: { teardown: (fn: () => void) => void },
  answer: (req: string, sock: Socket) => void): Promise<FakeAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'loom-shim-unit-'))
  const socket = join(dir, 'agent.sock')
  const requests: string[] = []
  const open = new Set<Socket>()
  const server: Server = createServer((sock) => {
    open.add(sock)
    sock.on('close', () => open.delete(sock))
    let raw = Buffer.alloc(0)
    sock.on('data', (c: Buffer) => {
      raw = Buffer.concat([raw, c])
      const head = raw.indexOf('\r\n\r\n')
      if (head < 0) return
      const len = Number(/content-length: (\d+)/i.exec(raw.subarray(0, head).toString())?.[1] ?? 0)
      if (raw.length - head - 4 < len) return
      const text = raw.toString('utf8')
      requests.push(text)
      answer(text, sock)
    })
  })
  await new Promise<void>((resolve) => server.listen(socket, resolve))
  t.teardown(() => { for (const s of open) s.destroy(); server.close(); rmSync(dir, { recursive: true, force: true }) })
  return { socket, requests }
}

function http (sock: Socket, exit: string | undefined, body: string, extra = ''): void {
  const exitHeader = exit === undefined ? '' : `X-Loom-Cni-Exit: ${exit}\r\n`
  sock.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${exitHeader}Content-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`)
}

const conf = (socket: string, extra: Record<string,
  unknown> = {}) => JSON.stringify({ cniVersion: '1.0.0', name: 'loom', type: 'loom-cni', apiSocket: socket, ...extra })
const addEnv = {
  CNI_COMMAND: 'ADD',
  CNI_CONTAINERID: 'c1',
  CNI_IFNAME: 'eth0',
  CNI_NETNS: '/proc/self/ns/net',
  CNI_PATH: '/opt/cni/bin',
  CNI_ARGS: 'K8S_POD_NAME=web;K8S_POD_NAMESPACE=ns'
}

t.before(() => {
  if (!existsSync(SHIM)) throw new Error(`${SHIM} is missing: run npm run build:native (it builds the shim)`)
})

t.test('forwards env, stdin and CNI_NETNS in one request; prints the body with the agent\'s exit status', async (t) => {
  const result = '{"cniVersion":"1.0.0","ips":[{"address":"10.244.1.5/32"}]}\n'
  const agent = await fakeAgent(t, (_req, sock) => http(sock, '0', result))
  const stdin = conf('',
    { prevResult: { note: 'quote " backslash \\ tab \t newline \n ünïcode' } }).replace('"apiSocket":""',
      `"apiSocket":${JSON.stringify(agent.socket)}`)
  const r = await runShim({ ...addEnv, LOOM_UNRELATED: 'x' }, stdin)
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stdout, result, 'stdout is exactly the agent\'s body')
  t.equal(agent.requests.length, 1)
  const [head, body] = agent.requests[0]!.split('\r\n\r\n') as [string, string]
  t.match(head, /^POST \/v1\/cni HTTP\/1\.1\r\n/)
  const sent = JSON.parse(body) as { env: Record<string, string>, stdin: string, netns: { pid: number, fd: number } }
  t.same(sent.env, addEnv, 'every CNI_* variable, nothing else')
  t.equal(sent.stdin, stdin, 'stdin byte for byte')
  t.ok(Number.isInteger(sent.netns.pid) && Number.isInteger(sent.netns.fd), 'the open CNI_NETNS is passed as pid + fd')
})

t.test('exit status and output are the agent\'s, whatever they are', async (t) => {
  const err = '{"cniVersion":"1.0.0","code":7,"msg":"bad"}\n'
  const agent = await fakeAgent(t, (_req, sock) => http(sock, '1', err))
  const r = await runShim(addEnv, conf(agent.socket))
  t.equal(r.code, 1)
  t.equal(r.stdout, err)
  const seven = await fakeAgent(t, (_req, sock) => http(sock, '7', ''))
  t.equal((await runShim(addEnv, conf(seven.socket))).code, 7)
})

t.test('a missing CNI_NETNS is reported to the agent as the errno', async (t) => {
  const agent = await fakeAgent(t, (_req, sock) => http(sock, '0', ''))
  await runShim({ ...addEnv, CNI_NETNS: '/nonexistent/netns' }, conf(agent.socket))
  t.same(JSON.parse(agent.requests[0]!.split('\r\n\r\n')[1]!).netns, { error: 'ENOENT' })
})

t.test('agent absent: 11 once the connect deadline passes; STATUS: 50 at once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-shim-unit-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const missing = join(dir, 'none.sock')
  const r = await runShim(addEnv, conf(missing))
  t.equal(r.code, 1)
  t.match(JSON.parse(r.stdout), { cniVersion: '1.0.0', code: 11, msg: /cannot reach the loom agent/ })
  t.ok(r.ms >= 4000 && r.ms < 8000, `retried for the default 4.5 s connect window, then gave up (${r.ms} ms)`)
  const s = await runShim({ CNI_COMMAND: 'STATUS' }, conf(missing, { cniVersion: '1.1.0' }))
  t.match(JSON.parse(s.stdout), { cniVersion: '1.1.0', code: 50 })
  t.ok(s.ms < 2000, `STATUS tries once (${s.ms} ms)`)
})

t.test('agent stalls: 11 at the answer timeout, no hang', async (t) => {
  const agent = await fakeAgent(t, () => { /* accept, read, never answer */ })
  const r = await runShim({ ...addEnv, LOOM_CNI_TIMEOUT_MS: '1500' }, conf(agent.socket))
  t.match(JSON.parse(r.stdout), { code: 11, msg: /no answer from the loom agent .* within 1500 ms/ })
  t.ok(r.ms >= 1400 && r.ms < 5000, `${r.ms} ms`)
})

t.test('huge stdin: code 7 without reading it all, nothing sent, no crash', async (t) => {
  const agent = await fakeAgent(t, (_req, sock) => http(sock, '0', ''))
  const huge = Buffer.alloc(64 << 20, 0x20)
  huge.write(conf(agent.socket), 0)
  const r = await runShim(addEnv, huge)
  t.equal(r.code, 1)
  t.match(JSON.parse(r.stdout), { code: 7, msg: /larger than 1048576 bytes/ })
  t.equal(agent.requests.length, 0)
})

t.test('malformed, truncated or out-of-contract answers: 101; closed without a byte: 11', async (t) => {
  const cases: Array<[string, (sock: Socket) => void]> = [
    ['garbage', (s) => s.end('hello there\r\n\r\n')],
    ['no exit header', (s) => http(s, undefined, '{}')],
    ['exit status not a number', (s) => http(s, 'zero', '{}')],
    ['exit status out of range', (s) => http(s, '300', '{}')],
    ['HTTP 500', (s) => s.end('HTTP/1.1 500 Internal\r\nX-Loom-Cni-Exit: 0\r\nContent-Length: 2\r\n\r\n{}')],
    ['truncated body',
      (s) => s.end('HTTP/1.1 200 OK\r\nX-Loom-Cni-Exit: 0\r\nContent-Length: 100\r\n\r\n{"cniVersion"')],
    ['no content-length', (s) => s.end('HTTP/1.1 200 OK\r\nX-Loom-Cni-Exit: 0\r\n\r\n{}')],
  ]
  for (const [what, answer] of cases) {
    const agent = await fakeAgent(t, (_req, sock) => answer(sock))
    const r = await runShim(addEnv, conf(agent.socket))
    const out = JSON.parse(r.stdout) as { code: number, msg: string }
    t.equal(r.code, 1, what)
    t.ok(out.code >= 100, `${what}: code ${out.code} (${out.msg})`)
  }
  const busy = await fakeAgent(t, (_req, sock) => sock.end('HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n'))
  t.equal(JSON.parse((await runShim(addEnv, conf(busy.socket))).stdout).code, 11, '503 = try again')
  // An agent killed while it held the request closes the connection with nothing written: the
  // runtime should retry (11), not give up on a "broken contract" (it was 101).
  const killed = await fakeAgent(t, (_req, sock) => sock.end())
  t.match(JSON.parse((await runShim(addEnv, conf(killed.socket))).stdout),
    { code: 11, msg: /closed the connection without answering/ }, 'closed without a byte = try again')
})

t.test('hostile netconf for the apiSocket scan: deep nesting, odd strings, no JSON at all', async (t) => {
  const agent = await fakeAgent(t, (_req, sock) => http(sock, '0', 'ok'))
  const deep = `{"prevResult":${'['.repeat(500_000)}${']'.repeat(500_000)},"apiSocket":${JSON.stringify(agent.socket)}}`
  const r = await runShim(addEnv, deep)
  t.equal(r.code, 0, 'the socket after a deeply nested value is still found')
  t.equal(agent.requests.length, 1)
  for (const text of ['', 'not json', '{"apiSocket":', '{"apiSocket":"relative.sock"}', '{"apiSocket":"/a\\"b"}',
    '"\\']) {
    const x = await runShim({ ...addEnv, LOOM_CNI_CONNECT_MS: '200' }, text)
    t.match(JSON.parse(x.stdout), { code: 11, msg: /\/run\/loom\/loom\.sock/ },
      `${JSON.stringify(text)}: falls back to the default socket`)
  }
})

t.test('VERSION is answered by the shim itself, exactly as the agent would answer it', async (t) => {
  const agentSide = new CniCommands({ addresses: {} as CniAddresses, wiring: {} as PodWiring, log: () => {} },
    { gcGraceMs: 0 })
  for (const stdin of ['', '{"cniVersion":"0.4.0"}', '{"cniVersion":"1.0.0","name":"x"}', '{"cniVersion":"1.1.0"}',
    '{"cniVersion":"2.0.0"}', '{"cniVersion":"0.3.1"}']) {
    const shim = await runShim({ CNI_COMMAND: 'VERSION', LOOM_CNI_CONNECT_MS: '100' }, stdin)
    const agent = await agentSide.run({ CNI_COMMAND: 'VERSION' }, stdin)
    t.same({ code: shim.code, out: JSON.parse(shim.stdout) }, { code: agent.exitCode, out: JSON.parse(agent.stdout) },
      `VERSION with ${JSON.stringify(stdin)}`)
  }
  t.same(JSON.parse((await runShim({ CNI_COMMAND: 'VERSION' }, '{"name":"x"}')).stdout).code, 6,
    'no cniVersion: decode error')
})
