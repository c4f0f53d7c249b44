#!/usr/bin/env bash
# profile.sh - where loomd's cycles go under one iperf3 TCP stream, per data path.
#
# Two namespaces joined by a veth underlay (as bench/anchors.sh builds them: 198.18.0.1/.2),
# a static-mode loomd in each (node --perf-basic-prof, so perf can name JIT-compiled frames),
# iperf3 server in B, client in A across the overlay. For each path given (udp, vxlan,
# encrypted), three bounded phases with a fresh iperf3 run each:
#   1. cost:     CPU-seconds (user, system) of both loomd per GB received, from /proc/<pid>/stat;
#   2. syscalls: `perf stat` of the syscall tracepoints of both loomd -> calls per GB by syscall;
#   3. profile:  `perf record -g` of both loomd -> shares by symbol and by area (kernel, JIT JS,
#                node/V8, libc, the native addons).
# The namespaces, the daemons and every process started here are removed (by PID) on exit,
# even on error. Throughput here is not a benchmark (shared machine): read the per-GB figures
# and the shares; the load average is printed with them.
#
# Usage (as root, after `npm run build`):  bench/profile.sh [udp] [vxlan] [encrypted]
#   Environment: SECONDS_PER_PHASE (8), OUT (bench/results/profile-<UTC date>-<commit>), LOOM_NODE_ARGS,
#                KEEP_PERF_DATA=/path/prefix (copies perf.data to <prefix>-<path>.data)
#   Output: OUT/<path>-{cost,syscalls,perf-top,perf-areas,perf-callers}.txt (summaries: bench/results/*-profile.md)
set -Eeuo pipefail
shopt -s inherit_errexit

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# ns_up (two namespaces joined by the veth underlay, no other route) comes from anchors.sh.
# shellcheck source=bench/anchors.sh
source "$HERE/anchors.sh"
SECS=${SECONDS_PER_PHASE:-8}
RID=$$
NS_A="loom-perf-a-$RID" NS_B="loom-perf-b-$RID"
TARGET=10.99.2.0
WORK=$(mktemp -d /tmp/loom-perf-prof.XXXXXX)
PIDS=()
COMMIT=$(git -C "$ROOT" rev-parse --short=12 HEAD 2> /dev/null || echo unknown)
OUT=${OUT:-$HERE/results/profile-$(date -u +%F)-$COMMIT}

calc() { awk "BEGIN { printf \"%.4g\", $1 }"; }

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2> /dev/null || true; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2> /dev/null || true; done
  for p in "${PIDS[@]}"; do rm -f "/tmp/perf-$p.map"; done # node --perf-basic-prof's symbol maps
  ip netns del "$NS_A" 2> /dev/null || true
  ip netns del "$NS_B" 2> /dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

config() { # NODE ENCAP ENCRYPTED(0|1)
  local n=$1 ul=$UL_A
  [[ $n == b ]] && ul=$UL_B
  jq -n --arg n "$n" --arg ul "$ul" --arg enc "$2" --arg work "$WORK" --argjson e "$3" \
    --arg pa "$(cat "$WORK/a.pub" 2> /dev/null || true)" --arg pb "$(cat "$WORK/b.pub" 2> /dev/null || true)" '
    { nodeName: $n, underlay: { address: $ul }, clusterCIDR: "10.99.0.0/16", encapsulation: $enc,
      peers: [ { nodeName: "a", address: "198.18.0.1", podCIDR: "10.99.1.0/24" },
               { nodeName: "b", address: "198.18.0.2", podCIDR: "10.99.2.0/24" } ],
      stateDir: "\($work)/state-\($n)", apiSocket: "\($work)/\($n).sock",
      metrics: { address: "127.0.0.1:0" }, logLevel: "warn" }
    + (if $e == 1 then
        { encryption: { enabled: true, secretFile: "\($work)/secret", privateKeyFile: "\($work)/\($n).key" },
          peers: [ { nodeName: "a", address: "198.18.0.1", podCIDR: "10.99.1.0/24", publicKey: $pa },
                   { nodeName: "b", address: "198.18.0.2", podCIDR: "10.99.2.0/24", publicKey: $pb } ] }
       else {} end)'
}

