//! `kubectl spark cleanup`: deletes the driver pods of finished applications (succeeded or
//! failed) that ended longer ago than `--older-than`; the garbage collector then removes
//! their leftovers — the Service, the ConfigMaps (one reported cluster had 120,000 stale
//! ones) and any executor pod still there. `--dry-run` lists them without deleting. Deleting
//! several follows `kill`'s rule ([`delete::confirm`]): a question on a terminal, `--yes`
//! otherwise.
//!
//! An application's end is its driver container's `finishedAt`, else the pod's creation.
//! `--state` and `-l` narrow the choice. The files the removed applications uploaded
//! (`spark-upload-*`, named in their properties) are deleted from the object store too, unless
//! `--keep-uploads` ([`uploads`]). A driver's log goes with its pod: said before deleting.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;

use crate::cli::{AppState, CleanupArgs, KubeFlags};
use crate::error::{Error, Result};
use crate::operate::selector::Scope;
use crate::operate::summary::{self, AppSummary, State};
use crate::operate::{delete, duration, find, uploads};
use crate::output;

/// The finished drivers (by their pod's phase, or their Spark container's exit code) that ended
/// before `cutoff` in one of `states` (all finished ones when empty), oldest first. Pods already being deleted are left out.
pub fn finished_before<'a>(
    drivers: &'a [Pod],
    cutoff: Timestamp,
    states: &[AppState],
) -> Vec<&'a Pod> {
    let mut out: Vec<(&Pod, Timestamp)> = drivers
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            // Ended by its Spark container's exit code, even while a sidecar keeps the pod
            // Running.
            let (_, _, exit_code) = summary::reason(p, summary::DRIVER_CONTAINER);
            let state = summary::state_of(State::from_phase(summary::phase(p)), exit_code);
            state.is_finished() && (states.is_empty() || states.iter().any(|s| state.is(*s)))
        })
        .filter_map(|p| {
            summary::finished_at(p)
                .or_else(|| summary::created_at(p))
                .map(|t| (p, t))
        })
        .filter(|(_, t)| *t <= cutoff)
        .collect();
    out.sort_by_key(|(_, t)| *t);
    out.into_iter().map(|(p, _)| p).collect()
}

/// Runs `cleanup`.
pub async fn run(flags: &KubeFlags, args: &CleanupArgs) -> Result<u8> {
    let older_than = duration::parse_flag("--older-than", &args.older_than)?;
    if let Some(s) = args
        .state
        .iter()
        .find(|s| matches!(s, AppState::Pending | AppState::Running))
    {
        return Err(Error::usage(
            format!(
                "--state {}: cleanup only deletes finished applications",
                format!("{s:?}").to_lowercase()
            ),
            "use --state succeeded, --state failed or both; stop running applications with `kubectl spark kill`",
        ));
    }
    let target = crate::kube::resolve(flags).await?;
    let client = target.client()?;
    let scope = if args.all_namespaces {
        Scope::All
    } else {
        Scope::Namespace(target.namespace.clone())
    };
    let now = Timestamp::now();
    let cutoff = now
        .checked_sub(
            jiff::SignedDuration::try_from(older_than).map_err(|e| Error::Other(e.to_string()))?,
        )
        .map_err(|e| {
            Error::usage(
                format!("--older-than {}: {e}", args.older_than),
                "use a shorter duration",
            )
        })?;
    let drivers = find::list_drivers_selected(&client, &scope, args.selector.as_deref()).await?;
    let doomed = finished_before(&drivers, cutoff, &args.state);
    if doomed.is_empty() {
        output::info(&format!(
            "No finished applications older than {} in {}.",
            args.older_than,
            scope.describe()
        ));
        return Ok(0);
    }
    if args.dry_run {
        let apps: Vec<AppSummary> = doomed
            .iter()
            .map(|p| summary::summarize(p, [], now))
            .collect();
        let layout = summary::TableLayout {
            namespace: args.all_namespaces,
            ..Default::default()
        };
        output::print_data(&summary::table(&apps, layout))?;
        let uploaded = if args.keep_uploads {
            String::new()
        } else {
            let found = uploads::of_drivers(&client, &doomed).await?;
            format!(
                " and {} uploaded file(s) (spark-upload-*; --keep-uploads keeps them)",
                uploads::count(&found)
            )
        };
        output::info(&format!(
            "Dry run: {} finished application(s) would be deleted with their leftovers{uploaded}; nothing was deleted.",
            apps.len()
        ));
        return Ok(0);
    }
    let candidates: Vec<AppSummary> = doomed
        .iter()
        .map(|p| summary::summarize(p, [], now))
        .collect();
    let lines = summary::candidate_lines(&candidates);
    if !delete::confirm(
        doomed.len(),
        &lines,
        "deleted",
        args.yes,
        &format!(
            "kubectl spark cleanup --older-than {}{}",
            args.older_than,
            if args.all_namespaces { " -A" } else { "" }
        ),
    )? {
        return Ok(delete::DECLINED);
    }
    output::info(&driver_log_note(doomed.first().copied()));
    // Read before deleting: the ConfigMap naming them goes with the driver.
    let found = if args.keep_uploads {
        Vec::new()
    } else {
        uploads::of_drivers(&client, &doomed).await?
    };
    let count = delete::delete_drivers(
        &client,
        doomed.iter().copied(),
        None,
        |pod| {
            let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
            let name = pod.metadata.name.as_deref().unwrap_or_default();
            output::info(&format!("Deleting driver pod: {name} (namespace {ns})"));
        },
        |_| {},
    )
    .await?
    .len();
    output::info(&format!(
        "Deleted {count} finished application(s); garbage collection removes their Services, ConfigMaps and executors."
    ));
    if !found.is_empty() {
        let env = crate::store::settings::StoreEnv::capture();
        let (deleted, failed) = uploads::delete(&found, &env).await;
        output::info(&format!(
            "Deleted {deleted} uploaded file(s) of these applications (spark-upload-*)."
        ));
        if !failed.is_empty() {
            output::warn(&format!(
                "could not delete {} uploaded file(s), remove them by hand: {}",
                failed.len(),
                failed.join("; ")
            ));
            return Ok(1);
        }
    }
    Ok(0)
}

