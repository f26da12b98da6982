#!/usr/bin/env bash
# Starts the local test cluster: a real kube-apiserver (etcd, controller-manager, scheduler)
# whose nodes and pods are simulated by kwok. Everything listens on 127.0.0.1, on free ports.
# With KSPARK_WITH_REAL_NODE=1 it also attaches the real node (tests/node: containerd, kubelet,
# kube-proxy, CoreDNS; one such cluster per machine) and the API server listens on the node's
# bridge address (KSPARK_NODE_HOST_IP in tests/node/network.env) instead, so pods reach it.
#
#   tests/cluster/up.sh [DIR]     DIR defaults to $KSPARK_CLUSTER_DIR or
#                                 ~/.cache/kubectl-spark/cluster
#
# Writes into DIR: env (source it: KSPARK_* variables), admin.kubeconfig (contexts `admin`,
# namespace default, and `e2e`), alice.kubeconfig, bob.kubeconfig (namespace e2e), logs/*.log.
# A healthy cluster already running in DIR is left alone; a stale one is cleaned up first.
# Stop it with tests/cluster/down.sh [DIR].
#
# Environment: KUBECTL (default: the kubectl on PATH, or its kubectl.1.NN sibling matching the
# server), KSPARK_NODES (default 2),
# KSPARK_NODE_CPU/KSPARK_NODE_MEMORY/KSPARK_NODE_PODS (per node; default 32, 256Gi, 1000),
# KSPARK_WITH_REAL_NODE (1: attach the real node),
# KSPARK_REAL_NODE_ONLY (1, with the real node: no fake nodes and no taint on the real node, so
# that pods land on it without a pod template, as on a user's own cluster: the demo's shape; the
# tests need the default shape, and an up.sh of the other shape replaces a running cluster).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
# shellcheck source=../node/network.env
. "$here/../node/network.env"
real_node="${KSPARK_WITH_REAL_NODE:-0}"
case "$real_node" in 0 | 1) ;; *) echo "[cluster up] KSPARK_WITH_REAL_NODE must be 0 or 1, not '$real_node'" >&2; exit 2 ;; esac
real_node_only="${KSPARK_REAL_NODE_ONLY:-0}"
case "$real_node_only:$real_node" in 0:* | 1:1) ;; *) echo "[cluster up] KSPARK_REAL_NODE_ONLY=1 needs KSPARK_WITH_REAL_NODE=1 (and is 0 or 1, not '$real_node_only')" >&2; exit 2 ;; esac
export KSPARK_REAL_NODE_ONLY="$real_node_only" # read by tests/node/up.sh (the node's taint)
dir="${1:-${KSPARK_CLUSTER_DIR:-$HOME/.cache/kubectl-spark/cluster}}"
nodes="${KSPARK_NODES:-2}"
[ "$real_node_only" = 0 ] || nodes=0
t0=$SECONDS

say() { printf '[cluster up] %s\n' "$*" >&2; }

