/**
 * The control plane's I/O edge: one UDP socket and one TCP listener on the gossip port.
 *
 * Everything that crosses it is a *frame*: 2 bytes of magic (which protocol: 'LG' membership,
 * 'LI' IPAM, 'LS' sealed) + a u32 big-endian length + the body. UDP carries one frame per
 * datagram (probes, acks, piggybacked deltas; at most ~1400 bytes); TCP carries frames back to
 * back (push-pull and other exchanges too big for a datagram), one request and its replies per
 * connection.
 *
 * Sealing (gossip-seal.ts): with a keyring every frame leaves sealed ('LS') and only sealed
 * frames that open under one of the keyring's keys are delivered; a plain frame is refused
 * (`unsealed`). Without a keyring (`gossip.insecure`) plain frames pass and sealed ones are
 * refused (`unknown_key`). The handler only ever sees plain frames. A sealed frame that opened
 * once is refused when it comes again (`replay`), as is one sealed before this transport
 * started or outside the clock-skew window (`stale`, `clock_skew`): gossip-replay.ts.
 *
 * Bounds (a stranger on the underlay can reach this port):
 * - the UDP socket is bound without SO_REUSEADDR, so no other local process can bind the port
 *   beside us and take a share of the datagrams;
 * - inbound TCP connections: at most MAX_INBOUND_STREAMS at once and MAX_STREAMS_PER_SOURCE per
 *   source address; outbound at most MAX_OUTBOUND_STREAMS;
 * - a stream frame is at most MAX_STREAM_FRAME_BYTES; its buffer is allocated once, at the size
 *   its header announces, and only if the bytes of all frames being received fit
 *   MAX_STREAM_BUFFER_BYTES (chunks are copied in: no Buffer.concat);
 * - every frame must arrive whole within FRAME_DEADLINE_MS of its first byte, and a connection
 *   lives at most STREAM_LIFETIME_MS: absolute deadlines that trickling bytes do not extend.
 * Every refused frame is counted by reason (`rejected`); nothing a peer sends can throw out of
 * this class, and errors it triggers in the handler are reported through the rate-limited
 * `reportRemoteError`, never with a stack per frame.
 */
import { createSocket, Socket as UdpSocket } from 'node:dgram'
import { createConnection, createServer, Server, Socket } from 'node:net'
import type { Logger } from 'pino'
import { frame, GOSSIP_FRAME_HEADER_LEN as FRAME_HEADER_LEN } from './gossip-codec'
import { GossipReplayGuard } from './gossip-replay'
import { GossipKeyring, SEALED_FRAME_MAGIC, SEAL_OVERHEAD, type OpenFailure } from './gossip-seal'

export { frame }
/** Largest frame accepted on a stream: the 4 MiB decode limit of push-pull plus sealing. */
export const MAX_STREAM_FRAME_BYTES = (4 << 20) + FRAME_HEADER_LEN + SEAL_OVERHEAD
/** Bytes of all partly received stream frames together (bounds memory under slow senders). */
export const MAX_STREAM_BUFFER_BYTES = 24 << 20
export const MAX_INBOUND_STREAMS = 32
export const MAX_STREAMS_PER_SOURCE = 4
export const MAX_OUTBOUND_STREAMS = 32
/** A frame must be complete this long after its first byte arrived. */
export const FRAME_DEADLINE_MS = 5_000
/** A connection (connect, request, replies) ends this long after it began, whatever it does. */
export const STREAM_LIFETIME_MS = 15_000
/** Default clock difference between members that still lets them talk (gossip.maxClockSkewSeconds). */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 60_000
/** Sealed frames remembered for the replay check; a few thousand are fresh at a time in practice. */
export const MAX_REPLAY_ENTRIES = 65_536

/** Why a frame (or a connection that would carry frames) was refused; a fixed label set. */
export const FRAME_REJECT_REASONS = [
  'malformed', 'oversized', 'unsealed', 'truncated', 'bad_version', 'unknown_key', 'auth',
  'replay', 'stale', 'clock_skew', 'deadline', 'connection_limit', 'memory_limit', 'handler_error',
] as const
export type FrameRejectReason = (typeof FRAME_REJECT_REASONS)[number]

