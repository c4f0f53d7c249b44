#!/usr/bin/env bash
# Builds a real kube-apiserver for a test of the `kubernetes` policy source (not written yet), from the
# k8s.io/kubernetes Go module at a pinned version, and caches the binary. Test peer only: never
# shipped, never product code.
#
# Why a wrapper module: k8s.io/kubernetes's go.mod points its staging modules (k8s.io/api,
# k8s.io/apiserver, ...) at ./staging/... with replace directives and requires them as v0.0.0, so
# `go install k8s.io/kubernetes/cmd/kube-apiserver@v1.32.4` is refused. A module that requires
# k8s.io/kubernetes and replaces every staging module with its published v0.<minor>.<patch> tag
# builds the same sources. The staging list is read from the pinned go.mod itself, so a version
# bump needs only the two variables below.
#
# Cost, cold (empty Go caches), on the shared 2-core dev machine (README "NetworkPolicy"): 25 min
# wall clock at load average 20 (9 CPU-minutes: 457 s user + 82 s system; peak RSS 1.7 GB);
# downloads 150 module zips, 90 MB; disk during the build 2.6 GB (modules 0.5 GB, Go build cache
# 2.1 GB), afterwards only the 95 MB binary. A second run, at load 23: 31 min to the binary plus
# 2 min to delete the caches (10 CPU-minutes), the same bytes. An earlier session's run took
# 95 min wall (12.5 CPU-minutes, load 13-25).
# The Go module and build caches are private to the build and removed with it: on a CI machine
# they would only hold 2.6 GB that nothing else uses, and the binary is what is cached.
# Usage: build-kube-apiserver.sh  -> prints the binary's path on stdout (everything else on stderr).
set -euo pipefail

K8S_VERSION=v1.32.4          # matches Debian/kubectl's 1.32 client used by the test
STAGING_VERSION=v0.32.4
# shellcheck source=peer-build.sh
. "$(dirname "$0")/peer-build.sh"
OUT="$CACHE/kube-apiserver-$K8S_VERSION"

peer_build_start build-kube-apiserver "$OUT"
trap 'exit 143' TERM INT     # so that a `timeout` (setup.sh) still runs the clean-up (peer-build.sh)
# -modcacherw: module files stay writable, so the trap above can remove the module cache.
export GOFLAGS="-mod=mod -modcacherw" GOTOOLCHAIN=local CGO_ENABLED=0
export GOMODCACHE="$work/gomodcache" GOCACHE="$work/gocache"
mkdir -p src && cd src
modfile=$("$GO" mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
[ -f "$modfile" ] || { echo "build-kube-apiserver: could not download k8s.io/kubernetes@$K8S_VERSION" >&2; exit 1; }

{
  echo "module loom.test/kube-apiserver"
  echo
  echo "go 1.23"
  echo
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  echo "replace ("
  sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$STAGING_VERSION"'#p' "$modfile"
  echo ")"
} > go.mod
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GO
"$GO" mod tidy >&2
nice -n 10 "$GO" build -trimpath -o "$work/kube-apiserver" \
  -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=32" \
  k8s.io/kubernetes/cmd/kube-apiserver >&2
mv "$work/kube-apiserver" "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
echo "build-kube-apiserver: module downloads $(du -sh "$GOMODCACHE/cache/download" | cut -f1)," \
  "module cache $(du -sh "$GOMODCACHE" | cut -f1), build cache $(du -sh "$GOCACHE" | cut -f1) (removed now)" >&2
echo "build-kube-apiserver: built $OUT in $(( $(date +%s) - start ))s" >&2
echo "$OUT"
