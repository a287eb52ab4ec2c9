//! Opening the module's first page through the core, beside the raw SQL that returns the same rows.
//!
//! Cache: 1,000 recordings with 20 highlights each. Goal: the core at most 2x the raw query.

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use criterion::{Criterion, criterion_group, criterion_main};
use highlights_core::Event;
use highlights_core::api::{Changes, HighlightKind, HighlightStatus};
use highlights_core::module::{PAGE_SIZE, PAGE_SQL};

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
            highlights.push(highlight(&format!("{}-{k}", l.id), l, kind, status, 60 * k));
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
    g.bench_function("raw_sql", |b| {
        b.iter(|| {
            let mut stmt = raw.prepare_cached(PAGE_SQL).unwrap();
            let rows = stmt
                .query_map(rusqlite::params!["seller-a", i64::MAX, "", PAGE_SIZE], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                        r.get::<_, bool>(4)?,
                        r.get::<_, u32>(5)?,
                        r.get::<_, u32>(6)?,
                    ))
                })
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            assert_eq!(rows.len(), PAGE_SIZE as usize);
            rows
        })
    });
    g.finish();
    let v = core.view().unwrap();
    assert_eq!(v.module.recordings.len(), PAGE_SIZE as usize);
    assert!(v.module.recordings.iter().all(|r| r.highlight_count == 10 && r.recommendation_count == 5));
}

criterion_group!(benches, bench);
criterion_main!(benches);
