//! The replay interface: JSONL in, one JSON line per auto-posted highlight out, diagnostics apart.

use highlights_engine::replay::replay;
use highlights_engine::sim::{StreamSpec, generate};
use highlights_engine::{EngineSettings, Policy};

const T0: i64 = 1_793_491_200_000;
const POST_DELAY_MS: i64 = 120_000;

/// The limits the server ships with (caps from remote config, not from the engine).
fn policy() -> Policy {
    Policy::default()
}

fn jsonl(spec: &StreamSpec) -> String {
    generate(spec).iter().map(|e| e.to_json().to_string() + "\n").collect()
}

fn run_with(
    input: &str,
    policy: &Policy,
    all: bool,
) -> (Vec<serde_json::Value>, String, highlights_engine::replay::ReplayStats) {
    let (mut out, mut diag) = (Vec::new(), Vec::new());
    let stats = replay(input.as_bytes(), &mut out, &mut diag, EngineSettings::default(), policy, all).unwrap();
    let lines = String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (lines, String::from_utf8(diag).unwrap(), stats)
}

fn run(input: &str, policy: &Policy) -> (Vec<serde_json::Value>, String, highlights_engine::replay::ReplayStats) {
    run_with(input, policy, false)
}

#[test]
fn prints_posted_highlights_with_the_documented_fields_in_posting_order() {
    let mut spec = StreamSpec::new("live-r", T0, 11);
    spec.viewers = 2_000.0;
    let spec = spec.plant_random(8);
    let (posted, diag, stats) = run(&jsonl(&spec), &Policy { post_delay_ms: POST_DELAY_MS, ..policy() });
    assert!(!posted.is_empty());
    let keys: Vec<_> = posted[0].as_object().unwrap().keys().cloned().collect();
    let mut expected = vec![
        "live_id",
        "start_ms",
        "end_ms",
        "peak_ms",
        "identified_at_ms",
        "post_at_ms",
        "product_id",
        "score",
        "signals",
    ];
    expected.sort();
    let mut got = keys.clone();
    got.sort();
    assert_eq!(got, expected);
    for w in posted.windows(2) {
        assert!(w[0]["post_at_ms"].as_i64() <= w[1]["post_at_ms"].as_i64());
    }
    for p in &posted {
        assert_eq!(p["post_at_ms"].as_i64().unwrap() - p["identified_at_ms"].as_i64().unwrap(), POST_DELAY_MS);
    }
    assert_eq!(stats.malformed + stats.unknown_type, 0);
    assert!(diag.contains("auto-posted"));
}

#[test]
fn caps_from_flags_are_obeyed() {
    let mut spec = StreamSpec::new("live-caps", T0, 12);
    spec.viewers = 3_000.0;
    spec.products.truncate(1);
    let spec = spec.plant_random(10);
    let policy = Policy { max_per_live: 4, max_per_product: 2, ..policy() };
    let (posted, _, stats) = run(&jsonl(&spec), &policy);
    assert_eq!(posted.len(), 2, "one product, at most two posts for it");
    assert!(stats.recommended >= 1, "the rest become recommendations");
}

#[test]
fn malformed_lines_and_unknown_types_are_counted_not_fatal() {
    let mut spec = StreamSpec::new("chat-only", T0, 13);
    spec.comments_only = true;
    spec.with_start_end = false;
    spec.viewers = 3_000.0;
    let spec = spec.plant_random(4);
    let mut input = jsonl(&spec);
    input.insert_str(
        0,
        "garbage\n{\"ts_ms\":1}\n\n{\"ts_ms\":5,\"live_id\":\"x\",\"type\":\"teleport\"}\n\u{fffd}\u{fffd}\n",
    );
    let (posted, diag, stats) = run(&input, &policy());
    assert_eq!((stats.malformed, stats.unknown_type), (3, 1));
    assert!(diag.contains("warning: line 1"));
    // Chat alone still yields moments; with no product pinned none is shoppable, so none posts.
    assert!(stats.recommended > 0, "a chat-only stream still yields moments: {stats:?}");
    assert!(posted.is_empty(), "a moment tied to no product is never auto-posted: {posted:?}");
}

#[test]
fn invalid_utf8_is_skipped() {
    let (mut out, mut diag) = (Vec::new(), Vec::new());
    let input: &[u8] = b"\xff\xfe\n{\"ts_ms\":1,\"live_id\":\"l\",\"type\":\"comment\"}\n";
    let stats = replay(input, &mut out, &mut diag, EngineSettings::default(), &policy(), false).unwrap();
    assert_eq!((stats.malformed, stats.events), (1, 1));
}

#[test]
fn all_prints_recommendations_too_each_with_its_kind() {
    let mut spec = StreamSpec::new("live-all", T0, 14);
    spec.viewers = 3_000.0;
    spec.products.truncate(1);
    let input = jsonl(&spec.plant_random(8));
    let policy = Policy { max_per_live: 3, max_per_product: 2, ..policy() };
    let (quiet, _, _) = run(&input, &policy);
    let (all, _, stats) = run_with(&input, &policy, true);
    assert!(quiet.iter().all(|l| l.get("kind").is_none()), "without --all the lines stay as they were");
    assert_eq!(all.len() as u64, stats.moments, "one line per moment");
    let kinds: Vec<&str> = all.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "auto").count(), quiet.len());
    assert!(kinds.contains(&"recommendation"), "{kinds:?}");
    for l in &all {
        assert_eq!(l["post_at_ms"].is_null(), l["kind"] == "recommendation", "{l}");
    }
}
