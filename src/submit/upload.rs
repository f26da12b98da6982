//! Uploading a submission's local files to `spark.kubernetes.file.upload.path` (§4.3 of the
//! spec): everything is checked before the first byte is sent (the store's scheme, every local
//! file), files go in parallel with a byte progress bar on stderr (plain lines when stderr is
//! not a terminal), and what was uploaded is deleted again when the submission fails.

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Instant;

use futures::{StreamExt, TryStreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStoreExt, PutPayload, WriteMultipart};
use tokio::io::AsyncReadExt;

use crate::conf::SparkConf;
use crate::error::{Error, Result};
use crate::output;
use crate::store::settings::StoreEnv;
use crate::store::{self, Store, uri};
use crate::submit::plan::{PRIMARY_RESOURCE, Upload};
use crate::submit::steps::basic::UPLOAD_PATH_KEY;

/// Files smaller than this go in one PUT; larger ones in parts of this size.
const PART_SIZE: usize = 8 << 20;
/// Files sent at the same time.
const PARALLEL_FILES: usize = 4;
/// Parts of one file in flight at the same time.
const PARALLEL_PARTS: usize = 2;
/// Read buffer.
const CHUNK: usize = 1 << 20;

/// One checked upload: source, size, destination object.
#[derive(Debug, Clone)]
struct Item {
    upload: Upload,
    size: u64,
    object: ObjectPath,
}

/// A set of uploads that passed every check and can run.
#[derive(Debug)]
pub struct Uploads {
    store: Store,
    items: Vec<Item>,
    /// Per item: 0 not started, 1 started, 2 stored (set while uploading; read on rollback).
    states: Vec<AtomicU8>,
}

const STARTED: u8 = 1;
const STORED: u8 = 2;

/// The command-line flag of an upload's key, for messages.
fn flag_of(key: &str) -> &str {
    match key {
        "spark.jars" => "--jars",
        "spark.files" => "--files",
        "spark.archives" => "--archives",
        "spark.submit.pyFiles" => "--py-files",
        PRIMARY_RESOURCE => "the primary resource",
        other => other,
    }
}

/// Checks the uploads of a submission without contacting anything: the upload path names a
/// store we can write, and every local file exists and is a readable regular file.
/// `None` when there is nothing to upload.
pub fn check(uploads: &[Upload], conf: &SparkConf, env: &StoreEnv) -> Result<Option<Uploads>> {
    let Some(first) = uploads.first() else {
        return Ok(None);
    };
    let upload_path = conf.get(UPLOAD_PATH_KEY).unwrap_or_default();
    let root = uri::parse(upload_path).map_err(|e| {
        Error::usage(
            format!("{UPLOAD_PATH_KEY}={upload_path}: {e}"),
            format!(
                "point {UPLOAD_PATH_KEY} at {} (a store the driver image can read too), or \
                 refer to {} with local:// if the image already has it",
                uri::SUPPORTED_SCHEMES,
                first.local_path
            ),
        )
    })?;
    let store = store::open(&root, conf, env)?;
    let mut items = Vec::with_capacity(uploads.len());
    for u in uploads {
        let meta = std::fs::metadata(&u.local_path).map_err(|e| {
            Error::usage(
                format!(
                    "{} ({}): cannot read local file {}: {e}",
                    flag_of(&u.key),
                    u.key,
                    u.local_path
                ),
                "fix the path, or use local:// for a file that is already in the image",
            )
        })?;
        if !meta.is_file() {
            return Err(Error::usage(
                format!(
                    "{} ({}): {} is not a regular file",
                    flag_of(&u.key),
                    u.key,
                    u.local_path
                ),
                "name a file (Spark uploads files, not directories): zip a directory and pass it with --archives",
            ));
        }
        let target = uri::parse(&u.target).map_err(|e| Error::Other(e.to_string()))?;
        items.push(Item {
            upload: u.clone(),
            size: meta.len(),
            object: ObjectPath::from(target.key.as_str()),
        });
    }
    let states = items.iter().map(|_| AtomicU8::new(0)).collect();
    Ok(Some(Uploads {
        store,
        items,
        states,
    }))
}

