#!/usr/bin/env node
/**
 * loom-cni: the CNI plugin executable (bin `loom-cni` → dist/cni/main.js).
 *
 * Process I/O only: read stdin, run the command (./commands.ts), print the result or the error
 * object on stdout, log one JSON line to stderr, exit 0 or 1. The runtime runs us in the host
 * namespace with the CNI_* variables; see /work/shared/reference/cni-spec.md.
 */
import { closeSync, readFileSync } from 'node:fs'
import { AgentClient } from './agent-client'
import { runCommand } from './commands'
import * as wiring from './wiring'

function readStdin (): string | Error {
  try {
    return readFileSync(0, 'utf8')
  } catch (err) {
    // EAGAIN on a non-blocking or closed stdin, EISDIR, ...: spec code 5.
    return err as Error
  }
}

async function main (): Promise<void> {
  const stdin = readStdin()
  const out = await runCommand(process.env, stdin, {
    wiring,
    agent: (socketPath) => new AgentClient({ socketPath }),
    log: (fields) => { process.stderr.write(JSON.stringify({ time: new Date().toISOString(), component: 'cni', ...fields }) + '\n') },
    closeFd: closeSync,
  })
  if (out.stdout !== '') process.stdout.write(out.stdout)
  process.exitCode = out.exitCode
}

main().catch((err: unknown) => {
  // runCommand turns every failure into an error object; reaching this is a bug.
  process.stdout.write(JSON.stringify({ cniVersion: '1.1.0', code: 100, msg: `loom-cni internal error: ${(err as Error).message}` }) + '\n')
  process.exitCode = 1
})
