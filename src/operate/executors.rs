//! Tracking an application's executor pods while it runs: what each one is waiting for
//! (Unschedulable and the scheduler's message, ImagePullBackOff…), how the failed ones ended
//! (`OOMKilled, exit 137`), and the losses counted by reason. Pure: fed with the pods a watch
//! sees (applied or deleted), it yields report lines once per change, never per tick.
//!
//! Spark deletes a failed executor's pod about two seconds after it failed; the tracker keeps
//! what the pod said until then, so the report and the loss count survive the deletion.
//!
//! What counts as lost: an executor whose Spark container ended with a non-zero exit code, or
//! whose pod failed (evicted…), before anything asked to delete it. An executor deleted while
//! it runs is not counted: Spark deletes its executors that way when it stops and when dynamic
//! allocation scales down, and the API shows no difference with a deletion by hand.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, Pod};
use serde::Serialize;

use crate::operate::summary::{self, EXECUTOR_CONTAINER, LABEL_EXEC_ID};
use crate::operate::waiting;
use crate::spark::model::Executor;

/// Executors lost, by reason (`OOMKilled`, `Error`, `Evicted`…).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Losses {
    /// How many executors were lost.
    pub count: usize,
    /// How many of them for each reason.
    pub reasons: BTreeMap<String, usize>,
    /// The ids of the executors counted without a reason (gone with their pods), which
    /// Spark's view may name ([`Losses::complete`]).
    #[serde(skip)]
    pub unnamed: BTreeSet<String>,
    /// The ids of the executors whose end their pods or events told (lost or not): Spark's
    /// view never counts them again.
    #[serde(skip)]
    pub accounted: BTreeSet<String>,
}

impl Losses {
    /// Whether nothing was lost.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Adds one loss.
    pub fn add(&mut self, reason: &str) {
        self.count += 1;
        *self.reasons.entry(reason.to_string()).or_default() += 1;
    }

    /// Adds every loss of another count.
    pub fn merge(&mut self, other: &Losses) {
        self.count += other.count;
        for (reason, n) in &other.reasons {
            *self.reasons.entry(reason.clone()).or_default() += n;
        }
        self.unnamed.extend(other.unnamed.iter().cloned());
        self.accounted.extend(other.accounted.iter().cloned());
    }

    /// Completes the count with Spark's view of the executors it removed (its REST API's
    /// `removeReason`, see [`crate::spark::model::Removal`]): an executor counted without a reason gets Spark's
    /// (`OOMKilled`, else `exit N`); one that neither its pod nor its events told about (events
    /// expire after an hour, or could not be read) is counted when Spark says it failed, but
    /// not for SIGTERM's 143 (a deletion's). An executor already counted is never counted again.
    pub fn complete(&mut self, executors: &[Executor]) {
        for e in executors {
            let Some(removal) = e.removal() else {
                continue;
            };
            let Some(reason) = removal.loss_reason() else {
                continue;
            };
            let deleted = removal.exit_code == Some(SIGTERM_EXIT) && !removal.oom_killed;
            if self.unnamed.remove(&e.id) {
                *self.reasons.entry(reason).or_default() += 1;
            } else if !deleted && self.accounted.insert(e.id.clone()) {
                self.add(&reason);
            }
        }
    }

    /// `4 lost (OOMKilled)`, `3 lost (2 OOMKilled, 1 Error)`, `2 lost`, or None without losses.
    pub fn text(&self) -> Option<String> {
        if self.count == 0 {
            return None;
        }
        let named: usize = self.reasons.values().sum();
        let reasons: Vec<String> = match self.reasons.len() {
            0 => Vec::new(),
            1 if named == self.count => self.reasons.keys().cloned().collect(),
            _ => self
                .reasons
                .iter()
                .map(|(r, n)| format!("{n} {r}"))
                .collect(),
        };
        Some(if reasons.is_empty() {
            format!("{} lost", self.count)
        } else {
            format!("{} lost ({})", self.count, reasons.join(", "))
        })
    }
}

/// How an executor pod ended badly: `OOMKilled, exit 137`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Termination {
    /// Kubernetes' reason (`OOMKilled`, `Error`, `Evicted`…).
    pub reason: String,
    /// The Spark container's exit code, when it ended.
    pub exit_code: Option<i32>,
    /// The message that goes with the reason (an eviction's), if any.
    pub message: Option<String>,
}

