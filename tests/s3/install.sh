#!/usr/bin/env bash
# Installs s3proxy (an S3 API server with a plain-files backend) from Maven Central, cached
# outside the repository. Prints the install directory, which holds s3proxy.jar (the
# jar-with-dependencies of the version pinned in versions.env): `java -jar <dir>/s3proxy.jar`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
cache="${KSPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark}"
dest="$cache/s3proxy/$S3PROXY_VERSION"
say() { printf '[s3 install] %s\n' "$*" >&2; }

if [ -s "$dest/s3proxy.jar" ]; then echo "$dest"; exit 0; fi
command -v java >/dev/null || { say "FAILED: java not found (s3proxy needs Java 17)"; exit 1; }
command -v mvn >/dev/null || { say "FAILED: mvn not found (Maven fetches s3proxy)"; exit 1; }
say "fetching org.gaul:s3proxy:$S3PROXY_VERSION (jar-with-dependencies) from Maven Central"
t0=$SECONDS
mkdir -p "$cache"
tmp="$cache/.tmp-s3proxy-$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"; mkdir -p "$tmp"
# A throwaway local repository: nothing lands in ~/.m2, nothing is kept twice.
mvn -B -q -Dmaven.repo.local="$tmp/m2" \
  "org.apache.maven.plugins:maven-dependency-plugin:$MAVEN_DEPENDENCY_PLUGIN_VERSION:copy" \
  -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" \
  -DoutputDirectory="$tmp/out" -Dmdep.stripVersion=true >"$tmp/mvn.log" 2>&1 || {
  say "FAILED: mvn dependency:copy org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies"
  tail -n 30 "$tmp/mvn.log" | sed 's/^/    /' >&2; exit 1; }
jar="$(ls "$tmp"/out/s3proxy*.jar)"
rm -rf "$dest"; mkdir -p "$dest"
mv "$jar" "$dest/s3proxy.jar.tmp" && mv "$dest/s3proxy.jar.tmp" "$dest/s3proxy.jar"
say "s3proxy $S3PROXY_VERSION: $(du -h "$dest/s3proxy.jar" | cut -f1) in $((SECONDS - t0))s"
echo "$dest"
