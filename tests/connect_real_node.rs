//! `kubectl spark connect` with Spark really running: on the local cluster's real node
//! (containerd + kubelet, `KSPARK_WITH_REAL_NODE=1 tests/cluster/up.sh`, tests/node) with the
//! locally built image `localhost/kubectl-spark/spark:4.0.5`, and the real Spark Connect
//! client from PyPI (`tests/connect/install-client.sh`: a venv outside the repository).
//!
//! - a foreground `connect`: two client sessions at the same time run
//!   `spark.range(1000).selectExpr("sum(id)")` through the tunnel and get 499500, computed by
//!   an executor pod (the UI's REST API, through the UI forward, shows its tasks); Ctrl-C
//!   deletes the server and its executors;
//! - `connect --detach`, then `--attach` twice (the second after the first tunnel closed);
//! - a server that fails to start is reported with the reason (from its log), exit 3, and
//!   nothing is left.
//!
//! Its name starts with `real_node_` like `tests/real_node_e2e.rs`'s: `tests/run.sh` skips it in
//! its kwok-only stage and runs it in the real-node stage
//! (`KSPARK_WITH_REAL_NODE=1 tests/cluster/up.sh DIR`, then `KSPARK_CLUSTER_DIR=DIR cargo test
//! --test connect_real_node`). Without a real node it prints `SKIPPED`; under `CI=true` that is
//! a failure.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Running, TestNamespace, User, interrupt, kspark, real_node, run_kspark, wait_exit};
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::{Api, ListParams};

const VERSION: &str = "4.0.5";
const IMAGE: &str = "localhost/kubectl-spark/spark:4.0.5";
const QUERY: &str = r#"
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.remote(sys.argv[1]).getOrCreate()
print(spark.range(1000).selectExpr("sum(id)").collect()[0][0])
spark.stop()
"#;
/// Long enough for a server to start or fail (`--timeout 5m` in [`server_args`]) and be
/// cleaned up.
const SERVER_TIMEOUT: Duration = Duration::from_secs(600);

/// The venv's python with the Spark Connect client.
fn client_python() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/connect/install-client.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg(VERSION)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tests/connect/install-client.sh failed"
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// The Spark options of a small server on the real node.
fn server_args(template: &Path, image: &str, name: &str) -> Vec<String> {
    let t = template.display();
    [
        name.to_string(),
        "-c".into(),
        format!("spark.kubernetes.container.image={image}"),
        "-c".into(),
        "spark.kubernetes.authenticate.driver.serviceAccountName=spark".into(),
        "-c".into(),
        format!("spark.kubernetes.driver.podTemplateFile={t}"),
        "-c".into(),
        format!("spark.kubernetes.executor.podTemplateFile={t}"),
        "-c".into(),
        "spark.kubernetes.driver.request.cores=0.1".into(),
        "-c".into(),
        "spark.kubernetes.executor.request.cores=0.1".into(),
        "--driver-memory".into(),
        "768m".into(),
        "--executor-memory".into(),
        "512m".into(),
        "--num-executors".into(),
        "1".into(),
        "--timeout".into(),
        "5m".into(),
    ]
    .into()
}

/// A running `connect`: the process, its connection string, its local UI port, and the rest
/// of its stderr (collected from the "Forwarding …" line on).
struct Connect {
    process: Running,
    remote: String,
    ui_port: u16,
    stderr: std::thread::JoinHandle<String>,
}

/// Starts `connect` with free local ports; waits for the connection string on stdout and the
/// forwarding line on stderr.
fn start(ns: &TestNamespace, args: &[String]) -> Connect {
    let mut cmd = kspark(ns, User::Bob);
    cmd.arg("connect")
        .args(args)
        .args(["--port", "0", "--ui-port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = Running(cmd.spawn().unwrap());
    let mut stderr = BufReader::new(child.0.stderr.take().unwrap());
    let mut seen = String::new();
    let ui_port = loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            let _ = child.0.wait();
            panic!("connect ended before forwarding: {seen}");
        }
        seen.push_str(&line);
        if let Some(port) = ui_port_in(&line) {
            break port;
        }
    };
    let mut remote = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut remote)
        .unwrap();
    let rest = std::thread::spawn(move || {
        let _ = stderr.read_to_string(&mut seen);
        seen
    });
    Connect {
        process: child,
        remote: remote.trim().to_string(),
        ui_port,
        stderr: rest,
    }
}

