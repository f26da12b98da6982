# Sourced by tests/cluster/build.sh and tests/node/build.sh: a scratch Go module that can build
# programs from k8s.io/kubernetes at a pinned version (the Go module proxy serves it, but its
# go.mod requires the staging modules at the placeholder v0.0.0: each is replaced by its tag).
#
#   k8s_scratch_module DIR NAME VERSION   (re)creates DIR as module local/NAME, ready for
#                                         `go get k8s.io/kubernetes@vVERSION`; cd's into DIR
#   k8s_ldflags VERSION                   the -ldflags that stamp the version into the binaries
#   build_unless_cached FILE WHAT CMD...  runs CMD unless FILE exists, saying so and how many
#                                         seconds it took; a failure is `fail "build WHAT"`
# Needs: say (progress on stderr) and fail (message, exit) defined by the caller.

k8s_scratch_module() {
  local src=$1 name=$2 version=$3
  local staging="v0.${version#1.}"
  rm -rf "$src"; mkdir -p "$src"
  cd "$src" || return 1
  go mod init "local/$name" >/dev/null 2>&1
  say "$name: reading go.mod of k8s.io/kubernetes@v$version"
  local gomod; gomod=$(go mod download -json "k8s.io/kubernetes@v$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
  [ -f "$gomod" ] || return 1
  local m
  for m in $(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$gomod"); do
    go mod edit -replace="$m=$m@$staging"
  done
  if grep -q '^godebug' "$gomod"; then grep '^godebug' "$gomod" >> go.mod; fi
}

k8s_ldflags() {
  local version=$1 minor="${1#1.}"; minor="${minor%%.*}"
  local V=k8s.io/component-base/version C=k8s.io/client-go/pkg/version
  echo "-s -w -X $V.gitVersion=v$version -X $V.gitMajor=1 -X $V.gitMinor=$minor -X $V.gitTreeState=clean -X $C.gitVersion=v$version -X $C.gitMajor=1 -X $C.gitMinor=$minor -X $C.gitTreeState=clean"
}

build_unless_cached() {
  local file=$1 what=$2; shift 2
  [ ! -e "$file" ] || return 0
  say "$what: not cached, building"
  local t0=$SECONDS
  "$@" || fail "build $what"
  say "build $what: done in $((SECONDS - t0))s"
}
