//! The local test cluster (`tests/cluster/up.sh`), as integration tests see it.
//!
//! ```ignore
//! mod common;
//! use common::{Cluster, TestNamespace, User};
//!
//! #[tokio::test]
//! async fn something() {
//!     let Some(cluster) = Cluster::get() else { return }; // prints SKIPPED; panics if CI=true
//!     let ns = TestNamespace::new(cluster, "something");  // t-something-1a2b3c4d, deleted on drop
//!     let pods: Api<Pod> = Api::namespaced(cluster.bob_client().await, &ns.name);
//!     let kubeconfig = ns.kubeconfig(User::Bob);          // context namespace = ns.name
//! }
//! ```
//!
//! The cluster is found through `$KSPARK_CLUSTER_DIR/env`, or
//! `~/.cache/kubectl-spark/cluster/env` (the file up.sh writes last, when all is healthy).
//! Every test namespace gets the RBAC of `tests/cluster/rbac.yaml`: `bob` may do everything a
//! Spark submitter does, `alice` the same minus Services (and Secrets, PVCs, NetworkPolicies).
//! Tests run in parallel; each one works in its own namespace.
//! `KSPARK_KEEP_NAMESPACES=1` keeps the test namespaces for inspection.
#![allow(dead_code)] // each test crate uses a different part of this module

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write as _;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Namespace, Pod, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::api::{Api, DeleteParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

/// Pinned component versions, the same file build.sh and up.sh read.
const VERSIONS_ENV: &str = include_str!("../cluster/versions.env");
/// Namespaced RBAC for alice and bob; `@NAMESPACE@` is the namespace.
const RBAC_YAML: &str = include_str!("../cluster/rbac.yaml");
/// The log every container except Spark executors serves through kwok (CRI log format).
pub const DRIVER_LOG_CRI: &str = include_str!("../cluster/fake/driver.log");
/// The log `spark-kubernetes-executor` containers serve.
pub const EXECUTOR_LOG_CRI: &str = include_str!("../cluster/fake/executor.log");

/// The users of the test cluster (static tokens).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum User {
    /// `system:masters`.
    Admin,
    /// Spark submitter without Services, Secrets, PVCs and NetworkPolicies.
    Alice,
    /// Full Spark submitter.
    Bob,
}

impl User {
    pub fn name(self) -> &'static str {
        match self {
            User::Admin => "admin",
            User::Alice => "alice",
            User::Bob => "bob",
        }
    }
}

/// A running local cluster, read from its `env` file.
#[derive(Debug)]
pub struct Cluster {
    pub dir: PathBuf,
    /// `https://127.0.0.1:<port>`
    pub api_url: String,
    /// e.g. `1.34.4` (no `v`)
    pub k8s_version: String,
    pub ca_file: PathBuf,
    /// Contexts `admin` (namespace default, current) and `e2e` (namespace e2e).
    pub admin_kubeconfig: PathBuf,
    /// Context `alice`, namespace e2e.
    pub alice_kubeconfig: PathBuf,
    /// Context `bob`, namespace e2e.
    pub bob_kubeconfig: PathBuf,
    pub admin_token: String,
    pub alice_token: String,
    pub bob_token: String,
    /// The fake nodes: `kwok-node-0`, …
    pub nodes: Vec<String>,
    /// Where every pod port is forwarded: the fake Spark UI on 127.0.0.1.
    pub pf_target_port: u16,
    /// kubectl matching the server (`$KUBECTL` overrides).
    pub kubectl: PathBuf,
    /// The raw `KSPARK_*` variables of the env file.
    pub env: BTreeMap<String, String>,
}

