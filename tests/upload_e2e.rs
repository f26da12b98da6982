//! End-to-end tests of dependency uploads (`spark.kubernetes.file.upload.path`) and remote pod
//! templates, against the local cluster and a real S3 server on loopback (s3proxy with its
//! filesystem backend, started by tests/s3/up.sh: objects are plain files we can read back).

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Output;

use common::{Cluster, S3, TestNamespace, User};
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{Api, ListParams};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn kubectl_spark(ns: &TestNamespace, user: User, args: &[String]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-spark"))
        .env("KUBECONFIG", ns.kubeconfig(user))
        .env_remove("SPARK_CONF_DIR")
        .env_remove("SPARK_HOME")
        .env_remove("HADOOP_CONF_DIR")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run kubectl-spark")
}

fn strings(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// A unique key prefix inside the bucket for one test.
fn prefix(test: &str) -> String {
    format!("{test}-{:08x}", rand::random::<u32>())
}

/// Local dependency files of every kind, with distinct contents. The jar is larger than one
/// upload part (8 MiB) so that it goes as a multipart upload.
struct Deps {
    _dir: tempfile::TempDir,
    paths: BTreeMap<&'static str, PathBuf>,
}

impl Deps {
    fn new() -> Deps {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut paths = BTreeMap::new();
        let big: Vec<u8> = (0..9 * 1024 * 1024 + 17)
            .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let files: [(&str, Vec<u8>); 5] = [
            ("a.jar", big),
            ("f.txt", b"a file for --files\n".to_vec()),
            ("z.zip", b"PK\x05\x06not really a zip".to_vec()),
            ("p.py", b"def helper():\n    return 1\n".to_vec()),
            ("app.py", b"print('hello from app.py')\n".to_vec()),
        ];
        for (name, data) in files {
            let p = dir.path().join(name);
            std::fs::write(&p, data).expect("write dep");
            paths.insert(name, p);
        }
        Deps { _dir: dir, paths }
    }

    fn path(&self, name: &str) -> String {
        self.paths[name].to_string_lossy().into_owned()
    }
}

/// `spark.properties` of a driver pod's conf ConfigMap, unescaped.
async fn driver_properties(ns: &TestNamespace, pod_name: &str) -> BTreeMap<String, String> {
    let client = ns.client(User::Admin).await;
    let pod = Api::<Pod>::namespaced(client.clone(), &ns.name)
        .get(pod_name)
        .await
        .expect("driver pod");
    let cm_name = pod
        .spec
        .unwrap()
        .volumes
        .unwrap_or_default()
        .into_iter()
        .find_map(|v| v.config_map.map(|c| c.name))
        .expect("conf configmap volume");
    let cm = Api::<ConfigMap>::namespaced(client, &ns.name)
        .get(&cm_name)
        .await
        .expect("driver conf configmap");
    let props = cm.data.unwrap()["spark.properties"].clone();
    props
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .map(|l| {
            // Java properties escapes (`\:`, `\=`, `\#`, …): the next character is literal.
            let mut un = String::new();
            let mut chars = l.chars();
            while let Some(c) = chars.next() {
                un.push(if c == '\\' {
                    chars.next().unwrap_or(c)
                } else {
                    c
                });
            }
            let (k, v) = un.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn submission_pod(out: &Output, ns: &TestNamespace) -> String {
    text(&out.stdout)
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix(&format!("{}:", ns.name))
                .map(String::from)
        })
        .unwrap_or_else(|| panic!("no submission id on stdout: {}", text(&out.stdout)))
}

async fn pods_in(ns: &TestNamespace) -> usize {
    Api::<Pod>::namespaced(ns.client(User::Admin).await, &ns.name)
        .list(&ListParams::default())
        .await
        .expect("list pods")
        .items
        .len()
}

fn python_submission(s3: &S3, deps: &Deps, prefix: &str, extra: &[String]) -> Vec<String> {
    let mut a = strings(&["submit", "--no-wait", "--skip-preflight", "--name", "deps"]);
    a.extend(strings(&[
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.0.1",
    ]));
    a.extend(s3.confs(prefix));
    a.extend(extra.iter().cloned());
    a.extend([
        "--jars".into(),
        format!("{},local:///opt/spark/jars/x.jar", deps.path("a.jar")),
        "--files".into(),
        format!("file://{}", deps.path("f.txt")),
        "--archives".into(),
        format!("{}#env", deps.path("z.zip")),
        "--py-files".into(),
        deps.path("p.py"),
        deps.path("app.py"),
        "arg1".into(),
    ]);
    a
}

/// What most tests start from: the cluster, the S3 server, a namespace, local files and a
/// fresh key prefix. None (skip) without a cluster or S3 server outside CI.
struct Setup {
    ns: TestNamespace,
    s3: &'static S3,
    deps: Deps,
    prefix: String,
}

impl Setup {
    fn new(name: &str) -> Option<Setup> {
        let (Some(cluster), Some(s3)) = (Cluster::get(), S3::get()) else {
            return None;
        };
        Some(Setup {
            ns: cluster.namespace(&format!("upload-{name}")),
            s3,
            deps: Deps::new(),
            prefix: prefix(name),
        })
    }

    /// Submits the Python app with every kind of local file as `user`.
    fn submit(&self, user: User, extra: &[String]) -> Output {
        kubectl_spark(
            &self.ns,
            user,
            &python_submission(self.s3, &self.deps, &self.prefix, extra),
        )
    }
}

/// The `spark-upload-<uuid>/<name>` object key a URI points at, checked to be under the prefix.
fn key_of(uri: &str, bucket: &str, prefix: &str, name: &str) -> String {
    let key = uri
        .strip_prefix(&format!("s3a://{bucket}/"))
        .unwrap_or_else(|| panic!("{uri} is not in bucket {bucket}"));
    let rest = key
        .strip_prefix(&format!("{prefix}/spark-upload-"))
        .unwrap_or_else(|| panic!("{uri} is not under {prefix}/spark-upload-"));
    let (uuid, file) = rest.split_once('/').unwrap();
    assert_eq!(uuid.len(), 36, "{uri}: not a dashed UUID");
    assert_eq!(file, name, "{uri}");
    key.to_string()
}

#[tokio::test]
async fn local_dependencies_are_uploaded_and_the_driver_points_at_them() {
    let Some(t) = Setup::new("ok") else { return };
    let (ns, s3, deps, prefix) = (&t.ns, t.s3, &t.deps, &t.prefix);
    let out = t.submit(User::Admin, &[]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "submit failed:\n{err}");
    for name in ["a.jar", "f.txt", "z.zip", "p.py", "app.py"] {
        let line = format!("Uploading file: {} to dest: s3a://", deps.path(name));
        assert!(err.contains(&line), "no `{line}` in:\n{err}");
    }
    assert!(!err.contains(&s3.secret_key), "secret key printed:\n{err}");
    assert!(
        err.contains("spark.hadoop.fs.s3a.secret.key") && err.contains("plain text"),
        "no warning about the secret key in the ConfigMap:\n{err}"
    );

    let pod = submission_pod(&out, ns);
    let props = driver_properties(ns, &pod).await;
    let bucket = &s3.bucket;
    let jars: Vec<&str> = props["spark.jars"].split(',').collect();
    assert_eq!(jars.len(), 2, "{jars:?}");
    assert_eq!(
        jars[1], "local:///opt/spark/jars/x.jar",
        "remote entries follow uploads"
    );
    let archive = props["spark.archives"]
        .strip_suffix("#env")
        .expect("archive fragment kept")
        .to_string();
    let expected = [
        ("a.jar", jars[0].to_string()),
        ("f.txt", props["spark.files"].clone()),
        ("z.zip", archive),
        ("p.py", props["spark.submit.pyFiles"].clone()),
    ];
    let mut keys = Vec::new();
    for (name, uri) in &expected {
        let key = key_of(uri, bucket, prefix, name);
        assert_eq!(
            s3.object(&key),
            std::fs::read(&deps.paths[name]).unwrap(),
            "object {key} differs from {name}"
        );
        keys.push(key);
    }
    // The primary Python file: uploaded and passed to the driver as its resource.
    let client = ns.client(User::Admin).await;
    let driver = Api::<Pod>::namespaced(client, &ns.name)
        .get(&pod)
        .await
        .unwrap();
    let args = driver.spec.unwrap().containers[0].args.clone().unwrap();
    let app = args
        .iter()
        .find(|a| a.ends_with("/app.py"))
        .unwrap_or_else(|| panic!("no app.py among the driver args {args:?}"));
    let key = key_of(app, bucket, prefix, "app.py");
    assert_eq!(
        s3.object(&key),
        std::fs::read(&deps.paths["app.py"]).unwrap()
    );
    keys.push(key);
    keys.sort();
    assert_eq!(
        s3.objects(prefix),
        keys,
        "exactly one object per local file"
    );
}

#[tokio::test]
async fn a_submission_that_fails_after_uploading_leaves_no_object() {
    let Some(t) = Setup::new("rollback") else {
        return;
    };
    // Alice may create pods but not services: the submission fails after the pod, so after
    // the uploads too; everything is rolled back.
    let out = t.submit(User::Alice, &[]);
    let (ns, s3, prefix) = (&t.ns, t.s3, &t.prefix);
    let err = text(&out.stderr);
    assert!(!out.status.success(), "submit should fail:\n{err}");
    assert!(
        err.contains("Uploading file:") && err.contains("uploaded file(s) were deleted again"),
        "{err}"
    );
    assert_eq!(
        s3.objects(prefix),
        Vec::<String>::new(),
        "objects left behind"
    );
    // The rollback deleted the driver pod; its graceful deletion may take a moment to finish.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while pods_in(ns).await > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(pods_in(ns).await, 0, "pod left behind:\n{err}");
}

#[tokio::test]
async fn bad_store_settings_are_clear_errors_and_create_nothing() {
    let Some(t) = Setup::new("bad") else { return };
    let (ns, s3, deps, prefix) = (&t.ns, t.s3, &t.deps, &t.prefix);
    let wrong_secret = "not-the-right-secret-4711";

    // Wrong secret key: names the bucket, never prints the secret.
    let out = kubectl_spark(
        ns,
        User::Admin,
        &python_submission(
            s3,
            deps,
            prefix,
            &strings(&[
                "--conf",
                &format!("spark.hadoop.fs.s3a.secret.key={wrong_secret}"),
            ]),
        ),
    );
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains(&format!("s3a://{}", s3.bucket)) && err.contains("denied"),
        "{err}"
    );
    assert!(!err.contains(wrong_secret), "secret printed:\n{err}");
    assert!(err.lines().count() < 40, "not one screen:\n{err}");

    // A bucket that does not exist.
    let out = kubectl_spark(
        ns,
        User::Admin,
        &python_submission(
            s3,
            deps,
            prefix,
            &strings(&[
                "--conf",
                "spark.kubernetes.file.upload.path=s3a://no-such-bucket-kspark/x",
            ]),
        ),
    );
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("no-such-bucket-kspark") && err.contains("does not exist"),
        "{err}"
    );

    // A scheme we cannot write: a usage error before anything happens.
    let out = kubectl_spark(
        ns,
        User::Admin,
        &python_submission(
            s3,
            deps,
            prefix,
            &strings(&[
                "--conf",
                "spark.kubernetes.file.upload.path=hdfs://nn:8020/up",
            ]),
        ),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("spark.kubernetes.file.upload.path") && err.contains("hdfs://"),
        "{err}"
    );

    // A local file that does not exist: names the flag.
    let mut args = python_submission(s3, deps, prefix, &[]);
    let i = args.iter().position(|a| a == "--files").unwrap();
    args[i + 1] = "/nonexistent/data.csv".into();
    let out = kubectl_spark(ns, User::Admin, &args);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--files") && err.contains("/nonexistent/data.csv"),
        "{err}"
    );

    // A client dry run prints the objects but uploads nothing.
    let mut args = python_submission(s3, deps, prefix, &[]);
    args.insert(1, "--dry-run=client".into());
    let out = kubectl_spark(ns, User::Admin, &args);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("would be uploaded"), "{err}");
    assert!(text(&out.stdout).contains("spark-upload-"));

    assert_eq!(
        s3.objects(prefix),
        Vec::<String>::new(),
        "objects were uploaded"
    );
    assert_eq!(pods_in(ns).await, 0, "pods were created");
}

