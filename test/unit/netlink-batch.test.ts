/**
 * The batched rtnetlink round trip's pure half (host/netlink-batch.ts): exact request bytes,
 * built here by hand from the kernel's netlink.h / rtnetlink.h / if_link.h numbers, and the
 * ack decoder against well-formed, truncated, oversized and forged replies (it must never read
 * past the buffer or credit an answer to a request it does not belong to). The kernel side is
 * test/netns/netlink.test.ts ("batched round trip").
 */
import t from 'tap'
import { endianness } from 'node:os'
import { decodeAcks, deleteLinkGroupRequest, encodeBatch, setLinkGroupRequest } from '../../host/netlink-batch'

const RTM_DELLINK = 17
const RTM_SETLINK = 19
const NLM_F_REQUEST_ACK = 0x5
const IFLA_IFNAME = 3
const IFLA_GROUP = 27
const NLMSG_ERROR = 2

const u16 = (v: number): number[] => [v & 0xff, v >> 8]
const u32 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff]
const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')]
const nlmsghdr = (len: number, type: number, flags: number, seq: number): number[] =>
  [...u32(len), ...u16(type), ...u16(flags), ...u32(seq), ...u32(0)]
const ifinfomsg = (): number[] => new Array<number>(16).fill(0)

/** An ack (NLMSG_ERROR) as the kernel sends it with NETLINK_CAP_ACK: error, then the request's header. */
function ack (seq: number, errno: number): number[] {
  return [...nlmsghdr(36, NLMSG_ERROR, 0x100, seq), ...u32(-errno >>> 0), ...nlmsghdr(52, RTM_SETLINK, 5, seq)]
}

t.test('host byte order assumed by the vectors', async t => {
  t.equal(endianness(), 'LE', 'these vectors are little-endian')
})

t.test('a mark and a group deletion, sequence numbers 1 and 2, each asking for an ack', async t => {
  const got = encodeBatch([setLinkGroupRequest('rp-a', 77), deleteLinkGroupRequest(0x4c4f4f4d)])
  const want = [
    ...nlmsghdr(52, RTM_SETLINK, NLM_F_REQUEST_ACK, 1), ...ifinfomsg(),
    ...u16(9), ...u16(IFLA_IFNAME), ...ascii('rp-a'), 0, 0, 0, 0, // "rp-a\0", padded to 12
    ...u16(8), ...u16(IFLA_GROUP), ...u32(77),
    ...nlmsghdr(40, RTM_DELLINK, NLM_F_REQUEST_ACK, 2), ...ifinfomsg(),
    ...u16(8), ...u16(IFLA_GROUP), ...u32(0x4c4f4f4d),
  ]
  t.equal(got.toString('hex'), Buffer.from(want).toString('hex'))
})

t.test('bad names and groups are refused before anything is encoded', async t => {
  t.throws(() => setLinkGroupRequest('x'.repeat(16), 7), /invalid link name/)
  t.throws(() => setLinkGroupRequest('a b', 7), /invalid link name/)
  t.throws(() => setLinkGroupRequest('lxc1', 0), /group 0 is not in/)
  t.throws(() => deleteLinkGroupRequest(2 ** 32), /is not in/)
  t.throws(() => deleteLinkGroupRequest(1.5), /is not in/)
})

t.test('acks: errnos by sequence number, in any order, several per datagram', async t => {
  const reply = Buffer.from([...ack(2, 19), ...ack(1, 0), ...ack(3, 16)])
  t.same(decodeAcks(reply, 3), [0, 19, 16])
})

t.test('acks: a request without an answer stays undefined; forged and broken replies are ignored, bounded', async t => {
  t.same(decodeAcks(Buffer.from(ack(1, 0)), 2), [0, undefined], 'missing answer')
  t.same(decodeAcks(Buffer.from([...ack(0, 1), ...ack(9, 1)]), 2), [undefined, undefined], 'sequence numbers outside 1..n')
  const notAck = [...nlmsghdr(36, 16, 0, 1), ...new Array<number>(20).fill(0)]
  t.same(decodeAcks(Buffer.from(notAck), 1), [undefined], 'not an NLMSG_ERROR')
  const full = ack(1, 0)
  t.same(decodeAcks(Buffer.from(full.slice(0, 30)), 1), [undefined], 'truncated message')
  const tooLong = [...full]
  tooLong.splice(0, 4, ...u32(4000))
  t.same(decodeAcks(Buffer.from(tooLong), 1), [undefined], 'length past the end')
  const tooShort = [...full]
  tooShort.splice(0, 4, ...u32(8))
  t.same(decodeAcks(Buffer.from([...tooShort, ...ack(1, 0)]), 1), [undefined], 'length below a header stops the walk')
  t.same(decodeAcks(Buffer.from(nlmsghdr(16, NLMSG_ERROR, 0, 1)), 1), [undefined], 'an ack without its error field')
  t.same(decodeAcks(Buffer.alloc(0), 1), [undefined])
})
