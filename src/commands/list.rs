//! `kubectl spark list` (alias `ls`): every Spark application in the namespace or, with
//! `-A`, the cluster, newest first. Two paged lists whatever the number of applications: the
//! driver pods (`spark-role=driver`) and the executor pods (`spark-role=executor`).

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;

use crate::cli::{KubeFlags, ListArgs, StatusFormat};
use crate::commands::status;
use crate::error::Result;
use crate::operate::find;
use crate::operate::selector::Scope;
use crate::operate::summary::{self, AppSummary};
use crate::output;

/// Runs `list`.
pub async fn run(flags: &KubeFlags, args: &ListArgs) -> Result<u8> {
    let target = crate::kube::resolve(flags).await?;
    let client = target.client()?;
    let scope = if args.all_namespaces {
        Scope::All
    } else {
        Scope::Namespace(target.namespace.clone())
    };
    // Both lists at once.
    let (drivers, executors) = futures::try_join!(
        find::list_drivers(&client, &scope),
        find::list_executors(&client, &scope, None)
    )?;
    let executors = find::executors_by_app(executors);
    let now = Timestamp::now();
    let mut apps: Vec<(AppSummary, &Pod)> = drivers
        .iter()
        .map(|d| (status::summarize(d, &executors, now), d))
        .filter(|(s, _)| args.state.is_empty() || args.state.iter().any(|w| s.state.is(*w)))
        .collect();
    apps.sort_by(|(a, _), (b, _)| summary::newest_first(a, b));
    // JSON and YAML print an empty list, for scripts; other formats say so on stderr.
    if apps.is_empty() && !matches!(args.output, StatusFormat::Json | StatusFormat::Yaml) {
        let filter = if args.state.is_empty() {
            ""
        } else {
            " in that state"
        };
        output::info(&format!(
            "No Spark applications{filter} found in {}.",
            scope.describe()
        ));
        return Ok(0);
    }
    output::print_data(&status::render(&apps, args.output)?)?;
    Ok(0)
}
