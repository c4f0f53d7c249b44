/**
 * The encrypted `udp` encapsulation: WireGuard's wire protocol (secure-transport.md §3), so a
 * stock WireGuard peer interoperates. The UDP payload is a WireGuard message:
 *   type 1 initiation, 2 response, 3 cookie reply (handshake.ts, cookie.ts), or
 *   type 4 transport: 4 | 0 0 0 | receiver index u32 LE | counter u64 LE | ChaCha20-Poly1305(inner IP packet) ‖ tag
 * The inner packet is not padded to 16 (WireGuard's padding is optional for the receiver; it
 * only costs bandwidth); overhead = IPv4 20 + UDP 8 + header 16 + tag 16 = 60 bytes.
 *
 * What the forwarder sees is the Encapsulation interface: `encapsulate` seals in place (or stages
 * the packet and starts a handshake when there is no session: then it returns ENCAP_HELD),
 * `decapsulate` opens in place, and handshake messages are answered through the reply slot
 * (to the sender's address) or the side channel `attach` gives (initiations, keepalives, staged
 * packets). Timers run in `tick`, which the owner calls every TICK_MS.
 *
 * Inbound order (§4.3): length and type → session by receiver index → replay window check (no
 * state change) → AEAD open → mark the counter → key confirmation and timers. The forwarder
 * calls openAhead on each receive batch first: it runs the same checks up to the AEAD on every
 * transport message of the batch, without changing any state, and opens those that pass in
 * openBatch calls of up to 128 (one JS->C crossing per 128 packets instead of one each);
 * decapsulate then takes each result in order, re-checks the window and marks it. A forged,
 * replayed, unknown-session or expired packet changes nothing and is counted (auth, replay,
 * unknown_session; an expired key's index is removed from the table by tick, so it counts as
 * unknown_session). Handshake messages: mac1 before any DH, cookie reply instead of DH under
 * load unless mac2 is valid, TAI64N newer than the last and at most 50 initiations per second
 * per peer.
 *
 * Roaming is not implemented: data goes to the endpoint the control plane gives (gossip or the
 * static peers list); handshake replies go to where the handshake came from.
 */
import { randomInt } from 'node:crypto'
import type { Decapsulated, Encapsulation, PeerDirectory, PeerRoute } from '../types'
import { Drop, ENCAP_HELD } from '../types'
import { inspectIPv4Packet } from '../ipv4'
import {
  AEAD_TAG_LEN, COOKIE_REFRESH_TIME, COOKIE_REPLY_LEN, INITIATION_LEN, KEEPALIVE_LEN, KEEPALIVE_TIMEOUT,
  MAC_LEN, MAX_HANDSHAKE_ATTEMPTS, MSG_COOKIE_REPLY, MSG_INITIATION, MSG_RESPONSE, MSG_TRANSPORT,
  REJECT_AFTER_TIME, REKEY_AFTER_MESSAGES, REKEY_AFTER_TIME, REKEY_TIMEOUT, REKEY_TIMEOUT_JITTER,
  RESPONSE_LEN, TRANSPORT_HEADER_LEN, HANDSHAKE_INITIATION_RATE,
} from './constants'
import { checkMac1, consumeCookieReply, CookieChecker, mac1Key, writeMacs } from './cookie'
import { consumeInitiation, consumeResponse, createInitiation, createResponse } from './handshake'
import { Keypair } from './keypair'
import { PeerSession } from './peer-session'
import type { HandshakeState } from './peer-session'
import type { StaticKeyPair } from './primitives'
import { tai64nAfter } from './tai64n'
import { AEAD_BATCH, AeadBatch, defaultAead, TransportAead } from './transport-aead'

/**
 * Transport messages openAhead opens per receive batch: a full one (MAX_BATCH messages, each a
 * UDP GRO train of up to 64 datagrams). Any beyond are opened one at a time by decapsulate.
 */
const OPEN_AHEAD_SLOTS = 128 * 64

/** How often the owner should call tick (ms). */
export const TICK_MS = 100
/** Handshake messages per second above which the responder asks for cookies (wireguard-go: a queue 1/8 full). */
export const DEFAULT_UNDER_LOAD_THRESHOLD = 128

/** Sends one datagram now; false if the socket refused it. */
export type SendDatagram = (buf: Buffer, off: number, len: number, addressU32: number, port: number) => boolean

