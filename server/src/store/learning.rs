//! The store's rules for learning from each seller, shared by both backends: which arm of the
//! learning experiment a seller is in, what a LIVE's highlights say about the seller's taste, which
//! format their next clip gets, and the report's view of each arm.

use highlights_api::{FormatSpec, FormatVariant, HighlightKind, HighlightStatus, PostingBar, RemoteConfig};
use highlights_engine::learn::{Earned, Feedback, FormatChoice, Learning, SellerBar};

use super::rules::{VariantVideos, bucket};

/// Most ended LIVEs taken in when a LIVE opens: a seller back after a long while (or every
/// seller, the first time learning runs) is judged on their recent LIVEs; older evidence would
/// have faded to next to nothing anyway.
pub(crate) const LIVES_TAKEN_IN: i64 = 50;

/// Removals closer than this to the one before belong to one burst, which counts as one signal:
/// "remove all", or a seller clearing a LIVE's clips one after another, says one thing once.
pub(crate) const BURST_MS: i64 = 30_000;

/// Draws the report uses to estimate a seller's shares of the format variants.
const SHARE_DRAWS: u32 = 200;

/// Which arm of the learning experiment a seller is in: `true` for the learning arm, whose bar
/// and formats are learned; the control arm keeps the settings' bar and the hash's format.
pub fn in_learning_arm(seller_id: &str) -> bool {
    bucket("learning", seller_id) % 2 == 1
}

/// The arm's name in the report.
pub(crate) fn arm_name(learning: bool) -> &'static str {
    if learning { "learning" } else { "control" }
}

/// Whether this seller's bar is learned under these settings.
pub(crate) fn learns_bar(seller_id: &str, how: &Learning) -> bool {
    how.bar_on && in_learning_arm(seller_id)
}

/// Whether this seller's formats are chosen by the bandit under these settings (an admin's pin
/// always wins).
pub(crate) fn learns_formats(seller_id: &str, how: &Learning, pinned: bool) -> bool {
    how.formats_on && !pinned && in_learning_arm(seller_id)
}

/// One highlight of an ended LIVE as the bar learns from it.
#[derive(Debug, Clone)]
pub(crate) struct Handled {
    /// Auto, recommendation or manual.
    pub kind: HighlightKind,
    /// Where it stands now.
    pub status: HighlightStatus,
    /// The moment's score.
    pub score: f64,
    /// It reached the profile at some point.
    pub was_posted: bool,
    /// When the seller took it down (`None`: never, or cancelled with its LIVE's highlights).
    pub removed_at_ms: Option<i64>,
    /// An auto-post let lapse unapproved while the seller reviewed posts (now a recommendation).
    pub skipped: bool,
    /// An auto-post the seller approved while reviewing.
    pub approved: bool,
}

/// What a LIVE's highlights say the seller did: each auto-post they removed (or declined while it
/// waited for their OK) or kept, each recommendation they posted or left alone. Removals in one
/// burst are one signal, at the burst's lowest score. Auto-posts let lapse unapproved are skips,
/// one signal for the LIVE, when the seller was reviewing (approved or removed one of its posts);
/// from a seller who never looked they are silence. Seller-made videos and posts cancelled by
/// switching the LIVE off say nothing about the engine's bar.
pub(crate) fn feedback(handled: &[Handled]) -> Vec<Feedback> {
    let looked = handled.iter().any(|h| h.approved || h.removed_at_ms.is_some() || (h.skipped && h.was_posted));
    let mut out = Vec::new();
    let mut removals: Vec<(i64, f64)> = Vec::new();
    let mut skipped: Option<(f64, u32)> = None;
    for h in handled {
        match (h.kind, h.status) {
            (HighlightKind::Auto, HighlightStatus::Removed) => {
                if let Some(at) = h.removed_at_ms {
                    removals.push((at, h.score));
                }
            }
            // Not out yet when its LIVE was taken in (not due, or waiting for an OK): no verdict.
            (HighlightKind::Auto, HighlightStatus::Scheduled) => {}
            (HighlightKind::Auto, _) => out.push(Feedback::Kept { score: h.score }),
            (HighlightKind::Recommendation, _) if h.was_posted || h.status == HighlightStatus::Scheduled => {
                out.push(Feedback::PostedByHand { score: h.score })
            }
            (HighlightKind::Recommendation, _) if h.skipped => {
                if looked {
                    skipped = Some(skipped.map_or((h.score, 1), |(s, n)| (s.min(h.score), n + 1)));
                }
            }
            (HighlightKind::Recommendation, _) => out.push(Feedback::LeftAlone { score: h.score }),
            (HighlightKind::Manual, _) => {}
        }
    }
    if let Some((lowest, count)) = skipped {
        out.push(Feedback::Skipped { lowest, count });
    }
    removals.sort_by_key(|r| r.0);
    let mut i = 0;
    while i < removals.len() {
        let mut j = i + 1;
        while j < removals.len() && removals[j].0 - removals[j - 1].0 < BURST_MS {
            j += 1;
        }
        let burst = &removals[i..j];
        let lowest = burst.iter().map(|r| r.1).fold(f64::INFINITY, f64::min);
        out.push(if burst.len() == 1 {
            Feedback::Removed { score: lowest }
        } else {
            Feedback::RemovedAll { lowest, count: burst.len() as u32 }
        });
        i = j;
    }
    out
}