start() { # NS LOGNAME CMD...: background in NS, PID in LAST
  local ns=$1 name=$2; shift 2
  ip netns exec "$ns" "$@" > "$WORK/$name.log" 2>&1 < /dev/null &
  LAST=$!
  PIDS+=("$LAST")
}

ticks() { # PID: "utime stime" in clock ticks
  awk '{ sub(/.*\) /, ""); print $12, $13 }' "/proc/$1/stat"
}

iperf() { # SECONDS OUTFILE
  timeout -k 5 $(($1 + 30)) ip netns exec "$NS_A" iperf3 -c "$TARGET" --connect-timeout 5000 -t "$1" -J > "$2"
}

gb_of() { jq -r '.end.sum_received.bytes / 1e9' "$1"; }

profile_path() { # udp|vxlan|encrypted
  local path=$1 encap=udp enc=0 a b i
  [[ $path == vxlan ]] && encap=vxlan
  [[ $path == encrypted ]] && enc=1
  ns_up
  if ((enc)); then
    for i in a b; do (umask 077 && wg genkey > "$WORK/$i.key"); wg pubkey < "$WORK/$i.key" > "$WORK/$i.pub"; done
    (umask 077 && wg genpsk > "$WORK/secret")
  fi
  for i in a b; do config "$i" "$encap" "$enc" > "$WORK/$i.json"; done
  # shellcheck disable=SC2206 # a list of node flags
  local -a nodeargs=(--perf-basic-prof ${LOOM_NODE_ARGS:-})
  start "$NS_B" loomd-b node "${nodeargs[@]}" "$ROOT/dist/agent/loomd.js" --config "$WORK/b.json"; b=$LAST
  start "$NS_A" loomd-a node "${nodeargs[@]}" "$ROOT/dist/agent/loomd.js" --config "$WORK/a.json"; a=$LAST
  start "$NS_B" iperf3-s iperf3 -s
  for i in $(seq 100); do
    ip netns exec "$NS_A" ping -n -q -c 1 -W 1 "$TARGET" > /dev/null 2>&1 && break
    kill -0 "$a" 2> /dev/null && kill -0 "$b" 2> /dev/null || die "loomd exited: $(tail -3 "$WORK"/loomd-*.log)"
    ((i < 100)) || die "overlay not reachable"
    sleep 0.2
  done
  iperf 2 "$WORK/warm.json" > /dev/null || die "iperf3 warm-up failed"

  # 1. cost per GB
  local ua0 sa0 ub0 sb0 ua1 sa1 ub1 sb1 gb load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  read -r ua0 sa0 < <(ticks "$a"); read -r ub0 sb0 < <(ticks "$b")
  iperf "$SECS" "$WORK/cost.json" || die "iperf3 failed"
  read -r ua1 sa1 < <(ticks "$a"); read -r ub1 sb1 < <(ticks "$b")
  gb=$(gb_of "$WORK/cost.json")
  {
    echo "path $path, load before: $load, $(calc "$(jq '.end.sum_received.bits_per_second' "$WORK/cost.json") / 1e9") Gbit/s over $SECS s (not a benchmark)"
    echo "sender loomd (A):   user $(calc "($ua1 - $ua0) / $HZ / $gb") sys $(calc "($sa1 - $sa0) / $HZ / $gb") CPU-s/GB"
    echo "receiver loomd (B): user $(calc "($ub1 - $ub0) / $HZ / $gb") sys $(calc "($sb1 - $sb0) / $HZ / $gb") CPU-s/GB"
    echo "both: $(calc "($ua1 - $ua0 + $sa1 - $sa0 + $ub1 - $ub0 + $sb1 - $sb0) / $HZ / $gb") CPU-s/GB"
  } > "$OUT/$path-cost.txt"
  cat "$OUT/$path-cost.txt" >&2

  # 2. syscalls per GB (tracepoint counts: cheap, unlike strace's ptrace stops)
  local events="raw_syscalls:sys_enter" s
  for s in read write readv writev recvmmsg sendmmsg recvmsg sendmsg epoll_wait epoll_pwait ioctl futex; do
    [[ -d /sys/kernel/tracing/events/syscalls/sys_enter_$s ]] && events+=",syscalls:sys_enter_$s"
  done
  iperf "$SECS" "$WORK/sys.json" &
  local ip=$!
  sleep 1
  local sa sb
  timeout -k 2 $((SECS + 5)) perf stat -x, -e "$events" -p "$a" -o "$WORK/stat-a.csv" -- sleep $((SECS - 2)) &
  sa=$!
  timeout -k 2 $((SECS + 5)) perf stat -x, -e "$events" -p "$b" -o "$WORK/stat-b.csv" -- sleep $((SECS - 2)) &
  sb=$!
  wait "$sa" || true
  wait "$sb" || true
  wait "$ip" || die "iperf3 failed"
  # calls per GB: the rate over the window times the seconds per GB of the whole run
  local secs_per_gb
  secs_per_gb=$(jq -r '.end.sum_received.seconds / (.end.sum_received.bytes / 1e9)' "$WORK/sys.json")
  {
    echo "syscalls per GB received (perf stat over $((SECS - 2)) s; rate x seconds per GB of the run), path $path"
    for i in a b; do
      echo "node $i ($([[ $i == a ]] && echo sender || echo receiver)):"
      awk -F, -v w=$((SECS - 2)) -v s="$secs_per_gb" '$1 ~ /^[0-9]+$/ && $1 > 0 { printf "  %-32s %12.0f /GB\n", $3, $1 / w * s }' "$WORK/stat-$i.csv"
    done
  } > "$OUT/$path-syscalls.txt"
  cat "$OUT/$path-syscalls.txt" >&2

  # 3. profile
  iperf "$SECS" "$WORK/prof.json" &
  ip=$!
  sleep 1
  timeout -k 2 $((SECS + 10)) perf record -q -g -F 499 -p "$a,$b" -o "$WORK/perf.data" -- sleep $((SECS - 2)) 2> /dev/null || true
  wait "$ip" || die "iperf3 failed"
  perf report -i "$WORK/perf.data" --stdio --no-children -g none --percent-limit 0.7 --sort pid,sym 2> /dev/null \
    | grep -v '^$' | grep -v '^#' | head -60 > "$OUT/$path-perf-top.txt"
  # areas: kernel, JIT'd JS (perf-<pid>.map), node/V8, libc, addons
  perf report -i "$WORK/perf.data" --stdio --no-children -g none --sort pid,dso 2> /dev/null \
    | grep -v '^$' | grep -v '^#' | head -30 > "$OUT/$path-perf-areas.txt"
  perf report -i "$WORK/perf.data" --stdio --no-children -G --percent-limit 3 --sort sym 2> /dev/null \
    | head -400 > "$OUT/$path-perf-callers.txt"
  [[ -z ${KEEP_PERF_DATA:-} ]] || cp "$WORK/perf.data" "$KEEP_PERF_DATA-$path.data"
  echo "path $path: top symbols" >&2
  head -25 "$OUT/$path-perf-top.txt" >&2

  for i in "${PIDS[@]}"; do kill -TERM "$i" 2> /dev/null || true; done
  for i in "${PIDS[@]}"; do wait "$i" 2> /dev/null || true; done
  PIDS=()
  rm -f "/tmp/perf-$a.map" "/tmp/perf-$b.map"
  ip netns del "$NS_A"; ip netns del "$NS_B"
  rm -rf "$WORK"/state-* "$WORK"/*.sock
}

main() {
  ((EUID == 0)) || die "must run as root"
  [[ -f $ROOT/dist/agent/loomd.js ]] || die "build first (npm run build)"
  local paths=("$@")
  ((${#paths[@]})) || paths=(udp vxlan encrypted)
  mkdir -p "$OUT"
  for p in "${paths[@]}"; do
    case $p in udp | vxlan | encrypted) ;; *) die "unknown path $p (udp, vxlan, encrypted)" ;; esac
    log "profiling $p (load $(cut -d' ' -f1-3 /proc/loadavg))"
    profile_path "$p"
  done
  log "results in $OUT"
}

main "$@"
