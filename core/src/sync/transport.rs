//! How the core's requests reach the backend: through a transport the shell provides (the
//! platform's own network stack, with its TLS and proxy settings: OkHttp on Android, URLSession on
//! iOS), or through reqwest with rustls (the `reqwest` feature: the PC app, tests, the demo). What
//! to send, retries, idempotency keys, the size cap on answers, timeouts and cancellation stay
//! here, so every shell behaves the same whatever its stack does.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::CoreError;

/// An HTTP method the core uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Method(&'static str);

impl Method {
    /// GET.
    pub const GET: Method = Method("GET");
    /// POST.
    pub const POST: Method = Method("POST");
    /// PATCH.
    pub const PATCH: Method = Method("PATCH");
    /// DELETE.
    pub const DELETE: Method = Method("DELETE");

    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// One header of a request or an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HttpHeader {
    /// Its name (answers' names in any case).
    pub name: String,
    /// Its value.
    pub value: String,
}

/// One request as the core hands it to a transport.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HttpRequest {
    /// GET, POST, PATCH or DELETE.
    pub method: String,
    /// The whole URL.
    pub url: String,
    /// Headers to send, the bearer token's among them: a transport must never log them, nor
    /// print the request (its text form shows them).
    pub headers: Vec<HttpHeader>,
    /// The body (JSON), if any.
    pub body: Option<Vec<u8>>,
    /// Longest wait for a connection, for a transport that sets one (the core bounds the whole
    /// exchange itself anyway).
    pub connect_timeout_ms: u64,
    /// Longest wait for the whole exchange, which the core enforces.
    pub timeout_ms: u64,
}

/// What came back before the body: the status and the headers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HttpResponseHead {
    /// The HTTP status.
    pub status: u16,
    /// The answer's headers.
    pub headers: Vec<HttpHeader>,
}

/// Why a transport could not complete an exchange.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No connection could be made (no network, refused, DNS, TLS).
    #[error("cannot connect: {reason}")]
    Connect {
        /// What the platform said, without the request's headers.
        reason: String,
    },
    /// The platform's own timeout struck.
    #[error("timed out: {reason}")]
    Timeout {
        /// What the platform said.
        reason: String,
    },
    /// The connection broke, or the exchange failed otherwise.
    #[error("failed: {reason}")]
    Failed {
        /// What the platform said.
        reason: String,
    },
    /// The exchange was ended by [`HttpTransport::finish`] while waiting.
    #[error("cancelled")]
    Cancelled,
}

/// The platform's network stack, as a shell provides it. Its calls block; the core makes them on
/// threads of its own, bounds each exchange by its timeout, and ends every exchange it started
/// with [`HttpTransport::finish`], also to abort one still waiting (a timeout, a cancelled sync).
pub trait HttpTransport: Send + Sync {
    /// Sends `request` as exchange `exchange` and waits for the answer's status and headers.
    fn start(&self, exchange: u64, request: HttpRequest) -> Result<HttpResponseHead, TransportError>;
    /// The next bytes of exchange `exchange`'s body, at most `max_bytes`; `None` once it ended.
    fn read(&self, exchange: u64, max_bytes: u32) -> Result<Option<Vec<u8>>, TransportError>;
    /// Ends exchange `exchange` and frees what it holds; aborts it if a call on it still waits.
    /// Must not block.
    fn finish(&self, exchange: u64);
}

/// A whole answer the core received: status, headers and the body within the size limit.
#[derive(Debug)]
pub(crate) struct Received {
    pub status: u16,
    pub headers: Vec<HttpHeader>,
    pub body: Vec<u8>,
}

impl Received {
    /// The first header of this name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_str())
    }
}

/// Bytes asked of a shell's transport at a time.
const CHUNK_BYTES: u32 = 256 * 1024;

/// Which stack a core's requests go through.
#[derive(Clone)]
pub(crate) enum Wire {
    /// reqwest with rustls, built into the core.
    #[cfg(feature = "reqwest")]
    Reqwest(reqwest::Client),
    /// The shell's.
    Shell(Arc<dyn HttpTransport>),
}

fn too_large(limit: usize) -> CoreError {
    CoreError::BadServerData { message: format!("answer larger than {limit} bytes") }
}

fn transport_failed(e: TransportError) -> CoreError {
    // The kind only: a platform's message may name the URL, never more than that is needed.
    let kind = match e {
        TransportError::Connect { .. } => "cannot connect",
        TransportError::Timeout { .. } => "timed out",
        TransportError::Failed { .. } | TransportError::Cancelled => "request failed",
    };
    CoreError::Network { message: kind.to_string() }
}

