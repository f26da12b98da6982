//! CLI tests of what every command says when the API server cannot be reached (issue #16
//! item 4, #17): one line naming the server URL and the real cause — connection refused, no
//! such host, timeout — and exit code 1; and of a kubeconfig that does not parse (named, with
//! its `KUBECONFIG` entry). Real sockets, no mocks: a closed port on 127.0.0.1, a `.invalid`
//! host name (RFC 2606: never resolves), and a listening socket that never accepts (the
//! kernel completes the TCP handshake, nothing ever answers). TLS verification failures need
//! the local cluster's real API server (the last two tests, which skip without one, or fail
//! under `CI=true`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use common::{Cluster, User};

/// Every command that talks to the API server, with the arguments it needs to get there.
const COMMANDS: &[&[&str]] = &[
    &[
        "submit",
        "--class",
        "A",
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.0.1",
        "local:///a.jar",
    ],
    &["list"],
    &["status", "spark-pi"],
    &["logs", "spark-pi"],
    &["describe", "spark-pi"],
    &["ui", "spark-pi"],
    &["kill", "spark-pi"],
    &["cleanup"],
    &["setup"],
    &["doctor"],
    &["client-setup", "--pod", "notebook"],
    &["version"],
];

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new(server: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {{server: \"{server}\"}}\n\
             users:\n- name: u\n  user: {{token: secret-token-value}}\ncontexts:\n- name: a\n  \
             context: {{cluster: c, user: u, namespace: team-a}}\ncurrent-context: a\n"
        );
        std::fs::write(dir.path().join("config"), config).unwrap();
        Env { dir }
    }

    fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("kubectl-spark").unwrap();
        cmd.env_remove("KUBECONFIG")
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .env_remove("SPARK_CONF_DIR")
            .env_remove("HADOOP_CONF_DIR")
            .current_dir(self.dir.path())
            .timeout(Duration::from_secs(60));
        cmd
    }

    fn run(&self, extra: &[&str], args: &[&str]) -> Output {
        self.cmd()
            .arg("--kubeconfig")
            .arg(self.kubeconfig())
            .args(extra)
            .args(args)
            .output()
            .unwrap()
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit 1, and stderr is the one error line naming `server` and `cause` (no warnings, no
/// raw client errors, no secret).
#[track_caller]
fn assert_unreachable(command: &[&str], o: &Output, server: &str, cause: &str) {
    assert_unreachable_all(command, o, server, &[cause]);
}

#[track_caller]
fn assert_unreachable_all(command: &[&str], o: &Output, server: &str, causes: &[&str]) {
    let err = stderr(o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{command:?}: expected exit 1, stderr:\n{err}"
    );
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    let error_lines: Vec<&&str> = lines.iter().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(error_lines.len(), 1, "{command:?}: one error line:\n{err}");
    let line = error_lines[0];
    for cause in causes {
        assert!(
            line.contains(&format!("cannot reach the API server {server}")) && line.contains(cause),
            "{command:?}: `{line}` should name {server} and `{cause}`:\n{err}"
        );
    }
    for noise in ["ServiceError", "client error", "could not check", "warning"] {
        assert!(!err.contains(noise), "{command:?}: `{noise}` in:\n{err}");
    }
    assert!(!err.contains("secret-token-value"), "{command:?}: {err}");
    if command[0] == "version" {
        // The client part still prints.
        assert!(
            String::from_utf8_lossy(&o.stdout).starts_with("kubectl-spark: "),
            "{command:?}"
        );
    } else {
        assert!(o.stdout.is_empty(), "{command:?}: stdout {:?}", o.stdout);
    }
}

fn closed_port() -> u16 {
    // Bound then dropped: nothing listens there afterwards.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn connection_refused_in_every_command() {
    let server = format!("https://127.0.0.1:{}", closed_port());
    let env = Env::new(&server);
    for command in COMMANDS {
        let o = env.run(&[], command);
        assert_unreachable(command, &o, &server, "connection refused");
    }
}

#[test]
fn unknown_host_in_every_command() {
    let server = "https://no-such-api-server.invalid:6443";
    let env = Env::new(server);
    for command in COMMANDS {
        // A generous budget: this machine's resolver sometimes answers only after a retry
        // (5 s), past `version`'s own 3 s connect budget, which would rightly say "timeout".
        let o = env.run(&["--request-timeout", "30s"], command);
        assert_unreachable(
            command,
            &o,
            server,
            "no such host no-such-api-server.invalid",
        );
    }
}

/// A server that never answers: `--request-timeout` bounds every command, and the error says
/// "timeout".
#[test]
fn timeout_in_every_command() {
    // A listening socket whose connections are never accepted nor answered: the kernel's
    // backlog completes the TCP handshake, the TLS handshake then waits forever.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let env = Env::new(&server);
    for command in COMMANDS {
        let started = Instant::now();
        let o = env.run(&["--request-timeout", "1s"], command);
        assert_unreachable(command, &o, &server, "timeout");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{command:?} took {:?}",
            started.elapsed()
        );
    }
    drop(listener);
}

/// A kubeconfig that does not parse is named (with its `KUBECONFIG` entry), as kubectl does.
#[test]
fn unparsable_kubeconfig_is_named() {
    let env = Env::new("https://127.0.0.1:1");
    let bad = env.dir.path().join("broken.yaml");
    std::fs::write(
        &bad,
        "apiVersion: v1\nclusters: [\n  - name: x\n   bad indent\n",
    )
    .unwrap();
    let joined = std::env::join_paths([env.kubeconfig(), bad.clone()]).unwrap();
    let o = env
        .cmd()
        .env("KUBECONFIG", &joined)
        .args(["list"])
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&bad.display().to_string()) && err.contains("KUBECONFIG entry 2 of 2"),
        "{err}"
    );
    assert!(!err.contains("<input>"), "{err}");
    // --kubeconfig and ~/.kube/config are named too.
    let o = env
        .cmd()
        .arg("--kubeconfig")
        .arg(&bad)
        .arg("list")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(
        err.contains(&bad.display().to_string()) && err.contains("--kubeconfig"),
        "{err}"
    );
    std::fs::create_dir_all(env.dir.path().join(".kube")).unwrap();
    let home_config = env.dir.path().join(".kube").join("config");
    std::fs::copy(&bad, &home_config).unwrap();
    let o = env.cmd().arg("list").output().unwrap();
    let err = stderr(&o);
    assert!(err.contains(&home_config.display().to_string()), "{err}");
}

