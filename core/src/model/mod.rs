//! The core's rules as a pure model: an event and the model in, the next navigation and the
//! effects to run out. No SQL, no clock, no randomness: what a rule needs to know about the cache
//! or the world it asks [`Facts`], so every rule is tested with plain values.
//!
//! Overlays are one field, so two can never be shown at once; [`Model::settle`] closes an overlay
//! whose reason is gone (the pop-up once the feature is on, onboarding once it is completed),
//! whether that came from a tap or from a sync.

mod action;
mod facts;
mod settings;
mod video;

#[cfg(test)]
mod tests;

use highlights_api::{Experiments, Highlight, HighlightKind, HighlightStatus, RemoteConfig, Settings};

pub use action::{Action, OutboxEntry};
pub(crate) use facts::Facts;
pub(crate) use settings::Effective;

use crate::error::check_id;
use crate::view::{OnboardingOrigin, Screen};
use crate::{CoreError, Event};

/// What covers the screen, if anything: one overlay at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Overlay {
    /// The first-time onboarding overlay, and where it was opened from.
    Onboarding(OnboardingOrigin),
    /// The pre-LIVE auto-post pop-up on the shopping bag.
    Popup,
}

/// Where the seller is: the screen, the overlay on it, and the open recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Nav {
    /// The screen on top.
    pub screen: Screen,
    /// The overlay over it.
    pub overlay: Option<Overlay>,
    /// The recording open on [`Screen::Recording`].
    pub recording: Option<String>,
}

impl Default for Nav {
    fn default() -> Self {
        Self { screen: Screen::Products, overlay: None, recording: None }
    }
}

/// Everything the rules decide on.
#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    /// Where the seller is.
    pub nav: Nav,
    /// Settings as last confirmed by the server.
    pub server: Option<Settings>,
    /// Remote config as last synced.
    pub config: Option<RemoteConfig>,
    /// Experiment assignment as last synced.
    pub experiments: Option<Experiments>,
    /// Actions waiting for delivery, oldest first.
    pub pending: Vec<OutboxEntry>,
    /// The last sync reached the server.
    pub online: bool,
    /// When the cache was last brought up to date.
    pub last_synced: Option<i64>,
    /// Syncs running now (background and pull-to-refresh may overlap).
    pub syncing: u32,
    /// A sync has finished, well or not, since the core opened.
    pub attempted: bool,
}

/// A side effect the shell runs for a rule, in order; a step has at most one write, and it
/// comes last, so a failed write leaves nothing half done.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Effect {
    /// Load the module's first page, replacing what was loaded.
    LoadModule,
    /// Load the module's next page, if there is one.
    LoadMoreRecordings,
    /// Forget a notice the seller read.
    DismissNotice(i64),
    /// Forget a notification the seller read.
    DismissNotification(i64),
    /// Queue these actions in the outbox, in one transaction.
    Enqueue(Vec<Action>),
    /// Queue this action, not to be sent for `hold_ms` (the undo window).
    EnqueueHeld(Action, i64),
    /// Take this queued action back, if it has still not been sent.
    Unqueue(i64),
}

/// The outcome of one event: where the seller ends up, once the effects have run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    /// The navigation after the event.
    pub nav: Nav,
    /// What to run, in order.
    pub effects: Vec<Effect>,
}

impl Model {
    /// Settings as the seller sees them: the server's with pending actions on top.
    pub(crate) fn effective(&self) -> Effective {
        settings::effective(self.server.as_ref(), &self.pending)
    }

    /// The products whose LIVEs get highlights as the seller sees it (empty: every LIVE).
    pub(crate) fn only_products(&self) -> Vec<String> {
        settings::only_products(self.server.as_ref(), &self.pending)
    }

    /// Closes an overlay whose reason is gone: the pop-up once the feature is on, onboarding once
    /// it is completed. Run after every event and every sync.
    pub(crate) fn settle(&mut self) {
        let eff = self.effective();
        let stale = match self.nav.overlay {
            Some(Overlay::Popup) => eff.toggle_on,
            Some(Overlay::Onboarding(_)) => eff.onboarding_completed,
            None => false,
        };
        if stale {
            self.nav.overlay = None;
        }
    }

    /// The open recording is no longer in the cache: back to the module.
    pub(crate) fn close_missing_recording(&mut self) {
        if self.nav.recording.take().is_some() {
            self.nav.screen = Screen::Module;
        }
    }

    /// Whether a change to this highlight is already on its way.
    fn has_pending_change(&self, highlight_id: &str) -> bool {
        self.pending.iter().any(|e| e.action.highlight_id() == Some(highlight_id))
    }
}

fn not_allowed(reason: impl Into<String>) -> CoreError {
    CoreError::NotAllowed { reason: reason.into() }
}

