/**
 * The compiler, pure: ipBlock/except arithmetic, named-port resolution, the desired state for a
 * table of policies, the renderer against golden files, and the truth table plus random
 * clusters checked through an interpreter of the generated rules against the spec oracle.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t from 'tap'
import { buildClusterPods, compile } from '../../policy/compiler'
import type { CompileInput } from '../../policy/types'
import { planConntrackDeletions } from '../../policy/conntrack-plan'
import { intervalsToNftElements, normalize, parseIPv4CIDR, subtract } from '../../policy/ipv4-intervals'
import { formatIPv4Address, tryParseIPv4Address } from '../../lib'
import { parseNamespace, parseNetworkPolicy, parsePod } from '../../policy/manifest'
import type { LocalAttachment, NetworkPolicy, PolicySnapshot } from '../../policy/model'
import { renderFull, renderIncremental } from '../../policy/nft-render'
import { forwardVerdict } from '../lib/nft-interpreter'
import { oracleAllows } from '../lib/policy-oracle'
import type { OracleWorld } from '../lib/policy-oracle'
import { POLICY_CASES } from '../lib/policy-cases'
import { namespaceManifest, NAMESPACES, podManifest, syntheticWorld, WorldPod } from '../lib/policy-world'

const GOLDEN = resolve(__dirname, '..', '..', '..', 'test', 'unit', 'golden')

function golden (t: { equal: (a: unknown, b: unknown, m: string) => unknown }, name: string, text: string): void {
  const path = join(GOLDEN, name)
  if (process.env.LOOM_UPDATE_GOLDEN === '1') writeFileSync(path, text)
  t.equal(text, readFileSync(path, 'utf8'), `matches golden ${name} (LOOM_UPDATE_GOLDEN=1 rewrites it)`)
}

const cidr = (s: string): { first: number; last: number } => parseIPv4CIDR(s) as { first: number; last: number }

t.test('ipBlock/except arithmetic', async t => {
  t.same(parseIPv4CIDR('10.0.0.1/24'), cidr('10.0.0.0/24'), 'host bits are dropped like the API does')
  t.equal(parseIPv4CIDR('10.0.0.0/33'), undefined)
  t.equal(parseIPv4CIDR('10.0.0.256/8'), undefined)
  t.equal(parseIPv4CIDR('010.0.0.0/8'), undefined, 'no octal-looking octets')
  t.equal(tryParseIPv4Address('1.2.3'), undefined)
  t.equal(formatIPv4Address(0xffffffff), '255.255.255.255')
  t.same(intervalsToNftElements(subtract([cidr('10.0.0.0/8')], [cidr('10.1.0.0/16')])),
    ['10.0.0.0/16', '10.2.0.0-10.255.255.255'])
  t.same(intervalsToNftElements(subtract([cidr('10.0.0.0/30')], [cidr('10.0.0.1/32'), cidr('10.0.0.2/32')])),
    ['10.0.0.0', '10.0.0.3'])
  t.same(intervalsToNftElements(subtract([cidr('10.0.0.0/24')], [cidr('10.0.0.0/25'), cidr('10.0.0.128/25')])), [],
    'excepts covering everything leave nothing')
  t.same(intervalsToNftElements(subtract([cidr('0.0.0.0/0')], [cidr('10.0.0.0/8')])),
    ['0.0.0.0-9.255.255.255', '11.0.0.0-255.255.255.255'])
  t.same(intervalsToNftElements(subtract([cidr('10.0.0.0/24')], [cidr('10.0.0.16/28'), cidr('10.0.0.20/30')])),
    ['10.0.0.0/28', '10.0.0.32-10.0.0.255'], 'nested excepts')
  t.same(intervalsToNftElements(normalize([cidr('10.0.0.1/32'), cidr('10.0.0.2/32'), cidr('10.0.0.0/32'),
    cidr('10.0.0.3/32')])), ['10.0.0.0/30'], 'adjacent addresses merge into a prefix')
  t.same(intervalsToNftElements(normalize([cidr('10.0.0.0/8'), cidr('10.1.2.3/32')])), ['10.0.0.0/8'],
    'contained intervals vanish')
  // Property: an address is in cidr-minus-excepts iff in cidr and in no except.
  let seed = 7
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
  for (let round = 0; round < 200; round++) {
    const base = cidr(`10.${rnd(4)}.${rnd(256)}.0/${20 + rnd(8)}`)
    const ex = Array.from({ length: rnd(4) },
      () => cidr(`${formatIPv4Address(base.first + rnd(base.last - base.first + 1))}/${24 + rnd(9)}`))
    const result = subtract([base], ex)
    for (let k = 0; k < 50; k++) {
      const a = base.first - 5 + rnd(base.last - base.first + 10)
      const want = a >= base.first && a <= base.last && !ex.some((e) => a >= e.first && a <= e.last)
      const got = result.some((iv) => a >= iv.first && a <= iv.last)
      if (want !== got) {
        t.fail(`address ${formatIPv4Address(a)} in ${JSON.stringify(base)} minus ${JSON.stringify(ex)}`); return
      }
    }
    for (let i = 1; i < result.length; i++) {
      if (result[i].first <= result[i - 1].last + 1) {
        t.fail('not disjoint/merged'); return
      }
    }
  }
  t.pass('200 random cidr-minus-excepts agree with the definition')
})

/** Snapshot + attachments for the world, every pod on its node. */
function worldInput (pods: WorldPod[], policies: Array<Record<string, unknown>>, node: number,
  withIPs = true): CompileInput {
  const snapshot: PolicySnapshot = {
    namespaces: new Map(NAMESPACES.map((n) => [n, parseNamespace(namespaceManifest(n))])),
    pods: new Map(pods.map((p) => [`${p.namespace}/${p.name}`,
      parsePod(podManifest({ ...p, ...(withIPs ? {} : { ip: undefined }) }))])),
    policies: new Map(policies.map((raw) => {
      const p = parseNetworkPolicy(raw)
      return [`${p.namespace}/${p.name}`, p]
    })),
  }
  const local: LocalAttachment[] = pods.filter((p) => p.node === node).map((p) => ({
    namespace: p.namespace, name: p.name, ip: p.ip, hostVeth: vethOf(p)
  }))
  return { snapshot, local, remote: [] }
}

