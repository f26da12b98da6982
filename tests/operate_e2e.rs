//! End-to-end tests of the commands that operate applications — status, list, describe,
//! logs, ui, kill, cleanup — against the local cluster (kwok plays the kubelets: phases from
//! annotations, logs from files, port-forwards to a local HTTP server).
//!
//! Driver pods are created directly, shaped as Spark makes them (labels, container
//! `spark-kubernetes-driver` with the `spark-ui` port, executors owned by the driver).
//!
//! Run: `tests/cluster/up.sh && cargo test --test operate_e2e`. Without a cluster the tests
//! skip, or fail when `CI=true`. The `-o spark` test also needs the oracle
//! (`tests/oracle/install.sh`) and java.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{
    Cluster, Run, Running, TestNamespace, User, http_get, interrupt, kspark, read_page, run_to_end,
    wait_exit,
};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Service};
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(60);
const BIN: &str = env!("CARGO_BIN_EXE_kubectl-spark");

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

/// A driver pod as Spark shapes it; `extra` is merged into the pod (annotations, spec fields).
fn driver(name: &str, app_name: &str, app_id: &str, extra: Value) -> Pod {
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "labels": {"spark-role": "driver", "spark-app-name": app_name,
                       "spark-app-selector": app_id, "spark-version": "4.0.1"},
            "annotations": {},
        },
        "spec": {
            "restartPolicy": "Never",
            "containers": [{
                "name": "spark-kubernetes-driver",
                "image": "apache/spark:4.0.1",
                "ports": [{"name": "driver-rpc-port", "containerPort": 7078},
                          {"name": "spark-ui", "containerPort": 4040}],
            }],
        },
    });
    merge(&mut pod, extra);
    serde_json::from_value(pod).unwrap()
}

fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v,
    }
}

fn owner(driver: &Pod) -> Value {
    json!([{"apiVersion": "v1", "kind": "Pod", "name": driver.metadata.name,
            "uid": driver.metadata.uid, "controller": true}])
}

/// An executor pod owned by the driver, as the driver creates them.
fn executor(driver: &Pod, id: u32) -> Pod {
    let labels = driver.metadata.labels.clone().unwrap();
    let name = driver
        .metadata
        .name
        .as_deref()
        .unwrap()
        .replace("-driver", &format!("-exec-{id}"));
    serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "labels": {"spark-role": "executor", "spark-app-name": labels["spark-app-name"],
                       "spark-app-selector": labels["spark-app-selector"], "spark-exec-id": id.to_string()},
            "ownerReferences": owner(driver),
        },
        "spec": {"restartPolicy": "Never",
                 "containers": [{"name": "spark-kubernetes-executor", "image": "apache/spark:4.0.1"}]},
    }))
    .unwrap()
}

async fn create(pods: &Api<Pod>, pod: &Pod) -> Pod {
    pods.create(&PostParams::default(), pod)
        .await
        .unwrap_or_else(|e| panic!("create pod {:?}: {e}", pod.metadata.name))
}

fn phase(pod: Option<&Pod>) -> Option<&str> {
    pod?.status.as_ref()?.phase.as_deref()
}

async fn wait_phase(pods: &Api<Pod>, name: &str, wanted: &'static str) -> Pod {
    common::wait_for_pod(pods, name, TIMEOUT, wanted, |p| phase(p) == Some(wanted))
        .await
        .unwrap()
}

async fn running(pods: &Api<Pod>, pod: &Pod) -> Pod {
    let created = create(pods, pod).await;
    wait_phase(pods, created.metadata.name.as_deref().unwrap(), "Running").await
}

fn ok(ns: &TestNamespace, user: User, args: &[&str]) -> Run {
    let mut cmd = kspark(ns, user);
    cmd.args(args);
    let r = run_to_end(cmd, TIMEOUT);
    assert_eq!(r.code, 0, "kubectl-spark {args:?}: {r}");
    r
}

fn fails(ns: &TestNamespace, user: User, args: &[&str]) -> Run {
    let mut cmd = kspark(ns, user);
    cmd.args(args);
    let r = run_to_end(cmd, TIMEOUT);
    assert_ne!(r.code, 0, "kubectl-spark {args:?} should fail: {r}");
    r
}

// ------------------------------------------------------------------------------------------------
// status and list
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn status_shows_state_reason_and_executors() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-status");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    let pi = running(
        &pods,
        &driver("spark-pi-1a-driver", "spark-pi", "spark-1a", json!({})),
    )
    .await;
    running(&pods, &executor(&pi, 1)).await;
    running(&pods, &executor(&pi, 2)).await;
    let oom = json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/outcome": "Failed",
        "e2e.kubectl-spark.io/reason": "OOMKilled", "e2e.kubectl-spark.io/delay": "100"}}});
    create(
        &pods,
        &driver("etl-2b-driver", "nightly-etl", "spark-2b", oom),
    )
    .await;
    wait_phase(&pods, "etl-2b-driver", "Failed").await;

    let table = ok(&ns, User::Bob, &["status", "spark-pi", "nightly-etl"]).stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("EXECUTORS"),
        "{table}"
    );
    let pi_line = lines
        .iter()
        .find(|l| l.starts_with("spark-pi "))
        .expect(&table);
    assert!(
        pi_line.contains(" running ")
            && pi_line.contains(" 2/2 ")
            && pi_line.contains(" spark-pi-1a-driver "),
        "{table}"
    );
    let etl_line = lines
        .iter()
        .find(|l| l.starts_with("nightly-etl "))
        .expect(&table);
    assert!(etl_line.contains("failed (OOMKilled, exit 137)"), "{table}");

    let json: Value =
        serde_json::from_str(&ok(&ns, User::Bob, &["status", "spark-1a", "-o", "json"]).stdout)
            .unwrap();
    assert_eq!(
        json[0]["submissionId"],
        format!("{}:spark-pi-1a-driver", ns.name)
    );
    assert_eq!(json[0]["state"], "running");
    assert_eq!(json[0]["executors"], json!({"running": 2, "total": 2}));
    let yaml = ok(&ns, User::Bob, &["status", "etl-2b-driver", "-o", "yaml"]).stdout;
    assert!(
        yaml.contains("reason: OOMKilled") && yaml.contains("exitCode: 137"),
        "{yaml}"
    );
    let names = ok(&ns, User::Bob, &["status", "*", "-o", "name"]).stdout;
    assert_eq!(
        names.lines().collect::<BTreeSet<_>>(),
        BTreeSet::from([
            &*format!("{}:etl-2b-driver", ns.name),
            &*format!("{}:spark-pi-1a-driver", ns.name)
        ])
    );
    let wide = ok(
        &ns,
        User::Bob,
        &[
            "status",
            &format!("{}:spark-pi-1a-driver", ns.name),
            "-o",
            "wide",
        ],
    )
    .stdout;
    assert!(
        wide.contains("spark-pi-1a-driver")
            && wide.contains(" spark-1a ")
            && wide.contains("apache/spark:4.0.1"),
        "{wide}"
    );

    // Without a name: every application of the namespace, as `kubectl get` lists.
    let all = ok(&ns, User::Bob, &["status"]).stdout;
    let rows: BTreeSet<&str> = all
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(rows, BTreeSet::from(["nightly-etl", "spark-pi"]), "{all}");
    let empty = TestNamespace::new(cluster, "op-status-none");
    let r = ok(&empty, User::Bob, &["status"]);
    assert!(r.stdout.is_empty(), "{r}");
    assert!(
        r.stderr.contains(&format!(
            "No Spark applications found in namespace {}.",
            empty.name
        )),
        "{r}"
    );

    // Naming an executor or a missing app is an error, never an action.
    let r = fails(&ns, User::Bob, &["status", "spark-pi-1a-exec-1"]);
    assert!(
        r.stderr.contains("is a Spark executor, not a driver"),
        "{r}"
    );
    assert!(
        r.stderr
            .contains(&format!("{}:spark-pi-1a-driver", ns.name)),
        "{r}"
    );
    let r = fails(&ns, User::Bob, &["status", "nothing-here"]);
    assert!(
        r.stderr
            .contains("no Spark application is named `nothing-here`"),
        "{r}"
    );
}

/// What the kubelet reports of a driver whose Spark container ended while its `log-shipper`
/// sidecar runs on: the pod stays `Running`.
async fn end_spark_container(pods: &Api<Pod>, name: &str, code: i32, reason: &str) {
    let status = json!({"status": {"phase": "Running", "containerStatuses": [
        {"name": "spark-kubernetes-driver", "image": "apache/spark:4.0.1", "imageID": "",
         "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": code,
         "reason": reason, "startedAt": "2026-01-01T10:00:00Z", "finishedAt": "2026-01-01T10:01:00Z"}}},
        {"name": "log-shipper", "image": "busybox", "imageID": "", "ready": true,
         "restartCount": 0, "state": {"running": {"startedAt": "2026-01-01T10:00:00Z"}}},
    ]}});
    pods.patch_status(name, &PatchParams::default(), &Patch::Merge(&status))
        .await
        .expect("patch the driver's status");
}

