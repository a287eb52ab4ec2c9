//! Videos: one render job per highlight to post, claimed by a worker under a lease, retried with
//! backoff, and given up as a recommendation; what a viewer may fetch; the public feed; LIVE-now
//! links of LIVEs that went silent.

use std::sync::LazyLock;

use highlights_api::{Feed, FeedVideo, HighlightKind, HighlightStatus, LiveStatus, Product, VideoState, paths};
use rusqlite::{Connection, OptionalExtension, params};

use super::config;
use super::garbage;
use super::recordings;
use super::shared::next_seq;
use crate::store::contract::StoreError;
use crate::store::media_contract::{MediaRef, RenderOutcome, RenderTask, RetryPolicy, StoredStoryboard, VideoJob};
use crate::store::rules;

use VideoState::{Failed, Ready, Rendering};

/// Due render jobs, through the partial index on rendering rows (hence the literal spelling).
static CLAIM_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT v.highlight_id, v.attempts, coalesce(v.claimable_since_ms, v.next_attempt_at_ms), v.output
         FROM videos v JOIN highlights h ON h.id = v.highlight_id
         WHERE v.state = '{}' AND v.next_attempt_at_ms <= ?1 AND coalesce(v.claimed_until_ms, 0) <= ?1
             AND h.status = ?2
         ORDER BY v.next_attempt_at_ms LIMIT 1",
        Rendering.as_str()
    )
});

fn bump_highlight(conn: &Connection, highlight_id: &str) -> Result<(), StoreError> {
    let seq = next_seq(conn)?;
    conn.prepare_cached("UPDATE highlights SET seq = ?2 WHERE id = ?1")?.execute(params![highlight_id, seq])?;
    Ok(())
}

/// Queues (or re-queues, after a failure) the video of a highlight, due now.
pub(super) fn enqueue(conn: &Connection, highlight_id: &str, now_ms: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO videos (highlight_id, state, attempts, next_attempt_at_ms, claimable_since_ms)
         VALUES (?1, ?2, 0, ?3, ?3)
         ON CONFLICT (highlight_id) DO UPDATE SET state = excluded.state, attempts = 0,
             next_attempt_at_ms = excluded.next_attempt_at_ms, claimed_until_ms = NULL,
             claimable_since_ms = excluded.claimable_since_ms
         WHERE videos.state = ?4",
    )?
    .execute(params![highlight_id, Rendering.as_str(), now_ms, Failed.as_str()])?;
    Ok(())
}

/// Forgets the render job of a highlight that will not be posted, unless its video is made (an
/// attempt in flight has its files queued for deletion); posting it later queues a new one.
pub(super) fn drop_unfinished(conn: &Connection, highlight_id: &str) -> Result<(), StoreError> {
    let output: Option<String> = conn
        .prepare_cached("DELETE FROM videos WHERE highlight_id = ?1 AND state != ?2 RETURNING output")?
        .query_row(params![highlight_id, Ready.as_str()], |r| r.get(0))
        .optional()?
        .flatten();
    if let Some(stem) = output {
        garbage::push_attempt(conn, &stem)?;
    }
    Ok(())
}

/// Drops the unfinished job of a highlight taken down, and starts the grace of its ready video:
/// the cleanup job deletes it once the grace is over.
pub(super) fn take_down(conn: &Connection, highlight_id: &str) -> Result<(), StoreError> {
    drop_unfinished(conn, highlight_id)?;
    conn.prepare_cached("UPDATE videos SET removed_at_ms = coalesce(removed_at_ms, ?2) WHERE highlight_id = ?1")?
        .execute(params![highlight_id, crate::clock::now_ms()])?;
    Ok(())
}

/// Frees every lease on a job still rendering; answers how many there were.
pub(super) fn release_leases(conn: &Connection) -> Result<u32, StoreError> {
    let n = conn
        .prepare_cached("UPDATE videos SET claimed_until_ms = NULL WHERE state = ?1 AND claimed_until_ms IS NOT NULL")?
        .execute([Rendering.as_str()])?;
    Ok(n as u32)
}

