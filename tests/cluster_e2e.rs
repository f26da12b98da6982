//! The local test cluster is a real one: a real kube-apiserver with RBAC, scheduler and
//! controller-manager (garbage collection), kwok playing the kubelets (pod phases, logs,
//! port-forwarding). These tests guard what the other end-to-end tests rely on.
//!
//! Run: `tests/cluster/up.sh && cargo test --test cluster_e2e`. Without a cluster the tests
//! skip, or fail when `CI=true`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use common::{Cluster, TestNamespace, User};
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Service};
use kube::api::{Api, DeleteParams, LogParams, PostParams};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TIMEOUT: Duration = Duration::from_secs(60);

fn phase(pod: Option<&Pod>) -> Option<&str> {
    pod?.status.as_ref()?.phase.as_deref()
}

/// Creates a pod (one container named `container`) and waits until kwok reports it Running.
async fn running_pod(pods: &Api<Pod>, name: &str, container: &str) -> Pod {
    pods.create(&PostParams::default(), &common::pod(name, container, &[]))
        .await
        .unwrap_or_else(|e| panic!("create pod {name}: {e}"));
    common::wait_for_pod(pods, name, TIMEOUT, "Running", |p| {
        phase(p) == Some("Running")
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn server_reports_the_pinned_kubernetes_version() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let expected = common::expected_k8s_version();
    assert_eq!(
        cluster.k8s_version, expected,
        "env file vs tests/cluster/versions.env"
    );
    let info = cluster
        .admin_client()
        .await
        .apiserver_version()
        .await
        .unwrap();
    assert_eq!(info.git_version, format!("v{expected}"));
}

#[tokio::test]
async fn pod_is_scheduled_onto_a_kwok_node_and_runs() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "runs");
    let pods: Api<Pod> = Api::namespaced(cluster.bob_client().await, &ns.name);

    let pod = running_pod(&pods, "plain", "main").await;

    let node = pod
        .spec
        .as_ref()
        .unwrap()
        .node_name
        .clone()
        .expect("scheduled");
    assert!(
        cluster.nodes.contains(&node),
        "{node} is not one of {:?}",
        cluster.nodes
    );
    let status = pod.status.unwrap();
    assert!(status.pod_ip.is_some_and(|ip| ip.starts_with("10.244.")));
    assert!(status.start_time.is_some());
    let ready = status.conditions.unwrap_or_default();
    assert!(
        ready
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True"),
        "{ready:?}"
    );
    let containers = status.container_statuses.unwrap();
    assert_eq!(containers.len(), 1);
    assert!(containers[0].state.as_ref().unwrap().running.is_some());
}

#[tokio::test]
async fn pod_annotated_to_fail_ends_failed_with_the_chosen_exit_code() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "fails");
    let pods: Api<Pod> = Api::namespaced(cluster.admin_client().await, &ns.name);
    let annotations = [
        ("e2e.kubectl-spark.io/outcome", "Failed"),
        ("e2e.kubectl-spark.io/exit-code", "7"),
        ("e2e.kubectl-spark.io/delay", "300"),
    ];
    pods.create(
        &PostParams::default(),
        &common::pod("doomed", "main", &annotations),
    )
    .await
    .unwrap();

    let pod = common::wait_for_pod(&pods, "doomed", TIMEOUT, "Failed", |p| {
        phase(p) == Some("Failed")
    })
    .await
    .unwrap();
    let status = pod.status.unwrap();
    let terminated = status.container_statuses.unwrap()[0]
        .state
        .clone()
        .unwrap()
        .terminated
        .expect("container terminated");
    assert_eq!(terminated.exit_code, 7);
    assert_eq!(terminated.reason.as_deref(), Some("Error"));
    assert!(terminated.finished_at.is_some());
}

#[tokio::test]
async fn pod_annotated_to_succeed_completes_with_exit_code_zero() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "succeeds");
    let pods: Api<Pod> = Api::namespaced(cluster.admin_client().await, &ns.name);
    let annotations = [
        ("e2e.kubectl-spark.io/outcome", "Succeeded"),
        ("e2e.kubectl-spark.io/delay", "300ms"),
    ];
    let driver = common::pod("pi-driver", "spark-kubernetes-driver", &annotations);
    pods.create(&PostParams::default(), &driver).await.unwrap();

    let pod = common::wait_for_pod(&pods, "pi-driver", TIMEOUT, "Succeeded", |p| {
        phase(p) == Some("Succeeded")
    })
    .await
    .unwrap();
    let state = pod.status.unwrap().container_statuses.unwrap()[0]
        .state
        .clone()
        .unwrap();
    let terminated = state.terminated.expect("container terminated");
    assert_eq!(terminated.exit_code, 0);
    assert_eq!(terminated.reason.as_deref(), Some("Completed"));
}

#[tokio::test]
async fn logs_come_from_kwok_through_kubectl_and_kube_rs() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "logs");
    let pods: Api<Pod> = Api::namespaced(cluster.bob_client().await, &ns.name);
    running_pod(&pods, "driver", "spark-kubernetes-driver").await;
    running_pod(&pods, "exec-1", "spark-kubernetes-executor").await;
    let driver_log = common::log_messages(common::DRIVER_LOG_CRI);
    assert!(driver_log.contains("Pi is roughly 3.14"));

    let out = cluster
        .kubectl_as(User::Admin)
        .args(["logs", "-n", &ns.name, "driver"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubectl logs: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), driver_log);

    assert_eq!(
        pods.logs("driver", &LogParams::default()).await.unwrap(),
        driver_log
    );
    assert_eq!(
        pods.logs("exec-1", &LogParams::default()).await.unwrap(),
        common::log_messages(common::EXECUTOR_LOG_CRI)
    );
    let tail = LogParams {
        tail_lines: Some(1),
        ..LogParams::default()
    };
    assert_eq!(
        pods.logs("driver", &tail).await.unwrap(),
        format!("{}\n", driver_log.lines().last().unwrap())
    );
}