export interface TransportCounters {
  udpFramesIn: number
  udpFramesOut: number
  udpBytesIn: number
  udpBytesOut: number
  streamFramesIn: number
  streamFramesOut: number
  streamBytesIn: number
  streamBytesOut: number
  /** Frames refused, all reasons together (see `rejected`). */
  badFrames: number
  sendErrors: number
}

/** Sends a frame back on the stream a request came in on. */
export type StreamReply = (frame: Buffer) => void

/**
 * Called for every well-framed frame that passed sealing. `from` is "ip:port" for UDP (the
 * sender's gossip socket, so replying to it works) and for streams the remote "ip:port" of the
 * connection; `reply` is set for requests that arrived on a stream we accepted. `channel` says
 * how the frame came: a reply on a stream we opened is 'stream' with no `reply` (and may be as
 * large as a stream frame).
 */
export type FrameHandler = (magic: number, frame: Buffer, from: string, reply: StreamReply | undefined,
  channel: 'udp' | 'stream') => void

/**
 * What the control plane needs of a transport: frames in through one handler, frames out as a
 * datagram or on a stream. GossipTransport is the one over sockets; test/sim has one in memory.
 */
export interface FrameTransport {
  onFrame: (handler: FrameHandler) => void
  /** One frame as one datagram to "ip:port"; may be lost. Never throws. */
  sendDatagram: (to: string, frame: Buffer) => void
  /** A connection to "ip:port" carrying `frame`; the remote's replies reach the handler with from = to. */
  sendStream: (to: string, frame: Buffer) => void
}

export interface GossipTransportComponents {
  logger: Logger
  /**
   * Told about each failed exchange with a peer (counted here as sendErrors too). Peers that are
   * down fail every second, so the agent passes a rate-limited logger here.
   */
  reportPeerError?: (peer: string, what: 'datagram' | 'stream', err: unknown) => void
  /** Told when a frame from `from` made the handler throw; the agent rate-limits it per source. */
  reportRemoteError?: (from: string, err: unknown) => void
  /** Wall clock (ms since the Unix epoch) for the replay check; default Date.now. */
  wallClock?: () => number
}

export interface GossipTransportInit {
  address: string
  port: number
  /** Seal and open every frame with these keys; undefined = insecure mode (plain frames). */
  keyring?: GossipKeyring
  /**
   * Largest clock difference between members whose sealed frames are accepted (ms); default
   * DEFAULT_MAX_CLOCK_SKEW_MS. Frames stamped further from this node's clock are refused.
   */
  maxClockSkewMs?: number
  /** Stream bounds; the defaults are the exported constants (tests shrink them). */
  limits?: Partial<StreamLimits>
}

export interface StreamLimits {
  maxFrameBytes: number
  maxBufferedBytes: number
  maxInbound: number
  maxPerSource: number
  maxOutbound: number
  frameDeadlineMs: number
  lifetimeMs: number
}

interface Inbound {
  /** Header bytes of the frame being read (preallocated per connection). */
  header: Buffer
  headerHave: number
  /** The frame being read, allocated once at its announced size. */
  frame: Buffer | undefined
  frameHave: number
  deadline: NodeJS.Timeout | undefined
}

/** Zeroed transport counters and refusals by reason (every FrameTransport keeps both). */
export function newTransportCounters (): { counters: TransportCounters, rejected: Record<FrameRejectReason, number> } {
  return {
    counters: {
      udpFramesIn: 0,
      udpFramesOut: 0,
      udpBytesIn: 0,
      udpBytesOut: 0,
      streamFramesIn: 0,
      streamFramesOut: 0,
      streamBytesIn: 0,
      streamBytesOut: 0,
      badFrames: 0,
      sendErrors: 0,
    },
    rejected: Object.fromEntries(FRAME_REJECT_REASONS.map((r) => [r, 0])) as Record<FrameRejectReason, number>,
  }
}

