//! The distributed mode's side of the store: which worker leases which partition of the event
//! log, how far each partition was applied, and each LIVE's detector checkpoint. All three change
//! in the transaction that stores a run of entries' events and highlights, so the position and
//! the checkpoints never disagree with the data.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use highlights_api::IngestResult;
use highlights_engine::{EventKind, LiveEvent};

use super::shared::{Tx, exec, exists, lock_changes, one, row, rows};
use super::{config, highlights, idempotency, ingest, learning};
use crate::store::contract::{LogHistory, Logged, LoggedEntry, Scorer, StoreError, engine_settings_in_force};
use crate::store::rules::{self, BatchState};

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

/// Whether the store keeps an event of the log row by row: what the app, the renderer and the
/// rules read back (LIVE start and end, pins, captions, orders). The audience's events (comments,
/// likes, joins, viewer counts, clicks) stay in the log only: they are most of the volume, and
/// only the detector reads them, which its checkpoints carry.
fn kept(e: &LiveEvent) -> bool {
    matches!(
        e.kind,
        EventKind::LiveStart { .. }
            | EventKind::LiveEnd
            | EventKind::ProductPin { .. }
            | EventKind::ProductUnpin { .. }
            | EventKind::Caption { .. }
            | EventKind::Order { .. }
    )
}

