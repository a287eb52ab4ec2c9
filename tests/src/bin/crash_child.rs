//! Crash-test child: a seller doing every kind of thing in the app (toggle, onboarding, pre-LIVE
//! pop-up, cutting videos, posting recommendations, taking highlights down) and syncing, until it
//! is SIGKILLed. Every action it performs is valid: nothing is refused.
//!
//! Usage: crash_child DB SELLER BASE_URL TOKEN LIVE_ID FIRST_START_MS
//!
//! Prints one line per action the core acknowledged (queued in SQLite), for the parent to check:
//! `ACK toggle <on>`, `ACK onboarding`, `ACK popup_shown`, `ACK popup_dismissed <at_ms>`,
//! `ACK create <start_ms>`, `ACK post <highlight_id>`, `ACK remove <highlight_id>`; and
//! `TRY popup_shown` before tapping the shopping bag and `TRY toggle <on>` before flipping the
//! toggle, since a kill between the commit and the `ACK` still delivers the action.

use std::io::Write;
use std::sync::Arc;

use highlights_core::{Event, HighlightsCore, Syncer};
use rusqlite::Connection;

/// Videos cut per run at most, so the parent can give every run its own stretch of the recording.
const CREATES_PER_RUN: i64 = 50;

/// Highlight ids already in the outbox, so the same one is not posted or removed twice.
fn queued_highlights(db: &Connection) -> Vec<String> {
    let mut stmt = db.prepare("SELECT op FROM outbox").unwrap();
    let ops: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    ops.iter()
        .filter_map(|op| serde_json::from_str::<serde_json::Value>(op).ok())
        .filter_map(|v| v["highlight_id"].as_str().map(str::to_string))
        .collect()
}

/// A cached highlight of `kind` in one of `statuses` with no change on its way.
fn candidate(db: &Connection, seller: &str, kind: &str, statuses: &[&str]) -> Option<String> {
    let busy = queued_highlights(db);
    let mut stmt =
        db.prepare("SELECT id, status FROM highlights WHERE seller_id = ?1 AND kind = ?2 ORDER BY id").unwrap();
    let rows: Vec<(String, String)> =
        stmt.query_map([seller, kind], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    rows.into_iter().find(|(id, status)| statuses.contains(&status.as_str()) && !busy.contains(id)).map(|(id, _)| id)
}

/// When the newest queued pop-up dismissal happened.
fn last_dismissal(db: &Connection) -> i64 {
    let mut stmt = db.prepare("SELECT op FROM outbox ORDER BY id DESC").unwrap();
    let ops: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    ops.iter()
        .filter_map(|op| serde_json::from_str::<serde_json::Value>(op).ok())
        .find(|v| v["type"] == "popup_dismissed")
        .and_then(|v| v["at_ms"].as_i64())
        .expect("the dismissal just queued")
}

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
    let cache = Connection::open(db).unwrap();
    cache.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let mut out = std::io::stdout().lock();
    let mut ack = |line: String| {
        writeln!(out, "ACK {line}").unwrap();
        out.flush().unwrap();
    };
    let pending = || core.view().unwrap().sync.pending_actions;
    // Every action must be accepted: a refusal means the test drove the app wrongly.
    let dispatch = |e: Event| core.dispatch(e).unwrap_or_else(|err| panic!("refused: {err}"));
    let mut creates = 0;
    for k in 0u64.. {
        let before = pending();
        match k % 5 {
            0 if creates < CREATES_PER_RUN => {
                let start_ms = first + creates * 1000;
                creates += 1;
                dispatch(Event::CreateVideo {
                    recording_id: live.clone(),
                    start_ms,
                    end_ms: start_ms + 15_000,
                    product_id: "sku-1".into(),
                });
                ack(format!("create {start_ms}"));
            }
            1 => {
                let on = core.view().unwrap().highlights.on;
                println!("TRY toggle {}", !on);
                dispatch(Event::SetToggle { on: !on });
                if core.view().unwrap().onboarding.is_some() {
                    // First turn-on: through the onboarding overlay.
                    dispatch(Event::ConfirmOnboarding);
                    ack("onboarding".into());
                } else {
                    assert!(pending() > before, "a toggle flip is queued");
                    ack(format!("toggle {}", !on));
                }
            }
            2 if !core.view().unwrap().highlights.on => {
                // A kill between the commit and the ACK leaves a show the parent cannot see; this
                // line lets it tell such a show from one delivered twice.
                println!("TRY popup_shown");
                dispatch(Event::ShoppingBagTapped);
                if core.view().unwrap().popup.is_some() {
                    ack("popup_shown".into());
                    dispatch(Event::PopupDismiss);
                    ack(format!("popup_dismissed {}", last_dismissal(&cache)));
                }
            }
            3 => {
                if let Some(id) = candidate(&cache, seller, "recommendation", &["suggested"]) {
                    dispatch(Event::PostRecommendation { highlight_id: id.clone() });
                    ack(format!("post {id}"));
                }
            }
            4 => {
                if let Some(id) = candidate(&cache, seller, "auto", &["scheduled", "posted"]) {
                    dispatch(Event::RemoveHighlight { highlight_id: id.clone() });
                    ack(format!("remove {id}"));
                }
            }
            _ => {}
        }
        if k % 4 == 3 {
            let _ = rt.block_on(syncer.sync());
        }
    }
}