export interface Clock {
  /** Milliseconds, monotonic (timers). */
  now(): number
  /** Wall-clock milliseconds since 1970 (TAI64N timestamps). */
  wallMs(): number
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  wallMs: () => Date.now(),
}

export const HANDSHAKE_RESULTS = [
  'completed', 'responded', 'bad_mac', 'invalid', 'unknown_peer', 'replay', 'rate_limited', 'cookie_sent', 'timeout',
] as const
export type HandshakeResult = (typeof HANDSHAKE_RESULTS)[number]

export interface CryptoStats {
  /** Handshake messages received by outcome, and our own handshakes given up (`timeout`). */
  readonly handshakes: Record<HandshakeResult, number>
  initiationsSent: number
  cookieRepliesSent: number
  cookieRepliesReceived: number
  keepalivesSent: number
  /** Of keepalivesSent, those the persistent keepalive sent (the rest answer one-way traffic). */
  persistentKeepalivesSent: number
  /** Staged packets pushed out by newer ones while waiting for a handshake. */
  stagedDropped: number
}

export interface PeerCryptoStatus {
  nodeName: string
  publicKey: string
  handshake: HandshakeState
  /** Seconds since the last completed handshake, null if never. */
  lastHandshakeAgeSeconds: number | null
  /** Age of the key we send with, null if none. */
  currentKeyAgeSeconds: number | null
  rekeys: number
  handshakes: number
}

export interface SecureEncapsulationInit {
  staticKey: StaticKeyPair
  /** The cluster secret's keys; [0] is mixed as responder, all are tried as initiator. */
  presharedKeys: readonly Buffer[]
  aead?: TransportAead
  clock?: Clock
  /** Uniform [0, 1) for jitter; Math.random by default. */
  random?: () => number
  underLoadThreshold?: number
  /**
   * WireGuard's PersistentKeepalive (ms; 0 = off, the default): a keepalive to each peer whenever
   * no authenticated packet went either way for this long, and a handshake at once with a peer
   * that has no session, so a NAT or stateful firewall on the path keeps its mapping.
   */
  persistentKeepaliveMs?: number
}

export class SecureEncapsulation implements Encapsulation {
  readonly kind = 'udp' as const
  readonly headerLen = TRANSPORT_HEADER_LEN
  readonly trailerLen = AEAD_TAG_LEN
  readonly overhead = 28 + TRANSPORT_HEADER_LEN + AEAD_TAG_LEN
  readonly stats: CryptoStats = {
    handshakes: Object.fromEntries(HANDSHAKE_RESULTS.map((r) => [r, 0])) as Record<HandshakeResult, number>,
    initiationsSent: 0,
    cookieRepliesSent: 0,
    cookieRepliesReceived: 0,
    keepalivesSent: 0,
    persistentKeepalivesSent: 0,
    stagedDropped: 0,
  }

  private readonly local: StaticKeyPair
  private readonly ownMac1Key: Buffer
  private psks: readonly Buffer[]
  private readonly aead: TransportAead
  private readonly clock: Clock
  private readonly random: () => number
  private readonly cookies: CookieChecker
  private readonly underLoadThreshold: number
  private readonly persistentKeepaliveMs: number
  private readonly byKey = new Map<string, PeerSession>()
  private byRoute = new Map<PeerRoute, PeerSession>()
  /** The index table: our local index -> keypair (int32 keys, as route-table.ts explains). */
  private readonly keypairs = new Map<number, Keypair>()
  /** Our pending initiations: local index -> peer. */
  private readonly pending = new Map<number, PeerSession>()
  private send: SendDatagram = () => false
  private now: number
  private loadWindowStart = 0
  private loadCount = 0
  private readonly keepalive = Buffer.alloc(KEEPALIVE_LEN)
  /**
   * Data seals queued by encapsulate once the forwarder has called deferUntilFlush: sealed by
   * flush() in one sealBatch call (a JS->C call per packet was ~6 % of the sender in
   * bench/results/2026-12-02-profile.md).
   */
  private deferSeals = false
  private readonly sealing = new AeadBatch()
  /**
   * openAhead's results for the receive batch in hand, in datagram order: entry k is the region
   * at aheadBufs[k][aheadAts[k] + 16, +lengths) of keypair aheadKeypairs[k] with that counter,
   * aheadOk[k] = 1 if it authenticated (and is now plaintext). decapsulate takes them from
   * aheadNext on, each at most once; endInbound (or the next openAhead) drops the rest.
   */
  private aheadCount = 0
  /** What the last checkTransport that passed found: the message's keypair and counter. */
  private checkedKeypair: Keypair | undefined = undefined
  private checkedCounter = 0
  private aheadNext = 0
  private readonly aheadKeypairs: Array<Keypair | undefined> = new Array<Keypair | undefined>(OPEN_AHEAD_SLOTS)
  private readonly aheadBufs: Array<Buffer | undefined> = new Array<Buffer | undefined>(OPEN_AHEAD_SLOTS)
  private readonly aheadAts = new Int32Array(OPEN_AHEAD_SLOTS)
  private readonly aheadCounters = new Float64Array(OPEN_AHEAD_SLOTS)
  private readonly aheadOk = new Uint8Array(OPEN_AHEAD_SLOTS)
  private readonly opening = new AeadBatch()
  private readonly removeKeypair = (k: Keypair): void => {
    if (this.keypairs.get(k.localIndex | 0) === k) this.keypairs.delete(k.localIndex | 0)
    k.destroy()
  }

