//! Spark configuration as the submitter sees it: an ordered key/value map ([`SparkConf`]),
//! the target Spark version ([`SparkVersion`]), unit parsing, Java `.properties` files,
//! the table of known keys, and the mapping of spark-submit's flags onto keys.

pub mod keys;
pub mod properties;
pub mod submit_args;
pub mod units;
pub mod validate;
pub mod versions;

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{Error, Result};

/// A Spark configuration: keys to values, iterated in key order (as `spark.properties` is
/// written on recent JDKs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SparkConf {
    entries: BTreeMap<String, String>,
}

impl SparkConf {
    /// A conf from `(key, value)` pairs (later pairs win).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// An empty configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(String::as_str)
    }

    /// The value of `key` if set and not empty.
    pub fn get_non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// Whether `key` is set.
    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Sets `key` to `value`, replacing any earlier value.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.entries.insert(key.into(), value.into());
    }

    /// Sets `key` only when it is not set yet.
    pub fn set_if_missing(&mut self, key: &str, value: impl Into<String>) {
        if !self.contains(key) {
            self.set(key, value);
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.entries.remove(key)
    }

    /// All entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries whose key starts with `prefix`, as (key without the prefix, value), in key order.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.entries
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(move |(k, v)| (&k[prefix.len()..], v.as_str()))
    }

    /// A boolean key (`true`/`false`, case-insensitive, as Spark's `toBoolean`), or `default`.
    pub fn get_bool(&self, key: &str, default: bool) -> Result<bool> {
        match self.get(key).map(str::trim) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(Error::usage(
                format!("{key} should be boolean, but was `{v}`"),
                format!("use --conf {key}=true or --conf {key}=false"),
            )),
        }
    }

    /// An integer key, or `default`.
    pub fn get_i64(&self, key: &str, default: i64) -> Result<i64> {
        match self.get(key).map(str::trim) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| {
                Error::usage(
                    format!("{key} should be an integer, but was `{v}`"),
                    format!("use --conf {key}=<whole number>"),
                )
            }),
        }
    }

    /// A floating point key, or `default`.
    pub fn get_f64(&self, key: &str, default: f64) -> Result<f64> {
        match self.get(key).map(str::trim) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| {
                Error::usage(
                    format!("{key} should be a number, but was `{v}`"),
                    format!("use --conf {key}=<number>, e.g. 0.1"),
                )
            }),
        }
    }

    /// A size key read in MiB when it has no unit (Spark's `spark.driver.memory` rule).
    pub fn get_mib(&self, key: &str, default_mib: i64) -> Result<i64> {
        match self.get(key) {
            None => Ok(default_mib),
            Some(v) => units::parse_bytes_as(v, units::ByteUnit::MiB).map_err(|e| e.for_key(key)),
        }
    }

    /// A comma-separated list key: trimmed, empty entries dropped (Spark's `stringToSeq`).
    pub fn get_list(&self, key: &str) -> Vec<String> {
        self.get(key).map(split_list).unwrap_or_default()
    }
}

impl FromIterator<(String, String)> for SparkConf {
    fn from_iter<T: IntoIterator<Item = (String, String)>>(iter: T) -> Self {
        Self {
            entries: iter.into_iter().collect(),
        }
    }
}

/// Splits a comma-separated Spark list: trims each entry and drops empty ones.
pub fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The Spark release the submission targets; decides every version-dependent behaviour.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SparkVersion {
    /// Major version, e.g. 4.
    pub major: u32,
    /// Minor version, e.g. 0.
    pub minor: u32,
    /// Patch version, e.g. 1.
    pub patch: u32,
}

impl SparkVersion {
    /// The default target when neither `--spark-version` nor the image tag says.
    pub const DEFAULT: SparkVersion = SparkVersion {
        major: 4,
        minor: 0,
        patch: 1,
    };
    /// Oldest supported release line.
    pub const OLDEST: (u32, u32) = (3, 5);
    /// Newest supported release line.
    pub const NEWEST: (u32, u32) = (4, 3);

    /// Parses `3.5.9`, `4.0`, `v4.1.0` (a missing patch is 0). Only 3.5 to 4.3 are accepted.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || {
            Error::usage(
                format!("`{text}` is not a supported Spark version"),
                "pass --spark-version with a release from 3.5.0 to 4.3.x, e.g. --spark-version 4.0.1",
            )
        };
        let t = text.trim().trim_start_matches('v');
        let mut parts = t.split('.');
        let major = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let minor = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let patch = match parts.next() {
            None => 0,
            Some(p) => p.parse().map_err(|_| bad())?,
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        let v = SparkVersion {
            major,
            minor,
            patch,
        };
        if (major, minor) < Self::OLDEST || (major, minor) > Self::NEWEST {
            return Err(bad());
        }
        Ok(v)
    }

    /// The Spark version an image tag names, e.g. `apache/spark:4.0.1-scala2.13-java17-python3-ubuntu`
    /// → 4.0.1. `None` when the tag does not start with a supported version.
    pub fn from_image(image: &str) -> Option<Self> {
        let last = image.rsplit('/').next()?;
        let tag = last.split_once(':')?.1;
        let tag = tag.split('@').next()?;
        let head: String = tag
            .trim_start_matches('v')
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let head = head.trim_end_matches('.');
        if head.split('.').count() != 3 {
            return None;
        }
        Self::parse(head).ok()
    }

    /// Whether this version is `major.minor` or newer.
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }
}