/// A driver whose Spark container ended while its pod's phase still says Running (a sidecar
/// keeps the pod running, or the kubelet lags): the table, `-o json`, `--state` and `status -w`
/// all say it ended, by its exit code; the pod's phase is kept in `podPhase`.
#[tokio::test]
async fn a_driver_whose_container_ended_before_its_pod_ended_by_its_exit_code() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-sidecar");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    let with_sidecar = json!({"spec": {"containers": [
        {"name": "spark-kubernetes-driver", "image": "apache/spark:4.0.1",
         "ports": [{"name": "spark-ui", "containerPort": 4040}]},
        {"name": "log-shipper", "image": "busybox"},
    ]}});
    running(
        &pods,
        &driver("shipped-1a-driver", "shipped", "spark-s1", with_sidecar),
    )
    .await;
    let admin: Api<Pod> = Api::namespaced(ns.client(User::Admin).await, &ns.name);
    end_spark_container(&admin, "shipped-1a-driver", 0, "Completed").await;

    let json: Value =
        serde_json::from_str(&ok(&ns, User::Bob, &["status", "shipped", "-o", "json"]).stdout)
            .unwrap();
    assert_eq!(json[0]["state"], "succeeded", "{json}");
    assert_eq!(json[0]["podPhase"], "Running", "{json}");
    assert_eq!(json[0]["exitCode"], 0, "{json}");
    let table = ok(&ns, User::Bob, &["status", "shipped"]).stdout;
    assert!(table.contains(" completed, pod running "), "{table}");
    let id = format!("{}:shipped-1a-driver", ns.name);
    let ended = ok(
        &ns,
        User::Bob,
        &["ls", "--state", "succeeded", "-o", "name"],
    )
    .stdout;
    assert_eq!(ended, format!("{id}\n"));
    let still = ok(&ns, User::Bob, &["ls", "--state", "running", "-o", "name"]).stdout;
    assert_eq!(still, "");
    // status -w ends at once: what it shows has ended.
    let r = ok(&ns, User::Bob, &["status", "shipped", "-w", "-o", "name"]);
    assert_eq!(r.stdout, format!("{id}\n"), "{r}");
    // wait ends on the container's exit code once the phase does not follow (not on its
    // --timeout, exit 4).
    ok(&ns, User::Bob, &["wait", "shipped", "--timeout", "2m"]);

    end_spark_container(&admin, "shipped-1a-driver", 1, "Error").await;
    let json: Value = serde_json::from_str(
        &ok(&ns, User::Bob, &["list", "--state", "failed", "-o", "json"]).stdout,
    )
    .unwrap();
    assert_eq!(json[0]["state"], "failed", "{json}");
    assert_eq!(json[0]["reason"], "Error", "{json}");
    assert_eq!(json[0]["exitCode"], 1, "{json}");
    let table = ok(&ns, User::Bob, &["status", "shipped"]).stdout;
    assert!(
        table.contains(" failed (Error, exit 1), pod running "),
        "{table}"
    );
    let r = fails(&ns, User::Bob, &["wait", "shipped", "--timeout", "2m"]);
    assert_eq!(r.code, 3, "the application failed: {r}");
    // cleanup takes it: it has ended, whatever its sidecar does.
    let r = ok(&ns, User::Bob, &["cleanup", "--older-than", "0s", "--yes"]);
    assert!(r.stderr.contains("shipped-1a-driver"), "{r}");
}

#[tokio::test]
async fn ambiguous_names_list_the_candidates() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-ambiguous");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    create(
        &pods,
        &driver("report-1-driver", "report", "spark-r1", json!({})),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1100)).await; // creation times have 1 s resolution
    let submitted = json!({"spec": {"serviceAccountName": "default", "containers": [{
        "name": "spark-kubernetes-driver", "image": "apache/spark:4.0.1",
        "args": ["driver", "--properties-file", "/opt/spark/conf/spark.properties",
                 "--class", "org.example.Report", "local:///opt/app/report.jar", "2025-01-01", "eu west"],
        "resources": {"requests": {"cpu": "1", "memory": "1408Mi"}, "limits": {"memory": "1408Mi"}}}]}});
    create(
        &pods,
        &driver("report-2-driver", "report", "spark-r2", submitted),
    )
    .await;

    // --latest: the newest run of the name; describe says what it runs.
    let latest = ok(&ns, User::Bob, &["describe", "report", "--latest"]).stdout;
    for line in [
        format!("Submission ID:    {}:report-2-driver\n", ns.name),
        "Main class:       org.example.Report\n".to_string(),
        "Resource:         local:///opt/app/report.jar\n".to_string(),
        "Arguments:        2025-01-01 'eu west'\n".to_string(),
        "Service account:  default\n".to_string(),
        "Driver:           cpu 1, memory 1408Mi\n".to_string(),
        "Executor size:    cpu 1, memory 1408Mi each; 2 asked\n".to_string(),
    ] {
        assert!(latest.contains(&line), "{line} in:\n{latest}");
    }
    assert_eq!(
        ok(
            &ns,
            User::Bob,
            &["status", "report", "--latest", "-o", "name"]
        )
        .stdout,
        format!("{}:report-2-driver\n", ns.name)
    );

    let r = fails(&ns, User::Bob, &["describe", "report"]);
    // Candidates newest first, each with its state and age.
    let newest = r
        .stderr
        .find(&format!("{}:report-2-driver", ns.name))
        .unwrap();
    let oldest = r
        .stderr
        .find(&format!("{}:report-1-driver", ns.name))
        .unwrap();
    assert!(newest < oldest, "{r}");
    assert!(r.stderr.contains("created "), "{r}");
    assert!(
        r.stderr
            .contains("`report` names 2 applications (newest first):"),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!("{}:report-1-driver", ns.name)),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!("{}:report-2-driver", ns.name)),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("hint: name one of them by its submission id"),
        "{r}"
    );
    assert!(r.stderr.contains("--latest"), "{r}");
    // status shows every match; the id picks one.
    assert_eq!(
        ok(&ns, User::Bob, &["status", "report", "-o", "name"])
            .stdout
            .lines()
            .count(),
        2
    );
    assert_eq!(
        ok(&ns, User::Bob, &["status", "spark-r2", "-o", "name"])
            .stdout
            .trim(),
        format!("{}:report-2-driver", ns.name)
    );
}

/// The oracle's spark-submit for Spark 4.0.5, or None (skip; a failure under CI=true).
fn oracle() -> Option<PathBuf> {
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
    let submit = cache.join("oracle/4.0.5/bin/spark-submit");
    let java = Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if submit.is_file() && java {
        return Some(submit);
    }
    let why = format!(
        "the spark-submit oracle ({}) or java is missing: run tests/oracle/install.sh",
        submit.display()
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{why}");
    }
    eprintln!("SKIPPED: {why}");
    None
}

fn spark_status(submit: &Path, kubeconfig: &Path, api_url: &str, id: &str) -> String {
    let mut cmd = Command::new(submit);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("SPARK_")
            || k.starts_with("PYSPARK_")
            || k.starts_with("HADOOP_")
            || k == "KUBECONFIG"
        {
            cmd.env_remove(&k);
        }
    }
    cmd.env("KUBECONFIG", kubeconfig)
        .env(
            "SPARK_SUBMIT_OPTS",
            "-Xmx384m -Xss1m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
        )
        .args(["--status", id, "--master", &format!("k8s://{api_url}")])
        .stdin(Stdio::null());
    let r = run_to_end(cmd, Duration::from_secs(240));
    assert_eq!(
        r.code, 0,
        "spark-submit --status (the oracle, not a product bug): {r}"
    );
    assert_eq!(r.stdout, "", "spark-submit prints its status on stderr");
    // Normalise nothing but the leading log noise (JVM warnings, log4j lines).
    let start = r
        .stderr
        .find("Submitting a request")
        .unwrap_or_else(|| panic!("no status in: {r}"));
    r.stderr[start..].to_string()
}

