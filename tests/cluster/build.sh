#!/usr/bin/env bash
# Builds the local test cluster's binaries from the Go module proxy, pinned by versions.env,
# and caches them outside the repository, keyed by version. A warm call returns at once.
#
#   tests/cluster/build.sh            build what is missing, print the bin directory
#
# Output: progress on stderr; on stdout, the directory holding kube, etcd and kwok.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
# shellcheck source=k8s-module.sh
. "$here/k8s-module.sh"
cache="${KSPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark}"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"
say() { printf '[cluster build] %s\n' "$*" >&2; }
fail() { printf '[cluster build] FAILED at step: %s\n' "$*" >&2; exit 1; }
command -v go >/dev/null || fail "find the Go toolchain (install Go >= 1.24 and put it on PATH)"

k8s_dir="$cache/bin/k8s-v$K8S_VERSION"
etcd_dir="$cache/bin/etcd-v$ETCD_VERSION"
kwok_dir="$cache/bin/kwok-v$KWOK_VERSION"
out="$cache/bin/set-k8s$K8S_VERSION-etcd$ETCD_VERSION-kwok$KWOK_VERSION"


build_k8s() {
  k8s_scratch_module "$cache/src/k8s-v$K8S_VERSION" kube "$K8S_VERSION" || return 1
  mkdir -p "$k8s_dir.tmp"
  # One multi-call binary (argv[1] picks the component) links once instead of three times.
  cat > main.go <<'GO'
package main

import (
	"fmt"
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	kcm "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kube kube-apiserver|kube-controller-manager|kube-scheduler [flags]")
		os.Exit(2)
	}
	which := os.Args[1]
	os.Args = append([]string{which}, os.Args[2:]...)
	switch which {
	case "kube-apiserver":
		os.Exit(cli.Run(apiserver.NewAPIServerCommand()))
	case "kube-controller-manager":
		os.Exit(cli.Run(kcm.NewControllerManagerCommand()))
	case "kube-scheduler":
		os.Exit(cli.Run(scheduler.NewSchedulerCommand()))
	}
	fmt.Fprintln(os.Stderr, "unknown component", which)
	os.Exit(2)
}
GO
  say "k8s: resolving modules (cold: a few minutes)"
  go get "k8s.io/kubernetes@v$K8S_VERSION" >/dev/null 2>&1 || go get "k8s.io/kubernetes@v$K8S_VERSION" || return 1
  go mod tidy >/dev/null 2>&1 || go mod tidy || return 1
  local ld; ld="$(k8s_ldflags "$K8S_VERSION")"
  say "k8s: compiling kube-apiserver, kube-controller-manager, kube-scheduler (cold: 15-30 min)"
  go build -ldflags "$ld" -o "$k8s_dir.tmp/kube" . || return 1
  rm -rf "$k8s_dir"; mv "$k8s_dir.tmp" "$k8s_dir"
}

build_etcd() {
  local src="$cache/src/etcd-v$ETCD_VERSION"
  rm -rf "$src" "$etcd_dir.tmp"; mkdir -p "$src" "$etcd_dir.tmp"; cd "$src"
  go mod init local/etcd >/dev/null 2>&1
  go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" >/dev/null 2>&1 || go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" || return 1
  go build -ldflags "-s -w" -o "$etcd_dir.tmp/etcd" go.etcd.io/etcd/server/v3 || return 1
  rm -rf "$etcd_dir"; mv "$etcd_dir.tmp" "$etcd_dir"
}

build_kwok() {
  rm -rf "$kwok_dir.tmp"; mkdir -p "$kwok_dir.tmp"
  GOBIN="$kwok_dir.tmp" go install -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION" || return 1
  rm -rf "$kwok_dir"; mv "$kwok_dir.tmp" "$kwok_dir"
}

build_unless_cached "$etcd_dir/etcd" "etcd v$ETCD_VERSION" build_etcd
build_unless_cached "$kwok_dir/kwok" "kwok v$KWOK_VERSION" build_kwok
build_unless_cached "$k8s_dir/kube" "kubernetes v$K8S_VERSION" build_k8s

mkdir -p "$out"
ln -sf "$k8s_dir/kube" "$out/kube"
ln -sf "$etcd_dir/etcd" "$out/etcd"
ln -sf "$kwok_dir/kwok" "$out/kwok"
echo "$out"
