//! Spark's own view on the real node: a real driver's REST API read through the API server's
//! pod proxy. One multi-stage PySpark application (one of its jobs fails on purpose) shows,
//! while `submit` waits on a pipe, plain lines naming each active stage and its `n/N` tasks;
//! `status -o wide` shows JOBS/STAGES/TASKS with figures; `describe` shows the Spark section
//! (jobs, the failed stage with its Python exception line, the executor).
//!
//! Without a real node it prints `SKIPPED` (a failure under `CI=true`). The test name starts
//! with `real_node_`, which `tests/run.sh` runs in its real-node stage only.

mod common;

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Cluster, S3, TestNamespace, User};

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-spark");
/// A JVM starts in 20-40 s on two busy cores; a driver, then its executor, then the work.
const SPARK_TIMEOUT: Duration = Duration::from_secs(420);

/// Two jobs per round, each a shuffle (two stages: 8 then 4 tasks of half a second), for
/// `argv[1]` seconds; before them a job whose task raises (with `spark.task.maxFailures=1`
/// its stage fails at once), caught so the application goes on.
const STAGES_APP: &str = r#"
import sys, time
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
sc = spark.sparkContext

def slow(x):
    time.sleep(0.5)
    return x

def bad(x):
    if x == 3:
        raise ValueError("kspark: bad record id=%d" % x)
    return x

try:
    sc.parallelize(range(4), 2).map(bad).collect()
except Exception:
    print("kspark: the failing job failed as planned", flush=True)

deadline = time.time() + float(sys.argv[1])
rounds = 0
while time.time() < deadline:
    pairs = sc.parallelize(range(16), 8).map(slow).map(lambda x: (x % 3, x))
    pairs.reduceByKey(lambda a, b: a + b, 4).map(slow).collect()
    rounds += 1
print("kspark: done, %d rounds" % rounds, flush=True)
spark.stop()
"#;

struct RealNode {
    cluster: &'static Cluster,
    image: String,
    pod_template: PathBuf,
}

fn real_node() -> Option<RealNode> {
    let skip = |why: &str| {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("no real node, and CI=true forbids skipping: {why}");
        }
        let _ = writeln!(std::io::stderr(), "SKIPPED: no real node: {why}");
        None
    };
    let cluster = Cluster::get()?;
    let get = |k: &str| cluster.env.get(k).filter(|v| !v.is_empty()).cloned();
    if get("KSPARK_REAL_NODE").is_none() {
        return skip(&format!("{} has no real node", cluster.dir.display()));
    }
    let Some(image) = get("KSPARK_SPARK_IMAGE") else {
        return skip("the real node has no Spark image");
    };
    Some(RealNode {
        cluster,
        image,
        pod_template: get("KSPARK_REAL_NODE_POD_TEMPLATE")
            .expect("KSPARK_REAL_NODE_POD_TEMPLATE")
            .into(),
    })
}

/// The binary under test: this build's, or `KSPARK_TEST_BIN` (a copy of it, when several
/// worktrees share one target directory and another build may replace it mid-run).
fn bin() -> String {
    std::env::var("KSPARK_TEST_BIN").unwrap_or_else(|_| BIN.to_string())
}

fn kspark(ns: &TestNamespace, user: User) -> Command {
    let mut cmd = Command::new(bin());
    cmd.env("KUBECONFIG", ns.kubeconfig(user))
        .env("NO_COLOR", "1")
        .env_remove("KUBECTL_SPARK_LOG")
        .env_remove("SPARK_CONF_DIR")
        .env_remove("SPARK_HOME")
        .stdin(Stdio::null());
    cmd
}

