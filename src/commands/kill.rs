//! `kubectl spark kill`: stops applications by deleting their driver pods (spark-submit's
//! `--kill`, §7 of the spec); the garbage collector then removes the executors, the Service
//! and the ConfigMaps. Prints Spark's `Deleting driver pod: <name>` line per driver on stderr,
//! in order, while up to [`CONCURRENCY`] deletes are in flight at once.
//!
//! Unlike spark-submit, only Spark drivers are ever deleted (a pod of that name that is not a
//! driver is an error), every reference must match, and a reference that names several
//! applications (a glob, an app name used twice) follows the rule `cleanup` follows too
//! ([`delete::confirm`]): the candidates are listed, newest first, and killed after a yes on a
//! terminal, or with `--yes`; without a terminal nor `--yes` nothing is killed (exit 2). A
//! declined question kills nothing and exits 1. `--latest` keeps the newest run of each name.

use std::collections::BTreeSet;

use futures::stream::{self, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::Client;

use crate::cli::{KillArgs, KubeFlags};
use crate::conf::units;
use crate::error::{Error, Result};
use crate::operate::selector::DriverRef;
use crate::operate::{CONCURRENCY, delete, find, waiting};
use crate::output;

/// Applications whose objects are looked up at a time (`--dry-run`, `--wait`): each lookup
/// makes three or more requests at once.
const LOOKUPS: usize = CONCURRENCY / 4;

/// The property spark-submit reads the kill grace period from.
pub const GRACE_PERIOD_KEY: &str = "spark.kubernetes.appKillPodDeletionGracePeriod";

/// The grace period: `--grace-period`, else `spark.kubernetes.appKillPodDeletionGracePeriod`
/// (a Spark time, seconds when bare), else none (the pod's own, normally 30 s).
pub fn grace_period(args: &KillArgs) -> Result<Option<u32>> {
    let mut from_conf = None;
    for entry in &args.conf {
        let Some((key, value)) = entry.split_once('=') else {
            return Err(Error::usage(
                format!("--conf `{entry}` is not KEY=VALUE"),
                format!("e.g. -c {GRACE_PERIOD_KEY}=10s"),
            ));
        };
        if key.trim() == GRACE_PERIOD_KEY {
            let ms =
                units::parse_duration_ms(value, 1000).map_err(|e| e.for_key(GRACE_PERIOD_KEY))?;
            from_conf = Some(ms / 1000);
        } else {
            output::warn(&format!("--conf {key} does not affect `kill`; ignored"));
        }
    }
    match args.grace_period.or(from_conf) {
        None => Ok(None),
        Some(s) if s < 0 => Err(Error::usage(
            format!("the grace period is negative ({s})"),
            "pass a number of seconds, 0 to delete immediately",
        )),
        Some(s) => Ok(Some(u32::try_from(s).unwrap_or(u32::MAX))),
    }
}

/// `30s` or `the pod's default`.
pub fn grace_text(grace: Option<u32>) -> String {
    grace
        .map(|s| format!("{s}s"))
        .unwrap_or_else(|| "the pod's default".to_string())
}

/// Runs `kill`.
pub async fn run(flags: &KubeFlags, args: &KillArgs) -> Result<u8> {
    let grace = grace_period(args)?;
    let target = crate::kube::resolve(flags).await?;
    let client = target.client()?;
    let mut resolved =
        find::resolve(&client, &target.namespace, args.all_namespaces, &args.apps).await?;
    find::require_all_found(&resolved)?;
    if args.latest {
        resolved = resolved.into_iter().map(find::Resolved::latest).collect();
    }
    let drivers = find::unique_drivers(&resolved);

    if args.dry_run {
        return dry_run(&client, &drivers, grace).await;
    }
    // Several applications from one name (a glob, a name used twice) need consent; naming
    // several explicitly does not.
    let several = resolved.iter().any(|r| r.drivers.len() > 1);
    let now = jiff::Timestamp::now();
    let candidates: Vec<_> = drivers
        .iter()
        .map(|d| crate::operate::summary::summarize(d, [], now))
        .collect();
    let lines = crate::operate::summary::candidate_lines(&candidates);
    let count = if several { drivers.len() } else { 1 };
    let again = format!(
        "kubectl spark kill {}{}",
        args.apps
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" "),
        if args.all_namespaces { " -A" } else { "" }
    );
    if !delete::confirm(count, &lines, "killed", args.yes, &again)? {
        return Ok(delete::DECLINED);
    }
    output::info(&crate::commands::cleanup::driver_log_note(drivers.first()));
    let namespace = target.namespace.as_str();
    let deleted = delete::delete_drivers(
        &client,
        &drivers,
        grace,
        |pod| {
            let name = pod.metadata.name.as_deref().unwrap_or_default();
            match pod.metadata.namespace.as_deref().unwrap_or_default() {
                ns if ns == namespace => output::info(&format!("Deleting driver pod: {name}")),
                ns => output::info(&format!("Deleting driver pod: {name} (namespace {ns})")),
            }
        },
        |pod| {
            output::info(&format!(
                "Driver pod {} was already gone.",
                submission_id(pod)
            ))
        },
    )
    .await?;
    if args.wait {
        wait_gone(&client, &deleted).await?;
    }
    Ok(0)
}

