//! Watching the driver pod until the application ends (`waitAppCompletion`, §8 of the spec).
//!
//! The watch goes through kube-runtime's watcher, which re-lists after `410 Gone` and
//! reconnects with backoff when the connection drops or the API server restarts. Progress goes
//! to stderr: a spinner on a terminal, plain lines otherwise; why the driver is not running
//! (as `status` and `describe` compute it: Unschedulable and the scheduler's message,
//! ImagePullBackOff…) is printed once each time it changes. `--timeout` ends the wait early.
//! A second watch, of the executor pods, feeds [`Tracker`]: executors Pending with a reason
//! and failed executors (with the running count of losses) are printed once per change.

use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, LogParams};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};

use crate::app::{LABEL_APP_SELECTOR, LABEL_ROLE};
use crate::operate::executors::{Losses, Tracker};
use crate::operate::summary::{self, DRIVER_CONTAINER};
use crate::operate::waiting;
use crate::output;

/// How the application ended, as far as the watch could see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The driver pod succeeded.
    Succeeded,
    /// The driver pod failed.
    Failed,
    /// The driver pod was deleted before it finished.
    Deleted,
    /// The user stopped watching (Ctrl-C); the application keeps running.
    Detached,
    /// `--timeout` passed; the application keeps running.
    TimedOut,
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
    /// Stop waiting after this long (None: until the driver ends).
    pub timeout: Option<Duration>,
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

/// How long a driver pod may keep a non-final phase after its Spark container ended before
/// the wait ends on the container's exit code (a sidecar keeps the pod Running for ever; the
/// kubelet normally moves the phase within a second or two).
pub const PHASE_GRACE: Duration = Duration::from_secs(5);

/// The outcome the driver's Spark container says, once it terminated: its exit code decides.
pub fn container_outcome(pod: &Pod) -> Option<Outcome> {
    let code = summary::driver_status(pod)?
        .state
        .as_ref()?
        .terminated
        .as_ref()?
        .exit_code;
    Some(if code == 0 {
        Outcome::Succeeded
    } else {
        Outcome::Failed
    })
}

/// Why the driver is not running as it should (`Unschedulable: 0/2 nodes are available: …`),
/// or None while nothing is wrong or once it has ended (the final status block says why).
pub fn driver_why(pod: &Pod) -> Option<String> {
    // The pod's phase lags its container: a Spark container that terminated has completed
    // (not "Running: Completed"); the final status block says how.
    let completed = summary::driver_status(pod)
        .and_then(|s| s.state.as_ref())
        .is_some_and(|s| s.terminated.is_some());
    if final_outcome(pod).is_some() || completed {
        return None;
    }
    waiting::why(pod, DRIVER_CONTAINER)
}