export class GossipTransport implements FrameTransport {
  private readonly zeroed = newTransportCounters()
  readonly counters: TransportCounters = this.zeroed.counters
  readonly rejected: Record<FrameRejectReason, number> = this.zeroed.rejected

  private udp?: UdpSocket
  private tcp?: Server
  private handler: FrameHandler = () => {}
  private readonly open = new Set<Socket>()
  private inboundCount = 0
  private outboundCount = 0
  private readonly perSource = new Map<string, number>()
  private bufferedBytes = 0
  private readonly limits: StreamLimits
  /** Set in secure mode; it starts at construction, so frames sealed before it are refused. */
  readonly replay: GossipReplayGuard | undefined

  constructor (private readonly components: GossipTransportComponents, private readonly init: GossipTransportInit) {
    this.limits = {
      maxFrameBytes: MAX_STREAM_FRAME_BYTES,
      maxBufferedBytes: MAX_STREAM_BUFFER_BYTES,
      maxInbound: MAX_INBOUND_STREAMS,
      maxPerSource: MAX_STREAMS_PER_SOURCE,
      maxOutbound: MAX_OUTBOUND_STREAMS,
      frameDeadlineMs: FRAME_DEADLINE_MS,
      lifetimeMs: STREAM_LIFETIME_MS,
      ...init.limits,
    }
    this.replay = init.keyring === undefined
      ? undefined
      : new GossipReplayGuard({
        now: components.wallClock ?? Date.now,
        maxSkewMs: init.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
        maxTransitMs: this.limits.lifetimeMs,
        maxEntries: MAX_REPLAY_ENTRIES,
      })
  }

  /** The UDP port actually bound (differs from init.port when that was 0). */
  get port (): number { return this.udp?.address().port ?? this.init.port }

  /** True when frames are sealed (a keyring was given). */
  get secure (): boolean { return this.init.keyring !== undefined }

  /** Stream bytes held in partly received frames right now (tests watch it). */
  get streamBufferedBytes (): number { return this.bufferedBytes }

  /** Open inbound and outbound streams right now. */
  get openStreams (): number { return this.open.size }

  onFrame (handler: FrameHandler): void {
    this.handler = handler
  }

