//! The seller's Highlights settings, with optimistic concurrency.

use highlights_api::{Settings, SettingsPatch};

use super::shared::{Tx, exec, lock_changes, next_seq, row};
use super::{config, learning};
use crate::store::contract::StoreError;
use crate::store::rules::{self, json};

const COLS: &str = "highlights_on, onboarding_completed, popup_shows, popup_dismissed_at_ms, version, updated_at_ms,
    seq, next_live_highlights_on, review_before_posting, only_products, posting_bar";

/// The seller's settings and their change sequence number; `lock` holds the row to the end of the
/// transaction, for a change based on what was read.
async fn read(tx: &Tx<'_>, seller_id: &str, lock: bool) -> Result<(Settings, i64), StoreError> {
    let sql = format!("SELECT {COLS} FROM settings WHERE seller_id = $1{}", if lock { " FOR UPDATE" } else { "" });
    let r = row(tx, &sql, &[&seller_id]).await?.ok_or(StoreError::NotFound("settings"))?;
    let settings = Settings {
        highlights_on: r.try_get(0)?,
        onboarding_completed: r.try_get(1)?,
        popup_shows: u32::try_from(r.try_get::<_, i64>(2)?).unwrap_or(u32::MAX),
        popup_dismissed_at_ms: r.try_get(3)?,
        version: r.try_get(4)?,
        updated_at_ms: r.try_get(5)?,
        next_live_highlights_on: r.try_get(7)?,
        review_before_posting: r.try_get(8)?,
        // Written only by `store` below, from a validated list.
        only_products: serde_json::from_str(&r.try_get::<_, String>(9)?).unwrap_or_default(),
        // Written only from a `PostingBar` (by `store` and by the bar's learning).
        posting_bar: serde_json::from_str(&r.try_get::<_, String>(10)?).unwrap_or_default(),
    };
    Ok((settings, r.try_get(6)?))
}

/// The seller's settings and their change sequence number.
pub(super) async fn load(tx: &Tx<'_>, seller_id: &str) -> Result<(Settings, i64), StoreError> {
    read(tx, seller_id, false).await
}

/// Applies a patch; a stale `expected_version` is refused with the current state.
pub(super) async fn patch(tx: &Tx<'_>, seller_id: &str, p: &SettingsPatch) -> Result<Settings, StoreError> {
    lock_changes(tx).await?;
    let (current, _) = read(tx, seller_id, true).await?;
    let patched = rules::patched(current.clone(), p)?;
    if p.reset_posting_bar == Some(true) {
        learning::reset_bar(tx, seller_id, config::silent_before(tx, crate::clock::now_ms()).await?).await?;
    }
    match patched {
        None => Ok(current),
        Some(mut s) => {
            store(tx, seller_id, &mut s).await?;
            Ok(s)
        }
    }
}

/// Writes changed settings as a new version clients pull.
async fn store(tx: &Tx<'_>, seller_id: &str, s: &mut Settings) -> Result<(), StoreError> {
    s.version += 1;
    let seq = next_seq(tx).await?;
    let only = serde_json::to_string(&s.only_products).map_err(|e| StoreError::backend("writing settings", e))?;
    exec(
        tx,
        "UPDATE settings SET highlights_on = $2, onboarding_completed = $3, popup_shows = $4, popup_dismissed_at_ms = $5,
             version = $6, updated_at_ms = $7, seq = $8, next_live_highlights_on = $9, review_before_posting = $10,
             only_products = $11, posting_bar = $12
         WHERE seller_id = $1",
        &[
            &seller_id,
            &s.highlights_on,
            &s.onboarding_completed,
            &i64::from(s.popup_shows),
            &s.popup_dismissed_at_ms,
            &s.version,
            &s.updated_at_ms,
            &seq,
            &s.next_live_highlights_on,
            &s.review_before_posting,
            &only,
            &json(&s.posting_bar),
        ],
    )
    .await?;
    Ok(())
}

/// A LIVE starts: whether it gets highlights. A seller who switched the next LIVE off gets this
/// one off, and the choice is used up (back on for the LIVE after).
pub(super) async fn take_next_live_choice(tx: &Tx<'_>, seller_id: &str) -> Result<bool, StoreError> {
    // A seller with no settings row never chose anything; any other failure is the store's. The
    // row is locked only when the choice is to be used up (most LIVEs find nothing chosen), so
    // opening a LIVE rarely waits on, or deadlocks with, the seller changing settings.
    match read(tx, seller_id, false).await {
        Ok((s, _)) if s.next_live_highlights_on => return Ok(true),
        Ok(_) => {}
        Err(StoreError::NotFound(_)) => return Ok(true),
        Err(e) => return Err(e),
    }
    let (mut s, _) = read(tx, seller_id, true).await?;
    if s.next_live_highlights_on {
        return Ok(true);
    }
    s.next_live_highlights_on = true;
    store(tx, seller_id, &mut s).await?;
    Ok(false)
}

/// Whether the seller asked to approve auto-posts before they go out.
pub(super) async fn review_before_posting(tx: &Tx<'_>, seller_id: &str) -> Result<bool, StoreError> {
    let r = row(tx, "SELECT review_before_posting FROM settings WHERE seller_id = $1", &[&seller_id]).await?;
    Ok(r.map(|r| r.try_get(0)).transpose()?.unwrap_or(false))
}

/// Whether a LIVE is among those the seller wants highlights of: every LIVE, or, with products
/// chosen, one that shows (pins or sells) one of them. An SQL condition on `s` (the seller's
/// settings row) and a LIVE id expression, shared by storing moments and by posting.
pub(super) fn includes_live_sql(live_id: &str) -> String {
    format!(
        "(s.only_products = '[]' OR EXISTS (SELECT 1 FROM live_products p
             WHERE p.live_id = {live_id} AND jsonb_exists(s.only_products::jsonb, p.product_id)))"
    )
}

/// Whether the seller wants highlights of this LIVE by their product choice (see [`includes_live_sql`]).
pub(super) async fn includes_live(tx: &Tx<'_>, seller_id: &str, live_id: &str) -> Result<bool, StoreError> {
    let sql = format!("SELECT {} FROM settings s WHERE s.seller_id = $1", includes_live_sql("$2"));
    let r = row(tx, &sql, &[&seller_id, &live_id]).await?;
    Ok(r.map(|r| r.try_get(0)).transpose()?.unwrap_or(true))
}

/// Whether the seller's Highlights toggle is on now.
pub(super) async fn toggle_on(tx: &Tx<'_>, seller_id: &str) -> Result<bool, StoreError> {
    let r = row(tx, "SELECT highlights_on FROM settings WHERE seller_id = $1", &[&seller_id]).await?;
    Ok(r.map(|r| r.try_get(0)).transpose()?.unwrap_or(false))
}
