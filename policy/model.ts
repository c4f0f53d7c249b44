/**
 * The policy model: validated Kubernetes objects as the compiler sees them (only the fields that
 * NetworkPolicy semantics read), and the joined cluster view the engine hands the compiler.
 *
 * Shapes follow networking.k8s.io/v1 and core/v1 (field names kept), already validated and
 * defaulted by manifest.ts: protocols are filled in (TCP), policyTypes is the *effective* list
 * (the defaulting rule is applied at validation time), selectors are well-formed.
 */

export type Labels = Readonly<Record<string, string>>

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'

export interface LabelSelectorRequirement {
  readonly key: string
  readonly operator: SelectorOperator
  readonly values: readonly string[]
}

/** metav1.LabelSelector; both parts empty = selects everything. */
export interface LabelSelector {
  readonly matchLabels: Labels
  readonly matchExpressions: readonly LabelSelectorRequirement[]
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP'

export interface NetworkPolicyPort {
  readonly protocol: Protocol
  /** Absent = every port of the protocol; a string = a named container port. */
  readonly port?: number | string
  /** Inclusive end of a numeric range starting at `port`. */
  readonly endPort?: number
}

export interface IPBlock {
  readonly cidr: string
  readonly except: readonly string[]
}

/** One element of `from`/`to`: ipBlock alone, or pod and/or namespace selectors (AND). */
export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector
  readonly namespaceSelector?: LabelSelector
  readonly ipBlock?: IPBlock
}

export interface NetworkPolicyRule {
  /** `from` (ingress) or `to` (egress); empty = every source/destination. */
  readonly peers: readonly NetworkPolicyPeer[]
  /** Empty = every port and protocol (ICMP too). */
  readonly ports: readonly NetworkPolicyPort[]
}

export interface NetworkPolicy {
  readonly namespace: string
  readonly name: string
  readonly podSelector: LabelSelector
  /** Effective policyTypes: given, or Ingress plus Egress when egress rules exist (S2). */
  readonly policyTypes: ReadonlyArray<'Ingress' | 'Egress'>
  readonly ingress: readonly NetworkPolicyRule[]
  readonly egress: readonly NetworkPolicyRule[]
}

export interface ContainerPort {
  readonly name?: string
  readonly containerPort: number
  readonly protocol: Protocol
}

export interface Pod {
  readonly namespace: string
  readonly name: string
  readonly labels: Labels
  readonly ports: readonly ContainerPort[]
  /** IPv4 addresses from status.podIPs (may be empty: not scheduled, or another source gives them). */
  readonly ips: readonly string[]
  /** spec.nodeName, when known. */
  readonly nodeName?: string
  /** Host-network pods share the node's address and are never subject to NetworkPolicy. */
  readonly hostNetwork: boolean
}

export interface Namespace {
  readonly name: string
  /** Includes kubernetes.io/metadata.name = name (S10), synthesised when absent. */
  readonly labels: Labels
}

/** What a source knows: objects keyed "namespace/name" (namespaces by name). */
export interface PolicySnapshot {
  readonly namespaces: ReadonlyMap<string, Namespace>
  readonly pods: ReadonlyMap<string, Pod>
  readonly policies: ReadonlyMap<string, NetworkPolicy>
}

/** A pod attached on this node by the CNI plugin (the agent's allocation record). */
export interface LocalAttachment {
  readonly namespace?: string
  readonly name?: string
  readonly ip: string
  readonly hostVeth: string
}

/** A pod on another node as that node published it (files mode, over gossip). */
export interface RemoteEndpoint {
  readonly namespace: string
  readonly name: string
  readonly ip: string
  readonly nodeName: string
}

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name'

export function objectKey (namespace: string, name: string): string {
  return `${namespace}/${name}`
}
