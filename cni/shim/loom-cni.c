/*
 * loom-cni: the CNI plugin that container runtimes exec, as a thin static shim.
 *
 * It reads the CNI_* environment and the network configuration on stdin, sends both to the
 * local loomd in one HTTP request on the agent's unix socket (POST /v1/cni), and prints the
 * agent's answer on stdout with the agent's exit status. Everything CNI means (parsing,
 * validation, IPAM, wiring the pod's namespace, results, error codes) happens in the agent,
 * in TypeScript (cni/commands.ts); see README "The CNI plugin" for why.
 *
 * What the shim decides itself, and nothing more:
 * - which socket: the netconf's top-level "apiSocket" string (default /run/loom/loom.sock);
 * - CNI_NETNS is opened here (O_RDONLY|O_NONBLOCK|O_NOCTTY: a FIFO or a device cannot block
 *   the open) and handed to the agent as /proc/<our pid>/fd/<fd>, because the path may only
 *   resolve in the runtime's mount namespace, which need not be loomd's (a systemd unit's
 *   private mounts, `ip netns exec`). The agent checks that the file is a network namespace;
 *   when the open fails the errno goes instead, and the agent answers 3;
 * - when to give up: a missing or refusing socket is retried until LOOM_CNI_CONNECT_MS
 *   (default 4500 ms; STATUS tries once), the answer must arrive within LOOM_CNI_TIMEOUT_MS
 *   (default 15000 ms, above the agent's own 10 s bound for a block claim). Then it prints the
 *   spec's error 11 ("try again later"), or 50 for STATUS, exit status 1: never a hang;
 * - VERSION: answered here, without the agent. Runtimes ask it to validate a config file
 *   (podman does, with only {"cniVersion"} on stdin, so not even the socket is known), and the
 *   versions a plugin binary speaks are a property of the binary. SUPPORTED must match
 *   SUPPORTED_VERSIONS in cni/netconf.ts (test/unit/cni-shim.test.ts compares the two);
 * - input bounds: stdin over 1 MiB is refused (code 7) without reading the rest;
 * - an answer outside the contract (no status line, no X-Loom-Cni-Exit header, oversized)
 *   becomes error 101 ("the agent broke its contract").
 *
 * Wire contract with agent/api-server.ts:
 *   request  body {"env": {"CNI_COMMAND": ..., every CNI_* variable}, "stdin": "<text>",
 *            "netns": {"pid": <pid>, "fd": <fd>} | {"error": "<errno name>"} (when CNI_NETNS is set)}
 *   answer   200, header X-Loom-Cni-Exit: <0..255>, Content-Length, body = exactly what to print
 *            on stdout (a body shorter than Content-Length = the agent died mid-answer -> 101);
 *            503 = the agent cannot take the request now (-> 11); the connection closed with no
 *            byte at all = the agent stopped while holding the request (-> 11).
 *
 * Build: cc -static (npm run build:native); libc only, no allocation beyond a few buffers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/loom/loom.sock"
#define MAX_STDIN (1 << 20)
#define MAX_ANSWER (8 << 20)
#define DEFAULT_CONNECT_MS 4500
#define DEFAULT_TIMEOUT_MS 15000
#define RETRY_PAUSE_MS 100
#define EXIT_HEADER "x-loom-cni-exit:"

/* CNI error codes the shim itself prints (the spec's, and Loom's 101). */
#define CNI_INCOMPATIBLE_VERSION 1
#define CNI_DECODE_FAILURE 6
#define CNI_INVALID_CONFIG 7
#define CNI_TRY_AGAIN 11
#define CNI_NOT_AVAILABLE 50
#define CNI_AGENT_FAILED 101

extern char **environ;

struct buf {
  char *p;
  size_t len, cap;
};

#define LATEST "1.1.0"
static const char *const SUPPORTED[] = {"0.4.0", "1.0.0", "1.1.0"};

static char version[16] = LATEST;
static int version_found;

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int buf_reserve(struct buf *b, size_t more) {
  if (b->len + more <= b->cap) return 0;
  size_t cap = b->cap == 0 ? 4096 : b->cap;
  while (cap < b->len + more) cap *= 2;
  char *p = realloc(b->p, cap);
  if (p == NULL) return -1;
  b->p = p;
  b->cap = cap;
  return 0;
}