impl Termination {
    /// `OOMKilled, exit 137`, `Evicted: The node was low on resource: memory.`
    pub fn text(&self) -> String {
        let mut text = self.reason.clone();
        if let Some(code) = self.exit_code {
            text.push_str(&format!(", exit {code}"));
        }
        if let Some(m) = self
            .message
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            text.push_str(&format!(": {m}"));
        }
        text
    }
}

/// What an executor pod is doing, as far as the report cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Not running yet; why, when something is wrong.
    Pending(Option<String>),
    /// Its Spark container runs.
    Running,
    /// It ended well (Spark stopped it).
    Succeeded,
    /// It ended badly.
    Failed(Termination),
    /// It is being deleted.
    Terminating,
}

/// The condition of an executor pod.
pub fn condition(pod: &Pod) -> Condition {
    if let Some(t) = termination(pod) {
        return Condition::Failed(t);
    }
    if pod.metadata.deletion_timestamp.is_some() {
        return Condition::Terminating;
    }
    match summary::phase(pod) {
        Some("Succeeded") => Condition::Succeeded,
        Some("Running") => match waiting::why(pod, EXECUTOR_CONTAINER) {
            // Running with a waiting container: CrashLoopBackOff, CreateContainerConfigError…
            Some(why) if !container_running(pod) => Condition::Pending(Some(why)),
            _ => Condition::Running,
        },
        _ => Condition::Pending(waiting::why(pod, EXECUTOR_CONTAINER).filter(|w| !benign(w))),
    }
}

/// Waiting reasons that are the normal way to start, not trouble.
fn benign(why: &str) -> bool {
    matches!(
        why_class(why).as_str(),
        "ContainerCreating" | "PodInitializing"
    )
}

fn container_running(pod: &Pod) -> bool {
    summary::spark_container_name(pod, EXECUTOR_CONTAINER)
        .and_then(|n| summary::container_status(pod, &n).cloned())
        .and_then(|s| s.state)
        .is_some_and(|s| s.running.is_some())
}

/// How the pod's Spark container (or the pod) ended badly, if it did.
pub fn termination(pod: &Pod) -> Option<Termination> {
    let failed_phase = summary::phase(pod) == Some("Failed");
    let terminated = summary::spark_container_name(pod, EXECUTOR_CONTAINER)
        .and_then(|n| summary::container_status(pod, &n).cloned())
        .and_then(|s| s.state)
        .and_then(|s| s.terminated);
    match terminated {
        Some(t) if t.exit_code != 0 => Some(Termination {
            reason: t.reason.unwrap_or_else(|| "Error".into()),
            exit_code: Some(t.exit_code),
            message: None,
        }),
        _ if failed_phase => {
            let (reason, message, exit_code) = summary::reason(pod, EXECUTOR_CONTAINER);
            Some(Termination {
                reason: reason.unwrap_or_else(|| "Failed".into()),
                exit_code: exit_code.filter(|c| *c != 0),
                message,
            })
        }
        _ => None,
    }
}

/// The executor id of a pod (its `spark-exec-id` label), else its name's `-exec-N` suffix.
pub fn executor_id(pod: &Pod) -> Option<String> {
    pod.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(LABEL_EXEC_ID))
        .cloned()
        .or_else(|| {
            pod.metadata
                .name
                .as_deref()
                .and_then(|n| n.rsplit_once("-exec-"))
                .map(|(_, id)| id.to_string())
        })
}

/// One executor as last seen.
#[derive(Debug, Clone)]
struct Seen {
    id: Option<String>,
    condition: Condition,
    /// What was last reported about it (a change of class prints a new line).
    reported: Option<String>,
    lost: bool,
    deleted: bool,
}

/// The executors of one application, as a watch sees them. See the module comment.
#[derive(Debug, Clone, Default)]
pub struct Tracker {
    namespace: String,
    executors: BTreeMap<String, Seen>,
    losses: Losses,
}

impl Tracker {
    /// An empty tracker for an application in `namespace` (used in the lines).
    pub fn new(namespace: &str) -> Tracker {
        Tracker {
            namespace: namespace.to_string(),
            ..Tracker::default()
        }
    }