#[cfg(feature = "reqwest")]
fn network(e: reqwest::Error) -> CoreError {
    // Only the kind of failure: reqwest's message is about the URL and the socket, never headers,
    // but nothing here needs more than the kind.
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "connection broke while reading the answer"
    } else {
        "request failed"
    };
    CoreError::Network { message: kind.to_string() }
}

impl Wire {
    /// The built-in stack when this build has one, else the shell's, which it then must give.
    pub fn new(shell: Option<Arc<dyn HttpTransport>>, connect_timeout: Duration) -> Result<Self, CoreError> {
        if let Some(t) = shell {
            return Ok(Wire::Shell(t));
        }
        #[cfg(feature = "reqwest")]
        {
            // rustls needs one process-wide crypto provider; a host that installed its own keeps it.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let client = reqwest::Client::builder()
                .connect_timeout(connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| CoreError::Network { message: format!("cannot build HTTP client: {e}") })?;
            Ok(Wire::Reqwest(client))
        }
        #[cfg(not(feature = "reqwest"))]
        {
            let _ = connect_timeout;
            Err(CoreError::NotAllowed {
                reason: "this build has no network stack of its own: the app must give the core its transport".into(),
            })
        }
    }

    /// Sends `request` and reads the whole answer, refusing one larger than `limit` as bad data,
    /// all within the request's timeout. Redirects are never followed, so a token never travels
    /// on to wherever one points.
    pub async fn exchange(&self, request: HttpRequest, limit: usize) -> Result<Received, CoreError> {
        let timeout = Duration::from_millis(request.timeout_ms);
        let work = async {
            match self {
                #[cfg(feature = "reqwest")]
                Wire::Reqwest(client) => reqwest_exchange(client, request, limit).await,
                Wire::Shell(t) => shell_exchange(t.clone(), request, limit).await,
            }
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(received) => received,
            Err(_) => Err(CoreError::Network { message: "timed out".into() }),
        }
    }
}

#[cfg(feature = "reqwest")]
async fn reqwest_exchange(client: &reqwest::Client, request: HttpRequest, limit: usize) -> Result<Received, CoreError> {
    let method = reqwest::Method::from_bytes(request.method.as_bytes())
        .map_err(|_| CoreError::NotAllowed { reason: format!("no such HTTP method: {}", request.method) })?;
    let mut req = client.request(method, &request.url);
    for h in &request.headers {
        let mut value = reqwest::header::HeaderValue::from_str(&h.value)
            .map_err(|_| CoreError::NotAllowed { reason: format!("a header value that cannot be sent: {}", h.name) })?;
        // Kept out of reqwest's debug output, as `bearer_auth` would.
        value.set_sensitive(h.name.eq_ignore_ascii_case("authorization"));
        req = req.header(&h.name, value);
    }
    if let Some(body) = request.body {
        req = req.body(body);
    }
    let mut resp = req.send().await.map_err(network)?;
    if resp.content_length().is_some_and(|n| n as usize > limit) {
        return Err(too_large(limit));
    }
    let headers = resp
        .headers()
        .iter()
        .filter_map(|(n, v)| Some(HttpHeader { name: n.as_str().to_string(), value: v.to_str().ok()?.to_string() }))
        .collect();
    let status = resp.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(network)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Received { status, headers, body })
}

/// Ends a shell's exchange however the core stops waiting for it: done, failed, timed out, or
/// its sync cancelled (the future dropped). Its flag tells a `start` not yet begun not to begin,
/// and one that was under way to end what it started.
struct Finish {
    transport: Arc<dyn HttpTransport>,
    exchange: u64,
    finished: Arc<AtomicBool>,
}

impl Drop for Finish {
    fn drop(&mut self) {
        self.finished.store(true, Ordering::SeqCst);
        finish(&*self.transport, self.exchange);
    }
}

/// Ends an exchange; a shell's failure there is logged, never a panic unwinding out of a drop.
fn finish(transport: &dyn HttpTransport, exchange: u64) {
    let ended = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| transport.finish(exchange)));
    if ended.is_err() {
        tracing::warn!(exchange, "the transport failed to end an exchange");
    }
}

/// Runs a blocking call of the shell's transport on a thread made for blocking; a panic there is
/// a failed exchange, never a crash.
async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, TransportError> + Send + 'static,
) -> Result<T, CoreError> {
    match tokio::task::spawn_blocking(call).await {
        Ok(result) => result.map_err(transport_failed),
        Err(_) => Err(CoreError::Network { message: "request failed".into() }),
    }
}

