/**
 * IncrementalCompiler: the same DesiredState as `compile()` (compiler.ts, the source of truth),
 * maintained across changes so that a one-pod change costs work in proportion to what depends
 * on that pod, not to the cluster. At 5 000 pods and 500 policies a full compile is seconds of
 * CPU; issue 12 wants changes applied within 2 s.
 *
 * Each `update(input)` takes the whole current input (as `compile` does), compares it with the
 * previous one and recomputes only:
 * - a local pod's chains when its attachment, its pod (labels, ports, addresses) or a policy
 *   of its namespace changed (`compileLocalPod`, the function `compile` uses);
 * - a peer set's elements at the addresses of changed pods: each set keeps, per pod address,
 *   how many selected pods hold it, and its ipBlocks; an address whose coverage flips is added
 *   to or cut out of the set's normalised intervals in place (so merged neighbours come out as
 *   `compile` would render them), and its elements are spliced accordingly;
 * - a named-port set's elements at those same addresses (its pods there, and whether the rule's
 *   peers still cover them).
 * Sets of a changed policy, sets whose peers have a namespaceSelector when a namespace's labels
 * changed, and every set when more than `maxPodDelta` pods changed at once are rebuilt from
 * scratch with compiler.ts's functions. Unchanged sets and chains keep their objects, so
 * `renderIncremental` and the conntrack plan skip them by identity.
 *
 * `test/unit/policy-incremental.test.ts` checks, for random sequences of pod, namespace,
 * policy and attachment changes, that every `update` equals `compile` of the same input.
 */
import type { DesiredState, NftSetSpec } from './desired-state'
import type { ClusterPod, LocalPodResult, SetRequest } from './compiler'
import type { CompileInput, Interval } from './types'
import {
  buildClusterPods, compareElements, compileLocalPod, ipBlockIntervals, namedContainerPort, namedPortElement,
  namedPortSetSpec, namespaceLabelsOf, peerSetSpec, resolveAttachment, ruleSelectsPod, sortedLocals, sortedPolicies,
  sortElements, assembleState,
} from './compiler'
import { containsAddress, findInterval, intervalsToNftElements, normalize } from './ipv4-intervals'
import type { Labels, LocalAttachment, Namespace } from './model'
import { NAMESPACE_NAME_LABEL, objectKey } from './model'
import { tryParseIPv4Address } from '../lib'

type PeerRequest = Extract<SetRequest, { type: 'peers' }>
type NamedPortRequest = Extract<SetRequest, { type: 'named-port' }>

interface PeerSetState {
  readonly req: PeerRequest
  readonly policyKey: string
  readonly dependsOnNamespaces: boolean
  /** The rule's ipBlocks (minus excepts), normalised. */
  readonly base: readonly Interval[]
  /** Pod address -> number of pods the rule selects that hold it. */
  readonly counts: Map<number, number>
  /** Normalised union of `base` and the counted addresses; `spec.elements` renders it 1:1. */
  intervals: Interval[]
  spec: NftSetSpec
}

interface NamedPortSetState {
  readonly req: NamedPortRequest
  readonly policyKey: string
  /** Pod address (text) -> its elements in the set. */
  readonly byIP: Map<string, readonly string[]>
  spec: NftSetSpec
}

interface LocalEntry {
  readonly att: LocalAttachment
  readonly pod?: ClusterPod
  readonly result: LocalPodResult
}

interface PodChange { readonly before?: ClusterPod; readonly after?: ClusterPod }

export interface IncrementalCompilerInit {
  /** More pods changed than this in one update: rebuild every set from scratch; default 256. */
  maxPodDelta?: number
}

export class IncrementalCompiler {
  private primed = false
  private pods = new Map<string, ClusterPod>()
  private namespaces: ReadonlyMap<string, Namespace> = new Map()
  private policyText = new Map<string, string>()
  private locals = new Map<string, LocalEntry>()
  private peerSets = new Map<string, PeerSetState>()
  private namedPortSets = new Map<string, NamedPortSetState>()
  private readonly maxPodDelta: number
  /** What the last update did, for logs and the benchmark. */
  lastUpdate = { rebuiltSets: 0, patchedSets: 0, recompiledPods: 0, changedPods: 0 }

  constructor (init: IncrementalCompilerInit = {}) {
    this.maxPodDelta = init.maxPodDelta ?? 256
  }

  /** Forgets everything: the next update is a compile from scratch. */
  reset (): void {
    this.primed = false
    this.pods = new Map()
    this.namespaces = new Map()
    this.policyText = new Map()
    this.locals = new Map()
    this.peerSets = new Map()
    this.namedPortSets = new Map()
  }

