#!/bin/sh
# Installs the loom-cni plugin into a CNI bin dir and writes 10-loom.conflist.
# Usage: cni/install.sh [--bin-dir /opt/cni/bin] [--conf-dir /etc/cni/net.d]
#                       [--api-socket /run/loom/loom.sock] [--mtu N] [--no-conflist]
# The plugin is a small wrapper script that execs node on this checkout's dist/cni/main.js
# (runtimes exec plugins by path, so it must be a real executable file in the bin dir).
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
main="$root/dist/cni/main.js"
[ -f "$main" ] || { echo "$main not found: run npm run build first" >&2; exit 1; }
node=$(command -v node) || { echo "node not found in PATH" >&2; exit 1; }
mkdir -p "$bin_dir"
tmp="$bin_dir/.loom-cni.$$"
printf '#!/bin/sh\nexec %s %s "$@"\n' "$node" "$main" > "$tmp"
chmod 0755 "$tmp"
mv "$tmp" "$bin_dir/loom-cni"
echo "installed $bin_dir/loom-cni -> $main"
if [ "$conflist" = yes ]; then
  "$node" "$root/dist/cni/conflist.js" "$conf_dir" "$api_socket" "$mtu"
fi