function vethOf (p: { namespace: string; name: string }): string {
  return `lxc0000000${p.namespace}${p.name}0`
}

function oracleWorld (pods: WorldPod[], policies: NetworkPolicy[], nsLabels?: Map<string, Record<string,
  string>>): OracleWorld {
  return {
    namespaces: nsLabels ?? new Map(NAMESPACES.map((n) => [n, { ns: n, 'kubernetes.io/metadata.name': n }])),
    pods,
    policies,
  }
}

/** The verdict of the generated rules for src -> dst, on the nodes of src and dst. */
function kernelVerdict (states: Map<number, ReturnType<typeof compile>>, src: WorldPod, dst: WorldPod, l4: string,
  dport: number): boolean {
  if (src.node === dst.node) {
    return forwardVerdict(states.get(src.node)!,
      { iif: vethOf(src), oif: vethOf(dst), saddr: src.ip, daddr: dst.ip, l4, dport }) === 'accept'
  }
  const out = forwardVerdict(states.get(src.node)!,
    { iif: vethOf(src), oif: 'loom0', saddr: src.ip, daddr: dst.ip, l4, dport })
  if (out !== 'accept') return false
  return forwardVerdict(states.get(dst.node)!,
    { iif: 'loom0', oif: vethOf(dst), saddr: src.ip, daddr: dst.ip, l4, dport }) === 'accept'
}

