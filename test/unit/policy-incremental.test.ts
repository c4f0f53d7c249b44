/**
 * The incremental compiler against the full one: for random sequences of pod, namespace,
 * policy, attachment and remote-endpoint changes, every `IncrementalCompiler.update` must equal
 * `compile` of the same input, byte for byte (order included: the renderer's output depends on
 * it). `compile` is the source of truth; the incremental path only saves work.
 *
 * LOOM_POLICY_SEED=<n> replays a run; a failure prints the seed, the sequence and the step.
 */
import t from 'tap'
import { compile } from '../../policy/compiler'
import type { CompileInput } from '../../policy/types'
import type { DesiredState } from '../../policy/desired-state'
import { IncrementalCompiler } from '../../policy/incremental'
import { parseNamespace, parseNetworkPolicy, parsePod } from '../../policy/manifest'
import type { LocalAttachment, Namespace, NetworkPolicy, Pod, RemoteEndpoint } from '../../policy/model'
import { renderIncremental } from '../../policy/nft-render'
import { SERVED_PORTS } from '../lib/policy-world'

/** DesiredState as text, maps in their order: equal text = equal state, rendered the same. */
function dump (s: DesiredState): string {
  return JSON.stringify({
    sets: [...s.sets],
    chains: [...s.chains],
    egressDispatch: [...s.egressDispatch],
    ingressDispatch: [...s.ingressDispatch],
    localVeths: [...s.localVeths],
    pods: s.pods,
  })
}

/** The first difference between two dumps, for a readable failure. */
function firstDifference (a: DesiredState, b: DesiredState): string {
  for (const [name, set] of b.sets) {
    const mine = a.sets.get(name)
    if (JSON.stringify(mine) !== JSON.stringify(set)) {
      return `set ${name}: incremental ${JSON.stringify(mine?.elements)}, full ${JSON.stringify(set.elements)}`
    }
  }
  for (const name of a.sets.keys()) if (!b.sets.has(name)) return `set ${name} only in the incremental state`
  for (const [name, chain] of b.chains) {
    if (JSON.stringify(a.chains.get(name)) !== JSON.stringify(chain)) return `chain ${name} differs`
  }
  return 'maps, order or pod rows differ'
}

interface World {
  namespaces: Map<string, Namespace>
  pods: Map<string, Pod>
  policies: Map<string, NetworkPolicy>
  local: LocalAttachment[]
  remote: RemoteEndpoint[]
}

