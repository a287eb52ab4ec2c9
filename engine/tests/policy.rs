//! The caps are never exceeded, whatever the order, mix of LIVEs and products, or scores; only
//! shoppable moments (tied to a product) are posted.

use highlights_engine::{CapCounter, Decision, Moment, Policy};
use proptest::prelude::*;

fn moment(live: u8, product: Option<u8>, score: f64, above_bar: bool, t: i64) -> Moment {
    Moment {
        live_id: format!("live-{live}"),
        start_ms: t,
        end_ms: t + 20_000,
        peak_ms: t + 15_000,
        identified_at_ms: t + 22_000,
        product_id: product.map(|p| format!("sku-{p}")),
        score,
        above_bar,
        reasons: vec![],
    }
}

proptest! {
    #[test]
    fn caps_hold_for_any_sequence(
        max_live in 1u32..25,
        max_product in 1u32..5,
        moments in prop::collection::vec((0u8..4, prop::option::of(0u8..5), 0.0f64..40.0, any::<bool>()), 0..300),
    ) {
        let policy = Policy { max_per_live: max_live, max_per_product: max_product, ..Policy::default() };
        let mut caps = CapCounter::default();
        let mut per_live = std::collections::HashMap::<String, u32>::new();
        let mut per_product = std::collections::HashMap::<(String, Option<String>), u32>::new();
        for (i, (live, product, score, above_bar)) in moments.into_iter().enumerate() {
            let m = moment(live, product, score, above_bar, i as i64 * 60_000);
            let live_n = per_live.get(&m.live_id).copied().unwrap_or(0);
            let key = (m.live_id.clone(), m.product_id.clone());
            let product_n = per_product.get(&key).copied().unwrap_or(0);
            match caps.decide(&policy, &m) {
                Decision::AutoPost { post_at_ms } => {
                    prop_assert_eq!(post_at_ms, m.identified_at_ms + 300_000);
                    prop_assert!(above_bar, "only moments that cleared their LIVE's bar are posted");
                    prop_assert!(m.product_id.is_some(), "only shoppable moments are posted");
                    *per_live.entry(m.live_id.clone()).or_default() += 1;
                    *per_product.entry(key).or_default() += 1;
                }
                // Only refused when the product, the bar or a cap says so: caps are limits, not quotas.
                Decision::Recommend => prop_assert!(
                    m.product_id.is_none() || !above_bar || live_n >= max_live || product_n >= max_product
                ),
            }
        }
        prop_assert!(per_live.values().all(|n| *n <= max_live));
        prop_assert!(per_product.values().all(|n| *n <= max_product));
    }
}
