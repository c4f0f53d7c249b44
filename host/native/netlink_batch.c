/*
 * netlink_batch.c: one rtnetlink round trip made off the JS thread (N-API, plain C).
 *
 * netlinkBatch(request, acks, timeoutMs) -> Promise<Buffer>: opens a NETLINK_ROUTE socket on
 * the calling (JS) thread, so it lives in that thread's network namespace, as a NetlinkClient
 * would; then, on a libuv pool thread, sends `request` (one or more complete netlink messages,
 * each asking for an ack) in one send() and reads replies until `acks` NLMSG_ERROR/NLMSG_DONE
 * messages have come or `timeoutMs` passed without one (ETIMEDOUT). Resolves with every reply
 * byte read, in order; the socket is closed either way.
 *
 * Why: the kernel runs a request inside the sendmsg that carries it. A link deletion there waits
 * for RCU grace periods and the device's last references (tens of ms), and on the JS thread that
 * wait stops loomd's every other request, including accepting the next CNI connection (libuv
 * accepts one connection per loop turn). Decisions stay in TypeScript: what to send, which
 * errno means what (host/netlink-batch.ts). This file only frames the reply stream enough to
 * know when the last ack has arrived.
 *
 * The pool thread never changes namespace; it only uses the socket made on the JS thread.
 */
#include <node_api.h>

#include "napi_util.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Largest request and largest reply stream accepted (a batch of a few hundred small messages). */
#define NLB_MAX_REQUEST (1 << 20)
#define NLB_MAX_REPLY (4 << 20)
#define NLB_RECV_CHUNK (64 << 10)

struct nlb_work {
  napi_async_work work;
  napi_deferred deferred;
  int fd;
  uint8_t *request;
  size_t request_len;
  uint32_t acks;
  uint8_t *reply;
  size_t reply_len;
  int err;
  const char *syscall;
};

/* Counts the acks (NLMSG_ERROR) and dump ends (NLMSG_DONE) in one datagram; -1 when malformed. */
static long nlb_count_acks(const uint8_t *p, size_t len) {
  long acks = 0;
  while (len >= sizeof(struct nlmsghdr)) {
    struct nlmsghdr h;
    memcpy(&h, p, sizeof h);
    if (h.nlmsg_len < sizeof h || h.nlmsg_len > len) return -1;
    if (h.nlmsg_type == NLMSG_ERROR || h.nlmsg_type == NLMSG_DONE) acks++;
    size_t step = NLMSG_ALIGN(h.nlmsg_len);
    if (step >= len) break;
    p += step;
    len -= step;
  }
  return acks;
}

static void nlb_execute(napi_env env, void *data) {
  (void)env;
  struct nlb_work *w = data;
  ssize_t n;
  do n = send(w->fd, w->request, w->request_len, 0); while (n < 0 && errno == EINTR);
  if (n < 0) { w->err = errno; w->syscall = "send"; return; }
  if ((size_t)n != w->request_len) { w->err = EMSGSIZE; w->syscall = "send"; return; }
  size_t cap = NLB_RECV_CHUNK;
  w->reply = malloc(cap);
  if (w->reply == NULL) { w->err = ENOMEM; w->syscall = "malloc"; return; }
  uint32_t seen = 0;
  while (seen < w->acks) {
    if (cap - w->reply_len < NLB_RECV_CHUNK) {
      if (cap >= NLB_MAX_REPLY) { w->err = EMSGSIZE; w->syscall = "recv"; return; }
      uint8_t *grown = realloc(w->reply, cap * 2);
      if (grown == NULL) { w->err = ENOMEM; w->syscall = "realloc"; return; }
      w->reply = grown;
      cap *= 2;
    }
    do n = recv(w->fd, w->reply + w->reply_len, cap - w->reply_len, 0); while (n < 0 && errno == EINTR);
    if (n < 0) {
      w->err = (errno == EAGAIN || errno == EWOULDBLOCK) ? ETIMEDOUT : errno;
      w->syscall = "recv";
      return;
    }
    long acks = nlb_count_acks(w->reply + w->reply_len, (size_t)n);
    if (acks < 0) { w->err = EBADMSG; w->syscall = "recv"; return; }
    seen += (uint32_t)acks;
    w->reply_len += (size_t)n;
  }
}

