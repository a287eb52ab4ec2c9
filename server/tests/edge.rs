//! What an attacker on the open internet tries at the server's edge, each as a test: floods of bad
//! tokens and of one seller's requests (429 with `Retry-After`, others still served), one address
//! holding every connection, event and segment times far from the server's clock, the bearer
//! scheme in any case, and every error status answered with a JSON `ErrorBody`.

mod common;

use std::net::IpAddr;
use std::time::Duration;

use common::TestServer;
use highlights_api::paths;
use highlights_server::serve::{ConnectionLimits, ServeOptions};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A server with the shipped limits (and the given connection limits).
async fn strict(limits: ConnectionLimits) -> TestServer {
    TestServer::start_exact(ServeOptions { limits, ..ServeOptions::posting_without_videos() }).await
}

/// A client whose connections leave from `ip` (any address of 127.0.0.0/8 is this machine).
fn client_from(ip: &str) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().local_address(ip.parse::<IpAddr>().unwrap()).build().unwrap()
}

/// A raw connection from `ip` to the server.
async fn connect_from(ip: &str, server: &TestServer) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{ip}:0").parse().unwrap()).unwrap();
    socket.connect(server.server.addr).await.unwrap()
}

/// Status, `Retry-After` and JSON body of a GET.
async fn get(http: &reqwest::Client, url: &str, token: Option<&str>) -> (StatusCode, Option<String>, Value) {
    let mut req = http.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let retry = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    (status, retry, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_bad_tokens_is_throttled_per_address_and_others_are_served() {
    let s = strict(ConnectionLimits::default()).await;
    let seller = s.seller("calm-seller").await;
    let attacker = client_from("127.0.0.1");
    let (mut unauthorized, mut throttled) = (0, 0);
    for i in 0..400 {
        let (status, retry, body) = get(&attacker, &s.url(paths::SETTINGS), Some(&format!("hlt_guess{i}"))).await;
        match status {
            StatusCode::UNAUTHORIZED => unauthorized += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                throttled += 1;
                assert_eq!(body["code"], "rate_limited", "{body}");
                assert!(retry.unwrap().parse::<u64>().unwrap() >= 1);
            }
            other => panic!("bad token answered {other}"),
        }
    }
    println!("400 bad tokens: {unauthorized} x 401, {throttled} x 429");
    assert!(unauthorized > 0 && unauthorized <= 260, "the burst is answered, then throttled: {unauthorized}");
    assert!(throttled >= 140, "{throttled}");
    // Another address, and a seller with a valid token from it, are served all along.
    let neighbour = client_from("127.0.0.2");
    assert_eq!(get(&neighbour, &s.url(&paths::feed("calm-seller")), None).await.0, StatusCode::OK);
    assert_eq!(get(&neighbour, &s.url(paths::SETTINGS), Some(&seller)).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_seller_is_throttled_alone_and_ingestion_never_is() {
    let s = strict(ConnectionLimits::default()).await;
    let (busy, quiet) = (s.seller("busy").await, s.seller("quiet").await);
    let http = client_from("127.0.0.3");
    let mut statuses = Vec::new();
    for _ in 0..200 {
        let (status, retry, _) = get(&http, &s.url(paths::SETTINGS), Some(&busy)).await;
        assert!(status != StatusCode::TOO_MANY_REQUESTS || retry.is_some(), "429 says when to retry");
        statuses.push(status);
    }
    let throttled = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(throttled > 0 && statuses[0] == StatusCode::OK, "a seller over their rate is throttled: {throttled}");
    assert_eq!(get(&http, &s.url(paths::SETTINGS), Some(&quiet)).await.0, StatusCode::OK, "another seller is not");

    // The streaming service sends as fast as it can from one address: never a 429.
    let t0 = highlights_server::clock::now_ms();
    let mut accepted = 0;
    for i in 0..600 {
        let events =
            json!([{ "ts_ms": t0 + i, "live_id": "busy-live", "type": "comment", "user_id": "u", "text": "hi" }]);
        let (status, body) = s.ingest("busy", events).await;
        assert_eq!(status, StatusCode::OK, "batch {i}: {body}");
        accepted += body["accepted"].as_u64().unwrap() + body["skipped"].as_u64().unwrap();
    }
    assert_eq!(accepted, 600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_hold_every_connection() {
    let limits = ConnectionLimits { max_connections_per_client: 4, ..ConnectionLimits::default() };
    let s = strict(limits).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut c = connect_from("127.0.0.1", &s).await;
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ").await.unwrap();
        held.push(c);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut fifth = connect_from("127.0.0.1", &s).await;
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), fifth.read_to_end(&mut answer)).await.unwrap().unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 429"), "{text}");
    assert!(text.contains("\"code\":\"too_many_connections\""), "{text}");
    assert_eq!(get(&client_from("127.0.0.2"), &s.url("/healthz"), None).await.0, StatusCode::OK, "others are served");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(get(&client_from("127.0.0.1"), &s.url("/healthz"), None).await.0, StatusCode::OK, "slots come back");
}

#[tokio::test]
async fn times_far_from_the_servers_clock_are_skipped_and_counted() {
    let s = strict(ConnectionLimits::default()).await;
    let seller = s.seller("clocked").await;
    let now = highlights_server::clock::now_ms();
    let events = json!([
        { "ts_ms": now - 1_000, "live_id": "l1", "type": "live_start", "title": "Now" },
        { "ts_ms": i64::MAX, "live_id": "l1", "type": "comment", "user_id": "u", "text": "from the end of time" },
        { "ts_ms": now + 3_600_000, "live_id": "l1", "type": "comment", "user_id": "u", "text": "an hour ahead" },
        { "ts_ms": 1, "live_id": "l1", "type": "comment", "user_id": "u", "text": "1970" },
        { "ts_ms": now, "live_id": "l1", "type": "comment", "user_id": "u", "text": "on time" },
    ]);
    let (status, body) = s.ingest("clocked", events).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["accepted"].as_u64(), body["skipped"].as_u64(), body["out_of_window"].as_u64()),
        (Some(2), Some(3), Some(3)),
        "{body}"
    );
    let (status, live) = s.get(&paths::live("l1"), &seller).await;
    assert_eq!(status, StatusCode::OK, "{live}");
    assert!(live["started_at_ms"].as_i64().unwrap() <= now, "the LIVE's clock is the server's: {live}");

    for start in [i64::MAX, now + 86_400_000] {
        let url = s.url(&paths::ingest_segment("l1", start));
        let resp = s.http.put(url).bearer_auth(&s.service_token).body(vec![0u8; 188]).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(resp.json::<Value>().await.unwrap()["code"], "segment_out_of_window");
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let s = strict(ConnectionLimits::default()).await;
    let token = s.seller("cased").await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let resp = s
            .http
            .get(s.url(paths::SETTINGS))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{scheme}");
    }
    let resp =
        s.http.get(s.url(paths::SETTINGS)).header("authorization", format!("Basic {token}")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

/// Sends raw bytes and returns the answer's status line and body.
async fn raw(s: &TestServer, request: &[u8]) -> (String, String) {
    let mut c = connect_from("127.0.0.1", s).await;
    c.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), c.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text.lines().next().unwrap_or_default().to_string();
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_status_has_a_json_body() {
    let s = strict(ConnectionLimits::default()).await;
    let token = s.seller("errors").await;
    let huge_segment = vec![0u8; highlights_server::routes::MAX_SEGMENT_BYTES + 1];
    let long_uri = format!("/v1/lives?cursor={}", "a".repeat(highlights_server::routes::MAX_URI_BYTES));
    let many_headers: String =
        (0..highlights_server::routes::MAX_HEADERS + 1).map(|i| format!("X-H{i}: v\r\n")).collect();
    let mut seen = Vec::new();
    let cases: Vec<(StatusCode, reqwest::RequestBuilder)> = vec![
        (StatusCode::BAD_REQUEST, s.http.get(s.url("/v1/lives?limit=lots")).bearer_auth(&token)),
        (StatusCode::UNAUTHORIZED, s.http.get(s.url(paths::SETTINGS))),
        (StatusCode::NOT_FOUND, s.http.get(s.url("/v1/nothing-here"))),
        (StatusCode::METHOD_NOT_ALLOWED, s.http.delete(s.url(paths::SETTINGS)).bearer_auth(&token)),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            s.http.put(s.url(&paths::ingest_segment("l", 1))).bearer_auth(&s.service_token).body(huge_segment),
        ),
        (StatusCode::URI_TOO_LONG, s.http.get(s.url(&long_uri)).bearer_auth(&token)),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            s.http.patch(s.url(paths::SETTINGS)).bearer_auth(&token).header("content-type", "text/plain").body("{}"),
        ),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            s.http.patch(s.url(paths::SETTINGS)).bearer_auth(&token).json(&json!({"highlights_on": "yes"})),
        ),
    ];
    for (expected, req) in cases {
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let content_type = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert_eq!(status, expected, "{body}");
        assert_eq!(content_type.as_deref(), Some("application/json"), "{status}");
        assert!(body["code"].is_string() && body["message"].is_string(), "{status}: {body}");
        seen.push(status.as_u16());
    }
    let (status, body) = raw(&s, format!("GET /healthz HTTP/1.1\r\nHost: t\r\n{many_headers}\r\n").as_bytes()).await;
    assert!(status.starts_with("HTTP/1.1 431"), "{status}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["code"], "headers_too_large");
    seen.push(431);
    // What hyper refuses before any route sees it gets the same JSON.
    let (status, body) = raw(&s, b"NOT HTTP AT ALL\r\n\r\n").await;
    assert!(status.starts_with("HTTP/1.1 400"), "{status}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["code"], "bad_request", "{body}");
    let huge = format!("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n", "a".repeat(600 * 1024));
    let (status, body) = raw(&s, huge.as_bytes()).await;
    assert!(status.starts_with("HTTP/1.1 431"), "{status}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["code"], "headers_too_large", "{body}");
    println!(
        "JSON error bodies for {seen:?} and hyper's own 400 and 431; 408 in limits.rs, 416 in media.rs, 429 above"
    );
    assert_eq!(seen.len(), 9);
    let _ = Method::GET;
}
