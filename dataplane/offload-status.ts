/**
 * What the offloads of a running data plane are doing, for `loom status` and /metrics: the level
 * negotiated with the kernel at start (TUN flags, UDP GRO), whether UDP GSO is still in use, the
 * counters the forwarder keeps (DataplaneStats), and the fallbacks: every place where loomd asked
 * for an offload and runs without it.
 *
 * Pure: built from plain values on each request, never per packet.
 */
import type { DataplaneStats } from './types'
import { TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, TUN_F_USO4, TUN_F_USO6 } from './virtio-net'

/** The TUN flags loomd asks for (tun-device.ts falls back to fewer when the kernel refuses). */
export const TUN_OFFLOADS_WANTED = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6

const TUN_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [TUN_F_CSUM, 'csum'], [TUN_F_TSO4, 'tso4'], [TUN_F_TSO6, 'tso6'], [TUN_F_USO4, 'uso4'], [TUN_F_USO6, 'uso6'],
]

/** Where loomd asked for an offload and runs without it (a label value of the fallback metric). */
export const OFFLOAD_FALLBACKS = ['tun', 'udp_gro', 'udp_gso'] as const
export type OffloadFallback = typeof OFFLOAD_FALLBACKS[number]

/** The negotiated level, from most to least: TCP and UDP segmentation, TCP only, checksum only, none. */
export type OffloadLevel = 'tso+uso' | 'tso' | 'csum' | 'none'

/** Fixed at start, except UDP GSO (the forwarder turns it off for good if the kernel refuses it). */
export interface OffloadState {
  /** The `offloads.enabled` config key. */
  readonly enabled: boolean
  /** TUN_F_* flags the kernel accepted on the TUN (0: no virtio header). */
  readonly tunFlags: number
  /** UDP_GRO is on on the data socket. */
  readonly udpGro: boolean
}

export interface OffloadStatus {
  /** `offloads.enabled` as configured. */
  enabled: boolean
  level: OffloadLevel
  /** The accepted TUN flags by name (csum, tso4, tso6, uso4, uso6). */
  tunFlags: string[]
  udpGso: boolean
  udpGro: boolean
  /** TUN super-packets cut into segments, and the segments made. */
  superPacketsOut: number
  segmentsOut: number
  /** Inbound packets merged into a super-packet before the TUN write. */
  coalescedIn: number
  /** Partial checksums (NEEDS_CSUM) completed by loomd. */
  checksumsCompleted: number
  /** Received buffers that held a UDP GRO train. */
  udpGroTrains: number
  /** Offloads asked for and not in use, by where (1 each, 0 when in use or not asked for). */
  fallbacks: Record<OffloadFallback, number>
}

/** The level a set of accepted TUN flags gives. */
export function offloadLevel (tunFlags: number): OffloadLevel {
  const tso = TUN_F_TSO4 | TUN_F_TSO6
  const uso = TUN_F_USO4 | TUN_F_USO6
  if ((tunFlags & (tso | uso)) === (tso | uso)) return 'tso+uso'
  if ((tunFlags & tso) === tso) return 'tso'
  if ((tunFlags & TUN_F_CSUM) !== 0) return 'csum'
  return 'none'
}

/** The names of the TUN flags set in `tunFlags`, in a fixed order. */
export function tunFlagNames (tunFlags: number): string[] {
  return TUN_FLAG_NAMES.filter(([bit]) => (tunFlags & bit) !== 0).map(([, name]) => name)
}

/** The status of the offloads now. With offloads disabled in the config, nothing counts as a fallback. */
export function offloadStatus (state: OffloadState, stats: DataplaneStats): OffloadStatus {
  const udpGso = state.enabled && stats.udpGsoFallbacks === 0
  return {
    enabled: state.enabled,
    level: offloadLevel(state.tunFlags),
    tunFlags: tunFlagNames(state.tunFlags),
    udpGso,
    udpGro: state.udpGro,
    superPacketsOut: stats.superPacketsOut,
    segmentsOut: stats.segmentsOut,
    coalescedIn: stats.coalescedIn,
    checksumsCompleted: stats.checksumsCompleted,
    udpGroTrains: stats.udpGroTrains,
    fallbacks: {
      tun: state.enabled && (state.tunFlags & TUN_OFFLOADS_WANTED) !== TUN_OFFLOADS_WANTED ? 1 : 0,
      udp_gro: state.enabled && !state.udpGro ? 1 : 0,
      udp_gso: state.enabled && !udpGso ? 1 : 0,
    },
  }
}
