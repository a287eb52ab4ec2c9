//! Speech recognition jobs, one per received segment, claimed by a worker under a lease and
//! retried with backoff; the words each heard; and what a render needs to know of them.

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::contract::StoreError;
use crate::store::media_contract::{MAX_SEGMENT_MS, RetryPolicy, SpeechOutcome, SpeechTask};
use crate::store::rules;
use crate::subtitles::TimedWord;

/// Forgets what was heard in a segment being replaced (in the replacing transaction): its words
/// go, and its job moves to a new generation, given up until the new bytes are queued, so no
/// answer about the old bytes is kept and an unreadable replacement waits for nothing.
pub(super) fn forget(conn: &Connection, live_id: &str, start_ms: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM speech_words WHERE live_id = ?1 AND segment_start_ms = ?2")?
        .execute(params![live_id, start_ms])?;
    conn.prepare_cached(
        "UPDATE speech_jobs SET generation = generation + 1, state = 'failed', claimed_until_ms = NULL,
             last_error = 'segment replaced'
         WHERE live_id = ?1 AND start_ms = ?2",
    )?
    .execute(params![live_id, start_ms])?;
    Ok(())
}

/// Queues (again, from scratch, in a new generation) the transcription of a stored readable
/// segment; an unreadable or unknown one has nothing to hear.
pub(super) fn queue(conn: &Connection, live_id: &str, start_ms: i64, now_ms: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO speech_jobs (live_id, start_ms, state, attempts, generation, next_attempt_at_ms, queued_at_ms)
         SELECT live_id, start_ms, 'pending', 0, 0, ?3, ?3 FROM recording_segments
         WHERE live_id = ?1 AND start_ms = ?2 AND readable
         ON CONFLICT (live_id, start_ms) DO UPDATE SET state = 'pending', attempts = 0,
             generation = speech_jobs.generation + 1, next_attempt_at_ms = excluded.next_attempt_at_ms,
             claimed_until_ms = NULL, queued_at_ms = excluded.queued_at_ms, last_error = NULL",
    )?
    .execute(params![live_id, start_ms, now_ms])?;
    Ok(())
}

/// Leases the next due transcription, oldest first. A job whose every attempt was claimed and
/// never answered (its workers died, or its answer could not be stored) is given up first.
pub(super) fn claim(conn: &Connection, now_ms: i64, policy: &RetryPolicy) -> Result<Option<SpeechTask>, StoreError> {
    conn.prepare_cached(
        "UPDATE speech_jobs SET state = 'failed', last_error = coalesce(last_error, 'no answer after every attempt')
         WHERE state = 'pending' AND attempts >= ?2 AND coalesce(claimed_until_ms, 0) <= ?1",
    )?
    .execute(params![now_ms, policy.max_attempts])?;
    let row = conn
        .prepare_cached(
            "SELECT j.live_id, j.start_ms, s.duration_ms, s.media_key, j.attempts, j.generation FROM speech_jobs j
             JOIN recording_segments s ON s.live_id = j.live_id AND s.start_ms = j.start_ms AND s.readable
             WHERE j.state = 'pending' AND j.next_attempt_at_ms <= ?1 AND coalesce(j.claimed_until_ms, 0) <= ?1
             ORDER BY j.next_attempt_at_ms LIMIT 1",
        )?
        .query_row([now_ms], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, u32>(4)?, r.get::<_, u32>(5)?))
        })
        .optional()?;
    let Some((live_id, start_ms, duration_ms, media_key, attempts, generation)) = row else { return Ok(None) };
    conn.prepare_cached(
        "UPDATE speech_jobs SET attempts = attempts + 1, claimed_until_ms = ?3 WHERE live_id = ?1 AND start_ms = ?2",
    )?
    .execute(params![live_id, start_ms, now_ms + policy.lease_ms])?;
    Ok(Some(SpeechTask { live_id, start_ms, duration_ms, media_key, attempt: attempts + 1, generation }))
}

