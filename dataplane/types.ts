/**
 * The data plane's vocabulary: the interfaces between the TUN device, the encapsulations, the
 * route table and the forwarder. Read this file first.
 *
 * Direction words, used everywhere in dataplane/ and never mixed:
 * - outbound: from the TUN device to the wire (a local pod sends to a remote pod);
 * - inbound:  from the wire to the TUN device.
 *
 * Hot-path rules that every implementation of these interfaces follows: no allocation, no
 * `await`, no `throw` and no logging per packet. A bad packet makes a method return a `Drop`
 * code; the caller counts it and carries on.
 */
import type { EncapsulationKind } from './encap'
import type { ReadPrefetch, RecvPrefetch } from './native-binding'

/**
 * Why a packet was dropped. Numeric so the hot path can return it without allocating; the
 * names (see DROP_REASONS) are the label values of the drop counter in metrics and status.
 */
export const enum Drop {
  None = 0,
  /** Too short, bad version/flags, lengths that do not add up. */
  Malformed = 1,
  /** Outbound: no route for the destination. Inbound: the inner destination is not ours. */
  NoRoute = 2,
  /** Larger than the peer's MTU (an ICMP fragmentation-needed goes back for DF IPv4). */
  Mtu = 3,
  /** Refused by the policy filter. */
  Policy = 4,
  /** Failed authentication, or sender not a known peer at that underlay address. */
  Auth = 5,
  /** Replayed or too old counter (encrypted mode). */
  Replay = 6,
  /** Receiver/sender index or VNI that names no session we have. */
  UnknownSession = 7,
  /** The TUN device's queue was full (write returned EAGAIN). */
  TunFull = 8,
  /** The UDP send failed (EAGAIN, ENOBUFS, EHOSTUNREACH, ...). */
  SocketError = 9,
  /** Not an IP packet we carry (e.g. IPv6 on an IPv4-only overlay, unknown EtherType). */
  Unsupported = 10,
  /**
   * Inbound: the inner destination is outside clusterCIDR (not a pod, not this node's overlay
   * address) and not multicast; e.g. a stranger on the underlay aiming a frame at the host.
   */
  NotLocal = 11,
}

/** Label values for `Drop`, indexed by its numeric value. */
export const DROP_REASONS = [
  'none', 'malformed', 'no_route', 'mtu', 'policy', 'auth', 'replay', 'unknown_session',
  'tun_full', 'socket_error', 'unsupported', 'not_local',
] as const
export type DropReasonName = (typeof DROP_REASONS)[number]

/**
 * Traffic counters of one peer; plain numbers the hot path increments, read at scrape time.
 * Bytes are inner IP bytes (what pods sent), not UDP payload.
 */
export interface PeerCounters {
  packetsOut: number
  bytesOut: number
  packetsIn: number
  bytesIn: number
  /** Wall-clock ms of the last batch that carried a packet from this peer (0 = never). */
  lastInMs: number
}

/**
 * Everything the hot path needs to know about one remote node. Immutable except `counters`;
 * the control side replaces the object (through a new RouteTable) when something changes.
 */
export interface PeerRoute {
  readonly nodeName: string
  /** Loom's 32-bit node index: the sender/receiver index in the `udp` framing. */
  readonly index: number
  /** Underlay IPv4 address, dotted and as a host-order u32 (the form the native binding takes). */
  readonly address: string
  readonly addressU32: number
  /** UDP port the peer receives this encapsulation on. */
  readonly port: number
  /** The peer's VTEP MAC (6 bytes), used by the `vxlan` encapsulation. */
  readonly vtepMAC: Buffer
  /** Largest inner IP packet we send to this peer (underlay MTU - encapsulation overhead). */
  readonly mtu: number
  /** The peer's static X25519 public key (32 bytes), when known: the encrypted `udp` needs it. */
  readonly publicKey?: Buffer
  readonly counters: PeerCounters
}

/** What `decapsulate` reports on success. Owned by the caller, reused for every packet. */
export interface Decapsulated {
  /** Offset and length of the inner IP packet inside the received buffer. */
  innerStart: number
  innerLen: number
  /** The peer the datagram came from. */
  peer: PeerRoute | undefined
  /**
   * Set (with replyLen > 0) when the encapsulation wants a datagram sent back to the sender
   * instead of a packet written to the TUN (e.g. a VXLAN ARP reply). The reply is built in place
   * in the same buffer at [replyStart, replyStart + replyLen).
   */
  replyStart: number
  replyLen: number
}

/** Fills `out` for an accepted inner packet at buf[innerStart, +innerLen) (no reply); returns Drop.None. */
export function acceptInner (out: Decapsulated, innerStart: number, innerLen: number, peer: PeerRoute): Drop {
  out.innerStart = innerStart
  out.innerLen = innerLen
  out.peer = peer
  out.replyStart = 0
  out.replyLen = 0
  return Drop.None
}

/** The lookups an encapsulation needs to identify the sender of an inbound datagram. */
export interface PeerDirectory {
  /** This node's own index and VTEP MAC. */
  readonly selfIndex: number
  readonly selfVtepMAC: Buffer
  peerByIndex(index: number): PeerRoute | undefined
  peerByAddress(addressU32: number): PeerRoute | undefined
}

