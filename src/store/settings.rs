//! Pure resolution of how to reach an object store: from the `spark.hadoop.*` settings Spark
//! users already give (S3A, GCS connector, ABFS), then the standard environment and the AWS
//! profile files. No I/O here: the environment arrives as a [`StoreEnv`] snapshot.

use std::collections::BTreeMap;

use ini::Ini;

use crate::conf::SparkConf;
use crate::store::uri::{StoreKind, StoreUri};

/// What the store settings may read from the submitter's machine, captured once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreEnv {
    /// Environment variables (`AWS_*`, `GOOGLE_*`, `AZURE_*`).
    pub vars: BTreeMap<String, String>,
    /// Text of the AWS shared credentials file (`~/.aws/credentials`), if readable.
    pub aws_credentials_file: Option<String>,
    /// Text of the AWS config file (`~/.aws/config`), if readable.
    pub aws_config_file: Option<String>,
}

impl StoreEnv {
    fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// Where credentials come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum S3Credentials {
    /// Access key, secret key and optional session token, and where they were found.
    Static {
        /// Access key id.
        access_key: String,
        /// Secret access key.
        secret_key: String,
        /// Session token (temporary credentials).
        session_token: Option<String>,
        /// Where they came from, for messages (a key name, a variable, a profile).
        source: String,
    },
    /// Unsigned requests (`fs.s3a.aws.credentials.provider` = Anonymous…).
    Anonymous,
    /// The remaining AWS chain: web identity, container and instance credentials.
    DefaultChain,
}

/// How to reach one S3 bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// Bucket.
    pub bucket: String,
    /// Endpoint URL (`http(s)://host[:port]`), `None` for AWS itself.
    pub endpoint: Option<String>,
    /// Signing region.
    pub region: String,
    /// Path-style (`endpoint/bucket/key`) rather than virtual-hosted requests.
    pub path_style: bool,
    /// Credentials.
    pub credentials: S3Credentials,
}

/// How to reach one GCS bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcsSettings {
    /// Bucket.
    pub bucket: String,
    /// Service account JSON key file, if one is named (else application default credentials).
    pub service_account_path: Option<String>,
}

/// How to reach one Azure container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureSettings {
    /// Storage account.
    pub account: String,
    /// Container.
    pub container: String,
    /// Shared key (`fs.azure.account.key.<host>`).
    pub account_key: Option<String>,
    /// OAuth client credentials: (client id, client secret, tenant id).
    pub client_secret: Option<(String, String, String)>,
}

/// The settings of one store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSettings {
    /// S3 or S3-compatible.
    S3(S3Settings),
    /// Google Cloud Storage.
    Gcs(GcsSettings),
    /// Azure.
    Azure(AzureSettings),
}

impl StoreSettings {
    /// Every secret value these settings hold, to redact from anything printed.
    pub fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self {
            StoreSettings::S3(s) => {
                if let S3Credentials::Static {
                    access_key,
                    secret_key,
                    session_token,
                    ..
                } = &s.credentials
                {
                    out.push(access_key.clone());
                    out.push(secret_key.clone());
                    out.extend(session_token.clone());
                }
            }
            StoreSettings::Gcs(_) => {}
            StoreSettings::Azure(a) => {
                out.extend(a.account_key.clone());
                out.extend(a.client_secret.as_ref().map(|(_, s, _)| s.clone()));
            }
        }
        out.retain(|s| s.len() >= 4);
        out
    }

    /// One line saying where the store is and whose credentials are used (no secret).
    pub fn describe(&self) -> String {
        match self {
            StoreSettings::S3(s) => {
                let at = s.endpoint.as_deref().unwrap_or("AWS");
                let creds = match &s.credentials {
                    S3Credentials::Static { source, .. } => format!("credentials from {source}"),
                    S3Credentials::Anonymous => "anonymous access".into(),
                    S3Credentials::DefaultChain => {
                        "credentials from the AWS default chain (web identity, container, instance)"
                            .into()
                    }
                };
                format!("endpoint {at}, region {}, {creds}", s.region)
            }
            StoreSettings::Gcs(g) => format!("GCS bucket {}", g.bucket),
            StoreSettings::Azure(a) => {
                format!("Azure container {} in account {}", a.container, a.account)
            }
        }
    }
}

/// `spark.hadoop.fs.s3a.bucket.<bucket>.<option>`, else `spark.hadoop.fs.s3a.<option>`
/// (S3A's per-bucket overrides).
fn s3a<'a>(conf: &'a SparkConf, bucket: &str, option: &str) -> Option<&'a str> {
    conf.get_non_empty(&format!("spark.hadoop.fs.s3a.bucket.{bucket}.{option}"))
        .or_else(|| conf.get_non_empty(&format!("spark.hadoop.fs.s3a.{option}")))
        .map(str::trim)
}

