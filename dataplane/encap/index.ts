/**
 * dataplane/encap/: the encapsulation kinds, one folder each (`udp/`, `vxlan/`), and this
 * registry by name. Read `kind.ts` first (what a kind declares), then a kind's index.ts, then
 * its codec. The Encapsulation interface every codec implements is in ../types.ts.
 *
 * Adding a kind: a folder `<kind>/` with its codec and an index.ts exporting an
 * EncapsulationKindSpec, and one line in REGISTRY below. Config validation (the accepted values
 * of `encapsulation`), the agent's choice of codec, port and source ports, status and metrics
 * all take the kind from here. A kind that also travels in gossip records needs a wire number in
 * control/ (the codec maps every EncapsulationKind, so the compiler points there).
 */
import type { EncapsulationKindSpec } from './kind'
import { udpKind } from './udp'
import { vxlanKind } from './vxlan'

export type { EncapsulationKindSpec, EncapsulationSelf, EncapsulationSettings } from './kind'
export { UdpEncapsulation, udpKind } from './udp'
export { VxlanEncapsulation, vxlanKind } from './vxlan'

const REGISTRY = {
  udp: udpKind,
  vxlan: vxlanKind,
} as const

/** The name of a registered encapsulation kind. */
export type EncapsulationKind = keyof typeof REGISTRY

/** Every registered kind, in registration order (the first is not implied to be the default). */
export const ENCAPSULATION_KINDS: readonly EncapsulationKind[] =
  Object.freeze(Object.keys(REGISTRY) as EncapsulationKind[])

export function isEncapsulationKind (value: unknown): value is EncapsulationKind {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(REGISTRY, value)
}

/** The spec of a registered kind. */
export function encapsulationKind<K extends EncapsulationKind> (kind: K): EncapsulationKindSpec<K> {
  return REGISTRY[kind] as EncapsulationKindSpec<K>
}
