/**
 * The multicast hot path: captured on pod veths, replicated to member veths and member nodes.
 *
 * Outbound flow (a pod sends to a group), one wake-up of the AF_PACKET socket:
 *   1. recvBatch: up to MAX_FRAMES frames the kernel filter kept (IPv4 to 224.0.0.0/4, not sent
 *      by this host), with the ingress ifindex and the partial-checksum flag;
 *   2. per frame: the ingress must be a known pod veth (else ignored: not ours), the IPv4 header
 *      must be sane and its source must be that pod's own address (else `auth`: a pod cannot
 *      speak for another); IGMP goes to the snooping callback, never forwarded;
 *   3. a partial UDP/TCP checksum is completed (veth leaves CHECKSUM_PARTIAL; without this every
 *      receiving kernel drops the copy);
 *   4. local: the frame is copied once per member veth other than the ingress, with source MAC =
 *      that veth's and destination MAC = the group's 01:00:5e mapping; sent in one sendmmsg;
 *   5. remote: the IP packet is copied once per member node (flood mode: every peer) and handed to
 *      the unicast Forwarder, which encapsulates (and encrypts) and sends it like any packet.
 * Inbound flow (from the wire; the Forwarder already authenticated the sending node and checked
 * that the inner source is one of that node's pods): copied to every local member veth, never
 * written to the TUN and never relayed to another node (split horizon: the sender did the
 * fan-out). No member here: dropped and counted.
 * The TTL is never touched: a TTL-1 sender works, as on an L2 network. Frames keep their order
 * per ingress veth; copies to different veths may interleave.
 *
 * Rules as in forwarder.ts: synchronous, no allocation/promise/throw/log per packet; slots are
 * preallocated and reused; a bad frame is counted by result and skipped.
 */
import { internetChecksum } from './ipv4'
import { writeGroupMAC, IP_PROTO_IGMP } from './igmp'
import { ETH_HEADER_LEN } from './multicast-filter'
import { MulticastTable, type PodPort } from './multicast-table'
import type { PeerRoute } from './types'
import { HEADROOM } from './forwarder'
import { FRAME_CSUM_NOT_READY } from './packet-socket'

/** The socket as the hot path needs it (PacketSocket; a memory pair in tests). */
export interface FramePort {
  recvBatch(bufs: Buffer[], sizes: Int32Array, ifindexes: Int32Array, flags: Uint8Array): number
  sendBatch(bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, ifindexes: Int32Array, count: number): number
  onReadable(handler: () => void): void
}

/** Sends copies of IP packets to member nodes: the unicast Forwarder's `sendCopies`. */
export type RemoteSender = (bufs: Buffer[], innerLens: Int32Array, peers: PeerRoute[], count: number) => number

/** Results counted per direction (loom_multicast_packets_total{direction,result}). */
export const MCAST_RESULTS = ['delivered', 'sent', 'no_member', 'auth', 'malformed', 'mtu', 'send_error',
  'igmp'] as const
export type MulticastResult = (typeof MCAST_RESULTS)[number]
export const enum Mres {
  Delivered = 0, Sent = 1, NoMember = 2, Auth = 3, Malformed = 4, Mtu = 5, SendError = 6, Igmp = 7
}

export interface MulticastStats {
  /** Frames captured from local pods, by result (delivered = copies on local veths, sent = copies to nodes). */
  readonly outbound: Float64Array
  /** Packets from other nodes, by result (delivered = copies on local veths). */
  readonly inbound: Float64Array
  /** Frames from interfaces that are not pod veths (ignored). */
  foreign: number
}

export function createMulticastStats (): MulticastStats {
  return {
    outbound: new Float64Array(MCAST_RESULTS.length), inbound: new Float64Array(MCAST_RESULTS.length), foreign: 0
  }
}

export interface MulticastForwarderComponents {
  port: FramePort
  sendRemote: RemoteSender
  stats: MulticastStats
  /** An IGMP message from a pod: ip payload at buf[off, off + len). Called synchronously; copy what you keep. */
  onIgmp: (port: PodPort, buf: Buffer, off: number, len: number) => void
}

const MAX_FRAMES = 64
const SLOT_BYTES = HEADROOM + ETH_HEADER_LEN + 65536
const IP_SRC = 12
const IP_DST = 16

