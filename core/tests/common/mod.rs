//! Fixtures shared by the core's integration tests: server-shaped data fed through the sync port.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use highlights_core::api::*;
use highlights_core::testing::ManualClock;
pub use highlights_core::testing::SyncPort;
use highlights_core::{HighlightsCore, StateObserver, ViewState};

/// 2026-11-01T00:00:00Z, the fixtures' "now".
pub const T0: i64 = 1_793_491_200_000;

pub struct Device {
    pub dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
}

impl Device {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap(), clock: Arc::new(ManualClock::new(T0)) }
    }
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("highlights.db")
    }
    /// Opens (or, the second time, reopens: a restart) the core for `seller`.
    pub fn open(&self, seller: &str) -> HighlightsCore {
        HighlightsCore::open_with_clock(&self.db(), seller, self.clock.clone()).unwrap()
    }
}

/// Remote config with limits unlike the server's defaults, so a default compiled into the app
/// would show.
pub fn config() -> RemoteConfig {
    RemoteConfig {
        max_posts_per_live: 7,
        max_posts_per_product: 2,
        post_delay_s: 90,
        clip_min_s: 12,
        clip_max_s: 45,
        popup_cooldown_s: 3600,
        popup_max_shows: 2,
        ..RemoteConfig::default()
    }
}

pub fn experiments(popup: bool) -> Experiments {
    Experiments {
        popup,
        format_variant: "end_card".into(),
        format: FormatSpec { click_now_end_card: true, ..Default::default() },
    }
}

pub fn settings(on: bool, onboarded: bool, version: i64) -> Settings {
    Settings {
        highlights_on: on,
        onboarding_completed: onboarded,
        popup_shows: 0,
        popup_dismissed_at_ms: None,
        version,
        updated_at_ms: T0,
        next_live_highlights_on: true,
        review_before_posting: false,
        only_products: Vec::new(),
        posting_bar: Default::default(),
    }
}

/// Recording `i`: started `i` hours before T0, 45 minutes long, two products; recording 0 is still LIVE.
pub fn live(i: usize) -> Live {
    let start = T0 - (i as i64 + 1) * 3_600_000;
    Live {
        id: format!("live-{i:04}"),
        title: format!("LIVE #{i}"),
        started_at_ms: start,
        ended_at_ms: if i == 0 { None } else { Some(start + 45 * 60_000) },
        status: if i == 0 { LiveStatus::Live } else { LiveStatus::Ended },
        products: vec![
            Product { id: "sku-1".into(), name: "Serum".into() },
            Product { id: "sku-2".into(), name: "Lip tint".into() },
        ],
        highlights_on: true,
        seq: i as i64 + 1,
    }
}

pub fn highlight(id: &str, live: &Live, kind: HighlightKind, status: HighlightStatus, offset_s: i64) -> Highlight {
    let start = live.started_at_ms + offset_s * 1000;
    Highlight {
        id: id.into(),
        live_id: live.id.clone(),
        kind,
        status,
        live_now: false,
        start_ms: start,
        end_ms: start + 30_000,
        product_id: Some("sku-1".into()),
        score: 5.0 + offset_s as f64 / 1000.0,
        signals: vec!["comments 4.1x baseline".into()],
        reasons: vec![],
        post_at_ms: Some(start + 300_000),
        format: FormatSpec::default(),
        video: None,
        review: Default::default(),
        results: None,
        seq: 10_000,
    }
}

/// A changes page holding config, experiments, settings and `n` recordings with three highlights each.
pub fn seed(n: usize, popup: bool) -> Changes {
    let lives: Vec<Live> = (0..n).map(live).collect();
    let mut highlights = Vec::new();
    for l in &lives {
        let mut auto = highlight(&format!("{}-a", l.id), l, HighlightKind::Auto, HighlightStatus::Posted, 60);
        auto.live_now = l.status == LiveStatus::Live;
        highlights.push(auto);
        highlights.push(highlight(&format!("{}-s", l.id), l, HighlightKind::Auto, HighlightStatus::Scheduled, 600));
        highlights.push(highlight(
            &format!("{}-r", l.id),
            l,
            HighlightKind::Recommendation,
            HighlightStatus::Suggested,
            900,
        ));
    }
    Changes {
        cursor: 10_000,
        has_more: false,
        config: Some(config()),
        experiments: Some(experiments(popup)),
        settings: Some(settings(false, false, 1)),
        lives,
        highlights,
    }
}

/// Collects every state an observer is given.
#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<ViewState>>);

impl StateObserver for Recorder {
    fn on_state(&self, state: &ViewState) {
        self.0.lock().unwrap().push(state.clone());
    }
}
