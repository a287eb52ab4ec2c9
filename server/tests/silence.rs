//! LIVE now ends with the LIVE, and also when a LIVE goes silent for the configured time without
//! ever sending `live_end` (a crashed encoder, a lost connection).

mod common;

use std::time::Duration;

use common::TestServer;
use highlights_api::paths;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_silent_live_loses_its_live_now_links() {
    let s = TestServer::start().await;
    let token = s.seller("quiet").await;
    let mut config = s.store().config().await.unwrap();
    config.live_silence_s = 1;
    s.store().set_config(config).await.unwrap();
    let now = highlights_server::clock::now_ms();
    let events = json!([
        { "ts_ms": now - 60_000, "live_id": "quiet-live", "type": "live_start" },
        { "ts_ms": now - 59_000, "live_id": "quiet-live", "type": "product_pin", "product_id": "p1", "name": "Mug" },
    ]);
    assert_eq!(s.ingest("quiet", events).await.0, StatusCode::OK);
    let cut = json!({ "live_id": "quiet-live", "start_ms": now - 50_000, "end_ms": now - 35_000, "product_id": "p1" });
    let resp = s
        .http
        .post(s.url(paths::VIDEOS))
        .bearer_auth(&token)
        .header(highlights_api::IDEMPOTENCY_KEY_HEADER, "silence-1")
        .json(&cut)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let h: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(h["live_now"], true, "posted while the LIVE is on: {h}");

    let mut cleared = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (_, list) = s.call(Method::GET, &paths::live_highlights("quiet-live"), Some(&token), None).await;
        if list["highlights"][0]["live_now"] == false {
            cleared = true;
            break;
        }
    }
    assert!(cleared, "LIVE now cleared after 1 s of silence");
    let (_, live) = s.call(Method::GET, &paths::live("quiet-live"), Some(&token), None).await;
    assert_eq!(live["status"], "live", "silence is not an end: the LIVE may come back");
}
