#!/usr/bin/env bash
# Attaches the real node to a local test cluster: containerd + runc + bridge CNI, a kubelet,
# kube-proxy (iptables) and CoreDNS, all host processes of this machine. Called by
# tests/cluster/up.sh when KSPARK_WITH_REAL_NODE=1, in two phases:
#
#   tests/node/up.sh host DIR   before the control plane starts: claims the node (one cluster
#                               per machine), installs and builds what is missing, records the
#                               sysctls and iptables rules it will change, creates the bridge
#                               whose address (KSPARK_NODE_HOST_IP) the API server binds to
#   tests/node/up.sh node DIR   once the API server is ready: starts containerd (imports the
#                               images), the kubelet, kube-proxy and CoreDNS; waits until the
#                               node is Ready; writes DIR/node/env (merged into DIR/env) and
#                               appends the processes to DIR/pids
#
# On failure it names the step, prints the end of the component's log (DIR/logs/*.log) and
# tears down what it made (tests/node/down.sh). Needs root.
#
# Environment: KUBECTL (set by tests/cluster/up.sh), KSPARK_SPARK_IMAGE_ARCHIVE (an OCI or
# docker archive of the Spark image to import; default: what tests/node/image/build.sh prints,
# when that script exists).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=network.env
. "$here/network.env"
phase="${1:?usage: tests/node/up.sh host|node DIR}"
dir="$(cd "${2:?usage: tests/node/up.sh host|node DIR}" && pwd)"
cache="${KSPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark}"
state="$cache/node" # host-wide: who owns the node, what to restore, containerd's image store
node="$dir/node"    # this cluster's node: configs, sockets, kubelet root, pod logs
t0=$SECONDS

say() { printf '[node up] %s\n' "$*" >&2; }
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
  say "tearing down what this run made (logs stay in $dir/logs)"
  KSPARK_NODE_LOCK_HELD=1 "$here/down.sh" "$dir" || true
}
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || fail "start the real node: it needs root (containerd, iptables, cgroups)"
mkdir -p "$state"
exec 8>"$state/.lock"
flock -w 600 8 || fail "lock $state/.lock (another real-node up/down is running)"

# Processes of the real node that belong to cluster directory D (pids get reused: the command
# line must name D).
node_pids() { # node_pids D
  local proc exe
  for proc in /proc/[0-9]*; do
    exe="$(readlink "$proc/exe" 2>/dev/null)" || continue
    case "${exe##*/}" in kspark-node | coredns | containerd | containerd-shim*) ;; *) continue ;; esac
    grep -qaF -- "$1/" "$proc/cmdline" 2>/dev/null && echo "${proc#/proc/}"
  done
  return 0
}

host_phase() {
  # --- one cluster at a time has the node ----------------------------------------------------
  if [ -f "$state/owner" ]; then
    local other; other="$(cat "$state/owner")"
    if [ "$other" != "$dir" ] && [ -n "$(node_pids "$other")" ]; then
      fail "claim the real node: the cluster in $other has it (one cluster per machine: its containerd, kubelet, bridge and iptables rules are host-wide). Stop that cluster first: tests/cluster/down.sh $other"
    fi
    say "cleaning up the real node left behind by $other"
    KSPARK_NODE_LOCK_HELD=1 "$here/down.sh" "$other" || fail "clean up the real node left by $other"
  fi
  if ip link show "$KSPARK_NODE_BRIDGE" >/dev/null 2>&1; then
    fail "claim the real node: interface $KSPARK_NODE_BRIDGE exists but no cluster owns it ($state/owner is missing); remove it (ip link del $KSPARK_NODE_BRIDGE) if nothing else uses it"
  fi
  echo "$dir" > "$state/owner"
  trap on_exit EXIT

  "$here/install.sh" || fail "install the node's packages (tests/node/install.sh)"
  local bin; bin="$("$here/build.sh")" || fail "build kubelet, kube-proxy, CoreDNS and the images (tests/node/build.sh)"
  mkdir -p "$node"
  ln -sfn "$bin" "$node/bin"

  # --- what this node changes on the host, to restore on teardown (kept across a crash) ------
  "$here/hoststate.sh" record || fail "record the host's sysctls and iptables rules"

  # --- the bridge: pods' gateway and the address of the host services pods reach --------------
  ip link add "$KSPARK_NODE_BRIDGE" type bridge || fail "create bridge $KSPARK_NODE_BRIDGE"
  ip addr add "$KSPARK_NODE_HOST_IP/${KSPARK_NODE_POD_SUBNET#*/}" dev "$KSPARK_NODE_BRIDGE" || fail "address $KSPARK_NODE_HOST_IP on $KSPARK_NODE_BRIDGE"
  ip link set "$KSPARK_NODE_BRIDGE" up || fail "bring $KSPARK_NODE_BRIDGE up"
  trap - EXIT
  say "host ready in $((SECONDS - t0))s: bridge $KSPARK_NODE_BRIDGE $KSPARK_NODE_HOST_IP"
}

