//! The OpenAPI document is generated from the routes, served, and every operation in it is routed.

mod common;

use common::*;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn openapi_document_matches_the_routes() {
    let s = TestServer::start().await;
    let token = s.seller("seller-a").await;
    let served: serde_json::Value = s.http.get(s.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let (_, doc) = highlights_server::router(s.server.state.clone());
    assert_eq!(served, serde_json::to_value(&doc).unwrap(), "served document is the generated one");

    // Links lead from the operations that list ids to real operations that take them.
    let ids: Vec<&str> = served["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let links: Vec<&str> = served["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["responses"].as_object())
        .flat_map(|responses| responses.values())
        .filter_map(|r| r["links"].as_object())
        .flat_map(|links| links.values())
        .map(|link| link["operationId"].as_str().unwrap())
        .collect();
    assert_eq!(links.len(), 8, "{links:?}");
    assert!(links.iter().all(|l| ids.contains(l)), "{links:?} all name operations of {ids:?}");

    let mut operations = Vec::new();
    for (path, item) in &doc.paths.paths {
        let item = serde_json::to_value(item).unwrap();
        for method in ["get", "post", "patch", "delete", "put"] {
            if item.get(method).is_some() {
                operations.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations.sort();
    let expected = [
        ("DELETE", "/v1/highlights"),
        ("DELETE", "/v1/highlights/{highlight_id}"),
        ("DELETE", "/v1/lives/{live_id}/highlights"),
        ("GET", "/v1/changes"),
        ("GET", "/v1/config"),
        ("GET", "/v1/experiments"),
        ("GET", "/v1/ingest/lives/{live_id}/recording"),
        ("GET", "/v1/lives"),
        ("GET", "/v1/lives/{live_id}"),
        ("GET", "/v1/lives/{live_id}/highlights"),
        ("GET", "/v1/lives/{live_id}/storyboard"),
        ("GET", "/v1/lives/{live_id}/storyboard/{start_ms}"),
        ("GET", "/v1/me"),
        ("GET", "/v1/media/{highlight_id}/storyboard.jpg"),
        ("GET", "/v1/media/{highlight_id}/thumbnail.jpg"),
        ("GET", "/v1/media/{highlight_id}/video.mp4"),
        ("GET", "/v1/sellers/{seller_id}/feed"),
        ("GET", "/v1/settings"),
        ("PATCH", "/v1/lives/{live_id}"),
        ("PATCH", "/v1/settings"),
        ("POST", "/v1/highlights/{highlight_id}/approve"),
        ("POST", "/v1/highlights/{highlight_id}/post"),
        ("POST", "/v1/ingest/events"),
        ("POST", "/v1/ingest/viewer-events"),
        ("POST", "/v1/videos"),
        ("PUT", "/v1/ingest/lives/{live_id}/segments"),
    ];
    let got: Vec<(&str, &str)> = operations.iter().map(|(m, p)| (m.as_str(), p.as_str())).collect();
    assert_eq!(got, expected);

    // Every documented operation is served: never the router's "no such route" or "wrong method".
    for (method, path) in &operations {
        let concrete = path
            .replace("{highlight_id}", "hl_x")
            .replace("{live_id}", "live_x")
            .replace("{seller_id}", "seller-x")
            .replace("{start_ms}", "5");
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let (status, body) = s.call(m, &concrete, Some(&token), Some(serde_json::json!({}))).await;
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(body["code"] != "not_found" || body["message"] != "route not found", "{method} {path} is not routed");
        assert!(status.as_u16() < 500, "{method} {path}: {status}");
    }
    assert_eq!(doc.components.as_ref().unwrap().security_schemes.len(), 1);
}
