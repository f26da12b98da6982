//! What state an application is in, read from its driver pod and executor pods: the summary
//! behind `status`, `list`, `describe` and `cleanup`. Pure: pods and the clock go in.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use serde::{Serialize, Serializer};

use crate::app::{LABEL_APP_NAME, LABEL_APP_SELECTOR, LABEL_VERSION};
use crate::cli::AppState;
use crate::operate::duration;
use crate::operate::executors::Losses;
use crate::operate::selector::DriverRef;

pub use crate::app::{
    DEFAULT_UI_PORT, DRIVER_CONTAINER, EXECUTOR_CONTAINER, LABEL_EXEC_ID, UI_PORT_NAME, named_port,
    spark_container_name,
};

/// The state of an application: its driver pod's phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// The driver has not started (unscheduled, pulling its image…).
    Pending,
    /// The driver runs.
    Running,
    /// The driver ended with exit code 0.
    Succeeded,
    /// The driver ended otherwise.
    Failed,
    /// The node stopped reporting, or the phase is missing.
    Unknown,
    /// Ended, as a History Server knows it from the event log, whose driver pod is gone: how it
    /// ended (exit code) is not recorded there.
    Completed,
}

impl State {
    /// The state of a pod phase.
    pub fn from_phase(phase: Option<&str>) -> State {
        match phase {
            Some("Pending") => State::Pending,
            Some("Running") => State::Running,
            Some("Succeeded") => State::Succeeded,
            Some("Failed") => State::Failed,
            _ => State::Unknown,
        }
    }

    /// Whether the state is one `--state` asks for.
    pub fn is(self, wanted: AppState) -> bool {
        matches!(
            (self, wanted),
            (State::Pending, AppState::Pending)
                | (State::Running, AppState::Running)
                | (State::Succeeded, AppState::Succeeded)
                | (State::Failed, AppState::Failed)
        ) || (wanted == AppState::Completed && self.is_finished())
    }

    /// Whether the application has ended.
    pub fn is_finished(self) -> bool {
        matches!(self, State::Succeeded | State::Failed | State::Completed)
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Running => "running",
            State::Succeeded => "succeeded",
            State::Failed => "failed",
            State::Unknown => "unknown",
            State::Completed => "completed",
        }
    }
}

/// Executor pods of an application.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExecutorCounts {
    /// Executor pods running.
    pub running: usize,
    /// Executor pods that exist (in any phase).
    pub total: usize,
    /// Executors lost, by reason (see [`crate::operate::executors`]); absent when none.
    #[serde(skip_serializing_if = "Losses::is_empty")]
    pub lost: Losses,
}

impl ExecutorCounts {
    /// Counts the executor pods given (all of one application).
    pub fn of<'a>(executors: impl IntoIterator<Item = &'a Pod>) -> ExecutorCounts {
        let executors: Vec<&Pod> = executors.into_iter().collect();
        let mut counts = ExecutorCounts {
            lost: crate::operate::executors::losses_of(executors.iter().copied()),
            ..ExecutorCounts::default()
        };
        for pod in executors {
            counts.total += 1;
            if phase(pod) == Some("Running") && pod.metadata.deletion_timestamp.is_none() {
                counts.running += 1;
            }
        }
        counts
    }

    /// `1/2`, or `1/2, 4 lost (OOMKilled)`.
    pub fn text(&self) -> String {
        match self.lost.text() {
            Some(lost) => format!("{}/{}, {lost}", self.running, self.total),
            None => format!("{}/{}", self.running, self.total),
        }
    }
}

fn ts<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_string()),
        None => s.serialize_none(),
    }
}

/// What a driver pod runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppKind {
    /// A Spark application (`submit`).
    Application,
    /// A Spark Connect server (`connect`).
    ConnectServer,
}

