//! `kubectl spark status`: the state of one or more applications, as a table, JSON/YAML,
//! submission ids, kubectl's `jsonpath=`/`custom-columns=`, or spark-submit's own status block
//! (`-o spark`, §7 of the spec). `-l` narrows to labelled drivers, `--sort-by` orders, `-w`
//! prints changes until every application shown has ended. The EXECUTORS column counts the
//! executors lost (`1/2, 4 lost (OOMKilled)`): failed executor pods still there, and, for a
//! running application, the pods Spark already deleted, from their Events.
//!
//! With `--all` (and for a name no driver pod matches) the finished applications whose driver
//! pods are gone are added from the namespace's History Server, marked `completed (pod gone)`.
//!
//! With `-o spark` the `Submitting a request for the status of submission … in k8s://….` line and the
//! not-found messages go to stderr (as spark-submit prints them) and each
//! `Application status (driver): ` block to stdout, so that the blocks can be piped.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use futures::stream::{self, StreamExt, TryStreamExt};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::Client;
use kube::api::Api;
use serde_json::Value;

use crate::app::LABEL_APP_SELECTOR;
use crate::cli::{GetFlags, KubeFlags, ObjectFormat, StatusArgs, StatusFormat};
use crate::error::{Error, Result};
use crate::operate::executors::{self, Losses};
use crate::operate::selector::{DriverRef, Scope};
use crate::operate::summary::{self, AppSummary, TableLayout};
use crate::operate::{CONCURRENCY, find};
use crate::output;

/// Up to this many applications, only their executors are listed (by app id); above, every
/// executor of their namespaces.
const PER_APP_EXECUTOR_LISTS: usize = 5;

