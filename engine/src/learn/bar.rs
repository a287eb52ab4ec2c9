//! A seller's own auto-post bar, learned from what they do with their highlights: an auto-post
//! they remove says the engine posted below their taste, a recommendation they post by hand says
//! it held back one above it; what they keep or leave alone says so too, faintly. The bar is a
//! shift of the engine's floors, read once when a LIVE starts and fixed for that LIVE.

use serde::{Deserialize, Serialize};

/// Lowest taste the grid considers (a moment score).
const GRID_FROM: f64 = 0.5;
/// Step of the grid of tastes.
const GRID_STEP: f64 = 0.05;
/// Points of the grid: tastes 0.5 to 5.0.
const GRID: usize = 91;

/// What the seller did with one highlight of a LIVE.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Feedback {
    /// An auto-post they took down (a "remove all" is one signal, at its lowest score).
    Removed {
        /// The moment's score.
        score: f64,
    },
    /// An auto-post still up when its LIVE ended.
    Kept {
        /// The moment's score.
        score: f64,
    },
    /// A recommendation they posted themselves.
    PostedByHand {
        /// The moment's score.
        score: f64,
    },
    /// A recommendation left alone through its LIVE.
    LeftAlone {
        /// The moment's score.
        score: f64,
    },
}

/// How the bar learns: what each kind of feedback is taken to mean, how fast it is forgotten,
/// and how far the bar may move. Chosen on training seeds of the simulated population
/// (`learn::population`), never on the seeds its figures are measured on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BarLearning {
    /// Chance an auto-post below the seller's taste is removed, as the learner assumes it.
    pub removed_below: f64,
    /// Chance one above it is removed anyway.
    pub removed_above: f64,
    /// Chance a recommendation well above the seller's taste is posted by hand.
    pub by_hand_above: f64,
    /// How far above the taste a recommendation must be to be posted by hand.
    pub by_hand_margin: f64,
    /// LIVEs after which a signal counts half.
    pub half_life_lives: f64,
    /// Signals (after forgetting) at which the bar has moved half way to what they say.
    pub half_weight_signals: f64,
    /// The floor score the seller's taste is compared with: the bar shifts by the difference.
    pub anchor: f64,
    /// Most the bar rises.
    pub max_raise: f64,
    /// Most the bar falls.
    pub max_lower: f64,
}

impl Default for BarLearning {
    fn default() -> Self {
        Self {
            removed_below: 0.6,
            removed_above: 0.1,
            by_hand_above: 0.2,
            by_hand_margin: 0.5,
            half_life_lives: 24.0,
            half_weight_signals: 2.0,
            anchor: 1.8,
            max_raise: 1.5,
            max_lower: 0.5,
        }
    }
}

/// One seller's learned bar: the evidence about their taste on a grid, forgotten LIVE by LIVE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SellerBar {
    /// Log-likelihood of each taste on the grid given the feedback so far.
    log_likelihood: Vec<f64>,
    /// Signals seen, after forgetting.
    signals: f64,
    /// Removals in the LIVEs remembered (after forgetting), for the module's sentence.
    removed: f64,
    /// Auto-posts in the LIVEs remembered (after forgetting).
    auto_posts: f64,
}

impl Default for SellerBar {
    fn default() -> Self {
        Self { log_likelihood: vec![0.0; GRID], signals: 0.0, removed: 0.0, auto_posts: 0.0 }
    }
}

fn taste(i: usize) -> f64 {
    GRID_FROM + GRID_STEP * i as f64
}

impl SellerBar {
    /// Takes in what the seller did with one LIVE's highlights, after forgetting a LIVE's worth
    /// of older evidence.
    pub fn learn_live(&mut self, how: &BarLearning, feedback: &[Feedback]) {
        let keep = 0.5f64.powf(1.0 / how.half_life_lives.max(0.1));
        for l in &mut self.log_likelihood {
            *l *= keep;
        }
        self.signals *= keep;
        self.removed *= keep;
        self.auto_posts *= keep;
        for f in feedback {
            let informative = match *f {
                Feedback::Removed { score } => {
                    self.removed += 1.0;
                    self.auto_posts += 1.0;
                    self.add(|t| if score < t { how.removed_below } else { how.removed_above })
                }
                Feedback::Kept { score } => {
                    self.auto_posts += 1.0;
                    self.add(|t| if score < t { 1.0 - how.removed_below } else { 1.0 - how.removed_above })
                }
                Feedback::PostedByHand { score } => {
                    self.add(|t| if score > t + how.by_hand_margin { how.by_hand_above } else { 0.01 })
                }
                Feedback::LeftAlone { score } => {
                    self.add(|t| if score > t + how.by_hand_margin { 1.0 - how.by_hand_above } else { 1.0 })
                }
            };
            if informative {
                self.signals += 1.0;
            }
        }
    }

