//! Conformance suite: Apache Spark's real `spark-submit` (the oracle, installed by
//! `tests/oracle/install.sh`) and `kubectl-spark submit` are run with the same arguments against
//! the local test cluster (`tests/cluster/up.sh`); the objects each one creates (driver Pod and
//! every Service/ConfigMap/Secret/PVC/NetworkPolicy owned by it) are fetched, normalised (random
//! ids, timestamps, server-chosen names replaced by placeholders) and compared field by field.
//!
//! Each case is one test function and runs the Spark versions of `tests/oracle/versions.env` one
//! after the other in its own namespace. On a mismatch the test prints every difference as
//! `<object> <path>: <spark-submit value> | <kubectl-spark value>` and fails.
//!
//! Both tools get identical arguments (`--master k8s://<api> --deploy-mode cluster --conf
//! spark.kubernetes.namespace=<ns> --conf spark.kubernetes.submission.waitAppCompletion=false`
//! then the case's own; kubectl-spark also gets `--no-wait`), the admin kubeconfig through
//! `KUBECONFIG`, the same `SPARK_CONF_DIR`, and no `SPARK_*`/`PYSPARK_*`/`HADOOP_*` variables.
//! Element order of named lists (volumes, env, …) is compared too, see [`ORDER_FREE`].
//!
//! Run: `tests/cluster/up.sh && cargo test --test conformance -- --nocapture`.
//! Without a cluster (or without the oracle) the tests skip, or fail when `CI=true`.
//! `KSPARK_KEEP_NAMESPACES=1` keeps the namespaces for inspection;
//! `KSPARK_CONFORMANCE_DUMP=<dir>` writes both tools' normalised objects there.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

// ------------------------------------------------------------------------------------------------
// The cases
// ------------------------------------------------------------------------------------------------

const SPARK_EXAMPLES_JAR: &str = "local:///opt/spark/examples/jars/spark-examples.jar";
const SPARK_PI: &str = "org.apache.spark.examples.SparkPi";

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn conf(key: &str, value: &str) -> [String; 2] {
    ["--conf".to_string(), format!("{key}={value}")]
}

fn image(version: &str) -> [String; 2] {
    conf(
        "spark.kubernetes.container.image",
        &format!("apache/spark:{version}"),
    )
}

fn is_3_5(version: &str) -> bool {
    version.starts_with("3.")
}

/// (1) SparkPi with defaults — spec §11.
#[test]
fn case01_spark_pi_basic() {
    Case::new("pi").run(|v, _| {
        let mut a = args(&["--name", "spark-pi", "--class", SPARK_PI]);
        a.extend(image(v));
        a.extend(args(&[SPARK_EXAMPLES_JAR, "1000"]));
        a
    });
}

/// (2) Pod and service decoration, scheduling, pull secrets, resources, GPUs.
#[test]
fn case02_decoration_and_resources() {
    Case::new("decor").run(|v, _| {
        let mut a = args(&[
            "--name",
            "decorated",
            "--class",
            SPARK_PI,
            "--driver-memory",
            "2g",
            "--driver-cores",
            "2",
            "--executor-memory",
            "3g",
            "--executor-cores",
            "2",
        ]);
        a.extend(image(v));
        for (k, val) in [
            ("spark.kubernetes.driver.label.team", "data-eng"),
            ("spark.kubernetes.driver.label.tier", "batch"),
            ("spark.kubernetes.executor.label.team", "data-eng"),
            (
                "spark.kubernetes.driver.annotation.example.com/app-id",
                "{{APP_ID}}",
            ),
            (
                "spark.kubernetes.driver.annotation.example.com/exec",
                "x{{EXECUTOR_ID}}y",
            ),
            ("spark.kubernetes.driver.annotation.plain", "some value"),
            (
                "spark.kubernetes.executor.annotation.example.com/app-id",
                "{{APP_ID}}",
            ),
            ("spark.kubernetes.node.selector.disktype", "ssd"),
            ("spark.kubernetes.node.selector.zone", "zone-b"),
            ("spark.kubernetes.driver.node.selector.zone", "zone-a"),
            ("spark.kubernetes.executor.node.selector.pool", "executors"),
            (
                "spark.kubernetes.container.image.pullSecrets",
                "regcred,other-cred",
            ),
            ("spark.kubernetes.container.image.pullPolicy", "Always"),
            ("spark.kubernetes.driver.request.cores", "500m"),
            ("spark.kubernetes.driver.limit.cores", "1500m"),
            ("spark.kubernetes.executor.request.cores", "250m"),
            ("spark.driver.memoryOverheadFactor", "0.2"),
            ("spark.kubernetes.scheduler.name", "common-scheduler"),
            ("spark.kubernetes.driver.scheduler.name", "driver-scheduler"),
            ("spark.kubernetes.driver.service.label.svc-team", "data-eng"),
            (
                "spark.kubernetes.driver.service.annotation.example.com/svc-note",
                "{{APP_ID}}",
            ),
            ("spark.driver.resource.gpu.amount", "1"),
            ("spark.driver.resource.gpu.vendor", "nvidia.com"),
            (
                "spark.driver.resource.gpu.discoveryScript",
                "/opt/getGpus.sh",
            ),
            ("spark.driver.port", "7100"),
            ("spark.blockManager.port", "7200"),
            ("spark.ui.port", "4050"),
        ] {
            a.extend(conf(k, val));
        }
        if !is_3_5(v) {
            // Label values cannot hold `{{`, so only where Spark substitutes it (4.0+).
            a.extend(conf("spark.kubernetes.driver.label.app-id", "{{APP_ID}}"));
        }
        a.extend(args(&[SPARK_EXAMPLES_JAR, "10"]));
        a
    });
}

/// (3) Secrets mounted as files, env from secret keys, driver env.
#[test]
fn case03_secrets() {
    Case::new("secrets").run(|v, _| {
        let mut a = args(&["--name", "secrets", "--class", SPARK_PI]);
        a.extend(image(v));
        for (k, val) in [
            (
                "spark.kubernetes.driver.secrets.app-secret",
                "/etc/secrets/app",
            ),
            // One driver secret only: with 2 to 4, Spark's order follows the ConcurrentHashMap of
            // the whole conf (not emulated; we sort by name). 5 or more: case03b.
            ("spark.kubernetes.executor.secrets.tls-certs", "/etc/tls"),
            (
                "spark.kubernetes.executor.secrets.app-secret",
                "/etc/secrets/app",
            ),
            (
                "spark.kubernetes.driver.secretKeyRef.DB_PASSWORD",
                "db-credentials:password",
            ),
            // One driver secretKeyRef only: with 2 to 4, Spark's env order follows the
            // ConcurrentHashMap of the whole conf (not emulated; we sort by name). 5+: case03b.
            (
                "spark.kubernetes.executor.secretKeyRef.DB_PASSWORD",
                "db-credentials:password",
            ),
            ("spark.kubernetes.driverEnv.FOO", "bar"),
            ("spark.kubernetes.driverEnv.WITH_SPACES", "a b  c"),
            ("spark.executorEnv.EXEC_ONLY", "1"),
        ] {
            a.extend(conf(k, val));
        }
        a.extend(args(&[SPARK_EXAMPLES_JAR]));
        a
    });
}

/// (4) User volumes of every type, an on-demand PVC and a user-provided local dir.
#[test]
fn case04_volumes() {
    Case::new("volumes").run(|v, _| {
        let mut a = args(&["--name", "volumes", "--class", SPARK_PI]);
        a.extend(image(v));
        let d = "spark.kubernetes.driver.volumes";
        let mut c: Vec<(String, &str)> = vec![
            (format!("{d}.hostPath.host-data.mount.path"), "/host-data"),
            (format!("{d}.hostPath.host-data.mount.readOnly"), "true"),
            (format!("{d}.hostPath.host-data.options.path"), "/mnt/data"),
            (format!("{d}.emptyDir.scratch.mount.path"), "/scratch"),
            (format!("{d}.emptyDir.scratch.options.medium"), "Memory"),
            (format!("{d}.emptyDir.scratch.options.sizeLimit"), "1Gi"),
            (format!("{d}.nfs.shared-nfs.mount.path"), "/nfs"),
            (format!("{d}.nfs.shared-nfs.mount.subPath"), "team-a"),
            (format!("{d}.nfs.shared-nfs.mount.readOnly"), "false"),
            (format!("{d}.nfs.shared-nfs.options.server"), "nfs.example.com"),
            (format!("{d}.nfs.shared-nfs.options.path"), "/exports/spark"),
            (format!("{d}.persistentVolumeClaim.existing.mount.path"), "/data"),
            (format!("{d}.persistentVolumeClaim.existing.mount.readOnly"), "true"),
            (format!("{d}.persistentVolumeClaim.existing.options.claimName"), "my-claim"),
            (format!("{d}.persistentVolumeClaim.ondemand.mount.path"), "/ondemand"),
            (format!("{d}.persistentVolumeClaim.ondemand.options.claimName"), "OnDemand"),
            (format!("{d}.persistentVolumeClaim.ondemand.options.storageClass"), "fast"),
            (format!("{d}.persistentVolumeClaim.ondemand.options.sizeLimit"), "5Gi"),
            (format!("{d}.emptyDir.spark-local-dir-1.mount.path"), "/tmp/spark-local"),
            (
                "spark.kubernetes.executor.volumes.persistentVolumeClaim.exec-data.options.claimName"
                    .to_string(),
                "OnDemand",
            ),
            (
                "spark.kubernetes.executor.volumes.persistentVolumeClaim.exec-data.mount.path"
                    .to_string(),
                "/exec-data",
            ),
        ];
        if !is_3_5(v) {
            c.extend([
                (format!("{d}.hostPath.host-data.options.type"), "Directory"),
                (format!("{d}.persistentVolumeClaim.ondemand.label.team"), "data-eng"),
                (format!("{d}.persistentVolumeClaim.ondemand.annotation.example.com/note"), "x"),
                (format!("{d}.emptyDir.scratch.mount.subPathExpr"), "$(POD_NAME)"),
            ]);
        }
        for (k, val) in &c {
            a.extend(conf(k, val));
        }
        a.extend(args(&[SPARK_EXAMPLES_JAR]));
        a
    });
}

