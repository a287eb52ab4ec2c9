//! The four seller journeys through the public API, each with a restart in the middle.

mod common;

use std::sync::Arc;

use common::*;
use highlights_core::api::{HighlightKind, HighlightStatus};
use highlights_core::testing::{Action, Settled};
use highlights_core::view::{HighlightBadge, NoticeKind, OnboardingOrigin, Screen};
use highlights_core::{CoreError, Event};

#[test]
fn toggle_journey_goes_through_onboarding_once_and_survives_restarts() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(3, false)).unwrap();
    core.dispatch(Event::OpenHighlights).unwrap();
    let v = core.view().unwrap();
    assert_eq!(v.screen, Screen::Highlights);
    assert!(!v.highlights.on);
    let limits = v.highlights.limits.expect("limits come from the synced config");
    assert_eq!(
        (
            limits.max_posts_per_live,
            limits.max_posts_per_product,
            limits.post_delay_s,
            limits.clip_min_s,
            limits.clip_max_s
        ),
        (7, 2, 90, 12, 45),
        "the screen shows the server's limits, not the app's"
    );

    core.dispatch(Event::SetToggle { on: true }).unwrap();
    let v = core.view().unwrap();
    assert_eq!(v.onboarding.as_ref().map(|o| o.origin), Some(OnboardingOrigin::Toggle));
    assert!(!v.highlights.on, "nothing is on before the seller confirms");
    core.dispatch(Event::ConfirmOnboarding).unwrap();
    let v = core.view().unwrap();
    assert!(v.highlights.on && v.highlights.pending);
    assert_eq!(v.screen, Screen::Module, "confirming lands in the highlight module");
    assert!(v.onboarding.is_none());
    drop(core);

    // Restart: the seller's choice and the queued actions survive.
    let core = dev.open("seller-a");
    let v = core.view().unwrap();
    assert!(v.highlights.on);
    let actions: Vec<Action> = core.pending_actions().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, vec![Action::CompleteOnboarding, Action::SetToggle { on: true }]);

    core.dispatch(Event::SetToggle { on: false }).unwrap();
    assert!(!core.view().unwrap().highlights.on);
    core.dispatch(Event::SetToggle { on: true }).unwrap();
    let v = core.view().unwrap();
    assert!(v.highlights.on && v.onboarding.is_none(), "onboarding is shown only the first time");
    assert_eq!(v.sync.pending_actions, 4);
}

#[test]
fn dismissing_onboarding_leaves_the_feature_off_until_confirmed() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(1, false)).unwrap();
    core.dispatch(Event::SetToggle { on: true }).unwrap();
    core.dispatch(Event::DismissOnboarding).unwrap();
    let v = core.view().unwrap();
    assert!(!v.highlights.on && v.onboarding.is_none());
    assert!(core.pending_actions().is_empty(), "a dismissed overlay tells the server nothing");
    drop(core);

    let core = dev.open("seller-a");
    core.dispatch(Event::SetToggle { on: true }).unwrap();
    assert!(core.view().unwrap().onboarding.is_some(), "not confirmed yet, so it is shown again");
    core.dispatch(Event::Back).unwrap();
    assert!(core.view().unwrap().onboarding.is_none(), "system back closes the overlay");
    assert_eq!(
        core.dispatch(Event::ConfirmOnboarding),
        Err(CoreError::NotAllowed { reason: "the onboarding overlay is not shown".into() })
    );
}

