//! Sync end to end: real server on loopback, real SQLite files, real cores.

use highlights_api::{FormatSpec, HighlightKind, HighlightStatus};
use highlights_core::view::{HighlightBadge, Screen};
use highlights_core::{CoreError, Event};
use highlights_e2e::{Backend, Device, client};
use highlights_server::store::NewHighlight;
use serde_json::json;

const T0: i64 = 1_793_491_200_000;

/// Ingests `n` ended 30-minute LIVEs with two products for `seller`, one recommendation each.
async fn lives(b: &Backend, seller: &str, n: usize) {
    let mut events = Vec::new();
    for i in 0..n {
        let id = format!("live-{i:04}");
        let start = T0 + i as i64 * 3_600_000;
        events.push(json!({"ts_ms": start, "live_id": id, "type": "live_start", "title": format!("LIVE {i}")}));
        events.push(json!({"ts_ms": start + 1000, "live_id": id, "type": "product_pin", "product_id": "sku-1", "name": "Serum"}));
        events.push(
            json!({"ts_ms": start + 2000, "live_id": id, "type": "product_pin", "product_id": "sku-2", "name": "Tint"}),
        );
        events.push(json!({"ts_ms": start + 1_800_000, "live_id": id, "type": "live_end"}));
    }
    b.ingest(seller, events).await;
    let seller = seller.to_string();
    b.running()
        .state
        .store
        .add_highlights({
            let mut all = Vec::new();
            for i in 0..n {
                let start = T0 + i as i64 * 3_600_000;
                all.push(NewHighlight {
                    seller_id: seller.clone(),
                    live_id: format!("live-{i:04}"),
                    kind: HighlightKind::Recommendation,
                    status: HighlightStatus::Suggested,
                    live_now: false,
                    start_ms: start + 60_000,
                    end_ms: start + 90_000,
                    peak_ms: Some(start + 80_000),
                    product_id: Some("sku-1".into()),
                    score: 6.5,
                    reasons: vec![highlights_api::Reason::over_usual(highlights_api::Signal::Comments, 3.0, 20)],
                    identified_at_ms: Some(start + 92_000),
                    post_at_ms: None,
                    posted_at_ms: None,
                    format: FormatSpec::default(),
                });
            }
            all
        })
        .await
        .unwrap();
}

async fn server_settings(b: &Backend, token: &str) -> serde_json::Value {
    b.get_json("/v1/settings", token).await
}

#[tokio::test]
async fn first_sync_then_incremental_sync() {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    // Limits unlike the defaults: whatever the app shows must have come from the server.
    let cfg = highlights_api::RemoteConfig {
        max_posts_per_live: 7,
        max_posts_per_product: 2,
        post_delay_s: 90,
        ..Default::default()
    };
    b.store().set_config(cfg).await.unwrap();
    lives(&b, "seller-a", 120).await;
    let d = Device::new("seller-a", &b.url(), &token);
    let report = d.syncer.sync().await.unwrap();
    assert_eq!(report.pages, 1);
    d.core.dispatch(Event::OpenModule).unwrap();
    let v = d.core.view().unwrap();
    assert_eq!(v.module.recordings.len(), 50);
    assert!(v.module.has_more);
    assert!(v.sync.online && v.sync.last_updated_ms.is_some());
    let limits = v.highlights.limits.unwrap();
    assert_eq!(
        (limits.max_posts_per_live, limits.max_posts_per_product, limits.post_delay_s),
        (7, 2, 90),
        "limits came from the server"
    );

    // Nothing new: one request, nothing applied.
    assert_eq!(d.syncer.sync().await.unwrap().pages, 1);
    lives(&b, "seller-a", 121).await; // re-ingests 120 unchanged-in-content LIVEs and adds #120
    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::OpenModule).unwrap();
    assert_eq!(d.core.view().unwrap().module.recordings[0].id, "live-0120", "the new LIVE arrived");
}

