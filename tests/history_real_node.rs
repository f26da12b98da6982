//! End to end on the real node (`KSPARK_WITH_REAL_NODE=1`), with the S3 server as the
//! event-log store: `setup --event-log-dir s3a://…` (+ `--conf` for the endpoint and the
//! credentials, which go to a Secret), then a plain `submit` writes an event log; `history`
//! starts the namespace's History Server and lists the application; a second `history` reuses
//! the server; `describe` of the finished app (pod still there) adds Spark's view from the
//! server; after `cleanup` deleted the driver, `list --all` and `status` show it marked
//! `completed (pod gone)`, `ui APP-ID` serves the application's jobs on the forwarded port and
//! `describe APP-ID` shows them; `history --stop` leaves nothing behind.
//!
//! One Spark application and one History Server (two JVMs on the node's 2 cores). Without a
//! real node the test prints `SKIPPED`; under `CI=true` that is a failure. The test name starts
//! with `real_node_`, which `tests/run.sh` skips in its kwok-only stage.

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{
    Cluster, Run, Running, S3, TestNamespace, User, kspark, read_ui_url, run_kspark, skip_real_node,
};
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Service};
use kube::api::{Api, ListParams};

/// A JVM starts in 20-40 s on two busy cores; a driver, then its executor, then the work.
const SPARK_TIMEOUT: Duration = Duration::from_secs(420);
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);
/// How long the History Server may take to list an application after its end (it scans the
/// event-log directory every 10 s; the first scan follows its start).
const LISTED_TIMEOUT: Duration = Duration::from_secs(180);

#[track_caller]
fn ok(ns: &TestNamespace, user: User, args: &[&str]) -> Run {
    let r = run_kspark(ns, user, args, COMMAND_TIMEOUT);
    assert_eq!(r.code, 0, "kubectl-spark {args:?}: {r}");
    r
}

/// The heading of the Spark section a History Server fills.
const SECTION: &str = "Spark (from its event log, by the History Server ";

/// Asserts that the command's stdout has each of `needles`.
#[track_caller]
fn assert_shows(r: &Run, needles: &[&str]) {
    for needle in needles {
        assert!(r.stdout.contains(needle), "no `{needle}` in: {r}");
    }
}

/// One GET on `127.0.0.1:port`, the body.
fn http_get(port: u16, path: &str) -> String {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).expect("connect to the forward");
    conn.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    let _ = conn.read_to_string(&mut text);
    text
}

