//! Idempotency keys: a seller's keys and the service's are kept apart, so a seller cannot block or
//! replay the service's batches, and keys older than the retention are pruned.

mod common;

use std::time::Duration;

use common::*;
use highlights_server::clock::now_ms;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn send(s: &TestServer, path: &str, token: &str, key: &str, body: &Value) -> (StatusCode, Value) {
    let req = if path == "/v1/settings" { s.http.patch(s.url(path)) } else { s.http.post(s.url(path)) };
    let resp = req.bearer_auth(token).header("Idempotency-Key", key).json(body).send().await.unwrap();
    (resp.status(), resp.json().await.unwrap())
}

#[tokio::test]
async fn a_sellers_key_cannot_block_or_replay_the_services_batch() {
    let s = TestServer::start().await;
    let seller = s.seller("seller-1").await;
    // The seller guesses how the service's keys were stored and takes that key first.
    let shown = json!({"popup_shows_delta": 1});
    assert_eq!(send(&s, "/v1/settings", &seller, "ingest:batch-42", &shown).await.0, StatusCode::OK);

    let t = now_ms();
    let events: Vec<Value> = std::iter::once(json!({"ts_ms": t, "live_id": "live-1", "type": "live_start"}))
        .chain(
            (1..=5).map(|i| json!({"ts_ms": t + i, "live_id": "live-1", "type": "comment", "text": "hi", "user": "u"})),
        )
        .collect();
    let batch = json!({"seller_id": "seller-1", "events": events});
    let (status, first) = send(&s, "/v1/ingest/events", &s.service_token, "batch-42", &batch).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(first["accepted"].as_u64().unwrap() > 0, "{first}");
    let stored = || s.numbers("SELECT count(*) FROM events WHERE live_id = $1", &["live-1"]);
    assert_eq!(stored().await, vec![first["accepted"].as_i64().unwrap()]);

    let (status, again) = send(&s, "/v1/ingest/events", &s.service_token, "batch-42", &batch).await;
    assert_eq!((status, &again), (StatusCode::OK, &first), "a replay answers the same");
    assert_eq!(stored().await, vec![first["accepted"].as_i64().unwrap()], "and stores nothing twice");
    // The seller's key is untouched by the service's: its retry still gets its own first answer.
    assert_eq!(send(&s, "/v1/settings", &seller, "ingest:batch-42", &shown).await.1["popup_shows"], 1);
}

#[tokio::test]
async fn keys_older_than_the_retention_are_pruned_and_newer_ones_kept() {
    let s = TestServer::start().await;
    let seller = s.seller("seller-1").await;
    let shown = json!({"popup_shows_delta": 1});
    let shows = |key: &'static str| {
        let (s, seller, shown) = (&s, &seller, &shown);
        async move { send(s, "/v1/settings", seller, key, shown).await.1["popup_shows"].clone() }
    };
    assert_eq!(shows("old").await, 1);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let cutoff = now_ms();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(shows("new").await, 2);

    assert_eq!(s.store().prune_idempotency(cutoff).await.unwrap(), 1);
    assert_eq!(shows("new").await, 2, "a kept key still replays");
    assert_eq!(shows("old").await, 3, "a pruned key is a new request");
    assert_eq!(s.store().prune_idempotency(cutoff).await.unwrap(), 0, "the key just stored again is newer");
}
