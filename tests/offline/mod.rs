//! What the CLI tests that need no API server share: a throw-away home with a kubeconfig whose
//! servers nothing listens on (so nothing can ever be created), the plugin command set up to
//! read only that, and the checks every bad-input test makes.
//!
//! ```ignore
//! mod offline;
//! use offline::{Env, assert_bad_input};
//!
//! impl Env { fn submit(&self, args: &[&str]) -> Output { self.cmd().arg("submit")… } }
//! ```
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;

/// Context `a` (current, namespace `team-a`) on a server nothing listens on, and context `b`
/// on another; the user's token is a marker no output may ever contain.
pub const KUBECONFIG: &str = r#"apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
- name: other
  cluster: {server: "https://127.0.0.2:2"}
users:
- name: u
  user: {token: "secret-token-value"}
contexts:
- name: a
  context: {cluster: c, user: u, namespace: team-a}
- name: b
  context: {cluster: other, user: u}
current-context: a
"#;

/// The secret in [`KUBECONFIG`].
pub const TOKEN: &str = "secret-token-value";

/// A temporary home: `config` (the kubeconfig), `conf/` (an empty SPARK_CONF_DIR).
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config"), KUBECONFIG).unwrap();
        std::fs::create_dir(dir.path().join("conf")).unwrap();
        Env { dir }
    }

    pub fn kubeconfig(&self) -> PathBuf {
        self.path("config")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `text` to `name` in the home; returns its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    /// The plugin, reading nothing of the caller's environment that would change what it does
    /// (no KUBECONFIG, HADOOP_CONF_DIR or SPARK_LOCAL_DIRS; this home and SPARK_CONF_DIR), no
    /// colour, wide help, run in the home. The kubeconfig is not passed: add `--kubeconfig`
    /// (see [`Env::kubeconfig`]) or `KUBECONFIG`.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("kubectl-spark").unwrap();
        cmd.env_remove("KUBECONFIG")
            .env("HOME", self.dir.path())
            .env("SPARK_CONF_DIR", self.path("conf"))
            .env_remove("HADOOP_CONF_DIR")
            .env_remove("SPARK_LOCAL_DIRS")
            .env("NO_COLOR", "1")
            .env("COLUMNS", "200")
            .current_dir(self.dir.path());
        cmd
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Bad input: exit 2, nothing on stdout, every needle on stderr, one screen at most, and no
/// secret printed.
#[track_caller]
pub fn assert_bad_input(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "expected exit 2, stderr:\n{err}");
    assert!(
        o.stdout.is_empty(),
        "stdout must stay empty on error: {}",
        stdout(o)
    );
    for n in needles {
        assert!(err.contains(n), "stderr lacks `{n}`:\n{err}");
    }
    assert!(
        err.lines().count() <= 24,
        "error longer than a screen:\n{err}"
    );
    assert!(!err.contains(TOKEN), "a secret was printed:\n{err}");
}