#[tokio::test]
async fn status_o_spark_matches_spark_submit() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let Some(submit) = oracle() else { return };
    let ns = TestNamespace::new(cluster, "op-spark-status");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Admin).await, &ns.name);
    let conf = json!({"spec": {"volumes": [{"name": "spark-local-dir-1", "emptyDir": {}}]}});
    running(
        &pods,
        &driver("spark-pi-3c-driver", "spark-pi", "spark-3c", conf),
    )
    .await;
    let failed = json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/outcome": "Failed",
        "e2e.kubectl-spark.io/exit-code": "3", "e2e.kubectl-spark.io/message": "boom", "e2e.kubectl-spark.io/delay": "100"}}});
    create(
        &pods,
        &driver("spark-pi-4d-driver", "spark-pi", "spark-4d", failed),
    )
    .await;
    wait_phase(&pods, "spark-pi-4d-driver", "Failed").await;
    let pending = json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/waiting-reason": "ImagePullBackOff"}}});
    create(
        &pods,
        &driver("spark-pi-5e-driver", "spark-pi", "spark-5e", pending),
    )
    .await;
    common::wait_for_pod(&pods, "spark-pi-5e-driver", TIMEOUT, "waiting", |p| {
        p.and_then(|p| p.status.as_ref())
            .and_then(|s| s.container_statuses.as_ref())
            .is_some()
    })
    .await;

    let kubeconfig = ns.kubeconfig(User::Admin);
    for id in [
        format!("{}:spark-pi-3c-driver", ns.name),
        format!("{}:spark-pi-4d-driver", ns.name),
        format!("{}:spark-pi-5e-driver", ns.name),
        format!("{}:spark-pi-*", ns.name),
    ] {
        let expected = spark_status(&submit, &kubeconfig, &cluster.api_url, &id);
        let ours = ok(&ns, User::Admin, &["status", &id, "-o", "spark"]);
        // spark-submit prints everything on stderr; we print the request line there and the
        // blocks (the data) on stdout.
        let (request_line, blocks) = expected.split_once('\n').unwrap();
        assert_eq!(
            ours.stderr,
            format!("{request_line}\n"),
            "request line for {id}"
        );
        assert_eq!(ours.stdout, blocks, "status block for {id}");
    }
    let missing = format!("{}:nothing-*", ns.name);
    let expected = spark_status(&submit, &kubeconfig, &cluster.api_url, &missing);
    let ours = ok(&ns, User::Admin, &["status", &missing, "-o", "spark"]);
    assert_eq!(format!("{}{}", ours.stderr, ours.stdout), expected);
}

#[tokio::test]
async fn list_sorts_newest_first_and_filters_by_state() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-list");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    let done = json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/outcome": "Succeeded", "e2e.kubectl-spark.io/delay": "100"}}});
    create(&pods, &driver("first-driver", "first", "spark-f1", done)).await;
    wait_phase(&pods, "first-driver", "Succeeded").await;
    tokio::time::sleep(Duration::from_millis(1100)).await; // creation times have 1 s resolution
    running(
        &pods,
        &driver("second-driver", "second", "spark-f2", json!({})),
    )
    .await;
    create(&pods, &common::pod("not-spark", "main", &[])).await;

    let table = ok(&ns, User::Bob, &["list"]).stdout;
    let names: Vec<&str> = table
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names, ["second", "first"], "{table}");
    let ls = ok(
        &ns,
        User::Bob,
        &["ls", "--state", "succeeded", "-o", "name"],
    )
    .stdout;
    assert_eq!(ls, format!("{}:first-driver\n", ns.name));
    let both = ok(
        &ns,
        User::Bob,
        &[
            "ls",
            "--state",
            "succeeded",
            "--state",
            "running",
            "-o",
            "name",
        ],
    )
    .stdout;
    assert_eq!(both.lines().count(), 2);
    let r = ok(&ns, User::Bob, &["ls", "--state", "failed"]);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .contains("No Spark applications in that state found"),
        "{r}"
    );
    let r = ok(&ns, User::Bob, &["ls", "--state", "failed", "-o", "json"]);
    assert_eq!(r.stdout, "[]\n");
    // completed: any ended application.
    let ended = ok(
        &ns,
        User::Bob,
        &["ls", "--state", "completed", "-o", "name"],
    );
    assert_eq!(
        ended.stdout,
        format!("{}:first-driver\n", ns.name),
        "{ended}"
    );
    // --all without a History Server: the pods, and why nothing more, on stderr only.
    let r = ok(&ns, User::Bob, &["ls", "--all", "-o", "json"]);
    let items: Value = serde_json::from_str(&r.stdout).expect("-o json stays JSON");
    assert_eq!(items.as_array().map(Vec::len), Some(2), "{r}");
    assert!(
        r.stderr.contains(&format!(
            "--all: no History Server runs in namespace {}",
            ns.name
        )),
        "{r}"
    );
    let r = fails(&ns, User::Bob, &["status", "--all", "spark-gone"]);
    assert_eq!(r.code, 2, "{r}");
    assert!(r.stderr.contains("no History Server runs"), "{r}");

    // kubectl's conventions.
    let both = ok(
        &ns,
        User::Bob,
        &["ls", "--state", "succeeded,running", "-o", "name"],
    );
    assert_eq!(both.stdout.lines().count(), 2, "{both}");
    assert!(
        table.starts_with("NAME     DRIVER POD      STATE"),
        "no NAMESPACE column without -A:\n{table}"
    );
    let bare = ok(&ns, User::Bob, &["ls", "--no-headers"]).stdout;
    assert_eq!(bare.lines().count(), 2, "{bare}");
    assert!(bare.starts_with("second "), "{bare}");
    let sorted = ok(
        &ns,
        User::Bob,
        &[
            "ls",
            "--sort-by=.created",
            "-o",
            "jsonpath={.items[*].appName}",
        ],
    )
    .stdout;
    assert_eq!(sorted, "first second");
    let ids = ok(
        &ns,
        User::Bob,
        &[
            "ls",
            "-o",
            r#"jsonpath={range .items[?(@.state=="running")]}{.submissionId}{"\n"}{end}"#,
        ],
    )
    .stdout;
    assert_eq!(ids, format!("{}:second-driver\n", ns.name));
    let columns = ok(
        &ns,
        User::Bob,
        &[
            "ls",
            "-o",
            "custom-columns=APP:.appName,STATE:.state,EXEC:.executors.total",
        ],
    )
    .stdout;
    assert_eq!(
        columns,
        "APP      STATE       EXEC\nsecond   running     0\nfirst    succeeded   0\n"
    );
    // -l: the driver's labels, on the server.
    let labelled = json!({"metadata": {"labels": {"team": "etl"}}});
    running(
        &pods,
        &driver("third-driver", "third", "spark-f3", labelled),
    )
    .await;
    let etl = ok(&ns, User::Bob, &["ls", "-l", "team=etl", "-o", "name"]).stdout;
    assert_eq!(etl, format!("{}:third-driver\n", ns.name));
    let etl = ok(
        &ns,
        User::Bob,
        &["status", "--selector", "team=etl", "-o", "name"],
    )
    .stdout;
    assert_eq!(etl, format!("{}:third-driver\n", ns.name));
    let r = fails(&ns, User::Bob, &["ls", "-l", "team in (etl"]);
    assert_eq!(r.code, 2, "{r}");
    assert!(r.stderr.contains("-l/--selector `team in (etl`"), "{r}");
    // NAMESPACE first with -A (admin may list everywhere).
    let all = ok(&ns, User::Admin, &["ls", "-A", "-l", "team=etl"]).stdout;
    assert!(all.starts_with("NAMESPACE "), "{all}");
    assert!(all.contains(&format!("{}   third", ns.name)), "{all}");
}

#[tokio::test]
async fn list_and_status_watch_print_changes() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-watch");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    running(&pods, &driver("old-driver", "old", "spark-w1", json!({}))).await;

    let mut list = kspark(&ns, User::Bob);
    list.args(["list", "-w"]).stdout(Stdio::piped());
    let mut list = Running(list.spawn().unwrap());
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    let out = list.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let seen = |needle: &str| {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if lines.lock().unwrap().iter().any(|l| l.contains(needle)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("`{needle}` never printed: {:?}", lines.lock().unwrap());
    };
    seen("old-driver");
    // A new run appears, then ends: each change is a row of its own.
    let done = json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/outcome": "Succeeded", "e2e.kubectl-spark.io/delay": "2500"}}});
    create(&pods, &driver("new-driver", "new", "spark-w2", done)).await;
    seen("new-driver");
    seen("succeeded");
    assert_eq!(
        lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with("NAME"))
            .count(),
        1,
        "one header: {:?}",
        lines.lock().unwrap()
    );
    interrupt(&list.0);
    assert_eq!(wait_exit(&mut list.0, TIMEOUT), 0);

    // status -w ends by itself once what it shows has ended.
    let soon = json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/outcome": "Failed", "e2e.kubectl-spark.io/delay": "2500"}}});
    create(&pods, &driver("brief-driver", "brief", "spark-w3", soon)).await;
    let r = ok(&ns, User::Bob, &["status", "brief", "-w", "-o", "name"]);
    let id = format!("{}:brief-driver", ns.name);
    assert!(
        r.stdout.lines().count() >= 2,
        "the first state, then each change: {r}"
    );
    assert!(r.stdout.lines().all(|l| l == id), "{r}");
}

