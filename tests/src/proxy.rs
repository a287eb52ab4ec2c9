//! A fault-injecting HTTP proxy: forwards to the real server, or breaks the exchange on purpose.
//!
//! One request per connection (answers carry `Connection: close`). Faults are taken from a queue;
//! when it is empty, requests pass through.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Forward and relay faithfully.
    Pass,
    /// Answer this status without forwarding (the server never sees the request).
    Status(u16),
    /// Forward, then answer this status instead (the server acted, the client does not know).
    ForwardThenStatus(u16),
    /// 429 with `Retry-After: secs`, not forwarded.
    TooMany(u64),
    /// Wait this long before forwarding (past the client's timeout, it is a timeout).
    Delay(Duration),
    /// Close the connection without answering (RST).
    Reset,
    /// Forward, then close the connection after half of the answer.
    Truncate,
    /// Answer 200 with a body that is not JSON.
    InvalidJson,
    /// Answer 200 with this many bytes and no length, so the client must stop reading itself.
    Huge(usize),
    /// Answer 200 with an HTML page.
    WrongContentType,
    /// Forward, then send the answer a byte at a time, slowly.
    SlowDrip,
}

/// A running proxy.
pub struct FaultProxy {
    /// Where it listens.
    pub addr: SocketAddr,
    plan: Arc<Mutex<VecDeque<Fault>>>,
    /// Requests seen.
    pub requests: Arc<AtomicU64>,
    /// Bytes sent to clients.
    pub bytes_out: Arc<AtomicU64>,
    /// Bytes received from clients.
    pub bytes_in: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream` (e.g. `http://127.0.0.1:8080`).
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let plan = Arc::new(Mutex::new(VecDeque::new()));
        let requests = Arc::new(AtomicU64::new(0));
        let bytes_out = Arc::new(AtomicU64::new(0));
        let bytes_in = Arc::new(AtomicU64::new(0));
        let (p, r, o, i) = (plan.clone(), requests.clone(), bytes_out.clone(), bytes_in.clone());
        let http = crate::client();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let fault = p.lock().unwrap().pop_front().unwrap_or(Fault::Pass);
                r.fetch_add(1, Ordering::SeqCst);
                let (http, upstream, o, i) = (http.clone(), upstream.clone(), o.clone(), i.clone());
                tokio::spawn(async move {
                    let _ = handle(sock, fault, &http, &upstream, &o, &i).await;
                });
            }
        });
        Self { addr, plan, requests, bytes_out, bytes_in, task }
    }

    /// Base URL for clients.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues faults for the next requests, in order.
    pub fn plan(&self, faults: impl IntoIterator<Item = Fault>) {
        self.plan.lock().unwrap().extend(faults);
    }

    /// Faults still queued.
    pub fn queued(&self) -> usize {
        self.plan.lock().unwrap().len()
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

async fn read_request(sock: &mut TcpStream, bytes_in: &AtomicU64) -> std::io::Result<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let (method, path) = (first.next().unwrap_or("GET").to_string(), first.next().unwrap_or("/").to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    bytes_in.fetch_add((head_end + body.len()) as u64, Ordering::SeqCst);
    Ok(Request { method, path, headers, body })
}

async fn forward(http: &reqwest::Client, upstream: &str, req: &Request) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut out = http.request(method, format!("{upstream}{}", req.path));
    for (k, v) in &req.headers {
        if matches!(k.as_str(), "authorization" | "content-type" | "idempotency-key") {
            out = out.header(k, v);
        }
    }
    match out.body(req.body.clone()).send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let headers = resp
                .headers()
                .iter()
                .filter(|(k, _)| matches!(k.as_str(), "content-type" | "retry-after" | "date"))
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
                .collect();
            (status, headers, resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default())
        }
        Err(_) => (
            502,
            vec![("content-type".into(), "application/json".into())],
            br#"{"code":"bad_gateway","message":"upstream down"}"#.to_vec(),
        ),
    }
}

fn head(status: u16, headers: &[(String, String)], len: Option<usize>) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status} X\r\nconnection: close\r\n");
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(n) = len {
        h.push_str(&format!("content-length: {n}\r\n"));
    }
    h.push_str("\r\n");
    h.into_bytes()
}

fn json_headers() -> Vec<(String, String)> {
    vec![("content-type".into(), "application/json".into())]
}

async fn handle(
    mut sock: TcpStream,
    fault: Fault,
    http: &reqwest::Client,
    upstream: &str,
    bytes_out: &AtomicU64,
    bytes_in: &AtomicU64,
) -> std::io::Result<()> {
    let req = read_request(&mut sock, bytes_in).await?;
    let write = |bytes: Vec<u8>| {
        bytes_out.fetch_add(bytes.len() as u64, Ordering::SeqCst);
        bytes
    };
    match fault {
        Fault::Pass | Fault::Delay(_) => {
            if let Fault::Delay(d) = fault {
                tokio::time::sleep(d).await;
            }
            let (status, headers, body) = forward(http, upstream, &req).await;
            let mut out = head(status, &headers, Some(body.len()));
            out.extend_from_slice(&body);
            sock.write_all(&write(out)).await?;
        }
        Fault::Status(code) | Fault::ForwardThenStatus(code) => {
            if matches!(fault, Fault::ForwardThenStatus(_)) {
                forward(http, upstream, &req).await;
            }
            let body = br#"{"code":"injected","message":"injected failure"}"#.to_vec();
            let mut out = head(code, &json_headers(), Some(body.len()));
            out.extend_from_slice(&body);
            sock.write_all(&write(out)).await?;
        }
        Fault::TooMany(secs) => {
            let mut h = json_headers();
            h.push(("retry-after".into(), secs.to_string()));
            let body = br#"{"code":"rate_limited","message":"slow down"}"#.to_vec();
            let mut out = head(429, &h, Some(body.len()));
            out.extend_from_slice(&body);
            sock.write_all(&write(out)).await?;
        }
        Fault::Reset => {
            // A zero linger makes close send RST; with zero it never blocks, which is what the
            // deprecation warns about.
            #[allow(deprecated)]
            sock.set_linger(Some(Duration::ZERO))?;
            drop(sock);
            return Ok(());
        }
        Fault::Truncate => {
            let (status, headers, body) = forward(http, upstream, &req).await;
            let mut out = head(status, &headers, Some(body.len()));
            out.extend_from_slice(&body[..body.len() / 2]);
            sock.write_all(&write(out)).await?;
        }
        Fault::InvalidJson => {
            let body = b"{\"cursor\": 12, \"has_more\": tru".to_vec();
            let mut out = head(200, &json_headers(), Some(body.len()));
            out.extend_from_slice(&body);
            sock.write_all(&write(out)).await?;
        }
        Fault::Huge(n) => {
            sock.write_all(&write(head(200, &json_headers(), None))).await?;
            let block = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < n {
                if sock.write_all(&block).await.is_err() {
                    break;
                }
                sent += block.len();
            }
            bytes_out.fetch_add(sent as u64, Ordering::SeqCst);
        }
        Fault::WrongContentType => {
            let body = b"<html><body>Gateway says hi</body></html>".to_vec();
            let mut out = head(200, &[("content-type".into(), "text/html".into())], Some(body.len()));
            out.extend_from_slice(&body);
            sock.write_all(&write(out)).await?;
        }
        Fault::SlowDrip => {
            let (status, headers, body) = forward(http, upstream, &req).await;
            let mut out = head(status, &headers, Some(body.len()));
            out.extend_from_slice(&body);
            for b in write(out) {
                sock.write_all(&[b]).await?;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    sock.shutdown().await
}
