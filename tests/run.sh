#!/usr/bin/env bash
# The project's test command (the README's second set-up command; .ci/run calls it).
# Checks formatting and lints, builds the local Kubernetes cluster (cached), brings it and an S3
# server up in a throw-away directory, runs the whole test suite against them, then the real-node
# stage (the same cluster with a real node: containers and Spark, tests/node), and always tears
# them down.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf '\n==> %s\n' "$*" >&2; }
t0=$SECONDS

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

say "building the test cluster's binaries (cached by version)"
tests/cluster/build.sh >/dev/null

say "installing the Spark conformance oracle with S3A, and s3proxy (cached by version)"
tests/oracle/install.sh >/dev/null
tests/oracle/install-s3a.sh >/dev/null
tests/s3/install.sh >/dev/null

run_dir="$(mktemp -d "${TMPDIR:-/tmp}/kubectl-spark-test.XXXXXX")"
export KSPARK_CLUSTER_DIR="$run_dir/cluster"
export KSPARK_S3_DIR="$run_dir/s3"
cleanup() {
  tests/s3/down.sh "$KSPARK_S3_DIR" || true
  tests/cluster/down.sh "$KSPARK_CLUSTER_DIR" || true
  rm -rf "$run_dir"
}
trap cleanup EXIT

say "starting the local cluster in $KSPARK_CLUSTER_DIR"
tests/cluster/up.sh "$KSPARK_CLUSTER_DIR"

say "starting the S3 server (s3proxy) in $KSPARK_S3_DIR"
tests/s3/up.sh "$KSPARK_S3_DIR"

say "cargo test (unit, CLI, snapshot, end-to-end, conformance)"
# End-to-end tests fail, never skip, when CI=true and the cluster is missing.
CI="${CI:-true}" cargo test --locked --lib --bins --tests -- --test-threads="${KSPARK_TEST_THREADS:-4}" --skip disruptive_ --skip real_node_

say "cargo test --benches (the criterion micro-benchmarks, each case run once)"
# Criterion's harness takes no libtest flags (--test-threads, --skip), hence a run of its own.
cargo test --locked --benches

say "cargo test --test disruptive_e2e (restarts the API server, so it runs alone)"
CI="${CI:-true}" cargo test --locked --test disruptive_e2e -- --test-threads=1

say "real node: a cluster with real containers and Spark (tests/node; first run builds the kubelet and the Spark image)"
# The real node is one per machine: the cluster above goes down first. Its own S3 server listens
# on the node's bridge address, which the Spark driver in a pod reaches.
tests/s3/down.sh "$KSPARK_S3_DIR" || true
tests/cluster/down.sh "$KSPARK_CLUSTER_DIR"
t_node=$SECONDS
KSPARK_WITH_REAL_NODE=1 tests/cluster/up.sh "$KSPARK_CLUSTER_DIR"
# shellcheck disable=SC1091
KSPARK_S3_HOST="$(. "$KSPARK_CLUSTER_DIR/env" && echo "$KSPARK_REAL_NODE_IP")" tests/s3/up.sh "$KSPARK_S3_DIR"
say "real node up in $((SECONDS - t_node))s: tests/node/check.sh, then cargo test --test real_node_e2e --test connect_real_node --test defects_real_node --test spark_view_real_node --test executors_real_node --test causes_real_node --test history_real_node --test servers_real_node"
tests/node/check.sh "$KSPARK_CLUSTER_DIR"
CI="${CI:-true}" cargo test --locked --test real_node_e2e --test connect_real_node --test defects_real_node --test spark_view_real_node --test executors_real_node --test causes_real_node --test history_real_node --test servers_real_node -- --test-threads=1
say "real-node stage done in $((SECONDS - t_node))s"

say "all tests passed in $((SECONDS - t0))s"
