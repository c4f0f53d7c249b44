#!/usr/bin/env bash
# anchors.sh - performance anchors for established overlay tunnels on this machine,
# with Loom's own data path (loomd, static mode) as tunnels loom-udp and loom-vxlan.
# Derived from a tunnel-comparison script shared by the machine's benchmark set-up (not part of
# this repository; this file is complete on its own); what was added: the two loom tunnels,
# the order (kernel VXLAN, loom-vxlan and loom-udp run back to back, so that the
# load of this shared machine is as alike as possible for them), Loom's overlay
# addresses (10.99.1.0 -> 10.99.2.0, see loom_config), and the 1-minute
# load average before each tunnel, kept in the JSON (tunnels[].load1_before) and
# the table. bench/run.sh is the entry point that also computes Loom's ratios.
#
# Two network namespaces ("nodes" A and B) are joined by one veth pair, the
# underlay (198.18.0.1/24 <-> 198.18.0.2/24). Each tunnel is brought up between
# them with overlay addresses 10.99.0.1/24 (A) and 10.99.0.2/24 (B) and measured
# with iperf3 (server in B, client in A) and ping. The namespaces are created
# afresh for every tunnel, have no route anywhere else, and are removed (with
# every process this script started, by PID) on exit, even on error.
#
# Usage (as root):  ./anchors.sh [--list] [--no-install] [--out FILE] [TUNNEL...]
#   default: all tunnels in TUNNELS, in that order.
# Environment: RUNS=3 TCP_SECONDS=10 UDP_SECONDS=5 UDP_LEN=64 PINGS=200
#              PING_INTERVAL=0.01 WARMUP_SECONDS=2 IDLE_SECONDS=10 (tunnel daemons' idle CPU)
#              KEEP_WORK=1 keeps the temporary directory (daemon logs, raw iperf3 JSON)
#              LOOM_ROOT=<repo> (default: the parent of this directory; needs a built dist/)
#              RR_COUNT=2000 RR_BYTES=64: TCP request/response round trips (dist/bench/tcp-rr.js,
#              back to back, one at a time) per run; skipped, with a log line, without that file
#              LOOM_NODE_ARGS="--cpu-prof --cpu-prof-dir=/abs/dir" extra node flags for loomd
#              LOOM_MTU=1420 overrides the overlay MTU loomd derives (1460 udp, 1450 vxlan)
# Output: markdown table on stdout and in results/anchors-<UTC date>.md, JSON in
#         results/anchors-<UTC date>.json (relative to this script; .2, .3, ... for
#         later runs on the same day): one record per tunnel per metric.
#
# Adding a tunnel (e.g. the project's own agent): define tunnel_<name>_up and
# tunnel_<name>_down ('-' in <name> becomes '_') and add <name> to TUNNELS.
# _up runs with both namespaces and the underlay ("ul" in each) ready. It must
# leave the overlay 10.99.0.1 <-> 10.99.0.2 working (or set TARGET to B's overlay
# address, as veth and loom do), call tunnel_info MTU DESC,
# and start its daemons with start_tunnel_daemon, which tracks their PIDs (for
# CPU accounting and cleanup). _down stops them and removes what _up created.
set -Eeuo pipefail
shopt -s inherit_errexit

TUNNELS=(veth vxlan loom-vxlan loom-udp loom-encrypted wireguard-go wireguard-go-new wireguard-kernel tinc tinc-null socat fastd-null fastd-aead openvpn)

RUNS=${RUNS:-3}
TCP_SECONDS=${TCP_SECONDS:-10}
UDP_SECONDS=${UDP_SECONDS:-5}
UDP_LEN=${UDP_LEN:-64}
PINGS=${PINGS:-200}
PING_INTERVAL=${PING_INTERVAL:-0.01}
WARMUP_SECONDS=${WARMUP_SECONDS:-2}
IDLE_SECONDS=${IDLE_SECONDS:-10}
RR_COUNT=${RR_COUNT:-2000}
RR_BYTES=${RR_BYTES:-64}

# Debian packages needed (installed when missing). Loom needs only node (Node.js 20) and its build.
PACKAGES=(iproute2 iperf3 iputils-ping jq socat tinc wireguard-go wireguard-tools fastd openvpn openssl ethtool)
LOOM_ROOT=${LOOM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
LOOM_NODE_ARGS=${LOOM_NODE_ARGS:-}
LOOM_MTU=${LOOM_MTU:-}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RID=$$                                   # run id: keeps names unique per run
NS_A="loom-anchors-a-$RID" NS_B="loom-anchors-b-$RID"   # loom-*: the project's namespace prefix
UL_A=198.18.0.1 UL_B=198.18.0.2           # underlay (veth "ul" in each namespace)
OV_A=10.99.0.1 OV_B=10.99.0.2 OV_NET=10.99.0.0/24
IPERF_PORT=5201
RR_PORT=5202
HZ=$(getconf CLK_TCK)
WORK=""

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }
# fail REASON: abort the current tunnel, keeping the reason for the report.
fail() { printf '%s\n' "$*" > "$WORK/reason"; log "  failed: $*"; exit 1; }
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }

# ---------------------------------------------------------------- processes
# PIDs are recorded with their start time, so that only our own processes
# are ever signalled, even if a PID has been reused in the meantime.
proc_field() { awk -v f="$2" '{ sub(/.*\) /, ""); print $(f - 2) }' "/proc/$1/stat" 2>/dev/null; }

start_daemon() { # NS NAME CMD... : run CMD in NS in the background, log to WORK/NAME.log
  local ns=$1 name=$2; shift 2
  ip netns exec "$ns" "$@" > "$WORK/$name.log" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid $(proc_field "$pid" 22) $name" >> "$WORK/pids"
  LAST_PID=$pid
}

start_tunnel_daemon() { # like start_daemon, and counts its CPU time as the tunnel's
  start_daemon "$@"
  echo "$LAST_PID $(proc_field "$LAST_PID" 22) $2" >> "$WORK/tunnel.pids"
}

ours() { [[ -e /proc/$1 && "$(proc_field "$1" 22)" == "$2" && "$(proc_field "$1" 3)" != Z ]]; }