/// (3b) Many mounted secrets and secretKeyRef env vars: from 5 entries Spark's order is its
/// Scala hash order (emulated by src/submit/steps/scala_order.rs), and volumes and mounts of
/// the secrets come in different orders.
#[test]
fn case03b_many_secrets() {
    Case::new("secrets5").run(|v, _| {
        let mut a = args(&["--name", "many-secrets", "--class", SPARK_PI]);
        a.extend(image(v));
        for name in [
            "db-creds",
            "aws",
            "gcp-key",
            "tls",
            "ldap",
            "kafka",
            "s3-ro",
            "api-token",
        ] {
            a.extend(conf(
                &format!("spark.kubernetes.driver.secrets.{name}"),
                &format!("/etc/secrets/{name}"),
            ));
        }
        for env in [
            "DB_PASS",
            "AWS_KEY",
            "AWS_SECRET",
            "API_TOKEN",
            "LDAP_PW",
            "KAFKA_PW",
            "SSH_KEY",
        ] {
            a.extend(conf(
                &format!("spark.kubernetes.driver.secretKeyRef.{env}"),
                &format!("{}:value", env.to_lowercase().replace('_', "-")),
            ));
        }
        a.extend(args(&[SPARK_EXAMPLES_JAR]));
        a
    });
}

/// (4b) Twelve user volumes of mixed types with several on-demand claims: Spark's volume order
/// and claim indices (`<prefix>-driver-pvc-<i>`) come from Scala hash sets of the
/// `(type, name)` pairs and of the parsed volume specs.
#[test]
fn case04b_many_volumes() {
    Case::new("volumes12").run(|v, _| {
        let mut a = args(&["--name", "many-volumes", "--class", SPARK_PI]);
        a.extend(image(v));
        let d = "spark.kubernetes.driver.volumes";
        let names = [
            "data", "scratch", "cache", "logs", "models", "tmp", "shared", "cfg", "ckpt", "spill",
            "work", "home",
        ];
        let mut c: Vec<(String, String)> = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let kind = ["hostPath", "emptyDir", "nfs", "persistentVolumeClaim"][i % 4];
            let mut set =
                |k: &str, val: &str| c.push((format!("{d}.{kind}.{name}.{k}"), val.to_string()));
            set("mount.path", &format!("/mnt/{name}"));
            if i % 3 == 0 {
                set("mount.readOnly", "true");
            }
            match kind {
                "hostPath" => set("options.path", &format!("/host/{name}")),
                "emptyDir" => set("options.medium", "Memory"),
                "nfs" => {
                    set("options.path", "/exports");
                    set("options.server", "nfs.example.com");
                }
                _ => {
                    set("options.claimName", "OnDemand");
                    set("options.storageClass", "standard");
                    set("options.sizeLimit", "1Gi");
                }
            }
        }
        for (k, val) in &c {
            a.extend(conf(k, val));
        }
        a.extend(args(&[SPARK_EXAMPLES_JAR]));
        a
    });
}

/// (5) Driver and executor pod templates from local files.
#[test]
fn case05_pod_templates() {
    Case::new("templates").run(|v, ctx| {
        let mut a = args(&["--name", "templates", "--class", SPARK_PI]);
        a.extend(image(v));
        let driver = ctx.fixture("driver-template.yaml");
        let executor = ctx.fixture("executor-template.yaml");
        a.extend(conf("spark.kubernetes.driver.podTemplateFile", &driver));
        a.extend(conf(
            "spark.kubernetes.driver.podTemplateContainerName",
            "spark-main",
        ));
        a.extend(conf("spark.kubernetes.executor.podTemplateFile", &executor));
        a.extend(conf(
            "spark.kubernetes.executor.podTemplateContainerName",
            "executor",
        ));
        a.extend(conf("spark.kubernetes.driver.label.from-conf", "yes"));
        a.extend(args(&[SPARK_EXAMPLES_JAR, "5"]));
        a
    });
}

/// (6a) Driver service account (no shipped credentials, so it is applied to the pod).
#[test]
fn case06a_service_account() {
    Case::new("sa")
        .setup(&["create", "serviceaccount", "spark"])
        .run(|v, _| {
            let mut a = args(&["--name", "sa-app", "--class", SPARK_PI]);
            a.extend(image(v));
            a.extend(conf(
                "spark.kubernetes.authenticate.driver.serviceAccountName",
                "spark",
            ));
            a.extend(conf(
                "spark.kubernetes.authenticate.executor.serviceAccountName",
                "spark",
            ));
            a.extend(args(&[SPARK_EXAMPLES_JAR]));
            a
        });
}

/// (6b) Driver credentials shipped in a Secret (the service account is then not applied).
#[test]
fn case06b_driver_credentials() {
    Case::new("creds")
        .setup(&["create", "serviceaccount", "spark"])
        .run(|v, ctx| {
            let mut a = args(&["--name", "creds-app", "--class", SPARK_PI]);
            a.extend(image(v));
            a.extend(conf(
                "spark.kubernetes.authenticate.driver.serviceAccountName",
                "spark",
            ));
            a.extend(conf(
                "spark.kubernetes.authenticate.driver.caCertFile",
                &ctx.fixture("ca.crt"),
            ));
            a.extend(conf(
                "spark.kubernetes.authenticate.driver.oauthToken",
                "not-a-real-token",
            ));
            a.extend(args(&[SPARK_EXAMPLES_JAR]));
            a
        });
}

/// (7) Python primary resource (local://) with remote --py-files.
#[test]
fn case07_python() {
    Case::new("python").run(|v, _| {
        let mut a = args(&[
            "--name",
            "py-pi",
            "--py-files",
            "https://example.com/deps/helpers.zip,https://example.com/deps/util.py",
        ]);
        a.extend(image(v));
        a.extend(conf("spark.pyspark.python", "/usr/bin/python3"));
        a.extend(args(&[
            "local:///opt/spark/examples/src/main/python/pi.py",
            "20",
        ]));
        a
    });
}

/// (8) Files of the submitter's SPARK_CONF_DIR (spark-defaults.conf, log4j2.properties,
/// spark-env.sh, …).
#[test]
fn case08_conf_dir() {
    let dir = fixtures_dir().join("confdir");
    Case::new("confdir").conf_dir(dir).run(|v, _| {
        let mut a = args(&["--name", "conf-dir", "--class", SPARK_PI]);
        a.extend(image(v));
        a.extend(args(&[SPARK_EXAMPLES_JAR]));
        a
    });
}

/// (9) Driver Java options, remote jars/files/archives, proxy user, odd app name, app args
/// that look like options.
#[test]
fn case09_remote_resources_and_args() {
    Case::new("remote").run(|v, _| {
        let mut a = args(&[
            "--name",
            "My Remote_App.v2!",
            "--class",
            SPARK_PI,
            "--driver-java-options",
            "-Dconformance.a=1 -XX:+UseG1GC -Dspaced=\"x y\"",
            "--jars",
            "https://repo.example.com/libs/a.jar,local:///opt/extra/b.jar",
            "--files",
            "https://example.com/conf/app.conf,http://example.com/data/lookup.csv",
            "--archives",
            "https://example.com/envs/pyenv.tar.gz#environment,ftp://example.com/b.zip",
            "--proxy-user",
            "bob",
            "--num-executors",
            "4",
            "--driver-class-path",
            "/opt/extra/lib/*",
        ]);
        a.extend(image(v));
        // Remote schemes only: spark-submit expands globs of other schemes (s3a, hdfs, …)
        // through Hadoop FS on the submitting machine, which needs their clients and servers.
        a.extend(args(&[
            SPARK_EXAMPLES_JAR,
            "--input",
            "-x",
            "--mode=fast",
            "-",
            "last arg",
        ]));
        a
    });
}

/// (9b) `--proxy-user` with the submitter's own `SPARK_USER` exported: before 4.3 the
/// driver's `SPARK_USER` is the exported one (`Utils.getCurrentUserName()` reads the variable
/// first), from 4.3.0 the proxy user (SPARK-58926); chosen by the full version.
#[test]
fn case09b_proxy_user_with_spark_user_exported() {
    Case::new("proxyuser")
        .env("SPARK_USER", "alice")
        .run(|v, _| {
            let mut a = args(&[
                "--name",
                "proxy-user",
                "--class",
                SPARK_PI,
                "--proxy-user",
                "bob",
            ]);
            a.extend(image(v));
            a.extend(args(&[SPARK_EXAMPLES_JAR]));
            a
        });
}

