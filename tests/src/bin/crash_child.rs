//! Crash-test child: a seller hammering the app core (actions and syncs) until it is SIGKILLed.
//!
//! Usage: crash_child DB SELLER BASE_URL TOKEN LIVE_ID FIRST_START_MS
//! Prints `ACK <start_ms>` once the core has acknowledged a create-video action (it is in SQLite).

use std::io::Write;
use std::sync::Arc;

use highlights_core::{Event, HighlightsCore, Syncer};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, seller, url, token, live, first] = &args[..] else {
        eprintln!("usage: crash_child DB SELLER BASE_URL TOKEN LIVE_ID FIRST_START_MS");
        std::process::exit(2);
    };
    let first: i64 = first.parse().expect("FIRST_START_MS");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let core = Arc::new(HighlightsCore::open(std::path::Path::new(db), seller).unwrap());
    let tokens = Arc::new(highlights_e2e::Tokens(std::sync::Mutex::new(token.clone())));
    let syncer = Syncer::new(core.clone(), highlights_e2e::fast_config(url), tokens).unwrap();
    let mut out = std::io::stdout().lock();
    for k in 0.. {
        let start_ms = first + k * 1000;
        let event = Event::CreateVideo {
            recording_id: live.clone(),
            start_ms,
            end_ms: start_ms + 15_000,
            product_id: "sku-1".into(),
        };
        match core.dispatch(event) {
            Ok(()) => {
                writeln!(out, "ACK {start_ms}").unwrap();
                out.flush().unwrap();
            }
            Err(e) => eprintln!("refused: {e}"),
        }
        if k % 3 == 0 {
            let _ = rt.block_on(syncer.sync());
        }
        if k % 7 == 0 {
            let _ = core.dispatch(Event::SetToggle { on: k % 2 == 0 });
        }
    }
}
