/**
 * The hot path: moves packets between the TUN device and the UDP socket.
 *
 * Outbound flow (TUN -> wire), one wake-up of the TUN fd:
 *   1. read: up to MAX_BATCH IP packets, each read at HEADROOM so the outer header can be
 *      written in place in front of it (no copy); the poll itself reads the first
 *      POLL_PREFETCH_MAX into registered buffers before calling in (see start), readBatch the
 *      rest; with TUN offloads (device.vnetHeaderLen 10) each comes behind its virtio-net header
 *      and may be a TCP/UDP super-packet of up to 64 KB;
 *   2. per packet: IPv4 check, longest-prefix lookup of the destination -> owning peer, MTU check
 *      (an oversized DF packet gets an ICMP "fragmentation needed" written back into the TUN);
 *      a super-packet is cut into MTU-sized segments first (native segmentTun, into the segment
 *      arena), so that every encapsulation (and a sealing wrapper) sees ordinary packets; a
 *      partial checksum (NEEDS_CSUM) is completed; encapsulate (the header goes in the headroom);
 *   3. send: runs of equal-size datagrams to one peer (bulk TCP) as one UDP GSO send each, the
 *      rest in one sendmmsg; a peer's packets keep their order.
 * Inbound flow (wire -> TUN), one wake-up of the UDP fd:
 *   1. receive: up to MAX_BATCH messages (recvmmsg: the poll's prefetch, then recvBatch); with
 *      UDP GRO a message may be a train of datagrams from one sender, cut apart here by the
 *      segment size the kernel reports;
 *   2. an encrypting encapsulation opens the batch's transport messages first (openAhead: a few
 *      native calls per batch instead of one per datagram), then per datagram: decapsulate where
 *      it lies (identifies and authenticates the sending peer),
 *      check that the inner source belongs to that peer's prefixes and the inner destination is
 *      not a remote prefix (no reflection through us);
 *   3. with TUN offloads, consecutive segments of one TCP flow (and datagrams of one UDP flow,
 *      where the TUN took USO) are merged into super-packets (native coalesceTun, GRO);
 *      writeBatch: the packets into the TUN in one crossing; multicast (224.0.0.0/4) goes to the
 *      multicast path's local delivery instead (multicast-forwarder.ts), never the TUN;
 *   4. a lone small packet written: the TUN is read at once for the kernel's answer (at most
 *      once a millisecond; see ANSWER_PROBE_BYTES).
 * Nothing here reorders packets within a batch; batches are handled in arrival order.
 *
 * Rules: plain synchronous code; no allocation, promise, closure, throw or log per packet. A bad
 * packet is counted in DataplaneStats by reason and skipped. The route table is swapped whole by
 * `setRoutes` (control builds a new one; the forwarder never mutates it).
 */
import { ipv4FlowHash } from './flow-hash'
import { writeFragmentationNeeded } from './icmp'
import { prefixMask } from '../lib'
import { loadNativeBinding, POLL_PREFETCH_MAX } from './native-binding'
import type { NativeBinding } from './native-binding'
import { RouteTable } from './route-table'
import {
  DataplaneStats, DatagramTransport, Decapsulated, Device, Drop, ENCAP_HELD, Encapsulation, MAX_BATCH,
  PeerRoute,
} from './types'
import {
  createVirtioNetHeader, decodeVirtioNetHeader, gsoHeaderLength, TUN_F_USO4, TUN_F_USO6, VNET_F_NEEDS_CSUM,
  VNET_GSO_NONE, VNET_HDR_LEN,
} from './virtio-net'

/** Bytes left free before each packet read from the TUN: room for the largest outer header. */
export const HEADROOM = 64
/** Capacity of each packet buffer: any IPv4 datagram fits, plus headroom. */
const BUFFER_BYTES = HEADROOM + 65536
/** Batches handled per wake-up before yielding to the event loop (the fd stays readable). */
const ROUNDS_PER_WAKEUP = 16
/**
 * An inbound batch of one packet this small (an echo request, a TCP ACK or small request) may be
 * answered by the kernel inside the TUN write itself (bench/README.md, "Idle latency"): the TUN
 * is then read at once instead of on the next event-loop turn. Larger packets are bulk data,
 * whose answers the next turn batches.
 */
