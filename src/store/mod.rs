//! Object stores named by Hadoop URIs: where local dependencies are uploaded
//! (`spark.kubernetes.file.upload.path`) and where remote pod templates are read from.
//! [`uri`] parses, [`settings`] decides (pure), this module builds clients and maps errors.

pub mod settings;
pub mod uri;

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};

use crate::conf::SparkConf;
use crate::error::{Error, Result};
use settings::{S3Credentials, StoreEnv, StoreSettings};
use uri::StoreUri;

impl StoreEnv {
    /// Reads the variables and AWS profile files the settings may use.
    pub fn capture() -> StoreEnv {
        let vars = std::env::vars()
            .filter(|(k, _)| {
                k.starts_with("AWS_") || k.starts_with("GOOGLE_") || k.starts_with("AZURE_")
            })
            .collect::<std::collections::BTreeMap<_, _>>();
        let home = std::env::var("HOME").unwrap_or_default();
        let read = |var: &str, default: &str| {
            let path = vars
                .get(var)
                .cloned()
                .unwrap_or_else(|| format!("{home}/.aws/{default}"));
            std::fs::read_to_string(path).ok()
        };
        StoreEnv {
            aws_credentials_file: read("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
            aws_config_file: read("AWS_CONFIG_FILE", "config"),
            vars,
        }
    }
}

/// A client for one bucket, with what is needed to talk about it.
#[derive(Debug, Clone)]
pub struct Store {
    /// The client.
    pub client: Arc<dyn ObjectStore>,
    /// The settings it was built from.
    pub settings: StoreSettings,
    /// `<scheme>://<bucket>`.
    pub bucket_uri: String,
}

fn client_options() -> ClientOptions {
    ClientOptions::new()
        .with_allow_http(true)
        .with_connect_timeout(Duration::from_secs(10))
        .with_timeout(Duration::from_secs(120))
}

fn retry() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig::default(),
        max_retries: 3,
        retry_timeout: Duration::from_secs(30),
    }
}

/// Installs ring as the process-wide rustls provider (reqwest uses it; kube uses ring too),
/// so that the program has exactly one TLS crypto provider. Idempotent.
pub fn ensure_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Builds the client for the bucket of `uri`; no request is made.
pub fn open(uri: &StoreUri, conf: &SparkConf, env: &StoreEnv) -> Result<Store> {
    ensure_crypto_provider();
    let settings = settings::settings(uri, conf, env);
    let built: object_store::Result<Arc<dyn ObjectStore>> = match &settings {
        StoreSettings::S3(s) => {
            let mut b = AmazonS3Builder::new()
                .with_bucket_name(&s.bucket)
                .with_region(&s.region)
                .with_client_options(client_options())
                .with_retry(retry());
            for (var, key) in [
                ("AWS_WEB_IDENTITY_TOKEN_FILE", "aws_web_identity_token_file"),
                ("AWS_ROLE_ARN", "aws_role_arn"),
                ("AWS_ROLE_SESSION_NAME", "aws_role_session_name"),
                (
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                    "aws_container_credentials_relative_uri",
                ),
                (
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    "aws_container_credentials_full_uri",
                ),
                (
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                    "aws_container_authorization_token_file",
                ),
            ] {
                if let (Some(v), Ok(k)) = (env.vars.get(var), key.parse()) {
                    b = b.with_config(k, v);
                }
            }
            if let Some(endpoint) = &s.endpoint {
                b = if s.path_style {
                    b.with_endpoint(endpoint)
                } else {
                    // Virtual-hosted style: the client expects the bucket in the endpoint.
                    let (scheme, host) = endpoint.split_once("://").unwrap_or(("https", endpoint));
                    b.with_endpoint(format!("{scheme}://{}.{host}", s.bucket))
                        .with_virtual_hosted_style_request(true)
                };
            } else {
                b = b.with_virtual_hosted_style_request(!s.path_style);
            }
            b = match &s.credentials {
                S3Credentials::Static {
                    access_key,
                    secret_key,
                    session_token,
                    ..
                } => {
                    let b = b
                        .with_access_key_id(access_key)
                        .with_secret_access_key(secret_key);
                    match session_token {
                        Some(t) => b.with_token(t),
                        None => b,
                    }
                }
                S3Credentials::Anonymous => b.with_skip_signature(true),
                S3Credentials::DefaultChain => b,
            };
            b.build().map(|s| Arc::new(s) as _)
        }
        StoreSettings::Gcs(g) => {
            let mut b = GoogleCloudStorageBuilder::new()
                .with_bucket_name(&g.bucket)
                .with_client_options(client_options())
                .with_retry(retry());
            if let Some(p) = &g.service_account_path {
                b = b.with_application_credentials(p);
            }
            b.build().map(|s| Arc::new(s) as _)
        }
        StoreSettings::Azure(a) => {
            let mut b = MicrosoftAzureBuilder::new()
                .with_account(&a.account)
                .with_container_name(&a.container)
                .with_client_options(client_options())
                .with_retry(retry());
            if let Some(k) = &a.account_key {
                b = b.with_access_key(k);
            }
            if let Some((id, secret, tenant)) = &a.client_secret {
                b = b.with_client_secret_authorization(id, secret, tenant);
            }
            b.build().map(|s| Arc::new(s) as _)
        }
    };
    let secrets = settings.secrets();
    let client = built.map_err(|e| Error::Storage {
        message: redact(
            &format!("cannot set up the client for {}: {e}", uri.bucket_uri()),
            &secrets,
        ),
        hint: Some("check the spark.hadoop.fs.* settings of this store".into()),
    })?;
    Ok(Store {
        client,
        bucket_uri: uri.bucket_uri(),
        settings,
    })
}

