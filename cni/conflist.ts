/**
 * The network configuration list Loom installs (`10-loom.conflist`), as a pure builder plus an
 * atomic writer. The agent calls `writeConflistAtomic` once it can serve ADD (kubelet marks the
 * node Ready as soon as a valid file appears, so writing it earlier would send pods to a node
 * that answers 11); `cni/install.sh` calls the same code through `node dist/cni/conflist.js`.
 *
 * The list: loom-cni first, then (optionally) the reference `portmap` (hostPort) and
 * `bandwidth` (traffic shaping) meta plugins, which take their values from the runtime through
 * capabilities. `cniVersions` lets a 1.1.0 runtime pick 1.1.0 (STATUS, GC) while an older one
 * (or the Debian 1.1.1 reference plugins, which stop at 1.0.0) uses `cniVersion`.
 */
import { renameSync, writeFileSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join, basename } from 'node:path'
import { randomBytes } from 'node:crypto'

export const CONFLIST_FILE = '10-loom.conflist'
export const DEFAULT_CONF_DIR = '/etc/cni/net.d'

export interface ConflistOptions {
  /** Network name (default 'loom'). */
  name?: string
  /** The agent's API socket the plugin calls (default /run/loom/loom.sock). */
  apiSocket?: string
  /** Pod MTU override; omitted = the agent's overlay MTU. */
  mtu?: number
  /** Append portmap (default true). */
  portmap?: boolean
  /** Append bandwidth (default true). */
  bandwidth?: boolean
  /** The version written in `cniVersion` (default '1.0.0'; `cniVersions` lists 1.0.0 and 1.1.0). */
  cniVersion?: '0.4.0' | '1.0.0' | '1.1.0'
}

/** The conflist document (a plain object; JSON.stringify it). */
export function buildConflist (opts: ConflistOptions = {}): Record<string, unknown> {
  const loom: Record<string, unknown> = { type: 'loom-cni', apiSocket: opts.apiSocket ?? '/run/loom/loom.sock' }
  if (opts.mtu !== undefined) {
    if (!Number.isInteger(opts.mtu) || opts.mtu < 576 ||
      opts.mtu > 9000) throw new RangeError(`conflist mtu ${opts.mtu} is outside 576..9000`)
    loom.mtu = opts.mtu
  }
  const plugins: Array<Record<string, unknown>> = [loom]
  if (opts.portmap !== false) plugins.push({ type: 'portmap', capabilities: { portMappings: true } })
  if (opts.bandwidth !== false) plugins.push({ type: 'bandwidth', capabilities: { bandwidth: true } })
  const cniVersion = opts.cniVersion ?? '1.0.0'
  return {
    cniVersion,
    cniVersions: cniVersion === '0.4.0' ? ['0.4.0'] : ['1.0.0', '1.1.0'],
    name: opts.name ?? 'loom',
    plugins,
  }
}

/**
 * Writes `text` to `path` atomically: a temp file in the same directory (so rename(2) is atomic),
 * mode 0644, then rename over the target. A reader sees the old file or the new one, never half.
 */
export function writeFileAtomic (path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 })
  // The temp name must not end in .conf/.conflist/.json, or a runtime could load it mid-write.
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    writeFileSync(tmp, text, { mode: 0o644 })
    renameSync(tmp, path)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  }
}

/** buildConflist + writeFileAtomic into `<confDir>/10-loom.conflist`; returns the path. */
export function writeConflistAtomic (opts: ConflistOptions = {}, confDir = DEFAULT_CONF_DIR): string {
  const path = join(confDir, CONFLIST_FILE)
  writeFileAtomic(path, JSON.stringify(buildConflist(opts), null, 2) + '\n')
  return path
}

/** `node dist/cni/conflist.js <confDir> [apiSocket] [mtu]`: used by cni/install.sh. */
if (require.main === module) {
  const [confDir, apiSocket, mtu] = process.argv.slice(2)
  try {
    const path = writeConflistAtomic({ apiSocket: apiSocket || undefined, mtu: mtu ? Number(mtu) : undefined },
      confDir || DEFAULT_CONF_DIR)
    process.stdout.write(`${path}\n`)
  } catch (err) {
    process.stderr.write(`failed to write the loom conflist: ${(err as Error).message}\n`)
    process.exit(1)
  }
}
