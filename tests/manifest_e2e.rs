//! End-to-end tests of `kubectl spark submit -f` (SparkApplication manifests) on the local
//! cluster (real kube-apiserver, controller-manager and scheduler; kwok as the kubelet, whose
//! fake driver ends as the `e2e.kubectl-spark.io/*` pod annotations say): real submissions,
//! waiting, exit codes, several documents, and nothing created for a bad manifest.

mod common;

use std::process::Output;

use common::{Cluster, TestNamespace, User};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

fn kubectl_spark(ns: &TestNamespace, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-spark"))
        .env("KUBECONFIG", ns.kubeconfig(User::Bob))
        .env_remove("SPARK_CONF_DIR")
        .env_remove("SPARK_HOME")
        .env_remove("HADOOP_CONF_DIR")
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run kubectl-spark");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .expect("write stdin");
    drop(input);
    child.wait_with_output().expect("wait")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A Kubeflow SparkApplication whose fake driver ends with `outcome` after a short delay.
fn kubeflow(name: &str, outcome: &str, exit_code: u8) -> String {
    format!(
        r#"apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata:
  name: {name}
spec:
  type: Scala
  mode: cluster
  sparkVersion: 4.0.1
  image: apache/spark:4.0.1
  mainClass: org.apache.spark.examples.SparkPi
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  arguments: ["10"]
  timeToLiveSeconds: 60
  driver:
    cores: 1
    memory: 512m
    annotations:
      e2e.kubectl-spark.io/outcome: {outcome}
      e2e.kubectl-spark.io/exit-code: "{exit_code}"
      e2e.kubectl-spark.io/delay: "500"
    tolerations: [{{key: dedicated, operator: Exists}}]
    sidecars: [{{name: sidecar, image: "busybox:1.36"}}]
  executor:
    instances: 1
    memory: 512m
"#
    )
}

const APACHE: &str = r#"apiVersion: spark.apache.org/v1
kind: SparkApplication
metadata:
  name: apache-pi
spec:
  mainClass: org.apache.spark.examples.SparkPi
  jars: local:///opt/spark/examples/jars/spark-examples.jar
  driverArgs: ["10"]
  runtimeVersions: {sparkVersion: 3.5.9}
  sparkConf:
    spark.kubernetes.container.image: apache/spark:3.5.9
    spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/outcome: Succeeded
    spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/delay: "500"
"#;

async fn driver_pods(cluster: &Cluster, ns: &TestNamespace) -> Vec<Pod> {
    let client = cluster.client(User::Admin).await;
    let pods: Api<Pod> = Api::namespaced(client, &ns.name);
    pods.list(&ListParams::default().labels("spark-role=driver"))
        .await
        .expect("list pods")
        .items
}

#[tokio::test]
async fn manifests_are_submitted_and_waited_for_with_spark_submits_exit_codes() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "manifest");
    let dir = tempfile::tempdir().unwrap();
    let ok = dir.path().join("ok.yaml");
    std::fs::write(&ok, kubeflow("pi-ok", "Succeeded", 0)).unwrap();
    let ok = ok.to_string_lossy().into_owned();

    // One document that succeeds: exit 0, with the controller-only field warned about.
    let o = kubectl_spark(&ns, &["submit", "-f", &ok], None);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "stderr:\n{err}");
    assert!(err.contains("spec.timeToLiveSeconds"), "{err}");
    assert!(err.contains("termination reason: Completed"), "{err}");
    let pods = driver_pods(cluster, &ns).await;
    assert_eq!(pods.len(), 1);
    let spec = pods[0].spec.as_ref().unwrap();
    assert_eq!(
        spec.tolerations.as_ref().unwrap()[0].key.as_deref(),
        Some("dedicated"),
        "webhook fields reach the pod through the template"
    );
    assert_eq!(spec.containers[0].name, "sidecar");
    assert!(
        !pods[0]
            .metadata
            .labels
            .as_ref()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("sparkoperator.k8s.io")),
        "no operator bookkeeping labels"
    );

    // --strict refuses the controller-only field, before anything is created.
    let o = kubectl_spark(&ns, &["submit", "-f", &ok, "--strict"], None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert_eq!(driver_pods(cluster, &ns).await.len(), 1);

    // Two documents from stdin, the second fails with exit code 7: both are created, both are
    // waited for, and the command exits 3 like a failed submit.
    let both = format!(
        "{}---\n{}",
        kubeflow("pi-a", "Succeeded", 0),
        kubeflow("pi-b", "Failed", 7)
    );
    let o = kubectl_spark(&ns, &["submit", "-f", "-"], Some(&both));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "stderr:\n{err}");
    assert!(err.contains("pi-a") && err.contains("pi-b"), "{err}");
    assert!(err.contains("exit code: 7"), "{err}");
    assert_eq!(driver_pods(cluster, &ns).await.len(), 3);

    // --no-wait prints one submission id per document.
    let o = kubectl_spark(&ns, &["submit", "-f", "-", "--no-wait"], Some(&both));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let ids: Vec<String> = text(&o.stdout).lines().map(str::to_string).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(
        ids.iter()
            .all(|id| id.starts_with(&format!("{}:pi-", ns.name)))
    );

    // A bad second document: exit 2 and nothing created at all.
    let before = driver_pods(cluster, &ns).await.len();
    let bad = format!(
        "{}---\n{}",
        kubeflow("pi-c", "Succeeded", 0),
        kubeflow("pi-d", "Succeeded", 0).replace("cores: 1", "cores: one")
    );
    let o = kubectl_spark(&ns, &["submit", "-f", "-"], Some(&bad));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr:\n{err}");
    assert!(
        err.contains("spec.driver.cores: expected a number"),
        "{err}"
    );
    assert_eq!(driver_pods(cluster, &ns).await.len(), before);
}