/// Replaces every secret value in `text` by `<redacted>`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if !s.is_empty() {
            out = out.replace(s.as_str(), "<redacted>");
        }
    }
    out
}

/// An HTTP status code found in an object_store error's text (`… status code: 403 …`).
fn status_in(text: &str) -> Option<u16> {
    let i = text.find("status code: ")? + "status code: ".len();
    text[i..].get(..3)?.parse().ok()
}

/// The text between `<tag>` and `</tag>` in an S3/Azure/GCS XML error body.
fn xml_field<'a>(text: &'a str, tag: &str) -> Option<&'a str> {
    let start = text.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = start + text[start..].find(&format!("</{tag}>"))?;
    Some(text[start..end].trim())
}

/// The store's own reason, short: `HTTP 403 SignatureDoesNotMatch: <message>` from an XML
/// error body, else the last part of the client's message (after the request URL).
fn reason(raw: &str) -> String {
    let status = status_in(raw).map(|c| format!("HTTP {c} "));
    let text = match (xml_field(raw, "Code"), xml_field(raw, "Message")) {
        (Some(code), Some(msg)) => format!("{}{code}: {msg}", status.unwrap_or_default()),
        (Some(code), None) => format!("{}{code}", status.unwrap_or_default()),
        _ => {
            let tail = raw.rsplit(" - ").next().unwrap_or(raw);
            format!(
                "{}{tail}",
                status
                    .filter(|_| !tail.contains("status"))
                    .unwrap_or_default()
            )
        }
    };
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 240 {
        format!("{}…", text.chars().take(240).collect::<String>())
    } else {
        text
    }
}

