#!/usr/bin/env bash
# latency.sh - idle ping RTT over Loom against kernel VXLAN, in the same run (issue 11 item 5).
#
# For each Loom build given (LOOM_ROOTS, default: this repository) two namespaces
# loom-lat-<k>{a,b}-<pid> joined by a veth underlay (198.18.0.1 <-> .2), loomd in static mode
# on each (as bench/anchors.sh starts it: overlay 10.99.1.0 -> 10.99.2.0); the first pair also
# carries a kernel VXLAN (VNI 42, 10.98.0.1 -> 10.98.0.2) next to loom0. Every pair exists for
# the whole run, so all loomd are equally idle between their turns. Then ROUNDS rounds of
# PINGS pings at PING_INTERVAL, kernel VXLAN first, then each build, one after the other: the
# ratios of one round are taken under the same load. Reports per target the RTT median, p90,
# p99 and mean over all rounds (each ping's own RTT), the ratio to kernel VXLAN, each loomd's
# CPU % of a core over IDLE_SECONDS with nothing crossing, and the load average.
#
# Usage (as root):  bench/latency.sh                   # this repository's dist/ against kernel VXLAN
#   LOOM_ROOTS="/tmp/loom-old /work/wt/x" bench/latency.sh     # an A/B of two built trees
# Environment: ROUNDS=16 PINGS=100 PING_INTERVAL=0.01 IDLE_SECONDS=10 ENCAP=udp (or vxlan)
#              LOOM_OFFLOADS (passed to loomd as usual), KEEP_WORK=1 keeps the work directory,
#              LOOM_NODE_ARGS: extra node flags for every loomd (e.g. --perf-basic-prof for PROFILE);
#              LOOM_NODE_ARGS_<k> for build k only (0 = the first of LOOM_ROOTS)
#              PROFILE=1: after the rounds, `perf record -g` of both loomd of the first build during
#              PINGS pings (WORK/profile.txt: self time by symbol; WORK/profile.data);
#              WARM=1: before the idle measurement, 3 s of iperf3 TCP over every pair (as in
#              bench/run.sh, where the pings follow the throughput tests);
#              TCP_ROUNDS=N: after the pings, N rounds of one iperf3 TCP stream (TCP_SECONDS, 3 s)
#              over each build in turn (starting with another build each round), to check in the
#              same run that a latency change costs no throughput: median and range, Gbit/s;
#              TRACE=1: after the rounds, `perf record` of the sched and syscall tracepoints of the
#              whole machine during 50 pings over the first build (WORK/trace.txt, perf script).
# Holds /tmp/loom-bench.lock for the whole run. Namespaces and every process started are removed
# on exit, also on error or signal; nothing is routed outside the namespaces.
set -Eeuo pipefail
shopt -s inherit_errexit

ROUNDS=${ROUNDS:-16}
PINGS=${PINGS:-100}
PING_INTERVAL=${PING_INTERVAL:-0.01}
IDLE_SECONDS=${IDLE_SECONDS:-10}
ENCAP=${ENCAP:-udp}
TRACE=${TRACE:-0}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# ns_up (two namespaces joined by the veth underlay), log, die, proc_field and ours come from anchors.sh.
# shellcheck source=bench/anchors.sh
source "$HERE/anchors.sh"
read -r -a ROOTS <<< "${LOOM_ROOTS:-$(cd "$HERE/.." && pwd)}"
RID=$$
VX_A=10.98.0.1 VX_B=10.98.0.2
LOOM_OV_B=10.99.2.0
PORT=6784
[[ $ENCAP == vxlan ]] && PORT=4789
[[ $ENCAP == vxlan ]] && { echo "ENCAP=vxlan: kernel VXLAN would share port 4789; use udp" >&2; exit 2; }

((EUID == 0)) || die "run as root (namespaces, ping at ${PING_INTERVAL} s)"
for c in ip jq node ping awk; do command -v "$c" > /dev/null || die "command $c not installed"; done
for r in "${ROOTS[@]}"; do
  [[ -f $r/dist/agent/loomd.js ]] || die "no $r/dist/agent/loomd.js: build that tree first"
done

exec 9> /tmp/loom-bench.lock
flock 9

