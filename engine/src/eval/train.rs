//! Learns the chat weights from labelled streams: each stream is replayed through a detector as
//! the engine would run it (online: the z of second t come from events up to t), every scored
//! second becomes a row of the chat signals' z with a label, and a small logistic regression with
//! non-negative coefficients says how much each signal tells highlight seconds from the others.
//! Its coefficients become the chat weights.
//!
//! Which seconds are positive ([`Span`]) and how strongly the coefficients are held back (the L2
//! penalty) are chosen like every other setting chat informs: leaving one of the training streams
//! out at a time, by what the engine then finds in it ([`HYPERS`]).
//!
//! Why the coefficients can be the weights: chat speaks as one voice, the weighted mean of its
//! signals' z, which ranks seconds exactly as the model's linear score does. Only their ratios
//! matter to it, so they are scaled to the sum the chat weights had; but the bars are absolute
//! scores, and a mean that favours signals with a smaller spread (the shares of reactions or
//! questions beside the number of chatters) is quieter at its peaks. `chat_scale` gives the voice
//! back its scale: the same value at the busiest hundredth of seconds as before.

use super::lightor::LabelledStream;
use super::score::{Scores, engine_scores, hit, objective};
use crate::detector::{Detector, Observe};
use crate::settings::{EngineSettings, SignalWeights};
use crate::signals::{CHAT, Counts};

/// Which seconds count as a highlight's reaction: viewers react after what they saw, and the
/// labels say where the highlight was, and where chat peaked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// The seconds whose window, were it a moment's peak, would place a clip start the Lightor
    /// rule counts right (`label_start − 10 s ≤ peak − lead_in ≤ label_end`, the peak being the
    /// window's centre): with the 18 s lead-in, from about 10 s after a highlight starts to about
    /// 20 s after it ends.
    Clip,
    /// The seconds from 5 s before the labeller's chat peak to 10 s after: the reaction itself,
    /// narrower, as the person labelling saw it.
    ChatPeak,
}

/// Spans a row is labelled for, in [`Span`]'s order.
const SPANS: usize = 2;

/// How a model is fitted: the span it learns and the L2 strength on its coefficients (the loss
/// is a mean over seconds, each class weighing half).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hyper {
    /// Which seconds are positive.
    pub span: Span,
    /// L2 penalty on the coefficients (not the intercept).
    pub l2: f64,
}

/// The choices tried, leaving one stream out at a time. The first is the fallback with too few
/// streams to choose, and wins ties: the span the scoring rule defines, a light penalty.
pub const HYPERS: [Hyper; 6] = [
    Hyper { span: Span::Clip, l2: 1e-3 },
    Hyper { span: Span::Clip, l2: 1e-2 },
    Hyper { span: Span::Clip, l2: 1e-1 },
    Hyper { span: Span::ChatPeak, l2: 1e-3 },
    Hyper { span: Span::ChatPeak, l2: 1e-2 },
    Hyper { span: Span::ChatPeak, l2: 1e-1 },
];

/// One scored second: the chat signals' z and whether it is a highlight's reaction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// End of the second's window, in ms from the stream's start.
    pub at_ms: i64,
    /// z of each chat signal, in [`SignalWeights::chat`]'s order.
    pub z: [f32; CHAT],
    /// Inside the positive span of a labelled highlight, for each [`Span`].
    pub positive: [bool; SPANS],
}

/// Collects the chat z of every scored second.
struct Seconds(Vec<(i64, [f32; CHAT])>);

impl Observe for Seconds {
    fn second(&mut self, sec: i64, z: &Counts) {
        let mut chat = [0.0; CHAT];
        chat.copy_from_slice(&z[..CHAT]);
        self.0.push((sec, chat));
    }
}

/// Every second the engine scores in `stream` with `settings`, labelled.
pub fn rows(settings: &EngineSettings, stream: &LabelledStream) -> Vec<Row> {
    let mut detector = Detector::default();
    let mut seen = Seconds(Vec::new());
    let mut out = Vec::new();
    let live_id = stream.events.first().map_or("", |e| e.live_id.as_str());
    for e in &stream.events {
        detector.push_observed(settings, live_id, e, &mut out, &mut seen);
    }
    if !detector.ended() {
        detector.flush_observed(settings, live_id, &mut out, &mut seen);
    }
    let half_window_ms = i64::from(settings.window_s) * 500;
    seen.0
        .into_iter()
        .map(|(sec, z)| {
            let at_ms = (sec + 1) * 1000 - stream.origin_ms;
            let clip = hit(at_ms - half_window_ms - settings.lead_in_ms, &stream.labels);
            let chat_peak =
                stream.labels.iter().any(|l| l.chat_peak_ms - 5_000 <= at_ms && at_ms <= l.chat_peak_ms + 10_000);
            Row { at_ms, z, positive: [clip, chat_peak] }
        })
        .collect()
}