/// One application, as `status` and `list` show it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSummary {
    /// `namespace:driver-pod`.
    pub submission_id: String,
    /// Namespace.
    pub namespace: String,
    /// Driver pod name.
    pub driver_pod: String,
    /// The `spark-app-name` label.
    pub app_name: Option<String>,
    /// The `spark-app-selector` label.
    pub app_id: Option<String>,
    /// The `spark-version` label.
    pub spark_version: Option<String>,
    /// An application, or a Spark Connect server.
    pub kind: AppKind,
    /// The driver's state: its Spark container's once that terminated (`succeeded` for exit
    /// 0, else `failed`), even while the pod's phase still says `Running` (see
    /// [`state_of`]); else the pod's phase.
    pub state: State,
    /// The driver pod's phase as Kubernetes reports it (`Running`, `Succeeded`…); `None` when
    /// the pod is gone.
    pub pod_phase: Option<String>,
    /// Why: OOMKilled, ImagePullBackOff, Unschedulable, Evicted…
    pub reason: Option<String>,
    /// The message that goes with the reason.
    pub message: Option<String>,
    /// The driver container's exit code, once it ended.
    pub exit_code: Option<i32>,
    /// The driver pod is being deleted.
    pub terminating: bool,
    /// Executor pods.
    pub executors: ExecutorCounts,
    /// When the driver pod was created.
    #[serde(serialize_with = "ts")]
    pub created: Option<Timestamp>,
    /// When the driver container started.
    #[serde(serialize_with = "ts")]
    pub started: Option<Timestamp>,
    /// When the driver container ended.
    #[serde(serialize_with = "ts")]
    pub finished: Option<Timestamp>,
    /// Seconds since creation.
    pub age_seconds: Option<i64>,
    /// Seconds from start to end (or to now while running).
    pub duration_seconds: Option<i64>,
    /// Node the driver runs on.
    pub node: Option<String>,
    /// Driver image.
    pub image: Option<String>,
    /// Spark's own view (jobs, stages, tasks, executors) of a running driver, when it was asked
    /// for (`status -o wide`, `-w`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spark: Option<crate::spark::model::SparkStatus>,
    /// The driver pod is gone: the application is known from a History Server only
    /// (`list --all`, `status --all`); `driverPod` is empty and the submission id is
    /// `namespace:app-id`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pod_gone: bool,
}

impl AppSummary {
    /// `failed (OOMKilled, exit 137)`, `pending (Unschedulable)`, `running`, `running,
    /// terminating`, `completed, pod running` (the Spark container ended with 0, the pod's phase has
    /// not followed yet: see [`state_of`]).
    pub fn state_text(&self) -> String {
        let mut details = Vec::new();
        if let Some(r) = &self.reason {
            details.push(r.clone());
        }
        if let Some(code) = self.exit_code.filter(|c| *c != 0) {
            details.push(format!("exit {code}"));
        }
        let pod_running = self.state.is_finished() && self.pod_phase.as_deref() == Some("Running");
        // A Spark container that ended with 0 while the pod still runs: `completed` (what the
        // pod's `Completed` container says), not `running (Completed)`.
        let mut text = if pod_running && self.state == State::Succeeded {
            "completed"
        } else {
            self.state.as_str()
        }
        .to_string();
        if !details.is_empty() {
            text = format!("{text} ({})", details.join(", "));
        }
        if pod_running {
            text.push_str(", pod running");
        }
        if self.terminating {
            text.push_str(", terminating");
        }
        if self.pod_gone {
            text.push_str(" (pod gone)");
        }
        text
    }
}

/// The pod's phase.
pub fn phase(pod: &Pod) -> Option<&str> {
    pod.status.as_ref().and_then(|s| s.phase.as_deref())
}

/// The status of the named container.
pub fn container_status<'a>(pod: &'a Pod, name: &str) -> Option<&'a ContainerStatus> {
    pod.status
        .as_ref()?
        .container_statuses
        .as_ref()?
        .iter()
        .find(|s| s.name == name)
}

/// The status of the driver's Spark container.
pub fn driver_status(pod: &Pod) -> Option<&ContainerStatus> {
    let name = spark_container_name(pod, DRIVER_CONTAINER)?;
    container_status(pod, &name)
}

/// The Spark UI port of a driver pod: its `spark-ui` container port, else 4040.
pub fn ui_port(pod: &Pod) -> u16 {
    named_port(pod, UI_PORT_NAME).unwrap_or(DEFAULT_UI_PORT)
}

