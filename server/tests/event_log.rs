//! The store's side of the distributed mode, without NATS: partition leases shared fairly and
//! moved from a dead worker, each log entry applied once and only under its lease, and a worker
//! that takes a LIVE over mid-stream resuming its detector exactly.

use std::sync::Arc;

use highlights_api::{IngestBatch, SettingsPatch};
use highlights_engine::sim::{StreamSpec, generate};
use highlights_server::engine_host::EngineHost;
use highlights_server::store::{
    Idempotency, KeyScope, LogPosition, Logged, LoggedBatch, Scorer, SqliteStore, Store, StoreError, TokenLifetime,
};

/// In 2030, so posting follows the stream clock.
const T0: i64 = 1_900_000_000_000;
const LEASE_MS: i64 = 60_000;

async fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("s.db")).await.unwrap().posting_without_videos();
    (dir, store)
}

async fn seller_with_highlights_on(store: &SqliteStore, id: &str) {
    store.create_seller(id.into(), "Seller".into(), TokenLifetime::SELLER).await.unwrap();
    let on = SettingsPatch { highlights_on: Some(true), onboarding_completed: Some(true), ..Default::default() };
    store.patch_settings(id.into(), on, None).await.unwrap();
}

fn entry(seller: &str, live: &str, events: &[highlights_engine::LiveEvent]) -> LoggedBatch {
    LoggedBatch {
        live_id: live.into(),
        batch: IngestBatch { seller_id: seller.into(), events: events.iter().map(|e| e.to_json()).collect() },
        key: None,
    }
}

fn at(partition: u32, seq: u64, worker: &str) -> LogPosition {
    LogPosition { partition, seq, worker: worker.into() }
}

