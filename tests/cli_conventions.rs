//! CLI tests of the conventions kubectl users reach for, needing no API server (the
//! kubeconfig points at an address nothing listens on): help that teaches (examples, the
//! connection flags under their own heading, the two settings every submission needs, every
//! `--submitter` form), `--dry-run` taking its value only after `=`, `version --client` and
//! `-o json|yaml`, the global connection overrides (`--server/-s`, `--token`, `--as`,
//! `--certificate-authority`, `--insecure-skip-tls-verify`), and bad `-o`, `--sort-by`,
//! `--state` values failing before any request.

use std::process::Output;

mod offline;

use offline::{Env, assert_bad_input, stderr, stdout};

impl Env {
    /// The plugin with `KUBECONFIG` set to the home's kubeconfig, and `args`.
    fn run(&self, args: &[&str]) -> Output {
        self.cmd()
            .env("KUBECONFIG", self.kubeconfig())
            .args(args)
            .output()
            .unwrap()
    }
}

const COMMANDS: [&str; 17] = [
    "submit",
    "status",
    "list",
    "describe",
    "logs",
    "ui",
    "wait",
    "kill",
    "cleanup",
    "setup",
    "doctor",
    "client-setup",
    "version",
    "completion",
    "connect",
    "convert",
    "history",
];

#[test]
fn every_help_has_examples_and_the_connection_flags_last() {
    let env = Env::new();
    let root = env.run(&["--help"]);
    assert!(root.status.success());
    assert!(
        stdout(&root).contains("\nExamples:\n  # "),
        "{}",
        stdout(&root)
    );
    for command in COMMANDS {
        for flag in ["-h", "--help"] {
            let o = env.run(&[command, flag]);
            assert!(o.status.success(), "{command} {flag}: {}", stderr(&o));
            let help = stdout(&o);
            let examples = help
                .find("\nExamples:\n  # ")
                .unwrap_or_else(|| panic!("`{command} {flag}` has no examples:\n{help}"));
            assert!(
                help[examples..].contains("kubectl spark "),
                "{command}: the examples show no command:\n{help}"
            );
            let kube = help
                .find("\nKubernetes connection options:\n")
                .unwrap_or_else(|| panic!("`{command} {flag}` has no connection heading:\n{help}"));
            let own = help.find("\nOptions:\n").expect("an Options heading");
            assert!(
                own < kube,
                "{command}: connection flags before the command's own"
            );
            let kubeconfig = help.find("--kubeconfig").unwrap();
            assert!(
                kubeconfig > kube,
                "{command}: --kubeconfig outside its heading"
            );
            for global in [
                "--server",
                "--token",
                "--as <USER>",
                "--as-group",
                "--certificate-authority",
                "--insecure-skip-tls-verify",
            ] {
                assert!(help[kube..].contains(global), "{command} lacks {global}");
            }
        }
    }
}

