#!/usr/bin/env bash
# Stops the local test cluster started by up.sh and removes its directory.
#
#   tests/cluster/down.sh [DIR]   DIR defaults to $KSPARK_CLUSTER_DIR or
#                                 ~/.cache/kubectl-spark/cluster
#
# Stops the real node first, if the cluster has one (tests/node/down.sh: it needs the API
# server), then the processes recorded in DIR/pids and any orphan of this cluster (a kube, etcd,
# kwok or python process whose command line names DIR), checks that none is left, removes DIR.
set -euo pipefail
dir="${1:-${KSPARK_CLUSTER_DIR:-$HOME/.cache/kubectl-spark/cluster}}"
t0=$SECONDS
say() { printf '[cluster down] %s\n' "$*" >&2; }
fail() { say "FAILED at step: $*"; exit 1; }

if [ ! -d "$dir" ]; then
  say "nothing to stop: $dir does not exist"
  exit 0
fi
dir="$(cd "$dir" && pwd)"
if [ -n "$(ls -A "$dir")" ] && [ ! -e "$dir/pids" ] && [ ! -e "$dir/pki" ] && [ ! -e "$dir/env" ]; then
  fail "refusing to remove $dir: it does not look like a cluster directory made by up.sh"
fi
if [ "${KSPARK_CLUSTER_LOCK_HELD:-}" != 1 ]; then # up.sh holds the lock when it calls us
  exec 9<"$(dirname "$dir")"
  flock -w 900 9 || fail "lock $(dirname "$dir") (another up/down is running)"
fi

node_down="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../node/down.sh"
real_node=0
if [ -d "$dir/node" ] || [ "$(cat "${KSPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark}/node/owner" 2>/dev/null)" = "$dir" ]; then
  real_node=1
  "$node_down" "$dir" node || fail "stop the real node (tests/node/down.sh $dir node)"
fi

# Processes of this cluster: the recorded pids, if they still run one of our programs with DIR
# in their command line (pids get reused), plus orphans found the same way.
ancestors=" $$ "
p=$$
while [ "$p" -gt 1 ] 2>/dev/null; do
  p="$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null)" || break
  ancestors+="$p "
done
ours() { # prints the pid of every live process of this cluster
  local proc pid exe
  for proc in /proc/[0-9]*; do
    pid="${proc#/proc/}"
    case "$ancestors" in *" $pid "*) continue ;; esac
    exe="$(readlink "$proc/exe" 2>/dev/null)" || continue
    case "${exe##*/}" in kube | etcd | kwok | python*) ;; *) continue ;; esac
    grep -qaF -- "$dir/" "$proc/cmdline" 2>/dev/null && echo "$pid"
  done
  return 0
}

pids="$(ours | tr '\n' ' ')"
if [ -n "${pids// /}" ]; then
  say "stopping pids $pids"
  # shellcheck disable=SC2086
  kill $pids 2>/dev/null || true
  for _ in $(seq 100); do # SIGTERM first: up to 10 s
    left="$(ours | tr '\n' ' ')"
    [ -z "${left// /}" ] && break
    sleep 0.1
  done
  left="$(ours | tr '\n' ' ')"
  if [ -n "${left// /}" ]; then
    say "still running after SIGTERM, sending SIGKILL: $left"
    # shellcheck disable=SC2086
    kill -9 $left 2>/dev/null || true
    sleep 0.5
  fi
fi
left="$(ours | tr '\n' ' ')"
[ -z "${left// /}" ] || fail "stop every process (still running: $left)"

if [ "$real_node" = 1 ]; then
  "$node_down" "$dir" host || fail "restore the host after the real node (tests/node/down.sh $dir host)"
fi
rm -rf "$dir" || fail "remove $dir"
say "cluster in $dir stopped and removed in $((SECONDS - t0))s"
