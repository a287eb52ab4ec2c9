//! Every earlier schema version upgrades to the current one with its data kept.

mod common;

use common::*;
use highlights_core::Event;
use highlights_core::testing::create_db_at_version;
use highlights_core::testing::{Action, SCHEMA_VERSION};
use highlights_core::view::HighlightBadge;
use rusqlite::params;

/// Writes, with plain SQL naming the columns of schema version 1 (later versions add columns with
/// defaults), what a v1 app would have cached and queued.
fn fill_v1(conn: &rusqlite::Connection) {
    conn.execute(
        "INSERT INTO settings (seller_id, highlights_on, onboarding_completed, popup_shows, popup_dismissed_at_ms, version,
             updated_at_ms) VALUES ('seller-a', 1, 1, 2, NULL, 7, ?1)",
        params![T0],
    )
    .unwrap();
    let cfg = serde_json::to_string(&config()).unwrap();
    conn.execute(
        "INSERT INTO remote_config (seller_id, json, fetched_at_ms) VALUES ('seller-a', ?1, ?2)",
        params![cfg, T0],
    )
    .unwrap();
    let l = live(1);
    conn.execute(
        "INSERT INTO lives (seller_id, id, title, started_at_ms, ended_at_ms, is_live, seq)
         VALUES ('seller-a', ?1, ?2, ?3, ?4, 0, 1)",
        params![l.id, l.title, l.started_at_ms, l.ended_at_ms],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO live_products (seller_id, live_id, product_id, name) VALUES ('seller-a', ?1, 'sku-1', 'Serum')",
        params![l.id],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO highlights (seller_id, id, live_id, kind, status, live_now, start_ms, end_ms, product_id, score, signals,
             post_at_ms, format, seq)
         VALUES ('seller-a', 'h1', ?1, 'auto', 'posted', 0, ?2, ?3, 'sku-1', 3.5, '[\"orders 4x\"]', NULL,
         '{\"auto_subtitles\":true,\"arrow_to_live\":false,\"click_now_end_card\":false,\"background_music\":false}', 2)",
        params![l.id, l.started_at_ms, l.started_at_ms + 20_000],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO outbox (seller_id, idempotency_key, op, created_at_ms) VALUES ('seller-a', 'k1', '{\"type\":\"set_highlights\",\"on\":false}', ?1)",
        params![T0],
    )
    .unwrap();
}

/// A ready video as cached by schema versions 3 and later.
const VIDEO: &str = r#"{"state":"ready","duration_ms":20000,"video_url":"http://127.0.0.1:9/v1/media/h1/video.mp4","thumbnail_url":"http://127.0.0.1:9/v1/media/h1/thumbnail.jpg"}"#;
/// Results as cached by schema versions 8 and later.
const RESULTS: &str = r#"{"views":12,"watch_ms":1000,"live_entries":1,"product_clicks":2,"orders":1,"gmv_minor":4990}"#;

#[test]
fn every_earlier_schema_version_upgrades_with_its_data_kept() {
    for version in 1..SCHEMA_VERSION {
        let dev = Device::new();
        {
            let conn = create_db_at_version(&dev.db(), version).unwrap();
            fill_v1(&conn);
            // Versions with a video (3) and results (8) columns have them filled as that app did.
            if version >= 3 {
                conn.execute(&format!("UPDATE highlights SET video = '{VIDEO}'"), []).unwrap();
            }
            if version >= 8 {
                conn.execute(&format!("UPDATE highlights SET results = '{RESULTS}'"), []).unwrap();
            }
            if version >= 9 {
                conn.execute(
                    "UPDATE highlights SET thumbnail_url = json_extract(video, '$.thumbnail_url'), views = 12, gmv_minor = 4990",
                    [],
                )
                .unwrap();
            }
        }
        let core = dev.open("seller-a");
        let v = core.view().unwrap();
        assert!(!v.highlights.on, "v{version}: server said on, the queued action says off");
        assert_eq!(
            v.highlights.limits.unwrap().max_posts_per_live,
            config().max_posts_per_live,
            "the stored config, as it was"
        );
        let pending = core.pending_actions();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].action, Action::SetToggle { on: false });
        assert_eq!(pending[0].attempts, 0, "new retry columns get their defaults");
        core.dispatch(Event::OpenModule).unwrap();
        let row = core.view().unwrap().module.recordings.into_iter().find(|r| r.id == live(1).id).unwrap();
        // The module's plain columns are filled from what the older cache held.
        let cover = (version >= 3).then(|| "http://127.0.0.1:9/v1/media/h1/thumbnail.jpg".to_string());
        assert_eq!(row.cover_url, cover, "v{version}");
        assert_eq!((row.views, row.gmv_minor), if version >= 8 { (12, 4990) } else { (0, 0) }, "v{version}");
        core.dispatch(Event::OpenRecording { recording_id: live(1).id }).unwrap();
        let rec = core.view().unwrap().recording.unwrap();
        assert_eq!(rec.highlights.len(), 1);
        assert_eq!(rec.highlights[0].badge, HighlightBadge::Posted);
        assert!(rec.highlights[0].format.auto_subtitles);
        assert_eq!(core.sync_cursor().unwrap(), 0, "v2 sync state starts from scratch");
        // The upgraded file keeps working for new writes.
        core.dispatch(Event::SetToggle { on: true }).unwrap();
        drop(core);
        assert!(dev.open("seller-a").view().unwrap().highlights.on);
    }
}
