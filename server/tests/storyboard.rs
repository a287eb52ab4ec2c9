//! Storyboards with real ffmpeg on a real server: a rendered clip's grid of frames, a recording's
//! strips as its segments arrive (its seller's only), and storyboards that fail without failing
//! anything else.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::TestServer;
use highlights_api::paths;
use highlights_server::media::storyboard::{FRAME_HEIGHT, FRAME_WIDTH, Grid};
use highlights_server::media::test_pattern::{self, PatternSegment};
use highlights_server::media::{Ffmpeg, LocalMediaStore, MediaError, MediaReader, MediaStore};
use highlights_server::serve::{ServeOptions, Videos};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const CLIP_MS: i64 = 12_000;
/// Long segments, so each strip holds several frames (one every 5 s).
const SEGMENT_S: u32 = 12;

/// ffmpeg, or one clear line and `None` outside CI.
fn ffmpeg() -> Option<Ffmpeg> {
    common::ffmpeg_for("storyboard suite")
}

/// A seller's LIVE, on for 60 s now, with a product pinned.
struct Live {
    token: String,
    live_id: String,
    started_at_ms: i64,
}

async fn go_live(s: &TestServer, seller: &str) -> Live {
    let token = s.seller(seller).await;
    s.store().pin_experiments(seller.into(), Some(false), Some("click_now_end_card".into())).await.unwrap();
    let patch = json!({ "highlights_on": true, "onboarding_completed": true });
    assert_eq!(s.call(Method::PATCH, paths::SETTINGS, Some(&token), Some(patch)).await.0, StatusCode::OK);
    let live_id = format!("live-{seller}");
    let started_at_ms = highlights_server::clock::now_ms() - 60_000;
    let events = json!([
        { "ts_ms": started_at_ms, "live_id": live_id, "type": "live_start", "title": "Spring sale" },
        { "ts_ms": started_at_ms + 100, "live_id": live_id, "type": "product_pin", "product_id": "p1", "name": "Shirt" },
    ]);
    assert_eq!(s.ingest(seller, events).await.0, StatusCode::OK);
    Live { token, live_id, started_at_ms }
}

