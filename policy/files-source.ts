/**
 * FilesSource: Namespaces, Pods and NetworkPolicies from a directory of manifests, for clusters
 * without an API server (podman, containerd, tests). Every `*.yaml`, `*.yml` and `*.json` file
 * directly in `dir` is read (YAML may hold several `---` documents; a document may be a List).
 *
 * Reload: on fs.watch events (debounced 100 ms) and every `rescanMs` as a backstop (watch events
 * can be lost). A reload parses everything into a new snapshot and swaps it in only if every file
 * is valid: one bad file keeps the previous snapshot, so a half-written edit never opens or
 * closes the network; the error (file and field) is in status and the log.
 *
 * Pods: labels and container ports come from the manifests; addresses from this node's CNI
 * attachments (by namespace/name) and, in gossip mode, from other nodes' published attachments
 * (endpoint-directory.ts), where `status.podIPs` is ignored; in static mode from `status.podIPs`
 * too (the engine joins them: engine.ts, PodAddressSource).
 */
import { readdirSync, readFileSync, statSync, watch, FSWatcher } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { parseAllDocuments } from 'yaml'
import { ManifestError, PolicySourceConfigError } from './errors'
import { parseManifest } from './manifest'
import type { Namespace, NetworkPolicy, Pod, PolicySnapshot } from './model'
import { objectKey } from './model'
import type { PolicySource, SourceStatus, SourceSyncState } from './source'
import { EMPTY_SNAPSHOT } from './source'

/** Bounds: a manifest directory is small; a huge file is a mistake or an attack. */
const MAX_FILE_BYTES = 16 << 20
const MAX_FILES = 10_000

export interface FilesSourceInit {
  dir: string
  /** Periodic rescan, ms; default 5000. */
  rescanMs?: number
}

export class FilesSource implements PolicySource {
  private current: PolicySnapshot = EMPTY_SNAPSHOT
  private listeners: Array<() => void> = []
  private watcher?: FSWatcher
  private debounce?: NodeJS.Timeout
  private rescan?: NodeJS.Timeout
  private state: SourceSyncState = 'syncing'
  private lastError = ''
  private lastChangeAt = 0
  private lastText = ''
  private reloads = 0
  private rejected = 0
  private stopped = false

  constructor (private readonly components: { logger: Logger }, private readonly init: FilesSourceInit) {}

  async start (): Promise<void> {
    try {
      if (!statSync(this.init.dir).isDirectory()) throw new Error('not a directory')
    } catch (err) {
      throw new PolicySourceConfigError('policy.dir',
        `policy.dir ${this.init.dir} is not a readable directory: ${(err as Error).message}`, { cause: err })
    }
    this.reload()
    try {
      this.watcher = watch(this.init.dir, () => { this.scheduleReload() })
      this.watcher.on('error', () => undefined)
    } catch (err) {
      this.components.logger.warn({ err: (err as Error).message },
        'cannot watch the policy directory; relying on the periodic rescan')
    }
    const tick = (): void => {
      this.rescan = setTimeout(() => { this.reload(); if (!this.stopped) tick() }, this.init.rescanMs ?? 5000)
      this.rescan.unref()
    }
    tick()
  }

  stop (): void {
    this.stopped = true
    this.watcher?.close()
    if (this.debounce !== undefined) clearTimeout(this.debounce)
    if (this.rescan !== undefined) clearTimeout(this.rescan)
  }

  snapshot (): PolicySnapshot { return this.current }

  onChange (listener: () => void): void { this.listeners.push(listener) }

  status (): SourceStatus {
    return {
      kind: 'files',
      state: this.state,
      lastError: this.lastError,
      lastChangeAt: this.lastChangeAt,
      namespaces: this.current.namespaces.size,
      pods: this.current.pods.size,
      policies: this.current.policies.size,
      restarts: this.reloads,
      relists: this.rejected,
    }
  }

