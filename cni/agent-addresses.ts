/**
 * The agent's pod addresses (control/'s PodAddressManager, static or gossip mode) as the CNI
 * flow sees them (CniAddresses in ./commands.ts): IPAM failures become the CNI codes the
 * runtime acts on, and the agent's own addresses (loom0's, keyed under NODE_KEY_PREFIX) are
 * invisible, so no GC can ever release them.
 */
import { IpamError, NODE_KEY_PREFIX } from '../control'
import type { AttachmentRecord, PodAddressManager } from '../control'
import type { CniAddresses, HeldAttachment } from './commands'
import { AgentError, TryAgainError } from './errors'
import type { Attachment } from './types'

/** The pods' gateway: link-local, answered by proxy ARP on the host veth (DESIGN: Pod wiring). */
export const POD_GATEWAY = '169.254.1.1'

export interface AgentAddressesSources {
  /** Absent until the agent has built its address manager. */
  pods: () => PodAddressManager | undefined
  /** The agent's own readiness (data plane, IPAM membership). */
  ready: () => { ready: boolean, checks: Record<string, boolean> }
  /** The overlay MTU, the pods' default. */
  mtu: () => number
}

export function agentAddresses (s: AgentAddressesSources): CniAddresses {
  const pods = (): PodAddressManager => {
    const p = s.pods()
    if (p === undefined) throw new TryAgainError('the loom agent has no pod address manager yet')
    return p
  }
  return {
    readiness: () => {
      const r = s.ready()
      const p = s.pods()
      const checks = { ...r.checks, pods: p !== undefined && p.ready() }
      return { ready: r.ready && checks.pods, checks }
    },
    network: () => ({ gateway: POD_GATEWAY, mtu: s.mtu() }),
    allocate: async (id, meta) => {
      try {
        return held(await pods().allocate(id, meta))
      } catch (err) {
        throw asCniError(err)
      }
    },
    get: (id) => {
      const r = s.pods()?.get(id)
      return r === undefined || isNodeKey(r) ? undefined : held(r)
    },
    release: (id) => {
      if (isNodeKey(id)) return null
      try {
        const r = pods().release(id)
        return r === null ? null : held(r)
      } catch (err) {
        throw asCniError(err)
      }
    },
    list: () => (s.pods()?.list() ?? []).filter((r) => !isNodeKey(r)).map(held),
    durable: async () => {
      try {
        await pods().durable()
      } catch (err) {
        throw asCniError(err)
      }
    },
  }
}

function held (r: AttachmentRecord): HeldAttachment {
  return { containerID: r.containerID, ifname: r.ifname, address: r.address, hostVeth: r.hostVeth }
}

function isNodeKey (id: Attachment): boolean {
  return `${id.containerID}/${id.ifname}`.startsWith(NODE_KEY_PREFIX)
}

/** Corrupt state or a broken invariant: 101 (an operator must look); anything else IPAM says: 11. */
function asCniError (err: unknown): Error {
  if (!(err instanceof IpamError)) return err as Error
  if (err.code === 'ERR_IPAM_CONFIG' || err.code === 'ERR_IPAM_INVARIANT' || err.code === 'ERR_STATE_CORRUPT') {
    return new AgentError(`the loom agent's address management failed: ${err.message}`,
      { details: err.code, cause: err })
  }
  return new TryAgainError(`no pod address available now: ${err.message}`, { details: err.code, cause: err })
}
