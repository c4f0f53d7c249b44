/**
 * The hot path: moves packets between the TUN device and the UDP socket.
 *
 * Outbound flow (TUN -> wire), one wake-up of the TUN fd:
 *   1. readBatch: up to MAX_BATCH IP packets, each read at HEADROOM so the outer header can be
 *      written in place in front of it (no copy);
 *   2. per packet: IPv4 check, longest-prefix lookup of the destination -> owning peer, MTU check
 *      (an oversized DF packet gets an ICMP "fragmentation needed" written back into the TUN),
 *      encapsulate (writes the header into the headroom);
 *   3. send: runs of equal-size datagrams to one peer (bulk TCP) as one UDP GSO send each, the
 *      rest in one sendmmsg; a peer's packets keep their order.
 * Inbound flow (wire -> TUN), one wake-up of the UDP fd:
 *   1. recvBatch: up to MAX_BATCH datagrams (recvmmsg);
 *   2. per datagram: decapsulate (identifies and authenticates the sending peer), check that the
 *      inner source belongs to that peer's prefixes and the inner destination is not a remote
 *      prefix (no reflection through us);
 *   3. writeBatch: the inner packets into the TUN in one crossing; multicast (224.0.0.0/4) goes
 *      to the multicast path's local delivery instead (multicast-forwarder.ts), never the TUN.
 * Nothing here reorders packets within a batch; batches are handled in arrival order.
 *
 * Rules: plain synchronous code; no allocation, promise, closure, throw or log per packet. A bad
 * packet is counted in DataplaneStats by reason and skipped. The route table is swapped whole by
 * `setRoutes` (control builds a new one; the forwarder never mutates it).
 */
import { writeFragmentationNeeded } from './icmp'
import { RouteTable } from './route-table'
import {
  DataplaneStats, DatagramTransport, Decapsulated, Device, Drop, Encapsulation, MAX_BATCH,
  PeerRoute,
} from './types'

/** Bytes left free before each packet read from the TUN: room for the largest outer header. */
export const HEADROOM = 64
/** Capacity of each packet buffer: any IPv4 datagram fits, plus headroom. */
const BUFFER_BYTES = HEADROOM + 65536
/** Batches handled per wake-up before yielding to the event loop (the fd stays readable). */
const ROUNDS_PER_WAKEUP = 16
/** Shortest run of equal-size datagrams to one peer worth a segmented (GSO) send. */
const MIN_SEGMENTED_RUN = 2
/** Segments per GSO send (the kernel's UDP_MAX_SEGMENTS is 64 on older kernels). */
const MAX_SEGMENTS = 64
/** Largest UDP payload one send may carry. */
const MAX_SEGMENTED_BYTES = 65507
/** IPv4 header offsets (RFC 791). */
const IP_FLAGS = 6
const IP_SRC = 12
const IP_DST = 16
const IP_DF = 0x40

export interface ForwarderComponents {
  device: Device
  transport: DatagramTransport
  encapsulation: Encapsulation
  stats: DataplaneStats
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
}

/** Datagrams ready to send, as parallel arrays the native binding takes; allocated once. */
class DatagramBatch {
  readonly bufs: Buffer[] = new Array<Buffer>(MAX_BATCH)
  readonly peers: PeerRoute[] = new Array<PeerRoute>(MAX_BATCH)
  readonly offsets = new Int32Array(MAX_BATCH)
  readonly lengths = new Int32Array(MAX_BATCH)
  readonly addrs = new Uint32Array(MAX_BATCH)
  readonly ports = new Uint16Array(MAX_BATCH)

  /** Copies datagram `from` of another batch into slot `to` of this one. */
  copyFrom (other: DatagramBatch, from: number, to: number): void {
    this.bufs[to] = other.bufs[from]
    this.peers[to] = other.peers[from]
    this.offsets[to] = other.offsets[from]
    this.lengths[to] = other.lengths[from]
    this.addrs[to] = other.addrs[from]
    this.ports[to] = other.ports[from]
  }
}

export class Forwarder {
  private readonly device: Device
  private readonly transport: DatagramTransport
  private readonly encap: Encapsulation
  private readonly stats: DataplaneStats
  private overlayAddressU32: number
  private table: RouteTable
  private running = false
  private multicast: MulticastSink | undefined

  // Outbound state, allocated once.
  private readonly outBufs: Buffer[] = []
  private readonly outSizes = new Int32Array(MAX_BATCH)
  /** The encapsulated datagrams of one TUN read, in order. */
  private readonly datagrams = new DatagramBatch()
  /** Those of them that do not go in a segmented run, compacted for one sendmmsg. */
  private readonly singles = new DatagramBatch()
  /** UDP GSO in use; turned off for good the first time the kernel refuses it. */
  private segmentation = true
  private readonly icmpBufs: Buffer[] = []
  private readonly icmpOffsets = new Int32Array(MAX_BATCH)
  private readonly icmpLengths = new Int32Array(MAX_BATCH)

