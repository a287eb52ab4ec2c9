//! Leave-one-stream-out cross-validation of the settings that chat can inform: for each stream,
//! the settings are chosen on the other streams alone and the stream is scored with them, so the
//! figure says what a stream the engine never saw gets. The in-sample figure (settings chosen on
//! every stream, scored on the same) is printed beside it only to show the gap.
//!
//! The search is coordinate descent over [`KNOBS`] from the shipped settings, two passes. Shop
//! signals (likes, joins, purchases…) and the first auto-post floor are not searched: chat has no
//! shop signals, and the first floor is the generator's quiet-LIVE rule.

use std::collections::HashMap;
use std::fmt::Write;

use super::lightor::LabelledStream;
use super::score::{KS, Scores, Summary, engine_scores};
use crate::settings::EngineSettings;

/// One setting that chat can inform, and the values the search tries.
pub struct Knob {
    /// Its name in the engine settings.
    pub name: &'static str,
    /// The values tried.
    pub values: &'static [f64],
    set: fn(&mut EngineSettings, f64),
    get: fn(&EngineSettings) -> f64,
}

/// An `f32` setting as the decimal it was written as (1.3, not 1.2999999523), so the shipped
/// value and the same candidate are one choice.
fn decimal(v: f32) -> f64 {
    v.to_string().parse().unwrap_or(f64::from(v))
}

/// The settings searched, each with its candidates around the shipped value.
pub const KNOBS: &[Knob] = &[
    Knob {
        name: "enter_score",
        values: &[1.2, 1.3, 1.4, 1.5],
        set: |s, v| s.enter_score = v as f32,
        get: |s| decimal(s.enter_score),
    },
    Knob {
        name: "window_s",
        values: &[4.0, 6.0, 8.0],
        set: |s, v| s.window_s = v as u32,
        get: |s| f64::from(s.window_s),
    },
    Knob {
        name: "lead_in_ms",
        values: &[10_000.0, 14_000.0, 18_000.0, 22_000.0, 26_000.0],
        set: |s, v| s.lead_in_ms = v as i64,
        get: |s| s.lead_in_ms as f64,
    },
    Knob {
        name: "weights.chatters",
        values: &[1.0, 2.0, 3.0],
        set: |s, v| s.weights.chatters = v as f32,
        get: |s| decimal(s.weights.chatters),
    },
    Knob {
        name: "weights.echoes",
        values: &[0.5, 1.0, 1.5],
        set: |s, v| s.weights.echoes = v as f32,
        get: |s| decimal(s.weights.echoes),
    },
    Knob {
        name: "weights.reactions",
        values: &[0.5, 1.0, 1.5],
        set: |s, v| s.weights.reactions = v as f32,
        get: |s| decimal(s.weights.reactions),
    },
    Knob {
        name: "auto_post_floor",
        values: &[1.3, 1.5, 1.7, 1.9],
        set: |s, v| s.auto_post_floor = v,
        get: |s| s.auto_post_floor,
    },
    Knob {
        name: "auto_post_quantile",
        values: &[0.3, 0.5, 0.7],
        set: |s, v| s.auto_post_quantile = v,
        get: |s| s.auto_post_quantile,
    },
];

/// Fewest auto-posts per stream a choice must average to count as posting at all.
pub const MIN_POSTS_PER_STREAM: f64 = 3.0;

/// One held-out stream: what the other streams chose, and what it scored with that.
#[derive(Debug, Clone)]
pub struct Fold {
    /// The stream left out.
    pub held_out: String,
    /// The chosen value of each of [`KNOBS`], in order.
    pub chosen: Vec<f64>,
    /// The held-out stream's figures with those settings.
    pub scores: Scores,
}

/// Cross-validated, in-sample and shipped figures over the same streams.
#[derive(Debug, Clone)]
pub struct CvReport {
    /// Auto-post cap per stream.
    pub cap: u32,
    /// One per stream, in the streams' order.
    pub folds: Vec<Fold>,
    /// Each stream scored by settings chosen without it.
    pub cross_validated: Summary,
    /// Settings chosen on every stream, scored on the same streams (optimistic).
    pub in_sample: Summary,
    /// The chosen values on every stream: what a deployment would ship.
    pub chosen_on_all: Vec<f64>,
    /// The shipped settings, as they are.
    pub shipped: Summary,
}

