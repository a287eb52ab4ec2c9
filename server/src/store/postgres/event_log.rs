//! The distributed mode's side of the store: which worker leases which partition of the event
//! log, how far each partition was applied, and each LIVE's detector checkpoint. All three change
//! in the transaction that stores an entry's events and highlights, so the position and the
//! checkpoint never disagree with the data.

use super::shared::{Tx, exec, exists, one, row, rows};
use super::{idempotency, ingest};
use crate::store::contract::{LogPosition, Logged, LoggedBatch, Scorer, StoreError};
use crate::store::rules;

/// Takes or renews `worker`'s leases by [`rules::share_partitions`]; workers take turns here (an
/// advisory lock).
pub(super) async fn lease(
    tx: &Tx<'_>,
    worker: &str,
    partitions: u32,
    now_ms: i64,
    lease_ms: i64,
) -> Result<Vec<u32>, StoreError> {
    exec(tx, "SELECT pg_advisory_xact_lock(7206582)", &[]).await?;
    exec(
        tx,
        "INSERT INTO workers (name, until_ms) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET until_ms = excluded.until_ms",
        &[&worker, &(now_ms + lease_ms)],
    )
    .await?;
    exec(tx, "DELETE FROM workers WHERE until_ms <= $1", &[&now_ms]).await?;
    let workers: i64 = one(tx, "SELECT count(*) FROM workers", &[]).await?;
    let leases: Vec<(u32, String, i64)> = rows(tx, "SELECT partition, owner, until_ms FROM partition_leases", &[])
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<_, i64>(0)? as u32, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, StoreError>>()?;
    let (mine, freed) = rules::share_partitions(&leases, worker, partitions, workers as u32, now_ms);
    for extra in freed {
        exec(tx, "DELETE FROM partition_leases WHERE partition = $1 AND owner = $2", &[&i64::from(extra), &worker])
            .await?;
    }
    for p in &mine {
        exec(
            tx,
            "INSERT INTO partition_leases (partition, owner, until_ms) VALUES ($1, $2, $3)
             ON CONFLICT (partition) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms",
            &[&i64::from(*p), &worker, &(now_ms + lease_ms)],
        )
        .await?;
    }
    Ok(mine)
}

/// Frees every lease of `worker`.
pub(super) async fn release(tx: &Tx<'_>, worker: &str) -> Result<(), StoreError> {
    exec(tx, "SELECT pg_advisory_xact_lock(7206582)", &[]).await?;
    exec(tx, "DELETE FROM partition_leases WHERE owner = $1", &[&worker]).await?;
    exec(tx, "DELETE FROM workers WHERE name = $1", &[&worker]).await?;
    Ok(())
}

/// The last sequence applied from `partition`, 0 before the first.
pub(super) async fn position(tx: &Tx<'_>, partition: u32) -> Result<u64, StoreError> {
    let r = row(tx, "SELECT seq FROM partition_positions WHERE partition = $1", &[&i64::from(partition)]).await?;
    Ok(r.map(|r| r.try_get::<_, i64>(0)).transpose()?.unwrap_or(0) as u64)
}

/// Applies one entry exactly once (see [`crate::store::Store::apply_logged`]).
pub(super) async fn apply(
    tx: &Tx<'_>,
    entry: LoggedBatch,
    at: &LogPosition,
    scorer: &dyn Scorer,
    videos: bool,
    now_ms: i64,
) -> Result<Logged, StoreError> {
    // The lease row stays locked until commit: a worker taking the partition over waits for this
    // entry to commit (then resumes after it) or finds it never will.
    let held = exists(
        tx,
        "SELECT 1 FROM partition_leases WHERE partition = $1 AND owner = $2 AND until_ms > $3 FOR UPDATE",
        &[&i64::from(at.partition), &at.worker, &now_ms],
    )
    .await?;
    if !held {
        return Err(StoreError::rule(
            "lease_lost",
            format!("partition {} is no longer leased to {}", at.partition, at.worker),
        ));
    }
    if at.seq <= position(tx, at.partition).await? {
        return Ok(Logged::AlreadyApplied);
    }
    let live_id = entry.live_id.as_str();
    let checkpoint = match row(tx, "SELECT seq, state FROM live_checkpoints WHERE live_id = $1", &[&live_id]).await? {
        Some(r) => Some((r.try_get::<_, i64>(0)? as u64, r.try_get(1)?)),
        None => None,
    };
    rules::resume_detector(scorer, live_id, checkpoint, &at.worker);
    let seller_id = entry.batch.seller_id.clone();
    let key = entry.key.clone();
    let result = once!(tx, &seller_id, key.as_ref(), ingest::ingest(tx, entry.batch, scorer, videos).await?);
    exec(
        tx,
        "INSERT INTO partition_positions (partition, seq) VALUES ($1, $2)
         ON CONFLICT (partition) DO UPDATE SET seq = excluded.seq",
        &[&i64::from(at.partition), &(at.seq as i64)],
    )
    .await?;
    exec(
        tx,
        "INSERT INTO live_checkpoints (live_id, seq, state) VALUES ($1, $2, $3)
         ON CONFLICT (live_id) DO UPDATE SET seq = excluded.seq, state = excluded.state",
        &[&live_id, &(at.seq as i64), &scorer.checkpoint(live_id, at.seq)],
    )
    .await?;
    Ok(Logged::Applied(result))
}
