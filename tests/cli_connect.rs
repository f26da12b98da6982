//! CLI tests of `kubectl spark connect` that need no API server (the kubeconfig points at an
//! address nothing listens on, so nothing can be created): every bad input is one clear error
//! naming the flag, exit code 2, nothing on stdout; `--dry-run=client` prints the server's
//! objects per Spark version.

use std::process::Output;

mod offline;

use offline::{Env, stderr};
use serde_json::Value;

impl Env {
    /// `connect` with the kubeconfig and `args`.
    fn connect(&self, args: &[&str]) -> Output {
        let mut cmd = self.cmd();
        cmd.arg("--kubeconfig")
            .arg(self.kubeconfig())
            .arg("connect")
            .args(args);
        cmd.output().unwrap()
    }
}

/// Bad input, and short: at most 12 lines.
#[track_caller]
fn assert_bad_input(o: &Output, needles: &[&str]) {
    offline::assert_bad_input(o, needles);
    let lines = stderr(o).lines().count();
    assert!(lines <= 12, "error longer than needed ({lines} lines)");
}

const IMAGE_405: &str = "spark.kubernetes.container.image=apache/spark:4.0.5";

#[test]
fn options_that_name_an_application_or_client_mode_are_refused() {
    let env = Env::new();
    assert_bad_input(
        &env.connect(&["-c", IMAGE_405, "--class", "a.Main"]),
        &[
            "--class a.Main",
            "SparkConnectServer",
            "kubectl spark submit",
        ],
    );
    assert_bad_input(
        &env.connect(&["-c", IMAGE_405, "bi", "local:///app.jar", "1"]),
        &["`local:///app.jar 1`", "takes no application"],
    );
    assert_bad_input(
        &env.connect(&["-c", IMAGE_405, "--deploy-mode", "client"]),
        &[
            "--deploy-mode client",
            "always runs in a pod",
            "leave out --deploy-mode",
        ],
    );
    assert_bad_input(
        &env.connect(&["-c", IMAGE_405, "-c", "spark.submit.deployMode=client"]),
        &["spark.submit.deployMode client", "always runs in a pod"],
    );
    assert_bad_input(
        &env.connect(&["-c", IMAGE_405, "--no-wait"]),
        &["--no-wait", "--detach"],
    );
    // A manifest is `submit -f`'s; even with --dry-run it must not be silently ignored.
    assert_bad_input(
        &env.connect(&["-c", IMAGE_405, "-f", "app.yaml", "--dry-run=client"]),
        &["-f app.yaml", "kubectl spark submit -f"],
    );
    assert_bad_input(
        &env.connect(&[
            "-c",
            IMAGE_405,
            "-c",
            "spark.connect.authenticate.token=xyz",
        ]),
        &["spark.connect.authenticate.token", "Secret"],
    );
    assert_bad_input(
        &env.connect(&["-c", IMAGE_405, "bi", "--name", "other"]),
        &["named twice", "`bi`", "`other`"],
    );
    assert_bad_input(
        &env.connect(&["--attach", "bi", "-c", IMAGE_405]),
        &["--attach", "Spark options only apply when creating one"],
    );
    assert_bad_input(
        &env.connect(&["--timeout", "soon"]),
        &["--timeout", "`soon`"],
    );
    // clap: --attach needs the server's NAME, and excludes --detach.
    let o = env.connect(&["--attach"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = env.connect(&["--attach", "--detach", "x"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn an_image_without_a_version_needs_spark_version() {
    let env = Env::new();
    assert_bad_input(
        &env.connect(&["-c", "spark.kubernetes.container.image=my/spark:latest"]),
        &["my/spark:latest", "--spark-version"],
    );
    assert_bad_input(
        &env.connect(&["-c", "spark.kubernetes.container.image=apache/spark:3.4.1"]),
        &["Spark 3.4.1", "needs Spark 3.5 or newer"],
    );
    // With the version given, the objects follow.
    let o = env.connect(&[
        "-c",
        "spark.kubernetes.container.image=my/spark:latest",
        "--spark-version",
        "4.0.5",
        "--dry-run",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The token's Secret reference is not a secret in the ConfigMap.
    assert!(!stderr(&o).contains("plain text"), "{}", stderr(&o));
}

#[test]
fn a_port_in_use_is_bad_input() {
    let env = Env::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    assert_bad_input(
        &env.connect(&["-c", IMAGE_405, "--port", &port]),
        &[
            &format!("--port {port}: cannot listen on 127.0.0.1:{port}"),
            "pass another --port",
        ],
    );
    assert_bad_input(
        &env.connect(&["-c", IMAGE_405, "--port", "0", "--ui-port", &port]),
        &[&format!("--ui-port {port}"), "pass another --ui-port"],
    );
}

/// The objects of `connect --dry-run=client -o json` in creation order.
fn dry_run(env: &Env, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["--dry-run=client", "-o", "json"];
    args.extend(extra);
    let o = env.connect(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let list: Value = serde_json::from_slice(&o.stdout).unwrap();
    list["items"].as_array().unwrap().clone()
}

#[test]
fn dry_run_shows_the_server_per_version() {
    let env = Env::new();
    let items = dry_run(&env, &["-c", IMAGE_405, "bi"]);
    let kinds: Vec<&str> = items.iter().map(|o| o["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Pod", "Secret", "Service", "ConfigMap"]);
    let pod = &items[0];
    assert_eq!(
        pod["metadata"]["labels"]["kubectl-spark.io/connect-server"],
        "true"
    );
    assert_eq!(pod["metadata"]["labels"]["spark-app-name"], "bi");
    let container = &pod["spec"]["containers"][0];
    let args: Vec<&str> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        args[3..],
        [
            "--class",
            "org.apache.spark.sql.connect.service.SparkConnectServer",
            "spark-internal"
        ]
    );
    assert!(container["readinessProbe"]["exec"].is_object());
    let env_token = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "SPARK_CONNECT_AUTHENTICATE_TOKEN")
        .expect("the token env var");
    assert_eq!(env_token["valueFrom"]["secretKeyRef"]["key"], "token");
    let properties = items[3]["data"]["spark.properties"].as_str().unwrap();
    assert!(properties.contains("spark.connect.grpc.binding.address=127.0.0.1"));
    let token = items[1]["data"]["token"].as_str().unwrap();
    assert!(!properties.contains(token));
    let service_ports: Vec<&str> = items[2]["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        service_ports,
        [
            "driver-rpc-port",
            "blockmanager",
            "spark-ui",
            "spark-connect"
        ]
    );
    assert!(items[2]["spec"]["type"].is_null());

    // 3.5: the Connect jar with --packages, no token, a warning about it.
    let mut args = vec!["--dry-run=client", "-o", "json"];
    args.extend(["-c", "spark.kubernetes.container.image=apache/spark:3.5.9"]);
    let o = env.connect(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("no authentication"), "{}", stderr(&o));
    let list: Value = serde_json::from_slice(&o.stdout).unwrap();
    let items = list["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|o| o["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Pod", "Service", "ConfigMap"]);
    let properties = items[2]["data"]["spark.properties"].as_str().unwrap();
    assert!(
        properties.contains("spark.jars.packages=org.apache.spark\\:spark-connect_2.12\\:3.5.9"),
        "{properties}"
    );
    assert_eq!(
        items[0]["metadata"]["labels"]["spark-app-name"],
        "spark-connect"
    );
}

#[test]
fn help_shows_the_quick_start_and_hides_application_options() {
    let env = Env::new();
    let o = env.connect(&["--help"]);
    assert!(o.status.success());
    let help = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "--detach",
        "--attach",
        "--port",
        "--ui-port",
        "--executor-memory",
        "Examples:",
        "--attach bi",
        "pods/portforward",
    ] {
        assert!(help.contains(needle), "help lacks {needle}:\n{help}");
    }
    for hidden in ["--class", "--deploy-mode", "--no-wait", "APP_ARGS"] {
        assert!(!help.contains(hidden), "help shows {hidden}:\n{help}");
    }
}