/// What the search maximises on the streams it may see: ranking (mean start-precision at 5) and
/// what is posted (its precision), with a choice that posts fewer than
/// [`MIN_POSTS_PER_STREAM`] a stream counted as worthless.
fn objective(scores: &[&Scores]) -> f64 {
    let n = scores.len().max(1) as f64;
    let p5 = scores.iter().map(|s| s.precision_at[1]).sum::<f64>() / n;
    let posted: usize = scores.iter().map(|s| s.posted).sum();
    let right: usize = scores.iter().map(|s| s.posted_right).sum();
    if (posted as f64) / n < MIN_POSTS_PER_STREAM {
        return p5 - 1.0;
    }
    p5 + right as f64 / posted as f64
}

/// Figures over `scores` of streams with `labels` labels in all.
fn summarize(scores: &[&Scores], labels: usize) -> Summary {
    let n = scores.len().max(1) as f64;
    let posted: usize = scores.iter().map(|s| s.posted).sum();
    let right: usize = scores.iter().map(|s| s.posted_right).sum();
    let found: usize = scores.iter().map(|s| s.labels_found).sum();
    Summary {
        precision_at: [0, 1, 2].map(|i| scores.iter().map(|s| s.precision_at[i]).sum::<f64>() / n),
        posted_precision: right as f64 / posted.max(1) as f64,
        posted,
        labels_found: found as f64 / labels.max(1) as f64,
    }
}

/// Runs the engine once per (settings, stream) pair, however often the search asks.
struct Runs<'a> {
    streams: &'a [LabelledStream],
    base: &'a EngineSettings,
    cap: u32,
    done: HashMap<(Vec<u64>, usize), Scores>,
}

