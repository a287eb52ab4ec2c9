//! The figures of one detector on one labelled stream, by the Lightor paper's rule.

use crate::engine::Engine;
use crate::moment::Moment;
use crate::policy::{CapCounter, Decision, Policy};
use crate::settings::EngineSettings;

use super::lightor::{Label, LabelledStream};

/// How much earlier than a label's start a predicted start still counts (the Lightor rule).
pub const SLACK_MS: i64 = 10_000;
/// The k of start-precision at k.
pub const KS: [usize; 3] = [1, 5, 10];

/// Whether a clip starting at `start_ms` (ms from the stream's start) starts a labelled highlight.
pub fn hit(start_ms: i64, labels: &[Label]) -> bool {
    labels.iter().any(|l| l.start_ms - SLACK_MS <= start_ms && start_ms <= l.end_ms)
}

/// One detector's figures on one stream.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scores {
    /// Predictions made.
    pub predictions: usize,
    /// Start-precision at each of [`KS`].
    pub precision_at: [f64; 3],
    /// Predictions auto-posted under the cap.
    pub posted: usize,
    /// Of those, right.
    pub posted_right: usize,
    /// Labels whose range holds at least one posted start.
    pub labels_found: usize,
}

impl Scores {
    /// `starts` are (start ms from the stream's start, score, posted), in the order decided.
    pub(super) fn of(starts: &[(i64, f64, bool)], labels: &[Label]) -> Self {
        let mut ranked: Vec<_> = starts.to_vec();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let precision_at = KS.map(|k| ranked.iter().take(k).filter(|p| hit(p.0, labels)).count() as f64 / k as f64);
        let posted: Vec<i64> = starts.iter().filter(|p| p.2).map(|p| p.0).collect();
        Scores {
            predictions: starts.len(),
            precision_at,
            posted: posted.len(),
            posted_right: posted.iter().filter(|t| hit(**t, labels)).count(),
            labels_found: labels.iter().filter(|l| posted.iter().any(|t| hit(*t, std::slice::from_ref(*l)))).count(),
        }
    }
}

/// Runs the engine over one stream, as the server would (moments in the order they are found).
pub fn moments(settings: &EngineSettings, stream: &LabelledStream) -> Vec<Moment> {
    let mut engine = Engine::new(settings.clone());
    let mut found: Vec<Moment> = stream.events.iter().flat_map(|e| engine.push(e)).collect();
    found.extend(engine.flush_all());
    found
}

/// The engine's figures with `settings` on one stream; `cap` auto-posts per stream.
pub fn engine_scores(settings: &EngineSettings, s: &LabelledStream, cap: u32) -> Scores {
    let policy = Policy { max_per_live: cap, max_per_product: cap, post_delay_ms: 0 };
    let mut caps = CapCounter::default();
    let engine: Vec<_> = moments(settings, s)
        .into_iter()
        .map(|m| {
            let posted = matches!(caps.decide(&policy, &m), Decision::AutoPost { .. });
            (m.start_ms - s.origin_ms, m.score, posted)
        })
        .collect();
    Scores::of(&engine, &s.labels)
}

/// Summary of one detector over the dataset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Mean over streams of start-precision at each of [`KS`].
    pub precision_at: [f64; 3],
    /// Posted starts that were right, over all posted starts.
    pub posted_precision: f64,
    /// Posted starts.
    pub posted: usize,
    /// Labels found by a posted start, over all labels.
    pub labels_found: f64,
}

/// Fewest auto-posts per stream a choice must average to count as posting at all.
pub const MIN_POSTS_PER_STREAM: f64 = 3.0;

/// What the search maximises on the streams it may see: ranking (mean start-precision at 5) and
/// what is posted (its precision), with a choice that posts fewer than
/// [`MIN_POSTS_PER_STREAM`] a stream counted as worthless.
pub(crate) fn objective(scores: &[&Scores]) -> f64 {
    let n = scores.len().max(1) as f64;
    let p5 = scores.iter().map(|s| s.precision_at[1]).sum::<f64>() / n;
    let posted: usize = scores.iter().map(|s| s.posted).sum();
    let right: usize = scores.iter().map(|s| s.posted_right).sum();
    if (posted as f64) / n < MIN_POSTS_PER_STREAM {
        return p5 - 1.0;
    }
    p5 + right as f64 / posted as f64
}
