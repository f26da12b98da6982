//! End-to-end tests on the local cluster's real node: a failed application explains itself.
//! A raising Python app and a failing JVM app each end `submit` with exit 3 and their real
//! exception line within the first screen of what follows the end of the wait (the cause comes
//! before the container statuses), the verdict names it, and `describe` shows the same cause.
//!
//! Without a real node they print `SKIPPED` (under `CI=true` that is a failure). Test names start
//! with `real_node_`, which `tests/run.sh` runs in its real-node stage. Run them one at a time:
//! the node has 2 cores.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Cluster, Running, S3, TestNamespace, User, wait_exit};

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-spark");
/// A JVM starts in 20-40 s on two busy cores; a driver, then its executor, then the work.
const SPARK_TIMEOUT: Duration = Duration::from_secs(420);
/// A screen: the cause must be within this many lines after the wait ends.
const SCREEN: usize = 24;

struct RealNode {
    cluster: &'static Cluster,
    image: String,
    pod_template: String,
}

fn real_node() -> Option<RealNode> {
    let skip = |why: &str| {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "no real node, and CI=true forbids skipping: {why}"
        );
        eprintln!("SKIPPED: no real node: {why}");
        None
    };
    let Some(cluster) = Cluster::get() else {
        return skip("no cluster");
    };
    let get = |k: &str| cluster.env.get(k).filter(|v| !v.is_empty()).cloned();
    match (
        get("KSPARK_REAL_NODE"),
        get("KSPARK_SPARK_IMAGE"),
        get("KSPARK_REAL_NODE_POD_TEMPLATE"),
    ) {
        (Some(_), Some(image), Some(pod_template)) => Some(RealNode {
            cluster,
            image,
            pod_template,
        }),
        _ => skip("the cluster has no real node or no Spark image"),
    }
}

/// Runs `submit` (uploading the local `app` to S3) and returns its exit code and stderr.
fn submit(node: &RealNode, ns: &TestNamespace, name: &str, app: &[String]) -> (i32, String) {
    let s3 = S3::get().expect("an S3 server for the real-node tests");
    let mut cmd = Command::new(BIN);
    cmd.env("KUBECONFIG", ns.kubeconfig(User::Bob))
        .env("NO_COLOR", "1")
        .env_remove("KUBECTL_SPARK_LOG")
        .args(["submit", "--name", name])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for conf in [
        format!("spark.kubernetes.container.image={}", node.image),
        format!(
            "spark.kubernetes.driver.podTemplateFile={}",
            node.pod_template
        ),
        format!(
            "spark.kubernetes.executor.podTemplateFile={}",
            node.pod_template
        ),
        "spark.kubernetes.authenticate.driver.serviceAccountName=spark".into(),
        "spark.kubernetes.driver.request.cores=0.1".into(),
        "spark.kubernetes.executor.request.cores=0.1".into(),
        "spark.driver.memory=512m".into(),
        "spark.executor.memory=512m".into(),
        "spark.executor.instances=1".into(),
    ] {
        cmd.args(["--conf", &conf]);
    }
    cmd.args(s3.confs(&format!("causes-e2e/{}", ns.name)));
    cmd.args(app);
    let mut child = Running(cmd.spawn().unwrap());
    let stderr = child.0.stderr.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let code = wait_exit(&mut child.0, SPARK_TIMEOUT);
    (code, reader.join().unwrap())
}

/// The lines of `stderr` after the wait ended (the last `Application status …` line).
fn after_the_wait(stderr: &str) -> Vec<&str> {
    let lines: Vec<&str> = stderr.lines().collect();
    let end = lines
        .iter()
        .rposition(|l| l.starts_with("Application status for "))
        .map(|i| i + 1)
        .unwrap_or(0);
    lines[end..].to_vec()
}