#[tokio::test]
async fn connection_flags_override_the_kubeconfig() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-flags");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    create(&pods, &driver("pi-9z-driver", "pi", "spark-9z", json!({}))).await;
    let home = tempfile::tempdir().unwrap();
    // No kubeconfig at all: --server, --token and the CA (or no verification).
    let bare = |args: &[&str]| {
        let mut cmd = Command::new(BIN);
        cmd.env_remove("KUBECONFIG")
            .env("HOME", home.path())
            .env_remove("KUBERNETES_SERVICE_HOST")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .args([
                "-s",
                &cluster.api_url,
                "--token",
                cluster.token(User::Bob),
                "-n",
                &ns.name,
            ])
            .args(args);
        run_to_end(cmd, TIMEOUT)
    };
    let ca = cluster.ca_file.to_str().unwrap();
    let r = bare(&["--certificate-authority", ca, "list", "-o", "name"]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(r.stdout, format!("{}:pi-9z-driver\n", ns.name));
    let r = bare(&["--insecure-skip-tls-verify", "list", "-o", "name"]);
    assert_eq!(r.code, 0, "{r}");
    let r = bare(&["list"]);
    assert_eq!(r.code, 1, "the server's certificate is not trusted: {r}");
    assert!(!r.stderr.contains(cluster.token(User::Bob)), "{r}");
    // --token replaces the kubeconfig user's token.
    let r = ok(
        &ns,
        User::Bob,
        &[
            "--token",
            cluster.token(User::Admin),
            "list",
            "-A",
            "-o",
            "name",
        ],
    );
    assert!(
        r.stdout.contains(&format!("{}:pi-9z-driver", ns.name)),
        "{r}"
    );
    // Impersonation, as admin: bob may list here, a stranger may not.
    let r = ok(&ns, User::Admin, &["--as", "bob", "list", "-o", "name"]);
    assert_eq!(r.stdout, format!("{}:pi-9z-driver\n", ns.name));
    let r = fails(
        &ns,
        User::Admin,
        &["--as", "nobody", "--as-group", "nobodies", "list"],
    );
    assert!(r.stderr.contains("cannot list pods"), "{r}");
    let r = ok(
        &ns,
        User::Admin,
        &[
            "--as",
            "nobody",
            "--as-group",
            "system:masters",
            "list",
            "-o",
            "name",
        ],
    );
    assert_eq!(r.stdout, format!("{}:pi-9z-driver\n", ns.name));
}

#[tokio::test]
async fn list_over_a_thousand_driver_pods() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-list-1000");
    let client = ns.client(User::Admin).await;
    let pods: Api<Pod> = Api::namespaced(client, &ns.name);
    const N: usize = 1050;
    // Nobody schedules these (no such scheduler): they stay Pending and cost the machine little.
    let unscheduled = json!({"spec": {"schedulerName": "kspark-e2e-nobody"}});
    let t0 = Instant::now();
    futures::stream::iter(0..N)
        .map(|i| {
            let pod = driver(
                &format!("app-{i:04}-driver"),
                &format!("app-{i:04}"),
                &format!("spark-{i:04}"),
                unscheduled.clone(),
            );
            let pods = pods.clone();
            async move { pods.create(&PostParams::default(), &pod).await.map(|_| ()) }
        })
        .buffer_unordered(8)
        .try_collect::<Vec<()>>()
        .await
        .expect("create driver pods");
    eprintln!(
        "created {N} driver pods in {:.1}s",
        t0.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_millis(1100)).await; // creation times have 1 s resolution
    running(
        &pods,
        &driver("live-driver", "live", "spark-live", json!({})),
    )
    .await;

    let t0 = Instant::now();
    let r = ok(&ns, User::Bob, &["list", "-o", "json"]);
    eprintln!(
        "kubectl spark list -o json over {} driver pods: {:.2}s",
        N + 1,
        t0.elapsed().as_secs_f64()
    );
    let apps: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(apps.len(), N + 1);
    let ids: BTreeSet<&str> = apps.iter().map(|a| a["appId"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), N + 1, "every application once");
    assert!((0..N).all(|i| ids.contains(format!("spark-{i:04}").as_str())));
    assert_eq!(apps[0]["appId"], "spark-live", "newest first");

    let t0 = Instant::now();
    let table = ok(&ns, User::Bob, &["list"]).stdout;
    eprintln!(
        "kubectl spark list (table): {:.2}s",
        t0.elapsed().as_secs_f64()
    );
    assert_eq!(table.lines().count(), N + 2);
    let running_only = ok(
        &ns,
        User::Bob,
        &["list", "--state", "running", "-o", "name"],
    )
    .stdout;
    assert_eq!(running_only, format!("{}:live-driver\n", ns.name));
    assert_eq!(
        ok(
            &ns,
            User::Bob,
            &["list", "--state", "pending", "-o", "name"]
        )
        .stdout
        .lines()
        .count(),
        N
    );
}

