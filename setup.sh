#!/usr/bin/env bash
# Sets up a fresh Debian machine (as root) to build, test and demo Loom:
#   1. the Debian packages the tests and the demo use (iproute2, ping, iperf3, ethtool, a real
#      Prometheus and promtool for the metrics test) and the toolchain node-gyp needs;
#   2. `npm ci` (dependencies' install scripts stay blocked: see allowScripts in package.json);
#   3. `npm run build`: the N-API addons in host/native/ and dataplane/native/ (node-gyp against
#      the installed Node's headers) and the TypeScript into dist/;
#   4. only with LOOM_BUILD_TEST_PEERS=1: the kube-apiserver test peer
#      (test/netns/peers/build-kube-apiserver.sh; instant when cached in /var/cache/loom-test-peers,
#      otherwise about 12.5 CPU-minutes and, measured on a loaded 2-core machine, 95 minutes:
#      longer than a 60-minute CI job, so never implied. Without it test/netns/policy-kube skips.)
# Safe to run again. The benchmark installs its own extra packages (bench/run.sh).
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (it installs Debian packages)" >&2
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
if [ "${LOOM_BUILD_TEST_PEERS:-0}" = 1 ]; then
  test/netns/peers/build-kube-apiserver.sh >/dev/null
fi
echo "setup.sh: done"