#[test]
fn man_pages_have_examples() {
    let env = Env::new();
    let dir = env.dir.path().join("man");
    let o = env.run(&["__man", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut pages = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let examples = text.find(".SH EXAMPLES\n").expect("an EXAMPLES section");
        assert!(text[examples..].contains("kubectl spark "), "{text}");
        pages += 1;
    }
    assert_eq!(pages, COMMANDS.len() + 1);
}

#[test]
fn submit_help_says_the_two_settings_first() {
    let env = Env::new();
    for flag in ["-h", "--help"] {
        let help = stdout(&env.run(&["submit", flag]));
        let usage = help.find("Usage:").unwrap();
        for setting in [
            "spark.kubernetes.container.image",
            "spark.kubernetes.authenticate.driver.serviceAccountName",
            "kubectl spark setup",
        ] {
            let at = help
                .find(setting)
                .unwrap_or_else(|| panic!("{setting}:\n{help}"));
            assert!(
                at < usage,
                "{flag}: {setting} is not said before the usage:\n{help}"
            );
        }
    }
    // The man page's description says it too.
    let dir = env.dir.path().join("man");
    assert!(env.run(&["__man", dir.to_str().unwrap()]).status.success());
    let submit = std::fs::read_to_string(dir.join("kubectl-spark-submit.1")).unwrap();
    let description = submit.find(".SH DESCRIPTION").unwrap();
    let options = submit.find(".SH OPTIONS").unwrap();
    assert!(
        submit[description..options].contains("serviceAccountName"),
        "{submit}"
    );
}

#[test]
fn setup_help_lists_every_submitter_form() {
    let env = Env::new();
    let help = stdout(&env.run(&["setup", "--help"]));
    for form in [
        "User:NAME",
        "Group:NAME",
        "ServiceAccount:NAMESPACE:NAME",
        "system:serviceaccount:NAMESPACE:NAME",
    ] {
        assert!(help.contains(form), "{form}:\n{help}");
    }
    // The form the help names is accepted.
    let o = env.run(&[
        "setup",
        "--dry-run",
        "-o",
        "json",
        "--submitter",
        "system:serviceaccount:ci:runner",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("\"name\": \"runner\""),
        "{}",
        stdout(&o)
    );
}

#[test]
fn dry_run_takes_its_strategy_only_after_equals() {
    let env = Env::new();
    let base = [
        "submit",
        "--class",
        "A",
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.0.1",
    ];
    let mut args = base.to_vec();
    args.extend(["--dry-run", "local:///app.jar", "7"]);
    let o = env.run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("kind: Pod"), "{text}");
    assert!(
        text.contains("- local:///app.jar\n  - '7'") || text.contains("local:///app.jar"),
        "{text}"
    );
    let mut args = base.to_vec();
    args.extend(["--dry-run=server", "-o", "json", "--skip-preflight"]);
    args.push("local:///app.jar");
    // =server is still a strategy: it needs the (unreachable) server, so it fails there.
    let o = env.run(&args);
    assert_ne!(o.status.code(), Some(0));
    let mut args = base.to_vec();
    args.extend(["--dry-run=sideways", "local:///app.jar"]);
    assert_bad_input(&env.run(&args), &["sideways"]);
}

#[test]
fn version_client_and_structured_output() {
    let env = Env::new();
    let o = env.run(&["version", "--client"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.starts_with("kubectl-spark: "), "{text}");
    assert!(!text.contains("server:"), "{text}");
    let o = env.run(&["version", "--client", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["clientVersion"]["gitVersion"],
        format!("v{}", env!("CARGO_PKG_VERSION"))
    );
    assert!(v.get("serverVersion").is_none());
    // As kubectl: an unreachable server still prints the client part, then the one-line
    // error every command gives (issue 16), exit 1.
    let o = env.run(&["version", "-o", "yaml", "--request-timeout", "1s"]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains("clientVersion:") && !text.contains("serverVersion:"),
        "{text}"
    );
    let err = stderr(&o);
    assert!(
        err.contains("error: cannot reach the API server https://127.0.0.1:1: connection refused"),
        "{err}"
    );
    assert_bad_input(&env.run(&["version", "-o", "xml"]), &["xml"]);
}

fn master_of_dry_run(env: &Env, extra: &[&str]) -> Output {
    let mut args = vec![
        "submit",
        "--dry-run=client",
        "-o",
        "json",
        "--class",
        "A",
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.0.1",
    ];
    args.extend(extra);
    args.push("local:///app.jar");
    env.run(&args)
}

#[test]
fn server_flag_overrides_the_kubeconfig() {
    let env = Env::new();
    for flag in ["--server", "-s"] {
        let o = master_of_dry_run(&env, &[flag, "https://10.9.8.7:6443"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stdout(&o).contains("spark.master=k8s\\\\://https\\\\://10.9.8.7\\\\:6443"),
            "{}",
            stdout(&o)
        );
    }
    // No kubeconfig at all: --server is enough (the namespace is then `default`).
    let o = env
        .cmd()
        .env("HOME", env.dir.path().join("nowhere"))
        .env_remove("KUBERNETES_SERVICE_HOST")
        .args([
            "--server",
            "https://10.9.8.7:6443",
            "--token",
            "another-secret",
            "submit",
            "--dry-run=client",
            "-o",
            "json",
            "--class",
            "A",
            "--conf",
            "spark.kubernetes.container.image=apache/spark:4.0.1",
            "local:///app.jar",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("https\\\\://10.9.8.7\\\\:6443"), "{text}");
    assert!(!text.contains("another-secret") && !stderr(&o).contains("another-secret"));
}

#[test]
fn connection_flags_are_checked() {
    let env = Env::new();
    assert_bad_input(
        &master_of_dry_run(&env, &["--certificate-authority", "missing-ca.crt"]),
        &["--certificate-authority missing-ca.crt", "no such file"],
    );
    std::fs::write(env.dir.path().join("ca.crt"), "not used").unwrap();
    assert_bad_input(
        &master_of_dry_run(
            &env,
            &[
                "--certificate-authority",
                "ca.crt",
                "--insecure-skip-tls-verify",
            ],
        ),
        &["cannot be used together"],
    );
    assert_bad_input(
        &master_of_dry_run(&env, &["--server", "ftp://h:1"]),
        &["--server ftp://h:1"],
    );
    // Accepted with the token (never printed) and impersonation.
    let o = master_of_dry_run(
        &env,
        &[
            "--token",
            "flag-secret",
            "--as",
            "alice",
            "--as-group",
            "devs",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("flag-secret") && !stderr(&o).contains("flag-secret"));
}

#[test]
fn bad_get_flags_fail_before_any_request() {
    let env = Env::new();
    assert_bad_input(
        &env.run(&["list", "-o", "jsonpath={.items[*]"]),
        &["jsonpath template", "never closed"],
    );
    assert_bad_input(
        &env.run(&["list", "-o", "custom-columns=NAME"]),
        &["`NAME` is not HEADER:PATH"],
    );
    assert_bad_input(&env.run(&["list", "-o", "tabel"]), &["tabel", "jsonpath="]);
    assert_bad_input(
        &env.run(&["list", "--sort-by", "{.items[?(@.x=)]}"]),
        &["--sort-by"],
    );
    assert_bad_input(
        &env.run(&["list", "--state", "running,sleeping"]),
        &["sleeping"],
    );
    assert_bad_input(
        &env.run(&["status", "-w", "-o", "spark", "x"]),
        &["-o spark"],
    );
    // Well-formed, they get as far as the (unreachable) server: exit 1, not 2.
    for args in [
        &[
            "list",
            "--state",
            "running,pending",
            "--request-timeout",
            "1s",
        ][..],
        &[
            "list",
            "-o",
            "jsonpath={.items[*].submissionId}",
            "--request-timeout",
            "1s",
        ],
        &[
            "list",
            "-l",
            "team=etl",
            "--sort-by=.created",
            "--no-headers",
            "--request-timeout",
            "1s",
        ],
        &["status", "-l", "team=etl", "--request-timeout", "1s"],
    ] {
        let o = env.run(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn wait_takes_submits_report_interval() {
    let env = Env::new();
    let help = stdout(&env.run(&["wait", "--help"]));
    assert!(
        help.contains("-c, --conf <KEY=VALUE>")
            && help.contains("spark.kubernetes.report.interval"),
        "{help}"
    );
    // Checked as submit checks it, before any request.
    assert_bad_input(
        &env.run(&["wait", "x", "-c", "spark.kubernetes.report.interval=often"]),
        &["spark.kubernetes.report.interval", "`often`"],
    );
    assert_bad_input(
        &env.run(&["wait", "x", "-c", "spark.kubernetes.report.interval=0s"]),
        &["Logging interval must be a positive time value"],
    );
    assert_bad_input(
        &env.run(&["wait", "x", "-c", "spark.kubernetes.report.interval"]),
        &["is not KEY=VALUE"],
    );
    // Well-formed, it gets as far as the (unreachable) server: exit 1; another key is ignored.
    let o = env.run(&[
        "wait",
        "x",
        "-c",
        "spark.kubernetes.report.interval=30s",
        "--conf",
        "spark.executor.instances=2",
        "--request-timeout",
        "1s",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: --conf spark.executor.instances does not affect `wait`"),
        "{}",
        stderr(&o)
    );
}