const ANSWER_PROBE_BYTES = 256
/** Shortest run of equal-size datagrams to one peer worth a segmented (GSO) send. */
const MIN_SEGMENTED_RUN = 2
/** Segments per GSO send (the kernel's UDP_MAX_SEGMENTS is 64 on older kernels). */
const MAX_SEGMENTS = 64
/** Largest UDP payload one send may carry. */
const MAX_SEGMENTED_BYTES = 65507
/** Datagrams queued before a send (a batch of super-packets becomes many segments). */
const DATAGRAM_SLOTS = 1024
/** Where super-packets are cut into segments (each at HEADROOM in a slot); enough for any 64 KB
 *  super-packet whose segments carry at least 88 bytes (Linux's smallest TCP MSS). */
const SEGMENT_ARENA_BYTES = 4 << 20
/** Inner packets handed to one coalescing pass (and one TUN writeBatch). */
const INBOUND_SLOTS = 1024
/** One coalesced super-packet: virtio header + up to 65535 bytes of IP. */
const GRO_SLOT_BYTES = VNET_HDR_LEN + 65535 + 7
const GRO_SLOTS = 64
/** IPv4 header offsets (RFC 791). */
const IP_FLAGS = 6
const IP_SRC = 12
const IP_DST = 16
const IP_DF = 0x40

/** The byte loops of the TUN offloads (dataplane/native/loom_offload.c). */
export type OffloadPrimitives = Pick<NativeBinding, 'segmentTun' | 'completeChecksums' | 'coalesceTun'>

export interface ForwarderComponents {
  device: Device
  transport: DatagramTransport
  encapsulation: Encapsulation
  stats: DataplaneStats
  /** Needed only when the device has offloads (vnetHeaderLen > 0); default: the native binding. */
  offload?: OffloadPrimitives
}

/** Where inbound multicast goes (dataplane/multicast-forwarder.ts): never to the TUN. */
export interface MulticastSink {
  deliverInbound(buf: Buffer, start: number, len: number): void
  flushInbound(): void
}

export interface ForwarderInit {
  /** The node's own overlay address (host-order u32): source of the ICMP errors we generate. */
  overlayAddressU32: number
  /** The table in force at start; replaced by setRoutes. */
  routes: RouteTable
  /** The TUN's MTU: with offloads, inbound super-packets are handed on cut to fit it (default 1280). */
  mtu?: number
  /** Send runs of equal-size datagrams with UDP GSO (default true; false with `offloads.enabled: false`). */
  udpSegmentation?: boolean
  /**
   * clusterCIDR (network as a host-order u32, prefix length): a decapsulated packet is written to
   * the TUN only for a destination inside it (our pods, our overlay address) or multicast; any
   * other is dropped as not_local, so nobody who can reach our UDP port can use the overlay to
   * reach the host or route through it. Absent: no such check (unit tests of other parts).
   */
  clusterCIDR?: { network: number, prefixLength: number }
}

/** Datagrams ready to send, as parallel arrays the native binding takes; allocated once. */
class DatagramBatch {
  readonly bufs: Buffer[] = new Array<Buffer>(DATAGRAM_SLOTS)
  readonly peers: PeerRoute[] = new Array<PeerRoute>(DATAGRAM_SLOTS)
  readonly offsets = new Int32Array(DATAGRAM_SLOTS)
  readonly lengths = new Int32Array(DATAGRAM_SLOTS)
  readonly addrs = new Uint32Array(DATAGRAM_SLOTS)
  readonly ports = new Uint16Array(DATAGRAM_SLOTS)
  /** Source-port slot of the transport (the inner flow's hash; 0 with one source port). */
  readonly sources = new Uint8Array(DATAGRAM_SLOTS)

  /** Copies datagram `from` of another batch into slot `to` of this one. */
  copyFrom (other: DatagramBatch, from: number, to: number): void {
    this.bufs[to] = other.bufs[from]
    this.peers[to] = other.peers[from]
    this.offsets[to] = other.offsets[from]
    this.lengths[to] = other.lengths[from]
    this.addrs[to] = other.addrs[from]
    this.ports[to] = other.ports[from]
    this.sources[to] = other.sources[from]
  }
}

export class Forwarder {
  private readonly device: Device
  private readonly transport: DatagramTransport
  private readonly encap: Encapsulation
  /** Bytes the encapsulation appends after the inner packet (the AEAD tag when encrypting). */
  private readonly trailerLen: number
  private readonly stats: DataplaneStats
  private overlayAddressU32: number
  /** clusterCIDR as network/mask (host order); mask 0 accepts every destination. */
  private readonly localNet: number
  private readonly localMask: number
  private table: RouteTable
  private readonly tunMtu: number
  private running = false
  private multicast: MulticastSink | undefined
  /** Bytes of virtio-net header in front of every TUN packet (0: no offloads). */
  private readonly vnetLen: number
  private readonly offload: OffloadPrimitives | undefined
  /** TUN_F_USO4/6 as the device accepted them: inbound UDP of those families is coalesced too. */
  private readonly usoFlags: number
  /** Source ports the transport offers; > 1: each flow leaves from the one its hash picks. */
  private readonly sourcePorts: number

