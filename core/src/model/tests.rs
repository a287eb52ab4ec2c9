//! The model's rules with plain values: no SQLite, no clock, no randomness.

use std::cell::Cell;
use std::collections::HashMap;

use highlights_api::{Experiments, Highlight, HighlightKind, HighlightStatus, RemoteConfig, Settings};
use proptest::prelude::*;

use super::*;
use crate::view::{ProductRow, RecordingRow};

/// Facts held in memory.
#[derive(Default)]
struct World {
    now_ms: i64,
    ids: Cell<u32>,
    recordings: HashMap<String, RecordingRow>,
    products: HashMap<String, Vec<ProductRow>>,
    highlights: HashMap<String, Highlight>,
}

impl Facts for World {
    fn now_ms(&self) -> i64 {
        self.now_ms
    }
    fn fresh_id(&self) -> Result<String, CoreError> {
        self.ids.set(self.ids.get() + 1);
        Ok(format!("id{}", self.ids.get()))
    }
    fn recording(&self, id: &str) -> Result<Option<RecordingRow>, CoreError> {
        Ok(self.recordings.get(id).cloned())
    }
    fn products(&self, recording_id: &str) -> Result<Vec<ProductRow>, CoreError> {
        Ok(self.products.get(recording_id).cloned().unwrap_or_default())
    }
    fn highlight(&self, id: &str) -> Result<Option<Highlight>, CoreError> {
        Ok(self.highlights.get(id).cloned())
    }
}

fn world() -> World {
    let rec = RecordingRow {
        id: "live-1".into(),
        title: "Spring drop".into(),
        started_at_ms: 1_000_000,
        ended_at_ms: Some(4_600_000),
        is_live: false,
        highlights_on: true,
        highlight_count: 1,
        recommendation_count: 1,
        cover_url: None,
        thumbnail_urls: Vec::new(),
        views: 0,
        gmv_minor: 0,
    };
    let highlight = |id: &str, kind, status| Highlight {
        id: id.into(),
        live_id: "live-1".into(),
        kind,
        status,
        live_now: false,
        start_ms: 1_100_000,
        end_ms: 1_130_000,
        product_id: Some("sku-1".into()),
        score: 2.0,
        signals: vec![],
        reasons: vec![],
        post_at_ms: None,
        format: Default::default(),
        video: None,
        review: Default::default(),
        results: None,
        seq: 1,
    };
    World {
        now_ms: 5_000_000,
        ids: Cell::new(0),
        recordings: [("live-1".to_string(), rec)].into(),
        products: [("live-1".to_string(), vec![ProductRow { id: "sku-1".into(), name: "Serum".into() }])].into(),
        highlights: [
            ("rec".to_string(), highlight("rec", HighlightKind::Recommendation, HighlightStatus::Suggested)),
            ("auto".to_string(), highlight("auto", HighlightKind::Auto, HighlightStatus::Posted)),
        ]
        .into(),
    }
}

fn synced(popup_experiment: bool) -> Model {
    Model {
        server: Some(Settings {
            highlights_on: false,
            onboarding_completed: false,
            popup_shows: 0,
            popup_dismissed_at_ms: None,
            version: 1,
            updated_at_ms: 0,
            next_live_highlights_on: true,
            review_before_posting: false,
            only_products: Vec::new(),
            posting_bar: Default::default(),
        }),
        config: Some(RemoteConfig { popup_cooldown_s: 60, popup_max_shows: 2, ..RemoteConfig::default() }),
        experiments: Some(Experiments {
            popup: popup_experiment,
            format_variant: "control".into(),
            format: Default::default(),
        }),
        ..Model::default()
    }
}

