#!/usr/bin/env bash
# Checks the image that build.sh makes in a real container runtime: a private containerd (its own
# socket, root and state dirs under a temp dir; never the system's /run/containerd), the archive
# imported with the documented command, containers run with runc.
#
#   tests/node/image/check-containerd.sh [SPARK_VERSION]     exit 0 when every check passed
#
# Checks: `ctr -n k8s.io images import --base-name localhost/kubectl-spark/spark ARCHIVE` names
# the image localhost/kubectl-spark/spark:<version>; the image's default user, working dir and
# entrypoint (pass-through); the driver branch computes Pi with tini as PID 1; SIGTERM to the
# container (what the kubelet sends on delete) stops the driver at once. Everything it started
# (containerd, shims, containers, cgroups, mounts, the temp dir) is gone when it exits.
# Needs containerd and runc (Debian's packages containerd, runc). Ends with `N passed, N failed`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/versions.env"
v="${1:-$IMAGE_SPARK_VERSION}"
image="$IMAGE_NAME:$v"
say() { printf '[image containerd] %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { say "FAILED: run as root"; exit 1; }
for b in containerd ctr runc; do
  command -v "$b" >/dev/null || { say "FAILED: $b not found (apt-get install containerd runc)"; exit 1; }
done
archive="$("$here/build.sh" "$v")"

d="$(mktemp -d /tmp/kspark-image-ctr.XXXXXX)"
cg=kspark-image-check-${d##*.} # the containers' cgroup parent, removed at the end
pid=
ctr_() { ctr -a "$d/containerd.sock" -n k8s.io "$@"; }
cleanup() {
  if [ -n "$pid" ]; then
    for c in $(ctr_ containers ls -q 2>/dev/null); do
      ctr_ task kill -s SIGKILL "$c" >/dev/null 2>&1 || true
      sleep 1
      ctr_ task delete "$c" >/dev/null 2>&1 || true
      ctr_ containers delete "$c" >/dev/null 2>&1 || true
    done
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  # Mounts (snapshots of containers that did not stop) and cgroups this run made.
  awk -v d="$d" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l
  for h in /sys/fs/cgroup/*/"$cg"; do [ ! -d "$h" ] || find "$h" -depth -type d -exec rmdir {} + 2>/dev/null || true; done
  rm -rf --one-file-system "$d"
}
trap cleanup EXIT
cat >"$d/config.toml" <<EOF
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd-ttrpc.sock"
EOF
containerd --config "$d/config.toml" </dev/null >"$d/containerd.log" 2>&1 &
pid=$! # containerd itself (no wrapper), stopped by cleanup
for _ in $(seq 50); do ctr_ version >/dev/null 2>&1 && break; sleep 0.2; done
ctr_ version >/dev/null 2>&1 || { say "FAILED: containerd did not start:"; tail -n 20 "$d/containerd.log" >&2; exit 1; }

passed=0 failed=0
ok() { passed=$((passed + 1)); say "ok   $*"; }
ko() { failed=$((failed + 1)); say "FAIL $*"; }
expect() { # expect NAME PATTERN FILE
  if grep -qE -- "$2" "$3"; then ok "$1"; else ko "$1: no /$2/ in:"; tail -n 30 "$3" | sed 's/^/    /' >&2; fi
}

t=$SECONDS
ctr_ images import --base-name "$IMAGE_NAME" "$archive" >"$d/import.out" 2>&1 || true
ctr_ images ls >>"$d/import.out" 2>&1 || true
expect "ctr images import names it $image [$((SECONDS - t))s]" "^${image//./\\.} " "$d/import.out"
size="$(du -sh "$d/root/io.containerd.snapshotter.v1.overlayfs" | cut -f1)"
say "unpacked in containerd: $size (snapshots), $(du -sh "$d/root/io.containerd.content.v1.content" | cut -f1) (content)"

run() { # run NAME [ctr run options] -- CMD...
  local name=$1; shift
  local rm=--rm opts=()
  while [ "$1" != -- ]; do
    [ "$1" != -d ] || rm= # a detached container is deleted by cleanup
    opts+=("$1"); shift
  done
  shift
  timeout 300 ctr -a "$d/containerd.sock" -n k8s.io run --net-host \
    --cgroup "/$cg/$name" ${rm:+"$rm"} "${opts[@]}" "$image" "$name" "$@"
}
run id -- /opt/entrypoint.sh bash -c 'id; pwd; java -version 2>&1' >"$d/id.out" 2>&1 || true
expect "user 185 (spark) by default" '^uid=185\(spark\) gid=185\(spark\)' "$d/id.out"
expect "working dir /opt/spark/work-dir" '^/opt/spark/work-dir$' "$d/id.out"
expect "java 17" 'openjdk version "17\.' "$d/id.out"

props='printf "%s\n" "spark.master=local[2]" "spark.ui.enabled=false" >/tmp/spark.properties'
t=$SECONDS
run pi --env SPARK_DRIVER_BIND_ADDRESS=127.0.0.1 -- bash -c "$props"'
  exec /opt/entrypoint.sh driver --properties-file /tmp/spark.properties /opt/spark/examples/src/main/python/pi.py 10' \
  >"$d/pi.out" 2>&1 && echo "exit=0" >>"$d/pi.out" || echo "exit=$?" >>"$d/pi.out"
expect "driver branch in a container: Pi is roughly 3.1 [$((SECONDS - t))s]" '^Pi is roughly 3\.1' "$d/pi.out"
expect "driver branch in a container: exit 0" '^exit=0$' "$d/pi.out"

# A long Pi, then SIGTERM as the kubelet sends it: tini (PID 1) forwards it, the driver exits.
run long -d --env SPARK_DRIVER_BIND_ADDRESS=127.0.0.1 -- bash -c "$props"'
  exec /opt/entrypoint.sh driver --properties-file /tmp/spark.properties /opt/spark/examples/src/main/python/pi.py 5000' \
  >/dev/null 2>&1 || true
for _ in $(seq 120); do
  ctr_ task exec --exec-id ps long ps -eo pid=,args= >"$d/ps.out" 2>&1 || true
  grep -q 'pyspark.daemon' "$d/ps.out" && break # the job runs (Python workers started)
  sleep 1
done
expect "tini is PID 1 of the driver container" '^ *1 /usr/bin/tini -s -- /opt/spark/bin/spark-submit ' "$d/ps.out"
t=$SECONDS
ctr_ task kill -s SIGTERM long >/dev/null 2>&1 || true
state=
for _ in $(seq 60); do
  state="$(ctr_ task ls 2>/dev/null | awk '$1 == "long" {print $3}')"
  [ "$state" = STOPPED ] && break
  sleep 0.5
done
[ "$state" = STOPPED ] && ok "SIGTERM stops the driver in $((SECONDS - t))s" \
  || ko "SIGTERM: the driver still $state after $((SECONDS - t))s"

say "$passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