/// Leases the next due job to the caller and reads everything its render needs.
pub(super) fn claim(conn: &Connection, now_ms: i64, policy: &RetryPolicy) -> Result<Option<RenderTask>, StoreError> {
    let Some((id, attempts, claimable_since_ms, stale)): Option<(String, u32, i64, Option<String>)> = conn
        .prepare_cached(&CLAIM_SQL)?
        .query_row(params![now_ms, HighlightStatus::Scheduled.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?
    else {
        return Ok(None);
    };
    // An attempt that never finished (its worker died or outlived its lease) may have left files.
    if let Some(stem) = stale {
        garbage::push_attempt(conn, &stem)?;
    }
    let output = rules::attempt_stem(&id)?;
    conn.prepare_cached(
        "UPDATE videos SET attempts = attempts + 1, claimed_until_ms = ?2, output = ?3 WHERE highlight_id = ?1",
    )?
    .execute(params![id, now_ms + policy.lease_ms, output])?;
    let silent_before = config::silent_before(conn, crate::clock::now_ms())?;
    // The span as found, not one an earlier render moved: a render snaps from the moment itself.
    let row = conn
        .prepare_cached(
            "SELECT h.live_id, coalesce(h.found_start_ms, h.start_ms), coalesce(h.found_end_ms, h.end_ms), h.peak_ms, h.format, p.name,
                    l.status = ?2 AND coalesce(l.last_seen_at_ms, 0) >= ?3, h.kind != ?4
             FROM highlights h JOIN lives l ON l.id = h.live_id
             LEFT JOIN live_products p ON p.live_id = h.live_id AND p.product_id = h.product_id
             WHERE h.id = ?1",
        )?
        .query_row(params![id, LiveStatus::Live.as_str(), silent_before, HighlightKind::Manual.as_str()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, bool>(7)?,
            ))
        })?;
    let (live_id, start_ms, end_ms, peak_ms, format, product_name, live_on, snap) = row;
    let (cfg, _) = config::load(conn)?;
    Ok(Some(RenderTask {
        highlight_id: id,
        segments: recordings::overlapping(conn, &live_id, start_ms, end_ms)?,
        captions: recordings::captions(conn, &live_id, start_ms, end_ms)?,
        live_id,
        start_ms,
        end_ms,
        peak_ms: peak_ms.unwrap_or((start_ms + end_ms) / 2).clamp(start_ms, end_ms - 1),
        product_name,
        format: serde_json::from_str(&format).unwrap_or_default(),
        live_on,
        attempt: attempts + 1,
        snap,
        min_ms: i64::from(cfg.clip_min_s) * 1000,
        max_ms: i64::from(cfg.clip_max_s) * 1000,
        claimable_since_ms,
        output,
    }))
}

