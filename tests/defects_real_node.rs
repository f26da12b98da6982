//! Issue 22's defects, checked with Spark really running on the local cluster's real node
//! (`KSPARK_WITH_REAL_NODE=1 tests/cluster/up.sh`, tests/node):
//!
//! - after `kubectl spark setup`, an application with Spark's StatefulSet executor allocator
//!   (`spark.kubernetes.allocation.pods.allocator=statefulset`) gets its executors and
//!   succeeds (it failed with `statefulsets.apps is forbidden` when setup's Role lacked them);
//! - a Spark Connect server from the Apache operator's example manifest (`submit -f`) is
//!   reached with `kubectl spark connect --attach` and answers the PyPI Connect client
//!   (`tests/connect/install-client.sh`, as tests/connect_real_node.rs uses it).
//!
//! Every test name starts with `real_node_`, which `tests/run.sh` skips in its kwok-only stage
//! (it runs them in the real-node stage, one at a time: the node has 2 cores). Without a real
//! node they print `SKIPPED`; under `CI=true` that is a failure.

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Cluster, Running, TestNamespace, User, interrupt, wait_exit};

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-spark");
/// A JVM starts in 20-40 s on two busy cores; a driver, then its executors, then the work.
const SPARK_TIMEOUT: Duration = Duration::from_secs(420);
/// The image has Spark's Python examples (not the examples jar: tests/node/image/README.md).
const PI_PY: &str = "local:///opt/spark/examples/src/main/python/pi.py";

/// The real node's cluster, Spark image and pod template, or None (after `SKIPPED`, or a
/// failure under `CI=true`).
fn real_node() -> Option<(&'static Cluster, String, PathBuf)> {
    let skip = |why: String| {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("no real node, and CI=true forbids skipping: {why}");
        }
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: no real node (start the cluster with KSPARK_WITH_REAL_NODE=1 tests/cluster/up.sh): {why}"
        );
        None
    };
    let cluster = Cluster::get()?;
    let get = |k: &str| cluster.env.get(k).filter(|v| !v.is_empty()).cloned();
    let Some(template) = get("KSPARK_REAL_NODE_POD_TEMPLATE") else {
        return skip(format!("{} has no real node", cluster.dir.display()));
    };
    let Some(image) = get("KSPARK_SPARK_IMAGE") else {
        return skip("the real node has no Spark image (tests/node/image/build.sh)".into());
    };
    Some((cluster, image, PathBuf::from(template)))
}

/// `kubectl-spark` as `user` in the namespace, output captured.
fn kspark(ns: &TestNamespace, user: User, args: &[String]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("KUBECONFIG", ns.kubeconfig(user))
        .env("NO_COLOR", "1")
        .env_remove("KUBECTL_SPARK_LOG")
        .env_remove("SPARK_CONF_DIR")
        .env_remove("SPARK_HOME")
        .env_remove("HADOOP_CONF_DIR")
        .args(args)
        .stdin(Stdio::null());
    cmd
}

/// Runs to the end (at most `timeout`): exit code, stdout, stderr.
fn run(mut cmd: Command, timeout: Duration) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    cmd.stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap());
    let mut child = Running(cmd.spawn().expect("run kubectl-spark"));
    let code = wait_exit(&mut child.0, timeout);
    let read = |p: &PathBuf| std::fs::read_to_string(p).unwrap_or_default();
    (code, read(&out), read(&err))
}

/// The confs that land a small application on the real node, with setup's service account.
fn real_node_confs(image: &str, template: &std::path::Path, executors: u32) -> Vec<String> {
    let template = template.display().to_string();
    let mut args = Vec::new();
    for conf in [
        format!("spark.kubernetes.container.image={image}"),
        format!("spark.kubernetes.driver.podTemplateFile={template}"),
        format!("spark.kubernetes.executor.podTemplateFile={template}"),
        "spark.kubernetes.authenticate.driver.serviceAccountName=spark".into(),
        "spark.kubernetes.driver.request.cores=0.1".into(),
        "spark.kubernetes.executor.request.cores=0.1".into(),
        "spark.driver.memory=512m".into(),
        "spark.executor.memory=512m".into(),
        format!("spark.executor.instances={executors}"),
    ] {
        args.push("--conf".into());
        args.push(conf);
    }
    args
}

/// Issue 22 §1: the StatefulSet allocator after `setup`. pi.py's job only finishes once an
/// executor ran its tasks, so exit 0 means the driver created its StatefulSet and got
/// executors from it; doctor, given the same setting, agrees beforehand.
#[test]
fn real_node_statefulset_allocator_after_setup_runs_executors() {
    let Some((cluster, image, template)) = real_node() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "real-sts");
    let allocator = "spark.kubernetes.allocation.pods.allocator=statefulset".to_string();
    let (code, out, err) = run(
        kspark(&ns, User::Admin, &["setup".into()]),
        Duration::from_secs(60),
    );
    assert_eq!(code, 0, "setup: {out}{err}");
    let (code, out, err) = run(
        kspark(
            &ns,
            User::Admin,
            &["doctor".into(), "--conf".into(), allocator.clone()],
        ),
        Duration::from_secs(60),
    );
    assert!(
        out.contains("may create pods, services, configmaps, statefulsets.apps"),
        "doctor (exit {code}): {out}{err}"
    );

    let mut args: Vec<String> = vec!["submit".into(), "--name".into(), "real-sts".into()];
    args.extend(real_node_confs(&image, &template, 1));
    args.extend(["--conf".into(), allocator, PI_PY.into(), "4".into()]);
    let (code, out, err) = run(kspark(&ns, User::Bob, &args), SPARK_TIMEOUT);
    let (_, log, _) = run(
        kspark(
            &ns,
            User::Bob,
            &[
                "logs".into(),
                "real-sts".into(),
                "--tail".into(),
                "200".into(),
            ],
        ),
        Duration::from_secs(60),
    );
    assert_eq!(
        code, 0,
        "submit: exit {code}\n--- stdout\n{out}--- stderr\n{err}--- driver log\n{log}"
    );
    assert!(log.contains("Pi is roughly"), "driver log:\n{log}");
    assert!(!log.contains("forbidden"), "driver log:\n{log}");
}

