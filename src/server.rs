//! The HTTP/1.1 server: hyper with explicit bounds (header size and count, a deadline for
//! sending headers, so slow clients cannot hold connections), caps on open connections in
//! all and per client address, the client's socket address for rate limiting, and graceful
//! shutdown that lets in-flight requests finish.
//!
//! The accept loop is hand-written rather than `axum::serve`, which offers none of these
//! bounds.

use std::{
    collections::HashMap,
    convert::Infallible,
    future::Future,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::{
    body::Body,
    extract::{ConnectInfo, Request},
    http::Method,
    response::Response,
};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tower::Service;

use crate::{
    config::Config,
    limit::per_slash_64,
    onion::{self, Circuit},
};

/// At most this many request headers.
pub const MAX_HEADERS: usize = 64;
/// Read buffer, which bounds the request line and headers together (hyper answers 431 past it).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// How long in-flight requests get to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// File descriptors kept free of connections: the database, its log and index, the
/// listener, standard streams.
const RESERVED_FDS: u64 = 64;
/// Refused connections are logged at most once per this period, with a count.
const REFUSAL_LOG_PERIOD: Duration = Duration::from_secs(10);

/// How the server bounds its clients.
#[derive(Clone, Debug)]
pub struct Limits {
    pub header_timeout: Duration,
    /// Open connections in all.
    pub max_connections: usize,
    /// Open connections per client address (IPv6: per /64); `None` for no cap.
    pub max_per_client: Option<usize>,
}

impl Limits {
    /// The configured limits, with the total cap fitted to the open-file limit (raised to
    /// its hard maximum first), so that connections can never use up the descriptors the
    /// site needs for its database. Behind a trusted proxy every connection comes from the
    /// proxy, so there is no per-client cap: the proxy limits its clients.
    pub fn from_config(config: &Config) -> std::io::Result<Self> {
        let fds = rlimit::increase_nofile_limit(u64::MAX)?;
        let fitting = fds.saturating_sub(RESERVED_FDS).max(1);
        let configured = u64::from(config.max_connections);
        if fitting < configured {
            tracing::info!(
                configured,
                open_file_limit = fds,
                lowered_to = fitting,
                "max connections lowered to fit the open-file limit"
            );
        }
        let per_client = (config.client_ip_header.is_none()
            && config.max_connections_per_client > 0)
            .then_some(config.max_connections_per_client as usize);
        Ok(Self {
            header_timeout: Duration::from_secs(config.header_timeout_secs),
            max_connections: configured.min(fitting) as usize,
            max_per_client: per_client,
        })
    }
}

/// Where a listener's connections come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Readers, directly or through a proxy that names them in a header.
    Direct,
    /// Tor (`--onion-listen`): each connection opens with a PROXY line naming the reader's
    /// circuit, and there is no per-address cap (every reader comes from Tor's address).
    Onion,
}

pub async fn serve<S>(
    listener: TcpListener,
    app: S,
    limits: Limits,
    entry: Entry,
    shutdown: impl Future<Output = ()>,
) where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_headers(MAX_HEADERS)
        .max_buf_size(MAX_HEADER_BYTES);
    let header_timeout = limits.header_timeout;
    let gate = Arc::new(Gate::new(match entry {
        Entry::Direct => limits,
        Entry::Onion => Limits {
            max_per_client: None,
            ..limits
        },
    }));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (socket, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // Over a cap: closed at once, so the descriptor is free again.
        let Some(slot) = gate.admit(remote.ip()) else {
            drop(socket);
            continue;
        };
        let mut service = WithClient {
            app: app.clone(),
            remote,
            circuit: None,
        };
        if entry == Entry::Direct {
            let connection =
                builder.serve_connection(TokioIo::new(socket), TowerToHyperService::new(service));
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, "connection closed with an error");
                }
                drop(slot);
            });
            continue;
        }
        let (builder, watcher) = (builder.clone(), graceful.watcher());
        tokio::spawn(async move {
            // The line first, within the time a client has for its headers; the request
            // that follows is already in the buffer hyper reads from.
            let mut reader = tokio::io::BufReader::new(socket);
            match onion::read_circuit(&mut reader, header_timeout).await {
                Ok(circuit) => {
                    service.circuit = Some(circuit);
                    let connection = builder
                        .serve_connection(TokioIo::new(reader), TowerToHyperService::new(service));
                    if let Err(e) = watcher.watch(connection).await {
                        tracing::debug!(error = %e, "connection closed with an error");
                    }
                }
                Err(e) => tracing::debug!(error = %e, "onion connection refused"),
            }
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("connections still open after the grace period; closing them");
        }
    }
}

