/*
 * loom_offload.c: the byte loops of the TUN offloads, as pure batch operations over caller-owned
 * Buffers (no syscalls, no state between calls). The decisions stay in TypeScript
 * (dataplane/forwarder.ts, dataplane/virtio-net.ts): which packets to segment, to which peer,
 * what to drop. Here only bytes are copied, headers patched and Internet checksums summed,
 * because in JS those loops cost more than the syscalls they save (bench/README.md, "Profile").
 *
 *   segmentTun   one TSO/USO super-packet read from the TUN (IFF_VNET_HDR) -> MTU-sized
 *                TCP or UDP segments with rebuilt headers and complete checksums;
 *   completeChecksums  the partial (NEEDS_CSUM) checksum of single packets, in a batch;
 *   coalesceTun  inbound packets of a batch -> TCP super-packets, and UDP ones where the TUN
 *                took USO, with a virtio header (GRO); every other packet with its own (zero,
 *                or NEEDS_CSUM) virtio header.
 *
 * Layouts follow include/uapi/linux/virtio_net.h (struct virtio_net_hdr, 10 bytes, fields in
 * little-endian: the TUN is switched to little-endian headers with TUNSETVNETLE) and RFC 791,
 * RFC 8200, RFC 9293 (TCP), RFC 768 and RFC 1071 (the checksum).
 */
#include <node_api.h>

#include "napi_util.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define VNET_HDR_LEN 10
#define VNET_F_NEEDS_CSUM 1
#define VNET_GSO_NONE 0
#define VNET_GSO_TCPV4 1
#define VNET_GSO_TCPV6 4
#define VNET_GSO_UDP_L4 5

#define PROTO_TCP 6
#define PROTO_UDP 17
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
/* Largest IPv4 total length / IPv6 payload length. */
#define MAX_IP_LEN 65535
/* Open coalescing items per call (distinct flows in flight within one batch). */
#define GRO_ITEMS 32
/* Datagrams in one UDP super-packet: the kernel refuses a GSO_UDP_L4 write of more than
 * UDP_MAX_SEGMENTS (64 before Linux 6.10, 128 since) in virtio_net_hdr_to_skb. */
#define UDP_GRO_SEGMENTS 64
/* The TUN_F_* bits (include/uapi/linux/if_tun.h) coalesceTun takes to allow UDP super-packets. */
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40

/* ---------------------------------------------------------------------------------------------
 * Checksums (RFC 1071). sum_bytes adds the 16-bit big-endian words of p[0, n) (an odd last byte
 * as the high byte of a word) to acc, unfolded. It reads 64-bit native words with end-around
 * carries counted apart (2^64 and 2^32 are 1 modulo 0xffff) and swaps the folded result's bytes
 * on little-endian hosts (RFC 1071 2(B): the sum is byte-order independent up to that swap).
 * The byte-at-a-time loop it replaces was the largest single symbol of loomd under a TCP stream
 * (6-8 % per node, bench/results/2026-12-02-profile.md); this one is about twice as fast, and
 * with AVX2 (below) the bulk goes 32 bytes per step.
 */

static uint16_t fold(uint64_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return (uint16_t)acc;
}

#if defined(__x86_64__)
#include <immintrin.h>
/* The sum of the native 32-bit words of `blocks` 32-byte blocks, each widened to 64 bits (no
 * carries to lose below 2^32 blocks). Chosen at run time where the CPU has AVX2: ~30 GB/s on
 * 1448-byte segments in cache against ~5 for the scalar loop (C micro-test, loaded machine). */
__attribute__((target("avx2"))) static uint64_t sum_blocks_avx2(const uint8_t *p, size_t blocks) {
  __m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256(), z = _mm256_setzero_si256();
  for (size_t i = 0; i < blocks; i++) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * i));
    a0 = _mm256_add_epi64(a0, _mm256_unpacklo_epi32(v, z));
    a1 = _mm256_add_epi64(a1, _mm256_unpackhi_epi32(v, z));
  }
  uint64_t l[4];
  _mm256_storeu_si256((__m256i *)(void *)l, _mm256_add_epi64(a0, a1));
  return (l[0] & 0xffffffffu) + (l[0] >> 32) + (l[1] & 0xffffffffu) + (l[1] >> 32) +
         (l[2] & 0xffffffffu) + (l[2] >> 32) + (l[3] & 0xffffffffu) + (l[3] >> 32);
}
static int have_avx2 = -1;
#endif

