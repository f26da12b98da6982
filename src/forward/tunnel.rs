//! A port-forward tunnel as kubectl (1.31+) opens it: ONE WebSocket to the API server, with the
//! subprotocol `SPDY/3.1+portforward.k8s.io`, carrying a SPDY session to the kubelet. Every
//! local connection is a pair of SPDY streams (`error`, `data`) tagged with a request id, so a
//! new connection costs a few frames, not a TLS handshake and a WebSocket upgrade.
//!
//! API servers before Kubernetes 1.30 (or with the `PortForwardWebsockets` gate off) do not
//! tunnel; [`Tunnel::open`] then fails with [`OpenError::Unsupported`] and the caller falls back
//! to one WebSocket per connection.
//!
//! No flow control: like Go's `spdystream` on the other side, windows are not enforced. A local
//! client that stops reading holds up the other connections of the tunnel once its queue
//! ([`STREAM_QUEUE`] frames) is full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use http::{Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::{client::generate_key, derive_accept_key};
use tokio_tungstenite::tungstenite::protocol::Role;

use super::spdy::{self, Frame, HeaderEncoder};

/// The WebSocket subprotocol of the tunnel.
pub const PROTOCOL: &str = "SPDY/3.1+portforward.k8s.io";
/// Frames queued per stream before the tunnel waits for the local side.
pub const STREAM_QUEUE: usize = 64;
/// How often the tunnel pings the kubelet (kubectl: 10 s), so idle tunnels stay open.
const PING_EVERY: Duration = Duration::from_secs(10);
/// A tunnel that has sent nothing for this long (3 pings unanswered) is given up.
const SILENT_LIMIT: Duration = Duration::from_secs(35);
/// The largest local read sent as one DATA frame.
const CHUNK: usize = 32 * 1024;
/// Frames written to the WebSocket as one message when they queue up.
const BATCH: usize = 256 * 1024;

/// Why a tunnel could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// The API server does not tunnel SPDY over WebSocket; use one WebSocket per connection.
    Unsupported(String),
    /// The API server refused (the `Status` it sent, e.g. 403 on `pods/portforward`).
    Api(kube::Error),
    /// The connection failed.
    Failed(String),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Unsupported(why) => write!(f, "no SPDY tunnel: {why}"),
            OpenError::Api(e) => write!(f, "{e}"),
            OpenError::Failed(why) => write!(f, "{why}"),
        }
    }
}

/// What the tunnel hands a stream.
#[derive(Debug)]
enum Incoming {
    Data(Vec<u8>),
    Fin,
    Reset,
}

struct State {
    encoder: HeaderEncoder,
    next_stream: u32,
    next_request: u64,
    streams: HashMap<u32, mpsc::Sender<Incoming>>,
    alive: bool,
}

struct Shared {
    state: Mutex<State>,
    out: mpsc::UnboundedSender<Vec<u8>>,
    /// When the server last sent anything (it echoes our pings, so at least every
    /// [`PING_EVERY`] while the tunnel is alive).
    last_heard: Mutex<Instant>,
}

impl Shared {
    fn mark_dead(&self) {
        if let Ok(mut st) = self.state.lock() {
            st.alive = false;
            // Dropping the senders ends every stream's receiver.
            st.streams.clear();
        }
    }

    fn sender(&self, stream: u32) -> Option<mpsc::Sender<Incoming>> {
        self.state.lock().ok()?.streams.get(&stream).cloned()
    }

    fn remove(&self, stream: u32) -> Option<mpsc::Sender<Incoming>> {
        self.state.lock().ok()?.streams.remove(&stream)
    }
}

/// An open SPDY-over-WebSocket port-forward session to one pod.
#[derive(Clone)]
pub struct Tunnel {
    shared: Arc<Shared>,
}

