/*
 * loom_native.c: the data path's syscalls, exposed to JS through N-API (plain C, node_api.h).
 *
 * Only syscalls live here: opening a TUN device, batched read/write on it, a batched UDP socket
 * (sendmmsg/recvmmsg) and a libuv readiness poll. No packet is parsed, built or copied: every
 * function takes the data pointers of caller-owned Buffers and hands them to the kernel, so one
 * JS->C crossing moves a whole batch. The typed wrapper is dataplane/native-binding.ts. The
 * host's syscalls (namespace entry, sd_notify, the state directory) are another addon:
 * host/native/loom_host.c.
 *
 * Errors follow host/native/napi_util.h; in addition, transient conditions of the hot path
 * (EAGAIN, ENOBUFS, an unreachable peer) never throw: the batch functions return how far they
 * got and the caller counts the rest as drops.
 *
 * Threading: everything runs on the JS thread that calls it. The poll handles assume the main
 * thread's event loop (no worker-thread teardown hooks).
 */
#include <node_api.h>
#include <uv.h>

#include "napi_util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* Messages per sendmmsg/recvmmsg call; matches MAX_BATCH in dataplane/types.ts. */
#define LOOM_MAX_BATCH 128
/* Buffers offered to the first recvmmsg of a recvBatch call (see RecvBatch). */
#define RECV_FIRST_CHUNK 8

/* Hot-path errors that mean the caller handed us a bad fd or memory: these throw. Everything
 * else from send/recv (EAGAIN, ENOBUFS, EMSGSIZE, ECONNREFUSED, EHOSTUNREACH, ...) is about the
 * network or one peer and is returned as a short count. */
static bool is_programming_error(int err) {
  return err == EBADF || err == ENOTSOCK || err == EFAULT || err == EOPNOTSUPP ||
         err == EDESTADDRREQ || err == EBADFD;
}

/* ---------------------------------------------------------------------------------------------
 * TUN
 */

#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif
#ifndef TUNSETVNETLE
#define TUNSETVNETLE _IOW('T', 220, int)
#endif

/*
 * Turns on the segmentation offloads of a TUN opened with IFF_VNET_HDR: checksum, TSO for IPv4
 * and IPv6, and USO where the kernel has it (Linux >= 6.2); each refused set falls back to the
 * next smaller. Returns the TUN_F_* flags in force (0: none, every packet arrives whole).
 */
static int tun_enable_offloads(int fd) {
  const int tries[] = {
    TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6,
    TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
    TUN_F_CSUM,
  };
  for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
    if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)tries[i]) == 0) return tries[i];
  }
  return 0;
}

/*
 * openTun(name: string, offloads: boolean): { fd, name, vnetHeader, offloads }
 *
 * With offloads: IFF_VNET_HDR, a 10-byte little-endian struct virtio_net_hdr in front of every
 * packet read or written (TUNSETVNETHDRSZ, TUNSETVNETLE), then TUNSETOFFLOAD. A kernel that
 * refuses IFF_VNET_HDR gets a plain device (vnetHeader false); one that refuses the offloads
 * keeps the header with offloads 0.
 */
static napi_value OpenTun(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char name[256];
  size_t len;
  bool want_offloads = false;
  if (!loom_get_args(env, info, 1, argv, "openTun")) return NULL;
  if (!loom_get_string(env, argv[0], "name", name, sizeof name, &len)) return NULL;
  {
    size_t argc = 2;
    napi_value all[2];
    napi_get_cb_info(env, info, &argc, all, NULL, NULL);
    if (argc >= 2) napi_get_value_bool(env, all[1], &want_offloads);
  }
  if (len >= IFNAMSIZ) {
    /* The kernel would silently truncate it; refuse, as `ip link` does. */
    return loom_throw_errno(env, EINVAL, "ioctl", "failed to open TUN device %s (name longer than %d bytes)",
                       name, IFNAMSIZ - 1);
  }
  const char *shown = len > 0 ? name : "(kernel-named)";

  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return loom_throw_errno(env, errno, "open", "failed to open TUN device %s via /dev/net/tun", shown);

  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (want_offloads ? IFF_VNET_HDR : 0);
  memcpy(ifr.ifr_name, name, len);
  int r = ioctl(fd, TUNSETIFF, &ifr);
  bool vnet = want_offloads && r == 0;
  if (r < 0 && want_offloads && errno == EINVAL) {
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    r = ioctl(fd, TUNSETIFF, &ifr);
  }
  if (r < 0) {
    int err = errno;
    close(fd);
    return loom_throw_errno(env, err, "ioctl", "failed to open TUN device %s", shown);
  }
  ifr.ifr_name[IFNAMSIZ - 1] = '\0';
  int offloads = 0;
  if (vnet) {
    int hdr = 10, le = 1;
    if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
      int err = errno;
      close(fd);
      return loom_throw_errno(env, err, "ioctl", "failed to set the virtio header size of TUN device %s", ifr.ifr_name);
    }
    /* Little-endian headers on every host; kernels without the ioctl use the host's order,
     * which is little-endian on the platforms Loom runs on (x86-64, arm64). */
    (void)ioctl(fd, TUNSETVNETLE, &le);
    offloads = tun_enable_offloads(fd);
  }

  napi_value result, vfd, vname, vvnet, voff;
  NAPI_CALL(env, napi_create_object(env, &result));
  NAPI_CALL(env, napi_create_int32(env, fd, &vfd));
  NAPI_CALL(env, napi_create_string_utf8(env, ifr.ifr_name, NAPI_AUTO_LENGTH, &vname));
  NAPI_CALL(env, napi_get_boolean(env, vnet, &vvnet));
  NAPI_CALL(env, napi_create_int32(env, offloads, &voff));
  NAPI_CALL(env, napi_set_named_property(env, result, "fd", vfd));
  NAPI_CALL(env, napi_set_named_property(env, result, "name", vname));
  NAPI_CALL(env, napi_set_named_property(env, result, "vnetHeader", vvnet));
  NAPI_CALL(env, napi_set_named_property(env, result, "offloads", voff));
  return result;
}

