//! End-to-end tests of `kubectl spark connect` on the local cluster, where kwok plays the
//! kubelets: the server's objects are created as bob would create them, kwok marks the pod
//! Ready (so the readiness probe itself is only exercised on a real node, see
//! `tests/connect_real_node.rs`), and the tunnel reaches kwok's fake port-forward target (an
//! HTTP server standing in for both the gRPC and the UI port). Ctrl-C deletes everything;
//! `--detach` leaves the server running and `--attach` reopens the tunnel.
//!
//! Run: `tests/cluster/up.sh && cargo test --test connect_e2e`. Without a cluster the tests
//! skip, or fail when `CI=true`.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Cluster, Running, TestNamespace, User, http_get, interrupt, kspark, wait_exit};
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret, Service};
use kube::api::{Api, ListParams};

const TIMEOUT: Duration = Duration::from_secs(60);
const BIN: &str = env!("CARGO_BIN_EXE_kubectl-spark");
const IMAGE: &str = "spark.kubernetes.container.image=apache/spark:4.0.5";
const LABEL: &str = "kubectl-spark.io/connect-server=true";

/// Collects a child's stderr in a thread (so it never blocks on a full pipe).
fn drain(stderr: ChildStderr) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut s);
        s
    })
}

/// Starts `connect` (foreground or `--attach`) with free local ports; returns it, the
/// connection string it printed first on stdout, and its stderr reader.
fn start(ns: &TestNamespace, args: &[&str]) -> (Running, String, std::thread::JoinHandle<String>) {
    let mut cmd = kspark(ns, User::Bob);
    cmd.arg("connect")
        .args(args)
        .args(["--port", "0", "--ui-port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = Running(cmd.spawn().unwrap());
    let err = drain(child.0.stderr.take().unwrap());
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    if line.is_empty() {
        let code = wait_exit(&mut child.0, TIMEOUT);
        panic!(
            "connect printed nothing (exit {code}): {}",
            err.join().unwrap()
        );
    }
    (child, line.trim().to_string(), err)
}

/// `sc://localhost:<port>/;token=<token>` → (port, token).
fn parse_remote(remote: &str) -> (u16, Option<String>) {
    let rest = remote
        .strip_prefix("sc://localhost:")
        .unwrap_or_else(|| panic!("{remote}"));
    let (port, params) = rest.split_once('/').unwrap_or((rest, ""));
    let token = params.strip_prefix(";token=").map(str::to_string);
    (port.parse().unwrap(), token)
}

/// Runs to completion; (exit code, stdout, stderr).
fn run(ns: &TestNamespace, args: &[&str]) -> (i32, String, String) {
    let mut cmd = kspark(ns, User::Bob);
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = Running(cmd.spawn().unwrap());
    let err = drain(child.0.stderr.take().unwrap());
    let mut out = String::new();
    child
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let code = wait_exit(&mut child.0, TIMEOUT);
    (code, out, err.join().unwrap())
}

/// The Connect servers' pods in the namespace.
async fn servers(pods: &Api<Pod>) -> Vec<Pod> {
    pods.list(&ListParams::default().labels(LABEL))
        .await
        .unwrap()
        .items
}

/// Asserts that the namespace has no pods (bad input created nothing).
async fn assert_no_pods(pods: &Api<Pod>) {
    let left = pods.list(&ListParams::default()).await.unwrap().items;
    let names: Vec<_> = left
        .iter()
        .filter_map(|p| p.metadata.name.as_deref())
        .collect();
    assert!(names.is_empty(), "pods left in the namespace: {names:?}");
}

/// Waits until nothing of a server is left: pods, Services, ConfigMaps and Secrets of the app.
async fn assert_all_gone(client: &kube::Client, ns: &str, app_id: &str) {
    let selector = format!("spark-app-selector={app_id}");
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let lp = ListParams::default().labels(&selector);
        let pods = Api::<Pod>::namespaced(client.clone(), ns)
            .list(&lp)
            .await
            .unwrap()
            .items
            .len();
        let services = Api::<Service>::namespaced(client.clone(), ns)
            .list(&lp)
            .await
            .unwrap()
            .items
            .len();
        let secrets = Api::<Secret>::namespaced(client.clone(), ns)
            .list(&lp)
            .await
            .unwrap()
            .items
            .len();
        // The conf ConfigMap has no labels: everything it could be is owned by a pod, and the
        // namespace has no other ConfigMaps than kube-root-ca.crt.
        let config_maps = Api::<ConfigMap>::namespaced(client.clone(), ns)
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|c| c.metadata.name.as_deref() != Some("kube-root-ca.crt"))
            .count();
        if pods + services + secrets + config_maps == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "left behind: {pods} pods, {services} services, {secrets} secrets, {config_maps} configmaps"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn app_id(pod: &Pod) -> String {
    pod.metadata.labels.as_ref().unwrap()["spark-app-selector"].clone()
}

#[tokio::test]
async fn foreground_connect_creates_forwards_and_deletes_on_ctrl_c() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "connect-fg");
    let client = ns.client(User::Bob).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);
    let started = Instant::now();
    let (mut connect, remote, err) = start(&ns, &["bi", "-c", IMAGE, "--num-executors", "2"]);
    let (port, token) = parse_remote(&remote);
    let token = token.expect("a 4.0.5 server has a token");
    assert_eq!(token.len(), 64);
    eprintln!(
        "connect: ready and forwarding after {:?}",
        started.elapsed()
    );

    // The server: one labelled pod, Ready, with its Service, ConfigMap and token Secret.
    let found = servers(&pods).await;
    assert_eq!(found.len(), 1);
    let server = &found[0];
    let id = app_id(server);
    let name = server.metadata.name.clone().unwrap();
    assert!(name.starts_with("bi-"), "{name}");
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns.name);
    let secret = secrets
        .list(&ListParams::default().labels(LABEL))
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(secret.data.unwrap()["token"].0, token.as_bytes());
    let owner = &secret.metadata.owner_references.unwrap()[0];
    assert_eq!(owner.name, name);
    let services: Api<Service> = Api::namespaced(client.clone(), &ns.name);
    let service = services
        .list(&ListParams::default().labels(&format!("spark-app-selector={id}")))
        .await
        .unwrap()
        .items
        .remove(0);
    let ports = service.spec.unwrap().ports.unwrap();
    assert!(
        ports
            .iter()
            .any(|p| p.name.as_deref() == Some("spark-connect") && p.port == 15002)
    );
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), &ns.name);
    for cm in config_maps.list(&ListParams::default()).await.unwrap() {
        let text = serde_json::to_string(&cm.data).unwrap();
        assert!(
            !text.contains(&token),
            "the token is in ConfigMap {:?}",
            cm.metadata.name
        );
    }

    // The tunnel reaches the pod's Connect port (kwok forwards it to its fake HTTP target).
    let page = tokio::task::spawn_blocking(move || http_get(port))
        .await
        .unwrap();
    assert!(page.starts_with("HTTP/1.0 200"), "{page}");

    // status, list, describe show it as a Connect server.
    let (code, out, e) = run(&ns, &["list"]);
    assert_eq!(code, 0, "{e}");
    assert!(out.contains("bi (connect)"), "{out}");
    let (code, out, e) = run(&ns, &["status", "bi", "-o", "json"]);
    assert_eq!(code, 0, "{e}");
    assert!(out.contains("\"kind\": \"connect-server\""), "{out}");
    let (code, out, e) = run(&ns, &["describe", "bi"]);
    assert_eq!(code, 0, "{e}");
    assert!(out.contains("Spark Connect:"), "{out}");
    assert!(out.contains("connect --attach"), "{out}");

    // Ctrl-C: everything is deleted, exit 0.
    interrupt(&connect.0);
    assert_eq!(wait_exit(&mut connect.0, TIMEOUT), 0);
    let err = err.join().unwrap();
    assert!(err.contains("Created Spark Connect server"), "{err}");
    assert!(err.contains("is ready"), "{err}");
    assert!(
        err.contains("export SPARK_REMOTE='sc://localhost:"),
        "{err}"
    );
    assert!(!err.contains(&token), "the token reached stderr: {err}");
    assert!(err.contains("is gone."), "{err}");
    assert_all_gone(&client, &ns.name, &id).await;
}

