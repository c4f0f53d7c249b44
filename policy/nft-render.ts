/**
 * DesiredState to nft syntax, for `nft -f -`. Two forms, each one atomic transaction:
 *
 * - `renderFull`: replace the whole table (`table inet loom {}` + `delete table inet loom` +
 *   the table): used at start, after a failed apply and when the drift check finds the kernel's
 *   table differs. The create-then-delete pair makes the delete valid whether or not the table
 *   exists (the add+delete+add trick of kube-network-policies), in one transaction.
 * - `renderIncremental(old, new)`: only what changed: new sets and chains, set element adds and
 *   deletes (pod churn), chains whose rules changed flushed and refilled, dispatch map entries,
 *   then removed chains and sets last (nothing references them by then). Chains and sets that
 *   did not change keep their counters. Empty string = nothing to do.
 *
 * Only table `inet loom` is ever named: other tables (kube-proxy, firewalld, Docker) at the same
 * hook are untouched, and their verdicts combine with ours as netfilter defines (a drop anywhere
 * drops).
 */
import { HOST_VETH_GLOB } from '../lib'
import type { DesiredState, NftSetSpec } from './desired-state'

export const TABLE = 'inet loom'
/** Host-side pod veths are "lxc" + 11 hex digits (lib/veth-name.ts). */
export const POD_VETH_PATTERN = HOST_VETH_GLOB

/**
 * A TCP packet that may open a connection: SYN alone. Anything else that conntrack calls NEW is a
 * mid-stream pickup (conntrack's default `nf_conntrack_tcp_loose` adopts it as a connection).
 */
const NOT_A_TCP_OPENER = 'ct state new tcp flags & (fin|syn|rst|ack) != syn'

/** The fixed base chain: replies first (S8), then dispatch by interface (S1, S7). */
export const FORWARD_RULES: readonly string[] = [
  'ct state established,related accept',
  'ct state invalid counter drop comment "invalid"',
  // Mid-stream pickup to or from a pod is dropped. When a change removes an allowance, the
  // applier deletes the flow's conntrack entries (conntrack-plan.ts). Without these two rules,
  // the next segment from the side whose direction is still allowed (say the server, with
  // egress open) would become a NEW flow in the reverse direction. The other side's segments
  // would then pass as its replies, and the cut connection would live on. With them, a TCP
  // connection exists only if its SYN passed the policy. A flow whose entry was lost some other
  // way (conntrack flushed or full) is cut too. UDP has no opener to check: after a cut, a
  // datagram that the policy allows in the reverse direction starts a flow in that direction.
  `iifname "${POD_VETH_PATTERN}" ${NOT_A_TCP_OPENER} counter drop comment "mid-stream from pod"`,
  `oifname "${POD_VETH_PATTERN}" ${NOT_A_TCP_OPENER} counter drop comment "mid-stream to pod"`,
  // A pod veth the agent has not announced yet (CNI ADD in progress, or a stranger's veth named
  // like ours) gets nothing through until its chains are in place (Calico's "Unknown endpoint").
  `iifname "${POD_VETH_PATTERN}" iifname != @local-pods counter drop comment "unknown pod veth"`,
  'iifname vmap @egress-dispatch',
  'oifname vmap @ingress-dispatch',
]

export function renderFull (state: DesiredState): string {
  const lines: string[] = [`table ${TABLE} {}`, `delete table ${TABLE}`, `table ${TABLE} {`]
  lines.push(`  set local-pods { type ifname;${elementsClause([...state.localVeths].sort().map(quote))} }`)
  lines.push(`  map egress-dispatch { type ifname : verdict;${elementsClause(dispatchElements(state.egressDispatch))} }`)
  lines.push(`  map ingress-dispatch { type ifname : verdict;${elementsClause(dispatchElements(state.ingressDispatch))} }`)
  for (const [name, set] of state.sets) lines.push(`  set ${name} { ${setHead(set)}${elementsClause(set.elements)} }`)
  for (const [name, chain] of state.chains) {
    lines.push(`  chain ${name} {`)
    for (const r of chain.rules) lines.push(`    ${r}`)
    lines.push('  }')
  }
  lines.push('  chain forward {')
  lines.push('    type filter hook forward priority filter; policy accept;')
  for (const r of FORWARD_RULES) lines.push(`    ${r}`)
  lines.push('  }')
  lines.push('}')
  return lines.join('\n') + '\n'
}