  // Outbound state, allocated once.
  private readonly outBufs: Buffer[] = []
  private readonly outSizes = new Int32Array(MAX_BATCH)
  /** The batch after the buffers the TUN poll reads into itself (see start): views, not copies. */
  private readonly outBufsRest: Buffer[] = []
  private readonly outSizesRest = this.outSizes.subarray(POLL_PREFETCH_MAX)
  /** The encapsulated datagrams queued for the next send, in order. */
  private readonly datagrams = new DatagramBatch()
  private queued = 0
  /** Those of them that do not go in a segmented run, compacted for one sendmmsg. */
  private readonly singles = new DatagramBatch()
  /** UDP GSO in use; turned off for good the first time the kernel refuses it. */
  private segmentation = true
  private readonly icmpBufs: Buffer[] = []
  private readonly icmpOffsets = new Int32Array(MAX_BATCH)
  private readonly icmpLengths = new Int32Array(MAX_BATCH)
  private icmpQueued = 0
  // Offloads, outbound: the decoded virtio header, the segment arena, partial checksums to finish.
  private readonly vnet = createVirtioNetHeader()
  private readonly segmentArena: Buffer
  private arenaUsed = 0
  private readonly segmentLengths = new Int32Array(DATAGRAM_SLOTS)
  private readonly csumBufs: Buffer[] = new Array<Buffer>(DATAGRAM_SLOTS)
  private readonly csumOffsets = new Int32Array(DATAGRAM_SLOTS)
  private readonly csumLengths = new Int32Array(DATAGRAM_SLOTS)
  private readonly csumStarts = new Int32Array(DATAGRAM_SLOTS)
  private readonly csumFields = new Int32Array(DATAGRAM_SLOTS)
  private csumQueued = 0

  // Inbound state, allocated once.
  private readonly inBufs: Buffer[] = []
  private readonly inSizes = new Int32Array(MAX_BATCH)
  private readonly inAddrs = new Uint32Array(MAX_BATCH)
  private readonly inPorts = new Uint16Array(MAX_BATCH)
  private readonly inSegments = new Int32Array(MAX_BATCH)
  /** The batch after the buffers the UDP poll receives into itself (see start): views, not copies. */
  private readonly inBufsRest: Buffer[] = []
  private readonly inSizesRest = this.inSizes.subarray(POLL_PREFETCH_MAX)
  private readonly inAddrsRest = this.inAddrs.subarray(POLL_PREFETCH_MAX)
  private readonly inPortsRest = this.inPorts.subarray(POLL_PREFETCH_MAX)
  private readonly inSegmentsRest = this.inSegments.subarray(POLL_PREFETCH_MAX)
  private readonly tunBufs: Buffer[] = new Array<Buffer>(INBOUND_SLOTS)
  private readonly tunOffsets = new Int32Array(INBOUND_SLOTS)
  private readonly tunLengths = new Int32Array(INBOUND_SLOTS)
  // Offloads, inbound: coalescing output and the arena of merged super-packets.
  private readonly groArena: Buffer
  private readonly groOut = new Int32Array(INBOUND_SLOTS * 3)
  private readonly groCounters = new Int32Array(2)
  private readonly writeBufs: Buffer[] = new Array<Buffer>(INBOUND_SLOTS)
  private readonly writeOffsets = new Int32Array(INBOUND_SLOTS)
  private readonly writeLengths = new Int32Array(INBOUND_SLOTS)
  private readonly decap: Decapsulated = { innerStart: 0, innerLen: 0, peer: undefined, replyStart: 0, replyLen: 0 }
  private readonly replyBuf: Buffer[] = [Buffer.alloc(0)]
  private readonly replyOffsets = new Int32Array(1)
  private readonly replyLengths = new Int32Array(1)
  private readonly replyAddrs = new Uint32Array(1)
  private readonly replyPorts = new Uint16Array(1)
  /** Date.now() of the last answer probe: at most one per millisecond (see ANSWER_PROBE_BYTES). */
  private lastProbeMs = -1

