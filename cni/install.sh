#!/bin/sh
# Installs the loom-cni plugin into a CNI bin dir and writes 10-loom.conflist.
# Usage: cni/install.sh [--bin-dir /opt/cni/bin] [--conf-dir /etc/cni/net.d]
#                       [--api-socket /run/loom/loom.sock] [--mtu N] [--no-conflist]
# The plugin is the static shim dist/cni/loom-cni (built from cni/shim/loom-cni.c by
# `npm run build`), copied as a real file: runtimes exec plugins by path. Only the conflist
# writer below needs node.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin_dir=/opt/cni/bin conf_dir=/etc/cni/net.d api_socket=/run/loom/loom.sock mtu= conflist=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --bin-dir) bin_dir=$2; shift 2 ;;
    --conf-dir) conf_dir=$2; shift 2 ;;
    --api-socket) api_socket=$2; shift 2 ;;
    --mtu) mtu=$2; shift 2 ;;
    --no-conflist) conflist=no; shift ;;
    *) echo "usage: $0 [--bin-dir DIR] [--conf-dir DIR] [--api-socket PATH] [--mtu N] [--no-conflist]" >&2; exit 2 ;;
  esac
done
shim="$root/dist/cni/loom-cni"
[ -x "$shim" ] || { echo "$shim not found: run npm run build first" >&2; exit 1; }
mkdir -p "$bin_dir"
tmp="$bin_dir/.loom-cni.$$"
cp "$shim" "$tmp"
chmod 0755 "$tmp"
mv "$tmp" "$bin_dir/loom-cni"
echo "installed $bin_dir/loom-cni (from $shim)"
if [ "$conflist" = yes ]; then
  node=$(command -v node) || { echo "node not found in PATH (needed to write the conflist)" >&2; exit 1; }
  "$node" "$root/dist/cni/conflist.js" "$conf_dir" "$api_socket" "$mtu"
fi
