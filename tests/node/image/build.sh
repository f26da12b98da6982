#!/usr/bin/env bash
# Builds kubectl-spark's local Spark image to the stock apache/spark image's contract (spec §10)
# from Debian's and PyPI's packages only: no container registry, no Docker.
#
#   tests/node/image/build.sh [SPARK_VERSION]     prints the path of the OCI image archive
#
# SPARK_VERSION defaults to IMAGE_SPARK_VERSION of versions.env and must be one of
# tests/oracle/versions.env (its install-s3a.sh supplies hadoop-aws for it). The archive,
# <cache>/images/spark-<version>.oci.tar, holds one image named
# localhost/kubectl-spark/spark:<version>; import it into containerd with
#   ctr -n k8s.io images import --base-name localhost/kubectl-spark/spark ARCHIVE
# A warm call (archive built from the same recipe) prints the path at once. Cached under
# <cache>/images (<cache> = $KSPARK_CACHE or ~/.cache/kubectl-spark): debs/ (apt's downloads,
# the slow part of a cold build), base-<key>.tar (the Debian layer), src/ (the pyspark sdist).
#
# The image: two layers.
#   1. Debian (debootstrap --variant=minbase from the host's mirror) + IMAGE_DEBIAN_PACKAGES
#      (OpenJDK 17 JRE, python3, tini, procps), user spark (uid/gid 185).
#   2. /opt/spark from the PyPI pyspark source package (bin, sbin, jars, examples, data,
#      python with python/lib/pyspark.zip and py4j), hadoop-aws + AWS SDK in jars/ (s3a://),
#      /opt/entrypoint.sh and /opt/decom.sh (this directory's), /opt/spark/work-dir.
#   ENTRYPOINT /opt/entrypoint.sh, WORKDIR /opt/spark/work-dir, USER 185, SPARK_HOME=/opt/spark.
# Needs root (debootstrap, chroot); installs debootstrap and umoci with apt-get when missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
# shellcheck source=../../oracle/versions.env
. "$repo/tests/oracle/versions.env"
# shellcheck source=../../s3/versions.env
. "$repo/tests/s3/versions.env" # MAVEN_DEPENDENCY_PLUGIN_VERSION
v="${1:-$IMAGE_SPARK_VERSION}"
cache="${KSPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark}/images"
archive="$cache/spark-$v.oci.tar"
say() { printf '[image] %s\n' "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

case " $ORACLE_SPARK_VERSIONS " in
  *" $v "*) ;;
  *) die "Spark $v is not one of tests/oracle/versions.env ($ORACLE_SPARK_VERSIONS); add it there (its install-s3a.sh fetches hadoop-aws for the image)" ;;
esac

# The recipe: everything that decides the image's content. A changed script rebuilds.
recipe="$(cat "$here/build.sh" "$here/versions.env" "$here/entrypoint.sh" "$here/decom.sh" \
  "$repo/tests/oracle/install-s3a.sh" "$repo/tests/oracle/versions.env" | sha256sum | cut -c1-16)"
if [ -f "$archive" ] && [ "$(cat "$archive.recipe" 2>/dev/null)" = "$recipe" ]; then
  echo "$archive"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "run as root (debootstrap and chroot need it)"
mkdir -p "$cache/debs" "$cache/src"
exec 9>"$cache/.spark-build.lock"
flock -w 3600 9 || die "another build.sh holds $cache/.spark-build.lock"
# Built by the build.sh we waited for? Temp dirs of killed builds go (we hold the lock).
if [ -f "$archive" ] && [ "$(cat "$archive.recipe" 2>/dev/null)" = "$recipe" ]; then
  echo "$archive"
  exit 0
fi
rm -rf --one-file-system "$cache"/.tmp-build.*
t_all=$SECONDS
tmp="$(mktemp -d "$cache/.tmp-build.XXXXXX")"
cleanup() {
  # A failed chroot step may leave its mounts: they live in a private mount namespace (unshare).
  rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT

# --- tools -------------------------------------------------------------------------------------
missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v umoci >/dev/null || missing+=(umoci)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} (apt-get)"
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || die "apt-get update"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]}"
fi

