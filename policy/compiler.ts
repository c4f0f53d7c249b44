/**
 * The policy compiler: cluster view (namespaces, pods, policies, this node's attachments) to the
 * DesiredState of table `inet loom`. Pure and deterministic (same input, same output, same
 * order), so the renderer's golden files and the incremental diff are stable.
 *
 * Semantics implemented (numbers refer to the table S1-S12 in docs/ARCHITECTURE.md, NetworkPolicy):
 * - S1 isolation: a local pod gets an ingress (egress) chain only when a policy of its namespace
 *   selects it and lists Ingress (Egress) in its effective policyTypes; otherwise it is not in
 *   the dispatch map and the forward chain's policy accepts.
 * - S3 additive: a chain holds every rule of every selecting policy; order is irrelevant since
 *   every rule only allows; the chain ends in a counted drop.
 * - S4 a rule without peers matches every address, without ports every protocol (no L4 match).
 * - S5 peers: one interval set per (policy, direction, rule) = union of the peers' pods (/32)
 *   and ipBlocks (CIDR minus excepts). A podSelector alone means the policy's namespace; a
 *   namespaceSelector alone every pod of matching namespaces; both = AND.
 * - S6 ports: protocol + port / range; a named port resolves against the destination pod:
 *   on ingress the selected local pod itself (a plain dport), on egress every destination pod
 *   in the rule's peers, as an (ip . proto . port) set.
 * - S7 egress chains `return` on allow so that the destination's ingress chain still runs on
 *   this node; ingress chains `accept`.
 * - S8/S11 replies and established flows: the forward chain's `ct state established,related`.
 * - S9 node traffic is INPUT/OUTPUT, never FORWARD, so it is never filtered.
 */
import { createHash } from 'node:crypto'
import type { DesiredState, LocalPodPolicy, NftChainSpec, NftSetSpec } from './desired-state'
import { tryParseIPv4Address } from '../lib'
import { containsAddress, intervalsToNftElements, normalize, parseIPv4CIDR, subtract } from './ipv4-intervals'
import type { CompileInput, Interval } from './types'
import type {
  Labels, LocalAttachment, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule, Pod,
  PolicySnapshot, Protocol,
} from './model'
import { NAMESPACE_NAME_LABEL, objectKey } from './model'
import { selectorMatches } from './selector'

/** A pod with everything the compiler needs: identity, labels, ports, IPv4 addresses. */
export interface ClusterPod {
  readonly namespace: string
  readonly name: string
  readonly labels: Labels
  readonly ports: Pod['ports']
  readonly ips: readonly string[]
  /** `ips` parsed, same order (parsing is what a compile at scale spends its time on otherwise). */
  readonly addresses: readonly number[]
}

/**
 * Joins the source's pods with addresses from this node's attachments and other nodes'
 * published endpoints (files mode). A pod known only from an attachment or an endpoint (no
 * manifest) has no labels and no ports but still belongs to its namespace, so
 * namespace-wide policies (`podSelector: {}`) and namespace peers include it.
 */
export function buildClusterPods (input: CompileInput): ClusterPod[] {
  const byKey = new Map<string, { pod: Omit<ClusterPod, 'ips' | 'addresses'>; ips: Set<string> }>()
  for (const [key, p] of input.snapshot.pods) {
    if (p.hostNetwork) continue
    byKey.set(key,
      { pod: { namespace: p.namespace, name: p.name, labels: p.labels, ports: p.ports }, ips: new Set(p.ips) })
  }
  const addIP = (namespace: string | undefined, name: string | undefined, ip: string): void => {
    if (namespace === undefined || name === undefined || tryParseIPv4Address(ip) === undefined) return
    const key = objectKey(namespace, name)
    let e = byKey.get(key)
    if (e === undefined) {
      if (input.snapshot.pods.get(key)?.hostNetwork === true) return
      e = { pod: { namespace, name, labels: {}, ports: [] }, ips: new Set() }
      byKey.set(key, e)
    }
    e.ips.add(ip)
  }
  // An attachment without identity (CNI_ARGS had no K8S_POD_*, or a state file from before
  // they were kept) is matched by address to a pod whose status names it (kubernetes mode).
  const byIP = new Map<string, Pod>()
  for (const p of input.snapshot.pods.values()) if (!p.hostNetwork) for (const ip of p.ips) byIP.set(ip, p)
  for (const a of input.local) {
    const owner = a.namespace === undefined || a.name === undefined ? byIP.get(a.ip) : undefined
    addIP(owner?.namespace ?? a.namespace, owner?.name ?? a.name, a.ip)
  }
  for (const r of input.remote) addIP(r.namespace, r.name, r.ip)
  const out: ClusterPod[] = []
  for (const key of [...byKey.keys()].sort()) {
    const e = byKey.get(key) as { pod: Omit<ClusterPod, 'ips' | 'addresses'>; ips: Set<string> }
    const ips = [...e.ips].sort()
    out.push({ ...e.pod, ips, addresses: ips.map((ip) => tryParseIPv4Address(ip) as number) })
  }
  return out
}