#[tokio::test]
async fn long_histories_arrive_in_pages() {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    lives(&b, "seller-a", 300).await;
    let mut config = highlights_e2e::fast_config(&b.url());
    config.page_limit = 100;
    let d = Device::open(tempfile::tempdir().unwrap(), "seller-a", &token, config);
    let report = d.syncer.sync().await.unwrap();
    assert!(report.pages >= 6, "{} pages", report.pages);
    d.core.dispatch(Event::OpenModule).unwrap();
    for _ in 0..5 {
        d.core.dispatch(Event::LoadMoreRecordings).unwrap();
    }
    let v = d.core.view().unwrap();
    assert_eq!(v.module.recordings.len(), 300);
    assert!(v.module.recordings.iter().all(|r| r.recommendation_count == 1));
}

#[tokio::test]
async fn two_devices_of_one_seller_converge() {
    let b = Backend::start().await;
    let t1 = b.seller("seller-a").await;
    let t2 = b.token("seller-a").await;
    lives(&b, "seller-a", 3).await;
    let phone = Device::new("seller-a", &b.url(), &t1);
    let tablet = Device::new("seller-a", &b.url(), &t2);
    phone.syncer.sync().await.unwrap();
    tablet.syncer.sync().await.unwrap();

    phone.core.dispatch(Event::SetToggle { on: true }).unwrap();
    phone.core.dispatch(Event::ConfirmOnboarding).unwrap();
    phone.syncer.sync().await.unwrap();
    tablet.syncer.sync().await.unwrap();
    assert!(tablet.core.view().unwrap().highlights.on);
    tablet.core.dispatch(Event::SetToggle { on: true }).unwrap();
    assert!(tablet.core.view().unwrap().onboarding.is_none(), "onboarding done on the phone counts on the tablet");

    // Both flip offline-ish (no sync in between): the later action wins on both.
    phone.core.dispatch(Event::SetToggle { on: false }).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(3_100)).await;
    tablet.core.dispatch(Event::OpenModule).unwrap();
    tablet.core.dispatch(Event::OpenRecording { recording_id: "live-0001".into() }).unwrap();
    tablet
        .core
        .dispatch(Event::PostRecommendation {
            highlight_id: tablet.core.view().unwrap().recording.unwrap().recommendations[0].id.clone(),
        })
        .unwrap();
    tablet.core.dispatch(Event::SetToggle { on: false }).unwrap();
    tablet.core.dispatch(Event::SetToggle { on: true }).unwrap();
    phone.syncer.sync().await.unwrap();
    tablet.syncer.sync().await.unwrap();
    phone.syncer.sync().await.unwrap();
    let (p, t) = (phone.core.view().unwrap(), tablet.core.view().unwrap());
    assert!(p.highlights.on && t.highlights.on, "the tablet's later 'on' wins everywhere");
    assert!(!p.highlights.pending && !t.highlights.pending);
    assert_eq!(server_settings(&b, &t1).await["highlights_on"], true);
    phone.core.dispatch(Event::OpenModule).unwrap();
    phone.core.dispatch(Event::OpenRecording { recording_id: "live-0001".into() }).unwrap();
    let rec = phone.core.view().unwrap().recording.unwrap();
    assert!(rec.recommendations.is_empty() && rec.highlights.iter().any(|h| h.badge == HighlightBadge::Posted));

    // An older action that reaches the server after a newer one does not undo it.
    phone.core.dispatch(Event::SetToggle { on: false }).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(3_100)).await;
    tablet.core.dispatch(Event::SetToggle { on: false }).unwrap();
    tablet.core.dispatch(Event::SetToggle { on: true }).unwrap();
    tablet.syncer.sync().await.unwrap();
    phone.syncer.sync().await.unwrap();
    tablet.syncer.sync().await.unwrap();
    assert!(phone.core.view().unwrap().highlights.on && tablet.core.view().unwrap().highlights.on);
}

