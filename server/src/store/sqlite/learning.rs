//! What the store learns from each seller: their auto-post bar, taken in from their ended LIVEs
//! when their next LIVE opens, and what each format variant earned them and everyone.

use std::collections::HashMap;

use highlights_api::{FormatSpec, FormatVariant, HighlightKind, HighlightStatus, LiveStatus, PostingBar, Review};
use highlights_engine::learn::{Earned, FormatChoice, Learning, SellerBar};
use rusqlite::{Connection, OptionalExtension, params};

use super::shared::{json, next_seq};
use crate::store::contract::StoreError;
use crate::store::learning::{self, Handled, LIVES_TAKEN_IN};

/// The bar shift a LIVE the seller is opening now gets: first the seller's LIVEs that are over
/// (ended, or gone silent without an end) and not taken in yet are (at most [`LIVES_TAKEN_IN`],
/// oldest first; silent: newest event before `silent_before`), then the shift is read. A control-arm seller, or any with learning off, gets 0:
/// the settings' bar.
pub(super) fn bar_for_new_live(
    conn: &Connection,
    seller_id: &str,
    how: &Learning,
    silent_before: i64,
) -> Result<f64, StoreError> {
    if !learning::learns_bar(seller_id, how) {
        // Learning switched off since: the apps stop saying the bar moved, as it no longer does.
        show(conn, seller_id, PostingBar::default())?;
        return Ok(0.0);
    }
    let mut lives: Vec<String> = conn
        .prepare_cached(&format!(
            "SELECT id FROM lives WHERE seller_id = ?1 AND bar_learned = 0 AND {OVER}
             ORDER BY started_at_ms DESC, id DESC LIMIT ?4"
        ))?
        .query_map(params![seller_id, LiveStatus::Ended.as_str(), silent_before, LIVES_TAKEN_IN], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut bar = load(conn, seller_id)?;
    if lives.is_empty() {
        // Nothing new, but the note may be stale (learning switched off and on since).
        show(conn, seller_id, learning::posting_bar(&bar, how))?;
        return Ok(bar.shift(&how.bar));
    }
    lives.reverse();
    let mut by_live: HashMap<String, Vec<Handled>> = HashMap::new();
    let mut rows = conn.prepare_cached(
        "SELECT live_id, kind, status, score, posted_at_ms IS NOT NULL, removed_at_ms, skipped_at_ms IS NOT NULL,
             review = ?2
         FROM highlights WHERE live_id IN (SELECT value FROM json_each(?1))
         ORDER BY coalesce(identified_at_ms, start_ms), id",
    )?;
    let found = rows.query_map(params![json(&lives), Review::Approved.as_str()], |r| {
        let (kind, status): (String, String) = (r.get(1)?, r.get(2)?);
        Ok((
            r.get::<_, String>(0)?,
            Handled {
                // The schema's CHECK constraints allow only known spellings.
                kind: HighlightKind::parse(&kind).unwrap_or(HighlightKind::Manual),
                status: HighlightStatus::parse(&status).unwrap_or(HighlightStatus::Removed),
                score: r.get(3)?,
                was_posted: r.get(4)?,
                removed_at_ms: r.get(5)?,
                skipped: r.get(6)?,
                approved: r.get(7)?,
            },
        ))
    })?;
    for row in found {
        let (live_id, h) = row?;
        by_live.entry(live_id).or_default().push(h);
    }
    for live_id in &lives {
        bar.learn_live(&how.bar, &learning::feedback(by_live.get(live_id).map_or(&[][..], Vec::as_slice)));
    }
    conn.prepare_cached(&format!(
        "UPDATE lives SET bar_learned = 1 WHERE seller_id = ?1 AND bar_learned = 0 AND {OVER}"
    ))?
    .execute(params![seller_id, LiveStatus::Ended.as_str(), silent_before])?;
    conn.prepare_cached(
        "INSERT INTO seller_bars (seller_id, state) VALUES (?1, ?2) ON CONFLICT (seller_id) DO UPDATE SET state = ?2",
    )?
    .execute(params![seller_id, json(&bar)])?;
    show(conn, seller_id, learning::posting_bar(&bar, how))?;
    Ok(bar.shift(&how.bar))
}

/// A LIVE that is over: ended (`?2`), or gone silent without an end (its newest event arrived
/// before `?3`; one with none noted yet, opened in the same batch, is not).
const OVER: &str = "(status = ?2 OR coalesce(last_seen_at_ms, ?3) < ?3)";

fn load(conn: &Connection, seller_id: &str) -> Result<SellerBar, StoreError> {
    let state: Option<String> = conn
        .prepare_cached("SELECT state FROM seller_bars WHERE seller_id = ?1")?
        .query_row([seller_id], |r| r.get(0))
        .optional()?;
    Ok(learning::stored_bar(seller_id, state.as_deref()))
}

/// Stores what the apps show of the seller's bar, when it changed, as a settings change they pull
/// (the settings' version stays: the seller changed nothing, so no edit of theirs goes stale).
fn show(conn: &Connection, seller_id: &str, shown: PostingBar) -> Result<(), StoreError> {
    let now: Option<String> = conn
        .prepare_cached("SELECT posting_bar FROM settings WHERE seller_id = ?1")?
        .query_row([seller_id], |r| r.get(0))
        .optional()?;
    if now.is_none_or(|s| serde_json::from_str::<PostingBar>(&s).unwrap_or_default() == shown) {
        return Ok(());
    }
    let seq = next_seq(conn)?;
    conn.prepare_cached("UPDATE settings SET posting_bar = ?2, seq = ?3 WHERE seller_id = ?1")?.execute(params![
        seller_id,
        json(&shown),
        seq
    ])?;
    Ok(())
}

/// Forgets the seller's learned bar: their next LIVE gets the settings' bar, and the LIVEs over
/// by now are not taken in again (one still on is, when it is over: the seller acts in it after
/// the reset too).
pub(super) fn reset_bar(conn: &Connection, seller_id: &str, silent_before: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM seller_bars WHERE seller_id = ?1")?.execute([seller_id])?;
    conn.prepare_cached(&format!(
        "UPDATE lives SET bar_learned = 1 WHERE seller_id = ?1 AND bar_learned = 0 AND {OVER}"
    ))?
    .execute(params![seller_id, LiveStatus::Ended.as_str(), silent_before])?;
    Ok(())
}

/// Stops every seller's apps saying their bar moved (an admin switched the bar's learning off).
pub(super) fn show_usual_bars(conn: &Connection) -> Result<(), StoreError> {
    let sellers: Vec<String> = conn
        .prepare_cached("SELECT seller_id FROM settings WHERE posting_bar NOT IN ('{}', ?1)")?
        .query_map([json(&PostingBar::default())], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for seller in sellers {
        show(conn, &seller, PostingBar::default())?;
    }
    Ok(())
}

/// The bar shift a LIVE started with (0 for one not stored).
pub(super) fn bar_of_live(conn: &Connection, live_id: &str) -> Result<f64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT bar_shift FROM lives WHERE id = ?1")?
        .query_row([live_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0.0))
}

/// Adds what clips of a format variant earned to its results, the seller's and everyone's, in the viewer
/// batch's transaction (so a batch applied once counts once).
pub(super) fn record_format(
    conn: &Connection,
    seller_id: &str,
    variant: &str,
    views: u64,
    converted: u64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO format_results (seller_id, variant, views, converted) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (seller_id, variant) DO UPDATE SET views = views + ?3, converted = converted + ?4",
    )?
    .execute(params![seller_id, variant, views as i64, converted as i64])?;
    conn.prepare_cached(
        "INSERT INTO format_totals (variant, views, converted) VALUES (?1, ?2, ?3)
         ON CONFLICT (variant) DO UPDATE SET views = views + ?2, converted = converted + ?3",
    )?
    .execute(params![variant, views as i64, converted as i64])?;
    Ok(())
}