  update (input: CompileInput): DesiredState {
    try {
      return this.step(input)
    } catch (err) {
      this.reset() // a half-applied delta must not survive into the next update
      throw err
    }
  }

  private step (input: CompileInput): DesiredState {
    const stats = { rebuiltSets: 0, patchedSets: 0, recompiledPods: 0, changedPods: 0 }
    const pods = buildClusterPods(input)
    const podByKey = new Map(pods.map((p) => [objectKey(p.namespace, p.name), p]))
    const labelsOf = (ns: string): Labels => namespaceLabelsOf(input.snapshot, ns)
    const policies = sortedPolicies(input.snapshot)

    // What changed since the last update.
    const changes: PodChange[] = []
    for (const [key, after] of podByKey) {
      const before = this.pods.get(key)
      if (before === undefined) changes.push({ after })
      else if (!samePod(before, after)) changes.push({ before, after })
    }
    for (const [key, before] of this.pods) if (!podByKey.has(key)) changes.push({ before })
    stats.changedPods = changes.length
    const namespacesChanged = this.namespacesChanged(input.snapshot.namespaces)
    const policyText = new Map<string, string>()
    for (const [key, p] of input.snapshot.policies) policyText.set(key, JSON.stringify(p))
    const changedPolicies = new Set<string>()
    const changedPolicyNamespaces = new Set<string>()
    for (const key of new Set([...policyText.keys(), ...this.policyText.keys()])) {
      if (policyText.get(key) === this.policyText.get(key)) continue
      changedPolicies.add(key)
      changedPolicyNamespaces.add(key.slice(0, key.indexOf('/')))
    }
    const rebuildAll = !this.primed || changes.length > this.maxPodDelta

    // Sets that stay valid take the pod changes; the others are dropped and rebuilt below if
    // some chain still names them.
    const podsByIP = new Map<string, ClusterPod[]>()
    for (const p of pods) for (const ip of p.ips) podsByIP.set(ip, [...(podsByIP.get(ip) ?? []), p])
    const touchedIPs = new Set<string>()
    for (const c of changes) for (const p of [c.before, c.after]) for (const ip of p?.ips ?? []) touchedIPs.add(ip)
    for (const [name, st] of this.peerSets) {
      if (rebuildAll || changedPolicies.has(st.policyKey) || (namespacesChanged && st.dependsOnNamespaces)) {
        this.peerSets.delete(name)
      } else if (changes.length > 0 && patchPeerSet(st, changes, labelsOf)) stats.patchedSets++
    }
    for (const [name, st] of this.namedPortSets) {
      const peers = st.req.peers === undefined ? undefined : this.peerSets.get(st.req.peers)
      if (rebuildAll || changedPolicies.has(st.policyKey) || (st.req.peers !== undefined && peers === undefined)) {
        this.namedPortSets.delete(name)
      } else if (touchedIPs.size > 0 && patchNamedPortSet(st, touchedIPs, podsByIP, peers?.intervals)) {
        stats.patchedSets++
      }
    }

    // Local pods: chains recompiled only where their inputs changed.
    const podOfIP = new Map<string, ClusterPod>()
    for (const p of pods) for (const ip of p.ips) podOfIP.set(ip, p)
    const locals = new Map<string, LocalEntry>()
    const results: LocalPodResult[] = []
    for (const given of sortedLocals(input.local)) {
      const att = resolveAttachment(given, (ip) => podOfIP.get(ip))
      const pod = att.namespace !== undefined && att.name !== undefined
        ? podByKey.get(objectKey(att.namespace, att.name))
        : undefined
      const old = this.locals.get(given.hostVeth)
      const reuse = old !== undefined && !rebuildAll && sameAttachment(old.att, att) &&
        (old.pod === undefined ? pod === undefined : pod !== undefined && samePod(old.pod, pod)) &&
        (pod === undefined || !changedPolicyNamespaces.has(pod.namespace))
      const result = reuse ? old.result : compileLocalPod(att, pod, policies)
      if (!reuse) stats.recompiledPods++
      locals.set(given.hostVeth, { att, ...(pod !== undefined ? { pod } : {}), result })
      results.push(result)
    }

    // The sets the chains name now: drop the rest, build the missing ones (peers first: a
    // named-port set filters by its rule's peers).
    const needed = new Map<string, SetRequest>()
    for (const r of results) for (const req of r.sets) if (!needed.has(req.name)) needed.set(req.name, req)
    for (const name of this.peerSets.keys()) if (!needed.has(name)) this.peerSets.delete(name)
    for (const name of this.namedPortSets.keys()) if (!needed.has(name)) this.namedPortSets.delete(name)
    for (const req of needed.values()) {
      if (req.type !== 'peers' || this.peerSets.has(req.name)) continue
      this.peerSets.set(req.name, buildPeerSet(req, pods, labelsOf))
      stats.rebuiltSets++
    }
    for (const req of needed.values()) {
      if (req.type !== 'named-port' || this.namedPortSets.has(req.name)) continue
      const peers = req.peers === undefined ? undefined : this.peerSets.get(req.peers)?.intervals
      this.namedPortSets.set(req.name, buildNamedPortSet(req, pods, peers))
      stats.rebuiltSets++
    }
    const sets = new Map<string, NftSetSpec>()
    for (const [name, st] of this.peerSets) sets.set(name, st.spec)
    for (const [name, st] of this.namedPortSets) sets.set(name, st.spec)

    this.primed = true
    this.pods = podByKey
    this.namespaces = input.snapshot.namespaces
    this.policyText = policyText
    this.locals = locals
    this.lastUpdate = stats
    return assembleState(results, sets)
  }

