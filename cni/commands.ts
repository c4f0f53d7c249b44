/**
 * The CNI commands as the agent runs them: one call per plugin invocation, from (CNI_* env,
 * stdin) to (stdout, exit status). The `loom-cni` shim (cni/shim/loom-cni.c) only carries
 * these two across the API socket; everything the CNI spec asks for happens here.
 *
 * Concurrency, the rules that keep one address on one pod:
 * - ADD, DEL, CHECK and GC's removal of an attachment run under that attachment's lock
 *   (./attachment-locks.ts): serialised per (containerID, ifname), parallel across pods.
 * - An ADD rolls back only what it created itself: the address only when this very ADD
 *   allocated it (it holds the allocation's token), never one an earlier ADD reported.
 * - A success is reported only after the allocation is on disk (the PodAddressManager
 *   persists before it returns) and the pod is wired.
 * - GC needs the runtime's list of valid attachments (no list = code 7, nothing removed), and
 *   never collects an attachment younger than `gcGraceMs` (an ADD the runtime started after
 *   it computed the list) nor one with an invocation in flight. The raw API's GC
 *   (`gcAttachments`, POST /v1/cni/gc) collects by the same rule, its DEL (`releaseRaw`, POST
 *   /v1/cni/del) is a DEL under the lock, and its add (`allocateRaw`)
 *   is recorded like an ADD, so the grace covers it too.
 * - Ages and ADD tokens are in the AttachmentLedger (./attachment-ledger.ts), on disk before the
 *   ADD, DEL or GC that changed it reports success: a restart keeps them.
 *
 * Order of work and why:
 * - ADD: netns is a netns? → wait (bounded) for the agent to be ready → allocate (idempotent
 *   per attachment; a creating ADD's ledger entry goes into the same write as the address) →
 *   wire, replacing a host veth left by an earlier ADD of the same attachment (a retried ADD =
 *   clean up and redo; cni/wiring.ts) → hooks.podAdded → result. A failure after the allocation
 *   deletes the host veth and, if this ADD allocated it, releases the address.
 * - DEL: hooks.podRemoved, detach the host veth (down: nothing passes it any more and the host
 *   /32 route is gone; queued for deletion, ./veth-reaper.ts), release the address, so an
 *   address is never handed out again while the old pod can still send or receive with it;
 *   success only once the release is on disk (concurrent DELs share one write, like ADDs). The
 *   veth's deletion (15-30 ms of kernel waits) follows after the answer; the same attachment's
 *   next ADD waits for it (cni/wiring.ts createPair). Every step tolerates "already gone";
 *   CNI_NETNS is not needed (the host veth takes its peer with it).
 * - CHECK: the agent's record, prevResult and the kernel must agree.
 * - GC: release what is neither valid, young nor busy; detach those host veths and any other
 *   lxc* host veth no held attachment owns. Errors are collected, not fatal.
 * - STATUS / VERSION: see statusCommand and versionCommand.
 *
 * Time: every invocation records how long each stage took (./stages.ts) and hands them to
 * `observeStages` (loom_cni_stage_seconds in metrics/registry.ts).
 *
 * HOOK POINT for other features (NetworkPolicy): `CniHooks` below, called under the
 * attachment's lock with the pod's identity (K8S_POD_NAMESPACE/K8S_POD_NAME and every
 * CNI_ARGS pair).
 */
import { randomUUID } from 'node:crypto'
import { AttachmentLedger, keyOf, type LedgerStore } from './attachment-ledger'
import { AttachmentLocks } from './attachment-locks'
import {
  CheckFailedError, DegradedError, IOFailureError, InvalidConfigError, NotAvailableError, TryAgainError, WiringError,
  toErrorJSON, CniError,
} from './errors'
import {
  decodeJSONObject, jsonDepth, MAX_JSON_DEPTH, MAX_NETCONF_BYTES, parseEnv, parseNetConf, parseVersion,
  SUPPORTED_VERSIONS, type CniEnv, type NetConf,
} from './netconf'
import type { Attachment } from './types'
import type { NetnsHandle } from './netns-file'
import { addressFromPrevResult, buildAddResult } from './result'
import { secondsSince, StageTimes, type CniStage } from './stages'
import { hostVethName, HOST_VETH_RE } from '../lib'

