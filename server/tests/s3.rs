//! The media store on a real S3-compatible server (s3s-fs, installed by `scripts/s3-test.sh`):
//! the store's contract (whole-object writes, sizes, ranges, copies, deletes, refused keys), then
//! the loop on it: segments in, a clip rendered by ffmpeg, served in ranges, ffprobed, removed
//! and cleaned up, with nothing the API names missing from the bucket.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::TestServer;
use highlights_api::paths;
use highlights_server::media::test_pattern::{self, PatternSegment};
use highlights_server::media::{Cleaner, MediaError, MediaStore, Retention, S3Config, S3MediaStore};
use highlights_server::serve::{ServeOptions, Videos};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A running s3s-fs on a free loopback port, killed when dropped.
struct S3Server {
    child: Child,
    endpoint: String,
    _root: tempfile::TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The s3s-fs binary: `HIGHLIGHTS_S3S_FS`, or where `scripts/s3-test.sh` installs it.
fn s3s_fs() -> Option<PathBuf> {
    let installed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/tools/bin/s3s-fs");
    Some(std::env::var_os("HIGHLIGHTS_S3S_FS").map_or(installed, PathBuf::from)).filter(|p| p.is_file())
}

fn start() -> S3Server {
    let bin = s3s_fs().expect("s3s-fs: scripts/s3-test.sh installs it in target/tools, or set HIGHLIGHTS_S3S_FS");
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let root = tempfile::tempdir().unwrap();
    let child = Command::new(bin)
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--access-key", "AKTEST", "--secret-key", "SKTEST"])
        .arg(root.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = S3Server { child, endpoint: format!("http://127.0.0.1:{port}"), _root: root };
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("s3s-fs did not listen on {port}");
}

fn config(endpoint: &str, bucket: &str, secret: &str) -> S3Config {
    S3Config {
        endpoint: endpoint.into(),
        bucket: bucket.into(),
        region: "us-east-1".into(),
        access_key: "AKTEST".into(),
        secret_key: secret.into(),
        session_token: None,
        path_style: true,
    }
}

fn store(endpoint: &str, bucket: &str) -> S3MediaStore {
    let store = S3MediaStore::new(&config(endpoint, bucket, "SKTEST")).unwrap();
    store.ensure_bucket().unwrap();
    store.ensure_bucket().unwrap();
    store
}

fn read(store: &S3MediaStore, key: &str, offset: u64, len: u64) -> Vec<u8> {
    let mut out = Vec::new();
    store.open_range(key, offset, len).unwrap().read_to_end(&mut out).unwrap();
    out
}

#[test]
#[ignore = "needs s3s-fs: run by scripts/s3-test.sh"]
fn the_store_keeps_whole_objects_serves_ranges_and_deletes() {
    let s3 = start();
    let store = store(&s3.endpoint, "contract");
    for bad in ["", "../x", "a/../../x", "/etc/passwd", "a//b", "a b"] {
        assert!(matches!(store.put_bytes(bad, b"x"), Err(MediaError::InvalidKey(_))), "{bad:?}");
    }
    store.put_bytes("videos/a.mp4", b"first version").unwrap();
    store.put_bytes("videos/a.mp4", b"second").unwrap();
    assert_eq!(store.size("videos/a.mp4").unwrap(), 6);
    assert_eq!(read(&store, "videos/a.mp4", 2, 3), b"con");
    assert_eq!(read(&store, "videos/a.mp4", 0, 0), b"");
    // A file larger than one read, streamed up and read back in a range from its middle.
    let dir = tempfile::tempdir().unwrap();
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.path().join("big"), &big).unwrap();
    store.put_file("recordings/r/1.seg", &dir.path().join("big")).map_err(|e| format!("{e:?}")).unwrap();
    assert_eq!(store.size("recordings/r/1.seg").unwrap(), big.len() as u64);
    assert_eq!(read(&store, "recordings/r/1.seg", 1_234_567, 100_000), &big[1_234_567..1_334_567]);
    store.fetch("recordings/r/1.seg", &dir.path().join("copy")).unwrap();
    assert_eq!(std::fs::read(dir.path().join("copy")).unwrap(), big);
    // Deleting is idempotent; what is gone is Missing, never an I/O error.
    store.delete("videos/a.mp4").unwrap();
    store.delete("videos/a.mp4").unwrap();
    assert!(matches!(store.size("videos/a.mp4"), Err(MediaError::Missing(_))));
    assert!(matches!(store.open_range("videos/a.mp4", 0, 1).err(), Some(MediaError::Missing(_))));
    assert!(matches!(store.fetch("videos/a.mp4", &dir.path().join("x")), Err(MediaError::Missing(_))));
    // Wrong keys: refused by the server, a clear error, nothing written.
    let wrong = S3MediaStore::new(&config(&s3.endpoint, "contract", "wrong")).unwrap();
    let refused = format!("{:?}", wrong.put_bytes("videos/b.mp4", b"x").unwrap_err());
    assert!(refused.contains("403"), "{refused}");
    assert!(matches!(store.size("videos/b.mp4"), Err(MediaError::Missing(_))));
    assert!(wrong.ensure_bucket().is_err(), "a bucket it may not reach is an error at start");
    // Keys belong in the environment, never in a URL that may be logged.
    let in_url = config("http://AKTEST:SKTEST@127.0.0.1:9", "contract", "SKTEST");
    assert!(S3MediaStore::new(&in_url).is_err());
    // Unreachable: the errors (which reach logs and job rows) carry no signed URL.
    let dead = S3MediaStore::new(&config("http://127.0.0.1:9", "contract", "SKTEST")).unwrap();
    let errors = format!(
        "{:?} {:?} {:?}",
        dead.size("videos/a.mp4").unwrap_err(),
        dead.put_bytes("videos/a.mp4", b"x").unwrap_err(),
        dead.open_range("videos/a.mp4", 0, 1).err()
    );
    assert!(errors.contains("Connect") || errors.contains("connect"), "{errors}");
    assert!(!errors.contains("X-Amz-Signature") && !errors.contains("AKTEST"), "{errors}");
}

const CLIP_MS: i64 = 12_000;

async fn go_live(s: &TestServer, seller: &str) -> (String, String, i64) {
    let token = s.seller(seller).await;
    let patch = json!({ "highlights_on": true, "onboarding_completed": true });
    assert_eq!(s.call(Method::PATCH, paths::SETTINGS, Some(&token), Some(patch)).await.0, StatusCode::OK);
    let live_id = format!("live-{seller}");
    let started = highlights_server::clock::now_ms() - 60_000;
    let events = json!([
        { "ts_ms": started, "live_id": live_id, "type": "live_start", "title": "Spring sale" },
        { "ts_ms": started + 100, "live_id": live_id, "type": "product_pin", "product_id": "p1", "name": "Shirt" },
    ]);
    assert_eq!(s.ingest(seller, events).await.0, StatusCode::OK);
    (token, live_id, started)
}

async fn send(s: &TestServer, live_id: &str, started: i64, segments: &[PatternSegment]) {
    for seg in segments {
        let url = s.url(&paths::ingest_segment(live_id, started + seg.offset_ms));
        let body = std::fs::read(&seg.path).unwrap();
        let resp = s.http.put(url).bearer_auth(&s.service_token).body(body).send().await.unwrap();
        let status = resp.status();
        let receipt: Value = resp.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{receipt}");
        assert_eq!(receipt["readable"], true, "{receipt}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs s3s-fs: run by scripts/s3-test.sh"]
async fn a_clip_is_made_served_and_cleaned_up_on_the_object_store() {
    let s3 = start();
    let Some(ff) = common::ffmpeg_for("s3 suite") else { return };
    let work = tempfile::tempdir().unwrap();
    let segments = test_pattern::generate(&ff, work.path(), 30, 10, test_pattern::SOURCE_FPS).await.unwrap();
    let endpoint = s3.endpoint.clone();
    let media: Arc<S3MediaStore> =
        Arc::new(tokio::task::spawn_blocking(move || store(&endpoint, "media")).await.unwrap());
    let s = TestServer::start_with(ServeOptions {
        videos: Videos::RenderWith(ff.clone()),
        media: Some(media.clone()),
        retention: Retention { every: Duration::from_secs(86_400), ..Retention::default() },
        ..Default::default()
    })
    .await;
    let (token, live_id, started) = go_live(&s, "cloud").await;
    send(&s, &live_id, started, &segments).await;

    let start = started + 6_000;
    let body = json!({ "live_id": live_id, "start_ms": start, "end_ms": start + CLIP_MS, "product_id": "p1" });
    let resp = s
        .http
        .post(s.url(paths::VIDEOS))
        .bearer_auth(&token)
        .header(highlights_api::IDEMPOTENCY_KEY_HEADER, "cut-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let id = resp.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let mut h = Value::Null;
    for _ in 0..600 {
        let (_, list) = s.get(&paths::live_highlights(&live_id), &token).await;
        h = list["highlights"].as_array().unwrap().iter().find(|h| h["id"] == id.as_str()).cloned().unwrap();
        if h["video"]["state"] != "rendering" && h["status"] != "scheduled" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!((h["status"].as_str(), h["video"]["state"].as_str()), (Some("posted"), Some("ready")), "{h}");

    // Served from the bucket in ranges: the whole MP4 reassembled is what ffprobe reads as 14 s
    // (the clip and its end card).
    let key = s.store().media(id.clone(), None).await.unwrap().video_key;
    let (m, k) = (media.clone(), key.clone());
    let size = tokio::task::spawn_blocking(move || m.size(&k)).await.unwrap().unwrap();
    let mut whole = Vec::new();
    for first in (0..size).step_by(256 * 1024) {
        let last = (first + 256 * 1024 - 1).min(size - 1);
        let resp = s
            .http
            .get(s.url(&paths::media_video(&id)))
            .header(reqwest::header::RANGE, format!("bytes={first}-{last}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
        whole.extend_from_slice(&resp.bytes().await.unwrap());
    }
    assert_eq!(whole.len() as u64, size);
    let mp4 = work.path().join("clip.mp4");
    std::fs::write(&mp4, &whole).unwrap();
    let probe = ff.probe(&mp4, highlights_server::media::Container::Mp4).await.unwrap();
    assert!((probe.duration_ms - (CLIP_MS + 2_000)).abs() <= 300, "{}", probe.duration_ms);

    // Removed, past its grace, cleaned up: out of the bucket, and no route names it.
    let (status, _) = s.call(Method::DELETE, &paths::highlight(&id), Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    let cleaner =
        Cleaner::new(s.store(), media.clone(), Retention { removed_videos: Duration::ZERO, ..Retention::default() });
    let swept = cleaner.pass().await.unwrap();
    assert_eq!((swept.videos, swept.failed), (1, 0), "{swept:?}");
    assert!(swept.deleted >= 3, "video, thumbnail, storyboard at least: {swept:?}");
    let m = media.clone();
    let gone = tokio::task::spawn_blocking(move || m.size(&key)).await.unwrap();
    assert!(matches!(gone, Err(MediaError::Missing(_))), "{gone:?}");
    let resp = s.http.get(s.url(&paths::media_video(&id))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}
