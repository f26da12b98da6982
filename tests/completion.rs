//! Shell completion, end to end: the committed scripts under `completions/` are what the binary
//! generates; the generated bash script, driven the way bash drives it (COMP_WORDS, COMP_CWORD,
//! COMPREPLY), offers the subcommands, flags and values; `kubectl_complete-spark` speaks cobra's
//! protocol, statically and with application names, namespaces and contexts; kubectl itself
//! (when installed) delegates `kubectl __complete spark …` to it.
//!
//! Regenerate the scripts after changing the CLI: `KSPARK_BLESS=1 cargo test --test completion`.
//! The cluster test uses the local cluster (`tests/cluster/up.sh`); without it, it skips, or
//! fails when `CI=true`.

mod common;

use common::{Cluster, TestNamespace, User};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-spark");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("command runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A directory holding `kubectl-spark` (a link to the test binary) and the committed
/// `kubectl_complete-spark`, to put first on PATH, as krew's bin directory would be.
fn plugin_path() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(BIN, dir.path().join("kubectl-spark")).unwrap();
    std::fs::copy(
        repo().join("completions/kubectl_complete-spark"),
        dir.path().join("kubectl_complete-spark"),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (dir, path)
}

/// Runs the kubectl helper with `words` (the last one being completed), as kubectl does.
fn helper(words: &[&str], kubeconfig: &Path) -> (Vec<String>, String) {
    let (_dir, path) = plugin_path();
    let out = run(Command::new(_dir.path().join("kubectl_complete-spark"))
        .args(words)
        .env("PATH", path)
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", _dir.path()));
    let text = stdout(&out);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let directive = lines.pop().expect("a directive line");
    assert!(
        directive.starts_with(':'),
        "last line is not a directive: {text}"
    );
    (lines, directive)
}

fn values(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .map(|l| l.split('\t').next().unwrap())
        .collect()
}

// ------------------------------------------------------------------------------------------------
// The committed scripts
// ------------------------------------------------------------------------------------------------

const SCRIPTS: [(&str, &str); 5] = [
    ("bash", "kubectl-spark.bash"),
    ("zsh", "_kubectl-spark"),
    ("fish", "kubectl-spark.fish"),
    ("powershell", "_kubectl-spark.ps1"),
    ("kubectl", "kubectl_complete-spark"),
];

#[test]
fn committed_scripts_are_up_to_date() {
    let bless = std::env::var_os("KSPARK_BLESS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in SCRIPTS {
        let generated = run(Command::new(BIN).args(["completion", shell])).stdout;
        let path = repo().join("completions").join(file);
        if std::fs::read(&path).ok().as_deref() != Some(generated.as_slice()) {
            if bless {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &generated).unwrap();
            } else {
                stale.push(file);
            }
        }
    }
    let helper = repo().join("completions/kubectl_complete-spark");
    if bless {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    assert!(
        stale.is_empty(),
        "completions/{{{}}} out of date with the CLI: regenerate with \
         `KSPARK_BLESS=1 cargo test --test completion` and commit them",
        stale.join(",")
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&helper).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o111,
        0o111,
        "completions/kubectl_complete-spark must be executable"
    );
}

// ------------------------------------------------------------------------------------------------
// bash, driving the generated script
// ------------------------------------------------------------------------------------------------

