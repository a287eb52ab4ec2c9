//! A seller's own auto-post bar, learned from what they do with their highlights: an auto-post
//! they remove says the engine posted below their taste, a recommendation they post by hand says
//! it held back one above it. In a LIVE where they acted, what they kept or left alone says so
//! too, faintly; a LIVE they never touched says nothing (most sellers look rarely, and silence is
//! no verdict). The bar is a shift of the engine's floors, read once when a LIVE starts and fixed
//! for that LIVE.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// Lowest taste the grid considers (a moment score).
const GRID_FROM: f64 = 0.5;
/// Step of the grid of tastes.
const GRID_STEP: f64 = 0.05;
/// Points of the grid: tastes 0.5 to 5.0.
const GRID: usize = 91;
/// Auto-posts the module's sentence counts back over ("you removed 4 of the last 6"), and LIVEs
/// it counts posts by hand over.
const RECENT: usize = 10;

/// What the seller did with one highlight of a LIVE, or with several at once.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Feedback {
    /// An auto-post they took down.
    Removed {
        /// The moment's score.
        score: f64,
    },
    /// Several auto-posts taken down at once ("remove all"): one signal, at the lowest score.
    RemovedAll {
        /// The lowest of their scores.
        lowest: f64,
        /// How many.
        count: u32,
    },
    /// Auto-posts a seller reviewing the LIVE's posts let lapse unapproved: one signal, at the
    /// lowest score, read as a removal, and counted with the removals the module mentions
    /// ("you removed or skipped 4 of the last 6").
    Skipped {
        /// The lowest of their scores.
        lowest: f64,
        /// How many.
        count: u32,
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

impl Feedback {
    /// Whether the seller did something: only then does a LIVE say anything about their taste.
    fn acted(&self) -> bool {
        matches!(
            self,
            Feedback::Removed { .. }
                | Feedback::RemovedAll { .. }
                | Feedback::Skipped { .. }
                | Feedback::PostedByHand { .. }
        )
    }
}

/// How the bar learns: what each kind of feedback is taken to mean, how fast it is forgotten,
/// and how far the bar may move. Assumptions a product owner can state, not the simulated
/// population's numbers; `anchor`, `prior_sd`, `half_life_lives` and `by_hand_margin` were chosen on
/// training seeds of that population (`learn::population`, `docs/learning-settings.md`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BarLearning {
    /// Chance an auto-post below the seller's taste is removed, as the learner assumes it.
    pub removed_below: f64,
    /// Chance one above it is removed anyway.
    pub removed_above: f64,
    /// Chance a recommendation well above the seller's taste is posted by hand.
    pub by_hand_above: f64,
    /// Chance one not well above it is posted by hand anyway.
    pub by_hand_below: f64,
    /// How far above the taste a recommendation must be to be posted by hand.
    pub by_hand_margin: f64,
    /// LIVEs after which a signal counts half.
    pub half_life_lives: f64,
    /// The taste a seller is assumed to have before any evidence: the floor score the bar is
    /// compared with, so no evidence means no move.
    pub anchor: f64,
    /// How far from the anchor tastes are taken to spread (standard deviation of the prior).
    pub prior_sd: f64,
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
            by_hand_below: 0.02,
            by_hand_margin: 0.5,
            half_life_lives: 48.0,
            anchor: 1.6,
            prior_sd: 0.5,
            max_raise: 1.5,
            max_lower: 0.5,
        }
    }
}

impl BarLearning {
    /// Why these settings cannot be used, if they cannot (they may come from an admin's config).
    pub fn validate(&self) -> Result<(), String> {
        let chances = [self.removed_below, self.removed_above, self.by_hand_above, self.by_hand_below];
        let positive = [self.half_life_lives, self.prior_sd];
        if !chances.iter().all(|p| p.is_finite() && *p > 0.0 && *p < 1.0) {
            return Err("chances must lie strictly between 0 and 1".into());
        }
        if !positive.iter().all(|x| x.is_finite() && *x > 0.0) {
            return Err("half_life_lives and prior_sd must be positive".into());
        }
        if ![self.anchor, self.by_hand_margin, self.max_raise, self.max_lower].iter().all(|x| x.is_finite())
            || self.max_raise < 0.0
            || self.max_lower < 0.0
        {
            return Err("anchor and margin must be finite, max_raise and max_lower at least 0".into());
        }
        Ok(())
    }
}

