//! Leave-one-stream-out cross-validation of the settings that chat can inform: for each stream,
//! the settings are chosen on the other streams alone and the stream is scored with them, so the
//! figure says what a stream the engine never saw gets. The in-sample figure (settings chosen on
//! every stream, scored on the same) is printed beside it only to show the gap.
//!
//! The search is coordinate descent over [`KNOBS`] from the shipped settings, two passes. The chat
//! weights are either searched the same way among hand-set values or, first, learned by
//! [`train`] on the fold's streams alone ([`ChatWeights`]). Shop signals (likes,
//! joins, purchases…) and the first auto-post floor are not searched: chat has no shop signals,
//! and the first floor is the generator's quiet-LIVE rule.

use std::collections::HashMap;
use std::fmt::Write;

use super::lightor::LabelledStream;
use super::score::{KS, Scores, Summary, engine_scores, objective};
use super::train;
use crate::settings::{EngineSettings, SignalWeights};
use crate::signals::CHAT;

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

pub use super::score::MIN_POSTS_PER_STREAM;

/// How each fold chooses the chat weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatWeights {
    /// Searched with the other knobs among the hand-set values of the `weights.*` [`KNOBS`].
    Searched,
    /// Learned by [`train`] on the fold's streams, before the other knobs are
    /// searched (the `weights.*` knobs are not: their values are on the hand-set scale).
    Learned,
}

impl ChatWeights {
    fn searches(self, knob: &Knob) -> bool {
        self == ChatWeights::Searched || !knob.name.starts_with("weights.")
    }
}

/// One held-out stream: what the other streams chose, and what it scored with that.
#[derive(Debug, Clone)]
pub struct Fold {
    /// The stream left out.
    pub held_out: String,
    /// The chosen value of each of [`KNOBS`], in order.
    pub chosen: Vec<f64>,
    /// The weights the fold ended with (the chat ones chosen or learned).
    pub weights: SignalWeights,
    /// The held-out stream's figures with those settings.
    pub scores: Scores,
}

/// Cross-validated, in-sample and shipped figures over the same streams.
#[derive(Debug, Clone)]
pub struct CvReport {
    /// How the chat weights were chosen.
    pub chat: ChatWeights,
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
    /// The weights chosen (or learned) on every stream.
    pub weights_on_all: SignalWeights,
    /// The shipped settings, as they are.
    pub shipped: Summary,
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

/// Runs the engine once per (settings, stream) pair, however often the search asks. Settings are
/// knob values over one of `bases` (the shipped settings, or those with a fold's learned weights).
struct Runs<'a> {
    streams: &'a [LabelledStream],
    bases: Vec<EngineSettings>,
    cap: u32,
    done: HashMap<(usize, Vec<u64>, usize), Scores>,
}

