//! `kubectl spark history`: the namespace's Spark History Server, from the terminal.
//!
//! The first use creates it (resolve → plan ([`crate::history`] on top of `submit`'s pipeline,
//! so the namespace defaults give it the event-log directory, the image and the store
//! credentials) → preflight → create → wait until its REST API answers); later uses find it by
//! its label and reuse it. Then it lists the finished applications the server knows (read
//! through the API server's pod proxy with [`crate::spark::rest`], the client that reads live
//! drivers), or, with `--open`/`--port`, forwards a local port to its UI through the tunnel
//! `ui` uses. `--stop` deletes it (everything else it made is owned by its pod).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, FromArgMatches};
use futures::future::join_all;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, ListParams};

use crate::cli::{HistoryArgs, HistoryFormat, KubeFlags, SubmitArgs};
use crate::commands::connect::{NotReady, remove, show_failure, until_server_ready};
use crate::commands::ui;
use crate::conf::submit_args::Launch;
use crate::error::{Error, Result};
use crate::forward::local::{self, Stopped};
use crate::forward::{self, Forwarder};
use crate::history::listing::{self, FinishedApp, HistoryApplication, KnownDriver};
use crate::history::{self as server, DEFAULT_PORT};
use crate::operate::selector::Scope;
use crate::operate::summary::{self, AppSummary, State};
use crate::operate::{duration, find};
use crate::output;
use crate::spark::model::SparkSnapshot;
use crate::spark::rest::{RestError, Source, SparkRest};
use crate::spark::section::Origin;
use crate::submit::plan::Submission;
use crate::submit::prepare as submit;

/// How long a new server may take to be ready unless `--timeout` says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// How long one request to the History Server may take: it replays an application's event
/// log on the first request for it.
pub const REQUEST_BUDGET: Duration = Duration::from_secs(20);

/// Runs `history`.
pub async fn run(flags: &KubeFlags, args: &HistoryArgs) -> Result<u8> {
    let timeout = match args.timeout.as_deref() {
        Some(text) => duration::parse_flag("--timeout", text)?,
        None => DEFAULT_TIMEOUT,
    };
    let mut target = crate::kube::resolve(flags).await?;
    let client = target.client()?;
    let ns = target.namespace.clone();
    if args.stop {
        return stop(&client, &ns).await;
    }
    let pod = match running(&client, &ns).await? {
        Some(pod) => {
            output::info(&format!(
                "Using the History Server {ns}:{}",
                pod.metadata.name.as_deref().unwrap_or_default()
            ));
            pod
        }
        None => match start(flags, args, &client, timeout).await? {
            Some(pod) => pod,
            None => return Ok(130),
        },
    };
    if args.open || args.port.is_some() {
        target.config.read_timeout = None;
        return forward_ui(target.client()?, args, &pod).await;
    }
    let apps = applications(&client, &pod).await?;
    let drivers: Vec<KnownDriver> = find::list_drivers(&client, &find_scope(&ns))
        .await
        .unwrap_or_default()
        .iter()
        .map(|p| summary::summarize(p, [], jiff::Timestamp::now()))
        .filter_map(|s| KnownDriver::from_summary(&s))
        .collect();
    let finished = listing::finished(&apps, &drivers);
    print(&finished, args.output)?;
    if finished.is_empty() && args.output.is_none() {
        output::info(&format!(
            "The History Server knows no finished application yet (it reads {} every 10 s).",
            log_directory_of(&pod).unwrap_or_else(|| "its event-log directory".into())
        ));
    }
    Ok(0)
}

fn find_scope(ns: &str) -> crate::operate::selector::Scope {
    crate::operate::selector::Scope::Namespace(ns.to_string())
}

fn print(apps: &[FinishedApp], format: Option<HistoryFormat>) -> Result<()> {
    match format {
        None => output::print_data(&listing::table(apps)),
        Some(HistoryFormat::Name) => output::print_data(
            &apps
                .iter()
                .map(|a| format!("{}\n", a.app_id))
                .collect::<String>(),
        ),
        Some(f) => {
            let value = serde_json::to_value(apps)
                .map_err(|e| Error::Other(format!("cannot serialise: {e}")))?;
            let format = match f {
                HistoryFormat::Yaml => crate::cli::ObjectFormat::Yaml,
                _ => crate::cli::ObjectFormat::Json,
            };
            output::print_data(&output::render(&value, format)?)
        }
    }
}

