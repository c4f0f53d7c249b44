/**
 * A one-way TCP transfer between two pods, checked by SHA-256 at both ends (fixtures/tcp-sha.ts).
 */
import { join } from 'node:path'
import type { NetnsLab } from './netns-lab'
import { REPO_ROOT } from './overlay-lab'

const TCP_SHA = join(REPO_ROOT, 'dist', 'test', 'netns', 'fixtures', 'tcp-sha.js')
const SECONDS = 90

export interface TransferReport { bytes?: number, sha256?: string, error?: string }

/** Sends `bytes` from namespace fromNs to toAddress:port (a server in toNs); both ends' reports. */
export async function shaTransfer (lab: NetnsLab, fromNs: string, toNs: string, toAddress: string, port: number,
  bytes: number): Promise<{ sent: TransferReport, received: TransferReport }> {
  const limit = { timeoutMs: (SECONDS + 10) * 1000 }
  const server = lab.exec(toNs, [process.execPath, TCP_SHA, 'server', String(port), String(SECONDS)], limit)
  await new Promise((resolve) => setTimeout(resolve, 500))
  const client = await lab.exec(fromNs,
    [process.execPath, TCP_SHA, 'client', toAddress, String(port), String(bytes), String(SECONDS)], limit)
  const received = await server
  return { sent: parse(client.stdout), received: parse(received.stdout) }
}

function parse (s: string): TransferReport {
  try {
    return JSON.parse(s.trim().split('\n').pop() ?? '') as TransferReport
  } catch {
    return { error: `unparsable: ${s.slice(0, 200)}` }
  }
}
