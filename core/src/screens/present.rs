//! Builds the view state from the model, the loaded module list and the cache, with the actions
//! still on their way folded in; reads only.

use highlights_api::{Highlight, HighlightKind, HighlightStatus, RemoteConfig};

use super::module_list::ModuleList;
use crate::model::{Action, Model, OutboxEntry, Overlay};
use crate::store::{Store, StoreError};
use crate::view::*;

/// Limits shown to the seller, from remote config.
fn limits(c: &RemoteConfig) -> Limits {
    Limits {
        max_posts_per_live: c.max_posts_per_live,
        max_posts_per_product: c.max_posts_per_product,
        post_delay_s: c.post_delay_s,
        clip_min_s: c.clip_min_s,
        clip_max_s: c.clip_max_s,
    }
}

fn badge(h: &Highlight) -> HighlightBadge {
    match h.status {
        HighlightStatus::Scheduled if h.review == highlights_api::Review::Waiting => HighlightBadge::AwaitingApproval,
        HighlightStatus::Scheduled => HighlightBadge::Scheduled,
        HighlightStatus::Posted if h.live_now => HighlightBadge::LiveNow,
        HighlightStatus::Posted => HighlightBadge::Posted,
        HighlightStatus::Suggested => HighlightBadge::Recommended,
        HighlightStatus::Removed => HighlightBadge::Removed,
    }
}

fn row(h: Highlight, badge: HighlightBadge) -> HighlightRow {
    HighlightRow {
        id: h.id,
        kind: h.kind,
        badge,
        start_ms: h.start_ms,
        end_ms: h.end_ms,
        product_id: h.product_id,
        score: h.score,
        signals: h.signals,
        reasons: h.reasons,
        post_at_ms: h.post_at_ms,
        format: h.format,
        video: h.video.map(|v| VideoRow {
            state: v.state,
            duration_ms: v.duration_ms,
            player_url: v.video_url,
            thumbnail_url: v.thumbnail_url,
            storyboard: v.storyboard,
        }),
        results: h.results,
    }
}

/// Adjusts a module row's counts for actions the server has not confirmed yet.
fn adjust_counts(r: &mut RecordingRow, pending: &[OutboxEntry]) {
    for e in pending {
        match &e.action {
            Action::PostRecommendation { recording_id, .. } if *recording_id == r.id => {
                r.recommendation_count = r.recommendation_count.saturating_sub(1);
                r.highlight_count += 1;
            }
            Action::RemoveHighlight { recording_id, .. } if *recording_id == r.id => {
                r.highlight_count = r.highlight_count.saturating_sub(1)
            }
            Action::CreateVideo { recording_id, .. } if *recording_id == r.id => r.highlight_count += 1,
            Action::SetLiveHighlights { recording_id, on } if *recording_id == r.id => r.highlights_on = *on,
            _ => {}
        }
    }
}

/// The open recording: its highlights and recommendations with pending actions folded in.
fn recording(
    store: &Store,
    id: &str,
    pending: &[OutboxEntry],
    currency: String,
) -> Result<Option<RecordingScreen>, StoreError> {
    let Some(mut recording) = store.recording(id)? else {
        return Ok(None);
    };
    adjust_counts(&mut recording, pending);
    let products = store.products(id)?;
    let mut highlights = Vec::new();
    let mut recommendations = Vec::new();
    let mut results = highlights_api::Results::default();
    for h in store.highlights_of(id)? {
        if let Some(r) = &h.results {
            results.add(r);
        }
        let pending_action = pending.iter().find_map(|e| match &e.action {
            Action::PostRecommendation { highlight_id, .. }
            | Action::RemoveHighlight { highlight_id, .. }
            | Action::ApproveHighlight { highlight_id, .. }
                if *highlight_id == h.id =>
            {
                Some(&e.action)
            }
            _ => None,
        });
        // A "remove all" waiting on the device (undo window) or on the network already shows its
        // effect: the seller sees what they asked for, and undo brings the rows back.
        // Switching the LIVE off cancels what is still scheduled, the same way.
        let removed_by_all = h.kind == HighlightKind::Auto
            && matches!(h.status, HighlightStatus::Scheduled | HighlightStatus::Posted)
            && pending.iter().any(|e| match &e.action {
                Action::RemoveAllHighlights { recording_id } => recording_id.as_deref().is_none_or(|r| r == h.live_id),
                Action::SetLiveHighlights { recording_id, on: false } => {
                    *recording_id == h.live_id && h.status == HighlightStatus::Scheduled
                }
                _ => false,
            });
        match (pending_action, h.status) {
            _ if removed_by_all => highlights.push(row(h, HighlightBadge::Removed)),
            (Some(Action::PostRecommendation { .. }), HighlightStatus::Suggested) => {
                highlights.push(row(h, HighlightBadge::Pending))
            }
            (Some(Action::RemoveHighlight { .. }), _) => highlights.push(row(h, HighlightBadge::Removed)),
            // The approval is on its way: it shows as what it will be, a scheduled post.
            (Some(Action::ApproveHighlight { .. }), HighlightStatus::Scheduled) => {
                highlights.push(row(h, HighlightBadge::Scheduled))
            }
            (_, HighlightStatus::Suggested) => {
                let b = badge(&h);
                recommendations.push(row(h, b))
            }
            _ => {
                let b = badge(&h);
                highlights.push(row(h, b))
            }
        }
    }
    for e in pending {
        if let Action::CreateVideo { local_id, recording_id, start_ms, end_ms, product_id } = &e.action
            && recording_id == id
        {
            highlights.push(HighlightRow {
                id: local_id.clone(),
                kind: HighlightKind::Manual,
                badge: HighlightBadge::Pending,
                start_ms: *start_ms,
                end_ms: *end_ms,
                product_id: Some(product_id.clone()),
                score: 0.0,
                signals: Vec::new(),
                reasons: Vec::new(),
                post_at_ms: None,
                format: Default::default(),
                video: None,
                results: None,
            });
        }
    }
    highlights.sort_by(|a, b| b.start_ms.cmp(&a.start_ms).then_with(|| b.id.cmp(&a.id)));
    recommendations.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    let auto_posts = highlights
        .iter()
        .filter(|h| {
            h.kind == HighlightKind::Auto
                && matches!(
                    h.badge,
                    HighlightBadge::Scheduled
                        | HighlightBadge::AwaitingApproval
                        | HighlightBadge::Posted
                        | HighlightBadge::LiveNow
                )
        })
        .count() as u32;
    Ok(Some(RecordingScreen { recording, products, highlights, recommendations, auto_posts, results, currency }))
}