/// The server pods of the namespace (normally one), newest first.
pub async fn servers(client: &Client, ns: &str) -> Result<Vec<Pod>> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let mut list = pods
        .list(&ListParams::default().labels(&server::selector()))
        .await
        .map_err(|e| crate::kube::api_error(e, "list pods", ns))?
        .items;
    list.sort_by_key(|p| std::cmp::Reverse(summary::created_at(p)));
    Ok(list)
}

/// The namespace's History Server if one is running (or starting) and not being deleted;
/// servers that ended are deleted on the way.
pub async fn running(client: &Client, ns: &str) -> Result<Option<Pod>> {
    let mut found = None;
    for pod in servers(client, ns).await? {
        let ended = State::from_phase(summary::phase(&pod)).is_finished();
        if pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        if ended {
            let name = pod.metadata.name.clone().unwrap_or_default();
            output::info(&format!(
                "The History Server {ns}:{name} has ended; replacing it."
            ));
            let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
            remove(client, &pods, &name).await?;
            continue;
        }
        if found.is_none() {
            found = Some(pod);
        }
    }
    Ok(found)
}

/// The Spark options a new server is planned from: `history --conf`, over the namespace
/// defaults (applied by resolution as for any submission).
fn submit_args(args: &HistoryArgs) -> Result<SubmitArgs> {
    let mut argv: Vec<String> = vec!["history".into()];
    for c in &args.conf {
        argv.push("--conf".into());
        argv.push(c.clone());
    }
    let cmd = SubmitArgs::augment_args(clap::Command::new("history"));
    let matches = cmd
        .try_get_matches_from(argv)
        .map_err(|e| Error::usage(format!("--conf: {e}"), "give --conf KEY=VALUE"))?;
    SubmitArgs::from_arg_matches(&matches)
        .map_err(|e| Error::usage(format!("--conf: {e}"), "give --conf KEY=VALUE"))
}

/// Creates the server and waits until its REST API answers; None when interrupted (what was
/// created is deleted again).
async fn start(
    flags: &KubeFlags,
    args: &HistoryArgs,
    client: &Client,
    timeout: Duration,
) -> Result<Option<Pod>> {
    let spark = submit_args(args)?;
    let prepared = submit::prepare_as(flags, &spark, Launch::HistoryServer).await?;
    let sub = &prepared.submission;
    let mut inputs = crate::preflight::Inputs::from_submission(sub);
    inputs
        .creates
        .push((String::new(), "pods/portforward".to_string()));
    crate::preflight::check_inputs(client, &prepared.target, &inputs).await?;
    if !submit::create(client, &prepared).await? {
        return Ok(None);
    }
    until_ready(client, sub, timeout).await
}

/// Says that the History Server `sub` was created, then waits until its REST API answers
/// (`kubectl spark history`, and `submit -f` of a manifest that runs one). A server that
/// fails, or is not ready within `timeout`, is deleted with the error in its log; on Ctrl-C
/// too (None).
pub async fn until_ready(
    client: &Client,
    sub: &Submission,
    timeout: Duration,
) -> Result<Option<Pod>> {
    let id = sub.submission_id();
    output::info(&format!(
        "Created the History Server {id}, reading {}",
        log_directory_of(&sub.pod).unwrap_or_default()
    ));
    let pods: Api<Pod> = Api::namespaced(client.clone(), &sub.namespace);
    let what = format!("History Server {id}");
    match until_server_ready(
        &pods,
        &sub.driver_pod_name,
        &what,
        "its REST API does not answer yet",
        timeout,
    )
    .await
    {
        Ok(pod) => Ok(Some(pod)),
        Err(NotReady::Interrupted) => {
            output::info("Interrupted while waiting for the History Server; deleting it.");
            remove(client, &pods, &sub.driver_pod_name).await?;
            Ok(None)
        }
        Err(NotReady::TimedOut(why)) => {
            output::info("Deleting the History Server.");
            remove(client, &pods, &sub.driver_pod_name).await?;
            Err(Error::TimedOut(format!(
                "the History Server {id} was {why}; it was deleted (pass a longer --timeout if it is only slow)"
            )))
        }
        Err(NotReady::Failed(why, pod)) => {
            if let Some(pod) = &pod {
                show_failure(client, pod, None, &id).await;
            }
            output::info("Deleting the History Server.");
            remove(client, &pods, &sub.driver_pod_name).await?;
            Err(Error::AppFailed(format!(
                "the History Server {id} did not start: {why}; nothing was left behind (is the event-log directory readable by the image, with the store's jars and credentials?)"
            )))
        }
    }
}