/// One connection's view of the app: requests that can carry a message are told the client's
/// address (`ConnectInfo`) and, through the onion listener, its Tor circuit, for the contact
/// form's rate limit. GET and HEAD, nearly every request and all of the fast path, never
/// need them and skip the extensions' allocation.
#[derive(Clone)]
struct WithClient<S> {
    app: S,
    remote: SocketAddr,
    circuit: Option<Circuit>,
}

impl<S> Service<hyper::Request<Incoming>> for WithClient<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.app.poll_ready(cx)
    }

    fn call(&mut self, req: hyper::Request<Incoming>) -> S::Future {
        let mut req = req.map(Body::new);
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            req.extensions_mut().insert(ConnectInfo(self.remote));
            if let Some(circuit) = self.circuit {
                req.extensions_mut().insert(circuit);
            }
        }
        self.app.call(req)
    }
}

/// Counts open connections against the caps.
struct Gate {
    limits: Limits,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    per_client: HashMap<IpAddr, usize>,
    /// Refused since the last log line: (over the per-client cap, over the total cap).
    refused: (u64, u64),
    last_logged: Option<Instant>,
}

/// One admitted connection; frees its place when dropped.
struct Slot {
    gate: Arc<Gate>,
    client: IpAddr,
}

impl Gate {
    fn new(limits: Limits) -> Self {
        Self {
            limits,
            open: Mutex::default(),
        }
    }

    fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let client = per_slash_64(ip);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let of_client = open.per_client.get(&client).copied().unwrap_or(0);
        if open.total >= self.limits.max_connections {
            open.refused.1 += 1;
        } else if self
            .limits
            .max_per_client
            .is_some_and(|cap| of_client >= cap)
        {
            open.refused.0 += 1;
        } else {
            open.total += 1;
            open.per_client.insert(client, of_client + 1);
            return Some(Slot {
                gate: self.clone(),
                client,
            });
        }
        let due = open
            .last_logged
            .is_none_or(|t| t.elapsed() >= REFUSAL_LOG_PERIOD);
        if due {
            let (per_client, total) = std::mem::take(&mut open.refused);
            open.last_logged = Some(Instant::now());
            tracing::warn!(
                over_per_client_cap = per_client,
                over_total_cap = total,
                per_client_cap = self.limits.max_per_client,
                total_cap = self.limits.max_connections,
                "connections refused (at most one such line per 10 s)"
            );
        }
        None
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.gate.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total -= 1;
        if let Some(n) = open.per_client.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                open.per_client.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn gate_of(total: usize, per_client: Option<usize>) -> Arc<Gate> {
        Arc::new(Gate::new(Limits {
            header_timeout: Duration::from_secs(1),
            max_connections: total,
            max_per_client: per_client,
        }))
    }

    #[test]
    fn caps_per_client_and_in_all_and_frees_on_close() {
        let gate = gate_of(3, Some(2));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = gate.admit(a).unwrap();
        let _second = gate.admit(a).unwrap();
        assert!(gate.admit(a).is_none(), "per-client cap");
        let _third = gate.admit(b).unwrap();
        assert!(gate.admit(b).is_none(), "total cap");
        drop(first);
        assert!(
            gate.admit(a).is_some(),
            "a closed connection frees its place"
        );
        let v6 = |s: &str| s.parse::<IpAddr>().unwrap();
        let gate = gate_of(10, Some(1));
        let _held = gate.admit(v6("2001:db8::1")).unwrap();
        assert!(
            gate.admit(v6("2001:db8::2")).is_none(),
            "one /64, one client"
        );
        assert!(gate.admit(v6("2001:db8:0:1::1")).is_some());
    }

    #[test]
    fn behind_a_trusted_proxy_there_is_no_per_client_cap() {
        let mut config = Config::rooted(Path::new("."), std::path::PathBuf::from("db"));
        assert_eq!(
            Limits::from_config(&config).unwrap().max_per_client,
            Some(64)
        );
        config.client_ip_header = Some("x-real-ip".into());
        let limits = Limits::from_config(&config).unwrap();
        assert_eq!(limits.max_per_client, None);
        assert!(limits.max_connections >= 1);
    }
}
