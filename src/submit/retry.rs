//! Resubmitting a failed application, as the operators' `restartPolicy` does: one policy for
//! a manifest's `restartPolicy` (Kubeflow's `OnFailure`/`Always` with `onFailureRetries`,
//! `onFailureRetryInterval`, `onSubmissionFailureRetries`, `onSubmissionFailureRetryInterval`;
//! Apache's `applicationTolerations.restartConfig`) and `submit --retries N --retry-interval D`. Each attempt is a new submission (new
//! application id and driver pod name: the failed one stays to be inspected); the command
//! exits with the last attempt's code. The decisions here are pure; `submit` runs the loop.

use std::time::Duration;

use crate::conf::submit_args::{Launch, SubmitOptions};
use crate::error::{Error, Result};
use crate::submit::resolve::GivenTemplates;

/// What resubmitting an application takes: the inputs of its first preparation (a new one
/// draws new ids, so a new driver pod name) and its policy.
#[derive(Debug, Clone, Default)]
pub struct Retry {
    /// When to resubmit.
    pub policy: RetryPolicy,
    /// The spark-submit options.
    pub options: SubmitOptions,
    /// Pod templates given in memory (a manifest's).
    pub templates: GivenTemplates,
    /// The target Spark version when `--spark-version` is absent.
    pub spark_version: Option<String>,
    /// What the driver runs.
    pub launch: Launch,
}

/// The operators' default pause between attempts (Kubeflow: 5 s).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

/// How often, and after what pause, a failure is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RetryPolicy {
    /// Resubmissions after the driver failed.
    pub on_failure: u32,
    /// Pause before such a resubmission.
    pub on_failure_interval: Duration,
    /// Resubmissions after the submission itself failed (the API server refused an object).
    pub on_submission_failure: u32,
    /// Pause before such a resubmission.
    pub on_submission_failure_interval: Duration,
}

/// What ended an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The driver ran and failed.
    Application,
    /// Creating the objects failed.
    Submission,
}

/// Failures counted so far, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attempts {
    /// Driver failures.
    pub application: u32,
    /// Submission failures.
    pub submission: u32,
}

impl Attempts {
    /// The 1-based number of the attempt that comes next.
    pub fn next_number(&self) -> u32 {
        self.application + self.submission + 1
    }
}

/// `spark.kubernetes.driver.pod.name`.
const POD_NAME_KEY: &str = "spark.kubernetes.driver.pod.name";

impl Retry {
    /// The options of attempt `attempt` (2, 3, …): the same, except that a driver pod name
    /// given by the user (`spark.kubernetes.driver.pod.name`, Kubeflow's `driver.podName`)
    /// gets `-retry-<n>`, since the failed attempt's pod still has the name (Spark's own
    /// names are new with every attempt anyway).
    pub fn options_for(&self, attempt: u32) -> SubmitOptions {
        let mut options = self.options.clone();
        let prefix = format!("{POD_NAME_KEY}=");
        if let Some(name) = options
            .confs
            .iter()
            .rev()
            .find_map(|c| c.strip_prefix(&prefix))
            .filter(|n| !n.is_empty())
            .map(str::to_string)
        {
            options
                .confs
                .push(format!("{prefix}{name}-retry-{}", attempt - 1));
        }
        options
    }
}

impl RetryPolicy {
    /// `submit --retries N --retry-interval D` (both for driver and submission failures).
    pub fn from_flags(retries: Option<u32>, interval: Option<&str>) -> Result<RetryPolicy> {
        let interval = match interval {
            Some(text) => {
                if retries.is_none() {
                    return Err(Error::usage(
                        "--retry-interval is the pause between retries, but --retries is not given",
                        "add --retries N, or drop --retry-interval",
                    ));
                }
                crate::operate::duration::parse_flag("--retry-interval", text)?
            }
            None => DEFAULT_INTERVAL,
        };
        let n = retries.unwrap_or(0);
        Ok(RetryPolicy {
            on_failure: n,
            on_failure_interval: interval,
            on_submission_failure: n,
            on_submission_failure_interval: interval,
        })
    }

    /// Whether any failure is retried.
    pub fn retries(&self) -> bool {
        self.on_failure > 0 || self.on_submission_failure > 0
    }

