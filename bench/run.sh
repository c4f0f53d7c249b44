#!/usr/bin/env bash
# run.sh - the benchmark's entry point: Loom's data path against kernel VXLAN and
# the userspace tunnels people use, on this machine, reported as ratios.
#
# It builds Loom when the build is missing or older than its sources, runs
# anchors.sh (every tunnel, or the ones named), and then adds, for each Loom
# tunnel and headline metric, the ratio of Loom's median to kernel VXLAN's and
# to the best userspace tunnel's median for that metric (the best of
# wireguard-go, tinc, tinc-null, socat, fastd-*, openvpn that ran). The ratios
# go to stdout, to the markdown file after the anchors table, and into the JSON
# as `ratios`. The ratios need kernel VXLAN and at least one userspace tunnel in
# the same run (or in the JSON given to --ratios); missing references show "–".
#
# Usage (as root):  bench/run.sh [--no-build] [--out FILE] [anchors.sh options] [TUNNEL...]
#                   bench/run.sh --ratios FILE.json   (ratios of an earlier run only)
#   default output: bench/results/bench-<UTC date>[.N].json and .md
#   anchors.sh options and environment (RUNS, TCP_SECONDS, ..., LOOM_NODE_ARGS,
#   LOOM_MTU) pass through; see `bench/anchors.sh --help`.
set -Eeuo pipefail
shopt -s inherit_errexit

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Headline metrics: name, which way is better. The UDP metric's name carries the
# payload size, filled in from the JSON's params.
METRICS='[
  {m: "tcp1_gbps", better: "higher"},
  {m: "tcp4_gbps", better: "higher"},
  {m: "udp\(.params.udp_payload_bytes)_rx_kpps", better: "higher"},
  {m: "ping_avg_ms", better: "lower"},
  {m: "tcp1_tunnel_cpu_s_per_gb", better: "lower"},
  {m: "tcp1_total_cpu_s_per_gb", better: "lower"}
]'

# ratios FILE: adds .ratios to the JSON file (in place) and prints the markdown table.
ratios() {
  local json=$1 tmp
  tmp=$(mktemp "$json.XXXXXX")
  jq "
    ($METRICS) as \$metrics
    | .tunnels as \$tunnels
    | ([\$tunnels[] | select(.status == \"ok\") | .name]) as \$ok
    | (\$ok | map(select(. != \"veth\" and . != \"vxlan\" and (startswith(\"loom-\") | not)))) as \$userspace
    | .records as \$recs
    | def med(\$t; \$m): [\$recs[] | select(.tunnel == \$t and .metric == \$m) | .median] | first;
      def q(\$x): if \$x == null or \$x == 0 then null else . / \$x end;
      .ratios = [
        \$ok[] | select(startswith(\"loom-\")) as \$loom
        | \$metrics[] as \$mm
        | med(\$loom; \$mm.m) as \$v
        | select(\$v != null)
        | ([\$userspace[] | {t: ., v: med(.; \$mm.m)} | select(.v != null)]
           | if length == 0 then null
             elif \$mm.better == \"higher\" then max_by(.v) else min_by(.v) end) as \$best
        | med(\"vxlan\"; \$mm.m) as \$kv
        | { tunnel: \$loom, metric: \$mm.m, better: \$mm.better, loom: \$v,
            vxlan: \$kv, loom_over_vxlan: (\$v | q(\$kv)),
            best_userspace: \$best.t, best_userspace_value: \$best.v,
            loom_over_best_userspace: (\$v | q(\$best.v)) }
      ]" "$json" > "$tmp" && mv "$tmp" "$json" || { rm -f "$tmp"; die "could not compute ratios for $json"; }
  jq -r '
    def r(d): if . == null then "–" else pow(10; d) as $p | . * $p | round / $p | tostring end;
    "Loom / reference = the median of Loom divided by the median of the reference; \"better\" says which way is good.",
    "",
    "| Loom tunnel | metric | better | Loom | kernel VXLAN | Loom / VXLAN | best userspace | its value | Loom / best userspace |",
    "|---|---|---|---|---|---|---|---|---|",
    (.ratios[] | "| \(.tunnel) | \(.metric) | \(.better) | \(.loom | r(3)) | \(.vxlan | r(3)) | \(.loom_over_vxlan | r(3)) | \(.best_userspace // "–") | \(.best_userspace_value | r(3)) | \(.loom_over_best_userspace | r(3)) |")
  ' "$json"
}

build_if_needed() {
  local native="$ROOT/dataplane/native/build/Release/loom_native.node"
  if [[ ! -f $native || $ROOT/dataplane/native/loom_native.c -nt $native ]]; then
    log "building the native addon"
    (cd "$ROOT" && npm run --silent build:native > /dev/null) || die "native build failed (npm run build:native)"
  fi
  local stamp="$ROOT/dist/agent/loomd.js"
  if [[ ! -f $stamp ]] || [[ -n $(find "$ROOT/agent" "$ROOT/dataplane" "$ROOT/control" "$ROOT/metrics" \
      -name '*.ts' -newer "$stamp" -print -quit 2> /dev/null) ]]; then
    log "building the TypeScript (npm run build:ts)"
    # Other engineers' files may not compile at every moment; tsc still emits, so go on if loomd is there.
    (cd "$ROOT" && npm run --silent build:ts > /dev/null 2>&1) || log "warning: build:ts reported errors; using what tsc emitted"
    [[ -f $stamp ]] || die "no $stamp after the build"
  fi
}

main() {
  local build=1 out="" args=() sel=0 a loom=0
  while (($#)); do
    case $1 in
      --ratios) [[ -f ${2:-} ]] || die "--ratios needs a JSON file"; ratios "$2"; exit 0 ;;
      --no-build) build=0 ;;
      --out) out=$2; shift ;;
      -h | --help) sed -n '2,/^set -E/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
      --list) exec "$HERE/anchors.sh" --list ;;
      -*) args+=("$1") ;;
      *) args+=("$1"); sel=1; [[ $1 == loom-* ]] && loom=1 ;;
    esac
    shift
  done
  ((EUID == 0)) || die "must run as root"
  ((sel)) || loom=1
  ((build && loom)) && build_if_needed
  if [[ -z $out ]]; then
    local base n="" i=1
    base="$HERE/results/bench-$(date -u +%F)"
    while [[ -e $base$n.json ]]; do i=$((i + 1)) n=".$i"; done
    out="$base$n.json"
  fi
  log "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
  "$HERE/anchors.sh" --out "$out" "${args[@]}"
  [[ -s $out ]] || die "anchors.sh wrote no $out"
  {
    echo
    ratios "$out"
  } | tee -a "${out%.json}.md"
  log "results: $out, ${out%.json}.md"
}

main "$@"