/// The Spark version an image tag names (`localhost/kubectl-spark/spark:4.0.5` → `4.0.5`).
fn image_version(image: &str) -> String {
    let tag = image.rsplit_once(':').map(|(_, t)| t).unwrap_or_default();
    tag.chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect()
}

/// The venv's python with the Spark Connect client of `version`.
fn client_python(version: &str) -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/connect/install-client.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg(version)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tests/connect/install-client.sh failed"
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// The Apache operator's `examples/spark-connect-server.yaml`, with the real node's image.
fn apache_connect_manifest(image: &str, version: &str) -> String {
    format!(
        r#"apiVersion: spark.apache.org/v1
kind: SparkApplication
metadata:
  name: spark-connect-server
spec:
  mainClass: "org.apache.spark.sql.connect.service.SparkConnectServer"
  sparkConf:
    spark.dynamicAllocation.enabled: "true"
    spark.dynamicAllocation.shuffleTracking.enabled: "true"
    spark.dynamicAllocation.minExecutors: "1"
    spark.dynamicAllocation.maxExecutors: "1"
    spark.kubernetes.authenticate.driver.serviceAccountName: "spark"
    spark.kubernetes.container.image: "{image}"
    spark.kubernetes.executor.podNamePrefix: "spark-connect-server"
    spark.scheduler.mode: "FAIR"
  applicationTolerations:
    resourceRetainPolicy: OnFailure
  runtimeVersions:
    scalaVersion: "2.13"
    sparkVersion: "{version}"
"#
    )
}

const QUERY: &str = r#"
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.remote(sys.argv[1]).getOrCreate()
print(spark.range(1000).selectExpr("sum(id)").collect()[0][0])
spark.stop()
"#;

/// Issue 22 §3: a Connect server from the Apache operator's example manifest runs the server
/// class inside the driver pod as `kubectl spark connect` does; `submit -f` says how to reach
/// it, `connect --attach` does, and the PyPI client's query is answered.
#[test]
fn real_node_connect_server_from_an_apache_manifest_answers_the_client() {
    let Some((cluster, image, template)) = real_node() else {
        return;
    };
    let version = image_version(&image);
    let python = client_python(&version);
    let ns = TestNamespace::new(cluster, "real-connect-f");
    let (code, out, err) = run(
        kspark(&ns, User::Admin, &["setup".into()]),
        Duration::from_secs(60),
    );
    assert_eq!(code, 0, "setup: {out}{err}");
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("spark-connect-server.yaml");
    std::fs::write(&manifest, apache_connect_manifest(&image, &version)).unwrap();

    // The manifest, plus what lands it on the real node (flags apply after the manifest).
    let mut args: Vec<String> = vec![
        "submit".into(),
        "-f".into(),
        manifest.display().to_string(),
        "--no-wait".into(),
    ];
    args.extend(real_node_confs(&image, &template, 1));
    args.extend(["--conf".into(), "spark.driver.memory=768m".into()]);
    let (code, out, err) = run(kspark(&ns, User::Bob, &args), Duration::from_secs(120));
    assert_eq!(code, 0, "submit -f: {out}{err}");
    let id = out.trim().to_string();
    assert!(
        err.contains(&format!("{id} is a Spark Connect server")) && err.contains("--attach"),
        "{err}"
    );
    let pod = id.split_once(':').unwrap().1.to_string();

    // connect --attach waits until the server is ready, then forwards and prints the
    // connection string (with the server's token) on stdout.
    let mut attach = kspark(
        &ns,
        User::Bob,
        &[
            "connect".into(),
            "--attach".into(),
            pod.clone(),
            "--port".into(),
            "0".into(),
            "--ui-port".into(),
            "0".into(),
            "--timeout".into(),
            "6m".into(),
        ],
    );
    let errs = dir.path().join("attach.err");
    attach
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&errs).unwrap());
    let mut attached = Running(attach.spawn().unwrap());
    let mut remote = String::new();
    BufReader::new(attached.0.stdout.take().unwrap())
        .read_line(&mut remote)
        .unwrap();
    let remote = remote.trim().to_string();
    assert!(
        remote.starts_with("sc://") && remote.contains(";token="),
        "no connection string; connect stderr:\n{}",
        std::fs::read_to_string(&errs).unwrap_or_default()
    );
    let answer = Command::new(&python)
        .args(["-c", QUERY, &remote])
        .output()
        .unwrap();
    assert!(
        answer.status.success(),
        "the Spark Connect client failed: {}",
        String::from_utf8_lossy(&answer.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&answer.stdout).trim(), "499500");
    interrupt(&attached.0);
    assert_eq!(wait_exit(&mut attached.0, Duration::from_secs(60)), 0);

    let (code, out, err) = run(
        kspark(
            &ns,
            User::Bob,
            &["kill".into(), id.clone(), "--wait".into()],
        ),
        Duration::from_secs(120),
    );
    assert_eq!(code, 0, "kill: {out}{err}");
}