static void nlb_complete(napi_env env, napi_status status, void *data) {
  struct nlb_work *w = data;
  close(w->fd);
  napi_value result = NULL;
  if (status != napi_ok && w->err == 0) { w->err = ECANCELED; w->syscall = "uv_queue_work"; }
  if (w->err == 0) {
    if (napi_create_buffer_copy(env, w->reply_len, w->reply, NULL, &result) != napi_ok) result = NULL;
  } else {
    loom_throw_errno(env, w->err, w->syscall, "rtnetlink batch of %zu bytes", w->request_len);
  }
  if (result != NULL) {
    napi_resolve_deferred(env, w->deferred, result);
  } else {
    napi_value error;
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) napi_throw_error(env, "ERR_NAPI", "rtnetlink batch: could not build the reply");
    napi_get_and_clear_last_exception(env, &error);
    napi_reject_deferred(env, w->deferred, error);
  }
  napi_delete_async_work(env, w->work);
  free(w->request);
  free(w->reply);
  free(w);
}

/* netlinkBatch(request: Buffer, acks: number, timeoutMs: number): Promise<Buffer> */
static napi_value NetlinkBatch(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  uint8_t *data;
  size_t len;
  int32_t acks, timeout_ms;
  if (!loom_get_args(env, info, 3, argv, "netlinkBatch(request, acks, timeoutMs)")) return NULL;
  if (!loom_get_buffer(env, argv[0], "request", &data, &len)) return NULL;
  if (!loom_get_int32(env, argv[1], "acks", 1, 1 << 16, &acks)) return NULL;
  if (!loom_get_int32(env, argv[2], "timeoutMs", 1, 600000, &timeout_ms)) return NULL;
  if (len < sizeof(struct nlmsghdr) || len > NLB_MAX_REQUEST) {
    return loom_throw_range(env, "request is %zu bytes, expected %zu..%d", len, sizeof(struct nlmsghdr),
                            NLB_MAX_REQUEST);
  }
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return loom_throw_errno(env, errno, "socket", "failed to open an rtnetlink socket");
  int one = 1;
  struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
  /* Errors in acks without the request echoed back: the reply stays small. */
  if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one) < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) {
    int err = errno;
    close(fd);
    return loom_throw_errno(env, err, "setsockopt", "failed to set up an rtnetlink socket");
  }
  struct nlb_work *w = calloc(1, sizeof *w);
  uint8_t *copy = malloc(len);
  if (w == NULL || copy == NULL) {
    free(w);
    free(copy);
    close(fd);
    return loom_throw_errno(env, ENOMEM, "malloc", "rtnetlink batch of %zu bytes", len);
  }
  memcpy(copy, data, len);
  w->fd = fd;
  w->request = copy;
  w->request_len = len;
  w->acks = (uint32_t)acks;
  napi_value promise, name;
  bool created = false;
  if (napi_create_promise(env, &w->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "loom:netlinkBatch", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, nlb_execute, nlb_complete, w, &w->work) != napi_ok ||
      !(created = true) || napi_queue_async_work(env, w->work) != napi_ok) {
    /* Not queued: nothing else will free it (a created promise is dropped unsettled, never returned). */
    if (created) napi_delete_async_work(env, w->work);
    close(fd);
    free(copy);
    free(w);
    loom_fail_napi(env, "netlinkBatch");
    return NULL;
  }
  return promise;
}

bool loom_register_netlink_batch(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"netlinkBatch", NULL, NetlinkBatch, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props) == napi_ok;
}
