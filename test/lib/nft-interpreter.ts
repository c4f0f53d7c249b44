/**
 * Runs a packet through a DesiredState the way the kernel runs table `inet loom`'s forward
 * chain, for the unit tests: dispatch by interface, then the per-pod chains' rules as the
 * compiler writes them. Understands exactly the rule vocabulary of policy/compiler.ts and throws
 * on anything else, so a new kind of rule cannot silently evaluate as "match".
 */
import { parseIPv4Address } from '../../lib'
import type { DesiredState, NftSetSpec } from '../../policy/desired-state'

export interface Packet {
  iif: string
  oif: string
  saddr: string
  daddr: string
  /** tcp, udp, sctp, icmp */
  l4: string
  dport: number
}

function inSet (set: NftSetSpec, key: string): boolean {
  if (set.type !== 'ipv4_addr') return set.elements.includes(key)
  const n = parseIPv4Address(key)
  return set.elements.some((e) => {
    if (e.includes('/')) {
      const [b, len] = e.split('/')
      const size = 2 ** (32 - Number(len))
      return n >= parseIPv4Address(b) && n < parseIPv4Address(b) + size
    }
    if (e.includes('-')) {
      const [a, b] = e.split('-')
      return n >= parseIPv4Address(a) && n <= parseIPv4Address(b)
    }
    return n === parseIPv4Address(e)
  })
}

/** One rule: 'match' + its verdict, or 'nomatch'. */
function evalRule (state: DesiredState, rule: string, p: Packet): 'accept' | 'return' | 'drop' | 'nomatch' {
  const body = rule.replace(/ comment ".*"$/, '')
  const tokens = body.split(' ')
  let i = 0
  const setOf = (ref: string): NftSetSpec => {
    const s = state.sets.get(ref.slice(1))
    if (s === undefined) throw new Error(`rule references missing set ${ref}`)
    return s
  }
  while (i < tokens.length) {
    const t = tokens[i]
    if (t === 'counter') { i++; continue }
    if (t === 'accept' || t === 'return' || t === 'drop') return t
    if (t === 'ip' && tokens[i + 1] === 'saddr') {
      if (!inSet(setOf(tokens[i + 2]), p.saddr)) return 'nomatch'
      i += 3; continue
    }
    if (t === 'ip' && tokens[i + 1] === 'daddr' && tokens[i + 2] === '.') {
      // ip daddr . meta l4proto . th dport @set
      if (tokens.slice(i,
        i + 8).join(' ') !== 'ip daddr . meta l4proto . th dport') throw new Error(`unknown rule ${rule}`)
      if (!inSet(setOf(tokens[i + 8]), `${p.daddr} . ${p.l4} . ${p.dport}`)) return 'nomatch'
      i += 9; continue
    }
    if (t === 'ip' && tokens[i + 1] === 'daddr') {
      if (!inSet(setOf(tokens[i + 2]), p.daddr)) return 'nomatch'
      i += 3; continue
    }
    if (t === 'meta' && tokens[i + 1] === 'l4proto') {
      if (p.l4 !== tokens[i + 2]) return 'nomatch'
      i += 3; continue
    }
    if (t === 'th' && tokens[i + 1] === 'dport') {
      const [a, b] = tokens[i + 2].split('-').map(Number)
      if (p.l4 === 'icmp' || p.dport < a || p.dport > (b ?? a)) return 'nomatch'
      i += 3; continue
    }
    throw new Error(`unknown token ${t} in rule ${rule}`)
  }
  throw new Error(`rule without verdict: ${rule}`)
}

function runChain (state: DesiredState, name: string, p: Packet): 'accept' | 'return' | 'drop' {
  const chain = state.chains.get(name)
  if (chain === undefined) throw new Error(`missing chain ${name}`)
  for (const r of chain.rules) {
    const v = evalRule(state, r, p)
    if (v !== 'nomatch') return v
  }
  return 'return'
}

/** The forward chain of policy/nft-render.ts (new connections: no ct state match). */
export function forwardVerdict (state: DesiredState, p: Packet): 'accept' | 'drop' {
  if (p.iif.startsWith('lxc') && !state.localVeths.has(p.iif)) return 'drop'
  const eg = state.egressDispatch.get(p.iif)
  if (eg !== undefined) {
    const v = runChain(state, eg, p)
    if (v === 'drop') return 'drop'
    if (v === 'accept') return 'accept'
  }
  const ing = state.ingressDispatch.get(p.oif)
  if (ing !== undefined) {
    const v = runChain(state, ing, p)
    if (v !== 'accept') return 'drop'
  }
  return 'accept'
}