/// One seller's learned bar: the evidence about their taste on a grid, forgotten LIVE by LIVE,
/// and their last auto-posts for the module's sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SellerBar {
    /// Log-likelihood of each taste on the grid given the feedback so far.
    log_likelihood: Vec<f64>,
    /// Whether each of the last auto-posts (oldest first) was removed.
    recent: VecDeque<bool>,
    /// Recommendations posted by hand in each of the last LIVEs (oldest first).
    #[serde(default)]
    by_hand: VecDeque<u32>,
}

impl Default for SellerBar {
    fn default() -> Self {
        Self { log_likelihood: vec![0.0; GRID], recent: VecDeque::new(), by_hand: VecDeque::new() }
    }
}

fn taste(i: usize) -> f64 {
    GRID_FROM + GRID_STEP * i as f64
}

/// The median taste of log-weights over the grid, between grid points (`None`: no weight).
fn median(log_weights: impl Iterator<Item = f64>) -> Option<f64> {
    let log_weights: Vec<f64> = log_weights.collect();
    let top = log_weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return None;
    }
    let weights: Vec<f64> = log_weights.iter().map(|l| (l - top).exp()).collect();
    let half = weights.iter().sum::<f64>() / 2.0;
    let mut seen = 0.0;
    for (i, w) in weights.iter().enumerate() {
        if seen + w >= half {
            return Some(taste(i) - GRID_STEP / 2.0 + GRID_STEP * (half - seen) / w.max(1e-300));
        }
        seen += w;
    }
    None
}

impl SellerBar {
    /// Takes in what the seller did with one LIVE's highlights, after forgetting a LIVE's worth
    /// of older evidence. Call it once per LIVE, when it ends (the caller keeps which LIVE was
    /// last taken in, so a retry adds nothing).
    pub fn learn_live(&mut self, how: &BarLearning, feedback: &[Feedback]) {
        let keep = 0.5f64.powf(1.0 / how.half_life_lives.max(0.1));
        for l in &mut self.log_likelihood {
            *l *= keep;
        }
        let engaged = feedback.iter().any(Feedback::acted);
        if self.by_hand.len() == RECENT {
            self.by_hand.pop_front();
        }
        self.by_hand.push_back(feedback.iter().filter(|f| matches!(f, Feedback::PostedByHand { .. })).count() as u32);
        for f in feedback {
            match *f {
                Feedback::Removed { score } => {
                    self.remember(&[true]);
                    self.add(|t| if score < t { how.removed_below } else { how.removed_above });
                }
                Feedback::RemovedAll { lowest, count } => {
                    self.remember(&vec![true; count as usize]);
                    self.add(|t| if lowest < t { how.removed_below } else { how.removed_above });
                }
                Feedback::Skipped { lowest, count } => {
                    self.remember(&vec![true; count as usize]);
                    self.add(|t| if lowest < t { how.removed_below } else { how.removed_above });
                }
                Feedback::Kept { score } => {
                    self.remember(&[false]);
                    if engaged {
                        self.add(|t| if score < t { 1.0 - how.removed_below } else { 1.0 - how.removed_above });
                    }
                }
                Feedback::PostedByHand { score } => {
                    self.add(|t| if score > t + how.by_hand_margin { how.by_hand_above } else { how.by_hand_below })
                }
                Feedback::LeftAlone { score } if engaged => self.add(|t| {
                    if score > t + how.by_hand_margin { 1.0 - how.by_hand_above } else { 1.0 - how.by_hand_below }
                }),
                Feedback::LeftAlone { .. } => {}
            }
        }
    }

    fn remember(&mut self, removed: &[bool]) {
        for r in removed.iter().rev().take(RECENT).rev() {
            if self.recent.len() == RECENT {
                self.recent.pop_front();
            }
            self.recent.push_back(*r);
        }
    }

