#!/usr/bin/env bash
# The README's main command: builds kubectl-spark, brings up the local Kubernetes cluster with a
# real node (real kube-apiserver, etcd, controller-manager and scheduler; a real kubelet with
# containerd, kube-proxy and CoreDNS, tests/node) and the locally built Spark image, in the shape
# of a small cluster of one's own: the real node only, untainted, no fake nodes
# (KSPARK_REAL_NODE_ONLY=1), so that the submit below is exactly what a user types (image,
# service account, executors, the app; small requests for a 2-core node) with no harness pod
# template. It submits Spark's own Python Pi example with two executors and `submit` follows it
# to the end itself (its progress lines count the executors), `kubectl spark logs` shows "Pi is
# roughly 3.14…", and the exit code is the real driver's. The cluster is stopped at the end (the
# real node is one per machine, and the tests need the other shape: their up.sh replaces this
# one); pass --keep to leave it running and explore. Needs root (containerd, iptables).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf '\n==> %s\n' "$*" >&2; }
t0=$SECONDS

say "building kubectl-spark"
cargo build --quiet --bin kubectl-spark
export PATH="${CARGO_TARGET_DIR:-$root/target}/debug:$PATH"

dir="${KSPARK_CLUSTER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark/cluster}"
say "bringing up the local cluster: one real node, untainted (first run builds Kubernetes, the kubelet and a Spark image: ~25 minutes; a running cluster of the tests' shape is replaced)"
KSPARK_WITH_REAL_NODE=1 KSPARK_REAL_NODE_ONLY=1 tests/cluster/up.sh "$dir"
# shellcheck disable=SC1091
. "$dir/env"
export KUBECONFIG="$KSPARK_ADMIN_KUBECONFIG"
kubectl get nodes -o wide

kubectl get namespace spark-demo >/dev/null 2>&1 || kubectl create namespace spark-demo >/dev/null

say "kubectl spark setup -n spark-demo (ServiceAccount spark and the Role a driver needs)"
kubectl spark setup -n spark-demo

say "kubectl spark version"
kubectl spark version

say "kubectl spark submit … pi.py with 2 executors ($KSPARK_SPARK_IMAGE)"
name="pi-$(date +%H%M%S)"
t_submit=$SECONDS
code=0
set -x
kubectl spark submit -n spark-demo --name "$name" \
  --conf spark.kubernetes.container.image="$KSPARK_SPARK_IMAGE" \
  --conf spark.kubernetes.authenticate.driver.serviceAccountName=spark \
  --num-executors 2 --driver-memory 512m --executor-memory 512m \
  --conf spark.kubernetes.driver.request.cores=0.1 \
  --conf spark.kubernetes.executor.request.cores=0.1 \
  local:///opt/spark/examples/src/main/python/pi.py 20 || code=$?
set +x
say "the driver ended with exit code $code after $((SECONDS - t_submit))s"

say "kubectl spark logs $name | grep 'Pi is roughly'"
kubectl spark logs -n spark-demo "$name" | grep 'Pi is roughly' || true
kubectl spark status -n spark-demo "$name"

say "what is left (executors are deleted by the driver; the driver pod stays for its logs)"
kubectl get pods,services,configmaps -n spark-demo

say "demo done in $((SECONDS - t0))s"
if [ "${1:-}" = "--keep" ]; then
  say "the cluster keeps running: export KUBECONFIG=$KSPARK_ADMIN_KUBECONFIG to explore; tests/cluster/down.sh $dir stops it (tests/run.sh needs the real node free)"
else
  say "stopping the cluster (pass --keep to leave it running)"
  tests/cluster/down.sh "$dir"
fi
exit "$code"