/// The event-log directory a server pod reads (its annotation).
fn log_directory_of(pod: &Pod) -> Option<String> {
    pod.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(server::ANNOTATION_LOG_DIRECTORY).cloned())
}

/// `--stop`: deletes every History Server of the namespace and waits until their objects are
/// gone.
async fn stop(client: &Client, ns: &str) -> Result<u8> {
    let found = servers(client, ns).await?;
    if found.is_empty() {
        output::info(&format!("No History Server in namespace {ns}."));
        return Ok(0);
    }
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    for pod in &found {
        let name = pod.metadata.name.clone().unwrap_or_default();
        output::info(&format!("Deleting the History Server {ns}:{name}"));
        remove(client, &pods, &name).await?;
    }
    output::info("The event logs stay where the applications wrote them.");
    Ok(0)
}

/// The applications the server knows.
pub async fn applications(client: &Client, pod: &Pod) -> Result<Vec<HistoryApplication>> {
    rest(client, pod)
        .get("/api/v1/applications")
        .await
        .map_err(|e| rest_error(e, pod))
}

/// The REST client of a History Server pod.
pub fn rest(client: &Client, pod: &Pod) -> SparkRest {
    SparkRest::new(
        client.clone(),
        Source::Pod {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            port: server::port_of(pod),
        },
    )
    .with_budget(REQUEST_BUDGET)
}

fn rest_error(e: RestError, pod: &Pod) -> Error {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    Error::Api {
        message: format!("the History Server {ns}:{name} did not answer: {e}"),
        hint: Some(format!(
            "`kubectl spark logs` does not show servers; `kubectl logs -n {ns} {name}` shows its log"
        )),
        code: None,
    }
}

/// Forwards a local port (default 18080) to the server's UI until Ctrl-C.
async fn forward_ui(stream_client: Client, args: &HistoryArgs, pod: &Pod) -> Result<u8> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let (listener, url) = bind_ui(&args.address, args.port).await?;
    let remote_port = server::port_of(pod);
    let tunnel = forward::tunnel_allowed(std::env::var(forward::TUNNEL_ENV).ok().as_deref());
    let forwarder =
        Forwarder::start(stream_client.clone(), &ns, &name, remote_port, tunnel).await?;
    output::print_data(&format!("{url}\n"))?;
    output::info(&format!(
        "Forwarding {url} to the History Server {ns}:{name} (port {remote_port}); press Ctrl-C to stop"
    ));
    if args.open {
        ui::open_browser(&url);
    }
    serve(stream_client, listener, forwarder, &ns, &name).await
}

/// Binds the local UI port (default 18080, else the next free one, said).
pub async fn bind_ui(
    address: &str,
    port: Option<u16>,
) -> Result<(tokio::net::TcpListener, String)> {
    let (listener, moved_from) = local::bind(address, port, DEFAULT_PORT as u16, "--port").await?;
    let local_port = local::local_port(&listener)?;
    if let Some(wanted) = moved_from {
        output::info(&format!(
            "Port {wanted} is in use; using {local_port} instead"
        ));
    }
    Ok((listener, ui::url_for(address, local_port)))
}

/// Serves the forward until Ctrl-C or until the server pod is gone.
pub async fn serve(
    stream_client: Client,
    listener: tokio::net::TcpListener,
    forwarder: Forwarder,
    ns: &str,
    name: &str,
) -> Result<u8> {
    let pods: Api<Pod> = Api::namespaced(stream_client, ns);
    match local::serve(vec![(listener, Arc::new(forwarder))], pods, name).await {
        Stopped::Interrupted => output::info(
            "Stopped forwarding; the History Server keeps running (`kubectl spark history --stop` removes it).",
        ),
        Stopped::PodGone(reason) => {
            output::info(&format!("The History Server {reason}. Stopped forwarding."))
        }
    }
    Ok(0)
}

/// A finished application as the namespace's History Server knows it.
pub struct Known {
    /// The server's pod.
    pub server: Pod,
    /// The application.
    pub app: HistoryApplication,
}

