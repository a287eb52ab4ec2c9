//! Videos: one render job per highlight to post, claimed by any number of render workers (a row
//! lock skipped by the others, then a lease), retried with backoff, and given up as a
//! recommendation; what a viewer may fetch; the public feed; LIVE-now links of LIVEs gone silent.

use std::sync::LazyLock;

use highlights_api::{Feed, FeedVideo, HighlightKind, HighlightStatus, LiveStatus, Product, VideoState, paths};

use super::config;
use super::garbage;
use super::recordings;
use super::shared::{Tx, exec, exists, lock_changes, next_seq, row, rows};
use crate::store::contract::StoreError;
use crate::store::media_contract::{MediaRef, RenderOutcome, RenderTask, RetryPolicy, StoredStoryboard, VideoJob};
use crate::store::rules;

use VideoState::{Failed, Ready, Rendering};

/// The next due render job, locked; jobs another process is claiming right now are skipped.
static CLAIM_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT v.highlight_id, v.attempts, coalesce(v.claimable_since_ms, v.next_attempt_at_ms), v.output
         FROM videos v JOIN highlights h ON h.id = v.highlight_id
         WHERE v.state = '{}' AND v.next_attempt_at_ms <= $1 AND coalesce(v.claimed_until_ms, 0) <= $1
             AND h.status = $2
         ORDER BY v.next_attempt_at_ms LIMIT 1
         FOR UPDATE OF v SKIP LOCKED",
        Rendering.as_str()
    )
});

async fn bump_highlight(tx: &Tx<'_>, highlight_id: &str) -> Result<(), StoreError> {
    let seq = next_seq(tx).await?;
    exec(tx, "UPDATE highlights SET seq = $2 WHERE id = $1", &[&highlight_id, &seq]).await?;
    Ok(())
}

/// Queues (or re-queues, after a failure) the video of a highlight, due now.
pub(super) async fn enqueue(tx: &Tx<'_>, highlight_id: &str, now_ms: i64) -> Result<(), StoreError> {
    exec(
        tx,
        "INSERT INTO videos (highlight_id, state, attempts, next_attempt_at_ms, claimable_since_ms)
         VALUES ($1, $2, 0, $3, $3)
         ON CONFLICT (highlight_id) DO UPDATE SET state = excluded.state, attempts = 0,
             next_attempt_at_ms = excluded.next_attempt_at_ms, claimed_until_ms = NULL,
             claimable_since_ms = excluded.claimable_since_ms
         WHERE videos.state = $4",
        &[&highlight_id, &Rendering.as_str(), &now_ms, &Failed.as_str()],
    )
    .await?;
    Ok(())
}

/// Forgets the render job of a highlight that will not be posted, unless its video is made (an
/// attempt in flight has its files queued for deletion); posting it later queues a new one.
pub(super) async fn drop_unfinished(tx: &Tx<'_>, highlight_id: &str) -> Result<(), StoreError> {
    let dropped = row(
        tx,
        "DELETE FROM videos WHERE highlight_id = $1 AND state != $2 RETURNING output",
        &[&highlight_id, &Ready.as_str()],
    )
    .await?;
    if let Some(stem) = dropped.map(|r| r.try_get::<_, Option<String>>(0)).transpose()?.flatten() {
        garbage::push_attempt(tx, &stem).await?;
    }
    Ok(())
}

/// Drops the unfinished job of a highlight taken down, and starts the grace of its ready video:
/// the cleanup job deletes it once the grace is over.
pub(super) async fn take_down(tx: &Tx<'_>, highlight_id: &str) -> Result<(), StoreError> {
    drop_unfinished(tx, highlight_id).await?;
    exec(
        tx,
        "UPDATE videos SET removed_at_ms = coalesce(removed_at_ms, $2) WHERE highlight_id = $1",
        &[&highlight_id, &crate::clock::now_ms()],
    )
    .await?;
    Ok(())
}

/// Frees every lease on a job still rendering; answers how many there were.
pub(super) async fn release_leases(tx: &Tx<'_>) -> Result<u32, StoreError> {
    let n = exec(
        tx,
        "UPDATE videos SET claimed_until_ms = NULL WHERE state = $1 AND claimed_until_ms IS NOT NULL",
        &[&Rendering.as_str()],
    )
    .await?;
    Ok(n as u32)
}

