//! `describe` of a finished application whose driver pod is gone: what the History Server
//! knows of it — name, id, user, times — and Spark's own view of its jobs, stages and executors
//! (with each executor's `removeReason`), read with the same REST client as a live driver's
//! and shown by the same section ([`crate::spark::section`]). Pure.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::history::listing::FinishedApp;
use crate::operate::duration;
use crate::spark::model::SparkSnapshot;
use crate::spark::section::{self, Origin};

/// The description, ending with a newline. `server` is the History Server's submission id.
pub fn render(app: &FinishedApp, server: &str, spark: &Result<SparkSnapshot, String>) -> String {
    let mut out = String::new();
    let pair = |out: &mut String, k: &str, v: &str| {
        let _ = writeln!(out, "{:<17}{v}", format!("{k}:"));
    };
    pair(&mut out, "Name", &app.name);
    pair(&mut out, "Application ID", &app.app_id);
    let state = if app.pod_gone {
        format!(
            "{} (its driver pod is gone; what follows is from the event log)",
            app.state
        )
    } else {
        app.state.clone()
    };
    pair(&mut out, "State", &state);
    pair(&mut out, "User", &app.user);
    pair(&mut out, "Spark version", &app.spark_version);
    pair(&mut out, "Started", app.start.as_deref().unwrap_or("?"));
    pair(&mut out, "Ended", app.end.as_deref().unwrap_or("?"));
    pair(&mut out, "Duration", &duration::human(app.duration_seconds));
    pair(&mut out, "History Server", server);
    out.push_str(&section::render(
        spark,
        &BTreeMap::new(),
        &Origin::HistoryServer(server.to_string()),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spark::model::{Executor, Job, JobStatus};

    #[test]
    fn a_finished_app_with_its_jobs_and_removed_executors() {
        let app = FinishedApp {
            app_id: "spark-1".into(),
            name: "pi".into(),
            start: Some("2026-12-07T08:00:00Z".into()),
            end: Some("2026-12-07T08:01:00Z".into()),
            duration_seconds: 60,
            state: "completed".into(),
            user: "spark".into(),
            spark_version: "4.0.5".into(),
            submission_id: None,
            pod_gone: true,
        };
        let snapshot = SparkSnapshot::new(
            vec![Job {
                job_id: 0,
                name: "reduce at pi.py:42".into(),
                status: JobStatus::Succeeded,
                stage_ids: vec![0],
                num_tasks: 4,
                num_completed_tasks: 4,
                num_completed_stages: 1,
                ..Job::default()
            }],
            vec![],
            vec![Executor {
                id: "1".into(),
                total_cores: 1,
                completed_tasks: 4,
                remove_reason: Some("Executor killed by driver.".into()),
                ..Executor::default()
            }],
        );
        let text = render(&app, "ns:hs-driver", &Ok(snapshot));
        for needle in [
            "Application ID:  spark-1",
            "its driver pod is gone",
            "History Server:  ns:hs-driver",
            "Spark (from its event log, by the History Server ns:hs-driver):",
            "Jobs:           1 (0 running, 1 succeeded, 0 failed)",
            "reduce at pi.py:42",
            "succeeded",
            "Executor killed by driver.",
        ] {
            assert!(text.contains(needle), "no `{needle}` in:\n{text}");
        }
        let none = render(&app, "ns:hs", &Err("no answer".into()));
        assert!(
            none.contains("? (the History Server ns:hs: no answer)"),
            "{none}"
        );
    }
}
