//! The "Spark" section of `describe`: jobs (id, status, stages done/total, tasks), active and
//! failed stages (a failed one with the line of its error that says what went wrong), and
//! executors (id, pod, state, cores, memory used, failed tasks, and for removed ones Spark's
//! `removeReason`). Pure: a snapshot (or why there is none), the executor pods' names and
//! where the figures come from ([`Origin`]) go in; the same text serves a live driver and a
//! History Server replaying a finished application's event log.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::operate::plain_table;
use crate::spark::model::{Job, JobStatus, SparkSnapshot};
use crate::spark::progress::{call_site, stage_label, task_counts};

/// How many jobs are listed (the most recent ones).
pub const MAX_JOBS: usize = 10;

/// Where the section's figures come from (the same REST paths, see [`crate::spark::rest`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A running driver's REST API.
    Driver,
    /// A History Server (its `namespace:pod`), replaying a finished application's event log.
    HistoryServer(String),
}

impl Origin {
    fn heading(&self) -> String {
        match self {
            Origin::Driver => "Spark (the driver's REST API):".into(),
            Origin::HistoryServer(id) => {
                format!("Spark (from its event log, by the History Server {id}):")
            }
        }
    }
}

/// The section, with its heading and a trailing newline. `pods` maps executor ids to their
/// pod names (executors whose pod is gone show `-`).
pub fn render<E: std::fmt::Display>(
    answer: &Result<SparkSnapshot, E>,
    pods: &BTreeMap<String, String>,
    origin: &Origin,
) -> String {
    let snapshot = match (answer, origin) {
        (Ok(s), _) => s,
        (Err(e), Origin::Driver) => return format!("\nSpark:            ? ({e})\n"),
        (Err(e), Origin::HistoryServer(id)) => {
            return format!("\nSpark:            ? (the History Server {id}: {e})\n");
        }
    };
    let ended = matches!(origin, Origin::HistoryServer(_));
    let mut out = format!("\n{}\n", origin.heading());
    let counts = snapshot.counts();
    let jobs = counts.jobs;
    let _ = writeln!(
        out,
        "  Jobs:           {} ({} running, {} succeeded, {} failed)",
        jobs.total, jobs.running, jobs.succeeded, jobs.failed
    );
    if !snapshot.jobs.is_empty() {
        let skip = snapshot.jobs.len().saturating_sub(MAX_JOBS);
        if skip > 0 {
            let _ = writeln!(out, "    (the last {MAX_JOBS}; {skip} earlier not shown)");
        }
        let rows = snapshot.jobs.iter().skip(skip).map(job_row);
        out.push_str(&indented(
            &plain_table(&["ID", "STATUS", "STAGES", "TASKS", "NAME"], rows),
            4,
        ));
    }
    let active = snapshot.active_stages();
    if active.is_empty() {
        out.push_str("  Active stages:  none\n");
    } else {
        out.push_str("  Active stages:\n");
        for stage in &active {
            let _ = writeln!(out, "    {}: {}", stage_label(stage), task_counts(stage));
        }
    }
    let failed = snapshot.failed_stages();
    if !failed.is_empty() {
        out.push_str("  Failed stages:\n");
        for stage in &failed {
            let mut label = format!("Stage {}", stage.stage_id);
            if stage.attempt_id > 0 {
                let _ = write!(label, ".{}", stage.attempt_id);
            }
            if !stage.name.is_empty() {
                let _ = write!(label, " ({})", call_site(&stage.name));
            }
            let _ = writeln!(
                out,
                "    {label}: {}",
                stage.error.as_deref().unwrap_or("no reason given")
            );
        }
    }
    let active = if ended { "to the end" } else { "active" };
    let _ = write!(
        out,
        "  Executors:      {} {active}",
        counts.executors_active
    );
    if counts.executors_lost > 0 {
        let _ = write!(out, ", {} removed", counts.executors_lost);
    }
    out.push('\n');
    if !snapshot.executors.is_empty() {
        let rows = snapshot.executors.iter().map(|e| {
            vec![
                e.id.clone(),
                pods.get(&e.id).cloned().unwrap_or_else(|| "-".into()),
                if e.is_active { active } else { "removed" }.to_string(),
                e.total_cores.to_string(),
                format!("{} / {}", mib(e.memory_used), mib(e.max_memory)),
                e.failed_tasks.to_string(),
                e.remove_reason
                    .as_deref()
                    .and_then(crate::spark::model::first_line)
                    .unwrap_or_else(|| "-".into()),
            ]
        });
        out.push_str(&indented(
            &plain_table(
                &[
                    "ID",
                    "POD",
                    "STATE",
                    "CORES",
                    "MEMORY USED",
                    "FAILED TASKS",
                    "REMOVED BECAUSE",
                ],
                rows,
            ),
            4,
        ));
    }
    out
}

