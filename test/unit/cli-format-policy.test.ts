/** `loom status policy` rendering (agent/cli-format-policy.ts): content and alignment from fixed documents. */
import t from 'tap'
import { formatPolicy } from '../../agent/cli-format-policy'
import type { PolicyStatus } from '../../policy'

const NOW = 1_700_000_100_000

function status (over: Partial<PolicyStatus> = {}): PolicyStatus {
  return {
    source: {
      kind: 'kubernetes',
      state: 'synced',
      lastError: '',
      lastChangeAt: NOW - 42_000,
      namespaces: 3,
      pods: 7,
      policies: 2,
      restarts: 0,
      relists: 0,
    },
    applies: {
      full: 1,
      incremental: 5,
      failed: 0,
      driftRepairs: 2,
      conntrackDeletions: 4,
      lastApplyAt: NOW - 1_400,
      lastError: '',
      idle: true,
    },
    rules: 31,
    sets: 6,
    pods: [],
    ...over,
  }
}

const isolatedPod = {
  namespace: 'shop',
  name: 'db-0',
  ip: '10.244.1.7',
  hostVeth: 'lxc0123456789ab',
  isolatedIngress: true,
  isolatedEgress: false,
  ingressPolicies: ['shop/db-in', 'shop/deny-all'],
  egressPolicies: ['shop/deny-all'],
  ingressAllowedPackets: 120,
  ingressDroppedPackets: 3,
  egressAllowedPackets: 0,
  egressDroppedPackets: 0,
}

const unnamedOpenPod = {
  ip: '10.244.1.9',
  hostVeth: 'lxcfedcba987654',
  isolatedIngress: false,
  isolatedEgress: false,
  ingressPolicies: [],
  egressPolicies: [],
  ingressAllowedPackets: 0,
  ingressDroppedPackets: 0,
  egressAllowedPackets: 0,
  egressDroppedPackets: 0,
}

t.test('the header says source, object counts, applies and the table, with ages against now', async (t) => {
  const out = formatPolicy(status(), NOW)
  t.match(out, /^\s*Source: kubernetes: synced$/m)
  t.match(out, /^\s*Objects: 3 namespaces, 7 pods, 2 network policies; changed 42s ago$/m)
  t.match(out, /^\s*Applies: 1 full, 5 incremental, 0 failed; last 1s ago$/m)
  t.match(out, /^\s*Table: inet loom: 31 rules, 6 sets; 2 drift repairs, 4 conntrack deletions$/m)
  t.notMatch(out, /Remote pods/, 'no remote row without a gossip directory')
  t.match(out, /\nno local pods\n$/)
})

t.test('never-happened times read "never", a clock behind the document never shows a negative age', async (t) => {
  const s = status()
  const out = formatPolicy(status({
    source: { ...s.source, lastChangeAt: 0, state: 'error', lastError: 'watch pods: 403 Forbidden' },
    applies: { ...s.applies, lastApplyAt: NOW + 5_000 },
  }), NOW)
  t.match(out, /^\s*Source: kubernetes: error \(last error: watch pods: 403 Forbidden\)$/m)
  t.match(out, /changed never$/m)
  t.match(out, /last 0s ago$/m)
})

t.test('one aligned row per local pod: isolation with ok/drop packets, policies once each', async (t) => {
  const out = formatPolicy(status({ pods: [isolatedPod, unnamedOpenPod] }), NOW)
  const lines = out.trimEnd().split('\n')
  const header = lines.findIndex((l) => l.startsWith('POD'))
  t.ok(header > 0, 'a table header after the key-values')
  const [head, first, second] = lines.slice(header)
  t.same(head.split(/\s{2,}/), ['POD', 'IP', 'VETH', 'INGRESS (ok/drop pkts)', 'EGRESS (ok/drop pkts)', 'POLICIES'])
  t.same(first.split(/\s{2,}/),
    ['shop/db-0', '10.244.1.7', 'lxc0123456789ab', 'isolated 120/3', 'open', 'shop/db-in,shop/deny-all'],
    'a policy selecting both directions is listed once')
  t.same(second.split(/\s{2,}/), ['-', '10.244.1.9', 'lxcfedcba987654', 'open', 'open', '-'])
  const columns = head.split(/\s{2,}/)
  for (const [row, cells] of [[first, first.split(/\s{2,}/)], [second, second.split(/\s{2,}/)]] as const) {
    columns.forEach((column, i) => {
      t.ok(row.startsWith(cells[i], head.indexOf(column)), `${column} starts at its header: ${row}`)
    })
  }
})

t.test('files mode over gossip adds the remote pods row, with refused addresses and unpublished pods', async (t) => {
  const counters = {
    valuesRejected: 0, addressesRefused: 1, publishDropped: 0, shardsOverDeltaBudget: 0, publishFailures: 0,
  }
  const quiet = formatPolicy(status({ remotePods: { nodes: [], counters } }), NOW)
  t.match(quiet, /^\s*Remote pods: none \(gossip\)$/m)
  const busy = formatPolicy(status({
    remotePods: {
      nodes: [{ nodeName: 'node2', endpoints: 4, refused: 0 }, { nodeName: 'node3', endpoints: 2, refused: 1 }],
      counters: { ...counters, publishDropped: 2 },
    },
  }), NOW)
  t.match(busy, /^\s*Remote pods: node2 4, node3 2 \(\+1 refused\) \(gossip\); 2 local pods not published$/m)
})