#[test]
fn popup_shows_only_in_experiment_respects_cooldown_and_max_shows() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(1, false)).unwrap();
    core.dispatch(Event::ShoppingBagTapped).unwrap();
    assert!(core.view().unwrap().popup.is_none(), "not in the pop-up experiment");

    core.apply_changes(&seed(1, true)).unwrap();
    core.dispatch(Event::ShoppingBagTapped).unwrap();
    assert_eq!(core.view().unwrap().popup.map(|p| p.max_posts_per_live), Some(7));
    core.dispatch(Event::PopupDismiss).unwrap();
    assert!(core.view().unwrap().popup.is_none());
    drop(core);

    let core = dev.open("seller-a");
    dev.clock.advance(3_599_000);
    core.dispatch(Event::ShoppingBagTapped).unwrap();
    assert!(core.view().unwrap().popup.is_none(), "inside the one-hour cooldown");
    dev.clock.advance(1_000);
    core.dispatch(Event::ShoppingBagTapped).unwrap();
    assert!(core.view().unwrap().popup.is_some(), "cooldown over");

    core.dispatch(Event::PopupTurnOn).unwrap();
    let v = core.view().unwrap();
    assert!(v.popup.is_none());
    assert_eq!(v.onboarding.map(|o| o.origin), Some(OnboardingOrigin::Popup), "first turn-on goes through onboarding");
    core.dispatch(Event::ConfirmOnboarding).unwrap();
    let v = core.view().unwrap();
    assert!(v.highlights.on);
    assert_eq!(v.screen, Screen::Module);

    core.dispatch(Event::SetToggle { on: false }).unwrap();
    dev.clock.advance(10 * 3_600_000);
    core.dispatch(Event::ShoppingBagTapped).unwrap();
    assert!(core.view().unwrap().popup.is_none(), "shown twice already: max shows reached");
    let shows = core.pending_actions().iter().filter(|e| e.action == Action::PopupShown).count();
    assert_eq!(shows, 2);
}

#[test]
fn module_pages_recordings_and_shows_highlights_and_recommendations() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(120, false)).unwrap();
    core.dispatch(Event::OpenModule).unwrap();
    let v = core.view().unwrap();
    assert_eq!(v.module.recordings.len(), 50);
    assert!(v.module.has_more);
    assert_eq!(v.module.recordings[0].id, "live-0000", "newest first");
    assert!(v.module.recordings[0].is_live);
    assert_eq!((v.module.recordings[1].highlight_count, v.module.recordings[1].recommendation_count), (2, 1));
    drop(core);

    let core = dev.open("seller-a");
    core.dispatch(Event::OpenModule).unwrap();
    core.dispatch(Event::LoadMoreRecordings).unwrap();
    core.dispatch(Event::LoadMoreRecordings).unwrap();
    let v = core.view().unwrap();
    assert_eq!(v.module.recordings.len(), 120);
    assert!(!v.module.has_more);
    let ids: std::collections::HashSet<_> = v.module.recordings.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids.len(), 120, "no recording twice across pages");

    core.dispatch(Event::OpenRecording { recording_id: "live-0000".into() }).unwrap();
    let rec = core.view().unwrap().recording.unwrap();
    let badges: Vec<_> = rec.highlights.iter().map(|h| h.badge).collect();
    assert_eq!(badges, vec![HighlightBadge::Scheduled, HighlightBadge::LiveNow]);
    assert_eq!(rec.recommendations.len(), 1);
    assert_eq!(rec.products.len(), 2);

    core.dispatch(Event::PostRecommendation { highlight_id: "live-0000-r".into() }).unwrap();
    core.dispatch(Event::RemoveHighlight { highlight_id: "live-0000-s".into() }).unwrap();
    let v = core.view().unwrap();
    let rec = v.recording.unwrap();
    assert!(rec.recommendations.is_empty());
    assert!(rec.highlights.iter().any(|h| h.id == "live-0000-r" && h.badge == HighlightBadge::Pending));
    assert!(rec.highlights.iter().any(|h| h.id == "live-0000-s" && h.badge == HighlightBadge::Removed));
    assert_eq!((rec.recording.highlight_count, rec.recording.recommendation_count), (2, 0));
    drop(core);

    let core = dev.open("seller-a");
    core.dispatch(Event::OpenModule).unwrap();
    core.dispatch(Event::OpenRecording { recording_id: "live-0001".into() }).unwrap();
    let l1 = live(1);
    core.dispatch(Event::CreateVideo {
        recording_id: l1.id.clone(),
        start_ms: l1.started_at_ms + 60_000,
        end_ms: l1.started_at_ms + 90_000,
        product_id: "sku-2".into(),
    })
    .unwrap();
    let rec = core.view().unwrap().recording.unwrap();
    let made = rec.highlights.iter().find(|h| h.kind == HighlightKind::Manual).expect("pending video shown");
    assert_eq!(made.badge, HighlightBadge::Pending);
    assert_eq!(rec.recording.highlight_count, 3);
    core.dispatch(Event::Back).unwrap();
    assert_eq!(core.view().unwrap().screen, Screen::Module);
    assert_eq!(core.pending_actions().len(), 3);
}

