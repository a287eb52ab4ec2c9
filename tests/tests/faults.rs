//! A fault-injecting proxy between a real core and the real server: every kind of broken answer
//! gives a typed error, keeps the last good state on screen, loses nothing and duplicates nothing.

use std::time::Duration;

use highlights_core::{CoreError, Event};
use highlights_e2e::proxy::{Fault, FaultProxy};
use highlights_e2e::{Backend, Device};
use serde_json::json;

const T0: i64 = 1_793_491_200_000;

async fn setup() -> (Backend, String, FaultProxy) {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    let mut events = Vec::new();
    for i in 0..60 {
        let id = format!("live-{i:03}");
        let start = T0 + i * 3_600_000;
        events.push(json!({"ts_ms": start, "live_id": id, "type": "live_start"}));
        events.push(json!({"ts_ms": start + 1000, "live_id": id, "type": "product_pin", "product_id": "sku-1"}));
        events.push(json!({"ts_ms": start + 1_800_000, "live_id": id, "type": "live_end"}));
    }
    b.ingest("seller-a", events).await;
    let proxy = FaultProxy::start(b.url()).await;
    (b, token, proxy)
}

async fn manual_videos(b: &Backend, token: &str, live: &str) -> usize {
    let list: serde_json::Value = b.get_json(&format!("/v1/lives/{live}/highlights"), token).await;
    list["highlights"].as_array().unwrap().iter().filter(|h| h["kind"] == "manual").count()
}

fn faults() -> Vec<Fault> {
    vec![
        Fault::Status(500),
        Fault::Status(503),
        Fault::ForwardThenStatus(502),
        Fault::TooMany(0),
        Fault::Delay(Duration::from_millis(2_500)),
        Fault::Reset,
        Fault::Truncate,
        Fault::InvalidJson,
        Fault::Huge(50 * 1024 * 1024),
        Fault::WrongContentType,
        Fault::SlowDrip,
    ]
}

#[tokio::test]
async fn every_fault_on_push_and_pull_is_typed_and_loses_nothing() {
    let (b, token, proxy) = setup().await;
    for (round, fault) in faults().into_iter().enumerate() {
        let d = Device::new("seller-a", &proxy.url(), &token);
        d.syncer.sync().await.unwrap();
        d.core.dispatch(Event::OpenModule).unwrap();
        let good = d.core.view().unwrap();
        assert_eq!(good.module.recordings.len(), 50);

        // A seller action, then a broken exchange on the push and on the pull.
        let live = format!("live-{round:03}");
        let start = T0 + round as i64 * 3_600_000;
        d.core
            .dispatch(Event::CreateVideo {
                recording_id: live.clone(),
                start_ms: start + 60_000,
                end_ms: start + 75_000,
                product_id: "sku-1".into(),
            })
            .unwrap();
        proxy.plan([fault.clone(), fault.clone()]);
        let result = d.syncer.sync().await;
        match &result {
            Ok(report) => assert!(report.push.waiting > 0 || report.push.delivered == 1, "{fault:?}: {report:?}"),
            Err(e) => assert!(
                matches!(e, CoreError::Network { .. } | CoreError::Server { .. } | CoreError::BadServerData { .. }),
                "{fault:?}: untyped {e:?}"
            ),
        }
        let during = d.core.view().unwrap();
        assert_eq!(
            during.module.recordings,
            {
                let mut rows = good.module.recordings.clone();
                for r in &mut rows {
                    if r.id == live {
                        r.highlight_count += 1;
                    }
                }
                rows
            },
            "{fault:?}: last good state (plus the pending video) stays on screen"
        );

        // The proxy heals: everything converges, the video exists exactly once.
        while proxy.queued() > 0 {
            proxy.plan([]);
            let _ = d.syncer.sync().await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut tries = 0;
        while d.core.view().unwrap().sync.pending_actions > 0 && tries < 20 {
            let _ = d.syncer.sync().await;
            tries += 1;
        }
        let v = d.core.view().unwrap();
        assert_eq!(v.sync.pending_actions, 0, "{fault:?}: action stuck");
        assert!(v.sync.online, "{fault:?}");
        assert_eq!(manual_videos(&b, &token, &live).await, 1, "{fault:?}: delivered exactly once");
        assert!(v.notice.is_none(), "{fault:?}: a transient fault is not the seller's problem");
    }
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (b, token, proxy) = setup().await;
    let d = Device::new("seller-a", &proxy.url(), &token);
    d.syncer.sync().await.unwrap();
    d.core.dispatch(Event::SetToggle { on: true }).unwrap();
    d.core.dispatch(Event::ConfirmOnboarding).unwrap();
    proxy.plan([Fault::TooMany(1)]);
    let report = d.syncer.sync().await.unwrap();
    assert_eq!((report.push.delivered, report.push.waiting), (0, 2));
    let seen = proxy.requests.load(std::sync::atomic::Ordering::SeqCst);
    let report = d.syncer.sync().await.unwrap();
    assert_eq!(report.push.waiting, 2, "not retried before Retry-After");
    assert_eq!(proxy.requests.load(std::sync::atomic::Ordering::SeqCst), seen + 1, "only the pull went out");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let report = d.syncer.sync().await.unwrap();
    assert_eq!(report.push.delivered, 2);
    let s: serde_json::Value = b.get_json("/v1/settings", &token).await;
    assert_eq!(s["highlights_on"], true);
}

#[tokio::test]
async fn a_throttled_pull_keeps_the_seller_online() {
    let (_b, token, proxy) = setup().await;
    let d = Device::new("seller-a", &proxy.url(), &token);
    d.syncer.sync().await.unwrap();
    proxy.plan([Fault::TooMany(1)]);
    let throttled = d.syncer.sync().await;
    assert!(matches!(throttled, Err(CoreError::Server { status: 429, .. })), "{throttled:?}");
    assert!(d.core.view().unwrap().sync.online, "a busy server is not an offline one");
    proxy.plan([Fault::Status(503)]);
    let _ = d.syncer.sync().await;
    assert!(!d.core.view().unwrap().sync.online, "a server that is down is");
}

#[tokio::test]
async fn an_idle_resync_is_one_small_request() {
    let (_b, token, proxy) = setup().await;
    let d = Device::new("seller-a", &proxy.url(), &token);
    d.syncer.sync().await.unwrap();
    let (req0, in0, out0) = (
        proxy.requests.load(std::sync::atomic::Ordering::SeqCst),
        proxy.bytes_in.load(std::sync::atomic::Ordering::SeqCst),
        proxy.bytes_out.load(std::sync::atomic::Ordering::SeqCst),
    );
    d.syncer.sync().await.unwrap();
    let requests = proxy.requests.load(std::sync::atomic::Ordering::SeqCst) - req0;
    let wire = proxy.bytes_in.load(std::sync::atomic::Ordering::SeqCst) - in0
        + proxy.bytes_out.load(std::sync::atomic::Ordering::SeqCst)
        - out0;
    println!("idle resync: {requests} request(s), {wire} bytes on the wire");
    assert_eq!(requests, 1);
    assert!(wire <= 1024, "{wire} bytes");
}
