//! Cross-seller attempts on every operation of the OpenAPI document: seller B never reads or
//! changes seller A's data, and another seller's ids answer 404 so they do not leak.

mod common;

use common::*;
use highlights_api::{FormatSpec, HighlightKind, HighlightStatus};
use highlights_server::store::NewHighlight;
use reqwest::{Method, StatusCode};
use serde_json::json;

const T0: i64 = 1_793_491_200_000;

#[tokio::test]
async fn no_operation_leaks_another_sellers_data() {
    let s = TestServer::start().await;
    let a = s.seller("seller-a").await;
    let b = s.seller("seller-b").await;
    s.ingest("seller-a", json!([
        {"ts_ms": T0, "live_id": "a-live", "type": "live_start", "title": "A's secret launch"},
        {"ts_ms": T0 + 1000, "live_id": "a-live", "type": "product_pin", "product_id": "a-sku", "name": "A's product"},
        {"ts_ms": T0 + 1_800_000, "live_id": "a-live", "type": "live_end"}
    ])).await;
    let highlight = |kind, status, start_ms: i64| NewHighlight {
        seller_id: "seller-a".into(),
        live_id: "a-live".into(),
        kind,
        status,
        live_now: false,
        start_ms,
        end_ms: start_ms + 30_000,
        peak_ms: None,
        product_id: Some("a-sku".into()),
        score: 9.0,
        reasons: vec![highlights_api::Reason::over_usual(highlights_api::Signal::Comments, 2.0, 20)],
        identified_at_ms: None,
        post_at_ms: None,
        posted_at_ms: None,
        format: FormatSpec::default(),
    };
    // A recommendation (its id is what B tries everywhere) and an auto-posted highlight, which a
    // remove-all by B must leave on A's profile.
    let h = s
        .store()
        .add_highlights(vec![
            highlight(HighlightKind::Recommendation, HighlightStatus::Suggested, T0 + 60_000),
            highlight(HighlightKind::Auto, HighlightStatus::Posted, T0 + 120_000),
        ])
        .await
        .unwrap()
        .remove(0)
        .id;
    s.call(Method::PATCH, "/v1/settings", Some(&a), Some(json!({"highlights_on": true}))).await;
    let a_before = (s.get("/v1/settings", &a).await.1, s.get("/v1/lives/a-live/highlights", &a).await.1);

    let (_, doc) = highlights_server::router(s.server.state.clone());
    let secrets = ["a-live", "A's secret", "a-sku", "a-signal", h.as_str()];
    let mut exercised = 0;
    for (path, item) in &doc.paths.paths {
        let item = serde_json::to_value(item).unwrap();
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            exercised += 1;
            let concrete = path
                .replace("{live_id}", "a-live")
                .replace("{highlight_id}", &h)
                .replace("{seller_id}", "seller-a")
                .replace("{start_ms}", "1")
                .replace("/segments", "/segments?start_ms=1");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = match (method, path.as_str()) {
                ("post", "/v1/videos") => Some(
                    json!({"live_id": "a-live", "start_ms": T0 + 60_000, "end_ms": T0 + 80_000, "product_id": "a-sku"}),
                ),
                ("post", "/v1/ingest/events") => Some(json!({"seller_id": "seller-a", "events": []})),
                ("post", "/v1/ingest/viewer-events") => {
                    Some(json!({"events": [{"highlight_id": h, "ts_ms": T0, "type": "order", "amount_minor": 999}]}))
                }
                ("patch", _) => Some(json!({"highlights_on": false})),
                _ => None,
            };
            let mut req = s
                .http
                .request(m, s.url(&concrete))
                .bearer_auth(&b)
                .header("Idempotency-Key", format!("b-{method}-{path}"));
            if let Some(body) = body {
                req = req.json(&body);
            } else if method == "put" {
                req = req.body(vec![0u8; 64]);
            }
            let resp = req.send().await.unwrap();
            let status = resp.status();
            let text = resp.text().await.unwrap();
            for secret in secrets {
                assert!(!text.contains(secret), "{method} {path} leaked {secret:?}: {text}");
            }
            let own_data_only = matches!(
                path.as_str(),
                "/v1/settings"
                    | "/v1/config"
                    | "/v1/experiments"
                    | "/v1/lives"
                    | "/v1/changes"
                    | "/v1/highlights"
                    | "/v1/me"
            );
            if path == highlights_api::paths::ME {
                assert_eq!(
                    serde_json::from_str::<serde_json::Value>(&text).unwrap()["seller_id"],
                    "seller-b",
                    "B's token is B's"
                );
            }
            if path.starts_with("/v1/ingest/") {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "a seller token cannot ingest or read recordings");
            } else if path == highlights_api::paths::FEED {
                // The one public surface: A's feed answers, with posted videos only (none here).
                assert_eq!(status, StatusCode::OK, "{method} {path}");
                assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap()["videos"], json!([]));
            } else if path.contains('{') || path == "/v1/videos" {
                assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path} with A's ids");
            } else {
                assert!(own_data_only, "{method} {path} is not classified by this test; add it");
                assert!(status.is_success(), "{method} {path}: {status}");
            }
        }
    }
    assert_eq!(exercised, 26, "every operation of the document was tried");
    // Without any token, A's unposted highlight has no watchable media either.
    let media = [
        highlights_api::paths::media_video(&h),
        highlights_api::paths::media_thumbnail(&h),
        highlights_api::paths::media_storyboard(&h),
    ];
    for path in media {
        let (status, body) = s.call(Method::GET, &path, None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let a_after = (s.get("/v1/settings", &a).await.1, s.get("/v1/lives/a-live/highlights", &a).await.1);
    assert_eq!(a_before, a_after, "seller A's data is untouched");
}
