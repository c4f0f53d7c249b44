import t from 'tap'
import { ManifestError } from '../../policy/errors'
import { parseManifest, parseNetworkPolicy, parsePod } from '../../policy/manifest'
import { buildSnapshot } from '../../policy/files-source'
import { selectorMatches, formatSelector } from '../../policy/selector'
import { selector } from '../../policy/manifest'

const np = (spec: unknown, name = 'p', namespace = 'x'): ReturnType<typeof parseNetworkPolicy> =>
  parseNetworkPolicy({ kind: 'NetworkPolicy', metadata: { name, namespace }, spec })

t.test('selector evaluation: matchLabels AND matchExpressions; empty selects all', async t => {
  const s = (raw: unknown): ReturnType<typeof selector> => selector(raw, 'test', 'sel')
  const labels = { app: 'web', tier: 'front', 'example.com/team': 'a' }
  const cases: Array<[unknown, Record<string, string>, boolean]> = [
    [{}, labels, true],
    [{}, {}, true],
    [{ matchLabels: { app: 'web' } }, labels, true],
    [{ matchLabels: { app: 'db' } }, labels, false],
    [{ matchLabels: { app: 'web', tier: 'back' } }, labels, false],
    [{ matchLabels: { missing: '' } }, labels, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'mid'] }] }, labels, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, labels, false],
    [{ matchExpressions: [{ key: 'nope', operator: 'In', values: ['x'] }] }, labels, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] }, labels, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels, false],
    [{ matchExpressions: [{ key: 'nope', operator: 'NotIn', values: ['x'] }] }, labels, true],
    [{ matchExpressions: [{ key: 'example.com/team', operator: 'Exists' }] }, labels, true],
    [{ matchExpressions: [{ key: 'nope', operator: 'Exists' }] }, labels, false],
    [{ matchExpressions: [{ key: 'nope', operator: 'DoesNotExist' }] }, labels, true],
    [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels, false],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels,
      false],
    // A label named like an Object.prototype member is not "present".
    [{ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, {}, false],
    [{ matchLabels: { toString: 'x' } }, {}, false],
  ]
  for (const [raw, l, want] of cases) {
    t.equal(selectorMatches(s(raw), l), want,
    `${JSON.stringify(raw)} on ${JSON.stringify(l)}`)
  }
  t.equal(formatSelector(s({
    matchLabels: { a: 'b' },
    matchExpressions: [{ key: 'c', operator: 'In', values: ['d', 'e'] }, { key: 'f', operator: 'DoesNotExist' }]
  })), 'a=b,c in (d,e),!f')
  t.equal(formatSelector(s({})), '{}')
})

t.test('policyTypes defaulting (S2)', async t => {
  t.same(np({ podSelector: {} }).policyTypes, ['Ingress'], 'nothing: Ingress')
  t.same(np({ podSelector: {}, ingress: [{}] }).policyTypes, ['Ingress'])
  t.same(np({ podSelector: {}, egress: [{}] }).policyTypes, ['Ingress', 'Egress'],
    'egress rules: Ingress too (deny all ingress)')
  t.same(np({ podSelector: {}, egress: [] }).policyTypes, ['Ingress'], 'empty egress list: no Egress')
  t.same(np({ podSelector: {}, policyTypes: ['Egress'] }).policyTypes, ['Egress'], 'given: kept')
  t.same(np({ podSelector: {}, policyTypes: ['Egress'], ingress: [{}] }).policyTypes, ['Egress'],
    'given wins over rules')
  t.same(np({ podSelector: {}, policyTypes: [] }).policyTypes, [], 'an empty list is taken as given')
})

t.test('ports: protocol defaults to TCP, endPort, named ports', async t => {
  const p = np({
    podSelector: {},
    ingress: [{
      ports: [{ port: 80 }, { protocol: 'UDP' }, { port: 'serve-80-tcp' }, { port: 80, endPort: 90, protocol: 'SCTP' }]
    }]
  })
  t.same(p.ingress[0].ports,
    [{ protocol: 'TCP', port: 80 }, { protocol: 'UDP' }, { protocol: 'TCP', port: 'serve-80-tcp' },
      { protocol: 'SCTP', port: 80, endPort: 90 }])
  t.same(p.ingress[0].peers, [], 'no from = every source')
})