function run (seed: number, steps: number, maxPodDelta: number): { ok: boolean; log: string[]; detail: string } {
  let s = seed
  const rnd = (n: number): number => { s = (s * 1103515245 + 12345) % 2 ** 31; return Math.floor((s / 2 ** 31) * n) }
  const pick = <T>(a: readonly T[]): T => a[rnd(a.length)]
  const NS = ['x', 'y', 'z', 'w']
  const NAMES = ['a', 'b', 'c', 'd', 'e', 'f']
  // A small address range, so that neighbours merge into prefixes and ranges, and an address
  // is sometimes held by two pods (a stale status) or covered by an ipBlock too.
  const ip = (): string => `10.244.${pick([0, 0, 0, 1])}.${rnd(12)}`
  const labels = (): Record<string, string> => pick<Record<string, string>>([
    {}, { pod: pick(['a', 'b', 'c']) }, { pod: pick(['a', 'b']), tier: pick(['web', 'db']) }, { tier: 'db' },
  ])
  const podRaw = (namespace: string, name: string): Record<string, unknown> => ({
    kind: 'Pod',
    metadata: { namespace, name, labels: labels() },
    spec: {
      ...(rnd(12) === 0 ? { hostNetwork: true } : {}),
      containers: [{ name: 'c', ports: SERVED_PORTS.filter(() => rnd(3) > 0) }],
    },
    ...(rnd(8) === 0 ? {} : { status: { podIPs: [{ ip: ip() }, ...(rnd(6) === 0 ? [{ ip: ip() }] : [])] } }),
  })
  const selector = (): Record<string, unknown> => pick([
    {}, { matchLabels: { pod: pick(['a', 'b', 'c']) } }, { matchLabels: { tier: pick(['web', 'db']) } },
    { matchExpressions: [{ key: 'pod', operator: pick(['In', 'NotIn']), values: [pick(['a', 'b', 'c'])] }] },
    { matchExpressions: [{ key: pick(['pod', 'tier']), operator: pick(['Exists', 'DoesNotExist']) }] },
  ])
  const nsSelector = (): Record<string, unknown> => pick([
    {}, { matchLabels: { team: pick(['t1', 't2']) } }, { matchLabels: { 'kubernetes.io/metadata.name': pick(NS) } },
    { matchExpressions: [{ key: 'team', operator: pick(['Exists', 'DoesNotExist']) }] },
  ])
  const peer = (): Record<string, unknown> => pick([
    () => ({ podSelector: selector() }),
    () => ({ namespaceSelector: nsSelector() }),
    () => ({ podSelector: selector(), namespaceSelector: nsSelector() }),
    () => ({ ipBlock: { cidr: '10.244.0.0/29', except: [`10.244.0.${rnd(8)}/32`] } }),
    () => ({ ipBlock: { cidr: `${ip()}/${pick([32, 31, 30])}` } }),
    () => ({ ipBlock: { cidr: 'fd00::/64' } }),
  ])()
  const port = (): Record<string, unknown> => pick([
    { port: 80 }, { protocol: 'UDP' }, { port: 80, endPort: 81 },
    { port: 'serve-81-tcp' }, { port: 'serve-80-udp', protocol: 'UDP' }, { port: 'serve-80-tcp' },
  ])
  const rules = (key: 'from' | 'to'): Array<Record<string, unknown>> => Array.from({ length: rnd(3) }, () => ({
    ...(rnd(4) > 0 ? { [key]: Array.from({ length: 1 + rnd(2) }, peer) } : {}),
    ...(rnd(3) > 0 ? { ports: Array.from({ length: 1 + rnd(2) }, port) } : {}),
  }))
  const policyRaw = (namespace: string, name: string): Record<string, unknown> => {
    const spec: Record<string, unknown> = { podSelector: selector() }
    if (rnd(3) > 0) spec.ingress = rules('from')
    if (rnd(2) === 0) spec.egress = rules('to')
    if (rnd(3) === 0) spec.policyTypes = pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']])
    return { kind: 'NetworkPolicy', metadata: { namespace, name }, spec }
  }
  const nsRaw = (name: string): Record<string, unknown> =>
    ({ kind: 'Namespace', metadata: { name, labels: rnd(3) > 0 ? { team: pick(['t1', 't2']) } : {} } })

  const w: World = { namespaces: new Map(), pods: new Map(), policies: new Map(), local: [], remote: [] }
  type Raw = Map<string, Record<string, unknown>>
  const raw: { namespaces: Raw; pods: Raw; policies: Raw } =
    { namespaces: new Map(), pods: new Map(), policies: new Map() }
  const setPod = (namespace: string, name: string): void => {
    const r = podRaw(namespace, name)
    raw.pods.set(`${namespace}/${name}`, r)
    w.pods.set(`${namespace}/${name}`, parsePod(r))
  }
  const setPolicy = (namespace: string, name: string): void => {
    const r = policyRaw(namespace, name)
    raw.policies.set(`${namespace}/${name}`, r)
    w.policies.set(`${namespace}/${name}`, parseNetworkPolicy(r))
  }
  const setNamespace = (name: string): void => {
    const r = nsRaw(name)
    raw.namespaces.set(name, r)
    w.namespaces.set(name, parseNamespace(r))
  }
  for (const n of NS.slice(0, 3)) setNamespace(n)
  for (let i = 0; i < 14; i++) setPod(pick(NS), pick(NAMES))
  for (let i = 0; i < 3; i++) setPolicy(pick(NS), `p${rnd(5)}`)
  const attach = (): void => {
    const veth = `lxc0000000${rnd(16).toString(16)}0`
    w.local = w.local.filter((a) => a.hostVeth !== veth)
    const pods = [...w.pods.values()].filter((p) => !p.hostNetwork)
    const p = pods.length > 0 ? pick(pods) : undefined
    if (p === undefined || rnd(6) === 0) {
      w.local.push({ namespace: pick(NS), name: `nomanifest${rnd(3)}`, ip: ip(), hostVeth: veth })
    } else if (rnd(5) === 0 && p.ips.length > 0) {
      w.local.push({ ip: p.ips[0], hostVeth: veth }) // no identity: matched by address
    } else w.local.push({ namespace: p.namespace, name: p.name, ip: p.ips[0] ?? ip(), hostVeth: veth })
  }
  for (let i = 0; i < 4; i++) attach()

  const ops: Array<[string, () => void]> = [
    ['pod added or replaced', () => setPod(pick(NS), pick(NAMES))],
    ['pod added or replaced', () => setPod(pick(NS), pick(NAMES))],
    ['pod deleted', () => { w.pods.delete(pick([...w.pods.keys(), 'x/none'])) }],
    ['pod labels changed', () => {
      const key = pick([...w.pods.keys(), 'x/none'])
      const r = raw.pods.get(key)
      if (r === undefined) return
      const next = { ...r, metadata: { ...(r.metadata as object), labels: labels() } }
      raw.pods.set(key, next)
      w.pods.set(key, parsePod(next))
    }],
    ['namespace labels changed or added', () => setNamespace(pick(NS))],
    ['namespace deleted', () => { w.namespaces.delete(pick(NS)) }],
    ['policy added or replaced', () => setPolicy(pick(NS), `p${rnd(5)}`)],
    ['policy deleted', () => { w.policies.delete(pick([...w.policies.keys(), 'x/none'])) }],
    ['attachment added', attach],
    ['attachment removed', () => { w.local = w.local.filter((_, i) => i !== rnd(w.local.length)) }],
    ['remote endpoint added', () => { w.remote.push({ namespace: pick(NS), name: pick(['r1', 'r2', 'a']), ip: ip(), nodeName: 'n2' }) }],
    ['remote endpoint removed', () => { w.remote = w.remote.filter((_, i) => i !== rnd(w.remote.length)) }],
    ['everything parsed again (new objects, same values)', () => {
      const again = <T>(m: Map<string, T>, r: Raw, parse: (o: Record<string, unknown>) => T): Map<string, T> =>
        new Map([...m.keys()].map((k) => [k, parse(r.get(k) as Record<string, unknown>)]))
      w.namespaces = again(w.namespaces, raw.namespaces, parseNamespace)
      w.pods = again(w.pods, raw.pods, parsePod)
      w.policies = again(w.policies, raw.policies, parseNetworkPolicy)
    }],
  ]
  const inc = new IncrementalCompiler({ maxPodDelta })
  const log: string[] = []
  let previous: DesiredState | undefined
  for (let step = 0; step < steps; step++) {
    const n = 1 + rnd(3)
    for (let k = 0; k < n; k++) {
      const [what, op] = pick(ops)
      op()
      log.push(`${step}: ${what}`)
    }
    // Maps are copied as a source hands out a new snapshot after every change.
    const input: CompileInput = {
      snapshot: { namespaces: new Map(w.namespaces), pods: new Map(w.pods), policies: new Map(w.policies) },
      local: [...w.local],
      remote: [...w.remote],
    }
    const got = inc.update(input)
    const want = compile(input)
    if (dump(got) !== dump(want)) return { ok: false, log, detail: firstDifference(got, want) }
    // The difference the applier would send must be what the full states give.
    if (previous !== undefined) {
      const fromFull = renderIncremental(previous, want)
      if (renderIncremental(previous, got) !== fromFull) return { ok: false, log, detail: 'renderIncremental differs' }
    }
    previous = got
  }
  return { ok: true, log, detail: '' }
}

