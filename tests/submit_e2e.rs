//! End-to-end tests of `kubectl spark submit` on the local cluster (real kube-apiserver,
//! controller-manager and scheduler; kwok as the kubelet).

mod common;

use std::process::Output;
use std::time::Duration;

use common::{Cluster, TestNamespace, User};
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{Api, DeleteParams, ListParams};

const SPARK_PI: &str = "org.apache.spark.examples.SparkPi";
const EXAMPLES: &str = "local:///opt/spark/examples/jars/spark-examples.jar";
const OUTCOME: &str = "spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/outcome";
const DELAY: &str = "spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/delay";
const EXIT_CODE: &str = "spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/exit-code";

/// Runs kubectl-spark as `user` with the namespace as the kubeconfig context's namespace.
fn kubectl_spark(ns: &TestNamespace, user: User, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-spark"))
        .env("KUBECONFIG", ns.kubeconfig(user))
        .env_remove("SPARK_CONF_DIR")
        .env_remove("SPARK_HOME")
        .env_remove("HADOOP_CONF_DIR")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run kubectl-spark")
}

fn submit_args<'a>(image: &'a str, extra: &[&'a str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "submit", "--name", "spark-pi", "--class", SPARK_PI, "--conf",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.push(format!("spark.kubernetes.container.image={image}"));
    a.extend(extra.iter().map(|s| s.to_string()));
    a.push(EXAMPLES.into());
    a.push("10".into());
    a
}

fn run_submit(ns: &TestNamespace, user: User, image: &str, extra: &[&str]) -> Output {
    let args = submit_args(image, extra);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    kubectl_spark(ns, user, &refs)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn submission_creates_owned_objects_as_a_restricted_submitter() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "submit-objects");
    let o = run_submit(&ns, User::Bob, "apache/spark:4.2.1", &["--no-wait"]);
    assert!(o.status.success(), "stderr:\n{}", text(&o.stderr));
    let id = text(&o.stdout).trim().to_string();
    let (id_ns, pod_name) = id.split_once(':').expect("submission id ns:pod");
    assert_eq!(id_ns, ns.name);
    assert!(
        text(&o.stderr).contains("Deployed Spark application spark-pi with application ID spark-")
    );

    let client = ns.client(User::Admin).await;
    let pod = Api::<Pod>::namespaced(client.clone(), &ns.name)
        .get(pod_name)
        .await
        .unwrap();
    let uid = pod.metadata.uid.clone().unwrap();
    let labels = pod.metadata.labels.clone().unwrap();
    assert_eq!(labels["spark-role"], "driver");
    assert_eq!(labels["spark-version"], "4.2.1");
    let app_id = labels["spark-app-selector"].clone();
    assert!(
        pod.metadata.owner_references.is_none(),
        "the driver pod has no owner"
    );

    let owned_by_pod =
        |refs: &Option<Vec<k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference>>| {
            let refs = refs.as_ref().expect("ownerReferences");
            refs.len() == 1
                && refs[0].uid == uid
                && refs[0].kind == "Pod"
                && refs[0].controller == Some(true)
        };
    let services = Api::<Service>::namespaced(client.clone(), &ns.name)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(services.items.len(), 1);
    assert!(owned_by_pod(&services.items[0].metadata.owner_references));
    assert_eq!(
        services.items[0]
            .spec
            .as_ref()
            .unwrap()
            .cluster_ip
            .as_deref(),
        Some("None")
    );

    let maps = Api::<ConfigMap>::namespaced(client.clone(), &ns.name)
        .list(&ListParams::default())
        .await
        .unwrap();
    let conf_map = maps
        .items
        .iter()
        .find(|c| {
            c.metadata
                .name
                .as_deref()
                .is_some_and(|n| n.starts_with("spark-drv-"))
        })
        .expect("driver conf map");
    assert!(owned_by_pod(&conf_map.metadata.owner_references));
    let props = &conf_map.data.as_ref().unwrap()["spark.properties"];
    assert!(props.contains(&format!("spark.app.id={app_id}\n")));
    assert!(props.contains(&format!("spark.kubernetes.driver.pod.name={pod_name}\n")));

    let policies = Api::<NetworkPolicy>::namespaced(client.clone(), &ns.name)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(policies.items.len(), 1, "Spark 4.2 creates a NetworkPolicy");
    assert!(owned_by_pod(&policies.items[0].metadata.owner_references));

    // The driver is scheduled by the real scheduler onto a kwok node and started.
    let pods = Api::<Pod>::namespaced(client.clone(), &ns.name);
    common::wait_for_pod(&pods, pod_name, Duration::from_secs(30), "Running", |p| {
        p.and_then(|p| p.status.as_ref())
            .and_then(|s| s.phase.as_deref())
            == Some("Running")
    })
    .await;

    // Deleting the driver garbage-collects what it owns (kube-controller-manager).
    pods.delete(pod_name, &DeleteParams::background())
        .await
        .unwrap();
    let svc_api = Api::<Service>::namespaced(client.clone(), &ns.name);
    for _ in 0..300 {
        if svc_api
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the driver Service was not garbage-collected after the pod was deleted");
}