#[tokio::test]
async fn offline_actions_are_delivered_exactly_once_after_reconnect() {
    let mut b = Backend::start().await;
    let token = b.seller("seller-a").await;
    lives(&b, "seller-a", 2).await;
    let d = Device::new("seller-a", &b.url(), &token);
    d.syncer.sync().await.unwrap();

    b.stop().await;
    d.core.dispatch(Event::SetToggle { on: true }).unwrap();
    d.core.dispatch(Event::ConfirmOnboarding).unwrap();
    d.core.dispatch(Event::OpenRecording { recording_id: "live-0001".into() }).unwrap();
    let start = T0 + 3_600_000;
    d.core
        .dispatch(Event::CreateVideo {
            recording_id: "live-0001".into(),
            start_ms: start + 60_000,
            end_ms: start + 80_000,
            product_id: "sku-2".into(),
        })
        .unwrap();
    assert!(matches!(d.syncer.sync().await, Err(CoreError::Network { .. })));
    let v = d.core.view().unwrap();
    assert!(!v.sync.online, "offline indicator");
    assert_eq!(v.sync.pending_actions, 3);
    assert!(v.highlights.on, "the screen shows what the seller did");
    assert!(v.recording.unwrap().highlights.iter().any(|h| h.badge == HighlightBadge::Pending));
    // The app is killed while offline and reopened.
    let d = d.restart("seller-a", &b.url());
    assert_eq!(d.core.view().unwrap().sync.pending_actions, 3);

    b.restart().await;
    let report = d.syncer.sync().await.unwrap();
    assert_eq!(report.push.delivered, 3);
    let v = d.core.view().unwrap();
    assert!(v.sync.online && v.sync.pending_actions == 0 && v.highlights.on);
    d.syncer.sync().await.unwrap();
    let list: serde_json::Value = b.get_json("/v1/lives/live-0001/highlights", &token).await;
    let manual = list["highlights"].as_array().unwrap().iter().filter(|h| h["kind"] == "manual").count();
    assert_eq!(manual, 1, "the video was created exactly once");
    let s = server_settings(&b, &token).await;
    assert_eq!((s["highlights_on"].clone(), s["onboarding_completed"].clone()), (json!(true), json!(true)));
    d.core.dispatch(Event::OpenRecording { recording_id: "live-0001".into() }).unwrap();
    let rec = d.core.view().unwrap().recording.unwrap();
    assert_eq!(rec.highlights.iter().filter(|h| h.kind == HighlightKind::Manual).count(), 1);
    assert!(rec.highlights.iter().all(|h| h.badge != HighlightBadge::Pending));
}

#[tokio::test]
async fn a_rejected_action_is_shown_and_the_server_state_returns() {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    lives(&b, "seller-a", 2).await;
    let d = Device::new("seller-a", &b.url(), &token);
    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::OpenRecording { recording_id: "live-0001".into() }).unwrap();
    let rec_id = d.core.view().unwrap().recording.unwrap().recommendations[0].id.clone();
    // Someone removes the recommendation on the server before this device posts it.
    client().delete(format!("{}/v1/highlights/{rec_id}", b.url())).bearer_auth(&token).send().await.unwrap();
    d.core.dispatch(Event::PostRecommendation { highlight_id: rec_id.clone() }).unwrap();
    let report = d.syncer.sync().await.unwrap();
    assert_eq!(report.push.rejected, 1);
    let v = d.core.view().unwrap();
    assert!(v.notice.is_some(), "the seller is told");
    assert_eq!(v.sync.pending_actions, 0);
    let rec = v.recording.unwrap();
    assert!(
        rec.highlights.iter().any(|h| h.id == rec_id && h.badge == HighlightBadge::Removed),
        "the server's state is shown"
    );
}

#[tokio::test]
async fn the_server_restarting_mid_sync_loses_nothing() {
    let mut b = Backend::start().await;
    let token = b.seller("seller-a").await;
    lives(&b, "seller-a", 400).await;
    let mut config = highlights_e2e::fast_config(&b.url());
    config.page_limit = 50;
    let d = Device::open(tempfile::tempdir().unwrap(), "seller-a", &token, config);
    d.core.dispatch(Event::SetToggle { on: true }).unwrap();
    d.core.dispatch(Event::ConfirmOnboarding).unwrap();
    let syncer = d.syncer.clone();
    let sync = tokio::spawn(async move { syncer.sync().await });
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    b.restart().await;
    let first = sync.await.unwrap();
    // Whatever the first attempt managed, the next one finishes the job.
    let _ = first;
    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::OpenModule).unwrap();
    for _ in 0..8 {
        d.core.dispatch(Event::LoadMoreRecordings).unwrap();
    }
    let v = d.core.view().unwrap();
    assert_eq!(v.module.recordings.len(), 400);
    assert_eq!(v.sync.pending_actions, 0);
    assert_eq!(server_settings(&b, &token).await["highlights_on"], true);
    assert_eq!(v.screen, Screen::Module);
}