/// Why a pod is in its phase, with a message and the Spark container's exit code.
pub fn reason(pod: &Pod, spark_container: &str) -> (Option<String>, Option<String>, Option<i32>) {
    let status = pod.status.as_ref();
    let state = spark_container_name(pod, spark_container)
        .and_then(|n| container_status(pod, &n))
        .and_then(|s| s.state.as_ref());
    let waiting = state.and_then(|s| s.waiting.as_ref());
    let terminated = state.and_then(|s| s.terminated.as_ref());
    let exit_code = terminated.map(|t| t.exit_code);
    let pod_reason = status.and_then(|s| s.reason.clone());
    let pod_message = status.and_then(|s| s.message.clone());
    match State::from_phase(phase(pod)) {
        State::Pending => {
            let unscheduled = status.and_then(|s| s.conditions.as_ref()).and_then(|c| {
                c.iter()
                    .find(|c| c.type_ == "PodScheduled" && c.status == "False")
            });
            if let Some(c) = unscheduled {
                return (
                    Some(c.reason.clone().unwrap_or_else(|| "Unschedulable".into())),
                    c.message.clone(),
                    None,
                );
            }
            let init = status
                .and_then(|s| s.init_container_statuses.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|s| s.state.as_ref())
                .find_map(|s| {
                    if let Some(w) = s
                        .waiting
                        .as_ref()
                        .filter(|w| w.reason.as_deref() != Some("PodInitializing"))
                    {
                        Some((
                            format!("Init:{}", w.reason.as_deref().unwrap_or("Waiting")),
                            w.message.clone(),
                        ))
                    } else {
                        s.terminated.as_ref().filter(|t| t.exit_code != 0).map(|t| {
                            (
                                format!("Init:{}", t.reason.as_deref().unwrap_or("Error")),
                                t.message.clone(),
                            )
                        })
                    }
                });
            if let Some((r, m)) = init {
                return (Some(r), m, None);
            }
            match waiting {
                Some(w) => (w.reason.clone(), w.message.clone(), None),
                None => (pod_reason, pod_message, None),
            }
        }
        State::Running => match (waiting, terminated) {
            (Some(w), _) => (w.reason.clone(), w.message.clone(), None),
            (None, Some(t)) => (t.reason.clone(), t.message.clone(), Some(t.exit_code)),
            _ => (None, None, None),
        },
        State::Failed => {
            if pod_reason.is_some() {
                (pod_reason, pod_message, exit_code)
            } else {
                let t = terminated;
                (
                    Some(
                        t.and_then(|t| t.reason.clone())
                            .unwrap_or_else(|| "Error".into()),
                    ),
                    t.and_then(|t| t.message.clone()),
                    exit_code,
                )
            }
        }
        State::Succeeded => (None, None, exit_code),
        State::Unknown | State::Completed => (pod_reason, pod_message, exit_code),
    }
}

/// The state of a driver from its pod's phase and its Spark container's exit code (as
/// [`reason`] reads it). The pod's phase lags its Spark container: the kubelet reports the
/// phase a moment later, and sidecar containers keep the pod `Running` as long as they run. A
/// Spark container that terminated has ended the application: `succeeded` with exit 0, else
/// `failed`.
pub fn state_of(phase: State, exit_code: Option<i32>) -> State {
    match (phase, exit_code) {
        (State::Running, Some(0)) => State::Succeeded,
        (State::Running, Some(_)) => State::Failed,
        _ => phase,
    }
}

/// When the application ended (the driver container's `finishedAt`), if it has.
pub fn finished_at(pod: &Pod) -> Option<Timestamp> {
    driver_status(pod)
        .and_then(|s| s.state.as_ref())
        .and_then(|s| s.terminated.as_ref())
        .and_then(|t| t.finished_at.as_ref())
        .map(|t| t.0)
}

/// Names of the ConfigMaps a pod mounts (for a driver: its conf map, pod templates…).
pub fn mounted_config_maps(pod: &Pod) -> Vec<String> {
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| v.config_map.as_ref().map(|c| c.name.clone()))
        .collect()
}

/// When the pod was created.
pub fn created_at(pod: &Pod) -> Option<Timestamp> {
    pod.metadata.creation_timestamp.as_ref().map(|t| t.0)
}

