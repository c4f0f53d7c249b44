/**
 * The offloads as `loom status` and /metrics show them: the level negotiated with the kernel,
 * the counters, and every fallback (asked for, not in use); nothing counts as a fallback when
 * `offloads.enabled` is false.
 */
import t from 'tap'
import { offloadLevel, offloadStatus, tunFlagNames, TUN_OFFLOADS_WANTED } from '../../dataplane/offload-status'
import { createDataplaneStats } from '../../dataplane/types'
import { TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, TUN_F_USO4, TUN_F_USO6 } from '../../dataplane/virtio-net'
import { createMetricsRegistry } from '../../metrics'
import { formatOffloads } from '../../agent/cli-format'

const TSO = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6

t.test('level and flag names from the accepted TUN flags', async (t) => {
  t.equal(offloadLevel(TUN_OFFLOADS_WANTED), 'tso+uso')
  t.equal(offloadLevel(TSO), 'tso', 'a kernel without USO')
  t.equal(offloadLevel(TUN_F_CSUM), 'csum')
  t.equal(offloadLevel(0), 'none')
  t.equal(offloadLevel(TUN_F_CSUM | TUN_F_TSO4), 'csum', 'TSO for one family only is not the TSO level')
  t.equal(offloadLevel(TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4), 'tso', 'USO for one family only is not the USO level')
  t.same(tunFlagNames(TUN_OFFLOADS_WANTED), ['csum', 'tso4', 'tso6', 'uso4', 'uso6'])
  t.same(tunFlagNames(TUN_F_USO6 | TUN_F_CSUM), ['csum', 'uso6'], 'fixed order')
  t.same(tunFlagNames(0x80 | 0x100), [], 'unknown bits are not named')
})

t.test('fallbacks: each offload asked for and not in use counts once', async (t) => {
  const stats = createDataplaneStats()
  const all = offloadStatus({ enabled: true, tunFlags: TUN_OFFLOADS_WANTED, udpGro: true }, stats)
  t.same(all.fallbacks, { tun: 0, udp_gro: 0, udp_gso: 0 }, 'everything negotiated')
  t.equal(all.udpGso, true)
  t.equal(all.level, 'tso+uso')

  const older = offloadStatus({ enabled: true, tunFlags: TSO, udpGro: false }, stats)
  t.same(older.fallbacks, { tun: 1, udp_gro: 1, udp_gso: 0 }, 'a kernel without USO and UDP_GRO')
  t.equal(older.level, 'tso')

  stats.udpGsoFallbacks = 3
  const refused = offloadStatus({ enabled: true, tunFlags: TUN_OFFLOADS_WANTED, udpGro: true }, stats)
  t.equal(refused.udpGso, false, 'a refused GSO send turns it off')
  t.equal(refused.fallbacks.udp_gso, 1, 'counted once however often it was refused')

  const off = offloadStatus({ enabled: false, tunFlags: 0, udpGro: false }, stats)
  t.same(off.fallbacks, { tun: 0, udp_gro: 0, udp_gso: 0 }, 'disabled by config: nothing fell back')
  t.equal(off.udpGso, false)
  t.equal(off.level, 'none')
  t.equal(off.enabled, false)
})

t.test('counters are read from the data plane stats as they are now', async (t) => {
  const stats = createDataplaneStats()
  const state = { enabled: true, tunFlags: TUN_OFFLOADS_WANTED, udpGro: true }
  stats.superPacketsOut = 2
  stats.segmentsOut = 90
  stats.coalescedIn = 44
  stats.checksumsCompleted = 7
  stats.udpGroTrains = 5
  const s = offloadStatus(state, stats)
  t.same([s.superPacketsOut, s.segmentsOut, s.coalescedIn, s.checksumsCompleted, s.udpGroTrains], [2, 90, 44, 7, 5])
  stats.segmentsOut = 91
  t.equal(offloadStatus(state, stats).segmentsOut, 91, 'a fresh view each time, nothing cached')
})

t.test('/metrics: counters, fallbacks by offload, and the negotiated level as labels', async (t) => {
  const stats = createDataplaneStats()
  let state = { enabled: true, tunFlags: TSO, udpGro: true }
  stats.superPacketsOut = 3
  stats.segmentsOut = 120
  stats.coalescedIn = 40
  stats.checksumsCompleted = 9
  stats.udpGroTrains = 6
  const m = createMetricsRegistry({
    version: '1', nodeName: 'a', offloads: { status: () => offloadStatus(state, stats) }
  })
  const text = await m.metrics()
  for (const [name, value] of [
    ['loom_dataplane_offload_super_packets_segmented_total', 3], ['loom_dataplane_offload_segments_total', 120],
    ['loom_dataplane_offload_coalesced_total', 40], ['loom_dataplane_offload_checksums_completed_total', 9],
    ['loom_dataplane_offload_udp_gro_trains_total', 6],
  ] as const) {
    t.match(text, new RegExp(`^# TYPE ${name} counter$`, 'm'))
    t.match(text, new RegExp(`^${name} ${value}$`, 'm'), `${name} = ${value}`)
  }
  t.match(text, /^loom_dataplane_offload_fallbacks_total\{offload="tun"\} 1$/m)
  t.match(text, /^loom_dataplane_offload_fallbacks_total\{offload="udp_gro"\} 0$/m)
  t.match(text, /^loom_dataplane_offload_fallbacks_total\{offload="udp_gso"\} 0$/m)
  t.match(text,
    /^loom_dataplane_offload_info\{enabled="true",level="tso",tun_flags="csum,tso4,tso6",udp_gso="true",udp_gro="true"\} 1$/m)

  state = { enabled: false, tunFlags: 0, udpGro: false }
  const after = await m.metrics()
  t.match(after,
    /^loom_dataplane_offload_info\{enabled="false",level="none",tun_flags="",udp_gso="false",udp_gro="false"\} 1$/m,
    'read at scrape time; one info series, the old label set gone')
  t.equal([...after.matchAll(/^loom_dataplane_offload_info\{/gm)].length, 1)
})

t.test('loom status: one line for the offloads', async (t) => {
  const stats = createDataplaneStats()
  stats.superPacketsOut = 1
  stats.segmentsOut = 46
  t.equal(formatOffloads(offloadStatus({ enabled: true, tunFlags: TSO, udpGro: false }, stats)),
    'tso (tun csum,tso4,tso6; udp gso on, gro off); fallbacks tun,udp_gro; 1 super-packets -> 46 segments, ' +
    '0 coalesced, 0 checksums completed, 0 GRO trains')
  t.equal(formatOffloads(offloadStatus({ enabled: false, tunFlags: 0, udpGro: false }, stats)),
    'disabled (offloads.enabled: false)')
})
