/**
 * The `kubernetes` policy source against a real control plane: Debian's etcd and kube-apiserver
 * v1.32.4 (test/netns/peers/build-kube-apiserver.sh, cached) in the lab's switch namespace,
 * three loomd nodes (udp) with `policy.source: kubernetes`, each authenticating as user
 * loom-node with only the RBAC the README documents, by a different credential kind (token,
 * tokenFile, client certificate). Namespaces, pods and NetworkPolicies are made with kubectl;
 * pods are scheduled (spec.nodeName) before CNI ADD and their status.podIPs patched in after,
 * as a kubelet does.
 *
 * Each change is timed from kubectl's return to the first probe showing the new verdict (probes
 * every <= 300 ms), asserted < 2 s, then the full 9x9 TCP/80 matrix is compared with the spec
 * oracle: a policy created, a pod label changed, a namespace label changed, a policy deleted.
 * Then the API server is restarted (the watches must resume), and restarted again after etcd's
 * history was compacted (the watches must get 410 Gone and list again); changes after each are
 * enforced.
 *
 *   node1: x/a y/c z/b     node2: x/b y/a z/c     node3: x/c y/b z/a
 *   switch ns: br0 198.18.0.250 -- kube-apiserver :6443 -- etcd 127.0.0.1:2379
 */
import t from 'tap'
import { kubeSkipReason } from './lib/kube-cluster'
import { isRoot, NetnsLab, SKIP_NOT_ROOT } from './lib/netns-lab'
import { PolicyLab } from './lib/policy-lab'

const TCP80 = { proto: 'TCP' as const, port: 80 }
const CHANGE_DEADLINE_MS = 2000

const skip = !isRoot() ? SKIP_NOT_ROOT : kubeSkipReason()