/// A fitted model: `P(positive) = σ(intercept + Σ coef·z)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// One non-negative coefficient per chat signal.
    pub coef: [f64; CHAT],
    /// The intercept (not penalised).
    pub intercept: f64,
    /// Newton steps taken.
    pub iterations: usize,
}

/// Parameters of a fit: the coefficients, then the intercept.
const D: usize = CHAT + 1;

/// The penalised, class-balanced logistic loss at `beta`; with `second`, its gradient and Hessian too.
fn loss(
    rows: &[Row],
    span: usize,
    weight: [f64; 2],
    beta: &[f64; D],
    lambda: f64,
    second: bool,
) -> (f64, [f64; D], [[f64; D]; D]) {
    let (mut total, mut grad, mut hess) = (0.0, [0.0; D], [[0.0; D]; D]);
    for r in rows {
        let mut x = [1.0; D];
        for k in 0..CHAT {
            x[k] = f64::from(r.z[k]);
        }
        let m: f64 = (0..D).map(|k| beta[k] * x[k]).sum();
        let positive = r.positive[span];
        let (c, y) = (weight[usize::from(positive)], f64::from(u8::from(positive)));
        // log(1 + e^m) without overflow.
        total += c * (m.max(0.0) + (-m.abs()).exp().ln_1p() - y * m);
        if second {
            let p = 1.0 / (1.0 + (-m).exp());
            let (d, h) = (c * (p - y), c * p * (1.0 - p));
            for i in 0..D {
                grad[i] += d * x[i];
                for j in 0..=i {
                    hess[i][j] += h * x[i] * x[j];
                }
            }
        }
    }
    for k in 0..CHAT {
        total += 0.5 * lambda * beta[k] * beta[k];
        grad[k] += lambda * beta[k];
        hess[k][k] += lambda;
    }
    for i in 0..D {
        for j in 0..i {
            hess[j][i] = hess[i][j];
        }
    }
    (total, grad, hess)
}

/// Solves `a x = b` for the `free` unknowns (the others are 0), by Gaussian elimination with
/// partial pivoting; `None` if singular.
fn solve(a: &[[f64; D]; D], b: &[f64; D], free: &[usize]) -> Option<[f64; D]> {
    let n = free.len();
    let mut m: Vec<Vec<f64>> = free.iter().map(|i| free.iter().map(|j| a[*i][*j]).chain([b[*i]]).collect()).collect();
    for col in 0..n {
        let pivot = (col..n).max_by(|x, y| m[*x][col].abs().total_cmp(&m[*y][col].abs()))?;
        if m[pivot][col].abs() < 1e-14 {
            return None;
        }
        m.swap(col, pivot);
        for row in col + 1..n {
            let f = m[row][col] / m[col][col];
            for k in col..=n {
                m[row][k] -= f * m[col][k];
            }
        }
    }
    let mut x = [0.0; D];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| m[row][k] * x[free[k]]).sum();
        x[free[row]] = (m[row][n] - s) / m[row][row];
    }
    Some(x)
}

