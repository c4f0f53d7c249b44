/**
 * Names shared by several files of policy/ that were declared in one implementation file: the
 * compiler's input, an address interval, how to reach the API server, and the nft/conntrack
 * commands with the JSON they return. The policy model itself (namespaces, pods, policies,
 * snapshots) is in model.ts, the compiled result in desired-state.ts, a source's interface in
 * source.ts. Types only.
 */
import type { ConntrackFilter } from './conntrack-plan'
import type { LocalAttachment, PolicySnapshot, RemoteEndpoint } from './model'

export interface CompileInput {
  readonly snapshot: PolicySnapshot
  readonly local: readonly LocalAttachment[]
  readonly remote: readonly RemoteEndpoint[]
}

export interface Interval { readonly first: number; readonly last: number }

export interface KubeAccess {
  /** "https://host:port" (or http for tests), no trailing slash. */
  readonly server: string
  readonly ca?: Buffer
  readonly cert?: Buffer
  readonly key?: Buffer
  readonly insecureSkipTLSVerify: boolean
  /** The bearer token now (re-read from its file each time), or undefined. */
  token(): string | undefined
}

export interface NftCommands {
  /** Runs one nft script as one transaction. */
  apply(script: string): Promise<void>
  /**
   * `nft -j list table inet loom`, parsed; null when the table does not exist. `terse`: without
   * set elements (`-t`), whose listing is what costs at scale (8 s for 367 000 elements).
   */
  listTable(opts?: { terse?: boolean }): Promise<NftJson | null>
  /**
   * `list set|map inet loom <name>` for each, in one `nft -j -i` (one process, not one per set),
   * parsed: one document per set that exists (a missing one prints an error and is left out).
   */
  listSets(sets: ReadonlyArray<{ name: string; kind: 'set' | 'map' }>): Promise<NftJson[]>
  /** Deletes the conntrack entries matching the filter (none matching is not an error). */
  deleteConntrack(filter: ConntrackFilter): Promise<void>
}

/** The part of libnftables' JSON schema we read (`nft -j list`). */
export interface NftJson { nftables: Array<Record<string, unknown>> }
