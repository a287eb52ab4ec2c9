//! LIVE event ingestion: store the events, keep LIVEs and products current, and store what the
//! engine finds in them, all in the caller's transaction.

use std::collections::BTreeSet;

use highlights_api::{IngestBatch, IngestResult, LiveStatus};
use highlights_engine::{EventKind, LiveEvent};
use rusqlite::{Connection, OptionalExtension, params};

use super::shared::next_seq;
use super::{config, highlights, learning, settings};
use crate::store::contract::{Scorer, StoreError, engine_settings_in_force};
use crate::store::rules::{self, BatchState, product_of};

/// Stream time replayed to rebuild a LIVE's detector after a restart: five baseline horizons.
pub const WARM_UP_MS: i64 = 10 * 60 * 1000;

fn bump_live(conn: &Connection, live_id: &str) -> Result<(), StoreError> {
    let seq = next_seq(conn)?;
    conn.prepare_cached("UPDATE lives SET seq = ?2 WHERE id = ?1")?.execute(params![live_id, seq])?;
    Ok(())
}

/// Applies one event to the LIVE it belongs to; false if the LIVE is another seller's.
fn apply(conn: &Connection, seller_id: &str, e: &LiveEvent, batch: &mut BatchState) -> Result<bool, StoreError> {
    let known = batch.ours.get(&e.live_id).copied();
    let owner: Option<String> = match known {
        Some(true) => Some(seller_id.to_string()),
        Some(false) => return Ok(false),
        None => conn
            .prepare_cached("SELECT seller_id FROM lives WHERE id = ?1")?
            .query_row([&e.live_id], |r| r.get(0))
            .optional()?,
    };
    batch.ours.insert(e.live_id.clone(), owner.as_deref().is_none_or(|o| o == seller_id));
    match owner {
        Some(o) if o != seller_id => return Ok(false),
        Some(_) => {}
        None => {
            // A stream may lack live_start: the first event opens the LIVE, and it takes the
            // seller's choice for their next LIVE.
            let highlights_on = settings::take_next_live_choice(conn, seller_id)?;
            let bar_shift = learning::bar_for_new_live(conn, seller_id, &batch.learning, batch.silent_before)?;
            let seq = next_seq(conn)?;
            conn.prepare_cached(
                "INSERT INTO lives (id, seller_id, title, started_at_ms, status, seq, highlights_on, bar_shift)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                e.live_id,
                seller_id,
                "",
                e.ts_ms,
                LiveStatus::Live.as_str(),
                seq,
                highlights_on,
                bar_shift
            ])?;
            batch.opened.push((e.live_id.clone(), bar_shift));
        }
    }
    match &e.kind {
        EventKind::LiveStart { title } => {
            conn.prepare_cached(
                "UPDATE lives SET started_at_ms = min(started_at_ms, ?2), title = coalesce(?3, title) WHERE id = ?1",
            )?
            .execute(params![
                e.live_id,
                e.ts_ms,
                title.as_deref().map(|t| t.chars().take(200).collect::<String>())
            ])?;
            bump_live(conn, &e.live_id)?;
        }
        EventKind::LiveEnd => {
            conn.prepare_cached("UPDATE lives SET ended_at_ms = max(?2, started_at_ms), status = ?3 WHERE id = ?1")?
                .execute(params![e.live_id, e.ts_ms, LiveStatus::Ended.as_str()])?;
            bump_live(conn, &e.live_id)?;
            highlights::clear_live_now(conn, &e.live_id)?;
        }
        _ => {}
    }
    let clock = batch.clock.entry(e.live_id.clone()).or_insert(e.ts_ms);
    *clock = (*clock).max(e.ts_ms);
    if let Some((product_id, name)) = product_of(&e.kind)
        && (name.is_some() || batch.products.insert((e.live_id.clone(), product_id.to_string())))
    {
        let added = conn
            .prepare_cached("INSERT OR IGNORE INTO live_products (live_id, product_id, name) VALUES (?1, ?2, ?3)")?
            .execute(params![e.live_id, product_id, name.unwrap_or(product_id)])?;
        if let Some(name) = name {
            conn.prepare_cached("UPDATE live_products SET name = ?3 WHERE live_id = ?1 AND product_id = ?2")?
                .execute(params![e.live_id, product_id, name])?;
        }
        if added > 0 {
            bump_live(conn, &e.live_id)?;
        }
    }
    Ok(true)
}