/// Fits the model to `rows` labelled by `hyper.span`, by projected Newton steps (coefficients
/// kept non-negative: a signal that rises at highlights must never count against one).
/// Positives and negatives weigh half each, however rare highlights are.
pub fn fit(rows: &[Row], hyper: Hyper) -> Fit {
    let span = hyper.span as usize;
    let positives = rows.iter().filter(|r| r.positive[span]).count();
    let negatives = rows.len() - positives;
    let mut beta = [0.0; D];
    if positives == 0 || negatives == 0 {
        return Fit { coef: [0.0; CHAT], intercept: 0.0, iterations: 0 };
    }
    let weight = [0.5 / negatives as f64, 0.5 / positives as f64];
    let mut iterations = 0;
    while iterations < 100 {
        iterations += 1;
        let (f, g, h) = loss(rows, span, weight, &beta, hyper.l2, true);
        // Coefficients held at 0 by the bound whose gradient pushes them further down stay there.
        let free: Vec<usize> = (0..D).filter(|k| *k == CHAT || beta[*k] > 0.0 || g[*k] < 0.0).collect();
        let Some(direction) = solve(&h, &g.map(|x| -x), &free) else { break };
        let mut t = 1.0;
        let next = loop {
            let mut next = beta;
            for k in 0..D {
                next[k] += t * direction[k];
                if k < CHAT {
                    next[k] = next[k].max(0.0);
                }
            }
            let decrease: f64 = (0..D).map(|k| g[k] * (next[k] - beta[k])).sum();
            if loss(rows, span, weight, &next, hyper.l2, false).0 <= f + 1e-4 * decrease {
                break Some(next);
            }
            t /= 2.0;
            if t < 1e-10 {
                break None;
            }
        };
        let Some(next) = next else { break };
        let change = (0..D).map(|k| (next[k] - beta[k]).abs()).fold(0.0, f64::max);
        beta = next;
        if change < 1e-9 {
            break;
        }
    }
    let mut coef = [0.0; CHAT];
    coef.copy_from_slice(&beta[..CHAT]);
    Fit { coef, intercept: beta[CHAT], iterations }
}

/// The quantile of the chat voice over training seconds that learned weights keep where `base`'s
/// had it: about where the bars sit (a LIVE's busiest hundredth of seconds).
pub const SCALE_QUANTILE: f64 = 0.99;

/// The chat voice of a row with chat weights `w` (their weighted mean, before `chat_scale`).
fn voice(w: &[f32; CHAT], row: &Row) -> f32 {
    let total: f32 = w.iter().sum();
    if total <= 0.0 { 0.0 } else { (0..CHAT).map(|k| w[k] * row.z[k]).sum::<f32>() / total }
}

/// The `q` quantile of the voice over `rows` with chat weights `w`.
fn voice_quantile(rows: &[Row], w: &[f32; CHAT], q: f64) -> f32 {
    let mut v: Vec<f32> = rows.iter().map(|r| voice(w, r)).collect();
    v.sort_unstable_by(f32::total_cmp);
    v.get((v.len().saturating_sub(1) as f64 * q).round() as usize).copied().unwrap_or(0.0)
}

/// Chat weights from a fit: its coefficients scaled to the sum of `base`'s chat weights and
/// rounded to hundredths, with the `chat_scale` that puts the voice's [`SCALE_QUANTILE`] over
/// `rows` where `base` had it. A fit that found nothing keeps `base`'s.
pub fn weights(fit: &Fit, base: &SignalWeights, rows: &[Row]) -> SignalWeights {
    let total: f64 = fit.coef.iter().sum();
    let target: f32 = base.chat().iter().sum();
    let mut out = base.clone();
    if total <= 0.0 || target <= 0.0 {
        return out;
    }
    let learned = fit.coef.map(|c| ((c / total * f64::from(target)) * 100.0).round() as f32 / 100.0);
    if learned.iter().sum::<f32>() <= 0.0 {
        return out;
    }
    out.set_chat(learned);
    let (was, now) =
        (voice_quantile(rows, &base.chat(), SCALE_QUANTILE), voice_quantile(rows, &learned, SCALE_QUANTILE));
    if was > 0.0 && now > 0.0 {
        // Kept inside what the server accepts: a voice a hundred times louder or quieter is a
        // degenerate fit, not a scale.
        out.chat_scale = ((base.chat_scale * was / now * 100.0).round() / 100.0).clamp(0.01, 100.0);
    }
    out
}

