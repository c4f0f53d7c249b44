/*
 * loom_crypto.c: the transport AEAD of the encrypted `udp` encapsulation (WireGuard's type 4
 * message), ChaCha20-Poly1305 (RFC 8439) in place over caller-owned Buffers, through the OpenSSL
 * that Node itself links (headers from Node's include dir, symbols from the node binary; no
 * library of our own). A separate addon from loom_native.c so the two evolve independently.
 *
 * Only the byte primitive lives here: keys, counters, replay windows and every decision stay in
 * TypeScript (dataplane/crypto/). Nonce = 4 zero bytes || 64-bit little-endian counter, no AAD.
 * One EVP context per direction is kept for the process; the key is set on each call (cheap for
 * ChaCha20: no key schedule).
 *
 *   seal(key, buf, off, len, counter)            -> ciphertext at [off, off+len), tag after it
 *   open(key, buf, off, len, counter) -> bool    ([off, off+len) = ciphertext || tag; plaintext in place)
 *   sealBatch(keys[], bufs[], offs, lens, counters, count)   the same as seal, count times (<= 128) in
 *     one crossing; returns how many were sealed; on an OpenSSL failure the unsealed regions are
 *     zeroed, so no plaintext can leave by mistake
 *
 * Counters arrive as doubles (< 2^53, checked in TypeScript). Argument errors throw TypeError
 * (a bug in the caller); an authentication failure is a false return, never a throw.
 */
#include <node_api.h>

#include "napi_util.h"
#include <openssl/evp.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define KEY_LEN 32
#define TAG_LEN 16
#define MAX_BATCH 128

static EVP_CIPHER_CTX *seal_ctx;
static EVP_CIPHER_CTX *open_ctx;

static void make_nonce(uint8_t nonce[12], double counter) {
  uint64_t c = (uint64_t)counter;
  memset(nonce, 0, 4);
  for (int i = 0; i < 8; i++) nonce[4 + i] = (uint8_t)(c >> (8 * i));
}

static bool seal_one(const uint8_t *key, uint8_t *p, int len, double counter) {
  uint8_t nonce[12];
  int outl = 0, fin = 0;
  make_nonce(nonce, counter);
  if (EVP_EncryptInit_ex(seal_ctx, NULL, NULL, key, nonce) != 1) return false;
  if (len > 0 && EVP_EncryptUpdate(seal_ctx, p, &outl, p, len) != 1) return false;
  if (EVP_EncryptFinal_ex(seal_ctx, p + outl, &fin) != 1) return false;
  return EVP_CIPHER_CTX_ctrl(seal_ctx, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, p + len) == 1;
}

static bool open_one(const uint8_t *key, uint8_t *p, int len, double counter) {
  uint8_t nonce[12];
  int outl = 0, fin = 0;
  int clen = len - TAG_LEN;
  if (clen < 0) return false;
  make_nonce(nonce, counter);
  if (EVP_DecryptInit_ex(open_ctx, NULL, NULL, key, nonce) != 1) return false;
  if (EVP_CIPHER_CTX_ctrl(open_ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, p + clen) != 1) return false;
  if (clen > 0 && EVP_DecryptUpdate(open_ctx, p, &outl, p, clen) != 1) return false;
  return EVP_DecryptFinal_ex(open_ctx, p + outl, &fin) > 0;
}

/* Resolves key (32 bytes) and buf[off, off+len+extra) from JS values; false = argument error thrown. */
static bool region(napi_env env, napi_value key_v, napi_value buf_v, int32_t off, int32_t len, int extra,
                   uint8_t **key, uint8_t **p) {
  size_t klen = 0, blen = 0;
  void *kd = NULL, *bd = NULL;
  if (napi_get_buffer_info(env, key_v, &kd, &klen) != napi_ok || klen != KEY_LEN) {
    loom_throw_type(env, "key must be a 32-byte Buffer");
    return false;
  }
  if (napi_get_buffer_info(env, buf_v, &bd, &blen) != napi_ok) {
    loom_throw_type(env, "buf must be a Buffer");
    return false;
  }
  if (off < 0 || len < 0 || (size_t)off + (size_t)len + (size_t)extra > blen) {
    loom_throw_type(env, "offset/length outside the buffer");
    return false;
  }
  *key = kd;
  *p = (uint8_t *)bd + off;
  return true;
}

