//! Kubeconfig, context and namespace resolution with kubectl's precedence, and API errors
//! turned into messages with a hint.
//!
//! Precedence (as kubectl): `--kubeconfig`, else the `KUBECONFIG` list (merged, first file to
//! set a value wins), else `~/.kube/config`, else the in-cluster service account. `--context`,
//! `--cluster` and `--user` override the current context's parts. Namespace: `-n`, else the
//! context's namespace (or the in-cluster namespace file), else `default`.
//!
//! kubectl's connection overrides apply to the context in use, as kubectl applies them:
//! `--server/-s`, `--certificate-authority`, `--insecure-skip-tls-verify` to its cluster;
//! `--token`, `--as`, `--as-group` to its user. `--server` without any kubeconfig makes one.

use std::time::Duration;

use kube::config::{
    AuthInfo, Cluster, Context, KubeConfigOptions, Kubeconfig, KubeconfigError, NamedAuthInfo,
    NamedCluster, NamedContext,
};
use kube::{Client, Config};

use crate::cli::KubeFlags;
use crate::conf::units;
use crate::error::{Error, Result};

/// Where requests go and as whom: the resolved client configuration.
#[derive(Clone)]
pub struct KubeTarget {
    /// Client configuration (server, credentials, timeouts).
    pub config: Config,
    /// The namespace commands act in.
    pub namespace: String,
    /// Whether the namespace came from `-n`.
    pub namespace_from_flag: bool,
    /// The kubeconfig context used (None in-cluster).
    pub context: Option<String>,
    /// Where the CA that verifies the API server comes from, for TLS error messages, e.g.
    /// `certificate-authority /home/me/.kube/ca.crt (cluster prod)`.
    pub ca_source: String,
}

impl KubeTarget {
    /// The API server URL, e.g. `https://127.0.0.1:6443`, without a trailing slash.
    pub fn server(&self) -> String {
        self.config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string()
    }

    /// A client for this target.
    pub fn client(&self) -> Result<Client> {
        let built = if self.config.proxy_url.is_some() {
            // kube's own stack handles proxies.
            Client::try_from(self.config.clone())
        } else {
            client_with_nodelay(&self.config, self.transport_context())
        };
        built.map_err(|e| Error::Config {
            message: format!("cannot build a Kubernetes client: {e}"),
            hint: Some("check the kubeconfig's certificate and key data".into()),
        })
    }
}

impl KubeTarget {
    /// A client to the same server that authenticates only with the given credentials (a
    /// bearer token, or a client certificate and key in PEM): what a Spark driver given
    /// shipped credentials will use.
    pub fn client_as(
        &self,
        token: Option<&str>,
        client_cert_pem: Option<&[u8]>,
        client_key_pem: Option<&[u8]>,
    ) -> Result<Client> {
        use base64::Engine;
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let mut target = self.clone();
        target.config.auth_info = kube::config::AuthInfo {
            token: token.map(|t| t.to_string().into()),
            client_certificate_data: client_cert_pem.map(b64),
            client_key_data: client_key_pem.map(|k| b64(k).into()),
            ..Default::default()
        };
        target.client()
    }

    fn transport_context(&self) -> TransportContext {
        let host = self
            .config
            .tls_server_name
            .clone()
            .or_else(|| self.config.cluster_url.host().map(str::to_string))
            .unwrap_or_default();
        let ca = match &self.config.root_cert_file {
            Some(path) => format!("CA file {}", path.display()),
            None => self.ca_source.clone(),
        };
        TransportContext {
            server: self.server(),
            host,
            ca,
        }
    }
}

/// What a transport failure is described with: the server, the name its certificate must
/// hold, and where the trusted CA came from.
#[derive(Debug, Clone)]
struct TransportContext {
    server: String,
    host: String,
    ca: String,
}

/// The API server could not be reached (no answer, refused, unknown host, timeout, TLS
/// verification failed): the server URL and the real cause, said the same way by every
/// command. Built by the client stack from the HTTP client's error, so it reaches every call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    /// The API server URL.
    pub server: String,
    /// Why, in a few words: `connection refused`, `no such host …`, `timeout …`,
    /// `TLS verification failed: …`.
    pub cause: String,
}

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot reach the API server {}: {}",
            self.server, self.cause
        )
    }
}

