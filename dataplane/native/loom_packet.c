/*
 * loom_packet.c: the AF_PACKET socket of multicast capture and delivery (N-API, plain C).
 *
 * A separate addon (loom_packet.node) so it builds and loads on its own; readiness polling and
 * close() use the main addon's pollStart/close (they work on any fd). Syscalls only: the
 * classic-BPF program is built and tested in TypeScript (dataplane/multicast-filter.ts) and
 * handed here as bytes; frames are parsed and checksums completed in TypeScript.
 *
 *   packetOpen(filter, rcvbuf, protocol)
 *                            socket(AF_PACKET, SOCK_RAW, 0), SO_ATTACH_FILTER, PACKET_AUXDATA,
 *                            PACKET_IGNORE_OUTGOING (when the kernel has it), then bind to
 *                            `protocol` (ETH_P_IP for multicast; ETH_P_ALL for the test lab's
 *                            underlay impairment, test/netns/lib/underlay-impair.ts) on every
 *                            interface: the filter is in place before the first frame can queue,
 *                            so nothing unfiltered is ever read.
 *   packetRecvBatch(...)     recvmmsg: frame bytes, ingress ifindex, packet type, and
 *                            TP_STATUS_CSUMNOTREADY from the auxdata (the checksum is partial).
 *   packetSendBatch(...)     sendmmsg: frame i on interface ifindexes[i] (whole Ethernet frame).
 *
 * Error convention as in loom_native.c: a failed setup syscall throws an Error with code = errno
 * name; hot-path conditions (EAGAIN, ENOBUFS, a vanished interface) shorten the returned count.
 */
#include <node_api.h>

#include "napi_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>

#define PKT_MAX_BATCH 128
#define PKT_MAX_FILTER 256

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* Flags reported per received frame (mirrored in dataplane/packet-socket.ts). */
#define PKT_FLAG_CSUM_NOT_READY 1
#define PKT_FLAG_OUTGOING 2

/* packetOpen(filter: Buffer of struct sock_filter[], recvBufferBytes, protocol: host-order ETH_P_*) -> fd */
static napi_value PacketOpen(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!loom_get_args(env, info, 3, argv, "packetOpen")) return NULL;
  bool is_buffer = false;
  void *prog = NULL;
  size_t prog_len = 0;
  napi_is_buffer(env, argv[0], &is_buffer);
  if (!is_buffer || napi_get_buffer_info(env, argv[0], &prog, &prog_len) != napi_ok ||
      prog_len == 0 || prog_len % sizeof(struct sock_filter) != 0 || prog_len / sizeof(struct sock_filter) > PKT_MAX_FILTER) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "filter must be a Buffer of 1..256 sock_filter instructions (8 bytes each)");
    return NULL;
  }
  int64_t rcvbuf;
  if (!loom_get_int64(env, argv[1], "recvBufferBytes", 0, INT32_MAX, &rcvbuf)) return NULL;
  int64_t protocol;
  if (!loom_get_int64(env, argv[2], "protocol", 1, 0xffff, &protocol)) return NULL;

  /* Protocol 0: receives nothing until bind(), so the filter is attached before any frame queues. */
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return loom_throw_errno(env, errno, "socket", "failed to open the AF_PACKET multicast socket");
  struct sock_fprog fprog = { .len = (unsigned short)(prog_len / sizeof(struct sock_filter)), .filter = prog };
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) < 0) {
    int err = errno;
    close(fd);
    return loom_throw_errno(env, err, "setsockopt", "failed to attach the multicast BPF filter");
  }
  int one = 1;
  if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0) {
    int err = errno;
    close(fd);
    return loom_throw_errno(env, err, "setsockopt", "failed to enable PACKET_AUXDATA");
  }
  /* Kernel >= 4.20; the filter also drops PACKET_OUTGOING, so older kernels only lose a shortcut. */
  (void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  if (rcvbuf > 0) {
    int bytes = (int)rcvbuf;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) < 0)
      (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  }
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons((uint16_t)protocol);
  sll.sll_ifindex = 0;
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
    int err = errno;
    close(fd);
    return loom_throw_errno(env, err, "bind", "failed to bind the AF_PACKET multicast socket");
  }
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