/* readBatch(fd, bufs, headroom, sizes: Int32Array): number */
static napi_value ReadBatch(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int fd;
  uint32_t n;
  int32_t headroom;
  int32_t *sizes;
  if (!loom_get_args(env, info, 4, argv, "readBatch")) return NULL;
  if (!loom_get_fd(env, argv[0], &fd)) return NULL;
  if (!loom_get_array(env, argv[1], "bufs", &n)) return NULL;
  if (!loom_get_int32(env, argv[2], "headroom", 0, INT32_MAX, &headroom)) return NULL;
  if (!loom_get_typed(env, argv[3], "sizes", napi_int32_array, "an Int32Array", n, (void **)&sizes)) return NULL;

  uint32_t count = 0;
  while (count < n) {
    uint8_t *data;
    size_t len;
    if (!loom_get_buffer_at(env, argv[1], count, &data, &len)) return NULL;
    if ((size_t)headroom >= len) return loom_throw_range(env, "bufs[%u] (%zu bytes) leaves no room after headroom %d", count, len, headroom);
    ssize_t r = read(fd, data + headroom, len - (size_t)headroom);
    if (r < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      if (count == 0) return loom_throw_errno(env, err, "read", "failed to read from TUN fd %d", fd);
      break;
    }
    sizes[count++] = (int32_t)r;
  }
  return loom_make_uint32(env, count);
}

/* writeBatch(fd, bufs, offsets: Int32Array, lengths: Int32Array, count): number */
static napi_value WriteBatch(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int fd;
  uint32_t n;
  int32_t count;
  int32_t *offsets, *lengths;
  if (!loom_get_args(env, info, 5, argv, "writeBatch")) return NULL;
  if (!loom_get_fd(env, argv[0], &fd)) return NULL;
  if (!loom_get_array(env, argv[1], "bufs", &n)) return NULL;
  if (!loom_get_int32(env, argv[4], "count", 0, (int32_t)n, &count)) return NULL;
  if (!loom_get_typed(env, argv[2], "offsets", napi_int32_array, "an Int32Array", count, (void **)&offsets)) return NULL;
  if (!loom_get_typed(env, argv[3], "lengths", napi_int32_array, "an Int32Array", count, (void **)&lengths)) return NULL;

  int32_t written = 0;
  while (written < count) {
    uint8_t *data;
    size_t len;
    if (!loom_get_buffer_at(env, argv[1], written, &data, &len)) return NULL;
    int32_t off = offsets[written], plen = lengths[written];
    if (off < 0 || plen < 0 || (size_t)off + (size_t)plen > len)
      return loom_throw_range(env, "packet %d [%d, +%d) is outside its %zu-byte buffer", written, off, plen, len);
    ssize_t r = write(fd, data + off, (size_t)plen);
    if (r < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) break;
      if (written == 0) return loom_throw_errno(env, err, "write", "failed to write to TUN fd %d", fd);
      break;
    }
    written++;
  }
  return loom_make_uint32(env, (uint32_t)written);
}

/* ---------------------------------------------------------------------------------------------
 * UDP
 */

static bool set_buffer_size(int fd, int force_opt, int opt, int bytes) {
  if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof bytes) == 0) return true;
  /* Without CAP_NET_ADMIN the FORCE variant fails with EPERM; the plain one caps at rmem_max. */
  return setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof bytes) == 0;
}

#ifndef UDP_GRO
#define UDP_GRO 104
#endif

