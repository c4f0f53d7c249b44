#!/usr/bin/env bash
# idle-wakeups.sh - what an idle loomd costs and what wakes it (issue 11, item 5).
#
# Starts a 3-node Loom cluster in network namespaces loom-idle-{1,2,3}-<pid> joined by a bridge
# in loom-idle-sw-<pid> (underlay 198.18.0.1-3/24, no route anywhere else), gossip mode with a
# cluster secret (the default; MODE=static for static mode, ENCRYPT=1 for the encrypted data
# plane), waits until every node sees the two others, lets it settle, and then measures for
# IDLE_SECONDS (30) with no traffic:
#   - CPU % of one core of each loomd (utime + stime from /proc/<pid>/stat);
#   - wake-ups: voluntary context switches per second of each loomd thread (/proc/<pid>/task);
#   - with strace (STRACE_SECONDS, 10; 0 = skip), the syscalls of node 1's loomd, all threads,
#     counted (strace -c -f), which says what the wake-ups do (epoll_wait returns, timers, sends).
# Everything it started is stopped by PID and the namespaces removed, also on error or signal.
#
# Usage (as root):  bench/idle-wakeups.sh      (holds /tmp/loom-bench.lock while it runs)
# Environment: IDLE_SECONDS=30 SETTLE_SECONDS=5 STRACE_SECONDS=10 MODE=gossip|static ENCRYPT=0|1
#              LOOM_ROOT=<repo> (default: the parent of this directory; needs a built dist/)
set -Eeuo pipefail

IDLE_SECONDS=${IDLE_SECONDS:-30}
SETTLE_SECONDS=${SETTLE_SECONDS:-5}
STRACE_SECONDS=${STRACE_SECONDS:-10}
MODE=${MODE:-gossip}
ENCRYPT=${ENCRYPT:-0}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOOM_ROOT=${LOOM_ROOT:-$(cd "$HERE/.." && pwd)}
HZ=$(getconf CLK_TCK)
RID=$$
SW="loom-idle-sw-$RID"
NODES=(1 2 3)
WORK=""
PIDS=()

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }
ns() { echo "loom-idle-$1-$RID"; }

if [[ -z ${LOOM_BENCH_LOCKED:-} ]]; then
  ((EUID == 0)) || die "must run as root"
  exec env LOOM_BENCH_LOCKED=1 flock /tmp/loom-bench.lock "${BASH_SOURCE[0]}" "$@"
fi