/// Sources the bash script, checks `complete -p` registers it for `kubectl-spark`, then calls
/// the completion function with COMP_WORDS/COMP_CWORD set and returns COMPREPLY.
fn bash_complete(words: &[&str]) -> Vec<String> {
    let script = repo().join("completions/kubectl-spark.bash");
    let quoted: Vec<String> = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
        .collect();
    let program = format!(
        r#"set -u
source "$1" || exit 10
spec="$(complete -p kubectl-spark)" || exit 11
fn="$(sed -E 's/.* -F ([^ ]+) .*/\1/' <<<"$spec")"
COMP_WORDS=(kubectl-spark {words})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
COMPREPLY=()
"$fn" kubectl-spark "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}"
"#,
        words = quoted.join(" ")
    );
    let out = run(Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program, "bash"])
        .arg(&script));
    stdout(&out)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_script_completes_subcommands_flags_and_values() {
    let subcommands = bash_complete(&[""]);
    for sub in [
        "submit", "status", "list", "describe", "logs", "ui", "kill", "cleanup",
    ] {
        assert!(
            subcommands.iter().any(|s| s == sub),
            "{sub} missing from {subcommands:?}"
        );
    }
    for sub in ["setup", "doctor", "client-setup", "version", "completion"] {
        assert!(
            subcommands.iter().any(|s| s == sub),
            "{sub} missing from {subcommands:?}"
        );
    }
    assert_eq!(bash_complete(&["st"]), ["status"]);
    assert_eq!(bash_complete(&["-n", "spark", "ki"]), ["kill"]);
    assert_eq!(bash_complete(&["logs", "--fo"]), ["--follow"]);
    assert_eq!(bash_complete(&["submit", "--time"]), ["--timeout"]);
    assert_eq!(bash_complete(&["submit", "--log-"]), ["--log-tail"]);
    assert_eq!(
        bash_complete(&["submit", "--driver-me"]),
        ["--driver-memory"]
    );
    assert_eq!(
        bash_complete(&["status", "app", "-o", ""]),
        [
            "table",
            "wide",
            "json",
            "yaml",
            "spark",
            "name",
            "jsonpath=",
            "custom-columns="
        ]
    );
    assert_eq!(bash_complete(&["list", "--so"]), ["--sort-by"]);
    assert_eq!(bash_complete(&["version", "--cli"]), ["--client"]);
    // At a positional, clap's bash script offers the flags too.
    let shells = bash_complete(&["completion", ""]);
    let shells: Vec<&str> = shells
        .iter()
        .map(String::as_str)
        .filter(|s| !s.starts_with('-'))
        .collect();
    assert_eq!(shells, ["bash", "zsh", "fish", "powershell", "kubectl"]);
    assert_eq!(bash_complete(&["completion", "p"]), ["powershell"]);
    assert_eq!(bash_complete(&["client-setup", "--po"]), ["--pod"]);
    assert_eq!(
        bash_complete(&["list", "--state", ""]),
        ["pending", "running", "succeeded", "failed", "completed"]
    );
}

// ------------------------------------------------------------------------------------------------
// kubectl_complete-spark: cobra's protocol
// ------------------------------------------------------------------------------------------------

#[test]
fn kubectl_helper_completes_subcommands_flags_and_values() {
    let none = Path::new("/nonexistent/kubeconfig");

    let (lines, directive) = helper(&[""], none);
    assert_eq!(directive, ":4");
    let names = values(&lines);
    assert_eq!(&names[..3], ["submit", "status", "list"]);
    assert!(names.contains(&"completion"));
    assert!(
        lines[0].starts_with("submit\tSubmit a Spark application"),
        "{lines:?}"
    );

    assert_eq!(
        helper(&["de"], none),
        (
            vec!["describe\tExplain one application: driver, executors, events".to_string()],
            ":4".to_string()
        )
    );
    let (lines, _) = helper(&["logs", "--t"], none);
    assert_eq!(values(&lines), ["--tail", "--timestamps", "--token"]);
    let (lines, _) = helper(&["submit", "--ti"], none);
    assert_eq!(values(&lines), ["--timeout"]);
    // kubectl's get flags and connection overrides.
    let (lines, _) = helper(&["list", "-"], none);
    for flag in [
        "--no-headers",
        "-l",
        "--selector",
        "--sort-by",
        "-w",
        "--watch",
        "-s",
        "--server",
        "--as",
        "--as-group",
        "--certificate-authority",
        "--insecure-skip-tls-verify",
    ] {
        assert!(values(&lines).contains(&flag), "{flag} in {lines:?}");
    }
    let (lines, _) = helper(&["describe", "--la"], none);
    assert_eq!(values(&lines), ["--latest"]);
    let (lines, _) = helper(&["cleanup", "--y"], none);
    assert_eq!(values(&lines), ["--yes"]);
    let (lines, _) = helper(&["kill", "-"], none);
    assert!(values(&lines).contains(&"--grace-period") && values(&lines).contains(&"-y"));

    // --conf completes Spark keys, with `=` and no space after it.
    let (lines, directive) = helper(&["submit", "--conf", "spark.kubernetes.driver.pod"], none);
    assert_eq!(directive, ":6");
    assert!(
        values(&lines).contains(&"spark.kubernetes.driver.podTemplateFile="),
        "{lines:?}"
    );
    let (lines, directive) = helper(&["submit", "--conf", ""], none);
    assert_eq!(directive, ":6");
    assert!(lines.len() > 50);

    let (lines, directive) = helper(&["status", "-o", "j"], none);
    assert_eq!(
        (values(&lines), directive.as_str()),
        (vec!["json", "jsonpath="], ":4")
    );
    let (lines, _) = helper(&["list", "--state=s"], none);
    assert_eq!(values(&lines), ["--state=succeeded"]);

    // Paths fall back to the shell's file completion (directive 0).
    assert_eq!(
        helper(&["submit", "--properties-file", ""], none),
        (vec![], ":0".to_string())
    );
    assert_eq!(
        helper(&["submit", "--class", "Main", ""], none),
        (vec![], ":0".to_string())
    );
    // After the resource come the application's own arguments: no flag completion.
    assert_eq!(
        helper(&["submit", "app.jar", "--co"], none),
        (vec![], ":0".to_string())
    );
}

