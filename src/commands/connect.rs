//! `kubectl spark connect`: a Spark Connect server on the cluster, reached from this machine.
//!
//! resolve → plan ([`crate::connect`] on top of `submit`'s pipeline) → preflight (also
//! `pods/portforward`) → create → wait until the server's readiness probe passes → forward a
//! local port to its gRPC port and one to its UI through the tunnel `ui` uses → until Ctrl-C,
//! then delete the server (its executors, Service, ConfigMap and token Secret go with it).
//! `--detach` returns once the server is ready; `--attach NAME` reopens the tunnel to a running
//! server and leaves it running. Local ports are bound before anything is created, so a port
//! in use creates nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::Client;
use kube::api::Api;
use tokio::net::TcpListener;

use crate::cli::{ConnectArgs, DryRun, KubeFlags, ObjectFormat};
use crate::commands::{kill, ui};
use crate::conf::submit_args::Launch;
use crate::connect;
use crate::error::{Error, Result};
use crate::forward::local::{self, Stopped};
use crate::forward::{self, Forwarder};
use crate::kube::KubeTarget;
use crate::operate::summary::{self, DRIVER_CONTAINER, State};
use crate::operate::{delete, duration, find, waiting};
use crate::output;
use crate::spark::failure;
use crate::submit::{apply, prepare};

/// Container waiting reasons that will not resolve by waiting.
const HOPELESS: [&str; 4] = [
    "InvalidImageName",
    "CreateContainerConfigError",
    "ErrImageNeverPull",
    "CrashLoopBackOff",
];
/// How long the server may take to be ready unless `--timeout` says.
const DEFAULT_TIMEOUT: &str = "5m";

/// The local ports, bound before anything else happens.
struct Listeners {
    connect: TcpListener,
    ui: TcpListener,
}

/// Runs `connect`.
pub async fn run(flags: &KubeFlags, mut args: ConnectArgs) -> Result<u8> {
    let timeout = duration::parse_flag(
        "--timeout",
        args.spark.timeout.as_deref().unwrap_or(DEFAULT_TIMEOUT),
    )?;
    check_flags(&args)?;
    if args.attach {
        let listeners = bind(&args).await?;
        return attach(flags, &args, listeners, timeout).await;
    }
    if let Some(name) = args.server_name.take() {
        if let Some(flag) = &args.spark.name {
            return Err(Error::usage(
                format!("the server is named twice: NAME `{name}` and --name `{flag}`"),
                "give one of them",
            ));
        }
        args.spark.name = Some(name);
    }
    let dry_run = args.spark.dry_run.unwrap_or(DryRun::None);
    // Taken ports are bad input: found before anything is created.
    let listeners = if dry_run == DryRun::None && !args.detach {
        Some(bind(&args).await?)
    } else {
        None
    };
    let prepared = prepare::prepare_as(flags, &args.spark, Launch::ConnectServer).await?;
    let sub = &prepared.submission;
    if dry_run == DryRun::Client {
        let format = args.spark.output.unwrap_or(ObjectFormat::Yaml);
        output::print_data(&output::render(&prepare::objects_list(sub)?, format)?)?;
        return Ok(0);
    }
    let client = prepared.target.client()?;
    if dry_run == DryRun::Server {
        apply::apply(&client, sub, true).await?;
        output::info(&format!(
            "server dry run: the API server accepted {} object(s) for Spark Connect server {}; nothing was created",
            sub.post.len() + 1,
            sub.submission_id()
        ));
        if let Some(format) = args.spark.output {
            output::print_data(&output::render(&prepare::objects_list(sub)?, format)?)?;
        }
        return Ok(0);
    }
    if !args.spark.skip_preflight {
        let mut inputs = crate::preflight::Inputs::from_submission(sub);
        inputs
            .creates
            .push((String::new(), "pods/portforward".to_string()));
        crate::preflight::check_inputs(&client, &prepared.target, &inputs).await?;
    }
    if !prepare::create(&client, &prepared).await? {
        return Ok(130);
    }
    let id = sub.submission_id();
    output::info(&format!(
        "Created Spark Connect server {id} (application ID {})",
        sub.app_id
    ));
    let pods: Api<Pod> = Api::namespaced(client.clone(), &sub.namespace);
    let pod = match until_ready(&pods, &sub.driver_pod_name, &id, timeout).await {
        Ok(pod) => pod,
        Err(NotReady::Interrupted) => {
            output::info("Interrupted while waiting for the server; deleting it.");
            remove(&client, &pods, &sub.driver_pod_name).await?;
            return Ok(130);
        }
        Err(NotReady::TimedOut(why)) => {
            output::info("Deleting the server.");
            remove(&client, &pods, &sub.driver_pod_name).await?;
            return Err(Error::TimedOut(format!(
                "the Spark Connect server {id} was {why}; it was deleted (pass a longer --timeout if it is only slow)"
            )));
        }
        Err(NotReady::Failed(why, pod)) => {
            if let Some(pod) = &pod {
                show_failure(&client, pod, args.spark.log_tail, &id).await;
            }
            output::info("Deleting the server.");
            remove(&client, &pods, &sub.driver_pod_name).await?;
            return Err(Error::AppFailed(format!(
                "the Spark Connect server {id} did not start: {why}; nothing was left behind"
            )));
        }
    };
    let token = connect::token_of(sub);
    if args.detach {
        output::info(&format!(
            "Spark Connect server {id} is ready and keeps running.\n  \
             kubectl spark connect --attach {id}   # opens the tunnel, prints the connection string\n  \
             kubectl spark kill {id}               # deletes it"
        ));
        output::print_data(&format!("{id}\n"))?;
        return Ok(0);
    }
    let listeners = listeners.expect("bound unless detached or a dry run");
    forward(
        &prepared.target,
        &args,
        &pod,
        listeners,
        token.as_deref(),
        Ownership::Ours,
    )
    .await
}

