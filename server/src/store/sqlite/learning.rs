//! What the store learns from each seller: their auto-post bar, taken in from their ended LIVEs
//! when their next LIVE opens, and what each format variant earned them and everyone.

use highlights_api::{FormatSpec, FormatVariant, HighlightKind, HighlightStatus, LiveStatus, PostingBar};
use highlights_engine::learn::{Earned, FormatChoice, Learning, SellerBar};
use rusqlite::{Connection, OptionalExtension, params};

use super::shared::{json, next_seq};
use crate::store::contract::StoreError;
use crate::store::learning::{self, Handled, LIVES_TAKEN_IN};

/// The bar shift a LIVE the seller is opening now gets: first the seller's ended LIVEs not taken
/// in yet are (at most [`LIVES_TAKEN_IN`], oldest first), then the shift is read. A control-arm
/// seller, or any with learning off, gets 0: the settings' bar.
pub(super) fn bar_for_new_live(conn: &Connection, seller_id: &str, how: &Learning) -> Result<f64, StoreError> {
    if !learning::learns_bar(seller_id, how) {
        // Learning switched off since: the apps stop saying the bar moved, as it no longer does.
        let shown: Option<String> = conn
            .prepare_cached("SELECT posting_bar FROM settings WHERE seller_id = ?1")?
            .query_row([seller_id], |r| r.get(0))
            .optional()?;
        if shown.is_some_and(|s| serde_json::from_str::<PostingBar>(&s).unwrap_or_default() != PostingBar::default()) {
            show(conn, seller_id, PostingBar::default())?;
        }
        return Ok(0.0);
    }
    let mut lives: Vec<String> = conn
        .prepare_cached(
            "SELECT id FROM lives WHERE seller_id = ?1 AND bar_learned = 0 AND status = ?2
             ORDER BY started_at_ms DESC, id DESC LIMIT ?3",
        )?
        .query_map(params![seller_id, LiveStatus::Ended.as_str(), LIVES_TAKEN_IN], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut bar = load(conn, seller_id)?;
    if lives.is_empty() {
        return Ok(bar.shift(&how.bar));
    }
    lives.reverse();
    let mut rows = conn.prepare_cached(
        "SELECT kind, status, score, posted_at_ms IS NOT NULL, removed_at_ms FROM highlights WHERE live_id = ?1",
    )?;
    for live_id in &lives {
        let handled: Vec<Handled> = rows
            .query_map([live_id], |r| {
                let (kind, status): (String, String) = (r.get(0)?, r.get(1)?);
                Ok(Handled {
                    // The schema's CHECK constraints allow only known spellings.
                    kind: HighlightKind::parse(&kind).unwrap_or(HighlightKind::Manual),
                    status: HighlightStatus::parse(&status).unwrap_or(HighlightStatus::Removed),
                    score: r.get(2)?,
                    was_posted: r.get(3)?,
                    removed_at_ms: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        bar.learn_live(&how.bar, &learning::feedback(&handled));
    }
    conn.prepare_cached("UPDATE lives SET bar_learned = 1 WHERE seller_id = ?1 AND bar_learned = 0 AND status = ?2")?
        .execute(params![seller_id, LiveStatus::Ended.as_str()])?;
    save(conn, seller_id, &bar, learning::posting_bar(&bar, how))?;
    Ok(bar.shift(&how.bar))
}

fn load(conn: &Connection, seller_id: &str) -> Result<SellerBar, StoreError> {
    let state: Option<String> = conn
        .prepare_cached("SELECT state FROM seller_bars WHERE seller_id = ?1")?
        .query_row([seller_id], |r| r.get(0))
        .optional()?;
    Ok(learning::stored_bar(state.as_deref()))
}

/// Stores the seller's bar and what the apps show of it, as a settings change they pull (the
/// settings' version stays: the seller changed nothing, so no edit of theirs goes stale).
fn save(conn: &Connection, seller_id: &str, bar: &SellerBar, shown: PostingBar) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO seller_bars (seller_id, state) VALUES (?1, ?2) ON CONFLICT (seller_id) DO UPDATE SET state = ?2",
    )?
    .execute(params![seller_id, json(bar)])?;
    show(conn, seller_id, shown)
}

/// Stores what the apps show of the seller's bar, as a settings change they pull.
fn show(conn: &Connection, seller_id: &str, shown: PostingBar) -> Result<(), StoreError> {
    let seq = next_seq(conn)?;
    conn.prepare_cached("UPDATE settings SET posting_bar = ?2, seq = ?3 WHERE seller_id = ?1 AND posting_bar <> ?2")?
        .execute(params![seller_id, json(&shown), seq])?;
    Ok(())
}

/// Forgets the seller's learned bar: their next LIVE gets the settings' bar, and what they did
/// before now is not taken in again.
pub(super) fn reset_bar(conn: &Connection, seller_id: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM seller_bars WHERE seller_id = ?1")?.execute([seller_id])?;
    conn.prepare_cached("UPDATE lives SET bar_learned = 1 WHERE seller_id = ?1 AND bar_learned = 0")?
        .execute([seller_id])?;
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

/// Adds what a clip earned to its format's results, the seller's and everyone's, in the viewer
/// batch's transaction (so a batch applied once counts once).
pub(super) fn record_format(
    conn: &Connection,
    seller_id: &str,
    format: &FormatSpec,
    views: u64,
    converted: u64,
) -> Result<(), StoreError> {
    let variant = learning::variant_of(format).as_str();
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
