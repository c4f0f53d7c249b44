#!/bin/sh
# Installs loomd as a systemd service: the unit, a sample config (kept if one exists), and
# reloads systemd. Usage: systemd/install.sh [--prefix /opt/loom] [--enable]
# Expects the repository built (npm run build) at the prefix (default: this checkout).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=$(cd "$here/.." && pwd)
enable=no
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --enable) enable=yes; shift ;;
    *) echo "usage: $0 [--prefix DIR] [--enable]" >&2; exit 2 ;;
  esac
done
[ -f "$prefix/dist/agent/loomd.js" ] || { echo "$prefix/dist/agent/loomd.js not found: run npm run build first" >&2; exit 1; }
node=$(command -v node) || { echo "node not found in PATH" >&2; exit 1; }
unit=/etc/systemd/system/loomd.service
sed -e "s#/usr/bin/node#$node#" -e "s#/opt/loom#$prefix#g" "$here/loomd.service" > "$unit.tmp"
mv "$unit.tmp" "$unit"
install -d -m 0755 /etc/loom /etc/cni/net.d
[ -f /etc/loom/loomd.conf ] || install -m 0644 "$here/loomd.conf.example" /etc/loom/loomd.conf
systemctl daemon-reload
[ "$enable" = yes ] && systemctl enable --now loomd.service
echo "installed $unit (ExecStart uses $prefix); edit /etc/loom/loomd.conf, then: systemctl enable --now loomd"
