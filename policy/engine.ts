/**
 * PolicyEngine: the one object the agent wires. Source (files or kubernetes) + this node's CNI
 * attachments + other nodes' endpoints -> compiler -> applier -> table `inet loom`.
 *
 * Lifecycle:
 * - start: starts the source and the applier's drift check. Nothing is applied until the source
 *   has synced once: a restarted loomd leaves the previous table (and so the enforcement) in the
 *   kernel until it knows the current policies, then replaces it in one transaction.
 * - CNI ADD (`noteAttachmentAdded`): waits (bounded) for the first sync, then for an apply that
 *   includes the new veth, so the pod's chains, and its entry in `local-pods`, exist before ADD
 *   returns; until then the forward chain drops everything from that veth.
 * - CNI DEL / GC (`noteAttachmentRemoved`): an apply that removes the pod's chains and deletes
 *   its conntrack entries.
 * - stop: stops the source and timers. The table stays: enforcement does not depend on loomd
 *   running (remove it with `nft delete table inet loom`).
 */
import type { Logger } from 'pino'
import { PolicyApplier, ApplierStats } from './applier'
import { compile } from './compiler'
import type { CompileInput, NftCommands } from './types'
import type { DesiredState, LocalPodPolicy } from './desired-state'
import type { EndpointDirectory, EndpointDirectoryStatus } from './endpoint-directory'
import { IncrementalCompiler } from './incremental'
import type { LocalAttachment, Pod, PolicySnapshot, RemoteEndpoint } from './model'
import type { PolicySource, SourceStatus } from './source'

export interface PolicyEngineComponents {
  logger: Logger
  source: PolicySource
  commands: NftCommands
  /** This node's CNI attachments (the agent's allocation records), read at every compile. */
  attachments: () => readonly LocalAttachment[]
  /** Files mode: other nodes' pod endpoints; absent in kubernetes mode. */
  directory?: EndpointDirectory
}

/**
 * Where pod addresses come from: 'source' = the source's Pod objects (status.podIPs) joined
 * with the attachments and the directory (kubernetes mode; files mode without gossip);
 * 'attachments' = only this node's attachments and other nodes' published ones, the Pod
 * manifests' status.podIPs ignored (files mode with gossip: a static address in a manifest goes
 * stale when its pod is deleted or moves, and could then admit whoever gets it next).
 */
export type PodAddressSource = 'source' | 'attachments'

export interface PolicyEngineInit {
  nodeName: string
  /** Default 'source'. */
  podAddresses?: PodAddressSource
  /** How long CNI ADD waits for the source's first sync before answering "try again", ms; default 10 000. */
  addWaitMs?: number
  minIntervalMs?: number
  driftCheckMs?: number
}

export interface PodPolicyStatus extends LocalPodPolicy {
  ingressAllowedPackets: number
  ingressDroppedPackets: number
  egressAllowedPackets: number
  egressDroppedPackets: number
}

export interface PolicyStatus {
  source: SourceStatus
  applies: {
    full: number;
    incremental: number;
    failed: number;
    driftRepairs: number;
    conntrackDeletions: number
    lastApplyAt: number;
    lastError: string;
    idle: boolean
  }
  rules: number
  sets: number
  pods: PodPolicyStatus[]
  /** Files mode over gossip: other nodes' published pods (endpoint-directory.ts). */
  remotePods?: EndpointDirectoryStatus
}

/** For metrics: drops per local pod chain, monotonic across chain rewrites. */
export interface PolicyDropSample { pod: string; direction: 'ingress' | 'egress'; packets: number }

export class PolicyNotReadyError extends Error {
  override readonly name = 'PolicyNotReadyError'
  readonly code = 'ERR_POLICY_NOT_READY'
}

export class PolicyEngine {
  readonly applier: PolicyApplier
  private synced = false
  private syncWaiters: Array<() => void> = []
  private dropTotals = new Map<string, { last: number; total: number }>()
  private readonly removing = new Set<string>()
  /** What the applier compiles with: a one-pod change costs what depends on that pod. */
  private readonly incremental = new IncrementalCompiler()
  private stripped?: { from: PolicySnapshot; to: PolicySnapshot }
  private strippedPods = new WeakMap<Pod, Pod>()