/// Applies entries of one partition exactly once, in one transaction (see
/// [`crate::store::Store::apply_logged_entries`]): one lease check, one position, one checkpoint
/// per LIVE, and every row of the same kind written by one statement.
pub(super) async fn apply(
    tx: &Tx<'_>,
    applying: &Applying<'_>,
    entries: &[LoggedEntry],
    videos: bool,
    now_ms: i64,
) -> Result<Vec<Logged>, StoreError> {
    let Applying { partition, worker, scorer, .. } = *applying;
    // The lease row stays locked until commit: a worker taking the partition over waits for this
    // transaction to commit (then resumes after it) or finds it never will.
    let held = exists(
        tx,
        "SELECT 1 FROM partition_leases WHERE partition = $1 AND owner = $2 AND until_ms > $3 FOR UPDATE",
        &[&i64::from(partition), &worker, &now_ms],
    )
    .await?;
    if !held {
        return Err(StoreError::rule("lease_lost", format!("partition {partition} is no longer leased to {worker}")));
    }
    let applied_to = position(tx, partition).await?;
    let mut out = vec![Logged::AlreadyApplied; entries.len()];
    let fresh: Vec<usize> = (0..entries.len()).filter(|&i| entries[i].seq > applied_to).collect();
    if fresh.is_empty() {
        return Ok(out);
    }
    // Before any LIVE's row: the lock order seller actions follow too (see `lock_changes`).
    lock_changes(tx).await?;
    let sellers: Vec<&str> = unique(fresh.iter().map(|&i| entries[i].seller_id.as_str()));
    let known: HashSet<String> = rows(tx, "SELECT id FROM sellers WHERE id = ANY($1)", &[&sellers])
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let stored_keys = idempotency::fingerprints(
        tx,
        fresh.iter().filter_map(|&i| entries[i].key.as_ref().map(|k| (entries[i].seller_id.as_str(), k))),
    )
    .await?;
    let lives: Vec<&str> = unique(fresh.iter().map(|&i| entries[i].live_id.as_str()));
    let checkpointed = resume_detectors(tx, &lives, scorer, worker).await?;
    // Every detector this run rebuilds from the log asks for its history now, all at once, so
    // one round of reading (outside this transaction) serves the whole run.
    if let Some(log) = applying.log {
        let mut missing = false;
        for live_id in lives.iter().filter(|l| !scorer.knows(l) && checkpointed.contains(**l)) {
            let first = fresh.iter().map(|&i| &entries[i]).find(|e| e.live_id == *live_id).expect("a LIVE of the run");
            let owner = owner_of(tx, first).await?;
            missing |= log.recent(first, &owner, ingest::WARM_UP_MS).is_none();
        }
        if missing {
            return Err(StoreError::rule("history_needed", "recent events to read back from the log"));
        }
    }
    let (cfg, _) = config::load(tx).await?;
    let settings = engine_settings_in_force(config::engine_settings(tx).await?, &cfg);
    let silent_before = rules::silent_before(&cfg, crate::clock::now_ms());

    let mut states: HashMap<&str, BatchState> = HashMap::new();
    let mut keys_now: HashMap<(&str, &str, &str), &str> = HashMap::new(); // → fingerprint
    let mut rows_kept = ingest::StoredEvents::default();
    let mut applied: HashMap<&str, (u64, i64)> = HashMap::new(); // LIVE → (last seq, events)
    let mut remembered = Vec::new();
    for &i in &fresh {
        let entry = &entries[i];
        let seller = entry.seller_id.as_str();
        if !known.contains(seller) {
            out[i] = Logged::Refused(StoreError::NotFound("seller").to_string());
            continue;
        }
        if let Some(k) = &entry.key {
            let stored = stored_keys.get(&(k.scope.as_str(), seller.to_string(), k.key.clone()));
            if stored.is_some_and(|fp| *fp != k.fingerprint) {
                out[i] = Logged::Refused("this Idempotency-Key was used for a different request".into());
                continue;
            }
            let earlier = keys_now.insert((k.scope.as_str(), seller, k.key.as_str()), k.fingerprint.as_str());
            if earlier.is_some_and(|fp| fp != k.fingerprint) {
                out[i] = Logged::Refused("this Idempotency-Key was used for a different request".into());
                continue;
            }
            if stored.is_some() || earlier.is_some() {
                continue; // a batch re-sent after the log forgot the first: already applied
            }
        }
        if !scorer.knows(&entry.live_id) {
            // Rebuilt from what came before, this run's kept rows written first. A LIVE with
            // neither a checkpoint nor an entry applied in this run is new: nothing is before it.
            rows_kept.flush(tx).await?;
            let seen = checkpointed.contains(&entry.live_id) || applied.contains_key(entry.live_id.as_str());
            rebuild(tx, applying, entry, &settings, seen).await?;
        }
        let state = states.entry(seller).or_insert_with(|| BatchState {
            learning: settings.learning,
            silent_before,
            ..Default::default()
        });
        let mut skipped = entry.unreadable.len() as u64;
        for reason in &entry.unreadable {
            tracing::warn!(%reason, "event skipped");
        }
        let events: Cow<'_, [LiveEvent]> = if entry.events.iter().all(|e| e.live_id == entry.live_id) {
            one_live(tx, seller, entry, state, &mut rows_kept, &mut skipped).await?
        } else {
            // Not as the API writes entries: each event on its own.
            let mut events = Vec::with_capacity(entry.events.len());
            for e in &entry.events {
                if ingest::apply(tx, seller, e, state).await? {
                    if kept(e) {
                        rows_kept.push(e.live_id.clone(), e.ts_ms, e.to_json().to_string());
                    }
                    events.push(e.clone());
                } else {
                    tracing::warn!(live_id = %e.live_id, "event for another seller's LIVE skipped");
                    skipped += 1;
                }
            }
            Cow::Owned(events)
        };
        for (live_id, bar_shift) in state.opened.drain(..) {
            scorer.open(&live_id, bar_shift);
        }
        // Scored entry by entry, as the single process scores each batch, so the moments and the
        // order they are stored in (which the caps count in) are the same.
        for m in scorer.score(&settings, &events) {
            highlights::store_moment(tx, seller, &m, videos).await?;
        }
        let done = applied.entry(entry.live_id.as_str()).or_default();
        *done = (entry.seq, done.1 + events.len() as i64);
        let result = IngestResult { accepted: events.len() as u64, skipped, out_of_window: 0 };
        if let Some(k) = &entry.key {
            remembered.push((seller, k, result.clone()));
        }
        out[i] = Logged::Applied(result);
    }

    rows_kept.flush(tx).await?;
    let arrived = crate::clock::now_ms();
    let mut clocks: HashMap<&str, i64> = HashMap::new();
    for state in states.values() {
        for (live, ts) in &state.clock {
            let c = clocks.entry(live.as_str()).or_insert(*ts);
            *c = (*c).max(*ts);
        }
    }
    let (ids, (times, counts)): (Vec<&str>, (Vec<i64>, Vec<i64>)) =
        clocks.iter().map(|(l, t)| (*l, (*t, applied.get(l).map_or(0, |a| a.1)))).unzip();
    exec(
        tx,
        "UPDATE lives SET last_event_ms = greatest(coalesce(last_event_ms, 0), u.ts), last_seen_at_ms = $4,
                events_applied = events_applied + u.n
         FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u(id, ts, n) WHERE lives.id = u.id",
        &[&ids, &times, &counts, &arrived],
    )
    .await?;
    idempotency::remember_all(tx, &remembered).await?;
    let last = entries.iter().map(|e| e.seq).max().unwrap_or(applied_to);
    exec(
        tx,
        "INSERT INTO partition_positions (partition, seq) VALUES ($1, $2)
         ON CONFLICT (partition) DO UPDATE SET seq = excluded.seq",
        &[&i64::from(partition), &(last as i64)],
    )
    .await?;
    // One checkpoint per LIVE, at the last entry of it applied here.
    let mut ids = Vec::with_capacity(applied.len());
    let mut seqs = Vec::with_capacity(applied.len());
    let mut states: Vec<Option<Vec<u8>>> = Vec::with_capacity(applied.len());
    for (live, (seq, _)) in &applied {
        ids.push(*live);
        seqs.push(*seq as i64);
        states.push(scorer.checkpoint(live, *seq));
    }
    exec(
        tx,
        "INSERT INTO live_checkpoints (live_id, seq, state)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])
         ON CONFLICT (live_id) DO UPDATE SET seq = excluded.seq, state = excluded.state",
        &[&ids, &seqs, &states],
    )
    .await?;
    Ok(out)
}

