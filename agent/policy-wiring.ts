/**
 * Builds the NetworkPolicy engine from the config (policy.source files | kubernetes) and this
 * node's CNI attachments. Wiring only; the engine lives in policy/.
 */
import type { Logger } from 'pino'
import type { AttachmentRecord, Membership, NodeStateChannel } from '../control'
import { NODE_KEY_PREFIX } from '../control'
import type { RouteTable } from '../dataplane'
import {
  FilesSource, GossipEndpointDirectory, KubernetesSource, loadKubeAccess, PolicyEngine, StaticEndpointDirectory,
  SystemNftCommands,
} from '../policy'
import type { EndpointDirectory, LocalAttachment, PolicySource } from '../policy'
import type { AgentConfig } from './types'
import { AgentStartError } from './errors'

/** Gossip mode's parts the files source needs to learn remote pods' addresses. */
export interface PolicyGossip {
  nodeState: NodeStateChannel
  membership: Membership
  selfId: string
  /** The forwarder's current route table (a new object after every change). */
  routes: () => RouteTable | undefined
}

export async function startPolicyEngine (
  components: { logger: Logger; attachments: () => readonly AttachmentRecord[]; gossip?: PolicyGossip },
  config: AgentConfig
): Promise<PolicyEngine | undefined> {
  const policy = config.policy
  if (policy === undefined) return undefined
  const logger = components.logger.child({ component: 'policy' })
  const commands = new SystemNftCommands()
  try {
    await commands.listTable({ terse: true }) // a probe: without set elements, which cost seconds at scale
  } catch (err) {
    throw new AgentStartError('policy.source',
      `policy.source is ${policy.source} but nftables cannot be used (install Debian's nftables; loomd needs CAP_NET_ADMIN): ${(err as Error).message}`, { cause: err })
  }
  let source: PolicySource
  try {
    source = policy.source === 'files'
      ? new FilesSource({ logger }, { dir: policy.dir })
      : new KubernetesSource({ logger }, loadKubeAccess(policy.kubeconfig))
  } catch (err) {
    throw new AgentStartError('policy', (err as Error).message, { cause: err })
  }
  // Files mode: in gossip mode every node publishes its attachments and takes the other nodes'
  // as the remote pods' addresses (manifests' status.podIPs are then ignored); in static mode
  // there is no channel, and remote pods' addresses come from the manifests' status.podIPs.
  const gossip = components.gossip
  let directory: EndpointDirectory | undefined
  if (policy.source === 'files') {
    directory = gossip === undefined
      ? new StaticEndpointDirectory()
      : new GossipEndpointDirectory({
        logger,
        nodeState: gossip.nodeState,
        // The member record names the node, and the route table sends the address to it.
        owns: (nodeId, nodeName, ip) => gossip.membership.record(nodeId)?.nodeName === nodeName &&
          gossip.routes()?.lookup(ip)?.nodeName === nodeName,
        ownersVersion: () => gossip.routes(),
      }, { selfId: gossip.selfId })
  }
  const engine = new PolicyEngine({
    logger,
    source,
    commands,
    attachments: () => toLocalAttachments(components.attachments()),
    ...(directory !== undefined ? { directory } : {}),
  }, {
    nodeName: config.nodeName,
    ...(policy.source === 'files' && gossip !== undefined ? { podAddresses: 'attachments' as const } : {}),
  })
  try {
    await engine.start()
  } catch (err) {
    engine.stop()
    throw new AgentStartError('policy', (err as Error).message, { cause: err })
  }
  return engine
}

function toLocalAttachments (records: readonly AttachmentRecord[]): LocalAttachment[] {
  const out: LocalAttachment[] = []
  for (const r of records) {
    // loom0's own address, no veth: keyed "_loom-node/overlay" in gossip mode (containerID
    // "_loom-node"), as cni/agent-addresses.ts tests it; a test of the containerID alone let it
    // through there as a local pod without identity on a veth that does not exist.
    if (`${r.containerID}/${r.ifname}`.startsWith(NODE_KEY_PREFIX)) continue
    out.push({
      ip: r.address,
      hostVeth: r.hostVeth,
      ...(r.podNamespace !== undefined &&
        r.podName !== undefined
        ? { namespace: r.podNamespace, name: r.podName }
        : {}),
    })
  }
  return out
}