  async start (): Promise<void> {
    // No reuseAddr: with SO_REUSEADDR another local process could bind this port too.
    const udp = createSocket({ type: 'udp4', reuseAddr: false })
    udp.on('message', (msg, rinfo) => { this.receiveDatagram(msg, `${rinfo.address}:${rinfo.port}`) })
    udp.on('error', (err) => { this.components.logger.warn({ err: err.message }, 'gossip UDP socket error') })
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject)
      udp.bind({ port: this.init.port, address: this.init.address, exclusive: true },
        () => { udp.off('error', reject); resolve() })
    })
    this.udp = udp
    const tcp = createServer({ noDelay: true }, (sock) => { this.serveStream(sock) })
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject)
      tcp.listen({ port: this.init.port, host: this.init.address, exclusive: true },
        () => { tcp.off('error', reject); resolve() })
    })
    this.tcp = tcp
  }

  async stop (): Promise<void> {
    for (const s of this.open) s.destroy()
    this.open.clear()
    const tcp = this.tcp
    this.tcp = undefined
    if (tcp !== undefined) await new Promise<void>((resolve) => tcp.close(() => resolve()))
    const udp = this.udp
    this.udp = undefined
    if (udp !== undefined) await new Promise<void>((resolve) => udp.close(() => resolve()))
  }

  /** Sends one frame as one datagram to "ip:port". Never throws; failures are counted. */
  sendDatagram (to: string, frame: Buffer): void {
    const udp = this.udp
    const target = splitHostPort(to)
    if (udp === undefined || target === undefined) { this.counters.sendErrors++; return }
    const wire = this.sealed(frame)
    this.counters.udpFramesOut++
    this.counters.udpBytesOut += wire.length
    udp.send(wire, target.port, target.host, (err) => {
      if (err === null || err === undefined) return
      this.counters.sendErrors++
      this.components.reportPeerError?.(to, 'datagram', err)
    })
  }

  /**
   * Opens a connection to "ip:port", sends `frame`, and hands every frame the remote sends back
   * to the frame handler (with `from` = `to`) until it closes or the exchange times out.
   */
  sendStream (to: string, frame: Buffer): void {
    const target = splitHostPort(to)
    if (target === undefined || this.outboundCount >= this.limits.maxOutbound) { this.counters.sendErrors++; return }
    const wire = this.sealed(frame)
    const sock = createConnection({ host: target.host, port: target.port })
    this.outboundCount++
    sock.on('close', () => { this.outboundCount-- })
    this.track(sock)
    sock.on('connect', () => {
      this.counters.streamFramesOut++
      this.counters.streamBytesOut += wire.length
      sock.write(wire)
      sock.end()
    })
    sock.on('error', (err) => {
      this.counters.sendErrors++
      this.components.reportPeerError?.(to, 'stream', err)
    })
    this.readFrames(sock, to, undefined)
  }

  private sealed (frame: Buffer): Buffer {
    return this.init.keyring === undefined ? frame : this.init.keyring.seal(frame)
  }

  private reject (reason: FrameRejectReason): void {
    this.counters.badFrames++
    this.rejected[reason]++
  }

  private serveStream (sock: Socket): void {
    const source = sock.remoteAddress ?? '?'
    const fromSource = this.perSource.get(source) ?? 0
    if (this.inboundCount >= this.limits.maxInbound || fromSource >= this.limits.maxPerSource) {
      this.reject('connection_limit')
      sock.on('error', () => {})
      sock.destroy()
      return
    }
    this.inboundCount++
    this.perSource.set(source, fromSource + 1)
    sock.on('close', () => {
      this.inboundCount--
      const n = (this.perSource.get(source) ?? 1) - 1
      if (n <= 0) this.perSource.delete(source)
      else this.perSource.set(source, n)
    })
    this.track(sock)
    const from = `${source}:${sock.remotePort ?? 0}`
    const reply: StreamReply = (frame) => {
      if (sock.destroyed || !sock.writable) return
      const wire = this.sealed(frame)
      this.counters.streamFramesOut++
      this.counters.streamBytesOut += wire.length
      sock.write(wire)
    }
    sock.on('error', () => {})
    this.readFrames(sock, from, reply)
    // The requester half-closes after its request; we answer synchronously, then close.
    sock.on('end', () => { sock.end() })
  }

  private track (sock: Socket): void {
    this.open.add(sock)
    const lifetime = setTimeout(() => { this.reject('deadline'); sock.destroy() }, this.limits.lifetimeMs)
    sock.on('close', () => { clearTimeout(lifetime); this.open.delete(sock) })
  }

  /**
   * Splits a byte stream into frames: a 6-byte header (into a per-connection buffer), then the
   * frame into one buffer of its announced size. A bad or oversized header, a frame over the
   * memory budget or one that misses its deadline ends the connection.
   */
  private readFrames (sock: Socket, from: string, reply: StreamReply | undefined): void {
    const st: Inbound = {
      header: Buffer.allocUnsafe(FRAME_HEADER_LEN), headerHave: 0, frame: undefined, frameHave: 0, deadline: undefined
    }
    const release = (): void => {
      if (st.deadline !== undefined) { clearTimeout(st.deadline); st.deadline = undefined }
      if (st.frame !== undefined) { this.bufferedBytes -= st.frame.length; st.frame = undefined }
    }
    let aborted = false
    // A connection that ends inside a frame (header or body) drops that frame: count it.
    sock.on('close', () => {
      if (!aborted && (st.headerHave > 0 || st.frame !== undefined)) this.reject('truncated')
      release()
    })
    const abort = (reason: FrameRejectReason): void => {
      aborted = true; this.reject(reason); release(); sock.destroy()
    }
    sock.on('data', (chunk: Buffer) => {
      let at = 0
      while (at < chunk.length && !sock.destroyed) {
        if (st.frame === undefined) {
          if (st.headerHave === 0 && st.deadline === undefined) {
            st.deadline = setTimeout(() => { st.deadline = undefined; abort('deadline') }, this.limits.frameDeadlineMs)
          }
          const n = Math.min(FRAME_HEADER_LEN - st.headerHave, chunk.length - at)
          chunk.copy(st.header, st.headerHave, at, at + n)
          st.headerHave += n
          at += n
          if (st.headerHave < FRAME_HEADER_LEN) return
          const size = FRAME_HEADER_LEN + st.header.readUInt32BE(2)
          if (size > this.limits.maxFrameBytes) { abort('oversized'); return }
          if (this.bufferedBytes + size > this.limits.maxBufferedBytes) { abort('memory_limit'); return }
          st.frame = Buffer.allocUnsafe(size)
          this.bufferedBytes += size
          st.header.copy(st.frame, 0)
          st.frameHave = FRAME_HEADER_LEN
        }
        const frame = st.frame
        const n = Math.min(frame.length - st.frameHave, chunk.length - at)
        chunk.copy(frame, st.frameHave, at, at + n)
        st.frameHave += n
        at += n
        if (st.frameHave < frame.length) return
        release()
        st.headerHave = 0
        this.counters.streamFramesIn++
        this.counters.streamBytesIn += frame.length
        this.deliver(frame, from, reply, 'stream')
      }
    })
  }

  private receiveDatagram (msg: Buffer, from: string): void {
    this.counters.udpFramesIn++
    this.counters.udpBytesIn += msg.length
    if (!isWholeFrame(msg)) {
      this.reject('malformed')
      return
    }
    this.deliver(msg, from, undefined, 'udp')
  }

  /** Opens a sealed frame (or refuses a plain one in secure mode), then hands it on. */
  private deliver (wire: Buffer, from: string, reply: StreamReply | undefined, channel: 'udp' | 'stream'): void {
    const frame = openFrame(wire, this.init.keyring, this.replay)
    if (typeof frame === 'string') { this.reject(frame); return }
    try {
      this.handler(frame.readUInt16BE(0), frame, from, reply, channel)
    } catch (err) {
      // A handler bug must not take the listener down; count it, report it rate-limited.
      this.reject('handler_error')
      this.components.reportRemoteError?.(from, err)
    }
  }
}