    /// A pod was added or changed; returns the lines to report (none when nothing new).
    pub fn apply(&mut self, pod: &Pod) -> Vec<String> {
        let Some(name) = pod.metadata.name.clone() else {
            return Vec::new();
        };
        let condition = condition(pod);
        let deleting = pod.metadata.deletion_timestamp.is_some();
        let seen = self.executors.entry(name.clone()).or_insert_with(|| Seen {
            id: executor_id(pod),
            condition: Condition::Pending(None),
            reported: None,
            lost: false,
            deleted: false,
        });
        // What a pod said before its deletion began is kept: a pod being deleted after it
        // failed still reads as failed, and one deleted while running stays running (the
        // SIGTERM of its deletion ends it with 143: that is no loss).
        let stopped_by_deletion = match &condition {
            Condition::Failed(t) => t.exit_code == Some(SIGTERM_EXIT),
            _ => true,
        };
        if deleting && stopped_by_deletion {
            if matches!(seen.condition, Condition::Pending(_)) {
                seen.condition = Condition::Terminating;
            }
            return Vec::new();
        }
        seen.condition = condition.clone();
        let mut lines = Vec::new();
        let label = executor_label(seen.id.as_deref(), &self.namespace, &name);
        match &condition {
            Condition::Pending(Some(why)) => {
                let class = why_class(why);
                if seen.reported.as_deref() != Some(class.as_str()) {
                    seen.reported = Some(class);
                    lines.push(format!("{label} is Pending: {why}"));
                }
            }
            Condition::Failed(t) if !seen.lost => {
                seen.lost = true;
                seen.reported = Some(format!("failed:{}", t.reason));
                self.losses.add(&t.reason);
                lines.push(format!(
                    "{label} failed: {} ({} so far)",
                    t.text(),
                    self.losses.text().unwrap_or_default()
                ));
            }
            Condition::Running if seen.reported.is_some() && !seen.lost => {
                // It was reported waiting: say that it got over it.
                seen.reported = None;
                lines.push(format!("{label} is Running"));
            }
            _ => {}
        }
        lines
    }

    /// A pod was deleted; nothing is reported (its failure, if any, was), but what it said is
    /// kept.
    pub fn delete(&mut self, pod: &Pod) -> Vec<String> {
        let lines = if termination(pod).is_some() {
            self.apply(pod)
        } else {
            Vec::new()
        };
        if let Some(seen) = pod
            .metadata
            .name
            .as_ref()
            .and_then(|n| self.executors.get_mut(n))
        {
            seen.deleted = true;
        }
        lines
    }

    /// The losses so far.
    pub fn losses(&self) -> &Losses {
        &self.losses
    }

    /// Executor pods seen since the start (deleted ones included).
    pub fn seen(&self) -> usize {
        self.executors.len()
    }

    /// `executors: 2 running, 1 pending, 4 lost (OOMKilled)`: the state in a few words, for
    /// the spinner.
    pub fn status_text(&self) -> String {
        let live = self.executors.values().filter(|s| !s.deleted);
        let (mut running, mut pending) = (0, 0);
        for s in live {
            match s.condition {
                Condition::Running => running += 1,
                Condition::Pending(_) => pending += 1,
                _ => {}
            }
        }
        let mut parts = vec![format!("{running} running")];
        if pending > 0 {
            parts.push(format!("{pending} pending"));
        }
        if let Some(lost) = self.losses.text() {
            parts.push(lost);
        }
        format!("executors: {}", parts.join(", "))
    }
}

/// `Executor 3 (pod ns/app-exec-3)`.
fn executor_label(id: Option<&str>, namespace: &str, pod: &str) -> String {
    match id {
        Some(id) => format!("Executor {id} (pod {namespace}/{pod})"),
        None => format!("Executor pod {namespace}/{pod}"),
    }
}

/// What decides whether a waiting reason is news: its reason word, with the kubelet's two
/// alternating image pull reasons taken as one (else each retry would print a line).
fn why_class(why: &str) -> String {
    let reason = why.split(':').next().unwrap_or(why).trim();
    match reason {
        "ErrImagePull" | "ImagePullBackOff" => "ImagePull".into(),
        other => other.to_string(),
    }
}

/// The exit code of a container ended by SIGTERM (a deletion's).
const SIGTERM_EXIT: i32 = 143;

/// The losses of executor pods listed now (no watch): those that failed. Pods Spark already
/// deleted are gone from the API; a pod being deleted whose container the deletion's SIGTERM
/// ended (143: Spark stopping its executors at the end, or a user) is no loss, as the tracker
/// of a watch counts it.
pub fn losses_of<'a>(pods: impl IntoIterator<Item = &'a Pod>) -> Losses {
    let mut losses = Losses::default();
    for pod in pods {
        let stopped_by_deletion = |t: &Termination| {
            pod.metadata.deletion_timestamp.is_some() && t.exit_code == Some(SIGTERM_EXIT)
        };
        if let Some(t) = termination(pod).filter(|t| !stopped_by_deletion(t)) {
            losses.add(&t.reason);
        }
        losses.accounted.extend(executor_id(pod));
    }
    losses
}