  constructor (components: ForwarderComponents, init: ForwarderInit) {
    this.device = components.device
    this.transport = components.transport
    this.encap = components.encapsulation
    this.trailerLen = this.encap.trailerLen ?? 0
    if (this.encap.flush !== undefined) this.encap.deferUntilFlush?.()
    this.stats = components.stats
    this.overlayAddressU32 = init.overlayAddressU32
    this.localMask = init.clusterCIDR === undefined ? 0 : prefixMask(init.clusterCIDR.prefixLength)
    this.localNet = init.clusterCIDR === undefined ? 0 : (init.clusterCIDR.network & this.localMask) >>> 0
    this.table = init.routes
    this.tunMtu = init.mtu ?? 1280
    this.segmentation = init.udpSegmentation ?? true
    this.sourcePorts = Math.max(1, Math.min(256, components.transport.sourcePorts ?? 1))
    this.vnetLen = components.device.vnetHeaderLen ?? 0
    if (this.vnetLen !== 0 && this.vnetLen !== VNET_HDR_LEN) {
      throw new Error(`device ${components.device.name} has a ${this.vnetLen}-byte virtio header; only ${VNET_HDR_LEN} is supported`)
    }
    this.offload = this.vnetLen > 0 ? (components.offload ?? loadNativeBinding()) : undefined
    this.usoFlags = this.vnetLen > 0 ? (components.device.offloads ?? 0) & (TUN_F_USO4 | TUN_F_USO6) : 0
    if (this.encap.headerLen > HEADROOM - this.vnetLen) {
      throw new Error(`encapsulation ${this.encap.kind} needs ${this.encap.headerLen} bytes of headroom, more than ${HEADROOM - this.vnetLen}`)
    }
    for (let i = 0; i < MAX_BATCH; i++) {
      this.outBufs.push(Buffer.allocUnsafe(BUFFER_BYTES))
      this.inBufs.push(Buffer.allocUnsafe(BUFFER_BYTES))
      this.icmpBufs.push(Buffer.alloc(576 + VNET_HDR_LEN))
    }
    this.outBufsRest.push(...this.outBufs.slice(POLL_PREFETCH_MAX))
    this.inBufsRest.push(...this.inBufs.slice(POLL_PREFETCH_MAX))
    this.segmentArena = Buffer.allocUnsafe(this.vnetLen > 0 ? SEGMENT_ARENA_BYTES : 0)
    this.groArena = Buffer.allocUnsafe(this.vnetLen > 0 ? GRO_SLOT_BYTES * GRO_SLOTS : 0)
  }

  /** Sets the node's overlay address (gossip mode learns it from IPAM after start). */
  setOverlayAddress (addressU32: number): void {
    this.overlayAddressU32 = addressU32
  }

  /** Replaces the route table; the next packet uses the new one. */
  setRoutes (table: RouteTable): void {
    this.table = table
  }

  routes (): RouteTable {
    return this.table
  }

  /** Inbound packets to 224.0.0.0/4 go to `sink` (after the usual checks) instead of the TUN. */
  setMulticastSink (sink: MulticastSink | undefined): void {
    this.multicast = sink
  }

  /**
   * Sends copies made by the multicast path: packet i is bufs[i][HEADROOM, HEADROOM + innerLens[i])
   * to peers[i], encapsulated (and encrypted) like any outbound packet. Returns how many left.
   */
  sendCopies (bufs: Buffer[], innerLens: Int32Array, peers: PeerRoute[], count: number): number {
    const before = this.stats.dropsOutbound[Drop.SocketError]
    for (let i = 0; i < count; i++) {
      if (this.queued === DATAGRAM_SLOTS) this.flushOutbound()
      this.queueDatagram(bufs[i], HEADROOM, innerLens[i], peers[i], this.sourceOf(bufs[i], innerLens[i]))
    }
    this.flushOutbound()
    return count - (this.stats.dropsOutbound[Drop.SocketError] - before)
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.encap.attach?.((buf, off, len, addr, port) => this.sendOne(buf, off, len, addr, port))
    // The polls read the first POLL_PREFETCH_MAX packets themselves, before calling in: an idle
    // wake-up reaches its syscall without entering JS first (NativeBinding.pollStart). A device
    // or transport that does not prefetch calls the handler without `ready`.
    const p = POLL_PREFETCH_MAX
    this.device.onReadable((ready?: number) => { this.runOutbound(ready ?? -1) },
      { bufs: this.outBufs.slice(0, p), sizes: this.outSizes, headroom: HEADROOM - this.vnetLen })
    const segmentSizes = this.transport.gro === true ? this.inSegments : undefined
    this.transport.onReadable((ready?: number) => { this.runInbound(ready ?? -1) },
      { bufs: this.inBufs.slice(0, p), sizes: this.inSizes, addrs: this.inAddrs, ports: this.inPorts, segmentSizes })
  }

  stop (): void {
    this.running = false
  }

