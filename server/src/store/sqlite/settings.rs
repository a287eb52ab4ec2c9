//! The seller's Highlights settings, with optimistic concurrency.

use highlights_api::{Settings, SettingsPatch};
use rusqlite::{Connection, OptionalExtension, params};

use super::shared::{json, next_seq};
use super::{config, learning};
use crate::store::contract::StoreError;
use crate::store::rules;

/// The seller's settings and their change sequence number.
pub(super) fn load(conn: &Connection, seller_id: &str) -> Result<(Settings, i64), StoreError> {
    conn.prepare_cached(
        "SELECT highlights_on, onboarding_completed, popup_shows, popup_dismissed_at_ms, version, updated_at_ms, seq,
             next_live_highlights_on, review_before_posting, only_products, posting_bar
         FROM settings WHERE seller_id = ?1",
    )?
    .query_row([seller_id], |r| {
        Ok((
            Settings {
                highlights_on: r.get(0)?,
                onboarding_completed: r.get(1)?,
                popup_shows: r.get(2)?,
                popup_dismissed_at_ms: r.get(3)?,
                version: r.get(4)?,
                updated_at_ms: r.get(5)?,
                next_live_highlights_on: r.get(7)?,
                review_before_posting: r.get(8)?,
                // Written only by `store` below, from a validated list.
                only_products: serde_json::from_str(&r.get::<_, String>(9)?).unwrap_or_default(),
                // Written only from a `PostingBar` (by `store` and by the bar's learning).
                posting_bar: serde_json::from_str(&r.get::<_, String>(10)?).unwrap_or_default(),
            },
            r.get(6)?,
        ))
    })
    .optional()?
    .ok_or(StoreError::NotFound("settings"))
}

/// Applies a patch; a stale `expected_version` is refused with the current state.
pub(super) fn patch(conn: &Connection, seller_id: &str, p: &SettingsPatch) -> Result<Settings, StoreError> {
    let (current, _) = load(conn, seller_id)?;
    let patched = rules::patched(current.clone(), p)?;
    if p.reset_posting_bar == Some(true) {
        learning::reset_bar(conn, seller_id, config::silent_before(conn, crate::clock::now_ms())?)?;
    }
    match patched {
        None => Ok(current),
        Some(mut s) => {
            store(conn, seller_id, &mut s)?;
            Ok(s)
        }
    }
}

/// Writes changed settings as a new version clients pull.
fn store(conn: &Connection, seller_id: &str, s: &mut Settings) -> Result<(), StoreError> {
    s.version += 1;
    let seq = next_seq(conn)?;
    conn.prepare_cached(
        "UPDATE settings SET highlights_on = ?2, onboarding_completed = ?3, popup_shows = ?4, popup_dismissed_at_ms = ?5,
             version = ?6, updated_at_ms = ?7, seq = ?8, next_live_highlights_on = ?9, review_before_posting = ?10,
             only_products = ?11, posting_bar = ?12
         WHERE seller_id = ?1",
    )?
    .execute(params![
        seller_id,
        s.highlights_on,
        s.onboarding_completed,
        s.popup_shows,
        s.popup_dismissed_at_ms,
        s.version,
        s.updated_at_ms,
        seq,
        s.next_live_highlights_on,
        s.review_before_posting,
        serde_json::to_string(&s.only_products).map_err(|e| StoreError::backend("writing settings", e))?,
        json(&s.posting_bar)
    ])?;
    Ok(())
}

/// A LIVE starts: whether it gets highlights. A seller who switched the next LIVE off gets this
/// one off, and the choice is used up (back on for the LIVE after).
pub(super) fn take_next_live_choice(conn: &Connection, seller_id: &str) -> Result<bool, StoreError> {
    // A seller with no settings row never chose anything; any other failure is the store's.
    let mut s = match load(conn, seller_id) {
        Ok((s, _)) => s,
        Err(StoreError::NotFound(_)) => return Ok(true),
        Err(e) => return Err(e),
    };
    if s.next_live_highlights_on {
        return Ok(true);
    }
    s.next_live_highlights_on = true;
    store(conn, seller_id, &mut s)?;
    Ok(false)
}

/// Whether the seller asked to approve auto-posts before they go out.
pub(super) fn review_before_posting(conn: &Connection, seller_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT review_before_posting FROM settings WHERE seller_id = ?1")?
        .query_row([seller_id], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

/// Whether a LIVE is among those the seller wants highlights of: every LIVE, or, with products
/// chosen, one that shows (pins or sells) one of them. An SQL condition on `s` (the seller's
/// settings row) and a LIVE id expression, shared by storing moments and by posting.
pub(super) fn includes_live_sql(live_id: &str) -> String {
    format!(
        "(coalesce(s.only_products, '[]') = '[]' OR EXISTS (SELECT 1 FROM live_products p, json_each(s.only_products) j
             WHERE p.live_id = {live_id} AND p.product_id = j.value))"
    )
}

/// Whether the seller wants highlights of this LIVE by their product choice (see [`includes_live_sql`]).
pub(super) fn includes_live(conn: &Connection, seller_id: &str, live_id: &str) -> Result<bool, StoreError> {
    let sql = format!("SELECT {} FROM settings s WHERE s.seller_id = ?1", includes_live_sql("?2"));
    Ok(conn.prepare_cached(&sql)?.query_row(params![seller_id, live_id], |r| r.get(0)).optional()?.unwrap_or(true))
}

/// Whether the seller's Highlights toggle is on now.
pub(super) fn toggle_on(conn: &Connection, seller_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT highlights_on FROM settings WHERE seller_id = ?1")?
        .query_row([seller_id], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}