static int buf_put(struct buf *b, const char *s, size_t n) {
  if (buf_reserve(b, n) < 0) return -1;
  memcpy(b->p + b->len, s, n);
  b->len += n;
  return 0;
}

static int buf_puts(struct buf *b, const char *s) { return buf_put(b, s, strlen(s)); }

/* Appends s[0..n) as a JSON string (quotes included). Bytes >= 0x80 pass through. */
static int buf_json_string(struct buf *b, const char *s, size_t n) {
  if (buf_reserve(b, n * 6 + 2) < 0) return -1;
  char *o = b->p + b->len;
  *o++ = '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      *o++ = '\\';
      *o++ = (char)c;
    } else if (c < 0x20) {
      o += sprintf(o, "\\u%04x", c);
    } else {
      *o++ = (char)c;
    }
  }
  *o++ = '"';
  b->len = (size_t)(o - b->p);
  return 0;
}

/* Prints the spec's error object and exits 1. msg is plain text (no quotes or control bytes needed). */
static void fail(int code, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  struct buf out = {0};
  if (buf_puts(&out, "{\"cniVersion\":") == 0 && buf_json_string(&out, version, strlen(version)) == 0 &&
      buf_puts(&out, ",\"code\":") == 0) {
    char num[16];
    snprintf(num, sizeof num, "%d", code);
    buf_puts(&out, num);
    buf_puts(&out, ",\"msg\":");
    buf_json_string(&out, msg, strlen(msg));
    buf_puts(&out, "}\n");
    if (write(1, out.p, out.len) < 0) { /* nothing left to tell anyone */ }
  }
  fprintf(stderr, "loom-cni: %s\n", msg);
  exit(1);
}

static int env_ms(const char *name, int dflt) {
  const char *v = getenv(name);
  if (v == NULL || *v == '\0') return dflt;
  char *end;
  long n = strtol(v, &end, 10);
  return (*end == '\0' && n > 0 && n <= 600000) ? (int)n : dflt;
}

/* Waits for fd to be ready for `events` until deadline; 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, long long deadline) {
  for (;;) {
    long long left = deadline - now_ms();
    if (left <= 0) return 0;
    struct pollfd p = {.fd = fd, .events = events};
    int r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
    if (r > 0) return 1;
    if (r < 0 && errno != EINTR) return -1;
  }
}

/* Reads all of stdin (bounded in size and time). */
static void read_stdin(struct buf *in, long long deadline) {
  int fl = fcntl(0, F_GETFL);
  if (fl >= 0) fcntl(0, F_SETFL, fl | O_NONBLOCK);
  for (;;) {
    if (buf_reserve(in, 65536) < 0) fail(CNI_INVALID_CONFIG, "out of memory reading the network configuration");
    ssize_t n = read(0, in->p + in->len, in->cap - in->len);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        int r = wait_fd(0, POLLIN, deadline);
        if (r == 0) fail(5, "no end of the network configuration on stdin within the timeout");
        if (r < 0) fail(5, "failed to read the network configuration from stdin: %s", strerror(errno));
        continue;
      }
      if (errno == EBADF) break; /* no stdin at all: the agent says what that means */
      fail(5, "failed to read the network configuration from stdin: %s", strerror(errno));
    }
    in->len += (size_t)n;
    if (in->len > MAX_STDIN) fail(CNI_INVALID_CONFIG, "the network configuration on stdin is larger than %d bytes", MAX_STDIN);
  }
}

/*
 * Finds the top-level string values of "apiSocket" and "cniVersion" in the netconf without a
 * full parser: walks the outer object and skips every other value by bracket counting (no
 * recursion, so nesting depth costs nothing). Anything unexpected stops the scan; the agent
 * parses the same text properly and reports what is wrong.
 */
