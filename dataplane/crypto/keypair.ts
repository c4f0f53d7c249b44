/**
 * One transport session (wireguard-go's Keypair): the two directional keys a handshake derived,
 * the send counter, the receive replay window, and who initiated (only the initiator rekeys on
 * time; a responder's key is usable for sending only once the initiator has used it — key
 * confirmation, see PeerSession.confirm).
 */
import type { PeerSession } from './peer-session'
import { ReplayWindow } from './replay-window'

export class Keypair {
  /** Next counter to send (also the count sent so far). */
  sendCounter = 0
  readonly replay = new ReplayWindow()

  constructor (
    readonly sendKey: Buffer,
    readonly recvKey: Buffer,
    readonly isInitiator: boolean,
    /** The index we chose (peers put it in their transport messages to us). */
    readonly localIndex: number,
    /** The index the peer chose (we put it in our transport messages). */
    readonly remoteIndex: number,
    readonly createdAt: number,
    readonly peer: PeerSession
  ) {}

  /** Wipes the keys (the object stays referenced by nobody once removed from its peer and the index table). */
  destroy (): void {
    this.sendKey.fill(0)
    this.recvKey.fill(0)
  }
}
