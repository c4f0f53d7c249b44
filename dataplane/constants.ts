/**
 * Constants of the data plane, in two groups kept apart (as wireguard-go's constants.go does):
 *
 * 1. Spec constants: fixed by an RFC or IEEE standard, each with a link to the section. Changing
 *    one breaks interoperability.
 * 2. Loom's implementation choices: values we picked (the `udp` framing, default ports). Changing
 *    one breaks compatibility only with other Loom nodes, and needs a framing version bump.
 */

// ---------------------------------------------------------------------------------------------
// 1. Spec constants
// ---------------------------------------------------------------------------------------------

/** VXLAN header length. https://www.rfc-editor.org/rfc/rfc7348#section-5 */
export const VXLAN_HEADER_LEN = 8
/**
 * The I flag (byte 0): must be 1 for a valid VNI; the other seven flag bits are "R" (reserved),
 * sent as 0 and ignored on receipt. https://www.rfc-editor.org/rfc/rfc7348#section-5
 */
export const VXLAN_FLAG_I = 0x08
/** Largest VNI: a 24-bit field. https://www.rfc-editor.org/rfc/rfc7348#section-5 */
export const VXLAN_VNI_MAX = 0xffffff
/** IANA-assigned VXLAN UDP destination port. https://www.rfc-editor.org/rfc/rfc7348#section-5 */
export const VXLAN_IANA_PORT = 4789

/** Ethernet II header without 802.1Q tag or FCS (RFC 7348 §5: "Inner Ethernet Header"). */
export const ETHERNET_HEADER_LEN = 14
/** EtherTypes. https://www.iana.org/assignments/ieee-802-numbers (IEEE 802.3 / RFC 7042 §B.1) */
export const ETHERTYPE_IPV4 = 0x0800
export const ETHERTYPE_ARP = 0x0806
export const ETHERTYPE_IPV6 = 0x86dd
/** IEEE 802.1Q VLAN tag; RFC 7348 §6.1: "SHOULD NOT" be present in the inner frame. */
export const ETHERTYPE_VLAN = 0x8100
/** IEEE 802.1ad (Q-in-Q) service tag. */
export const ETHERTYPE_QINQ = 0x88a8
/** Ethernet broadcast address ff:ff:ff:ff:ff:ff (IEEE 802). */
export const ETHERNET_BROADCAST_BYTE = 0xff

/** ARP over Ethernet for IPv4. https://www.rfc-editor.org/rfc/rfc826 ("Packet format") */
export const ARP_HTYPE_ETHERNET = 1
export const ARP_OP_REQUEST = 1
export const ARP_OP_REPLY = 2
/** htype(2) ptype(2) hlen(1) plen(1) oper(2) sha(6) spa(4) tha(6) tpa(4). RFC 826. */
export const ARP_IPV4_PACKET_LEN = 28

/** IPv4 header. https://www.rfc-editor.org/rfc/rfc791#section-3.1 */
export const IPV4_VERSION = 4
export const IPV4_HEADER_MIN_LEN = 20
/** Largest header: IHL is 4 bits, in 32-bit words (15 * 4). RFC 791 §3.1. */
export const IPV4_HEADER_MAX_LEN = 60
/** Field offsets inside the IPv4 header. RFC 791 §3.1. */
export const IPV4_OFF_VERSION_IHL = 0
export const IPV4_OFF_TOS = 1
export const IPV4_OFF_TOTAL_LEN = 2
export const IPV4_OFF_ID = 4
export const IPV4_OFF_FLAGS_FRAG = 6
export const IPV4_OFF_TTL = 8
export const IPV4_OFF_PROTOCOL = 9
export const IPV4_OFF_CHECKSUM = 10
export const IPV4_OFF_SOURCE = 12
export const IPV4_OFF_DESTINATION = 16
/** Don't Fragment bit of the 16-bit flags/fragment-offset field. RFC 791 §3.1. */
export const IPV4_FLAG_DF = 0x4000
/** More Fragments bit. RFC 791 §3.1. */
export const IPV4_FLAG_MF = 0x2000
/** Fragment offset mask (in 8-byte units). RFC 791 §3.1. */
export const IPV4_FRAG_OFFSET_MASK = 0x1fff