t.test('truth table: generated rules == oracle on every 9x9 matrix; oracle == hand-written spot checks', async t => {
  const pods = syntheticWorld()
  const byName = new Map(pods.map((p) => [`${p.namespace}/${p.name}`, p]))
  const ip = (name: string): string => byName.get(name)!.ip
  t.ok(POLICY_CASES.length >= 30, `${POLICY_CASES.length} cases`)
  for (const c of POLICY_CASES) {
    const raw = c.policies(ip)
    const states = new Map([1, 2, 3].map((n) => [n, compile(worldInput(pods, raw, n))]))
    const world = oracleWorld(pods, raw.map((r) => parseNetworkPolicy(r)))
    let mismatches = 0
    for (const probe of [...c.probes, { proto: 'TCP' as const, port: 81 }, { proto: 'UDP' as const, port: 81 }]) {
      for (const src of pods) {
        for (const dst of pods) {
          if (src === dst) continue
          const want = oracleAllows(world, src, dst, probe.proto, probe.port)
          const got = kernelVerdict(states, src, dst, probe.proto.toLowerCase(), probe.port)
          if (want !== got &&
            mismatches++ < 5) t.fail(`${c.name}: ${src.namespace}/${src.name} -> ${dst.namespace}/${dst.name} ${probe.proto}/${probe.port}: rules say ${got}, oracle ${want}`)
        }
      }
    }
    for (const [from, to, proto, port, want] of c.spot) {
      t.equal(oracleAllows(world, byName.get(from)!, byName.get(to)!, proto, port), want,
        `${c.name}: spot ${from} -> ${to} ${proto}/${port}`)
    }
    if (mismatches === 0) t.pass(`${c.name}: rules agree with the oracle`)
  }
})

t.test('named ports resolve per destination pod', async t => {
  // Two pods name "web" on different numbers; an ingress rule resolves against each selected pod,
  // an egress rule against each destination.
  const pods = [
    { namespace: 'x', name: 'a', labels: { pod: 'a' }, ip: '10.244.1.2', node: 1 },
    { namespace: 'x', name: 'b', labels: { pod: 'b' }, ip: '10.244.2.2', node: 2 },
  ]
  const manifest = (p: typeof pods[number], port: number): Record<string, unknown> => ({
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
    spec: {
      containers: [{
        ports: [{ name: 'web', containerPort: port }, { name: 'dns', containerPort: 53, protocol: 'UDP' }]
      }]
    },
    status: { podIPs: [{ ip: p.ip }] },
  })
  const snapshot: PolicySnapshot = {
    namespaces: new Map([['x', parseNamespace(namespaceManifest('x'))]]),
    pods: new Map([['x/a', parsePod(manifest(pods[0], 8080))], ['x/b', parsePod(manifest(pods[1], 9090))]]),
    policies: new Map([
      ['x/in',
        parseNetworkPolicy({
          kind: 'NetworkPolicy',
          metadata: { name: 'in', namespace: 'x' },
          spec: {
            podSelector: {}, ingress: [{ ports: [{ port: 'web' }, { port: 'dns', protocol: 'UDP' }, { port: 'nope' }] }]
          }
        })],
      ['x/out',
        parseNetworkPolicy({
          kind: 'NetworkPolicy',
          metadata: { name: 'out', namespace: 'x' },
          spec: {
            podSelector: { matchLabels: { pod: 'a' } },
            policyTypes: ['Egress'],
            egress: [{ ports: [{ port: 'web' }] },
              { to: [{ podSelector: { matchLabels: { pod: 'a' } } }], ports: [{ port: 'dns', protocol: 'UDP' }] }]
          }
        })],
    ]),
  }
  const s1 = compile({
    snapshot, local: [{ namespace: 'x', name: 'a', ip: '10.244.1.2', hostVeth: 'lxca' }], remote: []
  })
  const s2 = compile({
    snapshot, local: [{ namespace: 'x', name: 'b', ip: '10.244.2.2', hostVeth: 'lxcb' }], remote: []
  })
  t.same(s1.chains.get('in-lxca')?.rules.slice(0, 2),
    ['meta l4proto tcp th dport 8080 counter accept comment "x/in ingress[0]"',
      'meta l4proto udp th dport 53 counter accept comment "x/in ingress[0]"'])
  t.same(s2.chains.get('in-lxcb')?.rules.slice(0, 1),
    ['meta l4proto tcp th dport 9090 counter accept comment "x/in ingress[0]"'], 'same name, other pod, other number')
  t.equal(s1.chains.get('in-lxca')?.rules.length, 3, 'an unresolvable name adds no rule (and never "all ports")')
  const egressSets = [...s1.sets.entries()].filter(([n]) => n.startsWith('np-'))
  t.same(egressSets.map(([, s]) => s.elements),
    [['10.244.1.2 . tcp . 8080', '10.244.2.2 . tcp . 9090'], ['10.244.1.2 . udp . 53']],
    'egress: (ip . proto . port) of every destination naming it, limited to the rule\'s peers')
  t.equal(s2.chains.has('eg-lxcb'), false, 'x/b is not selected by the egress policy')
})