#[tokio::test]
async fn apache_and_scheduled_manifests_run_once() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "manifest-apache");
    let o = kubectl_spark(&ns, &["submit", "-f", "-"], Some(APACHE));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "stderr:\n{err}");
    let pods = driver_pods(cluster, &ns).await;
    assert_eq!(pods.len(), 1);
    assert_eq!(
        pods[0].spec.as_ref().unwrap().containers[0]
            .image
            .as_deref(),
        Some("apache/spark:3.5.9")
    );
    let template = kubeflow("nightly", "Succeeded", 0);
    let spec = template.split_once("spec:\n").unwrap().1;
    let scheduled = format!(
        "apiVersion: sparkoperator.k8s.io/v1beta2\nkind: ScheduledSparkApplication\nmetadata:\n  name: nightly\nspec:\n  schedule: \"@every 1h\"\n  template:\n{}",
        spec.lines().map(|l| format!("  {l}\n")).collect::<String>()
    );
    let o = kubectl_spark(&ns, &["submit", "-f", "-"], Some(&scheduled));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "stderr:\n{err}");
    assert!(
        err.contains("spec.schedule") && err.contains("CronJob"),
        "{err}"
    );
    let names: Vec<String> = driver_pods(cluster, &ns)
        .await
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .collect();
    assert!(names.iter().any(|n| n.starts_with("nightly-")), "{names:?}");
}

/// A published-example shape: the ConfigMap and Secret the driver mounts, then the
/// application.
fn bundled(cm: &str, secret: &str, app: &str) -> String {
    format!(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {cm}
data:
  app.conf: "answer=42"
---
apiVersion: v1
kind: Secret
metadata:
  name: {secret}
type: Opaque
stringData:
  password: hunter2-do-not-print
---
{}"#,
        kubeflow(app, "Succeeded", 0).replace(
            "  driver:\n",
            &format!(
                "  volumes: [{{name: conf, configMap: {{name: {cm}}}}}]\n  driver:\n    \
                 volumeMounts: [{{name: conf, mountPath: /etc/app}}]\n    \
                 secrets: [{{name: {secret}, path: /mnt/creds, secretType: Generic}}]\n"
            )
        )
    )
}

