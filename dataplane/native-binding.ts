/**
 * The typed face of the data path's N-API binding in dataplane/native/ (loom_native.c,
 * loom_offload.c). Only syscalls and batch byte loops live there; everything about packets stays
 * in TypeScript. The host's syscalls (setns, sd_notify, the state directory) are another addon:
 * host/native-binding.ts.
 *
 * Loading: the compiled file is `<repo>/dataplane/native/build/Release/loom_native.node`, found
 * and loaded lazily by host/native-addon.ts, so pure modules and unit tests can import the
 * wrappers on a machine where it was never built.
 *
 * Conventions shared by every function:
 * - fds are plain numbers owned by the caller, who must `close` them exactly once;
 * - buffers are caller-owned and never copied; the C side holds no pointer after returning;
 * - a failed syscall throws a SyscallError (`code` = errno name, `errno`, a message naming the
 *   device or socket); bad arguments throw TypeError/RangeError (code ERR_INVALID_ARG_TYPE /
 *   ERR_OUT_OF_RANGE); transient hot-path conditions never throw, they shorten the count;
 * - IPv4 addresses are host-order u32 (10.0.0.1 = 0x0A000001).
 */
import { addonPath, loadAddon } from '../host/native-addon'

export type { SyscallError } from './errors'

/** Opaque handle of an active readiness poll (a libuv uv_poll_t). */
export interface PollHandle { readonly __brand: 'LoomNativePoll' }

/** Most Buffers a poll can read into before it calls into JS (PREFETCH_MAX in loom_native.c). */
export const POLL_PREFETCH_MAX = 8

/** A TUN poll's prefetch: packet i is read at bufs[i][headroom, ...), its length in sizes[i]. */
export interface ReadPrefetch {
  bufs: Buffer[]
  sizes: Int32Array
  headroom: number
}

/** A UDP poll's prefetch: as recvBatch's arguments (segmentSizes on a socket with GRO). */
export interface RecvPrefetch {
  bufs: Buffer[]
  sizes: Int32Array
  addrs: Uint32Array
  ports: Uint16Array
  segmentSizes?: Int32Array
}

export type PollPrefetch = ReadPrefetch | RecvPrefetch

