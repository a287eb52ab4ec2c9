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

/// Start times of the seller-made videos on the server, with how often each exists.
async fn server_videos(b: &Backend, token: &str) -> HashMap<i64, usize> {
    let list: serde_json::Value = b.get_json(&format!("/v1/lives/{LIVE}/highlights"), token).await;
    let mut seen = HashMap::new();
    for h in list["highlights"].as_array().unwrap() {
        if h["kind"] == "manual" {
            *seen.entry(h["start_ms"].as_i64().unwrap()).or_insert(0) += 1;
        }
    }
    seen
}

/// Start times of the create-video actions still queued in the app's outbox.
fn queued(path: &std::path::Path) -> HashSet<i64> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare("SELECT op FROM outbox").unwrap();
    let ops: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    ops.iter()
        .filter_map(|op| serde_json::from_str::<serde_json::Value>(op).ok())
        .filter(|v| v["type"] == "create_video")
        .map(|v| v["start_ms"].as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_core_survives_sigkill_at_random_points() {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    b.ingest(
        "seller-a",
        vec![
            json!({"ts_ms": T0, "live_id": LIVE, "type": "live_start"}),
            json!({"ts_ms": T0 + 1000, "live_id": LIVE, "type": "product_pin", "product_id": "sku-1"}),
            json!({"ts_ms": T0 + 86_400_000, "live_id": LIVE, "type": "live_end"}),
        ],
    )
    .await;
    let device = Device::new("seller-a", &b.url(), &token);
    device.syncer.sync().await.unwrap();
    let db = device.db_path();
    let kills = kills(30);
    let mut acked: HashSet<i64> = HashSet::new();
    for round in 0..kills {
        let first = T0 + 2_000 + round as i64 * 200_000;
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash_child"))
            .args([db.to_str().unwrap(), "seller-a", &b.url(), &token, LIVE, &first.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("ACK ").and_then(|n| n.parse::<i64>().ok()))
                .collect::<Vec<_>>()
        });
        tokio::time::sleep(Duration::from_millis(fastrand::u64(5..120))).await;
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        acked.extend(reader.join().unwrap());
        integrity_ok(&db);
        if round % 10 == 9 || round + 1 == kills {
            let on_server = server_videos(&b, &token).await;
            let waiting = queued(&db);
            assert!(on_server.values().all(|n| *n == 1), "a video was created twice");
            for a in &acked {
                assert!(on_server.contains_key(a) || waiting.contains(a), "acknowledged action {a} lost");
            }
        }
    }
    // Drain what is still queued; then everything acknowledged is on the server exactly once.
    let device = device.restart("seller-a", &b.url());
    for _ in 0..5 {
        let _ = device.syncer.sync().await;
    }
    assert_eq!(device.core.view().unwrap().sync.pending_actions, 0);
    let on_server = server_videos(&b, &token).await;
    assert!(on_server.values().all(|n| *n == 1));
    let missing: Vec<_> = acked.iter().filter(|a| !on_server.contains_key(a)).collect();
    assert!(missing.is_empty(), "{} acknowledged actions never arrived", missing.len());
    println!("core crash test: {kills} kills, {} acknowledged actions, all delivered exactly once", acked.len());
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
        let mut conn = rusqlite::Connection::open(&db).unwrap();
        conn.busy_timeout(Duration::from_secs(10)).unwrap();
        let tx = conn.transaction().unwrap();
        let seller = highlights_server::admin::create_seller(&tx, "seller-a", "").unwrap();
        let service = highlights_server::admin::service_token(&tx).unwrap();
        tx.commit().unwrap();
        (service, seller)
    };
    let http = client();
    let kills = kills(10);
    let mut acked_batches: Vec<usize> = Vec::new();
    let mut batch_no = 0usize;
    for _ in 0..kills {
        let killer = tokio::spawn(tokio::time::sleep(Duration::from_millis(fastrand::u64(20..200))));
        loop {
            // Each batch carries its number in every event, so a batch stored twice or in part shows.
            let events: Vec<_> = (0..200)
                .map(|i| json!({"ts_ms": T0 + (batch_no * 200 + i) as i64 * 10, "live_id": "srv-live", "type": "comment", "text": format!("b{batch_no}")}))
                .collect();
            let body = json!({"seller_id": "seller-a", "events": events});
            let sent = http
                .post(format!("{url}/v1/ingest/events"))
                .bearer_auth(&service)
                .json(&body)
                .timeout(Duration::from_secs(5))
                .send()
                .await;
            if matches!(&sent, Ok(r) if r.status().is_success()) {
                acked_batches.push(batch_no);
            }
            batch_no += 1;
            if killer.is_finished() {
                break;
            }
        }
        server.kill().unwrap();
        server.wait().unwrap();
        integrity_ok(&db);
        server = spawn();
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
    assert!(per_batch.values().all(|n| *n == 200), "a batch stored in part or twice");
    for b in &acked_batches {
        assert_eq!(per_batch.get(&format!("b{b}")), Some(&200), "acknowledged batch {b} lost");
    }
    println!("server crash test: {kills} kills, {} acknowledged batches, all stored exactly once", acked_batches.len());
}
