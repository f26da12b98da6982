#!/usr/bin/env bash
# Installs Apache Spark's real spark-submit (from the PyPI pyspark package) for each version in
# versions.env, cached outside the repository. Prints the directory holding one SPARK_HOME per
# version (<dir>/<version>/bin/spark-submit).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
cache="${KSPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark}/oracle"
say() { printf '[oracle] %s\n' "$*" >&2; }
command -v java >/dev/null || { say "FAILED: java not found (Java 17 is needed to run spark-submit)"; exit 1; }
mkdir -p "$cache"
for v in $ORACLE_SPARK_VERSIONS; do
  home="$cache/$v"
  if [ -x "$home/bin/spark-submit" ]; then continue; fi
  say "installing pyspark $v (cold: a few minutes)"
  t0=$SECONDS
  tmp="$cache/.tmp-$v"; rm -rf "$tmp"; mkdir -p "$tmp"
  python3 -m pip install --quiet --no-deps --no-compile --target "$tmp/site" "pyspark==$v" >&2 \
    || { say "FAILED: pip install pyspark==$v"; exit 1; }
  rm -rf "$home"; mv "$tmp/site/pyspark" "$home"; rm -rf "$tmp"
  chmod +x "$home"/bin/* 2>/dev/null || true
  [ -x "$home/bin/spark-submit" ] || { say "FAILED: $home/bin/spark-submit missing"; exit 1; }
  say "pyspark $v: done in $((SECONDS - t0))s"
done
echo "$cache"