WORK=$(mktemp -d /tmp/loom-latency.XXXXXX)
cleanup() {
  local pid start _ k
  if [[ -s $WORK/pids ]]; then
    while read -r pid start _; do ours "$pid" "$start" && kill -TERM "$pid" 2> /dev/null; done < "$WORK/pids"
    sleep 1
    while read -r pid start _; do ours "$pid" "$start" && kill -KILL "$pid" 2> /dev/null; done < "$WORK/pids"
    # node --perf-basic-prof's symbol maps: kept with the work directory (perf report needs them)
    [[ ${KEEP_WORK:-0} == 1 ]] || while read -r pid _; do rm -f "/tmp/perf-$pid.map"; done < "$WORK/pids"
  fi
  for k in "${!ROOTS[@]}"; do
    ip netns del "$(ns "$k" a)" 2> /dev/null || true
    ip netns del "$(ns "$k" b)" 2> /dev/null || true
  done
  if [[ ${KEEP_WORK:-0} == 1 ]]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns() { echo "loom-lat-$1$2-$RID"; } # K NODE

start_loomd() { # K NODE ROOT
  local k=$1 n=$2 root=$3 ul=$UL_A
  [[ $n == b ]] && ul=$UL_B
  jq -n --arg n "$n" --arg ul "$ul" --arg enc "$ENCAP" --arg ula "$UL_A" --arg ulb "$UL_B" --arg w "$WORK/$k" '
    { nodeName: $n, underlay: { address: $ul }, clusterCIDR: "10.99.0.0/16", encapsulation: $enc,
      peers: [ { nodeName: "a", address: $ula, podCIDR: "10.99.1.0/24" },
               { nodeName: "b", address: $ulb, podCIDR: "10.99.2.0/24" } ],
      stateDir: "\($w)/state-\($n)", apiSocket: "\($w)/\($n).sock",
      metrics: { address: "127.0.0.1:0" }, logLevel: "warn" }' > "$WORK/$k/$n.json"
  # shellcheck disable=SC2086 # word splitting wanted: a list of node flags
  local args=LOOM_NODE_ARGS_$k
  args=${!args-${LOOM_NODE_ARGS:-}}
  ip netns exec "$(ns "$k" "$n")" node $args "$root/dist/agent/loomd.js" --config "$WORK/$k/$n.json" \
    > "$WORK/$k/$n.log" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid $(proc_field "$pid" 22) loomd-$k$n" >> "$WORK/pids"
  echo "$pid" > "$WORK/$k/$n.pid"
}

pair_up() { # K ROOT
  local k=$1 a b i
  a=$(ns "$k" a) b=$(ns "$k" b)
  mkdir -p "$WORK/$k"
  NS_A=$a NS_B=$b ns_up
  if ((k == 0)); then
    ip -n "$a" link add ovl type vxlan id 42 local "$UL_A" remote "$UL_B" dstport 4789 dev ul
    ip -n "$b" link add ovl type vxlan id 42 local "$UL_B" remote "$UL_A" dstport 4789 dev ul
    ip -n "$a" link set ovl mtu 1450
    ip -n "$b" link set ovl mtu 1450
    ip -n "$a" addr add "$VX_A/24" dev ovl
    ip -n "$b" addr add "$VX_B/24" dev ovl
    ip -n "$a" link set ovl up
    ip -n "$b" link set ovl up
  fi
  start_loomd "$k" b "$2"
  start_loomd "$k" a "$2"
  for i in $(seq 100); do
    ip netns exec "$a" ping -n -q -c 1 -W 1 "$LOOM_OV_B" > /dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "pair $k ($2): no ping over loom0 in 20 s; $(tail -n 3 "$WORK/$k/a.log" "$WORK/$k/b.log" | tr '\n' ' ')"
}

ping_rtts() { # NS TARGET OUTFILE: PINGS pings, one RTT (ms) per line appended to OUTFILE
  ip netns exec "$1" ping -n -i "$PING_INTERVAL" -c "$PINGS" -W 1 "$2" 2> /dev/null \
    | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' >> "$3" || true
}

stats() { # FILE: count median p90 p99 mean (nearest-rank percentiles, as bench/anchors.sh)
  sort -g "$1" | awk '{ v[NR] = $1; s += $1 }
    END { if (NR == 0) { print "0 - - - -"; exit }
          printf "%d %.3f %.3f %.3f %.3f\n", NR, v[rank(0.5)], v[rank(0.9)], v[rank(0.99)], s / NR }
    function rank(q,  r) { r = int(q * NR); if (r < q * NR) r++; return r < 1 ? 1 : r }'
}

cpu_ticks() { echo $(($(proc_field "$1" 14) + $(proc_field "$1" 15))); }

log "work $WORK; builds: ${ROOTS[*]}; load $(cut -d' ' -f1-3 /proc/loadavg)"
for k in "${!ROOTS[@]}"; do pair_up "$k" "${ROOTS[$k]}"; done
sleep 2 # let start-up settle
if [[ ${WARM:-0} == 1 ]]; then
  command -v iperf3 > /dev/null || die "WARM=1 needs iperf3"
  for k in "${!ROOTS[@]}"; do
    ip netns exec "$(ns "$k" b)" iperf3 -s -1 -p 5201 > /dev/null 2>&1 &
    echo "$! $(proc_field $! 22) iperf3-$k" >> "$WORK/pids"
    sleep 0.5
    ip netns exec "$(ns "$k" a)" timeout 15 iperf3 -c "$LOOM_OV_B" -p 5201 -t 3 > /dev/null 2>&1 || log "warm-up iperf3 over pair $k failed"
  done
fi

# Idle CPU of each loomd over IDLE_SECONDS with nothing crossing.
declare -A t0
for k in "${!ROOTS[@]}"; do for n in a b; do t0[$k$n]=$(cpu_ticks "$(cat "$WORK/$k/$n.pid")"); done; done
sleep "$IDLE_SECONDS"
declare -A idle
for k in "${!ROOTS[@]}"; do
  for n in a b; do
    idle[$k$n]=$(awk -v d="$(($(cpu_ticks "$(cat "$WORK/$k/$n.pid")") - t0[$k$n]))" -v hz="$HZ" -v s="$IDLE_SECONDS" \
      'BEGIN { printf "%.2f", 100 * d / hz / s }')
  done
done

loads=()
for r in $(seq "$ROUNDS"); do
  loads+=("$(cut -d' ' -f1 /proc/loadavg)")
  ping_rtts "$(ns 0 a)" "$VX_B" "$WORK/vxlan.rtt"
  for j in "${!ROOTS[@]}"; do # each round starts with another build: no build always goes first
    k=$(((j + r) % ${#ROOTS[@]}))
    ping_rtts "$(ns "$k" a)" "$LOOM_OV_B" "$WORK/loom$k.rtt"
  done
  log "round $r/$ROUNDS done (load before ${loads[-1]})"
done

read -r _ vmed _ _ vmean <<< "$(stats "$WORK/vxlan.rtt")"
printf '\n%s UTC, %s x %s pings at %s s, encapsulation %s, load before each round: %s\n\n' \
  "$(date -u '+%F %H:%M')" "$ROUNDS" "$PINGS" "$PING_INTERVAL" "$ENCAP" "${loads[*]}"
printf '| target | build | pings | median ms | p90 ms | p99 ms | mean ms | median / VXLAN | loomd idle CPU %% (a, b) |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
printf '| kernel VXLAN | - | %s | %s | %s | %s | %s | 1 | - |\n' $(stats "$WORK/vxlan.rtt")
for k in "${!ROOTS[@]}"; do
  commit=$(git -C "${ROOTS[$k]}" rev-parse --short HEAD 2> /dev/null || echo "?")
  [[ -n $(git -C "${ROOTS[$k]}" status --porcelain --untracked-files=no 2> /dev/null) ]] && commit+="-dirty"
  read -r c med p90 p99 mean <<< "$(stats "$WORK/loom$k.rtt")"
  args=LOOM_NODE_ARGS_$k
  args=${!args-${LOOM_NODE_ARGS:-}}
  [[ -n $args ]] && commit+=", node $args"
  printf '| Loom %s | %s (%s) | %s | %s | %s | %s | %s | %s | %s, %s |\n' "$ENCAP" "$commit" "${ROOTS[$k]}" \
    "$c" "$med" "$p90" "$p99" "$mean" "$(awk -v a="$med" -v b="$vmed" 'BEGIN { printf "%.1f", a / b }')" \
    "${idle[${k}a]}" "${idle[${k}b]}"
done

TCP_ROUNDS=${TCP_ROUNDS:-0}
if ((TCP_ROUNDS > 0)); then
  command -v iperf3 > /dev/null || die "TCP_ROUNDS needs iperf3"
  for k in "${!ROOTS[@]}"; do
    : > "$WORK/tcp$k.gbps"
    ip netns exec "$(ns "$k" b)" iperf3 -s -p 5202 > /dev/null 2>&1 &
    echo "$! $(proc_field $! 22) iperf3-tcp-$k" >> "$WORK/pids"
  done
  sleep 0.5
  for r in $(seq "$TCP_ROUNDS"); do
    for j in "${!ROOTS[@]}"; do
      k=$(((j + r) % ${#ROOTS[@]}))
      ip netns exec "$(ns "$k" a)" timeout 30 iperf3 -c "$LOOM_OV_B" -p 5202 -t "${TCP_SECONDS:-3}" -J 2> /dev/null \
        | jq -r '.end.sum_received.bits_per_second / 1e9' >> "$WORK/tcp$k.gbps" || log "iperf3 over build $k failed"
    done
    log "TCP round $r/$TCP_ROUNDS done (load $(cut -d' ' -f1 /proc/loadavg))"
  done
  printf '\n| build | TCP 1 stream, Gbit/s: median | min | max | runs |\n|---|---|---|---|---|\n'
  for k in "${!ROOTS[@]}"; do
    printf '| %s | %s |\n' "${ROOTS[$k]}" "$(sort -g "$WORK/tcp$k.gbps" | awk '{ v[NR] = $1 }
      END { r = int(NR / 2 + 0.5); if (r < 1) r = 1; printf "%.2f | %.2f | %.2f | %d", v[r], v[1], v[NR], NR }')"
  done
fi

if [[ ${PROFILE:-0} == 1 ]]; then
  command -v perf > /dev/null || die "PROFILE=1 needs perf"
  log "profiling both loomd of build 0 during $PINGS pings (perf record -g)"
  ip netns exec "$(ns 0 a)" ping -n -q -i "$PING_INTERVAL" -c "$PINGS" -W 1 "$LOOM_OV_B" > "$WORK/profile.ping" 2>&1 &
  pp=$!
  perf record -q -F 20000 -g -o "$WORK/profile.data" -p "$(cat "$WORK/0/a.pid"),$(cat "$WORK/0/b.pid")" \
    -- sleep "$(awk -v n="$PINGS" -v i="$PING_INTERVAL" 'BEGIN { printf "%.1f", n * i * 0.9 }')" 2> /dev/null || true
  wait "$pp" || true
  perf report -i "$WORK/profile.data" --no-children --sort sym --stdio 2> /dev/null | grep -v '^$' | head -400 > "$WORK/profile.txt" || true
  log "profile: $WORK/profile.txt"
fi

if [[ $TRACE == 1 ]]; then
  command -v perf > /dev/null || die "TRACE=1 needs perf"
  log "tracing 50 pings over build 0 (perf record, sched + syscalls, whole machine)"
  perf record -q -a -o "$WORK/trace.data" \
    -e sched:sched_wakeup -e sched:sched_switch -e raw_syscalls:sys_enter -e raw_syscalls:sys_exit \
    -e net:netif_receive_skb -e net:net_dev_xmit \
    -- ip netns exec "$(ns 0 a)" ping -n -i "$PING_INTERVAL" -c 50 -W 1 "$LOOM_OV_B" > "$WORK/trace.ping" 2>&1 || true
  perf script -i "$WORK/trace.data" -F comm,pid,tid,cpu,time,event,trace > "$WORK/trace.txt" 2> /dev/null || true
  echo "loomd pids: a $(cat "$WORK/0/a.pid"), b $(cat "$WORK/0/b.pid")" >> "$WORK/trace.txt"
  [[ -f $HERE/../dist/bench/latency-timeline.js ]] && node "$HERE/../dist/bench/latency-timeline.js" "$WORK/trace.txt" \
    "$(cat "$WORK/0/a.pid")" "$(cat "$WORK/0/b.pid")" || true
  log "trace: $WORK/trace.txt (set KEEP_WORK=1 to keep it)"
fi