/// The application `reference` names (an app id, an app name, `ns:…`) or whose id is `app_id`
/// (from a driver pod that still exists), among those the running History Server of `ns`
/// knows. None without a server, or when it does not know the application.
pub async fn known(
    client: &Client,
    ns: &str,
    reference: &str,
    app_id: Option<&str>,
) -> Result<Option<Known>> {
    let Some(server) = running_quietly(client, ns).await? else {
        return Ok(None);
    };
    let apps = applications(client, &server).await?;
    let app = match app_id {
        Some(id) => apps.iter().find(|a| a.id == id),
        None => listing::find(&apps, reference),
    };
    Ok(app.cloned().map(|app| Known { server, app }))
}

/// The running server of `ns`, without replacing an ended one (that is `history`'s to do).
async fn running_quietly(client: &Client, ns: &str) -> Result<Option<Pod>> {
    Ok(servers(client, ns).await?.into_iter().find(is_up))
}

/// What `list --all` and `status --all` add to the driver pods: the finished applications
/// whose pods are gone, as the running History Servers of the scope know them.
#[derive(Debug, Default)]
pub struct Gone {
    /// Their rows ([`listing::gone_summaries`]).
    pub apps: Vec<AppSummary>,
    /// Why some could not be listed, for one line each on stderr (no server running in a
    /// namespace, a server that did not answer).
    pub notes: Vec<String>,
}

/// The finished applications of `scope` whose driver pods are gone, from each namespace's
/// running History Server (one list of server pods, one of driver pods, and one request to
/// each server). Best effort: what cannot be read becomes a note.
pub async fn gone(client: &Client, scope: &Scope) -> Gone {
    let mut out = Gone::default();
    let servers: Vec<Pod> = match scope {
        Scope::Namespace(ns) => running_quietly(client, ns)
            .await
            .map(|p| p.into_iter().collect()),
        Scope::All => {
            let api: Api<Pod> = Api::all(client.clone());
            find::list_paged(&api, Some(&server::selector()), None, "list pods", scope)
                .await
                .map(|pods| pods.into_iter().filter(is_up).collect())
        }
    }
    .unwrap_or_else(|e| {
        out.notes
            .push(format!("cannot look for a History Server: {e}"));
        Vec::new()
    });
    if servers.is_empty() {
        if out.notes.is_empty() {
            out.notes.push(format!(
                "no History Server runs in {}: applications whose driver pods are gone are not listed (`kubectl spark history -n {}` starts one)",
                scope.describe(),
                scope.namespace().unwrap_or("NAMESPACE"),
            ));
        }
        return out;
    }
    let present: HashSet<(String, String)> = match find::list_drivers(client, scope).await {
        Ok(drivers) => drivers
            .iter()
            .filter_map(|p| {
                let s = summary::summarize(p, [], jiff::Timestamp::now());
                Some((s.namespace, s.app_id?))
            })
            .collect(),
        Err(e) => {
            out.notes.push(e.to_string());
            return out;
        }
    };
    let now = jiff::Timestamp::now();
    let answers = join_all(servers.iter().map(|pod| applications(client, pod))).await;
    let mut seen = HashSet::new();
    for (pod, answer) in servers.iter().zip(answers) {
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        if !seen.insert(ns.clone()) {
            continue;
        }
        match answer {
            Ok(apps) => {
                let ids: HashSet<String> = present
                    .iter()
                    .filter(|(n, _)| *n == ns)
                    .map(|(_, id)| id.clone())
                    .collect();
                out.apps
                    .extend(listing::gone_summaries(&apps, &ns, &ids, now));
            }
            Err(e) => out.notes.push(e.to_string()),
        }
    }
    out
}

/// Whether a server pod runs and is not being deleted.
fn is_up(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_none()
        && State::from_phase(summary::phase(p)) == State::Running
}

/// Spark's view of a finished application whose driver pod still exists, for `describe`.
#[derive(Debug, Clone)]
pub enum FinishedView {
    /// The namespace's History Server answered (or failed to): the section to show.
    Section(Origin, std::result::Result<SparkSnapshot, String>),
    /// Why there is no section, and how to get one.
    Note(String),
}

