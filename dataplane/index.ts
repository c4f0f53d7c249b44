/**
 * dataplane/: the packet path. Reads IP packets from the TUN device, finds the node that owns
 * each destination, encapsulates (one kind of encap/: Loom `udp` framing or RFC 7348 `vxlan`) and
 * sends them over one batched UDP socket; the reverse inbound. Read `types.ts` first (Device, Encapsulation,
 * PeerRoute, Drop), then `forwarder.ts` (the hot loop).
 *
 * What it deliberately does not do: decide which peers exist or which prefixes they own (that is
 * control/, which hands over whole RouteTables), export metrics (metrics/ reads DataplaneStats
 * and PeerRoute counters at scrape time), or log per packet. It imports nothing from control/
 * or metrics/.
 *
 * I/O edges: `native/` (the N-API binding: TUN open, batched read/write, recvmmsg/sendmmsg,
 * libuv poll), `tun-device.ts` and `udp-transport.ts`. Links, addresses and routes (netlink),
 * namespaces and sysctls are the host's plumbing: host/. Everything else here is pure and
 * unit-tested.
 */
export * from './types'
export { Forwarder, HEADROOM } from './forwarder'
export type { ForwarderComponents, ForwarderInit } from './forwarder'
export { RouteTable, createPeerRoute } from './route-table'
export {
  encapsulationKind, ENCAPSULATION_KINDS, isEncapsulationKind, UdpEncapsulation, VxlanEncapsulation,
} from './encap'
export type { EncapsulationKind, EncapsulationKindSpec, EncapsulationSettings } from './encap'
export { TunDevice } from './tun-device'
export { offloadStatus, offloadLevel, tunFlagNames, OFFLOAD_FALLBACKS } from './offload-status'
export type { OffloadState, OffloadStatus, OffloadLevel, OffloadFallback } from './offload-status'
export { UdpTransport } from './udp-transport'
export { parseIPv4Address, formatIPv4Address, parseCIDR, formatCIDR } from '../lib'
export { parseMAC, formatMAC, deriveVtepMAC } from './mac'
export { deriveNodeIndex } from './node-index'
export * as crypto from './crypto'
