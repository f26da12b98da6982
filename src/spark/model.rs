//! Spark's REST API data (`/api/v1/applications/…`) as typed values, and [`SparkSnapshot`],
//! the pure summary built from them that progress lines, `status -o wide` and `describe` show.
//!
//! Only the fields read are declared; every one has a default, and unknown fields and enum
//! values are accepted, so answers of Spark 3.5 to 4.x (and of a History Server) all parse.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One entry of `/applications`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Application {
    /// Spark's application id (`spark-…`, the `spark-app-selector` label).
    pub id: String,
    /// `spark.app.name`.
    pub name: String,
    /// The attempts (one for a live driver).
    pub attempts: Vec<ApplicationAttempt>,
}

/// One attempt of an application.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ApplicationAttempt {
    /// Whether the attempt ended.
    pub completed: bool,
    /// The Spark version that ran it.
    pub app_spark_version: Option<String>,
}

/// A job's status (`JobExecutionStatus`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum JobStatus {
    /// Running.
    Running,
    /// Ended well.
    Succeeded,
    /// Ended with a failure.
    Failed,
    /// Anything else (`UNKNOWN`, or a value a newer Spark adds).
    #[default]
    #[serde(other)]
    Unknown,
}

/// One entry of `/jobs`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Job {
    /// The job id.
    pub job_id: i64,
    /// The call site that started it (`count at pi.py:42`).
    pub name: String,
    /// Its status.
    pub status: JobStatus,
    /// Ids of its stages.
    pub stage_ids: Vec<i64>,
    /// Tasks of its stages.
    pub num_tasks: i64,
    /// Tasks running.
    pub num_active_tasks: i64,
    /// Tasks completed.
    pub num_completed_tasks: i64,
    /// Tasks of skipped stages.
    pub num_skipped_tasks: i64,
    /// Tasks failed.
    pub num_failed_tasks: i64,
    /// Stages running.
    pub num_active_stages: i64,
    /// Stages completed.
    pub num_completed_stages: i64,
    /// Stages skipped (their output was already there).
    pub num_skipped_stages: i64,
    /// Stages failed.
    pub num_failed_stages: i64,
}

/// A stage's status (`StageStatus`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum StageStatus {
    /// Running.
    Active,
    /// Ended well.
    Complete,
    /// Ended with a failure.
    Failed,
    /// Waiting for its parents.
    Pending,
    /// Not run: its output was already there.
    Skipped,
    /// A value a newer Spark adds.
    #[default]
    #[serde(other)]
    Unknown,
}

impl StageStatus {
    /// The value of `/stages?status=`.
    pub fn query_value(self) -> &'static str {
        match self {
            StageStatus::Active => "active",
            StageStatus::Complete => "complete",
            StageStatus::Failed => "failed",
            StageStatus::Pending => "pending",
            StageStatus::Skipped | StageStatus::Unknown => "skipped",
        }
    }
}

/// One entry of `/stages`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Stage {
    /// Its status.
    pub status: StageStatus,
    /// The stage id.
    pub stage_id: i64,
    /// The attempt (a stage is retried after a fetch failure).
    pub attempt_id: i64,
    /// The call site (`reduceByKey at job.py:12`).
    pub name: String,
    /// Tasks.
    pub num_tasks: i64,
    /// Tasks running.
    pub num_active_tasks: i64,
    /// Tasks completed.
    pub num_complete_tasks: i64,
    /// Tasks failed (each retry counts).
    pub num_failed_tasks: i64,
    /// Tasks killed.
    pub num_killed_tasks: i64,
    /// Why a failed stage failed.
    pub failure_reason: Option<String>,
}

/// One entry of `/allexecutors` (the driver is one, with id `driver`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Executor {
    /// `driver` or the executor id (`1`, `2`…; the pod's `spark-exec-id` label).
    pub id: String,
    /// `ip:port` of its block manager.
    pub host_port: String,
    /// Whether it is alive.
    pub is_active: bool,
    /// Cores it offers.
    pub total_cores: i64,
    /// Storage memory used, bytes.
    pub memory_used: i64,
    /// Storage memory available, bytes.
    pub max_memory: i64,
    /// Tasks running on it.
    pub active_tasks: i64,
    /// Tasks that failed on it.
    pub failed_tasks: i64,
    /// Tasks completed on it.
    pub completed_tasks: i64,
    /// Why Spark removed it (`The executor with id 2 exited with exit code 137(SIGKILL…)`).
    pub remove_reason: Option<String>,
}

