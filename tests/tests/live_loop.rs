//! The whole loop: LIVE events → engine → highlights scheduled and posted → REST → core sync →
//! SQLite → the module the seller sees.

use highlights_core::Event;
use highlights_core::view::HighlightBadge;
use highlights_e2e::{Backend, Device};
use highlights_engine::sim::{StreamSpec, generate};

/// In 2030, so posting follows the stream clock, not the wall clock.
const T0: i64 = 1_900_000_000_000;

#[tokio::test]
async fn ingested_events_become_highlights_in_the_module() {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    let d = Device::new("seller-a", &b.url(), &token);
    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::SetToggle { on: true }).unwrap();
    d.core.dispatch(Event::ConfirmOnboarding).unwrap();
    d.syncer.sync().await.unwrap();

    let mut spec = StreamSpec::new("live-demo", T0, 42);
    spec.viewers = 800.0;
    spec.duration_s = 20 * 60;
    let events: Vec<_> = generate(&spec.plant_random(6)).iter().map(|e| e.to_json()).collect();
    let end = events.iter().position(|e| e["type"] == "live_end").unwrap();
    b.ingest("seller-a", events[..end].to_vec()).await;
    b.store().post_due(0).await.unwrap();

    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::OpenModule).unwrap();
    let v = d.core.view().unwrap();
    let row = &v.module.recordings[0];
    assert!(row.is_live && row.highlight_count >= 3, "{row:?}");
    d.core.dispatch(Event::OpenRecording { recording_id: "live-demo".into() }).unwrap();
    let rec = d.core.view().unwrap().recording.unwrap();
    assert!(rec.highlights.iter().any(|h| h.badge == HighlightBadge::LiveNow), "posted while LIVE: LIVE-now");
    assert!(rec.highlights.iter().all(|h| !h.signals.is_empty()));

    b.ingest("seller-a", events[end..].to_vec()).await;
    b.store().post_due(i64::MAX / 2).await.unwrap();
    d.syncer.sync().await.unwrap();
    let v = d.core.view().unwrap();
    let rec = v.recording.unwrap();
    assert!(!rec.recording.is_live);
    assert!(rec.highlights.iter().all(|h| h.badge != HighlightBadge::LiveNow), "LIVE-now cleared after live_end");
    assert!(rec.highlights.iter().all(|h| h.badge != HighlightBadge::Scheduled), "all due posts went out");
    assert!(rec.highlights.len() <= 20);
}
