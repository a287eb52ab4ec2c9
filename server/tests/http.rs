//! Every endpoint over real HTTP on loopback: auth, cross-seller isolation, idempotency, stale writes, bad input.

mod common;

use common::*;
use highlights_api::{FormatSpec, HighlightKind, HighlightStatus};
use highlights_server::store::NewHighlight;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const T: i64 = 1_793_491_200_000;

/// Ingests a 30-minute ended LIVE with two products for `seller`.
async fn ended_live(s: &TestServer, seller: &str, live_id: &str) {
    let events = json!([
        {"ts_ms": T, "live_id": live_id, "type": "live_start", "title": "Spring sale"},
        {"ts_ms": T + 1000, "live_id": live_id, "type": "product_pin", "product_id": "sku-1", "name": "Serum"},
        {"ts_ms": T + 2000, "live_id": live_id, "type": "comment", "text": "hi", "user": "u1"},
        {"ts_ms": T + 600_000, "live_id": live_id, "type": "product_pin", "product_id": "sku-2", "name": "Lip tint"},
        {"ts_ms": T + 1_800_000, "live_id": live_id, "type": "live_end"},
    ]);
    let (status, body) = s.ingest(seller, events).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"accepted": 5, "skipped": 0}));
}

async fn add_highlight(
    s: &TestServer,
    seller: &str,
    live_id: &str,
    kind: HighlightKind,
    status: HighlightStatus,
) -> String {
    let h = NewHighlight {
        seller_id: seller.into(),
        live_id: live_id.into(),
        kind,
        status,
        live_now: false,
        start_ms: T + 60_000,
        end_ms: T + 90_000,
        peak_ms: Some(T + 80_000),
        product_id: Some("sku-1".into()),
        score: 4.2,
        reasons: vec![highlights_api::Reason::over_usual(highlights_api::Signal::Comments, 4.1, 20)],
        identified_at_ms: Some(T + 95_000),
        post_at_ms: Some(T + 395_000),
        posted_at_ms: None,
        format: FormatSpec::default(),
    };
    s.store().add_highlights(vec![h]).await.unwrap().remove(0).id
}

#[tokio::test]
async fn auth_failures_are_401_with_json_errors() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    assert_error(&s.call(Method::GET, "/v1/settings", None, None).await, StatusCode::UNAUTHORIZED);
    assert_error(&s.call(Method::GET, "/v1/settings", Some("hlt_not-a-token"), None).await, StatusCode::UNAUTHORIZED);
    let resp =
        s.http.get(s.url("/v1/settings")).header("Authorization", format!("Basic {token}")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // Tokens are not interchangeable between roles.
    assert_error(&s.get("/v1/settings", &s.service_token.clone()).await, StatusCode::UNAUTHORIZED);
    assert_error(
        &s.call(Method::POST, "/v1/ingest/events", Some(&token), Some(json!({"seller_id": "seller-a", "events": []})))
            .await,
        StatusCode::UNAUTHORIZED,
    );
    assert_eq!(s.get("/v1/settings", &token).await.0, StatusCode::OK);
}

#[tokio::test]
async fn tokens_are_stored_hashed() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    let hash = highlights_server::store::token_hash(&token);
    assert_eq!(s.numbers("SELECT count(*) FROM tokens WHERE hash = $1", &[&hash]).await, [1], "its hash is");
    if s.database_url.is_some() {
        assert_eq!(s.numbers("SELECT count(*) FROM tokens WHERE hash = $1", &[&token]).await, [0]);
        return;
    }
    let c = rusqlite::Connection::open(highlights_server::serve::db_path(s.dir.path())).unwrap();
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    let raw = std::fs::read(highlights_server::serve::db_path(s.dir.path())).unwrap();
    let needle = token.as_bytes();
    assert!(!raw.windows(needle.len()).any(|w| w == needle), "the token itself is in the database file");
}

