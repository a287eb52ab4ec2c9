//! What a seller steers and what it earns: viewer results per posted video (ingested from the
//! platform, once per batch key, only on posted videos) and the "only LIVEs with these products"
//! choice, which the engine and the scheduler honour at once.

mod common;

use common::*;
use highlights_api::{FormatSpec, HighlightKind, HighlightStatus};
use highlights_engine::sim::{StreamSpec, generate};
use highlights_server::store::NewHighlight;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const T: i64 = 1_900_000_000_000;

async fn live_with_highlights(s: &TestServer, seller: &str) -> (String, String) {
    let (status, body) = s
        .ingest(
            seller,
            json!([{"ts_ms": T, "live_id": "live-r", "type": "live_start"},
                   {"ts_ms": T + 1000, "live_id": "live-r", "type": "product_pin", "product_id": "sku-1", "name": "Serum"}]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new = |posted: Option<i64>, status| NewHighlight {
        seller_id: seller.into(),
        live_id: "live-r".into(),
        kind: HighlightKind::Auto,
        status,
        live_now: false,
        start_ms: T + 60_000,
        end_ms: T + 90_000,
        peak_ms: Some(T + 80_000),
        product_id: Some("sku-1".into()),
        score: 4.0,
        reasons: vec![],
        identified_at_ms: Some(T + 95_000),
        post_at_ms: Some(T + 395_000),
        posted_at_ms: posted,
        format: FormatSpec::default(),
    };
    let mut added = s
        .store()
        .add_highlights(vec![new(Some(T + 395_000), HighlightStatus::Posted), new(None, HighlightStatus::Scheduled)])
        .await
        .unwrap();
    (added.remove(0).id, added.remove(0).id)
}

async fn send_viewer_events(s: &TestServer, key: Option<&str>, events: Value) -> (StatusCode, Value) {
    let mut req =
        s.http.post(s.url("/v1/ingest/viewer-events")).bearer_auth(&s.service_token).json(&json!({"events": events}));
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.json().await.unwrap())
}

async fn highlight(s: &TestServer, token: &str, id: &str) -> Value {
    let list = s.get("/v1/lives/live-r/highlights", token).await.1;
    list["highlights"].as_array().unwrap().iter().find(|h| h["id"] == id).unwrap().clone()
}

#[tokio::test]
async fn viewer_events_add_up_per_posted_video_once_per_batch() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    let (posted, scheduled) = live_with_highlights(&s, "seller-a").await;
    assert!(highlight(&s, &token, &posted).await.get("results").is_none(), "no results before any viewer");
    let seq_before = highlight(&s, &token, &posted).await["seq"].as_i64().unwrap();

    let batch = json!([
        {"highlight_id": posted, "ts_ms": T + 400_000, "type": "view", "watch_ms": 12_000},
        {"highlight_id": posted, "ts_ms": T + 401_000, "type": "view", "watch_ms": 30_000},
        {"highlight_id": posted, "ts_ms": T + 402_000, "type": "live_entry"},
        {"highlight_id": posted, "ts_ms": T + 403_000, "type": "product_click"},
        {"highlight_id": posted, "ts_ms": T + 404_000, "type": "order", "amount_minor": 2_500},
        // Skipped: a video never posted, an unknown highlight, a bad type, a negative order, a day-long view.
        {"highlight_id": scheduled, "ts_ms": T + 404_000, "type": "view", "watch_ms": 1_000},
        {"highlight_id": "hl_nobody", "ts_ms": T + 404_000, "type": "view", "watch_ms": 1_000},
        {"highlight_id": posted, "ts_ms": T + 404_000, "type": "share"},
        {"highlight_id": posted, "ts_ms": T + 404_000, "type": "order", "amount_minor": -5},
        {"highlight_id": posted, "ts_ms": T + 404_000, "type": "view", "watch_ms": 90_000_000u64},
    ]);
    let first = send_viewer_events(&s, Some("v-1"), batch.clone()).await;
    assert_eq!(first, (StatusCode::OK, json!({"accepted": 5, "skipped": 5})));
    assert_eq!(send_viewer_events(&s, Some("v-1"), batch).await, first, "a re-sent batch counts once");
    send_viewer_events(
        &s,
        None,
        json!([{"highlight_id": posted, "ts_ms": T + 500_000, "type": "order", "amount_minor": 1_000}]),
    )
    .await;

    let h = highlight(&s, &token, &posted).await;
    assert_eq!(
        h["results"],
        json!({"views": 2, "watch_ms": 42_000, "live_entries": 1, "product_clicks": 1, "orders": 2, "gmv_minor": 3_500})
    );
    assert!(h["seq"].as_i64().unwrap() > seq_before, "devices pull the new results");
    assert!(highlight(&s, &token, &scheduled).await.get("results").is_none());
    // Another seller sees none of it; a seller token cannot report viewer events.
    let b = s.seller("seller-b").await;
    assert_eq!(s.get("/v1/lives/live-r/highlights", &b).await.0, StatusCode::NOT_FOUND);
    let (status, _) = s.call(Method::POST, "/v1/ingest/viewer-events", Some(&b), Some(json!({"events": []}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let report = s.store().experiment_report().await.unwrap();
    let arm = report.formats.iter().find(|f| f.videos_ever_posted > 0).unwrap();
    assert_eq!((arm.views, arm.gmv_minor), (2, 3_500));
    assert!(report.table().contains("3500"), "the GMV total: {}", report.table());
}

fn stream(live_id: &str, product: &str, seed: u64) -> Vec<Value> {
    let mut spec = StreamSpec::new(live_id, T, seed);
    spec.viewers = 300.0;
    spec.duration_s = 20 * 60;
    generate(&spec.plant_random(8))
        .iter()
        .map(|e| {
            let mut j = e.to_json();
            // One product per LIVE, so the seller's choice decides it.
            if j.get("product_id").is_some() {
                j["product_id"] = json!(product);
            }
            j
        })
        .collect()
}

async fn ingest_all(s: &TestServer, seller: &str, events: &[Value]) {
    for chunk in events.chunks(2_000) {
        let (status, body) = s.ingest(seller, Value::Array(chunk.to_vec())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

async fn kept(s: &TestServer, token: &str, live: &str) -> Vec<Value> {
    s.get(&format!("/v1/lives/{live}/highlights"), token).await.1["highlights"].as_array().unwrap().clone()
}

#[tokio::test]
async fn only_lives_showing_a_chosen_product_get_highlights_and_posts_follow_a_changed_choice() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    let patch = |body: Value| {
        let (s, token) = (&s, token.clone());
        async move { s.call(Method::PATCH, "/v1/settings", Some(&token), Some(body)).await }
    };
    // Posts wait an hour, so the choice can change while they are scheduled.
    let config = highlights_api::RemoteConfig { post_delay_s: 3600, ..s.store().config().await.unwrap() };
    s.store().set_config(config).await.unwrap();
    let (status, settings) = patch(json!({"highlights_on": true, "only_products": ["sku-b", "sku-b", "sku-a"]})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(settings["only_products"], json!(["sku-a", "sku-b"]), "sorted, once each");
    let too_many: Vec<String> = (0..101).map(|i| format!("p{i}")).collect();
    assert_error(&patch(json!({"only_products": too_many})).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&patch(json!({"only_products": [""]})).await, StatusCode::UNPROCESSABLE_ENTITY);

    let chosen = stream("live-chosen", "sku-a", 3);
    let other = stream("live-other", "sku-z", 4);
    ingest_all(&s, "seller-a", &chosen).await;
    ingest_all(&s, "seller-a", &other).await;
    let found = kept(&s, &token, "live-chosen").await;
    assert!(found.iter().filter(|h| h["status"] == "scheduled").count() >= 2, "the chosen product's LIVE: {found:?}");
    assert!(kept(&s, &token, "live-other").await.is_empty(), "no moment of a LIVE without a chosen product is kept");

    // The seller narrows the choice while posts wait: at their post time they become recommendations.
    patch(json!({"only_products": ["sku-b"]})).await;
    s.store().post_due(i64::MAX / 2).await.unwrap();
    let after = kept(&s, &token, "live-chosen").await;
    assert!(after.iter().all(|h| h["status"] != "posted"), "nothing posts for a LIVE no longer chosen");
    assert_eq!(after.iter().filter(|h| h["kind"] == "recommendation").count(), found.len());

    // An empty choice means every LIVE again.
    patch(json!({"only_products": []})).await;
    ingest_all(&s, "seller-a", &stream("live-3", "sku-z", 5)).await;
    assert!(!kept(&s, &token, "live-3").await.is_empty());
}