t.test('kubernetes policy source against a real kube-apiserver and etcd', { skip }, async (t) => {
  const lab = new NetnsLab('npk')
  t.teardown(() => lab.cleanup())
  const credentials = ['token', 'tokenFile', 'cert'] as const
  const pl = new PolicyLab(lab, 'udp', { kube: { credential: (node) => credentials[node.index - 1] } })
  const built = Date.now()
  await pl.build()
  const kube = pl.kube!
  t.comment(`control plane, 3 nodes and 9 pods ready in ${((Date.now() - built) / 1000).toFixed(1)} s`)

  /** Probes src -> dst until the verdict is `want`; ms from `since` (kubectl's return). */
  const until = async (from: string, to: string, want: boolean, since: number, limitMs: number): Promise<number> => {
    const src = pl.pod(from)
    const dst = pl.pod(to)
    for (;;) {
      const ok = (await pl.probeFrom(src, [{ ip: dst.ip, ...TCP80 }], 300))[0]
      const elapsed = Date.now() - since
      if (ok === want) return elapsed
      if (elapsed > limitMs) return elapsed
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const matrix = async (what: string): Promise<void> => {
    const { wrong, drawing } = await pl.check(TCP80)
    if (wrong.length > 0) {
      t.fail(`${what}: ${wrong.length} of 72 cells differ from the spec\n${wrong.slice(0,
      10).join('\n')}\n${drawing}`)
    } else t.pass(`${what}: 9x9 TCP/80 matrix as the spec says`)
  }
  /** Runs a kubectl change, then times how long until from -> to shows `want`. */
  const change = async (what: string, from: string, to: string, want: boolean, run: () => Promise<unknown>,
    limitMs = CHANGE_DEADLINE_MS): Promise<number> => {
    t.equal(pl.expected(pl.pod(from), pl.pod(to), TCP80), want,
      `${what}: the spec says ${from} -> ${to} is ${want ? 'allowed' : 'blocked'} afterwards`)
    const k0 = Date.now()
    await run()
    const since = Date.now()
    const ms = await until(from, to, want, since, limitMs + 3000)
    t.ok(ms <= limitMs,
      `${what}: ${from} -> ${to} ${want ? 'allowed' : 'blocked'} ${ms} ms after kubectl returned (kubectl took ${since - k0} ms; limit ${limitMs} ms)`)
    await matrix(what)
    return ms
  }

  await matrix('no policy')
  for (const node of pl.overlay.nodes) {
    const s = await pl.policyStatus(node)
    t.equal(s.source.kind, 'kubernetes', `${node.name} uses the kubernetes source`)
    t.match(s.source, { state: 'synced', pods: 9, policies: 0 }, `${node.name} listed the cluster's 9 pods`)
    t.ok(s.source.namespaces >= 4,
      `${node.name} listed x, y, z and the API server's own namespaces (${s.source.namespaces})`)
  }

  const figures: string[] = []
  const p1 = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'a-from-blue-or-clients', namespace: 'x' },
    spec: {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } },
          { podSelector: { matchLabels: { role: 'client' } } }]
      }],
    },
  }
  pl.policies = [p1]
  figures.push(`policy created ${await change('policy created', 'y/b', 'x/a', false, () => kube.apply([p1]))} ms`)

  pl.pod('x/c').labels = { pod: 'c', role: 'client' }
  figures.push(`pod label ${await change('pod label changed', 'x/c', 'x/a', true,
    () => kube.kubectl(['label', 'pod', '-n', 'x', 'c', 'role=client']))} ms`)

  pl.namespaceLabels.set('z', { ns: 'z', team: 'blue' })
  figures.push(`namespace label ${await change('namespace label changed', 'z/b', 'x/a', true,
    () => kube.kubectl(['label', 'namespace', 'z', 'team=blue']))} ms`)

  pl.pod('x/c').labels = { pod: 'c' }
  figures.push(`pod label removed ${await change('pod label removed', 'x/c', 'x/a', false,
    () => kube.kubectl(['label', 'pod', '-n', 'x', 'c', 'role-']))} ms`)

  pl.policies = []
  figures.push(`policy deleted ${await change('policy deleted', 'y/b', 'x/a', true,
    () => kube.kubectl(['delete', 'networkpolicy', '-n', 'x', p1.metadata.name]))} ms`)

  // The API server goes away and comes back: the watches resume (after backoff) and keep going.
  const before = await Promise.all(pl.overlay.nodes.map((n) => pl.policyStatus(n)))
  const r0 = Date.now()
  await kube.restartApiserver()
  t.comment(`API server restarted in ${Date.now() - r0} ms`)
  const p2 = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'y-a-deny-ingress', namespace: 'y' },
    spec: { podSelector: { matchLabels: { pod: 'a' } } },
  }
  pl.policies = [p2]
  // Backoff (0.5 s doubling, at most 30 s) may still be waiting when the server is back.
  figures.push(`first change after restart ${await change('policy created after an API server restart', 'x/b', 'y/a',
    false, () => kube.apply([p2]), 32_000)} ms`)
  for (const [i, node] of pl.overlay.nodes.entries()) {
    const s = await pl.policyStatus(node)
    t.ok(s.source.restarts + s.source.relists > before[i].source.restarts + before[i].source.relists,
      `${node.name}: the watches were re-established (restarts ${before[i].source.restarts} -> ${s.source.restarts}, relists ${before[i].source.relists} -> ${s.source.relists})`)
    t.equal(s.source.state, 'synced', `${node.name}: the source is synced again`)
  }
  pl.policies = [p2, p1]
  figures.push(`after restart ${await change('policy created again after the restart', 'y/b', 'x/a', false,
    () => kube.apply([p1]))} ms`)

  // etcd's history compacted past every version loomd holds, then the API server restarted:
  // resuming a watch gets 410 Gone, and each node lists again.
  await kube.kubectl(['create', 'configmap', '-n', 'default', 'bump'])
  const rev = await kube.compactEtcd()
  const beforeGone = await Promise.all(pl.overlay.nodes.map((n) => pl.policyStatus(n)))
  await kube.restartApiserver()
  t.comment(`etcd compacted at revision ${rev}, API server restarted`)
  pl.policies = [p1]
  figures.push(`first change after 410 ${await change('policy deleted after 410 Gone', 'x/b', 'y/a', true,
    () => kube.kubectl(['delete', 'networkpolicy', '-n', 'y', p2.metadata.name]), 32_000)} ms`)
  for (const [i, node] of pl.overlay.nodes.entries()) {
    const s = await pl.policyStatus(node)
    t.ok(s.source.relists > beforeGone[i].source.relists,
      `${node.name}: listed again after 410 Gone (relists ${beforeGone[i].source.relists} -> ${s.source.relists})`)
  }
  pl.pod('x/a').labels = { pod: 'a2' }
  figures.push(`after 410 ${await change('selected pod relabelled after the relist', 'y/b', 'x/a', true,
    () => kube.kubectl(['label', 'pod', '-n', 'x', 'a', 'pod=a2', '--overwrite']))} ms`)
  t.comment(`kubectl return -> enforced: ${figures.join(', ')}`)
})