/// A store error as a message for people: what failed, why in a few words, how to fix it;
/// secrets of the store redacted.
pub fn error(store: &Store, action: &str, e: &object_store::Error) -> Error {
    let secrets = store.settings.secrets();
    let raw = redact(&e.to_string(), &secrets);
    let code = status_in(&raw);
    let at = store.settings.describe();
    let (why, hint) = if raw.contains("NoSuchBucket")
        || (code == Some(404) && action.starts_with("upload"))
    {
        (
            format!("the bucket {} does not exist", store.bucket_uri),
            "create the bucket, or point spark.kubernetes.file.upload.path at an existing one"
                .to_string(),
        )
    } else if matches!(
        e,
        object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. }
    ) || matches!(code, Some(401 | 403))
        || raw.contains("InvalidAccessKeyId")
        || raw.contains("SignatureDoesNotMatch")
        || raw.contains("AccessDenied")
    {
        (
            format!("access to {} was denied ({at})", store.bucket_uri),
            "check the credentials: spark.hadoop.fs.s3a.access.key/secret.key (or the \
             AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables, or AWS_PROFILE), and that they \
             may write to this bucket"
                .to_string(),
        )
    } else if matches!(e, object_store::Error::NotFound { .. }) {
        (
            format!("not found in {}", store.bucket_uri),
            "check the path".to_string(),
        )
    } else if raw.contains("error sending request") || raw.contains("onnect") {
        (
            format!("cannot reach {} ({at})", store.bucket_uri),
            "check spark.hadoop.fs.s3a.endpoint (and connection.ssl.enabled) or the network"
                .to_string(),
        )
    } else {
        (
            format!("{} said no ({at})", store.bucket_uri),
            "see the store's reason below".to_string(),
        )
    };
    let detail = reason(&raw);
    Error::Storage {
        message: format!("{action}: {why}\n  reason: {detail}"),
        hint: Some(hint),
    }
}

/// Reads a whole object or web resource: `s3a://`, `s3://`, `gs://`, `abfs(s)://` through the
/// store settings, `http(s)://` with a plain GET. `what` names the key for messages.
pub async fn fetch(uri: &str, conf: &SparkConf, env: &StoreEnv, what: &str) -> Result<Vec<u8>> {
    let scheme = uri::scheme_of(uri).unwrap_or_default().to_ascii_lowercase();
    if scheme == "http" || scheme == "https" {
        ensure_crypto_provider();
        let fail = |why: String| Error::Storage {
            message: format!("{what}: cannot download {uri}: {why}"),
            hint: Some(format!("check that {uri} is reachable from this machine")),
        };
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let resp = client
            .get(uri)
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        return resp
            .bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| fail(e.to_string()));
    }
    let parsed = uri::parse(uri).map_err(|e| {
        Error::usage(
            format!("{what}={uri}: {e}"),
            format!(
                "use a local path, http(s)://, or {}",
                uri::SUPPORTED_SCHEMES
            ),
        )
    })?;
    let store = open(&parsed, conf, env)?;
    let path = object_store::path::Path::from(parsed.key.as_str());
    let action = format!("{what}: reading {uri}");
    let got = store
        .client
        .get_opts(&path, Default::default())
        .await
        .map_err(|e| error(&store, &action, &e))?;
    got.bytes()
        .await
        .map(|b| b.to_vec())
        .map_err(|e| error(&store, &action, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_and_status() {
        assert_eq!(
            redact(
                "key AKIA123 and s3cr3t!",
                &["AKIA123".into(), "s3cr3t".into()]
            ),
            "key <redacted> and <redacted>!"
        );
        assert_eq!(
            status_in("Server returned non-2xx status code: 403 Forbidden: <x>"),
            Some(403)
        );
        assert_eq!(status_in("nothing"), None);
        let raw = "The operation lacked the necessary privileges to complete for path k: Error \
                   performing PUT http://h/b/k in 6ms - Server returned non-2xx status code: 403 \
                   Forbidden: <?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>\
                   <Message>The request signature we calculated does not match.</Message></Error>";
        assert_eq!(
            reason(raw),
            "HTTP 403 SignatureDoesNotMatch: The request signature we calculated does not match."
        );
        assert_eq!(
            reason(
                "Generic S3 error: Error performing POST http://h/k in 4ms, after 3 retries - HTTP error: error sending request"
            ),
            "HTTP error: error sending request"
        );
    }
}