static const char *skip_ws(const char *p, const char *e) {
  while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

static const char *skip_string(const char *p, const char *e) {
  for (p++; p < e; p++) {
    if (*p == '\\') { p++; continue; }
    if (*p == '"') return p + 1;
  }
  return NULL;
}

static const char *skip_value(const char *p, const char *e) {
  if (p >= e) return NULL;
  if (*p == '"') return skip_string(p, e);
  long depth = 0;
  for (; p < e; p++) {
    char c = *p;
    if (c == '"') {
      p = skip_string(p, e);
      if (p == NULL) return NULL;
      p--;
    } else if (c == '{' || c == '[') {
      depth++;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return p;
      if (--depth == 0) return p + 1;
    } else if (c == ',' && depth == 0) {
      return p;
    }
  }
  return depth == 0 ? p : NULL;
}

/* Copies a JSON string without escapes into out (NUL-terminated); 0 on success. */
static int plain_string(const char *p, const char *e, char *out, size_t cap) {
  const char *end = skip_string(p, e);
  if (end == NULL) return -1;
  size_t n = (size_t)(end - p) - 2;
  if (n + 1 > cap || memchr(p + 1, '\\', n) != NULL || memchr(p + 1, '\0', n) != NULL) return -1;
  memcpy(out, p + 1, n);
  out[n] = '\0';
  return 0;
}

static void scan_netconf(const char *p, size_t len, char *sock, size_t sock_cap) {
  const char *e = p + len;
  p = skip_ws(p, e);
  if (p >= e || *p != '{') return;
  p++;
  for (;;) {
    p = skip_ws(p, e);
    if (p >= e || *p != '"') return;
    const char *key = p + 1;
    const char *kend = skip_string(p, e);
    if (kend == NULL) return;
    size_t klen = (size_t)(kend - key) - 1;
    p = skip_ws(kend, e);
    if (p >= e || *p != ':') return;
    p = skip_ws(p + 1, e);
    if (p < e && *p == '"') {
      char tmp[sizeof version];
      if (klen == 9 && memcmp(key, "apiSocket", 9) == 0) {
        if (plain_string(p, e, sock, sock_cap) != 0 || sock[0] != '/') sock[0] = '\0';
      } else if (klen == 10 && memcmp(key, "cniVersion", 10) == 0 && plain_string(p, e, tmp, sizeof tmp) == 0) {
        memcpy(version, tmp, sizeof tmp);
        version_found = 1;
      }
    }
    p = skip_value(p, e);
    if (p == NULL) return;
    p = skip_ws(p, e);
    if (p >= e || *p != ',') return;
    p++;
  }
}

/* Opens CNI_NETNS for the agent (see the header); fills `netns` with the request's JSON member. */
static void open_netns(char *netns, size_t cap) {
  netns[0] = '\0';
  const char *path = getenv("CNI_NETNS");
  if (path == NULL || *path == '\0') return;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd >= 0) {
    snprintf(netns, cap, ",\"netns\":{\"pid\":%d,\"fd\":%d}", (int)getpid(), fd);
  } else {
    const char *name = strerrorname_np(errno);
    snprintf(netns, cap, ",\"netns\":{\"error\":\"%s\"}", name != NULL ? name : "EIO");
  }
}

/* The request: headers + {"env": {CNI_*}, "stdin": "...", "netns": {...}}. */
static void build_request(struct buf *req, const struct buf *in, const char *netns) {
  struct buf body = {0};
  int bad = buf_puts(&body, "{\"env\":{");
  int first = 1;
  for (char **ep = environ; *ep != NULL && bad == 0; ep++) {
    const char *kv = *ep;
    const char *eq = strchr(kv, '=');
    if (strncmp(kv, "CNI_", 4) != 0 || eq == NULL) continue;
    if (!first) bad |= buf_puts(&body, ",");
    first = 0;
    bad |= buf_json_string(&body, kv, (size_t)(eq - kv));
    bad |= buf_puts(&body, ":");
    bad |= buf_json_string(&body, eq + 1, strlen(eq + 1));
  }
  bad |= buf_puts(&body, "},\"stdin\":");
  bad |= buf_json_string(&body, in->len > 0 ? in->p : "", in->len);
  bad |= buf_puts(&body, netns);
  bad |= buf_puts(&body, "}");
  char head[256];
  int hn = snprintf(head, sizeof head,
                    "POST /v1/cni HTTP/1.1\r\nHost: loom\r\nContent-Type: application/json\r\n"
                    "Content-Length: %zu\r\nConnection: close\r\n\r\n", body.len);
  bad |= buf_put(req, head, (size_t)hn);
  bad |= buf_put(req, body.p, body.len);
  if (bad != 0) fail(CNI_INVALID_CONFIG, "out of memory building the request to the agent");
  free(body.p);
}

