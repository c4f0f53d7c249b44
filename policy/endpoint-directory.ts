/**
 * EndpointDirectory: how, in `files` mode, a node learns the addresses of pods on other nodes
 * and tells them about its own (namespace, name, IP). In `kubernetes` mode the API server's Pod
 * status carries them and no directory is used.
 *
 * The transport is the gossip control plane's per-node application state (one record per node,
 * replaced as a whole, removed when the node leaves), which the multicast work adds to
 * control/; this interface keeps policy/ independent of it. Until that channel is wired, the
 * `StaticEndpointDirectory` below serves static mode and tests: other nodes' endpoints come
 * from Pod manifests' `status.podIPs` instead (files-source.ts).
 */
import type { RemoteEndpoint } from './model'

export interface EndpointDirectory {
  /** Replaces this node's published endpoints (called after every local ADD/DEL). */
  publish(local: readonly RemoteEndpoint[]): void
  /** Endpoints other nodes published, as last heard; never this node's own. */
  remote(): readonly RemoteEndpoint[]
  /** Fires when another node's endpoints changed. */
  onChange(listener: () => void): void
}

/** No transport: publishes nowhere, hears nothing. */
export class StaticEndpointDirectory implements EndpointDirectory {
  publish (): void {}
  remote (): readonly RemoteEndpoint[] { return [] }
  onChange (): void {}
}
