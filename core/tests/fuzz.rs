//! Fuzzing the decoders of outside input in the core: whatever bytes or values the server sends,
//! decoding and applying either works or fails with a typed error, never panics, and a refused
//! page leaves the cache (and the screens) exactly as they were.

mod common;

use common::*;
use highlights_core::api::{Changes, Highlight, Settings, StaleSettings};
use highlights_core::{CoreError, Event};
use proptest::prelude::*;

/// Ids as a hostile or broken server might send them.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{1,12}",
        Just(String::new()),
        "[\\x00-\\x1f]{1,3}",
        "\\PC{0,200}",
        Just("live-0001".to_string()),
    ]
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
        "\\PC{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z_]{1,14}", inner, 0..8)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A Changes page whose every field may be out of range or inconsistent.
fn hostile_changes() -> impl Strategy<Value = serde_json::Value> {
    (
        any::<i64>(),
        any::<bool>(),
        prop::collection::vec((id(), any::<i64>(), prop::option::of(any::<i64>()), prop::collection::vec(id(), 0..3)), 0..5),
        prop::collection::vec((id(), id(), any::<i64>(), any::<i64>(), any::<f64>(), 0u8..5, 0u8..5), 0..8),
        prop::option::of((0u32..5, 0u32..5, any::<u32>(), any::<u32>())),
    )
        .prop_map(|(cursor, more, lives, highlights, cfg)| {
            let kinds = ["auto", "recommendation", "manual", "bogus", ""];
            let statuses = ["scheduled", "posted", "suggested", "removed", "bogus"];
            let mut v = serde_json::json!({
                "cursor": cursor,
                "has_more": more,
                "lives": lives.iter().map(|(id, start, end, products)| serde_json::json!({
                    "id": id, "title": "t", "started_at_ms": start, "ended_at_ms": end,
                    "status": if end.is_some() { "ended" } else { "live" },
                    "products": products.iter().map(|p| serde_json::json!({"id": p, "name": p})).collect::<Vec<_>>(),
                    "seq": 1
                })).collect::<Vec<_>>(),
                "highlights": highlights.iter().map(|(id, live, s, e, score, k, st)| serde_json::json!({
                    "id": id, "live_id": live, "kind": kinds[*k as usize], "status": statuses[*st as usize],
                    "live_now": false, "start_ms": s, "end_ms": e, "product_id": null,
                    "score": if score.is_finite() { *score } else { 0.0 }, "signals": ["x"], "post_at_ms": null,
                    "format": {"auto_subtitles": false, "arrow_to_live": false, "click_now_end_card": false, "background_music": false},
                    "seq": 2
                })).collect::<Vec<_>>(),
            });
            if let Some((min, max, cooldown, shows)) = cfg {
                v["config"] = serde_json::json!({
                    "max_posts_per_live": 20, "max_posts_per_product": 3, "post_delay_s": 300,
                    "clip_min_s": min, "clip_max_s": max, "popup_cooldown_s": cooldown, "popup_max_shows": shows,
                    "refresh_interval_s": 30, "format_experiments": []
                });
            }
            v
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(300), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_the_decoders(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = serde_json::from_slice::<Changes>(&bytes);
        let _ = serde_json::from_slice::<Settings>(&bytes);
        let _ = serde_json::from_slice::<Highlight>(&bytes);
        let _ = serde_json::from_slice::<StaleSettings>(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(v in json_value()) {
        let _ = serde_json::from_value::<Changes>(v.clone());
        let _ = serde_json::from_value::<Highlight>(v);
    }

    #[test]
    fn hostile_pages_apply_or_are_refused_whole(page in hostile_changes()) {
        let dev = Device::new();
        let core = dev.open("seller-a");
        core.apply_changes(&seed(3, false)).unwrap();
        core.dispatch(Event::OpenModule).unwrap();
        let before = core.view().unwrap();
        let Ok(changes) = serde_json::from_value::<Changes>(page) else { return Ok(()) };
        match core.apply_changes(&changes) {
            Ok(()) => {}
            Err(CoreError::BadServerData { .. } | CoreError::Storage { .. }) => {
                let after = core.view().unwrap();
                prop_assert_eq!(after.module, before.module);
                prop_assert_eq!(after.toggle, before.toggle);
            }
            Err(e) => prop_assert!(false, "unexpected error {e:?}"),
        }
        // Whatever happened, the core still answers.
        core.dispatch(Event::OpenModule).unwrap();
    }
}

/// Cases per fuzz target: a CI slice by default, `FUZZ_CASES` for the full run.
fn fuzz_cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