/// The summary of an application from its driver pod, its executor pods and the time now.
pub fn summarize<'a>(
    driver: &Pod,
    executors: impl IntoIterator<Item = &'a Pod>,
    now: Timestamp,
) -> AppSummary {
    let labels = driver.metadata.labels.clone().unwrap_or_default();
    let namespace = driver.metadata.namespace.clone().unwrap_or_default();
    let driver_pod = driver.metadata.name.clone().unwrap_or_default();
    let (reason, message, exit_code) = reason(driver, DRIVER_CONTAINER);
    let state = state_of(State::from_phase(phase(driver)), exit_code);
    // A Succeeded pod has no reason; neither has a Spark container that ended well before it.
    let reason = reason.filter(|_| state != State::Succeeded);
    let container_state = driver_status(driver).and_then(|s| s.state.as_ref());
    let started = container_state
        .and_then(|s| {
            s.running
                .as_ref()
                .and_then(|r| r.started_at.as_ref())
                .or_else(|| s.terminated.as_ref().and_then(|t| t.started_at.as_ref()))
        })
        .map(|t| t.0)
        .or_else(|| {
            (state != State::Pending)
                .then(|| {
                    driver
                        .status
                        .as_ref()
                        .and_then(|s| s.start_time.as_ref())
                        .map(|t| t.0)
                })
                .flatten()
        });
    let finished = finished_at(driver);
    let created = created_at(driver);
    let image = spark_container_name(driver, DRIVER_CONTAINER).and_then(|name| {
        driver
            .spec
            .as_ref()
            .and_then(|s| s.containers.iter().find(|c| c.name == name))
            .and_then(|c| c.image.clone())
    });
    AppSummary {
        submission_id: format!("{namespace}:{driver_pod}"),
        namespace,
        driver_pod,
        app_name: labels.get(LABEL_APP_NAME).cloned(),
        app_id: labels.get(LABEL_APP_SELECTOR).cloned(),
        spark_version: labels.get(LABEL_VERSION).cloned(),
        kind: if crate::app::is_connect_server(driver) {
            AppKind::ConnectServer
        } else {
            AppKind::Application
        },
        state,
        pod_phase: phase(driver).map(str::to_string),
        reason,
        message,
        exit_code,
        terminating: driver.metadata.deletion_timestamp.is_some(),
        executors: ExecutorCounts::of(executors),
        created,
        started,
        finished,
        age_seconds: created.map(|c| now.duration_since(c).as_secs()),
        duration_seconds: started.map(|s| finished.unwrap_or(now).duration_since(s).as_secs()),
        node: driver.spec.as_ref().and_then(|s| s.node_name.clone()),
        image,
        spark: None,
        pod_gone: false,
    }
}

/// The matcher's view of a summary.
impl From<&AppSummary> for DriverRef {
    fn from(s: &AppSummary) -> DriverRef {
        DriverRef {
            namespace: s.namespace.clone(),
            pod_name: s.driver_pod.clone(),
            app_name: s.app_name.clone(),
            app_id: s.app_id.clone(),
        }
    }
}

/// Newest first (by creation time, then namespace and pod name), for `sort_by`.
pub fn newest_first(a: &AppSummary, b: &AppSummary) -> std::cmp::Ordering {
    b.created
        .cmp(&a.created)
        .then_with(|| a.namespace.cmp(&b.namespace))
        .then_with(|| a.driver_pod.cmp(&b.driver_pod))
}

/// How the `status`/`list` table is laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableLayout {
    /// `-o wide`: adds Spark's jobs, stages and tasks, the app id, node, image and Spark
    /// version.
    pub wide: bool,
    /// A NAMESPACE column first (with `-A`, as kubectl).
    pub namespace: bool,
    /// `--no-headers`.
    pub no_headers: bool,
}

