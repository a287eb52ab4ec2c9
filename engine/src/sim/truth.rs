//! Scoring detections against planted moments: one planted moment, at most one detection. A
//! detection matches when its peak falls within the planted rise ±5 s; a second detection of the
//! same moment, or one matching nothing, is a false positive.

use super::spec::StreamSpec;
use crate::moment::Moment;

/// Seconds around a planted rise within which a detection's peak matches it.
pub const MATCH_SLACK_MS: i64 = 5_000;

/// How detection went on a set of streams.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Moments detected.
    pub detected: usize,
    /// Of those, matched to a planted moment (one each).
    pub matched: usize,
    /// Moments planted.
    pub planted: usize,
    /// Per matched moment: identification time after the planted peak (ms of stream time).
    pub delays_ms: Vec<i64>,
}

impl Outcome {
    /// Matched over detected; 1 when nothing was detected.
    pub fn precision(&self) -> f64 {
        if self.detected == 0 { 1.0 } else { self.matched as f64 / self.detected as f64 }
    }

    /// Matched over planted; 1 when nothing was planted.
    pub fn recall(&self) -> f64 {
        if self.planted == 0 { 1.0 } else { self.matched as f64 / self.planted as f64 }
    }

    /// Identification delay at percentile `pct` (0 to 100); 0 when nothing matched.
    pub fn delay_ms(&self, pct: usize) -> i64 {
        let mut d = self.delays_ms.clone();
        d.sort_unstable();
        if d.is_empty() { 0 } else { d[((d.len() - 1) * pct).div_ceil(100)] }
    }

    /// Adds another set of streams' outcome.
    pub fn add(&mut self, other: Outcome) {
        self.detected += other.detected;
        self.matched += other.matched;
        self.planted += other.planted;
        self.delays_ms.extend(other.delays_ms);
    }
}

/// Matches `moments` of the spec's LIVE to its planted moments, each at most once, in time order.
pub fn score(spec: &StreamSpec, moments: &[Moment]) -> Outcome {
    let mut mine: Vec<&Moment> = moments.iter().filter(|m| m.live_id == spec.live_id).collect();
    mine.sort_by_key(|m| m.peak_ms);
    let mut used = vec![false; mine.len()];
    let mut out = Outcome { detected: mine.len(), planted: spec.planted.len(), ..Outcome::default() };
    let mut planted: Vec<_> = spec.planted.iter().collect();
    planted.sort_by_key(|p| p.at_s);
    for p in planted {
        let peak = spec.start_ms + p.at_s * 1000;
        let (lo, hi) = (peak - p.dur_s * 500 - MATCH_SLACK_MS, peak + p.dur_s * 500 + MATCH_SLACK_MS);
        if let Some(i) = (0..mine.len()).find(|i| !used[*i] && (lo..=hi).contains(&mine[*i].peak_ms)) {
            used[i] = true;
            out.matched += 1;
            out.delays_ms.push(mine[i].identified_at_ms - peak);
        }
    }
    out
}