impl Executor {
    /// Whether this is the driver's entry.
    pub fn is_driver(&self) -> bool {
        self.id == "driver"
    }

    /// How a removed executor ended, as its `removeReason` says; None while it is alive or
    /// without a reason.
    pub fn removal(&self) -> Option<Removal> {
        (!self.is_active)
            .then_some(self.remove_reason.as_deref())
            .flatten()
            .map(Removal::of)
    }
}

/// How Spark says an executor ended: its `removeReason` read for the exit code and the
/// container's OOM kill. On Kubernetes Spark writes `The executor with id 2 exited with exit
/// code 137(SIGKILL, possible container OOM).` followed by the container statuses the API gave
/// (`termination reason: OOMKilled`); on YARN `Container from a bad node: … Exit status: 137.
/// Diagnostics: … OOMKilled …`. An executor Spark deleted itself, or that someone deleted,
/// reads `The executor with id 3 was deleted by a user or the framework.` (no exit code).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removal {
    /// The exit code it names, if any.
    pub exit_code: Option<i32>,
    /// Whether the container was OOMKilled.
    pub oom_killed: bool,
}

impl Removal {
    /// Reads a `removeReason`.
    pub fn of(reason: &str) -> Removal {
        let code_after = |marker: &str| {
            let rest = &reason[reason.find(marker)? + marker.len()..];
            let rest = rest.trim_start();
            let end = rest
                .char_indices()
                .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
                .map_or(rest.len(), |(i, _)| i);
            rest[..end].parse::<i32>().ok()
        };
        Removal {
            exit_code: code_after("exited with exit code")
                .or_else(|| code_after("Exit status:"))
                .or_else(|| code_after("exit code:")),
            oom_killed: reason.contains("OOMKilled"),
        }
    }

    /// The reason a loss is counted under: `OOMKilled`, else `exit N` for a failure's exit
    /// code; None when nothing says it failed (exit 0, Spark's unknown -1, no code).
    pub fn loss_reason(&self) -> Option<String> {
        if self.oom_killed {
            return Some("OOMKilled".into());
        }
        self.exit_code
            .filter(|c| *c > 0)
            .map(|c| format!("exit {c}"))
    }
}

/// One entry of `/stages/{id}/{attempt}/taskList`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Task {
    /// The task id.
    pub task_id: i64,
    /// Its index in the stage.
    pub index: i64,
    /// Its attempt.
    pub attempt: i64,
    /// The executor it ran on.
    pub executor_id: String,
    /// `SUCCESS`, `FAILED`, `RUNNING`, `KILLED`.
    pub status: String,
    /// A failed task's error (the exception and its stack).
    pub error_message: Option<String>,
}

/// A stage running now, as a progress bar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveStage {
    /// The stage id.
    pub stage_id: i64,
    /// The attempt.
    pub attempt_id: i64,
    /// The call site.
    pub name: String,
    /// Tasks completed.
    pub done: i64,
    /// Tasks running.
    pub running: i64,
    /// Tasks.
    pub total: i64,
    /// Tasks failed.
    pub failed: i64,
}

/// A stage that failed, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedStage {
    /// The stage id.
    pub stage_id: i64,
    /// The attempt.
    pub attempt_id: i64,
    /// The call site.
    pub name: String,
    /// The first line of the first failed task's error, else of the stage's failure reason.
    pub error: Option<String>,
}

/// Jobs by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    /// Running.
    pub running: usize,
    /// Succeeded.
    pub succeeded: usize,
    /// Failed.
    pub failed: usize,
    /// All jobs.
    pub total: usize,
}

/// What Spark says about one application at one moment: its jobs, stages and executors.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparkSnapshot {
    /// Jobs, by id.
    pub jobs: Vec<Job>,
    /// Stages (every attempt), by id then attempt.
    pub stages: Vec<Stage>,
    /// Executors, not the driver, by id (numerically).
    pub executors: Vec<Executor>,
    /// Failed tasks read for stages with failures: (stage id, attempt) → tasks.
    pub failed_tasks: BTreeMap<(i64, i64), Vec<Task>>,
}