impl std::error::Error for Unreachable {}

impl From<Unreachable> for Error {
    fn from(u: Unreachable) -> Error {
        Error::Api {
            message: u.to_string(),
            hint: None,
            code: None,
        }
    }
}

/// The [`Unreachable`] inside a kube error, if the request never got an answer.
pub fn unreachable(err: &kube::Error) -> Option<&Unreachable> {
    match err {
        kube::Error::Service(e) => e.downcast_ref::<Unreachable>(),
        _ => None,
    }
}

/// Names the cause of an HTTP client error (which, below kube's layers, is always a failure
/// to get an answer: HTTP error statuses are answers).
fn transport_cause(err: &(dyn std::error::Error + 'static), ctx: &TransportContext) -> String {
    use std::io::ErrorKind;
    let mut current = Some(err);
    let mut last = err.to_string();
    // HTTP, TLS and I/O errors nest a handful deep; the bound guards against cycles.
    for _ in 0..16 {
        let Some(e) = current else { break };
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return tls_cause(tls, ctx);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            match io.kind() {
                ErrorKind::ConnectionRefused => return "connection refused".into(),
                ErrorKind::TimedOut => return timeout_cause(),
                ErrorKind::ConnectionReset => {
                    return "connection reset by the server (is it an HTTPS API server?)".into();
                }
                _ => {}
            }
            // io::Error's own `source` skips the error it wraps.
            if let Some(inner) = io.get_ref() {
                last = inner.to_string();
                current = Some(inner);
                continue;
            }
        }
        if e.is::<tokio::time::error::Elapsed>() {
            return timeout_cause();
        }
        let text = e.to_string();
        if text.starts_with("dns error") {
            return format!("no such host {} (DNS lookup failed)", ctx.host);
        }
        if !text.is_empty() {
            last = text;
        }
        current = e.source();
    }
    last
}

fn timeout_cause() -> String {
    "timeout: no answer in time (raise --request-timeout, or check the server address and \
     network)"
        .into()
}

fn tls_cause(err: &rustls::Error, ctx: &TransportContext) -> String {
    use rustls::CertificateError;
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => format!(
                "TLS verification failed: the server's certificate is not signed by the CA in \
                 {} (unknown issuer)",
                ctx.ca
            ),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!(
                    "TLS verification failed: the server's certificate is not valid for the name {} \
                     ({err})",
                    ctx.host
                )
            }
            _ => format!("TLS verification failed ({err}; CA: {})", ctx.ca),
        },
        other => format!(
            "TLS handshake failed ({other}); is {} an HTTPS API server?",
            ctx.server
        ),
    }
}

/// kube's default client stack (TLS, timeouts, base URI, auth with refresh, extra headers),
/// with TCP_NODELAY on the connections to the API server, and transport failures turned
/// into [`Unreachable`]. Without TCP_NODELAY, small writes on a port-forward WebSocket wait
/// for the server's delayed ACK (~40 ms per request through `kubectl spark ui`).
fn client_with_nodelay(config: &Config, ctx: TransportContext) -> kube::Result<Client> {
    use hyper_util::client::legacy::connect::HttpConnector;
    use kube::client::ConfigExt;
    use tower::{BoxError, ServiceBuilder};

    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    let https = config.rustls_https_connector_with_connector(http)?;
    let mut connector = hyper_timeout::TimeoutConnector::new(https);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    connector.set_reset_reader_on_write(config.reset_reader_on_write);
    let client = hyper_util::client::legacy::Builder::new(hyper_util::rt::TokioExecutor::new())
        .build(connector);
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .map_err(move |e: hyper_util::client::legacy::Error| -> BoxError {
            Box::new(Unreachable {
                server: ctx.server.clone(),
                cause: transport_cause(&e, &ctx),
            })
        })
        .service(client);
    Ok(Client::new(service, config.default_namespace.clone()))
}