/// Runs one event as the shell does: the rule, then its effects (the outbox in memory).
fn step(model: &mut Model, event: Event, facts: &World) -> Result<Vec<Effect>, CoreError> {
    let step = update(model, event, facts)?;
    for effect in &step.effects {
        let (queued, not_before) = match effect {
            Effect::Enqueue(actions) => (actions.clone(), 0),
            Effect::EnqueueHeld(action, hold_ms) => (vec![action.clone()], facts.now_ms + hold_ms),
            Effect::Unqueue(id) => {
                model.pending.retain(|e| e.id != *id);
                continue;
            }
            _ => continue,
        };
        for action in queued {
            let id = model.pending.iter().map(|e| e.id).max().unwrap_or(0) + 1;
            model.pending.push(OutboxEntry {
                id,
                idempotency_key: format!("k{id}"),
                action,
                created_at_ms: facts.now_ms,
                attempts: 0,
                next_attempt_at_ms: not_before,
            });
        }
    }
    model.nav = step.nav;
    model.settle();
    Ok(step.effects)
}

fn actions(model: &Model) -> Vec<Action> {
    model.pending.iter().map(|e| e.action.clone()).collect()
}

#[test]
fn first_turn_on_goes_through_onboarding_then_lands_in_the_module() {
    let w = world();
    let mut m = synced(false);
    step(&mut m, Event::OpenHighlights, &w).unwrap();
    step(&mut m, Event::SetToggle { on: true }, &w).unwrap();
    assert_eq!(m.nav.overlay, Some(Overlay::Onboarding(OnboardingOrigin::Toggle)));
    assert!(m.pending.is_empty(), "nothing is queued before the seller confirms");
    let effects = step(&mut m, Event::ConfirmOnboarding, &w).unwrap();
    assert_eq!(effects[0], Effect::LoadModule);
    assert_eq!(actions(&m), vec![Action::CompleteOnboarding, Action::SetToggle { on: true }]);
    assert_eq!((m.nav.screen, m.nav.overlay), (Screen::Module, None));
    step(&mut m, Event::SetToggle { on: false }, &w).unwrap();
    step(&mut m, Event::SetToggle { on: true }, &w).unwrap();
    assert_eq!(m.nav.overlay, None, "onboarding only until it is confirmed");
    assert_eq!(m.pending.len(), 4);
}

#[test]
fn popup_then_highlights_then_toggle_shows_one_overlay() {
    // The bug this model was built to remove: the pop-up and onboarding drawn at once.
    let w = world();
    let mut m = synced(true);
    step(&mut m, Event::ShoppingBagTapped, &w).unwrap();
    assert_eq!(m.nav.overlay, Some(Overlay::Popup));
    step(&mut m, Event::OpenHighlights, &w).unwrap();
    assert_eq!(m.nav.overlay, None, "leaving closes the pop-up");
    assert_eq!(actions(&m), vec![Action::PopupShown], "closing by leaving is not a dismissal");
    step(&mut m, Event::SetToggle { on: true }, &w).unwrap();
    assert_eq!(m.nav.overlay, Some(Overlay::Onboarding(OnboardingOrigin::Toggle)));
}

#[test]
fn popup_turn_on_and_dismiss() {
    let mut w = world();
    let mut m = synced(true);
    step(&mut m, Event::ShoppingBagTapped, &w).unwrap();
    step(&mut m, Event::Back, &w).unwrap();
    assert_eq!(actions(&m)[1], Action::PopupDismissed { at_ms: w.now_ms }, "back on the pop-up is its X");
    step(&mut m, Event::ShoppingBagTapped, &w).unwrap();
    assert_eq!(m.nav.overlay, None, "inside the cooldown");
    w.now_ms += 60_000;
    step(&mut m, Event::ShoppingBagTapped, &w).unwrap();
    assert_eq!(m.nav.overlay, Some(Overlay::Popup));
    step(&mut m, Event::PopupTurnOn, &w).unwrap();
    assert_eq!(m.nav.overlay, Some(Overlay::Onboarding(OnboardingOrigin::Popup)));
    assert_eq!(
        update(&m, Event::PopupDismiss, &w),
        Err(CoreError::NotAllowed { reason: "the pop-up is not shown".into() })
    );
    step(&mut m, Event::ConfirmOnboarding, &w).unwrap();
    assert!(m.effective().toggle_on);
    step(&mut m, Event::SetToggle { on: false }, &w).unwrap();
    w.now_ms += 3_600_000;
    step(&mut m, Event::ShoppingBagTapped, &w).unwrap();
    assert_eq!(m.nav.overlay, None, "shown twice: the most remote config allows");
}