/// Checks the failure report: exit 3, `exception` within the first screen after the wait and
/// before the container statuses, the verdict naming it, and `describe` showing it too.
fn assert_explained(ns: &TestNamespace, name: &str, code: i32, stderr: &str, exception: &str) {
    assert_eq!(code, 3, "stderr:\n{stderr}");
    let report = after_the_wait(stderr);
    let at = report
        .iter()
        .position(|l| l.trim() == exception)
        .unwrap_or_else(|| panic!("no `{exception}` line after the wait:\n{stderr}"));
    assert!(
        at < SCREEN,
        "`{exception}` is line {at} of the report:\n{stderr}"
    );
    let statuses = report
        .iter()
        .position(|l| l.starts_with("Container final statuses:"))
        .expect("the container statuses");
    assert!(at < statuses, "{stderr}");
    assert!(report[0].starts_with("Why the driver failed ("), "{stderr}");
    let verdict = report.last().unwrap();
    assert!(
        verdict.starts_with("error: the driver pod")
            && verdict.contains(exception.trim_start_matches("Caused by: ")),
        "{stderr}"
    );
    // No shutdown noise for an explanation.
    assert!(!stderr.contains("ShutdownHookManager"), "{stderr}");

    let out = Command::new(BIN)
        .env("KUBECONFIG", ns.kubeconfig(User::Bob))
        .env("NO_COLOR", "1")
        .args(["describe", name])
        .output()
        .unwrap();
    let describe = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{describe}");
    assert!(describe.contains("\nWhy the driver failed ("), "{describe}");
    assert!(
        describe.lines().any(|l| l.trim() == exception),
        "describe:\n{describe}"
    );
    assert!(!describe.contains("Last log lines"), "{describe}");
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn real_node_a_raising_python_app_shows_its_exception_first() {
    let Some(node) = real_node() else { return };
    let ns = TestNamespace::new(node.cluster, "causes-py");
    assert!(ns.kubectl(&["get", "ns"]).status.success());
    setup(&ns);
    let work = tempfile::tempdir().unwrap();
    let app = write(
        work.path(),
        "raises.py",
        "from pyspark.sql import SparkSession\n\n\n\
         def check(record):\n    if record['id'] == 7:\n        \
         raise ValueError(f\"bad record id={record['id']}\")\n\n\n\
         spark = SparkSession.builder.getOrCreate()\n\
         for record in spark.range(10).collect():\n    check(record)\n",
    );
    let (code, stderr) = submit(&node, &ns, "raises", &[app]);
    assert_explained(&ns, "raises", code, &stderr, "ValueError: bad record id=7");
    assert!(
        stderr.contains("Exit 1: the application failed with the error above"),
        "{stderr}"
    );
}

#[test]
fn real_node_a_failing_jvm_app_shows_its_exception_chain_first() {
    let Some(node) = real_node() else { return };
    let ns = TestNamespace::new(node.cluster, "causes-jvm");
    setup(&ns);
    let work = tempfile::tempdir().unwrap();
    let jar = read_fails_jar(work.path());
    let (code, stderr) = submit(
        &node,
        &ns,
        "read-fails",
        &[
            "--class".into(),
            "ReadFails".into(),
            jar,
            "/etc/shadow".into(),
        ],
    );
    assert_explained(
        &ns,
        "read-fails",
        code,
        &stderr,
        "Caused by: java.io.FileNotFoundException: /etc/shadow (Permission denied)",
    );
    assert!(
        stderr.contains("\n  Exception in thread \"main\" org.apache.spark.SparkException:"),
        "{stderr}"
    );
    assert!(!stderr.contains("\tat "), "frames are shown:\n{stderr}");
}

/// `kubectl spark setup` as admin: the `spark` service account the driver runs as.
fn setup(ns: &TestNamespace) {
    let out = Command::new(BIN)
        .env("KUBECONFIG", ns.kubeconfig(User::Admin))
        .args(["setup", "-n", &ns.name])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `tests/fixtures/apps/ReadFails.java` compiled against the oracle's Spark jars (a JVM app
/// whose executors may not read the file it counts: a real job failure with a cause chain).
fn read_fails_jar(dir: &Path) -> String {
    let oracle = Command::new("tests/oracle/install.sh").output().unwrap();
    assert!(
        oracle.status.success(),
        "{}",
        String::from_utf8_lossy(&oracle.stderr)
    );
    let jars: PathBuf = [
        String::from_utf8_lossy(&oracle.stdout).trim(),
        "4.0.5",
        "jars",
    ]
    .iter()
    .collect();
    let javac = Command::new("javac")
        .args(["-d", &dir.display().to_string(), "-cp"])
        .arg(format!("{}/*", jars.display()))
        .arg("tests/fixtures/apps/ReadFails.java")
        .output()
        .unwrap();
    assert!(
        javac.status.success(),
        "{}",
        String::from_utf8_lossy(&javac.stderr)
    );
    let jar = dir.join("read-fails.jar");
    let made = Command::new("jar")
        .args([
            "cf",
            &jar.display().to_string(),
            "-C",
            &dir.display().to_string(),
            "ReadFails.class",
        ])
        .status()
        .unwrap();
    assert!(made.success());
    jar.display().to_string()
}
