//! Real media end to end: a recorder's segments in, shoppable MP4s out, checked with ffprobe and
//! frame by frame against the clock burned into the recording; and the failures a render meets.

mod common;

use common::clips::diff;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use common::TestServer;
use highlights_api::paths;
use highlights_server::media::test_pattern::{self, PatternSegment};
use highlights_server::media::{Container, Ffmpeg, LocalMediaStore, MediaError, MediaReader, MediaStore};
use highlights_server::serve::{ServeOptions, Videos};
use highlights_server::store::RetryPolicy;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const CLIP_MS: i64 = 12_000;
const SEGMENT_S: u32 = 4;

/// ffmpeg, or one clear line and `None` outside CI.
fn ffmpeg() -> Option<Ffmpeg> {
    common::ffmpeg_for("media suite")
}

/// Makes a fault-injecting wrapper script runnable.
fn executable(script: &Path) {
    let mut perms = std::fs::metadata(script).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(script, perms).unwrap();
}

fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy { max_attempts, first_backoff_ms: 100, lease_ms: 60_000 }
}

/// A seller LIVE for 60 s now, with a product and captions, and its recording generated once.
struct Live {
    token: String,
    live_id: String,
    started_at_ms: i64,
    segments: Vec<PatternSegment>,
}

async fn recording(ff: &Ffmpeg, dir: &Path) -> Vec<PatternSegment> {
    let segments = test_pattern::generate(ff, dir, 40, SEGMENT_S, test_pattern::SOURCE_FPS).await.unwrap();
    assert!(segments.len() >= 9, "{} segments", segments.len());
    segments
}

async fn go_live(s: &TestServer, seller: &str, format: &str, segments: Vec<PatternSegment>) -> Live {
    go_live_selling(s, seller, format, segments, "Linen shirt").await
}

/// [`go_live`], pinning a product named `product`.
async fn go_live_selling(
    s: &TestServer,
    seller: &str,
    format: &str,
    segments: Vec<PatternSegment>,
    product: &str,
) -> Live {
    let token = s.seller(seller).await;
    s.store().pin_experiments(seller.into(), Some(false), Some(format.into())).await.unwrap();
    let patch = json!({ "highlights_on": true, "onboarding_completed": true });
    assert_eq!(s.call(Method::PATCH, paths::SETTINGS, Some(&token), Some(patch)).await.0, StatusCode::OK);
    let live_id = format!("live-{seller}");
    let started_at_ms = highlights_server::clock::now_ms() - 60_000;
    let at = |ms: i64| started_at_ms + ms;
    let events = json!([
        { "ts_ms": at(0), "live_id": live_id, "type": "live_start", "title": "Spring sale" },
        { "ts_ms": at(100), "live_id": live_id, "type": "product_pin", "product_id": "p1", "name": product },
        { "ts_ms": at(13_000), "live_id": live_id, "type": "caption", "text": "ONLY TODAY", "duration_ms": 2_000 },
    ]);
    let (status, body) = s.ingest(seller, events).await;
    assert_eq!((status, body["accepted"].as_u64()), (StatusCode::OK, Some(3)), "{body}");
    Live { token, live_id, started_at_ms, segments }
}