/// Records how an attempt ended: ready, retried later, or failed for good (then the highlight
/// goes back to being a recommendation the seller may post again, which renders anew).
pub(super) fn finish(
    conn: &Connection,
    highlight_id: &str,
    output: &str,
    outcome: &RenderOutcome,
    now_ms: i64,
    policy: &RetryPolicy,
) -> Result<VideoState, StoreError> {
    let Some(attempts): Option<u32> = conn
        .prepare_cached("SELECT attempts FROM videos WHERE highlight_id = ?1 AND state = ?2 AND output = ?3")?
        .query_row(params![highlight_id, Rendering.as_str(), output], |r| r.get(0))
        .optional()?
    else {
        // Taken over by another attempt after this one's lease ran out, finished, or dropped:
        // this attempt's answer (and its files) are not kept.
        return Err(StoreError::NotFound("render job"));
    };
    if !matches!(outcome, RenderOutcome::Ready { .. }) {
        // Nothing of a put-back attempt is used; a failed one's files may be partial.
        if matches!(outcome, RenderOutcome::Failed { .. }) {
            garbage::push_attempt(conn, output)?;
        }
        conn.prepare_cached("UPDATE videos SET output = NULL WHERE highlight_id = ?1")?.execute([highlight_id])?;
    }
    let state = match outcome {
        RenderOutcome::Ready { duration_ms, video_key, thumbnail_key, storyboard, clip, note } => {
            conn.prepare_cached(
                "UPDATE videos SET state = ?2, duration_ms = ?3, video_key = ?4, thumbnail_key = ?5, storyboard = ?6,
                     note = ?7, claimed_until_ms = NULL, last_error = NULL WHERE highlight_id = ?1",
            )?
            .execute(params![
                highlight_id,
                Ready.as_str(),
                duration_ms,
                video_key,
                thumbnail_key,
                storyboard.as_ref().map(StoredStoryboard::stored),
                note
            ])?;
            if let Some(clip) = clip {
                // What the seller sees is the clip rendered; the span found stays for dedupe (kept
                // here too for rows an older process inserted without it).
                conn.prepare_cached(
                    "UPDATE highlights SET found_start_ms = coalesce(found_start_ms, start_ms),
                         found_end_ms = coalesce(found_end_ms, end_ms), start_ms = ?2, end_ms = ?3
                     WHERE id = ?1",
                )?
                .execute(params![highlight_id, clip.start_ms, clip.end_ms])?;
            }
            Ready
        }
        RenderOutcome::Deferred { until_ms } => {
            // Put back unrendered: the claim is undone (no attempt spent), and the time it was first
            // due kept (set here for jobs an older process queued without it).
            conn.prepare_cached(
                "UPDATE videos SET claimable_since_ms = coalesce(claimable_since_ms, next_attempt_at_ms),
                     next_attempt_at_ms = ?2, claimed_until_ms = NULL, attempts = max(attempts - 1, 0)
                 WHERE highlight_id = ?1",
            )?
            .execute(params![highlight_id, until_ms])?;
            return Ok(Rendering);
        }
        RenderOutcome::Failed { reason } if attempts < policy.max_attempts => {
            conn.prepare_cached(
                "UPDATE videos SET next_attempt_at_ms = ?2, claimed_until_ms = NULL, last_error = ?3 WHERE highlight_id = ?1",
            )?
            .execute(params![highlight_id, now_ms + policy.backoff_ms(attempts), reason])?;
            return Ok(Rendering);
        }
        RenderOutcome::Failed { reason } => {
            conn.prepare_cached(
                "UPDATE videos SET state = ?2, claimed_until_ms = NULL, last_error = ?3 WHERE highlight_id = ?1",
            )?
            .execute(params![highlight_id, Failed.as_str(), reason])?;
            conn.prepare_cached(
                "UPDATE highlights SET kind = ?2, status = ?3, post_at_ms = NULL WHERE id = ?1 AND status = ?4",
            )?
            .execute(params![
                highlight_id,
                HighlightKind::Recommendation.as_str(),
                HighlightStatus::Suggested.as_str(),
                HighlightStatus::Scheduled.as_str()
            ])?;
            Failed
        }
    };
    bump_highlight(conn, highlight_id)?;
    Ok(state)
}

/// The render job of a highlight, if it has one.
pub(super) fn job(conn: &Connection, highlight_id: &str) -> Result<Option<VideoJob>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT state, attempts, last_error FROM videos WHERE highlight_id = ?1")?
        .query_row([highlight_id], |r| {
            let state: String = r.get(0)?;
            // The schema's CHECK constraint allows only known spellings.
            Ok(VideoJob {
                state: VideoState::parse(&state).unwrap_or(Failed),
                attempts: r.get(1)?,
                last_error: r.get(2)?,
            })
        })
        .optional()?)
}

