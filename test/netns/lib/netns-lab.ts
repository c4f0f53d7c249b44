/**
 * A throwaway lab of network namespaces for root tests, demos and benchmarks.
 *
 * Every namespace is named `loom-<tag>-<random>-<role>` so leftovers are easy to spot, has only
 * `lo` and the veths we give it (no route to the outside), and is deleted by `cleanup()`, which the
 * tests register with `t.teardown` so a failing test removes what it made too. Processes started
 * with `spawn` are stopped by PID (TERM, then KILL) before the namespaces go.
 *
 * The tap process itself never enters a namespace: commands run through `ip netns exec`.
 */
import { ChildProcess, execFile, spawn as spawnProcess } from 'node:child_process'
import { execExitCode } from '../../lib/exit-code'
import { randomBytes } from 'node:crypto'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ExecResult { stdout: string; stderr: string; code: number }

/** True when the process can create namespaces; tests skip with a clear reason otherwise. */
export function isRoot (): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0
}

export const SKIP_NOT_ROOT = 'needs root: creates network namespaces and TUN devices'

/** Runs a command, never throws; resolves with its output and exit code. */
export function run (cmd: string, args: string[],
  opts: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 32 << 20 },
      (err, stdout, stderr) => {
        const code = execExitCode(err)
        resolve({ stdout: String(stdout), stderr: String(stderr), code })
      })
    if (opts.input !== undefined) child.stdin?.end(opts.input)
  })
}

export class NetnsLab {
  readonly id: string
  readonly workDir: string
  private readonly namespaces: string[] = []
  private readonly children: ChildProcess[] = []
  private cleaned = false

  constructor (readonly tag: string) {
    this.id = randomBytes(3).toString('hex')
    this.workDir = mkdtempSync(join(tmpdir(), `loom-${tag}-`))
  }

  /** The full namespace name for a role in this lab. */
  ns (role: string): string {
    return `loom-${this.tag}-${this.id}-${role}`
  }

  /** Creates a namespace with `lo` up. Returns its full name. */
  async addNamespace (role: string): Promise<string> {
    const name = this.ns(role)
    await this.must('ip', ['netns', 'add', name])
    this.namespaces.push(name)
    await this.must('ip', ['-n', name, 'link', 'set', 'lo', 'up'])
    return name
  }

  /**
   * Joins two namespaces with a veth pair, each end addressed (CIDR) and up. An address may be
   * omitted (''), e.g. for an end that goes into a bridge.
   */
  async addVeth (nsA: string, ifA: string, cidrA: string, nsB: string, ifB: string, cidrB: string,
    mtu = 1500): Promise<void> {
    const tmp = `lv${randomBytes(4).toString('hex')}`
    await this.must('ip',
      ['-n', nsA, 'link', 'add', ifA, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', tmp, 'mtu', String(mtu)])
    await this.must('ip', ['-n', nsA, 'link', 'set', tmp, 'netns', nsB])
    await this.must('ip', ['-n', nsB, 'link', 'set', tmp, 'name', ifB])
    if (cidrA !== '') await this.must('ip', ['-n', nsA, 'addr', 'add', cidrA, 'dev', ifA])
    if (cidrB !== '') await this.must('ip', ['-n', nsB, 'addr', 'add', cidrB, 'dev', ifB])
    await this.must('ip', ['-n', nsA, 'link', 'set', ifA, 'up'])
    await this.must('ip', ['-n', nsB, 'link', 'set', ifB, 'up'])
  }

  /** Runs a command inside a namespace; never throws. */
  exec (ns: string, args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
    return run('ip', ['netns', 'exec', ns, ...args], opts)
  }

  /** Like exec, but rejects with the command's stderr when it fails. */
  async execOk (ns: string, args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<string> {
    const r = await this.exec(ns, args, opts)
    if (r.code !== 0) throw new Error(`in ${ns}: ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`)
    return r.stdout
  }

  /** Runs a host-side command (ip -n ..., sysctl -w inside ns via exec, ...) and rejects on failure. */
  async must (cmd: string, args: string[]): Promise<string> {
    const r = await run(cmd, args)
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`)
    return r.stdout
  }

  /**
   * Starts a long-running process inside a namespace, its output appended to `logName` in the
   * work directory. The lab stops it at cleanup if it is still running.
   */
  spawn (ns: string, args: string[], logName: string, env: NodeJS.ProcessEnv = process.env,
    stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
    const log = createWriteStream(join(this.workDir, logName), { flags: 'a' })
    const child = spawnProcess('ip', ['netns', 'exec', ns, ...args], { stdio: [stdin, 'pipe', 'pipe'], env })
    child.stdout?.pipe(log)
    child.stderr?.pipe(log)
    this.children.push(child)
    return child
  }

  /**
   * Waits until something in `ns` listens on TCP `port`. A fixed sleep after spawning a server
   * raced Node's start-up on a loaded machine (CI saw ECONNREFUSED 17 ms into a client).
   */
  async waitTcpListening (ns: string, port: number, timeoutMs = 15_000): Promise<void> {
    await waitFor(`a TCP listener on port ${port} in ${ns}`, async () =>
      (await this.exec(ns, ['ss', '-Hltn', `sport = :${port}`])).stdout.trim() !== '', timeoutMs, 50)
  }

  /** Path of a file in the lab's work directory. */
  file (name: string): string {
    return join(this.workDir, name)
  }

  /** Stops one child by PID: TERM, then KILL after `graceMs`. Resolves when it has exited. */
  async stop (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
    await stopProcess(child, signal, graceMs)
  }

  /** Stops every child and deletes every namespace and the work directory. Safe to call twice. */
  async cleanup (opts: { keepWorkDir?: boolean } = {}): Promise<void> {
    if (this.cleaned) return
    this.cleaned = true
    await Promise.all(this.children.map((c) => this.stop(c, 'SIGTERM', 2000)))
    for (const name of this.namespaces.reverse()) {
      await run('ip', ['netns', 'del', name])
    }
    if (opts.keepWorkDir !== true && process.env.LOOM_KEEP_WORK === undefined) {
      rmSync(this.workDir, { recursive: true, force: true })
    }
  }
}

/** Stops a child we started, by PID: `signal`, then SIGKILL after `graceMs`; resolves once it exited. */
export async function stopProcess (child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill(signal)
  const timer = setTimeout(() => { child.kill('SIGKILL') }, graceMs)
  await exited
  clearTimeout(timer)
}

/** Waits until `probe` resolves true, polling every `intervalMs`, or rejects after `timeoutMs`. */
export async function waitFor (what: string, probe: () => Promise<boolean>, timeoutMs = 10_000,
  intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await probe()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** Runs fn(0..n-1) with at most `parallel` in flight; the results in index order. */
export async function pool<T> (n: number, parallel: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n)
  let next = 0
  await Promise.all(Array.from({ length: parallel }, async () => {
    for (let i = next++; i < n; i = next++) out[i] = await fn(i)
  }))
  return out
}
