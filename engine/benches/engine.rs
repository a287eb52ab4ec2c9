//! Engine figures: scoring throughput on one busy LIVE and on 10,000 concurrent LIVEs, all starting
//! together and mid-stream, fed in ingestion batches as the server feeds it (each next to a plain
//! per-LIVE counter measured in the same run, the floor any router pays, and mid-stream next to
//! the same events pushed one at a time), bytes of state
//! per LIVE with realistic ids and several products, and the identification delay after planted
//! peaks. Throughput is timed by criterion; the rest is printed.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use highlights_engine::sim::truth::{self, Outcome};
use highlights_engine::sim::{StreamSpec, generate};
use highlights_engine::{Engine, EngineSettings, EventKind, LiveEvent};

const T0: i64 = 1_793_491_200_000;

/// A LIVE id as platforms mint them, and five products with catalogue-style ids.
fn realistic(i: u64, seed: u64) -> StreamSpec {
    let mut s = StreamSpec::new(
        &format!("live_{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}", i, i % 0xffff, i % 0xfff, seed % 0xfff, i * 7919),
        T0,
        seed,
    );
    s.products = (0..5).map(|p| (format!("prd_{:016x}", (i << 8) + p), format!("Product {p}"))).collect();
    s.pin_every_s = 120;
    s
}

fn one_live(viewers: f64) -> Vec<LiveEvent> {
    let mut s = realistic(1, 1);
    s.viewers = viewers;
    s.duration_s = 10 * 60;
    generate(&s.plant_random(4).with_distractions())
}

/// Many small LIVEs, interleaved by time as a shared ingestion feed delivers them.
fn many_lives(n: u64, seconds: i64) -> Vec<LiveEvent> {
    let mut all: Vec<LiveEvent> = Vec::new();
    for i in 0..n {
        let mut s = realistic(i, i);
        s.viewers = 30.0;
        s.duration_s = seconds;
        s.jitter_ms = 0;
        all.extend(generate(&s));
    }
    all.sort_by_key(|e| e.ts_ms);
    // Allocated again in delivery order, as the ingestion path parses them: the generator made
    // each LIVE's events together, which would leave every event's id a cache miss away from the
    // one before, a cost no server pays.
    all.to_vec()
}

/// The floor: route each event to its LIVE and count it, nothing else.
fn count_only(events: &[LiveEvent]) -> usize {
    let mut per_live: HashMap<&str, [u64; 4]> = HashMap::new();
    for e in events {
        let c = per_live.entry(e.live_id.as_str()).or_default();
        c[match e.kind {
            EventKind::Comment { .. } => 0,
            EventKind::Like { .. } => 1,
            EventKind::ProductClick { .. } | EventKind::AddToCart { .. } | EventKind::Order { .. } => 2,
            _ => 3,
        }] += 1;
    }
    per_live.len()
}

/// Events per ingestion batch as the server scores them (a request holds at most 10,000).
const BATCH: usize = 1_000;

/// Pushes every event through `engine` in ingestion batches, as the server does; the moments confirmed.
fn feed(engine: &mut Engine, events: &[LiveEvent]) -> usize {
    events.chunks(BATCH).map(|batch| engine.push_all(batch).len()).sum()
}

/// Pushes every event through `engine` one at a time: the baseline the batches are measured against.
fn feed_one_by_one(engine: &mut Engine, events: &[LiveEvent]) -> usize {
    events.iter().map(|e| engine.push(e).len()).sum()
}

fn engine_run(events: &[LiveEvent]) -> usize {
    feed(&mut Engine::new(EngineSettings::default()), events)
}

/// 10,000 LIVEs already two minutes in (an engine that has seen their first 120 s, untimed), and
/// the next minute of their events: most concurrent LIVEs at any moment are mid-stream, past
/// their start and warm-up.
fn mid_live(n: u64) -> (Engine, Vec<LiveEvent>) {
    let all = many_lives(n, 180);
    let split = all.partition_point(|e| e.ts_ms < T0 + 120_000);
    let mut engine = Engine::new(EngineSettings::default());
    feed(&mut engine, &all[..split]);
    (engine, all[split..].to_vec())
}

