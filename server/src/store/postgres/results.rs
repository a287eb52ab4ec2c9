//! What posted videos earn: viewer events on them (views, LIVE-room entries, product clicks,
//! attributed orders) summed per highlight, each change a new version clients pull.

use std::collections::{HashMap, HashSet};

use highlights_api::{FormatSpec, IngestResult, ViewerEventBatch};

use super::learning;
use super::shared::{Tx, exec, lock_changes, next_seq, rows};
use crate::store::contract::StoreError;
use crate::store::learning::{converted, variant_of};
use crate::store::rules;

/// Adds a batch of viewer events to their highlights' results. Bad events, and events on a
/// highlight that was never posted, are counted and skipped, never fatal.
pub(super) async fn ingest(tx: &Tx<'_>, batch: ViewerEventBatch) -> Result<IngestResult, StoreError> {
    // Before the results rows (which lock their highlights): see `lock_changes`.
    lock_changes(tx).await?;
    let (events, bad) = rules::viewer_events(batch.events);
    let ids: Vec<String> = events.iter().map(|e| e.highlight_id.clone()).collect::<HashSet<_>>().into_iter().collect();
    let mut posted: HashMap<String, (String, String)> = HashMap::new();
    for r in rows(
        tx,
        "SELECT id, seller_id, format FROM highlights WHERE id = ANY($1) AND posted_at_ms IS NOT NULL",
        &[&ids],
    )
    .await?
    {
        posted.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
    }
    let posted_ids: HashSet<String> = posted.keys().cloned().collect();
    let (sums, accepted, skipped) = rules::sum_viewer_events(events, &posted_ids);
    // What each format earned, added once per seller and variant.
    let mut earned: HashMap<(String, &str), (u64, u64)> = HashMap::new();
    for (id, r) in sums {
        if let Some((seller, format)) = posted.get(&id) {
            let format: FormatSpec = serde_json::from_str(format).unwrap_or_default();
            let e = earned.entry((seller.clone(), variant_of(&format).as_str())).or_default();
            e.0 += r.views;
            e.1 += converted(r.live_entries, r.orders);
        }
        exec(
            tx,
            "INSERT INTO results AS t (highlight_id, views, watch_ms, live_entries, product_clicks, orders, gmv_minor)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (highlight_id) DO UPDATE SET views = t.views + $2, watch_ms = t.watch_ms + $3,
                 live_entries = t.live_entries + $4, product_clicks = t.product_clicks + $5, orders = t.orders + $6,
                 gmv_minor = t.gmv_minor + $7",
            &[
                &id,
                &(r.views as i64),
                &(r.watch_ms as i64),
                &(r.live_entries as i64),
                &(r.product_clicks as i64),
                &(r.orders as i64),
                &r.gmv_minor,
            ],
        )
        .await?;
        let seq = next_seq(tx).await?;
        exec(tx, "UPDATE highlights SET seq = $2 WHERE id = $1", &[&id, &seq]).await?;
    }
    for ((seller, variant), (views, entries_and_orders)) in earned {
        learning::record_format(tx, &seller, variant, views, entries_and_orders).await?;
    }
    Ok(IngestResult { accepted, skipped: skipped + bad, out_of_window: 0 })
}
