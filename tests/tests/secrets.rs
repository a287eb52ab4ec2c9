//! The auth token never reaches SQLite files, logs or error messages: a test that searches for it.

use std::io::Write;
use std::sync::{Arc, Mutex};

use highlights_core::Event;
use highlights_e2e::proxy::{Fault, FaultProxy};
use highlights_e2e::{Backend, Device};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(files_under(&p)) } else { out.push(p) }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_never_stored_logged_or_echoed() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    b.ingest(
        "seller-a",
        vec![serde_json::json!({"ts_ms": 1_793_491_200_000i64, "live_id": "l1", "type": "live_start"})],
    )
    .await;
    let proxy = FaultProxy::start(b.url()).await;
    let d = Device::new("seller-a", &proxy.url(), &token);
    let mut errors = Vec::new();
    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::SetToggle { on: true }).unwrap();
    d.core.dispatch(Event::ConfirmOnboarding).unwrap();
    for fault in [Fault::Status(500), Fault::Status(401), Fault::Reset, Fault::InvalidJson, Fault::TooMany(0)] {
        proxy.plan([fault]);
        if let Err(e) = d.syncer.sync().await {
            errors.push(format!("{e} {e:?}"));
        }
    }
    // A token the server refuses, so the auth error path runs too.
    *d.tokens.0.lock().unwrap() = format!("{token}x");
    if let Err(e) = d.syncer.sync().await {
        errors.push(format!("{e} {e:?}"));
    }
    *d.tokens.0.lock().unwrap() = token.clone();
    d.syncer.sync().await.unwrap();

    let needle = token.as_bytes();
    assert!(needle.len() > 32);
    let logs = logs.0.lock().unwrap().clone();
    assert!(logs.len() > 1_000, "tracing captured too little to mean anything ({} bytes)", logs.len());
    assert!(!logs.windows(needle.len()).any(|w| w == needle), "the token is in the logs");
    for e in &errors {
        assert!(!e.contains(&token), "the token is in an error: {e}");
    }
    let mut files = files_under(d.dir.path());
    files.extend(files_under(b.dir.path()));
    assert!(files.iter().any(|f| f.to_string_lossy().ends_with(".db")));
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle), "the token is in {}", f.display());
    }
}