static uint64_t sum_bytes(const uint8_t *p, size_t n, uint64_t acc) {
  uint64_t s = 0, c = 0, t = 0, d = 0;
#if defined(__x86_64__)
  if (have_avx2 < 0) have_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
  if (have_avx2 && n >= 64) {
    t = sum_blocks_avx2(p, n / 32);
    p += n / 32 * 32;
    n %= 32;
  }
#endif
  while (n >= 32) {
    uint64_t w[4];
    memcpy(w, p, 32);
    s += w[0]; c += s < w[0];
    t += w[1]; d += t < w[1];
    s += w[2]; c += s < w[2];
    t += w[3]; d += t < w[3];
    p += 32;
    n -= 32;
  }
  s += t;
  c += (s < t) + d;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    s += w; c += s < w;
    p += 8;
    n -= 8;
  }
  s = (s & 0xffffffffu) + (s >> 32) + c;
  if (n >= 4) {
    uint32_t w;
    memcpy(&w, p, 4);
    s += w;
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    uint16_t w;
    memcpy(&w, p, 2);
    s += w;
    p += 2;
    n -= 2;
  }
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (n == 1) s += p[0];
  uint16_t f = fold(s);
  return acc + (uint16_t)((f << 8) | (f >> 8));
#else
  if (n == 1) s += (uint32_t)p[0] << 8;
  return acc + fold(s);
#endif
}