/* udpOpen(address, port, recvBufferBytes, sendBufferBytes, gro?: boolean): { fd, port, gro } */
static napi_value UdpOpen(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  char address[64];
  size_t alen;
  int32_t port, rcvbuf, sndbuf;
  bool want_gro = false;
  if (!loom_get_args(env, info, 4, argv, "udpOpen")) return NULL;
  {
    size_t argc = 5;
    napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
    if (argc >= 5) napi_get_value_bool(env, argv[4], &want_gro);
  }
  if (!loom_get_string(env, argv[0], "address", address, sizeof address, &alen)) return NULL;
  if (!loom_get_int32(env, argv[1], "port", 0, 65535, &port)) return NULL;
  if (!loom_get_int32(env, argv[2], "recvBufferBytes", 0, INT32_MAX, &rcvbuf)) return NULL;
  if (!loom_get_int32(env, argv[3], "sendBufferBytes", 0, INT32_MAX, &sndbuf)) return NULL;

  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, address, &sa.sin_addr) != 1)
    return loom_throw_type(env, "address must be a dotted IPv4 address, got '%s'", address);

  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return loom_throw_errno(env, errno, "socket", "failed to open UDP socket %s:%d", address, port);

  int pmtu = IP_PMTUDISC_DO; /* never fragment outer packets: an oversized send fails with EMSGSIZE */
  const char *step = NULL;
  /* No SO_REUSEADDR (nor SO_REUSEPORT): on UDP it would let any local process bind the same
   * address and port beside loomd and take a share of its datagrams. A second bind fails with
   * EADDRINUSE instead; a restarted loomd can rebind at once because UDP has no TIME_WAIT. */
  if (rcvbuf > 0 && !set_buffer_size(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf)) step = "setsockopt(SO_RCVBUF)";
  else if (sndbuf > 0 && !set_buffer_size(fd, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf)) step = "setsockopt(SO_SNDBUF)";
  else if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu) < 0) step = "setsockopt(IP_MTU_DISCOVER)";
  else if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) step = "bind";
  if (step != NULL) {
    int err = errno;
    close(fd);
    return loom_throw_errno(env, err, step, "failed to open UDP socket %s:%d", address, port);
  }

  struct sockaddr_in bound;
  socklen_t blen = sizeof bound;
  if (getsockname(fd, (struct sockaddr *)&bound, &blen) < 0) {
    int err = errno;
    close(fd);
    return loom_throw_errno(env, err, "getsockname", "failed to open UDP socket %s:%d", address, port);
  }

  /* UDP GRO (Linux >= 5.0): a train of equal-size datagrams from one sender may arrive as one
   * buffer, its segment size in a UDP_GRO control message (recvBatch's segmentSizes). */
  int one = 1;
  bool gro = want_gro && setsockopt(fd, IPPROTO_UDP, UDP_GRO, &one, sizeof one) == 0;

  napi_value result, vfd, vport, vgro;
  NAPI_CALL(env, napi_create_object(env, &result));
  NAPI_CALL(env, napi_create_int32(env, fd, &vfd));
  NAPI_CALL(env, napi_create_uint32(env, ntohs(bound.sin_port), &vport));
  NAPI_CALL(env, napi_get_boolean(env, gro, &vgro));
  NAPI_CALL(env, napi_set_named_property(env, result, "fd", vfd));
  NAPI_CALL(env, napi_set_named_property(env, result, "port", vport));
  NAPI_CALL(env, napi_set_named_property(env, result, "gro", vgro));
  return result;
}

/*
 * sendBatch(fd, bufs, offsets, lengths, addrs: Uint32Array, ports: Uint16Array, count,
 *           sourceFds?: Int32Array, sources?: Uint8Array): number
 *
 * With sourceFds and sources, datagram i leaves through socket sourceFds[sources[i]] (each bound
 * to its own source port) instead of fd; runs of one socket share a sendmmsg, order is kept.
 */
