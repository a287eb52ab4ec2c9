//! What the first LIVE's videos earned: a stand-in for the platform reports viewer events on
//! each posted video (views, entries into the LIVE room, product clicks, attributed orders), and
//! the seller reads the results per highlight and per LIVE in the module.

use std::io::Write;

use highlights_api::{HighlightStatus, Results};
use highlights_core::view::HighlightRow;
use serde_json::{Value, json};

use crate::sample::{self, LIVE_ID};
use crate::{DemoError, World};

/// The results table as the seller's module showed it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultsTable {
    /// Per posted video: when in the LIVE, product, results (absent: none shown).
    pub rows: Vec<(String, String, Option<Results>)>,
    /// The LIVE's total as the module showed it.
    pub live: Results,
    /// The sum of the rows, to check the total against.
    pub sum_of_rows: Results,
    /// Viewer events the platform reported and the server accepted.
    pub events_accepted: u64,
}

/// A small deterministic generator, so that every run reports the same viewers.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Viewer events for one posted video: more views for higher-scored moments, LIVE-room entries
/// only for videos posted while the LIVE was on.
fn viewers(id: &str, score: f64, product: &str, during_live: bool, at: i64, rng: &mut Lcg) -> Vec<Value> {
    let views = 60 + (score.max(0.0) * 40.0) as u64 + rng.below(60);
    let mut events = Vec::new();
    for i in 0..views {
        let watch_ms = 3_000 + rng.below(27_000);
        events.push(json!({"highlight_id": id, "ts_ms": at + i as i64 * 1_000, "type": "view", "watch_ms": watch_ms}));
    }
    let entries = if during_live { views / 12 + rng.below(4) } else { 0 };
    let clicks = views / 6 + rng.below(5);
    let orders = clicks / 5 + rng.below(2);
    events.extend((0..entries).map(|_| json!({"highlight_id": id, "ts_ms": at, "type": "live_entry"})));
    events.extend((0..clicks).map(|_| json!({"highlight_id": id, "ts_ms": at, "type": "product_click"})));
    events.extend((0..orders).map(
        |_| json!({"highlight_id": id, "ts_ms": at, "type": "order", "amount_minor": sample::price_cents(product)}),
    ));
    events
}

/// Reports viewers of the first LIVE's posted videos, syncs, and prints the module's results.
pub(crate) async fn report(w: &World, out: &mut (dyn Write + Send)) -> Result<ResultsTable, DemoError> {
    writeln!(out, "\n8. Viewers watch the first LIVE's videos; the platform reports what they did")?;
    let url = format!("{}{}", w.server.url(), highlights_api::paths::live_highlights(LIVE_ID));
    let list: highlights_api::HighlightList =
        w.http.get(url).bearer_auth(&w.seller_token).send().await?.error_for_status()?.json().await?;
    let live_end = w.live_start_ms + sample::spec(0).duration_s * 1000;
    let mut rng = Lcg(2026);
    let mut events = Vec::new();
    for h in list.highlights.iter().filter(|h| h.status == HighlightStatus::Posted) {
        let during_live = h.post_at_ms.is_some_and(|t| t < live_end);
        let product = h.product_id.clone().unwrap_or_default();
        events.extend(viewers(&h.id, h.score, &product, during_live, w.now(), &mut rng));
    }
    let mut accepted = 0;
    for (i, chunk) in events.chunks(5_000).enumerate() {
        let url = format!("{}{}", w.server.url(), highlights_api::paths::INGEST_VIEWER_EVENTS);
        let r: highlights_api::IngestResult = w
            .http
            .post(url)
            .bearer_auth(&w.service_token)
            .header(highlights_api::IDEMPOTENCY_KEY_HEADER, format!("demo-viewers-{i}"))
            .json(&json!({ "events": chunk }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        accepted += r.accepted;
    }
    let posted = list.highlights.iter().filter(|h| h.status == HighlightStatus::Posted).count();
    writeln!(out, "   {accepted} viewer events reported on {posted} posted videos.")?;
    w.syncer.sync().await?;
    w.core.dispatch(highlights_core::Event::OpenRecording { recording_id: LIVE_ID.into() })?;
    let rec = w.core.view()?.recording.ok_or("the recording did not open")?;
    let money = |minor: i64| format!("{} {}.{:02}", rec.currency, minor / 100, minor % 100);
    let at = |h: &HighlightRow| {
        let s = (h.start_ms - rec.recording.started_at_ms) / 1000;
        format!("{:02}:{:02}", s / 60, s % 60)
    };
    let mut table = ResultsTable { live: rec.results, events_accepted: accepted, ..Default::default() };
    writeln!(out, "\nResults of \"{}\" (as the seller's module shows them)", rec.recording.title)?;
    writeln!(
        out,
        "  {:<6} {:<18} {:>6} {:>9} {:>10} {:>7} {:>6} {:>12}",
        "at", "product", "views", "watch", "into LIVE", "clicks", "orders", "GMV"
    )?;
    let mut posted: Vec<&HighlightRow> = rec.highlights.iter().filter(|h| h.results.is_some()).collect();
    posted.sort_by_key(|h| h.start_ms);
    for h in posted {
        let r = h.results.unwrap_or_default();
        let product = h
            .product_id
            .as_ref()
            .and_then(|id| rec.products.iter().find(|p| &p.id == id))
            .map_or("-".to_string(), |p| p.name.clone());
        line(out, &at(h), &product, &r, &money(r.gmv_minor))?;
        table.sum_of_rows.add(&r);
        table.rows.push((at(h), product, h.results));
    }
    line(out, "LIVE", "all videos", &rec.results, &money(rec.results.gmv_minor))?;
    Ok(table)
}

/// One row of the results table: when, what, and what it earned.
fn line(out: &mut (dyn Write + Send), at: &str, product: &str, r: &Results, gmv: &str) -> std::io::Result<()> {
    writeln!(
        out,
        "  {at:<6} {product:<18} {:>6} {:>8}m {:>10} {:>7} {:>6} {gmv:>12}",
        r.views,
        r.watch_ms / 60_000,
        r.live_entries,
        r.product_clicks,
        r.orders
    )
}