/// The property naming the executor pods' prefix (`<prefix>-exec-<id>`).
pub const POD_NAME_PREFIX_KEY: &str = "spark.kubernetes.executor.podNamePrefix";

/// The name prefixes of an application's executor pods (`<prefix>-exec-<id>`), so that what
/// was recorded about executors Spark already deleted can still be found: from the driver's
/// `spark.properties` (`spark.kubernetes.executor.podNamePrefix`), from executor pods that
/// still exist, and Spark's default (the driver pod's name without `-driver`).
pub fn pod_name_prefixes(driver: &Pod, properties: Option<&str>, executors: &[Pod]) -> Vec<String> {
    let mut prefixes = Vec::new();
    let configured = properties
        .and_then(|t| crate::conf::properties::parse(t).ok())
        .and_then(|props| {
            props
                .into_iter()
                .rev()
                .find(|(k, _)| k == POD_NAME_PREFIX_KEY)
                .map(|(_, v)| v)
        });
    let from_pods = executors
        .iter()
        .filter_map(|p| p.metadata.name.as_deref())
        .filter_map(|n| {
            n.rsplit_once("-exec-")
                .map(|(prefix, _)| prefix.to_string())
        });
    let default = driver
        .metadata
        .name
        .as_deref()
        .and_then(|n| n.strip_suffix("-driver"))
        .map(str::to_string);
    for prefix in configured.into_iter().chain(from_pods).chain(default) {
        if !prefix.is_empty() && !prefixes.contains(&prefix) {
            prefixes.push(prefix);
        }
    }
    prefixes
}