  constructor (private readonly components: PolicyEngineComponents, private readonly init: PolicyEngineInit) {
    this.applier = new PolicyApplier({
      commands: components.commands,
      logger: components.logger,
      compile: () => this.incremental.update(this.compileInput()),
    }, { minIntervalMs: init.minIntervalMs, driftCheckMs: init.driftCheckMs })
  }

  async start (): Promise<void> {
    const { source, directory } = this.components
    source.onChange(() => { this.noteSourceChanged() })
    directory?.onChange(() => { if (this.synced) this.applyInBackground() })
    directory?.start?.()
    await source.start()
    this.applier.start()
    this.publishLocal()
    if (source.status().state === 'synced') this.noteSourceChanged()
  }

  stop (): void {
    this.applier.stop()
    this.components.source.stop()
    this.components.directory?.stop?.()
  }

  /**
   * The desired state from what is known now, compiled from scratch (compiler.ts, the source of
   * truth; the applier's incremental path must equal it). `loom status policy` explains it
   * before the first apply.
   */
  compileNow (): DesiredState {
    return compile(this.compileInput())
  }

  private compileInput (): CompileInput {
    return {
      snapshot: this.snapshot(),
      local: this.localAttachments(),
      remote: this.remoteEndpoints(),
    }
  }

  /**
   * The source's snapshot, without the Pods' status.podIPs when addresses come only from
   * attachments. Kept per source snapshot (each change is a new object) and per Pod object, so
   * both compile paths see the same input and unchanged pods stay unchanged.
   */
  private snapshot (): PolicySnapshot {
    const snap = this.components.source.snapshot()
    if (this.init.podAddresses !== 'attachments') return snap
    if (this.stripped?.from === snap) return this.stripped.to
    const pods = new Map<string, Pod>()
    const previous = this.strippedPods
    const next = new WeakMap<Pod, Pod>()
    for (const [key, p] of snap.pods) {
      const q = p.ips.length === 0 ? p : (previous.get(p) ?? { ...p, ips: [] })
      next.set(p, q)
      pods.set(key, q)
    }
    this.strippedPods = next
    const to: PolicySnapshot = { namespaces: snap.namespaces, pods, policies: snap.policies }
    this.stripped = { from: snap, to }
    return to
  }

  /** The agent's attachments minus those being removed (whose release may not have happened yet). */
  private localAttachments (): readonly LocalAttachment[] {
    const all = this.components.attachments()
    if (this.removing.size === 0) return all
    const present = new Set(all.map((a) => a.hostVeth))
    for (const v of this.removing) if (!present.has(v)) this.removing.delete(v)
    return all.filter((a) => !this.removing.has(a.hostVeth))
  }

  /** CNI ADD: resolves once the pod's chains are in the kernel. Rejects with PolicyNotReadyError. */
  async noteAttachmentAdded (hostVeth?: string): Promise<void> {
    if (hostVeth !== undefined) this.removing.delete(hostVeth)
    this.publishLocal()
    await this.waitSynced(this.init.addWaitMs ?? 10_000)
    await this.applier.request()
  }

  /**
   * CNI DEL / GC / ADD rollback: the pod's chains go and its flows are cut. Called before the
   * attachment is released (cni/commands.ts CniHooks.podRemoved), so the veth is left out of
   * every compile from now on; or after the release (no veth given).
   */
  async noteAttachmentRemoved (hostVeth?: string): Promise<void> {
    if (hostVeth !== undefined) this.removing.add(hostVeth)
    this.publishLocal()
    if (this.synced) await this.applier.request()
  }

