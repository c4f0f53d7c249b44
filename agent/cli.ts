#!/usr/bin/env node
/**
 * `loom`, the operator CLI. Talks to the local daemon's API over its unix socket.
 *
 *   loom [--socket <path>] status [peers|ipam|routes|multicast|policy] [--json]
 *   loom [--socket <path>] rmpeer <nodeName>
 *
 * Human output is aligned like `weave status`; `--json` prints the API's document unchanged so
 * scripts never parse the human form. Exit codes: 0 ok, 1 the daemon reported an error or is
 * unreachable, 2 bad usage.
 */
import { request } from 'node:http'
import { DEFAULT_API_SOCKET } from './defaults'
import { formatNodeStatus, formatPeers, formatIpam, formatMulticast, formatRoutes } from './cli-format'
import { formatPolicy } from './cli-format-policy'
import type { PolicyStatus } from '../policy'
import type { StatusDocument } from './types'

const USAGE = `usage: loom [--socket <path>] status [peers|ipam|routes|multicast|policy] [--json]
       loom [--socket <path>] rmpeer <nodeName>

  --socket <path>  the daemon's API socket (default ${DEFAULT_API_SOCKET}, or $LOOM_API_SOCKET)
  --json           print the daemon's JSON document instead of the human form`

class UsageError extends Error {}

interface CliArgs { socket: string; json: boolean; words: string[] }

function parseArgs (argv: string[]): CliArgs {
  const out: CliArgs = { socket: process.env.LOOM_API_SOCKET ?? DEFAULT_API_SOCKET, json: false, words: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--json') out.json = true
    else if (a === '--socket') {
      const v = argv[++i]
      if (v === undefined) throw new UsageError('--socket needs a path')
      out.socket = v
    } else if (a.startsWith('--socket=')) out.socket = a.slice('--socket='.length)
    else if (a === '-h' || a === '--help') out.words.push('help')
    else if (a.startsWith('-')) throw new UsageError(`unknown flag ${a}`)
    else out.words.push(a)
  }
  return out
}

/** Calls the API socket; resolves the parsed JSON or rejects with a readable message. */
function apiCall (socketPath: string, method: string, path: string, body?: unknown,
  timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        let body: unknown
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
        } catch {
          return reject(new Error(`the daemon at ${socketPath} sent a response that is not JSON`))
        }
        if ((res.statusCode ?? 500) >= 400) {
          const e = (body as { error?: { message?: string } }).error
          return reject(new Error(`the daemon refused ${path}: ${e?.message ?? res.statusCode}`))
        }
        resolve(body)
      })
    })
    req.on('timeout',
      () => { req.destroy(new Error(`no answer from the daemon at ${socketPath} within ${timeoutMs} ms`)) })
    req.on('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? ' (is loomd running?)' : ''
      reject(new Error(`cannot reach the daemon at ${socketPath}: ${err.code ?? err.message}${hint}`))
    })
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

async function main (argv: string[]): Promise<number> {
  let args: CliArgs
  try {
    args = parseArgs(argv)
  } catch (err) {
    process.stderr.write(`loom: ${(err as Error).message}\n${USAGE}\n`)
    return 2
  }
  const [command, sub, ...rest] = args.words
  if (command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return command === undefined ? 2 : 0
  }
  if (command === 'status') {
    if (rest.length > 0 || (sub !== undefined && !['peers', 'ipam', 'routes', 'multicast', 'policy'].includes(sub))) {
      process.stderr.write(`loom: unknown status view ${[sub, ...rest].join(' ')}\n${USAGE}\n`)
      return 2
    }
    if (sub === 'policy') {
      const policy = await apiCall(args.socket, 'GET', '/v1/policy') as PolicyStatus
      process.stdout.write(args.json ? `${JSON.stringify(policy, null, 2)}\n` : formatPolicy(policy))
      return 0
    }
    const doc = await apiCall(args.socket, 'GET', '/v1/status') as StatusDocument
    if (args.json) {
      const view = sub === undefined
        ? doc.node
        : sub === 'peers'
          ? doc.peers
          : sub === 'ipam'
            ? doc.ipam
            : sub === 'multicast' ? doc.multicast ?? { enabled: false } : doc.routes
      process.stdout.write(`${JSON.stringify(view, null, 2)}\n`)
      return 0
    }
    const text = sub === undefined
      ? formatNodeStatus(doc)
      : sub === 'peers' ? formatPeers(doc) : sub === 'ipam' ? formatIpam(doc) : sub === 'multicast' ? formatMulticast(doc) : formatRoutes(doc)
    process.stdout.write(text)
    return 0
  }
  if (command === 'rmpeer') {
    if (sub === undefined || rest.length > 0) {
      process.stderr.write(`loom: rmpeer takes exactly one node name\n${USAGE}\n`)
      return 2
    }
    const r = await apiCall(args.socket, 'POST', '/v1/rmpeer', { nodeName: sub }) as { nodeName: string }
    process.stdout.write(args.json ? `${JSON.stringify(r)}\n` : `reclaiming the blocks of ${r.nodeName}: they move to a live node after the forced wait (loom status ipam shows progress)\n`)
    return 0
  }
  process.stderr.write(`loom: unknown command ${command}\n${USAGE}\n`)
  return 2
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: Error) => {
  process.stderr.write(`loom: ${err.message}\n`)
  process.exitCode = 1
})
