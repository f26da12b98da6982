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

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{
    Running, TestNamespace, User, interrupt, kspark, real_node_with_image, run_kspark, wait_exit,
};

/// A JVM starts in 20-40 s on two busy cores; a driver, then its executors, then the work.
const SPARK_TIMEOUT: Duration = Duration::from_secs(420);
/// The image has Spark's Python examples (not the examples jar: tests/node/image/README.md).
const PI_PY: &str = "local:///opt/spark/examples/src/main/python/pi.py";
/// The Apache operator's `examples/spark-connect-server.yaml` (tests/cli_manifest.rs uses it
/// too), with image `apache/spark:4.0.1`.
const APACHE_CONNECT: &str = include_str!("fixtures/manifests/apache-spark-connect-server.yaml");

/// The confs that land a small application on the real node, with setup's service account.
fn real_node_confs(image: &str, template: &Path, executors: u32) -> Vec<String> {
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
    let Some((cluster, image, template)) = real_node_with_image() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "real-sts");
    let allocator = "spark.kubernetes.allocation.pods.allocator=statefulset".to_string();
    let setup = run_kspark(&ns, User::Admin, &["setup"], Duration::from_secs(60));
    assert_eq!(setup.code, 0, "setup: {setup}");
    let doctor = run_kspark(
        &ns,
        User::Admin,
        &["doctor", "--conf", &allocator],
        Duration::from_secs(60),
    );
    assert!(
        doctor
            .stdout
            .contains("may create pods, services, configmaps, statefulsets.apps"),
        "doctor: {doctor}"
    );

    let mut args: Vec<String> = vec!["submit".into(), "--name".into(), "real-sts".into()];
    args.extend(real_node_confs(&image, &template, 1));
    args.extend(["--conf".into(), allocator, PI_PY.into(), "4".into()]);
    let submit = run_kspark(&ns, User::Bob, &args, SPARK_TIMEOUT);
    let log = run_kspark(
        &ns,
        User::Bob,
        &["logs", "real-sts", "--tail", "200"],
        Duration::from_secs(60),
    )
    .stdout;
    assert_eq!(submit.code, 0, "submit: {submit}--- driver log\n{log}");
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

/// The Apache operator's example manifest, with the real node's image and its Spark version.
fn apache_connect_manifest(image: &str, version: &str) -> String {
    APACHE_CONNECT.replace("apache/spark:4.0.1", image).replace(
        r#"sparkVersion: "4.0.1""#,
        &format!(r#"sparkVersion: "{version}""#),
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
    let Some((cluster, image, template)) = real_node_with_image() else {
        return;
    };
    let version = image_version(&image);
    let python = client_python(&version);
    let ns = TestNamespace::new(cluster, "real-connect-f");
    let setup = run_kspark(&ns, User::Admin, &["setup"], Duration::from_secs(60));
    assert_eq!(setup.code, 0, "setup: {setup}");
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
    let submit = run_kspark(&ns, User::Bob, &args, Duration::from_secs(120));
    assert_eq!(submit.code, 0, "submit -f: {submit}");
    let id = submit.stdout.trim().to_string();
    let err = &submit.stderr;
    assert!(
        err.contains(&format!("{id} is a Spark Connect server")) && err.contains("--attach"),
        "{err}"
    );
    let pod = id.split_once(':').unwrap().1;

    // connect --attach waits until the server is ready, then forwards and prints the
    // connection string (with the server's token) on stdout.
    let mut attach = kspark(&ns, User::Bob);
    attach.args([
        "connect",
        "--attach",
        pod,
        "--port",
        "0",
        "--ui-port",
        "0",
        "--timeout",
        "6m",
    ]);
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

    let kill = run_kspark(
        &ns,
        User::Bob,
        &["kill", &id, "--wait"],
        Duration::from_secs(120),
    );
    assert_eq!(kill.code, 0, "kill: {kill}");
}
