/**
 * The segmentation offloads' metrics (README "Data plane", "Offloads"), read at scrape time from
 * the data plane's plain counters through `offloadStatus` (dataplane/offload-status.ts), like the
 * other data-plane metrics: nothing here runs per packet.
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import { OFFLOAD_FALLBACKS, type OffloadStatus } from '../dataplane/offload-status'

export interface OffloadMetricsSource {
  /** The offloads now; called at scrape time. */
  status(): OffloadStatus
}

/** Counters of OffloadStatus, each exported as loom_dataplane_offload_<name>_total. */
const COUNTERS: ReadonlyArray<readonly [keyof OffloadStatus & string, string, string]> = [
  ['superPacketsOut', 'super_packets_segmented',
    'TUN super-packets (up to 64 KB) cut into MTU-sized segments before encapsulation.'],
  ['segmentsOut', 'segments', 'Segments made from TUN super-packets.'],
  ['coalescedIn', 'coalesced', 'Inbound packets merged into a super-packet before the TUN write (GRO).'],
  ['checksumsCompleted', 'checksums_completed', 'Partial checksums (virtio NEEDS_CSUM) completed before sending.'],
  ['udpGroTrains', 'udp_gro_trains', 'Received buffers that held a UDP GRO train of datagrams.'],
]

/** Registers the offload metrics on `register`; `source` is read only inside collect callbacks. */
export function registerOffloadMetrics (register: Registry, source: OffloadMetricsSource): void {
  const registers = [register]
  for (const [field, name, help] of COUNTERS) {
    new Counter({
      name: `loom_dataplane_offload_${name}_total`,
      help,
      registers,
      collect () {
        this.reset()
        this.inc(source.status()[field] as number)
      },
    })
  }

  new Counter({
    name: 'loom_dataplane_offload_fallbacks_total',
    help: 'Offloads asked for and not in use, by where: tun (the kernel took fewer TUN flags), udp_gro, udp_gso (refused at send).',
    labelNames: ['offload'] as const,
    registers,
    collect () {
      const fallbacks = source.status().fallbacks
      this.reset()
      for (const what of OFFLOAD_FALLBACKS) this.inc({ offload: what }, fallbacks[what])
    },
  })

  new Gauge({
    name: 'loom_dataplane_offload_info',
    help: 'Always 1; labels: offloads enabled in the config, the negotiated TUN level (tso+uso, tso, csum, none), its flags, UDP GSO and GRO.',
    labelNames: ['enabled', 'level', 'tun_flags', 'udp_gso', 'udp_gro'] as const,
    registers,
    collect () {
      const s = source.status()
      this.reset()
      this.set({
        enabled: String(s.enabled),
        level: s.level,
        tun_flags: s.tunFlags.join(','),
        udp_gso: String(s.udpGso),
        udp_gro: String(s.udpGro),
      }, 1)
    },
  })
}
