//! `kubectl spark ui`: forwards a local port to the driver's Spark UI (the `spark-ui`
//! container port, 4040 by default) through the API server, and prints the URL on stdout.
//!
//! Each accepted connection gets its own port-forward stream ([`crate::forward`]: a pair of
//! SPDY streams in one tunnel, as kubectl does, or its own WebSocket on API servers that cannot
//! tunnel), so a browser's many parallel connections are served and a dropped stream only
//! costs the connection it carried. The forward ends on Ctrl-C, or by itself once the driver
//! has ended.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use tokio::net::TcpListener;

use crate::cli::{KubeFlags, UiArgs};
use crate::error::{Error, Result};
use crate::forward::{self, Forwarder};
use crate::operate::summary::{self, DRIVER_CONTAINER, State};
use crate::operate::{find, waiting};
use crate::output;

/// The local port tried first when `--port` is not given (Spark's own UI port).
pub const DEFAULT_LOCAL_PORT: u16 = 4040;
/// How many ports after it are tried when it is taken (as Spark does, `spark.port.maxRetries`).
pub const PORT_TRIES: u16 = 100;
/// How often the driver is checked while forwarding.
const DRIVER_CHECK: Duration = Duration::from_secs(5);

/// Runs `ui`.
pub async fn run(flags: &KubeFlags, args: &UiArgs) -> Result<u8> {
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
    target.config.read_timeout = None;
    let ns = driver.metadata.namespace.clone().unwrap_or_default();
    let name = driver.metadata.name.clone().unwrap_or_default();
    // One client (one connection pool) for watching the driver and for the forwards.
    let stream_client = target.client()?;
    let pods: Api<Pod> = Api::namespaced(stream_client.clone(), &ns);
    let remote_port = summary::ui_port(&driver);

    until_running(&pods, &name, &format!("driver pod {ns}/{name}")).await?;
    let tunnel = forward::tunnel_allowed(std::env::var(forward::TUNNEL_ENV).ok().as_deref());
    let forwarder = Forwarder::start(stream_client, &ns, &name, remote_port, tunnel).await?;

    let (listener, moved_from) = bind(&args.address, args.port).await?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::io("reading the local address", e))?;
    if let Some(wanted) = moved_from {
        output::info(&format!(
            "Port {wanted} is in use; using {} instead",
            local.port()
        ));
    }
    let url = url_for(&args.address, local.port());
    output::print_data(&format!("{url}\n"))?;
    output::info(&format!(
        "Forwarding {url} to the Spark UI of {ns}:{name} (port {remote_port}); press Ctrl-C to stop"
    ));
    if args.open {
        open_browser(&url);
    }
    serve(listener, pods, name, Arc::new(forwarder)).await
}

/// Waits for the driver to run; an ended application has no UI.
async fn until_running(pods: &Api<Pod>, name: &str, what: &str) -> Result<Pod> {
    let mut spinner = waiting::Spinner::new();
    loop {
        let pod = waiting::get(pods, name, what).await?;
        let state = summary::State::from_phase(summary::phase(&pod));
        if state.is_finished() || pod.metadata.deletion_timestamp.is_some() {
            let s = summary::summarize(&pod, [], jiff::Timestamp::now());
            return Err(Error::usage(
                format!(
                    "the application has ended ({}): its Spark UI is gone with the driver",
                    s.state_text()
                ),
                "finished applications are shown by a Spark History Server (spark.eventLog.enabled=true)",
            ));
        }
        let container = summary::spark_container_name(&pod, DRIVER_CONTAINER).unwrap_or_default();
        if state == State::Running && waiting::container_started(&pod, &container) {
            return Ok(pod);
        }
        spinner.set(&format!(
            "Waiting for {what} to run ({})",
            waiting::waiting_text(&pod, &container)
        ));
        tokio::time::sleep(waiting::POLL).await;
    }
}

