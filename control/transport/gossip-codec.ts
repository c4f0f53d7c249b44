/**
 * Gossip wire codec: GossipPacket (control/proto/gossip.proto) <-> validated domain values.
 *
 * Frame: every packet, on UDP or on the stream channel, is
 *
 *   0      2                6
 *   +------+----------------+--------------------------+
 *   | 'LG' | length (u32 BE) | protobuf GossipPacket    |
 *   +------+----------------+--------------------------+
 *
 * The length makes truncation detectable at every cut (a protobuf message cut at a field
 * boundary is itself a valid, shorter message) and doubles as the stream framing for push-pull.
 *
 * Pure and bounded (CONTRIBUTING.md §4): no I/O, `decodeGossipPacket` never throws, checks the byte size
 * before parsing, pre-scans repeated-field counts before materialising them, and validates every
 * length (node ID 16, MAC 6, public key 32 or absent, IPv4 dotted quad, ports, string lengths).
 * Failures carry a typed `reason` so the runner can count them (loom_gossip_decode_failures_total).
 * Unknown fields are skipped (proto3), so newer senders may add fields.
 */
import * as protobuf from 'protobufjs/minimal'
import type { EncapsulationKind } from '../../dataplane/encap'
import { loom } from '../proto/messages'
import { tryParseIPv4Address } from '../../lib'

import pb = loom.gossip

/** Spec-ish constants of our own wire format. */
export const GOSSIP_PROTOCOL_VERSION = 1
export const GOSSIP_FRAME_MAGIC = 0x4c47 // 'LG'
/** Every gossip frame (packet, IPAM, sealed) starts with magic u16 | body length u32: 6 bytes. */
export const GOSSIP_FRAME_HEADER_LEN = 6
export const NODE_ID_LEN = 16
export const VTEP_MAC_LEN = 6
export const PUBLIC_KEY_LEN = 32
export const SIGNING_KEY_LEN = 32
export const SIGNATURE_LEN = 64
/**
 * Highest incarnation accepted (the wire field is a u32). A refutation is at most this, so it
 * never wraps to 0; a record above it is refused (../membership/membership.ts).
 */
export const MAX_INCARNATION = 0xffff_fffe

export type MemberState = 'alive' | 'suspect' | 'dead' | 'left'

/** What a node advertises about itself; others repeat it with their view of state/incarnation. */
export interface MemberRecord {
  nodeName: string
  /** 16 bytes as 32 lowercase hex characters (also the map key everywhere in control/). */
  nodeId: string
  /** Underlay IPv4, dotted quad. */
  address: string
  dataPort: number
  gossipPort: number
  encapsulation: EncapsulationKind
  /** Exactly 6 bytes. */
  vtepMac: Uint8Array
  /** Exactly 32 bytes, or empty when encryption is off. */
  publicKey: Uint8Array
  incarnation: number
  state: MemberState
  /** Ed25519 key the member signs its records with (32 bytes); absent on unsigned records. */
  signingKey?: Uint8Array
  /** The member's signature over the alive or left form (control/membership/member-signing.ts); 64 bytes. */
  signature?: Uint8Array
}

/** A piggybacked rumour; `fromId` is the originator (the accuser, for suspect). */
export interface MemberUpdate {
  member: MemberRecord
  fromId: string
}

export type GossipBody =
  | { type: 'ping', seqNo: number, targetId: string }
  | { type: 'ack', seqNo: number, nack: boolean }
  | { type: 'ping-req', seqNo: number, targetId: string, targetAddress: string, targetPort: number }
  | { type: 'push-pull', join: boolean, reply: boolean, members: MemberRecord[], appState: Uint8Array }
  /** No SWIM message: a dedicated gossip packet carrying only updates / app deltas. */
  | { type: 'gossip' }

export interface GossipPacket {
  version: number
  clusterId: string
  senderId: string
  body: GossipBody
  updates: MemberUpdate[]
  appDeltas: Uint8Array[]
}