export class MulticastForwarder {
  private table = MulticastTable.empty()
  private ports = new Map<number, PodPort>()
  private running = false
  private readonly c: MulticastForwarderComponents
  private readonly stats: MulticastStats

  private readonly inBufs: Buffer[] = []
  private readonly inSizes = new Int32Array(MAX_FRAMES)
  private readonly inIfindexes = new Int32Array(MAX_FRAMES)
  private readonly inFlags = new Uint8Array(MAX_FRAMES)
  // local copies (whole frames)
  private readonly lBufs: Buffer[] = []
  private readonly lOffsets = new Int32Array(MAX_FRAMES)
  private readonly lLengths = new Int32Array(MAX_FRAMES)
  private readonly lIfindexes = new Int32Array(MAX_FRAMES)
  private lCount = 0
  private lDirection: Float64Array
  // remote copies (IP packets at HEADROOM)
  private readonly rBufs: Buffer[] = []
  private readonly rLens = new Int32Array(MAX_FRAMES)
  private readonly rPeers: PeerRoute[] = new Array<PeerRoute>(MAX_FRAMES)
  private rCount = 0

  constructor (components: MulticastForwarderComponents) {
    this.c = components
    this.stats = components.stats
    this.lDirection = this.stats.outbound
    for (let i = 0; i < MAX_FRAMES; i++) {
      this.inBufs.push(Buffer.allocUnsafe(ETH_HEADER_LEN + 65536))
      this.lBufs.push(Buffer.allocUnsafe(ETH_HEADER_LEN + 65536))
      this.rBufs.push(Buffer.allocUnsafe(SLOT_BYTES))
    }
  }

  setTable (table: MulticastTable): void { this.table = table }
  currentTable (): MulticastTable { return this.table }
  /** The known pod veths by ifindex (replaced whole). */
  setPorts (ports: Map<number, PodPort>): void { this.ports = ports }

  start (): void {
    if (this.running) return
    this.running = true
    this.c.port.onReadable(() => { this.runCapture() })
  }

  stop (): void { this.running = false }

  /** Drains the capture socket. */
  runCapture (): void {
    const out = this.stats.outbound
    for (let round = 0; round < 16 && this.running; round++) {
      const n = this.c.port.recvBatch(this.inBufs, this.inSizes, this.inIfindexes, this.inFlags)
      if (n === 0) break
      for (let i = 0; i < n; i++) this.handleCaptured(i, out)
      this.flushLocal()
      this.flushRemote()
      if (n < MAX_FRAMES) break
    }
  }

  private handleCaptured (i: number, out: Float64Array): void {
    const size = this.inSizes[i]
    const port = this.ports.get(this.inIfindexes[i])
    if (port === undefined) { this.stats.foreign++; return }
    const buf = this.inBufs[i]
    const ip = ETH_HEADER_LEN
    if (size < ip + 20) { out[Mres.Malformed]++; return }
    const ihl = (buf[ip] & 0x0f) * 4
    const total = buf.readUInt16BE(ip + 2)
    if ((buf[ip] >> 4) !== 4 || ihl < 20 || total < ihl || ip + total > size) { out[Mres.Malformed]++; return }
    if (buf.readUInt32BE(ip + IP_SRC) !== port.addressU32) { out[Mres.Auth]++; return }
    const proto = buf[ip + 9]
    if (proto === IP_PROTO_IGMP) {
      out[Mres.Igmp]++
      this.c.onIgmp(port, buf, ip + ihl, total - ihl)
      return
    }
    if ((this.inFlags[i] & FRAME_CSUM_NOT_READY) !== 0 && !completeChecksum(buf, ip, ihl, total)) {
      out[Mres.Malformed]++; return
    }
    const group = buf.readUInt32BE(ip + IP_DST)
    const route = this.table.lookup(group)
    const remote = route !== undefined ? route.remote : this.table.floodPeers
    let copies = 0
    if (route !== undefined) {
      this.lDirection = out
      const local = route.local
      for (let k = 0; k < local.length; k++) {
        if (local[k].ifindex === port.ifindex) continue
        this.queueLocal(buf, ip, total, local[k], group)
        copies++
      }
    }
    if (remote !== undefined) {
      for (let k = 0; k < remote.length; k++) {
        if (total > remote[k].mtu) { out[Mres.Mtu]++; continue }
        this.queueRemote(buf, ip, total, remote[k])
        copies++
      }
    }
    if (copies === 0) out[Mres.NoMember]++
  }