#[tokio::test]
async fn signing_in_with_a_token_names_its_seller_and_a_wrong_one_is_refused() {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    let other = b.seller("seller-b").await;
    assert_eq!(highlights_core::sign_in(&b.url(), &token).await.unwrap(), "seller-a");
    // Pasted with a trailing newline and a slash after the address, as sellers do.
    let pasted = highlights_core::sign_in(&format!("{}/", b.url()), &format!("{other}\n")).await.unwrap();
    assert_eq!(pasted, "seller-b");
    for wrong in ["hlt_not-a-token", ""] {
        let err = highlights_core::sign_in(&b.url(), wrong).await.unwrap_err();
        assert!(matches!(err, CoreError::Unauthorized { .. }), "{err}");
    }
    let err = highlights_core::sign_in("http://127.0.0.1:1", &token).await.unwrap_err();
    assert!(matches!(err, CoreError::Network { .. }), "{err}");
    assert!(!format!("{err} {err:?}").contains(&token));
    // A service token is no seller's.
    let err = highlights_core::sign_in(&b.url(), &b.service_token).await.unwrap_err();
    assert!(matches!(err, CoreError::Unauthorized { .. }), "{err}");
}

#[tokio::test]
async fn a_refreshed_token_is_used_and_a_missing_one_is_a_typed_error() {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    let d = Device::new("seller-a", &b.url(), "hlt_expired");
    assert!(matches!(d.syncer.sync().await, Err(CoreError::Unauthorized { .. })));
    *d.tokens.0.lock().unwrap() = token.clone();
    d.syncer.sync().await.unwrap();
    d.tokens.0.lock().unwrap().clear();
    let err = d.syncer.sync().await.unwrap_err();
    assert!(matches!(err, CoreError::Unauthorized { .. }));
    assert!(!format!("{err} {err:?}").contains(&token));
}

#[tokio::test]
async fn a_token_revoked_while_signed_in_stops_sync_until_the_seller_signs_in_again() {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    let d = Device::new("seller-a", &b.url(), &token);
    d.syncer.sync().await.unwrap();
    // The operator revokes it by the id `admin list-tokens` shows, while the app is signed in.
    let id = highlights_server::store::token_hash(&token)[..highlights_server::store::TOKEN_ID_LEN].to_string();
    b.store().revoke_token(id).await.unwrap();
    d.core.dispatch(Event::SetToggle { on: true }).unwrap();
    d.core.dispatch(Event::ConfirmOnboarding).unwrap();

    let err = d.syncer.sync().await.unwrap_err();
    assert!(matches!(err, CoreError::Unauthorized { .. }), "the shell's cue to sign in again: {err}");
    let v = d.core.view().unwrap();
    assert!(v.sync.online, "refused, not offline");
    assert_eq!(v.sync.pending_actions, 2, "what the seller did waits for the next sign-in");
    assert!(v.highlights.on);
    let fresh = b.token("seller-a").await;
    assert_eq!(server_settings(&b, &fresh).await["highlights_on"], false, "nothing got through");

    *d.tokens.0.lock().unwrap() = fresh.clone();
    assert_eq!(d.syncer.sync().await.unwrap().push.delivered, 2);
    assert_eq!(d.core.view().unwrap().sync.pending_actions, 0);
    assert_eq!(server_settings(&b, &fresh).await["highlights_on"], true);
}

