//! End-to-end tests of executor reporting and `wait` on the local cluster's real node (real
//! containerd + kubelet, the real Spark image): executors OOMKilled are reported while `submit`
//! waits, counted by `status` and end the application with Spark's exit 11 (`submit` and
//! `wait` exit 3); an executor image that does not exist is reported while waiting (`submit`
//! and `wait` exit 4 on `--timeout`).
//!
//! The missing image runs Spark's own `pi.py` from the image (no upload). The OOMKilled one
//! uploads [`FILL_HEAP_APP`] (through the S3 server) whose one task fills its executor's JVM
//! heap, limited to 512 MiB, in a container limited to 512 + 16 MiB: the kernel kills it once
//! the heap and what the JVM holds beside it pass the limit, after the executor registered with
//! the driver (so Spark's REST API knows it and says why it was removed), and
//! `spark.executor.maxNumFailures=2` ends the application after the third loss.
//!
//! Without a real node they print `SKIPPED`; under `CI=true` that is a failure. Every test name
//! starts with `real_node_`, which `tests/run.sh` skips in its kwok-only stage; run them one at
//! a time (`--test-threads=1`): the node has 2 cores.

mod common;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Cluster, S3, TestNamespace, User};

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-spark");
/// A JVM starts in 20-40 s on two busy cores; a driver, then its executors.
const SPARK_TIMEOUT: Duration = Duration::from_secs(420);
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);
/// Spark's Python example, in the image.
const PI: &str = "local:///opt/spark/examples/src/main/python/pi.py";
/// One task that fills its executor's JVM heap: one group's `collect_list` grows in the
/// executor JVM (not in a Python worker) until the container's memory limit is passed.
const FILL_HEAP_APP: &str = r#"
from pyspark.sql import SparkSession, functions as F

spark = SparkSession.builder.getOrCreate()
rows = spark.range(0, 500_000_000, numPartitions=1).select(
    F.lit(1).alias("k"), F.expr("repeat('x', 200)").alias("v")
)
print(rows.groupBy("k").agg(F.size(F.collect_list("v"))).collect())
spark.stop()
"#;

/// What the real node's cluster says about it (`DIR/env`).
struct RealNode {
    cluster: &'static Cluster,
    image: String,
    pod_template: PathBuf,
}

fn real_node() -> Option<RealNode> {
    let cluster = Cluster::get()?;
    let get = |k: &str| cluster.env.get(k).filter(|v| !v.is_empty()).cloned();
    let (Some(_), Some(image)) = (get("KSPARK_REAL_NODE"), get("KSPARK_SPARK_IMAGE")) else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("no real node with a Spark image, and CI=true forbids skipping");
        }
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: no real node (start the cluster with KSPARK_WITH_REAL_NODE=1 tests/cluster/up.sh)"
        );
        return None;
    };
    Some(RealNode {
        cluster,
        image,
        pod_template: get("KSPARK_REAL_NODE_POD_TEMPLATE")
            .expect("KSPARK_REAL_NODE_POD_TEMPLATE")
            .into(),
    })
}

fn kspark(ns: &TestNamespace, user: User) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("KUBECONFIG", ns.kubeconfig(user))
        .env("NO_COLOR", "1")
        .env_remove("KUBECTL_SPARK_LOG")
        .env_remove("SPARK_CONF_DIR")
        .env_remove("SPARK_HOME")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A child killed when dropped (a failing assertion must not leave it running).
struct Running(Child);