  /**
   * Drains the TUN device: read, route, segment, encapsulate, send. `ready` >= 0: the poll has
   * read that many packets into outBufs already (all of its buffers full: the rest of the batch
   * is read behind them).
   */
  runOutbound (ready = -1): void {
    const stats = this.stats
    const drops = stats.dropsOutbound
    const vh = this.vnetLen
    const vnet = this.vnet
    for (let round = 0; round < ROUNDS_PER_WAKEUP && this.running; round++) {
      const n = round > 0 || ready < 0
        ? this.device.readBatch(this.outBufs, this.outSizes, HEADROOM - vh)
        : ready < POLL_PREFETCH_MAX ? ready : ready + this.readRest()
      stats.tunReadBatches[n]++
      if (n === 0) return
      const table = this.table
      for (let i = 0; i < n; i++) {
        const buf = this.outBufs[i]
        const len = this.outSizes[i] - vh
        if (len < 20) { drops[Drop.Malformed]++; continue }
        if (vh > 0 && !decodeVirtioNetHeader(buf, HEADROOM - vh, len, vnet)) { drops[Drop.Malformed]++; continue }
        if ((buf[HEADROOM] >> 4) !== 4) { drops[Drop.Unsupported]++; continue }
        const peer = table.lookup(buf.readUInt32BE(HEADROOM + IP_DST))
        if (peer === undefined) { drops[Drop.NoRoute]++; continue }
        if (vh > 0 && vnet.gsoType !== VNET_GSO_NONE) {
          this.queueSegments(buf, len, peer)
          continue
        }
        if (len > peer.mtu) {
          this.refuseOversized(buf, len, peer)
          continue
        }
        if (this.queued === DATAGRAM_SLOTS) this.flushOutbound()
        if (vh > 0 && (vnet.flags & VNET_F_NEEDS_CSUM) !== 0) {
          // A sealing encapsulation encrypts in queueDatagram: the checksum must be whole before.
          const c = this.trailerLen > 0 ? 0 : this.csumQueued++
          this.csumBufs[c] = buf
          this.csumOffsets[c] = HEADROOM
          this.csumLengths[c] = len
          this.csumStarts[c] = vnet.csumStart
          this.csumFields[c] = vnet.csumOffset
          if (this.trailerLen > 0) {
            this.offload!.completeChecksums(this.csumBufs, this.csumOffsets, this.csumLengths, this.csumStarts,
              this.csumFields, 1)
            this.stats.checksumsCompleted++
          }
        }
        this.queueDatagram(buf, HEADROOM, len, peer, this.sourceOf(buf, len))
      }
      this.flushOutbound()
      if (n < MAX_BATCH) return
    }
  }

  /** The source-port slot of the packet at buf[HEADROOM, +len): its flow's, or 0. */
  private sourceOf (buf: Buffer, len: number): number {
    return this.sourcePorts > 1 ? ipv4FlowHash(buf, HEADROOM, len) % this.sourcePorts : 0
  }

  /** Encapsulates the inner packet at buf[start, +len) for `peer` and queues the datagram. */
  private queueDatagram (buf: Buffer, start: number, len: number, peer: PeerRoute, source: number): void {
    const payload = this.encap.encapsulate(buf, start, len, peer)
    if (payload < 0) {
      // Encryption: staged until a handshake completes (ENCAP_HELD), or dropped by reason.
      if (payload !== ENCAP_HELD) this.stats.dropsOutbound[-payload]++
      return
    }
    const d = this.datagrams
    const q = this.queued++
    d.bufs[q] = buf
    d.peers[q] = peer
    d.offsets[q] = payload
    d.lengths[q] = start + len - payload + this.trailerLen
    d.addrs[q] = peer.addressU32
    d.ports[q] = peer.port
    d.sources[q] = source
  }

  /** An inner packet larger than the peer's MTU: dropped, and a DF one answered with ICMP. */
  private refuseOversized (buf: Buffer, len: number, peer: PeerRoute): void {
    this.stats.dropsOutbound[Drop.Mtu]++
    if ((buf[HEADROOM + IP_FLAGS] & IP_DF) === 0 || this.icmpQueued === MAX_BATCH) return
    const vh = this.vnetLen
    const k = this.icmpQueued
    const icmpLen = writeFragmentationNeeded(buf, HEADROOM, len, this.icmpBufs[k], vh, peer.mtu, this.overlayAddressU32)
    if (icmpLen === 0) return
    this.icmpBufs[k].fill(0, 0, vh) // a plain virtio header: nothing to offload
    this.icmpOffsets[k] = 0
    this.icmpLengths[k] = vh + icmpLen
    this.icmpQueued++
  }