static inline uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t get32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void put16le(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

/* Unfolded sum of the pseudo-header of an IPv4 or IPv6 packet (addresses, protocol, length). */
static uint64_t pseudo_sum(const uint8_t *ip, bool v6, uint8_t proto, uint32_t l4len) {
  uint64_t acc = v6 ? sum_bytes(ip + 8, 32, 0) : sum_bytes(ip + 12, 8, 0);
  return acc + proto + l4len;
}

static void ipv4_header_checksum(uint8_t *ip, size_t ihl) {
  ip[10] = 0;
  ip[11] = 0;
  put16(ip + 10, (uint16_t)~fold(sum_bytes(ip, ihl, 0)));
}

/* Writes the complete L4 checksum of [l4, l4 + l4len) (field at l4 + field, zeroed first). */
static void l4_checksum(uint8_t *ip, bool v6, uint8_t proto, uint8_t *l4, size_t l4len, size_t field) {
  l4[field] = 0;
  l4[field + 1] = 0;
  uint16_t c = (uint16_t)~fold(sum_bytes(l4, l4len, pseudo_sum(ip, v6, proto, (uint32_t)l4len)));
  if (proto == PROTO_UDP && c == 0) c = 0xffff; /* RFC 768: 0 means "no checksum" */
  put16(l4 + field, c);
}

/* ---------------------------------------------------------------------------------------------
 * segmentTun(src, srcOff, srcLen, gsoType, gsoSize, csumStart, dst, dstOff, stride, headroom,
 *            maxSegments, lengths: Int32Array, lengthsStart): number
 *
 * src[srcOff, +srcLen) is one IP packet (the bytes after its virtio header) carrying a TCP
 * (gsoType TCPV4/TCPV6) or UDP (UDP_L4) payload to cut into gsoSize pieces. Segment k is
 * written at dst[dstOff + k*stride + headroom, ...) and its length to lengths[lengthsStart + k]:
 * the IP header (options and all) with its length fields rewritten, the IPv4 ID incremented by k
 * and the header checksum recomputed; the TCP header with seq advanced and FIN/PSH kept only on
 * the last segment (or the UDP header with its length); then the payload; the L4 checksum
 * complete. Returns the count, or -1 (inconsistent headers), -2 (more than maxSegments
 * segments), -3 (a segment does not fit stride - headroom).
 */
static napi_value SegmentTun(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 13) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "segmentTun: expected 13 arguments");
    return NULL;
  }
  uint8_t *src, *dst;
  size_t src_cap, dst_cap;
  int64_t src_off, src_len, gso_type, gso_size, csum_start, dst_off, stride, headroom, max_segs, lstart;
  int32_t *lengths;
  if (!loom_get_buffer(env, argv[0], "src", &src, &src_cap)) return NULL;
  if (!loom_get_int64(env, argv[1], "srcOff", 0, (int64_t)src_cap, &src_off)) return NULL;
  if (!loom_get_int64(env, argv[2], "srcLen", 0, (int64_t)src_cap - src_off, &src_len)) return NULL;
  if (!loom_get_int64(env, argv[3], "gsoType", 0, 255, &gso_type)) return NULL;
  if (!loom_get_int64(env, argv[4], "gsoSize", 0, 65535, &gso_size)) return NULL;
  if (!loom_get_int64(env, argv[5], "csumStart", 0, 65535, &csum_start)) return NULL;
  if (!loom_get_buffer(env, argv[6], "dst", &dst, &dst_cap)) return NULL;
  if (!loom_get_int64(env, argv[7], "dstOff", 0, (int64_t)dst_cap, &dst_off)) return NULL;
  if (!loom_get_int64(env, argv[8], "stride", 1, (int64_t)dst_cap, &stride)) return NULL;
  if (!loom_get_int64(env, argv[9], "headroom", 0, stride - 1, &headroom)) return NULL;
  if (!loom_get_int64(env, argv[10], "maxSegments", 0, 1 << 20, &max_segs)) return NULL;
  if (!loom_get_int64(env, argv[12], "lengthsStart", 0, 1 << 30, &lstart)) return NULL;
  if (!loom_get_typed(env, argv[11], "lengths", napi_int32_array, "an Int32Array", (size_t)(lstart + max_segs), (void **)&lengths)) return NULL;
  if ((dst_off + max_segs * stride) > (int64_t)dst_cap) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "segmentTun: maxSegments * stride exceed dst");
    return NULL;
  }

  const uint8_t *in = src + src_off;
  size_t len = (size_t)src_len;
  if (len < 20 || gso_size < 1) return loom_make_int64(env, -1);
  int version = in[0] >> 4;
  bool v6 = version == 6;
  size_t iph = (size_t)csum_start;
  uint8_t proto;
  if (version == 4) {
    if ((size_t)(in[0] & 0x0f) * 4 != iph || iph < 20) return loom_make_int64(env, -1);
    proto = in[9];
    if ((in[6] & 0x3f) != 0 || in[7] != 0) return loom_make_int64(env, -1); /* MF or an offset: a fragment */
  } else if (v6) {
    /* Extension headers are not walked: the L4 header must follow the fixed header. */
    if (iph != 40 || len < 40) return loom_make_int64(env, -1);
    proto = in[6];
  } else {
    return loom_make_int64(env, -1);
  }
  size_t l4h;
  if (gso_type == VNET_GSO_TCPV4 || gso_type == VNET_GSO_TCPV6) {
    if (proto != PROTO_TCP || v6 != (gso_type == VNET_GSO_TCPV6) || len < iph + 20) return loom_make_int64(env, -1);
    l4h = (size_t)(in[iph + 12] >> 4) * 4;
    if (l4h < 20) return loom_make_int64(env, -1);
  } else if (gso_type == VNET_GSO_UDP_L4) {
    if (proto != PROTO_UDP) return loom_make_int64(env, -1);
    l4h = 8;
  } else {
    return loom_make_int64(env, -1);
  }
  size_t hdr = iph + l4h;
  if (len <= hdr) return loom_make_int64(env, -1);
  size_t payload = len - hdr;
  size_t gso = (size_t)gso_size;
  size_t count = (payload + gso - 1) / gso;
  if ((int64_t)count > max_segs) return loom_make_int64(env, -2);
  if (hdr + gso > (size_t)(stride - headroom)) return loom_make_int64(env, -3);

  uint32_t seq = proto == PROTO_TCP ? get32(in + iph + 4) : 0;
  uint16_t id = version == 4 ? get16(in + 4) : 0;
  for (size_t k = 0; k < count; k++) {
    size_t from = hdr + k * gso;
    size_t piece = payload - k * gso < gso ? payload - k * gso : gso;
    size_t total = hdr + piece;
    uint8_t *out = dst + dst_off + (int64_t)k * stride + headroom;
    memcpy(out, in, hdr);
    memcpy(out + hdr, in + from, piece);
    if (version == 4) {
      put16(out + 2, (uint16_t)total);
      put16(out + 4, (uint16_t)(id + k));
      ipv4_header_checksum(out, iph);
    } else {
      put16(out + 4, (uint16_t)(total - 40));
    }
    uint8_t *l4 = out + iph;
    if (proto == PROTO_TCP) {
      put32(l4 + 4, seq + (uint32_t)(k * gso));
      if (k + 1 < count) l4[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
      l4_checksum(out, v6, PROTO_TCP, l4, total - iph, 16);
    } else {
      put16(l4 + 4, (uint16_t)(total - iph));
      l4_checksum(out, v6, PROTO_UDP, l4, total - iph, 6);
    }
    lengths[lstart + (int64_t)k] = (int32_t)total;
  }
  return loom_make_int64(env, (int64_t)count);
}