  // Inbound state, allocated once.
  private readonly inBufs: Buffer[] = []
  private readonly inSizes = new Int32Array(MAX_BATCH)
  private readonly inAddrs = new Uint32Array(MAX_BATCH)
  private readonly inPorts = new Uint16Array(MAX_BATCH)
  private readonly tunBufs: Buffer[] = new Array<Buffer>(MAX_BATCH)
  private readonly tunOffsets = new Int32Array(MAX_BATCH)
  private readonly tunLengths = new Int32Array(MAX_BATCH)
  private readonly decap: Decapsulated = { innerStart: 0, innerLen: 0, peer: undefined, replyStart: 0, replyLen: 0 }
  private readonly replyBuf: Buffer[] = [Buffer.alloc(0)]
  private readonly replyOffsets = new Int32Array(1)
  private readonly replyLengths = new Int32Array(1)
  private readonly replyAddrs = new Uint32Array(1)
  private readonly replyPorts = new Uint16Array(1)

  constructor (components: ForwarderComponents, init: ForwarderInit) {
    this.device = components.device
    this.transport = components.transport
    this.encap = components.encapsulation
    this.stats = components.stats
    this.overlayAddressU32 = init.overlayAddressU32
    this.table = init.routes
    if (this.encap.headerLen > HEADROOM) {
      throw new Error(`encapsulation ${this.encap.kind} needs ${this.encap.headerLen} bytes of headroom, more than ${HEADROOM}`)
    }
    for (let i = 0; i < MAX_BATCH; i++) {
      this.outBufs.push(Buffer.allocUnsafe(BUFFER_BYTES))
      this.inBufs.push(Buffer.allocUnsafe(BUFFER_BYTES))
      this.icmpBufs.push(Buffer.allocUnsafe(576))
    }
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
    const d = this.datagrams
    for (let i = 0; i < count; i++) {
      const peer = peers[i]
      const start = this.encap.encapsulate(bufs[i], HEADROOM, innerLens[i], peer)
      d.bufs[i] = bufs[i]
      d.peers[i] = peer
      d.offsets[i] = start
      d.lengths[i] = HEADROOM + innerLens[i] - start
      d.addrs[i] = peer.addressU32
      d.ports[i] = peer.port
    }
    if (count > 0) this.sendOutbound(count)
    return count - (this.stats.dropsOutbound[Drop.SocketError] - before)
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.device.onReadable(() => { this.runOutbound() })
    this.transport.onReadable(() => { this.runInbound() })
  }

  stop (): void {
    this.running = false
  }

  /** Drains the TUN device: read, route, encapsulate, send. */
  runOutbound (): void {
    const stats = this.stats
    const drops = stats.dropsOutbound
    const encap = this.encap
    for (let round = 0; round < ROUNDS_PER_WAKEUP && this.running; round++) {
      const n = this.device.readBatch(this.outBufs, this.outSizes, HEADROOM)
      stats.tunReadBatches[n]++
      if (n === 0) return
      const table = this.table
      let tx = 0
      let icmp = 0
      for (let i = 0; i < n; i++) {
        const buf = this.outBufs[i]
        const len = this.outSizes[i]
        if (len < 20) { drops[Drop.Malformed]++; continue }
        if ((buf[HEADROOM] >> 4) !== 4) { drops[Drop.Unsupported]++; continue }
        const peer = table.lookup(buf.readUInt32BE(HEADROOM + IP_DST))
        if (peer === undefined) { drops[Drop.NoRoute]++; continue }
        if (len > peer.mtu) {
          drops[Drop.Mtu]++
          if ((buf[HEADROOM + IP_FLAGS] & IP_DF) !== 0) {
            const icmpLen = writeFragmentationNeeded(buf, HEADROOM, len, this.icmpBufs[icmp], 0,
              peer.mtu, this.overlayAddressU32)
            if (icmpLen > 0) {
              this.icmpOffsets[icmp] = 0
              this.icmpLengths[icmp] = icmpLen
              icmp++
            }
          }
          continue
        }
        const start = encap.encapsulate(buf, HEADROOM, len, peer)
        this.datagrams.bufs[tx] = buf
        this.datagrams.peers[tx] = peer
        this.datagrams.offsets[tx] = start
        this.datagrams.lengths[tx] = HEADROOM + len - start
        this.datagrams.addrs[tx] = peer.addressU32
        this.datagrams.ports[tx] = peer.port
        tx++
      }
      if (tx > 0) this.sendOutbound(tx)
      if (icmp > 0) {
        const written = this.device.writeBatch(this.icmpBufs, this.icmpOffsets, this.icmpLengths, icmp)
        stats.icmpFragNeededSent += written
      }
      if (n < MAX_BATCH) return
    }
  }

