//! End-to-end tests on the local cluster's real node (`tests/node`, `KSPARK_WITH_REAL_NODE=1`):
//! real containers (containerd + runc), a real Spark driver from the locally built image that
//! creates real executors, real logs, the real Spark UI, a real S3 download.
//!
//! Each Spark run costs about a minute on two busy cores, so the checks are combined into three
//! applications: one that succeeds (executors, status, logs, ui, an S3 dependency, `setup`'s
//! service account, `cleanup`), one that raises (exit 3, `describe`), one that is killed.
//! Run them one at a time (`--test-threads=1`): the node has 2 cores.
//!
//! Without a real node they print `SKIPPED`; under `CI=true` that is a failure. Every test name
//! starts with `real_node_`, which `tests/run.sh` skips in its kwok-only stage.

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Cluster, Run, S3, Spawned, TestNamespace, User, kspark, skip_real_node};
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Service};
use kube::api::{Api, ListParams};

/// A JVM starts in 20-40 s on two busy cores; a driver, then its executors, then the work.
const SPARK_TIMEOUT: Duration = Duration::from_secs(420);
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// What the real node's cluster says about it (`DIR/env`).
struct RealNode {
    cluster: &'static Cluster,
    /// `localhost/kubectl-spark/spark:<version>`, imported into the node's containerd.
    image: String,
    /// The pod template that lands a pod on the real node (nodeSelector + toleration).
    pod_template: PathBuf,
    /// The host address pods reach (API server, CoreDNS, the S3 server for these tests).
    host_ip: String,
}

fn real_node() -> Option<RealNode> {
    let cluster = Cluster::get()?;
    let get = |k: &str| cluster.env.get(k).filter(|v| !v.is_empty()).cloned();
    let Some(_) = get("KSPARK_REAL_NODE") else {
        return skip_real_node(&format!("{} has no real node", cluster.dir.display()));
    };
    let Some(image) = get("KSPARK_SPARK_IMAGE") else {
        return skip_real_node("the real node has no Spark image (tests/node/image/build.sh)");
    };
    Some(RealNode {
        cluster,
        image,
        pod_template: get("KSPARK_REAL_NODE_POD_TEMPLATE")
            .expect("KSPARK_REAL_NODE_POD_TEMPLATE")
            .into(),
        host_ip: get("KSPARK_REAL_NODE_IP").expect("KSPARK_REAL_NODE_IP"),
    })
}

/// The S3 server, which must listen where pods reach it (the uploading client and the driver
/// use the same endpoint).
fn s3_for_pods(node: &RealNode) -> &'static S3 {
    let s3 = S3::get().expect("an S3 server (tests/s3/up.sh) for the real-node tests");
    assert!(
        s3.endpoint
            .starts_with(&format!("http://{}:", node.host_ip)),
        "the S3 server listens on {}, which pods cannot reach: start it with KSPARK_S3_HOST={} tests/s3/up.sh",
        s3.endpoint,
        node.host_ip
    );
    s3
}

fn run(ns: &TestNamespace, user: User, args: &[&str]) -> Run {
    let mut cmd = kspark(ns, user);
    cmd.args(args);
    Spawned::spawn(cmd).finish(COMMAND_TIMEOUT)
}

fn ok(ns: &TestNamespace, user: User, args: &[&str]) -> Run {
    let r = run(ns, user, args);
    assert_eq!(r.code, 0, "kubectl-spark {args:?}: {r}");
    r
}

/// `kubectl spark setup` as admin: the `spark` ServiceAccount and Role the driver runs with.
fn setup(ns: &TestNamespace) {
    ok(ns, User::Admin, &["setup", "-n", &ns.name]);
}

