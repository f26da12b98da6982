//! Namespace defaults: the cluster-side `spark-defaults.conf` that `kubectl spark setup -n NS
//! --event-log-dir … --conf …` writes and that `submit`, `submit -f`, `connect` and `history`
//! apply with the lowest precedence (below `--properties-file`/`spark-defaults.conf` and the
//! command line).
//!
//! The format is one ConfigMap, [`NAME`], that every submitter may read: `spark-defaults.conf`
//! holds the plain settings as a Java properties text, `secret-keys` lists the keys whose values
//! are secrets. Those values live in the Secret of the same name, never in the ConfigMap, and
//! reach drivers, executors and the History Server as environment variables taken from that
//! Secret ([`SecretEnv`]): S3A's own variables for its credentials, `${env.VAR}` (which Hadoop
//! expands) for any other `spark.hadoop.*` secret. Everything here is pure; [`cluster`] reads
//! and writes the objects.

pub mod cluster;
pub mod event_logs;

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::conf::{SparkConf, is_secret_key, properties};
use crate::error::{Error, Result};

/// Name of the ConfigMap (and of the Secret) holding a namespace's Spark defaults.
pub const NAME: &str = "kubectl-spark-defaults";
/// The ConfigMap key holding the plain settings (Java properties).
pub const CONF_KEY: &str = "spark-defaults.conf";
/// The ConfigMap key listing the keys whose values are in the Secret, one per line.
pub const SECRET_KEYS_KEY: &str = "secret-keys";
/// The label every object setup creates carries (also on the defaults).
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "kubectl-spark");
/// Spark's key for the directory event logs are written to.
pub const EVENT_LOG_DIR: &str = "spark.eventLog.dir";
/// Spark's switch for event logs.
pub const EVENT_LOG_ENABLED: &str = "spark.eventLog.enabled";
/// The driver's service account key.
pub const SERVICE_ACCOUNT_KEY: &str = "spark.kubernetes.authenticate.driver.serviceAccountName";
/// The container image key.
pub const IMAGE_KEY: &str = "spark.kubernetes.container.image";

/// Annotation on a driver pod naming the namespace defaults its submission applied (keys only,
/// comma-separated), which `describe` shows. Absent when none applied, so a submission without
/// namespace defaults is exactly spark-submit's.
pub const ANNOTATION_APPLIED: &str = "kubectl-spark.io/namespace-defaults";

/// Records on the driver pod which defaults applied (nothing when none did).
pub fn mark_applied(pod: &mut k8s_openapi::api::core::v1::Pod, applied: &[String]) {
    if applied.is_empty() {
        return;
    }
    pod.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(ANNOTATION_APPLIED.into(), applied.join(","));
}

/// The defaults a driver pod's submission applied, as [`mark_applied`] recorded them.
pub fn applied_of(pod: &k8s_openapi::api::core::v1::Pod) -> Vec<String> {
    pod.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(ANNOTATION_APPLIED))
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Keys that describe one submission, not a namespace: refused as defaults.
const PER_SUBMISSION: &[&str] = &[
    "spark.master",
    "spark.submit.deployMode",
    "spark.kubernetes.namespace",
    "spark.app.name",
    "spark.app.id",
    "spark.kubernetes.driver.pod.name",
    "spark.kubernetes.context",
];

/// S3A's credentials with the environment variables its default provider chain reads.
const S3A_ENV: &[(&str, &str)] = &[
    ("spark.hadoop.fs.s3a.access.key", "AWS_ACCESS_KEY_ID"),
    ("spark.hadoop.fs.s3a.secret.key", "AWS_SECRET_ACCESS_KEY"),
    ("spark.hadoop.fs.s3a.session.token", "AWS_SESSION_TOKEN"),
];

/// A namespace's Spark defaults as stored: plain settings and the keys of secret ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamespaceDefaults {
    /// The plain settings (never a secret value).
    pub conf: SparkConf,
    /// Keys whose values are in the Secret [`NAME`], in key order.
    pub secret_keys: Vec<String>,
}

/// How one secret default reaches a JVM: an environment variable from the Secret, and, when
/// Hadoop does not read that variable by itself, the key set to `${env.VAR}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretEnv {
    /// The environment variable.
    pub env: String,
    /// The key in the Secret [`NAME`] (the Spark key).
    pub secret_key: String,
    /// `(spark key, ${env.VAR})` when the key must point at the variable.
    pub conf: Option<(String, String)>,
}

