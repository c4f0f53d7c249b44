/**
 * The data path's UDP socket, implementing `DatagramTransport` from types.ts over the native
 * binding: sendmmsg/recvmmsg batches of up to 128 datagrams per syscall, non-blocking, with
 * IP_PMTUDISC_DO so outer packets are never fragmented (the MTU logic upstream must keep
 * datagrams within the path MTU; a larger one fails with EMSGSIZE and counts as a drop).
 *
 * Failure handling: opening/binding throws SocketError (ERR_SOCKET). On the hot path a full
 * queue, ENOBUFS or an unreachable peer only shortens sendBatch's count (the caller counts the
 * rest as socket_error drops); only a broken fd throws. A truncated received datagram gets size
 * -1 (count it as malformed). After close() every method except close() throws
 * TransportClosedError (ERR_TRANSPORT_CLOSED).
 */
import { SocketError, TransportClosedError } from './errors'
import { loadNativeBinding } from './native-binding'
import type { NativeBinding, RecvPrefetch } from './native-binding'
import { isSyscallError, PolledFd } from './polled-fd'
import type { DatagramTransport } from './types'

export interface UdpTransportInit {
  /** Local IPv4 address to bind, dotted ('0.0.0.0' for all). */
  address: string
  /** Local UDP port; 0 lets the kernel choose (read it back from `port`). */
  port: number
  /** SO_RCVBUF(FORCE) in bytes; 0 or absent keeps the system default. */
  recvBufferBytes?: number
  /** SO_SNDBUF(FORCE) in bytes; 0 or absent keeps the system default. */
  sendBufferBytes?: number
  /** Ask for UDP GRO (trains of datagrams glued together on receive; see `gro`). */
  gro?: boolean
  /**
   * Send-only sockets on kernel-chosen ephemeral ports of the same address, besides the bound
   * one, for per-flow source ports (vxlan); 0 or absent: every datagram leaves from `port`. At
   * most 64.
   */
  extraSourcePorts?: number
}

export class UdpTransport implements DatagramTransport {
  readonly address: string
  /** The bound port (the kernel's choice when opened with port 0). */
  readonly port: number
  /** UDP GRO is on: recvBatch must be given segmentSizes. */
  readonly gro: boolean
  /** 1 + extraSourcePorts: the ports datagrams can leave from (sourcePortNumbers). */
  readonly sourcePorts: number
  private readonly io: PolledFd
  /** fds by source slot: [the bound socket, the send-only ones...]. */
  private readonly sourceFds: Int32Array
  readonly sourcePortNumbers: readonly number[]
  private readonly native: NativeBinding

  private constructor (native: NativeBinding, fd: number, address: string, port: number, gro: boolean,
    extra: Array<{ fd: number, port: number }>) {
    this.native = native
    this.io = new PolledFd(native, fd)
    this.address = address
    this.port = port
    this.gro = gro
    this.sourcePorts = 1 + extra.length
    this.sourceFds = Int32Array.from([fd, ...extra.map((e) => e.fd)])
    this.sourcePortNumbers = [port, ...extra.map((e) => e.port)]
  }

  static open (init: UdpTransportInit): UdpTransport {
    const native = loadNativeBinding()
    let opened: { fd: number, port: number, gro: boolean }
    try {
      opened = native.udpOpen(init.address, init.port, init.recvBufferBytes ?? 0,
        init.sendBufferBytes ?? 0, init.gro === true)
    } catch (err) {
      throw new SocketError(init.address, init.port, 'open', err)
    }
    const extraCount = init.extraSourcePorts ?? 0
    if (!Number.isInteger(extraCount) || extraCount < 0 || extraCount > 64) {
      native.close(opened.fd)
      throw new RangeError(`extraSourcePorts must be an integer 0..64, got ${String(extraCount)}`)
    }
    const extra: Array<{ fd: number, port: number }> = []
    try {
      for (let i = 0; i < extraCount; i++) extra.push(native.udpOpen(init.address, 0, 0, init.sendBufferBytes ?? 0))
    } catch (err) {
      for (const e of [opened, ...extra]) native.close(e.fd)
      throw new SocketError(init.address, 0, 'open', err)
    }
    return new UdpTransport(native, opened.fd, init.address, opened.port, opened.gro, extra)
  }

  /** The socket's file descriptor, for diagnostics; -1 once closed. */
  get fileDescriptor (): number {
    return this.io.fd
  }

  recvBatch (bufs: Buffer[], sizes: Int32Array, addrs: Uint32Array, ports: Uint16Array,
    segmentSizes?: Int32Array): number {
    const fd = this.io.fd
    if (fd < 0) throw new TransportClosedError(this.address, this.port)
    try {
      return this.native.recvBatch(fd, bufs, sizes, addrs, ports, segmentSizes)
    } catch (err) {
      throw isSyscallError(err) ? new SocketError(this.address, this.port, 'receive', err) : err
    }
  }

  sendBatch (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, addrs: Uint32Array,
    ports: Uint16Array, count: number, sources?: Uint8Array): number {
    const fd = this.io.fd
    if (fd < 0) throw new TransportClosedError(this.address, this.port)
    try {
      if (sources !== undefined && this.sourcePorts > 1) {
        return this.native.sendBatch(fd, bufs, offsets, lengths, addrs, ports, count, this.sourceFds, sources)
      }
      return this.native.sendBatch(fd, bufs, offsets, lengths, addrs, ports, count)
    } catch (err) {
      throw isSyscallError(err) ? new SocketError(this.address, this.port, 'send', err) : err
    }
  }

  sendSegmented (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, start: number, count: number,
    segmentSize: number, addr: number, port: number, source = 0): number {
    if (this.io.fd < 0) throw new TransportClosedError(this.address, this.port)
    const fd = source > 0 && source < this.sourcePorts ? this.sourceFds[source] : this.io.fd
    try {
      return this.native.sendSegmented(fd, bufs, offsets, lengths, start, count, segmentSize, addr, port)
    } catch (err) {
      throw isSyscallError(err) ? new SocketError(this.address, this.port, 'send', err) : err
    }
  }

  /** As TunDevice.onReadable: level-triggered, a second call replaces the handler. */
  onReadable (handler: (ready?: number) => void, prefetch?: RecvPrefetch): void {
    if (this.io.fd < 0) throw new TransportClosedError(this.address, this.port)
    this.io.onReadable(handler, prefetch)
  }

  /** Stops polling and closes the socket. Idempotent. */
  close (): void {
    if (!this.io.close()) return
    for (let i = 1; i < this.sourceFds.length; i++) this.native.close(this.sourceFds[i])
  }
}