impl Runs<'_> {
    fn settings(&self, base: usize, values: &[f64]) -> EngineSettings {
        let mut s = self.bases[base].clone();
        for (knob, v) in KNOBS.iter().zip(values) {
            (knob.set)(&mut s, *v);
        }
        s
    }

    /// Scores of `values` on each of `streams`, running only what was not run before (on as many
    /// threads as the machine has).
    fn scores(&mut self, base: usize, values: &[f64], streams: &[usize]) -> Vec<Scores> {
        let key: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
        let missing: Vec<usize> =
            streams.iter().copied().filter(|i| !self.done.contains_key(&(base, key.clone(), *i))).collect();
        if !missing.is_empty() {
            let settings = self.settings(base, values);
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
                self.done.insert((base, key.clone(), i), s);
            }
        }
        streams.iter().map(|i| self.done.get(&(base, key.clone(), *i)).cloned().unwrap_or_default()).collect()
    }

    fn objective(&mut self, base: usize, values: &[f64], streams: &[usize]) -> f64 {
        let scores = self.scores(base, values, streams);
        objective(&scores.iter().collect::<Vec<_>>())
    }

    /// The values the `streams` choose over `base`: coordinate descent from its own, two passes,
    /// over the knobs `chat` searches.
    fn choose(&mut self, base: usize, streams: &[usize], chat: ChatWeights) -> Vec<f64> {
        let mut best: Vec<f64> = KNOBS.iter().map(|k| (k.get)(&self.bases[base])).collect();
        let mut best_score = self.objective(base, &best, streams);
        for _ in 0..2 {
            for (k, knob) in KNOBS.iter().enumerate().filter(|(_, knob)| chat.searches(knob)) {
                for v in knob.values {
                    let mut tried = best.clone();
                    tried[k] = *v;
                    let score = self.objective(base, &tried, streams);
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

/// Cross-validates the settings of [`KNOBS`] over `streams`, one fold per stream, from `base`;
/// `chat` says whether the chat weights are searched or learned.
pub fn cross_validate(streams: &[LabelledStream], base: &EngineSettings, cap: u32, chat: ChatWeights) -> CvReport {
    // The rows depend only on `base`: replayed once, each fold learns from its own streams' rows.
    let rows: Vec<Vec<train::Row>> = match chat {
        ChatWeights::Learned => streams.iter().map(|s| train::rows(base, s)).collect(),
        ChatWeights::Searched => Vec::new(),
    };
    let learn = |on: &[usize]| {
        let fold: Vec<&LabelledStream> = on.iter().map(|i| &streams[*i]).collect();
        train::learn_from(&fold, &on.iter().map(|i| rows[*i].as_slice()).collect::<Vec<_>>(), base, cap).weights
    };
    cross_validate_with(streams, base, cap, chat, &learn)
}

/// [`cross_validate`] with the chat weights of the streams `learn` is given (indices into
/// `streams`), when `chat` learns them.
pub(crate) fn cross_validate_with(
    streams: &[LabelledStream],
    base: &EngineSettings,
    cap: u32,
    chat: ChatWeights,
    learn: &dyn Fn(&[usize]) -> SignalWeights,
) -> CvReport {
    let mut runs = Runs { streams, bases: vec![base.clone()], cap, done: HashMap::new() };
    let all: Vec<usize> = (0..streams.len()).collect();
    let labels: usize = streams.iter().map(|s| s.labels.len()).sum();
    // The base a fold searches from: `base` itself, or `base` with weights learned on `train`.
    let fold_base = |runs: &mut Runs, train: &[usize]| -> usize {
        if chat == ChatWeights::Searched {
            return 0;
        }
        runs.bases.push(EngineSettings { weights: learn(train), ..base.clone() });
        runs.bases.len() - 1
    };
    let weights = |runs: &Runs, b: usize, values: &[f64]| runs.settings(b, values).weights;
    let folds: Vec<Fold> = all
        .iter()
        .map(|&held| {
            let train: Vec<usize> = all.iter().copied().filter(|i| *i != held).collect();
            let b = fold_base(&mut runs, &train);
            let chosen = runs.choose(b, &train, chat);
            let scores = runs.scores(b, &chosen, &[held]).remove(0);
            Fold { held_out: streams[held].name.clone(), weights: weights(&runs, b, &chosen), chosen, scores }
        })
        .collect();
    let b = fold_base(&mut runs, &all);
    let chosen_on_all = runs.choose(b, &all, chat);
    let in_sample = runs.scores(b, &chosen_on_all, &all);
    let shipped_values: Vec<f64> = KNOBS.iter().map(|k| (k.get)(base)).collect();
    let shipped = runs.scores(0, &shipped_values, &all);
    CvReport {
        chat,
        weights_on_all: weights(&runs, b, &chosen_on_all),
        cap,
        cross_validated: summarize(&folds.iter().map(|f| &f.scores).collect::<Vec<_>>(), labels),
        in_sample: summarize(&in_sample.iter().collect::<Vec<_>>(), labels),
        shipped: summarize(&shipped.iter().collect::<Vec<_>>(), labels),
        folds,
        chosen_on_all,
    }
}

impl CvReport {
    /// The report as plain text: each fold's choice and score, then the summaries.
    pub fn table(&self) -> String {
        let mut t = String::new();
        let searched: Vec<(usize, &Knob)> = KNOBS.iter().enumerate().filter(|(_, k)| self.chat.searches(k)).collect();
        let how = match self.chat {
            ChatWeights::Searched => "chat weights searched among hand-set values",
            ChatWeights::Learned => "chat weights learned by `train` on the other streams first",
        };
        let names: Vec<&str> = searched.iter().map(|(_, k)| k.name).collect();
        let _ = writeln!(
            t,
            "leave-one-stream-out, {how}: settings chosen on the other streams ({}; chat weights {} and chat_scale)",
            names.join(", "),
            CHAT_NAMES.join(" ")
        );
        let chat = |w: &SignalWeights| {
            let mut v: Vec<String> = w.chat().iter().map(|x| format!("{x}")).collect();
            v.push(format!("x{}", w.chat_scale));
            v.join(" ")
        };
        for f in &self.folds {
            let chosen: Vec<String> = searched.iter().map(|(i, _)| format!("{}", f.chosen[*i])).collect();
            let _ = writeln!(
                t,
                "  {:<24} P@5 {:.2}  posted {:>2}/{:<2}  chose {}  chat {}",
                f.held_out,
                f.scores.precision_at[1],
                f.scores.posted_right,
                f.scores.posted,
                chosen.join(" "),
                chat(&f.weights)
            );
        }
        let n = self.folds.len().max(1) as f64;
        // Scripts quote the line named "cross-validated" (scripts/figures.sh): it is the procedure
        // that chose the shipped defaults, the chat weights among hand-set values.
        let names: &[&str] = match self.chat {
            ChatWeights::Searched => &["cross-validated", "in-sample", "shipped settings"],
            ChatWeights::Learned => &["cv, learned chat", "in-sample, learned"],
        };
        for (name, s) in names.iter().zip([&self.cross_validated, &self.in_sample, &self.shipped]) {
            let _ = writeln!(
                t,
                "{name:<18} start-precision P@{} {:.2}  P@{} {:.2}  P@{} {:.2}   auto-posted precision (cap {}) {:.2} of {} posted ({:.1} a stream)   labels found by posts {:.2}",
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
        // The weight knobs are listed with the other chat weights.
        let chosen: Vec<String> = searched
            .iter()
            .filter(|(_, k)| !k.name.starts_with("weights."))
            .map(|(i, k)| format!("{}={}", k.name, self.chosen_on_all[*i]))
            .chain(CHAT_NAMES.iter().zip(self.weights_on_all.chat()).map(|(k, v)| format!("weights.{k}={v}")))
            .chain([format!("weights.chat_scale={}", self.weights_on_all.chat_scale)])
            .collect();
        let _ = writeln!(t, "chosen on every stream (what a deployment would ship): {}", chosen.join(" "));
        t
    }
}

/// The chat weights' names in the settings, in [`SignalWeights::chat`](crate::SignalWeights::chat)'s order.
pub const CHAT_NAMES: [&str; CHAT] =
    ["comments", "chatters", "echoes", "reactions", "questions", "exclamations", "long_messages", "similar"];

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(p5: f64, posted: usize, right: usize) -> Scores {
        Scores { predictions: 10, precision_at: [0.0, p5, 0.0], posted, posted_right: right, labels_found: 0 }
    }

    #[test]
    fn a_fold_learns_only_from_the_streams_it_leaves_in() {
        let stream = |i: usize| LabelledStream {
            name: format!("s{i}"),
            origin_ms: 0,
            events: Vec::new(),
            labels: Vec::new(),
            swapped_labels: 0,
        };
        let streams: Vec<LabelledStream> = (0..4).map(stream).collect();
        let asked = std::cell::RefCell::new(Vec::new());
        let learn = |on: &[usize]| {
            asked.borrow_mut().push(on.to_vec());
            SignalWeights::default()
        };
        let report = cross_validate_with(&streams, &EngineSettings::default(), 10, ChatWeights::Learned, &learn);
        let asked = asked.into_inner();
        assert_eq!(report.folds.len(), 4);
        assert_eq!(asked.len(), 5, "once per fold, then once on every stream: {asked:?}");
        for (held, on) in asked.iter().take(4).enumerate() {
            assert!(!on.contains(&held), "fold {held} learned from its own stream: {on:?}");
            assert_eq!(on.len(), 3);
        }
        assert_eq!(asked[4], vec![0, 1, 2, 3], "what a deployment would ship learns from every stream");
    }

    #[test]
    fn a_choice_that_posts_too_little_never_wins() {
        let rich = [scores(0.6, 4, 2), scores(0.6, 4, 2)];
        let shy = [scores(0.9, 1, 1), scores(0.9, 1, 1)];
        assert!(objective(&rich.iter().collect::<Vec<_>>()) > objective(&shy.iter().collect::<Vec<_>>()));
    }

    #[test]
    fn chat_names_are_the_settings_fields_in_order() {
        let mut w = SignalWeights::default();
        w.set_chat(std::array::from_fn(|k| k as f32 + 1.0));
        let json = serde_json::to_value(&w).unwrap();
        for (k, name) in CHAT_NAMES.iter().enumerate() {
            assert_eq!(json[name].as_f64(), Some(k as f64 + 1.0), "{name}");
        }
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
