//! `kubectl spark wait`: waits for existing applications (including finished ones) and exits
//! as `submit` would: 0 when they succeeded, 3 when one failed or was deleted (with the same
//! failure report), 4 when `--timeout` passed, 130 on Ctrl-C. It is `submit`'s wait
//! ([`crate::submit::wait`]) and report ([`crate::submit::outcome`]) run on drivers found by
//! name, glob, `-l` or `--all`, one after the other under one deadline. Its progress is
//! paced as `submit`'s: `-c spark.kubernetes.report.interval=…` (default 1 s).

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::Api;

use crate::cli::{KubeFlags, WaitArgs};
use crate::conf::SparkConf;
use crate::error::{Error, Result};
use crate::operate::executors::Losses;
use crate::operate::find;
use crate::operate::selector::DriverRef;
use crate::output;
use crate::spark::progress::{self, REPORT_INTERVAL_KEY};
use crate::submit::outcome::{self, Reporting};
use crate::submit::wait::{self, Outcome, WaitTarget};

/// Runs `wait`.
pub async fn run(flags: &KubeFlags, args: &WaitArgs) -> Result<u8> {
    let timeout = match args.timeout.as_deref() {
        Some(text) => {
            Some(crate::operate::duration::parse_flag("--timeout", text)?).filter(|t| !t.is_zero())
        }
        None => None,
    };
    let report_interval = report_interval(&args.conf)?;
    let target = crate::kube::resolve(flags).await?;
    let client = target.client()?;
    let texts = references(args);
    let mut resolved = find::resolve_selected(
        &client,
        &target.namespace,
        args.all_namespaces,
        &texts,
        args.selector.as_deref(),
    )
    .await?;
    if args.latest {
        resolved = resolved.into_iter().map(find::Resolved::latest).collect();
    }
    find::require_all_found(&resolved)?;
    let drivers = find::unique_drivers(&resolved);
    let deadline = timeout.map(|t| Instant::now() + t);
    let reporting = Reporting {
        spark_exit_code: false,
        timeout: args.timeout.as_deref(),
    };
    let mut results = Vec::new();
    for driver in &drivers {
        let Some(app) = DriverRef::from_pod(driver) else {
            continue;
        };
        let app_id = app.app_id.clone().unwrap_or_else(|| app.pod_name.clone());
        let app_name = app.app_name.clone().unwrap_or_else(|| app.pod_name.clone());
        let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let target = WaitTarget {
            namespace: &app.namespace,
            pod_name: &app.pod_name,
            app_id: &app_id,
            app_name: &app_name,
            report_interval,
            timeout: remaining,
        };
        output::info(&outcome::waiting_line(&target));
        let (ended, last, losses) = match remaining {
            // The deadline passed while waiting for the ones before: look once, don't wait.
            Some(left) if left.is_zero() => {
                let (ended, last) = look_once(&client, &target).await?;
                (ended, last, Losses::default())
            }
            _ => wait::wait(&client, &target).await,
        };
        let failure = match (&ended, &last) {
            (Outcome::Failed, Some(pod)) => {
                outcome::failed_driver_report(&client, &target, pod, args.log_tail, &losses).await
            }
            _ => None,
        };
        match outcome::report(&target, &ended, last.as_ref(), failure, &reporting) {
            Ok(130) => return Ok(130),
            Ok(_) => results.push(Ok(())),
            Err(e) => results.push(Err(e)),
        }
    }
    verdict(results)
}

/// How often progress is reported: `-c spark.kubernetes.report.interval=…`, checked as
/// `submit` checks it (the driver's own setting is not read); other keys are warned about
/// and ignored.
fn report_interval(entries: &[String]) -> Result<Duration> {
    let mut conf = SparkConf::new();
    for entry in entries {
        let Some((key, value)) = entry.split_once('=') else {
            return Err(Error::usage(
                format!("--conf `{entry}` is not KEY=VALUE"),
                format!("e.g. -c {REPORT_INTERVAL_KEY}=30s"),
            ));
        };
        if key.trim() == REPORT_INTERVAL_KEY {
            conf.set(REPORT_INTERVAL_KEY, value.trim());
        } else {
            output::warn(&format!("--conf {key} does not affect `wait`; ignored"));
        }
    }
    crate::conf::validate::validate(&conf)?;
    progress::report_interval(&conf)
}