#[test]
fn bad_inputs_get_typed_errors_and_leave_state_alone() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    let l1 = live(1);
    let video = |rec: &str, s: i64, e: i64, p: &str| Event::CreateVideo {
        recording_id: rec.into(),
        start_ms: s,
        end_ms: e,
        product_id: p.into(),
    };
    assert!(matches!(
        core.dispatch(video(&l1.id, l1.started_at_ms, l1.started_at_ms + 20_000, "sku-1")),
        Err(CoreError::UnknownRecording { .. })
    ));
    // Recordings without config: the clip bounds are unknown, so the core says so.
    let mut no_config = seed(2, false);
    no_config.config = None;
    core.apply_changes(&no_config).unwrap();
    assert_eq!(
        core.dispatch(video(&l1.id, l1.started_at_ms, l1.started_at_ms + 20_000, "sku-1")),
        Err(CoreError::ConfigUnavailable)
    );
    core.apply_changes(&seed(2, false)).unwrap();
    let before = core.view().unwrap();

    let s = l1.started_at_ms;
    let end = l1.ended_at_ms.unwrap();
    for bad in [
        video("", s, s + 20_000, "sku-1"),
        video("a\u{0}b", s, s + 20_000, "sku-1"),
        video(&"x".repeat(500), s, s + 20_000, "sku-1"),
        video(&l1.id, s, s + 20_000, ""),
    ] {
        assert!(matches!(core.dispatch(bad), Err(CoreError::InvalidId { .. })));
    }
    for (start, stop) in
        [(s + 20_000, s), (s - 1, s + 20_000), (end - 10_000, end + 10_000), (s, s + 5_000), (s, s + 61_000)]
    {
        assert!(
            matches!(core.dispatch(video(&l1.id, start, stop, "sku-1")), Err(CoreError::InvalidSegment { .. })),
            "{start}..{stop} accepted"
        );
    }
    assert!(matches!(core.dispatch(video(&l1.id, s, s + 20_000, "sku-404")), Err(CoreError::UnknownProduct { .. })));
    assert!(matches!(
        core.dispatch(Event::OpenRecording { recording_id: "live-9999".into() }),
        Err(CoreError::UnknownRecording { .. })
    ));
    assert!(matches!(
        core.dispatch(Event::PostRecommendation { highlight_id: "nope".into() }),
        Err(CoreError::UnknownHighlight { .. })
    ));
    assert!(matches!(
        core.dispatch(Event::PostRecommendation { highlight_id: "live-0001-a".into() }),
        Err(CoreError::NotAllowed { .. })
    ));
    assert!(matches!(core.dispatch(Event::PopupTurnOn), Err(CoreError::NotAllowed { .. })));
    core.dispatch(Event::RemoveHighlight { highlight_id: "live-0001-a".into() }).unwrap();
    assert!(matches!(
        core.dispatch(Event::RemoveHighlight { highlight_id: "live-0001-a".into() }),
        Err(CoreError::NotAllowed { .. })
    ));
    assert_eq!(core.pending_actions().len(), 1, "only the one valid action was queued");
    assert_eq!(core.view().unwrap().highlights, before.highlights);
}

