//! The engine inside the server: events ingested over HTTP become scheduled, posted and LIVE-now
//! highlights for sellers with the toggle on, within the caps, also across restarts and in parallel.

mod common;

use common::*;
use highlights_engine::sim::{StreamSpec, generate};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// In 2030: later than the wall clock, so only the stream clock makes posts due.
const T0: i64 = 1_900_000_000_000;

fn stream(live_id: &str, seed: u64, moments: usize) -> Vec<Value> {
    let mut spec = StreamSpec::new(live_id, T0, seed);
    spec.viewers = 300.0;
    spec.duration_s = 20 * 60;
    generate(&spec.plant_random(moments)).iter().map(|e| e.to_json()).collect()
}

async fn ingest_all(s: &TestServer, seller: &str, events: &[Value]) {
    for chunk in events.chunks(2_000) {
        let (status, body) = s.ingest(seller, Value::Array(chunk.to_vec())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

async fn turn_on(s: &TestServer, token: &str) {
    let (status, _) = s
        .call(
            Method::PATCH,
            "/v1/settings",
            Some(token),
            Some(json!({"highlights_on": true, "onboarding_completed": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn highlights(s: &TestServer, token: &str, live: &str) -> Vec<Value> {
    let (status, body) = s.get(&format!("/v1/lives/{live}/highlights"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["highlights"].as_array().unwrap().clone()
}

async fn post_everything_due(s: &TestServer, now: i64) -> u32 {
    s.store().post_due(now).await.unwrap()
}

#[tokio::test]
async fn moments_become_scheduled_then_live_now_posts_cleared_at_live_end() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    turn_on(&s, &token).await;
    let events = stream("live-1", 7, 8);
    let end = events.iter().position(|e| e["type"] == "live_end").unwrap();
    // Everything but the end: the LIVE is still on.
    ingest_all(&s, "seller-a", &events[..end]).await;
    let found = highlights(&s, &token, "live-1").await;
    let auto: Vec<_> = found.iter().filter(|h| h["kind"] == "auto").collect();
    // 8 planted, 3 auto-posts per product at most, and the LIVE's first auto-post waits for a
    // clear moment (its first sales bursts stay recommendations).
    assert!(auto.len() >= 4, "{} auto highlights", auto.len());
    for h in &auto {
        assert!(h["post_at_ms"].as_i64().is_some());
        assert!(!h["signals"].as_array().unwrap().is_empty());
    }
    // Posting follows the LIVE's stream clock: moments identified 5+ stream-minutes ago are due.
    post_everything_due(&s, 0).await;
    let found = highlights(&s, &token, "live-1").await;
    let posted: Vec<_> = found.iter().filter(|h| h["status"] == "posted").collect();
    assert!(!posted.is_empty());
    assert!(posted.iter().all(|h| h["live_now"] == true), "posted during the LIVE");
    let stream_clock = events[..end].iter().map(|e| e["ts_ms"].as_i64().unwrap()).max().unwrap();
    for h in found.iter().filter(|h| h["kind"] == "auto") {
        let due = h["post_at_ms"].as_i64().unwrap() <= stream_clock;
        assert_eq!(h["status"] == "posted", due, "posted exactly when due: {h}");
    }
    ingest_all(&s, "seller-a", &events[end..]).await;
    let found = highlights(&s, &token, "live-1").await;
    assert!(found.iter().all(|h| h["live_now"] == false), "LIVE-now cleared at live_end");
    post_everything_due(&s, i64::MAX / 2).await;
    let found = highlights(&s, &token, "live-1").await;
    let late: Vec<_> = found.iter().filter(|h| h["kind"] == "auto" && h["status"] == "posted").collect();
    assert!(late.iter().all(|h| h["live_now"] == false));
    assert!(found.iter().all(|h| h["status"] != "scheduled"));
}

#[tokio::test]
async fn toggle_off_means_no_posts_and_off_mid_live_stops_further_posts() {
    let s = TestServer::start().await;
    let off = s.seller("seller-off").await;
    let events = stream("live-off", 8, 6);
    ingest_all(&s, "seller-off", &events).await;
    assert!(highlights(&s, &off, "live-off").await.is_empty(), "nothing for a seller who never turned it on");

    let on = s.seller("seller-mid").await;
    turn_on(&s, &on).await;
    let events = stream("live-mid", 9, 8);
    let half = events.len() / 2;
    ingest_all(&s, "seller-mid", &events[..half]).await;
    s.call(Method::PATCH, "/v1/settings", Some(&on), Some(json!({"highlights_on": false}))).await;
    let before = highlights(&s, &on, "live-mid").await;
    assert!(before.iter().any(|h| h["status"] == "scheduled"), "something was waiting to be posted");
    let posted_before: Vec<_> = before.iter().filter(|h| h["status"] == "posted").map(|h| h["id"].clone()).collect();
    ingest_all(&s, "seller-mid", &events[half..]).await;
    post_everything_due(&s, i64::MAX / 2).await;
    let after = highlights(&s, &on, "live-mid").await;
    assert_eq!(after.len(), before.len(), "no new highlights once off");
    let posted_after: Vec<_> = after.iter().filter(|h| h["status"] == "posted").map(|h| h["id"].clone()).collect();
    assert_eq!(posted_after, posted_before, "nothing posted after the toggle went off");
    assert!(
        after.iter().filter(|h| h["status"] != "posted").all(|h| h["status"] == "suggested"),
        "the rest stay available as recommendations"
    );
}

#[tokio::test]
async fn caps_hold_with_many_lives_ingested_in_parallel() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    turn_on(&s, &token).await;
    let cfg = highlights_api::RemoteConfig { max_posts_per_live: 3, max_posts_per_product: 1, ..Default::default() };
    s.store().set_config(cfg.clone()).await.unwrap();
    let lives: Vec<(String, Vec<Value>)> =
        (0..6).map(|i| (format!("live-p{i}"), stream(&format!("live-p{i}"), 20 + i, 10))).collect();
    let s = std::sync::Arc::new(s);
    let mut tasks = Vec::new();
    for (_, events) in lives.clone() {
        let s = s.clone();
        tasks.push(tokio::spawn(async move { ingest_all(&s, "seller-a", &events).await }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut total_recommended = 0;
    for (live, _) in &lives {
        let hs = highlights(&s, &token, live).await;
        let auto: Vec<_> = hs.iter().filter(|h| h["kind"] == "auto").collect();
        assert!(auto.len() <= 3, "{live}: {} auto-posts", auto.len());
        let mut products = std::collections::HashMap::new();
        for h in &auto {
            *products.entry(h["product_id"].to_string()).or_insert(0) += 1;
        }
        assert!(products.values().all(|n| *n <= 1), "{live}: {products:?}");
        total_recommended += hs.iter().filter(|h| h["kind"] == "recommendation").count();
    }
    assert!(total_recommended > 0, "moments beyond the caps become recommendations");
}

/// A server (re)started on `dir`, posting without videos: this suite is about detection.
async fn restarted(dir: &tempfile::TempDir) -> TestServer {
    let options = highlights_server::serve::ServeOptions::posting_without_videos().replaying();
    let server =
        highlights_server::serve::start_with("127.0.0.1:0".parse().unwrap(), dir.path(), options).await.unwrap();
    TestServer::adopt(server, dir).await
}

#[tokio::test]
async fn a_restart_mid_live_keeps_detecting_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let events = stream("live-r", 31, 8);
    let half = events.len() / 2;
    let first = {
        let s = restarted(&dir).await;
        let token = s.seller("seller-a").await;
        turn_on(&s, &token).await;
        ingest_all(&s, "seller-a", &events[..half]).await;
        let n = highlights(&s, &token, "live-r").await.len();
        s.server.stop().await.unwrap();
        (token, n)
    };
    let s = restarted(&dir).await;
    ingest_all(&s, "seller-a", &events[half..]).await;
    let hs = highlights(&s, &first.0, "live-r").await;
    assert!(hs.len() > first.1, "detection continued after the restart ({} then {})", first.1, hs.len());
    let mut peaks: Vec<i64> = hs.iter().map(|h| h["start_ms"].as_i64().unwrap()).collect();
    peaks.sort_unstable();
    peaks.dedup();
    assert_eq!(peaks.len(), hs.len(), "no moment stored twice");
}

#[tokio::test]
async fn stored_engine_settings_drive_detection() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    turn_on(&s, &token).await;
    let strict = highlights_engine::EngineSettings { enter_score: 1_000.0, ..Default::default() };
    s.store().set_engine_settings(strict.clone()).await.unwrap();
    ingest_all(&s, "seller-a", &stream("live-strict", 41, 6)).await;
    assert!(highlights(&s, &token, "live-strict").await.is_empty(), "a bar nothing clears finds nothing");
    let bad = highlights_engine::EngineSettings { window_s: 99, ..Default::default() };
    assert!(s.store().set_engine_settings(bad.clone()).await.is_err());
    let normal = highlights_engine::EngineSettings::default();
    s.store().set_engine_settings(normal.clone()).await.unwrap();
    ingest_all(&s, "seller-a", &stream("live-normal", 42, 6)).await;
    assert!(!highlights(&s, &token, "live-normal").await.is_empty(), "the same kind of LIVE finds moments again");
}

#[tokio::test]
async fn the_server_enforces_the_limits_the_apps_show() {
    // The same non-default limits the client tests show on screen.
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    turn_on(&s, &token).await;
    let cfg = highlights_api::RemoteConfig {
        max_posts_per_live: 7,
        max_posts_per_product: 2,
        post_delay_s: 90,
        ..Default::default()
    };
    s.store().set_config(cfg.clone()).await.unwrap();
    let mut spec = StreamSpec::new("live-limits", T0, 51);
    spec.viewers = 1_500.0;
    spec.duration_s = 90 * 60;
    // Four products at two posts each leave room to reach the per-LIVE cap of 7.
    spec.products.push(("sku-brush".into(), "Brush set".into()));
    spec.pin_every_s = 600;
    let events: Vec<Value> = generate(&spec.plant_random(36)).iter().map(|e| e.to_json()).collect();
    ingest_all(&s, "seller-a", &events).await;
    let found = highlights(&s, &token, "live-limits").await;
    let auto: Vec<_> = found.iter().filter(|h| h["kind"] == "auto").collect();
    assert_eq!(auto.len(), 7, "the cap per LIVE, reached: {} moments in all", found.len());
    let mut per_product = std::collections::HashMap::new();
    for h in &auto {
        *per_product.entry(h["product_id"].to_string()).or_insert(0) += 1;
    }
    assert!(per_product.values().all(|n| *n <= 2), "{per_product:?}");
    let delays = s.numbers("SELECT post_at_ms - identified_at_ms FROM highlights WHERE kind = 'auto'", &[]).await;
    assert!(!delays.is_empty() && delays.iter().all(|d| *d == 90_000), "posted 90 s after identification: {delays:?}");
    assert!(found.iter().any(|h| h["kind"] == "recommendation"), "the rest became recommendations");
}

#[tokio::test]
async fn a_live_switched_off_keeps_no_new_moments_and_cancels_its_scheduled_posts() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    turn_on(&s, &token).await;
    let events = stream("live-1", 7, 8);
    let half = events.len() / 2;
    ingest_all(&s, "seller-a", &events[..half]).await;
    let before = highlights(&s, &token, "live-1").await;
    // The scheduler posts what is due on its own clock meanwhile; what is not due yet (post time
    // after the stream clock) can only be cancelled.
    let stream_clock = events[..half].iter().map(|e| e["ts_ms"].as_i64().unwrap()).max().unwrap();
    let waiting: Vec<Value> = before
        .iter()
        .filter(|h| h["status"] == "scheduled" && h["post_at_ms"].as_i64().unwrap() > stream_clock)
        .map(|h| h["id"].clone())
        .collect();
    assert!(!waiting.is_empty(), "the first half has moments waiting to post");

    let (status, live) =
        s.call(Method::PATCH, "/v1/lives/live-1", Some(&token), Some(json!({"highlights_on": false}))).await;
    assert_eq!((status, live["highlights_on"].clone()), (StatusCode::OK, json!(false)), "{live}");
    let after = highlights(&s, &token, "live-1").await;
    assert_eq!(after.len(), before.len());
    assert_eq!(after.iter().filter(|h| h["status"] == "scheduled").count(), 0, "scheduled posts cancelled");
    for id in &waiting {
        let h = after.iter().find(|h| h["id"] == *id).unwrap();
        assert_eq!(h["status"], "removed", "{h}");
    }

    // The rest of the LIVE, moments included: none is kept, none posts.
    ingest_all(&s, "seller-a", &events[half..]).await;
    post_everything_due(&s, i64::MAX / 2).await;
    let end = highlights(&s, &token, "live-1").await;
    assert_eq!(end.len(), before.len(), "no moment of the switched-off part was kept");
    assert_eq!(s.get("/v1/lives/live-1", &token).await.1["highlights_on"], json!(false));

    // The same LIVE in another seller's hands is not reachable; a bad body is refused.
    let other = s.seller("seller-b").await;
    let (status, _) =
        s.call(Method::PATCH, "/v1/lives/live-1", Some(&other), Some(json!({"highlights_on": true}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) =
        s.call(Method::PATCH, "/v1/lives/live-1", Some(&token), Some(json!({"highlights_on": "no"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a body of the wrong shape");
}

#[tokio::test]
async fn the_next_live_switched_off_before_going_live_gets_no_highlights_and_the_one_after_does() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    turn_on(&s, &token).await;
    let (status, settings) =
        s.call(Method::PATCH, "/v1/settings", Some(&token), Some(json!({"next_live_highlights_on": false}))).await;
    assert_eq!((status, settings["next_live_highlights_on"].clone()), (StatusCode::OK, json!(false)));

    ingest_all(&s, "seller-a", &stream("live-1", 7, 8)).await;
    let live1 = s.get("/v1/lives/live-1", &token).await.1;
    assert_eq!(live1["highlights_on"], json!(false), "the choice applied at its start");
    assert!(highlights(&s, &token, "live-1").await.is_empty(), "no moment of it kept");
    let after = s.get("/v1/settings", &token).await.1;
    assert_eq!(after["next_live_highlights_on"], json!(true), "used up: back on for the LIVE after");
    assert!(after["version"].as_i64() > settings["version"].as_i64(), "devices see it turn back on");

    ingest_all(&s, "seller-a", &stream("live-2", 8, 8)).await;
    assert_eq!(s.get("/v1/lives/live-2", &token).await.1["highlights_on"], json!(true));
    assert!(!highlights(&s, &token, "live-2").await.is_empty(), "the LIVE after gets its highlights");
}

#[tokio::test]
async fn ask_me_before_posting_posts_only_what_the_seller_approved() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    turn_on(&s, &token).await;
    // Posts an hour after each moment: nothing falls due on the scheduler's own tick mid-test.
    let config = highlights_api::RemoteConfig { post_delay_s: 3600, ..s.store().config().await.unwrap() };
    s.store().set_config(config).await.unwrap();
    let (status, settings) =
        s.call(Method::PATCH, "/v1/settings", Some(&token), Some(json!({"review_before_posting": true}))).await;
    assert_eq!((status, settings["review_before_posting"].clone()), (StatusCode::OK, json!(true)));
    let events = stream("live-1", 7, 8);
    let end = events.iter().position(|e| e["type"] == "live_end").unwrap();
    ingest_all(&s, "seller-a", &events[..end]).await;
    let waiting: Vec<Value> =
        highlights(&s, &token, "live-1").await.into_iter().filter(|h| h["status"] == "scheduled").collect();
    assert!(waiting.len() >= 2, "{} moments to review", waiting.len());
    assert!(waiting.iter().all(|h| h["review"] == "waiting"), "every auto-post waits for the seller");

    let approved = waiting[0]["id"].as_str().unwrap();
    let (status, h) = s.call(Method::POST, &format!("/v1/highlights/{approved}/approve"), Some(&token), None).await;
    assert_eq!((status, h["review"].clone()), (StatusCode::OK, json!("approved")));
    let (status, _) = s.call(Method::POST, &format!("/v1/highlights/{approved}/approve"), Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "approving twice is harmless");

    post_everything_due(&s, i64::MAX / 2).await;
    let after = highlights(&s, &token, "live-1").await;
    let by_id = |id: &str| after.iter().find(|h| h["id"] == id).unwrap().clone();
    assert_eq!(by_id(approved)["status"], "posted", "the approved one went out");
    for h in &waiting[1..] {
        let h = by_id(h["id"].as_str().unwrap());
        assert_eq!((h["status"].clone(), h["kind"].clone()), (json!("suggested"), json!("recommendation")), "{h}");
    }
    let (status, _) = s.call(Method::POST, &format!("/v1/highlights/{approved}/approve"), Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    let skipped = waiting[1]["id"].as_str().unwrap();
    let (status, _) = s.call(Method::POST, &format!("/v1/highlights/{skipped}/approve"), Some(&token), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "too late: it is a recommendation now");
}
