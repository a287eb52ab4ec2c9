//! The simulated population that per-seller learning is proved on. Its model is fixed by the
//! product owner (issue 32) and not tuned here:
//! - each seller has a taste threshold `t ~ Uniform(1.5, 3.5)` on the engine's moment score,
//!   unknown to the learner; an auto-post scoring below it is removed within its LIVE with
//!   probability 0.7, one above with 0.05; a recommendation above `t + 0.5` is posted by hand
//!   with probability 0.3;
//! - a clip that went out and stayed gets `views ~ Poisson(200 q)`, `q = min(score, 6) / 3`; each
//!   view enters the LIVE with `sigmoid(-3 + 0.4 q + b[s][f])` and buys with a tenth of that, with
//!   `b[s][f] ~ Normal(m[f], 0.3)` per seller and format and `m[f] ~ Normal(0, 0.3)` per seed;
//! - moments per LIVE come from the engine run on the generator's LIVEs of several audiences;
//!   40 LIVEs per seller, 200 sellers per seed.
//!
//! A removed clip earns nothing (it is taken down within its LIVE); it still counts as posted (the
//! figures also give entries plus orders per clip that stayed up, which leaves that choice out).
//! What a LIVE's clips earn is known to the learner once the LIVE is over, as their viewers come
//! over the hours after, and the seller's bar moves between LIVEs, never within one.
//! Every policy meets the same sellers, LIVEs and chance draws of a seed, so differences are the
//! policies'.

use std::collections::HashMap;

use super::bar::{BarLearning, Feedback, SellerBar};
use super::format::{Earned, FormatChoice, FormatLearning};
use crate::bar::AutoPostBar;
use crate::engine::Engine;
use crate::settings::EngineSettings;
use crate::sim::{StreamSpec, generate, normal, poisson};

/// Format variants configured (control and the four experiments).
pub const FORMATS: usize = 5;

/// How the simulated sellers behave: the issue's numbers ([`Model::ISSUE`]), or a variation of
/// them that the learners must also do well on without being tuned to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    /// Chance an auto-post below the seller's taste is removed within its LIVE.
    pub removed_below: f64,
    /// Chance one above it is.
    pub removed_above: f64,
    /// Chance a recommendation well above the taste is posted by hand.
    pub by_hand: f64,
    /// How far above the taste "well above" is.
    pub by_hand_margin: f64,
}

impl Model {
    /// The model issue 32 fixes.
    pub const ISSUE: Model = Model { removed_below: 0.7, removed_above: 0.05, by_hand: 0.3, by_hand_margin: 0.5 };
}

/// One moment the engine found, as the bar and the model need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolMoment {
    /// Its score.
    pub score: f32,
    /// Its clip (start, end ms).
    pub clip: (i64, i64),
    /// Its product, numbered within the LIVE (`None`: none, never auto-posted).
    pub product: Option<u16>,
    /// Whether the engine's own bar (default settings) let it post.
    pub above_bar: bool,
}

/// LIVEs' moments in the order the engine found them, to deal out to simulated sellers.
#[derive(Debug, Clone, Default)]
pub struct MomentPool {
    /// Each LIVE's moments.
    pub lives: Vec<Vec<PoolMoment>>,
}

impl MomentPool {
    /// `per_audience` generated LIVEs of each of several audiences (200 to 10,000 viewers), 20
    /// minutes each with moments of every strength and the generator's distractions, run through
    /// the engine with its default settings.
    pub fn generate(per_audience: usize, seed: u64) -> Self {
        let mut lives = Vec::new();
        for (a, viewers) in [200.0, 800.0, 3_000.0, 10_000.0].into_iter().enumerate() {
            for i in 0..per_audience {
                let mut spec =
                    StreamSpec::new(&format!("pool-{a}-{i}"), 1_793_491_200_000, seed + (a * 1_000 + i) as u64);
                spec.viewers = viewers;
                spec.duration_s = 20 * 60;
                let spec = spec.plant_random_within(6, 12..40, 1.5..8.0, i % 2 == 0).with_distractions();
                let mut engine = Engine::new(EngineSettings::default());
                let events = generate(&spec);
                let mut found: Vec<_> = events.iter().flat_map(|e| engine.push(e)).collect();
                found.extend(engine.flush_all());
                let mut products: HashMap<String, u16> = HashMap::new();
                lives.push(
                    found
                        .into_iter()
                        .map(|m| {
                            let next = products.len() as u16;
                            PoolMoment {
                                score: m.score as f32,
                                clip: (m.start_ms, m.end_ms),
                                product: m.product_id.map(|p| *products.entry(p).or_insert(next)),
                                above_bar: m.above_bar,
                            }
                        })
                        .collect(),
                );
            }
        }
        Self { lives }
    }
}