/// What `kill` and `cleanup` say before deleting: the driver's log goes with its pod.
pub fn driver_log_note(example: Option<&Pod>) -> String {
    let name = example
        .and_then(|p| p.metadata.name.as_deref())
        .unwrap_or("APP");
    format!(
        "The driver's log goes with its pod; to keep it, save it first: kubectl spark logs {name} > {name}.log (with event logs enabled, `kubectl spark history` keeps the Spark UI of finished applications)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn driver(name: &str, phase: &str, finished: Option<&str>, created: &str) -> Pod {
        let statuses = finished.map(|f| {
            serde_json::json!([{"name": "spark-kubernetes-driver", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
                "state": {"terminated": {"exitCode": 0, "finishedAt": f}}}])
        });
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "creationTimestamp": created},
            "spec": {"containers": [{"name": "spark-kubernetes-driver"}]},
            "status": {"phase": phase, "containerStatuses": statuses}
        }))
        .unwrap()
    }

    #[test]
    fn only_finished_apps_older_than_the_cutoff() {
        let pods = vec![
            driver(
                "old-ok",
                "Succeeded",
                Some("2025-01-01T10:00:00Z"),
                "2025-01-01T09:00:00Z",
            ),
            driver(
                "recent-ok",
                "Succeeded",
                Some("2025-01-02T10:00:00Z"),
                "2025-01-01T09:00:00Z",
            ),
            driver(
                "old-failed-no-status",
                "Failed",
                None,
                "2025-01-01T08:00:00Z",
            ),
            driver("old-running", "Running", None, "2025-01-01T08:00:00Z"),
        ];
        let cutoff: Timestamp = "2025-01-02T00:00:00Z".parse().unwrap();
        let names = |states: &[AppState]| -> Vec<String> {
            finished_before(&pods, cutoff, states)
                .iter()
                .map(|p| p.metadata.name.clone().unwrap())
                .collect()
        };
        assert_eq!(names(&[]), vec!["old-failed-no-status", "old-ok"]);
        assert_eq!(names(&[AppState::Failed]), vec!["old-failed-no-status"]);
        assert_eq!(
            names(&[AppState::Succeeded, AppState::Failed]),
            vec!["old-failed-no-status", "old-ok"]
        );
    }
}