export type DecodeFailureReason =
  | 'too-large' | 'truncated' | 'bad-magic' | 'trailing-bytes' | 'malformed'
  | 'unsupported-version' | 'too-many-members' | 'too-many-updates' | 'too-many-app-deltas'
  | 'app-data-too-large' | 'string-too-long' | 'bad-node-id' | 'bad-mac' | 'bad-public-key'
  | 'bad-address' | 'bad-port' | 'bad-state' | 'bad-encapsulation' | 'missing-field' | 'bad-signature'

export interface DecodeFailure {
  readonly type: 'decode-failure'
  readonly reason: DecodeFailureReason
  readonly detail: string
}

export interface DecodeLimits {
  /** Whole frame, header included. */
  maxBytes: number
  /** PushPull.members. */
  maxMembers: number
  /** GossipPacket.updates. */
  maxUpdates: number
  /** GossipPacket.app_deltas. */
  maxAppDeltas: number
  /** Any single app delta and PushPull.app_state. */
  maxAppBytes: number
  /** node_name, cluster_id. 253 = DNS name limit (Kubernetes node names). */
  maxStringLength: number
}

/** UDP profile: one datagram within the 1400 B budget memberlist uses (UDPBufferSize). */
export const UDP_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxBytes: 1400, maxMembers: 16, maxUpdates: 64, maxAppDeltas: 64, maxAppBytes: 1400, maxStringLength: 253,
})

/**
 * Stream profile (push-pull / join). 64 KiB would cap push-pull at ~600 members (~100 B each), so
 * we allow 4 MiB: 10 000 members plus IPAM full state.
 */
export const STREAM_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxBytes: 4 * 1024 * 1024,
  maxMembers: 10_000,
  maxUpdates: 64,
  maxAppDeltas: 1024,
  maxAppBytes: 2 * 1024 * 1024,
  maxStringLength: 253,
})

export const DEFAULT_LIMITS = UDP_LIMITS

export function isDecodeFailure (x: GossipPacket | DecodeFailure): x is DecodeFailure {
  return (x as DecodeFailure).type === 'decode-failure'
}

// ---------------------------------------------------------------------------------------------
// Encoding (trusted local input)

const STATE_TO_PB: Record<MemberState, pb.MemberState> = {
  alive: pb.MemberState.MEMBER_STATE_ALIVE,
  suspect: pb.MemberState.MEMBER_STATE_SUSPECT,
  dead: pb.MemberState.MEMBER_STATE_DEAD,
  left: pb.MemberState.MEMBER_STATE_LEFT,
}
const ENCAP_TO_PB: Record<EncapsulationKind, pb.Encapsulation> = {
  udp: pb.Encapsulation.ENCAPSULATION_UDP,
  vxlan: pb.Encapsulation.ENCAPSULATION_VXLAN,
}

function hexToBytes (hex: string): Uint8Array {
  return Buffer.from(hex, 'hex')
}

function recordToPb (m: MemberRecord): pb.IMemberRecord {
  return {
    nodeName: m.nodeName,
    nodeId: hexToBytes(m.nodeId),
    address: m.address,
    dataPort: m.dataPort,
    gossipPort: m.gossipPort,
    encapsulation: ENCAP_TO_PB[m.encapsulation],
    vtepMac: m.vtepMac,
    publicKey: m.publicKey,
    incarnation: m.incarnation,
    state: STATE_TO_PB[m.state],
    ...(m.signingKey !== undefined ? { signingKey: m.signingKey } : {}),
    ...(m.signature !== undefined ? { signature: m.signature } : {}),
  }
}

function updateToPb (u: MemberUpdate): pb.IMemberUpdate {
  return { member: recordToPb(u.member), fromId: hexToBytes(u.fromId) }
}

function packetToPb (p: GossipPacket): pb.IGossipPacket {
  const out: pb.IGossipPacket = {
    version: p.version,
    clusterId: p.clusterId,
    senderId: hexToBytes(p.senderId),
    updates: p.updates.map(updateToPb),
    appDeltas: p.appDeltas,
  }
  const b = p.body
  switch (b.type) {
    case 'ping': out.ping = { seqNo: b.seqNo, targetId: hexToBytes(b.targetId) }; break
    case 'ack': out.ack = { seqNo: b.seqNo, nack: b.nack }; break
    case 'ping-req':
      out.pingReq = {
        seqNo: b.seqNo, targetId: hexToBytes(b.targetId), targetAddress: b.targetAddress, targetPort: b.targetPort
      }
      break
    case 'push-pull':
      out.pushPull = { join: b.join, reply: b.reply, members: b.members.map(recordToPb), appState: b.appState }
      break
    case 'gossip': break
  }
  return out
}