t.test('the API server\'s validation, field by field (hostile and careless input)', async t => {
  const bad: Array<[string, unknown, string]> = [
    ['bad operator', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Like', values: ['x'] }] } },
      'spec.podSelector.matchExpressions[0].operator'],
    ['In without values', { podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } },
      'spec.podSelector.matchExpressions[0].values'],
    ['Exists with values', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } },
      'values'],
    ['bad label value', { podSelector: { matchLabels: { a: 'has space' } } }, 'spec.podSelector.matchLabels.a'],
    ['numeric label value', { podSelector: { matchLabels: { a: 1 } } }, 'matchLabels.a'],
    ['bad policyType', { podSelector: {}, policyTypes: ['Both'] }, 'spec.policyTypes[0]'],
    ['policyType twice', { podSelector: {}, policyTypes: ['Ingress', 'Ingress'] }, 'spec.policyTypes[1]'],
    ['bad protocol', { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP' }] }] },
      'spec.ingress[0].ports[0].protocol'],
    ['port 0', { podSelector: {}, ingress: [{ ports: [{ port: 0 }] }] }, 'ports[0].port'],
    ['port 65536', { podSelector: {}, ingress: [{ ports: [{ port: 65536 }] }] }, 'ports[0].port'],
    ['port 1.5', { podSelector: {}, ingress: [{ ports: [{ port: 1.5 }] }] }, 'ports[0].port'],
    ['quoted number', { podSelector: {}, ingress: [{ ports: [{ port: '80' }] }] }, 'ports[0].port'],
    ['bad port name', { podSelector: {}, ingress: [{ ports: [{ port: 'Serve_80' }] }] }, 'ports[0].port'],
    ['port name with --', { podSelector: {}, ingress: [{ ports: [{ port: 'a--b' }] }] }, 'ports[0].port'],
    ['port name of 16', { podSelector: {}, ingress: [{ ports: [{ port: 'abcdefghijklmnop' }] }] }, 'ports[0].port'],
    ['endPort < port', { podSelector: {}, egress: [{ ports: [{ port: 90, endPort: 80 }] }] },
      'spec.egress[0].ports[0].endPort'],
    ['endPort without port', { podSelector: {}, egress: [{ ports: [{ endPort: 80 }] }] }, 'endPort'],
    ['endPort with named port', { podSelector: {}, egress: [{ ports: [{ port: 'web', endPort: 80 }] }] }, 'endPort'],
    ['empty peer', { podSelector: {}, ingress: [{ from: [{}] }] }, 'spec.ingress[0].from[0]'],
    ['ipBlock with selector',
      { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }, 'from[0]'],
    ['bad cidr', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] }, 'ipBlock.cidr'],
    ['cidr not a string', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 10 } }] }] }, 'ipBlock.cidr'],
    ['except outside',
      { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/8'] } }] }] },
      'except[0]'],
    ['except equal',
      { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } }] }] },
      'except[0]'],
    ['except other family',
      { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['fd00::/64'] } }] }] },
      'except[0]'],
    ['ingress not a list', { podSelector: {}, ingress: {} }, 'spec.ingress'],
    ['rule a string', { podSelector: {}, ingress: ['x'] }, 'spec.ingress[0]'],
  ]
  for (const [name, spec, field] of bad) {
    try {
      np(spec)
      t.fail(`${name}: accepted`)
    } catch (err) {
      t.ok(err instanceof ManifestError, name)
      t.match((err as ManifestError).field, field, `${name}: ${(err as Error).message}`)
      t.match((err as Error).message, 'networkpolicy x/p', `${name}: names the object`)
    }
  }
  t.throws(() => parseNetworkPolicy({ kind: 'NetworkPolicy', metadata: { name: 'Bad_Name' } }), /metadata.name/)
  t.throws(() => parseNetworkPolicy({ kind: 'NetworkPolicy', metadata: { name: 'ok', namespace: 'UPPER' } }),
    /metadata.namespace/)
  // IPv6 ipBlocks are valid (the API takes them) and carry no IPv4 address.
  t.same(np({
    podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'fd00::/8', except: ['fd00::/16'] } }] }]
  }).ingress[0].peers[0].ipBlock, { cidr: 'fd00::/8', except: ['fd00::/16'] })
})