/// The ready media of a highlight, for its seller, or for anyone once it is posted.
pub(super) fn media(conn: &Connection, highlight_id: &str, viewer: Option<&str>) -> Result<MediaRef, StoreError> {
    conn.prepare_cached(
        "SELECT v.video_key, v.thumbnail_key, v.storyboard FROM videos v JOIN highlights h ON h.id = v.highlight_id
         WHERE v.highlight_id = ?1 AND v.state = ?2 AND (h.status = ?3 OR h.seller_id = ?4)",
    )?
    .query_row(params![highlight_id, Ready.as_str(), HighlightStatus::Posted.as_str(), viewer], |r| {
        let storyboard = StoredStoryboard::parse(r.get::<_, Option<String>>(2)?.as_deref());
        Ok(MediaRef { video_key: r.get(0)?, thumbnail_key: r.get(1)?, storyboard_key: storyboard.map(|s| s.key) })
    })
    .optional()?
    .ok_or(StoreError::NotFound("video"))
}

/// A seller's posted videos, newest first: only what a viewer sees.
pub(super) fn feed(conn: &Connection, seller_id: &str, limit: u32) -> Result<Feed, StoreError> {
    if !conn.prepare_cached("SELECT 1 FROM sellers WHERE id = ?1")?.exists([seller_id])? {
        return Err(StoreError::NotFound("seller"));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT h.id, h.live_id, h.product_id, p.name, coalesce(h.posted_at_ms, 0), v.duration_ms, h.live_now
         FROM highlights h JOIN videos v ON v.highlight_id = h.id
         LEFT JOIN live_products p ON p.live_id = h.live_id AND p.product_id = h.product_id
         WHERE h.seller_id = ?1 AND h.status = ?2 AND v.state = ?3
         ORDER BY h.posted_at_ms DESC, h.id LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![seller_id, HighlightStatus::Posted.as_str(), Ready.as_str(), limit], |r| {
        let id: String = r.get(0)?;
        let live_id: String = r.get(1)?;
        let product_id: Option<String> = r.get(2)?;
        let name: Option<String> = r.get(3)?;
        let live_now: bool = r.get(6)?;
        Ok(FeedVideo {
            product: product_id.map(|pid| Product { name: name.unwrap_or_else(|| pid.clone()), id: pid }),
            posted_at_ms: r.get(4)?,
            duration_ms: r.get::<_, Option<i64>>(5)?.unwrap_or(0),
            video_url: paths::media_video(&id),
            thumbnail_url: paths::media_thumbnail(&id),
            live_now_link: live_now.then(|| paths::live_room_link(&live_id)),
            id,
        })
    })?;
    Ok(Feed { seller_id: seller_id.to_string(), videos: rows.collect::<Result<_, _>>()? })
}

/// Whether any LIVE-now link belongs to a LIVE silent since the configured time.
pub(super) fn any_silent(conn: &Connection, wall_now_ms: i64) -> Result<bool, StoreError> {
    let before = config::silent_before(conn, wall_now_ms)?;
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM highlights h JOIN lives l ON l.id = h.live_id
             WHERE h.live_now = 1 AND coalesce(l.last_seen_at_ms, 0) < ?1 LIMIT 1",
        )?
        .exists([before])?)
}

/// Clears the LIVE-now link of videos whose LIVE sent nothing for the configured silence.
pub(super) fn clear_silent(conn: &Connection, wall_now_ms: i64) -> Result<u32, StoreError> {
    let before = config::silent_before(conn, wall_now_ms)?;
    let ids: Vec<String> = conn
        .prepare_cached(
            "SELECT h.id FROM highlights h JOIN lives l ON l.id = h.live_id
             WHERE h.live_now = 1 AND coalesce(l.last_seen_at_ms, 0) < ?1",
        )?
        .query_map([before], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &ids {
        let seq = next_seq(conn)?;
        conn.prepare_cached("UPDATE highlights SET live_now = 0, seq = ?2 WHERE id = ?1")?.execute(params![id, seq])?;
    }
    Ok(ids.len() as u32)
}
