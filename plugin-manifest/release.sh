#!/usr/bin/env bash
# Builds the release archive of kubectl-spark for one platform and fills the krew manifest.
#
#   plugin-manifest/release.sh [--target TRIPLE] [--binary PATH] [--out DIR]
#                              [--manifest-only] [--require-all]
#
#   (no options)      cargo build --release --locked for the host, then archive it
#   --target TRIPLE   cross-build for TRIPLE (x86_64-unknown-linux-gnu, aarch64-apple-darwin,
#                     x86_64-pc-windows-msvc, ...); the platform comes from the triple
#   --binary PATH     archive this already-built executable instead of building (the tests
#                     use the debug binary so CI does not pay for an LTO build)
#   --out DIR         where to write (default: dist/ in the repository)
#   --gzip-level N    gzip compression level (default 9; the tests use 1)
#   --manifest-only   do not build or archive: only fill the manifest from DIR/*.sha256
#   --require-all     fail unless every platform of the manifest has an archive checksum
#
# Writes into DIR:
#   kubectl-spark-vX.Y.Z-OS-ARCH.tar.gz         the binary, README.md, LICENSE (when the
#                                               repository has one), completions/, man/
#   kubectl-spark-vX.Y.Z-OS-ARCH.tar.gz.sha256  `sha256sum` format
#   spark.yaml                                  the krew manifest, filled
#
# One machine cannot build (or honestly hash) every platform's archive, so the committed
# plugin-manifest/spark.yaml is a template: each platform's build machine runs this script
# and uploads its archive and .sha256; the publishing step gathers all .sha256 files into one
# DIR and runs `release.sh --manifest-only --require-all --out DIR`. Platforms without a
# checksum are left out of DIR/spark.yaml (with a warning), never given a made-up hash.
#
# Try the result locally: kubectl krew install --manifest=DIR/spark.yaml --archive=DIR/<archive>
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
template="$root/plugin-manifest/spark.yaml"
say() { printf '[release] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

target="" binary="" out="$root/dist" manifest_only=0 require_all=0 gzip_level=9
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="${2:?--target needs a triple}"; shift 2 ;;
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    --gzip-level) gzip_level="${2:?--gzip-level needs 1-9}"; shift 2 ;;
    --manifest-only) manifest_only=1; shift ;;
    --require-all) require_all=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"

version="v$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
[ "$version" != "v" ] || die "cannot read the version from Cargo.toml"

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# --- which platform ------------------------------------------------------------------------
platform_of_triple() { # prints "os arch"
  local os arch
  case "$1" in
    *-linux-*) os=linux ;; *-apple-darwin) os=darwin ;; *-windows-*) os=windows ;;
    *) die "unsupported target $1" ;;
  esac
  case "$1" in
    x86_64-*) arch=amd64 ;; aarch64-*|arm64-*) arch=arm64 ;;
    *) die "unsupported target $1" ;;
  esac
  echo "$os $arch"
}
host_platform() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;; Darwin) os=darwin ;; MINGW*|MSYS*|CYGWIN*) os=windows ;;
    *) die "unsupported OS $(uname -s)" ;;
  esac
  case "$(uname -m)" in
    x86_64|amd64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;;
    *) die "unsupported architecture $(uname -m)" ;;
  esac
  echo "$os $arch"
}