# The host's Debian mirror (its apt sources name the only reachable one): URI ending in
# /debian, and the one ending in /debian-security.
host_uri() { # host_uri SUFFIX
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | grep -v '^[[:space:]]*#' | grep -oE '(https?|file)://[^ ]+' | grep -m1 -E "/$1/?\$" || true
}
mirror="$(host_uri debian)"
security="$(host_uri debian-security)"
[ -n "$mirror" ] || die "no Debian mirror (…/debian) in the host's apt sources"

# --- layer 1: Debian + Java + Python -----------------------------------------------------------
base_key="$(printf '%s\n' "$IMAGE_DEBIAN_SUITE" "$IMAGE_DEBIAN_PACKAGES" "$IMAGE_SPARK_UID" \
  "$(sed -n '/^# >>> base/,/^# <<< base/p' "$here/build.sh")" | sha256sum | cut -c1-16)"
base="$cache/base-$base_key.tar"
# >>> base (the lines up to "<<< base" are the base layer's recipe: a change rebuilds it)
if [ ! -f "$base" ]; then
  t0=$SECONDS
  r="$tmp/rootfs"
  say "Debian $IMAGE_DEBIAN_SUITE rootfs from $mirror (cold: a few minutes; debs cached in $cache/debs)"
  debootstrap --variant=minbase --cache-dir="$cache/debs" "$IMAGE_DEBIAN_SUITE" "$r" "$mirror" \
    >"$tmp/debootstrap.log" 2>&1 || { tail -n 30 "$tmp/debootstrap.log" | sed 's/^/    /' >&2; die "debootstrap"; }
  rm -f "$r/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n' "$mirror" \
      "$IMAGE_DEBIAN_SUITE" "$IMAGE_DEBIAN_SUITE"
    printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    [ -z "$security" ] || printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$security" "$IMAGE_DEBIAN_SUITE"
  } >"$r/etc/apt/sources.list.d/debian.sources"
  # No service starts in the chroot; no recommends; no docs/man pages/locales in the image.
  printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"; chmod +x "$r/usr/sbin/policy-rc.d"
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$r/etc/apt/apt.conf.d/90kspark-norecommends"
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/locale/*' 'path-exclude /usr/share/info/*' \
    >"$r/etc/dpkg/dpkg.cfg.d/90kspark-nodoc"
  cp /etc/resolv.conf "$r/etc/resolv.conf"
  cat >"$tmp/in-chroot.sh" <<EOS
set -e
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
apt-get update -qq
apt-get install -y -qq $IMAGE_DEBIAN_PACKAGES
# (no apt-get clean: /var/cache/apt/archives is the bind-mounted cache, kept for the next build)
groupadd --system --gid $IMAGE_SPARK_UID spark
useradd --system --uid $IMAGE_SPARK_UID --gid spark --home-dir /opt/spark --shell /bin/false spark
EOS
  cp "$tmp/in-chroot.sh" "$r/tmp/in-chroot.sh"
  # A private mount namespace: /proc (the JRE's postinst runs java) and the deb cache are
  # mounted for this step only and vanish with it, even when it fails.
  unshare --mount --propagation private --fork bash -c '
    set -e; r=$1 debs=$2
    mount -t proc proc "$r/proc"
    mount --bind "$debs" "$r/var/cache/apt/archives"
    chroot "$r" /bin/bash /tmp/in-chroot.sh' _ "$r" "$cache/debs" >"$tmp/apt.log" 2>&1 \
    || { tail -n 30 "$tmp/apt.log" | sed 's/^/    /' >&2; die "apt-get install $IMAGE_DEBIAN_PACKAGES in the rootfs"; }
  rm -f "$r/tmp/in-chroot.sh" "$r/usr/sbin/policy-rc.d"
  : >"$r/etc/resolv.conf" # the container runtime provides it
  rm -rf "$r"/var/lib/apt/lists/* "$r"/var/log/* "$r"/var/cache/debconf/*-old
  find "$r/dev" -mindepth 1 -delete # the container runtime provides /dev
  tar --numeric-owner --xattrs --sort=name -C "$r" -cf "$tmp/base.tar" . || die "tar of the rootfs"
  mv "$tmp/base.tar" "$base"
  rm -rf --one-file-system "$r"
  say "Debian layer: $(du -h "$base" | cut -f1) in $((SECONDS - t0))s -> $base"
fi
# <<< base

# --- layer 2: Spark ----------------------------------------------------------------------------
t0=$SECONDS
sdist="$cache/src/pyspark-$v.tar.gz"
if [ ! -f "$sdist" ]; then
  say "downloading the pyspark $v source package (PyPI; pip's cache helps)"
  python3 -m pip download --quiet --no-binary :all: --no-deps -d "$tmp/src" "pyspark==$v" >&2 \
    || die "pip download pyspark==$v"
  mv "$tmp/src/pyspark-$v.tar.gz" "$sdist"
fi
s3a="$("$repo/tests/oracle/install-s3a.sh")/$v-s3a"
ls "$s3a"/hadoop-aws-*.jar >/dev/null 2>&1 || die "no hadoop-aws jar in $s3a (tests/oracle/install-s3a.sh)"

st="$tmp/spark"
mkdir -p "$st/opt" "$tmp/sdist"
tar -xzf "$sdist" -C "$tmp/sdist"
src="$tmp/sdist/pyspark-$v"
[ -d "$src/deps/jars" ] || die "$sdist has no deps/jars"
h="$st/opt/spark"
mkdir -p "$h/python/lib" "$h/work-dir" "$h/conf"
for d in bin sbin jars data licenses; do
  [ ! -d "$src/deps/$d" ] || mv "$src/deps/$d" "$h/$d"
done
# The sdist's deps/examples are the Python examples: where a Spark distribution has them.
[ -f "$src/deps/examples/pi.py" ] || die "$sdist has no deps/examples/pi.py"
mkdir -p "$h/examples/src/main"
mv "$src/deps/examples" "$h/examples/src/main/python"
rm -f "$h"/bin/*.cmd
for f in LICENSE NOTICE; do [ ! -f "$src/$f" ] || cp "$src/$f" "$h/"; done
mv "$src/pyspark" "$h/python/pyspark"
cp "$src"/lib/*.zip "$h/python/lib/"
py4j="$(cd "$h/python/lib" && ls py4j-*-src.zip)" || die "$sdist has no lib/py4j-*-src.zip"
[ -f "$h/python/lib/pyspark.zip" ] || die "$sdist has no lib/pyspark.zip"
cp "$s3a"/*.jar "$h/jars/"
# The Spark Connect server: pyspark 4.x ships its jar; for 3.5 it is a separate (shaded) artifact.
if ! ls "$h"/jars/spark-connect_*.jar >/dev/null 2>&1; then
  core=("$h"/jars/spark-core_*-"$v".jar)
  scala="${core[0]##*/spark-core_}"; scala="${scala%%-*}"
  connect="$cache/src/spark-connect_$scala-$v.jar"
  if [ ! -f "$connect" ] && command -v mvn >/dev/null; then
    say "fetching org.apache.spark:spark-connect_$scala:$v (Maven Central)"
    mvn -B -q -Dmaven.repo.local="$tmp/m2" \
      "org.apache.maven.plugins:maven-dependency-plugin:$MAVEN_DEPENDENCY_PLUGIN_VERSION:copy" \
      "-Dartifact=org.apache.spark:spark-connect_$scala:$v" -DoutputDirectory="$tmp/connect" \
      >"$tmp/connect.log" 2>&1 && mv "$tmp/connect/spark-connect_$scala-$v.jar" "$connect" || true
  fi
  if [ -f "$connect" ]; then
    cp "$connect" "$h/jars/"
  else
    say "WARNING: no Spark Connect server in this image: pyspark $v has no spark-connect jar and org.apache.spark:spark-connect_$scala:$v could not be fetched from Maven Central"
    [ ! -f "$tmp/connect.log" ] || grep -m3 ERROR "$tmp/connect.log" | sed 's/^/    /' >&2 || true
  fi
