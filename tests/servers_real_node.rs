//! Servers from the Apache operator's example manifests, run by `submit -f` on the local
//! cluster's real node (`KSPARK_WITH_REAL_NODE=1 tests/cluster/up.sh`, tests/node):
//!
//! - `examples/spark-history-server.yaml` (tests/fixtures/manifests, image, version and store
//!   settings swapped for the real node's and the S3 server's) becomes the namespace's History
//!   Server: `submit -f` waits until its REST API answers and says how to use it, `history`
//!   reuses it, `list` never shows it, `history --stop` removes it;
//! - `examples/spark-thrift-server.yaml` (one executor) serves JDBC on port 10000: beeline (the
//!   oracle's Spark distribution) gets the answer of a query through a port-forward, then
//!   `kill` leaves nothing behind.
//!
//! Every test name starts with `real_node_`, which `tests/run.sh` skips in its kwok-only stage
//! (it runs them in the real-node stage, one at a time: the node has 2 cores). Without a real
//! node they print `SKIPPED`; under `CI=true` that is a failure.

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Run, Running, S3, TestNamespace, User, real_node_with_image, run_kspark};

/// A JVM starts in 20-40 s on two busy cores.
const SERVER_TIMEOUT: Duration = Duration::from_secs(420);
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);
/// The Apache operator's `examples/spark-history-server.yaml`.
const APACHE_HISTORY: &str = include_str!("fixtures/manifests/apache-spark-history-server.yaml");
/// The Apache operator's `examples/spark-thrift-server.yaml`, with one executor.
const APACHE_THRIFT: &str = include_str!("fixtures/manifests/apache-spark-thrift-server.yaml");

/// The Spark version an image tag names (`localhost/kubectl-spark/spark:4.0.5` → `4.0.5`).
fn image_version(image: &str) -> String {
    let tag = image.rsplit_once(':').map(|(_, t)| t).unwrap_or_default();
    tag.chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect()
}

/// A manifest with `set` (sparkConf key → value) instead of its own values, the keys of
/// `drop` removed, and the real node's image and Spark version.
fn adapted(manifest: &str, image: &str, set: &[(&str, String)], drop: &[&str]) -> String {
    let version = image_version(image);
    manifest
        .lines()
        .filter(|l| {
            !drop
                .iter()
                .any(|k| l.trim_start().starts_with(&format!("{k}:")))
        })
        .map(|l| {
            let key = l.trim_start().split(':').next().unwrap_or_default();
            let indent = &l[..l.len() - l.trim_start().len()];
            match set.iter().find(|(k, _)| *k == key) {
                Some((k, v)) => format!("{indent}{k}: \"{v}\"\n"),
                None if key == "spark.kubernetes.container.image" => {
                    format!("{indent}{key}: \"{image}\"\n")
                }
                None if key == "sparkVersion" => format!("{indent}{key}: \"{version}\"\n"),
                None => format!("{l}\n"),
            }
        })
        .collect()
}

/// What lands a small server on the real node (flags apply after the manifest's sparkConf).
fn real_node_confs(template: &Path) -> Vec<String> {
    let template = template.display().to_string();
    [
        format!("spark.kubernetes.driver.podTemplateFile={template}"),
        format!("spark.kubernetes.executor.podTemplateFile={template}"),
        "spark.kubernetes.driver.request.cores=0.1".into(),
        "spark.kubernetes.executor.request.cores=0.1".into(),
        "spark.driver.memory=512m".into(),
        "spark.executor.memory=512m".into(),
    ]
    .into_iter()
    .flat_map(|c| ["--conf".to_string(), c])
    .collect()
}

#[track_caller]
fn ok(ns: &TestNamespace, user: User, args: &[&str]) -> Run {
    let r = run_kspark(ns, user, args, COMMAND_TIMEOUT);
    assert_eq!(r.code, 0, "kubectl-spark {args:?}: {r}");
    r
}