#[test]
fn a_sync_that_turns_the_feature_on_closes_the_popup() {
    let w = world();
    let mut m = synced(true);
    step(&mut m, Event::ShoppingBagTapped, &w).unwrap();
    m.server.as_mut().unwrap().highlights_on = true;
    m.settle();
    assert_eq!(m.nav.overlay, None);
    let mut m = synced(false);
    step(&mut m, Event::SetToggle { on: true }, &w).unwrap();
    m.server.as_mut().unwrap().onboarding_completed = true;
    m.settle();
    assert_eq!(m.nav.overlay, None, "completed on another device");
}

#[test]
fn highlight_rules() {
    let w = world();
    let mut m = synced(false);
    step(&mut m, Event::PostRecommendation { highlight_id: "rec".into() }, &w).unwrap();
    assert_eq!(
        actions(&m),
        vec![Action::PostRecommendation { highlight_id: "rec".into(), recording_id: "live-1".into() }]
    );
    assert!(matches!(
        update(&m, Event::PostRecommendation { highlight_id: "rec".into() }, &w),
        Err(CoreError::NotAllowed { .. })
    ));
    assert!(matches!(
        update(&m, Event::PostRecommendation { highlight_id: "auto".into() }, &w),
        Err(CoreError::NotAllowed { .. })
    ));
    assert!(matches!(
        update(&m, Event::RemoveHighlight { highlight_id: "nope".into() }, &w),
        Err(CoreError::UnknownHighlight { .. })
    ));
    step(&mut m, Event::RemoveHighlight { highlight_id: "auto".into() }, &w).unwrap();
    assert_eq!(m.pending.len(), 2);
}

#[test]
fn remove_all_waits_out_the_undo_window_and_undo_takes_it_back() {
    let mut w = world();
    let mut m = synced(false);
    let config_window = i64::from(m.config.as_ref().unwrap().undo_window_s) * 1000;
    assert!(config_window > 0);

    step(&mut m, Event::RemoveAllHighlights { recording_id: Some("live-1".into()) }, &w).unwrap();
    let held = m.pending.last().unwrap().clone();
    assert_eq!(held.action, Action::RemoveAllHighlights { recording_id: Some("live-1".into()) });
    assert_eq!(held.next_attempt_at_ms, w.now_ms + config_window, "held for the config's undo window");
    assert!(matches!(
        step(&mut m, Event::RemoveAllHighlights { recording_id: Some("live-1".into()) }, &w),
        Err(CoreError::NotAllowed { .. })
    ));
    step(&mut m, Event::UndoRemoveAll, &w).unwrap();
    assert!(m.pending.is_empty(), "undo takes it back");
    assert!(matches!(step(&mut m, Event::UndoRemoveAll, &w), Err(CoreError::NotAllowed { .. })), "nothing left");

    // Every LIVE; once the window has passed it may be on its way, so undo is refused.
    step(&mut m, Event::RemoveAllHighlights { recording_id: None }, &w).unwrap();
    w.now_ms += config_window;
    assert!(matches!(step(&mut m, Event::UndoRemoveAll, &w), Err(CoreError::NotAllowed { .. })));
    assert_eq!(actions(&m), vec![Action::RemoveAllHighlights { recording_id: None }]);
    assert!(matches!(
        step(&mut m, Event::RemoveAllHighlights { recording_id: Some("live-9".into()) }, &w),
        Err(CoreError::UnknownRecording { .. })
    ));
}

