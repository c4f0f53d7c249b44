/*
 * loom_crypto.c: the transport AEAD of the encrypted `udp` encapsulation (WireGuard's type 4
 * message), ChaCha20-Poly1305 (RFC 8439) in place over caller-owned Buffers, through the OpenSSL
 * that Node itself links (symbols from the node binary; no library of our own). A separate addon
 * from loom_native.c so the two evolve independently.
 *
 * Only the byte primitive lives here: keys, counters, replay windows and every decision stay in
 * TypeScript (dataplane/crypto/). Nonce = 4 zero bytes || 64-bit little-endian counter, no AAD.
 *
 *   seal(key, buf, off, len, counter)            -> ciphertext at [off, off+len), tag after it
 *   open(key, buf, off, len, counter) -> bool    ([off, off+len) = ciphertext || tag; plaintext in place)
 *   sealBatch(keys[], bufs[], refs, offs, lens, counters, count)   the same as seal, count times
 *     (<= 128) in one crossing: region i is bufs[refs[2i+1]][offs[i], +lens[i]) under keys[refs[2i]]
 *     (refs a Uint8Array: a batch names each distinct key and buffer once, because reading a JS
 *     array element and a Buffer's bytes through N-API cost ~80 ns each, as much as a seal of 64
 *     bytes); returns how many were sealed; on an OpenSSL failure the unsealed regions are zeroed,
 *     so no plaintext can leave by mistake
 *   openBatch(keys[], bufs[], refs, offs, lens, counters, count, ok Uint8Array)   the same as open,
 *     count times (<= 128): ok[i] = 1 if region i authenticated (and is now plaintext), 0 if not
 *     (then it is left as it was); returns how many authenticated. One bad tag affects only its
 *     own region.
 *   path: "direct" or "evp" (which of the two below is in use); useEvp(bool) switches (tests, bench)
 *
 * Every argument of a batch is checked before any region is touched: a bad one (not a Buffer,
 * key not 32 bytes, region outside its buffer, an open shorter than the tag) throws TypeError (a
 * bug in the caller) and leaves every buffer as it was. An authentication failure is a 0/false,
 * never a throw.
 *
 * Two paths, the same bytes:
 * - "evp": EVP_chacha20_poly1305 with one reused context per direction. OpenSSL 3's provider
 *   layer costs ~450 ns per packet on top of the cipher here (bench/README.md, "Encrypted path
 *   profile"): parameter lookups by name (strcmp) for the IV and the tag, and two short ChaCha20
 *   calls per packet (the Poly1305 key block and the last partial block, each a full 4-block
 *   AVX-512 pass);
 * - "direct": the same OpenSSL's ChaCha20_ctr32 and Poly1305_{Init,Update,Final} (its assembly,
 *   looked up in the node binary with dlsym at load), composed as RFC 8439 §2.8 says. One
 *   ChaCha20 pass per direction covers the data and its partial last block; seal also folds the
 *   Poly1305 key block into that pass when the 64 bytes before the region are in the same buffer
 *   (they are saved, used as the zero block and restored; the forwarder always leaves headroom).
 *   open checks the tag over the ciphertext first and decrypts only an authentic region.
 *   Used only if all five symbols resolve and a self-test at load gives byte for byte what EVP
 *   gives (seal and open, with and without the folded key block); otherwise "evp".
 */
#include <node_api.h>

#include "napi_util.h"
#include <dlfcn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY_LEN 32
#define TAG_LEN 16
#define MAX_BATCH 128
#define BLOCK 64

static EVP_CIPHER_CTX *seal_ctx;
static EVP_CIPHER_CTX *open_ctx;

/* ---------------------------------------------------------------------------------------------- */
/* "evp" */

static void make_nonce(uint8_t nonce[12], double counter) {
  uint64_t c = (uint64_t)counter;
  memset(nonce, 0, 4);
  for (int i = 0; i < 8; i++) nonce[4 + i] = (uint8_t)(c >> (8 * i));
}

static bool evp_seal(const uint8_t *key, uint8_t *p, int len, double counter) {
  uint8_t nonce[12];
  int outl = 0, fin = 0;
  make_nonce(nonce, counter);
  if (EVP_EncryptInit_ex(seal_ctx, NULL, NULL, key, nonce) != 1) return false;
  if (len > 0 && EVP_EncryptUpdate(seal_ctx, p, &outl, p, len) != 1) return false;
  if (EVP_EncryptFinal_ex(seal_ctx, p + outl, &fin) != 1) return false;
  return EVP_CIPHER_CTX_ctrl(seal_ctx, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, p + len) == 1;
}

