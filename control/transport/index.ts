/**
 * control/transport/: how gossip bytes cross the underlay. One UDP socket and one TCP listener
 * on the gossip port (gossip-transport.ts), every frame sealed with a key of the cluster secret
 * (gossip-seal.ts) and refused when replayed (gossip-replay.ts), and the membership wire
 * format: GossipPacket <-> validated values, never throwing on remote input (gossip-codec.ts,
 * schema in ../proto/gossip.proto).
 *
 * Read gossip-transport.ts first (what a frame is, the bounds on the port), then gossip-seal.ts.
 * Nothing here decides anything about members or blocks; the rooms above hand it frames.
 */
export {
  GossipTransport, isWholeFrame, newTransportCounters, openFrame, splitHostPort, FRAME_REJECT_REASONS,
} from './gossip-transport'
export type {
  FrameHandler, FrameRejectReason, FrameTransport, GossipTransportComponents, GossipTransportInit, StreamReply,
  TransportCounters,
} from './gossip-transport'
export { GossipKeyring, SEALED_FRAME_MAGIC, SEAL_OVERHEAD } from './gossip-seal'
export type { OpenFailure } from './gossip-seal'
export { GossipReplayGuard } from './gossip-replay'
export type { ReplayVerdict } from './gossip-replay'
export {
  decodeGossipPacket, encodeGossipPacket, encodedAppDeltaSize, encodedUpdateSize, frame, isDecodeFailure,
  GOSSIP_FRAME_HEADER_LEN, GOSSIP_FRAME_MAGIC, GOSSIP_PROTOCOL_VERSION, MAX_INCARNATION, SIGNATURE_LEN, SIGNING_KEY_LEN,
  DEFAULT_LIMITS, STREAM_LIMITS, UDP_LIMITS,
} from './gossip-codec'
export type {
  DecodeFailure, DecodeFailureReason, DecodeLimits, GossipBody, GossipPacket, MemberRecord,
  MemberState, MemberUpdate,
} from './gossip-codec'