    /// Adds one observation's log-likelihood.
    fn add(&mut self, likelihood: impl Fn(f64) -> f64) {
        for (i, l) in self.log_likelihood.iter_mut().enumerate() {
            *l += likelihood(taste(i)).clamp(1e-6, 1.0).ln();
        }
    }

    /// How far the engine's floors move for this seller's next LIVE: the median of their taste
    /// given the evidence, less its median before any (the prior, centred on the anchor); so no
    /// evidence moves nothing.
    pub fn shift(&self, how: &BarLearning) -> f64 {
        let prior = |i: usize| -0.5 * ((taste(i) - how.anchor) / how.prior_sd.max(1e-9)).powi(2);
        let before = median((0..GRID).map(prior));
        let after = median(self.log_likelihood.iter().enumerate().map(|(i, l)| l + prior(i)));
        match (before, after) {
            (Some(b), Some(a)) => (a - b).clamp(-how.max_lower.max(0.0), how.max_raise.max(0.0)),
            _ => 0.0,
        }
    }

    /// Of the seller's last auto-posts (at most 10), how many they removed or skipped and how many
    /// there were: the module's sentence when the bar has moved ("you removed or skipped 4 of the
    /// last 6").
    pub fn removed_of_last(&self) -> (u32, u32) {
        (self.recent.iter().filter(|r| **r).count() as u32, self.recent.len() as u32)
    }

    /// Recommendations the seller posted themselves in their last 10 LIVEs taken in: the
    /// module's sentence when the bar has come down.
    pub fn posted_by_hand_lately(&self) -> u32 {
        self.by_hand.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_feedback_and_silence_leave_the_bar_where_it_is() {
        let how = BarLearning::default();
        let mut bar = SellerBar::default();
        assert_eq!(bar.shift(&how), 0.0);
        for _ in 0..40 {
            // A seller who never looks: every auto-post kept, every recommendation left alone.
            bar.learn_live(
                &how,
                &[Feedback::Kept { score: 1.6 }, Feedback::Kept { score: 1.9 }, Feedback::LeftAlone { score: 3.0 }],
            );
        }
        assert_eq!(bar.shift(&how), 0.0, "silence is no verdict");
        assert_eq!(bar.removed_of_last(), (0, 10));
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
        // The last ten of (removed, removed, kept) ten times over.
        assert_eq!(picky.removed_of_last(), (6, 10), "the last ten auto-posts, exactly");
        let mut easy = SellerBar::default();
        for _ in 0..10 {
            easy.learn_live(&how, &[Feedback::PostedByHand { score: 1.9 }, Feedback::Kept { score: 1.6 }]);
        }
        let down = easy.shift(&how);
        assert!(down < 0.0 && down >= -how.max_lower, "{down}");
        assert_eq!(easy.posted_by_hand_lately(), 10, "one a LIVE, the last ten LIVEs");
    }

    #[test]
    fn a_remove_all_is_one_signal_and_counts_every_post() {
        let how = BarLearning::default();
        let (mut all, mut each) = (SellerBar::default(), SellerBar::default());
        all.learn_live(&how, &[Feedback::RemovedAll { lowest: 2.0, count: 8 }]);
        each.learn_live(&how, &[Feedback::Removed { score: 2.0 }; 8]);
        assert_eq!(all.removed_of_last(), (8, 8));
        assert!(
            all.shift(&how) > 0.0 && all.shift(&how) < each.shift(&how),
            "{} vs {}",
            all.shift(&how),
            each.shift(&how)
        );
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
            bar.learn_live(&how, &[Feedback::PostedByHand { score: 2.3 }, Feedback::Kept { score: 1.9 }]);
        }
        assert!(bar.shift(&how) < raised - 0.3, "{} then {}", raised, bar.shift(&how));
    }

    #[test]
    fn settings_that_cannot_work_are_refused() {
        assert!(BarLearning::default().validate().is_ok());
        for bad in [
            BarLearning { removed_below: f64::NAN, ..BarLearning::default() },
            BarLearning { by_hand_above: 1.0, ..BarLearning::default() },
            BarLearning { max_lower: -0.1, ..BarLearning::default() },
            BarLearning { prior_sd: 0.0, ..BarLearning::default() },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