  /**
   * A TSO/USO super-packet (virtio header already decoded into this.vnet) for `peer`: cut into
   * segments in the arena, each encapsulated and queued like any packet. Segments larger than
   * the peer's MTU are refused as the whole packet would be (ICMP for DF).
   */
  private queueSegments (buf: Buffer, len: number, peer: PeerRoute): void {
    const vnet = this.vnet
    const hdrLen = gsoHeaderLength(buf, HEADROOM, len, vnet)
    if (hdrLen < 0 || hdrLen >= len) { this.stats.dropsOutbound[Drop.Malformed]++; return }
    const segmentMax = hdrLen + vnet.gsoSize
    if (segmentMax > peer.mtu) { this.refuseOversized(buf, len, peer); return }
    const count = Math.ceil((len - hdrLen) / vnet.gsoSize)
    const stride = (HEADROOM + segmentMax + this.trailerLen + 63) & ~63
    if (count > DATAGRAM_SLOTS || count * stride > this.segmentArena.length) {
      this.stats.dropsOutbound[Drop.Unsupported]++ // segments too small to carry (< 88 bytes)
      return
    }
    if (this.queued + count > DATAGRAM_SLOTS || this.arenaUsed + count * stride > this.segmentArena.length) {
      this.flushOutbound()
    }
    const arena = this.segmentArena
    const base = this.arenaUsed
    const source = this.sourceOf(buf, len)
    const made = this.offload!.segmentTun(buf, HEADROOM, len, vnet.gsoType, vnet.gsoSize, vnet.csumStart,
      arena, base, stride, HEADROOM, count, this.segmentLengths, 0)
    if (made <= 0) { this.stats.dropsOutbound[Drop.Malformed]++; return }
    this.arenaUsed = base + made * stride
    this.stats.superPacketsOut++
    this.stats.segmentsOut += made
    for (let k = 0; k < made; k++) {
      this.queueDatagram(arena, base + k * stride + HEADROOM, this.segmentLengths[k], peer,
        source)
    }
    // Seal a deferring encapsulation's segments while they are still in cache (one batch each).
    this.encap.flush?.()
  }

  /** Sends everything queued (after finishing partial checksums) and the pending ICMP errors. */
  private flushOutbound (): void {
    if (this.csumQueued > 0) {
      this.offload!.completeChecksums(this.csumBufs, this.csumOffsets, this.csumLengths, this.csumStarts,
        this.csumFields, this.csumQueued)
      this.stats.checksumsCompleted += this.csumQueued
      this.csumQueued = 0
    }
    if (this.queued > 0) {
      this.encap.flush?.()
      this.sendOutbound(this.queued)
    }
    this.queued = 0
    this.arenaUsed = 0
    if (this.icmpQueued > 0) {
      const written = this.device.writeBatch(this.icmpBufs, this.icmpOffsets, this.icmpLengths, this.icmpQueued)
      this.stats.icmpFragNeededSent += written
      this.icmpQueued = 0
    }
  }

  /**
   * Sends datagrams 0..tx-1 of `datagrams`, in order per peer. A run of at least
   * MIN_SEGMENTED_RUN equal-size datagrams to one peer (the last may be shorter) — what a bulk TCP
   * flow produces — leaves in one UDP GSO send; everything else in sendmmsg batches. Pending
   * singles are flushed before each run, so a peer's packets never overtake each other.
   */
  private sendOutbound (tx: number): void {
    const send = this.transport.sendSegmented
    let singles = 0
    let i = 0
    while (i < tx) {
      const run = this.segmentation && send !== undefined ? this.runLength(i, tx) : 1
      if (run < MIN_SEGMENTED_RUN) {
        this.singles.copyFrom(this.datagrams, i, singles++)
        if (singles === MAX_BATCH) { this.flushSingles(singles); singles = 0 }
        i++
        continue
      }
      if (singles > 0) { this.flushSingles(singles); singles = 0 }
      const d = this.datagrams
      const r = send!.call(this.transport, d.bufs, d.offsets, d.lengths, i, run, d.lengths[i], d.addrs[i], d.ports[i],
        d.sources[i])
      if (r < 0) {
        // The kernel or the device cannot segment: batch everything from now on.
        this.segmentation = false
        this.stats.udpGsoFallbacks++
        continue
      }
      this.stats.udpSendBatches[r]++
      if (r === run) this.countSent(this.datagrams, i, run)
      else this.stats.dropsOutbound[Drop.SocketError] += run
      i += run
    }
    if (singles > 0) this.flushSingles(singles)
  }

