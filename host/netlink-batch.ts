/**
 * Rtnetlink requests sent together, in one round trip made off the JS thread.
 *
 * The kernel runs a request inside the sendmsg that carries it, and NetlinkClient (./netlink.ts)
 * makes that call on loomd's event loop. For most requests that is a few microseconds; deleting
 * a link is not: the kernel waits there for RCU grace periods and the device's last references,
 * 15-30 ms here, and meanwhile loomd does nothing else. Under 100 concurrent CNI DELs that wait
 * came once per loop turn, and libuv accepts one connection per turn, so the DELs reached loomd
 * one per deletion and every batch held one link (bench/cni-latency.ts, then the stage veth_delete).
 *
 * `sendNetlinkBatch` encodes the requests here, sends them in one send() from a libuv pool
 * thread (host/native/netlink_batch.c, which also reads the acks there) and returns each
 * request's errno. The kernel runs the messages of one send in order and answers each, also
 * after an earlier one failed. The socket is opened on the calling thread, so the requests act
 * in the caller's network namespace, like a NetlinkClient's.
 *
 * Only what the batched deletion needs is encoded (RTM_SETLINK of a link's group by name, also
 * taking the link down; RTM_DELLINK of a group); the rest of the agent's requests go through
 * NetlinkClient.
 */
import { endianness } from 'node:os'
import { loadHostBinding } from './native-binding'
import { checkIfname } from './netlink'
import { attrString, attrU32, IFINFOMSG_LEN, IFLA_IFNAME } from './netlink-attrs'
import { NetlinkArgumentError, NetlinkError } from './netlink-errors'

// include/uapi/linux/netlink.h
const NLMSG_HDRLEN = 16
const NLMSG_ERROR = 2
const NLM_F_REQUEST = 0x1
const NLM_F_ACK = 0x4
// include/uapi/linux/if.h
const IFF_UP = 0x1
// include/uapi/linux/rtnetlink.h, if_link.h
const RTM_DELLINK = 17
const RTM_SETLINK = 19
export const IFLA_GROUP = 27

const DEFAULT_TIMEOUT_MS = 5000
const HOST_LE = endianness() === 'LE'

/** One request: its message type and body (the family header and attributes); it always asks for an ack. */
export interface BatchRequest {
  type: number
  body: Buffer
  /** What it does, for errors: "put link lxc0123 into group 7". */
  what: string
}

/** The JS thread's share of a batch: the seconds it spent in the call (opening the socket, queueing). */
export interface BatchOutcome {
  /** Per request, in order: 0, or the positive errno the kernel answered it with. */
  errnos: number[]
  syncSeconds: number
}

/**
 * RTM_SETLINK putting the link named `name` into interface group `group` (IFLA_GROUP), by name;
 * with `down`, the same request also takes the link down (ifi_change IFF_UP, ifi_flags 0), which
 * the kernel does inside the call (dev_close: one expedited RCU wait, well under a millisecond
 * here, against 15-30 ms for a deletion).
 */
export function setLinkGroupRequest (name: string, group: number, opts: { down?: boolean } = {}): BatchRequest {
  const what = opts.down === true ? `take link ${name} down into group ${group}` : `put link ${name} into group ${group}`
  checkIfname(what, name)
  checkGroup(what, group)
  const ifinfo = Buffer.alloc(IFINFOMSG_LEN)
  if (opts.down === true) writeU32(ifinfo, 12, IFF_UP) // ifi_change: IFF_UP changes, to ifi_flags' 0
  const body = Buffer.concat([ifinfo, attrString(IFLA_IFNAME, name), attrU32(IFLA_GROUP, group)])
  return { type: RTM_SETLINK, body, what }
}

/**
 * RTM_DELLINK of every link of interface group `group`: the kernel unregisters them together
 * (unregister_netdevice_many), paying the grace periods and reference waits once for all.
 * An empty group is answered ENODEV.
 */
export function deleteLinkGroupRequest (group: number): BatchRequest {
  const what = `delete the links of group ${group}`
  checkGroup(what, group)
  return { type: RTM_DELLINK, body: Buffer.concat([Buffer.alloc(IFINFOMSG_LEN), attrU32(IFLA_GROUP, group)]), what }
}

