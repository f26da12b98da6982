//! The report of a failed driver, shared by `submit` (exit 3), `connect`, `wait` and
//! `describe`: the error that ended it (its [`cause`](crate::spark::cause)), what its exit code
//! means with the fix that fits, and the raw tail of its log when asked for (`--log-tail N`),
//! or when no error was found in the log.
//!
//! [`compose`] is pure (the pod and the log text in, lines out); [`read`] fetches the log first.

use k8s_openapi::api::core::v1::Pod;
use kube::Client;

use crate::operate::summary::{self, DRIVER_CONTAINER};
use crate::spark::cause::{self, Cause, CauseKind};
use crate::spark::exit_codes::{self, ExecutorLosses, Role, Termination};

/// How many lines of the log are read to look for the cause (the error is rarely further from
/// the end: what follows it is shutdown noise).
pub const LOG_LINES_READ: u32 = 5000;
/// How many raw lines are shown when no cause was found and `--log-tail` was not given.
pub const DEFAULT_TAIL: u32 = 20;

/// The longest headline a one-line verdict carries.
const VERDICT_CHARS: usize = 160;

/// What the report is about.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// How the process is named in sentences: `driver`, `server`.
    pub who: &'a str,
    /// The submission id (`ns:name`), for the commands the report names.
    pub id: &'a str,
}

/// A failed driver's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The error found in the log, if any.
    pub cause: Option<Cause>,
    /// The cause's lines: a header, the lines (indented), the fix when there is one.
    pub cause_lines: Vec<String>,
    /// What the exit code means, with the fix that fits.
    pub exit: Option<String>,
    /// The raw tail (with its header), why the log could not be read, or where the whole log is.
    pub tail: Vec<String>,
}

impl Report {
    /// The report as one text (no trailing newline): the cause first.
    pub fn text(&self) -> String {
        join(self.cause_lines.iter().chain(&self.exit).chain(&self.tail))
    }

    /// The cause and the exit code explained (what comes first, within the first screen), or
    /// `None` when there is neither.
    pub fn why_text(&self) -> Option<String> {
        let text = join(self.cause_lines.iter().chain(&self.exit));
        (!text.is_empty()).then_some(text)
    }

    /// The raw tail, or where the whole log is, or why it could not be read; `None` when none.
    pub fn tail_text(&self) -> Option<String> {
        let text = join(self.tail.iter());
        (!text.is_empty()).then_some(text)
    }

    /// The line that names the error (`ValueError: bad record id=7`).
    pub fn headline(&self) -> Option<&str> {
        self.cause.as_ref().map(|c| c.headline.as_str())
    }

    /// [`Report::headline`] cut to fit a one-line verdict.
    pub fn short_headline(&self) -> Option<String> {
        let headline = self.headline()?;
        Some(match headline.char_indices().nth(VERDICT_CHARS) {
            Some((at, _)) => format!("{}…", &headline[..at]),
            None => headline.to_string(),
        })
    }
}

/// The report of `pod`, a driver that ended, from its `log` (or why it could not be read):
/// the cause, the exit code explained, then the raw tail: `tail` lines when given (0: none),
/// otherwise [`DEFAULT_TAIL`] lines only when no cause was found. `losses` is what the caller
/// saw of lost executors (otherwise the log is asked).
pub fn compose(
    pod: &Pod,
    log: Result<&str, &str>,
    tail: Option<u32>,
    subject: Subject<'_>,
    losses: Option<&ExecutorLosses>,
) -> Report {
    let who = subject.who;
    let found = log.ok().and_then(cause::find);
    let mut cause_lines = Vec::new();
    if let Some(c) = &found {
        cause_lines.push(format!(
            "Why the {who} failed ({}, line {} of {} of its log):",
            c.kind.as_str(),
            c.line,
            c.of
        ));
        cause_lines.extend(c.lines.iter().map(|l| format!("  {l}")));
        if let Some(fix) = fix_for(c) {
            cause_lines.push(format!("Fix: {fix}"));
        }
    }
    let from_log;
    let losses = match (losses, log) {
        (Some(l), _) => Some(l),
        (None, Ok(text)) => {
            from_log = exit_codes::losses_in_log(text);
            Some(&from_log)
        }
        (None, Err(_)) => None,
    };
    let exit = termination(pod).and_then(|t| {
        let oom_killed = t.reason.as_deref() == Some("OOMKilled");
        if t.exit_code == 1 && found.is_some() && !oom_killed {
            Some("exit 1: the application failed with the error above".to_string())
        } else {
            exit_codes::explain(Role::Driver, &t, losses)
        }
        .map(|text| capitalise(&text))
    });
    let mut tail_lines = Vec::new();
    match log {
        Err(e) => tail_lines.push(format!("Could not read the {who}'s log: {e}")),
        Ok(text) => {
            let wanted = match (tail, &found) {
                (Some(n), _) => n,
                (None, Some(_)) => 0,
                (None, None) => DEFAULT_TAIL,
            };
            if wanted > 0 {
                tail_lines.push(crate::submit::wait::render_log_tail(
                    wanted, subject.id, text,
                ));
            } else if found.is_some() && tail.is_none() {
                tail_lines.push(format!(
                    "All of the log: kubectl spark logs {} (--log-tail N adds its last N lines here)",
                    subject.id
                ));
            }
        }
    }
    Report {
        cause: found,
        cause_lines,
        exit,
        tail: tail_lines,
    }
}

