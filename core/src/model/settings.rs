//! The seller's settings as they stand on this device, and the pre-LIVE pop-up rule.

use highlights_api::{Experiments, PostingBar, RemoteConfig, Settings};

use super::action::{Action, OutboxEntry};

/// Settings the seller sees: the server's last word with the actions still in the outbox on top.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Effective {
    pub toggle_on: bool,
    pub onboarding_completed: bool,
    pub popup_shows: u32,
    pub popup_dismissed_at_ms: Option<i64>,
    /// A toggle change is still waiting for the server.
    pub toggle_pending: bool,
    /// Highlights for the seller's next LIVE.
    pub next_live_on: bool,
    /// "Ask me before posting".
    pub review_before_posting: bool,
    /// The auto-post bar as learned from the seller (the usual one once a reset is on its way).
    pub posting_bar: PostingBar,
}

/// Folds pending actions over the server's settings (or the defaults of a seller never synced).
pub(crate) fn effective(server: Option<&Settings>, pending: &[OutboxEntry]) -> Effective {
    let mut e = server
        .map(|s| Effective {
            toggle_on: s.highlights_on,
            onboarding_completed: s.onboarding_completed,
            popup_shows: s.popup_shows,
            popup_dismissed_at_ms: s.popup_dismissed_at_ms,
            toggle_pending: false,
            next_live_on: s.next_live_highlights_on,
            review_before_posting: s.review_before_posting,
            posting_bar: s.posting_bar,
        })
        .unwrap_or(Effective { next_live_on: true, ..Effective::default() });
    for entry in pending {
        match &entry.action {
            Action::SetToggle { on } => {
                e.toggle_on = *on;
                e.toggle_pending = true;
            }
            Action::CompleteOnboarding => e.onboarding_completed = true,
            Action::SetNextLiveHighlights { on } => e.next_live_on = *on,
            Action::SetReviewBeforePosting { on } => e.review_before_posting = *on,
            Action::ResetPostingBar => e.posting_bar = PostingBar::default(),
            Action::PopupShown => e.popup_shows = e.popup_shows.saturating_add(1),
            Action::PopupDismissed { at_ms } => {
                e.popup_dismissed_at_ms = Some(e.popup_dismissed_at_ms.map_or(*at_ms, |d| d.max(*at_ms)))
            }
            _ => {}
        }
    }
    e
}

/// The products whose LIVEs get highlights (empty: every LIVE): the server's choice, or the
/// latest one still on its way. Kept out of [`Effective`], which stays a cheap copy.
pub(crate) fn only_products(server: Option<&Settings>, pending: &[OutboxEntry]) -> Vec<String> {
    pending
        .iter()
        .rev()
        .find_map(|e| match &e.action {
            Action::SetOnlyProducts { product_ids } => Some(product_ids.clone()),
            _ => None,
        })
        .or_else(|| server.map(|s| s.only_products.clone()))
        .unwrap_or_default()
}

/// Whether tapping the shopping bag shows the auto-post pop-up now.
///
/// Only for sellers the server put in the experiment, with the feature off, not closed within the
/// cooldown and not shown too often. Without synced config or experiments it stays hidden: an
/// unknown experiment is treated as not assigned.
pub(crate) fn popup_due(
    s: &Effective,
    config: Option<&RemoteConfig>,
    experiments: Option<&Experiments>,
    now_ms: i64,
) -> bool {
    let (Some(config), Some(experiments)) = (config, experiments) else {
        return false;
    };
    if !experiments.popup || s.toggle_on || s.popup_shows >= config.popup_max_shows {
        return false;
    }
    match s.popup_dismissed_at_ms {
        Some(at) => now_ms.saturating_sub(at) >= i64::from(config.popup_cooldown_s) * 1000,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: Action) -> OutboxEntry {
        OutboxEntry { id: 1, idempotency_key: "k".into(), action, created_at_ms: 0, attempts: 0, next_attempt_at_ms: 0 }
    }

    fn exp(popup: bool) -> Experiments {
        Experiments { popup, format_variant: "control".into(), format: Default::default() }
    }

    #[test]
    fn pending_actions_override_server() {
        let server = Settings {
            highlights_on: false,
            onboarding_completed: false,
            popup_shows: 1,
            popup_dismissed_at_ms: Some(50),
            version: 3,
            updated_at_ms: 0,
            next_live_highlights_on: true,
            review_before_posting: false,
            only_products: Vec::new(),
            posting_bar: PostingBar { shift: 0.3, removed: 4, of_last: 10, posted_by_hand: 0 },
        };
        let e = effective(
            Some(&server),
            &[
                entry(Action::SetToggle { on: true }),
                entry(Action::PopupShown),
                entry(Action::PopupDismissed { at_ms: 10 }),
            ],
        );
        assert!(e.toggle_on && e.toggle_pending);
        assert_eq!(e.posting_bar, server.posting_bar, "the learned bar stands until the seller resets it");
        let reset = effective(Some(&server), &[entry(Action::ResetPostingBar)]);
        assert_eq!(reset.posting_bar, PostingBar::default(), "a reset on its way shows the usual bar at once");
        assert_eq!(e.popup_shows, 2);
        assert_eq!(e.popup_dismissed_at_ms, Some(50), "an older dismissal never moves the cooldown back");
    }

    #[test]
    fn popup_rules() {
        let cfg = RemoteConfig { popup_cooldown_s: 10, popup_max_shows: 2, ..Default::default() };
        let fresh = Effective::default();
        assert!(popup_due(&fresh, Some(&cfg), Some(&exp(true)), 0));
        assert!(!popup_due(&fresh, Some(&cfg), Some(&exp(false)), 0), "not in the experiment");
        assert!(!popup_due(&fresh, None, Some(&exp(true)), 0), "no config yet");
        let on = Effective { toggle_on: true, ..fresh };
        assert!(!popup_due(&on, Some(&cfg), Some(&exp(true)), 0), "feature already on");
        let shown = Effective { popup_shows: 2, ..fresh };
        assert!(!popup_due(&shown, Some(&cfg), Some(&exp(true)), 0), "max shows reached");
        let closed = Effective { popup_dismissed_at_ms: Some(1_000), ..fresh };
        assert!(!popup_due(&closed, Some(&cfg), Some(&exp(true)), 10_999), "inside cooldown");
        assert!(popup_due(&closed, Some(&cfg), Some(&exp(true)), 11_000), "cooldown over");
    }
}
