/*
 * loom_host.c: the host's syscalls that Node cannot make, exposed through N-API (plain C).
 *
 * - setns(2) into a network namespace (the CNI plugin opens a netlink socket inside a pod's
 *   namespace; host/netns.ts);
 * - the systemd notify datagram (sd_notify(3); host/sd-notify.ts);
 * - the state directory's flock(2) and *at() calls (state_dir.c, registered here);
 * - an rtnetlink round trip made on a libuv pool thread (netlink_batch.c, registered here).
 * The data path's syscalls (TUN, UDP, poll, offloads) are another addon: dataplane/native/. The
 * typed wrapper of this one is host/native-binding.ts. Errors follow napi_util.h.
 *
 * Threading: everything runs on the JS thread that calls it (setns() moves only that thread),
 * except netlink_batch.c's send and receive, on a pool thread.
 */
#include <node_api.h>

#include "napi_util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

/* ---------------------------------------------------------------------------------------------
 * setns
 */

/* setns(path, 'net'): moves the calling thread into the network namespace at path. */
static napi_value SetNs(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char path[4096];
  char nstype[16];
  size_t plen, tlen;
  if (!loom_get_args(env, info, 2, argv, "setns")) return NULL;
  if (!loom_get_string(env, argv[0], "path", path, sizeof path, &plen)) return NULL;
  if (!loom_get_string(env, argv[1], "nstype", nstype, sizeof nstype, &tlen)) return NULL;
  if (strcmp(nstype, "net") != 0) return loom_throw_type(env, "nstype must be 'net', got '%s'", nstype);

  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return loom_throw_errno(env, errno, "open", "failed to enter network namespace %s", path);
  if (setns(fd, CLONE_NEWNET) < 0) {
    int err = errno;
    close(fd);
    return loom_throw_errno(env, err, "setns", "failed to enter network namespace %s", path);
  }
  close(fd);
  return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * notify: the systemd sd_notify protocol (one datagram to $NOTIFY_SOCKET)
 *
 * Written here rather than linking libsystemd: the protocol is one sendto() on an AF_UNIX
 * datagram socket, and Node cannot open AF_UNIX datagram sockets itself. A name starting with
 * '@' is an abstract socket (the '@' becomes a NUL byte, and the address length excludes any
 * terminator), as sd_notify(3) describes. Returns false when NOTIFY_SOCKET is unset (not run by
 * systemd), true once the datagram was sent; a failed socket/sendto throws.
 */
static napi_value Notify(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char msg[4096];
  size_t mlen;
  napi_value result;
  if (!loom_get_args(env, info, 1, argv, "notify")) return NULL;
  if (!loom_get_string(env, argv[0], "message", msg, sizeof msg, &mlen)) return NULL;

  const char *path = getenv("NOTIFY_SOCKET");
  if (path == NULL || path[0] == '\0') {
    napi_get_boolean(env, false, &result);
    return result;
  }
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  size_t plen = strlen(path);
  if ((path[0] != '/' && path[0] != '@') || plen >= sizeof addr.sun_path) {
    return loom_throw_range(env, "NOTIFY_SOCKET %s is not an absolute path or an @abstract name below %zu bytes",
      path, sizeof addr.sun_path);
  }
  memcpy(addr.sun_path, path, plen);
  socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
  if (path[0] == '@') addr.sun_path[0] = '\0';
  else alen += 1;

  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return loom_throw_errno(env, errno, "socket", "failed to notify systemd at %s", path);
  ssize_t n = sendto(fd, msg, mlen, MSG_NOSIGNAL, (struct sockaddr *)&addr, alen);
  int err = errno;
  close(fd);
  if (n < 0) return loom_throw_errno(env, err, "sendto", "failed to notify systemd at %s", path);
  napi_get_boolean(env, true, &result);
  return result;
}

/* ---------------------------------------------------------------------------------------------
 * Module
 */

/* state_dir.c: flock and the *at() calls of the state directory. */
bool loom_register_state_dir(napi_env env, napi_value exports);
/* netlink_batch.c: an rtnetlink round trip on a pool thread. */
bool loom_register_netlink_batch(napi_env env, napi_value exports);

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    {"setns", NULL, SetNs, NULL, NULL, NULL, napi_enumerable, NULL},
    {"notify", NULL, Notify, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  if (!loom_register_state_dir(env, exports)) return NULL;
  if (!loom_register_netlink_batch(env, exports)) return NULL;
  return exports;
}
