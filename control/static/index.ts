/**
 * control/static/: static mode, where the config file's `peers` list is the whole truth (like
 * Flannel with a subnet file). Every node's pod CIDR, address and VTEP MAC become the route table
 * (routes.ts), and this node's pod CIDR is handed out to CNI attachments locally and crash-safely
 * (pod-addresses.ts, the same rules as the gossip IPAM's allocator it reuses).
 *
 * Read routes.ts first. Nothing here talks to other nodes.
 */
export { buildStaticTopology, vtepMACOf } from './routes'
export type { StaticNode, StaticRoutesInit, StaticTopology } from './routes'
export { StaticPodAddresses, validateStaticPodAddresses } from './pod-addresses'
export type { StaticPodAddressesDurable, StaticPodAddressesInit } from './pod-addresses'