  constructor (init: SecureEncapsulationInit) {
    if (init.presharedKeys.length === 0) throw new RangeError('secure encapsulation: at least one preshared key')
    this.local = init.staticKey
    this.ownMac1Key = mac1Key(init.staticKey.publicKey)
    this.psks = init.presharedKeys
    this.aead = init.aead ?? defaultAead()
    this.clock = init.clock ?? systemClock
    this.random = init.random ?? Math.random
    this.now = this.clock.now()
    this.cookies = new CookieChecker(init.staticKey.publicKey, this.now)
    this.underLoadThreshold = init.underLoadThreshold ?? DEFAULT_UNDER_LOAD_THRESHOLD
    this.persistentKeepaliveMs = init.persistentKeepaliveMs ?? 0
  }

  get publicKey (): Buffer {
    return this.local.publicKey
  }

  get aeadName (): string {
    return this.aead.name
  }

  /** The side channel for datagrams the encapsulation originates (the forwarder provides it). */
  attach (send: SendDatagram): void {
    this.send = send
  }

  /**
   * New cluster secret keys (a rotation step). Running sessions keep working; every session we
   * initiated is rekeyed soon (at most one initiation per RekeyTimeout), so the new primary is in
   * use within seconds and a peer that lacks every key we hold shows up at once as
   * handshakes{result="invalid"} while the old session still carries traffic.
   */
  setPresharedKeys (keys: readonly Buffer[]): void {
    if (keys.length === 0) throw new RangeError('secure encapsulation: at least one preshared key')
    this.psks = keys
    // Only the side that initiated the current session rekeys (as with RekeyAfterTime): two
    // simultaneous handshakes could retire the key the peer is still sending with.
    for (const s of this.byKey.values()) if (s.current?.isInitiator === true) s.rekeyWanted = true
  }

  /**
   * Brings the peer set in line with the routes' peers (called with each new route table):
   * sessions are keyed by public key, so a peer whose address changes keeps its session; a
   * peer that disappears, or whose key changes, loses it.
   */
  syncPeers (routes: readonly PeerRoute[]): void {
    const seen = new Set<string>()
    const byRoute = new Map<PeerRoute, PeerSession>()
    for (const r of routes) {
      if (r.publicKey === undefined) continue
      const k = r.publicKey.toString('base64')
      seen.add(k)
      let s = this.byKey.get(k)
      if (s === undefined) {
        s = new PeerSession(Buffer.from(r.publicKey), r.nodeName, r.index, r.addressU32, r.port)
        this.byKey.set(k, s)
      } else {
        s.nodeName = r.nodeName
        s.nodeIndex = r.index
        s.addressU32 = r.addressU32
        s.port = r.port
      }
      byRoute.set(r, s)
    }
    for (const [k, s] of this.byKey) {
      if (seen.has(k)) continue
      this.forgetPending(s)
      s.clear(this.removeKeypair)
      this.byKey.delete(k)
    }
    this.byRoute = byRoute
  }

  // ------------------------------------------------------------------------------------------
  // Outbound (hot path)