/// Runs to the end (bounded); (exit code, stdout, stderr).
fn run(ns: &TestNamespace, user: User, args: &[&str]) -> (i32, String, String) {
    let out = kspark(ns, user)
        .args(args)
        .output()
        .expect("run kubectl-spark");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(ns: &TestNamespace, user: User, args: &[&str]) -> String {
    let (code, stdout, stderr) = run(ns, user, args);
    assert_eq!(code, 0, "kubectl-spark {args:?}:\n{stdout}\n{stderr}");
    stdout
}

/// A child killed when dropped (a failing assertion must not leave `submit` running).
struct Submit(Child);

impl Drop for Submit {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `n/N` with N > 0.
fn is_fraction(text: &str) -> bool {
    text.split_once('/')
        .is_some_and(|(a, b)| a.parse::<u64>().is_ok() && b.parse::<u64>().is_ok_and(|b| b > 0))
}

/// The cells of a table row (columns are separated by at least three spaces).
fn cells(row: &str) -> Vec<String> {
    row.split("   ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn real_node_multi_stage_job_shows_spark_progress_status_and_describe() {
    let Some(node) = real_node() else { return };
    let s3 = S3::get().expect("an S3 server (tests/s3/up.sh) for the real-node tests");
    let ns = TestNamespace::new(node.cluster, "spark-view");
    ok(&ns, User::Admin, &["setup", "-n", &ns.name]);
    let work = tempfile::tempdir().unwrap();
    let app = work.path().join("stages.py");
    std::fs::write(&app, STAGES_APP).unwrap();
    let template = node.pod_template.display().to_string();
    let mut args: Vec<String> = vec!["submit".into(), "--name".into(), "stages".into()];
    for conf in [
        format!("spark.kubernetes.container.image={}", node.image),
        format!("spark.kubernetes.driver.podTemplateFile={template}"),
        format!("spark.kubernetes.executor.podTemplateFile={template}"),
        "spark.kubernetes.authenticate.driver.serviceAccountName=spark".into(),
        "spark.kubernetes.driver.request.cores=0.1".into(),
        "spark.kubernetes.executor.request.cores=0.1".into(),
        "spark.driver.memory=512m".into(),
        "spark.executor.memory=512m".into(),
        "spark.executor.instances=1".into(),
        "spark.task.maxFailures=1".into(),
    ] {
        args.extend(["--conf".into(), conf]);
    }
    args.extend(s3.confs(&format!("spark-view/{}", ns.name)));
    args.extend([app.display().to_string(), "45".into()]);
    // stderr is a pipe: plain progress lines.
    let mut submit = Submit(
        kspark(&ns, User::Bob)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run kubectl-spark submit"),
    );
    let started = Instant::now();

    // status -o wide: the Spark columns have figures while it runs (once the failing job and
    // a shuffle job have been seen).
    let row = loop {
        let (code, table, err) = run(&ns, User::Bob, &["status", "stages", "-o", "wide"]);
        if code != 0 && err.contains("no Spark application is named") {
            // submit has not created it yet
            std::thread::sleep(Duration::from_secs(1));
            continue;
        }
        assert_eq!(code, 0, "status -o wide:\n{table}\n{err}");
        let mut lines = table.lines();
        let header = cells(lines.next().unwrap_or_default());
        let row = cells(lines.next().unwrap_or_default());
        let column = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| row.get(i).cloned())
                .unwrap_or_default()
        };
        let (state, jobs, stages, tasks) = (
            column("STATE"),
            column("JOBS"),
            column("STAGES"),
            column("TASKS"),
        );
        assert_ne!(state, "failed", "{table}");
        assert_ne!(
            state, "succeeded",
            "ended before status showed progress:\n{table}"
        );
        if state == "running"
            && jobs.split(',').next().is_some_and(is_fraction)
            && jobs
                .split_once('/')
                .is_some_and(|(_, t)| t.starts_with(|c: char| c > '1'))
            && stages.contains("active")
            && is_fraction(&tasks)
        {
            break table;
        }
        assert!(
            started.elapsed() < SPARK_TIMEOUT,
            "no Spark figures in status -o wide after {SPARK_TIMEOUT:?}:\n{table}"
        );
        std::thread::sleep(Duration::from_secs(2));
    };
    eprintln!("status -o wide after {:?}:\n{row}", started.elapsed());

    // describe: the Spark section
    let d = ok(&ns, User::Bob, &["describe", "stages"]);
    assert!(
        d.contains("\nSpark (the driver's REST API):\n"),
        "describe:\n{d}"
    );
    assert!(d.contains("  Jobs:           "), "describe:\n{d}");
    assert!(
        d.contains("ValueError: kspark: bad record id=3"),
        "the failed stage says why:\n{d}"
    );
    let executor_row = d
        .lines()
        .skip_while(|l| !l.starts_with("  Executors:      "))
        .find(|l| l.contains("-exec-1"))
        .unwrap_or_else(|| panic!("executor 1 with its pod:\n{d}"));
    assert!(executor_row.contains(" active "), "{executor_row}");

    // submit: exits 0, its stderr had per-stage task progress
    let deadline = Instant::now() + SPARK_TIMEOUT;
    let code = loop {
        if let Some(status) = submit.0.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        assert!(Instant::now() < deadline, "submit still running");
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut stderr = String::new();
    submit
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(code, 0, "submit:\n{stderr}");
    let progress: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("Stage ") && l.contains(" | jobs: "))
        .collect();
    assert!(
        progress.iter().any(|l| {
            l.starts_with("Stage ")
                && l.contains(" (reduceByKey at stages.py:")
                && l.split(": ")
                    .nth(1)
                    .and_then(|t| t.split(' ').next())
                    .is_some_and(|t| is_fraction(t) && t.ends_with("/8"))
        }),
        "no per-stage task progress in submit's stderr:\n{stderr}"
    );
    assert!(
        progress.iter().any(|l| l.contains("executors: 1 active")),
        "{stderr}"
    );
    eprintln!(
        "{} progress lines, e.g. {:?}",
        progress.len(),
        progress.get(progress.len() / 2)
    );
}
