//! Reading live drivers: the [`Poller`] behind the progress shown while `submit` waits (one
//! request round per second at most), and [`snapshots`], concurrent and bounded, for `status`
//! over many applications. A driver that does not answer is a `?`, never an error.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use indicatif::ProgressBar;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::Api;

use crate::app::LABEL_APP_SELECTOR;
use crate::operate::summary::{self, AppSummary, State};
use crate::spark::model::{SparkSnapshot, SparkStatus};
use crate::spark::progress::Display;
use crate::spark::rest::{REQUEST_BUDGET, RestError, Source, SparkRest};

/// The shortest time between two request rounds to one driver.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How many drivers are asked at once.
pub const CONCURRENCY: usize = 16;

/// What to poll and how to show it.
pub struct PollTarget {
    /// Namespace.
    pub namespace: String,
    /// Driver pod name.
    pub pod_name: String,
    /// Spark's application id (the `spark-app-selector` label, `spark.app.id`).
    pub app_id: String,
    /// Plain lines: at most one per this interval.
    pub report_interval: Duration,
}

/// Polls a driver's REST API in the background and shows its progress on stderr; stopped
/// (and its bars cleared) by [`Poller::stop`].
pub struct Poller {
    task: tokio::task::JoinHandle<()>,
}

impl Poller {
    /// Starts polling. On a terminal, the bars go under `spinner` (the caller's); on a pipe,
    /// plain lines.
    pub fn spawn(client: Client, target: PollTarget, spinner: Option<&ProgressBar>) -> Poller {
        let display = Display::new(spinner, "", target.report_interval);
        Poller {
            task: tokio::spawn(poll(client, target, display)),
        }
    }

    /// Stops polling and clears the bars.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

async fn poll(client: Client, target: PollTarget, mut display: Display) {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &target.namespace);
    let mut rest: Option<SparkRest> = None;
    let mut ticker = tokio::time::interval(POLL_INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        // The UI port is the driver pod's; it serves once the driver runs.
        let Some(client_of_driver) = &rest else {
            if let Ok(Ok(Some(pod))) =
                tokio::time::timeout(REQUEST_BUDGET, pods.get_opt(&target.pod_name)).await
                && summary::phase(&pod) == Some("Running")
            {
                rest = Some(SparkRest::new(client.clone(), Source::driver(&pod)));
            }
            continue;
        };
        match client_of_driver.snapshot(&target.app_id, 0).await {
            Ok(snapshot) => display.update(Some(&snapshot), Instant::now()),
            Err(e @ RestError::Forbidden { .. }) => {
                display.note(&format!("Spark progress is off: {e}"));
                return;
            }
            Err(e) => {
                tracing::debug!("Spark REST API of {}: {e}", target.pod_name);
                display.update(None, Instant::now());
            }
        }
    }
}

/// Spark's view of each running driver among `drivers`, by submission id (`ns:pod`): asked
/// concurrently, at most [`CONCURRENCY`] at once, each within the request budget. Drivers
/// that do not run (pending, ended, terminating) are not asked and not in the map.
pub async fn snapshots(
    client: &Client,
    drivers: &[&Pod],
) -> HashMap<String, Result<SparkSnapshot, RestError>> {
    let running = drivers.iter().filter(|d| is_live(d));
    stream::iter(running.map(|driver| {
        let rest = SparkRest::new(client.clone(), Source::driver(driver));
        let id = format!(
            "{}:{}",
            driver.metadata.namespace.as_deref().unwrap_or_default(),
            driver.metadata.name.as_deref().unwrap_or_default()
        );
        let app_id = driver
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(LABEL_APP_SELECTOR))
            .cloned()
            .unwrap_or_default();
        async move {
            let answer = rest.snapshot(&app_id, 0).await;
            if let Err(e) = &answer {
                tracing::debug!("Spark REST API of {id}: {e}");
            }
            (id, answer)
        }
    }))
    .buffer_unordered(CONCURRENCY)
    .collect()
    .await
}

/// Whether a driver pod runs and is not being deleted: only then its UI may answer.
pub fn is_live(driver: &Pod) -> bool {
    State::from_phase(summary::phase(driver)) == State::Running
        && driver.metadata.deletion_timestamp.is_none()
}

/// Asks the running drivers (see [`snapshots`]; not those whose summary says they ended: a
/// Spark container that terminated serves nothing) and sets the `spark` figures of their
/// summaries (matched by submission id), and names their executor losses from Spark's
/// `removeReason`s ([`crate::operate::executors::Losses::complete`]); returns the snapshots,
/// for progress lines.
pub async fn attach(
    client: &Client,
    apps: &mut [AppSummary],
    drivers: &[&Pod],
) -> HashMap<String, Result<SparkSnapshot, RestError>> {
    let asked: Vec<&Pod> = drivers
        .iter()
        .copied()
        .filter(|d| {
            !apps.iter().any(|a| {
                a.state.is_finished()
                    && d.metadata.namespace.as_deref() == Some(a.namespace.as_str())
                    && d.metadata.name.as_deref() == Some(a.driver_pod.as_str())
            })
        })
        .collect();
    let answers = snapshots(client, &asked).await;
    for app in apps.iter_mut() {
        if let Some(answer) = answers.get(&app.submission_id) {
            app.spark = Some(SparkStatus::of(answer));
            if let Ok(snapshot) = answer {
                app.executors.lost.complete(&snapshot.executors);
            }
        }
    }
    answers
}

/// Plain progress lines of many applications (`status -w`), each after its submission id,
/// one per change of each at most once per interval.
pub struct ProgressLines {
    interval: Duration,
    displays: Mutex<HashMap<String, Display>>,
}

impl ProgressLines {
    /// Lines paced by `interval`.
    pub fn new(interval: Duration) -> ProgressLines {
        ProgressLines {
            interval,
            displays: Mutex::new(HashMap::new()),
        }
    }

    /// Prints what changed, in submission id order.
    pub fn show(&self, answers: &HashMap<String, Result<SparkSnapshot, RestError>>) {
        let Ok(mut displays) = self.displays.lock() else {
            return;
        };
        let mut ids: Vec<&String> = answers.keys().collect();
        ids.sort();
        let now = Instant::now();
        for id in ids {
            let display = displays
                .entry(id.clone())
                .or_insert_with(|| Display::new(None, &format!("{id}: "), self.interval));
            display.update(answers[id].as_ref().ok(), now);
        }
    }
}

/// One snapshot of one driver (for `describe`), with the first failed task of up to
/// `failed_task_stages` stages with failures.
pub async fn snapshot_of(
    client: &Client,
    driver: &Pod,
    failed_task_stages: usize,
) -> Result<SparkSnapshot, RestError> {
    let app_id = driver
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(LABEL_APP_SELECTOR))
        .cloned()
        .unwrap_or_default();
    SparkRest::new(client.clone(), Source::driver(driver))
        .snapshot(&app_id, failed_task_stages)
        .await
}