static napi_value SendBatch(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  int fd;
  uint32_t n;
  int32_t count;
  int32_t *offsets, *lengths;
  uint32_t *addrs;
  uint16_t *ports;
  int32_t *source_fds = NULL;
  uint8_t *sources = NULL;
  size_t n_source_fds = 0;
  if (!loom_get_args(env, info, 7, argv, "sendBatch")) return NULL;
  if (!loom_get_fd(env, argv[0], &fd)) return NULL;
  if (!loom_get_array(env, argv[1], "bufs", &n)) return NULL;
  if (!loom_get_int32(env, argv[6], "count", 0, (int32_t)n, &count)) return NULL;
  if (!loom_get_typed(env, argv[2], "offsets", napi_int32_array, "an Int32Array", count, (void **)&offsets)) return NULL;
  if (!loom_get_typed(env, argv[3], "lengths", napi_int32_array, "an Int32Array", count, (void **)&lengths)) return NULL;
  if (!loom_get_typed(env, argv[4], "addrs", napi_uint32_array, "a Uint32Array", count, (void **)&addrs)) return NULL;
  if (!loom_get_typed(env, argv[5], "ports", napi_uint16_array, "a Uint16Array", count, (void **)&ports)) return NULL;
  {
    size_t argc = 9;
    napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
    napi_valuetype t = napi_undefined;
    if (argc >= 9) napi_typeof(env, argv[7], &t);
    if (t != napi_undefined) {
      if (!loom_get_typed(env, argv[7], "sourceFds", napi_int32_array, "an Int32Array", 1, (void **)&source_fds)) return NULL;
      if (!loom_get_typed(env, argv[8], "sources", napi_uint8_array, "a Uint8Array", count, (void **)&sources)) return NULL;
      napi_get_typedarray_info(env, argv[7], NULL, &n_source_fds, NULL, NULL, NULL);
    }
  }

  struct mmsghdr msgs[LOOM_MAX_BATCH];
  struct iovec iov[LOOM_MAX_BATCH];
  struct sockaddr_in sa[LOOM_MAX_BATCH];

  int32_t sent = 0;
  while (sent < count) {
    int32_t chunk = count - sent < LOOM_MAX_BATCH ? count - sent : LOOM_MAX_BATCH;
    int out_fd = fd;
    if (sources != NULL) {
      if (sources[sent] >= n_source_fds) return loom_throw_range(env, "sources[%d] = %u names no socket", sent, sources[sent]);
      out_fd = source_fds[sources[sent]];
      for (int32_t j = 1; j < chunk; j++) {
        if (sources[sent + j] != sources[sent]) { chunk = j; break; }
      }
    }
    for (int32_t j = 0; j < chunk; j++) {
      int32_t i = sent + j;
      uint8_t *data;
      size_t len;
      if (!loom_get_buffer_at(env, argv[1], (uint32_t)i, &data, &len)) return NULL;
      if (offsets[i] < 0 || lengths[i] < 0 || (size_t)offsets[i] + (size_t)lengths[i] > len)
        return loom_throw_range(env, "datagram %d [%d, +%d) is outside its %zu-byte buffer", i, offsets[i], lengths[i], len);
      iov[j].iov_base = data + offsets[i];
      iov[j].iov_len = (size_t)lengths[i];
      sa[j].sin_family = AF_INET;
      sa[j].sin_port = htons(ports[i]);
      sa[j].sin_addr.s_addr = htonl(addrs[i]);
      memset(sa[j].sin_zero, 0, sizeof sa[j].sin_zero);
      memset(&msgs[j], 0, sizeof msgs[j]);
      msgs[j].msg_hdr.msg_name = &sa[j];
      msgs[j].msg_hdr.msg_namelen = sizeof sa[j];
      msgs[j].msg_hdr.msg_iov = &iov[j];
      msgs[j].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(out_fd, msgs, (unsigned)chunk, 0);
    if (r < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (is_programming_error(err) && sent == 0)
        return loom_throw_errno(env, err, "sendmmsg", "failed to send on UDP socket fd %d", out_fd);
      break;
    }
    sent += r;
    /* A short count means message `r` failed; the kernel parks its error in sk_err (reported by
     * the next receive). The contract is to stop at the first failure. */
    if (r < chunk) break;
  }
  return loom_make_uint32(env, (uint32_t)sent);
}

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

/*
 * sendSegmented(fd, bufs, offsets, lengths, start, count, segmentSize, addr, port): number
 *
 * UDP GSO (UDP_SEGMENT, Linux >= 4.18): datagrams start..start+count-1, all to one address, all
 * `segmentSize` bytes except possibly the last (shorter), leave in ONE sendmsg whose iovecs are
 * the datagrams back to back; the kernel (or the NIC) cuts them apart again. No copy here.
 * Returns count when sent, 0 when the socket could not take it now (EAGAIN, ENOBUFS, ...: the
 * caller counts drops), -1 when the kernel or device cannot segment (EIO, EINVAL, EOPNOTSUPP:
 * the caller stops using GSO). Programming errors throw.
 */
static napi_value SendSegmented(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  int fd;
  uint32_t n;
  int32_t start, count, seg, port;
  int32_t *offsets, *lengths;
  uint32_t addr;
  if (!loom_get_args(env, info, 9, argv, "sendSegmented")) return NULL;
  if (!loom_get_fd(env, argv[0], &fd)) return NULL;
  if (!loom_get_array(env, argv[1], "bufs", &n)) return NULL;
  if (!loom_get_int32(env, argv[4], "start", 0, (int32_t)n, &start)) return NULL;
  if (!loom_get_int32(env, argv[5], "count", 1, LOOM_MAX_BATCH, &count)) return NULL;
  if ((uint32_t)start + (uint32_t)count > n) return loom_throw_range(env, "datagrams [%d, +%d) exceed the %u buffers", start, count, n);
  if (!loom_get_typed(env, argv[2], "offsets", napi_int32_array, "an Int32Array", start + count, (void **)&offsets)) return NULL;
  if (!loom_get_typed(env, argv[3], "lengths", napi_int32_array, "an Int32Array", start + count, (void **)&lengths)) return NULL;
  if (!loom_get_int32(env, argv[6], "segmentSize", 1, 65507, &seg)) return NULL;
  if (napi_get_value_uint32(env, argv[7], &addr) != napi_ok) return loom_throw_type(env, "addr must be a number");
  if (!loom_get_int32(env, argv[8], "port", 1, 65535, &port)) return NULL;

  struct iovec iov[LOOM_MAX_BATCH];
  size_t total = 0;
  for (int32_t j = 0; j < count; j++) {
    int32_t i = start + j;
    uint8_t *data;
    size_t len;
    if (!loom_get_buffer_at(env, argv[1], (uint32_t)i, &data, &len)) return NULL;
    if (offsets[i] < 0 || lengths[i] < 0 || (size_t)offsets[i] + (size_t)lengths[i] > len)
      return loom_throw_range(env, "datagram %d [%d, +%d) is outside its %zu-byte buffer", i, offsets[i], lengths[i], len);
    if (lengths[i] > seg || (j < count - 1 && lengths[i] != seg))
      return loom_throw_range(env, "datagram %d is %d bytes; all but the last must be the segment size %d", i, lengths[i], seg);
    iov[j].iov_base = data + offsets[i];
    iov[j].iov_len = (size_t)lengths[i];
    total += (size_t)lengths[i];
  }
  if (total > 65507) return loom_throw_range(env, "%zu bytes exceed one UDP GSO send (65507)", total);

  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(addr);
  char control[CMSG_SPACE(sizeof(uint16_t))];
  memset(control, 0, sizeof control);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_name = &sa;
  msg.msg_namelen = sizeof sa;
  msg.msg_iov = iov;
  msg.msg_iovlen = (size_t)count;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_UDP;
  cm->cmsg_type = UDP_SEGMENT;
  cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  uint16_t gso = (uint16_t)seg;
  memcpy(CMSG_DATA(cm), &gso, sizeof gso);

  for (;;) {
    ssize_t r = sendmsg(fd, &msg, 0);
    if (r >= 0) return loom_make_uint32(env, (uint32_t)count);
    int err = errno;
    if (err == EINTR) continue;
    if (err == EIO || err == EINVAL || err == EOPNOTSUPP || err == ENOPROTOOPT) {
      napi_value v;
      NAPI_CALL(env, napi_create_int32(env, -1, &v));
      return v;
    }
    if (is_programming_error(err)) return loom_throw_errno(env, err, "sendmsg", "failed to send on UDP socket fd %d", fd);
    return loom_make_uint32(env, 0);
  }
}

/* Message j of a recvmmsg vector: one buffer, room for the sender's address and, with control
 * (a socket with UDP_GRO), for the segment-size control message. */
static void recv_slot(struct mmsghdr *msgs, struct iovec *iov, struct sockaddr_in *sa, uint32_t j, uint8_t *data,
                      size_t len, char *control) {
  iov[j].iov_base = data;
  iov[j].iov_len = len;
  memset(&msgs[j], 0, sizeof msgs[j]);
  msgs[j].msg_hdr.msg_name = &sa[j];
  msgs[j].msg_hdr.msg_namelen = sizeof sa[j];
  msgs[j].msg_hdr.msg_iov = &iov[j];
  msgs[j].msg_hdr.msg_iovlen = 1;
  if (control != NULL) {
    msgs[j].msg_hdr.msg_control = control;
    msgs[j].msg_hdr.msg_controllen = CMSG_SPACE(sizeof(int));
  }
}

/* The r messages a recvmmsg filled, as recvBatch reports them at index base + j: size (-1 when
 * truncated), sender, and with segs the UDP_GRO segment size (0: a single datagram). */
static void recv_results(struct mmsghdr *msgs, struct sockaddr_in *sa, int r, uint32_t base, int32_t *sizes,
                         uint32_t *addrs, uint16_t *ports, int32_t *segs) {
  for (int j = 0; j < r; j++) {
    uint32_t i = base + (uint32_t)j;
    sizes[i] = (msgs[j].msg_hdr.msg_flags & MSG_TRUNC) ? -1 : (int32_t)msgs[j].msg_len;
    if (msgs[j].msg_hdr.msg_namelen >= sizeof(struct sockaddr_in) && sa[j].sin_family == AF_INET) {
      addrs[i] = ntohl(sa[j].sin_addr.s_addr);
      ports[i] = ntohs(sa[j].sin_port);
    } else {
      addrs[i] = 0;
      ports[i] = 0;
    }
    if (segs != NULL) {
      segs[i] = 0;
      for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msgs[j].msg_hdr); cm != NULL; cm = CMSG_NXTHDR(&msgs[j].msg_hdr, cm)) {
        if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO && cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
          int gso;
          memcpy(&gso, CMSG_DATA(cm), sizeof gso);
          segs[i] = gso > 0 && gso < sizes[i] ? gso : 0;
        }
      }
    }
  }
}

