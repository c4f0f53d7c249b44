/*
 * state_dir.c: the state directory's syscalls that Node's fs cannot make (N-API, plain C).
 *
 * - flock(2) on the lock file, held for the daemon's life (Node has no flock);
 * - openat(2), renameat(2), unlinkat(2) relative to a directory fd, with O_NOFOLLOW and, for
 *   temp files, O_CREAT|O_EXCL: a name planted in the directory (a symlink to /etc/shadow, a
 *   FIFO) is never followed, truncated or written through, and a rename of the directory's
 *   path while loomd runs cannot redirect its writes (Node only opens by path).
 * Decisions (what to lock, which names, what to do about a planted file) stay in TypeScript:
 * control/node/state-dir.ts. Errors follow napi_util.h (a message naming the file first).
 */
#include <node_api.h>

#include "napi_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define SD_NAME_MAX 255

/* A single path component: no '/', not '.' or '..', not empty, no NUL. */
static bool sd_name(napi_env env, napi_value v, char *buf) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, buf, SD_NAME_MAX + 1, &len) != napi_ok || len == 0 ||
      len >= SD_NAME_MAX || strchr(buf, '/') != NULL || strlen(buf) != len ||
      strcmp(buf, ".") == 0 || strcmp(buf, "..") == 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "a file name without '/' is required");
    return false;
  }
  return true;
}

/* flockExclusive(fd): true when locked, false when another open file description holds it. */
static napi_value FlockExclusive(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (!loom_get_args(env, info, 1, argv, "flockExclusive(fd)") || !loom_get_int32(env, argv[0], "fd", 0, INT32_MAX, &fd)) return NULL;
  int rc;
  do rc = flock(fd, LOCK_EX | LOCK_NB); while (rc < 0 && errno == EINTR);
  napi_value r;
  if (rc == 0) { napi_get_boolean(env, true, &r); return r; }
  if (errno == EWOULDBLOCK) { napi_get_boolean(env, false, &r); return r; }
  return loom_throw_errno(env, errno, "flock", "failed to lock fd %d", fd);
}

/*
 * openAt(dirfd, name, mode): mode 'read' = O_RDONLY|O_NOFOLLOW|O_NONBLOCK (a FIFO cannot hang
 * us; the caller fstat()s and refuses anything but a regular file), 'exclusive' =
 * O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW (0600), 'lock' = O_RDWR|O_CREAT|O_NOFOLLOW (0600).
 * All O_CLOEXEC. Returns the fd.
 */
static napi_value OpenAt(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t dirfd;
  char name[SD_NAME_MAX + 1];
  char mode[16];
  size_t mlen = 0;
  if (!loom_get_args(env, info, 3, argv, "openAt(dirfd, name, mode)") || !loom_get_int32(env, argv[0], "dirfd", 0, INT32_MAX, &dirfd) ||
      !sd_name(env, argv[1], name)) return NULL;
  if (napi_get_value_string_utf8(env, argv[2], mode, sizeof mode, &mlen) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "mode must be a string");
    return NULL;
  }
  int flags;
  if (strcmp(mode, "read") == 0) flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
  else if (strcmp(mode, "exclusive") == 0) flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  else if (strcmp(mode, "lock") == 0) flags = O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
  else {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "mode must be 'read', 'exclusive' or 'lock'");
    return NULL;
  }
  int fd;
  do fd = openat(dirfd, name, flags, 0600); while (fd < 0 && errno == EINTR);
  if (fd < 0) return loom_throw_errno(env, errno, "openat", "failed to open %s in the state directory", name);
  return loom_make_int64(env, fd);
}

/* renameAt(dirfd, from, to): atomic replace of `to` inside one directory. */
static napi_value RenameAt(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t dirfd;
  char from[SD_NAME_MAX + 1], to[SD_NAME_MAX + 1];
  if (!loom_get_args(env, info, 3, argv, "renameAt(dirfd, from, to)") || !loom_get_int32(env, argv[0], "dirfd", 0, INT32_MAX, &dirfd) ||
      !sd_name(env, argv[1], from) || !sd_name(env, argv[2], to)) return NULL;
  if (renameat(dirfd, from, dirfd, to) < 0) return loom_throw_errno(env, errno, "renameat", "failed to rename %s to %s in the state directory", from, to);
  return NULL;
}

/* unlinkAt(dirfd, name): removes the name itself (a symlink, never its target); false if absent. */
static napi_value UnlinkAt(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t dirfd;
  char name[SD_NAME_MAX + 1];
  if (!loom_get_args(env, info, 2, argv, "unlinkAt(dirfd, name)") || !loom_get_int32(env, argv[0], "dirfd", 0, INT32_MAX, &dirfd) ||
      !sd_name(env, argv[1], name)) return NULL;
  napi_value r;
  if (unlinkat(dirfd, name, 0) < 0) {
    if (errno == ENOENT) { napi_get_boolean(env, false, &r); return r; }
    return loom_throw_errno(env, errno, "unlinkat", "failed to remove %s from the state directory", name);
  }
  napi_get_boolean(env, true, &r);
  return r;
}

/* Called from loom_host.c's module init. Returns false with an exception pending. */
bool loom_register_state_dir(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"flockExclusive", NULL, FlockExclusive, NULL, NULL, NULL, napi_enumerable, NULL},
    {"openAt", NULL, OpenAt, NULL, NULL, NULL, napi_enumerable, NULL},
    {"renameAt", NULL, RenameAt, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unlinkAt", NULL, UnlinkAt, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props) == napi_ok;
}