/// A region encoded in an AWS endpoint host (`s3.eu-west-1.amazonaws.com`).
fn region_of_aws_endpoint(host: &str) -> Option<String> {
    let parts: Vec<&str> = host.split('.').collect();
    let n = parts.len();
    if n >= 4 && parts[n - 2] == "amazonaws" && parts[0].starts_with("s3") {
        let region = parts[n - 3];
        (region != "s3" && !region.is_empty()).then(|| region.to_string())
    } else {
        None
    }
}

/// The named AWS profile's keys from the shared credentials file, and its region from the
/// config file (`[profile x]`, or `[default]`).
fn aws_profile(env: &StoreEnv) -> (String, BTreeMap<String, String>, Option<String>) {
    let profile = env
        .var("AWS_PROFILE")
        .or_else(|| env.var("AWS_DEFAULT_PROFILE"))
        .unwrap_or("default")
        .to_string();
    let section = |text: &Option<String>, name: &str| -> BTreeMap<String, String> {
        text.as_deref()
            .and_then(|t| Ini::load_from_str(t).ok())
            .and_then(|ini| {
                ini.section(Some(name)).map(|s| {
                    s.iter()
                        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                        .collect()
                })
            })
            .unwrap_or_default()
    };
    let creds = section(&env.aws_credentials_file, &profile);
    let config_section = if profile == "default" {
        "default".to_string()
    } else {
        format!("profile {profile}")
    };
    let config = section(&env.aws_config_file, &config_section);
    let region = config.get("region").cloned();
    // The config file may hold keys too (aws configure writes them to credentials, but both work).
    let mut keys = config;
    keys.extend(creds);
    (profile, keys, region)
}

/// Resolves how to reach the S3 bucket of `uri`.
pub fn s3_settings(uri: &StoreUri, conf: &SparkConf, env: &StoreEnv) -> S3Settings {
    let bucket = uri.bucket.as_str();
    let ssl = s3a(conf, bucket, "connection.ssl.enabled")
        .map(|v| !v.eq_ignore_ascii_case("false"))
        .unwrap_or(true);
    let endpoint = s3a(conf, bucket, "endpoint")
        .map(|e| e.trim_end_matches('/').to_string())
        .or_else(|| {
            env.var("AWS_ENDPOINT_URL_S3")
                .or_else(|| env.var("AWS_ENDPOINT_URL"))
                .map(|e| e.trim_end_matches('/').to_string())
        })
        .map(|e| {
            if e.contains("://") {
                e
            } else if ssl {
                format!("https://{e}")
            } else {
                format!("http://{e}")
            }
        });
    let endpoint_host = endpoint
        .as_deref()
        .map(|e| e.split("://").nth(1).unwrap_or(e))
        .map(|h| h.split(['/', ':']).next().unwrap_or(h).to_string());
    // An AWS endpoint is AWS itself: let the client build the regional URL.
    let aws_region_in_endpoint = endpoint_host.as_deref().and_then(region_of_aws_endpoint);
    let is_aws = endpoint_host
        .as_deref()
        .is_some_and(|h| h.ends_with(".amazonaws.com"));
    let (profile, profile_keys, profile_region) = aws_profile(env);
    let region = s3a(conf, bucket, "endpoint.region")
        .map(str::to_string)
        .or(aws_region_in_endpoint)
        .or_else(|| env.var("AWS_REGION").map(str::to_string))
        .or_else(|| env.var("AWS_DEFAULT_REGION").map(str::to_string))
        .or(profile_region)
        .unwrap_or_else(|| "us-east-1".to_string());
    let path_style = s3a(conf, bucket, "path.style.access").is_some_and(|v| v == "true");

    let provider = s3a(conf, bucket, "aws.credentials.provider").unwrap_or_default();
    let credentials = if provider.contains("Anonymous") {
        S3Credentials::Anonymous
    } else if let (Some(a), Some(s)) = (
        s3a(conf, bucket, "access.key"),
        s3a(conf, bucket, "secret.key"),
    ) {
        S3Credentials::Static {
            access_key: a.to_string(),
            secret_key: s.to_string(),
            session_token: s3a(conf, bucket, "session.token").map(str::to_string),
            source: "spark.hadoop.fs.s3a.access.key/secret.key".into(),
        }
    } else if let (Some(a), Some(s)) = (
        env.var("AWS_ACCESS_KEY_ID"),
        env.var("AWS_SECRET_ACCESS_KEY"),
    ) {
        S3Credentials::Static {
            access_key: a.to_string(),
            secret_key: s.to_string(),
            session_token: env.var("AWS_SESSION_TOKEN").map(str::to_string),
            source: "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY".into(),
        }
    } else if let (Some(a), Some(s)) = (
        profile_keys.get("aws_access_key_id"),
        profile_keys.get("aws_secret_access_key"),
    ) {
        S3Credentials::Static {
            access_key: a.clone(),
            secret_key: s.clone(),
            session_token: profile_keys.get("aws_session_token").cloned(),
            source: format!("AWS profile {profile}"),
        }
    } else {
        S3Credentials::DefaultChain
    };
    S3Settings {
        bucket: bucket.to_string(),
        endpoint: endpoint.filter(|_| !is_aws),
        region,
        path_style,
        credentials,
    }
}

