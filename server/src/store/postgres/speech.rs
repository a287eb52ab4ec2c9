//! Speech recognition jobs, one per received segment, claimed by a worker under a lease and
//! retried with backoff; the words each heard; and what a render needs to know of them.

use super::shared::{Tx, exec, exists, row, rows};
use crate::store::contract::StoreError;
use crate::store::media_contract::{MAX_SEGMENT_MS, RetryPolicy, SpeechOutcome, SpeechTask};
use crate::store::rules;
use crate::subtitles::TimedWord;

/// Forgets what was heard in a segment being replaced (in the replacing transaction): its words
/// go, and its job moves to a new generation, given up until the new bytes are queued, so no
/// answer about the old bytes is kept and an unreadable replacement waits for nothing.
pub(super) async fn forget(tx: &Tx<'_>, live_id: &str, start_ms: i64) -> Result<(), StoreError> {
    exec(tx, "DELETE FROM speech_words WHERE live_id = $1 AND segment_start_ms = $2", &[&live_id, &start_ms]).await?;
    exec(
        tx,
        "UPDATE speech_jobs SET generation = generation + 1, state = 'failed', claimed_until_ms = NULL,
             last_error = 'segment replaced'
         WHERE live_id = $1 AND start_ms = $2",
        &[&live_id, &start_ms],
    )
    .await?;
    Ok(())
}

/// Queues (again, from scratch, in a new generation) the transcription of a stored readable
/// segment; an unreadable or unknown one has nothing to hear.
pub(super) async fn queue(tx: &Tx<'_>, live_id: &str, start_ms: i64, now_ms: i64) -> Result<(), StoreError> {
    exec(
        tx,
        "INSERT INTO speech_jobs (live_id, start_ms, state, attempts, generation, next_attempt_at_ms, queued_at_ms)
         SELECT live_id, start_ms, 'pending', 0, 0, $3, $3 FROM recording_segments
         WHERE live_id = $1 AND start_ms = $2 AND readable
         ON CONFLICT (live_id, start_ms) DO UPDATE SET state = 'pending', attempts = 0,
             generation = speech_jobs.generation + 1, next_attempt_at_ms = excluded.next_attempt_at_ms,
             claimed_until_ms = NULL, queued_at_ms = excluded.queued_at_ms, last_error = NULL",
        &[&live_id, &start_ms, &now_ms],
    )
    .await?;
    Ok(())
}

