/*
 * napi_util.h: the N-API argument and error helpers every Loom addon uses (host/native/ and
 * dataplane/native/), so a bad argument or a failed syscall reads the same from each of them.
 *
 * Error convention:
 * - a failed syscall throws an Error whose `code` is the errno name ('EPERM'), with a numeric
 *   `errno`, the `syscall`, and a message that names the device, socket or file first:
 *   "failed to open TUN device loom0: EPERM (Operation not permitted)";
 * - a bad argument (a bug in the caller) throws TypeError/RangeError with code
 *   ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE.
 * Every `loom_get_*` returns false with an exception pending; every `loom_throw_*` returns NULL,
 * so a binding can `return loom_throw_errno(...)`.
 *
 * Header-only (static inline): each addon is its own shared object and links no common library.
 */
#ifndef LOOM_NAPI_UTIL_H
#define LOOM_NAPI_UTIL_H

#include <node_api.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static inline const char *loom_errno_name(int err) {
  const char *name = strerrorname_np(err);
  return name != NULL ? name : "EUNKNOWN";
}

/* Throws "<context>: ENAME (strerror)" with code, errno and syscall. Always returns NULL. */
static inline napi_value loom_throw_errno(napi_env env, int err, const char *syscall, const char *fmt, ...) {
  char context[320];
  char message[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(context, sizeof context, fmt, ap);
  va_end(ap);
  snprintf(message, sizeof message, "%s: %s (%s)", context, loom_errno_name(err), strerror(err));

  napi_value code, msg, error, errnum, sys;
  if (napi_create_string_utf8(env, loom_errno_name(err), NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg) != napi_ok ||
      napi_create_error(env, code, msg, &error) != napi_ok) {
    napi_throw_error(env, loom_errno_name(err), message);
    return NULL;
  }
  napi_create_int32(env, err, &errnum);
  napi_set_named_property(env, error, "errno", errnum);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, error, "syscall", sys);
  napi_throw(env, error);
  return NULL;
}

/* A TypeError (ERR_INVALID_ARG_TYPE) or, with `range`, a RangeError (ERR_OUT_OF_RANGE). Returns NULL. */
static inline napi_value loom_throw_arg(napi_env env, bool range, const char *fmt, ...) {
  char message[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  if (range) napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message);
  else napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return NULL;
}

#define loom_throw_type(env, ...) loom_throw_arg((env), false, __VA_ARGS__)
#define loom_throw_range(env, ...) loom_throw_arg((env), true, __VA_ARGS__)

/* After a failed napi_* call: make sure some exception is pending. */
static inline void loom_fail_napi(napi_env env, const char *what) {
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  const char *detail = (info != NULL && info->error_message != NULL) ? info->error_message : what;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "ERR_NAPI", detail);
}

#define NAPI_CALL(env, call)                       \
  do {                                             \
    if ((call) != napi_ok) {                       \
      loom_fail_napi((env), #call);                \
      return NULL;                                 \
    }                                              \
  } while (0)

/* The first `want` arguments into argv; fewer is a TypeError naming the function. */
static inline bool loom_get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv,
                                 const char *fn) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    loom_fail_napi(env, "napi_get_cb_info");
    return false;
  }
  if (argc < want) {
    loom_throw_type(env, "%s: expected %zu arguments, got %zu", fn, want, argc);
    return false;
  }
  return true;
}

/* An integral number in [min, max]. */
static inline bool loom_get_int64(napi_env env, napi_value v, const char *name, int64_t min, int64_t max,
                                  int64_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) {
    loom_throw_type(env, "%s must be a number", name);
    return false;
  }
  double d;
  napi_get_value_double(env, v, &d);
  if (!(d >= (double)min && d <= (double)max) || d != (double)(int64_t)d) {
    loom_throw_range(env, "%s must be an integer in [%lld, %lld], got %g", name, (long long)min, (long long)max, d);
    return false;
  }
  *out = (int64_t)d;
  return true;
}