/* Connects to the agent; retries a missing or refusing socket until deadline (once if !retry). */
static int connect_agent(const char *path, long long deadline, int retry, int *last_errno) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof sa.sun_path) {
    *last_errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(sa.sun_path, path);
  for (;;) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      *last_errno = errno;
      return -1;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) return fd;
    int err = errno;
    if (err == EINPROGRESS || err == EAGAIN) {
      /* Backlog full: wait for the agent to accept, within the deadline. */
      if (wait_fd(fd, POLLOUT, deadline) == 1) {
        socklen_t l = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) == 0 && err == 0) return fd;
      } else {
        err = ETIMEDOUT;
      }
    }
    close(fd);
    *last_errno = err;
    if (!retry || now_ms() + RETRY_PAUSE_MS >= deadline) return -1;
    if (err != ENOENT && err != ECONNREFUSED && err != EAGAIN) return -1;
    struct timespec pause = {.tv_sec = 0, .tv_nsec = RETRY_PAUSE_MS * 1000000L};
    nanosleep(&pause, NULL);
  }
}

static int send_all(int fd, const struct buf *req, long long deadline) {
  size_t off = 0;
  while (off < req->len) {
    ssize_t n = send(fd, req->p + off, req->len - off, MSG_NOSIGNAL);
    if (n > 0) { off += (size_t)n; continue; }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      if (wait_fd(fd, POLLOUT, deadline) != 1) return -1;
      continue;
    }
    return -1;
  }
  return 0;
}

/* Reads until EOF (Connection: close). 0 ok, -1 error (errno), -2 timeout, -3 too large. */
static int read_answer(int fd, struct buf *ans, long long deadline) {
  for (;;) {
    if (buf_reserve(ans, 65536) < 0) return -3;
    ssize_t n = recv(fd, ans->p + ans->len, ans->cap - ans->len - 1, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        int r = wait_fd(fd, POLLIN, deadline);
        if (r == 0) return -2;
        if (r < 0) return -1;
        continue;
      }
      return -1;
    }
    ans->len += (size_t)n;
    if (ans->len > MAX_ANSWER) return -3;
  }
  ans->p[ans->len] = '\0';
  return 0;
}

/* Finds a header (name lower-case, with colon) in the head; returns its value or NULL. */
static const char *find_header(char *head, const char *name) {
  size_t nl = strlen(name);
  for (char *line = strstr(head, "\r\n"); line != NULL; line = strstr(line, "\r\n")) {
    line += 2;
    if (strncasecmp(line, name, nl) == 0) {
      const char *v = line + nl;
      while (*v == ' ' || *v == '\t') v++;
      return v;
    }
  }
  return NULL;
}

static int is_supported(const char *v) {
  for (size_t i = 0; i < sizeof SUPPORTED / sizeof SUPPORTED[0]; i++)
    if (strcmp(v, SUPPORTED[i]) == 0) return 1;
  return 0;
}

