/**
 * The six CNI commands, as one function from (env, stdin) to (stdout, exit status), so unit
 * tests drive the plugin without spawning it. cni/main.ts only does the process I/O.
 *
 * Order of work and why:
 * - ADD: netns exists? → agent allocates (idempotent per attachment) → remove a host veth left
 *   by an earlier ADD of the same attachment (retried ADD = clean up and redo) → wire → result.
 *   Any failure after the allocation deletes the host veth and releases the address (CNI ptp).
 * - DEL: delete the host veth first, release the address second, so an address is never handed
 *   out again while a route to the old pod still exists. Every step tolerates "already gone";
 *   CNI_NETNS is not needed at all (the host veth takes its peer with it). An unreachable agent
 *   is code 11 (the runtime retries DEL; GC is the backstop), never a silent leak.
 * - CHECK: the agent's record, prevResult and the kernel must agree.
 * - GC: the agent releases what is not valid and names the host veths; we delete those and any
 *   other lxc* host veth not derived from a valid attachment. Errors are collected, not fatal.
 * - STATUS / VERSION: see statusCommand and versionCommand.
 */
import { AgentClient } from './agent-client'
import {
  CheckFailedError, DegradedError, IOFailureError, InvalidConfigError, NotAvailableError, WiringError,
  toErrorJSON, CniError,
} from './errors'
import {
  decodeJSONObject, parseEnv, parseNetConf, parseVersion, SUPPORTED_VERSIONS, type CniEnv, type NetConf,
} from './netconf'
import { addressFromPrevResult, buildAddResult } from './result'
import { hostVethName, HOST_VETH_RE } from './veth-name'
import * as wiring from './wiring'

export interface CommandOutput {
  /** What to print on stdout ('' for none). */
  stdout: string
  /** Process exit status. */
  exitCode: number
}

export interface CommandDeps {
  /** The namespace work; tests replace it. */
  wiring: Pick<typeof wiring, 'wirePod' | 'deleteHostVeth' | 'checkPod' | 'listHostVeths' | 'openNetnsFd'>
  /** Agent client factory; tests may shorten the deadline. */
  agent: (socketPath: string) => AgentClient
  /** One log line for stderr. */
  log: (fields: Record<string, unknown>) => void
  /** Closes an fd (the netns probe). */
  closeFd: (fd: number) => void
}

const LATEST = '1.1.0'

/** Runs one plugin invocation. `stdin` is the text read, or the Error reading it failed with. */
export async function runCommand (env: NodeJS.ProcessEnv, stdin: string | Error, deps: CommandDeps): Promise<CommandOutput> {
  let version: string = LATEST
  let cniEnv: CniEnv | undefined
  try {
    if (typeof stdin === 'string') version = guessVersion(stdin) ?? LATEST
    cniEnv = parseEnv(env)
    if (stdin instanceof Error) {
      throw new IOFailureError(`failed to read the network configuration from stdin: ${stdin.message}`, { cause: stdin })
    }
    if (cniEnv.command === 'VERSION') return versionCommand(stdin)
    const conf = parseNetConf(stdin, cniEnv.command)
    version = conf.cniVersion
    const agent = deps.agent(conf.apiSocket)
    switch (cniEnv.command) {
      case 'ADD': return await addCommand(cniEnv, conf, agent, deps)
      case 'DEL': return await delCommand(cniEnv, agent, deps)
      case 'CHECK': return await checkCommand(cniEnv, conf, agent, deps)
      case 'GC': return await gcCommand(conf, agent, deps)
      case 'STATUS': return await statusCommand(agent)
    }
  } catch (err) {
    const out = toErrorJSON(err, version)
    deps.log({
      level: 'error', command: cniEnv?.command ?? env.CNI_COMMAND, containerID: cniEnv?.containerID, ifname: cniEnv?.ifname,
      pod: podLabel(cniEnv), code: out.code, msg: out.msg, ...(err instanceof CniError ? {} : { stack: (err as Error)?.stack }),
    })
    return { stdout: JSON.stringify(out) + '\n', exitCode: 1 }
  }
}

async function addCommand (env: CniEnv, conf: NetConf, agent: AgentClient, deps: CommandDeps): Promise<CommandOutput> {
  deps.closeFd(deps.wiring.openNetnsFd(env.netns)) // 3 before allocating anything
  const info = await agent.add({
    containerID: env.containerID,
    ifname: env.ifname,
    netns: env.netns,
    ...(env.podName !== undefined ? { podName: env.podName } : {}),
    ...(env.podNamespace !== undefined ? { podNamespace: env.podNamespace } : {}),
  })
  const attachment = { containerID: env.containerID, ifname: env.ifname }
  try {
    if (!HOST_VETH_RE.test(info.hostVeth)) {
      throw new InvalidConfigError(`the agent named host veth ${JSON.stringify(info.hostVeth)}, expected lxc + 11 hex digits`)
    }
    await deps.wiring.deleteHostVeth(info.hostVeth)
    const mtu = conf.mtu ?? info.mtu
    const wired = await deps.wiring.wirePod({ netns: env.netns, ifname: env.ifname, hostVeth: info.hostVeth, address: info.address, gateway: info.gateway, mtu })
    const result = buildAddResult(conf.cniVersion, {
      hostVeth: info.hostVeth, hostMAC: wired.hostMAC, ifname: env.ifname, podMAC: wired.podMAC, mtu,
      sandbox: env.netns, address: info.address, gateway: info.gateway, ...(conf.dns !== undefined ? { dns: conf.dns } : {}),
    }, conf.prevResult)
    deps.log({ level: 'info', command: 'ADD', containerID: env.containerID, ifname: env.ifname, pod: podLabel(env), address: info.address, hostVeth: info.hostVeth })
    return { stdout: JSON.stringify(result) + '\n', exitCode: 0 }
  } catch (err) {
    // Roll back: the host veth carries everything else we made; then give the address back.
    const rollback: string[] = []
    await deps.wiring.deleteHostVeth(info.hostVeth).catch((e: Error) => { rollback.push(e.message) })
    await agent.del(attachment).catch((e: Error) => { rollback.push(e.message) })
    if (rollback.length > 0) deps.log({ level: 'error', command: 'ADD', containerID: env.containerID, msg: `rollback incomplete: ${rollback.join('; ')}` })
    throw err
  }
}