/// Flags that make no sense for a Connect server, or with --attach.
fn check_flags(args: &ConnectArgs) -> Result<()> {
    let spark = &args.spark;
    if spark.no_wait {
        return Err(Error::usage(
            "--no-wait: `connect` waits for the server to be ready",
            "use --detach to return once it is ready and leave it running",
        ));
    }
    if let Some(file) = &spark.filename {
        return Err(Error::usage(
            format!(
                "-f {file}: `connect` starts a Connect server from Spark options, not from a manifest"
            ),
            "run the manifest with `kubectl spark submit -f`, or give `connect` the Spark options (`kubectl spark convert -f` prints them)",
        ));
    }
    if spark.retries.is_some() {
        return Err(Error::usage(
            "--retries does not apply to `connect`: a server is not resubmitted",
            "leave it out; start the server again with `kubectl spark connect` if it fails",
        ));
    }
    if spark.spark_exit_code {
        return Err(Error::usage(
            "--spark-exit-code does not apply to `connect`",
            "leave it out",
        ));
    }
    if spark.output.is_some() && spark.dry_run.is_none() {
        return Err(Error::usage(
            "-o/--output only applies to a dry run",
            "add --dry-run=client or --dry-run=server",
        ));
    }
    if args.attach {
        let given = crate::submit::args::to_options(spark) != Default::default()
            || spark.spark_version.is_some()
            || spark.dry_run.is_some()
            || spark.skip_preflight;
        if given {
            return Err(Error::usage(
                "--attach reopens the tunnel to a running server: Spark options only apply when creating one",
                "leave out the Spark options, or drop --attach to create a new server",
            ));
        }
    }
    if args.detach && (args.port.is_some() || args.ui_port.is_some()) {
        return Err(Error::usage(
            "--detach opens no tunnel: --port and --ui-port apply to the tunnel",
            "pass them to `kubectl spark connect --attach NAME` later",
        ));
    }
    Ok(())
}

