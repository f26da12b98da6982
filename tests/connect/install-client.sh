#!/usr/bin/env bash
# Installs the real Spark Connect client from PyPI (`pyspark-client`, the pure-Python client
# without the JVM parts, Spark 4.0+) into a virtualenv cached outside the repository, for the
# `kubectl spark connect` tests on the real node. Prints the venv's python on stdout.
#
#   tests/connect/install-client.sh [VERSION]     # default 4.0.5 (the real node's image)
#
# Cached in $KSPARK_CACHE/connect-client/<version> (default ~/.cache/kubectl-spark); a second run
# is instant. The client's version should match the server's Spark version.
set -euo pipefail
version="${1:-4.0.5}"
cache="${KSPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark}/connect-client"
venv="$cache/$version"
say() { printf '[connect-client] %s\n' "$*" >&2; }
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import pyspark.sql.connect.session' 2>/dev/null; then
  echo "$venv/bin/python"
  exit 0
fi
t0=$SECONDS
tmp="$cache/.tmp-$version"
rm -rf "$tmp"
mkdir -p "$cache"
python3 -m venv "$tmp" || { say "FAILED: python3 -m venv"; exit 1; }
# pyspark-client is not published for every release (none for 3.5, nor for some 4.0.x
# patches); pyspark[connect] of the same version is the same client with the JVM parts.
package=""
for candidate in "pyspark-client==$version" "pyspark[connect]==$version"; do
  case "$candidate:$version" in pyspark-client*:3.*) continue ;; esac
  say "installing $candidate into $venv (cold: one to a few minutes)"
  if "$tmp/bin/python" -m pip install --quiet --disable-pip-version-check "$candidate" >&2; then
    package="$candidate"
    break
  fi
done
[ -n "$package" ] || { say "FAILED: pip install pyspark-client or pyspark[connect] $version"; exit 1; }
"$tmp/bin/python" -c 'import pyspark.sql.connect.session' \
  || { say "FAILED: the client does not import"; exit 1; }
rm -rf "$venv"
mv "$tmp" "$venv"
# A venv's scripts name its own path: rewrite them for the final place.
grep -rlI --exclude-dir=lib "$tmp" "$venv" 2>/dev/null | xargs -r sed -i "s#$tmp#$venv#g"
say "$package: done in $((SECONDS - t0))s"
echo "$venv/bin/python"