// ------------------------------------------------------------------------------------------------
// describe
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn describe_explains_a_pending_application() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-describe");
    let client = ns.client(User::Bob).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);
    let conf_map: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": "spark-drv-9f-conf-map"},
        "data": {"spark.properties": "spark.app.name=stuck\nspark.hadoop.fs.s3a.secret.key=hunter2\nspark.driver.memory=1g\n",
                 "spark.kubernetes.namespace": ns.name}
    }))
    .unwrap();
    Api::<ConfigMap>::namespaced(client.clone(), &ns.name)
        .create(&PostParams::default(), &conf_map)
        .await
        .unwrap();
    // Asks for more CPU than any node has: the scheduler says why.
    let stuck = json!({"spec": {
        "containers": [{"name": "spark-kubernetes-driver", "image": "apache/spark:4.0.1",
                        "ports": [{"name": "spark-ui", "containerPort": 4040}],
                        "resources": {"requests": {"cpu": "500"}}}],
        "volumes": [{"name": "spark-conf-volume-driver", "configMap": {"name": "spark-drv-9f-conf-map"}}]}});
    let d = create(
        &pods,
        &driver("stuck-9f-driver", "stuck", "spark-9f", stuck),
    )
    .await;
    let service: Service = serde_json::from_value(json!({
        "metadata": {"name": "stuck-9f-driver-svc", "labels": {"spark-app-selector": "spark-9f"}, "ownerReferences": owner(&d)},
        "spec": {"clusterIP": "None", "selector": {"spark-app-selector": "spark-9f", "spark-role": "driver"},
                 "ports": [{"name": "driver-rpc-port", "port": 7078}, {"name": "spark-ui", "port": 4040}]}
    }))
    .unwrap();
    Api::<Service>::namespaced(client.clone(), &ns.name)
        .create(&PostParams::default(), &service)
        .await
        .unwrap();
    common::wait_for_pod(&pods, "stuck-9f-driver", TIMEOUT, "unschedulable", |p| {
        p.and_then(|p| p.status.as_ref())
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| {
                c.iter()
                    .any(|c| c.reason.as_deref() == Some("Unschedulable"))
            })
    })
    .await;

    // The scheduler's event may trail its condition.
    let events: Api<k8s_openapi::api::core::v1::Event> = Api::namespaced(client.clone(), &ns.name);
    let t0 = Instant::now();
    while !events
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .iter()
        .any(|e| e.reason.as_deref() == Some("FailedScheduling"))
    {
        assert!(t0.elapsed() < TIMEOUT, "no FailedScheduling event");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let text = ok(&ns, User::Bob, &["describe", "stuck"]).stdout;
    assert!(
        text.contains("State:            pending (Unschedulable)"),
        "{text}"
    );
    assert!(text.contains("Why pending:    Unschedulable: 0/"), "{text}");
    assert!(text.contains("Insufficient cpu"), "{text}");
    assert!(text.contains("Service:          stuck-9f-driver-svc (cluster IP None; ports driver-rpc-port 7078, spark-ui 4040)"), "{text}");
    assert!(
        text.contains("Conf map:         spark-drv-9f-conf-map"),
        "{text}"
    );
    assert!(
        text.contains("    spark.hadoop.fs.s3a.secret.key=<redacted>"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("    spark.driver.memory=1g"), "{text}");
    assert!(
        text.contains("Spark UI:         once the driver runs: `kubectl spark ui"),
        "{text}"
    );
    assert!(text.contains("FailedScheduling"), "events: {text}");

    // alice may not read Services: that section says so, the rest is shown.
    let r = ok(&ns, User::Alice, &["describe", "stuck"]);
    assert!(
        r.stdout
            .contains("Service:          unavailable: cannot list services"),
        "{r}"
    );
    assert!(r.stdout.contains("Why pending:"), "{r}");
    assert!(
        r.stderr.contains("warning: cannot list services")
            && r.stderr.contains("kubectl spark setup"),
        "{r}"
    );
}

// ------------------------------------------------------------------------------------------------
// logs
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn logs_of_driver_and_executors() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-logs");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    let d = running(&pods, &driver("pi-7g-driver", "pi", "spark-7g", json!({}))).await;
    running(&pods, &executor(&d, 1)).await;
    running(&pods, &executor(&d, 2)).await;
    let driver_log = common::log_messages(common::DRIVER_LOG_CRI);
    let executor_log = common::log_messages(common::EXECUTOR_LOG_CRI);

    assert_eq!(ok(&ns, User::Bob, &["logs", "pi"]).stdout, driver_log);
    let tail = ok(&ns, User::Bob, &["logs", "pi", "--tail", "2"]).stdout;
    assert_eq!(
        tail,
        driver_log
            .lines()
            .rev()
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
    let stamped = ok(
        &ns,
        User::Bob,
        &["logs", "pi", "--timestamps", "--tail", "1"],
    )
    .stdout;
    assert!(stamped.starts_with("2026-01-01T00:00:05.3"), "{stamped}");
    assert_eq!(
        ok(&ns, User::Bob, &["logs", "pi", "--executor", "2"]).stdout,
        executor_log
    );
    let r = fails(&ns, User::Bob, &["logs", "pi", "--executor", "9"]);
    assert!(
        r.stderr.contains("no executor with id 9") && r.stderr.contains("executors now: 1, 2"),
        "{r}"
    );

    let all = ok(&ns, User::Bob, &["logs", "pi", "--all-executors"]).stdout;
    let expected: String = ["pi-7g-exec-1", "pi-7g-exec-2"]
        .iter()
        .flat_map(|p| executor_log.lines().map(move |l| format!("[{p}] {l}\n")))
        .collect();
    assert_eq!(all, expected);

    // `| head`: a closed stdout ends the command quietly, with success.
    let mut child = kspark(&ns, User::Bob)
        .args(["logs", "pi", "--all-executors", "-f"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap(); // then dropped: closed
    assert!(first.starts_with("[pi-7g-exec-"), "{first}");
    // The next line written fails: a new executor appears and is followed.
    running(&pods, &executor(&d, 3)).await;
    let code = wait_exit(&mut child, TIMEOUT);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(code, 0, "stderr: {err}");
    assert!(!err.contains("error"), "{err}");
}

#[tokio::test]
async fn logs_follow_streams_and_waits_for_a_pending_driver() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-logs-f");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    let driver_log = common::log_messages(common::DRIVER_LOG_CRI);
    let last_line = driver_log.lines().last().unwrap().to_string();

    // A running driver: -f prints what kwok serves and keeps following.
    running(
        &pods,
        &driver("live-8h-driver", "live", "spark-8h", json!({})),
    )
    .await;
    let mut follow = Running(
        kspark(&ns, User::Bob)
            .args(["logs", "-f", "live"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut reader = BufReader::new(follow.0.stdout.take().unwrap());
    let mut seen = String::new();
    let t0 = Instant::now();
    while !seen.contains(&last_line) {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "log ended early: {seen}"
        );
        seen.push_str(&line);
        assert!(t0.elapsed() < TIMEOUT);
    }
    assert_eq!(seen, driver_log);
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        follow.0.try_wait().unwrap().is_none(),
        "still following a running driver"
    );
    drop(follow);

    // A driver that starts late and then ends: logs waits for it, -f stops when it ends.
    let late = json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/start-delay": "2500",
        "e2e.kubectl-spark.io/outcome": "Succeeded", "e2e.kubectl-spark.io/delay": "2000"}}});
    create(&pods, &driver("late-9i-driver", "late", "spark-9i", late)).await;
    let r = ok(&ns, User::Bob, &["logs", "-f", "late"]);
    assert_eq!(r.stdout, driver_log);
    assert!(
        r.stderr.contains(&format!(
            "Waiting for driver pod {}/late-9i-driver to start (Pending",
            ns.name
        )),
        "{r}"
    );
    assert_eq!(
        phase(pods.get_opt("late-9i-driver").await.unwrap().as_ref()),
        Some("Succeeded")
    );
}

#[tokio::test]
async fn logs_of_a_driver_that_never_started_fail_at_once_with_the_reason() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-logs-pending");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    let stuck = json!({"metadata": {"annotations": {
        "e2e.kubectl-spark.io/waiting-reason": "ImagePullBackOff",
        "e2e.kubectl-spark.io/waiting-message": "Back-off pulling image \"apache/spark:9.9\""}}});
    create(
        &pods,
        &driver("stuck-3p-driver", "stuck", "spark-3p", stuck),
    )
    .await;
    common::wait_for_pod(&pods, "stuck-3p-driver", TIMEOUT, "ImagePullBackOff", |p| {
        p.and_then(|p| p.status.as_ref())
            .and_then(|s| s.container_statuses.as_ref())
            .is_some_and(|c| {
                c.iter().any(|c| {
                    c.state
                        .as_ref()
                        .and_then(|s| s.waiting.as_ref())
                        .and_then(|w| w.reason.as_deref())
                        == Some("ImagePullBackOff")
                })
            })
    })
    .await;
    // As `kubectl logs`: no waiting without -f, the reason at once, exit 1.
    let mut cmd = kspark(&ns, User::Bob);
    cmd.args(["logs", "stuck"]);
    let started = Instant::now();
    let r = run_to_end(cmd, Duration::from_secs(15));
    assert_eq!(r.code, 1, "{r}");
    assert!(started.elapsed() < Duration::from_secs(10), "{r}");
    assert!(r.stdout.is_empty(), "{r}");
    assert!(
        r.stderr.contains(&format!(
            "driver pod {}/stuck-3p-driver has not started (Pending: ImagePullBackOff: Back-off pulling image",
            ns.name
        )) && r
            .stderr
            .contains(&format!("kubectl spark describe {}:stuck", ns.name))
            && r.stderr.contains("-f"),
        "{r}"
    );
    // With -f it waits (and is stopped here).
    let mut follow = Running(
        kspark(&ns, User::Bob)
            .args(["logs", "-f", "stuck"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        follow.0.try_wait().unwrap().is_none(),
        "-f waits for the driver"
    );
}

// ------------------------------------------------------------------------------------------------
// ui
// ------------------------------------------------------------------------------------------------

/// `kubectl spark ui APP --port 0` with debug logs on (they say which transport is used), and
/// the URL it prints.
fn start_ui(ns: &TestNamespace, app: &str, tunnel: bool) -> (Running, String, u16) {
    let mut cmd = kspark(ns, User::Bob);
    cmd.args(["ui", app, "--port", "0"])
        .env("KUBECTL_SPARK_LOG", "kubectl_spark=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !tunnel {
        cmd.env("KUBECTL_SPARK_UI_TUNNEL", "false");
    }
    let mut ui = Running(cmd.spawn().unwrap());
    let (url, port) = common::read_ui_url(&mut ui.0);
    (ui, url, port)
}

/// Stops `ui` with Ctrl-C; its stderr.
fn stop_ui(mut ui: Running) -> String {
    interrupt(&ui.0);
    assert_eq!(wait_exit(&mut ui.0, TIMEOUT), 0);
    let mut err = String::new();
    ui.0.stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    err
}

/// The log line that says which transport `ui` used.
fn transport_line(tunnel: bool) -> &'static str {
    if tunnel {
        "SPDY tunnel to"
    } else {
        "one WebSocket per connection instead"
    }
}

#[tokio::test]
async fn ui_forwards_concurrent_connections_until_ctrl_c() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-ui");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    let late = json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/start-delay": "1500"}}});
    create(&pods, &driver("ui-1j-driver", "ui", "spark-1j", late)).await;

    // The SPDY tunnel (kubectl's way), then one WebSocket per connection.
    for tunnel in [true, false] {
        let (ui, url, port) = start_ui(&ns, "ui", tunnel);
        let pages = tokio::task::spawn_blocking(move || {
            // A first connection sends half a request and holds it open…
            let mut held = TcpStream::connect(("127.0.0.1", port)).unwrap();
            held.set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            held.write_all(b"GET / HTTP/1.0\r\n").unwrap();
            std::thread::sleep(Duration::from_millis(300));
            // …while others are served, some at the same time…
            let parallel: Vec<_> = (0..4)
                .map(|_| std::thread::spawn(move || http_get(port)))
                .collect();
            let mut others: Vec<String> = (0..3).map(|_| http_get(port)).collect();
            others.extend(parallel.into_iter().map(|t| t.join().unwrap()));
            // …and then it completes too.
            held.write_all(b"Host: 127.0.0.1\r\n\r\n").unwrap();
            let first = read_page(&mut held);
            (first, others)
        })
        .await
        .unwrap();
        assert_eq!(pages.1.len(), 7);
        for page in std::iter::once(&pages.0).chain(&pages.1) {
            assert!(page.starts_with("HTTP/1.0 200"), "tunnel={tunnel}: {page}");
            assert!(
                page.contains("Spark UI") || page.contains("Spark Jobs"),
                "{page}"
            );
        }
        let err = stop_ui(ui);
        assert!(err.contains(&format!("Forwarding {url}")), "{err}");
        assert!(err.contains("Stopped forwarding."), "{err}");
        assert!(
            err.contains(transport_line(tunnel)),
            "tunnel={tunnel}: {err}"
        );
        assert!(
            !err.contains(transport_line(!tunnel)),
            "tunnel={tunnel}: {err}"
        );
        assert!(!err.contains("warning"), "tunnel={tunnel}: {err}");
    }

    // A finished application has no UI.
    let done = json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/outcome": "Succeeded", "e2e.kubectl-spark.io/delay": "100"}}});
    create(&pods, &driver("done-2k-driver", "done", "spark-2k", done)).await;
    wait_phase(&pods, "done-2k-driver", "Succeeded").await;
    let r = fails(&ns, User::Bob, &["ui", "done", "--port", "0"]);
    assert!(r.stderr.contains("its Spark UI is gone"), "{r}");
}

