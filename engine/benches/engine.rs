//! Engine figures: scoring throughput, bytes of state per LIVE, 10,000 concurrent LIVEs, and the
//! identification delay after planted peaks. Throughput is timed by criterion; the rest is printed.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use highlights_engine::sim::{StreamSpec, generate};
use highlights_engine::{Engine, EngineConfig, LiveEvent};

const T0: i64 = 1_793_491_200_000;

fn one_live(viewers: f64, seed: u64) -> Vec<LiveEvent> {
    let mut s = StreamSpec::new("bench", T0, seed);
    s.viewers = viewers;
    s.duration_s = 10 * 60;
    generate(&s.plant_random(4))
}

/// Many small LIVEs, interleaved second by second as a shared ingestion feed would deliver them.
fn many_lives(n: usize, seconds: i64) -> Vec<LiveEvent> {
    let mut all: Vec<LiveEvent> = Vec::new();
    for i in 0..n {
        let mut s = StreamSpec::new(&format!("live-{i:05}"), T0, i as u64);
        s.viewers = 30.0;
        s.duration_s = seconds;
        s.jitter_ms = 0;
        all.extend(generate(&s));
    }
    all.sort_by_key(|e| e.ts_ms);
    all
}

fn report_state_and_delay() {
    let mut engine = Engine::new(EngineConfig::default());
    for e in many_lives(10_000, 90) {
        engine.push(&e);
    }
    let bytes = engine.state_bytes();
    println!(
        "state: {} LIVEs, {} bytes in all, {} bytes per LIVE (goal <= 4096)",
        engine.lives(),
        bytes,
        bytes / engine.lives().max(1)
    );
    let mut delays = Vec::new();
    for seed in 0..8 {
        let mut s = StreamSpec::new("delay", T0, 1_000 + seed);
        s.viewers = [50.0, 500.0, 5_000.0, 50_000.0][seed as usize % 4];
        let s = s.plant_random(6);
        let mut engine = Engine::new(EngineConfig::default());
        let mut found = Vec::new();
        for e in generate(&s) {
            found.extend(engine.push(&e));
        }
        for p in &s.planted {
            let peak = T0 + p.at_s * 1000;
            if let Some(m) = found.iter().find(|m| (m.peak_ms - peak).abs() <= p.dur_s * 500 + 10_000) {
                delays.push(m.identified_at_ms - peak);
            }
        }
    }
    delays.sort_unstable();
    let pct = |p: usize| delays[(delays.len() - 1) * p / 100];
    println!(
        "identification delay after planted peak (stream time, {} moments): p50 {} ms, p90 {} ms, max {} ms (goal <= 10000)",
        delays.len(),
        pct(50),
        pct(90),
        pct(100)
    );
}

fn bench(c: &mut Criterion) {
    report_state_and_delay();
    let mut g = c.benchmark_group("scoring");
    let events = one_live(5_000.0, 1);
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("one_live_5000_viewers", |b| {
        b.iter(|| {
            let mut engine = Engine::new(EngineConfig::default());
            let mut n = 0;
            for e in &events {
                n += usize::from(engine.push(e).is_some());
            }
            n
        })
    });
    let many = many_lives(10_000, 90);
    g.throughput(Throughput::Elements(many.len() as u64));
    g.sample_size(10);
    g.bench_function("10000_concurrent_lives", |b| {
        b.iter(|| {
            let mut engine = Engine::new(EngineConfig::default());
            for e in &many {
                engine.push(e);
            }
            engine.lives()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
