//! The render quota of seller-made videos over real HTTP, on either store: how many may be in the
//! making at once and how many a day, refused as `422 video_quota_reached`, never refusing a
//! replay of an accepted request nor an auto highlight's render. (The messages' times are checked
//! in the rule's unit tests: a rolling day cannot pass in a test.)

mod common;

use std::sync::Arc;

use common::{EveryComment, TestServer};
use highlights_api::{IngestBatch, SettingsPatch, VideoState};
use highlights_server::media::Ffmpeg;
use highlights_server::serve::{ServeOptions, Videos};
use highlights_server::store::{RenderOutcome, RenderQuota};
use reqwest::StatusCode;
use serde_json::{Value, json};

const T: i64 = 1_793_491_200_000;

/// A server that queues renders its worker can never finish (no such programs), so seller-made
/// videos stay in the making until the test finishes them.
async fn server(quota: RenderQuota) -> TestServer {
    let nowhere = Ffmpeg::with_programs("/nonexistent/ffmpeg".into(), "/nonexistent/ffprobe".into());
    TestServer::start_with(ServeOptions {
        videos: Videos::RenderWith(nowhere),
        render_quota: quota,
        ..Default::default()
    })
    .await
}

/// A seller with a recorded LIVE to cut videos from; answers the seller's token.
async fn seller_with_live(s: &TestServer, seller: &str) -> String {
    let token = s.seller(seller).await;
    let events = json!([
        {"ts_ms": T, "live_id": format!("live-{seller}"), "type": "live_start", "title": "Spring sale"},
        {"ts_ms": T + 1000, "live_id": format!("live-{seller}"), "type": "product_pin", "product_id": "sku-1", "name": "Serum"},
        {"ts_ms": T + 1_800_000, "live_id": format!("live-{seller}"), "type": "live_end"},
    ]);
    let (status, body) = s.ingest(seller, events).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    token
}

/// Asks for a seller-made video with the Idempotency-Key `key`; the status and the answer.
async fn create(s: &TestServer, seller: &str, token: &str, key: &str) -> (StatusCode, Value) {
    let body = json!({"live_id": format!("live-{seller}"), "start_ms": T + 60_000, "end_ms": T + 90_000, "product_id": "sku-1"});
    let resp = s
        .http
        .post(s.url(highlights_api::paths::VIDEOS))
        .bearer_auth(token)
        .header(highlights_api::IDEMPOTENCY_KEY_HEADER, key)
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.json().await.unwrap())
}

/// The id of an accepted video.
fn accepted(got: (StatusCode, Value)) -> String {
    assert_eq!(got.0, StatusCode::CREATED, "{}", got.1);
    got.1["id"].as_str().unwrap().to_string()
}

