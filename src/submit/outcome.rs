//! How a wait for an application ended, reported as `submit` reports it: the final container
//! statuses, what went wrong for a failed driver, what to run next, and the exit code. Shared
//! by `submit` and `wait`, so both end the same way.

use k8s_openapi::api::core::v1::Pod;
use kube::Client;

use crate::error::{Error, Result};
use crate::operate::executors::Losses;
use crate::output;
use crate::spark::exit_codes::ExecutorLosses;
use crate::spark::failure;
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

/// What to show about a failed driver (the ONE place `submit` and `wait` get it from): the
/// error its log ends with, its exit code explained (with the executors `losses` the wait saw,
/// for the memory advice of exit 11), and the raw tail when `--log-tail` asks for it or no
/// error was found ([`failure::read`]).
pub async fn failed_driver_report(
    client: &Client,
    target: &WaitTarget<'_>,
    driver: &Pod,
    log_tail: Option<u32>,
    losses: &Losses,
) -> Option<failure::Report> {
    let id = submission_id(target);
    let subject = failure::Subject {
        who: "driver",
        id: &id,
    };
    let seen = (!losses.is_empty()).then(|| ExecutorLosses {
        lost: losses.count,
        oom_killed: losses.reasons.get("OOMKilled").copied().unwrap_or(0),
        memory_limit: None,
    });
    Some(failure::read(client, driver, log_tail, subject, seen.as_ref()).await)
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
    failure: Option<failure::Report>,
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
    // Why it failed comes first, within the first screen; the statuses and the tail follow.
    if let Some(why) = failure.as_ref().and_then(failure::Report::why_text) {
        output::info(&why);
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
    if let Some(tail) = failure.as_ref().and_then(failure::Report::tail_text) {
        output::info(&tail);
    }
    let (verdict, see) = match outcome {
        Outcome::Succeeded => return Ok(0),
        Outcome::Failed => (
            match failure.as_ref().and_then(failure::Report::short_headline) {
                Some(why) => format!("the driver pod {ns}/{pod} failed: {why}"),
                None => format!("the driver pod {ns}/{pod} failed"),
            },
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
