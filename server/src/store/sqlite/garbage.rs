//! Media no row points at any more, waiting for the cleanup job; and the step that retires ready
//! videos of removed highlights and recordings past their age into it. A key is queued in the
//! transaction that stops pointing at it, so nothing the store answers names a deleted file.

use rusqlite::{Connection, params};

use super::shared::next_seq;
use crate::store::contract::StoreError;
use crate::store::media_contract::{CLEANUP_BATCH, Retired, StoredStoryboard, ready_keys, rendered_keys};

/// Deletes the rows of one segment of a recording (`?1` its LIVE, `?2` its start).
const RECORDING_ROWS: [&str; 3] = [
    "DELETE FROM recording_segments WHERE live_id = ?1 AND start_ms = ?2",
    "DELETE FROM speech_jobs WHERE live_id = ?1 AND start_ms = ?2",
    "DELETE FROM speech_words WHERE live_id = ?1 AND segment_start_ms = ?2",
];

/// Queues `keys` for deletion from `due_ms` (wall ms). A key already queued is due at the earlier
/// time and no longer claimed: a cleaner deleting it now may have come before its file was
/// written, so its deletion must not forget it.
pub(super) fn push(conn: &Connection, keys: &[String], due_ms: i64) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO media_garbage (key, due_at_ms) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET due_at_ms = min(due_at_ms, excluded.due_at_ms), claimed_until_ms = NULL",
    )?;
    for key in keys {
        stmt.execute(params![key, due_ms])?;
    }
    Ok(())
}

/// Queues the files a render attempt with `stem` may have written.
pub(super) fn push_attempt(conn: &Connection, stem: &str) -> Result<(), StoreError> {
    push(conn, &rendered_keys(stem), crate::clock::now_ms())
}

/// Retires ready videos of highlights removed at or before `removed_before_ms` (their highlight
/// becomes a change without a video) and segments received at or before `recorded_before_ms` of
/// LIVEs quiet since then, queueing their keys.
pub(super) fn retire(
    conn: &Connection,
    removed_before_ms: i64,
    recorded_before_ms: i64,
    now_ms: i64,
) -> Result<Retired, StoreError> {
    // Each video's id and its keys.
    let videos: Vec<(String, Vec<String>)> = conn
        .prepare_cached(
            "SELECT highlight_id, coalesce(video_key, ''), coalesce(thumbnail_key, ''), storyboard FROM videos
             WHERE removed_at_ms IS NOT NULL AND removed_at_ms <= ?1 LIMIT ?2",
        )?
        .query_map(params![removed_before_ms, CLEANUP_BATCH], |r| {
            let keys =
                ready_keys(&r.get::<_, String>(1)?, &r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?.as_deref());
            Ok((r.get(0)?, keys))
        })?
        .collect::<Result<_, _>>()?;
    for (id, keys) in &videos {
        push(conn, keys, now_ms)?;
        conn.prepare_cached("DELETE FROM videos WHERE highlight_id = ?1")?.execute([id])?;
        let seq = next_seq(conn)?;
        conn.prepare_cached("UPDATE highlights SET seq = ?2 WHERE id = ?1")?.execute(params![id, seq])?;
    }
    let segments: Vec<(String, i64, String, Option<String>)> = conn
        .prepare_cached(
            "SELECT s.live_id, s.start_ms, s.media_key, s.storyboard FROM recording_segments s
             JOIN lives l ON l.id = s.live_id
             WHERE s.received_at_ms <= ?1 AND coalesce(l.last_seen_at_ms, 0) <= ?1 LIMIT ?2",
        )?
        .query_map(params![recorded_before_ms, CLEANUP_BATCH], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    for (live_id, start_ms, key, storyboard) in &segments {
        let mut keys = vec![key.clone()];
        keys.extend(StoredStoryboard::parse(storyboard.as_deref()).map(|s| s.key));
        push(conn, &keys, now_ms)?;
        // The segment goes with its speech job and the words heard in it (those cut and
        // subtitled clips of this recording, of which none is made any more).
        for sql in RECORDING_ROWS {
            conn.prepare_cached(sql)?.execute(params![live_id, start_ms])?;
        }
        conn.prepare_cached(
            "UPDATE lives SET recording_deleted_at_ms = coalesce(recording_deleted_at_ms, ?2) WHERE id = ?1",
        )?
        .execute(params![live_id, now_ms])?;
    }
    Ok(Retired { videos: videos.len() as u32, segments: segments.len() as u32 })
}

/// Leases due keys to the caller until `now_ms + lease_ms`.
pub(super) fn claim(conn: &Connection, now_ms: i64, lease_ms: i64) -> Result<Vec<String>, StoreError> {
    let keys: Vec<String> = conn
        .prepare_cached(
            "SELECT key FROM media_garbage WHERE due_at_ms <= ?1 AND coalesce(claimed_until_ms, 0) <= ?1
             ORDER BY due_at_ms LIMIT ?2",
        )?
        .query_map(params![now_ms, CLEANUP_BATCH], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut stmt =
        conn.prepare_cached("UPDATE media_garbage SET claimed_until_ms = ?2, attempts = attempts + 1 WHERE key = ?1")?;
    for key in &keys {
        stmt.execute(params![key, now_ms + lease_ms])?;
    }
    Ok(keys)
}

/// Forgets keys whose files are deleted, unless queued again since their claim.
pub(super) fn forget(conn: &Connection, keys: &[String], claimed_until_ms: i64) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached("DELETE FROM media_garbage WHERE key = ?1 AND claimed_until_ms = ?2")?;
    for key in keys {
        stmt.execute(params![key, claimed_until_ms])?;
    }
    Ok(())
}
