/**
 * The NetworkPolicy truth table: one case per semantic of the spec (S1-S12 in
 * docs/ARCHITECTURE.md, NetworkPolicy), most of them taken from the upstream e2e suite
 * (test/e2e/network/netpol/network_policy.go) and cyclonus. Each case is a set of policies and
 * the probes to run; the expected 9x9 matrix per probe comes from the oracle (policy-oracle.ts),
 * and `spot` lists verdicts written by hand from the spec, so an oracle mistake cannot make the
 * compiler and the expectation agree by accident.
 *
 * Used by test/unit/policy-compiler.test.ts (compiler output interpreted) and
 * test/netns/policy-truth-table.test.ts (real kernels, real packets).
 */

export type Proto = 'TCP' | 'UDP'
export interface Probe { proto: Proto; port: number }
/** [from "ns/pod", to "ns/pod", proto, port, allowed]. */
export type Spot = [string, string, Proto, number, boolean]

export interface PolicyCase {
  name: string
  /** NetworkPolicy manifests; `ip("x/a")` gives a pod's address (ipBlock cases). */
  policies: (ip: (pod: string) => string) => Array<Record<string, unknown>>
  probes: Probe[]
  spot: Spot[]
}

const TCP80: Probe = { proto: 'TCP', port: 80 }
const TCP81: Probe = { proto: 'TCP', port: 81 }
const UDP80: Probe = { proto: 'UDP', port: 80 }

function np (namespace: string, name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec }
}
const pod = (name: string): Record<string, unknown> => ({ matchLabels: { pod: name } })
const ns = (name: string): Record<string, unknown> => ({ matchLabels: { ns: name } })