/// Leases the next due transcription, oldest first; workers on other processes skip the rows
/// one has locked. A job whose every attempt was claimed and never answered (its workers died,
/// or its answer could not be stored) is given up first.
pub(super) async fn claim(tx: &Tx<'_>, now_ms: i64, policy: &RetryPolicy) -> Result<Option<SpeechTask>, StoreError> {
    exec(
        tx,
        "UPDATE speech_jobs SET state = 'failed', last_error = coalesce(last_error, 'no answer after every attempt')
         WHERE state = 'pending' AND attempts >= $2 AND coalesce(claimed_until_ms, 0) <= $1",
        &[&now_ms, &(policy.max_attempts as i32)],
    )
    .await?;
    let Some(r) = row(
        tx,
        "SELECT j.live_id, j.start_ms, s.duration_ms, s.media_key, j.attempts, j.generation FROM speech_jobs j
         JOIN recording_segments s ON s.live_id = j.live_id AND s.start_ms = j.start_ms AND s.readable
         WHERE j.state = 'pending' AND j.next_attempt_at_ms <= $1 AND coalesce(j.claimed_until_ms, 0) <= $1
         ORDER BY j.next_attempt_at_ms LIMIT 1 FOR UPDATE OF j SKIP LOCKED",
        &[&now_ms],
    )
    .await?
    else {
        return Ok(None);
    };
    let (live_id, start_ms, duration_ms, media_key): (String, i64, i64, String) =
        (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
    let (attempts, generation): (i32, i32) = (r.try_get(4)?, r.try_get(5)?);
    exec(
        tx,
        "UPDATE speech_jobs SET attempts = attempts + 1, claimed_until_ms = $3 WHERE live_id = $1 AND start_ms = $2",
        &[&live_id, &start_ms, &(now_ms + policy.lease_ms)],
    )
    .await?;
    Ok(Some(SpeechTask {
        live_id,
        start_ms,
        duration_ms,
        media_key,
        attempt: attempts as u32 + 1,
        generation: generation as u32,
    }))
}

/// Records how a transcription ended (see `Store::finish_speech`).
pub(super) async fn finish(
    tx: &Tx<'_>,
    task: &SpeechTask,
    outcome: &SpeechOutcome,
    now_ms: i64,
    policy: &RetryPolicy,
) -> Result<(), StoreError> {
    let attempt = task.attempt as i32;
    let current = exists(
        tx,
        "SELECT 1 FROM speech_jobs WHERE live_id = $1 AND start_ms = $2 AND state = 'pending' AND attempts = $3
             AND generation = $4 FOR UPDATE",
        &[&task.live_id, &task.start_ms, &attempt, &(task.generation as i32)],
    )
    .await?;
    if !current {
        return Err(StoreError::NotFound("speech job"));
    }
    match outcome {
        SpeechOutcome::Heard(words) => {
            exec(
                tx,
                "DELETE FROM speech_words WHERE live_id = $1 AND segment_start_ms = $2",
                &[&task.live_id, &task.start_ms],
            )
            .await?;
            let words = rules::storable_words(words);
            let starts: Vec<i64> = words.iter().map(|w| w.start_ms).collect();
            let ends: Vec<i64> = words.iter().map(|w| w.end_ms).collect();
            let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
            exec(
                tx,
                "INSERT INTO speech_words (live_id, segment_start_ms, start_ms, end_ms, word)
                 SELECT $1, $2, s, e, w FROM unnest($3::bigint[], $4::bigint[], $5::text[]) AS t(s, e, w)",
                &[&task.live_id, &task.start_ms, &starts, &ends, &texts],
            )
            .await?;
            exec(
                tx,
                "UPDATE speech_jobs SET state = 'done', claimed_until_ms = NULL, last_error = NULL
                 WHERE live_id = $1 AND start_ms = $2",
                &[&task.live_id, &task.start_ms],
            )
            .await?;
        }
        SpeechOutcome::Failed { reason } if task.attempt < policy.max_attempts => {
            exec(
                tx,
                "UPDATE speech_jobs SET next_attempt_at_ms = $3, claimed_until_ms = NULL, last_error = $4
                 WHERE live_id = $1 AND start_ms = $2",
                &[&task.live_id, &task.start_ms, &(now_ms + policy.backoff_ms(task.attempt)), reason],
            )
            .await?;
        }
        SpeechOutcome::Failed { reason } => {
            exec(
                tx,
                "UPDATE speech_jobs SET state = 'failed', claimed_until_ms = NULL, last_error = $3
                 WHERE live_id = $1 AND start_ms = $2",
                &[&task.live_id, &task.start_ms, reason],
            )
            .await?;
        }
    }
    Ok(())
}

/// The words heard in `[from_ms, to_ms)` (from a little before, for a sentence under way), by time.
pub(super) async fn words(tx: &Tx<'_>, live_id: &str, from_ms: i64, to_ms: i64) -> Result<Vec<TimedWord>, StoreError> {
    let found = rows(
        tx,
        "SELECT word, start_ms, end_ms FROM speech_words WHERE live_id = $1 AND start_ms >= $2 AND start_ms < $3
         ORDER BY start_ms",
        &[&live_id, &(from_ms - 30_000), &to_ms],
    )
    .await?;
    let mut out = Vec::with_capacity(found.len());
    for r in &found {
        out.push(TimedWord { text: r.try_get(0)?, start_ms: r.try_get(1)?, end_ms: r.try_get(2)? });
    }
    Ok(out)
}

/// How many segments overlapping `[from_ms, to_ms)` still wait for recognition, and how many it
/// failed for good.
pub(super) async fn coverage(tx: &Tx<'_>, live_id: &str, from_ms: i64, to_ms: i64) -> Result<(u32, u32), StoreError> {
    let r = row(
        tx,
        "SELECT count(*) FILTER (WHERE j.state = 'pending'), count(*) FILTER (WHERE j.state = 'failed')
         FROM speech_jobs j JOIN recording_segments s ON s.live_id = j.live_id AND s.start_ms = j.start_ms AND s.readable
         WHERE j.live_id = $1 AND j.start_ms >= $2 AND j.start_ms < $3 AND j.start_ms + s.duration_ms > $4",
        &[&live_id, &(from_ms - MAX_SEGMENT_MS), &to_ms, &from_ms],
    )
    .await?
    .ok_or(StoreError::NotFound("speech coverage"))?;
    let (pending, failed): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
    Ok((pending as u32, failed as u32))
}