/// Parses kubectl's `--request-timeout`: `0` = none, a bare number = seconds, or Go-style
/// durations such as `1m30s`, `500ms`, `2h`.
pub fn parse_request_timeout(text: &str) -> Result<Option<Duration>> {
    let bad = || {
        Error::usage(
            format!("--request-timeout: `{text}` is not a valid duration"),
            "use a number of seconds or a duration such as 30s, 1m or 1m30s (0 for no limit)",
        )
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(bad());
    }
    let mut total_ms: i64 = 0;
    if t.chars().all(|c| c.is_ascii_digit()) {
        total_ms = t.parse::<i64>().map_err(|_| bad())?.saturating_mul(1000);
    } else {
        let mut rest = t;
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
            let unit_end = rest[digits..]
                .find(|c: char| c.is_ascii_digit())
                .map(|i| digits + i)
                .unwrap_or(rest.len());
            total_ms += units::parse_duration_ms(&rest[..unit_end], 1).map_err(|_| bad())?;
            rest = &rest[unit_end..];
        }
    }
    Ok((total_ms > 0).then(|| Duration::from_millis(total_ms as u64)))
}

fn kubeconfig_error(e: KubeconfigError, flags: &KubeFlags) -> Error {
    let message = match &e {
        KubeconfigError::LoadContext(ctx) => {
            format!("context \"{ctx}\" does not exist in the kubeconfig")
        }
        KubeconfigError::LoadClusterOfContext(c) => {
            format!("cluster \"{c}\" does not exist in the kubeconfig")
        }
        KubeconfigError::CurrentContextNotSet => {
            "the kubeconfig has no current context".to_string()
        }
        other => format!("cannot load the kubeconfig: {other}"),
    };
    let hint = if flags.context.is_some() || matches!(e, KubeconfigError::CurrentContextNotSet) {
        "list contexts with `kubectl config get-contexts` and pass one with --context".to_string()
    } else {
        "check --kubeconfig / $KUBECONFIG, or run `kubectl config view`".to_string()
    };
    Error::Config {
        message,
        hint: Some(hint),
    }
}

/// Reads one kubeconfig file; an error names the file (and, for a `KUBECONFIG` list, which
/// entry), as kubectl does.
fn read_kubeconfig(path: &std::path::Path, origin: &str) -> Result<Kubeconfig> {
    Kubeconfig::read_from(path).map_err(|e| {
        let cause = match e {
            KubeconfigError::ReadConfig(io, _) => io.to_string(),
            // The YAML parser's text is a snippet of `<input>`; its first line says where.
            KubeconfigError::Parse(p) => {
                let text = p.to_string();
                let first = text.lines().next().unwrap_or_default();
                format!(
                    "not a valid kubeconfig: {}",
                    first.trim_start_matches("error: ")
                )
            }
            other => other.to_string(),
        };
        Error::Config {
            message: format!(
                "cannot load the kubeconfig {} ({origin}): {cause}",
                path.display()
            ),
            hint: Some(format!(
                "fix or remove {} (check it with `kubectl config view --kubeconfig {}`)",
                path.display(),
                path.display()
            )),
        }
    })
}

/// The `KUBECONFIG` list, merged (first file to set a value wins); None when unset or empty.
fn kubeconfig_from_env() -> Result<Option<Kubeconfig>> {
    let Some(value) = std::env::var_os("KUBECONFIG") else {
        return Ok(None);
    };
    let paths: Vec<std::path::PathBuf> = std::env::split_paths(&value)
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    let mut merged: Option<Kubeconfig> = None;
    for (i, path) in paths.iter().enumerate() {
        let origin = format!("KUBECONFIG entry {} of {}", i + 1, paths.len());
        let next = read_kubeconfig(path, &origin)?;
        merged = Some(match merged {
            None => next,
            Some(m) => m.merge(next).map_err(|e| Error::Config {
                message: format!(
                    "cannot merge {} ({origin}) into the kubeconfig: {e}",
                    path.display()
                ),
                hint: Some("check --kubeconfig / $KUBECONFIG, or run `kubectl config view`".into()),
            })?,
        });
    }
    Ok(merged)
}