  /**
   * Sends datagrams 0..tx-1 of `datagrams`, in order per peer. A run of at least
   * MIN_SEGMENTED_RUN equal-size datagrams to one peer (the last may be shorter) — what a bulk TCP
   * flow produces — leaves in one UDP GSO send; everything else in one sendmmsg. Pending singles
   * are flushed before each run, so a peer's packets never overtake each other.
   */
  private sendOutbound (tx: number): void {
    const send = this.transport.sendSegmented
    let singles = 0
    let i = 0
    while (i < tx) {
      const run = this.segmentation && send !== undefined ? this.runLength(i, tx) : 1
      if (run < MIN_SEGMENTED_RUN) {
        this.singles.copyFrom(this.datagrams, i, singles++)
        i++
        continue
      }
      if (singles > 0) { this.flushSingles(singles); singles = 0 }
      const d = this.datagrams
      const r = send!.call(this.transport, d.bufs, d.offsets, d.lengths, i, run, d.lengths[i], d.addrs[i], d.ports[i])
      if (r < 0) {
        // The kernel or the device cannot segment: batch everything from now on.
        this.segmentation = false
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
    let total = size
    let j = i + 1
    while (j < tx && j - i < MAX_SEGMENTS && this.datagrams.addrs[j] === addr && this.datagrams.ports[j] === port &&
      total + this.datagrams.lengths[j] <= MAX_SEGMENTED_BYTES) {
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
    const sent = this.transport.sendBatch(b.bufs, b.offsets, b.lengths, b.addrs, b.ports, count)
    this.stats.udpSendBatches[sent]++
    this.countSent(b, 0, sent)
    if (sent < count) this.stats.dropsOutbound[Drop.SocketError] += count - sent
  }

  /** Per-peer counters for datagrams [start, start+count) that left (inner bytes). */
  private countSent (batch: DatagramBatch, start: number, count: number): void {
    const headerLen = this.encap.headerLen
    for (let k = start; k < start + count; k++) {
      const c = batch.peers[k].counters
      c.packetsOut++
      c.bytesOut += batch.lengths[k] - headerLen
    }
  }

  /** Drains the UDP socket: receive, decapsulate, check, write to the TUN. */
  runInbound (): void {
    const stats = this.stats
    const drops = stats.dropsInbound
    const encap = this.encap
    const decap = this.decap
    for (let round = 0; round < ROUNDS_PER_WAKEUP && this.running; round++) {
      const n = this.transport.recvBatch(this.inBufs, this.inSizes, this.inAddrs, this.inPorts)
      stats.udpRecvBatches[n]++
      if (n === 0) return
      const table = this.table
      const batchTime = Date.now()
      let w = 0
      for (let i = 0; i < n; i++) {
        const buf = this.inBufs[i]
        const size = this.inSizes[i]
        if (size < 0) { drops[Drop.Malformed]++; continue }
        decap.replyLen = 0
        const verdict = encap.decapsulate(buf, size, this.inAddrs[i], table, decap)
        if (verdict !== Drop.None) { drops[verdict]++; continue }
        if (decap.replyLen > 0) { this.sendReply(buf, i); continue }
        const peer = decap.peer as PeerRoute
        const start = decap.innerStart
        // Cryptokey-routing style source check: a peer may only send from its own prefixes.
        if (table.lookup(buf.readUInt32BE(start + IP_SRC)) !== peer) { drops[Drop.Auth]++; continue }
        // Never reflect traffic for another node's prefix back out of our TUN.
        if (table.lookup(buf.readUInt32BE(start + IP_DST)) !== undefined) { drops[Drop.NoRoute]++; continue }
        peer.counters.packetsIn++
        peer.counters.bytesIn += decap.innerLen
        peer.counters.lastInMs = batchTime
        if ((buf[start + IP_DST] >> 4) === 0xe) {
          if (this.multicast !== undefined) this.multicast.deliverInbound(buf, start, decap.innerLen)
          else drops[Drop.Unsupported]++
          continue
        }
        this.tunBufs[w] = buf
        this.tunOffsets[w] = start
        this.tunLengths[w] = decap.innerLen
        w++
      }
      this.multicast?.flushInbound()
      if (w > 0) {
        const written = this.device.writeBatch(this.tunBufs, this.tunOffsets, this.tunLengths, w)
        stats.tunWriteBatches[written]++
        if (written < w) drops[Drop.TunFull] += w - written
      }
      if (n < MAX_BATCH) return
    }
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