/// What `setup` was asked to store.
#[derive(Debug, Clone, Default)]
pub struct SetupRequest<'a> {
    /// `--event-log-dir`.
    pub event_log_dir: Option<&'a str>,
    /// `--image`.
    pub image: Option<&'a str>,
    /// `--conf KEY=VALUE`, in order (later wins).
    pub confs: &'a [String],
    /// The driver's service account setup creates.
    pub service_account: &'a str,
}

impl SetupRequest<'_> {
    /// Whether anything asks for namespace defaults (else setup leaves them alone).
    pub fn wants_defaults(&self) -> bool {
        self.event_log_dir.is_some() || self.image.is_some() || !self.confs.is_empty()
    }
}

/// Splits setup's request into the stored defaults and the secret values (key → value).
/// Bad keys are errors naming the flag: not `spark.*`, per-submission keys, secrets outside
/// `spark.hadoop.*` (those have Kubernetes-native homes), keys a Secret cannot hold.
pub fn from_setup(req: &SetupRequest) -> Result<(NamespaceDefaults, BTreeMap<String, String>)> {
    let mut all = SparkConf::new();
    all.set(SERVICE_ACCOUNT_KEY, req.service_account);
    if let Some(image) = req.image {
        if image.trim().is_empty() {
            return Err(Error::usage(
                "--image is empty",
                "e.g. --image apache/spark:4.0.1",
            ));
        }
        all.set(IMAGE_KEY, image.trim());
    }
    if let Some(dir) = req.event_log_dir {
        let dir = dir.trim();
        if dir.is_empty() {
            return Err(Error::usage(
                "--event-log-dir is empty",
                "e.g. --event-log-dir s3a://bucket/spark-events (any Hadoop URI: s3a://, gs://, abfs://, hdfs://, or a path on a volume mounted in drivers and the History Server)",
            ));
        }
        all.set(EVENT_LOG_ENABLED, "true");
        all.set(EVENT_LOG_DIR, dir);
    }
    for raw in req.confs {
        let Some((key, value)) = raw.split_once('=') else {
            return Err(Error::usage(
                format!("--conf `{raw}` is not KEY=VALUE"),
                "e.g. --conf spark.hadoop.fs.s3a.endpoint=http://minio:9000",
            ));
        };
        let key = key.trim();
        check_key(key)?;
        all.set(key, properties::trim_except_crlf(value));
    }
    let mut defaults = NamespaceDefaults::default();
    let mut secrets = BTreeMap::new();
    for (key, value) in all.iter() {
        if is_secret_key(key) {
            defaults.secret_keys.push(key.to_string());
            secrets.insert(key.to_string(), value.to_string());
        } else {
            defaults.conf.set(key, value);
        }
    }
    Ok((defaults, secrets))
}

fn check_key(key: &str) -> Result<()> {
    if !key.starts_with("spark.") {
        return Err(Error::usage(
            format!(
                "--conf {key}: not a Spark property (Spark ignores keys not starting with `spark.`)"
            ),
            "give Hadoop settings as spark.hadoop.<key>",
        ));
    }
    if PER_SUBMISSION.contains(&key) {
        return Err(Error::usage(
            format!("--conf {key}: describes one submission, not a namespace's defaults"),
            format!("give {key} to `kubectl spark submit` instead"),
        ));
    }
    if is_secret_key(key) {
        if !key.starts_with("spark.hadoop.") {
            return Err(Error::usage(
                format!(
                    "--conf {key}: a secret that only spark.hadoop.* keys may keep in the namespace defaults"
                ),
                format!(
                    "keep it in a Kubernetes Secret of your own and set the defaults that use it, e.g. \
                     --conf spark.kubernetes.driver.secretKeyRef.<ENV>=<secret>:<key>, or the file variant of {key}"
                ),
            ));
        }
        if !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(Error::usage(
                format!(
                    "--conf {key}: a Secret key may only hold letters, digits, `-`, `_` and `.`"
                ),
                "check the key's spelling",
            ));
        }
    }
    Ok(())
}