/// (10) Local dependencies uploaded to S3 (`spark.kubernetes.file.upload.path=s3a://…` on a
/// real S3 server): jars (with a remote one after), files, an archive with a fragment, py-files
/// and a local Python primary file. Objects, `spark.properties` and the bucket are compared.
#[test]
fn case10_uploads() {
    Case::new("uploads").with_s3().run(|v, ctx| {
        let mut a = args(&["--name", "py-deps"]);
        a.extend(image(v));
        a.extend(args(&[
            "--jars",
            &format!(
                "{},local:///opt/extra/b.jar",
                ctx.fixture("uploads/lib.jar")
            ),
            "--files",
            &format!("file://{}", ctx.fixture("uploads/data.csv")),
            "--archives",
            &format!("{}#env", ctx.fixture("uploads/env.zip")),
            "--py-files",
            &ctx.fixture("uploads/helpers.py"),
            &ctx.fixture("uploads/job.py"),
            "2026-11-24",
        ]));
        a
    });
}

/// (11) A Kubeflow `sparkoperator.k8s.io/v1beta2` SparkApplication with every field that maps to
/// spark-submit arguments: kubectl-spark reads the manifest (`submit -f`), spark-submit gets the
/// arguments the operator's `buildSparkSubmitArgs` builds for it (without its bookkeeping
/// labels, which kubectl-spark leaves out on purpose). Not here: `driver.podName` (both tools
/// would create the same pod in one namespace) and `deps.packages` (spark-submit 3.5 resolves
/// them with Ivy from Maven Central); unit tests cover both.
#[test]
fn case11_kubeflow_manifest() {
    Case::new("kubeflow")
        .setup(&["create", "serviceaccount", "spark"])
        .setup(&["create", "serviceaccount", "spark-exec"])
        .with_manifest(|v, ns| {
            format!(
                r#"apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata:
  name: kf-pi
  namespace: {ns}
  labels: {{team: data-eng}}
spec:
  type: Scala
  mode: cluster
  sparkVersion: "{v}"
  image: apache/spark:{v}
  imagePullPolicy: IfNotPresent
  imagePullSecrets: [regcred, other-cred]
  mainClass: {SPARK_PI}
  mainApplicationFile: {SPARK_EXAMPLES_JAR}
  arguments: ["100", "--flag", "last arg"]
  proxyUser: alice
  memoryOverheadFactor: "0.2"
  sparkConf:
    spark.eventLog.enabled: "false"
    spark.sql.shuffle.partitions: "7"
  hadoopConf:
    fs.s3a.endpoint: http://minio.example.com:9000
  nodeSelector: {{disktype: ssd}}
  deps:
    jars: [local:///opt/extra/a.jar, https://repo.example.com/libs/b.jar]
    files: [https://example.com/conf/app.conf]
    archives: ["https://example.com/envs/env.tar.gz#environment"]
  volumes:
    - name: spark-local-dir-1
      emptyDir: {{sizeLimit: 1Gi}}
  dynamicAllocation: {{enabled: true, initialExecutors: 1, minExecutors: 1, maxExecutors: 3}}
  driver:
    cores: 1
    coreRequest: 500m
    coreLimit: 1200m
    memory: 1g
    memoryOverhead: 512m
    serviceAccount: spark
    javaOptions: -Dconformance=kubeflow
    labels: {{tier: batch}}
    annotations: {{example.com/owner: data}}
    serviceLabels: {{svc-team: data}}
    serviceAnnotations: {{example.com/svc: "1"}}
    envVars: {{MODE: batch}}
    envSecretKeyRefs:
      DB_PASSWORD: {{name: db, key: password}}
    secrets:
      - {{name: gcp-key, path: /mnt/gcp, secretType: GCPServiceAccount}}
    volumeMounts:
      - {{name: spark-local-dir-1, mountPath: /tmp/spark-local}}
  executor:
    instances: 2
    cores: 1
    coreRequest: 250m
    coreLimit: "1"
    memory: 1g
    memoryOverhead: 384m
    serviceAccount: spark-exec
    javaOptions: -Dexec=1
    deleteOnTermination: false
    labels: {{tier: batch-exec}}
    annotations: {{example.com/exec: "1"}}
    envVars: {{MODE: batch}}
    envSecretKeyRefs:
      DB_PASSWORD: {{name: db, key: password}}
    secrets:
      - {{name: tok, path: /mnt/tok, secretType: HadoopDelegationToken}}
    volumeMounts:
      - {{name: spark-local-dir-1, mountPath: /tmp/spark-local}}
"#
            )
        })
        .run(|v, _| {
            // submission.go's option functions, in order.
            let mut a = args(&["--class", SPARK_PI, "--name", "kf-pi"]);
            a.extend(args(&[
                "--jars",
                "local:///opt/extra/a.jar,https://repo.example.com/libs/b.jar",
                "--files",
                "https://example.com/conf/app.conf",
                "--archives",
                "https://example.com/envs/env.tar.gz#environment",
            ]));
            let image = format!("apache/spark:{v}");
            for (k, val) in [
                ("spark.kubernetes.container.image", image.as_str()),
                ("spark.kubernetes.container.image.pullPolicy", "IfNotPresent"),
                (
                    "spark.kubernetes.container.image.pullSecrets",
                    "regcred,other-cred",
                ),
                ("spark.kubernetes.memoryOverheadFactor", "0.2"),
                ("spark.eventLog.enabled", "false"),
                ("spark.sql.shuffle.partitions", "7"),
                (
                    "spark.hadoop.fs.s3a.endpoint",
                    "http://minio.example.com:9000",
                ),
                ("spark.kubernetes.driver.container.image", image.as_str()),
                ("spark.driver.cores", "1"),
                ("spark.kubernetes.driver.request.cores", "500m"),
                ("spark.kubernetes.driver.limit.cores", "1200m"),
                ("spark.driver.memory", "1g"),
                ("spark.driver.memoryOverhead", "512m"),
                (
                    "spark.kubernetes.authenticate.driver.serviceAccountName",
                    "spark",
                ),
                ("spark.driver.extraJavaOptions", "-Dconformance=kubeflow"),
                ("spark.kubernetes.driver.label.team", "data-eng"),
                ("spark.kubernetes.driver.label.tier", "batch"),
                ("spark.kubernetes.driver.annotation.example.com/owner", "data"),
                ("spark.kubernetes.driver.service.label.svc-team", "data"),
                ("spark.kubernetes.driver.service.annotation.example.com/svc", "1"),
                ("spark.kubernetes.driver.secretKeyRef.DB_PASSWORD", "db:password"),
                ("spark.kubernetes.driverEnv.MODE", "batch"),
                ("spark.kubernetes.driver.secrets.gcp-key", "/mnt/gcp"),
                (
                    "spark.kubernetes.driverEnv.GOOGLE_APPLICATION_CREDENTIALS",
                    "/mnt/gcp/key.json",
                ),
                (
                    "spark.kubernetes.driver.volumes.emptyDir.spark-local-dir-1.mount.path",
                    "/tmp/spark-local",
                ),
                (
                    "spark.kubernetes.driver.volumes.emptyDir.spark-local-dir-1.options.sizeLimit",
                    "1Gi",
                ),
                ("spark.executor.instances", "2"),
                ("spark.kubernetes.executor.container.image", image.as_str()),
                ("spark.executor.cores", "1"),
                ("spark.kubernetes.executor.request.cores", "250m"),
                ("spark.kubernetes.executor.limit.cores", "1"),
                ("spark.executor.memory", "1g"),
                ("spark.executor.memoryOverhead", "384m"),
                (
                    "spark.kubernetes.authenticate.executor.serviceAccountName",
                    "spark-exec",
                ),
                ("spark.kubernetes.executor.deleteOnTermination", "false"),
                ("spark.kubernetes.executor.label.team", "data-eng"),
                ("spark.kubernetes.executor.label.tier", "batch-exec"),
                ("spark.kubernetes.executor.annotation.example.com/exec", "1"),
                (
                    "spark.kubernetes.executor.secretKeyRef.DB_PASSWORD",
                    "db:password",
                ),
                ("spark.executor.extraJavaOptions", "-Dexec=1"),
                ("spark.executorEnv.MODE", "batch"),
                ("spark.kubernetes.executor.secrets.tok", "/mnt/tok"),
                (
                    "spark.executorEnv.HADOOP_TOKEN_FILE_LOCATION",
                    "/mnt/tok/hadoop.token",
                ),
                (
                    "spark.kubernetes.executor.volumes.emptyDir.spark-local-dir-1.mount.path",
                    "/tmp/spark-local",
                ),
                (
                    "spark.kubernetes.executor.volumes.emptyDir.spark-local-dir-1.options.sizeLimit",
                    "1Gi",
                ),
                ("spark.kubernetes.node.selector.disktype", "ssd"),
                ("spark.dynamicAllocation.enabled", "true"),
                ("spark.dynamicAllocation.initialExecutors", "1"),
                ("spark.dynamicAllocation.minExecutors", "1"),
                ("spark.dynamicAllocation.maxExecutors", "3"),
                ("spark.dynamicAllocation.shuffleTracking.enabled", "true"),
            ] {
                a.extend(conf(k, val));
            }
            a.extend(args(&[
                "--proxy-user",
                "alice",
                SPARK_EXAMPLES_JAR,
                "100",
                "--flag",
                "last arg",
            ]));
            a
        });
}

/// (12) An Apache `spark.apache.org/v1` SparkApplication with inline driver and executor pod
/// templates: spark-submit gets what `SparkAppSubmissionWorker` gives Spark (the templates as
/// `podTemplateFile`s, written by the operator as files).
#[test]
fn case12_apache_manifest() {
    Case::new("apache")
        .with_manifest(|v, ns| {
            format!(
                r#"apiVersion: spark.apache.org/v1
kind: SparkApplication
metadata:
  name: ap-pi
  namespace: {ns}
spec:
  mainClass: {SPARK_PI}
  jars: {SPARK_EXAMPLES_JAR}
  files: https://example.com/conf/app.conf
  driverArgs: ["50"]
  runtimeVersions: {{sparkVersion: "{v}", scalaVersion: "2.13"}}
  sparkConf:
    spark.kubernetes.container.image: apache/spark:{v}
    spark.executor.instances: "2"
    spark.kubernetes.driver.label.team: apache
  driverSpec:
    podTemplateSpec:
      metadata:
        labels: {{from-template: "yes"}}
      spec:
        containers:
          - name: spark-kubernetes-driver
            env: [{{name: FROM_TEMPLATE, value: "1"}}]
  executorSpec:
    podTemplateSpec:
      spec:
        tolerations: [{{key: dedicated, operator: Exists}}]
"#
            )
        })
        .oracle_file(
            "ap-pi-driver-pod-template.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    from-template: \"yes\"\nspec:\n  containers:\n  - name: spark-kubernetes-driver\n    env:\n    - name: FROM_TEMPLATE\n      value: \"1\"\n".into(),
        )
        .oracle_file(
            "ap-pi-executor-pod-template.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {}\nspec:\n  tolerations:\n  - key: dedicated\n    operator: Exists\n".into(),
        )
        .run(|v, _| {
            let mut a = args(&["--name", "ap-pi", "--class", SPARK_PI]);
            a.extend(args(&["--files", "https://example.com/conf/app.conf"]));
            a.extend(image(v));
            a.extend(conf("spark.executor.instances", "2"));
            a.extend(conf("spark.kubernetes.driver.label.team", "apache"));
            a.extend(conf(
                "spark.kubernetes.driver.podTemplateFile",
                "ap-pi-driver-pod-template.yaml",
            ));
            a.extend(conf(
                "spark.kubernetes.executor.podTemplateFile",
                "ap-pi-executor-pod-template.yaml",
            ));
            a.extend(args(&[SPARK_EXAMPLES_JAR, "50"]));
            a
        });
}

/// (13) A Kubeflow SparkApplication with the fields its webhook patches into the pods: they
/// reach Spark as pod templates. spark-submit gets the templates the webhook's patches amount
/// to, written by hand here from sparkpod_defaulter.go (not by kubectl-spark).
#[test]
fn case13_kubeflow_webhook_fields() {
    const DRIVER_TEMPLATE: &str = r#"apiVersion: v1
kind: Pod
metadata:
  annotations: {from: template}
spec:
  containers:
    - name: spark-kubernetes-driver
      env:
        - {name: FROM_TEMPLATE, value: "1"}
        - {name: FROM_ENV, value: "1"}
        - {name: SPARK_CONF_DIR, value: /etc/spark/conf}
      envFrom: [{configMapRef: {name: env-cm}}]
      volumeMounts:
        - {name: spark-configmap-volume, mountPath: /etc/spark/conf, readOnly: true}
        - {name: extra-vol, mountPath: /etc/extra, readOnly: true}
        - {name: data, mountPath: /data}
      ports: [{name: jmx, protocol: TCP, containerPort: 8090}]
      securityContext: {allowPrivilegeEscalation: false}
      lifecycle: {preStop: {exec: {command: [sh, -c, sleep 1]}}}
      resources: {limits: {example.com/gpu: "1"}}
    - {name: proxy, image: "busybox:1.36", command: [sleep, "3600"]}
  volumes:
    - {name: spark-configmap-volume, configMap: {name: my-spark-conf}}
    - {name: extra-vol, configMap: {name: extra}}
    - {name: data, persistentVolumeClaim: {claimName: data-pvc}}
  hostAliases: [{ip: 10.0.0.1, hostnames: [db.local]}]
  initContainers: [{name: init, image: "busybox:1.36", command: ["true"]}]
  hostNetwork: true
  dnsPolicy: ClusterFirstWithHostNet
  dnsConfig: {nameservers: [1.1.1.1]}
  nodeSelector: {pool: drivers}
  affinity:
    nodeAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 1
          preference: {matchExpressions: [{key: zone, operator: In, values: [a]}]}
  tolerations: [{key: dedicated, operator: Equal, value: spark, effect: NoSchedule}]
  securityContext: {runAsUser: 185}
  terminationGracePeriodSeconds: 30
  shareProcessNamespace: true
"#;
    const EXECUTOR_TEMPLATE: &str = r#"apiVersion: v1
kind: Pod
metadata: {}
spec:
  containers:
    - name: spark-kubernetes-executor
      env:
        - {name: SPARK_CONF_DIR, value: /etc/spark/conf}
      volumeMounts:
        - {name: spark-configmap-volume, mountPath: /etc/spark/conf, readOnly: true}
        - {name: cache, mountPath: /cache}
  volumes:
    - {name: spark-configmap-volume, configMap: {name: my-spark-conf}}
    - {name: cache, emptyDir: {}}
  tolerations: [{key: dedicated, operator: Exists}]
"#;
    Case::new("webhook")
        .with_manifest(|v, ns| {
            format!(
                r#"apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {{name: kf-hooks, namespace: {ns}}}
spec:
  type: Scala
  sparkVersion: "{v}"
  image: apache/spark:{v}
  mainClass: {SPARK_PI}
  mainApplicationFile: {SPARK_EXAMPLES_JAR}
  sparkConfigMap: my-spark-conf
  volumes:
    - name: data
      persistentVolumeClaim: {{claimName: data-pvc}}
    - name: cache
      emptyDir: {{}}
  driver:
    template:
      metadata:
        annotations: {{from: template}}
      spec:
        containers:
          - name: spark-kubernetes-driver
            env: [{{name: FROM_TEMPLATE, value: "1"}}]
    env: [{{name: FROM_ENV, value: "1"}}]
    envFrom: [{{configMapRef: {{name: env-cm}}}}]
    configMaps: [{{name: extra, path: /etc/extra}}]
    volumeMounts: [{{name: data, mountPath: /data}}]
    affinity:
      nodeAffinity:
        preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 1
            preference: {{matchExpressions: [{{key: zone, operator: In, values: [a]}}]}}
    tolerations: [{{key: dedicated, operator: Equal, value: spark, effect: NoSchedule}}]
    podSecurityContext: {{runAsUser: 185}}
    securityContext: {{allowPrivilegeEscalation: false}}
    hostNetwork: true
    dnsConfig: {{nameservers: [1.1.1.1]}}
    hostAliases: [{{ip: 10.0.0.1, hostnames: [db.local]}}]
    initContainers: [{{name: init, image: "busybox:1.36", command: ["true"]}}]
    sidecars: [{{name: proxy, image: "busybox:1.36", command: [sleep, "3600"]}}]
    nodeSelector: {{pool: drivers}}
    terminationGracePeriodSeconds: 30
    shareProcessNamespace: true
    lifecycle: {{preStop: {{exec: {{command: [sh, -c, sleep 1]}}}}}}
    ports: [{{name: jmx, protocol: TCP, containerPort: 8090}}]
    gpu: {{name: example.com/gpu, quantity: 1}}
  executor:
    instances: 1
    volumeMounts: [{{name: cache, mountPath: /cache}}]
    tolerations: [{{key: dedicated, operator: Exists}}]
"#
            )
        })
        .oracle_file("kf-hooks-driver-pod-template.yaml", DRIVER_TEMPLATE.into())
        .oracle_file(
            "kf-hooks-executor-pod-template.yaml",
            EXECUTOR_TEMPLATE.into(),
        )
        .run(|v, _| {
            let mut a = args(&["--class", SPARK_PI, "--name", "kf-hooks"]);
            let image = format!("apache/spark:{v}");
            for (k, val) in [
                ("spark.kubernetes.container.image", image.as_str()),
                (
                    "spark.kubernetes.driver.podTemplateFile",
                    "kf-hooks-driver-pod-template.yaml",
                ),
                (
                    "spark.kubernetes.driver.podTemplateContainerName",
                    "spark-kubernetes-driver",
                ),
                ("spark.kubernetes.driver.container.image", image.as_str()),
                ("spark.executor.instances", "1"),
                (
                    "spark.kubernetes.executor.podTemplateFile",
                    "kf-hooks-executor-pod-template.yaml",
                ),
                (
                    "spark.kubernetes.executor.podTemplateContainerName",
                    "spark-kubernetes-executor",
                ),
                ("spark.kubernetes.executor.container.image", image.as_str()),
            ] {
                a.extend(conf(k, val));
            }
            a.extend(args(&[SPARK_EXAMPLES_JAR]));
            a
        });
}

/// The objects one tool stored (in `to`, not in `from`), keyed by their key with the
/// `spark-upload-<uuid>` directory normalised, with their bytes' length and a checksum.
fn stored_objects(s3: &common::S3, from: &[String], to: &[String]) -> BTreeMap<String, String> {
    to.iter()
        .filter(|k| !from.contains(k))
        .map(|k| {
            let bytes = s3.object(k);
            let sum = bytes
                .iter()
                .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(*b)));
            (
                replace_after(k, "spark-upload-", 36, "<uuid>"),
                format!("{} bytes, sum {sum:x}", bytes.len()),
            )
        })
        .collect()
}