/// Where the CA that verifies the selected cluster comes from, for messages.
fn ca_source(kc: &Kubeconfig, options: &KubeConfigOptions) -> String {
    let context_name = options.context.as_ref().or(kc.current_context.as_ref());
    let cluster_name = options.cluster.clone().or_else(|| {
        kc.contexts
            .iter()
            .find(|c| Some(&c.name) == context_name)
            .and_then(|c| c.context.as_ref())
            .map(|c| c.cluster.clone())
    });
    let Some(name) = cluster_name else {
        return "the kubeconfig".into();
    };
    let cluster = kc
        .clusters
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.cluster.as_ref());
    match cluster {
        Some(c) if c.certificate_authority_data.is_some() => {
            format!("certificate-authority-data of cluster {name}")
        }
        Some(c) if c.certificate_authority.is_some() => format!(
            "certificate-authority {} (cluster {name})",
            c.certificate_authority.as_deref().unwrap_or_default()
        ),
        _ => format!("the system's trusted CAs (cluster {name} names no certificate-authority)"),
    }
}

/// Reads the kubeconfig (or in-cluster settings) and resolves the target. Does not contact
/// the API server.
pub async fn resolve(flags: &KubeFlags) -> Result<KubeTarget> {
    let options = KubeConfigOptions {
        context: flags.context.clone(),
        cluster: flags.cluster.clone(),
        user: flags.user.clone(),
    };
    let kubeconfig = match &flags.kubeconfig {
        Some(path) => Some(read_kubeconfig(path, "--kubeconfig")?),
        None => match kubeconfig_from_env()? {
            Some(k) => Some(k),
            None => match home_kubeconfig() {
                Some(path) => Some(read_kubeconfig(&path, "the default kubeconfig")?),
                None => None,
            },
        },
    };
    let kubeconfig = match kubeconfig {
        Some(mut kc) => {
            apply_overrides(&mut kc, flags)?;
            Some(kc)
        }
        None if flags.server.is_some() => {
            let mut kc = Kubeconfig::default();
            apply_overrides(&mut kc, flags)?;
            Some(kc)
        }
        None => {
            reject_overrides_in_cluster(flags)?;
            None
        }
    };
    let (mut config, context, ca_source) = match kubeconfig {
        Some(kc) => {
            let context = flags.context.clone().or_else(|| kc.current_context.clone());
            let ca = ca_source(&kc, &options);
            let config = Config::from_custom_kubeconfig(kc, &options)
                .await
                .map_err(|e| kubeconfig_error(e, flags))?;
            (config, context, ca)
        }
        None => {
            let config = Config::incluster().map_err(|e| Error::Config {
                message: format!("no kubeconfig found and not running in a cluster ({e})"),
                hint: Some("set KUBECONFIG or pass --kubeconfig, as for kubectl".into()),
            })?;
            (
                config,
                None,
                "the in-cluster service account's CA".to_string(),
            )
        }
    };
    if let Some(t) = &flags.request_timeout {
        // kubectl's --request-timeout bounds the whole request: connecting (TCP and TLS)
        // as well as waiting for the answer.
        let timeout = parse_request_timeout(t)?;
        config.read_timeout = timeout;
        config.write_timeout = timeout;
        if timeout.is_some() {
            config.connect_timeout = timeout;
        }
    }
    let (namespace, namespace_from_flag) = match &flags.namespace {
        Some(ns) if ns.is_empty() => {
            return Err(Error::usage(
                "-n/--namespace is empty",
                "pass a namespace name, e.g. -n spark",
            ));
        }
        Some(ns) => (ns.clone(), true),
        None => (config.default_namespace.clone(), false),
    };
    Ok(KubeTarget {
        config,
        namespace,
        namespace_from_flag,
        context,
        ca_source,
    })
}

/// The name given to the cluster, user and context made for `--server` without a kubeconfig.
const FLAGS_ENTRY: &str = "kubectl-spark-flags";