/// Binds the local port: `--port` exactly, else 4040 or the next free one. Returns the
/// listener and, when it moved, the port first wanted.
pub async fn bind(address: &str, port: Option<u16>) -> Result<(TcpListener, Option<u16>)> {
    let hint = "pass another --port (0 picks any free port), or --address to listen elsewhere";
    if let Some(p) = port {
        return match TcpListener::bind((address, p)).await {
            Ok(l) => Ok((l, None)),
            Err(e) => Err(Error::usage(
                format!("cannot listen on {address}:{p}: {e}"),
                hint,
            )),
        };
    }
    let mut last = None;
    for p in DEFAULT_LOCAL_PORT..DEFAULT_LOCAL_PORT + PORT_TRIES {
        match TcpListener::bind((address, p)).await {
            Ok(l) => return Ok((l, (p != DEFAULT_LOCAL_PORT).then_some(DEFAULT_LOCAL_PORT))),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last = Some(e),
            Err(e) => {
                return Err(Error::usage(
                    format!("cannot listen on {address}:{p}: {e}"),
                    hint,
                ));
            }
        }
    }
    let e = last.map(|e| e.to_string()).unwrap_or_default();
    Err(Error::usage(
        format!(
            "ports {DEFAULT_LOCAL_PORT} to {} on {address} are all in use ({e})",
            DEFAULT_LOCAL_PORT + PORT_TRIES - 1
        ),
        hint,
    ))
}

/// The URL to print for a listening address: wildcard addresses become `localhost`, IPv6
/// literals get brackets.
pub fn url_for(address: &str, port: u16) -> String {
    let host = match address {
        "0.0.0.0" | "::" | "[::]" => "localhost".to_string(),
        a if a.contains(':') && !a.starts_with('[') => format!("[{a}]"),
        a => a.to_string(),
    };
    format!("http://{host}:{port}")
}

fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    let spawned = std::process::Command::new(program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        output::warn(&format!(
            "cannot open a browser with {program} ({e}); open {url} yourself"
        ));
    }
}

async fn serve(
    listener: TcpListener,
    pods: Api<Pod>,
    name: String,
    forwarder: Arc<Forwarder>,
) -> Result<u8> {
    let mut check = tokio::time::interval(DRIVER_CHECK);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut ctrl_c => {
                output::info("Stopped forwarding.");
                return Ok(0);
            }
            accepted = listener.accept() => match accepted {
                Ok((conn, peer)) => {
                    // Small HTTP requests must not wait for Nagle's algorithm.
                    let _ = conn.set_nodelay(true);
                    let forwarder = forwarder.clone();
                    tokio::spawn(async move {
                        if let Err(e) = forwarder.carry(conn, peer).await {
                            output::warn(&format!("connection from {peer}: {e}"));
                        }
                    });
                }
                Err(e) => tracing::warn!("accepting a connection: {e}"),
            },
            _ = check.tick() => {
                if let Some(reason) = driver_gone(&pods, &name).await {
                    output::info(&format!("The driver {reason}; its Spark UI is gone. Stopped forwarding."));
                    return Ok(0);
                }
            }
        }
    }
}

/// Why forwarding should stop, if the driver has ended or is gone.
async fn driver_gone(pods: &Api<Pod>, name: &str) -> Option<String> {
    match pods.get_opt(name).await {
        Ok(None) => Some("pod was deleted".to_string()),
        Ok(Some(pod)) if summary::State::from_phase(summary::phase(&pod)).is_finished() => {
            Some(format!(
                "has ended ({})",
                summary::summarize(&pod, [], jiff::Timestamp::now()).state_text()
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(url_for("127.0.0.1", 4040), "http://127.0.0.1:4040");
        assert_eq!(url_for("0.0.0.0", 4041), "http://localhost:4041");
        assert_eq!(url_for("::1", 4040), "http://[::1]:4040");
        assert_eq!(url_for("localhost", 1), "http://localhost:1");
    }

    #[tokio::test]
    async fn taken_ports_move_to_the_next_free_one() {
        // Whatever holds 4040 on this machine, the result is a free port at or after it.
        let (first, _) = bind("127.0.0.1", None).await.unwrap();
        let p1 = first.local_addr().unwrap().port();
        let (second, moved) = bind("127.0.0.1", None).await.unwrap();
        let p2 = second.local_addr().unwrap().port();
        assert!(p2 > p1);
        assert_eq!(moved, Some(DEFAULT_LOCAL_PORT));
        let err = bind("127.0.0.1", Some(p1)).await.unwrap_err();
        assert!(err.to_string().contains(&format!("127.0.0.1:{p1}")));
        assert!(err.hint().unwrap().contains("--port"));
    }
}
