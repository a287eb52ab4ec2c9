//! The online promise: a decision at stream time t uses only events up to t. Running a stream cut
//! anywhere gives exactly the moments the whole stream gave up to that point, and every moment is
//! decided no earlier than the events that show it.

use highlights_engine::sim::{StreamSpec, generate};
use highlights_engine::{Engine, EngineSettings, Moment};
use proptest::prelude::*;

const T0: i64 = 1_793_491_200_000;

/// Moments emitted while pushing each event, in order.
fn moments_per_event(events: &[highlights_engine::LiveEvent]) -> Vec<Vec<Moment>> {
    let mut engine = Engine::new(EngineSettings::default());
    events.iter().map(|e| engine.push(e)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    #[test]
    fn a_cut_stream_gives_the_same_moments_up_to_the_cut(
        seed in 0u64..10_000,
        viewers in prop_oneof![Just(30.0), Just(400.0), Just(3_000.0)],
        chat_only in any::<bool>(),
        cut in 0.05f64..1.0,
    ) {
        let mut spec = StreamSpec::new("online", T0, seed);
        spec.viewers = viewers;
        spec.duration_s = 8 * 60;
        spec.comments_only = chat_only;
        let events = generate(&spec.plant_random(3).with_distractions());
        let whole = moments_per_event(&events);
        let n = ((events.len() as f64) * cut) as usize;
        let prefix = moments_per_event(&events[..n]);
        prop_assert_eq!(&prefix[..], &whole[..n]);
        let mut newest = i64::MIN;
        for (e, found) in events.iter().zip(&whole) {
            newest = newest.max(e.ts_ms);
            for m in found {
                prop_assert!(m.identified_at_ms <= newest.max(m.end_ms), "decided before its events arrived");
                prop_assert!(m.peak_ms <= newest && m.end_ms <= m.identified_at_ms);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// A worker that takes a LIVE over from a checkpoint finds exactly what the first would have.
    #[test]
    fn a_stream_resumed_from_a_checkpoint_gives_the_same_moments(
        seed in 0u64..10_000,
        viewers in prop_oneof![Just(30.0), Just(400.0), Just(3_000.0)],
        chat_only in any::<bool>(),
        cut in 0.05f64..1.0,
    ) {
        let mut spec = StreamSpec::new("online", T0, seed);
        spec.viewers = viewers;
        spec.duration_s = 8 * 60;
        spec.comments_only = chat_only;
        let events = generate(&spec.plant_random(3).with_distractions());
        let whole = moments_per_event(&events);
        let n = ((events.len() as f64) * cut) as usize;
        let mut first = Engine::new(EngineSettings::default());
        for e in &events[..n] {
            first.push(e);
        }
        let mut second = Engine::new(EngineSettings::default());
        if let Some(bytes) = first.checkpoint("online") {
            second.restore("online", &bytes).unwrap();
        }
        let rest: Vec<Vec<Moment>> = events[n..].iter().map(|e| second.push(e)).collect();
        prop_assert_eq!(&rest[..], &whole[n..]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(12), ..ProptestConfig::default() })]

    /// Batches (as ingestion delivers them) find exactly what one event at a time finds, with many
    /// LIVEs interleaved, whatever the batch size and however the batch boundaries fall.
    #[test]
    fn batches_give_the_same_moments_as_one_event_at_a_time(
        seed in 0u64..10_000,
        lives in 1u64..40,
        batch in 1usize..700,
    ) {
        let mut events = Vec::new();
        for i in 0..lives {
            let mut spec = StreamSpec::new(&format!("live-{i}"), T0 + i as i64 * 997, seed + i);
            spec.viewers = [30.0, 400.0, 3_000.0][i as usize % 3];
            spec.duration_s = 4 * 60;
            events.extend(generate(&spec.plant_random(2).with_distractions()));
        }
        events.sort_by_key(|e| e.ts_ms);
        let one_by_one: Vec<Moment> = moments_per_event(&events).into_iter().flatten().collect();
        let mut engine = Engine::new(EngineSettings::default());
        let batched: Vec<Moment> = events.chunks(batch).flat_map(|b| engine.push_all(b)).collect();
        prop_assert_eq!(batched, one_by_one);
    }
}

#[test]
fn a_checkpoint_is_small_and_bad_bytes_are_refused() {
    let mut spec = StreamSpec::new("online", T0, 7);
    spec.viewers = 400.0;
    spec.duration_s = 8 * 60;
    let events = generate(&spec.plant_random(3));
    let mut engine = Engine::new(EngineSettings::default());
    for e in &events {
        engine.push(e);
    }
    let bytes = engine.checkpoint("online").expect("the LIVE has state");
    assert!(bytes.len() > 500 && bytes.len() <= 4096, "a checkpoint fits the state budget: {} bytes", bytes.len());
    let mut other = Engine::default();
    assert!(other.restore("online", &[]).is_err());
    assert!(other.restore("online", &[9, 1, 2]).is_err(), "another format is refused");
    assert!(other.restore("online", &bytes[..bytes.len() / 2]).is_err(), "a torn checkpoint is refused");
    assert!(!other.knows("online"), "nothing half-restored is kept");
    assert!(Engine::default().checkpoint("online").is_none());
}

#[test]
fn the_property_is_not_vacuous() {
    let mut spec = StreamSpec::new("online", T0, 7);
    spec.viewers = 400.0;
    spec.duration_s = 8 * 60;
    let events = generate(&spec.plant_random(3));
    let found: usize = moments_per_event(&events).iter().map(Vec::len).sum();
    assert!(found >= 2, "the streams the property runs on do have moments ({found})");
    let mut spec = StreamSpec::new("batched", T0, 11);
    spec.duration_s = 4 * 60;
    let batched = Engine::default().push_all(&generate(&spec.plant_random(2)));
    assert!(!batched.is_empty(), "and so do those the batch property runs on");
}

/// Cases per property: a CI slice by default, `FUZZ_CASES` for the full run.
fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
