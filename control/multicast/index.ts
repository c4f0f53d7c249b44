/**
 * control/multicast/: which local pods are members of which IPv4 multicast group (IGMP snooping
 * state, pure, groups.ts) and the bounded encoding of a node's group set that the node-state
 * channel (../node) publishes, so that copies go only to nodes with members.
 *
 * Read groups.ts; agent/multicast.ts wires it to the data plane and the node-state channel.
 */
export { MulticastGroups, MAX_GOSSIP_GROUPS, decodeGroupSet, encodeGroupSet } from './groups'
export type { MulticastGroupsInit } from './groups'