fn events_stored(dir: &tempfile::TempDir) -> i64 {
    let c = rusqlite::Connection::open(dir.path().join("s.db")).unwrap();
    c.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn partitions_are_shared_fairly_and_a_dead_workers_partitions_move() {
    let (_dir, s) = store().await;
    let lease = |w: &str| s.lease_partitions(w.into(), 8, LEASE_MS);
    assert_eq!(lease("a").await.unwrap(), (0..8).collect::<Vec<_>>(), "alone, a worker takes every partition");
    assert_eq!(lease("b").await.unwrap(), Vec::<u32>::new(), "nothing free yet");
    assert_eq!(lease("a").await.unwrap(), vec![0, 1, 2, 3], "a frees what is above its share");
    assert_eq!(lease("b").await.unwrap(), vec![4, 5, 6, 7], "b takes the freed ones");
    assert_eq!(lease("c").await.unwrap(), Vec::<u32>::new());
    assert_eq!(lease("a").await.unwrap(), vec![0, 1, 2]);
    assert_eq!(lease("b").await.unwrap(), vec![4, 5, 6]);
    assert_eq!(lease("c").await.unwrap(), vec![3, 7]);
    // b dies: its leases lapse (renewed once with a lease of 1 ms, then never again).
    s.lease_partitions("b".into(), 8, 1).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(lease("c").await.unwrap(), vec![3, 4, 5, 7], "c takes lapsed ones up to its new share");
    assert_eq!(lease("a").await.unwrap(), vec![0, 1, 2, 6]);
    s.release_partitions("a".into()).await.unwrap();
    assert_eq!(lease("c").await.unwrap(), (0..8).collect::<Vec<_>>(), "a clean stop hands over at once");
}

#[tokio::test]
async fn an_entry_is_applied_once_and_only_by_the_holder_of_its_partition() {
    let (dir, s) = store().await;
    seller_with_highlights_on(&s, "seller").await;
    let held = s.lease_partitions("a".into(), 2, LEASE_MS).await.unwrap();
    assert_eq!(held, vec![0, 1]);
    let mut spec = StreamSpec::new("live", T0, 1);
    spec.duration_s = 60;
    let events = generate(&spec);
    let scorer: Arc<dyn Scorer> = Arc::new(EngineHost::default());
    let e = entry("seller", "live", &events);

    let first = s.apply_logged(e.clone(), at(1, 5, "a"), scorer.clone()).await.unwrap();
    assert!(matches!(first, Logged::Applied(r) if r.accepted == events.len() as u64 && r.accepted > 0));
    assert_eq!(s.apply_logged(e.clone(), at(1, 5, "a"), scorer.clone()).await.unwrap(), Logged::AlreadyApplied);
    assert_eq!(s.apply_logged(e.clone(), at(1, 4, "a"), scorer.clone()).await.unwrap(), Logged::AlreadyApplied);
    let fenced = s.apply_logged(e.clone(), at(1, 6, "b"), scorer.clone()).await;
    assert!(matches!(fenced, Err(StoreError::Rule { code: "lease_lost", .. })), "{fenced:?}");
    assert_eq!(events_stored(&dir), events.len() as i64, "stored once");
    assert_eq!(s.log_position(1).await.unwrap(), 5);
    assert_eq!(s.log_position(0).await.unwrap(), 0);
    assert_eq!(scorer.position("live"), Some(5), "the detector is noted at the entry it reflects");
}

#[tokio::test]
async fn a_worker_taking_a_live_over_mid_stream_finds_what_one_process_finds() {
    // Forty minutes: far more than the ten a detector rebuilt from history would see, so only
    // an exact resume gives the same moments.
    let mut spec = StreamSpec::new("long live", T0, 11);
    spec.viewers = 400.0;
    spec.duration_s = 40 * 60;
    let events = generate(&spec.plant_random(10));
    let batches: Vec<_> = events.chunks(200).collect();

    let (_one_dir, one) = store().await;
    seller_with_highlights_on(&one, "seller").await;
    let host: Arc<dyn Scorer> = Arc::new(EngineHost::default());
    for b in &batches {
        let batch = IngestBatch { seller_id: "seller".into(), events: b.iter().map(|e| e.to_json()).collect() };
        one.ingest(batch, None, host.clone()).await.unwrap();
    }

    let (_two_dir, two) = store().await;
    seller_with_highlights_on(&two, "seller").await;
    two.lease_partitions("a".into(), 1, LEASE_MS).await.unwrap();
    let first: Arc<dyn Scorer> = Arc::new(EngineHost::default());
    let half = batches.len() / 2;
    for (i, b) in batches[..half].iter().enumerate() {
        two.apply_logged(entry("seller", "long live", b), at(0, 10 + i as u64, "a"), first.clone()).await.unwrap();
    }
    two.release_partitions("a".into()).await.unwrap();
    two.lease_partitions("b".into(), 1, LEASE_MS).await.unwrap();
    let second: Arc<dyn Scorer> = Arc::new(EngineHost::default());
    for (i, b) in batches.iter().enumerate().skip(half) {
        two.apply_logged(entry("seller", "long live", b), at(0, 10 + i as u64, "b"), second.clone()).await.unwrap();
    }

    let key = |h: &highlights_api::Highlight| (h.kind, h.start_ms, h.end_ms, h.product_id.clone(), h.score.to_bits());
    let expected: Vec<_> =
        one.highlights("seller".into(), "long live".into()).await.unwrap().highlights.iter().map(key).collect();
    let found: Vec<_> =
        two.highlights("seller".into(), "long live".into()).await.unwrap().highlights.iter().map(key).collect();
    assert!(expected.len() >= 5, "the LIVE has moments: {}", expected.len());
    let after_takeover = found.iter().filter(|h| h.1 > events[half * 200].ts_ms).count();
    assert!(after_takeover >= 2, "moments found after the takeover: {after_takeover}");
    assert_eq!(found, expected);
}

#[tokio::test]
async fn logged_keys_are_the_services_even_from_entries_written_before_scopes() {
    let (dir, s) = store().await;
    seller_with_highlights_on(&s, "seller").await;
    s.lease_partitions("a".into(), 1, LEASE_MS).await.unwrap();
    // The seller takes the text of the key the API server gives this entry, on a seller route.
    let taken = Idempotency::new("ingest:b1#live".into(), "PATCH /v1/settings", &1);
    let shown = SettingsPatch { popup_shows_delta: Some(1), ..Default::default() };
    s.patch_settings("seller".into(), shown, Some(taken)).await.unwrap();
    // An entry as published before keys had scopes (no `scope` field) still reads as the service's.
    let mut spec = StreamSpec::new("live", T0, 2);
    spec.duration_s = 30;
    let events = generate(&spec);
    let mut logged = serde_json::to_value(entry("seller", "live", &events)).unwrap();
    logged["key"] = serde_json::json!({"key": "ingest:b1#live", "fingerprint": "f"});
    let logged: LoggedBatch = serde_json::from_value(logged).unwrap();
    assert_eq!(logged.key.as_ref().unwrap().scope, KeyScope::Service);
    let scorer: Arc<dyn Scorer> = Arc::new(EngineHost::default());
    let applied = s.apply_logged(logged, at(0, 1, "a"), scorer).await.unwrap();
    assert!(matches!(applied, Logged::Applied(r) if r.accepted == events.len() as u64), "not refused as reused");
    assert_eq!(events_stored(&dir), events.len() as i64);
}
