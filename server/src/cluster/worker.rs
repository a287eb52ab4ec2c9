//! A worker: leases partitions of the event log, reads each in order and applies its entries to
//! the store; gives a partition up when its lease is lost, and its leases when stopped.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::log::EventLog;
use crate::engine_host::EngineHost;
use crate::store::{LogPosition, Logged, LoggedBatch, Scorer, Store, StoreError};

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Its name, unique among running workers: leases are held under it.
    pub name: String,
    /// How long a lease lasts unrenewed; a dead worker's partitions move after at most this.
    pub lease: Duration,
}

/// Runs a worker until `stop` turns true, then frees its leases.
pub async fn run(
    store: Arc<dyn Store>,
    log: EventLog,
    options: WorkerOptions,
    mut stop: watch::Receiver<bool>,
) -> Result<(), StoreError> {
    let scorer = EngineHost::default();
    let mut readers: BTreeMap<u32, JoinHandle<()>> = BTreeMap::new();
    let lease_ms = options.lease.as_millis() as i64;
    let mut tick = tokio::time::interval(options.lease / 3);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => break,
        }
        let held = match store.lease_partitions(options.name.clone(), log.partitions(), lease_ms).await {
            Ok(held) => held,
            Err(e) => {
                tracing::warn!(error = %e, "renewing partition leases failed; retrying");
                continue;
            }
        };
        readers.retain(|p, task| {
            let keep = held.contains(p) && !task.is_finished();
            if !keep {
                task.abort();
            }
            keep
        });
        for p in held {
            readers.entry(p).or_insert_with(|| {
                tracing::info!(partition = p, worker = %options.name, "reading partition");
                tokio::spawn(read_partition(store.clone(), log.clone(), p, options.name.clone(), scorer.clone()))
            });
        }
    }
    for (_, task) in readers {
        task.abort();
    }
    store.release_partitions(options.name).await
}

/// Reads one partition from where the store says it was applied, entry by entry, until the
/// lease is lost; a broken reader is recreated from the store's position.
async fn read_partition(store: Arc<dyn Store>, log: EventLog, partition: u32, worker: String, host: EngineHost) {
    let scorer: Arc<dyn Scorer> = Arc::new(host);
    loop {
        let from = match store.log_position(partition).await {
            Ok(p) => p + 1,
            Err(e) => {
                tracing::warn!(partition, error = %e, "reading the partition's position failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        let mut entries = match log.read(partition, from).await {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(partition, error = %e, "opening the partition failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        while let Some(next) = entries.next().await {
            let message = match next {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(partition, error = %e, "the partition reader broke; reopening");
                    break;
                }
            };
            let Ok(seq) = message.info().map(|i| i.stream_sequence) else { continue };
            let entry: LoggedBatch = match serde_json::from_slice(&message.payload) {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(partition, seq, error = %e, "entry is not a batch; skipped");
                    continue;
                }
            };
            let at = LogPosition { partition, seq, worker: worker.clone() };
            if !apply(&store, &scorer, entry, at).await {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Applies one entry, retrying what failed for a passing reason; false once the lease is lost.
async fn apply(store: &Arc<dyn Store>, scorer: &Arc<dyn Scorer>, entry: LoggedBatch, at: LogPosition) -> bool {
    let live_id = entry.live_id.clone();
    let mut wait = Duration::from_millis(50);
    loop {
        match store.apply_logged(entry.clone(), at.clone(), scorer.clone()).await {
            Ok(Logged::Applied(_)) | Ok(Logged::AlreadyApplied) => return true,
            Err(StoreError::Rule { code: "lease_lost", .. }) => {
                scorer.forget(&live_id);
                tracing::info!(partition = at.partition, worker = %at.worker, "partition lease lost; stopping its reader");
                return false;
            }
            Err(e @ StoreError::Backend { .. }) => {
                // Nothing of the entry was committed, so the detector must not keep what it saw.
                scorer.forget(&live_id);
                tracing::warn!(partition = at.partition, seq = at.seq, error = %e, "applying an entry failed; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
            Err(e) => {
                // Refused for good (a seller deleted since, a key reused for another batch): the
                // API would have answered 4xx; waiting would block the partition forever.
                scorer.forget(&live_id);
                tracing::error!(partition = at.partition, seq = at.seq, error = %e, "entry refused by the store; skipped");
                return true;
            }
        }
    }
}