/**
 * One way of putting inner IP packets into UDP datagrams (one folder per kind under encap/, like
 * a flannel backend). Encryption wraps an Encapsulation; the forwarder never knows which one it has.
 */
export interface Encapsulation {
  readonly kind: EncapsulationKind
  /** Bytes this encapsulation writes in front of the inner packet (inside the UDP payload). */
  readonly headerLen: number
  /** Bytes written after the inner packet (an AEAD tag); absent = 0. The caller leaves room. */
  readonly trailerLen?: number
  /** Total bytes added on the underlay: outer IPv4 (20) + UDP (8) + headerLen + trailerLen. */
  readonly overhead: number
  /**
   * Outbound. The inner packet sits at buf[innerStart, innerStart + innerLen) and the caller
   * left at least `headerLen` bytes of headroom before it. Writes the header in place and
   * returns the offset where the UDP payload starts (innerStart - headerLen); the payload is
   * headerLen + innerLen + trailerLen bytes. Never copies the payload. An encrypting
   * encapsulation may instead return a negative number: -reason for a drop (count it), or
   * ENCAP_HELD when it kept a copy to send later (a handshake is pending; not a drop).
   */
  encapsulate(buf: Buffer, innerStart: number, innerLen: number, peer: PeerRoute): number
  /**
   * Inbound. buf[start, start + len) is one UDP payload received from srcAddressU32 (`start` is
   * 0 unless UDP GRO glued several datagrams into one buffer: then each is decapsulated where it
   * lies, and a wrapper must pass `start` on). Returns Drop.None and fills `out` (offsets are
   * absolute in buf), or returns the reason to drop it. Never throws. Drop.None with innerLen 0
   * and replyLen 0 means the datagram was consumed (a handshake message or keepalive).
   * `srcPort` is the sender's UDP port (cookies bind to address and port).
   */
  decapsulate(buf: Buffer, len: number, srcAddressU32: number, peers: PeerDirectory,
    out: Decapsulated, start?: number, srcPort?: number): Drop
  /**
   * Optional: the forwarder hands over a way to send datagrams the encapsulation originates
   * itself (handshake initiations, keepalives, staged packets). Called once, at start.
   */
  attach?(send: (buf: Buffer, off: number, len: number, addressU32: number, port: number) => boolean): void
  /**
   * Optional, with flush: from this call on, encapsulate may leave the last step of its datagrams
   * (the AEAD seal) to flush(), which the caller must call before sending any of them. The
   * forwarder does, so that a batch is sealed in one native call instead of one per packet.
   */
  deferUntilFlush?(): void
  flush?(): void
  /**
   * Optional, with endInbound: called with each receive batch before its datagrams are
   * decapsulated (the arrays as the forwarder's recvBatch filled them; segments only with UDP
   * GRO), so that an encrypting encapsulation can authenticate and decrypt the batch's transport
   * messages in a few native calls. Changes no state but those messages' bytes; the caller then
   * decapsulates the batch's datagrams in order, and calls endInbound after the last.
   */
  openAhead?(bufs: Buffer[], sizes: Int32Array, segments: Int32Array | undefined, count: number): void
  endInbound?(): void
}

/**
 * A TUN device carrying bare IP packets (IFF_TUN | IFF_NO_PI), like wireguard-go's tun.Device.
 * Non-blocking throughout; a closed device throws from every method except close().
 */
export interface Device {
  readonly name: string
  /**
   * 10 when the device has offloads on (IFF_VNET_HDR): every packet read starts with a virtio-net
   * header (virtio-net.ts) and may be a TCP/UDP super-packet of up to 64 KB, and every packet
   * written must start with one. 0 or absent: bare IP packets.
   */
  readonly vnetHeaderLen?: number
  /**
   * The TUN_F_* offload flags the kernel accepted (virtio-net.ts); with TUN_F_USO4/6 the device
   * also takes UDP super-packets (GSO_UDP_L4) written into it. 0 or absent: none.
   */
  readonly offloads?: number
  /**
   * Reads up to bufs.length packets, packet i into bufs[i] starting at `headroom` (the bytes
   * before it are left for the outer header). sizes[i] receives its length. Returns the count
   * read; 0 means nothing is pending. The caller owns the buffers. Throws only on a device error
   * (not on EAGAIN).
   */
  readBatch(bufs: Buffer[], sizes: Int32Array, headroom: number): number
  /**
   * Writes `count` packets, packet i being bufs[i][offsets[i], offsets[i] + lengths[i]). Returns
   * how many the kernel took; it stops at the first EAGAIN (queue full), leaving the rest to the
   * caller to count as dropped. The buffers may be reused as soon as it returns.
   */
  writeBatch(bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, count: number): number
  /**
   * Calls `handler` (once per wake-up) whenever the device is readable; it drains with readBatch.
   * An implementation may take `prefetch` and read into it before calling `handler(ready)`
   * (NativeBinding.pollStart: `ready` packets are in prefetch.bufs, -1 when that read failed);
   * one that ignores it calls `handler()`, and the handler reads everything itself.
   */
  onReadable(handler: (ready?: number) => void, prefetch?: ReadPrefetch): void
  close(): void
}