/// `kubectl spark submit` arguments for a Python app on the real node, as bob, with the
/// service account from `setup` and small requests (the node has 2 cores).
fn submit_args(node: &RealNode, name: &str, executors: u32, extra: &[String]) -> Vec<String> {
    let template = node.pod_template.display().to_string();
    let mut args: Vec<String> = vec!["submit".into(), "--name".into(), name.into()];
    for conf in [
        format!("spark.kubernetes.container.image={}", node.image),
        format!("spark.kubernetes.driver.podTemplateFile={template}"),
        format!("spark.kubernetes.executor.podTemplateFile={template}"),
        "spark.kubernetes.authenticate.driver.serviceAccountName=spark".into(),
        "spark.kubernetes.driver.request.cores=0.1".into(),
        "spark.kubernetes.executor.request.cores=0.1".into(),
        "spark.driver.memory=512m".into(),
        "spark.executor.memory=512m".into(),
        format!("spark.executor.instances={executors}"),
        // Start the work only when every executor is there (status shows them all).
        "spark.scheduler.minRegisteredResourcesRatio=1.0".into(),
        "spark.scheduler.maxRegisteredResourcesWaitingTime=300s".into(),
    ] {
        args.push("--conf".into());
        args.push(conf);
    }
    args.extend(extra.iter().cloned());
    args
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The application's summary from `status -o json`; `None` while `submit` has not created it.
fn try_status(ns: &TestNamespace, app: &str) -> Option<serde_json::Value> {
    let r = run(ns, User::Bob, &["status", app, "-o", "json"]);
    if r.code != 0 && r.stderr.contains("no Spark application is named") {
        return None;
    }
    assert_eq!(r.code, 0, "status {app}: {r}");
    let all: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {r}"));
    Some(all[0].clone())
}

fn status(ns: &TestNamespace, app: &str) -> serde_json::Value {
    try_status(ns, app).unwrap_or_else(|| panic!("no application {app}"))
}

/// Polls `status` until `done` holds for the summary, or panics with the last one.
fn wait_status(
    ns: &TestNamespace,
    app: &str,
    what: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + SPARK_TIMEOUT;
    loop {
        let s = try_status(ns, app).unwrap_or_default();
        if done(&s) {
            return s;
        }
        if s["state"] == "failed" || s["state"] == "succeeded" {
            let log = run(ns, User::Bob, &["logs", app, "--tail", "40"]);
            panic!(
                "{app}: ended ({}) before being {what}; driver log:\n{}",
                s["state"], log.stdout
            );
        }
        assert!(
            Instant::now() < deadline,
            "{app}: not {what} after {SPARK_TIMEOUT:?}; last status: {s:#}\n{}",
            ns.kubectl(&["get", "pods", "-o", "wide"])
                .stdout
                .escape_ascii()
        );
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn executors(s: &serde_json::Value) -> (u64, u64) {
    (
        s["executors"]["running"].as_u64().unwrap_or(0),
        s["executors"]["total"].as_u64().unwrap_or(0),
    )
}

/// One HTTP/1.1 GET on a new connection to the local port: status line, headers, body.
fn http_get(port: u16, path: &str) -> (u16, String, String) {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(conn);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status in {head:?}"));
    let length = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse::<usize>().ok())
            .flatten()
    });
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            reader.read_exact(&mut body).unwrap();
        }
        None => {
            let _ = reader.read_to_end(&mut body);
        }
    }
    (code, head, String::from_utf8_lossy(&body).into_owned())
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Lines of a multiplexed `logs --all-executors` output, by `[pod]` prefix.
fn lines_of<'a>(out: &'a str, pod_prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    out.lines().filter(move |l| l.starts_with(pod_prefix))
}

const SUCCEEDING_APP: &str = r#"
import socket, sys, time
from pyspark.sql import SparkSession
import kspark_dep

spark = SparkSession.builder.getOrCreate()
sc = spark.sparkContext
print("kspark: the dependency says " + kspark_dep.GREETING, flush=True)

def work(i):
    print("kspark: task %d on executor host %s" % (i, socket.gethostname()), flush=True)
    time.sleep(0.5)
    return i

