#!/usr/bin/env bash
# run.sh - the benchmark's entry point: Loom's data path against kernel VXLAN, kernel WireGuard
# (where the kernel has it) and userspace tunnels, on this machine, in one run, reported as
# ratios and against the performance targets of issues 9 (encryption) and 11 (offloads/latency).
#
# Default selection (about 10 minutes on 2 cores): vxlan, loom-vxlan, loom-udp, loom-encrypted,
# wireguard-go (Debian's), wireguard-go-new (the newest, built once with Go into
# /var/cache/loom-test-peers by test/netns/peers/build-wireguard-go.sh) and wireguard-kernel.
# --all adds veth, tinc, tinc-null, socat, fastd-null, fastd-aead and openvpn (about +8 min).
#
# It takes /tmp/loom-bench.lock (flock) for the whole run, builds Loom when the build is missing
# or older than its sources, runs anchors.sh, and then adds, for each Loom tunnel and headline
# metric, the ratio of Loom's median to kernel VXLAN's and to the best userspace tunnel's median,
# and the issue targets with PASS/MISS. Everything goes to stdout and to
# bench/results/<UTC date>-<commit>.md and .json (.2, .3 for later runs of that commit and day),
# with the commit, the load average and a "LOADED MACHINE" warning above 1.5.
#
# Usage (as root):  bench/run.sh [--all] [--no-build] [--out FILE.json] [anchors.sh options] [TUNNEL...]
#                   bench/run.sh --ratios FILE.json   (ratios and targets of an earlier run only)
#   Environment: RUNS (2), TCP_SECONDS (8), UDP_SECONDS (5), PINGS (200), PING_INTERVAL (0.01), RR_COUNT (2000),
#   IDLE_SECONDS (10), WARMUP_SECONDS (2), LOOM_NODE_ARGS, LOOM_MTU; BENCH_TIMEOUT (1500 s: the
#   whole anchors.sh run is stopped, and cleans up, after that); see `bench/anchors.sh --help`.
set -Eeuo pipefail
shopt -s inherit_errexit

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

DEFAULT_TUNNELS=(vxlan loom-vxlan loom-udp loom-encrypted wireguard-go wireguard-go-new wireguard-kernel)
ALL_TUNNELS=(veth vxlan loom-vxlan loom-udp loom-encrypted wireguard-go wireguard-go-new wireguard-kernel
  tinc tinc-null socat fastd-null fastd-aead openvpn)
# Userspace peers that encrypt (issue 9's "best encrypted userspace peer"), and tunnels that are
# not userspace peers (kernel ones; veth is no tunnel).
ENCRYPTED_USERSPACE='["wireguard-go", "wireguard-go-new", "tinc", "fastd-aead", "openvpn"]'
NOT_USERSPACE='["veth", "vxlan", "wireguard-kernel"]'

# Headline metrics: name, which way is better. The UDP metric's name carries the
# payload size, filled in from the JSON's params.
METRICS='[
  {m: "tcp1_gbps", better: "higher"},
  {m: "tcp4_gbps", better: "higher"},
  {m: "udp\(.params.udp_payload_bytes)_rx_kpps", better: "higher"},
  {m: "ping_avg_ms", better: "lower"},
  {m: "ping_p99_ms", better: "lower"},
  {m: "ping_load_p99_ms", better: "lower"},
  {m: "tcp_rr_p50_ms", better: "lower"},
  {m: "tcp_rr_p99_ms", better: "lower"},
  {m: "tcp1_tunnel_cpu_s_per_gb", better: "lower"},
  {m: "tcp1_total_cpu_s_per_gb", better: "lower"}
]'