export interface CommandOutput {
  /** What to print on stdout ('' for none). */
  stdout: string
  /** Process exit status. */
  exitCode: number
}

/** An invocation's outcome, with what metrics need. */
export interface CommandOutcome extends CommandOutput {
  /** CNI_COMMAND as given ('' when missing). */
  command: string
  /** 0 on success, else the CNI error code printed. */
  cniCode: number
}

/** One attachment as the agent holds it. */
export interface HeldAttachment extends Attachment {
  /** Pod address without prefix. */
  address: string
  hostVeth: string
}

/** What the agent gives the CNI flow: its addresses and its state (cni/agent-addresses.ts). */
export interface CniAddresses {
  /** Whether ADD can be served now, with the checks for STATUS. */
  readiness(): { ready: boolean, checks: Record<string, boolean> }
  /** The pods' gateway and default MTU. */
  network(): { gateway: string, mtu: number }
  /** The attachment's address, allocated if needed and persisted before it returns. CniErrors. */
  allocate(id: Attachment, meta: { netns?: string, podName?: string, podNamespace?: string }): Promise<HeldAttachment>
  get(id: Attachment): HeldAttachment | undefined
  /** Releases in memory; durable once `durable()` settles. Null when nothing was held. */
  release(id: Attachment): HeldAttachment | null
  list(): HeldAttachment[]
  /** Settles once every change so far is on disk; CniError (11) if the write holding one failed. */
  durable(): Promise<void>
}

export interface WireSpec {
  /** An fd of the pod's network namespace (checked by openNetns). */
  netnsFd: number
  /** CNI_NETNS as given, for messages and the result. */
  netns: string
  ifname: string
  hostVeth: string
  /** Pod address without prefix. */
  address: string
  gateway: string
  mtu: number
  /** Where the wiring records its stages (veth_create, netns_enter, pod_config, host_config). */
  stages?: StageTimes
}

export interface WireOutcome { hostMAC: string, podMAC: string }

/** The namespace work (cni/wiring.ts); tests replace it. */
export interface PodWiring {
  /**
   * Opens CNI_NETNS (through the shim's handle when given); UnknownContainerError (3) unless it is a network namespace.
   */
  openNetns(path: string, handle?: NetnsHandle): number
  closeNetns(fd: number): void
  /**
   * Creates the pair and configures both ends, first deleting a host veth of the same name left
   * by an earlier ADD of this attachment; throws leaving cleanup to detachHostVeth.
   */
  wirePod(spec: WireSpec): Promise<WireOutcome>
  /**
   * Takes a host veth out of service: once this resolves the pod can no longer send or receive
   * through it (it is down, the host /32 route gone with it), and it is queued for deletion,
   * which follows later (its peer goes with it). Missing is fine. `stages` gets its netlink_sync.
   */
  detachHostVeth(name: string, stages?: StageTimes): Promise<void>
  checkPod(spec: Omit<WireSpec, 'mtu'>): Promise<void>
  /** Host links named like Loom's host veths. */
  listHostVeths(): Promise<string[]>
}

/** A pod attachment as the hooks see it. */
export interface PodAttachment extends HeldAttachment {
  netns: string
  podName?: string
  podNamespace?: string
  /** Every CNI_ARGS pair as given. */
  args: Readonly<Record<string, string>>
}

/**
 * Extension points of the ADD and DEL paths, called under the attachment's lock. A hook that
 * throws a CniError fails the command with that code; any other error becomes code 100.
 */
export interface CniHooks {
  /** After wiring, before ADD reports success (e.g. the pod's policy chains). Throwing rolls the ADD back. */
  podAdded?: (pod: PodAttachment) => Promise<void>
  /**
   * Before an attachment's veth is detached and its address released (DEL, GC, ADD rollback). Must tolerate unknown
   * pods.
   */
  podRemoved?: (pod: Attachment & { hostVeth: string, address?: string }) => Promise<void>
}