#[test]
fn a_recordings_switch_queues_only_real_changes_and_the_latest_wins() {
    let w = world();
    let mut m = synced(false);
    let set = |on| Event::SetLiveHighlights { recording_id: "live-1".into(), on };
    step(&mut m, set(true), &w).unwrap();
    assert!(m.pending.is_empty(), "already on: nothing to send");
    step(&mut m, set(false), &w).unwrap();
    step(&mut m, set(false), &w).unwrap();
    step(&mut m, set(true), &w).unwrap();
    assert_eq!(
        actions(&m),
        vec![
            Action::SetLiveHighlights { recording_id: "live-1".into(), on: false },
            Action::SetLiveHighlights { recording_id: "live-1".into(), on: true },
        ],
        "in order, each a change from what is shown"
    );
    assert!(matches!(
        step(&mut m, Event::SetLiveHighlights { recording_id: "live-9".into(), on: false }, &w),
        Err(CoreError::UnknownRecording { .. })
    ));
}

#[test]
fn the_product_choice_is_sorted_checked_and_queued_only_when_it_changes() {
    let w = world();
    let mut m = synced(false);
    assert!(m.only_products().is_empty(), "every LIVE unless the seller chooses");
    step(&mut m, Event::SetOnlyProducts { product_ids: vec![] }, &w).unwrap();
    assert!(m.pending.is_empty(), "no change, nothing queued");
    step(&mut m, Event::SetOnlyProducts { product_ids: vec!["b".into(), "a".into(), "b".into()] }, &w).unwrap();
    assert_eq!(m.only_products(), vec!["a".to_string(), "b".to_string()]);
    assert!(m.pending[0].action.is_settings());
    step(&mut m, Event::SetOnlyProducts { product_ids: vec!["a".into(), "b".into()] }, &w).unwrap();
    assert_eq!(m.pending.len(), 1, "the same choice again is no change");
    let too_many = (0..101).map(|i| format!("p{i}")).collect();
    assert!(matches!(
        step(&mut m, Event::SetOnlyProducts { product_ids: too_many }, &w),
        Err(CoreError::NotAllowed { .. })
    ));
    assert!(matches!(
        step(&mut m, Event::SetOnlyProducts { product_ids: vec!["\u{7}".into()] }, &w),
        Err(CoreError::InvalidId { .. })
    ));
    assert_eq!(m.pending.len(), 1, "a refused choice leaves the last good one");
}

#[test]
fn the_next_live_choice_is_a_setting_shown_with_pending_changes() {
    let w = world();
    let mut m = synced(false);
    assert!(m.effective().next_live_on, "on unless the seller says otherwise");
    step(&mut m, Event::SetNextLiveHighlights { on: true }, &w).unwrap();
    assert!(m.pending.is_empty());
    step(&mut m, Event::SetNextLiveHighlights { on: false }, &w).unwrap();
    assert!(!m.effective().next_live_on);
    assert!(m.pending[0].action.is_settings());
}

#[test]
fn reset_queues_one_settings_action_only_while_the_bar_is_worth_mentioning() {
    let w = world();
    let mut m = synced(false);
    let learned = highlights_api::PostingBar { shift: 0.25, removed: 4, of_last: 10, posted_by_hand: 0 };
    m.server.as_mut().unwrap().posting_bar = learned;
    assert_eq!(m.effective().posting_bar, learned);
    let effects = step(&mut m, Event::ResetPostingBar, &w).unwrap();
    assert_eq!(effects, vec![Effect::Enqueue(vec![Action::ResetPostingBar])]);
    assert_eq!(m.pending.len(), 1);
    assert!(m.pending[0].action.is_settings(), "delivered as a settings change, answered with settings");
    assert_eq!(m.effective().posting_bar, highlights_api::PostingBar::default(), "the usual bar at once");
    assert!(step(&mut m, Event::ResetPostingBar, &w).unwrap().is_empty(), "a second tap resets nothing more");
    assert_eq!(m.pending.len(), 1);

    let mut slight = synced(false);
    slight.server.as_mut().unwrap().posting_bar = highlights_api::PostingBar { shift: -0.05, ..learned };
    assert!(step(&mut slight, Event::ResetPostingBar, &w).unwrap().is_empty(), "nothing the seller was told about");
    assert!(slight.pending.is_empty());
}

