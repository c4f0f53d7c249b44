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
import type { NftCommands, NftJson } from './types'

const TIMEOUT_MS = 20_000
const MAX_OUTPUT = 64 << 20

export interface SystemNftInit {
  nftPath?: string
  /** Arguments before nft's own: with nftPath 'ip', ['netns', 'exec', <ns>, 'nft'] (the benchmark). */
  nftArgsPrefix?: readonly string[]
  conntrackPath?: string
}

export class SystemNftCommands implements NftCommands {
  private readonly nft: string
  private readonly nftPrefix: readonly string[]
  private readonly conntrack: string

  constructor (init: SystemNftInit = {}) {
    this.nft = init.nftPath ?? 'nft'
    this.nftPrefix = init.nftArgsPrefix ?? []
    this.conntrack = init.conntrackPath ?? 'conntrack'
  }

  async apply (script: string): Promise<void> {
    const r = await runTool(this.nft, [...this.nftPrefix, '-f', '-'], script)
    if (r.code !== 0) throw new NftError(`nft -f - failed (exit ${r.code}): ${firstLines(r.stderr)}`)
  }

  async listTable (opts: { terse?: boolean } = {}): Promise<NftJson | null> {
    if (opts.terse !== true) return await this.list(['list', 'table', ...TABLE.split(' ')])
    // nft 1.0.6 fetches every set's elements for `-t list table` even though it prints none
    // (1.3 s at 367 000 elements), but not for `-t list ruleset` (60-150 ms): list the ruleset
    // and keep our table's items.
    const all = await this.list(['-t', 'list', 'ruleset'])
    const [family, name] = TABLE.split(' ')
    const items = (all?.nftables ?? []).filter((item) => {
      const [kind, v] = Object.entries(item)[0] ?? []
      const o = v as { family?: string; table?: string; name?: string } | undefined
      return o?.family === family && (kind === 'table' ? o.name === name : o.table === name)
    })
    return items.some((i) => 'table' in i) ? { nftables: items } : null
  }

  async listSets (sets: ReadonlyArray<{ name: string; kind: 'set' | 'map' }>): Promise<NftJson[]> {
    if (sets.length === 0) return []
    const script = sets.map((s) => `list ${s.kind} ${TABLE} ${s.name}\n`).join('')
    const r = await runTool(this.nft, [...this.nftPrefix, '-j', '-i'], script)
    if (r.code !== 0) throw new NftError(`nft -j -i (list sets) failed (exit ${r.code}): ${firstLines(r.stderr)}`)
    try {
      return r.stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as NftJson)
    } catch (err) {
      throw new NftError('nft -j -i printed something that is not JSON', { cause: err })
    }
  }

  private async list (args: string[]): Promise<NftJson | null> {
    const r = await runTool(this.nft, [...this.nftPrefix, '-j', ...args])
    if (r.code !== 0) {
      if (/No such file or directory|does not exist/i.test(r.stderr)) return null
      throw new NftError(`nft -j ${args.join(' ')} failed (exit ${r.code}): ${firstLines(r.stderr)}`)
    }
    try {
      return JSON.parse(r.stdout) as NftJson
    } catch (err) {
      throw new NftError(`nft -j ${args.join(' ')} printed something that is not JSON`, { cause: err })
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
