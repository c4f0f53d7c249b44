/**
 * The `vxlan` kind: RFC 7348 VXLAN with a synthesized inner Ethernet header
 * (vxlan-encapsulation.ts), on `vxlan.port` with `vxlan.vni`, flows spread over 16 source ports.
 */
import type { EncapsulationKindSpec } from '../kind'
import { VxlanEncapsulation } from './vxlan-encapsulation'

export { VxlanEncapsulation } from './vxlan-encapsulation'
export type { VxlanEncapsulationInit } from './vxlan-encapsulation'

/** Send-only sockets besides the bound one, so flows leave from 16 source ports. */
const VXLAN_EXTRA_SOURCE_PORTS = 15

export const vxlanKind: EncapsulationKindSpec<'vxlan'> = {
  kind: 'vxlan',
  dataPort: (settings) => settings.vxlan.port,
  // RFC 7348 §5: a VXLAN sender derives the source port from the inner flow.
  extraSourcePorts: VXLAN_EXTRA_SOURCE_PORTS,
  encryptionRefused: 'VXLAN is unencrypted by definition',
  create: (self, settings) => new VxlanEncapsulation({ vni: settings.vxlan.vni, selfVtepMAC: self.vtepMAC }),
}