/// The products the seller can choose from: every product of a cached recording, plus chosen ones
/// no cached recording shows (so a choice never disappears from the screen), chosen first.
fn product_choices(store: &Store, chosen: Vec<String>) -> Result<Vec<ProductChoice>, StoreError> {
    let mut choices: Vec<ProductChoice> = store
        .all_products()?
        .into_iter()
        .map(|p| ProductChoice { chosen: chosen.binary_search(&p.id).is_ok(), id: p.id, name: p.name })
        .collect();
    for id in chosen {
        if !choices.iter().any(|c| c.id == id) {
            choices.push(ProductChoice { name: id.clone(), id, chosen: true });
        }
    }
    choices.sort_by(|a, b| b.chosen.cmp(&a.chosen).then_with(|| a.name.cmp(&b.name)).then_with(|| a.id.cmp(&b.id)));
    Ok(choices)
}

/// The whole view state: every screen as the seller should see it now.
pub(crate) fn view_state(
    model: &Model,
    module: &ModuleList,
    notice: Option<&Notice>,
    store: &Store,
) -> Result<ViewState, StoreError> {
    let eff = model.effective();
    let limits = model.config.as_ref().map(limits);
    let currency = model.config.as_ref().map_or(highlights_api::defaults::CURRENCY.to_string(), |c| c.currency.clone());
    // A module-wide "Remove all" waiting out its undo window already took the auto-posts away.
    let removing_all =
        model.pending.iter().any(|e| matches!(&e.action, Action::RemoveAllHighlights { recording_id: None }));
    let (auto_posted, auto_scheduled, own_videos) = match model.nav.screen {
        Screen::Module if !removing_all => store.remove_all_counts()?,
        Screen::Module => (0, 0, store.remove_all_counts()?.2),
        _ => (0, 0, 0),
    };
    let mut list = ModuleScreen {
        recordings: module.rows.clone(),
        has_more: module.has_more,
        currency: currency.clone(),
        auto_posted,
        auto_scheduled,
        own_videos,
        posting_bar: eff.posting_bar.fewer().map(|fewer| PostingBarNote {
            fewer,
            removed: eff.posting_bar.removed,
            of_last: eff.posting_bar.of_last,
            posted_by_hand: eff.posting_bar.posted_by_hand,
        }),
    };
    if model.pending.iter().any(|e| !e.action.is_settings()) {
        for r in &mut list.recordings {
            adjust_counts(r, &model.pending);
        }
    }
    let recording = match &model.nav.recording {
        Some(id) => recording(store, id, &model.pending, currency)?,
        None => None,
    };
    Ok(ViewState {
        screen: model.nav.screen,
        highlights: HighlightsScreen {
            on: eff.toggle_on,
            pending: eff.toggle_pending,
            limits: limits.clone(),
            privacy_notice: model.config.as_ref().map(|c| c.privacy_notice.clone()),
            next_live_on: eff.next_live_on,
            review_before_posting: eff.review_before_posting,
            product_choices: if model.nav.screen == Screen::Highlights {
                product_choices(store, model.only_products())?
            } else {
                Vec::new()
            },
        },
        onboarding: match model.nav.overlay {
            Some(Overlay::Onboarding(origin)) => Some(OnboardingOverlay { origin, limits }),
            _ => None,
        },
        popup: (model.nav.overlay == Some(Overlay::Popup))
            .then(|| AutoPostPopup { max_posts_per_live: model.config.as_ref().map_or(0, |c| c.max_posts_per_live) }),
        module: list,
        recording,
        sync: SyncIndicator {
            online: model.online,
            last_updated_ms: model.last_synced,
            pending_actions: model.pending.len() as u32,
            syncing: model.syncing > 0,
            attempted: model.attempted,
        },
        notice: notice.cloned(),
        notifications: store.notifications(10)?,
        undo: model.pending.iter().rev().find_map(|e| match &e.action {
            Action::RemoveAllHighlights { recording_id } if e.attempts == 0 => {
                Some(UndoOffer { recording_id: recording_id.clone(), until_ms: e.next_attempt_at_ms })
            }
            _ => None,
        }),
    })
}