impl Running {
    fn finish(mut self, timeout: Duration) -> Run {
        let deadline = Instant::now() + timeout;
        loop {
            if self.0.try_wait().unwrap().is_some() {
                break;
            }
            assert!(Instant::now() < deadline, "still running after {timeout:?}");
            std::thread::sleep(Duration::from_millis(200));
        }
        let child = std::mem::replace(
            &mut self.0,
            Command::new("true").spawn().expect("spawn true"),
        );
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run(ns: &TestNamespace, args: &[&str], timeout: Duration) -> Run {
    run_as(ns, User::Bob, args, timeout)
}

fn run_as(ns: &TestNamespace, user: User, args: &[&str], timeout: Duration) -> Run {
    let mut cmd = kspark(ns, user);
    cmd.args(args);
    Running(cmd.spawn().expect("run kubectl-spark")).finish(timeout)
}

/// `kubectl spark setup` as admin: the `spark` ServiceAccount and Role the driver runs with.
fn setup(ns: &TestNamespace) {
    let r = run_as(ns, User::Admin, &["setup", "-n", &ns.name], COMMAND_TIMEOUT);
    assert_eq!(r.code, 0, "{r}");
}

/// `submit` arguments for an application on the real node, as bob, with `setup`'s service account,
/// small requests and one executor; `extra` confs after.
fn submit_args(node: &RealNode, name: &str, extra: &[&str], tail: &[&str]) -> Vec<String> {
    let template = node.pod_template.display().to_string();
    let mut args: Vec<String> = vec!["submit".into(), "--name".into(), name.into()];
    let confs = [
        format!("spark.kubernetes.container.image={}", node.image),
        format!("spark.kubernetes.driver.podTemplateFile={template}"),
        format!("spark.kubernetes.executor.podTemplateFile={template}"),
        "spark.kubernetes.authenticate.driver.serviceAccountName=spark".into(),
        "spark.kubernetes.driver.request.cores=0.1".into(),
        "spark.kubernetes.executor.request.cores=0.1".into(),
        "spark.driver.memory=512m".into(),
        "spark.executor.memory=512m".into(),
        "spark.executor.instances=1".into(),
    ];
    for conf in confs
        .iter()
        .map(String::as_str)
        .chain(extra.iter().copied())
    {
        args.push("--conf".into());
        args.push(conf.into());
    }
    args.extend(tail.iter().map(|s| s.to_string()));
    args
}

fn status_json(ns: &TestNamespace, app: &str) -> Option<serde_json::Value> {
    let r = run(ns, &["status", app, "-o", "json"], COMMAND_TIMEOUT);
    if r.code != 0 {
        return None;
    }
    serde_json::from_str::<serde_json::Value>(&r.stdout)
        .ok()
        .map(|all| all[0].clone())
}

/// `status -o wide`'s JOBS and EXECUTORS cells of one application, and the whole table.
fn status_wide(ns: &TestNamespace, app: &str) -> Option<(String, String, String)> {
    let r = run(ns, &["status", app, "-o", "wide"], COMMAND_TIMEOUT);
    if r.code != 0 {
        return None;
    }
    let mut lines = r.stdout.lines();
    let (header, row) = (lines.next()?, lines.next()?);
    // Cells start where their header does; the next header begins the next one.
    let column = |name: &str| {
        let start = header.find(name)?;
        let end = header[start..]
            .find("   ")
            .and_then(|gap| {
                let after = start + gap;
                header[after..].find(|c| c != ' ').map(|i| after + i)
            })
            .unwrap_or(row.len());
        row.get(start..end.min(row.len()))
            .map(|c| c.trim().to_string())
    };
    Some((column("JOBS")?, column("EXECUTORS")?, r.stdout.clone()))
}

/// Executors OOMKilled: each loss is reported once while `submit` waits, with the running
/// count; `status` counts them while the application runs (from the pods' Events once Spark
/// deleted them, without their reason), and `status -o wide` names those from Spark's REST
/// answer (`removeReason`: OOMKilled); Spark gives up after `spark.executor.maxNumFailures`
/// (exit 11), `submit` exits 3; `wait` on the finished application exits 3 too, and
/// `describe` still lists the deleted executors' events.
#[test]
fn real_node_oomkilled_executors_are_reported_counted_and_end_the_app() {
    let Some(node) = real_node() else { return };
    let s3 = S3::get().expect("an S3 server (tests/s3/up.sh) for the real-node tests");
    let ns = TestNamespace::new(node.cluster, "real-oom");
    setup(&ns);
    let work = tempfile::tempdir().unwrap();
    let app = work.path().join("fill_heap.py");
    std::fs::write(&app, FILL_HEAP_APP).unwrap();
    let app = app.display().to_string();
    let mut submit = kspark(&ns, User::Bob);
    submit
        .args(submit_args(
            &node,
            "real-oom",
            &[
                "spark.executor.memoryOverhead=16m",
                "spark.executor.maxNumFailures=2",
            ],
            &[],
        ))
        .args(s3.confs(&format!("real-oom/{}", ns.name)))
        .arg(&app);
    let t0 = Instant::now();
    let submit = Running(submit.spawn().expect("run submit"));

    // status counts the losses while the driver runs; when the executors' pods are gone (the
    // plain count has no reason for some), `-o wide` names them from Spark's answer.
    let mut most_lost = 0;
    let mut seen_running = false;
    let mut named_by_spark = Vec::new();
    loop {
        if let Some(s) = status_json(&ns, "real-oom") {
            if s["state"] == "running" {
                seen_running = true;
                let lost = &s["executors"]["lost"];
                let count = lost["count"].as_u64().unwrap_or(0);
                most_lost = most_lost.max(count);
                let named: u64 = lost["reasons"]
                    .as_object()
                    .map(|r| r.values().filter_map(|n| n.as_u64()).sum())
                    .unwrap_or(0);
                if named < count
                    && let Some((jobs, executors, table)) = status_wide(&ns, "real-oom")
                    && jobs != "?"
                    && jobs != "-"
                {
                    eprintln!("status -o wide with {count} lost, {named} named:\n{table}");
                    // Spark knows every executor of this app (each registered before its
                    // heap filled): none is left without a reason.
                    let lost_text = executors.split_once(", ").map(|(_, l)| l.to_string());
                    let lost_text = lost_text.expect("a loss in the EXECUTORS column");
                    assert!(
                        lost_text.ends_with(" lost (OOMKilled)"),
                        "every loss named OOMKilled:\n{table}"
                    );
                    if named_by_spark.is_empty() {
                        // Spark's own words, as the REST API gives them.
                        let path = format!(
                            "/api/v1/namespaces/{}/pods/{}:4040/proxy/api/v1/applications/{}/allexecutors",
                            ns.name,
                            s["driverPod"].as_str().unwrap_or_default(),
                            s["appId"].as_str().unwrap_or_default()
                        );
                        let raw = ns.kubectl(&["get", "--raw", &path]);
                        eprintln!("{path}:\n{}", String::from_utf8_lossy(&raw.stdout));
                    }
                    named_by_spark.push(lost_text);
                }
            }
            if s["state"] == "failed" || s["state"] == "succeeded" {
                break;
            }
        }
        assert!(t0.elapsed() < SPARK_TIMEOUT, "real-oom did not end");
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(seen_running, "never saw the driver running");
    assert!(
        most_lost >= 1,
        "status never counted a lost executor while the app ran"
    );
    assert!(
        !named_by_spark.is_empty(),
        "status -o wide never named a loss whose pod was gone"
    );
    eprintln!(
        "status counted up to {most_lost} lost after {:?}; -o wide named them: {named_by_spark:?}",
        t0.elapsed()
    );

    let r = submit.finish(COMMAND_TIMEOUT);
    eprintln!("submit:\n{r}");
    assert_eq!(r.code, 3, "{r}");
    let oom_lines: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains(") failed: OOMKilled, exit 137 ("))
        .collect();
    assert!(
        oom_lines.len() >= 2,
        "each OOMKilled executor reported while waiting:\n{r}"
    );
    assert!(
        oom_lines[0].contains("(1 lost (OOMKilled) so far)")
            && oom_lines[1].contains("(2 lost (OOMKilled) so far)"),
        "{oom_lines:?}"
    );
    assert!(r.stderr.contains("exit code: 11"), "Spark's exit 11: {r}");
    // Exit 11 is explained with the losses the wait saw, and the memory advice.
    assert!(
        r.stderr.contains("were OOMKilled") && r.stderr.contains("spark.executor.memoryOverhead"),
        "exit 11 explained with the memory advice: {r}"
    );

    // wait on the finished application exits as submit did.
    let w = run(
        &ns,
        &["wait", "real-oom", "--log-tail", "5"],
        COMMAND_TIMEOUT,
    );
    assert_eq!(w.code, 3, "{w}");
    assert!(w.stderr.contains("exit code: 11"), "{w}");

    // describe keeps the events of the executors Spark deleted.
    let d = run(&ns, &["describe", "real-oom"], COMMAND_TIMEOUT);
    assert_eq!(d.code, 0, "{d}");
    assert!(
        d.stdout
            .lines()
            .any(|l| l.contains("-exec-1 ") && l.contains("Started")),
        "{d}"
    );
}

/// An executor image that does not exist is reported while `submit` waits (not `phase:
/// Running` until `--timeout`); `wait` on the still running application reports it too and
/// exits 4 on `--timeout`. The test then kills the application.
#[test]
fn real_node_missing_executor_image_is_reported_while_waiting() {
    let Some(node) = real_node() else { return };
    let ns = TestNamespace::new(node.cluster, "real-noimg");
    setup(&ns);
    let args = submit_args(
        &node,
        "real-noimg",
        &["spark.kubernetes.executor.container.image=localhost/nope:1"],
        &["--timeout", "90s", PI, "2"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&ns, &args, SPARK_TIMEOUT);
    eprintln!("submit:\n{r}");
    assert_eq!(r.code, 4, "{r}");
    let pending = r
        .stderr
        .lines()
        .filter(|l| l.contains("-exec-1) is Pending: ") && l.contains("localhost/nope:1"))
        .count();
    assert_eq!(pending, 1, "reported once, with the image:\n{r}");
    assert!(
        r.stderr.contains("ErrImagePull") || r.stderr.contains("ImagePullBackOff"),
        "{r}"
    );

    let w = run(
        &ns,
        &["wait", "real-noimg", "--timeout", "5s"],
        COMMAND_TIMEOUT,
    );
    assert_eq!(w.code, 4, "{w}");
    assert!(w.stderr.contains("localhost/nope:1"), "{w}");

    let k = run(&ns, &["kill", "real-noimg", "--wait"], COMMAND_TIMEOUT);
    assert_eq!(k.code, 0, "{k}");
}
