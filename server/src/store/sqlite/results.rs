//! What posted videos earn: viewer events on them (views, LIVE-room entries, product clicks,
//! attributed orders) summed per highlight, each change a new version clients pull.

use std::collections::{HashMap, HashSet};

use highlights_api::{FormatSpec, IngestResult, ViewerEventBatch};
use rusqlite::{Connection, OptionalExtension, params};

use super::learning;
use super::shared::next_seq;
use crate::store::contract::StoreError;
use crate::store::learning::{converted, variant_of};
use crate::store::rules;

/// Adds a batch of viewer events to their highlights' results. Bad events, and events on a
/// highlight that was never posted, are counted and skipped, never fatal.
pub(super) fn ingest(conn: &Connection, batch: ViewerEventBatch) -> Result<IngestResult, StoreError> {
    let (events, bad) = rules::viewer_events(batch.events);
    let mut posted = HashMap::new();
    let mut was_posted =
        conn.prepare_cached("SELECT seller_id, format FROM highlights WHERE id = ?1 AND posted_at_ms IS NOT NULL")?;
    for id in events.iter().map(|e| &e.highlight_id).collect::<HashSet<_>>() {
        if let Some((seller, format)) =
            was_posted.query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).optional()?
        {
            posted.insert(id.clone(), (seller, format));
        }
    }
    let ids: HashSet<String> = posted.keys().cloned().collect();
    let (sums, accepted, skipped) = rules::sum_viewer_events(events, &ids);
    // What each format earned, added once per seller and variant.
    let mut earned: HashMap<(String, &str), (u64, u64)> = HashMap::new();
    for (id, r) in sums {
        if let Some((seller, format)) = posted.get(&id) {
            let format: FormatSpec = serde_json::from_str(format).unwrap_or_default();
            let e = earned.entry((seller.clone(), variant_of(&format).as_str())).or_default();
            e.0 += r.views;
            e.1 += converted(r.live_entries, r.orders);
        }
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
    for ((seller, variant), (views, entries_and_orders)) in earned {
        learning::record_format(conn, &seller, variant, views, entries_and_orders)?;
    }
    Ok(IngestResult { accepted, skipped: skipped + bad, out_of_window: 0 })
}