    /// After a failure of `kind` (already counted in `so_far`): the pause before the next
    /// attempt, or `None` when the retries of that kind are used up.
    pub fn next(&self, kind: Failure, so_far: Attempts) -> Option<Duration> {
        match kind {
            Failure::Application => {
                (so_far.application <= self.on_failure).then_some(self.on_failure_interval)
            }
            Failure::Submission => (so_far.submission <= self.on_submission_failure)
                .then_some(self.on_submission_failure_interval),
        }
    }

    /// The most attempts this policy can make.
    pub fn max_attempts(&self) -> u32 {
        1 + self.on_failure + self.on_submission_failure
    }
}

/// The line announcing a retry: `attempt 1 failed (the driver failed); resubmitting in 5s
/// (retry 1 of 2)`.
pub fn retry_line(
    kind: Failure,
    so_far: Attempts,
    policy: &RetryPolicy,
    pause: Duration,
) -> String {
    let (what, n, of) = match kind {
        Failure::Application => ("the driver failed", so_far.application, policy.on_failure),
        Failure::Submission => (
            "the submission failed",
            so_far.submission,
            policy.on_submission_failure,
        ),
    };
    format!(
        "attempt {} failed ({what}); resubmitting in {} (retry {n} of {of})",
        so_far.next_number() - 1,
        humantime(pause)
    )
}

/// `5s`, `1m30s`.
fn humantime(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 60, s % 60) {
        (0, s) if d.subsec_millis() > 0 && s == 0 => format!("{}ms", d.as_millis()),
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_are_counted_by_kind() {
        let p = RetryPolicy {
            on_failure: 2,
            on_failure_interval: Duration::from_secs(3),
            on_submission_failure: 1,
            on_submission_failure_interval: Duration::from_secs(7),
        };
        let mut a = Attempts::default();
        a.application += 1;
        assert_eq!(
            p.next(Failure::Application, a),
            Some(Duration::from_secs(3))
        );
        a.application += 1;
        assert_eq!(
            p.next(Failure::Application, a),
            Some(Duration::from_secs(3))
        );
        a.application += 1;
        assert_eq!(p.next(Failure::Application, a), None);
        a.submission += 1;
        assert_eq!(p.next(Failure::Submission, a), Some(Duration::from_secs(7)));
        a.submission += 1;
        assert_eq!(p.next(Failure::Submission, a), None);
        assert_eq!(p.max_attempts(), 4);
    }

    #[test]
    fn a_pod_name_the_user_gave_gets_a_retry_suffix() {
        let mut r = Retry::default();
        assert!(r.options_for(2).confs.is_empty());
        r.options
            .confs
            .push("spark.kubernetes.driver.pod.name=pi-driver".into());
        let o = r.options_for(3);
        assert_eq!(
            o.confs.last().map(String::as_str),
            Some("spark.kubernetes.driver.pod.name=pi-driver-retry-2")
        );
    }

    #[test]
    fn no_policy_retries_nothing() {
        let p = RetryPolicy::default();
        assert!(!p.retries());
        let a = Attempts {
            application: 1,
            submission: 0,
        };
        assert_eq!(p.next(Failure::Application, a), None);
    }

    #[test]
    fn flags() {
        let p = RetryPolicy::from_flags(Some(2), Some("1s")).unwrap();
        assert_eq!(p.on_failure, 2);
        assert_eq!(p.on_failure_interval, Duration::from_secs(1));
        assert_eq!(p.on_submission_failure, 2);
        let p = RetryPolicy::from_flags(Some(1), None).unwrap();
        assert_eq!(p.on_failure_interval, DEFAULT_INTERVAL);
        assert!(!RetryPolicy::from_flags(None, None).unwrap().retries());
        let e = RetryPolicy::from_flags(None, Some("5s")).unwrap_err();
        assert!(e.to_string().contains("--retries is not given"));
        assert!(RetryPolicy::from_flags(Some(1), Some("soon")).is_err());
    }

    #[test]
    fn the_retry_line_says_which_attempt_and_how_many_are_left() {
        let p = RetryPolicy {
            on_failure: 2,
            on_failure_interval: Duration::from_secs(90),
            ..RetryPolicy::default()
        };
        let a = Attempts {
            application: 1,
            submission: 0,
        };
        assert_eq!(
            retry_line(Failure::Application, a, &p, Duration::from_secs(90)),
            "attempt 1 failed (the driver failed); resubmitting in 1m30s (retry 1 of 2)"
        );
    }
}
