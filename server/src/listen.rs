//! Accepting connections with limits a slow or hostile client cannot exhaust: a bounded number of
//! connections in all and per client address, a deadline to send request headers (also between
//! requests of a kept-alive connection, which closes idle ones), a deadline for the whole request,
//! and one for a client to take more of a response.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, oneshot};
use tower::ServiceExt;

use crate::client::{Peer, TrustedProxies, bucket};
use crate::connection::Connection;
use highlights_api::ErrorBody;

/// Limits on connections and requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections served at once; more wait in the listen backlog until one closes.
    pub max_connections: usize,
    /// Connections one client address (an IPv6 /64) holds at once; more are answered 429 and
    /// closed, so one client cannot take every slot. Trusted proxies are exempt.
    pub max_connections_per_client: usize,
    /// Time a client has to send a request's headers, and that an idle kept-alive connection
    /// stays open.
    pub header_read_timeout: Duration,
    /// Time a request (reading its body and answering) may take before it gets a 408.
    pub request_timeout: Duration,
    /// Time a response may wait for its client to take more bytes before the connection is
    /// closed: a client that stops reading a video frees its slot and buffers.
    pub write_idle_timeout: Duration,
    /// Time in-flight requests get to finish when the server stops.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            // Well under the 20,000 descriptors a process gets by default, with room for SQLite.
            max_connections: 10_000,
            // A household or an office behind one address, with a few tabs and players each.
            max_connections_per_client: 64,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            write_idle_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Header fields hyper takes before its own bodiless 431: well above `routes::MAX_HEADERS`, so
/// the routes answer an oversized head in JSON first.
const HYPER_MAX_HEADERS: usize = 256;

/// Connections held per client address.
#[derive(Default)]
struct PerClient(Mutex<HashMap<IpAddr, usize>>);

/// One connection counted against its client address until dropped.
struct Held(Arc<PerClient>, IpAddr);

impl PerClient {
    fn hold(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<Held> {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = held.entry(ip).or_default();
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Held(self.clone(), ip))
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut held = self.0.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = held.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.1);
            }
        }
    }
}

/// The answer to a connection over its client's share: written once, briefly, then closed.
async fn refuse(mut stream: TcpStream, max: usize) {
    let body = serde_json::to_string(&ErrorBody {
        code: "too_many_connections".into(),
        message: format!("at most {max} connections per client at once; close one and retry"),
    })
    .unwrap_or_default();
    let answer = format!(
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 1\r\n\
         Connection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await?;
        // Closing with the request unread would reset the connection and could drop the 429.
        let mut unread = [0u8; 4096];
        tokio::io::AsyncReadExt::read(&mut stream, &mut unread).await
    })
    .await;
}

/// Serves `app` on `listener` until `stop` fires, then lets in-flight requests finish. Peers in
/// `proxies` are exempt from the per-client connection cap (they carry many clients).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    proxies: TrustedProxies,
    mut stop: oneshot::Receiver<()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let per_client = Arc::new(PerClient::default());
    let graceful = GracefulShutdown::new();
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors or a reset before accept: wait a moment, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let held = if proxies.trusts(peer.ip()) {
            None
        } else {
            match per_client.hold(bucket(peer.ip()), limits.max_connections_per_client) {
                Some(held) => Some(held),
                None => {
                    drop(permit);
                    tokio::spawn(refuse(stream, limits.max_connections_per_client));
                    continue;
                }
            }
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            let app = app.clone();
            req.extensions_mut().insert(Peer(peer));
            async move {
                let answer = tokio::time::timeout(limits.request_timeout, app.oneshot(req.map(Body::new))).await;
                Ok::<_, std::convert::Infallible>(match answer {
                    Ok(Ok(response)) => response,
                    Ok(Err(never)) => match never {},
                    Err(_) => {
                        let message = format!("the request took longer than {} s", limits.request_timeout.as_secs());
                        let body = ErrorBody { code: "request_timeout".into(), message };
                        (StatusCode::REQUEST_TIMEOUT, axum::Json(body)).into_response()
                    }
                })
            }
        });
        let io = Connection::new(stream, limits.write_idle_timeout);
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            // Room above the routes' own head limits, which answer in JSON (routes::head).
            .max_headers(HYPER_MAX_HEADERS)
            .serve_connection(TokioIo::new(io), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _permit = permit;
            let _held = held;
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still running after the shutdown grace period; stopping anyway");
    }
}