impl Cluster {
    /// The cluster, or `None` after printing `SKIPPED: …` when none runs. With `CI=true` a
    /// missing cluster is a failure, never a silent skip.
    pub fn get() -> Option<&'static Cluster> {
        static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
        match CLUSTER.get_or_init(Cluster::load) {
            Ok(cluster) => Some(cluster),
            Err(why) => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("no local cluster, and CI=true forbids skipping: {why}");
                }
                // Straight to stderr, past the test harness's capture: a skip must be seen.
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: no local cluster (run tests/cluster/up.sh): {why}"
                );
                None
            }
        }
    }

    /// The cluster directory: `$KSPARK_CLUSTER_DIR`, or up.sh's default.
    pub fn default_dir() -> PathBuf {
        match std::env::var_os("KSPARK_CLUSTER_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/kubectl-spark/cluster"),
        }
    }

    fn load() -> Result<Cluster, String> {
        let dir = Cluster::default_dir();
        let env_file = dir.join("env");
        let text = std::fs::read_to_string(&env_file)
            .map_err(|e| format!("cannot read {}: {e}", env_file.display()))?;
        let env = parse_env(&text);
        let get = |key: &str| {
            env.get(key)
                .cloned()
                .ok_or_else(|| format!("{} has no {key}", env_file.display()))
        };
        let api_url = get("KSPARK_API_URL")?;
        let cluster = Cluster {
            dir: dir.clone(),
            k8s_version: get("KSPARK_K8S_VERSION")?,
            ca_file: get("KSPARK_CA_FILE")?.into(),
            admin_kubeconfig: get("KSPARK_ADMIN_KUBECONFIG")?.into(),
            alice_kubeconfig: get("KSPARK_ALICE_KUBECONFIG")?.into(),
            bob_kubeconfig: get("KSPARK_BOB_KUBECONFIG")?.into(),
            admin_token: get("KSPARK_ADMIN_TOKEN")?,
            alice_token: get("KSPARK_ALICE_TOKEN")?,
            bob_token: get("KSPARK_BOB_TOKEN")?,
            nodes: get("KSPARK_NODES")?
                .split_whitespace()
                .map(String::from)
                .collect(),
            pf_target_port: get("KSPARK_PF_TARGET_PORT")?
                .parse()
                .map_err(|e| format!("KSPARK_PF_TARGET_PORT: {e}"))?,
            kubectl: std::env::var_os("KUBECTL")
                .map(PathBuf::from)
                .or_else(|| env.get("KSPARK_KUBECTL").map(PathBuf::from))
                .unwrap_or_else(|| "kubectl".into()),
            api_url,
            env,
        };
        // The env file outlives a crashed or rebooted cluster: make sure someone answers.
        let host_port = cluster.api_url.trim_start_matches("https://");
        let addr = host_port
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| format!("bad KSPARK_API_URL {}", cluster.api_url))?;
        TcpStream::connect_timeout(&addr, Duration::from_secs(2)).map_err(|e| {
            format!(
                "{} exists but the API server {} does not answer ({e}); restart it with tests/cluster/up.sh",
                env_file.display(),
                cluster.api_url
            )
        })?;
        Ok(cluster)
    }

    pub fn kubeconfig_path(&self, user: User) -> &Path {
        match user {
            User::Admin => &self.admin_kubeconfig,
            User::Alice => &self.alice_kubeconfig,
            User::Bob => &self.bob_kubeconfig,
        }
    }

    pub fn token(&self, user: User) -> &str {
        match user {
            User::Admin => &self.admin_token,
            User::Alice => &self.alice_token,
            User::Bob => &self.bob_token,
        }
    }

    /// A client for `user`, from its kubeconfig (default namespace: `default` for admin, `e2e`
    /// for alice and bob). Build it inside the runtime that uses it.
    pub async fn client(&self, user: User) -> Client {
        client_from_kubeconfig(self.kubeconfig_path(user)).await
    }

    pub async fn admin_client(&self) -> Client {
        self.client(User::Admin).await
    }

    pub async fn alice_client(&self) -> Client {
        self.client(User::Alice).await
    }

    pub async fn bob_client(&self) -> Client {
        self.client(User::Bob).await
    }

    /// `kubectl` with `KUBECONFIG` set to `user`'s kubeconfig (and nothing else from the
    /// developer's own kubectl setup).
    pub fn kubectl_as(&self, user: User) -> Command {
        let mut cmd = Command::new(&self.kubectl);
        cmd.env("KUBECONFIG", self.kubeconfig_path(user))
            .env_remove("KUBECTL_EXTERNAL_DIFF");
        cmd
    }

    /// Runs kubectl as admin and returns its output, whatever the exit status.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_as(User::Admin)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.kubectl.display()))
    }

    /// Same as [`TestNamespace::new`].
    pub fn namespace(&'static self, prefix: &str) -> TestNamespace {
        TestNamespace::new(self, prefix)
    }
}

