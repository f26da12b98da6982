//! `kubectl spark list` (alias `ls`): every Spark application in the namespace or, with
//! `-A`, the cluster, newest first. Two paged lists whatever the number of applications: the
//! driver pods (`spark-role=driver`, and `-l`'s labels) and the executor pods
//! (`spark-role=executor`). kubectl's `-o`, `--no-headers`, `--sort-by` and `-w` as in
//! [`status`]. `--all` adds the finished applications whose driver pods are gone, as the
//! namespace's History Server knows them ([`crate::commands::history::gone`]).

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;

use crate::cli::{AppState, KubeFlags, ListArgs, StatusFormat};
use crate::commands::status::{self, View};
use crate::error::Result;
use crate::operate::find;
use crate::operate::selector::Scope;
use crate::operate::summary::AppSummary;
use crate::output;

/// Runs `list`.
pub async fn run(flags: &KubeFlags, args: &ListArgs) -> Result<u8> {
    let sort_key = status::sort_key(args.get.sort_by.as_deref())?;
    let template = status::template(&args.get.output)?;
    status::check_watch(&args.get)?;
    let target = crate::kube::resolve(flags).await?;
    let client = &target.client()?;
    let scope = &if args.all_namespaces {
        Scope::All
    } else {
        Scope::Namespace(target.namespace.clone())
    };
    let selector = args.get.selector.as_deref();
    let fetch = move || async move {
        // Both lists at once.
        let (drivers, executors) = futures::try_join!(
            find::list_drivers_selected(client, scope, selector),
            find::list_executors(client, scope, None)
        )?;
        Ok::<_, crate::Error>((drivers, find::executors_by_app(executors)))
    };
    let (drivers, executors) = fetch().await?;
    let now = Timestamp::now();
    let mut apps: Vec<(AppSummary, &Pod)> = drivers
        .iter()
        .map(|d| (status::summarize(d, &executors, now), d))
        .filter(|(s, _)| wanted(&args.state, s))
        .collect();
    if args.get.output == StatusFormat::Wide {
        let (mut summaries, pods): (Vec<AppSummary>, Vec<&Pod>) = apps.into_iter().unzip();
        crate::spark::live::attach(client, &mut summaries, &pods).await;
        apps = summaries.into_iter().zip(pods).collect();
    }
    // --all: the finished applications whose pods are gone, from the History Server (they
    // have no labels for -l, and no pod for -o spark).
    let no_pod = Pod::default();
    if args.all && selector.is_some() {
        output::info(
            "--all: applications whose driver pods are gone have no labels; -l leaves them out",
        );
    }
    if args.all && selector.is_none() && args.get.output != StatusFormat::Spark {
        let gone = crate::commands::history::gone(client, scope).await;
        for note in &gone.notes {
            output::info(&format!("--all: {note}"));
        }
        apps.extend(
            gone.apps
                .into_iter()
                .filter(|s| wanted(&args.state, s))
                .map(|s| (s, &no_pod)),
        );
    }
    status::sort(&mut apps, sort_key.as_ref())?;
    let view = View {
        get: &args.get,
        template: template.as_ref(),
        namespace_column: args.all_namespaces,
    };
    // JSON, YAML and templates print an empty list, for scripts; other formats say so on stderr.
    let quiet_when_empty = matches!(
        args.get.output,
        StatusFormat::Json | StatusFormat::Yaml | StatusFormat::JsonPath(_)
    );
    if apps.is_empty() && !quiet_when_empty {
        let filter = match (args.state.is_empty(), selector) {
            (true, None) => String::new(),
            (false, None) => " in that state".to_string(),
            (true, Some(l)) => format!(" labelled {l}"),
            (false, Some(l)) => format!(" in that state labelled {l}"),
        };
        output::info(&format!(
            "No Spark applications{filter} found in {}.",
            scope.describe()
        ));
    } else {
        output::print_data(&view.render(&apps, true)?)?;
    }
    if args.get.watch {
        let first = apps.iter().map(|(s, _)| s.clone()).collect();
        let states = &args.state;
        let wide = args.get.output == StatusFormat::Wide;
        let refetch = move || async move {
            let (drivers, executors) = fetch().await?;
            let now = Timestamp::now();
            let mut summaries: Vec<AppSummary> = drivers
                .iter()
                .map(|d| status::summarize(d, &executors, now))
                .collect();
            if wide {
                let pods: Vec<&Pod> = drivers.iter().collect();
                crate::spark::live::attach(client, &mut summaries, &pods).await;
            }
            Ok(summaries
                .into_iter()
                .filter(|s| wanted(states, s))
                .collect())
        };
        status::watch(&view, first, refetch, false).await?;
    }
    Ok(0)
}

fn wanted(states: &[AppState], s: &AppSummary) -> bool {
    states.is_empty() || states.iter().any(|w| s.state.is(*w))
}
