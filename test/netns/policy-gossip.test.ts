/**
 * NetworkPolicy, files mode over gossip: three loomd nodes in a gossip cluster (udp), the x/y/z ×
 * a/b/c pods made by the real loom-cni with K8S_POD_NAMESPACE/K8S_POD_NAME, and Pod manifests
 * that carry no address at all. Every remote pod's address in a peer set comes from its node's
 * published attachments (policy/endpoint-directory.ts over the node-state channel).
 *
 * - cross-node selections: the 9x9 matrix of a few truth-table cases as the spec says;
 * - a remote pod's CNI DEL takes its address out of the other nodes' peer sets within 2 s, a new
 *   remote pod's ADD puts it in within 2 s (issue 12);
 * - a node's loomd restarts: its pods keep their identities (control/ipam/pod-meta.ts), so it
 *   still selects and publishes them;
 * - a node that leaves: its pods leave every other node's peer sets.
 *
 *   node1: x/a y/c z/b     node2: x/b y/a z/c     node3: x/c y/b z/a   (udp over bridge "sw")
 */
import t from 'tap'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { PolicyLab } from './lib/policy-lab'
import type { LabNode } from './lib/overlay-lab'
import { peerSetName } from '../../policy/compiler'
import type { NetworkPolicy } from '../../policy/model'
import { POLICY_CASES } from '../lib/policy-cases'
import { cidrContains, parseCIDR, parseIPv4Address } from '../../lib'

const TCP80 = { proto: 'TCP' as const, port: 80 }

const np = (name: string, ns: string, spec: Record<string, unknown>): Record<string, unknown> =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec })

