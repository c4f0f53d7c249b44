/**
 * The `udp` kind: Loom's own 12-byte framing (udp-encapsulation.ts), on `underlay.port`. With
 * `encryption.enabled` the agent uses WireGuard's framing instead (dataplane/crypto/), whose
 * byte 0 and receiver index sit where this framing has them.
 */
import type { EncapsulationKindSpec } from '../kind'
import { UdpEncapsulation } from './udp-encapsulation'

export { UdpEncapsulation } from './udp-encapsulation'
export type { UdpEncapsulationInit } from './udp-encapsulation'

export const udpKind: EncapsulationKindSpec<'udp'> = {
  kind: 'udp',
  dataPort: (settings) => settings.underlay.port,
  // One source port: an encrypting peer tracks the endpoint it last heard from.
  extraSourcePorts: 0,
  create: (self) => new UdpEncapsulation({ selfIndex: self.index }),
}
