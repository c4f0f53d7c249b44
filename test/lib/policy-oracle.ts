/**
 * A NetworkPolicy oracle written from the API reference, independently of policy/compiler.ts:
 * "may a packet of a new connection from src to dst on proto/port pass?" evaluated directly on
 * the objects, one connection at a time. The unit tests compare the compiler (through an
 * interpreter of its nft rules) against it on random clusters, and the netns truth table uses it
 * to derive the expected 9x9 reachability matrices, like the upstream e2e suite's Reachability
 * (test/e2e/network/netpol), with hand-written spot checks beside it to keep the oracle honest.
 */
import { parseIPv4Address } from '../../lib'
import type {
  ContainerPort, Labels, LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort
} from '../../policy/model'

export interface OraclePod {
  namespace: string
  name: string
  labels: Labels
  ip: string
  ports: readonly ContainerPort[]
}

/** An endpoint: a pod, or a bare address (a node, something outside the cluster). */
export type OracleEndpoint = OraclePod | { ip: string }

export interface OracleWorld {
  namespaces: ReadonlyMap<string, Labels>
  pods: readonly OraclePod[]
  policies: readonly NetworkPolicy[]
}

export type OracleProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP'

function isPod (e: OracleEndpoint): e is OraclePod {
  return 'namespace' in e
}

function matches (sel: LabelSelector, labels: Labels): boolean {
  return Object.entries(sel.matchLabels).every(([k, v]) => labels[k] === v) &&
    sel.matchExpressions.every((r) => {
      const has = k(labels, r.key)
      if (r.operator === 'Exists') return has
      if (r.operator === 'DoesNotExist') return !has
      if (r.operator === 'In') return has && r.values.includes(labels[r.key])
      return !has || !r.values.includes(labels[r.key])
    })
}

function k (labels: Labels, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key)
}

function inCIDR (ip: string, cidr: string): boolean {
  const [base, len] = cidr.split('/')
  if (base.includes(':')) return false
  const size = 2 ** (32 - Number(len))
  const b = parseIPv4Address(base)
  const start = b - (b % size)
  const n = parseIPv4Address(ip)
  return n >= start && n < start + size
}

function peerMatches (world: OracleWorld, policy: NetworkPolicy, peer: NetworkPolicyPeer,
  other: OracleEndpoint): boolean {
  if (peer.ipBlock !== undefined) {
    return inCIDR(other.ip, peer.ipBlock.cidr) && !peer.ipBlock.except.some((e) => inCIDR(other.ip, e))
  }
  if (!isPod(other)) return false
  if (peer.namespaceSelector === undefined) {
    if (other.namespace !== policy.namespace) return false
  } else {
    const nsLabels = world.namespaces.get(other.namespace) ?? { 'kubernetes.io/metadata.name': other.namespace }
    if (!matches(peer.namespaceSelector, nsLabels)) return false
  }
  return peer.podSelector === undefined || matches(peer.podSelector, other.labels)
}

function portMatches (ports: readonly NetworkPolicyPort[], dst: OracleEndpoint, proto: OracleProtocol,
  port: number): boolean {
  if (ports.length === 0) return true
  return ports.some((p) => {
    if (p.protocol !== proto) return false
    if (p.port === undefined) return true
    if (typeof p.port === 'number') return port >= p.port && port <= (p.endPort ?? p.port)
    if (!isPod(dst)) return false
    return dst.ports.some((c) => c.name === p.port && c.protocol === p.protocol && c.containerPort === port)
  })
}

function selecting (world: OracleWorld, pod: OraclePod, type: 'Ingress' | 'Egress'): NetworkPolicy[] {
  return world.policies.filter((p) => p.namespace === pod.namespace && p.policyTypes.includes(type) &&
    matches(p.podSelector, pod.labels))
}

/** The verdict for the first packet of a connection src -> dst (S1-S7). */
export function oracleAllows (world: OracleWorld, src: OracleEndpoint, dst: OracleEndpoint, proto: OracleProtocol,
  port: number): boolean {
  if (isPod(src)) {
    const eg = selecting(world, src, 'Egress')
    if (eg.length > 0 && !eg.some((p) => p.egress.some((r) =>
      (r.peers.length === 0 || r.peers.some((peer) => peerMatches(world, p, peer, dst))) &&
      portMatches(r.ports, dst, proto, port)))) return false
  }
  if (isPod(dst)) {
    const ing = selecting(world, dst, 'Ingress')
    if (ing.length > 0 && !ing.some((p) => p.ingress.some((r) =>
      (r.peers.length === 0 || r.peers.some((peer) => peerMatches(world, p, peer, src))) &&
      portMatches(r.ports, dst, proto, port)))) return false
  }
  return true
}
