//! LIVE event ingestion from the streaming service: store the events, keep LIVEs and products current.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use highlights_api::{ApiError as ErrorBody, IngestBatch, IngestResult};
use highlights_engine::{EventKind, LiveEvent};
use rusqlite::{Connection, OptionalExtension, params};

use crate::app::AppState;
use crate::auth::Service;
use crate::db::next_seq;
use crate::error::{ApiError, JsonBody, known_id};
use crate::{highlighter, idempotency};

/// Most events in one batch.
pub const MAX_BATCH: usize = 10_000;

/// Outcome of storing one batch: counts and the events that belong to the seller, in order.
pub struct Stored {
    /// Counts to answer with.
    pub result: IngestResult,
    /// Accepted events, for the engine.
    pub events: Vec<LiveEvent>,
}

fn bump_live(conn: &Connection, live_id: &str) -> Result<(), ApiError> {
    let seq = next_seq(conn)?;
    conn.prepare_cached("UPDATE lives SET seq = ?2 WHERE id = ?1")?.execute(params![live_id, seq])?;
    Ok(())
}

/// What one batch already looked up, so a busy LIVE costs one lookup per batch, not per event.
#[derive(Default)]
struct BatchState {
    /// LIVE id → whether it belongs to the batch's seller.
    ours: HashMap<String, bool>,
    /// LIVE id → newest event time in the batch.
    clock: HashMap<String, i64>,
    /// (LIVE, product) pairs already recorded.
    products: HashSet<(String, String)>,
}

/// Applies one event to the LIVE it belongs to; false if the LIVE is another seller's.
fn apply(conn: &Connection, seller_id: &str, e: &LiveEvent, batch: &mut BatchState) -> Result<bool, ApiError> {
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
            // A stream may lack live_start: the first event opens the LIVE.
            let seq = next_seq(conn)?;
            conn.prepare_cached(
                "INSERT INTO lives (id, seller_id, title, started_at_ms, status, seq) VALUES (?1, ?2, ?3, ?4, 'live', ?5)",
            )?
            .execute(params![e.live_id, seller_id, format!("LIVE {}", e.live_id), e.ts_ms, seq])?;
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
            conn.prepare_cached(
                "UPDATE lives SET ended_at_ms = max(?2, started_at_ms), status = 'ended' WHERE id = ?1",
            )?
            .execute(params![e.live_id, e.ts_ms])?;
            bump_live(conn, &e.live_id)?;
            highlighter::clear_live_now(conn, &e.live_id)?;
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

fn product_of(k: &EventKind) -> Option<(&str, Option<&str>)> {
    match k {
        EventKind::ProductPin { product_id, name } => Some((product_id, name.as_deref())),
        EventKind::ProductClick { product_id } | EventKind::AddToCart { product_id } => Some((product_id, None)),
        EventKind::Order { product_id, .. } => Some((product_id, None)),
        _ => None,
    }
}

/// Stores a batch in one transaction; bad events are counted and skipped, never fatal.
pub fn store(conn: &Connection, batch: IngestBatch) -> Result<Stored, ApiError> {
    known_id("seller", &batch.seller_id)?;
    let known: bool = conn.prepare_cached("SELECT 1 FROM sellers WHERE id = ?1")?.exists([&batch.seller_id])?;
    if !known {
        return Err(ApiError::NotFound("seller".into()));
    }
    let mut skipped = 0u64;
    let mut events = Vec::with_capacity(batch.events.len());
    let mut insert = conn.prepare_cached("INSERT INTO events (live_id, ts_ms, json) VALUES (?1, ?2, ?3)")?;
    let mut state = BatchState::default();
    for raw in batch.events {
        let text = raw.to_string();
        match LiveEvent::from_value(raw) {
            Ok(e) if apply(conn, &batch.seller_id, &e, &mut state)? => {
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
    for (live_id, ts) in &state.clock {
        highlighter::advance_stream_clock(conn, live_id, *ts)?;
    }
    Ok(Stored { result: IngestResult { accepted: events.len() as u64, skipped }, events })
}

/// Takes a batch of LIVE events from the streaming service (service token). Malformed events and
/// unknown types are counted as skipped; the rest are stored and scored. With an
/// `Idempotency-Key`, a batch re-sent after a lost answer is stored once and answered the same.
#[utoipa::path(post, path = "/v1/ingest/events", tag = "ingest", request_body = IngestBatch,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a re-sent batch count once", min_length = 1, max_length = 128)),
    responses((status = 200, body = IngestResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn ingest_events(
    State(s): State<AppState>,
    _service: Service,
    headers: HeaderMap,
    JsonBody(batch): JsonBody<IngestBatch>,
) -> Result<Json<IngestResult>, ApiError> {
    if batch.events.len() > MAX_BATCH {
        return Err(ApiError::BadRequest(format!("at most {MAX_BATCH} events per batch")));
    }
    // Keys are the service's, kept apart from the seller's own request keys.
    let key = idempotency::key(&headers)?.map(|k| format!("ingest:{k}"));
    let fingerprint = idempotency::fingerprint("POST /v1/ingest/events", &batch);
    let highlighter = s.highlighter.clone();
    let result =
        s.db.write(move |tx| {
            let seller = batch.seller_id.clone();
            known_id("seller", &seller)?;
            idempotency::once(tx, &seller, key.as_deref(), &fingerprint, |tx| {
                let live_ids: std::collections::BTreeSet<String> = batch
                    .events
                    .iter()
                    .filter_map(|e| e.get("live_id").and_then(|v| v.as_str()).map(str::to_string))
                    .collect();
                highlighter.warm_up(tx, live_ids.iter().map(String::as_str))?;
                let stored = store(tx, batch)?;
                highlighter.process(tx, &seller, &stored.events)?;
                Ok(stored.result)
            })
        })
        .await?;
    Ok(Json(result))
}