#[tokio::test]
async fn remove_all_waits_for_undo_then_reaches_the_server_once() {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    lives(&b, "seller-a", 2).await;
    // Long enough that the first sync right after the tap always finds it held, even on a slow machine.
    let config = highlights_api::RemoteConfig { undo_window_s: 3, ..b.store().config().await.unwrap() };
    b.store().set_config(config).await.unwrap();
    let auto = |i: i64, status| NewHighlight {
        seller_id: "seller-a".into(),
        live_id: format!("live-{i:04}"),
        kind: HighlightKind::Auto,
        status,
        live_now: false,
        start_ms: T0 + i * 3_600_000 + 300_000,
        end_ms: T0 + i * 3_600_000 + 330_000,
        peak_ms: None,
        product_id: Some("sku-2".into()),
        score: 8.0,
        reasons: vec![highlights_api::Reason::over_usual(highlights_api::Signal::Orders, 5.0, 20)],
        identified_at_ms: None,
        post_at_ms: None,
        posted_at_ms: None,
        format: FormatSpec::default(),
    };
    b.store()
        .add_highlights(vec![
            auto(0, HighlightStatus::Posted),
            auto(0, HighlightStatus::Scheduled),
            auto(1, HighlightStatus::Posted),
        ])
        .await
        .unwrap();
    let on_profile =
        |list: &[serde_json::Value]| list.iter().filter(|h| h["kind"] == "auto" && h["status"] != "removed").count();
    let d = Device::new("seller-a", &b.url(), &token);
    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::OpenRecording { recording_id: "live-0000".into() }).unwrap();
    assert_eq!(d.core.view().unwrap().recording.unwrap().auto_posts, 2, "what Remove all would take down");

    // One LIVE: shown as removed at once, held on the device, then undone.
    d.core.dispatch(Event::RemoveAllHighlights { recording_id: Some("live-0000".into()) }).unwrap();
    let v = d.core.view().unwrap();
    assert_eq!(v.recording.as_ref().unwrap().auto_posts, 0, "nothing left to remove");
    let autos: Vec<_> = v.recording.unwrap().highlights.into_iter().filter(|h| h.kind == HighlightKind::Auto).collect();
    assert_eq!(autos.len(), 2);
    assert!(autos.iter().all(|h| h.badge == HighlightBadge::Removed), "{autos:?}");
    assert_eq!(v.undo.as_ref().and_then(|u| u.recording_id.clone()), Some("live-0000".into()));
    let report = d.syncer.sync().await.unwrap();
    assert_eq!((report.push.delivered, report.push.waiting), (0, 1), "held during the undo window");
    assert_eq!(on_profile(&b.highlights(&token, "live-0000").await), 2, "nothing sent yet");
    d.core.dispatch(Event::UndoRemoveAll).unwrap();
    let v = d.core.view().unwrap();
    assert!(v.undo.is_none() && v.sync.pending_actions == 0);
    assert!(
        v.recording.unwrap().highlights.iter().all(|h| h.badge != HighlightBadge::Removed),
        "undo brings them back"
    );

    // Every LIVE: after the window it is sent, once, and the server and the screen agree.
    d.core.dispatch(Event::RemoveAllHighlights { recording_id: None }).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(3_100)).await;
    assert!(matches!(d.core.dispatch(Event::UndoRemoveAll), Err(CoreError::NotAllowed { .. })), "too late to undo");
    let report = d.syncer.sync().await.unwrap();
    assert_eq!(report.push.delivered, 1);
    for live in ["live-0000", "live-0001"] {
        assert_eq!(on_profile(&b.highlights(&token, live).await), 0, "{live}: every auto-post removed");
    }
    let v = d.core.view().unwrap();
    assert!(v.undo.is_none() && v.sync.pending_actions == 0);
    let rec = v.recording.unwrap();
    assert!(
        rec.highlights.iter().filter(|h| h.kind == HighlightKind::Auto).all(|h| h.badge == HighlightBadge::Removed)
    );
    assert_eq!(rec.recommendations.len(), 1, "recommendations stay");
}

/// An auto-post of seller-a's `live-0000` (made by [`lives`]) at 6:40–7:10 for sku-1.
fn auto_post(status: HighlightStatus, post_at_ms: Option<i64>, posted_at_ms: Option<i64>) -> NewHighlight {
    NewHighlight {
        seller_id: "seller-a".into(),
        live_id: "live-0000".into(),
        kind: HighlightKind::Auto,
        status,
        live_now: false,
        start_ms: T0 + 400_000,
        end_ms: T0 + 430_000,
        peak_ms: None,
        product_id: Some("sku-1".into()),
        score: 8.0,
        reasons: vec![highlights_api::Reason::over_usual(highlights_api::Signal::Orders, 5.0, 20)],
        identified_at_ms: None,
        post_at_ms,
        posted_at_ms,
        format: FormatSpec::default(),
    }
}