async fn send_segment(s: &TestServer, live: &Live, seg: &PatternSegment, bytes: Vec<u8>) -> Value {
    let url = s.url(&paths::ingest_segment(&live.live_id, live.started_at_ms + seg.offset_ms));
    let resp = s.http.put(url).bearer_auth(&s.service_token).body(bytes).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

async fn send_recording(s: &TestServer, live: &Live, skip: Option<usize>) {
    for (i, seg) in live.segments.iter().enumerate().filter(|(i, _)| Some(*i) != skip) {
        let receipt = send_segment(s, live, seg, std::fs::read(&seg.path).unwrap()).await;
        assert_eq!(receipt["readable"], true, "segment {i}: {receipt}");
        assert!((receipt["duration_ms"].as_i64().unwrap() - seg.duration_ms).abs() <= 100, "{receipt}");
    }
}

/// Asks for a seller-made video of `[from, from + CLIP_MS)` of the recording; returns its id.
async fn cut(s: &TestServer, live: &Live, from_ms: i64) -> String {
    let start = live.started_at_ms + from_ms;
    let body = json!({ "live_id": live.live_id, "start_ms": start, "end_ms": start + CLIP_MS, "product_id": "p1" });
    let resp = s
        .http
        .post(s.url(paths::VIDEOS))
        .bearer_auth(&live.token)
        .header(highlights_api::IDEMPOTENCY_KEY_HEADER, format!("cut-{from_ms}-{}", live.live_id))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let h: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{h}");
    assert_eq!((h["status"].as_str(), h["video"]["state"].as_str()), (Some("scheduled"), Some("rendering")), "{h}");
    h["id"].as_str().unwrap().to_string()
}

async fn highlight(s: &TestServer, live: &Live, id: &str) -> Value {
    let (_, list) = s.get(&paths::live_highlights(&live.live_id), &live.token).await;
    list["highlights"].as_array().unwrap().iter().find(|h| h["id"] == id).cloned().unwrap()
}

/// Waits until the video is no longer rendering; returns the highlight.
async fn settled(s: &TestServer, live: &Live, id: &str) -> Value {
    for _ in 0..600 {
        let h = highlight(s, live, id).await;
        if h["video"]["state"] != "rendering" && (h["status"] != "scheduled") {
            return h;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("video of {id} still rendering after 60 s: {}", highlight(s, live, id).await);
}

/// Downloads a posted video anonymously, half by range and half in one go, into `dir`.
async fn download(s: &TestServer, id: &str, dir: &Path) -> PathBuf {
    let whole = s.http.get(s.url(&paths::media_video(id))).send().await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["content-type"], "video/mp4");
    let bytes = whole.bytes().await.unwrap();
    let part = s.http.get(s.url(&paths::media_video(id))).header("Range", "bytes=100-1099").send().await.unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], format!("bytes 100-1099/{}", bytes.len()).as_str());
    assert_eq!(part.bytes().await.unwrap(), bytes[100..1100], "a range is that slice of the file");
    let path = dir.join(format!("{id}.mp4"));
    std::fs::write(&path, &bytes).unwrap();
    path
}

/// Top-level MP4 boxes in order: faststart puts `moov` before `mdat`.
fn top_boxes(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        out.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
        if size < 8 {
            break;
        }
        at += size;
    }
    out
}

fn mean(frame: &[u8], rows: std::ops::Range<u32>) -> f64 {
    let w = highlights_server::media::render::WIDTH;
    let px = &frame[(rows.start * w) as usize..(rows.end * w) as usize];
    px.iter().map(|&p| f64::from(p)).sum::<f64>() / px.len() as f64
}