/// How formats are chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FormatPolicy {
    /// Today's experiment: a variant per seller by hash.
    Hash,
    /// A variant drawn at random for each clip: the regret baseline.
    Uniform,
    /// The per-seller bandit.
    Learning(FormatLearning),
    /// Everyone the variant best for everyone (an oracle of the format means): the baseline a
    /// per-seller choice must beat.
    GlobalBest,
}

/// A policy of the simulation: the bar (`None`: today's fixed bar) and the format choice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// How the seller's bar learns, if it does.
    pub bar: Option<BarLearning>,
    /// How formats are chosen.
    pub format: FormatPolicy,
}

impl Policy {
    /// Today's behaviour: the fixed bar and the hash assignment.
    pub const FIXED: Policy = Policy { bar: None, format: FormatPolicy::Hash };
}

/// What a policy did over one seed's population.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    /// LIVEs.
    pub lives: u64,
    /// Clips that went out: auto-posts (removed ones included) and recommendations posted by hand.
    pub posts: u64,
    /// Of them, auto-posts.
    pub auto_posts: u64,
    /// Auto-posts the sellers removed.
    pub removals: u64,
    /// LIVE-room entries plus orders, over every clip.
    pub converted: f64,
    /// Clips that stayed up: auto-posts kept and posts by hand.
    pub kept: u64,
}

impl Totals {
    /// Entries plus orders per clip that went out.
    pub fn converted_per_post(&self) -> f64 {
        self.converted / self.posts.max(1) as f64
    }
    /// Removals per LIVE.
    pub fn removals_per_live(&self) -> f64 {
        self.removals as f64 / self.lives.max(1) as f64
    }
    /// Clips that went out per LIVE.
    pub fn posts_per_live(&self) -> f64 {
        self.posts as f64 / self.lives.max(1) as f64
    }
    /// Auto-posts per LIVE.
    pub fn auto_posts_per_live(&self) -> f64 {
        self.auto_posts as f64 / self.lives.max(1) as f64
    }
    /// Entries plus orders per clip that stayed up: the gain with removed clips left out.
    pub fn converted_per_kept(&self) -> f64 {
        self.converted / self.kept.max(1) as f64
    }
}

/// Which of a LIVE's moments clear the engine's bar with its floors moved by `shift` (the first
/// floor only up, as the engine moves them): the bar replayed on the pool (at no shift, what the
/// engine decided, up to the score's rounding).
pub fn cleared(moments: &[PoolMoment], shift: f64) -> Vec<bool> {
    let settings = EngineSettings::default();
    let mut bar = AutoPostBar::shifted(shift);
    moments.iter().map(|m| bar.clears(&settings, m.score, m.clip, m.product.is_some())).collect()
}

/// One seller of the model.
struct Seller {
    taste: f64,
    /// `b[s][f]`.
    appeal: [f64; FORMATS],
    /// Today's variant for them (the hash).
    today: usize,
    bar: SellerBar,
    formats: FormatChoice,
}

/// The variants' names as the learner keys its results.
fn variant(f: usize) -> String {
    format!("f{f}")
}

/// A seed's sellers and format means, the same for every policy.
fn population(seed: u64, sellers: usize) -> (Vec<f64>, Vec<Seller>) {
    let mut traits = stream(seed, &[0]);
    let means: Vec<f64> = (0..FORMATS).map(|_| 0.3 * normal(&mut traits)).collect();
    let people = (0..sellers)
        .map(|_| Seller {
            taste: 1.5 + 2.0 * traits.f64(),
            appeal: std::array::from_fn(|f| means[f] + 0.3 * normal(&mut traits)),
            today: traits.usize(..FORMATS),
            bar: SellerBar::default(),
            formats: FormatChoice::default(),
        })
        .collect();
    (means, people)
}

