/**
 * A node's persistent identity: a random 16-byte node ID, a static X25519 key pair (advertised
 * now, used by the encryption issue), and the highest gossip incarnation it ever used.
 *
 * Stored in `<stateDir>/identity.json` (mode 0600) with FileStateStore, so a restarted agent is
 * the same node (same ID, same key, same IPAM blocks) and its first `alive` beats any `dead`
 * rumour about its previous life: it starts above the persisted incarnation. A machine whose
 * state directory is wiped is a new node, exactly as Kubernetes treats a re-created Node.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import type { StateStore } from './types'

export interface NodeIdentity {
  readonly version: 1
  /** 32 lowercase hex characters. */
  readonly nodeId: string
  readonly nodeName: string
  /** Raw 32-byte X25519 keys, base64. */
  readonly publicKey: string
  readonly privateKey: string
  /** Highest incarnation advertised so far. */
  readonly lastIncarnation: number
}

function rawX25519KeyPair (): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519')
  const pub = publicKey.export({ format: 'jwk' }).x
  const priv = privateKey.export({ format: 'jwk' }).d
  if (pub === undefined || priv === undefined) throw new Error('X25519 key export failed')
  return {
    publicKey: Buffer.from(pub, 'base64url').toString('base64'),
    privateKey: Buffer.from(priv, 'base64url').toString('base64')
  }
}

/**
 * Loads the identity, or creates and persists a new one. A stored identity for another node
 * name is refused: the state directory belongs to one node.
 */
export function loadOrCreateIdentity (store: StateStore<NodeIdentity>, nodeName: string): NodeIdentity {
  const saved = store.load()
  if (saved !== null) {
    if (saved.nodeName !== nodeName) {
      throw new Error(`the state directory belongs to node ${saved.nodeName}, but this node is configured as ${nodeName}`)
    }
    return saved
  }
  const identity: NodeIdentity = {
    version: 1,
    nodeId: randomBytes(16).toString('hex'),
    nodeName,
    ...rawX25519KeyPair(),
    lastIncarnation: 0,
  }
  store.save(identity)
  return identity
}

/** Records a new incarnation (called before it is advertised further). */
export function saveIncarnation (store: StateStore<NodeIdentity>, identity: NodeIdentity,
  incarnation: number): NodeIdentity {
  if (incarnation <= identity.lastIncarnation) return identity
  const next = { ...identity, lastIncarnation: incarnation }
  store.save(next)
  return next
}

export function validateIdentity (raw: unknown): NodeIdentity {
  const r = raw as Partial<NodeIdentity> | null
  if (r === null || typeof r !== 'object' || r.version !== 1) throw new Error('expected {"version":1,...}')
  if (typeof r.nodeId !== 'string' ||
    !/^[0-9a-f]{32}$/.test(r.nodeId)) throw new Error('nodeId is not 32 hex characters')
  if (typeof r.nodeName !== 'string') throw new Error('nodeName missing')
  for (const k of ['publicKey', 'privateKey'] as const) {
    if (typeof r[k] !== 'string' ||
      Buffer.from(r[k] as string, 'base64').length !== 32) throw new Error(`${k} is not 32 bytes of base64`)
  }
  if (!Number.isInteger(r.lastIncarnation) ||
    (r.lastIncarnation as number) < 0) throw new Error('lastIncarnation is not a non-negative integer')
  return r as NodeIdentity
}