/// Mono 16-bit samples of a file's sound.
async fn pcm(ff: &Ffmpeg, video: &Path) -> Vec<i16> {
    let args: Vec<String> = ["-i", &video.display().to_string(), "-ac", "1", "-ar", "8000", "-f", "s16le", "pipe:1"]
        .map(String::from)
        .to_vec();
    let raw = ff.ffmpeg(video.parent().unwrap(), &args, Duration::from_secs(30)).await.unwrap();
    raw.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_is_real_in_the_pixels_and_the_sound() {
    let Some(ff) = ffmpeg() else { return };
    let work = tempfile::tempdir().unwrap();
    let segments = recording(&ff, work.path()).await;
    let s = TestServer::start_with(ServeOptions {
        videos: Videos::RenderWith(ff.clone()),
        render_workers: 2,
        ..Default::default()
    })
    .await;
    let from_ms = 6_020; // not on a segment boundary, nor on a whole second
    let mut videos = Vec::new();
    for (seller, format) in [
        ("control", "control"),
        ("subtitles", "auto_subtitles"),
        ("arrow", "arrow_to_live"),
        ("card", "click_now_end_card"),
        ("music", "background_music"),
    ] {
        let live = go_live(&s, seller, format, segments.clone()).await;
        send_recording(&s, &live, None).await;
        let id = cut(&s, &live, from_ms).await;
        videos.push((format, live, id));
    }
    let mut files = std::collections::HashMap::new();
    for (format, live, id) in &videos {
        let h = settled(&s, live, id).await;
        assert_eq!((h["status"].as_str(), h["video"]["state"].as_str()), (Some("posted"), Some("ready")), "{h}");
        assert_eq!(h["video"]["video_url"], paths::media_video(id));
        let thumb = s.http.get(s.url(&paths::media_thumbnail(id))).send().await.unwrap();
        assert_eq!(thumb.status(), StatusCode::OK);
        assert_eq!(&thumb.bytes().await.unwrap()[..2], [0xFF, 0xD8], "a JPEG");
        let file = download(&s, id, work.path()).await;
        let probe = ff.probe(&file, Container::Mp4).await.unwrap();
        let card = if *format == "click_now_end_card" { 2_000 } else { 0 };
        assert!((probe.duration_ms - (CLIP_MS + card)).abs() <= 100, "{format}: {} ms", probe.duration_ms);
        assert_eq!(h["video"]["duration_ms"].as_i64(), Some(probe.duration_ms));
        let v = probe.stream("video").unwrap();
        assert_eq!((v.codec.as_str(), v.width, v.height), ("h264", Some(720), Some(1280)), "{format}");
        assert_eq!(probe.stream("audio").map(|a| a.codec.as_str()), Some("aac"), "{format}");
        let boxes = top_boxes(&std::fs::read(&file).unwrap());
        let (moov, mdat) = (boxes.iter().position(|b| b == "moov"), boxes.iter().position(|b| b == "mdat"));
        assert!(moov.is_some() && moov < mdat, "{format}: faststart puts moov first: {boxes:?}");
        // The first frame shows the clip's start, to a frame (40 ms at 25 fps).
        let first = test_pattern::grey_frame(&ff, &file, 0.0).await.unwrap();
        let shown = i64::from(test_pattern::frame_counter(&first));
        let expected = (from_ms as f64 / 40.0).round() as i64;
        assert!((shown - expected).abs() <= 1, "{format}: first frame shows frame {shown}, expected {expected}");
        files.insert(*format, file);
    }

    // Subtitles: the frame at the caption's time differs from the same frame without them, in
    // the lower part where subtitles sit, and nowhere else.
    let caption_at = (13_000 + 500 - from_ms) as f64 / 1000.0;
    let plain = test_pattern::grey_frame(&ff, &files["control"], caption_at).await.unwrap();
    let subtitled = test_pattern::grey_frame(&ff, &files["auto_subtitles"], caption_at).await.unwrap();
    assert!(diff(&plain, &subtitled, 960..1280) > 2.0, "the subtitle shows: {}", diff(&plain, &subtitled, 960..1280));
    assert!(diff(&plain, &subtitled, 0..640) < 1.5, "only the subtitle differs: {}", diff(&plain, &subtitled, 0..640));
    let later = test_pattern::grey_frame(&ff, &files["auto_subtitles"], 10.0).await.unwrap();
    let later_plain = test_pattern::grey_frame(&ff, &files["control"], 10.0).await.unwrap();
    assert!(diff(&later, &later_plain, 960..1280) < 1.5, "no subtitle once the caption is over");

    // Arrow to the LIVE button: the LIVE is on, so the badge and arrow are drawn at the top.
    let arrow = test_pattern::grey_frame(&ff, &files["arrow_to_live"], 3.0).await.unwrap();
    let arrow_plain = test_pattern::grey_frame(&ff, &files["control"], 3.0).await.unwrap();
    assert!(diff(&arrow, &arrow_plain, 96..160) > 10.0, "the arrow shows: {}", diff(&arrow, &arrow_plain, 96..160));

    // End card: the last 2 s are a dark card with bright text, not the recording.
    let card_frame =
        test_pattern::grey_frame(&ff, &files["click_now_end_card"], (CLIP_MS as f64 + 1000.0) / 1000.0).await.unwrap();
    assert_eq!(test_pattern::frame_counter(&card_frame), 0, "no recording frame on the card");
    assert!(mean(&card_frame, 0..400) < 30.0, "card background is dark");
    let text_band = &card_frame[(486 * 720) as usize..(600 * 720) as usize];
    assert!(text_band.iter().filter(|&&p| p > 200).count() > 2_000, "CLICK NOW is written on the card");

    // Music: the sound differs from the LIVE's alone, and is not louder than it.
    let (plain, music) = (pcm(&ff, &files["control"]).await, pcm(&ff, &files["background_music"]).await);
    assert!(plain.len() > 8_000 * 11 && music.len() > 8_000 * 11);
    let changed = plain.iter().zip(&music).filter(|(a, b)| (i32::from(**a) - i32::from(**b)).abs() > 500).count();
    assert!(changed > plain.len() / 4, "music is mixed in: {changed} of {} samples changed", plain.len());

    // The public feed lists the five posted videos with their product and the LIVE-now link.
    let (status, feed) = s.call(Method::GET, &paths::feed("card"), None, None).await;
    assert_eq!(status, StatusCode::OK);
    let feed_videos = feed["videos"].as_array().unwrap();
    assert_eq!(feed_videos.len(), 1, "{feed}");
    assert_eq!(feed_videos[0]["product"]["name"], "Linen shirt");
    assert_eq!(feed_videos[0]["live_now_link"], paths::live_room_link("live-card"));
    assert!(
        feed_videos[0].get("score").is_none() && feed_videos[0].get("signals").is_none(),
        "only what a viewer sees"
    );
}

/// A media store whose writes of rendered videos fail, as a full disk would.
struct FullDisk {
    inner: LocalMediaStore,
    refused: AtomicU32,
}

impl MediaStore for FullDisk {
    fn put_bytes(&self, key: &str, bytes: &[u8]) -> Result<(), MediaError> {
        self.inner.put_bytes(key, bytes)
    }
    fn put_file(&self, key: &str, from: &Path) -> Result<(), MediaError> {
        if key.starts_with("videos/") {
            self.refused.fetch_add(1, Ordering::SeqCst);
            let source = std::io::Error::from_raw_os_error(28); // ENOSPC
            return Err(MediaError::Io { context: "writing media", source });
        }
        self.inner.put_file(key, from)
    }
    fn fetch(&self, key: &str, to: &Path) -> Result<(), MediaError> {
        self.inner.fetch(key, to)
    }
    fn size(&self, key: &str) -> Result<u64, MediaError> {
        self.inner.size(key)
    }
    fn open_range(&self, key: &str, offset: u64, len: u64) -> Result<MediaReader, MediaError> {
        self.inner.open_range(key, offset, len)
    }
    fn delete(&self, key: &str) -> Result<(), MediaError> {
        self.inner.delete(key)
    }
}

/// After a failed video: retried `attempts` times, failed, back to a recommendation, never
/// posted or watchable, the server still serving.
async fn assert_given_up(s: &TestServer, live: &Live, id: &str, attempts: u32, reason: &str) {
    let h = settled(s, live, id).await;
    assert_eq!(
        (h["kind"].as_str(), h["status"].as_str(), h["video"]["state"].as_str()),
        (Some("recommendation"), Some("suggested"), Some("failed")),
        "{h}"
    );
    let job = s.store().video_job(id.into()).await.unwrap().unwrap();
    assert_eq!(job.attempts, attempts, "{job:?}");
    assert!(job.last_error.as_deref().unwrap_or("").contains(reason), "{job:?}");
    let media = s.http.get(s.url(&paths::media_video(id))).bearer_auth(&live.token).send().await.unwrap();
    assert_eq!(media.status(), StatusCode::NOT_FOUND, "nothing half-made is served");
    let (_, feed) = s.call(Method::GET, &paths::feed(live.live_id.trim_start_matches("live-")), None, None).await;
    assert_eq!(feed["videos"].as_array().map(Vec::len), Some(0), "nothing posted: {feed}");
    assert_eq!(s.http.get(s.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
}

/// The toggle governs what the engine posts; a video the seller made, or a recommendation they
/// posted, goes out once rendered whatever the toggle says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_seller_made_posts_with_the_feature_off() {
    let Some(ff) = ffmpeg() else { return };
    let work = tempfile::tempdir().unwrap();
    let segments = recording(&ff, work.path()).await;
    let s = TestServer::start_with(ServeOptions { videos: Videos::RenderWith(ff.clone()), ..Default::default() }).await;
    let live = go_live(&s, "off", "control", segments).await;
    send_recording(&s, &live, None).await;
    let patch = json!({ "highlights_on": false });
    assert_eq!(s.call(Method::PATCH, paths::SETTINGS, Some(&live.token), Some(patch)).await.0, StatusCode::OK);
    let id = cut(&s, &live, 10_000).await;
    let h = settled(&s, &live, &id).await;
    assert_eq!((h["status"].as_str(), h["kind"].as_str()), (Some("posted"), Some("manual")), "{h}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_and_corrupt_segments_fail_cleanly_and_a_resend_recovers() {
    let Some(ff) = ffmpeg() else { return };
    let work = tempfile::tempdir().unwrap();
    let segments = recording(&ff, work.path()).await;
    let s = TestServer::start_with(ServeOptions {
        videos: Videos::RenderWith(ff.clone()),
        retry: fast_retry(3),
        ..Default::default()
    })
    .await;

    // A missing segment in the clip: three attempts, then a recommendation.
    let live = go_live(&s, "missing", "control", segments.clone()).await;
    send_recording(&s, &live, Some(3)).await;
    let (_, report) = s.get(&paths::ingest_recording(&live.live_id), &s.service_token).await;
    assert_eq!(report["gaps"].as_array().map(Vec::len), Some(1), "{report}");
    let id = cut(&s, &live, 10_000).await;
    assert_given_up(&s, &live, &id, 3, "missing").await;
    // The recorder re-sends it; posting the recommendation renders anew and posts it.
    send_segment(&s, &live, &live.segments[3], std::fs::read(&live.segments[3].path).unwrap()).await;
    let (status, _) = s.call(Method::POST, &paths::highlight_post(&id), Some(&live.token), None).await;
    assert_eq!(status, StatusCode::OK);
    let h = settled(&s, &live, &id).await;
    assert_eq!((h["status"].as_str(), h["video"]["state"].as_str()), (Some("posted"), Some("ready")), "{h}");

    // A corrupt segment is kept and reported, never fatal; the clip over it fails cleanly.
    let live = go_live(&s, "corrupt", "control", segments.clone()).await;
    send_recording(&s, &live, Some(4)).await;
    let receipt = send_segment(&s, &live, &live.segments[4], b"\x47 definitely not MPEG-TS".repeat(200)).await;
    assert_eq!(receipt["readable"], false, "{receipt}");
    let (_, report) = s.get(&paths::ingest_recording(&live.live_id), &s.service_token).await;
    assert_eq!(report["corrupt"], json!([live.started_at_ms + live.segments[4].offset_ms]), "{report}");
    // Out of order: the 5th segment came after the 9th.
    assert!(report["out_of_order"].as_u64().unwrap() >= 1, "{report}");
    let id = cut(&s, &live, 14_000).await;
    assert_given_up(&s, &live, &id, 3, "unreadable").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_ffmpeg_is_retried_and_a_full_disk_never_posts() {
    let Some(real) = ffmpeg() else { return };
    let work = tempfile::tempdir().unwrap();
    let segments = recording(&real, work.path()).await;

    // ffmpeg killed mid-render (SIGKILL half a second into the first render), then retried.
    let wrapper = work.path().join("ffmpeg-killed-once");
    let marker = work.path().join("killed");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\ncase \"$*\" in *video.mp4*) if [ ! -e {m} ]; then touch {m}; {ff} \"$@\" & pid=$!; sleep 0.5; kill -9 $pid; wait $pid; exit $?; fi;; esac\nexec {ff} \"$@\"\n",
            m = marker.display(),
            ff = real.ffmpeg.display()
        ),
    )
    .unwrap();
    executable(&wrapper);
    let killing = Ffmpeg { ffmpeg: wrapper, ..real.clone() };
    let s = TestServer::start_with(ServeOptions {
        videos: Videos::RenderWith(killing),
        retry: fast_retry(3),
        ..Default::default()
    })
    .await;
    let live = go_live(&s, "killed", "click_now_end_card", segments.clone()).await;
    send_recording(&s, &live, None).await;
    let id = cut(&s, &live, 8_000).await;
    let h = settled(&s, &live, &id).await;
    assert!(marker.exists(), "ffmpeg was killed once");
    assert_eq!((h["status"].as_str(), h["video"]["state"].as_str()), (Some("posted"), Some("ready")), "{h}");
    let job = s.store().video_job(id.clone()).await.unwrap().unwrap();
    assert_eq!(job.attempts, 2, "the killed attempt and the good one: {job:?}");
    let file = download(&s, &id, work.path()).await;
    assert!((real.probe(&file, Container::Mp4).await.unwrap().duration_ms - (CLIP_MS + 2_000)).abs() <= 100);
    s.server.stop().await.unwrap();

    // A media store that refuses every video write: retried, given up, nothing posted.
    let full =
        Arc::new(FullDisk { inner: LocalMediaStore::new(work.path().join("media")), refused: AtomicU32::new(0) });
    let s = TestServer::start_with(ServeOptions {
        videos: Videos::RenderWith(real.clone()),
        retry: fast_retry(2),
        media: Some(full.clone()),
        ..Default::default()
    })
    .await;
    let live = go_live(&s, "full", "control", segments).await;
    send_recording(&s, &live, None).await;
    let id = cut(&s, &live, 8_000).await;
    assert_given_up(&s, &live, &id, 2, "media store").await;
    assert_eq!(full.refused.load(Ordering::SeqCst), 2, "each attempt tried to write, and was refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_render_cut_short_by_a_restart_is_taken_up_at_once() {
    let Some(real) = ffmpeg() else { return };
    let work = tempfile::tempdir().unwrap();
    let segments = recording(&real, work.path()).await;
    // A render that hangs: the process stops while the job is claimed under a 10-minute lease.
    let hanging = work.path().join("ffmpeg-hangs");
    std::fs::write(
        &hanging,
        format!(
            "#!/bin/sh\ncase \"$*\" in *video.mp4*) exec sleep 600;; esac\nexec {} \"$@\"\n",
            real.ffmpeg.display()
        ),
    )
    .unwrap();
    executable(&hanging);
    let data = tempfile::tempdir().unwrap();
    let options = |ff: Ffmpeg| ServeOptions {
        videos: Videos::RenderWith(ff),
        retry: RetryPolicy { max_attempts: 3, first_backoff_ms: 100, lease_ms: 600_000 },
        ..Default::default()
    };
    let start = |ff: Ffmpeg| {
        let opts = options(ff);
        let dir = data.path().to_path_buf();
        async move {
            highlights_server::serve::start_with("127.0.0.1:0".parse().unwrap(), &dir, opts.replaying()).await.unwrap()
        }
    };
    let s = TestServer::adopt(start(Ffmpeg { ffmpeg: hanging, ..real.clone() }).await, &data).await;
    let live = go_live(&s, "restart", "control", segments).await;
    send_recording(&s, &live, None).await;
    let id = cut(&s, &live, 8_000).await;
    for _ in 0..100 {
        if s.store().video_job(id.clone()).await.unwrap().unwrap().attempts == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(s.store().video_job(id.clone()).await.unwrap().unwrap().attempts, 1, "the hanging render was claimed");
    s.server.stop().await.unwrap();

    let s = TestServer::adopt(start(real.clone()).await, &data).await;
    let h = settled(&s, &live, &id).await;
    assert_eq!((h["status"].as_str(), h["video"]["state"].as_str()), (Some("posted"), Some("ready")), "{h}");
    assert_eq!(s.store().video_job(id).await.unwrap().unwrap().attempts, 2, "taken up again well inside its lease");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn playlists_and_concat_lists_sent_as_segments_are_never_followed() {
    let Some(ff) = ffmpeg() else { return };
    let work = tempfile::tempdir().unwrap();
    let segments = recording(&ff, work.path()).await;
    // Files outside the media store an attacker would like read: real media (ffmpeg would happily
    // take its frames) and a secret.
    let outside = tempfile::tempdir().unwrap();
    let media_file = outside.path().join("elsewhere.ts");
    std::fs::copy(&segments[3].path, &media_file).unwrap();
    let secret_file = outside.path().join("secret.txt");
    let secret = "SECRET-7f3a9c-NOT-FOR-VIEWERS";
    std::fs::write(&secret_file, secret).unwrap();
    let s = TestServer::start_with(ServeOptions {
        videos: Videos::RenderWith(ff.clone()),
        retry: fast_retry(1),
        ..Default::default()
    })
    .await;
    let live = go_live(&s, "smuggler", "control", segments.clone()).await;
    send_recording(&s, &live, Some(3)).await;

    let hls = |target: &Path| {
        format!(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nfile://{}\n#EXT-X-ENDLIST\n",
            target.display()
        )
    };
    let concat = |target: &Path| format!("ffconcat version 1.0\nfile '{}'\nfile 'elsewhere.ts'\n", target.display());
    let smuggled = [hls(&media_file), hls(&secret_file), concat(&media_file), concat(&secret_file)];
    for body in &smuggled {
        let receipt = send_segment(&s, &live, &live.segments[3], body.clone().into_bytes()).await;
        assert_eq!(
            (receipt["readable"].as_bool(), receipt["duration_ms"].as_i64()),
            (Some(false), Some(0)),
            "{receipt}"
        );
        assert!(!receipt.to_string().contains(secret), "{receipt}");
    }
    let (_, report) = s.get(&paths::ingest_recording(&live.live_id), &s.service_token).await;
    assert_eq!(report["corrupt"], json!([live.started_at_ms + live.segments[3].offset_ms]), "{report}");
    assert!(!report.to_string().contains(secret), "{report}");
    // A clip over it fails as unreadable: nothing of the other file is rendered or served.
    let id = cut(&s, &live, 10_000).await;
    assert_given_up(&s, &live, &id, 1, "unreadable").await;

    // A playlist that an older intake (which let ffprobe guess) took for readable media: the
    // render worker checks the bytes again and never hands it to ffmpeg.
    let live = go_live(&s, "stored-before", "control", segments).await;
    send_recording(&s, &live, Some(3)).await;
    let start = live.started_at_ms + live.segments[3].offset_ms;
    let key = highlights_server::media::intake::segment_key(&live.live_id, start, "stored-before");
    s.server.state.media.put_bytes(&key, hls(&media_file).as_bytes()).unwrap();
    let probe = highlights_server::store::SegmentProbe { duration_ms: live.segments[3].duration_ms, readable: true };
    s.store().add_segment(live.live_id.clone(), start, probe, key).await.unwrap();
    let id = cut(&s, &live, 10_000).await;
    assert_given_up(&s, &live, &id, 1, "unreadable").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_names_are_drawn_as_written_whatever_they_hold() {
    let Some(ff) = ffmpeg() else { return };
    let work = tempfile::tempdir().unwrap();
    let segments = recording(&ff, work.path()).await;
    let s = TestServer::start_with(ServeOptions { videos: Videos::RenderWith(ff.clone()), ..Default::default() }).await;
    // Text expansion, an expression that fails, the filter graph's quotes, separators and escapes.
    let name = r"%{pts}'a:b'\c %{eif:1/0:d}%{localtime}\";
    let live = go_live_selling(&s, "tricky", "click_now_end_card", segments, name).await;
    send_recording(&s, &live, None).await;
    let id = cut(&s, &live, 6_000).await;
    let h = settled(&s, &live, &id).await;
    assert_eq!((h["status"].as_str(), h["video"]["state"].as_str()), (Some("posted"), Some("ready")), "{h}");
    let file = download(&s, &id, work.path()).await;
    let probe = ff.probe(&file, Container::Mp4).await.unwrap();
    assert!((probe.duration_ms - (CLIP_MS + 2_000)).abs() <= 100, "{} ms", probe.duration_ms);
    let v = probe.stream("video").unwrap();
    assert_eq!((v.codec.as_str(), v.width, v.height), ("h264", Some(720), Some(1280)));
    assert_eq!(probe.stream("audio").map(|a| a.codec.as_str()), Some("aac"));
    // The name is drawn on the card, under CLICK NOW.
    let card = test_pattern::grey_frame(&ff, &file, (CLIP_MS as f64 + 1000.0) / 1000.0).await.unwrap();
    let name_band = &card[(640 * 720) as usize..(710 * 720) as usize];
    assert!(name_band.iter().filter(|&&p| p > 120).count() > 1_000, "the product name is written on the card");
    // As written: `%{pts}` expanded would change the text from one frame to the next.
    let later = test_pattern::grey_frame(&ff, &file, (CLIP_MS as f64 + 1_800.0) / 1000.0).await.unwrap();
    assert!(diff(&card, &later, 640..710) < 0.5, "the name is not expanded: {}", diff(&card, &later, 640..710));
}

/// This process's resident memory, in MiB (the server under test runs in it).
fn rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 =
        status.lines().find_map(|l| l.strip_prefix("VmRSS:")).unwrap().trim().trim_end_matches(" kB").parse().unwrap();
    kb / 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_readers_of_a_large_video_hold_a_chunk_each_and_are_let_go() {
    use highlights_server::serve::ConnectionLimits;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Some(ff) = ffmpeg() else { return };
    let work = tempfile::tempdir().unwrap();
    let segments = recording(&ff, work.path()).await;
    let idle = Duration::from_secs(3);
    let s = TestServer::start_exact(ServeOptions {
        videos: Videos::RenderWith(ff.clone()),
        limits: ConnectionLimits { write_idle_timeout: idle, ..ConnectionLimits::default() },
        ..Default::default()
    })
    .await;
    let live = go_live(&s, "big-video", "control", segments).await;
    send_recording(&s, &live, None).await;
    let id = cut(&s, &live, 0).await;
    assert_eq!(settled(&s, &live, &id).await["status"], "posted");
    // The posted video becomes 64 MiB, as a long clip at a high bitrate would be.
    const SIZE: u64 = 64 << 20;
    let key = s.store().media(id.clone(), None).await.unwrap().video_key;
    let media = s.server.state.media.clone();
    tokio::task::spawn_blocking(move || media.put_bytes(&key, &vec![7u8; SIZE as usize])).await.unwrap().unwrap();
    let url = s.url(&paths::media_video(&id));

    // Ranges, decided by the parser: one range 206, outside the file 416, anything else the whole file.
    let ask = |range: &'static str| s.http.get(&url).header("Range", range).send();
    let part = ask("bytes=0-99").await.unwrap();
    assert_eq!(
        (part.status(), part.headers()["content-range"].to_str().unwrap()),
        (StatusCode::PARTIAL_CONTENT, "bytes 0-99/67108864")
    );
    assert_eq!(part.bytes().await.unwrap().len(), 100);
    assert_eq!(ask("BYTES=10-19").await.unwrap().status(), StatusCode::PARTIAL_CONTENT, "the unit in any case");
    let outside = ask("bytes=99999999-").await.unwrap();
    assert_eq!(outside.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(outside.headers()["content-range"], "bytes */67108864");
    assert_eq!(outside.json::<Value>().await.unwrap()["code"], "range_not_satisfiable");
    for whole in ["bytes=0-1,5-6", "bytes=5-2", "items=0-9"] {
        let r = ask(whole).await.unwrap();
        assert_eq!((r.status(), r.content_length()), (StatusCode::OK, Some(SIZE)), "{whole}");
    }
    let head = s.http.head(&url).send().await.unwrap();
    assert_eq!((head.status(), head.headers()["content-length"].to_str().unwrap()), (StatusCode::OK, "67108864"));

    // 32 clients ask for the whole video and never read it.
    let before = rss_mib();
    let mut readers = Vec::new();
    for _ in 0..32 {
        let mut c = tokio::net::TcpStream::connect(s.server.addr).await.unwrap();
        c.write_all(format!("GET {} HTTP/1.1\r\nHost: t\r\n\r\n", paths::media_video(&id)).as_bytes()).await.unwrap();
        let mut head = [0u8; 512];
        let n = c.read(&mut head).await.unwrap();
        assert!(String::from_utf8_lossy(&head[..n]).starts_with("HTTP/1.1 200"));
        readers.push(c);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let held = rss_mib().saturating_sub(before);
    let (status, _) = s.call(Method::GET, &paths::feed("big-video"), None, None).await;
    assert_eq!(status, StatusCode::OK, "ordinary requests are served meanwhile");
    println!("32 stalled readers of a {} MiB video: RSS {before} MiB -> +{held} MiB", SIZE >> 20);
    assert!(held < 48, "buffered whole, this would be 2 GiB; streamed, a chunk or two each: +{held} MiB");

    // Past the write idle timeout, each is let go: it gets what the buffers held, then the end.
    tokio::time::sleep(idle).await;
    for mut c in readers {
        let mut got = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(20), c.read_to_end(&mut got)).await;
        assert!(read.is_ok(), "a stalled reader is closed");
        assert!((got.len() as u64) < SIZE, "closed before the end: {} bytes", got.len());
    }
}
