//! A moment worth a highlight, and the engine's tunables.

use serde::Serialize;

/// A peak of a LIVE turned into a clip proposal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moment {
    /// The LIVE.
    pub live_id: String,
    /// Clip start (epoch ms), with lead-in before the peak.
    pub start_ms: i64,
    /// Clip end (epoch ms).
    pub end_ms: i64,
    /// When activity peaked (epoch ms).
    pub peak_ms: i64,
    /// Stream time at which the engine decided (epoch ms).
    pub identified_at_ms: i64,
    /// Product the clip is tied to: where conversions pointed, else the pinned one.
    pub product_id: Option<String>,
    /// Peak score; higher is more remarkable.
    pub score: f64,
    /// Why: e.g. "comments 4.1x baseline", "12 orders in 30 s".
    pub signals: Vec<String>,
}

/// Tunables of detection; clip bounds come from remote config.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// Shortest clip (ms).
    pub clip_min_ms: i64,
    /// Longest clip (ms).
    pub clip_max_ms: i64,
    /// Seconds of lead-in kept before the activity began.
    pub lead_in_ms: i64,
    /// Lowest score at which a second starts a moment (noisy LIVEs need more).
    pub enter_score: f32,
    /// Score below which a finished moment re-arms detection.
    pub exit_score: f32,
    /// Closed seconds needed before anything is detected, so the baseline means something.
    pub warmup_s: u32,
    /// How long events may arrive late (ms); the engine waits this long before scoring a second.
    pub lateness_ms: i64,
    /// Moments of the same product closer than this (peak to peak, ms) are near-duplicates.
    pub min_gap_ms: i64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            clip_min_ms: 10_000,
            clip_max_ms: 60_000,
            lead_in_ms: 3_000,
            enter_score: 6.0,
            exit_score: 4.0,
            warmup_s: 30,
            lateness_ms: 2_000,
            min_gap_ms: 30_000,
        }
    }
}