/// Serves one file over HTTP on loopback for `requests` requests; returns its URL.
fn serve_once(body: &'static str, requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/executor-template.yaml",
        listener.local_addr().unwrap()
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: text/yaml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

/// A JVM app submission with the S3 server's confs plus `confs` (`key=value` each).
fn jar_submission(s3: &S3, prefix: &str, confs: &[String]) -> Vec<String> {
    let mut a = strings(&[
        "submit",
        "--no-wait",
        "--skip-preflight",
        "--class",
        "org.example.App",
        "--conf",
        "spark.kubernetes.container.image=apache/spark:4.0.1",
    ]);
    a.extend(s3.confs(prefix));
    for c in confs {
        a.extend(["--conf".to_string(), c.clone()]);
    }
    a.push("local:///opt/app.jar".into());
    a
}

#[tokio::test]
async fn remote_pod_templates_are_fetched_and_applied() {
    let (Some(cluster), Some(s3)) = (Cluster::get(), S3::get()) else {
        return;
    };
    let ns = cluster.namespace("upload-template");
    let prefix = prefix("template");
    // The driver template is written straight into the server's filesystem backend.
    let driver_template = "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    from-template: s3\nspec:\n  priorityClassName: ''\n  containers:\n  - name: main\n    workingDir: /opt/from-template\n";
    let key = format!("{prefix}/driver.yaml");
    let path = s3.data.join(&s3.bucket).join(&key);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, driver_template).unwrap();
    let exec_template =
        "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    from-template: http\n";
    let url = serve_once(exec_template, 4);

    let a = jar_submission(
        s3,
        &prefix,
        &[
            format!(
                "spark.kubernetes.driver.podTemplateFile=s3a://{}/{key}",
                s3.bucket
            ),
            format!("spark.kubernetes.executor.podTemplateFile={url}"),
        ],
    );
    let out = kubectl_spark(&ns, User::Admin, &a);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    let pod_name = submission_pod(&out, &ns);
    let client = ns.client(User::Admin).await;
    let pod = Api::<Pod>::namespaced(client.clone(), &ns.name)
        .get(&pod_name)
        .await
        .unwrap();
    assert_eq!(
        pod.metadata
            .labels
            .unwrap()
            .get("from-template")
            .map(String::as_str),
        Some("s3")
    );
    let container = &pod.spec.unwrap().containers[0];
    assert_eq!(container.name, "main");
    assert_eq!(container.working_dir.as_deref(), Some("/opt/from-template"));
    let cms = Api::<ConfigMap>::namespaced(client, &ns.name)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(
        cms.items.iter().any(|cm| cm
            .data
            .as_ref()
            .is_some_and(|d| d.values().any(|v| v.contains("from-template: http")))),
        "no ConfigMap holds the executor template fetched over HTTP"
    );

    // A template that is not there: Spark's message, and nothing is created.
    let ns2 = cluster.namespace("upload-template-missing");
    let a = jar_submission(
        s3,
        &prefix,
        &[format!(
            "spark.kubernetes.driver.podTemplateFile=s3a://{}/{prefix}/missing.yaml",
            s3.bucket
        )],
    );
    let out = kubectl_spark(&ns2, User::Admin, &a);
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("missing.yaml") && err.contains("podTemplateFile"),
        "{err}"
    );
    assert_eq!(pods_in(&ns2).await, 0);
}