/// Progress on stderr: a byte bar on a terminal, plain lines otherwise.
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new(total: u64) -> Progress {
        let bar = output::stderr_is_tty().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "Uploading {bytes}/{total_bytes} [{wide_bar}] {bytes_per_sec} {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        Progress { bar }
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| output::info(text)),
            None => output::info(text),
        }
    }

    fn inc(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Uploads {
    /// Number of files.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is nothing to upload.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Total bytes.
    pub fn total_bytes(&self) -> u64 {
        self.items.iter().map(|i| i.size).sum()
    }

    /// Where the files go, for messages (no secret).
    pub fn destination(&self) -> String {
        self.store.settings.describe()
    }

    async fn upload_one(&self, index: usize, progress: &Progress) -> Result<()> {
        self.states[index].store(STARTED, Ordering::SeqCst);
        let result = self.send(&self.items[index], progress).await;
        if result.is_ok() {
            self.states[index].store(STORED, Ordering::SeqCst);
        }
        result
    }

    async fn send(&self, item: &Item, progress: &Progress) -> Result<()> {
        let u = &item.upload;
        progress.line(&format!(
            "Uploading file: {} to dest: {}...",
            u.local_path, u.target
        ));
        let action = format!("Uploading file {} failed", u.local_path);
        let store_err = |e: object_store::Error| store::error(&self.store, &action, &e);
        let io_err = |e: std::io::Error| Error::io(format!("reading {}", u.local_path), e);
        let mut file = tokio::fs::File::open(&u.local_path).await.map_err(io_err)?;
        let client = &self.store.client;
        if item.size < PART_SIZE as u64 {
            let mut data = Vec::with_capacity(item.size as usize);
            file.read_to_end(&mut data).await.map_err(io_err)?;
            let n = data.len() as u64;
            client
                .put(&item.object, PutPayload::from(data))
                .await
                .map_err(store_err)?;
            progress.inc(n);
            return Ok(());
        }
        let upload = client
            .put_multipart(&item.object)
            .await
            .map_err(store_err)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let mut buf = vec![0u8; CHUNK];
        let sent: Result<()> = async {
            loop {
                let n = file.read(&mut buf).await.map_err(io_err)?;
                if n == 0 {
                    return Ok(());
                }
                writer
                    .wait_for_capacity(PARALLEL_PARTS)
                    .await
                    .map_err(store_err)?;
                writer.write(&buf[..n]);
                progress.inc(n as u64);
            }
        }
        .await;
        match sent {
            Ok(()) => writer.finish().await.map(|_| ()).map_err(store_err),
            Err(e) => {
                let _ = writer.abort().await;
                Err(e)
            }
        }
    }

    /// Uploads every file (in parallel). On failure, deletes what was uploaded and returns the
    /// first error, saying what was cleaned up.
    pub async fn run(&self) -> Result<()> {
        let t0 = Instant::now();
        let progress = Progress::new(self.total_bytes());
        let result = futures::stream::iter((0..self.items.len()).map(Ok))
            .try_for_each_concurrent(PARALLEL_FILES, |i| self.upload_one(i, &progress))
            .await;
        progress.finish();
        match result {
            Ok(()) => {
                output::info(&format!(
                    "Uploaded {} file(s), {}, to {} in {:.1}s",
                    self.len(),
                    indicatif::HumanBytes(self.total_bytes()),
                    self.store.bucket_uri,
                    t0.elapsed().as_secs_f64()
                ));
                Ok(())
            }
            Err(e) => Err(self.with_rollback(e).await),
        }
    }

    /// Deletes every object whose upload started (missing ones are fine). Returns how many
    /// were stored and the stored ones that could not be deleted, as URIs (a failed delete of
    /// an upload that never finished is not reported: there is nothing there).
    pub async fn delete_all(&self) -> (usize, Vec<String>) {
        let client = &self.store.client;
        let stored = self
            .states
            .iter()
            .filter(|s| s.load(Ordering::SeqCst) == STORED)
            .count();
        let left = futures::stream::iter(self.items.iter().zip(&self.states))
            .filter(|(_, s)| {
                let started = s.load(Ordering::SeqCst) >= STARTED;
                async move { started }
            })
            .map(|(item, state)| async move {
                match client.delete(&item.object).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => None,
                    Err(_) if state.load(Ordering::SeqCst) != STORED => None,
                    Err(_) => Some(item.upload.target.clone()),
                }
            })
            .buffer_unordered(16)
            .filter_map(|x| async move { x })
            .collect()
            .await;
        (stored, left)
    }

    /// Deletes the uploads after `e` and adds to its message what happened to them.
    pub async fn with_rollback(&self, e: Error) -> Error {
        let (stored, left) = self.delete_all().await;
        let note = if stored == 0 {
            "(no file was uploaded)".to_string()
        } else if left.is_empty() {
            format!("(the {stored} uploaded file(s) were deleted again)")
        } else {
            format!(
                "(could not delete these uploaded files, remove them by hand: {})",
                left.join(", ")
            )
        };
        e.with_note(&note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(key: &str, path: &str) -> Upload {
        Upload {
            key: key.into(),
            local_path: path.into(),
            target: format!("s3a://b/up/spark-upload-1/{path}"),
        }
    }

    fn conf(path: &str) -> SparkConf {
        SparkConf::from_pairs(&[(UPLOAD_PATH_KEY, path)])
    }

    #[test]
    fn nothing_to_upload_needs_no_store() {
        assert!(
            check(&[], &conf("hdfs://x/y"), &StoreEnv::default())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn unsupported_scheme_is_a_usage_error_naming_the_key() {
        let err = check(
            &[upload("spark.jars", "/tmp/a.jar")],
            &conf("hdfs://nn:8020/up"),
            &StoreEnv::default(),
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let text = crate::error::Report(&err).to_string();
        assert!(
            text.contains(UPLOAD_PATH_KEY) && text.contains("hdfs://"),
            "{text}"
        );
    }

    #[test]
    fn missing_file_names_the_flag() {
        let err = check(
            &[upload("spark.files", "/nonexistent/data.csv")],
            &conf("s3a://b/up"),
            &StoreEnv::default(),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("--files (spark.files)") && text.contains("/nonexistent/data.csv"),
            "{text}"
        );
        let dir = std::env::temp_dir();
        let err = check(
            &[upload(PRIMARY_RESOURCE, dir.to_str().unwrap())],
            &conf("s3a://b/up"),
            &StoreEnv::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}