  /** Did any namespace's effective labels (namespaceLabelsOf) change? */
  private namespacesChanged (now: ReadonlyMap<string, Namespace>): boolean {
    if (now === this.namespaces) return false
    for (const name of new Set([...now.keys(), ...this.namespaces.keys()])) {
      const fallback = { [NAMESPACE_NAME_LABEL]: name }
      if (!sameLabels(now.get(name)?.labels ?? fallback, this.namespaces.get(name)?.labels ?? fallback)) return true
    }
    return false
  }
}

function buildPeerSet (req: PeerRequest, pods: readonly ClusterPod[], labelsOf: (ns: string) => Labels): PeerSetState {
  const base = ipBlockIntervals(req.rule)
  const counts = new Map<number, number>()
  if (req.rule.peers.some((p) => p.ipBlock === undefined)) {
    for (const pod of pods) {
      if (!ruleSelectsPod(req.policy, req.rule, pod, labelsOf(pod.namespace))) continue
      for (const n of pod.addresses) counts.set(n, (counts.get(n) ?? 0) + 1)
    }
  }
  const intervals = normalize([...base, ...[...counts.keys()].map((n) => ({ first: n, last: n }))])
  return {
    req,
    policyKey: objectKey(req.policy.namespace, req.policy.name),
    dependsOnNamespaces: req.rule.peers.some((p) => p.namespaceSelector !== undefined),
    base,
    counts,
    intervals,
    spec: peerSetSpec(req.policy, req.dir, req.ri, intervals),
  }
}

/**
 * Moves the changed pods' addresses in or out of the set. Namespace labels are read as they are
 * now: a set that depends on them was dropped when any changed. True when the elements changed.
 */
function patchPeerSet (st: PeerSetState, changes: readonly PodChange[], labelsOf: (ns: string) => Labels): boolean {
  if (!st.req.rule.peers.some((p) => p.ipBlock === undefined)) return false
  const touched = new Set<number>()
  const count = (pod: ClusterPod | undefined, delta: number): void => {
    if (pod === undefined || !ruleSelectsPod(st.req.policy, st.req.rule, pod, labelsOf(pod.namespace))) return
    for (const n of pod.addresses) {
      const c = (st.counts.get(n) ?? 0) + delta
      if (c > 0) st.counts.set(n, c)
      else st.counts.delete(n)
      touched.add(n)
    }
  }
  for (const c of changes) { count(c.before, -1); count(c.after, 1) }
  let intervals: Interval[] | undefined
  let elements: string[] | undefined
  for (const n of touched) {
    const want = st.counts.has(n) || containsAddress(st.base, n)
    if (want === containsAddress(intervals ?? st.intervals, n)) continue
    intervals ??= [...st.intervals]
    elements ??= [...st.spec.elements]
    if (want) addPoint(intervals, elements, n)
    else removePoint(intervals, elements, n)
  }
  if (intervals === undefined || elements === undefined) return false
  st.intervals = intervals
  st.spec = { ...st.spec, elements }
  return true
}

