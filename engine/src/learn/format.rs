//! Which video format a seller's next clip gets, learned from what their viewers did: Thompson
//! sampling over the configured format variants, each variant's rate of LIVE-room entries plus
//! orders per view starting from what that variant earns everyone (the global prior), so a seller
//! with their first results starts from what works for all and moves to what works for them; a
//! seller with none keeps the variant the experiment's hash gives them today.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::sim::normal;

/// How the format choice learns. Chosen on training seeds of the simulated population.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FormatLearning {
    /// Views the global prior counts as: how much a seller's own results must say before they
    /// outweigh what works for everyone.
    pub prior_views: f64,
}

impl Default for FormatLearning {
    fn default() -> Self {
        Self { prior_views: 400.0 }
    }
}

/// What one format earned: views, and LIVE-room entries plus orders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Earned {
    /// Views.
    pub views: f64,
    /// LIVE-room entries plus attributed orders.
    pub converted: f64,
}

impl Earned {
    /// Entries plus orders per view (0 with no views).
    pub fn rate(&self) -> f64 {
        if self.views > 0.0 { self.converted / self.views } else { 0.0 }
    }
}

/// One seller's results per format variant, by the variant's name (so a reordered or extended
/// list of configured variants keeps every result where it belongs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FormatChoice {
    /// What each variant earned this seller.
    pub earned: BTreeMap<String, Earned>,
}

impl FormatChoice {
    /// Picks a variant for the next clip among `variants` (each configured variant's name and what
    /// it earned everyone): a draw from each one's posterior rate, the highest wins. The prior is
    /// the variant's rate over everyone worth `prior_views` views (topped up with the rate of all
    /// variants together while the variant has fewer views than that, so a new variant gets
    /// tried), plus this seller's results. A seller with no results yet gets `today`, the variant
    /// the experiment's hash gives them. Answers an index into `variants`.
    pub fn choose(
        &self,
        how: &FormatLearning,
        variants: &[(String, Earned)],
        today: usize,
        rng: &mut fastrand::Rng,
    ) -> usize {
        if self.earned.values().all(|e| e.views <= 0.0) {
            return today;
        }
        let pooled = Earned {
            views: variants.iter().map(|(_, e)| e.views).sum(),
            converted: variants.iter().map(|(_, e)| e.converted).sum(),
        };
        let mut best = (today, f64::NEG_INFINITY);
        for (i, (name, g)) in variants.iter().enumerate() {
            let own = self.earned.get(name).copied().unwrap_or_default();
            let topped = (how.prior_views - g.views).max(0.0);
            let prior = ((g.converted.min(g.views) + pooled.rate().min(1.0) * topped) / (g.views + topped).max(1e-9))
                .clamp(1e-4, 0.999);
            // Beta(a, b), drawn by its normal approximation: a and b are hundreds of views. A view
            // may both enter and buy: the rate counted is capped at one per view.
            let a = how.prior_views * prior + own.converted.min(own.views);
            let b = how.prior_views * (1.0 - prior) + (own.views - own.converted).max(0.0);
            let n = (a + b).max(1e-9);
            let mean = a / n;
            let sd = (a * b / (n * n * (n + 1.0))).sqrt();
            let draw = mean + sd * normal(rng);
            if draw > best.1 {
                best = (i, draw);
            }
        }
        best.0
    }

    /// Adds what a clip in `variant` earned.
    pub fn record(&mut self, variant: &str, views: f64, converted: f64) {
        let e = self.earned.entry(variant.to_string()).or_default();
        e.views += views;
        e.converted += converted;
    }

    /// Each variant's share of this seller's next clips as the sampling would pick them,
    /// estimated from `draws` draws: what the experiments report shows.
    pub fn shares(
        &self,
        how: &FormatLearning,
        variants: &[(String, Earned)],
        today: usize,
        draws: u32,
        seed: u64,
    ) -> Vec<f64> {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut counts = vec![0u32; variants.len().max(today + 1)];
        for _ in 0..draws {
            counts[self.choose(how, variants, today, &mut rng)] += 1;
        }
        counts.iter().map(|c| f64::from(*c) / f64::from(draws.max(1))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_seller_follows_what_works_for_everyone_then_their_own_results() {
        let how = FormatLearning::default();
        let global = vec![
            ("a".to_string(), Earned { views: 1e6, converted: 40_000.0 }),
            ("b".to_string(), Earned { views: 1e6, converted: 60_000.0 }),
        ];
        let new = FormatChoice::default();
        assert_eq!(new.shares(&how, &global, 0, 100, 1), [1.0, 0.0], "no results: today's variant");
        let mut first = FormatChoice::default();
        first.record("a", 100.0, 4.0);
        let shares = first.shares(&how, &global, 0, 2_000, 1);
        assert!(shares[1] > 0.6, "one clip's results: what works for everyone leads: {shares:?}");
        let mut own = FormatChoice::default();
        own.record("a", 5_000.0, 500.0);
        own.record("b", 5_000.0, 200.0);
        let shares = own.shares(&how, &global, 1, 2_000, 2);
        assert!(shares[0] > 0.95, "this seller's viewers prefer the first: {shares:?}");
        // A variant nobody has tried yet starts from the rate of all together, so it is tried.
        let mut added = global.clone();
        added.push(("c".to_string(), Earned::default()));
        let shares = first.shares(&how, &added, 0, 2_000, 3);
        assert!(shares[2] > 0.05, "{shares:?}");
    }
}