  async status (): Promise<PolicyStatus> {
    const counters = await this.applier.refreshCounters().catch(() => this.applier.chainCounters())
    const state = this.applier.current() ?? this.compileNow()
    const s: ApplierStats = this.applier.stats
    const remotePods = this.remotePods()
    return {
      ...(remotePods !== undefined ? { remotePods } : {}),
      source: this.components.source.status(),
      applies: {
        full: s.appliesFull,
        incremental: s.appliesIncremental,
        failed: s.appliesFailed,
        driftRepairs: s.driftRepairs,
        conntrackDeletions: s.conntrackDeletions,
        lastApplyAt: s.lastApplyAt,
        lastError: s.lastError,
        idle: this.applier.idle(),
      },
      rules: s.rules,
      sets: state.sets.size,
      pods: state.pods.map((p) => {
        const inC = counters.get(`in-${p.hostVeth}`)
        const egC = counters.get(`eg-${p.hostVeth}`)
        return {
          ...p,
          ingressAllowedPackets: inC?.allowed ?? 0,
          ingressDroppedPackets: inC?.dropped ?? 0,
          egressAllowedPackets: egC?.allowed ?? 0,
          egressDroppedPackets: egC?.dropped ?? 0,
        }
      }),
    }
  }

  /** Files mode over gossip: other nodes' published pods and what was refused; else undefined. */
  remotePods (): EndpointDirectoryStatus | undefined {
    return this.components.directory?.status?.()
  }

  sourceStatus (): SourceStatus {
    return this.components.source.status()
  }

  /**
   * Dropped packets per local pod and direction, from the last counter read-back. A chain that
   * was rewritten restarts its counter at 0; the totals here add across rewrites so the metric
   * stays a counter.
   */
  dropSamples (): PolicyDropSample[] {
    const counters = this.applier.chainCounters()
    const pods = this.applier.current()?.pods ?? []
    const out: PolicyDropSample[] = []
    const seen = new Set<string>()
    for (const p of pods) {
      for (const direction of ['ingress', 'egress'] as const) {
        const c = counters.get(`${direction === 'ingress' ? 'in' : 'eg'}-${p.hostVeth}`)
        if (c === undefined) continue
        const key = `${p.namespace ?? ''}/${p.name ?? p.hostVeth}|${direction}`
        seen.add(key)
        const acc = this.dropTotals.get(key) ?? { last: 0, total: 0 }
        acc.total += c.dropped >= acc.last ? c.dropped - acc.last : c.dropped
        acc.last = c.dropped
        this.dropTotals.set(key, acc)
        out.push({ pod: key.split('|')[0], direction, packets: acc.total })
      }
    }
    for (const k of [...this.dropTotals.keys()]) if (!seen.has(k)) this.dropTotals.delete(k)
    return out
  }

  private noteSourceChanged (): void {
    if (this.components.source.status().state !== 'synced' && !this.synced) return
    if (!this.synced) {
      this.synced = true
      for (const w of this.syncWaiters.splice(0)) w()
    }
    this.applyInBackground()
  }

  private applyInBackground (): void {
    this.applier.request().catch(() => undefined) // failures are logged and retried by the applier
  }

  private waitSynced (timeoutMs: number): Promise<void> {
    if (this.synced) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== done)
        reject(new PolicyNotReadyError(`the ${this.components.source.status().kind} policy source has not synced yet (${this.components.source.status().lastError || 'waiting'})`))
      }, timeoutMs)
      const done = (): void => { clearTimeout(timer); resolve() }
      this.syncWaiters.push(done)
    })
  }

  private remoteEndpoints (): readonly RemoteEndpoint[] {
    const d = this.components.directory
    if (d === undefined) return []
    return d.remote().filter((e) => e.nodeName !== this.init.nodeName)
  }

  private publishLocal (): void {
    const d = this.components.directory
    if (d === undefined) return
    const out: RemoteEndpoint[] = []
    for (const a of this.localAttachments()) {
      if (a.namespace !== undefined &&
        a.name !== undefined) out.push({ namespace: a.namespace, name: a.name, ip: a.ip, nodeName: this.init.nodeName })
    }
    d.publish(out)
  }
}