t.test('desired state: isolation flags, dispatch, unknown pods, attachments without identity', async t => {
  const pods = syntheticWorld()
  const input = worldInput(pods, [
    { kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'x' }, spec: { podSelector: {} } },
    {
      kind: 'NetworkPolicy',
      metadata: { name: 'eg', namespace: 'y' },
      spec: { podSelector: { matchLabels: { pod: 'b' } }, policyTypes: ['Egress'] }
    },
  ], 1)
  const extra: LocalAttachment[] = [
    { ip: '10.244.1.99', hostVeth: 'lxcnoidentity' },
    { namespace: 'x', name: 'nomanifest', ip: '10.244.1.98', hostVeth: 'lxcnomanifest0' },
  ]
  const state = compile({ ...input, local: [...input.local, ...extra] })
  t.same([...state.localVeths].sort(),
    [...input.local.map((l) => l.hostVeth), 'lxcnoidentity', 'lxcnomanifest0'].sort(),
    'every attachment is a known veth')
  t.same([...state.ingressDispatch.keys()].sort(), ['lxc0000000xa0', 'lxcnomanifest0'],
    'x/a (node 1) and the manifest-less x pod are ingress-isolated by podSelector {}')
  t.same([...state.egressDispatch.keys()], ['lxc0000000yb0'].filter((v) => state.localVeths.has(v)))
  const row = state.pods.find((p) => p.hostVeth === 'lxcnoidentity')
  t.same(row,
    {
      ip: '10.244.1.99',
      hostVeth: 'lxcnoidentity',
      isolatedIngress: false,
      isolatedEgress: false,
      ingressPolicies: [],
      egressPolicies: []
    })
  t.same(state.chains.get('in-lxc0000000xa0')?.rules, ['counter drop comment "x/a ingress drop"'], 'no rules: deny all')
  const pods2 = buildClusterPods({ ...input, local: [...input.local, ...extra] })
  t.ok(pods2.some((p) => p.name === 'nomanifest' && p.ips[0] === '10.244.1.98'),
    'pods known only from an attachment join their namespace')
  t.equal(pods2.length, 10)
  // Host-network pods are never peers.
  const hn = compile({
    ...input,
    snapshot: {
      ...input.snapshot,
      pods: new Map([...input.snapshot.pods,
        ['x/host',
          parsePod({
            kind: 'Pod',
            metadata: { name: 'host', namespace: 'x' },
            spec: { hostNetwork: true },
            status: { podIPs: [{ ip: '198.18.0.1' }] }
          })]])
    }
  })
  t.notOk([...hn.sets.values()].some((s) => s.elements.includes('198.18.0.1')))
})

