/**
 * Static mode: the node list and pod CIDRs come from the config file (`peers`), not from gossip.
 *
 * This turns that list into the data plane's route table, exactly as the gossip control plane
 * will (one PeerRoute per remote node, its pod CIDR as the prefix). It is a supported mode of its
 * own, like Flannel with a static subnet file, and the fallback while a cluster has no seeds.
 */
import {
  createPeerRoute, deriveNodeIndex, deriveVtepMAC, formatIPv4Address, parseCIDR, parseMAC, PeerRoute,
  RouteTable,
} from '../../dataplane'

/** A node of the static list, as the routes need it (agent/types.ts' StaticPeer is the config entry). */
export interface StaticNode {
  readonly nodeName: string
  readonly address: string
  readonly port?: number
  readonly podCIDR: string
  readonly vtepMAC?: string
  /** The node's X25519 public key, base64 (encryption). */
  readonly publicKey?: string
}

export interface StaticRoutesInit {
  readonly nodeName: string
  readonly peers: readonly StaticNode[]
  /** The data port a peer listens on when its entry has no `port`. */
  readonly defaultPort: number
  /** Largest inner packet sent to any peer (the TUN MTU). */
  readonly mtu: number
}

export interface StaticTopology {
  /** This node's own entry. */
  readonly self: {
    readonly nodeName: string
    readonly index: number
    readonly vtepMAC: Buffer
    readonly podCIDR: string
    /** The node's overlay address: the first address of its pod CIDR (like flannel.1's x.y.z.0). */
    readonly overlayAddress: string
  }
  readonly routes: RouteTable
}

/** The VTEP MAC a node uses: configured, or derived from its name (the same on every node). */
export function vtepMACOf (peer: StaticNode): Buffer {
  return peer.vtepMAC !== undefined ? parseMAC(peer.vtepMAC) : deriveVtepMAC(peer.nodeName)
}

/** Builds this node's view of a static cluster. Throws if the node is not in the list. */
export function buildStaticTopology (init: StaticRoutesInit): StaticTopology {
  const selfPeer = init.peers.find((p) => p.nodeName === init.nodeName)
  if (selfPeer === undefined) {
    throw new Error(`node ${init.nodeName} is not in peers (${init.peers.map((p) => p.nodeName).join(', ')})`)
  }
  const selfIndex = deriveNodeIndex(selfPeer.nodeName)
  const selfVtepMAC = vtepMACOf(selfPeer)
  const routes: Array<{ prefix: string; peer: PeerRoute }> = []
  for (const p of init.peers) {
    if (p.nodeName === init.nodeName) continue
    const peer = createPeerRoute({
      nodeName: p.nodeName,
      index: deriveNodeIndex(p.nodeName),
      address: p.address,
      port: p.port ?? init.defaultPort,
      vtepMAC: vtepMACOf(p),
      mtu: init.mtu,
      ...(p.publicKey !== undefined ? { publicKey: Buffer.from(p.publicKey, 'base64') } : {}),
    })
    routes.push({ prefix: p.podCIDR, peer })
  }
  const { network } = parseCIDR(selfPeer.podCIDR)
  return {
    self: {
      nodeName: selfPeer.nodeName,
      index: selfIndex,
      vtepMAC: selfVtepMAC,
      podCIDR: selfPeer.podCIDR,
      overlayAddress: formatIPv4Address(network),
    },
    routes: RouteTable.build({ selfIndex, selfVtepMAC, routes }),
  }
}