/// Binds the Connect port (default 15002) and the UI port (default 4040), each moving to the
/// next free port when the default is taken (said on stderr); a port asked for must be free.
async fn bind(args: &ConnectArgs) -> Result<Listeners> {
    let default = connect_default_port();
    let (connect, moved) = local::bind(&args.address, args.port, default, "--port").await?;
    if let Some(wanted) = moved {
        output::info(&format!(
            "Port {wanted} is in use; Spark Connect uses port {} instead",
            local::local_port(&connect)?
        ));
    }
    let (ui, moved) = local::bind(
        &args.address,
        args.ui_port,
        ui::DEFAULT_LOCAL_PORT,
        "--ui-port",
    )
    .await?;
    if let Some(wanted) = moved {
        output::info(&format!(
            "Port {wanted} is in use; the Spark UI uses port {} instead",
            local::local_port(&ui)?
        ));
    }
    Ok(Listeners { connect, ui })
}

fn connect_default_port() -> u16 {
    crate::submit::steps::basic::DEFAULT_CONNECT_PORT as u16
}

/// Why the server did not become ready.
pub(crate) enum NotReady {
    /// Ctrl-C while waiting.
    Interrupted,
    /// It failed, was deleted, or cannot start: why, and the pod if any.
    Failed(String, Option<Box<Pod>>),
    /// `--timeout` passed: what it was still waiting for.
    TimedOut(String),
}

/// Waits until the server pod is Ready (its readiness probe: the gRPC port accepts
/// connections), with progress on stderr.
async fn until_ready(
    pods: &Api<Pod>,
    name: &str,
    id: &str,
    timeout: Duration,
) -> std::result::Result<Pod, NotReady> {
    until_server_ready(
        pods,
        name,
        &format!("Spark Connect server {id}"),
        "the Connect port does not accept connections yet",
        timeout,
    )
    .await
}

/// Waits until a server pod (`what`: `Spark Connect server ns:pod`, `History Server ns:pod`) is
/// Ready, with progress on stderr; `not_yet` says what a running but unready server lacks.
pub(crate) async fn until_server_ready(
    pods: &Api<Pod>,
    name: &str,
    what: &str,
    not_yet: &str,
    timeout: Duration,
) -> std::result::Result<Pod, NotReady> {
    let started = Instant::now();
    let mut spinner = waiting::Spinner::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let pod = match pods.get_opt(name).await {
            Ok(Some(pod)) => pod,
            Ok(None) => return Err(NotReady::Failed("its pod was deleted".into(), None)),
            Err(e) => {
                let ns = pods.namespace().unwrap_or_default().to_string();
                return Err(NotReady::Failed(
                    crate::kube::api_error(e, "get pods", &ns).to_string(),
                    None,
                ));
            }
        };
        let container = summary::spark_container_name(&pod, DRIVER_CONTAINER).unwrap_or_default();
        let state = State::from_phase(summary::phase(&pod));
        if state.is_finished() || pod.metadata.deletion_timestamp.is_some() {
            let s = summary::summarize(&pod, [], jiff::Timestamp::now());
            let mut why = s.state_text();
            if let Some(m) = s.message.filter(|m| !m.trim().is_empty()) {
                why = format!("{why}: {}", m.trim());
            }
            return Err(NotReady::Failed(why, Some(Box::new(pod))));
        }
        if is_ready(&pod) {
            spinner.clear();
            output::info(&format!(
                "{what} is ready ({} s).",
                started.elapsed().as_secs()
            ));
            return Ok(pod);
        }
        let (reason, message, _) = summary::reason(&pod, DRIVER_CONTAINER);
        if let Some(r) = reason.as_deref().filter(|r| HOPELESS.contains(r)) {
            let m = message
                .map(|m| format!(": {}", m.trim()))
                .unwrap_or_default();
            return Err(NotReady::Failed(format!("{r}{m}"), Some(Box::new(pod))));
        }
        let last = if state == State::Running && waiting::container_started(&pod, &container) {
            format!("running, {not_yet}")
        } else {
            waiting::waiting_text(&pod, &container)
        };
        if started.elapsed() >= timeout {
            return Err(NotReady::TimedOut(format!(
                "not ready after {} ({last})",
                duration::human(timeout.as_secs() as i64)
            )));
        }
        spinner.set(&format!("Waiting for {what} ({last})"));
        tokio::select! {
            _ = &mut ctrl_c => return Err(NotReady::Interrupted),
            _ = tokio::time::sleep(waiting::POLL) => {}
        }
    }
}

