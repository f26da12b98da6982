//! Forwarding local connections to a pod's port through the API server, as `kubectl
//! port-forward` does: over one SPDY-over-WebSocket tunnel (Kubernetes 1.30+, kubectl's default
//! since 1.31), where a new connection costs a pair of streams; or, when the API server cannot
//! tunnel, one WebSocket port-forward per connection. [`TUNNEL_ENV`]`=false` skips the tunnel
//! (for a proxy in front of the API server that breaks it).

pub mod local;
pub mod spdy;
pub mod tunnel;
mod websocket;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use tokio::net::TcpStream;

use crate::error::{Error, Result};
use tunnel::{CarryError, OpenError, Tunnel};
use websocket::PerConnection;

/// Set to `false` (or `0`) to use one WebSocket per connection, never the tunnel.
pub const TUNNEL_ENV: &str = "KUBECTL_SPARK_UI_TUNNEL";

/// Whether the tunnel may be used, from the value of [`TUNNEL_ENV`].
pub fn tunnel_allowed(value: Option<&str>) -> bool {
    !matches!(
        value.map(|v| v.trim().to_ascii_lowercase()).as_deref(),
        Some("false" | "0" | "no" | "off")
    )
}

/// Forwards connections to one port of one pod. Forwarders to other ports of the same pod
/// ([`Forwarder::to_port`]) share its tunnel.
pub struct Forwarder {
    client: kube::Client,
    ns: String,
    pod: String,
    port: u16,
    tunnel: Arc<tokio::sync::Mutex<Option<Tunnel>>>,
    tunnels: Arc<AtomicBool>,
    per_connection: PerConnection,
}

impl Forwarder {
    /// Opens the tunnel (or, without tunnelling, one WebSocket forward) so that a missing
    /// permission is reported before anything else happens.
    /// `tunnel`: whether to try the SPDY tunnel first (see [`tunnel_allowed`]).
    pub async fn start(
        client: kube::Client,
        ns: &str,
        pod: &str,
        port: u16,
        tunnel: bool,
    ) -> Result<Forwarder> {
        let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
        let forwarder = Forwarder {
            per_connection: PerConnection::new(pods, pod, port),
            client,
            ns: ns.to_string(),
            pod: pod.to_string(),
            port,
            tunnel: Arc::default(),
            tunnels: Arc::new(AtomicBool::new(tunnel)),
        };
        if tunnel && let Err(e) = forwarder.tunnel().await {
            forwarder.fall_back(e)?;
            // A tunnel that fails before the first connection is not tried again.
            forwarder.tunnels.store(false, Ordering::Relaxed);
        }
        if !forwarder.tunnelling() {
            tracing::debug!("port-forward: one WebSocket per connection instead");
            forwarder.per_connection.check().await?;
            forwarder.per_connection.refill();
        }
        Ok(forwarder)
    }

    /// A forwarder to another port of the same pod, over the same tunnel (or, without one, its
    /// own WebSockets). Permissions were checked by [`Forwarder::start`].
    pub fn to_port(&self, port: u16) -> Forwarder {
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.ns);
        let forwarder = Forwarder {
            per_connection: PerConnection::new(pods, &self.pod, port),
            client: self.client.clone(),
            ns: self.ns.clone(),
            pod: self.pod.clone(),
            port,
            tunnel: self.tunnel.clone(),
            tunnels: self.tunnels.clone(),
        };
        if !forwarder.tunnelling() {
            forwarder.per_connection.refill();
        }
        forwarder
    }

    /// The pod port connections are forwarded to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether connections go through one SPDY tunnel (else one WebSocket each).
    pub fn tunnelling(&self) -> bool {
        self.tunnels.load(Ordering::Relaxed)
    }

    /// The open tunnel, or a new one when it has closed (API server restart, idle timeout).
    async fn tunnel(&self) -> std::result::Result<Tunnel, OpenError> {
        let mut slot = self.tunnel.lock().await;
        if let Some(t) = slot.as_ref().filter(|t| t.is_alive()) {
            return Ok(t.clone());
        }
        let t = Tunnel::open(&self.client, &self.ns, &self.pod).await?;
        *slot = Some(t.clone());
        Ok(t)
    }

    /// What a tunnel that could not be opened means: a refusal (403…) is the user's error;
    /// otherwise the connection goes over a WebSocket of its own, and every later one too when
    /// the API server cannot tunnel at all.
    fn fall_back(&self, e: OpenError) -> Result<()> {
        match e {
            OpenError::Api(e) => Err(crate::kube::api_error(
                e,
                "create pods/portforward",
                &self.ns,
            )),
            OpenError::Unsupported(why) => {
                tracing::debug!("port-forward: {why}");
                self.tunnels.store(false, Ordering::Relaxed);
                Ok(())
            }
            OpenError::Failed(why) => {
                tracing::debug!("port-forward tunnel: {why}; trying a WebSocket");
                Ok(())
            }
        }
    }

    /// Carries one local connection until either side closes it.
    pub async fn carry(&self, conn: TcpStream, peer: SocketAddr) -> Result<()> {
        let mut conn = conn;
        let port = self.port;
        // Twice: a tunnel found closed is reopened once.
        for _ in 0..2 {
            if !self.tunnelling() {
                break;
            }
            match self.tunnel().await {
                Ok(t) => match t.carry(conn, port).await {
                    Ok(()) => return Ok(()),
                    Err(CarryError::Remote(message)) => {
                        return Err(Error::Other(format!("the driver's port {port}: {message}")));
                    }
                    Err(CarryError::Closed(back)) => conn = back,
                },
                Err(e) => {
                    self.fall_back(e)?;
                    break;
                }
            }
        }
        self.per_connection.carry(conn, peer).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tunnel_switch() {
        assert!(tunnel_allowed(None));
        assert!(tunnel_allowed(Some("true")));
        assert!(tunnel_allowed(Some("")));
        for off in ["false", "0", "No", " OFF "] {
            assert!(!tunnel_allowed(Some(off)), "{off}");
        }
    }
}