export interface CniCommandsComponents {
  addresses: CniAddresses
  wiring: PodWiring
  hooks?: CniHooks
  /** One structured log line. */
  log: (fields: Record<string, unknown>) => void
  /** Wall-clock milliseconds, for ages that outlive the process (default Date.now). */
  clock?: () => number
  /** Where the ages and tokens persist (a section of the address state file in loomd); default memory only. */
  ledger?: LedgerStore
  /** Each invocation's time per stage (./stages.ts), called once when it ends. */
  observeStages?: (command: string, stages: ReadonlyArray<[CniStage, number]>) => void
}

export interface CniCommandsInit {
  /** GC never collects an attachment younger than this (ms). */
  gcGraceMs: number
  /** How long ADD waits for the agent to become ready before answering 11 (ms, default 4000). */
  readyWaitMs?: number
}

const LATEST = '1.1.0'
const READY_POLL_MS = 100

export class CniCommands {
  private readonly locks = new AttachmentLocks()
  /** Attachments created by an ADD of this node: the ADD's token and when, also from before a restart. */
  private readonly ledger: AttachmentLedger
  private readonly clock: () => number
  private readonly startedAt: number

  /** Loads the ledger (throws what its store throws: a corrupt file stops loomd). */
  constructor (private readonly c: CniCommandsComponents, private readonly init: CniCommandsInit) {
    this.clock = c.clock ?? Date.now
    this.startedAt = this.clock()
    this.ledger = new AttachmentLedger(c.ledger)
  }

  /**
   * An allocation outside the CNI flow (the raw API's POST /v1/cni/add, which wires nothing):
   * run under the attachment's lock and, when it created the attachment, recorded in the ledger
   * like an ADD (on disk before it returns), so GC's grace period covers it.
   */
  async allocateRaw<T> (id: Attachment, allocate: () => Promise<T>): Promise<T> {
    const key = keyOf(id)
    return await this.locks.run(key, async () => {
      const existed = this.c.addresses.get(id) !== undefined
      const made = await allocate()
      if (!existed && this.c.addresses.get(id) !== undefined) {
        await durably(this.ledger.record(key, { token: randomUUID(), createdAt: this.clock() }))
      }
      return made
    })
  }

  /**
   * Writes the ledger as it is now; settles once it is on disk. loomd calls it once at start,
   * when it has merged an old attachments.json into the address file (cni/attachment-ledger.ts).
   */
  persistLedger (): Promise<void> {
    return this.ledger.persist()
  }

  /**
   * The raw API's DEL (POST /v1/cni/del): a DEL in all but the plugin's input. Under the
   * attachment's lock, so it waits for an ADD of the same attachment in flight instead of
   * releasing the address under it; hooks, host veth, the release (`release`, the caller's view
   * of it) and the ledger entry as DEL does them, answered once the release and the ledger are on
   * disk. Null when nothing was held.
   */
  async releaseRaw<T> (id: Attachment, release: () => T | null): Promise<T | null> {
    return await this.locks.run(keyOf(id), () => this.remove(id, new StageTimes(), release))
  }

  /**
   * The raw API's GC (POST /v1/cni/gc): collects what GC would, by the same rule (neither in
   * `valid`, young nor busy; its hooks run and its veth goes) and returns what was released,
   * once that is on disk. WiringError when some removal failed (the rest were still done).
   */
  async gcAttachments (valid: readonly Attachment[]): Promise<HeldAttachment[]> {
    const errors: string[] = []
    const { released } = await this.collect(new Set(valid.map(keyOf)), errors)
    await this.persistCollection()
    if (errors.length > 0) throw new WiringError(`GC finished with ${errors.length} errors: ${errors.join('; ')}`)
    return released
  }

