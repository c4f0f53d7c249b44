/**
 * Which conntrack entries to delete after a change, so that a connection that the new policy no
 * longer allows does not live on through `ct state established` (S11 leaves this to the
 * implementation; we cut them, like kube-network-policies' strict mode), and so that a deleted
 * pod's address, when reused, inherits no flows. Pure: old and new DesiredState in, filters out.
 *
 * Precise where it is cheap, so that an unrelated change keeps established connections:
 * - a local pod gone: every flow from and to its address;
 * - a pod that becomes isolated in a direction, or whose chain lost a rule: its flows in that
 *   direction (ingress: destination = pod; egress: source = pod);
 * - a peer set that lost elements: for each pod whose chain references the set, the flows
 *   between the pod and each removed single address (a removed range: all the pod's flows in
 *   that direction). Additions never delete anything.
 */
import type { DesiredState, LocalPodPolicy } from './desired-state'

export interface ConntrackFilter {
  readonly src?: string
  readonly dst?: string
}

const SINGLE_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/

export function planConntrackDeletions (old: DesiredState, next: DesiredState): ConntrackFilter[] {
  const out = new Map<string, ConntrackFilter>()
  const add = (f: ConntrackFilter): void => { out.set(`${f.src ?? '*'}>${f.dst ?? '*'}`, f) }
  const nextByVeth = new Map(next.pods.map((p) => [p.hostVeth, p]))
  for (const p of old.pods) {
    const now = nextByVeth.get(p.hostVeth)
    if (now === undefined || now.ip !== p.ip) { add({ src: p.ip }); add({ dst: p.ip }) }
  }
  for (const pod of next.pods) {
    for (const dir of ['ingress', 'egress'] as const) {
      const chainName = `${dir === 'ingress' ? 'in' : 'eg'}-${pod.hostVeth}`
      const after = next.chains.get(chainName)
      if (after === undefined) continue
      const before = old.chains.get(chainName)
      const podSide = (other?: string): ConntrackFilter => dir === 'ingress'
        ? { ...(other !== undefined ? { src: other } : {}), dst: pod.ip }
        : { src: pod.ip, ...(other !== undefined ? { dst: other } : {}) }
      if (before === undefined || !isSubset(before.rules.slice(0, -1), after.rules)) { add(podSide()); continue }
      for (const setName of referencedSets(after.rules)) {
        const b = old.sets.get(setName)
        const a = next.sets.get(setName)
        if (b === undefined || a === undefined || a.elements === b.elements) continue
        const kept = new Set(a.elements)
        for (const e of b.elements) {
          if (kept.has(e)) continue
          const addr = e.split(' . ')[0]
          add(SINGLE_ADDRESS.test(addr) ? podSide(addr) : podSide())
        }
      }
    }
  }
  return [...out.values()]
}

/** Local pods whose flows would be cut; for logs. */
export function podsOf (filters: readonly ConntrackFilter[], pods: readonly LocalPodPolicy[]): string[] {
  const ips = new Set(filters.flatMap((f) => [f.src, f.dst]))
  return pods.filter((p) => ips.has(p.ip)).map((p) => `${p.namespace ?? ''}/${p.name ?? p.hostVeth}`)
}

function referencedSets (rules: readonly string[]): Set<string> {
  const out = new Set<string>()
  for (const r of rules) for (const m of r.matchAll(/@([A-Za-z0-9_-]+)/g)) out.add(m[1])
  return out
}

function isSubset (a: readonly string[], b: readonly string[]): boolean {
  const s = new Set(b)
  return a.every((x) => s.has(x))
}