/** Adds address `n` (not covered) to sorted, maximal intervals, merging with its neighbours. */
function addPoint (intervals: Interval[], elements: string[], n: number): void {
  let lo = 0
  let hi = intervals.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (intervals[mid].first < n) lo = mid + 1
    else hi = mid
  }
  const prev = intervals[lo - 1]
  const next = intervals[lo]
  const joinPrev = prev !== undefined && prev.last + 1 === n
  const joinNext = next !== undefined && next.first - 1 === n
  const start = joinPrev ? lo - 1 : lo
  const iv = { first: joinPrev ? prev.first : n, last: joinNext ? next.last : n }
  const removed = (joinPrev ? 1 : 0) + (joinNext ? 1 : 0)
  intervals.splice(start, removed, iv)
  elements.splice(start, removed, ...intervalsToNftElements([iv]))
}

/** Cuts address `n` (covered) out of its interval. */
function removePoint (intervals: Interval[], elements: string[], n: number): void {
  const i = findInterval(intervals, n)
  const iv = intervals[i]
  const pieces: Interval[] = []
  if (iv.first < n) pieces.push({ first: iv.first, last: n - 1 })
  if (n < iv.last) pieces.push({ first: n + 1, last: iv.last })
  intervals.splice(i, 1, ...pieces)
  elements.splice(i, 1, ...intervalsToNftElements(pieces))
}

/** The set's elements at one address: each pod there naming the port, if the peers cover it. */
function elementsAt (req: NamedPortRequest, ip: string, podsThere: readonly ClusterPod[],
  peers: readonly Interval[] | undefined): string[] {
  if (peers !== undefined && !containsAddress(peers, tryParseIPv4Address(ip) as number)) return []
  const out = new Set<string>()
  for (const pod of podsThere) {
    const cp = namedContainerPort(pod, req.port)
    if (cp !== undefined) out.add(namedPortElement(ip, req.port, cp))
  }
  return [...out]
}

function buildNamedPortSet (req: NamedPortRequest, pods: readonly ClusterPod[],
  peers: readonly Interval[] | undefined): NamedPortSetState {
  const podsByIP = new Map<string, ClusterPod[]>()
  for (const p of pods) {
    if (namedContainerPort(p, req.port) === undefined) continue
    for (const ip of p.ips) podsByIP.set(ip, [...(podsByIP.get(ip) ?? []), p])
  }
  const byIP = new Map<string, readonly string[]>()
  for (const [ip, there] of podsByIP) {
    const e = elementsAt(req, ip, there, peers)
    if (e.length > 0) byIP.set(ip, e)
  }
  return {
    req,
    policyKey: objectKey(req.policy.namespace, req.policy.name),
    byIP,
    spec: namedPortSetSpec(req.policy, req.ri, req.port, sortElements([...byIP.values()].flat())),
  }
}

function patchNamedPortSet (st: NamedPortSetState, ips: ReadonlySet<string>,
  podsByIP: ReadonlyMap<string, readonly ClusterPod[]>, peers: readonly Interval[] | undefined): boolean {
  let elements: string[] | undefined
  for (const ip of ips) {
    const want = elementsAt(st.req, ip, podsByIP.get(ip) ?? [], peers)
    const have = st.byIP.get(ip) ?? []
    if (want.length === have.length && want.every((e) => have.includes(e))) continue
    elements ??= [...st.spec.elements]
    for (const e of have) if (!want.includes(e)) elements.splice(elementIndex(elements, e), 1)
    for (const e of want) if (!have.includes(e)) elements.splice(elementIndex(elements, e), 0, e)
    if (want.length > 0) st.byIP.set(ip, want)
    else st.byIP.delete(ip)
  }
  if (elements === undefined) return false
  st.spec = { ...st.spec, elements }
  return true
}

/** Where `e` is, or would go, in elements sorted by compareElements (binary search). */
function elementIndex (elements: readonly string[], e: string): number {
  let lo = 0
  let hi = elements.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (compareElements(elements[mid], e) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

function sameLabels (a: Labels, b: Labels): boolean {
  if (a === b) return true
  const ka = Object.keys(a)
  return ka.length === Object.keys(b).length &&
    ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k])
}

function samePod (a: ClusterPod, b: ClusterPod): boolean {
  return a.namespace === b.namespace && a.name === b.name && sameLabels(a.labels, b.labels) &&
    a.ips.length === b.ips.length && a.ips.every((ip, i) => b.ips[i] === ip) &&
    (a.ports === b.ports || JSON.stringify(a.ports) === JSON.stringify(b.ports))
}

function sameAttachment (a: LocalAttachment, b: LocalAttachment): boolean {
  return a.hostVeth === b.hostVeth && a.ip === b.ip && a.namespace === b.namespace && a.name === b.name
}