/// Kills the child process when dropped.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn kubectl_port_forward_reaches_the_fake_spark_ui() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "kubectl-pf");
    let pods: Api<Pod> = Api::namespaced(cluster.alice_client().await, &ns.name);
    running_pod(&pods, "driver", "spark-kubernetes-driver").await;

    let mut forward = KillOnDrop(
        ns.kubectl_as(User::Alice)
            .args([
                "port-forward",
                "--address",
                "127.0.0.1",
                "pod/driver",
                ":4040",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // "Forwarding from 127.0.0.1:PORT -> 4040"; then keep reading, or kubectl dies of SIGPIPE
    // when it reports "Handling connection for PORT".
    let mut stdout = BufReader::new(forward.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let port: u16 = line
        .strip_prefix("Forwarding from 127.0.0.1:")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| {
            let _ = forward.0.kill();
            let mut err = String::new();
            let _ = forward.0.stderr.take().unwrap().read_to_string(&mut err);
            panic!("kubectl port-forward printed {line:?}; stderr: {err}")
        });

    let page = tokio::task::spawn_blocking(move || {
        let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        conn.write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            .unwrap();
        let mut page = Vec::new();
        let mut buf = [0u8; 4096];
        // Until the server closes, or the page is complete (a tunnel may keep the socket open).
        while let Ok(n @ 1..) = conn.read(&mut buf) {
            page.extend_from_slice(&buf[..n]);
            if page.ends_with(b"</html>\n") {
                break;
            }
        }
        String::from_utf8_lossy(&page).into_owned()
    })
    .await
    .unwrap();
    assert!(page.starts_with("HTTP/1.0 200"), "{page}");
    assert!(page.contains("Spark UI"), "{page}");
}

#[tokio::test]
async fn kube_rs_port_forward_reaches_the_fake_spark_ui() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "kube-pf");
    let pods: Api<Pod> = Api::namespaced(cluster.bob_client().await, &ns.name);
    running_pod(&pods, "driver", "spark-kubernetes-driver").await;

    let mut forwarder = pods.portforward("driver", &[4040]).await.unwrap();
    let mut stream = forwarder.take_stream(4040).unwrap();
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let page = tokio::time::timeout(Duration::from_secs(30), async {
        let mut page = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = stream.read(&mut buf).await {
            page.extend_from_slice(&buf[..n]);
            if page.ends_with(b"</html>\n") {
                break;
            }
        }
        String::from_utf8_lossy(&page).into_owned()
    })
    .await
    .expect("the page within 30s");
    drop(stream);
    forwarder.abort();
    assert!(page.starts_with("HTTP/1.0 200"), "{page}");
    assert!(page.contains("Spark UI"), "{page}");
}

#[tokio::test]
async fn alice_may_create_pods_but_not_services_bob_may_do_both() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "rbac");
    let service: Service = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "driver-svc"},
        "spec": {"clusterIP": "None", "selector": {"app": "x"}, "ports": [{"name": "driver-rpc-port", "port": 7078}]}
    }))
    .unwrap();

    let alice = ns.client(User::Alice).await;
    Api::<Pod>::default_namespaced(alice.clone())
        .create(&PostParams::default(), &common::pod("alices", "main", &[]))
        .await
        .expect("alice creates pods");
    match Api::<Service>::default_namespaced(alice)
        .create(&PostParams::default(), &service)
        .await
    {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 403, "{status:?}"),
        other => panic!("alice created a Service: {other:?}"),
    }

    let bob = ns.client(User::Bob).await;
    Api::<Service>::default_namespaced(bob)
        .create(&PostParams::default(), &service)
        .await
        .expect("bob creates services");

    // Neither may touch a namespace that is not theirs.
    let elsewhere: Api<Pod> = Api::namespaced(cluster.bob_client().await, "default");
    match elsewhere.list(&Default::default()).await {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 403, "{status:?}"),
        other => panic!("bob listed pods in default: {other:?}"),
    }
}

#[tokio::test]
async fn deleting_a_pod_garbage_collects_the_configmap_it_owns() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "gc");
    let client = cluster.bob_client().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);
    let maps: Api<ConfigMap> = Api::namespaced(client, &ns.name);
    let pod = running_pod(&pods, "owner", "spark-kubernetes-driver").await;

    let owned: ConfigMap = serde_json::from_value(serde_json::json!({
        "metadata": {
            "name": "owned-conf-map",
            "ownerReferences": [{
                "apiVersion": "v1", "kind": "Pod", "name": "owner",
                "uid": pod.metadata.uid.clone().unwrap(), "controller": true
            }]
        },
        "data": {"spark.properties": "spark.app.name=gc\n"}
    }))
    .unwrap();
    maps.create(&PostParams::default(), &owned).await.unwrap();

    pods.delete("owner", &DeleteParams::default())
        .await
        .unwrap();
    common::wait_for_pod(&pods, "owner", TIMEOUT, "deleted", |p| p.is_none()).await;
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while maps.get_opt("owned-conf-map").await.unwrap().is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the garbage collector left owned-conf-map behind for {TIMEOUT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn per_test_kubeconfig_puts_kubectl_in_the_test_namespace() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "kubeconfig");
    let out = ns
        .kubectl_as(User::Bob)
        .args([
            "config",
            "view",
            "--minify",
            "-o",
            "jsonpath={.contexts[0].context.namespace}",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), ns.name);
    let out = ns
        .kubectl_as(User::Bob)
        .args(["get", "pods"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("No resources found in {ns} namespace")),
        "{stderr}"
    );
}