#[test]
fn bad_server_data_is_refused_whole_and_the_cache_keeps_its_last_good_state() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(2, false)).unwrap();
    let mut bad = seed(3, false);
    bad.highlights[0].live_id = "live-unknown".into();
    assert!(matches!(core.apply_changes(&bad), Err(CoreError::BadServerData { .. })));
    let mut bad = seed(3, false);
    bad.config.as_mut().unwrap().clip_min_s = 0;
    assert!(matches!(core.apply_changes(&bad), Err(CoreError::BadServerData { .. })));
    let mut bad = seed(3, false);
    bad.lives[2].ended_at_ms = Some(0);
    assert!(matches!(core.apply_changes(&bad), Err(CoreError::BadServerData { .. })));
    core.dispatch(Event::OpenModule).unwrap();
    assert_eq!(core.view().unwrap().module.recordings.len(), 2, "no part of a bad page was applied");
}

#[test]
fn two_sellers_on_one_device_never_see_each_others_data() {
    let dev = Device::new();
    let a = dev.open("seller-a");
    a.apply_changes(&seed(5, true)).unwrap();
    a.dispatch(Event::SetToggle { on: true }).unwrap();
    a.dispatch(Event::ConfirmOnboarding).unwrap();
    drop(a);
    let b = dev.open("seller-b");
    b.dispatch(Event::OpenModule).unwrap();
    let v = b.view().unwrap();
    assert!(v.module.recordings.is_empty());
    assert!(!v.highlights.on && v.highlights.limits.is_none());
    assert!(b.pending_actions().is_empty());
    assert!(matches!(
        b.dispatch(Event::OpenRecording { recording_id: "live-0001".into() }),
        Err(CoreError::UnknownRecording { .. })
    ));
}

#[test]
fn a_video_refused_by_the_render_quota_reaches_the_seller_as_its_own_reason() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(2, false)).unwrap();
    core.dispatch(Event::OpenModule).unwrap();
    core.dispatch(Event::OpenRecording { recording_id: "live-0001".into() }).unwrap();
    let l1 = live(1);
    core.dispatch(Event::CreateVideo {
        recording_id: l1.id.clone(),
        start_ms: l1.started_at_ms + 60_000,
        end_ms: l1.started_at_ms + 90_000,
        product_id: "sku-2".into(),
    })
    .unwrap();
    let entry = core.pending_actions().pop().unwrap();
    let message = "videos made in the last 24 hours: 100, and at most 100 can be";
    core.settle(entry.id, Settled::Refused { kind: NoticeKind::VideoQuotaReached, message: message.into() }).unwrap();
    drop(core);

    // After a restart too: the shells word it from the kind, in the seller's language.
    let core = dev.open("seller-a");
    let notice = core.view().unwrap().notice.expect("the seller is told");
    assert_eq!((notice.kind, notice.message.as_str()), (NoticeKind::VideoQuotaReached, message));
    core.dispatch(Event::OpenModule).unwrap();
    core.dispatch(Event::OpenRecording { recording_id: "live-0001".into() }).unwrap();
    let rec = core.view().unwrap().recording.unwrap();
    assert!(!rec.highlights.iter().any(|h| h.kind == HighlightKind::Manual), "the refused video is not shown");
}