/// The message of a quota refusal.
fn refused(got: (StatusCode, Value)) -> String {
    assert_eq!(
        (got.0, got.1["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("video_quota_reached")),
        "{}",
        got.1
    );
    got.1["message"].as_str().unwrap().to_string()
}

/// Claims and finishes a video as its worker would; the other due jobs claimed on the way are put
/// back, due at once.
async fn ready(s: &TestServer, id: &str) {
    let now = highlights_server::clock::now_ms();
    let mut claimed = Vec::new();
    while let Some(task) = s.store().claim_render(now).await.unwrap() {
        claimed.push(task);
    }
    let (mine, others): (Vec<_>, Vec<_>) = claimed.into_iter().partition(|t| t.highlight_id == id);
    for t in others {
        let back = RenderOutcome::Deferred { until_ms: now };
        s.store().finish_render(t.highlight_id, t.output, back, now).await.unwrap();
    }
    let task = mine.into_iter().next().expect("its render job was due");
    let outcome = RenderOutcome::Ready {
        duration_ms: 30_000,
        video_key: format!("{}.mp4", task.output),
        thumbnail_key: format!("{}.jpg", task.output),
        storyboard: None,
        clip: None,
        note: None,
    };
    let state = s.store().finish_render(id.into(), task.output, outcome, now).await.unwrap();
    assert_eq!(state, VideoState::Ready);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn videos_in_the_making_and_per_day_are_limited_and_replays_still_answer() {
    let s = server(RenderQuota { max_queued: 2, max_per_day: 3 }).await;
    let token = seller_with_live(&s, "maker").await;
    let first = accepted(create(&s, "maker", &token, "v1").await);
    let second = accepted(create(&s, "maker", &token, "v2").await);
    let message = refused(create(&s, "maker", &token, "v3").await);
    assert!(message.contains("videos in the making: 2, and at most 2 can be at once"), "{message}");
    // A retry of an accepted request answers the stored video, quota or not.
    assert_eq!(accepted(create(&s, "maker", &token, "v1").await), first);
    // Another seller has a quota of their own.
    let other = seller_with_live(&s, "other").await;
    accepted(create(&s, "other", &other, "v1").await);

    // One ready: a place in the making frees up; the day's count does not.
    ready(&s, &first).await;
    let third = accepted(create(&s, "maker", &token, "v3").await);
    ready(&s, &second).await;
    let message = refused(create(&s, "maker", &token, "v4").await);
    assert!(message.contains("videos made in the last 24 hours: 3, and at most 3 can be"), "{message}");
    assert!(message.contains("the next can be made from 20") && message.contains("(in 24 h)"), "{message}");
    assert_eq!(accepted(create(&s, "maker", &token, "v3").await), third, "replays still answer");
    let (_, list) = s.get(&highlights_api::paths::live_highlights("live-maker"), &token).await;
    assert_eq!(list["highlights"].as_array().map(Vec::len), Some(3), "refusals made nothing: {list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_at_once_never_get_past_the_quota() {
    let s = Arc::new(server(RenderQuota { max_queued: 3, max_per_day: 100 }).await);
    let token = seller_with_live(&s, "racer").await;
    let racers: Vec<_> = (0..8)
        .map(|i| {
            let (s, token) = (s.clone(), token.clone());
            tokio::spawn(async move { create(&s, "racer", &token, &format!("race-{i}")).await.0 })
        })
        .collect();
    let mut statuses = Vec::new();
    for r in racers {
        statuses.push(r.await.unwrap());
    }
    let made = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count();
    assert_eq!((made, refused), (3, 5), "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_highlights_never_count_and_are_never_refused() {
    let s = server(RenderQuota { max_queued: 1, max_per_day: 1 }).await;
    let token = seller_with_live(&s, "busy").await;
    let on = SettingsPatch { highlights_on: Some(true), onboarding_completed: Some(true), ..Default::default() };
    s.store().patch_settings("busy".into(), on, None).await.unwrap();
    let first = accepted(create(&s, "busy", &token, "v1").await);

    // With the seller's quota used up, the engine's moments still get their videos queued.
    let t0 = highlights_server::clock::now_ms() + 60_000;
    let events = (0..4)
        .map(|i| json!({"type": "comment", "live_id": "live-auto", "ts_ms": t0 + i * 20_000, "user": "u", "text": format!("sku-{i}")}))
        .collect();
    let batch = IngestBatch { seller_id: "busy".into(), events };
    assert_eq!(s.store().ingest(batch, None, Arc::new(EveryComment)).await.unwrap().accepted, 4);
    let auto = s.store().highlights("busy".into(), "live-auto".into()).await.unwrap().highlights;
    assert_eq!(auto.len(), 4);
    for h in &auto {
        assert_eq!(h.kind, highlights_api::HighlightKind::Auto, "{h:?}");
        let job = s.store().video_job(h.id.clone()).await.unwrap();
        assert_eq!(job.map(|j| j.state), Some(VideoState::Rendering), "{h:?}");
    }
    // Four auto renders queued, one seller-made: only that one counts, in the making and today.
    let message = refused(create(&s, "busy", &token, "v2").await);
    assert!(message.contains("videos in the making: 1,"), "{message}");
    ready(&s, &first).await;
    let message = refused(create(&s, "busy", &token, "v2").await);
    assert!(message.contains("videos made in the last 24 hours: 1,"), "{message}");
}