async function delCommand (env: CniEnv, agent: AgentClient, deps: CommandDeps): Promise<CommandOutput> {
  const attachment = { containerID: env.containerID, ifname: env.ifname }
  await deps.wiring.deleteHostVeth(hostVethName(env.containerID, env.ifname))
  const released = await agent.del(attachment)
  deps.log({ level: 'info', command: 'DEL', containerID: env.containerID, ifname: env.ifname, pod: podLabel(env), released })
  return { stdout: '', exitCode: 0 }
}

async function checkCommand (env: CniEnv, conf: NetConf, agent: AgentClient, deps: CommandDeps): Promise<CommandOutput> {
  if (conf.prevResult === undefined) throw new InvalidConfigError('CHECK needs "prevResult" (the result of ADD) in the network config')
  const expected = addressFromPrevResult(conf.prevResult, env.ifname)
  if (expected === undefined) throw new CheckFailedError(`prevResult has no address for interface ${env.ifname} in a sandbox`)
  const held = await agent.attachment({ containerID: env.containerID, ifname: env.ifname })
  if (held === null) throw new CheckFailedError(`the agent holds no address for ${env.containerID}/${env.ifname}, prevResult says ${expected}`)
  if (held.address !== expected) throw new CheckFailedError(`the agent holds ${held.address} for ${env.containerID}/${env.ifname}, prevResult says ${expected}`)
  await deps.wiring.checkPod({ netns: env.netns, ifname: env.ifname, hostVeth: held.hostVeth, address: held.address, gateway: held.gateway })
  return { stdout: '', exitCode: 0 }
}

async function gcCommand (conf: NetConf, agent: AgentClient, deps: CommandDeps): Promise<CommandOutput> {
  const valid = conf.validAttachments ?? []
  const keep = new Set(valid.map((a) => hostVethName(a.containerID, a.ifname)))
  const released = await agent.gc(valid)
  const errors: string[] = []
  const removed: string[] = []
  const stale = new Set(released.map((r) => r.hostVeth).filter((n) => HOST_VETH_RE.test(n) && !keep.has(n)))
  try {
    for (const name of await deps.wiring.listHostVeths()) if (!keep.has(name)) stale.add(name)
  } catch (err) {
    errors.push((err as Error).message)
  }
  for (const name of stale) {
    try {
      await deps.wiring.deleteHostVeth(name)
      removed.push(name)
    } catch (err) {
      errors.push((err as Error).message)
    }
  }
  deps.log({ level: 'info', command: 'GC', valid: valid.length, released: released.length, removedVeths: removed.length })
  if (errors.length > 0) throw new WiringError(`GC finished with ${errors.length} errors: ${errors.join('; ')}`)
  return { stdout: '', exitCode: 0 }
}

/**
 * 0 when the agent says ready; 50 when it is unreachable or not ready to allocate; 51 when it
 * answers but one of its data-plane checks fails (existing pods are affected too).
 */
async function statusCommand (agent: AgentClient): Promise<CommandOutput> {
  const r = await agent.ready()
  if (r.ready) return { stdout: '', exitCode: 0 }
  if (!r.reachable) throw new NotAvailableError(`the loom agent is unreachable: ${r.detail ?? 'no answer'}`)
  const failing = Object.entries(r.checks ?? {}).filter(([, v]) => v === false || (isFailed(v))).map(([k]) => k)
  if (failing.some((k) => /dataplane|data_plane|tun|underlay|socket|membership/i.test(k))) {
    throw new DegradedError(`the loom agent's data plane is not working (failing checks: ${failing.join(', ')})`)
  }
  throw new NotAvailableError(`the loom agent is not ready${failing.length > 0 ? ` (failing checks: ${failing.join(', ')})` : ''}`)
}

function versionCommand (stdin: string): CommandOutput {
  const requested = stdin.trim() === '' ? LATEST : parseVersion(decodeJSONObject(stdin))
  return { stdout: JSON.stringify({ cniVersion: requested, supportedVersions: [...SUPPORTED_VERSIONS] }) + '\n', exitCode: 0 }
}

function isFailed (v: unknown): boolean {
  if (typeof v === 'string') return !/^(ok|ready|up|true)$/i.test(v)
  if (typeof v === 'object' && v !== null) return (v as { ok?: unknown }).ok === false || (v as { ready?: unknown }).ready === false
  return false
}

/** The version to put in an error object: the request's, when it is one we speak. */
function guessVersion (stdin: string): string | undefined {
  try {
    const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion
    return typeof v === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(v) ? v : undefined
  } catch {
    return undefined
  }
}

function podLabel (env: CniEnv | undefined): string | undefined {
  if (env?.podName === undefined) return undefined
  return `${env.podNamespace ?? ''}/${env.podName}`
}