/// Spark's view of the finished application `app_id` of `ns` from the namespace's running
/// History Server; without one, a note on how to start it when the application wrote an event
/// log (`event_log_dir`), else nothing.
pub async fn finished_view(
    client: &Client,
    ns: &str,
    app_id: &str,
    event_log_dir: Option<&str>,
) -> Option<FinishedView> {
    let server = match running_quietly(client, ns).await {
        Ok(server) => server,
        Err(e) => return Some(FinishedView::Note(format!("no History Server view: {e}"))),
    };
    let Some(server) = server else {
        return event_log_dir.map(|dir| {
            FinishedView::Note(format!(
                "its event log is in {dir}: `kubectl spark history -n {ns}` starts a History Server, then describe shows Spark's view here"
            ))
        });
    };
    let id = format!(
        "{ns}:{}",
        server.metadata.name.as_deref().unwrap_or_default()
    );
    let answer = match applications(client, &server).await {
        Ok(apps) if !apps.iter().any(|a| a.id == app_id) => {
            return Some(FinishedView::Note(format!(
                "the History Server {id} does not list {app_id} (yet: it reads the event logs every 10 s; or the application wrote none)"
            )));
        }
        Ok(_) => rest(client, &server)
            .snapshot(app_id, 3)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    Some(FinishedView::Section(Origin::HistoryServer(id), answer))
}

/// The hint for a finished application no History Server shows.
pub fn no_history_hint(ns: &str) -> String {
    format!(
        "finished applications are shown by the namespace's History Server: `kubectl spark history -n {ns}` starts it \
         (it reads the event logs drivers write with spark.eventLog.enabled=true; `kubectl spark setup -n {ns} --event-log-dir URI` \
         turns them on for every submission)"
    )
}

/// `ui` of a finished application: forwards a local port (default 4040) to the History
/// Server, prints its URL on stdout (the REST API's paths work there as on a live driver) and
/// the application's page on stderr.
pub async fn forward_finished(
    stream_client: Client,
    known: &Known,
    address: &str,
    port: Option<u16>,
    open: bool,
) -> Result<u8> {
    let ns = known.server.metadata.namespace.clone().unwrap_or_default();
    let name = known.server.metadata.name.clone().unwrap_or_default();
    let (listener, moved_from) =
        local::bind(address, port, ui::DEFAULT_LOCAL_PORT, "--port").await?;
    let local_port = local::local_port(&listener)?;
    if let Some(wanted) = moved_from {
        output::info(&format!(
            "Port {wanted} is in use; using {local_port} instead"
        ));
    }
    let url = ui::url_for(address, local_port);
    let remote_port = server::port_of(&known.server);
    let tunnel = forward::tunnel_allowed(std::env::var(forward::TUNNEL_ENV).ok().as_deref());
    let forwarder =
        Forwarder::start(stream_client.clone(), &ns, &name, remote_port, tunnel).await?;
    let page = format!("{url}/history/{}/jobs/", known.app.id);
    output::print_data(&format!("{url}\n"))?;
    output::info(&format!(
        "The application {} has ended; forwarding {url} to the History Server {ns}:{name}, which shows it at {page} \
         (REST: {url}/api/v1/applications/{}/jobs); press Ctrl-C to stop",
        known.app.id, known.app.id
    ));
    if open {
        ui::open_browser(&page);
    }
    serve(stream_client, listener, forwarder, &ns, &name).await
}

/// `describe` of an application whose driver pod is gone: from the namespace's History Server
/// when it knows the application; else the usual "no application" error.
pub async fn describe_finished(
    client: &Client,
    namespace: &str,
    all_namespaces: bool,
    reference: &str,
) -> Result<u8> {
    let ns = reference
        .split_once(':')
        .map(|(ns, _)| ns.to_string())
        .unwrap_or_else(|| namespace.to_string());
    let Some(k) = known(client, &ns, reference, None).await? else {
        find::resolve_one(client, namespace, all_namespaces, reference, false).await?;
        return Err(Error::usage(
            format!("`{reference}` names no application in namespace {ns}"),
            no_history_hint(&ns),
        ));
    };
    let apps = listing::finished(std::slice::from_ref(&k.app), &[]);
    let Some(app) = apps.first() else {
        return Err(Error::usage(
            format!(
                "the History Server does not know the end of {} yet (still running, or its driver died without writing it)",
                k.app.id
            ),
            "`kubectl spark history` lists the applications it has seen end",
        ));
    };
    let snapshot = rest(client, &k.server)
        .snapshot(&k.app.id, 3)
        .await
        .map_err(|e| e.to_string());
    let server_id = format!(
        "{ns}:{}",
        k.server.metadata.name.as_deref().unwrap_or_default()
    );
    output::print_data(&crate::history::describe::render(
        app, &server_id, &snapshot,
    ))?;
    Ok(0)
}