/// Runs `status`.
pub async fn run(flags: &KubeFlags, args: &StatusArgs) -> Result<u8> {
    // Checked before any request.
    let sort_key = sort_key(args.get.sort_by.as_deref())?;
    let template = template(&args.get.output)?;
    check_watch(&args.get)?;
    let target = crate::kube::resolve(flags).await?;
    let client = &target.client()?;
    let namespace = target.namespace.as_str();
    let selector = args.get.selector.as_deref();
    // No name and no selector: every application, as `kubectl get` without a name.
    let every = args.apps.is_empty() && selector.is_none();
    let glob_all = ["*".to_string()];
    let texts: &[String] = if every { &glob_all } else { &args.apps };
    let resolve =
        move || find::resolve_selected(client, namespace, args.all_namespaces, texts, selector);
    let mut resolved = resolve().await?;
    if args.latest {
        resolved = resolved.into_iter().map(find::Resolved::latest).collect();
    }
    if args.get.output == StatusFormat::Spark {
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
    let executors = executors_of(client, &drivers).await?;
    let lost = lost_executors(client, &drivers, &executors).await;
    let now = Timestamp::now();
    let mut apps: Vec<(AppSummary, &Pod)> = drivers
        .iter()
        .map(|d| (with_losses(summarize(d, &executors, now), &lost), d))
        .collect();
    let spark_lines = spark_lines(&args.get);
    if args.get.output == StatusFormat::Wide || spark_lines.is_some() {
        let (mut summaries, pods): (Vec<AppSummary>, Vec<&Pod>) = apps.into_iter().unzip();
        let answers = crate::spark::live::attach(client, &mut summaries, &pods).await;
        if let Some(lines) = &spark_lines {
            lines.show(&answers);
        }
        apps = summaries.into_iter().zip(pods).collect();
    }
    let no_pod = Pod::default();
    let (gone, satisfied) = if selector.is_none() || !args.apps.is_empty() {
        from_history(client, namespace, args, &resolved).await
    } else {
        if args.all {
            output::info(
                "--all: applications whose driver pods are gone have no labels; -l leaves them out",
            );
        }
        Default::default()
    };
    apps.extend(gone.into_iter().map(|s| (s, &no_pod)));
    sort(&mut apps, sort_key.as_ref())?;
    let namespace_column = args.all_namespaces || spans_namespaces(&apps);
    let view = View {
        get: &args.get,
        template: template.as_ref(),
        namespace_column,
    };
    if !apps.is_empty() {
        output::print_data(&view.render(&apps, true)?)?;
    } else if every {
        let scope = if args.all_namespaces { "" } else { namespace };
        output::info(&nothing_found(scope));
    }
    if !every && (selector.is_none() || !args.apps.is_empty()) {
        let unsatisfied: Vec<find::Resolved> = resolved
            .iter()
            .filter(|r| !satisfied.contains(&r.reference.text))
            .cloned()
            .collect();
        find::require_all_found(&unsatisfied)?;
    }
    if args.get.watch {
        let shown: &Vec<String> = &apps.iter().map(|(s, _)| s.submission_id.clone()).collect();
        let spark_lines = spark_lines.as_ref();
        let wide = args.get.output == StatusFormat::Wide;
        let fetch = move || async move {
            let resolved = resolve().await?;
            let drivers: Vec<Pod> = find::unique_drivers(&resolved)
                .into_iter()
                .filter(|d| {
                    every
                        || DriverRef::from_pod(d)
                            .is_some_and(|r| shown.contains(&r.submission_id()))
                })
                .collect();
            let executors = executors_of(client, &drivers).await?;
            let lost = lost_executors(client, &drivers, &executors).await;
            let now = Timestamp::now();
            let mut summaries: Vec<AppSummary> = drivers
                .iter()
                .map(|d| with_losses(summarize(d, &executors, now), &lost))
                .collect();
            if wide || spark_lines.is_some() {
                let pods: Vec<&Pod> = drivers.iter().collect();
                let answers = crate::spark::live::attach(client, &mut summaries, &pods).await;
                if let Some(lines) = spark_lines {
                    lines.show(&answers);
                }
            }
            Ok(summaries)
        };
        let first = apps.iter().map(|(s, _)| s.clone()).collect();
        watch(&view, first, fetch, true).await?;
    }
    Ok(0)
}

/// The rows the History Servers add: with `--all`, the finished applications whose driver
/// pods are gone that the references name (every one without a name); without it, only for a
/// plain name that matched no driver pod (a run deleted by `kill` or `cleanup`). Also the
/// texts of the references those rows satisfy. Notes (no server, no answer) are said with
/// `--all` only; without it a name nobody knows keeps its usual error.
async fn from_history(
    client: &Client,
    namespace: &str,
    args: &StatusArgs,
    resolved: &[find::Resolved],
) -> (Vec<AppSummary>, HashSet<String>) {
    let wanted: Vec<&find::Resolved> = resolved
        .iter()
        .filter(|r| {
            if args.all {
                !args.latest || r.drivers.is_empty()
            } else {
                r.drivers.is_empty() && !r.reference.is_glob()
            }
        })
        .collect();
    if wanted.is_empty() {
        return Default::default();
    }
    let scopes: BTreeSet<Option<String>> = if args.all_namespaces {
        BTreeSet::from([None])
    } else {
        wanted
            .iter()
            .map(|r| {
                Some(
                    r.reference
                        .namespace
                        .clone()
                        .unwrap_or_else(|| namespace.into()),
                )
            })
            .collect()
    };
    let mut known = Vec::new();
    for scope in scopes {
        let scope = scope.map_or(Scope::All, Scope::Namespace);
        let gone = crate::commands::history::gone(client, &scope).await;
        if args.all {
            for note in &gone.notes {
                output::info(&format!("--all: {note}"));
            }
        }
        known.extend(gone.apps);
    }
    let refs: Vec<DriverRef> = known.iter().map(DriverRef::from).collect();
    let mut rows: Vec<AppSummary> = Vec::new();
    let mut satisfied = HashSet::new();
    for r in wanted {
        let mut matched: Vec<&AppSummary> =
            crate::operate::selector::match_drivers(&r.reference, &refs)
                .into_iter()
                .map(|i| &known[i])
                .collect();
        if args.latest {
            matched.sort_by(|a, b| summary::newest_first(a, b));
            matched.truncate(1);
        }
        if !matched.is_empty() {
            satisfied.insert(r.reference.text.clone());
        }
        for m in matched {
            if !rows.iter().any(|s| s.submission_id == m.submission_id) {
                rows.push(m.clone());
            }
        }
    }
    (rows, satisfied)
}

/// What `status` without a name says on stderr when there is nothing to list (`namespace`
/// empty: every namespace), as `kubectl get` does.
pub fn nothing_found(namespace: &str) -> String {
    if namespace.is_empty() {
        "No Spark applications found.".to_string()
    } else {
        format!("No Spark applications found in namespace {namespace}.")
    }
}

/// `-w` on a table also prints Spark's progress of each running application on stderr (as
/// `submit` does while it waits).
fn spark_lines(get: &GetFlags) -> Option<crate::spark::live::ProgressLines> {
    (get.watch && matches!(get.output, StatusFormat::Table | StatusFormat::Wide))
        .then(|| crate::spark::live::ProgressLines::new(WATCH_INTERVAL))
}

/// Whether the applications are in more than one namespace (then the NAMESPACE column is
/// shown even without `-A`, as the rows would otherwise be ambiguous).
pub fn spans_namespaces(apps: &[(AppSummary, &Pod)]) -> bool {
    apps.windows(2)
        .any(|w| w[0].0.namespace != w[1].0.namespace)
}

/// `-w` prints rows, objects or names; spark-submit's status block is not something to watch.
pub fn check_watch(get: &GetFlags) -> Result<()> {
    if get.watch && get.output == StatusFormat::Spark {
        return Err(Error::usage(
            "-w/--watch cannot be used with -o spark",
            "watch the table (-w) or JSON (-w -o json) instead",
        ));
    }
    Ok(())
}

/// `--sort-by`'s path, parsed (a bad one fails before anything is printed).
pub fn sort_key(sort_by: Option<&str>) -> Result<Option<crate::jsonpath::Template>> {
    sort_by
        .map(|text| {
            crate::jsonpath::Template::parse(text).map_err(|e| {
                Error::usage(
                    format!("--sort-by {text}: {e}"),
                    "sort by a field of `-o json`, e.g. --sort-by=.created, .state or .executors.total",
                )
            })
        })
        .transpose()
}

/// `-o jsonpath=`'s template, parsed (a bad one, or bad custom columns, fail before anything
/// is asked of the server).
pub fn template(format: &StatusFormat) -> Result<Option<crate::jsonpath::Template>> {
    match format {
        StatusFormat::JsonPath(t) => crate::jsonpath::Template::parse(t).map(Some),
        StatusFormat::CustomColumns(spec) => output::custom_columns(spec, &[], false).map(|_| None),
        _ => Ok(None),
    }
}

/// Sorts newest first, then (stably) by the `--sort-by` key, ascending as kubectl: numbers
/// by value, everything else by its text; applications without the field last.
pub fn sort<T>(
    apps: &mut Vec<(AppSummary, T)>,
    key: Option<&crate::jsonpath::Template>,
) -> Result<()> {
    apps.sort_by(|(a, _), (b, _)| summary::newest_first(a, b));
    let Some(key) = key else {
        return Ok(());
    };
    let mut keyed = Vec::with_capacity(apps.len());
    for (s, item) in apps.drain(..) {
        let value = serde_json::to_value(&s)
            .map_err(|e| Error::Other(format!("cannot serialise the application: {e}")))?;
        let found = key
            .values(&value)?
            .first()
            .map(|v| (*v).clone())
            .filter(|v| !v.is_null());
        keyed.push((found, (s, item)));
    }
    keyed.sort_by(|(a, _), (b, _)| compare_values(a.as_ref(), b.as_ref()));
    apps.extend(keyed.into_iter().map(|(_, app)| app));
    Ok(())
}

fn compare_values(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(x), Some(y)) => crate::jsonpath::value_text(x).cmp(&crate::jsonpath::value_text(y)),
    }
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