impl SparkSnapshot {
    /// Builds a snapshot from what the REST API returned (in any order).
    pub fn new(mut jobs: Vec<Job>, mut stages: Vec<Stage>, executors: Vec<Executor>) -> Self {
        jobs.sort_by_key(|j| j.job_id);
        stages.sort_by_key(|s| (s.stage_id, s.attempt_id));
        let mut executors: Vec<Executor> =
            executors.into_iter().filter(|e| !e.is_driver()).collect();
        executors.sort_by(|a, b| executor_order(&a.id).cmp(&executor_order(&b.id)));
        SparkSnapshot {
            jobs,
            stages,
            executors,
            failed_tasks: BTreeMap::new(),
        }
    }

    /// Jobs by status.
    pub fn job_counts(&self) -> JobCounts {
        let mut c = JobCounts {
            total: self.jobs.len(),
            ..JobCounts::default()
        };
        for j in &self.jobs {
            match j.status {
                JobStatus::Running => c.running += 1,
                JobStatus::Succeeded => c.succeeded += 1,
                JobStatus::Failed => c.failed += 1,
                JobStatus::Unknown => {}
            }
        }
        c
    }

    /// The stages running now, by id.
    pub fn active_stages(&self) -> Vec<ActiveStage> {
        self.stages
            .iter()
            .filter(|s| s.status == StageStatus::Active)
            .map(|s| ActiveStage {
                stage_id: s.stage_id,
                attempt_id: s.attempt_id,
                name: s.name.clone(),
                done: s.num_complete_tasks,
                running: s.num_active_tasks,
                total: s.num_tasks,
                failed: s.num_failed_tasks,
            })
            .collect()
    }

    /// The stages that failed, with the first line of their error.
    pub fn failed_stages(&self) -> Vec<FailedStage> {
        self.stages
            .iter()
            .filter(|s| s.status == StageStatus::Failed)
            .map(|s| FailedStage {
                stage_id: s.stage_id,
                attempt_id: s.attempt_id,
                name: s.name.clone(),
                error: self
                    .first_task_error(s.stage_id, s.attempt_id)
                    .or_else(|| s.failure_reason.as_deref().and_then(error_line)),
            })
            .collect()
    }

    /// The first line of the first failed task's error in a stage attempt, if one was read.
    pub fn first_task_error(&self, stage_id: i64, attempt_id: i64) -> Option<String> {
        self.failed_tasks
            .get(&(stage_id, attempt_id))?
            .iter()
            .find_map(|t| t.error_message.as_deref().and_then(error_line))
    }

    /// Stage attempts whose failed tasks are worth reading (failed, or running with
    /// failures), at most `limit`, the most recent first.
    pub fn stages_with_failures(&self, limit: usize) -> Vec<(i64, i64)> {
        self.stages
            .iter()
            .rev()
            .filter(|s| {
                s.status == StageStatus::Failed
                    || (s.status == StageStatus::Active && s.num_failed_tasks > 0)
            })
            .filter(|s| s.num_failed_tasks > 0 || s.failure_reason.is_none())
            .take(limit)
            .map(|s| (s.stage_id, s.attempt_id))
            .collect()
    }

    /// Tasks completed and tasks to run, over every job (tasks of skipped stages excluded).
    pub fn tasks(&self) -> (i64, i64) {
        self.jobs.iter().fold((0, 0), |(done, total), j| {
            (
                done + j.num_completed_tasks,
                total + (j.num_tasks - j.num_skipped_tasks).max(0),
            )
        })
    }

    /// Executors alive.
    pub fn executors_active(&self) -> usize {
        self.executors.iter().filter(|e| e.is_active).count()
    }

    /// Executors Spark removed (lost, or released by dynamic allocation).
    pub fn executors_lost(&self) -> usize {
        self.executors.iter().filter(|e| !e.is_active).count()
    }

    /// The figures `status -o wide` shows.
    pub fn counts(&self) -> SparkCounts {
        let (tasks_done, tasks_total) = self.tasks();
        SparkCounts {
            jobs: self.job_counts(),
            stages_active: self.active_stages().len(),
            stages_failed: self.failed_stages().len(),
            tasks_done,
            tasks_total,
            executors_active: self.executors_active(),
            executors_lost: self.executors_lost(),
        }
    }
}

/// The figures of one snapshot (`status -o wide`'s columns, `-o json`'s `spark` field).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SparkCounts {
    /// Jobs by status.
    pub jobs: JobCounts,
    /// Stages running.
    pub stages_active: usize,
    /// Stages failed.
    pub stages_failed: usize,
    /// Tasks completed.
    pub tasks_done: i64,
    /// Tasks to run.
    pub tasks_total: i64,
    /// Executors alive.
    pub executors_active: usize,
    /// Executors removed.
    pub executors_lost: usize,
}