/// Applies one seller event to the model. On error nothing is to change.
pub(crate) fn update(model: &Model, event: Event, facts: &dyn Facts) -> Result<Step, CoreError> {
    let mut nav = model.nav.clone();
    let mut effects = Vec::new();
    match event {
        Event::OpenHighlights => {
            // Going elsewhere closes an overlay without answering it (the pop-up's show counts).
            nav = Nav { screen: Screen::Highlights, overlay: None, recording: None };
        }
        Event::OpenModule => {
            nav = Nav { screen: Screen::Module, overlay: None, recording: None };
            effects.push(Effect::LoadModule);
        }
        Event::LoadMoreRecordings => effects.push(Effect::LoadMoreRecordings),
        Event::OpenRecording { recording_id } => {
            check_id("recording", &recording_id)?;
            if facts.recording(&recording_id)?.is_none() {
                return Err(CoreError::UnknownRecording { id: recording_id });
            }
            nav = Nav { screen: Screen::Recording, overlay: None, recording: Some(recording_id) };
        }
        Event::Back => match nav.overlay {
            Some(Overlay::Onboarding(_)) => nav.overlay = None,
            // System back on the pop-up means the same as its X.
            Some(Overlay::Popup) => return update(model, Event::PopupDismiss, facts),
            None => {
                nav.screen = match nav.screen {
                    Screen::Recording => {
                        nav.recording = None;
                        Screen::Module
                    }
                    Screen::Module => Screen::Highlights,
                    Screen::Highlights | Screen::Products => Screen::Products,
                }
            }
        },
        Event::SetToggle { on } => set_toggle(model, &mut nav, &mut effects, on, OnboardingOrigin::Toggle),
        Event::ConfirmOnboarding => {
            if !matches!(nav.overlay, Some(Overlay::Onboarding(_))) {
                return Err(not_allowed("the onboarding overlay is not shown"));
            }
            let mut actions = vec![Action::CompleteOnboarding];
            if !model.effective().toggle_on {
                actions.push(Action::SetToggle { on: true });
            }
            nav = Nav { screen: Screen::Module, overlay: None, recording: None };
            effects.push(Effect::LoadModule);
            effects.push(Effect::Enqueue(actions));
        }
        Event::DismissOnboarding => {
            if matches!(nav.overlay, Some(Overlay::Onboarding(_))) {
                nav.overlay = None;
            }
        }
        Event::ShoppingBagTapped => {
            let due = settings::popup_due(
                &model.effective(),
                model.config.as_ref(),
                model.experiments.as_ref(),
                facts.now_ms(),
            );
            if nav.overlay.is_none() && due {
                nav.overlay = Some(Overlay::Popup);
                effects.push(Effect::Enqueue(vec![Action::PopupShown]));
            }
        }
        Event::PopupTurnOn => {
            if nav.overlay != Some(Overlay::Popup) {
                return Err(not_allowed("the pop-up is not shown"));
            }
            nav.overlay = None;
            set_toggle(model, &mut nav, &mut effects, true, OnboardingOrigin::Popup);
        }
        Event::PopupDismiss => {
            if nav.overlay != Some(Overlay::Popup) {
                return Err(not_allowed("the pop-up is not shown"));
            }
            nav.overlay = None;
            effects.push(Effect::Enqueue(vec![Action::PopupDismissed { at_ms: facts.now_ms() }]));
        }
        Event::PostRecommendation { highlight_id } => {
            let h = highlight(facts, &highlight_id)?;
            if h.kind != HighlightKind::Recommendation || h.status != HighlightStatus::Suggested {
                return Err(not_allowed(format!("highlight {highlight_id} is not a recommendation to post")));
            }
            require_no_pending_change(model, &highlight_id)?;
            effects.push(Effect::Enqueue(vec![Action::PostRecommendation { highlight_id, recording_id: h.live_id }]));
        }
        Event::RemoveHighlight { highlight_id } => {
            let h = highlight(facts, &highlight_id)?;
            if !matches!(h.status, HighlightStatus::Scheduled | HighlightStatus::Posted) {
                return Err(not_allowed(format!("highlight {highlight_id} is not on the profile")));
            }
            require_no_pending_change(model, &highlight_id)?;
            effects.push(Effect::Enqueue(vec![Action::RemoveHighlight { highlight_id, recording_id: h.live_id }]));
        }
        Event::CreateVideo { recording_id, start_ms, end_ms, product_id } => {
            video::validate(facts, model.config.as_ref(), &recording_id, (start_ms, end_ms), &product_id)?;
            let local_id = format!("local-{}", facts.fresh_id()?);
            effects.push(Effect::Enqueue(vec![Action::CreateVideo {
                local_id,
                recording_id,
                start_ms,
                end_ms,
                product_id,
            }]));
        }
        Event::RemoveAllHighlights { recording_id } => {
            if let Some(id) = &recording_id {
                check_id("recording", id)?;
                if facts.recording(id)?.is_none() {
                    return Err(CoreError::UnknownRecording { id: id.clone() });
                }
            }
            let action = Action::RemoveAllHighlights { recording_id };
            if model.pending.iter().any(|e| e.action == action) {
                return Err(not_allowed("this removal is already on its way"));
            }
            let window_s = model.config.as_ref().map_or(highlights_api::defaults::UNDO_WINDOW_S, |c| c.undo_window_s);
            effects.push(Effect::EnqueueHeld(action, i64::from(window_s) * 1000));
        }
        Event::SetLiveHighlights { recording_id, on } => {
            check_id("recording", &recording_id)?;
            let Some(row) = facts.recording(&recording_id)? else {
                return Err(CoreError::UnknownRecording { id: recording_id });
            };
            // The latest choice wins: what is shown is the cache with pending choices on top.
            let shown = model
                .pending
                .iter()
                .rev()
                .find_map(|e| match &e.action {
                    Action::SetLiveHighlights { recording_id: r, on } if *r == recording_id => Some(*on),
                    _ => None,
                })
                .unwrap_or(row.highlights_on);
            if shown != on {
                effects.push(Effect::Enqueue(vec![Action::SetLiveHighlights { recording_id, on }]));
            }
        }
        Event::SetReviewBeforePosting { on } => {
            if model.effective().review_before_posting != on {
                effects.push(Effect::Enqueue(vec![Action::SetReviewBeforePosting { on }]));
            }
        }
        Event::ResetPostingBar => {
            // A bar the seller is not told about has nothing to reset; a second tap is not a second reset.
            if model.effective().posting_bar.fewer().is_some() {
                effects.push(Effect::Enqueue(vec![Action::ResetPostingBar]));
            }
        }
        Event::SetOnlyProducts { mut product_ids } => {
            if product_ids.len() > highlights_api::MAX_ONLY_PRODUCTS {
                return Err(not_allowed(format!("choose at most {} products", highlights_api::MAX_ONLY_PRODUCTS)));
            }
            for id in &product_ids {
                check_id("product", id)?;
            }
            product_ids.sort();
            product_ids.dedup();
            if model.only_products() != product_ids {
                effects.push(Effect::Enqueue(vec![Action::SetOnlyProducts { product_ids }]));
            }
        }
        Event::ApproveHighlight { highlight_id } => {
            let h = highlight(facts, &highlight_id)?;
            if h.status != HighlightStatus::Scheduled || h.review != highlights_api::Review::Waiting {
                return Err(not_allowed(format!("highlight {highlight_id} is not waiting for your approval")));
            }
            require_no_pending_change(model, &highlight_id)?;
            effects.push(Effect::Enqueue(vec![Action::ApproveHighlight { highlight_id, recording_id: h.live_id }]));
        }
        Event::SetNextLiveHighlights { on } => {
            if model.effective().next_live_on != on {
                effects.push(Effect::Enqueue(vec![Action::SetNextLiveHighlights { on }]));
            }
        }
        Event::UndoRemoveAll => {
            let now = facts.now_ms();
            let Some(entry) = model.pending.iter().rev().find(|e| e.undoable(now)) else {
                return Err(not_allowed("there is no removal left to undo: it has been sent"));
            };
            effects.push(Effect::Unqueue(entry.id));
        }
        Event::DismissNotice { id } => effects.push(Effect::DismissNotice(id)),
        Event::DismissNotification { id } => effects.push(Effect::DismissNotification(id)),
    }
    Ok(Step { nav, effects })
}

/// The toggle rule: the first turn-on, from wherever, goes through the onboarding overlay.
fn set_toggle(model: &Model, nav: &mut Nav, effects: &mut Vec<Effect>, on: bool, origin: OnboardingOrigin) {
    let eff = model.effective();
    if eff.toggle_on == on {
        return;
    }
    if on && !eff.onboarding_completed {
        nav.overlay = Some(Overlay::Onboarding(origin));
        return;
    }
    effects.push(Effect::Enqueue(vec![Action::SetToggle { on }]));
}

/// A cached highlight.
fn highlight(facts: &dyn Facts, id: &str) -> Result<Highlight, CoreError> {
    check_id("highlight", id)?;
    facts.highlight(id)?.ok_or_else(|| CoreError::UnknownHighlight { id: id.to_string() })
}

/// One change per highlight at a time: a second would race the first on the server.
fn require_no_pending_change(model: &Model, id: &str) -> Result<(), CoreError> {
    if model.has_pending_change(id) {
        return Err(not_allowed(format!("highlight {id} already has a change on its way")));
    }
    Ok(())
}