#[tokio::test]
async fn exit_code_follows_the_driver() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "submit-exit");
    let failed = format!("{OUTCOME}=Failed");
    let code = format!("{EXIT_CODE}=7");
    let delay = format!("{DELAY}=500");
    let o = run_submit(
        &ns,
        User::Bob,
        "apache/spark:4.0.1",
        &["--conf", &failed, "--conf", &code, "--conf", &delay],
    );
    let err = text(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(3),
        "a failed driver exits 3; stderr:\n{err}"
    );
    assert!(err.contains("exit code: 7"), "{err}");
    assert!(err.contains("Container final statuses:"), "{err}");
    assert!(err.contains("finished"), "{err}");

    let o = run_submit(
        &ns,
        User::Bob,
        "apache/spark:4.0.1",
        &["--spark-exit-code", "--conf", &failed, "--conf", &delay],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "--spark-exit-code keeps spark-submit's 0; stderr:\n{}",
        text(&o.stderr)
    );

    let ok = format!("{OUTCOME}=Succeeded");
    let o = run_submit(
        &ns,
        User::Bob,
        "apache/spark:4.0.1",
        &["--conf", &ok, "--conf", &delay],
    );
    assert_eq!(o.status.code(), Some(0), "stderr:\n{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("termination reason: Completed"));
}

/// Starts `submit` (waiting, as bob) in the background and returns it with the driver pod's
/// name once the pod exists, and an admin pod API for the namespace.
async fn spawn_waiting_submit(ns: &TestNamespace) -> (std::process::Child, Api<Pod>, String) {
    let args = submit_args("apache/spark:4.0.1", &[]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-spark"))
        .env("KUBECONFIG", ns.kubeconfig(User::Bob))
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pods = Api::<Pod>::namespaced(ns.client(User::Admin).await, &ns.name);
    for _ in 0..200 {
        let drivers = pods
            .list(&ListParams::default().labels("spark-role=driver"))
            .await
            .unwrap();
        if let Some(name) = drivers.items.first().and_then(|p| p.metadata.name.clone()) {
            return (child, pods, name);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the driver pod was not created within 10 s");
}

#[tokio::test]
async fn deleting_the_driver_while_waiting_is_a_failure() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "submit-deleted");
    let (child, pods, name) = spawn_waiting_submit(&ns).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    pods.delete(&name, &DeleteParams::background())
        .await
        .unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "stderr:\n{err}");
    assert!(err.contains("was deleted"), "{err}");
    assert_eq!(
        text(&out.stdout).trim(),
        format!("{}:{name}", ns.name),
        "the id on stdout"
    );
    // The hints name only commands that still work with the pod gone: no `logs`, and the
    // events command runs.
    assert!(!err.contains("kubectl spark logs"), "{err}");
    let events = err
        .split('`')
        .find(|s| s.starts_with("kubectl get events"))
        .unwrap_or_else(|| panic!("no events command in:\n{err}"));
    assert!(
        events.contains(&format!("involvedObject.name={name}")),
        "{events}"
    );
    let args: Vec<&str> = events.split(' ').skip(1).collect();
    let o = ns.kubectl_as(User::Bob).args(&args).output().unwrap();
    assert!(o.status.success(), "{events}: {}", text(&o.stderr));
}