  /**
   * Runs one plugin invocation. `stdin` is the text read, or the Error reading it failed with;
   * `netns` is how the shim passed CNI_NETNS (./netns-file.ts); `requestSeconds` is how long
   * the API server took to read the request (the `request` stage).
   */
  async run (env: Readonly<Record<string, string | undefined>>, stdin: string | Error,
    netns?: NetnsHandle, requestSeconds?: number): Promise<CommandOutcome> {
    let version: string = LATEST
    let cniEnv: CniEnv | undefined
    const command = env.CNI_COMMAND ?? ''
    const stages = new StageTimes()
    if (requestSeconds !== undefined) stages.add('request', requestSeconds)
    try {
      const t0 = process.hrtime.bigint()
      if (typeof stdin === 'string') version = guessVersion(stdin) ?? LATEST
      const e = cniEnv = parseEnv(env)
      if (stdin instanceof Error) {
        throw new IOFailureError(`failed to read the network configuration from stdin: ${stdin.message}`,
          { cause: stdin })
      }
      if (e.command === 'VERSION') return { ...versionCommand(stdin), command, cniCode: 0 }
      const conf = parseNetConf(stdin, e.command)
      version = conf.cniVersion
      stages.add('parse', secondsSince(t0))
      let out: CommandOutput
      switch (e.command) {
        case 'ADD': out = await this.locked(e, stages, () => this.add(e, conf, netns, stages)); break
        case 'DEL': out = await this.locked(e, stages, () => this.del(e, stages)); break
        case 'CHECK': out = await this.locked(e, stages, () => this.check(e, conf, netns, stages)); break
        case 'GC': out = await this.gc(conf, stages); break
        case 'STATUS': out = this.status(); break
      }
      return { ...out, command, cniCode: 0 }
    } catch (err) {
      const out = toErrorJSON(err, version)
      this.c.log({
        level: 'error',
        command,
        containerID: cniEnv?.containerID,
        ifname: cniEnv?.ifname,
        pod: podLabel(cniEnv),
        code: out.code,
        msg: out.msg,
        ...(err instanceof CniError ? {} : { stack: (err as Error)?.stack }),
      })
      return { stdout: JSON.stringify(out) + '\n', exitCode: 1, command, cniCode: out.code }
    } finally {
      this.c.observeStages?.(command, stages.entries())
    }
  }

  private locked<T> (env: CniEnv, stages: StageTimes, fn: () => Promise<T>): Promise<T> {
    const t0 = process.hrtime.bigint()
    return this.locks.run(keyOf(env), () => {
      stages.add('lock_wait', secondsSince(t0))
      return fn()
    })
  }

  private async add (env: CniEnv, conf: NetConf, netns: NetnsHandle | undefined,
    stages: StageTimes): Promise<CommandOutput> {
    const w = this.c.wiring
    const netnsFd = stages.timeSync('netns_open', () => w.openNetns(env.netns, netns)) // 3 before allocating anything
    try {
      await stages.time('ready_wait', () => this.waitReady())
      const id = { containerID: env.containerID, ifname: env.ifname }
      const key = keyOf(env)
      const existed = this.c.addresses.get(id) !== undefined
      const token = existed ? undefined : randomUUID()
      let recorded: Promise<void> | undefined
      let held: HeldAttachment
      try {
        // The address is chosen synchronously; the promise settles once the write holding it is on disk.
        const allocated = stages.timeSync('ipam_allocate', () => this.c.addresses.allocate(id, {
          netns: env.netns,
          ...(env.podName !== undefined ? { podName: env.podName } : {}),
          ...(env.podNamespace !== undefined ? { podNamespace: env.podNamespace } : {}),
        }))
        // A creating ADD's ledger entry: in loomd the ledger lives in the address file
        // (LedgerSection), so recorded in the same turn as the allocation it joins the same
        // group write. Awaited before the success is reported; an entry of an attachment not
        // held is never read.
        if (token !== undefined) {
          recorded = durably(this.ledger.record(key, { token, createdAt: this.clock() }))
          recorded.catch(() => {}) // a failure is thrown where it is awaited
        }
        held = await stages.time('state_commit', () => allocated)
      } catch (err) {
        // Nothing allocated: its entry goes from memory, and from disk with this or a later write.
        if (token !== undefined && this.ledger.get(key)?.token === token) {
          this.ledger.drop(key)
          this.ledger.persist().catch(() => {})
        }
        throw err
      }
      try {
        if (!HOST_VETH_RE.test(held.hostVeth)) {
          throw new InvalidConfigError(`the agent named host veth ${JSON.stringify(held.hostVeth)}, expected lxc + 11 hex digits`)
        }
        const { gateway, mtu: agentMtu } = this.c.addresses.network()
        const mtu = conf.mtu ?? agentMtu
        const wired = await w.wirePod({
          netnsFd,
          netns: env.netns,
          ifname: env.ifname,
          hostVeth: held.hostVeth,
          address: held.address,
          gateway,
          mtu,
          stages,
        })
        const added = this.c.hooks?.podAdded
        if (added !== undefined) {
          await stages.time('hook', () => added({ ...held, netns: env.netns, args: env.args, ...podIdentity(env) }))
        }
        if (recorded !== undefined) await stages.time('state_commit', () => recorded)
        const resultStarted = process.hrtime.bigint()
        const result = buildAddResult(conf.cniVersion, {
          hostVeth: held.hostVeth,
          hostMAC: wired.hostMAC,
          ifname: env.ifname,
          podMAC: wired.podMAC,
          mtu,
          sandbox: env.netns,
          address: held.address,
          gateway,
          ...(conf.dns !== undefined ? { dns: conf.dns } : {}),
        }, conf.prevResult)
        this.c.log({
          level: 'info',
          command: 'ADD',
          containerID: env.containerID,
          ifname: env.ifname,
          pod: podLabel(env),
          address: held.address,
          hostVeth: held.hostVeth
        })
        const stdout = JSON.stringify(result) + '\n'
        stages.add('result', secondsSince(resultStarted))
        return { stdout, exitCode: 0 }
      } catch (err) {
        await this.rollback(env, held, token)
        throw err
      }
    } finally {
      w.closeNetns(netnsFd)
    }
  }

