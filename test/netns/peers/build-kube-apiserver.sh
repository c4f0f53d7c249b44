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
# Cost: 95 min wall clock, 12.5 min user CPU on the shared 2-core dev machine (README "NetworkPolicy").
# Usage: build-kube-apiserver.sh  -> prints the binary's path on stdout (everything else on stderr).
set -euo pipefail

K8S_VERSION=v1.32.4          # matches Debian/kubectl's 1.32 client used by the test
STAGING_VERSION=v0.32.4
CACHE=${LOOM_TEST_PEERS_CACHE:-/var/cache/loom-test-peers}
OUT="$CACHE/kube-apiserver-$K8S_VERSION"
GO=${GO:-/usr/local/go/bin/go}

if [ -x "$OUT" ]; then echo "$OUT"; exit 0; fi
[ -x "$GO" ] || { echo "build-kube-apiserver: no Go toolchain at $GO" >&2; exit 1; }

mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

start=$(date +%s)
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
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
echo "build-kube-apiserver: built $OUT in $(( $(date +%s) - start ))s" >&2
echo "$OUT"