/** Short stable id of a policy for set names (nft names stay well under the kernel's limit). */
export function policyId (p: NetworkPolicy): string {
  return createHash('sha256').update(objectKey(p.namespace, p.name)).digest('hex').slice(0, 10)
}

export const L4: Record<Protocol, string> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' }

/** Effective labels of a namespace: its object's, or only the S10 name label when none is known. */
export function namespaceLabelsOf (snapshot: PolicySnapshot, ns: string): Labels {
  return snapshot.namespaces.get(ns)?.labels ?? { [NAMESPACE_NAME_LABEL]: ns }
}

/** Does this pod-selecting peer (no ipBlock) include the pod? S5; `nsLabels` = the pod's namespace's. */
export function peerSelectsPod (policy: NetworkPolicy, peer: NetworkPolicyPeer, pod: ClusterPod,
  nsLabels: Labels): boolean {
  if (peer.namespaceSelector === undefined) {
    if (pod.namespace !== policy.namespace) return false
  } else if (!selectorMatches(peer.namespaceSelector, nsLabels)) return false
  return peer.podSelector === undefined || selectorMatches(peer.podSelector, pod.labels)
}

/** Does any of the rule's pod-selecting peers include the pod? */
export function ruleSelectsPod (policy: NetworkPolicy, rule: NetworkPolicyRule, pod: ClusterPod,
  nsLabels: Labels): boolean {
  return rule.peers.some((peer) => peer.ipBlock === undefined && peerSelectsPod(policy, peer, pod, nsLabels))
}

/** The union of the rule's ipBlocks (each CIDR minus its excepts), normalised; IPv6 blocks add nothing. */
export function ipBlockIntervals (rule: NetworkPolicyRule): Interval[] {
  const out: Interval[] = []
  for (const peer of rule.peers) {
    if (peer.ipBlock === undefined) continue
    const base = parseIPv4CIDR(peer.ipBlock.cidr)
    if (base === undefined) continue // IPv6: matches no IPv4 packet, yet still a peer (never "all")
    const except = peer.ipBlock.except.map(parseIPv4CIDR).filter((c): c is Interval => c !== undefined)
    out.push(...subtract([base], except))
  }
  return normalize(out)
}

/** The rule's peer set (S5): its ipBlocks plus every address of every pod a peer selects. */
export function rulePeerIntervals (policy: NetworkPolicy, rule: NetworkPolicyRule, pods: readonly ClusterPod[],
  labelsOf: (ns: string) => Labels): Interval[] {
  const out: Interval[] = ipBlockIntervals(rule)
  if (rule.peers.some((p) => p.ipBlock === undefined)) {
    for (const pod of pods) {
      if (!ruleSelectsPod(policy, rule, pod, labelsOf(pod.namespace))) continue
      for (const n of pod.addresses) out.push({ first: n, last: n })
    }
  }
  return normalize(out)
}

export function peerSetName (policy: NetworkPolicy, dir: 'in' | 'eg', ri: number): string {
  return `${dir}-${policyId(policy)}-${ri}`
}