export interface NativeBinding {
  /**
   * Opens /dev/net/tun non-blocking and attaches IFF_TUN|IFF_NO_PI device `name` ('' lets the
   * kernel choose). Returns the fd and the kernel's name for the device. The device disappears
   * when the fd is closed (it is not made persistent). With `offloads`: IFF_VNET_HDR (every read
   * and write carries a 10-byte virtio-net header first, see virtio-net.ts) and TUNSETOFFLOAD
   * with checksum, TSO4/6 and, where the kernel has them, USO4/6; `vnetHeader` says whether the
   * header is on, `offloads` which TUN_F_* flags the kernel accepted.
   */
  openTun(name: string, offloads?: boolean): { fd: number, name: string, vnetHeader: boolean, offloads: number }
  /**
   * Reads packets until the queue is empty or bufs.length were read; packet i goes to
   * bufs[i][headroom, ...) and its length to sizes[i]. Returns the count (0 = nothing pending).
   * Throws only if the first read fails with something other than EAGAIN. A packet longer than
   * the room after headroom is silently cut by the kernel (size = that room): size buffers for
   * headroom + MTU, and let the IP parser reject a total length larger than the size.
   */
  readBatch(fd: number, bufs: Buffer[], headroom: number, sizes: Int32Array): number
  /**
   * Writes packet i = bufs[i][offsets[i], offsets[i] + lengths[i]) for i < count. Stops at
   * EAGAIN/ENOBUFS and returns how many were written; another error throws only if nothing was
   * written yet (otherwise the short count is returned).
   */
  writeBatch(fd: number, bufs: Buffer[], offsets: Int32Array, lengths: Int32Array,
    count: number): number
  /**
   * Opens a non-blocking IPv4 UDP socket bound to address:port (0 = kernel-chosen), without
   * SO_REUSEADDR (no other socket can bind beside it and share its datagrams), with the given
   * socket buffer sizes when > 0 (SO_*BUFFORCE, falling back to the capped SO_*BUF without
   * CAP_NET_ADMIN) and IP_PMTUDISC_DO, so outer packets are never fragmented (an oversized send
   * is refused with EMSGSIZE). With `gro`, UDP_GRO where the kernel has it (`gro` in the result):
   * trains of datagrams may then arrive glued together (see recvBatch). Returns the fd and port.
   */
  udpOpen(address: string, port: number, recvBufferBytes: number,
    sendBufferBytes: number, gro?: boolean): { fd: number, port: number, gro: boolean }
  /**
   * sendmmsg of datagram i = bufs[i][offsets[i], +lengths[i]) to addrs[i]:ports[i], i < count,
   * up to 128 per syscall. Returns how many were sent; stops at the first failure (EAGAIN,
   * ENOBUFS, EMSGSIZE, unreachable, ...) without throwing. Throws only on EBADF-type errors.
   * With sourceFds and sources: datagram i leaves through socket sourceFds[sources[i]] (its own
   * source port); runs of one socket share a sendmmsg and the order is kept.
   */
  sendBatch(fd: number, bufs: Buffer[], offsets: Int32Array, lengths: Int32Array,
    addrs: Uint32Array, ports: Uint16Array, count: number, sourceFds?: Int32Array, sources?: Uint8Array): number
  /**
   * UDP GSO: datagrams start..start+count-1 (all `segmentSize` bytes but the last, which may be
   * shorter; at most 65507 bytes together) to one address in ONE sendmsg with UDP_SEGMENT; the
   * kernel splits them. Returns count, 0 when the socket could not take them now, -1 when the
   * kernel or device cannot segment (stop using it). Throws on programming errors.
   */
  sendSegmented(fd: number, bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, start: number,
    count: number, segmentSize: number, addr: number, port: number): number
  /**
   * recvmmsg (MSG_DONTWAIT) of up to bufs.length datagrams, each into the whole of bufs[i];
   * fills sizes[i] (-1 when the datagram was truncated: count it as malformed), addrs[i] and
   * ports[i] (the sender). Returns the count, 0 when nothing is pending. With segmentSizes (a
   * socket opened with gro): segmentSizes[i] > 0 when message i is several datagrams of that
   * size (the last may be shorter) glued together by UDP GRO, else 0.
   */
  recvBatch(fd: number, bufs: Buffer[], sizes: Int32Array, addrs: Uint32Array,
    ports: Uint16Array, segmentSizes?: Int32Array): number
  /**
   * Calls `callback` from the event loop whenever fd is readable (level-triggered: again on the
   * next loop turn if the handler left data queued). An active poll keeps the process alive.
   * A throwing callback becomes an 'uncaughtException'.
   *
   * With `prefetch`, the poll reads the fd itself before calling into JS, into the 1 to 8
   * Buffers of `prefetch.bufs` (registered here: they and the typed arrays are held, and must
   * not be replaced, while the poll runs), with readBatch's semantics for a ReadPrefetch (a TUN)
   * and recvBatch's for a RecvPrefetch (a UDP socket). The callback then gets `ready`: how many
   * packets lie in bufs[0, ready) with their sizes (and senders); -1 when the read failed (read
   * again through readBatch/recvBatch, which report the error). When nothing was there the
   * callback is not called. Without prefetch it gets no argument.
   */
  pollStart(fd: number, callback: (ready?: number) => void, prefetch?: PollPrefetch): PollHandle
  /** Stops and frees the poll; it no longer keeps the process alive. Idempotent. */
  pollStop(handle: PollHandle): void
  close(fd: number): void
  /**
   * loom_offload.c. Cuts one TSO/USO super-packet src[srcOff, +srcLen) (the IP packet after its
   * virtio header; gsoType, gsoSize, csumStart from that header) into segments: segment k at
   * dst[dstOff + k*stride + headroom, ...), its length in lengths[lengthsStart + k]; headers
   * rebuilt (IPv4 ID + k, lengths, header checksum, TCP seq, FIN/PSH only on the last, UDP
   * length) and L4 checksums complete. Returns the count, or -1 (headers inconsistent with the
   * virtio header), -2 (more than maxSegments), -3 (a segment larger than stride - headroom).
   */
  segmentTun(src: Buffer, srcOff: number, srcLen: number, gsoType: number, gsoSize: number, csumStart: number,
    dst: Buffer, dstOff: number, stride: number, headroom: number, maxSegments: number, lengths: Int32Array,
    lengthsStart: number): number
  /**
   * Completes the partial (NEEDS_CSUM) L4 checksum of packets bufs[i][offsets[i], +lengths[i])
   * whose L4 header starts at csumStarts[i] and checksum field at + csumOffsets[i], i < count.
   * Returns how many were completed (a packet whose positions do not fit is skipped).
   */
  completeChecksums(bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, csumStarts: Int32Array,
    csumOffsets: Int32Array, count: number): number
  /**
   * GRO for the TUN: packet i = bufs[i][offsets[i], +lengths[i]) (10 free bytes before it).
   * In-order segments of one TCP flow, and consecutive datagrams of one UDP flow of a family whose
   * TUN_F_USO4/TUN_F_USO6 bit is in usoFlags (default 0: no UDP merging), are merged into
   * super-packets in arena slots of slotSize bytes; every TCP/UDP checksum is verified (a wrong
   * one drops the packet: counters[0]++; a pseudo-header-only one is passed on as NEEDS_CSUM);
   * merged packets count in counters[1].
   * Output k: out[3k] = i (in place) or -1-slot (arena), out[3k+1] offset, out[3k+2] length,
   * virtio header included. A TCP packet longer than maxPacket (the TUN MTU; a same-host kernel
   * VXLAN peer's whole GSO skb) is passed on as a GSO packet cut at maxPacket. Returns the output
   * count.
   */
  coalesceTun(bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, count: number, arena: Buffer,
    slotSize: number, out: Int32Array, counters: Int32Array, maxPacket: number, usoFlags?: number): number
}

const BINDING_RELATIVE_PATH = 'dataplane/native/build/Release/loom_native.node'

/** Where the compiled binding is expected: under the nearest ancestor holding package.json. */
export function nativeBindingPath (): string {
  return addonPath(BINDING_RELATIVE_PATH)
}

/** Loads the binding once; throws NativeBindingLoadError (ERR_NATIVE_BINDING_LOAD) if absent. */
export function loadNativeBinding (): NativeBinding {
  return loadAddon<NativeBinding>(BINDING_RELATIVE_PATH)
}