/// The Kubernetes version the cluster is pinned to (`K8S_VERSION` of versions.env, e.g. `1.34.4`).
pub fn expected_k8s_version() -> String {
    parse_env(VERSIONS_ENV)
        .remove("K8S_VERSION")
        .expect("tests/cluster/versions.env has K8S_VERSION")
}

/// `KEY=value` lines of a shell-sourceable file; `export `, quotes and comments are skipped.
fn parse_env(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.trim_start_matches("export ").split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .or_else(|| v.strip_prefix('"').and_then(|v| v.strip_suffix('"')))
                .unwrap_or(v);
            (k.trim().to_string(), v.to_string())
        })
        .collect()
}

pub async fn client_from_kubeconfig(path: &Path) -> Client {
    let kubeconfig = Kubeconfig::read_from(path)
        .unwrap_or_else(|e| panic!("cannot read kubeconfig {}: {e}", path.display()));
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap_or_else(|e| panic!("bad kubeconfig {}: {e}", path.display()));
    Client::try_from(config).expect("kube client")
}

/// Runs `future` to completion on a fresh runtime in its own thread, so that synchronous code
/// (plain `#[test]`s, `Drop`) can use kube-rs whether or not a runtime is already running here.
pub fn block_on<F, T>(future: impl FnOnce() -> F + Send + 'static) -> T
where
    F: Future<Output = T>,
    T: Send + 'static,
{
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
            .block_on(future())
    })
    .join()
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// A namespace of its own for one test: `t-<prefix>-<8 hex>`, with alice's and bob's Roles
/// bound and its `default` ServiceAccount present (pods are refused before it exists).
/// Deleted when dropped (without waiting for the namespace controller to empty it).
pub struct TestNamespace {
    pub name: String,
    cluster: &'static Cluster,
    kubeconfigs: tempfile::TempDir,
}

impl TestNamespace {
    pub fn new(cluster: &'static Cluster, prefix: &str) -> TestNamespace {
        let prefix: String = prefix
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .take(40)
            .collect();
        let name = format!(
            "t-{}-{:08x}",
            prefix.trim_matches('-'),
            rand::random::<u32>()
        );
        let (ns, admin) = (name.clone(), cluster.admin_kubeconfig.clone());
        block_on(move || async move {
            let client = client_from_kubeconfig(&admin).await;
            create_namespace(client, &ns).await
        });
        TestNamespace {
            name,
            cluster,
            kubeconfigs: tempfile::Builder::new()
                .prefix("kspark-kubeconfig-")
                .tempdir()
                .expect("temporary directory"),
        }
    }

    /// A kubeconfig for `user` whose (only, current) context's namespace is this namespace, for
    /// CLI tests that rely on the context's namespace. Lives as long as the `TestNamespace`.
    pub fn kubeconfig(&self, user: User) -> PathBuf {
        let path = self
            .kubeconfigs
            .path()
            .join(format!("{}.kubeconfig", user.name()));
        if !path.exists() {
            std::fs::write(&path, self.kubeconfig_yaml(user)).expect("write kubeconfig");
        }
        path
    }

