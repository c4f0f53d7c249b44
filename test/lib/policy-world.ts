/**
 * The cluster of the upstream NetworkPolicy e2e suite (test/e2e/network/netpol): namespaces x, y
 * and z (labelled ns=<name>), pods a, b and c in each (labelled pod=<name>), every pod serving
 * TCP 80/81 and UDP 80/81 with named ports serve-80-tcp, serve-81-tcp, serve-80-udp,
 * serve-81-udp. Spread over three nodes so that every namespace and every pod name occurs on
 * every node: same-node and cross-node pairs exist for every kind of policy.
 */
import type { OraclePod } from './policy-oracle'

export const NAMESPACES = ['x', 'y', 'z'] as const
export const POD_NAMES = ['a', 'b', 'c'] as const
export const NODE_COUNT = 3

export const SERVED_PORTS = [
  { name: 'serve-80-tcp', containerPort: 80, protocol: 'TCP' as const },
  { name: 'serve-81-tcp', containerPort: 81, protocol: 'TCP' as const },
  { name: 'serve-80-udp', containerPort: 80, protocol: 'UDP' as const },
  { name: 'serve-81-udp', containerPort: 81, protocol: 'UDP' as const },
]

export interface WorldPod extends OraclePod {
  /** 1-based node index. */
  node: number
}

/** Node of pod (namespace index i, pod index j): a Latin square, so each node has x, y, z and a, b, c. */
export function nodeOf (i: number, j: number): number {
  return ((i + j) % NODE_COUNT) + 1
}

export function podManifest (p: {
  namespace: string; name: string; labels: Record<string, string>; ip?: string; node?: number
}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
    spec: {
      ...(p.node !== undefined ? { nodeName: `node${p.node}` } : {}),
      containers: [{ name: 'server', image: 'none', ports: SERVED_PORTS }],
    },
    ...(p.ip !== undefined ? { status: { podIP: p.ip, podIPs: [{ ip: p.ip }] } } : {}),
  }
}

export function namespaceManifest (name: string, labels: Record<string, string> = { ns: name }): Record<string,
unknown> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }
}

/** A world with synthetic addresses (unit tests); the netns test uses the agents' addresses. */
export function syntheticWorld (): WorldPod[] {
  const out: WorldPod[] = []
  NAMESPACES.forEach((ns, i) => POD_NAMES.forEach((name, j) => {
    const node = nodeOf(i, j)
    out.push({
      namespace: ns, name, labels: { pod: name }, ip: `10.244.${node}.${10 + i * 3 + j}`, ports: SERVED_PORTS, node
    })
  }))
  return out
}
