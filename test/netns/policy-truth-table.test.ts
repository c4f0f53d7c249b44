/**
 * NetworkPolicy truth table on real kernels, over both encapsulations: two labs side by side,
 * one with `udp` and one with `vxlan`. Each lab has three loomd nodes, namespaces x/y/z with pods
 * a/b/c (made by loom-cni) spread so that every namespace and pod name is on every node, and
 * policies from a watched manifest directory (policy.source files). The two labs also cover both
 * ways a node learns other nodes' pod addresses in files mode: the `udp` lab is a gossip cluster
 * whose Pod manifests carry no address (each node's published attachments are the truth), the
 * `vxlan` lab is static and writes the addresses into the manifests' status.podIPs. For each
 * case of test/lib/policy-cases.ts the full 9x9 matrix is probed in both labs (TCP connect /
 * UDP echo, every pod to every other pod, in parallel) and compared with the spec oracle, as the
 * upstream e2e suite does. Every matrix has same-node pairs (18 of 72 cells) and cross-node
 * pairs (54).
 *
 * Why two labs at once: a matrix costs mostly the 1 s wait of its blocked probes, not CPU, so the
 * two labs probing at the same time take little more wall time than one (the labs are built one
 * after the other, which is CPU work). One lab cannot carry
 * both encapsulations: a loomd has one. Same-node cells never cross the encapsulation; they are
 * checked in both labs anyway, because they come with the matrix at no extra cost.
 *
 *   node1: x/a y/c z/b     node2: x/b y/a z/c     node3: x/c y/b z/a        (in each lab)
 *     pods: veth lxc…, /32, proxy ARP        table inet loom in each node's FORWARD hook
 *     └── loom0 (TUN) ── loomd ── eth0 ── bridge "sw" ── eth0 ── loomd ── loom0 ──┘
 *
 * LOOM_POLICY_CASE=<part of a case name> runs only the matching cases.
 */
import t from 'tap'
import { isRoot, NetnsLab, SKIP_NOT_ROOT } from './lib/netns-lab'
import { PolicyLab } from './lib/policy-lab'
import { POLICY_CASES } from '../lib/policy-cases'

const ENCAPSULATIONS = ['udp', 'vxlan'] as const

t.test('NetworkPolicy truth table, udp and vxlan encapsulations, 3 nodes x 9 pods each',
  { skip: isRoot() ? false : SKIP_NOT_ROOT }, async (t) => {
    const labs = ENCAPSULATIONS.map((encap) => {
      const lab = new NetnsLab(`npt${encap[0]}`)
      t.teardown(() => lab.cleanup())
      return { encap, pl: new PolicyLab(lab, encap, { gossip: encap === 'udp' }) }
    })
    // One after the other: building is CPU work (six loomd and eighteen pod processes starting
    // at once missed loomd's 15 s start-up wait on the loaded 2-core machine).
    const built = Date.now()
    for (const { pl } of labs) await pl.build()
    t.comment(`both labs built in ${((Date.now() - built) / 1000).toFixed(1)} s`)
    const started = Date.now()
    const only = process.env.LOOM_POLICY_CASE
    const [first] = labs
    for (const c of POLICY_CASES) {
      if (only !== undefined && !c.name.includes(only)) continue
      await Promise.all(labs.map(async ({ pl }) => pl.waitApplied(pl.setPolicies(c.policies(pl.ip)))))
      // The hand-written expectations against the oracle: the same in both labs (same pods).
      for (const [from, to, proto, port, want] of c.spot) {
        t.equal(first.pl.expected(first.pl.pod(from), first.pl.pod(to), { proto, port }),
          want, `${c.name}: spec spot check ${from} -> ${to} ${proto}/${port}`)
      }
      for (const probe of c.probes) {
        const results = await Promise.all(labs.map(async ({ pl }) => pl.check(probe)))
        for (const [i, { wrong, drawing }] of results.entries()) {
          const encap = labs[i].encap
          if (wrong.length > 0) {
            t.fail(`${encap} ${c.name}: ${wrong.length} of 72 cells differ from the spec\n` +
              `${wrong.slice(0, 10).join('\n')}\n${drawing}`)
          } else t.pass(`${encap} ${c.name}: ${probe.proto}/${probe.port} 9x9 matrix as the spec says`)
        }
      }
    }
    t.comment(`${POLICY_CASES.length} cases x ${labs.length} encapsulations in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s`)
  })