#[tokio::test]
async fn plain_objects_of_the_file_are_created_first_and_rolled_back_on_failure() {
    use k8s_openapi::api::core::v1::{ConfigMap, Secret};
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "bundle");
    let client = cluster.client(User::Admin).await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns.name);
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns.name);

    // Preflight knows the file creates what the driver mounts; both are created, then the
    // application, which runs to success; the summary names them, never the secret's data.
    let file = bundled("app-conf", "app-creds", "pi-bundle");
    let o = kubectl_spark(&ns, &["submit", "-f", "-"], Some(&file));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "stderr:\n{err}");
    assert!(
        err.contains("the file's other objects: created ConfigMap/app-conf, Secret/app-creds"),
        "{err}"
    );
    assert!(!err.contains("hunter2") && !text(&o.stdout).contains("hunter2"));
    let cm = cms.get("app-conf").await.expect("the ConfigMap exists");
    assert_eq!(cm.data.unwrap()["app.conf"], "answer=42");
    let managers: Vec<String> = cm
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.manager)
        .collect();
    assert!(
        managers.contains(&"kubectl-spark".to_string()),
        "{managers:?}"
    );
    assert!(secrets.get_opt("app-creds").await.unwrap().is_some());
    let pods = driver_pods(cluster, &ns).await;
    assert_eq!(pods.len(), 1);

    // Again: the objects are updated in place (server-side apply), a second app runs.
    let again = file.replace("name: pi-bundle", "name: pi-bundle-2");
    let o = kubectl_spark(&ns, &["submit", "-f", "-", "--no-wait"], Some(&again));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "stderr:\n{err}");
    assert!(
        err.contains("updated ConfigMap/app-conf, Secret/app-creds"),
        "{err}"
    );

    // The application is refused by the API server (an invalid annotation key; preflight
    // skipped): the objects this run created are deleted again, the older ones kept.
    let failing = bundled("roll-conf", "app-creds", "pi-rolled").replace(
        "e2e.kubectl-spark.io/delay: \"500\"",
        "e2e.kubectl-spark.io/delay: \"500\"\n      bad/key/x: \"1\"",
    );
    let before = driver_pods(cluster, &ns).await.len();
    let o = kubectl_spark(
        &ns,
        &["submit", "-f", "-", "--no-wait", "--skip-preflight"],
        Some(&failing),
    );
    let err = text(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "stderr:\n{err}");
    assert!(
        err.contains("rolled back the file's objects: deleted ConfigMap/roll-conf")
            && err.contains("kept Secret/app-creds"),
        "{err}"
    );
    assert!(cms.get_opt("roll-conf").await.unwrap().is_none());
    assert!(secrets.get_opt("app-creds").await.unwrap().is_some());
    assert_eq!(driver_pods(cluster, &ns).await.len(), before);
}

