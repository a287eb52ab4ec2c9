//! The highlight engine inside the server: scores ingested events, applies the seller's toggle and
//! the caps, schedules auto-posts, posts them when due, and keeps the LIVE-now flag true.

use std::sync::{Arc, Mutex};

use highlights_api::{HighlightKind, HighlightStatus, RemoteConfig};
use highlights_engine::{Decision, Engine, EventKind, LiveEvent, Moment, Policy};
use rusqlite::{Connection, OptionalExtension, params};

use crate::db::next_seq;
use crate::engine_settings;
use crate::error::ApiError;
use crate::routes::highlights::{NewHighlight, insert, set_status};
use crate::routes::{config, settings};

/// The engine shared by all ingestion requests.
#[derive(Clone, Default)]
pub struct Highlighter {
    engine: Arc<Mutex<Engine>>,
}

/// Stream time replayed to rebuild a LIVE's detector after a restart: five baseline horizons.
pub const WARM_UP_MS: i64 = 10 * 60 * 1000;

/// Posting rules that follow remote config.
pub fn policy(c: &RemoteConfig) -> Policy {
    Policy {
        max_per_live: c.max_posts_per_live,
        max_per_product: c.max_posts_per_product,
        post_delay_ms: i64::from(c.post_delay_s) * 1000,
    }
}

/// The engine settings in force now (stored ones within the remote config's clip bounds).
pub fn settings_in_force(conn: &Connection) -> Result<highlights_engine::EngineSettings, ApiError> {
    let (cfg, _) = config::load(conn)?;
    Ok(engine_settings::in_force(engine_settings::load(conn)?, &cfg))
}

/// What one batch produced.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Produced {
    /// Auto-posts scheduled.
    pub scheduled: u32,
    /// Recommendations stored.
    pub recommended: u32,
}

impl Highlighter {
    /// Rebuilds the detectors of these LIVEs from their recent stored events if this process has
    /// none (after a restart), acting on nothing: what those events caused was stored when they
    /// arrived. Only the last [`WARM_UP_MS`] are replayed (plus the product pinned before them):
    /// the baseline forgets older activity anyway, and a long LIVE must not stall the restart.
    /// Call before storing the new batch.
    pub fn warm_up<'a>(&self, conn: &Connection, live_ids: impl IntoIterator<Item = &'a str>) -> Result<(), ApiError> {
        let settings = settings_in_force(conn)?;
        let mut engine = self.engine.lock().unwrap_or_else(|e| e.into_inner());
        engine.set_settings(settings);
        for live_id in live_ids {
            if engine.knows(live_id) {
                continue;
            }
            let Some(newest): Option<i64> = conn
                .prepare_cached("SELECT max(ts_ms) FROM events WHERE live_id = ?1")?
                .query_row([live_id], |r| r.get(0))?
            else {
                continue;
            };
            let from = newest - WARM_UP_MS;
            let pin: Option<String> = conn
                .prepare_cached(
                    "SELECT json FROM events WHERE live_id = ?1 AND ts_ms < ?2 AND json LIKE '%\"product_pin\"%'
                     ORDER BY ts_ms DESC LIMIT 1",
                )?
                .query_row(params![live_id, from], |r| r.get(0))
                .optional()?;
            let mut stmt =
                conn.prepare_cached("SELECT json FROM events WHERE live_id = ?1 AND ts_ms >= ?2 ORDER BY id")?;
            let recent = stmt.query_map(params![live_id, from], |r| r.get::<_, String>(0))?;
            // The pin is replayed as if it happened at the window's start, so the detector does not
            // see a long silence between it and the window.
            if let Some(mut e) = pin.and_then(|j| LiveEvent::parse_line(&j).ok()) {
                e.ts_ms = from;
                let _ = engine.push(&e);
            }
            for json in recent {
                if let Ok(e) = LiveEvent::parse_line(&json?) {
                    let _ = engine.push(&e);
                }
            }
        }
        Ok(())
    }

    /// Scores a stored batch of one seller's events and stores what it finds, inside the caller's
    /// transaction, so events and the highlights they caused commit together.
    pub fn process(&self, conn: &Connection, seller_id: &str, events: &[LiveEvent]) -> Result<Produced, ApiError> {
        let (cfg, _) = config::load(conn)?;
        let settings = engine_settings::in_force(engine_settings::load(conn)?, &cfg);
        let mut moments = Vec::new();
        {
            let mut engine = self.engine.lock().unwrap_or_else(|e| e.into_inner());
            engine.set_settings(settings);
            for e in events {
                moments.extend(engine.push(e));
                if e.kind == EventKind::LiveEnd {
                    engine.forget(&e.live_id);
                }
            }
        }
        let mut produced = Produced::default();
        for m in moments {
            match store_moment(conn, seller_id, &cfg, &m)? {
                Some(Decision::AutoPost { .. }) => produced.scheduled += 1,
                Some(Decision::Recommend) => produced.recommended += 1,
                None => {}
            }
        }
        Ok(produced)
    }
}