#[tokio::test]
async fn a_failed_step_rolls_back_everything() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "submit-rollback");
    // alice may create pods and ConfigMaps but not Services: the pod is created, the Service
    // is refused, and the pod must be deleted again.
    // --skip-preflight: preflight would stop the submission before anything is created.
    let o = run_submit(
        &ns,
        User::Alice,
        "apache/spark:4.0.1",
        &["--no-wait", "--skip-preflight"],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "stderr:\n{err}");
    assert!(o.stdout.is_empty());
    assert!(
        err.contains("services") && err.contains("rolled back"),
        "{err}"
    );
    assert!(
        err.contains("kubectl spark setup"),
        "the 403 hint points to setup: {err}"
    );
    assert!(!err.contains(&cluster.alice_token), "a token was printed");
    let client = ns.client(User::Admin).await;
    let pods = Api::<Pod>::namespaced(client.clone(), &ns.name);
    for _ in 0..100 {
        let left: Vec<_> = pods
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .collect();
        if left.is_empty() {
            let maps = Api::<ConfigMap>::namespaced(client, &ns.name)
                .list(&ListParams::default())
                .await
                .unwrap();
            assert!(maps.items.iter().all(|c| {
                !c.metadata
                    .name
                    .as_deref()
                    .unwrap_or("")
                    .starts_with("spark-drv-")
            }));
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the driver pod was left behind after a failed submission");
}

#[tokio::test]
async fn server_dry_run_and_bad_input_create_nothing() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "submit-dry");
    let o = run_submit(
        &ns,
        User::Bob,
        "apache/spark:4.0.1",
        &["--dry-run=server", "-o", "json"],
    );
    assert!(o.status.success(), "stderr:\n{}", text(&o.stderr));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    assert!(text(&o.stderr).contains("nothing was created"));

    // The server validates: an invalid label value is refused by the API server, not by us.
    let o = run_submit(
        &ns,
        User::Bob,
        "apache/spark:4.0.1",
        &[
            "--dry-run=server",
            "--conf",
            "spark.kubernetes.driver.label.bad=-x-",
        ],
    );
    assert_ne!(
        o.status.code(),
        Some(0),
        "the server refuses an invalid label"
    );

    let o = run_submit(
        &ns,
        User::Bob,
        "apache/spark:4.0.1",
        &["--conf", "spark.kubernetes.driver.secretKeyRef.A=nocolon"],
    );
    assert_eq!(o.status.code(), Some(2));

    let pods = Api::<Pod>::namespaced(ns.client(User::Admin).await, &ns.name);
    assert!(
        pods.list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty(),
        "nothing may be created"
    );
}

