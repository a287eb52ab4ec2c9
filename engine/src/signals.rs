//! The signals a LIVE is scored on, and how a window of them compares with the LIVE's own baseline.

/// Number of signals tracked per second.
pub const N: usize = 9;

/// Index of each signal in a bucket.
pub mod idx {
    /// Comments.
    pub const COMMENTS: usize = 0;
    /// Likes (sum of counts).
    pub const LIKES: usize = 1;
    /// Shares.
    pub const SHARES: usize = 2;
    /// Gift value.
    pub const GIFTS: usize = 3;
    /// Viewer joins.
    pub const JOINS: usize = 4;
    /// Product clicks.
    pub const CLICKS: usize = 5;
    /// Add-to-cart.
    pub const CARTS: usize = 6;
    /// Ordered units.
    pub const ORDERS: usize = 7;
    /// GMV in currency units.
    pub const GMV: usize = 8;
}

/// Display names, for the signals that explain a moment.
pub const NAMES: [&str; N] =
    ["comments", "likes", "shares", "gifts", "viewer joins", "product clicks", "add-to-carts", "orders", "GMV"];

/// Per-signal counts.
pub type Counts = [f32; N];

/// Natural relative spread of a busy LIVE's counts: even 200,000 viewers never chat perfectly evenly.
const OVERDISPERSION: f32 = 0.25;
/// Variance added to every signal, like a prior of a few events: three orders where one is usual is
/// chance in a small LIVE, not a moment.
const PRIOR_VAR: f32 = 4.0;
/// Largest z a single signal contributes, so one runaway counter cannot carry a moment alone.
const Z_CAP: f32 = 20.0;

/// Slowly moving mean and variance of each signal's window sum.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    mean: Counts,
    var: Counts,
    samples: u32,
}

impl Baseline {
    /// Memory of the baseline, in closed seconds: about two minutes.
    const HORIZON: f32 = 120.0;

    /// Closed seconds seen so far.
    pub fn samples(&self) -> u32 {
        self.samples
    }

    /// The baseline mean of each signal.
    pub fn mean(&self) -> &Counts {
        &self.mean
    }

    /// How far above its baseline each signal of `window` is, in (robust) standard deviations.
    pub fn z(&self, window: &Counts) -> Counts {
        let mut z = [0.0; N];
        for k in 0..N {
            let m = self.mean[k];
            // Poisson-like spread for small counts, proportional spread for large ones, and never
            // less than what this LIVE has actually shown.
            let var = (m + (OVERDISPERSION * m).powi(2)).max(self.var[k]) + PRIOR_VAR;
            z[k] = ((window[k] - m) / var.sqrt()).clamp(0.0, Z_CAP);
        }
        z
    }

    /// Learns from one more window; values far above the baseline are clipped so peaks barely move it.
    pub fn learn(&mut self, window: &Counts) {
        self.learn_with(window, true)
    }

    /// Learns without clipping: after a moment, a LIVE that stays busier is the new normal.
    pub fn adapt(&mut self, window: &Counts) {
        self.learn_with(window, false)
    }

    fn learn_with(&mut self, window: &Counts, clip: bool) {
        self.samples = self.samples.saturating_add(1);
        let alpha = (1.0 / self.samples as f32).max(1.0 / Self::HORIZON);
        for k in 0..N {
            let m = self.mean[k];
            let limit = m + 3.0 * (m + (OVERDISPERSION * m).powi(2) + 1.0).sqrt();
            let x = if clip && self.samples > 10 { window[k].min(limit) } else { window[k] };
            let d = x - m;
            self.mean[k] = m + alpha * d;
            self.var[k] += alpha * (d * d - self.var[k]);
        }
    }
}

/// Weight of each category in the score: conversion matters most to sellers, traffic least.
const W_ENGAGEMENT: f32 = 1.0;
const W_TRAFFIC: f32 = 0.8;
const W_CONVERSION: f32 = 1.3;

fn category(z: &Counts, members: &[usize]) -> f32 {
    let max = members.iter().map(|&k| z[k]).fold(0.0, f32::max);
    let sum: f32 = members.iter().map(|&k| z[k]).sum();
    max + 0.25 * (sum - max)
}

/// One number for how remarkable a second is: engagement, traffic and conversion against baseline.
pub fn score(z: &Counts) -> f32 {
    use idx::*;
    W_ENGAGEMENT * category(z, &[COMMENTS, LIKES, SHARES, GIFTS])
        + W_TRAFFIC * z[JOINS]
        + W_CONVERSION * category(z, &[CLICKS, CARTS, ORDERS, GMV])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(v: f32) -> Counts {
        [v; N]
    }

    #[test]
    fn a_fourfold_jump_stands_out_for_small_and_huge_lives() {
        for scale in [20.0_f32, 20_000.0] {
            let mut b = Baseline::default();
            for _ in 0..200 {
                b.learn(&flat(scale));
            }
            let mut w = flat(scale);
            w[idx::COMMENTS] = scale * 4.0;
            let s = score(&b.z(&w));
            assert!(s > 4.0, "4x comments at scale {scale} scored {s}");
            assert!(score(&b.z(&flat(scale))) < 0.5);
        }
    }

    #[test]
    fn a_few_events_in_a_tiny_live_are_not_a_moment() {
        let mut b = Baseline::default();
        for _ in 0..200 {
            b.learn(&flat(0.5));
        }
        let mut w = flat(0.5);
        w[idx::ORDERS] = 3.0;
        assert!(score(&b.z(&w)) < 3.0, "three orders where one is usual is chance");
    }

    #[test]
    fn a_peak_barely_moves_the_baseline() {
        let mut b = Baseline::default();
        for _ in 0..200 {
            b.learn(&flat(10.0));
        }
        b.learn(&flat(1_000.0));
        assert!(b.mean()[0] < 10.5, "{}", b.mean()[0]);
    }
}