  encapsulate (buf: Buffer, innerStart: number, innerLen: number, peer: PeerRoute): number {
    const s = this.byRoute.get(peer)
    if (s === undefined) return -Drop.UnknownSession
    const now = this.now
    const kp = s.sendingKeypair(now)
    if (kp === undefined) {
      s.stage(buf, innerStart, innerLen, TRANSPORT_HEADER_LEN, AEAD_TAG_LEN)
      this.sendInitiation(s, false)
      return ENCAP_HELD
    }
    const start = innerStart - TRANSPORT_HEADER_LEN
    this.sealInto(kp, buf, start, innerLen, this.deferSeals)
    s.anySent(now)
    s.dataSent(now, this.jitter())
    if (kp.isInitiator
      ? (now - kp.createdAt >= REKEY_AFTER_TIME ||
      kp.sendCounter >= REKEY_AFTER_MESSAGES)
      : kp.sendCounter >= REKEY_AFTER_MESSAGES) {
      this.sendInitiation(s, false)
    }
    return start
  }

  deferUntilFlush (): void {
    this.deferSeals = true
  }

  /** Seals what encapsulate queued (the forwarder calls it before sending). */
  flush (): void {
    if (this.sealing.count === 0) return
    this.sealing.seal(this.aead)
    this.sealing.clear()
  }

  /**
   * Writes the transport header at buf[start] and seals the len bytes after it in place, now or
   * (later) in the next flush.
   */
  private sealInto (kp: Keypair, buf: Buffer, start: number, len: number, later = false): void {
    const counter = kp.sendCounter++
    buf[start] = MSG_TRANSPORT
    buf[start + 1] = 0
    buf[start + 2] = 0
    buf[start + 3] = 0
    buf.writeUInt32LE(kp.remoteIndex, start + 4)
    buf.writeUInt32LE(counter >>> 0, start + 8)
    buf.writeUInt32LE(Math.floor(counter / 0x100000000), start + 12)
    if (!later) {
      this.aead.seal(kp.sendKey, buf, start + TRANSPORT_HEADER_LEN, len, counter)
      return
    }
    if (this.sealing.count === AEAD_BATCH) this.flush()
    this.sealing.add(kp.sendKey, buf, start + TRANSPORT_HEADER_LEN, len, counter)
  }

  // ------------------------------------------------------------------------------------------
  // Inbound

  /** The datagram is buf[at, at + len) (at > 0 inside a UDP GRO train). */
  decapsulate (buf: Buffer, len: number, srcAddressU32: number, peers: PeerDirectory, out: Decapsulated,
    at = 0, srcPort = 0): Drop {
    if (len < 4 || at < 0 || at + len > buf.length || buf[at + 1] !== 0 || buf[at + 2] !== 0 ||
      buf[at + 3] !== 0) return Drop.Malformed
    out.innerLen = 0
    out.replyLen = 0
    switch (buf[at]) {
      case MSG_TRANSPORT: return this.openTransport(buf, at, len, peers, out)
      // Handshake messages (rare) are handled as views of exactly their length; replies are
      // written back into buf at the same place.
      case MSG_INITIATION: return len === INITIATION_LEN
        ? this.onInitiation(buf.subarray(at, at + len), srcAddressU32,
          srcPort, out, at)
        : Drop.Malformed
      case MSG_RESPONSE: return len === RESPONSE_LEN
        ? this.onResponse(buf.subarray(at, at + len), srcAddressU32,
          srcPort, out, at)
        : Drop.Malformed
      case MSG_COOKIE_REPLY: return len === COOKIE_REPLY_LEN
        ? this.onCookieReply(buf.subarray(at,
          at + len))
        : Drop.Malformed
      default: return Drop.Malformed
    }
  }

