#!/usr/bin/env bash
# Starts s3proxy, a real S3 API server, on 127.0.0.1 (a free port) with the filesystem backend:
# every object is a plain file under DIR/data/<bucket>/<key>, easy to assert on.
#
#   tests/s3/up.sh [DIR]     DIR defaults to $KSPARK_S3_DIR or ~/.cache/kubectl-spark/s3
#
# Creates the bucket `spark-deps` and writes DIR/s3.env (source it: KSPARK_S3_ENDPOINT,
# KSPARK_S3_ACCESS_KEY, KSPARK_S3_SECRET_KEY, KSPARK_S3_BUCKET, KSPARK_S3_DATA, ...), the pid in
# DIR/s3proxy.pid, the log in DIR/s3proxy.log. A healthy s3proxy already running in DIR is left
# alone. Stop it with tests/s3/down.sh [DIR] (the data stays).
#
# Environment: LOG_LEVEL (s3proxy's own, default info: startup lines only, no per-request lines),
# KSPARK_S3_HOST (the address to listen on, default 127.0.0.1; the real node's pods reach the
# host at KSPARK_REAL_NODE_IP, so a server for them listens there: both the uploading client and
# the Spark driver in a pod use the same endpoint URL).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:-${KSPARK_S3_DIR:-$HOME/.cache/kubectl-spark/s3}}"
access=e2e-access secret=e2e-secret bucket=spark-deps region=us-east-1
host="${KSPARK_S3_HOST:-127.0.0.1}"
t0=$SECONDS
pid=
say() { printf '[s3 up] %s\n' "$*" >&2; }
fail() { # fail STEP: name the step, show the log, stop what this run started
  say "FAILED at step: $1"
  if [ -f "$dir/s3proxy.log" ]; then
    say "last lines of $dir/s3proxy.log:"
    tail -n 30 "$dir/s3proxy.log" | sed 's/^/    /' >&2
  fi
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    rm -f "$dir/s3proxy.pid" "$dir/s3.env"
  fi
  exit 1
}
trap 'exit 130' INT TERM

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
exec 9>"$dir/.lock"
flock -w 120 9 || fail "lock $dir/.lock (another up/down is running)"

# --- already running? --------------------------------------------------------------------------
answers() { # answers URL: true once s3proxy answers HTTP at all (anonymous requests get a 403)
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1/" 2>/dev/null)" != 000 ]
}
healthy() {
  [ -f "$dir/s3.env" ] && [ -f "$dir/s3proxy.pid" ] || return 1
  grep -qaF -- "$dir/s3proxy.conf" "/proc/$(cat "$dir/s3proxy.pid")/cmdline" 2>/dev/null || return 1
  answers "$(sed -n 's/^KSPARK_S3_ENDPOINT=//p' "$dir/s3.env")"
}
if healthy; then
  say "a healthy s3proxy is already running in $dir (stop it with tests/s3/down.sh)"
  exit 0
fi
if [ -e "$dir/s3proxy.pid" ] || [ -e "$dir/s3.env" ]; then
  say "stale s3proxy state in $dir: cleaning up"
  KSPARK_S3_LOCK_HELD=1 "$here/down.sh" "$dir" || fail "clean up the stale s3proxy in $dir"
fi

install="$("$here/install.sh")" || fail "install s3proxy (tests/s3/install.sh)"
command -v curl >/dev/null || fail "find curl"
port="$(python3 -c 'import socket, sys; s = socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$host")" \
  || fail "pick a free port on $host (KSPARK_S3_HOST must be an address of this machine)"
endpoint="http://$host:$port"
mkdir -p "$dir/data" # the filesystem backend needs its base directory to exist
{
  echo "s3proxy.endpoint=$endpoint"
  echo "s3proxy.authorization=aws-v2-or-v4"
  echo "s3proxy.identity=$access"
  echo "s3proxy.credential=$secret"
  echo "jclouds.provider=filesystem"
  echo "jclouds.filesystem.basedir=$dir/data"
} > "$dir/s3proxy.conf"

say "starting s3proxy on $endpoint (data in $dir/data)"
# Modest JVM: small heap, serial GC, C1 only (starts in ~1 s, light on a 2-core machine).
# The logback status listener keeps logback's own configuration chatter out of the log.
# (9>&- : the daemon must not inherit the lock.)
setsid java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
  -jar "$install/s3proxy.jar" --properties "$dir/s3proxy.conf" \
  </dev/null >"$dir/s3proxy.log" 2>&1 9>&- &
pid=$!
echo "$pid" > "$dir/s3proxy.pid"

deadline=$((SECONDS + 60))
until answers "$endpoint"; do
  kill -0 "$pid" 2>/dev/null || fail "wait for s3proxy to answer: it exited"
  [ "$SECONDS" -lt "$deadline" ] || fail "wait for s3proxy to answer: timed out after 60s"
  sleep 0.1
done

# --- the bucket, created through the S3 API (SigV4), which also proves the credentials work -----
# (curl's --aws-sigv4 sends no x-amz-content-sha256, which s3proxy requires: send it ourselves.)
code="$(curl -sS -o "$dir/.bucket.out" -w '%{http_code}' --max-time 10 -X PUT \
  --aws-sigv4 "aws:amz:$region:s3" --user "$access:$secret" \
  -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$endpoint/$bucket")" || code=000
case "$code" in
  200) ;;
  409) grep -q BucketAlreadyOwnedByYou "$dir/.bucket.out" \
         || fail "create bucket $bucket: HTTP 409 $(cat "$dir/.bucket.out")" ;;
  *) fail "create bucket $bucket: HTTP $code $(cat "$dir/.bucket.out" 2>/dev/null)" ;;
esac
rm -f "$dir/.bucket.out"
[ -d "$dir/data/$bucket" ] || fail "bucket $bucket is not the directory $dir/data/$bucket"

# --- env file, written last and atomically: its presence means "up and healthy" -------------
cat > "$dir/s3.env.tmp" <<EOF
# Written by tests/s3/up.sh; source it in a shell. Removed by tests/s3/down.sh.
KSPARK_S3_ENDPOINT=$endpoint
KSPARK_S3_ACCESS_KEY=$access
KSPARK_S3_SECRET_KEY=$secret
KSPARK_S3_BUCKET=$bucket
KSPARK_S3_DATA=$dir/data
KSPARK_S3_REGION=$region
KSPARK_S3_DIR=$dir
KSPARK_S3_PID=$pid
EOF
mv "$dir/s3.env.tmp" "$dir/s3.env"
say "s3proxy up in $((SECONDS - t0))s: $endpoint, bucket $bucket = $dir/data/$bucket"
