//! Fuzzing the decoders of outside input in the core: whatever bytes or values the server sends,
//! decoding and applying either works or fails with a typed error, never panics, and a refused
//! page leaves the cache (and the screens) exactly as they were.

mod common;

use common::*;
use highlights_core::api::{
    Changes, Highlight, HighlightKind, HighlightStatus, Live, LiveStatus, Product, RemoteConfig, Settings,
    StaleSettings, Video, VideoState,
};
use highlights_core::{CoreError, Event};
use proptest::prelude::*;

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
        "\\PC{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z_]{1,14}", inner, 0..8)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Ids as a hostile server might send them, always structurally valid strings.
fn hostile_id() -> impl Strategy<Value = String> {
    prop_oneof![
        40 => (0usize..6).prop_map(|i| format!("live-{i:04}")),
        1 => Just(String::new()),
        1 => "[\\x00-\\x1f]{1,3}",
        1 => Just("x".repeat(300)),
        2 => "\\PC{1,12}",
    ]
}

fn timestamp() -> impl Strategy<Value = i64> {
    prop_oneof![
        40 => 1_700_000_000_000i64..1_900_000_000_000,
        1 => Just(i64::MIN),
        1 => Just(i64::MAX),
        1 => Just(0i64),
        1 => -1_000i64..0,
    ]
}

fn hostile_live() -> impl Strategy<Value = Live> {
    (
        hostile_id(),
        "\\PC{0,40}",
        timestamp(),
        prop::option::of(timestamp()),
        prop::collection::vec(hostile_id(), 0..3),
        any::<i64>(),
    )
        .prop_map(|(id, title, start, end, products, seq)| Live {
            id,
            title,
            started_at_ms: start,
            ended_at_ms: end,
            status: if end.is_some() { LiveStatus::Ended } else { LiveStatus::Live },
            products: products.into_iter().map(|p| Product { name: p.clone(), id: p }).collect(),
            highlights_on: seq % 2 == 0,
            seq,
        })
}

fn hostile_highlight() -> impl Strategy<Value = Highlight> {
    let kind = prop_oneof![Just(HighlightKind::Auto), Just(HighlightKind::Recommendation), Just(HighlightKind::Manual)];
    let status = prop_oneof![
        Just(HighlightStatus::Scheduled),
        Just(HighlightStatus::Posted),
        Just(HighlightStatus::Suggested),
        Just(HighlightStatus::Removed)
    ];
    let score = prop_oneof![30 => -10.0f64..100.0, 1 => Just(f64::NAN), 1 => Just(f64::INFINITY), 1 => Just(f64::MAX)];
    let signals = prop::collection::vec("\\PC{0,30}", 0..4);
    let url = prop_oneof![
        12 => Just("https://cdn.example/v/1.mp4".to_string()),
        1 => Just("javascript:alert(1)".to_string()),
        1 => Just("http://host/with space".to_string()),
        1 => Just(String::new()),
        1 => "\\PC{0,40}",
    ];
    let state = prop_oneof![Just(VideoState::Rendering), Just(VideoState::Ready), Just(VideoState::Failed)];
    let duration = prop_oneof![8 => (1i64..120_000).prop_map(Some), 1 => Just(None), 1 => any::<i64>().prop_map(Some)];
    // Hostile storyboards: any grid, sane or not.
    // Rare, so most pages still apply: nearly every random grid is an insane one.
    let storyboard = prop::option::weighted(
        0.05,
        (url.clone(), any::<u32>(), 0u32..8, 0u32..200, any::<u32>(), any::<i64>()).prop_map(
            |(url, frames, columns, frame_width, frame_height, interval_ms)| highlights_core::api::Storyboard {
                url,
                frames: frames % 64,
                columns,
                frame_width,
                frame_height: frame_height % 400,
                interval_ms,
            },
        ),
    );
    let video = prop::option::weighted(
        0.3,
        (state, duration, prop::option::of(url.clone()), prop::option::of(url), storyboard).prop_map(
            |(state, duration_ms, video_url, thumbnail_url, storyboard)| Video {
                state,
                duration_ms,
                video_url,
                thumbnail_url,
                storyboard,
                detail: None,
            },
        ),
    );
    (
        (
            hostile_id(),
            hostile_id(),
            kind,
            status,
            timestamp(),
            timestamp(),
            score,
            signals,
            prop::option::of(timestamp()),
        ),
        video,
        // Hostile results: any counts, GMV of any sign.
        prop::option::of((any::<u64>(), any::<i64>()).prop_map(|(views, gmv_minor)| highlights_core::api::Results {
            views,
            gmv_minor,
            ..Default::default()
        })),
    )
        .prop_map(|((id, live_id, kind, status, start_ms, end_ms, score, signals, post_at_ms), video, results)| {
            Highlight {
                id,
                live_id,
                kind,
                status,
                live_now: false,
                start_ms,
                end_ms,
                product_id: None,
                score,
                signals,
                reasons: Vec::new(),
                post_at_ms,
                format: Default::default(),
                video,
                review: Default::default(),
                results,
                seq: 1,
            }
        })
}

