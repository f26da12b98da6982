//! `kubectl spark logs`: the driver's log by default, one executor's (`--executor ID`), or
//! all executors' multiplexed with a `[pod] ` prefix per line (coloured on a terminal).
//!
//! Without `-f`, a driver or executor that has not started fails at once with the reason, as
//! `kubectl logs` does; with `-f` it is waited for (spinner on stderr), then the log is followed until the container ends — the kubelet normally ends the
//! stream, and the container's end is also watched for kubelets that do not (kwok) — and with
//! `--all-executors -f` executors that appear later are followed too, until the driver has
//! ended and every follower is done. Lines reach stdout in blocks, not one write per line
//! (see [`Sink`]); a followed line is shown within milliseconds. A closed stdout (`| head`)
//! ends the command quietly.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::pin::pin;
use std::sync::Mutex;
use std::task::Poll;
use std::time::Duration;

use futures::future::{FutureExt, LocalBoxFuture};
use futures::stream::{FuturesUnordered, StreamExt};
use futures::{AsyncBufReadExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::app::LABEL_APP_SELECTOR;
use crate::cli::{KubeFlags, LogsArgs};
use crate::error::{Error, Result};
use crate::operate::summary::{self, DRIVER_CONTAINER, EXECUTOR_CONTAINER, LABEL_EXEC_ID};
use crate::operate::{duration, find, waiting};
use crate::output;

/// Once a followed container has ended, the stream is read until it is idle this long.
const DRAIN: Duration = Duration::from_secs(2);

/// ANSI colours cycled over pod prefixes.
const COLOURS: [u8; 6] = [36, 33, 35, 32, 34, 31];

/// Stdout closed by the reader (`| head`): stop quietly.
#[derive(Debug)]
struct Closed;

/// Log lines are collected and written to stdout in blocks of about this size…
const WRITE_AT: usize = 64 * 1024;

/// …or sooner, while waiting for more of a log: once it has been quiet this long…
const QUIET: Duration = Duration::from_millis(5);

/// …or once the oldest line collected has waited this long. So a large log goes out in large
/// blocks, and a followed one line by line within milliseconds. (Writing whenever no data is
/// ready at once costs more: on a fast stream that is every few KiB, and each write delays
/// reading the next chunk.)
const MAX_DELAY: Duration = Duration::from_millis(50);

/// Where log lines go: stdout, whole lines at a time, with an optional coloured prefix.
/// Lines are collected in a buffer and written with one system call per block, not per line.
pub struct Sink {
    colour: bool,
    state: Mutex<SinkState>,
}

struct SinkState {
    closed: bool,
    buffer: Vec<u8>,
    /// When the oldest line in `buffer` was added.
    since: Option<Instant>,
}

impl SinkState {
    fn flush(&mut self) -> Result<(), Closed> {
        if self.closed {
            return Err(Closed);
        }
        if self.buffer.is_empty() {
            return Ok(());
        }
        let mut out = std::io::stdout().lock();
        let result = out.write_all(&self.buffer).and_then(|_| out.flush());
        self.buffer.clear();
        self.since = None;
        if result.is_err() {
            // A closed pipe, or any other failure to write: nobody reads any more.
            self.closed = true;
            return Err(Closed);
        }
        Ok(())
    }
}

impl Sink {
    fn new(colour: bool) -> Sink {
        Sink {
            colour,
            state: Mutex::new(SinkState {
                closed: false,
                buffer: Vec::with_capacity(WRITE_AT + 4096),
                since: None,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, SinkState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The prefix of a pod's lines: `[pod] `, coloured by `index` when allowed.
    pub fn prefix(&self, pod: &str, index: usize) -> String {
        prefix(pod, index, self.colour)
    }

    /// Adds a line; writes the buffer out once it holds [`WRITE_AT`] bytes.
    fn write(&self, prefix: &str, line: &[u8]) -> Result<(), Closed> {
        let mut state = self.state();
        if state.closed {
            return Err(Closed);
        }
        if state.since.is_none() {
            state.since = Some(Instant::now());
        }
        state.buffer.extend_from_slice(prefix.as_bytes());
        state.buffer.extend_from_slice(line);
        if !prefix.is_empty() && !line.ends_with(b"\n") {
            state.buffer.push(b'\n');
        }
        if state.buffer.len() >= WRITE_AT {
            state.flush()
        } else {
            Ok(())
        }
    }

    /// Writes out what is buffered: see [`read_flushing`]; also before anything is printed on
    /// stderr (so that both streams keep their order on a terminal), and at the end.
    fn flush(&self) -> Result<(), Closed> {
        self.state().flush()
    }

    /// When the oldest buffered line was added, if any.
    fn since(&self) -> Option<Instant> {
        self.state().since
    }

    /// Prints a message on stderr after the log lines buffered so far.
    fn info(&self, message: &str) {
        let _ = self.flush();
        output::info(message);
    }

    /// Prints a warning on stderr after the log lines buffered so far.
    fn warn(&self, message: &str) {
        let _ = self.flush();
        output::warn(message);
    }
}

/// Awaits a read of a log. A read that has to wait lets the buffered lines go out once the
/// log has been quiet for [`QUIET`], or once the oldest of them is [`MAX_DELAY`] old.
async fn read_flushing<F: Future>(sink: &Sink, read: F) -> Result<F::Output, Closed> {
    let mut read = pin!(read);
    if let Poll::Ready(r) = futures::poll!(read.as_mut()) {
        return Ok(r);
    }
    let quiet_from = Instant::now();
    loop {
        // Lines buffered by another follower are that follower's to time.
        let Some(since) = sink.since() else {
            return Ok(read.await);
        };
        let deadline = (quiet_from + QUIET).min(since + MAX_DELAY);
        tokio::select! {
            biased;
            r = &mut read => return Ok(r),
            _ = tokio::time::sleep_until(deadline) => sink.flush()?,
        }
    }
}

/// `[pod] `, coloured with the `index`-th colour when `colour` is set.
pub fn prefix(pod: &str, index: usize, colour: bool) -> String {
    if colour {
        format!("\x1b[{}m[{pod}]\x1b[0m ", COLOURS[index % COLOURS.len()])
    } else {
        format!("[{pod}] ")
    }
}

/// Server-side log options from the flags (`follow` separately, per pod).
pub fn log_params(args: &LogsArgs, container: &str, follow: bool) -> Result<LogParams> {
    let since_seconds = match &args.since {
        Some(text) => {
            let d = duration::parse_flag("--since", text)?;
            Some(d.as_secs().max(1) as i64)
        }
        None => None,
    };
    // -1 is kubectl's "all lines".
    let tail_lines = match args.tail {
        Some(-1) | None => None,
        Some(n) if n < 0 => {
            return Err(Error::usage(
                format!("--tail: {n} is negative"),
                "pass a number of lines, e.g. --tail 100, or -1 for all (the default)",
            ));
        }
        Some(n) => Some(n),
    };
    Ok(LogParams {
        container: Some(container.to_string()),
        follow,
        tail_lines,
        since_seconds,
        timestamps: args.timestamps,
        previous: args.previous,
        ..LogParams::default()
    })
}

/// Runs `logs`.
pub async fn run(flags: &KubeFlags, args: &LogsArgs) -> Result<u8> {
    let mut target = crate::kube::resolve(flags).await?;
    let client = target.client()?;
    let driver = find::resolve_one(
        &client,
        &target.namespace,
        args.all_namespaces,
        &args.app,
        args.latest,
    )
    .await?;
    // Followed logs may stay quiet for long: no read timeout on the streaming client.
    target.config.read_timeout = None;
    let stream_client = target.client()?;
    let ns = driver.metadata.namespace.clone().unwrap_or_default();
    let pods: Api<Pod> = Api::namespaced(stream_client, &ns);
    let colour = output::color_allowed(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let sink = Sink::new(colour);
    let app_id = driver
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(LABEL_APP_SELECTOR))
        .cloned();
    let result = if args.all_executors {
        let app_id = app_id
            .ok_or_else(|| Error::Other("the driver pod has no spark-app-selector label".into()))?;
        all_executors(&client, &pods, &driver, &app_id, args, &sink).await
    } else {
        let (pod, what, default_container) = match &args.executor {
            Some(id) => {
                let app_id = app_id.clone().unwrap_or_default();
                (
                    executor(&client, &ns, &app_id, id).await?,
                    format!("executor {id}"),
                    EXECUTOR_CONTAINER,
                )
            }
            None => (driver.clone(), "driver".to_string(), DRIVER_CONTAINER),
        };
        let name = pod.metadata.name.clone().unwrap_or_default();
        let container = summary::spark_container_name(&pod, default_container)
            .unwrap_or_else(|| default_container.into());
        one_pod(
            &pods,
            &name,
            &container,
            &format!("{what} pod {ns}/{name}"),
            args,
            "",
            &sink,
            Lifecycle::Poll,
        )
        .await
    };
    // What is still buffered goes out before the result (an error is printed on stderr).
    let _ = sink.flush();
    match result {
        Ok(()) | Err(LogError::Closed) => Ok(0),
        Err(LogError::Failed(e)) => Err(e),
    }
}

enum LogError {
    Closed,
    Failed(Error),
}

impl From<Error> for LogError {
    fn from(e: Error) -> Self {
        LogError::Failed(e)
    }
}

impl From<Closed> for LogError {
    fn from(_: Closed) -> Self {
        LogError::Closed
    }
}

async fn executor(client: &kube::Client, ns: &str, app_id: &str, id: &str) -> Result<Pod> {
    let scope = crate::operate::selector::Scope::Namespace(ns.to_string());
    let all = find::list_executors(client, &scope, Some(app_id)).await?;
    let ids: Vec<String> = all
        .iter()
        .filter_map(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(LABEL_EXEC_ID))
                .cloned()
        })
        .collect();
    all.into_iter()
        .find(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(LABEL_EXEC_ID))
                .map(String::as_str)
                == Some(id)
        })
        .ok_or_else(|| {
            Error::usage(
                format!("application {app_id} has no executor with id {id}"),
                executors_gone_hint(&ids, ns),
            )
        })
}

/// Why an executor's pod (and so its log) is gone, and how to keep executors next time.
pub fn executors_gone_hint(ids_now: &[String], ns: &str) -> String {
    let now = if ids_now.is_empty() {
        "the application has no executor pods now".to_string()
    } else {
        format!("executors now: {}", ids_now.join(", "))
    };
    format!(
        "{now}. Spark deletes an executor's pod, and its log with it, when the executor ends (the application finished, the executor was lost or removed by dynamic allocation); `kubectl spark describe APP` shows each executor's removeReason (from the History Server after the end). To keep them next time: --conf spark.kubernetes.executor.deleteOnTermination=false (for every submission: `kubectl spark setup -n {ns} --conf spark.kubernetes.executor.deleteOnTermination=false`); `kubectl spark cleanup` then removes them with their driver"
    )
}

/// How a log reader learns that its pod started and ended.
enum Lifecycle {
    /// By getting the pod now and then (one pod: the driver, or one executor).
    Poll,
    /// From a watch of all the executors (no request per pod).
    Watched(watch::Receiver<Pod>),
}

impl Lifecycle {
    async fn started(
        &mut self,
        pods: &Api<Pod>,
        name: &str,
        container: &str,
        what: &str,
    ) -> Result<()> {
        match self {
            Lifecycle::Poll => waiting::until_started(pods, name, container, what)
                .await
                .map(|_| ()),
            Lifecycle::Watched(rx) => rx
                .wait_for(|p| waiting::container_started(p, container))
                .await
                .map(|_| ())
                .map_err(|_| Error::Other(format!("{what} is no longer watched"))),
        }
    }

    async fn ended(&mut self, pods: &Api<Pod>, name: &str, container: &str) {
        match self {
            Lifecycle::Poll => waiting::until_ended(pods, name, container).await,
            Lifecycle::Watched(rx) => {
                let _ = rx
                    .wait_for(|p| waiting::container_ended(p, container))
                    .await;
            }
        }
    }
}

/// Prints one pod's log: waits for it to start, then reads (and with `-f` follows) it.
#[allow(clippy::too_many_arguments)]
async fn one_pod(
    pods: &Api<Pod>,
    name: &str,
    container: &str,
    what: &str,
    args: &LogsArgs,
    prefix: &str,
    sink: &Sink,
    mut lifecycle: Lifecycle,
) -> Result<(), LogError> {
    let ns = pods.namespace().unwrap_or_default().to_string();
    if !args.previous && !args.follow {
        let pod = waiting::get(pods, name, what).await?;
        if !waiting::container_started(&pod, container) {
            return Err(not_started(what, &pod, container, &qualified(&ns, &args.app)).into());
        }
    } else if !args.previous {
        // Waiting may print progress on stderr: earlier lines first.
        sink.flush()?;
        lifecycle.started(pods, name, container, what).await?;
    }
    let lp = log_params(args, container, args.follow)?;
    let stream = pods
        .log_stream(name, &lp)
        .await
        .map_err(|e| crate::kube::api_error(e, "get pods/log", &ns))?;
    let mut reader = pin!(stream);
    let mut ended = pin!(
        async {
            if args.follow {
                lifecycle.ended(pods, name, container).await
            } else {
                futures::future::pending::<()>().await
            }
        }
        .fuse()
    );
    let mut draining = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = read_flushing(sink, reader.read_until(b'\n', &mut line));
        let n = if draining {
            match tokio::time::timeout(DRAIN, read).await {
                Ok(r) => r?,
                Err(_) => {
                    sink.flush()?;
                    return Ok(());
                }
            }
        } else {
            tokio::select! {
                r = read => r?,
                _ = &mut ended => {
                    draining = true;
                    if !line.is_empty() {
                        sink.write(prefix, &line)?;
                    }
                    continue;
                }
            }
        };
        // At the end, this pod's lines go out: other followers may wait long for theirs.
        match n {
            Ok(0) => {
                if !line.is_empty() {
                    sink.write(prefix, &line)?;
                }
                sink.flush()?;
                return Ok(());
            }
            Ok(_) => sink.write(prefix, &line)?,
            Err(e) => {
                if !line.is_empty() {
                    sink.write(prefix, &line)?;
                }
                sink.flush()?;
                return Err(Error::Other(format!("reading the log of {what}: {e}")).into());
            }
        }
    }
}