/// A kubeconfig for the local cluster as bob, with `cluster_fields` (CA, TLS server name).
fn cluster_kubeconfig(cluster: &Cluster, dir: &Path, cluster_fields: &str) -> PathBuf {
    let config = dir.join("config");
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: e2e\n  cluster:\n    server: {}\n{cluster_fields}\
         users:\n- name: bob\n  user:\n    token: {}\ncontexts:\n- name: bob\n  context: {{cluster: e2e, user: bob, namespace: e2e}}\n\
         current-context: bob\n",
        cluster.api_url,
        cluster.token(User::Bob)
    );
    std::fs::write(&config, text).unwrap();
    config
}

fn run_with(config: &Path, command: &[&str]) -> Output {
    Command::cargo_bin("kubectl-spark")
        .unwrap()
        .env_remove("KUBECONFIG")
        .env_remove("SPARK_CONF_DIR")
        .env("NO_COLOR", "1")
        .arg("--kubeconfig")
        .arg(config)
        .args(command)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap()
}

/// The local cluster's API server checked against a CA that did not sign its certificate:
/// the CA file is named, in every command.
#[test]
fn tls_with_the_wrong_ca_names_the_ca_e2e() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let other_ca = dir.path().join("other-ca.crt");
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=not-the-cluster-ca", "-keyout"])
        .arg(dir.path().join("other-ca.key"))
        .arg("-out")
        .arg(&other_ca)
        .output()
        .expect("run openssl");
    assert!(made.status.success(), "{}", stderr(&made));
    let config = cluster_kubeconfig(
        cluster,
        dir.path(),
        &format!("    certificate-authority: {}\n", other_ca.display()),
    );
    let ca = format!(
        "not signed by the CA in certificate-authority {}",
        other_ca.display()
    );
    for command in COMMANDS {
        let o = run_with(&config, command);
        assert_unreachable_all(
            command,
            &o,
            &cluster.api_url,
            &["TLS verification failed", &ca],
        );
    }
}

/// A TLS server name the API server's certificate does not hold is named.
#[test]
fn tls_with_a_name_the_certificate_does_not_hold_e2e() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    use base64::Engine as _;
    let ca = std::fs::read(&cluster.ca_file).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = cluster_kubeconfig(
        cluster,
        dir.path(),
        &format!(
            "    certificate-authority-data: {}\n    tls-server-name: not-the-api-server.example\n",
            base64::engine::general_purpose::STANDARD.encode(ca)
        ),
    );
    for command in [&["list"][..], &["version"], &["doctor"]] {
        let o = run_with(&config, command);
        assert_unreachable_all(
            command,
            &o,
            &cluster.api_url,
            &[
                "TLS verification failed",
                "not valid for the name not-the-api-server.example",
            ],
        );
    }
}