impl NamespaceDefaults {
    /// Whether there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.conf.is_empty() && self.secret_keys.is_empty()
    }

    /// How each secret default reaches a JVM (see [`SecretEnv`]).
    pub fn secret_env(&self) -> Vec<SecretEnv> {
        self.secret_keys
            .iter()
            .map(|key| match S3A_ENV.iter().find(|(k, _)| k == key) {
                Some((_, env)) => SecretEnv {
                    env: env.to_string(),
                    secret_key: key.clone(),
                    conf: None,
                },
                None => {
                    let env = env_name(key);
                    SecretEnv {
                        conf: Some((key.clone(), format!("${{env.{env}}}"))),
                        env,
                        secret_key: key.clone(),
                    }
                }
            })
            .collect()
    }

    /// The settings a submission gets from these defaults: the plain ones, and for each
    /// secret one the Spark settings that put it into the driver's and the executors'
    /// environment from the Secret (never its value). Merged below everything the user gave.
    pub fn layer(&self) -> SparkConf {
        let mut layer = self.conf.clone();
        for s in self.secret_env() {
            let reference = format!("{NAME}:{}", s.secret_key);
            for role in ["driver", "executor"] {
                layer.set(
                    format!("spark.kubernetes.{role}.secretKeyRef.{}", s.env),
                    reference.clone(),
                );
            }
            if let Some((key, value)) = s.conf {
                layer.set(key, value);
            }
        }
        layer
    }

    /// The keys of [`Self::layer`] that `conf` does not set itself: what the defaults add to a
    /// submission whose own settings are `conf`.
    pub fn applied_to(&self, conf: &SparkConf) -> Vec<String> {
        self.layer()
            .iter()
            .filter(|(k, _)| !conf.contains(k))
            .map(|(k, _)| k.to_string())
            .collect()
    }

    /// The ConfigMap holding these defaults.
    pub fn config_map(&self, namespace: &str) -> ConfigMap {
        let mut text = String::from(
            "# Spark defaults of this namespace, written by `kubectl spark setup`; applied by\n\
             # kubectl spark submit/connect/history below every setting given on the command line.\n",
        );
        for (key, value) in self.conf.iter() {
            text.push_str(&properties::escape_key(key));
            text.push('=');
            text.push_str(&properties::escape_value(value));
            text.push('\n');
        }
        let mut data = BTreeMap::from([(CONF_KEY.to_string(), text)]);
        if !self.secret_keys.is_empty() {
            data.insert(
                SECRET_KEYS_KEY.to_string(),
                self.secret_keys.iter().map(|k| format!("{k}\n")).collect(),
            );
        }
        ConfigMap {
            metadata: meta(namespace),
            data: Some(data),
            ..Default::default()
        }
    }

    /// Reads the defaults back from their ConfigMap.
    pub fn from_config_map(cm: &ConfigMap) -> Result<Self> {
        let data = cm.data.clone().unwrap_or_default();
        let text = data.get(CONF_KEY).map(String::as_str).unwrap_or("");
        let entries = properties::parse(text).map_err(|e| {
            Error::usage(
                format!("ConfigMap {NAME} ({CONF_KEY}): {e}"),
                "rewrite it with `kubectl spark setup --conf …`",
            )
        })?;
        let conf = entries
            .into_iter()
            .map(|(k, v)| (k, properties::trim_except_crlf(&v).to_string()))
            .collect();
        let secret_keys = data
            .get(SECRET_KEYS_KEY)
            .map(|s| {
                s.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self { conf, secret_keys })
    }

    /// One line for people: `spark.eventLog.dir=…, …; secrets from Secret NAME: k1, k2`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self.conf.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if !self.secret_keys.is_empty() {
            parts.push(format!(
                "{} (from Secret {NAME})",
                self.secret_keys.join(", ")
            ));
        }
        parts.join(", ")
    }
}

/// The Secret holding the secret defaults' values (None when there are none).
pub fn secret(namespace: &str, values: &BTreeMap<String, String>) -> Option<Secret> {
    (!values.is_empty()).then(|| Secret {
        metadata: meta(namespace),
        type_: Some("Opaque".into()),
        data: Some(
            values
                .iter()
                .map(|(k, v)| (k.clone(), ByteString(v.as_bytes().to_vec())))
                .collect(),
        ),
        ..Default::default()
    })
}

fn meta(namespace: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(NAME.to_string()),
        namespace: Some(namespace.to_string()),
        labels: Some(BTreeMap::from([(
            MANAGED_BY.0.to_string(),
            MANAGED_BY.1.to_string(),
        )])),
        ..Default::default()
    }
}

/// `spark.hadoop.fs.azure.account.key.acc` → `KSPARK_DEFAULT_FS_AZURE_ACCOUNT_KEY_ACC`.
fn env_name(key: &str) -> String {
    let rest = key.strip_prefix("spark.hadoop.").unwrap_or(key);
    let mut out = String::from("KSPARK_DEFAULT_");
    out.extend(rest.chars().map(|c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        }
    }));
    out
}

/// Merges `layer` under `conf`: a key `conf` already sets keeps its value.
pub fn merge_under(conf: &mut SparkConf, layer: &SparkConf) {
    for (k, v) in layer.iter() {
        conf.set_if_missing(k, v);
    }
}

#[cfg(test)]
mod tests;