fn job_row(job: &Job) -> Vec<String> {
    let status = match job.status {
        JobStatus::Running => "running",
        JobStatus::Succeeded => "succeeded",
        JobStatus::Failed => "failed",
        JobStatus::Unknown => "unknown",
    };
    let stages_to_run = (job.stage_ids.len() as i64 - job.num_skipped_stages).max(0);
    let mut stages = format!("{}/{stages_to_run}", job.num_completed_stages);
    if job.num_failed_stages > 0 {
        let _ = write!(stages, ", {} failed", job.num_failed_stages);
    }
    let mut tasks = format!(
        "{}/{}",
        job.num_completed_tasks,
        (job.num_tasks - job.num_skipped_tasks).max(0)
    );
    if job.num_failed_tasks > 0 {
        let _ = write!(tasks, ", {} failed", job.num_failed_tasks);
    }
    vec![
        job.job_id.to_string(),
        status.to_string(),
        stages,
        tasks,
        call_site(&job.name),
    ]
}

/// Bytes as MiB (`12.5 MiB`), as the Spark UI shows storage memory.
fn mib(bytes: i64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn indented(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spark::model::{Executor, Stage, Task};

    /// The REST answers of a real driver (Spark 4.0.5 on the real node, `tests/fixtures/
    /// spark-rest/`): a PySpark app whose first job failed on purpose, then multi-stage jobs.
    fn recorded() -> SparkSnapshot {
        let read = |name: &str| {
            std::fs::read_to_string(format!(
                "{}/tests/fixtures/spark-rest/{name}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        let jobs: Vec<Job> = crate::spark::rest::parse(&read("jobs.json")).unwrap();
        let stages: Vec<Stage> =
            crate::spark::rest::parse(&read("stages-active-failed.json")).unwrap();
        let executors: Vec<Executor> =
            crate::spark::rest::parse(&read("allexecutors.json")).unwrap();
        let tasks: Vec<Task> = crate::spark::rest::parse(&read("tasklist-failed.json")).unwrap();
        let mut s = SparkSnapshot::new(jobs, stages, executors);
        s.failed_tasks.insert((0, 0), tasks);
        s
    }

    #[test]
    fn the_section_of_a_running_driver() {
        let s = recorded();
        let pods = BTreeMap::from([("1".to_string(), "stages-exec-1".to_string())]);
        let text = render::<String>(&Ok(s), &pods, &Origin::Driver);
        assert!(
            text.starts_with("\nSpark (the driver's REST API):\n"),
            "{text}"
        );
        assert!(text.contains("  Jobs:           "), "{text}");
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with("0    failed ")),
            "job 0 failed on purpose:\n{text}"
        );
        assert!(
            text.contains(
                "    Stage 0 (collect at stages.py:17): ValueError: kspark: bad record id=3\n"
            ),
            "{text}"
        );
        assert!(
            text.lines().any(|l| l.contains("Stage ")
                && l.contains("(reduceByKey at stages.py:25)")
                && l.contains("/8 tasks")),
            "the active stage:\n{text}"
        );
        let executor = text
            .lines()
            .find(|l| l.contains("stages-exec-1"))
            .unwrap_or_else(|| panic!("executor 1:\n{text}"));
        assert!(
            executor.trim_start().starts_with("1 ")
                && executor.contains("active")
                && executor.contains(" MiB"),
            "{executor}"
        );
    }

    #[test]
    fn removed_executors_say_why_and_no_answer_is_a_question_mark() {
        let executors = vec![Executor {
            id: "2".into(),
            is_active: false,
            total_cores: 1,
            failed_tasks: 3,
            remove_reason: Some(
                "The executor with id 2 exited with exit code 137(SIGKILL, possible container OOM).\nmore"
                    .into(),
            ),
            ..Executor::default()
        }];
        let s = SparkSnapshot::new(vec![], vec![], executors);
        let text = render::<String>(&Ok(s.clone()), &BTreeMap::new(), &Origin::Driver);
        assert!(text.contains("  Jobs:           0 (0 running, 0 succeeded, 0 failed)\n"));
        assert!(text.contains("  Active stages:  none\n"));
        assert!(
            text.contains("  Executors:      0 active, 1 removed\n"),
            "{text}"
        );
        let row = text.lines().last().unwrap();
        assert!(
            row.contains("2    -     removed   1       0.0 MiB / 0.0 MiB   3              The executor with id 2 exited with exit code 137(SIGKILL, possible container OOM)."),
            "{row:?}"
        );
        assert_eq!(
            render::<String>(
                &Err("no answer within 1000 ms".into()),
                &BTreeMap::new(),
                &Origin::Driver
            ),
            "\nSpark:            ? (no answer within 1000 ms)\n"
        );
        let history = Origin::HistoryServer("ns:hs-driver".into());
        let ended = render::<String>(&Ok(s), &BTreeMap::new(), &history);
        assert!(
            ended
                .starts_with("\nSpark (from its event log, by the History Server ns:hs-driver):\n"),
            "{ended}"
        );
        assert!(
            ended.contains("  Executors:      0 to the end, 1 removed\n"),
            "{ended}"
        );
        assert_eq!(
            render::<String>(
                &Err("no answer within 20000 ms".into()),
                &BTreeMap::new(),
                &history
            ),
            "\nSpark:            ? (the History Server ns:hs-driver: no answer within 20000 ms)\n"
        );
    }
}