#[tokio::test]
async fn settings_patch_with_versions_and_concurrent_stale_writes() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    let (status, v) = s.get("/v1/settings", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((v["highlights_on"].clone(), v["version"].clone()), (json!(false), json!(1)));

    let (status, v) = s
        .call(
            Method::PATCH,
            "/v1/settings",
            Some(&token),
            Some(json!({"expected_version": 1, "highlights_on": true, "onboarding_completed": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!((v["highlights_on"].clone(), v["version"].clone()), (json!(true), json!(2)));

    let (status, v) = s
        .call(Method::PATCH, "/v1/settings", Some(&token), Some(json!({"expected_version": 1, "highlights_on": false})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(v["code"], "stale_version");
    assert_eq!(v["current"]["version"], 2);

    // Ten devices write on top of version 2 at once: exactly one wins.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let http = s.http.clone();
        let url = s.url("/v1/settings");
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({"expected_version": 2, "highlights_on": false});
            http.patch(url).bearer_auth(token).json(&body).send().await.unwrap().status()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(s.get("/v1/settings", &token).await.1["version"], 3);

    // Counters need no version, and an idempotency key makes a retry count once.
    for _ in 0..3 {
        let resp = s
            .http
            .patch(s.url("/v1/settings"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "shown-1")
            .json(&json!({"popup_shows_delta": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
    assert_eq!(s.get("/v1/settings", &token).await.1["popup_shows"], 1);
    assert_error(
        &s.call(Method::PATCH, "/v1/settings", Some(&token), Some(json!({"onboarding_completed": false}))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
}

#[tokio::test]
async fn config_and_experiments() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    let (_, cfg) = s.get("/v1/config", &token).await;
    assert_eq!(
        (cfg["max_posts_per_live"].clone(), cfg["max_posts_per_product"].clone(), cfg["post_delay_s"].clone()),
        (json!(20), json!(3), json!(300))
    );
    let mut new_cfg: highlights_api::RemoteConfig = serde_json::from_value(cfg).unwrap();
    new_cfg.max_posts_per_live = 12;
    s.store().set_config(new_cfg).await.unwrap();
    assert_eq!(s.get("/v1/config", &token).await.1["max_posts_per_live"], 12);

    let (_, e1) = s.get("/v1/experiments", &token).await;
    let (_, e2) = s.get("/v1/experiments", &token).await;
    assert_eq!(e1, e2, "assignment is deterministic");
    s.store().pin_experiments("seller-a".into(), Some(true), Some("arrow_to_live".into())).await.unwrap();
    let (_, e) = s.get("/v1/experiments", &token).await;
    assert_eq!((e["popup"].clone(), e["format"]["arrow_to_live"].clone()), (json!(true), json!(true)));
}

#[tokio::test]
async fn ingestion_builds_lives_and_skips_bad_events() {
    let s = TestServer::start().await;
    let a = s.seller("seller-a").await;
    s.seller("seller-b").await;
    ended_live(&s, "seller-a", "live-1").await;
    let (status, body) = s
        .ingest("seller-b", json!([
            {"ts_ms": T, "live_id": "live-1", "type": "comment"},
            {"ts_ms": T, "live_id": "live-2", "type": "dance"},
            {"ts_ms": "soon", "live_id": "live-2", "type": "comment"},
            "not an object",
            {"ts_ms": T, "live_id": "live-2", "type": "order", "product_id": "sku-9", "quantity": 1, "amount_cents": 999}
        ]))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"accepted": 1, "skipped": 4}), "another seller's LIVE id is refused too");
    let (_, live) = s.get("/v1/lives/live-1", &a).await;
    assert_eq!(live["status"], "ended");
    assert_eq!(live["ended_at_ms"], T + 1_800_000);
    assert_eq!(live["title"], "Spring sale");
    assert_eq!(live["products"].as_array().unwrap().len(), 2);
    assert_error(&s.ingest("nobody", json!([])).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn lives_page_with_cursors_and_deltas() {
    let s = TestServer::start().await;
    let a = s.seller("seller-a").await;
    let events: Vec<Value> = (0..7)
        .map(|i| json!({"ts_ms": T + i * 3_600_000, "live_id": format!("live-{i}"), "type": "live_start"}))
        .collect();
    s.ingest("seller-a", Value::Array(events)).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/lives?limit=3&cursor={c}"),
            None => "/v1/lives?limit=3".into(),
        };
        let (status, page) = s.get(&path, &a).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(page["lives"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, (0..7).rev().map(|i| format!("live-{i}")).collect::<Vec<_>>(), "newest first, each once");

    let (_, all) = s.get("/v1/lives?changed_since=0&limit=200", &a).await;
    let head = all["lives"].as_array().unwrap().iter().map(|l| l["seq"].as_i64().unwrap()).max().unwrap();
    s.ingest("seller-a", json!([{"ts_ms": T + 99, "live_id": "live-3", "type": "live_end"}])).await;
    let (_, delta) = s.get(&format!("/v1/lives?changed_since={head}"), &a).await;
    let ids: Vec<_> = delta["lives"].as_array().unwrap().iter().map(|l| l["id"].clone()).collect();
    assert_eq!(ids, vec![json!("live-3")]);
    assert_error(&s.get("/v1/lives?cursor=garbage", &a).await, StatusCode::BAD_REQUEST);
    assert_error(&s.get("/v1/lives?limit=0", &a).await, StatusCode::BAD_REQUEST);
    assert_error(&s.get("/v1/lives?limit=ten", &a).await, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn highlights_post_remove_and_remove_all() {
    let s = TestServer::start().await;
    let a = s.seller("seller-a").await;
    ended_live(&s, "seller-a", "live-1").await;
    let rec = add_highlight(&s, "seller-a", "live-1", HighlightKind::Recommendation, HighlightStatus::Suggested).await;
    let auto1 = add_highlight(&s, "seller-a", "live-1", HighlightKind::Auto, HighlightStatus::Posted).await;
    add_highlight(&s, "seller-a", "live-1", HighlightKind::Auto, HighlightStatus::Scheduled).await;

    let (_, list) = s.get("/v1/lives/live-1/highlights", &a).await;
    assert_eq!(list["highlights"].as_array().unwrap().len(), 3);
    assert_eq!(list["highlights"][0]["signals"][0], "comments 4.1x baseline");

    let (status, posted) = s.call(Method::POST, &format!("/v1/highlights/{rec}/post"), Some(&a), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(posted["status"], "posted");
    assert_eq!(
        s.call(Method::POST, &format!("/v1/highlights/{rec}/post"), Some(&a), None).await.1["status"],
        "posted",
        "posting twice is harmless"
    );

    let (status, removed) = s.call(Method::DELETE, &format!("/v1/highlights/{auto1}"), Some(&a), None).await;
    assert_eq!((status, removed["status"].clone()), (StatusCode::OK, json!("removed")));
    assert_error(
        &s.call(Method::POST, &format!("/v1/highlights/{auto1}/post"), Some(&a), None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );

    let (_, count) = s.call(Method::DELETE, "/v1/lives/live-1/highlights", Some(&a), None).await;
    assert_eq!(count, json!({"removed": 1}), "only the scheduled auto highlight was left");
    assert_error(&s.call(Method::DELETE, "/v1/highlights/hl_nope", Some(&a), None).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn remove_all_of_every_live_takes_auto_posts_only() {
    let s = TestServer::start().await;
    let a = s.seller("seller-a").await;
    let b = s.seller("seller-b").await;
    for live in ["live-1", "live-2"] {
        ended_live(&s, "seller-a", live).await;
        add_highlight(&s, "seller-a", live, HighlightKind::Auto, HighlightStatus::Posted).await;
        add_highlight(&s, "seller-a", live, HighlightKind::Auto, HighlightStatus::Scheduled).await;
    }
    let kept = add_highlight(&s, "seller-a", "live-2", HighlightKind::Manual, HighlightStatus::Posted).await;
    ended_live(&s, "seller-b", "live-b").await;
    add_highlight(&s, "seller-b", "live-b", HighlightKind::Auto, HighlightStatus::Posted).await;

    let (status, count) = s.call(Method::DELETE, "/v1/highlights", Some(&a), None).await;
    assert_eq!((status, count), (StatusCode::OK, json!({"removed": 4})), "both LIVEs, posted and scheduled");
    for live in ["live-1", "live-2"] {
        let (_, list) = s.get(&format!("/v1/lives/{live}/highlights"), &a).await;
        for h in list["highlights"].as_array().unwrap() {
            let expected = if h["id"] == json!(kept) { "posted" } else { "removed" };
            assert_eq!(h["status"], expected, "{h}");
        }
    }
    let (_, again) = s.call(Method::DELETE, "/v1/highlights", Some(&a), None).await;
    assert_eq!(again, json!({"removed": 0}), "removing again removes nothing more");
    let (_, b_list) = s.get("/v1/lives/live-b/highlights", &b).await;
    assert_eq!(b_list["highlights"][0]["status"], "posted", "another seller's posts stay");
}

#[tokio::test]
async fn one_seller_never_reaches_anothers_data() {
    let s = TestServer::start().await;
    s.seller("seller-a").await;
    let b = s.seller("seller-b").await;
    ended_live(&s, "seller-a", "live-a").await;
    let h = add_highlight(&s, "seller-a", "live-a", HighlightKind::Recommendation, HighlightStatus::Suggested).await;
    let video = json!({"live_id": "live-a", "start_ms": T + 60_000, "end_ms": T + 80_000, "product_id": "sku-1"});
    let attempts = [
        (Method::GET, "/v1/lives/live-a".to_string(), None),
        (Method::GET, "/v1/lives/live-a/highlights".to_string(), None),
        (Method::DELETE, "/v1/lives/live-a/highlights".to_string(), None),
        (Method::POST, format!("/v1/highlights/{h}/post"), None),
        (Method::DELETE, format!("/v1/highlights/{h}"), None),
    ];
    for (m, path, body) in attempts {
        assert_error(&s.call(m, &path, Some(&b), body).await, StatusCode::NOT_FOUND);
    }
    let resp = s
        .http
        .post(s.url("/v1/videos"))
        .bearer_auth(&b)
        .header("Idempotency-Key", "k")
        .json(&video)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let (_, lives) = s.get("/v1/lives", &b).await;
    assert_eq!(lives["lives"], json!([]));
    let (_, changes) = s.get("/v1/changes", &b).await;
    assert!(changes.get("lives").is_none() && changes.get("highlights").is_none(), "{changes}");
    // Nothing changed for seller-a.
    let a_token =
        s.store().seller_token("seller-a".into(), highlights_server::store::TokenLifetime::SELLER).await.unwrap();
    let (_, list) = s.get("/v1/lives/live-a/highlights", &a_token).await;
    assert_eq!(list["highlights"][0]["status"], "suggested");
}

#[tokio::test]
async fn create_video_is_validated_and_idempotent() {
    let s = TestServer::start().await;
    let a = s.seller("seller-a").await;
    ended_live(&s, "seller-a", "live-1").await;
    let post = |key: Option<&'static str>, body: Value| {
        let mut req = s.http.post(s.url("/v1/videos")).bearer_auth(&a).json(&body);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        async move {
            let r = req.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let good = json!({"live_id": "live-1", "start_ms": T + 60_000, "end_ms": T + 90_000, "product_id": "sku-2"});
    let (status, first) = post(Some("video-1"), good.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!((first["kind"].clone(), first["status"].clone()), (json!("manual"), json!("posted")));
    let (status, again) = post(Some("video-1"), good.clone()).await;
    assert_eq!(
        (status, again["id"].clone()),
        (StatusCode::CREATED, first["id"].clone()),
        "a replay returns the same video"
    );

    // The same new key sent by several retries at once still makes one video.
    let racers: Vec<_> = (0..8).map(|_| post(Some("video-2"), good.clone())).collect();
    let ids: std::collections::HashSet<String> = futures_join(racers)
        .await
        .into_iter()
        .map(|(st, v)| {
            assert_eq!(st, StatusCode::CREATED);
            v["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    let (_, list) = s.get("/v1/lives/live-1/highlights", &a).await;
    assert_eq!(list["highlights"].as_array().unwrap().len(), 2, "two keys, two videos");

    let mut other = good.clone();
    other["product_id"] = json!("sku-1");
    assert_error(&post(Some("video-1"), other).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&post(None, good.clone()).await, StatusCode::BAD_REQUEST);
    for (start, end) in
        [(T + 90_000, T + 60_000), (T - 1, T + 20_000), (T, T + 5_000), (T, T + 61_000), (T + 1_790_000, T + 1_810_000)]
    {
        let body = json!({"live_id": "live-1", "start_ms": start, "end_ms": end, "product_id": "sku-1"});
        let got = post(Some("bad-segment"), body).await;
        assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(got.1["code"], "invalid_segment");
    }
    let got = post(
        Some("k-unknown-product"),
        json!({"live_id": "live-1", "start_ms": T, "end_ms": T + 20_000, "product_id": "sku-404"}),
    )
    .await;
    assert_eq!(got.1["code"], "unknown_product");
    assert_error(
        &post(
            Some("k-unknown-live"),
            json!({"live_id": "live-404", "start_ms": T, "end_ms": T + 20_000, "product_id": "sku-1"}),
        )
        .await,
        StatusCode::NOT_FOUND,
    );
}

async fn futures_join<F>(fs: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn changes_feed_first_sync_paging_and_idle_resync() {
    let s = TestServer::start().await;
    let a = s.seller("seller-a").await;
    for i in 0..5 {
        ended_live(&s, "seller-a", &format!("live-{i}")).await;
        add_highlight(&s, "seller-a", &format!("live-{i}"), HighlightKind::Auto, HighlightStatus::Posted).await;
    }
    let (_, first) = s.get("/v1/changes?since=0", &a).await;
    assert!(first["config"].is_object() && first["experiments"].is_object() && first["settings"].is_object());
    assert_eq!(first["lives"].as_array().unwrap().len(), 5);
    assert_eq!(first["highlights"].as_array().unwrap().len(), 5);
    assert_eq!(first["has_more"], false);

    // Paging: three rows at a time, every LIVE before its highlights, nothing lost.
    let (mut since, mut lives, mut highlights) = (0, 0, 0);
    loop {
        let (_, page) = s.get(&format!("/v1/changes?since={since}&limit=3"), &a).await;
        let l = page["lives"].as_array().map_or(0, Vec::len);
        let h = page["highlights"].as_array().map_or(0, Vec::len);
        assert!(l + h <= 3);
        lives += l;
        highlights += h;
        since = page["cursor"].as_i64().unwrap();
        if page["has_more"] == false {
            break;
        }
    }
    assert_eq!((lives, highlights), (5, 5));

    let resp = s.http.get(s.url(&format!("/v1/changes?since={since}"))).bearer_auth(&a).send().await.unwrap();
    let bytes = resp.bytes().await.unwrap();
    let idle: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(idle, json!({"cursor": since, "has_more": false}));
    assert!(bytes.len() < 100);

    s.call(Method::PATCH, "/v1/settings", Some(&a), Some(json!({"highlights_on": true}))).await;
    let (_, delta) = s.get(&format!("/v1/changes?since={since}"), &a).await;
    assert_eq!(delta["settings"]["highlights_on"], true);
    assert!(delta.get("lives").is_none());
    assert_error(&s.get("/v1/changes?since=-1", &a).await, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bad_input_is_always_a_4xx_json_error() {
    let s = TestServer::start().await;
    let a = s.seller("seller-a").await;
    let raw = |method: Method, path: &str, ctype: &str, body: Vec<u8>| {
        let req =
            s.http.request(method, s.url(path)).bearer_auth(&a).header("Content-Type", ctype.to_string()).body(body);
        async move {
            let r = req.send().await.unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let json_type = "application/json";
    assert_error(&raw(Method::PATCH, "/v1/settings", json_type, b"{not json".to_vec()).await, StatusCode::BAD_REQUEST);
    assert_error(
        &raw(Method::PATCH, "/v1/settings", json_type, br#"{"highlights_on": "yes"}"#.to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_error(
        &raw(Method::PATCH, "/v1/settings", json_type, br#"{"surprise": 1}"#.to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_error(
        &raw(Method::PATCH, "/v1/settings", "text/plain", b"{}".to_vec()).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    );
    assert_error(
        &raw(Method::POST, "/v1/videos", json_type, br#"{"live_id": "x"}"#.to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    let huge = format!(r#"{{"seller_id":"seller-a","events":["{}"]}}"#, "x".repeat(5 * 1024 * 1024));
    let got = s
        .http
        .post(s.url("/v1/ingest/events"))
        .bearer_auth(&s.service_token)
        .header("Content-Type", json_type)
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&s.get("/v1/nowhere", &a).await, StatusCode::NOT_FOUND);
    assert_error(&s.call(Method::PUT, "/v1/settings", Some(&a), None).await, StatusCode::METHOD_NOT_ALLOWED);
    // An id that could never exist is simply not found.
    assert_error(&s.get(&format!("/v1/lives/{}", "x".repeat(300)), &a).await, StatusCode::NOT_FOUND);
    assert_error(&s.get("/v1/lives/bad%00id", &a).await, StatusCode::NOT_FOUND);
    assert_error(&s.get("/v1/changes?since=abc", &a).await, StatusCode::BAD_REQUEST);
    let too_many: Vec<Value> = (0..10_001).map(|_| json!({})).collect();
    assert_error(&s.ingest("seller-a", Value::Array(too_many)).await, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_batch_resent_with_its_key_is_stored_once() {
    let s = TestServer::start().await;
    s.seller("seller-a").await;
    let send = |key: Option<&'static str>, text: &'static str| {
        let s = &s;
        async move {
            let events: Vec<Value> = (0..50)
                .map(|i| json!({"ts_ms": 1_900_000_000_000i64 + i * 10, "live_id": "live-k", "type": "comment", "text": text}))
                .collect();
            let mut req = s
                .http
                .post(s.url("/v1/ingest/events"))
                .bearer_auth(&s.service_token)
                .json(&json!({"seller_id": "seller-a", "events": events}));
            if let Some(k) = key {
                req = req.header("Idempotency-Key", k);
            }
            let resp = req.send().await.unwrap();
            (resp.status(), resp.json::<Value>().await.unwrap())
        }
    };
    let stored = |text: &'static str| {
        let s = &s;
        async move { s.numbers("SELECT count(*) FROM events WHERE json LIKE $1", &[&format!("%\"{text}\"%")]).await[0] }
    };
    let first = send(Some("batch-1"), "one").await;
    let again = send(Some("batch-1"), "one").await;
    assert_eq!(first.0, StatusCode::OK);
    assert_eq!(first, again, "the re-sent batch gets the first answer");
    assert_eq!(stored("one").await, 50, "and is stored once");
    let reused = send(Some("batch-1"), "two").await;
    assert_eq!(reused.0, StatusCode::UNPROCESSABLE_ENTITY, "a key reused for another batch is refused");
    assert_eq!(stored("two").await, 0);
    send(None, "three").await;
    send(None, "three").await;
    assert_eq!(stored("three").await, 100, "without a key every send counts");
}

#[tokio::test]
async fn a_settings_retry_with_a_new_clock_estimate_replays_the_first_answer() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    let patch = |body: Value| {
        let (s, token) = (&s, token.clone());
        async move {
            let resp = s
                .http
                .patch(s.url("/v1/settings"))
                .bearer_auth(&token)
                .header("Idempotency-Key", "shown-once")
                .json(&body)
                .send()
                .await
                .unwrap();
            (resp.status(), resp.json::<Value>().await.unwrap())
        }
    };
    let first = patch(json!({"popup_shows_delta": 1, "acted_at_ms": 1_800_000_000_000i64})).await;
    // The app restarted, measured the clock offset again and learned the new version meanwhile.
    let retry =
        patch(json!({"popup_shows_delta": 1, "acted_at_ms": 1_800_000_000_400i64, "expected_version": 2})).await;
    assert_eq!(first.0, StatusCode::OK);
    assert_eq!(first, retry, "the same action, estimated again, is the same request");
    assert_eq!(retry.1["popup_shows"], 1, "counted once");
    let other = patch(json!({"highlights_on": true})).await;
    assert_eq!(other.0, StatusCode::UNPROCESSABLE_ENTITY, "a key reused for another change is still refused");
}