#[tokio::test]
async fn detach_then_attach_twice() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "connect-at");
    let client = ns.client(User::Bob).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);
    let (code, out, err) = run(&ns, &["connect", "--detach", "-c", IMAGE]);
    assert_eq!(code, 0, "{err}");
    let id = out.trim().to_string();
    assert!(
        id.starts_with(&format!("{}:spark-connect-", ns.name)),
        "{out}"
    );
    assert!(
        err.contains(&format!("kubectl spark connect --attach {id}")),
        "{err}"
    );
    let server = servers(&pods).await.remove(0);

    let mut tokens = Vec::new();
    for round in 0..2 {
        let (mut attached, remote, err) = start(&ns, &["--attach", "spark-connect"]);
        let (port, token) = parse_remote(&remote);
        tokens.push(token.expect("a token"));
        let page = tokio::task::spawn_blocking(move || http_get(port))
            .await
            .unwrap();
        assert!(page.starts_with("HTTP/1.0 200"), "round {round}: {page}");
        interrupt(&attached.0);
        assert_eq!(wait_exit(&mut attached.0, TIMEOUT), 0);
        let err = err.join().unwrap();
        assert!(err.contains("keeps running"), "{err}");
        // Still there.
        assert_eq!(servers(&pods).await.len(), 1, "round {round}");
    }
    assert_eq!(tokens[0], tokens[1]);

    // --attach to something that is not a Connect server is refused.
    let (code, _, err) = run(&ns, &["connect", "--attach", "nothing-here"]);
    assert_eq!(code, 2, "{err}");

    let (code, _, err) = run(&ns, &["kill", &id, "--wait"]);
    assert_eq!(code, 0, "{err}");
    assert_all_gone(&client, &ns.name, &app_id(&server)).await;
}