  /**
   * Opens, ahead of decapsulate, every transport message of a receive batch that passes the
   * checks decapsulate makes before the AEAD (length, type, known and unexpired session, counter
   * inside the replay window); changes no state but the opened regions' bytes. The datagrams are
   * walked as the forwarder walks them: message i is bufs[i][0, sizes[i]), cut every segments[i]
   * bytes when segments is given and segments[i] > 0 (a UDP GRO train). The caller must then
   * decapsulate those datagrams in the same order, and call endInbound after the last.
   */
  openAhead (bufs: Buffer[], sizes: Int32Array, segments: Int32Array | undefined, count: number): void {
    this.endInbound()
    let q = 0
    for (let i = 0; i < count && q < OPEN_AHEAD_SLOTS; i++) {
      const buf = bufs[i]
      const size = sizes[i]
      if (size <= 0) continue
      const step = segments !== undefined && segments[i] > 0 ? segments[i] : size
      for (let at = 0; at < size && q < OPEN_AHEAD_SLOTS; at += step) {
        const len = size - at < step ? size - at : step
        if (len < TRANSPORT_HEADER_LEN + AEAD_TAG_LEN || buf[at] !== MSG_TRANSPORT || buf[at + 1] !== 0 ||
          buf[at + 2] !== 0 || buf[at + 3] !== 0 || this.checkTransport(buf, at) !== Drop.None) continue
        const kp = this.checkedKeypair!
        const counter = this.checkedCounter
        this.aheadKeypairs[q] = kp
        this.aheadBufs[q] = buf
        this.aheadAts[q] = at
        this.aheadCounters[q] = counter
        this.opening.add(kp.recvKey, buf, at + TRANSPORT_HEADER_LEN, len - TRANSPORT_HEADER_LEN, counter)
        q++
        if (this.opening.count === AEAD_BATCH) this.openQueuedAhead(q)
      }
    }
    this.openQueuedAhead(q)
    this.aheadCount = q
  }

  /** Opens the regions queued by openAhead; their results go to entries [q - queued, q). */
  private openQueuedAhead (q: number): void {
    const b = this.opening
    const n = b.count
    if (n === 0) return
    b.open(this.aead)
    for (let k = 0; k < n; k++) this.aheadOk[q - n + k] = b.ok[k]
    b.clear()
  }

  /** Forgets what openAhead opened and decapsulate has not taken (the receive batch is done). */
  endInbound (): void {
    for (let k = 0; k < this.aheadCount; k++) {
      this.aheadKeypairs[k] = undefined
      this.aheadBufs[k] = undefined
    }
    this.aheadCount = 0
    this.aheadNext = 0
  }

  /** openAhead's entry for the datagram at buf[at] (taken: -1 afterwards), or -1 if it has none. */
  private takeAhead (buf: Buffer, at: number): number {
    const k = this.aheadNext
    if (k >= this.aheadCount || this.aheadBufs[k] !== buf || this.aheadAts[k] !== at) return -1
    this.aheadNext = k + 1
    this.aheadBufs[k] = undefined
    return k
  }

  /**
   * The AEAD open of the transport message at buf[at, +len): openAhead's result `ahead` when it
   * opened this very region, else one open now.
   */
  private openRegion (kp: Keypair, buf: Buffer, at: number, len: number, counter: number, ahead: number): boolean {
    if (ahead >= 0) {
      // Another keypair or counter under the same header cannot happen within one batch; if it
      // did, the region may already be plaintext of another key: refuse it.
      return this.aheadOk[ahead] === 1 && this.aheadKeypairs[ahead] === kp && this.aheadCounters[ahead] === counter
    }
    return this.aead.open(kp.recvKey, buf, at + TRANSPORT_HEADER_LEN, len - TRANSPORT_HEADER_LEN, counter)
  }

  /**
   * The checks of a transport message at buf[at] (header and tag present) before its AEAD open,
   * changing no state: a known, unexpired session (else unknown_session) and a counter under
   * the limit inside its replay window (else replay). On Drop.None, checkedKeypair and
   * checkedCounter are the message's. openAhead and openTransport share it, so the two cannot
   * disagree on what is worth opening.
   */
  private checkTransport (buf: Buffer, at: number): Drop {
    const kp = this.keypairs.get(buf.readInt32LE(at + 4))
    if (kp === undefined || this.now - kp.createdAt >= REJECT_AFTER_TIME) return Drop.UnknownSession
    const hi = buf.readUInt32LE(at + 12)
    const counter = buf.readUInt32LE(at + 8) + hi * 0x100000000
    if (hi >= 0x200000 || !kp.replay.check(counter)) return Drop.Replay
    this.checkedKeypair = kp
    this.checkedCounter = counter
    return Drop.None
  }