    /// The text of [`TestNamespace::kubeconfig`]: cluster `kspark-e2e`, context `<user>`.
    pub fn kubeconfig_yaml(&self, user: User) -> String {
        use base64::Engine as _;
        let ca = std::fs::read(&self.cluster.ca_file).expect("read the cluster CA");
        format!(
            "apiVersion: v1\nkind: Config\n\
             clusters:\n- name: kspark-e2e\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca}\n\
             users:\n- name: {user}\n  user:\n    token: {token}\n\
             contexts:\n- name: {user}\n  context:\n    cluster: kspark-e2e\n    user: {user}\n    namespace: {ns}\n\
             current-context: {user}\n",
            server = self.cluster.api_url,
            ca = base64::engine::general_purpose::STANDARD.encode(ca),
            user = user.name(),
            token = self.cluster.token(user),
            ns = self.name,
        )
    }

    /// A client for `user` whose default namespace is this one.
    pub async fn client(&self, user: User) -> Client {
        client_from_kubeconfig(&self.kubeconfig(user)).await
    }

    /// `kubectl` as `user` with this namespace as the context's namespace.
    pub fn kubectl_as(&self, user: User) -> Command {
        let mut cmd = Command::new(&self.cluster.kubectl);
        cmd.env("KUBECONFIG", self.kubeconfig(user));
        cmd
    }

    /// Runs kubectl as admin in this namespace and returns its output, whatever the exit status.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_as(User::Admin)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.cluster.kubectl.display()))
    }
}

impl std::fmt::Display for TestNamespace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl Drop for TestNamespace {
    fn drop(&mut self) {
        if std::env::var_os("KSPARK_KEEP_NAMESPACES").is_some_and(|v| !v.is_empty()) {
            eprintln!("keeping namespace {} (KSPARK_KEEP_NAMESPACES)", self.name);
            return;
        }
        let (ns, admin) = (self.name.clone(), self.cluster.admin_kubeconfig.clone());
        // Best effort: the namespace controller finishes the job in the background.
        let result = std::panic::catch_unwind(|| {
            block_on(move || async move {
                let client = client_from_kubeconfig(&admin).await;
                Api::<Namespace>::all(client)
                    .delete(&ns, &DeleteParams::background())
                    .await
                    .map(|_| ())
            })
        });
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("warning: could not delete namespace {}: {e}", self.name),
            Err(_) => eprintln!("warning: could not delete namespace {}", self.name),
        }
    }
}

async fn create_namespace(client: Client, name: &str) {
    let namespace: Namespace = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "labels": {"e2e.kubectl-spark.io/test": "true"}}
    }))
    .unwrap();
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &namespace)
        .await
        .unwrap_or_else(|e| panic!("create namespace {name}: {e}"));

    let rbac = RBAC_YAML.replace("@NAMESPACE@", name);
    let docs: Vec<serde_json::Value> =
        serde_saphyr::from_str_multiple(&rbac).expect("tests/cluster/rbac.yaml parses");
    for doc in docs {
        let kind = doc["kind"].as_str().unwrap_or_default().to_string();
        let created = match kind.as_str() {
            "Role" => Api::<Role>::namespaced(client.clone(), name)
                .create(
                    &PostParams::default(),
                    &serde_json::from_value(doc).unwrap(),
                )
                .await
                .map(|_| ()),
            "RoleBinding" => Api::<RoleBinding>::namespaced(client.clone(), name)
                .create(
                    &PostParams::default(),
                    &serde_json::from_value(doc).unwrap(),
                )
                .await
                .map(|_| ()),
            other => panic!("tests/cluster/rbac.yaml: unexpected kind {other:?}"),
        };
        created.unwrap_or_else(|e| panic!("create {kind} in {name}: {e}"));
    }

    // The serviceaccount controller creates `default` shortly after the namespace; right after
    // an API server restart (tests/disruptive_e2e.rs) its informers may take longer to come
    // back, so after 15 s the account is created here (what the controller would create; it
    // then finds it there).
    let accounts = Api::<ServiceAccount>::namespaced(client, name);
    for attempt in 0..600 {
        if accounts.get_opt("default").await.ok().flatten().is_some() {
            return;
        }
        if attempt == 150 {
            let default: ServiceAccount =
                serde_json::from_value(serde_json::json!({"metadata": {"name": "default"}}))
                    .unwrap();
            match accounts.create(&PostParams::default(), &default).await {
                Ok(_) => return,
                Err(kube::Error::Api(e)) if e.code == 409 => return,
                Err(e) => eprintln!("creating serviceaccount {name}/default: {e}"),
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "serviceaccount {name}/default did not appear within 60s (is kube-controller-manager running?)"
    );
}

/// A minimal pod with one container, `annotations` on it (see tests/cluster/kwok.yaml for the
/// `e2e.kubectl-spark.io/*` ones kwok acts on).
pub fn pod(name: &str, container: &str, annotations: &[(&str, &str)]) -> Pod {
    let annotations: BTreeMap<&str, &str> = annotations.iter().copied().collect();
    serde_json::from_value(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "annotations": annotations},
        "spec": {
            "containers": [{"name": container, "image": "apache/spark:4.0.1"}],
            "restartPolicy": "Never",
        }
    }))
    .unwrap()
}

