//! Detection quality on seeded synthetic streams with planted moments: precision, recall, delay.

use highlights_engine::sim::{Burst, Planted, StreamSpec, generate};
use highlights_engine::{Engine, EngineConfig, LiveEvent, Moment};

const T0: i64 = 1_793_491_200_000;

struct Eval {
    found: usize,
    true_found: usize,
    planted: usize,
    recalled: usize,
    delays_ms: Vec<i64>,
}

impl Eval {
    fn precision(&self) -> f64 {
        if self.found == 0 { 1.0 } else { self.true_found as f64 / self.found as f64 }
    }
    fn recall(&self) -> f64 {
        if self.planted == 0 { 1.0 } else { self.recalled as f64 / self.planted as f64 }
    }
    /// Delay percentile (0..=100) of identification after the planted peak.
    fn delay(&self, pct: usize) -> i64 {
        let mut d = self.delays_ms.clone();
        d.sort_unstable();
        if d.is_empty() { 0 } else { d[((d.len() - 1) * pct) / 100] }
    }
}

/// Interleaves several streams as a multiplexed feed would: by event time, each stream's order kept.
fn interleave(streams: Vec<Vec<LiveEvent>>) -> Vec<LiveEvent> {
    let mut all: Vec<(i64, usize, usize, LiveEvent)> = Vec::new();
    for (s, events) in streams.into_iter().enumerate() {
        let mut watermark = i64::MIN;
        for (i, e) in events.into_iter().enumerate() {
            watermark = watermark.max(e.ts_ms);
            all.push((watermark, s, i, e));
        }
    }
    all.sort_by_key(|(w, s, i, _)| (*w, *s, *i));
    all.into_iter().map(|(_, _, _, e)| e).collect()
}

fn run(events: &[LiveEvent]) -> Vec<Moment> {
    let mut engine = Engine::new(EngineConfig::default());
    let mut moments: Vec<Moment> = events.iter().filter_map(|e| engine.push(e)).collect();
    moments.extend(engine.flush_all());
    moments
}

fn planted_window(spec: &StreamSpec, p: &Planted) -> (i64, i64, i64) {
    let peak = spec.start_ms + p.at_s * 1000;
    (peak - p.dur_s * 500 - 5_000, peak, peak + p.dur_s * 500 + 10_000)
}

fn evaluate(specs: &[StreamSpec], moments: &[Moment]) -> Eval {
    let mut e = Eval { found: moments.len(), true_found: 0, planted: 0, recalled: 0, delays_ms: Vec::new() };
    let hits = |spec: &StreamSpec, p: &Planted, m: &Moment| {
        let (lo, _, hi) = planted_window(spec, p);
        m.live_id == spec.live_id && (lo..=hi).contains(&m.peak_ms)
    };
    for m in moments {
        if specs.iter().any(|s| s.planted.iter().any(|p| hits(s, p, m))) {
            e.true_found += 1;
        }
    }
    for s in specs {
        for p in &s.planted {
            e.planted += 1;
            if let Some(m) = moments.iter().find(|m| hits(s, p, m)) {
                e.recalled += 1;
                e.delays_ms.push(m.identified_at_ms - planted_window(s, p).1);
            }
        }
    }
    e
}

fn check(name: &str, specs: Vec<StreamSpec>, min_precision: f64, min_recall: f64) -> Eval {
    let events = interleave(specs.iter().map(generate).collect());
    let moments = run(&events);
    let e = evaluate(&specs, &moments);
    println!(
        "{name}: {} events, {} planted, {} found; precision {:.2}, recall {:.2}; delay after peak p50 {} ms, p90 {} ms, max {} ms",
        events.len(),
        e.planted,
        e.found,
        e.precision(),
        e.recall(),
        e.delay(50),
        e.delay(90),
        e.delay(100)
    );
    assert!(e.precision() >= min_precision, "{name}: precision {:.2}", e.precision());
    assert!(e.recall() >= min_recall, "{name}: recall {:.2}", e.recall());
    for m in &moments {
        let len = m.end_ms - m.start_ms;
        assert!((10_000..=60_000).contains(&len), "{name}: clip of {len} ms");
        assert!(
            m.peak_ms <= m.identified_at_ms && m.end_ms <= m.identified_at_ms,
            "{name}: decided before it happened"
        );
        assert!(!m.signals.is_empty(), "{name}: a moment without reasons");
    }
    e
}