  private openTransport (buf: Buffer, at: number, len: number, peers: PeerDirectory, out: Decapsulated): Drop {
    if (len < TRANSPORT_HEADER_LEN + AEAD_TAG_LEN) return Drop.Malformed
    // Taken first, so that a datagram dropped below (e.g. a duplicate in the same batch) does not
    // leave its entry in the way of the next one's.
    const ahead = this.takeAhead(buf, at)
    const checked = this.checkTransport(buf, at)
    if (checked !== Drop.None) return checked
    const kp = this.checkedKeypair!
    const counter = this.checkedCounter
    const now = this.now
    const plainLen = len - TRANSPORT_HEADER_LEN - AEAD_TAG_LEN
    if (!this.openRegion(kp, buf, at, len, counter, ahead)) return Drop.Auth
    if (!kp.replay.mark(counter)) return Drop.Replay
    const s = kp.peer
    if (s.confirm(kp, this.removeKeypair)) {
      s.handshakeComplete(now)
      this.flushStaged(s)
    }
    s.anyReceived(now)
    if (kp === s.current && kp.isInitiator && !s.sentLastMinuteHandshake &&
      now - kp.createdAt >= REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT) {
      s.sentLastMinuteHandshake = true
      this.sendInitiation(s, false)
    }
    if (plainLen === 0) return Drop.None // keepalive: consumed
    s.dataReceived(now)
    const total = inspectIPv4Packet(buf, at + TRANSPORT_HEADER_LEN, plainLen)
    if (total < 0) return -total as Drop
    const route = peers.peerByIndex(s.nodeIndex)
    if (route === undefined) return Drop.UnknownSession
    out.innerStart = at + TRANSPORT_HEADER_LEN
    out.innerLen = total
    out.peer = route
    return Drop.None
  }

  /** Counts a handshake message and says whether we are under load (cookies required). */
  private underLoad (): boolean {
    const now = this.now
    if (now - this.loadWindowStart >= 1000) {
      this.loadWindowStart = now
      this.loadCount = 0
    }
    return ++this.loadCount > this.underLoadThreshold
  }

  /** mac1, then (under load) mac2 or a cookie reply. Drop.None = go on with the DH. */
  private admit (msg: Buffer, srcAddressU32: number, srcPort: number, out: Decapsulated, at: number): Drop | 'reply' {
    if (!checkMac1(msg, this.ownMac1Key)) { this.stats.handshakes.bad_mac++; return Drop.Auth }
    if (this.underLoad() && !this.cookies.checkMac2(msg, srcAddressU32, srcPort, this.now)) {
      const reply = this.cookies.createReply(msg, srcAddressU32, srcPort, this.now)
      // The reply (64 bytes) replaces the message (148 or 92) in place.
      reply.copy(msg, 0)
      out.replyStart = at
      out.replyLen = reply.length
      this.stats.handshakes.cookie_sent++
      this.stats.cookieRepliesSent++
      return 'reply'
    }
    return Drop.None
  }

  private onInitiation (msg: Buffer, srcAddressU32: number, srcPort: number, out: Decapsulated, at: number): Drop {
    const admitted = this.admit(msg, srcAddressU32, srcPort, out, at)
    if (admitted === 'reply') return Drop.None
    if (admitted !== Drop.None) return admitted
    const init = consumeInitiation(this.local, msg)
    if (init === null) { this.stats.handshakes.invalid++; return Drop.Auth }
    const s = this.byKey.get(init.remoteStatic.toString('base64'))
    if (s === undefined) { this.stats.handshakes.unknown_peer++; return Drop.Auth }
    if (!tai64nAfter(init.timestamp, s.lastTimestamp)) { this.stats.handshakes.replay++; return Drop.Replay }
    const now = this.now
    if (now - s.lastInitiationConsumedAt < HANDSHAKE_INITIATION_RATE) {
      this.stats.handshakes.rate_limited++; return Drop.Replay
    }
    const index = this.newIndex()
    const resp = createResponse(init, index, this.psks[0])
    if (resp === null) { this.stats.handshakes.invalid++; return Drop.Auth }
    s.lastTimestamp = init.timestamp
    s.lastInitiationConsumedAt = now
    writeMacs(resp.message, s.mac1Key, this.validCookie(s))
    const kp = new Keypair(resp.keys.sendKey, resp.keys.recvKey, false, index, init.remoteIndex, now, s)
    this.keypairs.set(index | 0, kp)
    s.install(kp, this.removeKeypair)
    s.zeroKeysAt = now + 3 * REJECT_AFTER_TIME
    s.anySent(now)
    s.anyReceived(now)
    resp.message.copy(msg, 0) // 92 bytes over the 148 of the initiation
    out.replyStart = at
    out.replyLen = resp.message.length
    this.stats.handshakes.responded++
    return Drop.None
  }

