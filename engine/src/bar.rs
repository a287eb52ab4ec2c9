//! The auto-post bar of one LIVE: which of its moments are clear enough to reach the seller's
//! profile without the seller looking first. The rest stay recommendations.

use serde::{Deserialize, Serialize};

use crate::settings::EngineSettings;

/// Earlier moment scores kept per LIVE for its bar.
const HISTORY: usize = 32;

/// The bar follows the LIVE: a clear moment always clears it; after one, a weaker moment clears
/// it from the floor up when it is among the LIVE's better moments so far or above one that
/// already cleared it.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub(crate) struct AutoPostBar {
    scores: [f32; HISTORY],
    len: u8,
    next: u8,
    /// A moment of this LIVE has reached `auto_post_first_floor`; kept apart from `scores`,
    /// which forget, because a LIVE that has shown a clear moment stays one that has.
    shown_clear: bool,
    /// The lowest score of this LIVE's moments that cleared the bar as clear or among its better
    /// moments (not the first few, which clear on the floor alone): a moment scoring above it
    /// clears the bar too, so the LIVE's own median never holds back a moment clearer than one
    /// already on the seller's profile.
    lowest_posted: Option<f32>,
    /// Start and end (ms) of the last clip that cleared the bar.
    last_clip: (i64, i64),
    /// How far this LIVE's floors sit above the settings' (below, when negative): the seller's
    /// learned bar, fixed when the LIVE starts. The first floor never moves down, so a quiet
    /// LIVE's wobble stays off the profile whatever a seller taught.
    shift: f64,
}

/// Whether two clips share more than half of the shorter one: two videos of the same seconds on
/// the seller's profile read as one posted twice.
fn mostly_the_same(a: (i64, i64), b: (i64, i64)) -> bool {
    let shared = a.1.min(b.1) - a.0.max(b.0);
    let shorter = (a.1 - a.0).min(b.1 - b.0);
    shorter > 0 && shared * 2 > shorter
}

impl AutoPostBar {
    /// A bar with its floors moved by the seller's learned `shift` (0: the settings' floors).
    pub(crate) fn shifted(shift: f64) -> Self {
        Self { shift: if shift.is_finite() { shift } else { 0.0 }, ..Self::default() }
    }

    /// Whether a moment scoring `score`, whose clip runs over `clip` (start and end, ms), clears
    /// the bar; then remembers it. A clip sharing more than half of its seconds with the last one
    /// that cleared never does: the later moment stays a recommendation.
    pub(crate) fn clears(&mut self, s: &EngineSettings, score: f32, clip: (i64, i64), shoppable: bool) -> bool {
        let n = usize::from(self.len);
        let clear = f64::from(score) >= s.auto_post_first_floor + self.shift.max(0.0);
        self.shown_clear |= clear;
        let early = n < s.auto_post_min_history as usize;
        let better = !early && {
            let mut seen = self.scores;
            let seen = &mut seen[..n];
            seen.sort_unstable_by(f32::total_cmp);
            score >= seen[((n - 1) as f64 * s.auto_post_quantile).round() as usize]
        };
        let above_posted = self.lowest_posted.is_some_and(|low| score > low);
        let above = f64::from(score) >= s.auto_post_floor + self.shift
            && (clear || self.shown_clear && (early || better || above_posted))
            && !mostly_the_same(self.last_clip, clip);
        // Only what can reach the profile sets what later moments are judged by: a moment tied to
        // no product is never posted (the caps, which the server keeps, are its business).
        if above && shoppable {
            self.last_clip = clip;
            if clear || better {
                self.lowest_posted = Some(self.lowest_posted.map_or(score, |low| low.min(score)));
            }
        }
        self.scores[usize::from(self.next)] = score;
        self.next = ((usize::from(self.next) + 1) % HISTORY) as u8;
        self.len = (n + 1).min(HISTORY) as u8;
        above
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clip a minute after the one before, so no two overlap.
    fn apart() -> (i64, i64) {
        static AT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1_000_000);
        let at = AT.fetch_add(60_000, std::sync::atomic::Ordering::Relaxed);
        (at, at + 30_000)
    }

    #[test]
    fn weaker_moments_post_only_after_a_clear_one() {
        let s = EngineSettings { auto_post_floor: 1.5, auto_post_first_floor: 2.0, ..Default::default() };
        let mut bar = AutoPostBar::default();
        assert!(!bar.clears(&s, 1.8, apart(), true), "a LIVE's first moment needs the first floor");
        assert!(!bar.clears(&s, 1.4, apart(), true), "below the floor");
        assert!(bar.clears(&s, 2.1, apart(), true), "a clear moment");
        // Three moments seen: the median of the LIVE's earlier moments (1.8) now applies too.
        assert!(bar.clears(&s, 1.9, apart(), true), "above the floor and the LIVE's median, after a clear one");
        assert!(!bar.clears(&s, 1.6, apart(), true), "below this LIVE's median");
    }

