//! LIVE event ingestion: store the events, keep LIVEs and products current, and store what the
//! engine finds in them, all in the caller's transaction.

use std::collections::BTreeSet;

use highlights_api::{IngestBatch, IngestResult, LiveStatus};
use highlights_engine::{EventKind, LiveEvent};

use super::shared::{Tx, exec, exists, lock_changes, next_seq, one, row, rows};
use super::{config, highlights, learning, settings};
use crate::store::contract::{Scorer, StoreError, engine_settings_in_force};
use crate::store::rules::{self, BatchState, product_of};

/// Stream time replayed to rebuild a LIVE's detector after a restart: five baseline horizons.
pub const WARM_UP_MS: i64 = 10 * 60 * 1000;

async fn bump_live(tx: &Tx<'_>, live_id: &str) -> Result<(), StoreError> {
    let seq = next_seq(tx).await?;
    exec(tx, "UPDATE lives SET seq = $2 WHERE id = $1", &[&live_id, &seq]).await?;
    Ok(())
}

/// The owner of a LIVE, creating it for `seller_id` if it is new. A stream may lack live_start:
/// the first event opens the LIVE, and it takes the seller's choice for their next LIVE and their
/// learned bar (noted in `batch.opened`, so its detector starts with it).
async fn owner(tx: &Tx<'_>, seller_id: &str, e: &LiveEvent, batch: &mut BatchState) -> Result<String, StoreError> {
    if let Some(r) = row(tx, "SELECT seller_id FROM lives WHERE id = $1", &[&e.live_id]).await? {
        return Ok(r.try_get(0)?);
    }
    // The change counter before the seller's settings row: workers opening LIVEs of one seller on
    // two partitions would otherwise deadlock. (A settings change takes them the other way; the
    // row is locked here only when a choice is used up, so the two rarely meet.)
    let seq = next_seq(tx).await?;
    let highlights_on = settings::take_next_live_choice(tx, seller_id).await?;
    let bar_shift = learning::bar_for_new_live(tx, seller_id, &batch.learning, batch.silent_before).await?;
    exec(
        tx,
        "INSERT INTO lives (id, seller_id, title, started_at_ms, status, seq, highlights_on, bar_shift)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
        &[&e.live_id, &seller_id, &"", &e.ts_ms, &LiveStatus::Live.as_str(), &seq, &highlights_on, &bar_shift],
    )
    .await?;
    // Another process may have opened it first: its row stands.
    let r = row(tx, "SELECT seller_id, bar_shift FROM lives WHERE id = $1", &[&e.live_id])
        .await?
        .ok_or(StoreError::NotFound("live"))?;
    let owner: String = r.try_get(0)?;
    if owner == seller_id {
        batch.opened.push((e.live_id.clone(), r.try_get(1)?));
    }
    Ok(owner)
}

/// Whether [`apply`] changes anything in the store for an event of this kind once its LIVE's
/// owner is known (a start, an end, a product shown): the others only move the LIVE's clock.
pub(super) fn changes_live(kind: &EventKind) -> bool {
    matches!(kind, EventKind::LiveStart { .. } | EventKind::LiveEnd) || product_of(kind).is_some()
}

/// Events stored row by row, written by one statement: a busy LIVE's second of chat, or a
/// worker's run of entries, is one round trip.
#[derive(Default)]
pub(super) struct StoredEvents {
    lives: Vec<String>,
    times: Vec<i64>,
    texts: Vec<String>,
}

impl StoredEvents {
    /// Adds an event of `live_id` at `ts_ms`, stored as the JSON `text`.
    pub(super) fn push(&mut self, live_id: String, ts_ms: i64, text: String) {
        self.lives.push(live_id);
        self.times.push(ts_ms);
        self.texts.push(text);
    }

    /// Writes what was added, and starts over empty.
    pub(super) async fn flush(&mut self, tx: &Tx<'_>) -> Result<(), StoreError> {
        if self.lives.is_empty() {
            return Ok(());
        }
        let Self { lives, times, texts } = std::mem::take(self);
        exec(
            tx,
            "INSERT INTO events (live_id, ts_ms, json) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])",
            &[&lives, &times, &texts],
        )
        .await?;
        Ok(())
    }
}

