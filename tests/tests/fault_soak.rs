//! Fault soak: thousands of broken answers through the proxy while the seller keeps acting.
//! 0 panics, 0 lost actions, 0 duplicates, and the last good state stays on screen throughout.
//!
//! `FAULT_RESPONSES` sets how many faulty responses to serve (default: a CI slice; full run 10000).

use std::time::Duration;

use highlights_core::{CoreError, Event};
use highlights_e2e::proxy::{Fault, FaultProxy};
use highlights_e2e::{Backend, Device};
use serde_json::json;

const T0: i64 = 1_793_491_200_000;

fn table() -> Vec<Fault> {
    vec![
        Fault::Status(500),
        Fault::Status(502),
        Fault::Status(503),
        Fault::Status(504),
        Fault::ForwardThenStatus(500),
        Fault::ForwardThenStatus(503),
        Fault::TooMany(0),
        Fault::Delay(Duration::from_millis(400)),
        Fault::Reset,
        Fault::Truncate,
        Fault::InvalidJson,
        Fault::Huge(512 * 1024),
        Fault::WrongContentType,
        Fault::SlowDrip,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_faulty_responses_lose_nothing() {
    let target: u64 = std::env::var("FAULT_RESPONSES").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    let mut events = Vec::new();
    for i in 0..30i64 {
        let id = format!("soak-{i:02}");
        events.push(json!({"ts_ms": T0 + i * 86_400_000, "live_id": id, "type": "live_start"}));
        events.push(
            json!({"ts_ms": T0 + i * 86_400_000 + 1000, "live_id": id, "type": "product_pin", "product_id": "sku-1"}),
        );
        events.push(json!({"ts_ms": T0 + i * 86_400_000 + 80_000_000, "live_id": id, "type": "live_end"}));
    }
    b.ingest("seller-a", events).await;
    let proxy = FaultProxy::start(b.url()).await;
    let mut config = highlights_e2e::fast_config(&proxy.url());
    config.request_timeout = Duration::from_millis(300);
    config.max_response_bytes = 256 * 1024;
    let d = Device::open(tempfile::tempdir().unwrap(), "seller-a", &token, config);
    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::OpenModule).unwrap();
    let good: Vec<String> = d.core.view().unwrap().module.recordings.iter().map(|r| r.id.clone()).collect();
    assert_eq!(good.len(), 30);

    let faults = table();
    let (mut served, mut created, mut round) = (0u64, 0i64, 0usize);
    let mut kinds = std::collections::BTreeMap::<String, u64>::new();
    while served < target {
        let live = format!("soak-{:02}", round % 30);
        let start = T0 + (round % 30) as i64 * 86_400_000 + 60_000 + (round / 30) as i64 * 20_000;
        d.core
            .dispatch(Event::CreateVideo {
                recording_id: live,
                start_ms: start,
                end_ms: start + 15_000,
                product_id: "sku-1".into(),
            })
            .unwrap();
        created += 1;
        let planned: Vec<Fault> = (0..2).map(|i| faults[(round * 2 + i) % faults.len()].clone()).collect();
        for f in &planned {
            *kinds.entry(format!("{f:?}").split('(').next().unwrap().to_string()).or_default() += 1;
        }
        proxy.plan(planned);
        served += 2;
        match d.syncer.sync().await {
            Ok(_) => {}
            Err(CoreError::Network { .. } | CoreError::Server { .. } | CoreError::BadServerData { .. }) => {}
            Err(e) => panic!("round {round}: untyped {e:?}"),
        }
        // Whatever the network did, the module shows the same recordings.
        let now: Vec<String> = d.core.view().unwrap().module.recordings.iter().map(|r| r.id.clone()).collect();
        assert_eq!(now, good, "round {round}: last good state lost");
        while proxy.queued() > 0 {
            let _ = d.syncer.sync().await;
        }
        round += 1;
    }
    // Heal and drain.
    for _ in 0..20 {
        if d.core.view().unwrap().sync.pending_actions == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        let _ = d.syncer.sync().await;
    }
    let v = d.core.view().unwrap();
    assert_eq!(v.sync.pending_actions, 0, "actions stuck");
    assert!(v.notice.is_none(), "no action was refused: faults are not the seller's problem");
    let mut on_server = 0i64;
    for i in 0..30 {
        let list: serde_json::Value = b.get_json(&format!("/v1/lives/soak-{i:02}/highlights"), &token).await;
        let starts: Vec<i64> =
            list["highlights"].as_array().unwrap().iter().map(|h| h["start_ms"].as_i64().unwrap()).collect();
        let unique: std::collections::HashSet<_> = starts.iter().collect();
        assert_eq!(unique.len(), starts.len(), "a video was created twice");
        on_server += starts.len() as i64;
    }
    assert_eq!(on_server, created, "every action delivered exactly once");
    println!(
        "fault soak: {served} faulty responses over {round} rounds ({kinds:?}); {created} actions, 0 lost, 0 duplicated, 0 panics"
    );
}