/* seal(key, buf, off, len, counter) and open(key, buf, off, len, counter): one body, two directions. */
static napi_value crypt_one(napi_env env, napi_callback_info info, bool sealing) {
  size_t argc = 5;
  napi_value argv[5];
  int32_t off, len;
  double counter;
  uint8_t *key, *p;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5 || napi_get_value_int32(env, argv[2], &off) != napi_ok ||
      napi_get_value_int32(env, argv[3], &len) != napi_ok ||
      napi_get_value_double(env, argv[4], &counter) != napi_ok) {
    return loom_throw_type(env, sealing ? "seal(key, buf, off, len, counter)" : "open(key, buf, off, len, counter)");
  }
  if (!region(env, argv[0], argv[1], off, len, sealing ? TAG_LEN : 0, &key, &p)) return NULL;
  napi_value ok;
  napi_get_boolean(env, sealing ? seal_one(key, p, len, counter) : open_one(key, p, len, counter), &ok);
  return ok;
}

static napi_value js_seal(napi_env env, napi_callback_info info) { return crypt_one(env, info, true); }
static napi_value js_open(napi_env env, napi_callback_info info) { return crypt_one(env, info, false); }

static bool typed_array(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  napi_typedarray_type type;
  return napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) == napi_ok && type == want;
}

static napi_value js_seal_batch(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  int32_t *offs, *lens, count;
  double *counters;
  size_t n1, n2, n3;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6 || !typed_array(env, argv[2], napi_int32_array, (void **)&offs, &n1) ||
      !typed_array(env, argv[3], napi_int32_array, (void **)&lens, &n2) ||
      !typed_array(env, argv[4], napi_float64_array, (void **)&counters, &n3) ||
      napi_get_value_int32(env, argv[5], &count) != napi_ok || count < 0 || count > MAX_BATCH ||
      (size_t)count > n1 || (size_t)count > n2 || (size_t)count > n3) {
    return loom_throw_type(env, "sealBatch(keys, bufs, offsets Int32Array, lengths Int32Array, counters Float64Array, count <= 128)");
  }
  int32_t sealed = 0;
  for (int32_t i = 0; i < count; i++) {
    napi_value kv, bv;
    uint8_t *key, *p;
    if (napi_get_element(env, argv[0], i, &kv) != napi_ok || napi_get_element(env, argv[1], i, &bv) != napi_ok)
      return loom_throw_type(env, "keys and bufs must be arrays");
    if (!region(env, kv, bv, offs[i], lens[i], TAG_LEN, &key, &p)) return NULL;
    if (!seal_one(key, p, lens[i], counters[i])) {
      /* Never let plaintext leave: this region and the rest are wiped (the caller sends them
       * anyway or not; a peer drops them as `auth`). */
      for (int32_t j = i; j < count; j++) {
        if (napi_get_element(env, argv[0], j, &kv) == napi_ok && napi_get_element(env, argv[1], j, &bv) == napi_ok &&
            region(env, kv, bv, offs[j], lens[j], TAG_LEN, &key, &p)) {
          memset(p, 0, (size_t)lens[j] + TAG_LEN);
        } else {
          return NULL;
        }
      }
      break;
    }
    sealed++;
  }
  napi_value r;
  napi_create_int32(env, sealed, &r);
  return r;
}

NAPI_MODULE_INIT() {
  if (seal_ctx == NULL) {
    seal_ctx = EVP_CIPHER_CTX_new();
    open_ctx = EVP_CIPHER_CTX_new();
    if (seal_ctx == NULL || open_ctx == NULL ||
        EVP_EncryptInit_ex(seal_ctx, EVP_chacha20_poly1305(), NULL, NULL, NULL) != 1 ||
        EVP_DecryptInit_ex(open_ctx, EVP_chacha20_poly1305(), NULL, NULL, NULL) != 1) {
      napi_throw_error(env, "ERR_CRYPTO", "ChaCha20-Poly1305 is not available in this Node's OpenSSL");
      return NULL;
    }
  }
  napi_property_descriptor props[] = {
    {"seal", NULL, js_seal, NULL, NULL, NULL, napi_default, NULL},
    {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
    {"sealBatch", NULL, js_seal_batch, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
