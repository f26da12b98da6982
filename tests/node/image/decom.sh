#!/bin/bash
# /opt/decom.sh of kubectl-spark's locally built Spark image: the preStop hook Spark puts on
# executor pods when spark.decommission.enabled=true. Asks the executor JVM to decommission
# (SIGPWR: it migrates its blocks and stops taking tasks) and waits until it has exited, so that
# Kubernetes does not kill it first (the pod's terminationGracePeriodSeconds still bounds this).
set -uo pipefail
echo "decom: asked to decommission at $(date -u +%FT%TZ)"
pid="$(ps -C java -o pid=,args= | awk '/KubernetesExecutorBackend|CoarseGrainedExecutorBackend/ {p=$1} END {print p}')"
if [ -z "$pid" ]; then
  echo "decom: no executor JVM found; nothing to do"
  exit 0
fi
echo "decom: sending SIGPWR to executor pid $pid"
kill -s PWR "$pid" || exit 0
echo "decom: waiting for pid $pid to exit"
tail --pid="$pid" -f /dev/null
echo "decom: done at $(date -u +%FT%TZ)"
