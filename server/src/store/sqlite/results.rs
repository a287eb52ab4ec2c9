//! What posted videos earn: viewer events on them (views, LIVE-room entries, product clicks,
//! attributed orders) summed per highlight, each change a new version clients pull.

use std::collections::HashSet;

use highlights_api::{IngestResult, ViewerEventBatch};
use rusqlite::{Connection, OptionalExtension, params};

use super::shared::next_seq;
use crate::store::contract::StoreError;
use crate::store::rules;

/// Adds a batch of viewer events to their highlights' results. Bad events, and events on a
/// highlight that was never posted, are counted and skipped, never fatal.
pub(super) fn ingest(conn: &Connection, batch: ViewerEventBatch) -> Result<IngestResult, StoreError> {
    let (events, bad) = rules::viewer_events(batch.events);
    let mut posted = HashSet::new();
    let mut was_posted = conn.prepare_cached("SELECT posted_at_ms IS NOT NULL FROM highlights WHERE id = ?1")?;
    for id in events.iter().map(|e| &e.highlight_id).collect::<HashSet<_>>() {
        if was_posted.query_row([id], |r| r.get(0)).optional()?.unwrap_or(false) {
            posted.insert(id.clone());
        }
    }
    let (sums, accepted, skipped) = rules::sum_viewer_events(events, &posted);
    for (id, r) in sums {
        conn.prepare_cached(
            "INSERT INTO results (highlight_id, views, watch_ms, live_entries, product_clicks, orders, gmv_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (highlight_id) DO UPDATE SET views = views + ?2, watch_ms = watch_ms + ?3,
                 live_entries = live_entries + ?4, product_clicks = product_clicks + ?5, orders = orders + ?6,
                 gmv_minor = gmv_minor + ?7",
        )?
        .execute(params![
            id,
            r.views as i64,
            r.watch_ms as i64,
            r.live_entries as i64,
            r.product_clicks as i64,
            r.orders as i64,
            r.gmv_minor
        ])?;
        let seq = next_seq(conn)?;
        conn.prepare_cached("UPDATE highlights SET seq = ?2 WHERE id = ?1")?.execute(params![id, seq])?;
    }
    Ok(IngestResult { accepted, skipped: skipped + bad, out_of_window: 0 })
}

/// Views and GMV of a seller's posted videos, summed: (videos, views, GMV in minor units).
pub(super) fn of_posted(conn: &Connection, seller_id: &str) -> Result<(u32, u64, i64), StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(r.views), 0), coalesce(sum(r.gmv_minor), 0)
             FROM highlights h LEFT JOIN results r ON r.highlight_id = h.id
             WHERE h.seller_id = ?1 AND h.posted_at_ms IS NOT NULL",
        )?
        .query_row([seller_id], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?)))?)
}
