/**
 * The compiler's output and the renderer's input: what table `inet loom` must contain, as plain
 * data (no nft text yet for the table's shape, nft rule text for chain bodies). Comparing two
 * DesiredStates gives the incremental update (nft-render.ts `renderIncremental`) and the
 * conntrack entries to delete (conntrack-plan.ts).
 */

export type NftSetType = 'ipv4_addr' | 'ipv4_addr . inet_proto . inet_service'

export interface NftSetSpec {
  readonly type: NftSetType
  /** Interval sets hold prefixes and ranges (peer address sets); elements are disjoint. */
  readonly interval: boolean
  /** Rendered elements, sorted: "10.244.1.2", "10.0.0.0/8", "10.244.1.2 . tcp . 80". */
  readonly elements: readonly string[]
  readonly comment: string
}

export interface NftChainSpec {
  /** Rule bodies in order, as nft syntax (without "add rule"). */
  readonly rules: readonly string[]
}

/** How one local pod fares, for `loom status policy` and conntrack planning. */
export interface LocalPodPolicy {
  readonly namespace?: string
  readonly name?: string
  readonly ip: string
  readonly hostVeth: string
  readonly isolatedIngress: boolean
  readonly isolatedEgress: boolean
  /** "ns/name" of the policies that select the pod, per direction. */
  readonly ingressPolicies: readonly string[]
  readonly egressPolicies: readonly string[]
}

export interface DesiredState {
  readonly sets: ReadonlyMap<string, NftSetSpec>
  readonly chains: ReadonlyMap<string, NftChainSpec>
  /** Host veth -> egress chain, for egress-isolated local pods only. */
  readonly egressDispatch: ReadonlyMap<string, string>
  /** Host veth -> ingress chain, for ingress-isolated local pods only. */
  readonly ingressDispatch: ReadonlyMap<string, string>
  /** Host veths of every local pod the agent knows; other pod veths are dropped. */
  readonly localVeths: ReadonlySet<string>
  readonly pods: readonly LocalPodPolicy[]
}

/** Number of nft rules the state holds (chains plus the fixed forward chain). */
export function ruleCount (state: DesiredState, forwardRules: number): number {
  let n = forwardRules
  for (const c of state.chains.values()) n += c.rules.length
  return n
}