/* packetRecvBatch(fd, bufs, sizes: Int32Array, ifindexes: Int32Array, flags: Uint8Array) -> count */
static napi_value PacketRecvBatch(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int64_t fd;
  uint32_t n;
  int32_t *sizes, *ifindexes;
  uint8_t *flags;
  if (!loom_get_args(env, info, 5, argv, "packetRecvBatch")) return NULL;
  if (!loom_get_int64(env, argv[0], "fd", 0, INT32_MAX, &fd)) return NULL;
  if (!loom_get_array(env, argv[1], "bufs", &n)) return NULL;
  if (!loom_get_typed(env, argv[2], "sizes", napi_int32_array, "an Int32Array", n, (void **)&sizes)) return NULL;
  if (!loom_get_typed(env, argv[3], "ifindexes", napi_int32_array, "an Int32Array", n, (void **)&ifindexes)) return NULL;
  if (!loom_get_typed(env, argv[4], "flags", napi_uint8_array, "a Uint8Array", n, (void **)&flags)) return NULL;
  if (n > PKT_MAX_BATCH) n = PKT_MAX_BATCH;

  struct mmsghdr msgs[PKT_MAX_BATCH];
  struct iovec iov[PKT_MAX_BATCH];
  struct sockaddr_ll sll[PKT_MAX_BATCH];
  union { char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))]; struct cmsghdr align; } ctl[PKT_MAX_BATCH];
  for (uint32_t j = 0; j < n; j++) {
    uint8_t *data;
    size_t len;
    if (!loom_get_buffer_at(env, argv[1], j, &data, &len)) return NULL;
    iov[j].iov_base = data;
    iov[j].iov_len = len;
    memset(&msgs[j], 0, sizeof msgs[j]);
    msgs[j].msg_hdr.msg_name = &sll[j];
    msgs[j].msg_hdr.msg_namelen = sizeof sll[j];
    msgs[j].msg_hdr.msg_iov = &iov[j];
    msgs[j].msg_hdr.msg_iovlen = 1;
    msgs[j].msg_hdr.msg_control = ctl[j].buf;
    msgs[j].msg_hdr.msg_controllen = sizeof ctl[j].buf;
  }
  int r;
  do { r = recvmmsg((int)fd, msgs, n, MSG_DONTWAIT | MSG_TRUNC, NULL); } while (r < 0 && errno == EINTR);
  if (r < 0) {
    int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENETDOWN) {
      napi_value zero;
      napi_create_uint32(env, 0, &zero);
      return zero;
    }
    return loom_throw_errno(env, err, "recvmmsg", "failed to receive on the AF_PACKET multicast socket");
  }
  for (int j = 0; j < r; j++) {
    struct msghdr *h = &msgs[j].msg_hdr;
    /* With MSG_TRUNC, msg_len is the frame's real length: longer than the buffer = truncated. */
    sizes[j] = (msgs[j].msg_len > iov[j].iov_len || (h->msg_flags & MSG_TRUNC)) ? -1 : (int32_t)msgs[j].msg_len;
    ifindexes[j] = sll[j].sll_ifindex;
    uint8_t f = sll[j].sll_pkttype == PACKET_OUTGOING ? PKT_FLAG_OUTGOING : 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
      if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA &&
          c->cmsg_len >= CMSG_LEN(sizeof(struct tpacket_auxdata))) {
        struct tpacket_auxdata aux;
        memcpy(&aux, CMSG_DATA(c), sizeof aux);
        if (aux.tp_status & TP_STATUS_CSUMNOTREADY) f |= PKT_FLAG_CSUM_NOT_READY;
      }
    }
    flags[j] = f;
  }
  napi_value out;
  napi_create_uint32(env, (uint32_t)r, &out);
  return out;
}

