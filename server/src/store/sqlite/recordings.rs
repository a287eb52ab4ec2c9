//! Recordings: the segments the recorder sent for each LIVE, what is missing or unreadable, and
//! the captions spoken in a span.

use highlights_api::{RecordingReport, SegmentReceipt};
use rusqlite::{Connection, OptionalExtension, params};

use crate::clock::now_ms;
use crate::store::contract::StoreError;
use crate::store::media_contract::{
    CaptionLine, MAX_SEGMENT_MS, REPLACED_KEPT_MS, RenderMaterial, SegmentProbe, SegmentRef, SegmentStoryboard,
    StoredStoryboard,
};
use crate::store::rules;

use super::garbage;
use super::speech;

fn live_exists(conn: &Connection, live_id: &str) -> Result<(), StoreError> {
    if conn.prepare_cached("SELECT 1 FROM lives WHERE id = ?1")?.exists([live_id])? {
        Ok(())
    } else {
        Err(StoreError::NotFound("live"))
    }
}

/// Whether the cleanup job deleted (some of) the recording of a LIVE: no new video is made of it.
pub(super) fn gone(conn: &Connection, live_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM lives WHERE id = ?1 AND recording_deleted_at_ms IS NOT NULL")?
        .exists([live_id])?)
}

/// Keeps one segment; a segment re-sent with the same start replaces the earlier one.
pub(super) fn add(
    conn: &Connection,
    live_id: &str,
    start_ms: i64,
    probe: SegmentProbe,
    media_key: &str,
) -> Result<SegmentReceipt, StoreError> {
    live_exists(conn, live_id)?;
    // The files of the bytes being replaced: nothing points at them once this commits (they stay
    // a while for a render or strip that read the key before).
    let replaced: Option<(String, Option<String>)> = conn
        .prepare_cached("SELECT media_key, storyboard FROM recording_segments WHERE live_id = ?1 AND start_ms = ?2")?
        .query_row(params![live_id, start_ms], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((old_key, old_strip)) = replaced {
        let mut keys: Vec<String> = StoredStoryboard::parse(old_strip.as_deref()).map(|s| s.key).into_iter().collect();
        if old_key != media_key {
            keys.push(old_key);
        }
        garbage::push(conn, &keys, now_ms() + REPLACED_KEPT_MS)?;
    }
    let out_of_order = conn
        .prepare_cached("SELECT 1 FROM recording_segments WHERE live_id = ?1 AND start_ms > ?2")?
        .exists(params![live_id, start_ms])?;
    conn.prepare_cached(
        "INSERT INTO recording_segments (live_id, start_ms, duration_ms, media_key, readable, out_of_order, received_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (live_id, start_ms) DO UPDATE SET duration_ms = excluded.duration_ms,
             media_key = excluded.media_key, readable = excluded.readable, received_at_ms = excluded.received_at_ms,
             storyboard = NULL",
    )?
    .execute(params![live_id, start_ms, probe.duration_ms, media_key, probe.readable, out_of_order, now_ms()])?;
    speech::forget(conn, live_id, start_ms)?;
    Ok(SegmentReceipt { start_ms, duration_ms: probe.duration_ms, readable: probe.readable, out_of_order })
}

fn all(conn: &Connection, live_id: &str, from: i64, to: i64) -> Result<Vec<SegmentRef>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT start_ms, duration_ms, media_key, readable FROM recording_segments
         WHERE live_id = ?1 AND start_ms >= ?2 AND start_ms < ?3 ORDER BY start_ms",
    )?;
    let rows = stmt.query_map(params![live_id, from, to], |r| {
        Ok(SegmentRef { start_ms: r.get(0)?, duration_ms: r.get(1)?, media_key: r.get(2)?, readable: r.get(3)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Segments that overlap `[start_ms, end_ms)`, by start.
pub(super) fn overlapping(
    conn: &Connection,
    live_id: &str,
    start_ms: i64,
    end_ms: i64,
) -> Result<Vec<SegmentRef>, StoreError> {
    let mut segments = all(conn, live_id, start_ms - MAX_SEGMENT_MS, end_ms)?;
    segments.retain(|s| s.start_ms + s.duration_ms > start_ms);
    Ok(segments)
}

/// What is held of a LIVE's recording: coverage, holes, unreadable segments, late arrivals.
pub(super) fn report(conn: &Connection, live_id: &str) -> Result<RecordingReport, StoreError> {
    live_exists(conn, live_id)?;
    let segments = all(conn, live_id, i64::MIN, i64::MAX)?;
    let out_of_order: u32 = conn
        .prepare_cached("SELECT count(*) FROM recording_segments WHERE live_id = ?1 AND out_of_order")?
        .query_row([live_id], |r| r.get(0))?;
    Ok(rules::coverage(live_id, &segments, out_of_order))
}

/// Captions spoken during `[start_ms, end_ms)`, by time: the platform's, and the recogniser's where it said nothing.
pub(super) fn captions(
    conn: &Connection,
    live_id: &str,
    start_ms: i64,
    end_ms: i64,
) -> Result<Vec<CaptionLine>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT json FROM events WHERE live_id = ?1 AND ts_ms >= ?2 AND ts_ms < ?3 AND json LIKE '%\"caption\"%'
         ORDER BY ts_ms, id",
    )?;
    let mut platform = Vec::new();
    for json in stmt.query_map(params![live_id, start_ms - 30_000, end_ms], |r| r.get::<_, String>(0))? {
        platform.extend(rules::caption(&json?, start_ms));
    }
    let words = speech::words(conn, live_id, start_ms, end_ms)?;
    Ok(rules::with_speech(platform, &words, start_ms))
}

/// Segments and captions over `[from_ms, to_ms)` and the LIVE's stream clock, read together.
pub(super) fn material(
    conn: &Connection,
    live_id: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<RenderMaterial, StoreError> {
    // An aggregate: one row even for a LIVE not (or no longer) stored.
    let events_until_ms = conn
        .prepare_cached("SELECT max(last_event_ms) FROM lives WHERE id = ?1")?
        .query_row([live_id], |r| r.get(0))?;
    let (speech_pending, speech_failed) = speech::coverage(conn, live_id, from_ms, to_ms)?;
    Ok(RenderMaterial {
        segments: overlapping(conn, live_id, from_ms, to_ms)?,
        captions: captions(conn, live_id, from_ms, to_ms)?,
        events_until_ms,
        speech_pending,
        speech_failed,
    })
}

/// Keeps the strip made of a segment `duration_ms` long, unless it was replaced since by one
/// unreadable or of another length (whose strip, if any, is its own).
pub(super) fn set_storyboard(
    conn: &Connection,
    live_id: &str,
    start_ms: i64,
    duration_ms: i64,
    storyboard: &StoredStoryboard,
) -> Result<(), StoreError> {
    let current: Option<Option<String>> = conn
        .prepare_cached(
            "SELECT storyboard FROM recording_segments
             WHERE live_id = ?1 AND start_ms = ?2 AND duration_ms = ?3 AND readable",
        )?
        .query_row(params![live_id, start_ms, duration_ms], |r| r.get(0))
        .optional()?;
    let Some(current) = current else {
        // Replaced (or retired) meanwhile: nothing will point at this strip.
        return garbage::push(conn, std::slice::from_ref(&storyboard.key), now_ms());
    };
    conn.prepare_cached("UPDATE recording_segments SET storyboard = ?3 WHERE live_id = ?1 AND start_ms = ?2")?
        .execute(params![live_id, start_ms, storyboard.stored()])?;
    match StoredStoryboard::parse(current.as_deref()) {
        Some(old) if old.key != storyboard.key => garbage::push(conn, &[old.key], now_ms()),
        _ => Ok(()),
    }
}

fn seller_live(conn: &Connection, seller_id: &str, live_id: &str) -> Result<(), StoreError> {
    if conn.prepare_cached("SELECT 1 FROM lives WHERE id = ?1 AND seller_id = ?2")?.exists([live_id, seller_id])? {
        Ok(())
    } else {
        Err(StoreError::NotFound("live"))
    }
}

fn strip(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<SegmentStoryboard>> {
    let Some(storyboard) = StoredStoryboard::parse(r.get::<_, Option<String>>(2)?.as_deref()) else {
        return Ok(None);
    };
    Ok(Some(SegmentStoryboard { start_ms: r.get(0)?, duration_ms: r.get(1)?, storyboard }))
}

/// The strips of a seller's LIVE, by start.
pub(super) fn storyboard(
    conn: &Connection,
    seller_id: &str,
    live_id: &str,
) -> Result<Vec<SegmentStoryboard>, StoreError> {
    seller_live(conn, seller_id, live_id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT start_ms, duration_ms, storyboard FROM recording_segments
         WHERE live_id = ?1 AND storyboard IS NOT NULL ORDER BY start_ms",
    )?;
    let rows = stmt.query_map([live_id], strip)?;
    Ok(rows.filter_map(Result::transpose).collect::<Result<_, _>>()?)
}

/// The strip of one segment of a seller's LIVE.
pub(super) fn segment_storyboard(
    conn: &Connection,
    seller_id: &str,
    live_id: &str,
    start_ms: i64,
) -> Result<SegmentStoryboard, StoreError> {
    seller_live(conn, seller_id, live_id)?;
    conn.prepare_cached(
        "SELECT start_ms, duration_ms, storyboard FROM recording_segments WHERE live_id = ?1 AND start_ms = ?2",
    )?
    .query_row(params![live_id, start_ms], strip)
    .optional()?
    .flatten()
    .ok_or(StoreError::NotFound("storyboard"))
}
