//! The cleanup job: deletes the media nothing points at any more. Each pass first retires, in
//! the store, ready videos of highlights removed longer ago than a grace and recordings of LIVEs
//! quiet longer than their age (the rows go and their keys are queued in one transaction, so
//! the feed and the app stop naming the files before they go); then it deletes queued keys under
//! a lease, so any number of processes may run it at once. Queued too, as they happen: the files
//! of failed or superseded render attempts and strips of replaced segments.

use std::sync::Arc;
use std::time::Duration;

use super::store::MediaStore;
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
    /// Time between passes.
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
    /// Deletions that failed; their keys are tried again once their lease lapses.
    pub failed: u32,
}

/// Runs the cleanup job over one store and its media.
#[derive(Clone)]
pub struct Cleaner {
    store: Arc<dyn Store>,
    media: Arc<dyn MediaStore>,
    retention: Retention,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Cleaner {
    /// A cleaner keeping media as `retention` says.
    pub fn new(store: Arc<dyn Store>, media: Arc<dyn MediaStore>, retention: Retention) -> Self {
        Self { store, media, retention }
    }

    /// Passes every `retention.every` until `stop` turns true; a failed pass is retried at the next.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(self.retention.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => return,
            }
            match self.pass().await {
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

    /// One pass, by the wall clock: retires what is past its time, then deletes every due key
    /// no other process holds.
    pub async fn pass(&self) -> Result<Swept, StoreError> {
        let now = crate::clock::now_ms();
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
            let keys = self.store.claim_garbage(crate::clock::now_ms(), GARBAGE_LEASE_MS).await?;
            let claimed = keys.len();
            if claimed == 0 {
                break;
            }
            let media = self.media.clone();
            let (deleted, failed) = tokio::task::spawn_blocking(move || {
                keys.into_iter().partition::<Vec<_>, _>(|key| match media.delete(key) {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::warn!(%key, error = %crate::error_chain(&e), "media not deleted; tried again later");
                        false
                    }
                })
            })
            .await
            .map_err(|e| StoreError::backend("deleting media", e.to_string()))?;
            swept.deleted += deleted.len() as u32;
            swept.failed += failed.len() as u32;
            if !deleted.is_empty() {
                self.store.forget_garbage(deleted).await?;
            }
            // A failing media store is not hammered: the rest waits for the next pass.
            if !failed.is_empty() || claimed < CLEANUP_BATCH as usize {
                break;
            }
        }
        Ok(swept)
    }
}