/// `kubectl get KINDS -o name` in the namespace, as admin.
fn names(ns: &TestNamespace, kinds: &str, selector: &str) -> Vec<String> {
    let out = ns.kubectl(&["get", kinds, "-l", selector, "-o", "name"]);
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn real_node_history_server_from_an_apache_manifest_is_the_namespaces_history_server() {
    let Some((cluster, image, template)) = real_node_with_image() else {
        return;
    };
    let s3 = S3::get().expect("an S3 server (tests/s3/up.sh) for the real-node tests");
    let ns = TestNamespace::new(cluster, "real-history-f");
    ok(&ns, User::Admin, &["setup"]);
    // The event-log directory must exist before the server reads it (an object store has no
    // directories: an object under the prefix makes one, as `setup --event-log-dir` does).
    let prefix = format!("history-f-{:08x}/events", rand::random::<u32>());
    let dir = s3.data.join(&s3.bucket).join(&prefix);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".kubectl-spark-event-logs"), b"").unwrap();
    let log_dir = format!("s3a://{}/{prefix}", s3.bucket);

    // The manifest with the S3 server's settings, and without the hadoop-aws download (the
    // image has it).
    let manifest = adapted(
        APACHE_HISTORY,
        &image,
        &[
            ("spark.history.fs.logDirectory", log_dir.clone()),
            ("spark.hadoop.fs.defaultFS", format!("s3a://{}", s3.bucket)),
            ("spark.hadoop.fs.s3a.endpoint", s3.endpoint.clone()),
            ("spark.hadoop.fs.s3a.access.key", s3.access_key.clone()),
            ("spark.hadoop.fs.s3a.secret.key", s3.secret_key.clone()),
        ],
        &["spark.jars.packages", "spark.jars.ivy"],
    );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("spark-history-server.yaml");
    std::fs::write(&file, manifest).unwrap();
    let mut args: Vec<String> = vec!["submit".into(), "-f".into(), file.display().to_string()];
    args.extend(real_node_confs(&template));
    for c in [
        "spark.hadoop.fs.s3a.connection.ssl.enabled=false",
        "spark.hadoop.fs.s3a.endpoint.region=us-east-1",
    ] {
        args.extend(["--conf".to_string(), c.to_string()]);
    }

    // submit waits until the server answers, says how to use it, and exits 0.
    let started = Instant::now();
    let submit = run_kspark(&ns, User::Bob, &args, SERVER_TIMEOUT);
    assert_eq!(submit.code, 0, "submit -f: {submit}");
    let _ = writeln!(
        std::io::stderr(),
        "figure: submit -f of the History Server returned after {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let id = submit.stdout.trim().to_string();
    let pod = id.split_once(':').unwrap().1.to_string();
    let err = &submit.stderr;
    for needle in [
        format!("Created the History Server {id}, reading {log_dir}"),
        format!("History Server {id} is ready"),
        format!("kubectl spark history -n {}", ns.name),
        "--open".to_string(),
        "restarts it in its pod".to_string(),
    ] {
        assert!(err.contains(&needle), "no `{needle}` in: {submit}");
    }
    assert!(
        !err.contains("to finish..."),
        "not waited for as a job: {submit}"
    );

    // It is the namespace's History Server: `history` reuses it, `list` does not show it.
    let history = ok(&ns, User::Bob, &["history", "-o", "json"]);
    assert!(
        history
            .stderr
            .contains(&format!("Using the History Server {}:{pod}", ns.name)),
        "{history}"
    );
    let apps: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    assert!(apps.as_array().is_some(), "{history}");
    assert_eq!(
        names(&ns, "pods", "kubectl-spark.io/history-server=true"),
        [format!("pod/{pod}")]
    );
    let policy = ns.kubectl(&["get", "pod", &pod, "-o", "jsonpath={.spec.restartPolicy}"]);
    assert_eq!(String::from_utf8_lossy(&policy.stdout), "Always");
    let list = ok(&ns, User::Bob, &["list", "-o", "name"]);
    assert!(!list.stdout.contains(&pod), "{list}");

    let stop = ok(&ns, User::Bob, &["history", "--stop"]);
    assert!(stop.stderr.contains(&pod), "{stop}");
    assert!(names(&ns, "pods,services,configmaps", "spark-app-selector").is_empty());
}

