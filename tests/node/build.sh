#!/usr/bin/env bash
# Builds what the real node runs, from the Go module proxy and the Go toolchain, and caches it
# outside the repository, keyed by version (a warm call returns at once):
#   - one multi-call binary `kspark-node` (argv[1] picks kubelet, kube-proxy or cri-cleanup):
#     kubelet and kube-proxy of k8s.io/kubernetes at K8S_VERSION (tests/cluster/versions.env),
#     with exactly Kubernetes' own dependency versions, so that it reuses the Go build cache of
#     tests/cluster/build.sh (CoreDNS's newer gRPC/Prometheus would force a rebuild of it all);
#   - `coredns` at COREDNS_VERSION (versions.env) with only the plugins the cluster needs;
#   - the sandbox image localhost/kubectl-spark/pause:PAUSE_TAG (tools/pause, static Go);
#   - the test image localhost/kubectl-spark/probe:<hash> (tools/probe, static Go), used by
#     tests/node/check.sh.
# The images are docker-archive tarballs made with umoci + skopeo (no daemon, no registry).
#
#   tests/node/build.sh          prints the directory holding kspark-node, pause.tar,
#                                probe.tar and images.env (the image names)
#   tests/node/build.sh images   only the images (no Go module build); prints nothing
#   tests/node/build.sh coredns  only the images and CoreDNS; prints nothing
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cluster="$here/../cluster"
# shellcheck source=../cluster/versions.env
. "$cluster/versions.env"
# shellcheck source=versions.env
. "$here/versions.env"
# shellcheck source=../cluster/k8s-module.sh
. "$cluster/k8s-module.sh"
cache="${KSPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark}"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"
say() { printf '[node build] %s\n' "$*" >&2; }
fail() { printf '[node build] FAILED at step: %s\n' "$*" >&2; exit 1; }
command -v go >/dev/null || fail "find the Go toolchain (install Go >= 1.24 and put it on PATH)"
for t in umoci skopeo; do
  command -v "$t" >/dev/null || fail "find $t (run tests/node/install.sh)"
done

# (keyed also by the Go programs written below: a change to them rebuilds)
main_hash="$(sed -n "/<<'GO'/,/^GO\$/p" "$here/build.sh" | sha256sum | cut -c1-12)"
node_dir="$cache/bin/node-k8s-v$K8S_VERSION-$main_hash"
coredns_dir="$cache/bin/coredns-v$COREDNS_VERSION-$main_hash"
tools_hash="$(cat "$here"/tools/go.mod "$here"/tools/*/*.go | sha256sum | cut -c1-12)"
img_dir="$cache/images/node-tools-$tools_hash-pause$PAUSE_TAG"
out="$cache/bin/node-set-k8s$K8S_VERSION-coredns$COREDNS_VERSION-$main_hash-tools$tools_hash"


build_node() {
  k8s_scratch_module "$cache/src/node-k8s-v$K8S_VERSION" kspark-node "$K8S_VERSION" || return 1
  rm -rf "$node_dir.tmp"; mkdir -p "$node_dir.tmp"
  cat > main.go <<'GO'
// kspark-node: kubelet and kube-proxy in one binary (one link instead of two), and the CRI
// clean-up of tests/node/down.sh.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kspark-node kubelet|kube-proxy [flags] | cri-cleanup ENDPOINT")
		os.Exit(2)
	}
	which := os.Args[1]
	os.Args = append([]string{which}, os.Args[2:]...)
	switch which {
	case "kubelet":
		os.Exit(cli.Run(kubelet.NewKubeletCommand(context.Background())))
	case "kube-proxy":
		os.Exit(cli.Run(proxy.NewProxyCommand()))
	case "cri-cleanup":
		os.Exit(criCleanup(os.Args[1]))
	}
	fmt.Fprintln(os.Stderr, "unknown component", which)
	os.Exit(2)
}