/// Resolves how to reach the GCS bucket of `uri` (the GCS connector's key file settings,
/// else `GOOGLE_APPLICATION_CREDENTIALS` / application default credentials).
pub fn gcs_settings(uri: &StoreUri, conf: &SparkConf, env: &StoreEnv) -> GcsSettings {
    let path = [
        "spark.hadoop.fs.gs.auth.service.account.json.keyfile",
        "spark.hadoop.google.cloud.auth.service.account.json.keyfile",
    ]
    .iter()
    .find_map(|k| conf.get_non_empty(k))
    .map(str::to_string)
    .or_else(|| {
        env.var("GOOGLE_APPLICATION_CREDENTIALS")
            .map(str::to_string)
    });
    GcsSettings {
        bucket: uri.bucket.clone(),
        service_account_path: path,
    }
}

/// Resolves how to reach the Azure container of `uri` (ABFS's account key or OAuth client
/// credentials, else the `AZURE_*` environment).
pub fn azure_settings(uri: &StoreUri, conf: &SparkConf, env: &StoreEnv) -> AzureSettings {
    let host = uri.host.clone().unwrap_or_default();
    let account = uri.account.clone().unwrap_or_default();
    let abfs = |option: &str| {
        conf.get_non_empty(&format!("spark.hadoop.fs.azure.{option}.{host}"))
            .or_else(|| conf.get_non_empty(&format!("spark.hadoop.fs.azure.{option}")))
            .map(str::to_string)
    };
    let account_key = abfs("account.key").or_else(|| {
        env.var("AZURE_STORAGE_ACCOUNT_KEY")
            .or_else(|| env.var("AZURE_STORAGE_KEY"))
            .map(str::to_string)
    });
    let tenant = abfs("account.oauth2.client.endpoint").and_then(|e| {
        // https://login.microsoftonline.com/<tenant>/oauth2/token
        e.split('/')
            .skip_while(|s| !s.contains("login."))
            .nth(1)
            .map(str::to_string)
    });
    let client_secret = match (
        abfs("account.oauth2.client.id"),
        abfs("account.oauth2.client.secret"),
        tenant,
    ) {
        (Some(id), Some(secret), Some(tenant)) => Some((id, secret, tenant)),
        _ => None,
    };
    AzureSettings {
        account,
        container: uri.bucket.clone(),
        account_key,
        client_secret,
    }
}

