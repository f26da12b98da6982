#!/usr/bin/env bash
# Writes src/conf/spark_keys.txt: every configuration key the oracle's Spark versions know, for
# the "did you mean" warning on misspelt keys (src/conf/keys.rs). Two sources, unioned:
# the keys Spark registers (ConfigEntry.knownConfigs, via spark_keys.py) and the key literals in
# Spark's jars and PySpark's sources (keys read without a registered entry: spark.logConf …).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../../src/conf/spark_keys.txt"
oracle="$("$here/install.sh")"
# shellcheck source=versions.env
. "$here/versions.env"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for v in $ORACLE_SPARK_VERSIONS; do
  home="$oracle/$v"
  "$home/bin/spark-submit" --master 'local[1]' "$here/spark_keys.py" 2>/dev/null | grep '^spark\.' >>"$tmp/keys"
  for j in "$home"/jars/spark-*.jar; do unzip -p "$j" '*.class' | strings -n 8; done \
    | grep -oE '^spark\.[a-zA-Z][a-zA-Z0-9_.-]*[a-zA-Z0-9]$' >>"$tmp/keys" || true
  grep -rhoE "[\"']spark\.[a-zA-Z][a-zA-Z0-9_.-]*[a-zA-Z0-9][\"']" "$home" --include='*.py' \
    | tr -d "\"'" >>"$tmp/keys" || true
done
{
  echo "# Every configuration key Spark $ORACLE_SPARK_VERSIONS know, one per line; written by"
  echo "# tests/oracle/spark_keys.sh (registered entries, and key literals in Spark's jars and PySpark)."
  # Not keys: protobuf modules, test and example keys, bare namespaces.
  grep -vE '_pb2$|SparkConnectService$|^spark\.(some|test)\.|VAR[0-9]$|^spark\.[a-zA-Z]+$' "$tmp/keys" | LC_ALL=C sort -u
  grep -xE 'spark\.(home|jars|files|archives|master|remote|plugins|serializer|speculation|authenticate|logConf|logLineage)' "$tmp/keys" | LC_ALL=C sort -u
} >"$out"
echo "$(grep -vc '^#' "$out") keys in $out" >&2