/// The `status`/`list` table: what tells runs apart (the driver pod, whose name carries the
/// submission's unique suffix), state and age come by default.
pub fn table(apps: &[AppSummary], layout: TableLayout) -> String {
    let mut header = Vec::new();
    if layout.namespace {
        header.push("NAMESPACE");
    }
    header.extend([
        "NAME",
        "DRIVER POD",
        "STATE",
        "EXECUTORS",
        "AGE",
        "DURATION",
    ]);
    if layout.wide {
        header.extend([
            "JOBS", "STAGES", "TASKS", "APP ID", "NODE", "IMAGE", "SPARK",
        ]);
    }
    let dash = || "-".to_string();
    let rows = apps.iter().map(|a| {
        let mut name = a.app_name.clone().unwrap_or_else(|| a.driver_pod.clone());
        if a.kind == AppKind::ConnectServer {
            name.push_str(" (connect)");
        }
        let mut row = Vec::new();
        if layout.namespace {
            row.push(a.namespace.clone());
        }
        row.extend([
            name,
            if a.pod_gone {
                dash()
            } else {
                a.driver_pod.clone()
            },
            a.state_text(),
            if a.pod_gone {
                dash()
            } else {
                a.executors.text()
            },
            a.age_seconds.map(duration::human).unwrap_or_else(dash),
            a.duration_seconds.map(duration::human).unwrap_or_else(dash),
        ]);
        if layout.wide {
            // `-`: not asked (not running); `?`: asked, no answer.
            let spark = |column: fn(&crate::spark::model::SparkStatus) -> String| {
                a.spark.as_ref().map_or_else(dash, column)
            };
            row.extend([
                spark(crate::spark::model::SparkStatus::jobs_column),
                spark(crate::spark::model::SparkStatus::stages_column),
                spark(crate::spark::model::SparkStatus::tasks_column),
                a.app_id.clone().unwrap_or_else(dash),
                a.node.clone().unwrap_or_else(dash),
                a.image.clone().unwrap_or_else(dash),
                a.spark_version.clone().unwrap_or_else(dash),
            ]);
        }
        row
    });
    let text = super::plain_table(&header, rows);
    if layout.no_headers {
        text.split_once('\n')
            .map(|(_, rows)| rows.to_string())
            .unwrap_or_default()
    } else {
        text
    }
}

