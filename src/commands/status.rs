//! `kubectl spark status`: the state of one or more applications, as a table, JSON/YAML,
//! submission ids, or spark-submit's own status block (`-o spark`, §7 of the spec).
//!
//! With `-o spark` the `Submitting a request for the status of submission … in k8s://….` line and the
//! not-found messages go to stderr (as spark-submit prints them) and each
//! `Application status (driver): ` block to stdout, so that the blocks can be piped.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures::stream::{self, StreamExt, TryStreamExt};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;

use crate::app::LABEL_APP_SELECTOR;
use crate::cli::{KubeFlags, ObjectFormat, StatusArgs, StatusFormat};
use crate::error::{Error, Result};
use crate::operate::selector::Scope;
use crate::operate::summary::{self, AppSummary};
use crate::operate::{CONCURRENCY, find};
use crate::output;

/// Up to this many applications, only their executors are listed (by app id); above, every
/// executor of their namespaces.
const PER_APP_EXECUTOR_LISTS: usize = 5;

/// Runs `status`.
pub async fn run(flags: &KubeFlags, args: &StatusArgs) -> Result<u8> {
    let target = crate::kube::resolve(flags).await?;
    let client = target.client()?;
    let resolved =
        find::resolve(&client, &target.namespace, args.all_namespaces, &args.apps).await?;
    if args.output == StatusFormat::Spark {
        let master = format!("k8s://{}", target.server());
        for r in &resolved {
            output::info(&format!(
                "Submitting a request for the status of submission {} in {master}.",
                r.reference.text
            ));
            if r.drivers.is_empty() {
                output::info(if r.reference.is_glob() {
                    "No applications found."
                } else {
                    "Application not found."
                });
            }
            for pod in &r.drivers {
                output::print_data(&spark_block(pod))?;
            }
        }
        return Ok(0);
    }
    let drivers = find::unique_drivers(&resolved);
    let executors = executors_of(&client, &drivers).await?;
    let now = Timestamp::now();
    let mut apps: Vec<(AppSummary, &Pod)> = drivers
        .iter()
        .map(|d| (summarize(d, &executors, now), d))
        .collect();
    apps.sort_by(|(a, _), (b, _)| summary::newest_first(a, b));
    if !apps.is_empty() {
        output::print_data(&render(&apps, args.output)?)?;
    }
    find::require_all_found(&resolved)?;
    Ok(0)
}

/// spark-submit's status block for one driver, with its trailing newline.
pub fn spark_block(pod: &Pod) -> String {
    format!(
        "Application status (driver): {}\n",
        output::pod_state_block(pod)
    )
}

/// The summary of a driver, given executors grouped by (namespace, app id).
pub fn summarize(
    driver: &Pod,
    executors: &HashMap<(String, String), Vec<Pod>>,
    now: Timestamp,
) -> AppSummary {
    let key = (
        driver.metadata.namespace.clone().unwrap_or_default(),
        driver
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(LABEL_APP_SELECTOR))
            .cloned()
            .unwrap_or_default(),
    );
    summary::summarize(driver, executors.get(&key).into_iter().flatten(), now)
}

/// The executor pods of these drivers, grouped by (namespace, app id): one list per
/// namespace, of these apps' executors for a few apps (`spark-app-selector in (…)`), else of
/// every executor there. The namespaces are listed concurrently.
pub async fn executors_of(
    client: &Client,
    drivers: &[Pod],
) -> Result<HashMap<(String, String), Vec<Pod>>> {
    // Namespace -> app ids, both in a stable order.
    let mut by_namespace: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for d in drivers {
        let ns = d.metadata.namespace.clone().unwrap_or_default();
        let id = d
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(LABEL_APP_SELECTOR))
            .map(String::as_str);
        let ids = by_namespace.entry(ns).or_default();
        // An empty id cannot go into a set selector; such a driver has no executors to show.
        if let Some(id) = id.filter(|id| !id.is_empty()) {
            ids.insert(id);
        }
    }
    let per_app = drivers.len() <= PER_APP_EXECUTOR_LISTS;
    let lists = by_namespace
        .into_iter()
        .filter(|(_, ids)| !per_app || !ids.is_empty())
        .map(|(ns, ids)| {
            let selector = if per_app {
                find::executors_of_apps_selector(&ids.into_iter().collect::<Vec<_>>())
            } else {
                find::executor_selector(None)
            };
            async move {
                let scope = Scope::Namespace(ns);
                let api = find::api(client, &scope);
                find::list_paged(&api, Some(&selector), None, "list pods", &scope).await
            }
        });
    let pods: Vec<Vec<Pod>> = stream::iter(lists)
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    Ok(find::executors_by_app(pods.into_iter().flatten().collect()))
}

/// Renders applications (with their driver pods, for `-o spark`) in a status format.
pub fn render(apps: &[(AppSummary, &Pod)], format: StatusFormat) -> Result<String> {
    let summaries = || apps.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>();
    match format {
        StatusFormat::Table => Ok(summary::table(&summaries(), false)),
        StatusFormat::Wide => Ok(summary::table(&summaries(), true)),
        StatusFormat::Json | StatusFormat::Yaml => {
            let value = serde_json::to_value(summaries())
                .map_err(|e| Error::Other(format!("cannot serialise the applications: {e}")))?;
            let format = if format == StatusFormat::Json {
                ObjectFormat::Json
            } else {
                ObjectFormat::Yaml
            };
            output::render(&value, format)
        }
        StatusFormat::Name => Ok(apps
            .iter()
            .map(|(s, _)| format!("{}\n", s.submission_id))
            .collect()),
        StatusFormat::Spark => Ok(apps.iter().map(|(_, pod)| spark_block(pod)).collect()),
    }
}