/** Encode a packet into a fresh frame. The input is trusted (built by this node). */
export function encodeGossipPacket (msg: GossipPacket): Buffer {
  return frame(GOSSIP_FRAME_MAGIC, pb.GossipPacket.encode(packetToPb(msg)).finish())
}

/** Wraps a body in a frame with the given magic (the 6-byte header, GOSSIP_FRAME_HEADER_LEN). */
export function frame (magic: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(GOSSIP_FRAME_HEADER_LEN + body.length)
  out.writeUInt16BE(magic, 0)
  out.writeUInt32BE(body.length, 2)
  out.set(body, GOSSIP_FRAME_HEADER_LEN)
  return out
}

/**
 * Bytes one update adds to a GossipPacket (field tag + length varint + body). The broadcast
 * queue uses it to fill a packet up to its byte budget without encoding the packet repeatedly.
 */
export function encodedUpdateSize (u: MemberUpdate): number {
  const n = pb.MemberUpdate.encode(updateToPb(u)).finish().length
  return 1 + varintSize(n) + n
}

/** Bytes one app delta adds to a GossipPacket. */
export function encodedAppDeltaSize (d: Uint8Array): number {
  return 1 + varintSize(d.length) + d.length
}

function varintSize (n: number): number {
  let s = 1
  while (n >= 0x80) { n = Math.floor(n / 128); s++ }
  return s
}

// ---------------------------------------------------------------------------------------------
// Decoding (untrusted input)

class Reject {
  constructor (readonly reason: DecodeFailureReason, readonly detail: string) {}
}

function fail (reason: DecodeFailureReason, detail: string): DecodeFailure {
  return { type: 'decode-failure', reason, detail }
}

function checkString (s: string, what: string, limits: DecodeLimits, allowEmpty: boolean): string {
  if (s.length > limits.maxStringLength) {
    throw new Reject('string-too-long',
    `${what} is ${s.length} chars, max ${limits.maxStringLength}`)
  }
  if (!allowEmpty && s.length === 0) throw new Reject('missing-field', `${what} is empty`)
  return s
}

function checkNodeId (b: Uint8Array | null | undefined, what: string): string {
  if (b == null || b.length !== NODE_ID_LEN) {
    throw new Reject('bad-node-id',
    `${what} is ${b?.length ?? 0} bytes, want ${NODE_ID_LEN}`)
  }
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')
}

function checkPort (p: number, what: string): number {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Reject('bad-port', `${what} ${p} is not in 1..65535`)
  return p
}

function checkAddress (a: string, what: string): string {
  if (tryParseIPv4Address(a) === undefined) {
    throw new Reject('bad-address',
    `${what} ${JSON.stringify(a.slice(0, 64))} is not a dotted IPv4 address`)
  }
  return a
}

function copyBytes (b: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(b) // detach from the receive buffer
}