/// One line per candidate of an ambiguous name, newest first: `  ns:pod   state   age`, for
/// ambiguity errors and confirmations.
pub fn candidate_lines(apps: &[AppSummary]) -> String {
    let mut apps: Vec<&AppSummary> = apps.iter().collect();
    apps.sort_by(|a, b| newest_first(a, b));
    let rows = apps.iter().map(|a| {
        vec![
            a.submission_id.clone(),
            a.state_text(),
            a.age_seconds
                .map(|s| format!("created {} ago", duration::human(s)))
                .unwrap_or_else(|| "-".into()),
        ]
    });
    let text = super::plain_table(&["", "", ""], rows);
    text.lines().skip(1).map(|l| format!("\n  {l}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(value: serde_json::Value) -> Pod {
        serde_json::from_value(value).unwrap()
    }

    fn now() -> Timestamp {
        "2025-01-01T11:00:00Z".parse().unwrap()
    }

    fn driver(status: serde_json::Value) -> Pod {
        pod(serde_json::json!({
            "metadata": {"name": "pi-1-driver", "namespace": "ns", "creationTimestamp": "2025-01-01T10:00:00Z",
                         "labels": {"spark-role": "driver", "spark-app-name": "pi", "spark-app-selector": "spark-1", "spark-version": "4.0.1"}},
            "spec": {"nodeName": "node-1", "containers": [
                {"name": "sidecar", "image": "busybox"},
                {"name": "spark-kubernetes-driver", "image": "apache/spark:4.0.1", "ports": [{"name": "spark-ui", "containerPort": 4041}]}]},
            "status": status,
        }))
    }

    fn terminated(reason: &str, code: i32) -> serde_json::Value {
        serde_json::json!({"name": "spark-kubernetes-driver", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"terminated": {"exitCode": code, "reason": reason, "startedAt": "2025-01-01T10:00:10Z", "finishedAt": "2025-01-01T10:02:10Z"}}})
    }

    #[test]
    fn running_driver() {
        let d = driver(
            serde_json::json!({"phase": "Running", "startTime": "2025-01-01T10:00:05Z",
            "containerStatuses": [{"name": "spark-kubernetes-driver", "image": "i", "imageID": "", "ready": true, "restartCount": 0,
                "state": {"running": {"startedAt": "2025-01-01T10:00:10Z"}}}]}),
        );
        let execs = [
            pod(serde_json::json!({"metadata": {"name": "e1"}, "status": {"phase": "Running"}})),
            pod(serde_json::json!({"metadata": {"name": "e2"}, "status": {"phase": "Pending"}})),
        ];
        let s = summarize(&d, &execs, now());
        assert_eq!(s.state, State::Running);
        assert_eq!(s.state_text(), "running");
        assert_eq!(
            s.executors,
            ExecutorCounts {
                running: 1,
                total: 2,
                lost: Losses::default(),
            }
        );
        assert_eq!(s.executors.text(), "1/2");
        let oom = pod(serde_json::json!({"metadata": {"name": "e3"},
            "spec": {"containers": [{"name": "spark-kubernetes-executor"}]}, "status": {"phase": "Failed",
            "containerStatuses": [{"name": "spark-kubernetes-executor", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
                "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}}));
        let with_loss = summarize(&d, execs.iter().chain([&oom]), now());
        assert_eq!(with_loss.executors.text(), "1/3, 1 lost (OOMKilled)");
        let json = serde_json::to_value(&with_loss).unwrap();
        assert_eq!(json["executors"]["lost"]["reasons"]["OOMKilled"], 1);
        assert_eq!(s.age_seconds, Some(3600));
        assert_eq!(s.duration_seconds, Some(3590));
        assert_eq!(s.submission_id, "ns:pi-1-driver");
        assert_eq!(s.image.as_deref(), Some("apache/spark:4.0.1"));
        assert_eq!(ui_port(&d), 4041);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["state"], "running");
        assert_eq!(json["created"], "2025-01-01T10:00:00Z");
        assert_eq!(json["executors"]["total"], 2);
    }

    #[test]
    fn oom_killed_driver() {
        let d = driver(
            serde_json::json!({"phase": "Failed", "containerStatuses": [terminated("OOMKilled", 137)]}),
        );
        let s = summarize(&d, [], now());
        assert_eq!(s.state_text(), "failed (OOMKilled, exit 137)");
        assert_eq!(s.duration_seconds, Some(120));
        assert_eq!(
            finished_at(&d),
            Some("2025-01-01T10:02:10Z".parse().unwrap())
        );
    }

    #[test]
    fn a_driver_whose_container_ended_before_its_pod_ended_by_its_exit_code() {
        // The kubelet lags, or a sidecar keeps the pod Running: the table and the machine
        // output say the same, the pod's phase is kept beside.
        let d = driver(
            serde_json::json!({"phase": "Running", "containerStatuses": [terminated("Completed", 0)]}),
        );
        let s = summarize(&d, [], now());
        assert_eq!(s.state, State::Succeeded);
        assert_eq!(s.state_text(), "completed, pod running");
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["state"], "succeeded");
        assert_eq!(json["podPhase"], "Running");
        assert_eq!(
            json["reason"],
            serde_json::Value::Null,
            "as a Succeeded pod"
        );
        assert_eq!(json["exitCode"], 0);
        let d = driver(
            serde_json::json!({"phase": "Running", "containerStatuses": [terminated("Error", 1)]}),
        );
        let s = summarize(&d, [], now());
        assert_eq!(s.state, State::Failed);
        assert_eq!(s.state_text(), "failed (Error, exit 1), pod running");
        assert_eq!(serde_json::to_value(&s).unwrap()["state"], "failed");
        // What reads the state: `--state`, the end of `status -w`, `describe`'s ended driver.
        assert!(s.state.is(AppState::Failed) && s.state.is(AppState::Completed));
        assert!(!s.state.is(AppState::Running));
        assert!(s.state.is_finished());
        // Once the phase follows, only the marker goes.
        let d = driver(
            serde_json::json!({"phase": "Failed", "containerStatuses": [terminated("Error", 1)]}),
        );
        let s = summarize(&d, [], now());
        assert_eq!(s.state_text(), "failed (Error, exit 1)");
        assert_eq!(serde_json::to_value(&s).unwrap()["podPhase"], "Failed");
        // A container waiting to start again is not an end.
        let d = driver(
            serde_json::json!({"phase": "Running", "containerStatuses": [{
            "name": "spark-kubernetes-driver", "image": "i", "imageID": "", "ready": false,
            "restartCount": 1, "state": {"running": {"startedAt": "2025-01-01T10:00:00Z"}}}]}),
        );
        assert_eq!(summarize(&d, [], now()).state, State::Running);
    }

    #[test]
    fn succeeded_driver_has_no_reason() {
        let d = driver(
            serde_json::json!({"phase": "Succeeded", "containerStatuses": [terminated("Completed", 0)]}),
        );
        assert_eq!(summarize(&d, [], now()).state_text(), "succeeded");
    }

    #[test]
    fn evicted_driver_names_the_pod_reason() {
        let d = driver(
            serde_json::json!({"phase": "Failed", "reason": "Evicted", "message": "low on memory"}),
        );
        let s = summarize(&d, [], now());
        assert_eq!(s.state_text(), "failed (Evicted)");
        assert_eq!(s.message.as_deref(), Some("low on memory"));
    }

    #[test]
    fn pending_reasons() {
        let d = driver(
            serde_json::json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
            "reason": "Unschedulable", "message": "0/2 nodes are available: 2 Insufficient cpu."}]}),
        );
        let s = summarize(&d, [], now());
        assert_eq!(s.state_text(), "pending (Unschedulable)");
        assert_eq!(
            s.message.as_deref(),
            Some("0/2 nodes are available: 2 Insufficient cpu.")
        );
        assert_eq!(s.duration_seconds, None);

        let d = driver(
            serde_json::json!({"phase": "Pending", "startTime": "2025-01-01T10:00:05Z", "containerStatuses": [
            {"name": "spark-kubernetes-driver", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
             "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}}}]}),
        );
        let s = summarize(&d, [], now());
        assert_eq!(s.state_text(), "pending (ImagePullBackOff)");
        assert_eq!(s.started, None);

        let d = driver(
            serde_json::json!({"phase": "Pending", "initContainerStatuses": [
            {"name": "init", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
             "state": {"waiting": {"reason": "ErrImagePull"}}}]}),
        );
        assert_eq!(
            summarize(&d, [], now()).state_text(),
            "pending (Init:ErrImagePull)"
        );
    }

    #[test]
    fn terminating_and_unknown() {
        let mut d = driver(serde_json::json!({"phase": "Running"}));
        d.metadata.deletion_timestamp =
            Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(now()));
        assert_eq!(
            summarize(&d, [], now()).state_text(),
            "running, terminating"
        );
        let d = driver(serde_json::json!({}));
        assert_eq!(summarize(&d, [], now()).state, State::Unknown);
    }

    #[test]
    fn spark_container_is_named_or_last() {
        let p = pod(serde_json::json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}));
        assert_eq!(
            spark_container_name(&p, DRIVER_CONTAINER).as_deref(),
            Some("b")
        );
        assert_eq!(ui_port(&p), DEFAULT_UI_PORT);
    }

    #[test]
    fn tables() {
        let d = driver(
            serde_json::json!({"phase": "Failed", "containerStatuses": [terminated("OOMKilled", 137)]}),
        );
        let s = summarize(&d, [], now());
        let text = table(std::slice::from_ref(&s), TableLayout::default());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("NAME   DRIVER POD"), "{text}");
        assert!(!lines[0].contains("NAMESPACE") && !lines[0].contains("APP ID"));
        assert!(lines[1].starts_with("pi     pi-1-driver "), "{text}");
        assert!(lines[1].contains("failed (OOMKilled, exit 137)"));
        assert!(lines[1].contains("0/0"));
        assert!(lines[1].ends_with("2m"), "{text}");
        let wide = TableLayout {
            wide: true,
            namespace: true,
            no_headers: false,
        };
        let header = table(std::slice::from_ref(&s), wide);
        let header = header.lines().next().unwrap();
        assert!(header.starts_with("NAMESPACE   NAME") && header.ends_with("SPARK"));
        let bare = TableLayout {
            no_headers: true,
            ..TableLayout::default()
        };
        assert_eq!(table(&[s], bare), format!("{}\n", lines[1]));
    }

    #[test]
    fn candidates_are_newest_first_with_state_and_age() {
        let old = summarize(&driver(serde_json::json!({"phase": "Running"})), [], now());
        let mut new = old.clone();
        new.submission_id = "ns:pi-2-driver".into();
        new.created = Some("2025-01-01T10:59:00Z".parse().unwrap());
        new.age_seconds = Some(60);
        let text = candidate_lines(&[old, new]);
        let lines: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].starts_with("  ns:pi-2-driver   running   created 60s ago"),
            "{text}"
        );
        assert!(
            lines[1].starts_with("  ns:pi-1-driver   running   created 60m ago"),
            "{text}"
        );
    }

    #[test]
    fn sorts_newest_first() {
        let mut a = summarize(&driver(serde_json::json!({})), [], now());
        let mut b = a.clone();
        b.created = Some("2025-01-01T10:30:00Z".parse().unwrap());
        b.driver_pod = "b".into();
        a.driver_pod = "a".into();
        let mut apps = [a, b];
        apps.sort_by(newest_first);
        assert_eq!(apps[0].driver_pod, "b");
    }
}