t.test('pods: ports, podIPs, hostNetwork', async t => {
  const pod = parsePod({
    kind: 'Pod',
    metadata: { name: 'a', namespace: 'x', labels: { pod: 'a' } },
    spec: {
      nodeName: 'node1',
      containers: [{
        ports: [{ name: 'serve-80-tcp', containerPort: 80 },
          { name: 'serve-80-udp', containerPort: 80, protocol: 'UDP' }]
      }]
    },
    status: { podIPs: [{ ip: '10.244.1.2' }, { ip: 'fd00::2' }, { ip: '10.244.1.2' }] },
  })
  t.same(pod.ports,
    [{ containerPort: 80, protocol: 'TCP', name: 'serve-80-tcp' },
      { containerPort: 80, protocol: 'UDP', name: 'serve-80-udp' }])
  t.same(pod.ips, ['10.244.1.2'], 'IPv4 only, deduplicated')
  t.equal(pod.nodeName, 'node1')
  t.equal(pod.hostNetwork, false)
  t.throws(() => parsePod({
    kind: 'Pod', metadata: { name: 'a' }, spec: { containers: [{ ports: [{ containerPort: 0 }] }] }
  }), /containerPort/)
  t.throws(() => parsePod({
    kind: 'Pod', metadata: { name: 'a' }, spec: { containers: [{ ports: [{ containerPort: 80, name: 'UPPER' }] }] }
  }), /name/)
  t.equal(parsePod({ kind: 'Pod', metadata: { name: 'a' } }).namespace, 'default')
})

t.test('manifests: Lists, ignored kinds, duplicates, the namespace name label (S10)', async t => {
  const r = parseManifest({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { kind: 'Namespace', metadata: { name: 'x', labels: { ns: 'x', 'kubernetes.io/metadata.name': 'forged' } } },
      { kind: 'Service', metadata: { name: 's' } },
      { kind: 'Pod', metadata: { name: 'a', namespace: 'x' } },
    ],
  }, 'doc')
  t.equal(r.ignored, 1)
  t.same(r.objects.map((o) => o.kind), ['Namespace', 'Pod'])
  t.same((r.objects[0].value as { labels: unknown }).labels, { ns: 'x', 'kubernetes.io/metadata.name': 'x' },
    'the name label is the name, whatever the file says')
  t.same(parseManifest({ kind: 'PodList', items: [{ metadata: { name: 'b' } }] }, 'doc').objects.map((o) => o.kind),
    ['Pod'], 'typed lists give their kind to items')
  t.throws(() => parseManifest({ kind: 'List', items: [{ kind: 'List', items: [] }] }, 'doc'), /List inside a List/)
  t.throws(() => parseManifest('a string', 'doc'), ManifestError)

  const snap = buildSnapshot([
    {
      file: 'a.yaml',
      text: 'kind: Namespace\nmetadata: {name: x}\n---\nkind: Pod\nmetadata: {name: a, namespace: x}\n---\n'
    },
    {
      file: 'b.json',
      text: JSON.stringify({
        kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'x' }, spec: { podSelector: {} }
      })
    },
  ])
  t.equal(snap.namespaces.size, 1)
  t.equal(snap.pods.size, 1)
  t.equal(snap.policies.size, 1)
  const dup = (): unknown => buildSnapshot([{ file: 'a.yaml', text: 'kind: Pod\nmetadata: {name: a}\n' },
    { file: 'b.yaml', text: 'kind: Pod\nmetadata: {name: a}\n' }])
  t.throws(dup, /defined twice/)
  t.throws(() => buildSnapshot([{ file: 'bad.yaml', text: 'kind: Pod\nmetadata: [\n' }]), /bad.yaml: not valid YAML/)
  t.throws(() => buildSnapshot([{ file: 'bad.json', text: '{' }]), /bad.json: not valid JSON/)
  t.throws(() => buildSnapshot([{
    file: 'p.yaml', text: 'kind: NetworkPolicy\nmetadata: {name: p}\nspec: {ingress: [{ports: [{port: 0}]}]}\n'
  }]),
  /p.yaml: networkpolicy default\/p: spec.ingress\[0\].ports\[0\].port/)
  // A YAML alias bomb must not expand without bound.
  const bomb = 'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n'
  t.throws(() => buildSnapshot([{ file: 'bomb.yaml', text: bomb }]), /alias|Excessive/i)
})