/// Runs `kubectl-spark` with the cluster's admin kubeconfig (contexts `admin` → namespace
/// `default`, current; `e2e` → namespace `e2e`).
fn with_admin_kubeconfig(cluster: &Cluster, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-spark"))
        .env("KUBECONFIG", &cluster.admin_kubeconfig)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

fn server_dry_run_namespace(cluster: &Cluster, flags: &[&str]) -> String {
    let mut args = flags.to_vec();
    args.extend(["submit", "--dry-run=server", "-o", "json", "--class", "A"]);
    args.extend([
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.0.1",
        "local:///a.jar",
    ]);
    let o = with_admin_kubeconfig(cluster, &args);
    assert!(o.status.success(), "stderr:\n{}", text(&o.stderr));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    list["items"][0]["metadata"]["namespace"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn context_and_namespace_flags_on_the_local_cluster() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "kube-flags");
    assert_eq!(server_dry_run_namespace(cluster, &[]), "default");
    assert_eq!(
        server_dry_run_namespace(cluster, &["--context", "e2e"]),
        "e2e"
    );
    assert_eq!(
        server_dry_run_namespace(cluster, &["--context", "e2e", "-n", &ns.name]),
        ns.name
    );
    let o = with_admin_kubeconfig(
        cluster,
        &[
            "--context",
            "e2e",
            "--namespace",
            "does-not-exist-xyz",
            "submit",
            "--no-wait",
            "--class",
            "A",
            "--conf",
            "spark.kubernetes.container.image=apache/spark:4.0.1",
            "local:///a.jar",
        ],
    );
    assert_ne!(o.status.code(), Some(0));
    assert!(
        text(&o.stderr).contains("does-not-exist-xyz"),
        "{}",
        text(&o.stderr)
    );
    let o = with_admin_kubeconfig(cluster, &["version"]);
    assert!(
        text(&o.stdout).contains(&format!("server: v{}", cluster.k8s_version)),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn kubectl_finds_the_plugin_on_path() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_kubectl-spark"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let o = std::process::Command::new(&cluster.kubectl)
        .env("PATH", &path)
        .args(["spark", "--help"])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "kubectl spark --help failed: {}",
        text(&o.stderr)
    );
    assert!(
        text(&o.stdout).contains("Submit a Spark application"),
        "{}",
        text(&o.stdout)
    );
    let o = std::process::Command::new(&cluster.kubectl)
        .env("PATH", &path)
        .env("KUBECONFIG", &cluster.admin_kubeconfig)
        .args(["spark", "version"])
        .output()
        .unwrap();
    assert!(
        text(&o.stdout).contains(&format!("server: v{}", cluster.k8s_version)),
        "{}",
        text(&o.stdout)
    );
}

#[tokio::test]
async fn ctrl_c_stops_watching_and_leaves_the_application_running() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "submit-ctrl-c");
    let (child, pods, name) = spawn_waiting_submit(&ns).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "stderr:\n{err}");
    assert!(
        err.contains("keeps running")
            && err.contains(&format!("kubectl spark logs -f {}:{name}", ns.name)),
        "{err}"
    );
    let pod = pods.get(&name).await.expect("the driver is still there");
    assert!(pod.metadata.deletion_timestamp.is_none());
}

const SELECTOR: &str = "spark.kubernetes.driver.node.selector.e2e.kubectl-spark.io/disk";
const WAITING_REASON: &str =
    "spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/waiting-reason";
const WAITING_MESSAGE: &str =
    "spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/waiting-message";

/// The submission id on stdout: its only line.
fn submission_id(o: &Output) -> String {
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), 1, "stdout: {out}");
    out.trim().to_string()
}

#[tokio::test]
async fn waiting_says_why_the_driver_is_pending_and_timeout_leaves_it_running() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "submit-why");
    let pods = Api::<Pod>::namespaced(ns.client(User::Admin).await, &ns.name);

    // No node has the label: the scheduler's reason and message, once; then --timeout.
    let selector = format!("{SELECTOR}=none");
    let started = std::time::Instant::now();
    let o = run_submit(
        &ns,
        User::Bob,
        "apache/spark:4.0.1",
        &["--conf", &selector, "--skip-preflight", "--timeout", "8s"],
    );
    let err = text(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(4),
        "--timeout exits 4; stderr:\n{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(30), "{err}");
    let id = submission_id(&o);
    let pod = id.split_once(':').unwrap().1.to_string();
    let why = format!("Driver pod {}/{pod} is Pending: Unschedulable: 0/", ns.name);
    assert_eq!(err.matches(&why).count(), 1, "the reason once:\n{err}");
    assert!(
        err.contains("didn't match Pod's node affinity/selector"),
        "{err}"
    );
    assert!(
        err.contains("error: --timeout 8s: the driver pod")
            && err.contains("is still Pending (Unschedulable")
            && err.contains("the application keeps running")
            && err.contains(&format!("kubectl spark kill {id}")),
        "{err}"
    );
    let left = pods.get(&pod).await.expect("the driver is left running");
    assert!(left.metadata.deletion_timestamp.is_none());

    // A container that cannot start: the kubelet's reason and message.
    let reason = format!("{WAITING_REASON}=ImagePullBackOff");
    let message = format!("{WAITING_MESSAGE}=Back-off pulling image apache/spark:4.0.1");
    let o = run_submit(
        &ns,
        User::Bob,
        "apache/spark:4.0.1",
        &["--conf", &reason, "--conf", &message, "--timeout", "8s"],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "stderr:\n{err}");
    assert_eq!(
        err.matches("is Pending: ImagePullBackOff: Back-off pulling image apache/spark:4.0.1")
            .count(),
        1,
        "{err}"
    );
}

