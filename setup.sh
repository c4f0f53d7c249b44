#!/usr/bin/env bash
# Sets up a fresh Debian machine (as root) to build, test and demo Loom:
#   1. the Debian packages the tests and the demo use (iproute2, ping, iperf3, ethtool, a real
#      Prometheus and promtool for the metrics test) and the toolchain node-gyp needs;
#   2. `npm ci` (dependencies' install scripts stay blocked: see allowScripts in package.json);
#   3. `npm run build`: the N-API addons in host/native/ and dataplane/native/ (node-gyp against
#      the installed Node's headers) and the TypeScript into dist/;
#   4. the kube-apiserver test peer that test/netns/policy-kube runs against
#      (test/netns/peers/build-kube-apiserver.sh, pinned v1.32.4, needs Go at /usr/local/go).
#      Instant when cached in /var/cache/loom-test-peers. Cold: 9-10 CPU-minutes, 90 MB of
#      module downloads, 2.6 GB of disk while it builds; 25 and 33 min wall in two runs on a
#      shared 2-core machine at load 20-23. It is bounded by LOOM_TEST_PEERS_TIMEOUT seconds
#      (default 1800), so that a slow machine still leaves a 60-minute CI job time for the tests. If it fails or times out, set-up goes
#      on and policy-kube skips, saying why. LOOM_BUILD_TEST_PEERS=0 leaves it out.
# Safe to run again. The benchmark installs its own extra packages (bench/run.sh).
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (it installs Debian packages)" >&2
  exit 1
fi
# The test-peer settings are checked before anything long runs.
case "${LOOM_BUILD_TEST_PEERS:-1}" in
  0|1) ;;
  *) echo "setup.sh: LOOM_BUILD_TEST_PEERS must be 0 or 1, not '${LOOM_BUILD_TEST_PEERS}'" >&2; exit 1 ;;
esac
limit=${LOOM_TEST_PEERS_TIMEOUT:-1800}
if ! [[ "$limit" =~ ^[1-9][0-9]*$ ]]; then
  echo "setup.sh: LOOM_TEST_PEERS_TIMEOUT must be a number of seconds, not '${limit}'" >&2
  exit 1
fi

packages=(iproute2 iputils-ping iperf3 ethtool procps socat python3 make g++ prometheus
  containernetworking-plugins iptables containerd podman busybox-static
  nftables conntrack tcpdump wireguard-go wireguard-tools iperf etcd-server)
# kubectl: Debian's kubernetes-client, unless the machine already has a kubectl (its own package
# would conflict with Debian's over /usr/bin/kubectl).
command -v kubectl >/dev/null 2>&1 || packages+=(kubernetes-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]}"
  apt-get update -q
  # --no-install-recommends keeps prometheus from pulling in exporters we do not use; the package
  # does not start its service where policy-rc.d or the absence of systemd forbids it.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
npm run build
if [ "${LOOM_BUILD_TEST_PEERS:-1}" = 1 ]; then
  if ! timeout "$limit" test/netns/peers/build-kube-apiserver.sh >/dev/null; then
    echo "setup.sh: the kube-apiserver test peer was not built (failed, or over ${limit}s);" \
      "test/netns/policy-kube will skip" >&2
  fi
fi
echo "setup.sh: done"