#[tokio::test]
async fn a_recordings_switch_made_offline_reaches_the_server_in_order() {
    let mut b = Backend::start().await;
    let token = b.seller("seller-a").await;
    lives(&b, "seller-a", 1).await;
    let scheduled = auto_post(HighlightStatus::Scheduled, Some(i64::MAX / 4), None);
    b.store().add_highlights(vec![scheduled]).await.unwrap();
    let d = Device::new("seller-a", &b.url(), &token);
    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::OpenRecording { recording_id: "live-0000".into() }).unwrap();
    assert!(d.core.view().unwrap().recording.unwrap().recording.highlights_on);

    b.stop().await;
    d.core.dispatch(Event::SetLiveHighlights { recording_id: "live-0000".into(), on: false }).unwrap();
    let rec = d.core.view().unwrap().recording.unwrap();
    assert!(!rec.recording.highlights_on, "the screen shows the choice at once");
    let auto = rec.highlights.iter().find(|h| h.kind == HighlightKind::Auto).unwrap();
    assert_eq!(auto.badge, HighlightBadge::Removed, "its scheduled post shows as cancelled");
    assert!(matches!(d.syncer.sync().await, Err(CoreError::Network { .. })));
    let d = d.restart("seller-a", &b.url());
    assert_eq!(d.core.view().unwrap().sync.pending_actions, 1, "kept across a restart while offline");

    b.restart().await;
    assert_eq!(d.syncer.sync().await.unwrap().push.delivered, 1);
    let live = b.get_json("/v1/lives/live-0000", &token).await;
    assert_eq!(live["highlights_on"], json!(false));
    let on_server = b.highlights(&token, "live-0000").await;
    assert!(on_server.iter().filter(|h| h["kind"] == "auto").all(|h| h["status"] == "removed"), "{on_server:?}");
    d.core.dispatch(Event::OpenRecording { recording_id: "live-0000".into() }).unwrap();
    let rec = d.core.view().unwrap().recording.unwrap();
    assert!(!rec.recording.highlights_on && d.core.view().unwrap().sync.pending_actions == 0);

    // Back on: the latest choice wins on the server too.
    d.core.dispatch(Event::SetLiveHighlights { recording_id: "live-0000".into(), on: true }).unwrap();
    d.syncer.sync().await.unwrap();
    assert_eq!(b.get_json("/v1/lives/live-0000", &token).await["highlights_on"], json!(true));
}

#[tokio::test]
async fn the_product_choice_made_offline_reaches_the_server_latest_last_and_results_reach_the_module() {
    let mut b = Backend::start().await;
    let token = b.seller("seller-a").await;
    lives(&b, "seller-a", 1).await;
    let posted = auto_post(HighlightStatus::Posted, Some(T0 + 700_000), Some(T0 + 700_000));
    let id = b.store().add_highlights(vec![posted]).await.unwrap().remove(0).id;
    let d = Device::new("seller-a", &b.url(), &token);
    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::OpenHighlights).unwrap();
    let choices = d.core.view().unwrap().highlights.product_choices;
    let names: Vec<_> = choices.iter().map(|c| (c.name.as_str(), c.chosen)).collect();
    assert_eq!(names, vec![("Serum", false), ("Tint", false)], "the products of the seller's recordings");

    // Offline: two choices, kept across a restart, the screen shows the latest at once.
    b.stop().await;
    d.core.dispatch(Event::SetOnlyProducts { product_ids: vec!["sku-2".into(), "sku-1".into()] }).unwrap();
    d.core.dispatch(Event::SetOnlyProducts { product_ids: vec!["sku-2".into()] }).unwrap();
    assert!(matches!(d.syncer.sync().await, Err(CoreError::Network { .. })));
    let d = d.restart("seller-a", &b.url());
    d.core.dispatch(Event::OpenHighlights).unwrap();
    let v = d.core.view().unwrap();
    assert_eq!(v.sync.pending_actions, 2, "both kept, in order");
    let chosen: Vec<_> = v.highlights.product_choices.iter().filter(|c| c.chosen).map(|c| c.id.as_str()).collect();
    assert_eq!(chosen, vec!["sku-2"]);
    assert!(matches!(
        d.core.dispatch(Event::SetOnlyProducts { product_ids: vec!["".into()] }),
        Err(CoreError::InvalidId { .. })
    ));

    b.restart().await;
    assert_eq!(d.syncer.sync().await.unwrap().push.delivered, 2);
    assert_eq!(b.get_json("/v1/settings", &token).await["only_products"], json!(["sku-2"]), "the latest wins");
    assert_eq!(d.core.view().unwrap().sync.pending_actions, 0);

    // The platform reports what the video earned; the module shows it per highlight and per LIVE.
    let ev = |t: &str, extra: serde_json::Value| {
        let mut e = json!({"highlight_id": id, "ts_ms": T0 + 800_000, "type": t});
        e.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        e
    };
    let accepted = b
        .viewer_events(vec![
            ev("view", json!({"watch_ms": 20_000})),
            ev("view", json!({"watch_ms": 10_000})),
            ev("view", json!({"watch_ms": 15_000})),
            ev("live_entry", json!({})),
            ev("product_click", json!({})),
            ev("order", json!({"amount_minor": 4_990})),
        ])
        .await;
    assert_eq!(accepted, 6);
    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::OpenRecording { recording_id: "live-0000".into() }).unwrap();
    let rec = d.core.view().unwrap().recording.unwrap();
    let row = rec.highlights.iter().find(|h| h.id == id).unwrap();
    let r = row.results.unwrap();
    assert_eq!(
        (r.views, r.watch_ms, r.live_entries, r.product_clicks, r.orders, r.gmv_minor),
        (3, 45_000, 1, 1, 1, 4_990)
    );
    assert_eq!(rec.results, r, "one video earned it all");
    assert_eq!(rec.currency, "USD");
    assert!(rec.recommendations.iter().all(|h| h.results.is_none()), "nothing on a video never posted");
}