function recordFromPb (r: pb.IMemberRecord | null | undefined, limits: DecodeLimits): MemberRecord {
  if (r == null) throw new Reject('missing-field', 'member record missing')
  const nodeId = checkNodeId(r.nodeId, 'member node_id')
  const nodeName = checkString(r.nodeName ?? '', 'member node_name', limits, false)
  const address = checkAddress(r.address ?? '', 'member address')
  const dataPort = checkPort(r.dataPort ?? 0, 'member data_port')
  const gossipPort = checkPort(r.gossipPort ?? 0, 'member gossip_port')
  let encapsulation: EncapsulationKind
  switch (r.encapsulation) {
    case pb.Encapsulation.ENCAPSULATION_UDP: encapsulation = 'udp'; break
    case pb.Encapsulation.ENCAPSULATION_VXLAN: encapsulation = 'vxlan'; break
    default: throw new Reject('bad-encapsulation', `member encapsulation ${String(r.encapsulation)} unknown`)
  }
  const mac = r.vtepMac
  if (mac == null || mac.length !== VTEP_MAC_LEN) {
    throw new Reject('bad-mac',
    `member vtep_mac is ${mac?.length ?? 0} bytes, want ${VTEP_MAC_LEN}`)
  }
  const key = r.publicKey ?? new Uint8Array(0)
  if (key.length !== 0 && key.length !== PUBLIC_KEY_LEN) {
    throw new Reject('bad-public-key',
    `member public_key is ${key.length} bytes, want ${PUBLIC_KEY_LEN} or 0`)
  }
  let state: MemberState
  switch (r.state) {
    case pb.MemberState.MEMBER_STATE_ALIVE: state = 'alive'; break
    case pb.MemberState.MEMBER_STATE_SUSPECT: state = 'suspect'; break
    case pb.MemberState.MEMBER_STATE_DEAD: state = 'dead'; break
    case pb.MemberState.MEMBER_STATE_LEFT: state = 'left'; break
    default: throw new Reject('bad-state', `member state ${String(r.state)} unknown`)
  }
  const sk = r.signingKey ?? new Uint8Array(0)
  const sig = r.signature ?? new Uint8Array(0)
  if (sk.length !== 0 && sk.length !== SIGNING_KEY_LEN) {
    throw new Reject('bad-signature',
    `member signing_key is ${sk.length} bytes, want ${SIGNING_KEY_LEN} or 0`)
  }
  if (sig.length !== 0 && sig.length !== SIGNATURE_LEN) {
    throw new Reject('bad-signature',
    `member signature is ${sig.length} bytes, want ${SIGNATURE_LEN} or 0`)
  }
  return {
    nodeName,
    nodeId,
    address,
    dataPort,
    gossipPort,
    encapsulation,
    vtepMac: copyBytes(mac),
    publicKey: copyBytes(key),
    incarnation: (r.incarnation ?? 0) >>> 0,
    state,
    ...(sk.length > 0 ? { signingKey: copyBytes(sk) } : {}),
    ...(sig.length > 0 ? { signature: copyBytes(sig) } : {}),
  }
}

/**
 * Count occurrences of a repeated field without materialising it (so a 4 MiB frame of empty
 * entries cannot make us allocate millions of objects before the count check).
 */
function countField (reader: protobuf.Reader, end: number, field: number): number {
  let n = 0
  while (reader.pos < end) {
    const tag = reader.uint32()
    if (tag >>> 3 === field) n++
    reader.skipType(tag & 7)
  }
  return n
}

function prescan (body: Uint8Array, limits: DecodeLimits): void {
  let members = 0
  const reader = protobuf.Reader.create(body)
  let updates = 0
  let deltas = 0
  // Top level: count 8 (updates) and 9 (app_deltas); inside 7 (push_pull) count 3 (members).
  while (reader.pos < body.length) {
    const tag = reader.uint32()
    const f = tag >>> 3
    const wt = tag & 7
    if (f === 8) updates++
    else if (f === 9) deltas++
    if (f === 7 && wt === 2) {
      const len = reader.uint32()
      const end = reader.pos + len
      if (end > body.length) throw new Reject('malformed', 'push_pull overruns the packet')
      members += countField(reader, end, 3)
      reader.pos = end
    } else {
      reader.skipType(wt)
    }
    if (updates > limits.maxUpdates) throw new Reject('too-many-updates', `more than ${limits.maxUpdates} updates`)
    if (deltas > limits.maxAppDeltas) {
      throw new Reject('too-many-app-deltas',
      `more than ${limits.maxAppDeltas} app deltas`)
    }
    if (members > limits.maxMembers) throw new Reject('too-many-members', `more than ${limits.maxMembers} members`)
  }
}