#[test]
fn real_node_thrift_server_from_an_apache_manifest_answers_beeline() {
    let Some((cluster, image, template)) = real_node_with_image() else {
        return;
    };
    let beeline = oracle_beeline(&image_version(&image));
    let ns = TestNamespace::new(cluster, "real-thrift-f");
    ok(&ns, User::Admin, &["setup"]);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("spark-thrift-server.yaml");
    std::fs::write(&file, adapted(APACHE_THRIFT, &image, &[], &[])).unwrap();
    let mut args: Vec<String> = vec![
        "submit".into(),
        "-f".into(),
        file.display().to_string(),
        "--no-wait".into(),
    ];
    args.extend(real_node_confs(&template));
    let submit = ok(
        &ns,
        User::Bob,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let id = submit.stdout.trim().to_string();
    let pod = id.split_once(':').unwrap().1.to_string();

    // Listening once the server says so in its log.
    let started = Instant::now();
    let mut log = String::new();
    while !log.contains("HiveThriftServer2 started") {
        assert!(
            started.elapsed() < SERVER_TIMEOUT,
            "the Thrift server did not start; its log:\n{log}"
        );
        std::thread::sleep(Duration::from_secs(3));
        log = run_kspark(&ns, User::Bob, &["logs", &id], COMMAND_TIMEOUT).stdout;
    }
    let _ = writeln!(
        std::io::stderr(),
        "figure: the Thrift server listened {:.0} s after submit",
        started.elapsed().as_secs_f64()
    );

    // kubectl-spark has no command that forwards an arbitrary port: kubectl does, as bob.
    let mut forward = ns.kubectl_as(User::Bob);
    forward
        .args(["port-forward", &format!("pod/{pod}"), ":10000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut forward = Running(forward.spawn().unwrap());
    let mut lines = BufReader::new(forward.0.stdout.take().unwrap()).lines();
    let line = lines.next().unwrap().unwrap();
    // kubectl writes more (`[::1]`, one line per connection): a closed pipe would kill it.
    std::thread::spawn(move || lines.for_each(drop));
    // `Forwarding from 127.0.0.1:PORT -> 10000`
    let port: u16 = line
        .split_whitespace()
        .nth(2)
        .and_then(|a| a.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no forwarded port in `{line}`"));
    let answer = Command::new(&beeline)
        .args([
            "-u",
            &format!("jdbc:hive2://127.0.0.1:{port}"),
            "--silent=true",
            "--outputformat=csv2",
            "-e",
            "SELECT 40 + 2 AS answer",
        ])
        .env_remove("SPARK_CONF_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&answer.stdout);
    assert!(
        answer.status.success() && out.lines().any(|l| l.trim() == "42"),
        "beeline: {}\n{out}\n{}",
        answer.status,
        String::from_utf8_lossy(&answer.stderr)
    );
    drop(forward);

    let kill = ok(&ns, User::Bob, &["kill", &id, "--wait"]);
    assert!(kill.stderr.contains(&pod), "{kill}");
    let left = ns.kubectl(&["get", "pods,services,configmaps", "-o", "name"]);
    let left: Vec<String> = String::from_utf8_lossy(&left.stdout)
        .lines()
        .filter(|l| !l.ends_with("/kube-root-ca.crt") && !l.ends_with("/kubectl-spark-defaults"))
        .map(str::to_string)
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// The oracle's beeline for Spark `version` (Apache Spark's distribution from PyPI,
/// `tests/oracle/install.sh`).
fn oracle_beeline(version: &str) -> PathBuf {
    let oracle = Command::new("tests/oracle/install.sh").output().unwrap();
    assert!(
        oracle.status.success(),
        "{}",
        String::from_utf8_lossy(&oracle.stderr)
    );
    let beeline: PathBuf = [
        String::from_utf8_lossy(&oracle.stdout).trim(),
        version,
        "bin",
        "beeline",
    ]
    .iter()
    .collect();
    assert!(beeline.exists(), "no {}", beeline.display());
    beeline
}