t.test('random change sequences: every incremental update == a full compile', async t => {
  const first = Number(process.env.LOOM_POLICY_SEED ?? 4242)
  let sequences = 0
  for (let i = 0; i < 60; i++) {
    const seed = first + i
    // Mostly the delta path; every fourth sequence with a tiny rebuild threshold.
    const r = run(seed, 40, i % 4 === 3 ? 1 : 256)
    if (!r.ok) {
      t.fail(`seed ${seed} (LOOM_POLICY_SEED=${seed}), after:\n${r.log.slice(-12).join('\n')}\n${r.detail}`)
      return
    }
    sequences++
  }
  t.pass(`${sequences} sequences of 40 steps agree with compile()`)
})

t.test('a one-pod change patches sets and recompiles only what depends on it', async t => {
  const ns = (name: string): Namespace => parseNamespace({ kind: 'Namespace', metadata: { name, labels: { team: 't' } } })
  const pod = (name: string, ipAddr: string, labels: Record<string, string>): Pod => parsePod({
    kind: 'Pod',
    metadata: { namespace: 'x', name, labels },
    spec: { containers: [{ name: 'c', ports: SERVED_PORTS }] },
    status: { podIPs: [{ ip: ipAddr }] },
  })
  const policy = parseNetworkPolicy({
    kind: 'NetworkPolicy',
    metadata: { namespace: 'x', name: 'web' },
    spec: {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
      egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'serve-80-tcp' }] }],
    },
  })
  const pods = new Map<string, Pod>()
  for (let i = 0; i < 20; i++) pods.set(`x/c${i}`, pod(`c${i}`, `10.244.2.${i + 1}`, { app: i % 2 === 0 ? 'client' : 'db' }))
  pods.set('x/w0', pod('w0', '10.244.1.2', { app: 'web' }))
  pods.set('x/w1', pod('w1', '10.244.1.3', { app: 'web' }))
  const local = [
    { namespace: 'x', name: 'w0', ip: '10.244.1.2', hostVeth: 'lxc00000000010' },
    { namespace: 'x', name: 'w1', ip: '10.244.1.3', hostVeth: 'lxc00000000011' },
  ]
  const input = (): CompileInput => ({
    snapshot: { namespaces: new Map([['x', ns('x')]]), pods: new Map(pods), policies: new Map([['x/web', policy]]) },
    local,
    remote: [],
  })
  const inc = new IncrementalCompiler()
  const before = inc.update(input())
  t.equal(inc.lastUpdate.rebuiltSets, 3, 'the first update builds every set')
  pods.set('x/c20', pod('c20', '10.244.2.21', { app: 'client' }))
  const after = inc.update(input())
  t.equal(dump(after), dump(compile(input())))
  t.same(inc.lastUpdate, { rebuiltSets: 0, patchedSets: 1, recompiledPods: 0, changedPods: 1 },
    'a remote client added: one peer set patched, no chain recompiled, nothing rebuilt')
  t.equal(after.chains.get('in-lxc00000000010'), before.chains.get('in-lxc00000000010'), 'unchanged chains keep their object')
  const np = [...after.sets.keys()].find((k) => k.startsWith('np-')) as string
  t.equal(after.sets.get(np), before.sets.get(np), 'an untouched set keeps its object')
  t.match(renderIncremental(before, after), /^add element inet loom in-[0-9a-f]+-0 \{ 10\.244\.2\.21 \}\n$/,
    'the nft update is one element added')
  pods.set('x/w1', pod('w1', '10.244.1.3', { app: 'web', v: '2' }))
  inc.update(input())
  t.equal(inc.lastUpdate.recompiledPods, 1, 'a local pod relabelled: its chains only')
})
