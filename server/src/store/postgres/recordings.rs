//! Recordings: the segments the recorder sent for each LIVE, what is missing or unreadable, and
//! the captions spoken in a span.

use highlights_api::{RecordingReport, SegmentReceipt};

use super::shared::{Tx, exec, exists, one, row, rows};
use crate::clock::now_ms;
use crate::store::contract::StoreError;
use crate::store::media_contract::{
    CaptionLine, MAX_SEGMENT_MS, REPLACED_KEPT_MS, RenderMaterial, SegmentProbe, SegmentRef, SegmentStoryboard,
    StoredStoryboard,
};
use crate::store::rules;

use super::garbage;
use super::speech;

async fn live_exists(tx: &Tx<'_>, live_id: &str) -> Result<(), StoreError> {
    if exists(tx, "SELECT 1 FROM lives WHERE id = $1", &[&live_id]).await? {
        Ok(())
    } else {
        Err(StoreError::NotFound("live"))
    }
}

/// Keeps one segment; a segment re-sent with the same start replaces the earlier one.
pub(super) async fn add(
    tx: &Tx<'_>,
    live_id: &str,
    start_ms: i64,
    probe: SegmentProbe,
    media_key: &str,
) -> Result<SegmentReceipt, StoreError> {
    live_exists(tx, live_id).await?;
    let out_of_order = exists(
        tx,
        "SELECT 1 FROM recording_segments WHERE live_id = $1 AND start_ms > $2 LIMIT 1",
        &[&live_id, &start_ms],
    )
    .await?;
    let now = now_ms();
    // A first receipt inserts; otherwise (also when another receipt of it inserted meanwhile:
    // the insert waited for it) the row is locked and replaced, and the files of the bytes it
    // replaces (with a strip set for them meanwhile) are queued.
    let inserted = row(
        tx,
        "INSERT INTO recording_segments (live_id, start_ms, duration_ms, media_key, readable, out_of_order, received_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (live_id, start_ms) DO NOTHING RETURNING 1",
        &[&live_id, &start_ms, &probe.duration_ms, &media_key, &probe.readable, &out_of_order, &now],
    )
    .await?
    .is_some();
    if !inserted {
        let r = row(
            tx,
            "SELECT media_key, storyboard FROM recording_segments WHERE live_id = $1 AND start_ms = $2 FOR UPDATE",
            &[&live_id, &start_ms],
        )
        .await?
        .ok_or(StoreError::NotFound("segment"))?;
        let (old_key, old_strip): (String, Option<String>) = (r.try_get(0)?, r.try_get(1)?);
        let mut keys: Vec<String> = StoredStoryboard::parse(old_strip.as_deref()).map(|s| s.key).into_iter().collect();
        if old_key != media_key {
            keys.push(old_key);
        }
        garbage::push(tx, &keys, now + REPLACED_KEPT_MS).await?;
        exec(
            tx,
            "UPDATE recording_segments SET duration_ms = $3, media_key = $4, readable = $5, received_at_ms = $6,
                 storyboard = NULL
             WHERE live_id = $1 AND start_ms = $2",
            &[&live_id, &start_ms, &probe.duration_ms, &media_key, &probe.readable, &now],
        )
        .await?;
    }
    speech::forget(tx, live_id, start_ms).await?;
    Ok(SegmentReceipt { start_ms, duration_ms: probe.duration_ms, readable: probe.readable, out_of_order })
}

async fn all(tx: &Tx<'_>, live_id: &str, from: i64, to: i64) -> Result<Vec<SegmentRef>, StoreError> {
    rows(
        tx,
        "SELECT start_ms, duration_ms, media_key, readable FROM recording_segments
         WHERE live_id = $1 AND start_ms >= $2 AND start_ms < $3 ORDER BY start_ms",
        &[&live_id, &from, &to],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(SegmentRef {
            start_ms: r.try_get(0)?,
            duration_ms: r.try_get(1)?,
            media_key: r.try_get(2)?,
            readable: r.try_get(3)?,
        })
    })
    .collect()
}

/// Segments that overlap `[start_ms, end_ms)`, by start.
pub(super) async fn overlapping(
    tx: &Tx<'_>,
    live_id: &str,
    start_ms: i64,
    end_ms: i64,
) -> Result<Vec<SegmentRef>, StoreError> {
    let mut segments = all(tx, live_id, start_ms - MAX_SEGMENT_MS, end_ms).await?;
    segments.retain(|s| s.start_ms + s.duration_ms > start_ms);
    Ok(segments)
}

/// What is held of a LIVE's recording: coverage, holes, unreadable segments, late arrivals.
pub(super) async fn report(tx: &Tx<'_>, live_id: &str) -> Result<RecordingReport, StoreError> {
    live_exists(tx, live_id).await?;
    let segments = all(tx, live_id, i64::MIN, i64::MAX).await?;
    let out_of_order: i64 =
        one(tx, "SELECT count(*) FROM recording_segments WHERE live_id = $1 AND out_of_order", &[&live_id]).await?;
    Ok(rules::coverage(live_id, &segments, out_of_order as u32))
}