#[tokio::test]
async fn ui_reports_what_the_kubelet_cannot_forward() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-ui-err");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    // The local cluster's kwok forwards port 4049 to a port where nothing listens.
    let ui_4049 = json!({"spec": {"containers": [{
        "name": "spark-kubernetes-driver", "image": "apache/spark:4.0.1",
        "ports": [{"name": "spark-ui", "containerPort": 4049}]}]}});
    create(
        &pods,
        &driver("dead-3m-driver", "dead", "spark-3m", ui_4049),
    )
    .await;
    wait_phase(&pods, "dead-3m-driver", "Running").await;
    for tunnel in [true, false] {
        let (ui, _, port) = start_ui(&ns, "dead", tunnel);
        let page = tokio::task::spawn_blocking(move || http_get(port))
            .await
            .unwrap();
        assert_eq!(page, "", "tunnel={tunnel}: nothing comes back");
        // The warning follows the closed connection.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let err = stop_ui(ui);
        assert!(
            err.contains(transport_line(tunnel)),
            "tunnel={tunnel}: {err}"
        );
        // The kubelet's own message, once, naming the port.
        let warnings: Vec<&str> = err.lines().filter(|l| l.contains("warning")).collect();
        assert_eq!(warnings.len(), 1, "tunnel={tunnel}: {err}");
        assert!(
            warnings[0].contains("the driver's port 4049") && warnings[0].contains("4049"),
            "tunnel={tunnel}: {err}"
        );
        assert!(warnings[0].contains("dial"), "tunnel={tunnel}: {err}");
    }
}

// ------------------------------------------------------------------------------------------------
// kill and cleanup
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn glob_kill_deletes_drivers_and_what_they_own_and_spares_other_pods() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-kill");
    let client = ns.client(User::Bob).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);
    let services: Api<Service> = Api::namespaced(client.clone(), &ns.name);
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), &ns.name);
    let mut drivers = Vec::new();
    for id in ["a1", "b2"] {
        let conf = json!({"spec": {"volumes": [{"name": "spark-conf-volume-driver", "configMap": {"name": format!("spark-drv-{id}-conf-map")}}]}});
        let d = running(
            &pods,
            &driver(
                &format!("spark-pi-{id}-driver"),
                "spark-pi",
                &format!("spark-{id}"),
                conf,
            ),
        )
        .await;
        running(&pods, &executor(&d, 1)).await;
        let cm: ConfigMap = serde_json::from_value(json!({
            "metadata": {"name": format!("spark-drv-{id}-conf-map"), "ownerReferences": owner(&d)},
            "data": {"spark.properties": "spark.app.name=spark-pi\n"}}))
        .unwrap();
        config_maps
            .create(&PostParams::default(), &cm)
            .await
            .unwrap();
        let svc: Service = serde_json::from_value(json!({
            "metadata": {"name": format!("spark-pi-{id}-driver-svc"), "labels": {"spark-app-selector": format!("spark-{id}")},
                         "ownerReferences": owner(&d)},
            "spec": {"clusterIP": "None", "ports": [{"name": "spark-ui", "port": 4040}]}}))
        .unwrap();
        services.create(&PostParams::default(), &svc).await.unwrap();
        drivers.push(d);
    }
    // Not Spark drivers, with names the glob matches.
    running(&pods, &common::pod("spark-pi-web", "web", &[])).await;
    running(
        &pods,
        &driver("other-c3-driver", "other", "spark-c3", json!({})),
    )
    .await;

    // Naming a non-driver pod is an error, never an action.
    let r = fails(&ns, User::Bob, &["kill", "spark-pi-web"]);
    assert!(r.stderr.contains("is not a Spark driver"), "{r}");

    let dry = ok(&ns, User::Bob, &["kill", "spark-pi*", "--dry-run"]);
    for id in ["a1", "b2"] {
        for object in [
            format!("  pod/spark-pi-{id}-driver\n"),
            format!("  pod/spark-pi-{id}-exec-1\n"),
            format!("  service/spark-pi-{id}-driver-svc\n"),
            format!("  configmap/spark-drv-{id}-conf-map\n"),
        ] {
            assert!(dry.stdout.contains(&object), "{object} in {dry}");
        }
    }
    assert!(
        !dry.stdout.contains("spark-pi-web") && !dry.stdout.contains("other-c3"),
        "{dry}"
    );
    assert!(dry.stderr.contains("nothing was deleted"), "{dry}");
    assert_eq!(pods.list(&Default::default()).await.unwrap().items.len(), 6);

    // Several matches and no terminal: nothing is killed without --yes.
    let r = fails(&ns, User::Bob, &["kill", "spark-pi*"]);
    assert_eq!(r.code, 2, "{r}");
    assert!(r.stderr.contains("pass --yes"), "{r}");
    assert!(
        r.stderr
            .contains(&format!("{}:spark-pi-a1-driver", ns.name)),
        "{r}"
    );
    assert_eq!(pods.list(&Default::default()).await.unwrap().items.len(), 6);

    let r = ok(
        &ns,
        User::Bob,
        &[
            "kill",
            "spark-pi*",
            "--wait",
            "--grace-period",
            "0",
            "--yes",
        ],
    );
    assert!(
        r.stderr
            .contains("Deleting driver pod: spark-pi-a1-driver\n"),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("Deleting driver pod: spark-pi-b2-driver\n"),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!(
            "Application {}:spark-pi-a1-driver is gone.",
            ns.name
        )),
        "{r}"
    );
    let left: BTreeSet<String> = pods
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .collect();
    assert_eq!(
        left,
        BTreeSet::from(["other-c3-driver".to_string(), "spark-pi-web".to_string()])
    );
    assert!(
        services
            .list(&Default::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let cms: Vec<String> = config_maps
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|c| c.metadata.name)
        .collect();
    assert_eq!(cms, ["kube-root-ca.crt"]);

    let r = fails(&ns, User::Bob, &["kill", "spark-pi*"]);
    assert!(
        r.stderr
            .contains("no Spark application matches `spark-pi*`"),
        "{r}"
    );
}

#[tokio::test]
async fn kill_uses_sparks_grace_period_property() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-kill-grace");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    // kwok keeps a deleted pod Terminating for delete-delay: long enough to read its grace period.
    let slow = json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/delete-delay": "3000"}}});
    running(&pods, &driver("slow-4m-driver", "slow", "spark-4m", slow)).await;
    ok(
        &ns,
        User::Bob,
        &[
            "kill",
            "slow",
            "-c",
            "spark.kubernetes.appKillPodDeletionGracePeriod=7s",
        ],
    );
    let pod = pods
        .get_opt("slow-4m-driver")
        .await
        .unwrap()
        .expect("terminating");
    assert_eq!(pod.metadata.deletion_grace_period_seconds, Some(7));
}

