//! Waiting for a pod's Spark container: to start (before reading its log or forwarding to
//! it) and to end (to stop following a log when the kubelet does not end the stream, as
//! kwok's does not). Progress goes to stderr: a spinner on a terminal, plain lines otherwise.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;

use crate::error::{Error, Result};
use crate::operate::summary;
use crate::output;

/// How often pods are polled while waiting.
pub const POLL: Duration = Duration::from_secs(1);

/// A spinner on a terminal; elsewhere each new message printed once as a line.
pub struct Spinner {
    bar: Option<ProgressBar>,
    last: String,
}

impl Spinner {
    /// A spinner that shows nothing until the first message.
    pub fn new() -> Spinner {
        Spinner {
            bar: None,
            last: String::new(),
        }
    }

    /// Shows a message (only printed again when it changes, off a terminal).
    pub fn set(&mut self, message: &str) {
        if message == self.last {
            return;
        }
        self.last = message.to_string();
        if output::stderr_is_tty() {
            let bar = self.bar.get_or_insert_with(|| {
                let bar = ProgressBar::new_spinner();
                if let Ok(style) = ProgressStyle::default_spinner().template("{spinner} {msg}") {
                    bar.set_style(style);
                }
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            });
            bar.set_message(message.to_string());
        } else {
            output::info(&format!("{message}…"));
        }
    }

    /// Runs `print` (which writes lines on stderr) with the spinner hidden meanwhile.
    pub fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    /// Removes the spinner.
    pub fn clear(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Default for Spinner {
    fn default() -> Self {
        Spinner::new()
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Whether the container has started at least once (its log can be read).
pub fn container_started(pod: &Pod, container: &str) -> bool {
    if matches!(summary::phase(pod), Some("Succeeded" | "Failed")) {
        return true;
    }
    match summary::container_status(pod, container) {
        Some(cs) => {
            let state = cs.state.as_ref();
            cs.restart_count > 0
                || state.is_some_and(|s| s.running.is_some() || s.terminated.is_some())
        }
        None => false,
    }
}

/// Whether the container has ended for good (or the whole pod has).
pub fn container_ended(pod: &Pod, container: &str) -> bool {
    if pod.metadata.deletion_timestamp.is_some()
        || matches!(summary::phase(pod), Some("Succeeded" | "Failed"))
    {
        return true;
    }
    let restart_never =
        pod.spec.as_ref().and_then(|s| s.restart_policy.as_deref()) == Some("Never");
    restart_never
        && summary::container_status(pod, container)
            .and_then(|cs| cs.state.as_ref())
            .is_some_and(|s| s.terminated.is_some())
}

/// Why the pod is in its phase, as `status` and `describe` say it (`Unschedulable: 0/2 nodes
/// are available: …`, `ImagePullBackOff: …`), or None when nothing is wrong.
pub fn why(pod: &Pod, container: &str) -> Option<String> {
    match summary::reason(pod, container) {
        (Some(r), Some(m), _) if !m.trim().is_empty() => Some(format!("{r}: {}", m.trim())),
        (Some(r), _, _) => Some(r),
        _ => None,
    }
}

/// What a pod that has not started is waiting for, e.g. `Pending: ImagePullBackOff: …`.
pub fn waiting_text(pod: &Pod, container: &str) -> String {
    let phase = summary::phase(pod).unwrap_or("Pending");
    match why(pod, container) {
        Some(why) => format!("{phase}: {why}"),
        None => phase.to_string(),
    }
}

/// Waits until the pod's container has started; `what` names it in messages
/// (`driver pod ns/name`). A pod deleted while waiting is an error.
pub async fn until_started(api: &Api<Pod>, name: &str, container: &str, what: &str) -> Result<Pod> {
    let mut spinner = Spinner::new();
    loop {
        let pod = get(api, name, what).await?;
        if container_started(&pod, container) {
            return Ok(pod);
        }
        spinner.set(&format!(
            "Waiting for {what} to start ({})",
            waiting_text(&pod, container)
        ));
        tokio::time::sleep(POLL).await;
    }
}

/// Waits until the pod has run and ended, or is gone.
pub async fn until_ended(api: &Api<Pod>, name: &str, container: &str) {
    loop {
        match api.get_opt(name).await {
            Ok(None) => return,
            Ok(Some(pod)) if container_ended(&pod, container) => return,
            _ => tokio::time::sleep(2 * POLL).await,
        }
    }
}

/// The pod, or an error when it is gone.
pub async fn get(api: &Api<Pod>, name: &str, what: &str) -> Result<Pod> {
    let ns = api_namespace(api);
    match api.get_opt(name).await {
        Ok(Some(pod)) => Ok(pod),
        Ok(None) => Err(Error::Other(format!("{what} no longer exists"))),
        Err(e) => Err(crate::kube::api_error(e, "get pods", &ns)),
    }
}

fn api_namespace(api: &Api<Pod>) -> String {
    api.namespace().unwrap_or("(all namespaces)").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(phase: &str, state: serde_json::Value) -> Pod {
        serde_json::from_value(serde_json::json!({
            "spec": {"restartPolicy": "Never", "containers": [{"name": "c"}]},
            "status": {"phase": phase, "containerStatuses": [
                {"name": "c", "image": "i", "imageID": "", "ready": false, "restartCount": 0, "state": state}]}
        }))
        .unwrap()
    }

    #[test]
    fn started_and_ended() {
        let waiting = pod(
            "Pending",
            serde_json::json!({"waiting": {"reason": "ImagePullBackOff", "message": "back-off"}}),
        );
        assert!(!container_started(&waiting, "c"));
        assert!(!container_ended(&waiting, "c"));
        assert_eq!(
            waiting_text(&waiting, "c"),
            "Pending: ImagePullBackOff: back-off"
        );
        let running = pod("Running", serde_json::json!({"running": {}}));
        assert!(container_started(&running, "c"));
        assert!(!container_ended(&running, "c"));
        let done = pod(
            "Running",
            serde_json::json!({"terminated": {"exitCode": 0}}),
        );
        assert!(container_started(&done, "c"));
        assert!(container_ended(&done, "c"));
        assert!(container_ended(&pod("Failed", serde_json::json!({})), "c"));
        let nothing: Pod =
            serde_json::from_value(serde_json::json!({"status": {"phase": "Pending"}})).unwrap();
        assert!(!container_started(&nothing, "c"));
        assert_eq!(waiting_text(&nothing, "c"), "Pending");
    }
}