/// Watches until the driver ends (its pod's phase is final, or its Spark container ended
/// [`PHASE_GRACE`] ago), the user presses Ctrl-C or the timeout passes. Returns the outcome and
/// the last pod seen.
pub async fn wait(client: &Client, target: &WaitTarget<'_>) -> (Outcome, Option<Pod>, Losses) {
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
    // Spark's own progress (stages, tasks, jobs, executors), read from the driver's REST API.
    let spark_progress = crate::spark::live::Poller::spawn(
        client.clone(),
        crate::spark::live::PollTarget {
            namespace: target.namespace.to_string(),
            pod_name: target.pod_name.to_string(),
            app_id: target.app_id.to_string(),
            report_interval: target.report_interval,
        },
        progress.bar.as_ref(),
    );
    let mut last: Option<Pod> = None;
    let mut seen_in_list = false;
    let mut tracker = Tracker::new(target.namespace);
    let mut last_why: Option<String> = None;
    let mut container_ended: Option<(Instant, Outcome)> = None;
    let mut ticker = tokio::time::interval(target.report_interval);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let timed_out = async {
        match target.timeout {
            Some(t) => tokio::time::sleep(t).await,
            None => futures::future::pending().await,
        }
    };
    tokio::pin!(timed_out);

    let outcome = loop {
        tokio::select! {
            _ = &mut ctrl_c => break Outcome::Detached,
            _ = &mut timed_out => break Outcome::TimedOut,
            _ = ticker.tick() => {
                progress.tick(phase(last.as_ref()), last_why.as_deref(), started.elapsed(), &tracker.status_text());
                // The Spark container ended but the pod's phase does not follow (a sidecar).
                if let Some((at, done)) = container_ended
                    && at.elapsed() >= PHASE_GRACE
                {
                    break done;
                }
            }
            event = driver.next() => match event {
                Some(Ok(Event::Init)) => seen_in_list = false,
                Some(Ok(Event::InitApply(pod))) | Some(Ok(Event::Apply(pod))) => {
                    seen_in_list = true;
                    let changed = phase(last.as_ref()) != phase(Some(&pod));
                    if changed {
                        progress.phase_changed(phase(Some(&pod)), started.elapsed());
                    }
                    let why = driver_why(&pod);
                    if why.is_some() && why != last_why {
                        progress.line(&format!(
                            "Driver pod {}/{} is {}: {}",
                            target.namespace,
                            target.pod_name,
                            phase(Some(&pod)),
                            why.as_deref().unwrap_or_default()
                        ));
                    }
                    last_why = why;
                    let done = final_outcome(&pod);
                    if container_ended.is_none() {
                        container_ended = container_outcome(&pod).map(|o| (Instant::now(), o));
                    }
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
            // Executor trouble (Pending with a reason, failures, losses): once per change.
            event = executors.next() => match event {
                Some(Ok(Event::InitApply(pod))) | Some(Ok(Event::Apply(pod))) => {
                    for line in tracker.apply(&pod) { progress.line(&line); }
                }
                Some(Ok(Event::Delete(pod))) => {
                    for line in tracker.delete(&pod) { progress.line(&line); }
                }
                Some(Err(e)) => tracing::debug!("executor watch error (retrying): {e}"),
                _ => {}
            },
        }
    };
    spark_progress.stop().await;
    if let Some(lost) = tracker.losses().text() {
        progress.line(&format!("Executors of {}: {lost}", target.app_id));
    }
    progress.finish();
    (outcome, last, tracker.losses().clone())
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

    fn tick(&self, phase: &str, why: Option<&str>, elapsed: Duration, executors: &str) {
        if let Some(bar) = &self.bar {
            let why = why.map(|w| format!(" ({w})")).unwrap_or_default();
            bar.set_message(format!(
                "{} phase: {phase}{why}, elapsed {}s, {executors}",
                self.app_id,
                elapsed.as_secs()
            ));
        }
    }

    fn phase_changed(&self, phase: &str, elapsed: Duration) {
        self.line(&format!(
            "Application status for {} (phase: {phase}) after {}s",
            self.app_id,
            elapsed.as_secs()
        ));
    }

    /// A line on stderr, above the spinner when there is one.
    fn line(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => output::info(line),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The last `lines` lines of the driver's log, or why they could not be read. Bounded in time:
/// a kubelet that does not answer must not keep a failed submission from exiting.
pub async fn driver_log_tail(
    client: &Client,
    namespace: &str,
    pod: &Pod,
    lines: u32,
) -> std::result::Result<String, String> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let container = summary::spark_container_name(pod, DRIVER_CONTAINER)
        .unwrap_or_else(|| DRIVER_CONTAINER.into());
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let params = LogParams {
        container: Some(container),
        tail_lines: Some(i64::from(lines)),
        ..LogParams::default()
    };
    match tokio::time::timeout(LOG_TAIL_TIMEOUT, pods.logs(&name, &params)).await {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(e)) => Err(crate::kube::api_error(e, "get pods/log", namespace).to_string()),
        Err(_) => Err(format!("no answer within {} s", LOG_TAIL_TIMEOUT.as_secs())),
    }
}

/// How long reading the log tail of a failed driver may take.
const LOG_TAIL_TIMEOUT: Duration = Duration::from_secs(10);

/// The log tail under the status block: a header saying how many lines, then the lines.
pub fn render_log_tail(wanted: u32, id: &str, log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    if lines.is_empty() {
        return "The driver log is empty.".into();
    }
    let shown = lines.len().min(wanted as usize);
    let header = if lines.len() < wanted as usize {
        format!("The driver log (all {shown} lines):")
    } else {
        format!(
            "Last {shown} lines of the driver log (--log-tail N for more, 0 for none; all of it: kubectl spark logs {id}):"
        )
    };
    let mut out = header;
    for l in &lines[lines.len() - shown..] {
        out.push_str("\n  ");
        out.push_str(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_terminated_spark_container_decides_the_outcome() {
        let pod = |state: serde_json::Value| -> Pod {
            serde_json::from_value(serde_json::json!({
                "spec": {"containers": [{"name": "spark-kubernetes-driver"}, {"name": "sidecar"}]},
                "status": {"phase": "Running",
                "containerStatuses": [{"name": "spark-kubernetes-driver", "image": "", "imageID": "",
                    "ready": false, "restartCount": 0, "state": state}]}}))
            .unwrap()
        };
        let ended = |code: i32| pod(serde_json::json!({"terminated": {"exitCode": code}}));
        assert_eq!(container_outcome(&ended(0)), Some(Outcome::Succeeded));
        assert_eq!(container_outcome(&ended(1)), Some(Outcome::Failed));
        assert_eq!(
            container_outcome(&pod(serde_json::json!({"running": {}}))),
            None
        );
        assert_eq!(
            final_outcome(&ended(0)),
            None,
            "the phase alone is not final"
        );
    }

    #[test]
    fn log_tail_says_how_many_lines() {
        let log = "a\nb\nc\n";
        assert_eq!(
            render_log_tail(2, "ns:p", log),
            "Last 2 lines of the driver log (--log-tail N for more, 0 for none; all of it: \
             kubectl spark logs ns:p):\n  b\n  c"
        );
        assert_eq!(
            render_log_tail(5, "ns:p", log),
            "The driver log (all 3 lines):\n  a\n  b\n  c"
        );
        assert_eq!(render_log_tail(3, "ns:p", ""), "The driver log is empty.");
    }

    #[test]
    fn why_a_driver_waits() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "spec": {"containers": [{"name": "spark-kubernetes-driver"}]},
            "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
                "reason": "Unschedulable", "message": "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."}]}
        }))
        .unwrap();
        assert_eq!(
            driver_why(&pod).as_deref(),
            Some(
                "Unschedulable: 0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."
            )
        );
        let running: Pod =
            serde_json::from_value(serde_json::json!({"status": {"phase": "Running"}})).unwrap();
        assert_eq!(driver_why(&running), None);
        let failed: Pod = serde_json::from_value(
            serde_json::json!({"status": {"phase": "Failed", "reason": "Evicted"}}),
        )
        .unwrap();
        assert_eq!(driver_why(&failed), None, "the final block says why");
        let completed: Pod = serde_json::from_value(serde_json::json!({
            "spec": {"containers": [{"name": "spark-kubernetes-driver"}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "spark-kubernetes-driver",
                "image": "i", "imageID": "", "ready": false, "restartCount": 0,
                "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}
        }))
        .unwrap();
        assert_eq!(driver_why(&completed), None, "not `Running: Completed`");
    }
}
