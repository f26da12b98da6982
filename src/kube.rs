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
            client_with_nodelay(&self.config)
        };
        built.map_err(|e| Error::Config {
            message: format!("cannot build a Kubernetes client: {e}"),
            hint: Some("check the kubeconfig's certificate and key data".into()),
        })
    }
}

/// kube's default client stack (TLS, timeouts, base URI, auth with refresh, extra headers),
/// with TCP_NODELAY on the connections to the API server. Without it, small writes on a
/// port-forward WebSocket wait for the server's delayed ACK (~40 ms per request through
/// `kubectl spark ui`).
fn client_with_nodelay(config: &Config) -> kube::Result<Client> {
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
        .map_err(BoxError::from)
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

/// Reads the kubeconfig (or in-cluster settings) and resolves the target. Does not contact
/// the API server.
pub async fn resolve(flags: &KubeFlags) -> Result<KubeTarget> {
    let options = KubeConfigOptions {
        context: flags.context.clone(),
        cluster: flags.cluster.clone(),
        user: flags.user.clone(),
    };
    let kubeconfig = match &flags.kubeconfig {
        Some(path) => Some(Kubeconfig::read_from(path).map_err(|e| Error::Config {
            message: format!("cannot read --kubeconfig {}: {e}", path.display()),
            hint: Some("pass the path of a readable kubeconfig file".into()),
        })?),
        None => match Kubeconfig::from_env().map_err(|e| kubeconfig_error(e, flags))? {
            Some(k) => Some(k),
            None => match home_kubeconfig() {
                Some(path) => {
                    Some(Kubeconfig::read_from(&path).map_err(|e| kubeconfig_error(e, flags))?)
                }
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
    let (mut config, context) = match kubeconfig {
        Some(kc) => {
            let context = flags.context.clone().or_else(|| kc.current_context.clone());
            let config = Config::from_custom_kubeconfig(kc, &options)
                .await
                .map_err(|e| kubeconfig_error(e, flags))?;
            (config, context)
        }
        None => {
            let config = Config::incluster().map_err(|e| Error::Config {
                message: format!("no kubeconfig found and not running in a cluster ({e})"),
                hint: Some("set KUBECONFIG or pass --kubeconfig, as for kubectl".into()),
            })?;
            (config, None)
        }
    };
    if let Some(t) = &flags.request_timeout {
        let timeout = parse_request_timeout(t)?;
        config.read_timeout = timeout;
        config.write_timeout = timeout;
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

/// Turns an API error into a user error saying what was being done and how to fix it.
/// `action` is e.g. `create pods` and `namespace` the namespace it was done in.
pub fn api_error(err: kube::Error, action: &str, namespace: &str) -> Error {
    match err {
        kube::Error::Api(status) => {
            let code = status.code;
            let hint = match code {
                403 => Some(format!(
                    "you may not {action} in namespace {namespace}: ask for that permission, or run \
                     `kubectl spark setup -n {namespace} --submitter User:<you>` as an admin \
                     (check with `kubectl auth can-i {action} -n {namespace}`)"
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
