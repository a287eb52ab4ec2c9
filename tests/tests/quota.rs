//! A seller-made video past the server's render quota: the backend refuses it with
//! `video_quota_reached`, and the core shows the seller a notice of that kind (which the shells word
//! in the seller's language), not a generic refusal.

use highlights_core::Event;
use highlights_core::view::NoticeKind;
use highlights_e2e::{Backend, Device};
use highlights_server::media::Ffmpeg;
use highlights_server::serve::{ServeOptions, Videos};
use highlights_server::store::RenderQuota;
use serde_json::json;

const T0: i64 = 1_793_491_200_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_past_the_quota_reaches_the_view_as_its_own_reason() {
    // Renders that never finish (no such programs): the first video stays in the making.
    let nowhere = Ffmpeg::with_programs("/nonexistent/ffmpeg".into(), "/nonexistent/ffprobe".into());
    let quota = RenderQuota { max_queued: 1, max_per_day: 100 };
    let b = Backend::start_with(ServeOptions {
        videos: Videos::RenderWith(nowhere),
        render_quota: quota,
        ..Default::default()
    })
    .await;
    let token = b.seller("seller-q").await;
    b.ingest(
        "seller-q",
        vec![
            json!({"ts_ms": T0, "live_id": "live-q", "type": "live_start", "title": "Spring sale"}),
            json!({"ts_ms": T0 + 1000, "live_id": "live-q", "type": "product_pin", "product_id": "sku-1", "name": "Serum"}),
            json!({"ts_ms": T0 + 1_800_000, "live_id": "live-q", "type": "live_end"}),
        ],
    )
    .await;
    let d = Device::new("seller-q", &b.url(), &token);
    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::OpenModule).unwrap();
    d.core.dispatch(Event::OpenRecording { recording_id: "live-q".into() }).unwrap();
    for start in [60_000, 120_000] {
        d.core
            .dispatch(Event::CreateVideo {
                recording_id: "live-q".into(),
                start_ms: T0 + start,
                end_ms: T0 + start + 30_000,
                product_id: "sku-1".into(),
            })
            .unwrap();
    }

    let report = d.syncer.sync().await.unwrap();
    assert_eq!((report.push.delivered, report.push.rejected), (1, 1), "{report:?}");
    let v = d.core.view().unwrap();
    let notice = v.notice.expect("the seller is told");
    assert_eq!(notice.kind, NoticeKind::VideoQuotaReached, "{notice:?}");
    assert!(notice.message.contains("at most 1 can be at once"), "{notice:?}");
    assert_eq!(v.sync.pending_actions, 0, "a refusal is final: nothing is retried");
    let made =
        v.recording.unwrap().highlights.iter().filter(|h| h.kind == highlights_api::HighlightKind::Manual).count();
    assert_eq!(made, 1, "only the accepted video shows");
}