/* Decrypts into a copy first when the region may be left as it was on failure (batch), else in place. */
static bool evp_open(const uint8_t *key, uint8_t *p, int len, double counter) {
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

/* ---------------------------------------------------------------------------------------------- */
/* "direct": OpenSSL's own primitives (crypto/chacha/chacha_enc.c, crypto/poly1305/poly1305.c
 * in OpenSSL's tree; exported by the node binary, not declared in its public headers). */

typedef void (*chacha_ctr32_fn)(unsigned char *out, const unsigned char *in, size_t len, const unsigned int key[8],
                                const unsigned int counter[4]);
typedef size_t (*poly_size_fn)(void);
typedef void (*poly_init_fn)(void *ctx, const unsigned char key[32]);
typedef void (*poly_update_fn)(void *ctx, const unsigned char *in, size_t len);
typedef void (*poly_final_fn)(void *ctx, unsigned char mac[16]);

static chacha_ctr32_fn chacha_ctr32;
static poly_init_fn poly_init;
static poly_update_fn poly_update;
static poly_final_fn poly_final;
static void *poly_ctx;
static bool use_direct;

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ChaCha20's key words and its counter words {block, nonce[0..3), nonce[4..8), nonce[8..12)}. */
static void direct_state(const uint8_t *key, double counter, unsigned int k[8], unsigned int ctr[4]) {
  uint64_t c = (uint64_t)counter;
  for (int i = 0; i < 8; i++) k[i] = le32(key + 4 * i);
  ctr[0] = 0;
  ctr[1] = 0;
  ctr[2] = (unsigned int)(uint32_t)c;
  ctr[3] = (unsigned int)(uint32_t)(c >> 32);
}

/* RFC 8439 §2.8 with no AAD: Poly1305(ct || pad16 || le64(0) || le64(len)). */
static void direct_tag(const uint8_t polykey[32], const uint8_t *ct, size_t len, uint8_t tag[TAG_LEN]) {
  static const uint8_t zeros[16];
  uint8_t lens[16] = {0};
  poly_init(poly_ctx, polykey);
  if (len > 0) poly_update(poly_ctx, ct, len);
  if ((len & 15) != 0) poly_update(poly_ctx, zeros, 16 - (len & 15));
  for (int i = 0; i < 8; i++) lens[8 + i] = (uint8_t)((uint64_t)len >> (8 * i));
  poly_update(poly_ctx, lens, sizeof lens);
  poly_final(poly_ctx, tag);
}

/* front: the 64 bytes before p belong to the same buffer (borrowed as the key block, restored). */
static bool direct_seal(const uint8_t *key, uint8_t *p, int len, double counter, bool front) {
  unsigned int k[8], ctr[4];
  uint8_t block[BLOCK];
  direct_state(key, counter, k, ctr);
  if (front) {
    uint8_t saved[BLOCK];
    memcpy(saved, p - BLOCK, BLOCK);
    memset(p - BLOCK, 0, BLOCK);
    chacha_ctr32(p - BLOCK, p - BLOCK, BLOCK + (size_t)len, k, ctr);
    memcpy(block, p - BLOCK, BLOCK);
    memcpy(p - BLOCK, saved, BLOCK);
  } else {
    memset(block, 0, BLOCK);
    chacha_ctr32(block, block, BLOCK, k, ctr);
    if (len > 0) {
      ctr[0] = 1;
      chacha_ctr32(p, p, (size_t)len, k, ctr);
    }
  }
  direct_tag(block, p, (size_t)len, p + len);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(k, sizeof k);
  return true;
}

static bool direct_open(const uint8_t *key, uint8_t *p, int len, double counter) {
  unsigned int k[8], ctr[4];
  uint8_t block[BLOCK], tag[TAG_LEN];
  size_t clen = (size_t)len - TAG_LEN;
  if (len < TAG_LEN) return false;
  direct_state(key, counter, k, ctr);
  memset(block, 0, BLOCK);
  chacha_ctr32(block, block, BLOCK, k, ctr);
  direct_tag(block, p, clen, tag);
  OPENSSL_cleanse(block, sizeof block);
  bool ok = CRYPTO_memcmp(tag, p + clen, TAG_LEN) == 0;
  if (ok && clen > 0) {
    ctr[0] = 1;
    chacha_ctr32(p, p, clen, k, ctr);
  }
  OPENSSL_cleanse(k, sizeof k);
  return ok;
}

/* ---------------------------------------------------------------------------------------------- */

static bool seal_one(const uint8_t *key, uint8_t *p, int len, double counter, bool front) {
  return use_direct ? direct_seal(key, p, len, counter, front) : evp_seal(key, p, len, counter);
}

/* An EVP open decrypts before it knows; a failed one is re-encrypted so the region is as it was. */
static bool open_one(const uint8_t *key, uint8_t *p, int len, double counter) {
  if (use_direct) return direct_open(key, p, len, counter);
  uint8_t tag[TAG_LEN];
  if (len < TAG_LEN) return false;
  memcpy(tag, p + len - TAG_LEN, TAG_LEN);
  if (evp_open(key, p, len, counter)) return true;
  /* ChaCha20 is its own inverse: the same keystream (block 1 on) restores the ciphertext. */
  if (evp_seal(key, p, len - TAG_LEN, counter)) memcpy(p + len - TAG_LEN, tag, TAG_LEN);
  else memset(p, 0, (size_t)len); /* cannot happen with a working context; never leave plaintext */
  return false;
}

/* Self-test of the direct path against EVP at load: 3 lengths, both seal variants, and open. */
static bool direct_matches_evp(void) {
  static uint8_t a[BLOCK + 300 + TAG_LEN], b[BLOCK + 300 + TAG_LEN], c[BLOCK + 300 + TAG_LEN];
  uint8_t key[KEY_LEN];
  const int lens[] = {0, 37, 300};
  for (int i = 0; i < KEY_LEN; i++) key[i] = (uint8_t)(0x80 + i);
  for (int t = 0; t < 3; t++) {
    int len = lens[t];
    double counter = 0x123456789aULL + (uint64_t)t;
    for (size_t i = 0; i < sizeof a; i++) a[i] = b[i] = c[i] = (uint8_t)(i * 7 + t);
    if (!evp_seal(key, a + BLOCK, len, counter)) return false;
    direct_seal(key, b + BLOCK, len, counter, true);
    direct_seal(key, c + BLOCK, len, counter, false);
    if (memcmp(a, b, sizeof a) != 0 || memcmp(a, c, sizeof a) != 0) return false;
    if (!direct_open(key, b + BLOCK, len + TAG_LEN, counter)) return false;
    if (!evp_open(key, a + BLOCK, len + TAG_LEN, counter) || memcmp(a, b, sizeof a) != 0) return false;
    b[BLOCK + len] ^= 1; /* a flipped tag bit: refused */
    if (direct_open(key, b + BLOCK, len + TAG_LEN, counter)) return false;
  }
  return true;
}

static void setup_direct(void) {
  poly_size_fn poly_size = (poly_size_fn)dlsym(RTLD_DEFAULT, "Poly1305_ctx_size");
  chacha_ctr32 = (chacha_ctr32_fn)dlsym(RTLD_DEFAULT, "ChaCha20_ctr32");
  poly_init = (poly_init_fn)dlsym(RTLD_DEFAULT, "Poly1305_Init");
  poly_update = (poly_update_fn)dlsym(RTLD_DEFAULT, "Poly1305_Update");
  poly_final = (poly_final_fn)dlsym(RTLD_DEFAULT, "Poly1305_Final");
  if (poly_size == NULL || chacha_ctr32 == NULL || poly_init == NULL || poly_update == NULL || poly_final == NULL)
    return;
  size_t size = poly_size();
  if (size == 0 || size > 4096) return;
  /* 64-byte aligned, generously sized: the context holds SIMD state. */
  if (posix_memalign(&poly_ctx, 64, size + 64) != 0) { poly_ctx = NULL; return; }
  memset(poly_ctx, 0, size + 64);
  use_direct = direct_matches_evp();
}

/* ---------------------------------------------------------------------------------------------- */
/* JS bindings */

static bool key_bytes(napi_env env, napi_value key_v, uint8_t **key) {
  size_t klen = 0;
  void *kd = NULL;
  if (napi_get_buffer_info(env, key_v, &kd, &klen) != napi_ok || klen != KEY_LEN) {
    loom_throw_type(env, "key must be a 32-byte Buffer");
    return false;
  }
  *key = kd;
  return true;
}

static bool buf_bytes(napi_env env, napi_value buf_v, uint8_t **data, size_t *len) {
  void *bd = NULL;
  if (napi_get_buffer_info(env, buf_v, &bd, len) != napi_ok) {
    loom_throw_type(env, "buf must be a Buffer");
    return false;
  }
  *data = bd;
  return true;
}

/* buf[off, off+len+extra) inside a buffer of blen bytes; false = argument error thrown.
 * *front: the 64 bytes before the region are in the buffer too. */
static bool in_buffer(napi_env env, uint8_t *data, size_t blen, int32_t off, int32_t len, int extra, uint8_t **p,
                      bool *front) {
  if (off < 0 || len < 0 || (size_t)off + (size_t)len + (size_t)extra > blen) {
    loom_throw_type(env, "offset/length outside the buffer");
    return false;
  }
  *p = data + off;
  *front = off >= BLOCK;
  return true;
}

/* Resolves key (32 bytes) and buf[off, off+len+extra) from JS values; false = argument error thrown. */
static bool region(napi_env env, napi_value key_v, napi_value buf_v, int32_t off, int32_t len, int extra,
                   uint8_t **key, uint8_t **p, bool *front) {
  uint8_t *data;
  size_t blen = 0;
  return key_bytes(env, key_v, key) && buf_bytes(env, buf_v, &data, &blen) &&
         in_buffer(env, data, blen, off, len, extra, p, front);
}

/* seal(key, buf, off, len, counter) and open(key, buf, off, len, counter): one body, two directions. */
static napi_value crypt_one(napi_env env, napi_callback_info info, bool sealing) {
  size_t argc = 5;
  napi_value argv[5];
  int32_t off, len;
  double counter;
  uint8_t *key, *p;
  bool front;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5 || napi_get_value_int32(env, argv[2], &off) != napi_ok ||
      napi_get_value_int32(env, argv[3], &len) != napi_ok ||
      napi_get_value_double(env, argv[4], &counter) != napi_ok) {
    return loom_throw_type(env, sealing ? "seal(key, buf, off, len, counter)" : "open(key, buf, off, len, counter)");
  }
  if (!region(env, argv[0], argv[1], off, len, sealing ? TAG_LEN : 0, &key, &p, &front)) return NULL;
  napi_value ok;
  napi_get_boolean(env, sealing ? seal_one(key, p, len, counter, front) : open_one(key, p, len, counter), &ok);
  return ok;
}

