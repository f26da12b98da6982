//! The local dependencies an application uploaded (`<upload path>/spark-upload-<uuid>/<file>`,
//! §4.3 of the spec), found again from its `spark.properties` and its driver's arguments, and
//! deleted when `cleanup` removes the application (Spark never deletes them).

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::Client;
use kube::api::Api;
use object_store::ObjectStoreExt;

use crate::conf::{SparkConf, properties};
use crate::error::Result;
use crate::operate::summary;
use crate::store::settings::StoreEnv;
use crate::store::{self, uri};

/// The key naming where Spark uploads local files.
pub const UPLOAD_PATH_KEY: &str = "spark.kubernetes.file.upload.path";

/// What one application uploaded, with the settings to reach its store.
#[derive(Debug, Clone, Default)]
pub struct AppUploads {
    /// The application's properties (store endpoint, credentials…).
    pub conf: SparkConf,
    /// The uploaded objects' URIs (fragments dropped), in order, without duplicates.
    pub uris: Vec<String>,
}

/// The URIs under `<upload path>/spark-upload-` among the dependency lists of `conf` and the
/// driver's arguments (the primary Python/R file is an argument). Fragments (`#env`) dropped.
pub fn uploaded_uris(conf: &SparkConf, driver_args: &[String]) -> Vec<String> {
    let Some(base) = conf.get_non_empty(UPLOAD_PATH_KEY) else {
        return Vec::new();
    };
    let prefix = format!("{}/spark-upload-", base.trim_end_matches('/'));
    let mut out: Vec<String> = Vec::new();
    let lists = [
        "spark.jars",
        "spark.files",
        "spark.archives",
        "spark.submit.pyFiles",
    ]
    .iter()
    .flat_map(|k| conf.get_list(k));
    for entry in lists.chain(driver_args.iter().cloned()) {
        let uri = entry.split('#').next().unwrap_or_default().to_string();
        if uri.starts_with(&prefix) && !out.contains(&uri) {
            out.push(uri);
        }
    }
    out
}

/// Reads what a driver's application uploaded, from its conf ConfigMap (which goes with the
/// driver: call this before deleting it). None when the ConfigMap is gone or names no uploads.
pub async fn of_driver(client: &Client, driver: &Pod) -> Option<AppUploads> {
    let ns = driver.metadata.namespace.as_deref().unwrap_or_default();
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), ns);
    let args: Vec<String> = driver
        .spec
        .iter()
        .flat_map(|s| s.containers.first())
        .flat_map(|c| c.args.clone().unwrap_or_default())
        .collect();
    for name in summary::mounted_config_maps(driver) {
        let Ok(Some(cm)) = api.get_opt(&name).await else {
            continue;
        };
        let Some(text) = cm.data.as_ref().and_then(|d| d.get("spark.properties")) else {
            continue;
        };
        let conf: SparkConf = properties::parse(text)
            .unwrap_or_default()
            .into_iter()
            .collect();
        let uris = uploaded_uris(&conf, &args);
        return (!uris.is_empty()).then_some(AppUploads { conf, uris });
    }
    None
}

/// The store and object key of one uploaded file. (kubectl-spark uploads no directory
/// markers; those Spark 4's S3A writes are empty and stay, as object stores list them as
/// nothing.)
pub fn object_key(uri: &str) -> Option<(uri::StoreUri, String)> {
    let parsed = uri::parse(uri).ok()?;
    let key = parsed.key.clone();
    Some((parsed, key))
}

/// Deletes the uploads; returns how many files were deleted and the URIs that could not be
/// (with why). Missing objects count as deleted.
pub async fn delete(apps: &[AppUploads], env: &StoreEnv) -> (usize, Vec<String>) {
    // One client per bucket and settings: several apps usually share them.
    let mut jobs: Vec<(String, uri::StoreUri, String, &SparkConf)> = Vec::new();
    for app in apps {
        for u in &app.uris {
            if let Some((parsed, key)) = object_key(u) {
                jobs.push((u.clone(), parsed, key, &app.conf));
            }
        }
    }
    let mut stores: BTreeMap<(String, usize), store::Store> = BTreeMap::new();
    let mut failed = Vec::new();
    let mut work = Vec::new();
    for (uri_text, parsed, key, conf) in jobs {
        let id = (parsed.bucket_uri(), std::ptr::from_ref(conf) as usize);
        if !stores.contains_key(&id) {
            match store::open(&parsed, conf, env) {
                Ok(s) => {
                    stores.insert(id.clone(), s);
                }
                Err(e) => {
                    failed.push(format!("{uri_text} ({e})"));
                    continue;
                }
            }
        }
        work.push((uri_text, stores[&id].clone(), key));
    }
    let results: Vec<std::result::Result<(), String>> = stream::iter(work)
        .map(|(uri_text, s, key)| async move {
            match s.client.delete(&object_store::path::Path::from(key)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(format!("{uri_text} ({})", store::error(&s, "delete", &e))),
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let mut deleted = 0;
    for r in results {
        match r {
            Ok(()) => deleted += 1,
            Err(e) => failed.push(e),
        }
    }
    (deleted, failed)
}

/// The total of uploads of `apps`.
pub fn count(apps: &[AppUploads]) -> usize {
    apps.iter().map(|a| a.uris.len()).sum()
}

/// Returns the uploads of each driver that has some, read concurrently.
pub async fn of_drivers(client: &Client, drivers: &[&Pod]) -> Result<Vec<AppUploads>> {
    Ok(stream::iter(drivers.iter().copied())
        .map(|d| of_driver(client, d))
        .buffered(crate::operate::CONCURRENCY)
        .filter_map(|x| async move { x })
        .collect()
        .await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_are_found_in_lists_and_arguments() {
        let conf = SparkConf::from_pairs(&[
            (UPLOAD_PATH_KEY, "s3a://b/up/"),
            (
                "spark.jars",
                "s3a://b/up/spark-upload-1/a.jar,local:///opt/x.jar,s3a://other/up/spark-upload-9/y.jar",
            ),
            ("spark.archives", "s3a://b/up/spark-upload-2/env.zip#env"),
            ("spark.files", "s3a://b/up/spark-upload-1/a.jar"),
            ("spark.submit.pyFiles", ""),
        ]);
        let args = vec![
            "driver".to_string(),
            "--properties-file".into(),
            "s3a://b/up/spark-upload-3/app.py".into(),
            "s3a://b/up/data.csv".into(),
        ];
        assert_eq!(
            uploaded_uris(&conf, &args),
            vec![
                "s3a://b/up/spark-upload-1/a.jar",
                "s3a://b/up/spark-upload-2/env.zip",
                "s3a://b/up/spark-upload-3/app.py",
            ]
        );
        // No upload path: nothing was uploaded.
        let none = SparkConf::from_pairs(&[("spark.jars", "s3a://b/up/spark-upload-1/a.jar")]);
        assert!(uploaded_uris(&none, &args).is_empty());
    }

    #[test]
    fn the_object_of_an_upload() {
        let (u, key) = object_key("s3a://b/up/spark-upload-1/a.jar").unwrap();
        assert_eq!(
            (u.bucket.as_str(), key.as_str()),
            ("b", "up/spark-upload-1/a.jar")
        );
        assert!(object_key("hdfs://nn/up/spark-upload-1/a.jar").is_none());
    }
}