/// Executors lost by running applications whose pods Spark already deleted, by
/// (namespace, driver pod): read from the Events of their executor pods
/// ([`executors::lost_in_events`]), one list of the namespace's pod events per namespace with
/// a running application, [`CONCURRENCY`] at a time. Events that cannot be read (no
/// permission) cost nothing but the count: the failed pods still there are counted anyway.
pub async fn lost_executors(
    client: &Client,
    drivers: &[Pod],
    executors: &HashMap<(String, String), Vec<Pod>>,
) -> HashMap<(String, String), Losses> {
    let running: Vec<&Pod> = drivers
        .iter()
        .filter(|d| summary::phase(d) == Some("Running"))
        .collect();
    let namespaces: BTreeSet<String> = running
        .iter()
        .filter_map(|d| d.metadata.namespace.clone())
        .collect();
    let lists = namespaces.into_iter().map(|ns| async move {
        let scope = Scope::Namespace(ns.clone());
        let api: Api<Event> = find::api(client, &scope);
        let events = find::list_paged(
            &api,
            None,
            Some("involvedObject.kind=Pod"),
            "list events",
            &scope,
        )
        .await
        .inspect_err(|e| tracing::debug!("executor losses: {e}"))
        .unwrap_or_default();
        (ns, events)
    });
    let events: HashMap<String, Vec<Event>> = stream::iter(lists)
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut out = HashMap::new();
    for d in running {
        let ns = d.metadata.namespace.clone().unwrap_or_default();
        let Some(events) = events.get(&ns) else {
            continue;
        };
        let id = d
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(LABEL_APP_SELECTOR))
            .cloned()
            .unwrap_or_default();
        let live = executors
            .get(&(ns.clone(), id))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let present: Vec<&str> = live
            .iter()
            .filter_map(|p| p.metadata.name.as_deref())
            .collect();
        let mut prefixes = executors::pod_name_prefixes(d, None, live);
        if live.is_empty() {
            // Between two losses no executor may be left to name the prefix.
            let others: Vec<String> = executors
                .iter()
                .filter(|((n, _), _)| *n == ns)
                .flat_map(|(_, pods)| pods.iter())
                .filter_map(|p| {
                    let name = p.metadata.name.as_deref()?;
                    name.rsplit_once("-exec-").map(|(x, _)| x.to_string())
                })
                .collect();
            prefixes.extend(executors::orphan_prefix(
                events,
                &prefixes,
                &others,
                summary::created_at(d),
                None,
            ));
        }
        let lost = executors::lost_in_events(events, &prefixes, &present, summary::created_at(d));
        if !lost.is_empty() {
            out.insert((ns, d.metadata.name.clone().unwrap_or_default()), lost);
        }
    }
    out
}

