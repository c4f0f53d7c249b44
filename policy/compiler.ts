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
import { containsAddress, Interval, intervalsToNftElements, normalize, parseIPv4CIDR, subtract } from './ipv4-intervals'
import type {
  Labels, LocalAttachment, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule, Pod,
  PolicySnapshot, Protocol, RemoteEndpoint,
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
}

export interface CompileInput {
  readonly snapshot: PolicySnapshot
  readonly local: readonly LocalAttachment[]
  readonly remote: readonly RemoteEndpoint[]
}

/**
 * Joins the source's pods with addresses from this node's attachments and other nodes'
 * published endpoints (files mode). A pod known only from an attachment or an endpoint (no
 * manifest) has no labels and no ports but still belongs to its namespace, so
 * namespace-wide policies (`podSelector: {}`) and namespace peers include it.
 */
export function buildClusterPods (input: CompileInput): ClusterPod[] {
  const byKey = new Map<string, { pod: ClusterPod; ips: Set<string> }>()
  for (const [key, p] of input.snapshot.pods) {
    if (p.hostNetwork) continue
    byKey.set(key,
      { pod: { namespace: p.namespace, name: p.name, labels: p.labels, ports: p.ports, ips: [] }, ips: new Set(p.ips) })
  }
  const addIP = (namespace: string | undefined, name: string | undefined, ip: string): void => {
    if (namespace === undefined || name === undefined || tryParseIPv4Address(ip) === undefined) return
    const key = objectKey(namespace, name)
    let e = byKey.get(key)
    if (e === undefined) {
      if (input.snapshot.pods.get(key)?.hostNetwork === true) return
      e = { pod: { namespace, name, labels: {}, ports: [], ips: [] }, ips: new Set() }
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
    const e = byKey.get(key) as { pod: ClusterPod; ips: Set<string> }
    out.push({ ...e.pod, ips: [...e.ips].sort() })
  }
  return out
}

/** Short stable id of a policy for set names (nft names stay well under the kernel's limit). */
export function policyId (p: NetworkPolicy): string {
  return createHash('sha256').update(objectKey(p.namespace, p.name)).digest('hex').slice(0, 10)
}

const L4: Record<Protocol, string> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' }

export function compile (input: CompileInput): DesiredState {
  const pods = buildClusterPods(input)
  const namespaceLabels = (ns: string): Labels =>
    input.snapshot.namespaces.get(ns)?.labels ?? { [NAMESPACE_NAME_LABEL]: ns }
  const policies = [...input.snapshot.policies.keys()].sort()
    .map((k) => input.snapshot.policies.get(k) as NetworkPolicy)
  const podsByNamespace = new Map<string, ClusterPod[]>()
  for (const p of pods) {
    const list = podsByNamespace.get(p.namespace) ?? []
    list.push(p)
    podsByNamespace.set(p.namespace, list)
  }
  const podByKey = new Map(pods.map((p) => [objectKey(p.namespace, p.name), p]))
  const podOfIP = new Map<string, ClusterPod>()
  for (const p of pods) for (const ip of p.ips) podOfIP.set(ip, p)

  const sets = new Map<string, NftSetSpec>()
  const chains = new Map<string, NftChainSpec>()
  const egressDispatch = new Map<string, string>()
  const ingressDispatch = new Map<string, string>()
  const localVeths = new Set<string>()
  const status: LocalPodPolicy[] = []
  const peerIntervalCache = new Map<string, Interval[]>()

  const peerIntervals = (policy: NetworkPolicy, rule: NetworkPolicyRule): Interval[] => {
    const out: Interval[] = []
    for (const peer of rule.peers) out.push(...intervalsOfPeer(policy, peer))
    return normalize(out)
  }
  const intervalsOfPeer = (policy: NetworkPolicy, peer: NetworkPolicyPeer): Interval[] => {
    if (peer.ipBlock !== undefined) {
      const base = parseIPv4CIDR(peer.ipBlock.cidr)
      if (base === undefined) return [] // IPv6: matches no IPv4 packet, yet still a peer (never "all")
      const except = peer.ipBlock.except.map(parseIPv4CIDR).filter((c): c is Interval => c !== undefined)
      return subtract([base], except)
    }
    const out: Interval[] = []
    const namespaces = peer.namespaceSelector === undefined
      ? [policy.namespace]
      : [...podsByNamespace.keys()].filter((ns) =>
          selectorMatches(peer.namespaceSelector as NonNullable<typeof peer.namespaceSelector>, namespaceLabels(ns)))
    for (const ns of namespaces) {
      for (const pod of podsByNamespace.get(ns) ?? []) {
        if (peer.podSelector !== undefined && !selectorMatches(peer.podSelector, pod.labels)) continue
        for (const ip of pod.ips) {
          const n = tryParseIPv4Address(ip) as number
          out.push({ first: n, last: n })
        }
      }
    }
    return out
  }
  /** The rule's peer set (created once per policy rule), or undefined when the rule has no peers. */
  const peerSet = (policy: NetworkPolicy, dir: 'in' | 'eg', ri: number, rule: NetworkPolicyRule): {
    name: string; intervals: Interval[]
  } | undefined => {
    if (rule.peers.length === 0) return undefined
    const name = `${dir}-${policyId(policy)}-${ri}`
    let intervals = peerIntervalCache.get(name)
    if (intervals === undefined) {
      intervals = peerIntervals(policy, rule)
      peerIntervalCache.set(name, intervals)
      sets.set(name, {
        type: 'ipv4_addr',
        interval: true,
        elements: intervalsToNftElements(intervals),
        comment: `${objectKey(policy.namespace, policy.name)} ${dir === 'in' ? 'ingress' : 'egress'}[${ri}] peers`,
      })
    }
    return { name, intervals }
  }
  /** Egress named port: (ip . proto . port) of every destination pod in the rule's peers naming it. */
  const namedPortSet = (policy: NetworkPolicy, ri: number, pi: number, port: NetworkPolicyPort & { port: string },
    peers: Interval[] | undefined): string => {
    const name = `np-${policyId(policy)}-${ri}-${pi}`
    if (!sets.has(name)) {
      const elements = new Set<string>()
      for (const pod of pods) {
        const cp = pod.ports.find((c) => c.name === port.port && c.protocol === port.protocol)
        if (cp === undefined) continue
        for (const ip of pod.ips) {
          if (peers !== undefined && !containsAddress(peers, tryParseIPv4Address(ip) as number)) continue
          elements.add(`${ip} . ${L4[port.protocol]} . ${cp.containerPort}`)
        }
      }
      sets.set(name, {
        type: 'ipv4_addr . inet_proto . inet_service',
        interval: false,
        elements: [...elements].sort(compareElements),
        comment: `${objectKey(policy.namespace, policy.name)} egress[${ri}] port ${port.port}/${port.protocol}`,
      })
    }
    return name
  }

  const locals = [...input.local].sort((a, b) => a.hostVeth.localeCompare(b.hostVeth))
  for (const given of locals) {
    localVeths.add(given.hostVeth)
    const owner = given.namespace === undefined || given.name === undefined ? podOfIP.get(given.ip) : undefined
    const att = owner === undefined ? given : { ...given, namespace: owner.namespace, name: owner.name }
    const pod = att.namespace !== undefined &&
    att.name !== undefined
      ? podByKey.get(objectKey(att.namespace, att.name))
      : undefined
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
    if (pod === undefined) { status.push(row); continue }
    const selecting = policies.filter((p) => p.namespace === pod.namespace &&
      selectorMatches(p.podSelector, pod.labels))
    const ingressPolicies = selecting.filter((p) => p.policyTypes.includes('Ingress'))
    const egressPolicies = selecting.filter((p) => p.policyTypes.includes('Egress'))
    const who = objectKey(pod.namespace, pod.name)

    if (ingressPolicies.length > 0) {
      const rules: string[] = []
      for (const policy of ingressPolicies) {
        policy.ingress.forEach((rule, ri) => {
          const set = peerSet(policy, 'in', ri, rule)
          const addr = set === undefined ? '' : `ip saddr @${set.name} `
          const comment = `comment "${objectKey(policy.namespace, policy.name)} ingress[${ri}]"`
          if (rule.ports.length === 0) { rules.push(`${addr}counter accept ${comment}`); return }
          for (const port of rule.ports) {
            const match = ingressPortMatch(port, pod)
            if (match !== undefined) rules.push(`${addr}${match} counter accept ${comment}`)
          }
        })
      }
      rules.push(`counter drop comment "${who} ingress drop"`)
      const chain = `in-${att.hostVeth}`
      chains.set(chain, { rules })
      ingressDispatch.set(att.hostVeth, chain)
    }
    if (egressPolicies.length > 0) {
      const rules: string[] = []
      for (const policy of egressPolicies) {
        policy.egress.forEach((rule, ri) => {
          const set = peerSet(policy, 'eg', ri, rule)
          const addr = set === undefined ? '' : `ip daddr @${set.name} `
          const comment = `comment "${objectKey(policy.namespace, policy.name)} egress[${ri}]"`
          if (rule.ports.length === 0) { rules.push(`${addr}counter return ${comment}`); return }
          rule.ports.forEach((port, pi) => {
            if (typeof port.port === 'string') {
              const np = namedPortSet(policy, ri, pi, port as NetworkPolicyPort & { port: string }, set?.intervals)
              rules.push(`ip daddr . meta l4proto . th dport @${np} counter return ${comment}`)
            } else {
              rules.push(`${addr}${numericPortMatch(port)} counter return ${comment}`)
            }
          })
        })
      }
      rules.push(`counter drop comment "${who} egress drop"`)
      const chain = `eg-${att.hostVeth}`
      chains.set(chain, { rules })
      egressDispatch.set(att.hostVeth, chain)
    }
    status.push({
      ...row,
      isolatedIngress: ingressPolicies.length > 0,
      isolatedEgress: egressPolicies.length > 0,
      ingressPolicies: ingressPolicies.map((p) => objectKey(p.namespace, p.name)),
      egressPolicies: egressPolicies.map((p) => objectKey(p.namespace, p.name)),
    })
  }
  return { sets: sortedMap(sets), chains, egressDispatch, ingressDispatch, localVeths, pods: status }
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

function compareElements (a: string, b: string): number {
  const [ia, ...ra] = a.split(' . ')
  const [ib, ...rb] = b.split(' . ')
  const d = (tryParseIPv4Address(ia) ?? 0) - (tryParseIPv4Address(ib) ?? 0)
  return d !== 0 ? d : ra.join('.').localeCompare(rb.join('.'))
}

function sortedMap<V> (m: Map<string, V>): Map<string, V> {
  return new Map([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