/// What `status` shows of Spark's view: the figures, or why there are none (`?` in tables).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SparkStatus {
    /// The figures, when the driver answered.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub counts: Option<SparkCounts>,
    /// Why it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl SparkStatus {
    /// The figures of a snapshot, or the error of a request round.
    pub fn of<E: std::fmt::Display>(answer: &Result<SparkSnapshot, E>) -> SparkStatus {
        match answer {
            Ok(s) => SparkStatus {
                counts: Some(s.counts()),
                error: None,
            },
            Err(e) => SparkStatus {
                counts: None,
                error: Some(e.to_string()),
            },
        }
    }

    /// The JOBS column: `2/3` (done of all), `2/3, 1 failed`; `?` without an answer.
    pub fn jobs_column(&self) -> String {
        self.counts.map_or_else(unknown, |c| {
            let mut text = format!("{}/{}", c.jobs.succeeded + c.jobs.failed, c.jobs.total);
            if c.jobs.failed > 0 {
                text.push_str(&format!(", {} failed", c.jobs.failed));
            }
            text
        })
    }

    /// The STAGES column: `1 active`, `1 active, 2 failed`.
    pub fn stages_column(&self) -> String {
        self.counts.map_or_else(unknown, |c| {
            let mut text = format!("{} active", c.stages_active);
            if c.stages_failed > 0 {
                text.push_str(&format!(", {} failed", c.stages_failed));
            }
            text
        })
    }

    /// The TASKS column: `120/400` (done of all).
    pub fn tasks_column(&self) -> String {
        self.counts
            .map_or_else(unknown, |c| format!("{}/{}", c.tasks_done, c.tasks_total))
    }
}

fn unknown() -> String {
    "?".into()
}

/// Numeric ids in numeric order, others after.
fn executor_order(id: &str) -> (u64, &str) {
    (id.parse().unwrap_or(u64::MAX), id)
}

/// The line of an error that says what went wrong: for a Python traceback (inside a
/// `PythonException` or a stage's failure reason), its exception line
/// (`ValueError: bad record id=7`); otherwise the first non-empty line.
pub fn error_line(text: &str) -> Option<String> {
    if let Some((_, traceback)) = text.split_once("Traceback (most recent call last):") {
        // The frames are indented; the exception line is the last line at the margin before
        // the JVM's `\tat …` frames or a blank line.
        let exception = traceback
            .lines()
            .skip(1)
            .take_while(|l| !l.trim().is_empty() && !l.starts_with('\t'))
            .filter(|l| !l.starts_with(' '))
            .last();
        if let Some(line) = exception {
            return Some(line.trim().to_string());
        }
    }
    first_line(text)
}

