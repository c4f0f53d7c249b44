/**
 * Per-peer crypto state: the keypairs (next / current / previous), the pending handshake, the
 * initiation replay and rate guards, the cookie, the staged queue, and WireGuard's timers
 * (wireguard-go device/timers.go) expressed as deadlines that `SessionTable.tick` checks.
 * Plain data plus small transitions; the table decides when to send.
 */
import {
  KEEPALIVE_TIMEOUT, REJECT_AFTER_TIME, REKEY_TIMEOUT, STAGED_QUEUE_LEN,
} from './constants'
import { cookieKey, mac1Key } from './cookie'
import type { InitiatorState } from './handshake'
import { Keypair } from './keypair'
import { REJECT_AFTER_MESSAGES } from './replay-window'

/** The handshake state shown in status. */
export type HandshakeState = 'none' | 'initiated' | 'established'

export class PeerSession {
  readonly mac1Key: Buffer
  readonly cookieKey: Buffer
  current: Keypair | undefined
  previous: Keypair | undefined
  /** A responder's new keypair, waiting for the initiator's first packet on it. */
  next: Keypair | undefined
  handshake: InitiatorState | undefined
  /** Last initiation sent (its mac1, for a cookie reply's AAD; and when, for the rate limit). */
  lastMac1Sent: Buffer | undefined
  lastInitiationSentAt = -Infinity
  /** Cookie from a cookie reply and when it arrived (valid COOKIE_REFRESH_TIME). */
  cookie: Buffer | undefined
  cookieAt = 0
  /** Newest initiation timestamp accepted from this peer (TAI64N), and when. */
  lastTimestamp: Buffer = Buffer.alloc(12)
  lastInitiationConsumedAt = -Infinity
  /** Timer deadlines (0 = not armed), as wireguard-go's timers. */
  retransmitAt = 0
  newHandshakeAt = 0
  keepaliveAt = 0
  /**
   * Last authenticated packet sent or received (wireguard-go's AnyAuthenticatedPacketTraversal):
   * the persistent keepalive goes out when this is older than its interval. Never moved by a
   * packet that failed authentication.
   */
  lastTraversalAt = -Infinity
  zeroKeysAt = 0
  attempts = 0
  sentLastMinuteHandshake = false
  /** The preshared keys changed: start a handshake at the next chance (see setPresharedKeys). */
  rekeyWanted = false
  /** Observability. */
  lastHandshakeAt = 0
  rekeys = 0
  handshakesCompleted = 0
  /** Staged packets (copies: [16 bytes of room][inner packet][16 bytes of room]), oldest first. */
  readonly staged: Buffer[] = []
  stagedDropped = 0

  constructor (
    readonly publicKey: Buffer,
    public nodeName: string,
    /** Loom's node index of this peer (how the route table names it). */
    public nodeIndex: number,
    /** Where to send: the latest underlay endpoint known for the peer. */
    public addressU32: number,
    public port: number
  ) {
    this.mac1Key = mac1Key(publicKey)
    this.cookieKey = cookieKey(publicKey)
  }

  /** The keypair to send with now, or undefined if a handshake is needed first. */
  sendingKeypair (now: number): Keypair | undefined {
    const kp = this.current
    if (kp === undefined || now - kp.createdAt >= REJECT_AFTER_TIME ||
      kp.sendCounter >= REJECT_AFTER_MESSAGES) return undefined
    return kp
  }

  /** Keeps a copy of an outbound packet until a session exists; the oldest goes when full. */
  stage (buf: Buffer, innerStart: number, innerLen: number, headerLen: number, trailerLen: number): void {
    if (this.staged.length >= STAGED_QUEUE_LEN) {
      this.staged.shift()
      this.stagedDropped++
    }
    const copy = Buffer.allocUnsafe(headerLen + innerLen + trailerLen)
    buf.copy(copy, headerLen, innerStart, innerStart + innerLen)
    this.staged.push(copy)
  }

  /** A finished handshake's keypair, placed as wireguard-go's BeginSymmetricSession does. */
  install (kp: Keypair, removed: (k: Keypair) => void): void {
    const drop = (k: Keypair | undefined): void => { if (k !== undefined) removed(k) }
    if (kp.isInitiator) {
      if (this.next !== undefined) {
        drop(this.previous)
        this.previous = this.next
        this.next = undefined
        drop(this.current)
      } else {
        drop(this.previous)
        this.previous = this.current
      }
      this.current = kp
    } else {
      drop(this.next)
      drop(this.previous)
      this.previous = undefined
      this.next = kp
    }
  }

  /** First authenticated packet on `kp`: if it is `next`, it becomes current. True on that rotation. */
  confirm (kp: Keypair, removed: (k: Keypair) => void): boolean {
    if (kp !== this.next) return false
    if (this.previous !== undefined) removed(this.previous)
    this.previous = this.current
    this.current = kp
    this.next = undefined
    return true
  }

  /** Handshake complete (either role): stop retrying, note the time. */
  handshakeComplete (now: number): void {
    this.retransmitAt = 0
    this.attempts = 0
    this.sentLastMinuteHandshake = false
    if (this.lastHandshakeAt !== 0) this.rekeys++
    this.lastHandshakeAt = now
    this.handshakesCompleted++
  }

  /** After an authenticated data packet was sent: expect an answer within keepalive + rekey timeout. */
  dataSent (now: number, jitter: number): void {
    if (this.newHandshakeAt === 0) this.newHandshakeAt = now + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter
  }

  /** After an authenticated data packet was received: owe the peer a keepalive unless we send first. */
  dataReceived (now: number): void {
    if (this.keepaliveAt === 0) this.keepaliveAt = now + KEEPALIVE_TIMEOUT
  }

  /** Any authenticated packet sent (data, keepalive, handshake) cancels the owed keepalive. */
  anySent (now: number): void {
    this.keepaliveAt = 0
    this.lastTraversalAt = now
  }

  /** Any authenticated packet received: the peer is alive, no new handshake needed for silence. */
  anyReceived (now: number): void {
    this.newHandshakeAt = 0
    this.lastTraversalAt = now
  }

  state (now: number): HandshakeState {
    if (this.sendingKeypair(now) !== undefined || this.next !== undefined) return 'established'
    return this.handshake !== undefined ? 'initiated' : 'none'
  }

  /** Forgets all keys (zeroKeyMaterial timer, or the peer left). */
  clear (removed: (k: Keypair) => void): void {
    for (const k of [this.current, this.previous, this.next]) if (k !== undefined) removed(k)
    this.current = this.previous = this.next = undefined
    this.handshake = undefined
    this.staged.length = 0
    this.retransmitAt = this.newHandshakeAt = this.keepaliveAt = this.zeroKeysAt = 0
  }
}