/// Applies kubectl's connection overrides to the kubeconfig entries the context in use
/// names (after `--context`, `--cluster`, `--user`). Pure. Without a current context (a
/// kubeconfig made for `--server`), one is made.
pub fn apply_overrides(kc: &mut Kubeconfig, flags: &KubeFlags) -> Result<()> {
    if flags.insecure_skip_tls_verify && flags.certificate_authority.is_some() {
        return Err(Error::usage(
            "--certificate-authority and --insecure-skip-tls-verify cannot be used together",
            "keep --certificate-authority to verify the server, or drop it to skip verification",
        ));
    }
    let any_cluster = flags.server.is_some()
        || flags.certificate_authority.is_some()
        || flags.insecure_skip_tls_verify;
    let any_user = flags.token.is_some() || flags.as_user.is_some() || !flags.as_group.is_empty();
    if !any_cluster && !any_user {
        return Ok(());
    }
    if let Some(server) = &flags.server
        && !(server.starts_with("https://") || server.starts_with("http://"))
        && server.contains("://")
    {
        return Err(Error::usage(
            format!("--server {server}: only https:// and http:// addresses are supported"),
            "e.g. --server https://127.0.0.1:6443",
        ));
    }
    let context_name = match flags.context.clone().or_else(|| kc.current_context.clone()) {
        Some(name) => name,
        None => {
            kc.contexts.push(NamedContext {
                name: FLAGS_ENTRY.into(),
                context: Some(Context {
                    cluster: FLAGS_ENTRY.into(),
                    user: Some(FLAGS_ENTRY.into()),
                    ..Context::default()
                }),
                ..NamedContext::default()
            });
            kc.current_context = Some(FLAGS_ENTRY.into());
            FLAGS_ENTRY.to_string()
        }
    };
    // A missing context is reported by kube afterwards, with the usual hint.
    let Some(context) = kc
        .contexts
        .iter()
        .find(|c| c.name == context_name)
        .and_then(|c| c.context.clone())
    else {
        return Ok(());
    };
    if any_cluster {
        let name = flags.cluster.clone().unwrap_or(context.cluster.clone());
        if !kc.clusters.iter().any(|c| c.name == name) {
            kc.clusters.push(NamedCluster {
                name: name.clone(),
                cluster: Some(Cluster::default()),
                ..NamedCluster::default()
            });
        }
        let entry = kc
            .clusters
            .iter_mut()
            .find(|c| c.name == name)
            .expect("added");
        let cluster = entry.cluster.get_or_insert_with(Cluster::default);
        if let Some(server) = &flags.server {
            cluster.server = Some(if server.contains("://") {
                server.clone()
            } else {
                format!("https://{server}")
            });
        }
        if let Some(ca) = &flags.certificate_authority {
            let path = std::path::absolute(ca).unwrap_or_else(|_| ca.clone());
            if !path.is_file() {
                return Err(Error::usage(
                    format!("--certificate-authority {}: no such file", ca.display()),
                    "pass the path of the API server's CA certificate (PEM)",
                ));
            }
            cluster.certificate_authority = Some(path.display().to_string());
            cluster.certificate_authority_data = None;
            cluster.insecure_skip_tls_verify = None;
        }
        if flags.insecure_skip_tls_verify {
            cluster.insecure_skip_tls_verify = Some(true);
            cluster.certificate_authority = None;
            cluster.certificate_authority_data = None;
        }
    }
    if any_user {
        let name = flags
            .user
            .clone()
            .or(context.user.clone())
            .unwrap_or_else(|| FLAGS_ENTRY.to_string());
        if !kc.auth_infos.iter().any(|u| u.name == name) {
            kc.auth_infos.push(NamedAuthInfo {
                name: name.clone(),
                auth_info: Some(AuthInfo::default()),
                ..NamedAuthInfo::default()
            });
        }
        if flags.user.is_none() && context.user.is_none() {
            for c in kc.contexts.iter_mut().filter(|c| c.name == context_name) {
                if let Some(ctx) = c.context.as_mut() {
                    ctx.user = Some(name.clone());
                }
            }
        }
        let entry = kc
            .auth_infos
            .iter_mut()
            .find(|u| u.name == name)
            .expect("added");
        let user = entry.auth_info.get_or_insert_with(AuthInfo::default);
        if let Some(token) = &flags.token {
            // The token replaces the user's other credentials, as with kubectl.
            user.token = Some(token.clone().into());
            user.token_file = None;
            user.username = None;
            user.password = None;
            user.auth_provider = None;
            user.exec = None;
        }
        if let Some(who) = &flags.as_user {
            user.impersonate = Some(who.clone());
        }
        if !flags.as_group.is_empty() {
            user.impersonate_groups = Some(flags.as_group.clone());
        }
    }
    Ok(())
}

