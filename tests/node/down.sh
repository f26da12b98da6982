#!/usr/bin/env bash
# Stops the real node of the cluster in DIR and leaves the machine as it was before
# tests/node/up.sh (called by tests/cluster/down.sh before the control plane stops):
#   1. deletes the pods on the node while the kubelet runs (the API server must still be up),
#   2. stops the kubelet, deletes the Node and its Lease,
#   3. removes the sandboxes that are left through CRI (their netns, veths and IPs with them),
#   4. stops kube-proxy (and removes its rules), CoreDNS, containerd and its shims,
#   5. unmounts everything under the node's directories, removes the kubepods cgroups in every
#      hierarchy, deletes the bridge, the iptables chains, restores the sysctls,
#   6. checks: no process, mount, cgroup, interface, netns, iptables rule or sysctl is left
#      changed; exits 1 naming what is.
#
#   tests/node/down.sh DIR [node|host|all]   idempotent; DIR may already be gone (a stale owner)
#
# tests/cluster/down.sh runs it in two phases: `node` (steps 1-4, mounts and cgroups) while the
# control plane still runs, `host` (the bridge, the host state, the checks) once it has stopped:
# the API server listens on the bridge's address, and it hangs on shutdown when that address
# vanishes under its open connections. `all` (the default) does both.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=network.env
. "$here/network.env"
dir="${1:?usage: tests/node/down.sh DIR [node|host|all]}"
phase="${2:-all}"
case "$phase" in node | host | all) ;; *) echo "usage: tests/node/down.sh DIR [node|host|all]" >&2; exit 2 ;; esac
dir="$(cd "$dir" 2>/dev/null && pwd || echo "$dir")"
cache="${KSPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark}"
state="$cache/node"
node="$dir/node"
t0=$SECONDS
say() { printf '[node down] %s\n' "$*" >&2; }
problems=()
problem() { say "$*"; problems+=("$*"); }

if [ "$(cat "$state/owner" 2>/dev/null)" != "$dir" ] && [ ! -d "$node" ]; then
  say "no real node for $dir"
  exit 0
fi
if [ "${KSPARK_NODE_LOCK_HELD:-}" != 1 ]; then
  mkdir -p "$state"
  exec 8>"$state/.lock"
  flock -w 600 8 || { say "FAILED at step: lock $state/.lock (another real-node up/down is running)"; exit 1; }
fi

ours() { # live processes of this node: our binaries whose command line names the node's dir
  local proc exe
  for proc in /proc/[0-9]*; do
    exe="$(readlink "$proc/exe" 2>/dev/null)" || continue
    case "${exe##*/}" in kspark-node | coredns | containerd | containerd-shim*) ;; *) continue ;; esac
    grep -qaF -- "$node/" "$proc/cmdline" 2>/dev/null && echo "${proc#/proc/}"
  done
  return 0
}
stop() { # stop PID...: SIGTERM, up to 15 s, then SIGKILL
  [ "$#" -gt 0 ] || return 0
  kill "$@" 2>/dev/null || true
  local _ p alive
  for _ in $(seq 150); do
    alive=0
    for p in "$@"; do
      [ -e "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && alive=1
    done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  kill -9 "$@" 2>/dev/null || true
  sleep 0.3
}
component_pid() { # component_pid NAME: the live pid of the node's component NAME, if any
  local p cmd
  for p in $(ours); do
    cmd="$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)" || continue
    case "$1:$cmd" in
      kubelet:*"kspark-node kubelet "* | kube-proxy:*"kspark-node kube-proxy "* | \
        coredns:*"/coredns -conf "* | containerd:"containerd --config "*) echo "$p" ;;
    esac
  done
  return 0
}

kubectl="${KUBECTL:-${KSPARK_KUBECTL:-kubectl}}"
kc() { timeout 60 "$kubectl" --kubeconfig="$dir/system.kubeconfig" --request-timeout=20s "$@"; }
api_up() { [ -f "$dir/system.kubeconfig" ] && kc get --raw /readyz >/dev/null 2>&1; }

