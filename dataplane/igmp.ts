/**
 * IGMP codec for snooping on pod veths (pure, bounded, never throws).
 *
 * Decodes what a pod's kernel sends: IGMPv1/v2 membership reports and v2 leaves (RFC 2236 §2),
 * IGMPv3 membership reports with group records (RFC 3376 §4.2). Loom keeps (*,G) state only
 * (any-source multicast), so each record is reduced to "join G" or "leave G":
 *
 *   record type (RFC 3376 §4.2.12)       sources   →  (*,G)
 *   MODE_IS_EXCLUDE / CHANGE_TO_EXCLUDE   any       →  join
 *   MODE_IS_INCLUDE / CHANGE_TO_INCLUDE   ≥ 1       →  join   (INCLUDE{S} is served as (*,G))
 *   MODE_IS_INCLUDE / CHANGE_TO_INCLUDE   none      →  leave  (what `leave` sends: TO_IN{})
 *   ALLOW_NEW_SOURCES                     ≥ 1       →  join
 *   BLOCK_OLD_SOURCES                     any       →  nothing (never ends an ASM membership)
 *
 * Encodes the general query loomd sends as querier: an IGMPv3 query (RFC 3376 §4.1) in an IPv4
 * packet from the pods' gateway 169.254.1.1 to 224.0.0.1, TTL 1, with the Router Alert option
 * (RFC 2113) as RFC 3376 §4 requires, in an Ethernet frame to 01:00:5e:00:00:01.
 */
import { internetChecksum, ipv4HeaderChecksum } from './ipv4'

/** RFC 3376 §4 / RFC 2236 §2 message types. */
export const IGMP_QUERY = 0x11
export const IGMP_V1_REPORT = 0x12
export const IGMP_V2_REPORT = 0x16
export const IGMP_V2_LEAVE = 0x17
export const IGMP_V3_REPORT = 0x22
export const IP_PROTO_IGMP = 2
/** RFC 3376 §8: defaults. */
export const IGMP_ROBUSTNESS = 2
export const IGMP_QUERY_INTERVAL_S = 60
export const IGMP_QUERY_RESPONSE_S = 10
const ALL_HOSTS = 0xe0000001 // 224.0.0.1

/** Group records one v3 report may carry before we call it hostile (a 1500-byte frame holds ~180). */
const MAX_RECORDS = 1024

export interface IgmpReport {
  type: 'report'
  /** Groups joined / left (host-order u32), each a valid multicast address. */
  joins: number[]
  leaves: number[]
}
export interface IgmpQuery { type: 'query' }
export interface IgmpFailure { type: 'malformed', detail: string }
export type IgmpMessage = IgmpReport | IgmpQuery | IgmpFailure

export function isMulticastAddress (a: number): boolean {
  return (a >>> 28) === 0xe
}

/**
 * Decodes the IGMP message at buf[off, off + len) (the IP payload). Checks the checksum, the
 * length of every record and that every group is a multicast address.
 */
export function decodeIgmp (buf: Buffer, off: number, len: number): IgmpMessage {
  if (len < 8 || off < 0 || off + len > buf.length) return { type: 'malformed', detail: `IGMP message of ${len} bytes` }
  if (internetChecksum(buf, off, len) !== 0) return { type: 'malformed', detail: 'bad IGMP checksum' }
  const type = buf[off]
  switch (type) {
    case IGMP_QUERY: return { type: 'query' }
    case IGMP_V1_REPORT:
    case IGMP_V2_REPORT:
    case IGMP_V2_LEAVE: {
      const group = buf.readUInt32BE(off + 4)
      if (!isMulticastAddress(group)) return { type: 'malformed', detail: 'report for a non-multicast group' }
      return type === IGMP_V2_LEAVE
        ? {
            type: 'report', joins: [], leaves: [group]
          }
        : { type: 'report', joins: [group], leaves: [] }
    }
    case IGMP_V3_REPORT: {
      const records = buf.readUInt16BE(off + 6)
      if (records > MAX_RECORDS) return { type: 'malformed', detail: `${records} group records` }
      const joins: number[] = []
      const leaves: number[] = []
      let p = off + 8
      const end = off + len
      for (let r = 0; r < records; r++) {
        if (p + 8 > end) return { type: 'malformed', detail: `group record ${r} truncated` }
        const recType = buf[p]
        const auxWords = buf[p + 1]
        const sources = buf.readUInt16BE(p + 2)
        const group = buf.readUInt32BE(p + 4)
        const recLen = 8 + sources * 4 + auxWords * 4
        if (p + recLen > end) return { type: 'malformed', detail: `group record ${r} truncated` }
        if (!isMulticastAddress(group)) return { type: 'malformed', detail: 'record for a non-multicast group' }
        switch (recType) {
          case 1: case 3: (sources > 0 ? joins : leaves).push(group); break
          case 2: case 4: joins.push(group); break
          case 5: if (sources > 0) joins.push(group); break
          case 6: break
          default: return { type: 'malformed', detail: `unknown group record type ${recType}` }
        }
        p += recLen
      }
      return { type: 'report', joins, leaves }
    }
    default: return { type: 'malformed', detail: `unknown IGMP type 0x${type.toString(16)}` }
  }
}