#[tokio::test]
async fn the_bar_learned_on_the_server_reaches_the_module_and_is_reset_from_the_app() {
    let b = Backend::start().await;
    let seller = (0..).map(|i| format!("picky-{i}")).find(|s| highlights_server::store::in_learning_arm(s)).unwrap();
    let token = b.seller(&seller).await;
    // Three LIVEs whose four auto-posts the seller took down, then a fourth LIVE opening.
    for i in 0..4 {
        let id = format!("live-{i:04}");
        let start = T0 + i as i64 * 3_600_000;
        b.ingest(
            &seller,
            vec![
                json!({"ts_ms": start, "live_id": id, "type": "live_start"}),
                json!({"ts_ms": start + 1000, "live_id": id, "type": "product_pin", "product_id": "sku-1", "name": "Serum"}),
            ],
        )
        .await;
        if i == 3 {
            break;
        }
        let clips = (0..4)
            .map(|k| NewHighlight {
                seller_id: seller.clone(),
                live_id: id.clone(),
                kind: HighlightKind::Auto,
                status: HighlightStatus::Posted,
                live_now: false,
                start_ms: start + 60_000 * (k + 1),
                end_ms: start + 60_000 * (k + 1) + 30_000,
                peak_ms: Some(start + 60_000 * (k + 1) + 20_000),
                product_id: Some("sku-1".into()),
                score: 2.2,
                reasons: vec![],
                identified_at_ms: Some(start + 60_000 * (k + 1) + 32_000),
                post_at_ms: Some(start + 60_000 * (k + 1) + 332_000),
                posted_at_ms: Some(start + 60_000 * (k + 1) + 332_000),
                format: FormatSpec::default(),
            })
            .collect();
        assert_eq!(b.store().add_highlights(clips).await.unwrap().len(), 4);
        let removed = client()
            .delete(format!("{}{}", b.url(), highlights_api::paths::live_highlights(&id)))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert!(removed.status().is_success());
        b.ingest(&seller, vec![json!({"ts_ms": start + 1_800_000, "live_id": id, "type": "live_end"})]).await;
    }
    let d = Device::new(&seller, &b.url(), &token);
    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::OpenModule).unwrap();
    let note = d.core.view().unwrap().module.posting_bar.expect("the module says the bar moved");
    assert!(note.fewer && (note.removed, note.of_last) == (10, 10), "{note:?}");

    d.core.dispatch(Event::ResetPostingBar).unwrap();
    assert!(d.core.view().unwrap().module.posting_bar.is_none(), "gone at the tap");
    let report = d.syncer.sync().await.unwrap();
    assert_eq!(report.push.delivered, 1, "{report:?}");
    assert_eq!(server_settings(&b, &token).await["posting_bar"]["shift"], json!(0.0));
    d.syncer.sync().await.unwrap();
    let v = d.core.view().unwrap();
    assert!(v.module.posting_bar.is_none() && v.sync.pending_actions == 0, "the server's answer agrees");
}
