//! A moment worth a highlight.

use highlights_api::Reason;
use serde::Serialize;

/// A peak of a LIVE turned into a clip proposal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moment {
    /// The LIVE.
    pub live_id: String,
    /// Clip start (epoch ms): the lead-in before the peak, since viewers react after the moment.
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
    /// Whether it cleared this LIVE's auto-post bar (its floor and the quantile of the LIVE's
    /// earlier moments); caps decide the rest.
    pub above_bar: bool,
    /// Why: e.g. comments 4.1 times their usual rate, 12 orders in 30 s.
    pub reasons: Vec<Reason>,
}

impl Moment {
    /// The reasons in English, as older apps show them.
    pub fn signals(&self) -> Vec<String> {
        self.reasons.iter().map(Reason::english).collect()
    }
}