/*
 * recvBatch(fd, bufs, sizes: Int32Array, addrs: Uint32Array, ports: Uint16Array,
 *           segmentSizes?: Int32Array): number
 *
 * With segmentSizes (a socket opened with gro): segmentSizes[i] = the UDP_GRO segment size when
 * message i is a train of datagrams glued together (each that size but the last), else 0.
 */
static napi_value RecvBatch(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  int fd;
  uint32_t n;
  int32_t *sizes;
  uint32_t *addrs;
  uint16_t *ports;
  int32_t *segs = NULL;
  if (!loom_get_args(env, info, 5, argv, "recvBatch")) return NULL;
  {
    size_t argc = 6;
    napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
    napi_valuetype t = napi_undefined;
    if (argc >= 6) napi_typeof(env, argv[5], &t);
    if (t != napi_undefined) {
      if (!loom_get_array(env, argv[1], "bufs", &n)) return NULL;
      if (!loom_get_typed(env, argv[5], "segmentSizes", napi_int32_array, "an Int32Array", n, (void **)&segs)) return NULL;
    }
  }
  if (!loom_get_fd(env, argv[0], &fd)) return NULL;
  if (!loom_get_array(env, argv[1], "bufs", &n)) return NULL;
  if (!loom_get_typed(env, argv[2], "sizes", napi_int32_array, "an Int32Array", n, (void **)&sizes)) return NULL;
  if (!loom_get_typed(env, argv[3], "addrs", napi_uint32_array, "a Uint32Array", n, (void **)&addrs)) return NULL;
  if (!loom_get_typed(env, argv[4], "ports", napi_uint16_array, "a Uint16Array", n, (void **)&ports)) return NULL;

  struct mmsghdr msgs[LOOM_MAX_BATCH];
  struct iovec iov[LOOM_MAX_BATCH];
  struct sockaddr_in sa[LOOM_MAX_BATCH];
  static char control[LOOM_MAX_BATCH][CMSG_SPACE(sizeof(int))];

  uint32_t total = 0;
  int soft_errors = 0;
  while (total < n) {
    uint32_t chunk = n - total < LOOM_MAX_BATCH ? n - total : LOOM_MAX_BATCH;
    /* The first recvmmsg offers only RECV_FIRST_CHUNK buffers: unpacking a Buffer from the array
     * costs a few N-API calls (cache misses when the process wakes cold), and an idle or
     * request/response flow brings one or two datagrams per wake-up, so unpacking all 64 was
     * most of this call's time then (bench/README.md, "Idle latency"). A full first chunk means
     * more is queued: the rest follows in a second recvmmsg of up to LOOM_MAX_BATCH. */
    if (total == 0 && chunk > RECV_FIRST_CHUNK) chunk = RECV_FIRST_CHUNK;
    for (uint32_t j = 0; j < chunk; j++) {
      uint8_t *data;
      size_t len;
      if (!loom_get_buffer_at(env, argv[1], total + j, &data, &len)) return NULL;
      recv_slot(msgs, iov, sa, j, data, len, segs != NULL ? control[j] : NULL);
    }
    int r = recvmmsg(fd, msgs, chunk, MSG_DONTWAIT, NULL);
    if (r < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      if (is_programming_error(err)) {
        if (total == 0) return loom_throw_errno(env, err, "recvmmsg", "failed to receive on UDP socket fd %d", fd);
        break;
      }
      /* A pending asynchronous error (e.g. left by a short sendmmsg) is reported once and
       * cleared; the datagrams behind it are still queued, so try again. */
      if (++soft_errors <= 2) continue;
      break;
    }
    recv_results(msgs, sa, r, total, sizes, addrs, ports, segs);
    total += (uint32_t)r;
    if ((uint32_t)r < chunk) break;
  }
  return loom_make_uint32(env, total);
}

