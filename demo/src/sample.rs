//! The demo's sample shoppable LIVE: 45 minutes, three products pinned in turn, organic bursts.

use highlights_engine::LiveEvent;
use highlights_engine::sim::{StreamSpec, generate};

/// LIVE id of the sample.
pub const LIVE_ID: &str = "spring-skincare-drop";

/// The sample stream's shape, starting at `start_ms`.
pub fn spec(start_ms: i64) -> StreamSpec {
    let mut s = StreamSpec::new(LIVE_ID, start_ms, 2026);
    s.title = "Spring skincare drop".into();
    s.viewers = 1_500.0;
    s.duration_s = 45 * 60;
    s.pin_every_s = 15 * 60;
    s.products = vec![
        ("sku-serum".into(), "Vitamin C serum".into()),
        ("sku-tint".into(), "Lip tint".into()),
        ("sku-mask".into(), "Sheet masks (10)".into()),
    ];
    s.plant_random(13)
}

/// The sample's events in delivery order.
pub fn events(start_ms: i64) -> Vec<LiveEvent> {
    generate(&spec(start_ms))
}

/// The sample as JSONL, for `highlights-server replay`.
pub fn jsonl(start_ms: i64) -> String {
    events(start_ms).iter().map(|e| e.to_json().to_string() + "\n").collect()
}

/// A shorter LIVE of the same shop after the sample: `minutes` long, its own id and moments.
pub fn later_live(
    live_id: &str,
    title: &str,
    start_ms: i64,
    minutes: i64,
    moments: usize,
    seed: u64,
) -> Vec<LiveEvent> {
    let mut s = StreamSpec::new(live_id, start_ms, seed);
    s.title = title.into();
    s.viewers = 1_200.0;
    s.duration_s = minutes * 60;
    s.pin_every_s = minutes * 20;
    s.products = spec(0).products;
    generate(&s.plant_random(moments))
}

/// The shop's price of a sample product, in cents: what an order of it adds to GMV.
pub fn price_cents(product_id: &str) -> i64 {
    match product_id {
        "sku-serum" => 2_990,
        "sku-tint" => 1_250,
        _ => 1_800,
    }
}
