//! What the video-first screens read beyond the change feed, through the real server: the sync
//! indicator's loading and never-synced states, media bytes with the token only where it belongs,
//! and storyboards of a rendered clip and of its recording.

use std::io::{BufRead, BufReader, Write};
use std::sync::{Arc, Mutex};

use highlights_core::view::SyncIndicator;
use highlights_core::{StateObserver, ViewState};
use highlights_e2e::{Backend, Device};

/// Keeps every sync indicator the screens were shown, in order.
#[derive(Default)]
struct Shown(Mutex<Vec<SyncIndicator>>);

impl StateObserver for Shown {
    fn on_state(&self, state: &ViewState) {
        self.0.lock().unwrap().push(state.sync.clone());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loading_never_synced_and_offline_are_told_apart() {
    // Nothing listens on this port: the first sync fails.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let d = Device::new("seller-s", &format!("http://{closed}"), "token");
    let shown = Arc::new(Shown::default());
    d.core.subscribe(shown.clone()).unwrap();
    let first = d.core.view().unwrap().sync;
    assert!(!first.attempted && !first.syncing && first.last_updated_ms.is_none(), "before any sync: loading");
    assert!(d.syncer.sync().await.is_err());
    let after = d.core.view().unwrap().sync;
    assert!(after.attempted && !after.syncing && !after.online, "tried and failed: never synced, offline");
    assert!(after.last_updated_ms.is_none());
    let seen = shown.0.lock().unwrap().clone();
    assert!(seen.iter().any(|s| s.syncing && !s.attempted), "the screens saw the first sync running: {seen:?}");

    // Reachable: synced, online, nothing running.
    let b = Backend::start().await;
    let token = b.seller("seller-s").await;
    let d = Device::new("seller-s", &b.url(), &token);
    d.syncer.sync().await.unwrap();
    let s = d.core.view().unwrap().sync;
    assert!(s.attempted && s.online && !s.syncing && s.last_updated_ms.is_some(), "{s:?}");
}

/// A one-request HTTP host that answers `JPEG` and returns the request's lines, lowercased.
fn one_request_host() -> (std::net::SocketAddr, std::thread::JoinHandle<Vec<String>>) {
    let host = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let at = host.local_addr().unwrap();
    let heard = std::thread::spawn(move || {
        let (mut conn, _) = host.accept().unwrap();
        let mut lines = Vec::new();
        let mut reader = BufReader::new(conn.try_clone().unwrap());
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                break;
            }
            lines.push(line.to_ascii_lowercase());
        }
        conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\nJPEG").unwrap();
        lines
    });
    (at, heard)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_carries_the_token_to_the_api_only() {
    let b = Backend::start().await;
    let token = b.seller("seller-m").await;
    let d = Device::new("seller-m", &b.url(), &token);
    // Another host (a CDN): no token.
    let (cdn, heard) = one_request_host();
    assert_eq!(d.syncer.media(&format!("http://{cdn}/thumb.jpg")).await.unwrap(), b"JPEG");
    let headers = heard.join().unwrap();
    assert!(headers.iter().any(|h| h.starts_with("get /thumb.jpg")), "{headers:?}");
    assert!(!headers.iter().any(|h| h.starts_with("authorization")), "no token to another host: {headers:?}");

    // The API's own host: the token goes along.
    let (api, heard) = one_request_host();
    let own = Device::new("seller-m", &format!("http://{api}"), "the-token");
    assert_eq!(own.syncer.media(&format!("http://{api}/v1/media/h/thumbnail.jpg")).await.unwrap(), b"JPEG");
    let headers = heard.join().unwrap();
    assert!(headers.iter().any(|h| h.trim() == "authorization: bearer the-token"), "{headers:?}");

    // Errors are typed: a missing file is the server's 404, a non-HTTP URL is refused unsent.
    let missing = d.syncer.media(&format!("{}/v1/media/hl_nope/thumbnail.jpg", b.url())).await.unwrap_err();
    assert!(matches!(missing, highlights_core::CoreError::Server { status: 404, .. }), "{missing:?}");
    let not_http = d.syncer.media("file:///etc/passwd").await.unwrap_err();
    assert!(matches!(not_http, highlights_core::CoreError::NotAllowed { .. }), "{not_http:?}");
}