#[tokio::test]
async fn restart_policy_and_retries_resubmit_a_failed_application() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "retry");
    // restartPolicy OnFailure with 2 retries: 3 attempts, each a new driver, exit 3 (the last).
    let failing = kubeflow("pi-retry", "Failed", 7).replace(
        "  timeToLiveSeconds: 60\n",
        "  restartPolicy: {type: OnFailure, onFailureRetries: 2, onFailureRetryInterval: 1}\n",
    );
    // A pod name the manifest fixes gets `-retry-<n>` (the failed pod keeps its name).
    let named = failing.replace("  driver:\n", "  driver:\n    podName: pi-retry-driver\n");
    let o = kubectl_spark(&ns, &["submit", "-f", "-"], Some(&named));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "stderr:\n{err}");
    assert!(
        err.contains("attempt 1 failed (the driver failed); resubmitting in 1s (retry 1 of 2)")
            && err.contains(
                "attempt 2 failed (the driver failed); resubmitting in 1s (retry 2 of 2)"
            )
            && err.contains("attempt 3: resubmitting as"),
        "{err}"
    );
    assert!(
        !err.contains("restartPolicy"),
        "honoured, not warned about: {err}"
    );
    let ids: Vec<String> = text(&o.stdout).lines().map(str::to_string).collect();
    let n = &ns.name;
    assert_eq!(
        ids,
        [
            format!("{n}:pi-retry-driver"),
            format!("{n}:pi-retry-driver-retry-1"),
            format!("{n}:pi-retry-driver-retry-2"),
        ],
        "one submission id per attempt"
    );
    assert_eq!(driver_pods(cluster, &ns).await.len(), 3);

    // --no-wait keeps the warning and submits once.
    let o = kubectl_spark(&ns, &["submit", "-f", "-", "--no-wait"], Some(&failing));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "stderr:\n{err}");
    assert!(
        err.contains("spec.restartPolicy is honoured only while"),
        "{err}"
    );
    assert_eq!(driver_pods(cluster, &ns).await.len(), 4);

    // The command line: --retries 1 gives 2 attempts (both fail: same annotations); the exit
    // code is the last attempt's, here 0 as --spark-exit-code asks.
    let o = kubectl_spark(
        &ns,
        &[
            "submit",
            "--retries",
            "1",
            "--retry-interval",
            "1s",
            "--spark-exit-code",
            "--class",
            "org.apache.spark.examples.SparkPi",
            "--conf",
            "spark.kubernetes.container.image=apache/spark:4.0.1",
            "--conf",
            "spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/outcome=Failed",
            "--conf",
            "spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/exit-code=5",
            "--conf",
            "spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/delay=300",
            "local:///opt/spark/examples/jars/spark-examples.jar",
        ],
        None,
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "stderr:\n{err}");
    assert!(
        err.contains("attempt 1 failed (the driver failed); resubmitting in 1s (retry 1 of 1)")
            && err.contains("attempt 2: resubmitting as"),
        "{err}"
    );
    assert_eq!(driver_pods(cluster, &ns).await.len(), 6);
    // A submission the API server refuses (an invalid annotation key; preflight skipped) is
    // resubmitted onSubmissionFailureRetries times, then its error is the command's.
    let refused = kubeflow("pi-refused", "Succeeded", 0)
        .replace(
            "  timeToLiveSeconds: 60\n",
            "  restartPolicy: {type: OnFailure, onSubmissionFailureRetries: 1, onSubmissionFailureRetryInterval: 1}\n",
        )
        .replace(
            "e2e.kubectl-spark.io/delay: \"500\"",
            "e2e.kubectl-spark.io/delay: \"500\"\n      bad/key/x: \"1\"",
        );
    let o = kubectl_spark(
        &ns,
        &["submit", "-f", "-", "--skip-preflight"],
        Some(&refused),
    );
    let err = text(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "stderr:\n{err}");
    assert!(
        err.contains("attempt 1 failed (the submission failed); resubmitting in 1s (retry 1 of 1)")
            && err.contains("attempt 2: resubmitting as"),
        "{err}"
    );
    assert_eq!(driver_pods(cluster, &ns).await.len(), 6);

    // --retries needs the wait.
    let o = kubectl_spark(
        &ns,
        &["submit", "-f", "-", "--no-wait", "--retries", "2"],
        Some(&failing),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("--retries resubmits"));
    assert_eq!(driver_pods(cluster, &ns).await.len(), 6);
}

/// A new namespace where `setup` ran (the driver's service account and Role).
fn set_up(cluster: &'static Cluster, prefix: &str) -> TestNamespace {
    let ns = TestNamespace::new(cluster, prefix);
    let setup = common::run_kspark(
        &ns,
        User::Admin,
        &["setup"],
        std::time::Duration::from_secs(60),
    );
    assert_eq!(setup.code, 0, "setup: {setup}");
    ns
}

