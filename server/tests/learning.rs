//! Learning from each seller, through the real server and store: removals raise the seller's
//! bar for their next LIVE (one burst one signal, once per LIVE, never another seller's), the
//! apps see it in the settings, reset puts it back; formats follow what a learning-arm seller's
//! viewers do, and the experiments report shows each arm. Runs on SQLite here and on PostgreSQL
//! in `scripts/cluster-test.sh`.

mod common;

use common::*;
use highlights_api::{FormatSpec, FormatVariant, HighlightKind, HighlightStatus};
use highlights_engine::learn::{BarLearning, Feedback, SellerBar};
use highlights_server::store::{NewHighlight, in_learning_arm};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const T: i64 = 1_900_000_000_000;
const HOUR: i64 = 3_600_000;

/// The first seller id with this prefix in the learning arm (or not).
fn seller_in(learning: bool, prefix: &str) -> String {
    (0..).map(|i| format!("{prefix}-{i}")).find(|s| in_learning_arm(s) == learning).unwrap()
}

async fn open_live(s: &TestServer, seller: &str, live: &str, at: i64) {
    let (status, body) = s
        .ingest(
            seller,
            json!([{"ts_ms": at, "live_id": live, "type": "live_start"},
                   {"ts_ms": at + 1000, "live_id": live, "type": "product_pin", "product_id": "sku-1", "name": "Serum"}]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn end_live(s: &TestServer, seller: &str, live: &str, at: i64) {
    let (status, body) = s.ingest(seller, json!([{"ts_ms": at, "live_id": live, "type": "live_end"}])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn clip(
    seller: &str,
    live: &str,
    at: i64,
    i: i64,
    kind: HighlightKind,
    score: f64,
    format: FormatSpec,
) -> NewHighlight {
    let start = at + 60_000 * (i + 1);
    let posted = kind == HighlightKind::Auto;
    NewHighlight {
        seller_id: seller.into(),
        live_id: live.into(),
        kind,
        status: if posted { HighlightStatus::Posted } else { HighlightStatus::Suggested },
        live_now: false,
        start_ms: start,
        end_ms: start + 30_000,
        peak_ms: Some(start + 20_000),
        product_id: Some("sku-1".into()),
        score,
        reasons: vec![],
        identified_at_ms: Some(start + 35_000),
        post_at_ms: posted.then_some(start + 335_000),
        posted_at_ms: posted.then_some(start + 335_000),
        format,
    }
}

/// A LIVE of the seller's with four auto-posts (scores 2.1–2.4), removed by `remove_all` or left up.
async fn live_with_auto_posts(s: &TestServer, seller: &str, token: &str, live: &str, at: i64, remove_all: bool) {
    open_live(s, seller, live, at).await;
    let added = s
        .store()
        .add_highlights(
            (0..4)
                .map(|i| clip(seller, live, at, i, HighlightKind::Auto, 2.1 + 0.1 * i as f64, FormatSpec::default()))
                .collect(),
        )
        .await
        .unwrap();
    assert_eq!(added.len(), 4);
    if remove_all {
        let path = highlights_api::paths::live_highlights(live);
        let (status, body) = s.call(Method::DELETE, &path, Some(token), None).await;
        assert_eq!((status, body["removed"].as_u64()), (StatusCode::OK, Some(4)), "{body}");
    }
    end_live(s, seller, live, at + HOUR).await;
}

async fn bar_shift(s: &TestServer, live: &str) -> i64 {
    s.numbers("SELECT CAST(round(bar_shift * 100) AS BIGINT) FROM lives WHERE id = $1", &[live]).await[0]
}

async fn settings(s: &TestServer, token: &str) -> Value {
    let (status, body) = s.get(highlights_api::paths::SETTINGS, token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn a_sellers_removals_raise_their_next_lives_bar_and_reset_puts_it_back() {
    let s = TestServer::start().await;
    let picky = seller_in(true, "picky");
    let control = seller_in(false, "control");
    let (picky_token, control_token) = (s.seller(&picky).await, s.seller(&control).await);
    for (seller, token) in [(&picky, &picky_token), (&control, &control_token)] {
        for l in 0..3 {
            let at = T + l * 2 * HOUR;
            live_with_auto_posts(&s, seller, token, &format!("{seller}-live-{l}"), at, true).await;
        }
    }
    // Each LIVE that opened took in the ones ended before it: the third is not taken in yet.
    let before = settings(&s, &picky_token).await;
    assert_eq!(before["posting_bar"]["removed"], json!(8), "{before}");

    open_live(&s, &picky, "picky-next", T + 10 * HOUR).await;
    open_live(&s, &control, "control-next", T + 10 * HOUR).await;
    let raised = bar_shift(&s, "picky-next").await;
    assert!(raised >= 10, "three remove-alls raise the next LIVE's bar: {raised}");
    assert!(bar_shift(&s, &format!("{picky}-live-2")).await < raised, "the bar rises LIVE by LIVE");
    assert_eq!(bar_shift(&s, "control-next").await, 0, "the control arm keeps the settings' bar");
    let after = settings(&s, &picky_token).await;
    let bar = &after["posting_bar"];
    assert_eq!((bar["removed"].as_u64(), bar["of_last"].as_u64()), (Some(10), Some(10)), "{after}");
    assert_eq!(bar["shift"].as_f64().map(|x| (x * 100.0).round() as i64), Some(raised));
    assert_eq!(after["version"], before["version"], "learning changes no version a seller's edit is based on");
    assert_eq!(settings(&s, &control_token).await["posting_bar"]["shift"], json!(0.0));

    // Each ended LIVE is taken in once: another LIVE opening with nothing new ended keeps the bar.
    open_live(&s, &picky, "picky-again", T + 11 * HOUR).await;
    assert_eq!(bar_shift(&s, "picky-again").await, raised);

    // Exactly what the learner makes of three LIVEs whose four removals were one burst each; four
    // signals a LIVE would have raised it further.
    let learnt = |signals: &[Feedback]| {
        let mut bar = SellerBar::default();
        for _ in 0..3 {
            bar.learn_live(&BarLearning::default(), signals);
        }
        (bar.shift(&BarLearning::default()) * 100.0).round() as i64
    };
    assert_eq!(raised, learnt(&[Feedback::RemovedAll { lowest: 2.1, count: 4 }]));
    let one_by_one: Vec<Feedback> = (0..4).map(|i| Feedback::Removed { score: 2.1 + 0.1 * f64::from(i) }).collect();
    assert!(learnt(&one_by_one) > raised, "a burst counts once");

    // Removals seconds apart, one tap each, are one burst too.
    let each = seller_in(true, "each");
    let each_token = s.seller(&each).await;
    for l in 0..3 {
        let at = T + l * 2 * HOUR;
        let live = format!("{each}-live-{l}");
        live_with_auto_posts(&s, &each, &each_token, &live, at, false).await;
        let list = s.get(&highlights_api::paths::live_highlights(&live), &each_token).await.1;
        let ids: Vec<String> =
            list["highlights"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect();
        assert_eq!(ids.len(), 4);
        for id in ids {
            let (status, _) =
                s.call(Method::DELETE, &highlights_api::paths::highlight(&id), Some(&each_token), None).await;
            assert_eq!(status, StatusCode::OK);
        }
    }
    open_live(&s, &each, "each-next", T + 10 * HOUR).await;
    assert_eq!(bar_shift(&s, "each-next").await, raised, "removals seconds apart are one burst");

    // Reset: the apps see the usual bar at once; a LIVE over before it is forgotten, one still on
    // counts with what the seller does in it after the reset.
    let removed_in = |live: &'static str, at: i64| {
        let (s, picky, token) = (&s, &picky, &picky_token);
        async move {
            let clips = (0..4)
                .map(|i| clip(picky, live, at, i, HighlightKind::Auto, 2.1 + 0.1 * i as f64, FormatSpec::default()))
                .collect();
            s.store().add_highlights(clips).await.unwrap();
            let (status, _) =
                s.call(Method::DELETE, &highlights_api::paths::live_highlights(live), Some(token), None).await;
            assert_eq!(status, StatusCode::OK);
        }
    };
    removed_in("picky-again", T + 11 * HOUR).await;
    end_live(&s, &picky, "picky-again", T + 12 * HOUR).await;
    let refused = s
        .call(
            Method::PATCH,
            highlights_api::paths::SETTINGS,
            Some(&picky_token),
            Some(json!({"reset_posting_bar": false})),
        )
        .await;
    assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, reset) = s
        .call(
            Method::PATCH,
            highlights_api::paths::SETTINGS,
            Some(&picky_token),
            Some(json!({"reset_posting_bar": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    assert_eq!(reset["posting_bar"], json!({"shift": 0.0, "removed": 0, "of_last": 0, "posted_by_hand": 0}));
    removed_in("picky-next", T + 10 * HOUR).await;
    end_live(&s, &picky, "picky-next", T + 12 * HOUR).await;
    open_live(&s, &picky, "picky-after-reset", T + 13 * HOUR).await;
    let once = {
        let mut bar = SellerBar::default();
        bar.learn_live(&BarLearning::default(), &[Feedback::RemovedAll { lowest: 2.1, count: 4 }]);
        (bar.shift(&BarLearning::default()) * 100.0).round() as i64
    };
    assert!(once > 0 && once < raised);
    assert_eq!(bar_shift(&s, "picky-after-reset").await, once, "only the LIVE still on at the reset counts");
}

#[tokio::test]
async fn posts_by_hand_lower_the_bar_and_a_quiet_seller_keeps_it() {
    let s = TestServer::start().await;
    let eager = seller_in(true, "eager");
    let quiet = seller_in(true, "quiet");
    let eager_token = s.seller(&eager).await;
    s.seller(&quiet).await;
    for l in 0..6 {
        let at = T + l * 2 * HOUR;
        for seller in [&eager, &quiet] {
            let live = format!("{seller}-live-{l}");
            open_live(&s, seller, &live, at).await;
            let mut clips = vec![clip(seller, &live, at, 0, HighlightKind::Auto, 2.5, FormatSpec::default())];
            clips.extend(
                (1..4).map(|i| clip(seller, &live, at, i, HighlightKind::Recommendation, 2.0, FormatSpec::default())),
            );
            let added = s.store().add_highlights(clips).await.unwrap();
            if *seller == eager {
                for h in added.iter().filter(|h| h.kind == HighlightKind::Recommendation) {
                    let path = highlights_api::paths::highlight_post(&h.id);
                    let (status, body) = s.call(Method::POST, &path, Some(&eager_token), None).await;
                    assert_eq!(status, StatusCode::OK, "{body}");
                }
            }
            end_live(&s, seller, &live, at + HOUR).await;
        }
    }
    open_live(&s, &eager, "eager-next", T + 20 * HOUR).await;
    open_live(&s, &quiet, "quiet-next", T + 20 * HOUR).await;
    let lowered = bar_shift(&s, "eager-next").await;
    assert!((-50..=-5).contains(&lowered), "posts by hand lower the bar, at most 0.5: {lowered}");
    assert_eq!(bar_shift(&s, "quiet-next").await, 0, "a seller who never acts keeps today's bar");
    let bar = settings(&s, &eager_token).await["posting_bar"].clone();
    assert_eq!(bar["posted_by_hand"], json!(18), "{bar}");

    // An admin switches the bar's learning off: the next LIVE gets the settings' bar, and the apps
    // stop saying it moved.
    let mut engine = s.store().engine_settings().await.unwrap();
    engine.learning.bar_on = false;
    let seq_before = settings(&s, &eager_token).await;
    s.store().set_engine_settings(engine).await.unwrap();
    let now = settings(&s, &eager_token).await;
    assert_eq!(now["posting_bar"]["shift"], json!(0.0), "the note goes at once: {now}");
    assert_eq!(now["version"], seq_before["version"]);
    end_live(&s, &eager, "eager-next", T + 21 * HOUR).await;
    open_live(&s, &eager, "eager-off", T + 22 * HOUR).await;
    assert_eq!(bar_shift(&s, "eager-off").await, 0);
    assert_eq!(settings(&s, &eager_token).await["posting_bar"]["shift"], json!(0.0));
}

#[tokio::test]
async fn formats_follow_a_learning_sellers_viewers_and_the_report_shows_each_arm() {
    let s = TestServer::start().await;
    let learner = seller_in(true, "learner");
    let control = seller_in(false, "fixed");
    let tokens = [s.seller(&learner).await, s.seller(&control).await];
    // The learner's clips in the end-card format bring viewers into the LIVE; in control, few.
    let winner = FormatVariant::ClickNowEndCard;
    open_live(&s, &learner, "learner-live", T).await;
    let mut clips = Vec::new();
    for (i, v) in [(0, winner), (1, winner), (2, FormatVariant::Control), (3, FormatVariant::Control)] {
        clips.push(clip(&learner, "learner-live", T, i, HighlightKind::Auto, 3.0, v.spec()));
    }
    let added = s.store().add_highlights(clips).await.unwrap();
    let mut events = Vec::new();
    for (h, n) in added.iter().zip([0, 1, 2, 3]) {
        let entries = if n < 2 { 300 } else { 10 };
        for k in 0..1000 {
            let ts = T + HOUR + k;
            events.push(json!({"highlight_id": h.id, "ts_ms": ts, "type": "view", "watch_ms": 5_000}));
            if k < entries {
                events.push(json!({"highlight_id": h.id, "ts_ms": ts, "type": "live_entry"}));
            }
        }
    }
    let mut sent = 0;
    for (i, chunk) in events.chunks(1000).enumerate() {
        let body = json!({"events": chunk});
        let key = format!("viewer-{i}");
        for _ in 0..2 {
            // Sent twice under one key: counted once.
            let resp = s
                .http
                .post(s.url(highlights_api::paths::INGEST_VIEWER_EVENTS))
                .bearer_auth(&s.service_token)
                .header("Idempotency-Key", &key)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
        }
        sent += chunk.len();
    }
    assert_eq!(sent, 4000 + 620);
    let totals = s.numbers("SELECT views + converted FROM format_totals WHERE variant = $1", &[winner.as_str()]).await;
    assert_eq!(totals, vec![2000 + 600], "every batch sent twice under its key counted once");
    let own = s.numbers("SELECT views FROM format_results WHERE seller_id = $1 ORDER BY variant", &[&learner]).await;
    assert_eq!(own, vec![2000, 2000], "the learner's two variants");

    let report = s.store().experiment_report().await.unwrap();
    let row = |arm: &str, v: FormatVariant| {
        report.formats.iter().find(|f| f.arm == arm && f.variant == v.as_str()).cloned().unwrap_or_default()
    };
    let won = row("learning", winner);
    assert_eq!((won.views, won.live_entries, won.videos_ever_posted), (2000, 600, 2), "{}", report.table());
    assert!(won.share > 0.9 && won.sellers == 1, "the bandit's share of the learner's next clips: {}", report.table());
    let control_rows: Vec<_> = report.formats.iter().filter(|f| f.arm == "control").collect();
    assert_eq!(control_rows.iter().map(|f| f.sellers).sum::<u32>(), 1, "{}", report.table());
    assert!(control_rows.iter().any(|f| f.sellers == 1 && f.share == 1.0), "the hash's variant, all of it");
    assert!(report.table().contains("learning") && report.table().contains("entries"), "{}", report.table());

    // New clips of the learner's are made in the winning format; the control seller's in the hash's.
    for ((seller, live), token) in [(&learner, "learner-next"), (&control, "fixed-next")].into_iter().zip(&tokens) {
        open_live(&s, seller, live, T + 2 * HOUR).await;
        end_live(&s, seller, live, T + 3 * HOUR).await;
        let resp = s
            .http
            .post(s.url(highlights_api::paths::VIDEOS))
            .bearer_auth(token)
            .header("Idempotency-Key", format!("video-{live}"))
            .json(&json!({"live_id": live, "start_ms": T + 2 * HOUR + 60_000,
                          "end_ms": T + 2 * HOUR + 90_000, "product_id": "sku-1"}))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert!(status.is_success(), "{status} {body}");
        let format: FormatSpec = serde_json::from_value(body["format"].clone()).unwrap();
        if *seller == learner {
            assert_eq!(format, winner.spec(), "the learner's viewers chose it");
        } else {
            let assigned = s.store().experiments(control.clone()).await.unwrap();
            assert_eq!(format, assigned.format, "control keeps the experiment's hash");
        }
    }
}

#[tokio::test]
async fn auto_posts_a_reviewing_seller_lets_lapse_are_skips_and_a_seller_who_never_looks_says_nothing() {
    let s = TestServer::start().await;
    let reviewer = seller_in(true, "reviewer");
    let absent = seller_in(true, "absent");
    let tokens = [s.seller(&reviewer).await, s.seller(&absent).await];
    for token in &tokens {
        let body = json!({"highlights_on": true, "review_before_posting": true});
        let (status, _) = s.call(Method::PATCH, highlights_api::paths::SETTINGS, Some(token), Some(body)).await;
        assert_eq!(status, StatusCode::OK);
    }
    for l in 0..3 {
        let at = T + l * 2 * HOUR;
        for (seller, token) in [(&reviewer, &tokens[0]), (&absent, &tokens[1])] {
            let live = format!("{seller}-live-{l}");
            open_live(&s, seller, &live, at).await;
            let clips = (0..4)
                .map(|i| NewHighlight {
                    status: HighlightStatus::Scheduled,
                    posted_at_ms: None,
                    ..clip(seller, &live, at, i, HighlightKind::Auto, 2.1 + 0.1 * i as f64, FormatSpec::default())
                })
                .collect();
            let added = s.store().add_highlights(clips).await.unwrap();
            // Waiting for the seller's OK, as the engine's posts are when they review.
            let waiting = s
                .numbers(
                    "UPDATE highlights SET review = 'waiting' WHERE live_id = $1 RETURNING CAST(1 AS BIGINT)",
                    &[&live],
                )
                .await;
            assert_eq!(waiting.len(), 4);
            if *seller == reviewer {
                let best = &added[3].id;
                let (status, body) =
                    s.call(Method::POST, &highlights_api::paths::highlight_approve(best), Some(token), None).await;
                assert_eq!(status, StatusCode::OK, "{body}");
            }
            assert!(s.store().post_due(at + HOUR).await.unwrap() <= 1);
            end_live(&s, seller, &live, at + HOUR).await;
        }
    }
    open_live(&s, &reviewer, "reviewer-next", T + 10 * HOUR).await;
    open_live(&s, &absent, "absent-next", T + 10 * HOUR).await;
    let skipped = s.numbers("SELECT count(*) FROM highlights WHERE skipped_at_ms IS NOT NULL", &[]).await;
    assert_eq!(skipped, vec![3 * 3 + 3 * 4], "a LIVE: three lapsed for the reviewer, four for the absent seller");
    assert!(bar_shift(&s, "reviewer-next").await >= 10, "skips by a seller who reviewed raise the bar");
    assert_eq!(bar_shift(&s, "absent-next").await, 0, "a seller who never looked: silence");
    let bar = settings(&s, &tokens[0]).await["posting_bar"].clone();
    // Each LIVE: the approved post kept, three skipped; the last ten of those twelve.
    assert_eq!((bar["removed"].as_u64(), bar["of_last"].as_u64()), (Some(8), Some(10)), "{bar}");
}

#[tokio::test]
async fn a_worker_applying_the_event_log_opens_a_live_with_the_sellers_bar_and_its_detector_uses_it() {
    use highlights_engine::sim::{StreamSpec, generate};
    use highlights_server::engine_host::EngineHost;
    use highlights_server::store::{LoggedEntry, Scorer};
    use std::sync::Arc;

    let s = TestServer::start().await;
    let picky = seller_in(true, "picky-worker");
    let control = seller_in(false, "control-worker");
    let (picky_token, control_token) = (s.seller(&picky).await, s.seller(&control).await);
    for token in [&picky_token, &control_token] {
        let (status, _) = s
            .call(Method::PATCH, highlights_api::paths::SETTINGS, Some(token), Some(json!({"highlights_on": true})))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    // Six LIVEs whose clear auto-posts the picky seller took down, through the API.
    for l in 0..6 {
        let at = T + l * 2 * HOUR;
        let live = format!("{picky}-live-{l}");
        open_live(&s, &picky, &live, at).await;
        let clips =
            (0..4).map(|i| clip(&picky, &live, at, i, HighlightKind::Auto, 3.5, FormatSpec::default())).collect();
        s.store().add_highlights(clips).await.unwrap();
        let (status, _) =
            s.call(Method::DELETE, &highlights_api::paths::live_highlights(&live), Some(&picky_token), None).await;
        assert_eq!(status, StatusCode::OK);
        end_live(&s, &picky, &live, at + HOUR).await;
    }
    // The same forty minutes of a LIVE for both sellers, applied by a worker from the event log.
    let mut spec = StreamSpec::new("template", T + 20 * HOUR, 11);
    spec.viewers = 400.0;
    spec.duration_s = 40 * 60;
    let template = generate(&spec.plant_random(12));
    s.store().lease_partitions("w".into(), 1, 60_000).await.unwrap();
    let host: Arc<dyn Scorer> = Arc::new(EngineHost::default());
    let mut seq = 0;
    for seller in [&picky, &control] {
        let live = format!("{seller}-logged");
        for chunk in template.chunks(500) {
            seq += 1;
            let events = chunk.iter().cloned().map(|mut e| {
                e.live_id = live.clone();
                e
            });
            let entry = LoggedEntry {
                seq,
                live_id: live.clone(),
                seller_id: seller.clone(),
                events: events.collect(),
                unreadable: vec![],
                key: None,
                published_ms: 0,
            };
            let done = s.store().apply_logged_entries(0, "w".into(), &[entry], host.clone(), None).await.unwrap();
            assert!(matches!(done[0], highlights_server::store::Logged::Applied(_)), "{done:?}");
        }
    }
    let shift = bar_shift(&s, &format!("{picky}-logged")).await;
    assert!(shift >= 50, "the worker opened the LIVE with the seller's raised bar: {shift}");
    assert_eq!(bar_shift(&s, &format!("{control}-logged")).await, 0);
    let auto = "SELECT count(*) FROM highlights WHERE live_id = $1 AND kind = 'auto'";
    let picky_auto = s.numbers(auto, &[&format!("{picky}-logged")]).await[0];
    let control_auto = s.numbers(auto, &[&format!("{control}-logged")]).await[0];
    let found = s.numbers("SELECT count(*) FROM highlights WHERE live_id = $1", &[&format!("{picky}-logged")]).await[0];
    assert!(control_auto >= 3 && found >= control_auto, "the stream has moments to post: {control_auto} of {found}");
    assert!(
        picky_auto < control_auto,
        "the raised bar posts fewer of the same moments: {picky_auto} vs {control_auto}"
    );
}