export function peerSetSpec (policy: NetworkPolicy, dir: 'in' | 'eg', ri: number, intervals: readonly Interval[]): NftSetSpec {
  return {
    type: 'ipv4_addr',
    interval: true,
    elements: intervalsToNftElements(intervals),
    comment: `${objectKey(policy.namespace, policy.name)} ${dir === 'in' ? 'ingress' : 'egress'}[${ri}] peers`,
  }
}

export function namedPortSetName (policy: NetworkPolicy, ri: number, pi: number): string {
  return `np-${policyId(policy)}-${ri}-${pi}`
}

/** The container port a named NetworkPolicy port resolves to on this pod (S6), if any. */
export function namedContainerPort (pod: ClusterPod, port: NetworkPolicyPort): number | undefined {
  return pod.ports.find((c) => c.name === port.port && c.protocol === port.protocol)?.containerPort
}

export function namedPortElement (ip: string, port: NetworkPolicyPort, containerPort: number): string {
  return `${ip} . ${L4[port.protocol]} . ${containerPort}`
}

/** Egress named port: (ip . proto . port) of every destination pod in the rule's peers naming it. */
export function namedPortElements (pods: readonly ClusterPod[], port: NetworkPolicyPort,
  peers: readonly Interval[] | undefined): string[] {
  const elements = new Set<string>()
  for (const pod of pods) {
    const cp = namedContainerPort(pod, port)
    if (cp === undefined) continue
    pod.ips.forEach((ip, i) => {
      if (peers === undefined || containsAddress(peers, pod.addresses[i])) elements.add(namedPortElement(ip, port, cp))
    })
  }
  return sortElements([...elements])
}

export function namedPortSetSpec (policy: NetworkPolicy, ri: number, port: NetworkPolicyPort,
  elements: readonly string[]): NftSetSpec {
  return {
    type: 'ipv4_addr . inet_proto . inet_service',
    interval: false,
    elements,
    comment: `${objectKey(policy.namespace, policy.name)} egress[${ri}] port ${String(port.port)}/${port.protocol}`,
  }
}

/** A set a local pod's chains reference, and what it is computed from. */
export type SetRequest =
  | {
    readonly type: 'peers';
    readonly name: string;
    readonly policy: NetworkPolicy;
    readonly dir: 'in' | 'eg';
    readonly ri: number;
    readonly rule: NetworkPolicyRule
  }
  | {
    readonly type: 'named-port';
    readonly name: string;
    readonly policy: NetworkPolicy;
    readonly ri: number;
    readonly port: NetworkPolicyPort;
    readonly peers?: string
  }

/** One local pod's share of the DesiredState: its chains, its status row, the sets they name. */
export interface LocalPodResult {
  readonly row: LocalPodPolicy
  readonly ingress?: NftChainSpec
  readonly egress?: NftChainSpec
  readonly sets: readonly SetRequest[]
}

/**
 * An attachment without identity is matched by address to the pod whose status names it
 * (kubernetes mode); the resolved attachment names its pod when one is known.
 */
export function resolveAttachment (given: LocalAttachment,
  podOfIP: (ip: string) => ClusterPod | undefined): LocalAttachment {
  const owner = given.namespace === undefined || given.name === undefined ? podOfIP(given.ip) : undefined
  return owner === undefined ? given : { ...given, namespace: owner.namespace, name: owner.name }
}

/**
 * The chains of one local pod (S1, S3, S4, S6, S7). `policies` sorted by key; `pod` the cluster
 * pod the resolved attachment names (undefined: no such pod, so no chains).
 */