cleanup() {
  local rc=$? p n
  trap - EXIT INT TERM HUP
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2> /dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2> /dev/null || true
  done
  for n in "${NODES[@]}"; do ip netns del "$(ns "$n")" 2> /dev/null || true; done
  ip netns del "$SW" 2> /dev/null || true
  [[ -n $WORK ]] && rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

[[ -f $LOOM_ROOT/dist/agent/loomd.js ]] || die "no $LOOM_ROOT/dist/agent/loomd.js: npm run build first"
WORK=$(mktemp -d -t loom-idle.XXXXXX)
(umask 077 && head -c 32 /dev/urandom | base64 > "$WORK/secret")

ip netns add "$SW"
ip -n "$SW" link add br0 type bridge
ip -n "$SW" link set br0 up
for n in "${NODES[@]}"; do
  ip netns add "$(ns "$n")"
  ip -n "$(ns "$n")" link set lo up
  ip netns exec "$(ns "$n")" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$SW" link add "p$n" type veth peer name ul netns "$(ns "$n")"
  ip -n "$SW" link set "p$n" master br0 up
  ip -n "$(ns "$n")" addr add "198.18.0.$n/24" dev ul
  ip -n "$(ns "$n")" link set ul up
done

for n in "${NODES[@]}"; do
  if [[ $ENCRYPT == 1 ]]; then
    (umask 077 && wg genkey > "$WORK/wg-$n.key")
    wg pubkey < "$WORK/wg-$n.key" > "$WORK/wg-$n.pub"
  fi
done
for n in "${NODES[@]}"; do
  jq -n --arg n "$n" --arg work "$WORK" --arg mode "$MODE" --arg enc "$ENCRYPT" \
    --arg k1 "$(cat "$WORK/wg-1.pub" 2> /dev/null)" --arg k2 "$(cat "$WORK/wg-2.pub" 2> /dev/null)" --arg k3 "$(cat "$WORK/wg-3.pub" 2> /dev/null)" '
    { nodeName: "node\($n)", underlay: { address: "198.18.0.\($n)" }, clusterCIDR: "10.99.0.0/16",
      stateDir: "\($work)/state-\($n)", apiSocket: "\($work)/loom-\($n).sock",
      metrics: { address: "127.0.0.1:0" }, logLevel: "warn",
      encryption: ({ secretFile: "\($work)/secret" } + (if $enc == "1" then { enabled: true, privateKeyFile: "\($work)/wg-\($n).key" } else {} end)) }
    + (if $mode == "static" then
         { peers: [ ("1", "2", "3") as $i | { nodeName: "node\($i)", address: "198.18.0.\($i)", podCIDR: "10.99.\($i).0/24" }
                    + (if $enc == "1" then { publicKey: ({"1": $k1, "2": $k2, "3": $k3}[$i]) } else {} end) ] }
       else { seeds: ["198.18.0.1"] } end)' > "$WORK/loom-$n.json"
  ip netns exec "$(ns "$n")" node "$LOOM_ROOT/dist/agent/loomd.js" --config "$WORK/loom-$n.json" > "$WORK/loomd-$n.log" 2>&1 < /dev/null &
  PIDS+=($!)
  [[ $n == 1 ]] && sleep 1
done

status() { node "$LOOM_ROOT/dist/agent/cli.js" --socket "$WORK/loom-$1.sock" status --json 2> /dev/null; }
log "waiting for 3 nodes ($MODE mode$([[ $ENCRYPT == 1 ]] && echo ', encrypted'))"
for i in $(seq 120); do
  ok=0
  for n in "${NODES[@]}"; do
    kill -0 "${PIDS[$((n - 1))]}" 2> /dev/null || die "loomd $n exited: $(tail -n 3 "$WORK/loomd-$n.log")"
    [[ $(status "$n" | jq -r '.peerCount // 0' 2> /dev/null) == 2 ]] && ok=$((ok + 1))
  done
  ((ok == 3)) && break
  ((i == 120)) && die "the cluster did not form in 60 s"
  sleep 0.5
done
log "cluster formed; settling ${SETTLE_SECONDS} s"
sleep "$SETTLE_SECONDS"

ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
ctxsw() { # PID: "tid name voluntary" per thread
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' '_' < "$t/comm")" "$(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t/status")"
  done
}
declare -A T0 C0
for n in "${NODES[@]}"; do
  p=${PIDS[$((n - 1))]}
  T0[$n]=$(ticks "$p")
  ctxsw "$p" > "$WORK/ctx0-$n"
done
t0=$EPOCHREALTIME
if ((STRACE_SECONDS > 0)) && command -v strace > /dev/null; then
  timeout -s INT "$STRACE_SECONDS" strace -c -f -p "${PIDS[0]}" -o "$WORK/strace-1.txt" 2> /dev/null || true
fi
rest=$(awk -v a="$IDLE_SECONDS" -v t0="$t0" -v t1="$EPOCHREALTIME" 'BEGIN { r = a - (t1 - t0); if (r < 0) r = 0; printf "%.2f", r }')
sleep "$rest"
t1=$EPOCHREALTIME
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')

echo "# loomd idle, $MODE mode$([[ $ENCRYPT == 1 ]] && echo ', encrypted'), 3 nodes, ${secs} s, load average $(cut -d' ' -f1 /proc/loadavg) at the end"
echo
echo "| node | CPU % of a core | wake-ups/s (voluntary context switches, all threads) | busiest threads (wake-ups/s) |"
echo "|---|---|---|---|"
for n in "${NODES[@]}"; do
  p=${PIDS[$((n - 1))]}
  cpu=$(awk -v a="${T0[$n]}" -v b="$(ticks "$p")" -v hz="$HZ" -v s="$secs" 'BEGIN { printf "%.2f", 100 * (b - a) / hz / s }')
  ctxsw "$p" > "$WORK/ctx1-$n"
  read -r total top < <(awk -v s="$secs" 'NR == FNR { c[$1] = $3; next }
    { d = ($3 - c[$1]) / s; tot += d; if (d > 0.05) line[$2 "(" $1 ")"] = d }
    END { n = 0; for (k in line) { out = out sprintf("%s %.1f, ", k, line[k]) }; printf "%.1f %s\n", tot, (out == "" ? "-" : substr(out, 1, length(out) - 2)) }' \
    "$WORK/ctx0-$n" "$WORK/ctx1-$n")
  echo "| node$n | $cpu | $total | $top |"
done
if ((STRACE_SECONDS > 0)) && command -v strace > /dev/null; then
  # The main thread's epoll waits: the timeout libuv passes is the time to its next timer, so a
  # histogram of those timeouts says which timers wake the loop.
  timeout -s INT 3 strace -p "${PIDS[0]}" -e trace=epoll_pwait,epoll_wait -o "$WORK/epoll-1.txt" 2> /dev/null || true
  echo
  echo "node1's main thread, 3 s: epoll waits by the timeout libuv asked for (ms; -1 = none, i.e. no timer pending):"
  echo
  echo '```'
  grep -Eo 'epoll_p?wait\([0-9]+, [^,]*, [0-9]+, -?[0-9]+' "$WORK/epoll-1.txt" | awk -F', ' '{ print $NF }' | sort -n | uniq -c | sort -rn | head -n 12
  echo '```'
fi
if [[ -s $WORK/strace-1.txt ]]; then
  echo
  echo "Syscalls of node1's loomd over ${STRACE_SECONDS} s (strace -c -f; strace itself slows each call):"
  echo
  echo '```'
  head -n 25 "$WORK/strace-1.txt"
  echo '```'
fi