/// Reads the end of `pod`'s log (bounded in time) and composes its report.
pub async fn read(
    client: &Client,
    pod: &Pod,
    tail: Option<u32>,
    subject: Subject<'_>,
    losses: Option<&ExecutorLosses>,
) -> Report {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let log = crate::submit::wait::driver_log_tail(client, &ns, pod, LOG_LINES_READ).await;
    compose(
        pod,
        log.as_deref().map_err(String::as_str),
        tail,
        subject,
        losses,
    )
}

/// How the Spark container of `pod` ended, with its memory limit.
pub fn termination(pod: &Pod) -> Option<Termination> {
    let name = summary::spark_container_name(pod, DRIVER_CONTAINER)?;
    let terminated = summary::container_status(pod, &name)?
        .state
        .as_ref()?
        .terminated
        .as_ref()?;
    let memory_limit = pod
        .spec
        .as_ref()
        .and_then(|s| s.containers.iter().find(|c| c.name == name))
        .and_then(|c| c.resources.as_ref())
        .and_then(|r| r.limits.as_ref())
        .and_then(|l| l.get("memory"))
        .map(|q| q.0.clone());
    Some(Termination {
        exit_code: terminated.exit_code,
        reason: terminated.reason.clone(),
        memory_limit,
    })
}

/// The fix for a cause that has one: a refused API request needs the rights `setup` grants; a
/// Python worker that crashed was most likely killed for its memory.
fn fix_for(c: &Cause) -> Option<String> {
    if c.lines
        .iter()
        .any(|l| l.contains("Python worker exited unexpectedly (crashed)"))
    {
        return Some(
            "a Python worker on an executor was killed, most often by the kernel for using more \
             memory than the executor's container may: raise spark.executor.memoryOverhead \
             (Python's memory is counted there), or bound it with spark.executor.pyspark.memory"
                .to_string(),
        );
    }
    if c.kind != CauseKind::KubernetesApi {
        return None;
    }
    let (ns, sa) = c.service_account.as_ref()?;
    let setup = crate::preflight::grant_fix(ns, "spark");
    Some(if sa == "spark" {
        format!("the service account `spark` lacks a driver's rights: run `{setup}`")
    } else {
        format!(
            "the driver ran as service account `{sa}`, which may not do this: run `{setup}` and \
             submit with --conf spark.kubernetes.authenticate.driver.serviceAccountName=spark \
             (or `{}`)",
            crate::preflight::grant_fix(ns, sa)
        )
    })
}

