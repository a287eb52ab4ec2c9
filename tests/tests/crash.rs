//! Crash safety: SIGKILL at random points, then reopen and check.
//!
//! The core: a child process performs seller actions and syncs while being killed; every action it
//! acknowledged must afterwards be delivered exactly once or still be in the outbox, never twice,
//! and the SQLite file must pass `PRAGMA integrity_check`. The server: the same under ingestion,
//! where every acknowledged batch must be stored exactly once.
//!
//! `CRASH_KILLS` sets the number of kills (default: a fast slice for CI; the full run uses 1000).

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use highlights_e2e::{Backend, Device, client};
use highlights_engine::sim::{StreamSpec, generate};
use highlights_server::store::TokenLifetime;
use serde_json::json;

const T0: i64 = 1_793_491_200_000;
const LIVE: &str = "crash-live";

fn kills(default: usize) -> usize {
    std::env::var("CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn integrity_ok(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok", "{}", path.display());
}

/// What the app acknowledged, by kind, as the child printed it.
#[derive(Default)]
struct Acked {
    creates: HashSet<i64>,
    posts: HashSet<String>,
    removes: HashSet<String>,
    popup_shown: usize,
    /// Pop-up shows tried but not acknowledged before the kill: maybe committed, maybe not.
    popup_uncertain: usize,
    /// Dismissal times and toggle values in the order acknowledged.
    dismissals: Vec<i64>,
    toggles: Vec<bool>,
    onboarding: usize,
    /// The toggle as the last acknowledged toggle or onboarding left it.
    last_on: Option<bool>,
    /// Toggle flips tried since that acknowledgement, cut short by a kill: maybe committed (and so
    /// delivered later), maybe not.
    toggles_uncertain: Vec<bool>,
}

impl Acked {
    /// Records one `ACK …` line; false for anything else.
    fn note(&mut self, line: &str) -> bool {
        if line == "TRY popup_shown" {
            self.popup_uncertain += 1;
            return false;
        }
        if let Some(on) = line.strip_prefix("TRY toggle ") {
            self.toggles_uncertain.push(on == "true");
            return false;
        }
        let Some(rest) = line.strip_prefix("ACK ") else { return false };
        let (kind, arg) = rest.split_once(' ').unwrap_or((rest, ""));
        match kind {
            "create" => self.creates.insert(arg.parse().unwrap()),
            "post" => self.posts.insert(arg.to_string()),
            "remove" => self.removes.insert(arg.to_string()),
            "popup_shown" => {
                self.popup_shown += 1;
                self.popup_uncertain -= 1;
                true
            }
            "popup_dismissed" => {
                self.dismissals.push(arg.parse().unwrap());
                true
            }
            "toggle" => {
                self.toggles.push(arg == "true");
                self.last_on = Some(arg == "true");
                self.toggles_uncertain.clear();
                true
            }
            "onboarding" => {
                self.onboarding += 1;
                self.last_on = Some(true);
                self.toggles_uncertain.clear();
                true
            }
            other => panic!("unknown acknowledgement {other}"),
        }
    }

    fn by_kind(&self) -> [(&'static str, usize); 7] {
        [
            ("toggle", self.toggles.len()),
            ("onboarding", self.onboarding),
            ("pop-up shown", self.popup_shown),
            ("pop-up closed", self.dismissals.len()),
            ("create video", self.creates.len()),
            ("post recommendation", self.posts.len()),
            ("remove highlight", self.removes.len()),
        ]
    }
}

/// The seller's highlights on the server, every LIVE: id → (kind, status, start_ms).
async fn server_highlights(b: &Backend, token: &str) -> Vec<(String, String, String, i64)> {
    let lives: serde_json::Value = b.get_json("/v1/lives?limit=100", token).await;
    let mut all = Vec::new();
    for live in lives["lives"].as_array().unwrap() {
        for h in b.highlights(token, live["id"].as_str().unwrap()).await {
            all.push((
                h["id"].as_str().unwrap().to_string(),
                h["kind"].as_str().unwrap().to_string(),
                h["status"].as_str().unwrap().to_string(),
                h["start_ms"].as_i64().unwrap(),
            ));
        }
    }
    all
}

/// The actions still queued in the app's outbox, as their JSON.
fn queued(path: &std::path::Path) -> Vec<serde_json::Value> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare("SELECT op FROM outbox").unwrap();
    let ops: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    ops.iter().map(|op| serde_json::from_str(op).unwrap()).collect()
}