/* ---------------------------------------------------------------------------------------------
 * completeChecksums(bufs, offsets, lengths, csumStarts, csumOffsets, count): number
 *
 * For packet i (bufs[i][offsets[i], +lengths[i]), marked NEEDS_CSUM by the kernel): the field at
 * csumStarts[i] + csumOffsets[i] holds the pseudo-header sum; fold in the bytes from csumStarts[i]
 * to the end and store the complement, as a NIC would. Returns how many were completed; a packet
 * whose offsets do not fit is left alone (the caller validated them; this is a second fence).
 */
static napi_value CompleteChecksums(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "completeChecksums: expected 6 arguments");
    return NULL;
  }
  int64_t count;
  int32_t *offsets, *lengths, *starts, *fields;
  if (!loom_get_int64(env, argv[5], "count", 0, 1 << 20, &count)) return NULL;
  if (!loom_get_typed(env, argv[1], "offsets", napi_int32_array, "an Int32Array", (size_t)count, (void **)&offsets)) return NULL;
  if (!loom_get_typed(env, argv[2], "lengths", napi_int32_array, "an Int32Array", (size_t)count, (void **)&lengths)) return NULL;
  if (!loom_get_typed(env, argv[3], "csumStarts", napi_int32_array, "an Int32Array", (size_t)count, (void **)&starts)) return NULL;
  if (!loom_get_typed(env, argv[4], "csumOffsets", napi_int32_array, "an Int32Array", (size_t)count, (void **)&fields)) return NULL;
  int64_t done = 0;
  for (int64_t i = 0; i < count; i++) {
    uint8_t *data;
    size_t cap;
    if (!loom_get_buffer_at(env, argv[0], (uint32_t)i, &data, &cap)) return NULL;
    int64_t off = offsets[i], len = lengths[i], start = starts[i], field = fields[i];
    if (off < 0 || len < 0 || off + len > (int64_t)cap || start < 0 || field < 0 || start + field + 2 > len) continue;
    uint8_t *p = data + off;
    uint16_t initial = get16(p + start + field);
    p[start + field] = 0;
    p[start + field + 1] = 0;
    put16(p + start + field, (uint16_t)~fold(sum_bytes(p + start, (size_t)(len - start), initial)));
    done++;
  }
  return loom_make_int64(env, done);
}

/* ---------------------------------------------------------------------------------------------
 * coalesceTun(bufs, offsets, lengths, count, arena, slotSize, out: Int32Array, counters: Int32Array,
 *             maxPacket, usoFlags?): number
 *
 * Packet i is bufs[i][offsets[i], +lengths[i]) (an inner IP packet just decapsulated; the 10
 * bytes before offsets[i] are free for its virtio header). Consecutive in-order segments of one
 * TCP flow (same addresses, ports, ACK number, TOS/TTL/DF or traffic class/hop limit, TCP
 * options; flags ACK or ACK|PSH; no IPv4 options or fragments; no IPv6 extension headers) are
 * merged into one super-packet in an arena slot (arena[k*slotSize, ...)), as Linux GRO does:
 * all segments but the last the same size, PSH only at the end, at most 65535 bytes of IP.
 * With usoFlags (TUN_F_USO4 and/or TUN_F_USO6: what the TUN accepted), consecutive datagrams of
 * one UDP flow of that family (same addresses, ports, TOS/TTL/DF or traffic class/flow label/hop
 * limit; no IPv4 options or fragments; a checksum that verifies, or the pseudo-header sum; the
 * IPv4 ID one more than the previous datagram's unless DF is set, as Linux UDP GRO asks) are
 * merged the same way into a GSO_UDP_L4 super-packet: every datagram but the last of the first
 * one's payload size, the last no larger, at most UDP_GRO_SEGMENTS of them. IPv4 UDP without a
 * checksum (0) is never merged: the kernel would give each datagram one its sender did not.
 * Every segment's TCP checksum is verified first; a segment whose checksum field holds only the
 * pseudo-header sum (a same-host kernel sender that left it for a NIC) is accepted and the
 * packet handed on with NEEDS_CSUM. A TCP/UDP packet with a wrong checksum is dropped.
 *
 * Output k: out[3k] = source (i >= 0: packet i in place, header at offsets[i] - 10; -1 - s:
 * arena slot s), out[3k+1] = offset, out[3k+2] = length (virtio header included).
 * A TCP packet longer than maxPacket (the TUN MTU) is a super-packet already: a kernel VXLAN
 * peer on the same host hands its socket a whole GSO skb (SKB_GSO_UDP_TUNNEL is delivered
 * unsegmented to a UDP socket); it goes out in place as a GSO packet whose segments fit
 * maxPacket, for the kernel to cut when it forwards it.
 * counters[0] += packets dropped for a bad checksum, counters[1] += packets merged into another.
 * Returns the number of outputs, in the order of each output's first packet.
 */