/* ---------------------------------------------------------------------------------------------
 * Readiness poll (libuv)
 *
 * One uv_poll_t per fd, level-triggered: the callback runs once per loop iteration while the fd
 * is readable, so a handler that drains only part of the queue is called again. The memory lives
 * until both the uv close callback has run and the JS handle object is finalized, so a late
 * pollStop() on a stopped handle is a safe no-op.
 */

/*
 * Prefetch (pollStart's third argument): the poll callback itself reads the fd into buffers
 * registered once, before it enters JS, and hands JS the count. An idle loomd's wake-up used to
 * spend tens of microseconds between epoll's return and the read (bench/README.md, "Idle
 * latency"): entering JS, the JS->C call of readBatch/recvBatch and unpacking its Buffers and
 * typed arrays from N-API values on cold caches. Now the read happens first and no N-API value
 * is unpacked per wake-up. Only a few buffers are registered (an idle wake-up brings one or two
 * packets); when they all fill, JS reads the rest of its batch as before.
 */
#define PREFETCH_MAX RECV_FIRST_CHUNK
enum { PREFETCH_NONE, PREFETCH_READ, PREFETCH_RECV };

typedef struct {
  int kind;
  uint32_t count;        /* buffers registered, 1..PREFETCH_MAX */
  int32_t headroom;      /* READ: each packet is read at data[i] + headroom */
  uint8_t *data[PREFETCH_MAX];
  size_t cap[PREFETCH_MAX];
  int32_t *sizes;        /* results, as readBatch / recvBatch report them */
  uint32_t *addrs;       /* RECV only */
  uint16_t *ports;       /* RECV only */
  int32_t *segs;         /* RECV on a UDP_GRO socket, else NULL */
  napi_ref refs[PREFETCH_MAX + 4]; /* the Buffers and typed arrays, kept alive while polled */
  uint32_t n_refs;
} loom_prefetch;

typedef struct {
  uv_poll_t handle;
  napi_env env;
  napi_ref callback;
  napi_ref resource;
  napi_async_context async_context;
  int fd;
  loom_prefetch prefetch;
  bool stopped;
  bool closed;
  bool external_gone;
} loom_poll;

/* Reads the TUN into the registered buffers until EAGAIN or they are full: the count, or -1 when
 * the first read failed (JS' readBatch then reads again and reports the error). */
static int32_t prefetch_read(int fd, loom_prefetch *f) {
  uint32_t count = 0;
  while (count < f->count) {
    ssize_t r = read(fd, f->data[count] + f->headroom, f->cap[count] - (size_t)f->headroom);
    if (r < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      return count == 0 ? -1 : (int32_t)count;
    }
    f->sizes[count++] = (int32_t)r;
  }
  return (int32_t)count;
}

/* One recvmmsg into the registered buffers: the count, or -1 on any error but EAGAIN (JS'
 * recvBatch then receives again: it retries a pending soft error and reports a real one). */
static int32_t prefetch_recv(int fd, loom_prefetch *f) {
  struct mmsghdr msgs[PREFETCH_MAX];
  struct iovec iov[PREFETCH_MAX];
  struct sockaddr_in sa[PREFETCH_MAX];
  char control[PREFETCH_MAX][CMSG_SPACE(sizeof(int))];
  for (uint32_t j = 0; j < f->count; j++) recv_slot(msgs, iov, sa, j, f->data[j], f->cap[j], f->segs != NULL ? control[j] : NULL);
  for (;;) {
    int r = recvmmsg(fd, msgs, f->count, MSG_DONTWAIT, NULL);
    if (r >= 0) {
      recv_results(msgs, sa, r, 0, f->sizes, f->addrs, f->ports, f->segs);
      return r;
    }
    int err = errno;
    if (err == EINTR) continue;
    return err == EAGAIN || err == EWOULDBLOCK ? 0 : -1;
  }
}

static void prefetch_release(napi_env env, loom_prefetch *f) {
  for (uint32_t i = 0; i < f->n_refs; i++) napi_delete_reference(env, f->refs[i]);
  f->n_refs = 0;
  f->kind = PREFETCH_NONE;
}

