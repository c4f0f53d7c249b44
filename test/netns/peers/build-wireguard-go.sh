#!/usr/bin/env bash
# Builds the newest wireguard-go (golang.zx2c4.com/wireguard at a pinned version) as a benchmark
# peer for bench/anchors.sh's `wireguard-go-new` tunnel, and caches the binary. Test peer only:
# never shipped, never product code.
#
# Why: Debian's wireguard-go on this machine (0.0.20220316, bookworm) predates the 2023 offloads;
# the issue-9/11 targets are against the strongest userspace peer. The pinned version is the
# module proxy's newest (the module has no tags: a pseudo-version, which reports itself as
# 0.0.20250522). Its TUN is opened with IFF_VNET_HDR and TUNSETOFFLOAD (TSO4/6, USO4/6 where the
# kernel takes them: tun/tun_linux.go), and its UDP socket uses UDP_SEGMENT/UDP_GRO when the
# kernel supports them (conn/features_linux.go). Both are decided at run time, not at build time,
# so any linux/amd64 build has them; anchors.sh checks TSO on the device (ethtool) after start.
#
# Cost: about 1 min wall clock on the shared 2-core machine (a few small modules).
# Usage: build-wireguard-go.sh  -> prints the binary's path on stdout (everything else on stderr).
set -euo pipefail

WG_MODULE=golang.zx2c4.com/wireguard
WG_VERSION=v0.0.0-20260522210424-ecfc5a8d5446   # 0.0.20250522, the proxy's @latest on 2026-12-02
# shellcheck source=peer-build.sh
. "$(dirname "$0")/peer-build.sh"
OUT="$CACHE/wireguard-go-$WG_VERSION"

peer_build_start build-wireguard-go "$OUT"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 GOOS=linux
# A wrapper module pins the version (and records the dependency sums in go.sum); the module's root
# package is wireguard-go's main.
{
  echo "module loom.test/wireguard-go"
  echo
  echo "go 1.23.1"
  echo
  echo "require $WG_MODULE $WG_VERSION"
} > go.mod
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "golang.zx2c4.com/wireguard"
GO
"$GO" mod tidy >&2
nice -n 10 "$GO" build -trimpath -ldflags "-s -w" -o "$work/wireguard-go" "$WG_MODULE" >&2
"$work/wireguard-go" --version >&2
mv "$work/wireguard-go" "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
echo "build-wireguard-go: built $OUT in $(( $(date +%s) - start ))s" >&2
echo "$OUT"