static inline bool loom_get_int32(napi_env env, napi_value v, const char *name, int32_t min, int32_t max,
                                  int32_t *out) {
  int64_t value;
  if (!loom_get_int64(env, v, name, min, max, &value)) return false;
  *out = (int32_t)value;
  return true;
}

static inline bool loom_get_fd(napi_env env, napi_value v, int *fd) {
  int32_t value;
  if (!loom_get_int32(env, v, "fd", 0, INT32_MAX, &value)) return false;
  *fd = value;
  return true;
}

/* A string into buf (cap bytes, NUL-terminated, cut at cap - 1); its length in *len. */
static inline bool loom_get_string(napi_env env, napi_value v, const char *name, char *buf, size_t cap,
                                   size_t *len) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
    loom_throw_type(env, "%s must be a string", name);
    return false;
  }
  if (napi_get_value_string_utf8(env, v, buf, cap, len) != napi_ok) {
    loom_fail_napi(env, "napi_get_value_string_utf8");
    return false;
  }
  return true;
}

static inline bool loom_get_array(napi_env env, napi_value v, const char *name, uint32_t *len) {
  bool is_array = false;
  napi_is_array(env, v, &is_array);
  if (!is_array) {
    loom_throw_type(env, "%s must be an array of Buffers", name);
    return false;
  }
  napi_get_array_length(env, v, len);
  return true;
}

/* A Buffer as (data, length); no copy. */
static inline bool loom_get_buffer(napi_env env, napi_value v, const char *name, uint8_t **data, size_t *len) {
  bool is_buffer = false;
  void *p = NULL;
  napi_is_buffer(env, v, &is_buffer);
  if (!is_buffer || napi_get_buffer_info(env, v, &p, len) != napi_ok) {
    loom_throw_type(env, "%s must be a Buffer", name);
    return false;
  }
  *data = p;
  return true;
}

/* bufs[i] as (data, length); no copy. Called per packet: the element's name is formatted only
 * for the error (an snprintf per call was ~2 % of loomd's CPU in bench/profile.sh). */
static inline bool loom_get_buffer_at(napi_env env, napi_value arr, uint32_t i, uint8_t **data, size_t *len) {
  napi_value el;
  void *p = NULL;
  bool is_buffer = false;
  if (napi_get_element(env, arr, i, &el) != napi_ok) {
    loom_fail_napi(env, "napi_get_element");
    return false;
  }
  napi_is_buffer(env, el, &is_buffer);
  if (is_buffer && napi_get_buffer_info(env, el, &p, len) == napi_ok) {
    *data = p;
    return true;
  }
  char name[32];
  snprintf(name, sizeof name, "bufs[%u]", i);
  return loom_get_buffer(env, el, name, data, len);
}

/* A typed array of type `want` (described as want_name) with at least min_len elements. */
static inline bool loom_get_typed(napi_env env, napi_value v, const char *name, napi_typedarray_type want,
                                  const char *want_name, size_t min_len, void **data) {
  bool is_typed = false;
  napi_is_typedarray(env, v, &is_typed);
  napi_typedarray_type type;
  size_t length = 0;
  if (is_typed) napi_get_typedarray_info(env, v, &type, &length, data, NULL, NULL);
  if (!is_typed || type != want) {
    loom_throw_type(env, "%s must be %s", name, want_name);
    return false;
  }
  if (length < min_len) {
    loom_throw_range(env, "%s has %zu elements, needs at least %zu", name, length, min_len);
    return false;
  }
  return true;
}

static inline napi_value loom_make_uint32(napi_env env, uint32_t v) {
  napi_value r;
  napi_create_uint32(env, v, &r);
  return r;
}

static inline napi_value loom_make_int64(napi_env env, int64_t v) {
  napi_value r;
  napi_create_int64(env, v, &r);
  return r;
}

static inline napi_value loom_make_bool(napi_env env, bool v) {
  napi_value r;
  napi_get_boolean(env, v, &r);
  return r;
}

#endif /* LOOM_NAPI_UTIL_H */