    #[test]
    fn a_clip_mostly_the_same_as_a_posted_one_stays_a_recommendation() {
        let s = EngineSettings::default();
        let mut bar = AutoPostBar::default();
        assert!(bar.clears(&s, 3.0, (0, 30_000), true));
        assert!(!bar.clears(&s, 5.0, (10_000, 40_000), true), "20 of 30 s shared");
        assert!(bar.clears(&s, 5.0, (16_000, 46_000), true), "14 of 30 s shared: under half");
        assert!(!bar.clears(&s, 5.0, (20_000, 30_000), true), "a short clip inside the last one");
        assert!(bar.clears(&s, 2.5, (90_000, 120_000), true), "apart");
    }

    #[test]
    fn a_moment_above_one_already_posted_posts_too() {
        let s = EngineSettings { auto_post_floor: 1.5, auto_post_first_floor: 2.0, ..Default::default() };
        let mut bar = AutoPostBar::default();
        assert!(bar.clears(&s, 2.2, apart(), true), "a clear first moment");
        assert!(
            bar.clears(&s, 1.5, apart(), true) && bar.clears(&s, 1.5, apart(), true),
            "too few moments for a median"
        );
        assert!(bar.clears(&s, 1.8, apart(), true), "among the LIVE's better moments so far (median 1.5)");
        for high in [4.0, 4.2, 4.4, 4.6, 4.8] {
            assert!(bar.clears(&s, high, apart(), true), "clear moments always post");
        }
        // The LIVE's median is now 4.0: 1.85 is far below it, but above the 1.8 already posted.
        assert!(bar.clears(&s, 1.85, apart(), true), "above a moment already on the seller's profile");
        assert!(!bar.clears(&s, 1.75, apart(), true), "below every posted moment and the LIVE's median");
    }

    #[test]
    fn the_first_few_moments_do_not_lower_the_bar_for_the_rest() {
        let s = EngineSettings { auto_post_floor: 1.5, auto_post_first_floor: 2.0, ..Default::default() };
        let mut bar = AutoPostBar::default();
        assert!(bar.clears(&s, 2.2, apart(), true));
        assert!(bar.clears(&s, 1.55, apart(), true), "posted on the floor alone: too few moments for a median");
        for high in [4.0, 4.2, 4.4, 4.6] {
            assert!(bar.clears(&s, high, apart(), true));
        }
        assert!(!bar.clears(&s, 1.6, apart(), true), "above the early 1.55, but that one set no bar");
        assert!(!bar.clears(&s, 1.2, apart(), true), "a clear moment never skips the floor");
        let low_first = EngineSettings { auto_post_first_floor: 1.0, ..s };
        assert!(!AutoPostBar::default().clears(&low_first, 1.2, apart(), true), "the floor holds whatever else is set");
    }

    #[test]
    fn a_sellers_shift_moves_the_floors_but_never_lowers_the_first() {
        let s = EngineSettings { auto_post_floor: 1.5, auto_post_first_floor: 2.0, ..Default::default() };
        let mut picky = AutoPostBar::shifted(0.5);
        assert!(!picky.clears(&s, 2.3, apart(), true), "a raised first floor");
        assert!(picky.clears(&s, 2.6, apart(), true));
        assert!(!picky.clears(&s, 1.9, apart(), true), "a raised floor");
        let mut easy = AutoPostBar::shifted(-0.4);
        assert!(!easy.clears(&s, 1.9, apart(), true), "the first floor keeps a quiet LIVE's wobble off the profile");
        assert!(easy.clears(&s, 2.0, apart(), true));
        assert!(easy.clears(&s, 1.2, apart(), true), "a lowered floor, early in the LIVE");
        assert!(
            !AutoPostBar::shifted(f64::NAN).clears(&s, 1.9, apart(), true),
            "a shift that is no number moves nothing"
        );
    }

    #[test]
    fn a_moment_nobody_can_buy_from_sets_nothing_for_later_ones() {
        let s = EngineSettings::default();
        let mut bar = AutoPostBar::default();
        assert!(bar.clears(&s, 3.0, (0, 30_000), false), "above the bar; the policy keeps it a recommendation");
        assert!(bar.clears(&s, 3.0, (10_000, 40_000), true), "the first clip was never posted, so no overlap");
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
        assert!(bar.clears(&s, 2.5, apart(), true));
        for _ in 0..HISTORY * 2 {
            assert!(bar.clears(&s, 1.6, apart(), true), "the LIVE has shown a clear moment, however long ago");
        }
        let mut quiet = AutoPostBar::default();
        assert!(
            (0..HISTORY * 2).all(|_| !quiet.clears(&s, 1.9, apart(), true)),
            "a LIVE that never had one posts nothing"
        );
    }
}