/// The format a policy gives a seller's next clip, drawing on `choosing` only.
fn choose(
    format: FormatPolicy,
    seller: &Seller,
    global: &[(String, Earned)],
    means: &[f64],
    choosing: &mut fastrand::Rng,
) -> usize {
    match format {
        FormatPolicy::Hash => seller.today,
        FormatPolicy::Uniform => choosing.usize(..FORMATS),
        FormatPolicy::Learning(how) => seller.formats.choose(&how, global, seller.today, choosing),
        FormatPolicy::GlobalBest => (0..FORMATS).max_by(|a, b| means[*a].total_cmp(&means[*b])).unwrap_or(0),
    }
}

/// Views and entries plus orders of a clip scoring `score` in format appeal `b`.
fn outcome(score: f64, b: f64, clip: &mut fastrand::Rng) -> (f64, f64) {
    let q = score.min(6.0) / 3.0;
    let p = sigmoid(-3.0 + 0.4 * q + b);
    let views = poisson(clip, 200.0 * q) as f64;
    (views, binomial(clip, views, p) + binomial(clip, views, p / 10.0))
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// A binomial draw of `n` trials: exact by waiting times when few succeed, else normal.
fn binomial(rng: &mut fastrand::Rng, n: f64, p: f64) -> f64 {
    if p <= 0.0 || n <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return n;
    }
    if n * p < 30.0 {
        let (log_q, mut at, mut k) = ((1.0 - p).ln(), 0.0, 0.0);
        loop {
            at += (rng.f64().max(1e-12).ln() / log_q).floor() + 1.0;
            if at > n {
                return k;
            }
            k += 1.0;
        }
    } else {
        (n * p + (n * p * (1.0 - p)).sqrt() * normal(rng)).round().clamp(0.0, n)
    }
}

/// An independent stream of chance for one purpose of one seed: the same for every policy.
fn stream(seed: u64, parts: &[u64]) -> fastrand::Rng {
    let mut h = seed ^ 0x9E37_79B9_7F4A_7C15;
    for p in parts {
        h = (h ^ p).wrapping_mul(0xBF58_476D_1CE4_E5B9).rotate_left(31);
    }
    fastrand::Rng::with_seed(h)
}

/// Expected entries plus orders of a clip scoring `q` for a seller's format appeal `b`.
fn expected(q: f64, b: f64) -> f64 {
    200.0 * q * sigmoid(-3.0 + 0.4 * q + b) * 1.1
}

/// Runs one seed's population (`sellers` sellers of `lives` LIVEs each, behaving as `model`
/// says) under `policy`.
pub fn simulate(pool: &MomentPool, seed: u64, sellers: usize, lives: usize, model: &Model, policy: &Policy) -> Totals {
    let (means, mut people) = population(seed, sellers);
    let caps = crate::policy::Policy::default();
    let mut global: Vec<(String, Earned)> = (0..FORMATS).map(|f| (variant(f), Earned::default())).collect();
    let mut totals = Totals::default();
    for l in 0..lives {
        let mut round = vec![Earned::default(); FORMATS];
        for (s, seller) in people.iter_mut().enumerate() {
            let moments = &pool.lives[stream(seed, &[1, s as u64, l as u64]).usize(..pool.lives.len())];
            let shift = policy.bar.map_or(0.0, |how| seller.bar.shift(&how));
            let cleared = cleared(moments, shift);
            let (mut in_live, mut per_product) = (0u32, HashMap::<u16, u32>::new());
            let (mut feedback, mut earned_in_live) = (Vec::new(), Vec::new());
            let mut chance = stream(seed, &[2, s as u64, l as u64]);
            totals.lives += 1;
            for (m, above) in moments.iter().zip(cleared) {
                let (removal, by_hand, draws) = (chance.f64(), chance.f64(), chance.u64(..));
                let score = f64::from(m.score);
                let auto = match m.product {
                    Some(p)
                        if above
                            && in_live < caps.max_per_live
                            && per_product.get(&p).copied().unwrap_or(0) < caps.max_per_product =>
                    {
                        in_live += 1;
                        *per_product.entry(p).or_default() += 1;
                        true
                    }
                    _ => false,
                };
                let stays = if auto {
                    totals.posts += 1;
                    totals.auto_posts += 1;
                    let removed =
                        removal < if score < seller.taste { model.removed_below } else { model.removed_above };
                    if removed {
                        totals.removals += 1;
                        feedback.push(Feedback::Removed { score });
                    } else {
                        feedback.push(Feedback::Kept { score });
                    }
                    !removed
                } else if score > seller.taste + model.by_hand_margin && by_hand < model.by_hand {
                    totals.posts += 1;
                    feedback.push(Feedback::PostedByHand { score });
                    true
                } else {
                    feedback.push(Feedback::LeftAlone { score });
                    false
                };
                if !stays {
                    continue;
                }
                totals.kept += 1;
                // Choosing and the clip's fate draw on streams of their own: every policy meets the
                // same views for the same clip in the same format.
                let mut choosing = fastrand::Rng::with_seed(draws ^ 0x5DEE_CE66_D1CE_4E5B);
                let format = choose(policy.format, seller, &global, &means, &mut choosing);
                let (views, converted) = outcome(
                    score,
                    seller.appeal[format],
                    &mut fastrand::Rng::with_seed(draws.wrapping_add(format as u64)),
                );
                totals.converted += converted;
                // Viewers come over the hours after: what a LIVE's clips earned is known after it.
                earned_in_live.push((format, views, converted));
                round[format].views += views;
                round[format].converted += converted;
            }
            for (format, views, converted) in earned_in_live {
                seller.formats.record(&variant(format), views, converted);
            }
            if let Some(how) = policy.bar {
                seller.bar.learn_live(&how, &feedback);
            }
        }
        for ((_, g), r) in global.iter_mut().zip(&round) {
            g.views += r.views;
            g.converted += r.converted;
        }
    }
    totals
}

