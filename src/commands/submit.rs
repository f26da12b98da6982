//! `kubectl spark submit`: resolve ([`prepare::prepare_all`]) → (dry run | preflight → create →
//! wait) → report.

use crate::cli::{DryRun, KubeFlags, ObjectFormat, SubmitArgs};
use crate::error::{Error, Result};
use crate::output;
use crate::submit::apply;
use crate::submit::args::check_no_option_as_resource;
use crate::submit::outcome;
use crate::submit::prepare::{self, Prepared, create, objects_list};
use crate::submit::wait::{self, Outcome, WaitTarget};

/// Runs `submit`; returns the exit code.
pub async fn run(flags: &KubeFlags, args: SubmitArgs) -> Result<u8> {
    check_no_option_as_resource(flags, &args)?;
    let dry_run = args.dry_run.unwrap_or(DryRun::None);
    if args.output.is_some() && dry_run == DryRun::None {
        return Err(Error::usage(
            "-o/--output only applies to a dry run",
            "add --dry-run=client or --dry-run=server",
        ));
    }
    let prepared = prepare::prepare_all(flags, &args).await?;
    run_prepared(&prepared, &args, dry_run).await
}

/// Creates (or dry-runs) every prepared submission, then waits for each in turn.
async fn run_prepared(all: &[Prepared], args: &SubmitArgs, dry_run: DryRun) -> Result<u8> {
    if dry_run != DryRun::None {
        for up in all.iter().filter_map(|p| p.uploads.as_ref()) {
            output::info(&format!(
                "dry run: {} local file(s) ({}) would be uploaded to {}; nothing was uploaded",
                up.len(),
                indicatif::HumanBytes(up.total_bytes()),
                up.destination()
            ));
        }
    }
    let list = || -> Result<serde_json::Value> {
        let mut items = Vec::new();
        for p in all {
            if let Some(serde_json::Value::Array(more)) = objects_list(&p.submission)?.get("items")
            {
                items.extend(more.iter().cloned());
            }
        }
        output::object_list(&items)
    };
    if dry_run == DryRun::Client {
        let format = args.output.unwrap_or(ObjectFormat::Yaml);
        output::print_data(&output::render(&list()?, format)?)?;
        return Ok(0);
    }
    let clients = all
        .iter()
        .map(|p| p.target.client())
        .collect::<Result<Vec<_>>>()?;
    if dry_run == DryRun::Server {
        for (p, client) in all.iter().zip(&clients) {
            let sub = &p.submission;
            apply::apply(client, sub, true).await?;
            output::info(&format!(
                "server dry run: the API server accepted {} object(s) for {}; nothing was created",
                sub.post.len() + 1,
                sub.submission_id()
            ));
        }
        if let Some(format) = args.output {
            output::print_data(&output::render(&list()?, format)?)?;
        }
        return Ok(0);
    }
    if !args.skip_preflight {
        for (p, client) in all.iter().zip(&clients) {
            crate::preflight::check(client, &p.target, &p.submission).await?;
        }
    }
    for (p, client) in all.iter().zip(&clients) {
        if let Some(code) = create_and_announce(p, client).await? {
            return Ok(code);
        }
    }
    let mut worst: Result<u8> = Ok(0);
    for (p, client) in all.iter().zip(&clients) {
        let sub = &p.submission;
        let id = sub.submission_id();
        if !p.wait {
            output::info(&format!(
                "Deployed Spark application {} with application ID {} and submission ID {id} into Kubernetes",
                sub.app_name, sub.app_id
            ));
            continue;
        }
        let target = WaitTarget {
            namespace: &sub.namespace,
            pod_name: &sub.driver_pod_name,
            app_id: &sub.app_id,
            app_name: &sub.app_name,
            report_interval: p.report_interval,
            timeout: p.timeout,
        };
        output::info(&outcome::waiting_line(&target));
        let (outcome, last) = wait::wait(client, &target).await;
        let failure = match (&outcome, &last) {
            (Outcome::Failed, Some(pod)) => {
                outcome::failed_driver_report(client, &target, pod, args.log_tail).await
            }
            _ => None,
        };
        let reporting = outcome::Reporting {
            spark_exit_code: args.spark_exit_code,
            timeout: args.timeout.as_deref(),
        };
        match outcome::report(&target, &outcome, last.as_ref(), failure, &reporting) {
            Ok(130) => return Ok(130),
            Ok(_) => {}
            Err(e) if all.len() == 1 => return Err(e),
            // The first failure is the command's error (printed last); later ones are warned.
            Err(e) if worst.is_err() => output::warn(&e.to_string()),
            Err(e) => worst = Err(e),
        }
    }
    worst
}

/// Uploads a submission's local files and creates its objects, then prints its submission id
/// on stdout. `Some(code)` when interrupted.
async fn create_and_announce(p: &Prepared, client: &::kube::Client) -> Result<Option<u8>> {
    if !create(client, p).await? {
        return Ok(Some(130));
    }
    // On stdout as soon as the driver exists, waiting or not: a script captures it and still
    // gets the driver's exit code.
    output::print_data(&format!("{}\n", p.submission.submission_id()))?;
    Ok(None)
}