t.test('renderer: golden files for the full table and an incremental pod add', async t => {
  const pods = syntheticWorld()
  const byName = new Map(pods.map((p) => [`${p.namespace}/${p.name}`, p]))
  const raw = POLICY_CASES.filter((c) => /named port: resolved|egress and ingress in one policy|except one pod|separate peers/.test(c.name))
    .flatMap((c) => c.policies((n) => byName.get(n)!.ip))
  t.equal(raw.length, 4)
  const before = compile(worldInput(pods, raw, 1))
  golden(t, 'policy-node1-full.nft', renderFull(before))
  // A new pod y/d on node 2 (remote for node 1): only set elements change on node 1.
  const withD = [...pods,
    { namespace: 'y', name: 'd', labels: { pod: 'd' }, ip: '10.244.2.40', ports: pods[0].ports, node: 2 }]
  const after = compile(worldInput(withD, raw, 1))
  const inc = renderIncremental(before, after)
  golden(t, 'policy-node1-add-remote-pod.nft', inc)
  t.match(inc, /add element inet loom in-f68269f5ad-0 \{ 10.244.2.40 \}/, 'the new y pod joins the ns=y peer set')
  t.notMatch(inc, /chain|flush/, 'a remote pod add touches no chain')
  t.equal(renderIncremental(after, after), '', 'no change, no script')
  // A local pod add: its chain, its dispatch entries, its known veth.
  const withLocal = [...pods,
    { namespace: 'y', name: 'c2', labels: { pod: 'c' }, ip: '10.244.1.40', ports: pods[0].ports, node: 1 }]
  golden(t, 'policy-node1-add-local-pod.nft', renderIncremental(before, compile(worldInput(withLocal, raw, 1))))
  // Removing every policy removes chains and sets after the dispatch entries that use them.
  const cleared = renderIncremental(before, compile(worldInput(pods, [], 1)))
  const lines = cleared.trim().split('\n')
  const lastDispatch = Math.max(...lines.map((l, i) => (/dispatch/.test(l) ? i : -1)))
  const firstDelete = lines.findIndex((l) => /^delete (chain|set)/.test(l))
  t.ok(firstDelete > lastDispatch, 'chains and sets are deleted after nothing references them')
})

t.test('conntrack plan: cut only what lost its allowance', async t => {
  const pods = syntheticWorld()
  const allow = {
    kind: 'NetworkPolicy',
    metadata: { name: 'a-from-y', namespace: 'x' },
    spec: {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }]
    }
  }
  const xa = pods.find((p) => p.namespace === 'x' && p.name === 'a')!
  const node = xa.node
  const open = compile(worldInput(pods, [], node))
  const isolated = compile(worldInput(pods, [allow], node))
  t.same(planConntrackDeletions(open, isolated), [{ dst: xa.ip }], 'newly isolated for ingress: its inbound flows')
  t.same(planConntrackDeletions(isolated, open), [], 'an allowance added (isolation lifted): nothing')
  // y/b leaves the cluster: only flows between y/b and x/a.
  const yb = pods.find((p) => p.namespace === 'y' && p.name === 'b')!
  const without = compile(worldInput(pods.filter((p) => p !== yb || p.node === node), [allow], node))
  if (yb.node !== node) {
    t.same(planConntrackDeletions(isolated, without), [{ src: yb.ip, dst: xa.ip }],
      'a peer gone: just its flows to the pod')
  }
  // A new peer arrives: nothing is cut (an unrelated change keeps established flows).
  const more = compile(worldInput([...pods,
    { namespace: 'y', name: 'd', labels: {}, ip: '10.244.3.77', ports: [], node: 3 }], [allow], node))
  t.same(planConntrackDeletions(isolated, more), [])
  // A local pod deleted: all its flows.
  const gone = compile({
    ...worldInput(pods, [allow], node), local: worldInput(pods, [allow], node).local.filter((l) => l.ip !== xa.ip)
  })
  t.same(planConntrackDeletions(isolated, gone), [{ src: xa.ip }, { dst: xa.ip }])
})