  /**
   * A multicast packet from another node (inner IP at buf[start, start + len)), already
   * authenticated by the Forwarder. Delivered to local members only; call flushInbound() after
   * the batch.
   */
  deliverInbound (buf: Buffer, start: number, len: number): void {
    const inb = this.stats.inbound
    if (len < 20 || buf[start + 9] === IP_PROTO_IGMP) { inb[Mres.Malformed]++; return }
    const group = buf.readUInt32BE(start + IP_DST)
    const route = this.table.lookup(group)
    if (route === undefined || route.local.length === 0) { inb[Mres.NoMember]++; return }
    if (this.lCount > 0 && this.lDirection !== inb) this.flushLocal()
    this.lDirection = inb
    const local = route.local
    for (let k = 0; k < local.length; k++) this.queueLocal(buf, start, len, local[k], group)
  }

  flushInbound (): void {
    if (this.lCount > 0) this.flushLocal()
  }

  private queueLocal (src: Buffer, ipStart: number, ipLen: number, member: PodPort, group: number): void {
    if (this.lCount === MAX_FRAMES) this.flushLocal()
    const k = this.lCount++
    const f = this.lBufs[k]
    writeGroupMAC(f, 0, group)
    member.mac.copy(f, 6, 0, 6)
    f[12] = 0x08
    f[13] = 0x00
    src.copy(f, ETH_HEADER_LEN, ipStart, ipStart + ipLen)
    this.lOffsets[k] = 0
    this.lLengths[k] = ETH_HEADER_LEN + ipLen
    this.lIfindexes[k] = member.ifindex
  }

  private flushLocal (): void {
    const count = this.lCount
    if (count === 0) return
    this.lCount = 0
    const sent = this.c.port.sendBatch(this.lBufs, this.lOffsets, this.lLengths, this.lIfindexes, count)
    this.lDirection[Mres.Delivered] += sent
    if (sent < count) this.lDirection[Mres.SendError] += count - sent
  }

  private queueRemote (src: Buffer, ipStart: number, ipLen: number, peer: PeerRoute): void {
    if (this.rCount === MAX_FRAMES) this.flushRemote()
    const k = this.rCount++
    src.copy(this.rBufs[k], HEADROOM, ipStart, ipStart + ipLen)
    this.rLens[k] = ipLen
    this.rPeers[k] = peer
  }

  private flushRemote (): void {
    const count = this.rCount
    if (count === 0) return
    this.rCount = 0
    const sent = this.c.sendRemote(this.rBufs, this.rLens, this.rPeers, count)
    this.stats.outbound[Mres.Sent] += sent
    if (sent < count) this.stats.outbound[Mres.SendError] += count - sent
  }
}

/**
 * Completes the UDP or TCP checksum of the IPv4 packet at buf[ip, ip + total) in place (the
 * kernel left only the pseudo-header sum in it). False for a fragment or a truncated header.
 */
export function completeChecksum (buf: Buffer, ip: number, ihl: number, total: number): boolean {
  const proto = buf[ip + 9]
  if ((buf.readUInt16BE(ip + 6) & 0x3fff) !== 0) return false
  const l4 = ip + ihl
  const l4len = total - ihl
  let field: number
  if (proto === 17) {
    if (l4len < 8) return false; field = l4 + 6
  } else if (proto === 6) { if (l4len < 20) return false; field = l4 + 16 } else return true
  buf[field] = 0
  buf[field + 1] = 0
  const pseudo = buf.readUInt16BE(ip + 12) + buf.readUInt16BE(ip + 14) + buf.readUInt16BE(ip + 16) +
    buf.readUInt16BE(ip + 18) + proto + l4len
  let sum = internetChecksum(buf, l4, l4len, pseudo)
  if (sum === 0 && proto === 17) sum = 0xffff // RFC 768: 0 means "no checksum"
  buf.writeUInt16BE(sum, field)
  return true
}
