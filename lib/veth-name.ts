/**
 * Host-side veth names, derived from the attachment so that the agent, the plugin and a GC
 * pass all agree without storing anything: "lxc" + the first 11 hex digits of
 * sha256(containerID + "/" + ifname) = 14 characters (IFNAMSIZ allows 15). The agent computes
 * the same name (it reports it as `hostVeth`); the plugin prefers the agent's answer and uses
 * this one when the agent has no record (DEL after a release, GC). One rule on purpose: if the
 * agent's and the plugin's names drifted apart, CNI GC would delete live pods' veths.
 */
import { createHash } from 'node:crypto'

export const HOST_VETH_PREFIX = 'lxc'
export const HOST_VETH_RE = /^lxc[0-9a-f]{11}$/
/** The same names as an nft / iproute2 wildcard. */
export const HOST_VETH_GLOB = `${HOST_VETH_PREFIX}*`

export function hostVethName (containerID: string, ifname: string): string {
  return HOST_VETH_PREFIX + createHash('sha256').update(`${containerID}/${ifname}`).digest('hex').slice(0, 11)
}
