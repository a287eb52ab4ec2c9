//! A worker: leases partitions of the event log, reads each in order and applies its entries to
//! the store; gives a partition up when its lease is lost, and its leases when stopped.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::log::EventLog;
use crate::engine_host::EngineHost;
use highlights_engine::LiveEvent;

use crate::store::{EntryError, LogHistory, Logged, LoggedEntry, Scorer, Store, StoreError};

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

/// Most entries applied in one transaction: enough that the per-transaction work (lease check,
/// position, one checkpoint per LIVE) is spread thin, few enough that a transaction stays short
/// and a takeover waits for little.
const MAX_ENTRIES_PER_TRANSACTION: usize = 256;

/// How long a reader gathers entries after the first before applying them: a transaction's fixed
/// work is most of a small run's cost, and a tenth of a second is nothing beside the minutes a
/// moment waits before it posts.
const LINGER: Duration = Duration::from_millis(100);

/// Reads one partition from where the store says it was applied, applying the entries already
/// waiting together, until the lease is lost; a broken reader is recreated from the store's position.
async fn read_partition(store: Arc<dyn Store>, log: EventLog, partition: u32, worker: String, host: EngineHost) {
    let scorer: Arc<dyn Scorer> = Arc::new(host);
    let history = Arc::new(PartitionHistory::new(log.clone(), partition));
    loop {
        let from = match store.log_position(partition).await {
            Ok(p) => p + 1,
            Err(e) => {
                tracing::warn!(partition, error = %e, "reading the partition's position failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        // The log no longer holds what follows this partition's position: entries of it may have
        // expired unapplied (or the partition was idle that long). Said once per reader.
        if let Ok(first) = log.first_sequence().await
            && first > from
        {
            tracing::warn!(
                partition,
                from,
                first,
                "the log expired entries past this partition's position; some may not have been applied"
            );
        }
        let mut messages = match log.read(partition, from).await {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(partition, error = %e, "opening the partition failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        let mut broken = false;
        while !broken {
            // Wait for one entry, then gather what arrives for a short while.
            let mut entries = Vec::new();
            let mut next = messages.next().await;
            let until = tokio::time::Instant::now() + LINGER;
            loop {
                match next {
                    Some(Ok(m)) => match decode(partition, &m) {
                        Ok(Some(entry)) => entries.push(entry),
                        Ok(None) => {}
                        Err(e) => {
                            // What came before it is applied; the partition waits for an upgrade.
                            tracing::error!(partition, error = %e, "an entry this version cannot read; upgrade this worker");
                            if !entries.is_empty() {
                                apply(&store, &scorer, &history, partition, &worker, entries).await;
                            }
                            return;
                        }
                    },
                    Some(Err(e)) => {
                        tracing::warn!(partition, error = %e, "the partition reader broke; reopening");
                        broken = true;
                        break;
                    }
                    None => {
                        broken = true;
                        break;
                    }
                }
                if entries.len() >= MAX_ENTRIES_PER_TRANSACTION {
                    break;
                }
                match tokio::time::timeout_at(until, messages.next()).await {
                    Ok(n) => next = n,
                    Err(_) => break,
                }
            }
            if !entries.is_empty() && !apply(&store, &scorer, &history, partition, &worker, entries).await {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// An entry decoded once from its message: `Ok(None)` (logged) for what is not an entry, an
/// error for an encoding written by a newer version, which must wait for this worker's upgrade
/// rather than be skipped.
fn decode(partition: u32, m: &async_nats::jetstream::Message) -> Result<Option<LoggedEntry>, EntryError> {
    let Ok(info) = m.info() else { return Ok(None) };
    let (seq, published_ms) = (info.stream_sequence, (info.published.unix_timestamp_nanos() / 1_000_000) as i64);
    match LoggedEntry::decode(seq, &m.payload) {
        Ok(entry) => Ok(Some(LoggedEntry { published_ms, ..entry })),
        Err(e @ EntryError::Unknown(_)) => Err(e),
        Err(e) => {
            tracing::warn!(partition, seq, error = %e, "entry is not a batch; skipped");
            Ok(None)
        }
    }
}

/// Applies entries, retrying what failed for a passing reason; false once the lease is lost.
async fn apply(
    store: &Arc<dyn Store>,
    scorer: &Arc<dyn Scorer>,
    history: &Arc<PartitionHistory>,
    partition: u32,
    worker: &str,
    entries: Vec<LoggedEntry>,
) -> bool {
    let forget_all = |entries: &[LoggedEntry]| {
        for e in entries {
            scorer.forget(&e.live_id);
        }
    };
    let mut wait = Duration::from_millis(50);
    loop {
        let log: Option<Arc<dyn LogHistory>> = Some(history.clone());
        match store.apply_logged_entries(partition, worker.to_string(), &entries, scorer.clone(), log).await {
            Ok(done) => {
                history.clear();
                for (e, d) in entries.iter().zip(done) {
                    if let Logged::Refused(why) = d {
                        // The API would have answered 4xx; waiting would block the partition forever.
                        tracing::error!(partition, seq = e.seq, error = %why, "entry refused by the store; skipped");
                    }
                }
                return true;
            }
            Err(StoreError::Rule { code: "history_needed", .. }) => {
                // Given up before anything was kept: read what it wanted, then apply again.
                forget_all(&entries);
                if let Err(e) = history.read_wanted().await {
                    tracing::warn!(partition, error = %crate::error_chain(&e), "reading history back from the log failed; retrying");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
            }
            Err(StoreError::Rule { code: "lease_lost", .. }) => {
                forget_all(&entries);
                tracing::info!(partition, worker, "partition lease lost; stopping its reader");
                return false;
            }
            Err(e @ StoreError::Backend { .. }) => {
                // Nothing of the entries was committed, so the detectors must not keep what they saw.
                forget_all(&entries);
                tracing::warn!(partition, entries = entries.len(), error = %crate::error_chain(&e), "applying entries failed; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
            Err(e) if entries.len() > 1 => {
                // Refused for good by one entry: each alone, so only that one is skipped.
                forget_all(&entries);
                tracing::warn!(partition, error = %e, "a run of entries was refused; applying them one by one");
                for entry in entries {
                    if !Box::pin(apply(store, scorer, history, partition, worker, vec![entry])).await {
                        return false;
                    }
                }
                return true;
            }
            Err(e) => {
                // The API would have answered 4xx; waiting would block the partition forever.
                forget_all(&entries);
                let seq = entries.first().map(|e| e.seq);
                tracing::error!(partition, ?seq, error = %e, "entry refused by the store; skipped");
                return true;
            }
        }
    }
}

/// A partition's LIVEs read back from the event log for detectors being rebuilt: what the
/// store's transactions asked for is read between them, never while one holds its locks.
struct PartitionHistory {
    log: EventLog,
    partition: u32,
    read: std::sync::Mutex<HashMap<(String, u64), Vec<LiveEvent>>>,
    wanted: std::sync::Mutex<Vec<Wanted>>,
}

/// History a transaction asked for: a LIVE's events before one entry, its owner's only.
struct Wanted {
    live_id: String,
    seq: u64,
    published_ms: i64,
    owner: String,
    window_ms: i64,
}

impl PartitionHistory {
    fn new(log: EventLog, partition: u32) -> Self {
        Self { log, partition, read: Default::default(), wanted: Default::default() }
    }

    /// Reads what the last transaction asked for, holding nothing in the store.
    async fn read_wanted(&self) -> Result<(), super::log::LogError> {
        let wanted = std::mem::take(&mut *self.wanted.lock().unwrap_or_else(|e| e.into_inner()));
        for w in wanted {
            let events =
                self.log.recent(self.partition, &w.live_id, w.seq, w.published_ms, &w.owner, w.window_ms).await?;
            self.read.lock().unwrap_or_else(|e| e.into_inner()).insert((w.live_id, w.seq), events);
        }
        Ok(())
    }

    /// Drops what was read once the entries it was for are applied.
    fn clear(&self) {
        self.read.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

impl LogHistory for PartitionHistory {
    fn recent(&self, entry: &LoggedEntry, owner: &str, window_ms: i64) -> Option<Vec<LiveEvent>> {
        let key = (entry.live_id.clone(), entry.seq);
        if let Some(events) = self.read.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Some(events.clone());
        }
        self.wanted.lock().unwrap_or_else(|e| e.into_inner()).push(Wanted {
            live_id: entry.live_id.clone(),
            seq: entry.seq,
            published_ms: entry.published_ms,
            owner: owner.to_string(),
            window_ms,
        });
        None
    }
}
