//! How a wait for an application ended, reported as `submit` reports it: the final container
//! statuses, what went wrong for a failed driver, what to run next, and the exit code. Shared
//! by `submit` and `wait`, so both end the same way.

use k8s_openapi::api::core::v1::Pod;
use kube::Client;

use crate::error::{Error, Result};
use crate::output;
use crate::submit::wait::{self, Outcome, WaitTarget};

/// The flags that change how an ended wait is reported.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reporting<'a> {
    /// `--spark-exit-code`: exit 0 whatever the driver's fate.
    pub spark_exit_code: bool,
    /// `--timeout`'s text, for the message when it passed.
    pub timeout: Option<&'a str>,
}

/// `namespace:driver-pod`.
pub fn submission_id(target: &WaitTarget<'_>) -> String {
    format!("{}:{}", target.namespace, target.pod_name)
}

/// Spark's line before a wait: `Waiting for application NAME with application ID … to finish...`.
pub fn waiting_line(target: &WaitTarget<'_>) -> String {
    format!(
        "Waiting for application {} with application ID {} and submission ID {} to finish...",
        target.app_name,
        target.app_id,
        submission_id(target)
    )
}

/// What to show about a failed driver (the ONE place `submit` and `wait` get it from): today
/// the last `log_tail` lines of its log (none for 0), or why they could not be read.
pub async fn failed_driver_report(
    client: &Client,
    target: &WaitTarget<'_>,
    driver: &Pod,
    log_tail: u32,
) -> Option<std::result::Result<String, String>> {
    if log_tail == 0 {
        return None;
    }
    let id = submission_id(target);
    Some(
        wait::driver_log_tail(client, target.namespace, driver, log_tail)
            .await
            .map(|log| wait::render_log_tail(log_tail, &id, &log)),
    )
}

/// The commands that follow an application still running.
fn follow_hint(id: &str) -> String {
    format!(
        "Follow it with:\n  kubectl spark status {id}\n  kubectl spark logs -f {id}\n  \
         kubectl spark kill {id}   # to stop it"
    )
}

/// Reports how the wait ended on stderr (the final container statuses, the failure report,
/// what to run next) and returns the exit code: 0 succeeded (or `--spark-exit-code`), 130
/// detached, [`Error::AppFailed`] (3) failed or deleted, [`Error::TimedOut`] (4).
pub fn report(
    target: &WaitTarget<'_>,
    outcome: &Outcome,
    last: Option<&Pod>,
    failure: Option<std::result::Result<String, String>>,
    reporting: &Reporting<'_>,
) -> Result<u8> {
    let id = submission_id(target);
    let ns = target.namespace;
    let pod = target.pod_name;
    let spark_exit_code = reporting.spark_exit_code;
    let timeout = reporting.timeout;
    if *outcome == Outcome::Detached {
        output::info(&format!(
            "\nStopped watching; the application keeps running. {}",
            follow_hint(&id)
        ));
        return Ok(130);
    }
    if *outcome == Outcome::TimedOut {
        let state = match last.and_then(wait::driver_why) {
            Some(why) => format!("{} ({why})", wait::phase(last)),
            None => wait::phase(last).to_string(),
        };
        output::info(&format!(
            "\nStopped waiting; the application keeps running. {}",
            follow_hint(&id)
        ));
        return Err(Error::TimedOut(format!(
            "--timeout {}: the driver pod {ns}/{pod} is still {state}; the application keeps running",
            timeout.unwrap_or_default()
        )));
    }
    let statuses = last
        .map(|p| output::container_statuses(p, 1))
        .unwrap_or_default();
    if statuses.is_empty() {
        output::info("Container final statuses:\n\nNo containers were found in the driver pod.");
    } else {
        output::info(&format!("Container final statuses:\n{statuses}"));
    }
    output::info(&format!(
        "Application {} with application ID {} and submission ID {id} finished",
        target.app_name, target.app_id
    ));
    match failure {
        Some(Ok(tail)) => output::info(&tail),
        Some(Err(e)) => output::warn(&format!("could not read the driver log: {e}")),
        None => {}
    }
    let (verdict, see) = match outcome {
        Outcome::Succeeded => return Ok(0),
        Outcome::Failed => (
            format!("the driver pod {ns}/{pod} failed"),
            format!("see `kubectl spark logs {id}` and `kubectl spark describe {id}`"),
        ),
        _ => (
            format!("the driver pod {ns}/{pod} was deleted before it finished"),
            // The pod and its log are gone: only the events (kept about an hour) remain.
            format!(
                "its log went with it; `kubectl get events -n {ns} --field-selector involvedObject.name={pod}` \
                 shows what happened to it"
            ),
        ),
    };
    if spark_exit_code {
        output::warn(&format!("{verdict} ({see})"));
        return Ok(0);
    }
    Err(Error::AppFailed(format!(
        "{verdict} ({see}; pass --spark-exit-code to exit 0 like spark-submit)"
    )))
}