impl Tunnel {
    /// Opens the tunnel to `pod` in `ns` (no ports: each stream names its own).
    pub async fn open(client: &kube::Client, ns: &str, pod: &str) -> Result<Tunnel, OpenError> {
        let key = generate_key();
        let request = Request::get(format!("/api/v1/namespaces/{ns}/pods/{pod}/portforward"))
            .header(header::CONNECTION, "Upgrade")
            .header(header::UPGRADE, "websocket")
            .header(header::SEC_WEBSOCKET_VERSION, "13")
            .header(header::SEC_WEBSOCKET_KEY, &key)
            .header(header::SEC_WEBSOCKET_PROTOCOL, PROTOCOL)
            .body(kube::client::Body::empty())
            .map_err(|e| OpenError::Failed(e.to_string()))?;
        let response = client.send(request).await.map_err(|e| match e {
            kube::Error::Api(_) => OpenError::Api(e),
            // Not an answer from the server (refused, reset, TLS): a WebSocket may get through.
            other => OpenError::Failed(other.to_string()),
        })?;
        let status = response.status();
        if status != StatusCode::SWITCHING_PROTOCOLS {
            return Err(refused(response).await);
        }
        let protocol = response
            .headers()
            .get(header::SEC_WEBSOCKET_PROTOCOL)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if protocol != PROTOCOL {
            return Err(OpenError::Unsupported(format!(
                "the API server answered with subprotocol {protocol:?}"
            )));
        }
        let accept = response
            .headers()
            .get(header::SEC_WEBSOCKET_ACCEPT)
            .and_then(|v| v.to_str().ok());
        if accept != Some(derive_accept_key(key.as_bytes()).as_str()) {
            return Err(OpenError::Failed(
                "the API server's WebSocket handshake has a wrong Sec-WebSocket-Accept".into(),
            ));
        }
        let upgraded = hyper::upgrade::on(response)
            .await
            .map_err(|e| OpenError::Failed(format!("upgrading the connection: {e}")))?;
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Client, None).await;
        tracing::debug!("port-forward: SPDY tunnel to {ns}/{pod} open");
        Ok(Tunnel::start(ws))
    }

    fn start<S>(ws: WebSocketStream<S>) -> Tunnel
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let (sink, source) = ws.split();
        let (out, out_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                encoder: HeaderEncoder::default(),
                next_stream: 1,
                next_request: 0,
                streams: HashMap::new(),
                alive: true,
            }),
            out,
            last_heard: Mutex::new(Instant::now()),
        });
        tokio::spawn(write_loop(sink, out_rx, shared.clone()));
        tokio::spawn(read_loop(source, shared.clone()));
        Tunnel { shared }
    }

    /// Whether new streams can still be opened.
    pub fn is_alive(&self) -> bool {
        self.shared.state.lock().is_ok_and(|st| st.alive)
    }

    /// Opens the error and data streams for one connection to `port`; `None` once the tunnel
    /// is closed. The frames go out at once: data may follow before the kubelet replies (its
    /// SPDY server handles a stream's frames in order, after accepting it).
    fn open_pair(&self, port: u16) -> Option<StreamPair> {
        let mut st = self.shared.state.lock().ok()?;
        if !st.alive || st.next_stream > 0x7fff_0000 {
            return None;
        }
        let request = st.next_request.to_string();
        let error_id = st.next_stream;
        let data_id = error_id + 2;
        st.next_request += 1;
        st.next_stream += 4;
        let (error_tx, error_rx) = mpsc::channel(8);
        let (data_tx, data_rx) = mpsc::channel(STREAM_QUEUE);
        st.streams.insert(error_id, error_tx);
        st.streams.insert(data_id, data_tx);
        let port = port.to_string();
        let headers = |kind: &'static str| {
            [
                ("streamtype", kind),
                ("port", port.as_str()),
                ("requestid", request.as_str()),
            ]
        };
        let mut frames = spdy::syn_stream(&mut st.encoder, error_id, &headers("error"));
        // Our side of the error stream is closed at once, as kubectl does.
        frames.extend(spdy::data(error_id, true, &[]));
        frames.extend(spdy::syn_stream(&mut st.encoder, data_id, &headers("data")));
        // Sent under the lock: stream ids must reach the server in increasing order.
        self.shared.out.send(frames).ok()?;
        Some(StreamPair {
            shared: self.shared.clone(),
            error_id,
            data_id,
            error_rx,
            data_rx,
        })
    }

    /// Carries one local connection to `port` over a new stream pair. `Err` with the
    /// kubelet's message when it could not forward (e.g. nothing listens on the port), or
    /// `Err` when the tunnel is closed (nothing was sent then; the caller may retry).
    pub async fn carry(&self, conn: TcpStream, port: u16) -> Result<(), CarryError> {
        match self.open_pair(port) {
            Some(pair) => pair.carry(conn).await.map_err(CarryError::Remote),
            None => Err(CarryError::Closed(conn)),
        }
    }
}