#[tokio::test]
async fn a_server_that_cannot_start_is_reported_and_removed() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "connect-bad");
    let client = ns.client(User::Bob).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);
    let annotation = "spark.kubernetes.driver.annotation.e2e.kubectl-spark.io";
    // The driver fails (as a bad class path does), before it is Ready.
    let (code, out, err) = run(
        &ns,
        &[
            "connect",
            "-c",
            IMAGE,
            "-c",
            &format!("{annotation}/start-delay=1500"),
            "-c",
            &format!("{annotation}/outcome=Failed"),
            "-c",
            &format!("{annotation}/delay=100"),
            "-c",
            &format!("{annotation}/message=ClassNotFoundException: org.example.Missing"),
        ],
    );
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("did not start: failed"), "{err}");
    assert!(err.contains("nothing was left behind"), "{err}");
    assert!(servers(&pods).await.is_empty());
    // A container that cannot be created is not waited for.
    let (code, _, err) = run(
        &ns,
        &[
            "connect",
            "-c",
            IMAGE,
            "-c",
            &format!("{annotation}/waiting-reason=CreateContainerConfigError"),
            "-c",
            &format!("{annotation}/waiting-message=secret \"x\" not found"),
        ],
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("CreateContainerConfigError: secret \"x\" not found"),
        "{err}"
    );
    // Unschedulable: reported at the timeout, with the scheduler's reason.
    let (code, _, err) = run(
        &ns,
        &[
            "connect",
            "-c",
            IMAGE,
            "-c",
            "spark.kubernetes.node.selector.no-such-label=x",
            "--timeout",
            "3s",
        ],
    );
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("was not ready after 3s (Pending: Unschedulable"),
        "{err}"
    );
    assert!(err.contains("it was deleted"), "{err}");
    let deadline = Instant::now() + TIMEOUT;
    while !servers(&pods).await.is_empty() {
        assert!(Instant::now() < deadline, "servers left behind");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn bad_input_creates_nothing() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "connect-in");
    let client = ns.client(User::Bob).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    for args in [
        vec!["connect", "-c", IMAGE, "--port", port.as_str()],
        vec![
            "connect",
            "-c",
            "spark.kubernetes.container.image=my/spark:latest",
        ],
        vec!["connect", "-c", IMAGE, "--deploy-mode", "client"],
    ] {
        let (code, out, err) = run(&ns, &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
    }
    assert_no_pods(&pods).await;
}

#[tokio::test]
async fn preflight_needs_port_forwarding() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "connect-pf");
    // A submitter who may create everything a server is made of, but not port-forward.
    let sa = format!("system:serviceaccount:{}:noforward", ns.name);
    for args in [
        vec!["create", "serviceaccount", "noforward"],
        vec![
            "create",
            "role",
            "noforward",
            "--verb=create,get,list,watch,delete,patch",
            "--resource=pods,services,configmaps,secrets",
        ],
        vec![
            "create",
            "rolebinding",
            "noforward",
            "--role=noforward",
            &format!("--serviceaccount={}:noforward", ns.name),
        ],
    ] {
        let out = ns.kubectl(&[&["-n", ns.name.as_str()], args.as_slice()].concat());
        assert!(out.status.success(), "{args:?}: {out:?}");
    }
    let out = ns.kubectl(&["-n", &ns.name, "create", "token", "noforward"]);
    assert!(out.status.success(), "{out:?}");
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let yaml = ns
        .kubeconfig_yaml(User::Bob)
        .replace(cluster.token(User::Bob), &token);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("noforward.kubeconfig");
    std::fs::write(&kubeconfig, yaml).unwrap();
    let out = Command::new(BIN)
        .env("KUBECONFIG", &kubeconfig)
        .env("NO_COLOR", "1")
        .args(["connect", "--port", "0", "--ui-port", "0", "-c", IMAGE])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{sa}: {err}");
    assert!(err.contains("you may create pods/portforward"), "{err}");
    assert!(err.contains("nothing was created"), "{err}");
    assert!(out.stdout.is_empty());
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Bob).await, &ns.name);
    assert_no_pods(&pods).await;
}

#[tokio::test]
async fn a_server_that_ends_while_forwarding_is_reported() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "connect-end");
    let client = ns.client(User::Bob).await;
    let annotation = "spark.kubernetes.driver.annotation.e2e.kubectl-spark.io";
    let (mut connect, _remote, err) = start(
        &ns,
        &[
            "-c",
            IMAGE,
            "-c",
            &format!("{annotation}/outcome=Failed"),
            "-c",
            &format!("{annotation}/delay=6000"),
        ],
    );
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);
    let id = app_id(&servers(&pods).await[0]);
    assert_eq!(wait_exit(&mut connect.0, TIMEOUT), 3);
    let err = err.join().unwrap();
    assert!(err.contains("has ended (failed"), "{err}");
    assert!(err.contains("stopped forwarding"), "{err}");
    assert_all_gone(&client, &ns.name, &id).await;
}