/// In-cluster configuration has no kubeconfig to override: only the flags it can honour.
fn reject_overrides_in_cluster(flags: &KubeFlags) -> Result<()> {
    if flags.certificate_authority.is_some()
        || flags.insecure_skip_tls_verify
        || flags.token.is_some()
        || flags.as_user.is_some()
        || !flags.as_group.is_empty()
    {
        return Err(Error::Config {
            message: "no kubeconfig found: --token, --as, --as-group, --certificate-authority and \
                      --insecure-skip-tls-verify need a kubeconfig or --server"
                .into(),
            hint: Some("pass --server https://HOST:PORT, or set KUBECONFIG / --kubeconfig".into()),
        });
    }
    Ok(())
}

fn home_kubeconfig() -> Option<std::path::PathBuf> {
    let home = std::env::var_os("HOME")?;
    let path = std::path::Path::new(&home).join(".kube").join("config");
    path.exists().then_some(path)
}

/// The `setup --submitter` value of the user a 403's message names (`… forbidden: User
/// "alice" cannot …`): `User:alice`, or `ServiceAccount:NS:NAME` for a service account.
pub fn submitter_of(message: &str) -> Option<String> {
    let user = message.split_once("User \"")?.1.split_once('"')?.0;
    if user.is_empty() {
        return None;
    }
    Some(match user.strip_prefix("system:serviceaccount:") {
        Some(sa) => format!("ServiceAccount:{sa}"),
        None => format!("User:{user}"),
    })
}

/// The `setup --submitter` value of the identity `client` acts as, asked of the API server
/// (`SelfSubjectReview`, Kubernetes 1.28+); None when it cannot tell.
pub async fn submitter_of_client(client: &Client) -> Option<String> {
    use k8s_openapi::api::authentication::v1::SelfSubjectReview;
    let api: kube::Api<SelfSubjectReview> = kube::Api::all(client.clone());
    let review = api
        .create(&Default::default(), &SelfSubjectReview::default())
        .await
        .ok()?;
    let user = review.status?.user_info?.username?;
    submitter_of(&format!("User \"{user}\""))
}