  /** How many datagrams from i on can go as one segmented send (1 when none can). */
  private runLength (i: number, tx: number): number {
    const size = this.datagrams.lengths[i]
    const addr = this.datagrams.addrs[i]
    const port = this.datagrams.ports[i]
    const source = this.datagrams.sources[i]
    let total = size
    let j = i + 1
    while (j < tx && j - i < MAX_SEGMENTS && this.datagrams.addrs[j] === addr && this.datagrams.ports[j] === port &&
      this.datagrams.sources[j] === source && total + this.datagrams.lengths[j] <= MAX_SEGMENTED_BYTES) {
      const len = this.datagrams.lengths[j]
      if (len > size) break
      total += len
      j++
      if (len < size) break // a shorter datagram can only be the last segment
    }
    return j - i
  }

  private flushSingles (count: number): void {
    const b = this.singles
    const sent = this.sourcePorts > 1
      ? this.transport.sendBatch(b.bufs, b.offsets, b.lengths, b.addrs, b.ports, count, b.sources)
      : this.transport.sendBatch(b.bufs, b.offsets, b.lengths, b.addrs, b.ports, count)
    this.stats.udpSendBatches[sent]++
    this.countSent(b, 0, sent)
    if (sent < count) this.stats.dropsOutbound[Drop.SocketError] += count - sent
  }

  /** Per-peer counters for datagrams [start, start+count) that left (inner bytes). */
  private countSent (batch: DatagramBatch, start: number, count: number): void {
    const headerLen = this.encap.headerLen + this.trailerLen
    for (let k = start; k < start + count; k++) {
      const c = batch.peers[k].counters
      c.packetsOut++
      c.bytesOut += batch.lengths[k] - headerLen
    }
  }

  /**
   * Drains the UDP socket: receive, cut GRO trains, decapsulate, check, coalesce, write. `ready`
   * as for runOutbound.
   */
  runInbound (ready = -1): void {
    const stats = this.stats
    const drops = stats.dropsInbound
    const encap = this.encap
    const decap = this.decap
    const gro = this.transport.gro === true
    for (let round = 0; round < ROUNDS_PER_WAKEUP && this.running; round++) {
      const n = round > 0 || ready < 0
        ? this.receive(gro)
        : ready < POLL_PREFETCH_MAX ? ready : ready + this.receiveRest(gro)
      stats.udpRecvBatches[n]++
      if (n === 0) return
      encap.openAhead?.(this.inBufs, this.inSizes, gro ? this.inSegments : undefined, n)
      const table = this.table
      const batchTime = Date.now()
      let w = 0
      for (let i = 0; i < n; i++) {
        const buf = this.inBufs[i]
        const size = this.inSizes[i]
        if (size <= 0) { drops[Drop.Malformed]++; continue }
        const step = gro && this.inSegments[i] > 0 ? this.inSegments[i] : size
        if (step < size) stats.udpGroTrains++
        for (let at = 0; at < size; at += step) {
          const len = size - at < step ? size - at : step
          decap.replyLen = 0
          const verdict = encap.decapsulate(buf, len, this.inAddrs[i], table, decap, at, this.inPorts[i])
          if (verdict !== Drop.None) { drops[verdict]++; continue }
          if (decap.replyLen > 0) { this.sendReply(buf, i); continue }
          if (decap.innerLen === 0) continue // consumed by the encapsulation (handshake, keepalive)
          const peer = decap.peer as PeerRoute
          const start = decap.innerStart
          // Cryptokey-routing style source check: a peer may only send from its own prefixes.
          if (table.lookup(buf.readUInt32BE(start + IP_SRC)) !== peer) { drops[Drop.Auth]++; continue }
          // Never reflect traffic for another node's prefix back out of our TUN.
          const dst = buf.readUInt32BE(start + IP_DST)
          if (table.lookup(dst) !== undefined) { drops[Drop.NoRoute]++; continue }
          // Only our own destinations (inside clusterCIDR) or multicast: never the host or beyond.
          const local = (dst >>> 28) === 0xe || ((dst & this.localMask) >>> 0) === this.localNet
          if (!local) { drops[Drop.NotLocal]++; continue }
          peer.counters.packetsIn++
          peer.counters.bytesIn += decap.innerLen
          peer.counters.lastInMs = batchTime
          if ((buf[start + IP_DST] >> 4) === 0xe) {
            if (this.multicast !== undefined) this.multicast.deliverInbound(buf, start, decap.innerLen)
            else drops[Drop.Unsupported]++
            continue
          }
          if (w === INBOUND_SLOTS) { this.writeInbound(w); w = 0 }
          this.tunBufs[w] = buf
          this.tunOffsets[w] = start
          this.tunLengths[w] = decap.innerLen
          w++
        }
      }
      encap.endInbound?.()
      this.multicast?.flushInbound()
      if (w > 0) this.writeInbound(w)
      if (n < MAX_BATCH) {
        // A lone small packet: the kernel's answer may already wait in the TUN. Reading it now
        // saves a wake-up of the loop; the probe's empty read costs a syscall, hence the
        // once-per-millisecond bound: a flood of lone packets (or ACKs) pays for it at most
        // 1 000 times a second and keeps its batching (the unconditional probe cost 15-20 % of
        // TCP throughput, bench/README.md "Latency").
        if (w === 1 && round === 0 && this.tunLengths[0] <= ANSWER_PROBE_BYTES && batchTime !== this.lastProbeMs) {
          this.lastProbeMs = batchTime
          stats.answerProbes++
          this.runOutbound()
        }
        return
      }
    }
  }