#[test]
fn approving_is_for_posts_waiting_for_review_and_once() {
    let mut w = world();
    let mut waiting = w.highlights["auto"].clone();
    waiting.id = "waiting".into();
    waiting.status = HighlightStatus::Scheduled;
    waiting.review = highlights_api::Review::Waiting;
    w.highlights.insert("waiting".into(), waiting);
    let mut m = synced(false);
    step(&mut m, Event::SetReviewBeforePosting { on: true }, &w).unwrap();
    assert!(m.effective().review_before_posting);
    assert!(matches!(
        step(&mut m, Event::ApproveHighlight { highlight_id: "auto".into() }, &w),
        Err(CoreError::NotAllowed { .. })
    ));
    step(&mut m, Event::ApproveHighlight { highlight_id: "waiting".into() }, &w).unwrap();
    assert!(
        matches!(
            step(&mut m, Event::ApproveHighlight { highlight_id: "waiting".into() }, &w),
            Err(CoreError::NotAllowed { .. })
        ),
        "one change per highlight at a time"
    );
    assert!(matches!(m.pending.last().unwrap().action, Action::ApproveHighlight { .. }));
}

#[test]
fn video_rules() {
    let w = world();
    let m = synced(false);
    let video = |start: i64, end: i64, product: &str| Event::CreateVideo {
        recording_id: "live-1".into(),
        start_ms: start,
        end_ms: end,
        product_id: product.into(),
    };
    let ok = update(&m, video(1_100_000, 1_130_000, "sku-1"), &w).unwrap();
    assert!(
        matches!(&ok.effects[..], [Effect::Enqueue(a)] if matches!(&a[0], Action::CreateVideo { local_id, .. } if local_id == "local-id1"))
    );
    for (start, end) in [(1_100_000, 1_100_000), (900_000, 930_000), (1_100_000, 1_105_000), (1_100_000, 1_200_000)] {
        assert!(matches!(update(&m, video(start, end, "sku-1"), &w), Err(CoreError::InvalidSegment { .. })));
    }
    assert!(matches!(update(&m, video(1_100_000, 1_130_000, "sku-9"), &w), Err(CoreError::UnknownProduct { .. })));
    let unsynced = Model::default();
    assert_eq!(update(&unsynced, video(1_100_000, 1_130_000, "sku-1"), &w), Err(CoreError::ConfigUnavailable));
}

#[test]
fn navigation() {
    let w = world();
    let mut m = synced(false);
    assert!(matches!(
        update(&m, Event::OpenRecording { recording_id: "live-9".into() }, &w),
        Err(CoreError::UnknownRecording { .. })
    ));
    step(&mut m, Event::OpenRecording { recording_id: "live-1".into() }, &w).unwrap();
    assert_eq!(m.nav.screen, Screen::Recording);
    m.close_missing_recording();
    assert_eq!((m.nav.screen, m.nav.recording.as_deref()), (Screen::Module, None));
    for expected in [Screen::Highlights, Screen::Products, Screen::Products] {
        step(&mut m, Event::Back, &w).unwrap();
        assert_eq!(m.nav.screen, expected);
    }
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        Just(Event::OpenHighlights),
        Just(Event::OpenModule),
        Just(Event::LoadMoreRecordings),
        Just(Event::OpenRecording { recording_id: "live-1".into() }),
        Just(Event::OpenRecording { recording_id: "live-9".into() }),
        Just(Event::Back),
        any::<bool>().prop_map(|on| Event::SetToggle { on }),
        Just(Event::ConfirmOnboarding),
        Just(Event::DismissOnboarding),
        Just(Event::ShoppingBagTapped),
        Just(Event::ShoppingBagTapped),
        Just(Event::ShoppingBagTapped),
        Just(Event::PopupTurnOn),
        Just(Event::PopupDismiss),
        Just(Event::PostRecommendation { highlight_id: "rec".into() }),
        Just(Event::RemoveHighlight { highlight_id: "auto".into() }),
        Just(Event::CreateVideo {
            recording_id: "live-1".into(),
            start_ms: 1_100_000,
            end_ms: 1_130_000,
            product_id: "sku-1".into()
        }),
        Just(Event::DismissNotice { id: 1 }),
        Just(Event::RemoveAllHighlights { recording_id: Some("live-1".into()) }),
        Just(Event::RemoveAllHighlights { recording_id: None }),
        Just(Event::UndoRemoveAll),
        any::<bool>().prop_map(|on| Event::SetLiveHighlights { recording_id: "live-1".into(), on }),
        any::<bool>().prop_map(|on| Event::SetNextLiveHighlights { on }),
        prop::collection::vec("[a-c]", 0..3).prop_map(|product_ids| Event::SetOnlyProducts { product_ids }),
        any::<bool>().prop_map(|on| Event::SetReviewBeforePosting { on }),
        Just(Event::ResetPostingBar),
        Just(Event::ApproveHighlight { highlight_id: "auto".into() }),
    ]
}

