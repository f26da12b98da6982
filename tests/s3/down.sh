#!/usr/bin/env bash
# Stops the s3proxy started by up.sh in DIR. Idempotent; the data (DIR/data) and the log stay.
#
#   tests/s3/down.sh [DIR]   DIR defaults to $KSPARK_S3_DIR or ~/.cache/kubectl-spark/s3
#
# Stops the recorded pid and any orphan s3proxy of DIR (a java process whose command line names
# DIR/s3proxy.conf), checks that none is left, removes DIR/s3.env and DIR/s3proxy.pid.
set -euo pipefail
dir="${1:-${KSPARK_S3_DIR:-$HOME/.cache/kubectl-spark/s3}}"
say() { printf '[s3 down] %s\n' "$*" >&2; }
fail() { say "FAILED at step: $*"; exit 1; }

if [ ! -d "$dir" ]; then
  say "nothing to stop: $dir does not exist"
  exit 0
fi
dir="$(cd "$dir" && pwd)"
if [ "${KSPARK_S3_LOCK_HELD:-}" != 1 ]; then # up.sh holds the lock when it calls us
  exec 9>"$dir/.lock"
  flock -w 120 9 || fail "lock $dir/.lock (another up/down is running)"
fi

ours() { # prints the pid of every live s3proxy of DIR (pids get reused: check the command line)
  local proc exe
  for proc in /proc/[0-9]*; do
    exe="$(readlink "$proc/exe" 2>/dev/null)" || continue
    [ "${exe##*/}" = java ] || continue
    grep -qaF -- "$dir/s3proxy.conf" "$proc/cmdline" 2>/dev/null && echo "${proc#/proc/}"
  done
  return 0
}

pids="$(ours | tr '\n' ' ')"
if [ -n "${pids// /}" ]; then
  say "stopping s3proxy (pid ${pids% })"
  # shellcheck disable=SC2086
  kill $pids 2>/dev/null || true
  for _ in $(seq 100); do # SIGTERM first: up to 10 s
    left="$(ours | tr '\n' ' ')"
    [ -z "${left// /}" ] && break
    sleep 0.1
  done
  left="$(ours | tr '\n' ' ')"
  if [ -n "${left// /}" ]; then
    say "still running after SIGTERM, sending SIGKILL: $left"
    # shellcheck disable=SC2086
    kill -9 $left 2>/dev/null || true
    sleep 0.5
  fi
  left="$(ours | tr '\n' ' ')"
  [ -z "${left// /}" ] || fail "stop s3proxy (still running: $left)"
else
  say "nothing running in $dir"
fi
rm -f "$dir/s3.env" "$dir/s3proxy.pid"
