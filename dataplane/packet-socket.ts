/**
 * The AF_PACKET socket of multicast capture and delivery, over the loom_packet addon
 * (dataplane/native/loom_packet.c): one socket on every interface, filtered in the kernel by
 * multicast-filter.ts, with PACKET_AUXDATA so a frame whose transport checksum is still partial
 * (TP_STATUS_CSUMNOTREADY: veth leaves it to "hardware") is flagged and can be completed.
 *
 * Buffers are caller-owned and never copied; batches of up to 128 frames per syscall; EAGAIN and
 * a vanished interface shorten the counts and never throw. Readiness uses the main addon's poll.
 */
import { loadAddon } from '../host/native-addon'
import { loadNativeBinding } from './native-binding'
import { PolledFd } from './polled-fd'
import { encodeBpfProgram, multicastFilterProgram } from './multicast-filter'

/** Bits of the per-frame `flags` (loom_packet.c PKT_FLAG_*). */
export const FRAME_CSUM_NOT_READY = 1
export const FRAME_OUTGOING = 2

/** EtherTypes to bind to (linux/if_ether.h). */
export const ETH_P_IP = 0x0800
export const ETH_P_ALL = 0x0003

interface PacketBinding {
  packetOpen(filter: Buffer, recvBufferBytes: number, protocol: number): number
  packetRecvBatch(fd: number, bufs: Buffer[], sizes: Int32Array, ifindexes: Int32Array, flags: Uint8Array): number
  packetSendBatch(fd: number, bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, ifindexes: Int32Array,
    count: number): number
}

function loadPacketBinding (): PacketBinding {
  return loadAddon<PacketBinding>('dataplane/native/build/Release/loom_packet.node')
}

export class PacketSocket {
  private readonly io: PolledFd
  private readonly packet: PacketBinding

  private constructor (packet: PacketBinding, fd: number) {
    this.packet = packet
    this.io = new PolledFd(loadNativeBinding(), fd)
  }

  /** Opens the filtered capture socket (needs CAP_NET_RAW). */
  static open (recvBufferBytes = 4 << 20): PacketSocket {
    const packet = loadPacketBinding()
    const filter = encodeBpfProgram(multicastFilterProgram())
    return new PacketSocket(packet, packet.packetOpen(filter, recvBufferBytes, ETH_P_IP))
  }

  /**
   * A socket with the caller's filter (encoded classic BPF) bound to `protocol` on every
   * interface: ETH_P_ALL sees every frame a port receives, also bridge ports (the test lab's
   * underlay impairment, test/netns/lib/underlay-impair.ts). Frames sent are never read back.
   */
  static openWith (filter: Buffer, protocol: number, recvBufferBytes = 4 << 20): PacketSocket {
    const packet = loadPacketBinding()
    return new PacketSocket(packet, packet.packetOpen(filter, recvBufferBytes, protocol))
  }

  /**
   * Receives up to bufs.length frames (whole Ethernet frames from offset 0). sizes[i] = -1 for a
   * frame longer than its buffer; ifindexes[i] = the interface it arrived on; flags[i] = FRAME_*.
   */
  recvBatch (bufs: Buffer[], sizes: Int32Array, ifindexes: Int32Array, flags: Uint8Array): number {
    const fd = this.io.fd
    if (fd < 0) return 0
    return this.packet.packetRecvBatch(fd, bufs, sizes, ifindexes, flags)
  }

  /** Sends frame i = bufs[i][offsets[i], +lengths[i]) out of interface ifindexes[i]; returns how many left. */
  sendBatch (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, ifindexes: Int32Array, count: number): number {
    const fd = this.io.fd
    if (fd < 0 || count === 0) return 0
    return this.packet.packetSendBatch(fd, bufs, offsets, lengths, ifindexes, count)
  }

  /** Polls with `handler`; a second call (or one after close) does nothing. */
  onReadable (handler: () => void): void {
    if (this.io.fd < 0 || this.io.polling) return
    this.io.onReadable(handler)
  }

  close (): void {
    this.io.close()
  }
}
