/**
 * The typed face of the N-API binding in dataplane/native/ (loom_native.c). Only syscalls live
 * there; everything about packets stays in TypeScript.
 *
 * Loading: the compiled file is `<repo>/dataplane/native/build/Release/loom_native.node`. It is
 * found by walking up from this file's directory to the one holding package.json, so the same
 * code works from dist/dataplane/ (compiled) and from dataplane/ (ts-node style). The binding is
 * loaded lazily, on the first `loadNativeBinding()`, so pure modules and unit tests can import
 * the wrappers on a machine where it was never built.
 *
 * Conventions shared by every function:
 * - fds are plain numbers owned by the caller, who must `close` them exactly once;
 * - buffers are caller-owned and never copied; the C side holds no pointer after returning;
 * - a failed syscall throws a SyscallError (`code` = errno name, `errno`, a message naming the
 *   device or socket); bad arguments throw TypeError/RangeError (code ERR_INVALID_ARG_TYPE /
 *   ERR_OUT_OF_RANGE); transient hot-path conditions never throw, they shorten the count;
 * - IPv4 addresses are host-order u32 (10.0.0.1 = 0x0A000001).
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { NativeBindingLoadError } from './errors'

export type { SyscallError } from './errors'

/** Opaque handle of an active readiness poll (a libuv uv_poll_t). */
export interface PollHandle { readonly __brand: 'LoomNativePoll' }

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
   */
  pollStart(fd: number, callback: () => void): PollHandle
  /** Stops and frees the poll; it no longer keeps the process alive. Idempotent. */
  pollStop(handle: PollHandle): void
  close(fd: number): void
  /**
   * Moves the calling thread (the JS main thread) into the network namespace at `path`, e.g.
   * /var/run/netns/<name> or /proc/<pid>/ns/net. Sockets opened afterwards live there.
   */
  setns(path: string, nstype: 'net'): void
  /**
   * Sends `message` (e.g. 'READY=1', at most 4095 bytes) as one datagram to the systemd notify
   * socket named by $NOTIFY_SOCKET (a path, or '@name' for an abstract socket). Returns false
   * without doing anything when NOTIFY_SOCKET is unset or empty; true once sent. A failed
   * socket()/sendto() throws a SyscallError. Reads the variable on every call (no caching).
   */
  notify(message: string): boolean
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
   * In-order segments of one TCP flow are merged into super-packets in arena slots of slotSize
   * bytes; every TCP/UDP checksum is verified (a wrong one drops the packet: counters[0]++; a
   * pseudo-header-only one is passed on as NEEDS_CSUM); merged packets count in counters[1].
   * Output k: out[3k] = i (in place) or -1-slot (arena), out[3k+1] offset, out[3k+2] length,
   * virtio header included. A TCP packet longer than maxPacket (the TUN MTU; a same-host kernel
   * VXLAN peer's whole GSO skb) is passed on as a GSO packet cut at maxPacket. Returns the output
   * count.
   */
  coalesceTun(bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, count: number, arena: Buffer,
    slotSize: number, out: Int32Array, counters: Int32Array, maxPacket: number): number
  /**
   * state_dir.c. flock(LOCK_EX|LOCK_NB) on fd: true when this process now holds the lock,
   * false when another open file description holds it. Released when fd is closed (or the
   * process dies).
   */
  flockExclusive(fd: number): boolean
  /**
   * openat(dirfd, name) with O_NOFOLLOW|O_CLOEXEC; `name` is one path component. 'read':
   * O_RDONLY|O_NONBLOCK (fstat the result: it may be a FIFO or a device); 'exclusive':
   * O_WRONLY|O_CREAT|O_EXCL, mode 0600 (fails with EEXIST on any existing name, a dangling
   * symlink included); 'lock': O_RDWR|O_CREAT, mode 0600. Returns the fd.
   */
  openAt(dirfd: number, name: string, mode: 'read' | 'exclusive' | 'lock'): number
  /** renameat(dirfd, from, dirfd, to): atomically replaces `to`. */
  renameAt(dirfd: number, from: string, to: string): void
  /** unlinkat(dirfd, name, 0): removes the name (a symlink itself, never its target); false if absent. */
  unlinkAt(dirfd: number, name: string): boolean
}

const BINDING_RELATIVE_PATH = join('dataplane', 'native', 'build', 'Release', 'loom_native.node')

let cached: NativeBinding | undefined

/** Where the compiled binding is expected: under the nearest ancestor holding package.json. */
export function nativeBindingPath (): string {
  let dir = __dirname
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, BINDING_RELATIVE_PATH)
    const parent = dirname(dir)
    if (parent === dir) return join(__dirname, '..', BINDING_RELATIVE_PATH)
    dir = parent
  }
}

/** Loads the binding once; throws NativeBindingLoadError (ERR_NATIVE_BINDING_LOAD) if absent. */
export function loadNativeBinding (): NativeBinding {
  if (cached !== undefined) return cached
  const path = nativeBindingPath()
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    cached = require(path) as NativeBinding
  } catch (err) {
    throw new NativeBindingLoadError(path, err)
  }
  return cached
}