/* Keeps v alive while the poll runs (its memory is read and written by the poll callback). */
static bool prefetch_hold(napi_env env, loom_prefetch *f, napi_value v) {
  if (napi_create_reference(env, v, 1, &f->refs[f->n_refs]) != napi_ok) {
    loom_fail_napi(env, "napi_create_reference");
    return false;
  }
  f->n_refs++;
  return true;
}

/* A typed array property of the prefetch spec, held. */
static bool prefetch_typed(napi_env env, loom_prefetch *f, napi_value spec, const char *name, napi_typedarray_type want,
                           const char *want_name, void **data) {
  napi_value v;
  if (napi_get_named_property(env, spec, name, &v) != napi_ok) {
    loom_fail_napi(env, "napi_get_named_property");
    return false;
  }
  return loom_get_typed(env, v, name, want, want_name, f->count, data) && prefetch_hold(env, f, v);
}

/*
 * Parses pollStart's prefetch spec into f: { bufs, sizes, headroom } reads a TUN (as readBatch),
 * { bufs, sizes, addrs, ports, segmentSizes? } receives from a UDP socket (as recvBatch). bufs
 * holds 1..PREFETCH_MAX Buffers, fixed from now on. On failure an exception is pending and
 * nothing is held.
 */
static bool prefetch_parse(napi_env env, napi_value spec, loom_prefetch *f) {
  napi_valuetype t;
  if (napi_typeof(env, spec, &t) != napi_ok || t != napi_object) {
    loom_throw_type(env, "prefetch must be an object");
    return false;
  }
  napi_value bufs;
  uint32_t n;
  bool has_headroom = false, has_segs = false;
  if (napi_get_named_property(env, spec, "bufs", &bufs) != napi_ok || !loom_get_array(env, bufs, "bufs", &n)) return false;
  if (n < 1 || n > PREFETCH_MAX) {
    loom_throw_range(env, "prefetch bufs has %u Buffers, must have 1 to %d", n, PREFETCH_MAX);
    return false;
  }
  f->count = n;
  napi_has_named_property(env, spec, "headroom", &has_headroom);
  f->kind = has_headroom ? PREFETCH_READ : PREFETCH_RECV;
  if (has_headroom) {
    napi_value v;
    napi_get_named_property(env, spec, "headroom", &v);
    if (!loom_get_int32(env, v, "headroom", 0, INT32_MAX, &f->headroom)) goto fail;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    if (napi_get_element(env, bufs, i, &el) != napi_ok) {
      loom_fail_napi(env, "napi_get_element");
      goto fail;
    }
    if (!loom_get_buffer(env, el, "prefetch bufs[i]", &f->data[i], &f->cap[i]) || !prefetch_hold(env, f, el)) goto fail;
    if ((size_t)f->headroom >= f->cap[i]) {
      loom_throw_range(env, "prefetch bufs[%u] (%zu bytes) leaves no room after headroom %d", i, f->cap[i], f->headroom);
      goto fail;
    }
  }
  if (!prefetch_typed(env, f, spec, "sizes", napi_int32_array, "an Int32Array", (void **)&f->sizes)) goto fail;
  if (f->kind == PREFETCH_RECV) {
    if (!prefetch_typed(env, f, spec, "addrs", napi_uint32_array, "a Uint32Array", (void **)&f->addrs) ||
        !prefetch_typed(env, f, spec, "ports", napi_uint16_array, "a Uint16Array", (void **)&f->ports))
      goto fail;
    napi_has_named_property(env, spec, "segmentSizes", &has_segs);
    if (has_segs) {
      napi_value v;
      napi_valuetype vt;
      napi_get_named_property(env, spec, "segmentSizes", &v);
      napi_typeof(env, v, &vt);
      if (vt != napi_undefined &&
          !prefetch_typed(env, f, spec, "segmentSizes", napi_int32_array, "an Int32Array", (void **)&f->segs))
        goto fail;
    }
  }
  return true;
fail:
  prefetch_release(env, f);
  return false;
}

static void poll_maybe_free(loom_poll *p) {
  if (p->closed && p->external_gone) free(p);
}