/// Waits until `condition` holds for the named pod (`None` when it does not exist), or panics
/// after `timeout` showing the pod's last state.
pub async fn wait_for_pod(
    pods: &Api<Pod>,
    name: &str,
    timeout: Duration,
    what: &str,
    condition: impl Fn(Option<&Pod>) -> bool,
) -> Option<Pod> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let pod = pods
            .get_opt(name)
            .await
            .unwrap_or_else(|e| panic!("get pod {name}: {e}"));
        if condition(pod.as_ref()) {
            return pod;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!(
                "pod {name}: not {what} after {timeout:?}; last seen: {}",
                serde_json::to_string_pretty(&pod).unwrap()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The text a container's log holds, as `kubectl logs` prints it: the message part of each CRI
/// log line (`<time> <stream> <tag> <message>`).
pub fn log_messages(cri: &str) -> String {
    cri.lines()
        .map(|l| l.splitn(4, ' ').nth(3).unwrap_or_default())
        .map(|m| format!("{m}\n"))
        .collect()
}

/// The S3-compatible server (s3proxy) of `tests/s3/up.sh`, read from `$KSPARK_S3_DIR/s3.env`.
pub struct S3 {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: String,
    /// A bucket that exists.
    pub bucket: String,
    /// The filesystem backend's base directory: objects are files under `<data>/<bucket>/<key>`.
    pub data: PathBuf,
}

impl S3 {
    /// The server, or `None` after printing `SKIPPED: …`; a failure under `CI=true`.
    pub fn get() -> Option<&'static S3> {
        static S3_SERVER: OnceLock<Result<S3, String>> = OnceLock::new();
        match S3_SERVER.get_or_init(S3::load) {
            Ok(s3) => Some(s3),
            Err(why) => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("no S3 server, and CI=true forbids skipping: {why}");
                }
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: no S3 server (run tests/s3/up.sh): {why}"
                );
                None
            }
        }
    }

    fn load() -> Result<S3, String> {
        let dir = match std::env::var_os("KSPARK_S3_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/kubectl-spark/s3"),
        };
        let file = dir.join("s3.env");
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let env = parse_env(&text);
        let get = |key: &str| {
            env.get(key)
                .cloned()
                .ok_or_else(|| format!("{} has no {key}", file.display()))
        };
        let s3 = S3 {
            endpoint: get("KSPARK_S3_ENDPOINT")?,
            access_key: get("KSPARK_S3_ACCESS_KEY")?,
            secret_key: get("KSPARK_S3_SECRET_KEY")?,
            bucket: get("KSPARK_S3_BUCKET")?,
            data: get("KSPARK_S3_DATA")?.into(),
        };
        let addr = s3
            .endpoint
            .trim_start_matches("http://")
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| format!("bad KSPARK_S3_ENDPOINT {}", s3.endpoint))?;
        TcpStream::connect_timeout(&addr, Duration::from_secs(2))
            .map_err(|e| format!("s3proxy at {} does not answer ({e})", s3.endpoint))?;
        Ok(s3)
    }

    /// The `--conf` pairs that point Spark's S3A (and kubectl-spark) at this server, uploading
    /// under `s3a://<bucket>/<prefix>`.
    pub fn confs(&self, prefix: &str) -> Vec<String> {
        [
            format!(
                "spark.kubernetes.file.upload.path=s3a://{}/{prefix}",
                self.bucket
            ),
            format!("spark.hadoop.fs.s3a.endpoint={}", self.endpoint),
            "spark.hadoop.fs.s3a.path.style.access=true".into(),
            "spark.hadoop.fs.s3a.connection.ssl.enabled=false".into(),
            "spark.hadoop.fs.s3a.endpoint.region=us-east-1".into(),
            format!("spark.hadoop.fs.s3a.access.key={}", self.access_key),
            format!("spark.hadoop.fs.s3a.secret.key={}", self.secret_key),
        ]
        .into_iter()
        .flat_map(|c| ["--conf".to_string(), c])
        .collect()
    }

    /// Every object (regular file) under `<bucket>/<prefix>`, as keys relative to the bucket,
    /// sorted; with the filesystem backend these are exactly the stored objects.
    pub fn objects(&self, prefix: &str) -> Vec<String> {
        fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, base, out);
                } else if let Ok(rel) = p.strip_prefix(base) {
                    out.push(rel.to_string_lossy().into_owned());
                }
            }
        }
        let base = self.data.join(&self.bucket);
        let mut out = Vec::new();
        walk(&base.join(prefix), &base, &mut out);
        out.sort();
        out
    }

    /// The bytes of one object.
    pub fn object(&self, key: &str) -> Vec<u8> {
        std::fs::read(self.data.join(&self.bucket).join(key))
            .unwrap_or_else(|e| panic!("object {key}: {e}"))
    }
}