export function renderIncremental (old: DesiredState, next: DesiredState): string {
  const out: string[] = []
  // 1. New sets (with their elements) and new chains (empty for now: rules may name new sets).
  for (const [name, set] of next.sets) {
    if (!old.sets.has(name)) out.push(`add set ${TABLE} ${name} { ${setHead(set)}${elementsClause(set.elements)} }`)
  }
  for (const name of next.chains.keys()) if (!old.chains.has(name)) out.push(`add chain ${TABLE} ${name}`)
  // 2. Element churn of sets that stay: deletes first, so a /31 may replace two /32s.
  for (const [name, set] of next.sets) {
    const before = old.sets.get(name)
    if (before === undefined || before.elements === set.elements) continue // same array: untouched (incremental.ts)
    const { added, removed } = diffList(before.elements, set.elements)
    if (removed.length > 0) out.push(`delete element ${TABLE} ${name} { ${removed.join(', ')} }`)
    if (added.length > 0) out.push(`add element ${TABLE} ${name} { ${added.join(', ')} }`)
  }
  // 3. Chains: fill the new ones, flush and refill the changed ones.
  for (const [name, chain] of next.chains) {
    const before = old.chains.get(name)
    if (before !== undefined && (before === chain || sameList(before.rules, chain.rules))) continue
    if (before !== undefined) out.push(`flush chain ${TABLE} ${name}`)
    for (const r of chain.rules) out.push(`add rule ${TABLE} ${name} ${r}`)
  }
  // 4. Dispatch: local pods, then the maps (a changed verdict is a delete + add).
  const veths = diffList([...old.localVeths].map(quote), [...next.localVeths].map(quote))
  if (veths.removed.length > 0) out.push(`delete element ${TABLE} local-pods { ${veths.removed.join(', ')} }`)
  if (veths.added.length > 0) out.push(`add element ${TABLE} local-pods { ${veths.added.join(', ')} }`)
  for (const map of ['egress-dispatch', 'ingress-dispatch'] as const) {
    const before = map === 'egress-dispatch' ? old.egressDispatch : old.ingressDispatch
    const after = map === 'egress-dispatch' ? next.egressDispatch : next.ingressDispatch
    const d = diffList(dispatchElements(before), dispatchElements(after))
    if (d.removed.length > 0) out.push(`delete element ${TABLE} ${map} { ${d.removed.map((e) => e.split(' : ')[0]).join(', ')} }`)
    if (d.added.length > 0) out.push(`add element ${TABLE} ${map} { ${d.added.join(', ')} }`)
  }
  // 5. What nothing references any more.
  for (const name of old.chains.keys()) if (!next.chains.has(name)) out.push(`delete chain ${TABLE} ${name}`)
  for (const name of old.sets.keys()) if (!next.sets.has(name)) out.push(`delete set ${TABLE} ${name}`)
  return out.length === 0 ? '' : out.join('\n') + '\n'
}

function setHead (set: NftSetSpec): string {
  return `type ${set.type};${set.interval ? ' flags interval;' : ''} comment "${set.comment}";`
}

function elementsClause (elements: readonly string[]): string {
  return elements.length === 0 ? '' : ` elements = { ${elements.join(', ')} };`
}

function dispatchElements (m: ReadonlyMap<string, string>): string[] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([veth, chain]) => `${quote(veth)} : jump ${chain}`)
}

function quote (s: string): string {
  return `"${s}"`
}

function sameList (a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** Elements added and removed, each in `after`'s / `before`'s order. */
export function diffList (before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const b = new Set(before)
  const a = new Set(after)
  return { added: after.filter((x) => !b.has(x)), removed: before.filter((x) => !a.has(x)) }
}