// ------------------------------------------------------------------------------------------------
// Harness: one case = the same arguments for both tools, per Spark version
// ------------------------------------------------------------------------------------------------

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance")
}

/// What a case's argument builder can use.
struct Ctx;

impl Ctx {
    fn fixture(&self, name: &str) -> String {
        fixtures_dir().join(name).to_string_lossy().into_owned()
    }
}

/// Builds a manifest from the Spark version and the namespace.
type ManifestBuilder = dyn Fn(&str, &str) -> String;

struct Case {
    name: &'static str,
    conf_dir: Option<PathBuf>,
    /// kubectl arguments run (as admin, in the test namespace) before the submissions.
    setup: Vec<Vec<String>>,
    /// Upload local files to the S3 server (tests/s3/up.sh): both tools get its S3A confs,
    /// spark-submit gets hadoop-aws (tests/oracle/install-s3a.sh), and the objects each tool
    /// stores are compared too.
    s3: bool,
    /// A SparkApplication manifest (built from the Spark version and the namespace):
    /// kubectl-spark gets `submit -f <manifest>` plus the common arguments, while spark-submit
    /// gets the arguments the operator would build for it (the case's argument builder).
    manifest: Option<Box<ManifestBuilder>>,
    /// Files written into spark-submit's working directory (the pod templates an operator
    /// writes for spark-submit), as (relative path, content).
    oracle_files: Vec<(&'static str, String)>,
    /// Submitter environment variables both tools get (on top of [`Env::command`]'s).
    env: Vec<(String, String)>,
}

/// One tool's submission.
struct Submission {
    pod: String,
    seconds: f64,
}

impl Case {
    fn new(name: &'static str) -> Self {
        Case {
            name,
            conf_dir: None,
            setup: Vec::new(),
            s3: false,
            manifest: None,
            oracle_files: Vec::new(),
            env: Vec::new(),
        }
    }

