//! Full sync of 1,000 recordings and 20,000 highlights over loopback into a fresh cache, and the
//! cost of an idle resync (requests and bytes on the wire, through a counting proxy).

use std::sync::atomic::Ordering;

use criterion::{Criterion, criterion_group, criterion_main};
use highlights_e2e::proxy::FaultProxy;
use highlights_e2e::{Device, big_backend};

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