fn join<'a>(lines: impl Iterator<Item = &'a String>) -> String {
    lines.map(String::as_str).collect::<Vec<_>>().join("\n")
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/logs/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// A driver pod that ended with `exit_code` and `reason`, with a memory limit.
    fn ended(exit_code: i32, reason: &str) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "app-driver", "namespace": "ns"},
            "spec": {"containers": [{"name": "spark-kubernetes-driver",
                "resources": {"limits": {"memory": "1408Mi"}}}]},
            "status": {"phase": "Failed", "containerStatuses": [{
                "name": "spark-kubernetes-driver", "image": "spark:4.0.5", "imageID": "",
                "ready": false, "restartCount": 0,
                "state": {"terminated": {"exitCode": exit_code, "reason": reason}}}]}
        }))
        .unwrap()
    }

    const SUBJECT: Subject<'static> = Subject {
        who: "driver",
        id: "ns:app-driver",
    };

    #[test]
    fn the_cause_comes_first_and_no_tail_unless_asked() {
        let log = fixture("python-driver-raises.log");
        let r = compose(&ended(1, "Error"), Ok(&log), None, SUBJECT, None);
        assert_eq!(
            r.text(),
            "Why the driver failed (Python exception, line 74 of 102 of its log):\n\
             \x20   File \"/tmp/spark-cae529b3-154a-4b5f-841f-ddc4674fb801/driver_raises.py\", line 6, in check\n      \
             raise ValueError(f\"bad record id={record['id']}\")\n  \
             ValueError: bad record id=7\n\
             Exit 1: the application failed with the error above\n\
             All of the log: kubectl spark logs ns:app-driver (--log-tail N adds its last N lines here)"
        );
        assert_eq!(
            r.short_headline().as_deref(),
            Some("ValueError: bad record id=7")
        );

        // --log-tail N: the raw tail too, after the cause; 0: nothing more.
        let r = compose(&ended(1, "Error"), Ok(&log), Some(2), SUBJECT, None);
        let tail = r.tail_text().unwrap();
        assert!(tail.starts_with("Last 2 lines of the driver log"), "{tail}");
        assert!(
            tail.ends_with("s3a-file-system metrics system shutdown complete."),
            "{tail}"
        );
        assert!(
            r.why_text()
                .unwrap()
                .contains("ValueError: bad record id=7")
        );
        let r = compose(&ended(1, "Error"), Ok(&log), Some(0), SUBJECT, None);
        assert_eq!(r.tail_text(), None);
    }

    #[test]
    fn without_a_cause_the_raw_tail_is_shown() {
        let log: String = (1..=30)
            .map(|n| format!("26/12/07 08:00:00 INFO X: line {n}\n"))
            .collect();
        let r = compose(&ended(1, "Error"), Ok(&log), None, SUBJECT, None);
        assert_eq!(r.cause, None);
        assert!(r.cause_lines.is_empty());
        assert_eq!(
            r.exit.as_deref(),
            Some(
                "Exit 1: the application failed (an uncaught exception, or it exited with 1); the driver's log says why"
            )
        );
        let tail = r.tail_text().unwrap();
        assert!(
            tail.starts_with("Last 20 lines of the driver log"),
            "{tail}"
        );
        assert!(
            tail.contains("line 11\n") && !tail.contains("line 10\n"),
            "{tail}"
        );
    }

    #[test]
    fn an_oom_killed_driver_names_the_memory_it_had() {
        let r = compose(&ended(137, "OOMKilled"), Ok(""), None, SUBJECT, None);
        let exit = r.exit.unwrap();
        assert!(
            exit.starts_with(
                "Exit 137, OOMKilled: the driver container used more than its memory limit of 1408Mi"
            ),
            "{exit}"
        );
        assert!(exit.contains("spark.driver.memoryOverhead"), "{exit}");
    }

    #[test]
    fn a_refusal_says_how_to_grant_the_rights() {
        let log = fixture("forbidden-service-account.log");
        let r = compose(&ended(1, "Error"), Ok(&log), None, SUBJECT, None);
        let why = r.why_text().unwrap();
        assert!(
            why.starts_with(
                "Why the driver failed (Kubernetes API error, line 152 of 274 of its log):"
            ),
            "{why}"
        );
        assert!(
            why.contains(
                "Fix: the driver ran as service account `default`, which may not do this: run \
                 `kubectl spark setup -n causes-fx-nosetup` and submit with --conf \
                 spark.kubernetes.authenticate.driver.serviceAccountName=spark"
            ),
            "{why}"
        );
    }

    #[test]
    fn exit_11_explains_executor_failures() {
        let log = fixture("executors-failed-exit-11.log");
        let r = compose(&ended(11, "Error"), Ok(&log), None, SUBJECT, None);
        assert!(r.cause_lines[1].contains("Max number of executor failures (2) reached"));
        let exit = r.exit.unwrap();
        assert!(exit.starts_with("Exit 11: Spark stopped the application after too many executor failures (spark.executor.maxNumFailures"), "{exit}");
        // What the wait saw of the executors gives the memory advice.
        let losses = ExecutorLosses {
            lost: 3,
            oom_killed: 3,
            memory_limit: Some("544Mi".into()),
        };
        let r = compose(&ended(11, "Error"), Ok(&log), None, SUBJECT, Some(&losses));
        assert!(
            r.exit
                .unwrap()
                .contains("3 of 3 executors lost were OOMKilled (each had 544Mi)"),
        );
    }

    #[test]
    fn a_python_worker_crash_points_at_memory() {
        let log = fixture("python-worker-crashed.log");
        let r = compose(&ended(1, "Error"), Ok(&log), None, SUBJECT, None);
        assert!(
            r.why_text()
                .unwrap()
                .contains("Fix: a Python worker on an executor was killed")
        );
    }

    #[test]
    fn an_unreadable_log_still_explains_the_exit_code() {
        let r = compose(
            &ended(143, "Error"),
            Err("no answer within 10 s"),
            None,
            SUBJECT,
            None,
        );
        assert_eq!(r.cause, None);
        assert!(r.exit.as_deref().unwrap().starts_with("Exit 143 (SIGTERM)"));
        assert_eq!(
            r.tail_text().as_deref(),
            Some("Could not read the driver's log: no answer within 10 s")
        );
    }
}