#[test]
fn kubectl_helper_completes_contexts_from_the_kubeconfig() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("config");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\ncurrent-context: prod\n\
         clusters:\n- name: c1\n  cluster: {server: 'https://127.0.0.1:1'}\n\
         users:\n- name: u1\n  user: {token: t}\n\
         contexts:\n- name: prod\n  context: {cluster: c1, user: u1}\n\
         - name: staging\n  context: {cluster: c1, user: u1}\n",
    )
    .unwrap();
    let (lines, directive) = helper(&["status", "--context", ""], &kubeconfig);
    assert_eq!(
        (values(&lines), directive.as_str()),
        (vec!["prod", "staging"], ":4")
    );
    let (lines, _) = helper(&["--context=st"], &kubeconfig);
    assert_eq!(values(&lines), ["--context=staging"]);
    let other = dir.path().join("other");
    std::fs::write(
        &other,
        std::fs::read_to_string(&kubeconfig)
            .unwrap()
            .replace("staging", "dev"),
    )
    .unwrap();
    let (lines, _) = helper(
        &[
            "--kubeconfig",
            other.to_str().unwrap(),
            "logs",
            "--context",
            "",
        ],
        &kubeconfig,
    );
    assert_eq!(values(&lines), ["dev", "prod"]);
    let (lines, _) = helper(&["--cluster", ""], &kubeconfig);
    assert_eq!(values(&lines), ["c1"]);
}

#[test]
fn kubectl_helper_is_silent_and_quick_when_the_cluster_does_not_answer() {
    // A server that accepts connections and never speaks: only the time budget ends the call.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("config");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: mute\n\
             clusters:\n- name: mute\n  cluster: {{server: 'https://127.0.0.1:{port}', insecure-skip-tls-verify: true}}\n\
             users:\n- name: u\n  user: {{token: t}}\n\
             contexts:\n- name: mute\n  context: {{cluster: mute, user: u, namespace: spark}}\n"
        ),
    )
    .unwrap();
    for words in [
        &["status", ""][..],
        &["-n", ""],
        &["client-setup", "--pod", ""],
    ] {
        let started = Instant::now();
        let (lines, directive) = helper(words, &kubeconfig);
        let took = started.elapsed();
        assert_eq!((lines.len(), directive.as_str()), (0, ":4"), "{words:?}");
        assert!(took < Duration::from_secs(4), "{words:?} took {took:?}");
    }
    // No kubeconfig at all: nothing, at once.
    let started = Instant::now();
    assert_eq!(
        helper(&["logs", ""], Path::new("/nonexistent")),
        (vec![], ":4".to_string())
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(listener);
}

#[test]
fn the_binary_named_kubectl_complete_spark_completes() {
    // What Windows users do (a copy of kubectl-spark.exe named kubectl_complete-spark.exe).
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("kubectl_complete-spark");
    std::os::unix::fs::symlink(BIN, &link).unwrap();
    let out = run(Command::new(&link)
        .args(["ver"])
        .env("KUBECONFIG", "/nonexistent"));
    assert_eq!(
        stdout(&out),
        "version\tPrint the plugin, server and supported Spark versions\n:4\n"
    );
}

