//! Fuzzing the event decoder and the replay input: any bytes are counted and skipped or scored,
//! never a panic, and the counts always add up.

use highlights_engine::replay::replay;
use highlights_engine::{Engine, EngineSettings, LiveEvent, Policy};
use proptest::prelude::*;

fn event_line() -> impl Strategy<Value = String> {
    let ty = prop_oneof![
        Just("comment"),
        Just("like"),
        Just("gift"),
        Just("order"),
        Just("product_pin"),
        Just("live_end"),
        Just("live_start"),
        Just("viewer_join"),
        Just("viewer_count"),
        Just("add_to_cart"),
        Just("teleport"),
    ];
    let num = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:?}")),
        Just("\"12\"".to_string()),
        Just("null".to_string()),
        Just("1e400".to_string()),
    ];
    (ty, num.clone(), num.clone(), "\\PC{0,12}", "\\PC{0,40}", any::<bool>()).prop_map(|(ty, ts, n, id, text, truncate)| {
        let clean = |s: &str| s.replace(['"', '\\'], "");
        let line = format!(
            r#"{{"ts_ms":{ts},"live_id":"{}","type":"{ty}","count":{n},"value":{n},"product_id":"{}","quantity":{n},"amount_cents":{n},"user":"{}","text":"{}"}}"#,
            clean(&id),
            clean(&id),
            clean(&text),
            clean(&text)
        );
        let half = (0..=line.len() / 2).rev().find(|i| line.is_char_boundary(*i)).unwrap_or(0);
        if truncate { line[..half].to_string() } else { line }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(500), ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_parse_or_are_skipped(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = LiveEvent::parse_line(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn hostile_lines_feed_the_engine_without_panicking(lines in prop::collection::vec(event_line(), 1..60)) {
        let mut engine = Engine::new(EngineSettings::default());
        for l in &lines {
            if let Ok(e) = LiveEvent::parse_line(l) {
                let _ = engine.push(&e);
            }
        }
        let _ = engine.flush_all();
    }

    #[test]
    fn replay_counts_add_up_for_any_input(lines in prop::collection::vec(prop_oneof![event_line(), "\\PC{0,40}"], 0..80)) {
        let input = lines.join("\n");
        let (mut out, mut diag) = (Vec::new(), Vec::new());
        let policy = Policy::default();
        let stats = replay(input.as_bytes(), &mut out, &mut diag, EngineSettings::default(), &policy, false).unwrap();
        // Lines as `BufRead::split` sees them: a final empty piece after the last newline is no line.
        let mut pieces: Vec<&str> = input.split('\n').collect();
        if pieces.last() == Some(&"") {
            pieces.pop();
        }
        let blank = pieces.iter().filter(|l| String::from_utf8_lossy(l.as_bytes()).trim().is_empty()).count() as u64;
        prop_assert_eq!(stats.events + stats.malformed + stats.unknown_type + blank, stats.lines);
        prop_assert_eq!(stats.auto_posted + stats.recommended, stats.moments);
        prop_assert_eq!(String::from_utf8(out).unwrap().lines().count() as u64, stats.auto_posted);
    }
}

/// Cases per fuzz target: a CI slice by default, `FUZZ_CASES` for the full run.
fn fuzz_cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