node_phase() {
# --- 1-2: pods, kubelet, Node, Lease -------------------------------------------------------------
if api_up; then
  if [ -n "$(component_pid kubelet)" ]; then
    say "deleting the pods on $KSPARK_NODE_NAME"
    kc delete pods --all-namespaces --field-selector "spec.nodeName=$KSPARK_NODE_NAME" \
      --grace-period=3 --wait=true --timeout=60s >/dev/null 2>&1 || say "some pods were not deleted in time (removed through CRI below)"
  fi
  # shellcheck disable=SC2046
  stop $(component_pid kubelet)
  kc delete node "$KSPARK_NODE_NAME" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  kc -n kube-node-lease delete lease "$KSPARK_NODE_NAME" --ignore-not-found >/dev/null 2>&1 || true
else
  # shellcheck disable=SC2046
  stop $(component_pid kubelet)
fi

# --- 3: sandboxes left in containerd -------------------------------------------------------------
if [ -n "$(component_pid containerd)" ] && [ -x "$node/bin/kspark-node" ]; then
  "$node/bin/kspark-node" cri-cleanup "unix://$node/containerd.sock" >&2 || problem "could not remove every pod sandbox through CRI"
fi

# --- 4: kube-proxy, CoreDNS, containerd, shims ---------------------------------------------------
# shellcheck disable=SC2046
stop $(component_pid kube-proxy) $(component_pid coredns)
if [ -x "$node/bin/kspark-node" ]; then
  "$node/bin/kspark-node" kube-proxy --cleanup >/dev/null 2>&1 || true
fi
# shellcheck disable=SC2046
stop $(component_pid containerd)
# shellcheck disable=SC2046
stop $(ours) # shims, and anything else left
left="$(ours | tr '\n' ' ')"
[ -z "${left// /}" ] || problem "processes still running: $left"

# --- 5: mounts, cgroups, bridge, host state -------------------------------------------------------
node_mounts() { # mount points under the node's dirs, deepest first
  awk '{print $5}' /proc/self/mountinfo | grep -E "^($node|$state/containerd)(/|$)" | sort -r || true
}
for _ in 1 2 3; do
  for m in $(node_mounts); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
done
[ -z "$(node_mounts)" ] || problem "mounts left: $(node_mounts | tr '\n' ' ')"

for h in /sys/fs/cgroup/*/; do
  [ -d "$h/kubepods" ] || continue
  # processes of pods that survived (none after a clean CRI removal): kill them
  pids="$(find "$h/kubepods" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u | tr '\n' ' ')"
  # shellcheck disable=SC2086
  [ -z "${pids// /}" ] || { say "killing leftover pod processes: $pids"; kill -9 $pids 2>/dev/null || true; sleep 0.5; }
  find "$h/kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  [ ! -d "$h/kubepods" ] || problem "cgroup left: $h/kubepods"
done

}

host_phase() {
if ip link show "$KSPARK_NODE_BRIDGE" >/dev/null 2>&1; then
  ip link del "$KSPARK_NODE_BRIDGE" || problem "could not delete bridge $KSPARK_NODE_BRIDGE"
fi
# the kubelet's log symlinks into this node's pod logs
for l in /var/log/containers/*.log; do
  [ -L "$l" ] && case "$(readlink "$l")" in "$node/"*) rm -f "$l" ;; esac
done 2>/dev/null || true
rm -rf /var/lib/cni/results/kspark-* 2>/dev/null || true

"$here/hoststate.sh" restore || problem "the host state was not fully restored (see above)"
}

[ "$phase" = host ] || node_phase
[ "$phase" = node ] || host_phase

if [ "${#problems[@]}" -gt 0 ]; then
  say "FAILED: the real node of $dir left: ${problems[*]}"
  exit 1
fi
if [ "$phase" = node ]; then
  say "real node of $dir stopped in $((SECONDS - t0))s (the bridge and the host state: phase host)"
  exit 0
fi
rm -rf --one-file-system "$node"
[ "$(cat "$state/owner" 2>/dev/null)" != "$dir" ] || rm -f "$state/owner"
say "real node of $dir stopped and the host restored in $((SECONDS - t0))s"