# --- failure handling: name the step, show the component's log, stop what was started -------
started_pids=()
fail() { # fail STEP [COMPONENT]
  say "FAILED at step: $1"
  if [ -n "${2:-}" ] && [ -f "$dir/logs/$2.log" ]; then
    say "last lines of $dir/logs/$2.log:"
    tail -n 40 "$dir/logs/$2.log" | sed 's/^/    /' >&2
  fi
  exit 1
}
on_exit() {
  local rc=$?
  [ "$rc" -eq 0 ] && return
  if [ "$real_node" = 1 ] && [ -n "${node_claimed:-}" ]; then
    "$here/../node/down.sh" "$dir" || true
  fi
  if [ "${#started_pids[@]}" -gt 0 ]; then
    say "stopping what this run started (logs stay in $dir/logs)"
    kill "${started_pids[@]}" 2>/dev/null || true
    for _ in $(seq 50); do
      any_running "${started_pids[@]}" || break
      sleep 0.1
    done
    kill -9 "${started_pids[@]}" 2>/dev/null || true
    rm -f "$dir/env"
  fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

any_running() { # any_running PID...: true while one of them lives (zombies do not count)
  local p state
  for p in "$@"; do
    state="$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" || continue
    [ -n "$state" ] && [ "$state" != Z ] && return 0
  done
  return 1
}

# --- one `up` or `down` at a time per parent directory ----------------------------------------
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
exec 9<"$(dirname "$dir")"
flock -w 900 9 || fail "lock $(dirname "$dir") (another up/down is running)"

# --- already running? --------------------------------------------------------------------------
# The live record of the processes is DIR/pids (a test that restarts a component updates it).
healthy() {
  [ -f "$dir/env" ] && [ -f "$dir/pids" ] || return 1
  # asked for a real node: a cluster without one is replaced
  [ "$real_node" = 0 ] || grep -q '^KSPARK_REAL_NODE=.' "$dir/env" || return 1
  # a cluster of the other shape (real node only, or with fake nodes) is replaced
  local only; only="$(sed -n 's/^KSPARK_REAL_NODE_ONLY=//p' "$dir/env")"
  [ "${only:-0}" = "$real_node_only" ] || return 1
  ( set +u
    # shellcheck disable=SC1091
    . "$dir/env"
    while read -r _ pid; do
      grep -qF -- "$dir/" "/proc/$pid/cmdline" 2>/dev/null || exit 1
    done < "$dir/pids"
    curl -fsS --max-time 5 --cacert "$KSPARK_CA_FILE" -H "Authorization: Bearer $KSPARK_ADMIN_TOKEN" \
      "$KSPARK_API_URL/readyz" >/dev/null 2>&1 )
}
if healthy; then
  say "a healthy cluster is already running in $dir (stop it with tests/cluster/down.sh)"
  exit 0
fi
if [ -n "$(ls -A "$dir")" ]; then
  say "stale cluster state in $dir: cleaning up"
  KSPARK_CLUSTER_LOCK_HELD=1 "$here/down.sh" "$dir" || fail "clean up the stale cluster in $dir"
  mkdir -p "$dir"
fi

# --- binaries ------------------------------------------------------------------------------------
bin="$("$here/build.sh")" || fail "build the cluster binaries (tests/cluster/build.sh)"
# google-cloud-sdk's kubectl is a dispatcher (v1.32) with kubectl.1.NN beside it: take the one
# that matches the server, within kubectl's supported skew of one minor version.
pick_kubectl() {
  if [ -n "${KUBECTL:-}" ]; then echo "$KUBECTL"; return; fi
  local k real minor m
  k="$(command -v kubectl)" || return 1
  real="$(readlink -f "$k")"; minor="${K8S_VERSION#1.}"; minor="${minor%%.*}"
  for m in "$minor" $((minor + 1)) $((minor - 1)); do
    if [ -x "${real%/*}/kubectl.1.$m" ]; then echo "${real%/*}/kubectl.1.$m"; return; fi
  done
  echo "$k"
}
kubectl="$(pick_kubectl)" || fail "find kubectl (install it or set KUBECTL)"
mkdir -p "$dir/logs" "$dir/pki" "$dir/etcd" "$dir/fake"

# --- the real node's host side: its bridge address is where the API server listens -------------
host_ip=127.0.0.1
if [ "$real_node" = 1 ]; then
  node_claimed=1
  "$here/../node/up.sh" host "$dir" || fail "prepare the real node (tests/node/up.sh host)"
  host_ip="$KSPARK_NODE_HOST_IP"
fi

# --- free ports on loopback --------------------------------------------------------------------
read -r etcd_port peer_port api_port kcm_port sched_port kwok_port ui_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(7)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
for s in socks:
    s.close()') || fail "pick free ports"

# --- PKI: a CA, the apiserver's serving cert, the service-account key pair, static tokens ------
say "generating certificates and tokens"
pki="$dir/pki"
gen_pki() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=kubectl-spark-e2e-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr"
  printf '%s\n' "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
    "subjectAltName=IP:127.0.0.1,DNS:localhost,IP:$host_ip,IP:$KSPARK_KUBERNETES_SERVICE_IP,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" \
    > "$pki/apiserver.ext"
  openssl x509 -req -days 3650 -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt"
  # The API server's client certificate for the kubelets (logs, exec, port-forward): the real
  # node's kubelet authenticates it with this CA and authorizes it with a SubjectAccessReview.
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" \
    -keyout "$pki/apiserver-kubelet-client.key" -out "$pki/apiserver-kubelet-client.csr"
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=clientAuth" > "$pki/apiserver-kubelet-client.ext"
  openssl x509 -req -days 3650 -in "$pki/apiserver-kubelet-client.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -extfile "$pki/apiserver-kubelet-client.ext" -out "$pki/apiserver-kubelet-client.crt"
  openssl genrsa -out "$pki/sa.key" 2048
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
}
gen_pki >"$dir/logs/pki.log" 2>&1 || fail "generate certificates with openssl" pki
admin_token="$(openssl rand -hex 16)"; alice_token="$(openssl rand -hex 16)"; bob_token="$(openssl rand -hex 16)"
cat > "$pki/tokens.csv" <<EOF
$admin_token,admin,admin,"system:masters"
$alice_token,alice,alice
$bob_token,bob,bob
EOF
chmod 600 "$pki"/*.key "$pki/tokens.csv"

api_url="https://$host_ip:$api_port"
ca_data="$(base64 -w0 < "$pki/ca.crt")"
write_kubeconfig() { # write_kubeconfig FILE USER TOKEN CONTEXT=NAMESPACE...
  local file=$1 user=$2 token=$3; shift 3
  {
    printf 'apiVersion: v1\nkind: Config\n'
    printf 'clusters:\n- name: kspark-e2e\n  cluster:\n    server: %s\n    certificate-authority-data: %s\n' "$api_url" "$ca_data"
    printf 'users:\n- name: %s\n  user:\n    token: %s\n' "$user" "$token"
    printf 'contexts:\n'
    local c
    for c in "$@"; do
      printf -- '- name: %s\n  context:\n    cluster: kspark-e2e\n    user: %s\n    namespace: %s\n' "${c%%=*}" "$user" "${c#*=}"
    done
    printf 'current-context: %s\n' "${1%%=*}"
  } > "$file"
  chmod 600 "$file"
}
# The components get their own copy of the admin credentials, so tests may edit admin.kubeconfig.
write_kubeconfig "$dir/system.kubeconfig" admin "$admin_token" system=default
write_kubeconfig "$dir/admin.kubeconfig" admin "$admin_token" admin=default e2e=e2e
write_kubeconfig "$dir/alice.kubeconfig" alice "$alice_token" alice=e2e
write_kubeconfig "$dir/bob.kubeconfig" bob "$bob_token" bob=e2e

# --- fake workload assets: container logs, Spark UI, kwok config -------------------------------
cp "$here/fake/driver.log" "$here/fake/executor.log" "$dir/fake/"
rm -rf "$dir/ui"; cp -r "$here/fake/ui" "$dir/ui"
sed -e "s|@FAKE_DIR@|$dir/fake|g" -e "s|@UI_PORT@|$ui_port|g" "$here/kwok.yaml" > "$dir/kwok.yaml"

# --- processes -----------------------------------------------------------------------------------
: > "$dir/pids"
start() { # start NAME CMD...: runs CMD in its own session (it outlives this script), log in logs/
  # (9<&- : the daemon must not inherit the lock.)
  local name=$1; shift
  setsid "$@" </dev/null >"$dir/logs/$name.log" 2>&1 9<&- &
  started_pids+=("$!")
  printf '%s %s\n' "$name" "$!" >> "$dir/pids"
}
pid_of() { awk -v n="$1" '$1 == n {print $2}' "$dir/pids"; }
wait_for() { # wait_for STEP COMPONENT TIMEOUT CMD...: polls CMD until it succeeds
  local step=$1 comp=$2 timeout=$3; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$comp" ] && ! kill -0 "$(pid_of "$comp")" 2>/dev/null; then
      fail "$step: $comp exited" "$comp"
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail "$step: timed out after ${timeout}s" "$comp"
    sleep 0.2
  done
}
admin_curl() { curl -fsS --max-time 5 --cacert "$pki/ca.crt" -H "Authorization: Bearer $admin_token" "$@"; }
kc() { "$kubectl" --kubeconfig="$dir/admin.kubeconfig" --context=admin "$@"; }

say "starting etcd on 127.0.0.1:$etcd_port"
start etcd "$bin/etcd" --name=e2e --data-dir="$dir/etcd" \
  --listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
  --listen-peer-urls="http://127.0.0.1:$peer_port" --initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
  --initial-cluster="e2e=http://127.0.0.1:$peer_port" --unsafe-no-fsync=true \
  --auto-compaction-retention=1 --quota-backend-bytes=8589934592 --log-level=warn
wait_for "etcd health" etcd 60 curl -fsS --max-time 2 "http://127.0.0.1:$etcd_port/health"

say "starting kube-apiserver v$K8S_VERSION on $api_url"
start kube-apiserver "$bin/kube" kube-apiserver \
  --etcd-servers="http://127.0.0.1:$etcd_port" \
  --bind-address="$host_ip" --advertise-address="$host_ip" --secure-port="$api_port" \
  --endpoint-reconciler-type=none \
  --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
  --client-ca-file="$pki/ca.crt" --token-auth-file="$pki/tokens.csv" \
  --service-account-issuer="$api_url" \
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
  --authorization-mode=Node,RBAC \
  --service-cluster-ip-range="$KSPARK_SERVICE_CIDR" --allow-privileged=true \
  --kubelet-preferred-address-types=InternalIP \
  --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
  --enable-priority-and-fairness=false --max-requests-inflight=0 --max-mutating-requests-inflight=0 \
  --profiling=false
wait_for "kube-apiserver /readyz" kube-apiserver 120 admin_curl "$api_url/readyz"

say "starting kube-controller-manager, kube-scheduler, kwok, fake Spark UI"
# taint-eviction is off so that a node that misses heartbeats on a loaded machine never evicts
# the pods of a running test; node-lifecycle stays on (it lifts the not-ready taint of new nodes).
start kube-controller-manager "$bin/kube" kube-controller-manager \
  --kubeconfig="$dir/system.kubeconfig" --leader-elect=false \
  --bind-address=127.0.0.1 --secure-port="$kcm_port" \
  --root-ca-file="$pki/ca.crt" --service-account-private-key-file="$pki/sa.key" \
  --controllers='*,-taint-eviction-controller,-device-taint-eviction-controller' \
  --node-monitor-grace-period=3m20s --kube-api-qps=500 --kube-api-burst=1000 \
  --profiling=false
start kube-scheduler "$bin/kube" kube-scheduler \
  --kubeconfig="$dir/system.kubeconfig" --leader-elect=false \
  --bind-address=127.0.0.1 --secure-port="$sched_port" \
  --kube-api-qps=500 --kube-api-burst=1000 --profiling=false
start kwok "$bin/kwok" --kubeconfig="$dir/system.kubeconfig" --config="$dir/kwok.yaml" \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-ip=127.0.0.1 --node-port="$kwok_port" --server-address="127.0.0.1:$kwok_port" \
  --node-lease-duration-seconds=40 --cidr=10.244.0.1/16
start fake-spark-ui python3 "$here/fake/ui_server.py" 127.0.0.1 "$ui_port" "$dir/ui"

say "creating $nodes fake node(s), namespace e2e and RBAC"
{
  for i in $(seq 0 $((nodes - 1))); do
    cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
  labels:
    type: kwok
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
status:
  addresses:
  - {type: InternalIP, address: 127.0.0.1}
  - {type: Hostname, address: kwok-node-$i}
  allocatable: &resources
    cpu: "${KSPARK_NODE_CPU:-32}"
    memory: ${KSPARK_NODE_MEMORY:-256Gi}
    pods: "${KSPARK_NODE_PODS:-1000}"
    ephemeral-storage: 1Ti
  capacity: *resources
---
EOF
  done
  printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: e2e\n---\n'
  sed 's/@NAMESPACE@/e2e/g' "$here/rbac.yaml"
} > "$dir/bootstrap.yaml"
kc apply -f "$dir/bootstrap.yaml" >"$dir/logs/bootstrap.log" 2>&1 || fail "create nodes, namespace e2e and RBAC ($kubectl apply)" bootstrap

# Ready: kwok initialised the nodes; schedulable: node-lifecycle lifted the not-ready taint.
nodes_ready() {
  [ "$(kc get nodes -l type=kwok -o go-template='{{range .items}}{{range .status.conditions}}{{if eq .type "Ready"}}{{.status}}{{"\n"}}{{end}}{{end}}{{end}}' | grep -c True)" -eq "$nodes" ]
}
nodes_untainted() { [ -z "$(kc get nodes -l type=kwok -o jsonpath='{.items[*].spec.taints}')" ]; }
wait_for "fake nodes become Ready (kwok)" kwok 60 nodes_ready
wait_for "fake nodes lose the not-ready taint (kube-controller-manager)" kube-controller-manager 60 nodes_untainted
wait_for "serviceaccount e2e/default (kube-controller-manager)" kube-controller-manager 60 kc -n e2e get serviceaccount default
wait_for "kube-controller-manager /healthz" kube-controller-manager 60 curl -fsSk --max-time 2 "https://127.0.0.1:$kcm_port/healthz"
wait_for "kube-scheduler /healthz" kube-scheduler 60 curl -fsSk --max-time 2 "https://127.0.0.1:$sched_port/healthz"
wait_for "fake Spark UI" fake-spark-ui 30 curl -fsS --max-time 2 "http://127.0.0.1:$ui_port/"

if [ "$real_node" = 1 ]; then
  KUBECTL="$kubectl" "$here/../node/up.sh" node "$dir" || fail "start the real node (tests/node/up.sh node)"
fi

# --- env file, written last and atomically: its presence means "up and healthy" -------------
cat > "$dir/env.tmp" <<EOF
# Written by tests/cluster/up.sh; source it in a shell. Removed by tests/cluster/down.sh.
KSPARK_CLUSTER_DIR=$dir
KSPARK_REAL_NODE_ONLY=$real_node_only
KSPARK_K8S_VERSION=$K8S_VERSION
KSPARK_API_URL=$api_url
KSPARK_CA_FILE=$pki/ca.crt
KSPARK_ADMIN_KUBECONFIG=$dir/admin.kubeconfig
KSPARK_ALICE_KUBECONFIG=$dir/alice.kubeconfig
KSPARK_BOB_KUBECONFIG=$dir/bob.kubeconfig
KSPARK_ADMIN_TOKEN=$admin_token
KSPARK_ALICE_TOKEN=$alice_token
KSPARK_BOB_TOKEN=$bob_token
KSPARK_NODES='$(seq -s ' ' -f 'kwok-node-%g' 0 $((nodes - 1)))'
KSPARK_PF_TARGET_PORT=$ui_port
KSPARK_DRIVER_LOG_FILE=$dir/fake/driver.log
KSPARK_EXECUTOR_LOG_FILE=$dir/fake/executor.log
KSPARK_KUBECTL=$kubectl
KSPARK_ETCD_URL=http://127.0.0.1:$etcd_port
KSPARK_KWOK_PORT=$kwok_port
KSPARK_PIDS='$(awk '{printf "%s%s", (NR > 1 ? " " : ""), $2}' "$dir/pids")'
$(awk '{n = toupper($1); gsub("-", "_", n); print "KSPARK_PID_" n "=" $2}' "$dir/pids")
$(if [ "$real_node" = 1 ]; then cat "$dir/node/env"; fi)
EOF
mv "$dir/env.tmp" "$dir/env"
say "cluster up in $((SECONDS - t0))s: $api_url (kubernetes v$K8S_VERSION)"
say "  source $dir/env; kubectl --kubeconfig \$KSPARK_ADMIN_KUBECONFIG get nodes"