/** Decode one frame. Never throws; `limits` picks the UDP or stream profile. */
export function decodeGossipPacket (buf: Uint8Array,
  limits: DecodeLimits = DEFAULT_LIMITS): GossipPacket | DecodeFailure {
  if (buf.length > limits.maxBytes) return fail('too-large', `packet is ${buf.length} bytes, max ${limits.maxBytes}`)
  if (buf.length < GOSSIP_FRAME_HEADER_LEN) {
    return fail('truncated',
    `packet is ${buf.length} bytes, shorter than the ${GOSSIP_FRAME_HEADER_LEN}-byte header`)
  }
  const magic = (buf[0] << 8) | buf[1]
  if (magic !== GOSSIP_FRAME_MAGIC) {
    return fail('bad-magic',
    `frame magic 0x${magic.toString(16)} is not 0x${GOSSIP_FRAME_MAGIC.toString(16)}`)
  }
  const len = ((buf[2] << 24) >>> 0) + (buf[3] << 16) + (buf[4] << 8) + buf[5]
  const have = buf.length - GOSSIP_FRAME_HEADER_LEN
  if (len > have) return fail('truncated', `frame says ${len} body bytes, got ${have}`)
  if (len < have) return fail('trailing-bytes', `frame says ${len} body bytes, got ${have}`)
  const body = buf.subarray(GOSSIP_FRAME_HEADER_LEN)
  try {
    prescan(body, limits)
    let raw: pb.GossipPacket
    try {
      raw = pb.GossipPacket.decode(body)
    } catch (err) {
      return fail('malformed', `protobuf decode failed: ${(err as Error).message}`)
    }
    return packetFromPb(raw, limits)
  } catch (err) {
    if (err instanceof Reject) return fail(err.reason, err.detail)
    // protobufjs Reader throws RangeError on truncated varints during the prescan
    return fail('malformed', `protobuf decode failed: ${(err as Error).message}`)
  }
}

function packetFromPb (raw: pb.GossipPacket, limits: DecodeLimits): GossipPacket {
  if (raw.version !== GOSSIP_PROTOCOL_VERSION) {
    throw new Reject('unsupported-version',
    `version ${raw.version} is not ${GOSSIP_PROTOCOL_VERSION}`)
  }
  const clusterId = checkString(raw.clusterId, 'cluster_id', limits, true)
  const senderId = checkNodeId(raw.senderId, 'sender_id')
  let body: GossipBody
  if (raw.ping != null) {
    body = { type: 'ping', seqNo: raw.ping.seqNo ?? 0, targetId: checkNodeId(raw.ping.targetId, 'ping target_id') }
  } else if (raw.ack != null) {
    body = { type: 'ack', seqNo: raw.ack.seqNo ?? 0, nack: raw.ack.nack === true }
  } else if (raw.pingReq != null) {
    const r = raw.pingReq
    body = {
      type: 'ping-req',
      seqNo: r.seqNo ?? 0,
      targetId: checkNodeId(r.targetId, 'ping_req target_id'),
      targetAddress: checkAddress(r.targetAddress ?? '', 'ping_req target_address'),
      targetPort: checkPort(r.targetPort ?? 0, 'ping_req target_port'),
    }
  } else if (raw.pushPull != null) {
    const r = raw.pushPull
    const appState = r.appState ?? new Uint8Array(0)
    if (appState.length > limits.maxAppBytes) {
      throw new Reject('app-data-too-large',
      `app_state is ${appState.length} bytes, max ${limits.maxAppBytes}`)
    }
    body = {
      type: 'push-pull',
      join: r.join === true,
      reply: r.reply === true,
      members: (r.members ?? []).map((m) => recordFromPb(m, limits)),
      appState: copyBytes(appState),
    }
  } else {
    body = { type: 'gossip' }
  }
  const updates = raw.updates.map((u) => ({
    member: recordFromPb(u.member, limits),
    fromId: checkNodeId(u.fromId, 'update from_id'),
  }))
  const appDeltas = raw.appDeltas.map((d) => {
    if (d.length > limits.maxAppBytes) {
      throw new Reject('app-data-too-large',
      `app delta is ${d.length} bytes, max ${limits.maxAppBytes}`)
    }
    return copyBytes(d)
  })
  return { version: raw.version, clusterId, senderId, body, updates, appDeltas }
}
