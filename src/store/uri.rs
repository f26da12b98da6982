//! Hadoop-style object store URIs (`s3a://bucket/key`, `gs://bucket/key`,
//! `abfss://container@account.dfs.core.windows.net/key`): what store, which bucket, which key.

/// The kind of object store a URI names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// Amazon S3 and S3-compatible servers (`s3a://`, `s3://`).
    S3,
    /// Google Cloud Storage (`gs://`).
    Gcs,
    /// Azure Data Lake Storage Gen2 / Blob (`abfs://`, `abfss://`).
    Azure,
}

/// The schemes kubectl-spark can read and write, for messages.
pub const SUPPORTED_SCHEMES: &str = "s3a://, s3://, gs://, abfs:// or abfss://";

/// A parsed object store URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUri {
    /// The store.
    pub kind: StoreKind,
    /// The URI scheme as written (`s3a`, `s3`, `gs`, `abfss`, …).
    pub scheme: String,
    /// Bucket (S3, GCS) or container (Azure).
    pub bucket: String,
    /// Azure storage account (`<account>` of `<account>.dfs.core.windows.net`).
    pub account: Option<String>,
    /// Host of an Azure URI (`<account>.dfs.core.windows.net`).
    pub host: Option<String>,
    /// Object key: the path without leading slash, empty segments dropped (Hadoop's `Path`
    /// normalises `a//b` to `a/b`, so that is the object the driver reads).
    pub key: String,
}

/// The scheme of a URI (`s3a` of `s3a://b/k`), if it has one.
pub fn scheme_of(uri: &str) -> Option<&str> {
    let (scheme, _) = uri.split_once("://")?;
    let ok = !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then_some(scheme)
}

/// Parses `uri`; the error says what is wrong with it (the caller names the key or flag).
pub fn parse(uri: &str) -> Result<StoreUri, String> {
    let scheme = scheme_of(uri).ok_or_else(|| format!("{uri} is not a URI (no scheme://)"))?;
    let kind = match scheme.to_ascii_lowercase().as_str() {
        "s3a" | "s3" => StoreKind::S3,
        "gs" => StoreKind::Gcs,
        "abfs" | "abfss" => StoreKind::Azure,
        other => {
            return Err(format!(
                "kubectl-spark cannot write to {other}:// (it writes to {SUPPORTED_SCHEMES})"
            ));
        }
    };
    let rest = &uri[scheme.len() + 3..];
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if authority.is_empty() {
        return Err(format!(
            "{uri} names no bucket ({scheme}://<bucket>/<path>)"
        ));
    }
    let key = path
        .split('/')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    let (bucket, account, host) = match kind {
        StoreKind::Azure => {
            let (container, host) = authority.split_once('@').ok_or_else(|| {
                format!(
                    "{uri}: expected {scheme}://<container>@<account>.dfs.core.windows.net/<path>"
                )
            })?;
            let account = host.split('.').next().unwrap_or_default().to_string();
            if container.is_empty() || account.is_empty() {
                return Err(format!(
                    "{uri}: expected {scheme}://<container>@<account>.dfs.core.windows.net/<path>"
                ));
            }
            (container.to_string(), Some(account), Some(host.to_string()))
        }
        _ => (authority.to_string(), None, None),
    };
    Ok(StoreUri {
        kind,
        scheme: scheme.to_string(),
        bucket,
        account,
        host,
        key,
    })
}

impl StoreUri {
    /// `<scheme>://<bucket>` (with the Azure host), for messages.
    pub fn bucket_uri(&self) -> String {
        match &self.host {
            Some(host) => format!("{}://{}@{host}", self.scheme, self.bucket),
            None => format!("{}://{}", self.scheme, self.bucket),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3a_and_s3() {
        let u = parse("s3a://bucket/up//spark-upload-1/a.jar").unwrap();
        assert_eq!(u.kind, StoreKind::S3);
        assert_eq!(u.bucket, "bucket");
        assert_eq!(u.key, "up/spark-upload-1/a.jar");
        assert_eq!(u.bucket_uri(), "s3a://bucket");
        assert_eq!(parse("s3://b").unwrap().key, "");
        assert_eq!(parse("s3://b/k#frag").unwrap().key, "k");
    }

    #[test]
    fn gcs_and_azure() {
        assert_eq!(parse("gs://b/x/y").unwrap().kind, StoreKind::Gcs);
        let a = parse("abfss://deps@acct.dfs.core.windows.net/up/a.jar").unwrap();
        assert_eq!(a.kind, StoreKind::Azure);
        assert_eq!(a.bucket, "deps");
        assert_eq!(a.account.as_deref(), Some("acct"));
        assert_eq!(a.key, "up/a.jar");
        assert!(parse("abfs://acct.dfs.core.windows.net/x").is_err());
    }

    #[test]
    fn unsupported_and_malformed() {
        let e = parse("hdfs://nn:8020/up").unwrap_err();
        assert!(e.contains("hdfs://") && e.contains("s3a://"), "{e}");
        assert!(parse("/tmp/x").unwrap_err().contains("no scheme"));
        assert!(parse("s3a:///key").unwrap_err().contains("no bucket"));
        assert_eq!(scheme_of("file:/x"), None);
        assert_eq!(scheme_of("https://h/x"), Some("https"));
    }
}