/* packetSendBatch(fd, bufs, offsets: Int32Array, lengths: Int32Array, ifindexes: Int32Array, count) -> sent */
static napi_value PacketSendBatch(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  int64_t fd, count;
  uint32_t n;
  int32_t *offsets, *lengths, *ifindexes;
  if (!loom_get_args(env, info, 6, argv, "packetSendBatch")) return NULL;
  if (!loom_get_int64(env, argv[0], "fd", 0, INT32_MAX, &fd)) return NULL;
  if (!loom_get_array(env, argv[1], "bufs", &n)) return NULL;
  if (!loom_get_int64(env, argv[5], "count", 0, n < PKT_MAX_BATCH ? n : PKT_MAX_BATCH, &count)) return NULL;
  if (!loom_get_typed(env, argv[2], "offsets", napi_int32_array, "an Int32Array", (size_t)count, (void **)&offsets)) return NULL;
  if (!loom_get_typed(env, argv[3], "lengths", napi_int32_array, "an Int32Array", (size_t)count, (void **)&lengths)) return NULL;
  if (!loom_get_typed(env, argv[4], "ifindexes", napi_int32_array, "an Int32Array", (size_t)count, (void **)&ifindexes)) return NULL;

  struct mmsghdr msgs[PKT_MAX_BATCH];
  struct iovec iov[PKT_MAX_BATCH];
  struct sockaddr_ll sll[PKT_MAX_BATCH];
  for (int64_t j = 0; j < count; j++) {
    uint8_t *data;
    size_t len;
    if (!loom_get_buffer_at(env, argv[1], (uint32_t)j, &data, &len)) return NULL;
    if (offsets[j] < 0 || lengths[j] < ETH_HLEN || (size_t)offsets[j] + (size_t)lengths[j] > len) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "frame offset/length outside its buffer (or shorter than an Ethernet header)");
      return NULL;
    }
    iov[j].iov_base = data + offsets[j];
    iov[j].iov_len = (size_t)lengths[j];
    memset(&sll[j], 0, sizeof sll[j]);
    sll[j].sll_family = AF_PACKET;
    /* The frame's own EtherType (network order already): IPv4 for multicast, also ARP in the lab. */
    memcpy(&sll[j].sll_protocol, data + offsets[j] + 12, 2);
    sll[j].sll_ifindex = ifindexes[j];
    sll[j].sll_halen = ETH_ALEN;
    memcpy(sll[j].sll_addr, data + offsets[j], ETH_ALEN);
    memset(&msgs[j], 0, sizeof msgs[j]);
    msgs[j].msg_hdr.msg_name = &sll[j];
    msgs[j].msg_hdr.msg_namelen = sizeof sll[j];
    msgs[j].msg_hdr.msg_iov = &iov[j];
    msgs[j].msg_hdr.msg_iovlen = 1;
  }
  uint32_t pos = 0, sent = 0;
  while (pos < (uint32_t)count) {
    int r = sendmmsg((int)fd, msgs + pos, (unsigned)((uint32_t)count - pos), MSG_DONTWAIT);
    if (r < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (err == EBADF || err == ENOTSOCK || err == EFAULT) {
        if (pos == 0) return loom_throw_errno(env, err, "sendmmsg", "failed to send on the AF_PACKET multicast socket");
        break;
      }
      /* ENXIO/ENODEV (a veth vanished), ENETDOWN, EAGAIN, ENOBUFS, EMSGSIZE: that frame is lost
       * (the caller counts count - sent); the others still go. */
      pos++;
      continue;
    }
    if (r == 0) break;
    pos += (uint32_t)r;
    sent += (uint32_t)r;
  }
  napi_value out;
  napi_create_uint32(env, sent, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    { "packetOpen", NULL, PacketOpen, NULL, NULL, NULL, napi_default, NULL },
    { "packetRecvBatch", NULL, PacketRecvBatch, NULL, NULL, NULL, napi_default, NULL },
    { "packetSendBatch", NULL, PacketSendBatch, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