/// Mean regret per clip of each of `clips` clips per seller, by clip number, under a format
/// policy alone (clips of pool moments that would post, the seller's bar aside; a LIVE's worth of
/// clips, five, learnt from at a time): the choice's learning curve against a baseline. Regret is
/// the expected entries plus orders lost to not giving the seller's best format.
pub fn regret_curve(pool: &MomentPool, seed: u64, sellers: usize, clips: usize, format: FormatPolicy) -> Vec<f64> {
    const PER_LIVE: usize = 5;
    let scores: Vec<f64> = pool
        .lives
        .iter()
        .flatten()
        .filter(|m| m.product.is_some() && m.score >= 1.5)
        .map(|m| f64::from(m.score))
        .collect();
    let (means, mut people) = population(seed, sellers);
    let mut global: Vec<(String, Earned)> = (0..FORMATS).map(|f| (variant(f), Earned::default())).collect();
    let mut curve = vec![0.0; clips];
    for start in (0..clips).step_by(PER_LIVE) {
        let mut round = vec![Earned::default(); FORMATS];
        for (s, seller) in people.iter_mut().enumerate() {
            let mut earned = Vec::new();
            for (c, slot) in curve.iter_mut().enumerate().skip(start).take(PER_LIVE) {
                let mut draws = stream(seed, &[3, s as u64, c as u64]);
                let score = scores[draws.usize(..scores.len())];
                let seed_of_clip = draws.u64(..);
                let mut choosing = fastrand::Rng::with_seed(seed_of_clip ^ 0x5DEE_CE66_D1CE_4E5B);
                let f = choose(format, seller, &global, &means, &mut choosing);
                let (views, converted) = outcome(
                    score,
                    seller.appeal[f],
                    &mut fastrand::Rng::with_seed(seed_of_clip.wrapping_add(f as u64)),
                );
                let q = score.min(6.0) / 3.0;
                let best = seller.appeal.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                *slot += (expected(q, best) - expected(q, seller.appeal[f])) / sellers as f64;
                earned.push((f, views, converted));
            }
            for (f, views, converted) in earned {
                seller.formats.record(&variant(f), views, converted);
                round[f].views += views;
                round[f].converted += converted;
            }
        }
        for ((_, g), r) in global.iter_mut().zip(&round) {
            g.views += r.views;
            g.converted += r.converted;
        }
    }
    curve
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_have_their_means() {
        let mut rng = fastrand::Rng::with_seed(7);
        let n = 20_000.0;
        for lambda in [3.0, 80.0] {
            let mean = (0..20_000).map(|_| poisson(&mut rng, lambda) as f64).sum::<f64>() / n;
            assert!((mean - lambda).abs() < lambda * 0.03, "{lambda}: {mean}");
        }
        for (trials, p) in [(200.0, 0.05), (400.0, 0.3)] {
            let mean = (0..20_000).map(|_| binomial(&mut rng, trials, p)).sum::<f64>() / n;
            assert!((mean - trials * p).abs() < trials * p * 0.03, "{trials} {p}: {mean}");
        }
    }
}