/// Whether the pod's Ready condition is true.
fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Prints why a failed server failed (the error in its log, its exit code explained, and
/// `--log-tail` raw lines), if its container started.
pub(crate) async fn show_failure(client: &Client, pod: &Pod, tail: Option<u32>, id: &str) {
    let container = summary::spark_container_name(pod, DRIVER_CONTAINER).unwrap_or_default();
    if !waiting::container_started(pod, &container) {
        return;
    }
    let subject = failure::Subject { who: "server", id };
    let report = failure::read(client, pod, tail, subject, None).await;
    output::info(&report.text());
}

/// Deletes the server pod (the garbage collector removes what it owns) and waits until it and
/// its executors, Service and ConfigMaps are gone; a second Ctrl-C stops waiting.
pub(crate) async fn remove(client: &Client, pods: &Api<Pod>, name: &str) -> Result<()> {
    let Some(pod) = pods
        .get_opt(name)
        .await
        .map_err(|e| crate::kube::api_error(e, "get pods", pods.namespace().unwrap_or("")))?
    else {
        return Ok(());
    };
    delete::delete_driver(client, &pod, None).await?;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let gone = [&pod];
    tokio::select! {
        r = kill::wait_gone(client, &gone) => r,
        _ = &mut ctrl_c => {
            output::info("Stopped waiting; the deletion continues in the cluster.");
            Ok(())
        }
    }
}

/// Whether the tunnel's end deletes the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ownership {
    /// Created by this run: deleted on Ctrl-C.
    Ours,
    /// Attached to: left running.
    Attached,
}

/// `--attach NAME`: finds the server, waits until ready, reads its token, forwards.
async fn attach(
    flags: &KubeFlags,
    args: &ConnectArgs,
    listeners: Listeners,
    timeout: Duration,
) -> Result<u8> {
    let target = crate::kube::resolve(flags).await?;
    let client = target.client()?;
    let reference = args.server_name.as_deref().unwrap_or_default();
    let driver = find::resolve_one(
        &client,
        &target.namespace,
        args.all_namespaces,
        reference,
        false,
    )
    .await?;
    let ns = driver.metadata.namespace.clone().unwrap_or_default();
    let name = driver.metadata.name.clone().unwrap_or_default();
    let id = format!("{ns}:{name}");
    if !connect::is_connect_server(&driver) {
        return Err(Error::usage(
            format!(
                "{id} is a Spark application, not a Spark Connect server started by `kubectl spark connect`"
            ),
            format!("for its Spark UI use `kubectl spark ui {id}`"),
        ));
    }
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let pod = match until_ready(&pods, &name, &id, timeout).await {
        Ok(pod) => pod,
        Err(NotReady::Interrupted) => return Ok(130),
        Err(NotReady::TimedOut(why)) => {
            return Err(Error::TimedOut(format!(
                "the Spark Connect server {id} was {why}; it keeps running"
            )));
        }
        Err(NotReady::Failed(why, pod)) => {
            if let Some(pod) = &pod {
                show_failure(&client, pod, args.spark.log_tail, &id).await;
            }
            return Err(Error::AppFailed(format!(
                "the Spark Connect server {id} is not usable: {why}"
            )));
        }
    };
    let token = match connect::token_ref_of(&pod) {
        Some((secret, key)) => Some(read_token(&client, &ns, &secret, &key).await?),
        None => None,
    };
    forward(
        &target,
        args,
        &pod,
        listeners,
        token.as_deref(),
        Ownership::Attached,
    )
    .await
}

