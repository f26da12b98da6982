//! Tests that disturb the shared local cluster (they restart the API server), so tests/run.sh
//! runs them alone, after every other test: `cargo test --test disruptive_e2e`. The main run
//! skips them with `--skip disruptive_`.

mod common;

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Cluster, TestNamespace, User};

/// Stops the kube-apiserver of the cluster and starts it again with the same command line.
/// Returns once the old process is gone (the new one comes up in the background).
fn restart_apiserver(cluster: &Cluster) {
    let pid: u32 = cluster.env["KSPARK_PID_KUBE_APISERVER"].parse().unwrap();
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
    let deadline = Instant::now() + Duration::from_secs(30);
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
