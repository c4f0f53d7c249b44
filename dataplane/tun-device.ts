/**
 * The TUN device of the data plane (IFF_TUN | IFF_NO_PI: bare IPv4/IPv6 packets; with offloads,
 * IFF_VNET_HDR: each packet behind a 10-byte virtio-net header, see virtio-net.ts),
 * implementing `Device` from types.ts over the native binding. Like wireguard-go's
 * tun.NativeTun it only moves packets: setting the MTU, addresses and routes is netlink's job
 * (elsewhere), and the device disappears when it is closed.
 *
 * Batching: one readBatch/writeBatch call is one JS->C crossing that loops read()/write() in C
 * until the queue is empty/full, so the per-packet cost is the syscall alone.
 *
 * After close() every method except close() throws DeviceClosedError (ERR_DEVICE_CLOSED).
 */
import { DeviceClosedError, TunIOError, TunOpenError } from './errors'
import { loadNativeBinding } from './native-binding'
import type { NativeBinding, ReadPrefetch } from './native-binding'
import { isSyscallError, PolledFd } from './polled-fd'
import type { Device } from './types'
import { VNET_HDR_LEN } from './virtio-net'

export class TunDevice implements Device {
  /** The kernel's name for the device (the one asked for, or the one it chose for ''). */
  readonly name: string
  /** 10 when every packet read or written carries a virtio-net header (offloads on), else 0. */
  readonly vnetHeaderLen: number
  /** The TUN_F_* offload flags the kernel accepted (virtio-net.ts); 0 without offloads. */
  readonly offloads: number
  private readonly io: PolledFd
  private readonly native: NativeBinding

  private constructor (native: NativeBinding, fd: number, name: string, vnetHeaderLen: number, offloads: number) {
    this.native = native
    this.io = new PolledFd(native, fd)
    this.name = name
    this.vnetHeaderLen = vnetHeaderLen
    this.offloads = offloads
  }

  /**
   * Creates (or attaches to) the TUN device `name`; '' lets the kernel pick tunN. Needs
   * CAP_NET_ADMIN. Throws TunOpenError (ERR_TUN_OPEN) naming the device, with the errno.
   * With `offloads`, the device carries virtio-net headers and takes/gives 64 KB TCP (and UDP)
   * super-packets (see vnetHeaderLen and offloads; a kernel without them gives a plain device).
   */
  static open (name: string, options: { offloads?: boolean } = {}): TunDevice {
    const native = loadNativeBinding()
    let opened: { fd: number, name: string, vnetHeader: boolean, offloads: number }
    try {
      opened = native.openTun(name, options.offloads === true)
    } catch (err) {
      throw new TunOpenError(name === '' ? '(kernel-named)' : name, err)
    }
    return new TunDevice(native, opened.fd, opened.name, opened.vnetHeader ? VNET_HDR_LEN : 0, opened.offloads)
  }

  /** The file descriptor, for diagnostics; -1 once closed. */
  get fileDescriptor (): number {
    return this.io.fd
  }

  readBatch (bufs: Buffer[], sizes: Int32Array, headroom: number): number {
    const fd = this.io.fd
    if (fd < 0) throw new DeviceClosedError(this.name)
    try {
      return this.native.readBatch(fd, bufs, headroom, sizes)
    } catch (err) {
      throw isSyscallError(err) ? new TunIOError(this.name, 'read', err) : err
    }
  }

  writeBatch (bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, count: number): number {
    const fd = this.io.fd
    if (fd < 0) throw new DeviceClosedError(this.name)
    try {
      return this.native.writeBatch(fd, bufs, offsets, lengths, count)
    } catch (err) {
      throw isSyscallError(err) ? new TunIOError(this.name, 'write', err) : err
    }
  }

  /**
   * Calls `handler` from the event loop whenever packets are waiting; it should drain with
   * readBatch (if it leaves some, it is called again on the next loop turn). A second call
   * replaces the handler. While a handler is set the device keeps the process alive. With
   * `prefetch` the poll reads first and `handler` gets the count (Device.onReadable).
   */
  onReadable (handler: (ready?: number) => void, prefetch?: ReadPrefetch): void {
    if (this.io.fd < 0) throw new DeviceClosedError(this.name)
    this.io.onReadable(handler, prefetch)
  }

  /** Stops polling and closes the fd (the kernel then removes the device). Idempotent. */
  close (): void {
    this.io.close()
  }
}
