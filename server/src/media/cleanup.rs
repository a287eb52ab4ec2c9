//! The cleanup job: deletes the media nothing points at any more. Each pass first retires, in
//! the store, ready videos of highlights removed longer ago than a grace and recordings of LIVEs
//! quiet longer than their age (the rows go and their keys are queued in one transaction, so
//! the feed and the app stop naming the files before they go); then it deletes queued keys under
//! a lease, so any number of processes may run it at once. Queued too, as they happen: the files
//! of failed or superseded render attempts and strips of replaced segments.

use std::sync::Arc;
use std::time::Duration;

use super::store::MediaStore;
use crate::clock::Clock;
use crate::store::{CLEANUP_BATCH, Store, StoreError};

/// How long a claimed key is one process's to delete before another may try.
const GARBAGE_LEASE_MS: i64 = 10 * 60_000;

/// How long media is kept, and how often the job looks (docs/backend.md, "Retention").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// How long the video of a removed highlight stays (its seller's to watch, no one else's):
    /// the seller's app and PC app, which may not have synced since the removal, still find its
    /// thumbnail and player.
    pub removed_videos: Duration,
    /// How long a LIVE's recording is kept once the LIVE went quiet: until then the seller can
    /// cut new videos of it.
    pub recordings: Duration,
    /// Time between passes (at least a second), the first one this long after the start.
    pub every: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            removed_videos: Duration::from_secs(3_600),
            recordings: Duration::from_secs(30 * 86_400),
            every: Duration::from_secs(60),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Videos of removed highlights taken out of the store's answers.
    pub videos: u32,
    /// Recording segments past their age taken out.
    pub segments: u32,
    /// Files deleted (or found already gone).
    pub deleted: u32,
    /// Deletions that failed (a pass stops at the first); their keys are tried again once their
    /// lease lapses.
    pub failed: u32,
}

/// Runs the cleanup job over one store and its media.
#[derive(Clone)]
pub struct Cleaner {
    store: Arc<dyn Store>,
    media: Arc<dyn MediaStore>,
    retention: Retention,
    clock: Clock,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Cleaner {
    /// A cleaner keeping media as `retention` says, by the wall clock.
    pub fn new(store: Arc<dyn Store>, media: Arc<dyn MediaStore>, retention: Retention) -> Self {
        Self { store, media, retention, clock: Arc::new(crate::clock::now_ms) }
    }

    /// This cleaner, telling time by `clock`: lets a test say that a grace is over.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Passes every `retention.every` (the first one `every` after starting) until `stop` turns
    /// true; a pass under way is dropped then (its claims lapse), and a failed one is retried at
    /// the next.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let every = self.retention.every.max(Duration::from_secs(1));
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => return,
            }
            let swept = tokio::select! {
                swept = self.pass() => swept,
                _ = stop.changed() => return,
            };
            match swept {
                Ok(s) if s == Swept::default() => {}
                Ok(s) => tracing::info!(
                    videos = s.videos,
                    segments = s.segments,
                    deleted = s.deleted,
                    failed = s.failed,
                    "media cleaned up"
                ),
                Err(e) => {
                    tracing::warn!(error = %crate::error_chain(&e), "media cleanup failed; retrying at the next pass")
                }
            }
        }
    }

    /// One pass: retires what is past its time, then deletes every due key no other process
    /// holds. A failing media store is not hammered: the first failure ends the pass, and the
    /// keys claimed are tried again once their lease lapses.
    pub async fn pass(&self) -> Result<Swept, StoreError> {
        let now = (self.clock)();
        let (removed_before, recorded_before) =
            (now.saturating_sub(ms(self.retention.removed_videos)), now.saturating_sub(ms(self.retention.recordings)));
        let mut swept = Swept::default();
        loop {
            let r = self.store.retire_media(removed_before, recorded_before, now).await?;
            swept.videos += r.videos;
            swept.segments += r.segments;
            if r.videos < CLEANUP_BATCH && r.segments < CLEANUP_BATCH {
                break;
            }
        }
        loop {
            // Each claim's lease runs from when it is taken.
            let claimed_at = (self.clock)();
            let keys = self.store.claim_garbage(claimed_at, GARBAGE_LEASE_MS).await?;
            let claimed = keys.len();
            if claimed == 0 {
                break;
            }
            let media = self.media.clone();
            let (deleted, failed) = tokio::task::spawn_blocking(move || {
                let mut deleted = Vec::with_capacity(keys.len());
                for key in keys {
                    match media.delete(&key) {
                        Ok(()) => deleted.push(key),
                        Err(e) => {
                            tracing::warn!(%key, error = %crate::error_chain(&e), "media not deleted; tried again later");
                            return (deleted, 1);
                        }
                    }
                }
                (deleted, 0)
            })
            .await
            .map_err(|e| StoreError::backend("deleting media", e.to_string()))?;
            swept.deleted += deleted.len() as u32;
            swept.failed += failed;
            if !deleted.is_empty() {
                self.store.forget_garbage(deleted, claimed_at + GARBAGE_LEASE_MS).await?;
            }
            if failed > 0 || claimed < CLEANUP_BATCH as usize {
                break;
            }
        }
        Ok(swept)
    }
}