/// Applies an entry of one LIVE, as the API writes them: whose the LIVE is is settled by its
/// first event, and only events that change the LIVE or its products touch the store one by one;
/// the events to score, borrowed.
async fn one_live<'e>(
    tx: &Tx<'_>,
    seller: &str,
    entry: &'e LoggedEntry,
    state: &mut BatchState,
    rows_kept: &mut ingest::StoredEvents,
    skipped: &mut u64,
) -> Result<Cow<'e, [LiveEvent]>, StoreError> {
    let Some(first) = entry.events.first() else { return Ok(Cow::Borrowed(&[])) };
    if !ingest::apply(tx, seller, first, state).await? {
        tracing::warn!(live_id = %entry.live_id, "events for another seller's LIVE skipped");
        *skipped += entry.events.len() as u64;
        return Ok(Cow::Borrowed(&[]));
    }
    for e in &entry.events[1..] {
        if ingest::changes_live(&e.kind) {
            ingest::apply(tx, seller, e, state).await?;
        }
    }
    let newest = entry.events.iter().map(|e| e.ts_ms).max().unwrap_or(first.ts_ms);
    let clock = state.clock.entry(entry.live_id.clone()).or_insert(newest);
    *clock = (*clock).max(newest);
    for e in entry.events.iter().filter(|e| kept(e)) {
        rows_kept.push(e.live_id.clone(), e.ts_ms, e.to_json().to_string());
    }
    Ok(Cow::Borrowed(&entry.events))
}

/// What applying a run of entries needs besides the entries.
#[derive(Clone, Copy)]
pub(super) struct Applying<'a> {
    /// The partition they were read from.
    pub partition: u32,
    /// The worker applying them, which must hold the partition's lease.
    pub worker: &'a str,
    /// The detectors.
    pub scorer: &'a dyn Scorer,
    /// Where a detector being rebuilt reads its LIVE's recent events back, if anywhere.
    pub log: Option<&'a dyn LogHistory>,
}

/// Rebuilds the detector of `entry`'s LIVE from what came before the entry: the stored rows
/// (starts, pins, captions, orders), with the last [`ingest::WARM_UP_MS`] of stream time read
/// back from the log where it is given and `from_log`, since only the log holds the audience's
/// events.
async fn rebuild(
    tx: &Tx<'_>,
    applying: &Applying<'_>,
    entry: &LoggedEntry,
    settings: &highlights_engine::EngineSettings,
    from_log: bool,
) -> Result<(), StoreError> {
    let live_id = entry.live_id.as_str();
    let mut events = ingest::history(tx, live_id).await?;
    if let Some(log) = applying.log.filter(|_| from_log) {
        let owner = owner_of(tx, entry).await?;
        let Some(recent) = log.recent(entry, &owner, ingest::WARM_UP_MS) else {
            return Err(StoreError::rule("history_needed", format!("{live_id}: recent events to read from the log")));
        };
        tracing::warn!(live_id, events = recent.len(), "detector rebuilt from the event log");
        if let Some(first) = recent.first() {
            // The stored rows before the log's window (the pin the LIVE had then) stay.
            let from = first.ts_ms;
            events.retain(|e| e.ts_ms < from);
            events.extend(recent);
        }
    }
    let bar_shift = learning::bar_of_live(tx, live_id).await?;
    applying.scorer.warm_up(settings, live_id, bar_shift, &events);
    Ok(())
}

/// Whose `entry`'s LIVE is (the entry's seller for a LIVE not stored yet): only what its owner
/// sent was applied, so only that is read back.
async fn owner_of(tx: &Tx<'_>, entry: &LoggedEntry) -> Result<String, StoreError> {
    let owner = row(tx, "SELECT seller_id FROM lives WHERE id = $1", &[&entry.live_id]).await?;
    Ok(owner.map(|r| r.try_get(0)).transpose()?.unwrap_or_else(|| entry.seller_id.clone()))
}

/// Brings each LIVE's detector to its stored checkpoint, unless it already reflects it; the
/// checkpoints' bytes are read only for those that do not. The LIVEs that have a checkpoint.
async fn resume_detectors(
    tx: &Tx<'_>,
    lives: &[&str],
    scorer: &dyn Scorer,
    worker: &str,
) -> Result<HashSet<String>, StoreError> {
    let seqs: HashMap<String, i64> =
        rows(tx, "SELECT live_id, seq FROM live_checkpoints WHERE live_id = ANY($1)", &[&lives])
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, StoreError>>()?;
    for live_id in lives {
        let checkpoint = match seqs.get(*live_id) {
            Some(&seq) if scorer.position(live_id) == Some(seq as u64) => Some((seq as u64, None)),
            Some(&seq) => {
                let state: Option<Vec<u8>> =
                    one(tx, "SELECT state FROM live_checkpoints WHERE live_id = $1", &[live_id]).await?;
                Some((seq as u64, state))
            }
            None => None,
        };
        rules::resume_detector(scorer, live_id, checkpoint, worker);
    }
    Ok(seqs.into_keys().collect())
}

/// The distinct values, in first-seen order.
fn unique<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    values.filter(|v| seen.insert(*v)).collect()
}
