//! Fuzzing request bodies, paths and queries over real HTTP: every answer is 2xx or a 4xx with a
//! JSON error, never a 5xx, whatever the client sends.

mod common;

use common::*;
use proptest::prelude::*;
use reqwest::Method;

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        "\\PC{0,200}".prop_map(String::into_bytes),
        (any::<i64>(), any::<bool>(), "\\PC{0,20}", any::<i64>()).prop_map(|(n, b, s, m)| {
            serde_json::json!({
                "expected_version": n, "highlights_on": b, "popup_shows_delta": m, "popup_dismissed_at_ms": n,
                "live_id": s, "start_ms": n, "end_ms": m, "product_id": s,
                "seller_id": "seller-a", "events": [{"ts_ms": n, "live_id": s, "type": s}, s, n, b]
            })
            .to_string()
            .into_bytes()
        }),
    ]
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof!["[a-zA-Z0-9_-]{0,10}", "%[0-9A-F]{2}", "\\PC{0,10}".prop_map(|s| s.replace(['/', '?', '#'], ""))]
}

#[test]
fn no_input_ever_gets_a_5xx() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s = rt.block_on(TestServer::start());
    let token = rt.block_on(s.seller("seller-a"));
    let service = s.service_token.clone();
    let routes: [(Method, &str, bool); 6] = [
        (Method::PATCH, "/v1/settings", false),
        (Method::POST, "/v1/videos", false),
        (Method::POST, "/v1/ingest/events", true),
        (Method::POST, "/v1/highlights/{}/post", false),
        (Method::DELETE, "/v1/highlights/{}", false),
        (Method::GET, "/v1/lives/{}/highlights", false),
    ];
    let mut runner =
        proptest::test_runner::TestRunner::new(ProptestConfig { cases: fuzz_cases(400), ..ProptestConfig::default() });
    runner
        .run(
            &(0..routes.len(), body(), segment(), query(&["since", "limit", "cursor"]), any::<bool>()),
            |(r, body, seg, query, key)| {
                let (method, path, service_route) = &routes[r];
                let url = s.url(&format!("{}?{}", path.replace("{}", &urlencode(&seg)), query));
                let mut req = s.http.request(method.clone(), url).body(body).header("Content-Type", "application/json");
                req = req.bearer_auth(if *service_route { &service } else { &token });
                if key {
                    req = req.header("Idempotency-Key", "k".repeat(seg.len() + 1));
                }
                let (status, text) = rt.block_on(async {
                    let resp = req.send().await.unwrap();
                    (resp.status(), resp.text().await.unwrap())
                });
                prop_assert!(status.as_u16() < 500, "{method} {path}: {status} {text}");
                if !status.is_success() {
                    let v: serde_json::Value =
                        serde_json::from_str(&text).map_err(|_| TestCaseError::fail(format!("not JSON: {text}")))?;
                    prop_assert!(v["code"].is_string() && v["message"].is_string());
                }
                Ok(())
            },
        )
        .unwrap();
    rt.block_on(s.server.stop()).unwrap();
}

/// A value as a client might send it: valid, out of range, of the wrong type, or garbage.
fn query_value() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..5_000).prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("99999999999999999999999".to_string()),
        Just("1.5".to_string()),
        Just("1e3".to_string()),
        Just(String::new()),
        Just("true".to_string()),
        "[0-9]{1,12}:[a-z0-9-]{0,20}",
        "\\PC{0,24}",
    ]
}

/// A query string of real `key=value` pairs: the routes' own keys (valid, hostile or garbage
/// values, sometimes twice), and unknown keys.
fn query(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    let key = prop_oneof![4 => prop::sample::select(keys).prop_map(str::to_string), 1 => "[a-z_]{1,10}"];
    prop::collection::vec((key, query_value()), 0..4).prop_map(|pairs| {
        pairs.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&")
    })
}

#[test]
fn queries_get_a_2xx_or_a_json_4xx() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s = rt.block_on(TestServer::start());
    let token = rt.block_on(s.seller("seller-a"));
    let routes: [(&str, &'static [&'static str]); 2] =
        [("/v1/changes", &["since", "limit"]), ("/v1/lives", &["limit", "cursor", "changed_since"])];
    let (ok, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    let mut runner =
        proptest::test_runner::TestRunner::new(ProptestConfig { cases: fuzz_cases(400), ..ProptestConfig::default() });
    runner
        .run(&(0..routes.len(), query(&["since", "limit", "cursor", "changed_since"])), |(r, q)| {
            let (path, _) = routes[r];
            let (status, text) = rt.block_on(async {
                let resp = s.http.get(s.url(&format!("{path}?{q}"))).bearer_auth(&token).send().await.unwrap();
                (resp.status(), resp.text().await.unwrap())
            });
            prop_assert!(status.as_u16() < 500, "{path}?{q}: {status} {text}");
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|_| TestCaseError::fail(format!("not JSON: {text}")))?;
            if status.is_success() {
                ok.set(ok.get() + 1);
            } else {
                refused.set(refused.get() + 1);
                prop_assert!(status.as_u16() == 400, "{path}?{q}: {status}");
                prop_assert!(v["code"].is_string() && v["message"].is_string());
            }
            Ok(())
        })
        .unwrap();
    let (ok, refused) = (ok.get(), refused.get());
    println!("queries: {ok} answered, {refused} refused with a JSON 400");
    assert!(ok > 0 && refused > 0, "both valid and hostile queries reached the handlers");
    for (path, keys) in routes {
        // Every key the route takes, at once, with valid values, is answered.
        let q: Vec<String> = keys.iter().filter(|k| **k != "cursor").map(|k| format!("{k}=1")).collect();
        let status = rt.block_on(async {
            s.http.get(s.url(&format!("{path}?{}", q.join("&")))).bearer_auth(&token).send().await.unwrap().status()
        });
        assert!(status.is_success(), "{path}: {status}");
    }
    rt.block_on(s.server.stop()).unwrap();
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Cases per fuzz target: a CI slice by default, `FUZZ_CASES` for the full run.
fn fuzz_cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