/// Every acknowledged action is on the server or still queued, and nothing arrived twice.
/// Returns (lost, duplicated).
async fn check_delivery(b: &Backend, token: &str, db: &std::path::Path, acked: &Acked) -> (usize, usize) {
    let server = server_highlights(b, token).await;
    let queue = queued(db);
    let queued_with =
        |ty: &str, field: &str, value: serde_json::Value| queue.iter().any(|a| a["type"] == ty && a[field] == value);
    let mut manual: HashMap<i64, usize> = HashMap::new();
    for (_, kind, _, start) in &server {
        if kind == "manual" {
            *manual.entry(*start).or_default() += 1;
        }
    }
    let status = |id: &str| server.iter().find(|h| h.0 == id).map(|h| h.2.clone());
    let mut lost = 0;
    let mut duplicated = manual.values().filter(|n| **n > 1).count();
    for start in &acked.creates {
        lost += usize::from(!manual.contains_key(start) && !queued_with("create_video", "start_ms", json!(start)));
    }
    for id in &acked.posts {
        lost += usize::from(
            status(id).as_deref() != Some("posted") && !queued_with("post_recommendation", "highlight_id", json!(id)),
        );
    }
    for id in &acked.removes {
        lost += usize::from(
            status(id).as_deref() != Some("removed") && !queued_with("remove_highlight", "highlight_id", json!(id)),
        );
    }
    let settings: serde_json::Value = b.get_json("/v1/settings", token).await;
    let shown_on_server = settings["popup_shows"].as_u64().unwrap() as usize;
    let shown_queued = queue.iter().filter(|a| a["type"] == "popup_shown").count();
    // A show may be both on the server and still queued (delivered, then killed before the app
    // noted it): the same key replays, so only the server's count can show a duplicate.
    duplicated += shown_on_server.saturating_sub(acked.popup_shown + acked.popup_uncertain);
    lost += acked.popup_shown.saturating_sub(shown_on_server + shown_queued);
    if duplicated > 0 {
        let twice: Vec<_> = manual.iter().filter(|(_, n)| **n > 1).collect();
        eprintln!(
            "duplicated: videos {twice:?}; pop-up shows on the server {shown_on_server}, queued {shown_queued}, \
             acknowledged {}, cut short {}",
            acked.popup_shown, acked.popup_uncertain
        );
    }
    (lost, duplicated)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_core_survives_sigkill_at_random_points() {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    // Non-default limits, a pop-up that may show again and again, and the seller in its arm.
    let cfg = highlights_api::RemoteConfig {
        max_posts_per_live: 7,
        max_posts_per_product: 2,
        post_delay_s: 90,
        popup_cooldown_s: 0,
        popup_max_shows: 1_000_000,
        ..Default::default()
    };
    b.store().set_config(cfg).await.unwrap();
    b.store().pin_experiments("seller-a".into(), Some(true), None).await.unwrap();
    // On without onboarding (as sellers who enabled it before onboarding existed): the engine
    // finds highlights to post and take down, and the app still has onboarding to go through.
    let on = client()
        .patch(format!("{}/v1/settings", b.url()))
        .bearer_auth(&token)
        .json(&json!({"highlights_on": true}))
        .send()
        .await
        .unwrap();
    assert!(on.status().is_success());
    b.ingest(
        "seller-a",
        vec![
            json!({"ts_ms": T0, "live_id": LIVE, "type": "live_start"}),
            json!({"ts_ms": T0 + 1000, "live_id": LIVE, "type": "product_pin", "product_id": "sku-1"}),
            json!({"ts_ms": T0 + 86_400_000, "live_id": LIVE, "type": "live_end"}),
        ],
    )
    .await;
    for i in 0..8u64 {
        let mut spec = StreamSpec::new(&format!("crash-moments-{i}"), T0 + 100_000_000 + i as i64 * 3_600_000, 70 + i);
        spec.viewers = 800.0;
        spec.duration_s = 15 * 60;
        let events = generate(&spec.plant_random(9)).iter().map(|e| e.to_json()).collect();
        b.ingest("seller-a", events).await;
    }
    let device = Device::new("seller-a", &b.url(), &token);
    device.syncer.sync().await.unwrap();
    let db = device.db_path();
    let kills = kills(30);
    let mut acked = Acked::default();
    let (mut lost, mut duplicated) = (0, 0);
    for round in 0..kills {
        // Each run cuts its videos from its own stretch of the day-long recording.
        let first = T0 + 10_000 + round as i64 * 60_000;
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash_child"))
            .args([db.to_str().unwrap(), "seller-a", &b.url(), &token, LIVE, &first.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (first_ack, acked_once) = std::sync::mpsc::channel::<()>();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("ACK ") {
                    let _ = first_ack.send(());
                }
                lines.push(line);
            }
            lines
        });
        let stderr = child.stderr.take().unwrap();
        let errors = std::thread::spawn(move || {
            BufReader::new(stderr).lines().map_while(Result::ok).filter(|l| l.contains("refused")).collect::<Vec<_>>()
        });
        // Killed at a random point once it is working (starting a process can be slow on a busy
        // machine), so every round has acknowledged something.
        let _ = tokio::task::spawn_blocking(move || acked_once.recv_timeout(Duration::from_secs(30))).await;
        tokio::time::sleep(Duration::from_millis(fastrand::u64(0..220))).await;
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        let refused = errors.join().unwrap();
        assert!(refused.is_empty(), "round {round}: the app refused an action: {refused:?}");
        let acks = lines.iter().filter(|l| acked.note(l)).count();
        assert!(acks > 0, "round {round}: the child acknowledged nothing before it was killed");
        integrity_ok(&db);
        let (l, d) = check_delivery(&b, &token, &db, &acked).await;
        (lost, duplicated) = (lost.max(l), duplicated.max(d));
        assert_eq!((l, d), (0, 0), "round {round}: lost or duplicated after a kill");
    }
    // Drain what is still queued; then everything acknowledged is on the server exactly once.
    let device = device.restart("seller-a", &b.url());
    for _ in 0..5 {
        let _ = device.syncer.sync().await;
    }
    let view = device.core.view().unwrap();
    assert_eq!(view.sync.pending_actions, 0);
    assert!(view.notice.is_none(), "no action was refused: {:?}", view.notice);
    let (l, d) = check_delivery(&b, &token, &db, &acked).await;
    assert_eq!((l, d), (0, 0), "after draining");
    assert!(queued(&db).is_empty());
    let settings: serde_json::Value = b.get_json("/v1/settings", &token).await;
    let shows = settings["popup_shows"].as_u64().unwrap() as usize;
    assert!(
        (acked.popup_shown..=acked.popup_shown + acked.popup_uncertain).contains(&shows),
        "each pop-up show counted once: {shows} on the server, {} acknowledged, {} cut short by a kill",
        acked.popup_shown,
        acked.popup_uncertain
    );
    // The last acknowledged flip wins, unless a later one was committed just before a kill.
    let on = settings["highlights_on"].as_bool().unwrap();
    let last = acked.last_on.unwrap_or(true);
    assert!(
        on == last || acked.toggles_uncertain.contains(&on),
        "the last toggle won: {on} on the server, {last} acknowledged last, {:?} cut short since",
        acked.toggles_uncertain
    );
    assert_eq!(settings["onboarding_completed"], true);
    // Stored on the server's clock: the device time moved by the measured offset (±1 s).
    let (on_server, last) =
        (settings["popup_dismissed_at_ms"].as_i64().unwrap(), *acked.dismissals.iter().max().unwrap());
    assert!((on_server - last).abs() <= 2_000, "the last dismissal is the one kept: {on_server} vs {last}");
    let kinds = acked.by_kind();
    for (kind, n) in kinds {
        assert!(n > 0, "no {kind} was acknowledged in the whole run");
    }
    let total: usize = kinds.iter().map(|(_, n)| n).sum();
    let detail: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!(
        "core crash test: {kills} kills, {total} acknowledged actions ({}); lost {lost}, duplicated {duplicated}",
        detail.join(", ")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_survives_sigkill_under_ingestion() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let url = format!("http://{addr}");
    let db = highlights_server::serve::db_path(dir.path());
    let spawn = || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_server_child"))
            .args([&addr, dir.path().to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "READY");
        child
    };
    let mut server = spawn();
    let (service, _seller) = {
        // The same file the child serves from, opened the one way the server opens it.
        use highlights_server::Store;
        let store = highlights_server::SqliteStore::open(&db).await.unwrap();
        let seller = store.create_seller("seller-a".into(), String::new(), TokenLifetime::SELLER).await.unwrap();
        (store.service_token(TokenLifetime::SERVICE).await.unwrap(), seller)
    };
    let http = client();
    let kills = kills(10);
    let batch = |n: usize| {
        // Each batch carries its number in every event, so a batch stored twice or in part shows.
        let events: Vec<_> = (0..200)
            .map(|i| json!({"ts_ms": T0 + (n * 200 + i) as i64 * 10, "live_id": "srv-live", "type": "comment", "text": format!("b{n}")}))
            .collect();
        json!({"seller_id": "seller-a", "events": events})
    };
    let send = |n: usize| {
        let http = http.clone();
        let (url, service, body) = (url.clone(), service.clone(), batch(n));
        async move {
            let sent = http
                .post(format!("{url}/v1/ingest/events"))
                .bearer_auth(&service)
                .header("Idempotency-Key", format!("batch-{n}"))
                .json(&body)
                .timeout(Duration::from_secs(5))
                .send()
                .await;
            matches!(&sent, Ok(r) if r.status().is_success())
        }
    };
    let mut acked_batches: Vec<usize> = Vec::new();
    // Batches whose answer was lost: the recorder sends them again, with the same key.
    let mut unanswered: Vec<usize> = Vec::new();
    let (mut batch_no, mut resent) = (0usize, 0usize);
    for round in 0..kills {
        // The kill comes while batches are in flight (once this run acknowledged one: a restarted
        // server first rebuilds its detectors), so some answers are lost.
        let mut victim = server;
        let (first_ack, acked_once) = std::sync::mpsc::channel::<()>();
        let killer = std::thread::spawn(move || {
            let _ = acked_once.recv();
            std::thread::sleep(Duration::from_millis(fastrand::u64(0..150)));
            victim.kill().unwrap(); // SIGKILL on Unix
            victim.wait().unwrap();
        });
        let acked_before = acked_batches.len();
        // Until this round's first answer the server cannot have been killed: an unanswered batch
        // then means a slow start (a busy machine, detectors rebuilding), so it is sent again.
        // After that, an unanswered batch means the kill came: the round ends.
        let mut up = true;
        let give_up = std::time::Instant::now() + Duration::from_secs(120);
        while up {
            let (n, again) = match unanswered.pop() {
                Some(n) => (n, true),
                None => {
                    batch_no += 1;
                    (batch_no - 1, false)
                }
            };
            resent += usize::from(again);
            if send(n).await {
                acked_batches.push(n);
                let _ = first_ack.send(());
            } else {
                unanswered.push(n);
                if acked_batches.len() > acked_before {
                    up = false;
                } else {
                    assert!(
                        std::time::Instant::now() < give_up,
                        "round {round}: the server answered nothing for 2 minutes"
                    );
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        // Never leave the killer waiting for an answer that will not come.
        drop(first_ack);
        killer.join().unwrap();
        assert!(acked_batches.len() > acked_before, "round {round}: no batch acknowledged before the kill");
        integrity_ok(&db);
        server = spawn();
    }
    server.kill().unwrap();
    server.wait().unwrap();
    server = spawn();
    while let Some(n) = unanswered.pop() {
        resent += 1;
        assert!(send(n).await, "a re-sent batch is answered once the server is up");
        acked_batches.push(n);
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut stmt = conn.prepare("SELECT json FROM events WHERE live_id = 'srv-live'").unwrap();
    let mut per_batch: HashMap<String, usize> = HashMap::new();
    for json in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
        let v: serde_json::Value = serde_json::from_str(&json.unwrap()).unwrap();
        *per_batch.entry(v["text"].as_str().unwrap().to_string()).or_insert(0) += 1;
    }
    let partial_or_twice = per_batch.values().filter(|n| **n != 200).count();
    let lost = acked_batches.iter().filter(|b| !per_batch.contains_key(&format!("b{b}"))).count();
    println!(
        "server crash test: {kills} kills, {} acknowledged batches ({resent} re-sent after a lost answer); \
         lost {lost}, stored in part or twice {partial_or_twice}",
        acked_batches.len()
    );
    assert_eq!((lost, partial_or_twice), (0, 0));
    assert_eq!(acked_batches.len(), batch_no, "every batch was acknowledged in the end");
    assert!(resent > 0, "some answers were lost and their batches sent again: exactly-once was tested");
}