  /** Undoes a failed ADD: the veth it made (detached first), and the address only if this ADD allocated it. */
  private async rollback (env: CniEnv, held: HeldAttachment, token: string | undefined): Promise<void> {
    const key = keyOf(env)
    const problems: string[] = []
    const mine = token !== undefined && this.ledger.get(key)?.token === token
    if (mine) await this.c.hooks?.podRemoved?.({ ...held }).catch((e: Error) => { problems.push(e.message) })
    let detached = true
    await this.c.wiring.detachHostVeth(held.hostVeth).catch((e: Error) => {
      detached = false
      problems.push(e.message)
    })
    // The address is released only once the veth that may carry it is out of service; if the
    // detach failed, the runtime's DEL after the failed ADD detaches it and releases.
    if (mine && detached) {
      try {
        this.c.addresses.release({ containerID: env.containerID, ifname: env.ifname })
        this.ledger.drop(key)
        await durably(this.ledger.persist())
      } catch (e) {
        problems.push((e as Error).message)
      }
    }
    if (problems.length > 0) {
      this.c.log({
        level: 'error', command: 'ADD', containerID: env.containerID, msg: `rollback incomplete: ${problems.join('; ')}`
      })
    }
  }

  private async del (env: CniEnv, stages: StageTimes): Promise<CommandOutput> {
    const id = { containerID: env.containerID, ifname: env.ifname }
    const released = await this.remove(id, stages, () => this.c.addresses.release(id))
    this.c.log({
      level: 'info',
      command: 'DEL',
      containerID: env.containerID,
      ifname: env.ifname,
      pod: podLabel(env),
      released: released !== null
    })
    return { stdout: '', exitCode: 0 }
  }

  /**
   * DEL's work, under the attachment's lock (the caller's): hooks.podRemoved, detach the host
   * veth (its deletion follows, off this path), `release` the address, drop the ledger entry;
   * settles once both are on disk.
   */
  private async remove<T> (id: Attachment, stages: StageTimes, release: () => T | null): Promise<T | null> {
    const held = this.c.addresses.get(id)
    const hostVeth = held?.hostVeth ?? hostVethName(id.containerID, id.ifname)
    const removed = this.c.hooks?.podRemoved
    if (removed !== undefined) {
      await stages.time('hook', () => removed({ ...id, hostVeth, ...(held !== undefined ? { address: held.address } : {}) }))
    }
    await stages.time('veth_detach', () => this.c.wiring.detachHostVeth(hostVeth, stages))
    const released = stages.timeSync('release', release)
    // The ledger is written only when it knew the attachment (in loomd the address write carries it).
    const forgotten = this.ledger.drop(keyOf(id)) ? durably(this.ledger.persist()) : undefined
    // Also when nothing was held: a DEL retried after a failed write must not answer before the
    // release its first attempt made in memory is on disk.
    await stages.time('state_commit', () => Promise.all([this.c.addresses.durable(), forgotten]))
    return released
  }

