//! The seller's Highlights settings, with optimistic concurrency.

use highlights_api::{Settings, SettingsPatch};
use rusqlite::{Connection, OptionalExtension, params};

use super::shared::next_seq;
use crate::store::contract::StoreError;

/// The seller's settings and their change sequence number.
pub(super) fn load(conn: &Connection, seller_id: &str) -> Result<(Settings, i64), StoreError> {
    conn.prepare_cached(
        "SELECT highlights_on, onboarding_completed, popup_shows, popup_dismissed_at_ms, version, updated_at_ms, seq,
             next_live_highlights_on, review_before_posting, only_products
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
            },
            r.get(6)?,
        ))
    })
    .optional()?
    .ok_or(StoreError::NotFound("settings"))
}

fn invalid_change(message: &str) -> StoreError {
    StoreError::rule("invalid_change", message)
}

/// Applies a patch; a stale `expected_version` is refused with the current state.
pub(super) fn patch(conn: &Connection, seller_id: &str, p: &SettingsPatch) -> Result<Settings, StoreError> {
    let (mut s, _) = load(conn, seller_id)?;
    if let Some(v) = p.expected_version
        && v != s.version
    {
        return Err(StoreError::Stale { expected: v, current: Box::new(s) });
    }
    if p.onboarding_completed == Some(false) {
        return Err(invalid_change("onboarding cannot be un-completed"));
    }
    if p.popup_shows_delta.is_some_and(|d| d > 100) {
        return Err(invalid_change("popup_shows_delta is at most 100"));
    }
    if p.popup_dismissed_at_ms.is_some_and(|t| t <= 0) {
        return Err(invalid_change("popup_dismissed_at_ms must be an epoch time"));
    }
    if let Some(ids) = &p.only_products {
        if ids.len() > highlights_api::MAX_ONLY_PRODUCTS {
            return Err(invalid_change(&format!(
                "only_products holds at most {} products",
                highlights_api::MAX_ONLY_PRODUCTS
            )));
        }
        if !ids.iter().all(|id| highlights_api::is_valid_id(id)) {
            return Err(invalid_change("only_products holds product ids"));
        }
    }
    let before = s.clone();
    if let Some(on) = p.highlights_on {
        s.highlights_on = on;
    }
    if p.onboarding_completed == Some(true) {
        s.onboarding_completed = true;
    }
    s.popup_shows = s.popup_shows.saturating_add(p.popup_shows_delta.unwrap_or(0));
    if let Some(t) = p.popup_dismissed_at_ms {
        s.popup_dismissed_at_ms = Some(s.popup_dismissed_at_ms.map_or(t, |d| d.max(t)));
    }
    if let Some(on) = p.next_live_highlights_on {
        s.next_live_highlights_on = on;
    }
    if let Some(on) = p.review_before_posting {
        s.review_before_posting = on;
    }
    if let Some(ids) = &p.only_products {
        let mut ids = ids.clone();
        ids.sort();
        ids.dedup();
        s.only_products = ids;
    }
    if s == before {
        return Ok(s);
    }
    let now = crate::clock::now_ms();
    s.updated_at_ms = p.acted_at_ms.filter(|t| *t > 0).map_or(now, |t| t.min(now));
    store(conn, seller_id, &mut s)?;
    Ok(s)
}

/// Writes changed settings as a new version clients pull.
fn store(conn: &Connection, seller_id: &str, s: &mut Settings) -> Result<(), StoreError> {
    s.version += 1;
    let seq = next_seq(conn)?;
    conn.prepare_cached(
        "UPDATE settings SET highlights_on = ?2, onboarding_completed = ?3, popup_shows = ?4, popup_dismissed_at_ms = ?5,
             version = ?6, updated_at_ms = ?7, seq = ?8, next_live_highlights_on = ?9, review_before_posting = ?10,
             only_products = ?11
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
        serde_json::to_string(&s.only_products).map_err(|e| StoreError::backend("writing settings", e))?
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