  /** Reads behind the poll's buffers, which came full. */
  private readRest (): number {
    return this.device.readBatch(this.outBufsRest, this.outSizesRest, HEADROOM - this.vnetLen)
  }

  private receive (gro: boolean): number {
    return gro
      ? this.transport.recvBatch(this.inBufs, this.inSizes, this.inAddrs, this.inPorts, this.inSegments)
      : this.transport.recvBatch(this.inBufs, this.inSizes, this.inAddrs, this.inPorts)
  }

  /** Receives behind the poll's buffers, which came full. */
  private receiveRest (gro: boolean): number {
    return gro
      ? this.transport.recvBatch(this.inBufsRest, this.inSizesRest, this.inAddrsRest, this.inPortsRest,
        this.inSegmentsRest)
      : this.transport.recvBatch(this.inBufsRest, this.inSizesRest, this.inAddrsRest, this.inPortsRest)
  }

  /** Writes inner packets 0..w-1 to the TUN: as they are, or coalesced behind virtio headers. */
  private writeInbound (w: number): void {
    const stats = this.stats
    if (this.vnetLen === 0) {
      const written = this.device.writeBatch(this.tunBufs, this.tunOffsets, this.tunLengths, w)
      stats.tunWriteBatches[written < MAX_BATCH ? written : MAX_BATCH]++
      if (written < w) stats.dropsInbound[Drop.TunFull] += w - written
      return
    }
    const counters = this.groCounters
    counters[0] = 0
    counters[1] = 0
    const out = this.groOut
    const count = this.offload!.coalesceTun(this.tunBufs, this.tunOffsets, this.tunLengths, w, this.groArena,
      GRO_SLOT_BYTES, out, counters, this.tunMtu, this.usoFlags)
    stats.dropsInbound[Drop.Malformed] += counters[0]
    stats.coalescedIn += counters[1]
    for (let k = 0; k < count; k++) {
      const src = out[3 * k]
      this.writeBufs[k] = src >= 0 ? this.tunBufs[src] : this.groArena
      this.writeOffsets[k] = out[3 * k + 1]
      this.writeLengths[k] = out[3 * k + 2]
    }
    const written = count > 0 ? this.device.writeBatch(this.writeBufs, this.writeOffsets, this.writeLengths, count) : 0
    stats.tunWriteBatches[written < MAX_BATCH ? written : MAX_BATCH]++
    if (written < count) stats.dropsInbound[Drop.TunFull] += count - written
  }

  /** The side channel of an encapsulation that originates datagrams (handshakes, keepalives). Rare. */
  private sendOne (buf: Buffer, off: number, len: number, addr: number, port: number): boolean {
    this.replyBuf[0] = buf
    this.replyOffsets[0] = off
    this.replyLengths[0] = len
    this.replyAddrs[0] = addr
    this.replyPorts[0] = port
    const ok = this.transport.sendBatch(this.replyBuf, this.replyOffsets, this.replyLengths, this.replyAddrs,
      this.replyPorts, 1) === 1
    if (!ok) this.stats.dropsOutbound[Drop.SocketError]++
    return ok
  }

  /** Sends a reply the encapsulation built in place (e.g. a VXLAN ARP answer). Rare; not batched. */
  private sendReply (buf: Buffer, i: number): void {
    this.replyBuf[0] = buf
    this.replyOffsets[0] = this.decap.replyStart
    this.replyLengths[0] = this.decap.replyLen
    this.replyAddrs[0] = this.inAddrs[i]
    this.replyPorts[0] = this.inPorts[i]
    if (this.transport.sendBatch(this.replyBuf, this.replyOffsets, this.replyLengths, this.replyAddrs,
      this.replyPorts, 1) !== 1) {
      this.stats.dropsInbound[Drop.SocketError]++
    }
  }
}