#[test]
fn delivery_outcomes_settle_the_outbox_and_rejections_reach_the_seller() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(2, false)).unwrap();
    core.dispatch(Event::SetToggle { on: true }).unwrap();
    core.dispatch(Event::ConfirmOnboarding).unwrap();
    let pending = core.pending_actions();
    core.settle(pending[0].id, Settled::Settings(settings(false, true, 2))).unwrap();
    let refusal = Settled::Refused {
        kind: NoticeKind::ActionRefused,
        message: "Highlights are not available for this account".into(),
    };
    core.settle(pending[1].id, refusal).unwrap();
    drop(core);

    let core = dev.open("seller-a");
    let v = core.view().unwrap();
    assert!(!v.highlights.on && !v.highlights.pending, "a refused action falls back to the server's state");
    assert_eq!(v.sync.pending_actions, 0);
    let notice = v.notice.expect("the seller is told");
    assert!(notice.message.contains("not available"));
    assert_eq!(notice.kind, NoticeKind::ActionRefused);
    core.dispatch(Event::DismissNotice { id: notice.id }).unwrap();
    assert!(core.view().unwrap().notice.is_none());

    // A posted recommendation confirmed by the server replaces the pending row.
    core.dispatch(Event::OpenModule).unwrap();
    core.dispatch(Event::OpenRecording { recording_id: "live-0001".into() }).unwrap();
    core.dispatch(Event::PostRecommendation { highlight_id: "live-0001-r".into() }).unwrap();
    let entry = core.pending_actions().pop().unwrap();
    let mut posted = highlight("live-0001-r", &live(1), HighlightKind::Recommendation, HighlightStatus::Posted, 900);
    posted.seq = 20_000;
    core.settle(entry.id, Settled::Highlight(Box::new(posted))).unwrap();
    let rec = core.view().unwrap().recording.unwrap();
    assert!(rec.highlights.iter().any(|h| h.id == "live-0001-r" && h.badge == HighlightBadge::Posted));
}

#[test]
fn observers_get_the_current_state_then_every_change() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    let rec = Arc::new(Recorder::default());
    let id = core.subscribe(rec.clone()).unwrap();
    core.apply_changes(&seed(2, false)).unwrap();
    core.dispatch(Event::OpenHighlights).unwrap();
    core.dispatch(Event::SetToggle { on: true }).unwrap();
    {
        let states = rec.0.lock().unwrap();
        assert_eq!(states.len(), 4);
        assert!(states[0].highlights.limits.is_none());
        assert!(states[1].highlights.limits.is_some());
        assert_eq!(states[2].screen, Screen::Highlights);
        assert!(states[3].onboarding.is_some());
    }
    core.unsubscribe(id);
    core.dispatch(Event::DismissOnboarding).unwrap();
    assert_eq!(rec.0.lock().unwrap().len(), 4);
    // A failed event publishes nothing.
    let id = core.subscribe(rec.clone()).unwrap();
    let _ = core.dispatch(Event::PopupDismiss);
    assert_eq!(rec.0.lock().unwrap().len(), 5);
    core.unsubscribe(id);
}

#[test]
fn observers_end_on_the_core_state_whichever_thread_changed_it() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(2, false)).unwrap();
    let rec = Arc::new(Recorder::default());
    core.subscribe(rec.clone()).unwrap();
    for round in 0..200 {
        std::thread::scope(|s| {
            for open in [Event::OpenHighlights, Event::OpenModule] {
                let core = &core;
                s.spawn(move || {
                    for _ in 0..5 {
                        core.dispatch(open.clone()).unwrap();
                        let _ = core.dispatch(Event::Back);
                    }
                    core.dispatch(open).unwrap();
                });
            }
        });
        let last = rec.0.lock().unwrap().last().cloned().expect("states were delivered");
        assert_eq!(last, core.view().unwrap(), "round {round}: the screen shows an older state than the core's");
        rec.0.lock().unwrap().clear();
    }
}

#[test]
fn a_corrupt_cache_is_moved_aside_and_rebuilt() {
    let dev = Device::new();
    std::fs::write(dev.db(), b"this is not a database, just bytes that a crash left behind".repeat(200)).unwrap();
    let core = dev.open("seller-a");
    let v = core.view().unwrap();
    assert_eq!(
        v.notice.map(|n| n.kind),
        Some(highlights_core::view::NoticeKind::CacheReset),
        "the seller is told their local data was reset"
    );
    core.apply_changes(&seed(1, false)).unwrap();
    let aside = std::fs::read_dir(dev.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().contains(".corrupt-"));
    assert!(aside, "the bad file is kept for diagnosis");
}