// criCleanup stops and removes every pod sandbox (and so its containers, network namespace and
// IP address) that the container runtime at ENDPOINT still has: the teardown step after the
// kubelet is stopped. Prints what it removed; non-zero exit when one could not be removed.
func criCleanup(endpoint string) int {
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "cri-cleanup:", err)
		return 1
	}
	defer conn.Close()
	rt := runtimeapi.NewRuntimeServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sandboxes, err := rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "cri-cleanup: list pod sandboxes:", err)
		return 1
	}
	code := 0
	for _, s := range sandboxes.Items {
		name := s.Metadata.Namespace + "/" + s.Metadata.Name
		if _, err := rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: s.Id}); err != nil {
			fmt.Fprintln(os.Stderr, "cri-cleanup: stop", name, err)
			code = 1
		}
		if _, err := rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: s.Id}); err != nil {
			fmt.Fprintln(os.Stderr, "cri-cleanup: remove", name, err)
			code = 1
			continue
		}
		fmt.Println("removed pod sandbox", name)
	}
	return code
}
GO
  say "kspark-node: resolving modules"
  go get "k8s.io/kubernetes@v$K8S_VERSION" >/dev/null 2>&1 || go get "k8s.io/kubernetes@v$K8S_VERSION" || return 1
  go mod tidy >/dev/null 2>&1 || go mod tidy || return 1
  say "kspark-node: compiling kubelet, kube-proxy (after tests/cluster/build.sh: ~2 min; cold: 15+ min)"
  go build -ldflags "$(k8s_ldflags "$K8S_VERSION")" -o "$node_dir.tmp/kspark-node" . || return 1
  rm -rf "$node_dir"; mv "$node_dir.tmp" "$node_dir"
}

build_coredns() {
  local src="$cache/src/coredns-v$COREDNS_VERSION"
  rm -rf "$src" "$coredns_dir.tmp"; mkdir -p "$src" "$coredns_dir.tmp"; cd "$src"
  go mod init local/coredns >/dev/null 2>&1
  cat > main.go <<'GO'
// coredns with only the plugins the local cluster's DNS needs (the stock build links dozens of
// cloud providers' SDKs).
package main

import (
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() { coremain.Run() }
GO
  go get "github.com/coredns/coredns@v$COREDNS_VERSION" >/dev/null 2>&1 || go get "github.com/coredns/coredns@v$COREDNS_VERSION" || return 1
  go mod tidy >/dev/null 2>&1 || go mod tidy || return 1
  say "coredns: compiling (cold: ~5 min)"
  go build -ldflags "-s -w" -o "$coredns_dir.tmp/coredns" . || return 1
  rm -rf "$coredns_dir"; mv "$coredns_dir.tmp" "$coredns_dir"
}

# pack_image BIN NAME ENTRYPOINT... : a one-layer image holding the static BIN as /NAME, saved
# as a docker-archive tarball (ctr imports it under its name) in $img_dir.tmp/NAME.tar.
pack_image() {
  local bin=$1 name=$2 ref=$3; shift 3
  local work="$img_dir.tmp/$name" e entry=()
  for e in "$@"; do entry+=("--config.entrypoint=$e"); done
  mkdir -p "$work/rootfs"
  cp "$bin" "$work/rootfs/$name"
  (cd "$work" &&
    umoci init --layout layout &&
    umoci new --image layout:img &&
    umoci insert --image layout:img "rootfs/$name" "/$name" &&
    umoci config --image layout:img --os linux --architecture amd64 "${entry[@]}" &&
    skopeo copy --quiet oci:layout:img "docker-archive:$img_dir.tmp/$name.tar:$ref") || return 1
  rm -rf "$work"
}

build_images() {
  rm -rf "$img_dir.tmp"; mkdir -p "$img_dir.tmp/bin"
  (cd "$here/tools" && go build -ldflags "-s -w" -o "$img_dir.tmp/bin/" ./pause ./probe) || return 1
  pack_image "$img_dir.tmp/bin/pause" pause "localhost/kubectl-spark/pause:$PAUSE_TAG" /pause || return 1
  pack_image "$img_dir.tmp/bin/probe" probe "localhost/kubectl-spark/probe:$tools_hash" /probe || return 1
  rm -rf "$img_dir.tmp/bin"
  cat > "$img_dir.tmp/images.env" <<ENV
KSPARK_PAUSE_IMAGE=localhost/kubectl-spark/pause:$PAUSE_TAG
KSPARK_PROBE_IMAGE=localhost/kubectl-spark/probe:$tools_hash
ENV
  rm -rf "$img_dir"; mv "$img_dir.tmp" "$img_dir"
}

build_unless_cached "$img_dir/images.env" "the pause and probe images" build_images
[ "${1:-}" != images ] || exit 0
build_unless_cached "$coredns_dir/coredns" "coredns v$COREDNS_VERSION" build_coredns
[ "${1:-}" != coredns ] || exit 0
build_unless_cached "$node_dir/kspark-node" "kubelet/kube-proxy v$K8S_VERSION (kspark-node)" build_node

mkdir -p "$out"
ln -sf "$node_dir/kspark-node" "$out/kspark-node"
ln -sf "$coredns_dir/coredns" "$out/coredns"
ln -sf "$img_dir/pause.tar" "$out/pause.tar"
ln -sf "$img_dir/probe.tar" "$out/probe.tar"
ln -sf "$img_dir/images.env" "$out/images.env"
echo "$out"
