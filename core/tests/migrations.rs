//! Every earlier schema version upgrades to the current one with its data kept.

mod common;

use common::*;
use highlights_core::Event;
use highlights_core::testing::create_db_at_version;
use highlights_core::testing::{Action, SCHEMA_VERSION};
use highlights_core::view::HighlightBadge;
use rusqlite::params;

/// Writes, with plain SQL of schema version 1, what a v1 app would have cached and queued (from
/// version 3 on, a highlight row has one more column, its video, still unknown).
fn fill_v1(conn: &rusqlite::Connection, version: usize) {
    let video = if version >= 3 { ", NULL" } else { "" };
    conn.execute("INSERT INTO settings VALUES ('seller-a', 1, 1, 2, NULL, 7, ?1)", params![T0]).unwrap();
    let cfg = serde_json::to_string(&config()).unwrap();
    conn.execute("INSERT INTO remote_config VALUES ('seller-a', ?1, ?2)", params![cfg, T0]).unwrap();
    let l = live(1);
    conn.execute(
        "INSERT INTO lives VALUES ('seller-a', ?1, ?2, ?3, ?4, 0, 1)",
        params![l.id, l.title, l.started_at_ms, l.ended_at_ms],
    )
    .unwrap();
    conn.execute("INSERT INTO live_products VALUES ('seller-a', ?1, 'sku-1', 'Serum')", params![l.id]).unwrap();
    conn.execute(
        &format!(
            "INSERT INTO highlights VALUES ('seller-a', 'h1', ?1, 'auto', 'posted', 0, ?2, ?3, 'sku-1', 3.5, '[\"orders 4x\"]', NULL,
             '{{\"auto_subtitles\":true,\"arrow_to_live\":false,\"click_now_end_card\":false,\"background_music\":false}}', 2{video})"
        ),
        params![l.id, l.started_at_ms, l.started_at_ms + 20_000],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO outbox (seller_id, idempotency_key, op, created_at_ms) VALUES ('seller-a', 'k1', '{\"type\":\"set_highlights\",\"on\":false}', ?1)",
        params![T0],
    )
    .unwrap();
}

#[test]
fn every_earlier_schema_version_upgrades_with_its_data_kept() {
    for version in 1..SCHEMA_VERSION {
        let dev = Device::new();
        {
            let conn = create_db_at_version(&dev.db(), version).unwrap();
            fill_v1(&conn, version);
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