static void on_poll_closed(uv_handle_t *h) {
  loom_poll *p = h->data;
  napi_env env = p->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) == napi_ok) {
    napi_async_destroy(env, p->async_context);
    napi_delete_reference(env, p->callback);
    napi_delete_reference(env, p->resource);
    prefetch_release(env, &p->prefetch);
    napi_close_handle_scope(env, scope);
  }
  p->closed = true;
  poll_maybe_free(p);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  loom_poll *p = h->data;
  if (p->stopped) return;
  /* An error (e.g. the fd went bad) would fire forever; stop and let the handler's next read
   * report the real error. */
  if (status < 0) uv_poll_stop(h);

  /* With a prefetch, read first: the callback gets the count (-1: read failed, JS reads again).
   * Nothing there (another handler drained the fd in this loop turn): JS is not entered at all. */
  int32_t ready = -1;
  if (p->prefetch.kind == PREFETCH_READ) ready = prefetch_read(p->fd, &p->prefetch);
  else if (p->prefetch.kind == PREFETCH_RECV) ready = prefetch_recv(p->fd, &p->prefetch);
  if (ready == 0 && status >= 0) return;

  napi_env env = p->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, result, arg;
  size_t argc = 0;
  if (p->prefetch.kind != PREFETCH_NONE && napi_create_int32(env, ready, &arg) == napi_ok) argc = 1;
  if (napi_get_reference_value(env, p->callback, &cb) == napi_ok &&
      napi_get_reference_value(env, p->resource, &recv) == napi_ok) {
    napi_status s = napi_make_callback(env, p->async_context, recv, cb, argc, &arg, &result);
    if (s == napi_pending_exception) {
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
      napi_fatal_exception(env, exc); /* -> process 'uncaughtException', as for any callback */
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_external_finalize(napi_env env, void *data, void *hint) {
  loom_poll *p = data;
  p->external_gone = true;
  poll_maybe_free(p);
}

/* pollStart(fd, callback, prefetch?): handle. Without prefetch the callback gets no argument;
 * with one (see loom_prefetch) it gets the count of packets already read (or -1). */
static napi_value PollStart(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  size_t argc = 3;
  int fd;
  napi_valuetype t;
  if (!loom_get_args(env, info, 2, argv, "pollStart")) return NULL;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!loom_get_fd(env, argv[0], &fd)) return NULL;
  if (napi_typeof(env, argv[1], &t) != napi_ok || t != napi_function)
    return loom_throw_type(env, "callback must be a function");
  napi_valuetype pt = napi_undefined;
  if (argc >= 3) napi_typeof(env, argv[2], &pt);

  uv_loop_t *loop;
  NAPI_CALL(env, napi_get_uv_event_loop(env, &loop));

  loom_poll *p = calloc(1, sizeof *p);
  if (p == NULL) return loom_throw_errno(env, ENOMEM, "calloc", "failed to poll fd %d", fd);
  p->env = env;
  p->fd = fd;
  if (pt != napi_undefined && !prefetch_parse(env, argv[2], &p->prefetch)) {
    free(p); /* nothing registered yet; prefetch_parse released what it held */
    return NULL;
  }
  int r = uv_poll_init(loop, &p->handle, fd);
  if (r < 0) {
    prefetch_release(env, &p->prefetch);
    free(p); /* uv_poll_init failed: the handle was never registered */
    return loom_throw_errno(env, -r, "uv_poll_init", "failed to poll fd %d", fd);
  }
  p->handle.data = p;

  napi_value resource, resource_name, external;
  if (napi_create_object(env, &resource) != napi_ok ||
      napi_create_string_utf8(env, "LoomNativePoll", NAPI_AUTO_LENGTH, &resource_name) != napi_ok ||
      napi_create_reference(env, resource, 1, &p->resource) != napi_ok ||
      napi_create_reference(env, argv[1], 1, &p->callback) != napi_ok ||
      napi_async_init(env, resource, resource_name, &p->async_context) != napi_ok) {
    loom_fail_napi(env, "pollStart");
    p->stopped = true;
    p->external_gone = true;
    uv_close((uv_handle_t *)&p->handle, on_poll_closed);
    return NULL;
  }

  r = uv_poll_start(&p->handle, UV_READABLE, on_poll);
  if (r < 0) {
    p->stopped = true;
    p->external_gone = true;
    uv_close((uv_handle_t *)&p->handle, on_poll_closed);
    return loom_throw_errno(env, -r, "uv_poll_start", "failed to poll fd %d", fd);
  }

  if (napi_create_external(env, p, on_external_finalize, NULL, &external) != napi_ok) {
    loom_fail_napi(env, "napi_create_external");
    p->stopped = true;
    p->external_gone = true;
    uv_poll_stop(&p->handle);
    uv_close((uv_handle_t *)&p->handle, on_poll_closed);
    return NULL;
  }
  return external;
}

/* pollStop(handle): stops the poll and releases it; a second call is a no-op. */
static napi_value PollStop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  napi_valuetype t;
  if (!loom_get_args(env, info, 1, argv, "pollStop")) return NULL;
  if (napi_typeof(env, argv[0], &t) != napi_ok || t != napi_external)
    return loom_throw_type(env, "handle must be a value returned by pollStart");
  void *data = NULL;
  NAPI_CALL(env, napi_get_value_external(env, argv[0], &data));
  loom_poll *p = data;
  if (p != NULL && !p->stopped) {
    p->stopped = true;
    uv_poll_stop(&p->handle);
    uv_close((uv_handle_t *)&p->handle, on_poll_closed);
  }
  return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * close
 */

static napi_value Close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (!loom_get_args(env, info, 1, argv, "close")) return NULL;
  if (!loom_get_fd(env, argv[0], &fd)) return NULL;
  /* On Linux the fd is released even when close() reports EINTR; never retry. */
  if (close(fd) < 0 && errno != EINTR) return loom_throw_errno(env, errno, "close", "failed to close fd %d", fd);
  return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Module
 */

void loom_offload_register(napi_env env, napi_value exports); /* loom_offload.c */

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    {"openTun", NULL, OpenTun, NULL, NULL, NULL, napi_enumerable, NULL},
    {"readBatch", NULL, ReadBatch, NULL, NULL, NULL, napi_enumerable, NULL},
    {"writeBatch", NULL, WriteBatch, NULL, NULL, NULL, napi_enumerable, NULL},
    {"udpOpen", NULL, UdpOpen, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sendBatch", NULL, SendBatch, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sendSegmented", NULL, SendSegmented, NULL, NULL, NULL, napi_enumerable, NULL},
    {"recvBatch", NULL, RecvBatch, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pollStart", NULL, PollStart, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pollStop", NULL, PollStop, NULL, NULL, NULL, napi_enumerable, NULL},
    {"close", NULL, Close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  loom_offload_register(env, exports);
  return exports;
}