/// The first non-empty line of a text, trimmed.
pub fn first_line(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_and_values_are_accepted() {
        let stage: Stage = serde_json::from_value(json!({
            "status": "SOMETHING_NEW", "stageId": 3, "attemptId": 0, "numTasks": 4,
            "brandNewField": {"x": 1}
        }))
        .unwrap();
        assert_eq!(stage.status, StageStatus::Unknown);
        assert_eq!(stage.num_tasks, 4);
        assert_eq!(stage.num_active_tasks, 0, "missing fields default");
        let job: Job = serde_json::from_value(json!({"jobId": 1, "status": "RUNNING"})).unwrap();
        assert_eq!(job.status, JobStatus::Running);
        let e: Executor = serde_json::from_value(json!({"id": "driver"})).unwrap();
        assert!(e.is_driver());
    }

    #[test]
    fn real_answers_parse() {
        let read = |name: &str| {
            std::fs::read_to_string(format!(
                "{}/tests/fixtures/spark-rest/{name}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        let apps: Vec<Application> = serde_json::from_str(&read("applications.json")).unwrap();
        assert!(apps[0].id.starts_with("spark-"), "{apps:?}");
        assert_eq!(
            apps[0].attempts[0].app_spark_version.as_deref(),
            Some("4.0.5")
        );
        assert!(!apps[0].attempts[0].completed);
        let all: Vec<Stage> = serde_json::from_str(&read("stages.json")).unwrap();
        let statuses: std::collections::BTreeSet<_> =
            all.iter().map(|s| format!("{:?}", s.status)).collect();
        assert_eq!(
            statuses.into_iter().collect::<Vec<_>>(),
            ["Active", "Complete", "Failed"]
        );
        assert!(all.iter().all(|s| s.num_tasks > 0));
        let failed = all
            .iter()
            .find(|s| s.status == StageStatus::Failed)
            .unwrap();
        assert!(
            failed
                .failure_reason
                .as_deref()
                .is_some_and(|r| r.starts_with("Job aborted due to stage failure")),
            "{failed:?}"
        );
        let executors: Vec<Executor> = serde_json::from_str(&read("allexecutors.json")).unwrap();
        assert_eq!(
            executors
                .iter()
                .map(|e| (e.id.as_str(), e.is_active))
                .collect::<Vec<_>>(),
            [("1", true), ("driver", true)]
        );
        assert!(executors[0].max_memory > 0 && executors[0].total_cores == 1);
    }

    fn stage(id: i64, status: &str, done: i64, running: i64, total: i64, failed: i64) -> Stage {
        serde_json::from_value(json!({"stageId": id, "attemptId": 0, "status": status,
            "name": format!("stage {id}"), "numTasks": total, "numActiveTasks": running,
            "numCompleteTasks": done, "numFailedTasks": failed}))
        .unwrap()
    }

    #[test]
    fn a_snapshot_sums_up() {
        let jobs: Vec<Job> = serde_json::from_value(json!([
            {"jobId": 1, "status": "RUNNING", "numTasks": 40, "numCompletedTasks": 12, "numSkippedTasks": 10},
            {"jobId": 0, "status": "SUCCEEDED", "numTasks": 8, "numCompletedTasks": 8},
            {"jobId": 2, "status": "FAILED", "numTasks": 2, "numCompletedTasks": 1},
        ]))
        .unwrap();
        let mut failed = stage(2, "FAILED", 1, 0, 2, 4);
        failed.failure_reason = Some("Job aborted due to stage failure: boom\nat x".into());
        let stages = vec![
            stage(4, "ACTIVE", 12, 4, 30, 1),
            stage(1, "COMPLETE", 8, 0, 8, 0),
            failed,
        ];
        let executors: Vec<Executor> = serde_json::from_value(json!([
            {"id": "2", "isActive": false, "removeReason": "OOM"},
            {"id": "driver", "isActive": true},
            {"id": "10", "isActive": true},
            {"id": "1", "isActive": true},
        ]))
        .unwrap();
        let s = SparkSnapshot::new(jobs, stages, executors);
        assert_eq!(
            s.jobs.iter().map(|j| j.job_id).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert_eq!(
            s.executors
                .iter()
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>(),
            ["1", "2", "10"],
            "the driver is not an executor; ids in numeric order"
        );
        let c = s.counts();
        assert_eq!(
            c,
            SparkCounts {
                jobs: JobCounts {
                    running: 1,
                    succeeded: 1,
                    failed: 1,
                    total: 3
                },
                stages_active: 1,
                stages_failed: 1,
                tasks_done: 21,
                tasks_total: 40,
                executors_active: 2,
                executors_lost: 1,
            }
        );
        let status = SparkStatus::of::<String>(&Ok(s.clone()));
        assert_eq!(
            (
                status.jobs_column(),
                status.stages_column(),
                status.tasks_column()
            ),
            (
                "2/3, 1 failed".into(),
                "1 active, 1 failed".into(),
                "21/40".into()
            )
        );
        assert_eq!(
            serde_json::to_value(&status).unwrap()["tasksDone"],
            json!(21),
            "-o json carries the figures"
        );
        let unanswered = SparkStatus::of::<String>(&Err("no answer within 1000 ms".into()));
        assert_eq!(
            (
                unanswered.jobs_column(),
                unanswered.stages_column(),
                unanswered.tasks_column()
            ),
            ("?".into(), "?".into(), "?".into())
        );
        assert_eq!(
            serde_json::to_value(&unanswered).unwrap(),
            json!({"error": "no answer within 1000 ms"})
        );
        assert_eq!(
            s.active_stages(),
            [ActiveStage {
                stage_id: 4,
                attempt_id: 0,
                name: "stage 4".into(),
                done: 12,
                running: 4,
                total: 30,
                failed: 1
            }]
        );
        assert_eq!(s.stages_with_failures(5), [(4, 0), (2, 0)]);
        assert_eq!(
            s.failed_stages()[0].error.as_deref(),
            Some("Job aborted due to stage failure: boom"),
            "without a failed task read, the stage's reason"
        );
        let mut s = s;
        s.failed_tasks.insert(
            (2, 0),
            vec![Task {
                error_message: Some("\nValueError: bad record id=7\n  at …".into()),
                ..Task::default()
            }],
        );
        assert_eq!(
            s.failed_stages()[0].error.as_deref(),
            Some("ValueError: bad record id=7")
        );
    }

    #[test]
    fn how_spark_says_an_executor_ended() {
        let removal = |reason: &str| {
            let e: Executor = serde_json::from_value(
                json!({"id": "2", "isActive": false, "removeReason": reason}),
            )
            .unwrap();
            e.removal()
        };
        // A real answer (the OOMKilled executor of tests/executors_real_node.rs, Spark 4.0.5).
        let real: Vec<Executor> = serde_json::from_str(
            &std::fs::read_to_string(format!(
                "{}/tests/fixtures/spark-rest/allexecutors-oomkilled.json",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap(),
        )
        .unwrap();
        let removed: Vec<(&str, Option<Removal>)> =
            real.iter().map(|e| (e.id.as_str(), e.removal())).collect();
        assert_eq!(
            removed,
            [
                (
                    "1",
                    Some(Removal {
                        exit_code: Some(137),
                        oom_killed: true
                    })
                ),
                ("driver", None)
            ]
        );
        // Kubernetes: the exit code, then the container statuses the API gave.
        let oom = removal(
            "\nThe executor with id 2 exited with exit code 137(SIGKILL, possible container OOM).\n\n\n\nThe API gave the following container statuses:\n\n\n\t container name: spark-kubernetes-executor\n\t container state: terminated\n\t exit code: 137\n\t termination reason: OOMKilled\n",
        )
        .unwrap();
        assert_eq!(
            oom,
            Removal {
                exit_code: Some(137),
                oom_killed: true
            }
        );
        assert_eq!(oom.loss_reason().as_deref(), Some("OOMKilled"));
        // Killed without the kernel's word: the exit code.
        let killed = removal(
            "The executor with id 2 exited with exit code 137(SIGKILL, possible container OOM).\n",
        )
        .unwrap();
        assert_eq!(killed.loss_reason().as_deref(), Some("exit 137"));
        // YARN's wording.
        let yarn = removal(
            "Container from a bad node: container_1_0001_01_000003 on host: w1. Exit status: 137. Diagnostics: [2026-12-07]Container killed on request. Exit code is 137\nKilled by external signal\n. OOMKilled",
        )
        .unwrap();
        assert_eq!(yarn.exit_code, Some(137));
        assert_eq!(yarn.loss_reason().as_deref(), Some("OOMKilled"));
        // No failure said: a success, Spark's unknown code, a deletion, the driver's kill.
        for reason in [
            "The executor with id 2 exited with exit code 0(success).",
            "The executor with id 2 exited with exit code -1(unexpected).",
            "The executor with id 2 was deleted by a user or the framework.",
            "Executor killed by driver.",
        ] {
            assert_eq!(removal(reason).unwrap().loss_reason(), None, "{reason}");
        }
        assert_eq!(
            removal("The executor with id 2 exited with exit code -1(unexpected).")
                .unwrap()
                .exit_code,
            Some(-1)
        );
        // Alive, or removed without a word: nothing to read.
        let alive: Executor = serde_json::from_value(json!({"id": "1", "isActive": true})).unwrap();
        assert_eq!(alive.removal(), None);
        let silent: Executor =
            serde_json::from_value(json!({"id": "1", "isActive": false})).unwrap();
        assert_eq!(silent.removal(), None);
    }

    #[test]
    fn the_exception_line_of_a_python_traceback() {
        let text = "org.apache.spark.api.python.PythonException: Traceback (most recent call last):\n  \
            File \"/opt/spark/python/lib/pyspark.zip/pyspark/worker.py\", line 2044, in main\n    process()\n    \
            ^^^^^\n  File \"/tmp/x/stages.py\", line 13, in bad\nValueError: kspark: bad record id=3\n\n\t\
            at org.apache.spark.api.python.BasePythonRunner.handle(PythonRunner.scala:581)\n";
        assert_eq!(
            error_line(text).as_deref(),
            Some("ValueError: kspark: bad record id=3")
        );
        assert_eq!(
            error_line("\n java.lang.OutOfMemoryError: Java heap space\n\tat x").as_deref(),
            Some("java.lang.OutOfMemoryError: Java heap space")
        );
        assert_eq!(error_line(" \n"), None);
    }
}
