//! Tests that disturb the shared local cluster (they restart the API server), so tests/run.sh
//! runs them alone, after every other test: `cargo test --test disruptive_e2e`. The main run
//! skips them with `--skip disruptive_`.

mod common;

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::{Cluster, TestNamespace, User};

/// Stops the kube-apiserver of the cluster and starts it again with the same command line.
/// Returns once the old process is gone (the new one comes up in the background).
fn restart_apiserver(cluster: &Cluster) {
    // The pids file follows restarts (the env file keeps the first pid).
    let pid: u32 = std::fs::read_to_string(cluster.dir.join("pids"))
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("kube-apiserver ")?.trim().parse().ok())
        })
        .unwrap_or_else(|| cluster.env["KSPARK_PID_KUBE_APISERVER"].parse().unwrap());
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).expect("kube-apiserver is running");
    let argv: Vec<String> = cmdline
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    assert!(
        argv.iter().any(|a| a == "kube-apiserver"),
        "pid {pid} is not the API server: {argv:?}"
    );
    assert!(
        Command::new("kill")
            .arg(pid.to_string())
            .status()
            .unwrap()
            .success()
    );
    // A graceful stop waits up to 60 s for open upgraded connections (a port-forward tunnel).
    let deadline = Instant::now() + Duration::from_secs(90);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(cluster.dir.join("logs/kube-apiserver-restarted.log"))
        .unwrap();
    let new_pid = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        // Its own process group: the server must outlive this test process.
        .process_group(0)
        .spawn()
        .expect("restart kube-apiserver")
        .id();
    // Record the new pid so that tests/cluster/down.sh stops it (it also finds it by command line).
    let pids = cluster.dir.join("pids");
    if let Ok(text) = std::fs::read_to_string(&pids) {
        let updated: String = text
            .lines()
            .map(|l| {
                if l.starts_with("kube-apiserver ") {
                    format!("kube-apiserver {new_pid}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(&pids, updated).unwrap();
    }
}

/// [`restart_apiserver`], then waits (a minute at most) until bob may `kubectl <what>` again.
/// Asked as bob: right after a start the API server's RBAC is not loaded yet, and admin
/// (system:masters) would get through before bob may port-forward again.
fn restart_and_wait_for_bob(cluster: &Cluster, ns: &TestNamespace, what: &[&str]) {
    restart_apiserver(cluster);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ns
        .kubectl_as(User::Bob)
        .args(what)
        .output()
        .is_ok_and(|o| o.status.success())
    {
        assert!(
            Instant::now() < deadline,
            "the API server did not come back"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Sends Ctrl-C's SIGINT to a tunnel command; its exit status and all it wrote on stderr.
fn interrupt_and_collect(mut child: Child) -> (ExitStatus, String) {
    common::interrupt(&child);
    let status = child.wait().unwrap();
    let err = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
    (status, err)
}

#[test]
fn disruptive_apiserver_restart_during_the_wait_is_survived() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "submit-restart");
    let child = Command::new(env!("CARGO_BIN_EXE_kubectl-spark"))
        .env("KUBECONFIG", ns.kubeconfig(User::Bob))
        .args([
            "submit",
            "--name",
            "spark-pi",
            "--class",
            "org.apache.spark.examples.SparkPi",
        ])
        .args([
            "--conf",
            "spark.kubernetes.container.image=apache/spark:4.0.1",
        ])
        .args([
            "--conf",
            "spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/outcome=Succeeded",
        ])
        .args([
            "--conf",
            "spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/delay=15000",
        ])
        .arg("local:///opt/spark/examples/jars/spark-examples.jar")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Let the submission create its objects and start watching, then take the server away.
    std::thread::sleep(Duration::from_secs(3));
    restart_apiserver(cluster);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the wait must survive an API server restart; stderr:\n{err}"
    );
    assert!(err.contains("phase: Succeeded"), "{err}");
}

#[test]
fn disruptive_ui_opens_a_new_tunnel_after_an_api_server_restart() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "ui-restart");
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ui-r-driver\n  labels: {spark-role: driver, spark-app-selector: spark-ui-r}\nspec:\n  containers:\n  - name: spark-kubernetes-driver\n    image: apache/spark:4.0.1\n    ports: [{name: spark-ui, containerPort: 4040}]\n";
    let path = std::env::temp_dir().join(format!("{}-driver.yaml", ns.name));
    std::fs::write(&path, manifest).unwrap();
    let out = ns.kubectl(&["apply", "-f", path.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let out = ns.kubectl(&[
        "wait",
        "--for=jsonpath={.status.phase}=Running",
        "pod/ui-r-driver",
        "--timeout=60s",
    ]);
    assert!(out.status.success(), "{out:?}");

    let mut ui = Command::new(env!("CARGO_BIN_EXE_kubectl-spark"))
        .env("KUBECONFIG", ns.kubeconfig(User::Bob))
        .env("KUBECTL_SPARK_LOG", "kubectl_spark=debug")
        .env("NO_COLOR", "1")
        .args(["ui", "ui-r-driver", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (_, port) = common::read_ui_url(&mut ui);
    let before = common::http_get(port);

    // The tunnel is open through the restart: the server waits for it, then it drops.
    restart_and_wait_for_bob(cluster, &ns, &["get", "pod", "ui-r-driver"]);
    // The next connection gets a new tunnel.
    let after = common::http_get(port);
    let (status, err) = interrupt_and_collect(ui);
    assert!(before.starts_with("HTTP/1.0 200 OK"), "{before}\n{err}");
    assert!(after.starts_with("HTTP/1.0 200 OK"), "{after}\n{err}");
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(err.matches("SPDY tunnel to").count(), 2, "{err}");
    assert!(err.contains("port-forward tunnel closed"), "{err}");
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn disruptive_connect_tunnel_survives_an_api_server_restart() {
    use std::io::BufRead;
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "connect-restart");
    let mut connect = Command::new(env!("CARGO_BIN_EXE_kubectl-spark"))
        .env("KUBECONFIG", ns.kubeconfig(User::Bob))
        .env("KUBECTL_SPARK_LOG", "kubectl_spark=debug")
        .env("NO_COLOR", "1")
        .args(["connect", "--port", "0", "--ui-port", "0"])
        .args(["-c", "spark.kubernetes.container.image=apache/spark:4.0.5"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut remote = String::new();
    std::io::BufReader::new(connect.stdout.take().unwrap())
        .read_line(&mut remote)
        .unwrap();
    let port: u16 = remote
        .trim()
        .strip_prefix("sc://localhost:")
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("connect printed {remote:?}"));
    let before = common::http_get(port);

    restart_and_wait_for_bob(cluster, &ns, &["get", "pods"]);
    // The next connection to the server goes through a new tunnel.
    let after = common::http_get(port);
    let (status, err) = interrupt_and_collect(connect);
    assert!(before.starts_with("HTTP/1.0 200 OK"), "{before}\n{err}");
    assert!(after.starts_with("HTTP/1.0 200 OK"), "{after}\n{err}");
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(err.matches("SPDY tunnel to").count(), 2, "{err}");
    assert!(err.contains("is gone."), "{err}");
}
