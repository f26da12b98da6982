#!/usr/bin/env bash
# Benchmark harness (not part of the test run): kubectl-spark against spark-submit (pyspark) and
# kubectl on a local cluster of its own, whole-process wall time, CPU time (user+sys) and peak
# RSS over repeated runs (median and min–max), with ratios measured in the same run.
#
#   tests/bench/run.sh [--quick]   # ~7 min after the builds; --quick: fewer repetitions (~3 min)
#
# On a fresh machine: builds the release binary (LTO: 5-7 min on 2 cores), the cluster binaries
# (tests/cluster/build.sh) and the spark-submit oracle (tests/oracle/install.sh), starts a
# cluster in a temporary directory and always stops it. BENCH_KEEP_CLUSTER=1 keeps it;
# BENCH_BIN=path measures that binary instead of building target/release/kubectl-spark.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
say() { printf '[bench] %s\n' "$*" >&2; }
command -v python3 >/dev/null || { say "FAILED: python3 not found"; exit 1; }

if [ -n "${BENCH_BIN:-}" ]; then
  bin="$BENCH_BIN"; say "using $bin (BENCH_BIN; not rebuilt)"
else
  say "building the release binary (cargo build --release; LTO: ~5-7 min on 2 cores when cold)"
  (cd "$root" && cargo build --release --quiet)
  bin="$root/target/release/kubectl-spark"
fi
say "cluster binaries"; "$root/tests/cluster/build.sh" >/dev/null
say "spark-submit oracle"; oracle="$("$root/tests/oracle/install.sh")"
spark_version=4.0.5
submit="$oracle/$spark_version/bin/spark-submit"
[ -x "$submit" ] || { say "FAILED: $submit missing"; exit 1; }

dir="$(mktemp -d "${TMPDIR:-/tmp}/kspark-bench.XXXXXX")"
export KSPARK_CLUSTER_DIR="$dir/cluster"
cleanup() {
  if [ "${BENCH_KEEP_CLUSTER:-}" = 1 ]; then say "cluster kept in $KSPARK_CLUSTER_DIR"; return; fi
  "$root/tests/cluster/down.sh" "$KSPARK_CLUSTER_DIR" >/dev/null 2>&1 || say "cluster down failed ($KSPARK_CLUSTER_DIR)"
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say "starting a cluster in $KSPARK_CLUSTER_DIR"
"$root/tests/cluster/up.sh" "$KSPARK_CLUSTER_DIR" >&2

python3 "$here/bench.py" --env "$KSPARK_CLUSTER_DIR/env" --bin "$bin" \
  --spark-submit "$submit" --spark-version "$spark_version" --work "$dir" --repo "$root" "$@"