/// A seller's stored bar, read back; unreadable state starts over, logged (the bar is a
/// refinement, never a reason to stop ingesting).
pub(crate) fn stored_bar(seller_id: &str, state: Option<&str>) -> SellerBar {
    let Some(state) = state else { return SellerBar::default() };
    serde_json::from_str(state).unwrap_or_else(|e| {
        tracing::warn!(seller_id, error = %e, "a stored auto-post bar does not read back: it starts over");
        SellerBar::default()
    })
}

/// What the apps show of a seller's bar.
pub(crate) fn posting_bar(bar: &SellerBar, how: &Learning) -> PostingBar {
    let (removed, of_last) = bar.removed_of_last();
    PostingBar {
        shift: (bar.shift(&how.bar) * 100.0).round() / 100.0,
        removed,
        of_last,
        posted_by_hand: bar.posted_by_hand_lately(),
    }
}

/// The format variants configured now, control first (the experiment's arms).
pub(crate) fn format_arms(cfg: &RemoteConfig) -> Vec<FormatVariant> {
    let mut arms = vec![FormatVariant::Control];
    arms.extend(cfg.format_experiments.iter().filter_map(|e| FormatVariant::parse(e)));
    arms
}

/// The variant a stored clip format is (each variant turns on one feature; none: control).
pub(crate) fn variant_of(spec: &FormatSpec) -> FormatVariant {
    std::iter::once(FormatVariant::Control)
        .chain(FormatVariant::EXPERIMENTS)
        .find(|v| v.spec() == *spec)
        .unwrap_or(FormatVariant::Control)
}

/// Adds one stored format's totals of a seller's posted videos (on the profile, ever posted,
/// views, entries, orders, GMV) to the report's row of the variant it reads back as: formats
/// stored alike but spelled differently add up under one variant.
pub(crate) fn add_videos(out: &mut Vec<VariantVideos>, format: &str, totals: [i64; 6]) {
    let spec: FormatSpec = serde_json::from_str(format).unwrap_or_default();
    let variant = variant_of(&spec).as_str();
    let i = match out.iter().position(|v| v.variant == variant) {
        Some(i) => i,
        None => {
            out.push(VariantVideos { variant: variant.to_string(), ..Default::default() });
            out.len() - 1
        }
    };
    let [posted, ever, views, entries, orders, gmv] = totals;
    let v = &mut out[i];
    v.posted += posted as u32;
    v.ever_posted += ever as u32;
    v.views += views as u64;
    v.live_entries += entries as u64;
    v.orders += orders as u64;
    v.gmv_minor += gmv;
}

/// What a seller's clip earned the learner: LIVE-room entries plus attributed orders.
pub(crate) fn converted(live_entries: u64, orders: u64) -> u64 {
    live_entries + orders
}

/// The format a learning-arm seller's next clip gets: Thompson sampling over the configured
/// variants, from what each earned everyone (`global`) and this seller (`own`), starting from
/// `today` (the hash's variant) for a seller with no results yet.
pub(crate) fn choose_format(
    how: &Learning,
    arms: &[FormatVariant],
    global: &[(String, Earned)],
    own: &FormatChoice,
    today: FormatVariant,
) -> FormatVariant {
    let variants = with_earned(arms, global);
    let today = arms.iter().position(|a| *a == today).unwrap_or(0);
    let mut rng = fastrand::Rng::new();
    arms[own.choose(&how.formats, &variants, today, &mut rng).min(arms.len() - 1)]
}