/// The prefix and executor id of an executor pod's name, `<prefix>-exec-<digits>`.
pub fn split_executor_pod_name(name: &str) -> Option<(&str, &str)> {
    name.rsplit_once("-exec-")
        .filter(|(_, id)| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// The executor pod name prefixes of events (the involved pods named `<prefix>-exec-<N>`), in
/// order of appearance: of an application's own events, its prefixes.
pub fn prefixes_in(events: &[Event]) -> Vec<String> {
    let mut prefixes: Vec<String> = Vec::new();
    for e in events {
        let o = &e.involved_object;
        if let Some((prefix, _)) = o
            .name
            .as_deref()
            .filter(|_| o.kind.as_deref() == Some("Pod"))
            .and_then(split_executor_pod_name)
            && !prefixes.iter().any(|p| p == prefix)
        {
            prefixes.push(prefix.to_string());
        }
    }
    prefixes
}

/// Whether a pod name is `<prefix>-exec-<digits>` for one of the prefixes.
pub fn is_executor_pod_name(name: &str, prefixes: &[String]) -> bool {
    prefixes.iter().any(|prefix| {
        name.strip_prefix(prefix.as_str())
            .and_then(|rest| rest.strip_prefix("-exec-"))
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// The name prefix of executor pods that left events but whose application cannot be told
/// from its driver: a Python application that names itself (`SparkSession.builder.appName`)
/// gets executor pods named after that name, not after the submission. Among the events of
/// pods named `<prefix>-exec-<N>` recorded while the driver lived (`since`..`until`), whose
/// prefix is not one of `known` and not one of `others` (other applications' executors still
/// there), the one prefix left, if exactly one is (two could be two applications: none is
/// guessed). None as well when the `known` prefixes have events of their own.
pub fn orphan_prefix(
    events: &[Event],
    known: &[String],
    others: &[String],
    since: Option<Timestamp>,
    until: Option<Timestamp>,
) -> Option<String> {
    let mut found: Vec<&str> = Vec::new();
    for e in events {
        let o = &e.involved_object;
        let Some(name) = o
            .name
            .as_deref()
            .filter(|_| o.kind.as_deref() == Some("Pod"))
        else {
            continue;
        };
        let Some((prefix, _)) = split_executor_pod_name(name) else {
            continue;
        };
        if known.iter().any(|k| k == prefix) {
            return None;
        }
        let t = event_time(e);
        let inside = t.is_none_or(|t| since.is_none_or(|s| t >= s) && until.is_none_or(|u| t <= u));
        if inside && !others.iter().any(|k| k == prefix) && !found.contains(&prefix) {
            found.push(prefix);
        }
    }
    match found.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

/// When an event was last seen.
pub fn event_time(e: &Event) -> Option<Timestamp> {
    e.last_timestamp
        .as_ref()
        .or(e.first_timestamp.as_ref())
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

/// Executors of a RUNNING application that are gone from the API but left events: those that
/// started and that the kubelet did not have to stop (no `Killing` event) ended by themselves, which an executor
/// of a running application only does by failing, and Spark then deleted them. (Spark's own
/// removals, scale-downs and deletions by hand stop a running container: `Killing`.) Their
/// reason is gone with the pod, except an eviction's: the ids of those counted without one are
/// kept for Spark's view to name ([`Losses::complete`]). `present` are the executor pods that
/// still exist (counted from their own status); `since` is the driver's creation.
pub fn lost_in_events(
    events: &[Event],
    prefixes: &[String],
    present: &[&str],
    since: Option<Timestamp>,
) -> Losses {
    #[derive(Default)]
    struct Gone<'a> {
        started: bool,
        stopped: bool,
        reason: Option<&'a str>,
    }
    let mut gone: BTreeMap<&str, Gone> = BTreeMap::new();
    for e in events {
        let o = &e.involved_object;
        let Some(name) = o.name.as_deref() else {
            continue;
        };
        if o.kind.as_deref() != Some("Pod")
            || present.contains(&name)
            || !is_executor_pod_name(name, prefixes)
            || event_time(e).zip(since).is_some_and(|(t, s)| t < s)
        {
            continue;
        }
        let entry = gone.entry(name).or_default();
        match e.reason.as_deref() {
            Some("Started") => entry.started = true,
            Some("Killing") => entry.stopped = true,
            Some(r @ ("Evicted" | "Preempted" | "OOMKilling")) => entry.reason = Some(r),
            _ => {}
        }
    }
    let mut losses = Losses::default();
    for (name, pod) in gone {
        let id = split_executor_pod_name(name).map(|(_, id)| id.to_string());
        match pod.reason {
            Some(r) => losses.add(r),
            None if pod.started && !pod.stopped => {
                losses.count += 1;
                losses.unnamed.extend(id.clone());
            }
            None => {}
        }
        losses.accounted.extend(id);
    }
    losses
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, phase: &str, state: serde_json::Value) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": "ns", "labels": {"spark-exec-id": name.rsplit('-').next().unwrap()}},
            "spec": {"restartPolicy": "Never", "containers": [{"name": "spark-kubernetes-executor"}]},
            "status": {"phase": phase, "containerStatuses": [
                {"name": "spark-kubernetes-executor", "image": "i", "imageID": "", "ready": false, "restartCount": 0, "state": state}]}
        }))
        .unwrap()
    }

    fn unschedulable(name: &str) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name},
            "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
                "reason": "Unschedulable", "message": "0/2 nodes are available: 2 Insufficient memory."}]}
        }))
        .unwrap()
    }

    fn oom(name: &str) -> Pod {
        pod(
            name,
            "Failed",
            serde_json::json!({"terminated": {"exitCode": 137, "reason": "OOMKilled"}}),
        )
    }

    fn deleting(mut pod: Pod) -> Pod {
        pod.metadata.deletion_timestamp =
            Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                "2025-01-01T10:00:00Z".parse().unwrap(),
            ));
        pod
    }

    #[test]
    fn losses_read_as_the_issue_asks() {
        let mut l = Losses::default();
        assert_eq!(l.text(), None);
        for _ in 0..4 {
            l.add("OOMKilled");
        }
        assert_eq!(l.text().as_deref(), Some("4 lost (OOMKilled)"));
        l.add("Error");
        assert_eq!(l.text().as_deref(), Some("5 lost (1 Error, 4 OOMKilled)"));
        let mut unnamed = Losses {
            count: 2,
            ..Losses::default()
        };
        assert_eq!(unnamed.text().as_deref(), Some("2 lost"));
        unnamed.merge(&l);
        assert_eq!(unnamed.count, 7);
        assert_eq!(
            unnamed.text().as_deref(),
            Some("7 lost (1 Error, 4 OOMKilled)")
        );
    }

    #[test]
    fn oom_killed_executors_are_reported_once_and_counted_after_deletion() {
        let mut t = Tracker::new("ns");
        let running = pod("app-exec-1", "Running", serde_json::json!({"running": {}}));
        assert_eq!(t.apply(&running), Vec::<String>::new());
        assert_eq!(t.status_text(), "executors: 1 running");
        let lines = t.apply(&oom("app-exec-1"));
        assert_eq!(
            lines,
            vec![
                "Executor 1 (pod ns/app-exec-1) failed: OOMKilled, exit 137 (1 lost (OOMKilled) so far)"
            ]
        );
        // The same failure seen again, then while Spark deletes the pod, then its deletion:
        // nothing new, still one loss.
        assert!(t.apply(&oom("app-exec-1")).is_empty());
        assert!(t.apply(&deleting(oom("app-exec-1"))).is_empty());
        assert!(t.delete(&deleting(oom("app-exec-1"))).is_empty());
        assert_eq!(t.losses().count, 1);
        // A second one: a second line and the running count.
        assert!(
            t.apply(&pod(
                "app-exec-2",
                "Pending",
                serde_json::json!({"waiting": {"reason": "ContainerCreating"}})
            ))
            .is_empty(),
            "ContainerCreating is not trouble"
        );
        let lines = t.apply(&oom("app-exec-2"));
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].ends_with("(2 lost (OOMKilled) so far)"),
            "{lines:?}"
        );
        assert_eq!(t.status_text(), "executors: 0 running, 2 lost (OOMKilled)");
        assert_eq!(t.seen(), 2);
    }

    #[test]
    fn a_failure_first_seen_in_the_deletion_event_still_counts() {
        let mut t = Tracker::new("ns");
        let lines = t.delete(&deleting(oom("app-exec-3")));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(t.losses().reasons["OOMKilled"], 1);
    }

    #[test]
    fn executors_deleted_while_running_or_succeeded_are_not_losses() {
        let mut t = Tracker::new("ns");
        let running = pod("app-exec-1", "Running", serde_json::json!({"running": {}}));
        t.apply(&running);
        assert!(t.apply(&deleting(running.clone())).is_empty());
        assert!(t.delete(&deleting(running)).is_empty());
        let done = pod(
            "app-exec-2",
            "Succeeded",
            serde_json::json!({"terminated": {"exitCode": 0, "reason": "Completed"}}),
        );
        assert!(t.apply(&done).is_empty());
        assert!(t.delete(&done).is_empty());
        // Terminated by SIGTERM after the deletion began (Spark stopping it): not a loss.
        t.apply(&pod(
            "app-exec-4",
            "Running",
            serde_json::json!({"running": {}}),
        ));
        let stopped = deleting(pod(
            "app-exec-4",
            "Failed",
            serde_json::json!({"terminated": {"exitCode": 143, "reason": "Error"}}),
        ));
        assert!(t.apply(&stopped).is_empty());
        assert!(t.delete(&stopped).is_empty());
        assert_eq!(t.losses().count, 0);
        // A listing counts it the same way; an OOMKilled pod being deleted stays a loss.
        assert_eq!(losses_of([&stopped]).count, 0);
        assert_eq!(losses_of([&deleting(oom("app-exec-5"))]).count, 1);
        assert_eq!(t.status_text(), "executors: 0 running");
    }

    #[test]
    fn pending_reasons_are_reported_once_per_change() {
        let mut t = Tracker::new("ns");
        let lines = t.apply(&unschedulable("app-exec-1"));
        assert_eq!(
            lines,
            vec![
                "Executor 1 (pod ns/app-exec-1) is Pending: Unschedulable: 0/2 nodes are available: 2 Insufficient memory."
            ]
        );
        assert!(t.apply(&unschedulable("app-exec-1")).is_empty());
        let pull = |reason: &str| {
            pod(
                "app-exec-1",
                "Pending",
                serde_json::json!({"waiting": {"reason": reason, "message": "Back-off pulling image \"localhost/nope:1\""}}),
            )
        };
        let lines = t.apply(&pull("ErrImagePull"));
        assert_eq!(
            lines,
            vec![
                "Executor 1 (pod ns/app-exec-1) is Pending: ErrImagePull: Back-off pulling image \"localhost/nope:1\""
            ]
        );
        // The kubelet alternates ErrImagePull and ImagePullBackOff: one line, not one per retry.
        assert!(t.apply(&pull("ImagePullBackOff")).is_empty());
        assert!(t.apply(&pull("ErrImagePull")).is_empty());
        assert_eq!(t.status_text(), "executors: 0 running, 1 pending");
        let lines = t.apply(&pod(
            "app-exec-1",
            "Running",
            serde_json::json!({"running": {}}),
        ));
        assert_eq!(lines, vec!["Executor 1 (pod ns/app-exec-1) is Running"]);
        let config = pod(
            "app-exec-2",
            "Pending",
            serde_json::json!({"waiting": {"reason": "CreateContainerConfigError", "message": "secret \"s\" not found"}}),
        );
        assert_eq!(
            t.apply(&config),
            vec![
                "Executor 2 (pod ns/app-exec-2) is Pending: CreateContainerConfigError: secret \"s\" not found"
            ]
        );
    }

    #[test]
    fn evicted_executors_are_lost_with_the_eviction_message() {
        let evicted: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "app-exec-5"},
            "status": {"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory."}
        }))
        .unwrap();
        let mut t = Tracker::new("ns");
        assert_eq!(
            t.apply(&evicted),
            vec![
                "Executor 5 (pod ns/app-exec-5) failed: Evicted: The node was low on resource: memory. (1 lost (Evicted) so far)"
            ]
        );
        assert_eq!(losses_of([&evicted, &oom("a-exec-1")]).count, 2);
        assert_eq!(
            losses_of([&pod(
                "a-exec-2",
                "Running",
                serde_json::json!({"running": {}})
            )])
            .count,
            0
        );
    }

    #[test]
    fn executor_pod_names_survive_their_pods() {
        let driver: Pod =
            serde_json::from_value(serde_json::json!({"metadata": {"name": "pi-1a2b-driver"}}))
                .unwrap();
        assert_eq!(pod_name_prefixes(&driver, None, &[]), vec!["pi-1a2b"]);
        let props = "spark.app.name=pi\nspark.kubernetes.executor.podNamePrefix=etl\n";
        let exec = pod(
            "other-exec-7",
            "Running",
            serde_json::json!({"running": {}}),
        );
        let prefixes = pod_name_prefixes(&driver, Some(props), &[exec]);
        assert_eq!(prefixes, vec!["etl", "other", "pi-1a2b"]);
        assert!(is_executor_pod_name("pi-1a2b-exec-12", &prefixes));
        assert!(is_executor_pod_name("etl-exec-1", &prefixes));
        assert!(!is_executor_pod_name("pi-1a2b-driver", &prefixes));
        assert!(!is_executor_pod_name("pi-1a2b-exec-", &prefixes));
        assert!(!is_executor_pod_name("pi-1a2b-exec-1x", &prefixes));
        assert!(!is_executor_pod_name("pi-1a2bc-exec-1", &prefixes));
    }

    fn event(pod: &str, reason: &str, at: &str) -> Event {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("{pod}.{reason}")},
            "involvedObject": {"kind": "Pod", "name": pod},
            "reason": reason,
            "lastTimestamp": at,
        }))
        .unwrap()
    }

    #[test]
    fn executors_gone_without_being_stopped_were_lost() {
        let at = "2025-01-01T10:05:00Z";
        let events = [
            // exec-1 and exec-2 started and ended by themselves (OOMKilled, then deleted).
            event("app-exec-1", "Started", at),
            event("app-exec-2", "Started", at),
            // exec-3 was stopped by the kubelet (deleted while running): not lost.
            event("app-exec-3", "Started", at),
            event("app-exec-3", "Killing", at),
            // exec-4 still exists (its own status counts), exec-5 was evicted, exec-6 never
            // started (deleted while Pending).
            event("app-exec-4", "Started", at),
            event("app-exec-5", "Evicted", at),
            event("app-exec-6", "Scheduled", at),
            // Another application's executor, and an older run of the same prefix.
            event("other-exec-1", "Started", at),
            event("app-exec-9", "Started", "2025-01-01T09:00:00Z"),
        ];
        let losses = lost_in_events(
            &events,
            &["app".to_string()],
            &["app-exec-4"],
            Some("2025-01-01T10:00:00Z".parse().unwrap()),
        );
        assert_eq!(losses.count, 3);
        assert_eq!(losses.text().as_deref(), Some("3 lost (1 Evicted)"));
        assert!(lost_in_events(&events, &[], &[], None).is_empty());
    }

    /// Spark's `removeReason` of an executor its Kubernetes backend saw end
    /// (`ExecutorPodsLifecycleManager`), as `/allexecutors` gives it.
    fn removed(id: &str, reason: &str) -> Executor {
        serde_json::from_value(
            serde_json::json!({"id": id, "isActive": false, "removeReason": reason}),
        )
        .unwrap()
    }

    const OOM_REASON: &str = "\nThe executor with id 2 exited with exit code 137(SIGKILL, possible container OOM).\n\n\n\nThe API gave the following container statuses:\n\n\n\t container name: spark-kubernetes-executor\n\t container image: localhost/kubectl-spark/spark:4.0.5\n\t container state: terminated\n\t container started at: 2026-12-07T08:41:44Z\n\t container finished at: 2026-12-07T08:41:45Z\n\t exit code: 137\n\t termination reason: OOMKilled\n      ";

    #[test]
    fn spark_names_the_losses_the_events_could_not() {
        let at = "2025-01-01T10:05:00Z";
        // exec-1 failed and its pod is still there; exec-2 and exec-3 are gone (their events
        // count them, without a reason); exec-4 was deleted (Killing); exec-5 left no event.
        let failed = oom("app-exec-1");
        let events = [
            event("app-exec-2", "Started", at),
            event("app-exec-3", "Started", at),
            event("app-exec-4", "Started", at),
            event("app-exec-4", "Killing", at),
        ];
        let mut lost = losses_of([&failed]);
        lost.merge(&lost_in_events(
            &events,
            &["app".to_string()],
            &["app-exec-1"],
            None,
        ));
        assert_eq!(lost.text().as_deref(), Some("3 lost (1 OOMKilled)"));
        let spark = [
            // The pod's own status counted it: Spark's word adds nothing.
            removed("1", &OOM_REASON.replace("id 2", "id 1")),
            removed("2", OOM_REASON),
            removed(
                "3",
                "The executor with id 3 exited with exit code 1(generic, look at logs to clarify).\n",
            ),
            // Deleted while it ran: its events said so, Spark's 143 does not make it a loss.
            removed(
                "4",
                "The executor with id 4 exited with exit code 143(unexpected).\n",
            ),
            // Its events expired: Spark alone tells it failed.
            removed(
                "5",
                "The executor with id 5 exited with exit code 52(JVM OOM).\n",
            ),
            // Spark's own removals name no failure.
            removed(
                "6",
                "The executor with id 6 was deleted by a user or the framework.\n",
            ),
            removed("7", "Executor killed by driver."),
            removed(
                "8",
                "The executor with id 8 exited with exit code 143(unexpected).\n",
            ),
            serde_json::from_value(serde_json::json!({"id": "9", "isActive": true})).unwrap(),
        ];
        let mut completed = lost.clone();
        completed.complete(&spark);
        assert_eq!(
            completed.text().as_deref(),
            Some("4 lost (2 OOMKilled, 1 exit 1, 1 exit 52)")
        );
        // Asked again (`status -w` completes each fetch): nothing counts twice.
        completed.complete(&spark);
        assert_eq!(completed.count, 4);
        assert_eq!(completed.reasons.values().sum::<usize>(), 4);
        // What Spark does not know (an executor killed before it registered) stays unnamed.
        let mut unknown = lost.clone();
        unknown.complete(&spark[..1]);
        assert_eq!(unknown.text().as_deref(), Some("3 lost (1 OOMKilled)"));
        // The JSON keeps its shape.
        assert_eq!(
            serde_json::to_value(&completed).unwrap(),
            serde_json::json!({"count": 4, "reasons": {"OOMKilled": 2, "exit 1": 1, "exit 52": 1}})
        );
    }

    #[test]
    fn the_one_unclaimed_executor_prefix_of_the_drivers_lifetime() {
        let at = "2025-01-01T10:05:00Z";
        let since = Some("2025-01-01T10:00:00Z".parse().unwrap());
        let until = Some("2025-01-01T10:10:00Z".parse().unwrap());
        let known = ["app".to_string()];
        let events = [
            event("pythonpi-1a-exec-1", "Started", at),
            event("pythonpi-1a-exec-2", "Started", at),
            event("busy-exec-1", "Started", at),
            event("old-exec-1", "Started", "2025-01-01T09:00:00Z"),
            event("app-driver", "Started", at),
        ];
        let others = ["busy".to_string()];
        assert_eq!(
            orphan_prefix(&events, &known, &others, since, until).as_deref(),
            Some("pythonpi-1a")
        );
        // Two candidates: no guess. The known prefix has events: no need to guess.
        assert_eq!(orphan_prefix(&events, &known, &[], since, until), None);
        let mut mine = events.to_vec();
        mine.push(event("app-exec-1", "Started", at));
        assert_eq!(orphan_prefix(&mine, &known, &others, since, until), None);
    }
}