impl fmt::Display for SparkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Whether a Spark property holds a secret (Spark's `spark.redaction.regex` and then some).
/// A key whose value only says where a secret is — a file path (`…File`, `…keyfile`,
/// `…path`), a Kubernetes Secret (`secrets.<name>`, `secretKeyRef.<VAR>`, `tokenSecret.name`),
/// a credentials provider class — is not: its value is not a secret.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if names_where_a_secret_is(&k) {
        return false;
    }
    [
        "secret",
        "password",
        "token",
        "credential",
        "access.key",
        "accesskey",
        "secret.key",
        "secretkey",
        "account.key",
        "private.key",
    ]
    .iter()
    .any(|word| k.contains(word))
}

/// Whether a (lower-case) key's value is a reference to a secret rather than the secret.
fn names_where_a_secret_is(k: &str) -> bool {
    const SUFFIXES: [&str; 8] = [
        "file", "path", "dir", "provider", "location", ".name", ".itemkey", "keytab",
    ];
    const PARTS: [&str; 3] = ["secretkeyref.", ".secrets.", ".provider."];
    SUFFIXES.iter().any(|s| k.ends_with(s)) || PARTS.iter().any(|p| k.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_iteration_stops_at_the_prefix_end() {
        let mut c = SparkConf::new();
        c.set("spark.kubernetes.driver.label.a", "1");
        c.set("spark.kubernetes.driver.label.b", "2");
        c.set("spark.kubernetes.driver.labelz", "3");
        c.set("spark.kubernetes.driver.limit.cores", "4");
        let got: Vec<_> = c.with_prefix("spark.kubernetes.driver.label.").collect();
        assert_eq!(got, vec![("a", "1"), ("b", "2")]);
    }

    #[test]
    fn versions_parse_and_compare() {
        assert_eq!(SparkVersion::parse("4.0.1").unwrap().to_string(), "4.0.1");
        assert!(SparkVersion::parse("3.4.1").is_err());
        assert!(SparkVersion::parse("4.4.0").is_err());
        assert!(SparkVersion::parse("4.x").is_err());
        assert!(SparkVersion::parse("4.2").unwrap().at_least(4, 2));
        assert_eq!(
            SparkVersion::from_image("apache/spark:3.5.9-scala2.12-java17-ubuntu"),
            Some(SparkVersion {
                major: 3,
                minor: 5,
                patch: 9
            })
        );
        assert_eq!(SparkVersion::from_image("apache/spark:latest"), None);
        assert_eq!(SparkVersion::from_image("localhost:5000/spark"), None);
    }

    #[test]
    fn secrets_are_values_not_references_to_them() {
        for key in [
            "spark.hadoop.fs.s3a.secret.key",
            "spark.hadoop.fs.s3a.access.key",
            "spark.hadoop.fs.s3a.bucket.b.session.token",
            "spark.kubernetes.authenticate.driver.oauthToken",
            "spark.ssl.keyStorePassword",
            "spark.hadoop.fs.azure.account.oauth2.client.secret",
            "spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net",
            "spark.hadoop.fs.gs.auth.service.account.private.key",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "spark.kubernetes.authenticate.driver.mounted.oauthTokenFile",
            "spark.kubernetes.authenticate.submission.oauthTokenFile",
            "spark.hadoop.fs.gs.auth.service.account.json.keyfile",
            "spark.hadoop.fs.s3a.aws.credentials.provider",
            "spark.hadoop.hadoop.security.credential.provider.path",
            "spark.kubernetes.driver.secretKeyRef.AWS_SECRET_ACCESS_KEY",
            "spark.kubernetes.executor.secrets.s3-creds",
            "spark.kubernetes.kerberos.tokenSecret.name",
            "spark.kubernetes.kerberos.tokenSecret.itemKey",
            "spark.app.name",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn bools_are_strict() {
        let mut c = SparkConf::new();
        c.set("k", "TRUE");
        assert!(c.get_bool("k", false).unwrap());
        c.set("k", "yes");
        assert!(c.get_bool("k", false).is_err());
    }
}