/** A buffer holding exactly one frame: a header whose length field matches the rest. */
export function isWholeFrame (b: Buffer): boolean {
  return b.length >= FRAME_HEADER_LEN && b.readUInt32BE(2) === b.length - FRAME_HEADER_LEN
}

/**
 * The plain frame a whole frame off the wire carries, or why it is refused: a sealed frame must
 * open under the keyring (and pass the replay check, when given) and hold a whole plain frame; a
 * plain one passes only without a keyring.
 */
export function openFrame (wire: Buffer, keyring: GossipKeyring | undefined,
  replay?: GossipReplayGuard): Buffer | FrameRejectReason {
  if (wire.readUInt16BE(0) !== SEALED_FRAME_MAGIC) return keyring === undefined ? wire : 'unsealed'
  if (keyring === undefined) return 'unknown_key'
  const opened: Buffer | OpenFailure = keyring.open(wire, replay)
  if (typeof opened === 'string') return opened
  if (!isWholeFrame(opened) || opened.readUInt16BE(0) === SEALED_FRAME_MAGIC) return 'malformed'
  return opened
}

/** "1.2.3.4:6783" -> { host, port }; undefined when malformed. */
export function splitHostPort (s: string): { host: string; port: number } | undefined {
  const i = s.lastIndexOf(':')
  if (i <= 0) return undefined
  const port = Number(s.slice(i + 1))
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined
  return { host: s.slice(0, i), port }
}