export function compileLocalPod (att: LocalAttachment, pod: ClusterPod | undefined,
  policies: readonly NetworkPolicy[]): LocalPodResult {
  const row: LocalPodPolicy = {
    ...(att.namespace !== undefined ? { namespace: att.namespace } : {}),
    ...(att.name !== undefined ? { name: att.name } : {}),
    ip: att.ip,
    hostVeth: att.hostVeth,
    isolatedIngress: false,
    isolatedEgress: false,
    ingressPolicies: [],
    egressPolicies: [],
  }
  if (pod === undefined) return { row, sets: [] }
  const selecting = policies.filter((p) => p.namespace === pod.namespace &&
    selectorMatches(p.podSelector, pod.labels))
  const ingressPolicies = selecting.filter((p) => p.policyTypes.includes('Ingress'))
  const egressPolicies = selecting.filter((p) => p.policyTypes.includes('Egress'))
  const who = objectKey(pod.namespace, pod.name)
  const sets: SetRequest[] = []
  const peerSet = (policy: NetworkPolicy, dir: 'in' | 'eg', ri: number, rule: NetworkPolicyRule): string | undefined => {
    if (rule.peers.length === 0) return undefined
    const name = peerSetName(policy, dir, ri)
    sets.push({ type: 'peers', name, policy, dir, ri, rule })
    return name
  }

  /** One direction's chain (S3): every rule of every selecting policy, allow verdict, final drop. */
  const chainOf = (selecting: readonly NetworkPolicy[], dir: 'in' | 'eg'): NftChainSpec | undefined => {
    if (selecting.length === 0) return undefined
    const ingress = dir === 'in'
    const verdict = ingress ? 'accept' : 'return' // S7
    const rules: string[] = []
    for (const policy of selecting) {
      (ingress ? policy.ingress : policy.egress).forEach((rule, ri) => {
        const set = peerSet(policy, dir, ri, rule)
        const addr = set === undefined ? '' : `ip ${ingress ? 'saddr' : 'daddr'} @${set} `
        const comment = `comment "${objectKey(policy.namespace, policy.name)} ${ingress ? 'ingress' : 'egress'}[${ri}]"`
        if (rule.ports.length === 0) { rules.push(`${addr}counter ${verdict} ${comment}`); return }
        rule.ports.forEach((port, pi) => {
          let match: string | undefined
          if (ingress) {
            const m = ingressPortMatch(port, pod)
            match = m === undefined ? undefined : `${addr}${m}`
          } else if (typeof port.port === 'string') {
            const name = namedPortSetName(policy, ri, pi)
            sets.push({ type: 'named-port', name, policy, ri, port, ...(set !== undefined ? { peers: set } : {}) })
            match = `ip daddr . meta l4proto . th dport @${name}`
          } else match = `${addr}${numericPortMatch(port)}`
          if (match !== undefined) rules.push(`${match} counter ${verdict} ${comment}`)
        })
      })
    }
    rules.push(`counter drop comment "${who} ${ingress ? 'ingress' : 'egress'} drop"`)
    return { rules }
  }
  const ingress = chainOf(ingressPolicies, 'in')
  const egress = chainOf(egressPolicies, 'eg')
  return {
    row: {
      ...row,
      isolatedIngress: ingress !== undefined,
      isolatedEgress: egress !== undefined,
      ingressPolicies: ingressPolicies.map((p) => objectKey(p.namespace, p.name)),
      egressPolicies: egressPolicies.map((p) => objectKey(p.namespace, p.name)),
    },
    ...(ingress !== undefined ? { ingress } : {}),
    ...(egress !== undefined ? { egress } : {}),
    sets,
  }
}

/** Puts the per-pod results (in host veth order) and the sets together; sets sorted by name. */
export function assembleState (results: readonly LocalPodResult[],
  sets: ReadonlyMap<string, NftSetSpec>): DesiredState {
  const chains = new Map<string, NftChainSpec>()
  const egressDispatch = new Map<string, string>()
  const ingressDispatch = new Map<string, string>()
  const localVeths = new Set<string>()
  for (const r of results) {
    const veth = r.row.hostVeth
    localVeths.add(veth)
    if (r.ingress !== undefined) {
      chains.set(`in-${veth}`, r.ingress)
      ingressDispatch.set(veth, `in-${veth}`)
    }
    if (r.egress !== undefined) {
      chains.set(`eg-${veth}`, r.egress)
      egressDispatch.set(veth, `eg-${veth}`)
    }
  }
  return { sets: sortedMap(sets), chains, egressDispatch, ingressDispatch, localVeths, pods: results.map((r) => r.row) }
}