/// Each configured variant's share of a seller's next clips (what the report shows): the
/// bandit's for a learning-arm seller, all on `today` for the others.
pub(crate) fn shares(
    how: &Learning,
    arms: &[FormatVariant],
    global: &[(String, Earned)],
    own: Option<&FormatChoice>,
    today: FormatVariant,
    seller_id: &str,
) -> Vec<(String, f64)> {
    let today = arms.iter().position(|a| *a == today).unwrap_or(0);
    let shares = match own {
        Some(own) => {
            let variants = with_earned(arms, global);
            own.shares(&how.formats, &variants, today, SHARE_DRAWS, bucket("shares", seller_id))
        }
        None => (0..arms.len()).map(|i| if i == today { 1.0 } else { 0.0 }).collect(),
    };
    arms.iter().zip(shares).map(|(a, s)| (a.as_str().to_string(), s)).collect()
}

/// Whether a seller counts in the report's learning arm: theirs, with anything learned at all.
pub(crate) fn reported_as_learning(seller_id: &str, how: &Learning) -> bool {
    in_learning_arm(seller_id) && (how.bar_on || how.formats_on)
}

fn with_earned(arms: &[FormatVariant], global: &[(String, Earned)]) -> Vec<(String, Earned)> {
    arms.iter()
        .map(|a| {
            let name = a.as_str().to_string();
            let earned = global.iter().find(|(n, _)| *n == name).map(|(_, e)| *e).unwrap_or_default();
            (name, earned)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use HighlightKind::*;
    use HighlightStatus::*;

    fn h(kind: HighlightKind, status: HighlightStatus, score: f64, removed_at_ms: Option<i64>) -> Handled {
        Handled { kind, status, score, was_posted: status == Posted, removed_at_ms, skipped: false, approved: false }
    }

    #[test]
    fn lapsed_posts_are_skips_only_from_a_seller_who_was_reviewing() {
        let lapsed = |score| Handled { skipped: true, ..h(Recommendation, Suggested, score, None) };
        let approved = Handled { approved: true, ..h(Auto, Posted, 3.1, None) };
        let reviewing = [approved.clone(), lapsed(2.3), lapsed(2.0)];
        assert_eq!(
            feedback(&reviewing),
            vec![Feedback::Kept { score: 3.1 }, Feedback::Skipped { lowest: 2.0, count: 2 }]
        );
        assert!(feedback(&[lapsed(2.3), lapsed(2.0)]).is_empty(), "a seller who never looked: silence");
        let later = Handled { was_posted: true, ..lapsed(2.2) };
        assert_eq!(feedback(&[later]), vec![Feedback::PostedByHand { score: 2.2 }], "posted after all");
    }

    #[test]
    fn a_burst_of_removals_is_one_signal_and_cancelled_posts_say_nothing() {
        let handled = [
            h(Auto, Removed, 2.4, Some(1_000)),
            h(Auto, Removed, 2.1, Some(2_000)),
            h(Auto, Removed, 2.9, Some(20_000)),
            h(Auto, Removed, 3.0, Some(200_000)),
            h(Auto, Removed, 2.2, None),
            h(Auto, Posted, 3.3, None),
            h(Recommendation, Posted, 1.7, None),
            h(Recommendation, Suggested, 1.2, None),
            h(Manual, Removed, 0.0, Some(5_000)),
        ];
        let f = feedback(&handled);
        assert_eq!(
            f,
            vec![
                Feedback::Kept { score: 3.3 },
                Feedback::PostedByHand { score: 1.7 },
                Feedback::LeftAlone { score: 1.2 },
                Feedback::RemovedAll { lowest: 2.1, count: 3 },
                Feedback::Removed { score: 3.0 },
            ]
        );
    }

    #[test]
    fn a_stored_format_reads_back_as_its_variant() {
        for v in std::iter::once(FormatVariant::Control).chain(FormatVariant::EXPERIMENTS) {
            assert_eq!(variant_of(&v.spec()), v);
        }
    }

    #[test]
    fn about_half_the_sellers_learn() {
        let learning = (0..1000).filter(|i| in_learning_arm(&format!("s{i}"))).count();
        assert!((450..550).contains(&learning), "{learning}");
        let how = Learning::default();
        let off = Learning { bar_on: false, formats_on: false, ..how };
        let seller = (0..).map(|i| format!("s{i}")).find(|s| in_learning_arm(s)).unwrap();
        assert!(learns_bar(&seller, &how) && learns_formats(&seller, &how, false));
        assert!(!learns_formats(&seller, &how, true), "an admin's pin wins");
        assert!(!learns_bar(&seller, &off) && !learns_formats(&seller, &off, false), "switched off");
    }
}