  private onResponse (msg: Buffer, srcAddressU32: number, srcPort: number, out: Decapsulated, at: number): Drop {
    const admitted = this.admit(msg, srcAddressU32, srcPort, out, at)
    if (admitted === 'reply') return Drop.None
    if (admitted !== Drop.None) return admitted
    const index = msg.readUInt32LE(8)
    const s = this.pending.get(index | 0)
    if (s === undefined || s.handshake === undefined) { this.stats.handshakes.invalid++; return Drop.UnknownSession }
    const done = consumeResponse(this.local, s.handshake, msg, this.psks)
    if (done === null) { this.stats.handshakes.invalid++; return Drop.Auth }
    const now = this.now
    this.pending.delete(index | 0)
    s.handshake = undefined
    const kp = new Keypair(done.keys.sendKey, done.keys.recvKey, true, index, done.remoteIndex, now, s)
    this.keypairs.set(index | 0, kp)
    s.install(kp, this.removeKeypair)
    s.zeroKeysAt = now + 3 * REJECT_AFTER_TIME
    s.handshakeComplete(now)
    s.anyReceived(now)
    this.stats.handshakes.completed++
    // Key confirmation: the responder may send only after hearing from us on the new key.
    if (s.staged.length === 0) this.sendKeepalive(s)
    else this.flushStaged(s)
    return Drop.None
  }

  private onCookieReply (buf: Buffer): Drop {
    const index = buf.readInt32LE(4)
    const s = this.pending.get(index) ?? this.keypairs.get(index)?.peer
    if (s === undefined || s.lastMac1Sent === undefined) return Drop.UnknownSession
    const cookie = consumeCookieReply(buf, s.cookieKey, s.lastMac1Sent)
    if (cookie === null) return Drop.Auth
    s.cookie = cookie
    s.cookieAt = this.now
    this.stats.cookieRepliesReceived++
    return Drop.None
  }

  // ------------------------------------------------------------------------------------------
  // Handshake initiation, keepalives, staged packets (rare paths: these allocate)

  private validCookie (s: PeerSession): Buffer | null {
    return s.cookie !== undefined && this.now - s.cookieAt < COOKIE_REFRESH_TIME ? s.cookie : null
  }

  private jitter (): number {
    return Math.floor(this.random() * REKEY_TIMEOUT_JITTER)
  }

  private newIndex (): number {
    for (;;) {
      const i = randomInt(1, 0x100000000)
      if (!this.keypairs.has(i | 0) && !this.pending.has(i | 0)) return i
    }
  }

  private forgetPending (s: PeerSession): void {
    if (s.handshake !== undefined) this.pending.delete(s.handshake.localIndex | 0)
    s.handshake = undefined
  }

  /** wireguard-go SendHandshakeInitiation: at most one per REKEY_TIMEOUT per peer. */
  private sendInitiation (s: PeerSession, isRetry: boolean): void {
    const now = this.now
    if (!isRetry) s.attempts = 0
    if (now - s.lastInitiationSentAt < REKEY_TIMEOUT) return
    this.forgetPending(s)
    const index = this.newIndex()
    const made = createInitiation(this.local, s.publicKey, index, this.clock.wallMs())
    if (made === null) return
    writeMacs(made.message, s.mac1Key, this.validCookie(s))
    s.lastMac1Sent = Buffer.from(made.message.subarray(INITIATION_LEN - 2 * MAC_LEN, INITIATION_LEN - MAC_LEN))
    s.handshake = made.state
    this.pending.set(index | 0, s)
    s.lastInitiationSentAt = now
    s.retransmitAt = now + REKEY_TIMEOUT + this.jitter()
    s.anySent(now)
    this.stats.initiationsSent++
    this.send(made.message, 0, made.message.length, s.addressU32, s.port)
  }

  private sendKeepalive (s: PeerSession): void {
    const kp = s.sendingKeypair(this.now)
    if (kp === undefined) return
    this.sealInto(kp, this.keepalive, 0, 0)
    s.anySent(this.now)
    this.stats.keepalivesSent++
    this.send(this.keepalive, 0, KEEPALIVE_LEN, s.addressU32, s.port)
  }

