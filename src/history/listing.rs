//! What `kubectl spark history` lists: the applications a History Server knows
//! (`/api/v1/applications`), joined with their driver pods when those still exist, as a table,
//! JSON/YAML or ids. Pure.

use std::collections::{BTreeMap, HashSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::operate::duration;
use crate::operate::summary::{AppKind, AppSummary, ExecutorCounts, State};

/// A driver pod that still exists, as the listing joins it by app id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDriver {
    /// The `spark-app-selector` label.
    pub app_id: String,
    /// Its state as `status` says it (`failed (Error, exit 1)`).
    pub state: String,
    /// `ns:pod`.
    pub submission_id: String,
}

impl KnownDriver {
    /// From a driver's summary (None without an app id).
    pub fn from_summary(s: &AppSummary) -> Option<KnownDriver> {
        Some(KnownDriver {
            app_id: s.app_id.clone()?,
            state: s.state_text(),
            submission_id: s.submission_id.clone(),
        })
    }
}

/// One entry of a History Server's `/api/v1/applications`, with the fields listed.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HistoryApplication {
    /// Spark's application id (`spark-…`).
    pub id: String,
    /// `spark.app.name`.
    pub name: String,
    /// Its attempts, newest first (one on Kubernetes).
    pub attempts: Vec<HistoryAttempt>,
}

/// One attempt as the History Server describes it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HistoryAttempt {
    /// Start, epoch milliseconds.
    pub start_time_epoch: i64,
    /// End, epoch milliseconds (`-1` or absent while incomplete).
    pub end_time_epoch: i64,
    /// Milliseconds it ran.
    pub duration: i64,
    /// Who ran it (the driver's user, `SPARK_USER`).
    pub spark_user: String,
    /// Whether the event log has the application's end.
    pub completed: bool,
    /// The Spark version that ran it.
    pub app_spark_version: String,
}

/// A finished application as `history` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FinishedApp {
    /// Spark's application id.
    pub app_id: String,
    /// `spark.app.name`.
    pub name: String,
    /// Start (RFC 3339), if known.
    pub start: Option<String>,
    /// End (RFC 3339), if known.
    pub end: Option<String>,
    /// Seconds it ran.
    pub duration_seconds: i64,
    /// `succeeded`/`failed` from the driver pod when it still exists, else `completed`
    /// (the event log's end; the History Server does not record the exit).
    pub state: String,
    /// Who ran it.
    pub user: String,
    /// The Spark version that ran it.
    pub spark_version: String,
    /// The driver's submission id (`ns:pod`) when the pod still exists.
    pub submission_id: Option<String>,
    /// Whether the driver pod is gone (deleted by `kill`, `cleanup` or by hand).
    pub pod_gone: bool,
}

fn rfc3339(epoch_ms: i64) -> Option<String> {
    (epoch_ms > 0)
        .then(|| Timestamp::from_millisecond(epoch_ms).ok())
        .flatten()
        .map(|t| t.round(jiff::Unit::Second).unwrap_or(t).to_string())
}

/// The completed applications of `apps`, newest start first, each joined with its driver's
/// summary by app id when the pod still exists.
pub fn finished(apps: &[HistoryApplication], drivers: &[KnownDriver]) -> Vec<FinishedApp> {
    let by_id: BTreeMap<&str, &KnownDriver> =
        drivers.iter().map(|d| (d.app_id.as_str(), d)).collect();
    let mut out: Vec<FinishedApp> = apps
        .iter()
        .filter_map(|a| {
            let attempt = a.attempts.first()?;
            attempt.completed.then_some(())?;
            let driver = by_id.get(a.id.as_str());
            Some(FinishedApp {
                app_id: a.id.clone(),
                name: a.name.clone(),
                start: rfc3339(attempt.start_time_epoch),
                end: rfc3339(attempt.end_time_epoch),
                duration_seconds: attempt.duration.max(0) / 1000,
                state: driver
                    .map(|d| d.state.clone())
                    .unwrap_or_else(|| "completed".into()),
                user: attempt.spark_user.clone(),
                spark_version: attempt.app_spark_version.clone(),
                submission_id: driver.map(|d| d.submission_id.clone()),
                pod_gone: driver.is_none(),
            })
        })
        .collect();
    out.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| a.app_id.cmp(&b.app_id)));
    out
}

