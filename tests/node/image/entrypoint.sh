#!/bin/bash
# /opt/entrypoint.sh of kubectl-spark's locally built Spark image (tests/node/image/build.sh),
# written by the project to the contract of the stock apache/spark image (spec §10):
#
#   driver ARGS...    spark-submit in client mode inside the driver pod, as Spark's
#                     Kubernetes submitter starts it: args `driver --properties-file
#                     /opt/spark/conf/spark.properties [--class C] APP [APP ARGS]`, env
#                     SPARK_DRIVER_BIND_ADDRESS (the pod IP), SPARK_CONF_DIR, SPARK_LOCAL_DIRS, ...
#   executor          the executor JVM (KubernetesExecutorBackend), as the driver's
#                     ExecutorPodsAllocator starts it: every setting comes from env
#                     (SPARK_DRIVER_URL, SPARK_EXECUTOR_ID/CORES/MEMORY/POD_IP/POD_NAME,
#                     SPARK_APPLICATION_ID, SPARK_RESOURCE_PROFILE_ID, SPARK_JAVA_OPT_<n>,
#                     SPARK_CLASSPATH).
#   anything else     run as given (e.g. `bash`, `/opt/spark/bin/spark-sql -e 'select 1'`).
#
# driver and executor run under `tini -s` (a subreaper that forwards signals: a SIGTERM of the
# pod reaches the JVM), as user spark when started as root. With ENTRYPOINT_DRY_RUN=1 they print
# the command line (one shell-quoted word per line) instead of running it.
set -eo pipefail

die() { printf 'entrypoint: %s\n' "$*" >&2; exit 64; }

need() { # need VAR WHAT...: fail naming VAR when it is unset or empty
  local var=$1; shift
  [ -n "${!var:-}" ] || die "$var is not set: $* (the pod spec must set it)"
}

# An arbitrary uid (OpenShift-style) gets a passwd entry: the JVM and Hadoop ask who they are.
ensure_passwd_entry() {
  local uid gid
  uid="$(id -u)" gid="$(id -g)"
  if ! getent passwd "$uid" >/dev/null && [ -w /etc/passwd ]; then
    printf '%s:x:%s:%s:%s:%s:/bin/false\n' "$uid" "$uid" "$gid" "${SPARK_USER_NAME:-anonymous uid}" \
      "$SPARK_HOME" >>/etc/passwd
  fi
}

# run CMD...: run under tini, dropping root to spark (uid/gid of /opt/spark) if needed.
run() {
  local pre=()
  if [ "$(id -u)" = 0 ]; then
    pre=(setpriv --reuid="$(stat -c %u "$SPARK_HOME")" --regid="$(stat -c %g "$SPARK_HOME")" --init-groups --)
  fi
  local cmd=("${pre[@]}" /usr/bin/tini -s -- "$@")
  if [ "${ENTRYPOINT_DRY_RUN:-}" = 1 ]; then
    printf '%q\n' "${cmd[@]}"
    exit 0
  fi
  ensure_passwd_entry
  exec "${cmd[@]}"
}

: "${SPARK_HOME:=/opt/spark}"
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
fi
# PYSPARK_PYTHON / PYSPARK_DRIVER_PYTHON reach spark-submit and the Python workers when set.
[ -z "${PYSPARK_PYTHON+x}" ] || export PYSPARK_PYTHON
[ -z "${PYSPARK_DRIVER_PYTHON+x}" ] || export PYSPARK_DRIVER_PYTHON

# The executor's classpath, as Spark's own images build it: the conf dir first (log4j2.properties,
# hadoop conf), the user's extra class path, Spark's jars, the working dir (SPARK-43540).
classpath() {
  local cp="${SPARK_CLASSPATH:+$SPARK_CLASSPATH:}$SPARK_HOME/jars/*"
  [ -z "${SPARK_EXTRA_CLASSPATH:-}" ] || cp="$cp:$SPARK_EXTRA_CLASSPATH"
  [ -z "${HADOOP_CONF_DIR:-}" ] || cp="$HADOOP_CONF_DIR:$cp"
  cp="${SPARK_CONF_DIR:-$SPARK_HOME/conf}:$cp"
  cp="$cp:$PWD"
  [ -z "${SPARK_DIST_CLASSPATH:-}" ] || cp="$cp:$SPARK_DIST_CLASSPATH"
  printf '%s' "$cp"
}

case "${1:-}" in
  driver)
    shift
    need SPARK_DRIVER_BIND_ADDRESS "the driver's bind address (fieldRef status.podIP)"
    run "$SPARK_HOME/bin/spark-submit" \
      --conf "spark.driver.bindAddress=$SPARK_DRIVER_BIND_ADDRESS" \
      --conf "spark.executorEnv.SPARK_DRIVER_POD_IP=$SPARK_DRIVER_BIND_ADDRESS" \
      --deploy-mode client "$@"
    ;;
  executor)
    shift
    for v in SPARK_DRIVER_URL SPARK_EXECUTOR_ID SPARK_EXECUTOR_CORES SPARK_EXECUTOR_MEMORY \
      SPARK_APPLICATION_ID SPARK_EXECUTOR_POD_IP SPARK_RESOURCE_PROFILE_ID SPARK_EXECUTOR_POD_NAME; do
      need "$v" "executor pods get it from the Spark driver"
    done
    # SPARK_JAVA_OPT_0, _1, ... in numeric order (10 after 9).
    opts=()
    while read -r v; do
      [ -n "$v" ] && opts+=("${!v}")
    done < <(compgen -v SPARK_JAVA_OPT_ | sort -t_ -k4,4n || true)
    run "$JAVA_HOME/bin/java" "${opts[@]}" \
      -Xms"$SPARK_EXECUTOR_MEMORY" -Xmx"$SPARK_EXECUTOR_MEMORY" \
      -cp "$(classpath)" \
      org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend \
      --driver-url "$SPARK_DRIVER_URL" \
      --executor-id "$SPARK_EXECUTOR_ID" \
      --cores "$SPARK_EXECUTOR_CORES" \
      --app-id "$SPARK_APPLICATION_ID" \
      --hostname "$SPARK_EXECUTOR_POD_IP" \
      --resourceProfileId "$SPARK_RESOURCE_PROFILE_ID" \
      --podName "$SPARK_EXECUTOR_POD_NAME"
    ;;
  "")
    die "no command: give driver, executor or a command to run"
    ;;
  *)
    exec "$@"
    ;;
esac