impl Runs<'_> {
    fn settings(&self, values: &[f64]) -> EngineSettings {
        let mut s = self.base.clone();
        for (knob, v) in KNOBS.iter().zip(values) {
            (knob.set)(&mut s, *v);
        }
        s
    }

    /// Scores of `values` on each of `streams`, running only what was not run before (on as many
    /// threads as the machine has).
    fn scores(&mut self, values: &[f64], streams: &[usize]) -> Vec<Scores> {
        let key: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
        let missing: Vec<usize> =
            streams.iter().copied().filter(|i| !self.done.contains_key(&(key.clone(), *i))).collect();
        if !missing.is_empty() {
            let settings = self.settings(values);
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(missing.len());
            let results: Vec<(usize, Scores)> = std::thread::scope(|scope| {
                let chunks: Vec<Vec<usize>> =
                    (0..threads).map(|t| missing.iter().copied().skip(t).step_by(threads).collect()).collect();
                let handles: Vec<_> = chunks
                    .into_iter()
                    .map(|chunk| {
                        let settings = &settings;
                        let streams = self.streams;
                        let cap = self.cap;
                        scope.spawn(move || {
                            chunk
                                .into_iter()
                                .map(|i| (i, engine_scores(settings, &streams[i], cap)))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
            });
            for (i, s) in results {
                self.done.insert((key.clone(), i), s);
            }
        }
        streams.iter().map(|i| self.done.get(&(key.clone(), *i)).cloned().unwrap_or_default()).collect()
    }

    fn objective(&mut self, values: &[f64], streams: &[usize]) -> f64 {
        let scores = self.scores(values, streams);
        objective(&scores.iter().collect::<Vec<_>>())
    }

    /// The values the `streams` choose: coordinate descent from the shipped ones, two passes.
    fn choose(&mut self, streams: &[usize]) -> Vec<f64> {
        let mut best: Vec<f64> = KNOBS.iter().map(|k| (k.get)(self.base)).collect();
        let mut best_score = self.objective(&best, streams);
        for _ in 0..2 {
            for (k, knob) in KNOBS.iter().enumerate() {
                for v in knob.values {
                    let mut tried = best.clone();
                    tried[k] = *v;
                    let score = self.objective(&tried, streams);
                    // Ties keep what is there: a change must earn its place.
                    if score > best_score + 1e-9 {
                        (best, best_score) = (tried, score);
                    }
                }
            }
        }
        best
    }
}

/// Cross-validates the settings of [`KNOBS`] over `streams`, one fold per stream, from `base`.
pub fn cross_validate(streams: &[LabelledStream], base: &EngineSettings, cap: u32) -> CvReport {
    let mut runs = Runs { streams, base, cap, done: HashMap::new() };
    let all: Vec<usize> = (0..streams.len()).collect();
    let labels: usize = streams.iter().map(|s| s.labels.len()).sum();
    let folds: Vec<Fold> = all
        .iter()
        .map(|&held| {
            let train: Vec<usize> = all.iter().copied().filter(|i| *i != held).collect();
            let chosen = runs.choose(&train);
            let scores = runs.scores(&chosen, &[held]).remove(0);
            Fold { held_out: streams[held].name.clone(), chosen, scores }
        })
        .collect();
    let chosen_on_all = runs.choose(&all);
    let in_sample = runs.scores(&chosen_on_all, &all);
    let shipped_values: Vec<f64> = KNOBS.iter().map(|k| (k.get)(base)).collect();
    let shipped = runs.scores(&shipped_values, &all);
    CvReport {
        cap,
        cross_validated: summarize(&folds.iter().map(|f| &f.scores).collect::<Vec<_>>(), labels),
        in_sample: summarize(&in_sample.iter().collect::<Vec<_>>(), labels),
        shipped: summarize(&shipped.iter().collect::<Vec<_>>(), labels),
        folds,
        chosen_on_all,
    }
}

impl CvReport {
    /// The report as plain text: each fold's choice and score, then the three summaries.
    pub fn table(&self) -> String {
        let mut t = String::new();
        let names: Vec<&str> = KNOBS.iter().map(|k| k.name).collect();
        let _ = writeln!(t, "leave-one-stream-out: settings chosen on the other streams ({})", names.join(", "));
        for f in &self.folds {
            let values: Vec<String> = f.chosen.iter().map(|v| format!("{v}")).collect();
            let _ = writeln!(
                t,
                "  {:<24} P@5 {:.2}  posted {:>2}/{:<2}  chose {}",
                f.held_out,
                f.scores.precision_at[1],
                f.scores.posted_right,
                f.scores.posted,
                values.join(" ")
            );
        }
        let n = self.folds.len().max(1) as f64;
        for (name, s) in [
            ("cross-validated", &self.cross_validated),
            ("in-sample", &self.in_sample),
            ("shipped settings", &self.shipped),
        ] {
            let _ = writeln!(
                t,
                "{name:<17} start-precision P@{} {:.2}  P@{} {:.2}  P@{} {:.2}   auto-posted precision (cap {}) {:.2} of {} posted ({:.1} a stream)   labels found by posts {:.2}",
                KS[0],
                s.precision_at[0],
                KS[1],
                s.precision_at[1],
                KS[2],
                s.precision_at[2],
                self.cap,
                s.posted_precision,
                s.posted,
                s.posted as f64 / n,
                s.labels_found
            );
        }
        let chosen: Vec<String> =
            KNOBS.iter().zip(&self.chosen_on_all).map(|(k, v)| format!("{}={v}", k.name)).collect();
        let _ = writeln!(t, "chosen on every stream (what a deployment would ship): {}", chosen.join(" "));
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(p5: f64, posted: usize, right: usize) -> Scores {
        Scores { predictions: 10, precision_at: [0.0, p5, 0.0], posted, posted_right: right, labels_found: 0 }
    }

    #[test]
    fn a_choice_that_posts_too_little_never_wins() {
        let rich = [scores(0.6, 4, 2), scores(0.6, 4, 2)];
        let shy = [scores(0.9, 1, 1), scores(0.9, 1, 1)];
        assert!(objective(&rich.iter().collect::<Vec<_>>()) > objective(&shy.iter().collect::<Vec<_>>()));
    }

    #[test]
    fn every_knob_sets_what_it_reads_and_tries_its_shipped_value() {
        let base = EngineSettings::default();
        for knob in KNOBS {
            let mut s = base.clone();
            (knob.set)(&mut s, knob.values[0]);
            assert_eq!((knob.get)(&s), knob.values[0], "{}", knob.name);
            assert!(knob.values.contains(&(knob.get)(&base)), "{} tries its shipped value", knob.name);
            s.validate().unwrap_or_else(|e| panic!("{}: {e}", knob.name));
        }
    }
}