/// Resolves the settings for the store of `uri`.
pub fn settings(uri: &StoreUri, conf: &SparkConf, env: &StoreEnv) -> StoreSettings {
    match uri.kind {
        StoreKind::S3 => StoreSettings::S3(s3_settings(uri, conf, env)),
        StoreKind::Gcs => StoreSettings::Gcs(gcs_settings(uri, conf, env)),
        StoreKind::Azure => StoreSettings::Azure(azure_settings(uri, conf, env)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::uri::parse;

    fn conf(pairs: &[(&str, &str)]) -> SparkConf {
        SparkConf::from_pairs(pairs)
    }

    fn env(vars: &[(&str, &str)]) -> StoreEnv {
        StoreEnv {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn s3a_confs_win_and_per_bucket_overrides() {
        let c = conf(&[
            ("spark.hadoop.fs.s3a.endpoint", "127.0.0.1:9000"),
            ("spark.hadoop.fs.s3a.connection.ssl.enabled", "false"),
            ("spark.hadoop.fs.s3a.path.style.access", "true"),
            ("spark.hadoop.fs.s3a.access.key", "AK"),
            ("spark.hadoop.fs.s3a.secret.key", "SK"),
            ("spark.hadoop.fs.s3a.bucket.other.secret.key", "OTHER"),
            ("spark.hadoop.fs.s3a.endpoint.region", "eu-west-3"),
        ]);
        let e = env(&[
            ("AWS_ACCESS_KEY_ID", "ENVAK"),
            ("AWS_SECRET_ACCESS_KEY", "ENVSK"),
        ]);
        let s = s3_settings(&parse("s3a://deps/up").unwrap(), &c, &e);
        assert_eq!(s.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert!(s.path_style);
        assert_eq!(s.region, "eu-west-3");
        assert!(
            matches!(&s.credentials, S3Credentials::Static { access_key, secret_key, .. }
            if access_key == "AK" && secret_key == "SK")
        );
        let o = s3_settings(&parse("s3a://other/up").unwrap(), &c, &e);
        assert!(
            matches!(&o.credentials, S3Credentials::Static { secret_key, .. } if secret_key == "OTHER")
        );
        let secrets = StoreSettings::S3(s.clone()).secrets();
        assert_eq!(secrets, Vec::<String>::new(), "too short to redact safely");
        assert!(!StoreSettings::S3(s).describe().contains("SK"));
    }

    #[test]
    fn env_then_profile_then_chain() {
        let uri = parse("s3://b/k").unwrap();
        let e = env(&[
            ("AWS_ACCESS_KEY_ID", "ENVAKID"),
            ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
            ("AWS_REGION", "ap-south-1"),
        ]);
        let s = s3_settings(&uri, &SparkConf::new(), &e);
        assert_eq!(s.region, "ap-south-1");
        assert!(s.endpoint.is_none() && !s.path_style);
        assert!(
            matches!(&s.credentials, S3Credentials::Static { source, .. } if source.contains("AWS_ACCESS_KEY_ID"))
        );

        let mut p = env(&[("AWS_PROFILE", "dev")]);
        p.aws_credentials_file = Some(
            "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\
             [dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = DEVSECRET\n"
                .into(),
        );
        p.aws_config_file = Some("[profile dev]\nregion = eu-central-1\n".into());
        let s = s3_settings(&uri, &SparkConf::new(), &p);
        assert_eq!(s.region, "eu-central-1");
        assert!(
            matches!(&s.credentials, S3Credentials::Static { access_key, source, .. }
            if access_key == "DEVKEY" && source == "AWS profile dev")
        );
        assert_eq!(
            StoreSettings::S3(s).secrets(),
            vec!["DEVKEY".to_string(), "DEVSECRET".to_string()]
        );

        let s = s3_settings(&uri, &SparkConf::new(), &StoreEnv::default());
        assert_eq!(s.credentials, S3Credentials::DefaultChain);
        assert_eq!(s.region, "us-east-1");
    }

    #[test]
    fn aws_endpoints_and_anonymous() {
        let c = conf(&[
            ("spark.hadoop.fs.s3a.endpoint", "s3.eu-west-1.amazonaws.com"),
            (
                "spark.hadoop.fs.s3a.aws.credentials.provider",
                "org.apache.hadoop.fs.s3a.AnonymousAWSCredentialsProvider",
            ),
        ]);
        let s = s3_settings(&parse("s3a://b/k").unwrap(), &c, &StoreEnv::default());
        assert_eq!(s.endpoint, None);
        assert_eq!(s.region, "eu-west-1");
        assert_eq!(s.credentials, S3Credentials::Anonymous);
    }

    #[test]
    fn gcs_and_azure_settings() {
        let c = conf(&[
            (
                "spark.hadoop.fs.gs.auth.service.account.json.keyfile",
                "/k.json",
            ),
            (
                "spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net",
                "azure-shared-key",
            ),
        ]);
        let g = gcs_settings(&parse("gs://b/x").unwrap(), &c, &StoreEnv::default());
        assert_eq!(g.service_account_path.as_deref(), Some("/k.json"));
        let a = azure_settings(
            &parse("abfss://deps@acct.dfs.core.windows.net/x").unwrap(),
            &c,
            &StoreEnv::default(),
        );
        assert_eq!(a.account, "acct");
        assert_eq!(a.account_key.as_deref(), Some("azure-shared-key"));
        assert_eq!(
            StoreSettings::Azure(a).secrets(),
            vec!["azure-shared-key".to_string()]
        );
        let c = conf(&[
            ("spark.hadoop.fs.azure.account.oauth2.client.id", "cid"),
            (
                "spark.hadoop.fs.azure.account.oauth2.client.secret",
                "csecret",
            ),
            (
                "spark.hadoop.fs.azure.account.oauth2.client.endpoint",
                "https://login.microsoftonline.com/tenant-1/oauth2/token",
            ),
        ]);
        let a = azure_settings(
            &parse("abfs://deps@acct.dfs.core.windows.net/x").unwrap(),
            &c,
            &StoreEnv::default(),
        );
        assert_eq!(
            a.client_secret,
            Some(("cid".into(), "csecret".into(), "tenant-1".into()))
        );
    }
}