/// The table: APP ID, NAME, START, DURATION, STATE, USER. A driver pod that is gone is marked
/// in STATE (`completed (pod gone)`).
pub fn table(apps: &[FinishedApp]) -> String {
    let rows = apps.iter().map(|a| {
        let state = if a.pod_gone {
            format!("{} (pod gone)", a.state)
        } else {
            a.state.clone()
        };
        vec![
            a.app_id.clone(),
            a.name.clone(),
            a.start.clone().unwrap_or_else(|| "?".into()),
            duration::human(a.duration_seconds),
            state,
            a.user.clone(),
        ]
    });
    crate::operate::plain_table(
        &["APP ID", "NAME", "START", "DURATION", "STATE", "USER"],
        rows,
    )
}

/// The completed applications of a namespace's History Server whose driver pods are gone
/// (their ids are not in `present`, the app ids of the namespace's driver pods), as rows of
/// `status` and `list`: state [`State::Completed`], no driver pod, submission id
/// `namespace:app-id` (which `describe`, `ui` and `status` accept), created and started at the
/// application's start.
pub fn gone_summaries(
    apps: &[HistoryApplication],
    namespace: &str,
    present: &HashSet<String>,
    now: Timestamp,
) -> Vec<AppSummary> {
    apps.iter()
        .filter(|a| !present.contains(&a.id))
        .filter_map(|a| {
            let attempt = a.attempts.first().filter(|t| t.completed)?;
            let at = |ms: i64| {
                (ms > 0)
                    .then(|| Timestamp::from_millisecond(ms).ok())
                    .flatten()
            };
            let started = at(attempt.start_time_epoch);
            let finished = at(attempt.end_time_epoch);
            let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
            Some(AppSummary {
                submission_id: format!("{namespace}:{}", a.id),
                namespace: namespace.to_string(),
                driver_pod: String::new(),
                app_name: non_empty(&a.name),
                app_id: Some(a.id.clone()),
                spark_version: non_empty(&attempt.app_spark_version),
                kind: AppKind::Application,
                state: State::Completed,
                pod_phase: None,
                reason: None,
                message: None,
                exit_code: None,
                terminating: false,
                executors: ExecutorCounts::default(),
                created: started,
                started,
                finished,
                age_seconds: started.map(|s| now.duration_since(s).as_secs()),
                duration_seconds: Some(attempt.duration.max(0) / 1000),
                node: None,
                image: None,
                spark: None,
                pod_gone: true,
            })
        })
        .collect()
}