/// Events per second of scoring `events` on copies of a warmed-up `engine`, in batches and one
/// by one, runs alternating (the machine's load moves, and both should see the same), best of five each.
fn rates_from(engine: &Engine, events: &[LiveEvent]) -> (f64, f64) {
    let once = |feed: fn(&mut Engine, &[LiveEvent]) -> usize| {
        let mut e = engine.clone();
        let t = Instant::now();
        black_box(feed(&mut e, black_box(events)));
        events.len() as f64 / t.elapsed().as_secs_f64()
    };
    (0..5).map(|_| (once(feed), once(feed_one_by_one))).fold((0.0, 0.0), |(b, o), (nb, no)| (b.max(nb), o.max(no)))
}

/// Events per second of `f` over `events`, best of three runs.
fn rate(events: &[LiveEvent], f: impl Fn(&[LiveEvent]) -> usize) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            black_box(f(black_box(events)));
            events.len() as f64 / t.elapsed().as_secs_f64()
        })
        .fold(0.0, f64::max)
}

fn report() {
    let many = many_lives(10_000, 90);
    let mut engine = Engine::new(EngineSettings::default());
    for e in &many {
        engine.push(e);
    }
    let bytes = engine.state_bytes();
    println!(
        "state: {} LIVEs (ids of ~45 bytes, 5 products each), {} bytes per LIVE (goal <= 4096)",
        engine.lives(),
        bytes / engine.lives().max(1)
    );
    for (name, events) in [("one 5,000-viewer LIVE", one_live(5_000.0)), ("10,000 concurrent LIVEs", many)] {
        let (engine, floor) = (rate(&events, engine_run), rate(&events, count_only));
        println!(
            "throughput, {name}: engine {:.2} M events/s, plain counting {:.2} M events/s: engine costs {:.1}x the floor (goal >= 2 M/s per core)",
            engine / 1e6,
            floor / 1e6,
            floor / engine
        );
    }
    let (warm, next_minute) = mid_live(10_000);
    let ((engine, one_by_one), floor) = (rates_from(&warm, &next_minute), rate(&next_minute, count_only));
    println!(
        "throughput, 10,000 concurrent LIVEs mid-stream (the minute after their first two): engine {:.2} M events/s, plain counting {:.2} M events/s: engine costs {:.1}x the floor (goal >= 2 M/s per core)",
        engine / 1e6,
        floor / 1e6,
        floor / engine
    );
    println!(
        "batches against one event at a time, same LIVEs mid-stream: {:.2} M events/s in batches of {BATCH}, {:.2} M events/s one by one: {:.2}x",
        engine / 1e6,
        one_by_one / 1e6,
        engine / one_by_one
    );
    let mut delays = Outcome::default();
    for seed in 0..12u64 {
        let mut s = realistic(seed, 1_000 + seed);
        s.viewers = [50.0, 500.0, 5_000.0, 50_000.0][seed as usize % 4];
        s.comments_only = seed % 3 == 0;
        s.duration_s = 20 * 60;
        let s = s.plant_random(6);
        let mut engine = Engine::new(EngineSettings::default());
        let mut found: Vec<_> = generate(&s).iter().flat_map(|e| engine.push(e)).collect();
        found.extend(engine.flush_all());
        delays.add(truth::score(&s, &found));
    }
    println!(
        "identification after a planted peak (stream time, {} moments): p50 {} ms, p99 {} ms, max {} ms (goal p99 <= 10000)",
        delays.delays_ms.len(),
        delays.delay_ms(50),
        delays.delay_ms(99),
        delays.delay_ms(100)
    );
}

fn bench(c: &mut Criterion) {
    report();
    let mut g = c.benchmark_group("scoring");
    let events = one_live(5_000.0);
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("one_live_5000_viewers", |b| b.iter(|| engine_run(&events)));
    g.bench_function("one_live_5000_viewers_count_only", |b| b.iter(|| count_only(&events)));
    let many = many_lives(10_000, 90);
    g.throughput(Throughput::Elements(many.len() as u64));
    g.sample_size(10);
    g.bench_function("10000_concurrent_lives", |b| b.iter(|| engine_run(&many)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
