//! The auto-post bar of one LIVE: which of its moments are clear enough to reach the seller's
//! profile without the seller looking first. The rest stay recommendations.

use serde::{Deserialize, Serialize};

use crate::settings::EngineSettings;

/// Earlier moment scores kept per LIVE for its bar.
const HISTORY: usize = 32;

/// The bar follows the LIVE: a clear first moment, then the floor and the LIVE's own earlier
/// moments decide.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub(crate) struct AutoPostBar {
    scores: [f32; HISTORY],
    len: u8,
    next: u8,
    /// A moment of this LIVE has reached `auto_post_first_floor`; kept apart from `scores`,
    /// which forget, because a LIVE that has shown a clear moment stays one that has.
    shown_clear: bool,
}

impl AutoPostBar {
    /// Whether a moment scoring `score` clears the bar; then remembers it.
    pub(crate) fn clears(&mut self, s: &EngineSettings, score: f32) -> bool {
        let n = usize::from(self.len);
        let score_f64 = f64::from(score);
        self.shown_clear |= score_f64 >= s.auto_post_first_floor;
        let above = score_f64 >= s.auto_post_floor
            && self.shown_clear
            && (n < s.auto_post_min_history as usize || {
                let mut seen = self.scores;
                let seen = &mut seen[..n];
                seen.sort_unstable_by(f32::total_cmp);
                score >= seen[((n - 1) as f64 * s.auto_post_quantile).round() as usize]
            });
        self.scores[usize::from(self.next)] = score;
        self.next = ((usize::from(self.next) + 1) % HISTORY) as u8;
        self.len = (n + 1).min(HISTORY) as u8;
        above
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weaker_moments_post_only_after_a_clear_one() {
        let s = EngineSettings { auto_post_floor: 1.5, auto_post_first_floor: 2.0, ..Default::default() };
        let mut bar = AutoPostBar::default();
        assert!(!bar.clears(&s, 1.8), "a LIVE's first moment needs the first floor");
        assert!(!bar.clears(&s, 1.4), "below the floor");
        assert!(bar.clears(&s, 2.1), "a clear moment");
        // Three moments seen: the median of the LIVE's earlier moments (1.8) now applies too.
        assert!(bar.clears(&s, 1.9), "above the floor and the LIVE's median, after a clear one");
        assert!(!bar.clears(&s, 1.6), "below this LIVE's median");
    }

    #[test]
    fn a_clear_moment_is_remembered_after_its_score_is_forgotten() {
        let s = EngineSettings {
            auto_post_floor: 1.5,
            auto_post_first_floor: 2.0,
            auto_post_quantile: 0.0,
            ..Default::default()
        };
        let mut bar = AutoPostBar::default();
        assert!(bar.clears(&s, 2.5));
        for _ in 0..HISTORY * 2 {
            assert!(bar.clears(&s, 1.6), "the LIVE has shown a clear moment, however long ago");
        }
        let mut quiet = AutoPostBar::default();
        assert!((0..HISTORY * 2).all(|_| !quiet.clears(&s, 1.9)), "a LIVE that never had one posts nothing");
    }
}