enum csum_state { CSUM_NONE, CSUM_VALID, CSUM_PARTIAL, CSUM_BAD };

typedef struct {
  uint8_t *head;      /* the merged packet so far (in place, or in the arena once merged) */
  int32_t out;        /* its output index */
  int32_t slot;       /* arena slot once a second segment joined, else -1 */
  uint32_t next_seq;  /* TCP: the sequence number the next segment must have */
  uint32_t length;    /* IP bytes so far */
  uint16_t gso;       /* payload of the head segment: every segment but the last has it */
  uint16_t segs;      /* segments merged so far (UDP: bounded by UDP_GRO_SEGMENTS) */
  uint16_t next_id;   /* UDP over IPv4 without DF: the IP ID the next datagram must have */
  uint8_t iph, l4h, proto;
  bool v6, closed;
} gro_item;

/* The checksum state of an L4 packet: complete and right, pseudo-header only, or wrong. */
static enum csum_state l4_state(const uint8_t *ip, bool v6, uint8_t proto, size_t iph, size_t len) {
  size_t field = proto == PROTO_TCP ? 16 : 6;
  if (len < iph + field + 2) return CSUM_NONE;
  const uint8_t *l4 = ip + iph;
  size_t l4len = len - iph;
  uint16_t stored = get16(l4 + field);
  if (proto == PROTO_UDP && stored == 0 && !v6) return CSUM_NONE; /* IPv4 UDP: no checksum */
  uint64_t pseudo = pseudo_sum(ip, v6, proto, (uint32_t)l4len);
  if (fold(sum_bytes(l4, l4len, pseudo)) == 0xffff) return CSUM_VALID;
  if (stored == fold(pseudo)) return CSUM_PARTIAL;
  return CSUM_BAD;
}

static void write_vnet(uint8_t *at, uint8_t flags, uint8_t gso_type, uint16_t hdr_len, uint16_t gso_size,
                       uint16_t csum_start, uint16_t csum_offset) {
  at[0] = flags;
  at[1] = gso_type;
  put16le(at + 2, hdr_len);
  put16le(at + 4, gso_size);
  put16le(at + 6, csum_start);
  put16le(at + 8, csum_offset);
}

/* The IP header fields GRO requires to be equal within a flow. */
static bool same_ip(const uint8_t *a, const uint8_t *b, bool v6) {
  if (v6) {
    /* version/traffic class/flow label, next header, hop limit, addresses */
    return memcmp(a, b, 4) == 0 && a[6] == b[6] && a[7] == b[7] && memcmp(a + 8, b + 8, 32) == 0;
  }
  /* TOS, DF (and the reserved bit), TTL, protocol, addresses */
  return a[1] == b[1] && (a[6] & 0xc0) == (b[6] & 0xc0) && a[8] == b[8] && a[9] == b[9] &&
         memcmp(a + 12, b + 12, 8) == 0;
}

/* Same TCP flow and same per-packet header fields: everything TCP GRO requires to be equal. */
static bool same_flow(const uint8_t *a, const uint8_t *b, bool v6, size_t iph, size_t l4h) {
  if (!same_ip(a, b, v6)) return false;
  const uint8_t *ta = a + iph, *tb = b + iph;
  /* ports, ACK number, data offset, window, then the options byte for byte (flags and urgent
   * pointer are checked by the caller: only ACK or ACK|PSH come here) */
  if (memcmp(ta, tb, 4) != 0 || memcmp(ta + 8, tb + 8, 5) != 0 || memcmp(ta + 14, tb + 14, 2) != 0) return false;
  return l4h == 20 || memcmp(ta + 20, tb + 20, l4h - 20) == 0;
}

