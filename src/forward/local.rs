//! The local side of a forward, shared by `ui` and `connect`: binding a local port (the one
//! asked for, else a default or the next free one after it), the host name to print for it, and
//! serving accepted connections through [`Forwarder`]s until Ctrl-C or until the pod has ended.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use tokio::net::TcpListener;

use crate::error::{Error, Result};
use crate::forward::Forwarder;
use crate::operate::summary;
use crate::output;

/// How many ports after the default one are tried when it is taken (as Spark does,
/// `spark.port.maxRetries`).
pub const PORT_TRIES: u16 = 100;
/// How often the pod is checked while forwarding.
const POD_CHECK: Duration = Duration::from_secs(5);

/// Binds a local port: `port` exactly when given (`0`: any free port), else `default` or the
/// next free one after it. Returns the listener and, when it moved, the port first wanted.
/// `flag` names the option that chooses the port, for the error's hint.
pub async fn bind(
    address: &str,
    port: Option<u16>,
    default: u16,
    flag: &str,
) -> Result<(TcpListener, Option<u16>)> {
    let hint =
        format!("pass another {flag} (0 picks any free port), or --address to listen elsewhere");
    if let Some(p) = port {
        return match TcpListener::bind((address, p)).await {
            Ok(l) => Ok((l, None)),
            Err(e) => Err(Error::usage(
                format!("{flag} {p}: cannot listen on {address}:{p}: {e}"),
                hint,
            )),
        };
    }
    let mut last = None;
    let end = default.saturating_add(PORT_TRIES - 1);
    for p in default..=end {
        match TcpListener::bind((address, p)).await {
            Ok(l) => return Ok((l, (p != default).then_some(default))),
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
        format!("ports {default} to {end} on {address} are all in use ({e})"),
        hint,
    ))
}

/// The host to print for a listening address: wildcard addresses become `localhost`, IPv6
/// literals get brackets.
pub fn host_for(address: &str) -> String {
    match address {
        "0.0.0.0" | "::" | "[::]" => "localhost".to_string(),
        a if a.contains(':') && !a.starts_with('[') => format!("[{a}]"),
        a => a.to_string(),
    }
}

/// The port a listener got.
pub fn local_port(listener: &TcpListener) -> Result<u16> {
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| Error::io("reading the local address", e))
}

/// Why [`serve`] returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// Ctrl-C.
    Interrupted,
    /// The pod was deleted or has ended; the text says which (`pod was deleted`,
    /// `has ended (failed (Error, exit 1))`).
    PodGone(String),
}

/// Serves every listener through its forwarder (each connection in a task of its own) until
/// Ctrl-C, or until pod `name` has ended or is gone (checked every few seconds).
pub async fn serve(
    routes: Vec<(TcpListener, Arc<Forwarder>)>,
    pods: Api<Pod>,
    name: &str,
) -> Stopped {
    let accepting: Vec<_> = routes
        .into_iter()
        .map(|(listener, forwarder)| tokio::spawn(accept_loop(listener, forwarder)))
        .collect();
    let mut check = tokio::time::interval(POD_CHECK);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let stopped = loop {
        tokio::select! {
            _ = &mut ctrl_c => break Stopped::Interrupted,
            _ = check.tick() => {
                if let Some(reason) = pod_gone(&pods, name).await {
                    break Stopped::PodGone(reason);
                }
            }
        }
    };
    for task in accepting {
        task.abort();
    }
    stopped
}

async fn accept_loop(listener: TcpListener, forwarder: Arc<Forwarder>) {
    loop {
        match listener.accept().await {
            Ok((conn, peer)) => {
                // Small requests (HTTP, gRPC) must not wait for Nagle's algorithm.
                let _ = conn.set_nodelay(true);
                let forwarder = forwarder.clone();
                tokio::spawn(async move {
                    if let Err(e) = forwarder.carry(conn, peer).await {
                        output::warn(&format!("connection from {peer}: {e}"));
                    }
                });
            }
            Err(e) => {
                tracing::warn!("accepting a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Why forwarding should stop, if the pod has ended or is gone.
pub async fn pod_gone(pods: &Api<Pod>, name: &str) -> Option<String> {
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
    fn hosts() {
        assert_eq!(host_for("127.0.0.1"), "127.0.0.1");
        assert_eq!(host_for("0.0.0.0"), "localhost");
        assert_eq!(host_for("::1"), "[::1]");
        assert_eq!(host_for("localhost"), "localhost");
    }

    #[tokio::test]
    async fn taken_ports_move_to_the_next_free_one() {
        // Whatever holds the default port on this machine, the result is a free port after it.
        let default = 4040;
        let (first, _) = bind("127.0.0.1", None, default, "--port").await.unwrap();
        let p1 = local_port(&first).unwrap();
        let (second, moved) = bind("127.0.0.1", None, default, "--port").await.unwrap();
        let p2 = local_port(&second).unwrap();
        assert!(p2 > p1);
        assert_eq!(moved, Some(default));
        let err = bind("127.0.0.1", Some(p1), default, "--ui-port")
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains(&format!("--ui-port {p1}")),
            "{err}"
        );
        assert!(err.to_string().contains(&format!("127.0.0.1:{p1}")));
        assert!(err.hint().unwrap().contains("--ui-port"));
    }
}
