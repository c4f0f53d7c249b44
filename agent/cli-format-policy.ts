/**
 * Human rendering of `loom status policy`: the source, the applier, other nodes' pods (files mode
 * over gossip), then one row per local pod
 * (isolated in/out, the policies that select it, packets allowed/dropped per direction).
 * Pure function of the API's document (policy/ engine.ts PolicyStatus), unit-tested.
 */
import type { PolicyStatus } from '../policy'
import { formatKeyValues, formatTable } from './cli-format'

export function formatPolicy (doc: PolicyStatus, now = Date.now()): string {
  const s = doc.source
  const ago = (t: number): string => (t === 0 ? 'never' : `${Math.max(0, Math.round((now - t) / 1000))}s ago`)
  const head = formatKeyValues([
    ['Source', `${s.kind}: ${s.state}${s.lastError === '' ? '' : ` (last error: ${s.lastError})`}`],
    ['Objects',
      `${s.namespaces} namespaces, ${s.pods} pods, ${s.policies} network policies; changed ${ago(s.lastChangeAt)}`],
    ['Applies',
      `${doc.applies.full} full, ${doc.applies.incremental} incremental, ${doc.applies.failed} failed; last ${ago(doc.applies.lastApplyAt)}`],
    ['Table',
      `inet loom: ${doc.rules} rules, ${doc.sets} sets; ${doc.applies.driftRepairs} drift repairs, ${doc.applies.conntrackDeletions} conntrack deletions`],
    ...(doc.remotePods !== undefined ? [remoteRow(doc.remotePods)] : []),
  ])
  if (doc.pods.length === 0) return head + '\nno local pods\n'
  const rows = doc.pods.map((p) => [
    p.namespace === undefined ? '-' : `${p.namespace}/${p.name ?? '-'}`,
    p.ip,
    p.hostVeth,
    p.isolatedIngress ? `isolated ${p.ingressAllowedPackets}/${p.ingressDroppedPackets}` : 'open',
    p.isolatedEgress ? `isolated ${p.egressAllowedPackets}/${p.egressDroppedPackets}` : 'open',
    [...new Set([...p.ingressPolicies, ...p.egressPolicies])].join(',') || '-',
  ])
  return head + '\n' + formatTable(['POD', 'IP', 'VETH', 'INGRESS (ok/drop pkts)', 'EGRESS (ok/drop pkts)', 'POLICIES'],
    rows)
}

/** Files mode over gossip: the pods other nodes published (and refused addresses, if any). */
function remoteRow (r: NonNullable<PolicyStatus['remotePods']>): [string, string] {
  const nodes = r.nodes.map((n) => `${n.nodeName} ${n.endpoints}${n.refused > 0 ? ` (+${n.refused} refused)` : ''}`)
  const dropped = r.counters.publishDropped > 0 ? `; ${r.counters.publishDropped} local pods not published` : ''
  return ['Remote pods', `${nodes.length === 0 ? 'none' : nodes.join(', ')} (gossip)${dropped}`]
}