/* Points output it->out at the merged packet and fixes its headers; a lone packet stays as is. */
static void finish_item(gro_item *it, uint8_t *arena, int64_t slot_size, int32_t *out) {
  if (it->slot < 0) return;
  uint8_t *vh = arena + (int64_t)it->slot * slot_size;
  uint8_t *ip = vh + VNET_HDR_LEN;
  if (it->v6) {
    put16(ip + 4, (uint16_t)(it->length - 40));
  } else {
    put16(ip + 2, (uint16_t)it->length);
    ipv4_header_checksum(ip, it->iph);
  }
  /* CHECKSUM_PARTIAL: the field holds the pseudo-header sum; the kernel adds the rest (for UDP,
   * the kernel's segmentation re-bases it from the whole UDP length to each datagram's). */
  if (it->proto == PROTO_UDP) {
    put16(ip + it->iph + 4, (uint16_t)(it->length - it->iph));
    put16(ip + it->iph + 6, fold(pseudo_sum(ip, it->v6, PROTO_UDP, it->length - it->iph)));
    write_vnet(vh, VNET_F_NEEDS_CSUM, VNET_GSO_UDP_L4, (uint16_t)(it->iph + 8), it->gso, it->iph, 6);
  } else {
    put16(ip + it->iph + 16, fold(pseudo_sum(ip, it->v6, PROTO_TCP, it->length - it->iph)));
    write_vnet(vh, VNET_F_NEEDS_CSUM, it->v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4, (uint16_t)(it->iph + it->l4h),
               it->gso, it->iph, 16);
  }
  out[3 * it->out] = -1 - it->slot;
  out[3 * it->out + 1] = (int32_t)((int64_t)it->slot * slot_size);
  out[3 * it->out + 2] = (int32_t)(it->length + VNET_HDR_LEN);
}

/* Appends a segment's payload to the item, moving the item into an arena slot on its second
 * segment (the caller checked that one is free). */
static void append_segment(gro_item *it, const uint8_t *payload, uint32_t n, uint8_t *arena, int64_t slot_size,
                           int32_t *slots_used) {
  if (it->slot < 0) {
    it->slot = (*slots_used)++;
    uint8_t *dst = arena + (int64_t)it->slot * slot_size + VNET_HDR_LEN;
    memcpy(dst, it->head, it->length);
    it->head = dst;
  }
  memcpy(it->head + it->length, payload, n);
  it->length += n;
  it->segs++;
}

/* The newest open or closed item of the packet's flow (TCP: same_flow; UDP: same_ip and ports). */
static gro_item *newest_of_flow(gro_item *items, int n_items, uint8_t proto, const uint8_t *ip, bool v6, size_t iph,
                                size_t l4h) {
  for (int k = n_items - 1; k >= 0; k--) {
    gro_item *it = &items[k];
    if (it->proto != proto || it->v6 != v6 || it->iph != iph || it->l4h != l4h) continue;
    if (proto == PROTO_TCP ? same_flow(it->head, ip, v6, iph, l4h)
                           : same_ip(it->head, ip, v6) && memcmp(it->head + iph, ip + iph, 4) == 0) return it;
  }
  return NULL;
}

/* A free item for a new flow; when all GRO_ITEMS are open, the oldest is finished to make room. */
static gro_item *open_item(gro_item *items, int *n_items, uint8_t *arena, int64_t slot_size, int32_t *out) {
  if (*n_items == GRO_ITEMS) {
    finish_item(&items[0], arena, slot_size, out);
    memmove(items, items + 1, sizeof items[0] * (GRO_ITEMS - 1));
    (*n_items)--;
  }
  return &items[(*n_items)++];
}