  private flushStaged (s: PeerSession): void {
    const kp = s.sendingKeypair(this.now)
    if (kp === undefined) return
    while (s.staged.length > 0) {
      const p = s.staged.shift() as Buffer
      this.sealInto(kp, p, 0, p.length - TRANSPORT_HEADER_LEN - AEAD_TAG_LEN)
      this.send(p, 0, p.length, s.addressU32, s.port)
    }
    s.anySent(this.now)
    s.dataSent(this.now, this.jitter())
  }

  /** Runs the timers (call every TICK_MS; tests pass a fake time). */
  tick (now: number = this.clock.now()): void {
    this.now = now
    for (const s of this.byKey.values()) {
      if (s.retransmitAt !== 0 && now >= s.retransmitAt) {
        s.retransmitAt = 0
        if (s.attempts >= MAX_HANDSHAKE_ATTEMPTS) {
          this.stats.handshakes.timeout++
          this.forgetPending(s)
          this.stats.stagedDropped += s.staged.length
          s.staged.length = 0
          if (s.zeroKeysAt === 0) s.zeroKeysAt = now + 3 * REJECT_AFTER_TIME
        } else {
          s.attempts++
          this.sendInitiation(s, true)
        }
      }
      if (s.keepaliveAt !== 0 && now >= s.keepaliveAt) {
        s.keepaliveAt = 0
        this.sendKeepalive(s)
      }
      if (this.persistentKeepaliveMs > 0 && now - s.lastTraversalAt >= this.persistentKeepaliveMs) {
        // Without a session the keepalive waits for one (wireguard-go stages it): start the handshake.
        if (s.sendingKeypair(now) !== undefined) {
          this.sendKeepalive(s)
          this.stats.persistentKeepalivesSent++
        } else {
          this.sendInitiation(s, false)
        }
        s.lastTraversalAt = now // one attempt per interval even if nothing could be sent
      }
      if (s.newHandshakeAt !== 0 && now >= s.newHandshakeAt) {
        s.newHandshakeAt = 0
        this.sendInitiation(s, false)
      }
      if (s.rekeyWanted && now - s.lastInitiationSentAt >= REKEY_TIMEOUT) {
        s.rekeyWanted = false
        this.sendInitiation(s, false)
      }
      if (s.zeroKeysAt !== 0 && now >= s.zeroKeysAt) {
        this.forgetPending(s)
        s.clear(this.removeKeypair)
      }
      if (s.previous !== undefined && now - s.previous.createdAt >= REJECT_AFTER_TIME) {
        this.removeKeypair(s.previous); s.previous = undefined
      }
      if (s.current !== undefined && now - s.current.createdAt >= REJECT_AFTER_TIME) {
        this.removeKeypair(s.current); s.current = undefined
      }
      if (s.next !== undefined && now - s.next.createdAt >= REJECT_AFTER_TIME) {
        this.removeKeypair(s.next); s.next = undefined
      }
      if (s.staged.length > 0) this.flushStaged(s)
      this.stats.stagedDropped += s.stagedDropped
      s.stagedDropped = 0
    }
  }

  /** Sessions with a usable sending key (for the sessions gauge). */
  sessionCount (): number {
    let n = 0
    for (const s of this.byKey.values()) if (s.sendingKeypair(this.now) !== undefined) n++
    return n
  }

  rekeyCount (): number {
    let n = 0
    for (const s of this.byKey.values()) n += s.rekeys
    return n
  }

  peerStatus (): PeerCryptoStatus[] {
    const now = this.now
    return [...this.byKey.values()].map((s) => {
      const kp = s.sendingKeypair(now)
      return {
        nodeName: s.nodeName,
        publicKey: s.publicKey.toString('base64'),
        handshake: s.state(now),
        lastHandshakeAgeSeconds: s.lastHandshakeAt === 0 ? null : Math.round((now - s.lastHandshakeAt) / 100) / 10,
        currentKeyAgeSeconds: kp === undefined ? null : Math.round((now - kp.createdAt) / 100) / 10,
        rekeys: s.rekeys,
        handshakes: s.handshakesCompleted,
      }
    })
  }
}