async fn send_segment(s: &TestServer, live: &Live, seg: &PatternSegment, bytes: Vec<u8>) -> Value {
    let url = s.url(&paths::ingest_segment(&live.live_id, live.started_at_ms + seg.offset_ms));
    let resp = s.http.put(url).bearer_auth(&s.service_token).body(bytes).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

async fn send_recording(s: &TestServer, live: &Live, segments: &[PatternSegment]) {
    for seg in segments {
        let receipt = send_segment(s, live, seg, std::fs::read(&seg.path).unwrap()).await;
        assert_eq!(receipt["readable"], true, "{receipt}");
    }
}

/// Cuts `[from, from + CLIP_MS)` of the recording and waits for its video; returns the highlight.
async fn cut_and_wait(s: &TestServer, live: &Live, from_ms: i64) -> Value {
    let start = live.started_at_ms + from_ms;
    let body = json!({ "live_id": live.live_id, "start_ms": start, "end_ms": start + CLIP_MS, "product_id": "p1" });
    let resp = s
        .http
        .post(s.url(paths::VIDEOS))
        .bearer_auth(&live.token)
        .header(highlights_api::IDEMPOTENCY_KEY_HEADER, format!("cut-{from_ms}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let h: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{h}");
    let id = h["id"].as_str().unwrap().to_string();
    for _ in 0..600 {
        let (_, list) = s.get(&paths::live_highlights(&live.live_id), &live.token).await;
        let h = list["highlights"].as_array().unwrap().iter().find(|h| h["id"] == id.as_str()).cloned().unwrap();
        if h["video"]["state"] != "rendering" && h["status"] != "scheduled" {
            return h;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("video of {id} still rendering after 60 s");
}

/// GETs a JPEG (with `token`, if any) and answers its width and height, read by ffprobe.
async fn jpeg_size(s: &TestServer, ff: &Ffmpeg, path: &str, token: Option<&str>, dir: &Path) -> (u32, u32) {
    let mut req = s.http.get(s.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    assert_eq!(resp.headers()["content-type"], "image/jpeg", "{path}");
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[..2], [0xFF, 0xD8], "{path} is a JPEG");
    let file = dir.join("served.jpg");
    std::fs::write(&file, &bytes).unwrap();
    let out = std::process::Command::new(&ff.ffprobe)
        .args(["-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0"])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let (w, h) = text.trim().split_once(',').unwrap_or_else(|| panic!("ffprobe said {text:?}"));
    (w.parse().unwrap(), h.parse().unwrap())
}

/// Polls the LIVE's storyboard until it lists `n` strips.
async fn strips(s: &TestServer, live: &Live, n: usize) -> Vec<Value> {
    for _ in 0..600 {
        let (status, body) = s.get(&paths::live_storyboard(&live.live_id), &live.token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let strips = body["strips"].as_array().unwrap().clone();
        if strips.len() >= n {
            assert!(!body.to_string().contains("recordings/"), "media keys never leave the server: {body}");
            return strips;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("fewer than {n} strips after 60 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clip_has_its_grid_of_frames_and_the_recording_a_strip_per_segment() {
    let Some(ff) = ffmpeg() else { return };
    let work = tempfile::tempdir().unwrap();
    let segments = test_pattern::generate(&ff, work.path(), 40, SEGMENT_S, test_pattern::SOURCE_FPS).await.unwrap();
    assert_eq!(segments.len(), 4, "{segments:?}");
    let s = TestServer::start_with(ServeOptions { videos: Videos::RenderWith(ff.clone()), ..Default::default() }).await;
    let live = go_live(&s, "maker").await;
    send_recording(&s, &live, &segments).await;

    // The clip: 12 s and the 2 s end card, a frame a second in rows of 5.
    let h = cut_and_wait(&s, &live, 6_020).await;
    assert_eq!((h["status"].as_str(), h["video"]["state"].as_str()), (Some("posted"), Some("ready")), "{h}");
    let id = h["id"].as_str().unwrap();
    let board = &h["video"]["storyboard"];
    assert_eq!(board["url"], paths::media_storyboard(id), "{h}");
    let grid = Grid::clip(h["video"]["duration_ms"].as_i64().unwrap()).unwrap();
    assert!(grid.frames > 0);
    let want = json!({ "url": paths::media_storyboard(id), "frames": grid.frames, "columns": 5,
        "frame_width": FRAME_WIDTH, "frame_height": FRAME_HEIGHT, "interval_ms": 1_000 });
    assert_eq!(board, &want);
    assert_eq!(grid.frames, 14, "14 s of video, end card included");
    // Served on the video's terms (posted: to anyone), exactly the size its grid says.
    let size = jpeg_size(&s, &ff, &paths::media_storyboard(id), None, work.path()).await;
    assert_eq!(size, (5 * FRAME_WIDTH, grid.rows() * FRAME_HEIGHT));

    // The recording: one strip per segment, in time order, a frame every 5 s.
    let listed = strips(&s, &live, segments.len()).await;
    assert_eq!(listed.len(), segments.len());
    for (strip, seg) in listed.iter().zip(&segments) {
        let start = live.started_at_ms + seg.offset_ms;
        assert_eq!(strip["start_ms"].as_i64(), Some(start), "{strip}");
        let length = strip["end_ms"].as_i64().unwrap() - start;
        assert!((length - seg.duration_ms).abs() <= 100, "{strip}");
        let b = &strip["storyboard"];
        assert_eq!(b["url"], paths::live_storyboard_strip(&live.live_id, start));
        assert_eq!(b["columns"], b["frames"], "one row: {strip}");
        assert_eq!((b["interval_ms"].as_i64(), b["frame_width"].as_u64()), (Some(5_000), Some(90)), "{strip}");
        let frames = b["frames"].as_u64().unwrap() as u32;
        let expected = if seg.duration_ms >= 11_000 { 3 } else { 1 };
        assert_eq!(frames, expected, "{strip}");
        let size = jpeg_size(&s, &ff, b["url"].as_str().unwrap(), Some(&live.token), work.path()).await;
        assert_eq!(size, (frames * FRAME_WIDTH, FRAME_HEIGHT), "one row of tiles");
    }

    // Another seller's LIVE is not found, nor its strips; without a token, nothing.
    let other = s.seller("other").await;
    let first = listed[0]["storyboard"]["url"].as_str().unwrap();
    assert_eq!(s.get(&paths::live_storyboard(&live.live_id), &other).await.0, StatusCode::NOT_FOUND);
    assert_eq!(s.get(first, &other).await.0, StatusCode::NOT_FOUND);
    assert_eq!(s.call(Method::GET, first, None, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(s.get(&paths::live_storyboard_strip(&live.live_id, 7), &live.token).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        s.get(&format!("{}/soon", paths::live_storyboard(&live.live_id)), &live.token).await.0,
        StatusCode::BAD_REQUEST
    );

    // A segment re-sent unreadable loses its strip: nothing points at frames it no longer holds.
    let receipt = send_segment(&s, &live, &segments[1], b"\x47 not MPEG-TS".repeat(300)).await;
    assert_eq!(receipt["readable"], false);
    let (_, body) = s.get(&paths::live_storyboard(&live.live_id), &live.token).await;
    let starts: Vec<i64> = body["strips"].as_array().unwrap().iter().map(|b| b["start_ms"].as_i64().unwrap()).collect();
    let want: Vec<i64> = [0, 2, 3].iter().map(|&i| live.started_at_ms + segments[i].offset_ms).collect();
    assert_eq!(starts, want);
    let gone = paths::live_storyboard_strip(&live.live_id, live.started_at_ms + segments[1].offset_ms);
    assert_eq!(s.get(&gone, &live.token).await.0, StatusCode::NOT_FOUND);
    // Sent again readable, it gets a strip again.
    send_segment(&s, &live, &segments[1], std::fs::read(&segments[1].path).unwrap()).await;
    let again = strips(&s, &live, segments.len()).await;
    assert_eq!(again, listed, "the same strips as before");
    let size = jpeg_size(&s, &ff, &gone, Some(&live.token), work.path()).await;
    assert_eq!(size, (3 * FRAME_WIDTH, FRAME_HEIGHT));
}

/// A media store that refuses storyboards and strips, as a full disk would, counting the refusals.
struct NoStoryboards(LocalMediaStore, std::sync::atomic::AtomicUsize);

impl MediaStore for NoStoryboards {
    fn put_bytes(&self, key: &str, bytes: &[u8]) -> Result<(), MediaError> {
        self.0.put_bytes(key, bytes)
    }
    fn put_file(&self, key: &str, from: &Path) -> Result<(), MediaError> {
        if key.ends_with("storyboard.jpg") || key.ends_with("strip.jpg") {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let source = std::io::Error::from_raw_os_error(28); // ENOSPC
            return Err(MediaError::Io { context: "writing media", source });
        }
        self.0.put_file(key, from)
    }
    fn fetch(&self, key: &str, to: &Path) -> Result<(), MediaError> {
        self.0.fetch(key, to)
    }
    fn size(&self, key: &str) -> Result<u64, MediaError> {
        self.0.size(key)
    }
    fn open_range(&self, key: &str, offset: u64, len: u64) -> Result<MediaReader, MediaError> {
        self.0.open_range(key, offset, len)
    }
    fn delete(&self, key: &str) -> Result<(), MediaError> {
        self.0.delete(key)
    }
}

/// The video is ready and posted without a storyboard, in one attempt, and none is served.
async fn ready_without_storyboard(s: &TestServer, live: &Live) {
    let h = cut_and_wait(s, live, 6_020).await;
    assert_eq!((h["status"].as_str(), h["video"]["state"].as_str()), (Some("posted"), Some("ready")), "{h}");
    assert!(h["video"].get("storyboard").is_none(), "{h}");
    let id = h["id"].as_str().unwrap().to_string();
    assert_eq!(s.store().video_job(id.clone()).await.unwrap().unwrap().attempts, 1, "no retry for a storyboard");
    let thumb = s.http.get(s.url(&paths::media_thumbnail(&id))).send().await.unwrap();
    assert_eq!(thumb.status(), StatusCode::OK);
    let board = s.http.get(s.url(&paths::media_storyboard(&id))).send().await.unwrap();
    assert_eq!(board.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storyboard_that_fails_leaves_the_video_ready_and_the_recording_kept() {
    let Some(real) = ffmpeg() else { return };
    let work = tempfile::tempdir().unwrap();
    let segments = test_pattern::generate(&real, work.path(), 30, SEGMENT_S, test_pattern::SOURCE_FPS).await.unwrap();

    // ffmpeg killed (SIGKILL) whenever it makes a storyboard or a strip; it leaves a mark each time.
    let wrapper = work.path().join("ffmpeg-killed-on-storyboards");
    let marks = work.path().join("marks");
    std::fs::create_dir(&marks).unwrap();
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\ncase \"$*\" in *storyboard.jpg*|*strip.jpg*) touch {}/$$; kill -9 $$;; esac\nexec {} \"$@\"\n",
            marks.display(),
            real.ffmpeg.display()
        ),
    )
    .unwrap();
    let mut perms = std::fs::metadata(&wrapper).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&wrapper, perms).unwrap();
    let killing = Ffmpeg { ffmpeg: wrapper, ..real.clone() };
    let s = TestServer::start_with(ServeOptions { videos: Videos::RenderWith(killing), ..Default::default() }).await;
    let live = go_live(&s, "killed").await;
    send_recording(&s, &live, &segments).await;
    ready_without_storyboard(&s, &live).await;
    // Every strip was tried (and killed): the recording is kept whole, with no strips listed.
    for _ in 0..600 {
        if std::fs::read_dir(&marks).unwrap().count() > segments.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(std::fs::read_dir(&marks).unwrap().count(), segments.len() + 1, "each strip and the storyboard");
    let (status, body) = s.get(&paths::live_storyboard(&live.live_id), &live.token).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "strips": [] })));
    let (_, report) = s.get(&paths::ingest_recording(&live.live_id), &s.service_token).await;
    assert_eq!(report["gaps"].as_array().map(Vec::len), Some(0), "{report}");
    s.server.stop().await.unwrap();

    // A media store that cannot keep storyboards: the same.
    let media = Arc::new(NoStoryboards(LocalMediaStore::new(work.path().join("media")), Default::default()));
    let s = TestServer::start_with(ServeOptions {
        videos: Videos::RenderWith(real.clone()),
        media: Some(media.clone()),
        ..Default::default()
    })
    .await;
    let live = go_live(&s, "full").await;
    send_recording(&s, &live, &segments).await;
    ready_without_storyboard(&s, &live).await;
    // Every strip was tried (and refused) before the listing is checked.
    let refused = || media.1.load(std::sync::atomic::Ordering::SeqCst);
    for _ in 0..600 {
        if refused() > segments.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(refused(), segments.len() + 1, "each strip and the storyboard");
    let (status, body) = s.get(&paths::live_storyboard(&live.live_id), &live.token).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "strips": [] })));
}
