//! The store's rules under concurrent writers, as many processes sharing one PostgreSQL store
//! would be (and as the API's own tasks are on SQLite): the caps hold when moments of one LIVE are
//! stored at once, each due post goes out once whatever the number of schedulers, and each render
//! job goes to one worker. `scripts/cluster-test.sh` runs it against PostgreSQL.

mod common;

use common::EveryComment;

use std::collections::HashSet;
use std::sync::Arc;

use highlights_api::{IngestBatch, RemoteConfig, SettingsPatch};
use highlights_server::store::{RetryPolicy, Store};
use serde_json::json;

/// In 2030, so posting follows the stream clock.
const T0: i64 = 1_900_000_000_000;
const PRODUCTS: usize = 10;

/// The store the suite runs on (PostgreSQL when the run provides one), making videos.
async fn store(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    let url = common::fresh_database().await;
    highlights_server::serve::open_store(dir.path(), url.as_deref(), true, RetryPolicy::default()).await.unwrap()
}

async fn seller_with_highlights_on(store: &Arc<dyn Store>) {
    store
        .create_seller("seller".into(), "Seller".into(), highlights_server::store::TokenLifetime::SELLER)
        .await
        .unwrap();
    let on = SettingsPatch { highlights_on: Some(true), onboarding_completed: Some(true), ..Default::default() };
    store.patch_settings("seller".into(), on, None).await.unwrap();
}

/// Eight batches of six moments each, 20 s apart so none overlaps another, spread over ten products.
fn batches(live: &str) -> Vec<IngestBatch> {
    (0..8)
        .map(|b| IngestBatch {
            seller_id: "seller".into(),
            events: (0..6)
                .map(|i| {
                    let n = b * 6 + i;
                    json!({ "type": "comment", "live_id": live, "ts_ms": T0 + n as i64 * 20_000, "user": "u",
                            "text": format!("sku-{}", n % PRODUCTS) })
                })
                .collect(),
        })
        .collect()
}

/// Stores every batch at once, one task each.
async fn ingest_at_once(store: &Arc<dyn Store>, batches: Vec<IngestBatch>) {
    let tasks: Vec<_> = batches
        .into_iter()
        .map(|b| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .ingest(b, None, Arc::new(EveryComment))
                    .await
                    .map_err(|e| format!("{e}: {:?}", std::error::Error::source(&e)))
                    .unwrap()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().accepted, 6);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn caps_hold_when_moments_of_one_live_are_stored_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    seller_with_highlights_on(&store).await;
    ingest_at_once(&store, batches("live")).await;
    let all = store.highlights("seller".into(), "live".into()).await.unwrap().highlights;
    let cfg = RemoteConfig::default();
    let auto: Vec<_> = all.iter().filter(|h| h.kind == highlights_api::HighlightKind::Auto).collect();
    assert_eq!(all.len(), 48, "every moment kept");
    assert_eq!(auto.len(), cfg.max_posts_per_live as usize, "the LIVE's cap, reached and not exceeded");
    for p in 0..PRODUCTS {
        let n = auto.iter().filter(|h| h.product_id.as_deref() == Some(&format!("sku-{p}"))).count();
        assert!(n <= cfg.max_posts_per_product as usize, "sku-{p}: {n} auto-posts");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_due_post_goes_out_once_and_each_render_job_to_one_worker() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    seller_with_highlights_on(&store).await;
    for live in ["live-a", "live-b"] {
        ingest_at_once(&store, batches(live)).await;
    }
    // Render jobs: six workers claim at once until none is left; no job twice.
    let claimers: Vec<_> = (0..6)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(task) = store.claim_render(i64::MAX / 4).await.unwrap() {
                    mine.push((task.highlight_id, task.output));
                }
                mine
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for c in claimers {
        claimed.extend(c.await.unwrap());
    }
    let distinct: HashSet<_> = claimed.iter().collect();
    assert_eq!(claimed.len(), 40, "one job per auto-post of the two LIVEs");
    assert_eq!(distinct.len(), claimed.len(), "no job claimed twice");
    for (id, output) in &claimed {
        let ready = highlights_server::store::RenderOutcome::Ready {
            duration_ms: 15_000,
            video_key: format!("{output}.mp4"),
            thumbnail_key: format!("{output}.jpg"),
            storyboard: None,
            clip: None,
            note: None,
        };
        store.finish_render(id.clone(), output.clone(), ready, 0).await.unwrap();
    }
    // Posting: six schedulers at once, far past every post time.
    let schedulers: Vec<_> = (0..6)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.post_due(i64::MAX / 4).await.unwrap() })
        })
        .collect();
    let mut posted = 0;
    for s in schedulers {
        posted += s.await.unwrap();
    }
    assert_eq!(posted, 40, "each due post counted once across the schedulers");
    assert_eq!(store.post_due(i64::MAX / 4).await.unwrap(), 0, "nothing left to post");
}