/// Turns an API error into a user error saying what was being done and how to fix it.
/// `action` is e.g. `create pods` and `namespace` the namespace it was done in.
pub fn api_error(err: kube::Error, action: &str, namespace: &str) -> Error {
    if let Some(u) = unreachable(&err) {
        return u.clone().into();
    }
    match err {
        kube::Error::Api(status) => {
            let code = status.code;
            let hint = match code {
                403 => Some(format!(
                    "you may not {action} in namespace {namespace}: ask for that permission, or run \
                     `kubectl spark setup -n {namespace} --submitter {}` as an admin \
                     (check with `kubectl auth can-i {action} -n {namespace}`)",
                    submitter_of(&status.message).unwrap_or_else(|| "User:<you>".into())
                )),
                401 => Some(
                    "your credentials were rejected: refresh them (e.g. log in again) and retry"
                        .to_string(),
                ),
                404 if action.contains("namespace") || status.message.contains("namespaces \"") => {
                    Some(format!(
                        "create the namespace first: `kubectl create namespace {namespace}`"
                    ))
                }
                409 => Some(
                    "an object with that name already exists; pick another name or delete it"
                        .to_string(),
                ),
                422 => Some(
                    "the server rejected the object as invalid; fix the field it names".to_string(),
                ),
                _ => None,
            };
            Error::Api {
                message: format!(
                    "cannot {action} in namespace {namespace}: {}",
                    status.message
                ),
                hint,
                code: Some(code),
            }
        }
        other => {
            let text = other.to_string();
            let hint = if text.contains("onnection refused")
                || text.contains("dns error")
                || text.contains("tcp connect")
            {
                Some("the API server is not reachable: check the cluster is up and the kubeconfig's server address".to_string())
            } else if text.contains("certificate") || text.contains("Certificate") {
                Some(
                    "TLS verification failed: check the kubeconfig's certificate-authority data"
                        .to_string(),
                )
            } else {
                None
            };
            Error::Api {
                message: format!("cannot {action} in namespace {namespace}: {text}"),
                hint,
                code: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setup_hint_names_the_forbidden_user() {
        assert_eq!(
            submitter_of(
                r#"pods is forbidden: User "alice" cannot create resource "pods" in API group "" in the namespace "x""#
            )
            .as_deref(),
            Some("User:alice")
        );
        assert_eq!(
            submitter_of(
                r#"pods is forbidden: User "system:serviceaccount:ci:runner" cannot list"#
            )
            .as_deref(),
            Some("ServiceAccount:ci:runner")
        );
        assert_eq!(submitter_of("forbidden"), None);
    }

    fn kubeconfig() -> Kubeconfig {
        Kubeconfig::from_yaml(
            "apiVersion: v1\nkind: Config\ncurrent-context: a\n\
             clusters: [{name: c, cluster: {server: 'https://1.2.3.4:6443', certificate-authority-data: AAAA}}]\n\
             users: [{name: u, user: {exec: {command: login, apiVersion: client.authentication.k8s.io/v1}}}]\n\
             contexts: [{name: a, context: {cluster: c, user: u}}]\n",
        )
        .unwrap()
    }

    #[test]
    fn overrides_apply_to_the_context_in_use() {
        use secrecy::ExposeSecret;
        let mut kc = kubeconfig();
        let flags = KubeFlags {
            server: Some("https://5.6.7.8:443".into()),
            token: Some("t0ken".into()),
            as_user: Some("alice".into()),
            as_group: vec!["devs".into(), "ops".into()],
            insecure_skip_tls_verify: true,
            ..KubeFlags::default()
        };
        apply_overrides(&mut kc, &flags).unwrap();
        let cluster = kc.clusters[0].cluster.as_ref().unwrap();
        assert_eq!(cluster.server.as_deref(), Some("https://5.6.7.8:443"));
        assert_eq!(cluster.insecure_skip_tls_verify, Some(true));
        assert_eq!(cluster.certificate_authority_data, None);
        let user = kc.auth_infos[0].auth_info.as_ref().unwrap();
        assert_eq!(user.token.as_ref().unwrap().expose_secret(), "t0ken");
        assert!(user.exec.is_none(), "the token replaces the exec plugin");
        assert_eq!(user.impersonate.as_deref(), Some("alice"));
        assert_eq!(
            user.impersonate_groups.as_deref(),
            Some(&["devs".to_string(), "ops".to_string()][..])
        );
        let mut untouched = kubeconfig();
        apply_overrides(&mut untouched, &KubeFlags::default()).unwrap();
        assert!(
            untouched.auth_infos[0]
                .auth_info
                .as_ref()
                .unwrap()
                .exec
                .is_some()
        );
    }

    #[test]
    fn server_alone_makes_a_kubeconfig() {
        let mut kc = Kubeconfig::default();
        let flags = KubeFlags {
            server: Some("10.0.0.1:6443".into()),
            token: Some("t".into()),
            ..KubeFlags::default()
        };
        apply_overrides(&mut kc, &flags).unwrap();
        assert_eq!(kc.current_context.as_deref(), Some(FLAGS_ENTRY));
        assert_eq!(
            kc.clusters[0].cluster.as_ref().unwrap().server.as_deref(),
            Some("https://10.0.0.1:6443")
        );
        assert_eq!(kc.auth_infos[0].name, FLAGS_ENTRY);
        let both = KubeFlags {
            insecure_skip_tls_verify: true,
            certificate_authority: Some("ca.crt".into()),
            ..KubeFlags::default()
        };
        assert_eq!(
            apply_overrides(&mut kubeconfig(), &both)
                .unwrap_err()
                .exit_code(),
            2
        );
    }

    #[test]
    fn request_timeouts() {
        assert_eq!(parse_request_timeout("0").unwrap(), None);
        assert_eq!(
            parse_request_timeout("5").unwrap(),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_request_timeout("1m30s").unwrap(),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            parse_request_timeout("250ms").unwrap(),
            Some(Duration::from_millis(250))
        );
        assert!(parse_request_timeout("soon").is_err());
        assert!(parse_request_timeout("").is_err());
    }
}
