/**
 * What an attachment's ADD said about its pod (network namespace, K8S_POD_NAMESPACE,
 * K8S_POD_NAME), kept by IpamNode beside the address and persisted as the `podMeta` section of
 * ipam.json (POD_META_SECTION), in the same crash-safe write as the allocation.
 *
 * Why it must survive a restart: NetworkPolicy finds a local pod's manifest by this identity
 * (policy/compiler.ts), and in files mode with gossip every node publishes it for the others'
 * peer sets (policy/endpoint-directory.ts). Kept only in memory, a restarted loomd in gossip mode
 * knew its pods by address alone: their policies no longer selected them and the other nodes
 * dropped them from their peer sets. Static mode keeps it in pod-addresses.json's `meta`.
 *
 * A missing section (a first start, or an ipam.json from a loomd before this) holds nothing: the
 * pods of that older loomd stay without identity until they are re-created, as before. A
 * corrupt or planted section stops the start, naming ipam.json (FileStateStore).
 */
import { takeSection, type FileSection } from '../node'
import type { AttachmentMeta } from '../types'

/** The section's key in ipam.json. */
export const POD_META_SECTION = 'podMeta'

/** Most entries a section may hold: far above a node's pods, so a huge planted file is refused. */
const MAX_ENTRIES = 1 << 16
/** Longest key (containerID/ifname) and netns path accepted. */
const MAX_TEXT = 4096
/** Longest Kubernetes object name or namespace (a DNS subdomain). */
const MAX_NAME = 253

export type PodMetaEntries = ReadonlyMap<string, AttachmentMeta>

/** Checks a parsed section; throws naming the first bad entry. */
export function validatePodMeta (raw: unknown): Map<string, AttachmentMeta> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('expected an object')
  const entries = Object.entries(raw as Record<string, unknown>)
  if (entries.length > MAX_ENTRIES) throw new Error(`more than ${MAX_ENTRIES} entries`)
  const out = new Map<string, AttachmentMeta>()
  for (const [key, value] of entries) {
    const v = value as Record<string, unknown> | null
    const text = (x: unknown, max: number): boolean => x === undefined || (typeof x === 'string' && x !== '' && x.length <= max)
    const ok = key.length <= MAX_TEXT && key.lastIndexOf('/') > 0 && key.lastIndexOf('/') < key.length - 1 &&
      typeof v === 'object' && v !== null && !Array.isArray(v) &&
      Object.keys(v).every((k) => k === 'netns' || k === 'podName' || k === 'podNamespace') &&
      text(v.netns, MAX_TEXT) && text(v.podName, MAX_NAME) && text(v.podNamespace, MAX_NAME)
    if (!ok) throw new Error(`entry ${JSON.stringify(key.slice(0, 80))} is not {netns?, podName?, podNamespace?}`)
    out.set(key, {
      ...(v.netns !== undefined ? { netns: v.netns as string } : {}),
      ...(v.podName !== undefined ? { podName: v.podName as string } : {}),
      ...(v.podNamespace !== undefined ? { podNamespace: v.podNamespace as string } : {}),
    })
  }
  return out
}

/**
 * The `podMeta` section of ipam.json, as a FileSection of its store: `validate` takes it out
 * of the loaded document (the rest goes to IPAM's own validator), `toJSON` adds the live
 * entries to every document written. IpamNode attaches its map and takes what was loaded.
 */
export class PodMetaSection implements FileSection {
  private loaded = new Map<string, AttachmentMeta>()
  private live: PodMetaEntries | null = null

  validate<T> (inner: (raw: unknown) => T): (raw: unknown) => T {
    return (raw) => {
      const { section, rest } = takeSection(raw, POD_META_SECTION, 'the pods\' identities', validatePodMeta)
      const out = inner(rest)
      if (section !== undefined) this.loaded = section
      return out
    }
  }

  toJSON<T> (inner: (doc: T) => unknown = (d) => d): (doc: T) => unknown {
    return (doc) => {
      const json = inner(doc)
      const entries = this.live ?? this.loaded
      if (typeof json !== 'object' || json === null) return json
      return { ...json, [POD_META_SECTION]: Object.fromEntries(entries) }
    }
  }

  /** The entries the file held when it was loaded (empty: none); the live map from now on. */
  attach (live: PodMetaEntries): Map<string, AttachmentMeta> {
    this.live = live
    return this.loaded
  }
}
