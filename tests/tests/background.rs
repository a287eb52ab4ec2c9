//! Background refresh: actions leave at once, pull-to-refresh, cancelling an in-flight sync, clean shutdown.

use std::time::{Duration, Instant};

use highlights_core::{BackgroundSync, Event};
use highlights_e2e::proxy::{Fault, FaultProxy};
use highlights_e2e::{Backend, Device};
use serde_json::json;

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{what} did not happen within 5 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_sync_pushes_at_once_refreshes_on_demand_and_shuts_down_cleanly() {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    let proxy = FaultProxy::start(b.url()).await;
    let d = Device::new("seller-a", &proxy.url(), &token);
    let bg = BackgroundSync::start(d.syncer.clone(), &tokio::runtime::Handle::current());
    eventually("first sync", async || d.core.view().unwrap().sync.last_updated_ms.is_some()).await;

    d.core.dispatch(Event::SetToggle { on: true }).unwrap();
    d.core.dispatch(Event::ConfirmOnboarding).unwrap();
    eventually("the toggle reaches the server without waiting for the interval", async || {
        b.get_json("/v1/settings", &token).await["highlights_on"] == true
    })
    .await;

    b.ingest("seller-a", vec![json!({"ts_ms": 1_793_491_200_000i64, "live_id": "live-new", "type": "live_start"})])
        .await;
    bg.refresh_now();
    eventually("pull-to-refresh brings the new LIVE", async || {
        d.core.dispatch(Event::OpenModule).unwrap();
        d.core.view().unwrap().module.recordings.len() == 1
    })
    .await;

    // A request hanging on a slow network: cancelling does not wait for it.
    proxy.plan([Fault::Delay(Duration::from_secs(3))]);
    bg.refresh_now();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let t = Instant::now();
    bg.cancel_in_flight();
    proxy.plan([Fault::Delay(Duration::from_secs(3))]);
    bg.refresh_now();
    tokio::time::sleep(Duration::from_millis(100)).await;
    bg.shutdown().await;
    assert!(t.elapsed() < Duration::from_secs(1), "shutdown took {:?}", t.elapsed());
    assert!(d.core.view().unwrap().module.recordings.len() == 1, "the last good state stays");
}