# Shared jq definitions: medians, the userspace sets, the best peer of a set on a metric.
JQ_DEFS="
  ([.tunnels[] | select(.status == \"ok\") | .name]) as \$ok
  | (\$ok | map(select(. as \$t | ($NOT_USERSPACE | index(\$t)) == null and (\$t | startswith(\"loom-\") | not)))) as \$userspace
  | (\$userspace | map(select(. as \$t | $ENCRYPTED_USERSPACE | index(\$t) != null))) as \$encrypted
  | .records as \$recs
  | def med(\$t; \$m): [\$recs[] | select(.tunnel == \$t and .metric == \$m) | .median] | first;
    def q(\$x): if . == null or \$x == null or \$x == 0 then null else . / \$x end;
    def best(\$set; \$m; \$better): [\$set[] | {t: ., v: med(.; \$m)} | select(.v != null)]
      | if length == 0 then null elif \$better == \"higher\" then max_by(.v) else min_by(.v) end;
"

# ratios FILE: adds .ratios and .targets to the JSON file (in place) and prints both as markdown.
ratios() {
  local json=$1 tmp
  tmp=$(mktemp "$json.XXXXXX")
  jq "
    ($METRICS) as \$metrics
    | $JQ_DEFS
      .ratios = [
        \$ok[] | select(startswith(\"loom-\")) as \$loom
        | \$metrics[] as \$mm
        | med(\$loom; \$mm.m) as \$v
        | select(\$v != null)
        | best(\$userspace; \$mm.m; \$mm.better) as \$best
        | med(\"vxlan\"; \$mm.m) as \$kv
        | { tunnel: \$loom, metric: \$mm.m, better: \$mm.better, loom: \$v,
            vxlan: \$kv, loom_over_vxlan: (\$v | q(\$kv)),
            best_userspace: \$best.t, best_userspace_value: \$best.v,
            loom_over_best_userspace: (\$v | q(\$best.v)) }
      ]
      | \"udp\(.params.udp_payload_bytes)_rx_kpps\" as \$u
      # A target: Loom's value over a reference (or alone, ref null), compared with a threshold.
      | def target(\$issue; \$text; \$t; \$m; \$ref; \$refv; \$op; \$thr):
          med(\$t; \$m) as \$v
          | (if \$ref == null then \$v else (\$v | q(\$refv)) end) as \$x
          | { issue: \$issue, target: \$text, tunnel: \$t, metric: \$m, loom: \$v, reference: \$ref,
              reference_value: \$refv, measured: \$x, op: \$op, threshold: \$thr,
              verdict: (if \$x == null then \"n/a\"
                        elif (\$op == \">=\" and \$x >= \$thr) or (\$op == \"<=\" and \$x <= \$thr)
                          or (\$op == \">\" and \$x > \$thr) or (\$op == \"<\" and \$x < \$thr) then \"PASS\"
                        else \"MISS\" end) };
      best(\$encrypted; \"tcp1_gbps\"; \"higher\") as \$be
      | best(\$userspace; \"tcp1_tunnel_cpu_s_per_gb\"; \"lower\") as \$bc
      | .targets = [
          target(9; \"TCP 1 stream >= 3 x the best encrypted userspace peer\"; \"loom-encrypted\"; \"tcp1_gbps\";
                 \$be.t; \$be.v; \">=\"; 3),
          target(9; \"tunnel CPU-s/GB <= 0.5 x that peer's\"; \"loom-encrypted\"; \"tcp1_tunnel_cpu_s_per_gb\";
                 \$be.t; (if \$be == null then null else med(\$be.t; \"tcp1_tunnel_cpu_s_per_gb\") end); \"<=\"; 0.5),
          (\"loom-udp\", \"loom-vxlan\") as \$t
          | target(11; \"TCP 1 stream >= 0.5 x kernel VXLAN\"; \$t; \"tcp1_gbps\"; \"vxlan\"; med(\"vxlan\"; \"tcp1_gbps\"); \">=\"; 0.5),
            target(11; \"TCP 1 stream ahead of the newest wireguard-go\"; \$t; \"tcp1_gbps\";
                   \"wireguard-go-new\"; med(\"wireguard-go-new\"; \"tcp1_gbps\"); \">\"; 1),
            target(11; \"tunnel CPU-s/GB <= 0.25 x the best userspace peer\"; \$t; \"tcp1_tunnel_cpu_s_per_gb\";
                   \$bc.t; \$bc.v; \"<=\"; 0.25),
            target(11; \"64 B UDP packet rate >= 0.8 x kernel VXLAN\"; \$t; \$u; \"vxlan\"; med(\"vxlan\"; \$u); \">=\"; 0.8),
            target(11; \"ping avg <= 0.15 ms (10 ms interval)\"; \$t; \"ping_avg_ms\"; null; null; \"<=\"; 0.15),
            target(11; \"ping p99 <= 0.25 ms (10 ms interval)\"; \$t; \"ping_p99_ms\"; null; null; \"<=\"; 0.25),
            target(11; \"loomd idle CPU < 1 % of a core\"; \$t; \"idle_tunnel_cpu_pct\"; null; null; \"<\"; 1)
        ]" "$json" > "$tmp" && mv "$tmp" "$json" || { rm -f "$tmp"; die "could not compute ratios for $json"; }
  jq -r '
    def r(d): if . == null then "–" else pow(10; d) as $p | . * $p | round / $p | tostring end;
    "Loom / reference = the median of Loom divided by the median of the reference; \"better\" says which way is good.",
    "",
    "| Loom tunnel | metric | better | Loom | kernel VXLAN | Loom / VXLAN | best userspace | its value | Loom / best userspace |",
    "|---|---|---|---|---|---|---|---|---|",
    (.ratios[] | "| \(.tunnel) | \(.metric) | \(.better) | \(.loom | r(3)) | \(.vxlan | r(3)) | \(.loom_over_vxlan | r(3)) | \(.best_userspace // "–") | \(.best_userspace_value | r(3)) | \(.loom_over_best_userspace | r(3)) |"),
    "",
    "### Targets (issues 9 and 11)",
    "",
    "Measured = Loom / reference (medians of this run), or Loom'"'"'s own value where there is no reference. n/a: a tunnel of the target did not run or failed.",
    "",
    "| issue | target | Loom tunnel | Loom | reference | its value | measured | target | verdict |",
    "|---|---|---|---|---|---|---|---|---|",
    (.targets[] | "| \(.issue) | \(.target) | \(.tunnel) | \(.loom | r(3)) | \(.reference // "–") | \(.reference_value | r(3)) | \(.measured | r(3)) | \(.op) \(.threshold) | **\(.verdict)** |")
  ' "$json"
}

# A dist/ file whose source was moved or deleted (tsc never removes it), e.g. dist/control/ipam.js
# after control/ipam.ts became control/ipam/, is found by require() before the new
# dist/control/ipam/index.js and breaks loomd at load. Prints the first such file.
orphan_in_dist() {
  [[ -d $ROOT/dist ]] || return 0
  local f
  while read -r f; do
    [[ -f $ROOT/${f%.js}.ts || -f $ROOT/$f ]] || { echo "dist/$f"; return 0; }
  done < <(cd "$ROOT/dist" && { find agent cni control dataplane host metrics policy shared -name '*.js' 2> /dev/null || true; })
}

build_if_needed() {
  local native_dir="$ROOT/dataplane/native" built orphan
  orphan=$(orphan_in_dist)
  if [[ -n $orphan ]]; then
    log "dist/ holds $orphan without a source: rebuilding dist/ from scratch (npm run build)"
    rm -rf "$ROOT/dist"
    (cd "$ROOT" && nice -n 10 npm run --silent build > /dev/null 2>&1) || die "npm run build failed"
  fi
  built=$(find "$native_dir/build/Release" -maxdepth 1 -name '*.node' -print -quit 2> /dev/null || true)
  if [[ -z $built ]] || [[ -n $(find "$native_dir" "$ROOT/host" -maxdepth 3 \( -name '*.c' -o -name '*.h' -o -name binding.gyp \) \
      -newer "$built" -print -quit 2> /dev/null) ]]; then
    log "building the native addon (npm run build:native)"
    (cd "$ROOT" && nice -n 10 npm run --silent build:native > /dev/null) || die "native build failed (npm run build:native)"
  fi
  local stamp="$ROOT/dist/agent/loomd.js"
  if [[ ! -f $stamp ]] || [[ -n $(find "$ROOT/agent" "$ROOT/dataplane" "$ROOT/control" "$ROOT/metrics" "$ROOT/host" "$ROOT/shared" \
      -name '*.ts' -newer "$stamp" -print -quit 2> /dev/null) ]]; then
    log "building the TypeScript (npm run build:ts)"
    (cd "$ROOT" && nice -n 10 npm run --silent build:ts > /dev/null 2>&1) || die "build:ts failed (npm run build:ts)"
    [[ -f $stamp ]] || die "no $stamp after the build"
  fi
}

# header JSON: the markdown lines above the tables: what ran, where, at which commit, how loaded.
header() {
  local json=$1
  jq -r --arg commit "$COMMIT" --arg load "$LOAD_START" '
    ([.tunnels[].load1_before | select(. != null)] + [$load | tonumber]) as $loads
    | "# Loom benchmark \(.date) at commit \($commit)",
      "",
      "Host: \(.host.cpus) CPUs (\(.host.cpu)), kernel \(.host.kernel). RUNS=\(.params.runs), TCP \(.params.tcp_seconds) s, UDP \(.params.udp_seconds) s, \(.params.pings) pings at \(.params.ping_interval_s) s, idle CPU over \(.params.idle_seconds) s.",
      "Load average (1 min) at the start: \($load); before each tunnel: \([.tunnels[] | "\(.name) \(.load1_before // "–")"] | join(", ")).",
      (if ($loads | max) > 1.5 then "", "**LOADED MACHINE: the load average exceeded 1.5 during this run; every figure below is depressed and noisy. Use a quiet run for the ratios.**" else empty end),
      "",
      "Tunnels:",
      (.tunnels[] | "- `\(.name)`: \(.description // "–")"),
      ""' "$json"
}

main() {
  local build=1 out="" args=() sel=() a loom=0 all=0
  while (($#)); do
    case $1 in
      --ratios) [[ -f ${2:-} ]] || die "--ratios needs a JSON file"; ratios "$2"; exit 0 ;;
      --no-build) build=0 ;;
      --all) all=1 ;;
      --out) out=$2; shift ;;
      -h | --help) sed -n '2,/^set -E/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
      --list) exec "$HERE/anchors.sh" --list ;;
      -*) args+=("$1") ;;
      *) sel+=("$1") ;;
    esac
    shift
  done
  ((EUID == 0)) || die "must run as root"
  # One benchmark at a time on this machine: hold the lock for the whole run.
  if [[ -z ${LOOM_BENCH_LOCKED:-} ]]; then
    log "waiting for /tmp/loom-bench.lock"
    exec env LOOM_BENCH_LOCKED=1 flock /tmp/loom-bench.lock "${BASH_SOURCE[0]}" "${ORIG_ARGS[@]}"
  fi
  if ((${#sel[@]} == 0)); then
    if ((all)); then sel=("${ALL_TUNNELS[@]}"); else sel=("${DEFAULT_TUNNELS[@]}"); fi
  fi
  for a in "${sel[@]}"; do [[ $a == loom-* ]] && loom=1; done
  export RUNS=${RUNS:-2} TCP_SECONDS=${TCP_SECONDS:-8}
  ((build && loom)) && build_if_needed
  for a in "${sel[@]}"; do
    if [[ $a == wireguard-go-new && -z ${WG_NEW_BIN:-} ]]; then
      log "building or finding the newest wireguard-go (test/netns/peers/build-wireguard-go.sh)"
      WG_NEW_BIN=$("$ROOT/test/netns/peers/build-wireguard-go.sh") || die "build-wireguard-go.sh failed"
      export WG_NEW_BIN
    fi
  done
  COMMIT=$(git -C "$ROOT" rev-parse --short=12 HEAD 2> /dev/null || echo unknown)
  [[ $COMMIT != unknown && -n $(git -C "$ROOT" status --porcelain --untracked-files=no 2> /dev/null) ]] && COMMIT+="-dirty"
  if [[ -z $out ]]; then
    local base n="" i=1
    base="$HERE/results/$(date -u +%F)-$COMMIT"
    while [[ -e $base$n.json ]]; do i=$((i + 1)) n=".$i"; done
    out="$base$n.json"
  fi
  LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
  log "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs); commit $COMMIT; tunnels: ${sel[*]}"
  local rc=0
  timeout -s TERM -k 30 "${BENCH_TIMEOUT:-1500}" "$HERE/anchors.sh" --out "$out" "${args[@]}" "${sel[@]}" || rc=$?
  ((rc == 0)) || die "anchors.sh failed (exit $rc; 124 = BENCH_TIMEOUT reached)"
  [[ -s $out ]] || die "anchors.sh wrote no $out"
  local md=${out%.json}.md
  header "$out" > "$md.tmp"
  cat "$md" >> "$md.tmp"
  echo >> "$md.tmp"
  ratios "$out" >> "$md.tmp"
  mv "$md.tmp" "$md"
  sed -n '/^Loom \/ reference/,$p' "$md"
  log "results: $out, $md"
}

ORIG_ARGS=("$@")
main "$@"