/// Runs the query with the real client through the tunnel: its output.
fn query(python: &Path, remote: &str) -> std::process::Child {
    Command::new(python)
        .args(["-c", QUERY, remote])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn result_of(child: std::process::Child) -> String {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the Spark Connect client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The Spark UI's REST API through the UI forward: tasks run by executors other than the driver.
fn executor_tasks(ui_port: u16) -> i64 {
    let mut conn = TcpStream::connect(("127.0.0.1", ui_port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    conn.write_all(b"GET /api/v1/applications HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    let _ = conn.read_to_string(&mut text);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    let apps: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"));
    let id = apps[0]["id"].as_str().unwrap().to_string();
    let mut conn = TcpStream::connect(("127.0.0.1", ui_port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        conn,
        "GET /api/v1/applications/{id}/executors HTTP/1.0\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    let _ = conn.read_to_string(&mut text);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    let executors: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"));
    executors
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["id"] != "driver")
        .map(|e| e["totalTasks"].as_i64().unwrap_or(0))
        .sum()
}

/// The UI port in `connect`'s forwarding line (`… and http://127.0.0.1:<port> to its Spark UI`).
fn ui_port_in(line: &str) -> Option<u16> {
    let at = line.find(" to its Spark UI")?;
    line[..at].rsplit(':').next()?.parse().ok()
}

async fn pods_of(client: &kube::Client, ns: &str, selector: &str) -> Vec<Pod> {
    Api::<Pod>::namespaced(client.clone(), ns)
        .list(&ListParams::default().labels(selector))
        .await
        .unwrap()
        .items
}

async fn wait_gone(client: &kube::Client, ns: &str, app_id: &str) {
    let selector = format!("spark-app-selector={app_id}");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let pods = pods_of(client, ns, &selector).await.len();
        let secrets = Api::<Secret>::namespaced(client.clone(), ns)
            .list(&ListParams::default().labels(&selector))
            .await
            .unwrap()
            .items
            .len();
        if pods + secrets == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "left behind: {pods} pods, {secrets} secrets"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn real_node_spark_connect_sessions_attach_and_failures() {
    let Some(node) = real_node() else {
        return;
    };
    let (template, image) = (
        node.pod_template,
        node.image.unwrap_or_else(|| IMAGE.to_string()),
    );
    let python = client_python();
    let ns = TestNamespace::new(node.cluster, "connect-real");
    let client = ns.client(User::Bob).await;
    // The driver's service account, allowed to create its executors.
    let setup = run_kspark(
        &ns,
        User::Admin,
        &["setup", "-n", &ns.name],
        Duration::from_secs(60),
    );
    assert_eq!(setup.code, 0, "{setup}");

    // 1. Foreground: two sessions at once, on an executor; Ctrl-C deletes everything.
    let t0 = Instant::now();
    let mut fg = start(&ns, &server_args(&template, &image, "fg"));
    assert!(fg.remote.contains("/;token="), "{}", fg.remote);
    eprintln!(
        "foreground server ready and forwarding after {:?}",
        t0.elapsed()
    );
    let (a, b) = (query(&python, &fg.remote), query(&python, &fg.remote));
    assert_eq!(result_of(a), "499500");
    assert_eq!(result_of(b), "499500");
    let server = pods_of(&client, &ns.name, "kubectl-spark.io/connect-server=true").await;
    assert_eq!(server.len(), 1);
    let app_id = server[0].metadata.labels.as_ref().unwrap()["spark-app-selector"].clone();
    let executors = pods_of(
        &client,
        &ns.name,
        &format!("spark-app-selector={app_id},spark-role=executor"),
    )
    .await;
    assert!(!executors.is_empty(), "no executor pod");
    // The first executor is still the one: none failed while the server started (they reach
    // the driver through its Service before the pod is Ready).
    assert!(
        executors.iter().any(|p| p
            .metadata
            .name
            .as_deref()
            .is_some_and(|n| n.ends_with("-exec-1"))),
        "executors failed before the server was ready: {:?}",
        executors
            .iter()
            .map(|p| p.metadata.name.clone())
            .collect::<Vec<_>>()
    );
    // The tasks ran on the executor (the UI's REST API, through the UI forward).
    let ui_port = fg.ui_port;
    let tasks = tokio::task::spawn_blocking(move || executor_tasks(ui_port))
        .await
        .unwrap();
    assert!(tasks > 0, "no task ran on an executor");
    interrupt(&fg.process.0);
    assert_eq!(wait_exit(&mut fg.process.0, Duration::from_secs(120)), 0);
    let err = fg.stderr.join().unwrap();
    assert!(err.contains("is gone."), "{err}");
    wait_gone(&client, &ns.name, &app_id).await;
    eprintln!("foreground round done after {:?}", t0.elapsed());

    // 2. --detach, then --attach twice (the second after the first tunnel closed).
    let mut args = vec!["connect".to_string(), "--detach".to_string()];
    args.extend(server_args(&template, &image, "bg"));
    let detached = run_kspark(&ns, User::Bob, &args, SERVER_TIMEOUT);
    assert_eq!(detached.code, 0, "{detached}");
    let id = detached.stdout.trim().to_string();
    let server = pods_of(&client, &ns.name, "kubectl-spark.io/connect-server=true").await;
    let app_id = server[0].metadata.labels.as_ref().unwrap()["spark-app-selector"].clone();
    for round in 0..2 {
        let mut attached = start(&ns, &["--attach".to_string(), id.clone()]);
        assert_eq!(
            result_of(query(&python, &attached.remote)),
            "499500",
            "round {round}"
        );
        interrupt(&attached.process.0);
        assert_eq!(
            wait_exit(&mut attached.process.0, Duration::from_secs(60)),
            0
        );
        let err = attached.stderr.join().unwrap();
        assert!(err.contains("keeps running"), "{err}");
        assert_eq!(
            pods_of(&client, &ns.name, "kubectl-spark.io/connect-server=true")
                .await
                .len(),
            1
        );
    }
    let kill = run_kspark(
        &ns,
        User::Bob,
        &["kill", &id, "--wait"],
        Duration::from_secs(120),
    );
    assert_eq!(kill.code, 0, "{kill}");
    wait_gone(&client, &ns.name, &app_id).await;

    // 3. A server that cannot start: a plugin class that does not exist.
    let mut args = vec!["connect".to_string()];
    args.extend(server_args(&template, &image, "broken"));
    args.extend(["-c".into(), "spark.plugins=org.example.NoSuchPlugin".into()]);
    let broken = run_kspark(&ns, User::Bob, &args, SERVER_TIMEOUT);
    let err = &broken.stderr;
    assert_eq!(broken.code, 3, "{broken}");
    assert!(err.contains("did not start"), "{err}");
    assert!(
        err.contains("org.example.NoSuchPlugin"),
        "the log tail names the class: {err}"
    );
    let left = pods_of(&client, &ns.name, "kubectl-spark.io/connect-server=true").await;
    assert!(left.is_empty(), "left behind: {}", left.len());
    eprintln!("real-node connect test done after {:?}", t0.elapsed());
}
