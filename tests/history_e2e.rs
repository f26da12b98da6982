//! End-to-end tests of what issue 21 adds that needs no real Spark: namespace defaults written
//! by `setup` and applied by `submit` (against the local API server; secrets never in the
//! ConfigMap), and `cleanup` deleting the files removed applications uploaded (against the real
//! S3 server) with its filters. The History Server itself runs real Spark: see
//! `tests/history_real_node.rs`.

mod common;
mod offline;

use std::process::Output;

use common::{Cluster, S3, TestNamespace, User};
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret};
use kube::api::Api;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn kspark(ns: &TestNamespace, user: User, args: &[String]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-spark"))
        .env("KUBECONFIG", ns.kubeconfig(user))
        .env_remove("SPARK_CONF_DIR")
        .env_remove("SPARK_HOME")
        .env_remove("HADOOP_CONF_DIR")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .args(args)
        .output()
        .expect("run kubectl-spark")
}

fn strings(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[track_caller]
fn ok(o: &Output) -> (String, String) {
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "stdout:\n{out}\nstderr:\n{err}");
    (out, err)
}

const SECRET_VALUE: &str = "defaults-secret-value-7f3a";

/// `setup --conf` with a secret: the value lands in the Secret, never in the ConfigMap (nor on
/// stderr); `submit` applies the defaults below its own settings, says so once, and a dry run
/// shows them; the driver and executors get the secret from the Secret; `setup --delete`
/// removes both objects; a namespace without defaults is untouched.
#[tokio::test]
async fn namespace_defaults_are_the_lowest_layer_and_keep_secrets_out_of_the_configmap() {
    let Some(cluster) = Cluster::get() else {
        return;
    };
    let ns = cluster.namespace("hist-defaults");
    let setup = kspark(
        &ns,
        User::Admin,
        &strings(&[
            "setup",
            "--event-log-dir",
            "file:/mnt/events",
            "--image",
            "apache/spark:4.0.1",
            "--conf",
            "spark.executor.memory=3g",
            "--conf",
            "spark.kubernetes.executor.deleteOnTermination=false",
            "--conf",
            &format!("spark.hadoop.fs.s3a.secret.key={SECRET_VALUE}"),
        ]),
    );
    let (out, err) = ok(&setup);
    assert!(
        !out.contains(SECRET_VALUE) && !err.contains(SECRET_VALUE),
        "secret printed:\n{out}\n{err}"
    );
    assert!(err.contains("make sure file:/mnt/events exists"), "{err}");
    let client = ns.client(User::Admin).await;
    let cm = Api::<ConfigMap>::namespaced(client.clone(), &ns.name)
        .get("kubectl-spark-defaults")
        .await
        .expect("defaults ConfigMap");
    let cm_text = serde_json::to_string(&cm).unwrap();
    assert!(
        !cm_text.contains(SECRET_VALUE),
        "secret in the ConfigMap: {cm_text}"
    );
    let data = cm.data.unwrap();
    assert!(data["spark-defaults.conf"].contains("spark.eventLog.dir=file\\:/mnt/events"));
    assert_eq!(data["secret-keys"], "spark.hadoop.fs.s3a.secret.key\n");
    let secret = Api::<Secret>::namespaced(client.clone(), &ns.name)
        .get("kubectl-spark-defaults")
        .await
        .expect("defaults Secret");
    assert_eq!(
        secret.data.unwrap()["spark.hadoop.fs.s3a.secret.key"].0,
        SECRET_VALUE.as_bytes()
    );

    // The command line wins; what it does not set comes from the namespace.
    let dry = kspark(
        &ns,
        User::Bob,
        &strings(&[
            "submit",
            "--dry-run",
            "-o",
            "json",
            "--executor-memory",
            "1g",
            "--class",
            "org.apache.spark.examples.SparkPi",
            "local:///opt/spark/examples/jars/spark-examples.jar",
        ]),
    );
    let (out, err) = ok(&dry);
    assert_eq!(
        err.matches("Applying namespace defaults").count(),
        1,
        "said once:\n{err}"
    );
    assert!(err.contains("spark.eventLog.dir"), "{err}");
    assert!(!out.contains(SECRET_VALUE) && !err.contains(SECRET_VALUE));
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let props = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|o| o["data"]["spark.properties"].as_str())
        .expect("spark.properties in the dry run")
        .to_string();
    for line in [
        "spark.executor.memory=1g\n",
        "spark.eventLog.enabled=true\n",
        "spark.kubernetes.container.image=apache/spark\\:4.0.1\n",
        "spark.kubernetes.executor.deleteOnTermination=false\n",
        "spark.kubernetes.authenticate.driver.serviceAccountName=spark\n",
        "spark.kubernetes.driver.secretKeyRef.AWS_SECRET_ACCESS_KEY=kubectl-spark-defaults\\:spark.hadoop.fs.s3a.secret.key\n",
    ] {
        assert!(props.contains(line), "no `{line}` in:\n{props}");
    }
    let pod = &list["items"][0];
    let env = pod["spec"]["containers"][0]["env"].as_array().unwrap();
    let aws = env
        .iter()
        .find(|e| e["name"] == "AWS_SECRET_ACCESS_KEY")
        .expect("the secret as an env var");
    assert_eq!(
        aws["valueFrom"]["secretKeyRef"]["name"],
        "kubectl-spark-defaults"
    );
    // The driver pod records which keys applied, for describe; the command line's are not.
    let applied = pod["metadata"]["annotations"]["kubectl-spark.io/namespace-defaults"]
        .as_str()
        .expect("the applied defaults on the driver pod");
    assert!(applied.contains("spark.eventLog.dir"), "{applied}");
    assert!(!applied.contains("spark.executor.memory"), "{applied}");

    // Doctor shows them, without the value.
    let (out, _) = ok(&kspark(&ns, User::Admin, &strings(&["doctor"])));
    assert!(out.contains("namespace defaults"), "{out}");
    assert!(
        out.contains("spark.hadoop.fs.s3a.secret.key (from Secret"),
        "{out}"
    );
    assert!(!out.contains(SECRET_VALUE));

    // Removed with setup --delete; then nothing is applied.
    ok(&kspark(&ns, User::Admin, &strings(&["setup", "--delete"])));
    assert!(
        Api::<ConfigMap>::namespaced(client.clone(), &ns.name)
            .get_opt("kubectl-spark-defaults")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        Api::<Secret>::namespaced(client, &ns.name)
            .get_opt("kubectl-spark-defaults")
            .await
            .unwrap()
            .is_none()
    );
    let (out, err) = ok(&kspark(&ns, User::Bob, &dry_args()));
    assert!(!err.contains("namespace defaults"), "{err}");
    assert!(!out.contains("eventLog"), "{out}");
    assert!(
        !out.contains("kubectl-spark.io/namespace-defaults"),
        "{out}"
    );
}