export function sortedLocals (local: readonly LocalAttachment[]): LocalAttachment[] {
  return [...local].sort((a, b) => a.hostVeth.localeCompare(b.hostVeth))
}

export function sortedPolicies (snapshot: PolicySnapshot): NetworkPolicy[] {
  return [...snapshot.policies.keys()].sort().map((k) => snapshot.policies.get(k) as NetworkPolicy)
}

export function compile (input: CompileInput): DesiredState {
  const pods = buildClusterPods(input)
  const labelsOf = (ns: string): Labels => namespaceLabelsOf(input.snapshot, ns)
  const policies = sortedPolicies(input.snapshot)
  const podByKey = new Map(pods.map((p) => [objectKey(p.namespace, p.name), p]))
  const podOfIP = new Map<string, ClusterPod>()
  for (const p of pods) for (const ip of p.ips) podOfIP.set(ip, p)

  const results = sortedLocals(input.local).map((given) => {
    const att = resolveAttachment(given, (ip) => podOfIP.get(ip))
    const pod = att.namespace !== undefined && att.name !== undefined
      ? podByKey.get(objectKey(att.namespace, att.name))
      : undefined
    return compileLocalPod(att, pod, policies)
  })
  const sets = new Map<string, NftSetSpec>()
  const peerIntervals = new Map<string, Interval[]>()
  for (const r of results) {
    for (const req of r.sets) {
      if (req.type !== 'peers' || peerIntervals.has(req.name)) continue
      const intervals = rulePeerIntervals(req.policy, req.rule, pods, labelsOf)
      peerIntervals.set(req.name, intervals)
      sets.set(req.name, peerSetSpec(req.policy, req.dir, req.ri, intervals))
    }
  }
  for (const r of results) {
    for (const req of r.sets) {
      if (req.type !== 'named-port' || sets.has(req.name)) continue
      const peers = req.peers === undefined ? undefined : peerIntervals.get(req.peers)
      sets.set(req.name, namedPortSetSpec(req.policy, req.ri, req.port, namedPortElements(pods, req.port, peers)))
    }
  }
  return assembleState(results, sets)
}

/** Ingress: a named port resolves against the selected pod itself; undefined = it has no such port. */
function ingressPortMatch (port: NetworkPolicyPort, pod: ClusterPod): string | undefined {
  if (typeof port.port === 'string') {
    const cp = pod.ports.find((c) => c.name === port.port && c.protocol === port.protocol)
    if (cp === undefined) return undefined
    return `meta l4proto ${L4[port.protocol]} th dport ${cp.containerPort}`
  }
  return numericPortMatch(port)
}

function numericPortMatch (port: NetworkPolicyPort): string {
  const proto = `meta l4proto ${L4[port.protocol]}`
  if (port.port === undefined) return proto
  if (port.endPort !== undefined && port.endPort !== port.port) return `${proto} th dport ${port.port}-${port.endPort}`
  return `${proto} th dport ${String(port.port)}`
}

/** Order of (ip . proto . port) elements: by address, then protocol and port as text. */
export function compareElements (a: string, b: string): number {
  const d = elementAddress(a) - elementAddress(b)
  return d !== 0 ? d : elementRest(a).localeCompare(elementRest(b))
}

function elementAddress (e: string): number {
  return tryParseIPv4Address(e.slice(0, e.indexOf(' . '))) ?? 0
}

function elementRest (e: string): string {
  return e.split(' . ').slice(1).join('.')
}

/** Sorts by compareElements, parsing each element once (a comparator that parses is the cost at scale). */
export function sortElements (elements: readonly string[]): string[] {
  const keyed = elements.map((e) => ({ e, n: elementAddress(e), rest: elementRest(e) }))
  keyed.sort((a, b) => (a.n !== b.n ? a.n - b.n : a.rest.localeCompare(b.rest)))
  return keyed.map((k) => k.e)
}

function sortedMap<V> (m: ReadonlyMap<string, V>): Map<string, V> {
  return new Map([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