fi
printf 'Spark %s from the PyPI pyspark source package, built by kubectl-spark tests/node/image/build.sh\n' \
  "$v" >"$h/RELEASE"
install -m 0755 "$here/entrypoint.sh" "$st/opt/entrypoint.sh"
install -m 0755 "$here/decom.sh" "$st/opt/decom.sh"
chmod -R a+rX,go-w "$h"
chmod 0755 "$h"/bin/* "$h"/sbin/*
chown -R "$IMAGE_SPARK_UID:$IMAGE_SPARK_UID" "$h"
chmod g+w "$h/work-dir"
tar --numeric-owner --sort=name -C "$st" -cf "$tmp/spark.tar" ./opt/spark ./opt/entrypoint.sh ./opt/decom.sh \
  || die "tar of the Spark layer"
say "Spark layer: $(du -h "$tmp/spark.tar" | cut -f1) in $((SECONDS - t0))s"

# --- the OCI image -----------------------------------------------------------------------------
t0=$SECONDS
L="$tmp/oci" tag="$v"
java_home="$(tar -tf "$base" | sed -n 's|^\.\(/usr/lib/jvm/java-17-openjdk-[a-z0-9]*\)/$|\1|p' | head -n1)"
[ -n "$java_home" ] || die "no /usr/lib/jvm/java-17-openjdk-* in the Debian layer"
umoci init --layout "$L"
umoci new --image "$L:$tag"
umoci raw add-layer --image "$L:$tag" --history.created_by "debootstrap $IMAGE_DEBIAN_SUITE + apt-get install $IMAGE_DEBIAN_PACKAGES" "$base"
umoci raw add-layer --image "$L:$tag" --history.created_by "pyspark $v sdist + hadoop-aws + entrypoint" "$tmp/spark.tar"
umoci config --image "$L:$tag" \
  --author "kubectl-spark tests/node/image/build.sh" \
  --config.user "$IMAGE_SPARK_UID" \
  --config.workingdir /opt/spark/work-dir \
  --config.entrypoint /opt/entrypoint.sh \
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --config.env "JAVA_HOME=$java_home" \
  --config.env SPARK_HOME=/opt/spark \
  --config.env LANG=C.UTF-8 \
  --config.env PYSPARK_PYTHON=python3 \
  --config.env "PYTHONPATH=/opt/spark/python/lib/pyspark.zip:/opt/spark/python/lib/$py4j" \
  --config.label "org.opencontainers.image.version=$v" \
  --config.label "org.opencontainers.image.title=Apache Spark $v (kubectl-spark local build)"
# Name the image for containerd: io.containerd.image.name is taken verbatim by `ctr images
# import` (with or without --base-name); org.opencontainers.image.ref.name stays the tag.
python3 - "$L/index.json" "$IMAGE_NAME:$v" "$(dpkg --print-architecture)" <<'EOP'
import json, sys
path, name, arch = sys.argv[1:4]
idx = json.load(open(path))
for m in idx["manifests"]:
    m.setdefault("annotations", {})["io.containerd.image.name"] = name
    m["platform"] = {"architecture": arch, "os": "linux"}
json.dump(idx, open(path, "w"))
EOP
umoci gc --layout "$L"
tar -C "$L" -cf "$tmp/image.tar" . || die "tar of the OCI layout"
mv "$tmp/image.tar" "$archive"
echo "$recipe" >"$archive.recipe"
say "image $IMAGE_NAME:$v: $(du -h "$archive" | cut -f1) (OCI archive, gzip layers) in $((SECONDS - t0))s; build $((SECONDS - t_all))s"
echo "$archive"