fn count(conn: &Connection, live_id: &str, product: Option<&str>) -> Result<u32, ApiError> {
    let n: u32 = match product {
        None => conn
            .prepare_cached("SELECT count(*) FROM highlights WHERE live_id = ?1 AND kind = 'auto'")?
            .query_row([live_id], |r| r.get(0))?,
        Some(p) => conn
            .prepare_cached(
                "SELECT count(*) FROM highlights WHERE live_id = ?1 AND kind = 'auto' AND product_id IS ?2",
            )?
            .query_row(params![live_id, p], |r| r.get(0))?,
    };
    Ok(n)
}

/// Stores one moment: only for sellers with the toggle on; auto-posted within the caps (every
/// auto-post counts, removed ones too, so taking one down never lets the engine exceed the cap),
/// otherwise kept as a recommendation.
fn store_moment(
    conn: &Connection,
    seller_id: &str,
    cfg: &RemoteConfig,
    m: &Moment,
) -> Result<Option<Decision>, ApiError> {
    if !settings::is_on(conn, seller_id)? {
        return Ok(None);
    }
    // A moment overlapping one already stored for this LIVE is the same moment seen again (a
    // detector rebuilt after a restart re-finds what it found before the crash).
    let seen: bool = conn
        .prepare_cached(
            "SELECT 1 FROM highlights WHERE live_id = ?1 AND kind != 'manual' AND start_ms < ?3 AND end_ms > ?2 LIMIT 1",
        )?
        .exists(params![m.live_id, m.start_ms, m.end_ms])?;
    if seen {
        return Ok(None);
    }
    let in_live = count(conn, &m.live_id, None)?;
    let for_product = match &m.product_id {
        Some(p) => count(conn, &m.live_id, Some(p))?,
        None => conn
            .prepare_cached(
                "SELECT count(*) FROM highlights WHERE live_id = ?1 AND kind = 'auto' AND product_id IS NULL",
            )?
            .query_row([&m.live_id], |r| r.get(0))?,
    };
    let decision = policy(cfg).decide(m, in_live, for_product);
    let (experiments, _) = config::experiments_of(conn, seller_id)?;
    let (kind, status, post_at) = match decision {
        Decision::AutoPost { post_at_ms } => (HighlightKind::Auto, HighlightStatus::Scheduled, Some(post_at_ms)),
        Decision::Recommend => (HighlightKind::Recommendation, HighlightStatus::Suggested, None),
    };
    insert(
        conn,
        &NewHighlight {
            seller_id: seller_id.into(),
            live_id: m.live_id.clone(),
            kind,
            status,
            live_now: false,
            start_ms: m.start_ms,
            end_ms: m.end_ms,
            peak_ms: Some(m.peak_ms),
            product_id: m.product_id.clone(),
            score: m.score,
            signals: m.signals.clone(),
            identified_at_ms: Some(m.identified_at_ms),
            post_at_ms: post_at,
            posted_at_ms: None,
            format: experiments.format,
        },
    )?;
    Ok(Some(decision))
}

/// Posts every scheduled highlight that is due, by the later of the wall clock and its LIVE's
/// stream clock. A seller who turned the toggle off meanwhile gets a recommendation instead.
pub fn post_due(conn: &Connection, now_ms: i64) -> Result<u32, ApiError> {
    let due: Vec<(String, String, bool, bool)> = conn
        .prepare_cached(
            "SELECT h.id, h.seller_id, l.status = 'live', coalesce(s.highlights_on, 0)
             FROM highlights h JOIN lives l ON l.id = h.live_id LEFT JOIN settings s ON s.seller_id = h.seller_id
             WHERE h.status = 'scheduled' AND h.post_at_ms <= max(?1, coalesce(l.last_event_ms, 0))",
        )?
        .query_map([now_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    let mut posted = 0;
    for (id, _seller, live, on) in due {
        if on {
            set_status(conn, &id, HighlightStatus::Posted, live)?;
            posted += 1;
        } else {
            let seq = next_seq(conn)?;
            conn.prepare_cached("UPDATE highlights SET kind = 'recommendation', status = 'suggested', post_at_ms = NULL, seq = ?2 WHERE id = ?1")?
                .execute(params![id, seq])?;
        }
    }
    Ok(posted)
}

/// Clears the LIVE-now flag of a LIVE's highlights once it has ended.
pub fn clear_live_now(conn: &Connection, live_id: &str) -> Result<(), ApiError> {
    let ids: Vec<String> = conn
        .prepare_cached("SELECT id FROM highlights WHERE live_id = ?1 AND live_now = 1")?
        .query_map([live_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        let seq = next_seq(conn)?;
        conn.prepare_cached("UPDATE highlights SET live_now = 0, seq = ?2 WHERE id = ?1")?.execute(params![id, seq])?;
    }
    Ok(())
}

/// The stream clock of a LIVE: its newest event time.
pub fn advance_stream_clock(conn: &Connection, live_id: &str, ts_ms: i64) -> Result<(), ApiError> {
    conn.prepare_cached("UPDATE lives SET last_event_ms = max(coalesce(last_event_ms, 0), ?2) WHERE id = ?1")?
        .execute(params![live_id, ts_ms])?;
    Ok(())
}

/// Whether any highlight is waiting to be posted (lets the scheduler idle cheaply).
pub fn any_scheduled(conn: &Connection) -> Result<bool, ApiError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM highlights WHERE status = 'scheduled' LIMIT 1")?
        .query_row([], |_| Ok(()))
        .optional()?
        .is_some())
}