  private async check (env: CniEnv, conf: NetConf, netns: NetnsHandle | undefined,
    stages: StageTimes): Promise<CommandOutput> {
    if (conf.prevResult === undefined) throw new InvalidConfigError('CHECK needs "prevResult" (the result of ADD) in the network config')
    const expected = addressFromPrevResult(conf.prevResult, env.ifname)
    if (expected === undefined) throw new CheckFailedError(`prevResult has no address for interface ${env.ifname} in a sandbox`)
    const held = this.c.addresses.get({ containerID: env.containerID, ifname: env.ifname })
    if (held === undefined) throw new CheckFailedError(`the agent holds no address for ${env.containerID}/${env.ifname}, prevResult says ${expected}`)
    if (held.address !== expected) throw new CheckFailedError(`the agent holds ${held.address} for ${env.containerID}/${env.ifname}, prevResult says ${expected}`)
    const netnsFd = stages.timeSync('netns_open', () => this.c.wiring.openNetns(env.netns, netns))
    try {
      const { gateway } = this.c.addresses.network()
      await stages.time('check', () => this.c.wiring.checkPod({
        netnsFd, netns: env.netns, ifname: env.ifname, hostVeth: held.hostVeth, address: held.address, gateway
      }))
    } finally {
      this.c.wiring.closeNetns(netnsFd)
    }
    return { stdout: '', exitCode: 0 }
  }

  private async gc (conf: NetConf, stages: StageTimes): Promise<CommandOutput> {
    const valid = conf.validAttachments ?? []
    const keep = new Set(valid.map(keyOf))
    const errors: string[] = []
    const { released, spared } = await this.collect(keep, errors, stages)
    // Host veths nobody holds: leftovers of crashed ADDs or of state lost on disk. Spare those of
    // attachments still held (valid, young) and of invocations in flight.
    const owned = new Set(this.c.addresses.list().map((h) => h.hostVeth))
    for (const key of [...keep, ...this.locks.busyKeys()]) {
      const slash = key.lastIndexOf('/')
      owned.add(hostVethName(key.slice(0, slash), key.slice(slash + 1)))
    }
    let removed = 0
    try {
      for (const name of await this.c.wiring.listHostVeths()) {
        if (owned.has(name)) continue
        try {
          await this.c.wiring.detachHostVeth(name)
          removed++
        } catch (err) {
          errors.push((err as Error).message)
        }
      }
    } catch (err) {
      errors.push((err as Error).message)
    }
    // The releases above share one write; GC reports success only once it is on disk.
    await stages.time('state_commit', () => this.persistCollection())
    this.c.log({
      level: 'info', command: 'GC', valid: valid.length, released: released.length, spared, removedVeths: removed
    })
    if (errors.length > 0) throw new WiringError(`GC finished with ${errors.length} errors: ${errors.join('; ')}`)
    return { stdout: '', exitCode: 0 }
  }