/// Captions spoken during `[start_ms, end_ms)`, by time: the platform's, and the recogniser's where it said nothing.
pub(super) async fn captions(
    tx: &Tx<'_>,
    live_id: &str,
    start_ms: i64,
    end_ms: i64,
) -> Result<Vec<CaptionLine>, StoreError> {
    let found = rows(
        tx,
        "SELECT json FROM events WHERE live_id = $1 AND ts_ms >= $2 AND ts_ms < $3 AND json LIKE '%\"caption\"%'
         ORDER BY ts_ms, id",
        &[&live_id, &(start_ms - 30_000), &end_ms],
    )
    .await?;
    let mut platform = Vec::new();
    for r in &found {
        platform.extend(rules::caption(r.try_get(0)?, start_ms));
    }
    let words = speech::words(tx, live_id, start_ms, end_ms).await?;
    Ok(rules::with_speech(platform, &words, start_ms))
}

/// Segments and captions over `[from_ms, to_ms)` and the LIVE's stream clock, read in one
/// transaction.
pub(super) async fn material(
    tx: &Tx<'_>,
    live_id: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<RenderMaterial, StoreError> {
    // An aggregate: one row even for a LIVE not (or no longer) stored.
    let events_until_ms = one(tx, "SELECT max(last_event_ms) FROM lives WHERE id = $1", &[&live_id]).await?;
    let (speech_pending, speech_failed) = speech::coverage(tx, live_id, from_ms, to_ms).await?;
    Ok(RenderMaterial {
        segments: overlapping(tx, live_id, from_ms, to_ms).await?,
        captions: captions(tx, live_id, from_ms, to_ms).await?,
        events_until_ms,
        speech_pending,
        speech_failed,
    })
}

/// Keeps the strip made of a segment `duration_ms` long, unless it was replaced since by one
/// unreadable or of another length (whose strip, if any, is its own).
pub(super) async fn set_storyboard(
    tx: &Tx<'_>,
    live_id: &str,
    start_ms: i64,
    duration_ms: i64,
    storyboard: &StoredStoryboard,
) -> Result<(), StoreError> {
    let Some(current) = row(
        tx,
        "SELECT storyboard FROM recording_segments
         WHERE live_id = $1 AND start_ms = $2 AND duration_ms = $3 AND readable FOR UPDATE",
        &[&live_id, &start_ms, &duration_ms],
    )
    .await?
    else {
        // Replaced (or retired) meanwhile: nothing will point at this strip.
        return garbage::push(tx, std::slice::from_ref(&storyboard.key), now_ms()).await;
    };
    let current: Option<String> = current.try_get(0)?;
    exec(
        tx,
        "UPDATE recording_segments SET storyboard = $3 WHERE live_id = $1 AND start_ms = $2",
        &[&live_id, &start_ms, &storyboard.stored()],
    )
    .await?;
    match StoredStoryboard::parse(current.as_deref()) {
        Some(old) if old.key != storyboard.key => garbage::push(tx, &[old.key], now_ms()).await,
        _ => Ok(()),
    }
}

/// Whether the cleanup job deleted (some of) the recording of a LIVE: no new video is made of it.
pub(super) async fn gone(tx: &Tx<'_>, live_id: &str) -> Result<bool, StoreError> {
    exists(tx, "SELECT 1 FROM lives WHERE id = $1 AND recording_deleted_at_ms IS NOT NULL", &[&live_id]).await
}

async fn seller_live(tx: &Tx<'_>, seller_id: &str, live_id: &str) -> Result<(), StoreError> {
    if exists(tx, "SELECT 1 FROM lives WHERE id = $1 AND seller_id = $2", &[&live_id, &seller_id]).await? {
        Ok(())
    } else {
        Err(StoreError::NotFound("live"))
    }
}

fn strip(r: &tokio_postgres::Row) -> Result<Option<SegmentStoryboard>, StoreError> {
    let Some(storyboard) = StoredStoryboard::parse(r.try_get::<_, Option<&str>>(2)?) else {
        return Ok(None);
    };
    Ok(Some(SegmentStoryboard { start_ms: r.try_get(0)?, duration_ms: r.try_get(1)?, storyboard }))
}

/// The strips of a seller's LIVE, by start.
pub(super) async fn storyboard(
    tx: &Tx<'_>,
    seller_id: &str,
    live_id: &str,
) -> Result<Vec<SegmentStoryboard>, StoreError> {
    seller_live(tx, seller_id, live_id).await?;
    let found = rows(
        tx,
        "SELECT start_ms, duration_ms, storyboard FROM recording_segments
         WHERE live_id = $1 AND storyboard IS NOT NULL ORDER BY start_ms",
        &[&live_id],
    )
    .await?;
    found.iter().filter_map(|r| strip(r).transpose()).collect()
}

/// The strip of one segment of a seller's LIVE.
pub(super) async fn segment_storyboard(
    tx: &Tx<'_>,
    seller_id: &str,
    live_id: &str,
    start_ms: i64,
) -> Result<SegmentStoryboard, StoreError> {
    seller_live(tx, seller_id, live_id).await?;
    let found = row(
        tx,
        "SELECT start_ms, duration_ms, storyboard FROM recording_segments WHERE live_id = $1 AND start_ms = $2",
        &[&live_id, &start_ms],
    )
    .await?;
    found.as_ref().map(strip).transpose()?.flatten().ok_or(StoreError::NotFound("storyboard"))
}
