//! Watching the driver pod until the application ends (`waitAppCompletion`, §8 of the spec).
//!
//! The watch goes through kube-runtime's watcher, which re-lists after `410 Gone` and
//! reconnects with backoff when the connection drops or the API server restarts. Progress goes
//! to stderr: a spinner on a terminal, plain lines otherwise.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};

use crate::app::{LABEL_APP_SELECTOR, LABEL_ROLE};
use crate::output;

/// How the application ended, as far as the watch could see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The driver pod succeeded.
    Succeeded,
    /// The driver pod failed.
    Failed,
    /// The driver pod was deleted before it finished.
    Deleted,
    /// The user stopped watching (Ctrl-C); the application keeps running.
    Detached,
}

/// What the wait needs to know about the submission.
pub struct WaitTarget<'a> {
    /// Namespace.
    pub namespace: &'a str,
    /// Driver pod name.
    pub pod_name: &'a str,
    /// Application id.
    pub app_id: &'a str,
    /// Application name.
    pub app_name: &'a str,
    /// Period of status lines.
    pub report_interval: Duration,
}

/// The driver's phase, or `unknown`.
pub fn phase(pod: Option<&Pod>) -> &str {
    pod.and_then(|p| p.status.as_ref())
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("unknown")
}

/// Whether the pod reached a final phase.
pub fn final_outcome(pod: &Pod) -> Option<Outcome> {
    match phase(Some(pod)) {
        "Succeeded" => Some(Outcome::Succeeded),
        "Failed" => Some(Outcome::Failed),
        _ => None,
    }
}

/// Watches until the driver ends or the user presses Ctrl-C. Returns the outcome and the last
/// pod seen.
pub async fn wait(client: &Client, target: &WaitTarget<'_>) -> (Outcome, Option<Pod>) {
    let pods: Api<Pod> = Api::namespaced(client.clone(), target.namespace);
    let driver_cfg =
        watcher::Config::default().fields(&format!("metadata.name={}", target.pod_name));
    let mut driver = watcher::watcher(pods.clone(), driver_cfg)
        .default_backoff()
        .boxed();
    let exec_cfg = watcher::Config::default().labels(&format!(
        "{LABEL_APP_SELECTOR}={},{LABEL_ROLE}=executor",
        target.app_id
    ));
    let mut executors = watcher::watcher(pods, exec_cfg).default_backoff().boxed();

    let started = Instant::now();
    let progress = Progress::new(target);
    let mut last: Option<Pod> = None;
    let mut seen_in_list = false;
    let mut executors_seen: BTreeSet<String> = BTreeSet::new();
    let mut ticker = tokio::time::interval(target.report_interval);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);

    let outcome = loop {
        tokio::select! {
            _ = &mut ctrl_c => break Outcome::Detached,
            _ = ticker.tick() => progress.tick(phase(last.as_ref()), started.elapsed(), executors_seen.len()),
            event = driver.next() => match event {
                Some(Ok(Event::Init)) => seen_in_list = false,
                Some(Ok(Event::InitApply(pod))) | Some(Ok(Event::Apply(pod))) => {
                    seen_in_list = true;
                    let changed = phase(last.as_ref()) != phase(Some(&pod));
                    if changed {
                        progress.phase_changed(phase(Some(&pod)), started.elapsed());
                    }
                    let done = final_outcome(&pod);
                    last = Some(pod);
                    if let Some(done) = done {
                        break done;
                    }
                }
                Some(Ok(Event::InitDone)) => {
                    if !seen_in_list && last.is_some() {
                        break Outcome::Deleted;
                    }
                }
                Some(Ok(Event::Delete(pod))) => {
                    last = Some(pod);
                    break Outcome::Deleted;
                }
                Some(Err(e)) => tracing::debug!("driver watch error (retrying): {e}"),
                None => break Outcome::Deleted,
            },
            event = executors.next() => match event {
                Some(Ok(Event::InitApply(pod))) | Some(Ok(Event::Apply(pod))) => {
                    if let Some(name) = pod.metadata.name { executors_seen.insert(name); }
                }
                Some(Err(e)) => tracing::debug!("executor watch error (retrying): {e}"),
                _ => {}
            },
        }
    };
    progress.finish();
    (outcome, last)
}

/// Progress display on stderr: spinner on a terminal, plain lines otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    app_id: String,
}

impl Progress {
    fn new(target: &WaitTarget<'_>) -> Self {
        let bar = output::stderr_is_tty().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self {
            bar,
            app_id: target.app_id.to_string(),
        }
    }

    fn tick(&self, phase: &str, elapsed: Duration, executors: usize) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "{} phase: {phase}, elapsed {}s, executors seen: {executors}",
                self.app_id,
                elapsed.as_secs()
            ));
        }
    }

    fn phase_changed(&self, phase: &str, elapsed: Duration) {
        let line = format!(
            "Application status for {} (phase: {phase}) after {}s",
            self.app_id,
            elapsed.as_secs()
        );
        match &self.bar {
            Some(bar) => bar.println(line),
            None => output::info(&line),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
