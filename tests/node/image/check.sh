#!/usr/bin/env bash
# Checks the image that build.sh makes, without a kubelet or containerd: unpacks the OCI archive
# (umoci) and runs commands in its rootfs (chroot in private mount and pid namespaces) as the
# image's user, with the image's env and working dir, the host's network (for the S3 check).
#
#   tests/node/image/check.sh [SPARK_VERSION]     exit 0 when every check passed
#
# Checks: user 185; java 17; `entrypoint.sh spark-submit --version`; the driver and executor
# branches of entrypoint.sh (dry run: the exact command lines, and a clear error for a missing
# env var); decom.sh; a real driver: `entrypoint.sh driver --properties-file ...` computing Pi
# with Spark's Python example (local master); spark-sql; s3a:// read from tests/s3's server
# (hadoop-aws in the image); the Spark Connect server starting. Ends with `N passed, N failed`.
# Environment: KSPARK_IMAGE_CHECK_S3=0 skips the S3 check (it starts tests/s3/up.sh in a temp dir).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
. "$here/versions.env"
v="${1:-$IMAGE_SPARK_VERSION}"
say() { printf '[image check] %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { say "FAILED: run as root (chroot)"; exit 1; }
archive="$("$here/build.sh" "$v")"

tmp="$(mktemp -d /tmp/kspark-image-check.XXXXXX)"
s3dir=
cleanup() {
  [ -z "$s3dir" ] || "$repo/tests/s3/down.sh" "$s3dir" >/dev/null 2>&1 || true
  rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
t0=$SECONDS
mkdir "$tmp/oci"
tar -xf "$archive" -C "$tmp/oci"
umoci unpack --image "$tmp/oci:$v" "$tmp/bundle" >/dev/null
R="$tmp/bundle/rootfs"
# The image's process: user, env, working dir (from the runtime config umoci made of it).
python3 - "$tmp/bundle/config.json" >"$tmp/process.env" <<'EOP'
import json, shlex, sys
p = json.load(open(sys.argv[1]))["process"]
print("IMG_UID=%d IMG_GID=%d IMG_CWD=%s" % (p["user"]["uid"], p["user"]["gid"], shlex.quote(p["cwd"])))
print("IMG_ENV=(%s)" % " ".join(shlex.quote(e) for e in p["env"] if not e.startswith("TERM=")))
print("IMG_ENTRYPOINT=(%s)" % " ".join(shlex.quote(a) for a in p["args"]))
EOP
. "$tmp/process.env"
say "unpacked $archive in $((SECONDS - t0))s: $(du -sh "$R" | cut -f1) rootfs"

# in_image [VAR=VALUE...] -- CMD...: CMD in the image, as its user, env and working dir.
in_image() {
  local extra=()
  while [ "$1" != -- ]; do extra+=("$1"); shift; done
  shift
  unshare --mount --pid --fork --propagation private bash -c '
    set -e; R=$1; shift
    mount -t proc proc "$R/proc"
    mount --rbind /dev "$R/dev"
    mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
    for f in resolv.conf hosts hostname; do # as a container runtime provides them
      cp "/etc/$f" "$R/tmp/.$f"; touch "$R/etc/$f"; mount --bind "$R/tmp/.$f" "$R/etc/$f"
    done
    exec chroot --userspec="$UID_GID" "$R" "$@"' _ "$R" \
    env -i "${IMG_ENV[@]}" "${extra[@]}" /bin/bash -c 'cd "$0" && exec "$@"' "$IMG_CWD" "$@"
}
export UID_GID="$IMG_UID:$IMG_GID"

passed=0 failed=0
ok() { passed=$((passed + 1)); say "ok   $*"; }
ko() { failed=$((failed + 1)); say "FAIL $*"; }
# expect NAME PATTERN FILE: FILE matches the extended regex PATTERN
expect() {
  if grep -qE -- "$2" "$3"; then ok "$1"; else ko "$1: no /$2/ in:"; tail -n 40 "$3" | sed 's/^/    /' >&2; fi
}
# same NAME FILE EXPECTED-FILE: equal files
same() {
  if diff -u "$3" "$2" >"$tmp/diff"; then ok "$1"; else ko "$1:"; sed 's/^/    /' "$tmp/diff" >&2; fi
}

# --- the image's user, tools, layout -----------------------------------------------------------
in_image -- bash -c 'id; java -version 2>&1; command -v python3 tini ps' >"$tmp/id.out" 2>&1 || true
expect "runs as uid 185 (spark)" '^uid=185\(spark\) gid=185\(spark\)' "$tmp/id.out"
expect "java 17" 'openjdk version "17\.' "$tmp/id.out"
expect "python3, tini, ps on PATH" '/usr/bin/ps' "$tmp/id.out"
[ "${IMG_ENTRYPOINT[*]} $IMG_CWD" = "/opt/entrypoint.sh /opt/spark/work-dir" ] \
  && ok "ENTRYPOINT /opt/entrypoint.sh, WORKDIR /opt/spark/work-dir" \
  || ko "entrypoint/workdir: ${IMG_ENTRYPOINT[*]} $IMG_CWD"
in_image -- bash -c 'ls -d /opt/spark/jars/hadoop-aws-*.jar /opt/spark/jars/spark-kubernetes_*.jar /opt/spark/examples/src/main/python/pi.py /opt/spark/python/lib/pyspark.zip /opt/spark/python/lib/py4j-*-src.zip /opt/decom.sh && touch /opt/spark/work-dir/w && python3 -c "import pyspark; print(\"pyspark\", pyspark.__version__)"' >"$tmp/ls.out" 2>&1 || true
expect "Spark layout (kubernetes, hadoop-aws jars, python examples, pyspark.zip, py4j); work-dir writable; import pyspark" "^pyspark $v\$" "$tmp/ls.out"

# --- entrypoint.sh -----------------------------------------------------------------------------
in_image -- /opt/entrypoint.sh /opt/spark/bin/spark-submit --version >"$tmp/version.out" 2>&1 || true
expect "entrypoint.sh passes other commands through: spark-submit --version" "version $v" "$tmp/version.out"

in_image SPARK_DRIVER_BIND_ADDRESS=198.18.0.7 ENTRYPOINT_DRY_RUN=1 -- /opt/entrypoint.sh driver \
  --properties-file /opt/spark/conf/spark.properties --class org.example.Main local:///opt/app.jar 'two words' \
  >"$tmp/driver.out" 2>&1 || true
cat >"$tmp/driver.want" <<'EOF'
/usr/bin/tini
-s
--
/opt/spark/bin/spark-submit
--conf
spark.driver.bindAddress=198.18.0.7
--conf
spark.executorEnv.SPARK_DRIVER_POD_IP=198.18.0.7
--deploy-mode
client
--properties-file
/opt/spark/conf/spark.properties
--class
org.example.Main
local:///opt/app.jar
two\ words
EOF
same "driver: the command line (dry run)" "$tmp/driver.out" "$tmp/driver.want"

rc=0; in_image -- /opt/entrypoint.sh driver --properties-file x >"$tmp/nodrv.out" 2>&1 || rc=$?
[ "$rc" = 64 ] && grep -q 'SPARK_DRIVER_BIND_ADDRESS is not set' "$tmp/nodrv.out" \
  && ok "driver without SPARK_DRIVER_BIND_ADDRESS: exit 64 naming it" \
  || { ko "driver without SPARK_DRIVER_BIND_ADDRESS: rc=$rc"; cat "$tmp/nodrv.out" >&2; }

UID_GID=0:0 in_image SPARK_DRIVER_BIND_ADDRESS=198.18.0.7 ENTRYPOINT_DRY_RUN=1 -- /opt/entrypoint.sh driver \
  >"$tmp/rootdrv.out" 2>&1 || true
expect "driver started as root: drops to spark with setpriv" \
  '^setpriv --reuid=185 --regid=185 --init-groups -- /usr/bin/tini -s -- /opt/spark/bin/spark-submit ' \
  <(paste -sd' ' "$tmp/rootdrv.out")

exec_env=(SPARK_DRIVER_URL=spark://CoarseGrainedScheduler@app-driver-svc.ns.svc:7078
  SPARK_EXECUTOR_ID=3 SPARK_EXECUTOR_CORES=1 SPARK_EXECUTOR_MEMORY=1024m
  SPARK_APPLICATION_ID=spark-0123 SPARK_EXECUTOR_POD_IP=198.18.0.9 SPARK_RESOURCE_PROFILE_ID=0
  SPARK_EXECUTOR_POD_NAME=app-exec-3 SPARK_CONF_DIR=/opt/spark/conf SPARK_CLASSPATH=/opt/extra.jar
  SPARK_JAVA_OPT_0=-Da=0 SPARK_JAVA_OPT_1='-Db=one two' SPARK_JAVA_OPT_2=-Dc=2 SPARK_JAVA_OPT_10=-Dd=10)
in_image "${exec_env[@]}" ENTRYPOINT_DRY_RUN=1 -- /opt/entrypoint.sh executor >"$tmp/exec.out" 2>&1 || true
cat >"$tmp/exec.want" <<'EOF'
/usr/bin/tini
-s
--
JAVA_HOME/bin/java
-Da=0
-Db=one\ two
-Dc=2
-Dd=10
-Xms1024m
-Xmx1024m
-cp
/opt/spark/conf:/opt/extra.jar:/opt/spark/jars/\*:/opt/spark/work-dir
org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend
--driver-url
spark://CoarseGrainedScheduler@app-driver-svc.ns.svc:7078
--executor-id
3
--cores
1
--app-id
spark-0123
--hostname
198.18.0.9
--resourceProfileId
0
--podName
app-exec-3
EOF
java_home="$(printf '%s\n' "${IMG_ENV[@]}" | sed -n 's/^JAVA_HOME=//p')"
sed -i "s|^JAVA_HOME|$java_home|" "$tmp/exec.want"
same "executor: the command line from the driver's env (dry run)" "$tmp/exec.out" "$tmp/exec.want"

rc=0; in_image "${exec_env[@]}" SPARK_DRIVER_URL= -- /opt/entrypoint.sh executor >"$tmp/noexec.out" 2>&1 || rc=$?
[ "$rc" = 64 ] && grep -q 'SPARK_DRIVER_URL is not set' "$tmp/noexec.out" \
  && ok "executor without SPARK_DRIVER_URL: exit 64 naming it" \
  || { ko "executor without SPARK_DRIVER_URL: rc=$rc"; cat "$tmp/noexec.out" >&2; }

in_image -- /opt/decom.sh >"$tmp/decom.out" 2>&1 || true
expect "decom.sh without an executor: says so, exit 0" 'no executor JVM found' "$tmp/decom.out"

# --- real Spark --------------------------------------------------------------------------------
# The driver branch for real: spark-submit in client mode with a properties file (as the
# driver pod's ConfigMap gives it), a local master instead of k8s://, Spark's Python Pi.
t=$SECONDS
in_image SPARK_DRIVER_BIND_ADDRESS=127.0.0.1 -- bash -c '
  mkdir -p /tmp/conf && printf "%s\n" "spark.master=local[2]" "spark.app.name=pi-check" \
    "spark.ui.enabled=false" "spark.submit.deployMode=cluster" >/tmp/conf/spark.properties
  /opt/entrypoint.sh driver --properties-file /tmp/conf/spark.properties \
    /opt/spark/examples/src/main/python/pi.py 10; echo "exit=$?"' >"$tmp/pi.out" 2>&1 || true
expect "driver branch runs Spark's pi.py (local[2]): Pi is roughly 3.1, exit 0 [$((SECONDS - t))s]" \
  '^Pi is roughly 3\.1' "$tmp/pi.out"
expect "driver branch exit code 0" '^exit=0$' "$tmp/pi.out"

t=$SECONDS
in_image -- /opt/spark/bin/spark-sql --master 'local[1]' --conf spark.ui.enabled=false \
  -e 'select 40 + 2 as answer' >"$tmp/sql.out" 2>"$tmp/sql.err" || true
cat "$tmp/sql.err" >>"$tmp/sql.out"
expect "spark-sql -e 'select 40 + 2' [$((SECONDS - t))s]" '^42$' "$tmp/sql.out"

if [ "${KSPARK_IMAGE_CHECK_S3:-1}" != 0 ]; then
  s3dir="$tmp/s3"
  "$repo/tests/s3/up.sh" "$s3dir" >"$tmp/s3up.out" 2>&1 || { cat "$tmp/s3up.out" >&2; }
  if [ -f "$s3dir/s3.env" ]; then
    . "$s3dir/s3.env"
    # Written and read back through S3A (an object written straight into the server's data dir
    # would have no ETag, which S3A's change detection requires).
    t=$SECONDS
    in_image -- /opt/spark/bin/spark-sql --master 'local[1]' --conf spark.ui.enabled=false \
      --conf "spark.hadoop.fs.s3a.endpoint=$KSPARK_S3_ENDPOINT" \
      --conf spark.hadoop.fs.s3a.path.style.access=true \
      --conf spark.hadoop.fs.s3a.connection.ssl.enabled=false \
      --conf "spark.hadoop.fs.s3a.access.key=$KSPARK_S3_ACCESS_KEY" \
      --conf "spark.hadoop.fs.s3a.secret.key=$KSPARK_S3_SECRET_KEY" \
      --conf "spark.hadoop.fs.s3a.endpoint.region=$KSPARK_S3_REGION" \
      -e "insert overwrite directory 's3a://$KSPARK_S3_BUCKET/image-check' using text
          select explode(array('alpha', 'beta', 'gamma'));
          select concat('lines=', count(*)) from text.\`s3a://$KSPARK_S3_BUCKET/image-check\`" \
      >"$tmp/s3.out" 2>"$tmp/s3.err" || true
    cat "$tmp/s3.err" >>"$tmp/s3.out"
    expect "s3a:// write and read with the local S3 server (hadoop-aws in the image) [$((SECONDS - t))s]" \
      '^lines=3$' "$tmp/s3.out"
    cat "$KSPARK_S3_DATA/$KSPARK_S3_BUCKET"/image-check/part-* >"$tmp/s3.data" 2>&1 || true
    expect "the objects are in the S3 server's data dir" '^gamma$' "$tmp/s3.data"
  else
    ko "start the local S3 server (tests/s3/up.sh)"
  fi
fi

# The Spark Connect server (what sbin/start-connect-server.sh runs; the sdist has no such script).
# pyspark 4.x ships its jar; for 3.5 build.sh fetches it from Maven Central when it can.
skipped=0
if ! compgen -G "$R/opt/spark/jars/spark-connect_*.jar" >/dev/null && [ "${v%%.*}" -lt 4 ]; then
  skipped=1
  say "skip Spark Connect server: no spark-connect jar in this Spark $v image (see build.sh's warning)"
else
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
t=$SECONDS
in_image -- bash -c '
  /opt/spark/bin/spark-submit --master "local[1]" --conf spark.ui.enabled=false \
    --conf spark.connect.grpc.binding.address=127.0.0.1 --conf spark.connect.grpc.binding.port='"$port"' \
    --class org.apache.spark.sql.connect.service.SparkConnectServer spark-internal &
  pid=$!
  for _ in $(seq 120); do
    if (exec 3<>/dev/tcp/127.0.0.1/'"$port"') 2>/dev/null; then echo "connect: listening"; break; fi
    kill -0 $pid 2>/dev/null || break
    sleep 1
  done
  kill $pid; wait $pid' >"$tmp/connect.out" 2>&1 || true
expect "Spark Connect server starts and listens [$((SECONDS - t))s]" '^connect: listening$' "$tmp/connect.out"
fi

say "$passed passed, $failed failed, $skipped skipped ($((SECONDS - t0))s)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
