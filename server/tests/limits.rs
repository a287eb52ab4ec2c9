//! Slow and hostile clients cannot exhaust the server: connections that never finish their headers,
//! idle kept-alive connections and requests whose body never arrives are closed on time, and
//! ordinary requests are served all along.

use std::time::{Duration, Instant};

use highlights_server::serve::{ConnectionLimits, ServeOptions, start_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LIMITS: ConnectionLimits = ConnectionLimits {
    max_connections: 64,
    // This suite's slow clients all come from one address: the per-client cap has its own test.
    max_connections_per_client: 10_000,
    header_read_timeout: Duration::from_secs(1),
    request_timeout: Duration::from_secs(2),
    write_idle_timeout: Duration::from_secs(2),
    shutdown_grace: Duration::from_secs(2),
};

/// Waits until the server closes `stream` (end of stream or reset); false if `within` passes first.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue, // an error answer before closing is fine
            Err(_) => return false,
        }
    }
}

async fn healthy(url: &str) -> bool {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    matches!(client.get(format!("{url}/healthz")).send().await, Ok(r) if r.status().is_success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_idle_and_dripping_connections_are_closed_and_others_served() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(
        "127.0.0.1:0".parse().unwrap(),
        dir.path(),
        ServeOptions { limits: LIMITS, ..ServeOptions::posting_without_videos() },
    )
    .await
    .unwrap();
    let url = server.url();
    let service = server.state.store.service_token(highlights_server::store::TokenLifetime::SERVICE).await.unwrap();

    // Five times more half-sent headers than the server takes connections.
    let mut half_open = Vec::new();
    for _ in 0..(LIMITS.max_connections * 5) {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: ").await.unwrap();
        half_open.push(s);
    }
    let started = Instant::now();
    assert!(healthy(&url).await, "an ordinary request is served while every slot is taken by slow clients");
    let mut closed = 0;
    for s in &mut half_open {
        closed += usize::from(closed_within(s, Duration::from_secs(20)).await);
    }
    assert_eq!(closed, half_open.len(), "every half-open connection was closed");
    println!("{} half-open connections closed in {:?}", closed, started.elapsed());

    // An idle kept-alive connection is closed after a request, too.
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n").await.unwrap();
    let mut answer = [0u8; 1024];
    let n = idle.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"));
    assert!(closed_within(&mut idle, Duration::from_secs(5)).await, "idle keep-alive connection closed");

    // A body that never arrives ends in a JSON 408, not a connection held forever.
    let mut drip = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /v1/ingest/events HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {service}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"se"
    );
    drip.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), drip.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"code\""), "a JSON error body: {text}");

    assert!(healthy(&url).await, "still serving");
    server.stop().await.unwrap();
}