/**
 * The UDP socket of the data path, batched (recvmmsg/sendmmsg). Addresses are IPv4 as host-order
 * u32. Same buffer ownership and EAGAIN rules as Device.
 */
export interface DatagramTransport {
  readonly port: number
  /**
   * Receives up to bufs.length datagrams into bufs[i] from offset 0; fills sizes[i], addrs[i],
   * ports[i]. Returns the count; 0 when nothing is pending.
   */
  recvBatch(bufs: Buffer[], sizes: Int32Array, addrs: Uint32Array, ports: Uint16Array,
    segmentSizes?: Int32Array): number
  /**
   * UDP GRO is on: recvBatch must be given segmentSizes, and segmentSizes[i] > 0 says datagram i
   * is really several of that size (the last may be shorter) back to back in bufs[i].
   */
  readonly gro?: boolean
  /**
   * Sends `count` datagrams: bufs[i][offsets[i], offsets[i] + lengths[i]) to addrs[i]:ports[i].
   * Returns how many were sent; stops at the first error (the rest count as socket_error drops).
   */
  sendBatch(bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, addrs: Uint32Array,
    ports: Uint16Array, count: number, sources?: Uint8Array): number
  /**
   * How many source ports the transport can send from (1 = only its own). With more, sendBatch's
   * sources[i] and sendSegmented's `source` (0 .. sourcePorts - 1) pick one per datagram, so that
   * a flow hash can spread flows over source ports (RFC 7348 §5) and receivers over queues.
   */
  readonly sourcePorts?: number
  /**
   * Optional UDP segmentation offload: datagrams start..start+count-1, all to addr:port, all
   * `segmentSize` bytes except the last (which may be shorter), sent as one unit that the kernel
   * splits. Returns count, 0 if it could not be sent now (count as socket_error drops), or -1 if
   * segmentation is unsupported here (the caller falls back to sendBatch for good).
   */
  sendSegmented?(bufs: Buffer[], offsets: Int32Array, lengths: Int32Array, start: number, count: number,
    segmentSize: number, addr: number, port: number, source?: number): number
  /** As Device.onReadable, with recvBatch's prefetch. */
  onReadable(handler: (ready?: number) => void, prefetch?: RecvPrefetch): void
  close(): void
}

/** Largest number of packets moved per batched read or write (wireguard-go's IdealBatchSize). */
export const MAX_BATCH = 128

/** encapsulate's return for a packet kept back (staged while a handshake runs), not dropped. */
export const ENCAP_HELD = -1000

/**
 * The data plane's own counters: plain numbers and typed arrays the hot path increments, which
 * metrics/ reads at scrape time (so a scrape costs nothing per packet). Per-peer traffic lives in
 * each PeerRoute's `counters`.
 */
export interface DataplaneStats {
  /** Drops by reason, indexed by `Drop` (length DROP_REASONS.length), per direction. */
  readonly dropsOutbound: Float64Array
  readonly dropsInbound: Float64Array
  /**
   * Batch-size histograms: element n counts the batched calls that moved n packets
   * (length MAX_BATCH + 1).
   */
  readonly tunReadBatches: Float64Array
  readonly tunWriteBatches: Float64Array
  readonly udpRecvBatches: Float64Array
  readonly udpSendBatches: Float64Array
  /** ICMP "fragmentation needed" messages written back into the TUN. */
  icmpFragNeededSent: number
  /** TUN offloads: super-packets read and cut, and the segments they made. */
  superPacketsOut: number
  segmentsOut: number
  /** TUN offloads: inbound packets merged into another before the TUN write (GRO). */
  coalescedIn: number
  /** UDP GRO: received buffers that held a train of datagrams. */
  udpGroTrains: number
  /** TUN offloads: partial checksums (NEEDS_CSUM) completed before sending. */
  checksumsCompleted: number
  /** UDP GSO sends the kernel refused (the forwarder then sends without GSO for good). */
  udpGsoFallbacks: number
  /** TUN reads right after writing a lone small inbound packet (its answer, if the kernel made one). */
  answerProbes: number
}

/** A fresh, zeroed DataplaneStats. */
export function createDataplaneStats (): DataplaneStats {
  return {
    dropsOutbound: new Float64Array(DROP_REASONS.length),
    dropsInbound: new Float64Array(DROP_REASONS.length),
    tunReadBatches: new Float64Array(MAX_BATCH + 1),
    tunWriteBatches: new Float64Array(MAX_BATCH + 1),
    udpRecvBatches: new Float64Array(MAX_BATCH + 1),
    udpSendBatches: new Float64Array(MAX_BATCH + 1),
    icmpFragNeededSent: 0,
    superPacketsOut: 0,
    segmentsOut: 0,
    coalescedIn: 0,
    udpGroTrains: 0,
    checksumsCompleted: 0,
    udpGsoFallbacks: 0,
    answerProbes: 0,
  }
}
