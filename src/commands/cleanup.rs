//! `kubectl spark cleanup`: deletes the driver pods of finished applications (succeeded or
//! failed) that ended longer ago than `--older-than`; the garbage collector then removes
//! their leftovers — the Service, the ConfigMaps (one reported cluster had 120,000 stale
//! ones) and any executor pod still there. `--dry-run` lists them without deleting. Deleting
//! several follows `kill`'s rule ([`delete::confirm`]): a question on a terminal, `--yes`
//! otherwise.
//!
//! An application's end is its driver container's `finishedAt`, else the pod's creation.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;

use crate::cli::{CleanupArgs, KubeFlags};
use crate::error::{Error, Result};
use crate::operate::selector::Scope;
use crate::operate::summary::{self, AppSummary, State};
use crate::operate::{delete, duration, find};
use crate::output;

/// The finished drivers that ended before `cutoff`, oldest first. Pods already being
/// deleted are left out.
pub fn finished_before(drivers: &[Pod], cutoff: Timestamp) -> Vec<&Pod> {
    let mut out: Vec<(&Pod, Timestamp)> = drivers
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| State::from_phase(summary::phase(p)).is_finished())
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
    let drivers = find::list_drivers(&client, &scope).await?;
    let doomed = finished_before(&drivers, cutoff);
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
        output::info(&format!(
            "Dry run: {} finished application(s) would be deleted with their leftovers; nothing was deleted.",
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
    Ok(0)
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
        let names: Vec<&str> = finished_before(&pods, cutoff)
            .iter()
            .map(|p| p.metadata.name.as_deref().unwrap())
            .collect();
        assert_eq!(names, vec!["old-failed-no-status", "old-ok"]);
    }
}