/** Bytes of the general-query frame: Ethernet 14 + IPv4 with Router Alert 24 + IGMPv3 query 12. */
export const GENERAL_QUERY_FRAME_LEN = 14 + 24 + 12

/**
 * Writes a complete IGMPv3 general query frame into buf at off (GENERAL_QUERY_FRAME_LEN bytes):
 * from `srcMAC` and `srcIP` (the gateway address, host-order u32), max response `maxRespS`
 * seconds, QRV = robustness, QQIC = query interval. Returns the frame length.
 */
export function writeGeneralQuery (buf: Buffer, off: number, srcMAC: Uint8Array, srcIP: number,
  maxRespS = IGMP_QUERY_RESPONSE_S, robustness = IGMP_ROBUSTNESS, intervalS = IGMP_QUERY_INTERVAL_S): number {
  // Ethernet: 01:00:5e:00:00:01 <- srcMAC, IPv4
  buf[off] = 0x01; buf[off + 1] = 0x00; buf[off + 2] = 0x5e; buf[off + 3] = 0; buf[off + 4] = 0; buf[off + 5] = 1
  buf.set(srcMAC.subarray(0, 6), off + 6)
  buf.writeUInt16BE(0x0800, off + 12)
  const ip = off + 14
  buf[ip] = 0x46 // version 4, IHL 6 (Router Alert option)
  buf[ip + 1] = 0xc0 // DSCP CS6 (internetwork control), as Linux sends IGMP
  buf.writeUInt16BE(24 + 12, ip + 2)
  buf.writeUInt16BE(0, ip + 4)
  buf.writeUInt16BE(0x4000, ip + 6) // DF
  buf[ip + 8] = 1 // TTL 1
  buf[ip + 9] = IP_PROTO_IGMP
  buf.writeUInt16BE(0, ip + 10)
  buf.writeUInt32BE(srcIP >>> 0, ip + 12)
  buf.writeUInt32BE(ALL_HOSTS, ip + 16)
  buf[ip + 20] = 0x94; buf[ip + 21] = 0x04; buf[ip + 22] = 0; buf[ip + 23] = 0 // Router Alert (RFC 2113)
  buf.writeUInt16BE(ipv4HeaderChecksum(buf, ip, 24), ip + 10)
  const q = ip + 24
  buf[q] = IGMP_QUERY
  buf[q + 1] = encodeCode(maxRespS * 10) // Max Resp Code, units of 1/10 s (RFC 3376 §4.1.1)
  buf.writeUInt16BE(0, q + 2)
  buf.writeUInt32BE(0, q + 4) // group 0 = general query
  buf[q + 8] = Math.min(robustness, 7) & 0x07 // S = 0, QRV
  buf[q + 9] = encodeCode(intervalS) // QQIC
  buf.writeUInt16BE(0, q + 10) // no sources
  buf.writeUInt16BE(internetChecksum(buf, q, 12), q + 2)
  return GENERAL_QUERY_FRAME_LEN
}

/** RFC 3376 §4.1.1/§4.1.7 code: exact below 128, else the floating-point form. */
function encodeCode (v: number): number {
  if (v < 128) return v
  for (let exp = 0; exp < 8; exp++) {
    const mant = (v >> (exp + 3)) - 16
    if (mant < 16) return 0x80 | (exp << 4) | Math.max(0, mant)
  }
  return 0xff
}

/** 01:00:5e + the low 23 bits of the group (RFC 1112 §6.4), written at buf[off, off + 6). */
export function writeGroupMAC (buf: Buffer, off: number, group: number): void {
  buf[off] = 0x01
  buf[off + 1] = 0x00
  buf[off + 2] = 0x5e
  buf[off + 3] = (group >>> 16) & 0x7f
  buf[off + 4] = (group >>> 8) & 0xff
  buf[off + 5] = group & 0xff
}