/// A structurally valid page (it always decodes) whose every value may be out of range or
/// inconsistent: empty, control-character or huge ids, extreme times, highlights of unknown LIVEs,
/// a config whose bounds make no sense.
fn hostile_changes() -> impl Strategy<Value = Changes> {
    (
        any::<i64>(),
        prop::collection::vec(hostile_live(), 0..4),
        prop::collection::vec(hostile_highlight(), 0..6),
        prop::option::of((0u32..120, 0u32..120, any::<u32>(), any::<u32>(), 0u32..50)),
    )
        .prop_map(|(cursor, lives, highlights, cfg)| Changes {
            cursor,
            has_more: false,
            config: cfg.map(|(min, max, cooldown, shows, cap)| RemoteConfig {
                max_posts_per_live: cap,
                clip_min_s: min,
                clip_max_s: max,
                popup_cooldown_s: cooldown,
                popup_max_shows: shows,
                ..config()
            }),
            experiments: None,
            settings: None,
            lives,
            highlights,
        })
}

/// Everything the cache holds for the seller, as text, to compare before and after.
fn cache_dump(db: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for table in ["settings", "remote_config", "experiments", "lives", "live_products", "highlights", "sync_state"] {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2")).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| (0..n).map(|i| r.get_ref(i).map(|v| format!("{v:?}"))).collect::<Result<Vec<_>, _>>())
            .unwrap();
        for row in rows {
            out.push(format!("{table}: {}", row.unwrap().join(" | ")));
        }
    }
    out
}

/// An accepted page left a cache that makes sense: every highlight belongs to a known LIVE, the
/// module counts what is stored, and the cursor is the page's.
fn consistent(db: &std::path::Path, page: &Changes, view: &highlights_core::ViewState) -> Result<(), TestCaseError> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM highlights h WHERE NOT EXISTS (SELECT 1 FROM lives l WHERE l.id = h.live_id AND l.seller_id = h.seller_id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    prop_assert_eq!(orphans, 0, "highlights of LIVEs the cache does not know");
    // Counted here from the stored rows, independently of the module's own query.
    let mut stmt = conn.prepare("SELECT live_id, kind, status FROM highlights").unwrap();
    let stored: Vec<(String, String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    for row in &view.module.recordings {
        let on_profile = stored
            .iter()
            .filter(|(l, k, st)| *l == row.id && k != "recommendation" && (st == "scheduled" || st == "posted"))
            .count();
        let suggested =
            stored.iter().filter(|(l, k, st)| *l == row.id && k == "recommendation" && st == "suggested").count();
        prop_assert_eq!(row.highlight_count as usize, on_profile, "{}", row.id);
        prop_assert_eq!(row.recommendation_count as usize, suggested, "{}", row.id);
    }
    // The cursor never goes back, whatever a page says.
    let cursor: i64 = conn.query_row("SELECT cursor FROM sync_state", [], |r| r.get(0)).unwrap();
    prop_assert_eq!(cursor, page.cursor.max(seed(3, false).cursor));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(300), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_the_decoders(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = serde_json::from_slice::<Changes>(&bytes);
        let _ = serde_json::from_slice::<Settings>(&bytes);
        let _ = serde_json::from_slice::<Highlight>(&bytes);
        let _ = serde_json::from_slice::<StaleSettings>(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(v in json_value()) {
        let _ = serde_json::from_value::<Changes>(v.clone());
        let _ = serde_json::from_value::<Highlight>(v);
    }

    #[test]
    fn hostile_pages_apply_or_are_refused_whole(page in hostile_changes()) {
        let dev = Device::new();
        let core = dev.open("seller-a");
        core.apply_changes(&seed(3, false)).unwrap();
        core.dispatch(Event::OpenModule).unwrap();
        let (before, cache_before) = (core.view().unwrap(), cache_dump(&dev.db()));
        match core.apply_changes(&page) {
            Ok(()) => {
                core.dispatch(Event::OpenModule).unwrap();
                consistent(&dev.db(), &page, &core.view().unwrap())?;
            }
            Err(CoreError::BadServerData { .. }) => {
                let after = core.view().unwrap();
                prop_assert_eq!(after.module, before.module);
                prop_assert_eq!(after.highlights, before.highlights);
                prop_assert_eq!(cache_dump(&dev.db()), cache_before, "a refused page changed the cache");
            }
            Err(e) => prop_assert!(false, "unexpected error {e:?}"),
        }
        // Whatever happened, the core still answers.
        core.dispatch(Event::OpenModule).unwrap();
    }
}

/// The hostile pages really exercise both outcomes: a fixed sample of them both applies and gets
/// refused often enough.
#[test]
fn hostile_pages_both_apply_and_get_refused() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..200 {
        let page = hostile_changes().new_tree(&mut runner).unwrap().current();
        let dev = Device::new();
        let core = dev.open("seller-a");
        core.apply_changes(&seed(3, false)).unwrap();
        match core.apply_changes(&page) {
            Ok(()) => accepted += 1,
            Err(CoreError::BadServerData { .. }) => refused += 1,
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    println!("hostile pages: {accepted} applied, {refused} refused whole");
    assert!(accepted >= 15 && refused >= 15, "{accepted} applied, {refused} refused");
}

/// Cases per fuzz target: a CI slice by default, `FUZZ_CASES` for the full run.
fn fuzz_cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