static napi_value js_seal(napi_env env, napi_callback_info info) { return crypt_one(env, info, true); }
static napi_value js_open(napi_env env, napi_callback_info info) { return crypt_one(env, info, false); }

static bool typed_array(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  napi_typedarray_type type;
  return napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) == napi_ok && type == want;
}

/* The checked regions of a batch, resolved before any is touched. */
struct batch {
  int32_t count;
  int32_t *lens;
  double *counters;
  uint8_t *results;
  uint8_t *keys[MAX_BATCH];
  uint8_t *ps[MAX_BATCH];
  bool front[MAX_BATCH];
};

/* Argument order: keys, bufs, refs, offsets, lengths, counters, count[, results]; false = TypeError
 * thrown. Each distinct key and buffer is read from its array once. */
static bool batch_args(napi_env env, napi_callback_info info, bool sealing, struct batch *b) {
  size_t argc = 8;
  napi_value argv[8];
  int32_t *offs;
  uint8_t *refs;
  size_t n0, n1, n2, n3, n4 = 0;
  uint32_t nkeys = 0, nbufs = 0;
  bool is_array = false;
  const char *usage = sealing
    ? "sealBatch(keys, bufs, refs Uint8Array, offsets Int32Array, lengths Int32Array, counters Float64Array, "
      "count <= 128)"
    : "openBatch(keys, bufs, refs Uint8Array, offsets Int32Array, lengths Int32Array, counters Float64Array, "
      "count <= 128, results Uint8Array)";
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < (sealing ? 7u : 8u) || !typed_array(env, argv[2], napi_uint8_array, (void **)&refs, &n0) ||
      !typed_array(env, argv[3], napi_int32_array, (void **)&offs, &n1) ||
      !typed_array(env, argv[4], napi_int32_array, (void **)&b->lens, &n2) ||
      !typed_array(env, argv[5], napi_float64_array, (void **)&b->counters, &n3) ||
      napi_get_value_int32(env, argv[6], &b->count) != napi_ok || b->count < 0 || b->count > MAX_BATCH ||
      2 * (size_t)b->count > n0 || (size_t)b->count > n1 || (size_t)b->count > n2 || (size_t)b->count > n3 ||
      (!sealing && (!typed_array(env, argv[7], napi_uint8_array, (void **)&b->results, &n4) ||
                    (size_t)b->count > n4)) ||
      napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, argv[0], &nkeys) != napi_ok ||
      napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, argv[1], &nbufs) != napi_ok) {
    loom_throw_type(env, "%s", usage);
    return false;
  }
  uint8_t *keys[MAX_BATCH] = {0}, *bufs[MAX_BATCH] = {0};
  size_t blens[MAX_BATCH];
  for (int32_t i = 0; i < b->count; i++) {
    uint32_t ki = refs[2 * i], bi = refs[2 * i + 1];
    napi_value v;
    if (ki >= nkeys || bi >= nbufs || ki >= MAX_BATCH || bi >= MAX_BATCH) {
      loom_throw_type(env, "%s: refs[%d] names no key or buffer", sealing ? "sealBatch" : "openBatch", i);
      return false;
    }
    if (!sealing && b->lens[i] < TAG_LEN) {
      loom_throw_type(env, "openBatch: region %d is shorter than the tag (%d bytes)", i, b->lens[i]);
      return false;
    }
    if (keys[ki] == NULL && (napi_get_element(env, argv[0], ki, &v) != napi_ok || !key_bytes(env, v, &keys[ki])))
      return false;
    if (bufs[bi] == NULL && (napi_get_element(env, argv[1], bi, &v) != napi_ok ||
                             !buf_bytes(env, v, &bufs[bi], &blens[bi])))
      return false;
    b->keys[i] = keys[ki];
    if (!in_buffer(env, bufs[bi], blens[bi], offs[i], b->lens[i], sealing ? TAG_LEN : 0, &b->ps[i], &b->front[i]))
      return false;
  }
  return true;
}