// ------------------------------------------------------------------------------------------------
// kubectl spark ui
// ------------------------------------------------------------------------------------------------

/// The URL `kubectl spark ui` prints first on stdout, and its port.
pub fn read_ui_url(ui: &mut std::process::Child) -> (String, u16) {
    use std::io::BufRead as _;
    let mut url = String::new();
    std::io::BufReader::new(ui.stdout.take().expect("ui's stdout is piped"))
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_string();
    let port = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("ui printed {url:?}"));
    (url, port)
}

/// One `GET /` on a new connection to a local port: the response as text.
pub fn http_get(port: u16) -> String {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    conn.write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    read_page(&mut conn)
}

/// Reads a response until the server closes, or the page is complete (a tunnel may keep the
/// socket open).
pub fn read_page(conn: &mut TcpStream) -> String {
    use std::io::Read as _;
    let mut page = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = conn.read(&mut buf) {
        page.extend_from_slice(&buf[..n]);
        if page.ends_with(b"</html>\n") {
            break;
        }
    }
    String::from_utf8_lossy(&page).into_owned()
}

/// A child that is killed when dropped (a failing assertion must not leave it running).
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends SIGINT to `child`, as Ctrl-C on a terminal does.
pub fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits for `child` to exit; its exit code (-1 for a signal). Panics after `timeout`.
pub fn wait_exit(child: &mut Child, timeout: Duration) -> i32 {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        assert!(Instant::now() < deadline, "still running after {timeout:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The plugin binary built for this test crate.
pub const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-spark");

/// `kubectl-spark` as `user`, with the namespace as the kubeconfig context's, no colour, no
/// stdin, and none of this machine's own Spark, Hadoop or AWS settings (`SPARK_CONF_DIR`,
/// `SPARK_HOME`, `HADOOP_CONF_DIR`, AWS keys) or log level.
pub fn kspark(ns: &TestNamespace, user: User) -> Command {
    let mut cmd = Command::new(PLUGIN);
    cmd.env("KUBECONFIG", ns.kubeconfig(user))
        .env("NO_COLOR", "1")
        .env_remove("KUBECTL_SPARK_LOG")
        .env_remove("SPARK_CONF_DIR")
        .env_remove("SPARK_HOME")
        .env_remove("HADOOP_CONF_DIR")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .stdin(std::process::Stdio::null());
    cmd
}

/// How a command ended: its exit code (-1 for a signal) and both streams.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A command started with both streams collected in threads (so it never blocks on a full
/// pipe), killed when dropped (a failing assertion must not leave it running).
pub struct Spawned {
    pub child: Child,
    stdout: Option<std::thread::JoinHandle<String>>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Spawned {
    /// Starts `cmd` with its stdout and stderr piped.
    pub fn spawn(mut cmd: Command) -> Spawned {
        use std::io::Read as _;
        use std::process::Stdio;
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run kubectl-spark");
        let collect = |mut r: Box<dyn std::io::Read + Send>| {
            std::thread::spawn(move || {
                let mut s = String::new();
                let _ = r.read_to_string(&mut s);
                s
            })
        };
        let stdout = Some(collect(Box::new(child.stdout.take().unwrap())));
        let stderr = Some(collect(Box::new(child.stderr.take().unwrap())));
        Spawned {
            child,
            stdout,
            stderr,
        }
    }

    /// Waits for the exit (or panics after `timeout`, with what it wrote on stderr).
    pub fn finish(mut self, timeout: Duration) -> Run {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "still running after {timeout:?}; stderr:\n{}",
                    self.stderr.take().unwrap().join().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        Run {
            code: status.code().unwrap_or(-1),
            stdout: self.stdout.take().unwrap().join().unwrap(),
            stderr: self.stderr.take().unwrap().join().unwrap(),
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `cmd` to its end (or panics after `timeout`), collecting both streams.
pub fn run_to_end(cmd: Command, timeout: Duration) -> Run {
    Spawned::spawn(cmd).finish(timeout)
}

// ------------------------------------------------------------------------------------------------
// The real node
// ------------------------------------------------------------------------------------------------

/// The local cluster's real node (`KSPARK_WITH_REAL_NODE=1 tests/cluster/up.sh`, tests/node).
pub struct RealNode {
    pub cluster: &'static Cluster,
    /// The pod template that lands a pod on the real node.
    pub pod_template: PathBuf,
    /// The Spark image imported into the node's containerd, when one was built.
    pub image: Option<String>,
}

/// `None` after printing `SKIPPED: no real node …: {why}`; a failure under `CI=true`.
pub fn skip_real_node<T>(why: &str) -> Option<T> {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("no real node, and CI=true forbids skipping: {why}");
    }
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: no real node (start the cluster with KSPARK_WITH_REAL_NODE=1 tests/cluster/up.sh): {why}"
    );
    None
}

/// The real node, or `None` (after `SKIPPED`, or a failure under `CI=true`) when the cluster
/// has none.
pub fn real_node() -> Option<RealNode> {
    let cluster = Cluster::get()?;
    let get = |k: &str| cluster.env.get(k).filter(|v| !v.is_empty()).cloned();
    let Some(pod_template) = get("KSPARK_REAL_NODE_POD_TEMPLATE") else {
        return skip_real_node(&format!("{} has no real node", cluster.dir.display()));
    };
    Some(RealNode {
        cluster,
        pod_template: pod_template.into(),
        image: get("KSPARK_SPARK_IMAGE"),
    })
}

/// `kubectl-spark ARGS` as `user` in the namespace ([`kspark`]), run to its end (at most
/// `timeout`).
pub fn run_kspark(
    ns: &TestNamespace,
    user: User,
    args: &[impl AsRef<std::ffi::OsStr>],
    timeout: Duration,
) -> Run {
    let mut cmd = kspark(ns, user);
    cmd.args(args);
    run_to_end(cmd, timeout)
}

/// The real node's cluster, Spark image and pod template, or None (after `SKIPPED`, or a
/// failure under `CI=true`).
pub fn real_node_with_image() -> Option<(&'static Cluster, String, PathBuf)> {
    let node = real_node()?;
    let Some(image) = node.image else {
        return skip_real_node("the real node has no Spark image (tests/node/image/build.sh)");
    };
    Some((node.cluster, image, node.pod_template))
}
