//! The render quota's counts, taken inside the transaction that queues a seller-made video, under
//! a per-seller lock: two requests at once cannot both take the last place.

use highlights_api::{HighlightKind, VideoState};

use super::shared::{Tx, exec, one, rows};
use crate::store::contract::StoreError;
use crate::store::quota::{QUOTA_WINDOW_MS, RenderQuota};

/// Admits one more seller-made video by `quota` (see [`RenderQuota::admit`]); the seller's quota
/// stays locked until the transaction ends.
pub(super) async fn admit(tx: &Tx<'_>, seller_id: &str, quota: &RenderQuota, now_ms: i64) -> Result<(), StoreError> {
    exec(tx, "SELECT pg_advisory_xact_lock(hashtextextended('render quota' || chr(10) || $1, 0))", &[&seller_id])
        .await?;
    let queued: i64 = one(
        tx,
        "SELECT count(*) FROM highlights h JOIN videos v ON v.highlight_id = h.id
         WHERE h.seller_id = $1 AND h.kind = $2 AND v.state = $3",
        &[&seller_id, &HighlightKind::Manual.as_str(), &VideoState::Rendering.as_str()],
    )
    .await?;
    let made: Vec<i64> = rows(
        tx,
        "SELECT created_at_ms FROM video_creations WHERE seller_id = $1 AND created_at_ms > $2 ORDER BY created_at_ms",
        &[&seller_id, &(now_ms - QUOTA_WINDOW_MS)],
    )
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, _>>()?;
    quota.admit(u32::try_from(queued).unwrap_or(u32::MAX), &made, now_ms)
}

/// Records that the seller made a video now; creations that left the window are forgotten, so
/// the table holds at most about a day's quota per seller.
pub(super) async fn record(tx: &Tx<'_>, seller_id: &str, highlight_id: &str, now_ms: i64) -> Result<(), StoreError> {
    exec(
        tx,
        "DELETE FROM video_creations WHERE seller_id = $1 AND created_at_ms <= $2",
        &[&seller_id, &(now_ms - QUOTA_WINDOW_MS)],
    )
    .await?;
    exec(
        tx,
        "INSERT INTO video_creations (seller_id, highlight_id, created_at_ms) VALUES ($1, $2, $3)",
        &[&seller_id, &highlight_id, &now_ms],
    )
    .await?;
    Ok(())
}