    fn with_manifest(mut self, build: impl Fn(&str, &str) -> String + 'static) -> Self {
        self.manifest = Some(Box::new(build));
        self
    }

    fn oracle_file(mut self, path: &'static str, content: String) -> Self {
        self.oracle_files.push((path, content));
        self
    }

    fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    fn with_s3(mut self) -> Self {
        self.s3 = true;
        self
    }

    fn conf_dir(mut self, dir: PathBuf) -> Self {
        self.conf_dir = Some(dir);
        self
    }

    fn setup(mut self, kubectl_args: &[&str]) -> Self {
        self.setup.push(args(kubectl_args));
        self
    }

    fn run(self, build_args: impl Fn(&str, &Ctx) -> Vec<String>) {
        let Some(env) = Env::get(self.name) else {
            return;
        };
        let s3 = if self.s3 {
            match common::S3::get() {
                Some(s3) => Some(s3),
                None => return,
            }
        } else {
            None
        };
        let ns = env.namespace(self.name);
        for cmd in &self.setup {
            env.kubectl(&ns.name, cmd)
                .unwrap_or_else(|e| panic!("setup {cmd:?}: {e}"));
        }
        let empty_conf = tempfile::tempdir().expect("temp dir");
        let conf_dir = self
            .conf_dir
            .clone()
            .unwrap_or_else(|| empty_conf.path().to_path_buf());

        let oracle_cwd = tempfile::tempdir().expect("temp dir");
        for (path, content) in &self.oracle_files {
            std::fs::write(oracle_cwd.path().join(path), content).expect("oracle file");
        }
        let manifest_dir = tempfile::tempdir().expect("temp dir");

        let mut failures = 0usize;
        for version in &env.versions {
            let mut full = args(&["--master", &format!("k8s://{}", env.api_url)]);
            full.extend(args(&["--deploy-mode", "cluster"]));
            full.extend(conf("spark.kubernetes.namespace", &ns.name));
            full.extend(conf(
                "spark.kubernetes.submission.waitAppCompletion",
                "false",
            ));
            let prefix = format!(
                "conformance/{}-{version}-{:08x}",
                self.name,
                rand::random::<u32>()
            );
            if let Some(s3) = s3 {
                full.extend(s3.confs(&prefix));
            }
            let mut ours_args = full.clone();
            full.extend(build_args(version, &Ctx));
            match &self.manifest {
                Some(build) => {
                    let file = manifest_dir.path().join(format!("{version}.yaml"));
                    std::fs::write(&file, build(version, &ns.name)).expect("manifest");
                    ours_args.extend(args(&["-f", &file.to_string_lossy()]));
                }
                None => ours_args = full.clone(),
            }
            let label = format!("{} / Spark {version}", self.name);

            let before = env.snapshot(&ns.name);
            let objects_before = s3.map(|s3| s3.objects(&prefix)).unwrap_or_default();
            let oracle = match env.spark_submit(
                version,
                &ns.name,
                &conf_dir,
                &full,
                oracle_cwd.path(),
                &self,
            ) {
                Ok(s) => s,
                Err(e) => {
                    panic!("[{label}] the oracle spark-submit failed (not a product bug): {e}")
                }
            };
            let after_oracle = env.snapshot(&ns.name);
            let objects_oracle = s3.map(|s3| s3.objects(&prefix)).unwrap_or_default();
            let ours = env.kubectl_spark(&ns.name, &conf_dir, &ours_args, &self.env);
            let after_ours = env.snapshot(&ns.name);
            let objects_ours = s3.map(|s3| s3.objects(&prefix)).unwrap_or_default();
            let mut lines = vec![format!(
                "[{label}] spark-submit {:.1}s ({}), kubectl-spark {}",
                oracle.seconds,
                oracle.pod,
                match &ours {
                    Ok(s) => format!("{:.1}s ({})", s.seconds, s.pod),
                    Err(_) => "FAILED".to_string(),
                }
            )];
            let diffs = match ours {
                Err(e) => vec![format!("kubectl-spark submit failed: {e}")],
                Ok(ours) => {
                    let (expected, unowned) =
                        env.created_objects(&before, &after_oracle, &oracle.pod);
                    assert!(
                        unowned.is_empty(),
                        "[{label}] harness error: spark-submit created objects not owned by its \
                         driver pod: {unowned:?}"
                    );
                    let (mut actual, unowned) =
                        env.created_objects(&after_oracle, &after_ours, &ours.pod);
                    let mut expected = expected;
                    if self.manifest.is_some() {
                        // The operator writes the executor template from the manifest in its
                        // own YAML style, and kubectl-spark in its: compare it as a structure.
                        expected.iter_mut().for_each(template_as_structure);
                        actual.iter_mut().for_each(template_as_structure);
                    }
                    let kinds = normalised_keys(&expected);
                    // Guard against a vacuous comparison: Spark always creates these three.
                    for kind in ["Pod ", "ConfigMap ", "Service "] {
                        assert!(
                            kinds.iter().any(|k| k.starts_with(kind)),
                            "[{label}] harness error: spark-submit's {kind}not found among {kinds:?}"
                        );
                    }
                    lines.push(format!("[{label}] compared: {}", kinds.join(", ")));
                    dump(self.name, version, &expected, &actual);
                    let mut diffs = compare_objects(&expected, &actual);
                    if let Some(s3) = s3 {
                        let stored = |from: &[String], to: &[String]| stored_objects(s3, from, to);
                        let expected = stored(&objects_before, &objects_oracle);
                        let actual = stored(&objects_oracle, &objects_ours);
                        assert!(
                            !expected.is_empty(),
                            "[{label}] harness error: spark-submit stored no object under {prefix}"
                        );
                        lines.push(format!(
                            "[{label}] bucket objects compared: {}",
                            expected.keys().cloned().collect::<Vec<_>>().join(", ")
                        ));
                        if expected != actual {
                            diffs.push(format!(
                                "bucket objects (normalised key → bytes): {:?} | {:?}",
                                expected, actual
                            ));
                        }
                    }
                    diffs.extend(unowned.iter().map(|k| {
                        format!("{k}: created by kubectl-spark without an ownerReference to its driver pod")
                    }));
                    diffs
                }
            };
            if diffs.is_empty() {
                lines.push(format!("[{label}] identical after normalisation"));
            } else {
                failures += diffs.len();
                lines.push(format!(
                    "[{label}] {} difference(s) (spark-submit | kubectl-spark):",
                    diffs.len()
                ));
                lines.extend(diffs.iter().map(|d| format!("    {d}")));
            }
            // One write per version so that parallel tests do not interleave their lines.
            eprintln!("{}", lines.join("\n"));
        }
        drop(ns);
        if failures > 0 {
            panic!(
                "case {}: {failures} difference(s) between the objects of spark-submit and \
                 kubectl-spark (listed above)",
                self.name
            );
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Environment: cluster, oracle, running the two tools
// ------------------------------------------------------------------------------------------------

struct Env {
    api_url: String,
    kubeconfig: PathBuf,
    oracle_dir: PathBuf,
    versions: Vec<String>,
    cluster: &'static common::Cluster,
}

/// The kinds a submission may create (spec §3.0, minus Volcano's PodGroup).
const SUBMISSION_KINDS: &str =
    "pods,services,configmaps,secrets,persistentvolumeclaims,networkpolicies.networking.k8s.io";

/// Generous upper bound for one spark-submit / kubectl-spark run.
const RUN_TIMEOUT: Duration = Duration::from_secs(240);

impl Env {
    /// None = skip (no cluster or no oracle, outside CI); panics under CI=true.
    fn get(case: &str) -> Option<Env> {
        let cluster = common::Cluster::get()?;
        let versions = oracle_versions();
        let oracle_dir = oracle_dir();
        let missing: Vec<_> = versions
            .iter()
            .filter(|v| !oracle_dir.join(v).join("bin/spark-submit").is_file())
            .collect();
        if !missing.is_empty() {
            let msg = format!(
                "conformance case {case}: the spark-submit oracle is not installed for {missing:?} in {} \
                 (run tests/oracle/install.sh)",
                oracle_dir.display()
            );
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{msg}");
            }
            eprintln!("SKIPPED: {msg}");
            return None;
        }
        if Command::new("java")
            .arg("-version")
            .output()
            .map(|o| !o.status.success())
            .unwrap_or(true)
        {
            let msg = format!("conformance case {case}: java (17) is not on PATH");
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{msg}");
            }
            eprintln!("SKIPPED: {msg}");
            return None;
        }
        Some(Env {
            api_url: cluster.api_url.clone(),
            kubeconfig: cluster.admin_kubeconfig.clone(),
            oracle_dir,
            versions,
            cluster,
        })
    }

    fn namespace(&self, case: &str) -> common::TestNamespace {
        self.cluster.namespace(&format!("conf-{case}"))
    }

    /// The environment both tools get: KUBECONFIG, SPARK_CONF_DIR, and none of the submitter-side
    /// variables Spark reads (SPARK_LOCAL_DIRS, PYSPARK_*, HADOOP_CONF_DIR, SPARK_HOME, …).
    fn command(&self, program: &Path, conf_dir: &Path) -> Command {
        let mut cmd = Command::new(program);
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().into_owned();
            if k.starts_with("PYSPARK_")
                || k.starts_with("SPARK_")
                || k.starts_with("HADOOP_")
                || k.starts_with("KUBERNETES_")
                || k == "KUBECONFIG"
            {
                cmd.env_remove(&k);
            }
        }
        cmd.env("KUBECONFIG", &self.kubeconfig)
            .env("SPARK_CONF_DIR", conf_dir);
        cmd.stdin(Stdio::null());
        cmd
    }