stop_pids() { # FILE: TERM, then KILL after 5 s, every still-running process listed in FILE
  local file=$1 pid start _ i left
  [[ -s $file ]] || return 0
  while read -r pid start _; do ours "$pid" "$start" && kill -TERM "$pid" 2> /dev/null; done < "$file"
  for i in $(seq 50); do
    left=0
    while read -r pid start _; do ours "$pid" "$start" && left=1; done < "$file"
    ((left)) || break
    sleep 0.1
  done
  while read -r pid start _; do ours "$pid" "$start" && kill -KILL "$pid" 2> /dev/null; done < "$file"
  return 0
}

descendants() { # PID: write "pid starttime" of every live descendant of PID to stdout
  local -A kids=()
  local f line pid ppid rest queue=("$1") p c
  for f in /proc/[0-9]*/stat; do
    { read -r line < "$f"; } 2> /dev/null || continue
    pid=${line%% *} rest=${line##*) }
    read -r _ ppid _ <<< "$rest"
    kids[$ppid]+=" $pid"
  done
  while ((${#queue[@]})); do
    p=${queue[0]} queue=("${queue[@]:1}")
    for c in ${kids[$p]:-}; do
      echo "$c $(proc_field "$c" 22)"
      queue+=("$c")
    done
  done
}

check_alive() { # fail (with the log's tail) if a tunnel daemon has exited
  local pid start name
  while read -r pid start name; do
    ours "$pid" "$start" || fail "$name exited: $(tail -n 3 "$WORK/$name.log" 2>/dev/null | tr '\n' ' ')"
  done < "$WORK/tunnel.pids"
}

tunnel_cpu_ticks() { # utime+stime of the tunnel daemons (all threads), in clock ticks
  local t=0 pid start _
  while read -r pid start _; do
    ours "$pid" "$start" || continue
    t=$((t + $(proc_field "$pid" 14 || echo 0) + $(proc_field "$pid" 15 || echo 0)))
  done < "$WORK/tunnel.pids"
  echo "$t"
}

# Machine-wide CPU ticks from /proc/stat: busy (incl. irq, softirq, steal) and steal alone.
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; exit }' /proc/stat; }

# ------------------------------------------------------------------ network
ns_up() { # two fresh namespaces joined by the veth underlay; no IPv6, no other routes
  local ns
  for ns in "$NS_A" "$NS_B"; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
  done
  ip -n "$NS_A" link add ul type veth peer name ul netns "$NS_B"
  ip -n "$NS_A" addr add "$UL_A/24" dev ul
  ip -n "$NS_B" addr add "$UL_B/24" dev ul
  ip -n "$NS_A" link set ul up
  ip -n "$NS_B" link set ul up
}

ns_down() { ip netns del "$NS_A" 2> /dev/null || true; ip netns del "$NS_B" 2> /dev/null || true; }

wait_link() { # NS IF [SECONDS]
  local i
  for i in $(seq $((${3:-10} * 10))); do
    ip -n "$1" link show "$2" > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "interface $2 did not appear in ${3:-10} s"
}

overlay_addr() { # NS IF ADDR MTU: wait for IF, then address, MTU and up
  wait_link "$1" "$2"
  ip -n "$1" link set "$2" mtu "$4"
  ip -n "$1" addr add "$3/24" dev "$2"
  ip -n "$1" link set "$2" up
}

wait_ping() { # TARGET SECONDS: until one ping from A gets through
  local end=$((SECONDS + $2))
  while ((SECONDS < end)); do
    ip netns exec "$NS_A" ping -n -q -c 1 -W 1 "$1" > /dev/null 2>&1 && return 0
    check_alive
    sleep 0.2
  done
  return 1
}

wait_udp() { # NS PORT: until something in NS has bound UDP PORT (so the peer's first packet is not lost)
  local i
  for i in $(seq 100); do
    [[ -n $(ip netns exec "$1" ss -Hanu "sport = :$2") ]] && return 0
    sleep 0.1
  done
  fail "nothing bound UDP port $2 in 10 s"
}

need() { local c; for c; do command -v "$c" > /dev/null || fail "command $c not installed"; done; }

tunnel_info() { printf '%s\t%s\n' "$1" "$2" > "$WORK/meta"; }

# ------------------------------------------------------------------ tunnels
tunnel_veth_up() {
  TARGET=$UL_B
  tunnel_info 1500 "no tunnel: iperf3 straight over the veth underlay"
}
tunnel_veth_down() { :; }

tunnel_vxlan_up() {
  ip -n "$NS_A" link add ovl type vxlan id 42 local "$UL_A" remote "$UL_B" dstport 4789 dev ul
  ip -n "$NS_B" link add ovl type vxlan id 42 local "$UL_B" remote "$UL_A" dstport 4789 dev ul
  overlay_addr "$NS_A" ovl "$OV_A" 1450
  overlay_addr "$NS_B" ovl "$OV_B" 1450
  tunnel_info 1450 "Linux kernel VXLAN, VNI 42, UDP 4789, static remote, unencrypted"
}
tunnel_vxlan_down() { ip -n "$NS_A" link del ovl 2> /dev/null; ip -n "$NS_B" link del ovl 2> /dev/null; true; }

# Loom (this repository's loomd), static mode: both nodes listed in `peers`, as in
# a flannel-style cluster: clusterCIDR 10.99.0.0/16, podCIDR 10.99.1.0/24 (A) and
# 10.99.2.0/24 (B). loomd gives loom0 the first address of the node's podCIDR (as a
# /32) and routes the clusterCIDR into loom0, so Loom's overlay addresses are
# 10.99.1.0 (A) and 10.99.2.0 (B), not the 10.99.0.1/.2 of the other tunnels: the
# measurements target $TARGET, which loom_up sets. (/32 podCIDRs that would keep
# 10.99.0.1/.2 are refused by loomd's static pod IPAM, which needs prefix <= 30.)
LOOM_NET=10.99.0.0/16 LOOM_CIDR_A=10.99.1.0/24 LOOM_CIDR_B=10.99.2.0/24
LOOM_OV_A=10.99.1.0 LOOM_OV_B=10.99.2.0
loom_config() { # NODE(a|b) ENCAP [encrypted]: loomd's config file for that node on stdout
  local n=$1 ul=$UL_A pa="" pb=""
  [[ $n == b ]] && ul=$UL_B
  if [[ ${3:-} == encrypted ]]; then pa=$(cat "$WORK/loom-wg-a.pub") pb=$(cat "$WORK/loom-wg-b.pub"); fi
  jq -n --arg n "$n" --arg ul "$ul" --arg enc "$2" --arg ula "$UL_A" --arg ulb "$UL_B" \
    --arg ca "$LOOM_CIDR_A" --arg cb "$LOOM_CIDR_B" --arg net "$LOOM_NET" --arg work "$WORK" --arg mtu "$LOOM_MTU" \
    --arg pa "$pa" --arg pb "$pb" '
    { nodeName: $n, underlay: { address: $ul }, clusterCIDR: $net, encapsulation: $enc,
      peers: [ { nodeName: "a", address: $ula, podCIDR: $ca }, { nodeName: "b", address: $ulb, podCIDR: $cb } ],
      stateDir: "\($work)/loom-state-\($n)", apiSocket: "\($work)/loom-\($n).sock",
      metrics: { address: "127.0.0.1:0" }, logLevel: "warn" }
    + (if $mtu == "" then {} else { mtu: ($mtu | tonumber) } end)
    + (if $pa == "" then {} else
        { encryption: { enabled: true, secretFile: "\($work)/loom-secret", privateKeyFile: "\($work)/loom-wg-\($n).key" },
          peers: [ { nodeName: "a", address: $ula, podCIDR: $ca, publicKey: $pa },
                   { nodeName: "b", address: $ulb, podCIDR: $cb, publicKey: $pb } ] } end)'
}
loom_status() { # NODE: `loom status --json` of that node, retried up to 10 s
  local i
  for i in $(seq 50); do
    node "$LOOM_ROOT/dist/agent/cli.js" --socket "$WORK/loom-$1.sock" status --json 2> /dev/null && return 0
    check_alive
    sleep 0.2
  done
  fail "loomd on node $1 did not answer on its API socket in 10 s"
}
loom_up() { # ENCAP PORT DESCRIPTION [encrypted]
  need node
  [[ -f $LOOM_ROOT/dist/agent/loomd.js && -f $LOOM_ROOT/dist/agent/cli.js ]] \
    || fail "no $LOOM_ROOT/dist/agent/loomd.js: build first (npm run build, or bench/run.sh)"
  local n mtu
  # shellcheck disable=SC2206 # word splitting wanted: a list of node flags
  local -a nodeargs=($LOOM_NODE_ARGS)
  if [[ ${4:-} == encrypted ]]; then # static X25519 keys as `wg genkey` prints them, one PSK for the pair
    need wg
    for n in a b; do
      (umask 077 && wg genkey > "$WORK/loom-wg-$n.key")
      wg pubkey < "$WORK/loom-wg-$n.key" > "$WORK/loom-wg-$n.pub"
    done
    (umask 077 && wg genpsk > "$WORK/loom-secret")
  fi
  for n in a b; do loom_config "$n" "$1" "${4:-}" > "$WORK/loom-$n.json"; done
  start_tunnel_daemon "$NS_B" loom-b node "${nodeargs[@]}" "$LOOM_ROOT/dist/agent/loomd.js" --config "$WORK/loom-b.json"
  wait_udp "$NS_B" "$2"
  start_tunnel_daemon "$NS_A" loom-a node "${nodeargs[@]}" "$LOOM_ROOT/dist/agent/loomd.js" --config "$WORK/loom-a.json"
  wait_udp "$NS_A" "$2"
  loom_status b > "$WORK/loom-b.status.json"
  loom_status a > "$WORK/loom-a.status.json"
  mtu=$(jq -r '.mtu' "$WORK/loom-a.status.json")
  [[ $(jq -r '.overlayAddress' "$WORK/loom-a.status.json") == "$LOOM_OV_A" ]] || fail "loomd gave node A another overlay address"
  [[ $(jq -r '.overlayAddress' "$WORK/loom-b.status.json") == "$LOOM_OV_B" ]] || fail "loomd gave node B another overlay address"
  TARGET=$LOOM_OV_B
  tunnel_info "$mtu" "$3, offloads $(jq -r 'if .offloads == null then "unknown" else "\(.offloads.level) (udp gso \(.offloads.udpGso), gro \(.offloads.udpGro))" end' "$WORK/loom-a.status.json")"
}
tunnel_loom_udp_up() {
  loom_up udp 6784 "Loom loomd (Node.js userspace, TUN + sendmmsg/recvmmsg), own framing, UDP 6784, unencrypted"
}
tunnel_loom_udp_down() { stop_pids "$WORK/tunnel.pids"; }
tunnel_loom_vxlan_up() {
  loom_up vxlan 4789 "Loom loomd (Node.js userspace, TUN + sendmmsg/recvmmsg), RFC 7348 VXLAN, UDP 4789, unencrypted"
}
tunnel_loom_vxlan_down() { stop_pids "$WORK/tunnel.pids"; }
tunnel_loom_encrypted_up() {
  loom_up udp 6784 "Loom loomd, udp + encryption.enabled (WireGuard protocol, ChaCha20-Poly1305), UDP 6784" encrypted
}
tunnel_loom_encrypted_down() { stop_pids "$WORK/tunnel.pids"; }

# wireguard-go's UAPI socket lives in a global directory, so its interface
# names carry the run id.
WG_A="wga$RID" WG_B="wgb$RID"
wg_peer_config() { # keys for both nodes, then `wg set` on each: private key, port, the other as peer
  local n ifc ns peer ep
  for n in a b; do
    (umask 077 && wg genkey > "$WORK/wg-$n.key")
    wg pubkey < "$WORK/wg-$n.key" > "$WORK/wg-$n.pub"
  done
  for n in a b; do
    if [[ $n == a ]]; then ns=$NS_A ifc=$WG_A peer=b ep=$UL_B; else ns=$NS_B ifc=$WG_B peer=a ep=$UL_A; fi
    ip netns exec "$ns" wg set "$ifc" listen-port 51820 private-key "$WORK/wg-$n.key" \
      peer "$(cat "$WORK/wg-$peer.pub")" endpoint "$ep:51820" allowed-ips "$OV_NET"
  done
}
wireguard_go_up() { # BINARY: two wireguard-go daemons of that build, configured with wg
  need wg
  local n ifc ns
  start_tunnel_daemon "$NS_A" wg-a env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error "$1" -f "$WG_A"
  start_tunnel_daemon "$NS_B" wg-b env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error "$1" -f "$WG_B"
  for n in a b; do
    if [[ $n == a ]]; then ns=$NS_A ifc=$WG_A; else ns=$NS_B ifc=$WG_B; fi
    wait_link "$ns" "$ifc"
    for _ in $(seq 50); do [[ -S /var/run/wireguard/$ifc.sock ]] && break; sleep 0.1; done
  done
  wg_peer_config
  overlay_addr "$NS_A" "$WG_A" "$OV_A" 1420
  overlay_addr "$NS_B" "$WG_B" "$OV_B" 1420
}
tun_offload_state() { # NS IF: "TSO on" / "TSO off" as ethtool reports the TUN device's TCP segmentation
  local v
  v=$(ip netns exec "$1" ethtool -k "$2" 2> /dev/null | awk -F': ' '/^tcp-segmentation-offload/ { print $2 }')
  echo "TSO ${v:-unknown}"
}
tunnel_wireguard_go_up() {
  need wireguard-go
  wireguard_go_up wireguard-go
  tunnel_info 1420 "Debian wireguard-go $(dpkg-query -W -f='${Version}' wireguard-go 2> /dev/null) (userspace), ChaCha20-Poly1305, UDP 51820, TUN $(tun_offload_state "$NS_A" "$WG_A")"
}
tunnel_wireguard_go_down() { stop_pids "$WORK/tunnel.pids"; rm -f "/var/run/wireguard/$WG_A.sock" "/var/run/wireguard/$WG_B.sock"; }

# The newest wireguard-go (golang.zx2c4.com/wireguard, pinned in the build script), built once
# with Go and cached in /var/cache/loom-test-peers. It opens its TUN with IFF_VNET_HDR + TSO/USO
# and uses UDP GSO/GRO where the kernel has them (decided at run time); the description records
# whether the TUN's TSO is on. WG_NEW_BIN names a binary to use instead (bench/run.sh sets it).
tunnel_wireguard_go_new_up() {
  local bin=${WG_NEW_BIN:-} ver
  if [[ -z $bin ]]; then
    bin=$("$LOOM_ROOT/test/netns/peers/build-wireguard-go.sh") || fail "build-wireguard-go.sh failed (Go at /usr/local/go and its module proxy needed)"
  fi
  [[ -x $bin ]] || fail "no wireguard-go binary at $bin"
  ver=$(basename "$bin")
  wireguard_go_up "$bin"
  tunnel_info 1420 "newest wireguard-go (${ver#wireguard-go-}, with TUN/UDP offloads), ChaCha20-Poly1305, UDP 51820, TUN $(tun_offload_state "$NS_A" "$WG_A")"
}
tunnel_wireguard_go_new_down() { tunnel_wireguard_go_down; }

# The kernel's WireGuard, where this kernel has it (built in or as a module). Nothing is loaded
# outside the namespaces: if creating the device in namespace A fails, the tunnel is reported as
# failed with the reason.
tunnel_wireguard_kernel_up() {
  need wg
  tunnel_info 1420 "Linux kernel WireGuard, ChaCha20-Poly1305, UDP 51820"
  ip -n "$NS_A" link add "$WG_A" type wireguard 2> "$WORK/wgk.err" \
    || fail "kernel WireGuard not available on $(uname -r) ($(tr '\n' ' ' < "$WORK/wgk.err" | sed 's/ *$//'); $(kernel_config_line WIREGUARD))"
  ip -n "$NS_B" link add "$WG_B" type wireguard
  wg_peer_config
  overlay_addr "$NS_A" "$WG_A" "$OV_A" 1420
  overlay_addr "$NS_B" "$WG_B" "$OV_B" 1420
  tunnel_info 1420 "Linux kernel WireGuard, ChaCha20-Poly1305, UDP 51820"
}
tunnel_wireguard_kernel_down() { ip -n "$NS_A" link del "$WG_A" 2> /dev/null; ip -n "$NS_B" link del "$WG_B" 2> /dev/null; true; }
kernel_config_line() { # OPTION: the kernel config's line for CONFIG_OPTION, where /proc/config.gz exists
  if [[ -r /proc/config.gz ]]; then
    zcat /proc/config.gz | grep -E "^(# )?CONFIG_$1[= ]" | head -n 1 || echo "CONFIG_$1 absent"
  else
    echo "no /proc/config.gz"
  fi
}

# tinc 1.0, router mode. $1: extra host config lines (e.g. the cipher).
tinc_up() {
  need tincd
  local n ns ul ov d
  for n in a b; do
    d="$WORK/tinc-$n"
    if [[ $n == a ]]; then ul=$UL_A ov=$OV_A; else ul=$UL_B ov=$OV_B; fi
    mkdir -p "$d/hosts"
    printf 'Name = node_%s\nMode = router\nDeviceType = tun\nInterface = ovl\nAddressFamily = ipv4\nBindToAddress = %s\nPort = 655\n' \
      "$n" "$ul" > "$d/tinc.conf"
    [[ $n == a ]] && echo "ConnectTo = node_b" >> "$d/tinc.conf"
    printf 'Address = %s\nPort = 655\nSubnet = %s/32\n%s\n' "$ul" "$ov" "$1" > "$d/hosts/node_$n"
    tincd -c "$d" -K 2048 < /dev/null > "$WORK/tinc-keygen-$n.log" 2>&1 || fail "tinc key generation failed"
  done
  cp "$WORK/tinc-a/hosts/node_a" "$WORK/tinc-b/hosts/"
  cp "$WORK/tinc-b/hosts/node_b" "$WORK/tinc-a/hosts/"
  start_tunnel_daemon "$NS_B" tinc-b tincd -c "$WORK/tinc-b" -D --pidfile="$WORK/tinc-b/pid"
  wait_udp "$NS_B" 655
  start_tunnel_daemon "$NS_A" tinc-a tincd -c "$WORK/tinc-a" -D --pidfile="$WORK/tinc-a/pid"
  overlay_addr "$NS_A" ovl "$OV_A" 1420
  overlay_addr "$NS_B" ovl "$OV_B" 1420
  TUN_READY=tinc_pmtu_ready
}
tinc_pmtu_ready() { # tinc 1.0 sends packets above the probed PMTU via its TCP meta
  # connection until PMTU discovery ends; wait until both nodes report "pmtu N (min N max N)".
  local i pid start name ok
  for i in $(seq 60); do
    ok=0
    while read -r pid start name; do
      ours "$pid" "$start" && kill -USR2 "$pid"
    done < "$WORK/tunnel.pids"
    sleep 1
    for name in tinc-a tinc-b; do
      tail -n 40 "$WORK/$name.log" | grep -Eq 'pmtu ([0-9]+) \(min \1 max \1\)' && ok=$((ok + 1))
    done
    ((ok == 2)) && { log "  tinc PMTU fixed after ${i} s: $(grep -Eo 'pmtu [0-9]+' "$WORK/tinc-a.log" | tail -n 1)"; return 0; }
  done
  fail "tinc PMTU discovery did not finish in 60 s"
}
tunnel_tinc_up() {
  tinc_up ""
  tunnel_info 1420 "tinc 1.0 router mode, UDP, default cipher (AES-256-CBC + HMAC-SHA256 truncated to 4 bytes)"
}
tunnel_tinc_down() { stop_pids "$WORK/tunnel.pids"; }
tunnel_tinc_null_up() {
  tinc_up $'Cipher = none\nDigest = none'
  tunnel_info 1420 "tinc 1.0 router mode, UDP, Cipher = none, Digest = none"
}
tunnel_tinc_null_down() { stop_pids "$WORK/tunnel.pids"; }

tunnel_socat_up() {
  need socat
  # B first: a connected UDP socket dies on ICMP port-unreachable from a peer not yet listening.
  start_tunnel_daemon "$NS_B" socat-b socat TUN,tun-type=tun,iff-no-pi,tun-name=ovl UDP:"$UL_A":7000,bind="$UL_B":7000
  wait_udp "$NS_B" 7000
  start_tunnel_daemon "$NS_A" socat-a socat TUN,tun-type=tun,iff-no-pi,tun-name=ovl UDP:"$UL_B":7000,bind="$UL_A":7000
  overlay_addr "$NS_B" ovl "$OV_B" 1420
  overlay_addr "$NS_A" ovl "$OV_A" 1420
  tunnel_info 1420 "socat TUN <-> connected UDP socket, one packet per datagram, unencrypted"
}
tunnel_socat_down() { stop_pids "$WORK/tunnel.pids"; }

fastd_up() { # $1: method
  need fastd
  local n peer ul pul
  for n in a b; do
    fastd --generate-key > "$WORK/fastd-$n.keys" 2> /dev/null
  done
  for n in a b; do
    if [[ $n == a ]]; then peer=b ul=$UL_A pul=$UL_B; else peer=a ul=$UL_B pul=$UL_A; fi
    cat > "$WORK/fastd-$n.conf" << EOF
log level warn;
interface "ovl";
mode tun;
bind $ul:10000;
method "$1";
mtu 1420;
secret "$(awk '/^Secret:/ { print $2 }' "$WORK/fastd-$n.keys")";
peer "node_$peer" {
  key "$(awk '/^Public:/ { print $2 }' "$WORK/fastd-$peer.keys")";
  remote $pul:10000;
}
EOF
  done
  start_tunnel_daemon "$NS_B" fastd-b fastd --config "$WORK/fastd-b.conf"
  wait_udp "$NS_B" 10000
  start_tunnel_daemon "$NS_A" fastd-a fastd --config "$WORK/fastd-a.conf"
  overlay_addr "$NS_A" ovl "$OV_A" 1420
  overlay_addr "$NS_B" ovl "$OV_B" 1420
}
tunnel_fastd_null_up() {
  fastd_up null
  tunnel_info 1420 "fastd tun mode, method null (unencrypted, authenticated handshake)"
}
tunnel_fastd_null_down() { stop_pids "$WORK/tunnel.pids"; }
tunnel_fastd_aead_up() {
  fastd_up aes128-gcm
  tunnel_info 1420 "fastd tun mode, method aes128-gcm (AEAD)"
}
tunnel_fastd_aead_down() { stop_pids "$WORK/tunnel.pids"; }

tunnel_openvpn_up() {
  need openvpn openssl
  local n ns ul pul peer
  local -a role
  for n in a b; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=node_$n" \
      -keyout "$WORK/ovpn-$n.key" -out "$WORK/ovpn-$n.crt" > /dev/null 2>&1
  done
  for n in b a; do
    if [[ $n == a ]]; then
      ns=$NS_A ul=$UL_A pul=$UL_B peer=b role=(--tls-client)
    else
      ns=$NS_B ul=$UL_B pul=$UL_A peer=a role=(--tls-server --dh none)
    fi
    start_tunnel_daemon "$ns" "openvpn-$n" \
      openvpn --dev ovl --dev-type tun --proto udp --local "$ul" --lport 1194 --remote "$pul" --rport 1194 \
      "${role[@]}" --cert "$WORK/ovpn-$n.crt" --key "$WORK/ovpn-$n.key" \
      --peer-fingerprint "$(openssl x509 -in "$WORK/ovpn-$peer.crt" -noout -fingerprint -sha256 | cut -d= -f2)" \
      --data-ciphers AES-256-GCM --tun-mtu 1420 --disable-dco --verb 3
    [[ $n == b ]] && wait_udp "$NS_B" 1194
  done
  overlay_addr "$NS_A" ovl "$OV_A" 1420
  overlay_addr "$NS_B" ovl "$OV_B" 1420
  tunnel_info 1420 "OpenVPN 2.6 p2p over UDP, TLS with peer fingerprints, data channel AES-256-GCM, no DCO"
}
tunnel_openvpn_down() { stop_pids "$WORK/tunnel.pids"; }

# ------------------------------------------------------------- measurements
sample() { printf '%s\t%s\t%s\t%s\n' "$CUR" "$1" "$2" "$3" >> "$WORK/samples.tsv"; } # METRIC UNIT VALUE

iperf_run() { # OUTFILE SECONDS ARGS...: bounded iperf3 client run from A
  local out=$1 secs=$2; shift 2
  timeout -k 5 $((secs + 30)) ip netns exec "$NS_A" iperf3 -c "$TARGET" -p "$IPERF_PORT" \
    --connect-timeout 5000 -t "$secs" -J "$@" > "$out" \
    || fail "iperf3 $* failed: $(jq -r '.error // empty' "$out" 2> /dev/null)"
}

measure_tcp() { # STREAMS METRIC RUN
  local out="$WORK/$CUR-$2-$3.json" c0 c1 b0 b1 s0 s1 a0 a1 t0 t1 bytes bps retr
  c0=$(tunnel_cpu_ticks) t0=$EPOCHREALTIME
  read -r b0 s0 a0 < <(busy_ticks)
  iperf_run "$out" "$TCP_SECONDS" -P "$1"
  c1=$(tunnel_cpu_ticks) t1=$EPOCHREALTIME
  read -r b1 s1 a1 < <(busy_ticks)
  read -r bytes bps retr < <(jq -r '.end | [.sum_received.bytes, .sum_received.bits_per_second, .sum_sent.retransmits] | @tsv' "$out")
  sample "${2}_gbps" Gbit/s "$(calc "$bps / 1e9")"
  sample "${2}_retransmits" count "$retr"
  sample "${2}_total_cpu_s_per_gb" CPU-s/GB "$(calc "($b1 - $b0) / $HZ / ($bytes / 1e9)")"
  sample "${2}_steal_pct" % "$(calc "100 * ($s1 - $s0) / ($a1 - $a0 + 1e-9)")"
  if [[ -s $WORK/tunnel.pids ]]; then
    sample "${2}_tunnel_cpu_s_per_gb" CPU-s/GB "$(calc "($c1 - $c0) / $HZ / ($bytes / 1e9)")"
    sample "${2}_tunnel_cpu_pct" "% of one core" "$(calc "100 * ($c1 - $c0) / $HZ / ($t1 - $t0)")"
  fi
  log "  run $3: $2 $(calc "$bps / 1e9") Gbit/s, retransmits $retr"
}

measure_udp() { # RUN
  local out="$WORK/$CUR-udp-$1.json" sent lost secs
  iperf_run "$out" "$UDP_SECONDS" -u -b 0 -l "$UDP_LEN"
  read -r sent lost secs < <(jq -r '.end.sum_received | [.packets, .lost_packets, .seconds] | @tsv' "$out")
  ((sent > 0)) || fail "iperf3 UDP sent no packets"
  sample "udp${UDP_LEN}_rx_kpps" kpps "$(calc "($sent - $lost) / $secs / 1000")"
  sample "udp${UDP_LEN}_tx_kpps" kpps "$(calc "$sent / $secs / 1000")"
  sample "udp${UDP_LEN}_loss_pct" % "$(calc "100 * $lost / $sent")"
  log "  run $1: udp rx $(calc "($sent - $lost) / $secs / 1000") kpps, loss $(calc "100 * $lost / $sent") %"
}

ping_stats() { # FILE PREFIX: samples PREFIX_{avg,p50,p99,max,loss}_* from a ping output file
  local stats avg p50 p99 max loss
  # avg, p50 and p99 (nearest rank), max, loss %
  stats=$(grep -o 'time=[0-9.]*' "$1" | cut -d= -f2 | sort -g | awk -v n="$PINGS" '
    function rank(q,  k) { k = int(q * NR); if (k < q * NR) k++; if (k < 1) k = 1; return t[k] }
    { t[NR] = $1; s += $1 }
    END { if (NR == 0) exit 1
          printf "%.6g %.6g %.6g %.6g %.6g\n", s / NR, rank(0.5), rank(0.99), t[NR], 100 * (n - NR) / n }') \
    || fail "no ping replies ($2)"
  read -r avg p50 p99 max loss <<< "$stats"
  sample "${2}_avg_ms" ms "$avg"
  sample "${2}_p50_ms" ms "$p50"
  sample "${2}_p99_ms" ms "$p99"
  sample "${2}_max_ms" ms "$max"
  sample "${2}_loss_pct" % "$loss"
  log "  $2: avg $avg ms, p50 $p50 ms, p99 $p99 ms, loss $loss %"
}

ping_run() { # OUTFILE: PINGS pings from A at PING_INTERVAL, bounded in time
  timeout -k 5 "$(calc "$PINGS * $PING_INTERVAL + 30")" ip netns exec "$NS_A" \
    ping -n -c "$PINGS" -i "$PING_INTERVAL" -W 1 "$TARGET" > "$1" 2>&1 || true
}

measure_ping() { # RUN: idle overlay
  local out="$WORK/$CUR-ping-$1.txt"
  ping_run "$out"
  ping_stats "$out" ping
}

measure_ping_load() { # RUN: the same pings while one iperf3 TCP stream fills the overlay
  local out="$WORK/$CUR-ping-load-$1.txt" secs pid rc=0
  secs=$(awk -v p="$PINGS" -v i="$PING_INTERVAL" 'BEGIN { printf "%d", p * i + 3.999 }')
  timeout -k 5 $((secs + 30)) ip netns exec "$NS_A" iperf3 -c "$TARGET" -p "$IPERF_PORT" \
    --connect-timeout 5000 -t "$secs" -J > "$WORK/$CUR-load-$1.json" 2>&1 &
  pid=$!
  sleep 1
  ping_run "$out"
  wait "$pid" || rc=$?
  ((rc == 0)) || fail "iperf3 under the loaded ping failed: $(jq -r '.error // empty' "$WORK/$CUR-load-$1.json" 2> /dev/null)"
  ping_stats "$out" ping_load
}

# TCP request/response (netperf TCP_RR style): each round trip wakes an application on both nodes
# and crosses both TCP stacks, which ping (answered by B's kernel) does not.
RR_JS=""
measure_rr() { # RUN
  [[ -n $RR_JS ]] || return 0
  local out="$WORK/$CUR-rr-$1.json" avg p50 p99
  timeout -k 5 130 ip netns exec "$NS_A" node "$RR_JS" client "$TARGET" "$RR_PORT" "$RR_COUNT" "$RR_BYTES" > "$out" \
    || fail "tcp-rr client failed: $(tail -n 1 "$out" 2> /dev/null)"
  read -r avg p50 p99 < <(jq -r '[.avg_ms, .p50_ms, .p99_ms] | @tsv' "$out")
  sample tcp_rr_avg_ms ms "$avg"
  sample tcp_rr_p50_ms ms "$p50"
  sample tcp_rr_p99_ms ms "$p99"
  log "  tcp_rr ($RR_COUNT x $RR_BYTES B): avg $avg ms, p50 $p50 ms, p99 $p99 ms"
}

measure_idle_cpu() { # CPU of the tunnel daemons while nothing crosses the overlay, % of one core per daemon
  [[ -s $WORK/tunnel.pids ]] || return 0
  local c0 c1 t0 t1 n
  n=$(wc -l < "$WORK/tunnel.pids")
  sleep 1
  c0=$(tunnel_cpu_ticks) t0=$EPOCHREALTIME
  sleep "$IDLE_SECONDS"
  c1=$(tunnel_cpu_ticks) t1=$EPOCHREALTIME
  sample idle_tunnel_cpu_pct "% of one core per daemon" "$(calc "100 * ($c1 - $c0) / $HZ / ($t1 - $t0) / $n")"
  log "  idle: $(calc "100 * ($c1 - $c0) / $HZ / ($t1 - $t0) / $n") % of a core per tunnel daemon over $IDLE_SECONDS s"
}

bench_tunnel() { # NAME; runs in a background subshell: a failure ends this tunnel only
  local fn=${1//-/_} r
  CUR=$1 TARGET=$OV_B TUN_READY=""
  # shellcheck disable=SC2064 # expand fn now: it is local
  trap "tunnel_${fn}_down > /dev/null 2>&1 || true" EXIT
  trap 'printf "command failed (line %s): %s\n" "$LINENO" "$BASH_COMMAND" > "$WORK/reason.err"' ERR
  "tunnel_${fn}_up"
  start_daemon "$NS_B" "iperf3-server-$1" iperf3 -s -p "$IPERF_PORT"
  [[ -z $RR_JS ]] || start_daemon "$NS_B" "rr-server-$1" node "$RR_JS" server "$RR_PORT"
  local t0=$SECONDS
  wait_ping "$TARGET" 60 || fail "overlay $TARGET not reachable after 60 s"
  log "  overlay reachable after $((SECONDS - t0)) s"
  [[ -z $TUN_READY ]] || "$TUN_READY"
  check_alive
  iperf_run "$WORK/$1-warmup.json" "$WARMUP_SECONDS"
  measure_idle_cpu
  for r in $(seq "$RUNS"); do
    measure_tcp 1 tcp1 "$r"
    measure_tcp 4 tcp4 "$r"
    measure_udp "$r"
    measure_ping "$r"
    measure_rr "$r"
    measure_ping_load "$r"
    check_alive
  done
}

# ------------------------------------------------------------------- report
build_json() { # FILE
  local pkgs
  pkgs=$(for p in "${PACKAGES[@]}"; do
    printf '%s\t%s\n' "$p" "$(dpkg-query -W -f='${Version}' "$p" 2> /dev/null || echo missing)"
  done | jq -Rn '[inputs | split("\t") | {(.[0]): .[1]}] | add')
  jq -Rn \
    --arg date "$(date -u +%FT%TZ)" --arg kernel "$(uname -r)" \
    --arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" --argjson cpus "$(nproc)" \
    --argjson runs "$RUNS" --argjson tcp "$TCP_SECONDS" --argjson udp "$UDP_SECONDS" --argjson len "$UDP_LEN" \
    --argjson pings "$PINGS" --argjson pint "$PING_INTERVAL" --argjson idle "$IDLE_SECONDS" --argjson packages "$pkgs" \
    --rawfile status "$WORK/status.tsv" '
    def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    {
      schema: "anchors/v1", date: $date,
      host: { kernel: $kernel, cpu: $cpu, cpus: $cpus },
      params: { runs: $runs, tcp_seconds: $tcp, udp_seconds: $udp, udp_payload_bytes: $len, pings: $pings,
                ping_interval_s: $pint, idle_seconds: $idle, underlay: "veth pair between two network namespaces, MTU 1500" },
      packages: $packages,
      metrics: {
        tcp1_gbps: "iperf3 TCP, 1 stream, A -> B over the overlay, Gbit/s as received",
        tcp4_gbps: "the same with 4 parallel streams (-P 4)",
        tcpN_retransmits: "TCP retransmissions counted by the sender during the run",
        tcpN_tunnel_cpu_s_per_gb: "CPU time (user+sys) of the tunnel daemons of both nodes, per 1e9 bytes received",
        tcpN_tunnel_cpu_pct: "CPU time of the tunnel daemons of both nodes, % of one core over the run",
        tcpN_total_cpu_s_per_gb: "busy CPU time of the whole machine (both nodes, iperf3, kernel), per 1e9 bytes received",
        tcpN_steal_pct: "CPU time stolen by the hypervisor during the run, % of all CPU time (a noise indicator)",
        "udp\($len)_rx_kpps": "iperf3 UDP, \($len)-byte payload, unlimited rate: packets received by B, thousands per second",
        "udp\($len)_tx_kpps": "the same, packets sent by A",
        "udp\($len)_loss_pct": "the same, packets lost, % of sent",
        ping_avg_ms: "ping A -> B over the overlay: mean RTT",
        ping_p50_ms: "median RTT (nearest rank)",
        ping_p99_ms: "99th percentile RTT (nearest rank)",
        ping_load_avg_ms: "ping_load_*: the same pings while one iperf3 TCP stream A -> B fills the overlay",
        idle_tunnel_cpu_pct: "CPU time of each tunnel daemon while the overlay is idle (after the warm-up), % of one core",
        ping_max_ms: "largest RTT",
        tcp_rr_avg_ms: "TCP request/response A -> B -> A (dist/bench/tcp-rr.js, 64-byte requests back to back, TCP_NODELAY): mean round trip",
        tcp_rr_p50_ms: "the same, median round trip (nearest rank)",
        tcp_rr_p99_ms: "the same, 99th percentile",
        ping_loss_pct: "ping replies missing, %",
        load1_before: "tunnels[]: 1-minute load average of the machine just before the tunnel was set up (a noise indicator)"
      },
      tunnels: [ $status | split("\n")[] | select(length > 0) | split("\t")
                 | { name: .[0], status: .[1], mtu: (.[2] | tonumber? // null), description: .[3],
                     reason: (if .[4] == "" then null else .[4] end), load1_before: (.[5] | tonumber? // null) } ],
      records: [ inputs | select(length > 0) | split("\t") | { tunnel: .[0], metric: .[1], unit: .[2], value: (.[3] | tonumber) } ]
               | group_by([.tunnel, .metric])
               | map({ tunnel: .[0].tunnel, metric: .[0].metric, unit: .[0].unit,
                       median: (map(.value) | median), min: (map(.value) | min), max: (map(.value) | max),
                       n: length, samples: map(.value) })
    }' "$WORK/samples.tsv" > "$1"
}

print_table() { # JSON FILE -> markdown on stdout
  jq -r '
    def r(d): pow(10; d) as $p | . * $p | round / $p | tostring;
    def cell($recs; $t; $m; d): [ $recs[] | select(.tunnel == $t and .metric == $m) ] | first
      | if . == null then "–" else "\(.median | r(d)) (\(.min | r(d))–\(.max | r(d)))" end;
    .records as $recs | "udp\(.params.udp_payload_bytes)" as $u
    | "| tunnel | load before | MTU | TCP 1 stream, Gbit/s | TCP 4 streams, Gbit/s | UDP \(.params.udp_payload_bytes) B rx, kpps | UDP loss, % | ping avg, ms | ping p50, ms | ping p99, ms | TCP RR p50, ms | TCP RR p99, ms | loaded ping p50, ms | loaded ping p99, ms | tunnel CPU-s/GB (TCP 1) | tunnel CPU % (TCP 1) | total CPU-s/GB (TCP 1) | idle CPU %/daemon |",
      "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
      (.tunnels[] | .name as $t
       | (.load1_before // "–" | tostring) as $ld
       | if .status != "ok" then "| \($t) | \($ld) | \(.mtu // "–") | \(.status): \(.reason // "") | | | | | | | | | | | | | | |"
         else "| \($t) | \($ld) | \(.mtu) | \(cell($recs; $t; "tcp1_gbps"; 2)) | \(cell($recs; $t; "tcp4_gbps"; 2)) | \(cell($recs; $t; "\($u)_rx_kpps"; 1)) | \(cell($recs; $t; "\($u)_loss_pct"; 1)) | \(cell($recs; $t; "ping_avg_ms"; 3)) | \(cell($recs; $t; "ping_p50_ms"; 3)) | \(cell($recs; $t; "ping_p99_ms"; 3)) | \(cell($recs; $t; "tcp_rr_p50_ms"; 3)) | \(cell($recs; $t; "tcp_rr_p99_ms"; 3)) | \(cell($recs; $t; "ping_load_p50_ms"; 3)) | \(cell($recs; $t; "ping_load_p99_ms"; 3)) | \(cell($recs; $t; "tcp1_tunnel_cpu_s_per_gb"; 2)) | \(cell($recs; $t; "tcp1_tunnel_cpu_pct"; 0)) | \(cell($recs; $t; "tcp1_total_cpu_s_per_gb"; 2)) | \(cell($recs; $t; "idle_tunnel_cpu_pct"; 2)) |" end)
  ' "$1"
}

# -------------------------------------------------------------------- setup
install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  log "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null \
    || log "warning: some packages failed to install; tunnels needing them will be reported as failed"
}

cleanup() { # on any exit: stop everything this script started, remove the namespaces
  local rc=$?
  trap - EXIT INT TERM HUP
  if [[ -n $WORK && -d $WORK ]]; then
    descendants $$ > "$WORK/children" # a bench still running, with its iperf3/ping
    stop_pids "$WORK/children"
    stop_pids "$WORK/pids"
    ns_down
    rm -f "/var/run/wireguard/$WG_A.sock" "/var/run/wireguard/$WG_B.sock"
    if [[ ${KEEP_WORK:-0} == 1 ]]; then log "kept work directory $WORK"; else rm -rf "$WORK"; fi
  fi
  exit "$rc"
}

main() {
  local install=1 out="" sel=() t
  while (($#)); do
    case $1 in
      --list) printf '%s\n' "${TUNNELS[@]}"; exit 0 ;;
      --no-install) install=0 ;;
      --out) out=$2; shift ;;
      -h | --help) sed -n '2,/^set -E/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
      -*) die "unknown option $1" ;;
      *) sel+=("$1") ;;
    esac
    shift
  done
  ((${#sel[@]})) || sel=("${TUNNELS[@]}")
  for t in "${sel[@]}"; do
    declare -F "tunnel_${t//-/_}_up" > /dev/null || die "unknown tunnel '$t' (see --list)"
  done
  ((EUID == 0)) || die "must run as root"
  [[ -c /dev/net/tun ]] || die "/dev/net/tun missing"
  ((install)) && install_packages
  for t in ip iperf3 ping jq awk timeout; do command -v "$t" > /dev/null || die "$t not installed"; done
  if [[ -f $LOOM_ROOT/dist/bench/tcp-rr.js ]] && command -v node > /dev/null; then
    RR_JS=$LOOM_ROOT/dist/bench/tcp-rr.js
  else
    log "no $LOOM_ROOT/dist/bench/tcp-rr.js (npm run build:ts) or no node: TCP request/response not measured"
  fi

  WORK=$(mktemp -d -t anchors.XXXXXX)
  trap cleanup EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
  : > "$WORK/pids"; : > "$WORK/samples.tsv"; : > "$WORK/status.tsv"
  if [[ -z $out ]]; then # results/anchors-<date>.json; .2.json, .3.json, ... for later runs that day
    local base n="" i=1
    base="$HERE/results/anchors-$(date -u +%F)"
    while [[ -e $base$n.json ]]; do i=$((i + 1)) n=".$i"; done
    out="$base$n.json"
  fi
  mkdir -p "$(dirname "$out")"

  for t in "${sel[@]}"; do
    log "== $t"
    : > "$WORK/tunnel.pids"; rm -f "$WORK/reason" "$WORK/reason.err" "$WORK/meta"
    local rc=0 mtu="" desc="" reason="" load1
    load1=$(cut -d' ' -f1 /proc/loadavg)
    ns_up
    # In the background, so that a signal reaches the trap at once; errexit stays on in it.
    bench_tunnel "$t" &
    wait $! || rc=$?
    stop_pids "$WORK/pids"     # backstop: tunnel daemons and the iperf3 server
    ns_down
    [[ -f $WORK/meta ]] && IFS=$'\t' read -r mtu desc < "$WORK/meta"
    if ((rc == 0)); then
      printf '%s\tok\t%s\t%s\t\t%s\n' "$t" "$mtu" "$desc" "$load1" >> "$WORK/status.tsv"
    else
      reason=$(cat "$WORK/reason" 2> /dev/null || cat "$WORK/reason.err" 2> /dev/null || echo "exit status $rc")
      # keep partial samples out of the results
      awk -F'\t' -v t="$t" '$1 != t' "$WORK/samples.tsv" > "$WORK/s.tmp" && mv "$WORK/s.tmp" "$WORK/samples.tsv"
      printf '%s\tfailed\t%s\t%s\t%s\t%s\n' "$t" "$mtu" "$desc" "${reason//$'\t'/ }" "$load1" >> "$WORK/status.tsv"
    fi
  done

  build_json "$out"
  print_table "$out" | tee "${out%.json}.md"
  local rel=${out#"$HERE"/}
  log "results: $rel, ${rel%.json}.md"
}

# Sourced (bench/profile.sh borrows ns_up/ns_down): define only.
[[ ${BASH_SOURCE[0]} != "$0" ]] || main "$@"