#[tokio::test]
async fn real_node_event_logs_history_server_and_the_app_after_its_driver_is_gone() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let get = |k: &str| cluster.env.get(k).filter(|v| !v.is_empty()).cloned();
    let (Some(_), Some(image), Some(template), Some(host_ip)) = (
        get("KSPARK_REAL_NODE"),
        get("KSPARK_SPARK_IMAGE"),
        get("KSPARK_REAL_NODE_POD_TEMPLATE"),
        get("KSPARK_REAL_NODE_IP"),
    ) else {
        skip_real_node::<()>(&format!("{} has no real node", cluster.dir.display()));
        return;
    };
    let s3 = S3::get().expect("an S3 server (tests/s3/up.sh) for the real-node tests");
    assert!(
        s3.endpoint.starts_with(&format!("http://{host_ip}:")),
        "the S3 server listens on {}, which pods cannot reach: start it with KSPARK_S3_HOST={host_ip} tests/s3/up.sh",
        s3.endpoint
    );
    let ns = cluster.namespace("history-rn");
    let prefix = format!("history-{:08x}", rand::random::<u32>());
    let log_dir = format!("s3a://{}/{prefix}/events", s3.bucket);

    // 1. The namespace's defaults: event logs on S3, the store's settings and credentials,
    //    the image and what lands pods on the real node with small requests.
    let confs = [
        format!("spark.hadoop.fs.s3a.endpoint={}", s3.endpoint),
        "spark.hadoop.fs.s3a.path.style.access=true".into(),
        "spark.hadoop.fs.s3a.connection.ssl.enabled=false".into(),
        "spark.hadoop.fs.s3a.endpoint.region=us-east-1".into(),
        format!("spark.hadoop.fs.s3a.access.key={}", s3.access_key),
        format!("spark.hadoop.fs.s3a.secret.key={}", s3.secret_key),
        format!("spark.kubernetes.driver.podTemplateFile={template}"),
        format!("spark.kubernetes.executor.podTemplateFile={template}"),
        "spark.kubernetes.driver.request.cores=0.1".into(),
        "spark.kubernetes.executor.request.cores=0.1".into(),
        "spark.driver.memory=512m".into(),
        "spark.executor.memory=512m".into(),
        "spark.executor.instances=1".into(),
    ];
    let mut setup = vec![
        "setup".to_string(),
        "--event-log-dir".into(),
        log_dir.clone(),
        "--image".into(),
        image.clone(),
    ];
    for c in &confs {
        setup.push("--conf".into());
        setup.push(c.clone());
    }
    let setup: Vec<&str> = setup.iter().map(String::as_str).collect();
    let r = ok(&ns, User::Admin, &setup);
    assert!(!r.stderr.contains(&s3.secret_key), "secret printed: {r}");
    assert!(
        r.stderr
            .contains(&format!("event-log directory {log_dir} is ready")),
        "{r}"
    );

    // 2. A plain submit: everything else comes from the namespace; it writes an event log.
    let submit = run_kspark(
        &ns,
        User::Bob,
        &[
            "submit",
            "--name",
            "hist-pi",
            "local:///opt/spark/examples/src/main/python/pi.py",
            "4",
        ],
        SPARK_TIMEOUT,
    );
    assert_eq!(submit.code, 0, "submit: {submit}");
    assert_eq!(
        submit.stderr.matches("Applying namespace defaults").count(),
        1,
        "{submit}"
    );
    let pod_name = submit.stdout.trim().rsplit(':').next().unwrap().to_string();
    let pods: Api<Pod> = Api::namespaced(cluster.admin_client().await, &ns.name);
    let driver = pods.get(&pod_name).await.expect("driver pod");
    let app_id = driver.metadata.labels.as_ref().unwrap()["spark-app-selector"].clone();
    let logs = s3.objects(&format!("{prefix}/events"));
    assert!(
        logs.iter().any(|k| k.contains(&app_id)),
        "no event log of {app_id} in {logs:?}"
    );

    // Without a History Server, describe of the finished app says where its event log is and
    // how to see Spark's view of it.
    let early = ok(&ns, User::Bob, &["describe", &pod_name]);
    let applied = early
        .stdout
        .lines()
        .find(|l| l.starts_with("Defaults applied: "))
        .unwrap_or_else(|| panic!("describe says which defaults applied: {early}"));
    assert!(
        applied.contains("spark.eventLog.dir") && !applied.contains(&s3.secret_key),
        "{applied}"
    );
    assert!(
        early
            .stdout
            .contains(&format!("its event log is in {log_dir}"))
            && early
                .stdout
                .contains(&format!("kubectl spark history -n {}", ns.name)),
        "{early}"
    );

    // 3. history: creates the server, lists the app (within a minute of its end in practice).
    let ended = Instant::now();
    let first = ok(&ns, User::Admin, &["history"]);
    assert!(
        first.stderr.contains("Created the History Server"),
        "{first}"
    );
    assert!(first.stderr.contains(&log_dir), "{first}");
    let mut listed = first.stdout.contains(&app_id);
    let mut second = None;
    while !listed {
        assert!(
            ended.elapsed() < LISTED_TIMEOUT,
            "the History Server did not list {app_id}: {first}"
        );
        std::thread::sleep(Duration::from_secs(2));
        let r = ok(&ns, User::Admin, &["history", "-o", "name"]);
        listed = r.stdout.lines().any(|l| l == app_id);
        second = Some(r);
    }
    let _ = writeln!(
        std::io::stderr(),
        "figure: the History Server listed the application {:.0} s after its end",
        ended.elapsed().as_secs_f64()
    );
    // 4. A second history reuses the server: one server pod, never listed as an application.
    let again = ok(&ns, User::Admin, &["history", "-o", "json"]);
    assert!(again.stderr.contains("Using the History Server"), "{again}");
    drop(second);
    let apps: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    let entry = apps
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["appId"] == app_id.as_str())
        .unwrap_or_else(|| panic!("{app_id} not in {again}"));
    assert_eq!(entry["state"], "succeeded", "{entry}");
    let servers = pods
        .list(&ListParams::default().labels("kubectl-spark.io/history-server=true"))
        .await
        .unwrap()
        .items;
    assert_eq!(servers.len(), 1, "one History Server");
    let list = ok(&ns, User::Bob, &["list", "-o", "name"]);
    assert!(!list.stdout.contains("history-server"), "{list}");

    // describe of the finished app whose pod still exists: the pod's view and Spark's, from
    // the History Server, in the one section a live driver's answers fill.
    let described = ok(&ns, User::Bob, &["describe", "hist-pi"]);
    assert_shows(
        &described,
        &[&pod_name, SECTION, "reduce at", "  Executors:      "],
    );

    // 5. cleanup deletes the driver; the application stays inspectable.
    let clean = ok(&ns, User::Bob, &["cleanup", "--older-than", "0s", "--yes"]);
    assert!(clean.stderr.contains("kubectl spark logs"), "{clean}");
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    while pods.get_opt(&pod_name).await.unwrap().is_some() {
        assert!(Instant::now() < deadline, "the driver was not deleted");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        pods.get_opt(servers[0].metadata.name.as_deref().unwrap())
            .await
            .unwrap()
            .is_some(),
        "cleanup must never take the History Server"
    );

    // list --all and status: the app whose pod is gone, marked as such, from the History Server.
    let gone_id = format!("{}:{app_id}", ns.name);
    // The name Spark recorded (pi.py names itself PythonPi, over --name).
    let name = entry["name"].as_str().unwrap().to_string();
    let plain = ok(&ns, User::Bob, &["list", "-o", "name"]);
    assert!(!plain.stdout.contains(&app_id), "{plain}");
    let all = ok(&ns, User::Bob, &["list", "--all", "-o", "name"]);
    assert!(all.stdout.lines().any(|l| l == gone_id), "{all}");
    let table = ok(&ns, User::Bob, &["list", "--all"]);
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.starts_with(&format!("{name} ")) && l.contains("completed (pod gone)")),
        "{table}"
    );
    let by_id = ok(&ns, User::Bob, &["status", &app_id]);
    assert!(by_id.stdout.contains("completed (pod gone)"), "{by_id}");
    let json = ok(&ns, User::Bob, &["status", "--all", "-o", "json"]);
    let items: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let item = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["submissionId"] == gone_id.as_str())
        .unwrap_or_else(|| panic!("{gone_id} not in {json}"));
    assert_eq!(item["podGone"], true, "{item}");
    assert_eq!(item["state"], "completed", "{item}");
    assert_eq!(item["appName"], name, "{item}");

    // ui APP-ID: forwarded to the History Server, which serves the app's jobs.
    let mut ui = Running(
        kspark(&ns, User::Admin)
            .args(["ui", &app_id, "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let (_, port) = read_ui_url(&mut ui.0);
    let jobs = http_get(port, &format!("/api/v1/applications/{app_id}/jobs"));
    assert!(jobs.starts_with("HTTP/1.1 200"), "{jobs}");
    assert!(jobs.contains("\"status\" : \"SUCCEEDED\""), "{jobs}");
    assert!(jobs.contains("reduce at"), "{jobs}");
    drop(ui);

    // describe APP-ID: the Spark section from the History Server.
    let described = ok(&ns, User::Admin, &["describe", &app_id]);
    assert_shows(&described, &[&app_id, SECTION, "Jobs:", "reduce at"]);

    // 6. history --stop leaves nothing of the server behind; the event logs stay.
    ok(&ns, User::Admin, &["history", "--stop"]);
    let admin = cluster.admin_client().await;
    let server_uid = servers[0].metadata.uid.clone().unwrap();
    let owned = |refs: &Option<
        Vec<k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference>,
    >| { refs.iter().flatten().any(|r| r.uid == server_uid) };
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    loop {
        let lp = ListParams::default();
        let left_pods = pods
            .list(&ListParams::default().labels("kubectl-spark.io/history-server=true"))
            .await
            .unwrap()
            .items
            .len();
        let left_cms = Api::<ConfigMap>::namespaced(admin.clone(), &ns.name)
            .list(&lp)
            .await
            .unwrap()
            .items
            .iter()
            .filter(|c| owned(&c.metadata.owner_references))
            .count();
        let left_svcs = Api::<Service>::namespaced(admin.clone(), &ns.name)
            .list(&lp)
            .await
            .unwrap()
            .items
            .iter()
            .filter(|c| owned(&c.metadata.owner_references))
            .count();
        if left_pods + left_cms + left_svcs == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "left behind: {left_pods} pod(s), {left_cms} ConfigMap(s), {left_svcs} Service(s)"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let after = ok(&ns, User::Bob, &["list", "--all"]);
    assert!(
        after
            .stderr
            .contains(&format!("no History Server runs in namespace {}", ns.name)),
        "{after}"
    );
    assert!(
        s3.objects(&format!("{prefix}/events"))
            .iter()
            .any(|k| k.contains(&app_id)),
        "the event logs stay"
    );
}