/// The application as a reference that holds wherever it is typed: `ns:app` (a hint naming
/// `app` alone would look in the context's namespace, not the `-n` the user gave).
fn qualified(ns: &str, app: &str) -> String {
    if app.contains(':') || ns.is_empty() {
        app.to_string()
    } else {
        format!("{ns}:{app}")
    }
}

/// The error for a log asked of a container that never started: there is none to read yet.
fn not_started(what: &str, pod: &Pod, container: &str, app: &str) -> Error {
    Error::Api {
        message: format!(
            "{what} has not started ({}): it has no log yet",
            waiting::waiting_text(pod, container)
        ),
        hint: Some(format!(
            "`kubectl spark describe {app}` shows why; with -f, logs waits for it to start"
        )),
        code: None,
    }
}

fn exec_id(pod: &Pod) -> (u64, String) {
    let id = pod
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(LABEL_EXEC_ID))
        .cloned()
        .unwrap_or_default();
    (
        id.parse().unwrap_or(u64::MAX),
        pod.metadata.name.clone().unwrap_or_default(),
    )
}

async fn all_executors(
    client: &kube::Client,
    pods: &Api<Pod>,
    driver: &Pod,
    app_id: &str,
    args: &LogsArgs,
    sink: &Sink,
) -> Result<(), LogError> {
    let ns = pods.namespace().unwrap_or_default().to_string();
    let scope = crate::operate::selector::Scope::Namespace(ns.clone());
    if !args.follow {
        let mut execs = find::list_executors(client, &scope, Some(app_id)).await?;
        execs.sort_by_key(exec_id);
        if execs.is_empty() {
            sink.info(&format!(
                "Application {app_id} has no executor pods: {}",
                executors_gone_hint(&[], &ns)
            ));
        }
        for (i, pod) in execs.iter().enumerate() {
            let name = pod.metadata.name.clone().unwrap_or_default();
            let container = summary::spark_container_name(pod, EXECUTOR_CONTAINER)
                .unwrap_or_else(|| EXECUTOR_CONTAINER.into());
            if !args.previous && !waiting::container_started(pod, &container) {
                sink.info(&format!(
                    "[{name}] has not started ({})",
                    waiting::waiting_text(pod, &container)
                ));
                continue;
            }
            one_pod(
                pods,
                &name,
                &container,
                &format!("executor pod {ns}/{name}"),
                args,
                &sink.prefix(&name, i),
                sink,
                Lifecycle::Poll,
            )
            .await?;
        }
        return Ok(());
    }

    // One watch feeds every follower the latest state of its pod: no request per executor.
    let driver_name = driver.metadata.name.clone().unwrap_or_default();
    let config = watcher::Config::default().labels(&find::executor_selector(Some(app_id)));
    let mut executors = pin!(
        watcher(pods.clone(), config)
            .default_backoff()
            .touched_objects()
    );
    let mut followers: FuturesUnordered<LocalBoxFuture<'_, (String, Result<(), LogError>)>> =
        FuturesUnordered::new();
    let mut states: HashMap<String, watch::Sender<Pod>> = HashMap::new();
    let mut seen = HashSet::new();
    let mut check = tokio::time::interval(2 * waiting::POLL);
    let mut driver_done = false;
    loop {
        tokio::select! {
            event = executors.try_next() => match event {
                Ok(Some(pod)) => {
                    let name = pod.metadata.name.clone().unwrap_or_default();
                    if let Some(state) = states.get(&name) {
                        state.send_replace(pod);
                        continue;
                    }
                    if pod.metadata.deletion_timestamp.is_some() || !seen.insert(name.clone()) {
                        continue;
                    }
                    let container = summary::spark_container_name(&pod, EXECUTOR_CONTAINER)
                        .unwrap_or_else(|| EXECUTOR_CONTAINER.into());
                    let prefix = sink.prefix(&name, seen.len() - 1);
                    let what = format!("executor pod {ns}/{name}");
                    let (state, rx) = watch::channel(pod);
                    states.insert(name.clone(), state);
                    followers.push(
                        async move {
                            let lifecycle = Lifecycle::Watched(rx);
                            let r = one_pod(pods, &name, &container, &what, args, &prefix, sink, lifecycle).await;
                            (name, r)
                        }
                        .boxed_local(),
                    );
                }
                Ok(None) => return Ok(()),
                Err(e) => tracing::debug!("watching executors: {e}"),
            },
            Some((name, result)) = followers.next(), if !followers.is_empty() => {
                states.remove(&name);
                match result {
                    Err(LogError::Closed) => return Err(LogError::Closed),
                    Err(LogError::Failed(e)) => sink.warn(&format!("[{name}] {e}")),
                    Ok(()) => {}
                }
            },
            _ = check.tick() => {
                if !driver_done {
                    driver_done = match pods.get_opt(&driver_name).await {
                        Ok(None) => true,
                        Ok(Some(d)) => {
                            let container = summary::spark_container_name(&d, DRIVER_CONTAINER).unwrap_or_default();
                            waiting::container_ended(&d, &container)
                        }
                        Err(_) => false,
                    };
                }
                if driver_done && followers.is_empty() {
                    return Ok(());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_namespace() {
        assert_eq!(qualified("team-a", "badimg"), "team-a:badimg");
        assert_eq!(qualified("team-a", "team-b:badimg"), "team-b:badimg");
    }
    use clap::Parser;

    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        logs: LogsArgs,
    }

    fn args(extra: &[&str]) -> LogsArgs {
        let mut argv = vec!["x", "app"];
        argv.extend_from_slice(extra);
        Wrap::parse_from(argv).logs
    }

    #[test]
    fn params_from_flags() {
        let lp = log_params(
            &args(&["--tail", "10", "--since", "5m", "--timestamps", "-p"]),
            "c",
            true,
        )
        .unwrap();
        assert_eq!(lp.container.as_deref(), Some("c"));
        assert_eq!(lp.tail_lines, Some(10));
        assert_eq!(lp.since_seconds, Some(300));
        assert!(lp.timestamps && lp.previous && lp.follow);
        assert!(log_params(&args(&["--since", "soon"]), "c", false).is_err());
        assert_eq!(
            log_params(&args(&["--tail=-1"]), "c", false)
                .unwrap()
                .tail_lines,
            None
        );
        assert_eq!(
            log_params(&args(&["--tail", "-1"]), "c", false)
                .unwrap()
                .tail_lines,
            None
        );
        assert!(log_params(&args(&["--tail=-2"]), "c", false).is_err());
        let lp = log_params(&args(&["--since", "100ms"]), "c", false).unwrap();
        assert_eq!(lp.since_seconds, Some(1));
    }

    #[test]
    fn prefixes() {
        assert_eq!(prefix("p-exec-1", 0, false), "[p-exec-1] ");
        assert_eq!(prefix("p-exec-1", 0, true), "\x1b[36m[p-exec-1]\x1b[0m ");
        assert_eq!(prefix("p", 6, true), prefix("p", 0, true));
    }
}