/// Why [`Tunnel::carry`] failed.
#[derive(Debug)]
pub enum CarryError {
    /// The tunnel is closed; the connection is handed back untouched.
    Closed(TcpStream),
    /// The kubelet reported an error, or the tunnel broke mid-connection.
    Remote(String),
}

/// The response to an upgrade the API server did not accept.
async fn refused(response: http::Response<kube::client::Body>) -> OpenError {
    let status = response.status();
    let text = match response.into_body().collect_bytes().await {
        Ok(b) => String::from_utf8_lossy(b.as_ref()).trim().to_string(),
        Err(e) => e.to_string(),
    };
    let api_status = serde_json::from_str::<kube::core::Status>(&text).ok();
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => {
            let s = api_status.unwrap_or_else(|| {
                kube::core::Status::failure(&text, "").with_code(status.as_u16())
            });
            OpenError::Api(kube::Error::Api(s.boxed()))
        }
        _ => OpenError::Unsupported(format!(
            "HTTP {status}: {}",
            api_status.map(|s| s.message).unwrap_or(text)
        )),
    }
}

async fn write_loop<S>(
    mut sink: futures::stream::SplitSink<WebSocketStream<S>, Message>,
    mut frames: mpsc::UnboundedReceiver<Vec<u8>>,
    shared: Arc<Shared>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut ping_id: u32 = 1;
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        let mut batch = tokio::select! {
            next = frames.recv() => match next {
                Some(frame) => frame,
                None => break,
            },
            _ = ping.tick() => {
                let heard = shared.last_heard.lock().map(|t| t.elapsed()).unwrap_or_default();
                if heard > SILENT_LIMIT {
                    // A connection gone without a word (a NAT or proxy dropped it): new
                    // connections must not wait on it.
                    tracing::debug!("port-forward tunnel: nothing heard for {heard:?}; closing it");
                    break;
                }
                ping_id = ping_id.wrapping_add(2).max(1);
                spdy::ping(ping_id)
            }
        };
        // Whatever else is queued goes in the same WebSocket message.
        while batch.len() < BATCH {
            match frames.try_recv() {
                Ok(more) => batch.extend(more),
                Err(_) => break,
            }
        }
        if let Err(e) = sink.send(Message::binary(batch)).await {
            tracing::debug!("port-forward tunnel: write failed: {e}");
            break;
        }
    }
    shared.mark_dead();
    let _ = sink.close().await;
}

async fn read_loop<S>(
    mut source: futures::stream::SplitStream<WebSocketStream<S>>,
    shared: Arc<Shared>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut buf: Vec<u8> = Vec::new();
    'read: while let Some(message) = source.next().await {
        match message {
            Ok(Message::Binary(bytes)) => {
                if let Ok(mut t) = shared.last_heard.lock() {
                    *t = Instant::now();
                }
                buf.extend_from_slice(&bytes);
            }
            Ok(Message::Close(_)) => break,
            Ok(_) => continue,
            Err(e) => {
                tracing::debug!("port-forward tunnel: read failed: {e}");
                break;
            }
        }
        let mut used = 0;
        loop {
            match spdy::parse(&buf[used..]) {
                Ok(Some((frame, n))) => {
                    used += n;
                    dispatch(&shared, frame).await;
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::debug!("port-forward tunnel: {e}");
                    break 'read;
                }
            }
        }
        buf.drain(..used);
    }
    tracing::debug!("port-forward tunnel closed");
    shared.mark_dead();
}

async fn dispatch(shared: &Shared, frame: Frame) {
    match frame {
        Frame::Data { stream, fin, data } => {
            if !data.is_empty()
                && let Some(tx) = shared.sender(stream)
                && tx.send(Incoming::Data(data)).await.is_err()
            {
                // The connection is gone; what is still in flight for it is dropped.
                shared.remove(stream);
            }
            if fin {
                finish(shared, stream, Incoming::Fin).await;
            }
        }
        Frame::SynReply { stream, fin: true } | Frame::Headers { stream, fin: true } => {
            finish(shared, stream, Incoming::Fin).await;
        }
        Frame::RstStream { stream, status } => {
            tracing::debug!("port-forward tunnel: stream {stream} reset (status {status})");
            finish(shared, stream, Incoming::Reset).await;
        }
        Frame::Ping { id } if id % 2 == 0 => {
            let _ = shared.out.send(spdy::ping(id));
        }
        Frame::GoAway { last_stream } => {
            tracing::debug!("port-forward tunnel: GOAWAY after stream {last_stream}");
            if let Ok(mut st) = shared.state.lock() {
                st.alive = false;
            }
        }
        _ => {}
    }
}