/// The summary with the losses [`lost_executors`] found for it added (with the ids of those
/// counted without a reason, which Spark's REST answer names where it is read:
/// [`crate::spark::live::attach`]).
pub fn with_losses(mut s: AppSummary, lost: &HashMap<(String, String), Losses>) -> AppSummary {
    if let Some(l) = lost.get(&(s.namespace.clone(), s.driver_pod.clone())) {
        s.executors.lost.merge(l);
    }
    s
}

/// How applications are printed: `-o`, `--no-headers` and the NAMESPACE column.
pub struct View<'a> {
    /// The output flags.
    pub get: &'a GetFlags,
    /// `-o jsonpath=`'s parsed template.
    pub template: Option<&'a crate::jsonpath::Template>,
    /// Whether tables show the NAMESPACE column.
    pub namespace_column: bool,
}

impl View<'_> {
    /// Renders applications (with their driver pods, for `-o spark`); `headers` is false for
    /// the rows printed while watching.
    pub fn render<P: std::borrow::Borrow<Pod>>(
        &self,
        apps: &[(AppSummary, P)],
        headers: bool,
    ) -> Result<String> {
        let summaries = || apps.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>();
        let layout = |wide| TableLayout {
            wide,
            namespace: self.namespace_column,
            no_headers: self.get.no_headers || !headers,
        };
        match &self.get.output {
            StatusFormat::Table => Ok(summary::table(&summaries(), layout(false))),
            StatusFormat::Wide => Ok(summary::table(&summaries(), layout(true))),
            StatusFormat::Json | StatusFormat::Yaml => {
                let value = serde_json::to_value(summaries())
                    .map_err(|e| Error::Other(format!("cannot serialise the applications: {e}")))?;
                let format = if self.get.output == StatusFormat::Json {
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
            StatusFormat::Spark => Ok(apps
                .iter()
                .map(|(_, pod)| spark_block(pod.borrow()))
                .collect()),
            StatusFormat::JsonPath(text) => {
                let template = match self.template {
                    Some(t) => t.clone(),
                    None => crate::jsonpath::Template::parse(text)?,
                };
                template.render(&output::object_list(&summaries())?)
            }
            StatusFormat::CustomColumns(spec) => {
                let items = summaries()
                    .iter()
                    .map(serde_json::to_value)
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|e| Error::Other(format!("cannot serialise the applications: {e}")))?;
                output::custom_columns(spec, &items, self.get.no_headers || !headers)
            }
        }
    }
}

/// How often `-w` lists the applications again.
pub const WATCH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

/// `-w`: every [`WATCH_INTERVAL`] the applications are fetched again and those whose row
/// changed are printed (without a header), as `kubectl get -w` does. Ends on Ctrl-C, or with
/// `until_ended` once every application shown has ended (or is gone).
pub async fn watch<F, Fut>(
    view: &View<'_>,
    first: Vec<AppSummary>,
    mut fetch: F,
    until_ended: bool,
) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<AppSummary>>>,
{
    // What was last printed for each application, by what changes (not the ages).
    // Spark's figures are in the rows of `-o wide` only.
    let wide = view.get.output == StatusFormat::Wide;
    let key = |s: &AppSummary| {
        (
            s.state_text(),
            s.executors.running,
            s.executors.total,
            s.executors.lost.count,
            s.finished,
            s.spark.as_ref().filter(|_| wide).map(|s| s.counts),
        )
    };
    let mut last: HashMap<String, _> = first
        .iter()
        .map(|s| (s.submission_id.clone(), key(s)))
        .collect();
    let mut ended = first.iter().all(|s| s.state.is_finished());
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    while !(until_ended && ended) {
        tokio::select! {
            _ = &mut interrupted => return Ok(()),
            _ = tokio::time::sleep(WATCH_INTERVAL) => {}
        }
        let mut now = fetch().await?;
        now.sort_by(summary::newest_first);
        let changed: Vec<(AppSummary, Pod)> = now
            .iter()
            .filter(|s| last.get(&s.submission_id) != Some(&key(s)))
            .map(|s| (s.clone(), Pod::default()))
            .collect();
        for s in &now {
            last.insert(s.submission_id.clone(), key(s));
        }
        if !changed.is_empty() {
            output::print_data(&view.render(&changed, false)?)?;
        }
        ended = now.iter().all(|s| s.state.is_finished());
    }
    Ok(())
}
