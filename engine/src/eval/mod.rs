//! Detection quality on real, human-labelled streams, by the Lightor paper's rule, next to the naive
//! chat-rate baseline measured the same way in the same run.
//!
//! A predicted clip start `t` is right when `label_start - 10 s <= t <= label_end` for some label.
//! Start-precision at k takes each stream's k best-scored moments (missing ones count as wrong);
//! auto-posted precision takes what the caps and the LIVE's bar actually posted.

pub mod baseline;
pub mod cv;
pub mod lightor;

use std::fmt::Write;

use crate::engine::Engine;
use crate::moment::Moment;
use crate::policy::{CapCounter, Decision, Policy};
use crate::settings::EngineSettings;
use lightor::{Label, LabelledStream};

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
    fn of(starts: &[(i64, f64, bool)], labels: &[Label]) -> Self {
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