#[test]
fn videos_show_their_render_state_then_a_player_and_a_failure_is_told_once() {
    use highlights_core::api::{Video, VideoState};
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(1, false)).unwrap();
    core.dispatch(Event::OpenModule).unwrap();
    core.dispatch(Event::OpenRecording { recording_id: "live-0000".into() }).unwrap();
    let page = |seq: i64, id: &str, status, video: Video| {
        let mut h = highlight(id, &live(0), HighlightKind::Auto, status, 60);
        h.seq = seq;
        h.video = Some(video);
        highlights_core::api::Changes {
            cursor: seq,
            has_more: false,
            config: None,
            experiments: None,
            settings: None,
            lives: Vec::new(),
            highlights: vec![h],
        }
    };
    let rendering = Video {
        state: VideoState::Rendering,
        duration_ms: None,
        video_url: None,
        thumbnail_url: None,
        storyboard: None,
        detail: None,
    };
    core.apply_changes(&page(20_001, "live-0000-a", HighlightStatus::Scheduled, rendering.clone())).unwrap();
    let row = |core: &highlights_core::HighlightsCore, id: &str| {
        let rec = core.view().unwrap().recording.unwrap();
        rec.highlights.into_iter().chain(rec.recommendations).find(|h| h.id == id).unwrap()
    };
    assert_eq!(row(&core, "live-0000-a").video.unwrap().state, VideoState::Rendering);

    let ready = Video {
        state: VideoState::Ready,
        duration_ms: Some(32_000),
        video_url: Some("http://127.0.0.1:9/v1/media/live-0000-a/video.mp4".into()),
        thumbnail_url: Some("http://127.0.0.1:9/v1/media/live-0000-a/thumbnail.jpg".into()),
        storyboard: None,
        detail: None,
    };
    core.apply_changes(&page(20_002, "live-0000-a", HighlightStatus::Posted, ready.clone())).unwrap();
    let video = row(&core, "live-0000-a").video.unwrap();
    assert_eq!(video.player_url, ready.video_url, "the row opens to the player URL");
    assert_eq!((video.thumbnail_url, video.duration_ms), (ready.thumbnail_url.clone(), Some(32_000)));
    assert!(core.view().unwrap().notice.is_none());

    // A URL a player must not open is bad server data, refused whole; the last good row stays.
    let hostile = Video { video_url: Some("javascript:alert(1)".into()), ..ready };
    assert!(matches!(
        core.apply_changes(&page(20_003, "live-0000-a", HighlightStatus::Posted, hostile)),
        Err(CoreError::BadServerData { .. })
    ));
    assert_eq!(row(&core, "live-0000-a").video.unwrap().state, VideoState::Ready);

    // A failed video: the highlight is back in recommendations and the seller is told, once.
    let failed = Video {
        state: VideoState::Failed,
        duration_ms: None,
        video_url: None,
        thumbnail_url: None,
        storyboard: None,
        detail: None,
    };
    let mut p = page(20_004, "live-0000-s", HighlightStatus::Suggested, failed.clone());
    p.highlights[0].kind = HighlightKind::Recommendation;
    core.apply_changes(&p).unwrap();
    let notice = core.view().unwrap().notice.expect("the seller is told");
    assert!(notice.message.contains("could not be made"), "{}", notice.message);
    assert_eq!(notice.kind, highlights_core::view::NoticeKind::VideoFailed);
    core.dispatch(Event::DismissNotice { id: notice.id }).unwrap();
    p.cursor = 20_005;
    p.highlights[0].seq = 20_005;
    core.apply_changes(&p).unwrap();
    assert!(core.view().unwrap().notice.is_none(), "the same failure seen again is not told twice");
    let rec = core.view().unwrap().recording.unwrap();
    assert!(
        rec.recommendations
            .iter()
            .any(|h| h.id == "live-0000-s" && h.video.as_ref().unwrap().state == VideoState::Failed)
    );
}