    /// Adds one observation's log-likelihood; answers whether it told tastes apart at all.
    fn add(&mut self, likelihood: impl Fn(f64) -> f64) -> bool {
        let mut spread = (f64::INFINITY, f64::NEG_INFINITY);
        for (i, l) in self.log_likelihood.iter_mut().enumerate() {
            let p = likelihood(taste(i)).clamp(1e-6, 1.0).ln();
            *l += p;
            spread = (spread.0.min(p), spread.1.max(p));
        }
        spread.1 - spread.0 > 1e-9
    }

    /// How far the engine's floors move for this seller's next LIVE: the median taste the
    /// evidence says, against the anchor, weighed by how much evidence there is; 0 with none.
    pub fn shift(&self, how: &BarLearning) -> f64 {
        if self.signals <= 0.0 {
            return 0.0;
        }
        let top = self.log_likelihood.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = self.log_likelihood.iter().map(|l| (l - top).exp()).collect();
        let total: f64 = weights.iter().sum();
        let mut seen = 0.0;
        let median = weights
            .iter()
            .enumerate()
            .find_map(|(i, w)| {
                seen += w;
                (seen >= total / 2.0).then(|| taste(i))
            })
            .unwrap_or(how.anchor);
        let weight = self.signals / (self.signals + how.half_weight_signals.max(1e-9));
        (weight * (median - how.anchor)).clamp(-how.max_lower, how.max_raise)
    }

    /// Auto-posts and removals in the LIVEs remembered (after forgetting), rounded: what the
    /// module says when the bar has moved ("you removed 4 of the last 6").
    pub fn removed_of_posted(&self) -> (u32, u32) {
        (self.removed.round() as u32, self.auto_posts.round() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_feedback_leaves_the_bar_where_it_is() {
        let how = BarLearning::default();
        let mut bar = SellerBar::default();
        assert_eq!(bar.shift(&how), 0.0);
        bar.learn_live(&how, &[]);
        assert_eq!(bar.shift(&how), 0.0, "a LIVE with nothing done is no evidence");
    }

    #[test]
    fn removals_raise_the_bar_and_posts_by_hand_lower_it_within_bounds() {
        let how = BarLearning::default();
        let mut picky = SellerBar::default();
        for _ in 0..10 {
            picky.learn_live(
                &how,
                &[Feedback::Removed { score: 2.2 }, Feedback::Removed { score: 2.6 }, Feedback::Kept { score: 3.4 }],
            );
        }
        let up = picky.shift(&how);
        assert!(up > 0.5 && up <= how.max_raise, "{up}");
        let mut easy = SellerBar::default();
        for _ in 0..10 {
            easy.learn_live(&how, &[Feedback::PostedByHand { score: 1.9 }, Feedback::Kept { score: 1.6 }]);
        }
        let down = easy.shift(&how);
        assert!(down < 0.0 && down >= -how.max_lower, "{down}");
        // Ten LIVEs of 2 removals in 3 posts, each LIVE counting 0.5^(1/24) of the one after it.
        assert_eq!(picky.removed_of_posted(), (18, 26));
    }

    #[test]
    fn old_evidence_fades() {
        let how = BarLearning::default();
        let mut bar = SellerBar::default();
        for _ in 0..5 {
            bar.learn_live(&how, &[Feedback::Removed { score: 2.0 }, Feedback::Removed { score: 2.4 }]);
        }
        let raised = bar.shift(&how);
        for _ in 0..40 {
            bar.learn_live(&how, &[Feedback::Kept { score: 1.7 }, Feedback::Kept { score: 2.0 }]);
        }
        assert!(bar.shift(&how) < raised - 0.3, "{} then {}", raised, bar.shift(&how));
    }
}