/// Leases the next due job to the caller and reads everything its render needs.
pub(super) async fn claim(tx: &Tx<'_>, now_ms: i64, policy: &RetryPolicy) -> Result<Option<RenderTask>, StoreError> {
    let Some(r) = row(tx, &CLAIM_SQL, &[&now_ms, &HighlightStatus::Scheduled.as_str()]).await? else {
        return Ok(None);
    };
    let (id, attempts, claimable_since_ms): (String, i64, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
    // An attempt that never finished (its worker died or outlived its lease) may have left files.
    if let Some(stem) = r.try_get::<_, Option<String>>(3)? {
        garbage::push_attempt(tx, &stem).await?;
    }
    let output = rules::attempt_stem(&id)?;
    exec(
        tx,
        "UPDATE videos SET attempts = attempts + 1, claimed_until_ms = $2, output = $3 WHERE highlight_id = $1",
        &[&id, &(now_ms + policy.lease_ms), &output],
    )
    .await?;
    let silent_before = config::silent_before(tx, crate::clock::now_ms()).await?;
    // The span as found, not one an earlier render moved: a render snaps from the moment itself.
    let r = row(
        tx,
        "SELECT h.live_id, coalesce(h.found_start_ms, h.start_ms), coalesce(h.found_end_ms, h.end_ms), h.peak_ms, h.format, p.name,
                l.status = $2 AND coalesce(l.last_seen_at_ms, 0) >= $3, h.kind != $4
         FROM highlights h JOIN lives l ON l.id = h.live_id
         LEFT JOIN live_products p ON p.live_id = h.live_id AND p.product_id = h.product_id
         WHERE h.id = $1",
        &[&id, &LiveStatus::Live.as_str(), &silent_before, &HighlightKind::Manual.as_str()],
    )
    .await?
    .ok_or(StoreError::NotFound("highlight"))?;
    let (live_id, start_ms, end_ms): (String, i64, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
    let (peak_ms, format, product_name, live_on, snap): (Option<i64>, String, Option<String>, bool, bool) =
        (r.try_get(3)?, r.try_get(4)?, r.try_get(5)?, r.try_get(6)?, r.try_get(7)?);
    let (cfg, _) = config::load(tx).await?;
    Ok(Some(RenderTask {
        highlight_id: id,
        segments: recordings::overlapping(tx, &live_id, start_ms, end_ms).await?,
        captions: recordings::captions(tx, &live_id, start_ms, end_ms).await?,
        live_id,
        start_ms,
        end_ms,
        peak_ms: peak_ms.unwrap_or((start_ms + end_ms) / 2).clamp(start_ms, end_ms - 1),
        product_name,
        format: serde_json::from_str(&format).unwrap_or_default(),
        live_on,
        attempt: attempts as u32 + 1,
        snap,
        min_ms: i64::from(cfg.clip_min_s) * 1000,
        max_ms: i64::from(cfg.clip_max_s) * 1000,
        claimable_since_ms,
        output,
    }))
}

/// Records how an attempt ended: ready, retried later, or failed for good (then the highlight
/// goes back to being a recommendation the seller may post again, which renders anew).
pub(super) async fn finish(
    tx: &Tx<'_>,
    highlight_id: &str,
    output: &str,
    outcome: &RenderOutcome,
    now_ms: i64,
    policy: &RetryPolicy,
) -> Result<VideoState, StoreError> {
    lock_changes(tx).await?;
    let Some(r) = row(
        tx,
        "SELECT attempts FROM videos WHERE highlight_id = $1 AND state = $2 AND output = $3 FOR UPDATE",
        &[&highlight_id, &Rendering.as_str(), &output],
    )
    .await?
    else {
        // Taken over by another attempt after this one's lease ran out, finished, or dropped:
        // this attempt's answer (and its files) are not kept.
        return Err(StoreError::NotFound("render job"));
    };
    let attempts = r.try_get::<_, i64>(0)? as u32;
    if !matches!(outcome, RenderOutcome::Ready { .. }) {
        // Nothing of a put-back attempt is used; a failed one's files may be partial.
        if matches!(outcome, RenderOutcome::Failed { .. }) {
            garbage::push_attempt(tx, output).await?;
        }
        exec(tx, "UPDATE videos SET output = NULL WHERE highlight_id = $1", &[&highlight_id]).await?;
    }
    let state = match outcome {
        RenderOutcome::Ready { duration_ms, video_key, thumbnail_key, storyboard, clip, note } => {
            let storyboard = storyboard.as_ref().map(StoredStoryboard::stored);
            exec(
                tx,
                "UPDATE videos SET state = $2, duration_ms = $3, video_key = $4, thumbnail_key = $5, storyboard = $6,
                     note = $7, claimed_until_ms = NULL, last_error = NULL WHERE highlight_id = $1",
                &[&highlight_id, &Ready.as_str(), duration_ms, video_key, thumbnail_key, &storyboard, note],
            )
            .await?;
            if let Some(clip) = clip {
                // What the seller sees is the clip rendered; the span found stays for dedupe (kept
                // here too for rows an older process inserted without it).
                exec(
                    tx,
                    "UPDATE highlights SET found_start_ms = coalesce(found_start_ms, start_ms),
                         found_end_ms = coalesce(found_end_ms, end_ms), start_ms = $2, end_ms = $3
                     WHERE id = $1",
                    &[&highlight_id, &clip.start_ms, &clip.end_ms],
                )
                .await?;
            }
            Ready
        }
        RenderOutcome::Deferred { until_ms } => {
            // Put back unrendered: the claim is undone (no attempt spent), and the time it was first
            // due kept (set here for jobs an older process queued without it).
            exec(
                tx,
                "UPDATE videos SET claimable_since_ms = coalesce(claimable_since_ms, next_attempt_at_ms),
                     next_attempt_at_ms = $2, claimed_until_ms = NULL, attempts = greatest(attempts - 1, 0)
                 WHERE highlight_id = $1",
                &[&highlight_id, until_ms],
            )
            .await?;
            return Ok(Rendering);
        }
        RenderOutcome::Failed { reason } if attempts < policy.max_attempts => {
            exec(
                tx,
                "UPDATE videos SET next_attempt_at_ms = $2, claimed_until_ms = NULL, last_error = $3 WHERE highlight_id = $1",
                &[&highlight_id, &(now_ms + policy.backoff_ms(attempts)), reason],
            )
            .await?;
            return Ok(Rendering);
        }
        RenderOutcome::Failed { reason } => {
            exec(
                tx,
                "UPDATE videos SET state = $2, claimed_until_ms = NULL, last_error = $3 WHERE highlight_id = $1",
                &[&highlight_id, &Failed.as_str(), reason],
            )
            .await?;
            exec(
                tx,
                "UPDATE highlights SET kind = $2, status = $3, post_at_ms = NULL WHERE id = $1 AND status = $4",
                &[
                    &highlight_id,
                    &HighlightKind::Recommendation.as_str(),
                    &HighlightStatus::Suggested.as_str(),
                    &HighlightStatus::Scheduled.as_str(),
                ],
            )
            .await?;
            Failed
        }
    };
    bump_highlight(tx, highlight_id).await?;
    Ok(state)
}

/// The render job of a highlight, if it has one.
pub(super) async fn job(tx: &Tx<'_>, highlight_id: &str) -> Result<Option<VideoJob>, StoreError> {
    let Some(r) =
        row(tx, "SELECT state, attempts, last_error FROM videos WHERE highlight_id = $1", &[&highlight_id]).await?
    else {
        return Ok(None);
    };
    let state: String = r.try_get(0)?;
    // The schema's CHECK constraint allows only known spellings.
    Ok(Some(VideoJob {
        state: VideoState::parse(&state).unwrap_or(Failed),
        attempts: r.try_get::<_, i64>(1)? as u32,
        last_error: r.try_get(2)?,
    }))
}

/// The ready media of a highlight, for its seller, or for anyone once it is posted.
pub(super) async fn media(tx: &Tx<'_>, highlight_id: &str, viewer: Option<&str>) -> Result<MediaRef, StoreError> {
    let r = row(
        tx,
        "SELECT v.video_key, v.thumbnail_key, v.storyboard FROM videos v JOIN highlights h ON h.id = v.highlight_id
         WHERE v.highlight_id = $1 AND v.state = $2 AND (h.status = $3 OR h.seller_id = $4)",
        &[&highlight_id, &Ready.as_str(), &HighlightStatus::Posted.as_str(), &viewer],
    )
    .await?
    .ok_or(StoreError::NotFound("video"))?;
    let storyboard = StoredStoryboard::parse(r.try_get::<_, Option<&str>>(2)?);
    Ok(MediaRef { video_key: r.try_get(0)?, thumbnail_key: r.try_get(1)?, storyboard_key: storyboard.map(|s| s.key) })
}

/// A seller's posted videos, newest first: only what a viewer sees.
pub(super) async fn feed(tx: &Tx<'_>, seller_id: &str, limit: u32) -> Result<Feed, StoreError> {
    if !exists(tx, "SELECT 1 FROM sellers WHERE id = $1", &[&seller_id]).await? {
        return Err(StoreError::NotFound("seller"));
    }
    let found = rows(
        tx,
        "SELECT h.id, h.live_id, h.product_id, p.name, coalesce(h.posted_at_ms, 0), v.duration_ms, h.live_now
         FROM highlights h JOIN videos v ON v.highlight_id = h.id
         LEFT JOIN live_products p ON p.live_id = h.live_id AND p.product_id = h.product_id
         WHERE h.seller_id = $1 AND h.status = $2 AND v.state = $3
         ORDER BY h.posted_at_ms DESC, h.id LIMIT $4",
        &[&seller_id, &HighlightStatus::Posted.as_str(), &Ready.as_str(), &i64::from(limit)],
    )
    .await?;
    let mut videos = Vec::with_capacity(found.len());
    for r in &found {
        let id: String = r.try_get(0)?;
        let live_id: String = r.try_get(1)?;
        let product_id: Option<String> = r.try_get(2)?;
        let name: Option<String> = r.try_get(3)?;
        let live_now: bool = r.try_get(6)?;
        videos.push(FeedVideo {
            product: product_id.map(|pid| Product { name: name.unwrap_or_else(|| pid.clone()), id: pid }),
            posted_at_ms: r.try_get(4)?,
            duration_ms: r.try_get::<_, Option<i64>>(5)?.unwrap_or(0),
            video_url: paths::media_video(&id),
            thumbnail_url: paths::media_thumbnail(&id),
            live_now_link: live_now.then(|| paths::live_room_link(&live_id)),
            id,
        });
    }
    Ok(Feed { seller_id: seller_id.to_string(), videos })
}

/// Whether any LIVE-now link belongs to a LIVE silent since the configured time.
pub(super) async fn any_silent(tx: &Tx<'_>, wall_now_ms: i64) -> Result<bool, StoreError> {
    let before = config::silent_before(tx, wall_now_ms).await?;
    exists(
        tx,
        "SELECT 1 FROM highlights h JOIN lives l ON l.id = h.live_id
         WHERE h.live_now AND coalesce(l.last_seen_at_ms, 0) < $1 LIMIT 1",
        &[&before],
    )
    .await
}

/// Clears the LIVE-now link of videos whose LIVE sent nothing for the configured silence.
pub(super) async fn clear_silent(tx: &Tx<'_>, wall_now_ms: i64) -> Result<u32, StoreError> {
    lock_changes(tx).await?;
    let before = config::silent_before(tx, wall_now_ms).await?;
    let ids = rows(
        tx,
        "SELECT h.id FROM highlights h JOIN lives l ON l.id = h.live_id
         WHERE h.live_now AND coalesce(l.last_seen_at_ms, 0) < $1 FOR UPDATE OF h SKIP LOCKED",
        &[&before],
    )
    .await?;
    for r in &ids {
        let id: String = r.try_get(0)?;
        let seq = next_seq(tx).await?;
        exec(tx, "UPDATE highlights SET live_now = false, seq = $2 WHERE id = $1", &[&id, &seq]).await?;
    }
    Ok(ids.len() as u32)
}