async fn finish(shared: &Shared, stream: u32, last: Incoming) {
    if let Some(tx) = shared.remove(stream) {
        let _ = tx.send(last).await;
    }
}

/// The two streams of one forwarded connection.
struct StreamPair {
    shared: Arc<Shared>,
    error_id: u32,
    data_id: u32,
    error_rx: mpsc::Receiver<Incoming>,
    data_rx: mpsc::Receiver<Incoming>,
}

impl StreamPair {
    async fn carry(mut self, conn: TcpStream) -> Result<(), String> {
        let (mut local_in, mut local_out) = conn.into_split();
        let out = self.shared.out.clone();
        let data_id = self.data_id;
        let upload = async move {
            let mut chunk = vec![0u8; CHUNK];
            loop {
                match local_in.read(&mut chunk).await {
                    Ok(0) => {
                        let _ = out.send(spdy::data(data_id, true, &[]));
                        return true;
                    }
                    Ok(n) => {
                        if out.send(spdy::data(data_id, false, &chunk[..n])).is_err() {
                            return false;
                        }
                    }
                    Err(e) => {
                        tracing::debug!("port-forward: local read: {e}");
                        return false;
                    }
                }
            }
        };
        let data_rx = &mut self.data_rx;
        let download = async move {
            loop {
                match data_rx.recv().await {
                    Some(Incoming::Data(bytes)) => {
                        if local_out.write_all(&bytes).await.is_err() {
                            return Err(None);
                        }
                    }
                    Some(Incoming::Fin) => {
                        let _ = local_out.shutdown().await;
                        return Ok(());
                    }
                    Some(Incoming::Reset) => return Err(Some("the stream was reset")),
                    None => return Err(Some("the tunnel closed")),
                }
            }
        };
        let (outcome, local_closed) = {
            tokio::pin!(upload, download);
            let mut upload_done = false;
            loop {
                tokio::select! {
                    ok = &mut upload, if !upload_done => {
                        if !ok {
                            break (Err(None), false);
                        }
                        upload_done = true;
                    }
                    done = &mut download => {
                        // The server is done; our side ends when the local client closes (as
                        // kubectl does: the kubelet's forward ends when both sides have).
                        if done.is_ok() && !upload_done && !(&mut upload).await {
                            break (Err(None), false);
                        }
                        break (done, upload_done);
                    }
                }
            }
        };
        match outcome {
            Ok(()) => self.error_message().await.map_or(Ok(()), Err),
            // The local client went away: tell the kubelet to stop; nothing to report.
            Err(None) => {
                let _ = self
                    .shared
                    .out
                    .send(spdy::rst_stream(data_id, spdy::STATUS_CANCEL));
                self.shared.remove(data_id);
                self.shared.remove(self.error_id);
                Ok(())
            }
            Err(Some(why)) => match self.error_message().await {
                Some(message) => Err(message),
                // The local client had already closed: it lost nothing waiting for the
                // kubelet's end of the stream (e.g. the tunnel was given up meanwhile).
                None if local_closed => {
                    tracing::debug!("port-forward stream {data_id}: {why} after the client left");
                    Ok(())
                }
                None => Err(why.to_string()),
            },
        }
    }

    /// What the kubelet wrote on the error stream (it closes it when the forward ends).
    async fn error_message(&mut self) -> Option<String> {
        let mut text = Vec::new();
        let wait = async {
            while let Some(Incoming::Data(bytes)) = self.error_rx.recv().await {
                text.extend_from_slice(&bytes);
            }
        };
        if tokio::time::timeout(Duration::from_secs(5), wait)
            .await
            .is_err()
        {
            self.shared.remove(self.error_id);
        }
        let text = String::from_utf8_lossy(&text).trim().to_string();
        (!text.is_empty()).then_some(text)
    }
}
