//! One WebSocket port-forward (`v4.channel.k8s.io`, through kube's `Portforwarder`) per local
//! connection: the way for API servers that cannot tunnel SPDY. A few forwards ([`WARM`]) are
//! kept opened ahead (each for at most [`WARM_MAX_AGE`]), so a new connection usually starts
//! without waiting for the WebSocket handshake.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, Portforwarder};
use tokio::net::TcpStream;

use crate::error::{Error, Result};

/// Attempts to open a port-forward for one connection.
const FORWARD_ATTEMPTS: u32 = 3;
/// Port-forwards kept opened ahead of new connections.
const WARM: usize = 4;
/// How long a port-forward opened ahead is used; older ones are dropped (the UI server may have
/// closed an idle connection behind it).
const WARM_MAX_AGE: Duration = Duration::from_secs(10);

/// The pod port forwarded, and the forwards opened ahead for it.
#[derive(Clone)]
pub struct PerConnection {
    pods: Api<Pod>,
    name: String,
    port: u16,
    warm: Arc<Mutex<WarmState>>,
}

#[derive(Default)]
struct WarmState {
    ready: Vec<(Portforwarder, Instant)>,
    opening: usize,
}

impl WarmState {
    fn drop_stale(&mut self) {
        let (fresh, stale): (Vec<_>, Vec<_>) = std::mem::take(&mut self.ready)
            .into_iter()
            .partition(|(_, at)| at.elapsed() < WARM_MAX_AGE);
        for (pf, _) in stale {
            pf.abort();
        }
        self.ready = fresh;
    }
}

impl PerConnection {
    /// Forwards to `port` of pod `name`.
    pub fn new(pods: Api<Pod>, name: &str, port: u16) -> Self {
        PerConnection {
            pods,
            name: name.to_string(),
            port,
            warm: Arc::default(),
        }
    }

    /// Opens and closes one port-forward: a missing permission shows before anything else.
    pub async fn check(&self) -> Result<()> {
        let pf = self
            .pods
            .portforward(&self.name, &[self.port])
            .await
            .map_err(|e| self.refused(e))?;
        pf.abort();
        Ok(())
    }

    /// A port-forward the API server refused, with the permission to ask for.
    fn refused(&self, e: kube::Error) -> Error {
        crate::kube::api_error(
            e,
            "create pods/portforward",
            self.pods.namespace().unwrap_or(""),
        )
    }

    /// A forward opened ahead, if a fresh one is there.
    fn take(&self) -> Option<Portforwarder> {
        let mut state = self.warm.lock().ok()?;
        state.drop_stale();
        state.ready.pop().map(|(pf, _)| pf)
    }

    /// Opens forwards in the background until [`WARM`] are ready or being opened.
    pub fn refill(&self) {
        let missing = {
            let Ok(mut state) = self.warm.lock() else {
                return;
            };
            state.drop_stale();
            let missing = WARM.saturating_sub(state.ready.len() + state.opening);
            state.opening += missing;
            missing
        };
        for _ in 0..missing {
            let this = self.clone();
            tokio::spawn(async move {
                let opened = this.pods.portforward(&this.name, &[this.port]).await.ok();
                if let Ok(mut state) = this.warm.lock() {
                    state.opening -= 1;
                    if let Some(pf) = opened {
                        state.ready.push((pf, Instant::now()));
                    }
                }
            });
        }
    }

    /// Carries one local connection over its own port-forward (opened ahead, or a new one).
    pub async fn carry(&self, mut conn: TcpStream, peer: SocketAddr) -> Result<()> {
        let port = self.port;
        let ready = self.take();
        self.refill();
        let mut attempt = 0;
        let mut pf = if let Some(pf) = ready {
            pf
        } else {
            loop {
                attempt += 1;
                match self.pods.portforward(&self.name, &[port]).await {
                    Ok(pf) => break pf,
                    Err(e) if attempt < FORWARD_ATTEMPTS => {
                        tracing::debug!("port-forward for {peer} failed (attempt {attempt}): {e}");
                        tokio::time::sleep(Duration::from_millis(300 * u64::from(attempt))).await;
                    }
                    Err(e) => return Err(self.refused(e)),
                }
            }
        };
        let mut upstream = pf.take_stream(port).ok_or_else(|| {
            Error::Other(format!("the port-forward has no stream for port {port}"))
        })?;
        let remote_error = pf.take_error(port);
        let copied = tokio::io::copy_bidirectional(&mut conn, &mut upstream).await;
        drop(upstream);
        if let Some(err) = remote_error
            && let Some(message) = err.await
        {
            return Err(Error::Other(format!("the driver's port {port}: {message}")));
        }
        let _ = pf.join().await;
        if let Err(e) = copied {
            tracing::debug!("connection from {peer} ended: {e}");
        }
        Ok(())
    }
}