/// What each format variant earned everyone.
pub(super) fn format_totals(conn: &Connection) -> Result<Vec<(String, Earned)>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT variant, views, converted FROM format_totals")?
        .query_map([], |r| {
            Ok((r.get(0)?, Earned { views: r.get::<_, i64>(1)? as f64, converted: r.get::<_, i64>(2)? as f64 }))
        })?
        .collect::<Result<_, _>>()?)
}

/// What each format variant earned one seller.
pub(super) fn format_results(conn: &Connection, seller_id: &str) -> Result<FormatChoice, StoreError> {
    let mut choice = FormatChoice::default();
    let mut stmt = conn.prepare_cached("SELECT variant, views, converted FROM format_results WHERE seller_id = ?1")?;
    for row in
        stmt.query_map([seller_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?
    {
        let (variant, views, converted) = row?;
        choice.record(&variant, views as f64, converted as f64);
    }
    Ok(choice)
}

/// The format of a new clip of the seller's: the bandit's choice for a learning-arm seller, the
/// experiment's assignment (`today`, the hash or an admin's pin) otherwise.
pub(super) fn format_for_clip(
    conn: &Connection,
    seller_id: &str,
    how: &Learning,
    arms: &[FormatVariant],
    today: FormatVariant,
    pinned: bool,
) -> Result<FormatSpec, StoreError> {
    if !learning::learns_formats(seller_id, how, pinned) {
        return Ok(today.spec());
    }
    let own = format_results(conn, seller_id)?;
    Ok(learning::choose_format(how, arms, &format_totals(conn)?, &own, today).spec())
}