#[tokio::test]
async fn preflight_honours_the_drivers_node_selector() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "submit-fit");
    // Admin may list nodes (the node check is skipped for bob); the spark account passes the
    // service account checks.
    let o = kubectl_spark(&ns, User::Admin, &["setup"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // As admin, with the spark account, not waiting; `refused`: exit 2 with all of `says`.
    let submit = |extra: &[&str]| {
        let mut args = vec![
            "--no-wait",
            "--conf",
            "spark.kubernetes.authenticate.driver.serviceAccountName=spark",
        ];
        args.extend_from_slice(extra);
        run_submit(&ns, User::Admin, "apache/spark:4.0.1", &args)
    };
    let refused = |extra: &[&str], says: &[&str]| {
        let o = submit(extra);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "stderr:\n{err}");
        for s in says {
            assert!(err.contains(s), "{extra:?}: no {s:?} in\n{err}");
        }
        err
    };

    refused(
        &["--conf", &format!("{SELECTOR}=none")],
        &[
            "✗ a Ready node can fit the driver: no Ready node can take the driver",
            "without the labels of its node selector e2e.kubectl-spark.io/disk=none",
            "fix: fix spark.kubernetes.node.selector.*",
        ],
    );
    let admin = Api::<Pod>::namespaced(ns.client(User::Admin).await, &ns.name);
    assert!(
        admin
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );

    // The kwok nodes' own label: it fits.
    let o = submit(&["--conf", "spark.kubernetes.node.selector.type=kwok"]);
    assert!(o.status.success(), "stderr:\n{}", text(&o.stderr));

    // The executors are checked too: their own selector, their size with the overhead.
    let err = refused(
        &[
            "--conf",
            "spark.kubernetes.executor.node.selector.e2e.kubectl-spark.io/disk=none",
        ],
        &[
            "✗ a Ready node can fit the executor: no Ready node can take the executor",
            "e2e.kubectl-spark.io/disk=none",
            "spark.kubernetes.executor.node.selector.*",
        ],
    );
    assert!(!err.contains("✗ a Ready node can fit the driver"), "{err}");
    // 300g + 10% overhead.
    refused(
        &["--executor-memory", "300g"],
        &[
            "less than 1000m CPU and 337920 MiB memory allocatable",
            "--executor-memory",
        ],
    );
}

/// Reads stdout's first line of a running child, within `within`.
fn first_line(child: &mut std::process::Child, within: Duration) -> String {
    use std::io::BufRead;
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    rx.recv_timeout(within)
        .expect("a line on stdout in time")
        .trim()
        .to_string()
}

#[tokio::test]
async fn a_failed_driver_prints_its_log_tail_and_the_id_comes_first() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "submit-tail");
    let failed = format!("{OUTCOME}=Failed");
    let delay = format!("{DELAY}=6000");
    let driver_log = common::log_messages(common::DRIVER_LOG_CRI);
    let last: Vec<&str> = driver_log.lines().rev().take(3).collect();

    // The id is on stdout while submit still waits; the exit code is still the driver's.
    let args = submit_args(
        "apache/spark:4.0.1",
        &["--conf", &failed, "--conf", &delay, "--log-tail", "3"],
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-spark"))
        .env("KUBECONFIG", ns.kubeconfig(User::Bob))
        .env("NO_COLOR", "1")
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let id = first_line(&mut child, Duration::from_secs(6));
    assert!(id.starts_with(&format!("{}:spark-pi-", ns.name)), "{id}");
    assert!(
        child.try_wait().unwrap().is_none(),
        "the id came before the driver ended"
    );
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "stderr:\n{err}");
    let tail = format!(
        "Last 3 lines of the driver log (--log-tail N for more, 0 for none; all of it: \
         kubectl spark logs {id}):\n  {}\n  {}\n  {}\n",
        last[2], last[1], last[0]
    );
    assert!(err.contains(&tail), "{err}");
    // Under the status block, before the verdict.
    let at = |s: &str| err.find(s).unwrap_or_else(|| panic!("no `{s}` in:\n{err}"));
    assert!(at("Container final statuses:") < at("Last 3 lines"));
    assert!(at("Last 3 lines") < at("error: the driver pod"));
    // The commands the verdict names work.
    for command in [format!("logs {id}"), format!("describe {id}")] {
        assert!(err.contains(&format!("`kubectl spark {command}`")), "{err}");
        let args: Vec<&str> = command.split(' ').collect();
        let o = kubectl_spark(&ns, User::Bob, &args);
        assert!(o.status.success(), "{command}: {}", text(&o.stderr));
    }

    // The default: all of a short log, saying how many lines; 0: none.
    let short = format!("{DELAY}=300");
    let o = run_submit(
        &ns,
        User::Bob,
        "apache/spark:4.0.1",
        &["--conf", &failed, "--conf", &short],
    );
    let err = text(&o.stderr);
    let n = driver_log.lines().count();
    assert!(n < 20);
    assert!(
        err.contains(&format!(
            "The driver log (all {n} lines):\n  {}",
            driver_log.lines().next().unwrap()
        )),
        "{err}"
    );
    let o = run_submit(
        &ns,
        User::Bob,
        "apache/spark:4.0.1",
        &["--conf", &failed, "--conf", &short, "--log-tail", "0"],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(!err.contains("driver log"), "{err}");
    assert!(!err.contains(last[0]), "{err}");
}