t.test('random clusters and policies: generated rules == oracle', async t => {
  let seed = Number(process.env.LOOM_POLICY_SEED ?? 12345)
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31; return Math.floor((seed / 2 ** 31) * n)
  }
  const pick = <T>(a: readonly T[]): T => a[rnd(a.length)]
  const labelValues = ['a', 'b', 'c']
  const selector = (): Record<string, unknown> => pick([
    {},
    { matchLabels: { pod: pick(labelValues) } },
    {
      matchExpressions: [{
        key: 'pod', operator: pick(['In', 'NotIn']), values: [pick(labelValues), pick(labelValues)]
      }]
    },
    { matchExpressions: [{ key: pick(['pod', 'tier']), operator: pick(['Exists', 'DoesNotExist']) }] },
    { matchLabels: { tier: 'web' } },
  ])
  const nsSelector = (): Record<string,
  unknown> => pick([{}, { matchLabels: { ns: pick(['x', 'y', 'z']) } },
    { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['y'] }] }])
  const peer = (pods: WorldPod[]): Record<string, unknown> => pick([
    () => ({ podSelector: selector() }),
    () => ({ namespaceSelector: nsSelector() }),
    () => ({ podSelector: selector(), namespaceSelector: nsSelector() }),
    () => ({ ipBlock: { cidr: '10.244.0.0/16', except: [`${pick(pods).ip}/32`] } }),
    () => ({ ipBlock: { cidr: `${pick(pods).ip}/${pick([32, 30, 24])}` } }),
  ])()
  const port = (): Record<string, unknown> => pick([
    { port: 80 }, { port: 81, protocol: 'UDP' }, { protocol: 'UDP' }, { port: 80, endPort: 81 },
    { port: 'serve-81-tcp' }, { port: 'serve-80-udp', protocol: 'UDP' }, { port: 'serve-80-udp' },
    { port: 7000, protocol: 'SCTP' },
  ])
  const rules = (pods: WorldPod[]): Array<Record<string, unknown>> => Array.from({ length: rnd(3) }, () => ({
    ...(rnd(3) > 0 ? { peersKey: Array.from({ length: 1 + rnd(2) }, () => peer(pods)) } : {}),
    ...(rnd(2) > 0 ? { ports: Array.from({ length: 1 + rnd(2) }, port) } : {}),
  }))
  const fix = (rs: Array<Record<string, unknown>>, key: 'from' | 'to'): Array<Record<string, unknown>> =>
    rs.map(({ peersKey, ...rest }) => (peersKey === undefined ? rest : { ...rest, [key]: peersKey }))
  let checked = 0
  for (let round = 0; round < 60; round++) {
    const pods = syntheticWorld().map((p) => ({
      ...p, labels: rnd(4) === 0 ? { pod: p.name, tier: 'web' } : rnd(6) === 0 ? {} : p.labels
    }))
    const policies = Array.from({ length: 1 + rnd(4) }, (_, i) => {
      const spec: Record<string, unknown> = { podSelector: selector() }
      if (rnd(2) === 0) spec.ingress = fix(rules(pods), 'from')
      if (rnd(2) === 0) spec.egress = fix(rules(pods), 'to')
      if (rnd(3) === 0) spec.policyTypes = pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']])
      return { kind: 'NetworkPolicy', metadata: { name: `p${i}`, namespace: pick(['x', 'y', 'z']) }, spec }
    })
    const states = new Map([1, 2, 3].map((n) => [n, compile(worldInput(pods, policies, n))]))
    const world = oracleWorld(pods, policies.map((r) => parseNetworkPolicy(r)))
    for (let k = 0; k < 60; k++) {
      const src = pick(pods)
      const dst = pick(pods)
      if (src === dst) continue
      const [proto, p] = pick([['TCP', 80], ['TCP', 81], ['UDP', 80], ['UDP', 81], ['ICMP', 0]] as const)
      const want = oracleAllows(world, src, dst, proto, p)
      const got = kernelVerdict(states, src, dst, proto.toLowerCase(), p)
      checked++
      if (want !== got) {
        t.fail(`seed round ${round}: ${src.namespace}/${src.name} -> ${dst.namespace}/${dst.name} ${proto}/${p}: rules ${got}, oracle ${want}\n${JSON.stringify(policies, null, 1)}`)
        return
      }
    }
  }
  t.pass(`${checked} random connections agree`)
})