/// How well a linear score with `w` (in [`SignalWeights::chat`]'s order) ranks the `span`'s
/// positive seconds above the others: the area under the ROC curve, 0.5 for chance.
pub fn auc(rows: &[Row], span: Span, w: &[f32; CHAT]) -> f64 {
    let mut scored: Vec<(f32, bool)> =
        rows.iter().map(|r| ((0..CHAT).map(|k| w[k] * r.z[k]).sum::<f32>(), r.positive[span as usize])).collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = scored.iter().filter(|s| s.1).count() as f64;
    let negatives = scored.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return 0.5;
    }
    // Rank-sum with ties sharing their mean rank.
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < scored.len() {
        let j = (i..scored.len()).find(|j| scored[*j].0 != scored[i].0).unwrap_or(scored.len());
        let mean_rank = (i + j + 1) as f64 / 2.0;
        rank_sum += mean_rank * scored[i..j].iter().filter(|s| s.1).count() as f64;
        i = j;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

/// What training on some streams learned.
#[derive(Debug, Clone)]
pub struct Learned {
    /// `base`'s weights with the chat ones learned.
    pub weights: SignalWeights,
    /// The model behind them.
    pub fit: Fit,
    /// The span and penalty it was fitted with.
    pub hyper: Hyper,
    /// What each of [`HYPERS`] scored leaving one stream out at a time (the search's objective:
    /// start-precision at 5 plus posted precision), empty with fewer than three streams.
    pub tried: Vec<(Hyper, f64)>,
    /// Seconds trained on.
    pub rows: usize,
    /// Of those, positive.
    pub positives: usize,
    /// In-sample ranking of seconds by the learned weights (area under the ROC curve).
    pub auc: f64,
    /// The same with `base`'s chat weights.
    pub base_auc: f64,
}

/// Fits `hyper` on `rows` and turns the fit into weights over `base`.
fn weights_for(rows: &[&[Row]], base: &SignalWeights, hyper: Hyper) -> (Fit, SignalWeights, Vec<Row>) {
    let all: Vec<Row> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    let fit = fit(&all, hyper);
    let weights = weights(&fit, base, &all);
    (fit, weights, all)
}

/// Learns the chat weights from `streams` and their [`rows`], starting from `base`; the span and
/// penalty are the [`HYPERS`] whose weights, learned without a stream, did best on it (the
/// engine run with `base` otherwise, `cap` auto-posts a stream), summed over the streams.
pub fn learn_from(streams: &[&LabelledStream], rows: &[&[Row]], base: &EngineSettings, cap: u32) -> Learned {
    let mut tried = Vec::new();
    if streams.len() >= 3 {
        for hyper in HYPERS {
            let held_out: Vec<Scores> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..streams.len())
                    .map(|held| {
                        scope.spawn(move || {
                            let others: Vec<&[Row]> = (0..rows.len()).filter(|i| *i != held).map(|i| rows[i]).collect();
                            let (_, weights, _) = weights_for(&others, &base.weights, hyper);
                            engine_scores(&EngineSettings { weights, ..base.clone() }, streams[held], cap)
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
            });
            tried.push((hyper, objective(&held_out.iter().collect::<Vec<_>>())));
        }
    }
    // Ties keep the earlier choice: a change must earn its place.
    let hyper = tried
        .iter()
        .fold(None::<(Hyper, f64)>, |best, t| if best.is_some_and(|b| b.1 >= t.1 - 1e-9) { best } else { Some(*t) })
        .map_or(HYPERS[0], |b| b.0);
    let (fit, weights, all) = weights_for(rows, &base.weights, hyper);
    Learned {
        auc: auc(&all, hyper.span, &weights.chat()),
        base_auc: auc(&all, hyper.span, &base.weights.chat()),
        positives: all.iter().filter(|r| r.positive[hyper.span as usize]).count(),
        rows: all.len(),
        weights,
        fit,
        hyper,
        tried,
    }
}

/// Learns the chat weights on `streams`, replayed with `base` (see [`learn_from`]).
pub fn learn(streams: &[LabelledStream], base: &EngineSettings, cap: u32) -> Learned {
    let rows: Vec<Vec<Row>> = streams.iter().map(|s| rows(base, s)).collect();
    learn_from(&streams.iter().collect::<Vec<_>>(), &rows.iter().map(Vec::as_slice).collect::<Vec<_>>(), base, cap)
}

/// The engine settings an admin stores after training: `base` (what the streams were replayed
/// with) with the learned weights, whole, since storing settings replaces them all; checked.
pub fn settings_json(base: &EngineSettings, weights: &SignalWeights) -> Result<String, String> {
    let settings = EngineSettings { weights: weights.clone(), ..base.clone() };
    settings.validate()?;
    serde_json::to_string_pretty(&settings).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIP: Hyper = Hyper { span: Span::Clip, l2: 0.0 };

    /// Rows where only the first and third signals tell positives apart, the third twice as much.
    fn synthetic(n: usize) -> Vec<Row> {
        let mut rng = fastrand::Rng::with_seed(7);
        (0..n)
            .map(|_| {
                let z: [f32; CHAT] = std::array::from_fn(|_| rng.f32() * 3.0);
                let m = -3.0 + 1.0 * f64::from(z[0]) + 2.0 * f64::from(z[2]);
                let positive = rng.f64() < 1.0 / (1.0 + (-m).exp());
                Row { at_ms: 0, z, positive: [positive; SPANS] }
            })
            .collect()
    }

    #[test]
    fn the_fit_recovers_known_weights_and_ignores_noise() {
        let rows = synthetic(40_000);
        let fit = fit(&rows, CLIP);
        // Balanced weighting moves only the intercept; the slopes are the generating ones.
        assert!((fit.coef[0] - 1.0).abs() < 0.1, "{:?}", fit.coef);
        assert!((fit.coef[2] - 2.0).abs() < 0.15, "{:?}", fit.coef);
        for k in [1, 3, 4, 5, 6, 7] {
            assert!(fit.coef[k] < 0.1, "signal {k} carries nothing: {:?}", fit.coef);
        }
        assert!(fit.iterations < 30, "Newton steps converge fast: {}", fit.iterations);
    }

    #[test]
    fn a_signal_against_highlights_gets_no_weight_and_weights_keep_their_sum() {
        let mut rows = synthetic(20_000);
        for r in &mut rows {
            // Long messages rarer at highlights: a negative slope, which the engine cannot use.
            r.z[6] = if r.positive[0] { 0.0 } else { 1.0 };
        }
        let fit = fit(&rows, Hyper { span: Span::Clip, l2: 1e-3 });
        assert_eq!(fit.coef[6], 0.0, "{:?}", fit.coef);
        let w = weights(&fit, &SignalWeights::default(), &rows);
        let sum: f32 = w.chat().iter().sum();
        assert!((sum - SignalWeights::default().chat().iter().sum::<f32>()).abs() < 0.05, "{sum}");
        assert!(w.echoes > w.comments, "the third signal (echoes) weighs most: {w:?}");
        assert_eq!(w.likes, SignalWeights::default().likes, "shop weights are not chat's to learn");
        let empty =
            weights(&Fit { coef: [0.0; CHAT], intercept: 0.0, iterations: 0 }, &SignalWeights::default(), &rows);
        assert_eq!(empty, SignalWeights::default(), "a fit that found nothing keeps the weights");
    }

    #[test]
    fn the_voice_keeps_its_scale_at_its_busiest_seconds() {
        let rows = synthetic(10_000);
        let base = SignalWeights::default();
        let fit = Fit { coef: [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0], intercept: 0.0, iterations: 0 };
        let w = weights(&fit, &base, &rows);
        let q = |w: &SignalWeights| w.chat_scale * voice_quantile(&rows, &w.chat(), SCALE_QUANTILE);
        assert!((q(&w) - q(&base)).abs() < 0.02 * q(&base), "{} against {}", q(&w), q(&base));
    }

    #[test]
    fn auc_is_one_for_a_perfect_ranking_and_a_half_for_none() {
        let row = |z0: f32, positive| Row {
            at_ms: 0,
            z: std::array::from_fn(|k| if k == 0 { z0 } else { 0.0 }),
            positive: [positive; SPANS],
        };
        let rows = [row(0.0, false), row(1.0, false), row(2.0, true), row(3.0, true)];
        let mut w = [0.0; CHAT];
        w[0] = 1.0;
        assert_eq!(auc(&rows, Span::Clip, &w), 1.0);
        assert_eq!(auc(&rows, Span::Clip, &[0.0; CHAT]), 0.5, "all tied");
    }

    #[test]
    fn the_settings_json_is_what_the_server_accepts_and_keeps_the_other_settings() {
        let w = SignalWeights { questions: 0.7, ..Default::default() };
        let base = EngineSettings { window_s: 8, lead_in_ms: 22_000, ..Default::default() };
        let s: EngineSettings = serde_json::from_str(&settings_json(&base, &w).unwrap()).unwrap();
        assert_eq!(s.weights, w);
        assert_eq!((s.window_s, s.lead_in_ms), (8, 22_000), "storing settings replaces them all");
        let broken = SignalWeights { chat_scale: f32::NAN, ..Default::default() };
        assert!(settings_json(&base, &broken).is_err(), "never hands an admin settings the server refuses");
    }
}
