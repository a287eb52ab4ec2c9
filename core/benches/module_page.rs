//! Opening the module's first page through the core, beside an independent baseline: the plain
//! query someone would write for that page (newest 50 LIVEs, joined to their highlights and
//! counted), written here without the core's SQL, and checked to return the same rows.
//!
//! Cache: 1,000 recordings with 20 highlights each. Goal: the core at most 2x the baseline.

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use criterion::{Criterion, criterion_group, criterion_main};
use highlights_core::Event;
use highlights_core::api::{Changes, HighlightKind, HighlightStatus, Results, Video, VideoState};
use highlights_core::testing::PAGE_SIZE;

/// The first page as one would write it from scratch: a join and a GROUP BY for the counts and
/// sums, window functions for each LIVE's best clip and first clips.
const BASELINE_SQL: &str = "
WITH page AS (SELECT * FROM lives WHERE seller_id = ?1 ORDER BY started_at_ms DESC, id DESC LIMIT ?2),
up AS (SELECT h.live_id, h.thumbnail_url,
         row_number() OVER (PARTITION BY h.live_id ORDER BY h.score DESC, h.start_ms) AS best,
         row_number() OVER (PARTITION BY h.live_id ORDER BY h.start_ms, h.id) AS nth
       FROM highlights h JOIN page l ON h.seller_id = l.seller_id AND h.live_id = l.id
       WHERE h.status IN ('scheduled', 'posted') AND h.thumbnail_url IS NOT NULL)
SELECT l.id, l.title, l.started_at_ms, l.ended_at_ms, l.is_live,
  count(CASE WHEN h.kind IN ('auto', 'manual') AND h.status IN ('scheduled', 'posted') THEN 1 END),
  count(CASE WHEN h.kind = 'recommendation' AND h.status = 'suggested' THEN 1 END),
  (SELECT thumbnail_url FROM up WHERE up.live_id = l.id AND best = 1),
  (SELECT json_group_array(thumbnail_url ORDER BY nth) FROM up WHERE up.live_id = l.id AND nth <= 6),
  total(h.views), total(h.gmv_minor)
FROM page l LEFT JOIN highlights h ON h.seller_id = l.seller_id AND h.live_id = l.id
GROUP BY l.id
ORDER BY l.started_at_ms DESC, l.id DESC";

/// A module row as both queries answer it: the counts, the cover, the strip, views and GMV.
type Row = (String, String, i64, Option<i64>, bool, u32, u32, Option<String>, Vec<String>, u64, i64);

fn baseline(raw: &rusqlite::Connection) -> Vec<Row> {
    let mut stmt = raw.prepare_cached(BASELINE_SQL).unwrap();
    stmt.query_map(rusqlite::params!["seller-a", PAGE_SIZE], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            serde_json::from_str(&r.get::<_, String>(8)?).unwrap(),
            r.get::<_, f64>(9)? as u64,
            r.get::<_, f64>(10)? as i64,
        ))
    })
    .unwrap()
    .collect::<Result<Vec<_>, _>>()
    .unwrap()
}

/// Median time of `f` over `n` runs, in microseconds.
fn median_us(n: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..n)
        .map(|_| {
            let start = std::time::Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[n / 2]
}

fn big_cache() -> Changes {
    let lives: Vec<_> = (0..1_000).map(live).collect();
    let mut highlights = Vec::with_capacity(20_000);
    for l in &lives {
        for k in 0..20 {
            let (kind, status) = match k % 4 {
                0 => (HighlightKind::Recommendation, HighlightStatus::Suggested),
                1 => (HighlightKind::Auto, HighlightStatus::Scheduled),
                2 => (HighlightKind::Auto, HighlightStatus::Removed),
                _ => (HighlightKind::Auto, HighlightStatus::Posted),
            };
            let mut h = highlight(&format!("{}-{k}", l.id), l, kind, status, 60 * k);
            // Clips up or taken down have their video and what it earned, as a real cache does.
            if kind == HighlightKind::Auto {
                h.video = Some(Video {
                    state: VideoState::Ready,
                    duration_ms: Some(20_000),
                    video_url: Some(format!("https://cdn.example/{}.mp4", h.id)),
                    thumbnail_url: Some(format!("https://cdn.example/{}.jpg", h.id)),
                    storyboard: None,
                    detail: None,
                });
                h.results = Some(Results { views: 100 + k as u64, gmv_minor: 990 * k, ..Default::default() });
            }
            highlights.push(h);
        }
    }
    Changes { cursor: 1, has_more: false, config: Some(config()), experiments: None, settings: None, lives, highlights }
}

fn bench(c: &mut Criterion) {
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&big_cache()).unwrap();
    let raw = rusqlite::Connection::open(dev.db()).unwrap();

    let mut g = c.benchmark_group("module_first_page");
    g.bench_function("core_open_module", |b| {
        b.iter(|| {
            core.dispatch(Event::OpenModule).unwrap();
        })
    });
    g.bench_function("independent_baseline_sql", |b| b.iter(|| baseline(&raw)));
    g.finish();
    let v = core.view().unwrap();
    assert_eq!(v.module.recordings.len(), PAGE_SIZE as usize);
    assert!(v.module.recordings.iter().all(|r| r.highlight_count == 10 && r.recommendation_count == 5));
    let same: Vec<Row> = v
        .module
        .recordings
        .iter()
        .map(|r| {
            (
                r.id.clone(),
                r.title.clone(),
                r.started_at_ms,
                r.ended_at_ms,
                r.is_live,
                r.highlight_count,
                r.recommendation_count,
                r.cover_url.clone(),
                r.thumbnail_urls.clone(),
                r.views,
                r.gmv_minor,
            )
        })
        .collect();
    assert!(same.iter().all(|r| r.7.is_some() && r.8.len() == 6 && r.9 > 0), "covers, strips and views are there");
    assert_eq!(baseline(&raw), same, "the baseline answers the same page");
    let core_us = median_us(500, || core.dispatch(Event::OpenModule).unwrap());
    let base_us = median_us(500, || {
        baseline(&raw);
    });
    println!(
        "module first page: core {core_us:.0} µs, independent baseline {base_us:.0} µs: {:.2}x (goal <= 2x)",
        core_us / base_us
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