#[test]
fn kubectl_delegates_plugin_completion_to_the_helper() {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "kubectl is not installed"
        );
        eprintln!("SKIPPED: kubectl is not installed");
        return;
    }
    let (_dir, path) = plugin_path();
    let kubectl = |args: &[&str]| {
        stdout(&run(Command::new("kubectl")
            .arg("__complete")
            .args(args)
            .env("PATH", &path)
            .env("KUBECONFIG", "/nonexistent")))
    };
    let out = kubectl(&["spark", "sta"]);
    assert!(
        out.starts_with("status\tShow the state of one or more applications\n"),
        "{out}"
    );
    assert!(out.ends_with(":4\n"), "{out}");
    let out = kubectl(&["spark", "submit", "--conf", "spark.kubernetes.namespa"]);
    assert_eq!(out, "spark.kubernetes.namespace=\n:6\n");
}

// ------------------------------------------------------------------------------------------------
// Dynamic completion against the local cluster
// ------------------------------------------------------------------------------------------------

#[test]
fn kubectl_helper_completes_applications_and_namespaces_from_the_cluster() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = TestNamespace::new(cluster, "completion");
    let driver = format!(
        r#"{{"apiVersion": "v1", "kind": "Pod",
            "metadata": {{"name": "word-count-0a1b2c-driver", "namespace": "{ns}",
                         "labels": {{"spark-role": "driver", "spark-app-name": "word-count",
                                     "spark-app-selector": "spark-0123"}}}},
            "spec": {{"containers": [{{"name": "spark-kubernetes-driver", "image": "apache/spark:4.0.1"}}]}}}}"#,
        ns = ns.name
    );
    let executor = driver
        .replace("word-count-0a1b2c-driver", "word-count-0a1b2c-exec-1")
        .replace(r#""spark-role": "driver""#, r#""spark-role": "executor""#);
    for pod in [&driver, &executor] {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), pod).unwrap();
        let out = cluster.kubectl(&["create", "-f", file.path().to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let admin = &cluster.admin_kubeconfig;
    // Bob's kubeconfig for this test: its context's namespace is the test namespace.
    let bob = ns.kubeconfig(User::Bob);

    for sub in ["status", "describe", "logs", "ui", "kill"] {
        let (lines, directive) = helper(&[sub, ""], &bob);
        assert_eq!(directive, ":4");
        assert_eq!(
            values(&lines),
            ["word-count-0a1b2c-driver", "word-count"],
            "{sub}: {lines:?}"
        );
        assert!(
            lines[0].starts_with("word-count-0a1b2c-driver\tword-count, "),
            "{lines:?}"
        );
    }
    // -n wins over the context's namespace.
    let (lines, _) = helper(&["-n", &ns.name, "kill", "word-count", "word-c"], admin);
    assert_eq!(values(&lines), ["word-count-0a1b2c-driver", "word-count"]);
    let (lines, _) = helper(&["status", "-n", "default", ""], admin);
    assert!(!values(&lines).contains(&"word-count"), "{lines:?}");
    let (lines, _) = helper(&["logs", "-A", ""], admin);
    let id = format!("{}:word-count-0a1b2c-driver", ns.name);
    assert!(values(&lines).contains(&id.as_str()), "{lines:?}");
    // Only the first positional of describe is an application.
    assert_eq!(helper(&["describe", "word-count", ""], &bob).0.len(), 0);

    let (lines, _) = helper(&["status", "-n", ""], admin);
    assert!(values(&lines).contains(&ns.name.as_str()), "{lines:?}");
    let typed = format!("--namespace={}", &ns.name[..12]);
    let (lines, _) = helper(&["status", &typed], admin);
    let expected = format!("--namespace={}", ns.name);
    assert!(values(&lines).contains(&expected.as_str()), "{lines:?}");

    let (lines, _) = helper(&["client-setup", "--pod", "word"], &bob);
    assert_eq!(
        values(&lines),
        ["word-count-0a1b2c-driver", "word-count-0a1b2c-exec-1"]
    );
}
