/**
 * Reading back `nft -j list table inet loom` (libnftables JSON schema, libnftables-json(5)):
 * a shape summary for the drift check and the per-chain counters for status and metrics. Pure.
 */
import type { DesiredState } from './desired-state'
import type { NftJson } from './types'
import { FORWARD_RULES } from './nft-render'

/** Element counts by set/map name and rule counts by chain name. */
export interface TableShape {
  readonly sets: ReadonlyMap<string, number>
  readonly chains: ReadonlyMap<string, number>
}

export interface ChainCounters {
  /** Packets matched by the chain's allow rules, and by its final drop. */
  readonly allowed: number
  readonly dropped: number
}

export function shapeOfJson (json: NftJson): TableShape {
  const sets = new Map<string, number>()
  const chains = new Map<string, number>()
  for (const item of json.nftables ?? []) {
    const s = (item.set ?? item.map) as { name?: string; elem?: unknown[] } | undefined
    if (s?.name !== undefined) sets.set(s.name, Array.isArray(s.elem) ? s.elem.length : 0)
    const c = item.chain as { name?: string } | undefined
    if (c?.name !== undefined && !chains.has(c.name)) chains.set(c.name, 0)
    const r = item.rule as { chain?: string } | undefined
    if (r?.chain !== undefined) chains.set(r.chain, (chains.get(r.chain) ?? 0) + 1)
  }
  return { sets, chains }
}

export function shapeOfState (state: DesiredState): TableShape {
  const sets = new Map<string, number>([
    ['local-pods', state.localVeths.size],
    ['egress-dispatch', state.egressDispatch.size],
    ['ingress-dispatch', state.ingressDispatch.size],
  ])
  for (const [name, s] of state.sets) sets.set(name, s.elements.length)
  const chains = new Map<string, number>([['forward', FORWARD_RULES.length]])
  for (const [name, c] of state.chains) chains.set(name, c.rules.length)
  return { sets, chains }
}

/**
 * Human list of differences; empty = the kernel holds what we applied. Sets are compared by
 * presence, and by element count only for those named in `counted` (all when omitted: `have`
 * from a listing without elements has none to compare).
 */
export function diffShapes (want: TableShape, have: TableShape, counted?: ReadonlySet<string>): string[] {
  const out: string[] = []
  for (const kind of ['sets', 'chains'] as const) {
    for (const [name, n] of want[kind]) {
      const got = have[kind].get(name)
      if (got === undefined) out.push(`${kind === 'sets' ? 'set' : 'chain'} ${name} missing`)
      else if (kind === 'sets' && counted !== undefined && !counted.has(name)) continue
      else if (got !== n) out.push(`${kind === 'sets' ? 'set' : 'chain'} ${name} has ${got} ${kind === 'sets' ? 'elements' : 'rules'}, want ${n}`)
    }
    for (const name of have[kind].keys()) if (!want[kind].has(name)) out.push(`${kind === 'sets' ? 'set' : 'chain'} ${name} unexpected`)
  }
  return out
}

/** Counters of the per-pod chains ("in-lxc…", "eg-lxc…"), by chain name. */
export function chainCounters (json: NftJson): Map<string, ChainCounters> {
  const out = new Map<string, { allowed: number; dropped: number }>()
  for (const item of json.nftables ?? []) {
    const r = item.rule as { chain?: string; expr?: Array<Record<string, unknown>> } | undefined
    if (r?.chain === undefined || !(r.chain.startsWith('in-') || r.chain.startsWith('eg-')) ||
      !Array.isArray(r.expr)) continue
    let packets = 0
    let drop = false
    for (const e of r.expr) {
      const c = e.counter as { packets?: number } | undefined
      if (c !== undefined && typeof c.packets === 'number') packets = c.packets
      if ('drop' in e) drop = true
    }
    const acc = out.get(r.chain) ?? { allowed: 0, dropped: 0 }
    if (drop) acc.dropped += packets
    else acc.allowed += packets
    out.set(r.chain, acc)
  }
  return out
}