/// What happens between two taps: nothing, time passing, or a sync bringing new settings.
#[derive(Debug, Clone)]
enum Between {
    Nothing,
    Wait(i64),
    Synced { on: bool, onboarded: bool },
}

fn between() -> impl Strategy<Value = Between> {
    prop_oneof![
        6 => Just(Between::Nothing),
        2 => (0i64..120_000).prop_map(Between::Wait),
        1 => (any::<bool>(), any::<bool>()).prop_map(|(on, onboarded)| Between::Synced { on, onboarded }),
    ]
}

/// At most one overlay; onboarding only until it is confirmed; the pop-up only while the feature
/// is off; an open recording only on the recording screen; a refused event changes nothing.
#[test]
fn overlays_keep_their_invariants_under_random_events() {
    let cases = std::env::var("MAX_EXAMPLES").ok().and_then(|v| v.parse().ok()).unwrap_or(500);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(cases));
    let (onboarding_seen, popup_seen, refused) = (Cell::new(0u32), Cell::new(0u32), Cell::new(0u32));
    let strategy = (any::<bool>(), prop::collection::vec((event(), between()), 1..60));
    runner
        .run(&strategy, |(popup, steps)| {
            let mut w = world();
            let mut m = synced(popup);
            for (e, b) in steps {
                let before = (m.nav.clone(), m.pending.len());
                if step(&mut m, e.clone(), &w).is_err() {
                    refused.set(refused.get() + 1);
                    prop_assert_eq!((m.nav.clone(), m.pending.len()), before, "refused {:?} changed the model", e);
                }
                match b {
                    Between::Nothing => {}
                    Between::Wait(ms) => w.now_ms += ms,
                    Between::Synced { on, onboarded } => {
                        let s = m.server.as_mut().expect("synced");
                        s.highlights_on = on;
                        s.onboarding_completed |= onboarded;
                        m.settle();
                    }
                }
                let eff = m.effective();
                match m.nav.overlay {
                    Some(Overlay::Onboarding(_)) => {
                        onboarding_seen.set(onboarding_seen.get() + 1);
                        prop_assert!(!eff.onboarding_completed, "onboarding shown after it was completed");
                    }
                    Some(Overlay::Popup) => {
                        popup_seen.set(popup_seen.get() + 1);
                        prop_assert!(!eff.toggle_on, "pop-up shown while the feature is on");
                    }
                    None => {}
                }
                prop_assert_eq!(m.nav.recording.is_some(), m.nav.screen == Screen::Recording);
            }
            Ok(())
        })
        .unwrap();
    // The sequences reached both overlays and refusals, or the invariants were never put to the test.
    let seen = (onboarding_seen.get(), popup_seen.get(), refused.get());
    assert!(seen.0 > 0 && seen.1 > 0 && seen.2 > 0, "onboarding, pop-up, refusals seen: {seen:?}");
}