/// The Apache operator's `examples/spark-history-server.yaml`.
const APACHE_HISTORY: &str = include_str!("fixtures/manifests/apache-spark-history-server.yaml");

/// A History Server from the Apache operator's example, on kwok (whose pods are Ready as soon
/// as they run): `submit -f` waits until it is ready, not for an end, and says how to use it;
/// `list` never shows it and `kill` never takes it; one that cannot start is reported and
/// deleted. (It serving `history` runs real Spark: tests/servers_real_node.rs.)
#[tokio::test]
async fn a_history_server_manifest_is_waited_for_until_ready_and_is_no_application() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = set_up(cluster, "manifest-history");
    let servers = || async {
        let pods: Api<Pod> = Api::namespaced(cluster.client(User::Admin).await, &ns.name);
        pods.list(&ListParams::default().labels("kubectl-spark.io/history-server=true"))
            .await
            .expect("list pods")
            .items
    };

    let o = kubectl_spark(&ns, &["submit", "-f", "-"], Some(APACHE_HISTORY));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "stderr:\n{err}");
    let id = text(&o.stdout).trim().to_string();
    let pod = id.split_once(':').unwrap().1.to_string();
    assert!(
        err.contains(&format!("History Server {id} is ready")),
        "{err}"
    );
    assert!(
        err.contains(&format!("kubectl spark history -n {}", ns.name)),
        "{err}"
    );
    assert!(!err.contains("Waiting for application"), "{err}");
    let found = servers().await;
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].spec.as_ref().unwrap().restart_policy.as_deref(),
        Some("Always")
    );

    let list = kubectl_spark(&ns, &["list", "-o", "name"], None);
    assert!(list.status.success(), "{}", text(&list.stderr));
    assert!(!text(&list.stdout).contains(&pod), "{}", text(&list.stdout));
    let kill = kubectl_spark(&ns, &["kill", &pod], None);
    assert_ne!(kill.status.code(), Some(0), "{}", text(&kill.stderr));
    assert_eq!(servers().await.len(), 1, "kill never takes the server");

    // One that cannot start: reported, deleted, a failure.
    let crashing = APACHE_HISTORY.replace(
        "  runtimeVersions:",
        "    spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/waiting-reason: CrashLoopBackOff\n  runtimeVersions:",
    );
    let o = kubectl_spark(&ns, &["submit", "-f", "-"], Some(&crashing));
    let err = text(&o.stderr);
    assert!(!o.status.success(), "stderr:\n{err}");
    assert!(
        err.contains("did not start: CrashLoopBackOff")
            && err.contains("Deleting the History Server"),
        "{err}"
    );

    let stop = kubectl_spark(&ns, &["history", "--stop"], None);
    assert!(stop.status.success(), "{}", text(&stop.stderr));
    assert!(servers().await.is_empty());
}

/// The Apache operator's `examples/spark-connect-server.yaml`.
const APACHE_CONNECT: &str = include_str!("fixtures/manifests/apache-spark-connect-server.yaml");

/// A Spark Connect server from the Apache operator's example, on kwok: `submit -f` waits until
/// it is ready (its readiness probe), not for an end, says how to attach, and exits 0.
#[tokio::test]
async fn a_connect_server_manifest_is_waited_for_until_ready() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = set_up(cluster, "manifest-connect");
    let o = kubectl_spark(&ns, &["submit", "-f", "-"], Some(APACHE_CONNECT));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "stderr:\n{err}");
    let id = text(&o.stdout).trim().to_string();
    assert!(
        err.contains(&format!("Spark Connect server {id} is ready")),
        "{err}"
    );
    assert!(
        err.trim_end()
            .ends_with("(a tunnel and the connection string with its token)")
            && err.contains("--attach"),
        "the last line says how to attach:\n{err}"
    );
    assert!(!err.contains("Waiting for application"), "{err}");
}
