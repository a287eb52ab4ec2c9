//! The demo in fast mode, end to end, checked by its own summary; and its sample through `replay`.

use highlights_demo::{DemoOptions, run, sample};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_end_to_end_and_every_check_holds() {
    let mut out = Vec::new();
    let summary = run(DemoOptions { speed: 1_500.0, data_dir: None }, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    for step in [
        "1. The seller opens",
        "Pop-up:",
        "onboarding overlay",
        "LIVE highlight module",
        "LIVE ended",
        "wait for the seller's OK",
        "Undo:",
        "Results of",
        "Summary",
    ] {
        assert!(text.contains(step), "missing {step:?} in:\n{text}");
    }
    assert!(summary.ok(), "{text}");
    assert!(summary.events > 100_000 && summary.skipped == 0);
    assert!(summary.auto_posted >= 6 && summary.auto_posted <= summary.cap_live);
    assert_eq!(summary.per_product.len(), 3, "each pinned product got its clips");
    assert!(summary.per_product.values().all(|n| *n <= summary.cap_product));
    assert!(summary.posted_live_now >= 1 && summary.live_now_after_end == 0);
    assert_eq!((summary.posted_by_hand, summary.seller_videos, summary.still_scheduled), (1, 1, 0));
    assert!(summary.moments > summary.auto_posted, "moments beyond the caps became recommendations");
}

#[test]
fn the_exported_sample_replays_with_the_same_caps() {
    let input = sample::jsonl(1_793_491_200_000);
    let (mut out, mut diag) = (Vec::new(), Vec::new());
    let stats = highlights_engine::replay::replay(
        input.as_bytes(),
        &mut out,
        &mut diag,
        highlights_engine::EngineSettings::default(),
        &highlights_engine::Policy::default(),
        false,
    )
    .unwrap();
    assert_eq!(stats.malformed + stats.unknown_type, 0);
    let posted: Vec<serde_json::Value> =
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(posted.len() >= 6 && posted.len() <= 9, "{} posted", posted.len());
    assert!(posted.iter().all(|p| p["live_id"] == sample::LIVE_ID));
}