#[test]
fn the_notification_feed_tells_what_the_server_did_coalesced_per_recording() {
    use highlights_core::view::NotificationKind;
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(2, false)).unwrap();
    assert!(core.view().unwrap().notifications.is_empty(), "the first sync's history is not news");

    let l = live(0);
    let at = |id: &str, status, offset_s, post_at_ms: Option<i64>, seq| {
        let mut h = highlight(id, &l, HighlightKind::Auto, status, offset_s);
        h.post_at_ms = post_at_ms;
        h.seq = seq;
        h
    };
    let page = |cursor, highlights| highlights_core::api::Changes {
        cursor,
        has_more: false,
        config: None,
        experiments: None,
        settings: None,
        lives: vec![],
        highlights,
    };
    // A busy minute: three moments scheduled, then two of them posted, one taken down elsewhere.
    core.apply_changes(&page(
        20_001,
        vec![
            at("n1", HighlightStatus::Scheduled, 1200, Some(T0 + 300_000), 20_001),
            at("n2", HighlightStatus::Scheduled, 1300, Some(T0 + 200_000), 20_001),
            at("n3", HighlightStatus::Scheduled, 1400, Some(T0 + 400_000), 20_001),
        ],
    ))
    .unwrap();
    let feed = core.view().unwrap().notifications;
    assert_eq!(feed.len(), 1, "coalesced: {feed:?}");
    assert_eq!((feed[0].kind, feed[0].count, feed[0].post_at_ms), (NotificationKind::Scheduled, 3, Some(T0 + 200_000)));
    assert_eq!(feed[0].recording_title, l.title);

    core.apply_changes(&page(
        20_002,
        vec![
            at("n1", HighlightStatus::Posted, 1200, Some(T0 + 300_000), 20_002),
            at("n2", HighlightStatus::Posted, 1300, Some(T0 + 200_000), 20_002),
            at("n3", HighlightStatus::Removed, 1400, Some(T0 + 400_000), 20_002),
        ],
    ))
    .unwrap();
    let feed = core.view().unwrap().notifications;
    let count = |k| feed.iter().find(|n| n.kind == k).map(|n| n.count);
    assert_eq!((count(NotificationKind::Posted), count(NotificationKind::Removed)), (Some(2), Some(1)));
    // None of the three is still waiting: no banner announces them as scheduled any more.
    assert_eq!(count(NotificationKind::Scheduled), None);
    // The same state seen again (a resync) is no news.
    core.apply_changes(&page(20_003, vec![at("n1", HighlightStatus::Posted, 1200, None, 20_003)])).unwrap();
    assert_eq!(core.view().unwrap().notifications.iter().map(|n| n.count).sum::<u32>(), 3);

    let posted = feed.iter().find(|n| n.kind == NotificationKind::Posted).unwrap().id;
    core.dispatch(Event::DismissNotification { id: posted }).unwrap();
    let feed = core.view().unwrap().notifications;
    assert!(feed.iter().all(|n| n.kind != NotificationKind::Posted), "dismissed");
    assert_eq!(feed.len(), 1);
    // One more scheduled, then taken down elsewhere: no banner announces a post that will not happen.
    core.apply_changes(&page(20_004, vec![at("n4", HighlightStatus::Scheduled, 1500, Some(T0 + 500_000), 20_004)]))
        .unwrap();
    let scheduled = |core: &highlights_core::HighlightsCore| {
        core.view()
            .unwrap()
            .notifications
            .iter()
            .find(|n| n.kind == NotificationKind::Scheduled)
            .map(|n| (n.count, n.post_at_ms))
    };
    assert_eq!(scheduled(&core), Some((1, Some(T0 + 500_000))));
    core.apply_changes(&page(20_005, vec![at("n4", HighlightStatus::Removed, 1500, Some(T0 + 500_000), 20_005)]))
        .unwrap();
    assert_eq!(scheduled(&core), None);
    let feed = core.view().unwrap().notifications;
    assert_eq!(feed.iter().find(|n| n.kind == NotificationKind::Removed).map(|n| n.count), Some(2));
    // Survives a restart, per seller.
    drop(core);
    assert_eq!(dev.open("seller-a").view().unwrap().notifications.len(), 1);
    assert!(dev.open("seller-b").view().unwrap().notifications.is_empty());
}