/// The references to resolve: the APPs, or every application (`--all`); with `-l` alone,
/// none (every driver matching the selector).
fn references(args: &WaitArgs) -> Vec<String> {
    if args.all && args.selector.is_none() {
        vec!["*".to_string()]
    } else {
        args.apps.clone()
    }
}

/// The outcome of a driver looked at once (after the deadline): its end if it ended, else
/// timed out.
async fn look_once(client: &Client, target: &WaitTarget<'_>) -> Result<(Outcome, Option<Pod>)> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), target.namespace);
    let pod = pods
        .get_opt(target.pod_name)
        .await
        .map_err(|e| crate::kube::api_error(e, "get pods", target.namespace))?;
    Ok(match pod {
        None => (Outcome::Deleted, None),
        Some(pod) => (
            wait::final_outcome(&pod).unwrap_or(Outcome::TimedOut),
            Some(pod),
        ),
    })
}

/// The command's result over several applications: a failure (exit 3) wins over a timeout
/// (exit 4); the first of its kind is the error (printed last), the others were reported
/// above and are warned again in one line each.
fn verdict(results: Vec<Result<()>>) -> Result<u8> {
    let (failed, other): (Vec<Error>, Vec<Error>) = results
        .into_iter()
        .filter_map(Result::err)
        .partition(|e| matches!(e, Error::AppFailed(_)));
    let mut errors = failed.into_iter().chain(other);
    let Some(first) = errors.next() else {
        return Ok(0);
    };
    for e in errors {
        output::warn(&e.to_string());
    }
    Err(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_wins_over_a_timeout() {
        assert_eq!(verdict(vec![Ok(()), Ok(())]).unwrap(), 0);
        let e = verdict(vec![
            Err(Error::TimedOut("t".into())),
            Ok(()),
            Err(Error::AppFailed("a".into())),
        ])
        .unwrap_err();
        assert_eq!(e.exit_code(), 3);
        let e = verdict(vec![Ok(()), Err(Error::TimedOut("t".into()))]).unwrap_err();
        assert_eq!(e.exit_code(), 4);
    }

    #[test]
    fn the_report_interval_is_submits() {
        let of = |entries: &[&str]| {
            report_interval(&entries.iter().map(|e| e.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(of(&[]).unwrap(), Duration::from_secs(1));
        assert_eq!(
            of(&["spark.kubernetes.report.interval=30s"]).unwrap(),
            Duration::from_secs(30)
        );
        assert_eq!(
            of(&["spark.app.name=x", "spark.kubernetes.report.interval=500ms"]).unwrap(),
            Duration::from_millis(500),
            "other keys are ignored"
        );
        for bad in [
            "spark.kubernetes.report.interval=often",
            "spark.kubernetes.report.interval=0s",
            "spark.kubernetes.report.interval",
        ] {
            let e = of(&[bad]).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}: {e}");
        }
    }

    #[test]
    fn all_is_every_application() {
        use clap::Parser;
        let parse = |argv: &[&str]| {
            let cli = crate::cli::Cli::try_parse_from(
                std::iter::once("kubectl-spark").chain(argv.iter().copied()),
            )
            .unwrap();
            match cli.command {
                crate::cli::Command::Wait(w) => w,
                _ => unreachable!(),
            }
        };
        assert_eq!(references(&parse(&["wait", "--all"])), vec!["*"]);
        assert_eq!(references(&parse(&["wait", "a", "b*"])), vec!["a", "b*"]);
        assert!(references(&parse(&["wait", "-l", "x=y"])).is_empty());
        assert!(references(&parse(&["wait", "--all", "-l", "x=y"])).is_empty());
        assert!(
            crate::cli::Cli::try_parse_from(["kubectl-spark", "wait"]).is_err(),
            "an APP, --all or -l is required"
        );
        assert!(crate::cli::Cli::try_parse_from(["kubectl-spark", "wait", "a", "--all"]).is_err());
    }
}