if [ "$manifest_only" -eq 0 ]; then
  if [ -n "$target" ]; then read -r os arch <<<"$(platform_of_triple "$target")"
  else read -r os arch <<<"$(host_platform)"; fi
  [ -n "${arch:-}" ] || exit 1
  exe=kubectl-spark
  [ "$os" = windows ] && exe=kubectl-spark.exe
  name="kubectl-spark-$version-$os-$arch"

  # --- build ----------------------------------------------------------------------------------
  if [ -z "$binary" ]; then
    say "cargo build --release --locked ${target:+--target $target}"
    (cd "$root" && cargo build --release --locked ${target:+--target "$target"})
    target_dir="${CARGO_TARGET_DIR:-$root/target}"
    binary="$target_dir/${target:+$target/}release/$exe"
  fi
  [ -x "$binary" ] || die "no executable at $binary"

  # The committed completions and man pages are what ships; refuse stale ones when the binary
  # can run here (tests/completion.rs and tests/distribution.rs check the same in CI).
  if [ -z "$target" ] && "$binary" completion bash >/dev/null 2>&1; then
    check="$(mktemp -d)"
    trap 'rm -rf "$check"' EXIT
    for shell in bash zsh fish powershell kubectl; do
      "$binary" completion "$shell" >"$check/$shell"
    done
    cmp -s "$check/bash" "$root/completions/kubectl-spark.bash" \
      && cmp -s "$check/zsh" "$root/completions/_kubectl-spark" \
      && cmp -s "$check/fish" "$root/completions/kubectl-spark.fish" \
      && cmp -s "$check/powershell" "$root/completions/_kubectl-spark.ps1" \
      && cmp -s "$check/kubectl" "$root/completions/kubectl_complete-spark" \
      || die "completions/ is out of date: run KSPARK_BLESS=1 cargo test --test completion"
    "$binary" __man "$check/man" >/dev/null
    diff -r -q "$check/man" "$root/man" >/dev/null \
      || die "man/ is out of date: run KSPARK_BLESS=1 cargo test --test distribution"
  fi

  # --- archive --------------------------------------------------------------------------------
  stage="$(mktemp -d)"
  trap 'rm -rf "$stage" "${check:-}"' EXIT
  cp "$binary" "$stage/$exe"
  chmod 0755 "$stage/$exe"
  cp "$root/README.md" "$stage/"
  if [ -f "$root/LICENSE" ]; then
    cp "$root/LICENSE" "$stage/"
  else
    say "warning: no LICENSE file in the repository; krew-index requires one in the archive"
  fi
  cp -R "$root/completions" "$root/man" "$stage/"
  chmod 0755 "$stage/completions/kubectl_complete-spark"
  tar_flags=()
  if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    # Same inputs, same bytes: sorted entries, fixed owner and time.
    tar_flags=(--sort=name --owner=0 --group=0 --numeric-owner --mtime=@0)
  fi
  (cd "$stage" && tar ${tar_flags[@]+"${tar_flags[@]}"} -cf - -- *) | gzip "-$gzip_level" -n >"$out/$name.tar.gz"
  (cd "$out" && printf '%s  %s\n' "$(sha256 "$name.tar.gz")" "$name.tar.gz" >"$name.tar.gz.sha256")
  say "wrote $out/$name.tar.gz ($(wc -c <"$out/$name.tar.gz" | tr -d ' ') bytes)"
  say "sha256 $(cut -d' ' -f1 "$out/$name.tar.gz.sha256")"
fi

# --- manifest -------------------------------------------------------------------------------
manifest="$(sed "s/{{VERSION}}/$version/g" "$template")"
missing=()
for platform in linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64; do
  key="SHA256_$(echo "$platform" | tr 'a-z-' 'A-Z_')"
  sumfile="$out/kubectl-spark-$version-$platform.tar.gz.sha256"
  if [ -f "$sumfile" ]; then
    sum="$(cut -d' ' -f1 "$sumfile")"
    [[ "$sum" =~ ^[0-9a-f]{64}$ ]] || die "$sumfile does not hold a sha256"
    manifest="${manifest//\{\{$key\}\}/$sum}"
  else
    missing+=("$platform")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$require_all" -eq 0 ] || die "no archive checksum for: ${missing[*]} (copy their .sha256 files into $out)"
  say "warning: leaving out platforms without an archive checksum in $out: ${missing[*]}"
fi
[ -f "$root/LICENSE" ] || manifest="$(grep -v 'from: LICENSE' <<<"$manifest")"
# Drop the template's header comment and every platform whose checksum is still unknown.
awk '
  /^#/ && !started { next }
  { started = 1 }
  /^  platforms:/ { print; in_platforms = 1; next }
  in_platforms && /^  - / { flush(); item = $0 "\n"; next }
  in_platforms && /^    / { item = item $0 "\n"; next }
  in_platforms { flush(); in_platforms = 0 }
  { print }
  END { flush() }
  function flush() { if (item != "" && item !~ /\{\{/) printf "%s", item; item = "" }
' <<<"$manifest" >"$out/spark.yaml"
grep -q '{{' "$out/spark.yaml" && die "unfilled placeholders left in $out/spark.yaml"
grep -q '^  - selector:' "$out/spark.yaml" || die "no platform has an archive checksum in $out"
say "wrote $out/spark.yaml ($version)"