export const POLICY_CASES: PolicyCase[] = [
  {
    name: 'no policy: everything reachable',
    policies: () => [],
    probes: [TCP80, UDP80],
    spot: [['x/a', 'y/b', 'TCP', 80, true], ['z/c', 'x/a', 'UDP', 80, true]],
  },
  {
    name: 'default deny ingress in x (podSelector {}, no rules)',
    policies: () => [np('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] })],
    probes: [TCP80, UDP80],
    spot: [['y/a', 'x/a', 'TCP', 80, false], ['x/b', 'x/a', 'TCP', 80, false], ['x/a', 'y/a', 'TCP', 80, true]],
  },
  {
    name: 'default deny egress in x',
    policies: () => [np('x', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })],
    probes: [TCP80, UDP80],
    spot: [['x/a', 'y/a', 'TCP', 80, false], ['x/a', 'x/b', 'UDP', 80, false], ['y/a', 'x/a', 'TCP', 80, true]],
  },
  {
    name: 'allow all ingress (ingress: [{}])',
    policies: () => [np('x', 'allow-all', { podSelector: {}, ingress: [{}] })],
    probes: [TCP80],
    spot: [['z/c', 'x/a', 'TCP', 80, true]],
  },
  {
    name: 'deny all and allow all together: additive, allow wins',
    policies: () => [np('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] }),
      np('x', 'allow-all', { podSelector: {}, ingress: [{}] })],
    probes: [TCP80],
    spot: [['y/b', 'x/c', 'TCP', 80, true]],
  },
  {
    name: 'podSelector peer alone = same namespace only',
    policies: () => [np('x', 'a-from-b', { podSelector: pod('a'), ingress: [{ from: [{ podSelector: pod('b') }] }] })],
    probes: [TCP80],
    spot: [['x/b', 'x/a', 'TCP', 80, true], ['y/b', 'x/a', 'TCP', 80, false], ['x/c', 'x/a', 'TCP', 80, false],
      ['x/c', 'x/b', 'TCP', 80, true]],
  },
  {
    name: 'namespaceSelector peer alone = every pod of matching namespaces',
    policies: () => [np('x', 'a-from-y',
      { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y') }] }] })],
    probes: [TCP80],
    spot: [['y/a', 'x/a', 'TCP', 80, true], ['y/c', 'x/a', 'TCP', 80, true], ['x/b', 'x/a', 'TCP', 80, false],
      ['z/a', 'x/a', 'TCP', 80, false]],
  },
  {
    name: 'namespaceSelector and podSelector in one peer = AND',
    policies: () => [np('x', 'a-from-y-b',
      { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y'), podSelector: pod('b') }] }] })],
    probes: [TCP80],
    spot: [['y/b', 'x/a', 'TCP', 80, true], ['y/a', 'x/a', 'TCP', 80, false], ['x/b', 'x/a', 'TCP', 80, false],
      ['z/b', 'x/a', 'TCP', 80, false]],
  },
  {
    name: 'namespaceSelector and podSelector in separate peers = OR',
    policies: () => [np('x', 'a-from-y-or-b',
      { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y') }, { podSelector: pod('b') }] }] })],
    probes: [TCP80],
    spot: [['y/a', 'x/a', 'TCP', 80, true], ['x/b', 'x/a', 'TCP', 80, true], ['x/c', 'x/a', 'TCP', 80, false],
      ['z/b', 'x/a', 'TCP', 80, false]],
  },
  {
    name: 'namespaceSelector {} = every namespace',
    policies: () => [np('x', 'from-all-ns', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    probes: [TCP80],
    spot: [['z/c', 'x/a', 'TCP', 80, true], ['x/c', 'x/b', 'TCP', 80, true]],
  },
  {
    name: 'namespaceSelector {} with podSelector: that pod name in every namespace',
    policies: () => [np('x', 'from-any-c',
      { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: pod('c') }] }] })],
    probes: [TCP80],
    spot: [['z/c', 'x/a', 'TCP', 80, true], ['y/c', 'x/b', 'TCP', 80, true], ['y/a', 'x/a', 'TCP', 80, false]],
  },
  {
    name: 'matchExpressions NotIn on the namespace',
    policies: () => [np('x', 'not-from-y',
      {
        podSelector: {},
        ingress: [{
          from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['y'] }] } }]
        }]
      })],
    probes: [TCP80],
    spot: [['y/a', 'x/a', 'TCP', 80, false], ['z/a', 'x/a', 'TCP', 80, true], ['x/b', 'x/a', 'TCP', 80, true]],
  },
  {
    name: 'matchExpressions In on pods, across namespaces',
    policies: () => [np('x', 'from-b-c',
      {
        podSelector: pod('a'),
        ingress: [{
          from: [{
            namespaceSelector: {},
            podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] }
          }]
        }]
      })],
    probes: [TCP80],
    spot: [['y/b', 'x/a', 'TCP', 80, true], ['z/c', 'x/a', 'TCP', 80, true], ['y/a', 'x/a', 'TCP', 80, false]],
  },
  {
    name: 'matchExpressions Exists and DoesNotExist',
    policies: () => [
      np('y', 'only-labelled',
        {
          podSelector: { matchExpressions: [{ key: 'pod', operator: 'Exists' }] },
          ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'nothere', operator: 'DoesNotExist' }] } }] }]
        }),
    ],
    probes: [TCP80],
    spot: [['y/a', 'y/b', 'TCP', 80, true], ['x/a', 'y/b', 'TCP', 80, false]],
  },
  {
    name: 'selecting namespaces by kubernetes.io/metadata.name (S10)',
    policies: () => [np('x', 'from-z-by-name',
      {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'z' } } }] }]
      })],
    probes: [TCP80],
    spot: [['z/b', 'x/c', 'TCP', 80, true], ['y/b', 'x/c', 'TCP', 80, false]],
  },
  {
    name: 'ingress on TCP 80 only: 81 and UDP closed',
    policies: () => [np('x', 'tcp-80',
      { podSelector: pod('a'), ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }] })],
    probes: [TCP80, TCP81, UDP80],
    spot: [['y/a', 'x/a', 'TCP', 80, true], ['y/a', 'x/a', 'TCP', 81, false], ['y/a', 'x/a', 'UDP', 80, false]],
  },
  {
    name: 'ingress port without protocol defaults to TCP',
    policies: () => [np('x', 'port-81',
      { podSelector: {}, ingress: [{ from: [{ namespaceSelector: ns('y') }], ports: [{ port: 81 }] }] })],
    probes: [TCP80, TCP81, UDP80],
    spot: [['y/a', 'x/a', 'TCP', 81, true], ['y/a', 'x/a', 'TCP', 80, false], ['z/a', 'x/a', 'TCP', 81, false]],
  },
  {
    name: 'ingress UDP 80 only',
    policies: () => [np('x', 'udp-80', { podSelector: {}, ingress: [{ ports: [{ port: 80, protocol: 'UDP' }] }] })],
    probes: [TCP80, UDP80],
    spot: [['y/a', 'x/a', 'UDP', 80, true], ['y/a', 'x/a', 'TCP', 80, false]],
  },
  {
    name: 'protocol without port = every port of it',
    policies: () => [np('x', 'all-tcp', { podSelector: {}, ingress: [{ ports: [{ protocol: 'TCP' }] }] })],
    probes: [TCP80, TCP81, UDP80],
    spot: [['y/a', 'x/a', 'TCP', 81, true], ['y/a', 'x/a', 'UDP', 80, false]],
  },
  {
    name: 'SCTP-only allowance still isolates TCP and UDP (S12)',
    policies: () => [np('x', 'sctp-only', { podSelector: {}, ingress: [{ ports: [{ protocol: 'SCTP', port: 80 }] }] })],
    probes: [TCP80, UDP80],
    spot: [['y/a', 'x/a', 'TCP', 80, false], ['y/a', 'x/a', 'UDP', 80, false]],
  },
  {
    name: 'endPort range 80-81',
    policies: () => [np('x', 'range',
      {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: ns('z') }], ports: [{ port: 80, endPort: 81, protocol: 'TCP' }] }]
      })],
    probes: [TCP80, TCP81],
    spot: [['z/a', 'x/b', 'TCP', 81, true], ['z/a', 'x/b', 'TCP', 80, true], ['y/a', 'x/b', 'TCP', 80, false]],
  },
  {
    name: 'endPort range 81-9000 excludes 80',
    policies: () => [np('x', 'range-81',
      { podSelector: {}, ingress: [{ ports: [{ port: 81, endPort: 9000, protocol: 'TCP' }] }] })],
    probes: [TCP80, TCP81],
    spot: [['y/a', 'x/a', 'TCP', 81, true], ['y/a', 'x/a', 'TCP', 80, false]],
  },
  {
    name: 'ingress named port serve-81-tcp',
    policies: () => [np('x', 'named-81', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })],
    probes: [TCP80, TCP81],
    spot: [['y/a', 'x/a', 'TCP', 81, true], ['y/a', 'x/a', 'TCP', 80, false]],
  },
  {
    name: 'ingress named port with UDP protocol serve-80-udp',
    policies: () => [np('x', 'named-udp',
      { podSelector: {}, ingress: [{ ports: [{ port: 'serve-80-udp', protocol: 'UDP' }] }] })],
    probes: [TCP80, UDP80],
    spot: [['y/a', 'x/a', 'UDP', 80, true], ['y/a', 'x/a', 'TCP', 80, false]],
  },
  {
    name: 'named port with the wrong protocol resolves to nothing',
    policies: () => [np('x', 'named-wrong',
      { podSelector: {}, ingress: [{ ports: [{ port: 'serve-80-udp', protocol: 'TCP' }] }] })],
    probes: [TCP80, UDP80],
    spot: [['y/a', 'x/a', 'TCP', 80, false], ['y/a', 'x/a', 'UDP', 80, false]],
  },
  {
    name: 'egress named port: resolved on the destination pods (cross-node)',
    policies: () => [np('x', 'egress-named',
      {
        podSelector: pod('a'),
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: ns('z') }], ports: [{ port: 'serve-81-tcp' }] }]
      })],
    probes: [TCP80, TCP81],
    spot: [['x/a', 'z/b', 'TCP', 81, true], ['x/a', 'z/b', 'TCP', 80, false], ['x/a', 'y/b', 'TCP', 81, false],
      ['x/b', 'y/b', 'TCP', 80, true]],
  },
  {
    name: 'client egress deny blocks even when the server allows (S7)',
    policies: () => [
      np('x', 'a-no-egress', { podSelector: pod('a'), policyTypes: ['Egress'] }),
      np('y', 'allow-all-in', { podSelector: {}, ingress: [{}] }),
    ],
    probes: [TCP80],
    spot: [['x/a', 'y/a', 'TCP', 80, false], ['x/b', 'y/a', 'TCP', 80, true]],
  },
  {
    name: 'egress allowed but ingress denies',
    policies: () => [
      np('x', 'a-egress-y',
        { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: ns('y') }] }] }),
      np('y', 'b-deny', { podSelector: pod('b'), policyTypes: ['Ingress'] }),
    ],
    probes: [TCP80],
    spot: [['x/a', 'y/a', 'TCP', 80, true], ['x/a', 'y/b', 'TCP', 80, false], ['x/a', 'z/a', 'TCP', 80, false]],
  },
  {
    name: 'egress rules without policyTypes also isolate ingress (S2)',
    policies: () => [np('x', 'egress-only-rules',
      { podSelector: pod('a'), egress: [{ to: [{ namespaceSelector: ns('y') }] }] })],
    probes: [TCP80],
    spot: [['y/a', 'x/a', 'TCP', 80, false], ['x/a', 'y/a', 'TCP', 80, true], ['x/a', 'z/a', 'TCP', 80, false]],
  },
  {
    name: 'policyTypes [Ingress] ignores listed egress rules',
    policies: () => [np('x', 'ingress-type',
      {
        podSelector: pod('a'),
        policyTypes: ['Ingress'],
        ingress: [{}],
        egress: [{ to: [{ namespaceSelector: ns('y') }] }]
      })],
    probes: [TCP80],
    spot: [['x/a', 'z/a', 'TCP', 80, true], ['z/a', 'x/a', 'TCP', 80, true]],
  },
  {
    name: 'egress to ipBlock cluster CIDR except one pod (ipBlock matches pod IPs, S5)',
    policies: (ip) => [np('x', 'egress-cidr',
      {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/16', except: [`${ip('y/b')}/32`] } }] }]
      })],
    probes: [TCP80],
    spot: [['x/a', 'y/b', 'TCP', 80, false], ['x/a', 'y/a', 'TCP', 80, true], ['x/c', 'z/c', 'TCP', 80, true]],
  },
  {
    name: 'ingress from ipBlock of two pod IPs',
    policies: (ip) => [np('y', 'from-ips',
      {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: `${ip('x/a')}/32` } }, { ipBlock: { cidr: `${ip('z/c')}/32` } }] }]
      })],
    probes: [TCP80],
    spot: [['x/a', 'y/c', 'TCP', 80, true], ['z/c', 'y/a', 'TCP', 80, true], ['x/b', 'y/a', 'TCP', 80, false]],
  },
  {
    name: 'ingress from a node\'s pod range except a smaller block (except arithmetic)',
    policies: (ip) => [np('z', 'from-node',
      {
        podSelector: {},
        ingress: [{
          from: [{
            ipBlock: { cidr: `${ip('x/a').split('.').slice(0, 3).join('.')}.0/24`, except: [`${ip('x/a')}/32`] }
          }]
        }]
      })],
    probes: [TCP80],
    spot: [['x/a', 'z/b', 'TCP', 80, false]],
  },
  {
    name: 'IPv6-only ipBlock peer matches no IPv4 source (and is not "allow all")',
    policies: () => [np('x', 'v6', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'fd00::/8' } }] }] })],
    probes: [TCP80],
    spot: [['y/a', 'x/a', 'TCP', 80, false]],
  },
  {
    name: 'two policies on one pod add up: 80 from y, 81 from z',
    policies: () => [
      np('x', 'y-80',
        { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y') }], ports: [{ port: 80 }] }] }),
      np('x', 'z-81',
        { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('z') }], ports: [{ port: 81 }] }] }),
    ],
    probes: [TCP80, TCP81],
    spot: [['y/a', 'x/a', 'TCP', 80, true], ['y/a', 'x/a', 'TCP', 81, false], ['z/a', 'x/a', 'TCP', 81, true],
      ['z/a', 'x/a', 'TCP', 80, false]],
  },
  {
    name: 'a policy only isolates the pods it selects (others stay open)',
    policies: () => [np('x', 'a-only', { podSelector: pod('a'), policyTypes: ['Ingress'] })],
    probes: [TCP80],
    spot: [['y/a', 'x/a', 'TCP', 80, false], ['y/a', 'x/b', 'TCP', 80, true]],
  },
  {
    name: 'a policy in namespace y never selects pods of x',
    policies: () => [np('y', 'pod-a-y', { podSelector: pod('a'), policyTypes: ['Ingress', 'Egress'] })],
    probes: [TCP80],
    spot: [['z/a', 'x/a', 'TCP', 80, true], ['z/a', 'y/a', 'TCP', 80, false], ['y/a', 'x/a', 'TCP', 80, false]],
  },
  {
    name: 'egress on one port to anywhere, several rules, UDP and TCP',
    policies: () => [np('z', 'egress-ports',
      {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 80, protocol: 'UDP' }] }, { to: [{ podSelector: {} }], ports: [{ port: 81 }] }]
      })],
    probes: [TCP80, TCP81, UDP80],
    spot: [['z/a', 'x/a', 'UDP', 80, true], ['z/a', 'x/a', 'TCP', 80, false], ['z/a', 'z/b', 'TCP', 81, true],
      ['z/a', 'x/b', 'TCP', 81, false]],
  },
  {
    name: 'egress and ingress in one policy, both directions checked',
    policies: () => [np('y', 'both', {
      podSelector: pod('c'),
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: ns('x'), podSelector: pod('a') }] }],
      egress: [{ to: [{ namespaceSelector: ns('z') }], ports: [{ port: 80, endPort: 80 }] }],
    })],
    probes: [TCP80, UDP80],
    spot: [['x/a', 'y/c', 'TCP', 80, true], ['x/b', 'y/c', 'TCP', 80, false], ['y/c', 'z/a', 'TCP', 80, true],
      ['y/c', 'z/a', 'UDP', 80, false], ['y/c', 'x/a', 'TCP', 80, false]],
  },
]
