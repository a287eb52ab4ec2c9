//! Media no row points at any more, waiting for the cleanup job; and the step that retires ready
//! videos of removed highlights and recordings past their age into it. A key is queued in the
//! transaction that stops pointing at it, so nothing the store answers names a deleted file.
//! Processes cleaning at once skip each other's locked rows.

use super::shared::{Tx, exec, lock_changes, next_seq, rows};
use crate::store::contract::StoreError;
use crate::store::media_contract::{CLEANUP_BATCH, Retired, StoredStoryboard, ready_keys, rendered_keys};

/// The tables holding rows of a recording's segments, and the column naming the segment's start.
const RECORDING_ROWS: [(&str, &str); 3] =
    [("recording_segments", "start_ms"), ("speech_jobs", "start_ms"), ("speech_words", "segment_start_ms")];

/// Queues `keys` for deletion from `due_ms` (wall ms). A key already queued is due at the earlier
/// time and no longer claimed: a cleaner deleting it now may have come before its file was
/// written, so its deletion must not forget it.
pub(super) async fn push(tx: &Tx<'_>, keys: &[String], due_ms: i64) -> Result<(), StoreError> {
    if keys.is_empty() {
        return Ok(());
    }
    let mut keys = keys.to_vec();
    // One row per key: ON CONFLICT DO UPDATE refuses to touch a row twice in one statement.
    keys.sort();
    keys.dedup();
    exec(
        tx,
        "INSERT INTO media_garbage (key, due_at_ms) SELECT unnest($1::text[]), $2
         ON CONFLICT (key) DO UPDATE SET due_at_ms = least(media_garbage.due_at_ms, excluded.due_at_ms),
             claimed_until_ms = NULL",
        &[&keys, &due_ms],
    )
    .await?;
    Ok(())
}

/// Queues the files a render attempt with `stem` may have written.
pub(super) async fn push_attempt(tx: &Tx<'_>, stem: &str) -> Result<(), StoreError> {
    push(tx, &rendered_keys(stem), crate::clock::now_ms()).await
}

/// Retires ready videos of highlights removed at or before `removed_before_ms` (their highlight
/// becomes a change without a video) and segments received at or before `recorded_before_ms` of
/// LIVEs quiet since then, queueing their keys.
pub(super) async fn retire(
    tx: &Tx<'_>,
    removed_before_ms: i64,
    recorded_before_ms: i64,
    now_ms: i64,
) -> Result<Retired, StoreError> {
    let batch = i64::from(CLEANUP_BATCH);
    // Before the LIVEs' and videos' rows: see `lock_changes`.
    lock_changes(tx).await?;
    let segments = rows(
        tx,
        "SELECT s.live_id, s.start_ms, s.media_key, s.storyboard FROM recording_segments s
         JOIN lives l ON l.id = s.live_id
         WHERE s.received_at_ms <= $1 AND coalesce(l.last_seen_at_ms, 0) <= $1 LIMIT $2 FOR UPDATE OF s SKIP LOCKED",
        &[&recorded_before_ms, &batch],
    )
    .await?;
    let mut keys = Vec::new();
    let (mut lives, mut starts) = (Vec::with_capacity(segments.len()), Vec::with_capacity(segments.len()));
    for r in &segments {
        let (live_id, start_ms, key, storyboard): (String, i64, String, Option<String>) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
        keys.push(key);
        keys.extend(StoredStoryboard::parse(storyboard.as_deref()).map(|s| s.key));
        lives.push(live_id);
        starts.push(start_ms);
    }
    push(tx, &keys, now_ms).await?;
    if !lives.is_empty() {
        // The segments go with their speech jobs and the words heard in them (those cut and
        // subtitled clips of this recording, of which none is made any more).
        for (table, segment) in RECORDING_ROWS {
            let sql = format!(
                "DELETE FROM {table} t USING unnest($1::text[], $2::bigint[]) AS d (live_id, start_ms)
                 WHERE t.live_id = d.live_id AND t.{segment} = d.start_ms"
            );
            exec(tx, &sql, &[&lives, &starts]).await?;
        }
        exec(
            tx,
            "UPDATE lives SET recording_deleted_at_ms = coalesce(recording_deleted_at_ms, $2) WHERE id = ANY($1)",
            &[&lives, &now_ms],
        )
        .await?;
    }
    let videos = rows(
        tx,
        "SELECT highlight_id, video_key, thumbnail_key, storyboard FROM videos
         WHERE removed_at_ms IS NOT NULL AND removed_at_ms <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED",
        &[&removed_before_ms, &batch],
    )
    .await?;
    let mut keys = Vec::new();
    let mut ids = Vec::with_capacity(videos.len());
    for r in &videos {
        let (id, video, thumbnail, storyboard): (String, Option<String>, Option<String>, Option<String>) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
        let ready = ready_keys(
            video.as_deref().unwrap_or_default(),
            thumbnail.as_deref().unwrap_or_default(),
            storyboard.as_deref(),
        );
        keys.extend(ready);
        ids.push(id);
    }
    push(tx, &keys, now_ms).await?;
    if !ids.is_empty() {
        exec(tx, "DELETE FROM videos WHERE highlight_id = ANY($1)", &[&ids]).await?;
        for id in &ids {
            let seq = next_seq(tx).await?;
            exec(tx, "UPDATE highlights SET seq = $2 WHERE id = $1", &[id, &seq]).await?;
        }
    }
    Ok(Retired { videos: ids.len() as u32, segments: segments.len() as u32 })
}

/// Leases due keys to the caller until `now_ms + lease_ms`.
pub(super) async fn claim(tx: &Tx<'_>, now_ms: i64, lease_ms: i64) -> Result<Vec<String>, StoreError> {
    let claimed = rows(
        tx,
        "UPDATE media_garbage SET claimed_until_ms = $2, attempts = attempts + 1
         WHERE key IN (SELECT key FROM media_garbage WHERE due_at_ms <= $1 AND coalesce(claimed_until_ms, 0) <= $1
                       ORDER BY due_at_ms LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING key",
        &[&now_ms, &(now_ms + lease_ms), &i64::from(CLEANUP_BATCH)],
    )
    .await?;
    claimed.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Forgets keys whose files are deleted, unless queued again since their claim.
pub(super) async fn forget(tx: &Tx<'_>, keys: &[String], claimed_until_ms: i64) -> Result<(), StoreError> {
    exec(tx, "DELETE FROM media_garbage WHERE key = ANY($1) AND claimed_until_ms = $2", &[&keys, &claimed_until_ms])
        .await?;
    Ok(())
}