/** IP protocol numbers. https://www.iana.org/assignments/protocol-numbers */
export const IPPROTO_ICMP = 1
export const IPPROTO_TCP = 6
export const IPPROTO_UDP = 17

/** UDP header. https://www.rfc-editor.org/rfc/rfc768 */
export const UDP_HEADER_LEN = 8
/** Outer IPv4 (no options) + UDP: the underlay cost of any UDP encapsulation. */
export const IPV4_UDP_OVERHEAD = IPV4_HEADER_MIN_LEN + UDP_HEADER_LEN // 28

/** ICMP header (type, code, checksum, 4 type-specific bytes). https://www.rfc-editor.org/rfc/rfc792 */
export const ICMP_HEADER_LEN = 8
/** Destination Unreachable. RFC 792 ("Destination Unreachable Message"). */
export const ICMP_TYPE_DEST_UNREACHABLE = 3
/** Code 4: fragmentation needed and DF set. RFC 792; next-hop MTU field: RFC 1191 §4. */
export const ICMP_CODE_FRAG_NEEDED = 4
/** Offset of RFC 1191's 16-bit next-hop MTU inside the ICMP header. https://www.rfc-editor.org/rfc/rfc1191#section-4 */
export const ICMP_OFF_NEXT_HOP_MTU = 6
/**
 * ICMP error types, which must never provoke another ICMP error.
 * https://www.rfc-editor.org/rfc/rfc1122#section-3.2.2 (3 unreachable, 4 source quench,
 * 5 redirect, 11 time exceeded, 12 parameter problem).
 */
export const ICMP_TYPE_SOURCE_QUENCH = 4
export const ICMP_TYPE_REDIRECT = 5
export const ICMP_TYPE_TIME_EXCEEDED = 11
export const ICMP_TYPE_PARAMETER_PROBLEM = 12
/** Bytes of the offending datagram's payload quoted after its header. RFC 792. */
export const ICMP_QUOTED_PAYLOAD_LEN = 8
/**
 * Precedence 6 (internetwork control) in the TOS byte of ICMP errors: RFC 1812 §4.3.2.5 says
 * they SHOULD use 6 or 7; Linux's icmp_send uses 6 (0xc0).
 * https://www.rfc-editor.org/rfc/rfc1812#section-4.3.2.5
 */
export const ICMP_ERROR_TOS = 0xc0

// ---------------------------------------------------------------------------------------------
// 2. Loom's implementation choices
// ---------------------------------------------------------------------------------------------

/**
 * Byte 0 of the `udp` framing: the message type. WireGuard uses 1..4 (handshake initiation,
 * response, cookie reply, transport data), so the clear-data type must differ from those: an
 * encrypted and a clear node can then tell each other's traffic apart by its first byte.
 */
export const LOOM_UDP_TYPE_CLEAR_DATA = 0x10
/** Byte 1 of the clear `udp` framing. Bump on any incompatible layout change. */
export const LOOM_UDP_VERSION = 1
/** type(1) version(1) reserved(2) receiver index(4) sender index(4). */
export const LOOM_UDP_HEADER_LEN = 12

/** Default UDP port of the data plane's `udp` encapsulation (Weave's data port, 6784). */
export const DEFAULT_UDP_PORT = 6784
/** Default UDP port of the `vxlan` encapsulation: the IANA port, not Linux's legacy 8472. */
export const DEFAULT_VXLAN_PORT = VXLAN_IANA_PORT
/** Default VNI (Flannel's default too, so a Flannel-style kernel peer matches out of the box). */
export const DEFAULT_VXLAN_VNI = 1

/** TTL of the ICMP errors Loom writes back into the TUN device. */
export const ICMP_ERROR_TTL = 64

/** Node index 0 is reserved: it means "unknown" and is never assigned to a node. */
export const NODE_INDEX_UNKNOWN = 0
