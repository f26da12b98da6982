//! `kubectl spark submit`: resolve ([`prepare::prepare_all`]) → (dry run | preflight → create →
//! wait) → report.

use crate::cli::{DryRun, KubeFlags, ObjectFormat, SubmitArgs};
use crate::connect;
use crate::error::{Error, Result};
use crate::history;
use crate::manifest::bundle;
use crate::output;
use crate::submit::args::check_no_option_as_resource;
use crate::submit::outcome;
use crate::submit::plan::Submission;
use crate::submit::prepare::{self, Prepared, PreparedAll, create, objects_list};
use crate::submit::retry::{self, Attempts, Failure, Retry};
use crate::submit::wait::{self, Outcome, WaitTarget};
use crate::submit::{apply, bundled};

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
    run_prepared(flags, &prepared, &args, dry_run).await
}

/// Creates (or dry-runs) the plain objects a `-f` file bundles, then every prepared
/// submission, then waits for each in turn, resubmitting failed ones as their policy says.
async fn run_prepared(
    flags: &KubeFlags,
    prepared: &PreparedAll,
    args: &SubmitArgs,
    dry_run: DryRun,
) -> Result<u8> {
    let all = prepared.submissions.as_slice();
    let bundled = prepared.bundled.as_slice();
    let retries = prepared.retries.as_slice();
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
        // As `kubectl apply --dry-run -o yaml` shows them (a Secret's data included: this is
        // the objects as data, on stdout, asked for with -o).
        let mut items: Vec<serde_json::Value> =
            bundled.iter().map(|(o, ns)| o.for_namespace(ns)).collect();
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
        if let Some(client) = clients.first()
            && !bundled.is_empty()
        {
            bundled::apply_all(client, bundled, true).await?;
            output::info(&format!(
                "server dry run: the API server accepted {}; nothing was created",
                bundle::summary(&bundled.iter().map(|(o, _)| o.clone()).collect::<Vec<_>>())
            ));
        }
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
            let provided: Vec<(String, String)> = bundled
                .iter()
                .filter(|(_, ns)| *ns == p.submission.namespace)
                .map(|(o, _)| (o.kind.clone(), o.name.clone()))
                .collect();
            crate::preflight::check_with_bundled(client, &p.target, &p.submission, &provided)
                .await?;
        }
    }
    let applied = match clients.first() {
        Some(client) if !bundled.is_empty() => {
            let applied = bundled::apply_all(client, bundled, false).await?;
            output::info(&bundled::summary(&applied));
            applied
        }
        _ => Vec::new(),
    };
    // Per submission: the attempts so far, and the submission that replaced a first one the
    // API server refused (resubmitted as its policy's onSubmissionFailureRetries allow).
    let mut attempts = vec![Attempts::default(); all.len()];
    let mut replaced: Vec<Option<Prepared>> = all.iter().map(|_| None).collect();
    for (i, (p, client)) in all.iter().zip(&clients).enumerate() {
        let created = match create_and_announce(p, client).await {
            Err(e) => match retries.get(i).filter(|r| p.wait && r.policy.retries()) {
                Some(r) => {
                    attempts[i].submission += 1;
                    match r.policy.next(Failure::Submission, attempts[i]) {
                        Some(pause) => {
                            output::warn(&e.to_string());
                            output::info(&retry::retry_line(
                                Failure::Submission,
                                attempts[i],
                                &r.policy,
                                pause,
                            ));
                            match resubmit(flags, args, r, client, pause, &mut attempts[i]).await {
                                Ok(Some(next)) => {
                                    replaced[i] = Some(next);
                                    Ok(None)
                                }
                                Ok(None) => Ok(Some(130)),
                                Err(e) => Err(e),
                            }
                        }
                        None => Err(e),
                    }
                }
                None => Err(e),
            },
            done => done,
        };
        let current = replaced[i].as_ref().unwrap_or(p);
        match created {
            Ok(Some(code)) => return Ok(code),
            Ok(None) if connect::is_connect_server(&current.submission.pod) => {
                output::info(&attach_hint(&current.submission));
            }
            Ok(None) => {}
            Err(e) if applied.is_empty() => return Err(e),
            Err(e) => {
                output::info(&bundled::roll_back(client, &applied).await);
                return Err(e);
            }
        }
    }
    let mut worst: Result<u8> = Ok(0);
    for (i, (p, client)) in all.iter().zip(&clients).enumerate() {
        if !p.wait {
            let sub = &replaced[i].as_ref().unwrap_or(p).submission;
            if history::is_history_server(&sub.pod) {
                output::info(&history_hint(sub, "once it is ready, "));
                continue;
            }
            output::info(&format!(
                "Deployed Spark application {} with application ID {} and submission ID {} into Kubernetes",
                sub.app_name,
                sub.app_id,
                sub.submission_id()
            ));
            continue;
        }
        let retry = retries.get(i).filter(|r| r.policy.retries());
        let resubmitted = replaced[i].take();
        let current = resubmitted.as_ref().unwrap_or(p);
        let result = if history::is_history_server(&current.submission.pod) {
            until_history_ready(client, &current.submission, p.timeout).await
        } else if connect::is_connect_server(&current.submission.pod) {
            until_connect_ready(client, &current.submission, p.timeout).await
        } else {
            wait_retrying(flags, args, client, p, retry, attempts[i], resubmitted).await
        };
        match result {
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

/// Waits for an application's driver (the first attempt `p`, or the one that `resubmitted` it
/// after refused submissions), resubmitting a failed one as `retry`'s policy allows: the last
/// attempt's exit code or error (130 when interrupted).
async fn wait_retrying(
    flags: &KubeFlags,
    args: &SubmitArgs,
    client: &::kube::Client,
    p: &Prepared,
    retry: Option<&Retry>,
    mut attempts: Attempts,
    mut resubmitted: Option<Prepared>,
) -> Result<u8> {
    loop {
        let current = resubmitted.as_ref().unwrap_or(p);
        let (outcome, result) = wait_and_report(current, client, args).await;
        let Some(r) = retry.filter(|_| outcome == Outcome::Failed) else {
            return result;
        };
        attempts.application += 1;
        let Some(pause) = r.policy.next(Failure::Application, attempts) else {
            return result;
        };
        if let Err(e) = &result {
            output::warn(&e.to_string());
        }
        output::info(&retry::retry_line(
            Failure::Application,
            attempts,
            &r.policy,
            pause,
        ));
        match resubmit(flags, args, r, client, pause, &mut attempts).await {
            Ok(Some(next)) => resubmitted = Some(next),
            Ok(None) => return Ok(130),
            Err(e) => return Err(e),
        }
    }
}

/// Waits for a submission's driver and reports how it ended: the outcome, and the exit code
/// or error it makes.
async fn wait_and_report(
    p: &Prepared,
    client: &::kube::Client,
    args: &SubmitArgs,
) -> (Outcome, Result<u8>) {
    let sub = &p.submission;
    let target = WaitTarget {
        namespace: &sub.namespace,
        pod_name: &sub.driver_pod_name,
        app_id: &sub.app_id,
        app_name: &sub.app_name,
        report_interval: p.report_interval,
        timeout: p.timeout,
    };
    output::info(&outcome::waiting_line(&target));
    let (outcome, last, losses) = wait::wait(client, &target).await;
    let failure = match (&outcome, &last) {
        (Outcome::Failed, Some(pod)) => {
            outcome::failed_driver_report(client, &target, pod, args.log_tail, &losses).await
        }
        _ => None,
    };
    let reporting = outcome::Reporting {
        spark_exit_code: args.spark_exit_code,
        timeout: args.timeout.as_deref(),
    };
    let result = outcome::report(&target, &outcome, last.as_ref(), failure, &reporting);
    (outcome, result)
}

/// After `pause`, prepares and creates the application again (new ids, so a new driver pod);
/// a submission the API server refuses is retried as the policy allows. `None` when
/// interrupted.
async fn resubmit(
    flags: &KubeFlags,
    args: &SubmitArgs,
    r: &Retry,
    client: &::kube::Client,
    mut pause: std::time::Duration,
    attempts: &mut Attempts,
) -> Result<Option<Prepared>> {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = tokio::signal::ctrl_c() => {
                output::info("Interrupted before resubmitting; nothing more was created.");
                return Ok(None);
            }
        }
        let next = prepare::prepare_again(flags, args, r, attempts.next_number()).await?;
        output::info(&format!(
            "attempt {}: resubmitting as {}",
            attempts.next_number(),
            next.submission.submission_id()
        ));
        match create_and_announce(&next, client).await {
            Ok(Some(_)) => return Ok(None),
            Ok(None) => return Ok(Some(next)),
            Err(e) => {
                attempts.submission += 1;
                match r.policy.next(Failure::Submission, *attempts) {
                    Some(p) => {
                        output::warn(&e.to_string());
                        output::info(&retry::retry_line(
                            Failure::Submission,
                            *attempts,
                            &r.policy,
                            p,
                        ));
                        pause = p;
                    }
                    None => return Err(e),
                }
            }
        }
    }
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

/// A History Server a manifest started is not waited for to the end, as an application is:
/// only until it serves (as `kubectl spark history` waits for its own, deleting one that
/// cannot start), then `submit` says how to use it and exits 0.
async fn until_history_ready(
    client: &::kube::Client,
    sub: &Submission,
    timeout: Option<std::time::Duration>,
) -> Result<u8> {
    let ready = crate::commands::history::until_ready(
        client,
        sub,
        timeout.unwrap_or(crate::commands::history::DEFAULT_TIMEOUT),
    )
    .await?;
    if ready.is_none() {
        return Ok(130);
    }
    output::info(&history_hint(sub, ""));
    Ok(0)
}

/// A Spark Connect server a manifest started is not waited for to the end either: only until
/// it serves (its readiness probe, as `connect` waits), then `submit` says how to attach and
/// exits 0. One that cannot start is reported with the cause from its log (exit 3) and kept
/// for `logs`/`describe`, as a failed application is; `--timeout` (default 5m) exits 4 and
/// leaves it running.
async fn until_connect_ready(
    client: &::kube::Client,
    sub: &Submission,
    timeout: Option<std::time::Duration>,
) -> Result<u8> {
    use crate::commands::connect::{NotReady, show_failure, until_server_ready};
    let id = sub.submission_id();
    let pods: ::kube::Api<k8s_openapi::api::core::v1::Pod> =
        ::kube::Api::namespaced(client.clone(), &sub.namespace);
    match until_server_ready(
        &pods,
        &sub.driver_pod_name,
        &format!("Spark Connect server {id}"),
        "its gRPC port does not answer yet",
        timeout.unwrap_or(crate::commands::history::DEFAULT_TIMEOUT),
    )
    .await
    {
        Ok(_) => {
            output::info(&attach_hint(sub));
            Ok(0)
        }
        Err(NotReady::Interrupted) => {
            output::info(&format!(
                "Stopped waiting; the Spark Connect server {id} keeps starting (`kubectl spark status {id}`)."
            ));
            Ok(130)
        }
        Err(NotReady::TimedOut(why)) => Err(Error::TimedOut(format!(
            "the Spark Connect server {id} was {why}; it keeps running (`kubectl spark describe {id}` says why)"
        ))),
        Err(NotReady::Failed(why, pod)) => {
            if let Some(pod) = &pod {
                show_failure(client, pod, None, &id).await;
            }
            Err(Error::AppFailed(format!(
                "the Spark Connect server {id} did not start: {why}"
            )))
        }
    }
}

/// How to use a History Server a manifest started (`when`: before it is ready).
fn history_hint(sub: &Submission, when: &str) -> String {
    let ns = &sub.namespace;
    format!(
        "{} is the History Server of namespace {ns}: {when}`kubectl spark history -n {ns}` lists \
         the finished applications it knows and `kubectl spark history -n {ns} --open` opens its UI \
         (`--stop` deletes it); `list`, `kill` and `cleanup` leave it alone",
        sub.submission_id()
    )
}

/// How to reach a Connect server a manifest started.
fn attach_hint(sub: &Submission) -> String {
    format!(
        "{} is a Spark Connect server: reach it with `kubectl spark connect -n {} --attach {}` \
         (a tunnel and the connection string with its token)",
        sub.submission_id(),
        sub.namespace,
        sub.driver_pod_name
    )
}