/// The token from the server's Secret.
async fn read_token(client: &Client, ns: &str, secret: &str, key: &str) -> Result<String> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let found = secrets
        .get(secret)
        .await
        .map_err(|e| crate::kube::api_error(e, "get secrets", ns))?;
    found
        .data
        .as_ref()
        .and_then(|d| d.get(key))
        .and_then(|b| String::from_utf8(b.0.clone()).ok())
        .ok_or_else(|| {
            Error::Other(format!(
                "Secret {ns}/{secret} has no key {key}: the server's token is missing"
            ))
        })
}

/// Forwards the local ports to the server's Connect and UI ports until Ctrl-C or until the
/// server ends; prints the connection string on stdout and how to use it on stderr.
async fn forward(
    target: &KubeTarget,
    args: &ConnectArgs,
    pod: &Pod,
    listeners: Listeners,
    token: Option<&str>,
    ownership: Ownership,
) -> Result<u8> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let id = format!("{ns}:{name}");
    // A client without a read timeout: the tunnel and its streams live as long as we do.
    let mut streaming = target.clone();
    streaming.config.read_timeout = None;
    let stream_client = streaming.client()?;
    let pods: Api<Pod> = Api::namespaced(stream_client.clone(), &ns);
    let tunnel = forward::tunnel_allowed(std::env::var(forward::TUNNEL_ENV).ok().as_deref());
    let connect_forwarder =
        Forwarder::start(stream_client, &ns, &name, connect::port_of(pod), tunnel).await?;
    let ui_forwarder = connect_forwarder.to_port(summary::ui_port(pod));

    let host = local::host_for(&args.address);
    let host = if host == "127.0.0.1" {
        "localhost".to_string()
    } else {
        host
    };
    let connect_port = local::local_port(&listeners.connect)?;
    let ui_port = local::local_port(&listeners.ui)?;
    let remote = connect::connection_string(&host, connect_port, token);
    let shown = connect::connection_string_shown(&host, connect_port, token);
    output::print_data(&format!("{remote}\n"))?;
    let token_note = if token.is_some() {
        " (the full string, with the server's token, is on stdout)"
    } else {
        ""
    };
    let end = match ownership {
        Ownership::Ours => "press Ctrl-C to stop and delete the server",
        Ownership::Attached => "press Ctrl-C to stop forwarding (the server keeps running)",
    };
    output::info(&format!(
        "Forwarding {shown} to Spark Connect server {id} (port {}), and {} to its Spark UI; {end}.\n\
         Use it{token_note}:\n  export SPARK_REMOTE='{shown}'\n  pyspark --remote \"$SPARK_REMOTE\"    \
         # or SparkSession.builder.remote(...) with pyspark-client",
        connect::port_of(pod),
        ui::url_for(&args.address, ui_port),
    ));
    let routes = vec![
        (listeners.connect, Arc::new(connect_forwarder)),
        (listeners.ui, Arc::new(ui_forwarder)),
    ];
    let stopped = local::serve(routes, pods.clone(), &name).await;
    let client = target.client()?;
    match (stopped, ownership) {
        (Stopped::Interrupted, Ownership::Ours) => {
            output::info(&format!(
                "Stopped forwarding; deleting Spark Connect server {id}."
            ));
            remove(&client, &pods, &name).await?;
            Ok(0)
        }
        (Stopped::Interrupted, Ownership::Attached) => {
            output::info(&format!(
                "Stopped forwarding; Spark Connect server {id} keeps running (`kubectl spark kill {id}` deletes it)."
            ));
            Ok(0)
        }
        (Stopped::PodGone(reason), ownership) => {
            if ownership == Ownership::Ours {
                remove(&client, &pods, &name).await?;
            }
            Err(Error::AppFailed(format!(
                "the Spark Connect server {id} {reason}; stopped forwarding (see `kubectl spark logs {id}` while it exists)"
            )))
        }
    }
}
