//! Detection quality on real, human-labelled streams, by the Lightor paper's rule, next to the naive
//! chat-rate baseline measured the same way in the same run.
//!
//! A predicted clip start `t` is right when `label_start - 10 s <= t <= label_end` for some label.
//! Start-precision at k takes each stream's k best-scored moments (missing ones count as wrong);
//! auto-posted precision takes what the caps and the LIVE's bar actually posted.

pub mod baseline;
pub mod cv;
pub mod lightor;
mod score;
pub mod train;

use std::fmt::Write;

use crate::settings::EngineSettings;
use lightor::LabelledStream;
pub use score::{KS, SLACK_MS, Scores, Summary, engine_scores, hit, moments};

/// Figures of the engine and of the naive baseline on one stream.
#[derive(Debug, Clone)]
pub struct StreamReport {
    /// Stream name.
    pub name: String,
    /// Labelled highlights.
    pub labels: usize,
    /// Chat messages.
    pub comments: usize,
    /// The engine's figures.
    pub engine: Scores,
    /// The naive baseline's figures.
    pub naive: Scores,
}

/// Figures over a whole dataset.
#[derive(Debug, Clone)]
pub struct Report {
    /// Auto-post cap per stream the posted precision was measured with.
    pub cap: u32,
    /// Per stream, in name order.
    pub streams: Vec<StreamReport>,
    /// Label lines whose start came after their end (read as the range between them).
    pub swapped_labels: usize,
}

/// Measures `settings` and the naive baseline on every stream; `cap` auto-posts per stream.
pub fn evaluate(streams: &[LabelledStream], settings: &EngineSettings, cap: u32) -> Report {
    let reports = streams
        .iter()
        .map(|s| {
            let naive: Vec<_> = baseline::naive_peaks(&s.events)
                .into_iter()
                .enumerate()
                .map(|(i, p)| (p.start_ms - s.origin_ms, p.score, i < cap as usize))
                .collect();
            StreamReport {
                name: s.name.clone(),
                labels: s.labels.len(),
                comments: s.events.len().saturating_sub(3),
                engine: engine_scores(settings, s, cap),
                naive: Scores::of(&naive, &s.labels),
            }
        })
        .collect();
    Report { cap, streams: reports, swapped_labels: streams.iter().map(|s| s.swapped_labels).sum() }
}

impl Report {
    fn summary(&self, pick: impl Fn(&StreamReport) -> &Scores) -> Summary {
        let n = self.streams.len().max(1) as f64;
        let precision_at = [0, 1, 2].map(|i| self.streams.iter().map(|s| pick(s).precision_at[i]).sum::<f64>() / n);
        let posted: usize = self.streams.iter().map(|s| pick(s).posted).sum();
        let right: usize = self.streams.iter().map(|s| pick(s).posted_right).sum();
        let labels: usize = self.streams.iter().map(|s| s.labels).sum();
        let found: usize = self.streams.iter().map(|s| pick(s).labels_found).sum();
        Summary {
            precision_at,
            posted_precision: right as f64 / posted.max(1) as f64,
            posted,
            labels_found: found as f64 / labels.max(1) as f64,
        }
    }

    /// The engine over the whole dataset.
    pub fn engine(&self) -> Summary {
        self.summary(|s| &s.engine)
    }

    /// The naive baseline over the whole dataset.
    pub fn naive(&self) -> Summary {
        self.summary(|s| &s.naive)
    }

    /// The report as a plain-text table.
    pub fn table(&self) -> String {
        let mut t = String::new();
        let row = |sc: &Scores| {
            format!(
                "{:>5} {:>4.2} {:>4.2} {:>4.2} {:>4}/{:<3}",
                sc.predictions, sc.precision_at[0], sc.precision_at[1], sc.precision_at[2], sc.posted_right, sc.posted
            )
        };
        let _ = writeln!(
            t,
            "{:<24} {:>6} {:>6} | engine: found  P@1  P@5 P@10 posted ok | naive: found  P@1  P@5 P@10 posted ok",
            "stream", "labels", "chat"
        );
        for s in &self.streams {
            let _ = writeln!(
                t,
                "{:<24} {:>6} {:>6} |        {} |        {}",
                s.name,
                s.labels,
                s.comments,
                row(&s.engine),
                row(&s.naive)
            );
        }
        for (name, sum) in [("engine", self.engine()), ("naive baseline", self.naive())] {
            let _ = writeln!(
                t,
                "{name:<15} start-precision P@1 {:.2}  P@5 {:.2}  P@10 {:.2}   auto-posted precision (cap {}) {:.2} of {} posted   labels found by posts {:.2}",
                sum.precision_at[0],
                sum.precision_at[1],
                sum.precision_at[2],
                self.cap,
                sum.posted_precision,
                sum.posted,
                sum.labels_found
            );
        }
        if self.swapped_labels > 0 {
            let _ = writeln!(
                t,
                "note: {} label lines had start after end; read as the range between them",
                self.swapped_labels
            );
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::lightor::Label;
    use super::*;

    #[test]
    fn the_lightor_rule_allows_ten_seconds_early_and_up_to_the_end() {
        let labels = [Label { chat_peak_ms: 0, start_ms: 100_000, end_ms: 120_000 }];
        assert!(hit(90_000, &labels) && hit(120_000, &labels) && hit(105_000, &labels));
        assert!(!hit(89_999, &labels) && !hit(120_001, &labels));
    }

    #[test]
    fn precision_at_k_counts_missing_predictions_as_wrong() {
        let labels = [Label { chat_peak_ms: 0, start_ms: 100_000, end_ms: 120_000 }];
        let s = Scores::of(&[(500_000, 9.0, true), (100_000, 5.0, true), (101_000, 1.0, false)], &labels);
        assert_eq!(s.precision_at, [0.0, 2.0 / 5.0, 2.0 / 10.0]);
        assert_eq!((s.posted, s.posted_right, s.labels_found), (2, 1, 1));
    }
}