# --- node phase ---------------------------------------------------------------------------------
free_ports() { # free_ports N: N free TCP ports on loopback
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
for s in socks:
    s.close()' "$1"
}
start() { # start NAME CMD...: runs CMD in its own session, log in DIR/logs/NAME.log
  local name=$1; shift
  setsid "$@" </dev/null >"$dir/logs/$name.log" 2>&1 8>&- 9<&- &
  printf '%s %s\n' "$name" "$!" >> "$node/pids"
}
pid_of() { awk -v n="$1" '$1 == n {print $2}' "$node/pids"; }
wait_for() { # wait_for STEP COMPONENT TIMEOUT CMD...
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

# sign NAME CN [O]: a client certificate from the cluster's CA in $node/pki
sign() {
  local name=$1 cn=$2 o=${3:-} subj
  subj="/CN=$cn"; [ -z "$o" ] || subj="/O=$o$subj"
  openssl req -newkey rsa:2048 -nodes -subj "$subj" -keyout "$node/pki/$name.key" -out "$node/pki/$name.csr" 2>/dev/null &&
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=clientAuth" > "$node/pki/$name.ext" &&
    openssl x509 -req -days 3650 -in "$node/pki/$name.csr" -CA "$dir/pki/ca.crt" -CAkey "$dir/pki/ca.key" \
      -CAcreateserial -extfile "$node/pki/$name.ext" -out "$node/pki/$name.crt" 2>/dev/null &&
    chmod 600 "$node/pki/$name.key"
}
kubeconfig() { # kubeconfig NAME: $node/NAME.kubeconfig with the client cert NAME
  cat > "$node/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kspark-e2e
  cluster: {server: "$api_url", certificate-authority: "$dir/pki/ca.crt"}
users:
- name: $1
  user: {client-certificate: "$node/pki/$1.crt", client-key: "$node/pki/$1.key"}
contexts:
- name: $1
  context: {cluster: kspark-e2e, user: $1}
current-context: $1
EOF
  chmod 600 "$node/$1.kubeconfig"
}

node_phase() {
  [ "$(cat "$state/owner" 2>/dev/null)" = "$dir" ] || fail "start the real node: run 'tests/node/up.sh host $dir' first"
  trap on_exit EXIT
  local bin="$node/bin" kubectl="${KUBECTL:-kubectl}"
  api_url="$(sed -n 's/^ *server: *//p' "$dir/system.kubeconfig" | head -n1)"
  [ -n "$api_url" ] || fail "read the API server's URL from $dir/system.kubeconfig"
  kc() { "$kubectl" --kubeconfig="$dir/system.kubeconfig" "$@"; }
  mkdir -p "$node/pki" "$node/cni" "$node/ipam" "$node/kubelet" "$node/pod-logs" "$node/runc" "$dir/logs"
  : > "$node/pids"

  # --- credentials: the kubelet (Node authorizer), kube-proxy and CoreDNS (RBAC) --------------
  sign kubelet "system:node:$KSPARK_NODE_NAME" system:nodes || fail "sign the kubelet's client certificate"
  sign kube-proxy system:kube-proxy || fail "sign kube-proxy's client certificate"
  sign coredns system:kspark-coredns || fail "sign CoreDNS's client certificate"
  local c; for c in kubelet kube-proxy coredns; do kubeconfig "$c"; done
  kc apply -f "$here/coredns-rbac.yaml" >"$dir/logs/node-bootstrap.log" 2>&1 \
    || fail "grant CoreDNS read access (coredns-rbac.yaml)" node-bootstrap

  read -r kubelet_port healthz_port proxy_health proxy_metrics dns_health dns_ready < <(free_ports 6) \
    || fail "pick free ports"

  # --- containerd: CRI with runc, cgroupfs, its own dirs; images in the cache --------------------
  local sock="$node/containerd.sock"
  cat > "$node/containerd.toml" <<EOF
version = 2
root = "$state/containerd"
state = "$node/containerd"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$KSPARK_PAUSE_IMAGE"
  # Without CAP_SYS_RESOURCE runc cannot lower oom_score_adj: every sandbox would fail.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # pod network namespaces under the state dir, not /var/run/netns
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "$(command -v runc)"
        Root = "$node/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$node/cni"
    max_conf_num = 1
EOF
  cat > "$node/cni/10-kspark.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "kspark",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$KSPARK_NODE_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$node/ipam",
        "ranges": [[{"subnet": "$KSPARK_NODE_POD_SUBNET", "gateway": "$KSPARK_NODE_HOST_IP"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
  say "starting containerd ($(containerd --version | awk '{print $3}'))"
  start containerd containerd --config "$node/containerd.toml"
  ctr_() { ctr --address "$sock" --namespace k8s.io "$@"; }
  wait_for "containerd answers on $sock" containerd 60 ctr_ version

  # --- images: imported once into the cache's content store, then found there -----------------
  import() { # import ARCHIVE NAME
    if ctr_ images ls -q | grep -qxF "$2"; then return 0; fi
    say "importing $2 into containerd (once per cache)"
    local t=$SECONDS
    case "$(tar -tf "$1" 2>/dev/null | head -n 50)" in
      *oci-layout*) ctr_ images import --base-name "${2%:*}" --digests "$1" ;;
      *) ctr_ images import "$1" ;;
    esac >"$dir/logs/image-import.log" 2>&1 || return 1
    ctr_ images ls -q | grep -qxF "$2" || { echo "no image $2 after importing $1" >>"$dir/logs/image-import.log"; return 1; }
    say "imported $2 in $((SECONDS - t))s"
  }
  import "$bin/pause.tar" "$KSPARK_PAUSE_IMAGE" || fail "import $KSPARK_PAUSE_IMAGE" image-import
  import "$bin/probe.tar" "$KSPARK_PROBE_IMAGE" || fail "import $KSPARK_PROBE_IMAGE" image-import
  spark_image=""
  local archive="${KSPARK_SPARK_IMAGE_ARCHIVE:-}"
  if [ -z "$archive" ] && [ -x "$here/image/build.sh" ]; then
    archive="$("$here/image/build.sh")" || fail "build the Spark image (tests/node/image/build.sh)"
  fi
  if [ -n "$archive" ]; then
    spark_image="$(spark_image_name "$archive")" || fail "read the Spark image's name from $archive"
    import "$archive" "$spark_image" || fail "import the Spark image $archive" image-import
  fi

  # --- kubelet ------------------------------------------------------------------------------------
  # Tainted so that the kwok tests never land here (their pods go to the fake nodes); not with
  # KSPARK_REAL_NODE_ONLY=1 (tests/cluster/up.sh: no fake nodes), where pods need no template.
  taints='registerWithTaints:
  - {key: kubectl-spark.io/real-node, value: "true", effect: NoSchedule}'
  [ "${KSPARK_REAL_NODE_ONLY:-0}" = 0 ] || taints='registerWithTaints: []'
  cat > "$node/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: "$KSPARK_NODE_HOST_IP"
port: $kubelet_port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $healthz_port
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$dir/pki/ca.crt"}
authorization: {mode: Webhook}
containerRuntimeEndpoint: "unix://$sock"
cgroupDriver: cgroupfs
# This machine: cgroup v1, no CAP_SYS_RESOURCE (oomScoreAdj/maxOpenFiles fail otherwise), swap.
failCgroupV1: false
failSwapOn: false
oomScoreAdj: 0
maxOpenFiles: 20000
protectKernelDefaults: false
clusterDomain: cluster.local
clusterDNS: ["$KSPARK_NODE_HOST_IP"]
resolvConf: ""
podLogsDir: "$node/pod-logs"
$taints
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
serializeImagePulls: false
nodeStatusUpdateFrequency: 4s
EOF
  say "starting the kubelet (node $KSPARK_NODE_NAME on $KSPARK_NODE_HOST_IP:$kubelet_port)"
  start kubelet "$bin/kspark-node" kubelet --config="$node/kubelet.yaml" \
    --kubeconfig="$node/kubelet.kubeconfig" --root-dir="$node/kubelet" \
    --hostname-override="$KSPARK_NODE_NAME" --node-ip="$KSPARK_NODE_HOST_IP" \
    --node-labels="kubectl-spark.io/node=real" --cert-dir="$node/kubelet/pki"
  node_ready() {
    [ "$(kc get node "$KSPARK_NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
  }
  wait_for "node $KSPARK_NODE_NAME becomes Ready (kubelet)" kubelet 120 node_ready

  # --- kube-proxy: Services (kubernetes.default = $KSPARK_KUBERNETES_SERVICE_IP) route ----------
  cat > "$node/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$node/kube-proxy.kubeconfig"}
hostnameOverride: $KSPARK_NODE_NAME
mode: iptables
clusterCIDR: $KSPARK_CLUSTER_CIDR
healthzBindAddress: 127.0.0.1:$proxy_health
metricsBindAddress: 127.0.0.1:$proxy_metrics
# NodePorts only on the harness's address, never on the machine's outside interface;
# sysctls left alone (conntrack sizes and timeouts, route_localnet).
nodePortAddresses: ["$KSPARK_NODE_HOST_IP/32"]
iptables: {localhostNodePorts: false}
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  # The API server does not manage its own endpoints here (--endpoint-reconciler-type=none: a
  # lease reconciler makes it hang on shutdown when etcd stops first); the EndpointSlice
  # mirroring controller turns these Endpoints into the slice kube-proxy reads.
  local api_port="${api_url##*:}"
  kc apply -f - >>"$dir/logs/node-bootstrap.log" 2>&1 <<EOF || fail "create the kubernetes Service's Endpoints" node-bootstrap
apiVersion: v1
kind: Endpoints
metadata: {name: kubernetes, namespace: default}
subsets:
- addresses: [{ip: "$KSPARK_NODE_HOST_IP"}]
  ports: [{name: https, port: $api_port, protocol: TCP}]
EOF
  start kube-proxy "$bin/kspark-node" kube-proxy --config="$node/kube-proxy.yaml"
  wait_for "kube-proxy /healthz" kube-proxy 60 curl -fsS --max-time 2 "http://127.0.0.1:$proxy_health/healthz"

  # --- CoreDNS on the host address, port 53: the kubelet's clusterDNS -------------------------
  cat > "$node/Corefile" <<EOF
.:53 {
    bind $KSPARK_NODE_HOST_IP
    errors
    health 127.0.0.1:$dns_health
    ready 127.0.0.1:$dns_ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $node/coredns.kubeconfig coredns
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
    loadbalance
}
EOF
  # Ahead of the builds and JVMs that load this machine: a DNS answer that comes late fails
  # a Spark driver's first API call (its resolver gives up on a search domain that times out).
  start coredns nice -n -10 "$bin/coredns" -conf "$node/Corefile"
  wait_for "CoreDNS /ready" coredns 60 curl -fsS --max-time 2 "http://127.0.0.1:$dns_ready/ready"

  # --- env: merged into DIR/env by tests/cluster/up.sh ----------------------------------------
  cat > "$node/env" <<EOF
KSPARK_REAL_NODE=$KSPARK_NODE_NAME
KSPARK_REAL_NODE_IP=$KSPARK_NODE_HOST_IP
KSPARK_REAL_NODE_POD_TEMPLATE=$here/real-node-pod-template.yaml
KSPARK_REAL_NODE_CONTAINERD=unix://$sock
KSPARK_CLUSTER_DNS=$KSPARK_NODE_HOST_IP
KSPARK_PAUSE_IMAGE=$KSPARK_PAUSE_IMAGE
KSPARK_PROBE_IMAGE=$KSPARK_PROBE_IMAGE
KSPARK_SPARK_IMAGE=$spark_image
EOF
  cat "$node/pids" >> "$dir/pids"
  trap - EXIT
  say "real node $KSPARK_NODE_NAME Ready in $((SECONDS - t0))s"
}

# spark_image_name ARCHIVE: the name the Spark image gets in containerd. A docker archive names
# itself (RepoTags); an OCI archive carries only a tag (org.opencontainers.image.ref.name), the
# name is then localhost/kubectl-spark/spark:TAG.
spark_image_name() {
  python3 - "$1" <<'PY'
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    members = {m.name.removeprefix("./"): m for m in t.getmembers()}
    if "manifest.json" in members:
        print(json.load(t.extractfile(members["manifest.json"]))[0]["RepoTags"][0])
    else:
        index = json.load(t.extractfile(members["index.json"]))
        annotations = index["manifests"][0].get("annotations", {})
        ref = annotations.get("org.opencontainers.image.ref.name", "latest")
        print(annotations.get("io.containerd.image.name")
              or (ref if "/" in ref else "localhost/kubectl-spark/spark:" + ref))
PY
}

case "$phase" in
  host) host_phase ;;
  node)
    # shellcheck disable=SC1091
    . "$node/bin/images.env"
    node_phase
    ;;
  *) fail "unknown phase $phase (host or node)" ;;
esac