async fn shell_exchange(
    transport: Arc<dyn HttpTransport>,
    request: HttpRequest,
    limit: usize,
) -> Result<Received, CoreError> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let exchange = NEXT.fetch_add(1, Ordering::Relaxed);
    let finished = Arc::new(AtomicBool::new(false));
    let _finish = Finish { transport: transport.clone(), exchange, finished: finished.clone() };
    let t = transport.clone();
    let head = blocking(move || {
        // The core may have stopped waiting before this thread got to run (a cancelled sync, a
        // busy pool): then nothing is sent, and an exchange started meanwhile is ended here.
        if finished.load(Ordering::SeqCst) {
            return Err(TransportError::Cancelled);
        }
        let head = t.start(exchange, request);
        if finished.load(Ordering::SeqCst) {
            finish(&*t, exchange);
        }
        head
    })
    .await?;
    if !(100..=599).contains(&head.status) {
        return Err(CoreError::BadServerData { message: format!("the transport gave status {}", head.status) });
    }
    let received = Received { status: head.status, headers: head.headers, body: Vec::new() };
    if received.header("content-length").and_then(|n| n.trim().parse::<usize>().ok()).is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let mut received = received;
    loop {
        let t = transport.clone();
        let Some(chunk) = blocking(move || t.read(exchange, CHUNK_BYTES)).await? else { break };
        // A transport that hands more than it was asked for is trusted no further than the cap.
        if received.body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        received.body.extend_from_slice(&chunk);
    }
    Ok(received)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A transport answering from memory, noting what it was asked.
    #[derive(Default)]
    struct Canned {
        body: Vec<u8>,
        status: u16,
        delay: Duration,
        finished: Mutex<Vec<u64>>,
        reads: Mutex<u32>,
        started: Mutex<u32>,
    }

    impl HttpTransport for Canned {
        fn start(&self, _: u64, _: HttpRequest) -> Result<HttpResponseHead, TransportError> {
            *self.started.lock().unwrap() += 1;
            *self.reads.lock().unwrap() = 0;
            std::thread::sleep(self.delay);
            Ok(HttpResponseHead { status: self.status, headers: vec![] })
        }
        fn read(&self, _: u64, max_bytes: u32) -> Result<Option<Vec<u8>>, TransportError> {
            let mut reads = self.reads.lock().unwrap();
            let at = *reads as usize * max_bytes as usize;
            *reads += 1;
            Ok((at < self.body.len()).then(|| self.body[at..(at + max_bytes as usize).min(self.body.len())].to_vec()))
        }
        fn finish(&self, exchange: u64) {
            self.finished.lock().unwrap().push(exchange);
        }
    }

    fn request(timeout_ms: u64) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            url: "https://api.example.com/v1/me".into(),
            headers: vec![],
            body: None,
            connect_timeout_ms: 100,
            timeout_ms,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_shells_answer_is_read_in_chunks_within_the_cap_and_every_exchange_is_finished() {
        let canned = Arc::new(Canned { body: vec![7; 600_000], status: 200, ..Default::default() });
        let wire = Wire::Shell(canned.clone());
        let got = wire.exchange(request(5_000), 1 << 20).await.unwrap();
        assert_eq!((got.status, got.body.len()), (200, 600_000));
        assert_eq!(*canned.reads.lock().unwrap(), 4, "three chunks of 256 KiB or less, then the end");
        // One chunk too many, and the reading stops there.
        let refused = wire.exchange(request(5_000), 100_000).await.unwrap_err();
        assert!(matches!(refused, CoreError::BadServerData { .. }), "{refused:?}");
        assert_eq!(canned.finished.lock().unwrap().len(), 2, "finished, read or refused");

        let slow = Arc::new(Canned { status: 200, delay: Duration::from_millis(300), ..Default::default() });
        let late = Wire::Shell(slow.clone()).exchange(request(50), 1 << 20).await.unwrap_err();
        assert_eq!(late, CoreError::Network { message: "timed out".into() });
        assert_eq!(slow.finished.lock().unwrap().len(), 1, "the core's timeout ends the exchange");

        let odd = Arc::new(Canned { status: 42, ..Default::default() });
        let bad = Wire::Shell(odd).exchange(request(5_000), 1 << 20).await.unwrap_err();
        assert!(matches!(bad, CoreError::BadServerData { .. }), "{bad:?}");
    }

    #[test]
    fn a_start_still_queued_when_the_core_gives_up_sends_nothing() {
        // One blocking thread, kept busy: the exchange's `start` waits in the queue past its timeout.
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(1)
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let hog = tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(300)));
            let queued = Arc::new(Canned { status: 200, ..Default::default() });
            let gave_up = Wire::Shell(queued.clone()).exchange(request(30), 1 << 20).await.unwrap_err();
            assert_eq!(gave_up, CoreError::Network { message: "timed out".into() });
            hog.await.unwrap();
            tokio::task::spawn_blocking(|| ()).await.unwrap();
            assert_eq!(*queued.started.lock().unwrap(), 0, "nothing sent once the core stopped waiting");
            assert_eq!(queued.finished.lock().unwrap().len(), 1, "and the exchange is ended once");
        });
    }
}