total = sum(sc.parallelize(range(4), 4).map(work).collect())
# Keep running (and the executors busy) while the test looks at status, ui and logs.
deadline = time.time() + float(sys.argv[1])
while time.time() < deadline:
    total += sum(sc.parallelize(range(4), 4).map(work).collect())
print("kspark: done, total %d" % total, flush=True)
spark.stop()
"#;

/// A Python app with an S3 dependency and 2 executors runs to success: `submit` exits 0;
/// while it runs `status` shows 2/2 executors, `ui` forwards the real Spark UI (REST API and
/// redirects), `logs --all-executors -f` streams the executors' output and ends with the app;
/// the `.py` dependency uploaded by `submit` to S3 is imported by the real driver; `setup`'s
/// service account was enough for the driver to create its executors; `cleanup` removes it.
#[test]
fn real_node_python_app_with_executors_runs_and_is_followed_to_success() {
    let Some(node) = real_node() else { return };
    let s3 = s3_for_pods(&node);
    let ns = TestNamespace::new(node.cluster, "real-ok");
    setup(&ns);
    let work = tempfile::tempdir().unwrap();
    let app = write(work.path(), "real_ok.py", SUCCEEDING_APP);
    let dep = write(
        work.path(),
        "kspark_dep.py",
        "GREETING = 'hello from a local file uploaded to S3'\n",
    );
    let prefix = format!("real-e2e/{}", ns.name);
    let mut extra = s3.confs(&prefix);
    extra.extend(["--py-files".into(), dep, app, "40".into()]);
    let mut submit = kspark(&ns, User::Bob);
    submit.args(submit_args(&node, "real-ok", 2, &extra));
    let t0 = Instant::now();
    let submit = Spawned::spawn(submit);

    // status: both executors running
    let s = wait_status(&ns, "real-ok", "running with 2/2 executors", |s| {
        s["state"] == "running" && executors(s) == (2, 2)
    });
    eprintln!("2/2 executors after {:?}: {s}", t0.elapsed());
    let table = ok(&ns, User::Bob, &["status", "real-ok"]).stdout;
    assert!(table.contains("2/2"), "status table:\n{table}");
    let app_id = s["appId"].as_str().expect("appId").to_string();

    // logs --all-executors -f, from now until the app ends
    let mut follow = kspark(&ns, User::Bob);
    follow.args(["logs", "real-ok", "--all-executors", "-f"]);
    let follow = Spawned::spawn(follow);

    // ui: the real Spark UI through the tunnel
    let mut ui_cmd = kspark(&ns, User::Bob);
    ui_cmd
        .args(["ui", "real-ok", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut ui = ui_cmd.spawn().unwrap();
    let (url, port) = common::read_ui_url(&mut ui);
    let (code, _, body) = http_get(port, "/api/v1/applications");
    assert_eq!(code, 200, "{url}/api/v1/applications: {body}");
    let apps: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(apps[0]["id"], app_id.as_str(), "{body}");
    let (code, head, _) = http_get(port, "/");
    assert!(
        (300..400).contains(&code),
        "GET / through the tunnel: {head}"
    );
    let location = header(&head, "location").expect("a redirect has a Location");
    let path = location
        .strip_prefix(&format!("http://127.0.0.1:{port}"))
        .unwrap_or(location);
    assert!(
        path.starts_with('/'),
        "redirect leaves the forwarded port: {location}"
    );
    let (code, _, page) = http_get(port, path);
    assert_eq!(code, 200, "GET {path}: {page}");
    assert!(page.contains("Spark Jobs"), "{path}: {page}");
    let _ = ui.kill();
    let _ = ui.wait();

    // the end: submit exits 0, the follower ends with the app
    let submitted = submit.finish(SPARK_TIMEOUT);
    assert_eq!(submitted.code, 0, "submit: {submitted}");
    eprintln!("succeeded after {:?}", t0.elapsed());
    let followed = follow.finish(Duration::from_secs(90));
    assert_eq!(followed.code, 0, "logs -f: {followed}");
    let executor_pods: std::collections::BTreeSet<&str> = followed
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix('[')?.split_once("] ").map(|(p, _)| p))
        .collect();
    assert_eq!(
        executor_pods.len(),
        2,
        "two executors in:\n{}",
        followed.stdout
    );
    for pod in &executor_pods {
        let prefix = format!("[{pod}] ");
        assert!(
            lines_of(&followed.stdout, &prefix).any(|l| l.contains("kspark: task")),
            "{pod} printed no task output:\n{}",
            followed.stdout
        );
    }

    // the driver imported the dependency that submit uploaded to S3
    let uploaded = s3.objects(&prefix);
    assert!(
        uploaded.iter().any(|k| k.ends_with("/kspark_dep.py")),
        "uploaded: {uploaded:?}"
    );
    let driver_log = ok(&ns, User::Bob, &["logs", "real-ok"]).stdout;
    assert!(
        driver_log.contains("kspark: the dependency says hello from a local file uploaded to S3"),
        "driver log:\n{driver_log}"
    );
    assert!(
        driver_log.contains("kspark: done, total"),
        "driver log:\n{driver_log}"
    );

    // cleanup removes the finished application
    std::thread::sleep(Duration::from_secs(2));
    ok(&ns, User::Bob, &["cleanup", "--older-than", "1s"]);
    let pods = ns.kubectl(&["get", "pods", "-o", "name"]);
    assert_eq!(
        String::from_utf8_lossy(&pods.stdout).trim(),
        "",
        "pods left after cleanup"
    );
}

/// A Python app that raises: `submit` exits 3; `describe` shows the driver's real termination
/// reason and exit code, and the last lines of its log (the Python traceback).
#[test]
fn real_node_python_app_that_raises_exits_3_and_describe_says_why() {
    let Some(node) = real_node() else { return };
    let ns = TestNamespace::new(node.cluster, "real-fail");
    setup(&ns);
    let work = tempfile::tempdir().unwrap();
    // A local primary file is uploaded to S3 and downloaded by the driver.
    let s3 = s3_for_pods(&node);
    let app = write(
        work.path(),
        "real_fail.py",
        "raise RuntimeError('kspark: deliberate failure of the e2e test')\n",
    );
    let mut extra = s3.confs(&format!("real-e2e/{}", ns.name));
    extra.push(app);
    let mut submit = kspark(&ns, User::Bob);
    submit.args(submit_args(&node, "real-fail", 1, &extra));
    let r = Spawned::spawn(submit).finish(SPARK_TIMEOUT);
    assert_eq!(r.code, 3, "submit of a failing app: {r}");

    let d = ok(&ns, User::Bob, &["describe", "real-fail"]).stdout;
    assert!(
        d.contains("terminated: Error, exit code 1"),
        "describe:\n{d}"
    );
    assert!(
        d.contains("RuntimeError: kspark: deliberate failure of the e2e test"),
        "describe shows no last log lines:\n{d}"
    );
    let s = status(&ns, "real-fail");
    assert_eq!(s["state"], "failed", "{s:#}");
    assert_eq!(s["exitCode"], 1, "{s:#}");

    std::thread::sleep(Duration::from_secs(2));
    let c = ok(&ns, User::Bob, &["cleanup", "--older-than", "1s"]);
    assert!(
        c.stdout.contains("real-fail") || c.stderr.contains("real-fail"),
        "{c}"
    );
    let pods = ns.kubectl(&["get", "pods", "-o", "name"]);
    assert_eq!(
        String::from_utf8_lossy(&pods.stdout).trim(),
        "",
        "pods left after cleanup"
    );
}

const LONG_APP: &str = r#"
import time
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
spark.sparkContext.parallelize(range(2), 2).count()
print("kspark: working until killed", flush=True)
time.sleep(3600)
"#;

/// `kill` of a running app: the driver gets SIGTERM (its shutdown hook runs) and ends within
/// the grace period; afterwards the executors, the Service and the ConfigMaps are gone
/// (owner references, and the driver's own clean-up): nothing is left in the namespace.
#[test]
fn real_node_kill_stops_a_running_app_and_everything_it_owns() {
    let Some(node) = real_node() else { return };
    let s3 = s3_for_pods(&node);
    let ns = TestNamespace::new(node.cluster, "real-kill");
    setup(&ns);
    let work = tempfile::tempdir().unwrap();
    let app = write(work.path(), "real_long.py", LONG_APP);
    let mut extra = s3.confs(&format!("real-e2e/{}", ns.name));
    extra.extend(["--no-wait".into(), app]);
    let mut submit = kspark(&ns, User::Bob);
    submit.args(submit_args(&node, "real-kill", 1, &extra));
    let r = Spawned::spawn(submit).finish(COMMAND_TIMEOUT);
    assert_eq!(r.code, 0, "submit --no-wait: {r}");

    wait_status(&ns, "real-kill", "running with its executor", |s| {
        s["state"] == "running" && executors(s) == (1, 1)
    });
    // wait until the app is idle in its sleep (its job done), then follow the driver's log
    let deadline = Instant::now() + SPARK_TIMEOUT;
    while !ok(&ns, User::Bob, &["logs", "real-kill"])
        .stdout
        .contains("kspark: working until killed")
    {
        assert!(Instant::now() < deadline, "the app never reached its sleep");
        std::thread::sleep(Duration::from_secs(1));
    }
    let mut follow = kspark(&ns, User::Bob);
    follow.args(["logs", "real-kill", "-f"]);
    let follow = Spawned::spawn(follow);
    std::thread::sleep(Duration::from_secs(1));

    let t0 = Instant::now();
    let grace = 30;
    ok(
        &ns,
        User::Bob,
        &[
            "kill",
            "real-kill",
            "--grace-period",
            &grace.to_string(),
            "--wait",
        ],
    );
    let took = t0.elapsed();
    eprintln!("kill --wait took {took:?}");
    assert!(
        took < Duration::from_secs(grace - 5),
        "kill --wait took {took:?}: the driver did not end on SIGTERM before the grace period ({grace}s)"
    );
    let followed = follow.finish(Duration::from_secs(60));
    assert!(
        followed
            .stdout
            .contains("Invoking stop() from shutdown hook")
            || followed.stdout.contains("RECEIVED SIGNAL TERM"),
        "the driver's log shows no SIGTERM handling:\n{}",
        followed.stdout
    );

    let admin = common::block_on({
        let kubeconfig = ns.kubeconfig(User::Admin);
        let name = ns.name.clone();
        move || async move {
            let client = common::client_from_kubeconfig(&kubeconfig).await;
            let lp = ListParams::default();
            let pods: Vec<String> = Api::<Pod>::namespaced(client.clone(), &name)
                .list(&lp)
                .await
                .unwrap()
                .items
                .into_iter()
                .filter_map(|p| p.metadata.name)
                .collect();
            let services: Vec<String> = Api::<Service>::namespaced(client.clone(), &name)
                .list(&lp)
                .await
                .unwrap()
                .items
                .into_iter()
                .filter_map(|s| s.metadata.name)
                .collect();
            let config_maps: Vec<String> = Api::<ConfigMap>::namespaced(client, &name)
                .list(&lp)
                .await
                .unwrap()
                .items
                .into_iter()
                .filter_map(|c| c.metadata.name)
                .filter(|n| n != "kube-root-ca.crt")
                .collect();
            (pods, services, config_maps)
        }
    });
    assert_eq!(
        admin,
        (vec![], vec![], vec![]),
        "(pods, services, configmaps) left after kill --wait"
    );
}