/// Deletes a node when dropped (with a client of its own: the test's runtime is busy then).
struct NodeGuard(&'static Cluster, String);

impl Drop for NodeGuard {
    fn drop(&mut self) {
        let (kubeconfig, name) = (
            self.0.kubeconfig_path(User::Admin).to_path_buf(),
            self.1.clone(),
        );
        common::block_on(move || async move {
            let client = common::client_from_kubeconfig(&kubeconfig).await;
            let nodes = Api::<k8s_openapi::api::core::v1::Node>::all(client);
            let _ = nodes.delete(&name, &DeleteParams::default()).await;
        });
    }
}

#[tokio::test]
async fn preflight_honours_the_drivers_tolerations() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "submit-taint");
    // A fake node of its own, tainted: no other test's pod can land on it.
    let node_name = format!("{}-node", ns.name);
    let nodes = Api::<k8s_openapi::api::core::v1::Node>::all(ns.client(User::Admin).await);
    let node: k8s_openapi::api::core::v1::Node = serde_json::from_value(serde_json::json!({
        "metadata": {"name": node_name, "annotations": {"kwok.x-k8s.io/node": "fake"},
                     "labels": {"type": "kwok", "e2e.kubectl-spark.io/pool": ns.name}},
        "spec": {"taints": [{"key": "e2e.kubectl-spark.io/dedicated", "value": "spark", "effect": "NoSchedule"}]},
        "status": {"allocatable": {"cpu": "8", "memory": "32Gi", "pods": "110"},
                   "capacity": {"cpu": "8", "memory": "32Gi", "pods": "110"}}
    }))
    .unwrap();
    nodes
        .create(&kube::api::PostParams::default(), &node)
        .await
        .unwrap();
    let _guard = NodeGuard(cluster, node_name.clone());
    for _ in 0..300 {
        let n = nodes.get(&node_name).await.unwrap();
        let ready = n
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        let taints = n
            .spec
            .as_ref()
            .and_then(|s| s.taints.clone())
            .unwrap_or_default();
        if ready && taints.len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let o = kubectl_spark(&ns, User::Admin, &["setup"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let sa = "spark.kubernetes.authenticate.driver.serviceAccountName=spark";
    let pool = format!(
        "spark.kubernetes.driver.node.selector.e2e.kubectl-spark.io/pool={}",
        ns.name
    );
    let o = run_submit(
        &ns,
        User::Admin,
        "apache/spark:4.0.1",
        &["--no-wait", "--conf", sa, "--conf", &pool],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr:\n{err}");
    assert!(
        err.contains(&format!(
            "with a taint it does not tolerate (e2e.kubectl-spark.io/dedicated=spark:NoSchedule on {node_name})"
        )) && err.contains("add a toleration to the driver's pod template"),
        "{err}"
    );

    // Tolerated through a driver pod template: preflight passes, the scheduler agrees.
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("driver.yaml");
    std::fs::write(
        &template,
        "apiVersion: v1\nkind: Pod\nspec:\n  tolerations:\n  - {key: e2e.kubectl-spark.io/dedicated, operator: Equal, value: spark, effect: NoSchedule}\n",
    )
    .unwrap();
    let template_conf = format!(
        "spark.kubernetes.driver.podTemplateFile={}",
        template.display()
    );
    let o = run_submit(
        &ns,
        User::Admin,
        "apache/spark:4.0.1",
        &[
            "--no-wait",
            "--conf",
            sa,
            "--conf",
            &pool,
            "--conf",
            &template_conf,
        ],
    );
    assert!(o.status.success(), "stderr:\n{}", text(&o.stderr));
    let id = submission_id(&o);
    let pod = id.split_once(':').unwrap().1.to_string();
    let pods = Api::<Pod>::namespaced(ns.client(User::Admin).await, &ns.name);
    let scheduled = common::wait_for_pod(&pods, &pod, Duration::from_secs(30), "scheduled", |p| {
        p.and_then(|p| p.spec.as_ref())
            .and_then(|s| s.node_name.as_deref())
            .is_some()
    })
    .await
    .unwrap();
    assert_eq!(
        scheduled.spec.unwrap().node_name.as_deref(),
        Some(node_name.as_str())
    );
}

/// Shipped driver credentials: the driver authenticates with them, not with its service
/// account, so preflight checks what they allow (as the admin, who may ask about the
/// `default` account, which may do nothing here). A token that may run a driver passes; one
/// that may not create Services fails naming it; credentials inside the pod warn, never refuse.
#[tokio::test]
async fn preflight_checks_the_credentials_the_driver_will_use() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "submit-driver-creds");
    let token = |user: User| {
        format!(
            "spark.kubernetes.authenticate.driver.oauthToken={}",
            cluster.token(user)
        )
    };
    let bob = token(User::Bob);
    let o = run_submit(
        &ns,
        User::Admin,
        "apache/spark:4.0.1",
        &["--no-wait", "--conf", &bob],
    );
    let err = text(&o.stderr);
    assert!(o.status.success(), "stderr:\n{err}");
    assert!(!err.contains("service account default"), "{err}");
    assert!(
        !err.contains(cluster.token(User::Bob)),
        "the token was printed:\n{err}"
    );

    let alice = token(User::Alice);
    let o = run_submit(
        &ns,
        User::Admin,
        "apache/spark:4.0.1",
        &["--no-wait", "--conf", &alice],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr:\n{err}");
    assert!(
        err.contains("the driver's credentials (spark.kubernetes.authenticate.driver.oauthToken)")
            && err.contains("may not create services"),
        "{err}"
    );

    let o = run_submit(
        &ns,
        User::Admin,
        "apache/spark:4.0.1",
        &[
            "--no-wait",
            "--conf",
            "spark.kubernetes.authenticate.driver.mounted.oauthTokenFile=/var/run/secrets/driver/token",
        ],
    );
    let err = text(&o.stderr);
    assert!(o.status.success(), "stderr:\n{err}");
    assert!(
        err.contains("could not check: they are files inside the driver pod"),
        "{err}"
    );
    assert!(
        !err.contains("plain text"),
        "a path is not a secret:\n{err}"
    );
}

/// `--dry-run=server` prints every object with the namespace it would be created in.
#[tokio::test]
async fn server_dry_run_objects_carry_their_namespace() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "submit-dry-ns");
    for form in ["json", "yaml"] {
        let o = run_submit(
            &ns,
            User::Bob,
            "apache/spark:4.2.1",
            &[
                "--dry-run=server",
                "-o",
                form,
                "--conf",
                "spark.kubernetes.authenticate.driver.oauthToken=t",
            ],
        );
        assert!(o.status.success(), "stderr:\n{}", text(&o.stderr));
        let list: serde_json::Value = if form == "json" {
            serde_json::from_slice(&o.stdout).unwrap()
        } else {
            serde_saphyr::from_str(&text(&o.stdout)).unwrap()
        };
        let items = list["items"].as_array().unwrap();
        assert!(items.len() >= 5, "{items:?}");
        for item in items {
            assert_eq!(
                item["metadata"]["namespace"].as_str(),
                Some(ns.name.as_str()),
                "{form}: {} {}",
                item["kind"],
                item["metadata"]["name"]
            );
        }
    }
}
