//! The distributed mode's side of the store: which worker leases which partition of the event
//! log, how far each partition was applied, and each LIVE's detector checkpoint. All three change
//! in the transaction that stores an entry's events and highlights, which is what makes a
//! takeover exact: the position and the checkpoint never disagree with the data.

use rusqlite::{Connection, OptionalExtension, params};

use super::{idempotency, ingest};
use crate::store::contract::{LogPosition, Logged, LoggedBatch, Scorer, StoreError};
use crate::store::rules;

/// Takes or renews `worker`'s leases by [`rules::share_partitions`].
pub(super) fn lease(
    conn: &Connection,
    worker: &str,
    partitions: u32,
    now_ms: i64,
    lease_ms: i64,
) -> Result<Vec<u32>, StoreError> {
    conn.prepare_cached(
        "INSERT INTO workers (name, until_ms) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET until_ms = excluded.until_ms",
    )?
    .execute(params![worker, now_ms + lease_ms])?;
    conn.prepare_cached("DELETE FROM workers WHERE until_ms <= ?1")?.execute([now_ms])?;
    let workers: i64 = conn.prepare_cached("SELECT count(*) FROM workers")?.query_row([], |r| r.get(0))?;
    let leases: Vec<(u32, String, i64)> = conn
        .prepare_cached("SELECT partition, owner, until_ms FROM partition_leases")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let (mine, freed) = rules::share_partitions(&leases, worker, partitions, workers as u32, now_ms);
    for extra in freed {
        conn.prepare_cached("DELETE FROM partition_leases WHERE partition = ?1 AND owner = ?2")?
            .execute(params![extra, worker])?;
    }
    let mut upsert = conn.prepare_cached(
        "INSERT INTO partition_leases (partition, owner, until_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (partition) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms",
    )?;
    for p in &mine {
        upsert.execute(params![p, worker, now_ms + lease_ms])?;
    }
    Ok(mine)
}

/// Frees every lease of `worker`.
pub(super) fn release(conn: &Connection, worker: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM partition_leases WHERE owner = ?1")?.execute([worker])?;
    conn.prepare_cached("DELETE FROM workers WHERE name = ?1")?.execute([worker])?;
    Ok(())
}

/// The last sequence applied from `partition`, 0 before the first.
pub(super) fn position(conn: &Connection, partition: u32) -> Result<u64, StoreError> {
    let seq: Option<i64> = conn
        .prepare_cached("SELECT seq FROM partition_positions WHERE partition = ?1")?
        .query_row([partition], |r| r.get(0))
        .optional()?;
    Ok(seq.unwrap_or(0) as u64)
}

/// Applies one entry exactly once (see [`crate::store::Store::apply_logged`]).
pub(super) fn apply(
    conn: &Connection,
    entry: LoggedBatch,
    at: &LogPosition,
    scorer: &dyn Scorer,
    videos: bool,
    now_ms: i64,
) -> Result<Logged, StoreError> {
    let held = conn
        .prepare_cached("SELECT 1 FROM partition_leases WHERE partition = ?1 AND owner = ?2 AND until_ms > ?3")?
        .exists(params![at.partition, at.worker, now_ms])?;
    if !held {
        return Err(StoreError::rule(
            "lease_lost",
            format!("partition {} is no longer leased to {}", at.partition, at.worker),
        ));
    }
    if at.seq <= position(conn, at.partition)? {
        return Ok(Logged::AlreadyApplied);
    }
    let live_id = entry.live_id.as_str();
    let checkpoint: Option<(i64, Option<Vec<u8>>)> = conn
        .prepare_cached("SELECT seq, state FROM live_checkpoints WHERE live_id = ?1")?
        .query_row([live_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    rules::resume_detector(scorer, live_id, checkpoint.map(|(seq, state)| (seq as u64, state)), &at.worker);
    let seller_id = entry.batch.seller_id.clone();
    let result =
        idempotency::once(conn, &seller_id, entry.key.as_ref(), |c| ingest::ingest(c, entry.batch, scorer, videos))?;
    conn.prepare_cached(
        "INSERT INTO partition_positions (partition, seq) VALUES (?1, ?2)
         ON CONFLICT (partition) DO UPDATE SET seq = excluded.seq",
    )?
    .execute(params![at.partition, at.seq as i64])?;
    conn.prepare_cached(
        "INSERT INTO live_checkpoints (live_id, seq, state) VALUES (?1, ?2, ?3)
         ON CONFLICT (live_id) DO UPDATE SET seq = excluded.seq, state = excluded.state",
    )?
    .execute(params![live_id, at.seq as i64, scorer.checkpoint(live_id, at.seq)])?;
    Ok(Logged::Applied(result))
}
