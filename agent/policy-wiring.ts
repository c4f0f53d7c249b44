/**
 * Builds the NetworkPolicy engine from the config (policy.source files | kubernetes) and this
 * node's CNI attachments. Wiring only; the engine lives in policy/.
 */
import type { Logger } from 'pino'
import type { AttachmentRecord } from '../control'
import { NODE_KEY_PREFIX } from '../control'
import {
  FilesSource, KubernetesSource, loadKubeAccess, PolicyEngine, StaticEndpointDirectory, SystemNftCommands,
} from '../policy'
import type { LocalAttachment, PolicySource } from '../policy'
import type { AgentConfig } from './config'
import { AgentStartError } from './errors'

export async function startPolicyEngine (
  components: { logger: Logger; attachments: () => readonly AttachmentRecord[] },
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
  const engine = new PolicyEngine({
    logger,
    source,
    commands,
    attachments: () => toLocalAttachments(components.attachments()),
    // Files mode: other nodes' pod addresses come from Pod manifests' status.podIPs until the
    // gossip application-state channel carries each node's endpoints.
    ...(policy.source === 'files' ? { directory: new StaticEndpointDirectory() } : {}),
  }, { nodeName: config.nodeName })
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
    if (r.containerID.startsWith(NODE_KEY_PREFIX)) continue // loom0's own address, no veth
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