    fn spark_submit(
        &self,
        version: &str,
        ns: &str,
        conf_dir: &Path,
        a: &[String],
        cwd: &Path,
        case: &Case,
    ) -> Result<Submission, String> {
        let home = self.oracle_dir.join(version);
        let mut cmd = self.command(&home.join("bin/spark-submit"), conf_dir);
        cmd.current_dir(cwd);
        cmd.envs(case.env.iter().map(|(k, v)| (k, v)));
        if case.s3 {
            // hadoop-aws on the submitter JVM's classpath only (what it writes for the driver
            // is unchanged); installed by tests/oracle/install-s3a.sh.
            let jars = self.oracle_dir.join(format!("{version}-s3a"));
            assert!(
                jars.is_dir(),
                "{} missing: run tests/oracle/install-s3a.sh",
                jars.display()
            );
            cmd.env("SPARK_DIST_CLASSPATH", jars.join("*"));
        }
        // A modest, quick-starting JVM: the submitter only builds a few objects.
        cmd.env(
            "SPARK_SUBMIT_OPTS",
            "-Xmx384m -Xss1m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
        );
        cmd.args(a);
        let before = self.snapshot(ns);
        let t0 = Instant::now();
        let out = run(cmd, RUN_TIMEOUT)?;
        let seconds = t0.elapsed().as_secs_f64();
        if !out.ok {
            return Err(format!("exit {}:\n{}", out.code, tail(&out.stderr, 40)));
        }
        let pod = submission_pod(&out.stderr, ns)
            .or_else(|| self.new_driver_pod(ns, &before))
            .ok_or_else(|| format!("no driver pod found; log:\n{}", tail(&out.stderr, 40)))?;
        Ok(Submission { pod, seconds })
    }

    fn kubectl_spark(
        &self,
        ns: &str,
        conf_dir: &Path,
        a: &[String],
        vars: &[(String, String)],
    ) -> Result<Submission, String> {
        let mut cmd = self.command(Path::new(env!("CARGO_BIN_EXE_kubectl-spark")), conf_dir);
        cmd.envs(vars.iter().map(|(k, v)| (k, v)));
        // Preflight would (rightly) refuse the namespace's `default` service account and the
        // referenced Secrets/PVCs that do not exist; here only the objects are compared.
        cmd.arg("submit")
            .arg("--no-wait")
            .arg("--skip-preflight")
            .args(a);
        let t0 = Instant::now();
        let out = run(cmd, RUN_TIMEOUT)?;
        let seconds = t0.elapsed().as_secs_f64();
        if !out.ok {
            return Err(format!("exit {}:\n{}", out.code, tail(&out.stderr, 40)));
        }
        let pod = out
            .stdout
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix(&format!("{ns}:")).map(str::to_string))
            .ok_or_else(|| {
                format!(
                    "no `{ns}:<pod>` submission id on stdout:\n{}\nstderr:\n{}",
                    out.stdout,
                    tail(&out.stderr, 20)
                )
            })?;
        Ok(Submission { pod, seconds })
    }

    fn kubectl(&self, ns: &str, a: &[String]) -> Result<String, String> {
        let mut cmd = Command::new(&self.cluster.kubectl);
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(["-n", ns])
            .args(a);
        let out = run(cmd, Duration::from_secs(60))?;
        if out.ok {
            Ok(out.stdout)
        } else {
            Err(format!("kubectl {a:?}: {}", out.stderr))
        }
    }

    fn get_json(&self, ns: &str, a: &[&str]) -> Value {
        let mut full = args(a);
        full.extend(args(&["-o", "json"]));
        let text = self.kubectl(ns, &full).unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("kubectl {a:?} -o json: {e}"))
    }

    /// The one driver pod that appeared since `before`.
    fn new_driver_pod(&self, ns: &str, before: &BTreeMap<String, Value>) -> Option<String> {
        let new: Vec<_> = self
            .snapshot(ns)
            .into_iter()
            .filter(|(k, o)| {
                k.starts_with("Pod ")
                    && !before.contains_key(k)
                    && str_at(o, "/metadata/labels/spark-role").as_deref() == Some("driver")
            })
            .filter_map(|(_, o)| str_at(&o, "/metadata/name"))
            .collect();
        (new.len() == 1).then(|| new[0].clone())
    }

    /// Every object of the kinds a submission may create, keyed `<Kind> <name>`.
    fn snapshot(&self, ns: &str) -> BTreeMap<String, Value> {
        let list = self.get_json(ns, &["get", SUBMISSION_KINDS]);
        items(&list)
            .into_iter()
            .map(|o| (object_key(&o), o))
            .collect()
    }

    /// What one tool created: the driver pod first, then every object owned by it, plus a
    /// message per object that appeared during the run without that ownerReference.
    fn created_objects(
        &self,
        before: &BTreeMap<String, Value>,
        after: &BTreeMap<String, Value>,
        pod: &str,
    ) -> (Vec<Value>, Vec<String>) {
        let pod = after
            .get(&format!("Pod {pod}"))
            .unwrap_or_else(|| panic!("driver pod {pod} not found"))
            .clone();
        let uid = str_at(&pod, "/metadata/uid").expect("pod uid");
        let mut objects = vec![pod.clone()];
        let mut unowned = Vec::new();
        for (key, o) in after {
            if owned_by(o, &uid) {
                objects.push(o.clone());
            } else if !before.contains_key(key) && *o != pod {
                unowned.push(key.clone());
            }
        }
        (objects, unowned)
    }
}

/// `KSPARK_CONFORMANCE_DUMP=<dir>`: write both tools' normalised objects there
/// (`<case>-<version>-{spark-submit,kubectl-spark}.json`, ready for `diff`).
fn dump(case: &str, version: &str, expected: &[Value], actual: &[Value]) {
    let Some(dir) = std::env::var_os("KSPARK_CONFORMANCE_DUMP").map(PathBuf::from) else {
        return;
    };
    std::fs::create_dir_all(&dir).expect("create the dump directory");
    for (tool, objs) in [("spark-submit", expected), ("kubectl-spark", actual)] {
        let ids = Ids::of(&objs[0]);
        let map: Map<String, Value> = objs.iter().map(|o| normalise(o.clone(), &ids)).collect();
        let path = dir.join(format!("{case}-{version}-{tool}.json"));
        let text = serde_json::to_string_pretty(&Value::Object(map)).unwrap();
        std::fs::write(&path, text + "\n").expect("write the dump");
    }
}

fn oracle_versions() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/versions.env");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("ORACLE_SPARK_VERSIONS="))
        .unwrap_or_else(|| panic!("{}: no ORACLE_SPARK_VERSIONS", path.display()));
    line.trim_matches('"')
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Same rule as tests/oracle/install.sh.
fn oracle_dir() -> PathBuf {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let cache = var("KSPARK_CACHE").unwrap_or_else(|| {
        var("XDG_CACHE_HOME")
            .unwrap_or_else(|| var("HOME").expect("HOME").join(".cache"))
            .join("kubectl-spark")
    });
    cache.join("oracle")
}