#[tokio::test]
async fn cleanup_deletes_only_finished_applications() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-cleanup");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    for (name, outcome) in [("ok-5n-driver", "Succeeded"), ("bad-6o-driver", "Failed")] {
        let a = json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/outcome": outcome, "e2e.kubectl-spark.io/delay": "100"}}});
        create(&pods, &driver(name, name, &format!("spark-{name}"), a)).await;
        wait_phase(&pods, name, outcome).await;
    }
    running(
        &pods,
        &driver("live-7p-driver", "live", "spark-7p", json!({})),
    )
    .await;
    let finished_pod = json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/outcome": "Succeeded", "e2e.kubectl-spark.io/delay": "100"}}});
    let mut plain = common::pod("plain-job", "main", &[]);
    plain.metadata.annotations =
        serde_json::from_value(finished_pod["metadata"]["annotations"].clone()).unwrap();
    create(&pods, &plain).await;
    wait_phase(&pods, "plain-job", "Succeeded").await;

    let r = ok(&ns, User::Bob, &["cleanup", "--older-than", "1h"]);
    assert!(
        r.stderr.contains("No finished applications older than 1h"),
        "{r}"
    );
    let dry = ok(
        &ns,
        User::Bob,
        &["cleanup", "--older-than", "0s", "--dry-run"],
    );
    assert_eq!(dry.stdout.lines().count(), 3, "{dry}");
    assert!(
        dry.stdout.contains("ok-5n-driver") && dry.stdout.contains("bad-6o-driver"),
        "{dry}"
    );
    assert_eq!(pods.list(&Default::default()).await.unwrap().items.len(), 4);

    // kill's rule: several need --yes off a terminal; declining on one is exit 1, not 2.
    let r = fails(&ns, User::Bob, &["cleanup", "--older-than", "0s"]);
    assert_eq!(r.code, 2, "{r}");
    assert!(r.stderr.contains("pass --yes"), "{r}");
    assert!(r.stderr.contains("ok-5n-driver"), "{r}");
    if let Some(r) = on_a_terminal(&ns, "cleanup --older-than 0s", "n\n") {
        assert_eq!(r.code, 1, "{r}");
        assert!(
            r.stdout.contains("These 2 applications would be deleted:"),
            "{r}"
        );
        assert!(r.stdout.contains("nothing was deleted"), "{r}");
    }
    assert_eq!(pods.list(&Default::default()).await.unwrap().items.len(), 4);

    let r = ok(&ns, User::Bob, &["cleanup", "--older-than", "0s", "--yes"]);
    assert!(
        r.stderr.contains("Deleted 2 finished application(s)"),
        "{r}"
    );
    for gone in ["ok-5n-driver", "bad-6o-driver"] {
        common::wait_for_pod(&pods, gone, TIMEOUT, "deleted", |p| p.is_none()).await;
    }
    let left: BTreeSet<String> = pods
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .collect();
    assert_eq!(
        left,
        BTreeSet::from(["live-7p-driver".to_string(), "plain-job".to_string()])
    );
}

// ------------------------------------------------------------------------------------------------
// permissions
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn forbidden_requests_name_the_permission_and_point_to_setup() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-403");
    // alice has no rights at all in this namespace.
    let elsewhere = TestNamespace::new(cluster, "op-403-other");
    let admin_pods: Api<Pod> = Api::namespaced(ns.client(User::Admin).await, &elsewhere.name);
    create(
        &admin_pods,
        &driver("x-8q-driver", "x", "spark-8q", json!({})),
    )
    .await;
    Api::<k8s_openapi::api::rbac::v1::RoleBinding>::namespaced(
        ns.client(User::Admin).await,
        &elsewhere.name,
    )
    .delete("alice-spark-submitter-no-services", &Default::default())
    .await
    .unwrap();

    let other = elsewhere.name.as_str();
    for args in [
        vec!["list", "-n", other],
        vec!["status", "-n", other, "x"],
        vec!["kill", "-n", other, "x*"],
        vec!["logs", &format!("{other}:x-8q-driver")],
    ] {
        let r = fails(&ns, User::Alice, &args);
        assert!(
            r.stderr.contains(&format!("in namespace {other}")) && r.stderr.contains("forbidden"),
            "{args:?}: {r}"
        );
        assert!(r.stderr.contains("pods"), "names the resource: {r}");
        // The user the API server names is filled in (it was `User:<you>`).
        assert!(
            r.stderr.contains(&format!(
                "kubectl spark setup -n {other} --submitter User:alice`"
            )),
            "{args:?}: {r}"
        );
    }
    let r = fails(&ns, User::Alice, &["list", "-A"]);
    assert!(
        r.stderr.contains("cannot list pods across all namespaces"),
        "{r}"
    );
    assert!(r.stderr.contains("kubectl spark setup"), "{r}");
}

// ------------------------------------------------------------------------------------------------
// With `submit`
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_submitted_application_is_named_described_and_killed_with_its_objects() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-submitted");
    let client = ns.client(User::Bob).await;
    let submitted = ok(
        &ns,
        User::Bob,
        &[
            "submit",
            "--no-wait",
            "--name",
            "Nightly ETL",
            "-c",
            "spark.kubernetes.container.image=apache/spark:4.0.1",
            "-c",
            "spark.hadoop.fs.s3a.secret.key=hunter2",
            "--class",
            "org.apache.spark.examples.SparkPi",
            "local:///opt/spark/examples/jars/spark-examples.jar",
        ],
    );
    let id = submitted
        .stdout
        .lines()
        .find(|l| l.starts_with(&format!("{}:", ns.name)))
        .unwrap_or_else(|| panic!("no submission id: {submitted}"))
        .to_string();
    let pod_name = id.split_once(':').unwrap().1.to_string();
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);
    wait_phase(&pods, &pod_name, "Running").await;

    // The app name as typed, sanitised as Spark labels it, and the submission id all name it.
    for name in ["Nightly ETL", "nightly-etl", "*etl*", id.as_str()] {
        assert_eq!(
            ok(&ns, User::Bob, &["status", name, "-o", "name"]).stdout,
            format!("{id}\n"),
            "{name}"
        );
    }
    let text = ok(&ns, User::Bob, &["describe", "Nightly ETL"]).stdout;
    assert!(
        text.contains("spark.hadoop.fs.s3a.secret.key=<redacted>") && !text.contains("hunter2"),
        "{text}"
    );
    assert!(text.contains("Service:          nightly-etl-"), "{text}");

    let services: Api<Service> = Api::namespaced(client.clone(), &ns.name);
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), &ns.name);
    assert_eq!(
        services
            .list(&Default::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let r = ok(&ns, User::Bob, &["kill", "nightly-etl", "--wait"]);
    assert!(
        r.stderr
            .contains(&format!("Deleting driver pod: {pod_name}\n")),
        "{r}"
    );
    assert!(pods.get_opt(&pod_name).await.unwrap().is_none());
    assert!(
        services
            .list(&Default::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let cms: Vec<String> = config_maps
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|c| c.metadata.name)
        .collect();
    assert_eq!(cms, ["kube-root-ca.crt"]);
}

/// Runs kubectl-spark with a terminal as stdin (util-linux `script`), typing `answer`.
fn on_a_terminal(ns: &TestNamespace, args: &str, answer: &str) -> Option<Run> {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: util-linux `script` (a pseudo-terminal) is not installed");
        return None;
    }
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("'{BIN}' {args}"), "/dev/null"])
        .env("KUBECONFIG", ns.kubeconfig(User::Bob))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Some(Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

#[tokio::test]
async fn kill_asks_on_a_terminal_before_killing_several() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-kill-tty");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    create(&pods, &driver("a-1r-driver", "a", "spark-1r", json!({}))).await;
    create(&pods, &driver("b-2s-driver", "b", "spark-2s", json!({}))).await;

    let Some(r) = on_a_terminal(&ns, "kill '*-driver'", "n\n") else {
        return;
    };
    // The terminal merges both streams into stdout.
    assert!(
        r.stdout.contains("These 2 applications would be killed:"),
        "{r}"
    );
    assert!(
        r.stdout.contains(&format!("{}:a-1r-driver", ns.name)),
        "{r}"
    );
    assert!(r.stdout.contains("nothing was killed"), "{r}");
    // Declining is not bad input.
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(pods.list(&Default::default()).await.unwrap().items.len(), 2);

    // One application named: no question.
    let r = on_a_terminal(&ns, "kill a", "").unwrap();
    assert_eq!(r.code, 0, "{r}");
    assert!(!r.stdout.contains("would be killed"), "{r}");

    let r = on_a_terminal(&ns, "kill '*'", "y\n").unwrap();
    assert_eq!(r.code, 0, "{r}");
    assert!(r.stdout.contains("Deleting driver pod: b-2s-driver"), "{r}");
}

#[tokio::test]
async fn logs_follow_all_executors_until_the_application_ends() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-logs-all");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    let ends = |ms: &str| json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/outcome": "Succeeded", "e2e.kubectl-spark.io/delay": ms}}});
    let d = running(
        &pods,
        &driver("batch-3t-driver", "batch", "spark-3t", ends("6000")),
    )
    .await;
    let mut first = executor(&d, 1);
    merge_pod(&mut first, ends("1500"));
    running(&pods, &first).await;

    let mut follow = Running(
        kspark(&ns, User::Bob)
            .args(["logs", "batch", "--all-executors", "-f"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = follow.0.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        BufReader::new(stdout).read_to_string(&mut s).unwrap();
        s
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    // An executor that appears later is followed too.
    let mut second = executor(&d, 2);
    merge_pod(&mut second, ends("1500"));
    create(&pods, &second).await;

    let code = tokio::task::spawn_blocking(move || {
        let code = wait_exit(&mut follow.0, TIMEOUT);
        (code, follow)
    })
    .await
    .unwrap()
    .0;
    let out = reader.join().unwrap();
    assert_eq!(code, 0, "{out}");
    let executor_log = common::log_messages(common::EXECUTOR_LOG_CRI);
    for pod in ["batch-3t-exec-1", "batch-3t-exec-2"] {
        let lines: String = out
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("[{pod}] ")))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(lines, executor_log, "{pod} in:\n{out}");
    }
    assert_eq!(
        phase(pods.get_opt("batch-3t-driver").await.unwrap().as_ref()),
        Some("Succeeded")
    );
}

