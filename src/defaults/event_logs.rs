//! The event-log directory of a namespace's defaults must exist before a driver writes to it
//! (Spark's `EventLogFileWriter` refuses a missing directory) and before a History Server
//! reads it (`FsHistoryProvider` fails to start). An object store has no directories: S3A,
//! GCS and ABFS see one where an object lies under the prefix, so `setup` stores a small hidden
//! marker there (hidden files are not event logs to the History Server). Other schemes (HDFS,
//! a path on a volume) are the user's to create: said, not done.

use object_store::{ObjectStoreExt, PutPayload};

use crate::conf::SparkConf;
use crate::error::{Error, Result};
use crate::store::settings::StoreEnv;
use crate::store::{self, uri};

/// Name of the hidden marker object in the event-log directory.
pub const MARKER: &str = ".kubectl-spark-event-logs";

/// Where the marker goes for `dir`, if `dir` is in an object store kubectl-spark writes to.
pub fn marker_uri(dir: &str) -> Option<(uri::StoreUri, String)> {
    let scheme = uri::scheme_of(dir)?;
    if !matches!(
        scheme.to_ascii_lowercase().as_str(),
        "s3a" | "s3" | "gs" | "abfs" | "abfss"
    ) {
        return None;
    }
    let parsed = uri::parse(dir).ok()?;
    let key = if parsed.key.is_empty() {
        MARKER.to_string()
    } else {
        format!("{}/{MARKER}", parsed.key)
    };
    Some((parsed, key))
}

/// Makes sure the directory exists (for object stores: stores the marker, with the settings
/// and secrets setup was given, which are never printed). Returns what it did, for people.
pub async fn ensure(dir: &str, conf: &SparkConf, env: &StoreEnv) -> Result<String> {
    let Some((parsed, key)) = marker_uri(dir) else {
        return Ok(format!(
            "make sure {dir} exists and that drivers and the History Server can write and read it (kubectl-spark creates directories in s3a://, gs:// and abfs:// stores only)"
        ));
    };
    let s = store::open(&parsed, conf, env)?;
    s.client
        .put(
            &object_store::path::Path::from(key.as_str()),
            PutPayload::from_static(b"event logs of Spark applications (kubectl spark setup)\n"),
        )
        .await
        .map_err(
            |e| match store::error(&s, "write the event-log directory marker", &e) {
                Error::Storage { message, hint } => Error::Storage {
                    message: format!("--event-log-dir {dir}: {message}"),
                    hint,
                },
                other => other,
            },
        )?;
    Ok(format!("event-log directory {dir} is ready"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_go_into_object_stores_only() {
        let (u, key) = marker_uri("s3a://logs/spark/events").unwrap();
        assert_eq!(u.bucket, "logs");
        assert_eq!(key, "spark/events/.kubectl-spark-event-logs");
        assert_eq!(marker_uri("gs://b").unwrap().1, MARKER);
        assert!(marker_uri("hdfs://nn/events").is_none());
        assert!(marker_uri("file:/mnt/events").is_none());
        assert!(marker_uri("/mnt/events").is_none());
    }
}
