/**
 * KubernetesSource: Namespaces, Pods and NetworkPolicies from the API server, each kept by a
 * reflector: LIST (paginated) -> replace the store -> WATCH from the list's resourceVersion with
 * bookmarks (which advance the resourceVersion without objects) -> on a normal close, WATCH
 * again from the last resourceVersion; on `410 Gone` (an ERROR event or HTTP 410: the version
 * is older than etcd's compaction) LIST again; on any other error back off (0.5 s doubling to
 * 30 s, reset by a successful LIST or WATCH event) and retry. This is client-go's reflector
 * loop, trimmed to what we need.
 *
 * Pods are watched cluster-wide: peers of a local pod's policy may live on any node, and their
 * addresses come from status.podIPs. The store keeps only the parsed model, not the objects.
 *
 * Needs RBAC get/list/watch on namespaces, pods and networking.k8s.io networkpolicies.
 */
import type { Logger } from 'pino'
import { KubeApiError } from './errors'
import { KubeClient, WatchEvent, WatchHandle } from './kube-client'
import type { KubeAccess } from './types'
import { parseNamespace, parseNetworkPolicy, parsePod } from './manifest'
import type { Namespace, NetworkPolicy, Pod, PolicySnapshot } from './model'
import { objectKey } from './model'
import type { PolicySource, SourceStatus, SourceSyncState } from './source'

const MIN_BACKOFF_MS = 500
const MAX_BACKOFF_MS = 30_000

type Kind = 'namespaces' | 'pods' | 'networkpolicies'

const PATHS: Record<Kind, string> = {
  namespaces: '/api/v1/namespaces',
  pods: '/api/v1/pods',
  networkpolicies: '/apis/networking.k8s.io/v1/networkpolicies',
}

export interface KubernetesSourceInit {
  /** Server-side watch timeout, seconds; default 300 (the watch is then resumed). */
  watchTimeoutSeconds?: number
}

export class KubernetesSource implements PolicySource {
  private readonly client: KubeClient
  private readonly stores = {
    namespaces: new Map<string, Namespace>(),
    pods: new Map<string, Pod>(),
    networkpolicies: new Map<string, NetworkPolicy>(),
  }

  private readonly listed = new Set<Kind>()
  private readonly versions = new Map<Kind, string>()
  private readonly watches = new Map<Kind, WatchHandle>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly backoff = new Map<Kind, number>()
  private listeners: Array<() => void> = []
  private cached?: PolicySnapshot
  private lastError = ''
  /** Kinds whose last request failed (cleared by a successful LIST or an accepted WATCH). */
  private readonly failing = new Set<Kind>()
  private lastChangeAt = 0
  private restarts = 0
  private relists = 0
  private stopped = false

  constructor (private readonly components: { logger: Logger }, access: KubeAccess,
    private readonly init: KubernetesSourceInit = {}) {
    this.client = new KubeClient(access)
  }

  async start (): Promise<void> {
    for (const kind of Object.keys(PATHS) as Kind[]) void this.listAndWatch(kind)
  }

  stop (): void {
    this.stopped = true
    for (const w of this.watches.values()) w.close()
    for (const t of this.timers) clearTimeout(t)
  }

  snapshot (): PolicySnapshot {
    if (this.cached === undefined) {
      this.cached = {
        namespaces: new Map(this.stores.namespaces),
        pods: new Map(this.stores.pods),
        policies: new Map(this.stores.networkpolicies),
      }
    }
    return this.cached
  }

  onChange (listener: () => void): void { this.listeners.push(listener) }

  status (): SourceStatus {
    // Once everything was listed the data stays usable while a watch is being re-established.
    const state: SourceSyncState = this.listed.size === 3 ? 'synced' : this.failing.size > 0 ? 'error' : 'syncing'
    return {
      kind: 'kubernetes',
      state,
      lastError: this.lastError,
      lastChangeAt: this.lastChangeAt,
      namespaces: this.stores.namespaces.size,
      pods: this.stores.pods.size,
      policies: this.stores.networkpolicies.size,
      restarts: this.restarts,
      relists: this.relists,
    }
  }

  private async listAndWatch (kind: Kind): Promise<void> {
    if (this.stopped) return
    let list
    try {
      list = await this.client.list(PATHS[kind])
    } catch (err) {
      return this.retryLater(kind, err as Error, 'list')
    }
    if (this.stopped) return
    const store = this.stores[kind] as Map<string, unknown>
    store.clear()
    for (const item of list.items) this.upsert(kind, item as Record<string, unknown>)
    this.versions.set(kind, list.resourceVersion)
    this.listed.add(kind)
    this.backoff.delete(kind)
    this.failing.delete(kind)
    this.changed()
    this.components.logger.info({ kind, objects: store.size, resourceVersion: list.resourceVersion },
      'kubernetes list done')
    this.startWatch(kind)
  }

