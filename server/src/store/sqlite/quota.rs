//! The render quota's counts, taken inside the transaction that queues a seller-made video (an
//! IMMEDIATE one: no other writer can count meanwhile).

use highlights_api::{HighlightKind, VideoState};
use rusqlite::{Connection, params};

use crate::store::contract::StoreError;
use crate::store::quota::{QUOTA_WINDOW_MS, RenderQuota};

/// Admits one more seller-made video by `quota` (see [`RenderQuota::admit`]).
pub(super) fn admit(conn: &Connection, seller_id: &str, quota: &RenderQuota, now_ms: i64) -> Result<(), StoreError> {
    let queued: u32 = conn
        .prepare_cached(
            "SELECT count(*) FROM highlights h JOIN videos v ON v.highlight_id = h.id
             WHERE h.seller_id = ?1 AND h.kind = ?2 AND v.state = ?3",
        )?
        .query_row(params![seller_id, HighlightKind::Manual.as_str(), VideoState::Rendering.as_str()], |r| r.get(0))?;
    let made = conn
        .prepare_cached(
            "SELECT created_at_ms FROM video_creations WHERE seller_id = ?1 AND created_at_ms > ?2
             ORDER BY created_at_ms",
        )?
        .query_map(params![seller_id, now_ms - QUOTA_WINDOW_MS], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    quota.admit(queued, &made, now_ms)
}

/// Records that the seller made a video now; creations that left the window are forgotten, so
/// the table holds at most about a day's quota per seller.
pub(super) fn record(conn: &Connection, seller_id: &str, highlight_id: &str, now_ms: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM video_creations WHERE seller_id = ?1 AND created_at_ms <= ?2")?
        .execute(params![seller_id, now_ms - QUOTA_WINDOW_MS])?;
    conn.prepare_cached("INSERT INTO video_creations (seller_id, highlight_id, created_at_ms) VALUES (?1, ?2, ?3)")?
        .execute(params![seller_id, highlight_id, now_ms])?;
    Ok(())
}