/** The requests as one byte stream, sequence numbers 1..n. */
export function encodeBatch (requests: readonly BatchRequest[]): Buffer {
  return Buffer.concat(requests.map((r, i) => {
    const h = Buffer.alloc(NLMSG_HDRLEN)
    writeU32(h, 0, NLMSG_HDRLEN + r.body.length)
    writeU16(h, 4, r.type)
    writeU16(h, 6, NLM_F_REQUEST | NLM_F_ACK)
    writeU32(h, 8, i + 1)
    return Buffer.concat([h, r.body, Buffer.alloc((4 - (r.body.length % 4)) % 4)])
  }))
}

/**
 * The errno of each of `count` requests (sequence numbers 1..count) from the kernel's replies;
 * undefined for a request the replies do not answer. Bounded: never reads past `reply`.
 */
export function decodeAcks (reply: Buffer, count: number): Array<number | undefined> {
  const out: Array<number | undefined> = new Array<number | undefined>(count).fill(undefined)
  for (let off = 0; off + NLMSG_HDRLEN <= reply.length;) {
    const len = readU32(reply, off)
    if (len < NLMSG_HDRLEN || off + len > reply.length) break
    const seq = readU32(reply, off + 8)
    if (readU16(reply, off + 4) === NLMSG_ERROR && len >= NLMSG_HDRLEN + 4 && seq >= 1 && seq <= count) {
      out[seq - 1] = Math.abs(readI32(reply, off + NLMSG_HDRLEN))
    }
    off += (len + 3) & ~3
  }
  return out
}

/**
 * Sends `requests` in one round trip from a pool thread and returns each one's errno. Throws a
 * NetlinkError when the round trip fails as a whole (socket, send, no ack within `timeoutMs`),
 * and then nothing is known of which requests ran.
 */
export async function sendNetlinkBatch (requests: readonly BatchRequest[],
  timeoutMs = DEFAULT_TIMEOUT_MS): Promise<BatchOutcome> {
  const what = requests.map((r) => r.what).join(', ')
  if (requests.length === 0) return { errnos: [], syncSeconds: 0 }
  const t0 = process.hrtime.bigint()
  let pending: Promise<Buffer>
  try {
    pending = loadHostBinding().netlinkBatch(encodeBatch(requests), requests.length, timeoutMs)
  } catch (err) {
    throw new NetlinkError(what, errnoOf(err), { cause: err })
  }
  const syncSeconds = Number(process.hrtime.bigint() - t0) / 1e9
  let reply: Buffer
  try {
    reply = await pending
  } catch (err) {
    throw new NetlinkError(what, errnoOf(err), { cause: err })
  }
  const acks = decodeAcks(reply, requests.length)
  const missing = acks.findIndex((a) => a === undefined)
  if (missing >= 0) throw new NetlinkError(requests[missing]!.what, 0, { detail: 'the kernel sent no answer' })
  return { errnos: acks as number[], syncSeconds }
}

function checkGroup (what: string, group: number): void {
  if (!Number.isInteger(group) || group < 1 || group > 0xffffffff) {
    throw new NetlinkArgumentError(what, `group ${group} is not in 1..${0xffffffff}`)
  }
}

function errnoOf (err: unknown): number {
  const e = (err as { errno?: unknown } | null)?.errno
  return typeof e === 'number' ? Math.abs(e) : 0
}

function writeU16 (b: Buffer, off: number, v: number): void {
  if (HOST_LE) b.writeUInt16LE(v, off); else b.writeUInt16BE(v, off)
}

function writeU32 (b: Buffer, off: number, v: number): void {
  if (HOST_LE) b.writeUInt32LE(v, off); else b.writeUInt32BE(v, off)
}

function readU16 (b: Buffer, off: number): number {
  return HOST_LE ? b.readUInt16LE(off) : b.readUInt16BE(off)
}

function readU32 (b: Buffer, off: number): number {
  return HOST_LE ? b.readUInt32LE(off) : b.readUInt32BE(off)
}

function readI32 (b: Buffer, off: number): number {
  return HOST_LE ? b.readInt32LE(off) : b.readInt32BE(off)
}
