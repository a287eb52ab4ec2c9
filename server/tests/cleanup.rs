//! The cleanup job: the videos of removed highlights (after their grace), the files of failed and
//! superseded render attempts, strips of replaced segments and recordings past their age are
//! deleted from the media store, while nothing the API answers (highlights, feed, media routes,
//! storyboards) ever names a deleted file; several cleaners at once delete each file once.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::TestServer;
use common::clips::{Live, go_live, moment};
use highlights_api::{VideoState, paths};
use highlights_server::media::intake::{segment_key, strip_key};
use highlights_server::media::{Cleaner, MediaStore, Retention, Swept};
use highlights_server::serve::ServeOptions;
use highlights_server::store::{
    REPLACED_KEPT_MS, RenderOutcome, RenderTask, RetryPolicy, SegmentProbe, StoredStoryboard,
};
use reqwest::{Method, StatusCode};
use serde_json::json;

const LEASE_MS: i64 = 60_000;

/// A server whose own cleaner looks only at start (the test runs its passes), with no render
/// workers (the test plays them), giving up a render after two failures.
async fn server() -> TestServer {
    TestServer::start_with(ServeOptions {
        render_workers: 0,
        speech_workers: 0,
        retry: RetryPolicy { max_attempts: 2, first_backoff_ms: 0, lease_ms: LEASE_MS },
        retention: Retention { every: Duration::from_secs(86_400), ..Retention::default() },
        ..ServeOptions::default()
    })
    .await
}

/// Every file under the media directory, by key.
fn files(root: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(root, root, &mut out);
    out
}

fn board(key: &str) -> StoredStoryboard {
    StoredStoryboard { key: key.into(), frames: 4, columns: 4, frame_width: 160, frame_height: 90, interval_ms: 1_000 }
}

/// Writes every file a render attempt makes, as a worker does.
fn write_attempt(media: &dyn MediaStore, task: &RenderTask) {
    for key in highlights_server::store::rendered_keys(&task.output) {
        media.put_bytes(&key, key.as_bytes()).unwrap();
    }
}

fn ready(task: &RenderTask) -> RenderOutcome {
    RenderOutcome::Ready {
        duration_ms: 10_000,
        video_key: format!("{}.mp4", task.output),
        thumbnail_key: format!("{}.jpg", task.output),
        storyboard: Some(board(&format!("{}.storyboard.jpg", task.output))),
        clip: None,
        note: None,
    }
}

fn failed() -> RenderOutcome {
    RenderOutcome::Failed { reason: "ffmpeg: no space left".into() }
}

/// Sends a recording of four 4 s segments with their strips; the first is re-sent (new bytes, new
/// keys). Answers the keys of the current files.
async fn record(s: &TestServer, live: &Live) -> Vec<String> {
    let (store, media) = (s.store(), s.server.state.media.clone());
    let probe = SegmentProbe { duration_ms: 4_000, readable: true };
    let mut keys = Vec::new();
    for (i, receipt) in [0, 1, 2, 3, 0].into_iter().enumerate() {
        let start = live.started_at_ms + receipt * 4_000;
        let key = segment_key(&live.live_id, start, &format!("v{i}"));
        media.put_bytes(&key, format!("segment {i}").as_bytes()).unwrap();
        store.add_segment(live.live_id.clone(), start, probe, key.clone()).await.unwrap();
        let strip = strip_key(&live.live_id, start, &format!("v{i}"));
        media.put_bytes(&strip, b"strip").unwrap();
        store.set_segment_storyboard(live.live_id.clone(), start, 4_000, board(&strip)).await.unwrap();
        if i > 0 {
            keys.extend([key, strip]);
        }
    }
    // A strip made for bytes replaced meanwhile by a segment of another length is nobody's.
    let late = strip_key(&live.live_id, live.started_at_ms, "late");
    media.put_bytes(&late, b"strip").unwrap();
    store.set_segment_storyboard(live.live_id.clone(), live.started_at_ms, 3_000, board(&late)).await.unwrap();
    keys
}

async fn pass(s: &TestServer, retention: Retention) -> Swept {
    Cleaner::new(s.store(), s.server.state.media.clone(), retention).pass().await.unwrap()
}