  private startWatch (kind: Kind): void {
    if (this.stopped) return
    const rv = this.versions.get(kind) ?? ''
    // Set once this watch is finished with (410 seen): later callbacks of it are ignored.
    let done = false
    // A non-410 ERROR event: the server ends the watch next; resume it after backoff, not at once.
    let failed: Error | undefined
    const handle: WatchHandle = this.client.watch(PATHS[kind], rv, this.init.watchTimeoutSeconds ?? 300, (e) => {
      if (done) return
      const verdict = this.onEvent(kind, e)
      if (verdict === 'error') failed = new KubeApiError(0, this.lastError)
      if (verdict !== 'gone') return
      // An ERROR event with 410: closing the handle silences its onEnd, so relist from here.
      done = true
      handle.close()
      this.relist(kind)
    }, (err) => {
      if (done) return
      done = true
      this.watches.delete(kind)
      if (this.stopped) return
      const cause = err ?? failed
      if (err instanceof KubeApiError && err.status === 410) {
        this.relist(kind)
      } else if (cause !== undefined) {
        this.retryLater(kind, cause, 'watch')
      } else {
        this.restarts++
        this.startWatch(kind)
      }
    }, () => {
      this.failing.delete(kind)
      if (this.backoff.has(kind)) this.components.logger.info({ kind, resourceVersion: rv }, 'kubernetes watch resumed')
    })
    this.watches.set(kind, handle)
  }

  /** The resourceVersion is older than the server's history (410 Gone): list again. */
  private relist (kind: Kind): void {
    this.watches.delete(kind)
    if (this.stopped) return
    this.relists++
    this.components.logger.info({ kind, resourceVersion: this.versions.get(kind) },
      'kubernetes watch expired (410 Gone); listing again')
    void this.listAndWatch(kind)
  }

  /** Applies one event; 'gone' when it says the resourceVersion is gone (relist), 'error' for other ERROR events. */
  private onEvent (kind: Kind, e: WatchEvent): 'ok' | 'gone' | 'error' {
    const meta = e.object.metadata as { resourceVersion?: string } | undefined
    if (e.type === 'ERROR') {
      const code = (e.object as { code?: number }).code
      if (code === 410) return 'gone'
      this.lastError = `watch ${kind}: ${String((e.object as { message?: string }).message ?? code)}`
      this.components.logger.warn({ kind, code, err: this.lastError }, 'kubernetes watch error event')
      return 'error'
    }
    if (typeof meta?.resourceVersion === 'string') this.versions.set(kind, meta.resourceVersion)
    this.backoff.delete(kind)
    if (e.type === 'BOOKMARK') return 'ok'
    if (e.type === 'DELETED') {
      const m = e.object.metadata as { name?: string; namespace?: string }
      const key = kind === 'namespaces' ? String(m.name) : objectKey(String(m.namespace), String(m.name))
      ;(this.stores[kind] as Map<string, unknown>).delete(key)
    } else {
      this.upsert(kind, e.object)
    }
    this.changed()
    return 'ok'
  }

  private upsert (kind: Kind, o: Record<string, unknown>): void {
    try {
      if (kind === 'namespaces') {
        const ns = parseNamespace({ ...o, kind: 'Namespace' })
        this.stores.namespaces.set(ns.name, ns)
      } else if (kind === 'pods') {
        const pod = parsePod({ ...o, kind: 'Pod' })
        this.stores.pods.set(objectKey(pod.namespace, pod.name), pod)
      } else {
        const np = parseNetworkPolicy({ ...o, kind: 'NetworkPolicy' })
        this.stores.networkpolicies.set(objectKey(np.namespace, np.name), np)
      }
    } catch (err) {
      // The API server validated it; something newer than we understand. Skip, say so.
      this.lastError = (err as Error).message
      this.components.logger.warn({ kind, err: (err as Error).message },
        'ignoring an object the policy model cannot read')
    }
  }

  private changed (): void {
    this.cached = undefined
    this.lastChangeAt = Date.now()
    for (const l of this.listeners) l()
  }

  private retryLater (kind: Kind, err: Error, what: string): void {
    if (this.stopped) return
    const delay = this.backoff.get(kind) ?? MIN_BACKOFF_MS
    this.backoff.set(kind, Math.min(delay * 2, MAX_BACKOFF_MS))
    this.failing.add(kind)
    this.lastError = `${what} ${kind}: ${err.message}`
    this.components.logger.warn({ kind, err: err.message, retryInMs: delay },
      'kubernetes API request failed; backing off')
    const t = setTimeout(() => {
      this.timers.delete(t)
      if (what === 'watch' && this.listed.has(kind)) {
        this.restarts++; this.startWatch(kind)
      } else void this.listAndWatch(kind)
    }, delay)
    this.timers.add(t)
  }
}
