//! Full sync of 1,000 recordings and 20,000 highlights over loopback into a fresh cache, and the
//! cost of an idle resync (requests and bytes on the wire, through a counting proxy).

use std::sync::atomic::Ordering;

use criterion::{Criterion, criterion_group, criterion_main};
use highlights_api::{FormatSpec, HighlightKind, HighlightStatus};
use highlights_e2e::proxy::FaultProxy;
use highlights_e2e::{Backend, Device};
use highlights_server::store::NewHighlight;

const T0: i64 = 1_793_491_200_000;

async fn big_backend() -> (Backend, String) {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    let mut events = Vec::new();
    for i in 0..1_000 {
        let id = format!("live-{i:04}");
        let start = T0 + i * 3_600_000;
        events.push(
            serde_json::json!({"ts_ms": start, "live_id": id, "type": "live_start", "title": format!("LIVE {i}")}),
        );
        events.push(serde_json::json!({"ts_ms": start + 1000, "live_id": id, "type": "product_pin", "product_id": "sku-1", "name": "Serum"}));
        events.push(serde_json::json!({"ts_ms": start + 1_800_000, "live_id": id, "type": "live_end"}));
    }
    b.ingest("seller-a", events).await;
    b.running()
        .state
        .store
        .add_highlights({
            let mut all = Vec::new();
            for i in 0..1_000i64 {
                for k in 0..20i64 {
                    let start = T0 + i * 3_600_000 + k * 60_000;
                    all.push(NewHighlight {
                        seller_id: "seller-a".into(),
                        live_id: format!("live-{i:04}"),
                        kind: if k % 4 == 0 { HighlightKind::Recommendation } else { HighlightKind::Auto },
                        status: if k % 4 == 0 { HighlightStatus::Suggested } else { HighlightStatus::Posted },
                        live_now: false,
                        start_ms: start,
                        end_ms: start + 30_000,
                        peak_ms: Some(start + 20_000),
                        product_id: Some("sku-1".into()),
                        score: 9.5,
                        reasons: vec![
                            highlights_api::Reason::over_usual(highlights_api::Signal::Comments, 4.1, 20),
                            highlights_api::Reason::counted(highlights_api::Signal::Orders, 12, 30),
                        ],
                        identified_at_ms: Some(start + 32_000),
                        post_at_ms: Some(start + 332_000),
                        posted_at_ms: Some(start + 332_000),
                        format: FormatSpec::default(),
                    });
                }
            }
            all
        })
        .await
        .unwrap();
    (b, token)
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (b, token) = rt.block_on(big_backend());
    let url = b.url();
    let mut g = c.benchmark_group("sync");
    g.sample_size(10);
    g.bench_function("full_sync_1000_recordings_20000_highlights", |bench| {
        bench.iter(|| {
            let d = Device::new("seller-a", &url, &token);
            let report = rt.block_on(d.syncer.sync()).unwrap();
            assert!(report.pages >= 20);
            report
        })
    });
    g.finish();
    let mut full: Vec<f64> = (0..5)
        .map(|_| {
            let d = Device::new("seller-a", &url, &token);
            let t = std::time::Instant::now();
            rt.block_on(d.syncer.sync()).unwrap();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    full.sort_by(f64::total_cmp);
    println!(
        "full sync, 1,000 recordings + 20,000 highlights, fresh cache: median {:.0} ms (goal <= 1000 ms)",
        full[2]
    );

    let (requests, bytes) = rt.block_on(async {
        let proxy = FaultProxy::start(url.clone()).await;
        let d = Device::new("seller-a", &proxy.url(), &token);
        d.syncer.sync().await.unwrap();
        let (r0, i0, o0) = (
            proxy.requests.load(Ordering::SeqCst),
            proxy.bytes_in.load(Ordering::SeqCst),
            proxy.bytes_out.load(Ordering::SeqCst),
        );
        d.syncer.sync().await.unwrap();
        (
            proxy.requests.load(Ordering::SeqCst) - r0,
            proxy.bytes_in.load(Ordering::SeqCst) - i0 + proxy.bytes_out.load(Ordering::SeqCst) - o0,
        )
    });
    println!("idle resync: {requests} request(s), {bytes} bytes on the wire (goal: 1 request, <= 1024 bytes)");
}

criterion_group!(benches, bench);
criterion_main!(benches);