#[test]
fn quiet_streams_yield_nothing() {
    let specs: Vec<_> = (0..6)
        .map(|i| {
            let mut s = StreamSpec::new(&format!("quiet-{i}"), T0, 100 + i);
            s.viewers = [20.0, 200.0, 2_000.0][i as usize % 3];
            s.duration_s = 20 * 60;
            s
        })
        .collect();
    let e = check("quiet", specs, 1.0, 1.0);
    assert_eq!(e.found, 0, "a stream with no real peak yields nothing");
}

#[test]
fn planted_moments_are_found_in_ordinary_streams() {
    let specs: Vec<_> = (0..8)
        .map(|i| {
            let mut s = StreamSpec::new(&format!("live-{i}"), T0 + i as i64 * 7_000, 200 + i);
            s.viewers = [50.0, 300.0, 1_000.0, 5_000.0][i as usize % 4];
            s.plant_random(6)
        })
        .collect();
    let e = check("ordinary, 8 LIVEs interleaved", specs, 0.9, 0.9);
    assert!(e.delay(90) <= 10_000, "p90 identification {} ms after the peak", e.delay(90));
    assert!(e.delay(100) <= 15_000, "worst identification {} ms after the peak", e.delay(100));
}

#[test]
fn noisy_streams_keep_precision() {
    let specs: Vec<_> = (0..6)
        .map(|i| {
            let mut s = StreamSpec::new(&format!("noisy-{i}"), T0, 300 + i);
            s.noise = 0.4;
            s.jitter_ms = 3_000;
            s.viewers = 400.0;
            s.plant_random(5)
        })
        .collect();
    check("noisy", specs, 0.85, 0.8);
}

#[test]
fn tiny_and_huge_audiences() {
    let mut tiny = StreamSpec::new("tiny", T0, 401);
    tiny.viewers = 20.0;
    let tiny = tiny.plant_random(4);
    let mut huge = StreamSpec::new("huge", T0, 402);
    huge.viewers = 200_000.0;
    huge.duration_s = 6 * 60;
    huge.planted = vec![
        Planted { at_s: 150, dur_s: 20, kind: Burst::Conversion, strength: 3.0 },
        Planted { at_s: 280, dur_s: 16, kind: Burst::Engagement, strength: 3.5 },
    ];
    check("tiny (20 viewers)", vec![tiny], 0.75, 0.75);
    check("huge (200,000 viewers)", vec![huge], 1.0, 1.0);
}

#[test]
fn chat_only_recordings_work() {
    let mut s = StreamSpec::new("chat", T0, 501);
    s.comments_only = true;
    s.with_start_end = false;
    s.viewers = 3_000.0;
    let s = s.plant_random(5);
    let e = check("chat only, no live_start/live_end", vec![s], 0.8, 0.8);
    assert!(e.found > 0);
}

#[test]
fn the_product_follows_conversions_then_the_pin() {
    let mut s = StreamSpec::new("pins", T0, 601);
    s.viewers = 2_000.0;
    s.pin_every_s = 300;
    s.planted = vec![
        Planted { at_s: 200, dur_s: 20, kind: Burst::Conversion, strength: 6.0 },
        Planted { at_s: 500, dur_s: 20, kind: Burst::Engagement, strength: 6.0 },
    ];
    let moments = run(&generate(&s));
    let near = |at: i64| moments.iter().find(|m| (m.peak_ms - (T0 + at * 1000)).abs() < 15_000).expect("found");
    assert_eq!(near(200).product_id.as_deref(), Some(s.pinned_at(200).unwrap().0.as_str()));
    assert_eq!(near(500).product_id.as_deref(), Some(s.pinned_at(500).unwrap().0.as_str()));
    assert!(
        near(200).signals.iter().any(|x| x.contains("orders") || x.contains("clicks") || x.contains("add-to-carts")),
        "{:?}",
        near(200).signals
    );
}
