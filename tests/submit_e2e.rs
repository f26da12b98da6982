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