/* VERSION (spec "Version"): the requested version and the ones we speak. */
static int version_command(const struct buf *in) {
  int blank = 1;
  for (size_t i = 0; i < in->len; i++)
    if (in->p[i] != ' ' && in->p[i] != '\t' && in->p[i] != '\n' && in->p[i] != '\r') blank = 0;
  if (blank) strcpy(version, LATEST);
  else if (!version_found) fail(CNI_DECODE_FAILURE, "cniVersion is missing or not a version string (expected e.g. \"1.1.0\")");
  else if (!is_supported(version)) {
    char requested[sizeof version];
    strcpy(requested, version);
    strcpy(version, LATEST);
    fail(CNI_INCOMPATIBLE_VERSION, "cniVersion %s is not supported; supported versions: 0.4.0, 1.0.0, 1.1.0", requested);
  }
  printf("{\"cniVersion\":\"%s\",\"supportedVersions\":[", version);
  for (size_t i = 0; i < sizeof SUPPORTED / sizeof SUPPORTED[0]; i++) printf("%s\"%s\"", i == 0 ? "" : ",", SUPPORTED[i]);
  printf("]}\n");
  return 0;
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  const char *command = getenv("CNI_COMMAND");
  int is_status = command != NULL && strcmp(command, "STATUS") == 0;
  int timeout_ms = env_ms("LOOM_CNI_TIMEOUT_MS", DEFAULT_TIMEOUT_MS);
  int connect_ms = env_ms("LOOM_CNI_CONNECT_MS", DEFAULT_CONNECT_MS);
  long long start = now_ms();

  struct buf in = {0};
  read_stdin(&in, start + timeout_ms);
  char sock[sizeof(((struct sockaddr_un *)0)->sun_path)] = "";
  scan_netconf(in.p != NULL ? in.p : "", in.len, sock, sizeof sock);
  if (command != NULL && strcmp(command, "VERSION") == 0) return version_command(&in);
  if (sock[0] == '\0') strcpy(sock, DEFAULT_SOCKET);

  char netns[96];
  open_netns(netns, sizeof netns);
  struct buf req = {0};
  build_request(&req, &in, netns);
  free(in.p);

  int err = 0;
  int fd = connect_agent(sock, start + connect_ms, !is_status, &err);
  if (fd < 0) {
    fail(is_status ? CNI_NOT_AVAILABLE : CNI_TRY_AGAIN, "cannot reach the loom agent on %s: %s; is loomd running?", sock, strerror(err));
  }
  long long deadline = now_ms() + timeout_ms;
  if (send_all(fd, &req, deadline) < 0) {
    fail(is_status ? CNI_NOT_AVAILABLE : CNI_TRY_AGAIN, "failed to send the request to the loom agent on %s: %s", sock,
         errno == 0 ? "timed out" : strerror(errno));
  }
  struct buf ans = {0};
  int r = read_answer(fd, &ans, deadline);
  close(fd);
  if (r == -2) fail(is_status ? CNI_NOT_AVAILABLE : CNI_TRY_AGAIN, "no answer from the loom agent on %s within %d ms", sock, timeout_ms);
  if (r == -3) fail(CNI_AGENT_FAILED, "the loom agent's answer is larger than %d bytes", MAX_ANSWER);
  if (r < 0) fail(is_status ? CNI_NOT_AVAILABLE : CNI_TRY_AGAIN, "failed to read the answer of the loom agent on %s: %s", sock, strerror(errno));

  /* Connection closed before a single byte: the agent stopped (or was killed) while it held the
     request. Whether the request took effect is unknown, and every command is idempotent, so
     the runtime's retry is the right reaction: 11, like an agent that is not there. */
  if (ans.len == 0) {
    fail(is_status ? CNI_NOT_AVAILABLE : CNI_TRY_AGAIN, "the loom agent on %s closed the connection without answering "
         "(stopped or restarted?); try again", sock);
  }
  char *body = strstr(ans.p, "\r\n\r\n");
  int status = 0;
  if (ans.len < 12 || body == NULL || sscanf(ans.p, "HTTP/1.%*[01] %3d", &status) != 1) {
    fail(CNI_AGENT_FAILED, "the loom agent on %s sent a malformed answer (%zu bytes)", sock, ans.len);
  }
  *body = '\0';
  body += 4;
  if (status == 503) fail(is_status ? CNI_NOT_AVAILABLE : CNI_TRY_AGAIN, "the loom agent on %s is busy (HTTP 503); try again", sock);
  const char *exit_value = find_header(ans.p, EXIT_HEADER);
  char *end = NULL;
  long exit_code = exit_value == NULL ? -1 : strtol(exit_value, &end, 10);
  if (status != 200 || exit_value == NULL || end == exit_value || (*end != '\r' && *end != '\0') || exit_code < 0 || exit_code > 255) {
    fail(CNI_AGENT_FAILED, "the loom agent on %s answered outside the contract (HTTP %d, %s)", sock, status,
         exit_value == NULL ? "no exit status" : "bad exit status");
  }
  size_t body_len = ans.len - (size_t)(body - ans.p);
  const char *length = find_header(ans.p, "content-length:");
  if (length == NULL || strtoul(length, NULL, 10) != body_len) {
    fail(CNI_AGENT_FAILED, "the loom agent on %s sent a truncated answer (%zu body bytes, Content-Length %s)", sock, body_len,
         length == NULL ? "missing" : "differs");
  }
  size_t off = 0;
  while (off < body_len) {
    ssize_t n = write(1, body + off, body_len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 1;
    off += (size_t)n;
  }
  return (int)exit_code;
}