/// Applies one event to the LIVE it belongs to; false if the LIVE is another seller's.
pub(super) async fn apply(
    tx: &Tx<'_>,
    seller_id: &str,
    e: &LiveEvent,
    batch: &mut BatchState,
) -> Result<bool, StoreError> {
    let ours = match batch.ours.get(&e.live_id) {
        Some(ours) => *ours,
        None => owner(tx, seller_id, e, batch).await? == seller_id,
    };
    batch.ours.insert(e.live_id.clone(), ours);
    if !ours {
        return Ok(false);
    }
    match &e.kind {
        EventKind::LiveStart { title } => {
            let title = title.as_deref().map(|t| t.chars().take(200).collect::<String>());
            exec(
                tx,
                "UPDATE lives SET started_at_ms = least(started_at_ms, $2), title = coalesce($3::text, title) WHERE id = $1",
                &[&e.live_id, &e.ts_ms, &title],
            )
            .await?;
            bump_live(tx, &e.live_id).await?;
        }
        EventKind::LiveEnd => {
            exec(
                tx,
                "UPDATE lives SET ended_at_ms = greatest($2, started_at_ms), status = $3 WHERE id = $1",
                &[&e.live_id, &e.ts_ms, &LiveStatus::Ended.as_str()],
            )
            .await?;
            bump_live(tx, &e.live_id).await?;
            highlights::clear_live_now(tx, &e.live_id).await?;
        }
        _ => {}
    }
    let clock = batch.clock.entry(e.live_id.clone()).or_insert(e.ts_ms);
    *clock = (*clock).max(e.ts_ms);
    if let Some((product_id, name)) = product_of(&e.kind)
        && (name.is_some() || batch.products.insert((e.live_id.clone(), product_id.to_string())))
    {
        let added = exec(
            tx,
            "INSERT INTO live_products (live_id, product_id, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&e.live_id, &product_id, &name.unwrap_or(product_id)],
        )
        .await?;
        if let Some(name) = name {
            exec(
                tx,
                "UPDATE live_products SET name = $3 WHERE live_id = $1 AND product_id = $2",
                &[&e.live_id, &product_id, &name],
            )
            .await?;
        }
        if added > 0 {
            bump_live(tx, &e.live_id).await?;
        }
    }
    Ok(true)
}

/// The last [`WARM_UP_MS`] of a LIVE's stored events, plus the product pinned before them
/// (replayed at the window's start, so the detector sees no long silence between the two).
pub(super) async fn history(tx: &Tx<'_>, live_id: &str) -> Result<Vec<LiveEvent>, StoreError> {
    let newest: Option<i64> = one(tx, "SELECT max(ts_ms) FROM events WHERE live_id = $1", &[&live_id]).await?;
    let Some(newest) = newest else { return Ok(Vec::new()) };
    let from = newest - WARM_UP_MS;
    let pin = row(
        tx,
        "SELECT json FROM events WHERE live_id = $1 AND ts_ms < $2 AND json LIKE '%\"product_pin\"%'
         ORDER BY ts_ms DESC LIMIT 1",
        &[&live_id, &from],
    )
    .await?;
    let mut events = Vec::new();
    if let Some(mut e) =
        pin.map(|r| r.try_get::<_, String>(0)).transpose()?.and_then(|j| LiveEvent::parse_line(&j).ok())
    {
        e.ts_ms = from;
        events.push(e);
    }
    for r in
        rows(tx, "SELECT json FROM events WHERE live_id = $1 AND ts_ms >= $2 ORDER BY id", &[&live_id, &from]).await?
    {
        if let Ok(e) = LiveEvent::parse_line(r.try_get(0)?) {
            events.push(e);
        }
    }
    Ok(events)
}

/// Stores a batch and what the engine finds in it; bad events are counted and skipped, never fatal.
/// Moments to post get their video queued when `videos`.
pub(super) async fn ingest(
    tx: &Tx<'_>,
    batch: IngestBatch,
    scorer: &dyn Scorer,
    videos: bool,
) -> Result<IngestResult, StoreError> {
    let seller_id = batch.seller_id;
    if !highlights_api::is_valid_id(&seller_id)
        || !exists(tx, "SELECT 1 FROM sellers WHERE id = $1", &[&seller_id]).await?
    {
        return Err(StoreError::NotFound("seller"));
    }
    // Before any LIVE's row: the lock order seller actions follow too (see `lock_changes`).
    lock_changes(tx).await?;
    let (cfg, _) = config::load(tx).await?;
    let settings = engine_settings_in_force(config::engine_settings(tx).await?, &cfg);
    // Detectors lost with a restart are rebuilt before the new events reach them.
    let live_ids: BTreeSet<&str> =
        batch.events.iter().filter_map(|e| e.get("live_id").and_then(|v| v.as_str())).collect();
    for live_id in live_ids {
        if !scorer.knows(live_id) {
            let bar_shift = learning::bar_of_live(tx, live_id).await?;
            scorer.warm_up(&settings, live_id, bar_shift, &history(tx, live_id).await?);
        }
    }
    let mut skipped = 0u64;
    let mut events = Vec::with_capacity(batch.events.len());
    let mut stored = StoredEvents::default();
    let silent_before = rules::silent_before(&cfg, crate::clock::now_ms());
    let mut state = BatchState { learning: settings.learning, silent_before, ..BatchState::default() };
    for raw in batch.events {
        let text = raw.to_string();
        match LiveEvent::from_value(raw) {
            Ok(e) if apply(tx, &seller_id, &e, &mut state).await? => {
                stored.push(e.live_id.clone(), e.ts_ms, text);
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
    stored.flush(tx).await?;
    let arrived = crate::clock::now_ms();
    for (live_id, ts) in &state.clock {
        let n = events.iter().filter(|e| e.live_id == *live_id).count() as i64;
        exec(
            tx,
            "UPDATE lives SET last_event_ms = greatest(coalesce(last_event_ms, 0), $2), last_seen_at_ms = $3,
                    events_applied = events_applied + $4 WHERE id = $1",
            &[live_id, ts, &arrived, &n],
        )
        .await?;
    }
    for (live_id, bar_shift) in state.opened.drain(..) {
        scorer.open(&live_id, bar_shift);
    }
    for m in scorer.score(&settings, &events) {
        highlights::store_moment(tx, &seller_id, &m, videos).await?;
    }
    Ok(IngestResult { accepted: events.len() as u64, skipped, out_of_window: 0 })
}