static napi_value CoalesceTun(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 9) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "coalesceTun: expected 9 or 10 arguments");
    return NULL;
  }
  int64_t count, slot_size, max_packet, uso = 0;
  int32_t *offsets, *lengths, *out, *counters;
  uint8_t *arena;
  size_t arena_cap;
  if (!loom_get_int64(env, argv[3], "count", 0, 1 << 20, &count)) return NULL;
  if (!loom_get_typed(env, argv[1], "offsets", napi_int32_array, "an Int32Array", (size_t)count, (void **)&offsets)) return NULL;
  if (!loom_get_typed(env, argv[2], "lengths", napi_int32_array, "an Int32Array", (size_t)count, (void **)&lengths)) return NULL;
  if (!loom_get_buffer(env, argv[4], "arena", &arena, &arena_cap)) return NULL;
  if (!loom_get_int64(env, argv[5], "slotSize", VNET_HDR_LEN + MAX_IP_LEN, 1 << 24, &slot_size)) return NULL;
  if (!loom_get_typed(env, argv[6], "out", napi_int32_array, "an Int32Array", (size_t)count * 3, (void **)&out)) return NULL;
  if (!loom_get_typed(env, argv[7], "counters", napi_int32_array, "an Int32Array", 2, (void **)&counters)) return NULL;
  if (!loom_get_int64(env, argv[8], "maxPacket", 576, MAX_IP_LEN, &max_packet)) return NULL;
  napi_valuetype uso_type = napi_undefined;
  if (argc >= 10 && napi_typeof(env, argv[9], &uso_type) != napi_ok) return NULL;
  if (uso_type != napi_undefined && !loom_get_int64(env, argv[9], "usoFlags", 0, 0xffff, &uso)) return NULL;
  int32_t slots = (int32_t)(arena_cap / (size_t)slot_size);
  int32_t slots_used = 0;

  gro_item items[GRO_ITEMS];
  int n_items = 0;
  int32_t n_out = 0;

  for (int64_t i = 0; i < count; i++) {
    uint8_t *data;
    size_t cap;
    if (!loom_get_buffer_at(env, argv[0], (uint32_t)i, &data, &cap)) return NULL;
    int64_t off = offsets[i], len = lengths[i];
    if (off < VNET_HDR_LEN || len < 1 || len > MAX_IP_LEN || off + len > (int64_t)cap) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "coalesceTun: a packet is outside its buffer or has no room for its header");
      return NULL;
    }
    uint8_t *ip = data + off;
    int version = ip[0] >> 4;
    bool v6 = version == 6;
    size_t iph = 0;
    uint8_t proto = 0;
    bool l4 = false;
    if (version == 4 && len >= 20) {
      iph = (size_t)(ip[0] & 0x0f) * 4;
      proto = ip[9];
      bool fragment = (ip[6] & 0x3f) != 0 || ip[7] != 0;
      l4 = iph >= 20 && (size_t)len >= iph && !fragment && (proto == PROTO_TCP || proto == PROTO_UDP);
    } else if (v6 && len >= 40) {
      iph = 40;
      proto = ip[6];
      l4 = proto == PROTO_TCP || proto == PROTO_UDP;
    }
    enum csum_state cs = l4 ? l4_state(ip, v6, proto, iph, (size_t)len) : CSUM_NONE;
    if (cs == CSUM_BAD) {
      counters[0]++;
      continue;
    }
    size_t l4h = 0;
    bool candidate = false;
    if (l4 && proto == PROTO_TCP && (size_t)len >= iph + 20) {
      l4h = (size_t)(ip[iph + 12] >> 4) * 4;
      if (len > max_packet && l4h >= 20 && (size_t)len > iph + l4h && (size_t)max_packet > iph + l4h) {
        put16(ip + iph + 16, fold(pseudo_sum(ip, v6, PROTO_TCP, (uint32_t)((size_t)len - iph))));
        write_vnet(ip - VNET_HDR_LEN, VNET_F_NEEDS_CSUM, v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4, (uint16_t)(iph + l4h),
                   (uint16_t)((size_t)max_packet - iph - l4h), (uint16_t)iph, 16);
        out[3 * n_out] = (int32_t)i;
        out[3 * n_out + 1] = (int32_t)(off - VNET_HDR_LEN);
        out[3 * n_out + 2] = (int32_t)(len + VNET_HDR_LEN);
        n_out++;
        continue;
      }
      uint8_t flags = ip[iph + 13];
      candidate = l4h >= 20 && (size_t)len > iph + l4h && (flags == TCP_ACK || flags == (TCP_ACK | TCP_PSH)) &&
                  (v6 || iph == 20) && get16(ip + iph + 18) == 0;
    }

    if (candidate) {
      uint32_t seq = get32(ip + iph + 4);
      uint32_t payload = (uint32_t)((size_t)len - iph - l4h);
      bool psh = (ip[iph + 13] & TCP_PSH) != 0;
      /* The newest item of the flow decides: in-order data extends it, anything else (a gap, a
       * retransmission, a closed item) closes it and starts a new one. No prepending. */
      gro_item *it = newest_of_flow(items, n_items, PROTO_TCP, ip, v6, iph, l4h);
      if (it != NULL && !it->closed && seq == it->next_seq && payload <= it->gso &&
          it->length + payload <= MAX_IP_LEN && (it->slot >= 0 || slots_used < slots)) {
        append_segment(it, ip + iph + l4h, payload, arena, slot_size, &slots_used);
        it->next_seq = seq + payload;
        if (psh) {
          it->head[iph + 13] |= TCP_PSH;
          it->closed = true;
        }
        if (payload < it->gso) it->closed = true; /* a short segment can only be the last */
        counters[1]++;
        continue;
      }
      if (it != NULL) it->closed = true;
      it = open_item(items, &n_items, arena, slot_size, out);
      *it = (gro_item){.head = ip, .out = n_out, .slot = -1, .next_seq = seq + payload, .length = (uint32_t)len,
                       .gso = (uint16_t)payload, .segs = 1, .iph = (uint8_t)iph, .l4h = (uint8_t)l4h,
                       .proto = PROTO_TCP, .v6 = v6, .closed = psh};
    } else if (l4 && proto == PROTO_UDP && (uso & (v6 ? TUN_F_USO6 : TUN_F_USO4)) != 0 && cs != CSUM_NONE &&
               (v6 || iph == 20) && (size_t)len > iph + 8 && len <= max_packet &&
               get16(ip + iph + 4) == (size_t)len - iph) {
      uint32_t payload = (uint32_t)((size_t)len - iph - 8);
      uint16_t id = v6 ? 0 : get16(ip + 4);
      bool df = !v6 && (ip[6] & 0x40) != 0;
      /* As for TCP: the newest item of the flow decides; a datagram that cannot extend it closes it. */
      gro_item *it = newest_of_flow(items, n_items, PROTO_UDP, ip, v6, iph, 8);
      if (it != NULL && !it->closed && payload <= it->gso && it->length + payload <= MAX_IP_LEN &&
          it->segs < UDP_GRO_SEGMENTS && (v6 || df || id == it->next_id) && (it->slot >= 0 || slots_used < slots)) {
        append_segment(it, ip + iph + 8, payload, arena, slot_size, &slots_used);
        it->next_id = (uint16_t)(id + 1);
        if (payload < it->gso) it->closed = true; /* a shorter datagram can only be the last */
        counters[1]++;
        continue;
      }
      if (it != NULL) it->closed = true;
      it = open_item(items, &n_items, arena, slot_size, out);
      *it = (gro_item){.head = ip, .out = n_out, .slot = -1, .length = (uint32_t)len, .gso = (uint16_t)payload,
                       .segs = 1, .next_id = (uint16_t)(id + 1), .iph = (uint8_t)iph, .l4h = 8, .proto = PROTO_UDP,
                       .v6 = v6, .closed = false};
    }
    /* An output of its own, in place (a merged item is pointed at its arena slot at the end). */
    uint8_t *vh = ip - VNET_HDR_LEN;
    if (cs == CSUM_PARTIAL) {
      write_vnet(vh, VNET_F_NEEDS_CSUM, VNET_GSO_NONE, 0, 0, (uint16_t)iph, proto == PROTO_TCP ? 16 : 6);
    } else {
      write_vnet(vh, 0, VNET_GSO_NONE, 0, 0, 0, 0);
    }
    out[3 * n_out] = (int32_t)i;
    out[3 * n_out + 1] = (int32_t)(off - VNET_HDR_LEN);
    out[3 * n_out + 2] = (int32_t)(len + VNET_HDR_LEN);
    n_out++;
  }
  for (int k = 0; k < n_items; k++) finish_item(&items[k], arena, slot_size, out);
  return loom_make_int64(env, n_out);
}

/* ---------------------------------------------------------------------------------------------
 * Registered by loom_native.c's module init.
 */
void loom_offload_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"segmentTun", NULL, SegmentTun, NULL, NULL, NULL, napi_enumerable, NULL},
    {"completeChecksums", NULL, CompleteChecksums, NULL, NULL, NULL, napi_enumerable, NULL},
    {"coalesceTun", NULL, CoalesceTun, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
