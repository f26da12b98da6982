//! The client a submission talks through: the kube target of `--kubeconfig`/`--context`
//! with what the submission's own settings change on it (the master URL, the
//! `spark.kubernetes.authenticate.submission.*` credentials, trust and timeouts, §1.2).

use std::time::Duration;

use crate::conf::SparkConf;
use crate::error::{Error, Result};
use crate::kube::KubeTarget;

/// Applies `spark.kubernetes.authenticate.submission.*`, `spark.kubernetes.trust.certificates`
/// and the master URL (which always overrides the kubeconfig's server, §1.2) to the client.
pub fn apply_submission_auth(
    target: &mut KubeTarget,
    conf: &SparkConf,
    request_timeout_flag: bool,
) -> Result<()> {
    const P: &str = "spark.kubernetes.authenticate.submission.";
    if let Some(master) = conf.get("spark.master") {
        let url = master.strip_prefix("k8s://").unwrap_or(master);
        if url.trim_end_matches('/') != target.server() {
            target.config.cluster_url = url.parse().map_err(|e| {
                Error::usage(
                    format!("--master {master}: not a valid URL ({e})"),
                    "use --master k8s://https://<host>:<port>",
                )
            })?;
        }
    }
    if let Some(token) = conf.get_non_empty(&format!("{P}oauthToken")) {
        target.config.auth_info.token = Some(token.to_string().into());
        target.config.auth_info.token_file = None;
    }
    if let Some(file) = conf.get_non_empty(&format!("{P}oauthTokenFile")) {
        target.config.auth_info.token = None;
        target.config.auth_info.token_file = Some(file.to_string());
    }
    if let Some(file) = conf.get_non_empty(&format!("{P}caCertFile")) {
        target.config.root_cert = None;
        target.config.root_cert_file = Some(file.into());
    }
    if let Some(file) = conf.get_non_empty(&format!("{P}clientCertFile")) {
        target.config.auth_info.client_certificate = Some(file.to_string());
        target.config.auth_info.client_certificate_data = None;
    }
    if let Some(file) = conf.get_non_empty(&format!("{P}clientKeyFile")) {
        target.config.auth_info.client_key = Some(file.to_string());
        target.config.auth_info.client_key_data = None;
    }
    if conf.get_bool("spark.kubernetes.trust.certificates", false)? {
        target.config.accept_invalid_certs = true;
    }
    for (key, default_ms) in [
        ("spark.kubernetes.submission.requestTimeout", 10_000),
        ("spark.kubernetes.submission.connectionTimeout", 10_000),
    ] {
        let ms = conf.get_i64(key, default_ms)?;
        let d = (ms > 0).then(|| Duration::from_millis(ms as u64));
        if key.ends_with("connectionTimeout") {
            // --request-timeout, when given and shorter, still bounds connecting.
            target.config.connect_timeout = match (d, target.config.connect_timeout) {
                (Some(d), Some(flag)) if request_timeout_flag => Some(d.min(flag)),
                (None, flag) if request_timeout_flag => flag,
                _ => d,
            };
        } else if conf.contains(key) {
            target.config.read_timeout = d;
        }
    }
    Ok(())
}