/// Records how a transcription ended (see `Store::finish_speech`).
pub(super) fn finish(
    conn: &Connection,
    task: &SpeechTask,
    outcome: &SpeechOutcome,
    now_ms: i64,
    policy: &RetryPolicy,
) -> Result<(), StoreError> {
    let current = conn
        .prepare_cached(
            "SELECT 1 FROM speech_jobs WHERE live_id = ?1 AND start_ms = ?2 AND state = 'pending' AND attempts = ?3
                 AND generation = ?4",
        )?
        .exists(params![task.live_id, task.start_ms, task.attempt, task.generation])?;
    if !current {
        return Err(StoreError::NotFound("speech job"));
    }
    match outcome {
        SpeechOutcome::Heard(words) => {
            conn.prepare_cached("DELETE FROM speech_words WHERE live_id = ?1 AND segment_start_ms = ?2")?
                .execute(params![task.live_id, task.start_ms])?;
            let mut insert = conn.prepare_cached(
                "INSERT INTO speech_words (live_id, segment_start_ms, start_ms, end_ms, word) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for w in rules::storable_words(words) {
                insert.execute(params![task.live_id, task.start_ms, w.start_ms, w.end_ms, w.text])?;
            }
            conn.prepare_cached(
                "UPDATE speech_jobs SET state = 'done', claimed_until_ms = NULL, last_error = NULL WHERE live_id = ?1 AND start_ms = ?2",
            )?
            .execute(params![task.live_id, task.start_ms])?;
        }
        SpeechOutcome::Failed { reason } if task.attempt < policy.max_attempts => {
            conn.prepare_cached(
                "UPDATE speech_jobs SET next_attempt_at_ms = ?3, claimed_until_ms = NULL, last_error = ?4
                 WHERE live_id = ?1 AND start_ms = ?2",
            )?
            .execute(params![
                task.live_id,
                task.start_ms,
                now_ms + policy.backoff_ms(task.attempt),
                reason
            ])?;
        }
        SpeechOutcome::Failed { reason } => {
            conn.prepare_cached(
                "UPDATE speech_jobs SET state = 'failed', claimed_until_ms = NULL, last_error = ?3 WHERE live_id = ?1 AND start_ms = ?2",
            )?
            .execute(params![task.live_id, task.start_ms, reason])?;
        }
    }
    Ok(())
}

/// The words heard in `[from_ms, to_ms)` (from a little before, for a sentence under way), by time.
pub(super) fn words(conn: &Connection, live_id: &str, from_ms: i64, to_ms: i64) -> Result<Vec<TimedWord>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT word, start_ms, end_ms FROM speech_words WHERE live_id = ?1 AND start_ms >= ?2 AND start_ms < ?3
         ORDER BY start_ms",
    )?;
    let rows = stmt.query_map(params![live_id, from_ms - 30_000, to_ms], |r| {
        Ok(TimedWord { text: r.get(0)?, start_ms: r.get(1)?, end_ms: r.get(2)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many segments overlapping `[from_ms, to_ms)` still wait for recognition, and how many it
/// failed for good.
pub(super) fn coverage(conn: &Connection, live_id: &str, from_ms: i64, to_ms: i64) -> Result<(u32, u32), StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(sum(j.state = 'pending'), 0), coalesce(sum(j.state = 'failed'), 0) FROM speech_jobs j
             JOIN recording_segments s ON s.live_id = j.live_id AND s.start_ms = j.start_ms AND s.readable
             WHERE j.live_id = ?1 AND j.start_ms >= ?2 AND j.start_ms < ?3 AND j.start_ms + s.duration_ms > ?4",
        )?
        .query_row(params![live_id, from_ms - MAX_SEGMENT_MS, to_ms, from_ms], |r| Ok((r.get(0)?, r.get(1)?)))?)
}