fn dry_args() -> Vec<String> {
    strings(&[
        "submit",
        "--dry-run",
        "-o",
        "json",
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.0.1",
        "--class",
        "org.apache.spark.examples.SparkPi",
        "local:///opt/spark/examples/jars/spark-examples.jar",
    ])
}

/// `setup --dry-run` prints the defaults' ConfigMap without the secret value and the Secret
/// with it, without a server.
#[test]
fn setup_dry_run_keeps_secret_values_out_of_the_configmap() {
    let env = offline::Env::new();
    let o = env
        .cmd()
        .args(["--kubeconfig", &env.kubeconfig().display().to_string()])
        .args([
            "setup",
            "--dry-run",
            "-o",
            "json",
            "--event-log-dir",
            "s3a://logs/events",
            "-c",
            "spark.hadoop.fs.s3a.endpoint=http://minio:9000",
            "-c",
            &format!("spark.hadoop.fs.s3a.access.key={SECRET_VALUE}-id"),
            "-c",
            &format!("spark.hadoop.fs.s3a.secret.key={SECRET_VALUE}"),
        ])
        .output()
        .unwrap();
    let out = offline::stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", offline::stderr(&o));
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let items = list["items"].as_array().unwrap();
    let cm = items
        .iter()
        .find(|i| i["kind"] == "ConfigMap")
        .expect("the defaults ConfigMap");
    let cm_text = cm.to_string();
    assert!(!cm_text.contains(SECRET_VALUE), "{cm_text}");
    assert!(
        cm_text.contains("spark.hadoop.fs.s3a.endpoint=http"),
        "{cm_text}"
    );
    assert!(
        cm_text.contains("spark.hadoop.fs.s3a.secret.key\\n"),
        "{cm_text}"
    );
    let secret = items
        .iter()
        .find(|i| i["kind"] == "Secret")
        .expect("the defaults Secret");
    use base64::Engine as _;
    let stored = base64::engine::general_purpose::STANDARD
        .decode(
            secret["data"]["spark.hadoop.fs.s3a.secret.key"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    assert_eq!(stored, SECRET_VALUE.as_bytes());
    // Refused: a secret outside spark.hadoop.*, a per-submission key.
    let bad = env
        .cmd()
        .args(["--kubeconfig", &env.kubeconfig().display().to_string()])
        .args(["setup", "--dry-run", "-c", "spark.authenticate.secret=x"])
        .output()
        .unwrap();
    offline::assert_bad_input(&bad, &["spark.authenticate.secret", "hint:"]);
}

/// A Python app with a local primary file and a local dependency, uploaded to the S3 server,
/// whose kwok driver ends as `outcome`, labelled `team=<team>`.
fn submit_uploading(
    ns: &TestNamespace,
    s3: &S3,
    prefix: &str,
    name: &str,
    outcome: &str,
    team: &str,
    dir: &std::path::Path,
) -> String {
    let app = dir.join(format!("{name}.py"));
    let dep = dir.join(format!("{name}-dep.py"));
    std::fs::write(&app, "print(1)\n").unwrap();
    std::fs::write(&dep, "x = 1\n").unwrap();
    let mut args = strings(&[
        "submit",
        "--no-wait",
        "--skip-preflight",
        "--name",
        name,
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.0.1",
        "--conf",
    ]);
    args.push(format!(
        "spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/outcome={outcome}"
    ));
    args.push("--conf".into());
    args.push("spark.kubernetes.driver.annotation.e2e.kubectl-spark.io/delay=100".into());
    args.push("--conf".into());
    args.push(format!("spark.kubernetes.driver.label.team={team}"));
    args.extend(s3.confs(prefix));
    args.push("--py-files".into());
    args.push(dep.display().to_string());
    args.push(app.display().to_string());
    let (out, _) = ok(&kspark(ns, User::Admin, &args));
    out.trim()
        .rsplit(':')
        .next()
        .expect("submission id")
        .to_string()
}

async fn wait_phase(ns: &TestNamespace, pod: &str, phase: &str) {
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Admin).await, &ns.name);
    for _ in 0..300 {
        let p = pods.get(pod).await.unwrap();
        if p.status.and_then(|s| s.phase).as_deref() == Some(phase) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{pod} never reached {phase}");
}

/// `cleanup` deletes the `spark-upload-*` files of the applications it removes (checked in
/// the S3 server's store), not those of the applications it keeps; `--state`, `-l` and
/// `--older-than` choose which; `--keep-uploads` keeps the files; the driver-log note is said.
#[tokio::test]
async fn cleanup_deletes_the_uploads_of_what_it_removes_and_respects_the_filters() {
    let (Some(cluster), Some(s3)) = (Cluster::get(), S3::get()) else {
        return;
    };
    let ns = cluster.namespace("hist-cleanup");
    let prefix = format!("cleanup-{:08x}", rand::random::<u32>());
    let dir = tempfile::tempdir().unwrap();
    let failed = submit_uploading(&ns, s3, &prefix, "bad", "Failed", "a", dir.path());
    let good = submit_uploading(&ns, s3, &prefix, "good", "Succeeded", "b", dir.path());
    let kept = submit_uploading(&ns, s3, &prefix, "kept", "Succeeded", "c", dir.path());
    wait_phase(&ns, &failed, "Failed").await;
    wait_phase(&ns, &good, "Succeeded").await;
    wait_phase(&ns, &kept, "Succeeded").await;
    let uploads = |name: &str| -> Vec<String> {
        s3.objects(&prefix)
            .into_iter()
            .filter(|k| {
                k.ends_with(&format!("/{name}.py")) || k.ends_with(&format!("/{name}-dep.py"))
            })
            .collect()
    };
    for name in ["bad", "good", "kept"] {
        assert_eq!(uploads(name).len(), 2, "{name}: {:?}", s3.objects(&prefix));
    }

    // Nothing is older than an hour; a running state is refused.
    let (_, err) = ok(&kspark(
        &ns,
        User::Admin,
        &strings(&["cleanup", "--older-than", "1h"]),
    ));
    assert!(err.contains("No finished applications"), "{err}");
    let bad = kspark(
        &ns,
        User::Admin,
        &strings(&["cleanup", "--state", "running", "--yes"]),
    );
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stderr));
    assert!(text(&bad.stderr).contains("kubectl spark kill"));

    // The dry run counts the files.
    let (out, err) = ok(&kspark(
        &ns,
        User::Admin,
        &strings(&[
            "cleanup",
            "--older-than",
            "0s",
            "--state",
            "failed",
            "--dry-run",
        ]),
    ));
    assert!(out.contains(&failed) && !out.contains(&good), "{out}");
    assert!(err.contains("and 2 uploaded file(s)"), "{err}");
    assert_eq!(uploads("bad").len(), 2);

    // --state failed: only the failed one, and its files.
    let (_, err) = ok(&kspark(
        &ns,
        User::Admin,
        &strings(&[
            "cleanup",
            "--older-than",
            "0s",
            "--state",
            "failed",
            "--yes",
        ]),
    ));
    assert!(err.contains("Deleted 2 uploaded file(s)"), "{err}");
    assert!(
        err.contains(&format!("kubectl spark logs {failed} > {failed}.log")),
        "{err}"
    );
    assert!(uploads("bad").is_empty(), "{:?}", s3.objects(&prefix));
    assert_eq!(uploads("good").len(), 2);

    // -l team=c with --keep-uploads: the driver goes, its files stay.
    let (_, err) = ok(&kspark(
        &ns,
        User::Admin,
        &strings(&[
            "cleanup",
            "--older-than",
            "0s",
            "-l",
            "team=c",
            "--keep-uploads",
            "--yes",
        ]),
    ));
    assert!(!err.contains("uploaded file"), "{err}");
    assert_eq!(uploads("kept").len(), 2);
    assert_eq!(uploads("good").len(), 2);
    let pods: Api<Pod> = Api::namespaced(ns.client(User::Admin).await, &ns.name);
    for _ in 0..100 {
        if pods.get_opt(&kept).await.unwrap().is_none() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        pods.get_opt(&good).await.unwrap().is_some(),
        "team=b is kept"
    );
}
