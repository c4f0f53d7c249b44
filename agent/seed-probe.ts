/**
 * Before a node without any state founds a cluster (it is the first seed), it asks its other
 * seeds whether a cluster already knows it: a seed whose member table holds a member with this
 * node's name under another node ID means this node lived in that cluster and lost its state
 * directory (a wiped disk, a reinstalled machine). Founding again would start a second cluster
 * whose IPAM hands out addresses the first one's pods hold, so such a node joins instead.
 *
 * Why "our name" and not "the seed is in a cluster": when a whole cluster boots for the first
 * time, the other seeds may already have found each other before the first seed starts; none of
 * them founds, so the first seed must, and their tables hold only each other.
 *
 * The question is one push-pull (join) over the gossip port, sealed like every frame; each seed
 * gets one try, bounded by `timeoutMs`. A seed that is down, refuses or does not answer in time
 * says nothing.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { clusterIdOf, GossipKeyring, GossipTransport, normaliseSeed } from '../control'
import type { AgentConfig } from './types'
import { loadGossipKeyring } from './gossip-node'
import {
  decodeGossipPacket, encodeGossipPacket, GOSSIP_FRAME_MAGIC, GOSSIP_PROTOCOL_VERSION, isDecodeFailure, STREAM_LIMITS
} from '../control/transport'

/** How long the first seed waits for its other seeds' answers before it founds. */
export const PROBE_TIMEOUT_MS = 3000

export interface SeedProbeInit {
  nodeName: string
  clusterId: string
  /** This node's gossip address and port (the probe binds them for its duration). */
  address: string
  port: number
  /** "ip:port" of every seed other than this node. */
  seeds: string[]
  keyring: GossipKeyring | undefined
  timeoutMs: number
}

/** The seed ("ip:port") whose member table knows `nodeName` under another ID, or undefined. */
export async function seedThatKnowsUs (logger: Logger, init: SeedProbeInit): Promise<string | undefined> {
  if (init.seeds.length === 0) return undefined
  const probeId = randomBytes(16).toString('hex')
  const answered = new Set<string>()
  let settle: (seed: string | undefined) => void = () => {}
  const noteAnswer = (seed: string): void => {
    answered.add(seed)
    if (init.seeds.every((s) => answered.has(s))) settle(undefined)
  }
  const transport = new GossipTransport({ logger, reportPeerError: (peer) => { noteAnswer(peer) } },
    { address: init.address, port: init.port, keyring: init.keyring })
  await transport.start()
  try {
    return await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), init.timeoutMs)
      settle = (seed) => { clearTimeout(timer); resolve(seed) }
      transport.onFrame((magic, frame, from) => {
        if (magic !== GOSSIP_FRAME_MAGIC || !init.seeds.includes(from)) return
        const packet = decodeGossipPacket(frame, STREAM_LIMITS)
        if (isDecodeFailure(packet) || packet.body.type !== 'push-pull' || packet.clusterId !== init.clusterId) return
        const known = packet.body.members.some((m) => m.nodeName === init.nodeName && m.nodeId !== probeId &&
          m.nodeId !== packet.senderId)
        if (known) settle(from)
        else noteAnswer(from)
      })
      const ask = encodeGossipPacket({
        version: GOSSIP_PROTOCOL_VERSION,
        clusterId: init.clusterId,
        senderId: probeId,
        body: { type: 'push-pull', join: true, reply: false, members: [], appState: new Uint8Array(0) },
        updates: [],
        appDeltas: [],
      })
      for (const seed of init.seeds) transport.sendStream(seed, ask)
    })
  } finally {
    await transport.stop()
  }
}

/**
 * True when this node, started without identity or IPAM state, is the first seed (it would
 * found the cluster) but one of its other seeds knows it from an earlier life: it must rejoin.
 */
export async function lostStateMustRejoin (cfg: AgentConfig, logger: Logger,
  timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  const self = `${cfg.underlay.address}:${cfg.gossip.port}`
  const seeds = cfg.seeds.map((s) => normaliseSeed(s, cfg.gossip.port))
  if (seeds[0] !== self) return false
  const others = seeds.filter((s) => s !== self)
  if (others.length === 0) return false
  const log = logger.child({ component: 'seed-probe' })
  const seed = await seedThatKnowsUs(log, {
    nodeName: cfg.nodeName,
    clusterId: clusterIdOf(cfg.clusterCIDR, cfg.blockSize),
    address: cfg.underlay.address,
    port: cfg.gossip.port,
    seeds: others,
    keyring: loadGossipKeyring(cfg, log),
    timeoutMs,
  })
  if (seed !== undefined) {
    log.warn({ seed, nodeName: cfg.nodeName },
      'no state, but seed knows this node from an earlier life: joining as a new node ID instead of founding a second cluster')
  }
  return seed !== undefined
}