// ------------------------------------------------------------------------------------------------
// wait, and executors lost
// ------------------------------------------------------------------------------------------------

/// `kubectl-spark` with `args` as bob, to completion, whatever its exit code.
fn run_as_bob(ns: &TestNamespace, args: &[&str]) -> Run {
    let mut cmd = kspark(ns, User::Bob);
    cmd.args(args);
    run_to_end(cmd, TIMEOUT)
}

/// `wait` exits as `submit` would: 0 for an application that succeeded (before or while it
/// waits), 3 for one that failed (with its final status and log tail), 4 when `--timeout`
/// passes for one still running, whose executors' trouble it reports meanwhile (Pending with
/// ImagePullBackOff, OOMKilled with the loss count); `status` counts the loss; globs and `--all`
/// exit 3 when any failed, even when another timed out.
#[tokio::test]
async fn wait_exits_with_the_applications_result_and_reports_executors() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-wait");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    let ends = |outcome: &str, ms: &str, reason: &str| {
        json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/outcome": outcome,
            "e2e.kubectl-spark.io/delay": ms, "e2e.kubectl-spark.io/reason": reason}}})
    };
    create(
        &pods,
        &driver(
            "batch-ok-driver",
            "batch-ok",
            "spark-wa",
            ends("Succeeded", "100", "Completed"),
        ),
    )
    .await;
    create(
        &pods,
        &driver(
            "batch-bad-driver",
            "batch-bad",
            "spark-wb",
            ends("Failed", "100", "OOMKilled"),
        ),
    )
    .await;
    wait_phase(&pods, "batch-ok-driver", "Succeeded").await;
    wait_phase(&pods, "batch-bad-driver", "Failed").await;

    // Already succeeded: exit 0 at once, nothing on stdout.
    let r = ok(&ns, User::Bob, &["wait", "batch-ok"]);
    assert!(
        r.stderr.contains(&format!(
            "Waiting for application batch-ok with application ID spark-wa and submission ID {}:batch-ok-driver to finish...",
            ns.name
        )) && r.stderr.contains("Container final statuses:"),
        "{r}"
    );
    assert!(r.stdout.is_empty(), "{r}");

    // Already failed: exit 3 with the reason and the driver's log.
    let r = run_as_bob(&ns, &["wait", "batch-bad"]);
    assert_eq!(r.code, 3, "{r}");
    assert!(
        r.stderr.contains("OOMKilled")
            && r.stderr.contains(&format!(
                "the driver pod {}/batch-bad-driver failed",
                ns.name
            ))
            && r.stderr.contains("driver log"),
        "{r}"
    );
    let r = run_as_bob(&ns, &["wait", "batch-bad", "--log-tail", "0"]);
    assert_eq!(r.code, 3, "{r}");
    assert!(!r.stderr.contains("driver log"), "--log-tail 0: {r}");

    // Succeeds while waiting.
    create(
        &pods,
        &driver(
            "batch-late-driver",
            "batch-late",
            "spark-wd",
            ends("Succeeded", "3000", "Completed"),
        ),
    )
    .await;
    let r = ok(&ns, User::Bob, &["wait", "batch-late"]);
    assert!(r.stderr.contains("(phase: Succeeded)"), "{r}");

    // Still running, its executors in trouble: reported while waiting, then exit 4.
    let stream = running(
        &pods,
        &driver("stream-driver", "stream", "spark-wc", json!({})),
    )
    .await;
    running(&pods, &executor(&stream, 1)).await;
    let mut pulling = executor(&stream, 2);
    merge_pod(
        &mut pulling,
        json!({"metadata": {"annotations": {"e2e.kubectl-spark.io/waiting-reason": "ImagePullBackOff",
            "e2e.kubectl-spark.io/waiting-message": "Back-off pulling image \"localhost/nope:1\""}}}),
    );
    create(&pods, &pulling).await;
    let mut oom = executor(&stream, 3);
    merge_pod(&mut oom, ends("Failed", "100", "OOMKilled"));
    create(&pods, &oom).await;
    wait_phase(&pods, "stream-exec-3", "Failed").await;
    common::wait_for_pod(&pods, "stream-exec-2", TIMEOUT, "waiting", |p| {
        p.and_then(|p| p.status.as_ref())
            .and_then(|s| s.container_statuses.as_ref())
            .is_some()
    })
    .await;
    let r = run_as_bob(&ns, &["wait", "stream", "--timeout", "3s"]);
    assert_eq!(r.code, 4, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "Executor 2 (pod {}/stream-exec-2) is Pending: ImagePullBackOff: Back-off pulling image \"localhost/nope:1\"",
            ns.name
        )) && r.stderr.contains(&format!(
            "Executor 3 (pod {}/stream-exec-3) failed: OOMKilled, exit 137 (1 lost (OOMKilled) so far)",
            ns.name
        )) && r.stderr.contains("--timeout 3s"),
        "{r}"
    );
    assert_eq!(
        r.stderr.matches("is Pending: ImagePullBackOff").count(),
        1,
        "once per change, not per tick: {r}"
    );
    let table = ok(&ns, User::Bob, &["status", "stream"]).stdout;
    assert!(table.contains(" 1/3, 1 lost (OOMKilled) "), "{table}");
    let json: Value =
        serde_json::from_str(&ok(&ns, User::Bob, &["status", "stream", "-o", "json"]).stdout)
            .unwrap();
    assert_eq!(
        json[0]["executors"],
        json!({"running": 1, "total": 3, "lost": {"count": 1, "reasons": {"OOMKilled": 1}}})
    );

    // Several: a glob, --all, -l. A failure (3) wins over a timeout (4).
    let r = run_as_bob(&ns, &["wait", "batch-*"]);
    assert_eq!(r.code, 3, "{r}");
    for app in ["batch-ok", "batch-bad", "batch-late"] {
        assert!(
            r.stderr
                .contains(&format!("Waiting for application {app} with")),
            "{app}: {r}"
        );
    }
    let r = run_as_bob(&ns, &["wait", "--all", "--timeout", "2s"]);
    assert_eq!(r.code, 3, "{r}");
    assert!(
        r.stderr.contains("Waiting for application stream with"),
        "{r}"
    );
    let r = run_as_bob(
        &ns,
        &["wait", "-l", "spark-app-name=stream", "--timeout", "1s"],
    );
    assert_eq!(r.code, 4, "{r}");
    let r = run_as_bob(&ns, &["wait", "nothing-here"]);
    assert_ne!(r.code, 0, "{r}");
    assert!(
        r.stderr
            .contains("no Spark application is named `nothing-here`"),
        "{r}"
    );
}

/// `describe` keeps the events of executors that no longer exist (Spark deletes failed ones;
/// a user may delete one by hand).
#[tokio::test]
async fn describe_keeps_the_events_of_deleted_executors() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "op-gone");
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    let app = running(&pods, &driver("gone-driver", "gone", "spark-g1", json!({}))).await;
    running(&pods, &executor(&app, 1)).await;
    running(&pods, &executor(&app, 2)).await;
    let scheduled = |text: &str, pod: &str| {
        text.lines()
            .any(|l| l.contains(&format!("pod/{pod} ")) && l.contains("Scheduled"))
    };
    let before = ok(&ns, User::Bob, &["describe", "gone"]).stdout;
    assert!(scheduled(&before, "gone-exec-1"), "{before}");
    pods.delete(
        "gone-exec-1",
        &kube::api::DeleteParams::default().grace_period(0),
    )
    .await
    .unwrap();
    common::wait_for_pod(&pods, "gone-exec-1", TIMEOUT, "deleted", |p| p.is_none()).await;
    let after = ok(&ns, User::Bob, &["describe", "gone"]).stdout;
    assert!(
        scheduled(&after, "gone-exec-1") && scheduled(&after, "gone-exec-2"),
        "the deleted executor's events are kept:\n{after}"
    );
    assert!(
        after.contains("Executors:        1 running of 1"),
        "{after}"
    );
}

fn merge_pod(pod: &mut Pod, extra: Value) {
    let mut value = serde_json::to_value(&*pod).unwrap();
    merge(&mut value, extra);
    *pod = serde_json::from_value(value).unwrap();
}
