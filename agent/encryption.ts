/**
 * Encryption wiring: builds the encrypted `udp` encapsulation from the config (the node's
 * X25519 key and the cluster secret), runs its timers, and picks up a changed secret file
 * without a restart (the rotation procedure in the README relies on that).
 *
 * Key: `encryption.privateKeyFile` (base64 as `wg genkey` prints, mode 0600) or else the node
 * identity's key in stateDir (created on first start). Secret: agent/cluster-secret.ts.
 */
import { readFileSync, statSync } from 'node:fs'
import type { Logger } from 'pino'
import { loadOrCreateIdentity, validateIdentity } from '../control'
import type { NodeIdentity, StateDirectory } from '../control'
import { crypto, RouteTable } from '../dataplane'
import { loadClusterSecret } from './cluster-secret'
import type { AgentConfig } from './types'
import { AgentStartError, ConfigFileUnusableError } from './errors'
import { IDENTITY_FILE, identityFileFor } from './gossip-node'
import { SecretFileWatcher } from './secret-watch'

/** Reads a `wg genkey` private key file; throws AgentStartError naming the field. */
export function loadPrivateKeyFile (path: string): crypto.StaticKeyPair {
  let text: string
  try {
    const st = statSync(path)
    if ((st.mode & 0o077) !== 0) {
      throw new AgentStartError('encryption.privateKeyFile',
        `private key ${path}: mode ${(st.mode & 0o777).toString(8)} lets group or others read it; run chmod 600 on it`)
    }
    text = readFileSync(path, 'utf8').trim()
  } catch (err) {
    if (err instanceof AgentStartError) throw err
    throw new AgentStartError('encryption.privateKeyFile', `private key ${path}: ${(err as Error).message}`,
      { cause: err })
  }
  const raw = Buffer.from(text, 'base64')
  if (raw.length !== 32 || raw.toString('base64') !== text) {
    throw new AgentStartError('encryption.privateKeyFile',
      `private key ${path}: expected one base64 32-byte key as \`wg genkey\` prints`)
  }
  return crypto.keyPairFromPrivate(raw)
}

export class Encryption {
  readonly encapsulation: crypto.SecureEncapsulation
  private readonly secretFile: string
  private readonly secretWatch: SecretFileWatcher
  private timer?: NodeJS.Timeout

  constructor (logger: Logger, config: AgentConfig, stateDir: StateDirectory) {
    this.secretFile = config.encryption.secretFile
    let keys: readonly Buffer[]
    try {
      keys = loadClusterSecret(this.secretFile).keys
    } catch (err) {
      throw new ConfigFileUnusableError('encryption.secretFile', (err as Error).message, { cause: err })
    }
    const staticKey = config.encryption.privateKeyFile !== undefined
      ? loadPrivateKeyFile(config.encryption.privateKeyFile)
      : crypto.keyPairFromPrivate(Buffer.from(identityOf(stateDir, config).privateKey, 'base64'))
    this.encapsulation = new crypto.SecureEncapsulation({
      staticKey, presharedKeys: keys, persistentKeepaliveMs: config.encryption.persistentKeepaliveSeconds * 1000,
    })
    // A changed secret file applies to new handshakes (setPresharedKeys also rekeys every session).
    this.secretWatch = new SecretFileWatcher(this.secretFile, 'data plane', logger,
      (k) => { this.encapsulation.setPresharedKeys(k) })
  }

  get publicKey (): Buffer {
    return this.encapsulation.publicKey
  }

  /** The peers of a new route table (call before the forwarder gets it). */
  setRoutes (table: RouteTable): void {
    this.encapsulation.syncPeers(table.peers())
  }

  start (): void {
    this.timer = setInterval(() => this.encapsulation.tick(), crypto.TICK_MS)
    this.timer.unref()
    this.secretWatch.start()
  }

  stop (): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.secretWatch.stop()
  }
}

function identityOf (stateDir: StateDirectory, config: AgentConfig): NodeIdentity {
  // Gossip mode: a first start keeps the new identity pending until its IPAM state is on disk.
  const file = config.peers.length > 0 ? IDENTITY_FILE : identityFileFor(stateDir)
  return loadOrCreateIdentity(stateDir.store<NodeIdentity>(file, validateIdentity), config.nodeName)
}