/// Every media URL the seller's highlights and the public feed name answers the file.
async fn every_named_file_is_served(s: &TestServer, live: &Live) -> usize {
    let (_, list) = s.get(&paths::live_highlights(&live.live_id), &live.token).await;
    let (_, feed) = s.call(Method::GET, &paths::feed(&live.seller), None, None).await;
    let mut urls: Vec<String> = Vec::new();
    for h in list["highlights"].as_array().unwrap() {
        for field in ["video_url", "thumbnail_url"] {
            urls.extend(h["video"][field].as_str().map(String::from));
        }
        urls.extend(h["video"]["storyboard"]["url"].as_str().map(String::from));
    }
    for v in feed["videos"].as_array().unwrap() {
        urls.extend(["video_url", "thumbnail_url"].iter().filter_map(|f| v[f].as_str().map(String::from)));
    }
    for url in &urls {
        let resp = s.http.get(s.url(url)).bearer_auth(&live.token).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{url} is named, so it is served");
    }
    urls.len()
}

#[tokio::test]
async fn what_nothing_points_at_is_deleted_and_nothing_the_api_names_is() {
    let s = server().await;
    let (store, media) = (s.store(), s.server.state.media.clone());
    let root = s.dir.path().join("media");
    let live = go_live(&s, "tidy", &[]).await;
    let pin = json!([{ "ts_ms": live.started_at_ms + 1_000, "live_id": live.live_id, "type": "product_pin", "product_id": "sku-1", "name": "Shirt" }]);
    assert_eq!(s.ingest("tidy", pin).await.0, StatusCode::OK);
    let recording = record(&s, &live).await;

    // Three clips: one made at once, one that fails twice (given up), one whose first attempt
    // dies mid-way and is taken over once its lease lapses.
    let made = moment(&s, &live, 5_000, 15_000, 10_000).await;
    let given_up = moment(&s, &live, 20_000, 30_000, 25_000).await;
    let taken_over = moment(&s, &live, 40_000, 50_000, 45_000).await;
    let now = highlights_server::clock::now_ms();
    let mut tasks = Vec::new();
    while let Some(task) = store.claim_render(now).await.unwrap() {
        // The attempt that dies writes its files only once taken over (below).
        if task.highlight_id != taken_over {
            write_attempt(media.as_ref(), &task);
        }
        tasks.push(task);
    }
    assert_eq!(tasks.len(), 3, "one job per clip");
    let task = |id: &str| tasks.iter().find(|t| t.highlight_id == id).unwrap().clone();
    let first = task(&made);
    assert_eq!(
        store.finish_render(made.clone(), first.output.clone(), ready(&first), now).await.unwrap(),
        VideoState::Ready
    );
    let doomed = task(&given_up);
    store.finish_render(given_up.clone(), doomed.output.clone(), failed(), now).await.unwrap();
    let retry = store.claim_render(now).await.unwrap().expect("retried at once");
    assert_eq!(retry.highlight_id, given_up);
    write_attempt(media.as_ref(), &retry);
    assert_eq!(
        store.finish_render(given_up.clone(), retry.output.clone(), failed(), now).await.unwrap(),
        VideoState::Failed
    );
    let dead = task(&taken_over);
    let again = store.claim_render(now + LEASE_MS + 1).await.unwrap().expect("its lease lapsed");
    assert_eq!(again.highlight_id, taken_over);
    assert_ne!(again.output, dead.output, "each attempt writes files of its own");
    write_attempt(media.as_ref(), &again);
    assert_eq!(
        store.finish_render(taken_over.clone(), again.output.clone(), ready(&again), now).await.unwrap(),
        VideoState::Ready
    );
    assert!(store.post_due(now + 86_400_000).await.unwrap() >= 2, "both ready clips posted");

    let kept_video = |t: &RenderTask| highlights_server::store::rendered_keys(&t.output).to_vec();
    let mut wanted: BTreeSet<String> = recording.iter().cloned().collect();
    wanted.extend(kept_video(&first));
    wanted.extend(kept_video(&again));
    assert!(files(&root).len() > wanted.len(), "leftovers to clean: {:?}", files(&root));

    // The first pass deletes only what nothing points at: the failed attempts, the superseded
    // one (nothing yet), a strip made too late. The replaced segment and its strip stay a while
    // (a render may still be reading them), then go. Every URL the API names still answers.
    let replaced =
        [segment_key(&live.live_id, live.started_at_ms, "v0"), strip_key(&live.live_id, live.started_at_ms, "v0")];
    let swept = pass(&s, Retention::default()).await;
    assert_eq!((swept.videos, swept.segments, swept.failed), (0, 0, 0), "{swept:?}");
    assert_eq!(swept.deleted, 4 * 3 + 1, "{swept:?}");
    assert_eq!(files(&root), wanted.iter().chain(&replaced).cloned().collect());
    let later = highlights_server::clock::now_ms() + REPLACED_KEPT_MS + 1;
    let swept = Cleaner::new(store.clone(), media.clone(), Retention::default())
        .with_clock(Arc::new(move || later))
        .pass()
        .await
        .unwrap();
    assert_eq!((swept.deleted, swept.videos, swept.segments), (2, 0, 0), "{swept:?}");
    assert_eq!(files(&root), wanted);
    assert_eq!(every_named_file_is_served(&s, &live).await, 3 + 3 + 2 + 2, "both videos, in list and feed");

    // The superseded attempt wakes up, writes its files and reports: refused, it queues them (as
    // the render worker does), and the next pass deletes them.
    write_attempt(media.as_ref(), &dead);
    let late = store.finish_render(taken_over.clone(), dead.output.clone(), ready(&dead), now).await;
    assert!(
        matches!(late, Err(highlights_server::StoreError::NotFound(_))),
        "a superseded attempt's answer is not kept: {late:?}"
    );
    store.discard_media(kept_video(&dead)).await.unwrap();
    assert_eq!(pass(&s, Retention::default()).await.deleted, 4);
    assert_eq!(files(&root), wanted);

    // Removed: within its grace the video stays (and is served to its seller); after it, the
    // highlight comes back as a change without a video, then its files go.
    let (status, _) = s.call(Method::DELETE, &paths::highlight(&made), Some(&live.token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pass(&s, Retention::default()).await, Swept::default(), "within the grace");
    let video = s.http.get(s.url(&paths::media_video(&made))).bearer_auth(&live.token).send().await.unwrap();
    assert_eq!(video.status(), StatusCode::OK, "still the seller's to watch");
    let (_, before) = s.get(&paths::changes(0, 500), &live.token).await;
    let no_grace = Retention { removed_videos: Duration::ZERO, ..Retention::default() };
    let swept = pass(&s, no_grace).await;
    assert_eq!((swept.videos, swept.deleted), (1, 4), "{swept:?}");
    let (_, after) = s.get(&paths::changes(before["cursor"].as_i64().unwrap(), 500), &live.token).await;
    let changed = after["highlights"].as_array().unwrap();
    assert!(
        changed.iter().any(|h| h["id"] == made.as_str() && h["status"] == "removed" && h["video"].is_null()),
        "the app hears of the video going: {after}"
    );
    for url in [paths::media_video(&made), paths::media_thumbnail(&made), paths::media_storyboard(&made)] {
        let resp = s.http.get(s.url(&url)).bearer_auth(&live.token).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{url}");
    }
    for key in kept_video(&first) {
        wanted.remove(&key);
    }
    assert_eq!(files(&root), wanted);
    assert_eq!(every_named_file_is_served(&s, &live).await, 3 + 2, "the other video, in list and feed");

    // The recording past its age (the LIVE quiet since): segments and strips go, the report and
    // the storyboard say so, and no new video is cut from it; the posted video stays.
    let (_, strips) = s.get(&paths::live_storyboard(&live.live_id), &live.token).await;
    assert_eq!(strips["strips"].as_array().map(Vec::len), Some(4), "{strips}");
    let aged = Retention { recordings: Duration::ZERO, ..Retention::default() };
    let swept = pass(&s, aged).await;
    assert_eq!((swept.segments, swept.deleted), (4, 8), "{swept:?}");
    for key in &recording {
        wanted.remove(key);
    }
    assert_eq!(files(&root), wanted);
    assert!(!root.join("recordings").exists(), "the recording's folder went with it");
    assert_eq!(store.recording(live.live_id.clone()).await.unwrap().segments, 0);
    let (_, strips) = s.get(&paths::live_storyboard(&live.live_id), &live.token).await;
    assert_eq!(strips["strips"].as_array().map(Vec::len), Some(0), "{strips}");
    let cut = json!({ "live_id": live.live_id, "start_ms": live.started_at_ms + 20_000, "end_ms": live.started_at_ms + 40_000, "product_id": "sku-1" });
    let resp = s
        .http
        .post(s.url(paths::VIDEOS))
        .bearer_auth(&live.token)
        .header(highlights_api::IDEMPOTENCY_KEY_HEADER, "cut-1")
        .json(&cut)
        .send()
        .await
        .unwrap();
    let refused = (resp.status(), resp.json::<serde_json::Value>().await.unwrap());
    common::assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.1["code"], "recording_gone", "{}", refused.1);
    assert_eq!(every_named_file_is_served(&s, &live).await, 3 + 2);
    assert_eq!(pass(&s, aged).await, Swept::default(), "nothing left to do");
    assert!(store.claim_garbage(i64::MAX / 4, LEASE_MS).await.unwrap().is_empty(), "no key left queued");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cleaners_at_once_delete_each_file_once() {
    let s = server().await;
    let (store, media) = (s.store(), s.server.state.media.clone());
    // Four sellers' fifteen auto-posts each (under the cap of twenty per LIVE): 240 files, more
    // than one cleaner's claim.
    let mut lives = Vec::new();
    for n in 0..4 {
        let live = go_live(&s, &format!("busy{n}"), &[]).await;
        for i in 0..15 {
            moment(&s, &live, i * 20_000, i * 20_000 + 10_000, i * 20_000 + 5_000).await;
        }
        lives.push(live);
    }
    let now = highlights_server::clock::now_ms();
    while let Some(task) = store.claim_render(now).await.unwrap() {
        write_attempt(media.as_ref(), &task);
        store.finish_render(task.highlight_id.clone(), task.output.clone(), ready(&task), now).await.unwrap();
    }
    for live in &lives {
        let (_, removed) =
            s.call(Method::DELETE, &paths::live_highlights(&live.live_id), Some(&live.token), None).await;
        assert_eq!(removed["removed"], 15, "{removed}");
    }
    let no_grace = Retention { removed_videos: Duration::ZERO, ..Retention::default() };
    let cleaners: Vec<_> = (0..4)
        .map(|_| {
            let c = Cleaner::new(store.clone(), media.clone(), no_grace);
            tokio::spawn(async move { c.pass().await.unwrap() })
        })
        .collect();
    let mut total = Swept::default();
    for c in cleaners {
        let s = c.await.unwrap();
        total.videos += s.videos;
        total.deleted += s.deleted;
        total.failed += s.failed;
    }
    assert_eq!(
        (total.videos, total.deleted, total.failed),
        (60, 60 * 4, 0),
        "each video retired once, each file deleted once"
    );
    assert!(files(&s.dir.path().join("media")).is_empty(), "{:?}", files(&s.dir.path().join("media")));
}

#[tokio::test]
async fn a_key_queued_again_while_a_cleaner_deletes_it_stays_queued() {
    let s = server().await;
    let store = s.store();
    let keys = vec!["videos/h-late.mp4".to_string(), "videos/h-late.jpg".to_string()];
    store.discard_media(keys.clone()).await.unwrap();
    let now = highlights_server::clock::now_ms();
    let mut claimed = store.claim_garbage(now, LEASE_MS).await.unwrap();
    claimed.sort();
    assert_eq!(claimed, ["videos/h-late.jpg", "videos/h-late.mp4"]);
    // A superseded render writes its file after the cleaner deleted nothing there, then queues it.
    store.discard_media(keys[..1].to_vec()).await.unwrap();
    store.forget_garbage(claimed, now + LEASE_MS).await.unwrap();
    let again = store.claim_garbage(now, LEASE_MS).await.unwrap();
    assert_eq!(again, ["videos/h-late.mp4"], "queued again: not forgotten by the earlier deletion");
    store.forget_garbage(again, now + LEASE_MS).await.unwrap();
    assert!(store.claim_garbage(i64::MAX / 4, LEASE_MS).await.unwrap().is_empty());
}
