/**
 * The control plane's I/O edge: one UDP socket and one TCP listener on the gossip port.
 *
 * Everything that crosses it is a *frame*: 2 bytes of magic (which protocol: 'LG' membership,
 * 'LI' IPAM) + a u32 big-endian length + the body. UDP carries one frame per datagram (probes,
 * acks, piggybacked deltas; at most ~1400 bytes); TCP carries frames back to back (push-pull
 * and other exchanges too big for a datagram), one request and its replies per connection.
 *
 * Bad input from the network is counted and dropped here or in the decoders behind the handler;
 * nothing a peer sends can throw out of this class. Outbound connections are bounded in time,
 * and inbound connections in time and frame size.
 */
import { createSocket, Socket as UdpSocket } from 'node:dgram'
import { createConnection, createServer, Server, Socket } from 'node:net'
import type { Logger } from 'pino'

export const FRAME_HEADER_LEN = 6
/** Largest frame accepted on a stream (a full member list of thousands of nodes fits). */
const MAX_STREAM_FRAME_BYTES = 8 << 20
/** A stream exchange (connect, request, replies) must finish within this. */
const STREAM_TIMEOUT_MS = 10_000

export interface TransportCounters {
  udpFramesIn: number
  udpFramesOut: number
  udpBytesIn: number
  udpBytesOut: number
  streamFramesIn: number
  streamFramesOut: number
  streamBytesIn: number
  streamBytesOut: number
  badFrames: number
  sendErrors: number
}

/** Sends a frame back on the stream a request came in on. */
export type StreamReply = (frame: Buffer) => void

/**
 * Called for every well-framed frame. `from` is "ip:port" for UDP (the sender's gossip socket,
 * so replying to it works) and for streams the remote "ip:port" of the connection; `reply` is
 * set for frames that arrived on a stream.
 */
export type FrameHandler = (magic: number, frame: Buffer, from: string, reply: StreamReply | undefined) => void

export interface GossipTransportComponents {
  logger: Logger
  /**
   * Told about each failed exchange with a peer (counted here as sendErrors too). Peers that are
   * down fail every second, so the agent passes a rate-limited logger here.
   */
  reportPeerError?: (peer: string, what: 'datagram' | 'stream', err: unknown) => void
}

export interface GossipTransportInit {
  address: string
  port: number
}

export class GossipTransport {
  readonly counters: TransportCounters = {
    udpFramesIn: 0, udpFramesOut: 0, udpBytesIn: 0, udpBytesOut: 0, streamFramesIn: 0,
    streamFramesOut: 0, streamBytesIn: 0, streamBytesOut: 0, badFrames: 0, sendErrors: 0,
  }

  private udp?: UdpSocket
  private tcp?: Server
  private handler: FrameHandler = () => {}
  private readonly open = new Set<Socket>()

  constructor (private readonly components: GossipTransportComponents, private readonly init: GossipTransportInit) {}

  onFrame (handler: FrameHandler): void {
    this.handler = handler
  }

  async start (): Promise<void> {
    const udp = createSocket({ type: 'udp4', reuseAddr: true })
    udp.on('message', (msg, rinfo) => { this.receiveDatagram(msg, `${rinfo.address}:${rinfo.port}`) })
    udp.on('error', (err) => { this.components.logger.warn({ err }, 'gossip UDP socket error') })
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject)
      udp.bind(this.init.port, this.init.address, () => { udp.off('error', reject); resolve() })
    })
    this.udp = udp
    const tcp = createServer((sock) => { this.serveStream(sock) })
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject)
      tcp.listen(this.init.port, this.init.address, () => { tcp.off('error', reject); resolve() })
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
    this.counters.udpFramesOut++
    this.counters.udpBytesOut += frame.length
    udp.send(frame, target.port, target.host, (err) => {
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
    if (target === undefined) { this.counters.sendErrors++; return }
    const sock = createConnection({ host: target.host, port: target.port })
    this.track(sock)
    sock.on('connect', () => {
      this.counters.streamFramesOut++
      this.counters.streamBytesOut += frame.length
      sock.write(frame)
      sock.end()
    })
    sock.on('error', (err) => {
      this.counters.sendErrors++
      this.components.reportPeerError?.(to, 'stream', err)
    })
    this.readFrames(sock, to, undefined)
  }

  private serveStream (sock: Socket): void {
    this.track(sock)
    const from = `${sock.remoteAddress ?? '?'}:${sock.remotePort ?? 0}`
    const reply: StreamReply = (frame) => {
      if (sock.destroyed || !sock.writable) return
      this.counters.streamFramesOut++
      this.counters.streamBytesOut += frame.length
      sock.write(frame)
    }
    sock.on('error', () => {})
    this.readFrames(sock, from, reply)
    // The requester half-closes after its request; we answer synchronously, then close.
    sock.on('end', () => { sock.end() })
  }

  private track (sock: Socket): void {
    this.open.add(sock)
    sock.setTimeout(STREAM_TIMEOUT_MS, () => sock.destroy())
    sock.on('close', () => { this.open.delete(sock) })
  }

  /** Splits a byte stream into frames; a bad header or an oversized frame ends the connection. */
  private readFrames (sock: Socket, from: string, reply: StreamReply | undefined): void {
    let pending: Buffer = Buffer.alloc(0)
    sock.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      while (pending.length >= FRAME_HEADER_LEN) {
        const len = pending.readUInt32BE(2)
        if (len > MAX_STREAM_FRAME_BYTES) {
          this.counters.badFrames++
          sock.destroy()
          return
        }
        if (pending.length < FRAME_HEADER_LEN + len) break
        const frame = pending.subarray(0, FRAME_HEADER_LEN + len)
        pending = pending.subarray(FRAME_HEADER_LEN + len)
        this.counters.streamFramesIn++
        this.counters.streamBytesIn += frame.length
        this.deliver(frame, from, reply)
      }
    })
  }

  private receiveDatagram (msg: Buffer, from: string): void {
    this.counters.udpFramesIn++
    this.counters.udpBytesIn += msg.length
    if (msg.length < FRAME_HEADER_LEN || msg.readUInt32BE(2) !== msg.length - FRAME_HEADER_LEN) {
      this.counters.badFrames++
      return
    }
    this.deliver(msg, from, undefined)
  }

  private deliver (frame: Buffer, from: string, reply: StreamReply | undefined): void {
    try {
      this.handler(frame.readUInt16BE(0), frame, from, reply)
    } catch (err) {
      // A handler bug must not take the listener down; count it and say it once per frame.
      this.counters.badFrames++
      this.components.logger.error({ err, from }, 'gossip frame handler failed')
    }
  }
}

/** "1.2.3.4:6783" -> { host, port }; undefined when malformed. */
export function splitHostPort (s: string): { host: string; port: number } | undefined {
  const i = s.lastIndexOf(':')
  if (i <= 0) return undefined
  const port = Number(s.slice(i + 1))
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined
  return { host: s.slice(0, i), port }
}

/** Wraps a body in a frame with the given magic. */
export function frame (magic: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_LEN + body.length)
  out.writeUInt16BE(magic, 0)
  out.writeUInt32BE(body.length, 2)
  out.set(body, FRAME_HEADER_LEN)
  return out
}
