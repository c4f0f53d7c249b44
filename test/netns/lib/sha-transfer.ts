/**
 * One-way transfers between two pods, checked by SHA-256 at both ends: TCP (fixtures/tcp-sha.ts)
 * and UDP datagrams (fixtures/udp-sha.ts).
 */
import { join } from 'node:path'
import type { NetnsLab } from './netns-lab'
import { REPO_ROOT } from './overlay-lab'

const TCP_SHA = join(REPO_ROOT, 'dist', 'test', 'netns', 'fixtures', 'tcp-sha.js')
const UDP_SHA = join(REPO_ROOT, 'dist', 'test', 'netns', 'fixtures', 'udp-sha.js')
const SECONDS = 90

export interface TransferReport {
  bytes?: number
  sha256?: string
  error?: string
  /** UDP: datagrams sent, or received (distinct, intact). */
  datagrams?: number
  /** UDP receiver: datagrams that matched no datagram the sender makes, and repeats. */
  corrupt?: number
  duplicates?: number
}

/** Sends `bytes` from namespace fromNs to toAddress:port (a server in toNs); both ends' reports. */
export async function shaTransfer (lab: NetnsLab, fromNs: string, toNs: string, toAddress: string, port: number,
  bytes: number): Promise<{ sent: TransferReport, received: TransferReport }> {
  return await transfer(lab, fromNs, toNs, [TCP_SHA, 'server', String(port)],
    [TCP_SHA, 'client', toAddress, String(port), String(bytes)])
}

/** Sends `count` UDP datagrams (bursts of 32, fixtures/udp-sha.ts) from fromNs to toAddress:port in toNs. */
export async function udpShaTransfer (lab: NetnsLab, fromNs: string, toNs: string, toAddress: string, port: number,
  count: number): Promise<{ sent: TransferReport, received: TransferReport }> {
  return await transfer(lab, fromNs, toNs, [UDP_SHA, 'server', String(port), String(count)],
    [UDP_SHA, 'client', toAddress, String(port), String(count)])
}

/** Runs the server command in toNs, then the client in fromNs (each given SECONDS at the end). */
async function transfer (lab: NetnsLab, fromNs: string, toNs: string, server: string[], client: string[]):
Promise<{ sent: TransferReport, received: TransferReport }> {
  const limit = { timeoutMs: (SECONDS + 10) * 1000 }
  const serverRun = lab.exec(toNs, [process.execPath, ...server, String(SECONDS)], limit)
  await new Promise((resolve) => setTimeout(resolve, 500))
  const clientRun = await lab.exec(fromNs, [process.execPath, ...client, String(SECONDS)], limit)
  const received = await serverRun
  return { sent: parse(clientRun.stdout), received: parse(received.stdout) }
}

function parse (s: string): TransferReport {
  try {
    return JSON.parse(s.trim().split('\n').pop() ?? '') as TransferReport
  } catch {
    return { error: `unparsable: ${s.slice(0, 200)}` }
  }
}
