/**
 * The kernel edge: Debian's `nft` and `conntrack` binaries, spawned (no shell). Kubernetes'
 * own nftables code (kubernetes-sigs/knftables) drives the `nft` binary the same way; no npm
 * package binds libnftables for Node 20.
 *
 * One `nft -f -` per transaction: the kernel applies all of it or none. Every call is bounded
 * in time and output; a failure rejects with NftError carrying nft's first error lines.
 */
import { spawn } from 'node:child_process'
import type { ConntrackFilter } from './conntrack-plan'
import { NftError } from './errors'
import { TABLE } from './nft-render'

export interface NftCommands {
  /** Runs one nft script as one transaction. */
  apply(script: string): Promise<void>
  /** `nft -j list table inet loom`, parsed; null when the table does not exist. */
  listTable(): Promise<NftJson | null>
  /** Deletes the conntrack entries matching the filter (none matching is not an error). */
  deleteConntrack(filter: ConntrackFilter): Promise<void>
}

/** The part of libnftables' JSON schema we read (`nft -j list`). */
export interface NftJson { nftables: Array<Record<string, unknown>> }

const TIMEOUT_MS = 20_000
const MAX_OUTPUT = 64 << 20

export interface SystemNftInit {
  nftPath?: string
  conntrackPath?: string
}

export class SystemNftCommands implements NftCommands {
  private readonly nft: string
  private readonly conntrack: string

  constructor (init: SystemNftInit = {}) {
    this.nft = init.nftPath ?? 'nft'
    this.conntrack = init.conntrackPath ?? 'conntrack'
  }

  async apply (script: string): Promise<void> {
    const r = await runTool(this.nft, ['-f', '-'], script)
    if (r.code !== 0) throw new NftError(`nft -f - failed (exit ${r.code}): ${firstLines(r.stderr)}`)
  }

  async listTable (): Promise<NftJson | null> {
    const r = await runTool(this.nft, ['-j', 'list', 'table', ...TABLE.split(' ')])
    if (r.code !== 0) {
      if (/No such file or directory|does not exist/i.test(r.stderr)) return null
      throw new NftError(`nft -j list table ${TABLE} failed (exit ${r.code}): ${firstLines(r.stderr)}`)
    }
    try {
      return JSON.parse(r.stdout) as NftJson
    } catch (err) {
      throw new NftError('nft -j list printed something that is not JSON', { cause: err })
    }
  }

  async deleteConntrack (filter: ConntrackFilter): Promise<void> {
    const args = ['-D', '-f', 'ipv4']
    if (filter.src !== undefined) args.push('-s', filter.src)
    if (filter.dst !== undefined) args.push('-d', filter.dst)
    const r = await runTool(this.conntrack, args)
    // conntrack exits 1 with "0 flow entries have been deleted" when nothing matched.
    if (r.code !== 0 && !/0 flow entries/.test(r.stderr)) {
      throw new NftError(`conntrack ${args.join(' ')} failed (exit ${r.code}): ${firstLines(r.stderr)}`)
    }
  }
}

function firstLines (text: string): string {
  return text.trim().split('\n').slice(0, 6).join(' | ').slice(0, 2000)
}

export function runTool (cmd: string, args: string[], stdin?: string): Promise<{
  code: number; stdout: string; stderr: string
}> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let size = 0
    const timer = setTimeout(() => { child.kill('SIGKILL') }, TIMEOUT_MS)
    const collect = (into: Buffer[]) => (c: Buffer): void => {
      size += c.length
      if (size > MAX_OUTPUT) child.kill('SIGKILL')
      else into.push(c)
    }
    child.stdout.on('data', collect(out))
    child.stderr.on('data', collect(err))
    child.on('error',
      (e) => { clearTimeout(timer); reject(new NftError(`cannot run ${cmd}: ${e.message}`, { cause: e })) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        code: code ?? (signal !== null ? 128 : 1),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString()
      })
    })
    child.stdin.on('error', () => undefined)
    child.stdin.end(stdin ?? '')
  })
}