/// The application a reference names among those the History Server knows: an app id
/// exactly, else an app name (the newest run). None when it knows none.
pub fn find<'a>(apps: &'a [HistoryApplication], reference: &str) -> Option<&'a HistoryApplication> {
    let reference = reference.rsplit(':').next().unwrap_or(reference);
    apps.iter().find(|a| a.id == reference).or_else(|| {
        apps.iter()
            .filter(|a| a.name == reference)
            .max_by_key(|a| a.attempts.first().map(|t| t.start_time_epoch))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = r#"[
      {"id": "spark-b", "name": "etl", "attempts": [{"startTime": "2026-12-07T08:01:00.000GMT",
        "endTime": "2026-12-07T08:02:05.000GMT", "lastUpdated": "2026-12-07T08:02:06.000GMT",
        "duration": 65000, "sparkUser": "spark", "completed": true, "appSparkVersion": "4.0.1",
        "startTimeEpoch": 1796630460000, "endTimeEpoch": 1796630525000, "lastUpdatedEpoch": 0}]},
      {"id": "spark-a", "name": "pi", "attempts": [{"duration": 3000, "sparkUser": "alice",
        "completed": true, "startTimeEpoch": 1796630400000, "endTimeEpoch": 1796630403000}]},
      {"id": "spark-c", "name": "live", "attempts": [{"completed": false,
        "startTimeEpoch": 1796630500000, "endTimeEpoch": -1}]}
    ]"#;

    #[test]
    fn completed_apps_newest_first_with_their_pods() {
        let apps: Vec<HistoryApplication> = serde_json::from_str(ANSWER).unwrap();
        let driver = KnownDriver {
            app_id: "spark-a".into(),
            state: "failed (Error, exit 1)".into(),
            submission_id: "ns:pi-driver".into(),
        };
        let list = finished(&apps, &[driver]);
        let ids: Vec<&str> = list.iter().map(|a| a.app_id.as_str()).collect();
        assert_eq!(
            ids,
            vec!["spark-b", "spark-a"],
            "incomplete spark-c left out"
        );
        assert_eq!(list[0].state, "completed");
        assert!(list[0].pod_gone);
        assert_eq!(list[0].duration_seconds, 65);
        assert_eq!(list[0].start.as_deref(), Some("2026-12-07T08:01:00Z"));
        assert_eq!(list[1].state, "failed (Error, exit 1)");
        assert!(!list[1].pod_gone);
        assert_eq!(list[1].submission_id.as_deref(), Some("ns:pi-driver"));
        let t = table(&list);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("APP ID"), "{t}");
        assert!(lines[1].contains("completed (pod gone)"), "{t}");
        assert!(lines[1].contains("1m5s") || lines[1].contains("65s"), "{t}");
        assert!(lines[2].contains("alice"), "{t}");
    }

    #[test]
    fn apps_whose_pods_are_gone_are_rows_of_status() {
        let apps: Vec<HistoryApplication> = serde_json::from_str(ANSWER).unwrap();
        let present = HashSet::from(["spark-a".to_string()]);
        let now: Timestamp = "2026-12-07T09:02:05Z".parse().unwrap();
        let rows = gone_summaries(&apps, "ns", &present, now);
        assert_eq!(
            rows.len(),
            1,
            "spark-a has its pod, spark-c is incomplete: {rows:?}"
        );
        let row = &rows[0];
        assert_eq!(row.submission_id, "ns:spark-b");
        assert_eq!(row.state_text(), "completed (pod gone)");
        assert_eq!(row.app_name.as_deref(), Some("etl"));
        assert_eq!(row.duration_seconds, Some(65));
        assert_eq!(row.age_seconds, Some(3665));
        assert!(row.state.is(crate::cli::AppState::Completed));
        assert!(!row.state.is(crate::cli::AppState::Succeeded));
        let json = serde_json::to_value(row).unwrap();
        assert_eq!(json["podGone"], true);
        assert_eq!(json["state"], "completed");
        let table = crate::operate::summary::table(&rows, Default::default());
        let line = table.lines().nth(1).unwrap();
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            cells,
            ["etl", "-", "completed", "(pod", "gone)", "-", "61m", "65s"],
            "{table}"
        );
    }

    #[test]
    fn references_name_an_id_or_the_newest_run_of_a_name() {
        let mut apps: Vec<HistoryApplication> = serde_json::from_str(ANSWER).unwrap();
        apps.push(HistoryApplication {
            id: "spark-z".into(),
            name: "etl".into(),
            attempts: vec![HistoryAttempt {
                start_time_epoch: 1,
                ..Default::default()
            }],
        });
        assert_eq!(find(&apps, "spark-a").unwrap().id, "spark-a");
        assert_eq!(find(&apps, "ns:spark-a").unwrap().id, "spark-a");
        assert_eq!(find(&apps, "etl").unwrap().id, "spark-b");
        assert!(find(&apps, "nothing").is_none());
    }
}