/// `… submission ID <ns>:<pod> …` from spark-submit's log.
fn submission_pod(log: &str, ns: &str) -> Option<String> {
    let marker = format!("submission ID {ns}:");
    log.lines().find_map(|l| {
        let rest = &l[l.find(&marker)? + marker.len()..];
        rest.split_whitespace().next().map(str::to_string)
    })
}

struct Output {
    ok: bool,
    code: String,
    stdout: String,
    stderr: String,
}

fn run(mut cmd: Command, timeout: Duration) -> Result<Output, String> {
    let what = format!("{:?}", cmd.get_program());
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    let (mut so, mut se) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = so.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{what} timed out after {timeout:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok(Output {
        ok: status.success(),
        code: status
            .code()
            .map_or_else(|| "signal".to_string(), |c| c.to_string()),
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
    })
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<_> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn items(list: &Value) -> Vec<Value> {
    list.get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn str_at(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// `<Kind> <name>`.
fn object_key(o: &Value) -> String {
    format!(
        "{} {}",
        str_at(o, "/kind").unwrap_or_default(),
        str_at(o, "/metadata/name").unwrap_or_default()
    )
}

fn owned_by(o: &Value, uid: &str) -> bool {
    o.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r.get("uid").and_then(Value::as_str) == Some(uid))
        })
}

// ------------------------------------------------------------------------------------------------
// Normalisation
// ------------------------------------------------------------------------------------------------

/// The random parts of one submission, taken from its driver pod.
struct Ids {
    /// (value, placeholder), longest/most specific first.
    replacements: Vec<(String, &'static str)>,
    /// claim name -> name of the pod volume using it: created PVCs are paired by the volume
    /// that mounts them, so that a differing generated name (`<prefix>-driver-pvc-<i>`) still
    /// lets their contents be compared.
    claim_volumes: BTreeMap<String, String>,
}

impl Ids {
    fn of(pod: &Value) -> Ids {
        let mut replacements = Vec::new();
        if let Some(cm) = pod
            .pointer("/spec/volumes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|v| v.get("name").and_then(Value::as_str) == Some("spark-conf-volume-driver"))
            .and_then(|v| str_at(v, "/configMap/name"))
        {
            replacements.push((cm, "<CONF_MAP>"));
        }
        if let Some(uid) = str_at(pod, "/metadata/uid") {
            replacements.push((uid, "<OWNER_UID>"));
        }
        if let Some(prefix) = str_at(pod, "/metadata/name")
            .and_then(|n| n.strip_suffix("-driver").map(str::to_string))
        {
            replacements.push((prefix, "<PREFIX>"));
        }
        if let Some(app_id) = str_at(pod, "/metadata/labels/spark-app-selector") {
            replacements.push((app_id, "<APP_ID>"));
        }
        let claim_volumes = pod
            .pointer("/spec/volumes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| {
                Some((
                    str_at(v, "/persistentVolumeClaim/claimName")?,
                    str_at(v, "/name")?,
                ))
            })
            .collect();
        Ids {
            replacements,
            claim_volumes,
        }
    }

    fn apply(&self, s: &str) -> String {
        let mut s = s.to_string();
        for (from, to) in &self.replacements {
            if !from.is_empty() {
                s = s.replace(from.as_str(), to);
            }
        }
        for (marker, len, placeholder) in [
            ("/var/data/spark-", 36, "<uuid>"),
            ("spark-upload-", 36, "<uuid>"),
            ("kube-api-access-", 5, "<id>"),
        ] {
            s = replace_after(&s, marker, len, placeholder);
        }
        s
    }
}

/// Replaces the `len` id characters (hex digits, `-`, lowercase alphanumerics) that follow each
/// `marker` by `placeholder`.
fn replace_after(s: &str, marker: &str, len: usize, placeholder: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(marker) {
        let (head, tail) = rest.split_at(i + marker.len());
        out.push_str(head);
        let id: String = tail.chars().take(len).collect();
        if id.len() == len
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            out.push_str(placeholder);
            rest = &tail[len..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

fn map_strings(v: &mut Value, f: &dyn Fn(&str) -> String) {
    match v {
        Value::String(s) => *s = f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| map_strings(x, f)),
        Value::Object(m) => {
            let old = std::mem::take(m);
            for (k, mut x) in old {
                map_strings(&mut x, f);
                m.insert(f(&k), x);
            }
        }
        _ => {}
    }
}

/// Server- or time-dependent fields that say nothing about the submitter.
fn strip_volatile(o: &mut Value) {
    if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "managedFields",
            "generation",
            "selfLink",
        ] {
            meta.remove(k);
        }
    }
    if let Some(obj) = o.as_object_mut() {
        obj.remove("status");
    }
    // Chosen by the scheduler (kwok has several nodes).
    if let Some(spec) = o.get_mut("spec").and_then(Value::as_object_mut) {
        spec.remove("nodeName");
    }
}

/// A normalised object, keyed `<Kind> <name>`.
fn normalise(mut o: Value, ids: &Ids) -> (String, Value) {
    strip_volatile(&mut o);
    let pvc_volume = (str_at(&o, "/kind").as_deref() == Some("PersistentVolumeClaim"))
        .then(|| {
            ids.claim_volumes
                .get(&str_at(&o, "/metadata/name")?)
                .cloned()
        })
        .flatten();
    map_strings(&mut o, &|s| ids.apply(s));
    if let Some(data) = o.get_mut("data").and_then(Value::as_object_mut)
        && let Some(Value::String(text)) = data.get("spark.properties")
    {
        let parsed = parse_spark_properties(text);
        data.insert("spark.properties".to_string(), parsed);
    }
    let key = match pvc_volume {
        Some(volume) => format!("PersistentVolumeClaim of pod volume {volume}"),
        None => object_key(&o),
    };
    (key, o)
}

/// The executor pod template shipped in `<prefix>-driver-podspec-conf-map`, parsed.
fn template_as_structure(o: &mut Value) {
    if let Some(data) = o.get_mut("data").and_then(Value::as_object_mut)
        && let Some(Value::String(text)) = data.get("podspec-configmap-key")
    {
        let parsed: Value = serde_saphyr::from_str(text).unwrap_or(Value::Null);
        data.insert("podspec-configmap-key".to_string(), parsed);
    }
}

/// `spark.properties` as {"header": [comment lines], "entries": {key: raw value}, "other": […]}:
/// entry order is free (spec §4.1), the values are compared in their escaped form, the date line
/// only by shape.
fn parse_spark_properties(text: &str) -> Value {
    let mut header = Vec::new();
    let mut entries = Map::new();
    let mut other = Vec::new();
    if !text.ends_with('\n') {
        other.push(Value::String("<no final newline>".to_string()));
    }
    for line in text.split('\n').filter(|l| !l.is_empty()) {
        if line.starts_with('#') || line.starts_with('!') {
            let l = if is_java_date_comment(line) {
                "#<date>".to_string()
            } else {
                line.to_string()
            };
            header.push(Value::String(l));
            continue;
        }
        match split_property(line) {
            Some((k, v)) => {
                let v = if k == "spark.app.submitTime"
                    && !v.is_empty()
                    && v.chars().all(|c| c.is_ascii_digit())
                {
                    "<epoch ms>".to_string()
                } else {
                    v
                };
                if entries.insert(k.clone(), Value::String(v)).is_some() {
                    other.push(Value::String(format!("duplicate key {k}")));
                }
            }
            None => other.push(Value::String(line.to_string())),
        }
    }
    let mut m = Map::new();
    m.insert("header".to_string(), Value::Array(header));
    m.insert("entries".to_string(), Value::Object(entries));
    if !other.is_empty() {
        m.insert("other".to_string(), Value::Array(other));
    }
    Value::Object(m)
}

/// `#Tue Nov 24 02:22:01 UTC 2026` (java.util.Date#toString).
fn is_java_date_comment(line: &str) -> bool {
    let parts: Vec<_> = line.trim_start_matches('#').split(' ').collect();
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    let time = |s: &str| {
        let t: Vec<_> = s.split(':').collect();
        t.len() == 3 && t.iter().all(|x| digits(x, 2))
    };
    parts.len() == 6
        && DAYS.contains(&parts[0])
        && MONTHS.contains(&parts[1])
        && digits(parts[2], 2)
        && time(parts[3])
        && !parts[4].is_empty()
        && digits(parts[5], 4)
}

/// Splits a `Properties.store` line into (unescaped key, raw value).
fn split_property(line: &str) -> Option<(String, String)> {
    let mut key = String::new();
    let mut chars = line.char_indices().peekable();
    let mut end = line.len();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, e)) = chars.next() {
                    key.push(match e {
                        't' => '\t',
                        'n' => '\n',
                        'r' => '\r',
                        'f' => '\x0c',
                        other => other,
                    });
                }
            }
            '=' | ':' | ' ' | '\t' => {
                end = i;
                break;
            }
            c => key.push(c),
        }
    }
    if key.is_empty() {
        return None;
    }
    let rest = &line[end..];
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix(['=', ':']).unwrap_or(rest);
    Some((key, rest.trim_start_matches([' ', '\t']).to_string()))
}

// ------------------------------------------------------------------------------------------------
// Comparison
// ------------------------------------------------------------------------------------------------