  /**
   * GC's rule, for CNI GC and the raw API's: every held attachment that is not in `keep`, not
   * younger than `gcGraceMs` (by the ledger; one it does not know counts from this agent's
   * start) and has no invocation in flight is removed under its lock: hooks.podRemoved, its host
   * veth detached, its address released (in memory: persistCollection makes it durable). A failed
   * removal adds to `errors` and the rest go on.
   */
  private async collect (keep: ReadonlySet<string>, errors: string[], stages?: StageTimes):
  Promise<{ released: HeldAttachment[], spared: number }> {
    const now = this.clock()
    const released: HeldAttachment[] = []
    let spared = 0
    for (const held of this.c.addresses.list()) {
      const key = keyOf(held)
      if (keep.has(key)) continue
      if (this.locks.busy(key) || now - (this.ledger.get(key)?.createdAt ?? this.startedAt) < this.init.gcGraceMs) {
        spared++; continue
      }
      await this.locks.run(key, async () => {
        const still = this.c.addresses.get(held)
        if (still === undefined) return
        try {
          await this.c.hooks?.podRemoved?.({ ...still })
          const detached = this.c.wiring.detachHostVeth(still.hostVeth)
          await (stages?.time('veth_detach', () => detached) ?? detached)
          this.c.addresses.release(held)
          this.ledger.drop(key)
          released.push(still)
        } catch (err) {
          errors.push((err as Error).message)
        }
      })
    }
    return { released, spared }
  }

  /** After collect: the releases and the ledger on disk, with the entries of attachments no longer held dropped. */
  private async persistCollection (): Promise<void> {
    const held = new Set(this.c.addresses.list().map(keyOf))
    this.ledger.drop(...this.ledger.keys().filter((k) => !held.has(k) && !this.locks.busy(k)))
    await Promise.all([this.c.addresses.durable(), durably(this.ledger.persist())])
  }

  /**
   * 0 when the agent is ready; 50 when it cannot allocate; 51 when one of its data-plane checks
   * fails (existing pods are affected too).
   */
  private status (): CommandOutput {
    const r = this.c.addresses.readiness()
    if (r.ready) return { stdout: '', exitCode: 0 }
    const failing = Object.entries(r.checks).filter(([, ok]) => !ok).map(([k]) => k)
    if (failing.some((k) => /dataplane|data_plane|tun|underlay|socket|membership/i.test(k))) {
      throw new DegradedError(`the loom agent's data plane is not working (failing checks: ${failing.join(', ')})`)
    }
    throw new NotAvailableError(`the loom agent is not ready${failing.length > 0 ? ` (failing checks: ${failing.join(', ')})` : ''}`)
  }

  /** ADD right after the agent started: wait a little for readiness, then 11. */
  private async waitReady (): Promise<void> {
    for (let waited = 0; ; waited += READY_POLL_MS) {
      const r = this.c.addresses.readiness()
      if (r.ready) return
      if (waited + READY_POLL_MS > (this.init.readyWaitMs ?? 4000)) {
        const failing = Object.entries(r.checks).filter(([, ok]) => !ok).map(([k]) => k)
        throw new TryAgainError(`the loom agent is not ready to serve pod addresses yet (failing checks: ${failing.join(', ') || 'none'})`, { details: 'retry later' })
      }
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS))
    }
  }
}

function versionCommand (stdin: string): CommandOutput {
  const requested = stdin.trim() === '' ? LATEST : parseVersion(decodeJSONObject(stdin))
  return {
    stdout: JSON.stringify({ cniVersion: requested, supportedVersions: [...SUPPORTED_VERSIONS] }) + '\n', exitCode: 0
  }
}

/** The version to put in an error object: the request's, when it is one we speak. */
function guessVersion (stdin: string): string | undefined {
  if (stdin.length > MAX_NETCONF_BYTES || jsonDepth(stdin) > MAX_JSON_DEPTH) return undefined
  try {
    const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion
    return typeof v === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(v) ? v : undefined
  } catch {
    return undefined
  }
}

/** A ledger write as the CNI answers its failure: try again (11), nothing was reported. */
async function durably (write: Promise<void>): Promise<void> {
  try {
    await write
  } catch (err) {
    throw new TryAgainError(`the attachment ledger could not be written to the state directory: ${(err as Error).message}`,
      { cause: err })
  }
}

function podIdentity (env: CniEnv): { podName?: string, podNamespace?: string } {
  return {
    ...(env.podName !== undefined ? { podName: env.podName } : {}),
    ...(env.podNamespace !== undefined ? { podNamespace: env.podNamespace } : {}),
  }
}

function podLabel (env: CniEnv | undefined): string | undefined {
  if (env?.podName === undefined) return undefined
  return `${env.podNamespace ?? ''}/${env.podName}`
}
