#!/usr/bin/env bash
# Installs the real node's host packages from Debian's archive: containerd (1.6, with its CRI
# plugin), runc, the CNI plugins (bridge, host-local, loopback, portmap), iptables, conntrack,
# iproute2, and umoci/skopeo (daemon-less OCI image building). Idempotent: when every package is
# already installed it returns at once without touching apt.
#
#   tests/node/install.sh
#
# Needs root (apt-get). Prints nothing on stdout; progress on stderr.
set -euo pipefail
say() { printf '[node install] %s\n' "$*" >&2; }
fail() { say "FAILED at step: $*"; exit 1; }

packages=(containerd runc containernetworking-plugins iptables conntrack iproute2 umoci skopeo
  openssl curl util-linux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
[ "$(id -u)" = 0 ] || fail "install ${missing[*]}: needs root (apt-get)"
t0=$SECONDS
say "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=900 update -qq >&2 || fail "apt-get update"
# --no-install-recommends: no docker/buildah/… that would pull more daemons onto the host.
apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >&2 || fail "apt-get install ${missing[*]}"
# Debian's containerd package enables and starts a system containerd (on /run/containerd). The
# harness runs its own containerd with its own config and dirs; the system one is not needed.
if command -v systemctl >/dev/null && systemctl is-active --quiet containerd 2>/dev/null; then
  systemctl disable --now containerd >&2 2>/dev/null || true
fi
say "installed in $((SECONDS - t0))s"
