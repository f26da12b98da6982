#!/usr/bin/env bash
# Installs S3A (org.apache.hadoop:hadoop-aws and the AWS SDK it needs) for each oracle Spark of
# versions.env, so that the real spark-submit can upload local files to
# spark.kubernetes.file.upload.path=s3a://... . pyspark ships no hadoop-aws; the version fetched
# is the one of the pyspark's own jars/hadoop-client-api-<ver>.jar. Cached outside the repository.
#
#   tests/oracle/install-s3a.sh      prints the oracle directory (the same as install.sh)
#
# Each <dir>/<spark version>-s3a/ holds the jars. Put them on spark-submit's classpath, leaving
# what spark-submit writes for the driver (spark.properties, the pod) untouched, with
#   SPARK_DIST_CLASSPATH="<dir>/<spark version>-s3a/*" <dir>/<spark version>/bin/spark-submit ...
# (the launcher appends SPARK_DIST_CLASSPATH to the JVM's -cp, after pyspark's own jars).
#
# The AWS SDK (KSPARK_S3A_SDK):
#   modules (default)  Hadoop 3.4+ (SDK v2): the individual SDK modules S3A uses (s3,
#                      s3-transfer-manager, sts, apache-client, netty-nio-client and their
#                      dependencies, ~10 MB) at the version of the bundle hadoop-aws declares.
#                      Hadoop 3.3 (SDK v1) always takes the bundle.
#   bundle             what hadoop-aws declares: com.amazonaws:aws-java-sdk-bundle (3.3.x,
#                      ~280 MB) or software.amazon.awssdk:bundle (3.4.x, ~560 MB).
# Jars pyspark already ships (same artifactId, e.g. netty, httpclient) are left out.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
# shellcheck source=../s3/versions.env
. "$here/../s3/versions.env" # MAVEN_DEPENDENCY_PLUGIN_VERSION
sdk_mode="${KSPARK_S3A_SDK:-modules}"
say() { printf '[oracle s3a] %s\n' "$*" >&2; }
case "$sdk_mode" in modules | bundle) ;; *) say "FAILED: KSPARK_S3A_SDK must be modules or bundle, not $sdk_mode"; exit 1 ;; esac
command -v mvn >/dev/null || { say "FAILED: mvn not found (Maven fetches hadoop-aws)"; exit 1; }
oracle="$("$here/install.sh")" || { say "FAILED: install the oracle (tests/oracle/install.sh)"; exit 1; }

tmp=
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT
mvn_() { # mvn_ LOG ARGS...: quiet Maven on a throwaway local repository (nothing in ~/.m2)
  local log=$1; shift
  mvn -B -q -Dmaven.repo.local="$tmp/m2" "$@" >"$log" 2>&1 || {
    say "FAILED: mvn $*"; tail -n 30 "$log" | sed 's/^/    /' >&2; return 1; }
}
pom() { # pom DEPENDENCY-XML...: a pom with these dependencies
  printf '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>\n'
  printf '<groupId>kspark.e2e</groupId><artifactId>s3a</artifactId><version>0</version><packaging>pom</packaging>\n'
  printf '<dependencies>\n'; printf '%s\n' "$@"; printf '</dependencies></project>\n'
}
dep() { # dep GROUP ARTIFACT VERSION [EXCLUDED-GROUP:ARTIFACT]
  local ex=""
  [ -z "${4:-}" ] || ex="<exclusions><exclusion><groupId>${4%%:*}</groupId><artifactId>${4#*:}</artifactId></exclusion></exclusions>"
  printf '<dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version>%s</dependency>' "$1" "$2" "$3" "$ex"
}
plugin="org.apache.maven.plugins:maven-dependency-plugin:$MAVEN_DEPENDENCY_PLUGIN_VERSION"

for v in $ORACLE_SPARK_VERSIONS; do
  home="$oracle/$v"
  api=("$home"/jars/hadoop-client-api-*.jar)
  [ -f "${api[0]}" ] || { say "FAILED: $home/jars/hadoop-client-api-*.jar not found"; exit 1; }
  hv="${api[0]##*/hadoop-client-api-}"; hv="${hv%.jar}"
  dest="$oracle/$v-s3a"
  # .installed says what is there: sdk=modules, sdk=bundle, or sdk=v1-bundle (either mode).
  case "$(cat "$dest/.installed" 2>/dev/null)" in
    "hadoop-aws=$hv sdk=$sdk_mode" | "hadoop-aws=$hv sdk=v1-bundle") continue ;;
  esac

  t0=$SECONDS
  [ -n "$tmp" ] || { tmp="$(mktemp -d "$oracle/.tmp-s3a.XXXXXX")"; }
  w="$tmp/$v"; rm -rf "$w"; mkdir -p "$w/lib"
  # Which SDK does hadoop-aws declare? (dependency:tree reads poms only, no jars.)
  pom "$(dep org.apache.hadoop hadoop-aws "$hv")" > "$w/pom.xml"
  (cd "$w" && mvn_ "$w/tree.log" "$plugin:tree" -DoutputFile="$w/tree.txt") || exit 1
  sdk="$(grep -m1 -oE '(com\.amazonaws:aws-java-sdk-bundle|software\.amazon\.awssdk:bundle):jar:[^:]+' "$w/tree.txt")" \
    || { say "FAILED: no AWS SDK bundle in the dependency tree of hadoop-aws $hv:"; sed 's/^/    /' "$w/tree.txt" >&2; exit 1; }
  sdk_ga="${sdk%%:jar:*}" sdk_v="${sdk##*:}"
  mode="$sdk_mode"
  [ "$sdk_ga" = software.amazon.awssdk:bundle ] || mode=v1-bundle # no modules route for SDK v1
  if [ "$mode" = modules ]; then
    deps=("$(dep org.apache.hadoop hadoop-aws "$hv" software.amazon.awssdk:bundle)")
    for m in s3 s3-transfer-manager sts apache-client netty-nio-client; do
      mv_="$sdk_v"
      for o in $S3A_SDK_MODULE_OVERRIDES; do # e.g. s3-transfer-manager:2.24.6=2.24.5
        [ "${o%%=*}" = "$m:$sdk_v" ] && mv_="${o#*=}"
      done
      deps+=("$(dep software.amazon.awssdk "$m" "$mv_")")
    done
    pom "${deps[@]}" > "$w/pom.xml"
    what="hadoop-aws $hv + AWS SDK $sdk_v modules"
  else
    what="hadoop-aws $hv + $sdk_ga $sdk_v"
  fi
  say "Spark $v: fetching $what"
  # Leave out what pyspark already ships (same artifactId, any version): its copy comes first on
  # the classpath anyway, and a second netty or httpclient only invites conflicts.
  have="$(ls "$home/jars" | sed -E 's/-[0-9].*//' | sort -u | paste -sd, -)"
  (cd "$w" && mvn_ "$w/copy.log" "$plugin:copy-dependencies" -DincludeScope=runtime \
      -DexcludeArtifactIds="$have" -DoutputDirectory="$w/lib") || exit 1
  ls "$w"/lib/hadoop-aws-*.jar >/dev/null 2>&1 || { say "FAILED: hadoop-aws-$hv.jar was not fetched"; exit 1; }
  echo "hadoop-aws=$hv sdk=$mode" > "$w/lib/.installed"
  rm -rf "$dest"; mv "$w/lib" "$dest"
  say "Spark $v: $(ls "$dest"/*.jar | wc -l) jars, $(du -sh "$dest" | cut -f1) in $((SECONDS - t0))s -> $dest"
done
echo "$oracle"