  private scheduleReload (): void {
    if (this.debounce !== undefined || this.stopped) return
    this.debounce = setTimeout(() => { this.debounce = undefined; this.reload() }, 100)
  }

  /** Reads the directory; swaps the snapshot in only when every file is valid. */
  private reload (): void {
    if (this.stopped) return
    let texts: Array<{ file: string; text: string }>
    try {
      texts = readManifestTexts(this.init.dir)
    } catch (err) {
      return this.fail(`cannot read ${this.init.dir}: ${(err as Error).message}`)
    }
    const joined = texts.map((t) => `${t.file}\0${t.text}`).join('\0\0')
    if (joined === this.lastText && this.state === 'synced') return
    let snap: PolicySnapshot
    try {
      snap = buildSnapshot(texts)
    } catch (err) {
      this.rejected++
      return this.fail((err as Error).message)
    }
    this.lastText = joined
    this.current = snap
    this.state = 'synced'
    this.lastError = ''
    this.lastChangeAt = Date.now()
    this.reloads++
    this.components.logger.info({
      namespaces: snap.namespaces.size, pods: snap.pods.size, policies: snap.policies.size
    }, 'policy manifests loaded')
    for (const l of this.listeners) l()
  }

  private fail (message: string): void {
    if (message !== this.lastError) {
      this.components.logger.error({ err: message },
        'policy manifests rejected; keeping the previous ones')
    }
    this.lastError = message
    // A rejected edit keeps the previous snapshot; the source stays synced if it ever was.
    if (this.state !== 'synced') this.state = 'error'
  }
}

function readManifestTexts (dir: string): Array<{ file: string; text: string }> {
  const names = readdirSync(dir).filter((n) => /\.(ya?ml|json)$/.test(n) && !n.startsWith('.')).sort()
  if (names.length > MAX_FILES) throw new Error(`more than ${MAX_FILES} manifest files`)
  const out: Array<{ file: string; text: string }> = []
  for (const n of names) {
    const path = join(dir, n)
    const st = statSync(path)
    if (!st.isFile()) continue
    if (st.size > MAX_FILE_BYTES) throw new Error(`${n} is larger than ${MAX_FILE_BYTES} bytes`)
    out.push({ file: n, text: readFileSync(path, 'utf8') })
  }
  return out
}

/** Parses manifest texts into a snapshot; throws ManifestError naming file and field. Pure. */
export function buildSnapshot (texts: ReadonlyArray<{ file: string; text: string }>): PolicySnapshot {
  const namespaces = new Map<string, Namespace>()
  const pods = new Map<string, Pod>()
  const policies = new Map<string, NetworkPolicy>()
  for (const { file, text } of texts) {
    const docs: unknown[] = []
    if (file.endsWith('.json')) {
      try {
        docs.push(JSON.parse(text))
      } catch (err) {
        throw new ManifestError(file, '', `not valid JSON: ${(err as Error).message}`)
      }
    } else {
      for (const d of parseAllDocuments(text)) {
        if (d.errors.length > 0) {
          throw new ManifestError(file, '',
          `not valid YAML: ${d.errors[0].message.split('\n')[0]}`)
        }
        docs.push(d.toJS({ maxAliasCount: 100 }))
      }
    }
    docs.forEach((doc, i) => {
      let parsed
      try {
        parsed = parseManifest(doc, docs.length > 1 ? `document ${i + 1}` : 'document')
      } catch (err) {
        if (err instanceof ManifestError) throw new ManifestError(`${file}: ${err.object}`, err.field, err.detail)
        throw err
      }
      for (const o of parsed.objects) {
        const key = o.kind === 'Namespace' ? o.value.name : objectKey(o.value.namespace, o.value.name)
        const target = o.kind === 'Namespace' ? namespaces : o.kind === 'Pod' ? pods : policies
        if (target.has(key)) throw new ManifestError(file, '', `${o.kind} ${key} is defined twice`)
        ;(target as Map<string, unknown>).set(key, o.value)
      }
    })
  }
  return { namespaces, pods, policies }
}