fn normalised_keys(objs: &[Value]) -> Vec<String> {
    let ids = Ids::of(&objs[0]);
    objs.iter().map(|o| normalise(o.clone(), &ids).0).collect()
}

fn compare_objects(expected: &[Value], actual: &[Value]) -> Vec<String> {
    let norm = |objs: &[Value]| -> BTreeMap<String, Value> {
        let ids = Ids::of(&objs[0]);
        objs.iter().map(|o| normalise(o.clone(), &ids)).collect()
    };
    let (e, a) = (norm(expected), norm(actual));
    let mut out = Vec::new();
    for key in e.keys().chain(a.keys()).collect::<BTreeSet<_>>() {
        match (e.get(key), a.get(key)) {
            (Some(x), Some(y)) => diff_values(key, "", x, y, &mut out),
            (Some(_), None) => out.push(format!(
                "{key}: created by spark-submit, missing from kubectl-spark"
            )),
            (None, Some(_)) => out.push(format!("{key}: created by kubectl-spark only")),
            (None, None) => unreachable!(),
        }
    }
    out
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "<absent>".to_string(),
        Some(v) => {
            let s = serde_json::to_string(v).unwrap_or_default();
            if s.chars().count() > 400 {
                format!("{}…", s.chars().take(400).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// Lists of named elements whose order is deliberately not compared, as path suffixes (e.g.
/// `.spec.volumes`). Everything else: element order is part of conformance. Spark's order for
/// user volumes, secret volumes and secretKeyRef env vars comes from Scala hash-map/hash-set
/// iteration, which kubectl-spark emulates (src/submit/steps/scala_order.rs) whenever it does
/// not depend on `SparkConf`'s `ConcurrentHashMap` order (more than 4 entries under the
/// prefix); the cases use either more than 4 entries or orders that coincide.
const ORDER_FREE: &[&str] = &[];

/// Names of the elements when every element is an object with a distinct string `name`.
fn element_names(a: &[Value]) -> Option<Vec<String>> {
    let names: Vec<String> = a
        .iter()
        .map(|x| x.get("name")?.as_str().map(str::to_string))
        .collect::<Option<_>>()?;
    let distinct: BTreeSet<_> = names.iter().collect();
    (distinct.len() == names.len()).then_some(names)
}

fn diff_values(object: &str, path: &str, e: &Value, a: &Value, out: &mut Vec<String>) {
    let record = |out: &mut Vec<String>, e: Option<&Value>, a: Option<&Value>| {
        out.push(format!(
            "{object} {}: {} | {}",
            if path.is_empty() { "." } else { path },
            show(e),
            show(a)
        ));
    };
    match (e, a) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
                let p = format!("{path}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(ev), Some(av)) => diff_values(object, &p, ev, av, out),
                    (ev, av) => out.push(format!("{object} {p}: {} | {}", show(ev), show(av))),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if let (Some(xn), Some(yn)) = (element_names(x), element_names(y)) {
                let common: BTreeSet<_> = xn.iter().filter(|n| yn.contains(n)).collect();
                let xo: Vec<_> = xn.iter().filter(|n| common.contains(n)).collect();
                let yo: Vec<_> = yn.iter().filter(|n| common.contains(n)).collect();
                if xo != yo && !ORDER_FREE.iter().any(|p| path.ends_with(p)) {
                    out.push(format!("{object} {path} (order): {xn:?} | {yn:?}"));
                }
                for n in xn.iter().chain(yn.iter()).collect::<BTreeSet<_>>() {
                    let p = format!("{path}[name={n}]");
                    let ev = xn.iter().position(|m| m == n).map(|i| &x[i]);
                    let av = yn.iter().position(|m| m == n).map(|i| &y[i]);
                    match (ev, av) {
                        (Some(ev), Some(av)) => diff_values(object, &p, ev, av, out),
                        (ev, av) => out.push(format!("{object} {p}: {} | {}", show(ev), show(av))),
                    }
                }
            } else {
                for i in 0..x.len().max(y.len()) {
                    let p = format!("{path}[{i}]");
                    match (x.get(i), y.get(i)) {
                        (Some(ev), Some(av)) => diff_values(object, &p, ev, av, out),
                        (ev, av) => out.push(format!("{object} {p}: {} | {}", show(ev), show(av))),
                    }
                }
            }
        }
        _ if e == a => {}
        _ => record(out, Some(e), Some(a)),
    }
}

// ------------------------------------------------------------------------------------------------
// Self-tests of the harness (no cluster needed): the comparison must catch differences.
// ------------------------------------------------------------------------------------------------

#[test]
fn harness_normalises_ids_and_reports_differences() {
    let pod = |app: &str, prefix: &str, cm: &str, uid: &str, mem: &str, local: &str| {
        serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("{prefix}-driver"), "uid": uid, "resourceVersion": "9",
                         "labels": {"spark-app-selector": app, "spark-role": "driver"}},
            "spec": {"nodeName": "kwok-node-1",
                     "containers": [{"name": "spark-kubernetes-driver",
                                     "env": [{"name": "SPARK_APPLICATION_ID", "value": app},
                                             {"name": "SPARK_LOCAL_DIRS", "value": format!("/var/data/spark-{local}")}],
                                     "resources": {"limits": {"memory": mem}},
                                     "volumeMounts": [{"name": "kube-api-access-ab12c", "mountPath": "/x"}]}],
                     "volumes": [{"name": "spark-conf-volume-driver", "configMap": {"name": cm}}]},
            "status": {"phase": "Running"}
        })
    };
    let cm = |app: &str, prefix: &str, cm: &str, uid: &str, date: &str, order_swapped: bool| {
        let mut lines = [
            format!("spark.app.id={app}"),
            "spark.app.submitTime=1795486918517".to_string(),
            format!("spark.driver.host={prefix}-driver-svc.ns.svc"),
        ];
        if order_swapped {
            lines.reverse();
        }
        serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": cm, "ownerReferences": [{"uid": uid, "name": format!("{prefix}-driver")}]},
            "data": {"spark.properties": format!(
                "#Java properties built from Kubernetes config map with name: {cm}\n#{date}\n{}\n", lines.join("\n"))}
        })
    };
    let a = [
        pod(
            "spark-aaaa",
            "pi-111",
            "spark-drv-111-conf-map",
            "u-1",
            "1408Mi",
            "6e1a10b1-26a7-4ed9-b2a4-e51e862e330f",
        ),
        cm(
            "spark-aaaa",
            "pi-111",
            "spark-drv-111-conf-map",
            "u-1",
            "Tue Nov 24 02:22:01 UTC 2026",
            false,
        ),
    ];
    let b = [
        pod(
            "spark-bbbb",
            "pi-222",
            "spark-drv-222-conf-map",
            "u-2",
            "1408Mi",
            "00000000-26a7-4ed9-b2a4-e51e862e330f",
        ),
        cm(
            "spark-bbbb",
            "pi-222",
            "spark-drv-222-conf-map",
            "u-2",
            "Wed Dec 02 11:00:59 CET 2026",
            true,
        ),
    ];
    assert_eq!(compare_objects(&a, &b), Vec::<String>::new());

    let c = [
        pod(
            "spark-cccc",
            "pi-333",
            "spark-drv-333-conf-map",
            "u-3",
            "1433Mi",
            "00000000-26a7-4ed9-b2a4-e51e862e330f",
        ),
        cm(
            "spark-cccc",
            "pi-333",
            "spark-drv-333-conf-map",
            "u-3",
            "2026-12-02",
            false,
        ),
    ];
    let diffs = compare_objects(&a, &c);
    assert_eq!(
        diffs,
        vec![
            "ConfigMap <CONF_MAP> .data.spark.properties.header[1]: \"#<date>\" | \"#2026-12-02\"".to_string(),
            "Pod <PREFIX>-driver .spec.containers[name=spark-kubernetes-driver].resources.limits.memory: \
             \"1408Mi\" | \"1433Mi\""
                .to_string(),
        ]
    );

    // Missing and extra objects, order of named lists.
    let mut d = b.to_vec();
    d.pop();
    d[0]["spec"]["containers"][0]["env"]
        .as_array_mut()
        .unwrap()
        .reverse();
    let diffs = compare_objects(&a, &d);
    assert_eq!(diffs.len(), 2, "{diffs:#?}");
    assert!(
        diffs[0].contains("missing from kubectl-spark"),
        "{diffs:#?}"
    );
    assert!(diffs[1].contains("(order)"), "{diffs:#?}");
}

#[test]
fn harness_parses_java_properties() {
    assert_eq!(
        split_property("spark.master=k8s\\://https\\://h\\:1"),
        Some((
            "spark.master".to_string(),
            "k8s\\://https\\://h\\:1".to_string()
        ))
    );
    assert_eq!(
        split_property("a\\=b\\ c=x=y"),
        Some(("a=b c".to_string(), "x=y".to_string()))
    );
    assert_eq!(
        split_property("spark.submit.pyFiles="),
        Some(("spark.submit.pyFiles".to_string(), String::new()))
    );
    assert!(is_java_date_comment("#Mon Feb 06 21:26:11 KST 2023"));
    assert!(!is_java_date_comment(
        "#Java properties built from Kubernetes config map with name: x"
    ));
    assert_eq!(
        submission_pod(
            "x INFO Client: Deployed … submission ID ns1:a-b-driver into Kubernetes",
            "ns1"
        )
        .as_deref(),
        Some("a-b-driver")
    );
}
