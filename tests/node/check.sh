#!/usr/bin/env bash
# Proves the real node of a running cluster works, with the probe test image (tools/probe):
# a pod runs on the node; `kubectl logs`, `exec` and `port-forward` work through the API server;
# the pod resolves kubernetes.default.svc and a Service's name through CoreDNS, reaches the API
# server through the kubernetes Service's ClusterIP (kube-proxy) and another pod through its
# Service; a memory limit is enforced (OOMKilled). Everything happens in a fresh namespace,
# deleted at the end.
#
#   tests/node/check.sh [DIR]    DIR defaults to $KSPARK_CLUSTER_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=network.env
. "$here/network.env"
dir="${1:-${KSPARK_CLUSTER_DIR:?give the cluster directory}}"
# shellcheck disable=SC1091
. "$dir/env"
say() { printf '[node check] %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
[ -n "${KSPARK_REAL_NODE:-}" ] || fail "the cluster in $dir has no real node (start it with KSPARK_WITH_REAL_NODE=1)"
t0=$SECONDS
ns="node-check-$(openssl rand -hex 3)"
kc() { "$KSPARK_KUBECTL" --kubeconfig="$KSPARK_ADMIN_KUBECONFIG" -n "$ns" "$@"; }
pf_pid=
cleanup() {
  [ -z "$pf_pid" ] || kill "$pf_pid" 2>/dev/null || true
  kc delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
}
trap cleanup EXIT

pod() { # pod NAME ARGS_JSON RESOURCES_JSON: a probe pod on the real node
  printf '%s' "{\"apiVersion\": \"v1\", \"kind\": \"Pod\",
 \"metadata\": {\"name\": \"$1\", \"labels\": {\"app\": \"$1\"}},
 \"spec\": {\"nodeSelector\": {\"kubectl-spark.io/node\": \"real\"},
  \"tolerations\": [{\"key\": \"kubectl-spark.io/real-node\", \"operator\": \"Exists\", \"effect\": \"NoSchedule\"}],
  \"restartPolicy\": \"Never\", \"terminationGracePeriodSeconds\": 2,
  \"containers\": [{\"name\": \"probe\", \"image\": \"$KSPARK_PROBE_IMAGE\", \"imagePullPolicy\": \"Never\",
   \"args\": $2, \"resources\": $3}]}}"
}

kc create namespace "$ns" >/dev/null
pod probe '["serve", "8080"]' '{"requests": {"cpu": "10m", "memory": "16Mi"}}' | kc apply -f - >/dev/null
kc expose pod probe --name probe-svc --port 80 --target-port 8080 >/dev/null
kc wait --for=condition=Ready pod/probe --timeout=120s >/dev/null || { kc describe pod probe >&2; fail "the probe pod did not become Ready"; }
[ "$(kc get pod probe -o jsonpath='{.spec.nodeName}')" = "$KSPARK_REAL_NODE" ] || fail "the probe pod is not on $KSPARK_REAL_NODE"
ip="$(kc get pod probe -o jsonpath='{.status.podIP}')"
case "$ip" in 198.18.*) ;; *) fail "pod IP $ip is not in the real node's pod range" ;; esac
say "pod probe runs on $KSPARK_REAL_NODE, IP $ip ($((SECONDS - t0))s)"

sleep 1.5
kc logs probe | grep -q 'probe line 0' || fail "kubectl logs did not show the pod's output"
say "logs: ok"

out="$(kc exec probe -- /probe resolve kubernetes.default.svc probe-svc "probe-svc.$ns.svc.cluster.local" 2>&1)" || fail "exec /probe resolve: $out"
echo "$out" | grep -qx "kubernetes.default.svc $KSPARK_KUBERNETES_SERVICE_IP" \
  || fail "kubernetes.default.svc did not resolve to $KSPARK_KUBERNETES_SERVICE_IP: $out"
svc_ip="$(kc get service probe-svc -o jsonpath='{.spec.clusterIP}')"
echo "$out" | grep -qx "probe-svc $svc_ip" || fail "probe-svc did not resolve to $svc_ip: $out"
say "exec + cluster DNS: ok ($(echo "$out" | tr '\n' ';'))"

out="$(kc exec probe -- /probe get https://kubernetes.default.svc/version 2>&1)" || fail "reach the API server through its Service: $out"
echo "$out" | head -n1 | grep -qx 200 || fail "GET https://kubernetes.default.svc/version: $out"
echo "$out" | grep -q "\"gitVersion\": \"v$KSPARK_K8S_VERSION\"" || fail "unexpected /version: $out"
say "API server through kubernetes.default.svc (ClusterIP, kube-proxy, service-account token): ok"

out="$(kc exec probe -- /probe get "http://probe-svc.$ns.svc/" 2>&1)" || fail "reach a pod through its Service: $out"
echo "$out" | grep -q "probe ok" || fail "GET http://probe-svc.$ns.svc/: $out"
say "pod -> Service -> pod: ok"

kc port-forward pod/probe 0:8080 > "$dir/logs/node-check-pf.log" 2>&1 &
pf_pid=$!
port=
for _ in $(seq 100); do
  port="$(sed -n 's/^Forwarding from 127.0.0.1:\([0-9]*\) .*/\1/p' "$dir/logs/node-check-pf.log" | head -n1)"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "port-forward did not start: $(cat "$dir/logs/node-check-pf.log")"
[ "$(curl -fsS --max-time 10 "http://127.0.0.1:$port/")" = "probe ok" ] || fail "port-forward: no answer from the pod"
kill "$pf_pid"; pf_pid=
say "port-forward: ok"

pod hog '["hog"]' '{"limits": {"memory": "32Mi"}}' | kc apply -f - >/dev/null
reason=
for _ in $(seq 120); do
  reason="$(kc get pod hog -o jsonpath='{.status.containerStatuses[0].state.terminated.reason}')"
  [ -n "$reason" ] && break
  sleep 0.5
done
[ "$reason" = OOMKilled ] || fail "a container over its memory limit ended with '${reason:-still running}', not OOMKilled"
say "memory limit enforced (OOMKilled): ok"

kc delete pod probe hog --wait=true --timeout=60s >/dev/null || fail "delete the pods"
say "all checks passed in $((SECONDS - t0))s"