t.test('files mode over gossip: remote pods\' addresses come from their nodes', {
  skip: isRoot() ? false : SKIP_NOT_ROOT
}, async (t) => {
  const lab = new NetnsLab('npg')
  t.teardown(() => lab.cleanup())
  const pl = new PolicyLab(lab, 'udp', { gossip: true })
  await pl.build()
  const [node1, node2, node3] = pl.overlay.nodes as [LabNode, LabNode, LabNode]
  const s1 = await pl.policyStatus(node1)
  t.same(s1.remotePods?.nodes.map((n) => [n.endpoints, n.refused]), [[3, 0], [3, 0]],
    'node1 holds the 6 pods of node2 and node3 from gossip, none refused')

  const metrics = await lab.execOk(node1.ns, ['curl', '-sf', 'http://127.0.0.1:9784/metrics'])
  for (const re of [/loom_policy_remote_addresses\{state="taken"\} 6\n/, /loom_policy_remote_addresses\{state="refused"\} 0\n/,
    /loom_policy_publish_dropped 0\n/]) t.match(metrics, re, `/metrics has ${re.source}`)

  t.same(s1.pods.map((p) => `${p.namespace ?? '-'}/${p.name ?? '-'}`).sort(), ['x/a', 'y/c', 'z/b'],
    'node1\'s local pods are its three pods (loom0\'s own address is not one)')
  t.match((await pl.overlay.loom(node1, ['status', 'policy'])).stdout, /Remote pods:\s+node[23] 3, node[23] 3 \(gossip\)/,
    '`loom status policy` shows the remote pods per node')

  // x/a (node1) admits only x/b (node2): x/b's address reaches node1 only through gossip.
  const allowB = np('a-from-b', 'x', {
    podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }]
  })
  await pl.waitApplied(pl.setPolicies([allowB]))
  t.ok((await pl.probeFrom(pl.pod('x/b'), [{ ip: pl.ip('x/a'), ...TCP80 }]))[0],
    'x/b (node2) reaches x/a (node1): its address is in x/a\'s peer set')
  t.same((await pl.check(TCP80)).wrong, [], 'a-from-b: 9x9 matrix as the spec says')
  const some = /^(namespaceSelector and podSelector in one peer|egress named port|egress to ipBlock cluster CIDR|client egress deny)/
  for (const c of POLICY_CASES.filter((c) => some.test(c.name))) {
    await pl.waitApplied(pl.setPolicies(c.policies(pl.ip)))
    for (const probe of c.probes) {
      const { wrong, drawing } = await pl.check(probe)
      t.same(wrong, [],
        `${c.name}: ${probe.proto}/${probe.port} matrix as the spec says${wrong.length > 0 ? `\n${drawing}` : ''}`)
    }
  }

  // A remote pod's DEL and a new remote pod's ADD reach node1's peer set within 2 s.
  await pl.waitApplied(pl.setPolicies([allowB]))
  const set = peerSetName({ namespace: 'x', name: 'a-from-b' } as NetworkPolicy, 'in', 0)
  const elements = async (): Promise<string> =>
    lab.execOk(node1.ns, ['nft', 'list', 'set', 'inet', 'loom', set])
  // Elements as nft prints an interval set: addresses, prefixes and ranges.
  const has = (text: string, ip: string): boolean => {
    const x = parseIPv4Address(ip)
    const body = /elements = \{([^}]*)\}/.exec(text)?.[1] ?? ''
    return body.split(',').map((e) => e.trim()).filter((e) => e !== '').some((e) => {
      const [lo, hi] = e.includes('-') ? e.split('-').map((a) => parseIPv4Address(a.trim())) : [undefined, undefined]
      if (lo !== undefined && hi !== undefined) return x >= lo && x <= hi
      const c = parseCIDR(e.includes('/') ? e : `${e}/32`)
      return cidrContains(c.network, c.prefixLength, x)
    })
  }
  const xb = pl.pod('x/b')
  t.ok(has(await elements(), xb.ip), `${set} on node1 holds x/b's ${xb.ip}`)
  const d0 = Date.now()
  await pl.cniDel(xb)
  const delReturned = Date.now() - d0
  await waitFor(`x/b's address to leave ${set} on node1`, async () => !has(await elements(), xb.ip), 10_000, 20)
  const gone = Date.now() - d0
  t.ok(gone <= 2000, `x/b deleted on node2: its address left node1's peer set ${gone} ms after the DEL started ` +
    `(DEL returned after ${delReturned} ms)`)
  const a0 = Date.now()
  const { pod: xb2, listening } = await pl.addWorldPod(node2, 20, 'x', 'b')
  const addReturned = Date.now() - a0
  t.not(xb2.ip, xb.ip, 'the new x/b has another address (the old one is quarantined)')
  await waitFor(`the new x/b's address to enter ${set} on node1`, async () => has(await elements(), xb2.ip), 10_000, 20)
  const added = Date.now() - a0
  t.ok(added - addReturned <= 2000, `a new x/b on node2: in node1's peer set ${added - addReturned} ms after its ` +
    `ADD returned (ADD took ${addReturned} ms)`)
  await listening
  t.ok((await pl.probeFrom(xb2, [{ ip: pl.ip('x/a'), ...TCP80 }]))[0], 'the new x/b reaches x/a')

  // node2's loomd restarts. Its pods keep their identity (ipam.json's podMeta): node2 still
  // selects them and publishes them, so the matrix holds and x/b's address stays in node1's set.
  // Found here: the identity lived in memory in gossip mode, so after a restart node2 published
  // none of its pods and x/b lost its access to x/a.
  const identities = async (): Promise<string[]> =>
    (await pl.policyStatus(node2)).pods.map((p) => `${p.namespace ?? '-'}/${p.name ?? '-'}`).sort()
  const before2 = await identities()
  await pl.overlay.stopDaemon(node2)
  pl.overlay.startDaemon(node2)
  await pl.overlay.waitReady(node2)
  await waitFor('node2 to sync and apply after its restart', async () => {
    const s = await pl.policyStatus(node2)
    return s.source.state === 'synced' && s.applies.full + s.applies.incremental > 0 && s.applies.idle
  }, 15_000, 100)
  t.same(await identities(), before2, `node2's local pods keep their identities across a restart (${before2.join(' ')})`)
  await waitFor('node1 to hold node2\'s pods again', async () => has(await elements(), xb2.ip), 10_000, 50)
    .catch(() => {})
  t.ok(has(await elements(), xb2.ip), `after node2's restart, ${set} on node1 still holds x/b's ${xb2.ip}`)
  t.ok((await pl.probeFrom(xb2, [{ ip: pl.ip('x/a'), ...TCP80 }]))[0], 'and x/b (node2) still reaches x/a (node1)')
  t.same((await pl.check(TCP80)).wrong, [], 'a-from-b after node2\'s restart: 9x9 matrix as the spec says')

  // node3 leaves the cluster (loomd stopped: it announces its leave): its pods leave node1's sets.
  const fromAll = np('a-from-all', 'x', {
    podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: {} }] }]
  })
  await pl.waitApplied(pl.setPolicies([fromAll]))
  const allSet = peerSetName({ namespace: 'x', name: 'a-from-all' } as NetworkPolicy, 'in', 0)
  const on3 = pl.pods.filter((p) => p.node === 3)
  const allText = async (): Promise<string> => lab.execOk(node1.ns, ['nft', 'list', 'set', 'inet', 'loom', allSet])
  const before = await allText()
  t.ok(on3.every((p) => has(before, p.ip)), `${allSet} holds node3's pods before it leaves`)
  const l0 = Date.now()
  await pl.overlay.stopDaemon(node3)
  await waitFor('node3\'s pods to leave node1\'s peer set', async () => {
    const text = await allText()
    return on3.every((p) => !has(text, p.ip))
  }, 15_000, 50)
  t.pass(`node3 left: its ${on3.length} pods left node1's peer set ${Date.now() - l0} ms after its loomd was stopped`)
  const after = await pl.policyStatus(node1)
  t.same(after.remotePods?.nodes.map((n) => n.nodeName), ['node2'], 'node1 holds only node2\'s pods now')
  t.ok(has(await allText(), pl.ip('y/a')), 'node2\'s pods stay')
})
