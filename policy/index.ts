/**
 * policy/ — Kubernetes NetworkPolicy (networking.k8s.io/v1), ingress and egress, enforced in the
 * kernel with nftables for same-node and cross-node pod traffic.
 *
 * Pipeline: a PolicySource (files-source.ts: a watched manifest directory; kube-source.ts:
 * list + watch of the API server) -> the pure compiler (compiler.ts: selectors, effective
 * policyTypes, ipBlock/except arithmetic, named ports per destination pod, endPort) -> a
 * DesiredState (desired-state.ts) -> the nft renderer (nft-render.ts: full or incremental) ->
 * the applier (applier.ts: `nft -f -` transactions, coalesced, drift check, conntrack cleanup).
 * PolicyEngine (engine.ts) joins them with this node's CNI attachments.
 *
 * What it deliberately does not do: look at packets. loomd's packet loop never sees policy; every
 * pod packet crosses the host's FORWARD hook, where table `inet loom` decides, and conntrack
 * passes replies. It never touches another nftables table.
 *
 * Read first: the header of compiler.ts (which rule of the spec becomes which nft rule), then
 * nft-render.ts (the table's shape) and engine.ts (lifecycle).
 */
export { PolicyEngine, PolicyNotReadyError } from './engine'
export type {
  PolicyEngineComponents, PolicyEngineInit, PolicyStatus, PodPolicyStatus, PolicyDropSample
} from './engine'
export type { ApplierStats } from './applier'
export { FilesSource, buildSnapshot } from './files-source'
export { KubernetesSource } from './kube-source'
export { loadKubeAccess } from './kube-config'
export type { PolicySource, SourceStatus, SourceSyncState } from './source'
export { SystemNftCommands } from './nft-commands'
export type { NftCommands } from './types'
export { GossipEndpointDirectory, StaticEndpointDirectory } from './endpoint-directory'
export type {
  EndpointDirectory, EndpointDirectoryStatus, GossipEndpointCounters, GossipEndpointDirectoryComponents, NodeStateTopics
} from './endpoint-directory'
export { compile } from './compiler'
export { renderFull, renderIncremental, TABLE as NFT_TABLE } from './nft-render'
export { ManifestError, NftError, KubeApiError, PolicySourceConfigError } from './errors'
export type { LocalAttachment, RemoteEndpoint } from './model'
