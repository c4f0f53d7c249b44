# Sourced by the build-*.sh scripts in this folder: the preamble they share. Sets CACHE (where
# built peers are kept, LOOM_TEST_PEERS_CACHE) and GO (the toolchain, $GO); then the script names
# its binary and calls peer_build_start.
CACHE=${LOOM_TEST_PEERS_CACHE:-/var/cache/loom-test-peers}
GO=${GO:-/usr/local/go/bin/go}

# peer_build_start NAME OUT: prints OUT and exits 0 when it is already built; otherwise checks the
# Go toolchain, enters a fresh work directory under $CACHE (`work`, removed on exit) and sets
# `start` (seconds) for the final report.
peer_build_start () {
  local name=$1 out=$2
  if [ -x "$out" ]; then echo "$out"; exit 0; fi
  [ -x "$GO" ] || { echo "$name: no Go toolchain at $GO" >&2; exit 1; }
  mkdir -p "$CACHE"
  work=$(mktemp -d "$CACHE/build.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  start=$(date +%s)
}
