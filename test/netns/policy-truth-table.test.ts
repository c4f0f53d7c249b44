/**
 * NetworkPolicy truth table on real kernels: three loomd nodes (encapsulation udp), namespaces
 * x/y/z with pods a/b/c spread so every namespace and pod name is on every node, policies from
 * a watched manifest directory (policy.source files). For each case of test/lib/policy-cases.ts
 * the full 9x9 matrix is probed (TCP connect / UDP echo, every pod to every other pod, in
 * parallel) and compared with the spec oracle, as the upstream e2e suite does; same-node and
 * cross-node pairs are in every matrix. The policy tests run with `udp` only (no vxlan run yet).
 *
 *   node1: x/a y/c z/b     node2: x/b y/a z/c     node3: x/c y/b z/a
 *     pods: veth lxc…, /32, proxy ARP        table inet loom in each node's FORWARD hook
 *     └── loom0 (TUN) ── loomd ── eth0 ── bridge "sw" ── eth0 ── loomd ── loom0 ──┘
 */
import t from 'tap'
import { isRoot, NetnsLab, SKIP_NOT_ROOT } from './lib/netns-lab'
import { PolicyLab } from './lib/policy-lab'
import { POLICY_CASES } from '../lib/policy-cases'

t.test('NetworkPolicy truth table, udp encapsulation, 3 nodes x 9 pods', { skip: isRoot() ? false : SKIP_NOT_ROOT },
  async (t) => {
    const lab = new NetnsLab('npt')
    t.teardown(() => lab.cleanup())
    const pl = new PolicyLab(lab, 'udp')
    await pl.build()
    const started = Date.now()
    const only = process.env.LOOM_POLICY_CASE
    for (const c of POLICY_CASES) {
      if (only !== undefined && !c.name.includes(only)) continue
      const t0 = pl.setPolicies(c.policies(pl.ip))
      await pl.waitApplied(t0)
      for (const [from, to, proto, port, want] of c.spot) {
        t.equal(pl.expected(pl.pod(from), pl.pod(to), { proto, port }),
          want, `${c.name}: spec spot check ${from} -> ${to} ${proto}/${port}`)
      }
      for (const probe of c.probes) {
        const { wrong, drawing } = await pl.check(probe)
        if (wrong.length > 0) {
          t.fail(`${c.name}: ${wrong.length} of 72 cells differ from the spec\n${wrong.slice(0,
        10).join('\n')}\n${drawing}`)
        } else t.pass(`${c.name}: ${probe.proto}/${probe.port} 9x9 matrix as the spec says`)
      }
    }
    t.comment(`${POLICY_CASES.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  })