static napi_value js_seal_batch(napi_env env, napi_callback_info info) {
  struct batch b;
  if (!batch_args(env, info, true, &b)) return NULL;
  int32_t sealed = 0;
  for (int32_t i = 0; i < b.count; i++) {
    if (!seal_one(b.keys[i], b.ps[i], b.lens[i], b.counters[i], b.front[i])) {
      /* Never let plaintext leave: this region and the rest are wiped (the caller sends them
       * anyway or not; a peer drops them as `auth`). */
      for (int32_t j = i; j < b.count; j++) memset(b.ps[j], 0, (size_t)b.lens[j] + TAG_LEN);
      break;
    }
    sealed++;
  }
  napi_value r;
  napi_create_int32(env, sealed, &r);
  return r;
}

static napi_value js_open_batch(napi_env env, napi_callback_info info) {
  struct batch b;
  if (!batch_args(env, info, false, &b)) return NULL;
  int32_t opened = 0;
  for (int32_t i = 0; i < b.count; i++) {
    bool ok = open_one(b.keys[i], b.ps[i], b.lens[i], b.counters[i]);
    b.results[i] = ok ? 1 : 0;
    opened += ok;
  }
  napi_value r;
  napi_create_int32(env, opened, &r);
  return r;
}

static napi_value path_value(napi_env env) {
  napi_value s;
  napi_create_string_utf8(env, use_direct ? "direct" : "evp", NAPI_AUTO_LENGTH, &s);
  return s;
}

static napi_value js_path(napi_env env, napi_callback_info info) { return path_value(env); }

/* useEvp(true) forces the EVP path, useEvp(false) goes back to direct if it passed its self-test.
 * Returns the path now in use. For the unit tests and bench/crypto-micro.ts. */
static bool direct_ok;
static napi_value js_use_evp(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  bool evp = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_bool(env, argv[0], &evp) != napi_ok) return loom_throw_type(env, "useEvp(boolean)");
  use_direct = !evp && direct_ok;
  return path_value(env);
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
    setup_direct();
    direct_ok = use_direct;
  }
  napi_property_descriptor props[] = {
    {"seal", NULL, js_seal, NULL, NULL, NULL, napi_default, NULL},
    {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
    {"sealBatch", NULL, js_seal_batch, NULL, NULL, NULL, napi_default, NULL},
    {"openBatch", NULL, js_open_batch, NULL, NULL, NULL, napi_default, NULL},
    {"path", NULL, NULL, js_path, NULL, NULL, napi_enumerable, NULL},
    {"useEvp", NULL, js_use_evp, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
