#!/usr/bin/env bash
# The README's main command: builds kubectl-spark, brings up the local Kubernetes cluster
# (real kube-apiserver, etcd, controller-manager and scheduler; kwok simulates the kubelet, so
# no container really runs) and submits the SparkPi example of the Spark docs, following it to
# completion. Pass --down to stop the cluster at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf '\n==> %s\n' "$*" >&2; }

say "building kubectl-spark"
cargo build --quiet --bin kubectl-spark
export PATH="$root/target/debug:$PATH"

say "bringing up the local cluster (first run builds Kubernetes from source: ~10 minutes)"
tests/cluster/up.sh
dir="${KSPARK_CLUSTER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark/cluster}"
# shellcheck disable=SC1091
. "$dir/env"
export KUBECONFIG="$KSPARK_ADMIN_KUBECONFIG"

kubectl get namespace spark-demo >/dev/null 2>&1 || kubectl create namespace spark-demo >/dev/null

say "kubectl spark setup -n spark-demo (ServiceAccount spark and the Role a driver needs)"
kubectl spark setup -n spark-demo

say "kubectl spark version"
kubectl spark version

say "kubectl spark submit … SparkPi (the driver is simulated by kwok and succeeds after 5 s)"
set -x
kubectl spark submit -n spark-demo \
  --name spark-pi \
  --class org.apache.spark.examples.SparkPi \
  --conf spark.executor.instances=2 \
  --conf spark.kubernetes.authenticate.driver.serviceAccountName=spark \
  --conf spark.kubernetes.container.image=apache/spark:4.0.1 \
  --conf spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/outcome=Succeeded \
  --conf spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/delay=5000 \
  local:///opt/spark/examples/jars/spark-examples.jar 1000
set +x

say "what it created"
kubectl get pods,services,configmaps -n spark-demo
kubectl spark list -n spark-demo

if [ "${1:-}" = "--down" ]; then
  tests/cluster/down.sh
else
  say "the cluster keeps running: export KUBECONFIG=$KSPARK_ADMIN_KUBECONFIG to explore; tests/cluster/down.sh stops it"
fi