/// `namespace:pod`.
fn submission_id(pod: &Pod) -> String {
    DriverRef::from_pod(pod)
        .map(|d| d.submission_id())
        .unwrap_or_else(|| {
            // A server that is not a driver (the History Server): its pod.
            format!(
                "{}:{}",
                pod.metadata.namespace.as_deref().unwrap_or_default(),
                pod.metadata.name.as_deref().unwrap_or_default()
            )
        })
}

async fn dry_run(client: &Client, drivers: &[Pod], grace: Option<u32>) -> Result<u8> {
    output::info(&format!(
        "Dry run: {} application(s) would be killed (grace period: {}); nothing was deleted.",
        drivers.len(),
        grace_text(grace)
    ));
    // Looked up concurrently, reported in order.
    let mut found = stream::iter(drivers)
        .map(|pod| async move { (pod, delete::objects_of(client, pod).await) })
        .buffered(LOOKUPS);
    let mut text = String::new();
    while let Some((pod, result)) = found.next().await {
        let s = crate::operate::summary::summarize(pod, [], jiff::Timestamp::now());
        text.push_str(&format!(
            "{} (app {}, id {}, {})\n",
            s.submission_id,
            s.app_name.as_deref().unwrap_or("?"),
            s.app_id.as_deref().unwrap_or("?"),
            s.state_text()
        ));
        let (objects, unlisted) = result?;
        for o in objects {
            text.push_str(&format!("  {o}\n"));
        }
        for u in unlisted {
            output::warn(&format!("not listed: {u}"));
        }
    }
    output::print_data(&text)?;
    Ok(0)
}

/// Waits until the drivers and what they own are gone, looking at all of them in every round
/// ([`LOOKUPS`] applications at a time).
pub async fn wait_gone(client: &Client, drivers: &[&Pod]) -> Result<()> {
    let mut pending: Vec<(&Pod, String)> = drivers.iter().map(|&d| (d, submission_id(d))).collect();
    let mut spinner = waiting::Spinner::new();
    let mut warned = BTreeSet::new();
    while !pending.is_empty() {
        let found: Vec<_> = stream::iter(&pending)
            .map(|(driver, _)| delete::objects_of(client, driver))
            .buffered(LOOKUPS)
            .collect()
            .await;
        let mut left = Vec::new();
        let mut objects_left: Vec<String> = Vec::new();
        for ((driver, id), result) in pending.into_iter().zip(found) {
            let (objects, unlisted) = result?;
            for u in unlisted {
                if warned.insert(u.clone()) {
                    spinner.suspend(|| output::warn(&format!("cannot wait for everything: {u}")));
                }
            }
            if objects.is_empty() {
                spinner.suspend(|| output::info(&format!("Application {id} is gone.")));
            } else {
                objects_left.extend(objects);
                left.push((driver, id));
            }
        }
        pending = left;
        let whose = match pending.as_slice() {
            [] => break,
            [(_, id)] => id.clone(),
            more => format!("{} applications", more.len()),
        };
        spinner.set(&waiting_text(&whose, &objects_left));
        tokio::time::sleep(waiting::POLL).await;
    }
    spinner.clear();
    Ok(())
}

/// The spinner's line while objects are deleted: how many, and the first three by name (with
/// how many more, so that the count and the list agree).
fn waiting_text(whose: &str, objects: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut names = objects
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if objects.len() > SHOWN {
        names.push_str(&format!(" and {} more", objects.len() - SHOWN));
    }
    format!(
        "Waiting for {} object(s) of {whose} to be deleted ({names})",
        objects.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn the_waiting_line_counts_what_it_lists() {
        let objects: Vec<String> = ["pod/a", "service/b", "configmap/c", "secret/d"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            waiting_text("ns:a", &objects),
            "Waiting for 4 object(s) of ns:a to be deleted (pod/a, service/b, configmap/c and 1 more)"
        );
        assert_eq!(
            waiting_text("ns:a", &objects[..2]),
            "Waiting for 2 object(s) of ns:a to be deleted (pod/a, service/b)"
        );
    }

    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        kill: KillArgs,
    }

    fn args(extra: &[&str]) -> KillArgs {
        let mut argv = vec!["x", "app"];
        argv.extend_from_slice(extra);
        Wrap::parse_from(argv).kill
    }

    #[test]
    fn grace_periods() {
        assert_eq!(grace_period(&args(&[])).unwrap(), None);
        assert_eq!(
            grace_period(&args(&["--grace-period", "7"])).unwrap(),
            Some(7)
        );
        let conf = ["-c", "spark.kubernetes.appKillPodDeletionGracePeriod=1min"];
        assert_eq!(grace_period(&args(&conf)).unwrap(), Some(60));
        let both = [
            "-c",
            "spark.kubernetes.appKillPodDeletionGracePeriod=10",
            "--grace-period",
            "3",
        ];
        assert_eq!(grace_period(&args(&both)).unwrap(), Some(3));
        assert!(
            grace_period(&args(&[
                "-c",
                "spark.kubernetes.appKillPodDeletionGracePeriod=soon"
            ]))
            .is_err()
        );
        assert!(grace_period(&args(&["-c", "novalue"])).is_err());
        assert!(grace_period(&args(&["--grace-period=-1"])).is_err());
        assert_eq!(grace_text(None), "the pod's default");
        assert_eq!(grace_text(Some(0)), "0s");
    }
}