/// The last [`WARM_UP_MS`] of a LIVE's stored events, plus the product pinned before them
/// (replayed at the window's start, so the detector sees no long silence between the two).
fn history(conn: &Connection, live_id: &str) -> Result<Vec<LiveEvent>, StoreError> {
    let Some(newest): Option<i64> =
        conn.prepare_cached("SELECT max(ts_ms) FROM events WHERE live_id = ?1")?.query_row([live_id], |r| r.get(0))?
    else {
        return Ok(Vec::new());
    };
    let from = newest - WARM_UP_MS;
    let pin: Option<String> = conn
        .prepare_cached(
            "SELECT json FROM events WHERE live_id = ?1 AND ts_ms < ?2 AND json LIKE '%\"product_pin\"%'
             ORDER BY ts_ms DESC LIMIT 1",
        )?
        .query_row(params![live_id, from], |r| r.get(0))
        .optional()?;
    let mut events = Vec::new();
    if let Some(mut e) = pin.and_then(|j| LiveEvent::parse_line(&j).ok()) {
        e.ts_ms = from;
        events.push(e);
    }
    let mut stmt = conn.prepare_cached("SELECT json FROM events WHERE live_id = ?1 AND ts_ms >= ?2 ORDER BY id")?;
    for json in stmt.query_map(params![live_id, from], |r| r.get::<_, String>(0))? {
        if let Ok(e) = LiveEvent::parse_line(&json?) {
            events.push(e);
        }
    }
    Ok(events)
}

/// Stores a batch and what the engine finds in it; bad events are counted and skipped, never fatal.
/// Moments to post get their video queued when `videos`.
pub(super) fn ingest(
    conn: &Connection,
    batch: IngestBatch,
    scorer: &dyn Scorer,
    videos: bool,
) -> Result<IngestResult, StoreError> {
    let seller_id = batch.seller_id;
    if !highlights_api::is_valid_id(&seller_id)
        || !conn.prepare_cached("SELECT 1 FROM sellers WHERE id = ?1")?.exists([&seller_id])?
    {
        return Err(StoreError::NotFound("seller"));
    }
    let (cfg, _) = config::load(conn)?;
    let settings = engine_settings_in_force(config::engine_settings(conn)?, &cfg);
    // Detectors lost with a restart are rebuilt before the new events reach them.
    let live_ids: BTreeSet<&str> =
        batch.events.iter().filter_map(|e| e.get("live_id").and_then(|v| v.as_str())).collect();
    for live_id in live_ids {
        if !scorer.knows(live_id) {
            scorer.warm_up(&settings, live_id, learning::bar_of_live(conn, live_id)?, &history(conn, live_id)?);
        }
    }
    let mut skipped = 0u64;
    let mut events = Vec::with_capacity(batch.events.len());
    let mut insert = conn.prepare_cached("INSERT INTO events (live_id, ts_ms, json) VALUES (?1, ?2, ?3)")?;
    let silent_before = rules::silent_before(&cfg, crate::clock::now_ms());
    let mut state = BatchState { learning: settings.learning, silent_before, ..BatchState::default() };
    for raw in batch.events {
        let text = raw.to_string();
        match LiveEvent::from_value(raw) {
            Ok(e) if apply(conn, &seller_id, &e, &mut state)? => {
                insert.execute(params![e.live_id, e.ts_ms, text])?;
                events.push(e);
            }
            Ok(e) => {
                tracing::warn!(live_id = %e.live_id, "event for another seller's LIVE skipped");
                skipped += 1;
            }
            Err(reason) => {
                tracing::warn!(%reason, "event skipped");
                skipped += 1;
            }
        }
    }
    let arrived = crate::clock::now_ms();
    for (live_id, ts) in &state.clock {
        conn.prepare_cached(
            "UPDATE lives SET last_event_ms = max(coalesce(last_event_ms, 0), ?2), last_seen_at_ms = ?3 WHERE id = ?1",
        )?
        .execute(params![live_id, ts, arrived])?;
    }
    for (live_id, bar_shift) in state.opened.drain(..) {
        scorer.open(&live_id, bar_shift);
    }
    for m in scorer.score(&settings, &events) {
        highlights::store_moment(conn, &seller_id, &m, videos)?;
    }
    Ok(IngestResult { accepted: events.len() as u64, skipped, out_of_window: 0 })
}
